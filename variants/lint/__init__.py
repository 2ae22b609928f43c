"""``variants check``: a registry of rules over the sources and the generated pages.

Modules: ``registry`` (rules: one function each, with an id, a level and a
docstring), ``page_rules`` and ``source_rules`` (the rules), ``parsed`` (a page
as CommonMark reads it), ``mojibake``, ``check`` (running them all).
"""

from . import page_rules, source_rules  # noqa: F401 - importing a rule module registers its rules
from .check import check_files, check_project
from .registry import RULES, Rule

__all__ = ["RULES", "Rule", "check_files", "check_project"]
