"""The diff report as plain data: statements, evidence, the matrix and drift.

Nothing here computes anything; the other modules of this package fill these
records and the formatters (``variants.formats``) write them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
SAME, VARIABLES, FORMATTED, REPLACED, ABSENT, ONLY, SHARED = (
    "same",
    "variables",
    "formatting",
    "replaced",
    "absent",
    "program-only",
    "component",
)
STATES = (SAME, VARIABLES, FORMATTED, REPLACED, ABSENT, ONLY, SHARED)


@dataclass(frozen=True)
class Statement:
    """One declared difference, in words, with the lines that declare it."""

    category: str  # program | content | formatting
    change: str  # set | added | removed | replaced | unset | reordered
    target: str  # variable | output | page | section | question
    id: str  # the variable, page field ('front_matter.<key>' for front matter) or entry id
    field: str  # the changed field of a section or question ('' otherwise)
    text: str
    where: tuple[Loc, ...]
    old: Any = None
    new: Any = None


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
    """How one question stands in one program: a state from STATES, and whether it moved."""

    state: str
    moved: bool = False


# Cells are shared: a matrix of thousands of programs holds only these.
CELLS = {(state, moved): Cell(state, moved) for state in STATES for moved in (False, True)}


@dataclass(frozen=True)
class Row:
    """A matrix row: one question and its cell in every compared program."""

    id: str
    section: str
    question: str  # the question text as written (a template)
    cells: dict[str, Cell]


@dataclass(frozen=True)
class Drift:
    """A page in the output folder that differs from what the sources produce."""

    file: str
    program: str
    state: str  # edited (by hand) | stale (sources changed) | missing | extra
    hunks: tuple[Hunk, ...]  # old: what the sources produce; new: the file as it is


@dataclass(frozen=True)
class Report:
    """The whole report: plain data for the formatters."""

    compared_with: str  # "base", or the first program of a pair
    base: str
    out: str
    show_variables: bool
    programs: tuple[ReportProgram, ...]
    comparisons: Sequence[Comparison]  # made one by one as they are read
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    drift: tuple[Drift, ...]
    components: tuple[ComponentUse, ...] = ()  # each shared piece and who uses it

    @property
    def has_drift(self) -> bool:
        return bool(self.drift)


@dataclass(frozen=True)
class ComponentUse:
    """A shared piece: the component, its file, and the programs that switch it on."""

    name: str
    file: str
    programs: tuple[str, ...]


__all__ = [
    "ABSENT",
    "BASE",
    "CELLS",
    "CONTENT",
    "FIELD_NAMES",
    "FORMATTED",
    "FORMATTING",
    "FORMATTING_FIELDS",
    "ONLY",
    "PROGRAM",
    "QUESTION_TEXTS",
    "QUESTION_VALUES",
    "REPLACED",
    "SAME",
    "STATES",
    "TOC_ORDER_FIELDS",
    "VARIABLES",
    "Cell",
    "Comparison",
    "Drift",
    "Evidence",
    "FieldEvidence",
    "Report",
    "ReportProgram",
    "Row",
    "Statement",
    "VariableOnly",
    "VariableValue",
]
