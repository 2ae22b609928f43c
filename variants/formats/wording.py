"""Wording the report formats share: titles, the banner, the summary, the matrix's words."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..diff.model import (
    ABSENT,
    BASE,
    BLANK,
    CHANGED,
    DRIFT_ROW,
    EDITED,
    EXTRA,
    FORMATTED,
    GONE,
    MISSING,
    NEW,
    ONLY,
    PAGE_ROW,
    PROGRAM,
    REMOVED,
    REPLACED,
    SECTION_ROW,
    SHARED,
    STALE,
    Cell,
    Comparison,
    Drift,
    Evidence,
    FieldEvidence,
    ProgramSummary,
    Report,
    Row,
    Statement,
)
from ..problems import Loc

BLANK_LINE = "(blank line)"
NOT_HERE = "·"  # a cell of a page part this program does not have, nor the other side
DRIFT_WORDS = {EDITED: "edited by hand", STALE: "stale", MISSING: "missing", EXTRA: "extra"}
_DRIFT_MEANING = {
    EDITED: "differs from what the sources produce and from what the last build wrote",
    STALE: "the sources changed since the last build",
    MISSING: "not built yet",
    EXTRA: "its override is gone",
}
_CELL_WORDS = {ABSENT: NOT_HERE, **DRIFT_WORDS}
_DELTA_WORDS = {NEW: "new", GONE: "gone", CHANGED: "changed"}
SHOWN_TARGETS = frozenset({"variable", "output"})  # program statements the variables table shows instead


def joined(groups: Iterable[list[str]], strip: bool) -> Iterator[str]:
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


def loc_text(loc: Loc) -> str:
    return f"{loc.path}:{loc.line}" if loc.line else loc.path


def where_text(statement: Statement) -> str:
    return ", ".join(loc_text(loc) for loc in statement.where)


def other(report: Report) -> str:
    """What the programs are compared with, in words."""
    return "the base" if report.compared_with == BASE else report.compared_with


def title(report: Report) -> str:
    since = f"; what changed since {report.against}" if report.against else ""
    if report.compared_with == BASE:
        count = len(report.compared)
        return f"{count} program{'s' if count != 1 else ''}, each compared with the base ({report.base}){since}"
    return f"{report.compared[0] if report.compared else ''} compared with {report.compared_with}{since}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def banner(report: Report) -> list[str]:
    """The drift, first of all: one line, then one per page."""
    if not report.drift:
        return []
    head = f"DRIFT: {plural(len(report.drift), 'page')} in {report.out}/ differ{'s' if len(report.drift) == 1 else ''} from what the sources produce"
    return [head, *(f"{report.out}/{d.file}: {drift_word(d)}" for d in report.drift)]


def drift_word(drift: Drift) -> str:
    return f"{DRIFT_WORDS[drift.state]} ({_DRIFT_MEANING[drift.state]})"


def listed(statements: Iterable[Statement]) -> list[Statement]:
    """The statements a program's part lists: not the variables and output the table shows."""
    return [s for s in statements if not (s.category == PROGRAM and s.target in SHOWN_TARGETS)]


def why_text(statement: Statement) -> str:
    return f"why: {statement.why}" if statement.why else ""


def delta_text(statement: Statement) -> str:
    """Against a revision: how the statement changed ('new', 'gone', 'changed, was: ...')."""
    if not statement.delta:
        return ""
    word = _DELTA_WORDS[statement.delta]
    return f"{word}, was: {statement.was}" if statement.was else word


def summary_header(report: Report) -> list[str]:
    head = ["program", "column", "content", "formatting", "why", "drift"]
    return [*head, "new", "gone", "changed"] if report.against else head


def summary_cells(report: Report, line: ProgramSummary) -> list[str]:
    """A program's line of the summary: blank where there is nothing to count."""
    why = f"{line.content - line.unexplained}/{line.content}" if line.content else ""
    cells = [
        line.slug,
        column_name(line.column) if line.column >= 0 else "",
        str(line.content or ""),
        str(line.formatting or ""),
        why,
        DRIFT_WORDS.get(line.drift, ""),
    ]
    if report.against:
        cells += [str(line.added or ""), str(line.removed or ""), str(line.changed or "")]
    return cells


def as_other(report: Report) -> list[str]:
    """The programs that differ from the other side only by their variables."""
    return [line.slug for line in report.summary if line.column < 0]


def unchanged_note(report: Report) -> str:
    """How many questions the matrix leaves out because nothing differs in them."""
    if report.against:
        return f"{plural(report.unchanged, 'question')} changed nowhere since {report.against}"
    return f"{plural(report.unchanged, 'question')} as {other(report)} everywhere"


def as_other_note(report: Report, limit: int = 12) -> str:
    names = as_other(report)
    if not names:
        return ""
    shown = ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
    verb = "differs" if len(names) == 1 else "differ"
    return f"{plural(len(names), 'program')} {verb} from {other(report)} only by the program variables: {shown}."


def column_name(index: int) -> str:
    """A column's short name: A..Z, then AA, AB..."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def column_label(report: Report, index: int, limit: int = 3) -> str:
    """The programs of a column: 'a', 'a, b', 'a–d (4)' where they follow each other."""
    programs = report.columns[index].programs
    order = {slug: n for n, slug in enumerate(report.compared)}
    positions = [order[p] for p in programs]
    if len(programs) > 2 and positions == list(range(positions[0], positions[0] + len(programs))):
        return f"{programs[0]}–{programs[-1]} ({len(programs)})"
    if len(programs) > limit:
        return ", ".join(programs[:limit]) + f" and {len(programs) - limit} more"
    return ", ".join(programs)


def column_summary(report: Report, index: int, limit: int = 3) -> str:
    """What a column's programs change, in short: 'international (added), footer (formatting)'."""
    said = [f"{row_name(row)} ({cell_text(row.cells[index])})" for row in report.rows if not _quiet(row.cells[index])]
    return ", ".join(said[:limit]) + (f" and {len(said) - limit} more" if len(said) > limit else "")


def _quiet(cell: Cell) -> bool:
    return cell.blank or cell.state == ABSENT


def row_name(row: Row) -> str:
    if row.kind == DRIFT_ROW:
        return "page in out/"
    if row.kind == PAGE_ROW:
        return row.id
    if row.kind == SECTION_ROW:
        return f"section {row.id}"
    return row.id


def row_section(row: Row) -> str:
    return {DRIFT_ROW: "", PAGE_ROW: "page", SECTION_ROW: row.id}.get(row.kind, row.section)


def cell_text(cell: Cell) -> str:
    """A cell in words: '' as the other side, 'replaced, moved #2', '·' not in this program."""
    word = "" if cell.state in BLANK else _CELL_WORDS.get(cell.state, cell.state)
    if cell.moved:
        word = f"{word}, moved" if word else "moved"
    if cell.version:
        word += f" #{cell.version}"
    if cell.was is not None:  # against a revision
        if cell.was in BLANK or cell.was == ABSENT:
            word += " (new)"
        elif cell.was == cell.state:
            word += " (changed)"
        else:
            word = f"{word or 'gone'} (was {_CELL_WORDS.get(cell.was, cell.was)})"
    return word


def legend(report: Report) -> str:
    """One line: what the words of the cells mean, for the ones this matrix uses."""
    used = {c.state for row in report.rows for c in row.cells} | {
        "moved" for row in report.rows for c in row.cells if c.moved
    }
    versions = any(c.version for row in report.rows for c in row.cells)
    meanings = [
        (REPLACED, "a text changed"),
        (FORMATTED, "spacing, separator or layout only"),
        (ONLY, f"not in {other(report)}"),
        (SHARED, "added by a component"),
        (REMOVED, "removed here" if report.compared_with == BASE else f"in {other(report)}, not here"),
        ("moved", "in another place"),
        (ABSENT, "not in this program (another program's own)"),
    ]
    said = [f"{_CELL_WORDS.get(state, state)}: {meaning}" for state, meaning in meanings if state in used]
    if versions:
        said.append("#n: copies with the same number are identical")
    return "blank: as " + other(report) + " (or only the program variables differ); " + "; ".join(said)


def component_uses(report: Report) -> list[tuple[str, str, str]]:
    """Each shared piece in words: its name, its file, and 'N programs: a, b'."""
    return [
        (
            use.name,
            use.file,
            plural(len(use.programs), "program") + (": " + ", ".join(use.programs) if use.programs else ""),
        )
        for use in report.components
    ]


def state_text(state: str) -> str:
    return _CELL_WORDS.get(state, state)


def label(item: FieldEvidence) -> str:
    return item.field + (" (formatting)" if item.category == "formatting" else "")


def group_name(evidence: Evidence) -> str:
    if evidence.target == "page":
        return "page"
    return f"{evidence.target} '{evidence.id}'"


def same_as_text(evidence: Evidence) -> str:
    return f"the same copy as {evidence.same_as}'s (shown there)"


def evidence_sides(report: Report, marks: str = "") -> str:
    """What the two sides of the evidence are; ``marks``: how words changed inside a line show."""
    old = "the base rendered with the program's variables" if report.compared_with == BASE else report.compared_with
    if report.against:
        return f"- at {report.against} (a program new since: {old}), + now" + (f", {marks}" if marks else "")
    return f"- {old}, + the program" + (f", {marks}" if marks else "")


def variables_note(report: Report) -> str:
    tail = "listed in each program's part" if report.show_variables else "--show-variables lists them"
    return f"Differences made only by the program variables (the name swap) are not listed; {tail}."


def has_parts(report: Report) -> bool:
    """Whether any program may get a part of its own (see ``has_part``)."""
    return report.show_variables or any(line.column >= 0 for line in report.summary)


def has_part(report: Report, comparison: Comparison) -> bool:
    """Whether a program gets a part of its own: something declared or shown besides its variables."""
    shown = comparison.variable_evidence if report.show_variables else ()
    return bool(listed(comparison.statements) or comparison.evidence or shown)


WHOLE_REPORT = "variants diff --format html --output report.html"  # how to see what a size limit left out


def left_out(what: list[str], programs: list[str]) -> str:
    """What a size limit left out: parts of the report, and the programs whose parts did not fit."""
    said = list(what)
    if programs:
        names = ", ".join(programs[:20]) + (f" and {len(programs) - 20} more" if len(programs) > 20 else "")
        said.append(f"the parts of {plural(len(programs), 'program')} ({names})")
    return f"Left out to stay under the size limit: {'; '.join(said)}. The text, HTML and JSON formats hold the whole report"


__all__ = [
    "BLANK_LINE",
    "DRIFT_WORDS",
    "NOT_HERE",
    "SHOWN_TARGETS",
    "WHOLE_REPORT",
    "as_other",
    "as_other_note",
    "banner",
    "cell_text",
    "column_label",
    "column_name",
    "column_summary",
    "component_uses",
    "delta_text",
    "drift_word",
    "evidence_sides",
    "group_name",
    "has_part",
    "has_parts",
    "joined",
    "label",
    "left_out",
    "legend",
    "listed",
    "loc_text",
    "other",
    "plural",
    "row_name",
    "row_section",
    "same_as_text",
    "state_text",
    "summary_cells",
    "summary_header",
    "title",
    "unchanged_note",
    "variables_note",
    "where_text",
    "why_text",
]
