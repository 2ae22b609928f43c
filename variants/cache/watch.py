"""Watching: rebuild the pages each time the sources change, as a persistent process.

Each burst of changes in base/ or overrides/ is one rebuild through the page
cache (only the pages whose inputs changed are rendered) and one all-or-nothing
write of the output folder, as ``variants build`` does. A source that does not
build is one result with its problems; the watch goes on, and the output folder
keeps the last pages that built.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from ..problems import Problem, VariantsError
from ..source.watch import StopFlag, watch_sources
from .build import Memory, cached_outputs
from .stamp import Stamp

STEP_MS = 20  # how long a change waits for more changes before the rebuild starts


class Rebuild(NamedTuple):
    """One rebuild: what changed, the pages written, how long it took, or what stopped it."""

    changed: frozenset[str]  # the source paths that changed ('' for the first build)
    written: tuple[str, ...]  # output names created, updated or removed
    seconds: float
    problems: tuple[Problem, ...] = ()


def rebuild(root: Path, out_dir: Path, changed: frozenset[str] = frozenset(), memory: Memory | None = None) -> Rebuild:
    """Build through the cache (and ``memory``, the entries of the last rebuild) and write the
    output folder; problems are the result, never raised."""
    from ..output.apply import apply
    from ..output.paths import locked
    from ..output.plan import plan

    start = time.perf_counter()
    try:
        stamp = Stamp(root, out_dir)
        outputs = cached_outputs(root, memory=memory, stamp=stamp)
        with locked(out_dir):  # one run writes the output folder at a time, as build does
            result = plan(out_dir, outputs, holds=stamp.holds)
            apply(result)
            stamp.record(result.manifest)
        written = tuple(change.name for change in result.pending)
    except VariantsError as exc:
        return Rebuild(changed, (), time.perf_counter() - start, tuple(exc.problems))
    return Rebuild(changed, written, time.perf_counter() - start)


def rebuilds(
    root: Path, out_dir: Path, stop: StopFlag | None = None, force_polling: bool | None = None
) -> Iterator[Rebuild]:
    """The first build, then one rebuild per burst of source changes, until ``stop`` is set.

    The watch starts before the first build, so an edit made during it is the next rebuild.
    """
    changes = watch_sources(root, stop, force_polling=force_polling, step_ms=STEP_MS, announce=True)
    next(changes, None)
    memory = Memory()
    yield rebuild(root, out_dir, memory=memory)
    for changed in changes:
        yield rebuild(root, out_dir, frozenset(changed), memory)


__all__ = ["STEP_MS", "Rebuild", "rebuild", "rebuilds"]
