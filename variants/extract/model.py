"""Pages as the factoring sees them: page-level values, and sections of entries with concrete values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Unfit(NamedTuple):
    """Why a page, or a region of one, does not fit a shape: the line where it stops fitting, and why."""

    line: int
    reason: str


@dataclass
class Item:
    """A section or a question as one page has it: its id and concrete values."""

    id: str
    values: dict[str, Any]
    children: list[Item] = field(default_factory=list)
    toc: list[str] | None = None  # a section's table-of-contents order of question ids (None: body order)
    lines: tuple[int, int] = (0, 0)  # the first and last line of the page it stands on
    where: dict[str, int] = field(default_factory=dict)  # key -> the line its value starts on
    unfit: Unfit | None = None  # set where the entry is kept as the page has it, and why


@dataclass
class PageModel:
    """One page as the merger sees it: page-level values (front_matter is a dict) and sections.

    ``whole`` marks a page that does not fit the family's shape at all: its text is one
    value, and ``unfit`` says why.
    """

    values: dict[str, Any]
    sections: list[Item]
    where: dict[str, int] = field(default_factory=dict)  # page key (or 'key.fm_key') -> line
    whole: bool = False
    unfit: Unfit | None = None
    alternatives: list[dict[str, Any]] = field(default_factory=list)  # other page values that write the same page


class Lines:
    """Line numbers (1-based) of offsets in one text."""

    def __init__(self, text: str) -> None:
        import re

        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> int:
        from bisect import bisect_right

        return bisect_right(self.starts, offset)


def named(text: str, values: list[tuple[str, str]]) -> str:
    """``text`` with variable values replaced by the variables' names (for ids)."""
    from .templating import Ref, templatize

    return "".join(p.name if isinstance(p, Ref) else p for p in templatize(text, values))


def slug(text: str, values: list[tuple[str, str]], fallback: str) -> str:
    """An id from the first words of ``text`` (a variable's value stands as its name)."""
    import re

    words = re.findall(r"[a-z0-9]+", named(text, values).lower())
    return "-".join(words[:6]) or fallback


def unique(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``...: the first not in ``taken`` (which it joins)."""
    made, n = wanted, 1
    while made in taken:
        n += 1
        made = f"{wanted}-{n}"
    taken.add(made)
    return made


__all__ = ["Item", "Lines", "PageModel", "Unfit", "named", "slug", "unique"]
