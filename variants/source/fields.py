"""The keys of content and override files, declared once.

Every key a page, a section or a question can carry is one row of ``KEYS``:
where it may stand, what it holds, whether it is a template, what the page
shows when it is not set, what kind of difference it makes and how the report
names it. Validation and the JSON Schema (``schema``), merging and the render
context (``pipeline``), the lint rules (``lint``), the diff report's wording
(``diff``) and extract's key order (``extract``) are derived from these rows:
adding a key is one row here plus its use in a template.

The rows are in the order people write them (and extract writes them): merge
directives first, long texts last.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any, NamedTuple

PAGE, SECTION, QUESTION = "page", "section", "question"
LEVELS = (PAGE, SECTION, QUESTION)

# What a key is for. Content and formatting are the two kinds of difference the
# report tells apart; order keys move an entry in the table of contents only;
# directives tell the merge what to do with an entry (overrides only); structure
# keys hold the entries themselves; intent keys say why a file makes its differences (the diff
# report reads them; they make no difference to a page).
CONTENT, FORMATTING, ORDER, DIRECTIVE, STRUCTURE, INTENT = (
    "content",
    "formatting",
    "order",
    "directive",
    "structure",
    "intent",
)

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
# An anchor is written inside an HTML attribute: nothing that could end it or hide in it.
ANCHOR_PATTERN = r"^[^\s\"'<>`\x00-\x1f\x7f]+$"
# Not Jinja's own constants: {{ none }} would print None, not the variable.
VAR_PATTERN = r"^(?!(?:true|false|none|True|False|None)$)[A-Za-z_][A-Za-z0-9_]*$"

ID, QUESTIONS, SECTIONS = "id", "questions", "sections"
APPLIED = "*"  # read_as of a key the renderer applies itself, whatever the template reads
LAYOUT = "layout"  # names a file in base/layouts/, which layout(q) renders the question with
ANCHOR = "anchor"  # the body anchor a question's table-of-contents link must reach


class Key(NamedTuple):
    """One key of a page, section or question."""

    name: str
    levels: tuple[str, ...]
    kind: str  # text | id | html-id | int | bool | map (of texts) | list (of entries)
    doc: str
    template: bool = False  # a Jinja text over the program variables
    role: str = CONTENT
    default: Any = None  # what the page shows when unset; "=KEY" is that key's value ("=page.KEY" the page's)
    label: str = ""  # how the report names it; the key itself when empty
    required_to_add: bool = False  # an entry an override adds must set it
    read_as: str = ""  # the name a template reads it by, where that is not its own; "*" when the renderer applies it
    offset: int = 0  # for placing keys: 0 puts the entry before its target, 1 after
    minimum: int | None = None  # for int
    override_only: bool = False
    required: bool = False  # every entry (or file) must have it

    @property
    def what(self) -> str:
        """The key as the report names it."""
        return self.label or self.name


def _spacing(name: str, where: str, default: int) -> tuple[Key, Key]:
    """A spacing setting: the page's default, and a question's own."""
    what = f"blank lines {where}"
    return (
        Key(name, (PAGE,), "int", f"Blank lines written {where}, on every question.", role=FORMATTING,
            label=what, default=default, minimum=0),
        Key(name, (QUESTION,), "int", f"Blank lines written {where} (default: the page's).", role=FORMATTING,
            label=what, default=f"=page.{name}", minimum=0),
    )  # fmt: skip


KEYS: tuple[Key, ...] = (
    Key(ID, (SECTION, QUESTION), "id", "Stable id: the merge key; a question's id is also its link target.",
        role=STRUCTURE, required=True),
    Key("after", (SECTION, QUESTION), "id", "Place this entry just after the entry with this id.",
        role=DIRECTIVE, offset=1, override_only=True),
    Key("before", (SECTION, QUESTION), "id", "Place this entry just before the entry with this id.",
        role=DIRECTIVE, offset=0, override_only=True),
    Key("remove", (SECTION, QUESTION), "bool", "Remove the base entry with this id from this program's page.",
        role=DIRECTIVE, override_only=True),
    Key("why", (PAGE, SECTION, QUESTION), "text", "Why this file makes the differences it declares here (the diff"
        " report shows it beside them): on an entry, for that entry and its questions; at the top, for the rest.",
        role=INTENT, override_only=True),
    Key("before_front_matter", (PAGE,), "text", "Text written before the front matter (template text).",
        template=True, role=FORMATTING, label="text before the front matter", default=""),
    Key("front_matter", (PAGE,), "map", "Front-matter keys and their values, in order: template text, or a YAML"
        " value (true, 3, a list) written as that type.", template=True, label="front matter", default={}),
    Key("front_matter_spacing", (PAGE,), "int", "Blank lines written after the front matter.", role=FORMATTING,
        label="blank lines after the front matter", default=0, minimum=0),
    Key("title", (PAGE,), "text", "The page's H1 heading (template text).", template=True, default=""),
    Key("title", (SECTION,), "text", "The section's heading in the table of contents (template text).",
        template=True, default="", required_to_add=True),
    Key("intro", (PAGE,), "text", "The paragraph under the heading (template text).", template=True, default=""),
    Key(LAYOUT, (QUESTION,), "id", "Which block layout in base/layouts/ renders this question (default: standard).",
        role=FORMATTING, default="standard"),
    Key("rule", (PAGE,), "text", "The default separator line between questions.", template=True, role=FORMATTING,
        label="separator line", default=""),
    Key("rule", (QUESTION,), "text", "The separator line written above this question (default: the page's rule).",
        template=True, role=FORMATTING, label="separator line", default="=page.rule"),
    *_spacing("rule_spacing", "before the separator line", 0),
    *_spacing("heading_spacing", "before the question's heading", 1),
    *_spacing("answer_spacing", "between the question's heading and its answer", 1),
    *_spacing("top_link_spacing", "between the answer and the link back to the top", 1),
    Key("toc_end", (PAGE,), "text", "Text written at the end of the table of contents.", template=True,
        role=FORMATTING, label="text after the table of contents", default=""),
    Key("footer", (PAGE,), "text", "Text written after the last question (empty: nothing).", template=True,
        role=FORMATTING, default=""),
    Key("final_newline", (PAGE,), "bool", "Whether the page ends with a line break (false: the last one is"
        " left out).", role=FORMATTING, label="line break at the end of the page", default=True, read_as=APPLIED),
    Key("toc_spacing", (SECTION,), "int", "Blank lines written before this section's heading in the table of contents.",
        role=FORMATTING, label="blank lines before its heading in the table of contents", default=1, minimum=0),
    Key("question", (QUESTION,), "text", "The question as the page body shows it (template text).", template=True,
        label="question text", required_to_add=True),
    Key("toc", (QUESTION,), "text", "The question as the table of contents shows it, where it differs from the body.",
        template=True, label="table-of-contents text", default="=question"),
    Key(ANCHOR, (QUESTION,), "html-id", "The anchor written above the question in the body, where it differs from the id.",
        default="=id"),
    Key("toc_before", (QUESTION,), "id", "List this question in the table of contents before this id.", role=ORDER,
        read_as="toc", offset=0),
    Key("toc_after", (QUESTION,), "id", "List this question in the table of contents after this id.", role=ORDER,
        read_as="toc", offset=1),
    Key("answer", (QUESTION,), "text", "The answer, Markdown with inline HTML (template text); keep its trailing newlines.",
        template=True, required_to_add=True),
    Key(QUESTIONS, (SECTION,), "list", "The section's questions, in body order.", role=STRUCTURE),
    Key(SECTIONS, (PAGE,), "list", "Sections, in page order.", role=STRUCTURE),
)  # fmt: skip


@cache
def at(level: str, *, base: bool = True) -> tuple[Key, ...]:
    """The keys of one level, in order; without the override-only ones for the base."""
    return tuple(k for k in KEYS if level in k.levels and (not base or not k.override_only))


@cache
def key(level: str, name: str) -> Key:
    """The row of ``name`` at ``level``."""
    return next(k for k in KEYS if level in k.levels and k.name == name)


@cache
def values(level: str) -> tuple[Key, ...]:
    """The keys whose values an entry (or the page) holds after merging: not ids, lists, directives or intent."""
    return tuple(k for k in at(level) if k.role not in (STRUCTURE, DIRECTIVE, INTENT))


@cache
def names(level: str, *roles: str) -> tuple[str, ...]:
    """The names of the keys of ``level`` with one of ``roles`` (every role when none is given)."""
    return tuple(k.name for k in at(level, base=False) if not roles or k.role in roles)


@cache
def directives() -> tuple[Key, ...]:
    """The keys that tell the merge what to do with an entry (remove, after, before)."""
    return tuple(k for k in KEYS if k.role == DIRECTIVE and SECTION in k.levels)


@cache
def intent() -> Key:
    """The key that says why a file makes its differences: read by the report, never by templates."""
    return next(k for k in KEYS if k.role == INTENT)


@cache
def placements() -> tuple[Key, ...]:
    """The directives that place an entry next to another (after, before)."""
    return tuple(k for k in directives() if k.kind == "id")


@cache
def removal() -> Key:
    """The directive that removes an entry."""
    return next(k for k in directives() if k.kind == "bool")


@cache
def toc_moves() -> tuple[Key, ...]:
    """The keys that move a question in its section's table of contents."""
    return tuple(k for k in KEYS if k.role == ORDER)


@cache
def headline(level: str) -> str:
    """The key whose text names an entry of ``level``: a section's title, a question's question."""
    return next(k.name for k in at(level) if k.template and k.required_to_add)


@cache
def text_keys() -> frozenset[str]:
    """Every key whose value is template text, at any level."""
    return frozenset(k.name for k in KEYS if k.template)


@cache
def labels() -> dict[str, str]:
    """How the report names each key."""
    return {k.name: k.what for k in KEYS if k.label}


@cache
def read_names() -> dict[str, str]:
    """For each key a template can read: the name it reads it by."""
    return {k.name: k.read_as or k.name for k in KEYS if k.role in (CONTENT, FORMATTING, ORDER)}


@cache
def formatting() -> frozenset[str]:
    """The keys whose differences are formatting, not content."""
    return frozenset(k.name for k in KEYS if k.role == FORMATTING)


@cache
def write_order() -> dict[str, int]:
    """The position of each key in a written file (the order of the rows)."""
    order: dict[str, int] = {}
    for k in KEYS:
        order.setdefault(k.name, len(order))
    return order


def default_of(row: Key, entry: dict[str, Any], page: dict[str, Any]) -> Any:
    """What the page shows for ``row`` when it is unset; ``entry`` and ``page`` give the
    values that "=KEY" and "=page.KEY" defaults stand for."""
    default = row.default
    if isinstance(default, str) and default.startswith("=page."):
        return page.get(default[len("=page.") :])
    if isinstance(default, str) and default.startswith("="):
        return entry.get(default[1:])
    return default


def walk_texts(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every template text in a content or override document, with its path."""
    if isinstance(data, dict):
        for name, value in data.items():
            yield from walk_texts(value, (*path, name))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from walk_texts(value, (*path, i))
    elif isinstance(data, str) and path and _is_text(path):
        yield path, data


def entries(data: Any) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every section and question of a (well-formed) document, with its path."""
    for i, section in enumerate(data.get(SECTIONS) or []):
        yield (SECTIONS, i), section
        for j, question in enumerate(section.get(QUESTIONS) or []):
            yield (SECTIONS, i, QUESTIONS, j), question


_TEXTS = frozenset(k.name for k in KEYS if k.template and k.kind == "text")
_MAPS = frozenset(k.name for k in KEYS if k.template and k.kind == "map")


_EDIT_TEXTS = frozenset({"with", "append", "prepend"})  # the texts an edit writes (see source.edits)


def _is_text(path: tuple[str | int, ...]) -> bool:
    if path[-1] in _EDIT_TEXTS:  # an edit of a text: {answer: {append: ...}} or a list of edits
        return any(step in _TEXTS for step in path[-3:-1])
    return path[-1] in _TEXTS or (len(path) > 1 and path[-2] in _MAPS)


__all__ = [
    "ANCHOR",
    "ANCHOR_PATTERN",
    "CONTENT",
    "DIRECTIVE",
    "FORMATTING",
    "ID",
    "ID_PATTERN",
    "INTENT",
    "KEYS",
    "LAYOUT",
    "LEVELS",
    "ORDER",
    "PAGE",
    "QUESTION",
    "QUESTIONS",
    "SECTION",
    "SECTIONS",
    "STRUCTURE",
    "VAR_PATTERN",
    "Key",
    "at",
    "default_of",
    "directives",
    "entries",
    "formatting",
    "headline",
    "intent",
    "key",
    "labels",
    "names",
    "placements",
    "read_names",
    "removal",
    "text_keys",
    "toc_moves",
    "values",
    "walk_texts",
    "write_order",
]
