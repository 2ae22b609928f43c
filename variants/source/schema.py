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
from . import edits, fields
from .fields import ANCHOR_PATTERN, ID_PATTERN, PAGE, QUESTION, SECTION, VAR_PATTERN, Key
from .yamldoc import Doc, Path_


class Shape(NamedTuple):
    """What one value must be: its kind, what it means, and whether it must be there."""

    kind: str  # text | template (a text, or edits of one) | value (any YAML scalar, or a list) | bool | int | ...
    doc: str  # ... list | object | map
    required: bool = False
    item: Shape | None = None  # for list and map
    fields: Mapping[str, Shape] = MappingProxyType({})  # for object (read-only: the default is shared)
    pattern: str | None = None  # for text, and for the keys of a map
    minimum: int | None = None
    unless: str = ""  # for a required key: not required when this key is given


_PATTERNS = {"id": ID_PATTERN, "html-id": ANCHOR_PATTERN}


def _text(doc: str, required: bool = False, pattern: str | None = None) -> Shape:
    return Shape("text", doc, required=required, pattern=pattern)


_EDIT = Shape(
    "object",
    "An edit of the inherited text: replace one passage (it must occur once), or append or prepend text.",
    fields={
        edits.REPLACE: _text("The passage to replace; it must occur exactly once in the inherited text."),
        edits.WITH: _text("What the passage is replaced with."),
        edits.APPEND: _text("Text added at the end."),
        edits.PREPEND: _text("Text added at the start."),
    },
)


def _shape(row: Key, override: bool) -> Shape:
    """The shape of one key of the field table."""
    if row.kind in _PATTERNS:
        return _text(row.doc, row.required, _PATTERNS[row.kind])
    if row.kind == "text":
        if row.template and override:
            return Shape("template", row.doc + " Or an edit of the inherited text.", row.required, item=_EDIT)
        return _text(row.doc, row.required)
    if row.kind == "map":
        return Shape("map", row.doc, item=Shape("value", "A front-matter value: text (a template), or a YAML value."))
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

PROGRAM, OUTPUT, EXTENDS, COMPONENTS = "program", "output", "extends", "components"
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"  # override and component file names, without .yml

OVERRIDE = Shape(
    "object",
    "overrides/<program>.yml: what one program changes. Lists merge by id.",
    fields={
        EXTENDS: _text(
            "Start from another program's page (its override file name without .yml): a version of that program.",
            pattern=NAME_PATTERN,
        ),
        COMPONENTS: Shape(
            "list",
            "Shared pieces from base/components/ (file names without .yml), applied in order before this file's own.",
            item=_text("A component's name.", pattern=NAME_PATTERN),
        ),
        PROGRAM: Shape(
            "map",
            "Values of the program variables declared in base/variants.yml.",
            required=True,
            unless=EXTENDS,
            pattern=VAR_PATTERN,
            item=_text("A variable's value: text, which may use the other variables ({{ name }})."),
        ),
        OUTPUT: _text("Output file name in out/ (default from base/variants.yml's pattern)."),
        **_page(override=True),
    },
)

COMPONENT = Shape(
    "object",
    "base/components/<name>.yml: a piece that programs switch on with 'components:'. Lists merge by id.",
    fields=_page(override=True),
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


_TYPES: dict[str, type | tuple[type, ...]] = {
    "text": str,
    "template": (str, dict, list),
    "value": (str, bool, int, float, list),
    "bool": bool,
    "int": int,
    "list": list,
    "object": dict,
    "map": dict,
}
_SCALARS = (str, bool, int, float)


def _name(path: Path_) -> str:
    return f"'{path[-1]}'" if path and isinstance(path[-1], str) else "this entry" if path else "the file"


def _is_a(value: Any, expected: type | tuple[type, ...]) -> bool:
    """Whether ``value`` is of the expected type (a boolean is not a number here)."""
    return isinstance(value, expected) and not (expected is int and isinstance(value, bool))


def _check(doc: Doc, spec: Shape, value: Any, path: Path_, problems: list[Problem]) -> None:
    # Called for every value of every file: locations and names are worked out only for problems.
    kind = spec.kind
    expected = _TYPES[kind]
    if not _is_a(value, expected):
        hint = " (put it in quotes)" if kind in ("text", "template") and isinstance(value, _SCALARS) else ""
        meant_text = kind == "template" and isinstance(value, _SCALARS)  # a number or true/false, meant as text
        want = "text" if meant_text else _WANTED.get(kind) or _KIND_NAMES[expected]  # type: ignore[index]
        problems.append(error(doc.loc(path), f"{_name(path)} must be {want}, found {_found(value)}{hint}", "type"))
        return
    if kind == "template" and not isinstance(value, str):
        _check_edits(doc, spec, value, path, problems)
    elif kind == "value" and isinstance(value, list):
        for i, item in enumerate(value):
            if not isinstance(item, _SCALARS):
                problems.append(
                    error(doc.loc((*path, i)), f"a list item must be a plain value, found {_found(item)}", "type")
                )
    elif kind == "text":
        if spec.pattern and not re.fullmatch(spec.pattern, value):
            message = f"{_name(path)} {value!r} is not {_PATTERN_WORDS.get(spec.pattern, 'valid here')}"
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
            if sub.required and key not in value and not (sub.unless and sub.unless in value):
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


_PATTERN_WORDS = {
    ID_PATTERN: "a valid id (letters, digits, '_', '-', '.')",
    ANCHOR_PATTERN: "a valid anchor (no spaces, quotes, '<', '>' or control characters)",
    NAME_PATTERN: "a valid name (lower-case letters, digits, '-', '_')",
}
_WANTED = {
    "text": "text",
    "template": "text or an edit ({replace: ..., with: ...}, {append: ...}, {prepend: ...})",
    "value": "text, a number, true/false or a list",
    "object": "a mapping",
    "map": "a mapping",
}


def _check_edits(doc: Doc, spec: Shape, value: Any, path: Path_, problems: list[Problem]) -> None:
    """An edit mapping, or a non-empty list of them: exactly one of replace, append, prepend."""
    assert spec.item is not None
    items = value if isinstance(value, list) else [value]
    if not items:
        problems.append(error(doc.loc(path), f"{_name(path)} lists no edits", "type"))
    for n, item in enumerate(items):
        here = (*path, n) if isinstance(value, list) else path
        found = len(problems)
        _check(doc, spec.item, item, here, problems)
        if len(problems) > found or not isinstance(item, dict):
            continue
        ops = [op for op in edits.OPS if op in item]
        if len(ops) != 1:
            what = "give one of replace, append or prepend" if not ops else f"give one of {' or '.join(ops)}, not both"
            problems.append(error(doc.loc(here), f"an edit must say what it does: {what}", "type"))
        elif (ops[0] == edits.REPLACE) != (edits.WITH in item):
            missing = f"'{edits.WITH}'" if ops[0] == edits.REPLACE else f"'{edits.WITH}' only with '{edits.REPLACE}'"
            problems.append(error(doc.loc(here), f"a {ops[0]} edit needs {missing}", "type"))


def json_schema(spec: Shape, title: str | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) equivalent of ``spec``."""
    out: dict[str, Any] = {"description": spec.doc}
    if spec.kind == "text":
        out["type"] = "string"
        if spec.pattern:
            out["pattern"] = spec.pattern
    elif spec.kind == "template" and spec.item:
        edit = json_schema(spec.item)
        edit["oneOf"] = [
            {"required": [edits.REPLACE, edits.WITH]},
            {"required": [edits.APPEND]},
            {"required": [edits.PREPEND]},
        ]
        out["oneOf"] = [{"type": "string"}, edit, {"type": "array", "items": edit, "minItems": 1}]
    elif spec.kind == "value":
        scalar = ["string", "number", "boolean"]
        out["oneOf"] = [{"type": scalar}, {"type": "array", "items": {"type": scalar}}]
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
        required = [key for key, sub in spec.fields.items() if sub.required and not sub.unless]
        if required:
            out["required"] = required
        either = [(key, sub.unless) for key, sub in spec.fields.items() if sub.required and sub.unless]
        if either:
            out["anyOf"] = [{"required": [key]} for pair in either for key in pair]
    if title is not None:
        out = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **out}
    return out


def override_schema_text() -> str:
    """The JSON Schema of override files, as ``variants schema`` prints it and base/ keeps a copy."""
    return json.dumps(json_schema(OVERRIDE, "variants override file"), indent=2) + "\n"


__all__ = [
    "COMPONENT",
    "COMPONENTS",
    "CONTENT",
    "EXTENDS",
    "NAME_PATTERN",
    "OUTPUT",
    "OVERRIDE",
    "PROGRAM",
    "SETTINGS",
    "Shape",
    "json_schema",
    "override_schema_text",
    "validate",
]
