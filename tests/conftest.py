"""Shared fixtures: small sites in temporary folders, the CLI, and Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

MINIMAL_SITE_YAML = """\
title: Test Appeals
base_url: https://example.github.io/appeals-site/
currency: GBP
locale: en-GB
publisher:
  name: Test Gazette
  url: https://gazette.example/
charity:
  name: Test Gazette Fund
  number: "1234567"
"""

MINIMAL_APPEAL = """\
---
child: Amy Example
condition: cerebral palsy
target: 36000
raised: 25000
hospital: Bristol Royal Hospital for Children
date: 2026-05-01
---
Amy needs an operation.
"""


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write a small site: {relative path: text or bytes}. Text is dedented."""
    for relative, body in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(textwrap.dedent(body) if body.startswith("\n") else body, encoding="utf-8")
    return root


@pytest.fixture
def make_site(tmp_path: Path):
    """Build a site folder from a dict of files; site.yaml defaults to a minimal one."""

    def _make(files: dict[str, str | bytes] | None = None, site_yaml: str | None = MINIMAL_SITE_YAML) -> Path:
        site = tmp_path / "site"
        site.mkdir(exist_ok=True)
        contents: dict[str, str | bytes] = {}
        if site_yaml is not None:
            contents["site.yaml"] = site_yaml
        contents.update(files or {})
        return write_site(site, contents)

    return _make


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `python build.py ARGS` as a subprocess, as a user would."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args],
        cwd=cwd or ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )


def browser_required() -> bool:
    return os.environ.get("TOTALISER_REQUIRE_BROWSER") == "1"


def _browser_missing_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright's Python package is not installed"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium driven by Playwright. Skipped when missing, unless
    TOTALISER_REQUIRE_BROWSER=1 (as in CI), where a missing browser fails."""
    reason = _browser_missing_reason()
    if reason:
        if browser_required():
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's example site, built once into a temporary folder."""
    out = tmp_path_factory.mktemp("example") / "output"
    result = run_cli("build", "--site", str(ROOT), "--output", str(out))
    assert result.returncode == 0, result.stderr
    return out


def copy_example_site(destination: Path) -> Path:
    """A copy of the example site's sources, to change without touching the repository."""
    for name in ("content", "static", "templates"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, destination / name)
    shutil.copy(ROOT / "site.yaml", destination / "site.yaml")
    return destination
