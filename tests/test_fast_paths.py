"""Quicker ways of making an output, each checked against the plain way it replaces."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from totaliser.outputs import pages, thermometer

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
