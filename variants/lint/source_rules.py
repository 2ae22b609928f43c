"""The rules for the sources: texts, keys that do nothing, and the schema copy in base/."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from jinja2 import TemplateSyntaxError, nodes

from ..pipeline.build import Build
from ..pipeline.model import Page
from ..problems import Loc, Problem, VariantsError
from ..source import fields
from ..source.fields import ID, PAGE, QUESTIONS, SECTION
from ..source.files import read_bytes
from ..source.project import SCHEMA_FILE, Override
from ..source.schema import override_schema_text
from ..source.yamldoc import Doc, Path_
from . import mojibake
from .registry import ERROR, WARNING, finding, source_rule

PROGRAM = "program"
_ANSWER = "answer"
_READ_AS = fields.read_names()
_ENTRY_KEYS = frozenset(k.name for level in (SECTION, fields.QUESTION) for k in fields.values(level))
_PAGE_KEYS = tuple(k.name for k in fields.values(PAGE))
_MAPS = frozenset(k.name for k in fields.values(PAGE) if k.kind == "map")
_REMOVE = fields.removal().name


@dataclass
class Sources:
    """What the source rules look at: the built project, and the documents it was built from."""

    build: Build

    @property
    def overrides(self) -> list[Override]:
        """The usable override files, in build order."""
        return [p.override for p in self.build.programs if p.override is not None]

    @property
    def docs(self) -> list[Doc]:
        return [self.build.project.content, *(o.doc for o in self.overrides)]

    @cached_property
    def pages(self) -> dict[str, Page]:
        """The merged page of each override that merged, by override file."""
        return {page.source: page for page in self.build.pages}

    @cached_property
    def template_reads(self) -> set[str]:
        """Every top-level name and attribute the page template and layouts read."""
        from jinja2 import meta

        reads: set[str] = set()
        env = self.build.renderer.page_env
        for source in self.build.project.templates.values():
            try:
                ast = env.parse(source)
            except TemplateSyntaxError:  # reported by the build, with its line
                continue
            reads |= meta.find_undeclared_variables(ast)
            reads |= {node.attr for node in ast.find_all(nodes.Getattr)}
            reads |= {str(node.arg.value) for node in ast.find_all(nodes.Getitem) if isinstance(node.arg, nodes.Const)}
        return reads


def _strings(data: Any) -> Iterator[tuple[Path_, str]]:
    """Every text in a document, program variable values included (they are content too)."""
    yield from fields.walk_texts(data)
    program = data.get(PROGRAM)
    for name, value in program.items() if isinstance(program, dict) else ():
        if isinstance(value, str):
            yield (PROGRAM, name), value


def _entry_id(doc: Doc, path: Path_) -> str:
    entry = doc.data
    for step in path[:-1]:
        entry = entry[step]
    return str(entry.get(ID, "?")) if isinstance(entry, dict) else "?"


@source_rule(mojibake.RULE, WARNING)
def mis_encoded_source(sources: Sources) -> Iterator[Problem]:
    """Text decoded with the wrong encoding, such as `â€™` for `’`."""
    for doc in sources.docs:
        for path, text in _strings(doc.data):
            loc = doc.loc(path)
            yield from mojibake.text_findings(text, lambda offset, loc=loc, text=text: loc.inside(text, offset))  # type: ignore[misc]


@source_rule("empty-answer", ERROR)
def empty_source_answer(sources: Sources) -> Iterator[Problem]:
    """A question with no answer text."""
    for doc in sources.docs:
        for path, text in fields.walk_texts(doc.data):
            if path[-1] == _ANSWER and not text.strip():
                message = f"the answer of question '{_entry_id(doc, path)}' is empty"
                yield finding(doc.loc(path), "empty-answer", message)


@source_rule("unused-key", ERROR)
def unused_key(sources: Sources) -> Iterator[Problem]:
    """A key or program variable that no template or text reads: it would silently do nothing."""
    reads = sources.template_reads
    for doc in sources.docs:
        for name in _PAGE_KEYS:
            if name in doc.data and _READ_AS.get(name, name) not in reads:
                yield finding(doc.key_loc((name,)), "unused-key", f"'{name}' is set but no template reads it")
        for path, entry in fields.entries(doc.data):
            for name in entry:
                if name in _ENTRY_KEYS and _READ_AS.get(name, name) not in reads:
                    yield finding(doc.key_loc((*path, name)), "unused-key", f"'{name}' is set but no template reads it")
    project = sources.build.project
    texts = sources.build.renderer.texts
    defaults = [str(spec["default"]) for spec in project.variables.values() if spec and "default" in spec]
    for override in sources.overrides:
        page = sources.pages.get(override.path)
        if page is None:
            continue
        used = set(reads).union(*(texts.reads(t) for t in [*defaults, *_page_texts(page)]))
        for name in page.program_locs:
            if name not in used:
                message = f"program variable '{name}' is set but no text reads it"
                yield finding(override.doc.key_loc((PROGRAM, name)), "unused-key", message)


_TEXTS = fields.text_keys()


def _page_texts(page: Page) -> Iterator[str]:
    for value in page.values.values():
        if isinstance(value, dict):
            yield from (str(v) for v in value.values())
        elif isinstance(value, str):
            yield value
    for section in page.sections:
        for entry in [section, *section.children]:
            yield from (v for k, v in entry.values.items() if k in _TEXTS and isinstance(v, str))


@source_rule("no-op", WARNING)
def no_op(sources: Sources) -> Iterator[Problem]:
    """An override entry that changes nothing (same value as the base, or the default)."""
    base = sources.build.base
    known = {e.id: e for s in base.sections for e in [s, *s.children]}
    for override in sources.overrides:
        doc = override.doc
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
            if set(patch) <= {ID, QUESTIONS} and not patch.get(QUESTIONS):
                yield finding(doc.loc(path), "no-op", f"entry '{patch[ID]}' changes nothing")
            for name, value in patch.items():
                if name in entry.values and entry.values[name] == value:
                    message = f"'{name}' of '{patch[ID]}' is the same as the base"
                    yield finding(doc.key_loc((*path, name)), "no-op", message)
        yield from _default_variables(sources, override)


def _default_variables(sources: Sources, override: Override) -> Iterator[Problem]:
    """Program variables an override sets to what their default gives anyway."""
    page = sources.pages.get(override.path)
    if page is None:
        return
    renderer = sources.build.renderer
    for name, spec in sources.build.project.variables.items():
        if name in page.variables and spec and "default" in spec:
            without = {k: v for k, v in page.variables.items() if k != name}
            if renderer.text(str(spec["default"]), Loc(""), without, []) == page.variables[name]:
                message = f"program variable '{name}' is the same as its default"
                yield finding(override.doc.key_loc((PROGRAM, name)), "no-op", message)


@source_rule("schema-stale", WARNING)
def schema_stale(sources: Sources) -> Iterator[Problem]:
    """`base/override.schema.json` differs from this version's schema."""
    try:
        raw = read_bytes(sources.build.project.root / SCHEMA_FILE, SCHEMA_FILE, missing_ok=True)
    except VariantsError as exc:
        yield from exc.problems
        return
    if raw is not None and raw.decode("utf-8", errors="replace") != override_schema_text():
        yield finding(Loc(SCHEMA_FILE), "schema-stale", "differs from this version's schema", "write-schema")


__all__ = ["PROGRAM", "Sources", "empty_source_answer", "mis_encoded_source", "no_op", "schema_stale", "unused_key"]
