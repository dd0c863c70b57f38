"""The example site published under a sub-path, served over real HTTP, crawled.

It is built with base_url https://example.github.io/my-appeals/ and served the
way GitHub Pages serves a project site: under /my-appeals/ only, with 404.html
for any missing path. Every page reachable from the home page is fetched, and
every same-host link in it (a, link, img, script, source, srcset, iframe, CSS
url()) must work without a redirect and stay under /my-appeals/.
"""

from __future__ import annotations

import http.client
import posixpath
import re
import threading
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from totaliser.site import BuildOptions, build

from .conftest import ROOT

BASE_URL = "https://example.github.io/my-appeals/"
PREFIX = "/my-appeals/"

# Attributes that load or link to something, by tag.
URL_ATTRIBUTES = {
    "a": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "script": ("src",),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "form": ("action",),
    "use": ("href", "xlink:href"),
    "image": ("href", "xlink:href"),
}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


class SubPathHandler(SimpleHTTPRequestHandler):
    """Serves the output folder under PREFIX only; 404.html for anything missing."""

    def __init__(self, *args: object, directory: str, **kwargs: object) -> None:
        self.site_root = Path(directory)
        super().__init__(*args, directory=directory, **kwargs)  # type: ignore[arg-type]

    def _route(self) -> bool:
        path = self.path.split("?", 1)[0]
        if not path.startswith(PREFIX):
            self.send_error(404)
            return False
        self.path = "/" + self.path[len(PREFIX):]
        return True

    def do_GET(self) -> None:
        if self._route():
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._route():
            super().do_HEAD()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = self.site_root / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(origin, output folder) of the example site served under /my-appeals/."""
    output = tmp_path_factory.mktemp("crawl") / "output"
    build(BuildOptions(site_dir=ROOT, output_dir=output, base_url=BASE_URL))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SubPathHandler, directory=str(output)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}", output
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    location: str | None


def fetch(url: str) -> Response:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        answer = connection.getresponse()
        return Response(answer.status, answer.getheader("Content-Type", ""), answer.read(), answer.getheader("Location"))
    finally:
        connection.close()


class PageLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (tag.attribute, url)
        self.ids: set[str] = set()
        self.meta: dict[str, str] = {}
        self.rel_links: dict[str, list[str]] = {}
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        for key in ("id", "name") if tag == "a" else ("id",):
            if values.get(key):
                self.ids.add(values[key])
        for attribute in URL_ATTRIBUTES.get(tag, ()):
            value = values.get(attribute)
            if not value:
                continue
            if attribute == "srcset":
                self.links += [(f"{tag}.srcset", item.strip().split()[0]) for item in value.split(",") if item.strip()]
            else:
                self.links.append((f"{tag}.{attribute}", value.strip()))
        if tag == "meta":
            key = values.get("property") or values.get("name")
            if key:
                self.meta[key] = values.get("content", "")
        if tag == "link":
            for rel in values.get("rel", "").split():
                self.rel_links.setdefault(rel, []).append(values.get("href", ""))
        if tag == "style":
            self._in_style = True
        if values.get("style"):
            self.styles.append(values["style"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


@dataclass
class Crawl:
    pages: dict[str, PageLinks] = field(default_factory=dict)
    fetched: dict[str, Response] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    fragments: list[tuple[str, str, str]] = field(default_factory=list)  # (from page, to page, #id)


def to_local(url: str, origin: str) -> str | None:
    """A same-site URL as one on the test server; None for other sites."""
    if url.startswith(BASE_URL):
        return origin + PREFIX + url[len(BASE_URL):]
    if url.startswith(origin + "/"):
        return url
    return None


def crawl(origin: str, start: str) -> Crawl:
    result = Crawl()
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    seen: set[str] = set()
    while queue:
        url, referrer = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        path = urlsplit(url).path
        if not path.startswith(PREFIX):
            result.problems.append(f"{referrer} links to {path}, outside {PREFIX} (it points at the site root by mistake)")
            continue
        response = fetch(url)
        result.fetched[url] = response
        if response.status != 200:
            where = f" (redirects to {response.location})" if response.location else ""
            result.problems.append(f"{referrer} links to {path}: HTTP {response.status}{where}")
            continue
        found: list[tuple[str, str]] = []
        if response.content_type.startswith("text/html"):
            parser = PageLinks()
            parser.feed(response.body.decode("utf-8"))
            result.pages[url] = parser
            found = parser.links
            for style in parser.styles:
                found += [("style.url", m.group(2)) for m in CSS_URL.finditer(style)]
        elif response.content_type.startswith("text/css"):
            found = [("css.url", m.group(2)) for m in CSS_URL.finditer(response.body.decode("utf-8"))]
        for kind, link in found:
            if link.startswith("data:") and kind.startswith(("css", "style")):
                continue
            absolute = urljoin(url, link)
            scheme = urlsplit(absolute).scheme
            if scheme in ("mailto", "tel"):
                continue
            if scheme not in ("http", "https"):
                result.problems.append(f"{path}: {kind} has a link with scheme {scheme}: {link[:60]}")
                continue
            local = to_local(absolute, origin)
            if local is None:
                if absolute.startswith("https://example.github.io/"):
                    result.problems.append(f"{path}: {kind} {link} is on the site's host but outside {BASE_URL}")
                continue
            target, fragment = urldefrag(local)
            if fragment:
                result.fragments.append((path, target, fragment))
            queue.append((target, f"{path} ({kind})"))
    return result


@pytest.fixture(scope="module")
def crawled(served: tuple[str, Path]) -> Crawl:
    origin, _ = served
    return crawl(origin, origin + PREFIX)


def test_no_broken_links(crawled: Crawl) -> None:
    assert crawled.problems == []


def test_the_crawl_reaches_every_page(crawled: Crawl, served: tuple[str, Path]) -> None:
    origin, output = served
    built_pages = {
        origin + PREFIX + (p.parent.relative_to(output).as_posix() + "/").removeprefix("./")
        for p in output.rglob("index.html")
        if "/embed/" not in p.as_posix() and "/poster/" not in p.as_posix()
    }
    unreached = sorted(built_pages - set(crawled.pages))
    assert not unreached, f"pages no link leads to: {unreached}"
    # The stylesheet, script, favicon and photos were all fetched too.
    fetched_paths = {urlsplit(u).path for u in crawled.fetched}
    assert PREFIX + "static/css/site.css" in fetched_paths
    assert PREFIX + "static/js/totaliser.js" in fetched_paths
    assert any(p.endswith((".jpg", ".webp")) for p in fetched_paths)
    assert PREFIX + "feed.xml" in fetched_paths and PREFIX + "appeals.json" in fetched_paths


def test_fragment_links_have_targets(crawled: Crawl) -> None:
    missing = []
    for source, target, fragment in crawled.fragments:
        page = crawled.pages.get(target)
        if page is not None and fragment not in page.ids:
            missing.append(f"{source} links to {urlsplit(target).path}#{fragment}, which has no such id")
    assert missing == []


def test_canonical_and_social_urls_are_absolute_from_base_url(crawled: Crawl, served: tuple[str, Path]) -> None:
    origin, _ = served
    checked = 0
    for url, page in crawled.pages.items():
        expected = BASE_URL + urlsplit(url).path[len(PREFIX):]
        canonical = page.rel_links.get("canonical", [])
        if urlsplit(url).path == PREFIX + "404.html":
            continue
        if page.meta.get("robots") == "noindex":
            # An appeal's embed and poster are views of the appeal: their canonical is its page.
            assert canonical == [expected.rsplit("/", 2)[0] + "/"], url
            continue
        assert canonical == [expected], url
        assert page.meta.get("og:url") == expected, url
        for key in ("og:image", "twitter:image"):
            if key in page.meta:
                assert page.meta[key].startswith(BASE_URL), (url, key, page.meta[key])
                assert fetch(to_local(page.meta[key], origin) or "").status == 200, page.meta[key]
        for href in page.rel_links.get("alternate", []):
            assert href.startswith((PREFIX, BASE_URL)), (url, href)
        checked += 1
    assert checked >= 8


def test_feed_urls_are_absolute_and_work(served: tuple[str, Path]) -> None:
    origin, output = served
    root = ET.fromstring((output / "feed.xml").read_bytes())
    atom = "{http://www.w3.org/2005/Atom}"
    # Ids are permanent tag: URIs, whatever address the site is built for (test_feed_ids.py).
    assert (root.findtext(f"{atom}id") or "").startswith("tag:")
    hrefs = [link.get("href", "") for link in root.iter(f"{atom}link")]
    assert hrefs
    for href in hrefs:
        assert href.startswith(BASE_URL), href
        assert fetch(to_local(href, origin) or "").status == 200, href
    for entry in root.iter(f"{atom}entry"):
        assert (entry.findtext(f"{atom}id") or "").startswith("tag:")


def test_sitemap_and_robots_urls_are_absolute_and_work(served: tuple[str, Path]) -> None:
    origin, output = served
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [el.text or "" for el in ET.fromstring((output / "sitemap.xml").read_bytes()).findall("s:url/s:loc", ns)]
    assert BASE_URL in locs
    for loc in locs:
        assert loc.startswith(BASE_URL), loc
        assert fetch(to_local(loc, origin) or "").status == 200, loc
    robots = (output / "robots.txt").read_text()
    assert f"Sitemap: {BASE_URL}sitemap.xml" in robots.splitlines()


def test_appeals_json_urls_work(served: tuple[str, Path]) -> None:
    import json

    origin, output = served
    for record in json.loads((output / "appeals.json").read_text(encoding="utf-8"))["appeals"]:
        assert record["url"] == f"{BASE_URL}appeals/{record['slug']}/"
        assert fetch(to_local(record["url"], origin) or "").status == 200


@pytest.mark.parametrize("missing", ["nope", "appeals/nobody/", "appeals/nobody/deeper/still/", "pages/x/y/z.html"])
def test_the_404_page_works_at_any_depth(served: tuple[str, Path], missing: str) -> None:
    origin, _ = served
    url = origin + PREFIX + missing
    response = fetch(url)
    assert response.status == 404
    parser = PageLinks()
    parser.feed(response.body.decode("utf-8"))
    # Same-page links (#main) stay on the 404 page itself; every other link must work.
    links = [urljoin(url, link) for _, link in parser.links if not link.startswith("#")]
    assert links
    assert "main" in parser.ids
    for link in links:
        local = to_local(link, origin)
        if local is None:
            continue
        target = urldefrag(local)[0]
        assert urlsplit(target).path.startswith(PREFIX), link
        assert fetch(target).status == 200, f"{missing}: {link}"


def test_the_server_only_serves_the_sub_path(served: tuple[str, Path]) -> None:
    # A guard that the crawl would notice a link to the site root.
    origin, _ = served
    assert fetch(origin + "/index.html").status == 404
    assert fetch(origin + "/static/css/site.css").status == 404
    assert fetch(origin + PREFIX + "static/css/site.css").status == 200
    # And a directory link without its slash is reported, not silently followed.
    assert fetch(origin + PREFIX + "appeals/jacob-buckett").status == 301


def test_the_crawler_reports_root_links(tmp_path: Path) -> None:
    site = tmp_path / "output"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text(
        '<a href="/about/">root</a><a href="a/">ok</a><a href="a">redirect</a><a href="missing/">gone</a>'
        '<img src="https://example.github.io/elsewhere.png"><a href="#nowhere">frag</a>'
    )
    (site / "a/index.html").write_text("<p id=x>fine</p>")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SubPathHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        origin = f"http://{host}:{port}"
        result = crawl(origin, origin + PREFIX)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    problems = "\n".join(result.problems)
    assert "/about/, outside /my-appeals/" in problems
    assert "/my-appeals/a: HTTP 301" in problems
    assert "/my-appeals/missing/: HTTP 404" in problems
    assert "outside https://example.github.io/my-appeals/" in problems
    assert len(result.problems) == 4
    assert (PREFIX, origin + PREFIX, "nowhere") in result.fragments
    assert posixpath.join(PREFIX, "a/") == "/my-appeals/a/"
