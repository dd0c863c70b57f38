"""The site's derived values: what outputs read of the site as a whole.

An output reads them by name through ``reads.value`` ("totals",
"listing:2", "term-page:hospitals:<slug>:1"), and records the fingerprint of
what it got: each name as narrow as what one output shows, so that a story's
edit remakes only the outputs whose values it changes. Each is worked out at
most once a build, when first asked for.

Besides the settings and the plain pages ("settings", "nav"), they read of
each appeal its ``AppealFacts`` alone, never the appeal: the digests of the
facts of the appeals as published (privacy applied) say whether every value
is as the last build worked it out (``values_key``), and when they are, the
build takes the values it kept rather than grouping 10,000 appeals again (a
story's new paragraph changes no listing).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import cached_property
from typing import Any, NamedTuple

from .config import SiteConfig
from .content import Appeal, Page
from .fingerprint import digest, value_digest
from .listing import (
    feed_candidates,
    order_appeals,
    page_count,
    paginate,
    past_deadline,
    reference_date,
    site_totals,
    term_totals,
)
from .terms import Listed, OpenAppeals, Term, TermSummary, index_terms, near_duplicates, plain_slug

TERM_VALUES = ("terms", "listed-kinds", "term-paths", "term-slug", "term-page", "term-count", "term-totals", "term-newest", "term-name", "term-open")


# The values read of something other than the appeals' facts: never kept.
NOT_FROM_FACTS = ("settings", "nav", "page-slugs")


def name_of(kind: str, argument: str) -> str:
    return f"{kind}:{argument}" if argument else kind


class AppealFacts(NamedTuple):
    """What the site's values read of an appeal, and all they can read of it."""

    slug: str
    status: str
    deadline: datetime.date | None
    date: datetime.date
    update_dates: tuple[datetime.date, ...]
    last_changed: datetime.date
    still_needed: Decimal
    currency: str
    raised: Decimal
    target: Decimal
    gift_aid: Decimal | None
    listed: Listed


def appeal_facts(appeal: Appeal) -> AppealFacts:
    return AppealFacts(
        appeal.slug, appeal.status, appeal.deadline, appeal.date, tuple(appeal.update_dates), appeal.last_changed, appeal.still_needed,
        appeal.currency, appeal.raised, appeal.target, appeal.gift_aid, appeal.listed,
    )


def facts_digest(appeal: Appeal) -> bytes:
    """An appeal's facts' fingerprint: worked out when its story is read, and
    kept with it (again once privacy has hidden surnames, which changes them)."""
    return value_digest(appeal_facts(appeal))


def values_key(config: SiteConfig, digests: Sequence[bytes]) -> bytes:
    """What every value kept from a build depends on: the settings and each
    appeal's facts, in the order the appeals were read. Equal keys, equal values."""
    return digest(value_digest(config), b"".join(digests))  # each digest 16 bytes: joined, they cannot collide


def from_facts(name: str) -> bool:
    """Whether a value is worked out from the appeals' facts (and the settings) alone."""
    return name.partition(":")[0] not in NOT_FROM_FACTS


class SiteValues:
    """What outputs read of the site as a whole, by name (see ``reads.value``).

    ``facts`` gives each appeal's facts, asked for only when a value is
    worked out (a build that keeps every value never asks)."""

    def __init__(self, config: SiteConfig, facts: Callable[[], Sequence[AppealFacts]], pages: list[Page]):
        self.config = config
        self._facts = facts
        self.pages = sorted(pages, key=lambda page: page.slug)
        self._paged: dict[str, list[list[str]]] = {}

    @classmethod
    def of(cls, config: SiteConfig, appeals: Sequence[Appeal], pages: list[Page]) -> SiteValues:
        return cls(config, lambda: [appeal_facts(appeal) for appeal in appeals], pages)

    @cached_property
    def appeals(self) -> Sequence[AppealFacts]:
        return self._facts()

    @cached_property
    def as_of(self) -> datetime.date | None:
        return reference_date(self.appeals)  # 10,000 appeals' newest date: worked out once

    @cached_property
    def order(self) -> list[str]:
        return [appeal.slug for appeal in order_appeals(self.appeals, self.as_of)]

    @cached_property
    def chunks(self) -> list[list[str]]:
        return paginate(self.order)

    @cached_property
    def terms(self) -> dict[str, dict[str, Term]]:
        """Every listing's terms by kind and slug, with their figures, from the
        published appeals (a draft built with --drafts is never listed)."""
        by_slug = self.by_slug
        listed = [by_slug[slug] for slug in self.order if by_slug[slug].status != "draft"]
        return {kind: {term.slug: term for term in found} for kind, found in index_terms(listed).items()}

    @cached_property
    def term_of(self) -> dict[tuple[str, str], str]:
        """(kind, term key) -> the term's slug."""
        return {(kind, term.key): term.slug for kind, terms in self.terms.items() for term in terms.values()}

    def _term_value(self, kind: str, argument: str) -> Any:
        """The values the listings read, each as narrow as what one output shows,
        so that a story's edit remakes only the listings it changes. A term's
        figures are summed once a build, as its appeals are grouped."""
        if kind == "terms":  # a kind's index page: every term, its counts and money
            return tuple(
                TermSummary(term.slug, term.name, term.figures.appeals, term.figures.open, term.figures.raised)
                for term in self.terms[argument].values()
            )
        if kind == "listed-kinds":  # the kinds the site has listings of: "Find an appeal" links those
            return tuple(kind_ for kind_, terms in self.terms.items() if terms)
        if kind == "term-paths":  # where every listing page is (the sitemap, the plan)
            return tuple(
                (kind_, slug, page_count(len(term.appeals)))
                for kind_, terms in self.terms.items() for slug, term in terms.items()
            )
        if kind == "term-slug":  # a draft's link to a listing, which may not be there: by its kind and term key
            kind_, _, key = argument.partition(":")
            return self.term_of.get((kind_, key))
        if kind == "term-page":  # a listing's page: its appeals, in the home page's order
            # Each page its own value, as the home page's are: a new total
            # that moves an appeal a few places remakes the pages it moves
            # across, not every page of its hospital's listing.
            term_name, _, number = argument.rpartition(":")
            if int(number) < 1:
                raise IndexError(number)
            return tuple(self._term_pages(term_name)[int(number) - 1])
        kind_, _, slug = argument.partition(":")
        term = self.terms[kind_][slug]
        figures = term.figures
        if kind == "term-count":  # its pages' heading, and how many pages there are
            return len(term.appeals)
        if kind == "term-totals":  # its first page: its totals
            return term_totals(figures)
        if kind == "term-newest":  # its feed: the appeals it can show, by slug
            by_slug = self.by_slug
            return feed_candidates(by_slug[slug] for slug in term.appeals)
        if kind == "term-name":  # its feed's title
            return term.name
        if kind == "term-open":  # its embed and badge
            return OpenAppeals(term.name, figures.open, figures.first_open, figures.open_raised)
        raise KeyError(name_of(kind, argument))

    def _term_pages(self, term_name: str) -> list[list[str]]:
        """A listing's appeals ("hospitals:<slug>"), page by page."""
        pages = self._paged.get(term_name)
        if pages is None:
            kind, _, slug = term_name.partition(":")
            pages = self._paged[term_name] = paginate(self.terms[kind][slug].appeals)
        return pages

    @cached_property
    def by_slug(self) -> dict[str, AppealFacts]:
        return {appeal.slug: appeal for appeal in self.appeals}

    def __call__(self, name: str) -> Any:
        kind, _, argument = name.partition(":")
        if kind == "listing":
            return tuple(self.chunks[int(argument) - 1])
        if kind in TERM_VALUES:
            return self._term_value(kind, argument)
        if kind == "deadline-passed":
            # One appeal's, for every output that shows its state: it changes
            # only when its deadline falls behind the site's newest date, not
            # each time that date moves on ("as-of" would remake them all).
            return past_deadline(self.by_slug[argument].deadline, self.as_of)
        known: dict[str, Callable[[], Any]] = {
            "settings": lambda: self.config,
            "order": lambda: tuple(self.order),
            "slugs": lambda: tuple(sorted(self.order)),  # which appeals there are, in no particular order
            "newest": lambda: feed_candidates(self.appeals),  # the site feed's: the appeals it can show, by slug
            "listing-pages": lambda: len(self.chunks),
            "totals": lambda: site_totals(self.appeals),
            "as-of": lambda: self.as_of,  # what "still ahead" means on the home page
            "nav": lambda: self.pages,
            "page-slugs": lambda: tuple(page.slug for page in self.pages),  # which plain pages there are
            # The listings a published appeal page links to: every appeal
            # page reads this one value, not a value for each of its terms.
            "unusual-slugs": lambda: tuple(sorted(
                ((kind, key), slug) for (kind, key), slug in self.term_of.items() if slug != plain_slug(kind, key)
            )),
            # What the warnings about the published site read (advice.site_advice):
            # kept with the other values, so that a story's new paragraph
            # does not have them worked out again from 10,000 appeals.
            "near-duplicates": lambda: near_duplicates(self.published),
            "open-deadlines": lambda: tuple(sorted(
                (appeal.deadline, appeal.slug) for appeal in self.appeals if appeal.status == "open" and appeal.deadline is not None
            )),
            "latest-updates": lambda: tuple(sorted(
                (max(appeal.update_dates), appeal.slug) for appeal in self.published if appeal.update_dates
            )),
        }
        return known[name]()

    @property
    def published(self) -> list[AppealFacts]:
        return [appeal for appeal in self.appeals if appeal.status != "draft"]
