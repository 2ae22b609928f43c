"""Mojibake: UTF-8 bytes that were decoded as Windows-1252 (or Latin-1), such as 'â€™' for '’'."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ..problems import Loc, Problem
from .registry import finding

_LEAD = re.compile(
    r"[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+"
)
RULE = "mojibake"


def find_mojibake(text: str) -> Iterator[tuple[int, str, str]]:
    """(offset, mis-decoded text, what it should read) for each mojibake sequence in ``text``."""
    for match in _LEAD.finditer(text):
        lead = ord(match.group()[0])
        size = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
        bad = match.group()[:size]
        if len(bad) < size:
            continue
        try:
            fixed = bad.encode("cp1252").decode("utf-8")
        except UnicodeError:
            try:
                fixed = bad.encode("latin-1").decode("utf-8")
            except UnicodeError:
                continue
        yield match.start(), bad, fixed


def text_findings(text: str, loc_of: Callable[[int], Loc]) -> list[Problem]:
    """Mojibake in a text; ``loc_of(offset)`` places a finding."""
    return [
        finding(loc_of(offset), RULE, f"mis-encoded text '{bad}' (probably '{fixed}')")
        for offset, bad, fixed in find_mojibake(text)
    ]


__all__ = ["RULE", "find_mojibake", "text_findings"]
