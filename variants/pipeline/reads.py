"""What the templates read, and so which keys an entry needs: of the keys an added entry must set,
those that its layout or any template other than a layout reads (a layout that writes no question
text asks for none; a template that includes, imports or extends another asks for every one)."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, TemplateSyntaxError, meta, nodes

from ..source import fields
from ..source.fields import LAYOUT, QUESTION, SECTION
from ..source.project import LAYOUT_SUFFIX, LAYOUTS, Project

_TO_ADD = {level: tuple(k.name for k in fields.at(level) if k.required_to_add) for level in (SECTION, QUESTION)}
_DEFAULT_LAYOUT = str(fields.key(QUESTION, LAYOUT).default)
# a key read where it is unset reads the key its default names ("toc" shows the question's text)
_FALLS_BACK = {
    k.name: k.default[1:]
    for level in (SECTION, QUESTION)
    for k in fields.values(level)
    if isinstance(k.default, str) and k.default.startswith("=") and "." not in k.default
}
_INCLUDES = frozenset({"\0include"})  # a mark, never a key: the template includes, imports or extends another


def template_reads(templates: dict[str, str]) -> frozenset[str]:
    """Every top-level name, attribute and string the templates read (one that does not parse reads
    nothing: the build reports it, with its line)."""
    each = (_reads(source) for source in templates.values())
    return frozenset().union(*(found for found in each if found is not None))


@lru_cache(maxsize=256)
def _reads(source: str) -> frozenset[str] | None:
    """The names and attributes one template reads; None when it does not parse. Kept per source:
    a process that builds again (``watch``) parses a template once."""
    try:
        ast = _parser().parse(source)
    except TemplateSyntaxError:
        return None
    found = set(meta.find_undeclared_variables(ast))
    found |= {node.attr for node in ast.find_all(nodes.Getattr)}
    # a key named in a string reads it too: q["answer"], q.get("answer"), q|attr("answer")
    found |= {node.value for node in ast.find_all(nodes.Const) if isinstance(node.value, str)}
    if any(True for _ in ast.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends))):
        found |= _INCLUDES
    return frozenset(found)


@lru_cache(maxsize=1)
def _parser() -> Environment:
    return Environment()  # the page templates' syntax: options that only trim whitespace do not change a parse


def required_keys(project: Project, kind: str, layout: object = None) -> tuple[str, ...]:
    """The keys an entry of ``kind`` must set to be added (a question in ``layout``, or the default)."""
    name = _DEFAULT_LAYOUT if layout is None else str(layout)
    return _required(tuple(sorted(project.templates.items())), kind, name)


@lru_cache(maxsize=256)
def _required(templates: tuple[tuple[str, str], ...], kind: str, layout: str) -> tuple[str, ...]:
    files = dict(templates)
    name = f"{LAYOUTS}{layout}{LAYOUT_SUFFIX}"
    if kind == QUESTION and name not in files:  # an unknown layout is an error of its own: ask for every key
        return _TO_ADD[kind]
    # every template but the other layouts: the page template and whatever it or a layout includes
    read = [source for rel, source in files.items() if not rel.startswith(LAYOUTS) or rel == name]
    reads: set[str] = set()
    for source in read:
        found = _reads(source)
        if found is None or _INCLUDES & found:  # reported by the build, or reaching other layouts: every key
            return _TO_ADD[kind]
        reads |= found
    while grown := {_FALLS_BACK[k] for k in reads if k in _FALLS_BACK} - reads:
        reads |= grown
    return tuple(k for k in _TO_ADD[kind] if k in reads)


__all__ = ["required_keys", "template_reads"]
