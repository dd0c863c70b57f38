"""Amounts of money: parsing what people write, exact sums, and display.

Everything here is pure and exact: amounts are ``Decimal`` from the moment they
are read, so a total or a percentage shown to a reader never carries binary
floating-point error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

AMOUNT_HELP = 'use a number such as 36000 or "£36,000"'

# The largest amount accepted: far beyond any appeal, small enough to print.
MAX_AMOUNT = Decimal("1000000000000")

CURRENCY_SYMBOLS = {
    "GBP": "£",
    "EUR": "€",
    "USD": "$",
    "AUD": "A$",
    "CAD": "C$",
    "NZD": "NZ$",
    "IEP": "£",
    "JPY": "¥",
    "INR": "₹",
    "PLN": "zł",
}

# Symbols a writer may put before (or after) an amount, longest first, and
# the currencies each may stand for: "$" is any dollar, "A$" only Australia's.
_SYMBOL_CURRENCIES = {
    "NZ$": {"NZD"}, "US$": {"USD"}, "A$": {"AUD"}, "C$": {"CAD"}, "zł": {"PLN"},
    "£": {"GBP", "IEP", "GIP", "FKP", "SHP", "EGP"},
    "$": {"USD", "AUD", "CAD", "NZD", "HKD", "SGD", "MXN", "TTD", "JMD", "BBD", "BSD", "FJD"},
    "€": {"EUR"}, "¥": {"JPY", "CNY"}, "₹": {"INR"},
}
_SYMBOLS = tuple(_SYMBOL_CURRENCIES)
# An ISO 4217 code written before or after the number: "EUR 25,000", "25,000 GBP".
_CODE_BEFORE = re.compile(r"^([A-Za-z]{3})(?=[\s0-9])\s*")
_CODE_AFTER = re.compile(r"(?<=[\s0-9])\s*([A-Za-z]{3})$")
# ASCII digits only: "\d" would also take Arabic-Indic or full-width digits.
# Any number of decimals is matched so that "1.234" gets the decimals message.
_AMOUNT_PATTERN = re.compile(
    r"""^(?P<digits>[0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.(?P<fraction>[0-9]+))?$"""
)

# "5k" and "1.5m", as headlines write money: said back in full.
_SHORTHAND = re.compile(r"^(?P<number>[0-9]+(\.[0-9]+)?)\s*(?P<unit>[kKmM])$")
_SHORTHAND_TIMES = {"k": Decimal(1000), "m": Decimal(1000000)}


class AmountError(ValueError):
    """A value that is not an amount of money; the message says why."""


def parse_amount(value: object, currency: str | None = None, locale: str | None = None) -> Decimal:
    """Read an amount as written in front matter.

    Accepts a YAML number or a string such as ``"36,000"``, ``"£36,000"``,
    ``"EUR 36,000"`` or ``"36000.50"``. Rejects booleans, negative numbers,
    words, and more than two decimal places; with ``currency``, also a symbol
    or code of another currency ("€25,000" for a GBP appeal is not £25,000).
    With ``locale``, an amount written as that locale writes them is accepted
    too ("36.000,50 €" in de-DE); a reading with more than two decimals is
    not money ("36.000" there is 36000). The error message says what is allowed.
    """
    if isinstance(value, bool) or value is None:
        raise AmountError(f"is not an amount ({AMOUNT_HELP})")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise AmountError(f"is not an amount ({AMOUNT_HELP})")
        # repr gives the shortest text that reads back as the same float,
        # which is what the writer typed (36000.5, not 36000.499999...).
        amount = Decimal(repr(value))
    elif isinstance(value, str):
        amount = _parse_amount_text(value, currency, locale)
    else:
        raise AmountError(f"is not an amount ({AMOUNT_HELP})")
    if amount < 0:
        raise AmountError("is below zero (an amount must be 0 or more)")
    if amount > MAX_AMOUNT:
        raise AmountError("is too large to be an amount of money")
    if amount != amount.quantize(Decimal("0.01")):
        raise AmountError(f"has more than two decimal places ({AMOUNT_HELP})")
    return _normalise(amount)


def _parse_amount_text(text: str, currency: str | None, locale: str | None = None) -> Decimal:
    cleaned, written = _without_currency(text.strip(), currency, locale)
    if written is not None and currency is not None and not _stands_for(written, currency):
        raise AmountError(
            f"is written in {written}, but the appeal's currency is {currency} "
            f"(write the amount in {currency}, e.g. {_example(currency)})"
        )
    if cleaned.startswith("-"):
        raise AmountError("is below zero (an amount must be 0 or more)")
    short = _SHORTHAND.match(cleaned)
    if short:
        full = Decimal(short["number"]) * _SHORTHAND_TIMES[short["unit"].lower()]
        raise AmountError(f"is not an amount (write it in full: {_plain(full)})")
    signs = _locale_signs(locale)
    match = _AMOUNT_PATTERN.match(cleaned)
    english = Decimal(cleaned.replace(",", "")) if match else None
    if signs is None or locale is None:
        if english is None:
            raise AmountError(f"is not an amount ({AMOUNT_HELP})")
        return english
    # The locale's own way: "36.000,50" in de-DE, "36 000,50" in pl-PL.
    group, decimal = signs
    local = _locale_reading(cleaned, group, decimal)
    # Money has two decimals at most: "36,000" read as 36.000 in de-DE, or
    # "36.000" read as 36.000 in English, is not what the editor meant. The
    # SPEC's own forms ("36,000", "£36,000") so mean 36000 on any site. With
    # such readings set aside, no text reads as two amounts in any CLDR
    # locale's signs (tried on every string of up to six of their characters).
    if english is not None and local is not None:
        if _decimals(cleaned, ".") > 2:
            english = None
        elif _decimals(cleaned, decimal) > 2:
            local = None
    found = english if english is not None else local
    if found is None:
        raise AmountError(f"is not an amount (use a number such as 36000 or {_locale_example(locale, currency)})")
    return found


def _decimals(text: str, decimal: str) -> int:
    """How many digits follow the decimal sign, as ``decimal`` reads ``text``."""
    whole, sign, fraction = text.rpartition(decimal)
    return len(fraction) if sign and whole else 0


def _locale_example(locale: str, currency: str | None) -> str:
    """36000 as the locale writes it, with its decimals: "36.000,00 €" in de-DE."""
    from babel.numbers import format_currency, format_decimal

    tag = locale.replace("-", "_")
    if currency is None:
        return f'"{format_decimal(Decimal("36000"), format="#,##0.00", locale=tag)}"'
    return f'"{format_currency(Decimal("36000"), currency, locale=tag)}"'


def _plain(amount: Decimal) -> str:
    return f"{_normalise(amount):f}"


@lru_cache(maxsize=32)
def _locale_signs(locale: str | None) -> tuple[str, str] | None:
    """The locale's group and decimal signs, when they are not English's
    ("," and "."): None for en-GB and the like (and a locale CLDR does not know)."""
    if locale is None:
        return None
    from babel import Locale, UnknownLocaleError

    try:
        cldr = Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None
    symbols = cldr.number_symbols["latn"]
    group, decimal = symbols["group"], symbols["decimal"]
    if (group, decimal) == (",", "."):
        return None
    return group, decimal


_SPACES = "\u00a0\u202f\u2009 "


def _locale_reading(text: str, group: str, decimal: str) -> Decimal | None:
    """The amount as a locale writes it (group and decimal signs its own), or None."""
    if group in _SPACES:
        text = "".join(" " if ch in _SPACES else ch for ch in text)
        group = " "
    whole, sign, fraction = text.partition(decimal)
    if sign and not (fraction.isdigit() and fraction.isascii()):
        return None
    if not re.fullmatch(rf"[0-9]{{1,3}}({re.escape(group)}[0-9]{{3}})+|[0-9]+", whole):
        return None
    try:
        return Decimal(whole.replace(group, "") + ("." + fraction if fraction else ""))
    except InvalidOperation:  # pragma: no cover - the pattern already guards this
        return None


def _without_currency(text: str, currency: str | None = None, locale: str | None = None) -> tuple[str, str | None]:
    """The number, and the symbol or code it was written with (None when bare)."""
    for symbol in _SYMBOLS:
        if text.startswith(symbol):
            return text[len(symbol):].strip(), symbol
        if text.endswith(symbol):
            return text[: -len(symbol)].strip(), symbol
    for pattern in (_CODE_BEFORE, _CODE_AFTER):
        match = pattern.search(text)
        if match:
            return (text[: match.start()] + text[match.end():]).strip(), match.group(1).upper()
    return text, None


def _stands_for(written: str, currency: str) -> bool:
    if written in _SYMBOL_CURRENCIES:
        return currency in _SYMBOL_CURRENCIES[written]
    return written == currency


def _example(currency: str) -> str:
    symbol = CURRENCY_SYMBOLS.get(currency)
    if symbol is None or currency == "PLN":
        return "25000"
    return f'"{symbol}25,000" or 25000'


def total(amounts: Iterable[Decimal]) -> Decimal:
    """An exact sum, written plainly: 0.5 + 0.5 is 1, not 1.0."""
    return _normalise(sum(amounts, Decimal(0)))


def _normalise(amount: Decimal) -> Decimal:
    """Drop meaningless zeros: 36000.00 becomes 36000, 36000.50 becomes 36000.5."""
    if amount == 0:
        return Decimal(0)  # never "-0" (from -0.0 in YAML)
    if amount == amount.to_integral_value():
        return amount.quantize(Decimal(1))
    return amount.normalize()


def percent(raised: Decimal, target: Decimal) -> int:
    """The whole percentage raised, rounded down.

    Rounding down means a reader never sees 100% before the target is met.
    Above the target the real figure is returned (117), not capped.
    """
    if target <= 0:
        return 0
    return int((raised * 100) // target)


def format_money(amount: Decimal, currency: str) -> str:
    """Display an amount: ``£36,000`` or ``£1,500.50``; pence only when present."""
    symbol = CURRENCY_SYMBOLS.get(currency)
    whole = amount == amount.to_integral_value()
    number = f"{int(amount):,}" if whole else f"{amount.quantize(Decimal('0.01')):,.2f}"
    if symbol is None:
        return f"{currency} {number}"
    if currency == "PLN":
        return f"{number} {symbol}"
    return f"{symbol}{number}"


def format_money_short(amount: Decimal, currency: str) -> str:
    """A compact amount for tight spaces: ``£36k``, ``£1.2m``, ``£950``."""
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    whole = int(amount)
    if whole >= 1_000_000:
        value = (Decimal(whole) / 1_000_000).quantize(Decimal("0.1"))
        text = f"{value.normalize():f}m"
    elif whole >= 10_000:
        text = f"{whole // 1000}k"
    else:
        return format_money(amount, currency)
    return f"{symbol}{text}"


def json_number(amount: Decimal) -> int | float:
    """An amount as a JSON number: an integer when whole, else a decimal."""
    if amount == amount.to_integral_value():
        return int(amount)
    # Amounts have at most two decimal places, which a float holds exactly
    # enough for its shortest repr to be the same digits.
    return float(amount)
