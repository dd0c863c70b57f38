"""Story bodies: Markdown converted by Python-Markdown, then cleaned by nh3."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from totaliser import markup


def test_a_story_converts_as_python_markdown_with_extra_and_sane_lists() -> None:
    import markdown

    text = "## Head\n\nA *story* with [a link](https://give.example/).\n\n1. one\n2. two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    expected = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    assert markup.StoryRenderer().to_html(text) == markup.sanitise(expected)


@pytest.mark.parametrize("raw", [
    '<p onclick="x()">a<script>alert(1)</script><a href="javascript:x">b</a></p>',
    '<img src="https://evil.example/a.png" alt="a"><img src="/static/a.png" alt="b" onerror="x">',
    '<a href="https://example.org" title="t" target="_blank">link</a><!-- comment --><iframe src="x"></iframe>',
    '<table><tr><td colspan="2" style="x">c</td></tr></table><ol start="3"><li>i</li></ol>',
])
def test_the_reused_cleaner_cleans_as_nh3_clean(raw: str) -> None:
    import nh3

    expected = nh3.clean(
        raw, tags=markup.ALLOWED_TAGS, attributes=markup.ALLOWED_ATTRIBUTES, url_schemes=markup.ALLOWED_URL_SCHEMES,
        link_rel="noopener nofollow", strip_comments=True, attribute_filter=markup._keep_attribute,
    )
    assert markup.sanitise(raw) == expected


# --- Only the extensions a story needs -------------------------------------

EVERY_EXTRA = tuple(name for name, _ in markup.EXTRA)

# Pieces of Markdown that each extension of "extra" reads, whole and in
# part, with the line ends and indents that change how a line is read.
PIECES = [
    "```", "~~~", "```\ncode\n```\n", "~~~~\nx\n~~~~\n", "[^1]", "[^1]: A note.\n", "A claim.[^n]\n\n[^n]: Why.\n",
    "{: .wide }", "{#top}", "## Head {#head}\n", "Para\n{: #p }\n", "{", "}",
    ":", ": ", "Term\n:   A meaning\n", "Term\n   : Indented\n", "Term\n\t: Tabbed\n", "Term\r:   Old Mac\n",
    "Term\r\n: Windows\n", "\n\n: Lone\n",
    "|", "| a | b |\n|---|---|\n| 1 | 2 |\n", "a | b\n--|--\n1 | 2\n", "|---|",
    "*[HTML]: Hypertext\n", "*[", "HTML", "<div markdown=\"1\">\n*x*\n</div>\n", "<div>\n*y*\n</div>\n", "<b>", "<",
    "\n", "\n\n", "\r", "\r\n", "    ", "\t", "- ", "1. ", "* ", "# ", "> ", "*", "_", "**", "`", "'", "\"", "--",
    "...", "word", "Jacob's", "[a link](https://give.example/)", "<https://give.example/>", "write to appeals@paper.example",
    "![a](/static/a.png)", "&", "&amp;", "\\", "=", "---",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_a_story_converts_with_its_extensions_as_with_all_of_extra(text: str) -> None:
    everything = markup._make_markdown(EVERY_EXTRA)
    assert markup.StoryRenderer().to_html(text) == markup.sanitise(everything.convert(markup._defused(text)))


@pytest.mark.parametrize(("text", "extension"), [
    ("```\ncode\n```\n", "fenced_code"),
    ("A claim.[^1]\n\n[^1]: The source.\n", "footnotes"),
    ("## Treatment {#treatment}\n", "attr_list"),
    ("Rett syndrome\n:   A rare condition of the brain.\n", "def_list"),
    ("Rett syndrome\n  :\tA rare condition of the brain.\n", "def_list"),
    ("Rett syndrome\r   : A rare condition of the brain.\r", "def_list"),
    ("| Raised | Target |\n|---|---|\n| 1 | 2 |\n", "tables"),
    ("Raised | Target\n--|--\n1 | 2\n", "tables"),
    ("The NHS helps.\n\n*[NHS]: National Health Service\n", "abbr"),
    ('<div markdown="1">\n*Thank you*\n</div>\n', "md_in_html"),
])
def test_each_extension_is_used_where_its_mark_is(text: str, extension: str) -> None:
    assert extension in markup.extra_for(text)
    everything = markup._make_markdown(EVERY_EXTRA)
    without = markup._make_markdown(tuple(name for name in EVERY_EXTRA if name != extension))
    html = markup.StoryRenderer().to_html(text)
    assert html == markup.sanitise(everything.convert(text))
    assert html != markup.sanitise(without.convert(text))  # the extension changes this story
