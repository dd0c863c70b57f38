"""The progress-over-time chart: the ``updates`` of an appeal drawn as SVG.

Drawn at build time, with presentation attributes only (the pages' security
policy allows no inline styles). The same figures go into an HTML table for
screen readers, so the SVG itself is hidden from them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

from ..content import Appeal
from ..i18n import Speech, english

# A small drawing with large type: on a 360px phone it is drawn at about
# three quarters of its size, so 15-unit text reads at 11px or more.
WIDTH = 440
HEIGHT = 280
LEFT = 72  # room for the money labels ("36.000 €" too)
RIGHT = 16
TOP = 22
BOTTOM = 44  # room for the date labels
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
MAX_DATE_LABELS = 3
AXIS_STEPS = 4  # at most this many lines up the money axis

LINE_COLOUR = "#b00d27"
FUNDED_COLOUR = "#1a7f37"
GRID_COLOUR = "#e7e5e4"
AXIS_COLOUR = "#57534e"
TEXT_COLOUR = "#44403c"
FONT = "system-ui, sans-serif"


@dataclass(frozen=True)
class ChartRow:
    date: datetime.date
    raised: Decimal
    note: str


@dataclass(frozen=True)
class Chart:
    svg: Markup
    rows: tuple[ChartRow, ...]


@dataclass(frozen=True)
class Scale:
    """Where a date and an amount land in the plot."""

    first: datetime.date
    last: datetime.date
    top_amount: Decimal

    def x(self, day: datetime.date) -> float:
        span = (self.last - self.first).days
        if span == 0:
            return LEFT + PLOT_WIDTH / 2
        return round(LEFT + PLOT_WIDTH * (day - self.first).days / span, 1)

    def y(self, amount: Decimal) -> float:
        if self.top_amount <= 0:
            return TOP + PLOT_HEIGHT
        return round(TOP + PLOT_HEIGHT - PLOT_HEIGHT * float(amount / self.top_amount), 1)


def chart_scale(appeal: Appeal) -> Scale:
    highest = max([appeal.target, *(u.raised for u in appeal.updates)])
    # A little headroom over the target or the highest point, whichever is higher.
    return Scale(appeal.updates[0].date, appeal.updates[-1].date, highest * Decimal("1.08"))


def progress_chart(appeal: Appeal, speech: Speech | None = None) -> Chart | None:
    """The chart and its table rows, or None for an appeal without updates."""
    if not appeal.updates:
        return None
    rows = tuple(ChartRow(u.date, u.raised, u.note) for u in appeal.updates)
    return Chart(Markup(_svg(appeal, chart_scale(appeal), speech or english())), rows)


def axis_amounts(top: Decimal) -> list[Decimal]:
    """Round amounts up the money axis, from 0 to the highest below ``top``:
    steps of 1, 2, 2.5 or 5 times a power of ten, at most AXIS_STEPS of them."""
    if top <= 0:
        return [Decimal(0)]
    power = Decimal(10) ** (len(str(int(top))) - 1)
    for base in (Decimal("0.1"), Decimal("0.2"), Decimal("0.25"), Decimal("0.5"), Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        step = base * power
        if step > 0 and top / step <= AXIS_STEPS:
            break
    count = int(top // step)
    return [step * n for n in range(count + 1)]


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 15, weight: str = "normal", colour: str = TEXT_COLOUR) -> str:
    return (
        f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
        f'font-family="{FONT}" fill="{colour}">{escape(text)}</text>'
    )


def _svg(appeal: Appeal, scale: Scale, speech: Speech) -> str:
    currency = appeal.currency
    bottom = TOP + PLOT_HEIGHT
    # Time runs left to right in every language (as on the thermometer's scale,
    # the labels are placed for it): an RTL page keeps the chart's direction.
    direction = ' direction="ltr"' if speech.dir == "rtl" else ""
    parts = [
        f'<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}"{direction} '
        f'aria-hidden="true" focusable="false" data-first-date="{scale.first.isoformat()}" '
        f'data-last-date="{scale.last.isoformat()}" data-top-amount="{scale.top_amount}" '
        f'data-plot="{LEFT} {TOP} {PLOT_WIDTH} {PLOT_HEIGHT}">'
    ]
    # Money axis: round steps up to the larger of the target and the highest
    # total, with light grid lines.
    top = max(appeal.target, *(u.raised for u in appeal.updates))
    for amount in axis_amounts(top):
        y = scale.y(amount)
        if amount:
            parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{LEFT + PLOT_WIDTH}" y2="{y}" stroke="{GRID_COLOUR}" stroke-width="1"/>')
        parts.append(_text(LEFT - 7, y + 5, _axis_money(amount, top, currency, speech), "end"))
    # Milestones dashed and unlabelled (the page lists them in full), the target solid.
    for milestone in appeal.milestones:
        if milestone.amount >= appeal.target:
            continue
        y = scale.y(milestone.amount)
        parts.append(
            f'<line class="chart-milestone" x1="{LEFT}" y1="{y}" x2="{LEFT + PLOT_WIDTH}" y2="{y}" '
            f'stroke="{AXIS_COLOUR}" stroke-width="1" stroke-dasharray="5 4" data-amount="{milestone.amount}"/>'
        )
    target_y = scale.y(appeal.target)
    parts.append(
        f'<line class="chart-target" x1="{LEFT}" y1="{target_y}" x2="{LEFT + PLOT_WIDTH}" y2="{target_y}" '
        f'stroke="{FUNDED_COLOUR}" stroke-width="2" data-amount="{appeal.target}"/>'
    )
    # Labels sit at the left, where the line (which starts low) rarely reaches their height.
    target_words = speech.gettext("Target %(amount)s") % {"amount": speech.money(appeal.target, currency)}
    parts.append(_text(LEFT + 6, target_y - 6, target_words, "start", 15, "bold", FUNDED_COLOUR))
    # Axes.
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="{AXIS_COLOUR}" stroke-width="1"/>')
    parts.append(f'<line x1="{LEFT}" y1="{bottom}" x2="{LEFT + PLOT_WIDTH}" y2="{bottom}" stroke="{AXIS_COLOUR}" stroke-width="1"/>')
    for x, anchor, words in _date_labels([(scale.x(update.date), speech.short_date(update.date)) for update in appeal.updates]):
        parts.append(f'<line x1="{x}" y1="{bottom}" x2="{x}" y2="{bottom + 5}" stroke="{AXIS_COLOUR}" stroke-width="1"/>')
        parts.append(_text(x, bottom + 21, words, anchor, 14))
    # The line, then the points over it.
    points = [(scale.x(u.date), scale.y(u.raised)) for u in appeal.updates]
    colour = FUNDED_COLOUR if appeal.raised >= appeal.target else LINE_COLOUR
    if len(points) > 1:
        path = " ".join(f"{x},{y}" for x, y in points)
        parts.append(f'<polyline class="chart-line" points="{path}" fill="none" stroke="{colour}" stroke-width="3" stroke-linejoin="round"/>')
    for update, (x, y) in zip(appeal.updates, points, strict=True):
        parts.append(
            f'<circle class="chart-point" cx="{x}" cy="{y}" r="5" fill="#ffffff" stroke="{colour}" stroke-width="3" '
            f'data-date="{update.date.isoformat()}" data-raised="{update.raised}"/>'
        )
    last_x, last_y = points[-1]
    parts.append(_text(last_x - 8 if len(points) > 1 else last_x + 10, last_y - 12, speech.money(appeal.updates[-1].raised, currency), "end" if len(points) > 1 else "start", 16, "bold", colour))
    parts.append("</svg>")
    return "".join(parts)


def _axis_money(amount: Decimal, target: Decimal, currency: str, speech: Speech) -> str:
    """Axis labels in one style: each shortened as CLDR shortens them ("£5K",
    "£10K") for large targets."""
    if target >= 10_000 and amount > 0:
        return speech.money_compact(amount, currency)
    return speech.money(amount.quantize(Decimal(1)), currency)


# A date label's width, in the drawing's units, for each of its characters
# (14-unit text; a little over the average, so that labels never touch) and
# the least space between two labels.
LABEL_CHARACTER_WIDTH = 8
LABEL_GAP = 10


def _date_labels(dates: list[tuple[float, str]]) -> list[tuple[float, str, str]]:
    """The dates to label under the chart, as (x, anchor, words): the first and
    the last, then those nearest the middle, at most MAX_DATE_LABELS, each
    only where it does not run into another (updates close in time are
    close on the axis)."""
    def span(x: float, words: str) -> tuple[float, float, str]:
        width = LABEL_CHARACTER_WIDTH * len(words)
        if x <= LEFT:
            return x, x + width, "start"
        if x >= LEFT + PLOT_WIDTH:
            return x - width, x, "end"
        return x - width / 2, x + width / 2, "middle"

    middle = LEFT + PLOT_WIDTH / 2
    ends = [dates[0], dates[-1]] if len(dates) > 1 else dates
    wanted = ends + sorted(dates[1:-1], key=lambda date: abs(date[0] - middle))
    chosen: list[tuple[float, float, float, str, str]] = []
    for x, words in wanted:
        start, end, anchor = span(x, words)
        if len(chosen) < MAX_DATE_LABELS and all(end + LABEL_GAP <= other[0] or start >= other[1] + LABEL_GAP for other in chosen):
            chosen.append((start, end, x, anchor, words))
    return [(x, anchor, words) for _, _, x, anchor, words in sorted(chosen, key=lambda label: label[2])]
