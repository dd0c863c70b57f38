"""Colours from site.yaml, and the WCAG contrast they must have where they are used.

Pure: no files, no settings. The ratios are WCAG 2.2's (relative luminance of
sRGB colours); AA asks 4.5:1 for body text.
"""

from __future__ import annotations

import re

WHITE = "#ffffff"
PAPER = "#f7f5f2"  # the pages' background, the palest a link sits on
AA_TEXT = 4.5

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def parse_colour(value: object) -> str | None:
    """"#b00d27", "b00d27" or "#b02" as "#b00d27"; None for anything else."""
    if not isinstance(value, str):
        return None
    match = _HEX.fullmatch(value.strip())
    if not match:
        return None
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return "#" + digits


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def darker(colour: str, amount: float = 0.2) -> str:
    """The colour mixed with black: for a button's hover state."""
    red, green, blue = (round(int(colour[i : i + 2], 16) * (1 - amount)) for i in (1, 3, 5))
    return f"#{red:02x}{green:02x}{blue:02x}"
