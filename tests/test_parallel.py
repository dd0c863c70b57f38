"""parallel: fork_map (results in order, items never pickled, the first item
done before forking) and Background (work done in a forked process while
the build goes on)."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest

from totaliser import parallel
from totaliser.parallel import Background

REAL_CAN_FORK = parallel.can_fork


@pytest.fixture(autouse=True)
def forking_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Earlier tests in the same worker (the browser's) may leave a thread
    # running, which turns forking off; what is forked here is safe anyway.
    monkeypatch.setattr(parallel, "can_fork", lambda: True)


def test_the_result_comes_from_a_forked_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "2")
    task = Background(lambda: (os.getpid(), {"a", "b"}, list(range(100_000))))
    pid, names, numbers = task.result()
    assert pid != os.getpid()
    assert (names, numbers) == ({"a", "b"}, list(range(100_000)))
    assert task.result()[0] == pid  # asked again: the same result, not computed again


def test_a_failure_in_the_forked_process_is_done_again_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "2")
    here = os.getpid()

    def fails_elsewhere() -> int:
        if os.getpid() != here:
            raise RuntimeError("only in the forked process")
        return os.getpid()

    assert Background(fails_elsewhere).result() == here


@pytest.mark.parametrize(("jobs", "fork"), [("1", True), ("2", False)], ids=["one core", "not worth a fork"])
def test_without_forking_the_task_runs_here_when_asked(monkeypatch: pytest.MonkeyPatch, jobs: str, fork: bool) -> None:
    monkeypatch.setenv(parallel.JOBS_VARIABLE, jobs)
    calls: list[int] = []

    def task() -> int:
        calls.append(os.getpid())
        return 7

    background = Background(task, fork=fork)
    assert calls == []
    assert background.result() == 7 and background.result() == 7
    assert calls == [os.getpid()]


def test_a_result_never_asked_for_leaves_no_process_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "2")
    background = Background(lambda: b"x" * 1_000_000)  # more than a pipe holds: the process waits to write
    pid = background._pid
    assert pid
    del background
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_nothing_is_forked_while_other_threads_run(monkeypatch: pytest.MonkeyPatch) -> None:
    # A forked copy of a process with threads (the dev server) may inherit a lock held forever.
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "2")
    monkeypatch.setattr(parallel, "can_fork", REAL_CAN_FORK)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        background = Background(os.getpid)
        assert background._pid == 0
        assert background.result() == os.getpid()
    finally:
        release.set()
        other.join()



class Unpicklable:
    """An item that cannot be sent through a pipe (it holds a lock)."""

    def __init__(self, number: int):
        self.number = number
        self.lock = threading.Lock()


@pytest.mark.parametrize("count", [0, 1, 2, 9, 65, 203])
def test_results_come_back_in_order_for_items_that_cannot_be_pickled(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "2")
    items = [Unpicklable(number) for number in range(count)]
    offset = 7  # a closure: the task is not picklable either
    reported: list[int] = []
    results = parallel.fork_map(lambda item: item.number * item.number + offset, items, on_result=reported.append)
    assert results == [number * number + offset for number in range(count)]
    assert sum(reported) == count


WARMED: dict[str, Any] = {}


def test_the_first_item_is_done_here_and_what_it_loads_is_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "2")
    WARMED.clear()

    def task(item: int) -> tuple[int, int, bool]:
        was_warm = "table" in WARMED
        WARMED.setdefault("table", os.getpid())  # loaded on first use
        return item, os.getpid(), was_warm

    results = parallel.fork_map(task, list(range(80)))
    assert [item for item, _, _ in results] == list(range(80))
    assert results[0][1] == os.getpid() and not results[0][2]
    workers = {pid for _, pid, _ in results[1:]}
    assert os.getpid() not in workers
    # Every worker found what the first item loaded: none loaded it again.
    assert all(was_warm for _, _, was_warm in results[1:])


def test_an_error_in_a_worker_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "2")

    def task(item: int) -> int:
        if item == 50:
            raise ValueError("item 50")
        return item

    with pytest.raises(ValueError, match="item 50"):
        parallel.fork_map(task, list(range(70)))
