"""Pictures published as they are (from static/): their pixels and nothing else.

A picture file can carry much more than its pixels: EXIF (a phone's GPS
position, the camera owner's name), XMP and IPTC captions, comments, a
thumbnail of the uncropped photo, and data after the image's end, such as a
second picture with its own EXIF or the video of a phone's "motion photo".
Browsers show only the pixels, so only the pixels are published.

JPEG, PNG, WebP and GIF are cut down rather than re-encoded: every segment or
chunk that is not needed to draw the pixels (and their colours) is dropped, and
the file ends where the image ends. Re-encoding a JPEG would lose quality each
time and change pixels; cutting keeps them byte for byte. The exception is a
JPEG that EXIF says to rotate: that note goes with the EXIF, so the pixels are
turned instead (a re-encode, then cut like any other JPEG). TIFF, HEIC and
AVIF pictures are refused with a message: most browsers show none of them,
and each keeps its metadata in its own structures.
"""

from __future__ import annotations

import io
import struct

from .errors import Problems

# Names that are handled as pictures: cleaned, or refused with a reason.
PICTURE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".heic", ".heif", ".avif"})

# JPEG segments kept, by marker and how their data starts: JFIF (APP0, with
# its thumbnail taken out), the colour profile (APP2) and Adobe's colour
# transform (APP14). Every other APPn (EXIF, XMP, IPTC, the multi-picture
# index of motion photos, makers' notes) and every comment goes.
_JPEG_KEPT_APPS = {0xE0: b"JFIF\x00", 0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"}
# PNG chunks needed to draw the picture, animated (APNG) or not, in its colours.
_PNG_KEPT = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"bKGD", b"pHYs",
    b"acTL", b"fcTL", b"fdAT",
}
# WebP chunks needed to draw it: the image (lossy, lossless, its alpha), the
# extended header, animation and the colour profile.
_WEBP_KEPT = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
_WEBP_EXIF_AND_XMP_FLAGS = 0x08 | 0x04
# GIF application extensions that make an animation loop; others (XMP) go.
_GIF_LOOPING = (b"NETSCAPE2.0", b"ANIMEXTS1.0")
_ORIENTATION = 0x0112


class PictureError(ValueError):
    """A picture that cannot be published as it is; the message says what to do."""


def is_picture(name: str) -> bool:
    dot = name.rfind(".")
    return dot >= 0 and name[dot:].lower() in PICTURE_SUFFIXES


def publishable_picture(data: bytes, shown: str, problems: Problems) -> bytes | None:
    """The picture with nothing but its pixels, or None with an error recorded."""
    try:
        return pixels_only(data)
    except PictureError as exc:
        problems.error(shown, 1, "picture", str(exc))
        return None


def pixels_only(data: bytes) -> bytes:
    """A JPEG, PNG, WebP or GIF picture without metadata and without anything
    after the image's end. Raises PictureError for anything else."""
    try:
        if data.startswith(b"\xff\xd8\xff"):
            if _needs_turning(data):
                return _jpeg_pixels_only(_turned(data))
            cleaned = _jpeg_pixels_only(data)
        elif data.startswith(b"\x89PNG\r\n\x1a\n"):
            cleaned = _png_pixels_only(data)
        elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            cleaned = _webp_pixels_only(data)
        elif data[:6] in (b"GIF87a", b"GIF89a"):
            cleaned = _gif_pixels_only(data)
        else:
            raise PictureError(_unsupported(data))
    except PictureError:
        raise
    except (IndexError, ValueError, struct.error):  # ValueError: a scan with no end
        raise PictureError("is cut short or damaged (open it in a picture editor and save it again)") from None
    _readable(cleaned)
    return cleaned


def _unsupported(data: bytes) -> str:
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return (
            "is a TIFF picture, which browsers do not show and which keeps its camera's details "
            "(save it as JPEG or PNG)"
        )
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"avif", b"avis"):
            return "is an AVIF picture, which keeps its metadata where it cannot be taken out (save it as JPEG, PNG or WebP)"
        return "is a HEIC picture (as iPhones save photos), which most browsers do not show (save it as JPEG)"
    return "is not a picture that can be published (use JPEG, PNG, WebP or GIF)"


def _readable(data: bytes) -> None:
    """What is published must still open as a picture."""
    from PIL import Image, UnidentifiedImageError  # only when a picture is published

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.size  # noqa: B018 - reading the header is the check
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError) as exc:
        raise PictureError(f"cannot be read as a picture ({exc}); open it in a picture editor and save it again") from None


def _needs_turning(data: bytes) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.getexif().get(_ORIENTATION, 1) not in (0, 1)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return False  # the cut below says what is wrong with it


def _turned(data: bytes) -> bytes:
    """The JPEG's pixels turned the way its EXIF says, saved again without EXIF."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)
        buffer = io.BytesIO()
        # No exif= and no other metadata is passed: the new file has none.
        image.save(buffer, "JPEG", quality=92, icc_profile=opened.info.get("icc_profile"))
        return buffer.getvalue()


def _jpeg_pixels_only(data: bytes) -> bytes:
    out = bytearray(b"\xff\xd8")
    index = 2
    while True:
        if data[index] != 0xFF:
            raise PictureError("is a damaged JPEG (open it in a picture editor and save it again)")
        while data[index] == 0xFF:  # fill bytes before a marker
            index += 1
        marker = data[index]
        index += 1
        if marker == 0xD9:  # the end of the image: whatever follows is not published
            out += b"\xff\xd9"
            return bytes(out)
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            out += bytes((0xFF, marker))
            continue
        (length,) = struct.unpack(">H", data[index : index + 2])
        if length < 2 or index + length > len(data):
            raise IndexError("segment runs past the end")
        payload = data[index + 2 : index + length]
        kept = _kept_segment(marker, payload)
        if kept is not None:
            out += bytes((0xFF, marker)) + struct.pack(">H", len(kept) + 2) + kept
        index += length
        if marker == 0xDA:  # a scan: its coded data runs to the next real marker
            end = _end_of_scan(data, index)
            out += data[index:end]
            index = end


def _kept_segment(marker: int, payload: bytes) -> bytes | None:
    if 0xE0 <= marker <= 0xEF:
        wanted = _JPEG_KEPT_APPS.get(marker)
        if wanted is None or not payload.startswith(wanted):
            return None
        if marker == 0xE0:
            # JFIF's version, units and density, with no thumbnail (0 x 0):
            # a thumbnail shows the photo before it was cropped.
            return payload[:12] + b"\x00\x00"
        return payload
    if marker == 0xFE:  # a comment
        return None
    return payload


def _end_of_scan(data: bytes, index: int) -> int:
    """Where a scan's coded data ends: at a marker other than a stuffed 0xFF00
    or a restart marker (which belong to the data)."""
    while True:
        found = data.index(b"\xff", index)
        following = data[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            index = found + 2
        elif following == 0xFF:
            index = found + 1  # fill bytes: the marker is further on
        else:
            return found


def _png_pixels_only(data: bytes) -> bytes:
    out = bytearray(data[:8])
    index = 8
    while True:
        (length,) = struct.unpack(">I", data[index : index + 4])
        kind = data[index + 4 : index + 8]
        end = index + 12 + length
        if end > len(data):
            raise IndexError("chunk runs past the end")
        if kind in _PNG_KEPT:
            out += data[index:end]
        index = end
        if kind == b"IEND":  # the end of the image: whatever follows is not published
            return bytes(out)


def _webp_pixels_only(data: bytes) -> bytes:
    (riff_size,) = struct.unpack("<I", data[4:8])
    stop = 8 + riff_size  # the image's end, as its header says: whatever follows is not published
    if stop > len(data):
        raise IndexError("the file is shorter than its header says")
    chunks = bytearray()
    index = 12
    while index + 8 <= stop:
        kind = data[index : index + 4]
        (size,) = struct.unpack("<I", data[index + 4 : index + 8])
        end = index + 8 + size + (size & 1)
        if end > stop:
            raise IndexError("chunk runs past the end")
        chunk = bytearray(data[index:end])
        if kind == b"VP8X":
            chunk[8] &= ~_WEBP_EXIF_AND_XMP_FLAGS & 0xFF
        if kind in _WEBP_KEPT:
            chunks += chunk
        index = end
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)


def _gif_pixels_only(data: bytes) -> bytes:
    index = 13 + _colour_table_size(data[10])
    out = bytearray(data[:index])
    while True:
        block = data[index]
        if block == 0x3B:  # the trailer: whatever follows is not published
            out.append(0x3B)
            return bytes(out)
        if block == 0x21:  # an extension
            label = data[index + 1]
            end = _after_sub_blocks(data, index + 2)
            looping = label == 0xFF and data[index + 2] == 11 and data[index + 3 : index + 14] in _GIF_LOOPING
            if label == 0xF9 or looping:  # frame timing and transparency, and looping, are kept
                out += data[index:end]
            index = end
        elif block == 0x2C:  # an image: its descriptor, colours and data
            start = index
            index += 10 + _colour_table_size(data[index + 9]) + 1
            index = _after_sub_blocks(data, index)
            out += data[start:index]
        else:
            raise PictureError("is a damaged GIF (open it in a picture editor and save it again)")


def _colour_table_size(flags: int) -> int:
    return 3 * (2 << (flags & 0x07)) if flags & 0x80 else 0


def _after_sub_blocks(data: bytes, index: int) -> int:
    while True:
        size = data[index]
        index += 1
        if size == 0:
            return index
        index += size
