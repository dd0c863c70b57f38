"""The example site, built and compared with the committed expected output.

When a change to templates or content is intended, regenerate with
`make golden` (`python -m tests.golden regenerate`) and commit tests/expected/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from . import golden


@pytest.fixture(scope="module")
def golden_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("golden") / "output"
    golden.build_example(output)
    return output


def test_the_example_site_matches_the_expected_output(golden_build: Path) -> None:
    differences = golden.compare(golden_build)
    assert not differences, golden.report(differences)


def test_the_expected_output_holds_the_whole_site(golden_build: Path) -> None:
    # A guard against an expected folder that is empty or lost its manifest.
    expected = {p.relative_to(golden.EXPECTED_SITE).as_posix() for p in golden.EXPECTED_SITE.rglob("*") if p.is_file()}
    for name in ("index.html", "404.html", "appeals.json", "feed.xml", "sitemap.xml", "robots.txt", ".nojekyll"):
        assert name in expected, golden.report([golden.Difference(name, "missing from tests/expected/site/")])
    assert any(name.startswith("appeals/") for name in expected)


# The comparison itself must catch every kind of change. These tests compare
# against expected output regenerated into a temporary folder, so they hold
# whether or not the committed expected output is up to date.


@pytest.fixture
def built_copy(golden_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    expected = tmp_path / "expected"
    monkeypatch.setattr(golden, "EXPECTED", expected)
    monkeypatch.setattr(golden, "EXPECTED_SITE", expected / "site")
    monkeypatch.setattr(golden, "BINARIES", expected / "binaries.txt")
    assert golden.compare(golden_build)[0].what.startswith("missing")
    golden.regenerate(golden_build)
    copy = tmp_path / "output"
    shutil.copytree(golden_build, copy)
    return copy


def test_regenerate_writes_what_compare_accepts(built_copy: Path) -> None:
    assert golden.compare(built_copy) == []
    committed = [p for p in golden.EXPECTED_SITE.rglob("*") if p.is_file()]
    assert committed and not any(golden.is_binary(p) for p in committed)
    assert (golden.EXPECTED / ".gitattributes").read_text() == "* -text\n"


def test_a_changed_text_file_is_reported_with_a_diff(built_copy: Path) -> None:
    index = built_copy / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace("</h1>", " CHANGED</h1>", 1), encoding="utf-8")
    differences = golden.compare(built_copy)
    assert [d.path for d in differences] == ["index.html"]
    assert "+" in differences[0].detail and "CHANGED" in differences[0].detail
    assert "make golden" in golden.report(differences)


def test_a_changed_binary_is_reported(built_copy: Path) -> None:
    binaries = [p for p in sorted(built_copy.rglob("*")) if p.is_file() and golden.is_binary(p)]
    if not binaries:
        pytest.skip("the example site has no binary files")
    binaries[0].write_bytes(binaries[0].read_bytes() + b"\0")
    differences = golden.compare(built_copy)
    assert [d.path for d in differences] == [binaries[0].relative_to(built_copy).as_posix()]
    assert "binary differs" in differences[0].what


def test_missing_and_extra_files_are_reported(built_copy: Path) -> None:
    (built_copy / "robots.txt").unlink()
    (built_copy / "surprise.html").write_text("hello")
    whats = {d.path: d.what for d in golden.compare(built_copy)}
    assert whats == {"robots.txt": "expected but no longer built", "surprise.html": "built but not in the expected output"}
