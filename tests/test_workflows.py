"""The GitHub Actions workflows: what starts them, what each job may do, the
actions they use (pinned to commits), the build command they run, and
actionlint and zizmor finding nothing in them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import MINIMAL_SITE_YAML, ROOT, copy_example_site, write_site
from tests.test_build import appeal

WORKFLOWS = ROOT / ".github" / "workflows"
PUBLISH = WORKFLOWS / "publish.yml"
UPDATE = WORKFLOWS / "update-total.yml"
TOOLS = Path(sys.executable).parent


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def steps(job: dict) -> dict[str, dict]:
    return {step.get("uses", step.get("name", "")).split("@")[0]: step for step in job["steps"]}


def test_publish_triggers_permissions_and_steps() -> None:
    data = load(PUBLISH)
    assert set(data["on"]) == {"push", "workflow_dispatch", "workflow_call"}
    assert data["permissions"] == {}
    build, deploy = data["jobs"]["build"], data["jobs"]["deploy"]
    assert build["if"] == "github.ref_name == github.event.repository.default_branch"
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build"
    found = steps(build)
    assert found["actions/checkout"]["with"] == {"ref": "${{ inputs.ref }}", "persist-credentials": False}
    # The cache and the site it built come back for the next run, which then
    # makes only what changed; the cache's spare copy of an older site is
    # removed after the build, before the cache is saved at the job's end.
    from totaliser.cache import CACHE_DIR, SPARE_DIR

    cached = found["actions/cache"]["with"]["path"].split()
    assert cached == [CACHE_DIR, found["actions/upload-pages-artifact"]["with"]["path"]]
    assert build["steps"][-1]["run"] == f"rm -rf {CACHE_DIR}/{SPARE_DIR}"
    assert found["actions/upload-pages-artifact"]["with"]["path"] == "output"
    names = [step.get("name") for step in build["steps"]]
    assert names.index("Check the stories") < names.index("Build the site")
    assert found["Check the stories"]["run"] == "python -m totaliser.actions_check"
    assert "actions/deploy-pages" in steps(deploy)


def test_update_form_and_its_publish_job() -> None:
    data = load(UPDATE)
    inputs = data["on"]["workflow_dispatch"]["inputs"]
    assert list(inputs) == ["appeal", "amount", "add-or-set", "note", "source", "date"]
    assert [name for name, spec in inputs.items() if spec["required"]] == ["appeal", "amount", "add-or-set"]
    from totaliser.actions_update import MODES

    assert inputs["add-or-set"]["options"] == list(MODES)
    record = data["jobs"]["record"]
    assert record["permissions"] == {"contents": "write"}
    step = steps(record)["Record the total and commit it"]
    assert step["run"] == "python -m totaliser.actions_update"
    # Every answer reaches the script through the environment, none through the command line.
    assert {f"TOTALISER_{name.upper().replace('-', '_')}" for name in inputs} <= set(step["env"])
    assert not any("inputs." in step.get("run", "") for job in data["jobs"].values() for step in job.get("steps", []))
    publish = data["jobs"]["publish"]
    assert publish["uses"] == "./.github/workflows/publish.yml"
    assert publish["with"] == {"ref": "${{ needs.record.outputs.commit }}"}
    assert publish["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_every_action_is_pinned_to_a_commit() -> None:
    for path in (PUBLISH, UPDATE):
        uses = re.findall(r"uses: (\S+)", path.read_text(encoding="utf-8"))
        for use in uses:
            if use.startswith("./"):
                continue
            assert re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", use), use


@pytest.mark.parametrize("tool", ["actionlint", "zizmor"])
def test_linters_find_nothing(tool: str) -> None:
    program = shutil.which(tool, path=str(TOOLS)) or shutil.which(tool)
    assert program, f"{tool} is not installed (it comes with the test extras: pip install -e '.[test]')"
    command = [program, str(PUBLISH), str(UPDATE)] if tool == "actionlint" else [program, "--offline", str(WORKFLOWS)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_build_step_uses_the_pages_address(tmp_path: Path) -> None:
    build = steps(load(PUBLISH)["jobs"]["build"])["Build the site"]
    assert build["env"]["PAGES_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert "--cache" not in build["run"]
    site = copy_example_site(tmp_path / "site")
    env = _with_totaliser_command(tmp_path, PAGES_URL="https://volunteer.github.io/wessex-appeals")
    result = subprocess.run(["bash", "-c", build["run"]], cwd=site, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    page = (site / "output/appeals/jacob-buckett/index.html").read_text(encoding="utf-8")
    assert 'href="/wessex-appeals/static/css/site.css"' in page
    assert '<link rel="canonical" href="https://volunteer.github.io/wessex-appeals/appeals/jacob-buckett/">' in page
    assert not re.search(r'(href|src)="/(?!wessex-appeals/)', page)


def _with_totaliser_command(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What `pip install` gives the workflow (the totaliser command), here run from the source tree."""
    (tmp_path / "bin").mkdir()
    command = tmp_path / "bin" / "totaliser"
    command.write_text(f"#!/bin/sh\nexec {sys.executable} {ROOT / 'build.py'} \"$@\"\n", encoding="utf-8")
    command.chmod(0o755)
    return dict(os.environ, PATH=f"{tmp_path / 'bin'}:{os.environ['PATH']}", PYTHONPATH=str(ROOT), **extra)


def run_check_step(site: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], str]:
    summary = tmp_path / "summary.md"
    summary.write_text("", encoding="utf-8")
    run = steps(load(PUBLISH)["jobs"]["build"])["Check the stories"]["run"]
    env = dict(os.environ, PYTHONPATH=str(ROOT), GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
    env["PATH"] = f"{TOOLS}:{env['PATH']}"  # `python` is this interpreter, as after setup-python
    result = subprocess.run(["bash", "-c", run], cwd=site, env=env, capture_output=True, text=True, timeout=120)
    return result, summary.read_text(encoding="utf-8")


def test_the_check_step_puts_warnings_in_the_summary(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "site.yaml": MINIMAL_SITE_YAML,
        "content/appeals/amy.md": appeal(extra="colour: blue\nsummary: Amy needs help."),
    })
    result, summary = run_check_step(site, tmp_path)
    assert result.returncode == 0, result.stderr
    assert summary.startswith("### Check: warnings to look at\n\n```text\n")
    assert "content/appeals/amy.md:8: warning: colour: unknown field" in summary
    assert "no errors" in summary
    # In the log, the problems cannot act as commands to the runner.
    assert result.stderr.startswith("::stop-commands::")


def test_the_check_step_stops_on_an_error(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        "site.yaml": MINIMAL_SITE_YAML,
        "content/appeals/amy.md": appeal(target='"fifty grand"'),
    })
    result, summary = run_check_step(site, tmp_path)
    assert result.returncode == 1
    assert summary.startswith("### Check: errors to fix (the site was not published)\n\n```text\n")
    assert 'content/appeals/amy.md:4: target: "fifty grand" is not an amount' in summary
