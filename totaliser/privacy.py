"""Keeping children's surnames out of the output under ``privacy: first_name``."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class NameGuard:
    """Replaces a child's full name with the first name, and a lone surname
    with its initial ("the Buckett family" becomes "the B. family")."""

    first_name: str
    surnames: tuple[str, ...]

    @classmethod
    def for_child(cls, full_name: str) -> NameGuard:
        words = full_name.split()
        first = words[0] if words else full_name
        # Surnames of two letters or fewer would match ordinary words.
        surnames = tuple(w for w in words[1:] if len(w.strip(".,'")) > 2)
        return cls(first, surnames)

    def _patterns(self) -> list[tuple[re.Pattern[str], str]]:
        patterns = []
        if self.surnames:
            full = r"\s+".join(re.escape(w) for w in (self.first_name, *self.surnames))
            patterns.append((re.compile(rf"\b{full}\b", re.IGNORECASE), self.first_name))
        for surname in self.surnames:
            patterns.append(
                (re.compile(rf"\b{re.escape(surname)}\b", re.IGNORECASE), surname[0].upper() + ".")
            )
        return patterns

    def redact(self, text: str) -> str:
        for pattern, replacement in self._patterns():
            text = pattern.sub(replacement, text)
        return text

    def mentions_surname(self, text: str) -> bool:
        return any(
            re.search(rf"\b{re.escape(s)}\b", text, re.IGNORECASE) for s in self.surnames
        )
