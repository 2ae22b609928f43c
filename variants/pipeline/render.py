"""Rendering: a merged page's texts with the program's variables, then the page template.

The render context is derived from the field table: every value key of the
page, a section or a question is there, rendered where it is a template and
with its declared default where it is unset. The page template and its
layouts render in Jinja's sandbox with undefined names as errors.
"""

from __future__ import annotations

import re
from typing import Any, Literal, NamedTuple, Protocol

from jinja2 import BytecodeCache, FunctionLoader, StrictUndefined, Template, TemplateSyntaxError
from jinja2.bccache import Bucket

from ..problems import Loc, Problem, VariantsError, error
from ..source import fields
from ..source.fields import ID, LAYOUT, PAGE, QUESTION, QUESTIONS, SECTION
from ..source.project import LAYOUT_SUFFIX, LAYOUTS, Project
from . import sandbox
from .frontmatter import dump_front_matter
from .merge import map_loc_key
from .model import Entry, Page, toc_order
from .sandbox import LimitedSandbox, OutOfTime, deadline, out_of_time_message, template_line
from .texts import Texts, first_line

_PAGE = tuple(k for k in fields.values(PAGE))
_SECTION = tuple(k for k in fields.values(SECTION) if k.role != fields.ORDER)
_QUESTION = tuple(k for k in fields.values(QUESTION) if k.role != fields.ORDER)
TOC = "toc"  # a section's questions in table-of-contents order, in the template's context
_MACRO, _INLINE = "macro", "inline"
# {{ layout(q) }}, with its whitespace control: the call the page template makes once per question
_LAYOUT_CALL = re.compile(r"\{\{(-?)\s*layout\(\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\)\s*(-?)\}\}")
_FINAL_NEWLINE = next(k.name for k in _PAGE if k.read_as == fields.APPLIED and k.kind == "bool")


class Marker(Protocol):
    """Marks where each rendered text came from, for tracing (``trace``); rendering without one
    is the ordinary render."""

    def text(self, rendered: str, source: str, loc: Loc, entry: str, key: str) -> str:
        """A text value as rendered, marked (``entry`` is its entry's id, '' for the page)."""
        ...

    def front_matter(self, name: str, rendered: dict[str, Any], page: Page) -> str:
        """A page-level map written as front matter, marked key by key."""
        ...

    def entry(self, context: dict[str, Any]) -> None:
        """A section's or question's context as made: a key showing another's value by default is
        marked as its own."""
        ...


class Compiled(BytecodeCache):
    """The page templates as compiled, kept in memory by a process that builds again (``watch``):
    Jinja compiles a template again only when its source changed. Never kept on disk, where code
    that skipped the compiler could skip the sandbox too."""

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, bytes]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        known = self._code.get(bucket.key)
        if known is not None and known[0] == bucket.checksum:
            bucket.bytecode_from_string(known[1])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = (bucket.checksum, bucket.bytecode_to_string())


class Renderer:
    """Renders pages of one project; caches compiled templates and texts across programs (and
    across builds, with the ``compiled`` templates of the last one)."""

    def __init__(self, project: Project, compiled: Compiled | None = None) -> None:
        self.project = project
        self.page_env = LimitedSandbox(
            loader=FunctionLoader(self._load_template),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            bytecode_cache=compiled,
        )
        self.texts = Texts()
        self._page_template: Template | None = None
        self._inlined: Template | Literal[False] | None = None  # the page template with its layouts inlined
        self._layouts: dict[str, Any] = {}
        self._out_of_time: Problem | None = None  # base/ ran out of time once: other pages are not tried

    def _load_template(self, name: str) -> tuple[str, str, Any] | None:
        """Template sources from base/. ``NAME#macro`` is file NAME as a macro ``block(q)``,
        on the same lines (so errors keep their line numbers), for ``layout(q)``;
        ``NAME#inline`` is the page template with each ``{{ layout(q) }}`` replaced by the layouts."""
        file, _, variant = name.partition("#")
        source = self.project.templates.get(file)
        if source is None:
            return None
        if variant == _MACRO:
            source = "{% macro block(q) %}" + source + "{% endmacro %}"
        elif variant == _INLINE:
            layouts = {n: self.project.templates[f"{LAYOUTS}{n}{LAYOUT_SUFFIX}"] for n in self.project.layouts()}
            if all(self._reads_only_q(text) for text in layouts.values()):  # else the macro's scope matters
                source = inline_layouts(source, layouts)
        return source, f"base/{file}", lambda: True

    def _reads_only_q(self, layout: str) -> bool:
        """Whether a layout reads nothing but ``q`` and Jinja's globals, as a macro of ``q`` can."""
        from jinja2 import meta

        try:
            names = meta.find_undeclared_variables(self.page_env.parse(layout))
        except TemplateSyntaxError:
            return False
        return names <= {"q", *self.page_env.globals}

    def layout(self, question: dict[str, Any]) -> str:
        """One question's block in its layout (base/layouts/NAME.md.j2); ``layout(q)`` in templates.

        Calling a macro is much cheaper than ``{% include %}``, which makes a
        new context for every question of every page.
        """
        name = question[LAYOUT]
        block = self._layouts.get(name)
        if block is None:
            module = self.page_env.get_template(f"{LAYOUTS}{name}{LAYOUT_SUFFIX}#{_MACRO}").module
            block = self._layouts[name] = getattr(module, "block")  # noqa: B009 - the macro is defined by the source
        return str(block(question))

    def text(self, source: str, loc: Loc, context: dict[str, str], problems: list[Problem]) -> str:
        """Render one text; on failure add a problem located in its source file and return ''."""
        return self.texts.render(source, loc, context, problems)

    def variables(self, page: Page, problems: list[Problem]) -> dict[str, str]:
        """The program's variables: each value (set by the program, or the base's default) is a
        template over the others, rendered in the order they need each other."""
        settings = self.project.settings
        sources = {
            name: (value, page.program_locs.get(name, Loc(page.source))) for name, value in page.variables.items()
        }
        for name, spec in self.project.variables.items():
            if name not in sources and spec and "default" in spec:
                sources[name] = (str(spec["default"]), settings.loc(("variables", name, "default")))
        done: dict[str, str] = {}
        for name in sources:
            self._variable(name, sources, done, [], problems)
        return done

    def _variable(
        self,
        name: str,
        sources: dict[str, tuple[str, Loc]],
        done: dict[str, str],
        path: list[str],
        problems: list[Problem],
    ) -> None:
        if name in done:
            return
        if name in path:
            circle = " → ".join([*path[path.index(name) :], name])
            problems.append(
                error(sources[name][1], f"program variables use each other in a circle: {circle}", "variable")
            )
            done.update(dict.fromkeys(path, ""))
            return
        source, loc = sources[name]
        needed = sorted(self.texts.reads(source) & sources.keys())
        for other in needed:
            self._variable(other, sources, done, [*path, name], problems)
        if name not in done:
            done[name] = self.text(source, loc, {other: done[other] for other in needed}, problems)

    def context(self, page: Page, marker: Marker | None = None) -> dict[str, Any]:
        """What the page template sees: the variables, the page's values, the sections."""
        problems: list[Problem] = []
        variables = self.variables(page, problems)

        def text(value: str, loc: Loc, entry: str = "", key: str = "") -> str:
            rendered = self.text(value, loc, variables, problems)
            return marker.text(rendered, value, loc, entry, key) if marker and rendered else rendered

        values: dict[str, Any] = {}
        for row in _PAGE:
            value = page.values.get(row.name, row.default)
            if row.kind == "map":  # texts are templates; other YAML values are written as their type
                rendered = {
                    k: self.text(v, page.locs[map_loc_key(row.name, k)], variables, problems)
                    if isinstance(v, str)
                    else v
                    for k, v in value.items()
                }
                values[row.name] = (
                    marker.front_matter(row.name, rendered, page) if marker else dump_front_matter(rendered)
                )
            elif row.template:
                values[row.name] = text(value, page.locs.get(row.name, Loc(page.source)), "", row.name)
            else:
                values[row.name] = value
        sections = [self._section(s, values, text, marker) for s in page.sections]
        if problems:
            raise VariantsError(problems)
        return {**variables, **values, fields.SECTIONS: sections}

    def render(self, page: Page) -> str:
        """The page's final text, in at most the sandbox's time for a page."""
        if self._out_of_time is not None:
            raise VariantsError(self._out_of_time)
        context: dict[str, Any] | None = None
        try:
            try:
                with deadline():
                    context = self.context(page)
                    text = self._render_page(context)
            except OutOfTime as exc:
                if exc.loc is not None or context is None:
                    raise
                # Out of time in the page template with its layouts inlined, whose lines are not the
                # files': a short render as written finds the file and line that spends the time.
                self._inlined = False
                with deadline(sandbox.RENDER_SECONDS / 4):
                    text = self._render_page(context)
        except OutOfTime as exc:
            where = exc.loc or Loc(f"base/{self.project.template_name}")
            problem = error(where, f"template error: {out_of_time_message()}", "template")
            if where.path.startswith("base/"):
                self._out_of_time = problem
            raise VariantsError(problem) from None
        return self.finish(context, text)

    @staticmethod
    def finish(context: dict[str, Any], text: str) -> str:
        """The page template's output made the page's final text (its last line break kept or not)."""
        return text if context[_FINAL_NEWLINE] else text.removesuffix("\n")

    def page_template(self) -> Template:
        """The compiled page template (compiled once)."""
        if self._page_template is None:
            self._page_template = self.page_env.get_template(self.project.template_name)
        return self._page_template

    def _section(self, section: Entry, page: dict[str, Any], text: Any, marker: Marker | None) -> dict[str, Any]:
        questions = {q.id: _entry(q, _PLANS[QUESTION], page, text) for q in section.children}
        context = _entry(section, _PLANS[SECTION], page, text)
        if marker:
            for entry in (context, *questions.values()):
                marker.entry(entry)
        context[QUESTIONS] = list(questions.values())
        context[TOC] = [questions[q.id] for q in toc_order(section)]
        return context

    def _render_page(self, context: dict[str, Any]) -> str:
        name = self.project.template_name
        if self._inlined is None:
            try:
                self._inlined = self.page_env.get_template(f"{name}#{_INLINE}")
            except Exception:  # the page template's own errors are reported from the template itself
                self._inlined = False
        if self._inlined:
            try:
                return self._inlined.render(context, layout=self.layout)
            except Exception:  # rendered again as written, so an error names its own file and line
                pass
        try:
            return self.page_template().render(context, layout=self.layout)
        except OutOfTime as exc:
            exc.loc = exc.loc or template_line(exc)
            raise
        except TemplateSyntaxError as exc:
            where = Loc(exc.filename or f"base/{name}", exc.lineno or 0)
            raise VariantsError(error(where, f"template syntax error: {exc.message}", "template")) from None
        except Exception as exc:  # TemplateError, or a sandbox refusal, raised inside the template
            message = f"template error: {first_line(exc)}"
            raise VariantsError(error(template_loc(exc, name), message, "template")) from None


def inline_layouts(source: str, layouts: dict[str, str]) -> str:
    """The page template with each ``{{ layout(q) }}`` written out as the layouts themselves.

    Calling a macro per question of every page is most of the page template's
    cost; inlined, each layout's text is chosen by ``q.layout`` and rendered in
    place, with the same output: ``{% with %}`` starts and ends its body as the
    macro does, and ``+`` keeps the whitespace the call left alone.
    """

    def written_out(match: re.Match[str]) -> str:
        strip_before, expr, strip_after = match.groups()
        opening = "{%-" if strip_before else "{%+"
        closing = "-%}" if strip_after else "+%}"
        branches = "".join(
            f'{{% {"if" if n == 0 else "elif"} variants_q.{LAYOUT} == "{name}" %}}{{% with q = variants_q %}}{text}{{% endwith %}}'
            for n, (name, text) in enumerate(sorted(layouts.items()))
        )
        return f"{opening} with variants_q = {expr} %}}{branches}{{% endif %}}{{% endwith {closing}"

    return _LAYOUT_CALL.sub(written_out, source) if layouts else source


class _Plan(NamedTuple):
    """How a row's value gets into the context, worked out once: a template or not, and its default
    as a literal, another key of the entry ("=key") or a key of the page ("=page.key")."""

    name: str
    template: bool
    literal: Any
    from_entry: str
    from_page: str


def _plans(rows: tuple[fields.Key, ...]) -> tuple[_Plan, ...]:
    plans = []
    for row in rows:
        default = row.default
        ref = default[1:] if isinstance(default, str) and default.startswith("=") else ""
        page = ref.removeprefix("page.") if ref.startswith("page.") else ""
        plans.append(_Plan(row.name, row.template, None if ref else default, "" if page else ref, page))
    return tuple(plans)


_PLANS = {SECTION: _plans(_SECTION), QUESTION: _plans(_QUESTION)}


def _entry(entry: Entry, plans: tuple[_Plan, ...], page: dict[str, Any], text: Any) -> dict[str, Any]:
    """A section's or question's values as templates see them: rendered, defaults filled in
    (the same as ``fields.default_of`` gives, computed from plans made once)."""
    values, locs = entry.values, entry.locs
    context: dict[str, Any] = {ID: entry.id}
    unset = []
    for plan in plans:
        name = plan.name
        if name not in values:
            unset.append(plan)
        elif plan.template:
            context[name] = text(values[name], locs.get(name, entry.loc), entry.id, name)
        else:
            context[name] = values[name]
    for plan in unset:
        if plan.from_entry:
            context[plan.name] = context.get(plan.from_entry)
        elif plan.from_page:
            context[plan.name] = page.get(plan.from_page)
        else:
            context[plan.name] = plan.literal
    return context


def template_loc(exc: BaseException, name: str) -> Loc:
    """The innermost template file and line in the traceback (Jinja rewrites frames to template lines)."""
    import traceback

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith("base/"):
            return Loc(frame.filename, frame.lineno or 0)
    return Loc(f"base/{name}")


__all__ = ["TOC", "Compiled", "Marker", "Renderer", "inline_layouts", "template_loc"]
