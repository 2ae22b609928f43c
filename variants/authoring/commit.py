"""Writing several files as one change: all of them, or none; and one such change at a time.

Each new text is first written to a temporary file beside its target; only
when every one is written are they renamed into place, with interrupts held
off meanwhile. A failure during the renames puts back the files already
replaced, so an interrupted run leaves every file as it was. A file that is
read-only, or not a regular file, is refused before anything is written.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..output.apply import TEMP_SUFFIX
from ..problems import VariantsError, error

_HELD = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


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


def _stage(path: Path, data: bytes) -> Path:
    temp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    temp.unlink(missing_ok=True)  # left by a run of ours that was killed: the name is ours
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
    finally:
        os.close(handle)
    if path.exists():  # keep the file's permissions, as an editor saving it would
        os.chmod(temp, path.stat().st_mode & 0o7777)
    return temp


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
    before = {path: path.read_bytes() if path.exists() else None for path in files}
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in files.items():
            staged.append((_stage(path, text.encode("utf-8")), path))
    except BaseException as exc:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        raise VariantsError(
            error(str(exc.filename or "."), f"cannot write: {exc.strerror}; nothing was changed", "output")
        ) from None
    held = _block_interrupts()
    done: list[Path] = []
    try:
        for temp, path in staged:
            os.replace(temp, path)
            done.append(path)
    except BaseException:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        _put_back({path: before[path] for path in done})
        raise
    finally:
        _unblock(held)


def _put_back(files: dict[Path, bytes | None]) -> None:
    for path, data in files.items():
        if data is None:
            path.unlink(missing_ok=True)
        else:
            temp = _stage(path, data)
            os.replace(temp, path)


def _block_interrupts() -> set[int | signal.Signals] | None:
    """Hold off interrupts (they arrive once the renames are done); None where that cannot be done."""
    try:
        return signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    except (AttributeError, OSError, ValueError):  # pragma: no cover - platforms without signal masks
        return None


def _unblock(held: set[int | signal.Signals] | None) -> None:
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


__all__ = ["hold", "write_all"]
