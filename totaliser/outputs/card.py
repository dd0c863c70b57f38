"""The social card: a 1200x630 PNG shown when an appeal is shared.

Drawing is a pure function of a ``CardSpec``: the same spec always gives the
same bytes, so a card can be reused whenever its spec is unchanged (see
``card_reuse``). Layout is kept apart from drawing (``layout``) so that tests
can check every text box stays inside the canvas, however long the name.

The font is DejaVu Sans, shipped in ``static/fonts`` (subset, with its licence):
Pillow's built-in font has no "£", "€" or accented letters, and a system font
would make the card differ from machine to machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from ..render import theme_folder
from .card_spec import KEY_FIELD, CardSpec, card_spec
from .png import STRIP_ROWS, palette_png

__all__ = ["KEY_FIELD", "CardSpec", "card_png", "card_spec", "layout"]

FONTS = theme_folder("static") / "fonts"

WIDTH = 1200
HEIGHT = 630
MARGIN = 64

PAPER = (250, 250, 249)
INK = (28, 25, 23)
MUTED = (87, 83, 78)
ACCENT = (176, 13, 39)
FUNDED = (26, 127, 55)
TRACK = (231, 229, 228)
WHITE = (255, 255, 255)

BAND_HEIGHT = 84  # the site title band along the top
NAME_TOP = BAND_HEIGHT + 96
NAME_BOTTOM = 392  # the name, however long, ends above the figures
NAME_SIZES = (88, 80, 72, 64, 58)  # tried on one line first
WRAPPED_SIZES = (58, 52, 48)  # then on two lines
BAR_TOP = 486
BAR_HEIGHT = 40
# The thermometer stands at the right, between the title band and the figures;
# the condition and the name keep to its left.
THERMOMETER_CX = WIDTH - MARGIN - 44
THERMOMETER_TOP = BAND_HEIGHT + 30
THERMOMETER_TUBE = 36  # the tube's width
THERMOMETER_BULB_CY = 362
THERMOMETER_BULB_R = 34
THERMOMETER_LEFT = THERMOMETER_CX - 70  # its scale marks reach this far left
TEXT_RIGHT = THERMOMETER_LEFT - 32  # where the condition and the name must end
# The card's palette: its flat colours, plus this many steps between each text
# colour and the colour it is drawn on, for the anti-aliased edges of letters.
EDGE_STEPS = 16


@dataclass(frozen=True)
class TextBox:
    """One piece of text as drawn: its top-left corner, size and font."""

    role: str
    text: str
    x: int
    y: int
    width: int
    height: int
    size: int
    colour: tuple[int, int, int]
    bold: bool = False

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height


@lru_cache(maxsize=64)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    # The basic layout engine: the same glyph positions with or without libraqm.
    return ImageFont.truetype(str(FONTS / name), size, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=4096)
def _measure(text: str, size: int, bold: bool = False) -> tuple[int, int]:
    """Width and height of text as drawn from its top-left corner (anchor "lt").

    Kept: fitting a card measures the same texts at several sizes, and many
    cards share texts (the site's title, "Ag", percentages)."""
    left, top, right, bottom = _bbox(text, size, bold)
    return int(right - min(left, 0)) + 1, int(bottom - min(top, 0)) + 1


@lru_cache(maxsize=1024)
def _bbox(text: str, size: int, bold: bool) -> tuple[float, float, float, float]:
    """The box text's pixels cover, from its top-left corner (anchor "lt"): measured for the layout, then drawn."""
    return _font(size, bold).getbbox(text, anchor="lt")


def _box(role: str, text: str, x: int, y: int, size: int, colour: tuple[int, int, int], bold: bool = False) -> TextBox:
    width, height = _measure(text, size, bold)
    return TextBox(role, text, x, y, width, height, size, colour, bold)


def _ellipsis(text: str, size: int, max_width: int, bold: bool) -> str:
    """The longest start of ``text`` that fits with "…" after it."""
    if _measure(text, size, bold)[0] <= max_width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if _measure(text[:middle].rstrip() + "…", size, bold)[0] <= max_width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def _wrap(text: str, size: int, max_width: int, bold: bool) -> list[str]:
    """Words into lines that fit ``max_width``; a word longer than a line is cut later."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and _measure(trial, size, bold)[0] > max_width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def fit_text(text: str, max_width: int, sizes: tuple[int, ...], wrapped_sizes: tuple[int, ...], max_lines: int, bold: bool) -> tuple[int, list[str]]:
    """Shrink, then wrap, then cut with an ellipsis: (size, lines) that fit ``max_width``."""
    text = " ".join(text.split())
    for size in sizes:
        if _measure(text, size, bold)[0] <= max_width:
            return size, [text]
    for size in wrapped_sizes:
        lines = _wrap(text, size, max_width, bold)
        if len(lines) <= max_lines and all(_measure(line, size, bold)[0] <= max_width for line in lines):
            return size, lines
    size = wrapped_sizes[-1] if wrapped_sizes else sizes[-1]
    lines = _wrap(text, size, max_width, bold)
    kept = lines[:max_lines]
    if len(lines) > max_lines:
        kept[-1] = kept[-1] + " " + " ".join(lines[max_lines:])
    return size, [_ellipsis(line, size, max_width, bold) for line in kept]


def layout(spec: CardSpec) -> list[TextBox]:
    """Every text box on the card, in drawing order."""
    boxes: list[TextBox] = []
    inner = WIDTH - 2 * MARGIN
    title_size, title_lines = fit_text(spec.site_title, inner, (34, 30, 26, 22), (), 1, True)
    boxes.append(_box("site", title_lines[0], MARGIN, (BAND_HEIGHT - _measure("Ag", title_size, True)[1]) // 2, title_size, WHITE, True))

    beside = TEXT_RIGHT - MARGIN  # the width left of the thermometer
    kicker_size, kicker_lines = fit_text(spec.condition.upper(), beside, (30, 26, 22), (), 1, True)
    kicker_y = BAND_HEIGHT + 40
    boxes.append(_box("condition", kicker_lines[0], MARGIN, kicker_y, kicker_size, FUNDED if spec.funded else ACCENT, True))

    name_size, name_lines = fit_text(spec.child, beside, NAME_SIZES, WRAPPED_SIZES, 2, True)
    line_height = round(name_size * 1.12)
    block = line_height * len(name_lines)
    # The name sits low in its space, close to the figures it belongs to.
    name_y = max(NAME_TOP, NAME_BOTTOM - block)
    for number, line in enumerate(name_lines):
        boxes.append(_box("name", line, MARGIN, name_y + number * line_height, name_size, INK, True))

    boxes.extend(_figures(spec))
    if spec.funded:
        label = "Funded – thank you!"
        boxes.append(_box("funded", label, MARGIN + 22, BAR_TOP + BAR_HEIGHT + 30, 34, WHITE, True))
    else:
        boxes.append(_box("cta", "Please give: every pound helps", MARGIN, BAR_TOP + BAR_HEIGHT + 30, 32, MUTED))
    return boxes


def _figures(spec: CardSpec) -> list[TextBox]:
    """The amount raised, "raised of" the target, and the percent on the right.

    Large sums shrink together until they clear the percent; the target's
    words are cut last, with an ellipsis."""
    colour = FUNDED if spec.funded else ACCENT
    percent_text = f"{spec.percent}%"
    for big, small in ((60, 34), (52, 30), (44, 26), (38, 22)):
        percent_width = _measure(percent_text, big, True)[0]
        percent_x = WIDTH - MARGIN - percent_width
        raised = _box("raised", spec.raised_text, MARGIN, BAR_TOP - 14 - big, big, INK, True)
        target_x = raised.right + 18
        room = percent_x - 24 - target_x
        target_text = f"raised of {spec.target_text}"
        if _measure(target_text, small)[0] <= room or big == 38:
            target_text = _ellipsis(target_text, small, max(room, 0), False) if room > 0 else ""
            baseline = raised.bottom - _measure("0", small)[1]
            boxes = [raised, _box("percent", percent_text, percent_x, BAR_TOP - 14 - big, big, colour, True)]
            if target_text and target_text != "…":
                boxes.insert(1, _box("target", target_text, target_x, baseline, small, MUTED))
            return boxes
    raise AssertionError("unreachable: the smallest sizes always return")


Colour = tuple[int, int, int]


def draw_card(spec: CardSpec) -> Image.Image:
    """The card in full colour, with Pillow's own anti-aliased text: the reference
    that the palette drawing (``draw_palette_card``) is checked against."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)

    def write(box: TextBox, ground: Colour) -> None:
        draw.text((box.x, box.y), box.text, font=_font(box.size, box.bold), fill=box.colour, anchor="lt")

    _draw(spec, draw, lambda colour: colour, write)
    return image


def draw_palette_card(spec: CardSpec) -> Image.Image:
    """The card drawn straight in the palette ("P" mode).

    Within a few levels of drawing in full colour and mapping to the palette,
    at a fraction of the cost: the shapes are flat, so they are drawn with their
    palette index; each letter's anti-aliased edge is mapped to the edge steps
    of its colour over the colour beneath, as ``palette_colours`` lays them out."""
    image = _draw_indexes(spec)[0].crop((0, 0, WIDTH, HEIGHT))
    image.putpalette(_flat_palette())
    return image


# What was drawn across some rows: the first and last row it may touch, what
# it is (enough to draw it again), and for a shape whose middle rows are all
# drawn alike, those rows and what they are whatever the shape's height.
Note = tuple[int, int, tuple[Any, ...], tuple[int, int, tuple[Any, ...]] | None]


def _draw_indexes(spec: CardSpec) -> tuple[Image.Image, list[Note]]:
    """The card as a greyscale image whose values are palette indexes, and a
    note of each thing drawn, in order.

    The image has one more column at the right, of zeros: read row after row,
    each row then comes after a 0, the byte a PNG scanline starts with (see
    ``_palette_png``)."""
    index = _palette_index()
    image = Image.new("L", (WIDTH + 1, HEIGHT), index[PAPER])
    draw = _NotingDraw(image)

    def write(box: TextBox, ground: Colour) -> None:
        # The stamp goes down whole, its rectangle where no letter covers it
        # included (as the ground): the layout keeps every text box on a
        # plain ground, clear of the shapes and of other text.
        make = _text_stamp if box.role in _ONE_CARD_ROLES else _kept_text_stamp
        stamp, left, top = make(box.text, box.size, box.bold, box.colour, ground)
        x, y = box.x + left, box.y + top
        image.paste(stamp, (x, y))
        draw.notes.append((y, y + stamp.height - 1, ("text", box.text, box.size, box.bold, box.colour, ground, x, y), None))

    _draw(spec, draw, index.__getitem__, write)
    image.paste(0, (WIDTH, 0, WIDTH + 1, HEIGHT))
    return image, draw.notes


class _NotingDraw(ImageDraw.ImageDraw):
    """Pillow's drawing, noting each shape drawn and the rows it may touch."""

    def __init__(self, image: Image.Image) -> None:
        super().__init__(image)
        self.notes: list[Note] = []

    def rectangle(self, xy: Any, fill: Any = None, outline: Any = None, width: int = 1) -> None:
        super().rectangle(xy, fill, outline, width)
        self._note("rectangle", xy, (fill, outline, width), straight=width + 1)

    def rounded_rectangle(self, xy: Any, radius: float = 0, fill: Any = None, outline: Any = None, width: int = 1, *, corners: Any = None) -> None:
        super().rounded_rectangle(xy, radius, fill, outline, width, corners=corners)
        # Below the top corners and above the bottom ones, every row is alike.
        self._note("rounded_rectangle", xy, (radius, fill, outline, width, corners), straight=int(2 * radius) + width + 1)

    def ellipse(self, xy: Any, fill: Any = None, outline: Any = None, width: int = 1) -> None:
        super().ellipse(xy, fill, outline, width)
        self._note("ellipse", xy, (fill, outline, width))

    def line(self, xy: Any, fill: Any = None, width: int = 1, joint: str | None = None) -> None:
        super().line(xy, fill, width, joint)
        self._note("line", xy, (fill, width, joint), reach=width)

    def _unnoted(self, *args: Any, **kwargs: Any) -> None:
        # Anything drawn without a note could be hidden by a strip kept from
        # another card: a new kind of shape needs its note, as those above.
        raise NotImplementedError("the card draws only shapes it notes")

    arc = bitmap = chord = pieslice = point = polygon = regular_polygon = text = multiline_text = _unnoted

    def _note(self, kind: str, xy: Any, options: tuple[Any, ...], straight: int | None = None, reach: int = 0) -> None:
        x0, y0, x1, y1 = xy
        what = (kind, tuple(xy), options)
        alike = None if straight is None else (y0 + straight, y1 - straight, (kind, x0, x1, options))
        # A row more each way than the shape's own: no pixel is left out.
        self.notes.append((min(y0, y1) - reach - 1, max(y0, y1) + reach + 1, what, alike))


def _draw(spec: CardSpec, draw: ImageDraw.ImageDraw, fill: Callable[[Colour], Any], write: Callable[[TextBox, Colour], None]) -> None:
    """The card's drawing, in order; ``fill`` gives a colour as the image takes
    it and ``write`` draws a text box over the colour it stands on."""
    colour = FUNDED if spec.funded else ACCENT
    draw.rectangle((0, 0, WIDTH, BAND_HEIGHT), fill=fill(colour))
    bar = (MARGIN, BAR_TOP, WIDTH - MARGIN, BAR_TOP + BAR_HEIGHT)
    draw.rounded_rectangle(bar, radius=BAR_HEIGHT // 2, fill=fill(TRACK))
    filled = round((bar[2] - bar[0]) * float(spec.fraction))
    if filled > 0:
        draw.rounded_rectangle((bar[0], bar[1], bar[0] + max(filled, BAR_HEIGHT), bar[3]), radius=BAR_HEIGHT // 2, fill=fill(colour))
    for box in layout(spec):
        ground = PAPER
        if box.role == "site":
            ground = colour
        elif box.role == "funded":
            ground = FUNDED
            draw.rounded_rectangle((box.x - 22, box.y - 12, box.right + 22, box.bottom + 14), radius=28, fill=fill(FUNDED))
        write(box, ground)
    _draw_thermometer(draw, spec.fraction, fill(colour), fill(TRACK), fill(MUTED))
    draw.rectangle((0, HEIGHT - 10, WIDTH, HEIGHT), fill=fill(colour))


def _draw_thermometer(draw: ImageDraw.ImageDraw, fraction: Decimal, colour: Any, track: Any, muted: Any) -> None:
    """The totaliser itself: a tube filled to the fraction raised, with a bulb and quarter marks."""
    cx, half = THERMOMETER_CX, THERMOMETER_TUBE // 2
    tube_bottom = THERMOMETER_BULB_CY - THERMOMETER_BULB_R + 10
    draw.rounded_rectangle((cx - half, THERMOMETER_TOP, cx + half, tube_bottom + half), radius=half, fill=track, outline=muted, width=3)
    inner_top = THERMOMETER_TOP + 10
    level = round(tube_bottom - (tube_bottom - inner_top) * float(fraction))
    if fraction > 0:
        draw.rounded_rectangle((cx - half + 9, level, cx + half - 9, THERMOMETER_BULB_CY), radius=half - 9, fill=colour)
    bulb = THERMOMETER_BULB_R
    draw.ellipse((cx - bulb, THERMOMETER_BULB_CY - bulb, cx + bulb, THERMOMETER_BULB_CY + bulb), fill=colour, outline=muted, width=3)
    for quarter in range(1, 5):
        y = round(tube_bottom - (tube_bottom - inner_top) * quarter / 4)
        draw.line((cx - half - 18, y, cx - half - 4, y), fill=muted, width=3)


# Every text colour with the colour it is drawn on: the only places where
# anti-aliasing mixes two colours (the shapes are drawn without it).
TEXT_PAIRS = (
    (WHITE, ACCENT), (WHITE, FUNDED),
    (ACCENT, PAPER), (FUNDED, PAPER), (INK, PAPER), (MUTED, PAPER),
)


def palette_colours() -> list[tuple[int, int, int]]:
    """The card's fixed palette: the flat colours, then the steps of each text edge."""
    colours = [PAPER, INK, MUTED, ACCENT, FUNDED, TRACK, WHITE]
    for ink, ground in TEXT_PAIRS:
        for step in range(1, EDGE_STEPS):
            r, g, b = (round(low + (high - low) * step / EDGE_STEPS) for high, low in zip(ink, ground, strict=True))
            if (r, g, b) not in colours:
                colours.append((r, g, b))
    return colours


@lru_cache(maxsize=1)
def _palette_index() -> dict[Colour, int]:
    """Each palette colour's index (the first, for a colour two pairs share)."""
    index: dict[Colour, int] = {}
    for number, colour in enumerate(palette_colours()):
        index.setdefault(colour, number)
    return index


@lru_cache(maxsize=1)
def _flat_palette() -> list[int]:
    return [channel for colour in palette_colours() for channel in colour]


@lru_cache(maxsize=len(TEXT_PAIRS))
def _edge_table(ink: Colour, ground: Colour) -> list[int]:
    """For each coverage 0-255 of a letter's mask, the palette index of the
    nearest of the pair's colours (the ground, its edge steps, the ink) to the
    blend Pillow would draw in full colour; the first of equally near ones.

    Written out in plain arithmetic: each worker of a build makes these
    tables, and min() with a key function took six times as long."""
    index = _palette_index()
    steps = _edge_steps(ink, ground)
    (ink_red, ink_green, ink_blue), (ground_red, ground_green, ground_blue) = ink, ground
    table = []
    for coverage in range(256):
        # Pillow's blend of the ink over the ground, rounded as it does.
        rest = 255 - coverage
        red = (ground_red * rest + ink_red * coverage + 127) // 255
        green = (ground_green * rest + ink_green * coverage + 127) // 255
        blue = (ground_blue * rest + ink_blue * coverage + 127) // 255
        nearest = steps[0]
        least = -1
        for step in steps:
            step_red, step_green, step_blue = step
            distance = (step_red - red) ** 2 + (step_green - green) ** 2 + (step_blue - blue) ** 2
            if least < 0 or distance < least:
                least, nearest = distance, step
        table.append(index[nearest])
    return table


def _edge_steps(ink: Colour, ground: Colour) -> list[Colour]:
    """The ground, the edge steps and the ink, in that order."""
    return [
        (
            round(ground[0] + (ink[0] - ground[0]) * step / EDGE_STEPS),
            round(ground[1] + (ink[1] - ground[1]) * step / EDGE_STEPS),
            round(ground[2] + (ink[2] - ground[2]) * step / EDGE_STEPS),
        )
        for step in range(EDGE_STEPS + 1)
    ]


def _text_stamp(text: str, size: int, bold: bool, ink: Colour, ground: Colour) -> tuple[Image.Image, int, int]:
    """A text box ready to paste: its pixels as palette indexes (the ground's
    where no letter covers it) and its offset from the box's corner."""
    font = _font(size, bold)
    left, top, right, bottom = (int(edge) for edge in _bbox(text, size, bold))
    coverage = Image.new("L", (max(right - left, 1), max(bottom - top, 1)), 0)
    # White on black: each pixel's value is the letters' coverage of it, 0-255.
    ImageDraw.Draw(coverage).text((-left, -top), text, font=font, fill=255, anchor="lt")
    return coverage.point(_edge_table(ink, ground)), left, top


# Kept: most text is the same on many cards (the site's title, the call to
# give, conditions, targets, percentages), and rendering it costs more than
# pasting it. Names and sums raised are not: they differ from card to card,
# and kept they would only push out the texts that recur.
_kept_text_stamp = lru_cache(maxsize=256)(_text_stamp)
_ONE_CARD_ROLES = frozenset({"name", "raised"})


def card_png(spec: CardSpec) -> bytes:
    """The card as PNG bytes: a palette image (a third of the size of RGB),
    with the spec's key in a text chunk so a later build can tell it is current."""
    indexes, notes = _draw_indexes(spec)
    return palette_png(indexes, _strip_keys(notes, HEIGHT), _flat_palette(), {KEY_FIELD: spec.key()})


def _strip_keys(notes: list[Note], height: int) -> list[tuple[Any, ...]]:
    """For each strip of rows, its first row and everything drawn across it, in order."""
    across: list[list[tuple[Any, ...]]] = [[] for _ in range(0, height, STRIP_ROWS)]
    for first, last, what, alike in notes:
        for number in range(max(first, 0) // STRIP_ROWS, min(last, height - 1) // STRIP_ROWS + 1):
            top = number * STRIP_ROWS
            bottom = min(top + STRIP_ROWS, height) - 1
            if alike is not None and alike[0] <= top and bottom <= alike[1]:
                across[number].append(alike[2])
            else:
                across[number].append(what)
    return [(number * STRIP_ROWS, tuple(drawn)) for number, drawn in enumerate(across)]
