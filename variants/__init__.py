"""variants: keep near-duplicate documents in one source and show where they differ.

The package is laid out by pipeline stage: ``source`` (reading and the field
table), ``pipeline`` (merge, render, build), ``output`` (the only code that
touches out/), ``lint`` (check), ``diff`` and ``formats`` (the report),
``extract`` and ``authoring`` (writing sources), ``cli`` (the command line).
The names below are the API for other tools; everything else is imported from
the module that owns it, by its ``__all__``. Importing this package is cheap: a
name loads its module when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

if TYPE_CHECKING:
    from .diff.report import diff_report
    from .extract import extract, read_pages, write_project
    from .lint import check_files, check_project
    from .output.apply import apply
    from .output.plan import plan
    from .pipeline.build import Build, build
    from .problems import Loc, Problem, VariantsError
    from .source.project import load_project
    from .source.schema import override_schema_text

_EXPORTS = {
    "Build": ".pipeline.build",
    "build": ".pipeline.build",
    "load_project": ".source.project",
    "plan": ".output.plan",
    "apply": ".output.apply",
    "check_project": ".lint",
    "check_files": ".lint",
    "diff_report": ".diff.report",
    "extract": ".extract",
    "read_pages": ".extract",
    "write_project": ".extract",
    "override_schema_text": ".source.schema",
    "Loc": ".problems",
    "Problem": ".problems",
    "VariantsError": ".problems",
}
__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
