"""One program's comparison in outline: what differs, what moved, a cell per page part, the
statements. The matrix and the summary are made from outlines; the evidence is made later,
as the report is read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..pipeline.model import Entry, Page
from ..pipeline.pool import map_items, worker_count
from ..progress import COMPARING, Progress, counted
from ..source.project import is_component_file
from ..source.yamldoc import Doc
from .model import (
    CONTENT,
    FORMATTED,
    ONLY,
    PAGE_ROW,
    QUESTION_ROW,
    REMOVED,
    REPLACED,
    SAME,
    SECTION_ROW,
    SHARED,
    TOC_ORDER_FIELDS,
    VARIABLES,
    Cell,
    RowKey,
    Statement,
    cell,
)
from .sides import RenderedTexts, Settings, Side, page_value, section_title
from .statements import difference_kind, statements
from .structure import Changes, changes
from .structure import moved as moved_ids


@dataclass(frozen=True, slots=True)
class Outline:
    """One program's comparison in outline; its evidence is made from it on demand."""

    page: Page
    context: dict[str, str]
    docs: list[Doc]  # the files the page was made of
    found: Changes
    moved: dict[str, list[str]]  # '' (the section order) or a section id -> the ids that moved
    cells: dict[RowKey, Cell]  # every page part this side or the other has, and a changed page text
    digests: dict[RowKey, str]  # for each cell that is not blank: what this program's copy of the piece is
    statements: tuple[Statement, ...]
    previous: Outline | None = None  # against a revision: the program's outline there, if it had one


def outlines(
    old: Side, sides: list[Side], texts: RenderedTexts, settings: Settings, progress: Progress | None = None
) -> list[Outline]:
    """The outline of every program against ``old``, in forked workers when there are many;
    only what each found crosses back (the pages stay where they are). Each is counted to ``progress``."""
    for _ in (old.model, old.indexes, old.key_of, old.has_why):  # worked out once, before the workers fork
        pass
    if worker_count(len(sides)) == 1:
        made = (outline(old, side, texts, settings) for side in sides)
        return list(counted(made, COMPARING, len(sides), progress))
    parts = map_items(lambda side: _parts(outline(old, side, texts, settings)), sides, None, progress, COMPARING)
    return [
        Outline(
            side.page, side.context, side.docs, found, moved, {k: cell(*c) for k, c in cells.items()}, digests, said
        )
        for side, (found, moved, cells, digests, said) in zip(sides, parts, strict=True)
    ]


def _parts(made: Outline) -> tuple[Any, ...]:
    cells = {key: (c.state, c.moved) for key, c in made.cells.items()}
    return made.found, made.moved, cells, made.digests, made.statements


def outline(old: Side, new: Side, texts: RenderedTexts, settings: Settings) -> Outline:
    """What deepdiff finds between ``old`` and ``new``, what moved, a cell per part, the statements."""
    found = changes(old, new)
    placed = old.placed() | new.placed()
    moved: dict[str, list[str]] = {}
    if "" in found.orders:
        moved[""] = moved_ids([s.id for s in old.page.sections], [s.id for s in new.page.sections], placed)
    for sid in sorted(found.orders - {""}):
        if sid in old.sections and sid in new.sections:
            before, after = old.sections[sid].children, new.sections[sid].children
            moved[sid] = moved_ids([q.id for q in before], [q.id for q in after], placed)
    moved = {k: v for k, v in moved.items() if v}
    cells: dict[RowKey, Cell] = {}
    digests: dict[RowKey, str] = {}
    for key in sorted(found.page):
        a, b = page_value(old.page, key), page_value(new.page, key)
        cells[PAGE_ROW, key] = cell(FORMATTED if difference_kind(key, a, b) != CONTENT else REPLACED)
        digests[PAGE_ROW, key] = digest(b)
    section_moves = set(moved.get("", ()))
    for sid in union(list(old.sections), list(new.sections)):
        a_entry, b_entry = old.sections.get(sid), new.sections.get(sid)
        keys = found.section_fields.get(sid, set())
        state = _state(a_entry, b_entry, keys)
        if (
            state == SAME
            and a_entry is not None
            and b_entry is not None
            and section_title(texts, a_entry, old.context) != section_title(texts, b_entry, new.context)
        ):
            state = VARIABLES
        cells[SECTION_ROW, sid] = cell(state, sid in section_moves)
        if b_entry is not None and (state not in (SAME, VARIABLES) or sid in section_moves):
            shown = {k: b_entry.get(k) for k in keys} if a_entry is not None else _own(b_entry)
            digests[SECTION_ROW, sid] = digest([state, shown, _place(new, "", sid, sid in section_moves)])
    question_moves = {eid for sid, ids in moved.items() if sid for eid in ids}
    for qid in union([q.id for q in old.page.questions()], [q.id for q in new.page.questions()]):
        a_entry, b_entry = old.questions.get(qid), new.questions.get(qid)
        keys = found.question_fields.get(qid, set())
        across = a_entry is not None and b_entry is not None and old.owner[qid] != new.owner[qid]
        moved_here = qid in question_moves or across or bool(keys & TOC_ORDER_FIELDS)
        state = _state(a_entry, b_entry, keys - TOC_ORDER_FIELDS)
        if (
            state == SAME
            and a_entry is not None
            and b_entry is not None
            and texts.questions_differ(a_entry, b_entry, old.context, new.context)
        ):
            state = VARIABLES
        cells[QUESTION_ROW, qid] = cell(state, moved_here)
        if b_entry is not None and (state not in (SAME, VARIABLES) or moved_here):
            shown = {k: b_entry.get(k) for k in keys} if a_entry is not None else _own(b_entry)
            digests[QUESTION_ROW, qid] = digest([state, shown, _place(new, new.owner[qid], qid, moved_here)])
        elif state == REMOVED:
            digests[QUESTION_ROW, qid] = REMOVED
    said = statements(old, new, found, moved, settings)
    return Outline(new.page, new.context, new.docs, found, moved, cells, digests, tuple(said))


def _state(a: Entry | None, b: Entry | None, keys: set[str]) -> str:
    """The state of an entry the other side has as ``a`` and this one as ``b`` (None: not there)."""
    if a is None:
        return SHARED if b is not None and is_component_file(b.added_by or "") else ONLY
    if b is None:
        return REMOVED
    if any(difference_kind(k, a.get(k), b.get(k)) == CONTENT for k in keys):
        return REPLACED
    return FORMATTED if keys else SAME


def _own(entry: Entry) -> Any:
    """An added entry as its own row shows it: its values, and which questions it holds (they have rows of their own)."""
    return [entry.values, [child.id for child in entry.children]]


def _place(side: Side, sid: str, eid: str, moved: bool) -> str:
    """Where a moved entry now stands (the id before it), so two moves are the same only when alike."""
    if not moved:
        return ""
    ids = [s.id for s in side.page.sections] if not sid else [q.id for q in side.sections[sid].children]
    k = ids.index(eid)
    return f"{sid}:{ids[k - 1] if k else ''}"


def digest(value: Any) -> str:
    """A short fingerprint of a value as written: equal values, equal digests, in any process
    (mappings are taken key by key in order, so the order a file writes them in does not count)."""
    text = repr(_canonical(value))
    return hashlib.blake2b(text.encode("utf-8", errors="surrogateescape"), digest_size=8).hexdigest()


def _canonical(value: Any) -> Any:
    if type(value) is dict:
        return sorted((str(k), _canonical(v)) for k, v in value.items())
    if type(value) is list or type(value) is tuple:
        return [_canonical(v) for v in value]
    return value


def union(first: list[str], second: list[str]) -> list[str]:
    seen = set(first)
    return first + [i for i in second if i not in seen]


__all__ = ["Outline", "digest", "outline", "outlines", "union"]
