"""The listings by hospital, condition, place and tag (SPEC: Output): index
pages, each term's pages in the home page's order and pagination, feeds,
embeds, badges, the sitemap, and the check's warning about near-duplicates."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import feedparser
import pytest

from totaliser.checks import check_site
from totaliser.site import BuildOptions, build
from totaliser.terms import index_terms, listed_names, loose_key, near_duplicates, term_key, unique_slugs

from .conftest import ROOT, run_cli
from .test_build import Elements
from .test_cache import tree

BASE = "/appeals-site/"


def story(
    child: str, hospital: str, *, condition: str = "cerebral palsy", location: str = "", tags: str = "",
    raised: int = 1000, target: int = 36000, status: str = "", date: str = "2026-05-01", updates: str = "",
) -> str:
    lines = [
        "---", f"child: {child}", f"condition: {condition}", f"target: {target}", f"raised: {raised}",
        f'hospital: "{hospital}"', f"date: {date}", "summary: A child needs help.", "donate_url: https://give.example/x",
    ]
    if location:
        lines.append(f"location: {location}")
    if tags:
        lines.append(f"tags: [{tags}]")
    if status:
        lines.append(f"status: {status}")
    if updates:
        lines.append(updates.rstrip("\n"))
    return "\n".join([*lines, "---", f"{child} needs an operation.", ""])


def site_files() -> dict[str, str]:
    return {
        # One hospital, written three ways that differ in case, spacing, accents and apostrophe.
        "content/appeals/amy.md": story("Amy Example", "Hôpital Saint-Éloi", location="Poole", tags="SMA, physio", raised=5000),
        "content/appeals/ben.md": story("Ben Example", "hopital  saint-eloi", location="poole", tags="sma", raised=100, status="closed"),
        "content/appeals/cat.md": story("Cat Example", "Hôpital Saint-Éloi", location="Bath", raised=36000, status="funded"),
        # Typed two ways that are not one name.
        "content/appeals/dan.md": story("Dan Example", "Bristol Children's Hospital", condition="SMA", raised=2000,
                                        updates="updates:\n  - date: 2026-06-01\n    raised: 2000\n    note: A quiz night."),
        "content/appeals/eve.md": story("Eve Example", "Bristol Children’s Hospital", condition="SMA", raised=3000),
        "content/appeals/fay.md": story("Fay Example", "Bristol Childrens Hospital", condition="SMA", raised=4000),
        # A draft is never listed, and its names make no listing.
        "content/appeals/gus.md": story("Gus Example", "Draft Only Hospital", tags="secret", status="draft"),
    }


def built(make_site, tmp_path: Path, files: dict[str, str] | None = None, **options: object) -> tuple[Path, object]:
    site = make_site(files if files is not None else site_files())
    out = tmp_path / "out"
    report = build(BuildOptions(site_dir=site, output_dir=out, **options))  # type: ignore[arg-type]
    return out, report


def card_links(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="([^"]+)"', html)


def test_names_differing_in_case_spacing_accents_are_one_term(make_site, tmp_path: Path) -> None:
    out, _ = built(make_site, tmp_path)
    hospitals = sorted(p.name for p in (out / "hospitals").iterdir() if p.is_dir())
    assert hospitals == ["bristol-children-s-hospital", "bristol-childrens-hospital", "hopital-saint-eloi"]
    page = (out / "hospitals/hopital-saint-eloi/index.html").read_text(encoding="utf-8")
    # The most common spelling is shown; the appeals in the home page's order (open, funded, closed).
    assert "Appeals at Hôpital Saint-Éloi" in page
    assert card_links(page) == [f"{BASE}appeals/amy/", f"{BASE}appeals/cat/", f"{BASE}appeals/ben/"]
    home = (out / "index.html").read_text(encoding="utf-8")
    home_order = [link for link in card_links(home) if link in card_links(page)]
    assert home_order == card_links(page)
    # "Children's" and "Children’s" are one name; "Childrens" is another.
    bristol = (out / "hospitals/bristol-children-s-hospital/index.html").read_text(encoding="utf-8")
    assert len(card_links(bristol)) == 2
    assert (out / "places/poole/index.html").is_file()
    assert not (out / "places/poole-2").exists()
    assert sorted(p.name for p in (out / "tags").iterdir() if p.is_dir()) == ["physio", "sma"]


def test_a_term_page_shows_its_own_totals(make_site, tmp_path: Path) -> None:
    out, _ = built(make_site, tmp_path)
    page = (out / "hospitals/hopital-saint-eloi/index.html").read_text(encoding="utf-8")
    # 5,000 + 100 + 36,000 raised; one open, one funded.
    assert "£41,100" in page
    assert re.search(r"<dt>Open appeals</dt><dd>1</dd>", page)
    assert re.search(r"<dt>Fully funded</dt><dd>1</dd>", page)
    index = (out / "hospitals/index.html").read_text(encoding="utf-8")
    names = re.findall(r'class="term-name" href="([^"]+)"', index)
    assert names == [f"{BASE}hospitals/bristol-children-s-hospital/", f"{BASE}hospitals/bristol-childrens-hospital/", f"{BASE}hospitals/hopital-saint-eloi/"]
    assert "3 appeals · 1 open · £41,100 raised" in index


def test_drafts_are_never_listed(make_site, tmp_path: Path) -> None:
    out, _ = built(make_site, tmp_path)
    assert not (out / "hospitals/draft-only-hospital").exists()
    assert not (out / "tags/secret").exists()
    assert "gus" not in (out / "tags/index.html").read_text(encoding="utf-8")
    # Built with its drafts, the draft's page shows its names, unlinked when nothing published is listed under them.
    drafts, _ = built(make_site, tmp_path / "drafts", include_drafts=True)
    assert not (drafts / "hospitals/draft-only-hospital").exists()
    page = (drafts / "appeals/gus/index.html").read_text(encoding="utf-8")
    assert "Treatment at Draft Only Hospital" in page
    assert 'href="/appeals-site/conditions/cerebral-palsy/"' in page


def test_every_appeal_page_links_its_terms(make_site, tmp_path: Path) -> None:
    out, _ = built(make_site, tmp_path)
    page = (out / "appeals/amy/index.html").read_text(encoding="utf-8")
    links = {a["href"] for a in Elements(page).find("a")}
    for path in ("hospitals/hopital-saint-eloi/", "conditions/cerebral-palsy/", "places/poole/", "tags/sma/", "tags/physio/"):
        assert BASE + path in links
        assert (out / path / "index.html").is_file()


def test_an_appeal_page_links_the_listing_it_is_in_when_slugs_collide(make_site, tmp_path: Path) -> None:
    # "A&E" and "A E" are two names with one slug; names with no Latin
    # letters are given the kind's own word, numbered: each page must still
    # link the listing that lists it.
    hospitals = {"a": "A&E", "b": "A E", "c": "a&e", "d": "東京病院", "e": "大阪病院", "f": "Leeds General Infirmary"}
    out, _ = built(make_site, tmp_path, {f"content/appeals/{slug}.md": story(f"{slug.upper()} Example", name) for slug, name in hospitals.items()})
    listed = {}
    for slug in hospitals:
        page = (out / f"appeals/{slug}/index.html").read_text(encoding="utf-8")
        [link] = [a["href"] for a in Elements(page).find("a") if a["href"].startswith(f"{BASE}hospitals/")]
        listing = (out / link.removeprefix(BASE) / "index.html").read_text(encoding="utf-8")
        assert f"{BASE}appeals/{slug}/" in card_links(listing)
        listed[slug] = link.removeprefix(f"{BASE}hospitals/")
    assert listed["a"] == listed["c"] != listed["b"]
    assert listed["d"] != listed["e"]
    assert {listed["b"], listed["a"]} == {"a-e/", "a-e-2/"} and {listed["d"], listed["e"]} == {"hospital/", "hospital-2/"}


def test_more_than_a_page_of_appeals_continues_on_page_2(make_site, tmp_path: Path) -> None:
    files = {f"content/appeals/c{n:02d}.md": story(f"Child {n:02d}", "Leeds General Infirmary", raised=n * 100) for n in range(30)}
    out, _ = built(make_site, tmp_path, files)
    first = (out / "hospitals/leeds-general-infirmary/index.html").read_text(encoding="utf-8")
    second = (out / "hospitals/leeds-general-infirmary/page/2/index.html").read_text(encoding="utf-8")
    assert len(card_links(first)) == 24 and len(card_links(second)) == 6
    assert f'href="{BASE}hospitals/leeds-general-infirmary/page/2/"' in first
    assert f'href="{BASE}hospitals/leeds-general-infirmary/"' in second
    home = card_links((out / "index.html").read_text(encoding="utf-8")) + card_links((out / "page/2/index.html").read_text(encoding="utf-8"))
    assert card_links(first) + card_links(second) == home
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://example.github.io/appeals-site/hospitals/leeds-general-infirmary/page/2/" in sitemap


# (story, its new total, the pages whose cards change): by most still needed,
# c00-c23 are on page 1, c24-c47 on page 2 and c48-c59 on page 3.
NEW_TOTALS = {
    "a little more for the last": ("c59", 5901, [3]),
    "one place down the middle page": ("c30", 3150, [2]),
}


@pytest.mark.parametrize("change", sorted(NEW_TOTALS))
@pytest.mark.parametrize("theme", ["stock", "totals on every page"])
def test_a_new_total_remakes_the_first_pages_and_those_its_card_is_on(make_site, tmp_path: Path, theme: str, change: str) -> None:
    # The totals open a listing's first page only; a later page is made again
    # when its own cards change, and not for a total elsewhere. A theme of the
    # site's own that shows them on every page is recorded as reading them
    # there, and has those pages made again.
    files = {f"content/appeals/c{n:02d}.md": story(f"Child {n:02d}", "Leeds General Infirmary", raised=n * 100) for n in range(60)}
    if theme != "stock":
        files["templates/index.html"] = (ROOT / "templates/index.html").read_text(encoding="utf-8").replace(
            "{% if pagination.number == 1 %}", "{% if true %}"
        )
    site = make_site(files)
    out = tmp_path / "out"
    for _ in range(2):
        build(BuildOptions(site_dir=site, output_dir=out))
    name, raised, pages = NEW_TOTALS[change]
    path = site / f"content/appeals/{name}.md"
    before = int(name[1:]) * 100
    path.write_text(path.read_text(encoding="utf-8").replace(f"raised: {before}", f"raised: {raised}"), encoding="utf-8")
    report = build(BuildOptions(site_dir=site, output_dir=out))
    listings = sorted(key for key in report.made if key.startswith(("listing:", "term:")))
    home = sorted({1, *pages}) if theme == "stock" else [1, 2, 3]
    # Every appeal is at one hospital and has one condition: those listings are paged as the home page.
    terms = [f"term:{kind}:{number}" for kind in ("conditions:cerebral-palsy", "hospitals:leeds-general-infirmary") for number in sorted({1, *pages})]
    assert listings == [f"listing:{number}" for number in home] + terms
    total = f"£{177000 + raised - before:,}"  # 100 * (0 + ... + 59), and the change
    assert total in (out / "index.html").read_text(encoding="utf-8")
    assert (total in (out / "page/2/index.html").read_text(encoding="utf-8")) == (theme != "stock")
    cold = tmp_path / "cold"
    build(BuildOptions(site_dir=site, output_dir=cold, use_cache=False))
    assert tree(out) == tree(cold)


def test_a_term_feed_has_its_appeals_with_the_site_feeds_ids(make_site, tmp_path: Path) -> None:
    out, _ = built(make_site, tmp_path)
    feed = feedparser.parse((out / "hospitals/bristol-children-s-hospital/feed.xml").read_bytes())
    assert feed.bozo == 0
    ids = {entry.id for entry in feed.entries}
    assert ids == {
        "tag:gazette.example,2026:appeals/dan", "tag:gazette.example,2026:appeals/dan/update-2026-06-01",
        "tag:gazette.example,2026:appeals/eve",
    }
    site_ids = {entry.id for entry in feedparser.parse((out / "feed.xml").read_bytes()).entries}
    assert ids < site_ids
    assert feed.feed.id == "tag:gazette.example,2026:hospitals/bristol-children-s-hospital/feed"
    assert feed.feed.link == "https://example.github.io/appeals-site/hospitals/bristol-children-s-hospital/"
    page = (out / "hospitals/bristol-children-s-hospital/index.html").read_text(encoding="utf-8")
    assert Elements(page).find("link", rel="alternate", href=f"{BASE}hospitals/bristol-children-s-hospital/feed.xml")
    # Another address keeps every id.
    elsewhere, _ = built(make_site, tmp_path / "elsewhere", base_url="https://appeals.gazette.example/")
    again = feedparser.parse((elsewhere / "hospitals/bristol-children-s-hospital/feed.xml").read_bytes())
    assert {entry.id for entry in again.entries} == ids


def test_a_listing_has_an_embed_and_a_badge_of_its_open_appeals(make_site, tmp_path: Path) -> None:
    out, _ = built(make_site, tmp_path)
    embed = (out / "hospitals/hopital-saint-eloi/embed/index.html").read_text(encoding="utf-8")
    # Only Amy's appeal is open there: £5,000 of £36,000.
    assert "<strong>£5,000</strong> raised of £36,000" in embed
    assert 'aria-valuenow="5000"' in embed and 'aria-valuemax="36000"' in embed
    assert "1 open appeal" in embed
    assert f"https://example.github.io{BASE}appeals/amy/" in embed
    assert "<script" not in embed
    badge = (out / "hospitals/hopital-saint-eloi/thermometer.svg").read_text(encoding="utf-8")
    root = ET.fromstring(badge)
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and "£5,000 raised of £36,000" in (title.text or "")
    page = (out / "hospitals/hopital-saint-eloi/index.html").read_text(encoding="utf-8")
    assert "hospitals/hopital-saint-eloi/embed/" in page


def test_the_sitemap_and_check_know_the_listings(make_site, tmp_path: Path) -> None:
    out, report = built(make_site, tmp_path)
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    for path in ("hospitals/", "conditions/", "places/", "tags/", "hospitals/hopital-saint-eloi/", "places/bath/", "tags/physio/"):
        assert f"<loc>https://example.github.io{BASE}{path}</loc>" in sitemap
    known = report.addresses()  # type: ignore[attr-defined]
    assert {"hospitals/", "hospitals/hopital-saint-eloi/", "tags/sma/feed.xml", "tags/sma/embed/", "tags/sma/thermometer.svg"} <= known


def test_check_warns_about_a_name_typed_two_ways(make_site, tmp_path: Path) -> None:
    site = make_site(site_files())
    import datetime

    report = check_site(site, datetime.date(2026, 7, 1))
    found = [p for p in report.warnings if p.field == "hospital"]
    assert len(found) == 1
    warning = found[0]
    assert warning.path == "content/appeals/fay.md" and warning.line == 6
    assert '"Bristol Childrens Hospital" looks like "Bristol Children' in warning.message
    assert "content/appeals/dan.md" in warning.message and "content/appeals/eve.md" in warning.message
    # The build says it too.
    result = run_cli("--site", str(site), "--output", str(tmp_path / "cli-out"))
    assert result.returncode == 0
    assert "content/appeals/fay.md:6: warning: hospital:" in result.stderr


def test_the_warnings_about_the_site_follow_each_edit_through_the_cache(make_site, tmp_path: Path) -> None:
    """They read site values that the cache keeps: a rebuild that keeps them
    warns as before, and one whose stories change them warns anew."""
    site = make_site(site_files())
    out = tmp_path / "out"

    def warnings() -> list[str]:
        result = run_cli("--site", str(site), "--output", str(out))
        assert result.returncode == 0, result.stderr
        return sorted(line for line in result.stderr.splitlines() if ": warning: " in line)

    def spelled_apart(found: list[str]) -> list[str]:
        return [line for line in found if "two spellings" in line]

    def dated(found: list[str]) -> list[str]:
        return [line for line in found if "in the future" in line or "has passed" in line]

    first = warnings()
    assert [line.split(": warning")[0] for line in spelled_apart(first)] == ["content/appeals/fay.md:6"]
    assert dated(first) == []
    fay = site / "content/appeals/fay.md"
    fay.write_text(fay.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    assert warnings() == first  # the values were kept
    # A deadline long past on an open appeal, and an update dated ahead.
    amy = site / "content/appeals/amy.md"
    amy.write_text(amy.read_text(encoding="utf-8").replace("date: 2026-05-01", "date: 2026-05-01\ndeadline: 2020-01-31"), encoding="utf-8")
    eve = site / "content/appeals/eve.md"
    eve.write_text(story("Eve Example", "Bristol Children’s Hospital", condition="SMA", raised=3000,
                         updates="updates:\n  - date: 2999-01-01\n    raised: 3000\n    note: Ahead."), encoding="utf-8")
    found = warnings()
    assert [line.split(": warning")[0] for line in dated(found)] == ["content/appeals/amy.md:8", "content/appeals/eve.md:11"]
    # Fay's spelling put right: no two spellings left to warn about.
    fay.write_text(fay.read_text(encoding="utf-8").replace("Bristol Childrens Hospital", "Bristol Children's Hospital"), encoding="utf-8")
    assert spelled_apart(warnings()) == []


def test_links_stay_under_the_base_path(make_site, tmp_path: Path) -> None:
    out, _ = built(make_site, tmp_path)
    for path in out.rglob("*.html"):
        if path.parts[len(out.parts)] not in ("hospitals", "conditions", "places", "tags"):
            continue
        for _tag, attrs in Elements(path.read_text(encoding="utf-8")).tags:
            for name in ("href", "src"):
                value = attrs.get(name, "")
                if value.startswith("/"):
                    assert value.startswith(BASE), (path, value)
                elif value.startswith("http") and "example.github.io" in value:
                    assert value.startswith(f"https://example.github.io{BASE}"), (path, value)


# --- The rules, on their own ------------------------------------------------


def test_term_keys() -> None:
    assert term_key("  Southampton   CHILDREN’S  Hospital ") == term_key("southampton children's hospital")
    assert term_key("Hôpital") == term_key("hopital")
    assert term_key("Childrens") != term_key("Children's")
    assert loose_key("Childrens") == loose_key("Children’s")


def test_slugs_that_would_collide_are_told_apart_in_order() -> None:
    assert unique_slugs([("a", "x"), ("b", "x"), ("c", "x-2"), ("d", "y")]) == {"a": "x", "b": "x-2", "c": "x-2-2", "d": "y"}


class _Appeal:
    def __init__(self, slug: str, hospital: str, tags: list[str] | None = None):
        self.slug, self.path, self.hospital, self.condition, self.location = slug, f"content/appeals/{slug}.md", hospital, "x", None
        self.tags = tags or []
        self.status, self.currency, self.raised, self.target, self.gift_aid = "open", "GBP", Decimal(10), Decimal(100), None
        self.listed = listed_names(self)  # type: ignore[arg-type]


def test_two_names_with_one_slug_get_two_listings() -> None:
    terms = index_terms([_Appeal("a", "A&E"), _Appeal("b", "A E"), _Appeal("c", "a&e")])["hospitals"]  # type: ignore[list-item]
    assert [(t.slug, t.name, t.appeals) for t in terms] == [("a-e", "A E", ("b",)), ("a-e-2", "A&E", ("a", "c"))]


def test_near_duplicates_are_not_every_similar_name() -> None:
    appeals = [
        _Appeal("a", "Type 1 diabetes"), _Appeal("b", "Type 2 diabetes"), _Appeal("c", "Birmingham Children's Hospital"),
        _Appeal("d", "Nottingham Children's Hospital"), _Appeal("e", "Great Ormond Street Hospital"),
        _Appeal("f", "Great Ormond St Hospital"), _Appeal("g", "Great Ormond Streat Hospital"),
    ]
    pairs = {frozenset((a.name, b.name)) for a, b in near_duplicates(appeals)["hospitals"]}  # type: ignore[arg-type]
    assert pairs == {frozenset(("Great Ormond Street Hospital", "Great Ormond Streat Hospital"))}


def find_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="find-appeals".*?</nav>', html, re.DOTALL)
    assert nav, "the page has its Find an appeal links"
    return re.findall(r'href="([^"]+)"', nav.group())


def test_find_an_appeal_links_only_the_listings_the_site_has(make_site, tmp_path: Path) -> None:
    """A site whose stories have no tags (or no places) does not send readers
    to an empty listing; the first tag, added later, brings the link (through
    the cache, like any change)."""
    files = {"content/appeals/amy.md": story("Amy Example", "Poole Hospital"), "content/appeals/ben.md": story("Ben Example", "Poole Hospital")}
    site = make_site(files)
    out = tmp_path / "out"
    build(BuildOptions(site_dir=site, output_dir=out))
    assert find_links((out / "index.html").read_text(encoding="utf-8")) == [BASE + "hospitals/", BASE + "conditions/"]
    # The empty listing is still there, and on its own page its link says where the reader is.
    assert (out / "tags/index.html").is_file()
    assert BASE + "tags/" in find_links((out / "tags/index.html").read_text(encoding="utf-8"))
    assert BASE + "tags/" not in find_links((out / "hospitals/index.html").read_text(encoding="utf-8"))
    search = (out / "search/index.html").read_text(encoding="utf-8")
    assert f'href="{BASE}hospitals/"' in search and f'href="{BASE}tags/"' not in search
    (site / "content/appeals/ben.md").write_text(story("Ben Example", "Poole Hospital", tags="SMA"), encoding="utf-8")
    build(BuildOptions(site_dir=site, output_dir=out))
    for page in ("index.html", "hospitals/index.html"):
        assert find_links((out / page).read_text(encoding="utf-8")) == [BASE + kind for kind in ("hospitals/", "conditions/", "tags/")]
    assert f'href="{BASE}tags/"' in (out / "search/index.html").read_text(encoding="utf-8")
