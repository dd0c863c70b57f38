"""QR codes as inline SVG, drawn by segno (a maintained, pure-Python encoder)."""

from __future__ import annotations

import segno


def qr_svg(url: str, label: str) -> str:
    """A QR code for ``url`` as an <svg> element with a <title>, sized by its viewBox.

    Error correction "M" survives a crease or a smudge on a printed poster
    while keeping the modules large enough to scan from a shop window.
    """
    code = segno.make(url, error="m", micro=False, boost_error=False)
    return code.svg_inline(scale=1, border=4, dark="#000000", light="#ffffff", omitsize=True, svgclass="qr-code", lineclass=None, title=label)
