"""Rendering: a merged page's texts with the program's variables, then the page template.

The render context is derived from the field table: every value key of the
page, a section or a question is there, rendered where it is a template and
with its declared default where it is unset. The page template and its
layouts render in Jinja's sandbox with undefined names as errors.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from jinja2 import FunctionLoader, StrictUndefined, Template, TemplateSyntaxError

from ..problems import Loc, Problem, VariantsError, error
from ..source import fields
from ..source.fields import ID, LAYOUT, PAGE, QUESTION, QUESTIONS, SECTION
from ..source.project import LAYOUT_SUFFIX, LAYOUTS, Project
from .frontmatter import dump_front_matter
from .merge import map_loc_key
from .model import Entry, Page, toc_order
from .sandbox import LimitedSandbox, OutOfTime, deadline, out_of_time_message, template_line
from .texts import Texts, first_line

_PAGE = tuple(k for k in fields.values(PAGE))
_SECTION = tuple(k for k in fields.values(SECTION) if k.role != fields.ORDER)
_QUESTION = tuple(k for k in fields.values(QUESTION) if k.role != fields.ORDER)
TOC = "toc"  # a section's questions in table-of-contents order, in the template's context
_FINAL_NEWLINE = next(k.name for k in _PAGE if k.read_as == fields.APPLIED and k.kind == "bool")


class Renderer:
    """Renders pages of one project; caches compiled templates and texts across programs."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.page_env = LimitedSandbox(
            loader=FunctionLoader(self._load_template),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        self.texts = Texts()
        self._page_template: Template | None = None
        self._layouts: dict[str, Any] = {}
        self._out_of_time: Problem | None = None  # base/ ran out of time once: other pages are not tried

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
        name = question[LAYOUT]
        block = self._layouts.get(name)
        if block is None:
            module = self.page_env.get_template(f"{LAYOUTS}{name}{LAYOUT_SUFFIX}#macro").module
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

    def context(self, page: Page) -> dict[str, Any]:
        """What the page template sees: the variables, the page's values, the sections."""
        problems: list[Problem] = []
        variables = self.variables(page, problems)

        def text(value: str, loc: Loc) -> str:
            return self.text(value, loc, variables, problems)

        values: dict[str, Any] = {}
        for row in _PAGE:
            value = page.values.get(row.name, row.default)
            if row.kind == "map":  # texts are templates; other YAML values are written as their type
                rendered = {
                    k: text(v, page.locs[map_loc_key(row.name, k)]) if isinstance(v, str) else v
                    for k, v in value.items()
                }
                values[row.name] = dump_front_matter(rendered)
            elif row.template:
                values[row.name] = text(value, page.locs.get(row.name, Loc(page.source)))
            else:
                values[row.name] = value
        sections = [self._section(s, values, text) for s in page.sections]
        if problems:
            raise VariantsError(problems)
        return {**variables, **values, fields.SECTIONS: sections}

    def render(self, page: Page) -> str:
        """The page's final text, in at most the sandbox's time for a page."""
        if self._out_of_time is not None:
            raise VariantsError(self._out_of_time)
        try:
            with deadline():
                context = self.context(page)
                text = self._render_page(context)
        except OutOfTime as exc:
            where = exc.loc or Loc(f"base/{self.project.template_name}")
            problem = error(where, f"template error: {out_of_time_message()}", "template")
            if where.path.startswith("base/"):
                self._out_of_time = problem
            raise VariantsError(problem) from None
        return text if context[_FINAL_NEWLINE] else text.removesuffix("\n")

    def _section(self, section: Entry, page: dict[str, Any], text: Any) -> dict[str, Any]:
        questions = {q.id: _entry(q, _PLANS[QUESTION], page, text) for q in section.children}
        context = _entry(section, _PLANS[SECTION], page, text)
        context[QUESTIONS] = list(questions.values())
        context[TOC] = [questions[q.id] for q in toc_order(section)]
        return context

    def _render_page(self, context: dict[str, Any]) -> str:
        name = self.project.template_name
        try:
            if self._page_template is None:
                self._page_template = self.page_env.get_template(name)
            return self._page_template.render(context, layout=self.layout)
        except OutOfTime as exc:
            exc.loc = exc.loc or template_line(exc)
            raise
        except TemplateSyntaxError as exc:
            where = Loc(exc.filename or f"base/{name}", exc.lineno or 0)
            raise VariantsError(error(where, f"template syntax error: {exc.message}", "template")) from None
        except Exception as exc:  # TemplateError, or a sandbox refusal, raised inside the template
            message = f"template error: {first_line(exc)}"
            raise VariantsError(error(_template_loc(exc, name), message, "template")) from None


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
            context[name] = text(values[name], locs.get(name, entry.loc))
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


def _template_loc(exc: BaseException, name: str) -> Loc:
    """The innermost template file and line in the traceback (Jinja rewrites frames to template lines)."""
    import traceback

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith("base/"):
            return Loc(frame.filename, frame.lineno or 0)
    return Loc(f"base/{name}")


__all__ = ["TOC", "Renderer"]
