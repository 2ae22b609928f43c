"""Reading what the output folder holds: pages as they are, whatever bytes they contain."""

from __future__ import annotations

from pathlib import Path

from ..source.files import read_bytes

# Pages are rendered from sources of at most 1 MiB each; what is larger than this
# was not written by variants, and is not read whole into memory.
MAX_PAGE_BYTES = 64 * 1024 * 1024


def read_page(path: Path, display: str) -> str | None:
    """A page in the output folder (None when missing). Bytes that are not UTF-8 are kept as
    they are (surrogate escapes), so such a page compares as a hand edit, never crashes."""
    raw = read_bytes(path, display, missing_ok=True, rule="output", what="page", limit=MAX_PAGE_BYTES)
    return None if raw is None else raw.decode("utf-8", errors="surrogateescape")


__all__ = ["MAX_PAGE_BYTES", "read_page"]
