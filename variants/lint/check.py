"""``variants check``: build the project, run every source rule, lint every generated page."""

from __future__ import annotations

from pathlib import Path

from ..pipeline.build import Program, build
from ..pipeline.pool import map_items
from ..problems import Problem, VariantsError
from ..source.fields import ANCHOR
from ..source.files import read_text
from . import mojibake
from .page_rules import lint_page
from .registry import run
from .source_rules import Sources


def check_project(root: Path, out_name: str = "out") -> list[Problem]:
    """Every finding in the project at ``root``: build errors, source lint, and lint of each generated page."""
    try:
        result = build(root, keep_pages=True)
    except VariantsError as exc:  # base/ itself is broken: nothing else can be checked
        return exc.problems
    problems = [*result.problems, *run("source", Sources(result))]
    declared = {q.get(ANCHOR, q.id): q.loc for q in result.base.questions()}
    declared.update({q.id: q.loc for q in result.base.questions()})

    def lint(program: Program) -> list[Problem]:
        if program.output is None or program.page is None:
            return []
        ids = {**declared, **{q.id: q.loc for q in program.page.questions()}}
        # Mojibake is reported once, where it is written: in the sources.
        path = f"{out_name}/{program.output.name}"
        return lint_page(program.output.text, path, ids, skip=frozenset({mojibake.RULE}))

    for found in map_items(lint, result.programs):
        problems.extend(found)
    return sorted(set(problems))


def check_files(paths: list[Path]) -> list[Problem]:
    """Lint Markdown pages given by path (no project needed)."""
    problems: list[Problem] = []
    for path in paths:
        try:
            problems.extend(lint_page(read_text(path), str(path)))
        except VariantsError as exc:
            problems.extend(exc.problems)
    return sorted(problems)


__all__ = ["check_files", "check_project"]
