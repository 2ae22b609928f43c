"""A generated page as a Markdown reader sees it: anchors, table-of-contents links, questions.

Pages are parsed with markdown-it-pyrs (CommonMark, markdown-it in Rust), so links, headings and
inline HTML are found as a Markdown reader sees them, not by guessing with
regular expressions over the raw text.
"""

from __future__ import annotations

import bisect
import functools
import os
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
    if "id" not in snippet.lower():  # most raw HTML is a closing tag or a <br>: no parser needed
        return []
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
    from markdown_it_pyrs import MarkdownIt

    return MarkdownIt("commonmark")


@functools.cache
def _devnull() -> int:
    return os.open(os.devnull, os.O_WRONLY)


def _tree(body: str) -> Any:
    """markdown-it-pyrs's tree of ``body``, with stderr closed while it parses: a Rust panic prints there."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr to keep clean
        return _parser().tree(body)
    try:
        os.dup2(_devnull(), 2)
        return _parser().tree(body)
    finally:
        os.dup2(saved, 2)
        os.close(saved)


# CommonMark's whitespace, as markdown-it trims a heading's text with it.
_TRIM = "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
# The tree's inline node names: a tight list item holds them without a paragraph around them.
_INLINE_NAMES = frozenset(
    [
        "text",
        "text_special",
        "softbreak",
        "hardbreak",
        "html_inline",
        "link",
        "autolink",
        "image",
        "code_inline",
        "em",
        "strong",
    ]
)
_BLOCK_CONTAINERS = ("root", "blockquote", "list_item", "bullet_list", "ordered_list")


@dataclass
class _Inline:
    """A run of inline Markdown (a paragraph's or a heading's): its first line and its pieces in order."""

    line: int  # 0-based, in the parsed body
    pieces: list[tuple[str, str, int]] = field(default_factory=list)  # (kind, content or href, line)
    in_heading: bool = False


class _Walk:
    """The parse tree of a page flattened into the events the page model is read from.

    The tree's source maps are byte offsets; lines are counted in the body as parsed.
    """

    def __init__(self, body: str) -> None:
        self.source = body.encode()
        self.starts = [0]
        find = self.source.find
        at = find(b"\n")
        while at >= 0:
            self.starts.append(at + 1)
            at = find(b"\n", at + 1)
        self.events: list[tuple[str, Any]] = []

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def blocks(self, node: Any, nested: bool) -> None:
        run: list[Any] = []
        for child in node.children:
            if child.name in _INLINE_NAMES:
                run.append(child)
                continue
            if run:  # a tight list item's paragraph, which the tree leaves out
                self.inline(run, False)
                run = []
            self.block(child, nested or node.name != "root")
        if run:
            self.inline(run, False)

    def block(self, node: Any, nested: bool) -> None:
        name = node.name
        if name == "bullet_list":
            self.events.append(("list", 1))
            self.blocks(node, nested)
            self.events.append(("list", -1))
        elif name in _BLOCK_CONTAINERS:
            self.blocks(node, nested)
        elif name == "paragraph":
            self.inline(node.children, False)
        elif name in ("heading", "lheading"):
            start = node.srcmap[0]
            content = self.heading_text(node, start, nested)
            self.events.append(("heading", (self.line(start), node.meta["level"], content)))
            self.inline(node.children, True)
        elif name == "html_block":
            self.events.append(("html", (self.line(node.srcmap[0]), node.meta["content"])))

    def heading_text(self, node: Any, start: int, nested: bool) -> str:
        source = self.source
        end = source.find(b"\n", start)
        end = len(source) if end < 0 else end
        if node.name == "heading":  # ATX: after the #s, before a closing run of #s
            text = source[start:end].decode().lstrip(" \t").lstrip("#")
            body = text.rstrip(" \t")
            bare = body.rstrip("#")
            if len(bare) < len(body) and (bare == "" or bare[-1] in " \t"):
                body = bare
            return body.strip(_TRIM)
        # setext: the lines above the underline, each without its container's prefix
        last = self.line(node.srcmap[1] - 1)
        first = self.line(start)
        width = start - self.starts[first] if nested else 0
        lines = [source[start:end].decode()]
        for number in range(first + 1, last):
            text = source[self.starts[number] : self.starts[number + 1] - 1].decode()
            cut = 0
            while cut < width and cut < len(text) and text[cut] in " >":
                cut += 1
            lines.append(text[cut:])
        return "\n".join(lines).strip(_TRIM)

    def inline(self, nodes: list[Any], in_heading: bool) -> None:
        if not nodes:
            return
        run = _Inline(self.line(nodes[0].srcmap[0]), in_heading=in_heading)
        self.pieces(nodes, run, [run.line])
        pieces = run.pieces
        # markdown-it trims a paragraph with CommonMark's whole whitespace set before reading it;
        # markdown-it-pyrs trims spaces and tabs only, leaving e.g. a no-break space as text.
        if nodes[0].name == "text":
            pieces[0] = ("text", pieces[0][1].lstrip(_TRIM), pieces[0][2])
        if nodes[-1].name == "text":
            pieces[-1] = ("text", pieces[-1][1].rstrip(_TRIM), pieces[-1][2])
        self.events.append(("inline", run))

    def pieces(self, nodes: list[Any], run: _Inline, line: list[int]) -> None:
        """The inline nodes as markdown-it's flat token run: links open and close, text, raw HTML, breaks."""
        for node in nodes:
            name = node.name
            if name in ("text", "text_special"):
                run.pieces.append(("text", node.meta["content"], line[0]))
            elif name in ("softbreak", "hardbreak"):
                line[0] += 1
                run.pieces.append((name, "", line[0]))
            elif name == "html_inline":
                run.pieces.append(("html_inline", node.meta["content"], line[0]))
            elif name in ("link", "autolink"):
                run.pieces.append(("link_open", node.meta["url"], line[0]))
                self.pieces(node.children, run, line)
                run.pieces.append(("link_close", "", line[0]))
            elif name not in ("image", "code_inline"):  # their text is not the paragraph's text
                self.pieces(node.children, run, line)


def _token_events(body: str) -> list[tuple[str, Any]]:
    """The same events from markdown-it-py's token stream, for the pages markdown-it-pyrs cannot read."""
    from markdown_it import MarkdownIt

    events: list[tuple[str, Any]] = []
    tokens = MarkdownIt("commonmark").parse(body)
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "bullet_list_close"):
            events.append(("list", token.nesting))
        elif token.type == "html_block" and token.map:
            events.append(("html", (token.map[0], token.content)))
        elif token.type == "heading_open" and token.map:
            events.append(("heading", (token.map[0], int(token.tag[1:]), tokens[index + 1].content)))
        elif token.type == "inline" and token.map:
            run = _Inline(token.map[0], in_heading=tokens[index - 1].type == "heading_open")
            line = run.line
            for child in token.children or []:
                line += child.type in ("softbreak", "hardbreak")
                if child.type in ("text", "softbreak", "hardbreak", "html_inline", "link_close"):
                    run.pieces.append((child.type, child.content, line))
                elif child.type == "link_open":
                    run.pieces.append(("link_open", str(child.attrs.get("href", "")), line))
            events.append(("inline", run))
    return events


def parse_page(text: str, path: str) -> ParsedPage:
    """The anchors, table-of-contents links and question headings of a page, as CommonMark reads it."""
    skip = _front_matter_lines(text)
    lines = text.split("\n")
    body = "\n".join(lines[skip:]).replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
    try:
        tree = _tree(body)
    except BaseException as panic:  # markdown-it-pyrs panics on a few link labels ('[a `b')
        if type(panic).__name__ != "PanicException":
            raise
        events = _token_events(body)
    else:
        walk = _Walk(body)
        walk.blocks(tree, False)
        events = walk.events
    model = ParsedPage()
    current_anchor: str | None = None
    anchor_first = False
    list_depth = 0
    heading: Heading | None = None
    for kind, event in events:
        if kind == "list":
            list_depth += event
            continue
        if kind == "heading":
            first, level, content = event
            if level != 1:
                heading = Heading(content, Loc(path, first + skip + 1, 1), current_anchor, anchor_first)
                model.headings.append(heading)
                current_anchor = None
            continue
        pieces = [("html", event[1], event[0])] if kind == "html" else event.pieces
        for piece, content, line in pieces:
            line += skip  # 0-based line in the whole page
            source_line = lines[line] if line < len(lines) else ""
            if piece in ("html", "html_inline"):
                for anchor in _html_ids(content):
                    col = source_line.find(f'id="{anchor}"') + 1 or 1
                    model.anchors.setdefault(anchor, []).append(Loc(path, line + 1, col))
                    current_anchor, anchor_first = anchor, len(model.anchors[anchor]) == 1
                    after = content[content.find(f'id="{anchor}"') :]
                    if piece == "html" and re.search(r"^#{1,6} ", after, re.MULTILINE):
                        model.swallowed.add(anchor)
                    heading = None
            elif piece == "link_open" and list_depth and not event.in_heading and content.startswith("#"):
                col = source_line.find(f"]({content})") + 3 or 1
                label = "".join(text for kind_, text, _ in event.pieces if kind_ == "text")
                model.toc.append((content[1:], label, Loc(path, line + 1, col)))
        if kind == "inline" and heading is not None and not event.in_heading and _has_answer_text(event.pieces):
            heading.has_answer = True
    return model


_LINE_BREAK_OR_LINK = re.compile(r"</?br\s*/?>|</?a\b[^>]*>")


def _has_answer_text(pieces: list[tuple[str, str, int]]) -> bool:
    """Whether an inline run holds more than line breaks and a link back to the top."""
    in_top_link = False
    for kind, content, _ in pieces:
        if kind == "link_open":
            in_top_link = content == "#top"
        elif kind == "link_close":
            in_top_link = False
        elif kind == "text" and content.strip() and not in_top_link:
            return True
        elif kind == "html_inline" and not _LINE_BREAK_OR_LINK.fullmatch(content.strip()):
            return True
    return False


__all__ = ["Heading", "ParsedPage", "parse_page"]
