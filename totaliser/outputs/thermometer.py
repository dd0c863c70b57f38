"""The totaliser itself: a fundraising thermometer drawn as SVG, and the flat
bar that stands for it where a phone has no room.

The same drawings are used inline on appeal pages and embeds (where the
surrounding HTML carries the accessible progressbar) and the thermometer as a
standalone ``thermometer.svg`` badge for other sites.

Milestones are markers only: their labels and amounts, in full, are in the
list beside the drawing (a label squeezed into a drawing gets cut).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from html import escape

from ..i18n import Speech, english
from ..money import percent
from .status import STATUS_COLOURS, status_of

# Geometry in SVG user units. The tube runs from TUBE_TOP to TUBE_BOTTOM,
# where it meets the bulb; scale labels at its left, milestone markers at its right.
WIDTH = 120
HEIGHT = 400
TUBE_X = 48
TUBE_WIDTH = 32
TUBE_TOP = 24
TUBE_BOTTOM = 318
BULB_CX = TUBE_X + TUBE_WIDTH / 2
BULB_CY = 350
BULB_R = 34
FILL_TOP_MARGIN = 6  # the fill never touches the rounded cap at the top
BADGE_WIDTH = 200
BADGE_FIGURES_HEIGHT = 88  # room under the bulb for the amounts on the standalone badge
BAR_WIDTH = 1000  # the flat bar's units: stretched to its box's width
BAR_HEIGHT = 12

TUBE_COLOUR = "#f3f1ee"
OUTLINE_COLOUR = "#57534e"
TEXT_COLOUR = "#1c1917"
FONT = "system-ui, sans-serif"


@dataclass(frozen=True)
class Reading:
    """What the thermometer shows, independent of where it is drawn."""

    raised: Decimal
    target: Decimal
    currency: str
    milestones: tuple[tuple[str, Decimal], ...] = ()
    status: str = "open"
    accent: str = STATUS_COLOURS["open"]  # the fill of an open appeal: the site's accent

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

    @property
    def colour(self) -> str:
        """The fill: the accent while open, green once funded, grey once closed."""
        if self.status == "closed":
            return STATUS_COLOURS["closed"]
        if self.funded or self.status == "funded":
            return STATUS_COLOURS["funded"]
        return self.accent

    def value_text(self, speech: Speech | None = None) -> str:
        """The words a screen reader says: "£25,000 raised of £36,000 (69%)"."""
        speech = speech or english()
        return speech.gettext("%(raised)s raised of %(target)s (%(percent)s)") % {
            "raised": speech.money(self.raised, self.currency),
            "target": speech.money(self.target, self.currency),
            "percent": speech.percent(self.percent),
        }

    def marker_fractions(self) -> list[tuple[Decimal, bool]]:
        """Where each milestone sits (0 to 1) and whether it is reached."""
        if self.target <= 0:
            return []
        return [(min(amount / self.target, Decimal(1)), self.raised >= amount) for _, amount in self.milestones]


def _level(fraction: Decimal) -> float:
    """The y coordinate of a fill of this fraction of the target."""
    usable = TUBE_BOTTOM - (TUBE_TOP + FILL_TOP_MARGIN)
    return round(TUBE_BOTTOM - float(fraction) * usable, 1)


def thermometer_svg(reading: Reading, *, standalone: bool = False, title: str | None = None, speech: Speech | None = None) -> str:
    """The thermometer as SVG markup.

    ``standalone`` adds the XML namespace, a <title> for screen readers and the
    amounts as text, for use in an <img> elsewhere. Inline, the SVG is hidden
    from screen readers because the progressbar around it speaks for it.
    """
    speech = speech or english()
    if not standalone:
        return _inline_svg(reading, speech)
    return _drawing(reading, standalone, title, speech)


@lru_cache(maxsize=16)
def _inline_svg(reading: Reading, speech: Speech) -> str:
    # Kept: an appeal's page, embed and poster show the same inline drawing.
    # (Equal readings draw alike: every figure is read by value; a build
    # makes one Speech a language.)
    return _drawing(reading, False, None, speech)


def _drawing(reading: Reading, standalone: bool, title: str | None, speech: Speech | None = None) -> str:
    speech = speech or english()
    colour = reading.colour
    fill_top = _level(reading.fraction)
    tube_left = TUBE_X
    tube_right = TUBE_X + TUBE_WIDTH
    parts: list[str] = []
    if standalone:
        # The badge is wider and taller than the inline drawing: its figures sit under the bulb.
        height = HEIGHT + BADGE_FIGURES_HEIGHT
        parts.append(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {BADGE_WIDTH} {height}" '
            f'width="{BADGE_WIDTH}" height="{height}" role="img" aria-labelledby="t" '
            f'xml:lang="{escape(speech.tag)}" direction="{speech.dir}" '
            # What the search page's results show of an appeal, read from its
            # badge: the index then need not change with every new total.
            f'data-status="{escape(reading.status)}" data-percent="{reading.percent}" '
            f'data-figures="{escape(reading.value_text(speech))}">'
        )
        parts.append(f'<title id="t">{escape(title or reading.value_text(speech))}</title>')
        parts.append(f'<g transform="translate({(BADGE_WIDTH - WIDTH) // 2} 0)">')
    else:
        parts.append(
            f'<svg class="thermometer-svg" viewBox="0 0 {WIDTH} {HEIGHT}" aria-hidden="true" focusable="false">'
        )
    # Tube and bulb background, then the fill, then the outline over both.
    parts.append(
        f'<rect x="{tube_left}" y="{TUBE_TOP}" width="{TUBE_WIDTH}" height="{TUBE_BOTTOM - TUBE_TOP + 10}" '
        f'rx="{TUBE_WIDTH / 2}" fill="{TUBE_COLOUR}"/>'
    )
    parts.append(f'<circle class="fill" cx="{BULB_CX}" cy="{BULB_CY}" r="{BULB_R}" fill="{colour}"/>')
    if reading.fraction > 0:
        parts.append(
            f'<rect class="fill" x="{tube_left + 6}" y="{fill_top}" width="{TUBE_WIDTH - 12}" '
            f'height="{round(BULB_CY - fill_top, 1)}" rx="{(TUBE_WIDTH - 12) / 2}" fill="{colour}"/>'
        )
    else:
        parts.append(
            f'<rect class="fill" x="{tube_left + 6}" y="{TUBE_BOTTOM - 4}" width="{TUBE_WIDTH - 12}" '
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
    # Scale marks every quarter on the left.
    for quarter in range(1, 5):
        y = _level(Decimal(quarter) / 4)
        parts.append(
            f'<line x1="{tube_left - 8}" y1="{y}" x2="{tube_left - 2}" y2="{y}" stroke="{OUTLINE_COLOUR}" stroke-width="2"/>'
        )
        # Left to right whatever the language: the scale is a drawing's, on the tube's left.
        parts.append(
            f'<text x="{tube_left - 11}" y="{y + 5}" text-anchor="end" font-size="14" '
            f'font-family="{FONT}" fill="{TEXT_COLOUR}"{_LTR if speech.dir == "rtl" else ""}>{escape(speech.percent(quarter * 25))}</text>'
        )
    # Milestones: a small pointer at the tube's right, solid once reached.
    for fraction, reached in reading.marker_fractions():
        y = _level(fraction)
        parts.append(
            f'<path class="milestone{" reached" if reached else ""}" d="M{tube_right + 3} {y} l12 -7 v14 z" '
            f'fill="{OUTLINE_COLOUR if reached else "#ffffff"}" stroke="{OUTLINE_COLOUR}" stroke-width="2" stroke-linejoin="round"/>'
        )
    if standalone:
        parts.append(
            f'<text x="{BULB_CX}" y="{BULB_CY + 6}" text-anchor="middle" font-size="18" font-weight="bold" '
            f'font-family="{FONT}" fill="#ffffff">{escape(speech.percent(reading.percent))}</text>'
        )
        parts.append("</g>")
        parts.extend(_badge_figures(reading, speech))
    parts.append("</svg>")
    return "".join(parts)


@lru_cache(maxsize=16)
def bar_svg(reading: Reading) -> str:
    """The flat bar a phone shows: the track, the fill, a gap at each milestone."""
    colour = reading.colour
    filled = round(BAR_WIDTH * float(reading.fraction))
    radius = f'rx="{BAR_HEIGHT * 1.5}" ry="{BAR_HEIGHT / 2}"'
    parts = [
        f'<svg class="bar-svg" viewBox="0 0 {BAR_WIDTH} {BAR_HEIGHT}" preserveAspectRatio="none" aria-hidden="true" focusable="false">',
        f'<rect class="bar-track" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" {radius} fill="#e7e2dc"/>',
    ]
    filled = max(filled, BAR_HEIGHT * 3) if filled > 0 else 0
    if filled:
        parts.append(f'<rect class="fill" width="{filled}" height="{BAR_HEIGHT}" {radius} fill="{colour}"/>')
    for fraction, _ in reading.marker_fractions():
        x = round(BAR_WIDTH * float(fraction), 1)
        # A gap just short of the fill's rounded end would leave a sliver of
        # fill beyond it, like a fault in the bar: that milestone is not marked.
        if 0 < fraction < 1 and not 0 < filled - x < BAR_HEIGHT * 3:
            parts.append(
                f'<line class="milestone" x1="{x}" y1="0" x2="{x}" y2="{BAR_HEIGHT}" stroke="#ffffff" '
                f'stroke-width="3" vector-effect="non-scaling-stroke"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def badge_svg(reading: Reading, child: str, speech: Speech | None = None) -> str:
    """The standalone ``thermometer.svg``: its title names the child and the amounts."""
    speech = speech or english()
    title = speech.gettext("%(child)s’s appeal: %(total)s") % {"child": child, "total": reading.value_text(speech)}
    return thermometer_svg(reading, standalone=True, title=title, speech=speech) + "\n"


_LTR = ' direction="ltr"'


def _badge_figures(reading: Reading, speech: Speech) -> list[str]:
    """The amounts as text under the bulb, so the badge reads on its own, and
    the appeal's state in words (colour is never the only sign of it)."""
    raised = escape(speech.money(reading.raised, reading.currency))
    target = escape(speech.gettext("raised of %(target)s") % {"target": speech.money(reading.target, reading.currency)})
    state = speech.gettext(status_of(reading.status).badge)
    centre = BADGE_WIDTH / 2
    return [
        f'<text class="raised" x="{centre}" y="{HEIGHT + 22}" text-anchor="middle" font-size="24" font-weight="bold" '
        f'font-family="{FONT}" fill="{TEXT_COLOUR}">{raised}</text>',
        f'<text class="target" x="{centre}" y="{HEIGHT + 46}" text-anchor="middle" font-size="15" '
        f'font-family="{FONT}" fill="{TEXT_COLOUR}">{target}</text>',
        f'<text class="status" x="{centre}" y="{HEIGHT + 74}" text-anchor="middle" font-size="16" font-weight="bold" '
        f'font-family="{FONT}" fill="{TEXT_COLOUR}">{escape(state)}</text>',
    ]
