"""Checks for single front-matter values, shared by site.yaml and content files.

Each checker takes the raw YAML value and returns the cleaned value, or raises
``FieldError`` with a message that says what is allowed. The caller adds the
file, line and field name.
"""

from __future__ import annotations

import datetime
import re
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
        written_as_in_letters = _day_month_year(value.strip())
        if written_as_in_letters is not None:
            iso = written_as_in_letters.isoformat()
            raise FieldError(
                f"{quote(value)} is not a date as Totaliser reads them (use YYYY-MM-DD: "
                f"for {written_as_in_letters.day} {_MONTHS[written_as_in_letters.month - 1]} "
                f"{written_as_in_letters.year} write {iso})"
            )
    raise FieldError(f"{quote(value)} is not a date (use YYYY-MM-DD, e.g. 2026-05-01)")


_DAY_MONTH_YEAR = re.compile(r"^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})$")
_YEAR_MONTH_DAY = re.compile(r"^([0-9]{4})[/.]([0-9]{1,2})[/.]([0-9]{1,2})$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def _day_month_year(text: str) -> datetime.date | None:
    """A date written day first, as in a British letter (12/03/2026), month
    first when the day could not be a month (03/25/2026), or year first with
    slashes (2026/03/12)."""
    found = _DAY_MONTH_YEAR.match(text)
    if found:
        first, second, year = map(int, found.groups())
        day, month = (second, first) if first <= 12 < second else (first, second)
    else:
        found = _YEAR_MONTH_DAY.match(text)
        if not found:
            return None
        year, month, day = map(int, found.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


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
