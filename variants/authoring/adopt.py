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
from ..output.pages import MAX_PAGE_BYTES, read_page
from ..output.paths import target
from ..pipeline.build import Build, Program, build
from ..problems import Loc, Problem, VariantsError, error
from ..source.fields import ANCHOR, ID, ID_PATTERN, LAYOUT, QUESTION, QUESTIONS, SECTIONS, key
from ..source.files import MAX_FILE_BYTES, decode, read_bytes
from ..trace.chain import default_key
from ..trace.render import Tracer
from .blocks import block_pattern
from .commit import hold, write_all
from .handedits import BLOCKS, Reading, Refusal, TextChange, read_edits
from .placing import Refused, Sources, Written, write_reading
from .yamledit import CannotEdit

_ROUNDS = 4  # a question added or removed brings its table-of-contents line: the next round sees it


class Adoption(NamedTuple):
    """What adopting did: the pages adopted, the source changes, the other pages they rewrite."""

    adopted: list[str]
    written: list[Written]
    others: list[str]
    unchanged: list[str]  # pages named that were already as the sources make them


def adopt(root: Path, out_dir: Path, names: list[str], shared: bool = False) -> Adoption:
    """Turn the hand edits of the pages ``names`` into source changes and write them (see the module)."""
    with hold(root):
        before = build(root, keep_pages=True).raise_for_problems()
        programs = list({p.slug: p for p in (before.program(n) for n in names)}.values())
        edited, unchanged = _edited(programs, out_dir)
        if not edited:
            return Adoption([], [], [], unchanged)
        with tempfile.TemporaryDirectory(prefix="variants-adopt-") as scratch:
            for folder in ("base", "overrides"):
                if (root / folder).is_dir():
                    shutil.copytree(root / folder, Path(scratch) / folder, ignore=_not_files)
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
            _unchanged_since(root, work, programs, out_dir, edited)
            write_all({**{_source(root, rel): text for rel, text in work.changed.items()}, **files})
    adopted = [p.output.name for p in programs if p.slug in edited and p.output]
    return Adoption(adopted, written, others, unchanged)


def _not_files(folder: str, names: list[str]) -> set[str]:
    """What the scratch copy leaves out: anything not a file or folder (a FIFO, a device, a broken link)."""
    ignored = set()
    for name in names:
        try:
            mode = os.stat(os.path.join(folder, name)).st_mode
        except OSError:
            mode = 0
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            ignored.add(name)
    return ignored


def _shown(out_dir: Path, program: Program) -> str:
    return f"{out_dir}/{program.output.name if program.output else program.slug}"


def _read(out_dir: Path, name: str) -> str | None:
    """A page of the output folder as UTF-8 (None when missing); bytes that are not are an error at their place."""
    shown = f"{out_dir}/{name}"
    raw = read_bytes(target(out_dir, name), shown, missing_ok=True, rule="output", what="page", limit=MAX_PAGE_BYTES)
    return None if raw is None else decode(raw, shown, "; adopt reads pages as UTF-8")


def _edited(programs: list[Program], out_dir: Path) -> tuple[dict[str, str], list[str]]:
    """The pages as they are in the output folder, where they differ from the build; and the others."""
    edited: dict[str, str] = {}
    unchanged: list[str] = []
    for program in programs:
        assert program.output is not None
        name = program.output.name
        text = _read(out_dir, name)
        if text is None:
            raise VariantsError(error(f"{out_dir}/{name}", "no such page; build it first", "adopt"))
        if text == program.output.text:
            unchanged.append(name)
        elif len(text) > len(program.output.text) + MAX_FILE_BYTES:
            message = f"the page is more than {MAX_FILE_BYTES} bytes larger than the sources make it; adopt it by hand"
            raise VariantsError(error(f"{out_dir}/{name}", message, "adopt"))
        else:
            edited[program.slug] = text
    return edited, unchanged


def _source(root: Path, rel: str) -> Path:
    """Where a changed source is written: in the project, through no symbolic link."""
    path = root / rel
    inside = root.resolve()
    parent = path.parent.resolve()
    if path.is_symlink() or (parent != inside and inside not in parent.parents):
        raise VariantsError(error(str(path), "refusing to write through a symbolic link; nothing was changed", "adopt"))
    return path


def _unchanged_since(root: Path, work: Sources, programs: list[Program], out_dir: Path, edited: dict[str, str]) -> None:
    """Refuse when a source or an adopted page changed while adopting (an editor saved it, say)."""
    changed = [str(root / rel) for rel, text in work.original.items() if _text_of(root / rel) != text]
    changed += [
        f"{out_dir}/{p.output.name}"
        for p in programs
        if p.slug in edited and p.output and _read(out_dir, p.output.name) != edited[p.slug]
    ]
    if changed:
        message = "changed while adopting; nothing was changed, adopt again"
        raise VariantsError([error(path, message, "adopt") for path in changed])


def _text_of(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


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
        blocks = [r for r in readings if isinstance(r, BLOCKS)]
        if not blocks and (refused or not readings):  # blocks first: their table-of-contents lines follow
            raise VariantsError(
                [_refusal(shown, r) for r in refused]
                or [_refusal(shown, _first_difference(current.output.text, edited))]
            )
        problems: list[Problem] = []
        for reading in blocks or _first_needed(readings):
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
