"""What a social card shows (``CardSpec``) and the key that names it.

Apart from the drawing (``card``), which needs Pillow: a rebuild that finds
the last build's card still shows the same spec reuses it (``card_reuse``)
without loading Pillow at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

import PIL  # its version only: the package itself loads none of Pillow's modules

from ..config import SiteConfig
from ..content import Appeal
from ..money import format_money, percent

# Bump when the drawing changes, so cards reused from a previous build are redrawn.
CARD_VERSION = "5"
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

    def key(self) -> str:
        """A digest of the spec, the drawing's version and Pillow's: equal keys, equal cards."""
        # The fields in order (as astuple would give them, without its deep copy).
        text = "\x1f".join(str(part) for part in (*vars(self).values(), CARD_VERSION, PIL.__version__))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()



def card_spec(appeal: Appeal, config: SiteConfig) -> CardSpec:
    """What an appeal's card shows. ``appeal.child`` is already the first name
    alone under ``privacy: first_name``."""
    target = appeal.target
    fraction = min(appeal.raised / target, Decimal(1)) if target > 0 else Decimal(0)
    return CardSpec(
        site_title=config.title,
        child=appeal.child,
        condition=appeal.condition,
        raised_text=format_money(appeal.raised, appeal.currency),
        target_text=format_money(appeal.target, appeal.currency),
        percent=percent(appeal.raised, appeal.target),
        fraction=fraction.quantize(Decimal("0.001")),
        funded=appeal.raised >= appeal.target,
    )
