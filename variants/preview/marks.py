"""Where on a rendered page each difference from the base stands: marks on the page's lines.

The diff report says what differs (its evidence: the changed lines of each text,
as the program's page has them, and its statements: which file and line declare
each). Here those lines are found on the page, within the question's own block
(from its anchor to the next question's) where the page has anchors, so the
preview can mark the blocks that show them. Nothing is compared here again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..diff.model import FORMATTED, ONLY, REMOVED, REPLACED, SHARED, Comparison, Evidence, Statement
from ..pipeline.model import Page
from ..source.fields import ANCHOR, PAGE, QUESTION

# How much a mark says, least first: a block that shows several keeps the strongest.
STRENGTH = {FORMATTED: 1, REPLACED: 2, SHARED: 3, ONLY: 4}
_FRONT_MATTER = re.compile(r"---\n(?:.*\n)*?---\n")
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Mark:
    """A difference on the page: its state (a diff state), what it is, and where it is declared."""

    state: str
    target: str  # page | section | question
    id: str
    notes: tuple[str, ...]  # the statements, 'FILE:LINE: text'


@dataclass
class Marks:
    """A page's body and where its differences and questions stand (line numbers of the body, 0-based)."""

    front_matter: str
    body: str
    lines: dict[int, Mark] = field(default_factory=dict)  # body line -> the strongest mark on it
    anchors: dict[int, str] = field(default_factory=dict)  # body line -> the question id whose anchor it holds
    removed: dict[int, list[Mark]] = field(default_factory=dict)  # body line -> questions removed just before it


def split_front_matter(text: str) -> tuple[str, str]:
    """The page's front matter (without its --- lines) and the body after it."""
    found = _FRONT_MATTER.match(text)
    if found is None:
        return "", text
    return found.group(0)[4:-4], text[found.end() :]


def note(statement: Statement) -> str:
    """A statement as a one-line note: where it is declared, then what it says."""
    where = f"{statement.where[0]}: " if statement.where else ""
    return f"{where}{statement.text}"


def _meaningful(line: str) -> bool:
    """A line worth finding on the page: words, not markup alone or a blank."""
    return bool(re.search(r"\w", _TAG.sub("", line)))


def _new_text(evidence: Evidence) -> list[str]:
    """The lines of the program's page that the evidence shows as added or changed."""
    found = []
    for shown in evidence.fields:
        for line in shown.lines:
            if line.op in "+~" and line.new is not None and _meaningful(line.new):
                found.append(line.new)
    return found


def _anchor_lines(lines: list[str], page: Page) -> dict[str, int]:
    """Question id -> the body line of its anchor, found in body order."""
    found: dict[str, int] = {}
    at = 0
    for question in page.questions():
        anchor = re.escape(str(question.get(ANCHOR) or question.id))
        pattern = re.compile(rf"""\b(?:id|name)\s*=\s*["']?{anchor}(?=["'\s>])""")
        for n in range(at, len(lines)):
            if pattern.search(lines[n]):
                found[question.id] = n
                at = n + 1
                break
    return found


def _spans(anchors: dict[str, int], count: int) -> dict[str, range]:
    """Question id -> its block: from its anchor to the line before the next question's."""
    order = sorted(anchors.items(), key=lambda item: item[1])
    ends = [line for _, line in order[1:]] + [count]
    return {qid: range(start, end) for (qid, start), end in zip(order, ends, strict=True)}


def page_marks(text: str, page: Page, comparison: Comparison, base: Page) -> Marks:
    """Where each difference of ``comparison`` (one program against ``base``) shows on its page ``text``."""
    front_matter, body = split_front_matter(text)
    lines = body.split("\n")
    marks = Marks(front_matter, body)
    anchors = _anchor_lines(lines, page)
    marks.anchors = {line: qid for qid, line in anchors.items()}
    spans = _spans(anchors, len(lines))
    notes: dict[tuple[str, str], list[str]] = {}
    for statement in comparison.statements:
        notes.setdefault((statement.target, statement.id), []).append(note(statement))

    def put(line: int, mark: Mark) -> None:
        held = marks.lines.get(line)
        if held is None or STRENGTH.get(mark.state, 0) > STRENGTH.get(held.state, 0):
            marks.lines[line] = mark

    for evidence in comparison.evidence:
        if evidence.state not in STRENGTH:
            continue
        # The page's evidence is one record for all its texts; its statements are one per text.
        keys = (
            [(PAGE, f.field) for f in evidence.fields] if evidence.target == PAGE else [(evidence.target, evidence.id)]
        )
        mark = Mark(evidence.state, evidence.target, evidence.id, tuple(n for k in keys for n in notes.get(k, ())))
        span = spans.get(evidence.id) if evidence.target == QUESTION else None
        if span is not None and evidence.state in (ONLY, SHARED):
            for line in span:  # a question the base does not have: all of its block is new
                put(line, mark)
            continue
        wanted = _new_text(evidence)
        within = span if span is not None else range(len(lines))
        # A text's line stands on the page as it is, or inside the page's markup ('### **...**').
        hits = [n for n in within if any(w.strip() in lines[n] for w in wanted)]
        if not hits and span is not None:
            hits = [span.start]  # changed, but nothing to see (spacing, a separator): mark the anchor
        for line in hits:
            put(line, mark)
    removed = {e.id for e in comparison.evidence if e.target == QUESTION and e.state == REMOVED}
    _place_removed(marks, [q.id for q in base.questions()], removed, anchors, notes, len(lines))
    return marks


def _place_removed(
    marks: Marks,
    order: list[str],
    removed: set[str],
    anchors: dict[str, int],
    notes: dict[tuple[str, str], list[str]],
    count: int,
) -> None:
    """A note for each base question (``order``) the program removed, just before the next question the page has."""
    pending: list[Mark] = []
    for qid in order:
        if qid in removed:
            pending.append(Mark(REMOVED, QUESTION, qid, tuple(notes.get((QUESTION, qid), ()))))
        elif qid in anchors and pending:
            marks.removed.setdefault(anchors[qid], []).extend(pending)
            pending = []
    if pending:
        marks.removed.setdefault(count, []).extend(pending)


__all__ = ["STRENGTH", "Mark", "Marks", "note", "page_marks", "split_front_matter"]
