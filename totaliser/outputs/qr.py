"""QR codes as inline SVG, drawn by segno (a maintained, pure-Python encoder).

segno picks the data mask by drawing all eight masks and scoring each
module by module in Python: 10 ms of the 12 ms a code took. ``best_mask``
makes the same choice, by the same scores, on whole rows at once: the code
is then encoded once more with that mask, so every code is exactly the one
segno would make on its own (tests/test_qr_mask.py checks this).
"""

from __future__ import annotations

import re
from functools import lru_cache

import segno
from segno import encoder

ERROR = "m"
# Runs of five or more modules of one colour (the N1 penalty).
_RUN = re.compile(rb"\x00{5,}|\x01{5,}")
# Dark, light, dark, dark, dark, light, dark (the N3 penalty).
_FINDER_LIKE = bytes((1, 0, 1, 1, 1, 0, 1))


def qr_svg(url: str, label: str) -> str:
    """A QR code for ``url`` as an <svg> element with a <title>, sized by its viewBox.

    Error correction "M" survives a crease or a smudge on a printed poster
    while keeping the modules large enough to scan from a shop window.
    """
    code = make_code(url)
    return code.svg_inline(scale=1, border=4, dark="#000000", light="#ffffff", omitsize=True, svgclass="qr-code", lineclass=None, title=label)


def make_code(url: str) -> segno.QRCode:
    """The QR code segno makes for ``url``, with its mask chosen by ``best_mask``."""
    first = segno.make(url, error=ERROR, micro=False, boost_error=False, mask=0)
    mask = best_mask(first)
    if mask == 0:
        return first
    return segno.make(url, error=ERROR, micro=False, boost_error=False, mask=mask)


class _Layout:
    """Where a QR code of one size keeps its data, as flat byte strings of its modules."""

    def __init__(self, width: int) -> None:
        template = encoder.make_matrix(width, width)
        encoder.add_finder_patterns(template, width, width)
        encoder.add_alignment_patterns(template, width, width)
        # The data modules: still unset in the template, except the "dark module".
        data = [[value > 1 and not (i == width - 8 and j == 8) for j, value in enumerate(row)] for i, row in enumerate(template)]
        size = width * width
        self.width = width
        self.size = size
        self.data = _as_int(bytes(0xFF if cell else 0 for row in data for cell in row))
        # What segno scores outside the data: function patterns, with the
        # format and version areas still blank.
        self.fixed = _as_int(bytes(0 if cell else value for row, flags in zip(template, data, strict=True) for value, cell in zip(row, flags, strict=True)))
        self.masks = [
            _as_int(bytes(1 if cell and pattern(i, j) else 0 for i, row in enumerate(data) for j, cell in enumerate(row)))
            for pattern in encoder.get_data_mask_functions(False)
        ]
        # Positions at the start of a row (after the first): no 2x2 block ends there.
        self.row_starts = _as_int(bytes(1 if p % width == 0 else 0 for p in range(width, size)))


@lru_cache(maxsize=40)
def _layout(width: int) -> _Layout:
    return _Layout(width)


def _as_int(data: bytes) -> int:
    return int.from_bytes(data, "big")


def best_mask(code: segno.QRCode) -> int:
    """The mask segno would choose: the lowest penalty, scored as segno scores it
    (on the masked data before format and version information are added)."""
    width = len(code.matrix)
    layout = _layout(width)
    drawn = _as_int(b"".join(code.matrix))
    # Undo the code's own mask to get the modules as placed, before masking.
    placed = ((drawn ^ layout.masks[code.mask]) & layout.data) | layout.fixed
    best, best_score = 0, None
    for number, pattern in enumerate(layout.masks):
        modules = (placed ^ pattern).to_bytes(layout.size, "big")
        score = penalty(modules, layout)
        if best_score is None or score < best_score:
            best, best_score = number, score
    return best


def penalty(modules: bytes, layout: _Layout) -> int:
    """ISO/IEC 18004 section 7.8.3's penalty score, as segno's ``mask_scores`` counts it."""
    width, size = layout.width, layout.size
    rows = [modules[start : start + width] for start in range(0, size, width)]
    columns = [modules[column::width] for column in range(width)]
    score = 0
    for line in (*rows, *columns):
        for run in _RUN.finditer(line):
            score += len(run.group()) - 2  # N1
        score += _finder_like(line, width)  # N3
    # N2: each 2x2 block of one colour; a module equals its neighbours where the
    # XOR of the two is 0, computed for every module at once.
    above, below = _as_int(modules[: size - width]), _as_int(modules[width:])
    vertical = above ^ below
    n = size - width
    left_right = _as_int(modules[width - 1 : size - 1]) ^ below
    differs = vertical | (vertical >> 8) | left_right | layout.row_starts
    # Module p of ``differs`` is 0 where the block ending at p is all one colour;
    # the first module of the lower rows has no block (``row_starts``).
    blocks = differs.to_bytes(n, "big").count(0)
    score += 3 * blocks
    dark = modules.count(1)
    score += 10 * int(abs(float(dark) / size * 100 - 50) / 5)  # N4
    return score


def _finder_like(line: bytes, width: int) -> int:
    """N3: a finder-like pattern with four light modules (or the edge) on one side."""
    count = 0
    index = line.find(_FINDER_LIKE)
    while index != -1:
        after = index + 7
        if index in (0, width - 7) or not any(line[max(index - 4, 0) : index]) or not any(line[after : after + 4]):
            count += 40
        else:
            after = index + 4
        index = line.find(_FINDER_LIKE, after)
    return count
