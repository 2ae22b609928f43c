"""The structure of two merged pages compared: deepdiff over plain data, sorted into page parts.

Most of a program's page is the base's, so the parts equal on both sides are
left out first (plain equality is cheap) and deepdiff compares what is left.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from deepdiff import DeepDiff

from ..pipeline.merge import map_loc_key
from ..pipeline.model import Page
from ..source import fields

if TYPE_CHECKING:
    from .sides import Side

_PAGE_TEXTS = tuple(k.name for k in fields.values(fields.PAGE) if k.kind != "map")
_MAP = next(k.name for k in fields.values(fields.PAGE) if k.kind == "map")


@dataclass(slots=True)
class Changes:
    """What deepdiff found, by page part."""

    page: set[str] = field(default_factory=set)
    sections: dict[str, str] = field(default_factory=dict)  # id -> added | removed
    questions: dict[str, str] = field(default_factory=dict)
    section_fields: dict[str, set[str]] = field(default_factory=dict)
    question_fields: dict[str, set[str]] = field(default_factory=dict)
    orders: set[str] = field(default_factory=set)  # '' for the section order, else a section id


# Structure: deepdiff over plain data, then statements.


Part = tuple[str, ...]  # a part of the model: see content_model


def content_model(page: Page) -> dict[Part, Any]:
    """The merged content as plain data, the shape deepdiff compares: ``("page",)`` and
    ``("front_matter",)`` the page's own values, ``("section", sid)`` a section's values,
    ``("question", sid, qid)`` a question's, ``("order",)`` the section ids in order and
    ``("order", sid)`` the section's question ids in order. One level per part keeps
    deepdiff's walk short; the values are the entries' own, which nothing here changes."""
    model: dict[Part, Any] = {
        ("page",): {k: page.values[k] for k in _PAGE_TEXTS if k in page.values},
        (_MAP,): page.values.get(_MAP, {}),
        ("order",): [s.id for s in page.sections],
    }
    for section in page.sections:
        model["section", section.id] = section.values
        model["order", section.id] = [q.id for q in section.children]
        for question in section.children:
            model["question", section.id, question.id] = question.values
    return model


def changes(old: Side, new: Side) -> Changes:
    """Every difference deepdiff finds between two merged pages, sorted into page parts.

    Most of a program's page is the base's, so the parts equal on both sides are left
    out first (plain equality is cheap) and deepdiff compares what is left. It compares
    key by key however few keys two mappings share: by default (deepdiff 8) it reports
    mappings with under a third of their keys in common as one changed value, which
    names none of the keys (a section given many new questions would declare none)."""
    old_model, new_model = _pruned(old.model, new.model)
    found = Changes()
    if not old_model and not new_model:
        return found
    tree = DeepDiff(old_model, new_model, view="tree", threshold_to_diff_deeper=0)
    # deepdiff's order of kinds changes from run to run; a question in different sections
    # on the two sides is both added and removed, and is noted as added, where it is now.
    paths = [
        (level.path(output_format="list"), kind == "dictionary_item_added")
        for kind in sorted(tree, key=lambda kind: (kind == "dictionary_item_added", kind))
        for level in tree[kind]
    ]
    # A section added or removed stands for its questions: they are not noted one by one.
    whole = {path[0][1] for path, _ in paths if len(path) == 1 and path[0][0] == "section"}
    for path, added in paths:
        _note(found, path, added, whole)
    return found


def _pruned(old: dict[Any, Any], new: dict[Any, Any]) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """``old`` and ``new`` without the keys whose values are the same on both sides, at every
    level of nested mappings: deepdiff finds the same differences in what is left."""
    old_left: dict[Any, Any] = {}
    new_left: dict[Any, Any] = {}
    for key, value in old.items():
        if key not in new:
            old_left[key] = value
        elif not _same(value, new[key]):
            other = new[key]
            if type(value) is dict and type(other) is dict:
                old_left[key], new_left[key] = _pruned(value, other)
            else:
                old_left[key], new_left[key] = value, other
    for key, value in new.items():
        if key not in old:
            new_left[key] = value
    return old_left, new_left


def _same(old: Any, new: Any) -> bool:
    """No difference for deepdiff: equal values of the same types, at every level."""
    if old is new:
        return True
    if type(old) is not type(new):
        return False
    if type(old) is dict:
        return bool(old.keys() == new.keys()) and all(_same(value, new[key]) for key, value in old.items())
    if type(old) is list:
        return len(old) == len(new) and all(map(_same, old, new))
    return bool(old == new)


def _note(found: Changes, path: list[Any], added: bool, whole: set[str]) -> None:
    """Note one difference at ``path`` (a part of the model, then keys inside it)."""
    part, keys = path[0], path[1:]
    kind, ids = part[0], part[1:]
    if kind == "page" and keys:
        found.page.add(keys[0])
    elif kind == _MAP and keys:
        found.page.add(map_loc_key(_MAP, keys[0]))
    elif kind == "section" and not keys:
        found.sections[ids[0]] = "added" if added else "removed"
    elif kind == "section":
        found.section_fields.setdefault(ids[0], set()).add(keys[0])
    elif kind == "question" and not keys and ids[0] not in whole:
        found.questions[ids[1]] = "added" if added else "removed"
    elif kind == "question" and keys:
        found.question_fields.setdefault(ids[1], set()).add(keys[0])
    elif kind == "order":
        found.orders.add(ids[0] if ids else "")


def moved(old_ids: list[str], new_ids: list[str], declared: set[str]) -> list[str]:
    """Ids in both lists whose place changed: those an override places (``declared``) that
    now follow another id, then those outside the longest run the others keep in order."""
    common = set(old_ids) & set(new_ids)
    a = [i for i in old_ids if i in common]
    b = [i for i in new_ids if i in common]
    if a == b:
        return []
    moved = {i for i in declared & common if _before(a, i) != _before(b, i)}
    a = [i for i in a if i not in moved]
    b = [i for i in b if i not in moved]
    kept: set[str] = set()
    for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        kept.update(b[block.b : block.b + block.size])
    moved.update(i for i in b if i not in kept)
    return [i for i in new_ids if i in moved]


def _before(ids: list[str], eid: str) -> str | None:
    k = ids.index(eid)
    return ids[k - 1] if k else None


__all__ = ["Changes", "Part", "changes", "content_model", "moved"]
