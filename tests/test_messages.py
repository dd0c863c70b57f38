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


def test_files_that_look_like_stories_but_are_skipped_are_named(make_site, tmp_path: Path) -> None:
    site = make_site({
        "content/appeals/amy.md": appeal(),
        "content/appeals/bella.MD": appeal("Bella Example"),
        "content/appeals/dora.markdown": appeal("Dora Example"),
        "content/appeals/cara.md.txt": appeal("Cara Example"),
        "content/appeals/2026/eve.md": appeal("Eve Example"),
        "content/appeals/notes.txt": "a list of ideas\n",
        "content/appeals/fern.txt": appeal("Fern Example"),
        "content/appeals/gwen.docx": "(a word-processor file)",
        "content/hana.md": appeal("Hana Example"),
        "content/appeals/amy.md~": appeal(),
        "content/pages/about.markdown": "---\ntitle: About\n---\nHi.\n",
    })
    expected = [
        "content/hana.md:1: warning: file name: is not read: appeals go in content/appeals/ and plain pages in content/pages/ (move it there)",
        "content/appeals/2026/eve.md:1: warning: file name: is in a sub-folder, so it is not read: "
        "only files directly in content/appeals/ are (move it into content/appeals/)",
        "content/appeals/bella.MD:1: warning: file name: is not read: only files ending in .md (in lowercase) are (rename it to bella.md)",
        "content/appeals/cara.md.txt:1: warning: file name: is not read: only files ending in .md (in lowercase) are (rename it to cara.md)",
        "content/appeals/dora.markdown:1: warning: file name: is not read: only files ending in .md (in lowercase) are (rename it to dora.md)",
        "content/appeals/fern.txt:1: warning: file name: is not read: only files ending in .md are (rename it to fern.md)",
        "content/appeals/gwen.docx:1: warning: file name: is a word-processor document, which is not read: "
        "copy its words into a story named gwen.md (the `new` command starts one)",
        "content/pages/about.markdown:1: warning: file name: is not read: only files ending in .md (in lowercase) are (rename it to about.md)",
    ]
    for command in (["check"], ["build", "--output", str(tmp_path / "out")]):
        result = run_cli(*command, "--site", str(site))
        assert result.returncode == 0, result.stderr
        named = [line for line in result.stderr.splitlines() if "file name" in line]
        assert named == expected, command


def test_an_open_appeal_still_holding_new_s_placeholders_is_an_error(make_site, tmp_path: Path) -> None:
    site = make_site({})
    assert run_cli("new", "Amelia Hart", "--site", str(site)).returncode == 0
    story = site / "content/appeals/amelia-hart.md"
    assert run_cli("check", "--site", str(site)).returncode == 0  # a draft may hold them
    text = story.read_text(encoding="utf-8")
    story.write_text(text.replace("status: draft", "status: open"), encoding="utf-8")
    lines = story.read_text(encoding="utf-8").splitlines()

    def line_of(start: str) -> int:
        return next(number for number, line in enumerate(lines, 1) if line.strip().startswith(start))

    advice = "write the real one, or keep status: draft until the story is ready"
    expected = {
        f"content/appeals/amelia-hart.md:{line_of('condition:')}: condition: \"the child's condition\" is the placeholder written by `new` ({advice})",
        f"content/appeals/amelia-hart.md:{line_of('url:')}: donate[0].url: \"https://www.justgiving.com/your-appeal-page\" "
        f"is the placeholder written by `new` (link to the appeal's own page; {advice})",
        f"content/appeals/amelia-hart.md:{line_of('Write the story here.')}: story: still holds the placeholder written by `new`, "
        f"\"Write the story here.\" ({advice})",
    }
    for command in (["check"], ["build", "--output", str(tmp_path / "out")]):
        result = run_cli(*command, "--site", str(site))
        assert result.returncode == 1, command
        assert expected <= set(result.stderr.splitlines()), result.stderr
    assert not (tmp_path / "out").exists()


def test_new_with_a_name_in_another_script_asks_for_a_slug(make_site) -> None:
    site = make_site({})
    result = run_cli("new", "李小龙", "--site", str(site))
    assert result.returncode == 2
    assert '"李小龙" has no Latin letters (a to z) or digits to make a web address from: give one with --slug' in result.stderr
    written = run_cli("new", "李小龙", "--slug", "xiaolong", "--site", str(site))
    assert written.returncode == 0, written.stderr
    assert (site / "content/appeals/xiaolong.md").is_file()


def test_new_blames_a_bad_slug_on_the_slug(make_site) -> None:
    site = make_site({})
    result = run_cli("new", "Test Kid", "--slug", "李", "--site", str(site))
    assert result.returncode == 2
    assert '--slug "李" has no Latin letters (a to z) or digits' in result.stderr
    assert "Test Kid" not in result.stderr
    assert not (site / "content/appeals").exists()


def test_new_outside_a_site_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "somewhere"
    folder.mkdir()
    result = run_cli("new", "Amy Example", cwd=folder)
    assert result.returncode == 2
    assert "this folder is not a site: it has no site.yaml, so nothing was written" in result.stderr
    assert list(folder.iterdir()) == []


def test_new_names_the_command_as_it_was_run(make_site) -> None:
    import os
    import subprocess
    import sys

    site = make_site({})
    assert run_cli("new", "Amy Example", "--site", str(site)).returncode == 0
    assert "record new totals with: python build.py raise amy-example AMOUNT" in (site / "content/appeals/amy-example.md").read_text(encoding="utf-8")
    installed = Path(sys.executable).parent / "totaliser"
    if not installed.exists():
        pytest.skip("the totaliser command is not installed beside this Python")
    result = subprocess.run(
        [str(installed), "new", "Ben Example", "--site", str(site)],
        capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"), timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "record new totals with: totaliser raise ben-example AMOUNT" in (site / "content/appeals/ben-example.md").read_text(encoding="utf-8")


def test_tags_written_without_brackets_are_one_tag_and_say_so(make_site, tmp_path: Path) -> None:
    site = make_site({"content/appeals/amy.md": appeal(extra="tags: SMA, wheelchair, equipment")})
    result = run_cli("build", "--site", str(site), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert (
        'content/appeals/amy.md:8: warning: tags: "SMA, wheelchair, equipment" is one tag '
        "(for 3 tags, write them in brackets: tags: [SMA, wheelchair, equipment])"
    ) in result.stderr.splitlines()
    assert (tmp_path / "out/tags/sma-wheelchair-equipment/index.html").is_file()  # as written: a warning, not a change


def test_a_picture_from_another_website_in_a_story_is_named(make_site, tmp_path: Path) -> None:
    story = appeal().replace("---\n", "---\n", 1).rstrip("\n") + (
        "\n\nHere she is at the fair:\n\n![Amy at the fair](https://pictures.example/amy.jpg)\n\n"
        '<img src="//cdn.example/a.png" alt="x"> and <img src="../../static/images/ok.png" alt="ours">\n'
    )
    site = make_site({"content/appeals/amy.md": story})
    result = run_cli("build", "--site", str(site), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    named = [line for line in result.stderr.splitlines() if ": story: the picture" in line]
    lines = story.splitlines()
    markdown_line = next(n for n, text in enumerate(lines, 1) if "pictures.example" in text)
    assert named == [
        f"content/appeals/amy.md:{markdown_line}: warning: story: the picture https://pictures.example/amy.jpg is on another "
        "website, so pages leave it out (they load nothing from other sites): save it in static/images/ and write its "
        "path from the page, e.g. ../../static/images/photo.jpg",
        f"content/appeals/amy.md:{markdown_line + 2}: warning: story: the picture //cdn.example/a.png is on another "
        "website, so pages leave it out (they load nothing from other sites): save it in static/images/ and write its "
        "path from the page, e.g. ../../static/images/photo.jpg",
    ]
    assert "pictures.example" not in (tmp_path / "out/appeals/amy/index.html").read_text(encoding="utf-8")


def test_a_draft_that_stops_the_build_is_named_as_a_draft(make_site, tmp_path: Path) -> None:
    draft = appeal(target='"lots"', extra="status: draft")
    site = make_site({"content/appeals/amy.md": draft, "content/appeals/ben.md": appeal("Ben Example")})
    for command in (["build", "--output", str(tmp_path / "out")], ["check"]):
        result = run_cli(*command, "--site", str(site))
        assert result.returncode == 1, command
        assert (
            "content/appeals/amy.md is a draft: not published, but checked all the same. "
            "Fix the mistake, or move the file out of content/ until it is ready."
        ) in result.stderr.splitlines(), command
        assert "ben.md is a draft" not in result.stderr
