"""Atom entry ids are permanent, and each entry's link leads to an element of its page."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser

from .test_build import appeal, build_site

UPDATES = "updates:\n  - date: 2026-05-01\n    raised: 1000\n  - date: 2026-06-01\n    raised: 5000\n"
BACKDATED = (
    "updates:\n  - date: 2026-04-01\n    raised: 500\n  - date: 2026-05-01\n    raised: 1000\n"
    "  - date: 2026-05-01\n    raised: 1200\n  - date: 2026-06-01\n    raised: 5000\n"
)


def _entries(out: Path) -> dict[str, str]:
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert feed.bozo == 0
    return {entry.id: entry.link for entry in feed.entries}


def test_ids_stay_when_an_update_is_back_dated_or_the_base_url_changes(make_site, tmp_path: Path) -> None:
    site = make_site({"content/appeals/amy.md": appeal(extra=UPDATES)})
    first = _entries(build_site(site, tmp_path / "first"))
    other_address = _entries(build_site(site, tmp_path / "elsewhere", base_url="https://appeals.gazette.example/"))
    (site / "content/appeals/amy.md").write_text(appeal(extra=BACKDATED), encoding="utf-8")
    later = _entries(build_site(site, tmp_path / "later"))
    assert set(first) == set(other_address)
    assert set(first) < set(later)
    assert len(later) == len(first) + 2
    for entry_id in first:
        assert entry_id.startswith("tag:gazette.example,2026:appeals/amy")
        assert later[entry_id] == first[entry_id]


def test_each_entry_links_to_an_anchor_on_the_appeal_page(make_site, tmp_path: Path) -> None:
    site = make_site({"content/appeals/amy.md": appeal(extra=BACKDATED)})
    out = build_site(site, tmp_path / "out")
    page = (out / "appeals/amy/index.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    fragments = [link.split("#", 1)[1] for link in _entries(out).values() if "#" in link]
    assert len(fragments) == 4
    assert len(set(fragments)) == 4
    for fragment in fragments:
        assert fragment in ids


def test_a_site_without_a_publisher_address_still_has_tag_ids(make_site, tmp_path: Path) -> None:
    from .conftest import MINIMAL_SITE_YAML

    bare = "\n".join(line for line in MINIMAL_SITE_YAML.splitlines() if "gazette.example" not in line) + "\n"
    site = make_site({"content/appeals/amy.md": appeal(extra=UPDATES)}, site_yaml=bare)
    first = _entries(build_site(site, tmp_path / "first"))
    again = _entries(build_site(site, tmp_path / "elsewhere", base_url="https://appeals.gazette.example/"))
    assert set(first) == set(again)
    assert all(entry_id.startswith("tag:totaliser.invalid,2026:test-appeals/appeals/amy") for entry_id in first)
