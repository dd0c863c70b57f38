"""The package declares every folder of the theme, so that installing it
(`make site`) prints no setuptools warnings and leaves no theme file out."""

from __future__ import annotations

import tomllib

from .conftest import ROOT


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_theme_folder_is_a_declared_package_with_its_files() -> None:
    config = _config()
    packages = set(config["packages"])
    data = config["package-data"]
    for folder, package in (
        ("templates", "totaliser.theme.templates"), ("static", "totaliser.theme.static"), ("locales", "totaliser.theme.locales"),
    ):
        assert config["package-dir"][package] == folder
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_dir() or path.name.startswith("."):
                continue
            name = ".".join([package, *path.relative_to(ROOT / folder).parts])
            assert name in packages, f"{name} is not in [tool.setuptools] packages"
            assert name in data, f"{name} has no package-data"


def test_the_example_sites_pictures_are_not_part_of_the_theme() -> None:
    assert _config()["package-data"]["totaliser.theme.static.images"] == ["favicon.svg"]


def test_every_language_of_the_theme_is_packaged() -> None:
    data = _config()["package-data"]
    for catalogue in (ROOT / "locales").glob("*/LC_MESSAGES/totaliser.po"):
        language = catalogue.parent.parent.name
        assert data[f"totaliser.theme.locales.{language}.LC_MESSAGES"] == ["*.po"], language
