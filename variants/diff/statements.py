"""Statements: each difference of a comparison in words, with the lines that declare it."""

from __future__ import annotations

import json
from typing import Any

from ..pipeline.model import Entry
from ..problems import Loc
from ..source import fields
from ..source.edits import APPEND, PREPEND, REPLACE, Edit
from ..source.fields import QUESTION, SECTION
from ..source.project import is_component_file
from ..source.schema import COMPONENTS, EXTENDS
from .model import BASE, CONTENT, FIELD_NAMES, FORMATTING, FORMATTING_FIELDS, PROGRAM, TOC_ORDER_FIELDS, Statement
from .sides import Settings, Side, page_value
from .structure import Changes

_SHORT = 120  # longer values are not quoted in a statement (the evidence shows them)
_MOVES = ("moved", "reordered")
_OFFSETS = {k.name: k.offset for k in fields.toc_moves()}
_PLACES = tuple(k.name for k in fields.placements())
_REMOVE = fields.removal().name
_HEADLINE = {level: fields.headline(level) for level in (SECTION, QUESTION)}
_ENTRY_LEVELS = (SECTION, QUESTION)


def position(ids: list[str], eid: str, kind: str) -> str:
    k = ids.index(eid)
    if k > 0:
        return f"after {kind} '{ids[k - 1]}'"
    if len(ids) > 1:
        return f"first, before {kind} '{ids[1]}'"
    return f"as the only {kind}"


def show(value: Any, limit: int = _SHORT) -> str:
    """A value for a statement: quoted with escapes; over ``limit`` characters (0: no limit),
    shortened at a word."""
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str):
        return str(value)
    text = json.dumps(value, ensure_ascii=False)
    if not limit or len(text) <= limit:
        return text
    cut = text[: limit - 2]
    return (cut.rsplit(" ", 1)[0] if " " in cut[1:] else cut) + '…"'


def headline(value: Any) -> str:
    """A question or section title for a statement: whole (it is one line)."""
    return show(value, 0)


def statement_key(program: str, target: str, eid: str, field: str, change: str) -> str:
    """A statement's stable key: program/target/id[/field][/place], the same however lines move."""
    parts = [program, target] if target == "output" else [program, target, eid]
    if field:
        parts.append(field)
    elif change in _MOVES:
        parts.append("place")
    return "/".join(parts)


def _long(value: Any) -> bool:
    """Too long to quote in a statement: the evidence shows it."""
    return isinstance(value, str) and (len(value) > _SHORT or "\n" in value.rstrip("\n"))


def _spacing_only(old: Any, new: Any) -> bool:
    """Two texts that differ only in whitespace (spaces, blank lines, line ends)."""
    if not isinstance(old, str) or not isinstance(new, str):
        return False
    return "".join(old.split()) == "".join(new.split())


def difference_kind(key: str, old: Any, new: Any) -> str:
    if key in FORMATTING_FIELDS or _spacing_only(old, new):
        return FORMATTING
    return CONTENT


def join_edits(edits: tuple[Edit, ...]) -> str:
    """Edits in words: 'replaced "FTEâ€™s" with "FTE’s"; appended "..."'."""
    words = {APPEND: "appended", PREPEND: "prepended"}
    said = [
        f"replaced {show(e.old)} with {show(e.text)}" if e.op == REPLACE else f"{words[e.op]} {show(e.text)}"
        for e in edits
    ]
    return "; ".join(said)


def where_of(*locs: Loc | None) -> tuple[Loc, ...]:
    return tuple(sorted({loc for loc in locs if loc is not None}))


class Phrases:
    """Turns the differences of one comparison into statements."""

    def __init__(self, old: Side, new: Side) -> None:
        self.old = old
        self.new = new
        self.out: list[Statement] = []

    def add(
        self,
        category: str,
        change: str,
        target: str,
        eid: str,
        key: str,
        text: str,
        where: tuple[Loc, ...],
        old: Any = None,
        new: Any = None,
    ) -> None:
        stable = statement_key(self.new.name, target, eid, key, change)
        why = self.why(target, eid, where)
        self.out.append(Statement(category, change, target, eid, key, text, where, old, new, stable, why))

    def why(self, target: str, eid: str, where: tuple[Loc, ...]) -> str:
        """What the files that declare a difference say about why: the entry's 'why' (or its
        section's, or the file's); for a component, the component file's own first."""
        if not (self.new.has_why or self.old.has_why):
            return ""
        paths = [loc.path for loc in where]
        entry = eid if target in _ENTRY_LEVELS else ""
        if target == "component":
            own = [p for side in (self.new, self.old) for p in side.whys if _component_file(p, eid)]
            paths = own + paths
        for side in (self.new, self.old):
            for path in paths:
                said = side.why(path, entry)
                if said:
                    return said
        return ""

    def added(self) -> str:
        return "added" if self.old.name == BASE else f"only in {self.new.name},"

    def removed(self) -> str:
        return "removed" if self.old.name == BASE else f"only in {self.old.name}"

    def entry_where(
        self, eid: str, keys: tuple[str, ...] = (), file: str | None = None, having: str = ""
    ) -> tuple[Loc, ...]:
        return where_of(self.old.entry_loc(eid, keys, file, having), self.new.entry_loc(eid, keys, file, having))

    def removal_where(self, eid: str, entry: Entry) -> tuple[Loc, ...]:
        """Where an entry the new side lacks is removed (there), or added (on the old side)."""
        added = self.old.entry_loc(eid, file=entry.added_by) if entry.added_by else None
        return where_of(self.new.entry_loc(eid, having=_REMOVE), added)

    def field(
        self,
        target: str,
        eid: str,
        key: str,
        label: str,
        old: Any,
        new: Any,
        where: tuple[Loc, ...],
        name: str = "",
        edits: tuple[Edit, ...] = (),
    ) -> None:
        """A statement for one changed field, worded by what the field is; an edited text as its edits."""
        name = name or FIELD_NAMES.get(key, key)
        if key in TOC_ORDER_FIELDS:
            word = "after" if _OFFSETS[key] else "before"
            text = (
                f"{label}: listed in the table of contents {word} '{new}'"
                if new is not None
                else (f"{label}: no longer listed {word} '{old}' in the table of contents")
            )
            self.add(CONTENT, "reordered", target, eid, key, text, where, old, new)
            return
        category = difference_kind(key, old, new)
        if edits and old is None:  # an entry another file added, edited here
            change, text = "edited", f"{label}: {name} edited: {join_edits(edits)}"
        elif old is None:
            change, text = "set", f"{label}: {name} {show(new)}"
        elif new is None:
            change, text = "unset", f"{label}: {name} not set (was {show(old)})"
        elif _spacing_only(old, new):
            change, text = "replaced", f"{label}: {name} differs in spacing only (blank lines, spaces)"
        elif edits:
            change, text = "edited", f"{label}: {name} edited: {join_edits(edits)}"
        elif _long(old) or _long(new):
            change, text = "replaced", f"{label}: {name} replaced"
        else:
            change, text = "replaced", f"{label}: {name} {show(old)} → {show(new)}"
        self.add(category, change, target, eid, key if target in _ENTRY_LEVELS else "", text, where, old, new)


def statements(
    old: Side, new: Side, found: Changes, moved: dict[str, list[str]], settings: Settings
) -> list[Statement]:
    say = Phrases(old, new)
    _program_statements(say, settings)
    for key in sorted(found.page):
        a, b = page_value(old.page, key), page_value(new.page, key)
        where = where_of(old.declared(old.page.locs.get(key)), new.declared(new.page.locs.get(key)))
        name, dot, inner = key.partition(".")
        if dot:  # a key of the front matter
            say.field("page", key, key, FIELD_NAMES.get(name, name), a, b, where, name=f"'{inner}'")
        else:
            say.field("page", key, key, "page", a, b, where, edits=new.page.edits.get(key, ()))
    section_ids = [s.id for s in new.page.sections]
    questions = dict(found.questions)
    for sid, how in found.sections.items():
        section = (new if how == "added" else old).sections[sid]
        qids = [q.id for q in section.children]
        listing = f", with question{'s' if len(qids) != 1 else ''} " + ", ".join(f"'{q}'" for q in qids) if qids else ""
        title = section.get(_HEADLINE[SECTION])
        if how == "added":
            text = f"section '{sid}' {say.added()} {position(section_ids, sid, 'section')}{listing}: {headline(title)}"
            say.add(CONTENT, how, "section", sid, "", text, say.entry_where(sid, file=section.added_by), None, title)
            for question in section.children:  # each with its text; a removed section's are named in its statement
                questions.setdefault(question.id, how)
        else:
            text = f"section '{sid}' {say.removed()}{listing}: {headline(title)}"
            say.add(CONTENT, how, "section", sid, "", text, say.removal_where(sid, section), title, None)
    _field_statements(say, "section", found.section_fields, old, new)
    for qid, how in questions.items():
        _question_statements(say, qid, how, found)
    _field_statements(say, "question", found.question_fields, old, new)
    for sid, ids in moved.items():
        kind = "section" if sid == "" else "question"
        new_order = section_ids if sid == "" else [q.id for q in new.sections[sid].children]
        old_order = [s.id for s in old.page.sections] if sid == "" else [q.id for q in old.sections[sid].children]
        for eid in ids:
            text = f"{kind} '{eid}' moved {position(new_order, eid, kind)} (was {position(old_order, eid, kind)})"
            say.add(CONTENT, "reordered", kind, eid, "", text, say.entry_where(eid, _PLACES))
    # Program statements keep their order (declared variables, then the output); the
    # others follow the files that declare them, line by line.
    program = [s for s in say.out if s.category == PROGRAM]
    rest = sorted(
        (s for s in say.out if s.category != PROGRAM),
        key=lambda s: (s.category != CONTENT, s.where[:1] or (Loc("~"),), s.target, s.id, s.field, s.text),
    )
    return program + rest


def _program_statements(say: Phrases, settings: Settings) -> None:
    """The variables and the output name: set by the override (or its default), or differing between two programs."""
    old, new = say.old, say.new
    for name, default_loc in settings.defaults.items():
        value = new.context.get(name)
        if old.name == BASE:
            if name in new.page.variables:  # a default is not declared by the program: the table shows it
                where = where_of(new.page.program_locs.get(name))
                say.add(PROGRAM, "set", "variable", name, "", f"{name} = {show(value)}", where, None, value)
            continue
        before = old.context.get(name)
        if before != value:
            where = where_of(old.page.program_locs.get(name, default_loc), new.page.program_locs.get(name, default_loc))
            text = f"{name}: {show(before)} → {show(value)}"
            say.add(PROGRAM, "replaced", "variable", name, "", text, where, before, value)
    where = where_of(
        old.declared(old.page.locs.get("output")) or (settings.output if old.name != BASE else None),
        new.declared(new.page.locs.get("output")) or settings.output,
    )
    if old.name == BASE:
        if new.declared(new.page.locs.get("output")) is not None:  # from the pattern: not declared
            text = f"output {show(new.page.output)}"
            say.add(PROGRAM, "set", "output", "output", "", text, where, None, new.page.output)
    else:
        text = f"output {old.page.output} → {new.page.output}"
        say.add(PROGRAM, "replaced", "output", "output", "", text, where, old.page.output, new.page.output)
    _layer_statements(say)


def _layers(side: Side) -> dict[tuple[str, str], Loc]:
    """(extends or components, the name) -> where a file of this side says so."""
    found: dict[tuple[str, str], Loc] = {}
    for doc in side.docs:
        if EXTENDS in doc.data:
            found[EXTENDS, str(doc.data[EXTENDS])] = doc.loc((EXTENDS,))
        for n, name in enumerate(doc.data.get(COMPONENTS) or []):
            found.setdefault((COMPONENTS, str(name)), doc.loc((COMPONENTS, n)))
    return found


def _layer_statements(say: Phrases) -> None:
    """The programs a page extends and the components it uses (against another program: the ones that differ)."""
    old, new = _layers(say.old), _layers(say.new)
    for (key, name), loc in new.items():
        if (key, name) in old:
            continue
        what = f"extends '{name}'" if key == EXTENDS else f"uses component '{name}' (base/components/{name}.yml)"
        if say.old.name != BASE:
            what = f"{what} (not {say.old.name})"
        target = "extends" if key == EXTENDS else "component"
        say.add(PROGRAM if key == EXTENDS else CONTENT, "set", target, name, "", what, (loc,), None, name)
    for (key, name), loc in old.items():
        if (key, name) not in new:
            what = f"extends '{name}'" if key == EXTENDS else f"uses component '{name}'"
            target = "extends" if key == EXTENDS else "component"
            text = f"only {say.old.name} {what}"
            say.add(PROGRAM if key == EXTENDS else CONTENT, "unset", target, name, "", text, (loc,), name, None)


def _field_statements(say: Phrases, kind: str, changed: dict[str, set[str]], old: Side, new: Side) -> None:
    """A statement for each changed field of the sections (or questions) both sides have."""
    old_entries, new_entries = (old.sections, new.sections) if kind == SECTION else (old.questions, new.questions)
    for eid, keys in changed.items():
        a_entry, b_entry = old_entries[eid], new_entries[eid]
        for key in sorted(keys):
            where = where_of(old.declared(a_entry.locs.get(key)), new.declared(b_entry.locs.get(key)))
            edits = b_entry.edits.get(key, ())
            say.field(kind, eid, key, f"{kind} '{eid}'", a_entry.get(key), b_entry.get(key), where, edits=edits)


def _question_statements(say: Phrases, qid: str, how: str, found: Changes) -> None:
    """A question added (where it sits, and the formatting it brings) or removed."""
    old, new = say.old, say.new
    side = new if how == "added" else old
    question = side.questions[qid]
    sid = side.owner[qid]
    text_value = question.get(_HEADLINE[QUESTION])
    if qid in old.questions and qid in new.questions:  # in a section of its own on each side: moved
        was, now = old.owner[qid], new.owner[qid]
        where = where_of(new.declared(new.questions[qid].moved_by), old.declared(old.questions[qid].moved_by))
        place = position([q.id for q in new.sections[now].children], qid, "question")
        text = f"question '{qid}' moved from section '{was}' to section '{now}', {place}"
        say.add(CONTENT, "moved", "question", qid, "", text, where, was, now)
        return
    if how == "removed":
        origin = f"from section '{sid}'" if old.name == BASE else f"(section '{sid}')"
        text = f"question '{qid}' {say.removed()} {origin}: {headline(text_value)}"
        say.add(CONTENT, "removed", "question", qid, "", text, say.removal_where(qid, question), text_value, None)
        return
    if found.sections.get(sid) == "added":
        place = f"in the new section '{sid}'"
    else:
        into = "to" if old.name == BASE else "in"
        place = f"{into} section '{sid}', {position([q.id for q in new.sections[sid].children], qid, 'question')}"
    text = f"question '{qid}' {say.added()} {place}: {headline(text_value)}"
    where = say.entry_where(qid, file=question.added_by)
    say.add(CONTENT, "added", "question", qid, "", text, where, None, text_value)
    for key in sorted(question.values):
        loc = question.locs.get(key)
        # set by a file after the one that added it (a base question's keys are the base's)
        later = loc is not None and question.added_by is not None and loc.path != question.added_by
        if key in FORMATTING_FIELDS or key in TOC_ORDER_FIELDS or later:
            where = where_of(new.declared(loc))
            edits = question.edits.get(key, ())
            say.field("question", qid, key, f"question '{qid}'", None, question.get(key), where, edits=edits)


def _component_file(path: str, name: str) -> bool:
    return is_component_file(path) and path.rsplit("/", 1)[-1] == f"{name}.yml"


__all__ = ["Phrases", "difference_kind", "headline", "position", "show", "statement_key", "statements", "where_of"]
