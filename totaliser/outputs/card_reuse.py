"""Reusing an unchanged social card from the previous build.

Drawing a card costs a few milliseconds; a rebuild that changed nothing else
would still spend them on every appeal. Each card carries the key of what it
shows in a PNG text chunk, so the previous output's card is reused when its
key still matches. The chunk is read here directly, so that a reused card
costs no loading of Pillow (15 ms of a rebuild that edits one story).
Nothing is written outside the output folder.
"""

from __future__ import annotations

from pathlib import Path

from .card_spec import KEY_FIELD, CardSpec

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_KEYWORD = KEY_FIELD.encode("latin-1") + b"\0"


def stored_key(path: Path) -> str | None:
    """The key in a card's text chunk, read without decoding its pixels: the
    chunks before the image data, each a length, a type, its data and a CRC."""
    try:
        with path.open("rb") as handle:
            if handle.read(8) != PNG_SIGNATURE:
                return None
            while len(header := handle.read(8)) == 8:
                length, kind = int.from_bytes(header[:4], "big"), header[4:]
                if kind in (b"IDAT", b"IEND"):
                    return None  # our text chunk comes before the pixels
                data = handle.read(length + 4)[:length]  # the CRC after it is not needed
                if kind == b"tEXt" and data.startswith(_KEYWORD):
                    return data[len(_KEYWORD) :].decode("latin-1")
    except OSError:
        return None
    return None


def card_bytes(spec: CardSpec, previous: Path | None) -> bytes:
    """The card for ``spec``: the previous build's file when it shows the same, else a new drawing."""
    if previous is not None and previous.is_file() and stored_key(previous) == spec.key():
        return previous.read_bytes()
    from .card import card_png  # Pillow, only when a card is drawn

    return card_png(spec)
