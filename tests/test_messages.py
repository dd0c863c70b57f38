"""Messages a volunteer can act on: each names the file and line and says what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_cli
from .test_build import appeal


@pytest.mark.parametrize("front, line", [
    ("donate:\n\t- label: Give\n\t  url: https://example.org/give", 9),
    ("milestones:\n  - label: Operation\n\tamount: 5000", 10),
])
def test_a_tab_used_for_indentation_is_named(make_site, front: str, line: int) -> None:
    site = make_site({"content/appeals/amy.md": appeal(extra=front)})
    result = run_cli("check", "--site", str(site))
    assert result.returncode == 1
    assert (
        f"content/appeals/amy.md:{line}: front matter: this line is indented with a tab, "
        "and YAML indents with spaces only (replace the tab at the start of the line with spaces)"
    ) in result.stderr.splitlines()
