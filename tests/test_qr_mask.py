"""outputs.qr makes exactly the code, and the SVG, that segno makes on its own.

qr.py encodes, places and scores codes itself (segno does it module by
module, ten times slower), so every step that could differ is compared with
segno here: each version a link of up to 300 characters needs, both sides of
each version's capacity (where the terminator and the padding change), every
mode segno may choose, every mask, the penalty score of every mask, and the
SVG path.
"""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
import segno
from segno import consts, encoder

from totaliser.outputs import qr
from totaliser.outputs.qr import make_code, qr_svg, svg_path

URL_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789/-._~?=&%"


def sample_urls(count: int) -> list[str]:
    rng = random.Random(2024)
    urls = ["https://example.org/", "https://www.justgiving.com/crowdfunding/appeal-for-amelia-rose"]
    for _ in range(count):
        length = rng.randint(1, 220)
        urls.append("https://" + "".join(rng.choice(URL_CHARACTERS) for _ in range(length)))
    return urls


def segno_code(data: str) -> segno.QRCode:
    return segno.make(data, error=qr.ERROR, micro=False, boost_error=False)


def assert_same_code(data: str) -> segno.QRCode:
    expected = segno_code(data)
    made = make_code(data)
    assert (made.version, made.mask, made.matrix) == (expected.version, expected.mask, expected.matrix), data
    return expected


def test_same_mask_and_modules_as_segno() -> None:
    versions = set()
    masks = set()
    for url in sample_urls(150):
        expected = assert_same_code(url)
        versions.add(expected.version)
        masks.add(expected.mask)
    # The sample covers codes with and without version information, and every mask.
    assert min(versions) <= 6 < max(versions)
    assert masks == set(range(8))


def longest_byte_url(version: int) -> int:
    """How many bytes a byte-mode code of ``version`` holds at our error level."""
    capacity = consts.SYMBOL_CAPACITY[version][consts.ERROR_LEVEL_M]
    count_bits = consts.CHAR_COUNT_INDICATOR_LENGTH[consts.MODE_BYTE][encoder.version_range(version)]
    return (capacity - 4 - count_bits) // 8


def test_every_version_up_to_300_characters_on_both_sides_of_its_capacity() -> None:
    """At a version's full capacity there is no room for the terminator, one byte
    less leaves room for part of it, and one byte more needs the next version."""
    rng = random.Random(7)
    last = segno_code("https://" + "a" * 292).version
    versions = set()
    for version in range(1, last + 1):
        longest = longest_byte_url(version)
        for length in (longest - 1, longest, longest + 1):
            url = "https://" + "".join(rng.choice(URL_CHARACTERS) for _ in range(length - 8))
            versions.add(assert_same_code(url).version)
    assert versions == set(range(1, last + 2))


@pytest.mark.parametrize(("data", "mode"), [
    ("HTTPS://EXAMPLE.ORG/APPEAL-FOR-AMELIA", "alphanumeric"),  # upper case links are alphanumeric
    ("HTTPS://EXAMPLE.ORG/" + "A1B2-" * 40, "alphanumeric"),
    ("0123456789" * 12, "numeric"),
    ("7", "numeric"),
    ("https://www.example.org/appeal?for=Zoë&amount=£10", "byte"),  # ISO-8859-1
    ("https://例え.jp/募金", "byte"),  # UTF-8
    ("漢字", "kanji"),
    ("https://x.org", "byte"),  # the shortest code
])
def test_every_mode_segno_chooses(data: str, mode: str) -> None:
    assert segno_code(data).mode == mode
    assert_same_code(data)


@pytest.mark.parametrize("url", [
    "https://example.org//ihl0_dg8&rgnqe",  # masks 0 and 6 score lowest, equally
    "https://example.org/7&5.g_8&l6tgtf_h/u82/-s",  # masks 2 and 7
    "https://example.org/7xo%fv",  # masks 4 and 6
])
def test_a_tie_goes_to_the_first_mask(url: str) -> None:
    assert_same_code(url)


def reserved_blank(code: segno.QRCode) -> list[bytearray]:
    """segno's code as its mask scoring sees it: format and version areas and the
    dark module still blank."""
    width = len(code.matrix)
    reserved = encoder.make_matrix(width, width)
    unreserved = encoder.make_matrix(width, width, reserve_regions=False)
    return [
        bytearray(0 if reserved[i][j] == 0 and unreserved[i][j] == 2 else value for j, value in enumerate(row))
        for i, row in enumerate(code.matrix)
    ]


def lines_of(matrix: list[bytearray], symbol: qr._Symbol) -> int:
    return qr._number(qr._lines_of(b"".join(matrix), symbol.width))


def test_each_masks_penalty_is_segnos() -> None:
    for url in sample_urls(6):
        for mask in range(8):
            code = segno.make(url, error=qr.ERROR, micro=False, boost_error=False, mask=mask)
            matrix = reserved_blank(code)
            width = len(matrix)
            expected = encoder.evaluate_mask(matrix, width, width)
            assert qr.penalty(lines_of(matrix, qr._symbol(code.version)), qr._symbol(code.version)) == expected


FINDER_LIKE = [1, 0, 1, 1, 1, 0, 1]
# Finder-like patterns that overlap (4 or 6 modules apart), with light areas on
# either side: segno skips the second pattern after counting the first.
OVERLAPPING = [
    [0, 0, 0, 0, *FINDER_LIKE, 1, 1, 0, 1, 0, 0, 0, 0],
    [0, 0, 0, 0, *FINDER_LIKE, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0],
    [0, 0, 0, 0, *FINDER_LIKE, 1, 1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0],
    [*FINDER_LIKE, 1, 1, 0, 1],
]


def random_matrix(rng: random.Random, width: int, dark: float) -> list[bytearray]:
    matrix = [bytearray(rng.random() < dark for _ in range(width)) for _ in range(width)]
    for _ in range(rng.randint(0, 6)):
        pattern = rng.choice([pattern for pattern in OVERLAPPING if len(pattern) <= width])
        i, j = rng.randrange(width), rng.randrange(width - len(pattern) + 1)
        if rng.random() < 0.5:
            matrix[i][j : j + len(pattern)] = bytes(pattern)
        else:
            for offset, value in enumerate(pattern):
                matrix[j + offset][i] = value
    return matrix


def test_penalty_on_any_modules_is_segnos() -> None:
    """Random modules (any proportion of dark ones) with long runs, blocks and
    overlapping finder-like patterns, which real codes rarely show."""
    rng = random.Random(11)
    for version in (1, 2, 7):
        symbol = qr._symbol(version)
        for _ in range(40):
            matrix = random_matrix(rng, symbol.width, rng.choice((0.1, 0.3, 0.5, 0.7, 0.9)))
            assert qr.penalty(lines_of(matrix, symbol), symbol) == sum(encoder.mask_scores(matrix, symbol.width, symbol.width))


def test_every_version_places_the_message_as_segno_does() -> None:
    """The message, with its remainder bits, fills exactly the modules left free,
    in segno's order, in every version."""
    rng = random.Random(3)
    for version in range(1, 41):
        width = encoder.calc_matrix_size(version)
        template = encoder.make_matrix(width, width)
        encoder.add_finder_patterns(template, width, width)
        encoder.add_alignment_patterns(template, width, width)
        order = qr._placement_order(template)
        blocks = [(info.num_data, info.num_total - info.num_data)
                  for info in consts.ECC[version][consts.ERROR_LEVEL_M] for _ in range(info.num_blocks)]
        assert len(order) - 7 <= len(qr._message_bit_sources(blocks)) <= len(order), version
        bits = bytes(rng.getrandbits(1) for _ in order)
        encoder.add_codewords(template, bits, version)
        assert bytes(template[i][j] for i, j in order) == bits, version


def test_versions_beyond_300_characters() -> None:
    """Versions with 3 and 4 remainder bits, and the largest."""
    rng = random.Random(9)
    for version in (14, 21, 27, 40):
        url = "https://" + "".join(rng.choice(URL_CHARACTERS) for _ in range(longest_byte_url(version) - 8))
        assert assert_same_code(url).version == version


def test_same_svg_as_segno() -> None:
    label = 'QR code: "example" <here> & there'
    for url in [*sample_urls(40), "HTTPS://EXAMPLE.ORG/APPEAL", "https://例え.jp/募金"]:
        expected = segno_code(url).svg_inline(
            scale=1, border=4, dark="#000000", light="#ffffff", omitsize=True, svgclass="qr-code", lineclass=None, title=label)
        assert qr_svg(url, label) == expected


def path_one_run_at_a_time(matrix: list[bytearray]) -> str:
    """The SVG path written the plain way: each run, moving the pen from the last."""
    parts: list[str] = []
    pen_x = pen_y = 0
    for y, row in enumerate(matrix, start=qr.BORDER):
        x = 0
        while x < len(row):
            if row[x]:
                end = x
                while end < len(row) and row[end]:
                    end += 1
                if parts:
                    parts.append(f"m{x + qr.BORDER - pen_x} {y - pen_y}h{end - x}")
                else:
                    parts.append(f"M{x + qr.BORDER} {y}.5h{end - x}")
                pen_x, pen_y, x = end + qr.BORDER, y, end
            else:
                x += 1
    return "".join(parts)


def test_svg_path_with_empty_rows_and_rows_ending_dark() -> None:
    rng = random.Random(5)
    for width in (21, 25):
        for _ in range(30):
            matrix = random_matrix(rng, width, rng.choice((0.05, 0.5, 0.95)))
            for i in rng.sample(range(width), rng.randint(0, 5)):
                matrix[i] = bytearray(width)
            assert svg_path(tuple(bytes(row) for row in matrix)) == path_one_run_at_a_time(matrix)
    assert svg_path(tuple(bytes(21) for _ in range(21))) == ""


def test_making_a_code_does_not_load_segnos_writers() -> None:
    # Checked in a fresh interpreter, where segno is not loaded yet: its
    # writers (and urllib, http.client, ssl) stay out; a later `import segno`
    # still gives the whole package, and the same code.
    code = (
        "import sys; from totaliser.outputs import qr; svg = qr.qr_svg('https://example.org/give/Amy', 'Give'); "
        "loaded = sorted(name for name in ('segno.writers', 'ssl', 'http.client') if name in sys.modules); "
        "import segno; assert segno.encoder is qr.encoder; "
        "print(loaded, svg == qr.qr_svg('https://example.org/give/Amy', 'Give'), segno.make('https://example.org/give/Amy', error='m').version)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["[]", "True", str(qr.make_code("https://example.org/give/Amy").version)]
