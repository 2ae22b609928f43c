"""Extracting: existing near-duplicate pages into a variants project (base/ and overrides/).

``extract`` works in memory and proves its result: it builds the extracted
project in a temporary folder and compares every page byte for byte. It tries
the FAQ shape first; a page (or a question block) that does not fit it is kept
as the page has it, and where most pages do not fit, the family takes the
generic shape. Each such fallback is said with its page, line and reason.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..pipeline.build import build
from ..problems import Loc, Problem, VariantsError, error, warning
from ..progress import Progress
from ..source import fields
from ..source.fields import LAYOUT, PAGE, QUESTION, VAR_PATTERN
from . import faq, generic
from .align import matches
from .detect import Variable, context, detect_variables, program_values
from .factor import Factored, factor, plain
from .layering import Program, source_of
from .model import PageModel, Unfit, unique
from .order import ShapeMismatch
from .pages import SourcePage
from .shapes import FAQ, GENERIC, project_templates, shape_files
from .sourcefiles import line_diff, project_files, source_size
from .sources import FM
from .templating import from_source, names_in
from .textedit import LINE

LITTLE_SHARED = 0.3  # below this share of a page's lines coming from the base, warn
_BUG = "a bug in variants extract: please report it"
_PAGE_KEYS = {k.name for k in fields.values(PAGE)}
_DEFAULT_LAYOUT = fields.key(QUESTION, LAYOUT).default
_AS_TEXT = "every page keeps its front matter as text"
_ATTEMPTS = ((True, True), (True, False), (False, False))  # (versions, components), simplest last
# What an entry of the sources is: a question (the FAQ shape), or in the generic shape, finest first,
# a heading with its text where the text pages word differently is cut into paragraphs and list items,
# a heading with its text, or each page's whole text.
QUESTIONS_GRAIN, BLOCKS, HEADINGS, WHOLE = "questions", "blocks", "headings", "whole"
GRAINS = {
    BLOCKS: "texts the pages word differently cut into paragraphs and list items",
    HEADINGS: "",
    WHOLE: "each page's text whole, shorter than entries",
}


@dataclass
class Extraction:
    """The files of the extracted project and what they hold."""

    shape: str  # "FAQ" or "generic"
    files: dict[str, str]  # path in the project -> text
    pages: list[SourcePage]
    variables: list[Variable]
    slugs: list[str]
    notes: list[list[str]]  # per page: what its override holds
    parents: list[int | None] = field(default_factory=list)
    uses: list[list[str]] = field(default_factory=list)  # per page: the components it lists
    fallbacks: list[Problem] = field(default_factory=list)  # what did not fit the shape, where and why
    reason: str = ""  # why the pages took this shape, where it is not the FAQ shape
    components: dict[str, list[str]] = field(default_factory=dict)  # name -> the slugs of the pages that list it
    shared: list[tuple[int, int]] = field(default_factory=list)  # per page: lines from the base, all lines
    warnings: list[Problem] = field(default_factory=list)
    grain: str = QUESTIONS_GRAIN  # what an entry is: see GRAINS

    def override_path(self, page: int) -> str:
        return f"overrides/{self.slugs[page]}.yml"


def naming(names: list[str]) -> tuple[str, list[str], list[str | None]]:
    """The output pattern, each page's override slug, and the output names the pattern cannot give."""
    suffixes = {PurePosixPath(n).suffix for n in names}
    ext = suffixes.pop() if len(suffixes) == 1 else ""
    stems = [n[: len(n) - len(ext)] if ext else PurePosixPath(n).stem for n in names]
    pattern = "{slug}" + ext
    tail = re.search(r"[-_][^-_]+$", stems[0])
    if tail and all(s.endswith(tail.group()) and len(s) > len(tail.group()) for s in stems):
        pattern = "{slug}" + tail.group() + ext
        stems = [s[: -len(tail.group())] for s in stems]
    taken: set[str] = set()
    slugs = [unique(re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-_") or "page", taken) for stem in stems]
    outputs = [None if pattern.replace("{slug}", s) == n else n for s, n in zip(slugs, names, strict=True)]
    return pattern, slugs, outputs


def _front_matter_variables(models: list[PageModel], variables: list[Variable]) -> list[Variable]:
    """Front-matter texts that differ on most pages (a menu key, say) become variables named after their key."""
    fms = [m.values.get(FM) for m in models if not m.whole]
    shown = [fm for fm in fms if isinstance(fm, dict)]
    if not shown or len(shown) < len(fms):
        return variables
    found = list(variables)
    for key in [k for k in shown[0] if all(k in fm for fm in shown)]:
        values = [fm[key] for fm in shown]
        if not all(isinstance(v, str) for v in values) or len(set(values)) < 2:
            continue
        pages = [k for k, m in enumerate(models) if not m.whole]
        programs = [_program(models[k], "", found, k) for k in pages]
        served = max(
            sum(_shows(p, c) == v for p, v in zip(programs, values, strict=True))
            for c in {source_of(p, FM, v) for p, v in zip(programs, values, strict=True)}
        )
        if 2 * served > len(pages):
            continue  # one text does for most pages: they override it, no variable
        name = key if key not in _PAGE_KEYS else f"page_{key}"
        if not re.fullmatch(VAR_PATTERN, name) or name in {v.name for v in found}:
            continue
        fill = max(set(values), key=values.count)
        by_page = dict(zip(pages, values, strict=True))
        found.append(Variable(name, tuple(by_page.get(k, fill) for k in range(len(models)))))
    return found


def _shows(program: Program, source: str) -> str:
    from .sources import show

    return str(show(source, program.context))


def _program(model: PageModel, name: str, variables: list[Variable], page: int, whole_key: str = "") -> Program:
    preferences = [(v.name, v.values[page]) for v in variables]
    return Program(name, model, context(variables, page), preferences, whole_key)


def _used(factored: Factored) -> set[str]:
    used: set[str] = set()

    def visit(value: Any) -> None:
        if isinstance(value, str):
            used.update(names_in(from_source(value)))
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item)

    visit(plain(factored.base))
    for layer in [*factored.layers, *factored.components.values()]:
        visit(layer.data)
    for variable in reversed(factored.variables):
        if variable.name in used and variable.follows:
            used.add(variable.follows)
    return used


class _Attempt:
    """One shape tried on the pages: its models, its templates, and the project it factors into."""

    def __init__(self, shape: str, pages: list[SourcePage], models: list[PageModel], templates: dict[str, str]):
        self.shape, self.pages, self.models, self.templates = shape, pages, models, templates
        self.whole_key = ""
        self.reason = ""  # why the pages take this shape, where it is not the first one tried
        self.grain = QUESTIONS_GRAIN
        self.fallbacks: list[Problem] = []  # what does not fit the shape, where and why

    def factored(self, variables: list[Variable], versions: bool, shared: bool) -> Factored:
        variables = _front_matter_variables(self.models, variables)
        for _ in range(2):  # once more without the variables no text ended up reading
            programs = [
                _program(m, p.name, variables, k, self.whole_key)
                for k, (m, p) in enumerate(zip(self.models, self.pages, strict=True))
            ]
            made = factor(programs, variables, "question" if self.shape == FAQ else "entry", versions, shared)
            used = _used(made)
            if all(v.name in used for v in variables):
                return made
            variables = [v for v in variables if v.name in used]
        return made


def extract(
    pages: list[SourcePage], names: dict[str, str] | None = None, progress: Progress | None = None
) -> Extraction:
    """The base and overrides that rebuild ``pages`` byte for byte; ``names`` name variables by value.
    Each stage's work is counted to ``progress``."""
    texts = [page.text for page in pages]
    variables = detect_variables(texts, names, progress)
    pattern, slugs, outputs = naming([page.name for page in pages])
    problems: list[Problem] = []
    limit = line_diff(texts)
    for group in _attempts(pages, variables):
        proven: list[tuple[tuple[int, int], _Attempt, dict[str, str], Factored]] = []
        for attempt in group:
            if any(_within(p[0], limit) for p in proven):
                break  # a finer grain is no larger than a line diff: no need of a coarser one
            for versions, shared in _ATTEMPTS:
                try:
                    factored = attempt.factored(variables, versions, shared)
                except ShapeMismatch:
                    continue
                files = project_files(factored, attempt.shape, attempt.templates, pattern, slugs, outputs, pages)
                problems = _differences(files, pages, progress)
                if not problems:
                    proven.append((source_size(files), attempt, files, factored))
                    break
        if proven:  # the finest grain no larger than a line diff, else the smallest
            fits = [p for p in proven if _within(p[0], limit)]
            _, attempt, files, factored = fits[0] if fits else min(proven, key=lambda p: p[0][0] + p[0][1] / LINE)
            return _finish(attempt, files, factored, slugs, progress)
    raise VariantsError(problems or [error(pages[0].path, f"cannot extract these pages ({_BUG})", "extract")])


def _within(size: tuple[int, int], limit: tuple[int, int]) -> bool:
    """Whether sources of ``size`` (lines, characters) are no larger than ``limit``."""
    return size[0] <= limit[0] and size[1] <= limit[1]


def _fallback(page: SourcePage, unfit: Unfit, what: str) -> Problem:
    return warning(Loc(page.path, unfit.line), f"{unfit.reason}: {what}", "fallback")


def _raw_front_matter(pages: list[SourcePage], models: list[PageModel]) -> list[Problem]:
    """Where front matter is not as YAML writes it (then every page keeps its front matter as text)."""
    return [
        _fallback(p, Unfit(m.where.get(FM, 1), "front matter YAML would write otherwise"), _AS_TEXT)
        for p, m in zip(pages, models, strict=True)
        if isinstance(m.values.get(FM), faq.RawFrontMatter)
    ]


def _attempts(pages: list[SourcePage], variables: list[Variable]) -> Iterator[list[_Attempt]]:
    """The shapes to try, best first, each saying what of the pages does not fit it and why; a shape may
    come in grains, finest first (the generic shape: entries by headings with the texts pages word
    differently cut into blocks; entries by headings; each page's text whole)."""
    preferences = [[(v.name, v.values[k]) for v in variables] for k in range(len(pages))]
    frame = faq.Frame.of(shape_files(FAQ))
    parsed = [faq.parse_faq(frame, page.text, preferences[k]) for k, page in enumerate(pages)]
    fits = [m for m in parsed if isinstance(m, PageModel)]
    unfit = [(p, m) for p, m in zip(pages, parsed, strict=True) if isinstance(m, Unfit)]
    if len(fits) >= 2 and 2 * len(fits) >= len(pages):
        whole_key = frame.head.names()[0]
        models = [
            m if isinstance(m, PageModel) else faq.kept_whole(p.text, m, whole_key)
            for m, p in zip(parsed, pages, strict=True)
        ]
        raw = _raw_front_matter(pages, models)
        faq.front_matter_as_text(models, whole_key)
        attempt = _Attempt(FAQ, pages, models, project_templates(shape_files(FAQ), models, LAYOUT, _DEFAULT_LAYOUT))
        attempt.whole_key = whole_key
        attempt.fallbacks = [_fallback(p, m, "not in the FAQ shape; the page is kept whole") for p, m in unfit]
        attempt.fallbacks += raw
        attempt.fallbacks += [
            _fallback(p, q.unfit, "the block is kept as the page has it")
            for p, m in zip(pages, models, strict=True)
            for s in m.sections
            for q in s.children
            if q.unfit is not None
        ]
        yield [attempt]
    grains = []
    for grain, said in GRAINS.items():
        made = generic.models([page.text for page in pages], preferences, grain == WHOLE, grain == BLOCKS)
        if made is None:  # no text under a heading to cut into blocks
            continue
        models, templates = made
        raw = _raw_front_matter(pages, models)
        faq.front_matter_as_text(models, generic.Frame.of(shape_files(GENERIC)).head.names()[0])
        attempt = _Attempt(GENERIC, pages, models, templates)
        if fits:
            attempt.reason = f"only {len(fits)} of {len(pages)} pages are FAQ pages"
            attempt.fallbacks = [_fallback(p, m, "not in the FAQ shape") for p, m in unfit]
        elif unfit:
            page, first = unfit[0]
            attempt.reason = f"no page is an FAQ page ({page.name} line {first.line}: {first.reason})"
        attempt.fallbacks += raw
        attempt.grain = grain
        if said:
            attempt.reason += ("; " if attempt.reason else "") + said
        grains.append(attempt)
    yield grains


def write_files(root: Path, files: dict[str, str]) -> None:
    """Write ``files`` (path -> text) under ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))


def rebuilt(root: Path, progress: Progress | None = None) -> dict[str, str]:
    """The pages a build of the project at ``root`` makes, by name."""
    return {output.name: output.text for output in build(root, progress=progress).raise_for_problems().outputs}


def compare_rebuilt(rebuilt: dict[str, str], pages: list[SourcePage]) -> list[Problem]:
    """How ``rebuilt`` differs from the pages it should reproduce, a problem a page."""
    problems = []
    for page in pages:
        text = rebuilt.get(page.name)
        if text == page.text:
            continue
        if text is None:
            problems.append(error(page.path, f"the extracted project does not rebuild this page ({_BUG})", "extract"))
            continue
        old, new = page.text.splitlines(keepends=True), text.splitlines(keepends=True)
        line = next((n for n, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new))) + 1
        problems.append(
            error(Loc(page.path, line), f"the extracted project rebuilds this page differently ({_BUG})", "extract")
        )
    return problems


def _differences(files: dict[str, str], pages: list[SourcePage], progress: Progress | None) -> list[Problem]:
    """What a build of ``files`` gets wrong about the pages ([] when every byte matches)."""
    with tempfile.TemporaryDirectory(prefix="variants-extract-") as folder:
        root = Path(folder)
        write_files(root, files)
        try:
            return compare_rebuilt(rebuilt(root, progress), pages)
        except VariantsError as exc:
            first = exc.problems[0]
            return [error(pages[0].path, f"the extracted project does not build: {first} ({_BUG})", "extract")]


def _finish(
    attempt: _Attempt, files: dict[str, str], factored: Factored, slugs: list[str], progress: Progress | None
) -> Extraction:
    pages = attempt.pages
    notes = [list(layer.notes) for layer in factored.layers]
    result = Extraction(attempt.shape, files, pages, factored.variables, slugs, notes, factored.parents, factored.uses)
    result.reason, result.fallbacks, result.grain = attempt.reason, list(attempt.fallbacks), attempt.grain
    result.components = {name: [slugs[k] for k in members] for name, members in factored.shared_by.items()}
    result.shared = _shared_lines(files, pages, slugs, factored, progress)
    for page, (shared, total) in zip(pages, result.shared, strict=True):
        if total and shared < LITTLE_SHARED * total:
            message = f"little is shared: {shared} of {total} lines come from the base; are these pages one family?"
            result.warnings.append(warning(page.path, message, "little-shared"))
    return result


def _lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def _shared_lines(
    files: dict[str, str],
    pages: list[SourcePage],
    slugs: list[str],
    factored: Factored,
    progress: Progress | None = None,
) -> list[tuple[int, int]]:
    """Per page: how many of its lines the base alone gives (with the page's variables), and how many it has."""
    from . import emit

    base_only = {rel: text for rel, text in files.items() if rel.startswith("base/") and "/components/" not in rel}
    for k, (slug, page) in enumerate(zip(slugs, pages, strict=True)):
        base_only[f"overrides/{slug}.yml"] = emit.dump(
            {"program": program_values(factored.variables, k), "output": page.name}
        )
    with tempfile.TemporaryDirectory(prefix="variants-extract-") as folder:
        root = Path(folder)
        write_files(root, base_only)
        try:
            made = rebuilt(root, progress)
        except VariantsError:
            made = {}
    counts = []
    for page in pages:
        lines = _lines(page.text)
        counts.append((len(matches(lines, _lines(made.get(page.name, "")))), len(lines)))
    return counts


__all__ = ["LITTLE_SHARED", "Extraction", "compare_rebuilt", "extract", "naming", "rebuilt", "write_files"]
