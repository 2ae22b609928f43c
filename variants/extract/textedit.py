"""Partial edits between two source texts, and what a value costs to write.

Where a page's text differs from the one it inherits by a word or a sentence,
its override says so with edits (``{replace: X, with: Y}``, ``{append: Y}``,
``{prepend: Y}``), each passage grown to whole words until it occurs once.
The edits are kept only when they are shorter to write than the new text and
give exactly the new text when applied in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..source import edits as edit_keys
from .align import opcodes

# A reference or an escaped brace is one token, so no passage cuts one in two.
_TOKEN = re.compile(r"\{\{.*?\}\}|\w+|\s|[^\w\s]", re.DOTALL)
_JOIN = 6  # changes closer than this many tokens (about three words) become one edit
_READABLE = 8  # a passage shorter than this grows, so a reader sees where it stands
LINE = 40  # characters worth one line, in the cost of writing a value
_SHORT = 60

Edit = tuple[str, ...]  # ("replace", passage, replacement) | ("append", text) | ("prepend", text)
Same = Callable[[str, str], bool]


def _text_cost(text: str) -> float:
    lines = text.rstrip("\n").count("\n") if len(text) > _SHORT else 0  # a short text is written quoted, on one line
    return 1 + lines + len(text) / LINE


def cost(value: Any) -> float:
    """What writing ``value`` (a source text, edits, a number, a mapping) costs, in lines."""
    if isinstance(value, str):
        return _text_cost(value)
    if is_edits(value):
        return sum(sum(_text_cost(part) for part in edit[1:]) - 0.5 for edit in value)
    if isinstance(value, dict):
        return sum(cost(v) for v in value.values())
    if isinstance(value, list):
        return sum(cost(v) for v in value)
    return 1.0


def apply(text: str, changes: tuple[Edit, ...]) -> str | None:
    """``text`` with ``changes`` made in order, or None where a passage does not occur exactly once."""
    for edit in changes:
        if edit[0] == edit_keys.APPEND:
            text += edit[1]
        elif edit[0] == edit_keys.PREPEND:
            text = edit[1] + text
        elif text.count(edit[1]) == 1:
            text = text.replace(edit[1], edit[2])
        else:
            return None
    return text


def _hunks(old: list[str], new: list[str], same: Same) -> list[list[int]]:
    """Changed token ranges [i1, i2, j1, j2], near ones joined; changes ``same`` calls no change are left out."""
    hunks: list[list[int]] = []
    for tag, i1, i2, j1, j2 in opcodes(old, new):
        if tag == "equal" or same("".join(old[i1:i2]), "".join(new[j1:j2])):
            continue
        if hunks and i1 - hunks[-1][1] < _JOIN:
            hunks[-1][1], hunks[-1][3] = i2, j2
        else:
            hunks.append([i1, i2, j1, j2])
    return hunks


def _equal(one: str, two: str) -> bool:
    return one == two


def _whole_lines(tokens: list[str], lo: int, hi: int) -> tuple[int, int]:
    """[lo, hi) grown to the lines it stands on (their line breaks included)."""
    while lo > 0 and tokens[lo - 1] != "\n":
        lo -= 1
    while hi < len(tokens) and (hi == lo or tokens[hi - 1] != "\n"):
        hi += 1
    return lo, hi


def _by_lines(old: list[str], new: list[str], hunks: list[list[int]]) -> list[list[int]]:
    """Changes that span lines grown to whole lines (on both sides alike), so an edit quotes whole lines."""
    grown: list[list[int]] = []
    for i1, i2, j1, j2 in hunks:
        if "\n" in old[i1:i2] or "\n" in new[j1:j2]:
            lo, hi = _whole_lines(old, i1, i2)
            if lo == hi == i1 and lo:  # an insertion between lines: the line before it is its context
                lo, _ = _whole_lines(old, lo - 1, lo)
            i1, i2, j1, j2 = lo, hi, j1 - (i1 - lo), j2 + (hi - i2)
        if grown and i1 <= grown[-1][1]:
            grown[-1][1], grown[-1][3] = max(i2, grown[-1][1]), max(j2, grown[-1][3])
        else:
            grown.append([i1, i2, j1, j2])
    return grown


def between(old: str, new: str, same: Same = _equal) -> tuple[Edit, ...] | None:
    """Edits that turn ``old`` into ``new`` (or into a text ``same`` calls equal to it: the same words with
    another variable of the same value), or None when there are none worth writing."""
    if old == new or not old:
        return None
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    if "".join(a) != old or "".join(b) != new:
        return None
    hunks = _by_lines(a, b, _hunks(a, b, same))
    if not hunks or len(hunks) > 6:
        return None
    made: list[Edit] = []
    text = old
    shift = 0  # tokens added before the current hunk by earlier edits
    current = list(a)
    for i1, i2, j1, j2 in hunks:
        lo, hi = i1 + shift, i2 + shift
        replacement = b[j1:j2]
        if i1 == len(a) and i1 == i2:
            made.append((edit_keys.APPEND, "".join(replacement)))
        elif i2 == 0 and i1 == i2:
            made.append((edit_keys.PREPEND, "".join(replacement)))
        elif "\n" in current[lo:hi]:
            left, right = _lines_passage(current, lo, hi)
            passage = "".join(current[left:right])
            written = "".join(current[left:lo] + replacement + current[hi:right])
            made.append((edit_keys.REPLACE, passage, written))
        else:
            left, right = _passage(current, lo, hi)
            passage = "".join(current[left:right])
            written = "".join(current[left:lo] + replacement + current[hi:right])
            made.append((edit_keys.REPLACE, passage, written))
        current[lo:hi] = replacement
        shift += len(replacement) - (i2 - i1)
        text = "".join(current)
    result = apply(old, tuple(made))
    return tuple(made) if result is not None and result == text and same(result, new) else None


def _passage(tokens: list[str], lo: int, hi: int) -> tuple[int, int]:
    """The token range around [lo, hi) that reads as whole words and occurs once in the text: context
    before the change first, up to its line's start; then after it, up to its line's end; then both."""
    text = "".join(tokens)

    def words(left: int, right: int) -> tuple[int, int]:
        while 0 < left < len(tokens) and _word(tokens[left]) and _word(tokens[left - 1]):
            left -= 1
        while 0 < right < len(tokens) and _word(tokens[right - 1]) and _word(tokens[right]):
            right += 1
        return left, right

    def done(left: int, right: int) -> bool:
        passage = "".join(tokens[left:right])
        readable = len(passage.strip()) >= _READABLE or (left == 0 and right == len(tokens))
        return bool(passage.strip()) and readable and text.count(passage) == 1

    left, right = words(lo, hi)
    while not done(left, right) and left > 0 and tokens[left - 1] != "\n":
        left, right = words(left - 1, right)
    while not done(left, right) and right < len(tokens) and tokens[right] != "\n":
        left, right = words(left, right + 1)
    while right < len(tokens) and tokens[right - 1] == " " and _word(tokens[right]):  # end on a word, not a space
        left, right = words(left, right + 1)
    while left > 0 and tokens[left] == " " and _word(tokens[left - 1]):
        left, right = words(left - 1, right)
    grow_right = False
    while not done(left, right) and (left > 0 or right < len(tokens)):
        if (grow_right and right < len(tokens)) or left == 0:
            right += 1
        else:
            left -= 1
        grow_right = not grow_right
        left, right = words(left, right)
    return left, right


def _lines_passage(tokens: list[str], lo: int, hi: int) -> tuple[int, int]:
    """Whole lines from [lo, hi), with a line more before (then after) until they occur once in the text."""
    text = "".join(tokens)
    left, right = lo, hi
    while text.count("".join(tokens[left:right])) != 1 and (left > 0 or right < len(tokens)):
        if left > 0:
            left, _ = _whole_lines(tokens, left - 1, left)
        else:
            _, right = _whole_lines(tokens, right, right)
    return left, right


def _word(token: str) -> bool:
    return bool(token) and (token[0].isalnum() or token[0] == "_")


def as_data(changes: tuple[Edit, ...]) -> Any:
    """Edits as an override writes them: one mapping, or a list of them."""
    items = [
        {edit_keys.REPLACE: e[1], edit_keys.WITH: e[2]} if e[0] == edit_keys.REPLACE else {e[0]: e[1]} for e in changes
    ]
    return items[0] if len(items) == 1 else items


def worth(changes: tuple[Edit, ...] | None, text: str) -> bool:
    """Whether edits say a change more shortly than the new text would (and by enough to read better)."""
    return changes is not None and cost(changes) < 0.8 * cost(text)


def is_edits(value: Any) -> bool:
    """Whether a layer value is a tuple of edits (rather than a text, a number or a template)."""
    return (
        isinstance(value, tuple)
        and bool(value)
        and all(isinstance(e, tuple) and e and e[0] in edit_keys.OPS for e in value)
    )


__all__ = ["LINE", "Edit", "Same", "apply", "as_data", "between", "cost", "is_edits", "worth"]
