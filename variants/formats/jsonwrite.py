"""Writing JSON as ``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)`` writes it,
without its generator per level (several times faster), and a piece at a time."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring
from typing import Any

from ..diff.textdiff import Line

_CONSTANTS = {None: "null", True: "true", False: "false"}


def newline(level: int) -> str:
    return "\n" + "  " * level


def json_list(items: Iterable[Any], level: int) -> Iterator[str]:
    """A list at nesting ``level``, one item at a time."""
    empty = True
    for item in items:
        yield ("[" if empty else ",") + newline(level + 1) + encode(item, level + 1)
        empty = False
    yield "[]" if empty else newline(level) + "]"


def encode(value: Any, level: int) -> str:
    """``value`` as ``json.dumps`` writes it at nesting ``level``."""
    parts: list[str] = []
    _put(value, level, parts)
    return "".join(parts)


def _put(value: Any, level: int, parts: list[str]) -> None:
    kind = type(value)
    if kind is str:
        parts.append(encode_basestring(value))
    elif kind is dict and all(type(key) is str for key in value):
        if not value:
            parts.append("{}")
            return
        inner = newline(level + 1)
        sep = "{" + inner
        for key in sorted(value):
            item = value[key]
            if type(item) is str:  # the most common value, written here rather than by a call
                parts.append(sep + encode_basestring(key) + ": " + encode_basestring(item))
            else:
                parts.append(sep + encode_basestring(key) + ": ")
                _put(item, level + 1, parts)
            sep = "," + inner
        parts.append(newline(level) + "}")
    elif kind is list or kind is tuple:
        if not value:
            parts.append("[]")
            return
        inner = newline(level + 1)
        sep = "[" + inner
        for item in value:
            if type(item) is str:
                parts.append(sep + encode_basestring(item))
            else:
                parts.append(sep)
                _put(item, level + 1, parts)
            sep = "," + inner
        parts.append(newline(level) + "]")
    elif kind is Line:
        _put_line(value, level, parts)
    elif kind is bool or value is None:
        parts.append(_CONSTANTS[value])
    elif kind is int:
        parts.append(int.__repr__(value))
    else:  # floats, mappings with other keys, anything else: as the json module writes them
        text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
        parts.append(text.replace("\n", newline(level)))


def _put_line(line: Line, level: int, parts: list[str]) -> None:
    """``line`` as ``_put(_json_line(line), level, parts)`` writes it (keys sorted), in one go."""
    inner, segment, field = newline(level + 1), newline(level + 2), newline(level + 3)
    head = (
        f'{{{inner}"new_line": {line.new_no:d},{inner}"old_line": {line.old_no:d},'
        f'{inner}"op": {encode_basestring(line.op)},{inner}"segments": '
    )
    if not line.segments:
        parts.append(f"{head}[]{newline(level)}}}")
        return
    segments = ("," + segment).join(
        f'{{{field}"kind": {encode_basestring(kind)},{field}"text": {encode_basestring(text)}{segment}}}'
        for kind, text in line.segments
    )
    parts.append(f"{head}[{segment}{segments}{inner}]{newline(level)}}}")


__all__ = ["encode", "json_list", "newline"]
