"""Issue 16, the promises under any sequence: random commands over a small project with random damage.

Each example copies the shipped project (with up to two more programs), then
runs a random sequence of commands (build, build --force, build --check, check,
diff --output, new, adopt) with random damage in between (a truncated file,
an invalid byte, a FIFO, a link out of the project, a hand edit, a read-only
folder where the tests do not run as root). After every command: exit 0, 1
or 2, never a traceback or a hang; one-line messages; nothing written outside
the project; no temporary file left; a failed command changed nothing; a hand
edit survives everything but build --force.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from variants.output.paths import TEMP_SUFFIX

STEP_SECONDS = 20
COMMANDS = ("build", "build --force", "build --check", "check", "diff --output", "new", "adopt")
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
# a read-only folder means nothing to root, who writes anyway
DAMAGE = ("truncate", "invalid byte", "fifo", "link out", "hand edit", *(() if ROOT else ("read-only folder",)))
TARGETS = ("report.txt", "out/regional-partner-faq.md", "out/.variants-manifest.json", "base/content.yml", "f")
NAMES = st.sampled_from(["Coastal", "Coastal", "a\nb", "x" * 300, "Über Ort", "\x1b[31mRed", "CON", ""])


def state(folder: Path) -> dict[str, Any]:
    """Every entry under ``folder``: a file's bytes, where a link points, or what else it is."""
    found: dict[str, Any] = {}
    for top, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(top) / name
            rel = path.relative_to(folder).as_posix()
            if rel.startswith(".variants-cache"):
                continue  # the page cache is an aid the run may rewrite at will
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                found[rel] = ("link", os.readlink(path))
            elif stat.S_ISREG(mode):
                found[rel] = path.read_bytes()
            else:
                found[rel] = "folder" if stat.S_ISDIR(mode) else "special"
    return found


@contextmanager
def at_most(seconds: int, what: str) -> Iterator[None]:
    def hung(signum: int, frame: Any) -> None:
        raise AssertionError(f"{what} ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)  # the test's own limit (pytest-timeout), if any
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # it goes on with the time it had left
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 0.001))


def damage(root: Path, outside: Path, kind: str, rel: str) -> None:
    path = root / rel
    if not path.is_file() or path.is_symlink():
        return
    if kind == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "invalid byte":
        with path.open("ab") as handle:
            handle.write(b"\xff\xfe")
    elif kind == "fifo":
        path.unlink()
        os.mkfifo(path)
    elif kind == "read-only folder":
        path.parent.chmod(0o555)
    elif kind == "link out":
        victim = outside / f"victim-{len(list(outside.iterdir()))}"
        victim.write_bytes(path.read_bytes())
        path.unlink()
        path.symlink_to(victim)
    else:
        path.write_text(path.read_text(encoding="utf-8", errors="replace") + "\nA line added by hand.\n")


def args_of(command: str, draw: Any) -> list[str]:
    if command == "diff --output":
        return ["diff", "--output", draw(st.sampled_from(TARGETS))]
    if command == "new":
        return ["new", draw(NAMES)]
    if command == "adopt":
        return ["adopt", draw(st.sampled_from(["regional-partner", "professional-learning-partner", "nobody"]))]
    return command.split()


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_commands_over_damaged_projects_keep_every_promise(run, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as scratch:
        root, outside = Path(scratch) / "project", Path(scratch) / "outside"
        outside.mkdir()
        for folder in ("base", "overrides", "out"):
            shutil.copytree(REPO / folder, root / folder)
        for n in range(data.draw(st.integers(0, 2), "extra programs")):
            output = data.draw(st.sampled_from([f"p{n}.md", f"sub/p{n}.md", "regional-partner-faq.md"]))
            (root / "overrides" / f"p{n}.yml").write_text(f"program: {{name: P{n}, nav: p{n}}}\noutput: {output}\n")
        edited: dict[str, bytes] = {}  # pages edited by hand, as they must stay
        cwd = os.getcwd()
        os.chdir(root)
        try:
            for _ in range(data.draw(st.integers(1, 10), "steps")):
                if data.draw(st.booleans(), "damage first"):
                    files = sorted(k for k, v in state(root).items() if isinstance(v, bytes))
                    pages = [k for k in files if k.startswith("out/")]
                    kind = data.draw(st.sampled_from(DAMAGE))
                    rel = data.draw(
                        st.sampled_from(pages) if pages and data.draw(st.booleans()) else st.sampled_from(files)
                    )
                    damage(root, outside, kind, rel)
                    edited.pop(rel, None)  # what the damage did to a hand edit is not the run's doing
                    page = rel.startswith("out/") and not rel.endswith(".variants-manifest.json")
                    if page and (root / rel).is_file() and not (root / rel).is_symlink():
                        edited[rel] = (root / rel).read_bytes()
                command = data.draw(st.sampled_from(COMMANDS))
                args = args_of(command, data.draw)
                before, away = state(root), state(outside)
                with at_most(STEP_SECONDS, " ".join(args)):
                    result = run("-C", root, *args)
                after = state(root)
                assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.stderr)
                assert "Traceback" not in result.stderr
                if result.exit_code == 1:  # (2 is click's usage error, a few lines of its own)
                    assert all(line and "\x1b" not in line for line in result.stderr.splitlines()), result.stderr
                assert state(outside) == away, f"{args} wrote outside the project"
                assert not [k for k in after if k.endswith(TEMP_SUFFIX)], f"{args} left a temporary file"
                if result.exit_code != 0:
                    assert after == before, f"{args} failed with exit {result.exit_code} and changed files"
                if command == "build --force" and result.exit_code == 0:
                    edited.clear()
                for rel, content in edited.items():
                    assert after.get(rel) == content, f"{args} lost the hand edit of {rel}"
        finally:
            os.chdir(cwd)
            for top, _, _ in os.walk(root):  # writable again, so the folder can be removed
                Path(top).chmod(0o755)
