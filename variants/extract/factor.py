"""Factoring: models of several pages of one family into one base and one small override per page.

A page is modelled as the merger sees it: page texts, sections and questions
with ids and concrete values. For every entry and field the base takes the
template that renders the most pages; each override then says only what its
page changes: fields, entries it adds (with their position), entries it removes,
and table-of-contents moves. Nothing here reads or writes files.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..source import fields
from ..source.fields import ID, PAGE, QUESTION, QUESTIONS, SECTION, SECTIONS, VAR_PATTERN
from .detect import Variable, context
from .model import Item, PageModel
from .order import ShapeMismatch, fix_moves, positions, shared, toc_moves, union_order
from .templating import Template, names_in, render, templatize, to_source

PAGE_KEYS = tuple(k.name for k in fields.values(PAGE))
QUESTION_KEYS = tuple(k.name for k in fields.values(QUESTION))
TEXT_KEYS = fields.text_keys()
_SHOWN = tuple(k for k in fields.values(QUESTION) if k.role != fields.ORDER)  # what a question shows
_REQUIRED = tuple(k.name for k in fields.at(QUESTION) if k.required_to_add)
_FM = next(k.name for k in fields.values(PAGE) if k.kind == "map")
_TITLE = fields.headline(SECTION)
_SPACING = next(k for k in fields.values(SECTION) if k.kind == "int")
_REMOVE = fields.removal().name
_ORDER = fields.write_order()


@dataclass
class Factored:
    """The base content and the overrides, as plain data ready to be written as YAML."""

    content: dict[str, Any]
    overrides: list[dict[str, Any]]  # one per page, without 'program' and 'output'
    variables: list[Variable]
    notes: list[list[str]]  # per page: what its override holds, in words


@dataclass
class _Entry:
    id: str
    values: dict[str, Any]  # key -> Template (texts) or a literal
    children: list[_Entry] = field(default_factory=list)


class _Factoring:
    def __init__(self, models: list[PageModel], variables: list[Variable], word: str) -> None:
        self.models = models
        self.n = len(models)
        self.variables = list(variables)
        self.word = word
        self.base: dict[str, Any] = {}
        self.overrides: list[dict[str, Any]] = [{} for _ in models]
        self.notes: list[list[str]] = [[] for _ in models]
        self._refresh()

    def _refresh(self) -> None:
        self.contexts = [context(self.variables, k) for k in range(self.n)]
        self.preferences = [[(v.name, v.values[k]) for v in self.variables] for k in range(self.n)]

    # -- choosing templates ------------------------------------------------

    def template(self, page: int, text: str) -> Template:
        return templatize(text, self.preferences[page])

    def value(self, page: int, key: str, value: Any) -> Any:
        """A page's concrete value as the source holds it: a template for texts, else itself."""
        return self.template(page, value) if key in TEXT_KEYS else value

    def shows(self, page: int, value: Any) -> Any:
        """What a source value (template or literal) gives on a page."""
        return render(value, self.contexts[page]) if isinstance(value, tuple) else value

    def choose(
        self, key: str, values: dict[int, Any], default_ok: dict[int, bool] | None = None
    ) -> tuple[Any, set[int]]:
        """The source value that gives the most pages their value, and those pages.

        ``values`` maps pages to what they show (None: anything will do). With
        ``default_ok`` (pages the default serves), None stands for the default and wins ties.
        """
        best: Any = None
        best_pages: set[int] = set()
        if default_ok is not None:
            best_pages = {k for k, ok in default_ok.items() if ok or values[k] is None}
        tried: list[Any] = []
        for page, want in values.items():
            if want is None:
                continue
            candidate = self.value(page, key, want)
            if candidate in tried:
                continue
            tried.append(candidate)
            pages = {k for k, v in values.items() if v is None or self.shows(k, candidate) == v}
            if len(pages) > len(best_pages) or (default_ok is None and not tried[1:]):
                best, best_pages = candidate, pages
        return best, best_pages

    # -- page level --------------------------------------------------------

    def page_fields(self) -> None:
        keys = [key for key in PAGE_KEYS if key in self.models[0].values]
        if any(set(m.values) != set(self.models[0].values) for m in self.models):
            raise ShapeMismatch("pages have different page-level fields")
        for key in keys:
            if key == _FM:
                self.front_matter()
                continue
            values = {k: m.values[key] for k, m in enumerate(self.models)}
            chosen, pages = self.choose(key, values)
            self.base[key] = chosen
            for k in range(self.n):
                if k not in pages:
                    self.overrides[k][key] = self.value(k, key, values[k])
                    self.notes[k].append(f"changes {key}")

    def front_matter(self) -> None:
        pages = [m.values[_FM] for m in self.models]
        keys = [key for key in pages[0] if all(key in fm for fm in pages)]
        for fm in pages:
            if list(fm) != keys + [key for key in fm if key not in keys]:
                raise ShapeMismatch("front-matter keys in another order")
        base: dict[str, Any] = {}
        for key in keys:
            values = {k: fm[key] for k, fm in enumerate(pages)}
            chosen, ok = self.choose(_FM, values)
            name = key if key not in PAGE_KEYS else f"page_{key}"
            if len(ok) < self.n and re.match(VAR_PATTERN, name) and name not in {v.name for v in self.variables}:
                self.variables.append(Variable(name, tuple(values[k] for k in range(self.n))))
                self._refresh()
                chosen, ok = self.choose(_FM, values)
            base[key] = chosen
            for k in range(self.n):
                if k not in ok:
                    self.overrides[k].setdefault(_FM, {})[key] = self.value(k, _FM, values[k])
        for k, fm in enumerate(pages):
            for key in fm:
                if key not in keys:
                    self.overrides[k].setdefault(_FM, {})[key] = self.value(k, _FM, fm[key])
            if _FM in self.overrides[k]:
                self.notes[k].append("front matter: " + ", ".join(self.overrides[k][_FM]))
        self.base[_FM] = base

    # -- sections and questions --------------------------------------------

    def sections(self) -> None:
        lists = [[s.id for s in m.sections] for m in self.models]
        order = union_order(lists)
        have = {sid: [k for k in range(self.n) if sid in lists[k]] for sid in order}
        by_page = [{s.id: s for s in m.sections} for m in self.models]
        base: list[_Entry] = []
        for sid in order:
            if shared(len(have[sid]), self.n):
                base.append(self.base_section(sid, {k: by_page[k][sid] for k in have[sid]}))
        self.base[SECTIONS] = base
        base_ids = {e.id for e in base}
        for k, model in enumerate(self.models):
            patches: list[dict[str, Any]] = []
            for entry in base:
                if entry.id not in by_page[k]:
                    patches.append({ID: entry.id, _REMOVE: True})
                    self.notes[k].append(f"removes section '{entry.id}'")
            places = positions(lists[k], base_ids)
            for section in model.sections:
                if section.id in base_ids:
                    patch = self.section_patch(k, next(e for e in base if e.id == section.id), section)
                else:
                    patch = self.new_section(k, section, places[section.id])
                if patch is not None:
                    patches.append(patch)
            if patches:
                self.overrides[k][SECTIONS] = patches

    def base_section(self, sid: str, items: dict[int, Item]) -> _Entry:
        entry = _Entry(sid, {})
        entry.values[_TITLE], _ = self.choose(_TITLE, {k: it.values[_TITLE] for k, it in items.items()})
        name = _SPACING.name
        if any(name in it.values for it in items.values()):
            spacing = {k: it.values.get(name) for k, it in items.items()}
            chosen, _ = self.choose(name, spacing, {k: v in (None, _SPACING.default) for k, v in spacing.items()})
            if chosen is not None:
                entry.values[name] = chosen
        lists = {k: [q.id for q in it.children] for k, it in items.items()}
        order = union_order(list(lists.values()))
        # each page's questions by id (the first of an id, as a search from the start finds it)
        by_id = {k: {q.id: q for q in reversed(it.children)} for k, it in items.items()}
        for qid in order:
            pages = {k: found[qid] for k, found in by_id.items() if qid in found}
            if shared(len(pages), len(items)):
                entry.children.append(self.base_question(qid, pages))
        self.base_moves(entry, items)
        return entry

    def defaults(self, page: int, qid: str, key: str, values: dict[str, Any]) -> Any:
        """What a question shows for ``key`` when its source leaves it out."""
        row = next(k for k in _SHOWN if k.name == key)
        return fields.default_of(row, {ID: qid, **values}, self.models[page].values)

    def base_question(self, qid: str, items: dict[int, Item]) -> _Entry:
        entry = _Entry(qid, {})
        keys = [key for key in QUESTION_KEYS if any(key in it.values for it in items.values())]
        for key in keys:
            values = {k: it.values.get(key) for k, it in items.items()}
            if key in _REQUIRED:
                entry.values[key], _ = self.choose(key, values)
                continue
            default_ok = {k: values[k] == self.defaults(k, qid, key, it.values) for k, it in items.items()}
            chosen, _ = self.choose(key, values, default_ok)
            if chosen is not None:
                entry.values[key] = chosen
        return entry

    def base_moves(self, entry: _Entry, items: dict[int, Item]) -> None:
        ids = {q.id for q in entry.children}
        votes: dict[str, Counter[tuple[str, str] | None]] = {qid: Counter() for qid in ids}
        for it in items.values():
            body = [q.id for q in it.children]
            moves = toc_moves(body, it.toc if it.toc is not None else body)
            for qid in body:
                if qid in ids:
                    move = moves.get(qid)
                    votes[qid][move if move is None or move[1] in ids else ("", "")] += 1
        for question in entry.children:
            ranked = [m for m, _ in votes[question.id].most_common() if m != ("", "")]
            if ranked and ranked[0] is not None and votes[question.id][ranked[0]] > votes[question.id][None]:
                question.values[ranked[0][0]] = ranked[0][1]

    def effective(self, page: int, qid: str, key: str, merged: dict[str, Any]) -> Any:
        if key in merged:
            return self.shows(page, merged[key])
        shown = {k: self.shows(page, v) for k, v in merged.items()}
        return self.defaults(page, qid, key, shown)

    def question_patch(self, page: int, base: _Entry, item: Item) -> dict[str, Any]:
        merged = dict(base.values)
        patch: dict[str, Any] = {}
        for key in (k.name for k in _SHOWN):
            want = item.values.get(key)
            if want is None or key not in item.values:
                continue
            if self.effective(page, item.id, key, merged) != want:
                patch[key] = merged[key] = self.value(page, key, want)
        return patch

    def new_question(self, page: int, item: Item) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key in (k.name for k in _SHOWN):
            want = item.values.get(key)
            if key not in item.values or want is None:
                continue
            if key in _REQUIRED or want != self.effective(page, item.id, key, values):
                values[key] = self.value(page, key, want)
        return values

    def section_patch(self, page: int, base: _Entry, section: Item) -> dict[str, Any] | None:
        patch: dict[str, Any] = {ID: section.id}
        changed: list[str] = []
        title = section.values[_TITLE]
        if self.shows(page, base.values[_TITLE]) != title:
            patch[_TITLE] = self.value(page, _TITLE, title)
            changed.append(_TITLE)
        spacing = section.values.get(_SPACING.name)
        if spacing is not None and base.values.get(_SPACING.name, _SPACING.default) != spacing:
            patch[_SPACING.name] = spacing
            changed.append(_SPACING.name)
        if changed:
            self.notes[page].append(f"changes section '{section.id}': {', '.join(changed)}")
        body = [q.id for q in section.children]
        in_body = set(body)
        base_by_id = {q.id: q for q in reversed(base.children)}
        base_ids = set(base_by_id)
        questions: dict[str, dict[str, Any]] = {}
        order: list[str] = []
        for question in base.children:
            if question.id not in in_body:
                questions[question.id] = {ID: question.id, _REMOVE: True}
                order.append(question.id)
                self.notes[page].append(f"removes {self.word} '{question.id}'")
        places = positions(body, base_ids)
        moves: dict[str, dict[str, Any]] = {}
        for item in section.children:
            if item.id in base_ids:
                base_q = base_by_id[item.id]
                fields = self.question_patch(page, base_q, item)
                questions[item.id] = {ID: item.id, **fields}
                moves[item.id] = {**base_q.values, **fields}
                if fields:
                    self.notes[page].append(f"changes {self.word} '{item.id}': {', '.join(fields)}")
            else:
                where = places[item.id]
                fields = self.new_question(page, item)
                questions[item.id] = {ID: item.id, **({where[0]: where[1]} if where else {}), **fields}
                moves[item.id] = dict(fields)
                placed = f" {where[0]} '{where[1]}'" if where else " at the end"
                self.notes[page].append(f"adds {self.word} '{item.id}'{placed}")
            order.append(item.id)
        fix_moves(body, section.toc if section.toc is not None else body, moves, questions)
        patch[QUESTIONS] = [questions[qid] for qid in order if len(questions[qid]) > 1]
        if not patch[QUESTIONS]:
            del patch[QUESTIONS]
        return patch if len(patch) > 1 else None

    def new_section(self, page: int, section: Item, where: tuple[str, str] | None) -> dict[str, Any]:
        patch: dict[str, Any] = {ID: section.id}
        if where:
            patch[where[0]] = where[1]
        patch[_TITLE] = self.value(page, _TITLE, section.values[_TITLE])
        spacing = section.values.get(_SPACING.name)
        if spacing not in (None, _SPACING.default):
            patch[_SPACING.name] = spacing
        questions = {q.id: {ID: q.id, **self.new_question(page, q)} for q in section.children}
        body = [q.id for q in section.children]
        moves = {qid: dict(values) for qid, values in questions.items()}
        fix_moves(body, section.toc if section.toc is not None else body, moves, questions)
        patch[QUESTIONS] = list(questions.values())
        count = len(questions)
        self.notes[page].append(
            f"adds section '{section.id}' ({count} {self.word}{'s' if count != 1 else ''})"
            + (f" {where[0]} '{where[1]}'" if where else "")
        )
        return patch

    # -- output ------------------------------------------------------------

    def prune(self) -> None:
        """Drop variables no text ended up using."""
        used: set[str] = set()

        def visit(value: Any) -> None:
            if isinstance(value, tuple):
                used.update(names_in(value))
            elif isinstance(value, dict):
                for item in value.values():
                    visit(item)
            elif isinstance(value, list):
                for item in value:
                    visit(item)
            elif isinstance(value, _Entry):
                visit(value.values)
                visit(value.children)

        visit(self.base)
        visit(self.overrides)
        for variable in reversed(self.variables):
            if variable.name in used and variable.follows:
                used.add(variable.follows)
        self.variables = [v for v in self.variables if v.name in used]


def _as_yaml_data(value: Any) -> Any:
    """Templates as Jinja source, entries as mappings in the usual key order: data ready for YAML."""
    if isinstance(value, tuple):
        return to_source(value)
    if isinstance(value, _Entry):
        data = {ID: value.id, **value.values}
        if value.children or _TITLE in value.values:
            data[QUESTIONS] = value.children
        return _as_yaml_data(data)
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: _ORDER.get(kv[0], 99))
        return {k: (_fm(v) if k == _FM else _as_yaml_data(v)) for k, v in items}
    if isinstance(value, list):
        return [_as_yaml_data(v) for v in value]
    return value


def _fm(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _as_yaml_data(v) for k, v in values.items()}  # front-matter keys keep the page's order


def factor(models: list[PageModel], variables: list[Variable], word: str = "question") -> Factored:
    """The base and overrides that rebuild every modelled page; raise ShapeMismatch when they cannot."""
    work = _Factoring(models, variables, word)
    work.page_fields()
    work.sections()
    work.prune()
    content = _as_yaml_data(work.base)
    overrides = [_as_yaml_data(o) for o in work.overrides]
    return Factored(content, overrides, work.variables, work.notes)


__all__ = ["PAGE_KEYS", "QUESTION_KEYS", "TEXT_KEYS", "Factored", "factor"]
