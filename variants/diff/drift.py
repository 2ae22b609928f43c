"""Drift: pages in the output folder that differ from what the sources produce (read only)."""

from __future__ import annotations

from pathlib import Path

from ..output.manifest import digest, read_manifest
from ..output.plan import CREATE, REMOVE, UNCHANGED, plan
from ..pipeline.model import Output
from .model import Drift
from .textdiff import hunks


def find_drift(out_dir: Path, outputs: list[Output], programs: dict[str, str], extras: bool) -> tuple[Drift, ...]:
    """Pages in ``out_dir`` that are missing, stale, edited by hand or left over (reads only)."""
    result = plan(out_dir, outputs, force=True)
    manifest = read_manifest(out_dir) if out_dir.is_dir() else {}
    found: list[Drift] = []
    for change in result.changes:
        if change.action == UNCHANGED or (change.action == REMOVE and not extras):
            continue
        program = programs.get(change.name, "")
        if change.action == CREATE:
            found.append(Drift(change.name, program, "missing", ()))
        elif change.action == REMOVE:
            found.append(Drift(change.name, program, "extra", ()))
        else:
            old, new = change.new or "", change.old or ""
            state = "stale" if manifest.get(change.name) == digest(new) else "edited"
            found.append(Drift(change.name, program, state, hunks(old, new)))
    return tuple(sorted(found, key=lambda d: d.file))


__all__ = ["find_drift"]
