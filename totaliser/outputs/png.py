"""Palette PNGs written strip by strip, with strips kept for reuse.

The social card's PNG is written here rather than by Pillow so that its
compressed pixels can be kept and reused: compressing all 756 kB of a card's
pixels with zlib costs more than drawing it, yet most bands of rows (the
title band, blank paper, the call to give, a condition, the thermometer's
tube) come out the same on many cards. So the rows are compressed in strips,
each on its own (no strip refers back to another), and a strip is known by a
key the caller gives: what was drawn across its rows. A strip drawn the same
way for an earlier card is taken as it was compressed then, without reading
its pixels again. The bytes do not depend on what was kept: a strip
compresses the same either way.
"""

from __future__ import annotations

import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from PIL import Image

STRIP_ROWS = 15
# Runs only (Z_RLE): a fifth quicker than zlib's level 3 on a card's strips,
# whose rows are mostly long runs of one colour, for about as many bytes.
ZLIB_LEVEL = 1
ZLIB_STRATEGY = zlib.Z_RLE
_ADLER_BASE = 65521  # Adler-32's modulus
_STRIPS_KEPT = 4096
_strips: OrderedDict[tuple[Any, ...], tuple[bytes, int, int]] = OrderedDict()
_strips_lock = threading.Lock()


def palette_png(indexes: Image.Image, strip_keys: list[tuple[Any, ...]], palette: list[int], text: dict[str, str]) -> bytes:
    """An 8-bit palette PNG, with tEXt chunks, of an image of palette indexes
    whose last column is zeros and not part of the picture; ``strip_keys``
    tells, for each strip of rows, what was drawn across it."""
    width, height = indexes.width - 1, indexes.height
    stride = (width + 1) * STRIP_ROWS
    with _strips_lock:  # a build may make cards in more than one thread
        kept = [_strips.get(key) for key in strip_keys]
        for first, last in _runs(number for number, found in enumerate(kept) if found is None):
            # New strips are read from the image, a run of neighbours at a time.
            # The scanlines are a 0 (PNG's "no filter") then the row's pixels: the
            # image's bytes shifted by one, each row's spare 0 starting the next.
            rows = indexes.crop((0, first * STRIP_ROWS, width + 1, min((last + 1) * STRIP_ROWS, height))).tobytes()
            for number in range(first, last + 1):
                start = (number - first) * stride
                kept[number] = _strips[strip_keys[number]] = _deflated(b"\0" + rows[start:start + stride - 1])
        for key in strip_keys:
            _strips.move_to_end(key)
        while len(_strips) > _STRIPS_KEPT:
            _strips.popitem(last=False)
    pieces = []
    adler = 1  # the Adler-32 of nothing
    for found in kept:
        assert found is not None  # every new strip was made above
        piece, strip_adler, length = found
        pieces.append(piece)
        adler = _adler32_combine(adler, strip_adler, length)
    # Each piece ends on a byte boundary without closing the stream: an empty
    # final block closes it, and the zlib header and checksum wrap it.
    stream = b"\x78\x5e" + b"".join(pieces) + b"\x03\x00" + adler.to_bytes(4, "big")
    chunks = [
        _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)),
        _chunk(b"PLTE", bytes(palette)),
        *(_chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1")) for key, value in text.items()),
        _chunk(b"IDAT", stream),
        _chunk(b"IEND", b""),
    ]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def _runs(numbers: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Rising numbers as runs of neighbours: 1, 2, 3, 7 -> (1, 3), (7, 7)."""
    first = last = None
    for number in numbers:
        if last is not None and number == last + 1:
            last = number
            continue
        if first is not None and last is not None:
            yield first, last
        first = last = number
    if first is not None and last is not None:
        yield first, last


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))


def _deflated(scanlines: bytes) -> tuple[bytes, int, int]:
    """Scanlines as raw deflate data ending on a byte boundary (not closing
    the stream), with their Adler-32 and length."""
    compressor = zlib.compressobj(ZLIB_LEVEL, zlib.DEFLATED, -15, 8, ZLIB_STRATEGY)
    piece = compressor.compress(scanlines) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return piece, zlib.adler32(scanlines), len(scanlines)


def _adler32_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of two pieces of data joined, from each one's (as zlib's adler32_combine)."""
    remainder = second_length % _ADLER_BASE
    first_low, first_high = first & 0xFFFF, first >> 16
    low = (first_low + (second & 0xFFFF) - 1) % _ADLER_BASE
    high = (first_high + (second >> 16) + remainder * first_low - remainder) % _ADLER_BASE
    return high << 16 | low
