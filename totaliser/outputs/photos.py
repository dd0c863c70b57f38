"""Story photos, published in web sizes as JPEG and WebP, without metadata.

Re-encoding from pixels drops every EXIF field, GPS location included, whatever
the site's privacy setting: a photo of a child must never say where it was taken.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from .. import reads

WIDTHS = (480, 960, 1440)
JPEG_QUALITY = 82
WEBP_QUALITY = 78


@dataclass(frozen=True)
class PhotoSet:
    """The published versions of one photo, as paths relative to the output."""

    width: int
    height: int
    jpeg: tuple[tuple[int, str], ...]  # (width, path)
    webp: tuple[tuple[int, str], ...]

    @property
    def default(self) -> str:
        """The version for browsers that ignore srcset: 960 wide, or the largest."""
        return self.jpeg[min(1, len(self.jpeg) - 1)][1]

    @property
    def largest(self) -> str:
        return self.jpeg[-1][1]


class PhotoError(ValueError):
    """A photo file that cannot be read as an image."""


def photo_widths(width: int) -> list[int]:
    """The widths a photo this wide is published at."""
    return sorted({w for w in WIDTHS if w < width} | {min(width, WIDTHS[-1])})


def plan_photo(source: Path, folder: str) -> PhotoSet:
    """The PhotoSet that publish_photo writes for this photo, from its header
    alone: for pages that show a photo published elsewhere (the home page's cards)."""
    from PIL import Image  # only when a story has a photo: a quicker start otherwise

    try:
        with Image.open(reads.file_path(source)) as opened:
            width, height = opened.size
            # EXIF orientations 5 to 8 turn the picture a quarter: publish_photo swaps the sides.
            if opened.getexif().get(0x0112) in (5, 6, 7, 8):
                width, height = height, width
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise PhotoError(f"cannot be read as a photo ({exc})") from None
    widths = photo_widths(width)
    final_height = round(height * widths[-1] / width)
    return PhotoSet(
        widths[-1],
        final_height,
        tuple((w, f"{folder}photo-{w}.jpg") for w in widths),
        tuple((w, f"{folder}photo-{w}.webp") for w in widths),
    )


def publish_photo(source: Path, folder: str) -> tuple[PhotoSet, dict[str, bytes]]:
    """Resize and re-encode a photo; returns its description and the files to write."""
    from PIL import Image, ImageOps

    try:
        with Image.open(reads.file_path(source)) as opened:
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise PhotoError(f"cannot be read as a photo ({exc})") from None
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    else:
        image = image.convert("RGB")
    # Only the pixels are published: Pillow would write a JPEG's comment (its
    # COM segment, which may name the child) into every copy it saves.
    image.info.clear()
    widths = photo_widths(image.width)
    files: dict[str, bytes] = {}
    jpeg: list[tuple[int, str]] = []
    webp: list[tuple[int, str]] = []
    for width in widths:
        height = round(image.height * width / image.width)
        sized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
        for fmt, suffix, quality, out in (("JPEG", "jpg", JPEG_QUALITY, jpeg), ("WEBP", "webp", WEBP_QUALITY, webp)):
            buffer = io.BytesIO()
            options = {"quality": quality}
            if fmt == "JPEG":
                options.update(optimize=True, progressive=True)
            else:
                options.update(method=4)
            sized.save(buffer, fmt, **options)
            path = f"{folder}photo-{width}.{suffix}"
            files[path] = buffer.getvalue()
            out.append((width, path))
    final_width = widths[-1]
    final_height = round(image.height * final_width / image.width)
    return PhotoSet(final_width, final_height, tuple(jpeg), tuple(webp)), files
