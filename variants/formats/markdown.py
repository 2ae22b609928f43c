"""The Markdown format: for a pull-request comment."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain

from ..diff.model import BASE, SAME, VARIABLES, Comparison, FieldEvidence, Report, ReportProgram
from ..diff.textdiff import CHANGED, NEW, OLD, Line
from ..diff.textdiff import SAME as SAME_LINE
from . import Style, plain, wording
from .html import escape

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~])")


def _md(text: str) -> str:
    """Text shown as it is in Markdown (inline, not at a line start): the characters that
    could start markup or HTML are backslash-escaped, lines wording.joined."""
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _md_code(text: str) -> str:
    """An inline code span (a table cell stays one cell: '|' is escaped)."""
    text = text.replace("\n", " ").replace("|", "\\|")
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def pieces(report: Report, style: Style = plain) -> Iterator[str]:
    """Markdown for a pull-request comment: tables, a list of statements, evidence in diff blocks."""
    out = ["## variants diff", "", _md(wording.title(report)) + ".", ""]
    out += ["### Program variables", ""]
    out.append("| variable | " + " | ".join(_md_code(p.slug) for p in report.programs) + " |")
    out.append("| --- |" + " --- |" * len(report.programs))
    names = [v.name for v in report.programs[0].variables] if report.programs else []
    for n, name in enumerate(names):
        cells = [
            _md_code(p.variables[n].value) + (" (default)" if p.variables[n].default else "") for p in report.programs
        ]
        out.append(f"| {_md_code(name)} | " + " | ".join(cells) + " |")
    out.append("| output | " + " | ".join(_md_code(p.output) for p in report.programs) + " |")
    out += ["", "### Questions", ""]
    out.append("; ".join(f"**{state}**: {_md(meaning)}" for state, meaning in wording.legend(report)) + ".")
    out.append("")
    out.append("| section | question | " + " | ".join(_md_code(c) for c in report.columns) + " |")
    out.append("| --- | --- |" + " --- |" * len(report.columns))
    for row in report.rows:
        cells = [wording.state_text(row.cells[c].state, row.cells[c].moved) for c in report.columns]
        shown = [
            f"**{cell}**" if row.cells[c].state not in (SAME, VARIABLES) else cell
            for cell, c in zip(cells, report.columns, strict=True)
        ]
        out.append(f"| {_md_code(row.section)} | {_md_code(row.id)} | " + " | ".join(shown) + " |")
    out.append("")
    uses = wording.component_uses(report)
    if uses:
        out += ["### Components", "", "| component | file | used by |", "| --- | --- | --- |"]
        out += [f"| {_md_code(name)} | {_md_code(file)} | {_md(programs)} |" for name, file, programs in uses]
        out.append("")
    programs = {p.slug: p for p in report.programs}
    comparisons = (_md_comparison(report, programs[c.new], c) for c in report.comparisons)
    return wording.joined(chain([out], comparisons, [_md_drift(report)]), strip=True)


def _md_comparison(report: Report, program: ReportProgram, comparison: Comparison) -> list[str]:
    other = "the base" if comparison.old == BASE else _md_code(comparison.old)
    out = [f"### {_md(comparison.new)}", "", f"{_md_code(program.source)}, compared with {other}.", ""]
    for statement in comparison.statements:
        where = ", ".join(_md_code(wording.loc_text(loc)) for loc in statement.where)
        out.append(f"- {where + ' ' if where else ''}**{statement.category}**: {_md(statement.text)}")
    out += ["", _md(wording.variables_note(comparison, report.show_variables)), ""]
    groups = list(comparison.evidence)
    if report.show_variables:
        groups += list(comparison.variable_evidence)
    if groups:
        out += [f"<details><summary>Rendered evidence ({escape(wording.evidence_sides(comparison))})</summary>", ""]
        for evidence in groups:
            out += [f"**{_md(wording.group_name(evidence))}** ({evidence.state})", ""]
            out += _md_block(evidence.fields)
        out += ["</details>", ""]
    return out


def _md_block(fields: tuple[FieldEvidence, ...]) -> list[str]:
    body: list[str] = []
    for item in fields:
        body.append(f"@@ {wording.label(item)} @@")
        body += [_diff_line(line) for line in item.lines]
    return _fence(body, "diff")


def _diff_line(line: Line) -> str:
    if line.op == CHANGED:
        return "~ " + "".join(f"[-{t}-]" if k == OLD else f"{{+{t}+}}" if k == NEW else t for k, t in line.segments)
    text = "".join(t for _, t in line.segments)
    if line.op == SAME_LINE:
        return ("  " + text).rstrip()
    return {OLD: "- ", NEW: "+ "}[line.op] + (text if text.strip() else wording.BLANK)


def _fence(lines: list[str], lang: str) -> list[str]:
    longest = max((len(m) for line in lines for m in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + lang, *lines, fence, ""]


def _md_drift(report: Report) -> list[str]:
    out = ["### Drift", "", f"{_md_code(report.out + '/')} compared with what the sources produce.", ""]
    if not report.drift:
        return [*out, "None: every page matches its sources.", ""]
    for drift in report.drift:
        out += [f"- {_md_code(report.out + '/' + drift.file)}: {_md(wording.drift_word(drift))}", ""]
        body: list[str] = []
        for hunk in drift.hunks:
            body.append(f"@@ line {hunk.old_start} (sources) / {hunk.new_start} (file) @@")
            body += [_diff_line(line) for line in hunk.lines]
        if body:
            out += _fence(body, "diff")
    return out


__all__ = ["pieces"]
