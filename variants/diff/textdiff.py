"""Differences between two texts: line by line, with the changed words marked inside a line.

A line that changed only in part is one line with its deleted and inserted words
marked (``~``), not a removed line and an added line, so a name swap in a long
paragraph shows as that phrase. Plain data only; the formatters decide how it looks.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

SAME, OLD, NEW, CHANGED = "=", "-", "+", "~"
# Lines less alike than this are shown as a removed and an added line: the share of the
# shorter line's visible characters that both lines keep.
MIN_SIMILARITY = 0.3
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

Segment = tuple[str, str]  # (kind, text): "=" kept, "-" deleted, "+" inserted


@dataclass(frozen=True)
class Line:
    """One line of a difference.

    ``op`` is ``=`` (in both texts), ``-`` (old text only), ``+`` (new text only)
    or ``~`` (in both, changed inside: its segments mark the words). Line numbers
    are 1-based, 0 where the line is not in that text.
    """

    op: str
    segments: tuple[Segment, ...]
    old_no: int = 0
    new_no: int = 0

    @property
    def old(self) -> str | None:
        """The line as the old text has it (None for an added line)."""
        if self.op == NEW:
            return None
        return "".join(text for kind, text in self.segments if kind != NEW)

    @property
    def new(self) -> str | None:
        """The line as the new text has it (None for a removed line)."""
        if self.op == OLD:
            return None
        return "".join(text for kind, text in self.segments if kind != OLD)


@dataclass(frozen=True)
class Hunk:
    """Changed lines with a few unchanged lines around them; starts are 1-based."""

    old_start: int
    new_start: int
    lines: tuple[Line, ...]


def split_lines(text: str | None) -> list[str]:
    """Lines of ``text`` without their ends; a final newline does not make an empty line."""
    if not text:
        return []
    lines = text.split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def words(old: str, new: str) -> tuple[tuple[Segment, ...], float]:
    """The segments that turn ``old`` into ``new``, word by word, and how alike the lines are (0..1)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    raw: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            raw.append((SAME, "".join(a[i1:i2])))
            continue
        if i2 > i1:
            raw.append((OLD, "".join(a[i1:i2])))
        if j2 > j1:
            raw.append((NEW, "".join(b[j1:j2])))
    segments = _merge(raw)
    kept = sum(_visible(text) for kind, text in segments if kind == SAME)
    shorter = min(_visible(old), _visible(new))
    return segments, (kept / shorter if shorter else float(old == new))


def _visible(text: str) -> int:
    """How many characters of ``text`` are not whitespace (``str.split`` and ``str.isspace``
    agree on what whitespace is)."""
    return len("".join(text.split()))


def _merge(raw: list[Segment]) -> tuple[Segment, ...]:
    """Join runs of changes into one deletion and one insertion (a lone space between two
    changes joins them too), so a replaced phrase reads as one phrase."""
    out: list[Segment] = []
    dels: list[str] = []
    ins: list[str] = []

    def flush() -> None:
        if dels:
            out.append((OLD, "".join(dels)))
        if ins:
            out.append((NEW, "".join(ins)))
        dels.clear()
        ins.clear()

    for n, (kind, text) in enumerate(raw):
        between_changes = (dels or ins) and n + 1 < len(raw) and raw[n + 1][0] != SAME
        if kind == SAME and not (between_changes and text.isspace()):
            flush()
            out.append((kind, text))
        elif kind == SAME:
            dels.append(text)
            ins.append(text)
        else:
            (dels if kind == OLD else ins).append(text)
    flush()
    return tuple(out)


def _block(tag: str, a: list[str], b: list[str], i: int, j: int) -> list[Line]:
    """The lines of one difflib opcode; ``i`` and ``j`` are the 0-based starts."""
    if tag == "equal":
        return [Line(SAME, ((SAME, text),), i + n + 1, j + n + 1) for n, text in enumerate(a)]
    lines: list[Line] = []
    pairs = min(len(a), len(b)) if tag == "replace" else 0
    for n in range(pairs):
        segments, likeness = words(a[n], b[n])
        if likeness >= MIN_SIMILARITY:
            lines.append(Line(CHANGED, segments, i + n + 1, j + n + 1))
        else:
            lines.append(Line(OLD, ((OLD, a[n]),), i + n + 1, 0))
            lines.append(Line(NEW, ((NEW, b[n]),), 0, j + n + 1))
    lines += [Line(OLD, ((OLD, text),), i + n + 1, 0) for n, text in enumerate(a) if n >= pairs]
    lines += [Line(NEW, ((NEW, text),), 0, j + n + 1) for n, text in enumerate(b) if n >= pairs]
    return lines


def changed_lines(old: str | None, new: str | None, context: int = 0) -> tuple[Line, ...]:
    """The lines that differ between ``old`` and ``new`` (None: no text at all), with up to
    ``context`` unchanged lines around each change."""
    return tuple(line for hunk in hunks(old, new, context) for line in hunk.lines)


def hunks(old: str | None, new: str | None, context: int = 2) -> tuple[Hunk, ...]:
    """The differences of two whole texts, as hunks with ``context`` unchanged lines around."""
    a, b = split_lines(old), split_lines(new)
    result: list[Hunk] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        lines = [line for tag, i1, i2, j1, j2 in group for line in _block(tag, a[i1:i2], b[j1:j2], i1, j1)]
        result.append(Hunk(group[0][1] + 1, group[0][3] + 1, tuple(lines)))
    return tuple(result)


__all__ = [
    "CHANGED",
    "MIN_SIMILARITY",
    "NEW",
    "OLD",
    "SAME",
    "Hunk",
    "Line",
    "Segment",
    "changed_lines",
    "hunks",
    "split_lines",
    "words",
]
