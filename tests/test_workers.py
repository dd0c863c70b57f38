"""How work is spread over the workers: every item once, in order, and the
chunks shrinking so that the workers finish together."""

from __future__ import annotations

import pytest

from totaliser.workers import SMALLEST_CHUNK, _chunks, parallel_map


@pytest.mark.parametrize("count", [0, 1, 2, 3, 47, 48, 491, 10_007, 62_184])
@pytest.mark.parametrize("workers", [1, 2, 8])
def test_chunks_cover_every_item_once_in_order(count: int, workers: int) -> None:
    chunks = _chunks(count, workers)
    covered = [position for start, end in chunks for position in range(start, end)]
    assert covered == list(range(count))
    assert all(end > start for start, end in chunks)


def test_chunks_shrink_to_a_few_items_at_the_end() -> None:
    sizes = [end - start for start, end in _chunks(62_184, 2)]
    assert sizes == sorted(sizes, reverse=True)
    # The first is a small share of the whole (the progress bar moves), the
    # last few hold only a few items each (no worker left alone with a long tail).
    assert sizes[0] <= 62_184 // 16
    assert max(sizes[-10:]) <= SMALLEST_CHUNK


def test_parallel_map_gives_each_result_in_order() -> None:
    done: list[int] = []
    items = list(range(500))
    assert parallel_map(lambda item: item * item, items, done.append) == [item * item for item in items]
    assert sum(done) == len(items)
