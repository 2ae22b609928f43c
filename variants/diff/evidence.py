"""Cells and evidence: how each question stands in a program, and the rendered texts that differ."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..pipeline.merge import map_loc_key
from ..pipeline.model import Entry, Page
from ..source import fields
from ..source.fields import PAGE, QUESTION, SECTION
from ..source.project import is_component_file
from ..source.yamldoc import Doc
from .model import (
    ABSENT,
    BASE,
    CELLS,
    CONTENT,
    FORMATTED,
    FORMATTING,
    ONLY,
    QUESTION_TEXTS,
    QUESTION_VALUES,
    REPLACED,
    SAME,
    SHARED,
    TOC_ORDER_FIELDS,
    VARIABLES,
    Cell,
    Comparison,
    Evidence,
    FieldEvidence,
    Row,
    VariableOnly,
)
from .sides import RenderedTexts, Settings, Side, page_value, section_title
from .statements import difference_kind, statements
from .structure import Changes, changes
from .structure import moved as moved_ids
from .textdiff import Line, changed_lines

_MAP = next(k.name for k in fields.values(PAGE) if k.kind == "map")
_PAGE_TEXTS = tuple(k.name for k in fields.values(PAGE) if k.kind != "map")
_HEADLINE = {level: fields.headline(level) for level in (SECTION, QUESTION)}
_TEXT_DEFAULTS = tuple(
    (k.name, k.default[1:])
    for k in fields.values(QUESTION)
    if k.name in QUESTION_TEXTS and isinstance(k.default, str) and k.default[1:] in QUESTION_TEXTS
)


@dataclass(frozen=True, slots=True)
class Outline:
    """One program's comparison in outline, as far as the matrix needs it; the statements
    and evidence are made from it on demand."""

    page: Page
    context: dict[str, str]
    docs: list[Doc]  # the files the page was made of
    found: Changes
    moved: dict[str, list[str]]  # '' (the section order) or a section id -> the ids that moved
    cells: dict[str, Cell]  # question id -> its state


# Cells and evidence.


def outline(old: Side, new: Side, texts: RenderedTexts) -> Outline:
    """What deepdiff finds between ``old`` and ``new``, what moved, and one cell per question."""
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
    moved_set = {eid for ids in moved.values() for eid in ids}
    cells = {
        qid: _cell(
            old.questions.get(qid),
            new.questions.get(qid),
            found.question_fields.get(qid, set()),
            qid in moved_set,
            texts,
            old.context,
            new.context,
        )
        for qid in union([q.id for q in old.page.questions()], [q.id for q in new.page.questions()])
    }
    return Outline(new.page, new.context, new.docs, found, moved, cells)


def compare(
    old: Side, new: Side, outline: Outline, texts: RenderedTexts, show_variables: bool, settings: Settings
) -> Comparison:
    """Compare ``new`` with ``old`` as ``outline`` found: statements and evidence."""
    found, cells = outline.found, outline.cells
    said = statements(old, new, found, outline.moved, settings)
    # Against the base, both sides are rendered with the program's variables, so the
    # evidence shows only declared differences; what the variables change is apart.
    context = new.context if old.name == BASE else old.context
    evidence: list[Evidence] = []
    by_variables: list[Evidence] = []
    only_questions: list[str] = []
    for qid, cell in cells.items():
        a, b = old.questions.get(qid), new.questions.get(qid)
        sid = (new if b is not None else old).owner[qid]
        if cell.state in (REPLACED, FORMATTED, ABSENT, ONLY, SHARED):
            shown = _question_evidence(a, b, found.question_fields.get(qid, set()), texts, context, new.context)
            evidence.append(Evidence("question", qid, sid, cell.state, shown))
        elif cell.state == VARIABLES:
            only_questions.append(qid)
            if show_variables:
                shown = _question_evidence(a, b, set(), texts, old.context, new.context)
                by_variables.append(Evidence("question", qid, sid, cell.state, shown))
    page, only_page = _page_evidence(old, new, found, texts, context)
    sections, only_sections = _section_evidence(old, new, found, texts, context)
    head: list[Evidence] = []
    if page:
        state = FORMATTED if all(f.category == FORMATTING for f in page) else REPLACED
        head.append(Evidence("page", "", "", state, page))
    if show_variables:
        head_variables = _variable_heads(old, new, only_page, only_sections, texts)
        by_variables = head_variables + by_variables
    return Comparison(
        old=old.name,
        new=new.name,
        statements=tuple(said),
        variable_only=VariableOnly(tuple(only_page), tuple(only_sections), tuple(only_questions)),
        evidence=tuple(head + sections + evidence),
        variable_evidence=tuple(by_variables),
    )


def _variable_heads(
    old: Side, new: Side, only_page: list[str], only_sections: list[str], texts: RenderedTexts
) -> list[Evidence]:
    """Evidence for the page texts and section titles that differ only by variables."""
    result: list[Evidence] = []
    if only_page:
        shown = tuple(
            FieldEvidence(
                key, CONTENT, _lines(texts.page(old.page, key, old.context), texts.page(new.page, key, new.context))
            )
            for key in only_page
        )
        result.append(Evidence("page", "", "", VARIABLES, shown))
    for sid in only_sections:
        a, b = old.sections[sid], new.sections[sid]
        lines = _lines(section_title(texts, a, old.context), section_title(texts, b, new.context))
        result.append(Evidence("section", sid, "", VARIABLES, (FieldEvidence(_HEADLINE[SECTION], CONTENT, lines),)))
    return result


def union(first: list[str], second: list[str]) -> list[str]:
    seen = set(first)
    return first + [i for i in second if i not in seen]


def _cell(
    a: Entry | None,
    b: Entry | None,
    keys: set[str],
    moved: bool,
    texts: RenderedTexts,
    old_context: dict[str, str],
    new_context: dict[str, str],
) -> Cell:
    if a is None:
        if b is None:
            return CELLS[ABSENT, False]
        return CELLS[SHARED if is_component_file(b.added_by or "") else ONLY, False]
    if b is None:
        return CELLS[ABSENT, False]
    moved = moved or bool(keys & TOC_ORDER_FIELDS)
    keys = keys - TOC_ORDER_FIELDS
    if any(difference_kind(k, a.get(k), b.get(k)) == CONTENT for k in keys):
        return CELLS[REPLACED, moved]
    if keys:
        return CELLS[FORMATTED, moved]
    if texts.questions_differ(a, b, old_context, new_context):
        return CELLS[VARIABLES, moved]
    return CELLS[SAME, moved]


def _question_evidence(
    a: Entry | None,
    b: Entry | None,
    keys: set[str],
    texts: RenderedTexts,
    old_context: dict[str, str],
    new_context: dict[str, str],
) -> tuple[FieldEvidence, ...]:
    old = texts.question(a, old_context) if a is not None else {}
    new = texts.question(b, new_context) if b is not None else {}
    if a is not None and b is not None:
        # A text that defaults to another ('toc' to the question) shows that one when unset.
        for name, other in _TEXT_DEFAULTS:
            if name in old or name in new:
                old.setdefault(name, old.get(other, ""))
                new.setdefault(name, new.get(other, ""))
    shown: list[FieldEvidence] = []
    for key in QUESTION_TEXTS:
        if (key in old or key in new) and old.get(key) != new.get(key):
            shown.append(
                FieldEvidence(key, difference_kind(key, old.get(key), new.get(key)), _lines(old.get(key), new.get(key)))
            )
    if a is not None and b is not None:
        for key in QUESTION_VALUES:
            if key in keys:
                x, y = a.get(key), b.get(key)
                shown.append(FieldEvidence(key, difference_kind(key, x, y), _lines(as_text(x), as_text(y))))
    return tuple(shown)


def _lines(old: str | None, new: str | None) -> tuple[Line, ...]:
    """Evidence lines: the changed lines of a text, with one unchanged line around each change."""
    return changed_lines(old, new, context=1)


def as_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _page_keys(page: Page) -> list[str]:
    keys = [map_loc_key(_MAP, k) for k in page.values.get(_MAP, {})]
    return keys + [k for k in _PAGE_TEXTS if k in page.values]


def _page_evidence(
    old: Side, new: Side, found: Changes, texts: RenderedTexts, context: dict[str, str]
) -> tuple[tuple[FieldEvidence, ...], list[str]]:
    """Evidence for the page's own texts, and the texts that differ only by variables."""
    shown: list[FieldEvidence] = []
    only: list[str] = []
    for key in union(_page_keys(old.page), _page_keys(new.page)):
        if key in found.page:
            a, b = page_value(old.page, key), page_value(new.page, key)
            lines = _lines(texts.page(old.page, key, context), texts.page(new.page, key, new.context))
            shown.append(FieldEvidence(key, difference_kind(key, a, b), lines))
        elif texts.page(old.page, key, old.context) != texts.page(new.page, key, new.context):
            only.append(key)
    return tuple(shown), only


def _section_evidence(
    old: Side, new: Side, found: Changes, texts: RenderedTexts, context: dict[str, str]
) -> tuple[list[Evidence], list[str]]:
    """Evidence for sections added, removed or changed, and those whose title differs only by variables."""
    result: list[Evidence] = []
    only: list[str] = []
    for sid in union(list(old.sections), list(new.sections)):
        a, b = old.sections.get(sid), new.sections.get(sid)
        a_title = section_title(texts, a, context) if a else None
        b_title = section_title(texts, b, new.context) if b else None
        keys = found.section_fields.get(sid, set())
        if a is None or b is None:
            state = ONLY if a is None else ABSENT
            lines = _lines(a_title, b_title)
            result.append(Evidence("section", sid, "", state, (FieldEvidence(_HEADLINE[SECTION], CONTENT, lines),)))
        elif keys:
            shown = [
                FieldEvidence(
                    key,
                    difference_kind(key, a.get(key), b.get(key)),
                    _lines(a_title, b_title)
                    if key == _HEADLINE[SECTION]
                    else _lines(as_text(a.get(key)), as_text(b.get(key))),
                )
                for key in sorted(keys)
            ]
            result.append(Evidence("section", sid, "", REPLACED, tuple(shown)))
        elif section_title(texts, a, old.context) != b_title:
            only.append(sid)
    return result, only


def rows(old: Side, outlines: list[Outline]) -> tuple[Row, ...]:
    """Questions in the old side's order, then each program's own ones; one cell per program."""
    order = [q.id for q in old.page.questions()]
    where: dict[str, Entry] = dict(old.questions)
    owner: dict[str, str] = dict(old.owner)
    for outline in outlines:
        for section in outline.page.sections:
            for question in section.children:
                if question.id not in where:
                    order.append(question.id)
                    where[question.id] = question
                    owner[question.id] = section.id
    absent = CELLS[ABSENT, False]
    rows = []
    for qid in order:
        cells = {outline.page.slug: outline.cells.get(qid, absent) for outline in outlines}
        rows.append(Row(qid, owner[qid], str(where[qid].get(_HEADLINE[QUESTION], "")), cells))
    return tuple(rows)


__all__ = ["Outline", "as_text", "compare", "outline", "rows", "union"]
