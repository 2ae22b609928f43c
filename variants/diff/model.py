"""The diff report as plain data: a summary, statements, evidence, the matrix and drift.

Nothing here computes anything; the other modules of this package fill these
records and the formatters (``variants.formats``) write them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..problems import Loc
from ..source import fields
from ..source.fields import QUESTION
from .textdiff import Hunk, Line

BASE = "base"
PROGRAM, CONTENT, FORMATTING = "program", fields.CONTENT, fields.FORMATTING
FORMATTING_FIELDS = fields.formatting()
TOC_ORDER_FIELDS = frozenset(k.name for k in fields.toc_moves())
# The texts of a question the evidence shows rendered, and the other values it shows as written.
QUESTION_TEXTS = tuple(k.name for k in fields.values(QUESTION) if k.template and k.role == fields.CONTENT)
QUESTION_VALUES = tuple(
    k.name for k in fields.values(QUESTION) if k.name not in QUESTION_TEXTS and k.role != fields.ORDER
)
FIELD_NAMES = fields.labels()

# How a page part stands in one program. Blank in the matrix: as the other side, or
# different only by the program variables (the name swap).
SAME, VARIABLES = "same", "variables"
FORMATTED, REPLACED, REMOVED, ONLY, SHARED = "formatting", "replaced", "removed", "added", "component"
ABSENT = "absent"  # not in this program, nor in the other side: another program's own
STATES = (SAME, VARIABLES, FORMATTED, REPLACED, REMOVED, ONLY, SHARED, ABSENT)
BLANK = frozenset({SAME, VARIABLES})
# Rows of the matrix: the page in out/ (drift), page texts, sections, questions.
DRIFT_ROW, PAGE_ROW, SECTION_ROW, QUESTION_ROW = "drift", "page", "section", "question"
# Drift states: edited (by hand), stale (the sources changed), missing, extra.
EDITED, STALE, MISSING, EXTRA = "edited", "stale", "missing", "extra"
# How a statement or a cell changed since the revision a report is compared against.
NEW, GONE, CHANGED = "added", "removed", "changed"

RowKey = tuple[str, str]  # (row kind, id): ("question", "pm"), ("page", "footer")


@dataclass(frozen=True)
class Statement:
    """One declared difference, in words, with the lines that declare it and why."""

    category: str  # program | content | formatting
    change: str  # set | added | removed | replaced | edited | moved | unset | reordered
    target: str  # variable | output | extends | component | page | section | question
    id: str  # the variable, page field ('front_matter.<key>' for front matter) or entry id
    field: str  # the changed field of a section or question ('' otherwise)
    text: str
    where: tuple[Loc, ...]
    old: Any = None
    new: Any = None
    key: str = ""  # stable: program/target/id[/field][/place]; no line numbers
    why: str = ""  # what the declaring file's 'why' says
    delta: str = ""  # against a revision: added | removed | changed ('' otherwise)
    was: str = ""  # against a revision, for a changed statement: its text there

    @property
    def explained(self) -> bool:
        """Whether it needs no reason or has one: only content differences need a 'why'."""
        return self.category != CONTENT or bool(self.why)


@dataclass(frozen=True)
class VariableValue:
    """A program variable's value, and whether the override set it or the default did."""

    name: str
    value: str
    default: bool
    where: Loc | None
    help: str


@dataclass(frozen=True)
class ReportProgram:
    """A program in the report: its override, its page and its variables."""

    slug: str
    source: str
    output: str
    variables: tuple[VariableValue, ...]


@dataclass(frozen=True)
class FieldEvidence:
    """How one rendered text differs: the changed lines, words marked."""

    field: str
    category: str  # content | formatting
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Evidence:
    """The rendered differences of one page part, section or question."""

    target: str  # page | section | question
    id: str  # '' for the page
    section: str  # the question's section ('' otherwise)
    state: str
    fields: tuple[FieldEvidence, ...]
    same_as: str = ""  # the first program whose copy of this piece is the same, where it is not this one


@dataclass(frozen=True)
class VariableOnly:
    """What differs only because the program variables differ (the name swap)."""

    page: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    """One program (``new``) compared with the base or with another program (``old``)."""

    old: str
    new: str
    statements: tuple[Statement, ...]
    variable_only: VariableOnly
    evidence: tuple[Evidence, ...]
    variable_evidence: tuple[Evidence, ...]  # filled only when asked for


@dataclass(frozen=True)
class Cell:
    """How one row stands in one column: a state, whether it moved, which copy of the piece
    it is (cells of a row with the same version are identical; 0: not numbered) and, against
    a revision, its state there where it changed ('' for blank)."""

    state: str
    moved: bool = False
    version: int = 0
    was: str | None = None

    @property
    def blank(self) -> bool:
        return self.state in BLANK and not self.moved and self.was is None


@cache
def cell(state: str, moved: bool = False, version: int = 0, was: str | None = None) -> Cell:
    """A shared cell: a matrix of thousands of programs holds only a few distinct ones."""
    return Cell(state, moved, version, was)


@dataclass(frozen=True)
class Column:
    """Programs whose differences are the same, shown as one column of the matrix."""

    programs: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    """A matrix row: the page in out/, a page text, a section or a question; a cell per column."""

    kind: str  # drift | page | section | question
    id: str  # the page key ('front_matter.<key>'), the entry id; '' for drift
    section: str  # a question's section ('' otherwise)
    label: str  # the question or section title as written (a template); the key's name for the page
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Drift:
    """A page in the output folder that differs from what the sources produce."""

    file: str
    program: str
    state: str  # edited (by hand) | stale (sources changed) | missing | extra
    hunks: tuple[Hunk, ...]  # old: what the sources produce; new: the file as it is


@dataclass(frozen=True)
class ProgramSummary:
    """One program in a line: its column, its declared differences by kind, drift of its page."""

    slug: str
    column: int  # its column in the matrix; -1 where it has none (as the other side)
    content: int
    formatting: int
    unexplained: int  # content differences without a 'why'
    drift: str  # a drift state, or ''
    added: int = 0  # against a revision: statements new, gone and changed since
    removed: int = 0
    changed: int = 0


@dataclass(frozen=True)
class ComponentUse:
    """A shared piece: the component, its file, and the programs that switch it on."""

    name: str
    file: str
    programs: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    """The whole report: plain data for the formatters."""

    compared_with: str  # "base", or the first program of a pair
    base: str
    out: str
    show_variables: bool
    programs: tuple[ReportProgram, ...]
    comparisons: Sequence[Comparison]  # made one by one as they are read
    compared: tuple[str, ...]  # the programs compared, in order (one per comparison)
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    drift: tuple[Drift, ...]
    summary: tuple[ProgramSummary, ...]
    components: tuple[ComponentUse, ...] = ()  # each shared piece and who uses it
    unchanged: int = 0  # questions as the other side (or differing only by variables) in every program
    against: str = ""  # the revision the report shows the changes since, if any
    statements: tuple[tuple[Statement, ...], ...] = ()  # each compared program's, as its comparison has them

    @property
    def has_drift(self) -> bool:
        return bool(self.drift)


__all__ = [
    "ABSENT",
    "BASE",
    "BLANK",
    "CHANGED",
    "CONTENT",
    "DRIFT_ROW",
    "EDITED",
    "EXTRA",
    "FIELD_NAMES",
    "FORMATTED",
    "FORMATTING",
    "FORMATTING_FIELDS",
    "GONE",
    "MISSING",
    "NEW",
    "ONLY",
    "PAGE_ROW",
    "PROGRAM",
    "QUESTION_ROW",
    "QUESTION_TEXTS",
    "QUESTION_VALUES",
    "REMOVED",
    "REPLACED",
    "SAME",
    "SECTION_ROW",
    "SHARED",
    "STALE",
    "STATES",
    "TOC_ORDER_FIELDS",
    "VARIABLES",
    "Cell",
    "Column",
    "Comparison",
    "ComponentUse",
    "Drift",
    "Evidence",
    "FieldEvidence",
    "ProgramSummary",
    "Report",
    "ReportProgram",
    "Row",
    "RowKey",
    "Statement",
    "VariableOnly",
    "VariableValue",
    "cell",
]
