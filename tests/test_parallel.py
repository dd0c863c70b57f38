"""parallel.Background: work done in a forked process while the build goes on."""

from __future__ import annotations

import os
import threading

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
