"""The social card: a 1200x630 PNG shown when an appeal is shared.

Drawing is a pure function of a ``CardSpec``: the same spec always gives the
same bytes. Layout is kept apart from drawing (``layout``) so that tests can
check every text box stays inside the canvas, however long the name.

Shared links are mostly seen small (a 360x189 preview in a feed) or cropped
to a square around the centre, so everything that matters sits in one
centred panel, in a few large sizes: the name, the total, one bar, and a
line that asks only while the appeal is open. The photo, when there is one,
fills the card behind it.

The font is DejaVu Sans, shipped in ``static/fonts`` (subset, with its licence):
Pillow's built-in font has no "£", "€" or accented letters, and a system font
would make the card differ from machine to machine. Only Pillow's public
API draws it (Image, ImageDraw, ImageFont, ImageOps).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont, ImageOps

from .. import reads
from ..render import theme_folder
from .card_spec import CardSpec, card_spec
from .status import STATUS_COLOURS

__all__ = ["CardSpec", "card_png", "card_spec", "layout"]

FONTS = theme_folder("static") / "fonts"

WIDTH = 1200
HEIGHT = 630
PANEL_WIDTH = 600  # inside the square a small preview crops from the centre
PANEL_LEFT = (WIDTH - PANEL_WIDTH) // 2
PADDING = 32
INNER = PANEL_WIDTH - 2 * PADDING
MARGIN = PANEL_LEFT  # text keeps this far from the card's left and right edges
LOWEST_PANEL_TOP = 40  # however long the name, the panel starts below this

PAPER = (255, 255, 255)
INK = (28, 25, 23)
MUTED = (87, 83, 78)
TRACK = (231, 226, 220)

NAME_SIZES = (76, 68, 60, 54, 48, 44, 40)  # the largest that fits two lines
SMALLEST_NAME = 30  # a name longer still wraps at this size, however many lines
FIGURE_SIZES = ((56, 32), (50, 30), (44, 28), (38, 26), (32, 24), (28, 22), (24, 20))
BAR_HEIGHT = 30
GAP = 14
PALETTE_COLOURS = 256


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


def hex_colour(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def status_colour(spec: CardSpec) -> tuple[int, int, int]:
    if spec.status == "closed":
        return hex_colour(STATUS_COLOURS["closed"])
    if spec.funded or spec.status == "funded":
        return hex_colour(STATUS_COLOURS["funded"])
    return hex_colour(spec.accent)


@lru_cache(maxsize=64)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    # The basic layout engine: the same glyph positions with or without libraqm.
    return ImageFont.truetype(str(FONTS / name), size, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=4096)
def _measure(text: str, size: int, bold: bool = False) -> tuple[int, int]:
    """Width and height of text as drawn from its top-left corner (anchor "lt")."""
    left, top, right, bottom = _font(size, bold).getbbox(text, anchor="lt")
    return int(right - min(left, 0)) + 1, int(bottom - min(top, 0)) + 1


def _width(text: str, size: int, bold: bool) -> int:
    return _measure(text, size, bold)[0]


def _split_word(word: str, size: int, bold: bool, width: int) -> list[str]:
    """A word too long for a line, in pieces that fit, each but the last
    ending in a hyphen: every letter is kept."""
    pieces: list[str] = []
    rest = word
    while _width(rest, size, bold) > width:
        cut = len(rest) - 1
        while cut > 1 and _width(rest[:cut] + "-", size, bold) > width:
            cut -= 1
        pieces.append(rest[:cut] + "-")
        rest = rest[cut:]
    return [*pieces, rest]


def wrap(text: str, size: int, bold: bool, width: int) -> list[str]:
    """Words into lines that fit ``width``, breaking between words; a single
    word wider than a line is split with hyphens, never shortened."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        for piece in _split_word(word, size, bold, width):
            trial = f"{current} {piece}".strip()
            if current and _width(trial, size, bold) > width:
                lines.append(current)
                current = piece
            else:
                current = trial
    if current:
        lines.append(current)
    return lines


def fit_name(name: str) -> tuple[int, list[str]]:
    """The name on one line at a large size if it fits, else the largest size
    at which it fits two lines without splitting a word; failing that, the
    smallest size, wrapped however it must be."""
    name = " ".join(name.split())
    for size in NAME_SIZES[:4]:
        if _width(name, size, True) <= INNER:
            return size, [name]
    for size in NAME_SIZES:
        if all(_width(word, size, True) <= INNER for word in name.split()):
            lines = wrap(name, size, True, INNER)
            if len(lines) <= 2:
                return size, lines
    return SMALLEST_NAME, wrap(name, SMALLEST_NAME, True, INNER)


def fit_line(text: str, sizes: tuple[int, ...], bold: bool) -> tuple[int, list[str]]:
    """One line at the largest size that fits, or wrapped at the smallest."""
    for size in sizes:
        if _width(text, size, bold) <= INNER:
            return size, [text]
    return sizes[-1], wrap(text, sizes[-1], bold, INNER)


def _centred(role: str, text: str, y: int, size: int, colour: tuple[int, int, int], bold: bool = False) -> TextBox:
    width, height = _measure(text, size, bold)
    return TextBox(role, text, PANEL_LEFT + (PANEL_WIDTH - width) // 2, y, width, height, size, colour, bold)


def _figures(spec: CardSpec, y: int) -> list[TextBox]:
    """ "£25,000 raised of £36,000 · 69%" on one line, the amount raised large."""
    rest = " " + (spec.rest_text or f"raised of {spec.target_text} · {spec.percent}%")
    for big, small in FIGURE_SIZES:
        raised_width, raised_height = _measure(spec.raised_text, big, True)
        rest_width, rest_height = _measure(rest, small)
        if raised_width + rest_width <= INNER or big == FIGURE_SIZES[-1][0]:
            if raised_width + rest_width > INNER:
                # Still too wide: the amount on its own line, the rest under it.
                first = _centred("raised", spec.raised_text, y, big, INK, True)
                second = _centred("target", rest.strip(), first.bottom + 8, small, MUTED)
                return [first, second]
            x = PANEL_LEFT + (PANEL_WIDTH - raised_width - rest_width) // 2
            raised = TextBox("raised", spec.raised_text, x, y, raised_width, raised_height, big, INK, True)
            # The smaller words line up with the amount's foot.
            small_top = y + raised_height - rest_height
            return [raised, TextBox("target", rest, raised.right, small_top, rest_width, rest_height, small, MUTED)]
    raise AssertionError("unreachable: the smallest sizes always return")


def layout(spec: CardSpec) -> list[TextBox]:
    """Every text box on the card, in drawing order, and nothing else: the
    panel is as tall as its text (see ``panel_top``)."""
    colour = status_colour(spec)
    boxes: list[TextBox] = []
    y = 0  # laid out from 0, then moved down so the panel ends at the card's foot
    size, lines = fit_line(spec.condition.upper(), (24, 22, 20), True)
    for line in lines[:2]:
        box = _centred("condition", line, y, size, colour if spec.status == "open" else MUTED, True)
        boxes.append(box)
        y = box.bottom + 6
    y += GAP - 6
    if spec.child:  # none when the font cannot draw it (drawable_only)
        size, lines = fit_name(spec.child)
        step = round(size * 1.15)
        for number, line in enumerate(lines):
            boxes.append(_centred("name", line, y + number * step, size, INK, True))
        y = boxes[-1].bottom + GAP + 4
    boxes.extend(_figures(spec, y))
    y = max(b.bottom for b in boxes) + GAP + BAR_HEIGHT + GAP  # the bar goes between
    size, lines = fit_line(spec.note, (32, 28, 24), True)
    for line in lines:
        box = _centred("note", line, y, size, INK if spec.status == "open" else colour, True)
        boxes.append(box)
        y = box.bottom + 6
    size, lines = fit_line(spec.site_title, (24, 22, 20), False)
    boxes.append(_centred("site", lines[0] if len(lines) == 1 else spec.site_title, y + 10, size, MUTED))
    height = boxes[-1].bottom + PADDING
    # Below a photo the panel stands on the card's foot, leaving the photo
    # above it; without one it sits in the middle, a card on the appeal's colour.
    room = HEIGHT - height if spec.photo else (HEIGHT - height - PADDING) // 2
    top = max(room, LOWEST_PANEL_TOP) + PADDING
    return [TextBox(b.role, b.text, b.x, b.y + top, b.width, b.height, b.size, b.colour, b.bold) for b in boxes]


def panel_top(boxes: list[TextBox]) -> int:
    return min(b.y for b in boxes) - PADDING


def bar_box(boxes: list[TextBox]) -> tuple[int, int, int, int]:
    """Where the bar goes: between the figures and the note, the panel's width less its padding."""
    figures = max(b.bottom for b in boxes if b.role in ("raised", "target"))
    top = figures + GAP
    return PANEL_LEFT + PADDING, top, PANEL_LEFT + PANEL_WIDTH - PADDING, top + BAR_HEIGHT


def draw_card(spec: CardSpec) -> Image.Image:
    """The card in full colour."""
    colour = status_colour(spec)
    image = _background(spec, colour)
    draw = ImageDraw.Draw(image)
    boxes = layout(spec)
    top = panel_top(boxes)
    bottom = HEIGHT + 24 if spec.photo else max(b.bottom for b in boxes) + PADDING
    draw.rounded_rectangle((PANEL_LEFT, top, PANEL_LEFT + PANEL_WIDTH, bottom), radius=24, fill=PAPER)
    if spec.photo:
        # Over a photo, a rule in the state's colour along the panel's top edge.
        draw.rounded_rectangle((PANEL_LEFT, top, PANEL_LEFT + PANEL_WIDTH, top + 10), radius=5, fill=colour)
        draw.rectangle((PANEL_LEFT, top + 5, PANEL_LEFT + PANEL_WIDTH, top + 10), fill=colour)
    left, bar_top, right, bar_bottom = bar_box(boxes)
    radius = BAR_HEIGHT // 2
    draw.rounded_rectangle((left, bar_top, right, bar_bottom), radius=radius, fill=TRACK)
    filled = round((right - left) * float(spec.fraction))
    if filled > 0:
        draw.rounded_rectangle((left, bar_top, left + max(filled, BAR_HEIGHT), bar_bottom), radius=radius, fill=colour)
    for box in boxes:
        draw.text((box.x, box.y), box.text, font=_font(box.size, box.bold), fill=box.colour, anchor="lt")
    return image


def _background(spec: CardSpec, colour: tuple[int, int, int]) -> Image.Image:
    """The photo filling the card (faces are usually in its upper part), or
    without one the appeal's colour."""
    if spec.photo:
        try:
            with Image.open(spec.photo) as opened:
                upright = ImageOps.exif_transpose(opened).convert("RGB")
            photo = ImageOps.fit(upright, (WIDTH, HEIGHT), method=Image.Resampling.LANCZOS, centering=(0.5, 0.3))
            if spec.status == "closed":
                photo = ImageOps.grayscale(photo).convert("RGB")
            return photo
        except (OSError, ValueError, Image.DecompressionBombError):
            pass  # an unreadable photo is reported by the appeal page; the card goes without
    return Image.new("RGB", (WIDTH, HEIGHT), colour)


def drawable(spec: CardSpec) -> bool:
    """Whether the card's font has every letter of its words. It draws
    letters one by one, left to right (the same pixels on every machine), so
    a script that needs joining or is written right to left is not drawn:
    such a card is made with the English words (see card_words in registry)."""
    text = spec.rest_text + spec.note + spec.condition + spec.child + spec.site_title
    return all(_has_glyph(ch) for ch in set(text))


def drawable_only(spec: CardSpec) -> CardSpec:
    """The card without the words its font cannot draw (a condition written
    in Chinese and English keeps its English). A child's name is kept whole
    or not at all: a name with a letter missing is another name. A line left
    with nothing is not drawn, rather than drawn as a gap."""
    def kept(text: str) -> str:
        return " ".join(word for word in text.split() if all(map(_has_glyph, word)))

    child = spec.child if all(map(_has_glyph, spec.child)) else ""
    return replace(spec, child=child, condition=kept(spec.condition), site_title=kept(spec.site_title))


@lru_cache(maxsize=4096)
def _has_glyph(ch: str) -> bool:
    if ch.isspace() or ord(ch) < 0x250:
        return True
    if "\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufeff":
        return False  # Hebrew, Arabic and Urdu: right to left, and Arabic's letters join
    return _font(20, True).getmask(ch).getbbox() is not None


def card_png(spec: CardSpec) -> bytes:
    """The card as PNG bytes, quantised to a palette (a third of the size of RGB)."""
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        reads.file_path(FONTS / name)  # the build records the fonts the card is drawn with
    full = draw_card(spec)
    if spec.photo:
        # The palette is chosen from the card itself, then the card mapped
        # onto it with dithering, so a photo's smooth skies do not turn into bands.
        palette = full.quantize(PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE)
        image = full.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG)
    else:
        # Without a photo a card is flat colours and letters' edges, the same
        # for every card of one status and accent: the palette is worked out
        # once, from a card of sample text (choosing it is most of a card's time).
        image = full.quantize(palette=_flat_palette(spec.status, spec.funded, spec.accent), dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=PHOTO_COMPRESS_LEVEL if spec.photo else COMPRESS_LEVEL)
    return buffer.getvalue()


# zlib's level: 3 makes a flat card in half the time of 6, a quarter larger
# (about 17 kB); a dithered photo needs 6 to stay small (about 14 kB, not 60).
COMPRESS_LEVEL = 3
PHOTO_COMPRESS_LEVEL = 6
SAMPLE_TEXT = "Aa Bb Cc Dd Ee Ff Gg Hh Ii Jj Kk Ll Mm Nn Oo Pp Qq Rr Ss Tt Uu Vv Ww Xx Yy Zz 0123456789 £€%,.–’"


@lru_cache(maxsize=32)
def _flat_palette(status: str, funded: bool, accent: str) -> Image.Image:
    sample = CardSpec(
        site_title=SAMPLE_TEXT, child=SAMPLE_TEXT, condition=SAMPLE_TEXT, raised_text="£1,234,567,890",
        target_text="£1,234,567,890", percent=50, fraction=Decimal("0.5"), funded=funded, status=status,
        note=SAMPLE_TEXT, accent=accent,
    )
    return draw_card(sample).quantize(PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE)
