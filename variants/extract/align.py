"""Aligning two sequences (lines, paragraphs, ids) in near-linear time, as patience diff does.

Common runs at both ends are matched first; then the items that occur exactly
once on each side anchor the alignment (the longest chain of them in the same
order on both sides), and the gaps between anchors are aligned the same way.
A gap with no unique item is left to difflib only while it is small; a large
one is matched at its ends and otherwise counted as changed, so the time stays
bounded whatever the input.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Sequence
from difflib import SequenceMatcher
from typing import TypeVar

SMALL = 4_000  # a gap of at most this many item pairs may be aligned by difflib

Opcode = tuple[str, int, int, int, int]
T = TypeVar("T", bound=Hashable)


def _unique(items: Sequence[T], lo: int, hi: int) -> dict[T, int]:
    seen: dict[T, int] = {}
    twice: set[T] = set()
    for n in range(lo, hi):
        item = items[n]
        if item in seen:
            twice.add(item)
        else:
            seen[item] = n
    return {item: n for item, n in seen.items() if item not in twice}


def _chain(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of ``pairs`` (in order of their first place) increasing in the second (patience sorting)."""
    tails: list[int] = []
    tail_at: list[int] = []
    back: list[int] = []
    for n, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_at.append(n)
        else:
            tails[k] = j
            tail_at[k] = n
        back.append(tail_at[k - 1] if k else -1)
    chain: list[tuple[int, int]] = []
    n = tail_at[-1] if tail_at else -1
    while n >= 0:
        chain.append(pairs[n])
        n = back[n]
    return chain[::-1]


def matches(a: Sequence[T], b: Sequence[T]) -> list[tuple[int, int]]:
    """The places (i, j) where ``a[i] == b[j]`` are aligned, increasing in both."""
    found: list[tuple[int, int]] = []
    # Jobs in page order, last first: a gap (alo, ahi, blo, bhi) to align, or a pair (i, j) already aligned.
    stack: list[tuple[int, ...]] = [(0, len(a), 0, len(b))]
    while stack:
        job = stack.pop()
        if len(job) == 2:
            found.append((job[0], job[1]))
            continue
        alo, ahi, blo, bhi = job
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            found.append((alo, blo))
            alo, blo = alo + 1, blo + 1
        parts: list[tuple[int, ...]] = []
        tail: list[tuple[int, ...]] = []
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi, bhi = ahi - 1, bhi - 1
            tail.append((ahi, bhi))
        if alo < ahi and blo < bhi:
            in_b = _unique(b, blo, bhi)
            in_a = _unique(a, alo, ahi)
            anchors = _chain(sorted((i, in_b[item]) for item, i in in_a.items() if item in in_b))
            if anchors:
                i0, j0 = alo, blo
                for i, j in anchors:
                    parts += [(i0, i, j0, j), (i, j)]
                    i0, j0 = i + 1, j + 1
                parts.append((i0, ahi, j0, bhi))
            elif (ahi - alo) * (bhi - blo) <= SMALL:
                matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
                parts += [(alo + m.a + d, blo + m.b + d) for m in matcher.get_matching_blocks() for d in range(m.size)]
        parts += reversed(tail)
        stack.extend(reversed(parts))
    return found


def opcodes(a: Sequence[T], b: Sequence[T]) -> list[Opcode]:
    """The alignment as difflib's opcodes: equal, replace, delete and insert ranges."""
    ops: list[Opcode] = []
    i = j = 0
    for mi, mj in [*matches(a, b), (len(a), len(b))]:
        if mi > i or mj > j:
            tag = "replace" if mi > i and mj > j else "delete" if mi > i else "insert"
            ops.append((tag, i, mi, j, mj))
        if mi < len(a) and mj < len(b):
            if ops and ops[-1][0] == "equal" and ops[-1][2] == mi:
                last = ops.pop()
                ops.append(("equal", last[1], mi + 1, last[3], mj + 1))
            else:
                ops.append(("equal", mi, mi + 1, mj, mj + 1))
        i, j = mi + 1, mj + 1
    return ops


__all__ = ["SMALL", "Opcode", "matches", "opcodes"]
