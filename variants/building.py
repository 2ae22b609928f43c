"""Building: load, merge and render every program, all in memory, all or nothing."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import NamedTuple

from .errors import Loc, Problem, VariantsError, error
from .merging import Page, base_page, iter_texts, resolve
from .project import Override, Project, load_project
from .rendering import Renderer


class Output(NamedTuple):
    """One rendered page, not yet written."""

    name: str  # path relative to the output folder, '/'-separated
    text: str
    source: str  # the override file it comes from


def check_output_name(name: str, loc: Loc) -> Problem | None:
    """Refuse names that could write outside the output folder."""
    path = PurePosixPath(name)
    if not name or name.strip() != name or "\\" in name or "\x00" in name:
        return error(loc, f"output name {name!r} is not a plain relative file name", "output")
    if path.is_absolute() or ".." in path.parts or name.startswith("~"):
        return error(loc, f"output name {name!r} escapes the output folder", "output")
    if name.endswith("/") or path.name.startswith("."):
        return error(loc, f"output name {name!r} is not a plain relative file name", "output")
    return None


def resolve_all(project: Project) -> list[Page]:
    """Every program's merged page; raise with the problems of all programs at once.

    A file that cannot be merged (bad shape, bad references) still has its texts
    checked, so one run reports every problem of the file.
    """
    base = base_page(project)
    pages: list[Page] = []
    problems: list[Problem] = list(project.problems)
    renderer: Renderer | None = None
    for override in project.overrides:
        try:
            pages.append(resolve(project, override, base))
            continue
        except VariantsError as exc:
            problems.extend(exc.problems)
        renderer = renderer or Renderer(project)
        problems.extend(text_problems(renderer, project, override))
    for override in project.rejected:
        renderer = renderer or Renderer(project)
        problems.extend(text_problems(renderer, project, override))
    if problems:
        raise VariantsError(problems)
    return pages


def text_problems(renderer: Renderer, project: Project, override: Override) -> list[Problem]:
    """Template errors and undefined variables in an override's texts, without merging it."""
    context = {name: "" for name in project.variables}
    problems: list[Problem] = []
    for path, text in iter_texts(override.doc.data):
        renderer.text(text, override.doc.loc(path), context, problems)
    return problems


def render_pages(project: Project, pages: list[Page]) -> list[Output]:
    """Render every page; raise with all problems (bad names, clashes, template errors)."""
    renderer = Renderer(project)
    problems: list[Problem] = []
    outputs: list[Output] = []
    claimed: dict[str, str] = {}
    for page in pages:
        output_loc = page.locs.get("output", Loc(page.source))
        bad = check_output_name(page.output, output_loc)
        if bad:
            problems.append(bad)
            continue
        if page.output in claimed:
            problems.append(error(output_loc, f"output '{page.output}' is also written by {claimed[page.output]}", "output"))
            continue
        claimed[page.output] = page.source
        try:
            outputs.append(Output(page.output, renderer.render(page), page.source))
        except VariantsError as exc:
            problems.extend(exc.problems)
    if problems:
        raise VariantsError(problems)
    return outputs


def build(root: Path) -> list[Output]:
    """Load the project at ``root`` and render every program's page in memory."""
    project = load_project(root)
    return render_pages(project, resolve_all(project))
