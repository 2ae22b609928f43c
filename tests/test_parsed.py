"""The page model read with markdown-it-pyrs equals the one markdown-it-py gives, page for page.

``reference`` is the former markdown-it-py reading, kept here only as the
yardstick: the same tokens walked the same way, so any page where the two
parsers (or the tree walk) disagree shows up as a different ``ParsedPage``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from variants.lint.parsed import Heading, ParsedPage, parse_page
from variants.problems import Loc

ROOT = Path(__file__).resolve().parent.parent
TOP_LINK_OR_BREAK = re.compile(r"</?br\s*/?>|</?a\b[^>]*>")


@cache
def _markdown_it_py() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def _ids(snippet: str) -> list[str]:
    from html.parser import HTMLParser

    ids: list[str] = []

    class Ids(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            ids.extend(value for name, value in attrs if name == "id" and value)

    parser = Ids(convert_charrefs=True)
    try:
        parser.feed(snippet)
        parser.close()
    except AssertionError:
        pass
    return ids


def _answers(inline: Any) -> bool:
    in_top_link = False
    for child in inline.children or []:
        if child.type == "link_open":
            in_top_link = str(child.attrs.get("href", "")) == "#top"
        elif child.type == "link_close":
            in_top_link = False
        elif child.type == "text" and child.content.strip() and not in_top_link:
            return True
        elif child.type == "html_inline" and not TOP_LINK_OR_BREAK.fullmatch(child.content.strip()):
            return True
    return False


def reference(text: str, path: str) -> ParsedPage:
    """The page model as markdown-it-py's token stream gives it (the reading ``parse_page`` replaced)."""
    end = text.find("\n---\n", 3) if text.startswith("---\n") else -1
    skip = text.count("\n", 0, end + 5) if end >= 0 else 0
    lines = text.split("\n")
    model = ParsedPage()
    current_anchor: str | None = None
    anchor_first = False
    list_depth = 0
    heading: Heading | None = None
    tokens = _markdown_it_py().parse("\n".join(lines[skip:]))
    for index, token in enumerate(tokens):
        list_depth += {"bullet_list_open": 1, "bullet_list_close": -1}.get(token.type, 0)
        if token.map is None:
            continue
        first = token.map[0] + skip
        pieces: list[tuple[str, Any, int]] = []
        if token.type == "html_block":
            pieces = [("html", token.content, first)]
        elif token.type == "inline":
            # markdown-it-py strips the block's text with str.strip(), which takes whole lines of
            # Unicode spaces ('\xa0\n') from its start: its children start that many lines lower.
            raw = "\n".join(lines[first : token.map[1] + skip])
            line = first + raw[: len(raw) - len(raw.lstrip())].count("\n")
            for child in token.children or []:
                line += child.type in ("softbreak", "hardbreak")
                pieces.append((child.type, child, line))
        for kind, item, line in pieces:
            source_line = lines[line] if line < len(lines) else ""
            if kind in ("html", "html_inline"):
                snippet = item if kind == "html" else item.content
                for anchor in _ids(snippet):
                    col = source_line.find(f'id="{anchor}"') + 1 or 1
                    model.anchors.setdefault(anchor, []).append(Loc(path, line + 1, col))
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
            heading = Heading(tokens[index + 1].content, Loc(path, first + 1, 1), current_anchor, anchor_first)
            model.headings.append(heading)
            current_anchor = None
        elif heading is not None and token.type == "inline" and tokens[index - 1].type != "heading_open":
            heading.has_answer = heading.has_answer or _answers(token)
    return model


def _pages() -> list[Path]:
    folders = [ROOT / "out", ROOT / "examples/partner-faq/out", ROOT / "tests/golden"]
    return sorted(page for folder in folders for page in folder.rglob("*.md"))


@pytest.mark.parametrize("page", _pages(), ids=lambda page: str(page.relative_to(ROOT)))
def test_shipped_and_golden_pages_read_the_same(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert parse_page(text, "p.md") == reference(text, "p.md")


TRICKY = {
    "html block swallows a heading": '<div id="q">\n## Swallowed\n</div>\n\n## After\ntext\n',
    "anchor in inline html": 'para <a id="x"></a> and <span id="y">y</span>\n\n## <a id="z"></a>Q\nA\n',
    "nested lists with toc links": "- [A](#a)\n  - [B *b*](#b)\n    1. [C](#c)\n- [D](<#d e>)\n\n* loose\n\n  [E](#e)\n",
    "front matter": '---\ntitle: T\n---\n<a id="top"></a>\n\n- [Q](#q)\n\n<a id="q"></a>\n### Q\nanswer\n',
    "softbreaks and hardbreaks": 'a\nb  \nc\\\nd <a id="late"></a>\n\n- x\n  [L](#late)\n',
    "headings without answers": "## One\n\n## Two\n<br>\n[top](#top)\n\n## Three\n`code`\n\n## Four\n![img](#i)\n",
    "non-ascii columns": '# Ünïcødé\n\n- ¿Qué? [Señal ✓](#señal)\n\n<p id="señal">\n\n## Ça va?\nOui — très.\n',
    "setext and closing hashes": "Setext *one*\n---\n\nTwo\n  lines\n===\n\n## Closed ##\n\n## #\n\n##\tTab #\\#\n",
    "containers": "> ## Quoted\n> answer\n\n- ## Listed\n\n  > - [In quote](#q)\n\n1. [Ordered](#o)\n",
    "references and autolinks": "- [R][r] <http://x.y> <a@b.c>\n\n[r]: #ref\n\n## Q\n<http://x.y>\n",
    "entities and escapes": "- [a &amp; b \\* c](#x&amp;y)\n\n## Q &copy; \\#\n&nbsp;\n",
    "code blocks and fences": '```\n## not a heading\n<a id="no">\n```\n\n    <a id="no2">\n\n## Q\n~~~\ncode\n~~~\n',
    "unclosed front matter": '---\ntitle: T\n\n## Q\n<a id="a" id="b">\n',
    "raw html kinds": "<!-- c -->\n<?p?>\n<![CDATA[x]]>\n<!X>\n<a id='single'>\n<div\nid=\"multi\">\n\n## Q\n",
    "a label markdown-it-pyrs panics on": "- [Don`t](#d)\n\n## Q\n[a `b](#top) answer\n",
    "a line of unicode spaces starts a paragraph": '\xa0\n<a id="q"></a>\n\n## Q\n\u2003\n\xa0\nanswer\n',
    "malformed html": '<![foo[\n\n<a id="x"\n\n## Q\n<a id=\'k\' href="#top">\n',
}


@pytest.mark.parametrize("text", TRICKY.values(), ids=TRICKY.keys())
def test_tricky_pages_read_the_same(text: str) -> None:
    assert parse_page(text, "p.md") == reference(text, "p.md")


FRAGMENTS = [
    "---",
    "title: T",
    "",
    "",
    "## Q",
    "### Q *em* **b**",
    "# T",
    "Question?",
    "---",
    "===",
    "answer text",
    '<a id="q"></a>',
    '<a id="top"></a>',
    '<div id="d">',
    "</div>",
    '<p id="é">',
    "- [Q](#q)",
    "* [Top](#top)",
    "  - [Ünï ✓](#ü)",
    "1. [O](#o)",
    "> quote",
    "> ## H",
    "    indented",
    "```",
    "~~~",
    "<br>",
    "[top](#top)",
    "text  ",
    "text\\",
    "`code",
    "span`",
    "<span\n",
    'id="s">',
    "&amp;",
    "\\*",
    "![i](#i)",
    "<http://a.b>",
    "[r]: #ref",
    "[x][r]",
    "## Closed ##",
    "##",
    "\t## tab",
    "   ## three",
    "- ## item heading",
    "  continued",
]


@st.composite
def pages(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=30))
    joins = draw(st.lists(st.sampled_from(["\n", " ", "", "\n\n"]), min_size=len(pieces), max_size=len(pieces)))
    return "".join(piece + join for piece, join in zip(pieces, joins, strict=True))


@settings(max_examples=1000, deadline=None)
@given(pages())
def test_generated_pages_read_the_same(text: str) -> None:
    assert parse_page(text, "p.md") == reference(text, "p.md")


def test_a_page_the_rust_parser_panics_on_is_checked_quietly(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text(TRICKY["a label markdown-it-pyrs panics on"], encoding="utf-8")
    command = [sys.executable, "-m", "variants", "check", "--format", "json", str(page)]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=60, env={**os.environ, "RUST_BACKTRACE": "1"}
    )
    assert done.stderr == ""
    assert [p["rule"] for p in json.loads(done.stdout)["problems"]] == ["toc-link", "toc-body"]
