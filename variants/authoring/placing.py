"""Where and how one reading of a hand edit is written into the sources.

A changed text goes into the program's own override: as a partial edit of the
text it inherits (whole words, a passage that occurs once), as a new text
where that is shorter, or into the text the override already sets. With
``shared`` it goes into the base or component text that wrote the changed
stretch, the program's names written back as its variables, so every program
gets it. A value that is not a text (a front-matter flag, the final line
break) is set in the override, or with ``shared`` in the base or component
that sets it. A template's literal text changes in the template (shared only);
a new question becomes an entry placed after the question it follows; a
deleted one, an entry that removes it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NamedTuple

from ..pipeline.build import Build, Program
from ..problems import Loc
from ..source import edits
from ..source.fields import ANCHOR, ID, ID_PATTERN, QUESTIONS, SECTIONS, placements, removal
from ..source.yamldoc import Doc
from ..trace.chain import made_by, page_layers, setters, value_chain
from ..trace.render import Origin
from .blocks import NewQuestion, RemovedQuestion
from .handedits import PieceChange, Reading, TextChange, ValueChange
from .yamledit import CannotEdit, Item, YPath, insert_item, set_value

_WORD_EDGE = re.compile(r"\s")
_SYNTAX_SPAN = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_PLACING = {row.offset: row.name for row in placements()}  # 1: after, 0: before
_REMOVE = removal().name
_SHARED = ("base", "component")  # the layers every program that uses them shares


class Refused(Exception):
    """A change that cannot be made in the sources: why, and the hint of what to do instead."""

    def __init__(self, reason: str, hint: str = "") -> None:
        super().__init__(reason)
        self.reason, self.hint = reason, hint


class Written(NamedTuple):
    """One source change: where, and what."""

    loc: Loc
    what: str


class Sources:
    """The scratch copy of a project's sources, the texts changed in it, and those texts as they were."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.changed: dict[str, str] = {}
        self.original: dict[str, str] = {}

    def text(self, rel: str) -> str:
        if rel in self.changed:
            return self.changed[rel]
        return (self.root / rel).read_bytes().decode("utf-8")  # as it is: \r\n and a byte order mark kept

    def write(self, rel: str, text: str) -> None:
        self.original.setdefault(rel, self.text(rel))
        self.changed[rel] = text
        (self.root / rel).write_text(text, encoding="utf-8", newline="")


def write_reading(
    work: Sources, built: Build, program: Program, reading: Reading, shared: bool, variables: dict[str, str]
) -> Written:
    """Write one reading of the program's hand edits into the scratch sources (raises ``Refused``
    or ``CannotEdit`` when it cannot be written)."""
    if isinstance(reading, NewQuestion):
        return _new_question(work, built, program, reading, shared, variables)
    if isinstance(reading, RemovedQuestion):
        return _removed(work, program, reading, shared)
    if isinstance(reading, PieceChange):
        return _piece(work, reading, shared)
    if isinstance(reading, ValueChange):
        return _value(work, built, program, reading, shared)
    return _text(work, built, program, reading, shared, variables)


def _piece(work: Sources, change: PieceChange, shared: bool) -> Written:
    origin = change.origin
    where = Loc(origin.loc.path, origin.loc.line)
    if not shared:
        raise Refused(f"the text is written by {where}, which every program shares", "to-base")
    text = work.text(origin.loc.path)
    start = origin.start + text.startswith("\ufeff")  # offsets count from after a byte order mark
    if text[start : start + len(origin.source)] != origin.source:
        raise CannotEdit(f"{where} changed while adopting")
    work.write(origin.loc.path, text[:start] + change.new + text[start + len(origin.source) :])
    return Written(where, "the template's text")


def _text(
    work: Sources, built: Build, program: Program, change: TextChange, shared: bool, variables: dict[str, str]
) -> Written:
    origin = change.origin
    assert program.page is not None and program.override is not None
    layers = page_layers(built.project, program.page, program.override)
    found = setters(layers, origin)
    own = program.override.doc
    if shared:
        done = _into_shared(work, layers, change, variables)
        if done is not None:
            return done
    path = _ypath(program, origin)
    mine = [(doc, p) for doc, p, _ in found if doc.path == own.path]
    value: Any
    if origin.key.partition(".")[2]:  # an entry of a front-matter map: a whole text
        value, how = change.new, "a new text"
    elif mine and isinstance(_at(mine[-1][0], mine[-1][1]), str):
        value, how = change.new, "its text"
    else:
        edit = _edit(change.old, change.new)
        existing = _at(mine[-1][0], mine[-1][1]) if mine else None
        edits_now = existing if isinstance(existing, list) else [existing] if isinstance(existing, dict) else []
        if not edits_now and len(change.new) <= sum(len(str(v)) for v in edit.values()):
            value, how = change.new, "a new text"
        else:
            value, how = [*edits_now, edit] if edits_now else edit, "a partial edit"
    text, line = set_value(work.text(own.path), path, value)
    work.write(own.path, text)
    return Written(Loc(own.path, line), f"{_name(origin)}: {how}")


def _value(work: Sources, built: Build, program: Program, change: ValueChange, shared: bool) -> Written:
    """A value that is not a text, set in the override (or, shared, where the base or a component sets it)."""
    assert program.page is not None and program.override is not None
    home = program.override.doc.path
    if shared:
        layers = page_layers(built.project, program.page, program.override)
        found = setters(layers, change.origin)
        if not found:
            home = built.project.content.path
        elif found[-1][2] in _SHARED:
            home = found[-1][0].path
    text, line = set_value(work.text(home), _ypath(program, change.origin), change.value)
    work.write(home, text)
    return Written(Loc(home, line), f"{_name(change.origin)}: set to {json.dumps(change.value, ensure_ascii=False)}")


def _into_shared(
    work: Sources, layers: list[tuple[Doc, str]], change: TextChange, variables: dict[str, str]
) -> Written | None:
    """The change made in the shared text that wrote the changed stretch, if one did (a text of
    the base or a component; not the program's own, nor an edit)."""
    steps = value_chain(layers, change.origin)
    made = made_by(steps)
    if made is None or len(made) != len(change.old) or not made:
        return None
    start, end = _changed(change.old, change.new)
    around = range(start, end) if end > start else [k for k in (start - 1, start) if 0 <= k < len(made)]
    writers = {made[k][0] for k in around}
    if len(writers) != 1:
        return None
    step = steps[writers.pop()]
    if step.how != "set" or step.layer not in _SHARED:
        return None
    if end > start:
        first, last = made[start][1], made[end - 1][1] + 1
    else:
        first = last = (
            made[start - 1][1] + 1 if start > 0 and made[start - 1][0] == made[around[0]][0] else made[start][1]
        )
    path = _ypath_in(doc := next(doc for doc, _ in layers if doc.path == step.loc.path), step.at)
    key = change.origin.key.partition(".")[2] or change.origin.key  # a front-matter entry: its name
    if path[-1] != key:  # the text of the key it defaults to: the key gets a text of its own
        if len(path) < 2 or not isinstance(path[-2], Item) or path[-2].id != change.origin.entry:
            return None
        path = (*path[:-1], key)
    middle = _templated(change.new[start : len(change.new) - (len(change.old) - end)], variables)
    text, line = set_value(work.text(doc.path), path, step.text[:first] + middle + step.text[last:])
    work.write(doc.path, text)
    return Written(Loc(doc.path, line), f"{_name(change.origin)}: its text, for every program")


def _new_question(
    work: Sources, built: Build, program: Program, new: NewQuestion, shared: bool, variables: dict[str, str]
) -> Written:
    page = program.page
    assert page is not None and program.override is not None
    values = dict(new.values)
    qid = values.pop(ID, None) or values.pop(ANCHOR, None)
    values.pop(ANCHOR, None)
    if not qid or not re.fullmatch(ID_PATTERN, qid):
        raise Refused("the new question has no anchor that can be its id")
    owner = {q.id: s for s in page.sections for q in s.children}
    if qid in owner or any(s.id == qid for s in page.sections):
        raise Refused(f"a question or section '{qid}' is already on the page; give the new one another anchor")
    near = new.after or new.before
    if near is None or near not in owner:
        raise Refused("the new question stands where no section has questions")
    section = owner[near]
    if shared:
        base_ids = [q.id for s in built.base.sections for q in s.children]
        if section.id in {s.id for s in built.base.sections} and (new.after is None or new.after in base_ids):
            item = {ID: qid, **{k: _templated(v, variables) for k, v in values.items()}}
            content = built.project.content.path
            text, line = insert_item(work.text(content), (SECTIONS, Item(section.id), QUESTIONS), item, new.after)
            work.write(content, text)
            return Written(Loc(content, line), f"question '{qid}': added for every program")
    own = program.override.doc.path
    placed = {_PLACING[1]: new.after} if new.after else {_PLACING[0]: new.before}
    if section.added_by == own:  # a section the program adds lists its questions in order
        text, line = insert_item(
            work.text(own), (SECTIONS, Item(section.id), QUESTIONS), {ID: qid, **values}, new.after
        )
    else:
        text, line = set_value(work.text(own), (SECTIONS, Item(section.id), QUESTIONS, Item(qid)), {**placed, **values})
    work.write(own, text)
    return Written(Loc(own, line), f"question '{qid}': added")


def _removed(work: Sources, program: Program, removed: RemovedQuestion, shared: bool) -> Written:
    """A question deleted by hand: an entry of the override that removes it (all its other keys go)."""
    assert program.page is not None and program.override is not None
    section = next(s for s in program.page.sections if any(q.id == removed.id for q in s.children))
    question = next(q for q in section.children if q.id == removed.id)
    own = program.override.doc.path
    if shared:
        where = Loc(question.loc.path, question.loc.line)
        raise Refused(f"removing question '{removed.id}' for every program is deleting it at {where}; do that by hand")
    if question.added_by == own:
        raise Refused(f"question '{removed.id}' is added at {question.loc}; delete it there by hand")
    path = (SECTIONS, Item(section.id), QUESTIONS, Item(removed.id))
    text, line = set_value(work.text(own), path, {_REMOVE: True})
    work.write(own, text)
    return Written(Loc(own, line), f"question '{removed.id}': removed")


def _changed(old: str, new: str) -> tuple[int, int]:
    """Where ``new`` differs from ``old``: the stretch of ``old`` between their common ends."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    return start, len(old) - end


def _edit(old: str, new: str) -> dict[str, str]:
    """The smallest partial edit of ``old`` that gives ``new``: whole words, a passage found once."""
    start, end = _changed(old, new)
    tail = len(old) - end
    if start == len(old) and tail == 0:
        return {edits.APPEND: new[len(old) :]}
    if end == 0 and start == 0 and new.endswith(old):
        return {edits.PREPEND: new[: len(new) - len(old)]}
    while start > 0 and not _WORD_EDGE.match(old[start - 1]):
        start -= 1
    while end < len(old) and not _WORD_EDGE.match(old[end]):
        end += 1
    for tag in _SYNTAX_SPAN.finditer(old):  # never cut through template syntax: {{ name }} is one word
        if tag.start() < start < tag.end():
            start = tag.start()
        if tag.start() < end < tag.end():
            end = tag.end()
    while (old.count(old[start:end]) != 1 or start == end) and (start > 0 or end < len(old)):
        start = _word_start(old, start - 1) if start > 0 else 0  # a word more on each side
        if old.count(old[start:end]) != 1:
            end = _word_end(old, end + 1) if end < len(old) else end
    return {edits.REPLACE: old[start:end], edits.WITH: new[start : len(new) - (len(old) - end)]}


def _word_start(text: str, at: int) -> int:
    while at > 0 and not _WORD_EDGE.match(text[at - 1]):
        at -= 1
    return max(at, 0)


def _word_end(text: str, at: int) -> int:
    while at < len(text) and not _WORD_EDGE.match(text[at]):
        at += 1
    return min(at, len(text))


def _templated(text: str, variables: dict[str, str]) -> str:
    """Shared text written with the program's names as variables, so every program reads its own."""
    for name, value in sorted(variables.items(), key=lambda item: -len(item[1])):
        if len(value) >= 4:
            text = text.replace(value, "{{ " + name + " }}")
    return text


def _at(doc: Doc, path: tuple[str | int, ...]) -> Any:
    value: Any = doc.data
    for part in path:
        value = value[part]
    return value


def _ypath_in(doc: Doc, path: tuple[str | int, ...]) -> YPath:
    """A document path (with list indices) as a path of ids."""
    out: list[str | Item] = []
    value: Any = doc.data
    for part in path:
        value = value[part]
        out.append(Item(str(value[ID])) if isinstance(part, int) else part)
    return tuple(out)


def _ypath(program: Program, origin: Origin) -> YPath:
    """Where the program's override sets the value ``origin`` names."""
    assert program.page is not None
    if not origin.entry:
        head, _, sub = origin.key.partition(".")
        return (head, sub) if sub else (origin.key,)
    for section in program.page.sections:
        if section.id == origin.entry:
            return (SECTIONS, Item(section.id), origin.key)
        if any(q.id == origin.entry for q in section.children):
            return (SECTIONS, Item(section.id), QUESTIONS, Item(origin.entry), origin.key)
    raise CannotEdit(f"'{origin.entry}' is not on the page")


def _name(origin: Origin) -> str:
    return f"{origin.key} of '{origin.entry}'" if origin.entry else origin.key


__all__ = ["Refused", "Sources", "Written", "write_reading"]
