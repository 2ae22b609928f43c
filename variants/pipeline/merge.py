"""Merging: the base content and a program's layers give the program's page content.

Lists merge by id, as kustomize merges by key: an entry whose id is already on
the page patches that entry (only the keys it gives), ``remove: true`` drops it,
``after``/``before`` move it, a question listed under another section moves
there, and an entry with a new id is added (at the end of its list unless
placed). A text may be an edit of the text it inherits (see ``source.edits``).
Every value keeps where it was written, so errors and the diff report can name
the file and line that declared it. Which keys are values, directives or lists
comes from the field table.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..problems import EDITED, Loc, Problem, VariantsError, error, suggest
from ..source import edits, fields
from ..source.fields import ID, PAGE, QUESTION, QUESTIONS, SECTION, SECTIONS
from ..source.project import Project
from ..source.schema import OUTPUT, PROGRAM
from ..source.yamldoc import Doc, Path_
from .checks import check_layouts, check_new_id, check_relaid, check_required, check_toc_positions, check_unique_ids
from .layers import Chain
from .model import Entry, Page
from .reads import required_keys

_PAGE_VALUES = fields.values(PAGE)
_MAP_VALUES = tuple(k.name for k in _PAGE_VALUES if k.kind == "map")
_NOT_VALUES = frozenset(k.name for k in fields.KEYS if k.role in (fields.STRUCTURE, fields.DIRECTIVE, fields.INTENT))
_ROWS = {level: {k.name: k for k in fields.values(level)} for level in (PAGE, SECTION, QUESTION)}
_REMOVE = fields.removal().name
_WHY = fields.intent().name  # may stand beside remove: it says why
_PLACES = fields.placements()
_PLACE_NAMES = tuple(k.name for k in _PLACES)


def map_loc_key(name: str, key: str) -> str:
    """The ``locs`` key of one entry of a page-level map: ``front_matter.title``."""
    return f"{name}.{key}"


def _set(
    level: str,
    owner: str,
    values: dict[str, Any],
    locs: dict[str, Loc],
    done: dict[str, tuple[edits.Edit, ...]],
    doc: Doc,
    path: Path_,
    data: dict[str, Any],
    context: dict[str, Any],
    problems: list[Problem],
) -> None:
    """Set the values ``data`` gives over ``values`` (an edit applies to the value it inherits)."""
    for name, value in data.items():
        if name in _NOT_VALUES:
            continue
        here = (*path, name)
        row = _ROWS[level].get(name)
        if row is not None and row.template and edits.is_edit(value):
            inherited = values.get(name, fields.default_of(row, {ID: context.get(ID), **values}, context))
            made = edits.edits(value, doc.loc, here)
            what = f"the {row.what} of {owner}" if owner else f"the page's {row.what}"
            value, found = edits.apply(str(inherited or ""), made, what)
            problems.extend(found)
            done[name] = done.get(name, ()) + tuple(made)
            values[name] = value
            locs[name] = doc.loc(here)._replace(style=EDITED)
            continue
        done.pop(name, None)
        values[name] = value
        locs[name] = doc.loc(here)


def _entry(
    kind: str, doc: Doc, path: Path_, data: dict[str, Any], page: dict[str, Any], problems: list[Problem]
) -> Entry:
    """A new entry, as a file writes it."""
    entry = Entry(kind, data[ID], {}, {}, doc.loc(path))
    _set(kind, f"{kind} '{entry.id}'", entry.values, entry.locs, entry.edits, doc, path, data, page, problems)
    return entry


def _patched(
    base: Entry, doc: Doc, path: Path_, data: dict[str, Any], page: dict[str, Any], problems: list[Problem]
) -> Entry:
    """``base`` with the values ``data`` gives (the entry itself is left as it is)."""
    entry = replace(base, values=dict(base.values), locs=dict(base.locs), edits=dict(base.edits))
    context = {**page, ID: base.id}
    owner = f"{base.kind} '{base.id}'"
    _set(base.kind, owner, entry.values, entry.locs, entry.edits, doc, path, data, context, problems)
    return entry


def _page_values(page: Page, doc: Doc, problems: list[Problem]) -> None:
    """Set the page-level values ``doc`` gives into ``page`` (maps merged key by key)."""
    data = {k.name: doc.data[k.name] for k in _PAGE_VALUES if k.name in doc.data}
    for name in _MAP_VALUES:
        if name in data:
            page.values[name] = {**page.values.get(name, {}), **data.pop(name)}
            for key in doc.data[name]:
                page.locs[map_loc_key(name, key)] = doc.loc((name, key))
            page.locs[name] = doc.loc((name,))
    _set(PAGE, "", page.values, page.locs, page.edits, doc, (), data, page.values, problems)


def base_page(project: Project) -> Page:
    """The base content on its own, checked for duplicate ids and missing texts."""
    doc = project.content
    problems: list[Problem] = []
    sections: list[Entry] = []
    seen: dict[str, Loc] = {}
    page = Page("base", "base", "", {}, {}, {}, sections)
    _page_values(page, doc, problems)
    for i, sdata in enumerate(doc.data.get(SECTIONS) or []):
        section = _entry(SECTION, doc, (SECTIONS, i), sdata, page.values, problems)
        check_new_id(seen, section, problems)
        check_required(section, project, problems)
        for j, qdata in enumerate(sdata.get(QUESTIONS) or []):
            question = _entry(QUESTION, doc, (SECTIONS, i, QUESTIONS, j), qdata, page.values, problems)
            check_new_id(seen, question, problems)
            check_required(question, project, problems)
            section.children.append(question)
        sections.append(section)
    if problems:
        raise VariantsError(problems)
    return page


def resolve(project: Project, program: Chain, base: Page, slug: str) -> Page:
    """Apply a program's layers over the base content; raise with every problem found."""
    if program.problems:  # a broken chain: nothing else can be told of the page
        raise VariantsError(program.problems)
    problems: list[Problem] = []
    own = program.overrides[-1].doc
    page = Page(
        slug,
        own.path,
        "",
        {},
        dict(base.values),
        dict(base.locs),
        base.sections,
        edits=dict(base.edits),
        layers=tuple(layer.doc.path for layer in program.layers),
    )
    for layer in program.layers:
        _page_values(page, layer.doc, problems)
        page.sections = _merge_sections(project, page, layer.doc, problems)
    page.variables, page.program_locs = _variables(project, [o.doc for o in program.overrides], problems)
    output_doc = next((o.doc for o in reversed(program.overrides) if OUTPUT in o.doc.data), None)
    if output_doc is not None and output_doc is own:
        page.locs[OUTPUT] = own.loc((OUTPUT,))
    page.output = own.data.get(OUTPUT) or project.output_of(slug)
    check_toc_positions(page, problems)
    check_unique_ids(page, problems)
    check_layouts(page, project.layouts(), problems)
    if not problems:  # a later layer may give an entry another layout, which writes other texts
        check_relaid(page, project, problems)
    if problems:
        raise VariantsError(problems)
    return page


def _variables(project: Project, docs: list[Doc], problems: list[Problem]) -> tuple[dict[str, str], dict[str, Loc]]:
    """The program variables the chain's files set (the program's own last, so it wins), and where."""
    declared = project.variables
    values: dict[str, str] = {}
    locs: dict[str, Loc] = {}
    for doc in docs:
        for key, value in (doc.data.get(PROGRAM) or {}).items():
            if key not in declared:
                message = f"unknown program variable '{key}'{suggest(key, declared)}; declare it in base/variants.yml"
                problems.append(error(doc.key_loc((PROGRAM, key)), message, "unknown-key"))
                continue
            values[key] = value
            locs[key] = doc.loc((PROGRAM, key))
    own = docs[-1]
    for key, spec in declared.items():
        if (spec or {}).get("required") and key not in values:
            problems.append(error(own.loc((PROGRAM,)), f"missing required program variable '{key}'", "missing-key"))
    return values, locs


def _merge_sections(project: Project, page: Page, doc: Doc, problems: list[Problem]) -> list[Entry]:
    """The page's sections with one layer's section patches applied (questions may move between sections)."""
    patches = doc.data.get(SECTIONS) or []
    owner = {q.id: s.id for s in page.sections for q in s.children}
    section_ids = {s.id for s in page.sections}
    moving: dict[str, tuple[str, Loc]] = {}  # question id -> (the section it goes to, where the layer says so)
    for i, spatch in enumerate(patches):
        for j, qpatch in enumerate(spatch.get(QUESTIONS) or []):
            qid = qpatch[ID]
            if qid in owner and owner[qid] != spatch[ID] and not qpatch.get(_REMOVE):
                moving[qid] = (spatch[ID], doc.loc((SECTIONS, i, QUESTIONS, j)))
    moved: dict[str, Entry] = {}
    sections = page.sections
    if moving:
        sections = []
        for section in page.sections:
            kept = []
            for question in section.children:
                if question.id in moving:
                    moved[question.id] = replace(question, moved_by=moving[question.id][1])
                else:
                    kept.append(question)
            sections.append(replace(section, children=kept))
    merger = _Merger(project, page, doc, problems, owner, section_ids, moved)
    return merger.merge(sections, patches, (SECTIONS,))


class _Merger:
    """Applies one layer's list patches; ``moved`` holds questions taken out of their sections to go elsewhere."""

    def __init__(
        self,
        project: Project,
        page: Page,
        doc: Doc,
        problems: list[Problem],
        owner: dict[str, str],
        sections: set[str],
        moved: dict[str, Entry],
    ) -> None:
        self.project, self.page, self.doc, self.problems = project, page, doc, problems
        self.owner, self.section_ids, self.moved = owner, sections, moved

    def merge(self, items: list[Entry], patches: list[dict[str, Any]], path: Path_, parent: str = "") -> list[Entry]:
        """Apply a list of id-keyed patches to ``items`` (which stay unchanged)."""
        doc, problems = self.doc, self.problems
        result = list(items)
        seen: dict[str, Loc] = {}
        kind = QUESTION if parent else SECTION
        later = {p[ID] for p in patches if not p.get(_REMOVE)}  # ids this list has: a placement may name them
        waiting: list[tuple[Entry, dict[str, Any], Path_]] = []  # placed next to an entry the list adds later
        ids = _Ids(result)
        for i, patch in enumerate(patches):
            here = (*path, i)
            loc = doc.loc(here)
            eid = patch[ID]
            if eid in seen:
                message = f"duplicate id '{eid}' (first used at line {seen[eid].line})"
                problems.append(error(loc, message, "id-duplicates"))
                continue
            seen[eid] = loc
            index = ids.find(eid)
            if index is None and (eid in self.section_ids if kind == QUESTION else eid in self.owner):
                where = "a section id" if kind == QUESTION else f"section '{self.owner[eid]}'"
                problems.append(error(loc, f"id '{eid}' is already used by {where}", "id-duplicates"))
                continue
            if patch.get(_REMOVE):
                self._remove(result, index, patch, kind, loc)
                ids.changed()
                continue
            if index is None and eid in self.moved:
                result.append(self.moved.pop(eid))
                ids.changed()
                index = len(result) - 1
            if index is None:
                entry = self._added(kind, here, patch, result)
                if entry is None:
                    continue
            else:
                base = result.pop(index)
                entry = _patched(base, doc, here, patch, self.page.values, problems)
                if QUESTIONS in patch:
                    entry.children = self.merge(base.children, patch[QUESTIONS], (*here, QUESTIONS), eid)
                if not any(k in patch for k in _PLACE_NAMES):
                    result.insert(index, entry)  # where it was: every other entry stays where it stood
                    continue
            ids.changed()
            target = _target(patch)
            absent = target in later and target not in seen and ids.find(target) is None
            if absent or any(w[0].id == target for w in waiting):
                waiting.append((entry, patch, here))
                continue
            self._place(result, entry, patch, here, index)
            ids.changed()
        while waiting:  # placed next to entries added later in the list, once those are placed
            ready = [w for w in waiting if not any(other[0].id == _target(w[1]) for other in waiting)]
            for entry, patch, here in ready or waiting:  # none ready: they name each other in a circle
                self._place(result, entry, patch, here, None, circle=not ready)
            waiting = [w for w in waiting if w not in ready] if ready else []
        return result

    def _remove(self, result: list[Entry], index: int | None, patch: dict[str, Any], kind: str, loc: Loc) -> None:
        extra = sorted(set(patch) - {ID, _REMOVE, _WHY})
        eid = patch[ID]
        if extra:
            self.problems.append(error(loc, f"'{_REMOVE}: true' cannot be combined with {', '.join(extra)}", "remove"))
        elif index is None:
            message = f"cannot remove {kind} '{eid}': not in the base{_near(eid, result)}"
            self.problems.append(error(loc, message, "reference"))
        else:
            self.page.removed[eid] = loc
            del result[index]

    def _added(self, kind: str, here: Path_, patch: dict[str, Any], result: list[Entry]) -> Entry | None:
        """A new entry the layer adds (with its questions, for a section), or None when it cannot be."""
        doc, problems = self.doc, self.problems
        entry = _entry(kind, doc, here, patch, self.page.values, problems)
        entry.added_by = doc.path
        missing = [k for k in required_keys(self.project, kind, entry.get(fields.LAYOUT)) if k not in entry.values]
        moves = [q[ID] for q in patch.get(QUESTIONS) or [] if q[ID] in self.moved]
        if missing and moves:
            message = (
                f"cannot move question '{moves[0]}' to section '{entry.id}': no such section{_near(entry.id, result)}"
            )
            problems.append(error(doc.loc(here), message, "reference"))
            return None
        if missing:
            near = _near(entry.id, result)
            message = f"{kind} '{entry.id}' is not in the base, so adding it needs '{missing[0]}'{near}"
            problems.append(error(doc.loc(here), message, "missing-key"))
            return None
        for j, qpatch in enumerate(patch.get(QUESTIONS) or []):
            qhere = (*here, QUESTIONS, j)
            if qpatch[ID] in self.moved:
                question = _patched(self.moved.pop(qpatch[ID]), doc, qhere, qpatch, self.page.values, problems)
            else:
                question = _entry(QUESTION, doc, qhere, qpatch, self.page.values, problems)
                question.added_by = doc.path
                check_required(question, self.project, problems)
            if qpatch.get(_REMOVE) or any(k in qpatch for k in _PLACE_NAMES):
                words = "/".join((*_PLACE_NAMES, _REMOVE))
                message = f"a new section lists its questions in order, without {words}"
                problems.append(error(question.loc, message, "position"))
            entry.children.append(question)  # a duplicate id is reported once the page is whole
        return entry

    def _place(
        self,
        result: list[Entry],
        entry: Entry,
        patch: dict[str, Any],
        here: Path_,
        at: int | None,
        circle: bool = False,
    ) -> None:
        """Put ``entry`` next to the entry its placing key names; where that is wrong, report it and leave
        the entry where it was (``at``, or at the end), so nothing else is reported because of it."""
        doc, problems = self.doc, self.problems
        given = [row for row in _PLACES if row.name in patch]
        if len(given) > 1:
            message = f"give '{given[0].name}' or '{given[1].name}', not both"
            problems.append(error(doc.loc(here), message, "position"))
        for row in given[:1]:
            target = patch[row.name]
            index = next((n for n, e in enumerate(result) if e.id == target), None)
            if target == entry.id:
                message = f"'{row.name}: {target}' names this {entry.kind} itself; name a neighbour"
                problems.append(error(doc.loc((*here, row.name)), message, "reference"))
            elif circle:
                message = (
                    f"'{row.name}: {target}': the entries this list places next to each other go round in a circle"
                )
                problems.append(error(doc.loc((*here, row.name)), message, "position"))
            elif index is None:
                message = f"'{row.name}: {target}': no such {entry.kind} here{_near(target, result)}"
                problems.append(error(doc.loc((*here, row.name)), message, "reference"))
            elif len(given) == 1:
                result.insert(index + row.offset, entry)
                return
        result.insert(len(result) if at is None else at, entry)


class _Ids:
    """Where each id first stands in a list being merged, worked out again only once the list changed
    shape: a layer patching thousands of entries in place finds each in constant time."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self._at: dict[str, int] | None = None

    def find(self, eid: str) -> int | None:
        if self._at is None:
            self._at = {}
            for n, entry in enumerate(self.entries):
                self._at.setdefault(entry.id, n)
        return self._at.get(eid)

    def changed(self) -> None:
        self._at = None


def _target(patch: dict[str, Any]) -> Any:
    """The id an entry's placing key names (None when it has none)."""
    return next((patch[k] for k in _PLACE_NAMES if k in patch), None)


def _near(eid: str, entries: list[Entry]) -> str:
    return suggest(eid, [e.id for e in entries])


__all__ = ["base_page", "map_loc_key", "resolve"]
