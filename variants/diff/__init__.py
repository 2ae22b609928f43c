"""``variants diff``: where programs diverge, as plain data for the formats.

Modules: ``model`` (the report's records), ``sides`` (what is compared),
``structure`` (deepdiff over the merged content), ``statements`` (each
difference in words, with the line that declares it), ``evidence`` (cells and
rendered texts), ``drift`` (the output folder against the sources), ``textdiff``
(line and word differences), ``report`` (putting it together). deepdiff is
imported only when a report is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .report import diff_report

__all__ = ["diff_report"]


def __getattr__(name: str) -> Any:
    if name == "diff_report":  # lazily: the registry of formats imports this package at start-up
        from .report import diff_report

        return diff_report
    raise AttributeError(name)
