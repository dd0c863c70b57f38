"""Reach outputs: thermometer.svg, embed, poster with QR code, social card, progress chart, photos."""

from __future__ import annotations

import datetime
import functools
import http.server
import io
import re
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import MINIMAL_SITE_YAML, browser_required, write_site
from totaliser.outputs import card
from totaliser.site import BuildOptions, build

SVG = "{http://www.w3.org/2000/svg}"
BASE = "https://example.github.io/appeals-site/"
DONATE = "https://www.justgiving.com/crowdfunding/amy-example-appeal"
LONG_TITLE = "Help Amy Example walk again: " + "a very long headline that goes on and on " * 6
LONG_SUMMARY = "Amy Example needs an operation. " + "This summary is far longer than any poster could hold. " * 20

APPEAL = f"""\
---
child: Amy Example
title: "{LONG_TITLE}"
summary: "{LONG_SUMMARY}"
condition: cerebral palsy
target: 36000
raised: 25000
hospital: Bristol Royal Hospital for Children
date: 2026-05-01
image: amy.jpg
image_alt: Amy Example at home
donate:
  - label: Give on JustGiving
    url: {DONATE}
milestones:
  - label: Operation
    amount: 24000
  - label: Two years of physiotherapy
    amount: 36000
updates:
  - date: 2026-02-01
    raised: 5000
    note: Launched by the Example family.
  - date: 2026-03-15
    raised: "12,500"
    note: A quiz night.
  - date: 2026-05-01
    raised: 25000
    note: The operation is paid for.
---
Amy Example needs an operation. The Example family thank everyone.
"""

NO_DONATE = """\
---
child: Ben Sample
condition: a heart condition
target: 1000
raised: 1500
hospital: Southampton General Hospital
date: 2026-05-01
---
Ben Sample is funded.
"""


def gps_jpeg() -> bytes:
    """A JPEG carrying EXIF GPS, as a phone camera writes it."""
    image = Image.new("RGB", (1600, 1200), (200, 120, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (50.0, 43.0, 12.0)
    gps[3] = "W"
    gps[4] = (1.0, 59.0, 3.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825), "the test photo must carry GPS"
    return data


def _build(root: Path, site_yaml: str) -> Path:
    site = write_site(root / "site", {
        "site.yaml": site_yaml,
        "content/appeals/amy-example.md": APPEAL,
        "content/appeals/ben-sample.md": NO_DONATE,
        "content/appeals/amy.jpg": gps_jpeg(),
    })
    output = root / "output"
    build(BuildOptions(site_dir=site, output_dir=output))
    return output


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("reach"), MINIMAL_SITE_YAML)


@pytest.fixture(scope="module")
def built_private(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("reach-private"), MINIMAL_SITE_YAML + "privacy: first_name\n")


def read(output: Path, relative: str) -> str:
    return (output / relative).read_text(encoding="utf-8")


# thermometer.svg


def test_thermometer_svg_is_standalone_xml_with_title_and_amounts(built: Path) -> None:
    root = ET.fromstring(read(built, "appeals/amy-example/thermometer.svg"))
    assert root.tag == SVG + "svg"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    title = root.find(SVG + "title")
    assert title is not None and title.text == "Amy Example’s appeal: £25,000 raised of £36,000 (69%)"
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    assert "69%" in texts
    assert "£25,000" in texts
    assert "raised of £36,000" in texts


def test_thermometer_svg_of_an_overfunded_appeal_shows_the_real_percent(built: Path) -> None:
    root = ET.fromstring(read(built, "appeals/ben-sample/thermometer.svg"))
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    assert "150%" in texts and "£1,500" in texts and "raised of £1,000" in texts


# Embed


def test_embed_is_small_accessible_and_opens_links_in_the_top_window(built: Path) -> None:
    raw = (built / "appeals/amy-example/embed/index.html").read_bytes()
    assert len(raw) < 8000
    html = raw.decode("utf-8")
    bar = re.search(r'<div[^>]*role="progressbar"[^>]*>', html, re.S)
    assert bar is not None
    tag = bar.group(0)
    assert 'aria-valuemin="0"' in tag and 'aria-valuemax="36000"' in tag and 'aria-valuenow="25000"' in tag
    assert 'aria-valuetext="£25,000 raised of £36,000 (69%)"' in tag
    assert f'<a class="embed-button" href="{DONATE}" target="_top" rel="noopener">' in html
    assert "<script" not in html and "style=" not in html
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        if url.startswith("/"):
            assert url.startswith("/appeals-site/")
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == ["/appeals-site/static/css/embed.css"]
    assert (built / "static/css/embed.css").is_file()


def test_overfunded_embed_caps_valuenow_at_the_target(built: Path) -> None:
    html = read(built, "appeals/ben-sample/embed/index.html")
    assert 'aria-valuemax="1000" aria-valuenow="1000"' in html
    assert "Funded" in html


def test_appeal_page_offers_the_iframe_snippet_and_the_card_as_og_image(built: Path) -> None:
    html = read(built, "appeals/amy-example/index.html")
    snippet = re.search(r"<textarea[^>]*readonly[^>]*>(.*?)</textarea>", html, re.S)
    assert snippet is not None
    code = snippet.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"').replace("&amp;", "&")
    assert code.startswith(f'<iframe src="{BASE}appeals/amy-example/embed/" title="')
    assert code.endswith("></iframe>")
    card_url = f"{BASE}appeals/amy-example/card.png"
    assert f'<meta property="og:image" content="{card_url}">' in html
    assert f'<meta name="twitter:image" content="{card_url}">' in html
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta property="og:image:height" content="630">' in html
    # No element of the page has a style attribute (the policy allows none);
    # the pasted snippet's own one is text in the textarea.
    assert not re.search(r"<[a-z][^>]*\sstyle=", html)
    assert 'style="border:0' in code


# Social card


def test_card_png_is_1200_by_630_and_a_palette_image(built: Path) -> None:
    with Image.open(built / "appeals/amy-example/card.png") as image:
        assert image.size == (1200, 630)
        assert image.mode == "P"


def spec(**changes: object) -> card.CardSpec:
    values: dict[str, object] = {
        "site_title": "The Wessex Courier Appeals", "child": "Amy Example", "condition": "cerebral palsy",
        "raised_text": "£25,000", "target_text": "£36,000", "percent": 69, "fraction": Decimal("0.694"), "funded": False,
    }
    values.update(changes)
    return card.CardSpec(**values)  # type: ignore[arg-type]


def test_card_bytes_are_deterministic() -> None:
    assert card.card_png(spec()) == card.card_png(spec())
    assert card.card_png(spec()) != card.card_png(spec(raised_text="£25,001"))


def test_rebuild_gives_identical_cards(built: Path, tmp_path: Path) -> None:
    copy = tmp_path / "previous"
    shutil.copytree(built, copy)
    site = built.parent / "site"
    build(BuildOptions(site_dir=site, output_dir=copy))
    for slug in ("amy-example", "ben-sample"):
        assert (copy / f"appeals/{slug}/card.png").read_bytes() == (built / f"appeals/{slug}/card.png").read_bytes()


# Progress chart


def test_chart_points_match_the_updates(built: Path) -> None:
    html = read(built, "appeals/amy-example/index.html")
    svg_text = re.search(r'<svg class="chart-svg".*?</svg>', html, re.S)
    assert svg_text is not None
    root = ET.fromstring(svg_text.group(0))
    left, top, width, height = (float(v) for v in root.get("data-plot", "").split())
    first = datetime.date.fromisoformat(root.get("data-first-date", ""))
    last = datetime.date.fromisoformat(root.get("data-last-date", ""))
    top_amount = Decimal(root.get("data-top-amount", ""))
    points = [c for c in root.iter(SVG + "circle") if c.get("class") == "chart-point"]
    expected = [("2026-02-01", "5000"), ("2026-03-15", "12500"), ("2026-05-01", "25000")]
    assert [(p.get("data-date"), p.get("data-raised")) for p in points] == expected
    for point, (day, raised) in zip(points, expected, strict=True):
        x = left + width * (datetime.date.fromisoformat(day) - first).days / (last - first).days
        y = top + height - height * float(Decimal(raised) / top_amount)
        assert float(point.get("cx", "")) == pytest.approx(x, abs=0.1)
        assert float(point.get("cy", "")) == pytest.approx(y, abs=0.1)
    # Target and milestones are horizontal lines at their amounts.
    lines = {c.get("class"): c for c in root.iter(SVG + "line") if c.get("class")}
    target = lines["chart-target"]
    assert target.get("y1") == target.get("y2")
    assert float(target.get("y1", "")) == pytest.approx(top + height - height * float(Decimal(36000) / top_amount), abs=0.1)
    assert lines["chart-milestone"].get("data-amount") == "24000"
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    assert "£20k" in texts and "1 Feb 2026" in texts and "1 May 2026" in texts


def test_the_charts_axis_reaches_the_highest_total_above_the_target() -> None:
    from totaliser.outputs.chart import axis_amounts

    assert axis_amounts(Decimal(8000)) == [Decimal(n) for n in (0, 2000, 4000, 6000, 8000)]
    assert axis_amounts(Decimal(20000))[-1] == 20000
    assert axis_amounts(Decimal(36000)) == [Decimal(n) for n in (0, 10000, 20000, 30000)]
    assert all(len(axis_amounts(Decimal(top))) <= 5 for top in (1, 7, 99, 1234, 55555, 987654))


def test_chart_has_the_same_figures_as_a_table(built: Path) -> None:
    html = read(built, "appeals/amy-example/index.html")
    table = re.search(r'<table class="chart-table">.*?</table>', html, re.S)
    assert table is not None
    assert "<caption>" in table.group(0)
    cells = re.findall(r"<td>(£[0-9,]+)</td>", table.group(0))
    assert cells == ["£5,000", "£12,500", "£25,000"]


def test_no_chart_without_updates(built: Path) -> None:
    assert "chart-svg" not in read(built, "appeals/ben-sample/index.html")


# Privacy


def test_first_name_privacy_keeps_the_surname_out_of_every_reach_output(built_private: Path) -> None:
    slug = "amy-example"
    for relative in ("thermometer.svg", "embed/index.html", "poster/index.html", "index.html"):
        text = read(built_private, f"appeals/{slug}/{relative}")
        assert "Amy" in text, relative
        # The surname may appear only inside the URL (the file name is the writer's choice).
        without_urls = re.sub(r"appeals/amy-example/", "", text).replace("amy-example", "")
        assert "Example" not in without_urls, relative
    site = built_private.parent / "site"
    from totaliser.site import load_site

    loaded = load_site(site)
    amy = next(a for a in loaded.content.appeals if a.slug == slug)
    card_text = " ".join(b.text for b in card.layout(card.card_spec(amy, loaded.config)))
    assert "Amy" in card_text and "Example" not in card_text


# Photos


def test_published_photos_carry_no_exif_location(built: Path) -> None:
    photos = sorted((built / "appeals/amy-example").glob("photo-*"))
    assert {p.suffix for p in photos} == {".jpg", ".webp"}
    for photo in photos:
        with Image.open(photo) as image:
            exif = image.getexif()
            assert not exif.get_ifd(0x8825), photo.name
            assert 0x8825 not in exif and 0x010F not in exif, photo.name
        assert b"PhoneMaker" not in photo.read_bytes()
    html = read(built, "appeals/amy-example/index.html")
    assert 'type="image/webp" srcset="' in html and " 960w" in html


# Poster, printed by Chromium


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[str]:
    """The built site over real HTTP under /appeals-site/, as on GitHub Pages."""
    root = built.parent / "served"
    root.mkdir(exist_ok=True)
    if not (root / "appeals-site").exists():
        (root / "appeals-site").symlink_to(built)
    # A newspaper's article page holding the embed, as the snippet on the appeal page gives it.
    html = read(built, "appeals/amy-example/index.html")
    snippet = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S)
    assert snippet is not None
    code = snippet.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"').replace("&amp;", "&")
    code = code.replace(BASE, "/appeals-site/")
    (root / "article.html").write_text(f"<!doctype html><title>Article</title><p>News.</p>{code}<p>More news.</p>", encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/appeals-site/"
    finally:
        server.shutdown()
        server.server_close()


def print_poster(browser: object, url: str, pdf: Path) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(url)
        page.wait_for_load_state("load")
        page.emulate_media(media="print")
        # Nothing spills out of its column or off the sheet (overflow is hidden, so it would be cut).
        spills = page.evaluate("""() => {
            const inside = (child, parent) => {
                const c = child.getBoundingClientRect(), p = parent.getBoundingClientRect();
                return c.bottom <= p.bottom + 0.5 && c.right <= p.right + 0.5;
            };
            const poster = document.querySelector('.poster');
            const parts = [...document.querySelectorAll('.poster-total > *, .poster-give, .poster-title, .poster-main')];
            const total = document.querySelector('.poster-total');
            return parts.filter(el => !inside(el, el.parentElement === total ? total : poster)).map(el => el.className);
        }""")
        assert spills == []
        # The QR code prints at least 60 mm wide, its quiet zone aside: it
        # scans from a shop window or across a corridor, not only from 40 cm.
        qr = page.evaluate("""() => { const svg = document.querySelector('.poster-qr svg');
            return [svg.getBoundingClientRect().width, svg.viewBox.baseVal.width]; }""")
        from totaliser.outputs.qr import BORDER

        css_px_per_mm = 96 / 25.4
        assert qr[0] / css_px_per_mm * (qr[1] - 2 * BORDER) / qr[1] >= 60
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    finally:
        page.close()


def decode_qr(pdf: Path) -> str:
    png = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(png)], check=True)
    result = subprocess.run(["zbarimg", "--quiet", "--raw", str(png) + ".png"], capture_output=True, text=True, check=True)
    return result.stdout.strip()


@pytest.mark.browser
@pytest.mark.parametrize(("slug", "expected"), [
    ("amy-example", DONATE),  # a very long title and summary
    ("ben-sample", BASE + "appeals/ben-sample/"),  # no donate link: the appeal page
])
def test_poster_prints_to_one_a4_page_with_a_qr_code_that_scans(browser: object, served: str, tmp_path: Path, slug: str, expected: str) -> None:
    if not shutil.which("pdfinfo") or not shutil.which("zbarimg"):
        reason = "poppler-utils and zbar-tools are needed (apt-get install poppler-utils zbar-tools)"
        if browser_required():
            pytest.fail(reason)
        pytest.skip(reason)
    pdf = tmp_path / "poster.pdf"
    print_poster(browser, f"{served}appeals/{slug}/poster/", pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert size is not None
    assert round(float(size.group(1))) == 595 and round(float(size.group(2))) == 842
    assert decode_qr(pdf) == expected


def test_poster_keeps_the_whole_headline_and_states_the_link_in_words(built: Path) -> None:
    html = read(built, "appeals/amy-example/poster/index.html")
    headline = re.search(r'<h1 class="poster-title size-(\d+)">(.*?)</h1>', html, re.S)
    # Never cut: a long headline is set smaller and wraps.
    assert headline is not None and headline.group(2) == LONG_TITLE.strip() and int(headline.group(1)) <= 24
    assert "www.justgiving.com/crowdfunding/amy-example-appeal" in html
    assert 'viewBox="0 0 ' in html and 'class="qr-code"' in html
    assert "<script" not in html and not re.search(r"<[a-z][^>]*\sstyle=", html)


def test_the_qr_code_is_sized_in_millimetres_for_its_modules() -> None:
    from totaliser.outputs.poster import sized_qr
    from totaliser.outputs.qr import qr_svg

    svg = sized_qr(qr_svg("https://www.justgiving.com/the-dcf-appeal-jacob", "QR"), 62)
    total = int(re.search(r'viewBox="0 0 (\d+)', svg).group(1))
    width = float(re.search(r'width="([\d.]+)mm"', svg).group(1))
    assert abs(width * (total - 8) / total - 62) < 0.1


EMBED_PARTS = "() => [...document.querySelectorAll('.embed-card > *')].filter(e => e.checkVisibility()).map(e => e.getBoundingClientRect().bottom)"


@pytest.mark.browser
@pytest.mark.parametrize("width", [300, 360, 480, 640])
def test_embed_fits_its_iframe_in_an_article(browser: object, served: str, width: int) -> None:
    from totaliser.outputs.embed import IFRAME_HEIGHT

    page = browser.new_page(viewport={"width": width, "height": 700})  # type: ignore[attr-defined]
    try:
        page.goto(served.replace("/appeals-site/", "/article.html"))
        # The snippet's iframe loads lazily, after the article's own load
        # event: its stylesheet must be in before anything is measured.
        page.locator("iframe").element_handle().content_frame().wait_for_load_state("load")
        frame = page.frame_locator("iframe")
        button = frame.locator(".embed-button")
        assert button.get_attribute("target") == "_top"
        # Everything in the embed is visible inside the iframe's height, without scrolling.
        iframe_height = page.evaluate("document.querySelector('iframe').clientHeight")
        assert iframe_height == IFRAME_HEIGHT
        # The snippet draws no frame of the browser's own around the embed's.
        assert page.evaluate("getComputedStyle(document.querySelector('iframe')).borderTopStyle") == "none"
        bottoms = frame.locator("body").evaluate(EMBED_PARTS)
        assert bottoms and max(bottoms) <= iframe_height
        # ... and leaves no big blank: the last line ends near the frame's foot.
        assert max(bottoms) >= iframe_height - 40
        assert frame.locator("[role=progressbar]").get_attribute("aria-valuenow") == "25000"
    finally:
        page.close()


@pytest.mark.browser
def test_every_example_embed_shows_everything_at_320_by_200(browser: object, example_site: Path) -> None:
    from tests.site_server import serve

    slugs = sorted(p.parent.parent.name for p in example_site.glob("appeals/*/embed/index.html"))
    assert len(slugs) >= 5
    page = browser.new_page(viewport={"width": 320, "height": 200})  # type: ignore[attr-defined]
    cut = []
    try:
        with serve(example_site, "/appeals-site/") as root:
            for slug in slugs:
                page.goto(f"{root}/appeals/{slug}/embed/")
                if max(page.evaluate(EMBED_PARTS)) > 200:
                    cut.append(slug)
                # No headline is clipped: its whole text is in the frame.
                title = page.locator(".embed-title a")
                assert title.evaluate("e => e.scrollHeight <= e.clientHeight + 1"), slug
                assert "…" not in title.inner_text(), slug
    finally:
        page.close()
    assert not cut


def _status_site(tmp_path: Path) -> Path:
    """Three appeals alike but for their state, each with a donation link."""
    files: dict[str, str | bytes] = {"site.yaml": MINIMAL_SITE_YAML}
    for state, raised in (("open", 25000), ("funded", 37000), ("closed", 25000)):
        files[f"content/appeals/{state}-appeal.md"] = (
            f"---\nchild: Amy {state.title()}\ncondition: cerebral palsy\ntarget: 36000\nraised: {raised}\n"
            f"hospital: Bristol\ndate: 2026-05-01\nstatus: {state}\n"
            f"donate_url: {DONATE}\n---\nAmy needs an operation.\n"
        )
    site = write_site(tmp_path / "site", files)
    build(BuildOptions(site_dir=site, output_dir=tmp_path / "output"))
    return tmp_path / "output"


def test_only_an_open_appeal_asks_and_a_closed_one_links_to_no_donation(tmp_path: Path) -> None:
    output = _status_site(tmp_path)
    embeds = {state: read(output, f"appeals/{state}-appeal/embed/index.html") for state in ("open", "funded", "closed")}
    pages = {state: read(output, f"appeals/{state}-appeal/index.html") for state in ("open", "funded", "closed")}
    # Open: the donate button, in the embed and on the page.
    assert 'class="embed-button"' in embeds["open"] and 'button button-primary" href="' + DONATE in pages["open"]
    # Funded: thanks, and a quiet way to keep giving; no big button anywhere.
    assert 'class="embed-button"' not in embeds["funded"] and "Keep giving" in embeds["funded"]
    assert "button-primary" not in pages["funded"] and "Keep giving" in pages["funded"] and "thank you" in pages["funded"]
    # Closed: thanks, and no link to the donation at all.
    assert DONATE not in embeds["closed"] and "Closed" in embeds["closed"]
    assert DONATE not in pages["closed"] and "has closed" in pages["closed"]
    assert "DonateAction" not in pages["closed"] and "DonateAction" in pages["open"]
    # Every state is a word, not a colour alone.
    assert "Funded" in read(output, "appeals/funded-appeal/thermometer.svg")
    assert "Closed" in read(output, "appeals/closed-appeal/thermometer.svg")


def test_poster_qr_leads_to_the_donation_link_while_open_and_to_the_appeal_once_closed(built: Path) -> None:
    from totaliser.outputs.poster import donation_target
    from totaliser.site import load_site

    loaded = load_site(built.parent / "site")
    amy = next(a for a in loaded.content.appeals if a.slug == "amy-example")
    assert donation_target(amy, loaded.config) == DONATE
    amy.status = "closed"
    assert donation_target(amy, loaded.config) == BASE + "appeals/amy-example/"


