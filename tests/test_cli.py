"""The command line as a user runs it: a subprocess, its exit status and its words."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, run_cli
from .test_build import appeal, snapshot

SUMMARY = re.compile(
    r"^Built (?P<appeals>\d+) appeals? (\((?P<statuses>[^)]*)\) )?and (?P<pages>\d+) pages? into (?P<out>.+): "
    r"(?P<files>\d+) files in \d+\.\d\ds, (?P<warnings>\d+) warnings?\.(?P<rest>.*)$"
)


@pytest.fixture
def site(make_site) -> Path:
    return make_site({
        "content/appeals/amy.md": appeal(),
        "content/appeals/ben.md": appeal("Ben Example", raised="40000"),
        "content/appeals/cat.md": appeal("Cat Example", extra="status: closed"),
        "content/appeals/dan.md": appeal("Dan Example", extra="status: draft"),
        "content/pages/about.md": "---\ntitle: About\n---\nHello.\n",
    })


def test_build_succeeds_with_a_summary(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--site", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr
    # Only the editor's warnings (no summary, no photo), as check gives them.
    warnings = result.stderr.splitlines()
    assert all(": warning: " in line for line in warnings)
    match = SUMMARY.match(result.stdout.strip())
    assert match, result.stdout
    assert match["appeals"] == "3"
    assert match["statuses"] == "1 open, 1 funded, 1 closed"
    assert match["pages"] == "1"
    assert match["out"] == str(out)
    assert int(match["files"]) == sum(1 for p in out.rglob("*") if p.is_file())
    assert match["warnings"] == str(len(warnings))
    assert match["rest"] == " 1 draft left out (add --drafts to include)."
    assert (out / "appeals/amy/index.html").is_file()


def test_build_is_the_default_command(site: Path, tmp_path: Path) -> None:
    result = run_cli("--site", str(site), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert SUMMARY.match(result.stdout.strip())


def test_with_no_arguments_it_builds_the_current_folder(site: Path) -> None:
    result = run_cli(cwd=site)
    assert result.returncode == 0, result.stderr
    assert (site / "output/index.html").is_file()
    assert not (site.parent / ".output.staging").exists() and not (site / ".output.staging").exists()


def test_drafts_flag(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--site", str(site), "--output", str(out), "--drafts")
    assert result.returncode == 0, result.stderr
    match = SUMMARY.match(result.stdout.strip())
    assert match and match["appeals"] == "4" and match["statuses"] == "1 open, 1 funded, 1 closed, 1 draft"
    assert match["rest"] == ""
    assert (out / "appeals/dan/index.html").is_file()


def test_base_url_flag(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--site", str(site), "--output", str(out), "--base-url", "https://appeals.example.org/sub")
    assert result.returncode == 0, result.stderr
    html = (out / "appeals/amy/index.html").read_text()
    assert '<link rel="canonical" href="https://appeals.example.org/sub/appeals/amy/">' in html
    assert 'href="/sub/static/css/site.css"' in html
    assert "example.github.io" not in html


def test_the_installed_command_is_the_same(site: Path, tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "totaliser"
    if not command.exists():
        pytest.skip("the package is not installed in this Python (pip install -e .)")
    result = subprocess.run(
        [str(command), "--site", str(site), "--output", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, env=dict(os.environ, NO_COLOR="1"),
    )
    assert result.returncode == 0, result.stderr
    assert SUMMARY.match(result.stdout.strip())


def test_warnings_are_printed_and_still_exit_0(make_site, tmp_path: Path) -> None:
    site = make_site({"content/appeals/amy.md": appeal(extra="rasied: 5")})
    result = run_cli("build", "--site", str(site), "--output", str(tmp_path / "out"))
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    assert "content/appeals/amy.md:8: warning: rasied: unknown field: ignored unless the site's templates use it (did you mean `raised`?)" in lines
    match = SUMMARY.match(result.stdout.strip())
    assert match and match["warnings"] == str(len(lines))


def test_content_errors_exit_1_and_write_nothing(make_site, tmp_path: Path) -> None:
    site = make_site({"content/appeals/amy.md": appeal()})
    out = tmp_path / "out"
    assert run_cli("build", "--site", str(site), "--output", str(out)).returncode == 0
    (out / "marker.txt").write_text("the previous site")
    before = snapshot(tmp_path)
    # Two broken files at once: both are reported.
    (site / "content/appeals/amy.md").write_text(appeal(target='"fifty grand"'), encoding="utf-8")
    (site / "content/appeals/ben.md").write_bytes(b"---\nchild: Ben\xff\n---\n")
    result = run_cli("build", "--site", str(site), "--output", str(out))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        'content/appeals/amy.md:4: target: "fifty grand" is not an amount (use a number such as 36000 or "£36,000")',
        "content/appeals/ben.md:2: file: the file is not UTF-8 text (save it with UTF-8 encoding)",
        "Build stopped: 2 errors to fix. Nothing was written; the previous site is unchanged.",
    ]
    after = snapshot(tmp_path)
    for changed in ("site/content/appeals/amy.md", "site/content/appeals/ben.md"):
        before.pop(changed, None)
        after.pop(changed, None)
    assert after == before


def test_broken_input_never_shows_a_traceback(make_site, tmp_path: Path) -> None:
    site = make_site({
        "content/appeals/a.md": b"\x00\x01\x02\xff" * 50,
        "content/appeals/b.md": "---\n" + "[" * 5000 + "\n---\n",
        "content/appeals/c.md": "---\na: &a [*a]\n---\n",
        "content/appeals/d.md": "---\n? [1, 2]\n: x\n---\n",
        "content/appeals/e.md": "---\nchild: !!binary aGVsbG8=\n---\n",
        "content/appeals/f.md": "---\ndate: 2026-05-01T25:00:00\ntarget: 1e400\nraised: 99999999999999999999999\n---\n",
        "content/pages/g.md": "---\ntitle: {a: {b: {c: [1, 2, {d: e}]}}}\n---\n",
    })
    result = run_cli("build", "--site", str(site), "--output", str(tmp_path / "out"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    for line in lines[:-1]:
        assert re.match(r"^content/(appeals|pages)/[a-g]\.md:\d+: ", line), line
    for name in ("a", "b", "c", "d", "e", "f"):
        assert any(line.startswith(f"content/appeals/{name}.md:") for line in lines), name
    assert not (tmp_path / "out").exists()


def test_a_broken_site_yaml_exits_1(make_site, tmp_path: Path) -> None:
    site = make_site({"content/appeals/amy.md": appeal()}, site_yaml="title: [\n")
    result = run_cli("build", "--site", str(site), "--output", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.startswith("site.yaml:")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("build", "--bogus"),
        ("frobnicate",),
        ("build", "--site"),
        ("build", "--site", "{tmp}/no-such-folder"),
        ("build", "--site", "{site}", "--output", "{site}"),
        ("build", "--site", "{site}", "--output", "{tmp}"),
        ("build", "--site", "{site}", "--output", "{site}/content"),
        ("build", "--site", "{site}", "--output", "{site}/templates"),
        ("build", "--site", "{site}", "--base-url", "javascript:alert(1)"),
        ("build", "--site", "{site}", "--base-url", "appeals.example.org"),
    ],
)
def test_bad_usage_exits_2_and_touches_nothing(site: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    before = snapshot(tmp_path)
    filled = [a.format(site=site, tmp=tmp_path) for a in args]
    result = run_cli(*filled)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip()
    assert "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before


def test_the_home_folder_is_refused(site: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("# mine")
    before = snapshot(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", HOME=str(home))
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--site", str(site), "--output", str(home)],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert result.returncode == 2
    assert "home folder" in result.stderr
    assert snapshot(tmp_path) == before


def test_help_exits_0() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "build" in result.stdout


def test_paths_in_messages_are_relative_when_run_inside_the_site(make_site, tmp_path: Path) -> None:
    site = make_site({
        "content/appeals/amy.md": appeal(extra="image: amy.jpg\nimage_alt: Amy smiling"),
        "content/appeals/amy.jpg": b"not a photo at all",
        "content/appeals/ben.md": appeal("Ben", target="lots"),
    })
    result = run_cli("build", "--output", str(tmp_path / "out"), cwd=site)
    lines = [line for line in result.stderr.splitlines() if ": warning: " not in line]
    assert result.returncode == 1
    assert lines[0] == 'content/appeals/ben.md:4: target: "lots" is not an amount (use a number such as 36000 or "£36,000")'
    assert len(lines) == 2 and lines[1].startswith("Build stopped: 1 error")
    # The photo is only opened once the content is free of errors.
    (site / "content/appeals/ben.md").unlink()
    result = run_cli("build", "--output", str(tmp_path / "out"), cwd=site)
    assert result.returncode == 1
    assert result.stderr.startswith("content/appeals/amy.md:1: image: content/appeals/amy.jpg cannot be read as a photo")
    assert not (tmp_path / "out").exists()


def test_version_prints_the_installed_version() -> None:
    from importlib.metadata import version

    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"totaliser {version('totaliser')}\n"
    assert result.stderr == ""


def _warning_lines(stderr: str) -> list[str]:
    return sorted(line for line in stderr.splitlines() if ": warning: " in line)


def test_build_reports_the_warnings_check_does(tmp_path: Path) -> None:
    from .conftest import copy_example_site

    site = copy_example_site(tmp_path / "site")
    story = site / "content/appeals/jacob-buckett.md"
    story.write_text(
        story.read_text(encoding="utf-8") + "\nSee [the appeal rules](../../pages/rules/).\n", encoding="utf-8"
    )
    checked = run_cli("check", "--site", str(site))
    built = run_cli("build", "--site", str(site), "--output", str(tmp_path / "out"))
    assert checked.returncode == 0 and built.returncode == 0, built.stderr
    warnings = _warning_lines(checked.stderr)
    assert any('"../../pages/rules/" goes nowhere' in line for line in warnings)
    assert len(warnings) >= 5
    assert _warning_lines(built.stderr) == warnings
    count = re.search(r"(\d+) warnings?", checked.stdout)
    assert count and int(count.group(1)) == len(warnings)
    match = SUMMARY.match(built.stdout.strip())
    assert match and int(match["warnings"]) == len(warnings)
