"""The merged content of one page: sections and questions with their values and where each was written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..problems import Loc
from ..source import fields
from ..source.edits import Edit


class Output(NamedTuple):
    """One rendered page, not yet written."""

    name: str  # path relative to the output folder, '/'-separated
    text: str
    source: str  # the override file it comes from


@dataclass
class Entry:
    """A section or a question: its id, its values, where each was written."""

    kind: str  # "section" or "question"
    id: str
    values: dict[str, Any]
    locs: dict[str, Loc]
    loc: Loc  # where the entry is declared (in the base, or the override that added it)
    children: list[Entry] = field(default_factory=list)
    added_by: str | None = None  # the override or component file that added it, if any
    edits: dict[str, tuple[Edit, ...]] = field(default_factory=dict)  # key -> the partial edits that made its value
    moved_by: Loc | None = None  # where a layer moved it out of its section, if one did

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


@dataclass
class Page:
    """One program's content after merging: texts are still templates."""

    slug: str
    source: str  # the override file, or "base"
    output: str
    variables: dict[str, str]
    values: dict[str, Any]
    locs: dict[str, Loc]
    sections: list[Entry]
    program_locs: dict[str, Loc] = field(default_factory=dict)
    edits: dict[str, tuple[Edit, ...]] = field(default_factory=dict)  # page key -> the partial edits of its value
    layers: tuple[str, ...] = ()  # the files applied over the base, in order (components, parents, its own)

    def questions(self) -> list[Entry]:
        """Every question in body order."""
        return [q for s in self.sections for q in s.children]


def toc_placing(question: Entry) -> tuple[fields.Key, str] | None:
    """The table-of-contents move a question declares (the key and its target), if any."""
    for row in fields.toc_moves():
        target = question.values.get(row.name)
        if target is not None:
            return row, target
    return None


def toc_moves(section: Entry) -> tuple[list[Entry], list[Entry]]:
    """Table-of-contents order, and the moved questions that could not be placed (a cycle).

    A move is made once its target has its own place, so chains work in any
    order ('a' after 'b', 'b' before 'c'). Places are looked up by id, never by
    comparing entries, so a section of thousands of questions stays fast.
    """
    order: list[Entry] = []
    pending: list[tuple[Entry, fields.Key, str]] = []
    for question in section.children:
        move = toc_placing(question)
        if move is None:
            order.append(question)
        else:
            pending.append((question, *move))
    while pending:
        index = {q.id: n for n, q in enumerate(order)}
        waiting: list[tuple[Entry, fields.Key, str]] = []
        placed = False
        for question, row, target in pending:
            if target in index:
                order.insert(index[target] + row.offset, question)
                index = {q.id: n for n, q in enumerate(order)}
                placed = True
            else:
                waiting.append((question, row, target))
        if not placed:
            return order, [q for q, _, _ in waiting]
        pending = waiting
    return order, []


def toc_order(section: Entry) -> list[Entry]:
    """The section's questions in table-of-contents order: body order, with toc_before/toc_after moves."""
    order, stuck = toc_moves(section)
    return order + stuck


__all__ = ["Entry", "Output", "Page", "toc_moves", "toc_order", "toc_placing"]
