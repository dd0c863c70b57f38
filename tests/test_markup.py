"""Story bodies: Markdown converted by Python-Markdown, then cleaned by nh3."""

from __future__ import annotations

import pytest

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
