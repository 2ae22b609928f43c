"""Which files a project's folders hold, by name alone: no file is read, nothing heavy is imported
(shell completion lists program names with this on every key press)."""

from __future__ import annotations

import re
from pathlib import Path

OVERRIDES_FOLDER = "overrides"
COMPONENTS_FOLDER = "base/components"
SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")


def yaml_files(folder: Path) -> list[Path]:
    """The YAML files of a folder, in name order (the order pages are built and reported in)."""
    return sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")], key=lambda p: p.name)


def usable_names(root: Path, folder: str) -> list[str]:
    """The names (file names without .yml) of the usable YAML files in ``folder`` of the project at ``root``."""
    names = (path.stem for path in yaml_files(root / folder))
    return list(dict.fromkeys(name for name in names if SLUG_PATTERN.fullmatch(name)))


def program_names(root: Path) -> list[str]:
    """The programs of the project at ``root``: its override files' names, in build order."""
    return usable_names(root, OVERRIDES_FOLDER)


def component_names(root: Path) -> list[str]:
    """The components of the project at ``root``: the names of the files in base/components/."""
    return usable_names(root, COMPONENTS_FOLDER)


__all__ = [
    "COMPONENTS_FOLDER",
    "OVERRIDES_FOLDER",
    "SLUG_PATTERN",
    "component_names",
    "program_names",
    "usable_names",
    "yaml_files",
]
