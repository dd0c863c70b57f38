"""How fast this machine is right now, for reading the benchmarks' figures.

A shared machine's speed moves with its neighbours' work: on the machine
these figures were taken on, the same build took 3.0 s one afternoon and
5.0 s another, with the same code. The load average does not show this (the
neighbours are other virtual machines), so the benchmarks also time a fixed
piece of pure-Python work and print it beside their figures: two runs are
comparable only when this probe took about as long in both.
"""

from __future__ import annotations

import time


def speed_probe() -> float:
    """Seconds a fixed pure-Python loop takes (best of five: the least disturbed)."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for number in range(2_000_000):
            total += number * number
        best = min(best, time.perf_counter() - started)
    return best


def describe() -> str:
    return f"speed probe {speed_probe():.3f} s (a fixed pure-Python loop; lower is a faster machine)"
