"""The rules for the sources: texts, keys that do nothing, and the schema copy in base/.

Each source rule looks at one document (base/content.yml, a component, an
override) with what it needs to judge it; project rules look at the project
once. The build runs the error-level ones on every file it reads, so build and
check agree on what is an error; check adds the warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..pipeline.model import Entry, Page
from ..pipeline.render import Renderer
from ..problems import Loc, Problem, VariantsError
from ..source import fields
from ..source.fields import ID, PAGE, QUESTIONS, SECTION
from ..source.files import read_bytes
from ..source.project import SCHEMA_FILE, Project
from ..source.schema import PROGRAM, override_schema_text
from ..source.yamldoc import Doc, Path_
from . import mojibake
from .registry import ERROR, WARNING, finding, project_rule, source_rule

CONTENT, COMPONENT, OVERRIDE = "content", "component", "override"
_QUESTION = fields.headline(fields.QUESTION)
_ANSWER = next(k.name for k in fields.at(fields.QUESTION) if k.required_to_add and k.name != _QUESTION)
_READ_AS = fields.read_names()
_ENTRY_KEYS = frozenset(k.name for level in (SECTION, fields.QUESTION) for k in fields.values(level))
_PAGE_KEYS = tuple(k.name for k in fields.values(PAGE))
_MAPS = frozenset(k.name for k in fields.values(PAGE) if k.kind == "map")
_REMOVE = fields.removal().name
_WHY = fields.intent().name  # says why; changes nothing on a page, so it alone is still a no-op
_TEXTS = fields.text_keys()
# What a page shows that is no answer text: line breaks, link tags, a link back to the top.
_NO_TEXT = re.compile(r"</?br\s*/?>|</?a\b[^>]*>|\[[^\]\n]*\]\(#top\)", re.IGNORECASE)


@dataclass(frozen=True)
class SourceDoc:
    """One source document to lint, and what its rules need to judge it."""

    doc: Doc
    kind: str  # content | component | override
    project: Project
    base: Page
    renderer: Renderer
    reads: frozenset[str]  # every name the page template and layouts read
    page: Page | None = None  # an override's merged page, where it merged
    base_reads: BaseReads | None = None  # what each base entry's texts read, worked out once per build


class BaseReads:
    """The variables each entry of the base reads, worked out once: a program's page reuses
    most base entries as they are, and only its own need reading again."""

    def __init__(self, base: Page, renderer: Renderer) -> None:
        self.entries = {e.id: (e, _entry_reads(e, renderer)) for s in base.sections for e in [s, *s.children]}

    def of(self, entry: Entry, renderer: Renderer) -> frozenset[str]:
        known = self.entries.get(entry.id)
        return known[1] if known is not None and known[0] is entry else _entry_reads(entry, renderer)


def _entry_reads(entry: Entry, renderer: Renderer) -> frozenset[str]:
    texts = renderer.texts
    found: set[str] = set()
    for key, value in entry.values.items():
        if key in _TEXTS and isinstance(value, str):
            found |= texts.reads(value)
    return frozenset(found)


def _strings(data: Any) -> Iterator[tuple[Path_, str]]:
    """Every text in a document, program variable values included (they are content too)."""
    yield from fields.walk_texts(data)
    program = data.get(PROGRAM)
    for name, value in program.items() if isinstance(program, dict) else ():
        if isinstance(value, str):
            yield (PROGRAM, name), value


@source_rule(mojibake.RULE, WARNING)
def mis_encoded_source(source: SourceDoc) -> Iterator[Problem]:
    """Text decoded with the wrong encoding, such as `â€™` for `’`."""
    doc = source.doc
    for path, text in _strings(doc.data):
        loc = doc.loc(path)
        yield from mojibake.text_findings(text, lambda offset, loc=loc, text=text: loc.inside(text, offset))  # type: ignore[misc]


def has_text(answer: str) -> bool:
    """Whether an answer says anything: more than line breaks, link tags and links back to the top."""
    return bool(_NO_TEXT.sub("", answer).strip())


@source_rule("empty-answer", ERROR)
def empty_source_answer(source: SourceDoc) -> Iterator[Problem]:
    """A question with no answer text (nothing but line breaks and links back to the top)."""
    doc = source.doc
    merged = {q.id: q for q in (source.page or source.base).questions()}
    for path, entry in fields.entries(doc.data):
        answer, question = entry.get(_ANSWER), entry.get(_QUESTION)
        if not isinstance(answer, str) or has_text(answer):
            continue
        if question is None and entry.get(ID) in merged:  # a patch: the question it inherits
            question = merged[entry[ID]].get(_QUESTION)
        if question is None or (isinstance(question, str) and question.strip()):  # an entry with no question is none
            message = f"the answer of question '{entry.get(ID, '?')}' is empty"
            yield finding(doc.loc((*path, _ANSWER)), "empty-answer", message)


@source_rule("unused-key", ERROR)
def unused_key(source: SourceDoc) -> Iterator[Problem]:
    """A key or program variable that no template or text reads: it would silently do nothing."""
    reads, doc = source.reads, source.doc
    for name in _PAGE_KEYS:
        if name in doc.data and _READ_AS.get(name, name) not in reads | {fields.APPLIED}:
            yield finding(doc.key_loc((name,)), "unused-key", f"'{name}' is set but no template reads it")
    for path, entry in fields.entries(doc.data):
        for name in entry:
            if name in _ENTRY_KEYS and _READ_AS.get(name, name) not in reads:
                yield finding(doc.key_loc((*path, name)), "unused-key", f"'{name}' is set but no template reads it")
    page = source.page
    if page is None or source.kind != OVERRIDE:
        return
    renderer = source.renderer
    variables = source.project.variables
    defaults = [str(spec["default"]) for spec in variables.values() if spec and "default" in spec]
    used = set(reads).union(
        *(renderer.texts.reads(t) for t in [*defaults, *page.variables.values(), *_page_texts(page)])
    )
    known = source.base_reads or BaseReads(source.base, renderer)
    for section in page.sections:
        for item in [section, *section.children]:
            used |= known.of(item, renderer)
    for name in doc.data.get(PROGRAM) or {}:
        if name in variables and name not in used:
            message = f"program variable '{name}' is set but no text reads it"
            yield finding(doc.key_loc((PROGRAM, name)), "unused-key", message)


def _page_texts(page: Page) -> Iterator[str]:
    """The page-level texts (an entry's are read by ``BaseReads``)."""
    for value in page.values.values():
        if isinstance(value, dict):
            yield from (str(v) for v in value.values())
        elif isinstance(value, str):
            yield value


@source_rule("no-op", WARNING)
def no_op(source: SourceDoc) -> Iterator[Problem]:
    """An override entry that changes nothing (same value as the base, or the default)."""
    if source.kind == CONTENT:
        return
    base, doc = source.base, source.doc
    known = {e.id: e for s in base.sections for e in [s, *s.children]}
    for name in _PAGE_KEYS:
        if name in _MAPS:
            for key, value in (doc.data.get(name) or {}).items():
                if base.values.get(name, {}).get(key) == value:
                    message = f"front-matter '{key}' is the same as the base"
                    yield finding(doc.key_loc((name, key)), "no-op", message)
        elif name in doc.data and base.values.get(name) == doc.data[name]:
            yield finding(doc.key_loc((name,)), "no-op", f"'{name}' is the same as the base")
    for path, patch in fields.entries(doc.data):
        entry = known.get(patch[ID])
        if entry is None or patch.get(_REMOVE):
            continue
        if set(patch) <= {ID, QUESTIONS, _WHY} and not patch.get(QUESTIONS):
            yield finding(doc.loc(path), "no-op", f"entry '{patch[ID]}' changes nothing")
        for name, value in patch.items():
            if name in entry.values and entry.values[name] == value:
                message = f"'{name}' of '{patch[ID]}' is the same as the base"
                yield finding(doc.key_loc((*path, name)), "no-op", message)
    yield from _default_variables(source)


def _default_variables(source: SourceDoc) -> Iterator[Problem]:
    """Program variables an override sets to what their default gives anyway."""
    page, doc = source.page, source.doc
    if page is None:
        return
    for name, spec in source.project.variables.items():
        if name in (doc.data.get(PROGRAM) or {}) and spec and "default" in spec:
            without = {k: v for k, v in page.variables.items() if k != name}
            if source.renderer.text(str(spec["default"]), Loc(""), without, []) == page.variables[name]:
                message = f"program variable '{name}' is the same as its default"
                yield finding(doc.key_loc((PROGRAM, name)), "no-op", message)


@project_rule("schema-stale", WARNING)
def schema_stale(project: Project) -> Iterator[Problem]:
    """`base/override.schema.json` differs from this version's schema."""
    try:
        raw = read_bytes(project.root / SCHEMA_FILE, SCHEMA_FILE, missing_ok=True)
    except VariantsError as exc:
        yield from exc.problems
        return
    if raw is not None and raw.decode("utf-8", errors="replace") != override_schema_text():
        yield finding(Loc(SCHEMA_FILE), "schema-stale", "differs from this version's schema", "write-schema")


@project_rule("stray-file", WARNING)
def stray_file(project: Project) -> Iterator[Problem]:
    """A temporary file a killed run left in `out/` (the next build removes it)."""
    from ..output.pages import stray_files

    out = project.root / "out"
    for name in stray_files(out) if out.is_dir() else []:
        yield finding(Loc(f"out/{name}"), "stray-file", "left by an interrupted run of variants; a build removes it")


__all__ = [
    "COMPONENT",
    "CONTENT",
    "OVERRIDE",
    "BaseReads",
    "SourceDoc",
    "empty_source_answer",
    "has_text",
    "mis_encoded_source",
    "no_op",
    "schema_stale",
    "stray_file",
    "unused_key",
]
