"""The pages to extract from, read exactly as they are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..problems import Loc, Problem, VariantsError, error
from ..source.files import decode, read_bytes
from ..source.names import check_output_name


@dataclass(frozen=True)
class SourcePage:
    """One existing page: where it was read, the file name it is rebuilt as, its text."""

    path: str
    name: str
    text: str


def read_pages(paths: list[Path], least: int = 2) -> list[SourcePage]:
    """Read the pages exactly as they are (UTF-8, byte order mark and line endings kept); at least ``least``."""
    problems: list[Problem] = []
    pages: list[SourcePage] = []
    for path in paths:
        name = str(path)
        try:
            raw = read_bytes(path, name, rule="extract", what="page")
            assert raw is not None
            pages.append(SourcePage(name, path.name, decode(raw, name, "; save the page as UTF-8")))
        except VariantsError as exc:
            problems.extend(exc.problems)
    seen: dict[str, str] = {}
    for page in pages:
        if page.name in seen:
            message = f"two pages named '{page.name}' (also {seen[page.name]}): rename one"
            problems.append(error(page.path, message, "extract"))
        seen.setdefault(page.name, page.path)
        bad = check_output_name(page.name, Loc(page.path))
        if bad:
            problems.append(bad)
    if problems:
        raise VariantsError(problems)
    if len(pages) < least:
        raise VariantsError(error("extract", "give two or more pages of one family", "extract"))
    return pages


__all__ = ["SourcePage", "read_pages"]
