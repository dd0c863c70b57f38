"""Story bodies: Markdown to HTML, then an allow-list sanitiser.

Stories come from many hands (reporters, parents' words pasted from social
media), so raw HTML in them is cleaned with nh3, a maintained binding to the
Ammonia sanitiser: scripts, event handlers and ``javascript:`` URLs never
reach the output.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from typing import Any

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del",
    "details", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q",
    "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

def _make_markdown() -> Any:
    """Python-Markdown with "extra" and "sane_lists".

    The extensions are given as objects, not names: finding an extension by
    name scans every installed package's entry points, which takes longer than
    converting a story. "extra" is exactly these seven extensions, in this order.
    """
    import markdown
    from markdown.extensions.abbr import AbbrExtension
    from markdown.extensions.attr_list import AttrListExtension
    from markdown.extensions.def_list import DefListExtension
    from markdown.extensions.fenced_code import FencedCodeExtension
    from markdown.extensions.footnotes import FootnoteExtension
    from markdown.extensions.md_in_html import MarkdownInHtmlExtension
    from markdown.extensions.sane_lists import SaneListExtension
    from markdown.extensions.tables import TableExtension

    extra = [
        FencedCodeExtension(), FootnoteExtension(), AttrListExtension(), DefListExtension(),
        TableExtension(), AbbrExtension(), MarkdownInHtmlExtension(),
    ]
    return markdown.Markdown(extensions=[*extra, SaneListExtension()], output_format="html")


class StoryRenderer:
    """Turns story Markdown into safe HTML. One instance is reused per build,
    since creating a Markdown parser costs more than resetting one."""

    def __init__(self) -> None:
        # Made on first use: a rebuild that finds every story in its cache
        # never pays for importing Markdown.
        self._markdown: Any = None

    def to_html(self, text: str) -> str:
        if self._markdown is None:
            self._markdown = _make_markdown()
        self._markdown.reset()
        raw = self._markdown.convert(_defused(text))
        return sanitise(raw)


# Python-Markdown looks ahead from every "[" (a link?) and "<" (a tag or an
# autolink?) to the end of the text, so a story holding thousands of them
# takes minutes: 20,000 "[" took over a minute. No real story has anywhere
# near this many, so past the limit they are written as plain characters.
MAX_OPENERS = 1000


def _defused(text: str) -> str:
    if text.count("[") > MAX_OPENERS:
        text = text.replace("[", "&#91;")
    if text.count("<") > MAX_OPENERS:
        text = text.replace("<", "&lt;")
    return text


def sanitise(raw_html: str) -> str:
    return _cleaner()(raw_html)


@functools.cache
def _cleaner() -> Callable[[str], str]:
    """nh3's clean with our rules. An nh3.Cleaner (nh3 0.2.18 and later) takes
    the rules once, not with every story: a third of the cost of cleaning one."""
    import nh3

    rules: dict[str, Any] = {
        "tags": ALLOWED_TAGS,
        "attributes": ALLOWED_ATTRIBUTES,
        "url_schemes": ALLOWED_URL_SCHEMES,
        "link_rel": "noopener nofollow",
        "strip_comments": True,
        "attribute_filter": _keep_attribute,
    }
    cleaner = getattr(nh3, "Cleaner", None)
    if cleaner is not None:
        return cleaner(**rules).clean  # type: ignore[no-any-return]
    return functools.partial(nh3.clean, **rules)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # A picture from another host would make every reader's browser call it:
    # pictures in stories must be the site's own.
    if tag == "img" and attribute == "src":
        return local_url(value)
    return value


# What a browser ignores or rewrites when it reads a URL (WHATWG URL parsing):
# C0 controls and spaces at either end, tabs and newlines anywhere, and "\"
# read as "/". "/\evil.example/x.png" is a request to evil.example.
_URL_EDGE_JUNK = "".join(chr(c) for c in range(0x21))
_URL_INNER_JUNK = re.compile(r"[\t\n\r]")
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def local_url(value: str) -> str | None:
    """The URL as a browser would read it if it stays on the page's own host;
    None for another host (``//host``) or any scheme (``https:``, ``data:``)."""
    url = _URL_INNER_JUNK.sub("", value.strip(_URL_EDGE_JUNK)).replace("\\", "/")
    if url.startswith("//") or _URL_SCHEME.match(url):
        return None
    return url


_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def first_paragraph_text(body_html: str) -> str:
    """The first paragraph of a rendered story as plain text, for summaries."""
    match = _PARAGRAPH.search(body_html)
    if not match:
        return ""
    return plain_text(match.group(1))


def plain_text(fragment: str) -> str:
    text = html.unescape(_TAG.sub("", fragment))
    return " ".join(text.split())
