"""Listings by hospital, condition, place and tag: which appeals share a name (pure).

Editors type the same hospital many ways: "Southampton Children's Hospital",
"southampton children’s hospital", "Southampton  Children's Hospital".
Names that differ only in case, spacing, accents or the kind of apostrophe
are one *term*, shown with its most common spelling. Each term has a slug
made from that spelling as ``new`` makes a story's; two terms whose slugs
would be the same get ``-2``, ``-3`` in the order of their names, so that
neither overwrites the other. Names that look alike but are not one term
("Childrens" and "Children's") are for ``check`` to warn about
(``near_duplicates``).
"""

from __future__ import annotations

import datetime
import difflib
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from .slugs import slugify, to_ascii

if TYPE_CHECKING:
    from .content import Appeal

# The kinds of listing, by the folder they are published in, and the field
# of an appeal each is made from.
KINDS: tuple[str, ...] = ("hospitals", "conditions", "places", "tags")
FIELDS = {"hospitals": "hospital", "conditions": "condition", "places": "location", "tags": "tags"}

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "–": "-", "—": "-", "‐": "-"})
_NOT_WORD = re.compile(r"[\W_]+")
# Names whose plain letters are this much alike are probably one name typed two ways.
NEAR = 0.92


@lru_cache(maxsize=8192)  # a site of 10,000 appeals names a few hundred places, each thousands of times
def term_key(name: str) -> str:
    """What makes two names one term: case, spacing, accents and the kind
    of apostrophe or dash do not count."""
    if name.isascii():
        return " ".join(name.replace("`", "'").lower().split())
    text = unicodedata.normalize("NFKD", name.translate(_APOSTROPHES))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.casefold().split())


def loose_key(name: str) -> str:
    """A name's letters and digits alone: "Childrens" and "Children's" meet here."""
    return _NOT_WORD.sub("", to_ascii(term_key(name)))


def names_of(appeal: Appeal, kind: str) -> list[str]:
    """The names an appeal is listed under in ``kind``, each once."""
    value = getattr(appeal, FIELDS[kind])
    names = value if isinstance(value, list) else [value] if value else []
    seen: dict[str, str] = {}
    for name in names:
        name = " ".join(str(name).split())
        if name:
            seen.setdefault(term_key(name), name)
    return list(seen.values())


Listed = tuple[tuple[str, str, str], ...]  # (kind, term key, name as written), each listing an appeal is in


def listed_names(appeal: Appeal) -> Listed:
    """Every listing an appeal is in, worked out once when its story is read
    (and kept with it in the cache): a build groups 10,000 appeals into
    listings without normalising a name again."""
    return tuple((kind, term_key(name), name) for kind in KINDS for name in names_of(appeal, kind))


class Counted(Protocol):
    """What the listings read of an appeal, to order, group and count it (an
    ``Appeal``, or its ``site_values.AppealFacts``)."""

    @property
    def slug(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def deadline(self) -> datetime.date | None: ...
    @property
    def last_changed(self) -> datetime.date: ...
    @property
    def still_needed(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...
    @property
    def raised(self) -> Decimal: ...
    @property
    def target(self) -> Decimal: ...
    @property
    def gift_aid(self) -> Decimal | None: ...
    @property
    def listed(self) -> Listed: ...


@dataclass(frozen=True)
class Term:
    kind: str
    slug: str
    name: str  # the spelling shown: the most common one
    key: str
    appeals: tuple[str, ...]  # slugs, in the home page's order
    figures: TermFigures

    @property
    def url_path(self) -> str:
        return f"{self.kind}/{self.slug}/"


@dataclass(frozen=True)
class Spelling:
    """One way a name is written, and the appeals (by slug) that write it so."""

    name: str
    slugs: tuple[str, ...]


class Named(Protocol):
    """What ``near_duplicates`` reads of an appeal (an ``Appeal``, or its ``site_values.AppealFacts``)."""

    @property
    def slug(self) -> str: ...
    @property
    def listed(self) -> Listed: ...


def index_terms(ordered: Sequence[Counted]) -> dict[str, list[Term]]:
    """Every term of every kind among appeals given in the home page's order,
    with its figures (``Appeal.listed`` says which terms each is in)."""
    members: dict[tuple[str, str], list[FigureRow]] = {}
    spellings: dict[tuple[str, str], dict[str, int]] = {}
    for appeal in ordered:
        row = figure_row(appeal)
        for kind, key, name in appeal.listed:
            term = (kind, key)
            found = members.get(term)
            if found is None:
                found = members[term] = []
                spellings[term] = {}
            found.append(row)
            counts = spellings[term]
            counts[name] = counts.get(name, 0) + 1
    by_kind: dict[str, list[Term]] = {kind: [] for kind in KINDS}
    for kind in KINDS:
        keys = sorted((key for kind_, key in members if kind_ == kind), key=lambda key: (to_ascii(key), key))
        shown = {key: _most_common(spellings[(kind, key)]) for key in keys}
        slugs = unique_slugs([(key, plain_slug(kind, shown[key])) for key in keys])
        by_kind[kind] = [
            Term(kind, slugs[key], shown[key], key, tuple(row[5] for row in members[(kind, key)]), figures_of(members[(kind, key)]))
            for key in keys
        ]
    return by_kind


def _most_common(counts: dict[str, int]) -> str:
    return min(counts, key=lambda name: (-counts[name], name))


def plain_slug(kind: str, name: str) -> str:
    """A listing's slug as one name of it makes it (``unique_slugs`` then
    tells apart two listings given one). Made from a term's key, it is
    nearly every listing's slug: a site's value names the few it is not."""
    return slugify(name) or kind[:-1]


def unique_slugs(wanted: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A slug for each key: the wanted one, or with -2, -3 when taken (in the order given)."""
    taken: set[str] = set()
    found: dict[str, str] = {}
    for key, slug in wanted:
        candidate, number = slug, 1
        while candidate in taken:
            number += 1
            candidate = f"{slug}-{number}"
        taken.add(candidate)
        found[key] = candidate
    return found


def near_duplicates(appeals: Sequence[Named]) -> dict[str, list[tuple[Spelling, Spelling]]]:
    """For each kind, pairs of names that are not one term but are probably
    meant to be: the same letters with other punctuation, or nearly the same
    letters. Each with the appeals that write it."""
    keys: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for appeal in appeals:  # one pass over the appeals for every kind
        for kind, key, _ in appeal.listed:
            keys[kind].add(key)
    near = {kind: _near_keys(keys[kind]) for kind in KINDS}
    if not any(near.values()):
        return {kind: [] for kind in KINDS}  # the usual case: no file need be named
    wanted = {(kind, key) for kind, pairs in near.items() for pair in pairs for key in pair}
    writers: dict[tuple[str, str], dict[str, list[str]]] = {}
    for appeal in appeals:
        for kind, key, name in appeal.listed:
            if (kind, key) in wanted:
                writers.setdefault((kind, key), {}).setdefault(name, []).append(appeal.slug)

    def spelling(kind: str, key: str) -> Spelling:
        by_name = writers[(kind, key)]
        name = min(by_name, key=lambda n: (-len(by_name[n]), n))
        return Spelling(name, tuple(sorted({slug for slugs in by_name.values() for slug in slugs})))

    return {kind: [(spelling(kind, first), spelling(kind, second)) for first, second in pairs] for kind, pairs in near.items()}


def _near_keys(keys: set[str]) -> list[tuple[str, str]]:
    """Pairs of term keys that are probably one name typed two ways."""
    loose = {key: loose_key(key) for key in keys}
    digits = {key: _digits(loose[key]) for key in keys}
    # Only names within two letters of each other's length can be near: each
    # is compared with those, not with every other (a site may have thousands of tags).
    ordered = sorted(keys, key=lambda key: (len(loose[key]), key))
    pairs: list[tuple[str, str]] = []
    for index, first in enumerate(ordered):
        a = loose[first]
        matcher = difflib.SequenceMatcher(None, "", a, autojunk=False)  # a as the second: its index is made once
        for second in ordered[index + 1 :]:
            b = loose[second]
            if len(b) - len(a) > 2:
                break
            if a != b:
                if min(len(a), len(b)) < 6 or digits[first] != digits[second]:
                    continue  # short names, and "Type 1" and "Type 2", are told apart by a letter
                matcher.set_seq1(b)
                if matcher.real_quick_ratio() < NEAR or matcher.quick_ratio() < NEAR or matcher.ratio() < NEAR:
                    continue
            pairs.append((first, second))
    return pairs


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


@dataclass(frozen=True)
class Raised:
    """Money raised and aimed for, in one currency."""

    currency: str
    raised: Decimal
    target: Decimal


@dataclass(frozen=True)
class TermSummary:
    """A term as its kind's index page shows it."""

    slug: str
    name: str
    appeals: int
    open: int
    raised: tuple[Raised, ...]


@dataclass(frozen=True)
class OpenAppeals:
    """A term's open appeals, as its embed and badge show them."""

    name: str
    count: int
    first: tuple[str, ...]  # the first few, in the home page's order
    raised: tuple[Raised, ...]


@dataclass(frozen=True)
class TermFigures:
    """A term's counts and money, summed once a build."""

    appeals: int
    open: int
    funded: int
    closed: int
    raised: tuple[Raised, ...]  # every appeal's
    open_raised: tuple[Raised, ...]  # the open appeals'
    gift_aid: tuple[tuple[str, Decimal], ...]  # by currency
    first_open: tuple[str, ...]  # the first few open appeals, in the home page's order


FIRST_OPEN = 3  # the open appeals a listing's embed names


# What the figures read of an appeal, once however many listings it is in:
# (status, currency, raised, target, Gift Aid, slug).
FigureRow = tuple[str, str, Decimal, Decimal, Decimal, str]
_ZERO = Decimal(0)


def figure_row(appeal: Counted) -> FigureRow:
    # The currency interned: a value's fingerprint is its pickle, which
    # writes one object met twice as a reference. A code shared by every
    # appeal freshly read, and not by those from the cache, would change it.
    return (appeal.status, sys.intern(appeal.currency), appeal.raised, appeal.target, appeal.gift_aid or _ZERO, appeal.slug)


def figures_of(rows: Sequence[FigureRow]) -> TermFigures:
    """The counts and money of appeals given in the home page's order.

    Column by column, each summed in one pass (money is summed exactly, so
    the order of the additions does not matter): at 10,000 appeals a build
    sums some 40,000 listing memberships."""
    statuses = [row[0] for row in rows]
    opened = [row for row in rows if row[0] == "open"]
    by_currency = _by_currency(rows)
    return TermFigures(
        appeals=len(rows),
        open=len(opened),
        funded=statuses.count("funded"),
        closed=statuses.count("closed"),
        raised=tuple(Raised(currency, _sum(part, 2), _sum(part, 3)) for currency, part in by_currency),
        open_raised=tuple(Raised(currency, _sum(part, 2), _sum(part, 3)) for currency, part in _by_currency(opened)),
        gift_aid=tuple((currency, _sum(part, 4)) for currency, part in by_currency),
        first_open=tuple(row[5] for row in opened[:FIRST_OPEN]),
    )


def _by_currency(rows: Sequence[FigureRow]) -> list[tuple[str, Sequence[FigureRow]]]:
    currencies = sorted({row[1] for row in rows})
    if len(currencies) == 1:  # nearly always
        return [(currencies[0], rows)]
    return [(currency, [row for row in rows if row[1] == currency]) for currency in currencies]


def _sum(rows: Sequence[FigureRow], column: int) -> Decimal:
    amounts: list[Decimal] = [row[column] for row in rows]  # type: ignore[misc]  # a money column
    return sum(amounts, Decimal(0))
