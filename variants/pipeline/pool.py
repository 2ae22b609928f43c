"""Work on many items in forked workers: the same results, in order, as one process gives.

Forked workers inherit everything the parent has loaded (the project, compiled
templates), so only the bounds of a share and its results cross process
boundaries. Below ``PARALLEL_FROM`` items, or where the platform cannot fork,
the caller does the work itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from ..progress import Progress, counted

T = TypeVar("T")
R = TypeVar("R")

# Items a command handles in one process before it splits the work among the
# CPUs (forked workers inherit what is loaded; below this, forking costs more).
PARALLEL_FROM = 200
_TASK: Callable[[int, int], Any] | None = None  # what forked workers run, inherited, never pickled


def _run_share(share: tuple[int, int]) -> Any:
    assert _TASK is not None
    return _TASK(*share)


def worker_count(count: int, jobs: int | None = None) -> int:
    """How many processes to use for ``count`` items (1: do it in this one)."""
    import os

    if jobs is None:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        jobs = jobs if count >= PARALLEL_FROM else 1
    workers = max(1, min(jobs, count))
    if workers > 1:
        import multiprocessing  # imported only here: start-up of small builds stays light

        if "fork" not in multiprocessing.get_all_start_methods():
            return 1
    return workers


def _stream(task: Callable[[int, int], list[T]], count: int, block: int, workers: int) -> Iterator[T]:
    global _TASK
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    blocks = iter([(start, min(start + block, count)) for start in range(0, count, block)])
    _TASK = task
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            # range first: zip would otherwise draw (and drop) one block too many.
            pending = deque(
                pool.submit(_run_share, share) for _, share in zip(range(2 * workers), blocks, strict=False)
            )
            while pending:
                items = pending.popleft().result()
                next_share = next(blocks, None)
                if next_share is not None:
                    pending.append(pool.submit(_run_share, next_share))
                yield from items
    finally:
        _TASK = None


def stream(task: Callable[[int, int], list[T]], count: int, block: int = 64) -> Iterator[T]:
    """``task(start, stop)`` over blocks of ``range(count)``, items yielded in order.

    Many items go to forked workers, only a few blocks in flight at a time, so a
    long stream (a report on thousands of programs) never sits in memory whole.
    """
    workers = worker_count(count)
    if workers == 1:
        return (item for start in range(0, count, block) for item in task(start, min(start + block, count)))
    return _stream(task, count, block, workers)


# With progress to report, each worker's share comes back in this many blocks, so the count moves.
PROGRESS_BLOCKS = 16


def map_items(
    func: Callable[[T], R],
    items: Sequence[T],
    jobs: int | None = None,
    progress: Progress | None = None,
    what: str = "",
) -> list[R]:
    """``[func(item) for item in items]``, in forked workers when there are many items;
    each item done is counted to ``progress`` as ``what``."""
    count = len(items)
    workers = worker_count(count, jobs)
    if workers == 1:
        return list(counted((func(item) for item in items), what, count, progress))
    share = -(-count // workers)  # one block per worker
    if progress is not None:
        share = -(-share // PROGRESS_BLOCKS)
    results = _stream(lambda start, stop: [func(item) for item in items[start:stop]], count, share, workers)
    return list(counted(results, what, count, progress))


__all__ = ["PARALLEL_FROM", "PROGRESS_BLOCKS", "map_items", "stream", "worker_count"]
