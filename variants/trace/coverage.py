"""Coverage: what in the sources no page uses, and which programs have each section and question.

Every program is built and its page traced, so "used" means what a page was
actually made of: the questions on it, the components in its layers, the
layouts its questions were rendered with, the template lines that wrote part of
it, the variables its texts read. Each entry is then in every program, in some
(which), or in none, as a feature model's configuration map shows features
against products.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from ..pipeline.build import Build, Program, build
from ..pipeline.pool import map_items
from ..problems import Loc
from ..source.fields import LAYOUT
from ..source.project import LAYOUT_SUFFIX, LAYOUTS
from .render import Tracer

EVERY, SOME, NONE = "every", "some", "none"


class Use(NamedTuple):
    """A section or question and the programs whose page has it."""

    kind: str  # section | question
    id: str
    loc: Loc  # where it is declared first (the base, a component or an override)
    programs: tuple[str, ...]
    state: str  # every | some | none


class Unused(NamedTuple):
    """Something in the sources that no page uses."""

    what: str  # question | section | component | layout | template line | variable
    name: str
    loc: Loc
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"what": self.what, "name": self.name, "file": self.loc.path, "line": self.loc.line, "why": self.why}


class Coverage(NamedTuple):
    """The configuration map of a project: entries against programs, and what no page uses."""

    programs: tuple[str, ...]
    entries: list[Use]
    unused: list[Unused]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "programs": list(self.programs),
            "entries": [
                {
                    "kind": u.kind,
                    "id": u.id,
                    "file": u.loc.path,
                    "line": u.loc.line,
                    "state": u.state,
                    "programs": list(u.programs),
                }
                for u in self.entries
            ],
            "unused": [u.to_json() for u in self.unused],
        }


def coverage(root: Path) -> Coverage:
    """The coverage of the project at ``root`` (raises when it does not build)."""
    built = build(root, keep_pages=True).raise_for_problems()
    tracer = Tracer(built.renderer)
    used = map_items(partial(_used, tracer), built.programs)  # forked workers, from 200 programs up
    read = set(built.reads).union(*(reads for reads, _ in used))
    ran: dict[str, set[int]] = {}
    for _, lines in used:
        for file, code_lines in lines.items():
            ran.setdefault(file, set()).update(code_lines)
    slugs = tuple(p.slug for p in built.programs)
    entries = _entries(built, slugs)
    unused = [
        *(Unused(u.kind, u.id, u.loc, "every program removes it") for u in entries if u.state == NONE),
        *_components(built),
        *_layouts(built, ran),
        *_template_lines(tracer, ran),
        *_variables(built, read),
    ]
    return Coverage(slugs, entries, unused)


def _used(tracer: Tracer, program: Program) -> tuple[set[str], dict[str, set[int]]]:
    """The variables a program's page reads, and the code lines of each template that wrote part of it."""
    assert program.page is not None and program.output is not None
    texts = tracer.renderer.texts
    tracer.ran = {}
    origins = tracer.origins(program.page, program.output.text)
    values = [origin.source for origin in origins] + list(program.page.variables.values())
    return set().union(*(texts.reads(value) for value in values)), tracer.ran


def _entries(built: Build, slugs: tuple[str, ...]) -> list[Use]:
    """Every section and question of the base or any page, in the order first seen, with its programs."""
    found: dict[tuple[str, str], tuple[Loc, list[str]]] = {}
    for section in built.base.sections:
        for entry in [section, *section.children]:
            found[(entry.kind, entry.id)] = (entry.loc, [])
    for page in built.pages:
        for section in page.sections:
            for entry in [section, *section.children]:
                found.setdefault((entry.kind, entry.id), (entry.loc, []))[1].append(page.slug)
    uses = []
    for (kind, eid), (loc, programs) in found.items():
        state = EVERY if len(programs) == len(slugs) else SOME if programs else NONE
        uses.append(Use(kind, eid, loc, tuple(programs), state))
    return uses


def _components(built: Build) -> list[Unused]:
    used = {path for page in built.pages for path in page.layers}
    return [
        Unused("component", name, Loc(doc.path), "no program lists it")
        for name, doc in sorted(built.project.components.items())
        if doc.path not in used
    ]


def _layouts(built: Build, ran: dict[str, set[int]]) -> list[Unused]:
    unused = []
    for name in built.project.layouts():
        file = f"base/{LAYOUTS}{name}{LAYOUT_SUFFIX}"
        if file not in ran:
            unused.append(Unused(LAYOUT, name, Loc(file), "no question uses it"))
    return unused


def _template_lines(tracer: Tracer, ran: dict[str, set[int]]) -> list[Unused]:
    """Lines of the page template and the layouts in use that could write to a page but never did."""
    unused = []
    for file in sorted(ran):
        tmap = tracer.template_map(file.removeprefix("base/"))
        lines: dict[int, bool] = {}
        for code_line, line in tmap.output_lines().items():
            lines[line] = lines.get(line, False) or code_line in ran[file]
        for line, written in sorted(lines.items()):
            if not written:
                unused.append(Unused("template line", str(line), Loc(file, line), "no program's page takes it"))
    return unused


def _variables(built: Build, read: set[str]) -> list[Unused]:
    settings = built.project.settings
    texts = built.renderer.texts
    defaults = [str(spec["default"]) for spec in built.project.variables.values() if spec and "default" in spec]
    read = read.union(*(texts.reads(value) for value in defaults))
    return [
        Unused("variable", name, settings.key_loc(("variables", name)), "declared, but no page reads it")
        for name in built.project.variables
        if name not in read
    ]


__all__ = ["EVERY", "NONE", "SOME", "Coverage", "Unused", "Use", "coverage"]
