"""``variants check``: the build's problems (which include every error-level rule), then the other rules."""

from __future__ import annotations

from pathlib import Path

from ..pipeline.build import Program, build
from ..pipeline.model import Page
from ..pipeline.pool import map_items
from ..problems import Problem, VariantsError
from ..progress import CHECKING_PAGES, CHECKING_SOURCES, Progress, counted
from ..source.fields import ANCHOR
from ..source.files import read_text
from ..source.yamldoc import Doc
from . import mojibake
from .page_rules import lint_page
from .registry import PROJECT, SOURCE, run
from .source_rules import COMPONENT, CONTENT, OVERRIDE, SourceDoc


def check_project(root: Path, out_name: str = "out", progress: Progress | None = None) -> list[Problem]:
    """Every finding in the project at ``root``: build errors, source lint, and lint of each generated page
    (each stage counted to ``progress``)."""
    try:
        result = build(root, keep_pages=True, out_name=out_name, progress=progress)
    except VariantsError as exc:  # base/ itself is broken: nothing else can be checked
        return exc.problems
    project, base, renderer, reads = result.project, result.base, result.renderer, result.reads
    problems = [*result.problems, *run(PROJECT, project, build=False)]
    docs: list[tuple[Doc, str, Page | None]] = [(project.content, CONTENT, None)]
    docs += [(doc, COMPONENT, None) for doc in project.components.values()]
    docs += [(p.override.doc, OVERRIDE, p.page) for p in result.programs if p.override is not None]
    for doc, kind, page in counted(docs, CHECKING_SOURCES, len(docs), progress):
        problems += run(SOURCE, SourceDoc(doc, kind, project, base, renderer, reads, page), build=False)
    declared = {q.get(ANCHOR, q.id): q.loc for q in base.questions()}
    declared.update({q.id: q.loc for q in base.questions()})

    def lint(program: Program) -> list[Problem]:
        if program.output is None or program.page is None:
            return []
        ids = {**declared, **{q.id: q.loc for q in program.page.questions()}}
        # Mojibake is reported once, where it is written: in the sources.
        path = f"{out_name}/{program.output.name}"
        return lint_page(program.output.text, path, ids, skip=frozenset({mojibake.RULE}), build=False)

    for found in map_items(lint, result.programs, progress=progress, what=CHECKING_PAGES):
        problems.extend(found)
    return sorted(set(problems))


def check_files(paths: list[Path]) -> list[Problem]:
    """Lint Markdown pages given by path (no project needed): every page rule."""
    problems: list[Problem] = []
    for path in paths:
        try:
            problems.extend(lint_page(read_text(path), str(path)))
        except VariantsError as exc:
            problems.extend(exc.problems)
    return sorted(problems)


__all__ = ["check_files", "check_project"]
