"""What the preview shows: the project built once per change of its sources, and its pages as HTML.

A ``Site`` keeps the latest build and diff report (made when first asked for
after a change) and makes each page's HTML from them: the index of programs,
a program's page with its differences from the base marked in place and a
switch to the same question in the other programs, or the sources' problems.
It reads the sources and never writes anything.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diff.matrix import program_cells
from ..diff.model import ONLY, QUESTION_ROW, REMOVED, REPLACED, SAME, SHARED, Report, cell
from ..pipeline.build import Build
from ..problems import Problem, VariantsError
from ..source.fields import ANCHOR, QUESTION
from .marks import page_marks
from .templates import page


@dataclass
class Snapshot:
    """The project as its sources stood at one generation: built and reported on, or its problems."""

    generation: int
    built: Build | None = None
    report: Report | None = None
    problems: list[str] = field(default_factory=list)
    html: dict[str, str] = field(default_factory=dict)  # program -> its page, made when first asked for


def _name(report: Report, slug: str) -> str:
    program = next(p for p in report.programs if p.slug == slug)
    return next((v.value for v in program.variables if v.name == "name"), slug)


class Site:
    """The preview's pages for the project at ``root``; ``describe`` words a problem of the sources."""

    def __init__(self, root: Path, describe: Callable[[Problem], str] = Problem.one_line) -> None:
        self.root = Path(root)
        self.describe = describe
        self.generation = 0
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def changed(self) -> int:
        """The sources changed: the next page is made from them anew. Returns the new generation."""
        with self._lock:
            self.generation += 1
            self._snapshot = None
            return self.generation

    def snapshot(self) -> Snapshot:
        """The project as it is now (built once per generation)."""
        with self._lock:
            if self._snapshot is None or self._snapshot.generation != self.generation:
                self._snapshot = self._make(self.generation)
            return self._snapshot

    def _make(self, generation: int) -> Snapshot:
        from ..diff.report import report_of
        from ..pipeline.build import build

        try:
            built = build(self.root, keep_pages=True).raise_for_problems()
            return Snapshot(generation, built, report_of(built))
        except VariantsError as exc:
            return Snapshot(generation, problems=[self.describe(p) for p in exc.problems])

    def _common(self, snap: Snapshot, nonce: str, current: str = "") -> dict[str, Any]:
        programs = [{"slug": slug} for slug in (snap.report.compared if snap.report else ())]
        return {"generation": snap.generation, "nonce": nonce, "programs": programs, "current": current}

    def index(self, nonce: str) -> str:
        """The index of programs, with how many questions each changes, adds and removes."""
        snap = self.snapshot()
        if snap.report is None:
            return page("problems", title="problems", problems=snap.problems, **self._common(snap, nonce))
        report = snap.report
        cells = program_cells(report, QUESTION_ROW)
        rows = []
        for slug, program in zip(report.compared, report.programs, strict=True):
            states = [c.state for c in cells[slug].values()]
            rows.append(
                {
                    "slug": slug,
                    "name": _name(report, slug),
                    "output": program.output,
                    "changed": states.count(REPLACED),
                    "added": states.count(ONLY) + states.count(SHARED),
                    "removed": states.count(REMOVED),
                }
            )
        common = self._common(snap, nonce)
        common["programs"] = rows
        return page("index", title="programs", root=str(self.root), **common)

    def program(self, slug: str, nonce: str) -> str | None:
        """A program's page, or None when there is no such program (or the sources do not build)."""
        snap = self.snapshot()
        if snap.report is None:
            return page("problems", title="problems", problems=snap.problems, **self._common(snap, nonce, slug))
        if slug not in snap.report.compared:
            return None
        with self._lock:
            made = snap.html.get(slug)
        if made is None:
            made = self._program_html(snap, slug)
            with self._lock:
                snap.html[slug] = made
        # The nonce is new for every response; the page is made once per generation.
        return made.replace(_NONCE_SLOT, nonce)

    def _program_html(self, snap: Snapshot, slug: str) -> str:
        from markupsafe import Markup

        from .render import marked_html

        assert snap.built is not None and snap.report is not None
        report, built = snap.report, snap.built
        pages = {p.slug: p for p in built.pages}
        texts = {o.source: o.text for o in built.outputs}
        index = report.compared.index(slug)
        comparison = report.comparisons[index]
        program, this = report.programs[index], pages[slug]
        marks = page_marks(texts[program.source], this, comparison, built.base)
        anchors = {s: {q.id: str(q.get(ANCHOR) or q.id) for q in p.questions()} for s, p in pages.items()}
        cells = program_cells(report, QUESTION_ROW)
        cell_same = cell(SAME)

        def switch(qid: str) -> str:
            places = [
                {"slug": s, "fragment": anchors[s][qid], "state": cells[s].get(qid, cell_same).state}
                for s in report.compared
                if qid in anchors.get(s, {})
            ]
            return page("switch", places=places, current=slug) if len(places) > 1 else ""

        notes = [
            {
                "category": s.category,
                "text": s.text,
                "where": str(s.where[0]) if s.where else "",
                "link": anchors[slug].get(s.id, "") if s.target == QUESTION else "",
            }
            for s in comparison.statements
        ]
        return page(
            "program",
            title=_name(report, slug),
            front_matter=marks.front_matter,
            html=Markup(marked_html(marks, switch)),
            notes=notes,
            source=program.source,
            output=program.output,
            **self._common(snap, _NONCE_SLOT, slug),
        )

    def not_found(self, nonce: str) -> str:
        return page("not-found", title="not found", **self._common(self.snapshot(), nonce))


_NONCE_SLOT = "\x00nonce\x00"  # where a cached page takes its response's nonce

__all__ = ["Site", "Snapshot"]
