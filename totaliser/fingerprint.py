"""Fingerprints: short hashes that say whether something is still the same.

The build cache reuses an output when the fingerprint of everything it read
is unchanged, so these must change whenever what they stand for does: a
file's bytes, a value's contents, the program's own code.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

# Libraries whose version can change what a build writes.
OUTPUT_LIBRARIES = ("jinja2", "markupsafe", "markdown", "yaml", "nh3", "PIL", "segno", "babel")
# A file changed this recently may change again within the same tick of the
# disk's clock without its time changing: it is hashed, not trusted by its stat.
RACY_SECONDS = 2.0

FileStat = tuple[int, int, int]  # size, modification time (ns), inode


def digest(*parts: bytes | str) -> bytes:
    """A 16-byte hash of the parts, each length-prefixed so that no two lists collide."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.digest()


def value_digest(value: Any) -> bytes:
    """The fingerprint of a checked value (an appeal's field, the settings, a
    listing's totals). Pickle writes dataclasses, Decimals and dates by value."""
    return digest(pickle.dumps(value, protocol=5))


def file_stat(path: str | Path) -> FileStat | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def is_racy(stat: FileStat, now_ns: int) -> bool:
    return now_ns - stat[1] < RACY_SECONDS * 1e9


def code_fingerprint() -> bytes:
    """Changes whenever Totaliser's code or data, Python, or an output-shaping library does."""
    from importlib.util import find_spec

    package = Path(__file__).resolve().parent
    parts: list[bytes | str] = [sys.version]
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    for name in OUTPUT_LIBRARIES:
        # Where a library is and when its files were written says which
        # version it is, without the cost of importing it.
        try:
            spec = find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec and spec.origin else ""
        stamp = file_stat(origin) if origin else None
        parts += [name, origin, repr(stamp)]
    return digest(*parts)
