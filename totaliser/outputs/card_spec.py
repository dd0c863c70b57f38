"""What a social card shows (``CardSpec``) and the key that names it.

Apart from the drawing (``card``), which needs Pillow. The key covers every
input of the drawing, the photo's bytes included, so two equal keys always
mean two equal cards.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

import PIL  # its version only: the package itself loads none of Pillow's modules

from ..config import SiteConfig
from ..content import Appeal
from ..money import format_money, percent
from ..render import long_date
from .status import STATUS_COLOURS, past_deadline

# Bump when the drawing changes, so cards drawn by an older version are redrawn.
CARD_VERSION = "6"
KEY_FIELD = "totaliser-card"


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
    photo_digest: str = ""  # its bytes' SHA-256, so a changed photo changes the key

    def key(self) -> str:
        """A digest of the spec, the drawing's version and Pillow's: equal keys, equal cards."""
        # The fields in order (as astuple would give them, without its deep copy).
        text = "\x1f".join(str(part) for part in (*vars(self).values(), CARD_VERSION, PIL.__version__))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    photo, digest = None, ""
    if appeal.image is not None:
        try:
            digest = hashlib.sha256(appeal.image.read_bytes()).hexdigest()
            photo = str(appeal.image)
        except OSError:
            pass  # the appeal page reports the unreadable photo; the card goes without
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
        photo_digest=digest,
    )
