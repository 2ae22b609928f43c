"""The shape of the three kinds of source file, declared once.

The same declarations drive validation (with file:line:col and "did you mean")
and the JSON Schema printed by ``variants schema``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from .errors import Problem, error
from .loading import Doc, Path_

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
# Not Jinja's own constants: {{ none }} would print None, not the variable.
VAR_PATTERN = r"^(?!(?:true|false|none|True|False|None)$)[A-Za-z_][A-Za-z0-9_]*$"


class Field(NamedTuple):
    """One key of a mapping: its kind, what it means, and whether it must be there."""

    kind: str  # text | bool | int | list | object | map
    doc: str
    required: bool = False
    item: Field | None = None  # for list and map
    fields: Mapping[str, Field] = MappingProxyType({})  # for object (read-only: the default is shared)
    pattern: str | None = None  # for text, and for the keys of a map
    minimum: int | None = None


def _text(doc: str, required: bool = False, pattern: str | None = None) -> Field:
    return Field("text", doc, required=required, pattern=pattern)


_POSITION = {
    "after": _text("Place this entry just after the entry with this id.", pattern=ID_PATTERN),
    "before": _text("Place this entry just before the entry with this id.", pattern=ID_PATTERN),
    "remove": Field("bool", "Remove the base entry with this id from this program's page."),
}

_QUESTION_FIELDS = {
    "id": _text("Stable id: the merge key, and the table-of-contents link target.", True, ID_PATTERN),
    "question": _text("The question as the page body shows it (template text)."),
    "answer": _text("The answer, Markdown with inline HTML (template text); keep its trailing newlines."),
    "toc": _text("The question as the table of contents shows it, where it differs from the body."),
    "anchor": _text("The anchor written above the question in the body, where it differs from the id."),
    "rule": _text("The separator line written above this question (default: the page's rule)."),
    "layout": _text(
        "Which block layout in base/layouts/ renders this question (default: standard).", pattern=ID_PATTERN
    ),
    "toc_before": _text("List this question in the table of contents before this id.", pattern=ID_PATTERN),
    "toc_after": _text("List this question in the table of contents after this id.", pattern=ID_PATTERN),
}

_SECTION_FIELDS = {
    "id": _text("Stable id: the merge key of the section.", True, ID_PATTERN),
    "title": _text("The section's heading in the table of contents (template text)."),
    "toc_spacing": Field(
        "int", "Blank lines written before this section's heading in the table of contents.", minimum=0
    ),
}

_PAGE_FIELDS = {
    "front_matter": Field(
        "map", "Front-matter keys and their values (template text), in order.", item=_text("A front-matter value.")
    ),
    "title": _text("The page's H1 heading (template text)."),
    "intro": _text("The paragraph under the heading (template text)."),
    "rule": _text("The default separator line between questions."),
    "toc_end": _text("Text written on the line after the table of contents."),
    "footer": _text("Text written after the last question, up to the end of the file."),
}


def _question(override: bool) -> Field:
    fields = {**_QUESTION_FIELDS, **(_POSITION if override else {})}
    return Field("object", "A question and its answer.", fields=fields)


def _section(override: bool) -> Field:
    fields = {
        **_SECTION_FIELDS,
        "questions": Field("list", "The section's questions, in body order.", item=_question(override)),
        **(_POSITION if override else {}),
    }
    return Field("object", "A section of questions.", fields=fields)


SETTINGS = Field(
    "object",
    "base/variants.yml: project settings.",
    fields={
        "template": _text("The page template in base/ (default: page.md.j2)."),
        "output": _text(
            "Output file name pattern; {slug} is the override file's name without .yml (default: {slug}.md)."
        ),
        "variables": Field(
            "map",
            "Program variables that overrides set under 'program:' and texts use as {{ name }}.",
            pattern=VAR_PATTERN,
            item=Field(
                "object",
                "One program variable.",
                fields={
                    "help": _text("What the variable means, for people writing overrides."),
                    "required": Field("bool", "Every override must set it."),
                    "default": _text("Value when an override does not set it (template text over other variables)."),
                },
            ),
        ),
    },
)

CONTENT = Field(
    "object",
    "base/content.yml: the content every program shares.",
    fields={**_PAGE_FIELDS, "sections": Field("list", "Sections, in page order.", required=True, item=_section(False))},
)

OVERRIDE = Field(
    "object",
    "overrides/<program>.yml: what one program changes. Lists merge by id.",
    fields={
        "program": Field(
            "map",
            "Values of the program variables declared in base/variants.yml.",
            required=True,
            pattern=VAR_PATTERN,
            item=_text("A variable's value (plain text, not a template)."),
        ),
        "output": _text("Output file name in out/ (default from base/variants.yml's pattern)."),
        **_PAGE_FIELDS,
        "sections": Field(
            "list",
            "Sections to add, change, move or remove, matched to the base by id.",
            item=_section(True),
        ),
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


def suggest(word: str, choices: list[str] | tuple[str, ...] | set[str] | Any) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or nothing."""
    import difflib  # only on the error path: start-up stays light

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def validate(doc: Doc, spec: Field) -> list[Problem]:
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


def _check(doc: Doc, spec: Field, value: Any, path: Path_, problems: list[Problem]) -> None:
    # Called for every value of every file: locations and names are worked out only for problems.
    kind = spec.kind
    expected = _TYPES[kind]
    if not _is_a(value, expected):
        hint = " (put it in quotes)" if kind == "text" and isinstance(value, (int, float, bool)) else ""
        want = {"text": "text", "object": "a mapping", "map": "a mapping"}.get(kind, _KIND_NAMES[expected])
        problems.append(error(doc.loc(path), f"{_name(path)} must be {want}, found {_found(value)}{hint}", "type"))
        return
    if kind == "text":
        if spec.pattern and not re.match(spec.pattern, value):
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
            if spec.pattern and not re.match(spec.pattern, key):
                problems.append(error(doc.key_loc((*path, key)), f"'{key}' is not a valid name", "type"))
            _check(doc, spec.item, item, (*path, key), problems)
    elif kind == "int" and spec.minimum is not None and value < spec.minimum:
        problems.append(error(doc.loc(path), f"{_name(path)} must be at least {spec.minimum}", "type"))


def json_schema(spec: Field, title: str | None = None) -> dict[str, Any]:
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
