"""Blame: each line of a page with the source line that made it, from the traced render.

A page line is attributed to the origin that wrote most of its visible
characters (a value before a template line on a tie; a blank line to whatever
wrote its line break). A value's line is then followed back through the layers
that made the value (the base text, each component, parent or own override
that set or edited it) to the file and line that wrote that very stretch.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

from ..pipeline.build import Program, build
from ..pipeline.layers import chain
from ..pipeline.model import Page
from ..pipeline.render import Renderer
from ..problems import Loc, Problem
from ..source import edits, fields
from ..source.fields import LAYOUT, entries
from ..source.project import LAYOUTS, Override, Project
from ..source.yamldoc import Doc
from .render import TEMPLATE, Origin, Traced, Tracer

_WORD = re.compile(r"\w+")


class Step(NamedTuple):
    """One link of a value's chain: a file that set or edited it."""

    loc: Loc
    how: str  # set | replace | append | prepend
    text: str  # the text it wrote
    layer: str  # base | component | parent | override
    old: str = ""  # the passage a replace looks for
    at: tuple[str | int, ...] = ()  # the value's path in its file


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


def blame(root: Path, name: str) -> tuple[Program, list[Line]]:
    """The program whose page ``name`` is (or the program called that), and its page's lines."""
    built = build(root, keep_pages=True)
    program = built.program(name)
    return program, blame_page(root, program, built.renderer)


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


def blame_page(root: Path, program: Program, renderer: Renderer, tracer: Tracer | None = None) -> list[Line]:
    """Every line of ``program``'s page (as built), with its source."""
    page, output, override = program.page, program.output, program.override
    assert page is not None and output is not None and override is not None, "blame needs a built, kept page"
    project = renderer.project
    traced = (tracer or Tracer(renderer)).trace(page, output.text)
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


def value_path(doc: Doc, origin: Origin) -> tuple[str | int, ...] | None:
    """Where a document sets the value ``origin`` names, if it does."""
    data = doc.data if isinstance(doc.data, dict) else {}
    if not origin.entry:
        head, _, sub = origin.key.partition(".")
        if sub:
            held = data.get(head)
            return (head, sub) if isinstance(held, dict) and sub in held else None
        return (origin.key,) if origin.key in data else None
    for path, entry in entries(data):
        if entry.get("id") == origin.entry and origin.key in entry:
            return (*path, origin.key)
    return None


def setters(layers: list[tuple[Doc, str]], origin: Origin) -> list[tuple[Doc, tuple[str | int, ...], str]]:
    """Each file of ``layers`` (base content first) that sets the value ``origin`` names: the
    document, the value's path in it, and the layer's kind."""
    found = []
    for doc, layer in layers:
        path = value_path(doc, origin)
        if path is not None:
            found.append((doc, path, layer))
    return found


def page_layers(project: Project, page: Page, override: Override) -> list[tuple[Doc, str]]:
    """The files a page is made of, each with its kind: the base content, then its components,
    parents and its own override, in the order they apply."""
    docs = chain(project, override)
    own = {o.doc.path for o in docs.overrides}
    kinds = [
        (
            layer.doc,
            "component" if layer.kind == "component" else "override" if layer.doc.path == page.source else "parent",
        )
        for layer in docs.layers
        if layer.doc.path in own or layer.kind == "component"
    ]
    return [(project.content, "base"), *kinds]


def value_chain(layers: list[tuple[Doc, str]], origin: Origin) -> list[Step]:
    """Each file of ``layers`` that set or edited the value ``origin`` names, base first; a chain
    of edits of an unset key starts with the chain of the key it defaults to."""
    steps: list[Step] = []
    for doc, path, layer in setters(layers, origin):
        value: Any = doc.data
        for part in path:
            value = value[part]
        if isinstance(value, str):
            steps.append(Step(doc.loc(path), "set", value, layer, at=path))
        elif edits.is_edit(value):
            for edit in edits.edits(value, doc.loc, path):
                steps.append(Step(edit.loc, edit.op, edit.text, layer, edit.old, path))
    if steps and steps[0].how == "set":
        return steps
    default = default_key(origin)
    return (value_chain(layers, default) if default else []) + steps


def default_key(origin: Origin) -> Origin | None:
    """The value an unset key shows instead ("=KEY" or "=page.KEY" in the field table), if any."""
    levels = (fields.QUESTION, fields.SECTION) if origin.entry else (fields.PAGE,)
    for level in levels:
        row = next((k for k in fields.values(level) if k.name == origin.key), None)
        if row is not None and isinstance(row.default, str) and row.default.startswith("="):
            other = row.default[1:]
            if other.startswith("page."):
                return origin._replace(entry="", key=other.removeprefix("page."))
            return origin._replace(key=other)
    return None


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


def made_by(steps: list[Step]) -> list[tuple[int, int]] | None:
    """For each character of the value the steps make: (the step that wrote it, its offset in
    that step's text); None when a replace does not find its passage (the chain starts from a default)."""
    made: list[tuple[int, int]] = []
    text = ""
    for n, step in enumerate(steps):
        mine = [(n, k) for k in range(len(step.text))]
        if step.how == "set":
            text, made = step.text, mine
        elif step.how == edits.APPEND:
            text, made = text + step.text, made + mine
        elif step.how == edits.PREPEND:
            text, made = step.text + text, mine + made
        else:
            index = text.find(step.old) if step.old else -1
            if index < 0:
                return None
            made = made[:index] + mine + made[index + len(step.old) :]
            text = text[:index] + step.text + text[index + len(step.old) :]
    return made


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
    "Line",
    "Step",
    "Variable",
    "blame",
    "blame_page",
    "default_key",
    "made_by",
    "page_layers",
    "setters",
    "value_chain",
    "value_path",
]
