"""The two sides of a comparison: a merged page, its variables, its override; and their texts rendered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..pipeline.model import Entry, Page
from ..pipeline.render import Renderer
from ..problems import Loc, Problem
from ..source import fields
from ..source.project import Project
from ..source.yamldoc import Doc, Path_
from .model import QUESTION_TEXTS, ReportProgram, VariableValue
from .structure import Part, content_model

_PLACES = tuple(k.name for k in fields.placements())
_WHY = fields.intent().name
_TITLE = next(k.name for k in fields.values(fields.SECTION) if k.required_to_add)


class Side:
    """One side of a comparison: a merged page, its variables, and the files it was made of
    (components, parents, its own override), which is where its statements point.

    Cheap to make: what only the statements need (where each file writes each
    entry and key) is worked out on first use.
    """

    def __init__(self, name: str, page: Page, context: dict[str, str], docs: Sequence[Doc] = ()) -> None:
        self.name = name
        self.page = page
        self.context = context
        self.docs = list(docs)
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
        return content_model(self.page)

    @cached_property
    def indexes(self) -> list[tuple[Doc, dict[str, Path_]]]:
        """For each file, the last one first: entry id -> its place in that file."""
        found: list[tuple[Doc, dict[str, Path_]]] = []
        for doc in reversed(self.docs):
            index: dict[str, Path_] = {}
            for path, entry in fields.entries(doc.data):
                index.setdefault(entry[fields.ID], path)
            found.append((doc, index))
        return found

    @cached_property
    def key_of(self) -> dict[tuple[str, int, int], Loc]:
        """A value's place -> its key's place, in every file of this side."""
        found: dict[tuple[str, int, int], Loc] = {}
        for doc in self.docs:
            for path in doc.keys:
                if path in doc.values:
                    loc = doc.loc(path)
                    found[loc.path, loc.line, loc.col] = doc.key_loc(path)
        return found

    @cached_property
    def whys(self) -> dict[str, tuple[str, dict[str, str]]]:
        """For each file of this side: its top-level 'why', and each entry's that has one (a
        question's own, else its section's)."""
        found: dict[str, tuple[str, dict[str, str]]] = {}
        for doc in self.docs:
            own: dict[str, str] = {}
            for section in doc.data.get(fields.SECTIONS) or []:
                said = section.get(_WHY)
                if said:
                    own[section[fields.ID]] = str(said)
                for question in section.get(fields.QUESTIONS) or []:
                    if _WHY in question or said:
                        own[question[fields.ID]] = str(question.get(_WHY) or said)
            found[doc.path] = (str(doc.data.get(_WHY) or ""), own)
        return found

    @cached_property
    def has_why(self) -> bool:
        """Whether any file of this side says why anywhere."""
        return any(top or any(own.values()) for top, own in self.whys.values())

    def why(self, path: str, eid: str = "") -> str:
        """What file ``path`` says about why it changes entry ``eid`` (or the page, for ''): the
        entry's 'why', its section's, or the file's own."""
        top, own = self.whys.get(path, ("", {}))
        return own.get(eid, "") or top

    def declared(self, loc: Loc | None) -> Loc | None:
        """Where one of this side's files sets the value at ``loc`` (its key's line), or None (the base)."""
        if loc is None or not any(doc.path == loc.path for doc in self.docs):
            return None
        return self.key_of.get((loc.path, loc.line, loc.col), loc._replace(style=""))

    def placed(self) -> set[str]:
        """Ids of the entries this side's files place with 'after' or 'before'."""
        return {
            eid
            for doc, index in self.indexes
            for eid, path in index.items()
            if any((*path, name) in doc.keys for name in _PLACES)
        }

    def entry_loc(self, eid: str, keys: tuple[str, ...] = (), file: str | None = None, having: str = "") -> Loc | None:
        """Where this side's files write about entry ``eid``: the last file that does (``file`` if
        given; the last whose entry has the key ``having``, if given), at one of ``keys`` where given."""
        for doc, index in self.indexes:
            if eid not in index or (file is not None and doc.path != file):
                continue
            path = index[eid]
            if having:
                if (*path, having) in doc.keys:
                    return doc.loc(path)
                continue
            for key in keys:
                if (*path, key) in doc.keys:
                    return doc.key_loc((*path, key))
            if not keys or file is not None:
                return doc.loc(path)
        return None


@dataclass(frozen=True)
class Settings:
    """Where base/variants.yml declares each variable's default and the output name pattern."""

    defaults: dict[str, Loc | None]  # every declared variable, in order; None where it has no default
    output: Loc | None
    pattern: str


def settings_of(project: Project) -> Settings:
    doc = project.settings
    defaults = {
        name: doc.loc(("variables", name, "default")) if "default" in (spec or {}) else None
        for name, spec in project.variables.items()
    }
    output = doc.loc(("output",)) if "output" in doc.data else None
    return Settings(defaults, output, str(doc.data.get("output", "")))


class RenderedTexts:
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
        value = page_value(page, key)
        if value is None:
            return None
        return self.render(value, page.locs.get(key, Loc(page.source)), context)


def report_program(project: Project, page: Page, context: dict[str, str]) -> ReportProgram:
    variables = []
    for name, spec in project.variables.items():
        default = name not in page.variables
        where = project.settings.loc(("variables", name, "default")) if default else page.program_locs.get(name)
        variables.append(VariableValue(name, context.get(name, ""), default, where, str((spec or {}).get("help", ""))))
    return ReportProgram(page.slug, page.source, page.output, tuple(variables))


def page_value(page: Page, key: str) -> Any:
    name, dot, inner = key.partition(".")
    if dot:  # a key of a page-level map: 'front_matter.title'
        return page.values.get(name, {}).get(inner)
    return page.values.get(key)


def section_title(texts: RenderedTexts, section: Entry, context: dict[str, str]) -> str:
    return texts.render(section.get(_TITLE, ""), section.locs.get(_TITLE, section.loc), context)


__all__ = ["RenderedTexts", "Settings", "Side", "page_value", "report_program", "section_title", "settings_of"]
