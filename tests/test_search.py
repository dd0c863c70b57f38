"""The search page: its Pagefind index is an output like any other (made
again only when what it indexes changes, the same bytes every build, no
draft and no hidden surname in it), and in Chromium, served under a sub-path
with the pages' own Content-Security-Policy, typing a name finds its appeal."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.conftest import MINIMAL_SITE_YAML
from tests.site_server import serve
from totaliser.outputs.registry import search_outputs
from totaliser.site import BuildOptions, build

BASE_PATH = "/appeals-site/"  # the example site's and MINIMAL_SITE_YAML's base_url path


def story(child: str, body: str, **fields: str) -> str:
    extra = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return (
        f"---\nchild: {child}\ncondition: cerebral palsy\ntarget: 36000\nraised: 25000\n"
        f"hospital: Bristol Royal Hospital for Children\ndate: 2026-05-01\n{extra}---\n{body}\n"
    )


def bundle(output: Path) -> dict[str, bytes]:
    folder = output / "search"
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def index_text(output: Path) -> str:
    """Everything the published index holds, unpacked (Pagefind gzips each file)."""
    texts = []
    for path, data in bundle(output).items():
        if path.startswith("pagefind/") and data[:2] == b"\x1f\x8b":
            texts.append(gzip.decompress(data).decode("utf-8", "replace"))
    return "\n".join(texts).lower()


def test_the_example_site_has_a_search_page_and_its_index(example_site: Path) -> None:
    files = bundle(example_site)
    assert {"index.html", "pagefind/pagefind.js", "pagefind/pagefind-worker.js", "pagefind/pagefind-entry.json"} <= set(files)
    assert any(path.startswith("pagefind/fragment/") for path in files)
    # Pagefind's stock interface and playground are not published.
    assert not [path for path in files if "-ui." in path or "playground" in path or "highlight" in path]
    page = files["index.html"].decode()
    assert f'data-bundle="{BASE_PATH}search/pagefind/pagefind.js"' in page
    assert f'action="{BASE_PATH}search/"' in page
    assert "'wasm-unsafe-eval'" in page  # Pagefind searches in WebAssembly; other pages do not allow it
    assert "'wasm-unsafe-eval'" not in (example_site / "index.html").read_text(encoding="utf-8")
    assert f"<loc>https://example.github.io{BASE_PATH}search/</loc>" in (example_site / "sitemap.xml").read_text(encoding="utf-8")
    assert f'href="{BASE_PATH}search/"' in (example_site / "404.html").read_text(encoding="utf-8")


def test_two_builds_make_the_same_index(make_site, tmp_path: Path) -> None:
    site = make_site({
        "content/appeals/amy.md": story("Amy Example", "Amy needs an operation."),
        "content/appeals/ben.md": story("Ben Sample", "Ben needs physiotherapy.", location="Poole", tags="[sdr, physio]"),
        "content/pages/about.md": "---\ntitle: About us\n---\nWe run appeals.\n",
    })
    build(BuildOptions(site, tmp_path / "one", use_cache=False))
    build(BuildOptions(site, tmp_path / "two", use_cache=False))
    assert bundle(tmp_path / "one") == bundle(tmp_path / "two")


def test_the_index_holds_no_draft_and_no_hidden_surname(make_site, tmp_path: Path) -> None:
    site = make_site(
        {
            "content/appeals/amy.md": story("Amy Kowalczyk", "Amy Kowalczyk needs an operation in Bristol."),
            "content/appeals/zed.md": story("Zed Quillfeather", "A story not yet published.", status="draft"),
        },
        site_yaml=MINIMAL_SITE_YAML + "privacy: first_name\n",
    )
    output = tmp_path / "output"
    build(BuildOptions(site, output, use_cache=False))
    text = index_text(output)
    assert "amy" in text and "bristol" in text  # the index can be read here
    assert "kowalczyk" not in text
    assert "quillfeather" not in text and "zed" not in text


def test_the_index_is_made_again_only_when_what_it_searches_changes(make_site, tmp_path: Path) -> None:
    path_of = "content/appeals/amy.md"
    site = make_site({path_of: story("Amy Example", "Amy needs an operation.", deadline="2026-10-01")})
    output = tmp_path / "output"
    build(BuildOptions(site, output))
    path = site / path_of
    path.write_text(path.read_text(encoding="utf-8").replace("deadline: 2026-10-01", "deadline: 2026-11-01"), encoding="utf-8")
    assert "search index" not in build(BuildOptions(site, output)).made
    # A new total: the results read it from the badge, which is made again (with the page); the index is not.
    path.write_text(path.read_text(encoding="utf-8").replace("raised: 25000", "raised: 26000"), encoding="utf-8")
    made = build(BuildOptions(site, output)).made
    assert "search index" not in made and "page:amy" in made
    # A new appeal is searched for.
    (site / "content/appeals/bea.md").write_text(story("Bea Example", "Bea needs a wheelchair."), encoding="utf-8")
    assert "search index" in build(BuildOptions(site, output)).made
    # A paragraph after the first: not searched, so the index stays.
    path.write_text(path.read_text(encoding="utf-8") + "\nA later paragraph.\n", encoding="utf-8")
    assert "search index" not in build(BuildOptions(site, output)).made
    # The summary and the hospital are searched.
    path.write_text(path.read_text(encoding="utf-8").replace("Amy needs an operation.", "Amy needs surgery."), encoding="utf-8")
    assert "search index" in build(BuildOptions(site, output)).made
    path.write_text(path.read_text(encoding="utf-8").replace("hospital: ", "hospital: Royal "), encoding="utf-8")
    assert "search index" in build(BuildOptions(site, output)).made


def test_the_search_page_links_the_listings_the_site_has() -> None:
    none = list(search_outputs(set()))
    some = list(search_outputs({"hospitals/", "tags/"}))
    assert [output.addresses for output in none] == [output.addresses for output in some]
    # A site that gains a listing makes its search page again: the key says which it links.
    assert none[0].key != some[0].key and "hospitals/" in some[0].key and "tags/" in some[0].key


# In Chromium -------------------------------------------------------------------


@pytest.fixture(scope="module")
def site_root(example_site: Path):
    with serve(example_site, BASE_PATH) as root:
        yield root


def search_for(page, text: str) -> None:
    page.fill("#search-query", "")
    page.type("#search-query", text)


@pytest.mark.browser
def test_typing_a_surname_shows_that_appeal_with_its_figures(browser, site_root: str) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto(site_root + "/search/")
        search_for(page, "Buckett")
        # Typed a letter at a time: the results of "Buck" may come first.
        page.locator("[data-search-status]", has_text="results for “Buckett”").wait_for(timeout=10_000)
        card = page.locator(".search-result", has=page.locator("a", has_text="Jacob Buckett"))
        card.wait_for(timeout=10_000)
        assert card.locator("a").first.get_attribute("href") == f"{BASE_PATH}appeals/jacob-buckett/"
        assert card.locator(".search-figures").inner_text() == "£25,000 raised of £36,000 (69%)"
        assert card.locator(".badge").inner_text().lower() == "open"
        assert "results for “Buckett”" in page.locator("[data-search-status]").inner_text()
        assert "q=Buckett" in page.url  # the address says what was searched
        search_for(page, "zzqxv")
        page.locator("[data-search-status]", has_text="No appeals or pages match").wait_for(timeout=10_000)
        assert page.locator(".search-result").count() == 0
        assert not errors, errors
    finally:
        page.close()


@pytest.mark.browser
def test_the_404_form_leads_to_results_from_any_depth(browser, site_root: str, example_site: Path) -> None:
    page = browser.new_page()
    not_found = (example_site / "404.html").read_text(encoding="utf-8")
    deep = site_root + "/appeals/nobody/deeper/still/"
    page.route(deep, lambda route: route.fulfill(status=404, body=not_found, content_type="text/html"))
    try:
        page.goto(deep)
        page.fill("#not-found-query", "Pritchard")
        page.click(".not-found-search button")
        page.locator(".search-result a", has_text="Siân Pritchard").wait_for(timeout=10_000)
        assert page.url.startswith(site_root + "/search/?q=Pritchard")
    finally:
        page.close()


@pytest.mark.browser
def test_without_javascript_the_page_points_to_the_listings(browser, site_root: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site_root + "/search/")
        assert page.locator("[data-search-needs-script]").is_visible()
        assert page.locator(".search-listings a", has_text="All appeals").get_attribute("href") == BASE_PATH
    finally:
        context.close()
    page = browser.new_page()
    try:
        page.goto(site_root + "/search/")
        assert not page.locator("[data-search-needs-script]").is_visible()
    finally:
        page.close()


@pytest.mark.browser
def test_results_are_accessible_and_fit_a_phone(browser, site_root: str) -> None:
    from tests.test_accessibility import AXE_PATH, PHONE, run_axe

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=AXE_PATH.is_file())
    page = context.new_page()
    try:
        page.goto(site_root + "/search/?q=cerebral")
        page.locator(".search-result").first.wait_for(timeout=10_000)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        if AXE_PATH.is_file():  # the whole-site audit says when it is missing
            problems = run_axe(page, AXE_PATH.read_text(encoding="utf-8"))
            assert not problems, problems
    finally:
        context.close()
