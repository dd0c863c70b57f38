"""Spreading independent work over the machine's cores.

A standard-library process pool with forked workers: each worker starts with
everything this process has loaded (the checked content, the compiled
templates) instead of having it sent over a pipe; only the items' positions
go to the workers, and only their results come back. Work is done in this
process when forking is unavailable (Windows), unsafe (other threads run, as
in the dev server), not worth its start-up cost, or turned off with
``TOTALISER_JOBS=1``.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

MIN_ITEMS = 48  # below this, one process is quicker than starting workers
SMALLEST_CHUNK = 2
SHARES_PER_WORKER = 8
JOBS_VARIABLE = "TOTALISER_JOBS"

# The map under way: forked workers inherit them.
_task: Callable[[Any], Any] | None = None
_items: Sequence[Any] = ()


def worker_count() -> int:
    wanted = os.environ.get(JOBS_VARIABLE, "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _worth_forking(count: int) -> bool:
    return count >= MIN_ITEMS and worker_count() > 1 and hasattr(os, "fork") and threading.active_count() == 1


def _die_with_parent(parent: int) -> None:
    """A worker ends when its build does: a build killed mid-way must not leave
    workers writing into a folder the next build is clearing."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the build died before that took effect
        os._exit(1)
    # What the worker inherited is left out of the cycle collector's passes:
    # going over it would copy every page of it into the worker (copy on
    # write). The worker's own work makes garbage, which it collects.
    gc.freeze()
    gc.enable()


def _chunks(count: int, workers: int) -> list[tuple[int, int]]:
    """The items' positions in chunks that shrink as the work runs out.

    Each chunk is a share of what is left: large ones first (fewer results
    sent back one by one), a few items each at the end, so that the workers
    finish together even when the last items are the slowest (a site's
    listing pages take several times as long as its appeals' pages). The
    share is small enough for the progress bar to move often."""
    chunks = []
    start = 0
    while start < count:
        size = max(SMALLEST_CHUNK, (count - start) // (SHARES_PER_WORKER * workers))
        chunks.append((start, min(start + size, count)))
        start += size
    return chunks


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _task is not None
    return [_task(item) for item in _items[bounds[0] : bounds[1]]]


def parallel_map(task: Callable[[Any], Any], items: Sequence[Any], on_done: Callable[[int], None] | None = None) -> list[Any]:
    """``[task(item) for item in items]``, over several processes when it pays;
    ``on_done(count)`` is told as results come in (a progress bar)."""
    results: list[Any] = []
    if not _worth_forking(len(items)):
        for item in items:
            results.append(task(item))
            if on_done:
                on_done(1)
        return results
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _task, _items
    workers = worker_count()
    chunks = _chunks(len(items), workers)
    _task, _items = task, items
    try:
        with ProcessPoolExecutor(workers, multiprocessing.get_context("fork"), _die_with_parent, (os.getpid(),)) as pool:
            for done in pool.map(_run_chunk, chunks):
                results.extend(done)
                if on_done:
                    on_done(len(done))
            return results
    finally:
        _task, _items = None, ()
