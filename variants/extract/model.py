"""Pages as the factoring sees them: page-level values, and sections of entries with concrete values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Item:
    """A section or a question as one page has it: its id and concrete values."""

    id: str
    values: dict[str, Any]
    children: list[Item] = field(default_factory=list)
    toc: list[str] | None = None  # a section's table-of-contents order of question ids (None: body order)


@dataclass
class PageModel:
    """One page as the merger sees it: page-level values (front_matter is a dict) and sections."""

    values: dict[str, Any]
    sections: list[Item]


__all__ = ["Item", "PageModel"]
