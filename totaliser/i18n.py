"""The reader's language: the theme's words and the locale's way of writing
money, numbers and dates.

Words come from gettext catalogues (``locales/<lang>/LC_MESSAGES/totaliser.po``
in the theme, with a site's own ``locales/`` over them); money, numbers and
dates are written by the CLDR rules, through Babel. A ``Speech`` holds both for
one language and is made once per build and language (``speech``), not once a
number: the catalogues are compiled as they are loaded, and the Babel patterns
parsed once.

Every catalogue a ``Speech`` is made from is read through ``reads``, so that an
output made with it is made again when a translation changes.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.numbers import NumberPattern, format_compact_currency, get_currency_symbol, parse_pattern
from babel.support import NullTranslations, Translations

from . import reads

DOMAIN = "totaliser"
SOURCE_LANGUAGE = "en"  # the language the theme's words are written in (its msgids)
ENGLISH = Locale("en", "GB")


def N_(message: str) -> str:  # noqa: N802 - the usual name, known to the extractor
    """Marks words translated later (at module level, before any language is known)."""
    return message


def theme_locales() -> Path:
    from .render import theme_folder

    return theme_folder("locales")


def catalogue_names(tag: str) -> list[str]:
    """The catalogue folders a language tag may use, most particular first: cy_GB, cy."""
    parts = tag.replace("-", "_").split("_")
    names = ["_".join(parts[:2])] if len(parts) > 1 else []
    names.append(parts[0].lower())
    return names


@lru_cache(maxsize=64)
def catalogue_paths(tag: str, site_dir: Path | None) -> tuple[Path, ...]:
    """Every file a language's words may come from, the theme's first, then the site's
    (worked out once: each output asks)."""
    theme = theme_locales()
    roots = [theme]
    if site_dir is not None and (site_dir / "locales").resolve() != theme.resolve():
        roots.append(site_dir / "locales")
    return tuple(
        root / name / "LC_MESSAGES" / f"{DOMAIN}.po"
        for root in roots for name in reversed(catalogue_names(tag))
        # The theme's words are written in English: its English catalogue
        # translates none of them, and is not read (a site's may change some).
        if not (root is theme and name == SOURCE_LANGUAGE)
    )


def babel_locale(tag: str) -> Locale | None:
    """The CLDR locale of a language tag, or of its language alone; None when CLDR has neither."""
    for name in (tag.replace("-", "_"), tag.replace("-", "_").split("_")[0]):
        try:
            return Locale.parse(name)
        except (UnknownLocaleError, ValueError):
            continue
    return None


def appeal_tag(language: str, site_locale: str) -> str:
    """The locale an appeal in ``language`` is written for: its language in the
    site's region when CLDR knows that (cy on an en-GB site: cy-GB), else the language."""
    parts = site_locale.replace("_", "-").split("-")
    if "-" not in language and len(parts) > 1:
        candidate = f"{language}-{parts[-1]}"
        try:
            Locale.parse(candidate.replace("-", "_"))
            return candidate
        except (UnknownLocaleError, ValueError):
            pass
    return language


def has_words(tag: str, site_dir: Path | None = None) -> bool:
    """Whether the theme (or the site) has words in this language."""
    if catalogue_names(tag)[-1] == SOURCE_LANGUAGE:
        return True
    return any(path.is_file() for path in catalogue_paths(tag, site_dir))


def language_warning(tag: str, site_dir: Path | None = None) -> str | None:
    """What a writer is told about a language the theme cannot speak, or None."""
    if babel_locale(tag) is None:
        return (f'"{tag}" is not a language Totaliser knows (CLDR has no such locale): its words are in English, '
                "its money and dates as en-GB writes them (use a language tag such as cy, pl or ur)")
    if not has_words(tag, site_dir):
        name = catalogue_names(tag)[-1]
        return (f'the theme has no translation for "{tag}": its words are in English, money and dates as {tag} writes '
                f"them (a translation goes in locales/{name}/LC_MESSAGES/{DOMAIN}.po)")
    return None


# Each CLDR plural category, and a number that falls in it in most languages;
# ``Speech.plural_samples`` finds the language's own.
_PLURAL_PROBES = range(0, 1001)


class Speech:
    """The theme's words and the locale's formats for one language."""

    def __init__(self, tag: str, locale: Locale, translations: NullTranslations, known: bool):
        self.tag = tag  # as <html lang>: "cy-GB", "ur"
        self.locale = locale
        self.translations = translations
        self.known = known  # whether the words are translated (else English)
        self.dir = "rtl" if locale.text_direction == "rtl" else "ltr"
        standard = locale.currency_formats["standard"].pattern
        self._money = parse_pattern(standard)
        # Whole amounts are written without decimals, as "£36,000" (not "£36,000.00").
        self._money_whole = parse_pattern(_without_decimals(standard))
        self._percent = locale.percent_formats[None]
        self._decimal = locale.decimal_formats[None]
        self._gettext: Callable[[str], str] = translations.gettext
        self._ngettext: Callable[[str, str, int], str] = translations.ngettext
        # An appeal's amounts are written again on its page, embed, poster,
        # badge, card and listing: each is worked out once (Babel takes some
        # 50 µs an amount).
        self._written: dict[tuple[Decimal, str], str] = {}
        self._percents: dict[int, str] = {}

    def __repr__(self) -> str:
        return f"Speech({self.tag!r})"

    @property
    def og_locale(self) -> str:
        return str(self.locale)

    def gettext(self, message: str) -> str:
        return self._gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._ngettext(singular, plural, count)

    def money(self, amount: Decimal, currency: str) -> str:
        """An amount as the locale writes it: ``£36,000``, ``36.000 €``, ``1 500,50 zł``; decimals only when present."""
        key = (amount, currency)
        found = self._written.get(key)
        if found is None:
            if len(self._written) > 4096:
                self._written.clear()
            whole = amount == amount.to_integral_value()
            pattern: NumberPattern = self._money_whole if whole else self._money
            found = self._written[key] = pattern.apply(amount, self.locale, currency=currency, currency_digits=False)
        return found

    def money_short(self, amount: Decimal, currency: str) -> str:
        """A compact amount for tight spaces, as CLDR shortens it (``£36K``); small ones in full."""
        if amount < 10_000:
            return self.money(amount.quantize(Decimal(1)), currency)
        return self.money_compact(amount, currency)

    def money_compact(self, amount: Decimal, currency: str) -> str:
        """An amount as CLDR shortens it, whatever its size (``£36K``, ``£5K``)."""
        return format_compact_currency(amount, currency, locale=self.locale, fraction_digits=1)

    def number(self, value: int | Decimal) -> str:
        return self._decimal.apply(value, self.locale)

    def percent(self, value: int) -> str:
        """A whole percentage (69 for 69%) as the locale writes it: 69%, 69 %."""
        found = self._percents.get(value)
        if found is None:
            found = self._percents[value] = self._percent.apply(Decimal(value) / 100, self.locale)
        return found

    def date(self, value: datetime.date | None) -> str:
        """A date in full: 14 October 2027, 14. Oktober 2027, 14 Hydref 2027."""
        if value is None:
            return ""
        return _long_date(value, self.locale)

    def short_date(self, value: datetime.date) -> str:
        """A date in a few letters, for a chart's axis: 14 Oct 2027."""
        return format_skeleton("yMMMd", value, locale=self.locale)

    def currency_symbol(self, currency: str) -> str:
        return get_currency_symbol(currency, self.locale)

    @property
    def decimal_sign(self) -> str:
        return self.locale.number_symbols["latn"]["decimal"]

    @property
    def group_sign(self) -> str:
        return self.locale.number_symbols["latn"]["group"]

    def plural_samples(self) -> list[tuple[str, int]]:
        """A number in each of the language's plural categories, as (category, number)."""
        return _plural_samples(self.locale)

    def countdown_words(self) -> list[tuple[str, str]]:
        """What the browser's countdown says (static/js/totaliser.js), for each
        plural category it may meet, with ``#`` where the number of days goes."""
        words = []
        for category, sample in self.plural_samples():
            text = self.ngettext("%(num)s day to go", "%(num)s days to go", sample) % {"num": "#"}
            words.append((category, text))
        return words


@lru_cache(maxsize=64)
def _long_date(value: datetime.date, locale: Locale) -> str:
    return format_date(value, "long", locale=locale)


@lru_cache(maxsize=16)
def _plural_samples(locale: Locale) -> list[tuple[str, int]]:
    found: dict[str, int] = {}
    for number in _PLURAL_PROBES:
        found.setdefault(locale.plural_form(number), number)
    return sorted(found.items())


def _without_decimals(pattern: str) -> str:
    """A CLDR currency pattern with its decimals taken off: "¤#,##0.00" -> "¤#,##0"."""
    out = []
    for part in pattern.split(";"):
        if "." in part:
            before, _, after = part.partition(".")
            after = after.lstrip("0#")
            part = before + after
        out.append(part)
    return ";".join(out)


@dataclass(frozen=True)
class _Key:
    tag: str
    fallback: str
    fingerprints: tuple[bytes, ...]


_made: dict[_Key, Speech] = {}


def speech(tag: str, site_dir: Path | None = None, fallback: str = "en-GB") -> Speech:
    """The words and formats for a language tag, made once per build and
    language. Its catalogues are read through ``reads`` (so an output made
    with them is recorded as depending on them); ``fallback`` is the locale
    whose formats are used when CLDR does not know ``tag``."""
    paths = catalogue_paths(tag, site_dir)
    key = _Key(tag, fallback, tuple(reads.file_fingerprint(path) for path in paths))
    found = _made.get(key)
    if found is None:
        if len(_made) > 64:
            _made.clear()  # a long-running server: only this build's are needed
        found = _made[key] = _make_speech(tag, paths, fallback)
    return found


def _make_speech(tag: str, paths: tuple[Path, ...], fallback: str) -> Speech:
    locale = babel_locale(tag) or babel_locale(fallback) or ENGLISH
    translations: NullTranslations | None = None
    for path in paths:
        if not path.is_file():
            continue
        loaded = compile_catalogue(path)
        if translations is None:
            translations = loaded
        else:
            assert isinstance(translations, Translations)
            translations.merge(loaded)  # the site's words over the theme's
    known = translations is not None or catalogue_names(tag)[-1] == SOURCE_LANGUAGE
    if babel_locale(tag) is None:
        tag, known = locale.language if locale is not ENGLISH else "en", catalogue_names(tag)[-1] == SOURCE_LANGUAGE
    return Speech(tag, locale, translations or NullTranslations(), known)


def compile_catalogue(path: Path) -> Translations:
    """A .po file compiled in memory, as a .mo file would be: its untranslated
    and fuzzy entries left out, so that their English stands."""
    # Imported here: only a site in another language reads a catalogue, and
    # Babel's catalogue modules take some 10 ms of every command to import.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(path, "rb") as file:
        catalog = read_po(file, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@lru_cache(maxsize=1)
def english() -> Speech:
    """British English words and formats, read from no catalogue: for callers
    outside a build (tests, ``check``'s messages) that name no language."""
    return Speech("en-GB", ENGLISH, NullTranslations(), True)


def site_speech(locale: str, site_dir: Path | None, language: str | None = None) -> Speech:
    """The site's speech (``language`` None), or an appeal's in its own language."""
    if language is None:
        return speech(locale, site_dir, locale)
    return speech(appeal_tag(language, locale), site_dir, locale)
