"""Pictures copied from static/ keep their pixels and nothing else: no
metadata, and nothing after the image's end."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from totaliser.pictures import PictureError, pixels_only

from .conftest import run_cli
from .test_build import appeal

HOME = b"14 Acacia Avenue, Poole"


def _exif_with_address() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010E] = HOME.decode()  # ImageDescription
    exif[0x013B] = "Amanda Quixby"  # Artist
    return exif


def _picture(kind: str, colour: str = "teal", exif: bool = True, **options: object) -> bytes:
    image = Image.new("RGB", (24, 16), colour)
    image.putpixel((3, 4), (250, 10, 10))
    buffer = io.BytesIO()
    if exif:
        options["exif"] = _exif_with_address()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


def _pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGBA").tobytes()


def _assert_clean(original: bytes, cleaned: bytes) -> None:
    assert HOME not in cleaned and b"Quixby" not in cleaned
    assert b"Exif" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert not image.getexif()
    assert _pixels(cleaned) == _pixels(original)


def test_a_jpeg_with_a_second_jpeg_appended_loses_the_second() -> None:
    first = _picture("JPEG", exif=False, quality=90)
    second = _picture("JPEG", "orange")
    cleaned = pixels_only(first + second)
    _assert_clean(first, cleaned)
    assert cleaned.endswith(b"\xff\xd9") and cleaned.count(b"\xff\xd8") == 1


def test_a_motion_photo_loses_its_video_and_its_metadata() -> None:
    # A phone's motion photo: a JPEG with XMP naming the video, then the video.
    still = _picture("JPEG", quality=90)
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>MotionPhoto GCamera:MicroVideo</x:xmpmeta>"
    with_xmp = still[:2] + b"\xff\xe1" + (len(xmp) + 2).to_bytes(2, "big") + xmp + still[2:]
    video = b"\x00\x00\x00\x18ftypmp42" + HOME * 50
    cleaned = pixels_only(with_xmp + video)
    _assert_clean(still, cleaned)
    assert b"MotionPhoto" not in cleaned and b"ftypmp42" not in cleaned


def test_jpeg_comments_and_thumbnails_go_and_the_pixels_stay_byte_for_byte() -> None:
    original = _picture("JPEG", quality=90, comment=b"Taken at " + HOME)
    cleaned = pixels_only(original + b"trailing bytes")
    _assert_clean(original, cleaned)
    # Not re-encoded: the coded picture is the same bytes.
    scan = original[original.index(b"\xff\xda"):]
    assert cleaned.endswith(scan)


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_png_and_webp_lose_metadata_and_trailing_data(kind: str) -> None:
    options: dict[str, object] = {"lossless": True} if kind == "WEBP" else {}
    original = _picture(kind, **options)
    assert HOME in original
    cleaned = pixels_only(original + b"\x00\x00\x00\x18ftypmp42" + HOME)
    _assert_clean(original, cleaned)


def test_a_gif_loses_comments_and_trailing_data_and_keeps_its_frames() -> None:
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], loop=0, duration=100, comment=HOME)
    original = buffer.getvalue()
    assert HOME in original
    cleaned = pixels_only(original + HOME)
    assert HOME not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.n_frames == 2 and image.info.get("loop") == 0
    assert _pixels(cleaned) == _pixels(original)


@pytest.mark.parametrize("data, words", [
    (b"II*\x00" + b"\x00" * 40, "is a TIFF picture"),
    (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40, "is a HEIC picture"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "cut short or damaged"),
])
def test_what_cannot_be_cleaned_is_refused_with_a_reason(data: bytes, words: str) -> None:
    with pytest.raises(PictureError, match=words):
        pixels_only(data)


def test_the_build_publishes_clean_pictures_and_refuses_a_tiff(make_site, tmp_path: Path) -> None:
    jpeg = _picture("JPEG", quality=90)
    site = make_site({
        "content/appeals/amy.md": appeal(),
        "static/images/beach.jpg": jpeg + _picture("JPEG", "orange"),
    })
    out = tmp_path / "out"
    result = run_cli("build", "--site", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr
    _assert_clean(jpeg, (out / "static/images/beach.jpg").read_bytes())

    tiff = io.BytesIO()
    Image.new("RGB", (4, 4)).save(tiff, "TIFF")
    (site / "static/images/scan.tiff").write_bytes(tiff.getvalue())
    before = (out / "index.html").read_bytes()
    for command in (["build", "--output", str(out)], ["check"]):
        refused = run_cli(*command, "--site", str(site))
        assert refused.returncode == 1, command
        assert "static/images/scan.tiff:1: picture: is a TIFF picture, which browsers do not show" in refused.stderr
    assert (out / "index.html").read_bytes() == before
    assert not (out / "static/images/scan.tiff").exists()
