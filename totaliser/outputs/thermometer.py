"""The totaliser itself: a fundraising thermometer drawn as SVG.

The same drawing is used inline on appeal pages and embeds (where the
surrounding HTML carries the accessible progressbar) and as a standalone
``thermometer.svg`` badge for other sites.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from html import escape

from ..money import format_money, format_money_short, percent

# Geometry in SVG user units. The tube runs from TUBE_TOP to TUBE_BOTTOM,
# where it meets the bulb.
WIDTH = 200
HEIGHT = 400
TUBE_X = 70
TUBE_WIDTH = 32
TUBE_TOP = 24
TUBE_BOTTOM = 318
BULB_CX = TUBE_X + TUBE_WIDTH / 2
BULB_CY = 350
BULB_R = 34
FILL_TOP_MARGIN = 6  # the fill never touches the rounded cap at the top
BADGE_FIGURES_HEIGHT = 64  # room under the bulb for the amounts on the standalone badge

FILL_COLOUR = "#c8102e"
FUNDED_COLOUR = "#1a7f37"
TUBE_COLOUR = "#f3f1ee"
OUTLINE_COLOUR = "#57534e"
TEXT_COLOUR = "#1c1917"


@dataclass(frozen=True)
class Reading:
    """What the thermometer shows, independent of where it is drawn."""

    raised: Decimal
    target: Decimal
    currency: str
    milestones: tuple[tuple[str, Decimal], ...] = ()

    @property
    def percent(self) -> int:
        return percent(self.raised, self.target)

    @property
    def funded(self) -> bool:
        return self.raised >= self.target

    @property
    def fraction(self) -> Decimal:
        if self.target <= 0:
            return Decimal(0)
        return min(self.raised / self.target, Decimal(1))

    def value_text(self) -> str:
        """The words a screen reader says: "£25,000 raised of £36,000 (69%)"."""
        return (
            f"{format_money(self.raised, self.currency)} raised of "
            f"{format_money(self.target, self.currency)} ({self.percent}%)"
        )


def _level(fraction: Decimal) -> float:
    """The y coordinate of a fill of this fraction of the target."""
    usable = TUBE_BOTTOM - (TUBE_TOP + FILL_TOP_MARGIN)
    return round(TUBE_BOTTOM - float(fraction) * usable, 1)


def thermometer_svg(reading: Reading, *, standalone: bool = False, title: str | None = None) -> str:
    """The thermometer as SVG markup.

    ``standalone`` adds the XML namespace, a <title> for screen readers and the
    amounts as text, for use in an <img> elsewhere. Inline, the SVG is hidden
    from screen readers because the progressbar around it speaks for it.
    """
    if not standalone:
        return _inline_svg(reading)
    return _drawing(reading, standalone, title)


@lru_cache(maxsize=16)
def _inline_svg(reading: Reading) -> str:
    # Kept: an appeal's page, embed and poster show the same inline drawing.
    # (Equal readings draw alike: every figure is read by value.)
    return _drawing(reading, False, None)


def _drawing(reading: Reading, standalone: bool, title: str | None) -> str:
    colour = FUNDED_COLOUR if reading.funded else FILL_COLOUR
    fill_top = _level(reading.fraction)
    tube_left = TUBE_X
    tube_right = TUBE_X + TUBE_WIDTH
    parts: list[str] = []
    if standalone:
        # The badge is taller than the inline drawing: its figures sit under the bulb.
        height = HEIGHT + BADGE_FIGURES_HEIGHT
        parts.append(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="t">'
        )
        parts.append(f'<title id="t">{escape(title or reading.value_text())}</title>')
    else:
        parts.append(
            f'<svg class="thermometer-svg" viewBox="0 0 {WIDTH} {HEIGHT}" aria-hidden="true" focusable="false">'
        )
    # Tube and bulb background, then the fill, then the outline over both.
    parts.append(
        f'<rect x="{tube_left}" y="{TUBE_TOP}" width="{TUBE_WIDTH}" height="{TUBE_BOTTOM - TUBE_TOP + 10}" '
        f'rx="{TUBE_WIDTH / 2}" fill="{TUBE_COLOUR}"/>'
    )
    parts.append(f'<circle cx="{BULB_CX}" cy="{BULB_CY}" r="{BULB_R}" fill="{colour}"/>')
    if reading.fraction > 0:
        parts.append(
            f'<rect x="{tube_left + 6}" y="{fill_top}" width="{TUBE_WIDTH - 12}" '
            f'height="{round(BULB_CY - fill_top, 1)}" rx="{(TUBE_WIDTH - 12) / 2}" fill="{colour}"/>'
        )
    else:
        parts.append(
            f'<rect x="{tube_left + 6}" y="{TUBE_BOTTOM - 4}" width="{TUBE_WIDTH - 12}" '
            f'height="{BULB_CY - TUBE_BOTTOM + 4}" fill="{colour}"/>'
        )
    parts.append(
        f'<path d="M{tube_left} {BULB_CY - BULB_R + 8} V{TUBE_TOP + TUBE_WIDTH / 2} '
        f'a{TUBE_WIDTH / 2} {TUBE_WIDTH / 2} 0 0 1 {TUBE_WIDTH} 0 V{BULB_CY - BULB_R + 8}" '
        f'fill="none" stroke="{OUTLINE_COLOUR}" stroke-width="3"/>'
    )
    parts.append(
        f'<circle cx="{BULB_CX}" cy="{BULB_CY}" r="{BULB_R}" fill="none" stroke="{OUTLINE_COLOUR}" stroke-width="3"/>'
    )
    # Scale marks every quarter on the left, milestones on the right.
    for quarter in range(1, 5):
        y = _level(Decimal(quarter) / 4)
        parts.append(
            f'<line x1="{tube_left - 10}" y1="{y}" x2="{tube_left - 2}" y2="{y}" stroke="{OUTLINE_COLOUR}" stroke-width="2"/>'
        )
        parts.append(
            f'<text x="{tube_left - 14}" y="{y + 5}" text-anchor="end" font-size="14" '
            f'font-family="system-ui, sans-serif" fill="{TEXT_COLOUR}">{quarter * 25}%</text>'
        )
    for label, amount in reading.milestones:
        y = _level(min(amount / reading.target, Decimal(1)) if reading.target else Decimal(0))
        reached = reading.raised >= amount
        parts.append(
            f'<line class="milestone{" reached" if reached else ""}" x1="{tube_left}" y1="{y}" x2="{tube_right + 12}" y2="{y}" '
            f'stroke="{OUTLINE_COLOUR}" stroke-width="2" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{tube_right + 16}" y="{y - 4}" font-size="12" font-family="system-ui, sans-serif" '
            f'fill="{TEXT_COLOUR}">{escape(_short_label(label))}</text>'
        )
        parts.append(
            f'<text x="{tube_right + 16}" y="{y + 12}" font-size="13" font-weight="bold" '
            f'font-family="system-ui, sans-serif" fill="{TEXT_COLOUR}">{escape(format_money_short(amount, reading.currency))}</text>'
        )
    if standalone:
        parts.append(
            f'<text x="{BULB_CX}" y="{BULB_CY + 6}" text-anchor="middle" font-size="18" font-weight="bold" '
            f'font-family="system-ui, sans-serif" fill="#ffffff">{reading.percent}%</text>'
        )
        parts.extend(_badge_figures(reading))
    parts.append("</svg>")
    return "".join(parts)


def badge_svg(reading: Reading, child: str) -> str:
    """The standalone ``thermometer.svg``: its title names the child and the amounts."""
    return thermometer_svg(reading, standalone=True, title=f"{child}’s appeal: {reading.value_text()}") + "\n"


def _badge_figures(reading: Reading) -> list[str]:
    """The amounts as text under the bulb, so the badge reads on its own."""
    raised = escape(format_money(reading.raised, reading.currency))
    target = escape(format_money(reading.target, reading.currency))
    colour = FUNDED_COLOUR if reading.funded else FILL_COLOUR
    return [
        f'<text class="raised" x="{WIDTH / 2}" y="{HEIGHT + 22}" text-anchor="middle" font-size="24" font-weight="bold" '
        f'font-family="system-ui, sans-serif" fill="{colour}">{raised}</text>',
        f'<text class="target" x="{WIDTH / 2}" y="{HEIGHT + 46}" text-anchor="middle" font-size="15" '
        f'font-family="system-ui, sans-serif" fill="{TEXT_COLOUR}">raised of {target}</text>',
    ]


def _short_label(label: str, limit: int = 12) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"
