"""``variants check``: the build's problems (which include every error-level rule), then the other rules."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..pipeline.build import build
from ..pipeline.model import Page
from ..pipeline.pool import map_items
from ..problems import Loc, Problem, VariantsError
from ..progress import CHECKING_PAGES, CHECKING_SOURCES, Progress, counted
from ..source.fields import ANCHOR
from ..source.files import read_text
from ..source.yamldoc import Doc
from . import mojibake
from .page_rules import lint_page
from .registry import PROJECT, SOURCE, run
from .source_rules import COMPONENT, CONTENT, OVERRIDE, SourceDoc


class Memo(Protocol):
    """Page findings kept from an earlier check, by a key of what they are a function of."""

    def key(self, text: str, path: str, ids: dict[str, Loc], skip: frozenset[str]) -> str: ...
    def get(self, key: str) -> list[Problem] | None: ...
    def put(self, key: str, problems: list[Problem]) -> None: ...


def check_project(
    root: Path, out_name: str = "out", progress: Progress | None = None, memo: Memo | None = None
) -> list[Problem]:
    """Every finding in the project at ``root``: build errors, source lint, and lint of each generated page
    (each stage counted to ``progress``; a page whose findings ``memo`` holds is not parsed again)."""
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

    skip = frozenset({mojibake.RULE})  # mojibake is reported once, where it is written: in the sources
    pages: list[tuple[str, str, dict[str, Loc], str]] = []  # text, path, ids, memo key
    for program in result.programs:
        if program.output is not None and program.page is not None:
            ids = {**declared, **{q.id: q.loc for q in program.page.questions()}}
            text, path = program.output.text, f"{out_name}/{program.output.name}"
            pages.append((text, path, ids, memo.key(text, path, ids, skip) if memo else ""))
    kept = {key: found for *_, key in pages if memo and (found := memo.get(key)) is not None}

    def lint(item: tuple[str, str, dict[str, Loc], str]) -> list[Problem]:
        text, path, ids, key = item
        return kept[key] if key in kept else lint_page(text, path, ids, skip=skip, build=False)

    for (*_, key), found in zip(pages, map_items(lint, pages, progress=progress, what=CHECKING_PAGES), strict=True):
        problems.extend(found)
        if memo is not None and key not in kept:
            memo.put(key, found)
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


__all__ = ["Memo", "check_files", "check_project"]
