"""The A4 print poster: headline, photo, big thermometer, milestones and a QR code.

Everything is sized in millimetres by poster.css, so printing gives exactly
one A4 page. The headline is never cut: a longer one is set smaller (the
size is chosen here from its length) and wraps. Milestones are listed with
their full labels as far as the space allows, then "and N more".
"""

from __future__ import annotations

import math
import re
from typing import Any

import jinja2
from markupsafe import Markup

from ..config import SiteConfig
from ..content import Appeal
from ..i18n import Speech, english
from .embed import one_line
from .pages import milestone_rows, page_title, reading_for, status_context
from .qr import qr_svg
from .thermometer import thermometer_svg

# The summary's length: a sheet without a photo gives it the photo's room, larger.
SUMMARY_LIMIT = {True: 200, False: 320}
LINK_LIMIT = 60
# The QR code's printed size, without its quiet zone: 60-80 mm scans from a
# shop window or across a hospital corridor (about ten times its width).
QR_MM = 62
# Headline sizes in points, by length in characters: the longest that fits
# two or three lines of the sheet's width.
TITLE_SIZES = ((28, 46), (45, 40), (64, 34), (90, 28), (130, 24))
SMALLEST_TITLE = 20
# Milestone lines the story column holds, with and without a photo above
# them, and the characters of a label on one line of that column.
MILESTONE_LINES = {True: 5, False: 13}
LABEL_LINE = 34


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


def title_size(title: str) -> int:
    """The headline's size in points: smaller for longer headlines, never cut."""
    length = len(title)
    for longest, size in TITLE_SIZES:
        if length <= longest:
            return size
    return SMALLEST_TITLE


def milestones_shown(rows: list[dict[str, Any]], has_photo: bool) -> tuple[list[dict[str, Any]], int]:
    """As many milestones, whole, as the column holds; and how many are left out."""
    budget = MILESTONE_LINES[has_photo]
    shown: list[dict[str, Any]] = []
    for number, row in enumerate(rows):
        lines = math.ceil(len(row["label"]) / LABEL_LINE)
        # Keep a line for "and N more" unless this is the last one.
        reserve = 0 if number == len(rows) - 1 else 1
        if lines + reserve > budget:
            break
        shown.append(row)
        budget -= lines
    return shown, len(rows) - len(shown)


_VIEWBOX = re.compile(r'<svg viewBox="0 0 (\d+) (\d+)"')


def sized_qr(svg: str, modules_mm: float) -> str:
    """The QR code's <svg> with a printed size that makes its modules, the
    quiet zone aside, ``modules_mm`` wide (the quiet zone is the paper's white)."""
    match = _VIEWBOX.search(svg)
    if match is None:
        return svg
    total = int(match.group(1))
    from .qr import BORDER

    width = round(modules_mm * total / (total - 2 * BORDER), 1)
    return svg.replace("<svg ", f'<svg width="{width}mm" height="{width}mm" ', 1)


def poster_page(
    env: jinja2.Environment, appeal: Appeal, config: SiteConfig, image: dict[str, Any] | None, speech: Speech | None = None,
) -> str:
    reading = reading_for(appeal, config)
    speech = speech or english()
    target_url = donation_target(appeal, config)
    milestones, more = milestones_shown(milestone_rows(appeal), image is not None)
    return env.get_template("poster.html").render(
        speech=speech,
        appeal=appeal,
        reading=reading,
        status=status_context(appeal, speech),
        page_title=page_title(speech.gettext("Poster: %(title)s") % {"title": appeal.title}, config.title),
        value_text=reading.value_text(speech),
        thermometer=Markup(thermometer_svg(reading, speech=speech)),
        title=appeal.title,
        title_size=title_size(appeal.title),
        summary=one_line(appeal.summary, SUMMARY_LIMIT[image is not None]),
        milestones=milestones,
        more_milestones=more,
        image=image,
        qr=Markup(sized_qr(qr_svg(target_url, speech.gettext("QR code: %(link)s") % {"link": link_in_words(target_url)}), QR_MM)),
        qr_url=target_url,
        qr_words=link_in_words(target_url),
        gives_directly=appeal.main_donation is not None,
        appeal_url=config.absolute(appeal.url_path),
    )
