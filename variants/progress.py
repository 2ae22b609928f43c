"""How the core tells a caller how far long work has got: ``progress(what, done, total)``.

The core only counts; the command line decides whether and how to show it.
Work that is not given a callback counts nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

Progress = Callable[[str, int, int], None]  # (what is being done, how many done, out of how many)

BUILDING = "building"
CHECKING_SOURCES = "checking sources"
CHECKING_PAGES = "checking pages"
COMPARING = "comparing"
REPORTING = "reporting"
FINDING_VARIABLES = "finding variables"
ALIGNING = "aligning pages"
WRITING = "writing"


def counted(items: Iterable[T], what: str, total: int, progress: Progress | None) -> Iterator[T]:
    """``items`` as they come, each one counted as done once the caller asks for the next."""
    if progress is None:
        yield from items
        return
    done = 0
    progress(what, done, total)
    for item in items:
        yield item
        done += 1
        progress(what, done, total)


__all__ = [
    "ALIGNING",
    "BUILDING",
    "CHECKING_PAGES",
    "CHECKING_SOURCES",
    "COMPARING",
    "FINDING_VARIABLES",
    "REPORTING",
    "WRITING",
    "Progress",
    "counted",
]
