"""The diff report: where programs diverge from the base, and which line says so.

Each program's merged content is compared with the base content (or, for two named
programs, with the first of them) by deepdiff, and every difference becomes a plain
statement naming the override line that declares it (and why, where the file says).
A summary and a matrix give the overview, rendered texts give the evidence word by
word, and pages in the output folder that differ from what the sources produce are
reported as drift. Against a git revision, only what changed since is kept. The result
is plain data; nothing here prints, writes or exits. The outlines, the matrix and the
summary are worked out at once; each program's evidence is made as the report is read,
so a report on thousands of programs can be written one program at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from ..pipeline.build import Build, build
from ..pipeline.model import Page
from ..pipeline.pool import stream
from ..problems import Problem, VariantsError, error, suggest
from ..progress import REPORTING, Progress, counted
from ..source.project import CONTENT_FILE, Project
from .drift import find_drift
from .evidence import Copies, compare
from .matrix import matrix, summary
from .model import BASE, Comparison, ComponentUse, Drift, Report, ReportProgram
from .outline import Outline, outlines
from .sides import RenderedTexts, Side, report_program, settings_of


@dataclass
class Prepared:
    """A project's comparisons in outline, before the matrix: what the report and a baseline need."""

    project: Project
    old: Side
    texts: RenderedTexts
    outlines: list[Outline]
    programs: list[ReportProgram]  # the programs shown (a pair: both)
    drift: tuple[Drift, ...]
    compared: list[Page]


def prepare(
    built: Build, pair: tuple[str, str] | None, out_dir: Path | None, progress: Progress | None = None
) -> Prepared:
    """Outline every comparison of a project built with its pages kept (see ``diff_report``)."""
    root = built.project.root
    project, pages, outputs, renderer = built.project, built.pages, built.outputs, built.renderer
    problems: list[Problem] = []
    files = {doc.path: doc for doc in built.project.components.values()}
    files.update({p.override.path: p.override.doc for p in built.programs if p.override is not None})
    layers = {p.slug: [files[path] for path in p.layers if path in files] for p in pages}
    contexts = {p.slug: renderer.variables(p, problems) for p in pages}
    by_slug = {p.slug: p for p in pages}
    if pair is None:
        placeholders = {name: "{{ " + name + " }}" for name in project.variables}
        old = Side(BASE, built.base, placeholders)
        news = pages
        shown = pages
    else:
        for slug in pair:
            if slug not in by_slug:
                known = ", ".join(by_slug) or "none"
                message = f"no such program{suggest(slug, by_slug)}; programs: {known}"
                raise VariantsError(error(f"overrides/{slug}.yml", message, "reference"))
        shown = [by_slug[pair[0]], by_slug[pair[1]]]
        old, news = Side(pair[0], shown[0], contexts[pair[0]], layers[pair[0]]), shown[1:]
    out = out_dir if out_dir is not None else root / "out"
    names = {page.output for page in shown}
    drift = find_drift(out, [o for o in outputs if o.name in names], {p.output: p.slug for p in pages}, pair is None)
    del outputs  # the pages' texts are needed for drift only; let them go before the comparisons
    texts = RenderedTexts(renderer, old.context)
    sides = [Side(page.slug, page, contexts[page.slug], layers[page.slug]) for page in news]
    made = outlines(old, sides, texts, settings_of(project), progress)
    if problems:
        raise VariantsError(problems)
    shown_programs = [report_program(project, page, contexts[page.slug]) for page in shown]
    return Prepared(project, old, texts, made, shown_programs, drift, list(news))


def diff_report(
    root: Path,
    pair: tuple[str, str] | None = None,
    out_dir: Path | None = None,
    show_variables: bool = False,
    against: str = "",
    progress: Progress | None = None,
) -> Report:
    """The report for the project at ``root``: every program against the base, or
    ``pair[1]`` against ``pair[0]``; drift is looked for in ``out_dir`` (default: out/).
    With ``against`` (a git revision of the project), only what changed since then.

    The outlines (statements, cells), the matrix and the summary are worked out here;
    each program's evidence is made when the report's comparisons are read (see
    ``Comparisons``). Building, comparing and then reading the comparisons are counted
    to ``progress``."""
    built = build(Path(root), keep_pages=True, progress=progress).raise_for_problems()
    return report_of(built, pair, out_dir, show_variables, against, progress)


def report_of(
    built: Build,
    pair: tuple[str, str] | None = None,
    out_dir: Path | None = None,
    show_variables: bool = False,
    against: str = "",
    progress: Progress | None = None,
) -> Report:
    """The report on a project already built with its pages kept (see ``diff_report``)."""
    root = built.project.root
    made = prepare(built, pair, out_dir, progress)
    kept, drift, programs = made.outlines, made.drift, made.programs
    if against:
        from .against import baseline, changes_since

        kept, drift, gone = changes_since(made, baseline(root, against, pair))
        programs = [p for p in made.programs if p.slug in {o.page.slug for o in kept} or p.slug == made.old.name]
        programs += gone
    grid = matrix(made.old, kept, drift)
    project = made.project
    return Report(
        compared_with=BASE if pair is None else pair[0],
        base=CONTENT_FILE,
        out=display_path(out_dir if out_dir is not None else root / "out", root),
        show_variables=show_variables,
        programs=tuple(programs),
        comparisons=Comparisons(made.old, kept, made.texts, show_variables, grid.copies, progress),
        compared=tuple(o.page.slug for o in kept),
        columns=grid.columns,
        rows=grid.rows,
        drift=drift,
        summary=summary(kept, drift, grid.placed),
        components=_component_uses(project, [o.page for o in kept]),
        unchanged=grid.unchanged,
        against=against,
        statements=tuple(o.statements for o in kept),
    )


class Comparisons(Sequence[Comparison]):
    """A report's comparisons, each made when it is read and then let go: a report on
    thousands of programs never holds all their evidence at once."""

    def __init__(
        self,
        old: Side,
        outlines: list[Outline],
        texts: RenderedTexts,
        show_variables: bool,
        copies: Copies,
        progress: Progress | None = None,
    ) -> None:
        self._old = old
        self._progress = progress
        self._outlines = outlines
        self._texts = texts
        self._show_variables = show_variables
        self._copies = copies

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
        made = stream(lambda start, stop: [self._make(o) for o in self._outlines[start:stop]], len(self))
        return counted(made, REPORTING, len(self), self._progress)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __repr__(self) -> str:
        return f"<{len(self)} comparisons, made as they are read>"

    def _make(self, outline: Outline) -> Comparison:
        new = Side(outline.page.slug, outline.page, outline.context, outline.docs)
        return compare(self._old, new, outline, self._texts, self._show_variables, self._copies)


def _component_uses(project: Project, pages: list[Page]) -> tuple[ComponentUse, ...]:
    """Each component and the compared programs that use it (in their chain)."""
    uses = []
    for name, doc in project.components.items():
        programs = tuple(page.slug for page in pages if doc.path in page.layers)
        uses.append(ComponentUse(name, doc.path, programs))
    return tuple(uses)


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to the project when inside it, else as given."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


__all__ = ["Comparisons", "Prepared", "diff_report", "display_path", "prepare", "report_of"]
