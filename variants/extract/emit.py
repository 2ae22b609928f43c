"""YAML as a person writes it: block mappings, short entries on one line, texts as block scalars, comments.

``dump`` writes plain data (mappings, lists, texts, numbers, flags) with a
comment above any entry or key whose path (the ids of the entries around it,
then the key) is in ``comments``. What it writes always loads back to exactly
the data: it checks, and falls back to PyYAML's own writing if not.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import yaml
from yaml.emitter import Emitter

from ..source.fields import ID, QUESTIONS, SECTIONS

_FLOW_WIDTH = 110  # an entry of short values is written on one line up to this width
_FLOW_VALUE = 60  # a value longer than this keeps its entry in block style
_TRANSPARENT = (SECTIONS, QUESTIONS)  # keys that add nothing to a comment's path
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _analysis(text: str) -> Any:
    return Emitter(io.StringIO()).analyze_scalar(text)


def _is_text(text: str) -> bool:
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag == _STR


def _quoted(text: str) -> str:
    out = json.dumps(text, ensure_ascii=False)
    return _NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) < 0x10000 else m.group(), out)


def scalar(value: Any, flow: bool = False) -> str:
    """One value on one line: plain where YAML reads it back as the same text, else quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    analysis = _analysis(text)
    plain = analysis.allow_flow_plain if flow else analysis.allow_block_plain
    if text and plain and not analysis.multiline and _is_text(text) and text == text.strip():
        return text
    if text and analysis.allow_single_quoted and not analysis.multiline and "'" not in text:
        return f"'{text}'"
    return _quoted(text)


def _block(text: str, indent: int) -> list[str] | None:
    """A text as a literal block scalar (its indicator line, then its lines), or None where none can hold it."""
    if "\n" not in text or not text.strip("\n") or not _analysis(text).allow_block:
        return None
    trailing = len(text) - len(text.rstrip("\n"))
    body = text.rstrip("\n")
    chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
    first = next(line for line in body.split("\n") if line)
    hint = "2" if first.startswith(" ") else ""
    pad = " " * indent
    return [f"|{hint}{chomp}", *(pad + line if line else "" for line in body.split("\n")), *[""] * max(0, trailing - 1)]


def _flow(value: dict[str, Any] | list[Any], width: int) -> str | None:
    """Short values (or an edit) on one line, where they fit in ``width``; None where they would not read well."""
    items = list(value.values() if isinstance(value, dict) else value)
    if any(isinstance(v, (dict, list)) or (isinstance(v, str) and "\n" in v) for v in items):
        return None
    if isinstance(value, dict):
        text = "{" + ", ".join(f"{scalar(k, True)}: {scalar(v, True)}" for k, v in value.items()) + "}"
        long = any(isinstance(v, str) and len(v) > _FLOW_VALUE for v in items)
        if not _is_edit(value) and (long or len(text) > width):
            return None
        return text
    return "[" + ", ".join(scalar(v, True) for v in value) + "]"


class _Writer:
    def __init__(self, comments: dict[tuple[str, ...], str], flow: tuple[str, ...], within: tuple[str, ...]) -> None:
        self.comments = comments
        self.flow = {(key,) for key in flow}
        self.within = {(key,) for key in within}
        self.lines: list[str] = []

    def comment(self, path: tuple[str, ...], indent: int) -> None:
        if path in self.comments:
            self.lines.extend(" " * indent + f"# {line}" for line in self.comments[path].splitlines())

    def mapping(self, data: dict[str, Any], indent: int, path: tuple[str, ...], first: str = "") -> None:
        for n, (key, value) in enumerate(data.items()):
            here = path if key in _TRANSPARENT else (*path, key)
            lead = first if n == 0 and first else " " * indent
            if not (n == 0 and first) and key not in _TRANSPARENT:
                self.comment(here, indent)
            self.value(f"{lead}{scalar(key)}:", value, indent, here, key)

    def value(self, head: str, value: Any, indent: int, path: tuple[str, ...], key: str) -> None:
        if isinstance(value, dict) and value:
            flow = _flow(value, 0) if _is_edit(value) else None
            if path in self.flow or path[:-1] in self.within:
                flow = _flow(value, _FLOW_WIDTH - len(head) - 1)
            if flow is not None:
                self.lines.append(f"{head} {flow}")
                return
            self.lines.append(head)
            self.mapping(value, indent + 2, path)
        elif isinstance(value, list) and value:
            flow = _flow(value, 0) if all(not isinstance(v, (dict, list)) for v in value) else None
            if flow is not None:
                self.lines.append(f"{head} {flow}")
                return
            self.lines.append(head)
            for item in value:
                self.item(item, indent + 2, path)
        elif isinstance(value, str) and (block := _block(value, indent + 2)) is not None:
            self.lines.append(f"{head} {block[0]}")
            self.lines.extend(block[1:])
        else:
            self.lines.append(f"{head} {scalar(value) if not isinstance(value, (dict, list)) else json.dumps(value)}")

    def item(self, item: Any, indent: int, path: tuple[str, ...]) -> None:
        here = (*path, str(item[ID])) if isinstance(item, dict) and ID in item else ()
        self.comment(here, indent)
        if isinstance(item, dict) and item:
            flow = _flow(item, _FLOW_WIDTH - indent - 2)
            if flow is not None:
                self.lines.append(" " * indent + f"- {flow}")
                return
            self.mapping(item, indent + 2, here, first=" " * indent + "- ")
        else:
            self.value(" " * indent + "-", item, indent, here, "")


def _is_edit(value: dict[str, Any]) -> bool:
    from ..source import edits

    return bool(value) and set(value) <= set(edits.KEYS)


def dump(
    data: dict[str, Any],
    comments: dict[tuple[str, ...], str] | None = None,
    header: str = "",
    flow: tuple[str, ...] = (),
    within: tuple[str, ...] = (),
) -> str:
    """``data`` as YAML with ``header`` and ``comments`` (path -> text) as comments; the mapping of each
    top-level key in ``flow``, and each mapping in those of ``within``, on one line where it fits. It
    loads back to ``data``."""
    writer = _Writer(comments or {}, flow, within)
    writer.mapping(data, 0, ())
    top = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    text = top + "".join(line + "\n" for line in writer.lines) if data else top + "{}\n"
    try:
        same = yaml.load(text, Loader=_LOADER) == (data or {})
    except yaml.YAMLError:
        same = False
    if same:
        return text
    return top + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False)


__all__ = ["dump", "scalar"]
