"""Problems found in the sources, and the one exception the core raises for them."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

# Loc and Problem are named tuples, not dataclasses: thousands are made per
# build, and they order, hash and compare as tuples should.


class Loc(NamedTuple):
    """A place in a source file; line and column are 1-based (0 where unknown)."""

    path: str
    line: int = 0
    col: int = 0
    # How a text value is written in YAML, so a place inside it can be found:
    # "|" or ">" for block scalars (col is then the indentation + 1), a quote
    # character for quoted scalars, "" for plain ones.
    style: str = ""

    def __str__(self) -> str:
        if self.line and self.col:
            return f"{self.path}:{self.line}:{self.col}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path

    def inside(self, text: str, offset: int) -> Loc:
        """The place of character ``offset`` of the text value that starts here."""
        if not self.line:
            return self
        before = text[:offset]
        lines = before.count("\n")
        column = len(before) - (before.rfind("\n") + 1)
        if self.style in ("|", ">"):
            return Loc(self.path, self.line + lines, self.col + column)
        if lines:  # a multi-line flow scalar: the column is not worth guessing
            return Loc(self.path, self.line + lines, 1)
        return Loc(self.path, self.line, self.col + column + (1 if self.style in ("'", '"') else 0))


class Problem(NamedTuple):
    """One finding, yamllint style: where, how bad, what, and which rule."""

    loc: Loc
    level: str  # "error" or "warning"
    message: str
    rule: str = "syntax"

    def __str__(self) -> str:
        return f"{self.loc}: [{self.level}] {self.message} ({self.rule})"

    def one_line(self) -> str:
        """``FILE:LINE:COL: message``, the form build errors are shown in."""
        return f"{self.loc}: {self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.loc.path,
            "line": self.loc.line,
            "column": self.loc.col,
            "level": self.level,
            "message": self.message,
            "rule": self.rule,
        }


def error(loc: Loc | Path | str, message: str, rule: str = "syntax") -> Problem:
    """An error-level problem; ``loc`` may be a bare path."""
    if not isinstance(loc, Loc):
        loc = Loc(str(loc))
    return Problem(loc, "error", message, rule)


def warning(loc: Loc | Path | str, message: str, rule: str) -> Problem:
    """A warning-level problem; ``loc`` may be a bare path."""
    if not isinstance(loc, Loc):
        loc = Loc(str(loc))
    return Problem(loc, "warning", message, rule)


class VariantsError(Exception):
    """An expected failure caused by the user's input: show the problems, exit non-zero."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = sorted(set(problems)) if isinstance(problems, list) else [problems]
        super().__init__("\n".join(p.one_line() for p in self.problems))

    def __reduce__(self) -> tuple[type[VariantsError], tuple[list[Problem]]]:
        # Forked workers send their problems back pickled.
        return (VariantsError, (self.problems,))
