"""What makes a cached rebuild quick must not change what it builds: appeals
kept as summaries, and the cache kept in memory between a dev server's builds."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from tests.conftest import copy_example_site
from tests.test_cache import age, age_all, cold, edit, tree
from totaliser.cache import CACHE_DIR, SHARD_PREFIX, BuildCache, CacheMemory
from totaliser.cache_entries import SUMMARY_FIELDS, StoredAppeal, summary_of
from totaliser.content import Appeal
from totaliser.site import BuildOptions, build, load_site

pytestmark = pytest.mark.xdist_group("cache")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = copy_example_site(tmp_path / "site")
    age_all(folder)
    return folder


def _appeals(site: Path) -> list[Appeal]:
    return load_site(site).content.appeals


def test_a_stored_appeal_answers_as_the_whole_appeal(site: Path) -> None:
    for appeal in _appeals(site):
        summary = summary_of(appeal)
        assert summary is not None
        stored = StoredAppeal(summary, pickle.dumps(appeal, protocol=5))
        for name in [f.name for f in dataclasses.fields(Appeal)] + ["url_path", "percent", "still_needed", "last_changed", "update_dates", "main_donation"]:
            assert getattr(stored, name) == getattr(appeal, name), name
        # Sent to a worker process, it is the appeal itself.
        assert pickle.loads(pickle.dumps(stored)) == appeal


def test_a_stored_appeal_is_unpickled_only_for_what_its_summary_lacks(site: Path) -> None:
    appeal = _appeals(site)[0]
    summary = summary_of(appeal)
    assert summary is not None
    stored = StoredAppeal(summary, pickle.dumps(appeal, protocol=5))
    for name in SUMMARY_FIELDS + ("url_path", "percent", "still_needed"):
        getattr(stored, name)
    assert stored._whole is None
    assert stored.title == appeal.title
    assert stored._whole is not None
    with pytest.raises(AttributeError):
        stored.raised = appeal.raised  # type: ignore[misc]


def test_rebuilds_from_a_cache_in_memory_equal_cold_builds(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    memory = CacheMemory()
    options = BuildOptions(site, output, use_cache=True)
    build(options, memory=memory)
    build(options, memory=memory)
    assert memory.state is not None
    story = sorted((site / "content/appeals").glob("*.md"))[0]
    # One story's text, then its total (which changes every listing page's totals).
    edit(story, "\n\n", "\n\nA new paragraph.\n\n")
    age(story)
    build(options, memory=memory)
    assert tree(output) == cold(site, tmp_path / "cold-1")
    lines = story.read_text(encoding="utf-8").split("\n")
    story.write_text("\n".join("raised: 123" if line.startswith("raised:") else line for line in lines), encoding="utf-8")
    age(story)
    build(options, memory=memory)
    assert tree(output) == cold(site, tmp_path / "cold-2")


def test_a_cache_changed_by_another_build_is_read_again(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    memory = CacheMemory()
    options = BuildOptions(site, output, use_cache=True)
    build(options, memory=memory)
    assert BuildCache(output, memory)._remembered() is memory.state
    # Another process (here: a build without the memory) rebuilds after an edit.
    story = sorted((site / "content/appeals").glob("*.md"))[0]
    edit(story, "\n\n", "\n\nSaid elsewhere.\n\n")
    age(story)
    build(options)
    assert BuildCache(output, memory)._remembered() is None
    edit(story, "Said elsewhere.", "Said here.")
    age(story)
    build(options, memory=memory)
    assert tree(output) == cold(site, tmp_path / "cold")


def test_an_edit_rewrites_only_the_content_file_holding_that_story(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    options = BuildOptions(site, output, use_cache=True)
    build(options)
    build(options)

    def shards() -> dict[str, int]:
        return {path.name: path.stat().st_ino for path in (output / CACHE_DIR).glob(f"{SHARD_PREFIX}*")}

    before = shards()
    assert len(before) > 1
    story = sorted((site / "content/appeals").glob("*.md"))[0]
    edit(story, "\n\n", "\n\nOne more line.\n\n")
    age(story)
    build(options)
    after = shards()
    assert after.keys() == before.keys()
    assert len([name for name in after if after[name] != before[name]]) == 1
    assert tree(output) == cold(site, tmp_path / "cold")
    # Deleted, the story leaves no trace in the content files.
    story.unlink()
    build(options)
    assert not any(story.name.encode() in path.read_bytes() for path in (output / CACHE_DIR).glob(f"{SHARD_PREFIX}*"))
    assert tree(output) == cold(site, tmp_path / "cold-2")
