"""Progress on long work: the core counts, the command line draws one line on a terminal only."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
import synthetic  # the benchmark's project generator

from conftest import REPO
from variants.cli.progress import ProgressLine, wanted
from variants.diff import diff_report
from variants.extract import extract, read_pages
from variants.lint import check_project
from variants.output.apply import apply
from variants.output.plan import plan
from variants.pipeline.build import build
from variants.pipeline.pool import PARALLEL_FROM
from variants.progress import (
    ALIGNING,
    BUILDING,
    CHECKING_PAGES,
    CHECKING_SOURCES,
    COMPARING,
    FINDING_VARIABLES,
    REPORTING,
    WRITING,
)

VARIANTS = Path(sys.executable).parent / "variants"


class Recorder:
    """A progress callback that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int]] = []

    def __call__(self, what: str, done: int, total: int) -> None:
        self.calls.append((what, done, total))

    def stages(self) -> list[str]:
        return list(dict.fromkeys(what for what, _, _ in self.calls))

    def counts(self, what: str) -> list[int]:
        return [done for w, done, _ in self.calls if w == what]


def test_build_counts_every_program(shipped: Path) -> None:
    seen = Recorder()
    build(shipped, progress=seen)
    assert seen.calls == [(BUILDING, 0, 2), (BUILDING, 1, 2), (BUILDING, 2, 2)]


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic project large enough for forked workers."""
    return synthetic.make_project(tmp_path_factory.mktemp("many") / "p", PARALLEL_FROM + 40, 4)


def test_forked_workers_report_as_their_blocks_come_back(many: Path) -> None:
    seen = Recorder()
    built = build(many, progress=seen)
    counts = seen.counts(BUILDING)
    total = len(built.programs)
    assert counts[0] == 0 and counts[-1] == total and counts == sorted(counts)
    assert len(set(counts)) > 4  # the count moves in steps, not from nothing to everything


def test_check_diff_and_writing_count_their_stages(many: Path, tmp_path: Path) -> None:
    seen = Recorder()
    check_project(many, progress=seen)
    assert seen.stages() == [BUILDING, CHECKING_SOURCES, CHECKING_PAGES]

    seen = Recorder()
    report = diff_report(many, progress=seen)
    assert seen.stages() == [BUILDING, COMPARING]
    for _ in report.comparisons:
        pass
    assert seen.stages() == [BUILDING, COMPARING, REPORTING]
    assert seen.calls[-1] == (REPORTING, len(report.columns), len(report.columns))

    seen = Recorder()
    apply(plan(tmp_path / "out", build(many).outputs), seen)
    assert seen.counts(WRITING)[-1] == PARALLEL_FROM + 40 + 1  # the pages and the manifest


def test_extract_counts_its_stages(tmp_path: Path) -> None:
    family = sorted((REPO / "examples" / "partner-faq" / "out").glob("*.md"))
    seen = Recorder()
    extract(read_pages(family), progress=seen)
    assert seen.stages()[0] == FINDING_VARIABLES
    assert BUILDING in seen.stages()  # the proof: the extracted project rebuilt
    assert seen.counts(FINDING_VARIABLES)[-1] == len(family) - 1
    assert set(seen.stages()) <= {FINDING_VARIABLES, ALIGNING, BUILDING}


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_waits_redraws_over_itself_and_is_wiped() -> None:
    stream = FakeTerminal()
    line = ProgressLine(stream, delay=0.2, interval=0)
    line(BUILDING, 1, 10)
    assert stream.getvalue() == ""  # quick work shows nothing
    time.sleep(0.25)
    line(BUILDING, 5, 10)
    line(BUILDING, 10, 10)
    drawn = stream.getvalue()
    assert drawn.count("\r\x1b[K") == 2 and "building  10/10" in drawn and "100%" in drawn
    line.stop()
    assert stream.getvalue().endswith("\r\x1b[K")
    line(BUILDING, 10, 10)
    assert stream.getvalue().endswith("\r\x1b[K")  # stopped: nothing more


@pytest.mark.parametrize("columns", [5, 20, 40, 80, 200])
def test_the_line_never_wraps(columns: int) -> None:
    text = ProgressLine.line(CHECKING_SOURCES, 1234, 10000, columns)
    assert len(text) < columns
    if columns >= 80:
        assert text.startswith("checking sources  1234/10000 [") and text.endswith(" 12%")


def test_a_line_only_for_a_terminal_and_never_with_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TERM", raising=False)
    assert wanted(FakeTerminal(), quiet=False)
    assert not wanted(FakeTerminal(), quiet=True)
    assert not wanted(io.StringIO(), quiet=False)
    monkeypatch.setenv("TERM", "dumb")
    assert not wanted(FakeTerminal(), quiet=False)


def test_quiet_keeps_problems_and_drops_status(run, shipped: Path) -> None:
    assert run("-C", shipped, "build", "--quiet").stderr == ""
    assert run("-C", shipped, "check", "-q").stderr == ""
    page = shipped / "out" / "regional-partner-faq.md"
    page.write_text(page.read_text() + "x")
    stale = run("-C", shipped, "build", "--check", "--quiet")
    assert stale.exit_code == 1 and "regional-partner-faq.md" in stale.stderr


def on_a_terminal(args: list[str], cwd: Path, columns: int = 100) -> tuple[int, str, str]:
    """Run variants with stderr on a pseudo-terminal of ``columns`` columns and stdout on a pipe."""
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR")} | {"TERM": "xterm"}
    process = subprocess.Popen(
        [str(VARIANTS), *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, env=env
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the other end closed: the process is done
                break
            if not data:
                break
            seen += data
        elif process.poll() is not None:
            break
    os.close(master)
    assert process.stdout is not None
    stdout = process.stdout.read().decode()
    process.stdout.close()
    return process.wait(timeout=30), stdout, seen.decode()


SIZE = 2500


@pytest.fixture(scope="module")
def slow_to_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose build takes over the second the line waits for (not built yet)."""
    return synthetic.make_project(tmp_path_factory.mktemp("large") / "p", SIZE, 10)


@pytest.mark.slow
def test_progress_on_a_terminal_only_and_never_with_quiet(slow_to_build: Path, tmp_path: Path) -> None:
    code, stdout, terminal = on_a_terminal(["build"], slow_to_build, columns=60)
    assert code == 0 and stdout == ""
    drawn = [part for part in terminal.split("\r\x1b[K") if part.startswith(("building", "writing"))]
    assert any(part.startswith("building  ") for part in drawn), terminal
    assert all(len(part) < 60 and part.endswith("%") for part in drawn)
    # the line is wiped before the status lines
    assert f"\r\x1b[Kcreated {Path('out') / 'program-00001-faq.md'}\r\n" in terminal
    assert terminal.endswith(f"{SIZE} pages built: {SIZE} changed, 0 unchanged\r\n")

    code, _, terminal = on_a_terminal(["build", "--check", "--quiet"], slow_to_build)
    assert (code, terminal) == (0, "")
    piped = subprocess.run([str(VARIANTS), "build", "--check"], cwd=slow_to_build, capture_output=True, text=True)
    assert piped.returncode == 0 and piped.stderr == f"{SIZE} pages up to date\n"

    report = tmp_path / "r.json"
    pair = [synthetic.slug(1), synthetic.slug(2)]
    code, _, terminal = on_a_terminal(["diff", *pair, "--format", "json", "--output", str(report)], slow_to_build)
    assert code == 0 and "building  " in terminal and terminal.endswith(f"\r\x1b[Kwrote {report}\r\n")
