"""`init DIR`: a new site that builds at once, with the built-in theme, the
repository's own workflows, and every setting explained; never a file
overwritten, never a folder with anything in it but .git."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_cli

STARTED = {
    "site.yaml", "README.md", ".gitignore", "requirements.txt",
    "content/appeals/ellie.md", "content/pages/about.md",
    ".github/workflows/publish.yml", ".github/workflows/update-total.yml",
}


def files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and ".git/" not in p.as_posix() + "/"}


def test_init_then_build_from_another_folder(tmp_path: Path) -> None:
    # Run as a user would, from a folder that is not the repository: the
    # starter files and the theme must come with the package, not the cwd.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    command = [sys.executable, "-c", "from totaliser.cli import run; run()"]
    result = subprocess.run([*command, "init", "appeals"], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    site = elsewhere / "appeals"
    assert f"Started a new site in appeals: {len(STARTED)} files" in result.stdout
    assert files(site) == STARTED
    assert not (site / "templates").exists() and not (site / "static").exists()

    built = subprocess.run([*command, "build"], cwd=site, env=env, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    assert built.stderr == ""
    assert "Built 0 appeals and 1 page" in built.stdout and "1 draft left out" in built.stdout
    # The built-in theme: its stylesheet is published and every page links it.
    assert (site / "output/static/css/site.css").is_file()
    assert 'href="/appeals/static/css/site.css"' in (site / "output/pages/about/index.html").read_text(encoding="utf-8")

    drafts = subprocess.run([*command, "build", "--drafts", "--output", str(tmp_path / "drafts")], cwd=site, env=env,
                            capture_output=True, text=True, timeout=120)
    assert drafts.returncode == 0, drafts.stderr
    assert "Built 1 appeal (1 draft)" in drafts.stdout
    checked = subprocess.run([*command, "check"], cwd=site, env=env, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert "no errors" in checked.stdout


def test_the_workflows_are_the_repositorys_own(tmp_path: Path) -> None:
    assert run_cli("init", str(tmp_path / "site")).returncode == 0
    for name in ("publish.yml", "update-total.yml"):
        assert (tmp_path / "site/.github/workflows" / name).read_bytes() == (ROOT / ".github/workflows" / name).read_bytes()
    ignored = (tmp_path / "site/.gitignore").read_text(encoding="utf-8").split()
    assert "/output/" in ignored and "/.totaliser-cache/" in ignored
    from totaliser.starter import requirement_line

    assert (tmp_path / "site/requirements.txt").read_text(encoding="utf-8").splitlines()[-1] == requirement_line()


def test_every_setting_is_explained(tmp_path: Path) -> None:
    from totaliser.config import KNOWN_KEYS

    assert run_cli("init", str(tmp_path / "site")).returncode == 0
    lines = (tmp_path / "site/site.yaml").read_text(encoding="utf-8").splitlines()
    for key in set(KNOWN_KEYS) - {"extra"}:
        at = next(i for i, line in enumerate(lines) if line.lstrip("# ").startswith(f"{key}:"))
        assert lines[at - 1].startswith("#"), f"{key} has no note above it"
    settings = yaml.safe_load("\n".join(lines))
    assert settings["privacy"] == "first_name" and "cname" not in settings


def test_a_folder_holding_only_git_is_accepted(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / ".git").mkdir(parents=True)
    (site / ".git/HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    result = run_cli("init", str(site))
    assert result.returncode == 0, result.stderr
    assert (site / ".git/HEAD").read_text(encoding="utf-8") == "ref: refs/heads/main\n"
    assert files(site) == STARTED


@pytest.mark.parametrize("existing", ["site.yaml", "notes.txt", ".gitignore", "content/appeals/amy.md"])
def test_a_folder_with_anything_else_is_refused_and_untouched(tmp_path: Path, existing: str) -> None:
    site = tmp_path / "site"
    (site / existing).parent.mkdir(parents=True, exist_ok=True)
    (site / existing).write_text("mine\n", encoding="utf-8")
    result = run_cli("init", str(site))
    assert result.returncode == 2
    assert "is not empty" in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert files(site) == {existing}
    assert (site / existing).read_text(encoding="utf-8") == "mine\n"


def test_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "site").write_text("mine\n", encoding="utf-8")
    result = run_cli("init", str(tmp_path / "site"))
    assert result.returncode == 2
    assert "is a file, not a folder" in result.stderr
    assert (tmp_path / "site").read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize(
    ("direct_url", "line"),
    [
        (None, "totaliser==0.1.0"),
        ('{"url": "file:///home/me/totaliser", "dir_info": {}}', "totaliser==0.1.0"),
        ('{"url": "https://github.com/wessex/totaliser", "vcs_info": {"vcs": "git", "commit_id": "abc123"}}',
         "totaliser @ git+https://github.com/wessex/totaliser@abc123"),
        ("not json", "totaliser==0.1.0"),
    ],
)
def test_the_requirement_names_the_totaliser_that_made_the_site(direct_url: str | None, line: str) -> None:
    from totaliser.starter import line_for

    assert line_for("0.1.0", direct_url) == line


def test_a_checkout_cloned_from_github_is_named_by_its_address_and_commit(tmp_path: Path) -> None:
    from totaliser.starter import line_for

    checkout = tmp_path / "totaliser"
    checkout.mkdir()

    def git(*arguments: str) -> str:
        done = subprocess.run(["git", "-C", str(checkout), *arguments], capture_output=True, text=True, check=True)
        return done.stdout.strip()

    git("init", "-q")
    (checkout / "README.md").write_text("Totaliser\n", encoding="utf-8")
    git("add", "README.md")
    git("-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "start")
    commit = git("rev-parse", "HEAD")
    record = json.dumps({"url": checkout.as_uri(), "dir_info": {"editable": True}})
    assert line_for("0.1.0", record) == "totaliser==0.1.0"  # no address to install it from
    git("remote", "add", "origin", "git@github.com:wessex/totaliser.git")
    git("update-ref", "refs/remotes/origin/main", commit)  # as a clone has it: the commit is on GitHub
    assert line_for("0.1.0", record) == f"totaliser @ git+https://github.com/wessex/totaliser.git@{commit}"
    # A name and token the address was cloned with never reach the published file.
    git("remote", "set-url", "origin", "https://someone:ghp_secret@github.com/wessex/totaliser.git")
    assert line_for("0.1.0", record) == f"totaliser @ git+https://github.com/wessex/totaliser.git@{commit}"
    # A commit made here and not pushed: the last one fetched from the repository's main branch.
    git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    git("-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "--allow-empty", "-m", "local")
    assert line_for("0.1.0", record) == f"totaliser @ git+https://github.com/wessex/totaliser.git@{commit}"


def test_a_version_number_is_explained_where_github_will_read_it(tmp_path: Path) -> None:
    from totaliser.starter import requirements_text

    text = requirements_text("totaliser==0.1.0")
    assert text.splitlines()[-1] == "totaliser==0.1.0"
    assert "PyPI" in text and "git+https://github.com/" in text
    assert "PyPI" not in requirements_text("totaliser @ git+https://github.com/wessex/totaliser@abc123")
