"""The "Update a total" workflow's step, run as GitHub runs it: the script
with the form's answers and GitHub's variables in its environment, in a git
checkout of the example site whose remote is a local bare repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_example_site

JACOB = "content/appeals/jacob-buckett.md"


def git(*args: str, cwd: Path) -> str:
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A clone of a repository holding the example site, as actions/checkout leaves it."""
    remote = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(remote), cwd=tmp_path)
    first = copy_example_site(tmp_path / "first")
    git("init", "--quiet", "--initial-branch=main", cwd=first)
    git("add", "--all", cwd=first)
    git("-c", "user.name=Editor", "-c", "user.email=editor@example.org", "commit", "--quiet", "-m", "The site", cwd=first)
    git("push", "--quiet", str(remote), "main", cwd=first)
    git("clone", "--quiet", str(remote), str(tmp_path / "work"), cwd=tmp_path)
    return tmp_path / "work"


def run_update(checkout: Path, tmp_path: Path, **form: str) -> tuple[subprocess.CompletedProcess[str], str, str]:
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    summary.write_text("", encoding="utf-8")
    output.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GIT_"))}
    env.update(
        PYTHONPATH=str(ROOT), GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
        GITHUB_ACTIONS="true", GITHUB_ACTOR="amy-volunteer", GITHUB_ACTOR_ID="1234567",
        GITHUB_REF="refs/heads/main", GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(output),
        # As the workflow passes every input: an optional one left empty is "".
        TOTALISER_NOTE="", TOTALISER_SOURCE="", TOTALISER_DATE="", TOTALISER_ADD_OR_SET="set the new total",
    )
    env.update({f"TOTALISER_{key.upper()}": value for key, value in form.items()})
    result = subprocess.run(
        [sys.executable, "-m", "totaliser.actions_update"], cwd=checkout, env=env, capture_output=True, text=True, timeout=120
    )
    return result, summary.read_text(encoding="utf-8"), output.read_text(encoding="utf-8")


def remote_log(checkout: Path) -> list[str]:
    git("fetch", "--quiet", "origin", cwd=checkout)
    return git("log", "--format=%an <%ae>|%cn|%s", "origin/main", cwd=checkout).splitlines()


def test_a_good_form_commits_one_change_as_the_person_who_ran_it(checkout: Path, tmp_path: Path) -> None:
    result, summary, output = run_update(
        checkout, tmp_path, appeal="jacob-buckett", amount="£500", add_or_set="add to the total",
        note="Quiz night; $(touch hacked) `id`", date="2026-11-20",
    )
    assert result.returncode == 0, result.stderr
    log = remote_log(checkout)
    assert len(log) == 2
    assert log[0] == (
        "amy-volunteer <1234567+amy-volunteer@users.noreply.github.com>|github-actions[bot]|"
        "New total: content/appeals/jacob-buckett.md: raised £25,000 → £25,500 (1 update added)"
    )
    changed = git("diff", "--name-only", "origin/main~1", "origin/main", cwd=checkout).split()
    assert changed == [JACOB]
    text = git("show", f"origin/main:{JACOB}", cwd=checkout)
    assert '  - date: 2026-11-20\n    raised: 25500\n    note: Quiz night; $(touch hacked) `id`\n' in text
    assert not (checkout / "hacked").exists()
    assert "Total recorded" in summary and "raised £25,000 → £25,500" in summary
    commit = git("rev-parse", "origin/main", cwd=checkout).strip()
    assert output == f"commit={commit}\n"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"appeal": "jacob-buckett", "amount": "500", "note": "Quiz night raised £500"},
         "content/appeals/jacob-buckett.md:13: raised: the new total, £500, is lower than the total already recorded"),
        ({"appeal": "jacob-bucket", "amount": "26000"}, "did you mean jacob-buckett?"),
        ({"appeal": "jacob-buckett", "amount": "fifty grand"}, '"fifty grand" is not an amount'),
        ({"appeal": "jacob-buckett", "amount": "26000", "date": "2030-01-01"}, "Date: 2030-01-01 is in the future"),
        # In the form's words, not the command line's flags.
        ({"appeal": "jacob-buckett", "amount": "500"}, 'To add £500 to the total, choose "add to the total"; if the lower '
         'total is a correction, run the form again choosing "correct the total (it is lower)"'),
        ({"appeal": "jacob-buckett", "amount": "fifty"}, 'Amount: "fifty" is not an amount'),
        ({"appeal": "--help", "amount": "26000"}, '"--help" is not an appeal'),
    ],
)
def test_a_bad_form_commits_nothing_and_says_why_at_the_top_of_the_summary(
    checkout: Path, tmp_path: Path, form: dict[str, str], message: str
) -> None:
    before = remote_log(checkout)
    result, summary, output = run_update(checkout, tmp_path, **form)
    assert result.returncode == 1
    assert summary.startswith("### The total was not recorded\n\n```text\n")
    assert message in summary.split("```")[1]
    assert "Traceback" not in summary + result.stderr
    assert message in result.stderr
    assert remote_log(checkout) == before
    assert git("status", "--porcelain", cwd=checkout) == ""
    assert output == ""


def test_the_same_total_twice_commits_once(checkout: Path, tmp_path: Path) -> None:
    form = {"appeal": "jacob-buckett", "amount": "26000", "date": "2026-11-20", "note": "--tins"}
    assert run_update(checkout, tmp_path, **form)[0].returncode == 0
    result, summary, output = run_update(checkout, tmp_path, **form)
    assert result.returncode == 0, result.stderr
    assert "is already recorded for 2026-11-20" in summary
    assert output == "commit=\n"
    assert len(remote_log(checkout)) == 2


def test_a_change_pushed_meanwhile_is_kept_and_the_total_goes_on_top(checkout: Path, tmp_path: Path) -> None:
    # Someone edits another story on github.com while the run is under way.
    other = tmp_path / "other"
    git("clone", "--quiet", str(tmp_path / "remote.git"), str(other), cwd=tmp_path)
    about = other / "content/pages/about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    git("-c", "user.name=Editor", "-c", "user.email=editor@example.org", "commit", "--quiet", "-am", "About", cwd=other)
    git("push", "--quiet", "origin", "main", cwd=other)

    result, summary, _ = run_update(checkout, tmp_path, appeal="jacob-buckett", amount="26000", date="2026-11-20")
    assert result.returncode == 0, result.stderr + summary
    log = remote_log(checkout)
    assert [line.split("|")[2] for line in log][1:] == ["About", "The site"]
    assert log[0].startswith("amy-volunteer <1234567+amy-volunteer@users.noreply.github.com>|github-actions[bot]|New total:")
    assert "A new paragraph." in git("show", "origin/main:content/pages/about.md", cwd=checkout)
