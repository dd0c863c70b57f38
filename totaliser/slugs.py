"""Turning names into the ASCII slugs used in file names and URLs."""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and an accent.
_SPECIAL_LETTERS = str.maketrans(
    {
        "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
        "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
        "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ı": "i",
    }
)


def to_ascii(text: str) -> str:
    """Plain ASCII letters for a name: "Siân Łukasz" becomes "Sian Lukasz"."""
    text = text.translate(_SPECIAL_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii")


def slugify(text: str) -> str:
    """A lowercase, hyphenated ASCII slug: "Siân Łukasz" becomes "sian-lukasz"."""
    words = re.split(r"[^a-z0-9]+", to_ascii(text).lower())
    return "-".join(word for word in words if word)
