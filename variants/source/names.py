"""Names the sources give files: output names, which must stay inside the output folder and apart."""

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


def claims(outputs: list[tuple[str, str, Loc]]) -> list[Problem]:
    """Two programs writing one file, or one program's output a folder of another's; ``outputs``
    are (output name, override file, where the name is set) in program order."""
    problems: list[Problem] = []
    claimed: dict[str, str] = {}
    folders = {str(parent) for name, _, _ in outputs for parent in PurePosixPath(name).parents}
    for name, source, where in outputs:
        if name in claimed:
            problems.append(error(where, f"output '{name}' is also written by {claimed[name]}", "output"))
        elif name in folders:
            problems.append(error(where, f"output '{name}' is a folder of another program's output", "output"))
        else:
            claimed[name] = source
    return problems


__all__ = ["check_output_name", "claims"]
