"""Whole builds of small sites: what lands in the output, and what never does."""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from totaliser.errors import ContentErrors, UsageError
from totaliser.site import BuildOptions, build

from .conftest import MINIMAL_SITE_YAML

BASE = "https://example.github.io/appeals-site/"
BASE_PATH = "/appeals-site/"


def appeal(child: str = "Amy Example", *, target: str = "36000", raised: str = "25000", date: str = "2026-05-01",
           extra: str = "", body: str = "Amy needs an operation.") -> str:
    lines = [
        "---", f"child: {child}", "condition: cerebral palsy", f"target: {target}", f"raised: {raised}",
        "hospital: Bristol Royal Hospital for Children", f"date: {date}",
    ]
    if extra:
        lines.extend(extra.strip("\n").split("\n"))
    return "\n".join([*lines, "---", body, ""])


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` with a hash of its bytes."""
    found: dict[str, str] = {}
    if not folder.exists():
        return found
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[relative] = "link:" + str(path.readlink())
        elif path.is_dir():
            found[relative + "/"] = "dir"
        else:
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def build_site(site: Path, output: Path | None = None, **options: object) -> Path:
    out = output or site.parent / "out"
    build(BuildOptions(site_dir=site, output_dir=out, **options))  # type: ignore[arg-type]
    return out


class Elements(HTMLParser):
    """Start tags with their attributes, in document order."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def find(self, tag: str | None = None, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if (tag is None or t == tag) and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]


# --- The output folder ---------------------------------------------------


@pytest.fixture
def site_in_tree(make_site, tmp_path: Path) -> Path:
    return make_site({"content/appeals/amy.md": appeal()})


@pytest.mark.parametrize("where", ["site", "parent", "grandparent", "content", "content/appeals", "templates", "static", ".git"])
def test_refused_output_folders_touch_nothing(site_in_tree: Path, tmp_path: Path, where: str) -> None:
    output = {
        "site": site_in_tree,
        "parent": site_in_tree.parent,
        "grandparent": site_in_tree.parent.parent,
    }.get(where, site_in_tree / where)
    before = snapshot(tmp_path)
    with pytest.raises(UsageError, match="refusing to build into"):
        build(BuildOptions(site_dir=site_in_tree, output_dir=output))
    assert snapshot(tmp_path) == before


def test_the_home_folder_is_refused(site_in_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "precious.txt").write_text("keep me")
    monkeypatch.setenv("HOME", str(home))
    before = snapshot(tmp_path)
    with pytest.raises(UsageError, match="home folder"):
        build(BuildOptions(site_dir=site_in_tree, output_dir=home))
    assert snapshot(tmp_path) == before


def test_a_folder_holding_the_home_folder_is_refused(site_in_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "users" / "amy"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    before = snapshot(tmp_path)
    with pytest.raises(UsageError, match="home folder"):
        build(BuildOptions(site_dir=site_in_tree, output_dir=tmp_path / "users"))
    assert snapshot(tmp_path) == before


def test_an_output_path_that_is_a_file_is_refused(site_in_tree: Path, tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("not a folder")
    with pytest.raises(UsageError):
        build(BuildOptions(site_dir=site_in_tree, output_dir=target))
    assert target.read_text() == "not a folder"


def test_the_default_output_folder_and_no_staging_left(site_in_tree: Path) -> None:
    report = build(BuildOptions(site_dir=site_in_tree))
    assert report.output_dir == site_in_tree / "output"
    assert (site_in_tree / "output" / "index.html").is_file()
    # The build cache is the one thing written beside the output (SPEC).
    assert sorted(p.name for p in site_in_tree.iterdir()) == [".totaliser-cache", "content", "output", "site.yaml"]
    build(BuildOptions(site_dir=site_in_tree, use_cache=False))
    assert sorted(p.name for p in site_in_tree.iterdir()) == [".totaliser-cache", "content", "output", "site.yaml"]


def test_a_build_writes_only_its_output_folder(site_in_tree: Path, tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    out = build_site(site_in_tree, tmp_path / "elsewhere" / "out")
    after = snapshot(tmp_path)
    new = {k for k in after if k not in before}
    cache = (site_in_tree / ".totaliser-cache").relative_to(tmp_path).as_posix() + "/"
    assert all(k.startswith(("elsewhere/", cache)) for k in new)
    assert any(k.startswith(cache) for k in new)
    assert {k: v for k, v in after.items() if k in before} == before
    assert not (out.parent / ".out.staging").exists()
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]


def test_a_rebuild_replaces_the_output_whole(site_in_tree: Path, tmp_path: Path) -> None:
    out = build_site(site_in_tree)
    (out / "stale.html").write_text("left from an old build")
    (site_in_tree / "content/appeals/ben.md").write_text(appeal("Ben Example"), encoding="utf-8")
    build_site(site_in_tree)
    assert not (out / "stale.html").exists()
    assert (out / "appeals/ben/index.html").is_file()
    assert sorted(p.name for p in out.parent.iterdir()) == ["out", "site"]


def test_a_failed_build_leaves_the_previous_output_byte_identical(site_in_tree: Path) -> None:
    out = build_site(site_in_tree)
    before = snapshot(out.parent)
    (site_in_tree / "content/appeals/amy.md").write_text(appeal(target='"fifty grand"'), encoding="utf-8")
    (site_in_tree / "content/appeals/ben.md").write_text(appeal("Ben Example"), encoding="utf-8")
    with pytest.raises(ContentErrors):
        build_site(site_in_tree)
    after = snapshot(out.parent)
    del after["site/content/appeals/ben.md"]
    after["site/content/appeals/amy.md"] = before["site/content/appeals/amy.md"]
    assert after == before


def test_a_template_error_leaves_the_previous_output_and_no_staging(site_in_tree: Path) -> None:
    out = build_site(site_in_tree)
    before = snapshot(out)
    (site_in_tree / "templates").mkdir()
    (site_in_tree / "templates/404.html").write_text("{{ no_such_variable.at_all }}")
    with pytest.raises(ContentErrors) as caught:
        build_site(site_in_tree)
    assert [str(p) for p in caught.value.problems.errors] == ["templates/404.html:1: no_such_variable is not defined"]
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["out", "site"]


def test_a_staging_folder_left_by_a_killed_build_is_cleared(site_in_tree: Path) -> None:
    staging = site_in_tree.parent / ".out.staging"
    (staging / "appeals").mkdir(parents=True)
    (staging / "appeals/half-written.html").write_text("<html")
    out = build_site(site_in_tree)
    assert not staging.exists()
    assert not (out / "appeals/half-written.html").exists()


def test_two_builds_are_byte_identical(make_site, tmp_path: Path) -> None:
    site = make_site({
        "content/appeals/amy.md": appeal(extra="deadline: 2027-01-01\nupdates:\n  - date: 2026-04-01\n    raised: 100"),
        "content/appeals/ben.md": appeal("Ben Example", raised="\n  Tins: 5\n  Online: 10.5"),
        "content/pages/about.md": "---\ntitle: About\n---\nWho we are.\n",
    })
    first = snapshot(build_site(site, tmp_path / "one"))
    second = snapshot(build_site(site, tmp_path / "two"))
    assert first == second
    assert len(first) > 10


# --- Drafts, order, pages and totals -------------------------------------


def test_drafts_only_with_drafts(make_site, tmp_path: Path) -> None:
    site = make_site({
        "content/appeals/amy.md": appeal(),
        "content/appeals/secret.md": appeal("Sam Secret", extra="status: draft"),
    })
    out = build_site(site, tmp_path / "plain")
    assert not (out / "appeals/secret").exists()
    assert "secret" not in (out / "index.html").read_text()
    assert "Sam Secret" not in (out / "appeals.json").read_text()
    assert "secret" not in (out / "sitemap.xml").read_text()
    assert "Sam" not in (out / "feed.xml").read_text()
    out = build_site(site, tmp_path / "drafts", include_drafts=True)
    assert (out / "appeals/secret/index.html").is_file()
    assert [a["slug"] for a in json.loads((out / "appeals.json").read_text())["appeals"]] == ["amy", "secret"]


def test_draft_pages_only_with_drafts(make_site, tmp_path: Path) -> None:
    site = make_site({
        "content/appeals/amy.md": appeal(),
        "content/pages/about.md": "---\ntitle: About\n---\nHello.\n",
        "content/pages/coming-soon.md": "---\ntitle: Coming soon\nstatus: draft\n---\nNot yet.\n",
    })
    report = build(BuildOptions(site_dir=site, output_dir=tmp_path / "plain"))
    assert [p.slug for p in report.pages] == ["about"] and report.drafts_skipped == 1
    assert not (tmp_path / "plain/pages/coming-soon").exists()
    assert "coming-soon" not in (tmp_path / "plain/index.html").read_text()
    assert "coming-soon" not in (tmp_path / "plain/sitemap.xml").read_text()
    build(BuildOptions(site_dir=site, output_dir=tmp_path / "drafts", include_drafts=True))
    assert (tmp_path / "drafts/pages/coming-soon/index.html").is_file()


def card_order(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="' + BASE_PATH + r'appeals/([^/]+)/"', html)


def test_index_order(make_site, tmp_path: Path) -> None:
    # Every appeal is dated 2026-05-01, so "still ahead" means after that day.
    site = make_site({
        "content/appeals/later.md": appeal("Later", extra="deadline: 2026-09-01", raised="1000"),
        "content/appeals/sooner.md": appeal("Sooner", extra="deadline: 2026-06-01", raised="30000"),
        "content/appeals/past-deadline.md": appeal("Past", extra="deadline: 2026-01-01", raised="6000"),  # needs 30000
        "content/appeals/needs-most.md": appeal("Most", raised="1000"),  # needs 35000
        "content/appeals/needs-least.md": appeal("Least", raised="35000"),  # needs 1000
        "content/appeals/funded-new.md": appeal("Funded New", raised="36000", date="2026-04-01"),
        "content/appeals/funded-old.md": appeal("Funded Old", raised="40000", date="2026-03-01"),
        "content/appeals/closed.md": appeal("Closed", extra="status: closed", raised="100"),
    })
    out = build_site(site)
    expected = ["sooner", "later", "needs-most", "past-deadline", "needs-least", "funded-new", "funded-old", "closed"]
    assert card_order((out / "index.html").read_text()) == expected
    assert [a["slug"] for a in json.loads((out / "appeals.json").read_text())["appeals"]] == expected


def test_pagination_after_24_appeals(make_site, tmp_path: Path) -> None:
    files = {f"content/appeals/a{n:02d}.md": appeal(f"Child {n}", raised=str(n * 100)) for n in range(1, 50)}
    out = build_site(make_site(files))
    first = (out / "index.html").read_text()
    second = (out / "page/2/index.html").read_text()
    third = (out / "page/3/index.html").read_text()
    assert not (out / "page/4").exists()
    assert not (out / "page/1").exists()
    pages = [card_order(first), card_order(second), card_order(third)]
    assert [len(p) for p in pages] == [24, 24, 1]
    # Most still needed first: the child with the least raised leads.
    assert [slug for page in pages for slug in page] == [f"a{n:02d}" for n in range(1, 50)]
    assert Elements(first).find("a", rel="next")[0]["href"] == BASE_PATH + "page/2/"
    assert Elements(second).find("a", rel="prev")[0]["href"] == BASE_PATH
    assert Elements(second).find("a", rel="next")[0]["href"] == BASE_PATH + "page/3/"
    assert Elements(second).find("link", rel="canonical")[0]["href"] == BASE + "page/2/"
    # The totals cover every appeal, not just those on the page: 100 * (1 + ... + 49).
    assert "£122,500" in first
    assert [dl for dl in Elements(first).find("dl") if "site-totals" in dl.get("class", "")]
    # They open the first page only: the later ones go straight to their
    # cards, and a new total leaves them as they are.
    for html in (second, third):
        assert not [dl for dl in Elements(html).find("dl") if "site-totals" in dl.get("class", "")]
        assert "£122,500" not in html
    sitemap = (out / "sitemap.xml").read_text()
    assert f"<loc>{BASE}page/2/</loc>" in sitemap and f"<loc>{BASE}page/3/</loc>" in sitemap


def test_exactly_24_appeals_fit_on_one_page(make_site, tmp_path: Path) -> None:
    out = build_site(make_site({f"content/appeals/a{n:02d}.md": appeal(f"Child {n}") for n in range(24)}))
    assert len(card_order((out / "index.html").read_text())) == 24
    assert not (out / "page").exists()
    assert not Elements((out / "index.html").read_text()).find("a", rel="next")


def test_site_wide_totals_are_exact_sums_of_published_appeals(make_site, tmp_path: Path) -> None:
    site = make_site({
        "content/appeals/amy.md": appeal(raised="\n  Online: 0.1\n  Tins: 0.2", target="10"),
        "content/appeals/ben.md": appeal("Ben", raised="1000.05", extra="gift_aid: 250.10"),
        "content/appeals/cat.md": appeal("Cat", raised="60000", extra="status: closed"),
        "content/appeals/dan.md": appeal("Dan", raised="999999", extra="status: draft"),
    })
    html = (build_site(site) / "index.html").read_text()
    assert "£61,000.35" in html  # 0.3 + 1000.05 + 60000, without the draft
    assert "£250.10" in html
    assert "£1,060,999" not in html


def test_a_site_with_no_appeals_still_builds(make_site, tmp_path: Path) -> None:
    out = build_site(make_site({}))
    assert json.loads((out / "appeals.json").read_text()) == {"appeals": []}
    assert feedparser.parse((out / "feed.xml").read_bytes()).bozo == 0
    assert (out / "index.html").is_file() and (out / "404.html").is_file()


def test_plain_pages(make_site, tmp_path: Path) -> None:
    site = make_site({
        "content/appeals/amy.md": appeal(),
        "content/pages/how-to-give.md": "---\ntitle: How to give\n---\nSend a *cheque*.\n",
    })
    out = build_site(site)
    html = (out / "pages/how-to-give/index.html").read_text()
    assert "<h1>How to give</h1>" in html or ">How to give</h1>" in html
    assert "<em>cheque</em>" in html
    assert Elements((out / "index.html").read_text()).find("a", href=BASE_PATH + "pages/how-to-give/")


# --- appeals.json, feed, sitemap, robots, CNAME, 404 ----------------------

SPEC_JSON_FIELDS = {
    "slug", "url", "title", "child", "condition", "hospital", "target", "raised", "percent",
    "currency", "status", "date", "deadline", "donate", "milestones", "updates",
}


@pytest.fixture(scope="module")
def rich_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One built site with every kind of field, shared by the tests below."""
    from .conftest import write_site

    root = tmp_path_factory.mktemp("rich")
    site = write_site(root / "site", {
        "site.yaml": MINIMAL_SITE_YAML + "description: Reader appeals.\n",
        "content/appeals/jacob.md": appeal("Jacob Example", raised='"£25,000"', extra="\n".join([
            "deadline: 2027-10-14",
            "gift_aid: 1500.50",
            "tags: [physio, Poole]",
            "milestones:", "  - label: Operation", "    amount: 24000", "  - label: Physiotherapy", "    amount: 36000",
            "donate:", "  - label: Give on JustGiving", "    url: https://www.justgiving.com/jacob",
            "  - label: By cheque", "    url: https://gazette.example/give",
            "updates:", "  - date: 2026-02-01", "    raised: 6500", "    note: Launched & <going>",
            "  - date: 2026-04-01", "    raised: 24999.99",
        ]), body="Jacob needs an *operation*.\n\nHe is four."),
        "content/appeals/over.md": appeal("Olly Over", raised="42120", target="36000"),
        "content/appeals/nearly.md": appeal("Nina Nearly", raised="35999.99", target="36000"),
        "content/appeals/pence.md": appeal("Pip Pence", raised="0.1", target="1500.50",
                                           extra="donate_url: https://give.example/pip?a=1&b=2"),
        "content/appeals/hostile.md": appeal("Harry Hostile", raised="100", body="\n".join([
            "Hello <script>alert('x')</script> world.",
            "",
            '<img src="x.png" onerror="alert(1)" alt="pic"> <a href="javascript:alert(2)">click</a>',
            "",
            "[markdown link](javascript:alert(3)) and [ok](https://ok.example/)",
            "",
            '<p onclick="alert(4)" style="color:red">para</p><iframe src="https://evil.example/"></iframe>',
            "",
            '<svg><script>alert(5)</script></svg><form action="https://evil.example/"><input name=x></form>',
        ])),
        "content/pages/about.md": "---\ntitle: About us\ndate: 2026-01-02\n---\nWe are a newspaper.\n",
    })
    out = root / "output"
    build(BuildOptions(site_dir=site, output_dir=out))
    return out


def test_appeals_json(rich_site: Path) -> None:
    data = json.loads((rich_site / "appeals.json").read_text(encoding="utf-8"))
    records = {a["slug"]: a for a in data["appeals"]}
    assert set(records) == {"jacob", "over", "nearly", "pence", "hostile"}
    for record in records.values():
        assert set(record) >= SPEC_JSON_FIELDS
        for key in ("target", "raised"):
            assert type(record[key]) in (int, float)
        assert type(record["percent"]) is int
        assert record["url"] == f"{BASE}appeals/{record['slug']}/"
    jacob = records["jacob"]
    assert jacob["target"] == 36000 and jacob["raised"] == 25000 and jacob["percent"] == 69
    assert jacob["currency"] == "GBP" and jacob["status"] == "open"
    assert jacob["date"] == "2026-05-01" and jacob["deadline"] == "2027-10-14"
    assert jacob["donate"] == [
        {"label": "Give on JustGiving", "url": "https://www.justgiving.com/jacob"},
        {"label": "By cheque", "url": "https://gazette.example/give"},
    ]
    assert jacob["milestones"] == [{"label": "Operation", "amount": 24000}, {"label": "Physiotherapy", "amount": 36000}]
    assert jacob["updates"] == [
        {"date": "2026-02-01", "raised": 6500, "note": "Launched & <going>"},
        {"date": "2026-04-01", "raised": 24999.99, "note": ""},
    ]
    assert records["over"]["percent"] == 117 and records["over"]["status"] == "funded"
    assert records["nearly"]["percent"] == 99 and records["nearly"]["status"] == "open"
    assert records["pence"]["raised"] == 0.1 and records["pence"]["target"] == 1500.5
    assert records["pence"]["deadline"] is None
    # Numbers are written as numbers, never quoted.
    text = (rich_site / "appeals.json").read_text(encoding="utf-8")
    assert '"raised":24999.99' in text and '"target":36000,' in text


def test_atom_feed_is_valid(rich_site: Path) -> None:
    raw = (rich_site / "feed.xml").read_bytes()
    ET.fromstring(raw)  # well-formed XML
    feed = feedparser.parse(raw)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Test Appeals"
    assert feed.feed.id == "tag:gazette.example,2026:feed"
    assert feed.feed.updated_parsed is not None
    assert feed.feed.author == "Test Gazette"
    assert {link.rel: link.href for link in feed.feed.links} == {"self": BASE + "feed.xml", "alternate": BASE}
    ids = [entry.id for entry in feed.entries]
    assert len(ids) == len(set(ids))
    # Five appeals and two updates.
    assert len(feed.entries) == 7
    for entry in feed.entries:
        assert entry.title and entry.updated_parsed and entry.summary
        assert entry.link.startswith(BASE + "appeals/")
    jacob = next(e for e in feed.entries if e.id == "tag:gazette.example,2026:appeals/jacob")
    assert "<em>operation</em>" in jacob.content[0].value
    assert [t.term for t in jacob.tags] == ["physio", "Poole"]
    update = next(e for e in feed.entries if "6,500" in e.title)
    assert update.summary == "Launched & <going> (£6,500 raised of £36,000)"
    # Newest first.
    updated = [e.updated_parsed for e in feed.entries]
    assert updated == sorted(updated, reverse=True)


def test_sitemap_and_robots(rich_site: Path) -> None:
    root = ET.fromstring((rich_site / "sitemap.xml").read_bytes())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [el.text or "" for el in root.findall("s:url/s:loc", ns)]
    listings = ("hospitals/", "conditions/", "places/", "tags/")
    assert sorted(loc for loc in locs if not loc.startswith(tuple(BASE + kind for kind in listings))) == sorted([
        BASE, BASE + "pages/about/", BASE + "search/",
        *(f"{BASE}appeals/{slug}/" for slug in ("jacob", "over", "nearly", "pence", "hostile")),
    ])
    # The listings by hospital, condition, place and tag: each kind's index and each term's page.
    assert {BASE + kind for kind in listings} | {BASE + "hospitals/bristol-royal-hospital-for-children/"} <= set(locs)
    lastmods = {el.findtext("s:loc", namespaces=ns): el.findtext("s:lastmod", namespaces=ns) for el in root.findall("s:url", ns)}
    assert lastmods[BASE + "appeals/jacob/"] == "2026-05-01"
    assert lastmods[BASE + "pages/about/"] == "2026-01-02"
    robots = (rich_site / "robots.txt").read_text()
    assert f"Sitemap: {BASE}sitemap.xml" in robots.splitlines()
    assert "User-agent: *" in robots.splitlines()


def test_nojekyll_and_cname(rich_site: Path, make_site, tmp_path: Path) -> None:
    assert (rich_site / ".nojekyll").read_bytes() == b""
    assert not (rich_site / "CNAME").exists()
    own_domain = MINIMAL_SITE_YAML.replace("https://example.github.io/appeals-site/", "https://appeals.gazette.example/")
    out = build_site(make_site({"content/appeals/amy.md": appeal()}, site_yaml=own_domain + "cname: appeals.gazette.example\n"))
    assert (out / ".nojekyll").exists()
    assert (out / "CNAME").read_text() == "appeals.gazette.example\n"


def page_links(html: str) -> list[str]:
    found = []
    for _tag, attrs in Elements(html).tags:
        for name in ("href", "src", "action", "poster"):
            if name in attrs:
                found.append(attrs[name])
        if "srcset" in attrs:
            found += [part.strip().split()[0] for part in attrs["srcset"].split(",") if part.strip()]
    return found


def test_404_links_work_at_any_depth(rich_site: Path) -> None:
    links = page_links((rich_site / "404.html").read_text())
    assert links
    for link in links:
        assert link.startswith((BASE_PATH, "https://", "http://", "#", "mailto:")), link
    assert BASE_PATH in links  # back to the home page


def test_every_internal_link_starts_with_the_base_path(rich_site: Path) -> None:
    for page in rich_site.rglob("*.html"):
        for link in page_links(page.read_text()):
            if link.startswith("/"):
                assert link.startswith(BASE_PATH) and not link.startswith("//"), (page, link)


# --- The appeal page -----------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "valuemax", "valuenow", "valuetext"),
    [
        ("jacob", "36000", "25000", "£25,000 raised of £36,000 (69%)"),
        ("over", "36000", "36000", "£42,120 raised of £36,000 (117%)"),
        ("nearly", "36000", "35999.99", "£35,999.99 raised of £36,000 (99%)"),
        ("pence", "1500.5", "0.1", "£0.10 raised of £1,500.50 (0%)"),
    ],
)
def test_progressbar(rich_site: Path, slug: str, valuemax: str, valuenow: str, valuetext: str) -> None:
    html = (rich_site / f"appeals/{slug}/index.html").read_text()
    bars = Elements(html).find(role="progressbar")
    assert bars
    for bar in bars:
        assert bar["aria-valuemin"] == "0"
        assert bar["aria-valuemax"] == valuemax
        assert bar["aria-valuenow"] == valuenow
        assert bar["aria-valuetext"] == valuetext
    percent = valuetext.rsplit("(", 1)[1].rstrip(")")
    assert f">{percent}<" in html
    index_bars = [b for b in Elements((rich_site / "index.html").read_text()).find(role="progressbar") if b["aria-valuetext"] == valuetext]
    assert len(index_bars) == 1 and index_bars[0]["aria-valuenow"] == valuenow


def test_progressbar_numbers_are_plain_for_summed_sources(make_site, tmp_path: Path) -> None:
    site = make_site({"content/appeals/amy.md": appeal(target="2", raised="\n  Tins: 0.5\n  Online: 0.5")})
    html = (build_site(site) / "appeals/amy/index.html").read_text()
    bar = Elements(html).find(role="progressbar")[0]
    assert (bar["aria-valuenow"], bar["aria-valuemax"], bar["aria-valuetext"]) == ("1", "2", "£1 raised of £2 (50%)")


def test_an_appeal_page_has_what_readers_need(rich_site: Path) -> None:
    html = (rich_site / "appeals/jacob/index.html").read_text()
    tags = Elements(html)
    assert [a["href"] for a in tags.find("a") if "button" in a.get("class", "")][:2] == [
        "https://www.justgiving.com/jacob", "https://gazette.example/give",
    ]
    assert tags.find("link", rel="canonical")[0]["href"] == BASE + "appeals/jacob/"
    assert tags.find("meta", property="og:url")[0]["content"] == BASE + "appeals/jacob/"
    assert tags.find("meta", name="twitter:card")
    shares = [a["href"] for a in tags.find("a") if a.get("class", "").startswith("share-")]
    assert [s.split(":", 1)[0] for s in shares] == ["mailto", "https", "https", "https"]
    assert any("wa.me" in s for s in shares) and any("facebook.com" in s for s in shares) and any("x.com" in s for s in shares)
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert ld and json.loads(ld.group(1))["url"] == BASE + "appeals/jacob/"
    assert "£1,500.50" in html  # Gift Aid
    assert 'datetime="2027-10-14"' in html  # the deadline, counted down by the site's script
    assert "Operation" in html and "Physiotherapy" in html
    # Nothing loads from another host.
    for tag, attrs in tags.tags:
        if tag in ("script", "img", "iframe", "source") or (tag == "link" and attrs.get("rel") in ("stylesheet", "icon", "preload")):
            url = attrs.get("src") or attrs.get("href") or ""
            assert url.startswith(BASE_PATH) or not url, (tag, attrs)


def test_donation_links_with_query_strings_are_escaped(rich_site: Path) -> None:
    html = (rich_site / "appeals/pence/index.html").read_text()
    assert 'href="https://give.example/pip?a=1&amp;b=2"' in html


def test_raw_html_is_sanitised(rich_site: Path) -> None:
    html = (rich_site / "appeals/hostile/index.html").read_text()
    story = html.split('<div class="story">', 1)[1].split("</div>", 1)[0]
    assert "world." in story and "para" in story and 'href="https://ok.example/"' in story
    lowered = story.lower()
    for bad in ("<script", "alert(", "onerror", "onclick", "javascript:", "<iframe", "<form", "<input", "style=", "<svg"):
        assert bad not in lowered, bad
    for output in ("feed.xml", "appeals.json"):
        text = (rich_site / output).read_text().lower()
        for bad in ("alert(", "onerror", "javascript:", "&lt;script", "<script"):
            assert bad not in text, (output, bad)
    # The only scripts on the page are the site's own and its JSON-LD.
    scripts = [a for t, a in Elements(html).tags if t == "script"]
    assert all(a.get("src", "").startswith(BASE_PATH) or a.get("type") == "application/ld+json" for a in scripts)


# --- Privacy ---------------------------------------------------------------


def test_first_name_privacy_keeps_the_surname_out_of_every_output(make_site, tmp_path: Path) -> None:
    site = make_site({
        "content/appeals/amy.md": appeal("Amy Quixby", raised="\n  Quixby family: 100\n  Tins: 5", extra="\n".join([
            "title: Help Amy Quixby walk", "summary: Amy Quixby needs surgery.", "organiser: Jo Quixby, Amy's mum",
            "tags: [Quixby appeal]", "location: Quixby Lane, Poole",
            "milestones:", "  - label: The Quixby operation", "    amount: 100",
            "donate:", "  - label: Give to the Quixby fund", "    url: https://give.example/amy",
            "updates:", "  - date: 2026-04-01", "    raised: 50", "    note: The Quixby family's thanks. QUIXBY!",
        ]), body="Amy Quixby, 4, and the Quixby family.\n\n<b>Quixby</b>"),
    }, site_yaml=MINIMAL_SITE_YAML + "privacy: first_name\n")
    out = build_site(site)
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".txt", ".svg", ""):
            assert "quixby" not in path.read_text(encoding="utf-8").lower(), path
    data = json.loads((out / "appeals.json").read_text())
    assert data["appeals"][0]["child"] == "Amy"


def test_control_characters_in_a_story_are_removed_and_the_feed_stays_valid(make_site, tmp_path: Path) -> None:
    site = make_site({"content/appeals/amy.md": appeal(body="Amy\x0b likes \x1b[31mred\x7f.\n\nMore\x0c.")})
    report = build(BuildOptions(site_dir=site, output_dir=tmp_path / "out"))
    assert [str(w) for w in report.warnings if w.field == "story"] == [
        "content/appeals/amy.md:9: warning: story: an invisible control character (U+000B) was removed "
        "(it often comes with text copied from another program)"
    ]
    raw = (tmp_path / "out/feed.xml").read_bytes()
    ET.fromstring(raw)
    assert feedparser.parse(raw).bozo == 0
    assert "Amy likes [31mred." in (tmp_path / "out/appeals/amy/index.html").read_text()
