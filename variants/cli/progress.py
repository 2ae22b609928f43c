"""The progress line: how far long work has got, on stderr, for a person watching a terminal.

It appears only when stderr is a terminal, the command was not given --quiet,
and the work has already taken about a second (quick commands never flicker);
it is redrawn at most ten times a second and wiped when the work ends, so
nothing of it stays in the terminal or reaches a file or a pipe.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import click

DELAY = 1.0  # seconds of work before the line appears
INTERVAL = 0.1  # seconds between redraws
_CLEAR = "\r\x1b[K"


class ProgressLine:
    """A ``Progress`` that draws one line, ``what  done/total [####    ]  42%``, over itself."""

    def __init__(self, stream: TextIO, delay: float = DELAY, interval: float = INTERVAL) -> None:
        self._stream = stream
        self._interval = interval
        self._due = time.monotonic() + delay
        self._shown = False
        self.stopped = False

    def __call__(self, what: str, done: int, total: int) -> None:
        if self.stopped:
            return
        now = time.monotonic()
        if now < self._due:
            return
        self._due = now + self._interval
        self._stream.write(_CLEAR + self.line(what, done, total, _columns(self._stream)))
        self._stream.flush()
        self._shown = True

    @staticmethod
    def line(what: str, done: int, total: int, columns: int) -> str:
        """The line for ``columns`` columns, never wider than the terminal (a wrapped line cannot be redrawn)."""
        share = done / total if total else 1.0
        text = f"{what}  {done}/{total}"
        room = columns - len(text) - 9
        bar = f" [{'#' * round(share * min(room, 30)):<{min(room, 30)}}]" if room >= 10 else ""
        return f"{text}{bar} {share:4.0%}"[: max(columns - 1, 0)]

    def stop(self) -> None:
        """Wipe the line and draw no more (output for the terminal follows)."""
        if self._shown:
            self._stream.write(_CLEAR)
            self._stream.flush()
            self._shown = False
        self.stopped = True


def _columns(stream: TextIO) -> int:
    """The width of the terminal ``stream`` writes to (stdout may be a pipe while stderr is the terminal)."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        columns = 0
    if columns:
        return columns
    import shutil  # only here: it imports the compression modules

    return shutil.get_terminal_size().columns  # a terminal that does not say: COLUMNS, or 80


def wanted(stream: Any, quiet: bool) -> bool:
    """A progress line only for a person at a terminal: not with --quiet, a pipe, a file or TERM=dumb."""
    isatty = getattr(stream, "isatty", None)
    return not quiet and bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


@contextmanager
def progress_line(quiet: bool) -> Iterator[ProgressLine | None]:
    """The progress line for this command, or None where none is wanted; wiped however the work ends."""
    if not wanted(sys.stderr, quiet):
        yield None
        return
    line = ProgressLine(sys.stderr)
    try:
        yield line
    finally:
        line.stop()


def quiet_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """The -q/--quiet option of the commands that may run long."""
    return click.option(
        "-q", "--quiet", is_flag=True, help="No progress line and no status messages; problems are still shown."
    )(func)


__all__ = ["DELAY", "INTERVAL", "ProgressLine", "progress_line", "quiet_option", "wanted"]
