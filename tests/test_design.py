"""The design pass: the site's colours, the supporters count, markup for
search engines and social sites, and one voice for an appeal's state."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

from tests.conftest import MINIMAL_APPEAL, MINIMAL_SITE_YAML
from totaliser.colours import contrast
from totaliser.errors import ContentErrors
from totaliser.site import BuildOptions, build, load_site


def problems(site: Path) -> list[str]:
    try:
        loaded = load_site(site)
    except ContentErrors as exc:
        return [str(p) for p in exc.problems.items if p.is_error]
    return [str(p) for p in loaded.problems.items if p.is_error]


def built(make_site, files: dict[str, str], site_yaml: str = MINIMAL_SITE_YAML) -> Path:
    site = make_site(files, site_yaml)
    output = site / "output"
    build(BuildOptions(site_dir=site, output_dir=output))
    return output


# Colours


def test_wcag_contrast_of_known_pairs() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48


def test_site_colours_reach_every_page_and_the_policy_allows_exactly_them(make_site) -> None:
    yaml = MINIMAL_SITE_YAML + 'colours:\n  accent: "#0b5394"\n  donate: "#6a1b9a"\n'
    output = built(make_site, {"content/appeals/amy.md": MINIMAL_APPEAL}, yaml)
    for page in ("index.html", "appeals/amy/index.html", "appeals/amy/embed/index.html"):
        html = (output / page).read_text(encoding="utf-8")
        style = re.search(r"<style>(.*?)</style>", html, re.S)
        assert style and "--accent:#0b5394" in style.group(1) and "--donate:#6a1b9a" in style.group(1), page
        digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
        assert f"style-src 'self' 'sha256-{digest}'" in html, page
    # The badge for other sites fills in the accent too.
    assert 'fill="#0b5394"' in (output / "appeals/amy/thermometer.svg").read_text(encoding="utf-8")


@pytest.mark.parametrize(("setting", "line", "message"), [
    ('  donate: "#f5c400"', 12,
     'site.yaml:12: colours.donate: "#f5c400" is too pale behind the white text of the donate button: '
     "contrast 1.6:1, WCAG AA needs 4.5:1 (choose a darker colour)"),
    ('  accent: "#ff6666"', 12,
     'site.yaml:12: colours.accent: "#ff6666" is too pale as link and heading text on the page background: '
     "contrast 2.6:1, WCAG AA needs 4.5:1 (choose a darker colour)"),
    ("  accent: red", 12, 'site.yaml:12: colours.accent: "red" is not a colour (write it as a hex code such as "#b00d27")'),
    ("  accent: #b00d27", 12, 'site.yaml:12: colours.accent: is empty (write the colour in quotes, such as accent: "#b00d27")'),
])
def test_a_colour_that_fails_contrast_where_it_is_used_is_an_error(make_site, setting: str, line: int, message: str) -> None:
    site = make_site({"content/appeals/amy.md": MINIMAL_APPEAL}, MINIMAL_SITE_YAML + "colours:\n" + setting + "\n")
    assert problems(site) == [message]


# Supporters


def test_supporters_are_shown_beside_the_total(make_site) -> None:
    appeal = MINIMAL_APPEAL.replace("date: 2026-05-01\n", "date: 2026-05-01\nsupporters: \"1,204\"\n")
    output = built(make_site, {"content/appeals/amy.md": appeal})
    html = (output / "appeals/amy/index.html").read_text(encoding="utf-8")
    figures = re.search(r'<div class="totaliser-figures">(.*?)</div>', html, re.S)
    assert figures and "1,204 supporters" in figures.group(1)


def test_supporters_must_be_a_whole_number(make_site) -> None:
    appeal = MINIMAL_APPEAL.replace("date: 2026-05-01\n", "date: 2026-05-01\nsupporters: lots\n")
    site = make_site({"content/appeals/amy.md": appeal})
    assert problems(site) == [
        'content/appeals/amy.md:8: supporters: "lots" is not a number of people (use a whole number such as 312)'
    ]


# The story and its markup


def test_without_a_summary_the_opening_paragraph_is_not_shown_twice(make_site) -> None:
    output = built(make_site, {"content/appeals/amy.md": MINIMAL_APPEAL})
    html = (output / "appeals/amy/index.html").read_text(encoding="utf-8")
    main = html[html.index("<main"):html.index("</main>")]
    main = re.sub(r"<textarea.*?</textarea>", "", main, flags=re.S)  # the embed snippet
    assert main.count("Amy needs an operation.") == 1
    assert 'class="appeal-summary"' not in html
    with_summary = MINIMAL_APPEAL.replace("date: 2026-05-01\n", "date: 2026-05-01\nsummary: Amy is four.\n")
    output = built(make_site, {"content/appeals/amy.md": with_summary})
    assert '<p class="appeal-summary">Amy is four.</p>' in (output / "appeals/amy/index.html").read_text(encoding="utf-8")


def test_json_ld_is_a_news_article_whose_gift_goes_to_the_charity(make_site) -> None:
    appeal = MINIMAL_APPEAL.replace("date: 2026-05-01\n", "date: 2026-05-01\ndonate_url: https://give.example/amy\n")
    output = built(make_site, {"content/appeals/amy.md": appeal})
    html = (output / "appeals/amy/index.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "NewsArticle" and data["about"] == {"@type": "Person", "name": "Amy Example"}
    action = data["potentialAction"]
    assert action["@type"] == "DonateAction" and action["target"] == "https://give.example/amy"
    assert action["recipient"] == {"@type": "NGO", "name": "Test Gazette Fund", "identifier": "1234567"}
    assert action["object"] == {"@type": "MonetaryAmount", "name": "Still needed", "value": 11000, "currency": "GBP"}
    assert "price" not in json.dumps(data)


def test_titles_fit_in_70_characters_and_every_page_has_a_sharing_picture(make_site) -> None:
    long_title = "Help Amy Example walk again after her operation this winter in Bristol, please"
    appeal = MINIMAL_APPEAL.replace("---\nchild", f"---\ntitle: {long_title}\nchild")
    output = built(make_site, {
        "content/appeals/amy.md": appeal,
        "content/pages/about.md": "---\ntitle: About us\n---\nWe run appeals. Write to appeals@gazette.example.\n",
    })
    for page in ("index.html", "appeals/amy/index.html", "pages/about/index.html", "appeals/amy/embed/index.html"):
        html = (output / page).read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        assert len(title) <= 70, (page, title)
    for page in ("index.html", "pages/about/index.html", "appeals/amy/index.html"):
        html = (output / page).read_text(encoding="utf-8")
        assert '<meta property="og:image" content="https://' in html, page
        assert '<meta name="twitter:image:alt" content="' in html, page
    # The embed and the poster name their own icon (a browser would ask the host's root for one).
    for page in ("appeals/amy/embed/index.html", "appeals/amy/poster/index.html"):
        assert 'rel="icon" href="/appeals-site/static/images/favicon.svg"' in (output / page).read_text(encoding="utf-8")


# Milestones in full


def test_twenty_milestones_keep_their_full_labels_everywhere(make_site) -> None:
    labels = [f"Stage {n}: a long description of what this part of the money pays for" for n in range(1, 21)]
    milestones = "".join(f"  - label: \"{label}\"\n    amount: {1000 * n}\n" for n, label in enumerate(labels, 1))
    appeal = MINIMAL_APPEAL.replace("target: 36000", "target: 20000").replace("raised: 25000", "raised: 7500").replace(
        "date: 2026-05-01\n", "date: 2026-05-01\ndonate_url: https://give.example/amy\nmilestones:\n" + milestones
    )
    output = built(make_site, {"content/appeals/amy.md": appeal})
    folder = output / "appeals/amy"
    outputs = {name: (folder / name).read_text(encoding="utf-8") for name in ("index.html", "embed/index.html", "poster/index.html", "thermometer.svg")}
    for name, text in outputs.items():
        assert "…" not in text, name
    page = outputs["index.html"]
    assert all(f'<span class="milestone-label">{label}</span>' in page for label in labels)
    assert page.count('<span class="milestone-amount">') == 20
    # The drawings mark each milestone, and name none (the list does).
    assert page.count('class="milestone') >= 20 + 20
    assert "Stage 1" not in outputs["thermometer.svg"]
    # The poster lists whole labels, then says how many more there are.
    poster = outputs["poster/index.html"]
    shown = re.findall(r'<span class="poster-milestone-label">(.*?)</span>', poster)
    assert shown == labels[: len(shown)] and 1 <= len(shown) < 20
    assert f"and {20 - len(shown)} more" in poster


# Typography


def test_stories_get_smart_punctuation_and_linked_email_addresses(make_site) -> None:
    output = built(make_site, {
        "content/appeals/amy.md": MINIMAL_APPEAL.replace("---\nchild", "---\ntitle: \"Amy's appeal\"\nchild").replace(
            "Amy needs an operation.", "Amy's family say \"thank you\" -- write to appeals@gazette.example."
        ),
    })
    html = (output / "appeals/amy/index.html").read_text(encoding="utf-8")
    assert "Amy’s family say “thank you” – write to" in html
    assert '<a href="mailto:appeals@gazette.example" rel="noopener nofollow">appeals@gazette.example</a>.' in html
    assert "<h1>Amy’s appeal</h1>" in html and "<title>Amy’s appeal · Test Appeals</title>" in html


def test_a_surname_with_an_apostrophe_is_kept_out_however_it_is_set(make_site) -> None:
    appeal = MINIMAL_APPEAL.replace("Amy Example", "Ciaran O'Brien").replace("Amy needs an operation.", "Ciaran O'Brien needs an operation. The O'Briens thank you.")
    output = built(make_site, {"content/appeals/ciaran.md": appeal}, MINIMAL_SITE_YAML + "privacy: first_name\n")
    for path in output.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "Brien" not in text, path


def test_an_appeal_past_its_deadline_says_so_on_every_output_at_once(make_site, tmp_path: Path) -> None:
    late = MINIMAL_APPEAL.replace("date: 2026-05-01\n", "date: 2026-05-01\ndeadline: 2026-06-30\n").replace(
        "Amy Example", "Amy Late"
    )
    ben = MINIMAL_APPEAL.replace("date: 2026-05-01", "date: 2026-06-01").replace("Amy Example", "Ben Later")
    output = built(make_site, {"content/appeals/amy.md": late, "content/appeals/ben.md": ben})
    site = output.parent
    pages = ("index.html", "appeals/amy/index.html", "appeals/amy/embed/index.html", "appeals/amy/poster/index.html")
    # The site's content is as of 1 June, before Amy's deadline: nothing says it has passed.
    for page in pages:
        assert "Deadline passed" not in (output / page).read_text(encoding="utf-8"), page
    # Ben's story moves on to 1 September, after it: a cached build says so on
    # her card, her page, her embed and her poster alike, as a cold build does.
    story = site / "content/appeals/ben.md"
    story.write_text(story.read_text(encoding="utf-8").replace("date: 2026-06-01", "date: 2026-09-01"), encoding="utf-8")
    build(BuildOptions(site_dir=site, output_dir=output))
    home = (output / "index.html").read_text(encoding="utf-8")
    amy_card = home[home.index("Amy Late’s appeal") - 1500:home.index("Amy Late’s appeal")]
    assert "Deadline passed" in amy_card and "Was needed by" in home
    for page in pages[1:]:
        assert "Deadline passed" in (output / page).read_text(encoding="utf-8"), page
    assert "Was needed by" in (output / "appeals/amy/index.html").read_text(encoding="utf-8")
    cold = tmp_path / "cold"
    build(BuildOptions(site_dir=site, output_dir=cold, use_cache=False))
    assert all((output / page).read_bytes() == (cold / page).read_bytes() for page in (*pages, "appeals/amy/card.png"))
