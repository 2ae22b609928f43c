"""Page shapes: reading existing pages into the models factoring works on.

Two shapes, each with the page template and layouts it is rendered with (package
data in ``templates/``, see ``shape_files``):

- the FAQ shape: front matter, a title and intro, a table of contents of
  ``- [text](#id)`` links in sections, and question blocks that start with
  ``<a id="..."></a>`` (the shape the shipped base/ renders);
- the block shape, for any other text: each paragraph (its lines and the blank
  lines after it) is one entry, aligned across pages by content.
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher

from ..problems import VariantsError
from ..progress import ALIGNING, Progress, counted
from ..source.fields import ID_PATTERN
from ..source.yamldoc import parse_yaml
from .align import opcodes
from .detect import Variable
from .model import Item, PageModel
from .templating import Ref, templatize

BLOCK_SECTION = "page"
FAQ, BLOCK = "FAQ", "block"
_TEMPLATE_DIRS = {FAQ: "faq", BLOCK: "block"}
_WINDOW = 50  # how far ahead a changed block looks for its counterpart


def shape_files(shape: str) -> dict[str, str]:
    """The page template and layouts of a shape, as base/ holds them: path in base/ -> text."""
    from importlib.resources import files

    root = files(__package__).joinpath("templates", _TEMPLATE_DIRS[shape])
    found = {"page.md.j2": root.joinpath("page.md.j2").read_text(encoding="utf-8")}
    for layout in sorted(root.joinpath("layouts").iterdir(), key=lambda p: p.name):
        found[f"layouts/{layout.name}"] = layout.read_text(encoding="utf-8")
    return found


_HEAD = re.compile(
    r"---\n(?P<fm>(?:[^\n]*\n)*?)---\n<a id=\"top\"></a>\n\n# (?P<title>[^\n]*)\n\n\n"
    r"(?P<intro>(?:[^\n]*\n)*?[^\n]*)\n<br/><br/>\n"
)
_SECTION = re.compile(r"(?P<spacing>\n*)\*\*(?P<title>[^\n]*)\*\*<br/>\n\n")
_TOC_LINE = re.compile(r"- \[(?P<toc>[^\n]*)\]\(#(?P<id>[^()\s]+)\)\n")
_BACK = r"\[\*\*Back to the top\*\*\]\(#top\)\n"
_BLOCKS = {
    "standard": re.compile(
        r"<br/>\n(?P<rule>[^\n]*)\n<a id=\"(?P<anchor>[^\"\n]*)\"></a>\n<br/>\n<br/>\n\n"
        r"### \*\*(?P<question>[^\n]*)\*\*\n\n(?P<answer>(?:[^\n]*\n)*?)" + _BACK
    ),
    "compact": re.compile(
        r"<br/>\n(?P<rule>[^\n]*)\n<br/>\n<br/>\n<a id=\"(?P<anchor>[^\"\n]*)\"></a>\n"
        r"### \*\*(?P<question>[^\n]*)\*\*\n(?P<answer>(?:[^\n]*\n)*?)" + _BACK
    ),
}
_STOP_WORDS = {"questions", "question", "about", "the", "a", "an", "of", "for", "and", "on", "to", "in", "faq", "faqs"}
_SLUG_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _named(text: str, values: list[tuple[str, str]]) -> str:
    """``text`` with variable values replaced by the variables' names (for ids)."""
    return "".join(p.name if isinstance(p, Ref) else p for p in templatize(text, values))


def _unique(wanted: str, taken: set[str]) -> str:
    slug, n = wanted, 1
    while slug in taken:
        n += 1
        slug = f"{wanted}-{n}"
    taken.add(slug)
    return slug


# -- the FAQ shape -------------------------------------------------------------


def _front_matter(text: str) -> dict[str, str] | None:
    if not text:
        return {}
    try:
        data = parse_yaml(text, "front matter").data
    except VariantsError:
        return None
    if not all(isinstance(v, str) for v in data.values()):
        return None
    return {str(k): str(v) for k, v in data.items()}


def _block_at(text: str, pos: int) -> tuple[str, re.Match[str]] | None:
    for layout, pattern in _BLOCKS.items():
        match = pattern.match(text, pos)
        if match and match.group("answer").endswith("\n"):
            return layout, match
    return None


def parse_faq(text: str, values: list[tuple[str, str]]) -> PageModel | None:
    """The page as FAQ content, or None when it does not have exactly the FAQ shape."""
    if "\r" in text or not text.endswith("\n"):
        return None
    head = _HEAD.match(text)
    front_matter = _front_matter(head.group("fm")) if head else None
    if head is None or front_matter is None:
        return None
    pos = head.end()
    tocs: list[tuple[str, int | None, list[tuple[str, str]]]] = []
    while section := _SECTION.match(text, pos):
        spacing = len(section.group("spacing"))
        if not tocs and spacing:
            return None
        pos = section.end()
        entries = []
        while line := _TOC_LINE.match(text, pos):
            entries.append((line.group("id"), line.group("toc")))
            pos = line.end()
        tocs.append((section.group("title"), spacing if tocs else None, entries))
    start = text.find("\n\n<br/>\n", pos)
    while start >= 0 and _block_at(text, start + 2) is None:
        start = text.find("\n\n<br/>\n", start + 1)
    if start < 0 or not tocs:
        return None
    toc_end = text[pos:start]
    blocks = []
    pos = start + 2
    while found := _block_at(text, pos):
        blocks.append(found)
        pos = found[1].end()
    footer = text[pos:-1]
    return _faq_model(front_matter, head, toc_end, footer, tocs, blocks, values)


def _faq_model(
    front_matter: dict[str, str],
    head: re.Match[str],
    toc_end: str,
    footer: str,
    tocs: list[tuple[str, int | None, list[tuple[str, str]]]],
    blocks: list[tuple[str, re.Match[str]]],
    values: list[tuple[str, str]],
) -> PageModel | None:
    ids = [qid for _, _, entries in tocs for qid, _ in entries]
    if len(blocks) != len(ids) or len(set(ids)) != len(ids) or not all(re.match(ID_PATTERN, i) for i in ids):
        return None
    taken = set(ids)
    sections: list[Item] = []
    for title, spacing, entries in tocs:
        mine, blocks = blocks[: len(entries)], blocks[len(entries) :]
        words = [w for w in _SLUG_WORD.findall(_named(title, values).lower()) if w not in _STOP_WORDS]
        section = Item(_unique(words[0] if words else "section", taken), {"title": title, "toc_spacing": spacing})
        section.toc = [qid for qid, _ in entries]
        for qid, (layout, match) in zip(_match_blocks(entries, mine), mine, strict=True):
            toc_text = dict(entries)[qid]
            section.children.append(
                Item(
                    qid,
                    {
                        "layout": layout,
                        "rule": match.group("rule"),
                        "question": match.group("question"),
                        "toc": toc_text,
                        "anchor": match.group("anchor"),
                        "answer": match.group("answer")[:-1],
                    },
                )
            )
        sections.append(section)
    rules = Counter(q.values["rule"] for s in sections for q in s.children)
    page = {
        "front_matter": front_matter,
        "title": head.group("title"),
        "intro": head.group("intro"),
        "rule": rules.most_common(1)[0][0] if rules else "",
        "toc_end": toc_end,
        "footer": footer,
    }
    return PageModel(page, sections)


def _match_blocks(entries: list[tuple[str, str]], blocks: list[tuple[str, re.Match[str]]]) -> list[str]:
    """The id of each body block of a section: by anchor, then by question text, then in order."""
    free = [qid for qid, _ in entries]
    toc = dict(entries)
    found: list[str | None] = [None] * len(blocks)
    for n, (_, match) in enumerate(blocks):
        if match.group("anchor") in free:
            found[n] = match.group("anchor")
            free.remove(match.group("anchor"))
    for n, (_, match) in enumerate(blocks):
        if found[n] is None:
            same = [qid for qid in free if toc[qid] == match.group("question")]
            if same:
                found[n] = same[0]
                free.remove(same[0])
    for n in range(len(blocks)):
        if found[n] is None:
            found[n] = free.pop(0)
    return [qid for qid in found if qid is not None]


# -- the block shape -----------------------------------------------------------


def split_blocks(text: str) -> list[str]:
    """Paragraphs: a run of lines with text, then the blank lines after it. Joined, they are ``text``."""
    blocks: list[str] = []
    current = ""
    after_blank = False
    for line in re.findall(r"[^\n]*\n|[^\n]+\Z", text):
        blank = not line.strip()
        if not blank and after_blank:
            blocks.append(current)
            current = ""
        current += line
        after_blank = blank
    if current:
        blocks.append(current)
    return blocks


def _block_values(block: str) -> dict[str, str]:
    # A block is no question: its whole text is the answer, so no entry is empty.
    return {"question": "", "answer": block}


def _key(block: str, values: list[tuple[str, str]]) -> str:
    return "".join("\x00" if isinstance(p, Ref) else p for p in templatize(block, values))


def _similar(a: str, b: str) -> bool:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= 0.5 and matcher.quick_ratio() >= 0.5 and matcher.ratio() >= 0.5


def block_models(texts: list[str], variables: list[Variable], progress: Progress | None = None) -> list[PageModel]:
    """Every page as blocks, with one id for the blocks that stand at the same place on several pages
    (each page aligned counted to ``progress``)."""
    values = [[(v.name, v.values[k]) for v in variables] for k in range(len(texts))]
    pages = [split_blocks(text) for text in texts]
    keys = [[_key(b, values[k]) for b in blocks] for k, blocks in enumerate(pages)]
    slots: list[dict[int, int]] = [{0: n} for n in range(len(pages[0]))]
    slot_keys = list(keys[0])
    for k in counted(range(1, len(pages)), ALIGNING, len(pages) - 1, progress):
        merged: list[dict[int, int]] = []
        merged_keys: list[str] = []
        for tag, i1, i2, j1, j2 in opcodes(slot_keys, keys[k]):
            i = i1
            for j in range(j1, j2):
                match: int | None = i1 + (j - j1)
                if tag != "equal":
                    ahead = range(i, min(i2, i + _WINDOW))  # a bounded look: a long change is no square of work
                    match = next((c for c in ahead if _similar(slot_keys[c], keys[k][j])), None)
                if match is None:
                    merged.append({k: j})
                    merged_keys.append(keys[k][j])
                    continue
                merged.extend(slots[i:match])
                merged_keys.extend(slot_keys[i:match])
                merged.append({**slots[match], k: j})
                merged_keys.append(slot_keys[match])
                i = match + 1
            merged.extend(slots[i:i2])
            merged_keys.extend(slot_keys[i:i2])
        slots, slot_keys = merged, merged_keys
    runs = _join_runs(slots)
    taken = {BLOCK_SECTION}
    ids = []
    for slot in runs:
        page, first = next(iter(slot.items()))
        line = _named(pages[page][first[0]].partition("\n")[0], values[page]).lower()
        ids.append(_unique("-".join(_SLUG_WORD.findall(line)[:4]) or "block", taken))
    models = []
    for k, blocks in enumerate(pages):
        items = [
            Item(ids[n], _block_values("".join(blocks[b] for b in slot[k]))) for n, slot in enumerate(runs) if k in slot
        ]
        models.append(PageModel({}, [Item(BLOCK_SECTION, {"title": "The page, block by block"}, items)]))
    return models


def _join_runs(slots: list[dict[int, int]]) -> list[dict[int, list[int]]]:
    """Slots as lists of blocks; consecutive blocks only one page has become one slot."""
    joined: list[dict[int, list[int]]] = []
    for slot in slots:
        last = joined[-1] if joined else None
        if (
            last is not None
            and len(slot) == 1
            and last.keys() == slot.keys()
            and all(last[k][-1] + 1 == slot[k] for k in slot)
        ):
            for k in slot:
                last[k].append(slot[k])
        else:
            joined.append({k: [b] for k, b in slot.items()})
    return joined


__all__ = ["BLOCK", "BLOCK_SECTION", "FAQ", "block_models", "parse_faq", "shape_files", "split_blocks"]
