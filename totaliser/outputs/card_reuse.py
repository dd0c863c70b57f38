"""Reusing an unchanged social card from the previous build.

Drawing a card costs a few milliseconds; a rebuild that changed nothing else
would still spend them on every appeal. Each card carries the key of what it shows in a PNG
text chunk, so the previous output's card is reused when its key still matches.
Nothing is written outside the output folder.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .card import KEY_FIELD, CardSpec, card_png


def stored_key(path: Path) -> str | None:
    """The key in a card's text chunk, read without decoding its pixels."""
    try:
        with Image.open(path) as image:
            value = image.info.get(KEY_FIELD)
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    return value if isinstance(value, str) else None


def card_bytes(spec: CardSpec, previous: Path | None) -> bytes:
    """The card for ``spec``: the previous build's file when it shows the same, else a new drawing."""
    if previous is not None and previous.is_file() and stored_key(previous) == spec.key():
        return previous.read_bytes()
    return card_png(spec)
