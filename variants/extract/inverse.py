"""Templates read backwards: the values a flat piece of a page template (or a layout) was rendered from.

A piece is literal text, ``{{ name }}`` or ``{{ q.name }}`` (a text), ``{{ "\\n" * name }}``
(a number of line breaks) and ``{% if name %}...{% endif %}`` (a part written only
when ``name`` is set). Its pattern matches the text such a piece writes and gives
back every value, so a shape's templates are also its parser: the key names
come from the templates, never from code. Any match renders back to the same
text; where several would, the one with the shortest texts is taken, and a
text just before a run of line breaks keeps one of them (an answer ends with
its line break, as people write it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from jinja2 import nodes

TEXT, COUNT = "text", "count"


class Unsupported(Exception):
    """The template uses more than a flat piece may (a loop, a filter, an expression)."""


@dataclass(frozen=True)
class Slot:
    """One value a piece writes: its key, and whether it is a text or a number of line breaks."""

    name: str
    kind: str


def slot_name(node: nodes.Node) -> str | None:
    """``name`` for ``{{ name }}`` or ``{{ q.name }}``; None for anything else."""
    if isinstance(node, nodes.Name):
        return str(node.name)
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
        return str(node.attr)
    return None


def count_name(node: nodes.Node) -> str | None:
    """``name`` for ``{{ "\\n" * name }}``; None for anything else."""
    if isinstance(node, nodes.Mul) and isinstance(node.left, nodes.Const) and node.left.value == "\n":
        return slot_name(node.right)
    return None


@dataclass
class Pattern:
    """The regular expression of a piece and the slots of its groups."""

    regex: re.Pattern[str]
    slots: dict[str, Slot]  # group -> slot
    order: list[str]  # groups in the order the piece writes them
    optional: dict[str, str] = field(default_factory=dict)  # group of an optional part -> the key it tests
    parts: list[tuple[str, str]] = field(default_factory=list)  # top-level (regex, literal text or '') in order
    _variants: dict[frozenset[str], re.Pattern[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, pieces: Sequence[nodes.Node], skip: tuple[type[nodes.Node], ...] = ()) -> Pattern:
        builder = _Builder(skip)
        parts = builder.build(pieces)
        source = "".join(regex for regex, _ in parts)
        return cls(re.compile(source, re.DOTALL), builder.slots, builder.order, builder.optional, parts)

    @property
    def tail(self) -> str:
        """The literal text the piece ends with ('' when it ends with a value)."""
        return self.parts[-1][1] if self.parts else ""

    def stops_at(self, text: str, pos: int = 0) -> tuple[int, str]:
        """Where the piece stops matching ``text``, and the literal text it expects there."""
        done, end = 0, pos
        for n in range(1, len(self.parts) + 1):
            found = re.compile("".join(r for r, _ in self.parts[:n]), re.DOTALL).match(text, pos)
            if found is None:
                break
            done, end = n, found.end()
        following = self.parts[done][1] if done < len(self.parts) else ""
        if following:  # the page has the start of the literal text: point where it parts from it
            same = 0
            while same < len(following) and text[end + same : end + same + 1] == following[same]:
                same += 1
            return end + same, following[same:]
        return end, next((literal for _, literal in self.parts[done:] if literal), "")

    def names(self) -> list[str]:
        """The keys the piece writes, in order."""
        return [self.slots[g].name for g in self.order]

    def match(
        self, text: str, pos: int = 0, end: int | None = None, starts: dict[str, int] | None = None
    ) -> tuple[dict[str, Any], int] | None:
        """The values at ``text[pos:]`` (the whole of ``text[pos:end]`` when ``end`` is given), and where they
        end; ``starts``, when given, gets where each value starts in ``text``. An optional part whose key
        would be empty is no such part (a template would not write it): then the text is read without it."""
        regex, dropped = self.regex, frozenset[str]()
        while True:
            found = regex.fullmatch(text, pos, end) if end is not None else regex.match(text, pos)
            if found is None:
                return None
            wrong = [g for g in self.optional if found.groupdict().get(g) is not None and not _set(found, g, self)]
            if not wrong:
                break
            dropped |= set(wrong)
            regex = self._without(dropped)
        values: dict[str, Any] = {}
        groups = self.order
        present = found.groupdict()
        for n, group in enumerate(groups):
            value = present.get(group)
            slot = self.slots[group]
            if value is None:  # in an optional part that is not there: the template's falsy value
                values.setdefault(slot.name, 0 if slot.kind == COUNT else "")
                continue
            if starts is not None:
                starts[slot.name] = found.start(group)
            values[slot.name] = len(value) if slot.kind == COUNT else value
            if slot.kind == COUNT and n and self.slots[groups[n - 1]].kind == TEXT:
                before = self.slots[groups[n - 1]].name
                adjacent = present.get(groups[n - 1]) is not None and found.end(groups[n - 1]) == found.start(group)
                if adjacent and values[before] and value and not values[before].endswith("\n"):
                    values[before] += "\n"  # the line break ends the text
                    values[slot.name] -= 1
        return values, found.end()

    def _without(self, dropped: frozenset[str]) -> re.Pattern[str]:
        """The pattern with the optional parts ``dropped`` left out."""
        if dropped not in self._variants:
            source = "".join("" if any(f"(?P<{g}>" in r for g in dropped) else r for r, _ in self.parts)
            self._variants[dropped] = re.compile(source, re.DOTALL)
        return self._variants[dropped]


def _set(found: re.Match[str], group: str, pattern: Pattern) -> bool:
    """Whether the key an optional part tests holds something in this match (text, or a number)."""
    tested = pattern.optional[group]
    present = found.groupdict()
    return any(slot.name == tested and present.get(name) for name, slot in pattern.slots.items())


class _Builder:
    def __init__(self, skip: tuple[type[nodes.Node], ...]) -> None:
        self.slots: dict[str, Slot] = {}
        self.order: list[str] = []
        self.optional: dict[str, str] = {}
        self.skip = skip

    def group(self, name: str, kind: str) -> str:
        group = f"g{len(self.order)}"
        self.slots[group] = Slot(name, kind)
        self.order.append(group)
        return group

    def build(self, pieces: Sequence[nodes.Node]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for piece in pieces:
            if isinstance(piece, self.skip):
                continue
            if isinstance(piece, nodes.Output):
                out.extend(self.output(n) for n in piece.nodes if not isinstance(n, self.skip))
            elif isinstance(piece, nodes.If) and not piece.elif_ and not piece.else_:
                tested = slot_name(piece.test) or ""
                inner = "".join(regex for regex, _ in self.build(piece.body))
                marker = f"o{len(self.optional)}"
                if tested:
                    self.optional[marker] = tested
                out.append((f"(?P<{marker}>{inner})?" if tested else f"(?:{inner})?", ""))
            else:
                raise Unsupported(type(piece).__name__)
        return out

    def output(self, node: nodes.Node) -> tuple[str, str]:
        if isinstance(node, nodes.TemplateData):
            return re.escape(node.data), node.data
        name = count_name(node)
        if name is not None:
            return f"(?P<{self.group(name, COUNT)}>\n*)", ""
        name = slot_name(node)
        if name is not None:
            return f"(?P<{self.group(name, TEXT)}>.*?)", ""
        raise Unsupported(type(node).__name__)


def walk(body: Sequence[nodes.Node]) -> Iterator[nodes.Node]:
    """The top-level pieces of a template, with an ``{% if %}`` around the whole frame opened up."""
    for node in body:
        if (
            isinstance(node, nodes.If)
            and not node.elif_
            and not node.else_
            and any(isinstance(n, nodes.For) for n in node.body)
        ):
            yield from walk(node.body)
        else:
            yield node


__all__ = ["COUNT", "TEXT", "Pattern", "Slot", "Unsupported", "count_name", "slot_name", "walk"]
