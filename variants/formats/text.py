"""The text format: for a terminal, coloured through the ``style`` function the caller passes."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import Any

from ..diff import model
from ..diff.model import Comparison, Evidence, Report, ReportProgram
from ..diff.textdiff import CHANGED, NEW, OLD, Line
from ..diff.textdiff import SAME as SAME_LINE
from . import Style, plain, wording

_STATE_STYLE: dict[str, dict[str, Any]] = {
    model.SAME: {"dim": True},
    model.VARIABLES: {"fg": "cyan"},
    model.FORMATTED: {"fg": "magenta"},
    model.REPLACED: {"fg": "yellow", "bold": True},
    model.ABSENT: {"fg": "red"},
    model.ONLY: {"fg": "green"},
    model.SHARED: {"fg": "blue"},
}
_CATEGORY_STYLE: dict[str, dict[str, Any]] = {
    model.PROGRAM: {"fg": "cyan"},
    model.CONTENT: {"fg": "yellow"},
    model.FORMATTING: {"fg": "magenta"},
}


def pieces(report: Report, style: Style = plain) -> Iterator[str]:
    """Terminal text, a program's part at a time; ``style`` is ``click.style`` for colour, or ``plain``."""
    head: list[str] = [style("variants diff", bold=True) + ": " + wording.title(report), ""]
    head += _text_variables(report, style)
    head += _text_matrix(report, style)
    programs = {p.slug: p for p in report.programs}
    comparisons = (_text_comparison(report, programs[c.new], c, style) for c in report.comparisons)
    return wording.joined(chain([head], comparisons, [_text_drift(report, style)]), strip=True)


def _table(rows: list[list[str]], indent: str = "  ") -> list[list[tuple[str, int]]]:
    """Cells padded to their column's width: (text, padding) pairs, so colour does not break alignment."""
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    return [[(cell, widths[n] - len(cell)) for n, cell in enumerate(row)] for row in rows]


def _text_variables(report: Report, style: Style) -> list[str]:
    names = [v.name for v in report.programs[0].variables] if report.programs else []
    rows = [["variable", *(p.slug for p in report.programs)]]
    for n, name in enumerate(names):
        rows.append(
            [name, *(p.variables[n].value + (" (default)" if p.variables[n].default else "") for p in report.programs)]
        )
    rows.append(["output", *(p.output for p in report.programs)])
    out = [style("Program variables", bold=True)]
    for i, row in enumerate(_table(rows)):
        line = "  ".join(cell + " " * pad for cell, pad in row).rstrip()
        out.append("  " + (style(line, bold=True) if i == 0 else line))
    return [*out, ""]


def _text_matrix(report: Report, style: Style) -> list[str]:
    out = [style("Questions", bold=True) + " (rows: questions; columns: programs)"]
    for state, meaning in wording.legend(report):
        out.append(f"  {style(state, **_STATE_STYLE[state])}: {meaning}")
    rows = [["section", "question", *report.columns]]
    states: list[list[str]] = [[]]
    for entry in report.rows:
        cells = [entry.cells[c] for c in report.columns]
        rows.append([entry.section, entry.id, *(wording.state_text(c.state, c.moved) for c in cells)])
        states.append([c.state for c in cells])
    out.append("")
    for i, padded in enumerate(_table(rows)):
        parts = []
        for n, (cell, pad) in enumerate(padded):
            if i == 0:
                parts.append(style(cell, bold=True) + " " * pad)
            elif n >= 2:
                parts.append(style(cell, **_STATE_STYLE[states[i][n - 2]]) + " " * pad)
            else:
                parts.append(cell + " " * pad)
        out.append(("  " + "  ".join(parts)).rstrip())
    uses = wording.component_uses(report)
    if uses:
        out += ["", style("Components", bold=True) + " (pieces programs share)"]
        out += [
            "  " + "  ".join(cell + " " * pad for cell, pad in row).rstrip() for row in _table([list(u) for u in uses])
        ]
    return [*out, ""]


def _text_comparison(report: Report, program: ReportProgram, comparison: Comparison, style: Style) -> list[str]:
    other = "the base" if comparison.old == model.BASE else comparison.old
    out = [style(f"== {comparison.new}", bold=True) + f" ({program.source}, compared with {other})", ""]
    out.append(style("Declared", bold=True))
    for statement in comparison.statements:
        where = wording.where_text(statement)
        tag = style(f"[{statement.category}]", **_CATEGORY_STYLE[statement.category])
        out.append(f"  {where + ': ' if where else ''}{tag} {statement.text}")
    out += ["", wording.variables_note(comparison, report.show_variables), ""]
    if comparison.evidence:
        out.append(style("Rendered evidence", bold=True) + f" ({wording.evidence_sides(comparison)})")
        for evidence in comparison.evidence:
            out += _text_evidence(evidence, style)
        out.append("")
    if report.show_variables and comparison.variable_evidence:
        out.append(style("Differences made only by the program variables", bold=True))
        for evidence in comparison.variable_evidence:
            out += _text_evidence(evidence, style)
        out.append("")
    return out


def _text_evidence(evidence: Evidence, style: Style) -> list[str]:
    out = [f"  {wording.group_name(evidence)} ({style(evidence.state, **_STATE_STYLE.get(evidence.state, {}))})"]
    labels = [wording.label(item) for item in evidence.fields]
    width = max(map(len, labels), default=0)
    for name, item in zip(labels, evidence.fields, strict=True):
        for n, line in enumerate(item.lines):
            head = name if n == 0 else ""
            out.append(f"    {head:<{width}}  {_text_line(line, style)}".rstrip())
    return out


def _text_line(line: Line, style: Style) -> str:
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
    shown: str = text if text.strip() else style(wording.BLANK, dim=True)
    mark: str = style("- ", fg="red") if line.op == OLD else style("+ ", fg="green")
    return mark + shown


def _text_drift(report: Report, style: Style) -> list[str]:
    out = [style("Drift", bold=True) + f" ({report.out}/ compared with what the sources produce)"]
    if not report.drift:
        return [*out, "  none: every page matches its sources"]
    for drift in report.drift:
        out.append(f"  {report.out}/{drift.file}: " + style(wording.drift_word(drift), fg="red"))
        for hunk in drift.hunks:
            out.append(style(f"    @@ line {hunk.old_start} (sources) / {hunk.new_start} (file) @@", fg="cyan"))
            out += [f"    {_text_line(line, style)}".rstrip() for line in hunk.lines]
    return out


__all__ = ["pieces"]
