"""What a social card shows (``CardSpec``), apart from the drawing (``card``), which needs Pillow."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .. import reads
from ..config import SiteConfig
from ..content import Appeal
from ..money import format_money, percent
from ..render import long_date
from .status import STATUS_COLOURS, past_deadline


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


def card_note(appeal: Appeal) -> str:
    """The card's last line, in the same words as the appeal's page: it asks
    only while the appeal is open."""
    if appeal.status == "closed":
        return "Appeal closed – thank you to everyone who gave"
    if appeal.status == "funded" or appeal.raised >= appeal.target:
        return "Fully funded – thank you!"
    if appeal.deadline and past_deadline(appeal.deadline, appeal.last_changed):
        return "Deadline passed – gifts still welcome"
    if appeal.deadline:
        return f"Needed by {long_date(appeal.deadline)}"
    return "Every gift helps"


def card_spec(appeal: Appeal, config: SiteConfig) -> CardSpec:
    """What an appeal's card shows. ``appeal.child`` is already the first name
    alone under ``privacy: first_name``."""
    target = appeal.target
    fraction = min(appeal.raised / target, Decimal(1)) if target > 0 else Decimal(0)
    # The photo is drawn from its file: the build records it as read.
    photo = str(reads.file_path(appeal.image)) if appeal.image is not None else None
    return CardSpec(
        site_title=config.title,
        child=appeal.child,
        condition=appeal.condition,
        raised_text=format_money(appeal.raised, appeal.currency),
        target_text=format_money(appeal.target, appeal.currency),
        percent=percent(appeal.raised, appeal.target),
        fraction=fraction.quantize(Decimal("0.001")),
        funded=appeal.raised >= appeal.target,
        status=appeal.status,
        note=card_note(appeal),
        accent=config.colours.accent,
        photo=photo,
    )
