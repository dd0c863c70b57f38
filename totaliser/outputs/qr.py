"""QR codes as inline SVG, made by segno (a maintained, pure-Python encoder)
through its public API.

Error correction "M" survives a crease or a smudge on a printed poster while
keeping the modules large enough to scan from a shop window. The mask is
fixed rather than chosen by scoring all eight: every mask is valid to a
reader, and scoring them is two thirds of segno's time per code.
"""

from __future__ import annotations

ERROR = "m"
MASK = 0
BORDER = 4  # the quiet zone, in modules


def qr_svg(url: str, label: str) -> str:
    """A QR code for ``url`` as an <svg> element with a <title>, sized by its viewBox."""
    import segno  # only when a poster is made: a quicker start for other rebuilds

    code = segno.make(url, error=ERROR, mask=MASK, micro=False, boost_error=False)
    return code.svg_inline(border=BORDER, omitsize=True, svgclass="qr-code", lineclass=None, title=label, light="#fff")
