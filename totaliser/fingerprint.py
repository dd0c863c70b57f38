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

# Libraries whose version can change what a build writes: the name each is
# imported by, and the name of the distribution it is installed from (in
# lower case, "_" for "-" and ".", as it starts its .dist-info folder's name).
OUTPUT_LIBRARIES = {
    "jinja2": "jinja2", "markupsafe": "markupsafe", "markdown": "markdown", "yaml": "pyyaml", "nh3": "nh3",
    "PIL": "pillow", "segno": "segno", "babel": "babel", "pagefind": "pagefind", "pagefind_bin": "pagefind_bin",
    "orjson": "orjson",
}
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
    package = Path(__file__).resolve().parent
    parts: list[bytes | str] = [sys.version]
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    for name, distribution in OUTPUT_LIBRARIES.items():
        parts += [name, *library_stamp(name, distribution)]
    return digest(*parts)


def library_stamp(name: str, distribution: str) -> list[bytes | str]:
    """What says which release of a library is installed, without importing
    it: the list of its files with their hashes (``RECORD``) in the
    ``.dist-info`` folder its installer wrote beside it. The same release
    installed again (as every run of the GitHub workflow does) gives the same
    stamp; the times and places of its files are not part of it."""
    from importlib.util import find_spec

    try:
        spec = find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return ["not installed"]
    origin = Path(spec.origin)
    folder = origin.parent.parent if spec.submodule_search_locations else origin.parent
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        entries = []
    for entry in entries:
        if entry.endswith(".dist-info") and entry.partition("-")[0].lower().replace(".", "_") == distribution:
            try:
                return [entry, (folder / entry / "RECORD").read_bytes()]
            except OSError:
                break
    # Not installed from a wheel (a copy of its source, a system package):
    # its main file's size, time and inode stand for it.
    return [str(origin), repr(file_stat(origin))]
