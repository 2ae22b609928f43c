"""Factoring: models of several pages of one family into one base and one small override per page.

A page is modelled as the merger sees it: page texts, sections and questions
with ids and concrete values. For every entry and field the base takes the
template that renders the most pages; each override then says only what its
page changes: fields, entries it adds (with their position), entries it removes,
and table-of-contents moves. Nothing here reads or writes files.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from .detecting import Variable, context
from .errors import Loc
from .merging import Entry, toc_order
from .schema import VAR_PATTERN
from .templating import Template, names_in, render, templatize, to_source

PAGE_KEYS = ("front_matter", "title", "intro", "rule", "toc_end", "footer")
QUESTION_KEYS = ("layout", "rule", "question", "toc", "anchor", "toc_before", "toc_after", "answer")
TEXT_KEYS = {"front_matter", "title", "intro", "rule", "toc_end", "footer", "question", "answer", "toc"}
MOVES = ("toc_before", "toc_after")


class ShapeMismatch(Exception):
    """The pages cannot be written in this shape; the caller tries a simpler one."""


@dataclass
class Item:
    """A section or a question as one page has it: its id and concrete values."""

    id: str
    values: dict[str, Any]
    children: list[Item] = field(default_factory=list)
    toc: list[str] | None = None  # a section's table-of-contents order of question ids (None: body order)


@dataclass
class PageModel:
    """One page as the merger sees it: page-level values (front_matter is a dict) and sections."""

    values: dict[str, Any]
    sections: list[Item]


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


def union_order(lists: list[list[str]]) -> list[str]:
    """One order of ids that keeps the order of every list (ids a page moves cannot be merged)."""
    rank: dict[str, tuple[int, int]] = {}
    after: dict[str, set[str]] = {}
    waiting: Counter[str] = Counter()
    for n, ids in enumerate(lists):
        for position, eid in enumerate(ids):
            rank.setdefault(eid, (position, n))
            after.setdefault(eid, set())
        for one, two in itertools.pairwise(ids):
            if two not in after[one]:
                after[one].add(two)
                waiting[two] += 1
    ready = sorted((eid for eid in rank if not waiting[eid]), key=rank.__getitem__)
    order: list[str] = []
    while ready:
        eid = ready.pop(0)
        order.append(eid)
        for later in after[eid]:
            waiting[later] -= 1
            if not waiting[later]:
                ready.append(later)
        ready.sort(key=rank.__getitem__)
    if len(order) != len(rank) or any(len(set(ids)) != len(ids) for ids in lists):
        raise ShapeMismatch("an entry moves between pages")
    return order


def shared(count: int, total: int) -> bool:
    """Whether an entry on ``count`` of ``total`` pages belongs in the base."""
    return count >= 2 and 2 * count >= total


def toc_moves(body: list[str], toc: list[str]) -> dict[str, tuple[str, str]]:
    """The fewest toc_before/toc_after moves that turn body order into table-of-contents order."""
    if sorted(body) != sorted(toc):
        raise ShapeMismatch("the table of contents and the body list different questions")
    stable = set()
    for block in SequenceMatcher(None, body, toc, autojunk=False).get_matching_blocks():
        stable.update(body[block.a : block.a + block.size])
    order = [q for q in body if q in stable]
    moves: dict[str, tuple[str, str]] = {}
    for qid in body:
        if qid in stable:
            continue
        at = toc.index(qid)
        after, before = toc[at - 1] if at else None, toc[at + 1] if at + 1 < len(toc) else None
        if before in order:
            moves[qid] = ("toc_before", before)
            order.insert(order.index(before), qid)
        elif after in order:
            moves[qid] = ("toc_after", after)
            order.insert(order.index(after) + 1, qid)
        else:
            raise ShapeMismatch("table-of-contents order not expressible")
    return moves


def _simulate(section: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The table-of-contents order the renderer gives questions with these moves."""
    entry = Entry("section", "", {}, {}, Loc(""))
    entry.children = [Entry("question", qid, values, {}, Loc("")) for qid, values in section]
    return [q.id for q in toc_order(entry)]


def _positions(page_ids: list[str], base_ids: set[str]) -> dict[str, tuple[str, str] | None]:
    """Where each entry the page adds goes: after/before a neighbour, or None (appended at the end)."""
    present = [i for i in page_ids if i in base_ids]
    last_base = max((n for n, i in enumerate(page_ids) if i in base_ids), default=-1)
    places: dict[str, tuple[str, str] | None] = {}
    for n, eid in enumerate(page_ids):
        if eid in base_ids:
            continue
        if n > last_base:
            places[eid] = None
        elif n == 0:
            places[eid] = ("before", present[0])
        else:
            places[eid] = ("after", page_ids[n - 1])
    return places


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
            if key == "front_matter":
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
        pages = [m.values["front_matter"] for m in self.models]
        keys = [key for key in pages[0] if all(key in fm for fm in pages)]
        for fm in pages:
            if list(fm) != keys + [key for key in fm if key not in keys]:
                raise ShapeMismatch("front-matter keys in another order")
        base: dict[str, Any] = {}
        for key in keys:
            values = {k: fm[key] for k, fm in enumerate(pages)}
            chosen, ok = self.choose("front_matter", values)
            name = key if key not in PAGE_KEYS else f"page_{key}"
            if len(ok) < self.n and re.match(VAR_PATTERN, name) and name not in {v.name for v in self.variables}:
                self.variables.append(Variable(name, tuple(values[k] for k in range(self.n))))
                self._refresh()
                chosen, ok = self.choose("front_matter", values)
            base[key] = chosen
            for k in range(self.n):
                if k not in ok:
                    self.overrides[k].setdefault("front_matter", {})[key] = self.value(k, "front_matter", values[k])
        for k, fm in enumerate(pages):
            for key in fm:
                if key not in keys:
                    self.overrides[k].setdefault("front_matter", {})[key] = self.value(k, "front_matter", fm[key])
            if "front_matter" in self.overrides[k]:
                self.notes[k].append("front matter: " + ", ".join(self.overrides[k]["front_matter"]))
        self.base["front_matter"] = base

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
        self.base["sections"] = base
        base_ids = {e.id for e in base}
        for k, model in enumerate(self.models):
            patches: list[dict[str, Any]] = []
            for entry in base:
                if entry.id not in by_page[k]:
                    patches.append({"id": entry.id, "remove": True})
                    self.notes[k].append(f"removes section '{entry.id}'")
            places = _positions(lists[k], base_ids)
            for section in model.sections:
                if section.id in base_ids:
                    patch = self.section_patch(k, next(e for e in base if e.id == section.id), section)
                else:
                    patch = self.new_section(k, section, places[section.id])
                if patch is not None:
                    patches.append(patch)
            if patches:
                self.overrides[k]["sections"] = patches

    def base_section(self, sid: str, items: dict[int, Item]) -> _Entry:
        entry = _Entry(sid, {})
        entry.values["title"], _ = self.choose("title", {k: it.values["title"] for k, it in items.items()})
        if any("toc_spacing" in it.values for it in items.values()):
            spacing = {k: it.values.get("toc_spacing") for k, it in items.items()}
            chosen, _ = self.choose("toc_spacing", spacing, {k: v in (None, 1) for k, v in spacing.items()})
            if chosen is not None:
                entry.values["toc_spacing"] = chosen
        lists = {k: [q.id for q in it.children] for k, it in items.items()}
        order = union_order(list(lists.values()))
        for qid in order:
            pages = {k: next(q for q in it.children if q.id == qid) for k, it in items.items() if qid in lists[k]}
            if shared(len(pages), len(items)):
                entry.children.append(self.base_question(qid, pages))
        self.base_moves(entry, items)
        return entry

    def defaults(self, page: int, qid: str, key: str, values: dict[str, Any]) -> Any:
        """What a question shows for ``key`` when its source leaves it out."""
        if key == "toc":
            return values.get("question")
        if key == "anchor":
            return qid
        if key == "rule":
            return self.models[page].values.get("rule")
        if key == "layout":
            return "standard"
        return None

    def base_question(self, qid: str, items: dict[int, Item]) -> _Entry:
        entry = _Entry(qid, {})
        keys = [key for key in QUESTION_KEYS if any(key in it.values for it in items.values())]
        for key in keys:
            values = {k: it.values.get(key) for k, it in items.items()}
            if key in ("question", "answer"):
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
        if key == "toc":
            return self.shows(page, merged["question"])
        return self.defaults(page, qid, key, {})

    def question_patch(self, page: int, base: _Entry, item: Item) -> dict[str, Any]:
        merged = dict(base.values)
        patch: dict[str, Any] = {}
        for key in ("question", "answer", "layout", "anchor", "rule", "toc"):
            want = item.values.get(key)
            if want is None or key not in item.values:
                continue
            if self.effective(page, item.id, key, merged) != want:
                patch[key] = merged[key] = self.value(page, key, want)
        return patch

    def new_question(self, page: int, item: Item) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key in ("layout", "rule", "question", "toc", "anchor", "answer"):
            want = item.values.get(key)
            if key not in item.values or want is None:
                continue
            if key in ("question", "answer") or want != self.effective(page, item.id, key, values):
                values[key] = self.value(page, key, want)
        return values

    def section_patch(self, page: int, base: _Entry, section: Item) -> dict[str, Any] | None:
        patch: dict[str, Any] = {"id": section.id}
        changed: list[str] = []
        title = section.values["title"]
        if self.shows(page, base.values["title"]) != title:
            patch["title"] = self.value(page, "title", title)
            changed.append("title")
        spacing = section.values.get("toc_spacing")
        if spacing is not None and base.values.get("toc_spacing", 1) != spacing:
            patch["toc_spacing"] = spacing
            changed.append("toc_spacing")
        if changed:
            self.notes[page].append(f"changes section '{section.id}': {', '.join(changed)}")
        body = [q.id for q in section.children]
        base_ids = {q.id for q in base.children}
        questions: dict[str, dict[str, Any]] = {}
        order: list[str] = []
        for question in base.children:
            if question.id not in body:
                questions[question.id] = {"id": question.id, "remove": True}
                order.append(question.id)
                self.notes[page].append(f"removes {self.word} '{question.id}'")
        places = _positions(body, base_ids)
        moves: dict[str, dict[str, Any]] = {}
        for item in section.children:
            if item.id in base_ids:
                base_q = next(q for q in base.children if q.id == item.id)
                fields = self.question_patch(page, base_q, item)
                questions[item.id] = {"id": item.id, **fields}
                moves[item.id] = {**base_q.values, **fields}
                if fields:
                    self.notes[page].append(f"changes {self.word} '{item.id}': {', '.join(fields)}")
            else:
                where = places[item.id]
                fields = self.new_question(page, item)
                questions[item.id] = {"id": item.id, **({where[0]: where[1]} if where else {}), **fields}
                moves[item.id] = dict(fields)
                placed = f" {where[0]} '{where[1]}'" if where else " at the end"
                self.notes[page].append(f"adds {self.word} '{item.id}'{placed}")
            order.append(item.id)
        self.fix_moves(body, section.toc if section.toc is not None else body, moves, questions)
        patch["questions"] = [questions[qid] for qid in order if len(questions[qid]) > 1]
        if not patch["questions"]:
            del patch["questions"]
        return patch if len(patch) > 1 else None

    def fix_moves(
        self, body: list[str], toc: list[str], moves: dict[str, dict[str, Any]], patches: dict[str, dict[str, Any]]
    ) -> None:
        """Add the table-of-contents moves a page needs beyond those it inherits."""

        def move_of(values: dict[str, Any]) -> tuple[str, str] | None:
            key = next((k for k in MOVES if k in values), None)
            return (key, values[key]) if key else None

        targets_here = all(
            move is None or (move[1] in body and move[1] != qid) for qid in body for move in [move_of(moves[qid])]
        )
        if targets_here and _simulate([(qid, moves[qid]) for qid in body]) == toc:
            return
        wanted = toc_moves(body, toc)
        for qid in body:
            have, want = move_of(moves[qid]), wanted.get(qid)
            if have == want:
                continue
            if have is not None and (want is None or want[0] != have[0]):
                # An inherited move can be redirected but not dropped: keep its key, name the neighbour.
                at = toc.index(qid)
                if have[0] == "toc_before":
                    neighbour = toc[at + 1] if at + 1 < len(toc) else None
                else:
                    neighbour = toc[at - 1] if at > 0 else None
                if neighbour is None:
                    raise ShapeMismatch("table-of-contents move not expressible")
                want = (have[0], neighbour)
                if want == have:
                    continue
            assert want is not None
            moves[qid][want[0]] = want[1]
            patches[qid][want[0]] = want[1]
        if _simulate([(qid, moves[qid]) for qid in body]) != toc:
            raise ShapeMismatch("table-of-contents order not reproduced")

    def new_section(self, page: int, section: Item, where: tuple[str, str] | None) -> dict[str, Any]:
        patch: dict[str, Any] = {"id": section.id}
        if where:
            patch[where[0]] = where[1]
        patch["title"] = self.value(page, "title", section.values["title"])
        spacing = section.values.get("toc_spacing")
        if spacing not in (None, 1):
            patch["toc_spacing"] = spacing
        questions = {q.id: {"id": q.id, **self.new_question(page, q)} for q in section.children}
        body = [q.id for q in section.children]
        moves = {qid: dict(values) for qid, values in questions.items()}
        self.fix_moves(body, section.toc if section.toc is not None else body, moves, questions)
        patch["questions"] = list(questions.values())
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


def _plain(value: Any) -> Any:
    """Templates as Jinja source, entries as mappings in the usual key order: data ready for YAML."""
    if isinstance(value, tuple):
        return to_source(value)
    if isinstance(value, _Entry):
        data = {"id": value.id, **value.values}
        if value.children or "title" in value.values:
            data["questions"] = value.children
        return _plain(data)
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: _ORDER.get(kv[0], 99))
        return {k: (_fm(v) if k == "front_matter" else _plain(v)) for k, v in items}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _fm(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in values.items()}  # front-matter keys keep the page's order


_ORDER = {
    key: n
    for n, key in enumerate(
        (
            "id",
            "after",
            "before",
            "remove",
            "front_matter",
            "title",
            "intro",
            "layout",
            "rule",
            "toc_end",
            "footer",
            "toc_spacing",
            "question",
            "toc",
            "anchor",
            "toc_before",
            "toc_after",
            "answer",
            "questions",
            "sections",
        )
    )
}


def factor(models: list[PageModel], variables: list[Variable], word: str = "question") -> Factored:
    """The base and overrides that rebuild every modelled page; raise ShapeMismatch when they cannot."""
    work = _Factoring(models, variables, word)
    work.page_fields()
    work.sections()
    work.prune()
    content = _plain(work.base)
    overrides = [_plain(o) for o in work.overrides]
    return Factored(content, overrides, work.variables, work.notes)
