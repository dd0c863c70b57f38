"""The order appeals are listed in, site-wide totals, and pagination (pure)."""

from __future__ import annotations

import datetime
import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeVar

from .terms import Counted, TermFigures, figure_row, figures_of

PER_PAGE = 24
# A feed carries its newest entries only, so that it does not grow with the site.
FEED_ENTRIES = 100
Item = TypeVar("Item")  # an appeal, or its slug


Listable = TypeVar("Listable", bound=Counted)
_STATUS_RANK = {"open": 0, "funded": 1, "closed": 2, "draft": 3}


def reference_date(appeals: Sequence[Counted]) -> datetime.date | None:
    """The date the site is "as of": its newest appeal date or update.

    Builds must not depend on the day they run, so "still ahead" means after
    this date, not after today. Readers' browsers count down to deadlines.
    """
    dates = [appeal.last_changed for appeal in appeals]
    return max(dates) if dates else None


def past_deadline(deadline: datetime.date | None, as_of: datetime.date | None) -> bool:
    """Whether an open appeal's deadline is behind the date its content is as of.

    Built pages never depend on the day they are built, so "past" is judged
    against the content's own newest date (``reference_date``); readers'
    browsers judge it again against today (static/js/totaliser.js)."""
    return deadline is not None and as_of is not None and deadline < as_of


class Dated(Protocol):
    """What a feed sorts an appeal's entries by: an appeal, or its facts."""

    @property
    def slug(self) -> str: ...
    @property
    def date(self) -> datetime.date: ...
    @property
    def update_dates(self) -> Sequence[datetime.date]: ...
    @property
    def last_changed(self) -> datetime.date: ...  # the newest of the date and the update dates


def feed_candidates(appeals: Iterable[Dated]) -> tuple[str, ...]:
    """The slugs, sorted, of the appeals with an entry (the appeal's own, or
    an update's) at least as new as the FEED_ENTRIES-th newest of all their
    entries: every appeal a feed of ``appeals`` can show. A feed made from
    these alone is the feed made from all of them, and reads a hundred
    appeals, not each of 10,000 to sort them by date."""
    appeals = list(appeals)
    if len(appeals) > FEED_ENTRIES:
        # The entries a feed shows are no older than the FEED_ENTRIES-th
        # newest of the appeals' newest entries: only the appeals whose newest
        # is that new are looked into (a new total works these out again).
        floor = heapq.nlargest(FEED_ENTRIES, (appeal.last_changed for appeal in appeals))[-1]
        appeals = [appeal for appeal in appeals if appeal.last_changed >= floor]
    dated = [(day, appeal.slug) for appeal in appeals for day in (appeal.date, *appeal.update_dates)]
    if len(dated) > FEED_ENTRIES:
        cutoff = heapq.nlargest(FEED_ENTRIES, (day for day, _ in dated))[-1]
        dated = [entry for entry in dated if entry[0] >= cutoff]
    return tuple(sorted({slug for _, slug in dated}))


def order_appeals(appeals: Sequence[Listable], as_of: datetime.date | None = None) -> list[Listable]:
    """Open appeals first: those with a deadline still ahead, nearest first,
    then the rest, most still needed first; then funded, then closed.
    ``as_of``: their ``reference_date``, when the caller has it already."""
    as_of = as_of or reference_date(appeals)

    def key(appeal: Listable) -> tuple[object, ...]:
        rank = _STATUS_RANK.get(appeal.status, 3)
        if rank == 0:
            if appeal.deadline is not None and as_of is not None and appeal.deadline >= as_of:
                return (0, 0, appeal.deadline.toordinal(), Decimal(0), appeal.slug)
            return (0, 1, 0, -appeal.still_needed, appeal.slug)
        return (rank, 0, -appeal.last_changed.toordinal(), Decimal(0), appeal.slug)

    return sorted(appeals, key=key)


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    raised: Decimal
    target: Decimal
    gift_aid: Decimal


@dataclass(frozen=True)
class Totals:
    appeals: int
    open: int
    funded: int
    closed: int
    by_currency: tuple[CurrencyTotal, ...]


def site_totals(appeals: Sequence[Counted]) -> Totals:
    """The totals of the appeals given, summed as a listing's are (``terms.figures_of``)."""
    return term_totals(figures_of([figure_row(appeal) for appeal in appeals]))


def term_totals(figures: TermFigures) -> Totals:
    """A listing's totals (or the site's), as the home page shows them."""
    gift_aid = dict(figures.gift_aid)
    return Totals(
        appeals=figures.appeals,
        open=figures.open,
        funded=figures.funded,
        closed=figures.closed,
        by_currency=tuple(CurrencyTotal(row.currency, row.raised, row.target, gift_aid[row.currency]) for row in figures.raised),
    )


def paginate(items: Sequence[Item], per_page: int = PER_PAGE) -> list[list[Item]]:
    """Split a listing into pages; there is always at least one page."""
    pages = [list(items[start : start + per_page]) for start in range(0, len(items), per_page)]
    return pages or [[]]


def page_count(items: int, per_page: int = PER_PAGE) -> int:
    """How many pages ``paginate`` makes of ``items`` items."""
    return max(1, -(-items // per_page))


def page_path(number: int) -> str:
    """The path of page ``number`` of the home listing: "" for 1, "page/2/" after."""
    return "" if number == 1 else f"page/{number}/"
