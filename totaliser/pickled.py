"""What the build cache keeps pickled: what reading a damaged pickle may
raise, and the site's values, kept so that each kind is unpickled only when
one of its values is asked for.

At 10,000 appeals the kept values fill some 1.8 MB, most of it the appeals
of each listing page by slug, and unpickling them took 14 ms of every
rebuild. A rebuild that finds them unchanged reads few of them: whether an
output's values are as it read them needs only their fingerprints. So the
fingerprints are kept apart, and the values of each kind (a name's part
before ":", such as "term-page") are pickled on their own.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from typing import Any

# What reading a missing, damaged or foreign cache file may raise (a damaged
# length can ask for more memory than there is, or overflow).
DAMAGED = (
    OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, IndexError, KeyError, OverflowError,
    MemoryError, RecursionError, pickle.UnpicklingError,
)

Found = tuple[Any, bytes]  # a value and its fingerprint


def kind_of(name: str) -> str:
    return name.partition(":")[0]


class KeptValues:
    """Values by name, with their fingerprints: each kind's values are
    unpickled the first time one of them is asked for."""

    def __init__(self, fingerprints: dict[str, bytes], kinds: dict[str, bytes | dict[str, Any]]):
        self.fingerprints = fingerprints
        self._kinds = kinds  # kind -> its values by name, or those pickled

    @classmethod
    def of(cls, found: Mapping[str, Found]) -> KeptValues:
        kinds: dict[str, bytes | dict[str, Any]] = {}
        for name, (value, _) in found.items():
            kinds.setdefault(kind_of(name), {})[name] = value  # type: ignore[index]
        return cls({name: fingerprint for name, (_, fingerprint) in found.items()}, kinds)

    @classmethod
    def stored(cls, data: object) -> KeptValues | None:
        """What ``to_store`` gave, read back; None if it is not that."""
        if type(data) is not tuple or len(data) != 2:
            return None
        fingerprints, kinds = data
        if type(fingerprints) is not dict or type(kinds) is not dict or any(type(blob) is not bytes for blob in kinds.values()):
            return None
        return cls(fingerprints, kinds)

    def to_store(self) -> tuple[dict[str, bytes], dict[str, bytes]]:
        return self.fingerprints, {
            kind: values if isinstance(values, bytes) else pickle.dumps(values, protocol=5) for kind, values in self._kinds.items()
        }

    def __len__(self) -> int:
        return len(self.fingerprints)

    def __contains__(self, name: str) -> bool:
        return name in self.fingerprints

    def get(self, name: str) -> Found | None:
        """A value and its fingerprint; None if it is not kept (or its kind's
        pickle is damaged: then it is worked out again)."""
        fingerprint = self.fingerprints.get(name)
        if fingerprint is None:
            return None
        values = self._values_of(kind_of(name))
        if values is None or name not in values:
            return None
        return values[name], fingerprint

    def with_more(self, found: Mapping[str, Found]) -> KeptValues:
        """These values and those of ``found``: only the kinds ``found`` adds to are unpickled."""
        kinds = dict(self._kinds)
        for name, (value, _) in found.items():
            kind = kind_of(name)
            values = kinds.get(kind)
            if not isinstance(values, dict) or values is self._kinds.get(kind):
                values = kinds[kind] = dict(self._values_of(kind) or {})  # a copy: this one stays as it was
            values[name] = value
        return KeptValues({**self.fingerprints, **{name: fingerprint for name, (_, fingerprint) in found.items()}}, kinds)

    def _values_of(self, kind: str) -> dict[str, Any] | None:
        values = self._kinds.get(kind)
        if isinstance(values, bytes):
            try:
                loaded = pickle.loads(values)
            except DAMAGED:
                loaded = None
            values = self._kinds[kind] = loaded if type(loaded) is dict else {}
        return values
