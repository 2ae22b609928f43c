"""A YAML source file read the way the editor needs it: one document, its nodes where they stand.

Marks are character offsets, so the text is taken without a byte order mark
and with ``\\n`` line ends (``split``); the parser is the project's own.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import yaml

from ..source.fields import ID
from ..source.yamldoc import LOADER

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_HIDDEN_BREAKS = re.compile("[\x85\u2028\u2029]")
_C = TypeVar("_C", yaml.MappingNode, yaml.SequenceNode)


class CannotEdit(Exception):
    """Why the file cannot be edited safely at that place, in one line, and the line it is about."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.reason = reason
        self.line = line


def line_of(node: yaml.Node) -> int:
    """The 1-based line where ``node`` starts."""
    return int(node.start_mark.line) + 1


def line_end(text: str, at: int) -> int:
    """The offset of the line break ending the line of ``at`` (the text's end on the last line)."""
    end = text.find("\n", at)
    return len(text) if end < 0 else end


def line_start(text: str, at: int) -> int:
    """The offset where the line of ``at`` starts."""
    return text.rfind("\n", 0, at) + 1


def read(text: str) -> tuple[yaml.Node | None, Any]:
    """The composed document and its data, as the project reads it; one document only."""
    loader = LOADER(text)
    try:
        root = loader.get_single_node()
        return root, loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        if "single document" in str(exc.context):
            raise CannotEdit("a second document starts here; only one-document files are edited", line) from None
        raise CannotEdit(f"not valid YAML: {exc.problem or exc.context}", line) from None
    except (yaml.YAMLError, RecursionError):
        raise CannotEdit("not valid YAML") from None
    finally:
        loader.dispose()


def value_end(text: str, node: yaml.Node) -> int:
    """Where a value's own text ends: its last character, not the blank lines or comments after it
    (a ``|+`` block keeps its trailing blank lines, which are part of its value)."""
    if isinstance(node, yaml.ScalarNode):
        start, end = node.start_mark.index, node.end_mark.index
        if node.style not in ("|", ">"):
            return int(end)
        if "+" in re.match(r"[|>][-+0-9]*", text[start:end]).group():  # type: ignore[union-attr]
            return int(end) - 1 if text[end - 1 : end] == "\n" else int(end)
        return line_end(text, start + len(text[start:end].rstrip(" \n")) - 1)
    if getattr(node, "flow_style", False) or not node.value:
        return int(node.end_mark.index)
    last = node.value[-1]
    return value_end(text, last[1] if isinstance(node, yaml.MappingNode) else last)


def split(text: str) -> tuple[str, str, bool]:
    """``text`` without a byte order mark and with ``\\n`` line ends; the mark; whether they were ``\\r\\n``."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    crlf = "\r\n" in body
    if crlf and body.count("\n") != body.count("\r\n"):
        raise CannotEdit("the file mixes \\r\\n and \\n line ends")
    body = body.replace("\r\n", "\n")
    found = re.search("\r", body) or _HIDDEN_BREAKS.search(body)
    if found:
        what = "a carriage return that ends no line" if found.group() == "\r" else "a line break editors do not show"
        raise CannotEdit(f"{what} (U+{ord(found.group()):04X})", body.count("\n", 0, found.start()) + 1)
    return body, bom, crlf


def check_node(text: str, node: yaml.Node) -> None:
    """Refuse a node written with an anchor or a tag (an alias stands for an anchored node)."""
    if text[node.start_mark.index : node.start_mark.index + 1] in ("&", "!", "*"):
        raise CannotEdit("an anchor, alias or tag on the way to the value; these are not edited", line_of(node))


def empty(node: yaml.Node) -> bool:
    """Whether a value holds nothing (null, ``{}``, ``[]``), so it is written anew when a path goes through it."""
    if isinstance(node, yaml.ScalarNode):
        return bool(node.tag == _NULL)
    return bool(getattr(node, "flow_style", False)) and not node.value


def require(node: yaml.Node, kind: type[_C], label: str) -> _C:
    """``node`` if it is a block mapping (or list, by ``kind``), where a path goes on through it."""
    want, other = ("a mapping", "a list") if kind is yaml.MappingNode else ("a list", "a mapping")
    if isinstance(node, yaml.ScalarNode):
        raise CannotEdit(f"{label} holds a single value, not {want}", line_of(node))
    if not isinstance(node, kind):
        raise CannotEdit(f"{label} is {other}, not {want}", line_of(node))
    if node.flow_style:
        raise CannotEdit(
            f"{label} is written in flow style ({{...}} or [...]); only block style is edited", line_of(node)
        )
    return node


def find_key(node: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The key and value nodes of ``key`` in a mapping, or None; a key written twice is refused."""
    found = None
    for pair in node.value:
        if pair[0].tag == _MERGE:
            raise CannotEdit("a merge key ('<<') in this mapping; it is not edited", line_of(pair[0]))
        if pair[0].tag == _STR and pair[0].value == key:
            if found is not None:
                raise CannotEdit(f"key '{key}' appears twice in this mapping", line_of(pair[0]))
            found = pair
    return found


def find_entry(node: yaml.SequenceNode, id_: str) -> yaml.Node | None:
    """The entry of a list whose ``id`` is the text ``id_``, or None; two such entries are refused."""
    found = None
    for entry in node.value:
        if isinstance(entry, yaml.MappingNode):
            ids = [v for k, v in entry.value if k.tag == _STR and k.value == ID]
            if ids and ids[0].tag == _STR and ids[0].value == id_:
                if found is not None:
                    raise CannotEdit(f"two entries have id '{id_}'", line_of(entry))
                found = entry
    return found


__all__ = [
    "ID",
    "CannotEdit",
    "check_node",
    "empty",
    "find_entry",
    "find_key",
    "line_end",
    "line_of",
    "line_start",
    "read",
    "require",
    "split",
    "value_end",
]
