"""The HTML format: one self-contained page, every piece of content escaped, no script.

A contents list with anchors, the drift first, the summary and the matrix (in boxes that
scroll on their own, headers kept in view), a collapsible part per program with its
evidence side by side (a removed line and the added line that replaces it on one row),
light and dark colours, and a Content-Security-Policy that allows only its own style.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from itertools import chain

from ..diff.model import Comparison, Evidence, Report, ReportProgram, Statement
from ..diff.textdiff import CHANGED, NEW, OLD, Line
from . import Style, plain, wording
from .htmlstyle import CSP, CSS

OPEN_UP_TO = 20  # programs' parts start open when there are at most this many
_TOC_UP_TO = 60  # programs listed in the contents


def escape(text: str) -> str:
    """Text as HTML, quotes included."""
    return html.escape(text, quote=True)


def program_anchor(slug: str) -> str:
    return "p-" + "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in slug)


def pieces(report: Report, style: Style = plain) -> Iterator[str]:
    """One self-contained HTML file (no external resources, no script); every piece of content escaped."""
    listed = [line.slug for line in report.summary if line.column >= 0 or report.show_variables]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{escape(CSP)}">',
        "<title>variants diff</title>",
        f"<style>{CSS.strip()}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<h1>variants diff</h1>",
        f"<p>{escape(wording.title(report))}.</p>",
        *_banner(report),
        *_toc(report, listed),
        *_summary(report),
        *_matrix(report),
        '<section id="programs">',
        "<h2>Programs</h2>",
        f'<p class="note">{escape(wording.variables_note(report))} Evidence: {escape(wording.evidence_sides(report, "words struck through: deleted, highlighted: inserted"))}.</p>',
    ]
    programs = {p.slug: p for p in report.programs}
    shown = set(listed)
    opened = len(listed) <= OPEN_UP_TO
    parts = (
        _comparison(report, programs[c.new], c, opened)
        for c in report.comparisons
        if c.new in shown or wording.has_part(report, c)
    )
    tail = ["</section>", *_variables(report), *_drift(report), "</main>", "</body>", "</html>"]
    return wording.joined(chain([out], parts, [tail]), strip=False)


def _banner(report: Report) -> list[str]:
    lines = wording.banner(report)
    if not lines:
        return []
    pages = "".join(
        f"<li><code>{escape(line.split(': ', 1)[0])}</code>: {escape(line.split(': ', 1)[1])}</li>"
        for line in lines[1:]
    )
    return [
        f'<div class="banner" role="alert"><strong>{escape(lines[0])}</strong> (<a href="#drift">see Drift</a>)<ul>{pages}</ul></div>'
    ]


def _toc(report: Report, listed: list[str]) -> list[str]:
    items = [f'<li><a href="#{program_anchor(slug)}">{escape(slug)}</a></li>' for slug in listed[:_TOC_UP_TO]]
    if len(listed) > _TOC_UP_TO:
        items.append(f"<li>and {len(listed) - _TOC_UP_TO} more, below</li>")
    programs = f"<ul>{''.join(items)}</ul>" if items else ""
    components = '<li><a href="#components">Components</a></li>' if report.components else ""
    return [
        '<nav class="toc" aria-label="Contents"><strong>Contents</strong><ul>',
        '<li><a href="#summary">Summary</a></li><li><a href="#differences">Differences</a></li>' + components,
        f'<li><a href="#programs">Programs</a>{programs}</li>',
        '<li><a href="#variables">Program variables</a></li><li><a href="#drift">Drift</a></li>',
        "</ul></nav>",
    ]


def _table(head: list[str], rows: list[str], css: str = "", tall: bool = False) -> list[str]:
    cells = "".join(f"<th>{h}</th>" for h in head)
    box = "scroll tall" if tall else "scroll"
    return [
        f'<div class="{box}"><table class="{css}"><thead><tr>{cells}</tr></thead><tbody>',
        *rows,
        "</tbody></table></div>",
    ]


def _summary(report: Report) -> list[str]:
    rows = []
    for line in report.summary:
        cells = wording.summary_cells(report, line)
        name = (
            f'<a href="#{program_anchor(line.slug)}">{escape(line.slug)}</a>' if line.column >= 0 else escape(line.slug)
        )
        rest = "".join(f"<td>{escape(c)}</td>" for c in cells[1:5])
        drift = f'<td class="s-{escape(line.drift)}">{escape(cells[5])}</td>'
        extra = "".join(f"<td>{escape(c)}</td>" for c in cells[6:])
        rows.append(f"<tr><th>{name}</th>{rest}{drift}{extra}</tr>")
    note = wording.as_other_note(report)
    return [
        '<section id="summary"><h2>Summary</h2>',
        '<p class="note">Declared differences by kind; why: the content differences that say why.</p>',
        *_table([escape(h) for h in wording.summary_header(report)], rows, tall=True),
        *([f'<p class="note">{escape(note)}</p>'] if note else []),
        "</section>",
    ]


def _matrix(report: Report) -> list[str]:
    out = ['<section id="differences"><h2>Differences</h2>']
    if not report.rows or not report.columns:
        return [*out, "<p>None.</p></section>"]
    out.append(f'<p class="note">{escape(wording.legend(report))}. {escape(wording.unchanged_note(report))}.</p>')
    head = ["row"] + [
        f"{escape(wording.column_name(n))}<small>{escape(wording.column_label(report, n))}</small>"
        for n in range(len(report.columns))
    ]
    rows = []
    for row in report.rows:
        cells = "".join(f'<td class="s-{escape(c.state)}">{escape(wording.cell_text(c))}</td>' for c in row.cells)
        section = wording.row_section(row)
        label = (
            f'<span class="note">{escape(section)}</span> ' if section else ""
        ) + f"<code>{escape(wording.row_name(row))}</code>"
        if row.label and row.label != row.id:
            label += f"<small>{escape(row.label)}</small>"
        rows.append(f"<tr><th>{label}</th>{cells}</tr>")
    out += _table(head, rows, "matrix", tall=True)
    uses = wording.component_uses(report)
    out.append("</section>")
    if uses:
        rows = [
            f"<tr><th><code>{escape(n)}</code></th><td><code>{escape(f)}</code></td><td>{escape(p)}</td></tr>"
            for n, f, p in uses
        ]
        out += [
            '<section id="components"><h2>Components</h2>',
            *_table(["component", "file", "used by"], rows),
            "</section>",
        ]
    return out


def _statement(statement: Statement) -> str:
    where = ", ".join(f"<code>{escape(wording.loc_text(loc))}</code>" for loc in statement.where)
    tag = f'<span class="cat cat-{escape(statement.category)}">{escape(statement.category)}</span>'
    delta = wording.delta_text(statement)
    extra = f' <span class="delta">({escape(delta)})</span>' if delta else ""
    why = f'<span class="why">{escape(wording.why_text(statement))}</span>' if statement.why else ""
    return f"<li>{where + ' ' if where else ''}{tag} {escape(statement.text)}{extra}{why}</li>"


def _comparison(report: Report, program: ReportProgram, comparison: Comparison, opened: bool) -> list[str]:
    line = next((s for s in report.summary if s.slug == comparison.new), None)
    counts = []
    if line is not None:
        counts = [f"{n} {what}" for n, what in ((line.content, "content"), (line.formatting, "formatting")) if n]
        counts += [wording.DRIFT_WORDS[line.drift]] if line.drift else []
    head = escape(comparison.new) + (f' <span class="note">({escape(", ".join(counts))})</span>' if counts else "")
    out = [
        f'<details class="program" id="{program_anchor(comparison.new)}"{" open" if opened else ""}><summary>{head}</summary>',
        f"<p><code>{escape(program.source)}</code>, compared with {escape(wording.other(report))}.</p>",
    ]
    statements = wording.listed(comparison.statements)
    out += (
        ['<ul class="statements">', *(_statement(s) for s in statements), "</ul>"]
        if statements
        else ['<p class="note">Nothing declared.</p>']
    )
    old_name = f"base, with {comparison.new}'s variables" if comparison.old == "base" else comparison.old
    for evidence in comparison.evidence:
        out += _evidence(evidence, old_name, comparison.new)
    if report.show_variables:
        for evidence in comparison.variable_evidence:
            out += _evidence(evidence, comparison.old, comparison.new)
    return [*out, "</details>"]


def _evidence(evidence: Evidence, old_name: str, new_name: str) -> list[str]:
    head = f'<h3>{escape(wording.group_name(evidence))} <span class="s-{escape(evidence.state)}">({escape(wording.state_text(evidence.state))})</span></h3>'
    if evidence.same_as:
        return [head, f'<p class="note">{escape(wording.same_as_text(evidence))}</p>']
    rows = []
    for item in evidence.fields:
        for n, (old, new) in enumerate(paired(item.lines)):
            rows.append(f"<tr><th>{escape(wording.label(item)) if n == 0 else ''}</th>{_cells(old, new)}</tr>")
    return [
        head,
        '<div class="scroll"><table class="sbs"><colgroup><col class="f"><col><col></colgroup>',
        f"<thead><tr><th></th><th><code>{escape(old_name)}</code></th><th><code>{escape(new_name)}</code></th></tr></thead><tbody>",
        *rows,
        "</tbody></table></div>",
    ]


def paired(lines: tuple[Line, ...]) -> list[tuple[Line | None, Line | None]]:
    """Lines as rows of two sides: a run of removed lines beside the run of added lines after it."""
    rows: list[tuple[Line | None, Line | None]] = []
    olds: list[Line] = []
    news: list[Line] = []

    def flush() -> None:
        for n in range(max(len(olds), len(news))):
            rows.append((olds[n] if n < len(olds) else None, news[n] if n < len(news) else None))
        olds.clear()
        news.clear()

    for line in lines:
        if line.op == OLD and not news:
            olds.append(line)
        elif line.op == NEW:
            news.append(line)
        else:
            flush()
            if line.op == OLD:
                olds.append(line)
            else:
                rows.append((line, line))
    flush()
    return rows


def _cells(old: Line | None, new: Line | None) -> str:
    """The two sides of one row; inside a changed line, the words are marked."""
    if old is not None and old is new and old.op == CHANGED:
        a = "".join(f"<del>{escape(t)}</del>" if k == OLD else escape(t) for k, t in old.segments if k != NEW)
        b = "".join(f"<ins>{escape(t)}</ins>" if k == NEW else escape(t) for k, t in old.segments if k != OLD)
        return f'<td class="old text">{a}</td><td class="new text">{b}</td>'
    if old is not None and old is new:
        whole = escape("".join(t for _, t in old.segments))
        return f'<td class="text">{whole}</td><td class="text">{whole}</td>'
    left = f'<td class="old text">{_text(old)}</td>' if old is not None else '<td class="gap"></td>'
    right = f'<td class="new text">{_text(new)}</td>' if new is not None else '<td class="gap"></td>'
    return left + right


def _text(line: Line) -> str:
    text = "".join(t for _, t in line.segments)
    return escape(text) if text.strip() else f'<span class="blank">{wording.BLANK_LINE}</span>'


def _variables(report: Report) -> list[str]:
    if not report.programs:
        return ['<section id="variables"><h2>Program variables</h2><p>No program.</p></section>']
    names = [v.name for v in report.programs[0].variables] if report.programs else []
    rows = []
    for p in report.programs:
        cells = "".join(
            f"<td><code>{escape(v.value)}</code>{' (default)' if v.default else ''}</td>" for v in p.variables
        )
        rows.append(f"<tr><th>{escape(p.slug)}</th>{cells}<td><code>{escape(p.output)}</code></td></tr>")
    head = ["program", *(f"<code>{escape(n)}</code>" for n in names), "output"]
    return ['<section id="variables"><h2>Program variables</h2>', *_table(head, rows, tall=True), "</section>"]


def _drift(report: Report) -> list[str]:
    out = [
        '<section id="drift"><h2>Drift</h2>',
        f'<p class="note"><code>{escape(report.out)}/</code> compared with what the sources produce.</p>',
    ]
    if not report.drift:
        return [*out, "<p>None: every page matches its sources.</p></section>"]
    for drift in report.drift:
        out.append(
            f'<h3><code>{escape(report.out + "/" + drift.file)}</code>: <span class="s-{escape(drift.state)}">{escape(wording.drift_word(drift))}</span></h3>'
        )
        if not drift.hunks:
            continue
        rows = []
        for hunk in drift.hunks:
            for old, new in paired(hunk.lines):
                number = (old.old_no if old is not None else 0) or (new.new_no if new is not None else 0)
                rows.append(f"<tr><th>{number}</th>{_cells(old, new)}</tr>")
        out += [
            '<div class="scroll"><table class="sbs"><colgroup><col class="f"><col><col></colgroup>',
            "<thead><tr><th>line</th><th>what the sources produce</th><th>the file</th></tr></thead><tbody>",
            *rows,
            "</tbody></table></div>",
        ]
    return [*out, "</section>"]


__all__ = ["OPEN_UP_TO", "escape", "paired", "pieces", "program_anchor"]
