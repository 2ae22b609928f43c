"""A value's chain: the files that set or edited it, base first, and what each wrote of it.

A page's value (an answer, a title, a front-matter entry) is the base's text,
then each component, parent or own override that sets it anew or edits it
(``replace``, ``append``, ``prepend``), in the order the layers apply. Blame
follows the chain to the file and line that wrote a stretch of the value;
adopt follows it to the file that must change.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..pipeline.layers import chain
from ..pipeline.model import Page
from ..problems import Loc
from ..source import edits, fields
from ..source.fields import entries
from ..source.project import Override, Project
from ..source.yamldoc import Doc
from .render import Origin


class Step(NamedTuple):
    """One link of a value's chain: a file that set or edited it."""

    loc: Loc
    how: str  # set | replace | append | prepend
    text: str  # the text it wrote
    layer: str  # base | component | parent | override
    old: str = ""  # the passage a replace looks for
    at: tuple[str | int, ...] = ()  # the value's path in its file


def value_path(doc: Doc, origin: Origin) -> tuple[str | int, ...] | None:
    """Where a document sets the value ``origin`` names, if it does."""
    data = doc.data if isinstance(doc.data, dict) else {}
    if not origin.entry:
        head, _, sub = origin.key.partition(".")
        if sub:
            held = data.get(head)
            return (head, sub) if isinstance(held, dict) and sub in held else None
        return (origin.key,) if origin.key in data else None
    for path, entry in entries(data):
        if entry.get("id") == origin.entry and origin.key in entry:
            return (*path, origin.key)
    return None


def setters(layers: list[tuple[Doc, str]], origin: Origin) -> list[tuple[Doc, tuple[str | int, ...], str]]:
    """Each file of ``layers`` (base content first) that sets the value ``origin`` names: the
    document, the value's path in it, and the layer's kind."""
    found = []
    for doc, layer in layers:
        path = value_path(doc, origin)
        if path is not None:
            found.append((doc, path, layer))
    return found


def page_layers(project: Project, page: Page, override: Override) -> list[tuple[Doc, str]]:
    """The files a page is made of, each with its kind: the base content, then its components,
    parents and its own override, in the order they apply."""
    docs = chain(project, override)
    own = {o.doc.path for o in docs.overrides}
    kinds = [
        (
            layer.doc,
            "component" if layer.kind == "component" else "override" if layer.doc.path == page.source else "parent",
        )
        for layer in docs.layers
        if layer.doc.path in own or layer.kind == "component"
    ]
    return [(project.content, "base"), *kinds]


def value_chain(layers: list[tuple[Doc, str]], origin: Origin) -> list[Step]:
    """Each file of ``layers`` that set or edited the value ``origin`` names, base first; a chain
    of edits of an unset key starts with the chain of the key it defaults to."""
    steps: list[Step] = []
    for doc, path, layer in setters(layers, origin):
        value: Any = doc.data
        for part in path:
            value = value[part]
        if isinstance(value, str):
            steps.append(Step(doc.loc(path), "set", value, layer, at=path))
        elif edits.is_edit(value):
            for edit in edits.edits(value, doc.loc, path):
                steps.append(Step(edit.loc, edit.op, edit.text, layer, edit.old, path))
    if steps and steps[0].how == "set":
        return steps
    default = default_key(origin)
    return (value_chain(layers, default) if default else []) + steps


def default_key(origin: Origin) -> Origin | None:
    """The value an unset key shows instead ("=KEY" or "=page.KEY" in the field table), if any."""
    levels = (fields.QUESTION, fields.SECTION) if origin.entry else (fields.PAGE,)
    for level in levels:
        row = next((k for k in fields.values(level) if k.name == origin.key), None)
        if row is not None and isinstance(row.default, str) and row.default.startswith("="):
            other = row.default[1:]
            if other.startswith("page."):
                return origin._replace(entry="", key=other.removeprefix("page."))
            return origin._replace(key=other)
    return None


def made_by(steps: list[Step]) -> list[tuple[int, int]] | None:
    """For each character of the value the steps make: (the step that wrote it, its offset in
    that step's text); None when a replace does not find its passage (the chain starts from a default)."""
    made: list[tuple[int, int]] = []
    text = ""
    for n, step in enumerate(steps):
        mine = [(n, k) for k in range(len(step.text))]
        if step.how == "set":
            text, made = step.text, mine
        elif step.how == edits.APPEND:
            text, made = text + step.text, made + mine
        elif step.how == edits.PREPEND:
            text, made = step.text + text, mine + made
        else:
            index = text.find(step.old) if step.old else -1
            if index < 0:
                return None
            made = made[:index] + mine + made[index + len(step.old) :]
            text = text[:index] + step.text + text[index + len(step.old) :]
    return made


__all__ = ["Step", "default_key", "made_by", "page_layers", "setters", "value_chain", "value_path"]
