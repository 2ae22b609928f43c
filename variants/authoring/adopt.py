"""Adopt: pages edited by hand in the output folder, turned into the source changes that make them.

The project is copied to a scratch folder; there each hand edit, read back
through the traced page (``handedits``), is written into a source: a changed
text of one program as a partial edit (or a whole new text, where shorter) in
that program's override; a new question as an entry placed where it stands;
with ``shared`` the same changes go into the base, its components and the
templates instead, for every program. The scratch project is rebuilt until the
page comes out as edited, byte for byte; only then are the changed sources,
the pages the change rewrites and the manifest written, all or nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from functools import partial
from pathlib import Path
from typing import NamedTuple

from ..output.manifest import MANIFEST, digest, manifest_text, read_manifest
from ..output.pages import read_page
from ..output.paths import target
from ..pipeline.build import Build, Program, build
from ..problems import Loc, Problem, VariantsError, error
from ..source.fields import ANCHOR, ID, ID_PATTERN, LAYOUT, QUESTION, QUESTIONS, SECTIONS, key
from ..trace.blame import default_key
from ..trace.render import Tracer
from .commit import write_all
from .handedits import NewQuestion, Reading, Refusal, TextChange, block_pattern, read_edits
from .placing import Refused, Sources, Written, write_reading
from .yamledit import CannotEdit

_ROUNDS = 4  # a new question brings its table-of-contents line: the next round sees it


class Adoption(NamedTuple):
    """What adopting did: the pages adopted, the source changes, the other pages they rewrite."""

    adopted: list[str]
    written: list[Written]
    others: list[str]
    unchanged: list[str]  # pages named that were already as the sources make them


def adopt(root: Path, out_dir: Path, names: list[str], shared: bool = False) -> Adoption:
    """Turn the hand edits of the pages ``names`` into source changes and write them (see the module)."""
    before = build(root, keep_pages=True).raise_for_problems()
    programs = list({p.slug: p for p in (before.program(n) for n in names)}.values())
    edited, unchanged = _edited(programs, out_dir)
    if not edited:
        return Adoption([], [], [], unchanged)
    with tempfile.TemporaryDirectory(prefix="variants-adopt-") as scratch:
        for folder in ("base", "overrides"):
            if (root / folder).is_dir():
                shutil.copytree(root / folder, Path(scratch) / folder, symlinks=False, ignore=_not_plain)
        work = Sources(Path(scratch))
        written: list[Written] = []
        for program in programs:
            if program.slug in edited:
                written += _adopt_page(work, program.slug, edited[program.slug], shared, _shown(out_dir, program))
        after = _built(work, "")
        for program in programs:  # a later page's shared change must not undo an earlier one
            made = after.program(program.slug).output
            if program.slug in edited and made is not None and made.text != edited[program.slug]:
                raise VariantsError(
                    _refusal(_shown(out_dir, program), _first_difference(made.text, edited[program.slug]))
                )
        files, others = _out_files(before, after, out_dir, edited)
        write_all({**{root / rel: text for rel, text in work.changed.items()}, **files})
    adopted = [p.output.name for p in programs if p.slug in edited and p.output]
    return Adoption(adopted, written, others, unchanged)


def _not_plain(folder: str, names: list[str]) -> list[str]:
    """What the scratch copy leaves out: anything neither a file nor a folder (a FIFO would hang
    the copy), and links to nothing."""
    kept = []
    for name in names:
        try:
            mode = os.stat(os.path.join(folder, name)).st_mode
        except OSError:
            continue
        if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
            kept.append(name)
    return sorted(set(names) - set(kept))


def _shown(out_dir: Path, program: Program) -> str:
    return f"{out_dir}/{program.output.name if program.output else program.slug}"


def _edited(programs: list[Program], out_dir: Path) -> tuple[dict[str, str], list[str]]:
    """The pages as they are in the output folder, where they differ from the build; and the others."""
    edited: dict[str, str] = {}
    unchanged: list[str] = []
    for program in programs:
        assert program.output is not None
        name = program.output.name
        text = read_page(target(out_dir, name), f"{out_dir}/{name}")
        if text is None:
            raise VariantsError(error(f"{out_dir}/{name}", "no such page; build it first", "adopt"))
        if text == program.output.text:
            unchanged.append(name)
        else:
            edited[program.slug] = text
    return edited, unchanged


def _built(work: Sources, shown: str) -> Build:
    """The scratch project built; its problems are the adopted change's."""
    built = build(work.root, keep_pages=True)
    if built.problems:
        where = shown or built.problems[0].loc
        message = f"the adopted change breaks the sources: {built.problems[0].one_line()}"
        raise VariantsError(error(where, message, "adopt"))
    return built


def _adopt_page(work: Sources, slug: str, edited: str, shared: bool, shown: str) -> list[Written]:
    """Change the scratch sources until the program's page is ``edited``."""
    written: list[Written] = []
    for _ in range(_ROUNDS):
        built = _built(work, shown)
        current = built.program(slug)
        assert current.output is not None and current.page is not None
        if current.output.text == edited:
            return written
        traced = Tracer(built.renderer).trace(current.page, current.output.text)
        variables = built.renderer.variables(current.page, [])
        readings, refused = read_edits(traced, edited, variables, partial(_block, built, current))
        news = [r for r in readings if isinstance(r, NewQuestion)]
        if not news and (refused or not readings):  # new questions first: their table-of-contents lines follow
            raise VariantsError(
                [_refusal(shown, r) for r in refused]
                or [_refusal(shown, _first_difference(current.output.text, edited))]
            )
        problems: list[Problem] = []
        for reading in news or _first_needed(readings):
            try:
                written.append(write_reading(work, built, current, reading, shared, variables))
            except CannotEdit as exc:
                problems.append(_refusal(shown, Refusal(reading.line, f"cannot edit the source: {exc}")))
            except Refused as exc:
                problems.append(_refusal(shown, Refusal(reading.line, exc.reason), exc.hint))
        if problems:
            raise VariantsError(problems)
    final = _built(work, shown).program(slug)
    assert final.output is not None
    raise VariantsError(_refusal(shown, _first_difference(final.output.text, edited)))


def _first_needed(readings: list[Reading]) -> list[Reading]:
    """The readings without those a change of their default makes (a table-of-contents line follows
    its question): they are seen again, if still needed, once the default is changed."""
    changing = {(r.origin.entry, r.origin.key) for r in readings if isinstance(r, TextChange)}

    def follows(reading: Reading) -> bool:
        default = default_key(reading.origin) if isinstance(reading, TextChange) else None
        return default is not None and (default.entry, default.key) in changing

    return [r for r in readings if not follows(r)]


def _refusal(shown: str, refusal: Refusal, hint: str = "") -> Problem:
    return error(Loc(shown, refusal.line), f"cannot adopt: {refusal.reason}", "adopt", hint)


def _first_difference(built: str, edited: str) -> Refusal:
    a, b = built.split("\n"), edited.split("\n")
    line = next((n for n, (x, y) in enumerate(zip(a, b, strict=False), 1) if x != y), min(len(a), len(b)))
    return Refusal(line, "this change cannot be expressed in the sources")


def _block(built: Build, program: Program) -> re.Pattern[str] | None:
    """The pattern of a question block in the program's default layout, its first question's values
    standing for the values a block shares."""
    assert program.page is not None
    context = built.renderer.context(program.page)
    questions = [q for section in context[SECTIONS] for q in section[QUESTIONS]]
    default = key(QUESTION, LAYOUT).default
    sample = next((q for q in questions if q[LAYOUT] == default), None)
    if sample is None:
        return None
    groups = {ID: ID_PATTERN.strip("^$"), ANCHOR: ID_PATTERN.strip("^$"), "question": r"[^\n]+?", "answer": r".*?"}
    return block_pattern(built.renderer.layout, sample, groups)


def _out_files(before: Build, after: Build, out_dir: Path, edited: dict[str, str]) -> tuple[dict[Path, str], list[str]]:
    """The pages to write (the adopted ones stay as edited; others the change rewrites) and the manifest."""
    manifest = read_manifest(out_dir) if out_dir.is_dir() else {}
    old = {p.slug: p.output for p in before.programs}
    files: dict[Path, str] = {}
    others: list[str] = []
    for program in after.programs:
        output = program.output
        if output is None:
            continue
        if program.slug in edited:
            manifest[output.name] = digest(output.text)
            continue
        was = old.get(program.slug)
        if was is not None and was.text == output.text and was.name == output.name:
            continue
        path = target(out_dir, output.name)
        current = read_page(path, f"{out_dir}/{output.name}")
        if current is not None and manifest.get(output.name) != digest(current):
            message = "was edited by hand, and the adopted change rewrites it; adopt it too, or move it away"
            raise VariantsError(error(f"{out_dir}/{output.name}", message, "hand-edit"))
        files[path] = output.text
        manifest[output.name] = digest(output.text)
        others.append(output.name)
    files[out_dir / MANIFEST] = manifest_text(manifest)
    return files, others


__all__ = ["Adoption", "Written", "adopt"]
