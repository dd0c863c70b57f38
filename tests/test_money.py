"""Amounts: what people may write, exact sums, floored percentages, display."""

from __future__ import annotations

from decimal import Decimal

import pytest

from totaliser.money import AmountError, format_money, format_money_short, json_number, parse_amount, percent, total

D = Decimal


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (36000, D("36000")),
        ("36,000", D("36000")),
        ("£36,000", D("36000")),
        ("36000.50", D("36000.5")),
        ("36,000.50", D("36000.5")),
        ("36000.00", D("36000")),
        (36000.5, D("36000.5")),
        (0, D("0")),
        ("0", D("0")),
        (" £25,000 ", D("25000")),
        ("$50", D("50")),
        ("€1,200", D("1200")),
        ("1000000", D("1000000")),
        (100000.0, D("100000")),  # YAML 1e5
        (0.1, D("0.1")),
    ],
)
def test_accepted_amounts(written: object, expected: Decimal) -> None:
    amount = parse_amount(written)
    assert amount == expected
    assert str(amount) == str(expected)  # normalised: no "36000.00", no exponent


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("fifty grand", "is not an amount"),
        (-5, "is below zero"),
        ("-5", "is below zero"),
        ("£-5", "is below zero"),
        (-0.01, "is below zero"),
        (True, "is not an amount"),
        (False, "is not an amount"),
        (None, "is not an amount"),
        ("36,00", "is not an amount"),
        ("3,6000", "is not an amount"),
        (".5", "is not an amount"),
        ("5.", "is not an amount"),
        ("", "is not an amount"),
        ("   ", "is not an amount"),
        ("1.234", "has more than two decimal places"),
        (1.234, "has more than two decimal places"),
        ("36,000.505", "has more than two decimal places"),
        (float("inf"), "is not an amount"),
        (float("-inf"), "is not an amount"),
        (float("nan"), "is not an amount"),
        ("1e5", "is not an amount"),
        ("0x10", "is not an amount"),
        ("٣٦٠٠٠", "is not an amount"),  # Arabic-Indic digits
        ("３６０００", "is not an amount"),  # full-width digits
        ("36 000", "is not an amount"),
        ([36000], "is not an amount"),
        ({"a": 1}, "is not an amount"),
        (10**20, "is too large"),
    ],
)
def test_refused_amounts(written: object, reason: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(written)
    assert str(caught.value).startswith(reason)


def test_the_not_an_amount_message_says_what_is_allowed() -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount("fifty grand")
    assert str(caught.value) == 'is not an amount (use a number such as 36000 or "£36,000")'


def test_negative_zero_is_plain_zero() -> None:
    assert str(parse_amount(-0.0)) == "0"


def test_sums_are_exact() -> None:
    # 0.1 + 0.2 in binary floating point is 0.30000000000000004.
    total = parse_amount(0.1) + parse_amount("0.2")
    assert total == D("0.3")
    assert json_number(total) == 0.3
    many = sum((parse_amount("0.01") for _ in range(1000)), D(0))
    assert many == D("10")
    assert format_money(many, "GBP") == "£10"


@pytest.mark.parametrize(
    ("raised", "target", "shown"),
    [
        ("99.99", "100", 99),
        ("35999.99", "36000", 99),
        ("25000", "36000", 69),
        ("36000", "36000", 100),
        ("42120", "36000", 117),
        ("0", "36000", 0),
        ("1", "3", 33),
        ("2", "3", 66),
        ("0.29", "1", 29),  # float arithmetic would give 28.999...
        ("0.57", "1", 57),  # and 56.999...
    ],
)
def test_percent_is_floored_and_not_capped(raised: str, target: str, shown: int) -> None:
    assert percent(D(raised), D(target)) == shown


def test_percent_never_reaches_100_before_the_target() -> None:
    target = D("36000")
    for pence in range(1, 200):
        raised = target - D(pence) / 100
        assert percent(raised, target) == 99


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("36000", "GBP", "£36,000"),
        ("1500.5", "GBP", "£1,500.50"),
        ("0", "GBP", "£0"),
        ("999", "GBP", "£999"),
        ("1234567.89", "EUR", "€1,234,567.89"),
        ("50", "USD", "$50"),
        ("50", "PLN", "50 zł"),
        ("50", "CHF", "CHF 50"),
    ],
)
def test_format_money(amount: str, currency: str, shown: str) -> None:
    assert format_money(D(amount), currency) == shown


@pytest.mark.parametrize(
    ("amount", "shown"),
    [("36000", "£36k"), ("1234567", "£1.2m"), ("9999.5", "£9,999.50"), ("950", "£950")],
)
def test_format_money_short(amount: str, shown: str) -> None:
    assert format_money_short(D(amount), "GBP") == shown


def test_json_numbers() -> None:
    assert json_number(D("36000")) == 36000
    assert isinstance(json_number(D("36000")), int)
    assert json_number(D("36000.5")) == 36000.5
    assert repr(json_number(D("1500.05"))) == "1500.05"


def test_total_is_exact_and_plainly_written() -> None:
    assert str(total([D("0.5"), D("0.5")])) == "1"
    assert str(total([D("0.1"), D("0.2")])) == "0.3"
    assert str(total([D("20000.1"), D("5000.2"), D("0.3")])) == "25000.6"
    assert str(total([])) == "0"
