"""Whole question blocks added to or deleted from a page by hand.

Lines inserted between two questions are a new question when they read as a
question block: the layout rendered with placeholders, matched as a pattern.
Lines deleted are a removed question when they are exactly the block (or the
blocks) the traced page says a layout wrote for a question. Either may have
been typed a few lines off where the text around repeats (every block starts
and ends alike), so both are slid along the repeated text to where a block
starts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from ..source.fields import ANCHOR, ID, QUESTION, headline
from ..trace.render import Traced

Pattern = Callable[[], re.Pattern[str] | None]
_QUESTION, _ANSWER, _TOC = headline(QUESTION), "answer", "toc"


class NewQuestion(NamedTuple):
    """A question block added by hand: its values as the layout shows them, and where it stands."""

    after: str | None  # the question it follows on the page (None: it comes first)
    before: str | None  # the question it precedes
    values: dict[str, str]
    line: int


class RemovedQuestion(NamedTuple):
    """A question whose whole block was deleted by hand."""

    id: str
    line: int


def _slides(text: str, at: int, piece: str, inserted: bool) -> Iterator[int]:
    """Where else ``piece`` (inserted at ``at``, or standing there) could be said to stand, the
    same text resulting: 0 first, then left and right along the text that repeats around it."""
    yield 0
    size, k = len(piece), 1
    while k < size and at - k >= 0 and text[at - k] == piece[size - k]:
        yield -k
        k += 1
    k = 1
    ahead = at + k - 1 if inserted else at + size + k - 1
    while k < size and ahead < len(text) and text[ahead] == piece[k - 1]:
        yield k
        k += 1
        ahead += 1


def new_question(traced: Traced, edited: str, at: int, j1: int, j2: int, block: Pattern) -> NewQuestion | None:
    """Inserted lines that read as a question block, slid to where a block can start."""
    pattern = block()
    if pattern is None:
        return None
    built = traced.text
    for shift in _slides(built, at, edited[j1:j2], inserted=True):
        match = pattern.fullmatch(edited, j1 + shift, j2 + shift) if 0 <= j1 + shift <= j2 + shift else None
        if match is None:
            continue
        position = at + shift
        after = _question_near(traced, range(position - 1, -1, -1))
        before = _question_near(traced, range(position, len(built)))
        values = {name: value for name, value in match.groupdict().items() if value is not None}
        if ANCHOR in values:
            values.setdefault(ID, values[ANCHOR])
        return NewQuestion(after, before, values, built.count("\n", 0, position) + 1)
    return None


def removed_questions(traced: Traced, i1: int, i2: int) -> list[RemovedQuestion]:
    """The questions whose blocks are exactly the deleted stretch ``i1:i2`` (slid where the text
    repeats), in page order; none when it is anything else."""
    starts = {start: (qid, end) for qid, (start, end) in traced.blocks.items()}
    built = traced.text
    for shift in _slides(built, i1, built[i1:i2], inserted=False):
        at, end, found = i1 + shift, i2 + shift, []
        while at in starts and at < end:
            qid, at = starts[at]
            found.append(RemovedQuestion(qid, built.count("\n", 0, traced.blocks[qid][0]) + 1))
        if found and at == end:
            return found
    return []


def toc_kept(traced: Traced, qid: str, changed: list[tuple[int, int]]) -> int:
    """The page line of question ``qid``'s table-of-contents text where no change touches it (0: none)."""
    for n, owner in enumerate(traced.owner):
        origin = traced.origins[owner]
        if origin.entry == qid and origin.key == _TOC:
            return 0 if any(i1 <= n < i2 for i1, i2 in changed) else traced.text.count("\n", 0, n) + 1
    return 0


def _question_near(traced: Traced, positions: range) -> str | None:
    for n in positions:
        origin = traced.origins[traced.owner[n]]
        if origin.entry and origin.key in (_QUESTION, _ANSWER):
            return origin.entry
    return None


def block_pattern(
    layout: Callable[[dict[str, Any]], str], sample: dict[str, Any], groups: dict[str, str]
) -> re.Pattern[str] | None:
    """The pattern of a question block: the layout rendered with a placeholder for each key of
    ``groups`` (key -> the pattern its value matches), the rest of ``sample`` as it is."""
    marks = {name: f"\ue000{n}\ue001" for n, name in enumerate(groups)}
    try:
        text = layout({**sample, **marks})
    except Exception:  # a layout that needs more than placeholders can give
        return None
    pieces = re.split("(\ue000[0-9]+\ue001)", text)
    names = list(groups)
    seen: set[str] = set()
    pattern = []
    for n, piece in enumerate(pieces):
        if n % 2 == 0:
            pattern.append(re.escape(piece))
            continue
        name = names[int(piece[1:-1])]
        pattern.append(f"(?P={name})" if name in seen else f"(?P<{name}>{groups[name]})")
        seen.add(name)
    return re.compile("".join(pattern), re.DOTALL)


__all__ = [
    "NewQuestion",
    "Pattern",
    "RemovedQuestion",
    "block_pattern",
    "new_question",
    "removed_questions",
    "toc_kept",
]
