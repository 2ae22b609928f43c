"""The base: for every page text, section, question and field, the source that leaves the least to override.

A value is chosen among the pages' own (as templates over their variables)
by what the other pages would then have to write: nothing where it renders
their value, an edit or a new text where not. An entry goes in the base when
half the pages (and at least two, unless one page stands alone) have it. The
pages weighed are the roots: a version of another page says only how it
differs from that one, so it does not vote.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..source import fields
from ..source.fields import PAGE, QUESTION, SECTION
from . import textedit
from .layering import PAGE_DEFAULTS, SHOWN, Program, change, source_of
from .model import Item
from .order import merged_order, shared, toc_moves
from .sources import FM, Entry, Sources, entry_shown, show

UNSET = object()  # the key is best left to its default
_PAGE_ROWS = tuple(k for k in fields.values(PAGE))
_SECTION_KEYS = tuple(k.name for k in fields.values(SECTION) if k.role != fields.ORDER)
_MISS = 1.0  # a page that changes a value also writes the entry and key it changes
_MANY = 16  # above this many candidates, a value is chosen by how many pages it serves alone


def choose(
    programs: dict[int, Program],
    key: str,
    wants: dict[int, Any],
    defaults: dict[int, Any] | None,
    inherited_default: Any = None,
) -> Any:
    """The source of ``key`` that costs the other pages least (UNSET: the default), among the pages' own values.

    ``wants`` maps pages to the value they show (None: any will do); ``defaults`` to what they show when unset,
    whose source is ``inherited_default`` (what a page that changes it edits).
    """
    candidates: list[Any] = [UNSET] if defaults is not None else []
    for page, want in wants.items():
        if want is not None:
            source = source_of(programs[page], key, want)
            if source not in candidates:
                candidates.append(source)
    if not candidates:
        return UNSET
    unset_source = inherited_default

    def shows(candidate: Any, page: int) -> Any:
        if candidate is UNSET:
            return defaults[page] if defaults is not None else None
        return show(candidate, programs[page].context) if isinstance(candidate, (str, dict)) else candidate

    def price(candidate: Any) -> tuple[float, int]:
        missed = [p for p, want in wants.items() if want is not None and shows(candidate, p) != want]
        if len(candidates) > _MANY:
            return float(len(missed)), 0
        total = 0.0
        for page in missed:
            inherited = unset_source if candidate is UNSET else candidate
            total += _MISS + textedit.cost(change(programs[page], key, inherited, wants[page]))
        return total, len(missed)

    return min(candidates, key=price)


def _question_keys(item: Item) -> list[str]:
    return [k for k in SHOWN if item.values.get(k) is not None]


class Consensus:
    """Builds the base over some pages (the roots)."""

    def __init__(self, programs: list[Program], roots: list[int]) -> None:
        self.all = programs
        usable = [r for r in roots if not programs[r].model.whole] or list(roots)
        self.programs = {r: programs[r] for r in usable}
        self.base = Sources()

    def build(self) -> Sources:
        self._page()
        self._front_matter()
        self._page_defaults()
        self._sections()
        return self.base

    def _page(self) -> None:
        for row in _PAGE_ROWS:
            key = row.name
            if key == FM or key in PAGE_DEFAULTS.values():
                continue
            wants = {r: p.model.values.get(key) for r, p in self.programs.items()}
            if not all(key in p.model.values for p in self.programs.values()):
                continue
            chosen = choose(self.programs, key, wants, dict.fromkeys(wants, row.default))
            if chosen is not UNSET:
                self.base.values[key] = chosen

    def _front_matter(self) -> None:
        """Keys every page writes first, in one order (an override can add keys after them, never remove one)."""
        found = [p.model.values.get(FM) for p in self.all if not p.model.whole]
        pages = [fm for fm in found if isinstance(fm, dict)]
        if len(pages) < len(found) or not pages:
            return
        keys: list[str] = []
        for n, key in enumerate(pages[0]):
            if all(len(fm) > n and list(fm)[n] == key for fm in pages):
                keys.append(key)
            else:
                break
        values: dict[str, Any] = {}
        for key in keys:
            wants = {r: p.model.values[FM][key] for r, p in self.programs.items()}
            values[key] = choose(self.programs, FM, wants, None)
        if values:
            self.base.values[FM] = values

    def _page_defaults(self) -> None:
        """The page's value of keys questions default to: the one most questions have."""
        for qkey, pkey in PAGE_DEFAULTS.items():
            counts: Counter[Any] = Counter()
            for program in self.programs.values():
                for section in program.model.sections:
                    for q in section.children:
                        want = q.values.get(qkey)
                        if want is not None:
                            counts[source_of(program, pkey, want)] += 1
            if counts:
                best = counts.most_common(1)[0][0]
                if best != fields.key(PAGE, pkey).default:
                    self.base.values[pkey] = best

    def _sections(self) -> None:
        programs = self.programs
        lists = [[s.id for s in p.model.sections] for p in programs.values()]
        have: Counter[str] = Counter(sid for ids in lists for sid in ids)
        home = self._homes()
        for sid in merged_order(lists):
            if not shared(have[sid], len(programs)):
                continue
            items = {r: s for r, p in programs.items() for s in p.model.sections if s.id == sid}
            entry = Entry(sid)
            for key in _SECTION_KEYS:
                wants = {r: item.values.get(key) for r, item in items.items()}
                if all(w is None for w in wants.values()):
                    continue
                row = fields.key(SECTION, key)
                defaults = None if row.required_to_add else dict.fromkeys(wants, row.default)
                chosen = choose(programs, key, wants, defaults)
                if chosen is not UNSET:
                    entry.values[key] = chosen
            questions = [[q.id for q in item.children if home.get(q.id) == sid] for item in items.values()]
            counts = Counter(qid for ids in questions for qid in ids)
            by_id = {r: {q.id: q for q in item.children} for r, item in items.items()}
            for qid in merged_order(questions):
                if shared(counts[qid], len(items)):
                    entry.children.append(self._question(qid, by_id))
            self._toc_moves(entry, items)
            self.base.sections.append(entry)

    def _homes(self) -> dict[str, str]:
        """Each question's section: the one most pages list it under."""
        votes: dict[str, Counter[str]] = {}
        for program in self.programs.values():
            for section in program.model.sections:
                for q in section.children:
                    votes.setdefault(q.id, Counter())[section.id] += 1
        return {qid: counter.most_common(1)[0][0] for qid, counter in votes.items()}

    def _question(self, qid: str, sections: dict[int, dict[str, Item]]) -> Entry:
        """The base's entry of question ``qid``, from each page's questions (by id) in this section."""
        found = {r: questions[qid] for r, questions in sections.items() if qid in questions}
        # A block kept as its page has it says nothing of what the others write, unless all are such.
        items = {r: q for r, q in found.items() if q.unfit is None} or found
        entry = Entry(qid)
        keys = [k for k in SHOWN if any(k in _question_keys(item) for item in items.values())]
        for key in keys:
            wants = {r: item.values.get(key) for r, item in items.items()}
            row = fields.key(QUESTION, key)
            defaults = None
            if not row.required_to_add:
                defaults = {r: self._default(r, entry, item, key) for r, item in items.items()}
            chosen = choose(self.programs, key, wants, defaults)
            if chosen is not UNSET:
                entry.values[key] = chosen
        return entry

    def _default(self, page: int, entry: Entry, item: Item, key: str) -> Any:
        """What a page shows for ``key`` if the base leaves it unset and the page says nothing more:
        another key's value on the page itself (a toc is its question), or the base's."""
        default = fields.key(QUESTION, key).default
        if isinstance(default, str) and default.startswith("=") and not default.startswith("=page."):
            other = default[1:]
            return item.id if other == fields.ID else item.values.get(other)
        return entry_shown(self.base, entry, QUESTION, key, self.programs[page].context)

    def _toc_moves(self, entry: Entry, items: dict[int, Item]) -> None:
        """Table-of-contents moves most of the pages make, where the base has the question they name."""
        ids = {q.id for q in entry.children}
        votes: dict[str, Counter[tuple[str, str] | None]] = {qid: Counter() for qid in ids}
        for item in items.values():
            body = [q.id for q in item.children]
            moves = toc_moves(body, item.toc if item.toc is not None else body)
            for qid in body:
                if qid in ids:
                    move = moves.get(qid)
                    votes[qid][move if move is None or move[1] in ids else ("", "")] += 1
        for question in entry.children:
            ranked = [m for m, _ in votes[question.id].most_common() if m != ("", "")]
            if ranked and ranked[0] is not None and votes[question.id][ranked[0]] > votes[question.id][None]:
                question.values[ranked[0][0]] = ranked[0][1]


def base_of(programs: list[Program], roots: list[int]) -> Sources:
    """The base content the roots share."""
    return Consensus(programs, roots).build()


__all__ = ["UNSET", "Consensus", "base_of", "choose"]
