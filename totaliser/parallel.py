"""Spreading independent work over the machine's cores with forked workers.

Forking lets each worker start with everything the parent has already loaded
(the checked content, the compiled templates) instead of sending it over a
pipe. Work is done in one process when forking is unavailable (Windows),
unsafe (the process runs other threads, as a dev server does), not worth its
start-up cost, or turned off with ``TOTALISER_JOBS=1``.

``fork_map`` spreads a list of items over workers; ``Background`` computes one
result in a forked process while this one goes on.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

from .errors import Problem, Problems

# Below this many items one process is faster than starting workers.
MIN_ITEMS = 64
CHUNKS_PER_WORKER = 16
JOBS_VARIABLE = "TOTALISER_JOBS"

_task: Callable[[Any], Any] | None = None
# The items of the fork_map under way: workers inherit them, and are sent
# only where each chunk starts and ends, not the items themselves pickled.
_items: Sequence[Any] = ()


def worker_count() -> int:
    """Cores this process may use, or the number set in TOTALISER_JOBS."""
    wanted = os.environ.get(JOBS_VARIABLE, "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    # os.fork exists where multiprocessing offers "fork"; asking multiprocessing
    # would import it (5 ms) in rebuilds that fork nothing.
    return hasattr(os, "fork") and threading.active_count() == 1


def should_fork(items: int) -> bool:
    return items >= MIN_ITEMS and worker_count() > 1 and can_fork()


def die_with_parent(parent: int) -> None:
    """A worker ends when its build does: a build killed mid-way must not leave
    workers writing into a staging folder the next build is clearing."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the build died before that took effect
        os._exit(1)


def _start_worker(parent: int) -> None:
    die_with_parent(parent)
    # The build may have paused the cycle collector while it loads what lives
    # until its end; a worker's own work makes garbage of its own.
    gc.enable()


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _task is not None
    start, stop = bounds
    return [_task(item) for item in _items[start:stop]]


def fork_map(task: Callable[[Any], Any], items: Sequence[Any], on_result: Callable[[int], None] | None = None) -> list[Any]:
    """``[task(item) for item in items]``, in order, computed by forked workers.

    ``task`` need not be picklable (workers inherit it), nor need the items;
    the results must be picklable. ``on_result(count)`` is called in this
    process as each chunk comes back.

    The first item is done here, before the workers start: whatever it
    loads on first use (Python-Markdown, fonts, tables, kept strips) is then
    loaded once and shared by every worker instead of loaded by each.
    """
    global _task, _items
    import multiprocessing

    if not items:
        return []
    results: list[Any] = [task(items[0])]
    if on_result:
        on_result(1)
    if len(items) == 1:
        return results
    workers = worker_count()
    # Many chunks a worker, so that the workers finish close together (a core
    # waits at most one small chunk for the other at the end): sending a chunk
    # costs only its bounds, and its results are sent whatever their chunk.
    size = max(1, -(-(len(items) - 1) // (workers * CHUNKS_PER_WORKER)))
    bounds = [(start, min(start + size, len(items))) for start in range(1, len(items), size)]
    _task = task
    _items = items
    # Frozen objects are left alone by the workers' garbage collector, so the
    # memory they share with this process is not copied page by page.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers, _start_worker, (os.getpid(),)) as pool:
            for part in pool.imap(_run_chunk, bounds):
                results.extend(part)
                if on_result:
                    on_result(len(part))
    finally:
        _task = None
        _items = ()
        gc.unfreeze()
    return results


class Background:
    """``task()`` computed in a forked process while this one goes on; ``result()``
    waits for it. Computed in this process, on the first ``result()``, when
    forking is unavailable or unsafe, or when the forked process fails."""

    def __init__(self, task: Callable[[], Any], fork: bool = True):
        self._task: Callable[[], Any] | None = task
        self._done = False
        self._value: Any = None
        self._pid = 0
        self._reader = -1
        if fork and worker_count() > 1 and can_fork():
            self._start()

    def _start(self) -> None:
        reader, writer = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the forked process: compute, send, and leave without cleaning up the parent's state
            status = 1
            try:
                os.close(reader)
                die_with_parent(parent)
                assert self._task is not None
                import pickle

                data = pickle.dumps(self._task(), protocol=5)
                with os.fdopen(writer, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(writer)
        self._pid, self._reader = pid, reader

    def __del__(self) -> None:
        # Never asked for (the build stopped at an error): let the process end
        # and reap it, rather than leave it a zombie in a long-lived process.
        if self._pid:
            os.close(self._reader)
            os.waitpid(self._pid, 0)
            self._pid = 0

    def result(self) -> Any:
        if self._done:
            return self._value
        if self._pid:
            import pickle

            with os.fdopen(self._reader, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(self._pid, 0)
            self._pid = 0
            if os.waitstatus_to_exitcode(status) == 0:
                self._value, self._task = pickle.loads(data), None
                self._done = True
                return self._value
        assert self._task is not None
        self._value, self._task = self._task(), None
        self._done = True
        return self._value


class ForkedLoader:
    """Implements ``content.FileLoader``: content files read by forked workers
    when there are many (a build without cache; cache.py has its own, which
    reads only the files that changed)."""

    def load_files(self, kind: str, paths: Sequence[Any], read_one: Callable[[Any, Problems], Any], problems: Problems) -> list[Any]:
        if not should_fork(len(paths)):
            return [read_one(path, problems) for path in paths]

        def read(path: Any) -> tuple[Any, list[Problem]]:
            own = Problems()
            return read_one(path, own), own.items

        results = []
        for result, items in fork_map(read, paths):
            problems.items.extend(items)
            results.append(result)
        return results
