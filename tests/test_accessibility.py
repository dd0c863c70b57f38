"""Accessible to everyone: axe-core finds no serious or critical WCAG 2.2 A/AA
problem on any page of the example site (colour contrast included), the
thermometer is announced with the right values, every page works by keyboard
alone, and nothing scrolls sideways on a 360-pixel phone screen."""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT, browser_required
from tests.site_server import html_pages, page_url, serve
from totaliser.money import format_money

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("accessibility")]

# Installed by `make axe` (a prerequisite of `make test`) from the npm registry.
AXE_PATH = Path(os.environ.get("TOTALISER_AXE", ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"))
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
EXAMPLE_BASE_PATH = "/appeals-site/"  # the example site's base_url path
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_PATH.is_file():
        reason = f"axe-core is not installed at {AXE_PATH} (run `make axe`, which needs npm)"
        if browser_required():
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site_root(example_site: Path):
    with serve(example_site, EXAMPLE_BASE_PATH) as root:
        yield root


@pytest.fixture(scope="module")
def appeals(example_site: Path) -> list[dict]:
    return json.loads((example_site / "appeals.json").read_text(encoding="utf-8"))["appeals"]


def appeal_address(root: str, appeal: dict) -> str:
    return root + urlsplit(appeal["url"]).path.removeprefix(EXAMPLE_BASE_PATH.rstrip("/"))


def test_the_example_site_has_the_pages_to_check(example_site: Path, appeals: list[dict]) -> None:
    pages = html_pages(example_site)
    assert "index.html" in pages and "404.html" in pages
    assert all(f"appeals/{a['slug']}/index.html" in pages for a in appeals)
    assert len(appeals) >= 3


def run_axe(page, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
            return result.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + ": " + n.failureSummary) }));
        }""",
        WCAG_TAGS,
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def test_axe_finds_no_serious_problem_on_any_page(browser, example_site: Path, site_root: str, axe_source: str) -> None:
    # The pages' Content-Security-Policy forbids inline scripts, axe included:
    # it is set aside for this check only (the hostile-content test keeps it).
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    problems = []
    try:
        for relative in html_pages(example_site):
            page.goto(page_url(site_root, relative), wait_until="load")
            for violation in run_axe(page, axe_source):
                problems.append(f"{relative}: {violation['impact']} {violation['id']} ({violation['help']}): {violation['nodes']}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_axe_catches_a_problem_when_there_is_one(browser, tmp_path: Path, axe_source: str) -> None:
    """The check can fail: low contrast and an unlabelled image are found."""
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="en"><title>t</title><main><p style="color:#bbb;background:#fff">faint</p>'
        '<img src="x.png"></main></html>',
        encoding="utf-8",
    )
    with serve(tmp_path) as root:
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        page.goto(root + "/")
        found = {v["id"] for v in run_axe(page, axe_source)}
        context.close()
    assert {"color-contrast", "image-alt"} <= found


def test_the_thermometer_is_announced_with_the_right_values(browser, site_root: str, appeals: list[dict]) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        for appeal in appeals:
            page.goto(appeal_address(site_root, appeal))
            bar = page.get_by_role("progressbar")
            assert bar.count() == 1, appeal["slug"]
            target, raised = Decimal(str(appeal["target"])), Decimal(str(appeal["raised"]))
            assert Decimal(bar.get_attribute("aria-valuemin")) == 0
            assert Decimal(bar.get_attribute("aria-valuemax")) == target
            assert Decimal(bar.get_attribute("aria-valuenow")) == min(raised, target)
            expected = f"{format_money(raised, appeal['currency'])} raised of {format_money(target, appeal['currency'])} ({appeal['percent']}%)"
            assert bar.get_attribute("aria-valuetext") == expected
            assert appeal["percent"] == int(raised * 100 // target)
            # What a screen reader is given: the role, a name, and the value in words.
            snapshot = bar.aria_snapshot()
            assert snapshot.startswith("- progressbar"), snapshot
            assert appeal["child"] in snapshot
            tree = context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
            announced = [n for n in tree if n.get("role", {}).get("value") == "progressbar"]
            assert len(announced) == 1
            node = announced[0]
            assert node["name"]["value"] == f"Money raised for {appeal['child']}"
            values = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
            assert values["valuemin"] == 0 and Decimal(str(values["valuemax"])) == target
            # Chromium keeps the value as a float: compare to the pence.
            assert abs(Decimal(str(node["value"]["value"])) - min(raised, target)) < Decimal("0.01")
            # The drawing inside is hidden: the bar is announced once, not as pictures.
            assert not node.get("childIds"), node
    finally:
        context.close()


FOCUS_STATE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        text: (el.innerText || el.getAttribute("aria-label") || "").trim(),
        classes: el.className && el.className.baseVal === undefined ? el.className : "",
        parentClasses: el.parentElement ? String(el.parentElement.parentElement && el.parentElement.parentElement.className) : "",
        href: el.getAttribute("href"),
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
        shadow: style.boxShadow !== "none",
        visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 && box.left < innerWidth,
    };
}"""


def tab_through(page, limit: int = 150) -> list[dict]:
    """Press Tab until focus comes back round, noting each element reached."""
    reached: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None:
            break
        if reached and state == reached[0]:
            break
        reached.append(state)
    return reached


def test_appeal_pages_work_by_keyboard_alone(browser, site_root: str, appeals: list[dict]) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        for appeal in appeals:
            page.goto(appeal_address(site_root, appeal))
            reached = tab_through(page)
            assert reached, appeal["slug"]
            assert reached[0]["text"] == "Skip to main content" and reached[0]["visible"], reached[0]
            for state in reached:
                assert state["outline"] or state["shadow"], f"{appeal['slug']}: no visible focus on {state}"
                assert state["visible"], f"{appeal['slug']}: focus on something off screen: {state}"
            hrefs = [s["href"] for s in reached]
            if appeal["donate"] and appeal["status"] != "closed":
                main = appeal["donate"][0]
                assert main["url"] in hrefs, f"{appeal['slug']}: Tab never reaches the donate button"
                donate_state = reached[hrefs.index(main["url"])]
                # Open, the big button; funded, a quiet "Keep giving" link.
                if appeal["status"] == "open":
                    assert "button-primary" in donate_state["classes"]
                else:
                    assert donate_state["text"].startswith("Keep giving"), donate_state
            shares = [s for s in reached if re.match(r"share-", s["classes"] or "")]
            assert [s["classes"] for s in shares] == ["share-email", "share-whatsapp", "share-facebook", "share-x"], appeal["slug"]
    finally:
        context.close()


def test_the_skip_link_moves_focus_to_the_content(browser, site_root: str, appeals: list[dict]) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(appeal_address(site_root, appeals[0]))
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        assert page.evaluate("() => location.hash") == "#main"
        page.keyboard.press("Tab")
        inside = page.evaluate("() => document.getElementById('main').contains(document.activeElement)")
        assert inside, "after the skip link, Tab goes on inside the main content"
    finally:
        context.close()


def test_nothing_scrolls_sideways_on_a_phone(browser, example_site: Path, site_root: str) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    too_wide = []
    try:
        for relative in html_pages(example_site):
            page.goto(page_url(site_root, relative), wait_until="load")
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append(f"{relative}: {width}px wide")
    finally:
        context.close()
    assert not too_wide, "\n".join(too_wide)


def test_the_phone_check_sees_a_page_that_is_too_wide(browser, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(
        '<!doctype html><meta name="viewport" content="width=device-width"><div style="width:500px">wide</div>',
        encoding="utf-8",
    )
    with serve(tmp_path) as root:
        context = browser.new_context(viewport=PHONE, is_mobile=True)
        page = context.new_page()
        page.goto(root + "/")
        assert page.evaluate("() => document.documentElement.scrollWidth") > PHONE["width"]
        context.close()
