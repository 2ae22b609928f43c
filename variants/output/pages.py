"""Reading what the output folder holds: pages as they are, whatever bytes they contain."""

from __future__ import annotations

import os
from pathlib import Path

from ..source.files import read_bytes
from .paths import is_temp

# Pages are rendered from sources of at most 1 MiB each; what is larger than this
# was not written by variants, and is not read whole into memory.
MAX_PAGE_BYTES = 64 * 1024 * 1024


def read_page(path: Path, display: str) -> str | None:
    """A page in the output folder (None when missing). Bytes that are not UTF-8 are kept as
    they are (surrogate escapes), so such a page compares as a hand edit, never crashes."""
    raw = read_bytes(path, display, missing_ok=True, rule="output", what="page", limit=MAX_PAGE_BYTES)
    return None if raw is None else raw.decode("utf-8", errors="surrogateescape")


def stray_files(out_dir: Path) -> list[str]:
    """What runs that were killed left in the output folder: temporary files and trash folders
    (names relative to the folder, sorted). Links are not followed."""
    found: list[str] = []
    for folder, dirs, files in os.walk(out_dir):
        rel = Path(folder).relative_to(out_dir)
        found += [(rel / name).as_posix() for name in files if is_temp(name)]
        found += [(rel / name).as_posix() for name in dirs if is_temp(name)]
        dirs[:] = [name for name in dirs if not is_temp(name)]
    return sorted(found)


__all__ = ["MAX_PAGE_BYTES", "read_page", "stray_files"]
