"""Safe paths: how every file variants writes is written.

Nothing is written outside the folder it was asked to write, or through a link
in the output folder. A new file is staged under a name no other process can
hold (a random token, created exclusively) and renamed into place. A report is
never written over a page of the output folder or a source file, and a special
file (a FIFO, a terminal, /dev/stdout) is written to as a stream, never
replaced. One run at a time writes an output folder (a lock on the folder), and
SIGTERM or SIGHUP while files are written unwinds like Ctrl-C, so no
temporary file is left behind.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import signal
import stat
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from ..problems import Loc, VariantsError, error

TEMP_SUFFIX = ".variants-tmp"
LOCK_WAIT = 30.0  # seconds a run waits for another one writing the same output folder
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_STOPS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
_STREAMS = re.compile(r"/dev/std(in|out|err)|/dev/fd/(\d+)|/proc/self/fd/(\d+)")
_SPECIAL_TREES = ("/proc", "/sys")


class Interrupted(KeyboardInterrupt):
    """A signal that stops a run while it writes (SIGTERM, SIGHUP), unwound like Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def is_temp(name: str) -> bool:
    """Whether a file name is one of the temporary names variants stages files under."""
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def temp_path(path: Path) -> Path:
    """A new temporary name beside ``path``: random, so no other run (in any PID namespace) holds it."""
    return path.parent / f".{path.name[:40]}.{secrets.token_hex(8)}{TEMP_SUFFIX}"


def create(path: Path, chunks: Iterable[bytes], mode: int | None = None) -> None:
    """Write a new file at ``path``, which must not exist (not even as a link); removed again if
    anything fails or interrupts the writing. Its mode follows the umask unless ``mode`` is given."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o666)
    try:
        if mode is not None:
            os.fchmod(handle, mode)
        _write_all(handle, chunks)
    except BaseException:
        os.close(handle)
        os.unlink(path)
        raise
    os.close(handle)


def _write_all(handle: int, chunks: Iterable[bytes]) -> None:
    for chunk in chunks:
        view = memoryview(chunk)
        while view:
            view = view[os.write(handle, view) :]


def stage(path: Path, chunks: Iterable[bytes], temp: Path) -> None:
    """Stage the new content of ``path`` at ``temp`` (a ``temp_path`` of it, which the caller removes
    should anything stop the run, so it is named before it exists); a file it replaces keeps its
    permissions."""
    try:
        mode: int | None = stat.S_IMODE(os.stat(path, follow_symlinks=False).st_mode)
    except OSError:
        mode = None
    create(temp, chunks, mode)


def publish(path: Path, chunks: Iterable[bytes]) -> None:
    """Write a new file whole at ``path``, never over anything already there (a link included):
    staged, then linked into place, so no one ever sees half of it."""
    temp = temp_path(path)
    try:
        stage(path, chunks, temp)
        try:
            os.link(temp, path, follow_symlinks=False)
        except FileExistsError:
            raise
        except OSError as exc:  # a file system without hard links: create it in place instead
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV):
                raise
            create(path, [temp.read_bytes()])
    finally:
        temp.unlink(missing_ok=True)


def replace_all(files: dict[Path, bytes]) -> None:
    """Give each path its new bytes, all or nothing: every file is staged under a name no other
    process holds, then all are renamed into place with signals held back; a failure on the way
    puts back the files already replaced. Links and special files are refused, never written through."""
    for path in files:
        if path.is_symlink() or (os.path.lexists(path) and not path.is_file()):
            raise VariantsError(error(str(path), "refusing to write: not a regular file", "output"))
    temps = {path: temp_path(path) for path in files}
    before: dict[Path, bytes | None] = {}
    done: list[Path] = []
    try:
        with interruptible():
            for path, data in files.items():
                before[path] = path.read_bytes() if path.exists() else None
                stage(path, [data], temps[path])
            with uninterrupted():
                for path in files:
                    os.replace(temps[path], path)
                    done.append(path)
    except BaseException as exc:
        with uninterrupted():
            for temp in temps.values():
                temp.unlink(missing_ok=True)
            for path in reversed(done):
                old = before[path]
                if old is None:
                    path.unlink(missing_ok=True)
                else:
                    _put_back(path, old)
        if isinstance(exc, OSError):
            named = {str(temp): path for path, temp in temps.items()}.get(str(exc.filename), exc.filename)
            message = f"cannot write: {exc.strerror or exc}; nothing was changed"
            raise VariantsError(error(str(named or next(iter(files))), message, "output")) from None
        raise


def _put_back(path: Path, data: bytes) -> None:
    temp = temp_path(path)
    try:
        stage(path, [data], temp)
        os.replace(temp, path)
    except OSError:  # what cannot be put back is left as the new file
        temp.unlink(missing_ok=True)


def target(out_dir: Path, name: str) -> Path:
    """The file for ``name``, refusing any path that leaves ``out_dir`` through links."""
    path = out_dir / name
    escapes = False
    if "/" in name:  # only a subfolder can lead out of the output folder
        root = out_dir.resolve()
        parent = path.parent.resolve()
        escapes = parent != root and root not in parent.parents
    if escapes or path.is_symlink():
        raise VariantsError(error(f"{out_dir}/{name}", "refusing to write through a symbolic link", "output"))
    return path


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def interruptible() -> Iterator[None]:
    """While files are written, SIGTERM and SIGHUP raise ``Interrupted`` (as SIGINT raises
    KeyboardInterrupt), so what was staged is removed before the run ends."""
    if not _main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise Interrupted(signum)

    previous = {signum: signal.signal(signum, stop) for signum in _STOPS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back while staged files are renamed into place, so a run is
    never stopped halfway through (they take effect just after)."""
    if not hasattr(signal, "pthread_sigmask") or not _main_thread():
        yield
        return
    held = {signal.SIGINT, *_STOPS}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def locked(folder: Path, write: bool = True) -> Iterator[None]:
    """Hold the output folder's lock: one run writes it at a time, and a run that only reads it
    waits for one that writes. A folder made for writing is removed again if the run fails."""
    made: list[Path] = []
    if write:
        made = _make_folders(folder)
    try:
        with _flock(folder, write):
            yield
    except BaseException:
        for path in reversed(made):
            try:
                path.rmdir()
            except OSError:
                break
        raise


def _make_folders(folder: Path) -> list[Path]:
    missing = [p for p in [folder, *folder.parents] if not p.exists()][::-1]
    try:
        for path in missing:
            path.mkdir()
    except FileExistsError:
        pass
    except OSError as exc:
        message = f"cannot write: {exc.strerror or exc}; nothing was changed"
        raise VariantsError(error(Loc(str(exc.filename or folder)), message, "output")) from None
    return missing


@contextmanager
def _flock(folder: Path, write: bool) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # no advisory locks here (Windows): runs are not kept apart
        yield
        return
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC)
    except FileNotFoundError:  # nothing to read yet
        yield
        return
    except OSError as exc:
        raise VariantsError(error(str(folder), f"cannot read: {exc.strerror or exc}", "output")) from None
    try:
        give_up = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(handle, (fcntl.LOCK_EX if write else fcntl.LOCK_SH) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > give_up:
                    message = (
                        f"another run of variants has been writing here for {LOCK_WAIT:g} seconds; try again later"
                    )
                    raise VariantsError(error(str(folder), message, "output")) from None
                time.sleep(0.05)
            except OSError:  # a file system without locks: go on without
                break
        yield
    finally:
        os.close(handle)


class Guard(NamedTuple):
    """What a report or schema must never be written over: the output folder's files and the sources."""

    root: Path  # the project
    out_dir: Path

    def check(self, path: Path) -> None:
        """Raise when ``path`` is in the output folder or is one of the project's source files."""
        real = Path(os.path.realpath(path))
        out = Path(os.path.realpath(self.out_dir))
        if real == out or out in real.parents:
            raise VariantsError(
                error(str(path), f"is in the output folder {self.out_dir}; write it elsewhere", "output")
            )
        for folder, suffixes in (("base", (".yml", ".yaml", ".j2")), ("overrides", (".yml", ".yaml"))):
            sources = Path(os.path.realpath(self.root / folder))
            if sources in real.parents and real.name.endswith(suffixes):
                raise VariantsError(error(str(path), f"is a source file of the project in {folder}/", "output"))


def write_file(path: Path, pieces: Iterable[str], guard: Guard | None = None) -> None:
    """Write a report to ``path``, all or nothing: a failure leaves ``path`` as it was. A FIFO or a
    device is written to as a stream; the pages of the output folder and the sources are refused."""
    if guard is not None:
        guard.check(path)
    chunks = (piece.encode("utf-8", errors="surrogateescape") for piece in pieces)
    try:
        with interruptible():
            _write_report(path, chunks)
    except OSError as exc:
        raise VariantsError(error(str(path), f"cannot write: {exc.strerror or exc}", "output")) from None


def _write_report(path: Path, chunks: Iterator[bytes]) -> None:
    stream = _STREAMS.fullmatch(os.path.normpath(os.path.abspath(path)))
    if stream is not None:  # the run's own stdout or another open descriptor: written as it is
        std, fd, proc_fd = stream.groups()
        number = {"in": 0, "out": 1, "err": 2}[std] if std else int(fd or proc_fd)
        handle = os.dup(number)
        try:
            _write_all(handle, chunks)
        finally:
            os.close(handle)
        return
    real = Path(os.path.realpath(path))
    if any(str(real) == tree or str(real).startswith(tree + "/") for tree in _SPECIAL_TREES):
        raise VariantsError(error(str(path), "is in a system folder of the kernel; not written", "output"))
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        if os.path.lexists(path) and not os.path.exists(path):
            raise VariantsError(error(str(path), "is a symbolic link to nothing; not written", "output")) from None
        mode = stat.S_IFREG
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        _write_stream(path, chunks)
    elif not stat.S_ISREG(mode):
        raise VariantsError(error(str(path), "is not a regular file, a FIFO or a terminal; not written", "output"))
    else:  # a new or regular file, or a link to one: the file is replaced whole, the link kept
        temp = temp_path(real)
        try:
            stage(real, chunks, temp)
            os.replace(temp, real)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise


def _write_stream(path: Path, chunks: Iterator[bytes]) -> None:
    try:  # non-blocking: a FIFO nobody reads is an error, not a hang
        handle = os.open(path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | _CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise VariantsError(
                error(str(path), "is a FIFO that no process is reading; not written", "output")
            ) from None
        raise
    try:
        os.set_blocking(handle, True)
        _write_all(handle, chunks)
    finally:
        os.close(handle)


__all__ = [
    "LOCK_WAIT",
    "TEMP_SUFFIX",
    "Guard",
    "Interrupted",
    "create",
    "interruptible",
    "is_temp",
    "locked",
    "publish",
    "replace_all",
    "stage",
    "target",
    "temp_path",
    "uninterrupted",
    "write_file",
]
