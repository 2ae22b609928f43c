"""Pairing lines of two pages: which line of one stands where each line of the other stands, and
how two paired lines differ word by word (letter case aside). Both alignments are ``align``'s,
near-linear in the length of the pages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from .align import opcodes

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_WORDS = re.compile(r"\w+")
_PAIRING_WORDS = re.compile(r"\w+|[^\w\s]")
_WINDOW = 12  # how far ahead a changed line looks for its counterpart
_MAX_WORDS = 6
_MAX_CHARS = 60


def is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _tokens(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _at(tokens: list[tuple[int, int]], index: int, length: int) -> int:
    return tokens[index][0] if index < len(tokens) else length


@dataclass
class LineDiff:
    """Two lines compared word by word (letter case aside): their tokens and the opcodes."""

    a: str
    b: str
    ta: list[tuple[int, int]]
    tb: list[tuple[int, int]]
    ops: Sequence[tuple[str, int, int, int, int]]
    ratio: float

    @classmethod
    def of(cls, a: str, b: str) -> LineDiff:
        ta, tb = _tokens(a), _tokens(b)
        words_a, words_b = [a[s:e].lower() for s, e in ta], [b[s:e].lower() for s, e in tb]
        ops = opcodes(words_a, words_b)
        same = sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal")
        return cls(a, b, ta, tb, ops, 2 * same / (len(ta) + len(tb)) if ta or tb else 1.0)

    def chars(self, i1: int, i2: int, j1: int, j2: int) -> tuple[int, int, int, int]:
        """Token ranges as character ranges."""
        a, b = len(self.a), len(self.b)
        return _at(self.ta, i1, a), _at(self.ta, i2, a), _at(self.tb, j1, b), _at(self.tb, j2, b)

    def map_span(self, start: int, end: int) -> str | None:
        """The text of b at the place of ``a[start:end]``."""
        b_start = b_end = None
        for tag, *tokens in self.ops:
            lo, hi, blo, bhi = self.chars(*tokens)
            if lo <= start < hi:
                b_start = min(blo + start - lo, bhi) if tag == "equal" else blo
            if lo < end <= hi:
                b_end = min(blo + end - lo, bhi) if tag == "equal" else bhi
        if b_start is None or b_end is None or b_end < b_start:
            return None
        return self.b[b_start:b_end]

    def word_changes(self) -> list[tuple[int, int, int, int]]:
        """Where the lines differ by a few words: (a start, a end, b start, b end)."""
        groups: list[list[int]] = []
        join_next = False
        for tag, i1, i2, j1, j2 in self.ops:
            if tag == "equal":
                join_next = bool(groups) and all(self.a[s:e].isspace() for s, e in self.ta[i1:i2])
            elif join_next:
                groups[-1][1], groups[-1][3] = i2, j2
            else:
                groups.append([i1, i2, j1, j2])
        if self.ratio < 0.5 and len(groups) > 1:
            return []  # rewritten rather than renamed
        found = []
        for group in groups:
            span = self.chars(*group)
            one, two = self.a[span[0] : span[1]], self.b[span[2] : span[3]]
            if all(
                _WORDS.search(t) and len(_WORDS.findall(t)) <= _MAX_WORDS and len(t) <= _MAX_CHARS for t in (one, two)
            ):
                found.append(span)  # name-sized on both sides
        return found


class Pairing:
    """Which line of page b stands where each line of page a stands."""

    def __init__(self, a: list[str], b: list[str]) -> None:
        self.a, self.b = a, b
        self.lines: dict[int, int] = {}
        self._diffs: dict[int, LineDiff] = {}
        for tag, i1, i2, j1, j2 in opcodes(a, b):
            if tag == "equal":
                self.lines.update((i1 + d, j1 + d) for d in range(i2 - i1))
            elif tag == "replace":
                self._pair_changed(i1, i2, j1, j2)

    def _pair_changed(self, i1: int, i2: int, j1: int, j2: int) -> None:
        """Pair changed lines: one for one when both sides have as many, else by similar words ahead."""
        if i2 - i1 == j2 - j1:
            self.lines.update((i1 + d, j1 + d) for d in range(i2 - i1))
            return
        words = {j: _PAIRING_WORDS.findall(self.b[j].lower()) for j in range(j1, j2)}
        j = j1
        for i in range(i1, i2):
            mine = _PAIRING_WORDS.findall(self.a[i].lower())
            best, best_j = 0.5, -1
            for candidate in range(j, min(j2, j + _WINDOW)):
                matcher = SequenceMatcher(None, mine, words[candidate], autojunk=False)
                if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best and matcher.ratio() > best:
                    best, best_j = matcher.ratio(), candidate
            if best_j >= 0:
                self.lines[i] = best_j
                j = best_j + 1

    def diff(self, line: int) -> LineDiff:
        if line not in self._diffs:
            self._diffs[line] = LineDiff.of(self.a[line], self.b[self.lines[line]])
        return self._diffs[line]

    def map_span(self, line: int, start: int, end: int) -> str | None:
        """The text of page b at the place of ``a[line][start:end]``, or None where b has no such line."""
        if line not in self.lines:
            return None
        if self.a[line] == self.b[self.lines[line]]:
            return self.a[line][start:end]
        return self.diff(line).map_span(start, end)


__all__ = ["LineDiff", "Pairing", "is_word"]
