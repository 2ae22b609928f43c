"""Problems found in the sources, and the one exception the core raises for them.

A problem says where (file, line, column), how bad, what, and which rule found
it; where the user can do something about it, ``hint`` names what (``"force"``,
``"write-schema"``, ...) and the command line words it with its own options.
The core never names a command-line option itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

# Loc and Problem are named tuples, not dataclasses: thousands are made per
# build, and they order, hash and compare as tuples should.


EDITED = "edit"


class Loc(NamedTuple):
    """A place in a source file; line and column are 1-based (0 where unknown)."""

    path: str
    line: int = 0
    col: int = 0
    # How a text value is written in YAML, so a place inside it can be found:
    # "|" or ">" for block scalars (col is then the indentation + 1), a quote
    # character for quoted scalars, "" for plain ones; "edit" for a text an
    # edit made, whose places are not in any one file (the edit's place stands for them).
    style: str = ""

    def __str__(self) -> str:
        if self.line and self.col:
            return f"{self.path}:{self.line}:{self.col}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path

    def inside(self, text: str, offset: int) -> Loc:
        """The place of character ``offset`` of the text value that starts here."""
        if not self.line or self.style == EDITED:
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
    hint: str = ""  # what the user can do about it, named for the command line to word

    def __str__(self) -> str:
        return printable(f"{self.loc}: [{self.level}] {self.message} ({self.rule})")

    def one_line(self) -> str:
        """``FILE:LINE:COL: message``, the form build errors are shown in."""
        return printable(f"{self.loc}: {self.message}")

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.loc.path,
            "line": self.loc.line,
            "column": self.loc.col,
            "level": self.level,
            "message": self.message,
            "rule": self.rule,
        }


# What a message never writes as it is: controls (a line break, a terminal escape),
# invisible format characters, line separators, and lone surrogates (bytes of a
# file name that are not UTF-8), which no terminal can be sent.
UNPRINTABLE = (
    "\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff"
)
_UNPRINTABLE = re.compile(f"[{UNPRINTABLE}]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str) -> str:
    """``text`` with every character a one-line message must not hold written as an escape (``\\n``, ``\\x1b``)."""
    if text.isascii() and text.isprintable():
        return text
    return _UNPRINTABLE.sub(_escaped, text)


def error(loc: Loc | Path | str, message: str, rule: str = "syntax", hint: str = "") -> Problem:
    """An error-level problem; ``loc`` may be a bare path."""
    if not isinstance(loc, Loc):
        loc = Loc(str(loc))
    return Problem(loc, "error", message, rule, hint)


def warning(loc: Loc | Path | str, message: str, rule: str, hint: str = "") -> Problem:
    """A warning-level problem; ``loc`` may be a bare path."""
    if not isinstance(loc, Loc):
        loc = Loc(str(loc))
    return Problem(loc, "warning", message, rule, hint)


class VariantsError(Exception):
    """An expected failure caused by the user's input: show the problems, exit non-zero."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = sorted(set(problems)) if isinstance(problems, list) else [problems]
        super().__init__("\n".join(p.one_line() for p in self.problems))

    def __reduce__(self) -> tuple[type[VariantsError], tuple[list[Problem]]]:
        # Forked workers send their problems back pickled.
        return (VariantsError, (self.problems,))


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or nothing."""
    import difflib  # only on the error path: start-up stays light

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def raise_if(problems: list[Problem]) -> None:
    """Raise with ``problems`` when there are any."""
    if problems:
        raise VariantsError(problems)


__all__ = [
    "EDITED",
    "UNPRINTABLE",
    "Loc",
    "Problem",
    "VariantsError",
    "error",
    "printable",
    "raise_if",
    "suggest",
    "warning",
]
