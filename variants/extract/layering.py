"""One page's override: what its page changes in what it inherits (the base, a parent, components).

``Layering.layer`` compares the sources a page inherits with the page as its
shape read it and writes the override a person would: the page texts and
front-matter values it changes (partial edits where those are shorter), the
spacing it writes on every question, the sections and questions it removes,
adds or moves (placed after or before a neighbour) and the fields it changes,
with the page line each difference stands on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..source import fields
from ..source.fields import ID, PAGE, QUESTION, QUESTIONS, SECTION, SECTIONS
from . import textedit
from .model import Item, PageModel
from .order import ShapeMismatch, fix_moves, placements
from .sources import FM, REMOVE, ROWS, TEXT_KEYS, Entry, Sources, apply, default_source, entry_shown, page_shown, show
from .templating import templatize, to_source

PAGE_ROWS = tuple(k for k in fields.values(PAGE))
SHOWN = tuple(k.name for k in fields.values(QUESTION) if k.role != fields.ORDER)
SECTION_SHOWN = tuple(k.name for k in fields.values(SECTION) if k.role != fields.ORDER)
REQUIRED = {level: tuple(k.name for k in fields.at(level) if k.required_to_add) for level in (SECTION, QUESTION)}
# Page keys that are the default of a question key ("=page.rule"): the page's own value saves a line a question.
PAGE_DEFAULTS = {
    k.name: k.default[len("=page.") :]
    for k in fields.values(QUESTION)
    if isinstance(k.default, str) and k.default.startswith("=page.")
}


@dataclass
class Program:
    """What the factoring knows of one page: its model, its variable values, how its texts become templates."""

    name: str  # the page's file name
    model: PageModel
    context: dict[str, str]
    preferences: list[tuple[str, str]]
    whole_key: str = ""  # the page key that holds a page kept whole


@dataclass
class Layer:
    """An override as data (texts as source, edits as tuples), and where its differences stand on the page."""

    data: dict[str, Any] = field(default_factory=dict)
    lines: dict[tuple[str, ...], tuple[int, int]] = field(default_factory=dict)  # path of ids and keys -> lines
    notes: list[str] = field(default_factory=list)
    added: set[tuple[str, ...]] = field(default_factory=set)  # (section id,) or (section id, question id) added


def source_of(program: Program, key: str, value: Any) -> Any:
    """A page's concrete value as a source holds it: a template for texts, the value itself otherwise."""
    if key in TEXT_KEYS and isinstance(value, str):
        return to_source(templatize(value, program.preferences))
    if isinstance(value, dict):
        return {k: source_of(program, key, v) for k, v in value.items()}
    return value


def change(program: Program, key: str, inherited: Any, value: Any) -> Any:
    """How an override writes ``value`` over ``inherited``: edits of a text where shorter, else the value."""
    new = source_of(program, key, value)
    if key in TEXT_KEYS and isinstance(inherited, str) and isinstance(new, str):
        made = textedit.between(inherited, new, lambda a, b: show(a, program.context) == show(b, program.context))
        if textedit.worth(made, new):
            return made
    return new


def inherited_source(sources: Sources, entry: Entry | None, level: str, key: str) -> Any:
    """The source text a key inherits (its default's, when unset), as the build edits it."""
    if level == PAGE:
        return sources.values.get(key, ROWS[PAGE][key].default)
    assert entry is not None
    if key in entry.values:
        return entry.values[key]
    return default_source(level, key, entry.values, sources.values, entry.id)


class Layering:
    """Writes one program's override over the sources it inherits."""

    def __init__(self, program: Program, word: str = "question") -> None:
        self.program = program
        self.word = word

    def layer(self, inherited: Sources) -> tuple[Layer, Sources]:
        """The override, and the sources the page has once it applies (what a version of it inherits)."""
        model, out = self.program.model, Layer()
        if model.whole:
            return self._whole(inherited, out)
        self._page(inherited, out)
        self._front_matter(inherited, out)
        self._page_defaults(inherited, out)
        made = apply(inherited, out.data)
        patches = self._sections(made, out)
        if patches:
            out.data[SECTIONS] = patches
        return out, apply(inherited, out.data)

    def _whole(self, inherited: Sources, out: Layer) -> tuple[Layer, Sources]:
        program, model = self.program, self.program.model
        key = program.whole_key
        out.data[key] = source_of(program, key, model.values[key])
        out.lines[(key,)] = (1, max(1, model.values[key].count("\n")))
        for name, value in model.values.items():
            if name != key and page_shown(inherited, name, program.context) != value:
                out.data[name] = value
        out.data[SECTIONS] = [{ID: s.id, REMOVE: True} for s in inherited.sections]
        assert model.unfit is not None
        out.notes.append(f"kept whole (line {model.unfit.line}: {model.unfit.reason})")
        return out, apply(inherited, out.data)

    def _page(self, inherited: Sources, out: Layer) -> None:
        program, model = self.program, self.program.model
        best: Layer | None = None
        for alternative in [{}, *model.alternatives]:  # the page's values, or others that write the same page
            values = {**model.values, **alternative}
            made = Layer()
            for row in PAGE_ROWS:
                key = row.name
                if key == FM or key not in values or key in PAGE_DEFAULTS.values():
                    continue
                want = values[key]
                shown = page_shown(inherited, key, program.context)
                if shown != want:
                    made.data[key] = change(program, key, inherited_source(inherited, None, PAGE, key), want)
                    made.lines[(key,)] = self._lines(model.where, key, want, shown)
                    made.notes.append(f"changes {row.what}")
            if best is None or textedit.cost(made.data) < textedit.cost(best.data):
                best = made
        assert best is not None
        out.data.update(best.data)
        out.lines.update(best.lines)
        out.notes.extend(best.notes)

    def _lines(self, where: dict[str, int], key: str, value: Any, old: Any = None) -> tuple[int, int]:
        """The lines of the page a page value stands on; of a text, the ones that differ from ``old``."""
        first = where.get(key, 0)
        if not first or not isinstance(value, str):
            return first, first
        new = value.split("\n")
        if isinstance(old, str) and old:
            before = old.split("\n")
            same = next((n for n, (a, b) in enumerate(zip(before, new, strict=False)) if a != b), len(new))
            tail = next((n for n, (a, b) in enumerate(zip(before[::-1], new[::-1], strict=False)) if a != b), 0)
            last = max(same, len(new) - 1 - tail)
            return first + min(same, len(new) - 1), first + last
        return first, first + value.rstrip("\n").count("\n")

    def _front_matter(self, inherited: Sources, out: Layer) -> None:
        program, want = self.program, self.program.model.values.get(FM)
        if want is None:
            return
        have = inherited.values.get(FM, {})
        if list(want)[: len(have)] != list(have):
            raise ShapeMismatch(f"{program.name}: front-matter keys the sources cannot write in this order")
        own = {}
        for key, value in want.items():
            if key not in have or page_shown(Sources({FM: {key: have[key]}}), FM, program.context)[key] != value:
                own[key] = source_of(program, FM, value)
                out.lines[(FM, key)] = (program.model.where.get(f"{FM}.{key}", 0),) * 2
        if own:
            out.data[FM] = own
            out.notes.append("front matter: " + ", ".join(own))

    def _page_defaults(self, inherited: Sources, out: Layer) -> None:
        """The page's value of each key its questions default to: the one that leaves the fewest to say."""
        program = self.program
        questions = {q.id: q for s in inherited.sections for q in s.children}
        for qkey, pkey in PAGE_DEFAULTS.items():
            wants = [(questions.get(q.id), q.values.get(qkey)) for s in program.model.sections for q in s.children]
            wants = [(entry, want) for entry, want in wants if want is not None]
            if not wants:
                continue
            have = page_shown(inherited, pkey, program.context)

            def misses(value: Any, qkey: str = qkey, wants: list[Any] = wants) -> int:
                return sum(
                    (entry_shown(inherited, e, QUESTION, qkey, program.context) if e and qkey in e.values else value)
                    != want
                    for e, want in wants
                )

            candidates = [have, *dict.fromkeys(w for _, w in wants)]
            best = min(candidates, key=lambda v: misses(v) + (v != have))
            if best != have:
                out.data[pkey] = change(program, pkey, inherited_source(inherited, None, PAGE, pkey), best)
                out.notes.append(f"changes {ROWS[PAGE][pkey].what} on every {self.word}")

    # -- sections and questions ---------------------------------------------------

    def _sections(self, inherited: Sources, out: Layer) -> list[dict[str, Any]]:
        model = self.program.model
        page_ids = [s.id for s in model.sections]
        patches: list[dict[str, Any]] = []
        for section in inherited.sections:
            if section.id not in page_ids:
                patches.append({ID: section.id, REMOVE: True})
                out.notes.append(f"removes section '{section.id}'")
        current = [s.id for s in inherited.sections if s.id in page_ids]
        places = placements(current, page_ids)
        owners = inherited.owners()
        for item in model.sections:
            base = inherited.section(item.id)
            patch: dict[str, Any] = {ID: item.id}
            place = places.get(item.id)
            if place:
                patch[place[0]] = place[1]
            if base is None:
                patch.update(self._new_entry(inherited, item, SECTION))
                out.lines[(item.id,)] = item.lines
                out.added.add((item.id,))
                count = len(item.children)
                where = f" {place[0]} '{place[1]}'" if place else ""
                out.notes.append(f"adds section '{item.id}' ({count} {self.word}{'s' if count != 1 else ''}){where}")
                patch[QUESTIONS] = self._questions(inherited, Entry(item.id), item, owners, out)
            else:
                changed = self._fields(inherited, base, item, SECTION, SECTION_SHOWN, patch, out, (item.id,))
                if changed:
                    out.notes.append(f"changes section '{item.id}': {', '.join(changed)}")
                questions = self._questions(inherited, base, item, owners, out)
                if questions:
                    patch[QUESTIONS] = questions
                if len(patch) == 1:
                    continue
            patches.append(patch)
        return patches

    def _questions(
        self, inherited: Sources, base: Entry, section: Item, owners: dict[str, str], out: Layer
    ) -> list[dict[str, Any]]:
        page_ids = [q.id for q in section.children]
        on_page = {q.id for s in self.program.model.sections for q in s.children}
        patches: dict[str, dict[str, Any]] = {}
        order: list[str] = []
        for question in base.children:
            if question.id not in on_page:
                patches[question.id] = {ID: question.id, REMOVE: True}
                order.append(question.id)
                out.notes.append(f"removes {self.word} '{question.id}'")
        here = set(page_ids)
        places = placements([q.id for q in base.children if q.id in here], page_ids)
        known = {q.id: q for s in inherited.sections for q in s.children}
        merged: dict[str, dict[str, Any]] = {}
        for item in section.children:
            patch: dict[str, Any] = {ID: item.id}
            place = places.get(item.id)
            if place:
                patch[place[0]] = place[1]
            entry = known.get(item.id)
            if entry is None:
                patch.update(self._new_entry(inherited, item, QUESTION))
                out.lines[(section.id, item.id)] = item.lines
                out.added.add((section.id, item.id))
                where = f" {place[0]} '{place[1]}'" if place else " at the end"
                out.notes.append(f"adds {self.word} '{item.id}'{where}")
                merged[item.id] = {k: v for k, v in patch.items() if k != ID}
            else:
                changed = self._fields(inherited, entry, item, QUESTION, SHOWN, patch, out, (section.id, item.id))
                merged[item.id] = {**entry.values, **{k: v for k, v in patch.items() if k != ID}}
                if owners[item.id] != section.id:
                    out.notes.append(f"moves {self.word} '{item.id}' here from section '{owners[item.id]}'")
                elif place:
                    out.notes.append(f"moves {self.word} '{item.id}' {place[0]} '{place[1]}'")
                if changed:
                    out.notes.append(f"changes {self.word} '{item.id}': {', '.join(changed)}")
            if item.unfit is not None:
                out.notes.append(f"keeps {self.word} '{item.id}' as the page has it ({item.unfit.reason})")
            patches[item.id] = patch
            order.append(item.id)
        self._toc(section, merged, patches)
        return [patches[qid] for qid in order if len(patches[qid]) > 1 or owners.get(qid, section.id) != section.id]

    def _toc(self, section: Item, merged: dict[str, dict[str, Any]], patches: dict[str, dict[str, Any]]) -> None:
        body = [q.id for q in section.children]
        fix_moves(body, section.toc if section.toc is not None else body, merged, patches)

    def _fields(
        self,
        inherited: Sources,
        entry: Entry,
        item: Item,
        level: str,
        keys: tuple[str, ...],
        patch: dict[str, Any],
        out: Layer,
        path: tuple[str, ...],
    ) -> list[str]:
        """Set in ``patch`` every key whose value the page shows differently; the keys changed."""
        program, changed = self.program, []
        for key in keys:
            if key not in item.values or item.values[key] is None:
                continue
            want = item.values[key]
            if entry_shown(inherited, entry, level, key, program.context) != want:
                old = inherited_source(inherited, entry, level, key)
                patch[key] = change(program, key, old, want)
                # Later keys may default to this one (a question's toc is its question): they see the new value.
                made = textedit.apply(str(old), patch[key]) if textedit.is_edits(patch[key]) else patch[key]
                entry = Entry(entry.id, {**entry.values, key: made}, entry.children)
                out.lines[path] = item.lines
                changed.append(key)
        return changed

    def _new_entry(self, inherited: Sources, item: Item, level: str) -> dict[str, Any]:
        """The keys a new entry must say: its required texts, and whatever its defaults do not give."""
        program, values = self.program, {}
        keys = SECTION_SHOWN if level == SECTION else SHOWN
        made = Entry(item.id)
        for key in keys:
            want = item.values.get(key)
            if want is None:
                continue
            if key in REQUIRED[level] or entry_shown(inherited, made, level, key, program.context) != want:
                values[key] = source_of(program, key, want)
                made.values[key] = values[key]
        return values


__all__ = ["PAGE_DEFAULTS", "SHOWN", "Layer", "Layering", "Program", "change", "inherited_source", "source_of"]
