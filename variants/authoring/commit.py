"""Writing several source and output files as one change: all of them, or none.

The writing is the safe-path module's (``variants.output.paths.replace_all``):
each text is staged under a name no other process holds, then every file is
renamed into place with signals held back, and a failure puts back what was
already replaced.
"""

from __future__ import annotations

from pathlib import Path

from ..output.paths import replace_all


def write_all(files: dict[Path, str]) -> None:
    """Give each path its new text, all or nothing (raises VariantsError when a file cannot be written)."""
    replace_all({path: text.encode("utf-8") for path, text in files.items()})


__all__ = ["write_all"]
