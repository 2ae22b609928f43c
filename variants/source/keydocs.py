"""The key reference, written from the field table: what README's override format section lists."""

from __future__ import annotations

from . import fields
from .schema import OVERRIDE

_KINDS = {
    "text": "text",
    "id": "an id",
    "html-id": "an HTML id",
    "int": "a whole number",
    "bool": "true/false",
    "map": "a mapping",
    "list": "a list",
}
_TITLES = {fields.PAGE: "The page (top level of a file)", fields.SECTION: "A section", fields.QUESTION: "A question"}


def _default(row: fields.Key) -> str:
    default = row.default
    if default is None or default == {} or default == "":
        return ""
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, str) and default.startswith("=page."):
        return f"the page's `{default[len('=page.') :]}`"
    if isinstance(default, str) and default.startswith("="):
        return f"its `{default[1:]}`"
    return f"`{default}`"


def key_tables() -> str:
    """Markdown tables of every key, by level, with its kind, default and meaning."""
    out = []
    files = {
        k: s for k, s in OVERRIDE.fields.items() if k not in {row.name for row in fields.at(fields.PAGE, base=False)}
    }
    out += ["Override files only:", "", "| key | what |", "| --- | --- |"]
    out += [f"| `{key}` | {shape.doc} |" for key, shape in files.items()]
    for level in fields.LEVELS:
        out += ["", f"{_TITLES[level]}:", "", "| key | kind | default | what |", "| --- | --- | --- | --- |"]
        for row in fields.at(level, base=False):
            kind = (
                _KINDS[row.kind]
                + (", template" if row.template else "")
                + (", override only" if row.override_only else "")
            )
            out.append(f"| `{row.name}` | {kind} | {_default(row)} | {row.doc} |")
    return "\n".join(out) + "\n"


__all__ = ["key_tables"]
