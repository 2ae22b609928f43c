"""The files of an extracted project: settings, base content, components and overrides, as a person writes them.

Each override starts by saying which page it makes and what it starts from,
and each difference in it carries a comment with the lines of the page where
it stands. Keys are written in the field table's order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..source import fields
from ..source.fields import ID, QUESTIONS, SECTIONS
from ..source.project import DEFAULT_OUTPUT, DEFAULT_TEMPLATE
from ..source.schema import COMPONENTS, EXTENDS, OUTPUT, PROGRAM
from . import emit, textedit
from .detect import Variable
from .factor import Factored
from .layering import Layer
from .pages import SourcePage
from .sources import FM, Entry, Sources

_ORDER = fields.write_order()
_BASES = 12  # pages tried as the one written whole in the line-diff encoding
_DIFFLIB_AT_MOST = 250_000  # line pairs up to which the encoding is difflib's, as the benchmark measures it
CONTENT_FILE, SETTINGS_FILE = "base/content.yml", "base/variants.yml"


def ordered(data: Any) -> Any:
    """Mappings in the field table's order (front matter in the page's), edits as an override writes them."""
    if textedit.is_edits(data):
        return textedit.as_data(data)
    if isinstance(data, dict):
        keys = sorted(data, key=lambda k: _ORDER.get(k, len(_ORDER)))
        return {k: (dict(data[k]) if k == FM else ordered(data[k])) for k in keys}
    if isinstance(data, list):
        return [ordered(v) for v in data]
    return data


def _entry(entry: Entry, with_questions: bool) -> dict[str, Any]:
    data: dict[str, Any] = {ID: entry.id, **entry.values}
    if with_questions:
        data[QUESTIONS] = [_entry(q, False) for q in entry.children]
    return data


def content_data(base: Sources) -> dict[str, Any]:
    """The base as base/content.yml writes it."""
    data: dict[str, Any] = ordered(dict(base.values))
    data[SECTIONS] = [ordered(_entry(s, True)) for s in base.sections]
    return data


def _lines(where: tuple[int, int]) -> str:
    first, last = where
    if not first:
        return ""
    return f"line {first}" if last <= first else f"lines {first}-{last}"


def comments(layer: Layer, page: str = "") -> dict[tuple[str, ...], str]:
    """Each difference's comment: the lines of the page it stands on (of ``page``, where one is named)."""
    return {path: f"{page} {_lines(where)}".strip() for path, where in layer.lines.items() if _lines(where)}


def settings_data(variables: list[Variable], pattern: str, pages: list[SourcePage]) -> dict[str, Any]:
    """base/variants.yml: the output pattern where it is not the default, and the variables."""
    data: dict[str, Any] = {}
    if pattern != DEFAULT_OUTPUT:
        data[OUTPUT] = pattern
    declared: dict[str, Any] = {}
    for variable in variables:
        declared[variable.name] = {"required": True} if variable.default is None else {"default": variable.default}
    if declared:
        data["variables"] = declared
    return data


def settings_comments(variables: list[Variable], pages: list[SourcePage]) -> dict[tuple[str, ...], str]:
    """What each variable is, as a comment above it: its values on the first pages."""
    found: dict[tuple[str, ...], str] = {}
    for variable in variables:
        examples = zip(variable.values[:3], pages, strict=False)
        seen = ", ".join(f"{json.dumps(value, ensure_ascii=False)} ({page.name})" for value, page in examples)
        found[("variables", variable.name)] = f"Differs between the pages: {seen}{', ...' if len(pages) > 3 else ''}."
    return found


def project_files(
    factored: Factored,
    shape: str,
    templates: dict[str, str],
    pattern: str,
    slugs: list[str],
    outputs: list[str | None],
    pages: list[SourcePage],
) -> dict[str, str]:
    """Every file of the extracted project: path in the project -> text."""
    files = {
        SETTINGS_FILE: emit.dump(
            settings_data(factored.variables, pattern, pages),
            settings_comments(factored.variables, pages),
            f"Settings written by variants extract from {len(pages)} pages ({shape} shape).",
            within=("variables",),
        ),
        CONTENT_FILE: emit.dump(
            content_data(factored.base),
            header="What every page shares, written once (variants extract).\n"
            "Texts are Jinja templates over the variables declared in base/variants.yml.",
        ),
    }
    if DEFAULT_TEMPLATE not in templates:  # pragma: no cover - every shape has its page template
        raise AssertionError("a shape without a page template")
    files.update({f"base/{name}": text for name, text in templates.items()})
    for name, layer in factored.components.items():
        members = factored.shared_by[name]
        users = ", ".join(pages[k].name for k in members)
        files[f"base/components/{name}.yml"] = emit.dump(
            ordered(layer.data), comments(layer, pages[members[0]].name), f"What {users} share: each lists it."
        )
    for k, (slug, page) in enumerate(zip(slugs, pages, strict=True)):
        data: dict[str, Any] = {}
        parent = factored.parents[k]
        if parent is not None:
            data[EXTENDS] = slugs[parent]
        if factored.uses[k]:
            data[COMPONENTS] = list(factored.uses[k])
        if factored.programs[k] or parent is None:
            data[PROGRAM] = dict(factored.programs[k])
        if outputs[k] is not None:
            data[OUTPUT] = outputs[k]
        layer = factored.layers[k]
        data.update(ordered(layer.data))
        start = f"a version of {pages[parent].name}" if parent is not None else "base/content.yml"
        header = f"{page.name}: what differs from {start}" + (
            f", with {', '.join(factored.uses[k])} (base/components/)." if factored.uses[k] else "."
        )
        files[f"overrides/{slug}.yml"] = emit.dump(data, comments(layer), header, flow=(PROGRAM,))
    return files


def source_size(files: dict[str, str]) -> tuple[int, int]:
    """How much a person reads in the sources: the lines that hold something (no blank or comment
    lines, indentation aside), and their characters."""
    lines = chars = 0
    for rel, text in files.items():
        comment = "#" if rel.endswith(".yml") else "{#"
        for line in text.splitlines():
            kept = line.strip()
            if kept and not kept.startswith(comment):
                lines += 1
                chars += len(kept)
    return lines, chars


def line_diff(pages: list[str]) -> tuple[int, int]:
    """The plain line-diff encoding of the pages: the page that needs the fewest lines whole, plus every
    other page's added lines (lines and characters); the limit extract keeps its sources within."""
    from difflib import SequenceMatcher

    from .align import opcodes

    def ops(one: list[str], two: list[str]) -> Sequence[tuple[str, int, int, int, int]]:
        # difflib matches blank and repeated lines too (a tighter encoding), but slows down on long pages
        if len(one) * len(two) <= _DIFFLIB_AT_MOST:
            return SequenceMatcher(None, one, two, autojunk=False).get_opcodes()
        return opcodes(one, two)

    split = [text.split("\n") for text in pages]
    best: tuple[int, int] | None = None
    for base in split[:_BASES]:
        lines, chars = len(base), sum(map(len, base))
        for other in split:
            if other is base:
                continue
            for tag, _, _, j1, j2 in ops(base, other):
                if tag in ("replace", "insert"):
                    lines += j2 - j1
                    chars += sum(map(len, other[j1:j2]))
        best = (lines, chars) if best is None or (lines, chars) < best else best
    return best or (0, 0)


__all__ = [
    "CONTENT_FILE",
    "SETTINGS_FILE",
    "comments",
    "content_data",
    "line_diff",
    "ordered",
    "project_files",
    "settings_data",
    "source_size",
]
