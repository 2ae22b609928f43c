"""Shared fixtures: the shipped project copied into tmp_path, small file trees, the CLI."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

from variants.cli import main

# With CI set (.ci/run sets it), the same examples on every run, so a CI failure is reproduced anywhere
# with CI=true: what newer hypothesis releases do by themselves, said here for every release we allow.
if os.environ.get("CI"):
    settings.register_profile("variants-ci", derandomize=True, database=None, deadline=None, print_blob=True)
    settings.load_profile("variants-ci")

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
PAGES = ("professional-learning-partner-faq.md", "regional-partner-faq.md")


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create ``files`` (relative path -> text or bytes) under ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the repository's base/, overrides/ and out/ in a temporary folder."""
    root = tmp_path / "project"
    for folder in ("base", "overrides", "out"):
        shutil.copytree(REPO / folder, root / folder)
    return root


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run the CLI in-process, stderr apart from stdout; never let an exception escape."""

    def invoke(*args: str | Path) -> Result:
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    return invoke


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` with its bytes and mtime, to prove nothing changed."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


THIRD = """\
program:
  name: Third Program
  nav: third_nav
sections:
  - id: in-person
    questions:
      - id: recruit
        remove: true
      - id: ca
        answer: |
          Code.org has computer science workshops designed for Counselors and Administrators to provide school leaders with the tools necessary to successfully support their teachers as they take on a new subject and style of teaching. <a href="https://example.org/overview" target=_blank>See this page</a> for an overview of this professional development session.
      - id: facilitators
        after: ca
  - id: general
    questions:
      - id: press
        question: "Is <script>alert('x')</script> allowed for a {{ name }}?"
"""


@pytest.fixture
def third(shipped: Path) -> Path:
    write_tree(shipped, {"overrides/third.yml": THIRD})
    return shipped


def blame_rows(run: Callable[..., Result], root: Path, page: str) -> list[dict[str, Any]]:
    """``variants blame PAGE --format json`` on the project at ``root``, expected to succeed."""
    result = run("-C", root, "blame", page, "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def adopt_refused(run: Callable[..., Result], root: Path, *args: str) -> str:
    """``variants adopt ARGS`` expected to refuse, one line per reason, leaving every file as it was; its stderr."""
    before = snapshot(root)
    result = run("-C", root, "adopt", *args)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert snapshot(root) == before
    return result.stderr


# A question block a user adds by hand to a page of the shipped project, and its table-of-contents line.
FEES_BLOCK = """<br/>
________________
<a id="fees"></a>
<br/>
<br/>

### **Are there any fees?**

No, there are no fees to apply.

[**Back to the top**](#top)
"""
FEES_TOC = "- [Are there any fees?](#fees)\n"


ELEVEN = Path(__file__).resolve().parent / "fixtures" / "eleven"
EDITED_PAGE = "charlie-faq.md"  # the page of the eleven that is edited by hand


@pytest.fixture
def eleven(tmp_path: Path) -> Path:
    """The shipped base with the eleven programs of tests/fixtures/eleven (name-only ones, replaced
    answers, removed questions, an added section, a move, formatting only, hostile text), built,
    and one page edited by hand in out/."""
    root = tmp_path / "eleven"
    shutil.copytree(REPO / "base", root / "base")
    shutil.copytree(ELEVEN / "overrides", root / "overrides")
    built = CliRunner().invoke(main, ["-C", str(root), "build"])
    assert built.exit_code == 0, built.output
    page = root / "out" / EDITED_PAGE
    page.write_text(page.read_text().replace("can we publish a press release", "may we publish a press release"))
    return root
