"""Aligning two sequences (lines of two pages, words of two lines) in near-linear time.

difflib's SequenceMatcher looks for the longest match again inside every gap,
which is quadratic when many items repeat (blank lines, common words): two
pages of 1,000 paragraphs took minutes. Here, as patience diff does, what is
common at both ends is matched first, then the items that occur once on each
side anchor the alignment (their longest increasing run), and each gap between
anchors is aligned the same way. Only a gap small enough to be cheap is left to
SequenceMatcher; a large gap with nothing unique in it is one change.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Sequence
from difflib import SequenceMatcher

SMALL = 10_000  # a gap of at most this many pairs of items is SequenceMatcher's

Opcode = tuple[str, int, int, int, int]


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Opcode]:
    """Opcodes as ``SequenceMatcher(None, a, b, autojunk=False).get_opcodes()`` gives them (the
    same ones for small inputs)."""
    ops: list[Opcode] = []
    i = j = 0
    for ai, bj, size in matching_blocks(a, b):
        tag = "replace" if i < ai and j < bj else "delete" if i < ai else "insert" if j < bj else ""
        if tag:
            ops.append((tag, i, ai, j, bj))
        if size:
            ops.append(("equal", ai, ai + size, bj, bj + size))
        i, j = ai + size, bj + size
    return ops


def ratio(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """How alike ``a`` and ``b`` are, as ``SequenceMatcher.ratio``: twice the matched items over all items."""
    total = len(a) + len(b)
    return 2.0 * sum(size for _, _, size in matching_blocks(a, b)) / total if total else 1.0


def matching_blocks(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int, int]]:
    """Runs of equal items (i, j, size), in order, ending with (len(a), len(b), 0)."""
    if len(a) * len(b) <= SMALL:
        return [tuple(block) for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()]  # type: ignore[misc]
    pairs: list[tuple[int, int]] = []
    gaps = [(0, len(a), 0, len(b))]
    while gaps:  # a stack, not recursion: a gap can split many times over
        alo, ahi, blo, bhi = gaps.pop()
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            pairs.append((alo, blo))
            alo, blo = alo + 1, blo + 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi, bhi = ahi - 1, bhi - 1
            pairs.append((ahi, bhi))
        if alo == ahi or blo == bhi:
            continue
        if (ahi - alo) * (bhi - blo) <= SMALL:
            matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
            pairs += [(alo + i + k, blo + j + k) for i, j, n in matcher.get_matching_blocks() for k in range(n)]
            continue
        anchors = _anchors(a, b, alo, ahi, blo, bhi)
        if not anchors:
            continue  # nothing unique to hold on to: one change
        previous = (alo - 1, blo - 1)
        for i, j in (*anchors, (ahi, bhi)):
            gaps.append((previous[0] + 1, i, previous[1] + 1, j))
            previous = (i, j)
        pairs += anchors
    pairs.sort()
    blocks: list[tuple[int, int, int]] = []
    for i, j in pairs:
        if blocks and blocks[-1][0] + blocks[-1][2] == i and blocks[-1][1] + blocks[-1][2] == j:
            blocks[-1] = (blocks[-1][0], blocks[-1][1], blocks[-1][2] + 1)
        else:
            blocks.append((i, j, 1))
    blocks.append((len(a), len(b), 0))
    return blocks


def _anchors(
    a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """The items found once in each side of the gap, as (i, j), the longest run in order on both sides."""
    seen_a: dict[Hashable, int] = {}
    for i in range(alo, ahi):
        seen_a[a[i]] = -1 if a[i] in seen_a else i
    seen_b: dict[Hashable, int] = {}
    for j in range(blo, bhi):
        if seen_a.get(b[j], -1) >= 0:
            seen_b[b[j]] = -1 if b[j] in seen_b else j
    unique = sorted((seen_a[item], j) for item, j in seen_b.items() if j >= 0)
    # the longest increasing run of j (patience sorting), in O(k log k)
    tails: list[int] = []  # tails[n]: the smallest j ending a run of n + 1
    ends: list[int] = []  # the index into unique of that j
    before: list[int] = []
    for n, (_, j) in enumerate(unique):
        place = bisect.bisect_left(tails, j)
        if place == len(tails):
            tails.append(j)
            ends.append(n)
        else:
            tails[place], ends[place] = j, n
        before.append(ends[place - 1] if place else -1)
    run: list[tuple[int, int]] = []
    at = ends[-1] if ends else -1
    while at >= 0:
        run.append(unique[at])
        at = before[at]
    return run[::-1]


__all__ = ["SMALL", "matching_blocks", "opcodes", "ratio"]
