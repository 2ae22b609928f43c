"""A generated page as a Markdown reader sees it: anchors, table-of-contents links, questions.

Pages are parsed with markdown-it-py (CommonMark), so links, headings and
inline HTML are found as a Markdown reader sees them, not by guessing with
regular expressions over the raw text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from ..problems import Loc


class _Ids(HTMLParser):
    """Collects the id attributes of the tags in an HTML snippet."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.extend(value for name, value in attrs if name == "id" and value)


def _html_ids(snippet: str) -> list[str]:
    parser = _Ids()
    try:
        parser.feed(snippet)
        parser.close()
    except AssertionError:  # html.parser asserts on some malformed markup ('<![foo['): no ids from it
        pass
    return parser.ids


@dataclass
class Heading:
    """A question heading: its text, where it is, the anchor above it, whether an answer follows."""

    text: str
    loc: Loc
    anchor: str | None
    anchor_is_first: bool
    has_answer: bool = False


@dataclass
class ParsedPage:
    """What the page rules look at."""

    anchors: dict[str, list[Loc]] = field(default_factory=dict)
    toc: list[tuple[str, str, Loc]] = field(default_factory=list)  # (target, text, where)
    headings: list[Heading] = field(default_factory=list)
    swallowed: set[str] = field(default_factory=set)  # anchors whose heading CommonMark reads as raw HTML


def _front_matter_lines(text: str) -> int:
    """How many lines the front matter takes (0 when there is none)."""
    if not text.startswith("---\n"):
        return 0
    end = text.find("\n---\n", 3)
    return text.count("\n", 0, end + 5) if end >= 0 else 0


@functools.cache
def _parser() -> Any:
    """One CommonMark parser for every page (making one costs more than parsing a page)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def parse_page(text: str, path: str) -> ParsedPage:
    """The anchors, table-of-contents links and question headings of a page, as CommonMark reads it."""
    skip = _front_matter_lines(text)
    lines = text.split("\n")
    body = "\n".join(lines[skip:])
    model = ParsedPage()
    current_anchor: str | None = None
    anchor_first = False
    list_depth = 0
    heading: Heading | None = None
    tokens = _parser().parse(body)
    for index, token in enumerate(tokens):
        if token.type == "bullet_list_open":
            list_depth += 1
        elif token.type == "bullet_list_close":
            list_depth -= 1
        if token.map is None:
            continue
        first = token.map[0] + skip  # 0-based line in the whole page
        pieces: list[tuple[str, Any, int]] = []
        if token.type == "html_block":
            pieces = [("html", token.content, first)]
        elif token.type == "inline":
            line = first
            for child in token.children or []:
                if child.type in ("softbreak", "hardbreak"):
                    line += 1
                pieces.append((child.type, child, line))
        for kind, item, line in pieces:
            source_line = lines[line] if line < len(lines) else ""
            if kind in ("html", "html_inline"):
                snippet = item if kind == "html" else item.content
                for anchor in _html_ids(snippet):
                    col = source_line.find(f'id="{anchor}"') + 1 or 1
                    loc = Loc(path, line + 1, col)
                    model.anchors.setdefault(anchor, []).append(loc)
                    current_anchor, anchor_first = anchor, len(model.anchors[anchor]) == 1
                    after = snippet[snippet.find(f'id="{anchor}"') :]
                    if kind == "html" and re.search(r"^#{1,6} ", after, re.MULTILINE):
                        model.swallowed.add(anchor)
                    heading = None
            elif kind == "link_open" and list_depth and tokens[index - 1].type == "paragraph_open":
                href = str(item.attrs.get("href", ""))
                if href.startswith("#"):
                    col = source_line.find(f"]({href})") + 3 or 1
                    label = "".join(c.content for c in token.children or [] if c.type == "text")
                    model.toc.append((href[1:], label, Loc(path, line + 1, col)))
        if token.type == "heading_open" and token.tag != "h1":
            inline = tokens[index + 1]
            heading = Heading(inline.content, Loc(path, first + 1, 1), current_anchor, anchor_first)
            model.headings.append(heading)
            current_anchor = None
        elif (
            heading is not None
            and token.type == "inline"
            and tokens[index - 1].type != "heading_open"
            and _has_answer_text(token)
        ):
            heading.has_answer = True
    return model


_LINE_BREAK_OR_LINK = re.compile(r"</?br\s*/?>|</?a\b[^>]*>")


def _has_answer_text(inline: Any) -> bool:
    """Whether an inline run holds more than line breaks and a link back to the top."""
    in_top_link = False
    for child in inline.children or []:
        if child.type == "link_open":
            in_top_link = str(child.attrs.get("href", "")) == "#top"
        elif child.type == "link_close":
            in_top_link = False
        elif child.type == "text" and child.content.strip() and not in_top_link:
            return True
        elif child.type == "html_inline" and not _LINE_BREAK_OR_LINK.fullmatch(child.content.strip()):
            return True
    return False


__all__ = ["Heading", "ParsedPage", "parse_page"]
