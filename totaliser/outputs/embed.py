"""The embed: a small page made for an <iframe> on a newspaper's own article.

It carries the same accessible progressbar as the appeal page, one line of
story and the donate button, with no JavaScript and one small stylesheet.
"""

from __future__ import annotations

from html import escape

import jinja2
from markupsafe import Markup

from ..config import SiteConfig
from ..content import Appeal
from ..i18n import Speech, english
from .pages import page_title, reading_for, status_context
from .thermometer import bar_svg

EMBED_PATH = "embed/"
# The iframe's suggested height: the embed is laid out to fit it at any width
# from a phone column (300px) to a desktop article (640px), with its headline
# whole (tests/test_reach.py measures it in Chromium).
IFRAME_HEIGHT = 230
SUMMARY_LIMIT = 110
# A headline longer than this is shortened at a word (the frame has room for
# three lines of it at 300px); the example site's are all shorter.
TITLE_LIMIT = 70


def embed_url(appeal: Appeal, config: SiteConfig) -> str:
    return config.absolute(appeal.url_path + EMBED_PATH)


def one_line(text: str, limit: int) -> str:
    """Text cut at a word boundary to at most ``limit`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–—") + "…"


def embed_page(env: jinja2.Environment, appeal: Appeal, config: SiteConfig, speech: Speech | None = None) -> str:
    reading = reading_for(appeal, config)
    speech = speech or english()
    return env.get_template("embed.html").render(
        speech=speech,
        appeal=appeal,
        reading=reading,
        status=status_context(appeal, speech),
        page_title=page_title(appeal.title, config.title),
        value_text=reading.value_text(speech),
        bar=Markup(bar_svg(reading)),
        title=one_line(appeal.title, TITLE_LIMIT),
        summary=one_line(appeal.summary, SUMMARY_LIMIT),
        appeal_url=config.absolute(appeal.url_path),
    )


def iframe_code(appeal: Appeal, config: SiteConfig, speech: Speech | None = None) -> str:
    """The <iframe> markup a newspaper pastes into its article, as plain text.

    The template escapes it once more for display; here the title is escaped
    as an attribute so that the pasted code is valid whatever the title says.
    """
    words = (speech or english()).gettext("%(title)s: fundraising total") % {"title": appeal.title}
    title = escape(words, quote=True)
    return (
        f'<iframe src="{escape(embed_url(appeal, config), quote=True)}" title="{title}" '
        f'width="100%" height="{IFRAME_HEIGHT}" style="border:0;max-width:640px" loading="lazy"></iframe>'
    )
