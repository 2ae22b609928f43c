"""A page's Markdown as the site shows it (CommonMark, its raw HTML kept), block by block,
with the blocks that show a difference wrapped in a mark."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from html import escape
from typing import TYPE_CHECKING, NamedTuple

from ..diff.model import FORMATTED, ONLY, REMOVED, REPLACED, SHARED
from .marks import STRENGTH, Mark, Marks

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# What a mark is called on the page.
LABELS = {
    REPLACED: "changed",
    ONLY: "added by this program",
    SHARED: "from a component",
    FORMATTED: "formatting",
    REMOVED: "removed",
}


@cache
def parser() -> MarkdownIt:
    """CommonMark with raw HTML allowed, as the site's Markdown reader takes it."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True})


class Block(NamedTuple):
    """One top-level block of the page: its body lines and its HTML."""

    start: int
    end: int
    html: str


def blocks(body: str) -> Iterator[Block]:
    """The body's top-level blocks in order; together their HTML is the whole page's."""
    md = parser()
    env: dict[str, object] = {}  # link reference definitions, read by the parse, used by each block
    tokens = md.parse(body, env)
    i = 0
    while i < len(tokens):
        j = i
        if tokens[i].nesting == 1:
            while not (tokens[j].nesting == -1 and tokens[j].level == tokens[i].level):
                j += 1
        start, end = tokens[i].map or (0, 0)
        yield Block(start, end, md.renderer.render(tokens[i : j + 1], md.options, env))
        i = j + 1


def mark_label(mark: Mark) -> str:
    """The label a marked block carries: what the difference is, and where it is declared."""
    where = mark.notes[0].split(": ", 1)[0] if mark.notes else ""
    title = escape("\n".join(mark.notes), quote=True)
    text = escape(LABELS.get(mark.state, mark.state) + (f" · {where}" if where else ""))
    return f'<div class="v-label" title="{title}">{text}</div>'


def removed_note(marks: list[Mark]) -> str:
    """A note where base questions were removed from this page."""
    items = "".join(
        f"<li><code>{escape(m.id)}</code>{escape(' · ' + m.notes[0]) if m.notes else ''}</li>" for m in marks
    )
    return f'<aside class="v-mark v-{REMOVED}"><div class="v-label">{LABELS[REMOVED]}</div><ul>{items}</ul></aside>\n'


def marked_html(marks: Marks, before_question: Callable[[str], str]) -> str:
    """The page body as HTML: each block as the site renders it, the marked ones wrapped, and before the
    block holding a question's anchor whatever ``before_question(question id)`` gives (a program switch)."""
    out: list[str] = []
    open_mark: Mark | None = None  # consecutive blocks of one difference share one wrapper and label

    def close() -> None:
        nonlocal open_mark
        if open_mark is not None:
            out.append("</div>\n")
            open_mark = None

    removed = sorted(marks.removed)  # each note goes before the block that holds its line, or at the end
    for block in blocks(marks.body):
        span = range(block.start, max(block.end, block.start + 1))
        before = []
        while removed and removed[0] < span.stop:
            before.append(removed_note(marks.removed[removed.pop(0)]))
        before += [before_question(marks.anchors[line]) for line in span if line in marks.anchors]
        found = [marks.lines[line] for line in span if line in marks.lines]
        mark = max(found, key=lambda m: STRENGTH.get(m.state, 0)) if found else None
        if mark != open_mark or any(before):
            close()
            out.extend(before)
            if mark is not None:
                out.append(f'<div class="v-mark v-{mark.state}">{mark_label(mark)}')
                open_mark = mark
        out.append(block.html)
    close()
    out.extend(removed_note(marks.removed[line]) for line in removed)
    return "".join(out)


__all__ = ["LABELS", "Block", "blocks", "mark_label", "marked_html", "parser", "removed_note"]
