"""Rendering a page with every character marked by where it came from.

The page is rendered once more, the ordinary way, except that each text value
is wrapped in marker characters naming its origin, and each piece the page
template or a layout writes is wrapped in the marker of its template line.
Markers nest (a layout's output inside the page template's line that called
it, a value inside the layout line that wrote it); each character of the page
belongs to its innermost origin. With the markers taken out the text must be
the page as built, byte for byte, or tracing refuses: then the template treats
texts in a way the markers change (measuring or comparing them).

A marker is made of surrogate code points, which no text read from a file can
hold (every source and page is read as strict UTF-8): an opening marker is a
high and a low surrogate, naming one of about a million origins; the closing
marker is a low surrogate alone. Every other character, private-use planes
included, can stand on a traced page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple

from ..pipeline.frontmatter import dump_front_matter
from ..pipeline.merge import map_loc_key
from ..pipeline.model import Page
from ..pipeline.render import Renderer
from ..problems import Loc, VariantsError, error
from ..source.fields import ID, LAYOUT
from ..source.project import LAYOUT_SUFFIX, LAYOUTS
from .templates import Piece, TemplateMap

_HIGH, _LOW = 0xD800, 0xDC00
_CLOSE = "\udfff"
_LAST_ID = (1 << 20) - 1
_MARKER = re.compile("[\ud800-\udbff][\udc00-\udfff]|[\udc00-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
VALUE, TEMPLATE, BLOCK = "value", "template", "block"


class Origin(NamedTuple):
    """Where a stretch of the page comes from: a text value or a template line (or, holding
    those, the block a layout wrote for a question)."""

    kind: str  # value | template | block
    loc: Loc  # the value's place, or the template file and line
    source: str = ""  # the value as written (a template over the variables)
    rendered: str = ""  # the value as rendered
    entry: str = ""  # the id of the value's section or question; '' for the page
    key: str = ""
    start: int = -1  # for literal template text: its offset in the template's source


class Traced(NamedTuple):
    """A page's text, the origin of each of its characters (an index into ``origins``), the
    offset of each character within its origin's rendered value, and where each question's
    block stands (its id -> start and end on the page)."""

    text: str
    origins: list[Origin]
    owner: list[int]
    offset: list[int]
    blocks: dict[str, tuple[int, int]]


@dataclass
class Tracer:
    """Renders pages of one project with marked origins (the ``Marker`` the renderer asks)."""

    renderer: Renderer
    ran: dict[str, set[int]] = field(default_factory=dict)  # template file -> generated code lines run
    _ids: dict[Origin, int] = field(default_factory=dict)
    _origins: list[Origin] = field(default_factory=list)
    _maps: dict[str, TemplateMap] = field(default_factory=dict)
    _literals: dict[str, dict[Piece, Origin]] = field(default_factory=dict)

    def _mark(self, origin: Origin, text: str) -> str:
        index = self._ids.get(origin)
        if index is None:
            index = self._ids[origin] = len(self._origins)
            if index > _LAST_ID:
                raise VariantsError(error(origin.loc, "too many origins on one page to trace", "trace"))
            self._origins.append(origin)
        return chr(_HIGH + (index >> 10)) + chr(_LOW + (index & 0x3FF)) + text + _CLOSE

    def text(self, rendered: str, source: str, loc: Loc, entry: str, key: str) -> str:
        return self._mark(Origin(VALUE, loc, source, rendered, entry, key), rendered)

    def front_matter(self, name: str, rendered: dict[str, Any], page: Page) -> str:
        whole = dump_front_matter(rendered)
        parts = [dump_front_matter({k: v}) for k, v in rendered.items()]
        if "".join(parts) != whole:  # PyYAML wrote the map as a whole: one origin for all of it
            return self._mark(Origin(VALUE, page.locs.get(name, Loc(page.source)), whole, whole, "", name), whole)
        marked = []
        for (k, v), part in zip(rendered.items(), parts, strict=True):
            loc = page.locs[map_loc_key(name, k)]
            written = page.values.get(name, {}).get(k, v)
            marked.append(self._mark(Origin(VALUE, loc, str(written), part, "", map_loc_key(name, k)), part))
        return "".join(marked)

    def entry(self, context: dict[str, Any]) -> None:
        eid = context[ID]
        for key, value in context.items():
            opening = _MARKER.match(value) if isinstance(value, str) else None
            if opening is None or len(opening.group()) != 2 or not value.endswith(_CLOSE):
                continue
            origin = self._origins[_index(opening.group())]
            inner = value[2:-1]
            if (origin.entry, origin.key) != (eid, key) and not has_markers(inner):
                context[key] = self._mark(origin._replace(entry=eid, key=key), inner)

    def template_map(self, name: str) -> TemplateMap:
        """The map of a template of base/ (``page.md.j2``, ``layouts/x.md.j2``)."""
        known = self._maps.get(name)
        if known is None:
            env = self.renderer.page_env
            known = self._maps[name] = TemplateMap.of(env, name, f"base/{name}", self.renderer.project.templates[name])
        return known

    def _render(self, name: str, context: dict[str, Any]) -> str:
        tmap = self.template_map(name)
        ran = self.ran.setdefault(tmap.file, set())
        literals = self._literals.setdefault(tmap.file, {})  # a literal piece's origin, made once
        marked = []
        for piece in tmap.pieces(context, ran):
            origin = literals.get(piece)
            if origin is None:
                origin = Origin(TEMPLATE, Loc(tmap.file, piece.line), piece.text, piece.text, start=piece.offset)
                if piece.offset >= 0:
                    literals[piece] = origin
            if piece.text:
                marked.append(self._mark(origin, piece.text))
        return "".join(marked)

    def layout(self, question: dict[str, Any]) -> str:
        """A question's block, rendered from its layout file as a template of its own (``layout(q)``)."""
        name = f"{LAYOUTS}{question[LAYOUT]}{LAYOUT_SUFFIX}"
        block = self._render(name, {"q": question})
        return self._mark(Origin(BLOCK, Loc(f"base/{name}"), entry=question[ID]), block)

    def trace(self, page: Page, expected: str) -> Traced:
        """``page`` rendered with origins; ``expected`` is its text as built."""
        marked, finish = self._marked(page, expected)
        text, owner, offset, spans = _decode(marked)
        finished = finish(text)  # markers out first: the last line break is the last character
        del owner[len(finished) :], offset[len(finished) :]
        self._verify(finished, expected)
        origins = list(self._origins)
        blocks = {origins[o].entry: (start, end) for o, start, end in spans if origins[o].kind == BLOCK}
        return Traced(finished, origins, owner, offset, blocks)

    def origins(self, page: Page, expected: str) -> list[Origin]:
        """The origins ``page`` is made of (what ``trace`` finds, without placing each character)."""
        marked, finish = self._marked(page, expected)
        self._verify(finish(marked.encode("utf-8", "ignore").decode("utf-8")), expected)  # surrogates dropped
        return list(self._origins)

    def _marked(self, page: Page, expected: str) -> tuple[str, Callable[[str], str]]:
        """The page rendered with markers, and what makes the text without them the page's text."""
        name = self.renderer.project.template_name
        if has_markers(expected):
            raise VariantsError(
                _untraceable(name, "the page holds surrogate code points (not text), which tracing uses as markers")
            )
        self._ids.clear()
        self._origins = []
        context = self.renderer.context(page, self)
        try:
            marked = self._render(name, dict(context, layout=self.layout))
        except VariantsError:
            raise
        except Exception as exc:  # the markers changed what the template computes
            raise VariantsError(_untraceable(name, f"{type(exc).__name__}: {exc}")) from None
        return marked, partial(self.renderer.finish, context)

    def _verify(self, text: str, expected: str) -> None:
        if text != expected:
            name = self.renderer.project.template_name
            raise VariantsError(_untraceable(name, "it measures or compares texts, which marking them changes"))


def _untraceable(name: str, why: str) -> Any:
    return error(Loc(f"base/{name}"), f"cannot trace the page template: {why}", "trace")


def _index(opening: str) -> int:
    return (ord(opening[0]) - _HIGH) << 10 | (ord(opening[1]) - _LOW)


def _decode(marked: str) -> tuple[str, list[int], list[int], list[tuple[int, int, int]]]:
    """The text without markers, each character's innermost origin (-1: none) and its offset
    there, and each marked stretch: its origin, start and end."""
    runs: list[str] = []
    owner: list[int] = []
    offset: list[int] = []
    spans: list[tuple[int, int, int]] = []
    stack: list[list[int]] = [[-1, 0, 0]]  # [origin, its characters so far, where it starts]
    size = at = 0

    def run(text: str) -> None:
        nonlocal size
        top, count = stack[-1], len(text)
        runs.append(text)
        owner.extend([top[0]] * count)
        offset.extend(range(top[1], top[1] + count))
        top[1] += count
        size += count

    for marker in _MARKER.finditer(marked):
        if marker.start() > at:
            run(marked[at : marker.start()])
        at = marker.end()
        if len(marker.group()) == 1:
            closed = stack.pop()
            spans.append((closed[0], closed[2], size))
        else:
            stack.append([_index(marker.group()), 0, size])
    run(marked[at:])
    return "".join(runs), owner, offset, spans


def has_markers(text: str) -> bool:
    """Whether ``text`` holds characters tracing uses as markers (then it cannot be traced)."""
    return _SURROGATE.search(text) is not None


__all__ = ["BLOCK", "TEMPLATE", "VALUE", "Origin", "Traced", "Tracer", "has_markers"]
