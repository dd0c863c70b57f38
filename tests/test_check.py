"""`check`: the build's errors, plus the warnings an editor wants; writes nothing."""

from __future__ import annotations

import datetime
from pathlib import Path

from tests.conftest import MINIMAL_SITE_YAML, copy_example_site, run_cli

# A week either side of today, not a day: the dates are worked out when the
# tests are collected, and a run that passes midnight must not turn
# "tomorrow" into today.
TODAY = datetime.date.today()
LAST_WEEK = (TODAY - datetime.timedelta(days=7)).isoformat()
NEXT_WEEK = (TODAY + datetime.timedelta(days=7)).isoformat()

ABOUT = "---\ntitle: About\n---\nAbout us. [Back to the appeals](../../)\n"


def story(extra: str = "", body: str = "Amy needs an operation.\n", child: str = "Amy Example") -> str:
    return (
        "---\n"
        f"child: {child}\n"
        "condition: cerebral palsy\n"
        "target: 36000\n"
        "raised: 25000\n"
        "hospital: Bristol Royal Hospital for Children\n"
        "date: 2026-05-01\n"
        "summary: Amy needs an operation.\n"
        "image: amy.png\n"
        "image_alt: Amy in her garden\n"
        f"{extra}"
        "---\n"
        f"{body}"
    )


def _png() -> bytes:
    # A real picture: check makes every page, and a page reads its photo.
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 80, 40)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()


def files(stories: dict[str, str]) -> dict[str, str | bytes]:
    out: dict[str, str | bytes] = {"content/pages/about.md": ABOUT, "content/appeals/amy.png": PNG}
    for slug, text in stories.items():
        out[f"content/appeals/{slug}.md"] = text
    return out


def test_a_clean_site_passes_without_warnings(make_site) -> None:
    site = make_site(files({"amy": story()}))
    result = run_cli("check", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "no errors, 0 warnings" in result.stdout
    assert run_cli("check", "--strict", "--site", str(site)).returncode == 0


def test_editor_warnings_name_file_line_and_field(make_site) -> None:
    site = make_site(files({
        "amy": story(
            f"status: open\nraised_note: x\ndeadline: {LAST_WEEK}\nupdates:\n  - date: 2026-05-01\n    raised: 100\n  - date: {NEXT_WEEK}\n    raised: 200\n",
            body="Amy needs help.\n\nSee [how to give](../../pages/how-to-give/) and [about](../../pages/about/).\n\n"
                 "[Home](/pages/about/) [Top](#top) [Mail](mailto:a@b.example) [Elsewhere](https://other.example/x)\n",
        ).replace("raised: 25000", "raised: 36000"),
    }))
    result = run_cli("check", "--site", str(site))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    path = "content/appeals/amy.md"
    assert f"{path}:5: warning: raised: £36,000 has reached the target of £36,000 but the appeal is still open" in result.stderr
    assert f"{path}:13: warning: deadline: {LAST_WEEK} has passed but the appeal is still open" in result.stderr
    assert f"{path}:17: warning: updates[1].date: {NEXT_WEEK} is in the future" in result.stderr
    assert f'{path}:22: warning: link: "../../pages/how-to-give/" goes nowhere' in result.stderr
    assert f'{path}:24: warning: link: "/pages/about/" points outside the site at /pages/about/' in result.stderr
    # The unknown field warning comes from the loader, as in the build.
    assert f"{path}:12: warning: raised_note: unknown field" in result.stderr
    # Links that work, other sites, mail and anchors are not reported.
    assert not [line for line in lines if '"../../pages/about/"' in line or "other.example" in line or "mailto" in line or "#top" in line]
    assert "6 warnings" in result.stdout

    strict = run_cli("check", "--strict", "--site", str(site))
    assert strict.returncode == 1
    assert f"{path}:13: deadline: {LAST_WEEK} has passed" in strict.stderr  # no "warning:" label now
    assert "counted as errors (--strict)" in strict.stderr


def test_missing_summary_and_image(make_site) -> None:
    bare = "---\nchild: Amy Example\ncondition: x\ntarget: 100\nraised: 1\nhospital: y\ndate: 2026-05-01\n---\nAmy.\n"
    site = make_site({"content/appeals/amy.md": bare})
    result = run_cli("check", "--site", str(site))
    assert result.returncode == 0
    assert "content/appeals/amy.md:1: warning: summary: not set" in result.stderr
    assert "content/appeals/amy.md:1: warning: image: not set" in result.stderr


def test_surnames_under_first_name_privacy(make_site) -> None:
    site = make_site(
        {
            **files({}),
            "content/appeals/amy-example.md": story(
                "organiser: Jo Example, Amy's mum\n", body="Amy lives in Poole.\n\nThe Example family thank you.\n"
            ),
            "content/appeals/bea.md": story(child="Bea Łukasz"),
        },
        site_yaml=MINIMAL_SITE_YAML + "privacy: first_name\n",
    )
    result = run_cli("check", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "content/appeals/amy-example.md:1: warning: file name: the web address appeals/amy-example/ contains the child's surname" in result.stderr
    assert "content/appeals/amy-example.md:11: warning: organiser: contains the child's surname" in result.stderr
    assert "content/appeals/amy-example.md:15: warning: story: contains the child's surname" in result.stderr
    assert "bea.md" not in result.stderr
    # Without the setting, surnames are expected.
    (site / "site.yaml").write_text(MINIMAL_SITE_YAML, encoding="utf-8")
    assert "surname" not in run_cli("check", "--site", str(site)).stderr


def test_errors_are_reported_like_the_build_and_nothing_is_written(tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    path = site / "content/appeals/jacob-buckett.md"
    path.write_text(path.read_text(encoding="utf-8").replace("target: 36000", "target: fifty grand"), encoding="utf-8")
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    result = run_cli("check", "--site", str(site))
    assert result.returncode == 1
    assert 'content/appeals/jacob-buckett.md:12: target: "fifty grand" is not an amount (use a number such as 36000 or "£36,000")' in result.stderr
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before


def test_the_example_site_checks_with_warnings_only(tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    result = run_cli("check", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "no errors" in result.stdout
    assert not (site / "output").exists()
