"""The build cache never makes a build wrong.

Each test changes inputs of a site that has been built (and rebuilt, so
that the cache holds a spare copy of the output), rebuilds with the cache,
and compares the result byte for byte with a build made without any cache.
A stateful property test does the same after random sequences of edits,
through the command line's cache on disk and the dev server's in memory.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_example_site
from totaliser.cache import CACHE_DIR, SPARE_DIR, STATE_FILE, VALUES_FILE, numbers
from totaliser.errors import ContentErrors
from totaliser.site import BuildOptions, build, open_cache

pytestmark = pytest.mark.xdist_group("cache")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file and folder of a built site, hidden ones too."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() if path.is_file() else b"<folder>"
        for path in sorted(folder.rglob("*"))
    }


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
    assert (site / CACHE_DIR / SPARE_DIR).is_dir()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def watched(monkeypatch: pytest.MonkeyPatch, module: object, name: str, noted: Callable[..., object]) -> list[object]:
    """The calls of ``module.name`` from now on, each as ``noted(*arguments)``."""
    calls: list[object] = []
    original = getattr(module, name)

    def watching(*arguments: object) -> object:
        calls.append(noted(*arguments))
        return original(*arguments)

    monkeypatch.setattr(module, name, watching)
    return calls


def _new_total(site: Path) -> None:
    edit(site / "content/appeals/jacob-buckett.md", 'raised: "£25,000"', 'raised: "£25,001"')


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


def _page_added(site: Path) -> None:
    (site / "content/pages/contact.md").write_text("---\ntitle: Contact us\n---\nWrite to the appeals desk.\n", encoding="utf-8")


def _page_deleted(site: Path) -> None:
    (site / "content/pages/about.md").unlink()


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
    "page added": _page_added,
    "page deleted": _page_deleted,
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


def test_a_new_childs_surname_is_hidden_in_the_other_stories_outputs_at_once(site: Path, tmp_path: Path) -> None:
    # Under privacy: first_name a child's surname is hidden wherever it is
    # written, in every story. A new child named Bristol changes what Jacob's
    # poster, cards and listings show of "Bristol Royal Hospital for Children",
    # though Jacob's story is untouched.
    _privacy_setting(site)
    output = tmp_path / "output"
    built_twice(site, output)
    text = (site / "content/appeals/ruby-ashworth.md").read_text(encoding="utf-8")
    (site / "content/appeals/amy-bristol.md").write_text(text.replace("Ruby Ashworth", "Amy Bristol"), encoding="utf-8")
    build(BuildOptions(site, output, use_cache=True))
    expected = cold(site, tmp_path / "cold")
    assert "Bristol Royal" not in expected["appeals/jacob-buckett/poster/index.html"].decode()
    assert tree(output) == expected


def test_a_site_copied_with_its_cache_builds_from_its_own_files(site: Path, tmp_path: Path) -> None:
    # A site folder copied whole (to try something on a copy, or to start
    # next year's appeals from this year's): the copied cache described the
    # first folder's files, which are still there, unchanged, so an edit of
    # the copy's story was not seen and its page stayed as it was.
    built_twice(site, tmp_path / "output")
    copy = tmp_path / "copy"
    shutil.copytree(site, copy)
    build(BuildOptions(copy, tmp_path / "copy-output", use_cache=True))
    edit(copy / "content/appeals/jacob-buckett.md", "Jacob", "Young Jacob")
    build(BuildOptions(copy, tmp_path / "copy-output", use_cache=True))
    expected = cold(copy, tmp_path / "cold")
    assert "Young Jacob" in expected["appeals/jacob-buckett/index.html"].decode()
    assert tree(tmp_path / "copy-output") == expected


def restored(output: Path, site: Path) -> None:
    """The output folder as the GitHub workflow brings it back from its cache
    before a build: the same files in a new folder, and no spare copy."""
    copy = output.with_name(output.name + "-restored")
    shutil.copytree(output, copy)
    shutil.rmtree(output)
    copy.rename(output)
    shutil.rmtree(site / CACHE_DIR / SPARE_DIR, ignore_errors=True)


def test_what_a_restored_output_holds_that_no_build_made_is_not_kept(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    built_twice(site, output)
    restored(output, site)
    card = output / "appeals/jacob-buckett/card.png"
    card.write_bytes(card.read_bytes()[:-8])  # changed by hand, or damaged on the way
    (output / "appeals/jacob-buckett/index.html").write_text("<p>edited by hand</p>", encoding="utf-8")
    (output / "notes.txt").write_text("not the site's", encoding="utf-8")
    (output / "empty").mkdir()
    report = build(BuildOptions(site, output))
    assert sorted(report.made) == ["card:jacob-buckett", "page:jacob-buckett"]
    assert tree(output) == cold(site, tmp_path / "cold")
    # It held an empty folder, which a list of files cannot describe: it is
    # not kept as the spare, and the next rebuild starts afresh.
    CHANGES["story total"](site)
    build(BuildOptions(site, output))
    assert tree(output) == cold(site, tmp_path / "cold-2")


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
    # What outputs no longer read is dropped from the cache's tables of reads.
    cache = open_cache(site)
    with cache.locked():
        for shard in cache._shards:
            for kind, table in (("content", "content reads"), ("outputs", "output reads")):
                read = {number for entry in shard[kind].values() for number in numbers(entry.reads)}
                assert sorted(read) == list(range(len(shard[table])))
    assert all(sum(len(shard[table]) for shard in cache._shards) for table in ("content reads", "output reads"))


@pytest.mark.parametrize("changed_since_the_spare", [False, True], ids=["as in the spare copy", "changed since the spare copy"])
def test_a_file_deleted_by_hand_from_the_output_is_put_back(site: Path, tmp_path: Path, changed_since_the_spare: bool) -> None:
    # The next output starts from the spare copy (the output before last):
    # a file unchanged since is there already; one changed since is linked
    # from the current output, and, gone from it, is made again.
    output = tmp_path / "output"
    built_twice(site, output)
    story = site / "content/appeals/jacob-buckett.md"
    if changed_since_the_spare:
        for word in ("first", "second"):
            story.write_text(story.read_text(encoding="utf-8") + f"\nA {word} new paragraph.\n", encoding="utf-8")
            build(BuildOptions(site, output))
    deleted = [output / "appeals/jacob-buckett/index.html", output / "appeals/jacob-buckett/embed/index.html"]
    for path in deleted:
        path.unlink()
    _story_title(site)  # another story
    report = build(BuildOptions(site, output))
    assert all(path.is_file() for path in deleted)
    assert ("page:jacob-buckett" in report.made) == changed_since_the_spare
    assert tree(output) == cold(site, tmp_path / "cold")
    if changed_since_the_spare:  # the next build starts from the output that lacked them
        build(BuildOptions(site, output))
        assert tree(output) == cold(site, tmp_path / "cold-again")


def test_a_file_made_again_never_writes_through_to_the_output_it_replaces(site: Path, tmp_path: Path) -> None:
    # With no spare copy yet, every kept file is linked from the current
    # output: the files of an output made again must be new ones, not those
    # links written over, which would change the live site mid-build.
    output = tmp_path / "output"
    build(BuildOptions(site, output))
    embed = output / "appeals/jacob-buckett/embed/index.html"
    os.utime(embed, ns=(10**18, 10**18))
    (output / "appeals/jacob-buckett/index.html").unlink()
    build(BuildOptions(site, output))
    assert tree(output) == cold(site, tmp_path / "cold")
    replaced = site / CACHE_DIR / SPARE_DIR / "appeals/jacob-buckett/embed/index.html"
    assert replaced.stat().st_mtime_ns == 10**18


def test_rebuilding_unchanged_content_makes_nothing(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    first = build(BuildOptions(site, output))
    assert first.made
    again = build(BuildOptions(site, output))
    assert again.made == []
    assert again.files == first.files
    assert tree(output) == cold(site, tmp_path / "cold")


@pytest.mark.parametrize("restore", [False, True], ids=["same folder", "output restored into a new folder"])
def test_a_new_paragraph_makes_only_the_appeal_page_again(site: Path, tmp_path: Path, restore: bool) -> None:
    # The card, poster, embed, badge, listings, their feeds, appeals.json and
    # the search index read other fields of the story than its body (the
    # summary, its first paragraph, stays): they are kept. The site's feed
    # carries the story of each of its entries.
    output = tmp_path / "output"
    built_twice(site, output)
    if restore:
        # Not the folder the last build made, so not trusted as it stands: what
        # it holds is read, and the outputs whose files are there unchanged are kept.
        restored(output, site)
    path = site / "content/appeals/ruby-ashworth.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nAnother paragraph.\n", encoding="utf-8")
    report = build(BuildOptions(site, output))
    assert sorted(report.made) == ["feed.xml", "page:ruby-ashworth"]
    assert tree(output) == cold(site, tmp_path / "cold")
    # The folder replaced is now the spare, known file by file: later rebuilds start from it.
    for step, change in enumerate(["story total", "story title", "story deleted"]):
        CHANGES[change](site)
        build(BuildOptions(site, output))
        assert tree(output) == cold(site, tmp_path / f"cold-{step}"), f"after {change}"


def test_an_edit_that_changes_no_listing_takes_the_values_the_last_build_worked_out(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Grouping every appeal into listings again is most of what a one-story
    # edit would cost on a large site. The values are kept under a key of
    # what they read (each appeal's facts): a new total changes the key.
    from totaliser import site_values

    output = tmp_path / "output"
    built_twice(site, output)
    grouped = watched(monkeypatch, site_values, "index_terms", len)
    _story_body(site)
    build(BuildOptions(site, output))
    assert grouped == []
    _new_total(site)
    build(BuildOptions(site, output))
    assert len(grouped) == 1
    assert tree(output) == cold(site, tmp_path / "cold")


def test_a_new_total_makes_one_line_of_appeals_json_again(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # appeals.json reads every appeal; each appeal's line is kept with what
    # it read (totaliser/parts.py), so only the changed appeal's is made.
    from totaliser.outputs import feeds

    output = tmp_path / "output"
    built_twice(site, output)
    made = watched(monkeypatch, feeds, "appeal_record", lambda appeal, config: appeal.slug)
    _new_total(site)
    assert "appeals.json" in build(BuildOptions(site, output)).made
    assert made == ["jacob-buckett"]
    assert tree(output) == cold(site, tmp_path / "cold")
    # A line also says the site's address: kept lines with the old one would differ.
    edit(site / "site.yaml", "base_url: https://example.github.io/appeals-site/", "base_url: https://appeals.example.org/")
    build(BuildOptions(site, output))
    assert b"https://appeals.example.org/appeals/jacob-buckett/" in (output / "appeals.json").read_bytes()
    assert tree(output) == cold(site, tmp_path / "cold-2")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "a length changed", "other code"])
def test_damaged_or_foreign_kept_lines_of_appeals_json_are_made_again(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str,
) -> None:
    from totaliser import parts

    output = tmp_path / "output"
    built_twice(site, output)
    kept = sorted((site / CACHE_DIR / parts.PARTS_DIR / "appeals.json").iterdir())
    assert kept
    for path in kept:
        data = path.read_bytes()
        if damage == "garbage":
            path.write_bytes(b"not a pickle at all")
        elif damage == "truncated":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "a length changed":  # pickle's first frame then claims more than there is
            path.write_bytes(data[:10] + b"\xff" + data[11:])
    if damage == "other code":  # written by another version of Totaliser: its lines could be written otherwise
        monkeypatch.setattr(parts, "FORMAT", ("another format",))
    _new_total(site)
    build(BuildOptions(site, output))
    assert tree(output) == cold(site, tmp_path / "cold")
    for path in kept:  # each written whole again
        with open(path, "rb") as file:
            assert pickle.load(file) == (parts.FORMAT, open_cache(site).state.code)
            assert pickle.load(file)


def test_a_site_built_by_another_spelling_of_its_path_makes_nothing_again(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _template_override(site)  # a template of the site's own, found through the site's path
    output = tmp_path / "output"
    built_twice(site, output)
    monkeypatch.chdir(site.parent)
    assert build(BuildOptions(Path(site.name), Path(os.path.relpath(output)))).made == []


def test_a_site_built_from_another_folder_reads_no_story_again(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `--site site` from its parent folder, then `--site .` from inside it:
    # the files the cache recorded are the same files.
    from totaliser import content

    output = tmp_path / "output"
    monkeypatch.chdir(site.parent)
    built_twice(Path(site.name), output)
    read = watched(monkeypatch, content, "load_appeal", lambda path, *rest: path)
    monkeypatch.chdir(site)
    assert build(BuildOptions(Path("."), output)).made == []
    assert read == []


def test_a_template_change_makes_again_only_what_uses_it(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    built_twice(site, output)
    _theme_template_edited("poster.html", "edited poster")(site)
    report = build(BuildOptions(site, output))
    assert sorted(report.made) == sorted(f"page:{appeal.slug}" for appeal in report.appeals)  # the poster is part of it
    assert tree(output) == cold(site, tmp_path / "cold")


def test_a_photo_of_another_size_with_its_story_untouched_is_published_and_linked(site: Path, tmp_path: Path) -> None:
    from PIL import Image

    output = tmp_path / "output"
    built_twice(site, output)
    Image.new("RGB", (700, 500), (20, 120, 200)).save(site / "static/images/sian-pritchard.jpg", "JPEG")
    build(BuildOptions(site, output))
    assert tree(output) == cold(site, tmp_path / "cold")
    home = (output / "index.html").read_text(encoding="utf-8")
    assert "sian-pritchard/photo-700.jpg" in home
    assert "photo-1440" not in (output / "appeals/sian-pritchard/index.html").read_text(encoding="utf-8")


def test_the_cache_lives_in_the_site_folder_and_no_cache_neither_reads_nor_writes_it(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    build(BuildOptions(site, output, use_cache=False))
    assert not (site / CACHE_DIR).exists()
    build(BuildOptions(site, output))
    before = everything(site / CACHE_DIR)
    _story_total(site)
    build(BuildOptions(site, output, use_cache=False))
    assert everything(site / CACHE_DIR) == before
    assert tree(output) == cold(site, tmp_path / "cold")
    # The output was replaced behind the cache's back: what it holds is read,
    # not trusted. (The story edited is a draft: no output changed.)
    assert build(BuildOptions(site, output)).made == []
    assert tree(output) == cold(site, tmp_path / "cold-2")


def test_the_cache_can_be_deleted_at_any_time(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    built_twice(site, output)
    shutil.rmtree(site / CACHE_DIR)
    _story_body(site)
    build(BuildOptions(site, output))
    assert tree(output) == cold(site, tmp_path / "cold")


@pytest.mark.parametrize("damage", ["garbage", "empty", "truncated", "a shard missing"])
def test_a_damaged_cache_is_ignored(site: Path, tmp_path: Path, damage: str) -> None:
    output = tmp_path / "output"
    built_twice(site, output)
    state = site / CACHE_DIR / STATE_FILE
    shard = next((site / CACHE_DIR).glob("shard-*.pickle"))
    if damage == "garbage":
        state.write_bytes(b"not a pickle at all")
    elif damage == "empty":
        shard.write_bytes(b"")
    elif damage == "truncated":
        data = shard.read_bytes()
        shard.write_bytes(data[: len(data) // 2])
    else:
        shard.unlink()
    _story_total(site)
    build(BuildOptions(site, output))
    assert tree(output) == cold(site, tmp_path / "cold")
    assert build(BuildOptions(site, output)).made == []  # and it is whole again


def test_under_first_name_privacy_a_childs_new_surname_changes_the_listings_it_hides(site: Path, tmp_path: Path) -> None:
    # Ruby's new surname is a word of another appeal's hospital, which is
    # then hidden there: that appeal's story and facts are untouched, but the
    # listing it is in is not the one it was.
    _privacy_setting(site)
    output = tmp_path / "output"
    built_twice(site, output)
    edit(site / "content/appeals/ruby-ashworth.md", "child: Ruby Ashworth", "child: Ruby Bristol")
    build(BuildOptions(site, output))
    assert tree(output) == cold(site, tmp_path / "cold")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "written for another site"])
def test_damaged_or_foreign_kept_values_are_worked_out_again(site: Path, tmp_path: Path, damage: str) -> None:
    output = tmp_path / "output"
    built_twice(site, output)
    kept = site / CACHE_DIR / VALUES_FILE
    data = kept.read_bytes()
    if damage == "garbage":
        kept.write_bytes(b"not a pickle at all")
    elif damage == "truncated":
        kept.write_bytes(data[: len(data) // 2])
    else:
        other = copy_example_site(tmp_path / "other")
        edit(other / "content/appeals/jacob-buckett.md", 'raised: "£25,000"', 'raised: "£1"')
        build(BuildOptions(other, tmp_path / "other-output"))
        shutil.copy(other / CACHE_DIR / VALUES_FILE, kept)
    _story_body(site)  # the facts as they were: the kept values would be taken
    build(BuildOptions(site, output))
    assert tree(output) == cold(site, tmp_path / "cold")


def test_the_cache_forgets_files_no_longer_read(site: Path, tmp_path: Path) -> None:
    # Each build keeps the stats and hashes of the files it read; a deleted
    # story's must not pile up, build after build.
    output = tmp_path / "output"
    built_twice(site, output)
    deleted = site / "content/appeals/sian-pritchard.md"
    assert str(deleted) in _kept_file_stats(site)
    _story_deleted(site)
    build(BuildOptions(site, output))
    kept = _kept_file_stats(site)
    assert str(deleted) not in kept
    assert str(site / "content/appeals/jacob-buckett.md") in kept


def _kept_file_stats(site: Path) -> dict[str, object]:
    cache = open_cache(site)
    with cache.locked():  # read from disk
        return dict(cache.state.file_stats)


def test_a_cache_written_by_other_code_is_ignored(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from totaliser import site as site_module

    output = tmp_path / "output"
    built_twice(site, output)
    monkeypatch.setattr(site_module, "_code", b"another version of Totaliser")
    everything_made = build(BuildOptions(site, tmp_path / "cold", use_cache=False)).made
    assert sorted(build(BuildOptions(site, output)).made) == sorted(everything_made)


def test_a_spare_copy_the_cache_does_not_know_is_read_not_deleted(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # After an upgrade the cache is ignored, and the spare copy with it: it is
    # read, and the files it holds that the new output has too stay in place.
    from totaliser import site as site_module

    output = tmp_path / "output"
    built_twice(site, output)
    spare = site / CACHE_DIR / SPARE_DIR
    kept = spare / "static/css/site.css"
    inode = kept.stat().st_ino
    monkeypatch.setattr(site_module, "_code", b"another version of Totaliser")
    build(BuildOptions(site, output))
    assert (output / "static/css/site.css").stat().st_ino == inode
    assert tree(output) == cold(site, tmp_path / "cold")
    for step, change in enumerate(["story total", "story deleted"]):
        CHANGES[change](site)
        build(BuildOptions(site, output))
        assert tree(output) == cold(site, tmp_path / f"cold-{step}"), f"after {change}"


def test_a_build_into_a_folder_on_another_disk_leaves_the_spare_copy_alone(site: Path, tmp_path: Path) -> None:
    # The spare copy cannot be moved to another disk: that build starts afresh.
    other_disk = Path("/dev/shm")
    if not other_disk.is_dir() or other_disk.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("needs a folder on another file system (/dev/shm)")
    built_twice(site, tmp_path / "output")
    elsewhere = Path(tempfile.mkdtemp(dir=other_disk))
    try:
        build(BuildOptions(site, elsewhere / "output"))
        # (Compared with a build on the same disk: Pagefind's index follows
        # the order in which the disk lists the files it is given.)
        assert tree(elsewhere / "output") == cold(site, elsewhere / "cold")
        CHANGES["story total"](site)
        build(BuildOptions(site, elsewhere / "output"))
        assert tree(elsewhere / "output") == cold(site, elsewhere / "cold-2")
    finally:
        shutil.rmtree(elsewhere)


def test_a_spare_copy_that_is_a_link_is_never_followed(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    built_twice(site, output)
    spare = site / CACHE_DIR / SPARE_DIR
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(spare, elsewhere)
    before = tree(elsewhere)
    shutil.rmtree(spare)
    spare.symlink_to(elsewhere, target_is_directory=True)
    for step, change in enumerate(["story total", "story title"]):
        CHANGES[change](site)
        build(BuildOptions(site, output))
        assert not output.is_symlink()
        assert tree(output) == cold(site, tmp_path / f"cold-{step}")
        assert tree(elsewhere) == before


def test_a_failed_build_leaves_the_output_untouched(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    built_twice(site, output)
    before = tree(output)
    edit(site / "content/appeals/jacob-buckett.md", "\nraised:", "\nraised: fifty grand\nold_raised:")
    with pytest.raises(ContentErrors):
        build(BuildOptions(site, output))
    assert tree(output) == before
    # A template error is found while outputs are made: still nothing changes.
    edit(site / "content/appeals/jacob-buckett.md", "\nraised: fifty grand\nold_raised:", "\nraised:")
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates/poster.html").write_text("<p>{{ appeal.chlid }}</p>", encoding="utf-8")
    with pytest.raises(ContentErrors):
        build(BuildOptions(site, output))
    assert tree(output) == before
    (site / "templates/poster.html").unlink()
    build(BuildOptions(site, output))
    assert tree(output) == cold(site, tmp_path / "cold")


def test_warnings_are_given_again_by_a_cached_build(site: Path, tmp_path: Path) -> None:
    edit(site / "content/appeals/jacob-buckett.md", "---\n", "---\nfavourite_colour: blue\n")
    output = tmp_path / "output"
    first = build(BuildOptions(site, output))
    again = build(BuildOptions(site, output))
    assert [str(w) for w in again.warnings] == [str(w) for w in first.warnings]
    assert any("favourite_colour" in str(w) for w in again.warnings)


def many_stories(tmp_path: Path) -> Path:
    """The example site with 60 more stories: enough for the work to be spread over processes."""
    site = copy_example_site(tmp_path / "site")
    story = (site / "content/appeals/jacob-buckett.md").read_text(encoding="utf-8")
    for number in range(60):
        (site / f"content/appeals/copy-{number:02d}.md").write_text(story.replace("Jacob", f"Jacob {number}"), encoding="utf-8")
    return site


def test_forked_workers_build_the_same_site_as_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = many_stories(tmp_path)
    monkeypatch.setenv("TOTALISER_JOBS", "1")
    build(BuildOptions(site, tmp_path / "one", use_cache=False))
    monkeypatch.setenv("TOTALISER_JOBS", "2")
    build(BuildOptions(site, tmp_path / "two"))
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert (site / CACHE_DIR).is_dir()


def test_what_workers_learn_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Stories and photos read in a worker process, and site values worked
    # out there: their stats and hashes, and the values, are handed back and
    # kept, so the next build hashes none of the files again and works out
    # no value again (after a cold build of 10,000 appeals, it hashed every
    # story and worked out every listing's values).
    from totaliser import reads
    from totaliser.site_values import NOT_FROM_FACTS, SiteValues

    site = many_stories(tmp_path)
    age_all(site)
    monkeypatch.setenv("TOTALISER_JOBS", "2")
    build(BuildOptions(site, tmp_path / "output"))
    kept = _kept_file_stats(site)
    stories = sorted(str(path) for path in (site / "content/appeals").glob("*.md"))
    assert [path for path in stories if path not in kept] == []
    photos = [str(path) for path in (site / "static/images").glob("*.jpg")]
    assert photos and all(path in kept for path in photos)
    texts = {Path(path).read_bytes() for path in stories + photos}
    hashed = watched(monkeypatch, reads, "digest", lambda *parts: any(part in texts for part in parts))
    worked_out = watched(monkeypatch, SiteValues, "__call__", lambda values, name: name)
    build(BuildOptions(site, tmp_path / "output"))
    assert hashed and not any(hashed)
    assert set(worked_out) <= set(NOT_FROM_FACTS)  # never kept: the settings, the plain pages


def test_a_story_s_new_paragraph_unpickles_none_of_the_listings_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The kept values of each kind are unpickled when one is first read: the
    # listings' pages, not made again, need only their values' fingerprints.
    from totaliser.pickled import KeptValues

    site = copy_example_site(tmp_path / "site")
    age_all(site)
    build(BuildOptions(site, tmp_path / "output"))
    story = site / "content/appeals/jacob-buckett.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nA new paragraph at the end.\n", encoding="utf-8")
    age_all(site)
    loaded: list[KeptValues | None] = []
    stored = KeptValues.stored
    monkeypatch.setattr(KeptValues, "stored", lambda data: loaded.append(stored(data)) or loaded[-1])
    report = build(BuildOptions(site, tmp_path / "output"))
    assert sorted(report.made) == ["feed.xml", "page:jacob-buckett"]  # its feed entry holds the story
    [kept] = loaded
    assert kept is not None
    still_pickled = {kind for kind, values in kept._kinds.items() if isinstance(values, bytes)}
    assert {"listing", "term-page", "term-newest", "slugs"} <= still_pickled
    assert tree(tmp_path / "output") == cold(site, tmp_path / "cold")


def test_kept_values_come_back_as_kept_and_a_damaged_kind_is_worked_out_again() -> None:
    from totaliser.pickled import KeptValues

    found = {"order": (("a", "b"), b"1"), "listing:1": (("a",), b"2"), "listing:2": (("b",), b"3"), "totals": (7, b"4")}
    stored = KeptValues.stored(pickle.loads(pickle.dumps(KeptValues.of(found).to_store())))
    assert stored is not None and len(stored) == 4
    assert {name: stored.get(name) for name in found} == found
    assert stored.get("listing:3") is None
    more = stored.with_more({"listing:3": (("c",), b"5"), "as-of": (None, b"6")})
    assert {name: more.get(name) for name in [*found, "listing:3", "as-of"]} == {**found, "listing:3": (("c",), b"5"), "as-of": (None, b"6")}
    assert stored.get("listing:3") is None  # the one it was made from is as it was
    fingerprints, kinds = KeptValues.of(found).to_store()
    damaged = KeptValues.stored((fingerprints, {**kinds, "listing": kinds["listing"][:-3]}))
    assert damaged is not None and damaged.get("listing:1") is None and damaged.get("order") == found["order"]
    assert KeptValues.stored({"order": ("a",)}) is None  # the layout of an older version


def test_a_kept_appeal_unpickles_its_other_fields_when_one_is_read(tmp_path: Path) -> None:
    import dataclasses

    from totaliser.content import Appeal
    from totaliser.kept_appeals import AT_HAND, KeptAppeal, PickledAppeal, still_pickled
    from totaliser.site import load_site
    from totaliser.site_values import appeal_facts

    site = copy_example_site(tmp_path / "site")
    appeals = load_site(site).content.appeals
    assert any(appeal.deadline for appeal in appeals) and any(appeal.updates for appeal in appeals)
    for appeal in appeals:
        kept = PickledAppeal.of(appeal).appeal()
        assert type(kept) is KeptAppeal and isinstance(kept, Appeal)
        assert [getattr(kept, name) for name in AT_HAND] == [getattr(appeal, name) for name in AT_HAND]
        # Nor do its facts, from which a new total has the site's values worked out again.
        assert appeal_facts(kept) == appeal_facts(appeal)
        assert still_pickled(kept)  # the fields at hand unpickle nothing
        # A field with a default (a class attribute of Appeal) is unpickled too.
        assert kept.image_alt == appeal.image_alt and not still_pickled(kept)
        assert kept == appeal and appeal == kept and dataclasses.asdict(kept) == dataclasses.asdict(appeal)
        assert kept.update_dates == appeal.update_dates and kept.last_changed == appeal.last_changed
        for read in (lambda a: a.body_html, lambda a: a.main_donation, lambda a: a.updates, pickle.dumps, repr, lambda a, b=appeal: a == b):
            again = PickledAppeal.of(appeal).appeal()
            read(again)
            assert not still_pickled(again) and again == appeal
        assert repr(PickledAppeal.of(appeal).appeal()) == repr(appeal)  # shown as the appeal it was
        pickled = pickle.loads(pickle.dumps(PickledAppeal.of(appeal).appeal()))
        assert type(pickled) is Appeal and pickled == appeal


def test_a_rebuild_with_nothing_changed_unpickles_no_appeal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from totaliser.kept_appeals import KeptAppeal

    site = copy_example_site(tmp_path / "site")
    age_all(site)
    build(BuildOptions(site, tmp_path / "output"))
    unpickled = watched(monkeypatch, KeptAppeal, "_unpickle", lambda appeal: vars(appeal).get("slug"))
    report = build(BuildOptions(site, tmp_path / "output"))
    assert report.made == [] and len(report.appeals) > 3
    assert unpickled == [] and all(type(appeal) is KeptAppeal for appeal in report.appeals)
    assert tree(tmp_path / "output") == cold(site, tmp_path / "cold")
