"""``variants watch`` as a user runs it: a real process, real edits, Ctrl-C."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest

from conftest import REPO, snapshot
from variants.cache.watch import rebuild

VARIANTS = Path(sys.executable).with_name("variants")


class Lines:
    """The lines a process prints on stderr, read by a thread so a wait can time out."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert process.stderr is not None
        threading.Thread(target=self._read, args=(process.stderr,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.queue.put(line)
        self.queue.put("")

    def until(self, needle: str, timeout: float = 60) -> tuple[str, list[str]]:
        """The first line holding ``needle`` and the lines before it; fail rather than hang."""
        before: list[str] = []
        while True:
            try:
                line = self.queue.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"watch did not say {needle!r}; it said {before}")
            self.seen.append(line)
            assert line, f"watch ended before saying {needle!r}: {before}"
            if needle in line:
                return line, before
            before.append(line)


def start_watch(shipped: Path, report: Path) -> subprocess.Popen[str]:
    """``variants watch --diff REPORT`` on the project, as a process of its own (a traceback is not hidden)."""
    return subprocess.Popen(
        [str(VARIANTS), "-C", str(shipped), "watch", "--diff", str(report)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "VARIANTS_DEBUG": "1"},
    )


def stop_watch(process: subprocess.Popen[str], lines: Lines) -> None:
    """Ctrl-C, then the watch says it stopped and exits 0 with nothing on stdout and no traceback."""
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)
    lines.until("stopped", timeout=30)
    assert process.returncode == 0, lines.seen
    assert process.stdout is not None and process.stdout.read() == ""
    assert not any("Traceback" in line or "KeyboardInterrupt" in line for line in lines.seen)


def test_watch_rebuilds_on_each_edit_survives_a_broken_source_and_stops(shipped: Path) -> None:
    page = shipped / "out" / "regional-partner-faq.md"
    override = shipped / "overrides" / "regional-partner.yml"
    good = override.read_text()
    report = shipped.parent / "report.md"
    process = start_watch(shipped, report)
    lines = Lines(process)
    try:
        watching, _ = lines.until("watching")
        assert watching.startswith(f"watching {shipped}/base and {shipped}/overrides")
        first, _ = lines.until("first build:")
        assert "no page changed" in first  # out/ was already in step with the sources

        override.write_text(good.replace("name: Regional Partner\n", "name: Regional Partners\n"))
        edited, _ = lines.until("overrides/regional-partner.yml:")
        assert "1 page written" in edited
        assert "title: Regional Partners FAQs" in page.read_text()
        assert "| `regional-partner` | `Regional Partners` |" in report.read_text()  # the report rewritten too

        override.write_text(good + "nmae: typo\n")
        broken, problems = lines.until("not built")
        assert "not built (1 problem)" in broken
        assert any(p.startswith("overrides/regional-partner.yml:") and "nmae" in p for p in problems), problems
        assert "title: Regional Partners FAQs" in page.read_text()  # the last good page stays

        override.write_text(good)
        fixed, _ = lines.until("written")
        assert "overrides/regional-partner.yml" in fixed
    finally:
        stop_watch(process, lines)
    assert page.read_bytes() == (REPO / "out" / page.name).read_bytes()


def test_a_report_that_cannot_be_written_is_said_and_the_watch_goes_on(shipped: Path) -> None:
    blocker = shipped.parent / "not-a-folder"
    blocker.write_text("a file where the report's folder would be\n")
    report = blocker / "report.md"
    override = shipped / "overrides" / "regional-partner.yml"
    process = start_watch(shipped, report)
    lines = Lines(process)
    try:
        first, before = lines.until("first build:")
        assert "no page changed" in first
        said = f"{report}: cannot write: Not a directory\n"
        assert [line for line in before if str(report) in line] == [said], before  # one line, nothing more
        override.write_text(override.read_text().replace("name: Regional Partner\n", "name: Regional Partners\n"))
        edited, again = lines.until("overrides/regional-partner.yml:")
        assert "1 page written" in edited  # the pages are rebuilt all the same
        assert [line for line in again if str(report) in line] == [said], again
        assert "title: Regional Partners FAQs" in (shipped / "out" / "regional-partner-faq.md").read_text()
    finally:
        stop_watch(process, lines)
    assert blocker.read_text() == "a file where the report's folder would be\n"


def test_a_rebuild_reports_problems_and_leaves_the_output_alone(shipped: Path) -> None:
    (shipped / "overrides" / "regional-partner.yml").write_text("program: [\n")
    before = snapshot(shipped / "out")
    result = rebuild(shipped, shipped / "out", frozenset({"overrides/regional-partner.yml"}))
    assert result.written == () and len(result.problems) == 1
    assert str(result.problems[0].loc) == "overrides/regional-partner.yml:2:1"
    assert snapshot(shipped / "out") == before


def test_a_rebuild_writes_only_the_pages_that_changed(shipped: Path) -> None:
    override = shipped / "overrides" / "professional-learning-partner.yml"
    override.write_text(override.read_text().replace("name: Professional Learning Partner\n", "name: PL Partner\n"))
    start = time.time_ns()
    result = rebuild(shipped, shipped / "out", frozenset({"overrides/professional-learning-partner.yml"}))
    assert result.problems == () and result.written == ("professional-learning-partner-faq.md",)
    assert (shipped / "out" / "regional-partner-faq.md").stat().st_mtime_ns < start
