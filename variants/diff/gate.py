"""What ``diff`` can fail on, for a CI gate: drift, content differences that say no why, any difference."""

from __future__ import annotations

from .model import CONTENT, FORMATTING, GONE, Drift, Report, Statement

DRIFT, UNEXPLAINED, ANY = "drift", "unexplained", "any"
CONDITIONS = (DRIFT, UNEXPLAINED, ANY)  # in the order they are checked: the first that holds decides


def findings(report: Report, condition: str) -> list[Drift | Statement]:
    """What makes ``condition`` hold in ``report`` (nothing: it does not hold). Against a
    revision, only what changed since counts; a difference gone needs no reason."""
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}")
    drift: list[Drift | Statement] = list(report.drift)
    if condition == DRIFT:
        return drift
    said = [s for group in report.statements for s in group if s.category in (CONTENT, FORMATTING)]
    if condition == UNEXPLAINED:
        return [s for s in said if not s.explained and s.delta != GONE]
    return drift + said


__all__ = ["ANY", "CONDITIONS", "DRIFT", "UNEXPLAINED", "findings"]
