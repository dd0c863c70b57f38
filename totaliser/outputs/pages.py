"""HTML pages: the home listing, appeal pages, plain pages and the 404 page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
from markupsafe import Markup

from .. import reads
from ..config import SiteConfig
from ..content import Appeal, Page
from ..i18n import Speech, english, site_speech
from ..listing import page_path
from ..markup import first_paragraph_text, smart_text
from ..money import json_number
from ..render import theme_folder
from ..terms import plain_slug
from .photos import PhotoError, PhotoSet, plan_photo
from .status import status_of
from .thermometer import Reading, bar_svg, thermometer_svg

SHARE_IMAGE = "images/share.png"  # under static/: the picture shared for the home and plain pages


@dataclass(frozen=True)
class ShareLink:
    network: str
    label: str
    url: str


def reading_for(appeal: Appeal, config: SiteConfig | None = None) -> Reading:
    """What the appeal's thermometer shows; in the site's accent when ``config`` is given."""
    reading = Reading(
        raised=appeal.raised,
        target=appeal.target,
        currency=appeal.currency,
        milestones=tuple((m.label, m.amount) for m in appeal.milestones),
        status=appeal.status,
    )
    if config is not None:
        reading = Reading(reading.raised, reading.target, reading.currency, reading.milestones, reading.status, config.colours.accent)
    return reading


def listed_under(appeal: Appeal) -> dict[str, list[dict[str, Any]]]:
    """The listings an appeal page links to, by kind: each name as the story
    writes it, and the listing's path (None for a name no published appeal
    is listed under: a draft's own)."""
    found: dict[str, list[dict[str, Any]]] = {}
    # A published appeal is in each listing it names, and nearly every
    # listing's slug is made from its key alone: its page reads one value
    # for the few that are not, so that checking 10,000 pages' reads does
    # not check a value for each listing each page links to.
    unusual = None if appeal.status == "draft" else dict(reads.value("unusual-slugs"))
    for kind, key, name in appeal.listed:
        if unusual is None:
            slug = reads.value(f"term-slug:{kind}:{key}")
        else:
            slug = unusual.get((kind, key)) or plain_slug(kind, key)
        found.setdefault(kind, []).append({"name": name, "url": f"{kind}/{slug}/" if slug else None})
    return found


def milestone_rows(appeal: Appeal) -> list[dict[str, Any]]:
    """Every milestone with its full label, exact amount and whether it is reached."""
    return [{"label": m.label, "amount": m.amount, "reached": appeal.raised >= m.amount} for m in appeal.milestones]


def standfirst(appeal: Appeal) -> str | None:
    """The summary shown above the story, unless it is the story's own first
    paragraph (an appeal without ``summary``): then it would be read twice."""
    if appeal.summary == first_paragraph_text(appeal.body_html):
        return None
    return appeal.summary


def deadline_passed(appeal: Appeal) -> bool:
    """Whether an open appeal's deadline is behind the site's newest date: the
    same answer on its page, card, embed, poster and social card (a site
    value, read as one)."""
    if appeal.status != "open" or appeal.deadline is None:
        return False
    return bool(reads.value(f"deadline-passed:{appeal.slug}"))


def status_context(appeal: Appeal, speech: Speech | None = None) -> SimpleNamespace:
    """The appeal's state as every template shows it (see ``status``), in the reader's words."""
    look = status_of(appeal.status)
    speech = speech or english()
    return SimpleNamespace(
        key=look.key,
        badge=speech.gettext(look.badge),
        thanks=speech.gettext(look.thanks) if look.thanks else None,
        asks=look.asks,
        takes_gifts=look.takes_gifts,
        past_deadline=look.key == "open" and deadline_passed(appeal),
    )


def share_links(appeal: Appeal, config: SiteConfig, speech: Speech | None = None) -> list[ShareLink]:
    """Plain links to share an appeal: no third-party script is loaded."""
    url = config.absolute(appeal.url_path)
    message = f"{appeal.title}: {appeal.summary}"
    speech = speech or english()
    return [
        ShareLink("email", speech.gettext("Email"), "mailto:?" + query({"subject": appeal.title, "body": f"{message}\n\n{url}"})),
        ShareLink("whatsapp", "WhatsApp", "https://wa.me/?" + query({"text": f"{appeal.title} {url}"})),
        ShareLink("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?" + query({"u": url})),
        ShareLink("x", "X", "https://x.com/intent/post?" + query({"text": appeal.title, "url": url})),
    ]


# Each byte of UTF-8 as urllib's quote(safe="") writes it: letters, digits and
# "_.-~" as they are, every other byte as %XX.
_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"
_QUOTED_BYTES = [chr(byte) if byte in _UNRESERVED else f"%{byte:02X}" for byte in range(256)]


def query(fields: dict[str, str]) -> str:
    """``urlencode(fields, quote_via=quote)``, in a third of the time: urllib
    quotes byte by byte in Python, here one str.translate does it (read as
    Latin-1, each character of the text is one byte of its UTF-8)."""
    return "&".join(f"{_quoted(key)}={_quoted(value)}" for key, value in fields.items())


def _quoted(text: str) -> str:
    return text.encode("utf-8").decode("latin-1").translate(_QUOTED_BYTES)


def appeal_json_ld(appeal: Appeal, config: SiteConfig, image_url: str | None, speech: Speech | None = None) -> dict[str, Any]:
    """schema.org data for search engines: the newspaper's appeal story, and
    the donation it asks for while the appeal takes gifts. The gift goes to the
    charity that holds the money, not to the child the story is about."""
    url = config.absolute(appeal.url_path)
    speech = speech or english()
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "headline": short_title(appeal.title, 110),
        "description": appeal.summary,
        "datePublished": appeal.date.isoformat(),
        "dateModified": appeal.last_changed.isoformat(),
        "inLanguage": speech.tag,
        "about": {"@type": "Person", "name": appeal.child},
    }
    if image_url:
        data["image"] = image_url
    if config.publisher.name:
        publisher: dict[str, Any] = {"@type": "NewsMediaOrganization", "name": config.publisher.name}
        if config.publisher.url:
            publisher["url"] = config.publisher.url
        if config.publisher.logo:
            publisher["logo"] = config.absolute(config.publisher.logo)
        data["publisher"] = publisher
        data["author"] = {"@type": "Organization", "name": config.publisher.name}
    if appeal.main_donation and status_of(appeal.status).takes_gifts:
        action: dict[str, Any] = {
            "@type": "DonateAction",
            "name": appeal.main_donation.label,
            "target": appeal.main_donation.url,
        }
        if config.charity.name:
            charity: dict[str, Any] = {"@type": "NGO", "name": config.charity.name}
            if config.charity.number:
                charity["identifier"] = config.charity.number
            action["recipient"] = charity
        if appeal.still_needed > 0:
            # What is given is money; how much is still needed, as an amount.
            action["object"] = {
                "@type": "MonetaryAmount",
                "name": speech.gettext("Still needed"),
                "value": json_number(appeal.still_needed),
                "currency": appeal.currency,
            }
        data["potentialAction"] = action
    return data


def short_title(text: str, limit: int) -> str:
    """A title for a <title> or headline: whole when it fits, else cut at a word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–—") + "…"


def page_title(title: str, site_title: str, limit: int = 70) -> str:
    """The <title>: "Appeal · Site" when it fits in ``limit``, else the appeal's alone."""
    title = smart_text(title)
    both = f"{title} · {site_title}"
    return both if len(both) <= limit else short_title(title, limit)


def photo_context(photo: PhotoSet, alt: str | None, config: SiteConfig) -> dict[str, Any]:
    """What a template needs to show a published photo: sources for srcset, size, alt text."""
    return {
        "src": config.link(photo.default),
        "srcset_jpeg": ", ".join(f"{config.link(p)} {w}w" for w, p in photo.jpeg),
        "srcset_webp": ", ".join(f"{config.link(p)} {w}w" for w, p in photo.webp),
        "width": photo.width,
        "height": photo.height,
        "alt": alt or "",
        "og": config.absolute(photo.largest),
    }


def template_helpers() -> dict[str, Any]:
    """The functions the theme's templates call: an appeal's embed code, and its progress chart."""
    return {"embed_code": _embed_code, "progress_chart": _progress_chart}


def _embed_code(appeal: Appeal, speech: Speech | None = None) -> Any:
    from .embed import iframe_code  # imported when a page shows it, as the rest of an appeal's outputs

    return iframe_code(appeal, reads.value("settings"), speech)


def _progress_chart(*args: Any, **kwargs: Any) -> Any:
    from .chart import progress_chart

    return progress_chart(*args, **kwargs)


class PageRenderer:
    """Renders every HTML page of the site. What a page shows of the site as a
    whole (the navigation, the totals, a listing's appeals) it reads through
    ``reads``, so that the build records it."""

    def __init__(self, env: jinja2.Environment, config: SiteConfig, site_dir: Path | None = None):
        self.env = env
        self.config = config
        self.site_dir = site_dir

    def speech(self, language: str | None = None) -> Speech:
        """The site's words and formats, or an appeal's in its own ``language``."""
        return site_speech(self.config.locale, self.site_dir, language)

    def render(self, template: str, **context: Any) -> str:
        """A page of the site, with what every page shows (the navigation)."""
        return self._render(template, **context)

    def _render(self, template: str, **context: Any) -> str:
        context.setdefault("speech", self.speech())
        context.setdefault("nav_pages", reads.value("nav"))
        context.setdefault("canonical", None)
        context.setdefault("social", None)
        return self.env.get_template(template).render(**context)

    def card_context(self, appeal: Appeal) -> SimpleNamespace:
        """An appeal's card on a listing: in the listing's words, the story's
        own title and summary marked with their language when it is another.

        Fields as attributes, not dict keys: Jinja looks ``card.appeal`` up as
        an attribute first, and a dict's miss raises an exception each time
        (a listing page shows 24 cards of some 25 lookups each)."""
        reading = reading_for(appeal, self.config)
        speech = self.speech()
        own = self.speech(appeal.language) if appeal.language else speech
        return SimpleNamespace(
            appeal=appeal,
            reading=reading,
            status=status_context(appeal, speech),
            bar=Markup(bar_svg(reading)),
            thermometer=Markup(thermometer_svg(reading, speech=speech)),
            value_text=reading.value_text(speech),
            raised_text=speech.money(appeal.raised, appeal.currency),
            target_text=speech.money(appeal.target, appeal.currency),
            image=self.card_image(appeal),
            lang=own.tag if own is not speech else None,
            dir=own.dir,
        )

    def card_image(self, appeal: Appeal) -> dict[str, Any] | None:
        """The appeal's published photo, for its card on the home page (decorative there)."""
        if appeal.image is None:
            return None
        try:
            photo = plan_photo(appeal.image, appeal.url_path)
        except PhotoError:
            return None  # the appeal page reports the unreadable photo
        return photo_context(photo, None, self.config)

    def index_page(self, number: int, chunk: list[Appeal]) -> str:
        """Page ``number`` of the home listing, showing the appeals of ``chunk``."""
        count = reads.value("listing-pages")
        pagination = {
            "number": number,
            "count": count,
            "previous": page_path(number - 1) if number > 1 else None,
            "next": page_path(number + 1) if number < count else None,
        }
        return self._render(
            "index.html",
            cards=[self.card_context(a) for a in chunk],
            totals=reads.ValueWhenUsed("totals"),  # the stock theme shows them on the first page only
            listed_kinds=reads.value("listed-kinds"),
            pagination=pagination,
            canonical=self.config.absolute(page_path(number)),
            social=self.site_social(),
        )

    def site_social(self, title: str | None = None) -> dict[str, Any]:
        """The sharing tags of a page of the whole site (the home page, a
        listing, the search page): its title, the site's description and picture."""
        return {
            "title": title or self.config.title,
            "description": self.config.description or self.config.title,
            "image": self.share_image(),
            "image_alt": self.config.title,
            "type": "website",
        }

    def share_image(self) -> str | None:
        """The site's own sharing picture for pages without one, when it has one."""
        if reads.is_file(theme_folder("static") / SHARE_IMAGE):
            return self.config.absolute(f"static/{SHARE_IMAGE}")
        return None

    def appeal_page(self, appeal: Appeal, image: dict[str, Any] | None = None, card_image: str | None = None) -> str:
        reading = reading_for(appeal, self.config)
        canonical = self.config.absolute(appeal.url_path)
        image_url = card_image or (image["og"] if image else None)
        speech = self.speech(appeal.language)
        total = reading.value_text(speech)
        return self._render(
            "appeal.html",
            speech=speech,
            appeal=appeal,
            reading=reading,
            status=status_context(appeal, speech),
            page_title=page_title(appeal.title, self.config.title),
            value_text=total,
            thermometer=Markup(thermometer_svg(reading, speech=speech)),
            bar=Markup(bar_svg(reading)),
            share=share_links(appeal, self.config, speech),
            json_ld=appeal_json_ld(appeal, self.config, image_url, speech),
            image=image,
            canonical=canonical,
            social={
                "title": appeal.title,
                "description": appeal.summary,
                "image": image_url,
                "image_alt": (
                    speech.gettext("%(child)s’s fundraising total: %(total)s") % {"child": appeal.child, "total": total}
                    if card_image else (appeal.image_alt or None)
                ),
                "type": "article",
            },
            milestones=milestone_rows(appeal),
            standfirst=standfirst(appeal),
            listed=listed_under(appeal),
        )

    def plain_page(self, page: Page, image: dict[str, Any] | None = None) -> str:
        return self._render(
            "page.html",
            page=page,
            image=image,
            page_title=page_title(page.title, self.config.title),
            canonical=self.config.absolute(page.url_path),
            social={
                "title": page.title,
                "description": page.summary,
                "image": image["og"] if image else self.share_image(),
                "image_alt": (image or {}).get("alt") or self.config.title,
                "type": "article",
            },
        )

    def not_found_page(self) -> str:
        return self._render("404.html")

    def search_page(self, listings: tuple[str, ...] = ()) -> str:
        """The search page; ``listings`` are the listing pages by hospital,
        condition, place and tag that the site has ("hospitals/")."""
        return self._render(
            "search.html",
            listings=listings,
            canonical=self.config.absolute("search/"),
            social=self.site_social(),
        )
