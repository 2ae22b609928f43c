"""Orders across pages: one order of ids that keeps every page's, and the moves that give a page its own."""

from __future__ import annotations

from collections import Counter
from difflib import SequenceMatcher
from itertools import pairwise
from typing import Any

from ..pipeline.model import Entry, toc_order
from ..problems import Loc
from ..source import fields
from ..source.fields import QUESTION, SECTION
from .align import SMALL, matches


class ShapeMismatch(Exception):
    """The pages cannot be written in this shape; the caller tries a simpler one."""


_MOVES = tuple(k.name for k in fields.toc_moves())
_BEFORE, _AFTER = (next(k.name for k in fields.toc_moves() if k.offset == n) for n in (0, 1))
_PLACE_BEFORE, _PLACE_AFTER = (next(k.name for k in fields.placements() if k.offset == n) for n in (0, 1))


def union_order(lists: list[list[str]]) -> list[str]:
    """One order of ids that keeps the order of every list (ids a page moves cannot be merged)."""
    rank: dict[str, tuple[int, int]] = {}
    after: dict[str, set[str]] = {}
    waiting: Counter[str] = Counter()
    for n, ids in enumerate(lists):
        for position, eid in enumerate(ids):
            rank.setdefault(eid, (position, n))
            after.setdefault(eid, set())
        for one, two in pairwise(ids):
            if two not in after[one]:
                after[one].add(two)
                waiting[two] += 1
    ready = sorted((eid for eid in rank if not waiting[eid]), key=rank.__getitem__)
    order: list[str] = []
    while ready:
        eid = ready.pop(0)
        order.append(eid)
        for later in after[eid]:
            waiting[later] -= 1
            if not waiting[later]:
                ready.append(later)
        ready.sort(key=rank.__getitem__)
    if len(order) != len(rank) or any(len(set(ids)) != len(ids) for ids in lists):
        raise ShapeMismatch("an entry moves between pages")
    return order


def shared(count: int, total: int) -> bool:
    """Whether an entry on ``count`` of ``total`` pages belongs in the base (all of one page's, when it is alone)."""
    return (count >= 2 or total == 1) and 2 * count >= total


def _agreement(one: list[str], other: list[str]) -> int:
    """How many of the ids two lists share stand in the same order in both."""
    theirs, mine = set(other), set(one)
    return len(matches([eid for eid in one if eid in theirs], [eid for eid in other if eid in mine]))


def merged_order(lists: list[list[str]]) -> list[str]:
    """One order of every id, keeping each list's order where the lists before it allow (a page's moves are its
    own); the lists whose order most others share come first, so an order most pages have is the base's."""
    agree = [sum(_agreement(ids, other) for m, other in enumerate(lists) if m != n) for n, ids in enumerate(lists)]
    order: list[str] = []
    for ids in [lists[n] for n in sorted(range(len(lists)), key=lambda n: -agree[n])]:
        at = {eid: n for n, eid in enumerate(order)}
        common = [eid for eid in ids if eid in at]
        kept = {common[i] for i, _ in matches(common, sorted(common, key=lambda eid: at[eid]))}
        result: list[str] = []
        done = 0  # ids of ``order`` before this index are in ``result``
        pending: list[str] = []  # new ids waiting for the next kept one
        for eid in ids:
            if eid not in at:
                pending.append(eid)
            elif eid in kept:
                result += order[done : at[eid]] + pending + [eid]
                done, pending = at[eid] + 1, []
        order = result + order[done:] + pending
    return order


def placements(current: list[str], target: list[str]) -> dict[str, tuple[str, str] | None]:
    """For each id of ``target`` that must be placed (new, or moved), where: (after|before, neighbour), or
    None for new ids at the end. Patches applied in ``target`` order then give ``target``."""
    at = {eid: n for n, eid in enumerate(current)}
    common = [eid for eid in target if eid in at]
    stable = {common[i] for i, _ in matches(common, sorted(common, key=lambda eid: at[eid]))}
    first_stable = next((eid for eid in target if eid in stable), None)
    places: dict[str, tuple[str, str] | None] = {}
    tail = len(target)
    while tail and target[tail - 1] not in at:
        tail -= 1
    for n, eid in enumerate(target):
        if eid in stable:
            continue
        if n >= tail:
            places[eid] = None
        elif n and (target[n - 1] in stable or target[n - 1] in places):
            places[eid] = (_PLACE_AFTER, target[n - 1])
        elif first_stable is not None:
            places[eid] = (_PLACE_BEFORE, first_stable)
        else:
            places[eid] = None
    return places


def toc_moves(body: list[str], toc: list[str]) -> dict[str, tuple[str, str]]:
    """The fewest toc_before/toc_after moves that turn body order into table-of-contents order."""
    if sorted(body) != sorted(toc):
        raise ShapeMismatch("the table of contents and the body list different questions")
    if len(body) * len(toc) <= SMALL:  # difflib keeps the longest runs in place, as a person reads the moves
        blocks = SequenceMatcher(None, body, toc, autojunk=False).get_matching_blocks()
        stable = {qid for block in blocks for qid in body[block.a : block.a + block.size]}
    else:
        stable = {body[i] for i, _ in matches(body, toc)}
    order = [q for q in body if q in stable]
    moves: dict[str, tuple[str, str]] = {}
    for qid in body:
        if qid in stable:
            continue
        at = toc.index(qid)
        after, before = toc[at - 1] if at else None, toc[at + 1] if at + 1 < len(toc) else None
        if before in order:
            moves[qid] = (_BEFORE, before)
            order.insert(order.index(before), qid)
        elif after in order:
            moves[qid] = (_AFTER, after)
            order.insert(order.index(after) + 1, qid)
        else:
            raise ShapeMismatch("table-of-contents order not expressible")
    return moves


def simulate(section: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The table-of-contents order the renderer gives questions with these moves."""
    entry = Entry(SECTION, "", {}, {}, Loc(""))
    entry.children = [Entry(QUESTION, qid, values, {}, Loc("")) for qid, values in section]
    return [q.id for q in toc_order(entry)]


def positions(page_ids: list[str], base_ids: set[str]) -> dict[str, tuple[str, str] | None]:
    """Where each entry the page adds goes: after/before a neighbour, or None (appended at the end)."""
    present = [i for i in page_ids if i in base_ids]
    last_base = max((n for n, i in enumerate(page_ids) if i in base_ids), default=-1)
    places: dict[str, tuple[str, str] | None] = {}
    for n, eid in enumerate(page_ids):
        if eid in base_ids:
            continue
        if n > last_base:
            places[eid] = None
        elif n == 0:
            places[eid] = (_PLACE_BEFORE, present[0])
        else:
            places[eid] = (_PLACE_AFTER, page_ids[n - 1])
    return places


def fix_moves(
    body: list[str], toc: list[str], moves: dict[str, dict[str, Any]], patches: dict[str, dict[str, Any]]
) -> None:
    """Add the table-of-contents moves a page needs beyond those it inherits."""

    def move_of(values: dict[str, Any]) -> tuple[str, str] | None:
        key = next((k for k in _MOVES if k in values), None)
        return (key, values[key]) if key else None

    targets_here = all(
        move is None or (move[1] in body and move[1] != qid) for qid in body for move in [move_of(moves[qid])]
    )
    if targets_here and simulate([(qid, moves[qid]) for qid in body]) == toc:
        return
    wanted = toc_moves(body, toc)
    for qid in body:
        have, want = move_of(moves[qid]), wanted.get(qid)
        if have == want:
            continue
        if have is not None and (want is None or want[0] != have[0]):
            # An inherited move can be redirected but not dropped: keep its key, name the neighbour.
            at = toc.index(qid)
            if have[0] == _BEFORE:
                neighbour = toc[at + 1] if at + 1 < len(toc) else None
            else:
                neighbour = toc[at - 1] if at > 0 else None
            if neighbour is None:
                raise ShapeMismatch("table-of-contents move not expressible")
            want = (have[0], neighbour)
            if want == have:
                continue
        assert want is not None
        moves[qid][want[0]] = want[1]
        patches[qid][want[0]] = want[1]
    if simulate([(qid, moves[qid]) for qid in body]) != toc:
        raise ShapeMismatch("table-of-contents order not reproduced")


__all__ = [
    "ShapeMismatch",
    "fix_moves",
    "merged_order",
    "placements",
    "positions",
    "shared",
    "simulate",
    "toc_moves",
    "union_order",
]
