"""QR codes as inline SVG, drawn by segno (a maintained, pure-Python encoder).

segno picks the data mask by drawing all eight masks and scoring each
module by module in Python: 10 ms of the 12 ms a code took. ``best_mask``
makes the same choice, by the same scores, on whole rows at once, and the
chosen mask is applied the same way; the SVG path is written here as
segno writes it. Every code is exactly the one segno would make on its own
(tests/test_qr_mask.py checks the modules and the SVG).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

import segno
from segno import consts, encoder

ERROR = "m"
# Runs of five or more modules of one colour (the N1 penalty).
_RUN = re.compile(rb"\x00{5,}|\x01{5,}")
# A run of dark modules in a row, drawn as one stroke of the SVG path.
_DARK_RUN = re.compile(rb"\x01+")
BORDER = 4  # the quiet zone, in modules
# Dark, light, dark, dark, dark, light, dark (the N3 penalty).
_FINDER_LIKE = bytes((1, 0, 1, 1, 1, 0, 1))


def qr_svg(url: str, label: str) -> str:
    """A QR code for ``url`` as an <svg> element with a <title>, sized by its viewBox.

    Error correction "M" survives a crease or a smudge on a printed poster
    while keeping the modules large enough to scan from a shop window.
    """
    code = make_code(url)
    size = len(code.matrix) + 2 * BORDER
    return (
        f'<svg viewBox="0 0 {size} {size}" class="qr-code"><title>{escape(label)}</title>'
        f'<path fill="#fff" d="M0 0h{size}v{size}h-{size}z"/>'
        f'<path stroke="#000" d="{svg_path(code.matrix)}"/></svg>'
    )


def svg_path(matrix: tuple[bytes, ...]) -> str:
    """Each run of dark modules as a 1-unit-wide stroke along the middle of its row,
    each move relative to the end of the stroke before."""
    parts: list[str] = []
    pen_x = pen_y = 0
    for y, row in enumerate(matrix, start=BORDER):
        for run in _DARK_RUN.finditer(row):
            x = run.start() + BORDER
            length = run.end() - run.start()
            if parts:
                parts.append(f"m{x - pen_x} {y - pen_y}h{length}")
            else:
                parts.append(f"M{x} {y}.5h{length}")
            pen_x, pen_y = x + length, y
    return "".join(parts)


@dataclass(frozen=True)
class Code:
    """A QR code's modules (1 dark, 0 light), row by row, without the quiet zone."""

    version: int
    mask: int
    matrix: tuple[bytes, ...]


def make_code(url: str) -> Code:
    """The QR code segno makes for ``url``, its mask chosen by ``best_mask``."""
    first = segno.make(url, error=ERROR, micro=False, boost_error=False, mask=0)
    layout = _layout(len(first.matrix))
    placed = _placed(first, layout)
    mask = best_mask(placed, layout)
    masked = (placed ^ layout.masks[mask]).to_bytes(layout.size, "big")
    rows = tuple(bytearray(masked[start : start + layout.width]) for start in range(0, layout.size, layout.width))
    version = int(first.version)
    encoder.add_format_info(rows, version, consts.ERROR_LEVEL_M, mask)
    encoder.add_version_info(rows, version)
    return Code(version, mask, tuple(bytes(row) for row in rows))


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


def _placed(code: segno.QRCode, layout: _Layout) -> int:
    """The modules as segno scores them: the data as placed before masking, with the
    function patterns and blank format and version areas."""
    drawn = _as_int(b"".join(code.matrix))
    return ((drawn ^ layout.masks[code.mask]) & layout.data) | layout.fixed


def best_mask(placed: int, layout: _Layout) -> int:
    """The mask segno would choose: the first with the lowest penalty."""
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
    # Every row and every column, one after the other, kept apart by a byte
    # that is neither dark nor light so that no run or pattern crosses lines.
    lines = b"\x02".join([
        *(modules[start : start + width] for start in range(0, size, width)),
        *(modules[column::width] for column in range(width)),
    ])
    score = sum(len(run) - 2 for run in _RUN.findall(lines))  # N1
    score += _finder_like(lines, width)  # N3
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


def _finder_like(lines: bytes, width: int) -> int:
    """N3: a finder-like pattern with four light modules (or the line's end) on one
    side, in lines of ``width`` modules joined by one separator byte."""
    stride = width + 1
    count = 0
    found = lines.find(_FINDER_LIKE)
    while found != -1:
        start = found - found % stride
        line = lines[start : start + width]
        index = found - start
        after = index + 7
        if index in (0, width - 7) or not any(line[max(index - 4, 0) : index]) or not any(line[after : after + 4]):
            count += 40
        else:
            after = index + 4
        found = lines.find(_FINDER_LIKE, start + after)
    return count
