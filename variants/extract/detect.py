"""Detecting variables: the words that differ between pages at the same place, such as a program's name.

The lines of the first page are paired with the lines of each other page; where
two paired lines differ by a few words, those words are a candidate. All places
of one candidate grow together over the capitalised words they share (so a
two-word name becomes one value), and the values found at one place on every
page form a tuple. Tuples equal up to letter case form a family: its most
frequent tuple becomes a variable (``name``), the others its forms
(``name_in_text``, ...). A family must look like a name (a capital, a digit or
an underscore) and stand in two different contexts to count; a place where one
page of three or more rewrote the sentence counts for the family the others
agree on there.
"""

from __future__ import annotations

import keyword
import os
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..problems import VariantsError, error
from ..progress import FINDING_VARIABLES, Progress, counted
from ..source.fields import VAR_PATTERN
from .pairing import Pairing, is_word
from .templating import names_in, render, templatize

_WORDS = re.compile(r"\w+")
_UNIT = re.compile(r"[ -]\w+")
_TRANSFORMS = ("lower", "upper", "capitalize")
_RESERVED = {"true", "false", "none"}  # Jinja reads these as constants, not variables


@dataclass
class Variable:
    """A program variable found across the pages: its value on each page, and how it defaults."""

    name: str
    values: tuple[str, ...]
    follows: str | None = None  # the variable this one defaults to (a form of the same name)
    transform: str = ""  # the Jinja filter applied to ``follows`` for the default, if any
    places: int = 0  # places found on the first page
    given: bool = False  # named by the user
    fixed: str | None = None  # a value of its own as the default (for pages whose texts never read it)

    @property
    def default(self) -> str | None:
        """The Jinja source of the default, or None when every override sets the value."""
        if self.fixed is not None:
            from .templating import to_source

            return to_source((self.fixed,))
        if self.follows is None:
            return None
        return "{{ " + self.follows + (f" | {self.transform}" if self.transform else "") + " }}"


def context(variables: list[Variable], page: int) -> dict[str, str]:
    """Every variable's value on one page."""
    return {v.name: v.values[page] for v in variables}


def program_values(variables: list[Variable], page: int) -> dict[str, str]:
    """What one page's override must set under ``program:`` (values its default does not give)."""
    by_name = {v.name: v for v in variables}
    given: dict[str, str] = {}
    for variable in variables:
        value = variable.values[page]
        if variable.fixed is not None:
            if value != variable.fixed:
                given[variable.name] = value
            continue
        if variable.follows is None:
            given[variable.name] = value
            continue
        default = by_name[variable.follows].values[page]
        if _apply(variable.transform, default) != value:
            given[variable.name] = value
    return given


def _apply(transform: str, value: str) -> str:
    return getattr(value, transform)() if transform else value


def _growth(pairs: list[tuple[str, str]], leftward: bool) -> int:
    """How far every place's value may grow over shared name words (' Library' after 'Springfield').

    ``pairs`` are the texts after (or, reversed, before) each place on page a and page b.
    """
    shared = []
    for ra, rb in pairs:
        n = 0
        while n < min(len(ra), len(rb)) and ra[n].lower() == rb[n].lower():
            n += 1
        shared.append(ra[:n].lower())
    common = os.path.commonprefix(shared)
    grown = 0
    while match := _UNIT.match(common, grown):
        end = match.end()
        first = end - 1 if leftward else match.start() + 1  # the word's first letter
        if not any(end == len(ra) or not is_word(ra[end]) for ra, _ in pairs):
            break  # the word goes on: not a whole word anywhere
        if not any(ra[first].isupper() or ra[match.start() : end] != rb[match.start() : end] for ra, rb in pairs):
            break  # neither capitalised nor written differently: ordinary text
        word = pairs[0][0][match.start() + 1 : end]
        acronym = len(word) > 1 and word.isupper()  # capitals that no sentence start explains
        if (
            leftward
            and not acronym
            and not all(ra[end : end + 1] == " " and is_word(ra[end + 1 : end + 2] or " ") for ra, _ in pairs)
        ):
            break  # a capital at the start of a sentence says nothing
        grown = end
    return grown


@dataclass
class _Place:
    line: int  # on the first page
    start: int
    end: int
    b_line: int
    b_start: int
    b_end: int


def _grown_places(pairing: Pairing) -> list[tuple[int, int, int]]:
    """The places (line, start, end) on page a where paired lines differ by a name-sized value."""
    clusters: dict[tuple[str, str], list[_Place]] = defaultdict(list)
    for i, j in pairing.lines.items():
        a, b = pairing.a[i], pairing.b[j]
        if a == b:
            continue
        for s, e, bs, be in pairing.diff(i).word_changes():
            clusters[(a[s:e].lower(), b[bs:be].lower())].append(_Place(i, s, e, j, bs, be))
    spans: list[tuple[int, int, int]] = []
    for places in clusters.values():
        a_lines = [pairing.a[p.line] for p in places]
        b_lines = [pairing.b[p.b_line] for p in places]
        right = _growth([(a[p.end :], b[p.b_end :]) for p, a, b in zip(places, a_lines, b_lines, strict=True)], False)
        left = _growth(
            [(a[: p.start][::-1], b[: p.b_start][::-1]) for p, a, b in zip(places, a_lines, b_lines, strict=True)], True
        )
        spans.extend((p.line, p.start - left, p.end + right) for p in places)
    return spans


def _union(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    merged: list[tuple[int, int, int]] = []
    for line, start, end in sorted(set(spans)):
        if merged and merged[-1][0] == line and start < merged[-1][2]:
            last = merged.pop()
            merged.append((line, last[1], max(end, last[2])))
        else:
            merged.append((line, start, end))
    return merged


def _context(line: str, start: int, end: int) -> tuple[str, str]:
    before = _WORDS.findall(line[:start])
    after = _WORDS.findall(line[end:])
    return (before[-1].lower() if before else "", after[0].lower() if after else "")


def _name_like(value: str) -> bool:
    return any(c.isupper() or c.isdigit() or c == "_" for c in value)


@dataclass
class _Family:
    tuples: Counter[tuple[str, ...]]
    contexts: set[tuple[str, str]]
    given: dict[tuple[str, ...], str]  # tuple -> the name the user gave it

    @property
    def places(self) -> int:
        return sum(self.tuples.values())


class _Detector:
    def __init__(self, texts: list[str]) -> None:
        self.lines = [text.split("\n") for text in texts]
        self._pairings: dict[tuple[int, int], Pairing] = {}

    def pairing(self, a: int, b: int) -> Pairing:
        if (a, b) not in self._pairings:
            self._pairings[(a, b)] = Pairing(self.lines[a], self.lines[b])
        return self._pairings[(a, b)]

    def values_at(self, page: int, line: int, start: int, end: int) -> tuple[str | None, ...]:
        """The text at one place of ``page`` on every page (None where a page has no such line)."""
        return tuple(
            self.lines[page][line][start:end] if other == page else self.pairing(page, other).map_span(line, start, end)
            for other in range(len(self.lines))
        )

    def families(self, progress: Progress | None = None) -> dict[tuple[str, ...], _Family]:
        spans: list[tuple[int, int, int]] = []
        for other in counted(range(1, len(self.lines)), FINDING_VARIABLES, len(self.lines) - 1, progress):
            spans.extend(_grown_places(self.pairing(0, other)))
        found: list[tuple[tuple[str | None, ...], tuple[str, str]]] = []
        for line, start, end in _union(spans):
            found.append((self.values_at(0, line, start, end), _context(self.lines[0][line], start, end)))
        families: dict[tuple[str, ...], _Family] = {}
        for values, where in _complete(found):
            if len(set(values)) < 2 or not all(_WORDS.search(v) for v in values):
                continue
            key = tuple(v.lower() for v in values)
            family = families.setdefault(key, _Family(Counter(), set(), {}))
            family.tuples[values] += 1
            family.contexts.add(where)
        return _absorb_strays(families)

    def seed(self, name: str, value: str) -> tuple[str, ...]:
        """The values at the places of ``value`` (a name the user gave) on every page."""
        found: Counter[tuple[str, ...]] = Counter()
        occurs = False
        for page, lines in enumerate(self.lines):
            for line, text in enumerate(lines):
                start = text.find(value)
                while start >= 0:
                    occurs = True
                    values = self.values_at(page, line, start, start + len(value))
                    if None not in values and len(set(values)) > 1:
                        found[values] += 1  # type: ignore[index]
                    start = text.find(value, start + 1)
        if not occurs:
            raise VariantsError(error(name, f"{value!r} does not occur on any page", "extract", hint="var-option"))
        if not found:
            message = f"{value!r} reads the same on every page: nothing varies"
            raise VariantsError(error(name, message, "extract", hint="var-option"))
        return found.most_common(1)[0][0]


def _absorb_strays(families: dict[tuple[str, ...], _Family]) -> dict[tuple[str, ...], _Family]:
    """A place where one page of three or more has other words than a name the others write there (that page
    rewrote the sentence; the others' values there may hold a few words more) is one more place of the name:
    its family takes the place, and the place makes no family of its own."""
    strays: set[tuple[str, ...]] = set()
    for key, family in families.items():
        for other, stray in families.items():
            differ = [k for k, (a, b) in enumerate(zip(key, other, strict=True)) if a not in b]
            if len(key) < 3 or len(differ) != 1 or other in strays or key in strays:
                continue
            mine, theirs = (next(iter(f.tuples))[differ[0]] for f in (family, stray))
            if family.places > stray.places or (
                family.places == stray.places and _name_like(mine) > _name_like(theirs)
            ):
                family.contexts |= stray.contexts
                strays.add(other)
    return {key: family for key, family in families.items() if key not in strays}


def _complete(
    found: Sequence[tuple[tuple[str | None, ...], tuple[str, str]]],
) -> list[tuple[tuple[str, ...], tuple[str, str]]]:
    """Fill the gaps of places some page lacks from the most frequent full tuple that agrees."""
    complete = [tuple(v for v in values if v is not None) for values, _ in found]
    full = Counter(known for known, (values, _) in zip(complete, found, strict=True) if len(known) == len(values))
    done: list[tuple[tuple[str, ...], tuple[str, str]]] = []
    for known, (values, where) in zip(complete, found, strict=True):
        if len(known) == len(values):
            done.append((known, where))
            continue
        matches = [t for t, _ in full.most_common() if all(v is None or v == w for v, w in zip(values, t, strict=True))]
        if matches:
            done.append((matches[0], where))
    return done


def detect_variables(
    texts: list[str], given: dict[str, str] | None = None, progress: Progress | None = None
) -> list[Variable]:
    """The variables of a family of pages, most frequent first; ``given`` maps names the user gave to one of their values.
    Each page compared is counted to ``progress``."""
    for name in given or {}:
        if not re.match(VAR_PATTERN, name) or keyword.iskeyword(name) or name in _RESERVED:
            message = f"'{name}' cannot name a variable (letters, digits, '_'; not a keyword)"
            raise VariantsError(error(name, message, "extract", hint="var-option"))
    detector = _Detector(texts)
    families = detector.families(progress)
    for name, value in (given or {}).items():
        owner = next((values for family in families.values() for values in family.tuples if value in values), None)
        if owner is None:
            owner = detector.seed(name, value)
        key = tuple(v.lower() for v in owner)
        family = families.setdefault(key, _Family(Counter(), set(), {}))
        family.tuples[owner] += 0
        family.given[owner] = name
    kept = [
        f
        for f in families.values()
        if f.given or (len(f.contexts) >= 2 and any(_name_like(v) for t in f.tuples for v in t))
    ]
    kept.sort(key=lambda f: (not f.given, -f.places))
    return _name(_drop_redundant(kept))


def _spelled(values: tuple[str, ...], contexts: list[dict[str, str]], preferences: list[list[tuple[str, str]]]) -> bool:
    """Whether one template over the earlier variables writes ``values`` on every page."""
    pages = range(len(values))
    candidates = {templatize(values[k], preferences[k]) for k in pages}
    return any(names_in(t) and all(render(t, contexts[k]) == values[k] for k in pages) for t in candidates)


def _drop_redundant(families: list[_Family]) -> list[_Family]:
    """Leave out families the earlier ones already spell ('Springfield Springfield', 'Springfields')."""
    kept: list[_Family] = []
    for family in families:
        names = {f"{n}.{i}": values for n, f in enumerate(kept) for i, values in enumerate(f.tuples)}
        pages = range(len(next(iter(family.tuples))))
        contexts = [{name: values[k] for name, values in names.items()} for k in pages]
        preferences = [list(context.items()) for context in contexts]

        if family.given or not all(_spelled(values, contexts, preferences) for values in family.tuples):
            kept.append(family)
    return kept


def _name(families: list[_Family]) -> list[Variable]:
    """Variables for the families: ``name``, ``name_2``, ...; forms ``name_lower`` or ``name_in_text``."""
    taken = {name for f in families for name in f.given.values()}

    def fresh(*wanted: str) -> str:
        for base in wanted:
            for n in range(1, 1000):
                candidate = base if n == 1 else f"{base}_{n}"
                if candidate not in taken:
                    taken.add(candidate)
                    return candidate
        raise AssertionError("unreachable")  # pragma: no cover

    variables: list[Variable] = []
    for family in families:
        ranked = sorted(family.tuples, key=lambda t: (-family.tuples[t], -sum(c.isupper() for c in "".join(t))))
        main = ranked[0]
        main_name = family.given.get(main) or fresh("name")
        variables.append(Variable(main_name, main, places=family.tuples[main], given=main in family.given))
        for form in ranked[1:]:
            transform = next(
                (t for t in _TRANSFORMS if all(_apply(t, m) == f for m, f in zip(main, form, strict=True))), ""
            )
            name = family.given.get(form) or fresh(f"{main_name}_{transform}" if transform else f"{main_name}_in_text")
            variable = Variable(name, form, main_name, transform, family.tuples[form], form in family.given)
            if not transform and not any(m == f for m, f in zip(main, form, strict=True)):
                variable.follows = None  # a value of its own on every page
            variables.append(variable)
    return variables


__all__ = ["Variable", "context", "detect_variables", "program_values"]
