"""The shortcuts through Python-Markdown (markdown_shortcuts: the quick inline
processor, the quick block parser, the idle tree processors skipped) must give
exactly what plain Python-Markdown gives, for any text; and the sanitiser's
reused nh3.Cleaner exactly what nh3.clean gives."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from totaliser import markdown_shortcuts, markup

pytestmark = pytest.mark.xdist_group("markup")


@pytest.fixture(scope="module")
def pair() -> tuple[Any, Any]:
    return markup._make_markdown(), markup._make_markdown(quick=False)


def convert(md: Any, text: str) -> str:
    md.reset()
    return str(md.convert(text))


def test_the_quick_processor_is_the_one_used(pair: tuple[Any, Any]) -> None:
    quick, plain = pair
    assert type(quick.treeprocessors["inline"]).__name__ == "QuickInlineProcessor"
    assert type(plain.treeprocessors["inline"]).__name__ == "InlineProcessor"
    # In the same place among the tree processors as the one it replaces.
    # (A tree processor that may be skipped is of a subclass of its own.)
    # (Smart punctuation runs an InlineProcessor of its own, which stays as it is.)
    assert [type(t).__name__.removeprefix("Skipping") for t in quick.treeprocessors] == [
        "QuickInlineProcessor" if t is plain.treeprocessors["inline"] else type(t).__name__ for t in plain.treeprocessors
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
    # Block rules, each where a shortcut could wrongly skip it.
    "# Heading #\n\nText\n===\n\nMore\n---\n\n- - -\n\n***\n\n___",
    "1. one\n2. two\n\n3) not a list\n\n  4. indented item\n\n* star\n+ plus\n- dash",
    "- item\n\n    indented under the item\n\n        code in the item",
    "    code block\n    second line\n\nafter",
    "Term\n: Definition\n:   Second definition\n\n    indented under it",
    "a | b\n--|--\n1 | 2\n\n| single |\n|---|\n| cell |",
    "> quote\n> > nested\n\n   > indented quote",
    "Text[^n] here.\n\n[^n]: The note.\n    More of it.\n[^m]: Another.",
    "Before\n*[HTML]: Hyper Text\nThe HTML said.",
    "Before\n[ref]: https://example.org \"Title\"\nafter [ref]",
    "Para {: .cls #id }\n\n## Head {: .h }\n\n- item {: .li }\n\n[link](x){: .a } and {not attrs}",
    "Escapes: \\*not\\*, \\{, \\`, \\\\ and `code \\` span`",
    "<div markdown=\"1\">\n*inside* a div {: .x }\n\n- list\n</div>\n\n<p>raw</p>",
    "```\nfenced {: .x } \\* | # > [^1]\n```\n\n~~~ {.python}\ncode\n~~~",
    "Line ends\tin a tab\n\tand starts with one\n\n\t\tcode by tabs",
]


@pytest.mark.parametrize("text", STORIES)
def test_same_html_as_python_markdown(pair: tuple[Any, Any], text: str) -> None:
    quick, plain = pair
    assert convert(quick, text) == convert(plain, text)


MARKUP_PIECES = st.sampled_from(
    ["*", "**", "_", "__", "`", "``", "[", "]", "(", ")", "![", "<", ">", "&", ";", "\\", "  \n", "\n", "\n\n",
     "http://x.example/", "a@b.example", "#", "- ", "> ", "[^1]", "[^1]: ", "&amp;", "<b>", "</b>", " ", "word", "é"]
)
# What starts or marks a block: at the start of a line (after "\n") they are
# the block rules' syntax.
BLOCK_PIECES = st.sampled_from(
    ["\n", "\n\n", "    ", "  ", "\t", "# ", "## ", "#", "===", "---", "- - -", "***", "___", "1. ", "2. ", "* ",
     "+ ", "- ", ": ", ":   ", "> ", ">", "| ", "|", "---|---", "*[", "]: ", "[x]: http://x.example/", "[^1]: ",
     "{", "}", "{: .c }", "{: #i }", "\\", "```", "~~~", "<div markdown=\"1\">", "</div>", "<p>", "</p>", "word", "é"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(MARKUP_PIECES, st.text(max_size=5)), max_size=40).map("".join))
def test_same_html_for_generated_text(pair: tuple[Any, Any], text: str) -> None:
    quick, plain = pair
    assert convert(quick, text) == convert(plain, text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(BLOCK_PIECES, MARKUP_PIECES, st.text(alphabet=" \t\n:|#>-*", max_size=4)), max_size=50).map("".join))
def test_same_html_for_generated_blocks(pair: tuple[Any, Any], text: str) -> None:
    quick, plain = pair
    assert convert(quick, text) == convert(plain, text)


def test_every_rule_of_this_python_markdown_has_its_shortcut(pair: tuple[Any, Any]) -> None:
    """A rule changed by a new Python-Markdown loses its shortcut (and is
    tried as before): this says so, so that its conditions are read again."""
    quick, _plain = pair
    patterns = list(quick.inlinePatterns)
    assert patterns and all(markdown_shortcuts.inline_needs(p) is not None for p in patterns)
    # Only the empty-block and paragraph rules have no condition: they are cheap, and take anything.
    unconditional = [
        type(p).__name__ for p in quick.parser.blockprocessors if markdown_shortcuts.block_needs(p) == (None, None)
    ]
    assert unconditional == ["EmptyBlockProcessor", "ParagraphProcessor"]
    skipped = [type(t).__name__ for t in quick.treeprocessors if type(t).__name__.startswith("Skipping")]
    assert skipped == ["SkippingAttrListTreeprocessor", "SkippingUnescapeTreeprocessor"]


def test_the_shortcuts_need_what_the_rules_match() -> None:
    """Each condition is necessary: text that a rule's expression matches holds it."""
    from markdown import blockprocessors, inlinepatterns

    md = markup._make_markdown(quick=False)
    samples = {
        "HashHeaderProcessor": "## Head", "SetextHeaderProcessor": "Head\n===", "HRProcessor": "* * *",
        "SaneOListProcessor": "1. one", "SaneUListProcessor": "+ one", "DefListProcessor": "Term\n:  def",
        "BlockQuoteProcessor": "  > q", "FootnoteBlockProcessor": "[^a]: note", "AbbrBlockprocessor": "x\n*[A]: B",
        "ReferenceProcessor": "[a]: http://x.example/",
    }
    for processor in md.parser.blockprocessors:
        name = type(processor).__name__
        if name in samples:
            starts, holds = markdown_shortcuts.block_needs(processor)
            block = samples[name]
            expression = getattr(processor, "SEARCH_RE", None) or processor.RE
            assert expression.search(block), name
            assert starts is None or block.startswith(starts), name
            assert holds is None or any(needed in block for needed in holds), name
    assert isinstance(md.parser.blockprocessors["paragraph"], blockprocessors.ParagraphProcessor)
    texts = ["`c`", "\\*", "[^1]", "[a](b)", "![a](b)", "<http://x.example>", "<a@b.example>", "a  \nb", "<b>",
             "&amp;", "*a*", "_a_"]
    for pattern in md.inlinePatterns:
        if isinstance(pattern, inlinepatterns.InlineProcessor):
            needs = markdown_shortcuts.inline_needs(pattern)
            assert needs is not None
            for text in texts:
                if pattern.getCompiledRegExp().search(text):
                    assert any(needed in text for needed in needs), (type(pattern).__name__, text)


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
