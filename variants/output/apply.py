"""Carrying out a plan: all or nothing.

Every new file is staged as a temporary file beside its target; the files the
plan removes (and a folder in the way of a new page) are first moved into a
trash folder in the output folder, and each file an update replaces is kept
there too (a hard link), so that until the last rename every step can be
undone. Only when every file is staged are they renamed into place, with
signals held back; then the trash, and what interrupted runs left behind, go.
A failure at any point puts the folder back as it was. Unchanged files are
not touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from ..problems import Loc, VariantsError, error
from ..progress import WRITING, Progress, counted
from .manifest import MANIFEST, manifest_text
from .paths import TEMP_SUFFIX, interruptible, stage, target, temp_path, uninterrupted, write_file
from .plan import REMOVE, UPDATE, Change, Plan

Undo = Callable[[], None]


class _Steps:
    """What has been done so far, each with how to undo it."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.undo: list[Undo] = []
        self.trash: Path | None = None
        self.count = 0

    # Each step's undo is noted before the step is made (and does nothing if it was not), so a
    # signal between the two leaves nothing that is not undone.

    def trash_folder(self) -> Path:
        if self.trash is None:
            self.trash = self.out_dir / f".variants-trash.{os.urandom(8).hex()}{TEMP_SUFFIX}"
            self.trash.mkdir()
        return self.trash

    def keep(self, path: Path, move: bool) -> Path:
        """Move ``path`` into the trash (``move``), or keep a hard link to it there; the place it is kept at."""
        self.count += 1
        kept = self.trash_folder() / str(self.count)
        if move:
            self.undo.append(lambda: os.rename(kept, path) if os.path.lexists(kept) else None)
            os.rename(path, kept)
        else:
            os.link(path, kept, follow_symlinks=False)
        return kept

    def mkdir(self, folder: Path) -> None:
        self.undo.append(folder.rmdir)
        folder.mkdir()

    def rollback(self) -> None:
        """Undo every step, the last first; what cannot be undone is left for the next run to report."""
        for step in reversed(self.undo):
            with contextlib.suppress(OSError):
                step()
        self.undo.clear()
        self.discard()

    def discard(self) -> None:
        if self.trash is not None:
            shutil.rmtree(self.trash, ignore_errors=True)
            self.trash = None


def apply(plan: Plan, progress: Progress | None = None) -> None:
    """Carry out ``plan``: all files or none. Refuses when hand edits are in the way.
    Each file staged is counted to ``progress``."""
    if plan.conflicts:
        raise VariantsError(plan.conflicts)
    writes = [c for c in plan.pending if c.new is not None]
    if plan.manifest_changed:
        writes.append(Change(MANIFEST, UPDATE, None, manifest_text(plan.manifest)))
    if not writes and not plan.pending and not plan.strays:
        return
    steps = _Steps(plan.out_dir)
    try:
        with interruptible():
            staged = _prepare(plan, writes, steps, progress)
            with uninterrupted():  # signals wait until every file is in place and the trash is gone
                for temp, path, kept, created in staged:
                    os.replace(temp, path)
                    steps.undo.append(_put_back(path, kept, created))
                steps.undo.clear()
                steps.discard()
                _remove_strays(plan)
    except OSError as exc:
        with uninterrupted():
            steps.rollback()
        where = exc.filename or str(plan.out_dir)
        message = f"cannot write: {exc.strerror or exc}; nothing was changed"
        raise VariantsError(error(Loc(str(where)), message, "output")) from None
    except BaseException:
        with uninterrupted():
            steps.rollback()
        raise


_Staged = tuple[Path, Path, Path | None, bool]  # the staged file, its target, the old file kept, whether it is new


def _prepare(plan: Plan, writes: list[Change], steps: _Steps, progress: Progress | None) -> list[_Staged]:
    """Every step before the renames: removals moved to the trash, folders made, files staged
    (each counted to ``progress``)."""
    out_dir = plan.out_dir
    for missing in [p for p in (out_dir, *out_dir.parents) if not p.exists()][::-1]:
        steps.mkdir(missing)
    for change in plan.pending:
        if change.action == REMOVE:
            steps.keep(target(out_dir, change.name), move=True)
    for change in writes:  # a folder where a page goes, emptied by the removals, goes to the trash too
        path = target(out_dir, change.name)
        if path.is_dir() and not any(p.is_file() or p.is_symlink() for p in path.rglob("*")):
            steps.keep(path, move=True)
    staged: list[_Staged] = []
    for change in counted(writes, WRITING, len(writes), progress):
        path = target(out_dir, change.name)
        for sub in reversed(PurePosixPath(change.name).parents[:-1]):
            made = out_dir / sub
            if not made.is_dir():
                steps.mkdir(made)
        temp = temp_path(path)
        steps.undo.append(lambda temp=temp: temp.unlink(missing_ok=True))  # type: ignore[misc]
        stage(path, [(change.new or "").encode("utf-8", errors="surrogateescape")], temp)
        kept = None
        exists = os.path.lexists(path)
        if exists:
            try:
                kept = steps.keep(path, move=False)
            except OSError:  # a file system without hard links: this one update cannot be undone
                kept = None
        staged.append((temp, path, kept, not exists))
    # The manifest last: until it is in place, the old one still describes the folder.
    staged.sort(key=lambda item: item[1].name == MANIFEST and item[1].parent == out_dir)
    return staged


def _put_back(path: Path, kept: Path | None, created: bool) -> Undo:
    """How to undo putting a new file at ``path``: the old file back, or none where there was none."""
    if kept is not None:
        return lambda: os.replace(kept, path)
    if created:
        return lambda: path.unlink(missing_ok=True)
    return lambda: None  # replaced, and no copy of the old file could be kept


def _remove_strays(plan: Plan) -> None:
    """Remove what killed runs left behind (temporary files and trash); failures are left for the next run."""
    for name in plan.strays:
        path = plan.out_dir / name
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            pass


__all__ = ["apply", "write_file"]
