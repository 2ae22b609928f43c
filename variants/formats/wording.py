"""Wording the report formats share: titles, the legend, how a state or a place is written."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..diff.model import (
    ABSENT,
    BASE,
    FORMATTED,
    ONLY,
    REPLACED,
    SAME,
    SHARED,
    VARIABLES,
    Comparison,
    Drift,
    Evidence,
    FieldEvidence,
    Report,
    Statement,
)
from ..problems import Loc

BLANK = "(blank line)"


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


def where_text(statement: Statement) -> str:
    return ", ".join(loc_text(loc) for loc in statement.where)


def loc_text(loc: Loc) -> str:
    return f"{loc.path}:{loc.line}" if loc.line else loc.path


def title(report: Report) -> str:
    if report.compared_with == BASE:
        count = len(report.comparisons)
        return f"{count} program{'s' if count != 1 else ''}, each compared with the base ({report.base})"
    return f"{report.columns[0]} compared with {report.compared_with}"


def legend(report: Report) -> list[tuple[str, str]]:
    other = "the base" if report.compared_with == BASE else report.compared_with
    return [
        (SAME, f"as {other}"),
        (VARIABLES, "differs only by the program variables (the name swap)"),
        (FORMATTED, "differs only in formatting (spacing, separator line, layout)"),
        (REPLACED, "its text is replaced"),
        (ABSENT, "not on this page"),
        (ONLY, f"not in {other}"),
        *([(SHARED, "added by a component, a piece shared by programs (below)")] if report.components else []),
    ]


def component_uses(report: Report) -> list[tuple[str, str, str]]:
    """Each shared piece in words: its name, its file, and 'N programs: a, b'."""
    return [
        (
            use.name,
            use.file,
            f"{len(use.programs)} program{'s' if len(use.programs) != 1 else ''}"
            + (": " + ", ".join(use.programs) if use.programs else ""),
        )
        for use in report.components
    ]


def state_text(state: str, moved: bool) -> str:
    return state + (", moved" if moved else "")


def label(item: FieldEvidence) -> str:
    return item.field + (" (formatting)" if item.category == "formatting" else "")


def group_name(evidence: Evidence) -> str:
    if evidence.target == "page":
        return "page"
    return f"{evidence.target} '{evidence.id}'"


def variables_note(comparison: Comparison, show: bool) -> str:
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
    return f"Only the program variables change {join_words(parts)} from {other}; {tail}."


def evidence_sides(comparison: Comparison) -> str:
    old = "the base with this program's variables" if comparison.old == BASE else comparison.old
    return f"- {old}, + {'this program' if comparison.old == BASE else comparison.new}, ~ words changed in a line"


def join_words(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def drift_word(drift: Drift) -> str:
    return {
        "edited": "edited by hand (differs from what the sources produce)",
        "stale": "stale (the sources changed since the last build)",
        "missing": "missing (not built yet)",
        "extra": "extra (its override is gone)",
    }[drift.state]


__all__ = [
    "BLANK",
    "drift_word",
    "evidence_sides",
    "group_name",
    "join_words",
    "joined",
    "label",
    "legend",
    "loc_text",
    "state_text",
    "title",
    "variables_note",
    "where_text",
]
