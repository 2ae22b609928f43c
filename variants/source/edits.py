"""Partial edits of a text: replace one passage, append, prepend; as the sources write them.

In an override or a component, a text key may hold an edit of the text it
inherits instead of a new text::

    answer: {replace: "FTEâ€™s", with: "FTE’s"}
    answer:
      - {replace: "0.5", with: "at least 0.65"}
      - {append: " More to come."}

A passage to replace must occur exactly once in the inherited text; otherwise
the edit is an error at its place that quotes the nearest match.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from ..problems import Loc, Problem, error

REPLACE, WITH, APPEND, PREPEND = "replace", "with", "append", "prepend"
OPS = (REPLACE, APPEND, PREPEND)
KEYS = (REPLACE, WITH, APPEND, PREPEND)


class Edit(NamedTuple):
    """One edit: ``op`` is replace, append or prepend; ``old`` is the passage a replace looks for."""

    op: str
    text: str  # what is written: the replacement, or the text appended or prepended
    old: str
    loc: Loc  # where the edit is written


def is_edit(value: Any) -> bool:
    """Whether a source value is an edit (a mapping, or a list of them) rather than a text."""
    return isinstance(value, dict) or (isinstance(value, list) and all(isinstance(v, dict) for v in value))


def edits(value: Any, loc_of: Any, path: tuple[str | int, ...]) -> list[Edit]:
    """The edits a (validated) source value holds; ``loc_of(path)`` places each one."""
    items = value if isinstance(value, list) else [value]
    found: list[Edit] = []
    for n, item in enumerate(items):
        here = (*path, n) if isinstance(value, list) else path
        if REPLACE in item:
            found.append(Edit(REPLACE, str(item[WITH]), str(item[REPLACE]), loc_of((*here, REPLACE))))
        else:
            op = APPEND if APPEND in item else PREPEND
            found.append(Edit(op, str(item[op]), "", loc_of((*here, op))))
    return found


def apply(text: str, changes: list[Edit], what: str) -> tuple[str, list[Problem]]:
    """``text`` with ``changes`` made in order; a passage not found once is a problem (``what`` names the text)."""
    problems: list[Problem] = []
    for edit in changes:
        if edit.op == APPEND:
            text += edit.text
        elif edit.op == PREPEND:
            text = edit.text + text
        else:
            count = text.count(edit.old) if edit.old else 0
            if count == 1:
                text = text.replace(edit.old, edit.text)
            else:
                problems.append(error(edit.loc, _not_once(text, edit.old, count, what), "edit"))
    return text, problems


def _not_once(text: str, passage: str, count: int, what: str) -> str:
    if not passage:
        return "the passage to replace is empty"
    if count > 1:
        return f"{_quote(passage)} occurs {count} times in {what}; give a longer passage that occurs once"
    near = nearest(text, passage)
    hint = f"; the nearest is {_quote(near)}" if near else ""
    return f"{_quote(passage)} is not in {what}{hint}"


def nearest(text: str, passage: str) -> str:
    """The stretch of ``text`` most like ``passage`` (as long as it, on word boundaries), or ''."""
    import difflib

    if not text.strip():
        return ""
    size = len(passage)
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)][:2000]  # the error path: bounded
    best, best_ratio = "", 0.0
    for n, (start, _) in enumerate(words):
        end = next((e for _, e in words[n:] if e - start >= size), words[-1][1])  # whole words, as long as it
        window = text[start:end]
        ratio = difflib.SequenceMatcher(None, passage, window, autojunk=False).ratio()
        if ratio > best_ratio:
            best, best_ratio = window, ratio
    return best.strip() if best_ratio >= 0.5 else ""


def _quote(text: str, limit: int = 60) -> str:
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return '"' + shown.replace("\n", "\\n").replace('"', '\\"') + '"'


__all__ = ["APPEND", "KEYS", "OPS", "PREPEND", "REPLACE", "WITH", "Edit", "apply", "edits", "is_edit", "nearest"]
