"""Orders across pages: one order of ids that keeps every page's, and the moves that give a page its own."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from typing import Any

from ..pipeline.model import Entry, toc_order
from ..problems import Loc
from ..source import fields
from ..source.fields import QUESTION, SECTION
from .align import matching_blocks


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
    """Whether an entry on ``count`` of ``total`` pages belongs in the base."""
    return count >= 2 and 2 * count >= total


def toc_moves(body: list[str], toc: list[str]) -> dict[str, tuple[str, str]]:
    """The fewest toc_before/toc_after moves that turn body order into table-of-contents order."""
    if sorted(body) != sorted(toc):
        raise ShapeMismatch("the table of contents and the body list different questions")
    stable = set()
    for at, _, size in matching_blocks(body, toc):
        stable.update(body[at : at + size])
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


__all__ = ["ShapeMismatch", "fix_moves", "positions", "shared", "simulate", "toc_moves", "union_order"]
