"""The Markdown format: for a pull-request comment, always under GitHub's size limit.

The report is written whole first; where it is too long, the evidence and the variables
table are left out (collapsed), and where it is still too long, the tables and the
programs' parts are cut, with a note that says what was left out and where to see it.
Removed and added lines are ``-`` and ``+`` lines of ``diff`` blocks, which GitHub colours;
every file:line is a link relative to the project.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple
from urllib.parse import quote

from ..diff.model import Comparison, FieldEvidence, Report, ReportProgram, Statement
from ..diff.textdiff import CHANGED, NEW, OLD, Line
from ..diff.textdiff import SAME as SAME_LINE
from ..problems import Loc
from . import Style, plain, wording
from .html import escape

LIMIT = 65_536  # GitHub's limit on a comment, in characters
_RESERVE = 2_000  # kept for the note on what was left out
_DRIFT_LINES = 200  # of each drifted page's difference
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~#])")


class Options(NamedTuple):
    """How much of the report to write: everything, or less to fit."""

    evidence: bool = True
    variables: bool = True
    rows: int = 0  # at most this many summary lines, matrix rows and columns (0: all)


_ATTEMPTS = (Options(), Options(evidence=False, variables=False), Options(False, False, rows=40))


def size(text: str) -> int:
    """Length as GitHub counts it, on the safe side: UTF-16 code units (never fewer than characters)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def pieces(report: Report, style: Style = plain) -> Iterator[str]:
    """Markdown for a pull-request comment, as one piece (it is written whole to fit the limit)."""
    budget = LIMIT - _RESERVE
    for n, options in enumerate(_ATTEMPTS):
        blocks, left = _write(report, options, budget, final=n == len(_ATTEMPTS) - 1)
        if not left.programs and not left.parts:
            break
    note = _note(report, options, left)
    text = "\n".join(line for block in blocks for line in block).rstrip("\n") + "\n"
    if note:
        text += "\n" + note + "\n"
    yield text


class Left(NamedTuple):
    """What a written report left out: programs whose parts did not fit, and which parts."""

    programs: list[str]
    parts: list[str]


def _write(report: Report, options: Options, budget: int, final: bool) -> tuple[list[list[str]], Left]:
    """The report's blocks in order, stopping where the next would pass ``budget``; on the last
    attempt what fits is kept, on the others a report that does not fit is given up at once."""
    blocks: list[list[str]] = []
    used = 0
    left = Left([], [])

    def add(block: list[str]) -> bool:
        nonlocal used
        cost = size("\n".join(block)) + 1
        if used + cost > budget:
            return False
        blocks.append(block)
        used += cost
        return True

    for block in _head(report, options):
        if not add(block):
            left.parts.append("the end of the summary and the matrix")
            if not final:
                return blocks, left
            break
    programs = {p.slug: p for p in report.programs}
    for comparison in report.comparisons:
        if not wording.has_part(report, comparison):
            continue
        if left.programs or not add(_comparison(report, programs[comparison.new], comparison, options)):
            left.programs.append(comparison.new)
            if not final:
                return blocks, left
    for block in (_variables(report) if options.variables else []) + _drift(report, options):
        if not add(block):
            left.parts.append("drift in full" if block and block[0].startswith("### Drift") else "part of the drift")
            if not final:
                return blocks, left
            break
    return blocks, left


def _note(report: Report, options: Options, left: Left) -> str:
    what = []
    if not options.evidence:
        what.append("the rendered evidence")
    if not options.variables:
        what.append("the table of program variables")
    if options.rows:
        what.append(f"table lines past the first {options.rows}")
    what += left.parts
    if not what and not left.programs:
        return ""
    return f"> **Note:** {_md(wording.left_out(what, left.programs))} ({_md_code(wording.WHOLE_REPORT)})."


def _md(text: str) -> str:
    """Text shown as it is in Markdown (inline): the characters that could start markup or
    HTML are backslash-escaped, lines joined."""
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _md_code(text: str) -> str:
    """An inline code span (a table cell stays one cell: '|' is escaped)."""
    text = text.replace("\n", " ").replace("|", "\\|")
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def link(loc: Loc) -> str:
    """file:line as a link relative to the project, to the line where the host shows one."""
    target = quote(loc.path) + (f"#L{loc.line}" if loc.line else "")
    return f"[{_md(wording.loc_text(loc))}]({target})"


def _cut(lines: list[str], limit: int, what: str) -> list[str]:
    if not limit or len(lines) <= limit:
        return lines
    return [*lines[:limit], f"| … {len(lines) - limit} more {what} |"]


def _head(report: Report, options: Options) -> list[list[str]]:
    blocks = [["## variants diff", "", _md(wording.title(report)) + ".", ""]]
    banner = wording.banner(report)
    if banner:
        pages = [f"> - {_md_code(line.split(': ', 1)[0])}: {_md(line.split(': ', 1)[1])}" for line in banner[1:]]
        blocks.append(["> [!WARNING]", f"> **{_md(banner[0])}** (see [Drift](#drift)):", *pages[:20], ""])
    header = wording.summary_header(report)
    lines = [
        "| "
        + " | ".join(_md(c) if n else _md_code(c) for n, c in enumerate(wording.summary_cells(report, line)))
        + " |"
        for line in report.summary
        if line.column >= 0 or line.drift
    ]
    summary = ["### Summary", "", "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    if not report.summary:
        summary = ["### Summary", "", f"No program{' changed since ' + _md(report.against) if report.against else ''}."]
    note = wording.as_other_note(report)
    blocks.append([*summary, *_cut(lines, options.rows, "programs"), "", *([_md(note), ""] if note else [])])
    blocks.append(_matrix(report, options))
    uses = wording.component_uses(report)
    if uses:
        rows = [f"| {_md_code(name)} | {_md_code(file)} | {_md(programs)} |" for name, file, programs in uses]
        blocks.append(["### Components", "", "| component | file | used by |", "| --- | --- | --- |", *rows, ""])
    blocks.append([_md(wording.variables_note(report)), ""])
    if wording.has_parts(report):
        blocks.append(["### Programs", ""])
    return blocks


def _matrix(report: Report, options: Options) -> list[str]:
    out = ["### Differences", ""]
    if not report.rows or not report.columns:
        return [*out, "None.", ""]
    count = len(report.columns) if not options.rows else min(len(report.columns), options.rows)
    key = [
        f"| {wording.column_name(n)} | {_md(wording.column_label(report, n))} | {_md(wording.column_summary(report, n))} |"
        for n in range(count)
    ]
    out += ["| column | programs | what differs |", "| --- | --- | --- |", *key]
    if count < len(report.columns):
        out.append(f"| … | {len(report.columns) - count} more columns | |")
    out += ["", _md(wording.legend(report)) + ".", ""]
    out.append("| section | row | " + " | ".join(wording.column_name(n) for n in range(count)) + " |")
    out.append("| --- | --- |" + " --- |" * count)
    rows = [
        f"| {_md(wording.row_section(row))} | {_md_code(wording.row_name(row))} | "
        + " | ".join(_md(wording.cell_text(c)) for c in row.cells[:count])
        + " |"
        for row in report.rows
    ]
    return [*out, *_cut(rows, options.rows, "rows"), "", _md(wording.unchanged_note(report)) + ".", ""]


def _statement(statement: Statement) -> str:
    where = ", ".join(link(loc) for loc in statement.where)
    delta = wording.delta_text(statement)
    why = wording.why_text(statement)
    head = f"**{statement.category}**" + (f" ({_md(delta)})" if delta else "")
    return f"- {where + ' ' if where else ''}{head}: {_md(statement.text)}" + (f" — *{_md(why)}*" if why else "")


def _comparison(report: Report, program: ReportProgram, comparison: Comparison, options: Options) -> list[str]:
    out = [
        f"#### {_md(comparison.new)}",
        "",
        f"{_md_code(program.source)}, compared with {_md(wording.other(report))}.",
        "",
    ]
    out += [_statement(s) for s in wording.listed(comparison.statements)]
    out.append("")
    groups = list(comparison.evidence) + (list(comparison.variable_evidence) if report.show_variables else [])
    if groups and options.evidence:
        out += [f"<details><summary>Evidence ({escape(wording.evidence_sides(report))})</summary>", ""]
        for evidence in groups:
            head = f"**{_md(wording.group_name(evidence))}** ({_md(wording.state_text(evidence.state))})"
            if evidence.same_as:
                out += [f"{head}: {_md(wording.same_as_text(evidence))}", ""]
                continue
            out += [head, "", *_block(evidence.fields)]
        out += ["</details>", ""]
    return out


def _block(fields: tuple[FieldEvidence, ...]) -> list[str]:
    body: list[str] = []
    for item in fields:
        body.append(f"@@ {wording.label(item)} @@")
        body += [text for line in item.lines for text in diff_lines(line)]
    return _fence(body, "diff")


def diff_lines(line: Line) -> list[str]:
    """A line of evidence as lines of a diff block: a line changed inside is its old line and its new."""
    if line.op == CHANGED:
        return [f"- {line.old}", f"+ {line.new}"]
    text = "".join(t for _, t in line.segments)
    if line.op == SAME_LINE:
        return [("  " + text).rstrip()]
    return [{OLD: "- ", NEW: "+ "}[line.op] + (text if text.strip() else wording.BLANK_LINE)]


def _fence(lines: list[str], lang: str) -> list[str]:
    longest = max((len(m) for line in lines for m in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + lang, *lines, fence, ""]


def _variables(report: Report) -> list[list[str]]:
    if not report.programs:
        return []
    names = [v.name for v in report.programs[0].variables] if report.programs else []
    out = ["<details><summary>Program variables</summary>", "", "| program | " + " | ".join(names) + " | output |"]
    out.append("| --- |" + " --- |" * (len(names) + 1))
    for p in report.programs:
        cells = [_md_code(v.value) + (" (default)" if v.default else "") for v in p.variables]
        out.append(f"| {_md_code(p.slug)} | " + " | ".join(cells) + f" | {_md_code(p.output)} |")
    return [[*out, "", "</details>", ""]]


def _drift(report: Report, options: Options) -> list[list[str]]:
    out = [["### Drift", "", f"{_md_code(report.out + '/')} compared with what the sources produce.", ""]]
    if not report.drift:
        out[0] += ["None: every page matches its sources.", ""]
        return out
    for drift in report.drift:
        block = [f"- {_md_code(report.out + '/' + drift.file)}: {_md(wording.drift_word(drift))}", ""]
        body: list[str] = []
        for hunk in drift.hunks:
            body.append(f"@@ line {hunk.old_start} (sources) / {hunk.new_start} (file) @@")
            body += [text for line in hunk.lines for text in diff_lines(line)]
        if len(body) > _DRIFT_LINES:
            body = [*body[:_DRIFT_LINES], f"@@ … {len(body) - _DRIFT_LINES} more lines @@"]
        if body:
            block += _fence(body, "diff")
        out.append(block)
    return out


__all__ = ["LIMIT", "diff_lines", "link", "pieces", "size"]
