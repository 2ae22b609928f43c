"""Reading source files: size and encoding checks, YAML with a location for every value.

PyYAML's ``safe_load`` silently keeps the last of two equal keys, expands aliases
without limit and forgets where each value came from. Here the document is
composed into nodes (by libyaml where present) and turned into plain data by hand,
so duplicate keys are errors, alias expansion is bounded, and every key and value
keeps its file, line and column for error messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..problems import Loc, Problem, VariantsError, error
from .files import read_text

# Values reached again through aliases, beyond their first place. Without aliases a
# file of at most 1 MiB holds a bounded number of values, however many, so only
# what aliases repeat is counted ("billion laughs" repeats a few values 10^9 times).
MAX_NODES = 100_000
MAX_DEPTH = 200

# The parser: libyaml's where PyYAML has it. The pure-Python one checks depth either way.
LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple[str | int, ...]
_STR = "tag:yaml.org,2002:str"
_KNOWN_TAGS = frozenset(tag for tag in yaml.SafeLoader.yaml_constructors if tag is not None)
_SPACES = re.compile(" *")
_INDICATOR_RUN = re.compile(r"(?:[-?:] +){50}")


@dataclass
class Doc:
    """A YAML document as plain data, with where each key and value stands."""

    path: str
    data: Any
    # (line, column, style) of each value and (line, column) of each key, 1-based;
    # kept as tuples because most are never asked for.
    values: dict[Path_, tuple[int, int, str]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def loc(self, path: Path_) -> Loc:
        """Where the value at ``path`` stands (or its nearest enclosing value)."""
        while path not in self.values and path:
            path = path[:-1]
        where = self.values.get(path)
        return Loc(self.path, *where) if where else Loc(self.path)

    def key_loc(self, path: Path_) -> Loc:
        """Where the key that names ``path`` stands."""
        where = self.keys.get(path)
        return Loc(self.path, *where) if where else self.loc(path)


def _mark_loc(name: str, mark: Any) -> Loc:
    return Loc(name, mark.line + 1, mark.column + 1) if mark is not None else Loc(name)


def _check_depth(text: str, name: str) -> None:
    """libyaml's composer recurses in C and crashes on very deep nesting: refuse it first.

    Only flow brackets and runs of block indicators on one line ('- - - ...')
    can nest deeply in a file of at most 1 MiB; other nesting needs ever more
    indentation. The event scan runs only when one of those is present.
    """
    if text.count("[") + text.count("{") < MAX_DEPTH and not _INDICATOR_RUN.search(text):
        return
    try:
        too_deep = _too_deep(text, name, LOADER)
    except yaml.YAMLError as exc:
        raise VariantsError(_parse_problem(exc, name, text)) from None
    if too_deep is not None:
        raise VariantsError(too_deep)


def _too_deep(text: str, name: str, loader_class: type[yaml.SafeLoader]) -> Problem | None:
    """The place where ``text`` nests deeper than MAX_DEPTH, or None; YAML errors propagate."""
    depth = 0
    loader = loader_class(text)
    try:
        while loader.check_event():
            event = loader.get_event()  # type: ignore[no-untyped-call]
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return error(_mark_loc(name, event.start_mark), f"nesting deeper than {MAX_DEPTH} levels", "size")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    finally:
        loader.dispose()
    return None


def _python_depth_problem(text: str, name: str) -> Problem | None:
    """Whether nesting is what is wrong with ``text``, and where, by the pure-Python
    parser: it has no nesting limit of its own and reads events without recursing."""
    try:
        return _too_deep(text, name, yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def _parse_problem(exc: yaml.YAMLError, name: str, text: str) -> Problem:
    """The problem behind a parser's error. libyaml stops at a nesting limit of its own
    (1,000 levels in 0.2.5, with its own message, and it may look far ahead before it
    says so), so nesting is checked first: the message is the same with any parser."""
    return (LOADER is not yaml.SafeLoader and _python_depth_problem(text, name)) or _yaml_problem(exc, name, text)


def _yaml_problem(exc: yaml.YAMLError, name: str, text: str = "") -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow, at a text offset
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        return error(Loc(name, line, col), f"YAML error: character #x{exc.character:04x} is not allowed in YAML")
    if not isinstance(exc, yaml.MarkedYAMLError):
        return error(name, f"YAML error: {str(exc).splitlines()[0]}")
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or exc.context or "invalid YAML"
    if mark is not None and text[mark.index : mark.index + 1] == "\t":
        what = "tab character used for indentation (YAML allows spaces only)"
    return error(_mark_loc(name, mark), f"YAML syntax error: {what}")


class _Builder:
    """Turns a composed node graph into plain data, recording locations and problems."""

    def __init__(self, loader: yaml.SafeLoader, name: str, text: str) -> None:
        self.loader = loader
        self.text = text
        self.name = name
        self.doc = Doc(name, None)
        self.problems: list[Problem] = []
        self.aliased = "&" in text  # an alias needs an anchor: most files have none, and need no count
        self.seen: set[int] = set()
        self.repeated = 0

    def _count(self, node: yaml.Node) -> None:
        """Count a value reached again through an alias (the composer gives the same node)."""
        if id(node) not in self.seen:
            self.seen.add(id(node))
            return
        self.repeated += 1
        if self.repeated > MAX_NODES:
            message = f"aliases repeat more than {MAX_NODES} values (alias bomb?)"
            raise VariantsError(error(_mark_loc(self.name, node.start_mark), message, "size"))

    def build(self, node: yaml.Node, path: Path_, depth: int = 0) -> Any:
        if self.aliased:
            self._count(node)
        if depth > MAX_DEPTH:
            raise VariantsError(
                error(_mark_loc(self.name, node.start_mark), f"nesting deeper than {MAX_DEPTH} levels", "size")
            )
        mark = node.start_mark
        if node.tag not in _KNOWN_TAGS:  # '!!python/object:...', '!custom': nothing constructs it
            self.problems.append(error(_mark_loc(self.name, mark), f"YAML error: tag '{node.tag}' is not supported"))
            return None
        if isinstance(node, yaml.MappingNode):
            self.doc.values[path] = (mark.line + 1, mark.column + 1, "")
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            self.doc.values[path] = (mark.line + 1, mark.column + 1, "")
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        style = getattr(node, "style", None) or ""  # scalars have a style; other nodes are handled above
        if style in ("|", ">"):
            # The text starts on the line after the `|` or `>` indicator, at its indentation.
            start = self.text.find("\n", mark.index) + 1
            indent = _SPACES.match(self.text, start).end() - start if start else 0  # type: ignore[union-attr]
            self.doc.values[path] = (mark.line + 2, indent + 1, style)
        else:
            self.doc.values[path] = (mark.line + 1, mark.column + 1, style)
        if node.tag == _STR:
            return node.value
        return self._construct(node)

    def _construct(self, node: yaml.Node) -> Any:
        """A scalar's value by its tag; a value its tag cannot hold ('!!int abc') is a problem."""
        try:
            return self.loader.construct_object(node)
        except yaml.MarkedYAMLError as exc:
            self.problems.append(_yaml_problem(exc, self.name))
        except (ValueError, KeyError, TypeError, AttributeError):
            where = _mark_loc(self.name, node.start_mark)
            self.problems.append(
                error(where, f"YAML error: {node.value!r} is not a valid {node.tag.rsplit(':', 1)[-1]}")
            )
        return None

    def _mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            mark = key_node.start_mark
            key_at = (mark.line + 1, mark.column + 1)
            if key_node.tag == _STR:
                key = key_node.value
            elif key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(
                    error(Loc(self.name, *key_at), "merge keys ('<<') are not supported; write the keys out")
                )
                continue
            else:
                known = len(self.problems)
                key = self._construct(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                if len(self.problems) > known:
                    continue
            if not isinstance(key, str):
                self.problems.append(error(Loc(self.name, *key_at), "keys must be plain text"))
                continue
            if key in result:
                first = self.doc.keys[(*path, key)]
                self.problems.append(
                    error(
                        Loc(self.name, *key_at),
                        f"duplicate key '{key}' (first defined at line {first[0]})",
                        "key-duplicates",
                    )
                )
                continue
            self.doc.keys[(*path, key)] = key_at
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result


def parse_yaml(text: str, name: str) -> Doc:
    """Parse one YAML document that must be a mapping; raise with every problem found."""
    _check_depth(text, name)
    loader = LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise VariantsError(error(Loc(name, 1, 1), "file is empty; expected a mapping of keys", "document"))
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
            raise VariantsError(
                error(_mark_loc(name, node.start_mark), f"expected a mapping of keys, found {kind}", "document")
            )
        builder = _Builder(loader, name, text)
        builder.doc.data = builder.build(node, ())
    except yaml.YAMLError as exc:
        raise VariantsError(_parse_problem(exc, name, text)) from None
    except RecursionError:  # the pure-Python composer recurses once per level
        too_deep = _python_depth_problem(text, name)
        raise VariantsError(too_deep or error(name, f"nesting deeper than {MAX_DEPTH} levels", "size")) from None
    finally:
        loader.dispose()
    if builder.problems:
        raise VariantsError(builder.problems)
    return builder.doc


def load_yaml(path: Path, display: str | None = None) -> Doc:
    """Read and parse a YAML mapping file."""
    name = display or str(path)
    return parse_yaml(read_text(path, name), name)


__all__ = ["LOADER", "MAX_DEPTH", "MAX_NODES", "Doc", "Path_", "load_yaml", "parse_yaml"]
