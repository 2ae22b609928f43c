"""Building: every program loaded, merged and rendered once, in memory, with every problem kept.

``build`` makes a ``Build``: the project, the base content, and for each
program its merged page (when asked for), its rendered output or the problems
that stopped it. The build command writes its outputs, check lints them, diff
compares the pages, extract proves its result with them; each reads the same
object. Many programs are handled in forked workers, a contiguous share each:
the same results and problems, in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..lint.page_rules import lint_page
from ..lint.registry import PAGE, PROJECT, RULES, SOURCE, run
from ..lint.source_rules import COMPONENT, CONTENT, OVERRIDE, BaseReads, SourceDoc
from ..problems import Loc, Problem, VariantsError, error, suggest
from ..progress import BUILDING, Progress
from ..source import fields
from ..source.names import check_output_name, claims
from ..source.project import Override, Project, load_project
from ..source.schema import OUTPUT
from .layers import chain
from .merge import base_page, resolve
from .model import Output, Page
from .pool import map_items
from .reads import template_reads
from .render import Compiled, Renderer


class Program(NamedTuple):
    """One program built: its output, or the problems that stopped it; its override file and
    merged page are kept when the build was asked to keep them."""

    slug: str
    source: str  # the override file
    output: Output | None
    problems: list[Problem]
    where: Loc  # where its output name is set (the override's 'output', or the file)
    page: Page | None = None
    override: Override | None = None  # when it is usable (its shape is right)


@dataclass
class Build:
    """The whole project built in memory."""

    project: Project
    base: Page
    programs: list[Program]
    renderer: Renderer  # the one that rendered the pages, its caches warm
    reads: frozenset[str] = frozenset()  # the names the page template and layouts read
    problems: list[Problem] = field(default_factory=list)  # every problem, sorted

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def outputs(self) -> list[Output]:
        """The rendered pages, in program order."""
        return [p.output for p in self.programs if p.output is not None]

    @property
    def pages(self) -> list[Page]:
        """The merged pages (kept only when the build was asked for them)."""
        return [p.page for p in self.programs if p.page is not None]

    def program(self, name: str) -> Program:
        """The program called ``name``, or whose page is ``name`` in the output folder; raises when
        there is none or its page could not be built."""
        found = next((p for p in self.programs if p.slug == name or (p.output and p.output.name == name)), None)
        if found is None:
            choices = [p.slug for p in self.programs] + [p.output.name for p in self.programs if p.output]
            raise VariantsError(error(name, f"no program makes this page{suggest(name, choices)}", "reference"))
        if found.output is None:
            raise VariantsError(found.problems)
        return found

    def raise_for_problems(self) -> Build:
        """This build, or a VariantsError with every problem."""
        if self.problems:
            raise VariantsError(self.problems)
        return self


def text_problems(renderer: Renderer, project: Project, override: Override) -> list[Problem]:
    """Template errors and undefined variables in an override's texts, without merging it."""
    context = dict.fromkeys(project.variables, "")
    problems: list[Problem] = []
    for path, text in fields.walk_texts(override.doc.data):
        renderer.text(text, override.doc.loc(path), context, problems)
    return problems


_PAGE_CHECKS_IN_BUILD = any(PAGE in rule.in_build for rule in RULES.values())


class _Shared(NamedTuple):
    """What every program's build reads: made once, inherited by forked workers."""

    project: Project
    base: Page
    renderer: Renderer
    reads: frozenset[str]  # the names the page template and layouts read
    base_reads: BaseReads  # what each base entry reads
    out_name: str  # how problems name the output folder
    keep: bool  # keep each program's page and override (for check and diff)


def _base_findings(shared: _Shared) -> list[Problem]:
    """The build's lint of base/: its content and components, each once."""
    project = shared.project
    docs = [(project.content, CONTENT), *((doc, COMPONENT) for doc in project.components.values())]
    subjects = (SourceDoc(doc, kind, project, shared.base, shared.renderer, shared.reads) for doc, kind in docs)
    return [p for subject in subjects for p in run(SOURCE, subject, build=True)] + run(PROJECT, project, build=True)


def _program(shared: _Shared, slug: str, rel: str) -> Program:
    """One program from its file to its page. A file that cannot be merged (bad shape, bad
    references) still has its texts checked, so one run reports every problem of the file."""
    project, renderer = shared.project, shared.renderer
    loaded = project.load(slug, rel)
    override = loaded.override
    if override is None:
        return Program(slug, rel, None, loaded.problems, Loc(rel))
    kept = override if shared.keep and override.usable else None
    problems = list(loaded.problems)
    page: Page | None = None
    if override.usable:
        try:
            page = resolve(project, chain(project, override), shared.base, slug)
        except VariantsError as exc:
            problems.extend(exc.problems)
    if page is None:
        problems += text_problems(renderer, project, override)
        return Program(slug, rel, None, problems, Loc(rel), override=kept)
    subject = SourceDoc(override.doc, OVERRIDE, project, shared.base, renderer, shared.reads, page, shared.base_reads)
    where = page.locs.get(OUTPUT, Loc(rel))
    done = Program(slug, rel, None, run(SOURCE, subject, build=True), where, page if shared.keep else None, kept)
    bad = check_output_name(page.output, where)
    if bad:
        return done._replace(problems=[*done.problems, bad])
    try:
        text = renderer.render(page)
    except VariantsError as exc:
        return done._replace(problems=[*done.problems, *exc.problems])
    found = lint_page(text, f"{shared.out_name}/{page.output}", build=True) if _PAGE_CHECKS_IN_BUILD else []
    return done._replace(output=Output(page.output, text, rel), problems=[*done.problems, *found])


def build(
    root: Path,
    jobs: int | None = None,
    keep_pages: bool = False,
    out_name: str = "out",
    only: frozenset[str] | None = None,
    lint_base: bool = True,
    progress: Progress | None = None,
    compiled: Compiled | None = None,
) -> Build:
    """Load the project at ``root`` and build every program in memory (or the programs ``only``
    names: the page cache builds just those whose inputs changed; it also says when base/ was
    linted clean before, ``lint_base`` false, as it was when nothing in it changed). A process that
    builds again passes the same ``compiled`` templates each time.

    Raises only when base/ itself cannot be loaded or merged (nothing can be
    built then); every other problem is kept in the result. With
    ``keep_pages`` each program's merged page and override file are kept too, for check and diff.
    Each program built is counted to ``progress``.
    """
    project = load_project(root)
    base = base_page(project)  # problems of base/ once, here, not once per worker
    renderer = Renderer(project, compiled)
    reads = template_reads(project.templates)
    shared = _Shared(project, base, renderer, reads, BaseReads(base, renderer), out_name, keep_pages)
    wanted = [item for item in project.programs if only is None or item[0] in only]
    programs = map_items(lambda item: _program(shared, *item), wanted, jobs, progress, BUILDING)
    problems = [
        *project.name_problems,
        *(_base_findings(shared) if lint_base else ()),
        *(p for program in programs for p in program.problems),
    ]
    if not problems:  # which files collide is known only once every output is
        problems = claims([(p.output.name, p.source, p.where) for p in programs if p.output is not None])
    return Build(project, base, programs, renderer, reads, sorted(set(problems)))


def render_project(root: Path, jobs: int | None = None) -> list[Output]:
    """Every page the project at ``root`` makes; raise with every problem when any program fails."""
    return build(root, jobs).raise_for_problems().outputs


__all__ = ["Build", "Output", "Program", "build", "render_project", "text_problems"]
