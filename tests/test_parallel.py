"""fork_map: results in order, items never pickled, the first item done before forking."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest

from totaliser import parallel

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="needs fork")


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
