"""A custom domain (cname) must be the host the site is built for."""

from __future__ import annotations

from pathlib import Path

import yaml

from .conftest import MINIMAL_SITE_YAML, ROOT, run_cli
from .test_build import appeal


def test_the_example_site_sets_no_custom_domain() -> None:
    # Every fork would inherit the newspaper's domain.
    assert "cname" not in yaml.safe_load((ROOT / "site.yaml").read_text(encoding="utf-8"))


def test_check_and_build_refuse_a_cname_on_another_host_than_base_url(make_site, tmp_path: Path) -> None:
    site = make_site({"content/appeals/amy.md": appeal()}, site_yaml=MINIMAL_SITE_YAML + "cname: appeals.gazette.example\n")
    line = MINIMAL_SITE_YAML.count("\n") + 1
    expected = f'site.yaml:{line}: cname: "appeals.gazette.example" is not the host of base_url (example.github.io)'
    checked = run_cli("check", "--site", str(site))
    assert checked.returncode == 1
    assert expected in checked.stderr
    built = run_cli("build", "--site", str(site), "--output", str(tmp_path / "out"))
    assert built.returncode == 1
    assert expected in built.stderr
    assert not (tmp_path / "out").exists()


def test_a_cname_that_is_base_urls_host_is_accepted(make_site) -> None:
    own = MINIMAL_SITE_YAML.replace("https://example.github.io/appeals-site/", "https://Appeals.Gazette.example/")
    site = make_site({"content/appeals/amy.md": appeal()}, site_yaml=own + "cname: appeals.gazette.example\n")
    checked = run_cli("check", "--site", str(site))
    assert checked.returncode == 0, checked.stderr
