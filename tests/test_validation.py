"""Every content rule, with the exact message a user sees.

Each test writes a small site into a temporary folder and reads it the way a
build does. Messages are compared whole: they are part of the product.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from totaliser.errors import ContentErrors
from totaliser.site import LoadedSite, load_site

AMOUNT_HELP = '(use a number such as 36000 or "£36,000")'
DATE_HELP = "(use YYYY-MM-DD, e.g. 2026-05-01)"
URL_HELP = "(use a link starting with https:// or http://)"
REQUIRED = "(every appeal needs child, condition, target, raised, hospital and date)"

# A valid appeal, one field a line, so that tests can swap single lines.
# Line numbers: 1 ---, 2 child, 3 condition, 4 target, 5 raised, 6 hospital, 7 date.
VALID_FIELDS = {
    "child": "Amy Example",
    "condition": "cerebral palsy",
    "target": "36000",
    "raised": "25000",
    "hospital": "Bristol Royal Hospital for Children",
    "date": "2026-05-01",
}


def appeal(extra: str = "", drop: tuple[str, ...] = (), **replace: str) -> str:
    """An appeal's text: the valid fields with some replaced or dropped, then extra lines."""
    lines = ["---"]
    for key, value in VALID_FIELDS.items():
        if key in drop:
            continue
        lines.append(f"{key}: {replace.get(key, value)}")
    if extra:
        lines.extend(extra.strip("\n").split("\n"))
    lines += ["---", "Amy needs an operation.", ""]
    return "\n".join(lines)


def problems_in(site: Path) -> tuple[list[str], list[str]]:
    """(errors, warnings) as printed, for a site read as a build reads it."""
    try:
        loaded: LoadedSite = load_site(site)
    except ContentErrors as exc:
        items = exc.problems.items
    else:
        items = loaded.problems.items
    return [str(p) for p in items if p.is_error], [str(p) for p in items if not p.is_error and not is_advice(str(p))]


def is_advice(line: str) -> bool:
    """The editor's advice about a story with no summary or photo (advice.py,
    tested in test_check.py), which would otherwise repeat in every list here."""
    return ": warning: summary: not set" in line or ": warning: image: not set" in line


def errors_for(make_site, text: str | bytes, name: str = "amy.md") -> list[str]:
    errors, _ = problems_in(make_site({f"content/appeals/{name}": text}))
    return errors


def test_a_valid_appeal_has_no_problems(make_site) -> None:
    assert problems_in(make_site({"content/appeals/amy.md": appeal()})) == ([], [])


def test_the_spec_example_message(make_site) -> None:
    text = appeal(target='"fifty grand"', extra="")
    # The SPEC's example has the target on line 5: put a title above it.
    text = text.replace("---\n", "---\ntitle: Help Jacob\n", 1).replace("child: Amy Example", "child: Jacob")
    errors = errors_for(make_site, text, "jacob.md")
    assert errors == [
        'content/appeals/jacob.md:5: target: "fifty grand" is not an amount (use a number such as 36000 or "£36,000")'
    ]


@pytest.mark.parametrize("field", list(VALID_FIELDS))
def test_a_missing_required_field_is_reported_on_line_1(make_site, field: str) -> None:
    assert errors_for(make_site, appeal(drop=(field,))) == [f"content/appeals/amy.md:1: {field}: missing {REQUIRED}"]


def test_an_empty_required_field_is_missing(make_site) -> None:
    assert errors_for(make_site, appeal(hospital="")) == [f"content/appeals/amy.md:1: hospital: missing {REQUIRED}"]


def test_every_missing_field_at_once(make_site) -> None:
    text = "---\ntitle: Nothing else\n---\nBody\n"
    assert errors_for(make_site, text) == [f"content/appeals/amy.md:1: {f}: missing {REQUIRED}" for f in VALID_FIELDS]


@pytest.mark.parametrize(
    ("field", "written", "line", "message"),
    [
        ("child", "5", 2, "5 is not text (write the child's name as published; put it in quotes if needed)"),
        ("child", '"  "', 2, '"  " is empty (write the child\'s name as published)'),
        ("child", "[Amy, Example]", 2, "a list is not text (write the child's name as published; put it in quotes if needed)"),
        ("condition", "{name: palsy}", 3, "a set of fields is not text (write the condition; put it in quotes if needed)"),
        ("condition", "true", 3, "true is not text (write the condition; put it in quotes if needed)"),
        ("target", '"fifty grand"', 4, f'"fifty grand" is not an amount {AMOUNT_HELP}'),
        ("target", "fifty grand", 4, f'"fifty grand" is not an amount {AMOUNT_HELP}'),
        ("target", "-5", 4, "-5 is below zero (an amount must be 0 or more)"),
        ("target", '"£5k"', 4, '"£5k" is not an amount (write it in full: 5000)'),
        ("target", "1.5m", 4, '"1.5m" is not an amount (write it in full: 1500000)'),
        ("target", "0", 4, "0 must be more than 0"),
        ("target", "true", 4, f"true is not an amount {AMOUNT_HELP}"),
        ("target", '"36,00"', 4, f'"36,00" is not an amount {AMOUNT_HELP}'),
        ("target", "36000.505", 4, f"36000.505 has more than two decimal places {AMOUNT_HELP}"),
        ("target", ".inf", 4, f"inf is not an amount {AMOUNT_HELP}"),
        ("target", ".nan", 4, f"nan is not an amount {AMOUNT_HELP}"),
        ("raised", "yes", 5, f'"yes" is not an amount {AMOUNT_HELP}'),
        ("raised", "010", 5, None),  # YAML 1.1 would read 8 (octal); here it is 10
        ("raised", "1:30", 5, f'"1:30" is not an amount {AMOUNT_HELP}'),  # not 90 (base 60)
        ("raised", "0x10", 5, f'"0x10" is not an amount {AMOUNT_HELP}'),
        ("raised", "-0.01", 5, "-0.01 is below zero (an amount must be 0 or more)"),
        ("raised", "[1, 2]", 5, f"a list is not an amount {AMOUNT_HELP}"),
        ("hospital", "42", 6, "42 is not text (write the hospital; put it in quotes if needed)"),
        ("date", "yesterday", 7, f'"yesterday" is not a date {DATE_HELP}'),
        ("date", "2026-13-01", 7, f'"2026-13-01" is not a date {DATE_HELP}'),
        ("date", "2026-02-30", 7, f'"2026-02-30" is not a date {DATE_HELP}'),
        ("date", "01/05/2026", 7, '"01/05/2026" is not a date as Totaliser reads them (use YYYY-MM-DD: for 1 May 2026 write 2026-05-01)'),
        ("date", "05/31/2026", 7, '"05/31/2026" is not a date as Totaliser reads them (use YYYY-MM-DD: for 31 May 2026 write 2026-05-31)'),
        ("date", "31/02/2026", 7, f'"31/02/2026" is not a date {DATE_HELP}'),
        ("date", "20260501", 7, f"20260501 is not a date {DATE_HELP}"),
    ],
)
def test_wrong_values_of_required_fields(make_site, field: str, written: str, line: int, message: str | None) -> None:
    errors = errors_for(make_site, appeal(**{field: written}))
    expected = [] if message is None else [f"content/appeals/amy.md:{line}: {field}: {message}"]
    assert errors == expected


@pytest.mark.parametrize(
    ("written", "amount"),
    [("36000", "36000"), ('"36,000"', "36000"), ('"£36,000"', "36000"), ('"36000.50"', "36000.5"), ("1e5", "100000"), ("0", "0")],
)
def test_amounts_as_written_in_yaml(make_site, written: str, amount: str) -> None:
    loaded = load_site(make_site({"content/appeals/amy.md": appeal(raised=written)}))
    assert str(loaded.content.appeals[0].raised) == amount


def test_a_raised_mapping_sums_its_sources_exactly(make_site) -> None:
    text = appeal(raised="\n  JustGiving: 20000.10\n  Collection tins: \"£5,000.20\"\n  Bake sale: 0.3")
    loaded = load_site(make_site({"content/appeals/amy.md": text}))
    found = loaded.content.appeals[0]
    assert str(found.raised) == "25000.6"
    assert [(s.label, str(s.amount)) for s in found.sources] == [
        ("JustGiving", "20000.1"), ("Collection tins", "5000.2"), ("Bake sale", "0.3"),
    ]


def test_a_bad_source_names_its_line_and_label(make_site) -> None:
    text = appeal(raised="\n  JustGiving: 20000\n  Collection tins: lots")
    assert errors_for(make_site, text) == [
        f'content/appeals/amy.md:7: raised.Collection tins: "lots" is not an amount {AMOUNT_HELP}'
    ]


def test_an_empty_source_mapping(make_site) -> None:
    assert errors_for(make_site, appeal(raised="{}")) == [
        "content/appeals/amy.md:5: raised: is an empty set of sources (list each source with its amount, or write one amount)"
    ]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.example.org/give", "data:text/html,hello", "//give.example.org/", "www.justgiving.com/amy"])
def test_donation_links_must_be_http_or_https(make_site, url: str) -> None:
    text = appeal(extra=f"donate:\n  - label: Give\n    url: {url}")
    assert errors_for(make_site, text) == [f'content/appeals/amy.md:10: donate[0].url: "{url}" is not a web address {URL_HELP}']


def test_donate_url_shorthand_is_checked_too(make_site) -> None:
    text = appeal(extra="donate_url: javascript:alert(1)")
    assert errors_for(make_site, text) == [f'content/appeals/amy.md:8: donate_url: "javascript:alert(1)" is not a web address {URL_HELP}']


def test_donate_and_donate_url_together(make_site) -> None:
    text = appeal(extra="donate_url: https://a.example/\ndonate:\n  - label: Give\n    url: https://b.example/")
    assert errors_for(make_site, text) == ["content/appeals/amy.md:8: donate_url: use either donate or donate_url, not both"]


def test_every_bad_donation_option_is_reported(make_site) -> None:
    text = appeal(extra="donate:\n  - label: A\n    url: https://ok.example/\n  - label: B\n    url: ftp://x.example/\n  - url: data:text/html,hi\n  - 42")
    assert errors_for(make_site, text) == [
        f'content/appeals/amy.md:12: donate[1].url: "ftp://x.example/" is not a web address {URL_HELP}',
        f'content/appeals/amy.md:13: donate[2].url: "data:text/html,hi" is not a web address {URL_HELP}',
        "content/appeals/amy.md:14: donate[3]: 42 must have a label and a url",
    ]


def test_milestones_ascending_and_within_the_target(make_site) -> None:
    text = appeal(extra=(
        "milestones:\n"
        "  - label: Operation\n    amount: 24000\n"
        "  - label: Scans\n    amount: 20000\n"
        "  - label: Everything\n    amount: 40000"
    ))
    assert errors_for(make_site, text) == [
        "content/appeals/amy.md:12: milestones[1].amount: 20000 is less than the milestone before it (list milestones in ascending order of amount)",
        "content/appeals/amy.md:14: milestones[2].amount: 40000 is more than the target (a milestone is a part of the target)",
    ]


def test_a_milestone_without_an_amount(make_site) -> None:
    text = appeal(extra="milestones:\n  - label: Operation")
    assert errors_for(make_site, text) == [
        "content/appeals/amy.md:9: milestones[0].amount: missing (each milestone needs a label and an amount)"
    ]


def test_list_items_missing_their_parts(make_site) -> None:
    text = appeal(extra="donate:\n  - label: Give\nupdates:\n  - note: Launched")
    assert errors_for(make_site, text) == [
        "content/appeals/amy.md:9: donate[0].url: missing (each donation option needs a url)",
        "content/appeals/amy.md:11: updates[0].date: missing (each update needs a date and the amount raised by then)",
        "content/appeals/amy.md:11: updates[0].raised: missing (each update needs a date and the amount raised by then)",
    ]


def test_updates_must_be_oldest_first(make_site) -> None:
    text = appeal(extra=(
        "updates:\n"
        "  - date: 2026-03-01\n    raised: 1000\n    note: First\n"
        "  - date: 2026-02-01\n    raised: 2000\n    note: Second"
    ))
    assert errors_for(make_site, text) == [
        'content/appeals/amy.md:12: updates[1].date: "2026-02-01" is before the update above it (list updates oldest first)'
    ]


def test_an_update_with_a_bad_date_and_amount(make_site) -> None:
    text = appeal(extra="updates:\n  - date: 2026-02-31\n    raised: lots")
    assert errors_for(make_site, text) == [
        f'content/appeals/amy.md:9: updates[0].date: "2026-02-31" is not a date {DATE_HELP}',
        f'content/appeals/amy.md:10: updates[0].raised: "lots" is not an amount {AMOUNT_HELP}',
    ]


@pytest.mark.parametrize("status", ["live", "Open", "true", "1"])
def test_bad_status(make_site, status: str) -> None:
    shown = {"true": "true", "1": "1"}.get(status, f'"{status}"')
    assert errors_for(make_site, appeal(extra=f"status: {status}")) == [
        f"content/appeals/amy.md:8: status: {shown} is not a status (use draft, open, funded or closed)"
    ]


def test_default_status_from_the_amounts(make_site) -> None:
    site = make_site({
        "content/appeals/open-one.md": appeal(raised="35999.99"),
        "content/appeals/funded-one.md": appeal(raised="36000"),
        "content/appeals/over-one.md": appeal(raised="42000"),
    })
    loaded = load_site(site)
    assert {a.slug: a.status for a in loaded.content.appeals} == {
        "open-one": "open", "funded-one": "funded", "over-one": "funded",
    }


def test_bad_deadline_and_gift_aid(make_site) -> None:
    text = appeal(extra="deadline: next spring\ngift_aid: some")
    assert errors_for(make_site, text) == [
        f'content/appeals/amy.md:8: deadline: "next spring" is not a date {DATE_HELP}',
        f'content/appeals/amy.md:9: gift_aid: "some" is not an amount {AMOUNT_HELP}',
    ]


def test_bad_currency(make_site) -> None:
    assert errors_for(make_site, appeal(extra="currency: pounds")) == [
        'content/appeals/amy.md:8: currency: "pounds" is not a currency code (use a three-letter ISO 4217 code such as GBP)'
    ]


def test_image_needs_image_alt(make_site) -> None:
    site = make_site({
        "content/appeals/amy.md": appeal(extra="image: amy.jpg"),
        "content/appeals/amy.jpg": b"not checked until the photo is published",
    })
    assert problems_in(site)[0] == ["content/appeals/amy.md:8: image: \"amy.jpg\" has no image_alt (describe the photo for people who cannot see it)"]


def test_an_empty_image_alt_is_missing(make_site) -> None:
    site = make_site({
        "content/appeals/amy.md": appeal(extra="image: amy.jpg\nimage_alt:"),
        "content/appeals/amy.jpg": b"x",
    })
    assert problems_in(site)[0] == ["content/appeals/amy.md:8: image: \"amy.jpg\" has no image_alt (describe the photo for people who cannot see it)"]


def test_a_missing_image(make_site) -> None:
    text = appeal(extra="image: static/images/nobody.jpg\nimage_alt: A girl smiling")
    assert errors_for(make_site, text) == [
        'content/appeals/amy.md:8: image: "static/images/nobody.jpg" is not a file in the story\'s folder or the site folder'
    ]


def test_a_mistyped_photo_gets_the_nearest_name(make_site) -> None:
    site = make_site({
        "content/appeals/amy.md": appeal(extra="image: Amy.JPG\nimage_alt: A girl smiling"),
        "content/appeals/amy.jpg": b"x",
        "content/appeals/bea.md": appeal(child="Bea Example", extra="image: static/images/bea.jpeg\nimage_alt: A girl"),
        "static/images/bea.jpg": b"x",
        "content/appeals/cai.md": appeal(child="Cai Example", extra="image: cai.heic\nimage_alt: A boy"),
        "content/appeals/cai.heic": b"x",
    })
    assert problems_in(site)[0] == [
        'content/appeals/amy.md:8: image: "Amy.JPG" is not a file in the story\'s folder or the site folder (did you mean "amy.jpg"?)',
        'content/appeals/bea.md:8: image: "static/images/bea.jpeg" is not a file in the story\'s folder or the site folder '
        '(did you mean "static/images/bea.jpg"?)',
        'content/appeals/cai.md:8: image: "cai.heic" is an iPhone photo (HEIC), which not every browser shows '
        "(save it as a JPEG and use the .jpg file)",
    ]


def test_an_image_outside_the_site_is_refused(make_site, tmp_path: Path) -> None:
    (tmp_path / "secret.jpg").write_bytes(b"x")
    text = appeal(extra="image: ../../../secret.jpg\nimage_alt: A girl smiling")
    assert errors_for(make_site, text) == [
        'content/appeals/amy.md:8: image: "../../../secret.jpg" is not a file in the story\'s folder or the site folder'
    ]


def test_an_image_that_is_not_a_photo(make_site) -> None:
    site = make_site({
        "content/appeals/amy.md": appeal(extra="image: notes.txt\nimage_alt: A girl smiling"),
        "content/appeals/notes.txt": "hello",
    })
    assert problems_in(site)[0] == ['content/appeals/amy.md:8: image: "notes.txt" is not a photo (use a .jpg, .png, .webp or .gif file)']


def test_unknown_fields_warn_with_the_closest_known_field(make_site) -> None:
    site = make_site({"content/appeals/amy.md": appeal(extra="rasied: 5\nfavourite_colour: blue\nmilestone: []")})
    errors, warnings = problems_in(site)
    assert errors == []
    assert warnings == [
        "content/appeals/amy.md:8: warning: rasied: unknown field: ignored unless the site's templates use it (did you mean `raised`?)",
        # The closest known field, however far (SPEC): the editor sees the field changes nothing.
        "content/appeals/amy.md:9: warning: favourite_colour: unknown field: ignored unless the site's templates use it "
        "(did you mean `donate_url`?)",
        "content/appeals/amy.md:10: warning: milestone: unknown field: ignored unless the site's templates use it (did you mean `milestones`?)",
    ]
    assert load_site(site).content.appeals[0].extra == {"rasied": 5, "favourite_colour": "blue", "milestone": []}


def test_a_key_written_twice(make_site) -> None:
    assert errors_for(make_site, appeal(extra="raised: 30000")) == [
        "content/appeals/amy.md:8: raised: is written twice (on lines 5 and 8; keep one of them)"
    ]


def test_a_nested_key_written_twice(make_site) -> None:
    text = appeal(extra="milestones:\n  - label: A\n    amount: 100\n    amount: 200")
    assert errors_for(make_site, text) == [
        "content/appeals/amy.md:11: milestones[0].amount: is written twice (on lines 10 and 11; keep one of them)"
    ]


def test_yaml_anchors_and_merge_keys_are_not_duplicates(make_site) -> None:
    text = appeal(extra=(
        "donate:\n  - &jg\n    label: JustGiving\n    url: https://jg.example/\n"
        "  - <<: *jg\n    label: Again"
    ))
    loaded = load_site(make_site({"content/appeals/amy.md": text}))
    assert [(d.label, d.url) for d in loaded.content.appeals[0].donate] == [
        ("JustGiving", "https://jg.example/"), ("Again", "https://jg.example/"),
    ]


# Files that are not front matter at all.

NO_FRONT_MATTER = (
    "no front matter found (start the file with a line of three dashes, ---, "
    "then the fields, then another line of ---)"
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Amy needs an operation.\n", f"content/appeals/amy.md:1: front matter: {NO_FRONT_MATTER}"),
        ("", f"content/appeals/amy.md:1: front matter: {NO_FRONT_MATTER}"),
        ("\n\n", f"content/appeals/amy.md:1: front matter: {NO_FRONT_MATTER}"),
        (
            "---\nchild: Amy\ncondition: cp\n",
            "content/appeals/amy.md:1: front matter: the front matter is never closed (add a line of three dashes, ---, after the fields)",
        ),
        ("---\nchild: [Amy\n---\n", "content/appeals/amy.md:2: front matter: not valid YAML: did not find expected ',' or ']'"),
        (
            "---\nchild: Amy\n\tcondition: cp\n---\n",
            "content/appeals/amy.md:3: front matter: this line is indented with a tab, and YAML indents with spaces only "
            "(replace the tab at the start of the line with spaces)",
        ),
        (
            "---\nchild: Amy\ntitle: Help Amy: she needs you\n---\n",
            "content/appeals/amy.md:3: front matter: not valid YAML: mapping values are not allowed in this context "
            "(if the value has a colon and a space in it, put the whole value in double quotes)",
        ),
        (
            '---\nchild: Amy\ntitle: "Help Amy\ncondition: cp\n---\n',
            "content/appeals/amy.md:3: front matter: not valid YAML: found unexpected end of stream "
            "(a quotation mark is never closed)",
        ),
        (
            "---\n- child\n- Amy\n---\n",
            "content/appeals/amy.md:2: front matter: the front matter must be fields written as `name: value`, one a line",
        ),
        (
            "---\njust words\n---\n",
            "content/appeals/amy.md:2: front matter: the front matter must be fields written as `name: value`, one a line",
        ),
        (
            "---\nchild: !!python/object:os.system echo\n---\n",
            "content/appeals/amy.md:2: front matter: not valid YAML: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object:os.system'",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "content/appeals/amy.md:1: file: the file is not UTF-8 text (save it with UTF-8 encoding)"),
        (
            b"---\nchild: Amy\x00\n---\n",
            "content/appeals/amy.md:2: file: the file is not a text file (it holds binary data)",
        ),
        (
            b"---\nchild: Amy\ncondition: cp\n" + "hospital: Hôpital\n".encode("latin-1") + b"---\n",
            "content/appeals/amy.md:4: file: the file is not UTF-8 text (save it with UTF-8 encoding)",
        ),
    ],
)
def test_files_that_cannot_be_read(make_site, body: str | bytes, expected: str) -> None:
    assert errors_for(make_site, body) == [expected]


def test_a_control_character_in_the_front_matter(make_site) -> None:
    text = appeal(hospital="Bristol\x1bRoyal")
    assert errors_for(make_site, text) == [
        "content/appeals/amy.md:6: file: has an invisible control character (U+001B) in it: delete it "
        "(it often comes with text copied from another program)"
    ]


def test_a_control_character_after_non_ascii_text_names_its_line(make_site) -> None:
    text = appeal(child="Zoë Siân Łukasz", hospital="Bristol\x0bRoyal")
    assert errors_for(make_site, text)[0].startswith("content/appeals/amy.md:6: file: has an invisible control character (U+000B)")


def test_empty_front_matter_lists_every_required_field(make_site) -> None:
    assert errors_for(make_site, "---\n---\nBody\n") == [f"content/appeals/amy.md:1: {f}: missing {REQUIRED}" for f in VALID_FIELDS]


def test_a_byte_order_mark_and_windows_line_endings_are_fine(make_site) -> None:
    text = "\ufeff" + appeal().replace("\n", "\r\n")
    site = make_site({"content/appeals/amy.md": text.encode("utf-8")})
    assert problems_in(site) == ([], [])


def test_a_file_name_that_is_not_a_web_address(make_site) -> None:
    assert errors_for(make_site, appeal(), "Amy Example.md") == [
        'content/appeals/Amy Example.md:1: file name: "Amy Example.md" is not a usable web address '
        "(rename it to amy-example.md: lowercase letters, digits and dashes)"
    ]


# Pages.


def test_a_page_needs_a_title(make_site) -> None:
    errors, _ = problems_in(make_site({"content/pages/about.md": "---\nsummary: Who we are\n---\nHello\n"}))
    assert errors == ["content/pages/about.md:1: title: missing (every page needs a title)"]


def test_a_page_without_front_matter(make_site) -> None:
    errors, _ = problems_in(make_site({"content/pages/about.md": "Hello\n"}))
    assert errors == [f"content/pages/about.md:1: front matter: {NO_FRONT_MATTER}"]


def test_a_page_with_unknown_fields_warns(make_site) -> None:
    errors, warnings = problems_in(make_site({"content/pages/about.md": "---\ntitle: About\ntitel: x\n---\nHello\n"}))
    assert errors == []
    assert warnings == ["content/pages/about.md:3: warning: titel: unknown field: ignored unless the site's templates use it (did you mean `title`?)"]


# All problems in all files, in one run.


def test_all_errors_in_all_files_come_together(make_site) -> None:
    site = make_site({
        "content/appeals/amy.md": appeal(target='"fifty grand"', date="soon"),
        "content/appeals/ben.md": appeal(drop=("hospital",), extra="donate_url: ftp://x.example/"),
        "content/appeals/cat.md": b"\xff\xfe",
        "content/appeals/dan.md": appeal(extra="rasied: 1"),
        "content/pages/about.md": "---\nsummary: x\n---\n",
    })
    errors, warnings = problems_in(site)
    assert errors == [
        f'content/appeals/amy.md:4: target: "fifty grand" is not an amount {AMOUNT_HELP}',
        f'content/appeals/amy.md:7: date: "soon" is not a date {DATE_HELP}',
        f"content/appeals/ben.md:1: hospital: missing {REQUIRED}",
        f'content/appeals/ben.md:7: donate_url: "ftp://x.example/" is not a web address {URL_HELP}',
        "content/appeals/cat.md:1: file: the file is not UTF-8 text (save it with UTF-8 encoding)",
        "content/pages/about.md:1: title: missing (every page needs a title)",
    ]
    assert warnings == ["content/appeals/dan.md:8: warning: rasied: unknown field: ignored unless the site's templates use it (did you mean `raised`?)"]


def test_drafts_are_checked_even_when_left_out(make_site) -> None:
    site = make_site({"content/appeals/amy.md": appeal(target="lots", extra="status: draft")})
    assert problems_in(site)[0] == [f'content/appeals/amy.md:4: target: "lots" is not an amount {AMOUNT_HELP}']


# site.yaml.

SITE_BASE = "base_url: https://example.github.io/appeals-site/\n"


def site_errors(make_site, site_yaml: str | None) -> tuple[list[str], list[str]]:
    return problems_in(make_site({"content/appeals/amy.md": appeal()}, site_yaml=site_yaml))


def test_site_yaml_missing(make_site) -> None:
    assert site_errors(make_site, None)[0] == ["site.yaml:1: site.yaml is missing (every site needs one, with at least title and base_url: run this in the site's folder, or give --site FOLDER)"]


def test_site_yaml_empty(make_site) -> None:
    assert site_errors(make_site, "")[0] == [
        "site.yaml:1: title: missing (site.yaml needs a title)",
        "site.yaml:1: base_url: missing (site.yaml needs a base_url)",
    ]


def test_site_yaml_not_yaml(make_site) -> None:
    errors, _ = site_errors(make_site, "title: Appeals\nbase_url: [\n")
    assert len(errors) == 1 and errors[0].startswith("site.yaml:") and "not valid YAML" in errors[0]


def test_site_yaml_not_utf8(make_site) -> None:
    errors, _ = problems_in(make_site({"site.yaml": "title: Caf\xe9 Appeals\n".encode("latin-1"), "content/appeals/amy.md": appeal()}, site_yaml=None))
    assert errors == ["site.yaml:1: the file is not UTF-8 text (save it with UTF-8 encoding)"]


def test_site_yaml_a_list(make_site) -> None:
    assert site_errors(make_site, "- title\n")[0] == ["site.yaml:1: site.yaml must be settings written as `name: value`, one a line"]


def test_site_yaml_every_bad_setting(make_site) -> None:
    errors, warnings = site_errors(make_site, (
        "title: 5\n"
        "base_url: ftp://example.org/\n"
        "currency: pounds\n"
        "locale: 5\n"
        "cname: not a host\n"
        "privacy: surname\n"
        "charity: 5\n"
        "publisher:\n  name: Gazette\n  url: javascript:alert(1)\n"
        "titel: x\n"
    ))
    assert errors == [
        "site.yaml:1: title: 5 is not text (write the site's title; put it in quotes if needed)",
        f'site.yaml:2: base_url: "ftp://example.org/" is not a web address {URL_HELP}',
        'site.yaml:3: currency: "pounds" is not a currency code (use a three-letter ISO 4217 code such as GBP)',
        "site.yaml:4: locale: 5 is not a locale (use a language tag such as en-GB)",
        'site.yaml:5: cname: "not a host" is not a domain name (write it like appeals.example.co.uk)',
        'site.yaml:6: privacy: "surname" is not a privacy setting (use first_name or full)',
        "site.yaml:7: charity: 5 must be a set of fields: name, number",
        f'site.yaml:10: publisher.url: "javascript:alert(1)" is not a web address {URL_HELP}',
    ]
    assert warnings == ["site.yaml:11: warning: titel: unknown field: ignored unless the site's templates use it (did you mean `title`?)"]


@pytest.mark.parametrize("logo", ["https://cdn.example/logo.png", "//cdn.example/logo.png", "data:image/png;base64,AAAA"])
def test_site_yaml_logo_must_be_the_sites_own_file(make_site, logo: str) -> None:
    errors, _ = site_errors(make_site, f"title: A\n{SITE_BASE}publisher:\n  name: Gazette\n  logo: \"{logo}\"\n")
    assert errors == [
        f'site.yaml:5: publisher.logo: "{logo}" is a web address: put the logo in static/images/ and write its path, '
        "e.g. static/images/logo.svg (pages load nothing from other sites)"
    ]


def test_a_logo_the_site_does_not_have_is_a_warning_and_the_name_is_shown(make_site, tmp_path: Path) -> None:
    from .conftest import run_cli

    site = make_site(
        {"content/appeals/amy.md": appeal(), "static/images/gazette.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>'},
        site_yaml=f"title: The Gazette Appeals\n{SITE_BASE}publisher:\n  name: Gazette\n  logo: static/images/logo.svg\n",
    )
    result = run_cli("build", "--site", str(site), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert (
        'site.yaml:5: warning: publisher.logo: "static/images/logo.svg" is not a file in the site\'s static/ folder, '
        "so pages show the site's name instead (put the logo there, or remove the line)"
    ) in result.stderr.splitlines()
    home = (tmp_path / "out/index.html").read_text(encoding="utf-8")
    assert "logo.svg" not in home and "has-logo" not in home
    (site / "site.yaml").write_text((site / "site.yaml").read_text(encoding="utf-8").replace("logo.svg", "gazette.svg"), encoding="utf-8")
    result = run_cli("build", "--site", str(site), "--output", str(tmp_path / "out"))
    assert "publisher.logo" not in result.stderr
    assert "static/images/gazette.svg" in (tmp_path / "out/index.html").read_text(encoding="utf-8")


def test_site_yaml_base_url_with_a_query(make_site) -> None:
    errors, _ = site_errors(make_site, "title: A\nbase_url: https://example.org/?x=1\n")
    assert errors == ['site.yaml:2: base_url: "https://example.org/?x=1" must not have ? or # in it']


def test_site_yaml_base_url_gains_a_slash(make_site) -> None:
    loaded = load_site(make_site({}, site_yaml="title: A\nbase_url: https://example.github.io/my-appeals\n"))
    assert loaded.config.base_url == "https://example.github.io/my-appeals/"
    assert loaded.config.base_path == "/my-appeals/"


def test_site_yaml_errors_come_with_content_errors(make_site) -> None:
    # A broken site.yaml does not hide the content's errors: one run shows them all.
    site = make_site({"content/appeals/amy.md": appeal(target="lots")}, site_yaml="title: A\nbase_url: nowhere\n")
    errors, _ = problems_in(site)
    assert errors == [
        f'site.yaml:2: base_url: "nowhere" is not a web address {URL_HELP}',
        f'content/appeals/amy.md:4: target: "lots" is not an amount {AMOUNT_HELP}',
    ]


def test_charity_number_written_as_a_number_keeps_its_digits(make_site) -> None:
    loaded = load_site(make_site({}, site_yaml=f"title: A\n{SITE_BASE}charity:\n  name: Fund\n  number: 1234567\n"))
    assert loaded.config.charity.number == "1234567"
