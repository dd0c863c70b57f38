"""The social card: readable small and in a square crop, the name never cut,
one bar, status-aware words, the photo when there is one, Pillow's public API."""

from __future__ import annotations

import inspect
import io
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from totaliser.outputs import card

BASE_SPEC = {
    "site_title": "The Wessex Courier Appeals", "child": "Amy Example", "condition": "cerebral palsy",
    "raised_text": "£25,000", "target_text": "£36,000", "percent": 69, "fraction": Decimal("0.694"), "funded": False,
    "note": "Needed by 14 October 2027",
}
NAMES = [
    "Amy",
    "Siân Pritchard",
    "Maximilian Alexander-Fitzgerald Montgomery-Wolstenholme Featherstonehaugh-Cholmondeley the Third",
    "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaftschaferswessenschafewarenwohlgepflegeundsorgfaltigkeitbeschutzenvonangreifendurchihrraubgierigfeinde",
]
# The square a small preview crops from the centre of the card.
SQUARE = ((card.WIDTH - card.HEIGHT) // 2, (card.WIDTH + card.HEIGHT) // 2)


def spec(**changes: object) -> card.CardSpec:
    return card.CardSpec(**{**BASE_SPEC, **changes})  # type: ignore[arg-type]


def test_the_card_draws_with_pillows_public_api_only() -> None:
    # No drawing class of Pillow's is subclassed or patched.
    assert not [c for c in vars(card).values() if inspect.isclass(c) and issubclass(c, ImageDraw.ImageDraw)]
    source = inspect.getsource(card)
    assert "ImageDraw.ImageDraw" not in source and "._" not in source.replace("self._", "")


@pytest.mark.parametrize("name", NAMES)
def test_the_name_is_never_cut_and_everything_sits_in_the_centre_square(name: str) -> None:
    boxes = card.layout(spec(child=name))
    lines = [b.text for b in boxes if b.role == "name"]
    # Every letter is there: lines break between words, or a word too long
    # for any line is split with a hyphen.
    joined = " ".join(lines)
    assert joined.replace("- ", "").replace(" ", "") == name.replace(" ", "") or " ".join(lines) == name
    assert all("…" not in b.text for b in boxes)
    if all(len(word) < 30 for word in name.split()):
        assert " ".join(lines) == name  # real names break only between words
    for box in boxes:
        assert SQUARE[0] <= box.x and box.right <= SQUARE[1], box
        assert box.y >= 0 and box.bottom <= card.HEIGHT, box
    for number, first in enumerate(boxes):
        for second in boxes[number + 1:]:
            apart = first.right <= second.x or second.right <= first.x or first.bottom <= second.y or second.bottom <= first.y
            assert apart, (first, second)


def test_a_usual_name_reads_in_a_360_pixel_preview() -> None:
    # At 360x189 the card is drawn at 30%: the name must still be 16px or more.
    for name in ("Amy Example", "Siân Pritchard", "Zoë Marsh", "Łukasz Nowak"):
        sizes = {b.size for b in card.layout(spec(child=name)) if b.role == "name"}
        assert min(sizes) * 360 / card.WIDTH >= 16, name
    figures = [b for b in card.layout(spec()) if b.role in ("raised", "note")]
    assert all(b.size * 360 / card.WIDTH >= 8 for b in figures)


def test_the_words_follow_the_appeals_state() -> None:
    texts = lambda s: " ".join(b.text for b in card.layout(s)).lower()  # noqa: E731
    assert "needed by 14 october 2027" in texts(spec())
    closed = texts(spec(status="closed", note="Appeal closed – thank you to everyone who gave"))
    assert "closed" in closed and "give:" not in closed and "please" not in closed
    funded = texts(spec(status="funded", funded=True, percent=103, fraction=Decimal(1), note="Fully funded – thank you!"))
    assert "thank you" in funded


def test_one_progress_indicator_and_the_photo_behind_the_panel(tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (1600, 1000), (20, 160, 200)).save(photo)
    with_photo = card.draw_card(spec(photo=str(photo)))
    without = card.draw_card(spec())
    # Above the panel: the photo's colour, or the appeal's without one.
    assert max(abs(a - b) for a, b in zip(with_photo.getpixel((40, 40)), (20, 160, 200), strict=True)) <= 3
    assert without.getpixel((40, 40)) == card.hex_colour(BASE_SPEC.get("accent", "#b00d27"))


def test_card_png_is_a_deterministic_palette_png() -> None:
    data = card.card_png(spec())
    assert data == card.card_png(spec())
    assert data != card.card_png(spec(raised_text="£25,001"))
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (card.WIDTH, card.HEIGHT) and image.mode == "P"


@pytest.mark.parametrize("name", ["Олена Коваленко", "Ἀλέξανδρος Παπαδόπουλος", "Nguyễn Thị Ánh", "Gwenllïan ap Ẃyn"])
def test_names_in_greek_cyrillic_and_vietnamese_are_drawn(name: str) -> None:
    """The card's font has these alphabets: the name is drawn, every letter of it."""
    named = spec(child=name)
    assert card.drawable(named)
    image = Image.open(io.BytesIO(card.card_png(named)))
    nameless = Image.open(io.BytesIO(card.card_png(spec(child=name[0]))))
    assert image.tobytes() != nameless.tobytes()
    for letter in set(name.replace(" ", "")):
        assert card._has_glyph(letter), letter  # noqa: SLF001 - the font's own answer, letter by letter


def test_a_name_the_font_cannot_draw_is_left_out_whole_not_drawn_as_a_gap() -> None:
    chinese = spec(child="李小龍", condition="肝母细胞瘤 hepatoblastoma")
    assert not card.drawable(chinese)
    shown = card.drawable_only(chinese)
    assert shown.child == "" and shown.condition == "hepatoblastoma"
    assert [b for b in card.layout(shown) if b.role == "name"] == []
    assert card.drawable(shown)
    # A name with one letter the font lacks is not shortened to another name.
    assert card.drawable_only(spec(child="Amy 李")).child == ""
