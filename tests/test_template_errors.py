"""An error in a template is named by the template's file and line, in the
template's own words, with the closest known name: in build, check and serve."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import copy_example_site, run_cli
from .test_build import appeal

TYPO = '{% extends "default/appeal.html" %}\n{% block title %}\n{{ appeal.chlid }}\n{% endblock %}\n'


@pytest.mark.parametrize("template, expected", [
    (TYPO, "templates/appeal.html:3: appeal.chlid is not defined (did you mean appeal.child?)"),
    ('{% extends "default/apeal.html" %}\n',
     'templates/appeal.html:1: the template "default/apeal.html" does not exist (did you mean default/appeal.html?)'),
    ('{% extends "default/appeal.html" %}\n{% block title %}{{ appeal.target | mony }}{% endblock %}\n',
     "templates/appeal.html:2: there is no filter named mony (did you mean money?)"),
    ('{% extends "default/appeal.html" %}\n{% block title %}{{ site.titel }}{% endblock %}\n',
     "templates/appeal.html:2: site.titel is not defined (did you mean site.title?)"),
    ('{% extends "default/appeal.html" %}\n{% block title %}\n{% if appeal %}\n{{ appeal.title }}\n{% endblock %}\n',
     "templates/appeal.html:5: Encountered unknown tag 'endblock'."),
    # Lines Python itself refuses while the template runs.
    ('{% extends "default/appeal.html" %}\n{% block title %}\n{{ appeal.target | money(1, 2, 3, 4, 5) }}{% endblock %}\n',
     "templates/appeal.html:3: this line cannot be worked out: money() takes 3 positional arguments but 7 were given"),
    ('{% extends "default/appeal.html" %}\n{% block title %}{{ appeal.target / 0 }}{% endblock %}\n',
     "templates/appeal.html:2: this line cannot be worked out: division by zero"),
])
def test_build_and_check_name_the_template_line_and_the_closest_name(make_site, tmp_path: Path, template: str, expected: str) -> None:
    site = make_site({"content/appeals/amy.md": appeal(), "templates/appeal.html": template})
    for command in (["build", "--output", str(tmp_path / "out")], ["check"]):
        result = run_cli(*command, "--site", str(site))
        assert result.returncode == 1, command
        assert any(line.startswith(expected) for line in result.stderr.splitlines()), (command, result.stderr)
        assert "totaliser." not in result.stderr and "object" not in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_typo_on_the_totals_gets_the_closest_name_too(make_site, tmp_path: Path) -> None:
    # The listings hand their totals over to be read when shown (reads.ValueWhenUsed).
    template = '{% extends "default/index.html" %}\n{% block title %}\n{{ totals.apeals }}\n{% endblock %}\n'
    site = make_site({"content/appeals/amy.md": appeal(), "templates/index.html": template})
    result = run_cli("check", "--site", str(site))
    assert result.returncode == 1
    assert "templates/index.html:3: totals.apeals is not defined (did you mean totals.appeals?)" in result.stderr, result.stderr


@pytest.mark.slow
def test_serves_error_panel_names_the_template(tmp_path: Path) -> None:
    from .test_serve import ReloadListener, Server

    site = copy_example_site(tmp_path / "site")
    server = Server(site)
    try:
        listener = ReloadListener(server.port)
        try:
            (site / "templates/page.html").write_text(
                '{% extends "default/page.html" %}\n{% block title %}{{ page.titel }}{% endblock %}\n', encoding="utf-8"
            )
            listener.next_reload()
            _, page, _ = server.fetch("/appeals-site/pages/about/")
            assert "templates/page.html:2: page.titel is not defined (did you mean page.title?)" in page
        finally:
            listener.close()
    finally:
        server.stop()


def test_every_broken_template_is_reported_in_one_run(make_site) -> None:
    """An appeal's page, embed and badge are made together: an error in one
    of their templates must not hide an error in another. A typo is no name
    to suggest for another typo."""
    site = make_site({
        "content/appeals/amy.md": appeal(),
        "templates/appeal.html": TYPO,
        "templates/embed.html": "line1\nline2\n{{ nosuch2 }}\n",
        "templates/index.html": '{% extends "default/index.html" %}\n{% block title %}{{ nosuch3 }}{% endblock %}\n',
    })
    result = run_cli("check", "--site", str(site))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "templates/appeal.html:3: appeal.chlid is not defined (did you mean appeal.child?)" in lines, result.stderr
    assert "templates/embed.html:3: nosuch2 is not defined" in lines, result.stderr
    assert "templates/index.html:2: nosuch3 is not defined" in lines, result.stderr


def test_a_storys_error_does_not_hide_a_templates(make_site, tmp_path: Path) -> None:
    """A story's error stops the build before any page is made; the run still
    reports the site's template errors, tried on the stories that loaded."""
    site = make_site({
        "content/appeals/amy.md": appeal(),
        "content/appeals/bad.md": appeal(child="Bad Example", target='"lots"'),
        "templates/appeal.html": TYPO,
    })
    for command in (["build", "--output", str(tmp_path / "out")], ["check"]):
        result = run_cli(*command, "--site", str(site))
        assert result.returncode == 1, command
        lines = result.stderr.splitlines()
        assert any(line.startswith("content/appeals/bad.md:") and "target" in line for line in lines), result.stderr
        assert "templates/appeal.html:3: appeal.chlid is not defined (did you mean appeal.child?)" in lines, result.stderr
        assert "2 error" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("stopped_by", ["site.yaml", "every story"])
def test_a_template_with_no_story_to_try_it_on_is_still_read(make_site, tmp_path: Path, stopped_by: str) -> None:
    """With site.yaml wrong, or every story wrong, no output is tried: the
    site's templates are still read as Jinja, and their syntax errors named."""
    files = {
        "content/appeals/bad.md": appeal(child="Bad Example", target='"lots"' if stopped_by == "every story" else "36000"),
        "templates/poster.html": '{% extends "default/poster.html" %}\n{% block content %}\n{% if appeal %}\n{% endblock %}\n',
    }
    site = make_site(files)
    if stopped_by == "site.yaml":
        (site / "site.yaml").write_text((site / "site.yaml").read_text(encoding="utf-8") + "privacy: surname\n", encoding="utf-8")
    for command in (["build", "--output", str(tmp_path / "out")], ["check"]):
        result = run_cli(*command, "--site", str(site))
        assert result.returncode == 1, command
        lines = result.stderr.splitlines()
        assert "templates/poster.html:4: Encountered unknown tag 'endblock'." in " ".join(lines), result.stderr
        assert "2 error" in result.stderr, result.stderr


def test_unknown_fields_reach_templates_by_their_own_names(make_site, tmp_path: Path) -> None:
    # SPEC: unknown fields are kept and passed to templates. One appeal has
    # the field, the other not; a typo of a field is still an error.
    credit = (
        '{% extends "default/appeal.html" %}\n{% block title %}'
        "{% if appeal.photographer is defined %}Photo: {{ appeal.photographer }}{% else %}No credit{% endif %}"
        "{% endblock %}\n"
    )
    site = make_site({
        "content/appeals/amy.md": appeal(extra="photographer: Jo Bloggs"),
        "content/appeals/ben.md": appeal("Ben Example"),
        "templates/appeal.html": credit,
    })
    output = tmp_path / "out"
    result = run_cli("build", "--site", str(site), "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert "<title>Photo: Jo Bloggs</title>" in (output / "appeals/amy/index.html").read_text(encoding="utf-8")
    assert "<title>No credit</title>" in (output / "appeals/ben/index.html").read_text(encoding="utf-8")
    # The field is recorded as read: a new value is published by a cached build.
    story = site / "content/appeals/amy.md"
    story.write_text(story.read_text(encoding="utf-8").replace("Jo Bloggs", "Sam Smith"), encoding="utf-8")
    assert run_cli("build", "--site", str(site), "--output", str(output)).returncode == 0
    assert "<title>Photo: Sam Smith</title>" in (output / "appeals/amy/index.html").read_text(encoding="utf-8")
    (site / "templates/appeal.html").write_text(credit.replace("appeal.photographer }}", "appeal.photografer }}"), encoding="utf-8")
    result = run_cli("check", "--site", str(site))
    assert result.returncode == 1
    assert "templates/appeal.html:2: appeal.photografer is not defined" in result.stderr
