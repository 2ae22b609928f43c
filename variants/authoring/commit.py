"""Writing several files as one change: all of them, or none.

Each new text is first written to a temporary file beside its target; only
when every one is written are they renamed into place, with interrupts held
off meanwhile. A failure during the renames puts back the files already
replaced, so an interrupted run leaves every file as it was.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from ..problems import VariantsError, error

_SUFFIX = ".variants-tmp"
_HELD = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def _stage(path: Path, data: bytes) -> Path:
    temp = path.with_name(f".{path.name}.{os.getpid()}{_SUFFIX}")
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


def write_all(files: dict[Path, str]) -> None:
    """Give each path its new text, all or nothing (raises VariantsError when a file cannot be written)."""
    for path in files:
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise VariantsError(error(str(path), "refusing to write: not a regular file", "output"))
    before = {path: path.read_bytes() if path.exists() else None for path in files}
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in files.items():
            staged.append((_stage(path, text.encode("utf-8")), path))
    except OSError as exc:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise VariantsError(
            error(str(exc.filename or "."), f"cannot write: {exc.strerror}; nothing was changed", "output")
        ) from None
    held = _hold()
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
        _release(held)


def _put_back(files: dict[Path, bytes | None]) -> None:
    for path, data in files.items():
        if data is None:
            path.unlink(missing_ok=True)
        else:
            temp = _stage(path, data)
            os.replace(temp, path)


def _hold() -> set[int | signal.Signals] | None:
    """Hold off interrupts (they arrive once the renames are done); None where that cannot be done."""
    try:
        return signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    except (AttributeError, OSError, ValueError):  # pragma: no cover - platforms without signal masks
        return None


def _release(held: set[int | signal.Signals] | None) -> None:
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


__all__ = ["write_all"]
