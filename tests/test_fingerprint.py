"""The code's fingerprint, which the build cache is kept under, follows the
releases of the libraries that shape the output, not where or when their
files were written: each run of the GitHub workflow installs the same
releases afresh, and must find the cache the last run saved."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest

from totaliser.fingerprint import library_stamp


def installed(folder: Path, version: str) -> None:
    """A library as pip installs it: its package, and a .dist-info folder with RECORD."""
    (folder / "shapes").mkdir(parents=True)
    (folder / "shapes/__init__.py").write_text(f"VERSION = {version!r}\n", encoding="utf-8")
    info = folder / f"Shapes-{version}.dist-info"
    info.mkdir()
    (info / "RECORD").write_text(f"shapes/__init__.py,sha256=release-{version},20\n", encoding="utf-8")


@pytest.fixture
def site_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site-packages"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


def test_the_same_release_installed_again_has_the_same_stamp(site_packages: Path) -> None:
    installed(site_packages, "1.0")
    importlib.invalidate_caches()
    first = library_stamp("shapes", "shapes")
    shutil.rmtree(site_packages)
    installed(site_packages, "1.0")  # new files: other times, other inodes
    importlib.invalidate_caches()
    assert library_stamp("shapes", "shapes") == first


def test_another_release_has_another_stamp(site_packages: Path) -> None:
    installed(site_packages, "1.0")
    importlib.invalidate_caches()
    first = library_stamp("shapes", "shapes")
    shutil.rmtree(site_packages)
    installed(site_packages, "1.1")
    importlib.invalidate_caches()
    assert library_stamp("shapes", "shapes") != first


def test_a_library_without_a_dist_info_folder_is_stamped_by_its_file(site_packages: Path) -> None:
    installed(site_packages, "1.0")
    shutil.rmtree(site_packages / "Shapes-1.0.dist-info")
    importlib.invalidate_caches()
    first = library_stamp("shapes", "shapes")
    (site_packages / "shapes/__init__.py").write_text("VERSION = '1.0.1'\n", encoding="utf-8")
    assert library_stamp("shapes", "shapes") != first
    assert library_stamp("no_such_library", "no_such_library") == ["not installed"]
