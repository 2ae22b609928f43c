"""The HTML format: one self-contained page, side by side, every piece of content escaped."""

from __future__ import annotations

import html
from collections.abc import Iterator
from itertools import chain

from ..diff.model import BASE, Comparison, Evidence, Report, ReportProgram
from ..diff.textdiff import CHANGED, NEW, OLD, Line
from . import Style, plain, wording

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#1f2328}
h1,h2,h3,h4{line-height:1.2}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;vertical-align:top}
code,.text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.text{white-space:pre-wrap;word-break:break-word}
.sbs{width:100%;table-layout:fixed}.sbs col.f{width:9em}.sbs td.gap{background:#f6f8fa}
.state-same{color:#656d76}.state-variables{color:#0969da}.state-formatting{color:#8250df}
.state-replaced{color:#9a6700;font-weight:bold}.state-absent{color:#cf222e}.state-program-only{color:#1a7f37}
.state-component{color:#0550ae}
.cat{font-size:11px;text-transform:uppercase;border-radius:3px;padding:0 .3em;border:1px solid currentColor}
.cat-program{color:#0969da}.cat-content{color:#9a6700}.cat-formatting{color:#8250df}
td.old{background:#ffebe9}td.new{background:#dafbe1}td.same{background:#fff}
del{background:#ff818266;text-decoration:line-through}ins{background:#abf2bc;text-decoration:none}
.blank{color:#8c959f;font-style:italic}.note{color:#656d76}ul.statements{padding-left:1.2em}
"""


def escape(text: str) -> str:
    """Text as HTML, quotes included."""
    return html.escape(text, quote=True)


def pieces(report: Report, style: Style = plain) -> Iterator[str]:
    """One self-contained HTML file (no external resources); every piece of content escaped."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        "<wording.title>variants diff</wording.title>",
        f"<style>{_CSS.strip()}</style>",
        "</head>",
        "<body>",
        "<h1>variants diff</h1>",
        f"<p>{escape(wording.title(report))}.</p>",
        "<h2>Program variables</h2>",
        "<table><thead><tr><th>variable</th>"
        + "".join(f"<th><code>{escape(p.slug)}</code></th>" for p in report.programs)
        + "</tr></thead><tbody>",
    ]
    names = [v.name for v in report.programs[0].variables] if report.programs else []
    for n, name in enumerate(names):
        cells = "".join(
            f"<td><code>{escape(p.variables[n].value)}</code>{' (default)' if p.variables[n].default else ''}</td>"
            for p in report.programs
        )
        out.append(f"<tr><th><code>{escape(name)}</code></th>{cells}</tr>")
    out.append(
        "<tr><th>output</th>" + "".join(f"<td><code>{escape(p.output)}</code></td>" for p in report.programs) + "</tr>"
    )
    out += ["</tbody></table>", "<h2>Questions</h2>", "<ul>"]
    out += [
        f'<li><span class="state-{escape(state)}">{escape(state)}</span>: {escape(meaning)}</li>'
        for state, meaning in wording.legend(report)
    ]
    out.append("</ul>")
    out.append(
        "<table><thead><tr><th>section</th><th>question</th>"
        + "".join(f"<th><code>{escape(c)}</code></th>" for c in report.columns)
        + "</tr></thead><tbody>"
    )
    for row in report.rows:
        cells = "".join(
            f'<td class="state-{escape(row.cells[c].state)}">{escape(wording.state_text(row.cells[c].state, row.cells[c].moved))}</td>'
            for c in report.columns
        )
        out.append(
            f"<tr><td><code>{escape(row.section)}</code></td>"
            f'<td><code>{escape(row.id)}</code><br><span class="text">{escape(row.question)}</span></td>{cells}</tr>'
        )
    out.append("</tbody></table>")
    uses = wording.component_uses(report)
    if uses:
        out += [
            "<h2>Components</h2>",
            "<table><thead><tr><th>component</th><th>file</th><th>used by</th></tr></thead><tbody>",
        ]
        out += [
            f"<tr><td><code>{escape(name)}</code></td><td><code>{escape(file)}</code></td><td>{escape(programs)}</td></tr>"
            for name, file, programs in uses
        ]
        out.append("</tbody></table>")
    programs = {p.slug: p for p in report.programs}
    comparisons = (_html_comparison(report, programs[c.new], c) for c in report.comparisons)
    return wording.joined(chain([out], comparisons, [[*_html_drift(report), "</body>", "</html>"]]), strip=False)


def _html_comparison(report: Report, program: ReportProgram, comparison: Comparison) -> list[str]:
    other = "the base" if comparison.old == BASE else comparison.old
    out = [
        f"<h2>{escape(comparison.new)}</h2>",
        f"<p><code>{escape(program.source)}</code>, compared with {escape(other)}.</p>",
        "<h3>Declared</h3>",
        '<ul class="statements">',
    ]
    for statement in comparison.statements:
        where = ", ".join(f"<code>{escape(wording.loc_text(loc))}</code>" for loc in statement.where)
        tag = f'<span class="cat cat-{escape(statement.category)}">{escape(statement.category)}</span>'
        out.append(f"<li>{where + ' ' if where else ''}{tag} {escape(statement.text)}</li>")
    out += ["</ul>", f'<p class="note">{escape(wording.variables_note(comparison, report.show_variables))}</p>']
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
        f'<h4>{escape(wording.group_name(evidence))} <span class="state-{escape(evidence.state)}">({escape(evidence.state)})</span></h4>',
        '<table class="sbs"><colgroup><col class="f"><col><col></colgroup>',
        f"<thead><tr><th></th><th><code>{escape(old_name)}</code></th><th><code>{escape(new_name)}</code></th></tr></thead><tbody>",
    ]
    for item in evidence.fields:
        for n, line in enumerate(item.lines):
            out.append(f"<tr><th>{escape(wording.label(item)) if n == 0 else ''}</th>{_html_cells(line)}</tr>")
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
        old = "".join(f"<del>{escape(t)}</del>" if k == OLD else escape(t) for k, t in line.segments if k != NEW)
        new = "".join(f"<ins>{escape(t)}</ins>" if k == NEW else escape(t) for k, t in line.segments if k != OLD)
        return f'<td class="old text">{old}</td><td class="new text">{new}</td>'
    return f'<td class="same text">{escape(whole)}</td><td class="same text">{escape(whole)}</td>'


def _html_text(text: str) -> str:
    return escape(text) if text.strip() else f'<span class="blank">{wording.BLANK}</span>'


def _html_drift(report: Report) -> list[str]:
    out = ["<h2>Drift</h2>", f"<p><code>{escape(report.out)}/</code> compared with what the sources produce.</p>"]
    if not report.drift:
        return [*out, "<p>None: every page matches its sources.</p>"]
    for drift in report.drift:
        out.append(
            f"<h3><code>{escape(report.out + '/' + drift.file)}</code>: {escape(wording.drift_word(drift))}</h3>"
        )
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


__all__ = ["escape", "pieces"]
