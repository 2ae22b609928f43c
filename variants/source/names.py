"""Names the sources give files: output names, which must stay inside the output folder."""

from __future__ import annotations

from pathlib import PurePosixPath

from ..problems import Loc, Problem, error


def check_output_name(name: str, loc: Loc) -> Problem | None:
    """Refuse names that could write outside the output folder."""
    path = PurePosixPath(name)
    if not name or name.strip() != name or "\\" in name or "\x00" in name:
        return error(loc, f"output name {name!r} is not a plain relative file name", "output")
    if path.is_absolute() or ".." in path.parts or name.startswith("~"):
        return error(loc, f"output name {name!r} escapes the output folder", "output")
    if name.endswith("/") or path.name.startswith(".") or path.as_posix() != name:  # './x', 'a//b', 'a/./b'
        return error(loc, f"output name {name!r} is not a plain relative file name", "output")
    return None


__all__ = ["check_output_name"]
