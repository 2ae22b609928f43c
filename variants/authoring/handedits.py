"""A page edited by hand, read back as changes of the texts and template pieces that made it.

The page as built is traced (every character knows its origin) and compared
with the page as edited. Each changed stretch that lies inside one text value
becomes a change of that value as written (its variables kept); a changed
front-matter line, of the value it gives; one inside a literal piece of a
template becomes a change of that piece; whole question blocks inserted or
deleted (``blocks``) become a new or a removed question; a line break added or
taken away at the very end, the page's final-newline setting. What fits none
of these is refused with its page line and a reason.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Iterator
from typing import NamedTuple

from ..pipeline.texts import SYNTAX, variable_spans
from ..problems import Loc, VariantsError
from ..source import fields
from ..source.yamldoc import parse_yaml
from ..trace.render import TEMPLATE, VALUE, Origin, Traced
from .blocks import NewQuestion, Pattern, RemovedQuestion, new_question, removed_questions, toc_kept

_FINAL_NEWLINE = next(k.name for k in fields.at(fields.PAGE) if k.read_as == fields.APPLIED and k.kind == "bool")
_MAPS = frozenset(k.name for k in fields.at(fields.PAGE) if k.kind == "map")  # front matter: one origin per entry
_CHARACTERS = 4000  # a changed stretch longer than this is compared word by word (character by character is quadratic)
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


class TextChange(NamedTuple):
    """A text value to write differently: ``old`` as the source writes it now, ``new`` as it must."""

    origin: Origin
    old: str
    new: str
    line: int  # the page line where the change starts


class ValueChange(NamedTuple):
    """A value that is not a text to set: a front-matter flag or number, the final line break."""

    origin: Origin
    value: str | int  # a text, a whole number or true/false
    line: int


class PieceChange(NamedTuple):
    """A literal piece of a template to write differently."""

    origin: Origin
    new: str
    line: int


class Refusal(NamedTuple):
    """A change that cannot be expressed in the sources, at its page line."""

    line: int
    reason: str


Reading = TextChange | ValueChange | PieceChange | NewQuestion | RemovedQuestion
BLOCKS = (NewQuestion, RemovedQuestion)  # readings that add or take away whole lines, read again after


def read_edits(
    traced: Traced, edited: str, variables: dict[str, str], block: Pattern
) -> tuple[list[Reading], list[Refusal]]:
    """The changes that turn the page ``traced`` into ``edited``; ``variables`` are the program's,
    ``block`` gives the pattern a question block matches (made only when an insertion may be one)."""
    built = traced.text
    if "\r\n" in edited and "\r\n" not in built:
        line = edited.count("\n", 0, edited.index("\r\n")) + 1
        return [], [Refusal(line, "the page's line breaks are \\r\\n (CRLF), the sources' \\n; save it with \\n")]
    readings: list[Reading] = []
    refused: list[Refusal] = []
    changes = _Changes(traced)
    for i1, i2, j1, j2 in _hunks(built, edited):
        line = built.count("\n", 0, i1) + 1
        new = edited[j1:j2]
        ending = _final_newline(built, i1, i2, new, line)
        if ending is not None:
            readings.append(ending)
            continue
        question = (
            new_question(traced, edited, i1, j1, j2, block) if i1 == i2 and _whole_lines(built, i1, new) else None
        )
        removed = removed_questions(traced, i1, i2) if j1 == j2 else []
        if question is not None or removed:
            readings += [question] if question is not None else removed
        elif (refusal := changes.add(i1, i2, new, line)) is not None:
            refused.append(refusal)
    for gone in [r for r in readings if isinstance(r, RemovedQuestion)]:
        kept = toc_kept(traced, gone.id, changes.changed)
        if kept:  # not a reading: the refusal stands now, not after the blocks are written
            readings.remove(gone)
            reason = f"question '{gone.id}' is deleted but not its table-of-contents line; delete both, or neither"
            refused.append(Refusal(kept, reason))
    for owner in changes.places:
        reading = changes.reading(owner, variables)
        if isinstance(reading, Refusal):
            refused.append(reading)
        else:
            readings.append(reading)
    return readings, refused


class _Changes:
    """The changed stretches of a page that lie inside one origin, gathered by origin and by each
    place the origin stands on the page."""

    def __init__(self, traced: Traced) -> None:
        self.traced = traced
        self.runs = _runs(traced)
        # origin -> for each place it stands, the (start, end, new) changes of its rendered text
        self.places: dict[int, dict[int, list[tuple[int, int, str]]]] = {}
        self.first_line: dict[int, int] = {}
        self.changed: list[tuple[int, int]] = []  # every changed stretch of the page

    def add(self, i1: int, i2: int, new: str, line: int) -> Refusal | None:
        """Take the change of ``i1:i2`` into ``new``, or say why it cannot be taken."""
        traced = self.traced
        self.changed.append((i1, i2))
        owner = _owner(traced, i1, i2)
        if owner is None:
            return Refusal(line, "the change spans text from more than one source; make it in each by hand")
        origin = traced.origins[owner]
        if origin.kind == TEMPLATE and origin.start < 0:
            return Refusal(line, f"the text is computed by an expression at {origin.loc}")
        start, end = _span_in(traced, owner, i1, i2)
        at = i1 if i2 > i1 or i1 == len(traced.text) or traced.owner[i1] == owner else i1 - 1
        run = bisect.bisect_right(self.runs[owner], at) - 1
        self.places.setdefault(owner, {}).setdefault(run, []).append((start, end, new))
        self.first_line.setdefault(owner, line)
        return None

    def reading(self, owner: int, variables: dict[str, str]) -> Reading | Refusal:
        """The changes of one origin's rendered text (the same at every place it stands) as one reading."""
        origin, places, line = self.traced.origins[owner], self.places[owner], self.first_line[owner]
        times = len(self.runs[owner])
        changes = list(places.values())
        if times > 1 and (len(places) != times or any(c != changes[0] for c in changes)):
            where = origin.loc if origin.kind == TEMPLATE else f"the {origin.key} of {origin.entry or 'the page'}"
            return Refusal(
                line, f"{where} writes this text {times} times on the page, and the edit changes it in fewer"
            )
        rendered = origin.rendered
        for start, end, new in sorted(changes[0], reverse=True):
            rendered = rendered[:start] + new + rendered[end:]
        if origin.kind == TEMPLATE:
            return PieceChange(origin, rendered, line)
        if _in_map(origin):
            return _front_matter(origin, rendered, variables)._replace(line=line)
        return _text(origin, rendered, variables)._replace(line=line)


def _final_newline(built: str, i1: int, i2: int, new: str, line: int) -> ValueChange | None:
    """The page's last line break taken away, or one added where it has none: the final-newline key."""
    at_end = i2 == len(built)
    if at_end and i1 == i2 - 1 and not new and built.endswith("\n"):
        return ValueChange(Origin(VALUE, Loc(""), key=_FINAL_NEWLINE), False, line)
    if at_end and i1 == i2 and new == "\n" and not built.endswith("\n"):
        return ValueChange(Origin(VALUE, Loc(""), key=_FINAL_NEWLINE), True, line)
    return None


def _in_map(origin: Origin) -> bool:
    return not origin.entry and origin.key.partition(".")[0] in _MAPS


def _text(origin: Origin, rendered: str, variables: dict[str, str]) -> TextChange | Refusal:
    written = _as_written(origin, rendered, variables)
    return written if isinstance(written, Refusal) else TextChange(origin, origin.source, written, 0)


def _front_matter(origin: Origin, rendered: str, variables: dict[str, str]) -> Reading | Refusal:
    """A changed front-matter line, as the value it now gives (a text with its variables kept)."""
    name, _, key = origin.key.partition(".")
    what = fields.key(fields.PAGE, name).what
    if not key:
        return Refusal(0, f"the {what} is written as a whole (a value YAML spreads over lines); edit it by hand")
    try:
        old, new = parse_yaml(origin.rendered, name).data, parse_yaml(rendered, name).data
    except VariantsError:
        old = new = None
    if not isinstance(old, dict) or not isinstance(new, dict) or list(new) != [key]:
        return Refusal(0, f"the {what} line no longer reads as '{key}: value'; edit it in the source by hand")
    value = new[key]
    if isinstance(value, str) and isinstance(old[key], str):
        return _text(origin._replace(rendered=old[key]), value, variables)
    if isinstance(value, (str, int)):
        return ValueChange(origin, value, 0)
    return Refusal(0, f"'{key}' would become {type(value).__name__}, which adopt does not write; edit it by hand")


def _runs(traced: Traced) -> dict[int, list[int]]:
    """Where each origin's text starts on the page, each time it stands there."""
    runs: dict[int, list[int]] = {}
    previous = -2
    for n, owner in enumerate(traced.owner):
        if owner != previous:
            runs.setdefault(owner, []).append(n)
            previous = owner
    return runs


def _hunks(old: str, new: str) -> Iterator[tuple[int, int, int, int]]:
    """The stretches where two texts differ, as character offsets: lines first, then within them."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    old_at, new_at = _starts(old_lines), _starts(new_lines)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        a1, a2, b1, b2 = old_at[i1], old_at[i2], new_at[j1], new_at[j2]
        if tag != "replace":
            yield a1, a2, b1, b2
            continue
        for k1, k2, m1, m2 in _differences(old[a1:a2], new[b1:b2]):
            yield a1 + k1, a1 + k2, b1 + m1, b1 + m2


def _differences(old: str, new: str) -> Iterator[tuple[int, int, int, int]]:
    """The stretches where two texts differ: character by character, or word by word where they
    are long (character by character is quadratic; frequent words, spaces and "the", taken as
    junk keep it fast, and the stretches are still exact)."""
    long = len(old) + len(new) > _CHARACTERS
    old_pieces = _TOKEN.findall(old) if long else list(old)
    new_pieces = _TOKEN.findall(new) if long else list(new)
    old_at, new_at = _starts(old_pieces), _starts(new_pieces)
    matcher = difflib.SequenceMatcher(None, old_pieces, new_pieces, autojunk=long)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            yield old_at[i1], old_at[i2], new_at[j1], new_at[j2]


def _starts(lines: list[str]) -> list[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


def _whole_lines(text: str, at: int, inserted: str) -> bool:
    return inserted.endswith("\n") and (at == 0 or text[at - 1] == "\n")


def _owner(traced: Traced, i1: int, i2: int) -> int | None:
    """The one origin a changed stretch belongs to: that of its characters, or for an insertion
    that of its neighbours (a value rather than the template around it)."""
    if i2 > i1:
        owners = set(traced.owner[i1:i2])
        return owners.pop() if len(owners) == 1 else None
    near = [traced.owner[n] for n in (i1 - 1, i1) if 0 <= n < len(traced.owner)]
    values = [o for o in near if traced.origins[o].kind != TEMPLATE]
    chosen = values or near
    return chosen[0] if chosen else None


def _span_in(traced: Traced, owner: int, i1: int, i2: int) -> tuple[int, int]:
    """The changed stretch as offsets in its origin's rendered text."""
    if i2 > i1:
        return traced.offset[i1], traced.offset[i2 - 1] + 1
    if i1 > 0 and traced.owner[i1 - 1] == owner:
        at = traced.offset[i1 - 1] + 1
    else:
        at = traced.offset[i1] if i1 < len(traced.owner) else len(traced.origins[owner].rendered)
    return at, at


def _as_written(origin: Origin, rendered: str, variables: dict[str, str]) -> str | Refusal:
    """The value as its source must write it to render as ``rendered``: each changed stretch
    written into the source's literal text, its variables kept."""
    old, source = origin.rendered, origin.source
    written = rendered
    if source != old:
        layout = _literal_places(source, old, variables)
        if layout is None:
            return Refusal(0, f"the text at {origin.loc} is a template with logic; edit it there by hand")
        places, outputs = layout
        written = source
        for a1, a2, b1, b2 in reversed(list(_differences(old, rendered))):
            if a1 not in places or a2 not in places or any(start < a2 and a1 < end for start, end in outputs):
                return Refusal(0, f"the change covers text a variable writes ({origin.loc}); change it there by hand")
            written = written[: places[a1]] + rendered[b1:b2] + written[places[a2] :]
    if len(SYNTAX.findall(written)) > len(SYNTAX.findall(source)):  # typed, or made of a brace and its neighbour
        return Refusal(0, "the new text holds template syntax ({{, {% or {#); write it in the source by hand")
    return written


def _literal_places(
    source: str, rendered: str, variables: dict[str, str]
) -> tuple[dict[int, int], list[tuple[int, int]]] | None:
    """For each place in ``rendered`` that the source's literal text writes (between characters,
    ends included), the same place in ``source``; and where each variable's value stands in
    ``rendered``. None when the source is more than literal text and ``{{ name }}``."""
    spans = variable_spans(source)
    if spans is None:
        return None
    places: dict[int, int] = {}
    outputs: list[tuple[int, int]] = []
    at = cursor = 0
    for var_start, var_end, name in [*spans, (len(source), len(source), "")]:
        for k in range(var_start - cursor + 1):
            places.setdefault(at + k, cursor + k)
        at += var_start - cursor
        if name:
            outputs.append((at, at + len(variables.get(name, ""))))
            at = outputs[-1][1]
        cursor = var_end
    return (places, outputs) if at == len(rendered) else None


__all__ = ["BLOCKS", "PieceChange", "Reading", "Refusal", "TextChange", "ValueChange", "read_edits"]
