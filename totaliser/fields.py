"""Checks for single front-matter values, shared by site.yaml and content files.

Each checker takes the raw YAML value and returns the cleaned value, or raises
``FieldError`` with a message that says what is allowed. The caller adds the
file, line and field name.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import urlsplit

from .money import AmountError, parse_amount


class FieldError(ValueError):
    """A value that breaks its field's rule; the message says what is allowed."""


def quote(value: object) -> str:
    """A value as it appears in an error message: strings in double quotes."""
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        escaped = shown.replace("\\", "\\\\").replace('"', '\\"')
        escaped = "".join(
            ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped
        )
        return f'"{escaped}"'
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal, datetime.date)):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of fields"
    return type(value).__name__


def text(value: object, what: str = "text") -> str:
    """Non-empty text. Numbers are refused so that "007" is never read as 7."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped:
            return stripped
        raise FieldError(f"{quote(value)} is empty (write the {what})")
    if value is None:
        raise FieldError(f"is empty (write the {what})")
    raise FieldError(f"{quote(value)} is not text (write the {what}; put it in quotes if needed)")


def optional_text(value: object, what: str = "text") -> str | None:
    if value is None:
        return None
    return text(value, what)


def amount(value: object, currency: str | None = None, locale: str | None = None) -> Decimal:
    """An amount; with ``currency``, one not written in another currency; with
    ``locale``, also as that locale writes amounts ("36.000,50 €" in de-DE)."""
    try:
        return parse_amount(value, currency, locale)
    except AmountError as exc:
        raise FieldError(f"{quote(value)} {exc}") from None


def iso_date(value: object) -> datetime.date:
    """A date written as YYYY-MM-DD (YAML reads these as dates already)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise FieldError(f"{quote(value)} is not a date (use YYYY-MM-DD, e.g. 2026-05-01)")


def web_url(value: object) -> str:
    """An absolute http or https address."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError(
            f"{quote(value)} is not a web address (use a link starting with https://)"
        )
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise FieldError(
            f"{quote(value)} is not a web address (use a link starting with https:// or http://)"
        )
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise FieldError(f"{quote(value)} has spaces or control characters in it")
    return url


def currency_code(value: object) -> str:
    if isinstance(value, str) and len(value.strip()) == 3 and value.strip().isalpha() and value.strip().isascii():
        return value.strip().upper()
    raise FieldError(
        f"{quote(value)} is not a currency code (use a three-letter ISO 4217 code such as GBP)"
    )


def text_list(value: object, what: str) -> list[str]:
    """A list of text, or a single text that becomes a list of one."""
    if isinstance(value, str):
        return [text(value, what)]
    if not isinstance(value, list):
        raise FieldError(f"{quote(value)} is not a list (write one {what} per line, each after a dash)")
    return [text(item, what) for item in value]
