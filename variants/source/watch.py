"""Watching a project's sources: each time files in base/ or overrides/ change, the set of them.

The preview (``serve``) reloads with it, and an incremental build can rebuild
with it. It uses watchfiles (the operating system's change notices, polling where
there are none); editors' temporary and swap files are left out. Nothing here
reads the files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

SOURCE_FOLDERS = ("base", "overrides")
DEBOUNCE_MS = 200  # changes this close together come as one set (an editor saving several files)
STEP_MS = 50  # a set is given once no further change came for this long
READY_MS = 100  # how soon an announcing watch says it is running


class StopFlag(Protocol):
    """What tells the watch to end (a threading.Event)."""

    def is_set(self) -> bool: ...


def watch_sources(
    root: Path,
    stop: StopFlag | None = None,
    debounce_ms: int = DEBOUNCE_MS,
    force_polling: bool | None = None,
    step_ms: int = STEP_MS,
    announce: bool = False,
) -> Iterator[set[str]]:
    """Sets of the project-relative paths ('overrides/x.yml') of the sources that changed
    (written, added or removed), one set per burst of changes, until ``stop`` is set.

    With ``announce`` the first set is empty and comes once the watch is running,
    so a caller can build then and miss no change made while it builds.
    """
    import logging

    import watchfiles

    logging.getLogger("watchfiles").setLevel(logging.ERROR)  # its Ctrl-C notice; the caller says "stopped"
    root = Path(root).resolve()
    folders = [root / name for name in SOURCE_FOLDERS if (root / name).is_dir()]
    if not folders:
        return
    ignored = watchfiles.DefaultFilter()
    changes = watchfiles.watch(
        *folders,
        watch_filter=ignored,
        debounce=debounce_ms,
        step=step_ms,
        stop_event=stop,
        raise_interrupt=False,
        force_polling=force_polling,
        yield_on_timeout=announce,
        rust_timeout=READY_MS if announce else 5_000,
    )
    for batch in changes:
        if not batch:
            if announce:
                announce = False
                yield set()
            continue
        paths = {Path(path).resolve() for _, path in batch}
        found = {p.relative_to(root).as_posix() for p in paths if p.is_relative_to(root)}
        if found:
            yield found


__all__ = ["DEBOUNCE_MS", "SOURCE_FOLDERS", "STEP_MS", "StopFlag", "watch_sources"]
