"""QR codes as inline SVG: exactly the codes segno makes, for a fraction of the work.

segno (a maintained, pure-Python encoder) places, masks and scores a code
module by module in Python: about 7 ms a code, still 2 ms with its mask
scoring replaced. Here the per-code work is a handful of calls on whole
strings and big integers instead (about 0.2 ms a code, SVG included):

* the data codewords are packed as one integer and the Reed-Solomon error
  codewords come from a table of the generator polynomial times each byte;
* for each QR version, one list (worked out once) says which message bit
  lands on which module, so interleaving the blocks, placing the bits and
  reading the symbol by rows *and* by columns is a single gather;
* each mask's penalty score is counted with shifts, ANDs and bit counts
  over all rows and columns at once, with the rules exactly as segno's
  ``mask_scores`` applies them.

segno stays the reference: it makes the segments for modes other than
bytes, and tests/test_qr_mask.py compares every module and the SVG with
segno's own output.
"""

from __future__ import annotations

import html
import importlib.util
import sys
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from types import ModuleType
from typing import Any, cast


def _segno_modules() -> tuple[ModuleType, ModuleType]:
    """segno's tables and encoder. Importing segno itself also loads its
    writers, and with them urllib.request, http.client and ssl: 18 ms of a
    rebuild that edits one story, for nothing a code needs. So unless segno
    is loaded already, its two modules are loaded under a bare stand-in for
    the package, taken away again at once: a later ``import segno`` runs the
    package as usual and finds these two modules loaded."""
    if "segno" not in sys.modules:
        spec = importlib.util.find_spec("segno")
        if spec is not None and spec.submodule_search_locations is not None:
            sys.modules["segno"] = importlib.util.module_from_spec(spec)
            try:
                from segno import consts, encoder

                return consts, encoder
            except ImportError:
                pass  # a segno laid out otherwise: loaded whole below
            finally:
                del sys.modules["segno"]
    from segno import consts, encoder

    return consts, encoder


consts, encoder = _segno_modules()

ERROR = "m"
_ERROR_LEVEL = consts.ERROR_LEVEL_M
BORDER = 4  # the quiet zone, in modules
# segno's tables, typed: bits a version holds at our error level, bits of the
# character count for a mode and version range, error correction blocks.
_CAPACITY = {version: cast("dict[int, int]", consts.SYMBOL_CAPACITY[version])[_ERROR_LEVEL] for version in range(1, 41)}
_COUNT_BITS = cast("dict[int, dict[int, int]]", consts.CHAR_COUNT_INDICATOR_LENGTH)
_BLOCKS = cast("dict[int, dict[int, tuple[Any, ...]]]", consts.ECC)
# Light modules after each row and column in the scoring layout: N3 looks four
# modules beyond a pattern, and the ends of a line count as light.
_GAP = 4
# Pad codewords, alternately, once the data ends (ISO/IEC 18004 7.4.10).
_PAD_CODEWORDS = b"\xec\x11" * 1500
# '0'/'1' text as module values.
_TEXT_TO_MODULES = bytes.maketrans(b"01", b"\x00\x01")
_MODULES_TO_TEXT = bytes.maketrans(b"\x00\x01", b"01")
# The modules a template leaves free (2) for the message, as 1; the rest 0.
_FREE_MODULES = bytes.maketrans(b"\x00\x01\x02", b"\x00\x00\x01")


@dataclass(frozen=True)
class Code:
    """A QR code's modules (1 dark, 0 light), row by row, without the quiet zone."""

    version: int
    mask: int
    matrix: tuple[bytes, ...]


def qr_svg(url: str, label: str) -> str:
    """A QR code for ``url`` as an <svg> element with a <title>, sized by its viewBox.

    Error correction "M" survives a crease or a smudge on a printed poster
    while keeping the modules large enough to scan from a shop window.
    """
    code = make_code(url)
    size = len(code.matrix) + 2 * BORDER
    return (
        f'<svg viewBox="0 0 {size} {size}" class="qr-code"><title>{html.escape(label, quote=False)}</title>'
        f'<path fill="#fff" d="M0 0h{size}v{size}h-{size}z"/>'
        f'<path stroke="#000" d="{svg_path(code.matrix)}"/></svg>'
    )


def svg_path(matrix: tuple[bytes, ...]) -> str:
    """Each run of dark modules as a 1-unit-wide stroke along the middle of its row,
    each move relative to the end of the stroke before (as segno writes it)."""
    # Cut after each run (\x03 is no module): each piece is the light modules and
    # row ends (\x02) before a run, then the run; the last may be light only.
    cut = b"\x02".join(matrix).replace(b"\x01\x00", b"\x01\x03\x00").replace(b"\x01\x02", b"\x01\x03\x02")
    runs = cut.split(b"\x03")
    if 1 not in runs[-1]:
        runs.pop()
    if not runs:
        return ""
    first = runs[0]
    length = len(first) - len(first.rstrip(b"\x01"))
    before = first[:-length]
    x = len(before) - before.rfind(b"\x02") - 1
    start = f"M{x + BORDER} {before.count(2) + BORDER}.5h{length}"
    return start + "".join(map(_moves(len(matrix)).__getitem__, runs[1:]))


class _Moves(dict[bytes, str]):
    """The path text for one run, from the light modules and row ends before it.

    The move depends on nothing else: the pen is where the run before ended,
    which the light modules up to the end of its row tell."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.width = width

    def __missing__(self, run: bytes) -> str:
        length = len(run) - len(run.rstrip(b"\x01"))
        before = run[:-length]
        rows_down = before.count(2)
        if rows_down:
            pen_x = self.width - before.find(b"\x02")
            x = len(before) - before.rfind(b"\x02") - 1
            text = f"m{x - pen_x} {rows_down}h{length}"
        else:
            text = f"m{len(before)} 0h{length}"
        if len(self) < 50_000:  # runs repeat; a bound keeps odd inputs from hoarding memory
            self[run] = text
        return text


@lru_cache(maxsize=41)
def _moves(width: int) -> _Moves:
    return _Moves(width)


def make_code(url: str) -> Code:
    """The QR code segno makes for ``url`` (error level M, the best of the eight masks)."""
    mode, count, bits, bit_length = _segment(url)
    version = _version(mode, bit_length)
    symbol = _symbol(version)
    data = _data_codewords(mode, count, bits, bit_length, version)
    message = _with_error_correction(data, symbol)
    text = format(int.from_bytes(message, "big"), f"0{8 * len(message)}b").encode() + b"01"
    placed = int(bytes(symbol.gather(text)), 2)
    mask = best_mask(placed, symbol)
    rows = ((placed ^ symbol.masks[mask]) >> symbol.half) | symbol.format_info[mask]
    modules = format(rows, f"0{symbol.half}b").encode().translate(_TEXT_TO_MODULES)
    stride = symbol.stride
    matrix = tuple(modules[start : start + symbol.width] for start in range(0, symbol.half, stride))
    return Code(version, mask, matrix)


def _segment(url: str) -> tuple[int, int, int, int]:
    """The mode, character count, data bits (as one number) and their count,
    as segno chooses them: bytes (ISO-8859-1, else Shift JIS, else UTF-8),
    unless the data is all digits, alphanumeric or Kanji."""
    data, length, _ = encoder.data_to_bytes(url, None)
    mode = encoder.find_mode(data)
    if mode == consts.MODE_BYTE:
        return mode, length, int.from_bytes(data, "big"), 8 * length
    segment = encoder.make_segment(url, None)
    bits = bytes(segment.bits)
    return segment.mode, segment.char_count, int(bits.translate(_MODULES_TO_TEXT) or b"0", 2), len(bits)


def _version(mode: int, bit_length: int) -> int:
    """The smallest version whose capacity holds the segment with its header."""
    for version in range(1, 41):
        header = 4 + _COUNT_BITS[mode][encoder.version_range(version)]
        if _CAPACITY[version] >= header + bit_length:
            return version
    raise encoder.DataOverflowError("Data too large. No QR Code can handle the provided data")


def _data_codewords(mode: int, count: int, bits: int, bit_length: int, version: int) -> bytes:
    """Mode, count, data, terminator, padding to a whole byte, pad codewords: the
    bit stream segno writes (which, when the terminator ends on a byte
    boundary, pads with a whole zero byte)."""
    capacity = _CAPACITY[version]
    count_length = _COUNT_BITS[mode][encoder.version_range(version)]
    value = (((mode << count_length) | count) << bit_length) | bits
    length = 4 + count_length + bit_length
    terminator = min(capacity - length, consts.TERMINATOR_LENGTH[None])
    length += terminator
    padding = 8 - length % 8
    value <<= terminator + padding
    length += padding
    data = value.to_bytes(length // 8, "big")
    wanted = capacity // 8
    return data[:wanted] + _PAD_CODEWORDS[: max(wanted - len(data), 0)]


def _with_error_correction(data: bytes, symbol: _Symbol) -> bytes:
    """The data codewords followed by each block's error correction codewords."""
    parts = [data]
    start = 0
    for data_length, error_length in symbol.blocks:
        parts.append(_error_codewords(data[start : start + data_length], error_length))
        start += data_length
    return b"".join(parts)


def _error_codewords(block: bytes, count: int) -> bytes:
    """The remainder of the block divided by the generator polynomial, by a shift
    register of ``count`` bytes held in one integer."""
    products = _generator_products(count)
    top = 8 * (count - 1)
    keep = (1 << (8 * count)) - 1
    remainder = 0
    for byte in block:
        remainder = ((remainder << 8) & keep) ^ products[byte ^ (remainder >> top)]
    return remainder.to_bytes(count, "big")


@lru_cache(maxsize=32)
def _generator_products(count: int) -> tuple[int, ...]:
    """The generator polynomial for ``count`` error codewords (without its leading
    term) times each byte value, in GF(256) by segno's log tables."""
    generator = consts.GEN_POLY[count]
    products = [0]
    for factor in range(1, 256):
        log = consts.GALIOS_LOG[factor]
        products.append(int.from_bytes(bytes(consts.GALIOS_EXP[log + g] for g in generator), "big"))
    return tuple(products)


class _Symbol:
    """What one QR version's codes share, worked out once.

    The modules are kept in a "lines" layout: every row, then every column,
    each followed by ``_GAP`` light modules, as the binary digits of one
    integer (the first module the most significant bit). The rows half is the
    symbol; the columns half lets the penalty rules read columns as rows.
    """

    def __init__(self, version: int) -> None:
        width = encoder.calc_matrix_size(version)
        template = encoder.make_matrix(width, width)
        encoder.add_finder_patterns(template, width, width)
        encoder.add_alignment_patterns(template, width, width)
        self.width = width
        self.stride = stride = width + _GAP
        self.half = half = width * stride
        self.blocks = [
            (info.num_data, info.num_total - info.num_data)
            for info in _BLOCKS[version][_ERROR_LEVEL]
            for _ in range(info.num_blocks)
        ]
        message_length = sum(data + errors for data, errors in self.blocks)
        order = _placement_order(template)
        bit_source = _message_bit_sources(self.blocks)
        if len(order) < len(bit_source):  # pragma: no cover - the standard's tables fit
            raise ValueError(f"QR version {version}: {len(order)} data modules for {len(bit_source)} bits")
        light, dark = 8 * message_length, 8 * message_length + 1  # the b"01" after the message
        source = [dark if value == 1 else light for row in template for value in row]
        for index, (i, j) in enumerate(order):
            source[i * width + j] = bit_source[index] if index < len(bit_source) else light  # remainder bits
        self.gather = itemgetter(*_line_sources(source, width, light))
        data = _number(_lines_of(b"".join(template).translate(_FREE_MODULES), width))
        self.masks = [
            _number(_lines_of(bytes(pattern(i, j) for i in range(width) for j in range(width)), width)) & data
            for pattern in encoder.get_data_mask_functions(False)
        ]
        self.format_info = []
        for mask in range(8):
            info = tuple(bytearray(width) for _ in range(width))
            encoder.add_format_info(info, version, _ERROR_LEVEL, mask)
            encoder.add_version_info(info, version)
            self.format_info.append(_number(_lines_of(b"".join(info), width)[:half]))
        gap = bytes(_GAP)
        line = b"\x01" * width + gap
        self.ones = _number(line * 2 * width)
        # Where this module and the next are in one line; the rows half's rows but the last.
        self.pairs = _number((b"\x01" * (width - 1) + bytes(_GAP + 1)) * 2 * width)
        self.upper_rows = _number(line * (width - 1) + bytes(half + stride))
        self.size = width * width


def _lines_of(modules: bytes, width: int) -> bytes:
    """A symbol's modules (one byte each, row after row) in the lines layout."""
    gap = bytes(_GAP)
    rows = [modules[start : start + width] + gap for start in range(0, width * width, width)]
    columns = [modules[column::width] + gap for column in range(width)]
    return b"".join(rows + columns)


def _line_sources(sources: list[int], width: int, gap: int) -> list[int]:
    """``_lines_of`` for a list of where each module comes from."""
    lines: list[int] = []
    for start in range(0, width * width, width):
        lines += sources[start : start + width]
        lines += [gap] * _GAP
    for column in range(width):
        lines += sources[column::width]
        lines += [gap] * _GAP
    return lines


def _number(modules: bytes) -> int:
    """Modules (one byte each, 0 or 1) as the binary digits of a number."""
    return int(modules.translate(_MODULES_TO_TEXT) or b"0", 2)


@lru_cache(maxsize=41)
def _symbol(version: int) -> _Symbol:
    return _Symbol(version)


def _placement_order(template: tuple[bytearray, ...]) -> list[tuple[int, int]]:
    """The free modules in the order the message fills them: two-module wide
    columns from the right, alternately upwards and downwards, skipping the
    vertical timing pattern (ISO/IEC 18004 7.7.3, as segno's ``add_codewords``)."""
    width = len(template)
    order = []
    for right in range(width - 1, 0, -2):
        if right <= 6:
            right -= 1
        upwards = (right & 2) == 0
        for step in range(width):
            for j in (right, right - 1):
                i = width - 1 - step if upwards ^ (j < 6) else step
                if template[i][j] == 0x2:
                    order.append((i, j))
    return order


def _message_bit_sources(blocks: list[tuple[int, int]]) -> list[int]:
    """For each bit of the final message, its index in the data codewords followed by
    the error codewords block after block: the message takes the first codeword
    of every block, then the second, and so on, data before error correction."""
    data_starts, error_starts = [], []
    data_total = sum(data for data, _ in blocks)
    data_at, error_at = 0, data_total
    for data, errors in blocks:
        data_starts.append(data_at)
        error_starts.append(error_at)
        data_at += data
        error_at += errors
    codewords: list[int] = []
    for starts, lengths in ((data_starts, [d for d, _ in blocks]), (error_starts, [e for _, e in blocks])):
        for index in range(max(lengths)):
            codewords.extend(start + index for start, length in zip(starts, lengths, strict=True) if index < length)
    return [8 * codeword + bit for codeword in codewords for bit in range(8)]


def best_mask(placed: int, symbol: _Symbol) -> int:
    """The mask segno would choose: the first with the lowest penalty."""
    scores = [penalty(placed ^ pattern, symbol) for pattern in symbol.masks]
    return scores.index(min(scores))


def penalty(lines: int, symbol: _Symbol) -> int:
    """ISO/IEC 18004 section 7.8.3's penalty score, as segno's ``mask_scores`` counts it,
    for a symbol in the lines layout.

    Shifting left by d puts at each module the one d places later in the
    layout; shifting right, the one d places earlier.
    """
    # N1: each run of 5 + i modules of one colour scores 3 + i: (i + 1) windows
    # of five equal modules, three points each, less two for each of the i
    # windows of six.
    equal_next = ~(lines ^ (lines << 1)) & symbol.pairs
    three_equal = equal_next & (equal_next << 1)
    five_equal = three_equal & (three_equal << 2)
    six_equal = five_equal & (five_equal << 1)
    score = 3 * five_equal.bit_count() - 2 * six_equal.bit_count()
    # N2: each 2x2 block of one colour, in the rows half.
    stride = symbol.stride
    blocks = equal_next & (equal_next << stride) & ~(lines ^ (lines << stride)) & symbol.upper_rows
    score += 3 * blocks.bit_count()
    # N3: dark, light, dark, dark, dark, light, dark with four light modules
    # (or the line's end) before or after it.
    light = lines ^ symbol.ones
    dark_three = lines & (lines << 1) & (lines << 2)
    finder_like = lines & (light << 1) & (dark_three << 2) & (light << 5) & (lines << 6)
    if finder_like:
        dark_in_four = lines | (lines >> 1)
        dark_in_four |= dark_in_four >> 2
        counted = finder_like & ~((dark_in_four >> 1) & (dark_in_four << 10))
        score += 40 * _counted_after_skips(counted).bit_count()
    # N4: the proportion of dark modules (each is in one row and one column).
    dark = lines.bit_count() >> 1
    score += 10 * int(abs(float(dark) / symbol.size * 100 - 50) / 5)
    return score


def _counted_after_skips(qualifying: int) -> int:
    """segno searches on 7 modules after a pattern it counted, so of a pattern that
    starts 4 or 6 modules after a counted one (they overlap), it never knows."""
    counted = qualifying
    while True:
        following = qualifying & ~((counted >> 4) | (counted >> 6))
        if following == counted:
            return counted
        counted = following
