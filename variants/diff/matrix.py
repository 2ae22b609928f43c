"""The matrix and the summary: which page parts differ in which programs, said once.

Rows are the page in out/ (drift), the page texts, then each section followed by its
questions, a program's own ones where that program has them; only rows where some
program differs are kept. Programs whose cells are all the same share one column;
programs as the other side (apart from their variables) have none. Where several
columns change one piece, each copy is numbered: equal numbers, identical copies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import NamedTuple

from ..source import fields
from ..source.fields import PAGE
from .evidence import Copies
from .model import (
    ABSENT,
    CHANGED,
    CONTENT,
    DRIFT_ROW,
    FORMATTED,
    FORMATTING,
    GONE,
    NEW,
    ONLY,
    PAGE_ROW,
    QUESTION_ROW,
    REPLACED,
    SAME,
    SECTION_ROW,
    SHARED,
    Cell,
    Column,
    Drift,
    ProgramSummary,
    Report,
    Row,
    RowKey,
    cell,
)
from .outline import Outline
from .sides import Side

_MAP = next(k.name for k in fields.values(PAGE) if k.kind == "map")
_PAGE_ORDER = {k.name: n for n, k in enumerate(fields.values(PAGE))}
_HEADLINE = {SECTION_ROW: fields.headline(fields.SECTION), QUESTION_ROW: fields.headline(fields.QUESTION)}
_DRIFT: RowKey = (DRIFT_ROW, "")
_COPIES = frozenset({ONLY, SHARED, REPLACED, FORMATTED})  # the states in which a program brings its own copy


class Matrix(NamedTuple):
    """The matrix as the report holds it, and what the evidence needs to say copies once."""

    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    unchanged: int  # questions blank in every program
    placed: dict[str, int]  # program -> its column (programs without one are not in it)
    copies: Copies


def matrix(old: Side, outlines: list[Outline], drift: Iterable[Drift]) -> Matrix:
    """The rows that differ somewhere, one column per group of programs that differ alike."""
    drifted = {d.program: d.state for d in drift if d.program}
    keys, labels = _row_keys(old, outlines)
    programs = [o.page.slug for o in outlines]
    grid: dict[RowKey, list[Cell]] = {}
    blank = cell(SAME)
    absent = cell(ABSENT)
    for key in keys:
        if key == _DRIFT:
            grid[key] = [cell(drifted[p]) if p in drifted else blank for p in programs]
        else:  # a page text is on every page; an entry a program does not have is another's own
            missing = blank if key[0] == PAGE_ROW else absent
            grid[key] = [o.cells.get(key, missing) for o in outlines]
    shown = [key for key in keys if any(not c.blank and c.state != ABSENT for c in grid[key])]
    kept = set(shown)
    unchanged = sum(1 for key in keys if key[0] == QUESTION_ROW and key not in kept)
    # One column per distinct signature: the program's cells and digests over the rows shown.
    groups: dict[tuple[object, ...], list[int]] = {}
    for n, o in enumerate(outlines):
        signature = tuple((grid[key][n], o.digests.get(key, "")) for key in shown)
        if all(c.blank or c.state == ABSENT for c, _ in signature):
            continue
        groups.setdefault(signature, []).append(n)
    members = list(groups.values())
    columns = tuple(Column(tuple(programs[n] for n in group)) for group in members)
    placed = {programs[n]: k for k, group in enumerate(members) for n in group}
    rows = []
    heads = [group[0] for group in members]
    for key in shown:
        versions = _versions([(grid[key][n], outlines[n].digests.get(key, "")) for n in heads])
        cells = tuple(
            cell(grid[key][n].state, grid[key][n].moved, version, grid[key][n].was)
            for n, version in zip(heads, versions, strict=True)
        )
        rows.append(Row(key[0], key[1], labels.get(key, ("", ""))[0], labels.get(key, ("", ""))[1], cells))
    copies: Copies = {}
    for o in outlines:
        for key, value in o.digests.items():
            copies.setdefault((key, value), o.page.slug)
    return Matrix(columns, tuple(rows), unchanged, placed, copies)


def _versions(cells: list[tuple[Cell, str]]) -> list[int]:
    """Copy numbers for a row's cells: 0 unless two or more columns bring their own copy of the
    piece (added, replaced or formatted; a removal is the same everywhere)."""
    copied = [digest if c.state in _COPIES and digest else "" for c, digest in cells]
    if sum(1 for digest in copied if digest) < 2:
        return [0] * len(cells)
    numbers: dict[str, int] = {}
    for digest in copied:
        if digest:
            numbers.setdefault(digest, len(numbers) + 1)
    return [numbers.get(digest, 0) for digest in copied]


def _row_keys(old: Side, outlines: list[Outline]) -> tuple[list[RowKey], dict[RowKey, tuple[str, str]]]:
    """Every row in page order, and each row's (section, label)."""
    labels: dict[RowKey, tuple[str, str]] = {}
    page_keys: dict[str, None] = {}
    for o in outlines:
        for kind, key in o.cells:
            if kind == PAGE_ROW:
                page_keys.setdefault(key)
    ordered = sorted(page_keys, key=lambda k: (_PAGE_ORDER.get(k.partition(".")[0], len(_PAGE_ORDER)), k))
    keys: list[RowKey] = [_DRIFT] + [(PAGE_ROW, k) for k in ordered]
    labels.update({(PAGE_ROW, k): ("", k) for k in ordered})
    sections = [s.id for s in old.page.sections]
    titles = {s.id: str(s.get(_HEADLINE[SECTION_ROW], "")) for s in old.page.sections}
    questions: dict[str, list[str]] = {s.id: [q.id for q in s.children] for s in old.page.sections}
    texts = {q.id: str(q.get(_HEADLINE[QUESTION_ROW], "")) for q in old.page.questions()}
    home_of_section = dict.fromkeys(sections, "")
    home = {qid: sid for sid, ids in questions.items() for qid in ids}  # question -> the section of its row
    for o in outlines:
        _merge(sections, [s.id for s in o.page.sections], home_of_section, "")
        for section in o.page.sections:
            titles.setdefault(section.id, str(section.get(_HEADLINE[SECTION_ROW], "")))
            for question in section.children:
                texts.setdefault(question.id, str(question.get(_HEADLINE[QUESTION_ROW], "")))
            _merge(questions.setdefault(section.id, []), [q.id for q in section.children], home, section.id)
    for sid in sections:
        keys.append((SECTION_ROW, sid))
        labels[SECTION_ROW, sid] = ("", titles.get(sid, ""))
        for qid in questions.get(sid, []):
            keys.append((QUESTION_ROW, qid))
            labels[QUESTION_ROW, qid] = (sid, texts.get(qid, ""))
    return keys, labels


def _merge(into: list[str], order: list[str], home: dict[str, str], here: str) -> None:
    """Put the ids of ``order`` that have no row yet into ``into`` (the rows of ``here``), just
    after the id before them in ``order`` that has its row here (first where none has)."""
    previous: str | None = None
    for eid in order:
        if eid not in home:
            into.insert(into.index(previous) + 1 if previous is not None else 0, eid)
            home[eid] = here
        if home[eid] == here:
            previous = eid


def summary(outlines: list[Outline], drift: Iterable[Drift], placed: dict[str, int]) -> tuple[ProgramSummary, ...]:
    """One line per program: its column, its declared differences by kind, the drift of its page."""
    drifted = {d.program: d.state for d in drift if d.program}
    result = []
    for o in outlines:
        content = sum(1 for s in o.statements if s.category == CONTENT)
        formatting = sum(1 for s in o.statements if s.category == FORMATTING)
        unexplained = sum(1 for s in o.statements if not s.explained)
        slug = o.page.slug
        deltas = [sum(1 for s in o.statements if s.delta == delta) for delta in (NEW, GONE, CHANGED)]
        line = ProgramSummary(slug, placed.get(slug, -1), content, formatting, unexplained, drifted.get(slug, ""))
        result.append(replace(line, added=deltas[0], removed=deltas[1], changed=deltas[2]) if any(deltas) else line)
    return tuple(result)


def program_cells(report: Report, kind: str) -> dict[str, dict[str, Cell]]:
    """Each compared program's cells of the rows of ``kind`` that the matrix shows, by id (a row
    the matrix leaves out, or a program with no column of its own, is as the other side there)."""
    found: dict[str, dict[str, Cell]] = {slug: {} for slug in report.compared}
    for row in report.rows:
        if row.kind == kind:
            for column, c in zip(report.columns, row.cells, strict=True):
                for slug in column.programs:
                    found[slug][row.id] = c
    return found


__all__ = ["Matrix", "matrix", "program_cells", "summary"]
