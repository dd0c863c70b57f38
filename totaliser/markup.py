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
SMART_CHARACTERS = {
    "mdash": "—", "ndash": "–", "ellipsis": "…",
    "left-angle-quote": "«", "right-angle-quote": "»",
    "left-single-quote": "‘", "right-single-quote": "’",
    "left-double-quote": "“", "right-double-quote": "”",
}
# A bare email address in a story ("write to appeals@paper.example"); one in
# a link already, or in <angle brackets>, is left to Python-Markdown.
EMAIL = r"(?<![\w.+@/:-])([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"


_EMAIL = re.compile(EMAIL)
_NO_LINKS_INSIDE = {"a", "code", "pre"}


def EmailLinks() -> Any:  # noqa: N802 - made like the extension classes beside it
    """A Markdown extension that makes a bare email address a mailto: link.

    A tree processor, run once the inline rules have made the links: an
    address already in a link, or in code, is left as it is."""
    import xml.etree.ElementTree as ET

    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    def linked(text: str) -> tuple[str, list[ET.Element]]:
        """The text before the first address, and a link for each address
        with the text after it as the link's tail."""
        parts = _EMAIL.split(text)
        links = []
        for address, after in zip(parts[1::2], parts[2::2], strict=True):
            link = ET.Element("a", {"href": "mailto:" + address})
            link.text = address
            link.tail = after
            links.append(link)
        return parts[0], links

    def walk(element: ET.Element) -> None:
        if element.tag in _NO_LINKS_INSIDE:
            return
        if element.text and "@" in element.text:
            element.text, links = linked(element.text)
            for number, link in enumerate(links):
                element.insert(number, link)
        for child in list(element):
            walk(child)
            if child.tail and "@" in child.tail:
                child.tail, links = linked(child.tail)
                at = list(element).index(child) + 1
                for number, link in enumerate(links):
                    element.insert(at + number, link)

    class EmailTreeprocessor(Treeprocessor):
        def run(self, root: ET.Element) -> None:
            walk(root)

    class EmailExtension(Extension):
        def extendMarkdown(self, md: Any) -> None:  # noqa: N802 - Python-Markdown's name
            # After the inline rules (20) have made links and code, before prettify (10).
            md.treeprocessors.register(EmailTreeprocessor(md), "email_links", 15)

    return EmailExtension()


_STRAIGHT_QUOTES = (
    (re.compile(r"(?<=\w)'"), "’"),  # Łukasz's, the Nowaks'
    (re.compile(r"'(?=\d0s\b)"), "’"),  # the '90s
    (re.compile(r"'"), "‘"),
    (re.compile(r'"(?=\w)'), "“"),
    (re.compile(r'"'), "”"),
)


def smart_text(text: str) -> str:
    """Straight quotes in a plain-text field (a title, a hospital's name) set
    curly, as smart punctuation sets them in stories."""
    if "'" not in text and '"' not in text:
        return text
    for pattern, curly in _STRAIGHT_QUOTES:
        text = pattern.sub(curly, text)
    return text


# "extra" is these seven extensions, in this order. Each changes only text
# that holds its mark: a fence, a footnote's "[^", attributes' "{", a line
# opening with ":" (a definition), a table's "|", an abbreviation's "*[", and
# raw HTML's "<" (markdown="1" in it). A story is converted with those whose
# mark it holds, which gives the same HTML as all seven (tests/test_markup.py
# checks it on generated stories) about 5 % quicker, and a rebuild imports only
# those its edited stories use. The marks may match more than the syntax:
# then the extension is there for nothing, which changes nothing.
EXTRA = (
    ("fenced_code", re.compile(r"```|~~~")),
    ("footnotes", re.compile(r"\[\^")),
    ("attr_list", re.compile(r"\{")),
    ("def_list", re.compile(r"(?:^|[\r\n])[ \t]*:")),  # "\r" too: Markdown reads it as a line's end
    ("tables", re.compile(r"\|")),
    ("abbr", re.compile(r"\*\[")),
    ("md_in_html", re.compile(r"<")),
)


def extra_for(text: str) -> tuple[str, ...]:
    """The extensions of "extra" whose mark ``text`` holds, in extra's order."""
    return tuple(name for name, mark in EXTRA if mark.search(text))


def _make_markdown(extra: tuple[str, ...]) -> Any:
    """Python-Markdown with the named extensions of "extra", "sane_lists" and
    smart punctuation.

    Extensions are given as objects (each module's ``makeExtension``), not
    names: finding an extension by name scans every installed package's
    entry points, which takes longer than converting a story.
    """
    import importlib

    import markdown
    from markdown.extensions.sane_lists import SaneListExtension
    from markdown.extensions.smarty import SmartyExtension

    chosen = [importlib.import_module(f"markdown.extensions.{name}").makeExtension() for name in extra]
    # Curly quotes, dashes and ellipses, written as characters (not entities).
    smarty = SmartyExtension(substitutions=SMART_CHARACTERS)
    return markdown.Markdown(extensions=[*chosen, SaneListExtension(), smarty, EmailLinks()], output_format="html")


class StoryRenderer:
    """Turns story Markdown into safe HTML. A parser is made for each set of
    extensions a story needs and reused, since making one costs more than
    resetting it."""

    def __init__(self) -> None:
        # Made on first use: a rebuild that finds every story in its cache
        # never pays for importing Markdown.
        self._markdown: dict[tuple[str, ...], Any] = {}

    def to_html(self, text: str) -> str:
        text = _defused(text)
        extra = extra_for(text)
        converter = self._markdown.get(extra)
        if converter is None:
            converter = self._markdown[extra] = _make_markdown(extra)
        converter.reset()
        return sanitise(converter.convert(text))


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
