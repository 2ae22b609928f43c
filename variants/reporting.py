"""Formatters for the diff report: terminal text, Markdown, one-file HTML and JSON.

Each takes the plain-data report from ``diffing`` and returns a string; none of
them prints. Colour in the text format comes from a ``style`` function the caller
passes (``click.style`` on a terminal), so this module knows nothing of terminals.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from json.encoder import encode_basestring
from typing import Any

from .diffing import (
    ABSENT,
    BASE,
    FORMATTED,
    ONLY,
    REPLACED,
    SAME,
    VARIABLES,
    Comparison,
    Drift,
    Evidence,
    FieldEvidence,
    Program,
    Report,
    Row,
    Statement,
)
from .errors import Loc
from .textdiff import CHANGED, NEW, OLD, Line
from .textdiff import SAME as SAME_LINE

FORMATS = ("text", "markdown", "html", "json")
JSON_VERSION = 1

Style = Callable[..., str]

_STATE_STYLE: dict[str, dict[str, Any]] = {
    SAME: {"dim": True},
    VARIABLES: {"fg": "cyan"},
    FORMATTED: {"fg": "magenta"},
    REPLACED: {"fg": "yellow", "bold": True},
    ABSENT: {"fg": "red"},
    ONLY: {"fg": "green"},
}
_CATEGORY_STYLE: dict[str, dict[str, Any]] = {
    "program": {"fg": "cyan"},
    "content": {"fg": "yellow"},
    "formatting": {"fg": "magenta"},
}
_BLANK = "(blank line)"


def plain(text: str, **_: Any) -> str:
    """The style function that adds no colour."""
    return text


def format_report(report: Report, fmt: str, style: Style = plain) -> str:
    """The report in ``fmt`` (one of FORMATS); ``style`` colours the text format only."""
    return "".join(iter_report(report, fmt, style))


def iter_report(report: Report, fmt: str, style: Style = plain) -> Iterator[str]:
    """The report in ``fmt`` as pieces to write as they come, one program's part at a time:
    a report on thousands of programs is never one string, and the report's comparisons
    are made one by one as they are written. The pieces joined are ``format_report``."""
    if fmt == "text":
        return _text_pieces(report, style)
    if fmt == "markdown":
        return _markdown_pieces(report)
    if fmt == "html":
        return _html_pieces(report)
    if fmt == "json":
        return _json_pieces(report)
    raise ValueError(f"unknown format {fmt!r}")


def _joined(groups: Iterable[list[str]], strip: bool) -> Iterator[str]:
    r"""``"\n".join(lines) + "\n"`` over the lines of every group in turn, one piece per
    group; with ``strip``, the newlines at the very end are dropped first (as
    ``.rstrip("\n")`` would), so they are held back until something else follows."""
    sep = ""
    held = ""
    for lines in groups:
        if not lines:
            continue
        piece = held + sep + "\n".join(lines)
        sep = "\n"
        if strip:
            body = piece.rstrip("\n")
            held, piece = piece[len(body) :], body
        if piece:
            yield piece
    yield "\n"


# Wording shared by the formats.


def _where(statement: Statement) -> str:
    return ", ".join(_loc(loc) for loc in statement.where)


def _loc(loc: Loc) -> str:
    return f"{loc.path}:{loc.line}" if loc.line else loc.path


def _title(report: Report) -> str:
    if report.compared_with == BASE:
        count = len(report.comparisons)
        return f"{count} program{'s' if count != 1 else ''}, each compared with the base ({report.base})"
    return f"{report.columns[0]} compared with {report.compared_with}"


def _legend(report: Report) -> list[tuple[str, str]]:
    other = "the base" if report.compared_with == BASE else report.compared_with
    return [
        (SAME, f"as {other}"),
        (VARIABLES, "differs only by the program variables (the name swap)"),
        (FORMATTED, "differs only in formatting (spacing, separator line, layout)"),
        (REPLACED, "its text is replaced"),
        (ABSENT, "not on this page"),
        (ONLY, f"not in {other}"),
    ]


def _state(state: str, moved: bool) -> str:
    return state + (", moved" if moved else "")


def _label(item: FieldEvidence) -> str:
    return item.field + (" (formatting)" if item.category == "formatting" else "")


def _group_name(evidence: Evidence) -> str:
    if evidence.target == "page":
        return "page"
    return f"{evidence.target} '{evidence.id}'"


def _variables_note(comparison: Comparison, show: bool) -> str:
    only = comparison.variable_only
    parts = []
    if only.questions:
        count = len(only.questions)
        parts.append(f"{count} question{'s' if count != 1 else ''} ({', '.join(only.questions)})")
    if only.sections:
        parts.append(f"section titles ({', '.join(only.sections)})")
    if only.page:
        parts.append(f"page texts ({', '.join(only.page)})")
    if not parts:
        return "No text differs only by the program variables."
    other = "the base" if comparison.old == BASE else comparison.old
    tail = "listed below" if show else "--show-variables lists them"
    return f"Only the program variables change {_join(parts)} from {other}; {tail}."


def _evidence_sides(comparison: Comparison) -> str:
    old = "the base with this program's variables" if comparison.old == BASE else comparison.old
    return f"- {old}, + {'this program' if comparison.old == BASE else comparison.new}, ~ words changed in a line"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _drift_word(drift: Drift) -> str:
    return {
        "edited": "edited by hand (differs from what the sources produce)",
        "stale": "stale (the sources changed since the last build)",
        "missing": "missing (not built yet)",
        "extra": "extra (its override is gone)",
    }[drift.state]


# Text.


def to_text(report: Report, style: Style = plain) -> str:
    """Terminal text; ``style`` is ``click.style`` for colour, or ``plain``."""
    return "".join(_text_pieces(report, style))


def _text_pieces(report: Report, style: Style) -> Iterator[str]:
    head: list[str] = [style("variants diff", bold=True) + ": " + _title(report), ""]
    head += _text_variables(report, style)
    head += _text_matrix(report, style)
    programs = {p.slug: p for p in report.programs}
    comparisons = (_text_comparison(report, programs[c.new], c, style) for c in report.comparisons)
    return _joined(chain([head], comparisons, [_text_drift(report, style)]), strip=True)


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
    for state, meaning in _legend(report):
        out.append(f"  {style(state, **_STATE_STYLE[state])}: {meaning}")
    rows = [["section", "question", *report.columns]]
    states: list[list[str]] = [[]]
    for entry in report.rows:
        cells = [entry.cells[c] for c in report.columns]
        rows.append([entry.section, entry.id, *(_state(c.state, c.moved) for c in cells)])
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
    return [*out, ""]


def _text_comparison(report: Report, program: Program, comparison: Comparison, style: Style) -> list[str]:
    other = "the base" if comparison.old == BASE else comparison.old
    out = [style(f"== {comparison.new}", bold=True) + f" ({program.source}, compared with {other})", ""]
    out.append(style("Declared", bold=True))
    for statement in comparison.statements:
        where = _where(statement)
        tag = style(f"[{statement.category}]", **_CATEGORY_STYLE[statement.category])
        out.append(f"  {where + ': ' if where else ''}{tag} {statement.text}")
    out += ["", _variables_note(comparison, report.show_variables), ""]
    if comparison.evidence:
        out.append(style("Rendered evidence", bold=True) + f" ({_evidence_sides(comparison)})")
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
    out = [f"  {_group_name(evidence)} ({style(evidence.state, **_STATE_STYLE.get(evidence.state, {}))})"]
    labels = [_label(item) for item in evidence.fields]
    width = max(map(len, labels), default=0)
    for label, item in zip(labels, evidence.fields, strict=True):
        for n, line in enumerate(item.lines):
            head = label if n == 0 else ""
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
    shown = text if text.strip() else style(_BLANK, dim=True)
    if line.op == OLD:
        return style("- ", fg="red") + shown
    return style("+ ", fg="green") + shown


def _text_drift(report: Report, style: Style) -> list[str]:
    out = [style("Drift", bold=True) + f" ({report.out}/ compared with what the sources produce)"]
    if not report.drift:
        return [*out, "  none: every page matches its sources"]
    for drift in report.drift:
        out.append(f"  {report.out}/{drift.file}: " + style(_drift_word(drift), fg="red"))
        for hunk in drift.hunks:
            out.append(style(f"    @@ line {hunk.old_start} (sources) / {hunk.new_start} (file) @@", fg="cyan"))
            out += [f"    {_text_line(line, style)}".rstrip() for line in hunk.lines]
    return out


# Markdown.


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~])")


def _md(text: str) -> str:
    """Text shown as it is in Markdown (inline, not at a line start): the characters that
    could start markup or HTML are backslash-escaped, lines joined."""
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _md_code(text: str) -> str:
    """An inline code span (a table cell stays one cell: '|' is escaped)."""
    text = text.replace("\n", " ").replace("|", "\\|")
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def to_markdown(report: Report) -> str:
    """Markdown for a pull-request comment: tables, a list of statements, evidence in diff blocks."""
    return "".join(_markdown_pieces(report))


def _markdown_pieces(report: Report) -> Iterator[str]:
    out = ["## variants diff", "", _md(_title(report)) + ".", ""]
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
    out.append("; ".join(f"**{state}**: {_md(meaning)}" for state, meaning in _legend(report)) + ".")
    out.append("")
    out.append("| section | question | " + " | ".join(_md_code(c) for c in report.columns) + " |")
    out.append("| --- | --- |" + " --- |" * len(report.columns))
    for row in report.rows:
        cells = [_state(row.cells[c].state, row.cells[c].moved) for c in report.columns]
        shown = [
            f"**{cell}**" if row.cells[c].state not in (SAME, VARIABLES) else cell
            for cell, c in zip(cells, report.columns, strict=True)
        ]
        out.append(f"| {_md_code(row.section)} | {_md_code(row.id)} | " + " | ".join(shown) + " |")
    out.append("")
    programs = {p.slug: p for p in report.programs}
    comparisons = (_md_comparison(report, programs[c.new], c) for c in report.comparisons)
    return _joined(chain([out], comparisons, [_md_drift(report)]), strip=True)


def _md_comparison(report: Report, program: Program, comparison: Comparison) -> list[str]:
    other = "the base" if comparison.old == BASE else _md_code(comparison.old)
    out = [f"### {_md(comparison.new)}", "", f"{_md_code(program.source)}, compared with {other}.", ""]
    for statement in comparison.statements:
        where = ", ".join(_md_code(_loc(loc)) for loc in statement.where)
        out.append(f"- {where + ' ' if where else ''}**{statement.category}**: {_md(statement.text)}")
    out += ["", _md(_variables_note(comparison, report.show_variables)), ""]
    groups = list(comparison.evidence)
    if report.show_variables:
        groups += list(comparison.variable_evidence)
    if groups:
        out += [f"<details><summary>Rendered evidence ({_h(_evidence_sides(comparison))})</summary>", ""]
        for evidence in groups:
            out += [f"**{_md(_group_name(evidence))}** ({evidence.state})", ""]
            out += _md_block(evidence.fields)
        out += ["</details>", ""]
    return out


def _md_block(fields: tuple[FieldEvidence, ...]) -> list[str]:
    body: list[str] = []
    for item in fields:
        body.append(f"@@ {_label(item)} @@")
        body += [_diff_line(line) for line in item.lines]
    return _fence(body, "diff")


def _diff_line(line: Line) -> str:
    if line.op == CHANGED:
        return "~ " + "".join(f"[-{t}-]" if k == OLD else f"{{+{t}+}}" if k == NEW else t for k, t in line.segments)
    text = "".join(t for _, t in line.segments)
    if line.op == SAME_LINE:
        return ("  " + text).rstrip()
    return {OLD: "- ", NEW: "+ "}[line.op] + (text if text.strip() else _BLANK)


def _fence(lines: list[str], lang: str) -> list[str]:
    longest = max((len(m) for line in lines for m in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + lang, *lines, fence, ""]


def _md_drift(report: Report) -> list[str]:
    out = ["### Drift", "", f"{_md_code(report.out + '/')} compared with what the sources produce.", ""]
    if not report.drift:
        return [*out, "None: every page matches its sources.", ""]
    for drift in report.drift:
        out += [f"- {_md_code(report.out + '/' + drift.file)}: {_md(_drift_word(drift))}", ""]
        body: list[str] = []
        for hunk in drift.hunks:
            body.append(f"@@ line {hunk.old_start} (sources) / {hunk.new_start} (file) @@")
            body += [_diff_line(line) for line in hunk.lines]
        if body:
            out += _fence(body, "diff")
    return out


# HTML.


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#1f2328}
h1,h2,h3,h4{line-height:1.2}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;vertical-align:top}
code,.text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.text{white-space:pre-wrap;word-break:break-word}
.sbs{width:100%;table-layout:fixed}.sbs col.f{width:9em}.sbs td.gap{background:#f6f8fa}
.state-same{color:#656d76}.state-variables{color:#0969da}.state-formatting{color:#8250df}
.state-replaced{color:#9a6700;font-weight:bold}.state-absent{color:#cf222e}.state-program-only{color:#1a7f37}
.cat{font-size:11px;text-transform:uppercase;border-radius:3px;padding:0 .3em;border:1px solid currentColor}
.cat-program{color:#0969da}.cat-content{color:#9a6700}.cat-formatting{color:#8250df}
td.old{background:#ffebe9}td.new{background:#dafbe1}td.same{background:#fff}
del{background:#ff818266;text-decoration:line-through}ins{background:#abf2bc;text-decoration:none}
.blank{color:#8c959f;font-style:italic}.note{color:#656d76}ul.statements{padding-left:1.2em}
"""


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def to_html(report: Report) -> str:
    """One self-contained HTML file (no external resources); every piece of content escaped."""
    return "".join(_html_pieces(report))


def _html_pieces(report: Report) -> Iterator[str]:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>variants diff</title>",
        f"<style>{_CSS.strip()}</style>",
        "</head>",
        "<body>",
        "<h1>variants diff</h1>",
        f"<p>{_h(_title(report))}.</p>",
        "<h2>Program variables</h2>",
        "<table><thead><tr><th>variable</th>"
        + "".join(f"<th><code>{_h(p.slug)}</code></th>" for p in report.programs)
        + "</tr></thead><tbody>",
    ]
    names = [v.name for v in report.programs[0].variables] if report.programs else []
    for n, name in enumerate(names):
        cells = "".join(
            f"<td><code>{_h(p.variables[n].value)}</code>{' (default)' if p.variables[n].default else ''}</td>"
            for p in report.programs
        )
        out.append(f"<tr><th><code>{_h(name)}</code></th>{cells}</tr>")
    out.append(
        "<tr><th>output</th>" + "".join(f"<td><code>{_h(p.output)}</code></td>" for p in report.programs) + "</tr>"
    )
    out += ["</tbody></table>", "<h2>Questions</h2>", "<ul>"]
    out += [
        f'<li><span class="state-{_h(state)}">{_h(state)}</span>: {_h(meaning)}</li>'
        for state, meaning in _legend(report)
    ]
    out.append("</ul>")
    out.append(
        "<table><thead><tr><th>section</th><th>question</th>"
        + "".join(f"<th><code>{_h(c)}</code></th>" for c in report.columns)
        + "</tr></thead><tbody>"
    )
    for row in report.rows:
        cells = "".join(
            f'<td class="state-{_h(row.cells[c].state)}">{_h(_state(row.cells[c].state, row.cells[c].moved))}</td>'
            for c in report.columns
        )
        out.append(
            f"<tr><td><code>{_h(row.section)}</code></td>"
            f'<td><code>{_h(row.id)}</code><br><span class="text">{_h(row.question)}</span></td>{cells}</tr>'
        )
    out.append("</tbody></table>")
    programs = {p.slug: p for p in report.programs}
    comparisons = (_html_comparison(report, programs[c.new], c) for c in report.comparisons)
    return _joined(chain([out], comparisons, [[*_html_drift(report), "</body>", "</html>"]]), strip=False)


def _html_comparison(report: Report, program: Program, comparison: Comparison) -> list[str]:
    other = "the base" if comparison.old == BASE else comparison.old
    out = [
        f"<h2>{_h(comparison.new)}</h2>",
        f"<p><code>{_h(program.source)}</code>, compared with {_h(other)}.</p>",
        "<h3>Declared</h3>",
        '<ul class="statements">',
    ]
    for statement in comparison.statements:
        where = ", ".join(f"<code>{_h(_loc(loc))}</code>" for loc in statement.where)
        tag = f'<span class="cat cat-{_h(statement.category)}">{_h(statement.category)}</span>'
        out.append(f"<li>{where + ' ' if where else ''}{tag} {_h(statement.text)}</li>")
    out += ["</ul>", f'<p class="note">{_h(_variables_note(comparison, report.show_variables))}</p>']
    base = comparison.old == BASE
    if comparison.evidence:
        out.append("<h3>Rendered evidence</h3>")
        old_name = f"base, with {comparison.new}'s variables" if base else comparison.old
        for evidence in comparison.evidence:
            out += _html_evidence(evidence, old_name, comparison.new)
    if report.show_variables and comparison.variable_evidence:
        out.append("<h3>Differences made only by the program variables</h3>")
        for evidence in comparison.variable_evidence:
            out += _html_evidence(evidence, comparison.old, comparison.new)
    return out


def _html_evidence(evidence: Evidence, old_name: str, new_name: str) -> list[str]:
    out = [
        f'<h4>{_h(_group_name(evidence))} <span class="state-{_h(evidence.state)}">({_h(evidence.state)})</span></h4>',
        '<table class="sbs"><colgroup><col class="f"><col><col></colgroup>',
        f"<thead><tr><th></th><th><code>{_h(old_name)}</code></th><th><code>{_h(new_name)}</code></th></tr></thead><tbody>",
    ]
    for item in evidence.fields:
        for n, line in enumerate(item.lines):
            out.append(f"<tr><th>{_h(_label(item)) if n == 0 else ''}</th>{_html_cells(line)}</tr>")
    out.append("</tbody></table>")
    return out


def _html_cells(line: Line) -> str:
    """The old and the new side of one line; inside a changed line, the words are marked."""
    whole = "".join(text for _, text in line.segments)
    if line.op == OLD:
        return f'<td class="old text">{_html_text(whole)}</td><td class="gap"></td>'
    if line.op == NEW:
        return f'<td class="gap"></td><td class="new text">{_html_text(whole)}</td>'
    if line.op == CHANGED:
        old = "".join(f"<del>{_h(t)}</del>" if k == OLD else _h(t) for k, t in line.segments if k != NEW)
        new = "".join(f"<ins>{_h(t)}</ins>" if k == NEW else _h(t) for k, t in line.segments if k != OLD)
        return f'<td class="old text">{old}</td><td class="new text">{new}</td>'
    return f'<td class="same text">{_h(whole)}</td><td class="same text">{_h(whole)}</td>'


def _html_text(text: str) -> str:
    return _h(text) if text.strip() else f'<span class="blank">{_BLANK}</span>'


def _html_drift(report: Report) -> list[str]:
    out = ["<h2>Drift</h2>", f"<p><code>{_h(report.out)}/</code> compared with what the sources produce.</p>"]
    if not report.drift:
        return [*out, "<p>None: every page matches its sources.</p>"]
    for drift in report.drift:
        out.append(f"<h3><code>{_h(report.out + '/' + drift.file)}</code>: {_h(_drift_word(drift))}</h3>")
        if not drift.hunks:
            continue
        out += [
            '<table class="sbs"><colgroup><col class="f"><col><col></colgroup>',
            "<thead><tr><th>line</th><th>what the sources produce</th><th>the file</th></tr></thead><tbody>",
        ]
        for hunk in drift.hunks:
            for line in hunk.lines:
                number = line.old_no or line.new_no
                out.append(f"<tr><th>{number}</th>{_html_cells(line)}</tr>")
        out.append("</tbody></table>")
    return out


# JSON.


def to_json(report: Report) -> str:
    """The report as JSON (schema version 1, documented in the README); keys sorted."""
    return "".join(_json_pieces(report))


def report_data(report: Report) -> dict[str, Any]:
    """The JSON document as plain data."""
    comparisons = [_json_comparison(c, _json_line) for c in report.comparisons]
    return _json_document(report, comparisons, [_json_row(row) for row in report.rows], _json_line)


def _json_pieces(report: Report) -> Iterator[str]:
    r"""The document as ``json.dumps(report_data(report), indent=2, sort_keys=True,
    ensure_ascii=False) + "\n"`` writes it, one comparison and one matrix row at a time."""
    document = _json_document(report, [], [], _line_as_is)  # the small parts
    comparisons = (_json_comparison(c, _line_as_is) for c in report.comparisons)
    rows = (_json_row(row) for row in report.rows)
    yield "{"
    for n, key in enumerate(sorted(document)):
        yield ("," if n else "") + _newline(1) + encode_basestring(key) + ": "
        if key == "comparisons":
            yield from _json_list(comparisons, 1)
        elif key == "matrix":  # its keys in order: "columns", "rows"
            yield "{" + _newline(2) + '"columns": ' + _encode(document[key]["columns"], 2) + ","
            yield _newline(2) + '"rows": '
            yield from _json_list(rows, 2)
            yield _newline(1) + "}"
        else:
            yield _encode(document[key], 1)
    yield "\n}\n"


LineData = Callable[[Line], Any]  # how a line of evidence goes into the document


def _json_document(
    report: Report, comparisons: list[dict[str, Any]], rows: list[dict[str, Any]], line: LineData
) -> dict[str, Any]:
    """The JSON document with ``comparisons`` and matrix ``rows`` as given; ``line`` puts in
    each line of drift."""
    return {
        "version": JSON_VERSION,
        "compared_with": report.compared_with,
        "base": report.base,
        "out": report.out,
        "show_variables": report.show_variables,
        "programs": [
            {
                "slug": p.slug,
                "source": p.source,
                "output": p.output,
                "variables": [
                    {
                        "name": v.name,
                        "value": v.value,
                        "default": v.default,
                        "where": _json_loc(v.where),
                        "help": v.help,
                    }
                    for v in p.variables
                ],
            }
            for p in report.programs
        ],
        "comparisons": comparisons,
        "matrix": {
            "columns": list(report.columns),
            "rows": rows,
        },
        "drift": [
            {
                "file": d.file,
                "program": d.program,
                "state": d.state,
                "hunks": [
                    {
                        "old_start": h.old_start,
                        "new_start": h.new_start,
                        "lines": [line(each) for each in h.lines],
                    }
                    for h in d.hunks
                ],
            }
            for d in report.drift
        ],
    }


def _json_row(row: Row) -> dict[str, Any]:
    return {
        "id": row.id,
        "section": row.section,
        "question": row.question,
        "cells": {name: {"state": cell.state, "moved": cell.moved} for name, cell in row.cells.items()},
    }


def _json_loc(loc: Loc | None) -> dict[str, Any] | None:
    return None if loc is None else {"path": loc.path, "line": loc.line, "column": loc.col}


def _json_line(line: Line) -> dict[str, Any]:
    return {
        "op": line.op,
        "old_line": line.old_no,
        "new_line": line.new_no,
        "segments": [{"kind": kind, "text": text} for kind, text in line.segments],
    }


def _line_as_is(line: Line) -> Line:
    """A line left as it is: ``_put`` writes it as ``_json_line`` would make it, faster."""
    return line


def _json_evidence(evidence: Evidence, line: LineData) -> dict[str, Any]:
    return {
        "target": evidence.target,
        "id": evidence.id,
        "section": evidence.section,
        "state": evidence.state,
        "fields": [
            {"field": f.field, "category": f.category, "lines": [line(each) for each in f.lines]}
            for f in evidence.fields
        ],
    }


def _json_comparison(comparison: Comparison, line: LineData) -> dict[str, Any]:
    return {
        "old": comparison.old,
        "new": comparison.new,
        "statements": [
            {
                "category": s.category,
                "change": s.change,
                "target": s.target,
                "id": s.id,
                "field": s.field,
                "text": s.text,
                "where": [_json_loc(loc) for loc in s.where],
                "old": s.old,
                "new": s.new,
            }
            for s in comparison.statements
        ],
        "variable_only": {
            "page": list(comparison.variable_only.page),
            "sections": list(comparison.variable_only.sections),
            "questions": list(comparison.variable_only.questions),
        },
        "evidence": [_json_evidence(e, line) for e in comparison.evidence],
        "variable_evidence": [_json_evidence(e, line) for e in comparison.variable_evidence],
    }


# Writing JSON: the bytes json.dumps(..., indent=2, sort_keys=True, ensure_ascii=False) writes,
# without its generator per level (several times faster) and a piece at a time.

_CONSTANTS = {None: "null", True: "true", False: "false"}


def _newline(level: int) -> str:
    return "\n" + "  " * level


def _json_list(items: Iterable[Any], level: int) -> Iterator[str]:
    """A list at nesting ``level``, one item at a time."""
    empty = True
    for item in items:
        yield ("[" if empty else ",") + _newline(level + 1) + _encode(item, level + 1)
        empty = False
    yield "[]" if empty else _newline(level) + "]"


def _encode(value: Any, level: int) -> str:
    """``value`` as ``json.dumps`` writes it at nesting ``level``."""
    parts: list[str] = []
    _put(value, level, parts)
    return "".join(parts)


def _put(value: Any, level: int, parts: list[str]) -> None:
    kind = type(value)
    if kind is str:
        parts.append(encode_basestring(value))
    elif kind is dict and all(type(key) is str for key in value):
        if not value:
            parts.append("{}")
            return
        inner = _newline(level + 1)
        sep = "{" + inner
        for key in sorted(value):
            item = value[key]
            if type(item) is str:  # the most common value, written here rather than by a call
                parts.append(sep + encode_basestring(key) + ": " + encode_basestring(item))
            else:
                parts.append(sep + encode_basestring(key) + ": ")
                _put(item, level + 1, parts)
            sep = "," + inner
        parts.append(_newline(level) + "}")
    elif kind is list or kind is tuple:
        if not value:
            parts.append("[]")
            return
        inner = _newline(level + 1)
        sep = "[" + inner
        for item in value:
            if type(item) is str:
                parts.append(sep + encode_basestring(item))
            else:
                parts.append(sep)
                _put(item, level + 1, parts)
            sep = "," + inner
        parts.append(_newline(level) + "]")
    elif kind is Line:
        _put_line(value, level, parts)
    elif kind is bool or value is None:
        parts.append(_CONSTANTS[value])
    elif kind is int:
        parts.append(int.__repr__(value))
    else:  # floats, mappings with other keys, anything else: as the json module writes them
        text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
        parts.append(text.replace("\n", _newline(level)))


def _put_line(line: Line, level: int, parts: list[str]) -> None:
    """``line`` as ``_put(_json_line(line), level, parts)`` writes it (keys sorted), in one go."""
    inner, segment, field = _newline(level + 1), _newline(level + 2), _newline(level + 3)
    head = (
        f'{{{inner}"new_line": {line.new_no:d},{inner}"old_line": {line.old_no:d},'
        f'{inner}"op": {encode_basestring(line.op)},{inner}"segments": '
    )
    if not line.segments:
        parts.append(f"{head}[]{_newline(level)}}}")
        return
    segments = ("," + segment).join(
        f'{{{field}"kind": {encode_basestring(kind)},{field}"text": {encode_basestring(text)}{segment}}}'
        for kind, text in line.segments
    )
    parts.append(f"{head}[{segment}{segments}{inner}]{_newline(level)}}}")
