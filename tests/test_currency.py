"""An amount written in another currency than the appeal's is an error wherever it is written."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from totaliser.money import AmountError, parse_amount

from .conftest import run_cli
from .test_build import appeal
from .test_validation import problems_in


@pytest.mark.parametrize("written, currency", [
    ("€25,000", "GBP"), ("£25,000", "EUR"), ("$25,000", "GBP"), ("EUR 25,000", "GBP"), ("25,000 USD", "GBP"),
    ("A$25,000", "USD"), ("25000 €", "GBP"),
])
def test_another_currencys_symbol_or_code_is_refused(written: str, currency: str) -> None:
    with pytest.raises(AmountError, match=f"the appeal's currency is {currency}"):
        parse_amount(written, currency)


@pytest.mark.parametrize("written, currency", [
    ("£25,000", "GBP"), ("€25,000", "EUR"), ("$25,000", "AUD"), ("A$25,000", "AUD"), ("EUR 25,000", "EUR"),
    ("25,000 gbp", "GBP"), ("25000", "JPY"), ("25,000 zł", "PLN"),
])
def test_the_appeals_own_symbol_or_code_is_accepted(written: str, currency: str) -> None:
    assert parse_amount(written, currency) == Decimal(25000)


WRONG = '"€25,000" is written in €, but the appeal\'s currency is GBP (write the amount in GBP, e.g. "£25,000" or 25000)'


@pytest.mark.parametrize("extra, field, line", [
    ('gift_aid: "€25,000"', "gift_aid", 8),
    ('milestones:\n  - label: Operation\n    amount: "€25,000"', "milestones[0].amount", 10),
    ('updates:\n  - date: 2026-05-01\n    raised: "€25,000"', "updates[0].raised", 10),
])
def test_every_amount_field_is_checked(make_site, extra: str, field: str, line: int) -> None:
    errors, _ = problems_in(make_site({"content/appeals/amy.md": appeal(extra=extra)}))
    assert errors == [f"content/appeals/amy.md:{line}: {field}: {WRONG}"]


def test_raised_target_and_sources(make_site) -> None:
    site = make_site({
        "content/appeals/amy.md": appeal(raised='"€25,000"', target='"€36,000"'),
        "content/appeals/ben.md": appeal("Ben Example", raised='\n  JustGiving: "€25,000"\n  Tins: 500'),
    })
    errors, _ = problems_in(site)
    assert errors == [
        f"content/appeals/amy.md:4: target: {WRONG.replace('25,000', '36,000', 1)}",
        f"content/appeals/amy.md:5: raised: {WRONG}",
        f"content/appeals/ben.md:6: raised.JustGiving: {WRONG}",
    ]


def test_an_appeal_in_euros_refuses_pounds(make_site) -> None:
    errors, _ = problems_in(make_site({"content/appeals/amy.md": appeal(raised='"£25,000"', extra="currency: EUR")}))
    assert errors == [
        'content/appeals/amy.md:5: raised: "£25,000" is written in £, but the appeal\'s currency is EUR '
        '(write the amount in EUR, e.g. "€25,000" or 25000)'
    ]


def test_check_fails_on_a_euro_total_for_a_pounds_site(make_site) -> None:
    site = make_site({"content/appeals/amy.md": appeal(raised='"€25,000"')})
    result = run_cli("check", "--site", str(site))
    assert result.returncode == 1
    assert f"content/appeals/amy.md:5: raised: {WRONG}" in result.stderr


def test_raise_refuses_an_amount_in_another_currency(make_site) -> None:
    site = make_site({"content/appeals/amy.md": appeal()})
    story = site / "content/appeals/amy.md"
    before = story.read_bytes()
    result = run_cli("raise", "amy", "$26,000", "--site", str(site))
    assert result.returncode == 2
    assert 'amount: "$26,000" is written in $, but the appeal\'s currency is GBP' in result.stderr
    assert story.read_bytes() == before
    accepted = run_cli("raise", "amy", "£26,000", "--site", str(site))
    assert accepted.returncode == 0, accepted.stderr


def test_raise_csv_refuses_a_row_in_another_currency(make_site, tmp_path: Path) -> None:
    site = make_site({"content/appeals/amy.md": appeal()})
    sheet = tmp_path / "totals.csv"
    sheet.write_text('slug,amount\namy,"€26,000"\n', encoding="utf-8")
    before = (site / "content/appeals/amy.md").read_bytes()
    result = run_cli("raise", "--csv", str(sheet), "--site", str(site))
    assert result.returncode == 1
    assert "is written in €, but the appeal's currency is GBP" in result.stderr
    assert (site / "content/appeals/amy.md").read_bytes() == before
