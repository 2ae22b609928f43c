"""The lint rules, one registry: each rule is a function with its id, level and docstring.

A rule checks a generated page (``page_rule``), one source document
(``source_rule``) or the project once (``project_rule``); one id may have a
check of each kind (an empty answer is found in a source and on a page). The
first line of a rule's docstring is what it finds: ``check --rules`` lists it,
the README's table is that list. Checks marked ``in_build`` run in every build
too (the error-level source checks, and cheap page checks), so build and check
agree on what is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from ..problems import Loc, Problem

ERROR, WARNING = "error", "warning"
PAGE, SOURCE, PROJECT = "page", "source", "project"
Check = Callable[..., Iterable[Problem]]
C = TypeVar("C", bound=Check)


@dataclass(frozen=True)
class Rule:
    """One rule: its id, level, what it finds, and its checks by kind."""

    id: str
    level: str
    summary: str
    checks: dict[str, Check] = field(default_factory=dict)
    in_build: frozenset[str] = frozenset()  # the kinds whose check the build runs too


RULES: dict[str, Rule] = {}


def _register(rule_id: str, level: str, kind: str, in_build: bool) -> Callable[[C], C]:
    def add(check: C) -> C:
        summary = (check.__doc__ or "").strip().splitlines()[0].rstrip(".")
        known = RULES.get(rule_id) or Rule(rule_id, level, summary)
        if known.level != level:  # pragma: no cover - a rule declared twice with two levels is a bug
            raise AssertionError(f"rule {rule_id} declared as {known.level} and {level}")
        built = known.in_build | ({kind} if in_build else set())
        RULES[rule_id] = replace(known, checks={**known.checks, kind: check}, in_build=frozenset(built))
        return check

    return add


def page_rule(rule_id: str, level: str, in_build: bool = False) -> Callable[[C], C]:
    """Register a check of a generated page: ``check(page) -> problems``."""
    return _register(rule_id, level, PAGE, in_build)


def source_rule(rule_id: str, level: str) -> Callable[[C], C]:
    """Register a check of one source document: ``check(source) -> problems``; errors run in the build too."""
    return _register(rule_id, level, SOURCE, level == ERROR)


def project_rule(rule_id: str, level: str) -> Callable[[C], C]:
    """Register a check of the whole project, made once: ``check(project) -> problems``."""
    return _register(rule_id, level, PROJECT, level == ERROR)


def finding(loc: Loc, rule_id: str, message: str, hint: str = "") -> Problem:
    """A problem at the level its rule declares."""
    return Problem(loc, RULES[rule_id].level, message, rule_id, hint)


def run(kind: str, subject: Any, skip: frozenset[str] = frozenset(), build: bool | None = None) -> list[Problem]:
    """The findings of the rules of ``kind`` on ``subject``: the checks the build runs (``build=True``),
    the others (``build=False``), or every one (``None``); the rules in ``skip`` are not run."""
    problems: list[Problem] = []
    for rule in RULES.values():
        check = rule.checks.get(kind)
        if check is None or rule.id in skip or (build is not None and (kind in rule.in_build) != build):
            continue
        problems.extend(check(subject))
    return problems


__all__ = [
    "ERROR",
    "PAGE",
    "PROJECT",
    "RULES",
    "SOURCE",
    "WARNING",
    "Check",
    "Rule",
    "finding",
    "page_rule",
    "project_rule",
    "run",
    "source_rule",
]
