"""An output folder is replaced whole by a build: one that holds someone's own
files is refused, with nothing in it touched."""

from __future__ import annotations

from pathlib import Path

from .conftest import run_cli
from .test_build import appeal, snapshot


def _site(make_site) -> Path:
    return make_site({"content/appeals/amy.md": appeal()})


def test_a_folder_of_other_files_is_refused_and_left_as_it_was(make_site, tmp_path: Path) -> None:
    site = _site(make_site)
    old = tmp_path / "docs-old"
    old.mkdir()
    (old / "letter.txt").write_text("hi\n")
    before = snapshot(old)
    result = run_cli("build", "--site", str(site), "--output", str(old))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "letter.txt" in result.stderr
    assert "did not write" in result.stderr and "--output" in result.stderr
    assert snapshot(old) == before
    assert not list(tmp_path.glob(".docs-old*"))  # no staging folder left beside it


def test_a_site_that_only_looks_like_ours_is_refused(make_site, tmp_path: Path) -> None:
    site = _site(make_site)
    other = tmp_path / "other"
    other.mkdir()
    for name, text in {"index.html": "<p>mine</p>", "appeals.json": "[]", ".nojekyll": ""}.items():
        (other / name).write_text(text)
    result = run_cli("build", "--site", str(site), "--output", str(other))
    assert result.returncode == 2
    assert (other / "index.html").read_text() == "<p>mine</p>"


def test_building_twice_into_the_same_folder_works(make_site, tmp_path: Path) -> None:
    site = _site(make_site)
    out = tmp_path / "out"
    for _ in range(2):
        result = run_cli("build", "--site", str(site), "--output", str(out))
        assert result.returncode == 0, result.stderr
    assert (out / "appeals/amy/index.html").is_file()


def test_an_empty_folder_and_one_with_desktop_files_are_used(make_site, tmp_path: Path) -> None:
    site = _site(make_site)
    empty = tmp_path / "empty"
    empty.mkdir()
    shown = tmp_path / "shown"
    shown.mkdir()
    (shown / ".DS_Store").write_bytes(b"\0")
    for folder in (empty, shown):
        result = run_cli("build", "--site", str(site), "--output", str(folder))
        assert result.returncode == 0, result.stderr
        assert (folder / "index.html").is_file()
