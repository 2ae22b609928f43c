"""Where each piece of a template's output is written in the template file.

Jinja compiles a template to a Python generator that yields its output piece
by piece: a ``yield '...'`` for literal text, a ``yield str(...)`` for an
expression. Running that generator by hand and asking, after each piece, which
line of the generated code yielded it tells exactly which piece of the template
made which output: the literal's place in the template file, or the line of the
expression. The same map says which lines could write output at all, for
coverage.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from jinja2 import Environment, Template

_LITERAL = ("yield '", 'yield "')


class Place(NamedTuple):
    """Where one ``yield`` of the generated code stands in the template: the line of its first
    character, and for a literal its offset in the template's source (-1 for an expression)."""

    line: int
    offset: int


class Piece(NamedTuple):
    """One piece of output and where it was written: its template line, and for literal text its
    offset in the template's source (-1 for an expression's output)."""

    text: str
    line: int
    offset: int = -1


@dataclass
class TemplateMap:
    """One compiled template with its source and the map from generated code back to source lines."""

    file: str  # as the project names it: base/page.md.j2
    source: str
    template: Template
    code: list[str]
    _places: dict[int, Place] = field(default_factory=dict)
    _literals: dict[tuple[int, str], list[Piece]] = field(default_factory=dict)  # (code line, chunk) -> its pieces

    @classmethod
    def of(cls, env: Environment, name: str, file: str, source: str) -> TemplateMap:
        template = env.get_template(name)
        code = str(env.compile(source, name, file, raw=True)).splitlines()
        return cls(file, source, template, code)

    @cached_property
    def line_starts(self) -> list[int]:
        starts = [0]
        starts += [n + 1 for n, char in enumerate(self.source) if char == "\n"]
        return starts

    def line_of(self, offset: int) -> int:
        """The 1-based line of a character offset of the source."""
        return bisect.bisect_right(self.line_starts, offset)

    def place(self, code_line: int) -> Place:
        """Where the ``yield`` at ``code_line`` of the generated code stands in the template."""
        known = self._places.get(code_line)
        if known is not None:
            return known
        lower = self.template.get_corresponding_lineno(code_line)  # the last node before: a lower bound
        statement = self.code[code_line - 1].strip()
        place = Place(lower, -1)
        if statement.startswith(_LITERAL):
            literal = ast.literal_eval(statement.removeprefix("yield "))
            start = self.line_starts[min(lower, len(self.line_starts)) - 1]
            offset = self.source.find(literal, start) if literal else -1
            if offset >= 0:  # not found: folded from an expression such as {{ "x" }}
                stripped = len(literal) - len(literal.lstrip())
                place = Place(self.line_of(offset + min(stripped, len(literal) - 1)), offset)
        self._places[code_line] = place
        return place

    def output_lines(self) -> dict[int, int]:
        """Each ``yield`` of the generated code, by code line, and the template line it writes."""
        return {n: self.place(n).line for n, text in enumerate(self.code, 1) if text.strip().startswith("yield ")}

    def pieces(self, context: dict[str, Any], ran: set[int] | None = None) -> Iterator[Piece]:
        """The template's output for ``context``, piece by piece, each with its template line;
        a literal spanning lines comes in one piece per line. ``ran`` collects the code lines run."""
        generator: Any = self.template.root_render_func(self.template.new_context(context))
        frame = generator.gi_frame
        for chunk in generator:
            code_line = frame.f_lineno
            if ran is not None:
                ran.add(code_line)
            known = self._literals.get((code_line, chunk))
            if known is not None:  # a literal: the same pieces every time
                yield from known
                continue
            place = self.place(code_line)
            if place.offset < 0:
                yield Piece(chunk, place.line)
                continue
            parts, start = [], 0
            for part in chunk.splitlines(keepends=True) if "\n" in chunk[:-1] else [chunk]:
                parts.append(Piece(part, self.line_of(place.offset + start), place.offset + start))
                start += len(part)
            self._literals[(code_line, chunk)] = parts
            yield from parts


__all__ = ["Piece", "Place", "TemplateMap"]
