"""The site's derived values: what outputs read of the site as a whole.

An output reads them by name through ``reads.value`` ("totals",
"listing:2", "term-page:hospitals:<slug>:1"), and records the fingerprint of
what it got: each name as narrow as what one output shows, so that a story's
edit remakes only the outputs whose values it changes. Each is worked out
once a build.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from .config import SiteConfig
from .content import Appeal, Page
from .listing import order_appeals, page_count, paginate, reference_date, site_totals, term_totals
from .terms import OpenAppeals, Term, TermSummary, index_terms

TERM_VALUES = ("terms", "term-paths", "term-slug", "term-page", "term-count", "term-totals", "term-members", "term-name", "term-open")


def name_of(kind: str, argument: str) -> str:
    return f"{kind}:{argument}" if argument else kind


class SiteValues:
    """What outputs read of the site as a whole, by name (see ``reads.value``)."""

    def __init__(self, config: SiteConfig, appeals: list[Appeal], pages: list[Page]):
        self.config = config
        self.appeals = appeals
        self.as_of = reference_date(appeals)  # 10,000 appeals' newest date: worked out once
        self.order = [appeal.slug for appeal in order_appeals(appeals, self.as_of)]
        self.chunks = paginate(self.order)
        self.pages = sorted(pages, key=lambda page: page.slug)
        self._paged: dict[str, list[list[str]]] = {}

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
        if kind == "term-paths":  # where every listing page is (the sitemap, the plan)
            return tuple(
                (kind_, slug, page_count(len(term.appeals)))
                for kind_, terms in self.terms.items() for slug, term in terms.items()
            )
        if kind == "term-slug":  # an appeal page's link to a listing: by its kind and term key
            # One value a term, not one an appeal: a thousand appeals at one
            # hospital share it, and a build fingerprints it once.
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
        if kind == "term-members":  # its feed: which appeals, in no particular order
            return tuple(sorted(term.appeals))
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
    def by_slug(self) -> dict[str, Appeal]:
        return {appeal.slug: appeal for appeal in self.appeals}

    def __call__(self, name: str) -> Any:
        kind, _, argument = name.partition(":")
        if kind == "listing":
            return tuple(self.chunks[int(argument) - 1])
        if kind in TERM_VALUES:
            return self._term_value(kind, argument)
        known: dict[str, Callable[[], Any]] = {
            "settings": lambda: self.config,
            "order": lambda: tuple(self.order),
            "slugs": lambda: tuple(sorted(self.order)),  # which appeals there are, in no particular order
            "listing-pages": lambda: len(self.chunks),
            "totals": lambda: site_totals(self.appeals),
            "as-of": lambda: self.as_of,  # what "still ahead" means on the home page
            "nav": lambda: self.pages,
        }
        return known[name]()
