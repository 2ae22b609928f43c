"""Evidence: the rendered texts and the values that differ, for each page part a program changes."""

from __future__ import annotations

from typing import Any

from ..pipeline.merge import map_loc_key
from ..pipeline.model import Entry, Page
from ..source import fields
from ..source.fields import PAGE, QUESTION, SECTION
from .model import (
    BASE,
    CONTENT,
    FORMATTED,
    FORMATTING,
    FORMATTING_FIELDS,
    PAGE_ROW,
    QUESTION_ROW,
    QUESTION_VALUES,
    REPLACED,
    SECTION_ROW,
    VARIABLES,
    Comparison,
    Evidence,
    FieldEvidence,
    RowKey,
    VariableOnly,
)
from .model import QUESTION_TEXTS as _QUESTION_TEXTS
from .outline import Outline, union
from .sides import RenderedTexts, Side, page_value, section_title
from .statements import difference_kind
from .textdiff import Line, changed_lines

_MAP = next(k.name for k in fields.values(PAGE) if k.kind == "map")
_PAGE_TEXTS = tuple(k.name for k in fields.values(PAGE) if k.kind != "map")
_HEADLINE = {level: fields.headline(level) for level in (SECTION, QUESTION)}
_TEXT_DEFAULTS = tuple(
    (k.name, k.default[1:])
    for k in fields.values(QUESTION)
    if k.name in _QUESTION_TEXTS and isinstance(k.default, str) and k.default[1:] in _QUESTION_TEXTS
)
_SHOWN = frozenset({REPLACED, FORMATTED, "removed", "added", "component"})  # the states whose evidence is shown
Copies = dict[tuple[RowKey, str], str]  # (row, digest) -> the first program with that copy of the piece


def compare(
    old: Side, new: Side, outline: Outline, texts: RenderedTexts, show_variables: bool, copies: Copies
) -> Comparison:
    """Compare ``new`` with ``old`` as ``outline`` found: its statements, and the evidence
    (against a revision, for a program it had: the pieces that changed, as they were there)."""
    if outline.previous is not None:
        then = outline.previous
        before = Side(then.page.slug, then.page, then.context, then.docs)
        return Comparison(
            old.name, new.name, outline.statements, VariableOnly(), since(before, new, outline, texts), ()
        )
    found, cells = outline.found, outline.cells
    # Against the base, both sides are rendered with the program's variables, so the
    # evidence shows only declared differences; what the variables change is apart.
    context = new.context if old.name == BASE else old.context

    def first(key: RowKey) -> str:
        seen = copies.get((key, outline.digests.get(key, "")), new.name)
        return "" if seen == new.name else seen

    evidence: list[Evidence] = []
    by_variables: list[Evidence] = []
    only_questions: list[str] = []
    for (kind, qid), state in ((key, c.state) for key, c in cells.items()):
        if kind != QUESTION_ROW:
            continue
        a, b = old.questions.get(qid), new.questions.get(qid)
        if a is None and b is None:  # against a revision: a piece this program had there
            continue
        sid = (new if b is not None else old).owner[qid]
        if state in _SHOWN:
            shown = _question_evidence(old, new, a, b, found.question_fields.get(qid, set()), texts, context)
            evidence.append(Evidence("question", qid, sid, state, shown, first((kind, qid))))
        elif state == VARIABLES:
            only_questions.append(qid)
            if show_variables:
                shown = _question_evidence(old, new, a, b, set(), texts, old.context)
                by_variables.append(Evidence("question", qid, sid, state, shown))
    page, only_page = _page_evidence(old, new, found.page, texts, context)
    sections, only_sections = _section_evidence(old, new, outline, texts, context, first)
    head: list[Evidence] = []
    if page:
        state = FORMATTED if all(f.category == FORMATTING for f in page) else REPLACED
        head.append(Evidence("page", "", "", state, page))
    if show_variables:
        by_variables = _variable_heads(old, new, only_page, only_sections, texts) + by_variables
    return Comparison(
        old=old.name,
        new=new.name,
        statements=outline.statements,
        variable_only=VariableOnly(tuple(only_page), tuple(only_sections), tuple(only_questions)),
        evidence=tuple(head + sections + evidence),
        variable_evidence=tuple(by_variables),
    )


def since(then: Side, now: Side, outline: Outline, texts: RenderedTexts) -> tuple[Evidence, ...]:
    """The pieces whose cells changed since a revision, each as it was there and as it is now."""
    page: list[FieldEvidence] = []
    found: list[Evidence] = []
    for (kind, eid), c in outline.cells.items():
        if kind == PAGE_ROW:
            a, b = page_value(then.page, eid), page_value(now.page, eid)
            lines = _lines(texts.page(then.page, eid, then.context), texts.page(now.page, eid, now.context))
            page.append(FieldEvidence(eid, difference_kind(eid, a, b), lines))
        elif kind == SECTION_ROW and (then.sections.get(eid) or now.sections.get(eid)):
            a_entry, b_entry = then.sections.get(eid), now.sections.get(eid)
            a_title = section_title(texts, a_entry, then.context) if a_entry else None
            b_title = section_title(texts, b_entry, now.context) if b_entry else None
            if a_title != b_title:
                shown = (FieldEvidence(_HEADLINE[SECTION], CONTENT, _lines(a_title, b_title)),)
                found.append(Evidence("section", eid, "", c.state, shown))
        elif kind == QUESTION_ROW and (then.questions.get(eid) or now.questions.get(eid)):
            a_q, b_q = then.questions.get(eid), now.questions.get(eid)
            keys = {
                k
                for k in {**(a_q.values if a_q else {}), **(b_q.values if b_q else {})}
                if not (a_q and b_q) or a_q.get(k) != b_q.get(k)
            }
            sid = (now if b_q is not None else then).owner[eid]
            shown_q = _question_evidence(then, now, a_q, b_q, keys, texts, then.context)
            found.append(Evidence("question", eid, sid, c.state, shown_q))
    head = [Evidence("page", "", "", REPLACED, tuple(page))] if page else []
    return tuple(head + found)


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


def _question_evidence(
    old_side: Side,
    new_side: Side,
    a: Entry | None,
    b: Entry | None,
    keys: set[str],
    texts: RenderedTexts,
    old_context: dict[str, str],
) -> tuple[FieldEvidence, ...]:
    old = texts.question(a, old_context) if a is not None else {}
    new = texts.question(b, new_side.context) if b is not None else {}
    if a is not None and b is not None:
        # A text that defaults to another ('toc' to the question) shows that one when unset.
        for name, other in _TEXT_DEFAULTS:
            if name in old or name in new:
                old.setdefault(name, old.get(other, ""))
                new.setdefault(name, new.get(other, ""))
    shown: list[FieldEvidence] = []
    for key in _QUESTION_TEXTS:
        if (key in old or key in new) and old.get(key) != new.get(key):
            shown.append(
                FieldEvidence(key, difference_kind(key, old.get(key), new.get(key)), _lines(old.get(key), new.get(key)))
            )
    if b is not None and a is None:  # an added question: the formatting it brings, against the defaults
        keys = {k for k in b.values if k in FORMATTING_FIELDS}
    if b is not None:
        for key in QUESTION_VALUES:
            if key in keys:
                x = value_text(a, old_side.page, key) if a is not None else value_text(None, new_side.page, key)
                y = value_text(b, new_side.page, key)
                shown.append(FieldEvidence(key, difference_kind(key, x, y), _lines(x, y)))
    return tuple(shown)


def value_text(entry: Entry | None, page: Page, key: str) -> str | None:
    """A question's value as the page uses it: its own, else the default (said so)."""
    if entry is not None and key in entry.values:
        return as_text(entry.values[key])
    row = fields.key(QUESTION, key)
    default = fields.default_of(row, entry.values if entry is not None else {}, page.values)
    if default is None and isinstance(row.default, str) and row.default.startswith("=page."):
        default = fields.key(PAGE, row.default[len("=page.") :]).default
    return None if default is None else f"{default} (default)"


def _lines(old: str | None, new: str | None) -> tuple[Line, ...]:
    """Evidence lines: the changed lines of a text, with one unchanged line around each change."""
    return changed_lines(old, new, context=1)


def as_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _page_keys(page: Page) -> list[str]:
    keys = [map_loc_key(_MAP, k) for k in page.values.get(_MAP, {})]
    return keys + [k for k in _PAGE_TEXTS if k in page.values]


def _page_evidence(
    old: Side, new: Side, changed: set[str], texts: RenderedTexts, context: dict[str, str]
) -> tuple[tuple[FieldEvidence, ...], list[str]]:
    """Evidence for the page's own texts, and the texts that differ only by variables."""
    shown: list[FieldEvidence] = []
    only: list[str] = []
    for key in union(_page_keys(old.page), _page_keys(new.page)):
        if key in changed:
            a, b = page_value(old.page, key), page_value(new.page, key)
            lines = _lines(texts.page(old.page, key, context), texts.page(new.page, key, new.context))
            shown.append(FieldEvidence(key, difference_kind(key, a, b), lines))
        elif texts.page(old.page, key, old.context) != texts.page(new.page, key, new.context):
            only.append(key)
    return tuple(shown), only


def _section_evidence(
    old: Side, new: Side, outline: Outline, texts: RenderedTexts, context: dict[str, str], first: Any
) -> tuple[list[Evidence], list[str]]:
    """Evidence for sections added, removed or changed, and those whose title differs only by variables."""
    result: list[Evidence] = []
    only: list[str] = []
    for (kind, sid), state in ((key, c.state) for key, c in outline.cells.items()):
        if kind != SECTION_ROW:
            continue
        a, b = old.sections.get(sid), new.sections.get(sid)
        keys = outline.found.section_fields.get(sid, set())
        if state == VARIABLES:  # the outline rendered both titles to tell
            only.append(sid)
        if (a is None and b is None) or not (a is None or b is None or keys):
            continue
        a_title = section_title(texts, a, context) if a else None
        b_title = section_title(texts, b, new.context) if b else None
        if a is None or b is None:
            lines = _lines(a_title, b_title)
            shown = (FieldEvidence(_HEADLINE[SECTION], CONTENT, lines),)
            result.append(Evidence("section", sid, "", state, shown, first((kind, sid))))
        elif keys:
            shown_fields = tuple(
                FieldEvidence(
                    key,
                    difference_kind(key, a.get(key), b.get(key)),
                    _lines(a_title, b_title)
                    if key == _HEADLINE[SECTION]
                    else _lines(as_text(a.get(key)), as_text(b.get(key))),
                )
                for key in sorted(keys)
            )
            result.append(Evidence("section", sid, "", state, shown_fields, first((kind, sid))))
    return result, only


__all__ = ["Copies", "as_text", "compare", "value_text"]
