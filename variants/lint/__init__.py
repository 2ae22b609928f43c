"""``variants check``: a registry of rules over the sources and the generated pages.

Modules: ``registry`` (rules: one function each, with an id, a level and a
docstring), ``page_rules`` and ``source_rules`` (the rules), ``parsed`` (a page
as CommonMark reads it), ``mojibake``, ``check`` (running them all). The build
runs the error-level checks too, through the same registry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import page_rules, source_rules  # noqa: F401 - importing a rule module registers its rules
from .registry import RULES, Rule

if TYPE_CHECKING:
    from .check import check_files, check_project

__all__ = ["RULES", "Rule", "check_files", "check_project"]


def __getattr__(name: str) -> Any:
    if name in ("check_files", "check_project"):  # lazily: the build imports the rules, check imports the build
        from . import check

        return getattr(check, name)
    raise AttributeError(name)
