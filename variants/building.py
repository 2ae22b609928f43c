"""Building: load, merge and render every program, all in memory, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple, TypeVar

from .errors import Loc, Problem, VariantsError, error
from .merging import Page, base_page, iter_texts, resolve
from .project import Override, Project, load_overrides, load_project
from .rendering import Renderer

T = TypeVar("T")


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
    if name.endswith("/") or path.name.startswith(".") or path.as_posix() != name:  # './x', 'a//b', 'a/./b'
        return error(loc, f"output name {name!r} is not a plain relative file name", "output")
    return None


def resolve_all(project: Project, overrides: list[Override] | None = None) -> list[Page]:
    """Every program's merged page; raise with the problems of all programs at once.

    A file that cannot be merged (bad shape, bad references) still has its texts
    checked, so one run reports every problem of the file.
    """
    chosen = project.overrides if overrides is None else overrides
    pages, problems = _resolve(project, chosen)
    if overrides is None:
        problems = [*project.problems, *problems, *_rejected_problems(project)]
    if problems:
        raise VariantsError(problems)
    return pages


def _resolve(project: Project, overrides: list[Override]) -> tuple[list[Page], list[Problem]]:
    base = base_page(project)
    pages: list[Page] = []
    problems: list[Problem] = []
    renderer: Renderer | None = None
    for override in overrides:
        try:
            pages.append(resolve(project, override, base))
            continue
        except VariantsError as exc:
            problems.extend(exc.problems)
        renderer = renderer or Renderer(project)
        problems.extend(text_problems(renderer, project, override))
    return pages, problems


def _rejected_problems(project: Project) -> list[Problem]:
    if not project.rejected:
        return []
    renderer = Renderer(project)
    return [p for override in project.rejected for p in text_problems(renderer, project, override)]


def text_problems(renderer: Renderer, project: Project, override: Override) -> list[Problem]:
    """Template errors and undefined variables in an override's texts, without merging it."""
    context = dict.fromkeys(project.variables, "")
    problems: list[Problem] = []
    for path, text in iter_texts(override.doc.data):
        renderer.text(text, override.doc.loc(path), context, problems)
    return problems


class _Rendered(NamedTuple):
    """One page rendered, or the problems that stopped it."""

    output: str
    where: Loc
    source: str
    text: str | None
    problems: list[Problem]


def _render(project: Project, pages: list[Page]) -> list[_Rendered]:
    renderer = Renderer(project)
    done: list[_Rendered] = []
    for page in pages:
        where = page.locs.get("output", Loc(page.source))
        bad = check_output_name(page.output, where)
        if bad:
            done.append(_Rendered(page.output, where, page.source, None, [bad]))
            continue
        try:
            done.append(_Rendered(page.output, where, page.source, renderer.render(page), []))
        except VariantsError as exc:
            done.append(_Rendered(page.output, where, page.source, None, exc.problems))
    return done


def _collect(rendered: list[_Rendered]) -> list[Output]:
    """The outputs in order; raise with every problem, two programs claiming one file among them."""
    problems: list[Problem] = []
    outputs: list[Output] = []
    claimed: dict[str, str] = {}
    folders = {str(parent) for page in rendered for parent in PurePosixPath(page.output).parents}
    for page in rendered:
        if page.text is not None and page.output in claimed:
            problems.append(
                error(page.where, f"output '{page.output}' is also written by {claimed[page.output]}", "output")
            )
            continue
        if page.text is not None and page.output in folders:
            problems.append(
                error(page.where, f"output '{page.output}' is a folder of another program's output", "output")
            )
            continue
        problems.extend(page.problems)
        if page.text is not None:
            claimed[page.output] = page.source
            outputs.append(Output(page.output, page.text, page.source))
    if problems:
        raise VariantsError(problems)
    return outputs


def render_pages(project: Project, pages: list[Page], jobs: int | None = None) -> list[Output]:
    """Render every page; raise with all problems (bad names, clashes, template errors)."""
    shares = in_workers(lambda start, stop: _render(project, pages[start:stop]), len(pages), jobs)
    return _collect(_render(project, pages) if shares is None else [page for share in shares for page in share])


# Pages a command handles in one process before it splits the work among the
# CPUs (forked workers inherit what is loaded; below this, forking costs more).
PARALLEL_FROM = 200
_TASK: Callable[[int, int], Any] | None = None  # what forked workers run, inherited, never pickled


def _run_share(share: tuple[int, int]) -> Any:
    assert _TASK is not None
    return _TASK(*share)


def _worker_count(count: int, jobs: int | None) -> int:
    import os

    if jobs is None:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        jobs = jobs if count >= PARALLEL_FROM else 1
    workers = max(1, min(jobs, count))
    if workers > 1:
        import multiprocessing  # imported only here: start-up of small builds stays light

        if "fork" not in multiprocessing.get_all_start_methods():
            return 1
    return workers


def stream_in_workers(task: Callable[[int, int], list[T]], count: int, block: int = 64) -> Iterator[T] | None:
    """``task(start, stop)`` over blocks of ``range(count)`` in forked workers, items yielded in order.

    Unlike :func:`in_workers`, only a few blocks are in flight at a time, so a
    long stream (a report on thousands of programs) never sits in memory whole.
    None when one process is the better choice.
    """
    workers = _worker_count(count, None)
    if workers == 1:
        return None
    return _stream(task, count, block, workers)


def _stream(task: Callable[[int, int], list[T]], count: int, block: int, workers: int) -> Iterator[T]:
    global _TASK
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    blocks = iter([(start, min(start + block, count)) for start in range(0, count, block)])
    _TASK = task
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            # range first: zip would otherwise draw (and drop) one block too many.
            pending = deque(
                pool.submit(_run_share, share) for _, share in zip(range(2 * workers), blocks, strict=False)
            )
            while pending:
                items = pending.popleft().result()
                next_share = next(blocks, None)
                if next_share is not None:
                    pending.append(pool.submit(_run_share, next_share))
                yield from items
    finally:
        _TASK = None


def in_workers(task: Callable[[int, int], T], count: int, jobs: int | None = None) -> list[T] | None:
    """``task(start, stop)`` over contiguous shares of ``range(count)`` in forked workers, results in order.

    None when one process is the better choice (few items, one CPU, or no fork
    on this platform): the caller then does the work itself. Only the bounds
    and the results cross process boundaries, so the output is the same bytes.
    """
    workers = _worker_count(count, jobs)
    if workers == 1:
        return None
    # One block per worker, each block's result kept whole.
    return list(_stream(lambda start, stop: [task(start, stop)], count, -(-count // workers), workers))


def _read_merge_render(project: Project, start: int, stop: int) -> tuple[list[Problem], list[_Rendered]]:
    """A share of the programs, from their files to their pages."""
    project = load_overrides(project, start, stop)
    pages, problems = _resolve(project, project.overrides)
    problems = [*project.problems, *problems, *_rejected_problems(project)]
    return problems, ([] if problems else _render(project, pages))


def build(root: Path, jobs: int | None = None) -> list[Output]:
    """Load the project at ``root`` and render every program's page in memory.

    Many programs are read, merged and rendered in forked workers, a
    contiguous share each: the same outputs and problems, in the same order.
    """
    project = load_project(root, overrides=False)
    base_page(project)  # problems of base/ once, here, not once per worker
    shares = in_workers(lambda start, stop: _read_merge_render(project, start, stop), len(project.pending), jobs)
    if shares is None:
        project = load_overrides(project)
        return render_pages(project, resolve_all(project), jobs=1)
    problems = [p for merge, _ in shares for p in merge]
    if problems:
        raise VariantsError(problems)
    return _collect([page for _, rendered in shares for page in rendered])
