"""The text format: for a terminal, coloured through the ``style`` function the caller passes.

Drift first, then a line per program, the matrix of differences (in blocks of columns that
fit in ``WIDTH``), each program's statements and evidence, the variables, and drift in full.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from itertools import chain
from typing import Any

from ..diff import model
from ..diff.model import Comparison, Evidence, Report, ReportProgram
from ..diff.textdiff import CHANGED, NEW, OLD, Line
from ..diff.textdiff import SAME as SAME_LINE
from . import Style, plain, wording

WIDTH = 100  # the matrix is cut into blocks of columns no wider than this
_STATE_STYLE: dict[str, dict[str, Any]] = {
    model.VARIABLES: {"fg": "cyan"},
    model.FORMATTED: {"fg": "magenta"},
    model.REPLACED: {"fg": "yellow", "bold": True},
    model.REMOVED: {"fg": "red"},
    model.ABSENT: {"dim": True},
    model.ONLY: {"fg": "green"},
    model.SHARED: {"fg": "blue"},
    model.EDITED: {"fg": "red", "bold": True},
    model.STALE: {"fg": "red"},
    model.MISSING: {"fg": "red"},
}
_CATEGORY_STYLE: dict[str, dict[str, Any]] = {
    model.PROGRAM: {"fg": "cyan"},
    model.CONTENT: {"fg": "yellow"},
    model.FORMATTING: {"fg": "magenta"},
}


def pieces(report: Report, style: Style = plain) -> Iterator[str]:
    """Terminal text, a program's part at a time; ``style`` is ``click.style`` for colour, or ``plain``."""
    head: list[str] = [style("variants diff", bold=True) + ": " + wording.title(report), ""]
    banner = wording.banner(report)
    if banner:
        head += [style(banner[0], fg="red", bold=True), *(f"  {line}" for line in banner[1:]), ""]
    head += _summary(report, style)
    head += _matrix(report, style)
    programs = {p.slug: p for p in report.programs}
    parts = (_comparison(report, programs[c.new], c, style) for c in report.comparisons if wording.has_part(report, c))
    sides = wording.evidence_sides(report, "~ a line changed inside: [-deleted-]{+inserted+}")
    intro = [[style("Programs", bold=True) + f" (evidence: {sides})", ""]] if wording.has_parts(report) else []
    tail = [_variables(report, style), _drift(report, style)]
    return wording.joined(chain([head], intro, parts, tail), strip=True)


def _table(rows: list[list[str]]) -> list[list[tuple[str, int]]]:
    """Cells padded to their column's width: (text, padding) pairs, so colour does not break alignment."""
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    return [[(cell, widths[n] - len(cell)) for n, cell in enumerate(row)] for row in rows]


def _lines(rows: list[list[str]], style: Style, styles: list[list[dict[str, Any]]] | None = None) -> list[str]:
    out = []
    for i, padded in enumerate(_table(rows)):
        parts = []
        for n, (text, pad) in enumerate(padded):
            if i == 0:
                parts.append(style(text, bold=True) + " " * pad)
            elif styles is not None and styles[i][n] and text:
                parts.append(style(text, **styles[i][n]) + " " * pad)
            else:
                parts.append(text + " " * pad)
        out.append(("  " + "  ".join(parts)).rstrip())
    return out


def _summary(report: Report, style: Style) -> list[str]:
    if not report.summary:
        since = f" changed since {report.against}" if report.against else " compared"
        return [style("Summary", bold=True) + f": no program{since}.", ""]
    out = [style("Summary", bold=True) + " (declared differences by kind; why: content differences that say why)"]
    rows = [wording.summary_header(report)] + [wording.summary_cells(report, line) for line in report.summary]
    styles: list[list[dict[str, Any]]] = [[]] + [
        [{}] * 5 + [_STATE_STYLE.get(line.drift, {})] + [{}] * (len(rows[0]) - 6) for line in report.summary
    ]
    out += _lines(rows, style, styles)
    note = wording.as_other_note(report)
    return [*out, *([f"  {note}"] if note else []), "", wording.variables_note(report), ""]


def _matrix(report: Report, style: Style) -> list[str]:
    if not report.rows or not report.columns:
        return [style("Differences", bold=True) + ": none", ""]
    out = [
        style("Differences", bold=True)
        + f" (rows: what differs; columns: programs that differ alike; {wording.unchanged_note(report)})"
    ]
    out += [
        f"  {wording.column_name(n)}  {wording.column_label(report, n)}: {wording.column_summary(report, n)}"
        for n in range(len(report.columns))
    ]
    out += [*textwrap.wrap(wording.legend(report), WIDTH, initial_indent="  ", subsequent_indent="    "), ""]
    labels = [[wording.row_section(row), wording.row_name(row)] for row in report.rows]
    texts = [[wording.cell_text(c) for c in row.cells] for row in report.rows]
    label_width = max(len(a) + len(b) for a, b in labels) + 6
    blocks: list[list[int]] = [[]]
    used = label_width
    for n in range(len(report.columns)):
        width = max([len(wording.column_name(n))] + [len(t[n]) for t in texts]) + 2
        if blocks[-1] and used + width > WIDTH:
            blocks.append([])
            used = label_width
        blocks[-1].append(n)
        used += width
    for block in blocks:
        rows = [["section", "row", *(wording.column_name(n) for n in block)]]
        styles: list[list[dict[str, Any]]] = [[]]
        for row, label, text in zip(report.rows, labels, texts, strict=True):
            rows.append([*label, *(text[n] for n in block)])
            styles.append([{}, {}, *(_STATE_STYLE.get(row.cells[n].state, {}) for n in block)])
        out += [*_lines(rows, style, styles), ""]
    uses = wording.component_uses(report)
    if uses:
        out += [style("Components", bold=True) + " (pieces programs share)"]
        out += _lines([["component", "file", "used by"], *(list(u) for u in uses)], style)
        out.append("")
    return out


def _comparison(report: Report, program: ReportProgram, comparison: Comparison, style: Style) -> list[str]:
    line = next((s for s in report.summary if s.slug == comparison.new), None)
    column = f", column {wording.column_name(line.column)}" if line is not None and line.column >= 0 else ""
    out = [
        style(f"== {comparison.new}", bold=True) + f" ({program.source}, compared with {wording.other(report)}{column})"
    ]
    for statement in wording.listed(comparison.statements):
        where = wording.where_text(statement)
        tag = style(f"[{statement.category}]", **_CATEGORY_STYLE[statement.category])
        delta = wording.delta_text(statement)
        why = wording.why_text(statement)
        text = (f"{delta}: " if delta else "") + statement.text + (f"; {why}" if why else "")
        out.append(f"  {where + ': ' if where else ''}{tag} {text}")
    evidence = list(comparison.evidence) + (list(comparison.variable_evidence) if report.show_variables else [])
    if evidence:
        out.append("")
        for item in evidence:
            out += _evidence(item, style)
    return [*out, ""]


def _evidence(evidence: Evidence, style: Style) -> list[str]:
    head = f"  {wording.group_name(evidence)} ({style(wording.state_text(evidence.state), **_STATE_STYLE.get(evidence.state, {}))})"
    if evidence.same_as:
        return [f"{head}: {wording.same_as_text(evidence)}"]
    out = [head]
    labels = [wording.label(item) for item in evidence.fields]
    width = max(map(len, labels), default=0)
    for name, item in zip(labels, evidence.fields, strict=True):
        for n, line in enumerate(item.lines):
            out.append(f"    {name if n == 0 else '':<{width}}  {_line(line, style)}".rstrip())
    return out


def _line(line: Line, style: Style) -> str:
    if line.op == CHANGED:
        body = "".join(
            style(f"[-{text}-]", fg="red")
            if kind == OLD
            else style(f"{{+{text}+}}", fg="green")
            if kind == NEW
            else text
            for kind, text in line.segments
        )
        return "~ " + body
    text = "".join(t for _, t in line.segments)
    if line.op == SAME_LINE:
        return "  " + text
    shown: str = text if text.strip() else style(wording.BLANK_LINE, dim=True)
    mark: str = style("- ", fg="red") if line.op == OLD else style("+ ", fg="green")
    return mark + shown


def _variables(report: Report, style: Style) -> list[str]:
    if not report.programs:
        return []
    names = [v.name for v in report.programs[0].variables] if report.programs else []
    rows = [["program", *names, "output"]]
    for p in report.programs:
        rows.append([p.slug, *(v.value + (" (default)" if v.default else "") for v in p.variables), p.output])
    return [
        style("Program variables", bold=True) + " ((default): the override does not set it)",
        *_lines(rows, style),
        "",
    ]


def _drift(report: Report, style: Style) -> list[str]:
    out = [style("Drift", bold=True) + f" ({report.out}/ compared with what the sources produce)"]
    if not report.drift:
        return [*out, "  none: every page matches its sources"]
    for drift in report.drift:
        out.append(f"  {report.out}/{drift.file}: " + style(wording.drift_word(drift), fg="red"))
        for hunk in drift.hunks:
            out.append(style(f"    @@ line {hunk.old_start} (sources) / {hunk.new_start} (file) @@", fg="cyan"))
            out += [f"    {_line(line, style)}".rstrip() for line in hunk.lines]
    return out


__all__ = ["WIDTH", "pieces"]
