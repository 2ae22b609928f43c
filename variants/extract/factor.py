"""Factoring: the pages of one family into a base, components, and one small override per page.

The base is what the pages share (``consensus``). A page that is a version of
another (it differs from that page by less than from the base) ``extends`` it
and says only what it changes. Differences that several pages make in the same
way (a question some programs add, the frame of a shorter page) become
components, written once and listed by each page that has them. Every
override is written by ``layering`` against exactly what its page inherits.
Nothing here reads or writes files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..source.fields import ID, QUESTIONS, SECTIONS
from . import textedit
from .consensus import base_of
from .detect import Variable, program_values
from .layering import Layer, Layering, Program
from .model import unique
from .order import ShapeMismatch
from .sources import FM, REMOVE, TEXT_KEYS, Sources, apply
from .templating import from_source, names_in

_EXTENDS = 1.0  # what the extends line costs
_COMPONENT = 5.0  # what a component file costs beyond its content
_MAX_PARENTS = 24  # a page tries at most this many pages as its parent
_ROUNDS = 3  # parents chosen again over the base of the roots, this many times at most

Atom = tuple[tuple[str, ...], Any]  # (where: ids and keys, what: a frozen value)


@dataclass
class Factored:
    """The base, the components and one override per page, as data."""

    base: Sources
    layers: list[Layer]
    parents: list[int | None]
    programs: list[dict[str, str]]  # per page: the program values its override sets
    components: dict[str, Layer] = field(default_factory=dict)
    uses: list[list[str]] = field(default_factory=list)  # per page: the components it lists
    shared_by: dict[str, list[int]] = field(default_factory=dict)  # component -> the pages that list it
    variables: list[Variable] = field(default_factory=list)
    pages: list[Sources] = field(default_factory=list)  # per page: the sources it ends up with


def _program_cost(values: dict[str, str]) -> float:
    return (1 + len(values) + sum(len(v) for v in values.values()) / textedit.LINE) if values else 0.0


def _cost(layer: Layer) -> float:
    return textedit.cost(layer.data) + len(atoms(layer))


class _Factoring:
    def __init__(
        self, programs: list[Program], variables: list[Variable], word: str, versions: bool, shared: bool
    ) -> None:
        self.programs, self.variables, self.word = programs, variables, word
        self.versions, self.shared = versions, shared
        self.n = len(programs)
        self.own = [program_values(variables, k) for k in range(self.n)]
        self.by_name = {v.name: v for v in variables}
        self.parents: list[int | None] = [None] * self.n

    def layer(self, page: int, inherited: Sources) -> tuple[Layer, Sources]:
        return Layering(self.programs[page], self.word).layer(inherited)

    def order(self) -> list[int]:
        """Pages, each after its parent."""
        done: list[int] = []
        while len(done) < self.n:
            done += [k for k in range(self.n) if k not in done and (self.parents[k] is None or self.parents[k] in done)]
        return done

    def blocks(self) -> list[dict[str, str]]:
        """The program values each page sets itself: all of a root's; a version's where its parent's differ."""
        chains: dict[int, dict[str, str]] = {}
        blocks: list[dict[str, str]] = [{} for _ in range(self.n)]
        for k in self.order():
            parent = self.parents[k]
            if parent is None:
                blocks[k] = dict(self.own[k])
            else:
                inherited = chains[parent]
                mine = {name: v for name, v in self.own[k].items() if inherited.get(name) != v}
                for name, value in inherited.items():
                    if name not in self.own[k] and self.by_name[name].values[k] != value:
                        mine[name] = self.by_name[name].values[k]
                blocks[k] = mine
            chains[k] = {**(chains[parent] if parent is not None else {}), **blocks[k]}
        return blocks

    def solve(self, base: Sources) -> tuple[Factored, list[Sources]]:
        layers: list[Layer] = [Layer()] * self.n
        made: list[Sources] = [base] * self.n
        for k in self.order():
            parent = self.parents[k]
            layers[k], made[k] = self.layer(k, base if parent is None else made[parent])
        return Factored(base, layers, list(self.parents), self.blocks(), variables=self.variables, pages=made), made

    def total(self, result: Factored) -> float:
        pages = sum(
            _cost(layer) + _program_cost(result.programs[k]) + (_EXTENDS if result.parents[k] is not None else 0)
            for k, layer in enumerate(result.layers)
        )
        shared = sum(textedit.cost(c.data) + _COMPONENT for c in result.components.values())
        listed = sum(1 + 0.2 * len(uses) for uses in result.uses if uses)
        return pages + textedit.cost(plain(result.base)) + shared + listed

    def run(self) -> Factored:
        everyone = list(range(self.n))
        result, made = self.solve(base_of(self.programs, everyone))
        candidates = [self.finish(result)]
        tried: list[list[int | None]] = [list(self.parents)]
        for _ in range(_ROUNDS if self.versions and self.n > 2 else 0):
            if not self.choose_parents(result, made) or self.parents in tried:
                break
            tried.append(list(self.parents))
            roots = [k for k in everyone if self.parents[k] is None]
            result, made = self.solve(base_of(self.programs, roots))
            candidates.append(self.finish(result))
            self.parents = list(result.parents)
        best = min(candidates, key=self.total)
        self.parents = list(best.parents)
        self.trim(best)
        return best

    def finish(self, result: Factored) -> Factored:
        """``result`` with its components (where they are wanted)."""
        self.parents = list(result.parents)
        if not self.shared:
            result.uses = [[] for _ in range(self.n)]
            return result
        return self.components(result)

    def choose_parents(self, result: Factored, made: list[Sources]) -> bool:
        """Each page extends the page it differs from least, where that costs less than the base; any found."""
        costs = []
        for k in range(self.n):
            try:
                costs.append(_cost(self.layer(k, result.base)[0]) + _program_cost(self.own[k]))
            except (ShapeMismatch, ValueError):
                costs.append(float("inf"))
        self.parents = [None] * self.n
        ranked = sorted(range(self.n), key=lambda k: (costs[k], k))
        for position, page in enumerate(ranked):
            best, best_cost = None, costs[page] - _EXTENDS
            for parent in ranked[max(0, position - _MAX_PARENTS) : position]:
                if self.programs[parent].model.whole or self.programs[page].model.whole:
                    continue
                if self.variables and self.variables[0].values[parent] != self.variables[0].values[page]:
                    continue  # a version is of the same program: it has the program's name
                try:
                    layer, _ = self.layer(page, made[parent])
                except (ShapeMismatch, ValueError):
                    continue
                self.parents[page] = parent
                price = _cost(layer) + _program_cost(self.blocks()[page])
                self.parents[page] = None
                if price < best_cost:
                    best, best_cost = parent, price
            self.parents[page] = best
        return any(p is not None for p in self.parents)

    # -- components ---------------------------------------------------------------

    def components(self, result: Factored) -> Factored:
        """Differences several pages make alike, moved into components they list: the group of pages and
        differences that saves most first, then the next among what is left."""
        have: dict[Atom, frozenset[int]] = {}
        for k, layer in enumerate(result.layers):
            for atom in atoms(layer):
                have[atom] = have.get(atom, frozenset()) | {k}
        left = {atom: pages for atom, pages in have.items() if len(pages) > 1}
        result.uses = [[] for _ in range(self.n)]
        refused: set[frozenset[int]] = set()
        while True:
            best: tuple[float, frozenset[int], set[Atom]] | None = None
            for members in set(left.values()) - refused:
                found = {atom for atom, pages in left.items() if members <= pages}
                if all(_removal(atom) for atom in found):
                    continue  # a component only of removals says less than the pages' own removals
                cost = sum(textedit.cost(assemble(result.layers[k], found)) for k in sorted(members)[:1]) + len(found)
                saving = (len(members) - 1) * cost - _COMPONENT - len(members)
                if saving > 0 and (best is None or saving > best[0]):
                    best = (saving, members, found)
            if best is None:
                break
            _, members, found = best
            if not self._add(result, sorted(members), found):
                refused.add(members)
                continue
            for atom in found:
                del left[atom]
        self.relayer(result)
        return result

    def _add(self, result: Factored, members: list[int], found: set[Atom]) -> bool:
        """Make a component of ``found`` for ``members``, if it applies on each of their pages."""
        first = result.layers[members[0]]
        data = assemble(first, found)
        name = self._name(members, data, set(result.components))
        trial = {**result.components, name: Layer(data)}
        try:
            for k in members:
                self._inherited(result, k, [*result.uses[k], name], trial)
        except (ShapeMismatch, ValueError, KeyError, StopIteration):
            return False
        paths = {atom[0][:2] for atom in found}
        lines = {path: where for path, where in first.lines.items() if path[:2] in paths}
        result.components[name] = Layer(data, lines, [], {path for path, _ in found if path in first.added})
        result.shared_by[name] = members
        for k in members:
            result.uses[k].append(name)
        return True

    def _inherited(self, result: Factored, page: int, uses: list[str], components: dict[str, Layer]) -> Sources:
        parent = result.parents[page]
        if parent is None:
            inherited = result.base
        else:
            inherited = apply(
                self._inherited(result, parent, result.uses[parent], components), result.layers[parent].data
            )
        for name in uses:
            inherited = apply(inherited, components[name].data)
        return inherited

    def relayer(self, result: Factored) -> None:
        """Every override written again over what it now inherits (its parent, its components)."""
        made: dict[int, Sources] = {}
        for k in self.order():
            parent = result.parents[k]
            inherited = result.base if parent is None else made[parent]
            for name in result.uses[k]:
                inherited = apply(inherited, result.components[name].data)
            result.layers[k], made[k] = self.layer(k, inherited)
        result.pages = [made[k] for k in range(self.n)]

    def trim(self, result: Factored) -> None:
        """Program values only where the page's texts read them: a variable some page never reads gets
        a default (its most common value), and no page sets a variable its texts do not read."""
        defaults = {n for v in self.variables if v.default for n in names_in(from_source(v.default))}
        reads = [_reads(page) | defaults for page in result.pages]
        for variable in self.variables:
            readers = [k for k in range(self.n) if variable.name in reads[k]]
            if len(readers) < self.n and variable.default is None and readers:
                values = [variable.values[k] for k in readers]
                variable.fixed = max(dict.fromkeys(values), key=values.count)
        self.own = [
            {name: value for name, value in program_values(self.variables, k).items() if name in reads[k]}
            for k in range(self.n)
        ]
        result.programs = self.blocks()

    def _name(self, members: list[int], data: dict[str, Any], taken: set[str]) -> str:
        """A component's name: the words its pages' names share and the others' lack, else what it adds."""
        words = [re.findall(r"[a-z0-9]+", self.programs[k].name.lower().rsplit(".", 1)[0]) for k in range(self.n)]
        everywhere = set.intersection(*(set(w) for w in words))
        common = set.intersection(*(set(words[k]) for k in members)) - everywhere
        added = [e[ID] for s in data.get(SECTIONS) or [] for e in [s, *(s.get(QUESTIONS) or [])] if len(e) > 2]
        wanted = "-".join(w for w in dict.fromkeys(words[members[0]]) if w in common)
        return unique(wanted or (added[0] if added else "shared"), set(taken))


def _removal(atom: Atom) -> bool:
    value = atom[1]
    return isinstance(value, tuple) and (REMOVE, True) in value


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple((k, _freeze(v)) for k, v in value.items())
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def atoms(layer: Layer) -> list[Atom]:
    """A layer as the differences it is made of, equal where two layers make the same one: each page key and
    front-matter key; each entry removed or added, whole; each key of an entry changed."""
    found: list[Atom] = []
    for key, value in layer.data.items():
        if key == FM:
            found += [((FM, k), _freeze(v)) for k, v in value.items()]
        elif key != SECTIONS:
            found.append(((key,), _freeze(value)))
    for section in layer.data.get(SECTIONS) or []:
        sid = section[ID]
        if section.get(REMOVE) or (sid,) in layer.added:
            found.append(((sid,), _freeze(section)))
            continue
        found += [((sid, k), _freeze(v)) for k, v in section.items() if k not in (ID, QUESTIONS)]
        for question in section.get(QUESTIONS) or []:
            qid = question[ID]
            if question.get(REMOVE) or (sid, qid) in layer.added:
                found.append(((sid, qid), _freeze(question)))
            else:
                found += [((sid, qid, k), _freeze(v)) for k, v in question.items() if k != ID]
    return found


def assemble(layer: Layer, chosen: set[Atom]) -> dict[str, Any]:
    """The part of a layer made of the ``chosen`` atoms, in the layer's order."""
    made: dict[str, Any] = {}
    for key, value in layer.data.items():
        if key == FM:
            own = {k: v for k, v in value.items() if ((FM, k), _freeze(v)) in chosen}
            if own:
                made[FM] = own
        elif key != SECTIONS and ((key,), _freeze(value)) in chosen:
            made[key] = value
    sections = []
    for section in layer.data.get(SECTIONS) or []:
        sid = section[ID]
        if ((sid,), _freeze(section)) in chosen:
            sections.append(section)
            continue
        patch = {
            ID: sid,
            **{k: v for k, v in section.items() if k not in (ID, QUESTIONS) and ((sid, k), _freeze(v)) in chosen},
        }
        questions = []
        for question in section.get(QUESTIONS) or []:
            qid = question[ID]
            if ((sid, qid), _freeze(question)) in chosen:
                questions.append(question)
                continue
            keys = {k: v for k, v in question.items() if k != ID and ((sid, qid, k), _freeze(v)) in chosen}
            if keys:
                questions.append({ID: qid, **keys})
        if questions:
            patch[QUESTIONS] = questions
        if len(patch) > 1:
            sections.append(patch)
    if sections:
        made[SECTIONS] = sections
    return made


def _reads(sources: Sources) -> set[str]:
    """The variables a page's texts read."""
    found: set[str] = set()

    def visit(value: Any) -> None:
        if isinstance(value, str):
            found.update(names_in(from_source(value)))
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)

    visit(sources.values)
    for section in sources.sections:
        for entry in [section, *section.children]:
            visit({k: v for k, v in entry.values.items() if k in TEXT_KEYS})
    return found


def plain(sources: Sources) -> dict[str, Any]:
    """The base as nested data (for its cost, and for the variables it reads)."""
    return {**sources.values, SECTIONS: [[s.values, [q.values for q in s.children]] for s in sources.sections]}


def factor(
    programs: list[Program],
    variables: list[Variable],
    word: str = "question",
    versions: bool = True,
    shared: bool = True,
) -> Factored:
    """The base, components and overrides that rebuild every page; raise ShapeMismatch when they cannot.

    ``versions``: pages may extend each other; ``shared``: differences several pages make may become components.
    """
    return _Factoring(programs, variables, word, versions, shared).run()


__all__ = ["Atom", "Factored", "assemble", "atoms", "factor", "plain"]
