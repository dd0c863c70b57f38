"""`raise` changes only the raised value and appends one update: every other
byte of the file stays as it was. `raise --csv` is all or nothing."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from tests.conftest import MINIMAL_SITE_YAML, copy_example_site, run_cli, write_site

JACOB = "content/appeals/jacob-buckett.md"
LAST_JACOB_NOTE = "    note: The cost of the operation is now covered. The push is on for the physiotherapy fund.\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_example_site(tmp_path / "site")


def snapshot(site: Path) -> dict[str, bytes]:
    folder = site / "content" / "appeals"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_raise_changes_the_raised_line_and_appends_an_update(site: Path) -> None:
    before = (site / JACOB).read_text(encoding="utf-8")
    others = {k: v for k, v in snapshot(site).items() if k != "jacob-buckett.md"}
    result = run_cli("raise", "jacob-buckett", "£26,500", "--date", "2026-11-20", "--note", "A cake sale: £1,500 # record", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "raised £25,000 → £26,500" in result.stdout
    expected = before.replace('raised: "£25,000"\n', 'raised: "£26,500"\n', 1).replace(
        LAST_JACOB_NOTE,
        LAST_JACOB_NOTE
        + "  - date: 2026-11-20\n"
        + "    raised: 26500\n"
        + '    note: "A cake sale: £1,500 # record"\n',
        1,
    )
    assert (site / JACOB).read_bytes() == expected.encode("utf-8")
    # No other file changed, and no temporary file was left behind.
    assert {k: v for k, v in snapshot(site).items() if k != "jacob-buckett.md"} == others
    # The result is a story the build accepts, with the note in its timeline.
    build = run_cli("build", "--site", str(site))
    assert build.returncode == 0, build.stderr
    page = (site / "output/appeals/jacob-buckett/index.html").read_text(encoding="utf-8")
    assert "A cake sale: £1,500 # record" in page


CRLF_STORY = (
    "---\r\n"
    "# Keep this comment\r\n"
    "child: 'Amy Example'   # single quotes stay\r\n"
    "condition: cerebral palsy\r\n"
    "target: 36000\r\n"
    "raised: 25000 # as of Monday\r\n"
    "hospital: Bristol Royal Hospital for Children\r\n"
    "date: 2026-05-01\r\n"
    "updates: [{date: 2026-04-01, raised: 20000, note: launch}]\r\n"
    "tags: [a,   b]\r\n"
    "---\r\n"
    "Amy needs an operation.\r\n"
)


def test_crlf_comments_and_flow_style_are_kept(make_site) -> None:
    site = make_site({"content/appeals/amy.md": CRLF_STORY.encode("utf-8")})
    result = run_cli("raise", "amy", "30000", "--date", "2026-05-02", "--note", "Quiz night", "--site", str(site))
    assert result.returncode == 0, result.stderr
    expected = CRLF_STORY.replace("raised: 25000 # as of Monday", "raised: 30000 # as of Monday").replace(
        "note: launch}]", "note: launch}, {date: 2026-05-02, raised: 30000, note: Quiz night}]"
    )
    assert (site / "content/appeals/amy.md").read_bytes() == expected.encode("utf-8")


def test_an_appeal_without_updates_gets_the_key(make_site) -> None:
    story = "---\nchild: Amy Example\ncondition: cerebral palsy\ntarget: 36000\nraised: '£25,000'\nhospital: Bristol\ndate: 2026-05-01\n---\nAmy.\n"
    site = make_site({"content/appeals/amy.md": story})
    result = run_cli("raise", "amy", "25500.50", "--date", "2026-05-02", "--site", str(site))
    assert result.returncode == 0, result.stderr
    expected = story.replace("raised: '£25,000'", "raised: '£25,500.50'").replace(
        "date: 2026-05-01\n---", 'date: 2026-05-01\nupdates:\n  - date: 2026-05-02\n    raised: "25500.50"\n---'
    )
    assert (site / "content/appeals/amy.md").read_text(encoding="utf-8") == expected


def test_sources_block_and_flow_style(site: Path) -> None:
    before = (site / "content/appeals/sian-pritchard.md").read_text(encoding="utf-8")
    result = run_cli("raise", "sian-pritchard", "2500", "--source", "collection tins", "--date", "2026-11-20", "--site", str(site))
    assert result.returncode == 0, result.stderr
    after = (site / "content/appeals/sian-pritchard.md").read_text(encoding="utf-8")
    # The update records the new total: 14,820 + 2,500 + 6,190.
    expected = before.replace('  Collection tins: "2361.45"\n', '  Collection tins: "2500.00"\n', 1).replace(
        "organiser: Rhian", "  - date: 2026-11-20\n    raised: 23510\norganiser: Rhian", 1
    )
    assert after == expected

    story = "---\nchild: Amy Example\ncondition: x\ntarget: 36000\nraised: {JustGiving: 20000, Collection tins: \"£5,000\"}\nhospital: y\ndate: 2026-05-01\n---\n"
    flow_site = write_site(site.parent / "flow", {"site.yaml": MINIMAL_SITE_YAML, "content/appeals/amy.md": story})
    result = run_cli("raise", "amy", "6000", "--source", "Collection tins", "--date", "2026-05-02", "--site", str(flow_site))
    assert result.returncode == 0, result.stderr
    assert (flow_site / "content/appeals/amy.md").read_text(encoding="utf-8") == story.replace(
        '"£5,000"', '"£6,000"'
    ).replace("date: 2026-05-01\n---", "date: 2026-05-01\nupdates:\n  - date: 2026-05-02\n    raised: 26000\n---")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["james-mills", "9000"], "say which one changed with --source NAME"),
        (["james-mills", "9000", "--source", "Bake sale"], 'has no source named "Bake sale"'),
        (["jacob-buckett", "9000", "--source", "JustGiving"], "is one amount, not a list of sources"),
        (["jacob-buckett", "fifty grand"], '"fifty grand" is not an amount'),
        (["jacob-buckett", "-5"], "below zero"),
        (["jacob-bucket", "26000"], "did you mean jacob-buckett?"),
        (["jacob", "26000"], "did you mean jacob-buckett?"),
        (["nobody-we-know", "26000"], "(the appeals are: "),
        (["jacob-buckett", "26000", "--date", "2026-02-30"], "is not a date"),
        (["jacob-buckett", "26000", "--date", "2026-01-01"], "is before the appeal's last update (2026-11-06)"),
        ([], "give the appeal and its new total"),
    ],
)
def test_bad_requests_are_usage_errors_and_change_nothing(site: Path, args: list[str], message: str) -> None:
    before = snapshot(site)
    result = run_cli("raise", *args, "--site", str(site))
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(site) == before


def test_an_appeal_typed_as_a_name_on_a_phone_is_found(site: Path) -> None:
    result = run_cli("raise", "Jacob Buckett", "26000", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "raised: 26000" in (site / JACOB).read_text(encoding="utf-8")


def test_a_broken_story_is_a_content_error(site: Path) -> None:
    path = site / JACOB
    path.write_text(path.read_text(encoding="utf-8").replace("target: 36000", "target: lots"), encoding="utf-8")
    before = snapshot(site)
    result = run_cli("raise", "jacob-buckett", "26000", "--site", str(site))
    assert result.returncode == 1
    assert f'{JACOB}:12: target: "lots" is not an amount' in result.stderr
    assert snapshot(site) == before


def test_csv_is_all_or_nothing_and_names_the_bad_row(site: Path, tmp_path: Path) -> None:
    before = snapshot(site)
    sheet = tmp_path / "raises.csv"
    sheet.write_text(
        "slug,amount,date,note,source\n"
        "jacob-buckett,27000,2026-11-20,Quiz night,\n"
        "ruby-ashworth,3500,2026-11-20,,\n"
        "zoe-marsh,lots,2026-11-20,,\n"
        "james-mills,9000,2026-11-20,,Reader donations\n",
        encoding="utf-8",
    )
    result = run_cli("raise", "--csv", str(sheet), "--site", str(site))
    assert result.returncode == 1
    assert 'raises.csv:4: amount: "lots" is not an amount' in result.stderr
    assert "Nothing was changed" in result.stderr
    assert snapshot(site) == before

    # A row that does not fit its story (here: no --source for a list of sources) also stops everything.
    sheet.write_text("slug,amount\njacob-buckett,27000\njames-mills,9000\n", encoding="utf-8")
    result = run_cli("raise", "--csv", str(sheet), "--site", str(site))
    assert result.returncode == 1
    assert "raises.csv:3: raised: content/appeals/james-mills.md: lists sources" in result.stderr
    assert snapshot(site) == before


def test_csv_applies_every_row(site: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "raises.csv"
    sheet.write_text(
        "\ufeffSlug,Amount,Date,Note,Source\n"
        'jacob-buckett,"£27,000",2026-11-20,"Quiz night, with raffle",\n'
        "jacob-buckett,28000,2026-11-21,Sponsored walk,\n"
        "james-mills,9000,2026-11-20,,Reader donations\n",
        encoding="utf-8",
    )
    result = run_cli("raise", "--csv", str(sheet), "--site", str(site))
    assert result.returncode == 0, result.stderr
    jacob = (site / JACOB).read_text(encoding="utf-8")
    assert 'raised: "£28,000"\n' in jacob
    assert "  - date: 2026-11-20\n    raised: 27000\n    note: Quiz night, with raffle\n" in jacob
    assert "  - date: 2026-11-21\n    raised: 28000\n    note: Sponsored walk\n" in jacob
    james = (site / "content/appeals/james-mills.md").read_text(encoding="utf-8")
    assert '  Reader donations: "£9,000"\n' in james
    assert run_cli("check", "--site", str(site)).returncode == 0


def test_today_is_the_default_date(make_site) -> None:
    site = make_site({"content/appeals/amy.md": "---\nchild: Amy Example\ncondition: x\ntarget: 100\nraised: 1\nhospital: y\ndate: 2026-05-01\n---\n"})
    result = run_cli("raise", "amy", "2", "--site", str(site))
    assert result.returncode == 0, result.stderr
    text = (site / "content/appeals/amy.md").read_text(encoding="utf-8")
    assert f"  - date: {datetime.date.today().isoformat()}\n    raised: 2\n" in text


def request(amount: str = "500", note: str | None = "More", source: str | None = None):
    from totaliser.raising import request_from_arguments

    return request_from_arguments("amy", amount, "2026-06-01", note, source, datetime.date(2026, 6, 2))


HEAD = "---\nchild: Amy Example\nraised: 100\n"


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        # updates is the last field, right before the closing line
        (HEAD + "updates:\n  - date: 2026-05-01\n    raised: 100\n---\n",
         HEAD.replace("100", "500") + "updates:\n  - date: 2026-05-01\n    raised: 100\n  - date: 2026-06-01\n    raised: 500\n    note: More\n---\n"),
        # dashes at the left margin, keys in another order, a comment after the list
        (HEAD + "updates:\n- raised: 100\n  date: 2026-05-01\n# the end\n---\n",
         HEAD.replace("100", "500") + "updates:\n- raised: 100\n  date: 2026-05-01\n- raised: 500\n  date: 2026-06-01\n  note: More\n# the end\n---\n"),
        # an empty list written as nothing, or as ~ with a comment
        (HEAD + "updates:\n---\n", HEAD.replace("100", "500") + "updates:\n  - date: 2026-06-01\n    raised: 500\n    note: More\n---\n"),
        (HEAD + "updates: ~  # none yet\n---\n", HEAD.replace("100", "500") + "updates:   # none yet\n  - date: 2026-06-01\n    raised: 500\n    note: More\n---\n"),
        (HEAD + "updates: []\n---\n", HEAD.replace("100", "500") + "updates: [{date: 2026-06-01, raised: 500, note: More}]\n---\n"),
        # a note that YAML would read as something else is quoted
        (HEAD + "---\n", HEAD.replace("100", "500") + "updates:\n  - date: 2026-06-01\n    raised: 500\n    note: More\n---\n"),
    ],
)
def test_edit_story_layouts(front: str, expected: str) -> None:
    from totaliser.raising import edit_story

    assert edit_story(front + "Body\n", request()) == expected + "Body\n"
    crlf = edit_story(front.replace("\n", "\r\n") + "Body\r\n", request())
    assert crlf == expected.replace("\n", "\r\n") + "Body\r\n"


@pytest.mark.parametrize("note", ["yes", "2026-01-01", "a: b", "# hash", "'quoted'", "[x]", "100", "Łukasz's \"big\" day"])
def test_notes_read_back_as_written(note: str) -> None:
    import yaml

    from totaliser.raising import edit_story

    text = edit_story(HEAD + "---\n", request(note=note))
    assert yaml.safe_load(text.split("---\n")[1])["updates"][0]["note"] == note


# A new total lower than the current one, --add, a total sent twice, a date in the future.


def test_a_lower_total_is_refused_and_changes_nothing(site: Path) -> None:
    before = snapshot(site)
    result = run_cli("raise", "jacob-buckett", "500", "--note", "Quiz night raised £500", "--date", "2026-11-20", "--site", str(site))
    assert result.returncode == 1
    assert f"{JACOB}:13: raised: the new total, £500, is lower than the total already recorded, £25,000" in result.stderr
    assert "use --add" in result.stderr and "--lower" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(site) == before


def test_lower_records_a_correction(site: Path) -> None:
    result = run_cli("raise", "jacob-buckett", "24,500", "--lower", "--date", "2026-11-20", "--note", "A cheque bounced", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "raised £25,000 → £24,500" in result.stdout
    text = (site / JACOB).read_text(encoding="utf-8")
    assert 'raised: "£24,500"\n' in text
    assert "  - date: 2026-11-20\n    raised: 24500\n    note: A cheque bounced\n" in text


def test_add_adds_to_the_total(site: Path) -> None:
    before = (site / JACOB).read_text(encoding="utf-8")
    result = run_cli("raise", "jacob-buckett", "£500", "--add", "--date", "2026-11-20", "--note", "Quiz night", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "raised £25,000 → £25,500" in result.stdout
    expected = before.replace('raised: "£25,000"\n', 'raised: "£25,500"\n', 1).replace(
        LAST_JACOB_NOTE, LAST_JACOB_NOTE + "  - date: 2026-11-20\n    raised: 25500\n    note: Quiz night\n", 1
    )
    assert (site / JACOB).read_text(encoding="utf-8") == expected


def test_add_with_a_source_adds_to_that_source(site: Path) -> None:
    path = site / "content/appeals/james-mills.md"
    before = path.read_text(encoding="utf-8")
    result = run_cli("raise", "james-mills", "100", "--add", "--source", "reader donations", "--date", "2026-11-20", "--site", str(site))
    assert result.returncode == 0, result.stderr
    after = path.read_text(encoding="utf-8")
    assert after == before.replace('  Reader donations: "£8,925"\n', '  Reader donations: "£9,025"\n', 1).replace(
        "organiser: James", "  - date: 2026-11-20\n    raised: 50475\norganiser: James", 1
    )


def test_the_same_total_twice_on_one_day_adds_one_entry(site: Path) -> None:
    args = ("raise", "jacob-buckett", "26000", "--date", "2026-11-20", "--note", "Quiz night", "--site", str(site))
    assert run_cli(*args).returncode == 0
    once = snapshot(site)
    again = run_cli(*args)
    assert again.returncode == 0, again.stderr
    assert f"{JACOB}: £26,000 is already recorded for 2026-11-20; nothing was changed." in again.stdout
    assert snapshot(site) == once
    # Without a note it is the same entry too; another day is a new one.
    assert run_cli("raise", "jacob-buckett", "26000", "--date", "2026-11-20", "--site", str(site)).returncode == 0
    assert snapshot(site) == once
    assert run_cli("raise", "jacob-buckett", "26000", "--date", "2026-11-21", "--site", str(site)).returncode == 0
    assert (site / JACOB).read_text(encoding="utf-8").count("raised: 26000\n") == 2


def test_a_date_in_the_future_needs_future(site: Path, tmp_path: Path) -> None:
    before = snapshot(site)
    next_year = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()
    result = run_cli("raise", "jacob-buckett", "26000", "--date", next_year, "--site", str(site))
    assert result.returncode == 2
    assert f"--date {next_year} is in the future" in result.stderr and "--future" in result.stderr
    assert snapshot(site) == before
    sheet = tmp_path / "raises.csv"
    sheet.write_text(f"slug,amount,date\njacob-buckett,26000,{next_year}\n", encoding="utf-8")
    result = run_cli("raise", "--csv", str(sheet), "--site", str(site))
    assert result.returncode == 1
    assert f"raises.csv:2: date: {next_year} is in the future" in result.stderr
    assert snapshot(site) == before
    result = run_cli("raise", "jacob-buckett", "26000", "--date", next_year, "--future", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert f"  - date: {next_year}\n    raised: 26000\n" in (site / JACOB).read_text(encoding="utf-8")
