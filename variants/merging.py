"""Merging: base content plus one override gives one program's page content.

Lists merge by id, as kustomize merges by key: an override entry whose id is in
the base patches that entry (only the keys it gives), ``remove: true`` drops it,
``after``/``before`` move it, and an entry with a new id is added (at the end of
its list unless placed). Every value keeps where it was written, so errors and
the diff report can name the file and line that declared it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import Loc, Problem, VariantsError, error
from .loading import Doc, Path_
from .project import DEFAULT_OUTPUT, Override, Project
from .schema import suggest

PAGE_KEYS = ("front_matter", "title", "intro", "rule", "toc_end", "footer")
POSITION_KEYS = ("after", "before", "remove")
REQUIRED_TO_ADD = {"section": ("title",), "question": ("question", "answer")}


@dataclass
class Entry:
    """A section or a question: its id, its values, where each was written."""

    kind: str  # "section" or "question"
    id: str
    values: dict[str, Any]
    locs: dict[str, Loc]
    loc: Loc  # where the entry is declared (in the base, or the override that added it)
    children: list[Entry] = field(default_factory=list)
    added_by: str | None = None  # the override file that added it, if any

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


@dataclass
class Page:
    """One program's content after merging: texts are still templates."""

    slug: str
    source: str  # the override file, or "base"
    output: str
    variables: dict[str, str]
    values: dict[str, Any]
    locs: dict[str, Loc]
    sections: list[Entry]
    program_locs: dict[str, Loc] = field(default_factory=dict)

    def questions(self) -> list[Entry]:
        """Every question in body order."""
        return [q for s in self.sections for q in s.children]


TEXT_KEYS = frozenset({"question", "answer", "toc", "title", "intro", "footer", "toc_end", "rule"})


def iter_texts(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Every template text in a content or override document, with its path."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from iter_texts(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from iter_texts(value, (*path, i))
    elif isinstance(data, str) and path and (path[-1] in TEXT_KEYS or (len(path) > 1 and path[-2] == "front_matter")):
        yield path, data


def _entry(kind: str, doc: Doc, path: Path_, data: dict[str, Any]) -> Entry:
    values = {k: v for k, v in data.items() if k not in ("id", "questions", *POSITION_KEYS)}
    locs = {k: doc.loc((*path, k)) for k in values}
    return Entry(kind, data["id"], values, locs, doc.loc(path))


def base_page(project: Project) -> Page:
    """The base content on its own, checked for duplicate ids and missing texts."""
    doc = project.content
    problems: list[Problem] = []
    sections: list[Entry] = []
    seen: dict[str, Loc] = {}
    for i, sdata in enumerate(doc.data.get("sections") or []):
        section = _entry("section", doc, ("sections", i), sdata)
        _check_new_id(seen, section, problems)
        _check_required(section, problems)
        for j, qdata in enumerate(sdata.get("questions") or []):
            question = _entry("question", doc, ("sections", i, "questions", j), qdata)
            _check_new_id(seen, question, problems)
            _check_required(question, problems)
            section.children.append(question)
        sections.append(section)
    if problems:
        raise VariantsError(problems)
    values = {k: doc.data[k] for k in PAGE_KEYS if k in doc.data}
    locs = {k: doc.loc((k,)) for k in values}
    for key in values.get("front_matter", {}):
        locs[f"front_matter.{key}"] = doc.loc(("front_matter", key))
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
    for key in REQUIRED_TO_ADD[entry.kind]:
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
    for key in PAGE_KEYS:
        if key not in data:
            continue
        if key == "front_matter":
            values[key] = {**base.values.get(key, {}), **data[key]}
            for fm_key in data[key]:
                locs[f"front_matter.{fm_key}"] = doc.loc((key, fm_key))
        else:
            values[key] = data[key]
        locs[key] = doc.loc((key,))
    if "output" in data:
        locs["output"] = doc.loc(("output",))
    owner = {q.id: s.id for s in base.sections for q in s.children}
    owner.update({s.id: "" for s in base.sections})
    sections = _merge_list(base.sections, data.get("sections") or [], doc, ("sections",), owner, problems)
    output = data.get("output") or str(project.settings.data.get("output", DEFAULT_OUTPUT)).replace(
        "{slug}", override.slug
    )
    page = Page(
        override.slug,
        override.path,
        output,
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
    for i, patch in enumerate(patches):
        here = (*path, i)
        loc = doc.loc(here)
        eid = patch["id"]
        kind = "section" if not parent else "question"
        if eid in seen:
            problems.append(error(loc, f"duplicate id '{eid}' (first used at line {seen[eid].line})", "id-duplicates"))
            continue
        seen[eid] = loc
        index = next((n for n, e in enumerate(result) if e.id == eid), None)
        if index is None and eid in owner and owner[eid] != parent:
            where = f"section '{owner[eid]}'" if owner[eid] else "a section id"
            problems.append(error(loc, f"id '{eid}' is already used by {where}", "id-duplicates"))
            continue
        if patch.get("remove"):
            extra = sorted(set(patch) - {"id", "remove"})
            if extra:
                problems.append(error(loc, f"'remove: true' cannot be combined with {', '.join(extra)}", "remove"))
            elif index is None:
                problems.append(
                    error(loc, f"cannot remove {kind} '{eid}': not in the base{_near(eid, result)}", "reference")
                )
            else:
                del result[index]
            continue
        if index is None:
            entry = _entry(kind, doc, here, patch)
            entry.added_by = doc.path
            missing = [k for k in REQUIRED_TO_ADD[kind] if k not in entry.values]
            if missing:
                problems.append(
                    error(
                        loc,
                        f"{kind} '{eid}' is not in the base, so adding it needs '{missing[0]}'{_near(eid, result)}",
                        "missing-key",
                    )
                )
                continue
            for j, qpatch in enumerate(patch.get("questions") or []):
                question = _entry("question", doc, (*here, "questions", j), qpatch)
                question.added_by = doc.path
                if qpatch.get("remove") or any(k in qpatch for k in ("after", "before")):
                    problems.append(
                        error(
                            question.loc,
                            "a new section lists its questions in order, without after/before/remove",
                            "position",
                        )
                    )
                _check_required(question, problems)
                entry.children.append(question)  # a duplicate id is reported once the page is whole
        else:
            base = result.pop(index)
            patched = _entry(kind, doc, here, patch)
            entry = replace(base, values={**base.values, **patched.values}, locs={**base.locs, **patched.locs})
            if "questions" in patch:
                entry.children = _merge_list(
                    base.children, patch["questions"], doc, (*here, "questions"), owner, problems, eid
                )
            if not any(k in patch for k in ("after", "before")):
                result.insert(index, entry)
                continue
        _place(result, entry, patch, doc, here, problems)
    return result


def _near(eid: str, entries: list[Entry]) -> str:
    return suggest(eid, [e.id for e in entries])


def _place(
    result: list[Entry], entry: Entry, patch: dict[str, Any], doc: Doc, here: Path_, problems: list[Problem]
) -> None:
    if "after" in patch and "before" in patch:
        problems.append(error(doc.loc(here), "give 'after' or 'before', not both", "position"))
        return
    for key, offset in (("after", 1), ("before", 0)):
        if key in patch:
            target = patch[key]
            index = next((n for n, e in enumerate(result) if e.id == target), None)
            if index is None:
                problems.append(
                    error(
                        doc.loc((*here, key)),
                        f"'{key}: {target}': no such {entry.kind} here{_near(target, result)}",
                        "reference",
                    )
                )
                return
            result.insert(index + offset, entry)
            return
    result.append(entry)


def _check_toc_positions(page: Page, problems: list[Problem]) -> None:
    for section in page.sections:
        ids = [q.id for q in section.children]
        found = len(problems)
        for question in section.children:
            if question.get("toc_before") is not None and question.get("toc_after") is not None:
                problems.append(
                    error(question.locs["toc_after"], "give 'toc_before' or 'toc_after', not both", "position")
                )
            for key in ("toc_before", "toc_after"):
                target = question.get(key)
                if target is not None and (target not in ids or target == question.id):
                    problems.append(
                        error(
                            question.locs[key],
                            f"'{key}: {target}': no other question with this id in section '{section.id}'"
                            + _near(target, section.children),
                            "reference",
                        )
                    )
        stuck = _toc_moves(section)[1] if len(problems) == found else []
        if stuck:
            key = "toc_after" if stuck[0].get("toc_after") is not None else "toc_before"
            names = ", ".join(f"'{q.id}'" for q in stuck)
            problems.append(
                error(stuck[0].locs[key], f"toc_before/toc_after of {names} go round in a circle", "position")
            )


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
    for question in page.questions():
        layout = question.get("layout")
        if layout is not None and layout not in layouts:
            problems.append(
                error(
                    question.locs["layout"],
                    f"unknown layout '{layout}'{suggest(layout, layouts)}; layouts are the files in base/layouts/",
                    "reference",
                )
            )


def _toc_moves(section: Entry) -> tuple[list[Entry], list[Entry]]:
    """Table-of-contents order, and the moved questions that could not be placed (a cycle).

    A move is made once its target has its own place, so chains work in any
    order ('a' after 'b', 'b' before 'c').
    """
    order = [q for q in section.children if q.get("toc_before") is None and q.get("toc_after") is None]
    pending = [q for q in section.children if q not in order]
    while pending:
        placed = False
        for question in list(pending):
            after = question.get("toc_after") is not None
            target = question.get("toc_after") if after else question.get("toc_before")
            index = next((n for n, q in enumerate(order) if q.id == target), None)
            if index is not None:
                order.insert(index + after, question)
                pending.remove(question)
                placed = True
        if not placed:
            break
    return order, pending


def toc_order(section: Entry) -> list[Entry]:
    """The section's questions in table-of-contents order: body order, with toc_before/toc_after moves."""
    order, stuck = _toc_moves(section)
    return order + stuck
