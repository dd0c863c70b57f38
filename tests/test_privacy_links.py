"""Under privacy: first_name, links are never rewritten: a surname in one is a
warning from build and check, naming the file, the line and the link."""

from __future__ import annotations

from pathlib import Path

from .conftest import MINIMAL_SITE_YAML, run_cli
from .test_build import appeal

STORY = (
    "Amy Quixby needs an operation.\n\n"
    "Give at [her fundraising page](https://www.gofundme.example/f/amy-quixby-appeal).\n\n"
    "![Amy at the beach](/appeals-site/static/images/quixby-beach.png)\n"
)


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def test_links_with_a_surname_are_published_as_written_and_warned_about(make_site, tmp_path: Path) -> None:
    site = make_site(
        {
            "content/appeals/amy.md": appeal("Amy Quixby", body=STORY, extra="donate_url: https://give.example/quixby"),
            "static/images/quixby-beach.png": _png(),
        },
        site_yaml=MINIMAL_SITE_YAML + "privacy: first_name\n",
    )
    out = tmp_path / "out"
    built = run_cli("build", "--site", str(site), "--output", str(out))
    assert built.returncode == 0, built.stderr
    page = (out / "appeals/amy/index.html").read_text(encoding="utf-8")
    assert 'href="https://www.gofundme.example/f/amy-quixby-appeal"' in page
    assert 'src="/appeals-site/static/images/quixby-beach.png"' in page
    assert 'href="https://give.example/quixby"' in page
    assert "Quixby" not in page.replace("quixby", "")  # the words are still shortened
    expected = [
        'content/appeals/amy.md:8: warning: link: "https://give.example/quixby" contains a child\'s surname',
        'content/appeals/amy.md:12: warning: link: "https://www.gofundme.example/f/amy-quixby-appeal" contains a child\'s surname',
        'content/appeals/amy.md:14: warning: link: "/appeals-site/static/images/quixby-beach.png" contains a child\'s surname',
    ]
    checked = run_cli("check", "--site", str(site))
    assert checked.returncode == 0, checked.stderr
    for result in (built, checked):
        links = [line.split(", but")[0] for line in result.stderr.splitlines() if ": link: " in line]
        assert sorted(links) == sorted(expected)
    # The lines with links are not also said to be shortened to an initial.
    assert not any(line.startswith(("content/appeals/amy.md:12:", "content/appeals/amy.md:14:")) and "story" in line
                   for line in checked.stderr.splitlines())


def test_unknown_fields_holding_an_address_are_kept_as_written() -> None:
    from totaliser.privacy import SiteNameGuard

    guard = SiteNameGuard.for_children(["Amy Quixby"])
    assert guard.redact_value({"fundraiser": "https://www.gofundme.example/f/amy-quixby", "thanks": "The Quixby family"}) == {
        "fundraiser": "https://www.gofundme.example/f/amy-quixby", "thanks": "The Q. family",
    }
