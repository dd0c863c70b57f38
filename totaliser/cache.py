"""The build cache: what the last build read and made, kept in ``<site>/.totaliser-cache/``.

Two kinds of entry, each stored with the dependencies recorded while it was
made (``reads.py``), and reused only while every one is unchanged:

* a content file's checked result (its ``Appeal`` or ``Page`` and the
  warnings it gave), so an unchanged story is not parsed again;
* an output's files, by path and fingerprint, so an output whose inputs are
  unchanged is linked from the current output instead of being made again.

Entries are kept in ``SHARDS`` files by a hash of their group (a story's
outputs share one), so a rebuild rewrites only the files whose entries
changed. ``state.pickle`` says which output folder the output entries
describe (by the folder's identity, ``staging.identity``) and what the spare
copy holds. Nothing here is trusted blindly: a cache written by other code
or for another site folder (its key, ``code``, holds both), or damaged, is
ignored, which only makes the next build a cold one; an output folder or a
spare copy other than the one recorded is read file by file before anything
in it is kept. Deleting the folder at any time is safe.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

try:
    import fcntl
except ImportError:  # Windows: builds of one site are not run at once there
    fcntl = None  # type: ignore[assignment]

from .errors import Problem
from .fingerprint import FileStat
from .reads import Dependencies
from .staging import Identity, Manifest

CACHE_DIR = ".totaliser-cache"
SPARE_DIR = "spare"
STATE_FILE = "state.pickle"
SHARDS = 64
FORMAT = 5


@dataclass
class ContentEntry:
    dependencies: Dependencies
    result: Any  # an Appeal, a Page, or None for a file with errors (never kept)
    problems: list[Problem]
    fingerprint: bytes  # of the result: what outputs that read it record
    attributes: bytes = b""  # an appeal's: reads.attribute_fingerprints


class OutputEntry(NamedTuple):  # a tuple: a cache of 40,000 of them loads a third quicker
    dependencies: Dependencies
    files: tuple[tuple[str, bytes], ...]  # (path, fingerprint of its bytes)


@dataclass
class _State:
    code: bytes
    file_stats: dict[str, tuple[FileStat, bytes]] = field(default_factory=dict)
    output: tuple[str, Identity] | None = None  # the output folder the entries describe
    spare: Identity | None = None
    spare_difference: dict[str, bytes | None] = field(default_factory=dict)  # spare's files that differ


class BuildCache:
    """One site's cache, read from disk once and then kept in memory (``serve``
    builds again and again with the same object)."""

    def __init__(self, site_dir: Path, code: bytes):
        self.folder = site_dir.resolve() / CACHE_DIR
        self.spare_dir = self.folder / SPARE_DIR
        self._shards: list[dict[str, dict[str, Any]]] = [{"content": {}, "outputs": {}} for _ in range(SHARDS)]
        self._dirty: set[int] = set(range(SHARDS))  # until read from disk: a new cache is written whole
        self.state = _State(code)
        self._loaded = False
        self._numbers: dict[str, int] = {}

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the cache folder for one build; read it from disk the first time."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "lock", "ab") as handle:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            if not self._loaded:
                self._load(self.state.code)
                self._loaded = True
            yield

    def _load(self, code: bytes) -> None:
        try:
            with open(self.folder / STATE_FILE, "rb") as file:
                version, state = pickle.load(file)
            if version != FORMAT or state.code != code:
                return  # another version of Totaliser wrote it, or for another folder: start afresh
            shards = []
            for number in range(SHARDS):
                with open(self.folder / f"shard-{number:02d}.pickle", "rb") as file:
                    shards.append(pickle.load(file))
        except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, IndexError, pickle.UnpicklingError):
            return  # missing or damaged: ignored, and rebuilt by this build
        self.state, self._shards = state, shards
        self._dirty.clear()

    def _shard(self, group: str) -> int:
        number = self._numbers.get(group)
        if number is None:
            number = self._numbers[group] = zlib.crc32(group.encode("utf-8", "surrogateescape")) % SHARDS
        return number

    def content(self, path: str) -> ContentEntry | None:
        return self._shards[self._shard(path)]["content"].get(path)

    def keep_content(self, path: str, entry: ContentEntry) -> None:
        number = self._shard(path)
        self._shards[number]["content"][path] = entry
        self._dirty.add(number)

    def forget_content_except(self, paths: set[str]) -> None:
        for number, shard in enumerate(self._shards):
            gone = shard["content"].keys() - paths
            for path in gone:
                del shard["content"][path]
            if gone:
                self._dirty.add(number)

    def outputs(self) -> dict[str, OutputEntry]:
        """Every output entry by key (what each output read and the files it made)."""
        found: dict[str, OutputEntry] = {}
        for shard in self._shards:
            found.update(shard["outputs"])
        return found

    def update_outputs(self, made: dict[str, tuple[str, OutputEntry]], wanted: set[str]) -> None:
        """Keep the entries of ``made`` (key -> (group, entry)); drop those not ``wanted``."""
        for number, shard in enumerate(self._shards):
            gone = shard["outputs"].keys() - wanted
            for key in gone:
                del shard["outputs"][key]
            if gone:
                self._dirty.add(number)
        for key, (group, entry) in made.items():
            number = self._shard(group)
            self._shards[number]["outputs"][key] = entry
            self._dirty.add(number)

    def save(self) -> None:
        """Write what changed, each file whole (written aside, then renamed)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for number in sorted(self._dirty):
            _write_pickle(self.folder / f"shard-{number:02d}.pickle", self._shards[number])
        self._dirty.clear()
        _write_pickle(self.folder / STATE_FILE, (FORMAT, self.state))


def output_manifest(entries: dict[str, OutputEntry]) -> Manifest:
    return {path: fingerprint for entry in entries.values() for path, fingerprint in entry.files}


def _write_pickle(path: Path, value: Any) -> None:
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as file:
        pickle.dump(value, file, protocol=5)
    os.replace(partial, path)
