"""Merging: base content plus one override gives one program's page content.

Lists merge by id, as kustomize merges by key: an override entry whose id is in
the base patches that entry (only the keys it gives), ``remove: true`` drops it,
``after``/``before`` move it, and an entry with a new id is added (at the end of
its list unless placed). Every value keeps where it was written, so errors and
the diff report can name the file and line that declared it. Which keys are
values, directives or lists comes from the field table.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..problems import Loc, Problem, VariantsError, error, suggest
from ..source import fields
from ..source.fields import ID, PAGE, QUESTION, QUESTIONS, SECTION, SECTIONS
from ..source.project import Override, Project
from ..source.yamldoc import Doc, Path_
from .model import Entry, Page, toc_moves

_PAGE_VALUES = tuple(k.name for k in fields.values(PAGE))
_MAP_VALUES = tuple(k.name for k in fields.values(PAGE) if k.kind == "map")
_NOT_VALUES = frozenset(k.name for k in fields.KEYS if k.role in (fields.STRUCTURE, fields.DIRECTIVE))
_TO_ADD = {level: tuple(k.name for k in fields.at(level) if k.required_to_add) for level in (SECTION, QUESTION)}
_REMOVE = fields.removal().name
_PLACES = fields.placements()
_PLACE_NAMES = tuple(k.name for k in _PLACES)


def map_loc_key(name: str, key: str) -> str:
    """The ``locs`` key of one entry of a page-level map: ``front_matter.title``."""
    return f"{name}.{key}"


def _entry(kind: str, doc: Doc, path: Path_, data: dict[str, Any]) -> Entry:
    values = {k: v for k, v in data.items() if k not in _NOT_VALUES}
    locs = {k: doc.loc((*path, k)) for k in values}
    return Entry(kind, data[ID], values, locs, doc.loc(path))


def _page_values(doc: Doc, data: dict[str, Any], values: dict[str, Any], locs: dict[str, Loc]) -> None:
    """Set the page-level values ``data`` gives (maps merged key by key) into ``values`` and ``locs``."""
    for name in _PAGE_VALUES:
        if name not in data:
            continue
        if name in _MAP_VALUES:
            values[name] = {**values.get(name, {}), **data[name]}
            for key in data[name]:
                locs[map_loc_key(name, key)] = doc.loc((name, key))
        else:
            values[name] = data[name]
        locs[name] = doc.loc((name,))


def base_page(project: Project) -> Page:
    """The base content on its own, checked for duplicate ids and missing texts."""
    doc = project.content
    problems: list[Problem] = []
    sections: list[Entry] = []
    seen: dict[str, Loc] = {}
    for i, sdata in enumerate(doc.data.get(SECTIONS) or []):
        section = _entry(SECTION, doc, (SECTIONS, i), sdata)
        _check_new_id(seen, section, problems)
        _check_required(section, problems)
        for j, qdata in enumerate(sdata.get(QUESTIONS) or []):
            question = _entry(QUESTION, doc, (SECTIONS, i, QUESTIONS, j), qdata)
            _check_new_id(seen, question, problems)
            _check_required(question, problems)
            section.children.append(question)
        sections.append(section)
    if problems:
        raise VariantsError(problems)
    values: dict[str, Any] = {}
    locs: dict[str, Loc] = {}
    _page_values(doc, doc.data, values, locs)
    return Page("base", "base", "", {}, values, locs, sections)


def _check_new_id(seen: dict[str, Loc], entry: Entry, problems: list[Problem]) -> None:
    # Section and question ids share one namespace: both become anchors and merge keys.
    if entry.id in seen:
        first = seen[entry.id]
        where = f"line {first.line}" if first.path == entry.loc.path else str(first)
        problems.append(error(entry.loc, f"duplicate id '{entry.id}' (first used at {where})", "id-duplicates"))
    else:
        seen[entry.id] = entry.loc


def _check_required(entry: Entry, problems: list[Problem]) -> None:
    for key in _TO_ADD[entry.kind]:
        if key not in entry.values:
            problems.append(error(entry.loc, f"{entry.kind} '{entry.id}' has no '{key}'", "missing-key"))


def resolve(project: Project, override: Override, base: Page | None = None) -> Page:
    """Merge ``override`` over the base content; raise with every problem found."""
    base = base or base_page(project)
    doc = override.doc
    data = doc.data
    problems: list[Problem] = []
    variables = _variables(project, doc, problems)
    values = dict(base.values)
    locs = dict(base.locs)
    _page_values(doc, data, values, locs)
    if "output" in data:
        locs["output"] = doc.loc(("output",))
    owner = {q.id: s.id for s in base.sections for q in s.children}
    owner.update({s.id: "" for s in base.sections})
    sections = _merge_list(base.sections, data.get(SECTIONS) or [], doc, (SECTIONS,), owner, problems)
    page = Page(
        override.slug,
        override.path,
        data.get("output") or project.output_of(override.slug),
        variables,
        values,
        locs,
        sections,
        {k: doc.loc(("program", k)) for k in variables if k in (data.get("program") or {})},
    )
    _check_toc_positions(page, problems)
    _check_unique_ids(page, problems)
    _check_layouts(page, project.layouts(), problems)
    if problems:
        raise VariantsError(problems)
    return page


def _variables(project: Project, doc: Doc, problems: list[Problem]) -> dict[str, str]:
    declared = project.variables
    given: dict[str, str] = doc.data.get("program") or {}
    for key in given:
        if key not in declared:
            problems.append(
                error(
                    doc.key_loc(("program", key)),
                    f"unknown program variable '{key}'{suggest(key, declared)}; declare it in base/variants.yml",
                    "unknown-key",
                )
            )
    for key, spec in declared.items():
        if (spec or {}).get("required") and key not in given:
            problems.append(error(doc.loc(("program",)), f"missing required program variable '{key}'", "missing-key"))
    return {k: v for k, v in given.items() if k in declared}


def _merge_list(
    items: list[Entry],
    patches: list[dict[str, Any]],
    doc: Doc,
    path: Path_,
    owner: dict[str, str],
    problems: list[Problem],
    parent: str = "",
) -> list[Entry]:
    """Apply a list of id-keyed patches to ``items`` (which stay unchanged)."""
    result = list(items)
    seen: dict[str, Loc] = {}
    kind = QUESTION if parent else SECTION
    for i, patch in enumerate(patches):
        here = (*path, i)
        loc = doc.loc(here)
        eid = patch[ID]
        if eid in seen:
            problems.append(error(loc, f"duplicate id '{eid}' (first used at line {seen[eid].line})", "id-duplicates"))
            continue
        seen[eid] = loc
        index = next((n for n, e in enumerate(result) if e.id == eid), None)
        if index is None and eid in owner and owner[eid] != parent:
            where = f"section '{owner[eid]}'" if owner[eid] else "a section id"
            problems.append(error(loc, f"id '{eid}' is already used by {where}", "id-duplicates"))
            continue
        if patch.get(_REMOVE):
            extra = sorted(set(patch) - {ID, _REMOVE})
            if extra:
                problems.append(error(loc, f"'{_REMOVE}: true' cannot be combined with {', '.join(extra)}", "remove"))
            elif index is None:
                message = f"cannot remove {kind} '{eid}': not in the base{_near(eid, result)}"
                problems.append(error(loc, message, "reference"))
            else:
                del result[index]
            continue
        if index is None:
            entry = _added(kind, doc, here, patch, result, problems)
            if entry is None:
                continue
        else:
            base = result.pop(index)
            patched = _entry(kind, doc, here, patch)
            entry = replace(base, values={**base.values, **patched.values}, locs={**base.locs, **patched.locs})
            if QUESTIONS in patch:
                entry.children = _merge_list(
                    base.children, patch[QUESTIONS], doc, (*here, QUESTIONS), owner, problems, eid
                )
            if not any(k in patch for k in _PLACE_NAMES):
                result.insert(index, entry)
                continue
        _place(result, entry, patch, doc, here, problems)
    return result


def _added(
    kind: str, doc: Doc, here: Path_, patch: dict[str, Any], result: list[Entry], problems: list[Problem]
) -> Entry | None:
    """A new entry an override adds (with its questions, for a section), or None when it cannot be."""
    entry = _entry(kind, doc, here, patch)
    entry.added_by = doc.path
    missing = [k for k in _TO_ADD[kind] if k not in entry.values]
    if missing:
        message = f"{kind} '{entry.id}' is not in the base, so adding it needs '{missing[0]}'{_near(entry.id, result)}"
        problems.append(error(doc.loc(here), message, "missing-key"))
        return None
    for j, qpatch in enumerate(patch.get(QUESTIONS) or []):
        question = _entry(QUESTION, doc, (*here, QUESTIONS, j), qpatch)
        question.added_by = doc.path
        if qpatch.get(_REMOVE) or any(k in qpatch for k in _PLACE_NAMES):
            words = "/".join((*_PLACE_NAMES, _REMOVE))
            message = f"a new section lists its questions in order, without {words}"
            problems.append(error(question.loc, message, "position"))
        _check_required(question, problems)
        entry.children.append(question)  # a duplicate id is reported once the page is whole
    return entry


def _near(eid: str, entries: list[Entry]) -> str:
    return suggest(eid, [e.id for e in entries])


def _place(
    result: list[Entry], entry: Entry, patch: dict[str, Any], doc: Doc, here: Path_, problems: list[Problem]
) -> None:
    given = [row for row in _PLACES if row.name in patch]
    if len(given) > 1:
        problems.append(error(doc.loc(here), f"give '{given[0].name}' or '{given[1].name}', not both", "position"))
        return
    for row in given:
        target = patch[row.name]
        index = next((n for n, e in enumerate(result) if e.id == target), None)
        if index is None:
            message = f"'{row.name}: {target}': no such {entry.kind} here{_near(target, result)}"
            problems.append(error(doc.loc((*here, row.name)), message, "reference"))
            return
        result.insert(index + row.offset, entry)
        return
    result.append(entry)


def _check_toc_positions(page: Page, problems: list[Problem]) -> None:
    moves = fields.toc_moves()
    for section in page.sections:
        ids = {q.id for q in section.children}
        found = len(problems)
        for question in section.children:
            given = [row for row in moves if question.get(row.name) is not None]
            if len(given) > 1:
                message = f"give '{given[0].name}' or '{given[1].name}', not both"
                problems.append(error(question.locs[given[-1].name], message, "position"))
            for row in given:
                target = question.get(row.name)
                if target not in ids or target == question.id:
                    message = (
                        f"'{row.name}: {target}': no other question with this id in section '{section.id}'"
                        + _near(target, section.children)
                    )
                    problems.append(error(question.locs[row.name], message, "reference"))
        stuck = toc_moves(section)[1] if len(problems) == found else []
        if stuck:
            row = next(row for row in moves if stuck[0].get(row.name) is not None)
            names = ", ".join(f"'{q.id}'" for q in stuck)
            words = "/".join(row.name for row in moves)
            problems.append(error(stuck[0].locs[row.name], f"{words} of {names} go round in a circle", "position"))


def _check_unique_ids(page: Page, problems: list[Problem]) -> None:
    """Section and question ids share one namespace on a page: they become anchors and links."""
    seen: dict[str, Entry] = {}
    for section in page.sections:
        for entry in [section, *section.children]:
            first = seen.setdefault(entry.id, entry)
            if first is not entry:
                where = f"line {first.loc.line}" if first.loc.path == entry.loc.path else str(first.loc)
                problems.append(error(entry.loc, f"duplicate id '{entry.id}' (also used at {where})", "id-duplicates"))


def _check_layouts(page: Page, layouts: list[str], problems: list[Problem]) -> None:
    name = fields.LAYOUT
    for question in page.questions():
        layout = question.get(name)
        if layout is not None and layout not in layouts:
            problems.append(
                error(
                    question.locs[name],
                    f"unknown layout '{layout}'{suggest(layout, layouts)}; layouts are the files in base/layouts/",
                    "reference",
                )
            )


__all__ = ["base_page", "map_loc_key", "resolve"]
