"""The generic shape: any Markdown, as its front matter, the text before the first heading, and its headings.

Each heading with the text under it (paragraphs, lists, tables, code) is one
entry: the heading in ``question``, the text in ``answer``, the blank lines
around them as spacing, the heading level as its layout. A heading with no
text of its own starts a section. Where pages word the text under a heading
differently, that text comes apart into its blocks: the heading keeps the
first, and each further paragraph and list item is an entry of its own in the
``text`` layout (see ``cutting``). Ids come from the heading text (a program's
name in it stands as the variable's name), and an entry whose heading a page
words differently keeps the id of the entry it stands for. The templates are
package data in ``templates/generic/``; the shipped layout is a level-2
heading, and the other levels' layouts are made from it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from jinja2 import nodes

from ..lint.source_rules import has_text
from ..source import fields
from ..source.fields import LAYOUT, QUESTION, SECTION
from .align import opcodes
from .cutting import FENCE, SIMILAR_TEXT, TEXT, cut_entries
from .faq import FRONT_MATTER, RawFrontMatter, environment
from .faq import front_matter as _front_matter
from .inverse import Pattern, walk
from .model import Item, Lines, PageModel, slug, unique
from .shapes import GENERIC, shape_files

MARKER = "## "  # the heading the shipped layout writes
_HEADING = re.compile(r"(#{1,6})[ \t]")
_DEFAULT = fields.key(QUESTION, LAYOUT).default
_TITLE = fields.headline(SECTION)
_ANSWER = next(k.name for k in fields.at(QUESTION) if k.required_to_add and k.name != fields.headline(QUESTION))
BODY = "body"  # the section of the entries before any heading with no text of its own
_WINDOW = 8  # how far a reworded heading looks for the entry it stands for
_SIMILAR = 0.5
_COMPARED = 400  # characters of two entries compared to tell whether one stands for the other


@dataclass
class Frame:
    """The generic templates read backwards."""

    head: Pattern  # front matter and the text before the first heading
    section: Pattern  # a heading with no text of its own
    source: str  # the shipped layout's source (a level-2 heading)

    @classmethod
    def of(cls, files: dict[str, str]) -> Frame:
        env = environment()
        pieces = list(walk(env.parse(files["page.md.j2"]).body))
        loop = next(n for n, piece in enumerate(pieces) if isinstance(piece, nodes.For))
        body = pieces[loop]
        assert isinstance(body, nodes.For)
        header = next(n for n in body.body if isinstance(n, nodes.If))
        layout = files.get(f"layouts/{_DEFAULT}.md.j2") or shape_files(GENERIC)[f"layouts/{_DEFAULT}.md.j2"]
        return cls(Pattern.of(pieces[:loop]), Pattern.of(header.body), layout)

    def layout(self, level: int) -> str:
        """The layout of a heading of ``level``."""
        return self.source.replace(MARKER, "#" * level + " ", 1)

    def pattern(self, level: int) -> Pattern:
        if level not in self._patterns:
            self._patterns[level] = Pattern.of(environment().parse(self.layout(level)).body)
        return self._patterns[level]

    def __post_init__(self) -> None:
        self._patterns: dict[int, Pattern] = {}


def _headings(text: str, start: int) -> list[tuple[int, int, int]]:
    """(start, end, level) of every heading line from ``start``, outside fenced code."""
    found: list[tuple[int, int, int]] = []
    fence = ""
    pos = start
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end + 1
        line = text[pos:end]
        opening = FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
        elif opening:
            fence = opening.group(1)
        elif heading := _HEADING.match(line):
            found.append((pos, end, len(heading.group(1))))
        pos = end
    if found and not text.endswith("\n") and not has_text(text[found[-1][1] :]):
        found.pop()  # a last heading the layouts cannot end the page with: text of the entry before it
    return found


def _front_matter_end(text: str) -> int:
    if not text.startswith("---\n"):
        return 0
    close = text.find("\n---\n", 3)
    return close + 5 if close >= 0 else 0


def parse_generic(
    frame: Frame, text: str, values: list[tuple[str, str]], levels: dict[int, str], standard: int = 0
) -> PageModel:
    """The page in the generic shape (any text fits it). A first heading above the family's usual level
    (``standard``), the only one of its level, is the page's title: part of its intro."""
    lines = Lines(text)
    heads = _headings(text, _front_matter_end(text))
    if heads and heads[0][2] < standard and sum(h[2] == heads[0][2] for h in heads) == 1:
        heads = heads[1:]
    starts = []
    for n, (start, _, _) in enumerate(heads):
        floor = heads[n - 1][1] if n else 0
        while start - 1 >= floor and text[start - 1] == "\n" and (start - 1 == 0 or text[start - 2] == "\n"):
            start -= 1
        starts.append(max(start, floor))
    intro_end = starts[0] if starts else len(text)
    offsets: dict[str, int] = {}
    head = frame.head.match(text, 0, intro_end, offsets)
    assert head is not None  # every piece of it may be empty
    page = dict(head[0])
    intro = frame.head.names()[-1]
    fm = _front_matter(page.get(FRONT_MATTER, ""))
    page[FRONT_MATTER] = fm if fm is not None else RawFrontMatter(page[FRONT_MATTER])
    sections: list[Item] = []
    taken: set[str] = set()
    for n, (start, (line_start, _, level)) in enumerate(zip(starts, heads, strict=True)):
        end = starts[n + 1] if n + 1 < len(starts) else len(text)
        found = frame.pattern(level).match(text, start, end)
        span = (lines.at(line_start), lines.at(max(line_start, end - 1)))
        if found is not None and not has_text(found[0][_ANSWER]):
            section = frame.section.match(text, start, end)
            if section is not None:
                title = section[0][_TITLE]
                sections.append(Item(unique(slug(title.lstrip("#"), values, "section"), taken), section[0], lines=span))
                continue
            found = None
        if found is None:  # a heading the templates cannot write (the last line, with no line break): text
            last = sections[-1].children[-1] if sections and sections[-1].children else None
            if last is not None:
                last.values[_ANSWER] += text[start:end]
            else:
                page[intro] += text[start:end]
            continue
        if not sections:
            sections.append(Item(unique(BODY, taken), {_TITLE: ""}, lines=span))
        heading = found[0][fields.headline(QUESTION)]
        item = Item(unique(slug(heading, values, "entry"), taken), {LAYOUT: levels.get(level), **found[0]}, lines=span)
        sections[-1].children.append(item)
    return PageModel(page, sections, {FRONT_MATTER: 2, **{key: lines.at(at) for key, at in offsets.items()}})


def whole_page(frame: Frame, text: str) -> PageModel:
    """The page as one text under its front matter (the generic shape's coarsest grain)."""
    offsets: dict[str, int] = {}
    found = frame.head.match(text, 0, len(text), offsets)
    assert found is not None  # every piece of the head may be empty, so any text is one
    lines = Lines(text)
    page = PageModel(dict(found[0]), [], {FRONT_MATTER: 2, **{key: lines.at(at) for key, at in offsets.items()}})
    fm = _front_matter(page.values.get(FRONT_MATTER, ""))
    page.values[FRONT_MATTER] = fm if fm is not None else RawFrontMatter(page.values[FRONT_MATTER])
    return page


def _similar(one: Item, two: Item) -> bool:
    if one.values.get(LAYOUT) != two.values.get(LAYOUT):
        return False
    if one.values.get(LAYOUT) == TEXT:  # a block has nothing but its text: more of it must be the same
        a, b, least = one.values[_ANSWER], two.values[_ANSWER], SIMILAR_TEXT
    else:
        a = " ".join(str(v) for v in one.values.values())
        b = " ".join(str(v) for v in two.values.values())
        least = _SIMILAR
    matcher = SequenceMatcher(None, a[:_COMPARED], b[:_COMPARED], autojunk=False)
    return matcher.real_quick_ratio() >= least and matcher.quick_ratio() >= least and matcher.ratio() >= least


def _align_ids(models: list[PageModel]) -> None:
    """Give an entry a page words differently (at the same place, with much the same text) the id it has elsewhere."""
    reference: list[Item] = [q for s in models[0].sections for q in s.children]
    for model in models[1:]:
        mine = [q for s in model.sections for q in s.children]
        taken = {q.id for q in mine} | {s.id for s in model.sections}
        for tag, i1, i2, j1, j2 in opcodes([q.id for q in reference], [q.id for q in mine]):
            if tag != "replace":
                continue
            i = i1
            for j in range(j1, j2):
                match = next((c for c in range(i, min(i2, i + _WINDOW)) if _similar(reference[c], mine[j])), None)
                if match is not None and reference[match].id not in taken:
                    taken.discard(mine[j].id)
                    mine[j].id = reference[match].id
                    taken.add(mine[j].id)
                    i = match + 1
        known = {q.id for q in reference}
        reference += [q for q in mine if q.id not in known]


def models(
    texts: list[str], preferences: list[list[tuple[str, str]]], whole: bool = False, cut: bool = False
) -> tuple[list[PageModel], dict[str, str]] | None:
    """Every page in the generic shape, and the templates its project needs (the layouts of the levels used).

    ``whole``: each page's text is one (its intro, under the front matter), for pages that share so little
    or are so short that entries would say more than the text itself. ``cut``: the text under a heading
    that pages word differently is cut into blocks; None when there is none to cut.
    """
    files = shape_files(GENERIC)
    frame = Frame.of(files)
    if whole:
        return [whole_page(frame, text) for text in texts], {"page.md.j2": files["page.md.j2"]}
    counts: Counter[int] = Counter()
    for text in texts:
        counts.update(level for _, _, level in _headings(text, _front_matter_end(text)))
    standard = counts.most_common(1)[0][0] if counts else MARKER.count("#")
    levels = {level: _DEFAULT if level == standard else f"h{level}" for level in range(1, 7)}
    parsed = [parse_generic(frame, text, preferences[k], levels, standard) for k, text in enumerate(texts)]
    _align_ids(parsed)
    if cut:
        if not cut_entries(parsed, preferences):
            return None
        _align_ids(parsed)  # a block a page words differently keeps its id
    used = {q.values[LAYOUT] for m in parsed for s in m.sections for q in s.children}
    templates = {"page.md.j2": files["page.md.j2"]}
    for level in sorted(counts):
        if levels[level] in used or level == standard:
            templates[f"layouts/{levels[level]}.md.j2"] = frame.layout(level)
    if not counts:
        templates[f"layouts/{_DEFAULT}.md.j2"] = files[f"layouts/{_DEFAULT}.md.j2"]
    if TEXT in used:
        templates[f"layouts/{TEXT}.md.j2"] = files[f"layouts/{TEXT}.md.j2"]
    return parsed, templates


__all__ = ["BODY", "MARKER", "Frame", "models", "parse_generic", "whole_page"]
