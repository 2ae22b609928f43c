"""Rendering a page with every character marked by where it came from.

The page is rendered once more, the ordinary way, except that each text value
is wrapped in private-use marker characters naming its origin, and each piece
the page template or a layout writes is wrapped in the marker of its template
line. Markers nest (a layout's output inside the page template's line that
called it, a value inside the layout line that wrote it); each character of the
page belongs to its innermost origin. With the markers taken out the text must
be the page as built, byte for byte, or tracing refuses: then the template
treats texts in a way the markers change (measuring or comparing them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..pipeline.frontmatter import dump_front_matter
from ..pipeline.merge import map_loc_key
from ..pipeline.model import Page
from ..pipeline.render import Renderer
from ..problems import Loc, VariantsError, error
from ..source.fields import ID, LAYOUT
from ..source.project import LAYOUT_SUFFIX, LAYOUTS
from .templates import TemplateMap

_FIRST_ID = 0xF0000  # supplementary private use planes: markers, one character each
_CLOSE = chr(0x10FFFD)
_LAST_ID = 0x10FFFC
VALUE, TEMPLATE = "value", "template"


class Origin(NamedTuple):
    """Where a stretch of the page comes from: a text value or a template line."""

    kind: str  # value | template
    loc: Loc  # the value's place, or the template file and line
    source: str = ""  # the value as written (a template over the variables)
    rendered: str = ""  # the value as rendered
    entry: str = ""  # the id of the value's section or question; '' for the page
    key: str = ""
    start: int = -1  # for literal template text: its offset in the template's source


class Traced(NamedTuple):
    """A page's text, the origin of each of its characters (an index into ``origins``), and the
    offset of each character within its origin's rendered value."""

    text: str
    origins: list[Origin]
    owner: list[int]
    offset: list[int]


@dataclass
class Tracer:
    """Renders pages of one project with marked origins (the ``Marker`` the renderer asks)."""

    renderer: Renderer
    ran: dict[str, set[int]] = field(default_factory=dict)  # template file -> generated code lines run
    _ids: dict[Origin, int] = field(default_factory=dict)
    _origins: list[Origin] = field(default_factory=list)
    _maps: dict[str, TemplateMap] = field(default_factory=dict)

    def _mark(self, origin: Origin, text: str) -> str:
        index = self._ids.get(origin)
        if index is None:
            index = self._ids[origin] = len(self._origins)
            if _FIRST_ID + index > _LAST_ID:
                raise VariantsError(error(origin.loc, "too many origins on one page to trace", "trace"))
            self._origins.append(origin)
        return chr(_FIRST_ID + index) + text + _CLOSE

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
            if not isinstance(value, str) or len(value) < 2 or not has_markers(value[0]):
                continue
            origin = self._origins[ord(value[0]) - _FIRST_ID]
            inner = value[1:-1]
            if (origin.entry, origin.key) != (eid, key) and value[-1] == _CLOSE and not has_markers(inner):
                context[key] = self._mark(origin._replace(entry=eid, key=key), inner)

    def template_map(self, name: str) -> TemplateMap:
        """The map of a template of base/ (``page.md.j2``, ``layouts/x.md.j2``)."""
        known = self._maps.get(name)
        if known is None:
            env = self.renderer.page_env
            known = self._maps[name] = TemplateMap.of(env, name, f"base/{name}", self.renderer.project.templates[name])
        return known

    def maps(self) -> list[TemplateMap]:
        """The templates rendered so far."""
        return list(self._maps.values())

    def _render(self, name: str, context: dict[str, Any]) -> str:
        tmap = self.template_map(name)
        ran = self.ran.setdefault(tmap.file, set())
        return "".join(
            self._mark(
                Origin(TEMPLATE, Loc(tmap.file, piece.line), piece.text, piece.text, start=piece.offset), piece.text
            )
            for piece in tmap.pieces(context, ran)
            if piece.text
        )

    def layout(self, question: dict[str, Any]) -> str:
        """A question's block, rendered from its layout file as a template of its own (``layout(q)``)."""
        return self._render(f"{LAYOUTS}{question[LAYOUT]}{LAYOUT_SUFFIX}", {"q": question})

    def trace(self, page: Page, expected: str) -> Traced:
        """``page`` rendered with origins; ``expected`` is its text as built."""
        if has_markers(expected):
            raise VariantsError(
                _untraceable(
                    self.renderer.project.template_name,
                    "the page holds characters of Unicode's private use planes 15 and 16, which tracing uses as markers",
                )
            )
        self._ids.clear()
        self._origins = []
        renderer = self.renderer
        context = renderer.context(page, self)
        name = renderer.project.template_name
        try:
            marked = self._render(name, dict(context, layout=self.layout))
        except VariantsError:
            raise
        except Exception as exc:  # the markers changed what the template computes
            raise VariantsError(_untraceable(name, f"{type(exc).__name__}: {exc}")) from None
        text, owner, offset = _decode(marked)
        finished = renderer.finish(context, text)  # markers out first: the last line break is the last character
        del owner[len(finished) :], offset[len(finished) :]
        text = finished
        if text != expected:
            raise VariantsError(_untraceable(name, "it measures or compares texts, which marking them changes"))
        return Traced(text, list(self._origins), owner, offset)


def _untraceable(name: str, why: str) -> Any:
    return error(Loc(f"base/{name}"), f"cannot trace the page template: {why}", "trace")


def _decode(marked: str) -> tuple[str, list[int], list[int]]:
    """The text without markers, each character's innermost origin (-1: none), and its offset there."""
    chars: list[str] = []
    owner: list[int] = []
    offset: list[int] = []
    stack: list[list[int]] = [[-1, 0]]  # [origin, characters so far]
    for char in marked:
        if char < "\U000f0000":
            top = stack[-1]
            chars.append(char)
            owner.append(top[0])
            offset.append(top[1])
            top[1] += 1
        elif char == _CLOSE:
            stack.pop()
        else:
            stack.append([ord(char) - _FIRST_ID, 0])
    return "".join(chars), owner, offset


def has_markers(text: str) -> bool:
    """Whether ``text`` holds characters tracing uses as markers (then it cannot be traced)."""
    return any(char >= "\U000f0000" for char in text)


__all__ = ["TEMPLATE", "VALUE", "Origin", "Traced", "Tracer", "has_markers"]
