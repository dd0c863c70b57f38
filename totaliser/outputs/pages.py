"""HTML pages: the home listing, appeal pages, plain pages and the 404 page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from .. import reads
from ..config import SiteConfig
from ..content import Appeal, Page
from ..listing import page_path
from ..money import format_money, json_number
from .photos import PhotoError, PhotoSet, plan_photo
from .thermometer import Reading, thermometer_svg


@dataclass(frozen=True)
class ShareLink:
    network: str
    label: str
    url: str


def reading_for(appeal: Appeal) -> Reading:
    return Reading(
        raised=appeal.raised,
        target=appeal.target,
        currency=appeal.currency,
        milestones=tuple((m.label, m.amount) for m in appeal.milestones),
    )


def share_links(appeal: Appeal, config: SiteConfig) -> list[ShareLink]:
    """Plain links to share an appeal: no third-party script is loaded."""
    url = config.absolute(appeal.url_path)
    message = f"{appeal.title}: {appeal.summary}"
    return [
        ShareLink("email", "Email", "mailto:?" + query({"subject": appeal.title, "body": f"{message}\n\n{url}"})),
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


def appeal_json_ld(appeal: Appeal, config: SiteConfig, image_url: str | None) -> dict[str, Any]:
    """schema.org data for search engines: the page, and the donation it asks for."""
    url = config.absolute(appeal.url_path)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "@id": url,
        "url": url,
        "name": appeal.title,
        "description": appeal.summary,
        "datePublished": appeal.date.isoformat(),
        "dateModified": appeal.last_changed.isoformat(),
        "inLanguage": config.locale,
        "about": {"@type": "Person", "name": appeal.child},
    }
    if image_url:
        data["image"] = image_url
    if config.publisher.name:
        publisher: dict[str, Any] = {"@type": "Organization", "name": config.publisher.name}
        if config.publisher.url:
            publisher["url"] = config.publisher.url
        data["publisher"] = publisher
    if appeal.main_donation:
        recipient: dict[str, Any] = {"@type": "Person", "name": appeal.child}
        data["potentialAction"] = {
            "@type": "DonateAction",
            "name": appeal.main_donation.label,
            "target": appeal.main_donation.url,
            "recipient": recipient,
            "price": json_number(appeal.still_needed),
            "priceCurrency": appeal.currency,
        }
    return data


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


class PageRenderer:
    """Renders every HTML page of the site. What a page shows of the site as a
    whole (the navigation, the totals, a listing's appeals) it reads through
    ``reads``, so that the build records it."""

    def __init__(self, env: jinja2.Environment, config: SiteConfig):
        self.env = env
        self.config = config

    def _render(self, template: str, **context: Any) -> str:
        context.setdefault("nav_pages", reads.value("nav"))
        context.setdefault("canonical", None)
        context.setdefault("social", None)
        return self.env.get_template(template).render(**context)

    def card_context(self, appeal: Appeal) -> dict[str, Any]:
        reading = reading_for(appeal)
        return {
            "appeal": appeal,
            "reading": reading,
            "value_text": reading.value_text(),
            "raised_text": format_money(appeal.raised, appeal.currency),
            "target_text": format_money(appeal.target, appeal.currency),
            "image": self.card_image(appeal),
        }

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
            totals=reads.value("totals"),
            pagination=pagination,
            canonical=self.config.absolute(page_path(number)),
            social={
                "title": self.config.title,
                "description": self.config.description or self.config.title,
                "image": None,
                "type": "website",
            },
        )

    def appeal_page(self, appeal: Appeal, image: dict[str, Any] | None = None, card_image: str | None = None) -> str:
        reading = reading_for(appeal)
        canonical = self.config.absolute(appeal.url_path)
        image_url = card_image or (image["og"] if image else None)
        return self._render(
            "appeal.html",
            appeal=appeal,
            reading=reading,
            value_text=reading.value_text(),
            thermometer=Markup(thermometer_svg(reading)),
            share=share_links(appeal, self.config),
            json_ld=appeal_json_ld(appeal, self.config, image_url),
            image=image,
            canonical=canonical,
            social={
                "title": appeal.title,
                "description": appeal.summary,
                "image": image_url,
                "image_alt": f"{appeal.child}’s fundraising total: {reading.value_text()}" if card_image else (appeal.image_alt or None),
                "type": "article",
            },
            milestones=[
                {"label": m.label, "amount": m.amount, "reached": appeal.raised >= m.amount}
                for m in appeal.milestones
            ],
        )

    def plain_page(self, page: Page, image: dict[str, Any] | None = None) -> str:
        return self._render(
            "page.html",
            page=page,
            image=image,
            canonical=self.config.absolute(page.url_path),
            social={"title": page.title, "description": page.summary, "image": None, "type": "article"},
        )

    def not_found_page(self) -> str:
        return self._render("404.html")
