"""`raise --csv` with a spreadsheet as it is saved in much of Europe, and
messages that speak of the CSV's columns rather than the command line's flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_cli
from .test_build import appeal


@pytest.fixture
def site(make_site) -> Path:
    return make_site({
        "content/appeals/amy.md": appeal(),
        "content/appeals/ben.md": appeal("Ben Example", raised="\n  JustGiving: 20000\n  Tins: 500"),
    })


def test_semicolons_are_read_as_the_separator(site: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "totals.csv"
    sheet.write_text("slug;amount;date;note\namy;26500;2026-05-02;Quiz night; with raffle\n".replace("; with", ", with"), encoding="utf-8")
    result = run_cli("raise", "--csv", str(sheet), "--site", str(site))
    assert result.returncode == 0, result.stderr
    text = (site / "content/appeals/amy.md").read_text(encoding="utf-8")
    assert "raised: 26500" in text
    assert "note: Quiz night, with raffle" in text


def test_a_comma_in_an_amount_of_a_semicolon_file_is_refused(site: Path, tmp_path: Path) -> None:
    # "26,50" there means 26.50; read as 2,650 it would publish a wrong total.
    sheet = tmp_path / "totals.csv"
    sheet.write_text('slug;amount\namy;"26,50"\n', encoding="utf-8")
    before = (site / "content/appeals/amy.md").read_bytes()
    result = run_cli("raise", "--csv", str(sheet), "--site", str(site))
    assert result.returncode == 1
    assert 'totals.csv:2: amount: "26,50" has a comma, which in a file saved with semicolons is a decimal comma' in result.stderr
    assert (site / "content/appeals/amy.md").read_bytes() == before


def test_a_row_for_a_story_with_sources_asks_for_the_source_column(site: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "totals.csv"
    sheet.write_text("slug,amount,source\nben,21000,\n", encoding="utf-8")
    result = run_cli("raise", "--csv", str(sheet), "--site", str(site))
    assert result.returncode == 1
    assert "lists sources (JustGiving, Tins): fill in the source column with the one that changed" in result.stderr
    assert "--source" not in result.stderr
