"""The quick inline processor (markup._quick_inline) must give exactly what
Python-Markdown's own inline processor gives, for any text."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from totaliser import markup

pytestmark = pytest.mark.xdist_group("markup")


def _plain_markdown(monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patch:
        patch.setattr(markup, "_quick_inline", lambda md: None)
        return markup._make_markdown()


@pytest.fixture(scope="module")
def pair() -> tuple[Any, Any]:
    with pytest.MonkeyPatch.context() as patch:
        plain = _plain_markdown(patch)
    return markup._make_markdown(), plain


def convert(md: Any, text: str) -> str:
    md.reset()
    return str(md.convert(text))


def test_the_quick_processor_is_the_one_used(pair: tuple[Any, Any]) -> None:
    quick, plain = pair
    assert type(quick.treeprocessors["inline"]).__name__ == "QuickInlineProcessor"
    assert type(plain.treeprocessors["inline"]).__name__ == "InlineProcessor"
    # In the same place among the tree processors as the one it replaces.
    assert [type(t).__name__ for t in quick.treeprocessors] == [
        "QuickInlineProcessor" if type(t).__name__ == "InlineProcessor" else type(t).__name__ for t in plain.treeprocessors
    ]


STORIES = [
    "Plain words with nothing to do.",
    "Some *emphasis*, __strong__, ***both*** and a_snake_case_word.",
    "A [link](https://example.org/give \"Give\") and ![a photo](/static/a.jpg) and [a ref][r].\n\n[r]: https://example.org/r",
    "Code: `x < y` and ``a ` b`` and \\*not emphasis\\*.",
    "Line one  \nline two, <b>bold</b>, &amp; &#169; <https://example.org> <someone@example.org>",
    "Footnote[^1] here.\n\n[^1]: The note, with *emphasis*.",
    "*[NHS]: National Health Service\n\nThe NHS said no.",
    "> Quoted *words* with [a link](https://example.org)\n\n- item `one`\n- item **two**",
    "| a | b |\n|---|---|\n| *x* | [y](https://y.example) |",
    "Term\n:   Definition with _emphasis_\n",
    "<div markdown=\"1\">*inside* html</div>",
    "Unclosed *emphasis and [bracket and `tick and <tag",
    "[[[nested [brackets]]]](x) **a *b* c** _a __b__ c_",
]


@pytest.mark.parametrize("text", STORIES)
def test_same_html_as_python_markdown(pair: tuple[Any, Any], text: str) -> None:
    quick, plain = pair
    assert convert(quick, text) == convert(plain, text)


MARKUP_PIECES = st.sampled_from(
    ["*", "**", "_", "__", "`", "``", "[", "]", "(", ")", "![", "<", ">", "&", ";", "\\", "  \n", "\n", "\n\n",
     "http://x.example/", "a@b.example", "#", "- ", "> ", "[^1]", "[^1]: ", "&amp;", "<b>", "</b>", " ", "word", "é"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(MARKUP_PIECES, st.text(max_size=5)), max_size=40).map("".join))
def test_same_html_for_generated_text(pair: tuple[Any, Any], text: str) -> None:
    quick, plain = pair
    assert convert(quick, text) == convert(plain, text)
