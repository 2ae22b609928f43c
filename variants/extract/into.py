"""Extracting into an existing project: new pages of a family that already has sources, as new programs.

The project's own templates read each new page backwards (the FAQ shape's
reading, or the generic shape's), its variables' values are found by matching
the base's texts against the page, and the page's override is written against
the base, or against the program it is a version of (``extends``), whichever
says less. Nothing in base/ changes: the new overrides are proven by building
the whole project (every page it made before unchanged, the new ones byte for
byte) before they are written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..pipeline.build import build
from ..pipeline.model import Entry as Merged
from ..pipeline.model import Page
from ..problems import Loc, Problem, VariantsError, error
from ..source.fields import LAYOUT, QUESTION
from ..source.fields import key as field_key
from ..source.schema import EXTENDS, OUTPUT, PROGRAM
from . import emit, faq, generic, textedit
from .cutting import TEXT, cut_like
from .inverse import Unsupported
from .layering import Layer, Layering, Program
from .model import PageModel, Unfit, unique
from .order import ShapeMismatch
from .pages import SourcePage
from .sourcefiles import comments, ordered
from .sources import FM, Entry, Sources, show
from .templating import Ref, from_source

_DEFAULT_LAYOUT = str(field_key(QUESTION, LAYOUT).default)
_SLUG = re.compile(r"[^a-z0-9_-]+")


@dataclass
class Addition:
    """New pages added to a project: their override files, and what each holds."""

    root: Path
    pages: list[SourcePage]
    slugs: list[str]
    files: dict[str, str]  # path in the project -> text (the new overrides only)
    parents: list[str | None]
    notes: list[list[str]]
    variables: list[dict[str, str]]  # per page: the program values its override sets
    problems: list[Problem] = field(default_factory=list)


def is_project(root: Path) -> bool:
    """Whether ``root`` holds a variants project (its settings file)."""
    return (root / "base" / "variants.yml").is_file()


def _sources(page: Page) -> Sources:
    """A merged page as the factoring's sources: the values its files set, texts as source."""

    def entry(merged: Merged) -> Entry:
        return Entry(merged.id, dict(merged.values), [entry(q) for q in merged.children])

    return Sources(dict(page.values), [entry(s) for s in page.sections])


def _solve(template: str, value: Any, found: dict[str, list[str]]) -> None:
    """The variables' values that make ``template`` write ``value`` (each place a vote)."""
    parts = from_source(template)
    names = [p.name for p in parts if isinstance(p, Ref)]
    if not names or not isinstance(value, str):
        return
    pattern = "".join(f"(?P<v{n}>.+?)" if isinstance(p, Ref) else re.escape(p) for n, p in enumerate(parts))
    match = re.fullmatch(pattern, value, re.DOTALL)
    if match is None:
        return
    refs = [n for n, p in enumerate(parts) if isinstance(p, Ref)]
    for n, name in zip(refs, names, strict=True):
        found.setdefault(name, []).append(match.group(f"v{n}"))


def _values(base: Sources, model: PageModel) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in base.values.items():
        if key == FM and isinstance(value, dict):
            for name, text in value.items():
                if isinstance(text, str):
                    _solve(text, model.values.get(FM, {}).get(name), found)
        elif isinstance(value, str):
            _solve(value, model.values.get(key), found)
    mine = {q.id: q for s in model.sections for q in s.children}
    for section in base.sections:
        for question in section.children:
            if question.id in mine:
                for key, value in question.values.items():
                    if isinstance(value, str):
                        _solve(value, mine[question.id].values.get(key), found)
    return found


def _is_faq(templates: dict[str, str]) -> bool:
    try:
        faq.Frame.of(templates)
    except (Unsupported, KeyError, StopIteration, AssertionError):
        return False
    return True


class _Into:
    def __init__(self, root: Path, pages: list[SourcePage]) -> None:
        self.root, self.pages = root, pages
        made = build(root, keep_pages=True)
        if made.problems:
            first = made.problems[0]
            raise VariantsError(error(str(root), f"the project does not build ({first}); fix it first", "extract"))
        self.made = made
        self.project = made.project
        self.base = _sources(made.base)
        self.word = "question" if _is_faq(self.project.templates) else "entry"  # what the notes call an entry
        self.programs = {p.slug: p for p in made.programs if p.page is not None}
        self.outputs = {p.output.name: p.slug for p in made.programs if p.output is not None}
        self.variables = dict(self.project.variables)

    def frame_parse(self, page: SourcePage) -> PageModel | Unfit:
        templates = self.project.templates
        if self.word == "question":
            try:
                return faq.parse_faq(faq.Frame.of(templates), page.text, [])
            except (Unsupported, KeyError, StopIteration, AssertionError):
                pass
        try:
            frame_ = generic.Frame.of(templates)
        except (Unsupported, KeyError, StopIteration, AssertionError):
            return Unfit(1, "the project's page template is in neither the FAQ nor the generic shape")
        if not any(s.children for s in self.base.sections):  # the project keeps each page's text whole
            return generic.whole_page(frame_, page.text)
        levels = {level: name for level in range(1, 7) if (name := self._layout_of(level))}
        standard = next((level for level, name in levels.items() if name == _DEFAULT_LAYOUT), 0)
        model = generic.parse_generic(frame_, page.text, [], levels, standard)
        cut_like(model, self._pieces())
        for section in model.sections:
            for question in section.children:
                if question.values.get(LAYOUT) is None:
                    return Unfit(question.lines[0], "the project has no layout for a heading of this level")
        return model

    def _pieces(self) -> dict[str, list[tuple[str, str]]]:
        """For each heading whose text the base cuts into blocks: its own text (with the id ""), then
        the id and text of each block entry after it."""
        found: dict[str, list[tuple[str, str]]] = {}
        for section in self.base.sections:
            heading, own = "", ""
            for question in section.children:
                text = str(question.values.get(faq.ANSWER, ""))
                if question.values.get(LAYOUT) != TEXT:
                    heading, own = question.id, text
                elif heading:
                    found.setdefault(heading, [("", own)]).append((question.id, text))
        return found

    def _layout_of(self, level: int) -> str:
        marker = "#" * level + " "
        for name, text in self.project.templates.items():
            if name.startswith("layouts/") and re.search(rf"(?<![#]){re.escape(marker)}", text):
                return name.removeprefix("layouts/").removesuffix(".md.j2")
        return ""

    def context(self, model: PageModel, page: SourcePage, given: dict[str, str]) -> dict[str, str]:
        """Each variable's value on the new page: where a built page writes its own value, the new page's
        text at that place; else what makes the base's texts write the page's; else its default."""
        found = _values(self.base, model)
        seen = self._seen(page)
        values: dict[str, str] = {}
        for name, spec in self.variables.items():
            votes = found.get(name, [])
            if name in given:
                values[name] = given[name]
            elif name in seen:
                values[name] = seen[name]
            elif votes:
                values[name] = max(set(votes), key=votes.count)
            elif spec and "default" in spec:
                values[name] = str(show(str(spec["default"]), values))
            else:
                message = f"no value found on {page.name}; give it as NAME=VALUE"
                raise VariantsError(error(name, message, "extract", hint="var-option"))
        return values

    def _seen(self, page: SourcePage) -> dict[str, str]:
        """The values the detector finds on the new page at the places where built pages write theirs."""
        from .detect import detect_variables

        seen: dict[str, str] = {}
        for built in self.made.programs:
            if built.page is None or built.output is None:
                continue
            own = self.made.renderer.variables(built.page, [])
            for name in self.variables:
                value = own.get(name, "")
                if name in seen or not value or value not in built.output.text:
                    continue
                try:
                    variables = detect_variables([built.output.text, page.text], {name: value})
                except VariantsError as exc:
                    if "reads the same on every page" in exc.problems[0].message:
                        seen[name] = value  # the new page writes the same value there
                    continue
                seen.update((v.name, v.values[1]) for v in variables if v.name == name)
        return seen

    def add(self, given: dict[str, str]) -> Addition:
        slugs, files, parents, notes, blocks = [], {}, [], [], []
        problems: list[Problem] = []
        taken = {rel.removeprefix("overrides/").removesuffix(".yml") for _, rel in self.project.programs}
        for page in self.pages:
            if page.name in self.outputs:
                message = f"the project already makes {page.name} (overrides/{self.outputs[page.name]}.yml)"
                problems.append(error(page.path, message, "extract"))
                continue
            model = self.frame_parse(page)
            if isinstance(model, Unfit):
                message = f"{model.reason}: it does not fit the project's templates"
                problems.append(error(Loc(page.path, model.line), message, "extract"))
                continue
            context = self.context(model, page, given)
            self._match_sections(model)
            slug = self._slug(page.name, taken)
            layer, parent, program = self._layer(page, model, context)
            data: dict[str, Any] = {}
            if parent is not None:
                data[EXTENDS] = parent
            if program or parent is None:
                data[PROGRAM] = program
            if self.project.output_of(slug) != page.name:
                data[OUTPUT] = page.name
            data.update(ordered(layer.data))
            start = f"overrides/{parent}.yml" if parent else "base/content.yml"
            header = f"{page.name}: what differs from {start} (added by variants extract)."
            files[f"overrides/{slug}.yml"] = emit.dump(data, comments(layer), header, flow=(PROGRAM,))
            slugs.append(slug)
            parents.append(parent)
            notes.append(layer.notes)
            blocks.append(program)
        if problems:
            raise VariantsError(problems)
        return Addition(self.root, self.pages, slugs, files, parents, notes, blocks)

    def _match_sections(self, model: PageModel) -> None:
        """A new page's sections take the ids of the project's sections that hold most of their questions."""
        homes = {q.id: s.id for s in self.base.sections for q in s.children}
        taken: set[str] = set()
        for section in model.sections:
            votes = [homes[q.id] for q in section.children if q.id in homes]
            best = max(set(votes), key=votes.count) if votes else None
            if best is not None and best not in taken:
                section.id = best
            taken.add(section.id)

    def _slug(self, name: str, taken: set[str]) -> str:
        pattern = self.project.output_pattern
        head, _, tail = pattern.partition("{slug}")
        stem = name[len(head) : len(name) - len(tail)] if name.startswith(head) and name.endswith(tail) else name
        return unique(_SLUG.sub("-", stem.lower()).strip("-_") or "page", taken)

    def _layer(
        self, page: SourcePage, model: PageModel, context: dict[str, str]
    ) -> tuple[Layer, str | None, dict[str, str]]:
        """The cheapest override: over the base, or over a program of the same variables' first value."""
        program = Program(page.name, model, context, list(context.items()))
        own = self._program_values(context, {})
        best: tuple[Layer, str | None, dict[str, str]] = (Layering(program, self.word).layer(self.base)[0], None, own)
        best_cost = textedit.cost(best[0].data) + len(own)
        first = next(iter(self.variables), None)
        for slug, built in self.programs.items():
            assert built.page is not None
            values = self.made.renderer.variables(built.page, [])
            if first is not None and values.get(first) != context.get(first):
                continue
            try:
                layer = Layering(program, self.word).layer(_sources(built.page))[0]
            except (ValueError, KeyError, ShapeMismatch):  # it cannot be a version of this one
                continue
            mine = self._program_values(context, built.page.variables)
            cost = textedit.cost(layer.data) + len(mine) + 1
            if cost < best_cost:
                best, best_cost = (layer, slug, mine), cost
        return best

    def _program_values(self, context: dict[str, str], inherited: dict[str, str]) -> dict[str, str]:
        """The values a page sets itself: those its parent's (or the defaults) do not give."""
        mine: dict[str, str] = {}
        for name, spec in self.variables.items():
            chain = {**inherited, **mine}
            if name in chain:
                if chain[name] != context[name]:
                    mine[name] = context[name]
            elif not (spec and "default" in spec and show(str(spec["default"]), context) == context[name]):
                mine[name] = context[name]
        return mine


def add_pages(root: Path, pages: list[SourcePage], given: dict[str, str] | None = None) -> Addition:
    """New overrides that add ``pages`` to the project at ``root``, proven by a build; nothing written."""
    addition = _Into(root, pages).add(given or {})
    _prove(addition)
    return addition


def _prove(addition: Addition) -> None:
    import shutil
    import tempfile

    from .project import compare_rebuilt, rebuilt, write_files

    before = {output.name: output.text for output in build(addition.root).outputs}
    with tempfile.TemporaryDirectory(prefix="variants-extract-") as folder:
        copy = Path(folder)
        for part in ("base", "overrides"):
            shutil.copytree(addition.root / part, copy / part)
        write_files(copy, addition.files)
        try:
            after = rebuilt(copy)
        except VariantsError as exc:
            message = f"the new overrides do not build: {exc.problems[0]}"
            raise VariantsError(error(addition.pages[0].path, message, "extract")) from None
    problems = compare_rebuilt(after, addition.pages)
    changed = [name for name, text in before.items() if after.get(name) != text]
    problems += [error(name, "adding the pages would change this page", "extract") for name in changed]
    if problems:
        raise VariantsError(problems)


__all__ = ["Addition", "add_pages", "is_project"]
