"""Blame: each line of a page with the source line that made it, from the traced render.

A page line is attributed to the origin that wrote most of its visible
characters (a value before a template line on a tie; a line of spaces or tabs
to what wrote them; an empty line to whatever wrote its line break). A value's
line is then followed back through its chain (``chain``: the base text, each
component, parent or own override that set or edited it) to the file and line
that wrote that very stretch.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

from ..output.pages import read_page
from ..output.paths import target
from ..pipeline.build import Program, build
from ..pipeline.render import Renderer
from ..problems import Loc, Problem, VariantsError
from ..source.fields import LAYOUT
from ..source.project import LAYOUTS, Project
from ..source.yamldoc import Doc
from .chain import Step, made_by, page_layers, value_chain
from .render import TEMPLATE, Origin, Traced, Tracer

_WORD = re.compile(r"\w+")


class Variable(NamedTuple):
    """A program variable a line reads, its value and where that is set."""

    name: str
    value: str
    loc: Loc


class Line(NamedTuple):
    """One page line and what made it."""

    number: int
    text: str
    source: Loc  # file and line
    layer: str  # base | component | parent | override | template | layout
    what: str  # "answer of question 'joint'", or "template"
    variables: tuple[Variable, ...]
    chain: tuple[Step, ...]
    also: tuple[Loc, ...] = ()  # where other parts of the line were written (a partial edit, say)

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.number,
            "text": self.text,
            "source": {"file": self.source.path, "line": self.source.line, "layer": self.layer},
            "what": self.what,
            "variables": [{"name": v.name, "value": v.value, **_place(v.loc)} for v in self.variables],
            "also": [_place(loc) for loc in self.also],
            "chain": [{**_place(s.loc), "how": s.how, "layer": s.layer} for s in self.chain],
        }


def _place(loc: Loc) -> dict[str, Any]:
    return {"file": loc.path, "line": loc.line}


class Blame(NamedTuple):
    """A page's lines with their sources, and whether the output folder holds that very page."""

    program: Program
    lines: list[Line]
    as_built: bool  # False: the file in the output folder is edited, stale, missing or unreadable


def blame(root: Path, out_dir: Path, name: str) -> Blame:
    """The lines of the page ``name`` (a page of ``out_dir``, or a program's name) as the sources
    make it, each with its source."""
    built = build(root, keep_pages=True)
    program = built.program(name)
    assert program.output is not None
    try:
        as_built = read_page(target(out_dir, program.output.name), program.output.name) == program.output.text
    except VariantsError:
        as_built = False
    return Blame(program, blame_page(root, program, built.renderer), as_built)


class _Context(NamedTuple):
    project: Project
    root: Path
    layers: list[tuple[Doc, str]]  # base content first, then the page's layers, each with its kind
    variables: dict[str, str]
    var_locs: dict[str, Loc]
    files: dict[str, list[str]]  # source files read back, by path, as lines

    def lines_of(self, path: str) -> list[str]:
        """A file's lines (a template's from the project as loaded; others as they are on disk)."""
        if path not in self.files:
            template = self.project.templates.get(path.removeprefix("base/"))
            text = template if template is not None else (self.root / path).read_text("utf-8", errors="replace")
            self.files[path] = text.split("\n")
        return self.files[path]


def blame_page(root: Path, program: Program, renderer: Renderer) -> list[Line]:
    """Every line of ``program``'s page (as built), with its source."""
    page, output, override = program.page, program.output, program.override
    assert page is not None and output is not None and override is not None, "blame needs a built, kept page"
    project = renderer.project
    traced = Tracer(renderer).trace(page, output.text)
    layers = page_layers(project, page, override)
    problems: list[Problem] = []
    variables = renderer.variables(page, problems)
    var_locs = {
        name: page.program_locs.get(name) or project.settings.loc(("variables", name, "default")) for name in variables
    }
    context = _Context(project, root, layers, variables, var_locs, {})
    return [_line(context, traced, n, start, end) for n, (start, end) in enumerate(_spans(traced.text), 1)]


def _spans(text: str) -> list[tuple[int, int]]:
    """Each line's start and end (past its line break), lines split at '\\n' only, as editors count."""
    spans, start = [], 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        spans.append((start, end))
        start = end
    return spans


def _line(context: _Context, traced: Traced, number: int, start: int, end: int) -> Line:
    text = traced.text[start:end].removesuffix("\n")
    site = {o: o if traced.origins[o].kind != TEMPLATE else traced.origins[o].loc for o in set(traced.owner[start:end])}
    counts = Counter(site[traced.owner[n]] for n in range(start, end) if not traced.text[n].isspace())
    if not counts:  # a line of spaces or tabs goes to what wrote them
        counts = Counter(site[traced.owner[n]] for n in range(start, end) if traced.text[n] != "\n")
    if counts:  # Counter keeps first-seen order: ties go to a value, then to the first in the line
        best = max(counts.values())
        tied = [s for s, c in counts.items() if c == best]
        won = next((s for s in tied if isinstance(s, int)), tied[0])
        picked = next(o for o in traced.owner[start:end] if site[o] == won)
    else:
        picked = traced.owner[end - 1]
    origin = traced.origins[picked]
    if origin.kind == TEMPLATE:
        layer = LAYOUT if origin.loc.path.startswith(f"base/{LAYOUTS}") else TEMPLATE
        line_text = context.lines_of(origin.loc.path)[origin.loc.line - 1]
        return Line(number, text, origin.loc, layer, layer, _variables(context, line_text), ())
    mine = [traced.offset[n] for n in range(start, end) if traced.owner[n] == picked]
    steps = value_chain(context.layers, origin)
    source, layer, also = _source_of(context, origin, steps, mine[0], mine[-1] + 1)
    return Line(number, text, source, layer, _what(origin), _variables(context, origin.source), tuple(steps), also)


def _what(origin: Origin) -> str:
    if not origin.entry:
        return origin.key
    return f"{origin.key} of {origin.entry}"


def _variables(context: _Context, source: str) -> tuple[Variable, ...]:
    names = sorted(n for n in context.variables if re.search(rf"\{{\{{[^}}]*\b{re.escape(n)}\b", source))
    return tuple(Variable(n, context.variables[n], context.var_locs[n]) for n in names)


def _source_of(
    context: _Context, origin: Origin, steps: list[Step], lo: int, hi: int
) -> tuple[Loc, str, tuple[Loc, ...]]:
    """The file and line that wrote most of characters ``lo:hi`` of a value as rendered, and
    where the rest of them was written (a partial edit's place, say)."""
    if not steps:
        return origin.loc._replace(col=0, style=""), "base", ()
    made = made_by(steps)
    if made is None or len(made) != len(origin.source):  # an edit of a default this chain does not hold
        step = steps[-1]
        return Loc(step.loc.path, step.loc.line), step.layer, ()
    start, end = _source_range(origin, lo, hi)
    written = [made[k] for k in range(start, min(end, len(made))) if not origin.source[k].isspace()]
    written = written or made[start : start + 1] or made[-1:]
    counts = Counter(n for n, _ in written)
    primary = max(counts, key=lambda n: (counts[n], -n))
    places = []
    for n in counts:
        within = next(k for m, k in written if m == n)
        places.append((n, Loc(steps[n].loc.path, _physical_line(context, steps[n], within))))
    main = next(loc for n, loc in places if n == primary)
    return main, steps[primary].layer, tuple(loc for n, loc in places if n != primary)


def _source_range(origin: Origin, lo: int, hi: int) -> tuple[int, int]:
    """Where characters ``lo:hi`` of a value as rendered stand in the value as written: exactly for a
    plain text, the same line for a template whose lines render one to one, else all of it."""
    source, rendered = origin.source, origin.rendered
    if source == rendered:
        return lo, hi
    if rendered.count("\n") != source.count("\n"):
        return 0, len(source)
    line = rendered.count("\n", 0, lo)
    start = 0
    for _ in range(line):
        start = source.index("\n", start) + 1
    end = source.find("\n", start)
    return start, len(source) if end < 0 else end


def _physical_line(context: _Context, step: Step, offset: int) -> int:
    """The line of the file holding character ``offset`` of the text a step wrote."""
    loc, text = step.loc, step.text
    within = text.count("\n", 0, offset)
    if loc.style == "|":
        return loc.line + within
    lines = context.lines_of(loc.path)
    wanted = text.split("\n")[within]
    words = _WORD.findall(wanted)
    span = 2 * text.count("\n") + len(text) // 40 + 2
    best, best_score = loc.line, 0
    for number in range(loc.line, min(loc.line + span, len(lines)) + 1):
        physical = lines[number - 1]
        score = (
            sum(word in physical for word in words)
            if words
            else int(bool(wanted.strip()) and wanted.strip() in physical)
        )
        if score > best_score:
            best, best_score = number, score
    return best


__all__ = [
    "Blame",
    "Line",
    "Variable",
    "blame",
    "blame_page",
]
