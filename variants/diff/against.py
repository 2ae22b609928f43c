"""Against a git revision: the divergences the working tree adds, removes or changes since then.

The project's ``base/``, ``overrides/`` and output folder at the revision are read with git
(``ls-tree``, ``cat-file``: nothing that writes) into a temporary folder, never touching the
working tree or the index, and outlined there as the working tree is. Statements are
matched by their stable keys, cells by their row and program, drift by page; what is the
same on both sides is left out, and programs with nothing left are not shown.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from ..pipeline.build import build
from ..problems import Problem, VariantsError, error
from ..source.project import CONTENT_FILE
from .model import ABSENT, CHANGED, GONE, NEW, PAGE_ROW, SAME, Cell, Drift, ReportProgram, RowKey, Statement, cell
from .outline import Outline
from .report import Prepared, prepare
from .structure import Changes

_FOLDERS = ("base", "overrides", "out")  # what a report reads
_BLOB, _EXECUTABLE = "100644", "100755"


@dataclass(frozen=True)
class Baseline:
    """The project at a revision, outlined: each program's outline, its variables, its drift."""

    outlines: dict[str, Outline]
    programs: dict[str, ReportProgram]
    drift: dict[str, Drift]


def _git(root: Path, *args: str, data: bytes | None = None) -> bytes:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(["git", "-C", str(root), *args], input=data, capture_output=True, env=env, check=False)
    except OSError as exc:
        raise VariantsError(error("git", f"cannot run git: {exc.strerror or exc}", "revision")) from None
    if done.returncode:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise VariantsError(error("git", message[-1] if message else f"git {args[0]} failed", "revision"))
    return done.stdout


def copy_revision(root: Path, ref: str, into: Path) -> bool:
    """Write the project's sources and output folder at ``ref`` into ``into``; False when the
    revision has no base content (the project did not exist then)."""
    if ref.startswith("-"):
        raise VariantsError(error("git", f"'{ref}' is not a revision", "revision"))
    prefix = _git(root, "rev-parse", "--show-prefix").decode().strip()
    try:
        commit = (
            _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").decode().strip()
        )
    except VariantsError:
        raise VariantsError(error("git", f"'{ref}' is not a revision of this repository", "revision")) from None
    try:
        listing = _git(root, "ls-tree", "-r", "-z", "--full-tree", f"{commit}:{prefix}")
    except VariantsError:  # the project's folder did not exist at the revision
        return False
    wanted: list[tuple[str, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, _kind, sha = meta.decode().split(" ")
        path = name.decode("utf-8", "surrogateescape")
        parts = PurePosixPath(path).parts
        if mode in (_BLOB, _EXECUTABLE) and parts and parts[0] in _FOLDERS and ".." not in parts:
            wanted.append((sha, path))  # symbolic links and submodules are not read, as in the working tree
    blobs = _git(root, "cat-file", "--batch", data="".join(f"{sha}\n" for sha, _ in wanted).encode())
    at = 0
    for _sha, path in wanted:
        end = blobs.index(b"\n", at)
        size = int(blobs[at:end].split(b" ")[2])
        target = into / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blobs[end + 1 : end + 1 + size])
        at = end + 1 + size + 1
    return (into / CONTENT_FILE).is_file()


def baseline(root: Path, ref: str, pair: tuple[str, str] | None) -> Baseline:
    """The project at revision ``ref``, outlined as ``diff_report`` outlines the working tree."""
    with tempfile.TemporaryDirectory(prefix="variants-against-") as tmp:
        folder = Path(tmp)
        if not copy_revision(root, ref, folder):
            return Baseline({}, {}, {})
        try:
            made = prepare(build(folder, keep_pages=True).raise_for_problems(), pair, None)
        except VariantsError as exc:  # the sources at the revision: named as git names them
            raise VariantsError([_at(ref, p) for p in exc.problems]) from None
    outlines = {o.page.slug: o for o in made.outlines}
    return Baseline(outlines, {p.slug: p for p in made.programs}, {d.file: d for d in made.drift})


def _at(ref: str, problem: Problem) -> Problem:
    return problem._replace(loc=problem.loc._replace(path=f"{ref}:{problem.loc.path}"))


def changes_since(made: Prepared, then: Baseline) -> tuple[list[Outline], tuple[Drift, ...], list[ReportProgram]]:
    """The outlines with only what changed since the baseline (programs with no change left
    out; programs gone since, with their statements gone), the drift that changed, and the
    programs that are gone."""
    kept: list[Outline] = []
    for now in made.outlines:
        before = then.outlines.get(now.page.slug)
        cells, digests = _cells(now, before)
        said = _statements(now.statements, before.statements if before is not None else (), cells)
        if said or cells:
            page = {key for key in now.found.page if (PAGE_ROW, key) in cells}
            found = replace(now.found, page=page)
            kept.append(replace(now, found=found, cells=cells, digests=digests, statements=said, previous=before))
    current = {o.page.slug for o in made.outlines}
    gone = [slug for slug in then.outlines if slug not in current]
    for slug in gone:
        before = then.outlines[slug]
        said = tuple(replace(s, delta=GONE) for s in before.statements)
        cells = {key: cell(SAME, False, 0, c.state) for key, c in before.cells.items() if not c.blank}
        kept.append(replace(before, found=Changes(), cells=cells, digests={}, statements=said))
    drift = tuple(d for d in made.drift if _drift(d) != _drift(then.drift.get(d.file)))
    return kept, drift, [then.programs[slug] for slug in gone if slug in then.programs]


def _said(s: Statement) -> tuple[Any, ...]:
    """What a statement says, without where it is said (lines move with every edit)."""
    return (s.category, s.change, s.text, repr(s.old), repr(s.new), s.why)


def _statements(
    now: tuple[Statement, ...], then: tuple[Statement, ...], cells: dict[RowKey, Cell]
) -> tuple[Statement, ...]:
    """The statements new, changed and gone since; one that says the same of an entry whose
    copy changed (an added question's answer) is changed too."""
    before = {s.key: s for s in then}
    keys = {s.key for s in now}
    out: list[Statement] = []
    for s in now:
        old = before.get(s.key)
        if old is None:
            out.append(replace(s, delta=NEW))
        elif _said(old) != _said(s):
            was = old.text if old.text != s.text else ""
            if not was and old.why != s.why:
                was = f"why: {old.why}" if old.why else "no why"
            out.append(replace(s, delta=CHANGED, was=was))
        elif not s.field and s.change == "added" and (s.target, s.id) in cells:
            out.append(replace(s, delta=CHANGED))
    out += [replace(s, delta=GONE) for s in then if s.key not in keys]
    return tuple(out)


def _cells(now: Outline, then: Outline | None) -> tuple[dict[RowKey, Cell], dict[RowKey, str]]:
    """The cells that changed, each with its state at the revision; their digests."""
    cells: dict[RowKey, Cell] = {}
    digests: dict[RowKey, str] = {}
    before = then.cells if then is not None else {}
    for key in {**now.cells, **before}:
        a, b = before.get(key), now.cells.get(key)
        if _look(a, then, key) == _look(b, now, key):
            continue
        b = b if b is not None else cell(SAME)
        cells[key] = cell(b.state, b.moved, 0, a.state if a is not None else ABSENT)
        if key in now.digests:
            digests[key] = now.digests[key]
    return cells, digests


def _look(c: Cell | None, outline: Outline | None, key: RowKey) -> tuple[Any, ...] | None:
    if c is None or c.blank or outline is None:
        return None
    return c.state, c.moved, outline.digests.get(key, "")


def _drift(drift: Drift | None) -> tuple[Any, ...] | None:
    if drift is None:
        return None
    return drift.state, tuple((line.op, line.old, line.new) for hunk in drift.hunks for line in hunk.lines)


__all__ = ["Baseline", "baseline", "changes_since", "copy_revision"]
