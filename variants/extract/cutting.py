"""Cutting the text under a heading into its blocks, where pages word it differently.

A block is a paragraph, a list item (with its indented lines and nested
items) or a fenced code block, with the blank lines before it. Where pages
word one heading's text differently (names aside), the text is cut where they
differ: the blocks every page has stay together, and a block some page lacks,
adds or words otherwise is a piece of its own. The heading keeps the first
piece; each further one is an entry in the ``text`` layout, so a page that
adds, drops or rewords a list item or a paragraph says just that.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from difflib import SequenceMatcher
from functools import partial

from ..source import fields
from ..source.fields import LAYOUT, QUESTION
from .align import matches
from .model import Item, PageModel, named, slug, unique

TEXT = "text"  # the layout of a paragraph or list item that is an entry of its own (templates/generic/layouts/)
_ITEM = re.compile(r"[ ]{0,1}(?:[-*+]|[0-9]{1,9}[.)])(?:[ \t]|$)")
FENCE = re.compile(r"[ ]{0,3}(`{3,}|~{3,})")
_ANSWER = next(k.name for k in fields.at(QUESTION) if k.required_to_add and k.name != fields.headline(QUESTION))
_SPACING = "heading_spacing"  # the blank lines before an entry, a block's too
_ANSWER_SPACING = "answer_spacing"
SIMILAR_TEXT = 0.6  # how alike two blocks must be for one to stand for the other
_COMPARED = 400  # characters of two blocks compared
_ALIGNED_AT_MOST = 40_000  # pairs of blocks weighed to align a new page's text with the base's
Block = tuple[str, int]  # a block's text (names aside) and how many like it stand before it in the entry


def blocks(text: str) -> list[tuple[int, str]]:
    """``text`` cut into its blocks, each with the blank lines before it: paragraphs and list items (an
    item's indented lines and nested items stay with it), fenced code whole. Joined, they are the text."""
    found: list[tuple[int, str]] = []
    blank, blank_before, fence, current = 0, 0, "", ""
    for line in text.splitlines(keepends=True):
        opening = FENCE.match(line)
        if fence:
            current += line
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            continue
        if line == "\n":
            blank += 1
            continue
        starts = not current or (blank and not line.startswith((" ", "\t"))) or bool(_ITEM.match(line))
        if starts:
            if current:
                found.append((blank_before, current))
            blank_before, current = blank, line
        else:
            current += "\n" * blank + line
        blank = 0
        if opening:
            fence = opening.group(1)
    if current:
        found.append((blank_before, current + "\n" * blank))
    elif blank:
        found.append((blank, ""))
    return found


def cut_entries(models: list[PageModel], preferences: list[list[tuple[str, str]]]) -> bool:
    """Where pages word the text under a heading differently (names aside), cut it where they differ: a
    block some page lacks, adds or words otherwise is a piece of its own, and the blocks every page has
    stay together. The heading keeps the first piece; each further one is an entry in the text layout.
    Whether any text was cut."""
    found: dict[str, list[tuple[int, Item, list[Block]]]] = {}
    for k, model in enumerate(models):
        for section in model.sections:
            for item in section.children:
                seen: Counter[str] = Counter()
                keys = []
                for _, text in blocks(item.values[_ANSWER]):
                    key = _key(text, preferences[k])
                    keys.append((key, seen[key]))
                    seen[key] += 1
                found.setdefault(item.id, []).append((k, item, keys))
    cuts: dict[tuple[int, int], list[int]] = {}  # (page, id of the entry) -> the blocks its pieces start at
    for places in found.values():
        if len(places) > 1 and len({tuple(keys) for *_, keys in places}) > 1:
            for k, item, at in _cut_points(places):
                cuts[(k, id(item))] = at
    # a block's id is the same on every page, and no other entry's on any page
    taken = {e.id for m in models for s in m.sections for e in [s, *s.children]}
    named_ids: dict[tuple[str, str], str] = {}
    for k, model in enumerate(models):
        for section in model.sections:
            children: list[Item] = []
            for item in section.children:
                children.append(item)
                where = cuts.get((k, id(item)))
                if where is not None:
                    children += _pieces(item, where, partial(_block_id, named_ids, taken, item.id, preferences[k]))
            section.children = children
    return bool(cuts)


def _key(text: str, values: list[tuple[str, str]]) -> str:
    """What tells a block from another: its text, names aside, and the blank lines it ends with aside."""
    return named(text.rstrip("\n"), values)


def _block_id(
    known: dict[tuple[str, str], str], taken: set[str], heading: str, values: list[tuple[str, str]], _: int, text: str
) -> str:
    """A block's id: the one it has on the pages before, else a new one no entry of any page has."""
    key = (heading, _key(text, values))
    if key not in known:
        known[key] = unique(slug(text, values, TEXT), taken)
    return known[key]


def _cut_points(places: list[tuple[int, Item, list[Block]]]) -> Iterator[tuple[int, Item, list[int]]]:
    """Where one entry's text is cut on each page that has it: the blocks its pieces start at."""
    stable = set.intersection(*(set(keys) for *_, keys in places))  # the blocks every page has
    starts, ends = set(), set()  # blocks every page has that start a piece, or end one, on every page
    pages: dict[Block, set[int]] = {}  # the pages each block stands on
    pairs: Counter[tuple[Block, Block]] = Counter()  # how many pages have one block right after the other
    for k, _, keys in places:
        for key in keys:
            pages.setdefault(key, set()).add(k)
        for one, two in itertools.pairwise(keys):
            pairs[(one, two)] += 1
            if one in stable and two not in stable:
                ends.add(one)
            elif one not in stable and two in stable:
                starts.add(two)

    def apart(one: Block, two: Block) -> bool:
        if one in stable and two in stable:
            return two in starts or one in ends
        if one in stable or two in stable:
            return True
        # blocks some pages lack stay together where they stand on the same pages, one after the other
        return pages[one] != pages[two] or pairs[(one, two)] != len(pages[one])

    for k, item, keys in places:
        at = [0] + [n for n in range(1, len(keys)) if apart(keys[n - 1], keys[n])]
        if len(at) > 1:
            yield k, item, at


def cut_like(model: PageModel, pieces: dict[str, list[tuple[str, str]]]) -> None:
    """Cut a new page's texts where a project's base cuts the same entries' texts: ``pieces`` gives, for
    each heading's id, its own text and the id and text of each block entry after it. The page's blocks
    are aligned with the base's by likeness (the page's names are not known yet, so texts that name
    them cannot be equal), and each block entry starts where its first aligned block stands."""
    taken = {q.id for s in model.sections for q in s.children} | {s.id for s in model.sections}
    for section in model.sections:
        children: list[Item] = []
        for item in section.children:
            children.append(item)
            if item.id not in pieces:
                continue
            parts = blocks(item.values[_ANSWER])
            owner: list[str] = []  # the base's blocks, each as the id of the entry it is in ("" the heading)
            base: list[str] = []
            for eid, text in pieces[item.id]:
                for _, part in blocks(text):
                    owner.append(eid)
                    base.append(part)
            at, ids = [0], []
            for i, j in sorted(aligned(base, [t for _, t in parts]).items()):
                if owner[i] and owner[i] not in ids and owner[i] not in taken and j > at[-1]:
                    at.append(j)
                    ids.append(owner[i])
                    taken.add(owner[i])
            if len(at) > 1:
                children += _pieces(item, at, partial(_given, ids))
        section.children = children


def aligned(one: list[str], two: list[str]) -> dict[int, int]:
    """The blocks of ``one`` aligned with those of ``two``, in order, for the most likeness in all (an equal
    block counts double); blocks less alike than ``SIMILAR_TEXT`` are never aligned."""
    if len(one) * len(two) > _ALIGNED_AT_MOST:  # too many pairs to weigh: equal blocks only, near-linear
        return dict(matches(one, two))
    score = [[0.0] * (len(two) + 1) for _ in range(len(one) + 1)]
    for i in range(len(one) - 1, -1, -1):
        for j in range(len(two) - 1, -1, -1):
            like = 2.0 if one[i] == two[j] else _likeness(one[i], two[j])
            pair = score[i + 1][j + 1] + like if like >= SIMILAR_TEXT else 0.0
            score[i][j] = max(pair, score[i + 1][j], score[i][j + 1])
    found: dict[int, int] = {}
    i = j = 0
    while i < len(one) and j < len(two):
        if score[i][j] == score[i + 1][j]:
            i += 1
        elif score[i][j] == score[i][j + 1]:
            j += 1
        else:
            found[i] = j
            i, j = i + 1, j + 1
    return found


def _likeness(one: str, two: str) -> float:
    """How alike two blocks are; 0 where the quick upper bounds already say less than ``SIMILAR_TEXT``."""
    matcher = SequenceMatcher(None, one[:_COMPARED], two[:_COMPARED], autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR_TEXT or matcher.quick_ratio() < SIMILAR_TEXT:
        return 0.0
    return matcher.ratio()


def _given(ids: list[str], n: int, _: str) -> str:
    return ids[n - 1]


def _pieces(item: Item, at: list[int], name: Callable[[int, str], str]) -> list[Item]:
    """The entries after the heading's own piece, which it keeps (``at``: the blocks pieces start at;
    ``name``: the id of the ``n``th piece, from its number and its first block)."""
    parts = blocks(item.values[_ANSWER])
    line = item.lines[0] + 1 + int(item.values.get(_ANSWER_SPACING) or 0)  # the answer's first line
    made: list[Item] = []
    for n, start in enumerate(at):
        run = parts[start : at[n + 1] if n + 1 < len(at) else len(parts)]
        text = run[0][1] + "".join("\n" * spacing + part for spacing, part in run[1:])
        first = line + run[0][0]
        line = first + text.count("\n")
        if not n:
            item.values[_ANSWER] = text
            item.lines = (item.lines[0], max(first, line - 1))
            continue
        entry = {LAYOUT: TEXT, _SPACING: run[0][0], _ANSWER: text}
        made.append(Item(name(n, run[0][1]), entry, lines=(first, max(first, line - 1))))
    return made


__all__ = ["FENCE", "SIMILAR_TEXT", "TEXT", "aligned", "blocks", "cut_entries", "cut_like"]
