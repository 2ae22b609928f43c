"""The JSON format: the report as data; keys sorted. Its JSON Schema is ``report.schema.json``
beside this module (``SCHEMA_FILE``), version ``JSON_VERSION``; the README explains each key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import resources
from json.encoder import encode_basestring
from typing import Any

from ..diff.model import (
    Comparison,
    Evidence,
    Report,
    Row,
    Statement,
)
from ..diff.textdiff import Line
from ..problems import Loc
from . import Style, plain, wording
from .jsonwrite import encode, json_list, newline

JSON_VERSION = 2
SCHEMA_FILE = "report.schema.json"


def schema_text() -> str:
    """The JSON Schema of the report, as published beside this module."""
    return resources.files(__package__ or "variants.formats").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def report_data(report: Report) -> dict[str, Any]:
    """The JSON document as plain data."""
    comparisons = [_json_comparison(c, _json_line) for c in report.comparisons]
    return _json_document(report, comparisons, [_json_row(row) for row in report.rows], _json_line)


def pieces(report: Report, style: Style = plain) -> Iterator[str]:
    r"""The document as ``json.dumps(report_data(report), indent=2, sort_keys=True,
    ensure_ascii=False) + "\n"`` writes it, one comparison and one matrix row at a time."""
    document = _json_document(report, [], [], _line_as_is)  # the small parts
    comparisons = (_json_comparison(c, _line_as_is) for c in report.comparisons)
    rows = (_json_row(row) for row in report.rows)
    yield "{"
    for n, key in enumerate(sorted(document)):
        yield ("," if n else "") + newline(1) + encode_basestring(key) + ": "
        if key == "comparisons":
            yield from json_list(comparisons, 1)
        elif key == "matrix":  # its keys in order: "columns", "rows"
            yield "{" + newline(2) + '"columns": ' + encode(document[key]["columns"], 2) + ","
            yield newline(2) + '"rows": '
            yield from json_list(rows, 2)
            yield newline(1) + "}"
        else:
            yield encode(document[key], 1)
    yield "\n}\n"


LineData = Callable[[Line], Any]  # how a line of evidence goes into the document


def _json_document(
    report: Report, comparisons: list[dict[str, Any]], rows: list[dict[str, Any]], line: LineData
) -> dict[str, Any]:
    """The JSON document with ``comparisons`` and matrix ``rows`` as given; ``line`` puts in
    each line of drift."""
    return {
        "version": JSON_VERSION,
        "against": report.against,
        "summary": _json_summary(report),
        "compared_with": report.compared_with,
        "base": report.base,
        "out": report.out,
        "show_variables": report.show_variables,
        "programs": [
            {
                "slug": p.slug,
                "source": p.source,
                "output": p.output,
                "variables": [
                    {
                        "name": v.name,
                        "value": v.value,
                        "default": v.default,
                        "where": _json_loc(v.where),
                        "help": v.help,
                    }
                    for v in p.variables
                ],
            }
            for p in report.programs
        ],
        "comparisons": comparisons,
        "components": [{"name": u.name, "file": u.file, "programs": list(u.programs)} for u in report.components],
        "matrix": {
            "columns": [
                {"name": wording.column_name(n), "programs": list(c.programs)} for n, c in enumerate(report.columns)
            ],
            "rows": rows,
        },
        "drift": [
            {
                "file": d.file,
                "program": d.program,
                "state": d.state,
                "hunks": [
                    {
                        "old_start": h.old_start,
                        "new_start": h.new_start,
                        "lines": [line(each) for each in h.lines],
                    }
                    for h in d.hunks
                ],
            }
            for d in report.drift
        ],
    }


def _json_summary(report: Report) -> dict[str, Any]:
    lines = report.summary
    return {
        "programs": [
            {
                "slug": s.slug,
                "column": wording.column_name(s.column) if s.column >= 0 else None,
                "content": s.content,
                "formatting": s.formatting,
                "unexplained": s.unexplained,
                "drift": s.drift or None,
                "added": s.added,
                "removed": s.removed,
                "changed": s.changed,
            }
            for s in lines
        ],
        "content": sum(s.content for s in lines),
        "formatting": sum(s.formatting for s in lines),
        "unexplained": sum(s.unexplained for s in lines),
        "drift": len(report.drift),
        "as_other": wording.as_other(report),
        "unchanged": report.unchanged,
    }


def _record(item: Any, names: str, **more: Any) -> dict[str, Any]:
    """A record's fields named in ``names`` (space-separated) as they are, and ``more``."""
    return {name: getattr(item, name) for name in names.split()} | more


def _json_row(row: Row) -> dict[str, Any]:
    cells = [{"state": c.state, "moved": c.moved, "version": c.version, "was": c.was} for c in row.cells]
    return _record(row, "kind id section label", cells=cells)


def _json_loc(loc: Loc | None) -> dict[str, Any] | None:
    return None if loc is None else {"path": loc.path, "line": loc.line, "column": loc.col}


def _json_line(line: Line) -> dict[str, Any]:
    return {
        "op": line.op,
        "old_line": line.old_no,
        "new_line": line.new_no,
        "segments": [{"kind": kind, "text": text} for kind, text in line.segments],
    }


def _line_as_is(line: Line) -> Line:
    """A line left as it is: ``_put`` writes it as ``_json_line`` would make it, faster."""
    return line


def _json_evidence(evidence: Evidence, line: LineData) -> dict[str, Any]:
    fields = [
        {"field": f.field, "category": f.category, "lines": [line(each) for each in f.lines]} for f in evidence.fields
    ]
    return _record(evidence, "target id section state same_as", fields=fields)


def _json_comparison(comparison: Comparison, line: LineData) -> dict[str, Any]:
    return {
        "old": comparison.old,
        "new": comparison.new,
        "statements": [_json_statement(s) for s in comparison.statements],
        "variable_only": {
            "page": list(comparison.variable_only.page),
            "sections": list(comparison.variable_only.sections),
            "questions": list(comparison.variable_only.questions),
        },
        "evidence": [_json_evidence(e, line) for e in comparison.evidence],
        "variable_evidence": [_json_evidence(e, line) for e in comparison.variable_evidence],
    }


def _json_statement(s: Statement) -> dict[str, Any]:
    where = [_json_loc(loc) for loc in s.where]
    return _record(s, "key category change target id field text old new why delta was", where=where)


__all__ = ["JSON_VERSION", "SCHEMA_FILE", "LineData", "pieces", "report_data", "schema_text"]
