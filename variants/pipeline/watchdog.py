"""A CPU-time limit for a thread that is not the main one, where no interval timer can reach it."""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

STEP = 0.05  # seconds between two looks at the thread's CPU clock


@contextmanager
def watchdog(limit: float, raised: type[BaseException]) -> Iterator[None]:
    """Raise ``raised`` in this thread once it has spent ``limit`` seconds of CPU time inside the
    block: a thread of its own reads this one's CPU clock every ``STEP`` seconds, and the exception
    arrives between two steps of Python code (Jinja's templates are Python code)."""
    ident = threading.get_ident()
    clock = time.pthread_getcpuclockid(ident)
    until = time.clock_gettime(clock) + limit
    done, lock, fired = threading.Event(), threading.Lock(), []

    def watch() -> None:
        while not done.wait(STEP):
            if time.clock_gettime(clock) >= until:
                with lock:
                    if not done.is_set():
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(raised))
                        fired.append(True)
                return

    watcher = threading.Thread(target=watch, name="variants-watchdog", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        with lock:
            done.set()
            if fired:  # sent, but the block ended first: it is taken back
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)
        watcher.join()


__all__ = ["STEP", "watchdog"]
