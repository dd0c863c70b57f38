"""The GitHub Pages workflow: the right triggers and actions, and its build
command gives a site whose links all start with the Pages path."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT, copy_example_site

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def load() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def steps(job: dict) -> dict[str, dict]:
    return {step.get("uses", step.get("name", "")).split("@")[0]: step for step in job["steps"]}


def test_triggers_permissions_and_actions() -> None:
    data = load()
    assert data["on"]["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in data["on"]
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build = steps(data["jobs"]["build"])
    assert build["actions/setup-python"]["with"]["python-version"] == "3.11"
    assert build["actions/cache"]["with"]["path"] == "output"
    assert build["actions/upload-pages-artifact"]["with"]["path"] == "output"
    assert "actions/configure-pages" in build
    deploy = data["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert "actions/deploy-pages" in steps(deploy)


def test_the_build_step_uses_the_pages_address(tmp_path: Path) -> None:
    build = steps(load()["jobs"]["build"])["Build the site"]
    assert build["env"]["PAGES_URL"] == "${{ steps.pages.outputs.base_url }}"
    site = copy_example_site(tmp_path / "site")
    # What `pip install .` gives the workflow, here run from the source tree.
    (tmp_path / "bin").mkdir()
    command = tmp_path / "bin" / "totaliser"
    command.write_text(f"#!/bin/sh\nexec {sys.executable} {ROOT / 'build.py'} \"$@\"\n", encoding="utf-8")
    command.chmod(0o755)
    env = dict(os.environ, PATH=f"{tmp_path / 'bin'}:{os.environ['PATH']}", PYTHONPATH=str(ROOT),
               PAGES_URL="https://volunteer.github.io/wessex-appeals")
    result = subprocess.run(["bash", "-c", build["run"]], cwd=site, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    page = (site / "output/appeals/jacob-buckett/index.html").read_text(encoding="utf-8")
    assert 'href="/wessex-appeals/static/css/site.css"' in page
    assert '<link rel="canonical" href="https://volunteer.github.io/wessex-appeals/appeals/jacob-buckett/">' in page
    assert not re.search(r'(href|src)="/(?!wessex-appeals/)', page)
