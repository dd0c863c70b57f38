"""The progress bar: drawn only in a terminal, outside CI, after a second."""

from __future__ import annotations

import io

from tests.conftest import copy_example_site, run_cli
from totaliser.progress import ProgressBar, wanted


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_only_a_terminal_outside_ci_gets_a_bar() -> None:
    assert wanted(FakeTerminal(), {})
    assert not wanted(FakeTerminal(), {"CI": "true"})
    assert not wanted(FakeTerminal(), {"TERM": "dumb"})
    assert not wanted(io.StringIO(), {})


def test_nothing_is_drawn_in_the_first_second_then_a_bar_that_is_cleared() -> None:
    terminal, clock = FakeTerminal(), Clock()
    bar = ProgressBar(terminal, clock=clock, width=60)
    bar(1, 10)
    assert terminal.getvalue() == ""
    clock.now += 1.5
    bar(5, 10)
    assert terminal.getvalue().startswith("\rBuilding [")
    assert terminal.getvalue().endswith(" 5/10 pages")
    line = bar.line(5, 10)
    assert line.count("#") == (line.count("#") + line.count(".")) // 2  # half done, half to go
    bar.finish()
    assert terminal.getvalue().endswith("\r\x1b[2K")


def test_a_build_outside_a_terminal_prints_the_plain_summary(tmp_path) -> None:
    site = copy_example_site(tmp_path / "site")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0
    assert "\r" not in result.stderr + result.stdout and "\x1b" not in result.stderr
    assert result.stdout.startswith("Built ")


def test_redraws_are_limited_but_the_last_step_is_always_drawn() -> None:
    terminal, clock = FakeTerminal(), Clock()
    bar = ProgressBar(terminal, clock=clock, width=60)
    clock.now += 2
    for done in range(1, 101):
        bar(done, 100)
    assert terminal.getvalue().count("\r") == 2  # the first step and the last
    assert terminal.getvalue().endswith(" 100/100 pages")
