"""Writing several files as one change: all of them, or none; and one such change at a time.

The writing is the safe-path module's (``variants.output.paths.replace_all``):
each text is staged under a name no other process holds, then every file is
renamed into place with signals held back, and a failure puts back what was
already replaced, so an interrupted run leaves every file as it was. A file
that is read-only, or not a regular file, is refused before anything is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..output.paths import replace_all
from ..problems import VariantsError, error


@contextmanager
def hold(folder: Path) -> Iterator[None]:
    """Hold ``folder`` for this process alone while the block runs: another process holding it
    makes this one fail at once rather than wait (where the platform has no such locks, nothing)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - platforms without fcntl
        yield
        return
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise VariantsError(error(str(folder), f"cannot read: {exc.strerror or exc}", "adopt")) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = "another run is changing this project's sources; nothing was changed, try again once it is done"
            raise VariantsError(error(str(folder), message, "adopt")) from None
        yield
    finally:
        os.close(handle)  # closing the last descriptor releases the lock


def _refusal(path: Path) -> str | None:
    """Why ``path`` is not written, if it is not."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        return "refusing to write: not a regular file"
    if path.exists() and not path.stat().st_mode & 0o222:
        return "is read-only; nothing was changed"
    return None


def write_all(files: dict[Path, str]) -> None:
    """Give each path its new text, all or nothing (raises VariantsError when a file cannot be written)."""
    refused = [error(str(path), why, "output") for path in files if (why := _refusal(path))]
    if refused:
        raise VariantsError(refused)
    replace_all({path: text.encode("utf-8") for path, text in files.items()})


__all__ = ["hold", "write_all"]
