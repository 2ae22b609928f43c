"""The shape of the three kinds of source file, derived from the field table.

One shape drives validation (every problem with file:line:col and "did you
mean") and the JSON Schema that ``variants schema`` prints and editors use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from ..problems import Problem, error, suggest
from . import fields
from .fields import ID_PATTERN, PAGE, QUESTION, SECTION, VAR_PATTERN, Key
from .yamldoc import Doc, Path_


class Shape(NamedTuple):
    """What one value must be: its kind, what it means, and whether it must be there."""

    kind: str  # text | bool | int | list | object | map
    doc: str
    required: bool = False
    item: Shape | None = None  # for list and map
    fields: Mapping[str, Shape] = MappingProxyType({})  # for object (read-only: the default is shared)
    pattern: str | None = None  # for text, and for the keys of a map
    minimum: int | None = None


def _text(doc: str, required: bool = False, pattern: str | None = None) -> Shape:
    return Shape("text", doc, required=required, pattern=pattern)


def _shape(row: Key, override: bool) -> Shape:
    """The shape of one key of the field table."""
    if row.kind == "id":
        return _text(row.doc, row.required, ID_PATTERN)
    if row.kind == "text":
        return _text(row.doc, row.required)
    if row.kind == "map":
        return Shape("map", row.doc, item=_text("A front-matter value."))
    if row.kind == "list":
        level = QUESTION if row.name == fields.QUESTIONS else SECTION
        return Shape("list", row.doc, row.required, item=_entry(level, override))
    return Shape(row.kind, row.doc, row.required, minimum=row.minimum)


_ENTRY_DOCS = {SECTION: "A section of questions.", QUESTION: "A question and its answer."}


def _entry(level: str, override: bool) -> Shape:
    keys = {row.name: _shape(row, override) for row in fields.at(level, base=not override)}
    return Shape("object", _ENTRY_DOCS[level], fields=keys)


def _page(override: bool) -> dict[str, Shape]:
    keys = {row.name: _shape(row, override) for row in fields.at(PAGE, base=not override)}
    if override:
        keys[fields.SECTIONS] = keys[fields.SECTIONS]._replace(
            doc="Sections to add, change, move or remove, matched to the base by id."
        )
    else:
        keys[fields.SECTIONS] = keys[fields.SECTIONS]._replace(required=True)
    return keys


SETTINGS = Shape(
    "object",
    "base/variants.yml: project settings.",
    fields={
        "template": _text("The page template in base/ (default: page.md.j2)."),
        "output": _text(
            "Output file name pattern; {slug} is the override file's name without .yml (default: {slug}.md)."
        ),
        "variables": Shape(
            "map",
            "Program variables that overrides set under 'program:' and texts use as {{ name }}.",
            pattern=VAR_PATTERN,
            item=Shape(
                "object",
                "One program variable.",
                fields={
                    "help": _text("What the variable means, for people writing overrides."),
                    "required": Shape("bool", "Every override must set it."),
                    "default": _text("Value when an override does not set it (template text over other variables)."),
                },
            ),
        ),
    },
)

CONTENT = Shape("object", "base/content.yml: the content every program shares.", fields=_page(override=False))

OVERRIDE = Shape(
    "object",
    "overrides/<program>.yml: what one program changes. Lists merge by id.",
    fields={
        "program": Shape(
            "map",
            "Values of the program variables declared in base/variants.yml.",
            required=True,
            pattern=VAR_PATTERN,
            item=_text("A variable's value (plain text, not a template)."),
        ),
        "output": _text("Output file name in out/ (default from base/variants.yml's pattern)."),
        **_page(override=True),
    },
)

_KIND_NAMES = {
    str: "text",
    bool: "true/false",
    int: "a whole number",
    float: "a number",
    list: "a list",
    dict: "a mapping",
    type(None): "nothing (null)",
}


def _found(value: Any) -> str:
    return _KIND_NAMES.get(type(value), type(value).__name__)


def validate(doc: Doc, spec: Shape) -> list[Problem]:
    """Every shape problem in ``doc`` against ``spec``: unknown keys, types, required keys."""
    problems: list[Problem] = []
    _check(doc, spec, doc.data, (), problems)
    return problems


_TYPES: dict[str, type] = {"text": str, "bool": bool, "int": int, "list": list, "object": dict, "map": dict}


def _name(path: Path_) -> str:
    return f"'{path[-1]}'" if path and isinstance(path[-1], str) else "this entry" if path else "the file"


def _is_a(value: Any, expected: type) -> bool:
    """Whether ``value`` is of the expected type (a boolean is not a number here)."""
    return isinstance(value, expected) and not (expected is int and isinstance(value, bool))


def _check(doc: Doc, spec: Shape, value: Any, path: Path_, problems: list[Problem]) -> None:
    # Called for every value of every file: locations and names are worked out only for problems.
    kind = spec.kind
    expected = _TYPES[kind]
    if not _is_a(value, expected):
        hint = " (put it in quotes)" if kind == "text" and isinstance(value, (int, float, bool)) else ""
        want = {"text": "text", "object": "a mapping", "map": "a mapping"}.get(kind, _KIND_NAMES[expected])
        problems.append(error(doc.loc(path), f"{_name(path)} must be {want}, found {_found(value)}{hint}", "type"))
        return
    if kind == "text":
        if spec.pattern and not re.fullmatch(spec.pattern, value):
            message = f"{_name(path)} {value!r} is not a valid id (letters, digits, '_', '-', '.')"
            problems.append(error(doc.loc(path), message, "type"))
    elif kind == "object":
        fields = spec.fields
        for key, item in value.items():
            sub = fields.get(key)
            if sub is None:
                problems.append(
                    error(doc.key_loc((*path, key)), f"unknown key '{key}'{suggest(key, fields)}", "unknown-key")
                )
            elif sub.kind != "text" or sub.pattern or not isinstance(item, str):
                _check(doc, sub, item, (*path, key), problems)
        for key, sub in fields.items():
            if sub.required and key not in value:
                problems.append(error(doc.loc(path), f"missing required key '{key}'", "missing-key"))
    elif kind == "list" and spec.item:
        for i, item in enumerate(value):
            _check(doc, spec.item, item, (*path, i), problems)
    elif kind == "map" and spec.item:
        for key, item in value.items():
            if spec.pattern and not re.fullmatch(spec.pattern, key):
                problems.append(error(doc.key_loc((*path, key)), f"'{key}' is not a valid name", "type"))
            _check(doc, spec.item, item, (*path, key), problems)
    elif kind == "int" and spec.minimum is not None and value < spec.minimum:
        problems.append(error(doc.loc(path), f"{_name(path)} must be at least {spec.minimum}", "type"))


def json_schema(spec: Shape, title: str | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) equivalent of ``spec``."""
    out: dict[str, Any] = {"description": spec.doc}
    if spec.kind == "text":
        out["type"] = "string"
        if spec.pattern:
            out["pattern"] = spec.pattern
    elif spec.kind == "bool":
        out["type"] = "boolean"
    elif spec.kind == "int":
        out["type"] = "integer"
        if spec.minimum is not None:
            out["minimum"] = spec.minimum
    elif spec.kind == "list":
        out["type"] = "array"
        if spec.item:
            out["items"] = json_schema(spec.item)
    elif spec.kind == "map":
        out["type"] = "object"
        if spec.item:
            out["additionalProperties"] = json_schema(spec.item)
        if spec.pattern:
            out["propertyNames"] = {"pattern": spec.pattern}
    else:
        out["type"] = "object"
        out["properties"] = {key: json_schema(sub) for key, sub in spec.fields.items()}
        out["additionalProperties"] = False
        required = [key for key, sub in spec.fields.items() if sub.required]
        if required:
            out["required"] = required
    if title is not None:
        out = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **out}
    return out


def override_schema_text() -> str:
    """The JSON Schema of override files, as ``variants schema`` prints it and base/ keeps a copy."""
    return json.dumps(json_schema(OVERRIDE, "variants override file"), indent=2) + "\n"


__all__ = ["CONTENT", "OVERRIDE", "SETTINGS", "Shape", "json_schema", "override_schema_text", "validate"]
