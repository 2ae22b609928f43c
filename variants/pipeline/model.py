"""The merged content of one page: sections and questions with their values and where each was written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..problems import Loc
from ..source import fields
from ..source.edits import Edit


class Output:
    """One rendered page, not yet written. A page the output folder is known to hold already may
    come with its digest and without its text, which ``load`` then gives when it is asked for."""

    __slots__ = ("_digest", "_load", "_text", "name", "source")

    def __init__(
        self, name: str, text: str | None, source: str, digest: str | None = None, load: Callable[[], str] | None = None
    ) -> None:
        if text is None and load is None:
            raise ValueError("an output needs its text or a way to load it")
        self.name = name  # path relative to the output folder, '/'-separated
        self.source = source  # the override file it comes from
        self._text, self._digest, self._load = text, digest, load

    @property
    def text(self) -> str:
        if self._text is None:
            assert self._load is not None
            self._text = self._load()
        return self._text

    @property
    def digest(self) -> str | None:
        """The text's digest as the manifest keeps it, when it came with the output."""
        return self._digest

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Output):
            return NotImplemented
        return (self.name, self.source, self.text) == (other.name, other.source, other.text)

    def __hash__(self) -> int:
        return hash((self.name, self.source))

    def __repr__(self) -> str:
        return f"Output({self.name!r}, source={self.source!r})"


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
    removed: dict[str, Loc] = field(default_factory=dict)  # id -> where a layer removed that entry

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
    order ('a' after 'b', 'b' before 'c'): moves are made in rounds over the
    moved questions in body order, each placed next to its target as soon as
    the target is placed. The order that gives is worked out without moving
    anything: a question placed later stands nearer its target, so a
    target's questions 'before' follow in the order they were placed and its
    questions 'after' in the reverse order. Time is linear in the section's size.
    """
    children = section.children
    if not any(toc_placing(q) for q in children):
        return list(children), []
    moves: dict[int, tuple[int, int]] = {}  # position -> (position of its target, offset)
    where = {q.id: n for n, q in enumerate(children)}
    stuck: set[int] = set()
    for n, question in enumerate(children):
        move = toc_placing(question)
        if move is not None:
            row, target = move
            found = where.get(target)
            if found is None:
                stuck.add(n)
            else:
                moves[n] = (found, row.offset)
    placed_in = _rounds(moves, stuck)
    before: dict[int, list[int]] = {}
    after: dict[int, list[int]] = {}
    for n in sorted(placed_in, key=lambda n: (placed_in[n], n)):  # the order they are placed in
        at, offset = moves[n]
        (after if offset else before).setdefault(at, []).append(n)
    order: list[Entry] = []
    for root in range(len(children)):
        if root not in moves and root not in stuck:
            _expand(root, before, after, children, order)
    return order, [q for n, q in enumerate(children) if (n in moves and n not in placed_in) or n in stuck]


def _rounds(moves: dict[int, tuple[int, int]], stuck: set[int]) -> dict[int, int]:
    """The round each move is made in (questions that stay in place are there before round 1).

    In one round the moved questions are taken in body order, so a question
    whose target is placed earlier in the same round is placed in that round;
    one whose target comes later in it waits for the next.
    """
    rounds: dict[int, int] = {}
    for start in moves:
        path: list[int] = []
        on_path: set[int] = set()
        n = start
        while n in moves and n not in rounds and n not in stuck and n not in on_path:
            path.append(n)
            on_path.add(n)
            n = moves[n][0]
        if n in stuck or n in on_path:  # a circle, or a chain that ends in one
            stuck.update(path)
            continue
        known = rounds.get(n, 0)  # 0: a question that stays in place
        for m in reversed(path):
            target = moves[m][0]
            known = known + (0 if target in moves and target < m else 1)
            rounds[m] = known
    return rounds


def _expand(
    root: int, before: dict[int, list[int]], after: dict[int, list[int]], children: list[Entry], out: list[Entry]
) -> None:
    """``root`` with the questions placed next to it, and theirs, in order (no recursion: chains may be long)."""
    stack: list[tuple[int, bool]] = [(root, False)]
    while stack:
        n, ready = stack.pop()
        if ready:
            out.append(children[n])
            continue
        # pushed in reverse: its questions 'before' in placing order, itself, its 'after' ones latest first
        stack.extend((m, False) for m in after.get(n, ()))
        stack.append((n, True))
        stack.extend((m, False) for m in reversed(before.get(n, ())))


def toc_order(section: Entry) -> list[Entry]:
    """The section's questions in table-of-contents order: body order, with toc_before/toc_after moves."""
    order, stuck = toc_moves(section)
    return order + stuck


__all__ = ["Entry", "Output", "Page", "toc_moves", "toc_order", "toc_placing"]
