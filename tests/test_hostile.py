"""Hostile content does nothing: attack strings in every story and field are
built into a site, then every page is read twice, by a strict HTML check and
by headless Chromium (with the pages' Content-Security-Policy and without it,
so the sanitiser alone must stop them too)."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from PIL import Image

from tests.conftest import MINIMAL_SITE_YAML
from tests.hostile.payloads import BAD_DONATE_URLS, BAD_LOGOS, BODY_PAYLOADS, FIELD_PAYLOADS, SITE_PAYLOADS
from tests.site_server import html_pages, page_url, serve
from totaliser.errors import ContentErrors
from totaliser.site import BuildOptions, build, load_site

pytestmark = pytest.mark.xdist_group("hostile")

# Each appeal's front matter carries two payloads in each of these places;
# appeal i takes payloads i + k and i + k + half for place k, so over all
# appeals every payload lands in every place.
FIELD_PLACES = (
    "child", "title", "condition", "hospital", "summary", "location", "organiser",
    "tag", "donate_label", "second_donate_label", "milestone_label", "update_note",
    "source_name", "image_alt", "unknown_field", "page_title",
)
HALF = -(-len(FIELD_PAYLOADS) // 2)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def _appeal(index: int) -> str:
    def payload(place: str) -> str:
        first = index + FIELD_PLACES.index(place)
        pair = (FIELD_PAYLOADS[first % len(FIELD_PAYLOADS)], FIELD_PAYLOADS[(first + HALF) % len(FIELD_PAYLOADS)])
        return " ".join(pair)

    data = {
        "child": payload("child"),
        "title": payload("title"),
        "condition": payload("condition"),
        "hospital": payload("hospital"),
        "summary": payload("summary"),
        "location": payload("location"),
        "organiser": payload("organiser"),
        "tags": [payload("tag"), "plain tag"],
        "target": 36000,
        "raised": {payload("source_name"): 20000, "Collection tins": 5000},
        "date": f"2026-05-{1 + index % 28:02d}",
        "deadline": "2027-10-14",
        "donate": [
            # The main link also goes into the JSON-LD script block: it must not close it.
            {"label": payload("donate_label"), "url": "https://give.example/?q=</script><script>alert(1)</script>"},
            {"label": payload("second_donate_label"), "url": "https://give.example/?q=\"><img/src=x/onerror=alert(1)>"},
        ],
        "milestones": [{"label": payload("milestone_label"), "amount": 24000}, {"label": "Therapy", "amount": 36000}],
        "updates": [{"date": "2026-01-02", "raised": 5000, "note": payload("update_note")}],
        "image": "photo.png",
        "image_alt": payload("image_alt"),
        "campaign_note": payload("unknown_field"),
    }
    per_appeal = -(-len(BODY_PAYLOADS) // appeal_count())
    chunk = BODY_PAYLOADS[index * per_appeal : (index + 1) * per_appeal]
    body = "\n\n".join(["An ordinary first paragraph.", *chunk, "An ordinary last paragraph."])
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n" + body + "\n"


def _site_yaml() -> str:
    data = {
        "title": SITE_PAYLOADS["title"],
        "description": SITE_PAYLOADS["description"],
        "base_url": "https://hostile.example/",
        "currency": "GBP",
        "locale": "en-GB",
        "publisher": {"name": SITE_PAYLOADS["publisher_name"], "url": "https://gazette.example/", "logo": "static/images/logo.svg"},
        "charity": {"name": SITE_PAYLOADS["charity_name"], "number": SITE_PAYLOADS["charity_number"]},
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def appeal_count() -> int:
    """Enough appeals for every field payload to land in every place."""
    return HALF


def write_hostile_site(site: Path) -> Path:
    (site / "content" / "appeals").mkdir(parents=True)
    (site / "content" / "pages").mkdir(parents=True)
    (site / "site.yaml").write_text(_site_yaml(), encoding="utf-8")
    (site / "content" / "appeals" / "photo.png").write_bytes(_png())
    for index in range(appeal_count()):
        (site / "content" / "appeals" / f"appeal-{index:03d}.md").write_text(_appeal(index), encoding="utf-8")
    # One page holds every body payload at once, with a payload for a title.
    page_title = FIELD_PAYLOADS[FIELD_PLACES.index("page_title")]
    page = "---\n" + yaml.safe_dump({"title": page_title, "summary": FIELD_PAYLOADS[0]}) + "---\n"
    page += "\n\n".join(BODY_PAYLOADS) + "\n"
    (site / "content" / "pages" / "everything.md").write_text(page, encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    site = write_hostile_site(root / "site")
    output = root / "output"
    report = build(BuildOptions(site_dir=site, output_dir=output))
    assert len(report.appeals) == appeal_count()
    return output


# --- The built files, read without a browser -------------------------------

# Attributes whose value is a URL, and tags that fetch theirs as the page loads.
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "xlink:href", "poster", "data", "background", "ping", "lowsrc", "dynsrc", "cite"}
# Elements no page of ours has, and a payload could use; SVG animation is
# checked by what it animates.
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "form", "base", "isindex", "foreignobject"}
# The one <style> a page may have: the theme's, in <head>, setting the site's
# colours (site.yaml) and nothing else. Any other is a payload.
THEME_STYLE = re.compile(r":root\{(?:--[a-z-]+:#[0-9a-f]{6};?)+\}")
ANIMATION_TAGS = {"set", "animate", "animatetransform", "animatemotion"}


def is_theme_search_form(tag: str, values: dict[str, str]) -> bool:
    """The theme's one form (on the search page and the 404 page): a GET to the site's search page."""
    return tag == "form" and values.get("method") == "get" and values.get("action", "").endswith("/search/") and browser_view_of_url(values["action"]).startswith("/")
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")


def browser_view_of_url(value: str) -> str:
    """A URL as a browser reads it: without edge junk, tabs or newlines, and with \\ as /."""
    stripped = value.strip("".join(chr(c) for c in range(0x21)))
    return re.sub(r"[\t\n\r]", "", stripped).replace("\\", "/").lower()


@dataclass
class PageFindings:
    scripts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    json_ld: list[str] = field(default_factory=list)


class StrictReader(HTMLParser):
    """Reads a page as a browser would and notes anything a payload could use."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = PageFindings()
        self._in_json_ld = False
        self._in_head = False
        self._style: str | None = None
        self._styles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in FORBIDDEN_TAGS and not is_theme_search_form(tag, values):
            self.found.problems.append(f"<{tag}> element")
        if tag == "head":
            self._in_head = True
        if tag == "style":
            self._styles += 1
            if not self._in_head or self._styles > 1:
                self.found.problems.append("<style> element")
            self._style = ""
        if tag == "script":
            kind = values.get("type", "")
            if kind == "application/ld+json" and "src" not in values:
                self._in_json_ld = True
                self.found.json_ld.append("")
            elif kind == "" and values.get("src", "").endswith(("/static/js/totaliser.js", "/static/js/search.js")) and browser_view_of_url(values["src"]).startswith("/"):
                self.found.scripts.append(values["src"])
            else:
                self.found.problems.append(f"script element {values}")
        if tag in ANIMATION_TAGS and re.match(r"(on|href|xlink:href)", values.get("attributename", "").lower()):
            self.found.problems.append(f"<{tag}> animating {values['attributename']}")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.problems.append("meta refresh")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.problems.append(f"<{tag} {name}=...> event handler")
            if name == "style":
                self.found.problems.append(f"<{tag} style=...> attribute")
            if name in URL_ATTRIBUTES:
                seen = browser_view_of_url(value)
                # A picture written into the page (a QR code, say) is no risk.
                picture = tag in ("img", "source") and name in ("src", "srcset") and seen.startswith("data:image/")
                if seen.startswith(DANGEROUS_SCHEMES) and not picture:
                    self.found.problems.append(f"<{tag} {name}={value!r}>")
                if self._loads_on_open(tag, name, values) and not picture and (seen.startswith("//") or re.match(r"^[a-z][a-z0-9+.-]*:", seen)):
                    self.found.problems.append(f"<{tag} {name}={value!r}> loads from another host")

    @staticmethod
    def _loads_on_open(tag: str, name: str, values: dict[str, str]) -> bool:
        if tag == "link":
            return name == "href" and values.get("rel", "") not in ("canonical", "alternate")
        if tag == "a":
            return name == "ping"
        return name != "cite"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_json_ld = False
        if tag == "head":
            self._in_head = False
        if tag == "style" and self._style is not None:
            if not THEME_STYLE.fullmatch(self._style):
                self.found.problems.append(f"<style> element: {self._style[:60]!r}")
            self._style = None

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.found.json_ld[-1] += data
        if self._style is not None:
            self._style += data


def read_page(text: str) -> PageFindings:
    reader = StrictReader()
    reader.feed(text)
    reader.close()
    return reader.found


def test_every_payload_reaches_the_site(hostile_site: Path) -> None:
    """The corpus really was built in: each field payload is in the pages as text."""
    everything = "".join(p.read_text(encoding="utf-8") for p in hostile_site.rglob("*.html"))
    assert len(html_pages(hostile_site)) >= appeal_count() + 3
    for payload in FIELD_PAYLOADS:
        escaped = payload.strip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        # Jinja escapes quotes as numeric references.
        escaped = escaped.replace('"', "&#34;").replace("'", "&#39;")
        assert escaped in everything, payload


def test_the_page_reader_catches_attacks() -> None:
    """The strict reader itself finds what it is meant to find."""
    assert read_page("<p><img src=x onerror=alert(1)></p>").problems
    assert read_page('<a href=" java&#x09;script:alert(1)">x</a>').problems
    assert read_page('<img src="/\\evil.example/x.png">').problems
    assert read_page("<script>alert(1)</script>").problems
    assert read_page('<meta http-equiv="Refresh" content="0;url=x">').problems
    assert not read_page('<a href="https://elsewhere.example/">fine</a><img src="/static/x.png">').problems
    # Only the theme's colours may come in a <style>, and only in <head>.
    assert not read_page("<head><style>:root{--accent:#b00d27;--donate:#1a4f8b}</style></head>").problems
    assert read_page("<head><style>body{background:url(//evil.example/x)}</style></head>").problems
    assert read_page("<body><style>:root{--accent:#b00d27}</style></body>").problems


def test_no_page_carries_a_live_payload(hostile_site: Path) -> None:
    failures = []
    for relative in html_pages(hostile_site):
        text = (hostile_site / relative).read_text(encoding="utf-8")
        found = read_page(text)
        failures += [f"{relative}: {problem}" for problem in found.problems]
        # Every "<script" in the file is one the reader accounted for, so no
        # difference between this parser and a browser's can hide one.
        assert len(re.findall(r"<script", text, re.IGNORECASE)) == len(found.scripts) + len(found.json_ld), relative
        for block in found.json_ld:
            json.loads(block)
            assert "<" not in block, f"{relative}: raw < in JSON-LD could close the script element"
        for tag in re.findall(r"<[a-z][^>]*>", text, re.IGNORECASE):
            # Outside quoted values (which escaping keeps free of quotes), no
            # attribute may be an event handler.
            bare = re.sub(r"\"[^\"]*\"|'[^']*'", '""', tag)
            assert not re.search(r"[\s/]on\w+\s*=", bare, re.IGNORECASE), f"{relative}: {tag}"
    assert not failures, "\n".join(failures)


def test_feeds_and_data_are_well_formed_and_inert(hostile_site: Path) -> None:
    feed = ET.parse(hostile_site / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    contents = feed.findall(f"{atom}entry/{atom}content")
    assert contents, "the feed carries story HTML"
    for content in contents:
        # Feed readers render this HTML: it must be as clean as the pages.
        assert not read_page(content.text or "").problems
    for svg in hostile_site.rglob("*.svg"):
        root = ET.parse(svg).getroot()
        for element in root.iter():
            assert not element.tag.endswith("script"), svg
            assert not [a for a in element.attrib if a.lower().startswith("on")], svg
    raw = (hostile_site / "appeals.json").read_text(encoding="utf-8")
    # No markup as such, even inside its strings: a page that puts the file
    # into its own HTML, or a filter that looks for "<script", sees none.
    assert "<" not in raw and ">" not in raw
    data = json.loads(raw)
    assert len(data["appeals"]) == appeal_count()
    assert any("<" in appeal["summary"] or "<" in appeal["title"] for appeal in data["appeals"]), "the payloads are in it, as text"
    for appeal in data["appeals"]:
        for option in appeal["donate"]:
            assert urlsplit(option["url"]).scheme in ("http", "https")


@pytest.mark.parametrize("url", BAD_DONATE_URLS)
@pytest.mark.parametrize("form", ["donate", "donate_url", "later_option"])
def test_a_donate_url_that_is_not_http_is_a_content_error(make_site, url: str, form: str) -> None:
    if form == "donate":
        extra = {"donate": [{"label": "Give", "url": url}]}
    elif form == "later_option":
        extra = {"donate": [{"label": "Give", "url": "https://give.example/"}, {"label": "Other", "url": url}]}
    else:
        extra = {"donate_url": url}
    data = {"child": "Amy", "condition": "cerebral palsy", "target": 100, "raised": 5, "hospital": "Poole", "date": "2026-05-01", **extra}
    text = "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\nStory.\n"
    site = make_site({"content/appeals/amy.md": text})
    with pytest.raises(ContentErrors) as caught:
        load_site(site)
    problems = caught.value.problems.errors
    assert [p.field for p in problems] and all(p.field.startswith(form.replace("later_option", "donate")) for p in problems)
    assert all(p.path == "content/appeals/amy.md" and p.line > 1 for p in problems)


@pytest.mark.parametrize("logo", BAD_LOGOS)
def test_a_logo_from_another_host_is_a_settings_error(make_site, logo: str) -> None:
    site_yaml = MINIMAL_SITE_YAML.replace("  url: https://gazette.example/\n", "  url: https://gazette.example/\n  logo: " + json.dumps(logo) + "\n")
    site = make_site({}, site_yaml=site_yaml)
    with pytest.raises(ContentErrors) as caught:
        load_site(site)
    assert [(p.path, p.line, p.field) for p in caught.value.problems.errors] == [("site.yaml", 8, "publisher.logo")]


# --- The same pages in a real browser --------------------------------------

SENTINEL = """
(() => {
  const calls = [];
  Object.defineProperty(window, "__xss", { value: calls, writable: false, configurable: false });
  const record = (name, original) => function (...args) {
    calls.push(name + "(" + args.map(String).join(",") + ")");
    return original ? original.apply(window, args) : undefined;
  };
  window.alert = record("alert", window.alert);
  window.confirm = record("confirm", window.confirm);
  window.prompt = record("prompt", window.prompt);
  window.print = record("print", null);
  window.xss = record("xss", null);
})();
"""

# Fire the events a payload's handler would wait for, on every element, so a
# handler that slipped through runs now rather than on a reader's mouse.
PROVOKE = """
() => {
  const kinds = ["mouseover", "mouseenter", "mousemove", "pointerover", "focus", "focusin", "blur",
                 "toggle", "load", "error", "animationstart", "input", "change", "keydown", "wheel", "copy"];
  for (const element of document.querySelectorAll("*")) {
    for (const kind of kinds) element.dispatchEvent(new Event(kind, { bubbles: false }));
  }
  const bad = [];
  for (const link of document.querySelectorAll("[href], [src]")) {
    for (const name of ["href", "src"]) {
      const value = link[name];
      if (typeof value === "string" && /^(javascript|data|vbscript):/i.test(value)) bad.push(link.outerHTML);
    }
  }
  return bad;
}
"""


@dataclass
class BrowserFindings:
    dialogs: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    navigations: list[str] = field(default_factory=list)
    dangerous_links: list[str] = field(default_factory=list)

    def failures(self) -> list[str]:
        return [f"{name}: {value}" for name, value in vars(self).items() if value]


def visit_every_page(browser, output: Path, *, keep_csp: bool, base_path: str = "/") -> dict[str, BrowserFindings]:
    results: dict[str, BrowserFindings] = {}
    with serve(output, base_path) as origin:
        own_host = urlsplit(origin).netloc
        context = browser.new_context(bypass_csp=not keep_csp, service_workers="block")
        context.add_init_script(SENTINEL)
        current: list[BrowserFindings] = []

        def route(route_request) -> None:
            url = route_request.request.url
            if urlsplit(url).netloc == own_host:
                route_request.continue_()
            else:
                current[-1].foreign_requests.append(url)
                route_request.abort()

        context.route("**/*", route)
        page = context.new_page()

        def on_dialog(dialog) -> None:
            current[-1].dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        def on_console(message) -> None:
            # A missing picture named by a story is harmless; anything else
            # (a script error, an inline script the CSP had to block) is not.
            if message.type == "error" and not message.text.startswith("Failed to load resource: the server responded with a status of 404"):
                current[-1].console_errors.append(message.text)

        def on_navigated(frame) -> None:
            if frame == page.main_frame and frame.url not in expected:
                current[-1].navigations.append(frame.url)

        expected: set[str] = {"about:blank"}
        page.on("dialog", on_dialog)
        page.on("console", on_console)
        page.on("pageerror", lambda error: current[-1].page_errors.append(str(error)))
        page.on("framenavigated", on_navigated)
        try:
            for relative in html_pages(output):
                findings = BrowserFindings()
                current.append(findings)
                url = page_url(origin, relative)
                expected.add(url)
                page.goto(url, wait_until="load")
                findings.dangerous_links += page.evaluate(PROVOKE)
                # Give a meta refresh or a timer a moment to show itself.
                page.wait_for_timeout(50)
                findings.calls += page.evaluate("() => Array.from(window.__xss)")
                results[relative] = findings
        finally:
            context.close()
    return results


@pytest.mark.browser
@pytest.mark.parametrize("keep_csp", [True, False], ids=["with-csp", "sanitiser-alone"])
def test_no_payload_runs_in_a_browser(browser, hostile_site: Path, keep_csp: bool) -> None:
    results = visit_every_page(browser, hostile_site, keep_csp=keep_csp)
    assert len(results) >= appeal_count() + 3
    failures = [f"{page}: {failure}" for page, findings in results.items() for failure in findings.failures()]
    assert not failures, "\n".join(failures)


@pytest.mark.browser
def test_the_example_site_loads_nothing_from_another_host(browser, example_site: Path) -> None:
    """No CDN, font service or tracker: every request stays on the site's own host."""
    results = visit_every_page(browser, example_site, keep_csp=True, base_path="/appeals-site/")
    assert len(results) >= 5
    failures = [f"{page}: {failure}" for page, findings in results.items() for failure in findings.failures()]
    assert not failures, "\n".join(failures)


@pytest.mark.browser
def test_the_browser_check_sees_a_payload_that_gets_through(browser, tmp_path: Path) -> None:
    """The browser check can fail: a page with live payloads is caught."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>t</title><img src=x onerror=alert(1)><script>xss(2)</script>"
        '<img src="https://evil.example/x.png">',
        encoding="utf-8",
    )
    findings = visit_every_page(browser, tmp_path, keep_csp=False)["index.html"]
    assert findings.dialogs and "xss(2)" in findings.calls
    assert findings.foreign_requests == ["https://evil.example/x.png"]
