"""Paths in the output folder: nothing is written outside it, or through a link."""

from __future__ import annotations

from pathlib import Path

from ..problems import VariantsError, error


def target(out_dir: Path, name: str) -> Path:
    """The file for ``name``, refusing any path that leaves ``out_dir`` through links."""
    path = out_dir / name
    escapes = False
    if "/" in name:  # only a subfolder can lead out of the output folder
        root = out_dir.resolve()
        parent = path.parent.resolve()
        escapes = parent != root and root not in parent.parents
    if escapes or path.is_symlink():
        raise VariantsError(error(f"{out_dir}/{name}", "refusing to write through a symbolic link", "output"))
    return path


__all__ = ["target"]
