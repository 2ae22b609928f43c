"""Reading files: regular files only, bounded in size, UTF-8 with the first bad byte named.

Every command reads its inputs (sources, pages, the manifest) through here, so
a FIFO or a device never blocks a run and a huge file never fills memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..problems import Loc, VariantsError, error

MAX_FILE_BYTES = 1024 * 1024


def read_bytes(
    path: Path,
    display: str | None = None,
    *,
    missing_ok: bool = False,
    rule: str = "syntax",
    what: str = "file",
    limit: int = MAX_FILE_BYTES,
) -> bytes | None:
    """The bytes of a regular file; None if it is missing and ``missing_ok``.

    Anything else that stands at ``path`` (a folder, a FIFO, a device) is an
    error, found without blocking: the file is opened non-blocking and checked
    before a byte is read.
    """
    name = display or str(path)
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except (FileNotFoundError, NotADirectoryError):  # not there, or a file where a folder would be
        if missing_ok:
            return None
        raise VariantsError(error(name, "no such file", rule)) from None
    except IsADirectoryError:
        raise VariantsError(error(name, f"is a folder, expected a {what}", rule)) from None
    except OSError as exc:
        raise VariantsError(error(name, f"cannot read: {exc.strerror or exc}", rule)) from None
    try:
        mode = os.fstat(handle).st_mode
        if stat.S_ISDIR(mode):
            raise VariantsError(error(name, f"is a folder, expected a {what}", rule))
        if not stat.S_ISREG(mode):
            raise VariantsError(error(name, f"is not a regular file, expected a {what}", rule))
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(handle, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise VariantsError(error(name, f"cannot read: {exc.strerror or exc}", rule)) from None
    finally:
        os.close(handle)
    if size > limit:
        raise VariantsError(error(name, f"{what} is larger than the limit of {limit} bytes", rule))
    return b"".join(chunks)


def decode(raw: bytes, name: str, advice: str = "") -> str:
    """``raw`` as UTF-8; invalid bytes are an error at their line and column."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"invalid UTF-8 at byte offset {exc.start} (0x{raw[exc.start]:02x}){advice}"
        raise VariantsError(error(Loc(name, line, col), message, "encoding")) from None


def read_text(path: Path, display: str | None = None) -> str:
    """A UTF-8 source file's text, without a byte order mark."""
    name = display or str(path)
    raw = read_bytes(path, name)
    assert raw is not None
    return decode(raw, name).removeprefix("\ufeff")


__all__ = ["MAX_FILE_BYTES", "decode", "read_bytes", "read_text"]
