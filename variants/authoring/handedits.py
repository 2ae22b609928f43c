"""A page edited by hand, read back as changes of the texts and template pieces that made it.

The page as built is traced (every character knows its origin) and compared
with the page as edited. Each changed stretch that lies inside one text value
becomes a change of that value as written (its variables kept); one inside a
literal piece of a template becomes a change of that piece; whole lines
inserted between two questions that read as a question block (the layout
rendered with placeholders, matched as a pattern) become a new question. What
fits none of these is refused with its page line and a reason.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from ..pipeline.texts import SYNTAX, variable_spans
from ..source.fields import ANCHOR, ID
from ..trace.render import TEMPLATE, Origin, Traced


class TextChange(NamedTuple):
    """A text value to write differently: ``old`` as the source writes it now, ``new`` as it must."""

    origin: Origin
    old: str
    new: str
    line: int  # the page line where the change starts


class PieceChange(NamedTuple):
    """A literal piece of a template to write differently."""

    origin: Origin
    new: str
    line: int


class NewQuestion(NamedTuple):
    """A question block added by hand: its values as the layout shows them, and where it stands."""

    after: str | None  # the question it follows on the page (None: it comes first)
    before: str | None  # the question it precedes
    values: dict[str, str]
    line: int


class Refusal(NamedTuple):
    """A change that cannot be expressed in the sources, at its page line."""

    line: int
    reason: str


Reading = TextChange | PieceChange | NewQuestion
Pattern = Callable[[], re.Pattern[str] | None]


def read_edits(
    traced: Traced, edited: str, variables: dict[str, str], block: Pattern
) -> tuple[list[Reading], list[Refusal]]:
    """The changes that turn the page ``traced`` into ``edited``; ``variables`` are the program's,
    ``block`` gives the pattern a question block matches (made only when an insertion may be one)."""
    built = traced.text
    readings: list[Reading] = []
    refused: list[Refusal] = []
    # origin -> for each place it stands on the page, the (start, end, new) changes in its rendered text
    by_origin: dict[int, dict[int, list[tuple[int, int, str]]]] = {}
    first_line: dict[int, int] = {}
    runs = _runs(traced)
    for i1, i2, j1, j2 in _hunks(built, edited):
        line = built.count("\n", 0, i1) + 1
        new = edited[j1:j2]
        if i1 == i2 and _whole_lines(built, i1, new):
            question = _new_question(traced, edited, i1, j1, j2, block)
            if question is not None:
                readings.append(question)
                continue
        owner = _owner(traced, i1, i2)
        if owner is None:
            refused.append(Refusal(line, "the change spans text from more than one source; make it in each by hand"))
            continue
        origin = traced.origins[owner]
        start, end = _span_in(traced, owner, i1, i2)
        if origin.kind == TEMPLATE and origin.start < 0:
            refused.append(Refusal(line, f"the text is computed by an expression at {origin.loc}"))
            continue
        at = i1 if i2 > i1 or i1 == len(built) or traced.owner[i1] == owner else i1 - 1
        run = bisect.bisect_right(runs[owner], at) - 1
        by_origin.setdefault(owner, {}).setdefault(run, []).append((start, end, new))
        first_line.setdefault(owner, line)
    for owner, places in by_origin.items():
        origin = traced.origins[owner]
        changes = list(places.values())
        if len(runs[owner]) > 1 and (len(places) != len(runs[owner]) or any(c != changes[0] for c in changes)):
            where = origin.loc if origin.kind == TEMPLATE else f"the {origin.key} of {origin.entry or 'the page'}"
            reason = f"{where} writes this text {len(runs[owner])} times on the page, and the edit changes it in fewer"
            refused.append(Refusal(first_line[owner], reason))
            continue
        spans = changes[0]
        rendered = origin.rendered
        for start, end, new in sorted(spans, reverse=True):
            rendered = rendered[:start] + new + rendered[end:]
        line = first_line[owner]
        if origin.kind == TEMPLATE:
            readings.append(PieceChange(origin, rendered, line))
            continue
        written = _as_written(origin, rendered, variables)
        if isinstance(written, Refusal):
            refused.append(written._replace(line=line))
        else:
            readings.append(TextChange(origin, origin.source, written, line))
    return readings, refused


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
    """The stretches where two texts differ, as character offsets: lines first, then characters."""
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
        inner = difflib.SequenceMatcher(None, old[a1:a2], new[b1:b2], autojunk=False)
        for itag, k1, k2, m1, m2 in inner.get_opcodes():
            if itag != "equal":
                yield a1 + k1, a1 + k2, b1 + m1, b1 + m2


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
    """The value as its source must write it to render as ``rendered`` (its variables kept)."""
    old = origin.rendered
    prefix = _common_prefix(old, rendered)
    suffix = _common_prefix(old[prefix:][::-1], rendered[prefix:][::-1])
    start, end, new = prefix, len(old) - suffix, rendered[prefix : len(rendered) - suffix]
    if SYNTAX.search(new):
        return Refusal(0, "the new text holds template syntax ({{, {% or {#); write it in the source by hand")
    source = origin.source
    if source == old:
        return source[:start] + new + source[end:]
    places = _literal_places(source, old, variables)
    if places is None:
        return Refusal(0, f"the text at {origin.loc} is a template with logic; edit it there by hand")
    covered = (
        start in places
        and end in places
        and any(
            places[start] <= var_start and var_end <= places[end]
            for var_start, var_end, _ in variable_spans(source) or []
        )
    )
    if start not in places or end not in places or covered:
        return Refusal(0, f"the change covers text a variable writes ({origin.loc}); change it there by hand")
    return source[: places[start]] + new + source[places[end] :]


def _literal_places(source: str, rendered: str, variables: dict[str, str]) -> dict[int, int] | None:
    """For each place in ``rendered`` that the source's literal text writes (between characters,
    ends included), the same place in ``source``; None when the source is more than ``{{ name }}``."""
    spans = variable_spans(source)
    if spans is None:
        return None
    places: dict[int, int] = {}
    at = cursor = 0
    for var_start, var_end, name in [*spans, (len(source), len(source), "")]:
        for k in range(var_start - cursor + 1):
            places.setdefault(at + k, cursor + k)
        at += var_start - cursor
        if name:
            at += len(variables.get(name, ""))
        cursor = var_end
    return places if at == len(rendered) else None


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def _new_question(traced: Traced, edited: str, at: int, j1: int, j2: int, block: Pattern) -> NewQuestion | None:
    """Inserted lines that read as a question block, slid to where a block can start."""
    pattern = block()
    if pattern is None:
        return None
    built = traced.text
    inserted = edited[j1:j2]
    size = len(inserted)
    shifts = [0]  # the same insertion can stand further left or right where the text repeats
    k = 1
    while k < size and at - k >= 0 and built[at - k] == inserted[size - k]:
        shifts.append(-k)
        k += 1
    k = 1
    while k < size and at + k - 1 < len(built) and built[at + k - 1] == inserted[k - 1]:
        shifts.append(k)
        k += 1
    for shift in shifts:
        window = edited[j1 + shift : j2 + shift]
        match = pattern.fullmatch(window)
        if match is None:
            continue
        position = at + shift
        after = _question_near(traced, range(position - 1, -1, -1))
        before = _question_near(traced, range(position, len(built)))
        values = {name: value for name, value in match.groupdict().items() if value is not None}
        if ANCHOR in values:
            values.setdefault(ID, values[ANCHOR])
        return NewQuestion(after, before, values, built.count("\n", 0, position) + 1)
    return None


def _question_near(traced: Traced, positions: range) -> str | None:
    for n in positions:
        origin = traced.origins[traced.owner[n]]
        if origin.entry and origin.key in ("question", "answer"):
            return origin.entry
    return None


def block_pattern(
    layout: Callable[[dict[str, Any]], str], sample: dict[str, Any], groups: dict[str, str]
) -> re.Pattern[str] | None:
    """The pattern of a question block: the layout rendered with a placeholder for each key of
    ``groups`` (key -> the pattern its value matches), the rest of ``sample`` as it is."""
    marks = {name: f"\ue000{n}\ue001" for n, name in enumerate(groups)}
    try:
        text = layout({**sample, **marks})
    except Exception:  # a layout that needs more than placeholders can give
        return None
    pieces = re.split("(\ue000[0-9]+\ue001)", text)
    names = list(groups)
    seen: set[str] = set()
    pattern = []
    for n, piece in enumerate(pieces):
        if n % 2 == 0:
            pattern.append(re.escape(piece))
            continue
        name = names[int(piece[1:-1])]
        pattern.append(f"(?P={name})" if name in seen else f"(?P<{name}>{groups[name]})")
        seen.add(name)
    return re.compile("".join(pattern), re.DOTALL)


__all__ = ["NewQuestion", "PieceChange", "Reading", "Refusal", "TextChange", "block_pattern", "read_edits"]
