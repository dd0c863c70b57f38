"""The social card's pixels and PNG: drawn straight in the palette, written strip by strip.

The layout (text boxes inside the canvas, funded or not, reuse by key) is
tested in test_reach.py; these tests check that the fast way of making the
pixels gives what drawing in full colour would, and that the PNG is sound.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from totaliser.outputs import card, png

BASE_SPEC = {
    "site_title": "The Wessex Courier Appeals", "child": "Amy Example", "condition": "cerebral palsy",
    "raised_text": "£25,000", "target_text": "£36,000", "percent": 69, "fraction": Decimal("0.694"), "funded": False,
}
SPECS = {
    "plain": {},
    "long double-barrelled name": {"child": "Maximilian Alexander-Fitzgerald Montgomery-Wolstenholme Featherstonehaugh"},
    "funded": {"raised_text": "£37,200", "percent": 103, "fraction": Decimal(1), "funded": True},
    "nothing raised": {"raised_text": "£0", "percent": 0, "fraction": Decimal(0)},
    "a million": {"raised_text": "£412,350", "target_text": "£1,000,000", "percent": 41, "fraction": Decimal("0.412")},
    "accents": {"child": "Siân Łukasz Zoë Chloé", "condition": "spinal muscular atrophy", "site_title": "Y Cymro: Apêl"},
}


def spec(**changes: object) -> card.CardSpec:
    return card.CardSpec(**{**BASE_SPEC, **changes})  # type: ignore[arg-type]


def ground_of(box: card.TextBox, spec: card.CardSpec) -> tuple[int, int, int]:
    """The colour a text box stands on."""
    if box.role == "site":
        return card.FUNDED if spec.funded else card.ACCENT
    return card.FUNDED if box.role == "funded" else card.PAPER


@pytest.mark.parametrize("changes", SPECS.values(), ids=SPECS.keys())
def test_palette_card_looks_like_the_full_colour_drawing(changes: dict[str, object]) -> None:
    # Every pixel within half an edge step of Pillow's anti-aliased drawing in
    # full colour: a wrong colour, a fringe or a misplaced letter is far more.
    # (The widest step, ink on paper, is 222 / 16 levels: half of it, rounded, is 7.)
    card_spec = spec(**changes)
    reference = card.draw_card(card_spec)
    drawn = card.draw_palette_card(card_spec)
    assert drawn.mode == "P" and drawn.size == (card.WIDTH, card.HEIGHT)
    difference = ImageChops.difference(reference, drawn.convert("RGB"))
    assert max(high for _, high in difference.getextrema()) <= 8
    # Letters keep their soft edges: many pixels of each text box are neither ink nor ground.
    palette = card.palette_colours()
    pixels = drawn.load()
    for box in card.layout(card_spec):
        colours = {palette[pixels[x, y]] for x in range(box.x, box.right) for y in range(box.y, box.bottom)}
        assert len(colours - {box.colour, ground_of(box, card_spec)}) >= 3, box


@pytest.mark.parametrize("changes", SPECS.values(), ids=SPECS.keys())
def test_text_uses_only_the_edge_steps_of_its_colours(changes: dict[str, object]) -> None:
    card_spec = spec(**changes)
    drawn = card.draw_palette_card(card_spec)
    palette = card.palette_colours()
    pixels = drawn.load()
    for box in card.layout(card_spec):
        ink, ground = box.colour, ground_of(box, card_spec)
        # Worked out here from the two colours, not from the module's tables.
        allowed = {
            tuple(round(low + (high - low) * step / card.EDGE_STEPS) for high, low in zip(ink, ground, strict=True))
            for step in range(card.EDGE_STEPS + 1)
        }
        used = {palette[pixels[x, y]] for x in range(box.x, box.right) for y in range(box.y, box.bottom)}
        assert used <= allowed, (box, used - allowed)
        assert ink in used and ground in used


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Each chunk's type and data, checking its CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        chunks.append((kind, body))
        position += 12 + length
    return chunks


@pytest.mark.parametrize("changes", SPECS.values(), ids=SPECS.keys())
def test_card_png_holds_exactly_the_drawing(changes: dict[str, object]) -> None:
    card_spec = spec(**changes)
    data = card.card_png(card_spec)
    drawn = card.draw_palette_card(card_spec)
    chunks = png_chunks(data)
    assert [kind for kind, _ in chunks] == [b"IHDR", b"PLTE", b"tEXt", b"IDAT", b"IEND"]
    # zlib checks the stream's Adler-32, which is put together strip by strip.
    scanlines = zlib.decompress(dict(chunks)[b"IDAT"])
    rows = drawn.tobytes()
    assert scanlines == b"".join(b"\0" + rows[y * card.WIDTH:(y + 1) * card.WIDTH] for y in range(card.HEIGHT))
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.mode == "P" and image.size == (card.WIDTH, card.HEIGHT)
        assert image.info[card.KEY_FIELD] == card_spec.key()
        assert image.convert("RGB").tobytes() == drawn.convert("RGB").tobytes()
    assert len(data) < 35_000


def test_card_bytes_do_not_depend_on_the_cards_made_before() -> None:
    # Text and compressed strips are kept from card to card; what was kept
    # must never show: a card made first equals the same card made after others.
    wanted = [spec(**changes) for changes in SPECS.values()]
    png._strips.clear()
    card._kept_text_stamp.cache_clear()
    alone = [card.card_png(one) for one in wanted]
    rng = random.Random(4)
    for number in range(40):
        card.card_png(spec(child=f"Child {number}", raised_text=f"£{rng.randrange(40_000):,}",
                           fraction=Decimal(rng.randrange(1001)) / 1000, funded=number % 3 == 0))
    assert [card.card_png(one) for one in reversed(wanted)] == alone[::-1]


def varied_specs(count: int, seed: int) -> list[card.CardSpec]:
    """Cards that differ where cards do: names, conditions, sums, how full."""
    rng = random.Random(seed)
    names = ["Amy", "Siân Pritchard", "Łukasz Nowak", "Maximilian Alexander-Fitzgerald Montgomery-Wolstenholme", "Jo Li"]
    made = []
    for number in range(count):
        fraction = rng.choice([Decimal(0), Decimal("0.001"), Decimal("0.02"), Decimal(1)] + [Decimal(rng.randrange(1001)) / 1000] * 4)
        funded = fraction == 1 and rng.random() < 0.7
        made.append(spec(
            child=f"{rng.choice(names)} {number}", condition=rng.choice(["cerebral palsy", "a rare form of childhood dementia"]),
            raised_text=f"£{rng.randrange(2_000_000):,}", target_text=rng.choice(["£36,000", "£1,000,000"]),
            percent=int(fraction * 100) + (5 if funded else 0), fraction=fraction, funded=funded,
            site_title=rng.choice(["The Wessex Courier Appeals", "Dorset Echo"]),
        ))
    return made


def test_every_card_holds_its_own_drawing_whatever_was_kept_from_others() -> None:
    # Strips are reused by what was drawn across them: after many cards
    # (thermometers at every level, bars of every length), each card's PNG
    # must still hold exactly its own freshly drawn pixels.
    for earlier in varied_specs(60, seed=1):
        card.card_png(earlier)
    for card_spec in varied_specs(40, seed=2):
        with Image.open(io.BytesIO(card.card_png(card_spec))) as image:
            assert image.tobytes() == card.draw_palette_card(card_spec).tobytes(), card_spec


@settings(max_examples=60, deadline=None)
@given(first=st.binary(max_size=70_000), second=st.binary(max_size=70_000))
def test_adler32_of_joined_pieces(first: bytes, second: bytes) -> None:
    combined = png._adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second))
    assert combined == zlib.adler32(first + second)


def test_adler32_of_long_pieces_wraps_its_sums() -> None:
    # Pieces longer than Adler-32's modulus and full of high bytes, as a card's strips are.
    first, second = bytes([255]) * 100_003, bytes(range(256)) * 300
    assert png._adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second)) == zlib.adler32(first + second)
