"""Keeping children's surnames out of the output under ``privacy: first_name``,
and locations out of every published picture whatever the setting."""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any


def _either_apostrophe(escaped: str) -> str:
    """A pattern that matches a name written with a straight or a curly
    apostrophe: stories are set with curly ones (smart punctuation)."""
    return re.sub("['’]", "['’]", escaped)


def _surname_pattern(surname: str) -> str:
    # "Buckett" also covers "the Bucketts"; "Buckett's" keeps its "'s".
    return rf"\b{_either_apostrophe(re.escape(surname))}(?:s|es)?\b"


@dataclass(frozen=True)
class NameGuard:
    """Replaces a child's full name with the first name, and a lone surname
    with its initial ("the Buckett family" becomes "the B. family")."""

    first_name: str
    surnames: tuple[str, ...]

    @classmethod
    def for_child(cls, full_name: str) -> NameGuard:
        words = full_name.split()
        first = words[0] if words else full_name
        surnames: list[str] = []
        for word in words[1:]:
            # A double-barrelled name may also be written in halves.
            for part in (word, *word.split("-")):
                part = part.strip(".,'")
                # Surnames of two letters or fewer would match ordinary words.
                if len(part) > 2 and part not in surnames:
                    surnames.append(part)
        return cls(first, tuple(surnames))

    @cached_property
    def _patterns(self) -> list[tuple[re.Pattern[str], str]]:
        patterns = []
        if self.surnames:
            full = r"\s+".join(_either_apostrophe(re.escape(w)) for w in (*self.first_name.split(), *self.surnames[:1]))
            patterns.append((re.compile(rf"\b{full}\b", re.IGNORECASE), self.first_name))
        # Longest first, so "Smith-Jones" goes before "Smith".
        for surname in sorted(self.surnames, key=len, reverse=True):
            patterns.append((re.compile(_surname_pattern(surname), re.IGNORECASE), surname[0].upper() + "."))
        return patterns

    def redact(self, text: str) -> str:
        for pattern, replacement in self._patterns:
            text = pattern.sub(replacement, text)
        return text

    def mentions_surname(self, text: str) -> bool:
        return any(re.search(_surname_pattern(s), text, re.IGNORECASE) for s in self.surnames)


@dataclass(frozen=True)
class SiteNameGuard:
    """Every child's surname, kept out of every text of the site: stories
    mention other children, and plain pages thank them by name."""

    guards: tuple[NameGuard, ...]

    @classmethod
    def for_children(cls, full_names: Iterable[str]) -> SiteNameGuard:
        guards = {name: NameGuard.for_child(name) for name in full_names}
        # Full names first, so "Jacob Buckett" becomes "Jacob" before
        # another child's rule could turn "Buckett" into "B.".
        ordered = sorted(guards.values(), key=lambda g: -len(g.surnames))
        return cls(tuple(ordered))

    def redact(self, text: str) -> str:
        for guard in self.guards:
            text = guard.redact(text)
        return text

    def redact_value(self, value: Any, depth: int = 0) -> Any:
        """Redact text inside lists and mappings too (unknown fields reach templates)."""
        if isinstance(value, str):
            return self.redact(value)
        if depth > 20:
            return None  # deeper than any real front matter, or a YAML loop
        if isinstance(value, list):
            return [self.redact_value(item, depth + 1) for item in value]
        if isinstance(value, dict):
            return {self.redact_value(k, depth + 1) if isinstance(k, str) else k: self.redact_value(v, depth + 1) for k, v in value.items()}
        return value


# --- Pictures without metadata ---------------------------------------------

# JPEG segments kept: the picture itself, JFIF (APP0), the colour profile
# (APP2) and Adobe's colour transform (APP14). EXIF and XMP (APP1), IPTC
# (APP13), comments and the rest are dropped: they can hold a location, a
# camera owner's name or a caption naming the child.
_JPEG_KEPT_APPS = {0xE0, 0xE2, 0xEE}
_PNG_DROPPED = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}
_WEBP_DROPPED = {b"EXIF", b"XMP "}
_ORIENTATION = 0x0112


def without_metadata(data: bytes) -> bytes | None:
    """A JPEG, PNG or WebP picture with its metadata removed and its pixels
    untouched; None when it cannot be read (it is then not published)."""
    from PIL import Image  # only when a picture is published: a quicker start otherwise

    try:
        if data.startswith(b"\xff\xd8"):
            return _rotated_jpeg(data) or _jpeg_without_metadata(data)
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return _png_without_metadata(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp_without_metadata(data)
    except (OSError, ValueError, IndexError, struct.error, Image.DecompressionBombError):
        return _reencoded(data)
    return _reencoded(data)


def _rotated_jpeg(data: bytes) -> bytes | None:
    # A camera's "rotate me" note lives in EXIF, which goes: turn the pixels
    # instead, so the photo still stands the right way up.
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if image.getexif().get(_ORIENTATION, 1) in (0, 1):
            return None
    return _reencoded(data)


def _reencoded(data: bytes) -> bytes | None:
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = ImageOps.exif_transpose(opened)
            kind = opened.format or "PNG"
            buffer = io.BytesIO()
            options: dict[str, Any] = {"quality": 92} if kind in ("JPEG", "WEBP") else {}
            image.save(buffer, kind, **options)
            return buffer.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError, KeyError):
        return None


def _jpeg_without_metadata(data: bytes) -> bytes:
    out = bytearray(data[:2])
    index = 2
    while True:
        if data[index] != 0xFF:
            raise ValueError("not a JPEG marker")
        while data[index] == 0xFF:  # fill bytes
            index += 1
        marker = data[index]
        index += 1
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            out += bytes((0xFF, marker))
            continue
        if marker == 0xD9:
            out += b"\xff\xd9"
            return bytes(out)
        (length,) = struct.unpack(">H", data[index : index + 2])
        segment = data[index - 2 + 1 : index + length]  # marker byte onwards
        if marker == 0xDA:  # start of scan: the picture data runs to the end
            out += b"\xff" + data[index - 1 :]
            return bytes(out)
        if not (0xE0 <= marker <= 0xEF and marker not in _JPEG_KEPT_APPS) and marker != 0xFE:
            out += b"\xff" + segment
        index += length


def _png_without_metadata(data: bytes) -> bytes:
    out = bytearray(data[:8])
    index = 8
    while index < len(data):
        (length,) = struct.unpack(">I", data[index : index + 4])
        kind = data[index + 4 : index + 8]
        end = index + 12 + length
        if end > len(data):
            raise ValueError("truncated PNG")
        if kind not in _PNG_DROPPED:
            out += data[index:end]
        index = end
        if kind == b"IEND":
            break
    return bytes(out)


def _webp_without_metadata(data: bytes) -> bytes:
    chunks = bytearray()
    index = 12
    while index + 8 <= len(data):
        kind = data[index : index + 4]
        (size,) = struct.unpack("<I", data[index + 4 : index + 8])
        end = index + 8 + size + (size & 1)
        chunk = bytearray(data[index:end])
        if kind == b"VP8X":
            chunk[8] &= ~0x0C & 0xFF  # no EXIF (0x08) or XMP (0x04) any more
        if kind not in _WEBP_DROPPED:
            chunks += chunk
        index = end
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)
