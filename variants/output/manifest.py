"""The manifest: the hash of each page the last build wrote, which tells hand edits from the tool's own files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..problems import Loc, VariantsError, error
from ..source.names import check_output_name
from .pages import read_page

MANIFEST = ".variants-manifest.json"


def digest(text: str) -> str:
    """The SHA-256 of a page's text, as the manifest keeps it."""
    return hashlib.sha256(text.encode("utf-8", errors="surrogateescape")).hexdigest()


def read_manifest(out_dir: Path) -> dict[str, str]:
    """The hashes of the pages the last build wrote ({} before the first build)."""
    display = f"{out_dir}/{MANIFEST}"
    text = read_page(out_dir / MANIFEST, display)
    if text is None:
        return {}
    try:
        data = json.loads(text)
        files = data["files"]
        if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
            raise ValueError
        if any(check_output_name(name, Loc(display)) for name in files):
            raise ValueError
        return dict(files)
    except (ValueError, KeyError, TypeError):
        raise VariantsError(error(display, "manifest is damaged", "output", hint="delete-manifest")) from None


def manifest_text(files: dict[str, str]) -> str:
    """The manifest file for these pages and hashes."""
    return json.dumps({"version": 1, "files": dict(sorted(files.items()))}, indent=2) + "\n"


__all__ = ["MANIFEST", "digest", "manifest_text", "read_manifest"]
