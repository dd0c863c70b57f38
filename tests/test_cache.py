"""The build cache never makes a build wrong.

Each test changes one input of a site that has been built (and rebuilt, so
that the cache holds a spare copy of the output), rebuilds with the cache,
and compares the result byte for byte with a build made without any cache.
"""

from __future__ import annotations

import os
import pickle
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import ROOT, copy_example_site, run_cli
from totaliser.cache import CACHE_DIR, CONTENT_FILE, SPARE_DIR, STATE_FILE
from totaliser.errors import ContentErrors
from totaliser.site import BuildOptions, build

pytestmark = pytest.mark.xdist_group("cache")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file of a built site, without the cache."""
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if relative.parts[0] == CACHE_DIR or not path.is_file():
            continue
        files[relative.as_posix()] = path.read_bytes()
    return files


def everything(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under a folder, cache included, with its modification time."""
    return {
        path.relative_to(folder).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def cold(site: Path, into: Path) -> dict[str, bytes]:
    build(BuildOptions(site, into, use_cache=False))
    return tree(into)


def age(path: Path) -> None:
    """Make a file look older than the cache's "too recent to trust" window."""
    old = time.time() - 60
    os.utime(path, (old, old))


def age_all(site: Path) -> None:
    for path in site.rglob("*"):
        if path.is_file():
            age(path)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = copy_example_site(tmp_path / "site")
    downloads = folder / "static/downloads"  # files of this site only, not of the theme
    (downloads / "old").mkdir(parents=True)
    (downloads / "leaflet.txt").write_text("How to give", encoding="utf-8")
    (downloads / "old/poster.txt").write_text("Last year's poster", encoding="utf-8")
    age_all(folder)
    return folder


def built_twice(site: Path, output: Path) -> None:
    """A cold build, then a rebuild: the cache now holds a spare copy of the output."""
    build(BuildOptions(site, output, use_cache=True))
    build(BuildOptions(site, output, use_cache=True))
    assert (output / CACHE_DIR / SPARE_DIR).is_dir()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _story_body(site: Path) -> None:
    edit(site / "content/appeals/jacob-buckett.md", "Jacob", "Young Jacob")


def _story_total(site: Path) -> None:
    edit(site / "content/appeals/alfie-dunn.md", "\nraised:", "\nraised: 99999\nold_raised:")


def _story_title(site: Path) -> None:
    path = site / "content/appeals/ruby-ashworth.md"
    edit(path, "---\n", "---\ntitle: A brand new heading for Ruby\n")


def _story_added(site: Path) -> None:
    text = (site / "content/appeals/jacob-buckett.md").read_text(encoding="utf-8")
    (site / "content/appeals/jacob-buckett-two.md").write_text(text, encoding="utf-8")


def _story_deleted(site: Path) -> None:
    (site / "content/appeals/sian-pritchard.md").unlink()


def _draft_published(site: Path) -> None:
    for path in (site / "content/appeals").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        if "status: draft" in text:
            path.write_text(text.replace("status: draft", "status: open"), encoding="utf-8")
            return
    pytest.fail("the example site has no draft")


def _page_edited(site: Path) -> None:
    edit(site / "content/pages/about.md", "\n\n", "\n\nA new first paragraph.\n\n")


def _template_override(site: Path) -> None:
    card = (ROOT / "templates/partials/appeal_card.html").read_text(encoding="utf-8")
    target = site / "templates/partials/appeal_card.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("<!-- our own card -->\n" + card, encoding="utf-8")


def _theme_template_edited(name: str, marker: str) -> Callable[[Path], None]:
    def edit_template(site: Path) -> None:
        theme = (ROOT / "templates" / name).read_text(encoding="utf-8")
        if "</body>" in theme:
            edited = theme.replace("</body>", f"<!-- {marker} --></body>")
        else:  # a template that extends another: inside its last block
            before, _, after = theme.rpartition("{% endblock %}")
            edited = f"{before}<!-- {marker} -->{{% endblock %}}{after}"
        (site / "templates").mkdir(exist_ok=True)
        (site / "templates" / name).write_text(edited, encoding="utf-8")

    return edit_template


def _base_template_edited(site: Path) -> None:
    base = (ROOT / "templates/base.html").read_text(encoding="utf-8")
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates/base.html").write_text(base.replace("</footer>", "<p>Edited footer</p></footer>"), encoding="utf-8")


def _static_file(site: Path) -> None:
    css = site / "static/css/site.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.new-rule { color: red; }\n", encoding="utf-8")


def _static_file_added(site: Path) -> None:
    (site / "static/images/extra.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")


def _static_file_becomes_folder(site: Path) -> None:
    leaflet = site / "static/downloads/leaflet.txt"
    leaflet.unlink()
    leaflet.mkdir()
    (leaflet / "page-1.txt").write_text("Page one", encoding="utf-8")


def _static_folder_becomes_file(site: Path) -> None:
    shutil.rmtree(site / "static/downloads/old")
    (site / "static/downloads/old").write_text("not a folder any more", encoding="utf-8")


def _site_yaml(site: Path) -> None:
    edit(site / "site.yaml", "title: ", "title: Renamed ")


def _privacy_setting(site: Path) -> None:
    edit(site / "site.yaml", "privacy: full", "privacy: first_name")


def _image_replaced(site: Path) -> None:
    from PIL import Image

    image = site / "static/images/sian-pritchard.jpg"
    Image.new("RGB", (800, 600), (20, 120, 200)).save(image, "JPEG")


def _image_shadowed(site: Path) -> None:
    # A photo beside the story takes precedence over the site folder's one.
    from PIL import Image

    shadow = site / "content/appeals/static/images/sian-pritchard.jpg"
    shadow.parent.mkdir(parents=True)
    Image.new("RGB", (640, 480), (200, 30, 30)).save(shadow, "JPEG")


CHANGES: dict[str, Callable[[Path], None]] = {
    "story body": _story_body,
    "story total": _story_total,
    "story title": _story_title,
    "story added": _story_added,
    "story deleted": _story_deleted,
    "draft published": _draft_published,
    "page edited": _page_edited,
    "template override": _template_override,
    "base template": _base_template_edited,
    "appeal template": _theme_template_edited("appeal.html", "edited appeal page"),
    "poster template": _theme_template_edited("poster.html", "edited poster"),
    "embed template": _theme_template_edited("embed.html", "edited embed"),
    "static file": _static_file,
    "static file added": _static_file_added,
    "static file becomes a folder": _static_file_becomes_folder,
    "static folder becomes a file": _static_folder_becomes_file,
    "site.yaml": _site_yaml,
    "privacy setting": _privacy_setting,
    "image replaced": _image_replaced,
    "image shadowed": _image_shadowed,
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_cached_rebuild_equals_a_cold_build(change: str, site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    built_twice(site, output)
    CHANGES[change](site)
    build(BuildOptions(site, output, use_cache=True))
    expected = cold(site, tmp_path / "cold")
    assert tree(output) == expected
    # And again, now that the spare copy is the output from before the change.
    build(BuildOptions(site, output, use_cache=True))
    assert tree(output) == expected


def test_a_chain_of_cached_rebuilds_equals_cold_builds(site: Path, tmp_path: Path) -> None:
    # Each rebuild starts from the spare copy left by the one before last, so
    # what one change rendered is reused (and linked over the spare's older
    # copy) by the rebuilds after it.
    output = tmp_path / "output"
    built_twice(site, output)
    for step, change in enumerate(["story body", "story total", "appeal template", "story deleted", "story added", "story title"]):
        CHANGES[change](site)
        build(BuildOptions(site, output, use_cache=True))
        assert tree(output) == cold(site, tmp_path / f"cold-{step}"), f"after {change}"


def test_the_cache_records_exactly_the_files_and_folders_of_the_output_and_its_spare(site: Path, tmp_path: Path) -> None:
    # A rebuild patches what it records instead of listing every file again:
    # after stories come and go, the records must still name what is there
    # (a stale name would be checked, and looked for, in every later build).
    from totaliser.cache import _read_state, _spare_state

    def listed(folder: Path) -> tuple[set[str], set[str]]:
        files, folders = set(), set()
        for path in folder.rglob("*"):
            relative = path.relative_to(folder)
            if relative.parts[0] != CACHE_DIR:
                (files if path.is_file() else folders).add(relative.as_posix())
        return files, folders

    output = tmp_path / "output"
    built_twice(site, output)
    for change in ["story deleted", "story body", "story added", "story total", "static file becomes a folder", "appeal template"]:
        CHANGES[change](site)
        build(BuildOptions(site, output, use_cache=True))
        state = _read_state(output / CACHE_DIR / STATE_FILE)
        assert state is not None
        assert (set(state.files), set(state.dirs)) == listed(output), f"the output, after {change}"
        spare = _spare_state(state)
        assert spare is not None
        assert (set(spare.files), set(spare.dirs)) == listed(output / CACHE_DIR / SPARE_DIR), f"the spare, after {change}"


def test_rebuilding_unchanged_content_reuses_the_previous_files(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    built_twice(site, output)
    page = output / "appeals/jacob-buckett/index.html"
    before = page.stat()
    build(BuildOptions(site, output, use_cache=True))
    after = page.stat()
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)
    assert tree(output) == cold(site, tmp_path / "cold")


@pytest.fixture(params=["checked here", "checked in a forked process"])
def hand_check(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Whether files were changed by hand is checked in this process for a
    small site, and in a forked one for a large site: both ways are tested."""
    from totaliser import cache, parallel

    forked = request.param == "checked in a forked process"
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "2")
    monkeypatch.setattr(cache, "MIN_FORKED_CHECK", 0 if forked else 10**9)
    # Earlier tests in the same worker (the browser's) may leave a thread running.
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    started: list[int] = []
    start = parallel.Background._start

    def counted(self: parallel.Background) -> None:
        start(self)
        started.append(self._pid)

    monkeypatch.setattr(parallel.Background, "_start", counted)
    yield
    assert bool(started) == forked


@pytest.mark.usefixtures("hand_check")
def test_a_file_edited_by_hand_in_the_output_is_rendered_again(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    built_twice(site, output)
    page = output / "appeals/jacob-buckett/index.html"
    with page.open("a", encoding="utf-8") as handle:  # in place, as an editor might
        handle.write("<!-- edited by hand -->")
    build(BuildOptions(site, output, use_cache=True))
    build(BuildOptions(site, output, use_cache=True))
    assert tree(output) == cold(site, tmp_path / "cold")


@pytest.mark.usefixtures("hand_check")
def test_a_file_added_by_hand_to_the_output_does_not_survive(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    built_twice(site, output)
    (output / "appeals/jacob-buckett/stray.html").write_text("stray", encoding="utf-8")
    for _ in range(3):  # long enough for that output to come back as the spare copy
        build(BuildOptions(site, output, use_cache=True))
        assert tree(output) == cold(site, tmp_path / "cold")


def test_the_cache_can_be_deleted_at_any_time(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    built_twice(site, output)
    shutil.rmtree(output / CACHE_DIR)
    _story_body(site)
    build(BuildOptions(site, output, use_cache=True))
    assert tree(output) == cold(site, tmp_path / "cold")


def test_a_damaged_cache_is_ignored(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    built_twice(site, output)
    (output / CACHE_DIR / CONTENT_FILE).write_bytes(b"not a pickle")
    (output / CACHE_DIR / SPARE_DIR / CACHE_DIR / STATE_FILE).write_bytes(b"\x80\x05garbage")
    _story_total(site)
    build(BuildOptions(site, output, use_cache=True))
    assert tree(output) == cold(site, tmp_path / "cold")


def test_a_cut_short_content_cache_file_is_ignored(site: Path, tmp_path: Path) -> None:
    # Stories' results are read from the cache only when rendered again: a
    # file cut short must be found out when it is opened, not then.
    output = tmp_path / "output"
    built_twice(site, output)
    for shard in (output / CACHE_DIR).glob("content-*.pickle"):
        data = shard.read_bytes()
        shard.unlink()  # a new file: the spare copy's link to it keeps the old bytes
        shard.write_bytes(data[:-10])
    _story_body(site)
    build(BuildOptions(site, output, use_cache=True))
    assert tree(output) == cold(site, tmp_path / "cold")


def test_a_failed_build_leaves_the_output_and_its_cache_untouched(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    built_twice(site, output)
    before = everything(output)
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates/appeal.html").write_text("{% extends 'base.html' %}{% block content %}{{ appeal.nope }}{% endblock %}", encoding="utf-8")
    with pytest.raises(ContentErrors):
        build(BuildOptions(site, output, use_cache=True))
    assert everything(output) == before
    assert not (tmp_path / ".output.staging").exists()


def test_warnings_are_given_again_by_a_cached_build(site: Path, tmp_path: Path) -> None:
    edit(site / "content/appeals/jacob-buckett.md", "\nraised:", "\nrasied_by: the school\nraised:")
    output = tmp_path / "output"
    first = build(BuildOptions(site, output, use_cache=True))
    second = build(BuildOptions(site, output, use_cache=True))
    assert [str(w) for w in first.warnings] == [str(w) for w in second.warnings]
    assert any("rasied_by" in str(w) for w in second.warnings)


def test_a_draft_left_out_is_not_kept_in_the_cache(site: Path, tmp_path: Path) -> None:
    secret = "Nobody may read this sentence yet"
    path = site / "content/appeals/draft-appeal.md"
    path.write_text(
        "---\nchild: Dora Draft\ncondition: asthma\ntarget: 1000\nraised: 10\nhospital: Somewhere\n"
        f"date: 2026-01-01\nstatus: draft\n---\n{secret}.\n",
        encoding="utf-8",
    )
    output = tmp_path / "output"
    build(BuildOptions(site, output, use_cache=True))
    kept = [path for path in (output / CACHE_DIR).glob("*.pickle")]
    assert {STATE_FILE, CONTENT_FILE} <= {path.name for path in kept}
    for path in kept:
        state = path.read_bytes()
        assert secret.encode() not in state
        assert b"Dora" not in state
    # Published with --drafts, it appears, and the next build without drafts drops it again.
    build(BuildOptions(site, output, include_drafts=True, use_cache=True))
    assert (output / "appeals/draft-appeal/index.html").exists()
    build(BuildOptions(site, output, use_cache=True))
    assert tree(output) == cold(site, tmp_path / "cold")


def test_the_cache_keeps_what_it_says(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    build(BuildOptions(site, output, use_cache=True))
    with (output / CACHE_DIR / STATE_FILE).open("rb") as handle:
        state = pickle.load(handle)
    assert set(state.files) == set(tree(output))
    assert {f"appeal:{p.name}" for p in (output / "appeals").iterdir()} <= set(state.groups)


def _generated_site(root: Path, count: int) -> Path:
    root.mkdir(parents=True)
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    folder = root / "content/appeals"
    folder.mkdir(parents=True)
    for number in range(count):
        (folder / f"child-{number:03d}.md").write_text(
            f"---\nchild: Child {number}\ncondition: asthma\ntarget: {1000 + number}\nraised: {number * 7}\n"
            f"hospital: General\ndate: 2026-01-{1 + number % 28:02d}\nmystery_{number % 3}: x\n---\n"
            f"Child {number} needs *help*.\n\n- one\n- two\n",
            encoding="utf-8",
        )
    return root


# With the cache, changed stories are read by cache.py's loader; without it,
# every story by parallel.ForkedLoader.
WITH_AND_WITHOUT_CACHE = pytest.mark.parametrize("cache_flags", [["--cache"], []], ids=["cache", "no-cache"])


@WITH_AND_WITHOUT_CACHE
def test_forked_workers_build_the_same_site_as_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_flags: list[str]) -> None:
    site = _generated_site(tmp_path / "site", 150)
    outputs = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv("TOTALISER_JOBS", jobs)
        result = run_cli("build", *cache_flags, "--site", str(site), "--output", str(tmp_path / f"out-{jobs}"))
        assert result.returncode == 0, result.stderr
        outputs[jobs] = (tree(tmp_path / f"out-{jobs}"), result.stderr)
    assert outputs["1"] == outputs["2"]
    assert "mystery_0" in outputs["2"][1]


@WITH_AND_WITHOUT_CACHE
def test_forked_workers_report_every_error_in_file_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_flags: list[str]) -> None:
    site = _generated_site(tmp_path / "site", 120)
    for number in (5, 80, 119):
        edit(site / f"content/appeals/child-{number:03d}.md", "target:", "target: lots\nold_target:")
    results = []
    for jobs in ("1", "2"):
        monkeypatch.setenv("TOTALISER_JOBS", jobs)
        result = run_cli("build", *cache_flags, "--site", str(site), "--output", str(tmp_path / "out"))
        results.append(result)
        assert result.returncode == 1
    lines = [line for line in results[-1].stderr.splitlines() if ": target:" in line]
    assert [line.split(":")[0] for line in lines] == [
        f"content/appeals/child-{n:03d}.md" for n in (5, 80, 119)
    ]
    assert results[0].stderr == results[1].stderr


def test_listing_pages_made_stale_by_a_new_total_are_rendered_in_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every listing page shows the site totals, so one new total makes every
    # page stale; at 10,000 appeals that is 417 pages, shared among workers
    # like appeals. (Here 7 pages, with the threshold for forking lowered.)
    from totaliser import parallel
    from totaliser import site as site_module

    site = _generated_site(tmp_path / "site", 150)
    age_all(site)
    output = tmp_path / "output"
    built_twice(site, output)
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "2")
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    mapped: list[list[str]] = []
    real_fork_map = site_module.fork_map

    def noting_fork_map(task: Callable[[object], object], items: list[tuple[str, bytes, object]], **options: object) -> list[object]:
        mapped.append([group for group, _key, _item in items])
        return real_fork_map(task, items, **options)

    monkeypatch.setattr(site_module, "fork_map", noting_fork_map)
    edit(site / "content/appeals/child-040.md", "raised: 280", "raised: 900")
    build(BuildOptions(site, output, use_cache=True))
    assert [f"index:{number}" for number in range(1, 8)] in mapped
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "1")
    assert tree(output) == cold(site, tmp_path / "cold")


def _mtime(path: Path) -> int:
    return path.stat().st_mtime_ns


def test_a_template_change_renders_again_only_what_uses_it(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    built_twice(site, output)
    appeal_page = output / "appeals/jacob-buckett/index.html"
    home = output / "index.html"
    before = (_mtime(appeal_page), _mtime(home))
    _template_override(site)  # the card partial: used by the listing only
    build(BuildOptions(site, output, use_cache=True))
    assert _mtime(appeal_page) == before[0]
    assert _mtime(home) != before[1]
    assert b"our own card" in home.read_bytes()
    assert tree(output) == cold(site, tmp_path / "cold")


# Every file of an appeal with a photo, by the part of its outputs that writes it.
APPEAL_FILES = {
    "page": ["index.html"], "embed": ["embed/index.html"], "poster": ["poster/index.html"],
    "badge": ["thermometer.svg"], "card": ["card.png"], "photo": ["photo-480.jpg", "photo-480.webp"],
}


@pytest.mark.parametrize(("template", "part"), [("appeal.html", "page"), ("poster.html", "poster"), ("embed.html", "embed")])
def test_a_template_change_renders_again_only_that_part_of_each_appeal(site: Path, tmp_path: Path, template: str, part: str) -> None:
    output = tmp_path / "output"
    built_twice(site, output)
    folder = output / "appeals/sian-pritchard"
    assert all((folder / name).is_file() for names in APPEAL_FILES.values() for name in names)
    before = {name: _mtime(folder / name) for names in APPEAL_FILES.values() for name in names}
    _theme_template_edited(template, "edited")(site)
    build(BuildOptions(site, output, use_cache=True))
    rendered = {name for name in before if _mtime(folder / name) != before[name]}
    assert rendered == set(APPEAL_FILES[part])
    assert b"<!-- edited -->" in (folder / APPEAL_FILES[part][0]).read_bytes()
    assert tree(output) == cold(site, tmp_path / "cold")


def test_a_template_no_listing_or_appeal_output_uses_counts_for_every_appeal(site: Path, tmp_path: Path) -> None:
    # An appeal output whose template is not listed in APPEAL_PART_TEMPLATES
    # is still safe: a template no known output uses counts for every appeal.
    output = tmp_path / "output"
    (site / "templates/partials").mkdir(parents=True, exist_ok=True)
    (site / "templates/partials/unlisted.html").write_text("one", encoding="utf-8")
    built_twice(site, output)
    appeal_page = output / "appeals/jacob-buckett/index.html"
    poster = output / "appeals/jacob-buckett/poster/index.html"
    home = output / "index.html"
    before = (_mtime(appeal_page), _mtime(poster), _mtime(home))
    (site / "templates/partials/unlisted.html").write_text("two", encoding="utf-8")
    build(BuildOptions(site, output, use_cache=True))
    assert _mtime(appeal_page) != before[0]
    assert _mtime(poster) != before[1]
    assert _mtime(home) == before[2]


# Changes made for speed that must not change a byte of the output.


@given(st.text(alphabet=st.sampled_from(list("ab&<>\"'\n\r\t é"))))
def test_the_feeds_own_escaping_matches_the_standard_library(text: str) -> None:
    from xml.sax import saxutils

    from totaliser.outputs.feeds import escape, quoteattr

    assert escape(text) == saxutils.escape(text)
    assert quoteattr(text) == saxutils.quoteattr(text)


def test_appeals_json_written_record_by_record_is_laid_out_as_json_dumps(site: Path, tmp_path: Path) -> None:
    import json

    from totaliser.outputs import feeds
    from totaliser.site import load_site

    loaded = load_site(site)
    appeals = loaded.content.appeals
    assert appeals
    whole = {"appeals": [feeds.appeal_record(a, loaded.config) for a in feeds.order_appeals(appeals)]}
    assert feeds.appeals_json(appeals, loaded.config) == json.dumps(whole, ensure_ascii=False, indent=2) + "\n"
    assert feeds.appeals_json([], loaded.config) == json.dumps({"appeals": []}, indent=2) + "\n"


def test_markdown_set_up_from_objects_converts_like_extra_by_name() -> None:
    import markdown

    from totaliser.markup import _make_markdown

    text = (
        "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nText[^1] with HTML.\n\n*[HTML]: Hyper Text\n\n[^1]: A note.\n\n"
        "Term\n: Definition\n\n```python\nx = 1\n```\n\nPara {: .cls }\n\n<div markdown=\"1\">*inner*</div>\n\n"
        "1. one\n2. two\n* bullet\n\n3. three\n"
    )
    by_name = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    assert _make_markdown().convert(text) == by_name.convert(text)


@given(
    st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 3)),
    st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 3)),
)
def test_the_spare_copy_is_saved_as_its_difference_from_the_output(spare_values: dict[str, int], output_values: dict[str, int]) -> None:
    from totaliser.cache import FORMAT, _spare_difference, _spare_state, _State

    stamps = {name: (value, value, value) for name, value in spare_values.items()}
    spare = _State(FORMAT, b"code", files=stamps, dirs=dict(spare_values))
    output = _State(FORMAT, b"code", files={name: (value, value, value) for name, value in output_values.items()}, dirs=dict(output_values))
    output.spare = _spare_difference(spare, output)
    restored = _spare_state(output)
    assert restored is not None
    assert (restored.files, restored.dirs) == (spare.files, spare.dirs)
    assert output.spare.dirs.keys() <= spare_values.keys() | output_values.keys()


@given(
    st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 3)),
    st.sets(st.sampled_from("abcdefgh")), st.sets(st.sampled_from("abcdefgh")),
    st.dictionaries(st.sampled_from("ijkl"), st.integers(0, 3)),
)
def test_the_spare_s_difference_needs_comparing_only_what_the_build_touched(
    spare_values: dict[str, int], touched: set[str], removed: set[str], added: dict[str, int]
) -> None:
    # A rebuild copies the records it reuses (the same objects) and makes new
    # ones for what it renders (equal or not); the difference found comparing
    # only those is the one found comparing everything.
    from totaliser.cache import FORMAT, _spare_difference, _spare_state, _State

    spare_files = {name: (value, value, value) for name, value in spare_values.items()}
    files = {name: stamp for name, stamp in spare_files.items() if name not in removed}
    files.update((name, (value + 1, value, value) if value % 2 else (value, value, value)) for name, value in spare_values.items() if name in touched and name not in removed)
    files.update((name, (value, value, value)) for name, value in added.items())
    # Folders too (named like the files here): the output's are other folders, with other times.
    spare = _State(FORMAT, b"code", files=spare_files, dirs=dict(spare_values))
    output = _State(FORMAT, b"code", files=files, dirs={name: 10 + stamp[0] for name, stamp in files.items()})
    # A name new to the output is always one the build made.
    names = {"groups": (), "files": touched | added.keys(), "dirs": added.keys()}
    found = _spare_difference(spare, output, names)
    assert found.files == _spare_difference(spare, output).files
    output.spare = found
    restored = _spare_state(output)
    assert restored is not None
    assert (restored.files, restored.dirs) == (spare.files, spare.dirs)
