"""Texts: one content value rendered with a program's variables, in Jinja's sandbox.

Most texts only substitute ``{{ name }}``; those are rendered without Jinja
(the same characters, far cheaper). The rest are compiled once per distinct
text and rendered with strict undefined variables, so a text that names an
unknown variable or reaches for Python internals fails with the file and line
of that text instead of rendering something wrong.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError

from ..problems import Loc, Problem, error, suggest
from .sandbox import LimitedSandbox, OutOfTime, checked, deadline, out_of_time_message, running

SYNTAX = re.compile(r"\{[{%#]")
_JINJA_CONSTANTS = frozenset({"true", "false", "none", "True", "False", "None"})
_VARIABLE = re.compile(r"\{\{ *([A-Za-z_][A-Za-z0-9_]*) *\}\}")


class Compiled(NamedTuple):
    """A text ready to render: plain substitution of ``{{ name }}``, or a Jinja template."""

    names: frozenset[str]
    pieces: tuple[str, ...] = ()  # literal, name, literal, ... when the text is plain substitution
    template: Template | None = None
    cr: str = ""  # the stand-in for carriage returns inside the template, if any

    def render(self, context: dict[str, str]) -> str:
        if self.template is None:
            out = list(self.pieces)
            out[1::2] = [context[name] for name in self.pieces[1::2]]
            return checked("".join(out)) if len(out) > 3 else "".join(out)
        rendered = self.template.render(context)
        return rendered.replace(self.cr, "\r") if self.cr else rendered


def plain_substitution(source: str) -> Compiled | None:
    """Texts whose only syntax is ``{{ name }}`` need no Jinja: the same output, far cheaper."""
    pieces = tuple(_VARIABLE.split(source))
    literals = pieces[0::2]
    if any(SYNTAX.search(lit) for lit in literals) or any(lit.endswith("{") for lit in literals[:-1]):
        return None
    if not _JINJA_CONSTANTS.isdisjoint(pieces[1::2]):  # Jinja reads {{ none }} as its own None
        return None
    return Compiled(frozenset(pieces[1::2]), pieces=pieces)


def variable_spans(source: str) -> list[tuple[int, int, str]] | None:
    """Where a plain-substitution text writes each variable: (start, end, name) of each
    ``{{ name }}``; None when the text is not plain substitution (it has other template syntax)."""
    if plain_substitution(source) is None:
        return None
    return [(m.start(), m.end(), m.group(1)) for m in _VARIABLE.finditer(source)]


class Texts:
    """Compiles and renders texts; each distinct text is compiled once."""

    def __init__(self) -> None:
        self._env: LimitedSandbox | None = None
        self._compiled: dict[str, Compiled | TemplateSyntaxError] = {}
        self._slow: set[str] = set()  # texts that ran out of time: not run again

    @property
    def env(self) -> LimitedSandbox:
        """The environment for texts (made on first use: most texts never need Jinja)."""
        if self._env is None:
            self._env = LimitedSandbox(undefined=StrictUndefined, keep_trailing_newline=True)
        return self._env

    def compile(self, source: str) -> Compiled | TemplateSyntaxError:
        """A text's compiled form and the variables it reads (cached per distinct text)."""
        cached = self._compiled.get(source)
        if cached is None:
            cached = plain_substitution(source) or self.compile_jinja(source)
            self._compiled[source] = cached
        return cached

    def compile_jinja(self, source: str) -> Compiled | TemplateSyntaxError:
        """A text compiled by Jinja, always (``compile`` takes the plain path where it can)."""
        from jinja2 import meta

        cr = _cr_sentinel(source)
        if cr is None:
            return TemplateSyntaxError("a text with carriage returns must leave one private-use character unused", 1)
        escaped = source.replace("\r", cr) if cr else source
        try:
            names = frozenset(meta.find_undeclared_variables(self.env.parse(escaped)))
            return Compiled(names, template=self.env.from_string(escaped), cr=cr)
        except TemplateSyntaxError as exc:
            return exc
        except RecursionError:
            return TemplateSyntaxError("expression nested too deeply", 1)

    def reads(self, source: str) -> frozenset[str]:
        """The variables a text reads (empty for plain text or a text with a syntax error)."""
        if not SYNTAX.search(source):
            return frozenset()
        compiled = self.compile(source)
        return frozenset() if isinstance(compiled, TemplateSyntaxError) else compiled.names

    def render(self, source: str, loc: Loc, context: dict[str, str], problems: list[Problem]) -> str:
        """Render one text; on failure add a problem located in its source file and return ''."""
        if not SYNTAX.search(source):
            return source
        compiled = self.compile(source)
        if isinstance(compiled, TemplateSyntaxError):
            line_start = _offset_of_line(source, (compiled.lineno or 1) - 1)
            message = f"template syntax error: {compiled.message}"
            problems.append(error(loc.inside(source, line_start), message, "template"))
            return ""
        missing = sorted(compiled.names - context.keys())
        for name in missing:
            match = re.search(rf"\b{re.escape(name)}\b", source)
            problems.append(
                error(
                    loc.inside(source, match.start() if match else 0),
                    f"undefined variable '{name}'{suggest(name, context)}",
                    "undefined-variable",
                )
            )
        if missing:
            return ""
        if source in self._slow:
            problems.append(error(loc, f"template error: {out_of_time_message()}", "template"))
            return ""
        alone = not running()  # a text of a page runs within the page's time
        try:
            if not alone:
                return compiled.render(context)
            with deadline():
                return compiled.render(context)
        except OutOfTime as exc:
            self._slow.add(source)
            exc.loc = exc.loc or loc
            if not alone:
                raise
            problems.append(error(loc, f"template error: {out_of_time_message()}", "template"))
        except TemplateError as exc:
            problems.append(error(loc, f"template error: {first_line(exc)}", "template"))
        except Exception as exc:  # the sandbox turns hostile code into ordinary exceptions too
            problems.append(error(loc, f"template error: {type(exc).__name__}: {exc}", "template"))
        return ""


def _cr_sentinel(source: str) -> str | None:
    """A character absent from ``source`` to stand for carriage returns while Jinja renders it.

    Jinja turns every line ending of a template into '\\n'; texts are content, so
    their '\\r\\n' must survive. Empty when the text has no carriage return; None
    when the text uses every private-use character (then it cannot be shielded).
    """
    if "\r" not in source:
        return ""
    return next((chr(c) for c in range(0xE000, 0xF900) if chr(c) not in source), None)


def _offset_of_line(text: str, line: int) -> int:
    offset = 0
    for _ in range(line):
        offset = text.find("\n", offset) + 1
    return offset


def first_line(exc: BaseException) -> str:
    """An exception's message, first line only (messages are one line each)."""
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return text.splitlines()[0] if text else type(exc).__name__


__all__ = ["SYNTAX", "Compiled", "Texts", "first_line", "plain_substitution", "variable_spans"]
