"""Keeping children's surnames out of the output under ``privacy: first_name``,
and locations out of every published picture whatever the setting."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

# What in a story's HTML is a web address: the value of an attribute that
# holds one, or an address written out as text (an autolink's words). These
# are never rewritten: "amy-Q.-appeal" is a link to nowhere.
_URL_IN_HTML = re.compile(
    r"""\b(?:href|src|srcset|cite|action|poster|data|formaction)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)"""
    r"""|\b[a-z][a-z0-9+.-]*://[^\s<>"']+""",
    re.IGNORECASE,
)
# Attribute names as the sanitiser writes them (lowercase): a case-sensitive
# pattern with no word boundary is four times quicker, and every story is read.
_LINK_ATTRIBUTE = re.compile(r"""(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
# A front-matter value that is an address, not words: kept as written.
_URL_VALUE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|/|\.\.?/)\S*$", re.IGNORECASE)


def redact_outside_urls(html: str, redact: Callable[[str], str]) -> str:
    """The HTML with ``redact`` applied to everything but its web addresses."""
    parts: list[str] = []
    start = 0
    for match in _URL_IN_HTML.finditer(html):
        parts += [redact(html[start : match.start()]), match.group()]
        start = match.end()
    parts.append(redact(html[start:]))
    return "".join(parts)


# The address of a Markdown link or of a link reference: "](url" or "[ref]: url".
_MARKDOWN_TARGET = re.compile(r"\]\(\s*<?[^)\s>]*|^\s*\[[^\]]+\]:\s*\S+")


def without_urls(text: str) -> str:
    """A line of a story without its web addresses, to look for names in its words."""
    return _URL_IN_HTML.sub(" ", _MARKDOWN_TARGET.sub(" ", text))


def html_links(html: str) -> list[str]:
    """The href and src addresses in HTML, as written there (entities decoded)."""
    from html import unescape

    return [unescape(next(group for group in match.groups() if group is not None)) for match in _LINK_ATTRIBUTE.finditer(html)]


def _either_apostrophe(escaped: str) -> str:
    """A pattern that matches a name written with a straight or a curly
    apostrophe: stories are set with curly ones (smart punctuation)."""
    return re.sub("['’]", "['’]", escaped)


def _surname_pattern(surname: str) -> str:
    # "Buckett" also covers "the Bucketts"; "Buckett's" keeps its "'s".
    return rf"\b{_either_apostrophe(re.escape(surname))}(?:s|es)?\b"


@dataclass(frozen=True)
class NameGuard:
    """Replaces a child's full name with the first name, and a lone surname
    with its initial ("the Buckett family" becomes "the B. family")."""

    first_name: str
    surnames: tuple[str, ...]
    # Surnames of one or two letters ("Li", "Ng", "Wu"), matched only as
    # written, with their capital: in any case they would match ordinary
    # words ("ho", "wu"). Lower-case particles ("de", "la") are no one's name
    # on their own and are left alone.
    short_surnames: tuple[str, ...] = ()
    rest_of_name: tuple[str, ...] = ()  # every word after the first name, as written

    @classmethod
    def for_child(cls, full_name: str) -> NameGuard:
        words = full_name.split()
        first = words[0] if words else full_name
        surnames: list[str] = []
        short: list[str] = []
        for word in words[1:]:
            # A double-barrelled name may also be written in halves.
            for part in (word, *word.split("-")):
                part = part.strip(".,'")
                if len(part) > 2:
                    if part not in surnames:
                        surnames.append(part)
                elif part[:1].isupper() and part not in short:
                    short.append(part)
        return cls(first, tuple(surnames), tuple(short), tuple(words[1:]))

    @cached_property
    def _patterns(self) -> list[tuple[re.Pattern[str], str]]:
        patterns = []
        first = [_either_apostrophe(re.escape(w)) for w in self.first_name.split()]
        # The whole name as written ("Sofia de la Cruz", "Amy Li"), then the
        # first name with the first surname ("Jacob Buckett" of "Jacob Alan
        # Buckett"), each once.
        for rest in dict.fromkeys(filter(None, (self.rest_of_name, self.surnames[:1]))):
            full = r"\s+".join((*first, *(_either_apostrophe(re.escape(w)) for w in rest)))
            patterns.append((re.compile(rf"\b{full}\b", re.IGNORECASE), self.first_name))
        # Longest first, so "Smith-Jones" goes before "Smith". A full stop
        # after the surname ends the sentence and the initial at once: "and
        # Buckett." becomes "and B.", not "and B..".
        for surname in sorted(self.surnames, key=len, reverse=True):
            patterns.append((re.compile(_surname_pattern(surname) + r"\.?", re.IGNORECASE), surname[0].upper() + "."))
        for surname in self.short_surnames:
            patterns.append((re.compile(_surname_pattern(surname) + r"\.?"), surname[0] + "."))
        return patterns

    def redact(self, text: str) -> str:
        for pattern, replacement in self._patterns:
            text = pattern.sub(replacement, text)
        return text

    def mentions_surname(self, text: str) -> bool:
        return any(re.search(_surname_pattern(s), text, re.IGNORECASE) for s in self.surnames) or any(
            re.search(_surname_pattern(s), text) for s in self.short_surnames
        )


@dataclass(frozen=True)
class SiteNameGuard:
    """Every child's surname, kept out of every text of the site: stories
    mention other children, and plain pages thank them by name."""

    guards: tuple[NameGuard, ...]

    @classmethod
    def for_children(cls, full_names: Iterable[str]) -> SiteNameGuard:
        guards = {name: NameGuard.for_child(name) for name in full_names}
        # Full names first, so "Jacob Buckett" becomes "Jacob" before
        # another child's rule could turn "Buckett" into "B.". Then by name:
        # where two children share a surname the result depends on which
        # rule goes first, and it must not depend on the order the stories'
        # files happen to be read in (a renamed file would change it).
        ordered = sorted(guards.items(), key=lambda item: (-len(item[1].surnames), item[0]))
        return cls(tuple(guard for _, guard in ordered))

    def redact(self, text: str) -> str:
        for guard in self.guards:
            text = guard.redact(text)
        return text

    def redact_html(self, html: str) -> str:
        """Redact a story's HTML, leaving every link and address as written."""
        return redact_outside_urls(html, self.redact)

    def mentions_surname(self, text: str) -> bool:
        return any(guard.mentions_surname(text) for guard in self.guards)

    def redact_value(self, value: Any, depth: int = 0) -> Any:
        """Redact text inside lists and mappings too (unknown fields reach
        templates); a value that is a web address is left as it is."""
        if isinstance(value, str):
            return value if _URL_VALUE.match(value.strip()) else self.redact(value)
        if depth > 20:
            return None  # deeper than any real front matter, or a YAML loop
        if isinstance(value, list):
            return [self.redact_value(item, depth + 1) for item in value]
        if isinstance(value, dict):
            return {self.redact_value(k, depth + 1) if isinstance(k, str) else k: self.redact_value(v, depth + 1) for k, v in value.items()}
        return value


# --- Pictures without metadata ---------------------------------------------


def without_metadata(data: bytes) -> bytes | None:
    """A JPEG, PNG, WebP or GIF picture with nothing but its pixels (see
    pictures.py); None when it cannot be published."""
    from .pictures import PictureError, pixels_only

    try:
        return pixels_only(data)
    except PictureError:
        return None
