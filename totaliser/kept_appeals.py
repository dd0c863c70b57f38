"""Appeals as the build cache keeps them: the few fields every build reads of
every appeal at hand, the rest pickled apart and unpickled when first read.

A rebuild takes every unchanged story's checked ``Appeal`` from the cache.
Unpickling 10,000 of them whole (some fifty objects each: amounts, dates,
donation buttons, updates) took 130 ms of a 1.1 s rebuild, for appeals of
which it then reads only the name, path, status, photo and listings: the
pages, posters and cards of unchanged stories are not made again. So those
fields come back at once, and the rest, kept as one pickle, only when an
output (or anything else) reads another field.
"""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any, NamedTuple

from .content import Appeal

# What a build reads of every appeal: to load the content (its child, for
# privacy; its status), plan the outputs (slug, path, photo), warn about the
# published site (advice, listings, a deadline passed) and, when a story's
# facts change (a new total), work out the site's values again from every
# appeal's facts (site_values.AppealFacts: these, and its updates' dates).
AT_HAND = (
    "slug", "path", "child", "status", "image", "advice", "listed", "deadline", "date", "currency", "raised", "target", "gift_aid",
)


class PickledAppeal(NamedTuple):
    at_hand: tuple[Any, ...]  # the fields named in AT_HAND, in that order
    rest: bytes  # every other field, pickled
    update_dates: tuple[Any, ...]  # the dates of its updates, which are pickled with the rest

    @classmethod
    def of(cls, appeal: Appeal) -> PickledAppeal:
        fields = vars(appeal)
        rest = {name: value for name, value in fields.items() if name not in AT_HAND}
        return cls(tuple(fields[name] for name in AT_HAND), pickle.dumps(rest, protocol=5), tuple(appeal.update_dates))

    def appeal(self) -> KeptAppeal:
        appeal = object.__new__(KeptAppeal)
        fields = vars(appeal)
        fields.update(zip(AT_HAND, self.at_hand, strict=True))
        fields["_rest"] = self.rest
        fields["_update_dates"] = self.update_dates
        return appeal


class KeptAppeal(Appeal):
    """An appeal from the cache that has its other fields still pickled: the
    first time one is read, they are unpickled. It is equal to the appeal that
    was kept, shown and pickled as that ``Appeal``."""

    def _unpickle(self) -> None:
        rest = vars(self).pop("_rest", None)
        if rest is not None:
            vars(self).update(pickle.loads(rest))  # from now on read as any instance's fields

    # An appeal's facts read these: from the dates kept at hand, not its updates.
    @property
    def update_dates(self) -> list[Any]:
        kept = vars(self).get("_update_dates")
        return list(kept) if kept is not None else super().update_dates

    @property
    def last_changed(self) -> Any:
        kept = vars(self).get("_update_dates")
        return max((self.date, *kept)) if kept is not None else super().last_changed

    def as_appeal(self) -> Appeal:
        return _appeal(self._init_fields())

    def _init_fields(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(Appeal) if field.init}

    def __reduce__(self) -> tuple[Any, ...]:
        return _appeal, (self._init_fields(),)  # unpickled as the Appeal it is

    def __repr__(self) -> str:
        return repr(self.as_appeal())

    def __eq__(self, other: object) -> bool:
        return self.as_appeal() == (other.as_appeal() if isinstance(other, KeptAppeal) else other)

    __hash__ = None  # type: ignore[assignment]  # as an Appeal's


def _appeal(fields: dict[str, Any]) -> Appeal:
    return Appeal(**fields)


def still_pickled(appeal: Appeal) -> bool:
    """Whether a kept appeal has fields not yet unpickled."""
    return "_rest" in vars(appeal)


class _Unpickled:
    """A field of a ``KeptAppeal`` not at hand: reading it unpickles them all,
    which then shadow these in the instance. (A field with a default is also
    an attribute of the class, which a ``__getattr__`` would never be asked for.)"""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, appeal: KeptAppeal | None, owner: type | None = None) -> Any:
        if appeal is None:
            return self
        appeal._unpickle()
        return vars(appeal)[self.name]


for _field in dataclasses.fields(Appeal):
    if _field.name not in AT_HAND:
        setattr(KeptAppeal, _field.name, _Unpickled(_field.name))


class AppealsApart(pickle.Pickler):
    """Pickles as usual, but an ``Appeal`` as its ``PickledAppeal``: the cache
    writes its files so (and, until then, holds each appeal once)."""

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is Appeal:
            return PickledAppeal, tuple(PickledAppeal.of(obj))
        return NotImplemented


def from_kept_form(result: Any) -> Any:
    """A content file's checked result as the cache read it: an appeal at hand."""
    return result.appeal() if type(result) is PickledAppeal else result
