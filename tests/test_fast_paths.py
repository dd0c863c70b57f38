"""Quicker ways of making an output, each checked against the plain way it replaces."""

from __future__ import annotations

import datetime
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from totaliser import staging
from totaliser.listing import FEED_ENTRIES, feed_candidates
from totaliser.outputs import feeds, pages, thermometer

TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(TEXT, TEXT, max_size=4))
def test_share_query_is_urlencode_with_quote(fields: dict[str, str]) -> None:
    assert pages.query(fields) == urlencode(fields, quote_via=quote)


def test_share_query_of_real_share_text() -> None:
    fields = {"subject": "Aarav’s appeal: £41,500 & more", "body": "A line\n\nhttps://example.org/appeals/a-b/?x=1#y"}
    assert pages.query(fields) == urlencode(fields, quote_via=quote)


AMOUNTS = st.decimals(min_value=0, max_value=2_000_000, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def readings(draw: st.DrawFn) -> thermometer.Reading:
    target = draw(st.decimals(min_value=1, max_value=2_000_000, places=2, allow_nan=False, allow_infinity=False))
    amounts = sorted(draw(st.lists(AMOUNTS.filter(lambda a: a <= target), max_size=4)))
    milestones = tuple((draw(st.text(max_size=20)), amount) for amount in amounts)
    return thermometer.Reading(draw(AMOUNTS), target, draw(st.sampled_from(["GBP", "EUR", "USD", "PLN"])), milestones)


@settings(max_examples=200, deadline=None)
@given(readings())
def test_the_kept_inline_thermometer_is_the_drawing(reading: thermometer.Reading) -> None:
    first = thermometer.thermometer_svg(reading)
    assert first == thermometer._drawing(reading, False, None)
    # Asked again (as the embed and the poster do), the same.
    assert thermometer.thermometer_svg(reading) == first


def test_equal_readings_written_differently_draw_the_same() -> None:
    """Kept drawings are found by equal readings: 1000 and 1000.00 must draw alike."""
    plain = thermometer.Reading(Decimal("250"), Decimal("1000"), "GBP", (("Half", Decimal("500")),))
    written = thermometer.Reading(Decimal("250.00"), Decimal("1E+3"), "GBP", (("Half", Decimal("500.0")),))
    assert plain == written
    assert thermometer._drawing(plain, False, None) == thermometer._drawing(written, False, None)


def _refused_as_a_path(relative: str, flavour: type[PurePath]) -> bool:
    parts = flavour(relative).parts
    return not parts or flavour(relative).is_absolute() or ".." in parts or bool(flavour(relative).drive)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aZ09._-/\\: ~", max_size=16))
def test_names_passing_the_writers_quick_check_are_inside_its_folder(relative: str) -> None:
    if staging._PLAIN_RELATIVE.fullmatch(relative):
        assert not _refused_as_a_path(relative, PurePosixPath)
        assert not _refused_as_a_path(relative, PureWindowsPath)


@pytest.mark.parametrize("relative", ["appeals/a/index.html", "a.b/c-d_e/f", "feed.xml", "page/2/index.html"])
def test_the_build_s_own_names_pass_the_quick_check(relative: str) -> None:
    assert staging._PLAIN_RELATIVE.fullmatch(relative)




@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_folders_are_swapped_in_one_step_on_linux(tmp_path: Path) -> None:
    # The C library is found without ctypes.util.find_library (which runs
    # `ldconfig -p`); the swap must still be the atomic one, not the fallback.
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "mark").write_text("new")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "mark").write_text("old")
    assert staging._exchange(tmp_path / "new", tmp_path / "old")
    assert (tmp_path / "old" / "mark").read_text() == "new"
    assert (tmp_path / "new" / "mark").read_text() == "old"


@dataclass(frozen=True)
class _Dated:
    """The fields of an appeal that a feed sorts its entries by."""

    slug: str
    date: datetime.date
    update_dates: tuple[datetime.date, ...]

    @property
    def last_changed(self) -> datetime.date:
        return max((self.date, *self.update_dates))

    @property
    def url_path(self) -> str:
        return f"appeals/{self.slug}/"

    @property
    def update_anchors(self) -> list[str]:
        return [f"update-{number}" for number in range(len(self.update_dates))]


class _Links:
    def absolute(self, path: str) -> str:
        return "https://news.example/" + path


# Days of two years: some entries share one, as on a busy appeal site.
DAYS = st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2026, 12, 31))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(DAYS, st.lists(DAYS, max_size=4)), min_size=FEED_ENTRIES // 3, max_size=2 * FEED_ENTRIES))
def test_a_feed_of_its_candidates_is_the_feed_of_every_appeal(dates: list[tuple[datetime.date, list[datetime.date]]]) -> None:
    appeals = [_Dated(f"a{number:04d}", day, tuple(sorted(updates))) for number, (day, updates) in enumerate(dates)]
    candidates = set(feed_candidates(appeals))
    assert candidates <= {appeal.slug for appeal in appeals}
    chosen = [appeal for appeal in appeals if appeal.slug in candidates]
    assert feeds.newest_entries(chosen, _Links()) == feeds.newest_entries(appeals, _Links())  # type: ignore[arg-type]
