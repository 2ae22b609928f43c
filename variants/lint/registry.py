"""The lint rules, one registry: each rule is a function with its id, level and docstring.

A rule checks a generated page (``page_rule``) or the sources (``source_rule``);
one id may have a check of each kind (an empty answer is found in both). The
first line of a rule's docstring is what it finds: ``check`` reports by it, the
README's table lists it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from ..problems import Loc, Problem

ERROR, WARNING = "error", "warning"
Check = Callable[..., Iterable[Problem]]
C = TypeVar("C", bound=Check)


@dataclass(frozen=True)
class Rule:
    """One rule: its id, level, what it finds, and its checks."""

    id: str
    level: str
    summary: str
    page: Check | None = None
    source: Check | None = None


RULES: dict[str, Rule] = {}


def _register(rule_id: str, level: str, kind: str) -> Callable[[C], C]:
    def add(check: C) -> C:
        summary = (check.__doc__ or "").strip().splitlines()[0].rstrip(".")
        known = RULES.get(rule_id)
        if known is None:
            known = Rule(rule_id, level, summary)
        elif known.level != level:  # pragma: no cover - a rule declared twice with two levels is a bug
            raise AssertionError(f"rule {rule_id} declared as {known.level} and {level}")
        RULES[rule_id] = replace(known, page=check) if kind == "page" else replace(known, source=check)
        return check

    return add


def page_rule(rule_id: str, level: str) -> Callable[[C], C]:
    """Register a check of a generated page: ``check(page) -> problems``."""
    return _register(rule_id, level, "page")


def source_rule(rule_id: str, level: str) -> Callable[[C], C]:
    """Register a check of the sources: ``check(sources) -> problems``."""
    return _register(rule_id, level, "source")


def finding(loc: Loc, rule_id: str, message: str, hint: str = "") -> Problem:
    """A problem at the level its rule declares."""
    return Problem(loc, RULES[rule_id].level, message, rule_id, hint)


def run(kind: str, subject: Any, skip: frozenset[str] = frozenset()) -> list[Problem]:
    """Every finding of every rule of ``kind`` ("page" or "source") on ``subject``."""
    problems: list[Problem] = []
    for rule in RULES.values():
        check = getattr(rule, kind)
        if check is not None and rule.id not in skip:
            problems.extend(check(subject))
    return problems


__all__ = ["ERROR", "RULES", "WARNING", "Check", "Rule", "finding", "page_rule", "run", "source_rule"]
