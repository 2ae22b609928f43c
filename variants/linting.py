"""Linting generated pages and their sources: one rule, one id, one level.

Pages are parsed with markdown-it-py (CommonMark), so links, headings and
inline HTML are found as a Markdown reader sees them, not by guessing with
regular expressions over the raw text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from .errors import Loc, Problem

# rule id -> (level, what it finds)
RULES: dict[str, tuple[str, str]] = {
    "toc-link": ("warning", "a table-of-contents link to an anchor the page does not define"),
    "anchor-duplicate": ("warning", "an anchor defined more than once (links reach only the first)"),
    "toc-body": ("warning", "a TOC entry that leads to no question, or a question the TOC cannot reach"),
    "mojibake": ("warning", "text that was decoded with the wrong encoding, such as 'â€™' for '’'"),
    "template-leftover": ("error", "template syntax ('{{', '{%', '{#') left in a generated page"),
    "empty-answer": ("error", "a question with no answer text"),
    "no-op": ("warning", "an override entry that changes nothing"),
    "unused-key": ("error", "an override key or variable that no template or text reads"),
    "schema-stale": ("warning", "base/override.schema.json differs from the schema of this version"),
}


def finding(loc: Loc, rule: str, message: str) -> Problem:
    """A problem at the level its rule declares."""
    return Problem(loc, RULES[rule][0], message, rule)


# Mojibake: UTF-8 bytes that were decoded as Windows-1252 (or Latin-1).
_LEAD = re.compile(
    r"[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+"
)


def find_mojibake(text: str) -> Iterator[tuple[int, str, str]]:
    """(offset, mis-decoded text, what it should read) for each mojibake sequence in ``text``."""
    for match in _LEAD.finditer(text):
        lead = ord(match.group()[0])
        size = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
        bad = match.group()[:size]
        if len(bad) < size:
            continue
        try:
            fixed = bad.encode("cp1252").decode("utf-8")
        except UnicodeError:
            try:
                fixed = bad.encode("latin-1").decode("utf-8")
            except UnicodeError:
                continue
        yield match.start(), bad, fixed


def _line_col(text: str, offset: int, first_line: int = 1) -> tuple[int, int]:
    line = text.count("\n", 0, offset)
    return first_line + line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def text_findings(text: str, loc_of: Any) -> list[Problem]:
    """Mojibake in a text; ``loc_of(offset)`` places a finding."""
    return [
        finding(loc_of(offset), "mojibake", f"mis-encoded text '{bad}' (probably '{fixed}')")
        for offset, bad, fixed in find_mojibake(text)
    ]


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
class _Heading:
    text: str
    loc: Loc
    anchor: str | None
    anchor_is_first: bool
    has_answer: bool = False


@dataclass
class _PageModel:
    anchors: dict[str, list[Loc]] = field(default_factory=dict)
    toc: list[tuple[str, str, Loc]] = field(default_factory=list)  # (target, text, where)
    headings: list[_Heading] = field(default_factory=list)
    swallowed: set[str] = field(default_factory=set)  # anchors whose heading CommonMark reads as raw HTML


def _front_matter_lines(text: str) -> int:
    """How many lines the front matter takes (0 when there is none)."""
    if not text.startswith("---\n"):
        return 0
    end = text.find("\n---\n", 3)
    return text.count("\n", 0, end + 5) if end >= 0 else 0


_BACK_TO_TOP = re.compile(r"^\s*$")


@functools.cache
def _parser() -> Any:
    """One CommonMark parser for every page (making one costs more than parsing a page)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def _model(text: str, path: str) -> _PageModel:
    skip = _front_matter_lines(text)
    lines = text.split("\n")
    body = "\n".join(lines[skip:])
    model = _PageModel()
    current_anchor: str | None = None
    anchor_first = False
    list_depth = 0
    heading: _Heading | None = None
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
            heading = _Heading(inline.content, Loc(path, first + 1, 1), current_anchor, anchor_first)
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


def lint_page(text: str, path: str, sources: dict[str, Loc] | None = None) -> list[Problem]:
    """Every finding in one generated Markdown page; ``sources`` maps ids to where they are declared."""
    sources = sources or {}
    model = _model(text, path)
    problems: list[Problem] = []

    def origin(anchor: str) -> str:
        return f" (declared at {sources[anchor]})" if anchor in sources else ""

    for anchor, places in model.anchors.items():
        for place in places[1:]:
            problems.append(
                finding(
                    place,
                    "anchor-duplicate",
                    f"anchor '{anchor}' is defined again (first at line {places[0].line}); links reach only the first",
                )
            )
    linked = {target for target, _, _ in model.toc}
    for target, label, where in model.toc:
        if target not in model.anchors:
            problems.append(
                finding(where, "toc-link", f"table-of-contents link '#{target}' points to no anchor{origin(target)}")
            )
        elif not any(h.anchor == target and h.anchor_is_first for h in model.headings):
            why = (
                f": CommonMark reads the heading after anchor '{target}' as part of an HTML block (a blank line before it would fix that)"
                if target in model.swallowed
                else ""
            )
            problems.append(finding(where, "toc-body", f"table-of-contents entry '{label}' leads to no question{why}"))
    for heading in model.headings:
        if heading.anchor is None or heading.anchor not in linked or not heading.anchor_is_first:
            why = (
                "it has no anchor"
                if heading.anchor is None
                else f"its anchor '{heading.anchor}' is defined earlier"
                if not heading.anchor_is_first
                else f"no table-of-contents entry links to '#{heading.anchor}'"
            )
            problems.append(
                finding(
                    heading.loc,
                    "toc-body",
                    f"question '{_plain(heading.text)}' is not reachable from the table of contents: {why}",
                )
            )
        if not heading.has_answer:
            problems.append(finding(heading.loc, "empty-answer", f"question '{_plain(heading.text)}' has no answer"))
    for match in re.finditer(r"\{\{|\{%|\{#", text):
        line, col = _line_col(text, match.start())
        problems.append(
            finding(Loc(path, line, col), "template-leftover", f"template syntax '{match.group()}' left in the page")
        )
    problems.extend(text_findings(text, lambda offset: Loc(path, *_line_col(text, offset))))
    return sorted(problems)


def _plain(heading: str) -> str:
    return heading.strip("*").strip()
