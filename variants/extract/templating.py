"""Templating: a page's concrete text as a template over program variables, and back.

A template is a tuple of parts, each literal text or a ``Ref`` to a variable.
``render`` joins the parts with one page's values; ``to_source`` writes the
Jinja text the renderer turns back into the same characters, escaping literal
``{{``, ``{%`` and ``{#`` so they stay text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SYNTAX = re.compile(r"\{[{%#]")
_ESCAPED_BRACE = '{{ "{" }}'


@dataclass(frozen=True)
class Ref:
    """The place of a variable in a template."""

    name: str


Part = str | Ref
Template = tuple[Part, ...]


def render(template: Template, values: dict[str, str]) -> str:
    """The text ``template`` stands for on a page with these variable values."""
    return "".join(part if isinstance(part, str) else values[part.name] for part in template)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _places(text: str, value: str) -> list[tuple[int, int]]:
    """Where ``value`` stands in ``text`` as a word of its own (a plural 's' may follow a long value)."""
    found: list[tuple[int, int]] = []
    start = text.find(value)
    while start >= 0:
        end = start + len(value)
        clear_before = start == 0 or not (_is_word(text[start - 1]) and _is_word(value[0]))
        clear_after = end == len(text) or not (_is_word(text[end]) and _is_word(value[-1])) or len(value) >= 4
        if clear_before and clear_after:
            found.append((start, end))
        start = text.find(value, start + 1)
    return found


def templatize(text: str, values: list[tuple[str, str]]) -> Template:
    """``text`` with each variable value replaced by a reference to its variable.

    ``values`` lists (variable, value on this page) in order of preference: at one
    place the longest value wins, then the earliest in the list.
    """
    candidates: list[tuple[int, int, int, str]] = []
    for rank, (name, value) in enumerate(values):
        if value:
            candidates.extend((start, -(end - start), rank, name) for start, end in _places(text, value))
    parts: list[Part] = []
    done = 0
    for start, negative_length, _, name in sorted(candidates):
        if start < done:
            continue
        if start > done:
            parts.append(text[done:start])
        parts.append(Ref(name))
        done = start - negative_length
    if done < len(text) or not parts:
        parts.append(text[done:])
    return tuple(parts)


def names_in(template: Template) -> set[str]:
    """The variables a template refers to."""
    return {part.name for part in template if isinstance(part, Ref)}


def to_source(template: Template) -> str:
    """The Jinja text of ``template``: ``{{ name }}`` for references, literal text kept exact."""
    has_refs = any(isinstance(part, Ref) for part in template)
    if not has_refs:
        text = "".join(part for part in template if isinstance(part, str))
        if not _SYNTAX.search(text):
            return text
    out: list[str] = []
    for index, part in enumerate(template):
        if isinstance(part, Ref):
            out.append("{{ " + part.name + " }}")
            continue
        ref_follows = index + 1 < len(template) and isinstance(template[index + 1], Ref)
        for offset, char in enumerate(part):
            following = part[offset + 1 : offset + 2]
            if char == "{" and (following in ("{", "%", "#") or (not following and ref_follows)):
                out.append(_ESCAPED_BRACE)
            else:
                out.append(char)
    return "".join(out)


_SOURCE_PART = re.compile(r'\{\{ "\{" \}\}|\{\{ ([A-Za-z_][A-Za-z0-9_]*) \}\}')


def from_source(source: str) -> Template:
    """The template ``to_source`` wrote as ``source`` (or an edit of it made of its pieces)."""
    parts: list[Part] = []
    text = ""
    done = 0
    for match in _SOURCE_PART.finditer(source):
        text += source[done : match.start()]
        if match.group(1) is None:
            text += "{"
        else:
            if text:
                parts.append(text)
            parts.append(Ref(match.group(1)))
            text = ""
        done = match.end()
    text += source[done:]
    if text or not parts:
        parts.append(text)
    return tuple(parts)


__all__ = ["Part", "Ref", "Template", "from_source", "names_in", "render", "templatize", "to_source"]
