"""Drift: pages in the output folder that differ from what the sources produce (read only)."""

from __future__ import annotations

from pathlib import Path

from ..output.manifest import digest, read_manifest
from ..output.plan import CREATE, REMOVE, UNCHANGED, Change, plan
from ..pipeline.model import Output
from .model import EDITED, EXTRA, MISSING, STALE, Drift
from .textdiff import hunks


def drift_state(change: Change, manifest: dict[str, str]) -> str:
    """How a page that a build would change stands: missing, extra, stale (as the last build
    wrote it, the sources changed since) or edited (by hand, since the last build)."""
    if change.action == CREATE:
        return MISSING
    if change.action == REMOVE:
        return EXTRA
    return STALE if manifest.get(change.name) == digest(change.old or "") else EDITED


def find_drift(out_dir: Path, outputs: list[Output], programs: dict[str, str], extras: bool) -> tuple[Drift, ...]:
    """Pages in ``out_dir`` that are missing, stale, edited by hand or left over (reads only)."""
    result = plan(out_dir, outputs, force=True)
    manifest = read_manifest(out_dir) if out_dir.is_dir() else {}
    found: list[Drift] = []
    for change in result.changes:
        if change.action == UNCHANGED or (change.action == REMOVE and not extras):
            continue
        state = drift_state(change, manifest)
        lines = hunks(change.new or "", change.old or "") if state in (STALE, EDITED) else ()
        found.append(Drift(change.name, programs.get(change.name, ""), state, lines))
    return tuple(sorted(found, key=lambda d: d.file))


__all__ = ["drift_state", "find_drift"]
