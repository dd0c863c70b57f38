"""The default theme in a real browser: phones, paper, overrides and the countdown."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import MINIMAL_APPEAL, ROOT, run_cli

PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The example site, drafts included, built for and served at a local address."""
    out = tmp_path_factory.mktemp("theme") / "output"
    out.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    root = f"http://127.0.0.1:{server.server_address[1]}/"
    result = run_cli("build", "--site", str(ROOT), "--output", str(out), "--base-url", root, "--drafts")
    assert result.returncode == 0, result.stderr
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, out
    finally:
        server.shutdown()
        server.server_close()


def html_pages(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))


def appeal_pages(out: Path) -> list[str]:
    return sorted(f"appeals/{p.name}/" for p in (out / "appeals").iterdir() if (p / "index.html").exists())


def url_for(root: str, page: str) -> str:
    return root + page.removesuffix("index.html")


@pytest.mark.browser
def test_no_page_scrolls_sideways_on_a_phone(browser, served_site) -> None:
    root, out = served_site
    pages = html_pages(out)
    assert "404.html" in pages and "pages/about/index.html" in pages and len(pages) >= 8
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        too_wide = []
        for relative in pages:
            page.goto(url_for(root, relative))
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append(f"{relative}: {width}px wide")
    finally:
        context.close()
    assert not too_wide, "\n".join(too_wide)


@pytest.mark.browser
def test_the_total_and_the_donate_button_are_in_a_phones_first_screen(browser, served_site) -> None:
    root, out = served_site
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        for relative in appeal_pages(out):
            page.goto(root + relative)
            gauge = page.locator(".appeal-panel [role=progressbar]").bounding_box()
            amount = page.locator(".totaliser .amount").bounding_box()
            assert gauge and amount, relative
            assert gauge["y"] >= 0 and gauge["y"] + gauge["height"] <= PHONE["height"], (relative, gauge)
            assert amount["y"] + amount["height"] <= PHONE["height"], (relative, amount)
            donate = page.locator(".donate .button-primary")
            if donate.count():
                box = donate.bounding_box()
                assert box and box["y"] + box["height"] <= PHONE["height"], (relative, box)
                assert box["height"] >= 44 and box["width"] >= 44, (relative, box)
    finally:
        context.close()


SMALL_PHONE = {"width": 360, "height": 640}


@pytest.mark.browser
def test_a_small_phones_first_screen_holds_title_photo_total_and_donate_button(browser, served_site) -> None:
    root, out = served_site
    import json

    appeals = json.loads((out / "appeals.json").read_text(encoding="utf-8"))["appeals"]
    open_ones = [a["slug"] for a in appeals if a["status"] == "open" and a["donate"]]
    assert len(open_ones) >= 3
    context = browser.new_context(viewport=SMALL_PHONE)
    try:
        page = context.new_page()
        for slug in open_ones:
            page.goto(f"{root}appeals/{slug}/")
            for selector in ("h1", ".totaliser .amount", ".donate .button-primary"):
                box = page.locator(selector).first.bounding_box()
                assert box and box["y"] >= 0 and box["y"] + box["height"] <= SMALL_PHONE["height"], (slug, selector, box)
            photo = page.locator(".appeal-photo img")
            if photo.count():
                box = photo.bounding_box()
                assert box and box["y"] + box["height"] <= SMALL_PHONE["height"], (slug, "photo", box)
    finally:
        context.close()


@pytest.mark.browser
def test_a_phones_donate_bar_comes_up_once_the_panels_button_is_off_screen(browser, served_site) -> None:
    root, _ = served_site
    # Without motion the bar is in place as soon as it shows.
    context = browser.new_context(viewport=SMALL_PHONE, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(root + "appeals/jacob-buckett/")
        from playwright.sync_api import expect

        bar = page.locator("[data-donate-bar]")
        expect(bar).to_be_hidden()  # the panel's own button is on screen
        page.locator(".story p").last.scroll_into_view_if_needed()
        expect(bar).not_to_have_class(re.compile("is-hidden"))
        expect(bar).to_be_visible()
        box = bar.bounding_box()
        assert box and abs(box["y"] + box["height"] - SMALL_PHONE["height"]) <= 1
        # At the very end of the page it sits after the content, covering none of it.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        bar_top = bar.bounding_box()["y"]
        last = page.locator(".appeal").bounding_box()
        assert last["y"] + last["height"] <= bar_top + 1
        # Funded and closed appeals have no bar.
        for slug in ("james-mills", "lukasz-nowak"):
            page.goto(f"{root}appeals/{slug}/")
            assert page.locator("[data-donate-bar]").count() == 0
    finally:
        context.close()


@pytest.mark.browser
def test_the_chart_reads_on_a_phone(browser, served_site) -> None:
    root, _ = served_site
    context = browser.new_context(viewport=SMALL_PHONE)
    try:
        page = context.new_page()
        page.goto(root + "appeals/jacob-buckett/")
        heights = page.eval_on_selector_all(".chart-svg text", "texts => texts.map(t => t.getBoundingClientRect().height)")
    finally:
        context.close()
    assert heights and min(heights) >= 10, heights


@pytest.mark.browser
def test_main_actions_are_big_enough_to_tap(browser, served_site) -> None:
    root, out = served_site
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(root + appeal_pages(out)[0])
        sizes = page.eval_on_selector_all(
            ".site-nav a, .donate a, .share a",
            "links => links.filter(a => a.checkVisibility()).map(a => { const r = a.getBoundingClientRect(); return [a.textContent.trim(), r.width, r.height]; })",
        )
    finally:
        context.close()
    assert len(sizes) >= 7  # two nav links, two ways to give, four share links
    small = [s for s in sizes if s[1] < 44 or s[2] < 44]
    assert not small, small


@pytest.mark.browser
def test_the_wide_layout_puts_the_total_beside_the_story(browser, served_site) -> None:
    root, out = served_site
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(root + "appeals/sian-pritchard/")
        panel = page.locator(".appeal-panel").bounding_box()
        story = page.locator(".story").bounding_box()
    finally:
        context.close()
    assert panel and story
    assert panel["x"] > story["x"] + story["width"], (panel, story)
    assert panel["y"] < DESKTOP["height"]


@pytest.mark.browser
def test_paper_shows_the_total_without_the_navigation_or_share_links(browser, served_site) -> None:
    root, _ = served_site
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(root + "appeals/sian-pritchard/")
        assert page.locator(".site-nav").is_visible() and page.locator(".share").is_visible()
        page.emulate_media(media="print")
        assert not page.locator(".site-nav").is_visible()
        assert not page.locator(".share").is_visible()
        assert not page.locator(".skip-link").is_visible()
        assert page.locator(".totaliser .amount").is_visible()
        assert page.locator(".site-footer .charity").is_visible()
        pdf = page.pdf(format="A4")
    finally:
        context.close()
    assert pdf.startswith(b"%PDF")


@pytest.mark.browser
@pytest.mark.parametrize(
    ("today", "expected"),
    [("2027-03-01T10:00:00", " (30 days to go)"), ("2027-03-30T12:00:00", " (1 day to go)"), ("2027-04-02T10:00:00", " (deadline passed)")],
)
def test_the_countdown_counts_days_to_a_future_deadline_and_says_when_it_has_passed(browser, served_site, today: str, expected: str | None) -> None:
    root, _ = served_site
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.clock.set_fixed_time(today)
        page.goto(root + "appeals/sian-pritchard/")
        deadline = page.locator(".appeal-panel .deadline")
        assert deadline.locator("time").get_attribute("datetime") == "2027-03-31"
        assert deadline.locator("time").inner_text() == "31 March 2027"
        countdown = deadline.locator(".countdown")
        assert countdown.text_content() == expected
        # Past, the line says so by its frame and words as well as its colour.
        assert ("is-past" in (deadline.get_attribute("class") or "")) == expected.endswith("passed)")
    finally:
        context.close()


def _build(site: Path) -> Path:
    out = site / "output"
    result = run_cli("build", "--site", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_a_sites_own_template_wins_over_the_default(make_site) -> None:
    site = make_site({
        "content/appeals/amy-example.md": MINIMAL_APPEAL,
        "templates/404.html": '{% extends "base.html" %}{% block content %}<h1>Lost at the Gazette</h1>{% endblock %}',
    })
    out = _build(site)
    not_found = (out / "404.html").read_text(encoding="utf-8")
    assert "<h1>Lost at the Gazette</h1>" in not_found
    assert "We couldn’t find that page" not in not_found
    # Templates the site does not override still come from the default theme.
    assert 'class="skip-link"' in not_found
    assert "We couldn’t find" not in (out / "index.html").read_text(encoding="utf-8")


def test_an_override_can_extend_the_default_template_it_replaces(make_site) -> None:
    site = make_site({
        "content/appeals/amy-example.md": MINIMAL_APPEAL,
        "templates/appeal.html": (
            '{% extends "default/appeal.html" %}'
            '{% block title %}Help {{ appeal.child }} · Gazette{% endblock %}'
        ),
    })
    out = _build(site)
    page = (out / "appeals" / "amy-example" / "index.html").read_text(encoding="utf-8")
    assert "<title>Help Amy Example · Gazette</title>" in page
    # Everything else is the default appeal page.
    assert 'role="progressbar"' in page and 'class="appeal-panel"' in page
    assert 'aria-valuetext="£25,000 raised of £36,000 (69%)"' in page


def test_the_theme_loads_nothing_from_another_host() -> None:
    css = (ROOT / "static" / "css" / "site.css").read_text(encoding="utf-8")
    assert "@import" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["'](https?:)?//""", text), template
        assert "style=" not in text, template
        assert not re.search(r"<script(?![^>]*(\bsrc=|application/ld\+json))", text), template


@pytest.mark.parametrize("orientation", [1, 6])
def test_a_cards_photo_is_the_one_the_appeal_page_published(tmp_path: Path, orientation: int) -> None:
    from PIL import Image

    from totaliser.outputs.photos import plan_photo, publish_photo

    source = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.new("RGB", (1200, 700), (200, 30, 40)).save(source, "JPEG", exif=exif)
    published, files = publish_photo(source, "appeals/amy/")
    planned = plan_photo(source, "appeals/amy/")
    assert planned == published
    assert {p for _, p in planned.jpeg + planned.webp} == set(files)
    assert (planned.width > planned.height) == (orientation == 1)


def test_the_home_page_cards_show_photos_that_exist(served_site) -> None:
    _, out = served_site
    home = (out / "index.html").read_text(encoding="utf-8")
    cards = re.findall(r'<article class="appeal-card.*?</article>', home, re.S)
    with_photo = [c for c in cards if "<img" in c]
    assert len(cards) >= 7 and 1 <= len(with_photo) < len(cards)
    for card in with_photo:
        urls = re.findall(r'(?:src|srcset)="([^"]+)"', card)
        paths = {u.split()[0] for url in urls for u in url.split(", ")}
        assert paths
        for path in paths:
            assert (out / urlsplit(path).path.lstrip("/")).is_file(), path
