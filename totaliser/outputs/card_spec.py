"""What a social card shows (``CardSpec``), apart from the drawing (``card``), which needs Pillow."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .. import reads
from ..config import SiteConfig
from ..content import Appeal
from ..i18n import Speech, english
from ..money import percent
from .status import STATUS_COLOURS


@dataclass(frozen=True)
class CardSpec:
    """Everything a card shows; two equal specs draw identical bytes."""

    site_title: str
    child: str
    condition: str
    raised_text: str
    target_text: str
    percent: int
    fraction: Decimal  # 0 to 1, how full the bar is
    funded: bool
    status: str = "open"  # open, funded, closed or draft
    note: str = ""  # the line under the bar: the deadline, or thanks
    accent: str = STATUS_COLOURS["open"]  # an open appeal's colour: the site's accent
    photo: str | None = None  # the photo's path on disk
    rest_text: str = ""  # after the amount raised: "raised of £36,000 · 69%"


def card_note(appeal: Appeal, speech: Speech | None = None, past_deadline: bool = False) -> str:
    """The card's last line, in the same words as the appeal's page: it asks
    only while the appeal is open."""
    speech = speech or english()
    if appeal.status == "closed":
        return speech.gettext("Appeal closed – thank you to everyone who gave")
    if appeal.status == "funded" or appeal.raised >= appeal.target:
        return speech.gettext("Fully funded – thank you!")
    if appeal.deadline and past_deadline:
        return speech.gettext("Deadline passed – gifts still welcome")
    if appeal.deadline:
        return speech.gettext("Needed by %(date)s") % {"date": speech.date(appeal.deadline)}
    return speech.gettext("Every gift helps")


def card_spec(appeal: Appeal, config: SiteConfig, speech: Speech | None = None, past_deadline: bool = False) -> CardSpec:
    """What an appeal's card shows. ``appeal.child`` is already the first name
    alone under ``privacy: first_name``; ``past_deadline`` as the appeal's page says."""
    speech = speech or english()
    target = appeal.target
    fraction = min(appeal.raised / target, Decimal(1)) if target > 0 else Decimal(0)
    # The photo is drawn from its file: the build records it as read.
    photo = str(reads.file_path(appeal.image)) if appeal.image is not None else None
    return CardSpec(
        site_title=config.title,
        child=appeal.child,
        condition=appeal.condition,
        raised_text=speech.money(appeal.raised, appeal.currency),
        target_text=speech.money(appeal.target, appeal.currency),
        percent=percent(appeal.raised, appeal.target),
        fraction=fraction.quantize(Decimal("0.001")),
        funded=appeal.raised >= appeal.target,
        status=appeal.status,
        note=card_note(appeal, speech, past_deadline),
        rest_text=speech.gettext("raised of %(target)s · %(percent)s") % {
            "target": speech.money(appeal.target, appeal.currency), "percent": speech.percent(percent(appeal.raised, appeal.target)),
        },
        accent=config.colours.accent,
        photo=photo,
    )
