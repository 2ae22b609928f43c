"""Report formats: one registry, one module per format.

``FORMATS`` names every format and the module that writes it; the command line
offers exactly these names. A format module imports only when a report in it
is written, and its ``pieces(report, style)`` yields the report a program's part
at a time, so a report on thousands of programs is never one string.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from ..diff.model import Report

Style = Callable[..., str]  # click.style, or plain: how the text format colours


def plain(text: str, **_: Any) -> str:
    """The style function that adds no colour."""
    return text


class Format(NamedTuple):
    """A report format: its name, what it is for, and the module that writes it."""

    name: str
    summary: str
    module: str


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("text", "for a terminal; colour only on one, never with NO_COLOR", ".text"),
        Format("markdown", "for a pull-request comment", ".markdown"),
        Format("html", "one self-contained page, side by side", ".html"),
        Format("json", "the report as data, schema version 1", ".json"),
    )
}


def writer(fmt: str) -> Callable[[Report, Style], Iterator[str]]:
    """The function that writes format ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    pieces: Callable[[Report, Style], Iterator[str]] = importlib.import_module(FORMATS[fmt].module, __name__).pieces
    return pieces


def iter_report(report: Report, fmt: str, style: Style = plain) -> Iterator[str]:
    """The report in ``fmt`` as pieces to write as they come; ``style`` colours the text format only."""
    return writer(fmt)(report, style)


def format_report(report: Report, fmt: str, style: Style = plain) -> str:
    """The report in ``fmt`` as one string (the pieces of ``iter_report`` joined)."""
    return "".join(iter_report(report, fmt, style))


__all__ = ["FORMATS", "Format", "Style", "format_report", "iter_report", "plain", "writer"]
