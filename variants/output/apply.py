"""Carrying out a plan, and writing reports: all or nothing.

Every new file is staged as a temporary file beside its target and renamed
into place only once all of them were written, so a failure leaves the folder
as it was; unchanged files are not touched.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..problems import Loc, VariantsError, error
from ..progress import WRITING, Progress, counted
from .manifest import MANIFEST, manifest_text
from .paths import target
from .plan import REMOVE, UPDATE, Change, Plan

TEMP_SUFFIX = ".variants-tmp"


def _stage(path: Path, data: bytes) -> str:
    """Write ``data`` to a new file beside ``path``; like any new file, its mode follows the umask."""
    temp = str(path.parent / f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        handle = os.open(temp, flags, 0o666)
    except FileExistsError:  # left by a run of ours that was killed: the name is ours to reuse
        os.unlink(temp)
        handle = os.open(temp, flags, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
    except OSError:
        os.close(handle)
        os.unlink(temp)
        raise
    os.close(handle)
    return temp


def write_file(path: Path, pieces: Iterable[str]) -> None:
    """Write a report to ``path`` piece by piece, all or nothing: a failure leaves ``path`` as it was."""
    temp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        with temp.open("w", encoding="utf-8", newline="") as handle:
            handle.writelines(pieces)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise VariantsError(error(str(path), f"cannot write: {exc.strerror or exc}", "output")) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def apply(plan: Plan, progress: Progress | None = None) -> None:
    """Carry out ``plan``: all files or none. Refuses when hand edits are in the way.
    Each file staged is counted to ``progress``."""
    if plan.conflicts:
        raise VariantsError(plan.conflicts)
    writes = [c for c in plan.pending if c.new is not None]
    if plan.manifest_changed:
        writes.append(Change(MANIFEST, UPDATE, None, manifest_text(plan.manifest)))
    if not writes and not plan.pending:
        return
    staged: list[tuple[str, Path]] = []
    try:
        plan.out_dir.mkdir(parents=True, exist_ok=True)
        for change in counted(writes, WRITING, len(writes), progress):
            path = target(plan.out_dir, change.name)
            if "/" in change.name:
                path.parent.mkdir(parents=True, exist_ok=True)
            staged.append((_stage(path, (change.new or "").encode("utf-8", errors="surrogateescape")), path))
    except OSError as exc:
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
        where = exc.filename or str(plan.out_dir)
        message = f"cannot write: {exc.strerror or exc}; nothing was changed"
        raise VariantsError(error(Loc(str(where)), message, "output")) from None
    try:
        for temp, path in staged:
            os.replace(temp, path)
        for change in plan.pending:
            if change.action == REMOVE:
                target(plan.out_dir, change.name).unlink(missing_ok=True)
    except OSError as exc:  # pragma: no cover - a rename in one folder failing after the writes succeeded
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
        message = f"cannot finish writing: {exc.strerror or exc}"
        raise VariantsError(error(str(plan.out_dir), message, "output")) from None


__all__ = ["TEMP_SUFFIX", "apply", "write_file"]
