"""Totaliser: a static site generator for children's fundraising appeals."""

__version__ = "0.1.0"
