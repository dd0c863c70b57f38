"""The A4 print poster: headline, photo, big thermometer, milestones and a QR code.

Everything is sized in millimetres by poster.css and the text is cut to
lengths that fit, so printing gives exactly one A4 page however long the
title or summary is.
"""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup

from ..config import SiteConfig
from ..content import Appeal
from .embed import one_line
from .pages import reading_for
from .qr import qr_svg
from .thermometer import thermometer_svg

TITLE_LIMIT = 70
SUMMARY_LIMIT = 240
MILESTONE_LIMIT = 4
MILESTONE_LABEL_LIMIT = 40
LINK_LIMIT = 60


def donation_target(appeal: Appeal, config: SiteConfig) -> str:
    """Where the QR code leads: the main donation link, or the appeal page without
    one or once the appeal has closed (its page then shows no donate button either)."""
    if appeal.main_donation and appeal.status != "closed":
        return appeal.main_donation.url
    return config.absolute(appeal.url_path)


def link_in_words(url: str) -> str:
    """The link as a reader would type it: no scheme, no trailing slash, long ones cut."""
    text = url.split("://", 1)[-1].rstrip("/")
    return text if len(text) <= LINK_LIMIT else text[: LINK_LIMIT - 1] + "…"


def poster_page(env: jinja2.Environment, appeal: Appeal, config: SiteConfig, image: dict[str, Any] | None) -> str:
    reading = reading_for(appeal)
    target_url = donation_target(appeal, config)
    milestones = [
        {"label": one_line(m.label, MILESTONE_LABEL_LIMIT), "amount": m.amount, "reached": appeal.raised >= m.amount}
        for m in appeal.milestones[:MILESTONE_LIMIT]
    ]
    return env.get_template("poster.html").render(
        appeal=appeal,
        reading=reading,
        value_text=reading.value_text(),
        thermometer=Markup(thermometer_svg(reading)),
        title=one_line(appeal.title, TITLE_LIMIT),
        summary=one_line(appeal.summary, SUMMARY_LIMIT),
        milestones=milestones,
        image=image,
        qr=Markup(qr_svg(target_url, f"QR code: {link_in_words(target_url)}")),
        qr_url=target_url,
        qr_words=link_in_words(target_url),
        gives_directly=appeal.main_donation is not None,
        appeal_url=config.absolute(appeal.url_path),
    )
