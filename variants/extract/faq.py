"""The FAQ shape: a page with front matter, a title and intro, a table of contents in sections, and question blocks.

The shape's page template and layouts (package data in ``templates/faq/``) are
also its parser: each flat piece of them is read backwards (``inverse``), so a
key is found where the template writes it. What real versions of a page do is
in the template as keys: text before the front matter, front matter of any
YAML values, spacing around each question, text after the table of contents,
an empty footer, no final line break. A question block that follows no layout
is kept whole (the ``raw`` layout) and said why; a page that is not an FAQ
page at all says at which line it stops being one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from ..lint.source_rules import has_text
from ..pipeline.frontmatter import dump_front_matter
from ..problems import VariantsError
from ..source import fields
from ..source.fields import ID_PATTERN, LAYOUT, PAGE, QUESTION
from ..source.yamldoc import parse_yaml
from .inverse import Pattern, Unsupported, walk
from .model import Item, Lines, PageModel, Unfit, named, unique

RAW = "raw"  # the layout of a question block kept as the page has it
FRONT_MATTER = next(k.name for k in fields.values(PAGE) if k.kind == "map")
FINAL_NEWLINE = next(k.name for k in fields.values(PAGE) if k.kind == "bool" and k.read_as == fields.APPLIED)
QUESTION_TEXT = fields.headline(QUESTION)
_DEFAULT_LAYOUT = fields.key(QUESTION, LAYOUT).default
ANSWER = next(k.name for k in fields.at(QUESTION) if k.required_to_add and k.name != QUESTION_TEXT)
_STOP_WORDS = {"questions", "question", "about", "the", "a", "an", "of", "for", "and", "on", "to", "in", "faq", "faqs"}
_SLUG_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def environment() -> SandboxedEnvironment:
    """An environment that parses templates as the renderer does."""
    return SandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


@dataclass
class Frame:
    """The FAQ templates read backwards: the page's pieces and the layouts' patterns."""

    head: Pattern  # from the start to the table of contents
    header: Pattern  # a section's heading in the table of contents
    item: Pattern  # one table-of-contents line
    between: Pattern  # after the table of contents, before the questions
    footer: Pattern  # after the questions
    layouts: dict[str, Pattern]  # layout name -> its pattern (the default first)
    block_end: str  # the text every question block ends with

    @classmethod
    def of(cls, files: dict[str, str]) -> Frame:
        env = environment()
        pieces = list(walk(env.parse(files["page.md.j2"]).body))
        loops = [n for n, piece in enumerate(pieces) if isinstance(piece, nodes.For)]
        if len(loops) != 2:
            raise Unsupported("the FAQ page template has a loop for the table of contents and one for the questions")
        toc, body = pieces[loops[0]], pieces[loops[1]]
        assert isinstance(toc, nodes.For) and isinstance(body, nodes.For)
        inner = [n for n in toc.body if isinstance(n, nodes.For)]
        header = Pattern.of([n for n in toc.body if not isinstance(n, nodes.For)], skip=(nodes.Assign,))
        layouts: dict[str, Pattern] = {}
        block_end = ""
        default = fields.key(QUESTION, LAYOUT).default
        for name in sorted(files, key=lambda n: (n != f"layouts/{default}.md.j2", n)):
            layout = name.removeprefix("layouts/").removesuffix(".md.j2")
            if name.startswith("layouts/") and layout != RAW:
                layouts[layout] = Pattern.of(env.parse(files[name]).body)
                block_end = block_end or layouts[layout].tail
        return cls(
            Pattern.of(pieces[: loops[0]]),
            header,
            Pattern.of(inner[0].body, skip=(nodes.CondExpr,)),
            Pattern.of(pieces[loops[0] + 1 : loops[1]]),
            Pattern.of(pieces[loops[1] + 1 :]),
            layouts,
            block_end,
        )


def _stop(pattern: Pattern, text: str, lines: Lines) -> Unfit:
    """Where the page stops fitting ``pattern``, and what the template writes there instead."""
    pos, expected = pattern.stops_at(text)
    wanted = next((line for line in expected.split("\n") if line.strip()), expected)
    if not wanted or not text[pos:].strip():
        return Unfit(min(lines.at(pos), text.count("\n") or 1), "the page ends where the FAQ page template writes more")
    return Unfit(lines.at(pos), f"the FAQ page template writes {wanted!r} here")


def front_matter(text: str) -> dict[str, Any] | None:
    """The front matter's values, or None when YAML would not write them back as the page has them."""
    if not text:
        return {}
    try:
        data = parse_yaml(text, "front matter").data
    except VariantsError:
        return None
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        return None
    return data if dump_front_matter(data) == text else None


def _lines_in(values: dict[str, Any]) -> bool:
    """Whether a table-of-contents line's values span lines (then it is no such line)."""
    return any(isinstance(v, str) and "\n" in v for v in values.values())


def _toc(frame: Frame, text: str, pos: int, lines: Lines) -> tuple[list[tuple[dict[str, Any], list[Any]]], int] | Unfit:
    """The table of contents: each section's heading values and its (values, line) entries; where it ends."""
    sections: list[tuple[dict[str, Any], list[Any]]] = []
    sep = "" if frame.item.tail.endswith("\n") else "\n"  # what a template writes between two lines
    while True:
        start = pos + len(sep) if sections else pos
        header = frame.header.match(text, start) if not sections or text.startswith(sep, pos) else None
        if header is None or _lines_in(header[0]):
            break
        values, pos = header
        if not sections and any(isinstance(v, int) and v for v in values.values()):
            return Unfit(lines.at(start), "blank lines before the table of contents")
        entries: list[Any] = []
        while True:
            at = pos + len(sep) if entries else pos
            item = frame.item.match(text, at)
            if item is None or (entries and not text.startswith(sep, pos)) or _lines_in(item[0]):
                break
            entries.append((item[0], lines.at(at)))
            pos = item[1]
        if not entries:
            return Unfit(lines.at(pos), "a table-of-contents section with no question links")
        sections.append((values, entries))
    if not sections:
        return Unfit(lines.at(pos), "no table of contents after the intro")
    return sections, pos


def _blocks(frame: Frame, text: str, pos: int, count: int, lines: Lines) -> tuple[list[Any], int] | Unfit:
    """``count`` question blocks from ``pos``: (layout, values, start, end) each; where they end."""
    blocks: list[Any] = []
    while len(blocks) < count:
        end = text.find(frame.block_end, pos)  # a block ends with the first link back to the top
        if end < 0:
            have = f"{len(blocks)} question blocks" if blocks else "no question block"
            return Unfit(lines.at(pos), f"the table of contents lists {count} questions, the page has {have}")
        end += len(frame.block_end)
        for layout, pattern in frame.layouts.items():
            found = pattern.match(text, pos, end)
            if found is not None and has_text(found[0].get(ANSWER, "")):
                blocks.append((layout, found[0], pos, end))
                break
        else:
            stop, expected = next(iter(frame.layouts.values())).stops_at(text[:end], pos)
            wanted = next((line for line in expected.split("\n") if line.strip()), "")
            blocks.append((RAW, {"stops": (lines.at(stop), wanted)}, pos, end))
        pos = end
    return blocks, pos


def parse_faq(frame: Frame, text: str, values: list[tuple[str, str]]) -> PageModel | Unfit:
    """The page in the FAQ shape, or why it is not one (the line where it stops being one)."""
    if "\r" in text:
        return Unfit(text[: text.index("\r")].count("\n") + 1, "its lines end in carriage returns")
    final = text.endswith("\n")
    work = text if final else text + "\n"
    lines = Lines(work)
    starts: dict[str, int] = {}
    head = frame.head.match(work, starts=starts)
    if head is None:
        return _stop(frame.head, work, lines)
    page, pos = head
    title = fields.headline(fields.SECTION)  # the page's heading is a title too
    if "\n" in page.get(title, ""):
        return Unfit(lines.at(work.index(page[title])), "the title is not one line as the FAQ page template writes it")
    toc = _toc(frame, work, pos, lines)
    if isinstance(toc, Unfit):
        return toc
    sections, pos = toc
    toc_end = pos
    count = sum(len(entries) for _, entries in sections)
    body: tuple[list[Any], int] | Unfit = Unfit(lines.at(pos), "no question block after the table of contents")
    tail = frame.between.tail or "\n"
    start = work.find(tail, pos)
    while start >= 0:
        first = start + len(tail)
        between = frame.between.match(work, toc_end, first, starts)
        if between is not None and any(p.match(work, first) for p in frame.layouts.values()):
            page.update(between[0])
            body = _blocks(frame, work, first, count, lines)
            break
        start = work.find(tail, start + 1)
    if isinstance(body, Unfit):
        return body
    blocks, pos = body
    footer = frame.footer.match(work, pos, len(work), starts)
    if footer is None:
        return Unfit(lines.at(pos), "text after the last question that the page template cannot write")
    page.update(footer[0])
    page[FINAL_NEWLINE] = final
    model = _model(page, sections, blocks, work, lines, values)
    if isinstance(model, PageModel):
        model.where.update((key, lines.at(at)) for key, at in starts.items())
    last = frame.footer.names()[-1] if frame.footer.names() else ""
    if isinstance(model, PageModel) and final and last and page.get(last):
        # The same page with one more line break after the last text, and none written at the end.
        model.alternatives.append({last: page[last] + "\n", FINAL_NEWLINE: False})
    return model


def _model(
    page: dict[str, Any],
    sections: list[tuple[dict[str, Any], list[Any]]],
    blocks: list[Any],
    text: str,
    lines: Lines,
    values: list[tuple[str, str]],
) -> PageModel | Unfit:
    fm = front_matter(page[FRONT_MATTER])
    page[FRONT_MATTER] = fm if fm is not None else RawFrontMatter(page[FRONT_MATTER])
    ids = [entry["id"] for _, entries in sections for entry, _ in entries]
    bad = next((i for i in ids if not re.fullmatch(ID_PATTERN, i) or ids.count(i) > 1), None)
    if bad is not None:
        line = next(line for _, entries in sections for entry, line in entries if entry["id"] == bad)
        return Unfit(line, f"the table-of-contents link '#{bad}' is not a usable id (repeated, or not a name)")
    where = {FRONT_MATTER: 2}
    owner = {entry["id"]: n for n, (_, entries) in enumerate(sections) for entry, _ in entries}
    order = _match_blocks(sections, blocks)
    models: list[Item] = []
    taken = set(ids)
    for n, (header, entries) in enumerate(sections):
        title = header[fields.headline(fields.SECTION)]
        words = [w for w in _SLUG_WORD.findall(named(title, values).lower()) if w not in _STOP_WORDS]
        spacing = {k: (v if n else None) for k, v in header.items() if isinstance(v, int)}
        item = Item(unique(words[0] if words else "section", taken), {**header, **spacing})
        item.lines = (entries[0][1] - 1, entries[-1][1])
        item.toc = [entry["id"] for entry, _ in entries]
        models.append(item)
    last = -1
    toc_text = {entry["id"]: entry for _, entries in sections for entry, _ in entries}
    for qid, (layout, found, start, end) in zip(order, blocks, strict=True):
        section = owner[qid]
        if section < last:
            return Unfit(lines.at(start), f"question '{qid}' stands in the body after the next section's questions")
        last = section
        entry = {k: v for k, v in toc_text[qid].items() if k != "id"}
        question = Item(qid, {LAYOUT: layout, **found, **entry}, lines=(lines.at(start), lines.at(end - 1)))
        if layout == RAW:
            question.values = {LAYOUT: RAW, QUESTION_TEXT: next(iter(entry.values())), ANSWER: text[start:end]}
            line, wanted = found["stops"]
            why = f"(the {_DEFAULT_LAYOUT} layout writes {wanted!r} here)" if wanted else "(it has no answer)"
            question.unfit = Unfit(line, f"the block of question '{qid}' follows none of the layouts {why}")
        models[section].children.append(question)
    return PageModel(page, models, where)


class RawFrontMatter(str):
    """Front matter that YAML would not write back as the page has it: kept as its text."""


def kept_whole(text: str, unfit: Unfit, whole_key: str) -> PageModel:
    """A page that is not in the FAQ shape, as one text (the page template writes it alone)."""
    return PageModel({whole_key: text, FINAL_NEWLINE: True}, [], {whole_key: 1}, whole=True, unfit=unfit)


def front_matter_as_text(models: list[PageModel], whole_key: str) -> None:
    """Where a page's front matter is not as YAML writes it, every page keeps its front matter as text."""
    if not any(isinstance(m.values.get(FRONT_MATTER), RawFrontMatter) for m in models if not m.whole):
        return
    for model in models:
        if model.whole:
            continue
        fm = model.values[FRONT_MATTER]
        text = fm if isinstance(fm, RawFrontMatter) else dump_front_matter(fm)
        model.values[whole_key] += f"---\n{text}---\n" if text or isinstance(fm, RawFrontMatter) else ""
        model.values[FRONT_MATTER] = {}


def _match_blocks(sections: list[tuple[dict[str, Any], list[Any]]], blocks: list[Any]) -> list[str]:
    """The id of each body block: by its anchor, then by its question text, then in order."""
    entries = [entry for _, items in sections for entry, _ in items]
    free = [entry["id"] for entry in entries]
    toc = {entry["id"]: next(v for k, v in entry.items() if k != "id") for entry in entries}
    found: list[str | None] = [None] * len(blocks)
    anchors = [values.get(fields.ANCHOR) for _, values, _, _ in blocks]
    for n, anchor in enumerate(anchors):
        if anchor in free and anchors.count(anchor) == 1:
            found[n] = anchor
            free.remove(anchor)
    for n, (_, values, _, _) in enumerate(blocks):
        same = [qid for qid in free if found[n] is None and toc[qid] == values.get(QUESTION_TEXT)]
        if same:
            found[n] = same[0]
            free.remove(same[0])
    return [qid if qid is not None else free.pop(0) for qid in found]


__all__ = [
    "FINAL_NEWLINE",
    "FRONT_MATTER",
    "RAW",
    "Frame",
    "RawFrontMatter",
    "environment",
    "front_matter",
    "front_matter_as_text",
    "kept_whole",
    "parse_faq",
]
