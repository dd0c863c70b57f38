"""outputs.qr makes exactly the code, and the SVG, that segno makes on its own."""

from __future__ import annotations

import random

import segno

from totaliser.outputs.qr import make_code, qr_svg

URL_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789/-._~?=&%"


def sample_urls(count: int) -> list[str]:
    rng = random.Random(2024)
    urls = ["https://example.org/", "https://www.justgiving.com/crowdfunding/appeal-for-amelia-rose"]
    for _ in range(count):
        length = rng.randint(1, 220)
        urls.append("https://" + "".join(rng.choice(URL_CHARACTERS) for _ in range(length)))
    return urls


def test_same_mask_and_modules_as_segno() -> None:
    urls = sample_urls(150)
    versions = set()
    masks = set()
    for url in urls:
        expected = segno.make(url, error="m", micro=False, boost_error=False)
        made = make_code(url)
        assert (made.version, made.mask, made.matrix) == (expected.version, expected.mask, expected.matrix), url
        versions.add(expected.version)
        masks.add(expected.mask)
    # The sample covers codes with and without version information, and every mask.
    assert min(versions) <= 6 < max(versions)
    assert masks == set(range(8))


def test_same_svg_as_segno() -> None:
    label = 'QR code: "example" <here> & there'
    for url in sample_urls(40):
        expected = segno.make(url, error="m", micro=False, boost_error=False).svg_inline(
            scale=1, border=4, dark="#000000", light="#ffffff", omitsize=True, svgclass="qr-code", lineclass=None, title=label)
        assert qr_svg(url, label) == expected
