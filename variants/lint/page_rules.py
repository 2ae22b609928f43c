"""The rules for generated pages: links, anchors, questions, leftovers, as a Markdown reader sees them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

from ..problems import Loc, Problem
from . import mojibake
from .parsed import Heading, ParsedPage, parse_page
from .registry import ERROR, PAGE, WARNING, finding, page_rule, run


@dataclass(frozen=True)
class LintedPage:
    """A page to lint: its text, where it is, where its ids are declared; parsed when a rule asks."""

    text: str
    path: str
    sources: dict[str, Loc]

    @cached_property
    def model(self) -> ParsedPage:
        return parse_page(self.text, self.path)

    @property
    def questions(self) -> list[Heading]:
        """The page's questions: its headings, where it has a table of contents (an FAQ page does); on
        any other page a heading is only a heading, with no TOC to reach it and no answer owed."""
        return self.model.headings if self.model.toc else []

    def origin(self, anchor: str) -> str:
        return f" (declared at {self.sources[anchor]})" if anchor in self.sources else ""


def _places(text: str) -> Callable[[int], tuple[int, int]]:
    """(line, column) of offsets in ``text``; the line starts are found once, on the first call."""
    from bisect import bisect_right

    starts: list[int] = []

    def place(offset: int) -> tuple[int, int]:
        if not starts:
            starts.extend([0, *(m.end() for m in re.finditer("\n", text))])
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    return place


def _plain(heading: str) -> str:
    return heading.strip("*").strip()


@page_rule("toc-link", WARNING)
def toc_link(page: LintedPage) -> Iterator[Problem]:
    """A table-of-contents link to an anchor the page does not define."""
    for target, _, where in page.model.toc:
        if target not in page.model.anchors:
            message = f"table-of-contents link '#{target}' points to no anchor{page.origin(target)}"
            yield finding(where, "toc-link", message)


@page_rule("anchor-duplicate", WARNING)
def anchor_duplicate(page: LintedPage) -> Iterator[Problem]:
    """An anchor defined more than once (links reach only the first)."""
    for anchor, places in page.model.anchors.items():
        for place in places[1:]:
            message = f"anchor '{anchor}' is defined again (first at line {places[0].line}); links reach only the first"
            yield finding(place, "anchor-duplicate", message)


@page_rule("toc-body", WARNING)
def toc_body(page: LintedPage) -> Iterator[Problem]:
    """A TOC entry that leads to no question, or a question the TOC cannot reach (on a page with a TOC)."""
    model = page.model
    headed = {h.anchor for h in model.headings if h.anchor_is_first}
    for target, label, where in model.toc:
        if target in model.anchors and target not in headed:
            why = (
                f": CommonMark reads the heading after anchor '{target}' as part of an HTML block"
                " (a blank line before it would fix that)"
                if target in model.swallowed
                else ""
            )
            yield finding(where, "toc-body", f"table-of-contents entry '{label}' leads to no question{why}")
    linked = {target for target, _, _ in model.toc}
    for heading in page.questions:
        if heading.anchor is None:
            why = "it has no anchor"
        elif not heading.anchor_is_first:
            why = f"its anchor '{heading.anchor}' is defined earlier"
        elif heading.anchor not in linked:
            why = f"no table-of-contents entry links to '#{heading.anchor}'"
        else:
            continue
        message = f"question '{_plain(heading.text)}' is not reachable from the table of contents: {why}"
        yield finding(heading.loc, "toc-body", message)


@page_rule("empty-answer", ERROR)
def empty_answer(page: LintedPage) -> Iterator[Problem]:
    """A question with no answer text (nothing but line breaks and links back to the top)."""
    for heading in page.questions:
        if not heading.has_answer:
            yield finding(heading.loc, "empty-answer", f"question '{_plain(heading.text)}' has no answer")


@page_rule("template-leftover", WARNING)
def template_leftover(page: LintedPage) -> Iterator[Problem]:
    """Template syntax (`{{`, `{%` or `{#`) left in a generated page (a bug, unless the page means it)."""
    place = _places(page.text)
    for match in re.finditer(r"\{\{|\{%|\{#", page.text):
        line, col = place(match.start())
        message = f"template syntax '{match.group()}' left in the page"
        yield finding(Loc(page.path, line, col), "template-leftover", message)


@page_rule(mojibake.RULE, WARNING)
def mis_encoded_page(page: LintedPage) -> list[Problem]:
    """Text decoded with the wrong encoding, such as `â€™` for `’`."""
    place = _places(page.text)
    return mojibake.text_findings(page.text, lambda offset: Loc(page.path, *place(offset)))


def lint_page(
    text: str,
    path: str,
    sources: dict[str, Loc] | None = None,
    skip: frozenset[str] = frozenset(),
    build: bool | None = None,
) -> list[Problem]:
    """The findings in one generated Markdown page; ``sources`` maps ids to where they are declared;
    ``build`` picks the checks the build runs (True), the others (False) or all (None)."""
    return sorted(run(PAGE, LintedPage(text, path, sources or {}), skip, build))


__all__ = [
    "LintedPage",
    "anchor_duplicate",
    "empty_answer",
    "lint_page",
    "mis_encoded_page",
    "template_leftover",
    "toc_body",
    "toc_link",
]
