"""The sources as the factoring builds them: a page of source values, and layers applied over it.

A ``Sources`` is what the base, or a program's chain of files, says: page
values, sections and questions with the values they set (texts as Jinja
source, escapes and all). ``apply`` lays one override (or component) over it
the way the build merges, so a version of a page, or a component, can be
measured against what it inherits. What a page *shows* is ``shown``: the value
set, or the field table's default.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..source import fields
from ..source.fields import ID, PAGE, QUESTION, QUESTIONS, SECTION, SECTIONS
from . import textedit
from .templating import from_source, render

TEXT_KEYS = fields.text_keys()
FM = next(k.name for k in fields.values(PAGE) if k.kind == "map")
REMOVE = fields.removal().name
PLACES = {k.name: k.offset for k in fields.placements()}
ROWS = {level: {k.name: k for k in fields.values(level)} for level in (PAGE, SECTION, QUESTION)}
REQUIRED = {level: tuple(k.name for k in fields.at(level) if k.required_to_add) for level in (SECTION, QUESTION)}


@dataclass
class Entry:
    """A section or a question: its id, the values its source sets, its questions (for a section)."""

    id: str
    values: dict[str, Any] = field(default_factory=dict)
    children: list[Entry] = field(default_factory=list)


@dataclass
class Sources:
    """A page as its sources say it: page values (front matter a mapping) and sections."""

    values: dict[str, Any] = field(default_factory=dict)
    sections: list[Entry] = field(default_factory=list)

    def copy(self) -> Sources:
        return copy.deepcopy(self)

    def section(self, sid: str) -> Entry | None:
        return next((s for s in self.sections if s.id == sid), None)

    def owners(self) -> dict[str, str]:
        """Question id -> the id of its section."""
        return {q.id: s.id for s in self.sections for q in s.children}


@lru_cache(maxsize=65536)
def _parts(source: str) -> Any:
    return from_source(source)


def show(source: Any, context: dict[str, str]) -> Any:
    """What a source value gives on a page with these variables (texts rendered, mappings too)."""
    if isinstance(source, str):
        return render(_parts(source), context)
    if isinstance(source, dict):
        return {k: show(v, context) for k, v in source.items()}
    return source


def page_shown(sources: Sources, key: str, context: dict[str, str]) -> Any:
    """A page key as the page shows it: its value, or its default."""
    if key in sources.values:
        value = sources.values[key]
        return show(value, context) if key in TEXT_KEYS or key == FM else value
    return ROWS[PAGE][key].default


def entry_shown(sources: Sources, entry: Entry, level: str, key: str, context: dict[str, str]) -> Any:
    """A section's or question's key as the page shows it: its value, or its default (from the entry or the page)."""
    if key in entry.values:
        value = entry.values[key]
        return show(value, context) if key in TEXT_KEYS else value
    row = ROWS[level][key]
    default = row.default
    if isinstance(default, str) and default.startswith("=page."):
        return page_shown(sources, default[len("=page.") :], context)
    if isinstance(default, str) and default.startswith("="):
        other = default[1:]
        return entry.id if other == ID else entry_shown(sources, entry, level, other, context)
    return default


def default_source(level: str, key: str, values: dict[str, Any], page: dict[str, Any], eid: str = "") -> Any:
    """The source an unset key inherits: its default, as the build edits it (a question's toc is its question)."""
    default = ROWS[level][key].default
    if isinstance(default, str) and default.startswith("=page."):
        name = default[len("=page.") :]
        return page.get(name, ROWS[PAGE][name].default)
    if isinstance(default, str) and default.startswith("="):
        other = default[1:]
        return eid if other == ID else values.get(other, default_source(level, other, values, page, eid))
    return default


def _set(level: str, values: dict[str, Any], data: dict[str, Any], page: dict[str, Any], eid: str = "") -> None:
    for key, value in data.items():
        if key in (ID, QUESTIONS, REMOVE, *PLACES):
            continue
        if textedit.is_edits(value):
            inherited = values[key] if key in values else default_source(level, key, values, page, eid)
            made = textedit.apply(str(inherited or ""), value)
            if made is None:
                raise ValueError(f"an edit of '{key}' does not apply")
            value = made
        values[key] = value


def _place(items: list[Entry], entry: Entry, patch: dict[str, Any]) -> None:
    for key, offset in PLACES.items():
        if key in patch:
            at = next(n for n, e in enumerate(items) if e.id == patch[key])
            items.insert(at + offset, entry)
            return
    items.append(entry)


def _merge(
    items: list[Entry], patches: list[dict[str, Any]], moved: dict[str, Entry], level: str, page: dict[str, Any]
) -> list[Entry]:
    result = list(items)
    at: dict[str, int] | None = None  # where each id first stands in result; redone after a move
    for patch in patches:
        eid = patch[ID]
        if at is None:
            at = {}
            for n, e in enumerate(result):
                at.setdefault(e.id, n)
        index = at.get(eid)
        if patch.get(REMOVE):
            if index is None:
                raise KeyError(f"no entry '{eid}' to remove")
            del result[index]
            at = None
            continue
        if index is None:
            # a new entry sets its texts (a block of text under a heading has its answer only)
            if eid not in moved and not any(k in patch for k in REQUIRED[level]):
                raise KeyError(f"no entry '{eid}' to change")
            entry = moved.pop(eid, None) or Entry(eid)
            entry = copy.deepcopy(entry)
            _set(level, entry.values, patch, page, eid)
            if QUESTIONS in patch and not entry.children:
                entry.children = _merge([], patch[QUESTIONS], moved, QUESTION, page)
            _place(result, entry, patch)
            at = None
            continue
        entry = copy.deepcopy(result[index])
        _set(level, entry.values, patch, page, eid)
        if QUESTIONS in patch:
            entry.children = _merge(entry.children, patch[QUESTIONS], moved, QUESTION, page)
        if any(k in patch for k in PLACES):
            del result[index]
            _place(result, entry, patch)
            at = None
        else:
            result[index] = entry
    return result


def apply(sources: Sources, layer: dict[str, Any]) -> Sources:
    """``sources`` with one override or component laid over it, as the build merges them."""
    made = sources.copy()
    for key, value in layer.items():
        if key == FM:
            made.values[FM] = {**made.values.get(FM, {}), **value}
        elif key in ROWS[PAGE]:
            _set(PAGE, made.values, {key: value}, made.values)
    patches = layer.get(SECTIONS) or []
    owner = made.owners()
    moving = {
        q[ID]
        for s in patches
        for q in s.get(QUESTIONS) or []
        if q[ID] in owner and owner[q[ID]] != s[ID] and not q.get(REMOVE)
    }
    moved: dict[str, Entry] = {}
    for section in made.sections:
        for question in [q for q in section.children if q.id in moving]:
            moved[question.id] = question
        section.children = [q for q in section.children if q.id not in moving]
    made.sections = _merge(made.sections, patches, moved, SECTION, made.values)
    return made


__all__ = [
    "FM",
    "REMOVE",
    "ROWS",
    "TEXT_KEYS",
    "Entry",
    "Sources",
    "apply",
    "default_source",
    "entry_shown",
    "page_shown",
    "show",
]
