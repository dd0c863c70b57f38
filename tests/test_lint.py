"""The code stays lint-clean and type-checked: ruff and mypy run as part of the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> Path:
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(f"{name} is not installed beside this Python (pip install -e '.[test]')")
    return path


def test_ruff_finds_nothing() -> None:
    result = subprocess.run(
        [str(_tool("ruff")), "check", "totaliser", "tests", "build.py", "bench"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={"RUFF_NO_CACHE": "true", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.xdist_group("mypy")
def test_mypy_finds_nothing() -> None:
    result = subprocess.run(
        [str(_tool("mypy")), "--cache-dir=/dev/null"], cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
