"""The diff report: where programs diverge from the base, and which line says so.

Each program's merged content is compared with the base content (or, for two named
programs, with the first of them) by deepdiff, and every difference becomes a plain
statement naming the override line that declares it. Rendered texts give the
evidence word by word, a matrix gives the overview, and pages in the output folder
that differ from what the sources produce are reported as drift. The result is
plain data; nothing here prints, writes or exits. The matrix is worked out at once;
each program's statements and evidence are made as the report is read, so a report
on thousands of programs can be written one program at a time.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, overload

from deepdiff import DeepDiff

from .building import Output, render_pages, resolve_all, stream_in_workers
from .errors import Loc, Problem, VariantsError, error
from .loading import Path_
from .merging import PAGE_KEYS, Entry, Page, base_page
from .project import Override, Project, load_project
from .rendering import PAGE_TEXTS, Renderer
from .schema import suggest
from .textdiff import Hunk, Line, changed_lines, hunks
from .writing import digest, plan, read_manifest

BASE = "base"
PROGRAM, CONTENT, FORMATTING = "program", "content", "formatting"
CATEGORIES = (PROGRAM, CONTENT, FORMATTING)
FORMATTING_FIELDS = frozenset({"rule", "layout", "toc_spacing", "toc_end", "footer"})
TOC_ORDER_FIELDS = frozenset({"toc_before", "toc_after"})
QUESTION_TEXTS = ("question", "toc", "answer")
SAME, VARIABLES, FORMATTED, REPLACED, ABSENT, ONLY = (
    "same",
    "variables",
    "formatting",
    "replaced",
    "absent",
    "program-only",
)
STATES = (SAME, VARIABLES, FORMATTED, REPLACED, ABSENT, ONLY)
DRIFT_STATES = ("edited", "stale", "missing", "extra")
FIELD_NAMES = {
    "question": "question text",
    "toc": "table-of-contents text",
    "answer": "answer",
    "anchor": "anchor",
    "rule": "separator line",
    "layout": "layout",
    "toc_spacing": "blank lines before its heading in the table of contents",
    "toc_end": "text after the table of contents",
    "footer": "footer",
    "title": "title",
    "intro": "intro",
}
_SHORT = 60


@dataclass(frozen=True)
class Statement:
    """One declared difference, in words, with the lines that declare it."""

    category: str  # program | content | formatting
    change: str  # set | added | removed | replaced | unset | reordered
    target: str  # variable | output | page | section | question
    id: str  # the variable, page field ('front_matter.<key>' for front matter) or entry id
    field: str  # the changed field of a section or question ('' otherwise)
    text: str
    where: tuple[Loc, ...]
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class Variable:
    """A program variable's value, and whether the override set it or the default did."""

    name: str
    value: str
    default: bool
    where: Loc | None
    help: str


@dataclass(frozen=True)
class Program:
    """A program in the report: its override, its page and its variables."""

    slug: str
    source: str
    output: str
    variables: tuple[Variable, ...]


@dataclass(frozen=True)
class FieldEvidence:
    """How one rendered text differs: the changed lines, words marked."""

    field: str
    category: str  # content | formatting
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Evidence:
    """The rendered differences of one page part, section or question."""

    target: str  # page | section | question
    id: str  # '' for the page
    section: str  # the question's section ('' otherwise)
    state: str
    fields: tuple[FieldEvidence, ...]


@dataclass(frozen=True)
class VariableOnly:
    """What differs only because the program variables differ (the name swap)."""

    page: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    """One program (``new``) compared with the base or with another program (``old``)."""

    old: str
    new: str
    statements: tuple[Statement, ...]
    variable_only: VariableOnly
    evidence: tuple[Evidence, ...]
    variable_evidence: tuple[Evidence, ...]  # filled only when asked for


@dataclass(frozen=True)
class Cell:
    """How one question stands in one program: a state from STATES, and whether it moved."""

    state: str
    moved: bool = False


# Cells are shared: a matrix of thousands of programs holds only these.
_CELLS = {(state, moved): Cell(state, moved) for state in STATES for moved in (False, True)}


@dataclass(frozen=True)
class Row:
    """A matrix row: one question and its cell in every compared program."""

    id: str
    section: str
    question: str  # the question text as written (a template)
    cells: dict[str, Cell]


@dataclass(frozen=True)
class Drift:
    """A page in the output folder that differs from what the sources produce."""

    file: str
    program: str
    state: str  # edited (by hand) | stale (sources changed) | missing | extra
    hunks: tuple[Hunk, ...]  # old: what the sources produce; new: the file as it is


@dataclass(frozen=True)
class Report:
    """The whole report: plain data for the formatters."""

    compared_with: str  # "base", or the first program of a pair
    base: str
    out: str
    show_variables: bool
    programs: tuple[Program, ...]
    comparisons: Sequence[Comparison]  # made one by one as they are read
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    drift: tuple[Drift, ...]

    @property
    def has_drift(self) -> bool:
        return bool(self.drift)


class _Side:
    """One side of a comparison: a merged page, its variables, its override.

    Cheap to make: what only the statements need (where the override writes each
    entry and key) is worked out on first use.
    """

    def __init__(self, name: str, page: Page, context: dict[str, str], override: Override | None = None) -> None:
        self.name = name
        self.page = page
        self.context = context
        self.override = override
        self.sections: dict[str, Entry] = {}
        self.questions: dict[str, Entry] = {}
        self.owner: dict[str, str] = {}  # question id -> section id
        for section in page.sections:
            self.sections[section.id] = section
            for question in section.children:
                self.questions[question.id] = question
                self.owner[question.id] = section.id

    @cached_property
    def model(self) -> dict[Part, Any]:
        """The merged content as plain data, the shape deepdiff compares."""
        return _model(self.page)

    @cached_property
    def index(self) -> dict[str, Path_]:
        """Entry id -> its place in the override."""
        index: dict[str, Path_] = {}
        if self.override is not None:
            for i, sdata in enumerate(self.override.doc.data.get("sections") or []):
                index[sdata["id"]] = ("sections", i)
                for j, qdata in enumerate(sdata.get("questions") or []):
                    index.setdefault(qdata["id"], ("sections", i, "questions", j))
        return index

    @cached_property
    def key_of(self) -> dict[Loc, Loc]:
        """A value's place -> its key's place, in the override."""
        if self.override is None:
            return {}
        doc = self.override.doc
        return {doc.loc(path): doc.key_loc(path) for path in doc.keys if path in doc.values}

    def declared(self, loc: Loc | None) -> Loc | None:
        """Where this side's override file sets the value at ``loc`` (its key's line), or None."""
        if self.override is None or loc is None or loc.path != self.override.path:
            return None
        return self.key_of.get(loc, loc)

    def placed(self) -> set[str]:
        """Ids of the entries this side's override places with 'after' or 'before'."""
        if self.override is None:
            return set()
        keys = self.override.doc.keys
        return {eid for eid, path in self.index.items() if (*path, "after") in keys or (*path, "before") in keys}

    def entry_loc(self, eid: str, keys: tuple[str, ...] = ()) -> Loc | None:
        """Where this side's override writes about entry ``eid`` (at one of ``keys`` if given)."""
        if self.override is None or eid not in self.index:
            return None
        doc, path = self.override.doc, self.index[eid]
        for key in keys:
            if (*path, key) in doc.keys:
                return doc.key_loc((*path, key))
        return doc.loc(path)


@dataclass(slots=True)
class _Changes:
    """What deepdiff found, by page part."""

    page: set[str] = field(default_factory=set)
    sections: dict[str, str] = field(default_factory=dict)  # id -> added | removed
    questions: dict[str, str] = field(default_factory=dict)
    section_fields: dict[str, set[str]] = field(default_factory=dict)
    question_fields: dict[str, set[str]] = field(default_factory=dict)
    orders: set[str] = field(default_factory=set)  # '' for the section order, else a section id


def diff_report(
    root: Path, pair: tuple[str, str] | None = None, out_dir: Path | None = None, show_variables: bool = False
) -> Report:
    """The report for the project at ``root``: every program against the base, or
    ``pair[1]`` against ``pair[0]``; drift is looked for in ``out_dir`` (default: out/).

    The matrix is worked out here; each program's statements and evidence are made
    when the report's comparisons are read (see ``_Comparisons``)."""
    root = Path(root)
    project = load_project(root)
    pages = resolve_all(project)
    outputs = render_pages(project, pages)
    renderer = Renderer(project)
    problems: list[Problem] = []
    overrides = {o.slug: o for o in project.overrides}
    contexts = {p.slug: renderer.variables(p, problems) for p in pages}
    by_slug = {p.slug: p for p in pages}
    if pair is None:
        placeholders = {name: "{{ " + name + " }}" for name in project.variables}
        old = _Side(BASE, base_page(project), placeholders)
        news = pages
        shown = pages
    else:
        for slug in pair:
            if slug not in by_slug:
                known = ", ".join(by_slug) or "none"
                raise VariantsError(
                    error(
                        f"overrides/{slug}.yml",
                        f"no such program{suggest(slug, by_slug)}; programs: {known}",
                        "reference",
                    )
                )
        shown = [by_slug[pair[0]], by_slug[pair[1]]]
        old, news = _Side(pair[0], shown[0], contexts[pair[0]], overrides[pair[0]]), shown[1:]
    out = out_dir if out_dir is not None else root / "out"
    names = {page.output for page in shown}
    drift = _drift(out, [o for o in outputs if o.name in names], {p.output: p.slug for p in pages}, pair is None)
    del outputs  # the pages' texts are needed for drift only; let them go before the comparisons
    texts = _Texts(renderer, old.context)
    sides = (_Side(page.slug, page, contexts[page.slug], overrides[page.slug]) for page in news)
    outlines = [_outline(old, new, texts) for new in sides]
    if problems:
        raise VariantsError(problems)
    return Report(
        compared_with=BASE if pair is None else pair[0],
        base="base/content.yml",
        out=_display(out, root),
        show_variables=show_variables,
        programs=tuple(_program(project, page, contexts[page.slug]) for page in shown),
        comparisons=_Comparisons(old, outlines, texts, show_variables, _settings(project)),
        columns=tuple(page.slug for page in news),
        rows=_rows(old, outlines),
        drift=drift,
    )


@dataclass(frozen=True, slots=True)
class _Outline:
    """One program's comparison in outline, as far as the matrix needs it; the statements
    and evidence are made from it on demand."""

    page: Page
    context: dict[str, str]
    override: Override | None
    found: _Changes
    moved: dict[str, list[str]]  # '' (the section order) or a section id -> the ids that moved
    cells: dict[str, Cell]  # question id -> its state


class _Comparisons(Sequence[Comparison]):
    """A report's comparisons, each made when it is read and then let go: a report on
    thousands of programs never holds all their statements and evidence at once."""

    def __init__(
        self, old: _Side, outlines: list[_Outline], texts: _Texts, show_variables: bool, settings: _Settings
    ) -> None:
        self._old = old
        self._outlines = outlines
        self._texts = texts
        self._show_variables = show_variables
        self._settings = settings

    def __len__(self) -> int:
        return len(self._outlines)

    @overload
    def __getitem__(self, index: int) -> Comparison: ...

    @overload
    def __getitem__(self, index: slice) -> list[Comparison]: ...

    def __getitem__(self, index: int | slice) -> Comparison | list[Comparison]:
        if isinstance(index, slice):
            return [self._make(outline) for outline in self._outlines[index]]
        return self._make(self._outlines[index])

    def __iter__(self) -> Iterator[Comparison]:
        # Many programs: forked workers make the comparisons, a few blocks ahead of the reader.
        made = stream_in_workers(lambda start, stop: [self._make(o) for o in self._outlines[start:stop]], len(self))
        return map(self._make, self._outlines) if made is None else made

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __repr__(self) -> str:
        return f"<{len(self)} comparisons, made as they are read>"

    def _make(self, outline: _Outline) -> Comparison:
        new = _Side(outline.page.slug, outline.page, outline.context, outline.override)
        return _compare(self._old, new, outline, self._texts, self._show_variables, self._settings)


@dataclass(frozen=True)
class _Settings:
    """Where base/variants.yml declares each variable's default and the output name pattern."""

    defaults: dict[str, Loc | None]  # every declared variable, in order; None where it has no default
    output: Loc | None
    pattern: str


def _settings(project: Project) -> _Settings:
    doc = project.settings
    defaults = {
        name: doc.loc(("variables", name, "default")) if "default" in (spec or {}) else None
        for name, spec in project.variables.items()
    }
    output = doc.loc(("output",)) if "output" in doc.data else None
    return _Settings(defaults, output, str(doc.data.get("output", "")))


class _Texts:
    """Renders single texts of a page with a given set of variables.

    What it renders with ``shared`` (the old side's variables, the same in every
    comparison) is kept, so the base is rendered once, not once per program.
    """

    def __init__(self, renderer: Renderer, shared: dict[str, str]) -> None:
        self.renderer = renderer
        self.shared = shared
        self._kept: dict[str, str] = {}

    def render(self, value: Any, loc: Loc, context: dict[str, str]) -> str:
        """The rendered text; the text as written where it cannot be rendered with ``context``
        (every page rendered before the report began, so only a stand-in context fails here)."""
        source = str(value)
        if context is not self.shared:
            return self._render(source, loc, context)
        text = self._kept.get(source)
        if text is None:
            text = self._kept[source] = self._render(source, loc, context)
        return text

    def _render(self, source: str, loc: Loc, context: dict[str, str]) -> str:
        problems: list[Problem] = []
        text = self.renderer.text(source, loc, context, problems)
        return source if problems else text

    def question(self, entry: Entry, context: dict[str, str]) -> dict[str, str]:
        """The question's texts as the page shows them ('toc' only where it is set)."""
        return {
            key: self.render(entry.values[key], entry.locs.get(key, entry.loc), context)
            for key in QUESTION_TEXTS
            if key in entry.values
        }

    def questions_differ(self, a: Entry, b: Entry, a_context: dict[str, str], b_context: dict[str, str]) -> bool:
        """Whether ``question(a, a_context) != question(b, b_context)``, rendering no more than
        it takes to find out."""
        for key in QUESTION_TEXTS:
            if (key in a.values) != (key in b.values):
                return True
            if key in a.values:
                old = self.render(a.values[key], a.locs.get(key, a.loc), a_context)
                if old != self.render(b.values[key], b.locs.get(key, b.loc), b_context):
                    return True
        return False

    def page(self, page: Page, key: str, context: dict[str, str]) -> str | None:
        """A page-level text ('front_matter.<key>' for front matter), or None where unset."""
        if key.startswith("front_matter."):
            value = page.values.get("front_matter", {}).get(key[len("front_matter.") :])
        else:
            value = page.values.get(key)
        if value is None:
            return None
        return self.render(value, page.locs.get(key, Loc(page.source)), context)


def _program(project: Project, page: Page, context: dict[str, str]) -> Program:
    variables = []
    for name, spec in project.variables.items():
        default = name not in page.variables
        where = project.settings.loc(("variables", name, "default")) if default else page.program_locs.get(name)
        variables.append(Variable(name, context.get(name, ""), default, where, str((spec or {}).get("help", ""))))
    return Program(page.slug, page.source, page.output, tuple(variables))


# Structure: deepdiff over plain data, then statements.


Part = tuple[str, ...]  # a part of the model: see _model


def _model(page: Page) -> dict[Part, Any]:
    """The merged content as plain data, the shape deepdiff compares: ``("page",)`` and
    ``("front_matter",)`` the page's own values, ``("section", sid)`` a section's values,
    ``("question", sid, qid)`` a question's, ``("order",)`` the section ids in order and
    ``("order", sid)`` the section's question ids in order. One level per part keeps
    deepdiff's walk short; the values are the entries' own, which nothing here changes."""
    model: dict[Part, Any] = {
        ("page",): {k: page.values[k] for k in PAGE_KEYS if k in page.values and k != "front_matter"},
        ("front_matter",): page.values.get("front_matter", {}),
        ("order",): [s.id for s in page.sections],
    }
    for section in page.sections:
        model["section", section.id] = section.values
        model["order", section.id] = [q.id for q in section.children]
        for question in section.children:
            model["question", section.id, question.id] = question.values
    return model


def _changes(old: _Side, new: _Side) -> _Changes:
    """Every difference deepdiff finds between two merged pages, sorted into page parts.

    Most of a program's page is the base's, so the parts equal on both sides are left
    out first (plain equality is cheap) and deepdiff compares what is left. It compares
    key by key however few keys two mappings share: by default (deepdiff 8) it reports
    mappings with under a third of their keys in common as one changed value, which
    names none of the keys (a section given many new questions would declare none)."""
    old_model, new_model = _pruned(old.model, new.model)
    found = _Changes()
    if not old_model and not new_model:
        return found
    tree = DeepDiff(old_model, new_model, view="tree", threshold_to_diff_deeper=0)
    # deepdiff's order of kinds changes from run to run; a question in different sections
    # on the two sides is both added and removed, and is noted as added, where it is now.
    paths = [
        (level.path(output_format="list"), kind == "dictionary_item_added")
        for kind in sorted(tree, key=lambda kind: (kind == "dictionary_item_added", kind))
        for level in tree[kind]
    ]
    # A section added or removed stands for its questions: they are not noted one by one.
    whole = {path[0][1] for path, _ in paths if len(path) == 1 and path[0][0] == "section"}
    for path, added in paths:
        _note(found, path, added, whole)
    return found


def _pruned(old: dict[Any, Any], new: dict[Any, Any]) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """``old`` and ``new`` without the keys whose values are the same on both sides, at every
    level of nested mappings: deepdiff finds the same differences in what is left."""
    old_left: dict[Any, Any] = {}
    new_left: dict[Any, Any] = {}
    for key, value in old.items():
        if key not in new:
            old_left[key] = value
        elif not _same(value, new[key]):
            other = new[key]
            if type(value) is dict and type(other) is dict:
                old_left[key], new_left[key] = _pruned(value, other)
            else:
                old_left[key], new_left[key] = value, other
    for key, value in new.items():
        if key not in old:
            new_left[key] = value
    return old_left, new_left


def _same(old: Any, new: Any) -> bool:
    """No difference for deepdiff: equal values of the same types, at every level."""
    if old is new:
        return True
    if type(old) is not type(new):
        return False
    if type(old) is dict:
        return bool(old.keys() == new.keys()) and all(_same(value, new[key]) for key, value in old.items())
    if type(old) is list:
        return len(old) == len(new) and all(map(_same, old, new))
    return bool(old == new)


def _note(found: _Changes, path: list[Any], added: bool, whole: set[str]) -> None:
    """Note one difference at ``path`` (a part of the model, then keys inside it)."""
    part, keys = path[0], path[1:]
    kind, ids = part[0], part[1:]
    if kind == "page" and keys:
        found.page.add(keys[0])
    elif kind == "front_matter" and keys:
        found.page.add(f"front_matter.{keys[0]}")
    elif kind == "section" and not keys:
        found.sections[ids[0]] = "added" if added else "removed"
    elif kind == "section":
        found.section_fields.setdefault(ids[0], set()).add(keys[0])
    elif kind == "question" and not keys and ids[0] not in whole:
        found.questions[ids[1]] = "added" if added else "removed"
    elif kind == "question" and keys:
        found.question_fields.setdefault(ids[1], set()).add(keys[0])
    elif kind == "order":
        found.orders.add(ids[0] if ids else "")


def _moved(old_ids: list[str], new_ids: list[str], declared: set[str]) -> list[str]:
    """Ids in both lists whose place changed: those an override places (``declared``) that
    now follow another id, then those outside the longest run the others keep in order."""
    common = set(old_ids) & set(new_ids)
    a = [i for i in old_ids if i in common]
    b = [i for i in new_ids if i in common]
    if a == b:
        return []
    moved = {i for i in declared & common if _before(a, i) != _before(b, i)}
    a = [i for i in a if i not in moved]
    b = [i for i in b if i not in moved]
    kept: set[str] = set()
    for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        kept.update(b[block.b : block.b + block.size])
    moved.update(i for i in b if i not in kept)
    return [i for i in new_ids if i in moved]


def _before(ids: list[str], eid: str) -> str | None:
    k = ids.index(eid)
    return ids[k - 1] if k else None


def _position(ids: list[str], eid: str, kind: str) -> str:
    k = ids.index(eid)
    if k > 0:
        return f"after {kind} '{ids[k - 1]}'"
    if len(ids) > 1:
        return f"first, before {kind} '{ids[1]}'"
    return f"as the only {kind}"


def _show(value: Any) -> str:
    """A value for a statement: quoted with escapes, shortened when long."""
    if value is None:
        return "(not set)"
    if not isinstance(value, str):
        return str(value)
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHORT else text[: _SHORT - 2] + '…"'


def _long(value: Any) -> bool:
    """Too long to quote in a statement: the evidence shows it."""
    return isinstance(value, str) and (len(value) > _SHORT or "\n" in value.rstrip("\n"))


def _spacing_only(old: Any, new: Any) -> bool:
    """Two texts that differ only in whitespace (spaces, blank lines, line ends)."""
    if not isinstance(old, str) or not isinstance(new, str):
        return False
    return "".join(old.split()) == "".join(new.split())


def _category(key: str, old: Any, new: Any) -> str:
    if key in FORMATTING_FIELDS or _spacing_only(old, new):
        return FORMATTING
    return CONTENT


def _where(*locs: Loc | None) -> tuple[Loc, ...]:
    return tuple(sorted({loc for loc in locs if loc is not None}))


class _Phrases:
    """Turns the differences of one comparison into statements."""

    def __init__(self, old: _Side, new: _Side) -> None:
        self.old = old
        self.new = new
        self.out: list[Statement] = []

    def add(
        self,
        category: str,
        change: str,
        target: str,
        eid: str,
        key: str,
        text: str,
        where: tuple[Loc, ...],
        old: Any = None,
        new: Any = None,
    ) -> None:
        self.out.append(Statement(category, change, target, eid, key, text, where, old, new))

    def added(self) -> str:
        return "added" if self.old.name == BASE else f"only in {self.new.name},"

    def removed(self) -> str:
        return "removed" if self.old.name == BASE else f"only in {self.old.name}"

    def entry_where(self, eid: str, keys: tuple[str, ...] = ()) -> tuple[Loc, ...]:
        return _where(self.old.entry_loc(eid, keys), self.new.entry_loc(eid, keys))

    def field(
        self, target: str, eid: str, key: str, label: str, old: Any, new: Any, where: tuple[Loc, ...], name: str = ""
    ) -> None:
        """A statement for one changed field, worded by what the field is."""
        name = name or FIELD_NAMES.get(key, key)
        if key in TOC_ORDER_FIELDS:
            word = "before" if key == "toc_before" else "after"
            text = (
                f"{label}: listed in the table of contents {word} '{new}'"
                if new is not None
                else (f"{label}: no longer listed {word} '{old}' in the table of contents")
            )
            self.add(CONTENT, "reordered", target, eid, key, text, where, old, new)
            return
        category = _category(key, old, new)
        if old is None:
            change, text = "set", f"{label}: {name} {_show(new)}"
        elif new is None:
            change, text = "unset", f"{label}: {name} not set (was {_show(old)})"
        elif _spacing_only(old, new):
            change, text = "replaced", f"{label}: {name} differs in spacing only (blank lines, spaces)"
        elif _long(old) or _long(new):
            change, text = "replaced", f"{label}: {name} replaced"
        else:
            change, text = "replaced", f"{label}: {name} {_show(old)} → {_show(new)}"
        self.add(category, change, target, eid, key if target in ("section", "question") else "", text, where, old, new)


def _statements(
    old: _Side, new: _Side, found: _Changes, moved: dict[str, list[str]], settings: _Settings
) -> list[Statement]:
    say = _Phrases(old, new)
    _program_statements(say, settings)
    for key in sorted(found.page):
        a, b = _page_value(old.page, key), _page_value(new.page, key)
        where = _where(old.declared(old.page.locs.get(key)), new.declared(new.page.locs.get(key)))
        if key.startswith("front_matter."):
            say.field("page", key, key, "front matter", a, b, where, name=f"'{key[len('front_matter.') :]}'")
        else:
            say.field("page", key, key, "page", a, b, where)
    section_ids = [s.id for s in new.page.sections]
    questions = dict(found.questions)
    for sid, how in found.sections.items():
        section = (new if how == "added" else old).sections[sid]
        qids = [q.id for q in section.children]
        listing = f", with question{'s' if len(qids) != 1 else ''} " + ", ".join(f"'{q}'" for q in qids) if qids else ""
        title = section.get("title")
        if how == "added":
            text = f"section '{sid}' {say.added()} {_position(section_ids, sid, 'section')}{listing}: {_show(title)}"
            say.add(CONTENT, how, "section", sid, "", text, say.entry_where(sid), None, title)
        else:
            text = f"section '{sid}' {say.removed()}{listing}: {_show(title)}"
            say.add(CONTENT, how, "section", sid, "", text, say.entry_where(sid), title, None)
        for question in section.children:
            questions.setdefault(question.id, how)
    _field_statements(say, "section", found.section_fields, old, new)
    for qid, how in questions.items():
        _question_statements(say, qid, how, found)
    _field_statements(say, "question", found.question_fields, old, new)
    for sid, ids in moved.items():
        kind = "section" if sid == "" else "question"
        new_order = section_ids if sid == "" else [q.id for q in new.sections[sid].children]
        old_order = [s.id for s in old.page.sections] if sid == "" else [q.id for q in old.sections[sid].children]
        for eid in ids:
            text = f"{kind} '{eid}' moved {_position(new_order, eid, kind)} (was {_position(old_order, eid, kind)})"
            say.add(CONTENT, "reordered", kind, eid, "", text, say.entry_where(eid, ("after", "before")))
    # Program statements keep their order (declared variables, then the output); the
    # others follow the files that declare them, line by line.
    program = [s for s in say.out if s.category == PROGRAM]
    rest = sorted(
        (s for s in say.out if s.category != PROGRAM),
        key=lambda s: (s.category != CONTENT, s.where[:1] or (Loc("~"),), s.target, s.id, s.field, s.text),
    )
    return program + rest


def _program_statements(say: _Phrases, settings: _Settings) -> None:
    """The variables and the output name: set by the override (or its default), or differing between two programs."""
    old, new = say.old, say.new
    for name, default_loc in settings.defaults.items():
        value = new.context.get(name)
        if old.name == BASE:
            if name in new.page.variables:
                where = _where(new.page.program_locs.get(name))
                say.add(PROGRAM, "set", "variable", name, "", f"{name} = {_show(value)}", where, None, value)
            elif value is not None:
                text = f"{name} = {_show(value)} (not set: the default)"
                say.add(PROGRAM, "set", "variable", name, "", text, _where(default_loc), None, value)
            continue
        before = old.context.get(name)
        if before != value:
            where = _where(old.page.program_locs.get(name, default_loc), new.page.program_locs.get(name, default_loc))
            text = f"{name}: {_show(before)} → {_show(value)}"
            say.add(PROGRAM, "replaced", "variable", name, "", text, where, before, value)
    where = _where(
        old.declared(old.page.locs.get("output")) or (settings.output if old.name != BASE else None),
        new.declared(new.page.locs.get("output")) or settings.output,
    )
    if old.name == BASE:
        text = f"output {_show(new.page.output)}"
        if new.declared(new.page.locs.get("output")) is None and settings.pattern:
            text += f" (from the pattern {_show(settings.pattern)})"
        say.add(PROGRAM, "set", "output", "output", "", text, where, None, new.page.output)
    else:
        text = f"output {old.page.output} → {new.page.output}"
        say.add(PROGRAM, "replaced", "output", "output", "", text, where, old.page.output, new.page.output)


def _field_statements(say: _Phrases, kind: str, fields: dict[str, set[str]], old: _Side, new: _Side) -> None:
    """A statement for each changed field of the sections (or questions) both sides have."""
    old_entries, new_entries = (old.sections, new.sections) if kind == "section" else (old.questions, new.questions)
    for eid, keys in fields.items():
        a_entry, b_entry = old_entries[eid], new_entries[eid]
        for key in sorted(keys):
            where = _where(old.declared(a_entry.locs.get(key)), new.declared(b_entry.locs.get(key)))
            say.field(kind, eid, key, f"{kind} '{eid}'", a_entry.get(key), b_entry.get(key), where)


def _question_statements(say: _Phrases, qid: str, how: str, found: _Changes) -> None:
    """A question added (where it sits, and the formatting it brings) or removed."""
    old, new = say.old, say.new
    side = new if how == "added" else old
    question = side.questions[qid]
    sid = side.owner[qid]
    text_value = question.get("question")
    if how == "removed":
        origin = f"from section '{sid}'" if old.name == BASE else f"(section '{sid}')"
        text = f"question '{qid}' {say.removed()} {origin}: {_show(text_value)}"
        say.add(CONTENT, "removed", "question", qid, "", text, say.entry_where(qid), text_value, None)
        return
    if found.sections.get(sid) == "added":
        place = f"in the new section '{sid}'"
    else:
        into = "to" if old.name == BASE else "in"
        place = f"{into} section '{sid}', {_position([q.id for q in new.sections[sid].children], qid, 'question')}"
    text = f"question '{qid}' {say.added()} {place}: {_show(text_value)}"
    say.add(CONTENT, "added", "question", qid, "", text, say.entry_where(qid), None, text_value)
    for key in sorted(question.values):
        if key in FORMATTING_FIELDS or key in TOC_ORDER_FIELDS:
            where = _where(new.declared(question.locs.get(key)))
            say.field("question", qid, key, f"question '{qid}'", None, question.get(key), where)


def _page_value(page: Page, key: str) -> Any:
    if key.startswith("front_matter."):
        return page.values.get("front_matter", {}).get(key[len("front_matter.") :])
    return page.values.get(key)


# Cells and evidence.


def _outline(old: _Side, new: _Side, texts: _Texts) -> _Outline:
    """What deepdiff finds between ``old`` and ``new``, what moved, and one cell per question."""
    found = _changes(old, new)
    placed = old.placed() | new.placed()
    moved: dict[str, list[str]] = {}
    if "" in found.orders:
        moved[""] = _moved([s.id for s in old.page.sections], [s.id for s in new.page.sections], placed)
    for sid in sorted(found.orders - {""}):
        if sid in old.sections and sid in new.sections:
            before, after = old.sections[sid].children, new.sections[sid].children
            moved[sid] = _moved([q.id for q in before], [q.id for q in after], placed)
    moved = {k: v for k, v in moved.items() if v}
    moved_ids = {eid for ids in moved.values() for eid in ids}
    cells = {
        qid: _cell(
            old.questions.get(qid),
            new.questions.get(qid),
            found.question_fields.get(qid, set()),
            qid in moved_ids,
            texts,
            old.context,
            new.context,
        )
        for qid in _union([q.id for q in old.page.questions()], [q.id for q in new.page.questions()])
    }
    return _Outline(new.page, new.context, new.override, found, moved, cells)


def _compare(
    old: _Side, new: _Side, outline: _Outline, texts: _Texts, show_variables: bool, settings: _Settings
) -> Comparison:
    """Compare ``new`` with ``old`` as ``outline`` found: statements and evidence."""
    found, cells = outline.found, outline.cells
    statements = _statements(old, new, found, outline.moved, settings)
    # Against the base, both sides are rendered with the program's variables, so the
    # evidence shows only declared differences; what the variables change is apart.
    context = new.context if old.name == BASE else old.context
    evidence: list[Evidence] = []
    by_variables: list[Evidence] = []
    only_questions: list[str] = []
    for qid, cell in cells.items():
        a, b = old.questions.get(qid), new.questions.get(qid)
        sid = (new if b is not None else old).owner[qid]
        if cell.state in (REPLACED, FORMATTED, ABSENT, ONLY):
            fields = _question_evidence(a, b, found.question_fields.get(qid, set()), texts, context, new.context)
            evidence.append(Evidence("question", qid, sid, cell.state, fields))
        elif cell.state == VARIABLES:
            only_questions.append(qid)
            if show_variables:
                fields = _question_evidence(a, b, set(), texts, old.context, new.context)
                by_variables.append(Evidence("question", qid, sid, cell.state, fields))
    page, only_page = _page_evidence(old, new, found, texts, context)
    sections, only_sections = _section_evidence(old, new, found, texts, context)
    head: list[Evidence] = []
    if page:
        state = FORMATTED if all(f.category == FORMATTING for f in page) else REPLACED
        head.append(Evidence("page", "", "", state, page))
    if show_variables:
        head_variables = _variable_heads(old, new, only_page, only_sections, texts)
        by_variables = head_variables + by_variables
    return Comparison(
        old=old.name,
        new=new.name,
        statements=tuple(statements),
        variable_only=VariableOnly(tuple(only_page), tuple(only_sections), tuple(only_questions)),
        evidence=tuple(head + sections + evidence),
        variable_evidence=tuple(by_variables),
    )


def _variable_heads(
    old: _Side, new: _Side, only_page: list[str], only_sections: list[str], texts: _Texts
) -> list[Evidence]:
    """Evidence for the page texts and section titles that differ only by variables."""
    result: list[Evidence] = []
    if only_page:
        fields = tuple(
            FieldEvidence(
                key, CONTENT, _lines(texts.page(old.page, key, old.context), texts.page(new.page, key, new.context))
            )
            for key in only_page
        )
        result.append(Evidence("page", "", "", VARIABLES, fields))
    for sid in only_sections:
        a, b = old.sections[sid], new.sections[sid]
        lines = _lines(_title(texts, a, old.context), _title(texts, b, new.context))
        result.append(Evidence("section", sid, "", VARIABLES, (FieldEvidence("title", CONTENT, lines),)))
    return result


def _title(texts: _Texts, section: Entry, context: dict[str, str]) -> str:
    return texts.render(section.get("title", ""), section.locs.get("title", section.loc), context)


def _union(first: list[str], second: list[str]) -> list[str]:
    seen = set(first)
    return first + [i for i in second if i not in seen]


def _cell(
    a: Entry | None,
    b: Entry | None,
    keys: set[str],
    moved: bool,
    texts: _Texts,
    old_context: dict[str, str],
    new_context: dict[str, str],
) -> Cell:
    if a is None:
        return _CELLS[ONLY if b is not None else ABSENT, False]
    if b is None:
        return _CELLS[ABSENT, False]
    moved = moved or bool(keys & TOC_ORDER_FIELDS)
    keys = keys - TOC_ORDER_FIELDS
    if any(_category(k, a.get(k), b.get(k)) == CONTENT for k in keys):
        return _CELLS[REPLACED, moved]
    if keys:
        return _CELLS[FORMATTED, moved]
    if texts.questions_differ(a, b, old_context, new_context):
        return _CELLS[VARIABLES, moved]
    return _CELLS[SAME, moved]


def _question_evidence(
    a: Entry | None,
    b: Entry | None,
    keys: set[str],
    texts: _Texts,
    old_context: dict[str, str],
    new_context: dict[str, str],
) -> tuple[FieldEvidence, ...]:
    old = texts.question(a, old_context) if a is not None else {}
    new = texts.question(b, new_context) if b is not None else {}
    if a is not None and b is not None and ("toc" in old or "toc" in new):
        # The table of contents shows the question text unless 'toc' is set.
        old.setdefault("toc", old.get("question", ""))
        new.setdefault("toc", new.get("question", ""))
    fields: list[FieldEvidence] = []
    for key in QUESTION_TEXTS:
        if (key in old or key in new) and old.get(key) != new.get(key):
            fields.append(
                FieldEvidence(key, _category(key, old.get(key), new.get(key)), _lines(old.get(key), new.get(key)))
            )
    if a is not None and b is not None:
        for key in ("anchor", "rule", "layout"):
            if key in keys:
                x, y = a.get(key), b.get(key)
                fields.append(FieldEvidence(key, _category(key, x, y), _lines(_plain(x), _plain(y))))
    return tuple(fields)


def _lines(old: str | None, new: str | None) -> tuple[Line, ...]:
    """Evidence lines: the changed lines of a text, with one unchanged line around each change."""
    return changed_lines(old, new, context=1)


def _plain(value: Any) -> str | None:
    return None if value is None else str(value)


def _page_keys(page: Page) -> list[str]:
    keys = [f"front_matter.{k}" for k in page.values.get("front_matter", {})]
    return keys + [k for k in PAGE_TEXTS if k in page.values]


def _page_evidence(
    old: _Side, new: _Side, found: _Changes, texts: _Texts, context: dict[str, str]
) -> tuple[tuple[FieldEvidence, ...], list[str]]:
    """Evidence for the page's own texts, and the texts that differ only by variables."""
    fields: list[FieldEvidence] = []
    only: list[str] = []
    for key in _union(_page_keys(old.page), _page_keys(new.page)):
        if key in found.page:
            a, b = _page_value(old.page, key), _page_value(new.page, key)
            lines = _lines(texts.page(old.page, key, context), texts.page(new.page, key, new.context))
            fields.append(FieldEvidence(key, _category(key, a, b), lines))
        elif texts.page(old.page, key, old.context) != texts.page(new.page, key, new.context):
            only.append(key)
    return tuple(fields), only


def _section_evidence(
    old: _Side, new: _Side, found: _Changes, texts: _Texts, context: dict[str, str]
) -> tuple[list[Evidence], list[str]]:
    """Evidence for sections added, removed or changed, and those whose title differs only by variables."""
    result: list[Evidence] = []
    only: list[str] = []
    for sid in _union(list(old.sections), list(new.sections)):
        a, b = old.sections.get(sid), new.sections.get(sid)
        a_title = _title(texts, a, context) if a else None
        b_title = _title(texts, b, new.context) if b else None
        keys = found.section_fields.get(sid, set())
        if a is None or b is None:
            state = ONLY if a is None else ABSENT
            lines = _lines(a_title, b_title)
            result.append(Evidence("section", sid, "", state, (FieldEvidence("title", CONTENT, lines),)))
        elif keys:
            fields = [
                FieldEvidence(
                    key,
                    _category(key, a.get(key), b.get(key)),
                    _lines(a_title, b_title) if key == "title" else _lines(_plain(a.get(key)), _plain(b.get(key))),
                )
                for key in sorted(keys)
            ]
            result.append(Evidence("section", sid, "", REPLACED, tuple(fields)))
        elif _title(texts, a, old.context) != b_title:
            only.append(sid)
    return result, only


def _rows(old: _Side, outlines: list[_Outline]) -> tuple[Row, ...]:
    """Questions in the old side's order, then each program's own ones; one cell per program."""
    order = [q.id for q in old.page.questions()]
    where: dict[str, Entry] = dict(old.questions)
    owner: dict[str, str] = dict(old.owner)
    for outline in outlines:
        for section in outline.page.sections:
            for question in section.children:
                if question.id not in where:
                    order.append(question.id)
                    where[question.id] = question
                    owner[question.id] = section.id
    absent = _CELLS[ABSENT, False]
    rows = []
    for qid in order:
        cells = {outline.page.slug: outline.cells.get(qid, absent) for outline in outlines}
        rows.append(Row(qid, owner[qid], str(where[qid].get("question", "")), cells))
    return tuple(rows)


# Drift: the output folder against what the sources produce.


def _drift(out_dir: Path, outputs: list[Output], programs: dict[str, str], extras: bool) -> tuple[Drift, ...]:
    """Pages in ``out_dir`` that are missing, stale, edited by hand or left over (reads only)."""
    result = plan(out_dir, outputs, force=True)
    manifest = read_manifest(out_dir) if out_dir.is_dir() else {}
    found: list[Drift] = []
    for change in result.changes:
        if change.action == "unchanged" or (change.action == "remove" and not extras):
            continue
        program = programs.get(change.name, "")
        if change.action == "create":
            found.append(Drift(change.name, program, "missing", ()))
        elif change.action == "remove":
            found.append(Drift(change.name, program, "extra", ()))
        else:
            old, new = change.new or "", change.old or ""
            state = "stale" if manifest.get(change.name) == digest(new) else "edited"
            found.append(Drift(change.name, program, state, hunks(old, new)))
    return tuple(sorted(found, key=lambda d: d.file))


def _display(path: Path, root: Path) -> str:
    """``path`` relative to the project when inside it, else as given."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
