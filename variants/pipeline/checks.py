"""The checks of a merged page: ids unique, required texts there, table-of-contents moves and layouts that exist."""

from __future__ import annotations

from ..problems import Loc, Problem, error, suggest
from ..source import fields
from ..source.fields import QUESTION
from ..source.project import Project
from .model import Entry, Page, toc_moves
from .reads import required_keys


def _near(eid: str, entries: list[Entry]) -> str:
    return suggest(eid, [e.id for e in entries])


def check_new_id(seen: dict[str, Loc], entry: Entry, problems: list[Problem]) -> None:
    # Section and question ids share one namespace: both become anchors and merge keys.
    if entry.id in seen:
        first = seen[entry.id]
        where = f"line {first.line}" if first.path == entry.loc.path else str(first)
        problems.append(error(entry.loc, f"duplicate id '{entry.id}' (first used at {where})", "id-duplicates"))
    else:
        seen[entry.id] = entry.loc


def check_required(entry: Entry, project: Project, problems: list[Problem]) -> None:
    for key in required_keys(project, entry.kind, entry.get(fields.LAYOUT)):
        if key not in entry.values:
            problems.append(error(entry.loc, f"{entry.kind} '{entry.id}' has no '{key}'", "missing-key"))


def check_relaid(page: Page, project: Project, problems: list[Problem]) -> None:
    """A question whose layout a layer changed has the texts its new layout writes."""
    name = fields.LAYOUT
    for question in page.questions():
        if name not in question.locs:
            continue
        for key in required_keys(project, QUESTION, question.get(name)):
            if key not in question.values:
                message = f"question '{question.id}' has no '{key}', which its layout '{question.get(name)}' writes"
                problems.append(error(question.locs[name], message, "missing-key"))


def check_toc_positions(page: Page, problems: list[Problem]) -> None:
    moves = fields.toc_moves()
    elsewhere = {q.id: (s, q) for s in page.sections for q in s.children}
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
                    problems.append(_toc_target_problem(page, section, question, row.name, target, elsewhere))
        stuck = toc_moves(section)[1] if len(problems) == found else []
        if stuck:
            row = next(row for row in moves if stuck[0].get(row.name) is not None)
            names = ", ".join(f"'{q.id}'" for q in stuck)
            words = "/".join(row.name for row in moves)
            problems.append(error(stuck[0].locs[row.name], f"{words} of {names} go round in a circle", "position"))


def _toc_target_problem(
    page: Page, section: Entry, question: Entry, key: str, target: str, elsewhere: dict[str, tuple[Entry, Entry]]
) -> Problem:
    """A table-of-contents move whose target is not in the section, blamed on what took it away:
    the layer that removed the target or moved it to another section, else the move itself."""
    here = question.locs[key]
    named = f"'{key}: {target}' of question '{question.id}' ({here})"
    moved = elsewhere.get(target)
    if target in page.removed and target != question.id:
        message = f"cannot remove question '{target}': {named} lists that question next to it; give '{question.id}' another '{key}'"
        return error(page.removed[target], message, "reference")
    if moved is not None and moved[1].moved_by is not None and target != question.id:
        message = (
            f"question '{target}' cannot move to section '{moved[0].id}': {named} lists it next to that"
            f" question in section '{section.id}'"
        )
        return error(moved[1].moved_by, message, "reference")
    message = f"'{key}: {target}': no other question with this id in section '{section.id}'"
    return error(here, message + _near(target, section.children), "reference")


def check_unique_ids(page: Page, problems: list[Problem]) -> None:
    """Section and question ids share one namespace on a page: they become anchors and links."""
    seen: dict[str, Entry] = {}
    for section in page.sections:
        for entry in [section, *section.children]:
            first = seen.setdefault(entry.id, entry)
            if first is not entry:
                where = f"line {first.loc.line}" if first.loc.path == entry.loc.path else str(first.loc)
                problems.append(error(entry.loc, f"duplicate id '{entry.id}' (also used at {where})", "id-duplicates"))


def check_layouts(page: Page, layouts: list[str], problems: list[Problem]) -> None:
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


__all__ = [
    "check_layouts",
    "check_new_id",
    "check_relaid",
    "check_required",
    "check_toc_positions",
    "check_unique_ids",
]
