"""One visual language for an appeal's state, shared by every output.

The page, the home page's card, the embed, the badge, the social card, the
poster and the JSON-LD all say the same thing in the same words: an open
appeal asks; a funded one thanks and takes gifts only quietly; a closed one
thanks and asks for nothing. Each state has a word as well as a colour, so
colour is never the only sign of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_

# The default colours; an open appeal's is the site's accent (site.yaml colours).
STATUS_COLOURS = {
    "open": "#b00d27",
    "funded": "#17703a",
    "closed": "#57534e",
    "draft": "#92400e",
}


@dataclass(frozen=True)
class Status:
    key: str  # open, funded, closed or draft
    badge: str  # the one word on badges (in English: translated where it is shown)
    thanks: str | None  # the line that replaces the call to give (likewise)
    asks: bool  # whether the main donate button is shown
    takes_gifts: bool  # whether any donate link is shown (quietly, once funded)


_STATUSES = {
    "open": Status("open", N_("Open"), None, True, True),
    "funded": Status("funded", N_("Funded"), N_("Fully funded – thank you!"), False, True),
    "closed": Status("closed", N_("Closed"), N_("This appeal has closed – thank you to everyone who gave."), False, False),
    "draft": Status("draft", N_("Draft"), None, True, True),
}


def status_of(status: str) -> Status:
    return _STATUSES.get(status, _STATUSES["open"])


