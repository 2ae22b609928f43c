"""Edits of a YAML source file as text: one value set or one entry added, the rest byte for byte.

A hand edit of a page becomes a change of an override, a component or the
base content the way a person would make it: comments, key order, quoting and
blank lines stay; a new key goes at the end of its mapping, a new entry where
it is asked for, in the file's own indentation. Every edit is proven: the
edited text is parsed again and must hold the intended value with everything
else unchanged; what cannot be edited that safely raises ``CannotEdit``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import yaml

from .yamlread import (
    ID,
    CannotEdit,
    check_node,
    empty,
    find_entry,
    find_key,
    line_end,
    line_of,
    line_start,
    read,
    require,
    split,
    value_end,
)
from .yamlwrite import Style, check, detect_style, entry_lines, key_lines, mapping_lines, parts

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_DASH = re.compile(r"( *)- +")


@dataclass(frozen=True)
class Item:
    """Selects the entry of a list of mappings whose ``id`` is ``id``."""

    id: str


YPath = tuple[str | Item, ...]


class _Slot(NamedTuple):
    """Where a value stands: after the ``:`` of its key (or the ``-`` of its entry) at ``col``."""

    node: yaml.Node
    start: int  # just after the ':' or '-'
    col: int  # the key's or dash's column
    key: str | None  # None: a list entry


def _spaced(text: str, nodes: list[yaml.Node], ends: list[int]) -> bool:
    """Whether entries stand apart with a blank line between each two (and so should new ones)."""
    gaps = [
        text[line_end(text, end) : line_start(text, n.start_mark.index)]
        for end, n in zip(ends, nodes[1:], strict=False)
    ]
    return bool(gaps) and all(_BLANK_LINE.search(gap) for gap in gaps)


def _colon(text: str, key: yaml.Node) -> int:
    at = key.end_mark.index
    while text[at : at + 1] == " ":
        at += 1
    if text[at : at + 1] != ":":
        raise CannotEdit("a key written in a way that is not edited ('? key')", line_of(key))
    return int(at) + 1


def _entry_slot(text: str, entry: yaml.Node) -> _Slot:
    start = line_start(text, entry.start_mark.index)
    dash = _DASH.fullmatch(text, start, entry.start_mark.index)
    if dash is None:
        raise CannotEdit("an entry that does not start on its dash's line ('- key: value')", line_of(entry))
    return _Slot(entry, dash.end(1) + 1, dash.end(1) - start, None)


def _build(rest: YPath, value: Any) -> Any:
    """What the missing part ``rest`` of a path holds: ``value`` inside new mappings and entries."""
    if not rest:
        return value
    step, inner = rest[0], _build(rest[1:], value)
    if isinstance(step, str):
        return {step: inner}
    return [{ID: step.id, **inner}]


def _joined(lines: list[str]) -> str:
    return "".join("\n" + line for line in lines)


def _replace(text: str, slot: _Slot, value: Any, style: Style) -> str:
    """``text`` with the value in ``slot`` written anew: its key, and a comment on the key's line, stay."""
    node = slot.node
    if slot.key is None:  # an entry's keys stay where its first key stands
        style = replace(style, entry=max(node.start_mark.column - slot.col, 2))
    head, body = parts(value, slot.col, style, slot.key)
    start, end = node.start_mark.index, value_end(text, node)
    eol = line_end(text, end)
    tail = text[end:eol]  # a comment after the value
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        header = text[start : line_end(text, start)]
        if "#" in header:
            tail = re.search(r"\s*#.*", header).group() + tail  # type: ignore[union-attr]
    if "\n" not in text[slot.start : start]:  # the value starts on the key's (or dash's) line
        if head and start > slot.start:
            return text[:start] + head.lstrip() + tail + _joined(body) + text[eol:]
        return text[: slot.start] + head + tail + _joined(body) + text[eol:]
    first = line_start(text, start)  # a block mapping or list on the lines after its key
    if not head:
        return text[:first] + "\n".join(body) + text[end:]
    key_eol = line_end(text, slot.start)
    if text[key_eol:first].strip():
        raise CannotEdit("comment lines between a key and its value; the value is not rewritten", line_of(node))
    return text[: slot.start] + head + text[slot.start : key_eol] + _joined(body) + text[eol:]


def _add_key(text: str, node: yaml.MappingNode, key: str, value: Any, style: Style) -> str:
    """``text`` with ``key: value`` after the last key of the mapping ``node``."""
    col = node.value[0][0].start_mark.column
    ends = [value_end(text, v) for _, v in node.value]
    at = line_end(text, ends[-1])
    sep = "\n\n" if _spaced(text, [k for k, _ in node.value], ends) else "\n"
    return text[:at] + sep + "\n".join(key_lines(key, value, col, style)) + text[at:]


def _add_entry(text: str, node: yaml.SequenceNode, index: int, entry: Any, style: Style) -> str:
    """``text`` with ``entry`` in the list ``node`` at ``index`` (after the comments of the entry before it)."""
    lines = entry_lines(entry, node.start_mark.column, style)
    ends = [value_end(text, e) for e in node.value]
    sep = "\n\n" if _spaced(text, node.value, ends) else "\n"
    if index:
        at = line_end(text, ends[index - 1])
        return text[:at] + sep + "\n".join(lines) + text[at:]
    at = line_start(text, _entry_slot(text, node.value[0]).start)
    while at and text[line_start(text, at - 1) : at - 1].lstrip().startswith("#"):  # its comments come with it
        at = line_start(text, at - 1)
    return text[:at] + "\n".join(lines) + sep + text[at:]


def _locate(text: str, root: yaml.Node | None, path: YPath, value: Any, style: Style) -> str | _Slot:
    """Follow ``path`` in ``text``: its slot if all of it is there, else ``text`` with the
    missing rest of the path created, holding ``value``."""
    if root is None:  # nothing but comments: the path is the first thing written
        sep = "" if not text or text.endswith("\n") else "\n"
        return text + sep + "\n".join(mapping_lines(_build(path, value), 0, style)) + ("\n" if not sep else "")
    node, slot, label = root, None, "the file"
    for i, step in enumerate(path):
        if slot is not None and empty(node):
            return _replace(text, slot, _build(path[i:], value), style)
        if isinstance(step, str):
            mapping = require(node, yaml.MappingNode, label)
            pair = find_key(mapping, step)
            if pair is None:
                return _add_key(text, mapping, step, _build(path[i + 1 :], value), style)
            node, slot, label = (
                pair[1],
                _Slot(pair[1], _colon(text, pair[0]), pair[0].start_mark.column, step),
                f"'{step}'",
            )
        else:
            sequence = require(node, yaml.SequenceNode, label)
            entry = find_entry(sequence, step.id)
            if entry is None:
                return _add_entry(text, sequence, len(sequence.value), _build(path[i:], value)[0], style)
            node, slot, label = entry, _entry_slot(text, entry), f"entry '{step.id}'"
        check_node(text, node)
    assert slot is not None
    return slot


def _updated(data: Any, path: YPath, change: Callable[[Any], Any]) -> Any:
    """A copy of ``data`` with the value at ``path`` (created where missing) replaced by ``change(value)``."""
    if not path:
        return change(data)
    step, rest = path[0], path[1:]
    if isinstance(step, str):
        mapping = dict(data) if isinstance(data, dict) else {}
        mapping[step] = _updated(mapping.get(step), rest, change)
        return mapping
    items = list(data) if isinstance(data, list) else []
    for i, entry in enumerate(items):
        if isinstance(entry, dict) and entry.get(ID) == step.id:
            items[i] = _updated(entry, rest, change)
            return items
    return [*items, _updated({ID: step.id}, rest, change)]


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types (``True`` is not ``1``), with keys in the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return bool(a == b)


def _line_at(text: str, path: YPath) -> int:
    """The line of the key (or entry) at the end of ``path`` in ``text``, or as far as it goes."""
    node, at = read(text)[0], 0
    for step in path:
        if isinstance(step, str) and isinstance(node, yaml.MappingNode) and (pair := find_key(node, step)):
            at, node = pair[0].start_mark.index, pair[1]
        elif isinstance(step, Item) and isinstance(node, yaml.SequenceNode) and (entry := find_entry(node, step.id)):
            at, node = entry.start_mark.index, entry
        else:
            break
    return text.count("\n", 0, at) + 1


def _edit(
    text: str, path: YPath, change: Callable[[Any], Any], edit: Callable[[str, Any, Style], str], line: YPath
) -> tuple[str, int]:
    """Run ``edit(body, root, style)`` on ``text`` and prove it: the result must read as the
    data of ``text`` with ``change`` applied at ``path`` and nothing else changed; the result
    and the line where the path ``line`` ends in it."""
    body, bom, crlf = split(text)
    root, data = read(body)
    if root is not None and not (isinstance(root, yaml.MappingNode) and not root.flow_style):
        raise CannotEdit("the file is not a block mapping of keys", line_of(root))
    found = detect_style(root)
    for style in (found, replace(found, quote=True)):  # quoted texts, should a block or plain text read back otherwise
        edited = edit(body, root, style)
        result = bom + (edited.replace("\n", "\r\n") if crlf else edited)
        try:
            after = read(result)[1]
        except CannotEdit:
            continue
        if _same(after, _updated(data, path, change)):
            return result, _line_at(edited, line)
    raise CannotEdit("the edited file would not read back as intended; it is left as it is")


def _check_path(path: YPath) -> None:
    if not path or not isinstance(path[0], str):
        raise ValueError(f"a path starts with a key: {path!r}")
    if any(isinstance(a, Item) and isinstance(b, Item) for a, b in itertools.pairwise(path)):
        raise ValueError(f"an Item is followed by a key, not another Item: {path!r}")


def _entry(id_: Any, item: Any) -> dict[str, Any]:
    if not isinstance(item, dict) or not isinstance(id_, str) or item.get(ID, id_) != id_:
        raise ValueError(f"an entry is a mapping with the id {id_!r}: {item!r}")
    return {ID: id_, **{k: v for k, v in item.items() if k != ID}}


def set_value(text: str, path: YPath, value: Any) -> tuple[str, int]:
    """``text`` with the value at ``path`` set to ``value`` (a text, whole number, true/false, or a
    mapping or list of those), creating missing keys and entries on the way; the new text, and the
    1-based line of the key that names the value (or of the entry's dash, for a path ending in an
    ``Item``, whose value is the entry's mapping; its ``id`` goes first)."""
    _check_path(path)
    check(value)
    last = path[-1]
    if isinstance(last, Item):
        value = _entry(last.id, value)

    def edit(body: str, root: Any, style: Style) -> str:
        place = _locate(body, root, path, value, style)
        return place if isinstance(place, str) else _replace(body, place, value, style)

    line = path
    if len(path) > 1 and path[-1] == ID and isinstance(path[-2], Item) and isinstance(value, str):  # a renamed entry
        line = (*path[:-2], Item(value), ID)
    return _edit(text, path, lambda old: value, edit, line)


def insert_item(text: str, seq_path: YPath, item: dict[str, Any], after: str | None) -> tuple[str, int]:
    """``text`` with ``item`` (a mapping with an ``id``) in the list at ``seq_path`` right after the
    entry whose id is ``after`` (first, if ``after`` is None), creating the list and the path to it
    where missing (the item is then its only entry, whatever ``after``); the new text, and the line
    of the item's dash."""
    _check_path(seq_path)
    check(item)
    entry = _entry(item.get(ID), item)

    def edit(body: str, root: Any, style: Style) -> str:
        place = _locate(body, root, seq_path, [entry], style)
        if isinstance(place, str):
            return place
        if empty(place.node):
            return _replace(body, place, [entry], style)
        sequence = require(place.node, yaml.SequenceNode, f"'{place.key}'" if place.key else "the entry")
        if find_entry(sequence, entry[ID]) is not None:
            raise CannotEdit(f"the list already has an entry '{entry[ID]}'", body.count("\n", 0, place.start) + 1)
        index = 0
        if after is not None:
            before = find_entry(sequence, after)
            if before is None:
                raise CannotEdit(
                    f"the list has no entry '{after}' to put the new one after", body.count("\n", 0, place.start) + 1
                )
            index = sequence.value.index(before) + 1
        return _add_entry(body, sequence, index, entry, style)

    def change(old: Any) -> list[Any]:
        items = list(old) if isinstance(old, list) else []
        ids = [e.get(ID) if isinstance(e, dict) else None for e in items]
        at = ids.index(after) + 1 if after in ids else 0
        return [*items[:at], entry, *items[at:]]

    return _edit(text, seq_path, change, edit, (*seq_path, Item(entry[ID])))


__all__ = ["CannotEdit", "Item", "YPath", "insert_item", "set_value"]
