"""Values written as YAML text the way a careful person writes them, in a file's own indentation.

A text is plain where it reads back as that text and nothing else, a literal
block (``|``) where it runs over several lines a block can hold exactly, and
double-quoted with escapes otherwise. Mappings and lists are in block style,
except a short partial edit and a short list of single values, which the
sources write on one line (``{replace: a, with: b}``, ``[budget, playbook]``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from ..source.edits import KEYS as EDIT_KEYS

_STR = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_INDICATORS = frozenset(",[]{}:?#")
# What a YAML 1.2 reader, or a YAML 1.1 one other than PyYAML, takes for a number or a yes/no.
_AMBIGUOUS = re.compile(
    r"[yYnN]|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
# Control, format (zero-width, bidi), surrogate and separator characters other than the space:
# invisible or read as line breaks, so they are written as escapes.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp", "Zs"})
_ESCAPES = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


@dataclass(frozen=True)
class Style:
    """How a file indents: what new lines follow, so they look like the lines around them."""

    indent: int = 2  # a nested mapping's keys, past its key's column
    sequence: int = 2  # a list's dashes past its key's column (0: at the key's column)
    entry: int = 2  # a list entry's keys past its dash ('- id: x': 2)
    quote: bool = False  # the fallback: every text double-quoted, nothing as a block or in braces
    width: int = 120  # the longest line a one-line edit or list may make


def _shown(text: str) -> bool:
    """Whether every character of ``text`` may stand as it is, visibly and unambiguously."""
    return all(c == " " or (unicodedata.category(c) not in _HIDDEN and c not in "\ufeff\ufffe\uffff") for c in text)


def plain(text: str, flow: bool = False) -> bool:
    """Whether ``text`` can be written unquoted (inside ``{}``/``[]`` if ``flow``) and reads back as itself."""
    if not text or text != text.strip() or not _shown(text):
        return False
    if text[0] in _INDICATORS and not (text[0] == "-" and len(text) > 1 and text[1] != " "):
        return False
    if ": " in text or " #" in text or text.endswith(":") or text.startswith(("---", "...")):
        return False
    if flow and not _FLOW_INDICATORS.isdisjoint(text):
        return False
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag == _STR and not _AMBIGUOUS.fullmatch(text)


def double_quoted(text: str) -> str:
    """``text`` in double quotes, with escapes for what cannot stand as it is."""
    return '"' + "".join(_escape(c) for c in text) + '"'


def _escape(c: str) -> str:
    if c in _ESCAPES:
        return _ESCAPES[c]
    if _shown(c):
        return c
    n = ord(c)
    return f"\\x{n:02X}" if n <= 0xFF else f"\\u{n:04X}" if n <= 0xFFFF else f"\\U{n:08X}"


def scalar(value: Any, flow: bool = False, quote: bool = False) -> str:
    """A text, number, true/false or null on one line: plain where it can be, else double-quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value if not quote and plain(value, flow) else double_quoted(value)
    raise TypeError(f"cannot write a {type(value).__name__} as YAML")


def literal(text: str, parent: int, indent: int) -> tuple[str, list[str]] | None:
    """``text`` as a literal block under a key or dash at column ``parent``, its lines ``indent``
    further in: the header (``|``, ``|-`` or ``|+``, with an indentation indicator where the first
    line starts with a space) and the lines; None where no block holds ``text`` exactly and visibly."""
    body = text[:-1] if text.endswith("\n") else text
    lines = body.split("\n")
    if "\n" not in text or not body.strip() or not _shown(body.replace("\n", "")):
        return None
    if any(line.endswith(" ") for line in lines):  # trailing spaces are content no reader sees
        return None
    first = next(line for line in lines if line)
    indicator = str(indent) if first.startswith(" ") else ""
    if indicator and not 1 <= indent <= 9:
        return None
    chomp = "+" if text.endswith("\n\n") else "" if text.endswith("\n") else "-"
    pad = " " * (parent + indent)
    return f"|{indicator}{chomp}", [pad + line if line else "" for line in lines]


def check(value: Any) -> None:
    """Raise TypeError unless ``value`` is a text, whole number, true/false, null, or a mapping
    (with text keys) or list of those: what this module writes."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if not isinstance(key, str):
                raise TypeError(f"keys are texts: {key!r}")
            check(inner)
    elif isinstance(value, list):
        for inner in value:
            check(inner)
    elif value is not None and not isinstance(value, (str, int)):
        raise TypeError(f"cannot write a {type(value).__name__} as YAML: {value!r}")


def _flow(value: Any, used: int, style: Style) -> str | None:
    """``value`` on one line in braces or brackets where it is empty, or a short edit or list of values."""
    if isinstance(value, (dict, list)) and not value:
        return "{}" if isinstance(value, dict) else "[]"
    if style.quote:
        return None
    if isinstance(value, dict) and set(value) <= set(EDIT_KEYS):
        items = [f"{scalar(k, True)}: {scalar(v, True)}" for k, v in value.items() if _single(v)]
        text = "{" + ", ".join(items) + "}"
    elif isinstance(value, list):
        items = [scalar(v, True) for v in value if _single(v)]
        text = "[" + ", ".join(items) + "]"
    else:
        return None
    return text if len(items) == len(value) and used + len(text) <= style.width else None


def _single(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def parts(value: Any, col: int, style: Style, key: str | None = None) -> tuple[str, list[str]]:
    """What follows the ``:`` of ``key`` at column ``col`` (or with no key, the ``-`` of a list
    entry there): the rest of that line, with its leading space, and the lines after it."""
    used = col + 2 + (len(scalar(key)) if key is not None else 0)
    one_line = _flow(value, used, style) if isinstance(value, (dict, list)) else None
    if isinstance(value, (dict, list)) and one_line is None:
        if key is None:  # compact: the entry's first key (or dash) on the dash's line
            inner = col + style.entry
            lines = (
                mapping_lines(value, inner, style) if isinstance(value, dict) else sequence_lines(value, inner, style)
            )
            return " " * (style.entry - 1) + lines[0][inner:], lines[1:]
        if isinstance(value, dict):
            return "", mapping_lines(value, col + style.indent, style)
        return "", sequence_lines(value, col + style.sequence, style)
    if one_line is not None:
        return " " + one_line, []
    block = literal(value, col, style.indent) if isinstance(value, str) and not style.quote else None
    if block is not None:
        return " " + block[0], block[1]
    return " " + scalar(value, quote=style.quote), []


def key_lines(key: str, value: Any, col: int, style: Style) -> list[str]:
    """``key: value`` with its key at column ``col``, and the lines of what it holds."""
    head, body = parts(value, col, style, key)
    return [" " * col + scalar(key) + ":" + head, *body]


def entry_lines(value: Any, col: int, style: Style) -> list[str]:
    """One list entry with its dash at column ``col``."""
    head, body = parts(value, col, style)
    return [" " * col + "-" + head, *body]


def mapping_lines(data: dict[str, Any], col: int, style: Style) -> list[str]:
    """The lines of a block mapping with its keys at column ``col``."""
    return [line for key, value in data.items() for line in key_lines(key, value, col, style)]


def sequence_lines(items: list[Any], col: int, style: Style) -> list[str]:
    """The lines of a block list with its dashes at column ``col``."""
    return [line for value in items for line in entry_lines(value, col, style)]


def _nodes(node: yaml.Node) -> Iterator[yaml.Node]:
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, yaml.MappingNode):
            stack.extend(value for _, value in reversed(node.value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))


def detect_style(root: yaml.Node | None) -> Style:
    """The indentation most of a composed document uses (2 spaces, lists indented, by default)."""
    indents: Counter[int] = Counter()
    sequences: Counter[int] = Counter()
    entries: Counter[int] = Counter()
    for node in _nodes(root) if root is not None else ():
        if isinstance(node, yaml.MappingNode) and not node.flow_style:
            for key, value in node.value:
                if isinstance(value, yaml.CollectionNode) and value.value and not value.flow_style:
                    offset = value.start_mark.column - key.start_mark.column
                    if isinstance(value, yaml.SequenceNode):
                        sequences[offset] += 1
                    elif offset > 0:
                        indents[offset] += 1
        elif isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
            first = node.value[0]
            if isinstance(first, yaml.MappingNode) and first.start_mark.line == node.start_mark.line:
                entries[first.start_mark.column - node.start_mark.column] += 1
    indent = indents.most_common(1)[0][0] if indents else 2
    sequence = sequences.most_common(1)[0][0] if sequences else indent
    entry = entries.most_common(1)[0][0] if entries else 2
    return Style(indent=indent, sequence=sequence, entry=max(entry, 2))


__all__ = [
    "Style",
    "check",
    "detect_style",
    "double_quoted",
    "entry_lines",
    "key_lines",
    "literal",
    "mapping_lines",
    "parts",
    "plain",
    "scalar",
    "sequence_lines",
]
