"""Rendering: a merged page's texts with the program's variables, then the page template.

Both steps run in Jinja's sandbox with strict undefined variables: a text that
names an unknown variable, or reaches for Python internals, fails with the file
and line of that text instead of rendering something wrong.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import yaml
from jinja2 import FunctionLoader, StrictUndefined, Template, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from .errors import Loc, Problem, VariantsError, error
from .merging import Entry, Page, toc_order
from .project import Project
from .schema import suggest

_SYNTAX = re.compile(r"\{[{%#]")
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
PAGE_TEXTS = ("title", "intro", "rule", "toc_end", "footer")


_JINJA_CONSTANTS = frozenset({"true", "false", "none", "True", "False", "None"})
_VARIABLE = re.compile(r"\{\{ *([A-Za-z_][A-Za-z0-9_]*) *\}\}")


class _Compiled(NamedTuple):
    """A text ready to render: plain substitution of ``{{ name }}``, or a Jinja template."""

    names: frozenset[str]
    pieces: tuple[str, ...] = ()  # literal, name, literal, ... when the text is plain substitution
    template: Template | None = None
    cr: str = ""  # the stand-in for carriage returns inside the template, if any

    def render(self, context: dict[str, str]) -> str:
        if self.template is None:
            out = list(self.pieces)
            out[1::2] = [context[name] for name in self.pieces[1::2]]
            return "".join(out)
        rendered = self.template.render(context)
        return rendered.replace(self.cr, "\r") if self.cr else rendered


def _simple(source: str) -> _Compiled | None:
    """Texts whose only syntax is ``{{ name }}`` need no Jinja: the same output, far cheaper."""
    pieces = tuple(_VARIABLE.split(source))
    literals = pieces[0::2]
    if any(_SYNTAX.search(lit) for lit in literals) or any(lit.endswith("{") for lit in literals[:-1]):
        return None
    if not _JINJA_CONSTANTS.isdisjoint(pieces[1::2]):  # Jinja reads {{ none }} as its own None
        return None
    return _Compiled(frozenset(pieces[1::2]), pieces=pieces)


class Renderer:
    """Renders pages of one project; caches compiled templates across programs."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.page_env = SandboxedEnvironment(
            loader=FunctionLoader(self._load_template),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        self._text_env: SandboxedEnvironment | None = None
        self._texts: dict[str, _Compiled | TemplateSyntaxError] = {}
        self._page_template: Template | None = None
        self._layouts: dict[str, Any] = {}

    def _load_template(self, name: str) -> tuple[str, str, Any] | None:
        """Template sources from base/. ``NAME#macro`` is file NAME as a macro ``block(q)``,
        on the same lines (so errors keep their line numbers), for ``layout(q)``."""
        file, _, macro = name.partition("#")
        source = self.project.templates.get(file)
        if source is None:
            return None
        if macro:
            source = "{% macro block(q) %}" + source + "{% endmacro %}"
        return source, f"base/{file}", lambda: True

    def layout(self, question: dict[str, Any]) -> str:
        """One question's block in its layout (base/layouts/NAME.md.j2); ``layout(q)`` in templates.

        Calling a macro is much cheaper than ``{% include %}``, which makes a
        new context for every question of every page.
        """
        name = question["layout"]
        block = self._layouts.get(name)
        if block is None:
            module = self.page_env.get_template(f"layouts/{name}.md.j2#macro").module
            block = self._layouts[name] = getattr(module, "block")  # noqa: B009 - the macro is defined by the source
        return str(block(question))

    @property
    def text_env(self) -> SandboxedEnvironment:
        """The environment for texts (made on first use: most texts never need Jinja)."""
        if self._text_env is None:
            self._text_env = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True)
        return self._text_env

    def compile_text(self, source: str) -> _Compiled | TemplateSyntaxError:
        """A text's compiled form and the variables it reads (cached per distinct text)."""
        cached = self._texts.get(source)
        if cached is None:
            cached = _simple(source) or self._compile_jinja(source)
            self._texts[source] = cached
        return cached

    def _compile_jinja(self, source: str) -> _Compiled | TemplateSyntaxError:
        from jinja2 import meta

        cr = _cr_sentinel(source)
        if cr is None:
            return TemplateSyntaxError("a text with carriage returns must leave one private-use character unused", 1)
        escaped = source.replace("\r", cr) if cr else source
        try:
            names = frozenset(meta.find_undeclared_variables(self.text_env.parse(escaped)))
            return _Compiled(names, template=self.text_env.from_string(escaped), cr=cr)
        except TemplateSyntaxError as exc:
            return exc
        except RecursionError:
            return TemplateSyntaxError("expression nested too deeply", 1)

    def variables_read(self, source: str) -> frozenset[str]:
        """The variables a text reads (empty for plain text or a text with a syntax error)."""
        if not _SYNTAX.search(source):
            return frozenset()
        compiled = self.compile_text(source)
        return frozenset() if isinstance(compiled, TemplateSyntaxError) else compiled.names

    def text(self, source: str, loc: Loc, context: dict[str, str], problems: list[Problem]) -> str:
        """Render one text; on failure add a problem located in its source file and return ''."""
        if not _SYNTAX.search(source):
            return source
        compiled = self.compile_text(source)
        if isinstance(compiled, TemplateSyntaxError):
            line_start = _offset_of_line(source, (compiled.lineno or 1) - 1)
            problems.append(
                error(loc.inside(source, line_start), f"template syntax error: {compiled.message}", "template")
            )
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
        try:
            return compiled.render(context)
        except TemplateError as exc:
            problems.append(error(loc, f"template error: {_message(exc)}", "template"))
        except Exception as exc:  # the sandbox turns hostile code into ordinary exceptions too
            problems.append(error(loc, f"template error: {type(exc).__name__}: {exc}", "template"))
        return ""

    def variables(self, page: Page, problems: list[Problem]) -> dict[str, str]:
        """The program's variables, with base defaults rendered for those it does not set."""
        values = dict(page.variables)
        settings = self.project.settings
        for name, spec in self.project.variables.items():
            if name not in values and spec and "default" in spec:
                loc = settings.loc(("variables", name, "default"))
                values[name] = self.text(str(spec["default"]), loc, values, problems)
        return values

    def render(self, page: Page) -> str:
        """The page's final text."""
        problems: list[Problem] = []
        context = self.variables(page, problems)

        def text(value: str, loc: Loc) -> str:
            return self.text(value, loc, context, problems)

        page_values = {k: text(page.values.get(k, ""), page.locs.get(k, Loc(page.source))) for k in PAGE_TEXTS}
        front_matter = {
            key: text(str(value), page.locs[f"front_matter.{key}"])
            for key, value in page.values.get("front_matter", {}).items()
        }
        sections = [self._section(s, page_values["rule"], text) for s in page.sections]
        if problems:
            raise VariantsError(problems)
        return self._render_page(
            {
                **context,
                **page_values,
                "front_matter": _dump_front_matter(front_matter),
                "sections": sections,
            }
        )

    def _section(self, section: Entry, rule: str, text: Any) -> dict[str, Any]:
        questions = {q.id: self._question(q, rule, text) for q in section.children}
        return {
            "id": section.id,
            "title": text(section.get("title", ""), section.locs.get("title", section.loc)),
            "toc_spacing": section.get("toc_spacing", 1),
            "questions": list(questions.values()),
            "toc": [questions[q.id] for q in toc_order(section)],
        }

    @staticmethod
    def _question(question: Entry, rule: str, text: Any) -> dict[str, Any]:
        values, locs = question.values, question.locs
        body = text(values["question"], locs["question"])
        return {
            "id": question.id,
            "question": body,
            "answer": text(values["answer"], locs["answer"]),
            "toc": text(values["toc"], locs["toc"]) if "toc" in values else body,
            "anchor": values.get("anchor", question.id),
            "rule": text(values["rule"], locs["rule"]) if "rule" in values else rule,
            "layout": values.get("layout", "standard"),
        }

    def _render_page(self, context: dict[str, Any]) -> str:
        name = self.project.template_name
        try:
            if self._page_template is None:
                self._page_template = self.page_env.get_template(name)
            return self._page_template.render(context, layout=self.layout)
        except TemplateSyntaxError as exc:
            where = Loc(exc.filename or f"base/{name}", exc.lineno or 0)
            raise VariantsError(error(where, f"template syntax error: {exc.message}", "template")) from None
        except Exception as exc:  # TemplateError, or a sandbox refusal, raised inside the template
            raise VariantsError(
                error(_template_loc(exc, name), f"template error: {_message(exc)}", "template")
            ) from None


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


def _message(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return text.splitlines()[0] if text else type(exc).__name__


def _template_loc(exc: BaseException, name: str) -> Loc:
    """The innermost template file and line in the traceback (Jinja rewrites frames to template lines)."""
    import traceback

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith("base/"):
            return Loc(frame.filename, frame.lineno or 0)
    return Loc(f"base/{name}")


# Text that YAML writes unquoted, character for character: no indicators, no
# leading or trailing space. Whether it would read back as text (not a number,
# a boolean or null) is the resolver's question, asked separately.
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_ .,/()-]*[A-Za-z0-9_.)]|[A-Za-z_]")
_STR_TAG = "tag:yaml.org,2002:str"


def _plain(text: str) -> bool:
    return bool(_PLAIN.fullmatch(text)) and "  " not in text and _resolve(text) == _STR_TAG


_RESOLVER = yaml.resolver.Resolver()


def _resolve(text: str) -> str:
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag


def _dump_front_matter(values: dict[str, str]) -> str:
    """The front matter as YAML: simple values written directly, the rest by PyYAML (quoted as needed)."""
    if all(_plain(key) and _plain(value) for key, value in values.items()):
        return "".join(f"{key}: {value}\n" for key, value in values.items())
    return yaml.dump(
        values, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False
    )
