"""Links, `..` and odd files cannot make a build read or write outside the
site folder, and two files can never claim one web address."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.conftest import MINIMAL_APPEAL, run_cli
from totaliser.errors import ContentErrors
from totaliser.site import BuildOptions, build, load_site
from totaliser.staging import Staging

SECRET = "Sentinel-7f3a-outside-the-site"

OUTSIDE_APPEAL = MINIMAL_APPEAL.replace("Amy needs an operation.", f"{SECRET} must never be published.")


def appeal_with_image(image: str) -> str:
    return MINIMAL_APPEAL.replace("date: 2026-05-01", f"date: 2026-05-01\nimage: {image}\nimage_alt: A photo")


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_secret_not_published(output: Path) -> None:
    if not output.exists():
        return
    for path in output.rglob("*"):
        assert SECRET not in path.name
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the site, holding things the build must not read."""
    folder = tmp_path / "outside"
    (folder / "appeals").mkdir(parents=True)
    (folder / "secret.md").write_text(OUTSIDE_APPEAL, encoding="utf-8")
    (folder / "appeals" / "secret.md").write_text(OUTSIDE_APPEAL, encoding="utf-8")
    (folder / "secret.txt").write_text(SECRET, encoding="utf-8")
    (folder / "static").mkdir()
    (folder / "static" / "secret.txt").write_text(SECRET, encoding="utf-8")
    return folder


def test_a_story_linked_from_outside_the_site_is_an_error(make_site, outside: Path, tmp_path: Path) -> None:
    site = make_site({"content/appeals/amy.md": MINIMAL_APPEAL})
    (site / "content" / "appeals" / "secret.md").symlink_to(outside / "secret.md")
    (site / "content" / "pages").mkdir()
    (site / "content" / "pages" / "about.md").symlink_to(outside / "secret.md")
    output = tmp_path / "output"
    with pytest.raises(ContentErrors) as caught:
        build(BuildOptions(site_dir=site, output_dir=output))
    errors = {(p.path, p.line, p.field) for p in caught.value.problems.errors}
    assert errors == {("content/appeals/secret.md", 1, "file"), ("content/pages/about.md", 1, "file")}
    assert all("outside the site folder" in p.message for p in caught.value.problems.errors)
    assert not output.exists()


def test_a_content_folder_that_links_outside_is_an_error(make_site, outside: Path) -> None:
    site = make_site({})
    (site / "content").mkdir()
    (site / "content" / "appeals").symlink_to(outside / "appeals", target_is_directory=True)
    with pytest.raises(ContentErrors) as caught:
        load_site(site)
    assert [p.path for p in caught.value.problems.errors] == ["content/appeals/secret.md"]


def test_a_link_inside_the_site_is_followed(make_site, tmp_path: Path) -> None:
    site = make_site({"drafts/amy.md": MINIMAL_APPEAL})
    (site / "content" / "appeals").mkdir(parents=True)
    (site / "content" / "appeals" / "amy.md").symlink_to(site / "drafts" / "amy.md")
    report = build(BuildOptions(site_dir=site, output_dir=tmp_path / "output"))
    assert [a.slug for a in report.appeals] == ["amy"]


def test_a_pipe_in_content_is_an_error_not_a_hang(make_site) -> None:
    site = make_site({"content/appeals/amy.md": MINIMAL_APPEAL})
    os.mkfifo(site / "content" / "appeals" / "stuck.md")
    # Nor beside the stories, where a text file is looked into (a story saved as .txt).
    os.mkfifo(site / "content" / "appeals" / "notes.txt")
    os.mkfifo(site / "content" / "notes.txt")
    result = run_cli("check", "--site", str(site), timeout=60)
    assert result.returncode == 1
    assert "content/appeals/stuck.md:1: file: is not an ordinary file" in result.stderr


def test_static_links_to_outside_are_not_copied(make_site, outside: Path, tmp_path: Path) -> None:
    site = make_site({"content/appeals/amy.md": MINIMAL_APPEAL, "static/own.txt": "our own file"})
    (site / "static" / "secret.txt").symlink_to(outside / "secret.txt")
    (site / "static" / "folder").symlink_to(outside / "static", target_is_directory=True)
    os.mkfifo(site / "static" / "pipe.txt")
    output = tmp_path / "output"
    build(BuildOptions(site_dir=site, output_dir=output))
    assert (output / "static" / "own.txt").read_text(encoding="utf-8") == "our own file"
    assert not (output / "static" / "secret.txt").exists()
    assert not (output / "static" / "pipe.txt").exists()
    assert_secret_not_published(output)


def test_a_static_folder_that_links_outside_is_not_copied(make_site, outside: Path, tmp_path: Path) -> None:
    site = make_site({"content/appeals/amy.md": MINIMAL_APPEAL})
    (site / "static").symlink_to(outside / "static", target_is_directory=True)
    output = tmp_path / "output"
    build(BuildOptions(site_dir=site, output_dir=output))
    assert_secret_not_published(output)


@pytest.mark.parametrize(
    "image",
    ["../../etc/passwd", "/etc/hostname", "../../../../../../etc/hostname", "../../outside/secret.txt",
     "static/../../outside/secret.txt", "linked.jpg"],
)
def test_an_image_path_cannot_leave_the_site(make_site, outside: Path, tmp_path: Path, image: str) -> None:
    site = make_site({"content/appeals/amy.md": appeal_with_image(image)})
    (site / "content" / "appeals" / "linked.jpg").symlink_to(outside / "secret.txt")
    output = tmp_path / "output"
    with pytest.raises(ContentErrors) as caught:
        build(BuildOptions(site_dir=site, output_dir=output))
    assert [(p.path, p.field) for p in caught.value.problems.errors] == [("content/appeals/amy.md", "image")]
    assert caught.value.problems.errors[0].line > 1
    assert not output.exists()


@pytest.mark.parametrize("names", [("Jacob.md", "jacob.md"), ("jacob.md", "JACOB.md"), ("jacob-smith.md", "Jacob Smith.md")])
def test_file_names_that_differ_in_case_are_an_error(make_site, tmp_path: Path, names: tuple[str, str]) -> None:
    """On a case-insensitive disk both would write appeals/jacob/: refuse, keeping the old site."""
    site = make_site({"content/appeals/amy.md": MINIMAL_APPEAL})
    output = tmp_path / "output"
    build(BuildOptions(site_dir=site, output_dir=output))
    before = tree_digest(output)
    for name in names:
        (site / "content" / "appeals" / name).write_text(MINIMAL_APPEAL, encoding="utf-8")
    with pytest.raises(ContentErrors) as caught:
        build(BuildOptions(site_dir=site, output_dir=output))
    shown = {p.path for p in caught.value.problems.errors}
    assert shown & {f"content/appeals/{n}" for n in names}
    assert all(p.field == "file name" for p in caught.value.problems.errors)
    assert tree_digest(output) == before


@pytest.mark.parametrize("relative", ["../escape.html", "/etc/passwd", "a/../../b.html", ""])
def test_the_output_writer_refuses_paths_outside_its_folder(tmp_path: Path, relative: str) -> None:
    writer = Staging(tmp_path / "staging", tmp_path / "output", {}, from_spare=False)
    with pytest.raises(ValueError):
        writer.fill([(relative, "a story", b"x")], {})
    assert not (tmp_path / "escape.html").exists()


@pytest.mark.parametrize("kept_first", [True, False])
def test_a_new_output_that_would_overwrite_a_kept_one_is_an_error_naming_both(tmp_path: Path, kept_first: bool) -> None:
    """Kept outputs' files are put in place all at once; one a new output
    writes too is still refused, and said about the later of the two."""
    from totaliser.cache import OutputEntry
    from totaliser.outputs.registry import Output
    from totaliser.reads import Dependencies
    from totaliser.site import _assemble

    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "a.html").write_text("old")
    kept = Output("kept", "kept", "the kept page", lambda context, problems: {}, ("a.html",))
    new = Output("new", "new", "the new page", lambda context, problems: {}, ("a.html",))
    outputs = [kept, new] if kept_first else [new, kept]
    previous = {"kept": OutputEntry(b"", (("a.html", b"old"),))}
    made = {"new": ([("a.html", b"new")], Dependencies((), ()), [])}
    staging = Staging(tmp_path / "staging", tmp_path / "output", {}, from_spare=False)
    problems, _ = _assemble(outputs, made, previous, staging)
    later, earlier = ("the new page", "the kept page") if kept_first else ("the kept page", "the new page")
    assert [(p.path, p.message) for p in problems.errors] == [(later, f"would write a.html, which {earlier} writes too (rename one of them)")]
