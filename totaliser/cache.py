"""The build cache: what the last build read and made, kept in ``<site>/.totaliser-cache/``.

Two kinds of entry, each stored with the dependencies recorded while it was
made (``reads.py``), and reused only while every one is unchanged:

* a content file's checked result (its ``Appeal`` or ``Page`` and the
  warnings it gave), so an unchanged story is not parsed again;
* an output's files, by path and fingerprint, so an output whose inputs are
  unchanged is linked from the current output instead of being made again.

Beside them, ``values.pickle`` keeps the site's derived values as the last
build worked them out, under the key of what they were worked out from
(``site_values.values_key``): a build whose key is the same takes them as
they are. ``parts/`` keeps the pieces of outputs made of pieces (``parts.py``).

What the entries read is kept once in each file, in a table, and an entry
lists the numbers of what it read there: each thing read is checked once a
build, not once for each of the thousands of outputs that read it.

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
import sys
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, NamedTuple

try:
    import fcntl
except ImportError:  # Windows: builds of one site are not run at once there
    fcntl = None  # type: ignore[assignment]

from .errors import Problem
from .fingerprint import FileStat
from .kept_appeals import AppealsApart, from_kept_form
from .pickled import DAMAGED, Found, KeptValues
from .reads import Dependencies, Read
from .staging import Identity, Manifest

CACHE_DIR = ".totaliser-cache"
SPARE_DIR = "spare"
STATE_FILE = "state.pickle"
VALUES_FILE = "values.pickle"
SHARDS = 128
# An output's reads are numbers packed in bytes (one object each, where a
# tuple of numbers would load as thousands): native 4-byte integers, so the
# byte order and size are part of the format.
_NUMBERS: Final = "I"
FORMAT = (10, sys.byteorder, array(_NUMBERS).itemsize)


class ContentEntry(NamedTuple):  # a tuple, as OutputEntry: 10,000 of them load 30 ms quicker
    result: Any  # an Appeal, a Page, or None for a file with errors (never kept)
    problems: list[Problem]
    fingerprint: bytes  # of the result: what outputs that read it record
    attributes: bytes = b""  # an appeal's: reads.attribute_fingerprints
    facts: bytes = b""  # an appeal's: site_values.facts_digest


class OutputEntry(NamedTuple):  # a tuple: a cache of 40,000 of them loads a third quicker
    reads: bytes  # what it read: numbers in its file's table of reads (``numbers``)
    files: tuple[tuple[str, bytes], ...]  # (path, fingerprint of its bytes)


class _KeptContent(NamedTuple):
    reads: bytes  # as OutputEntry's
    entry: ContentEntry


# The two kinds of entry, and the table of reads of each, in every file.
_KINDS = {"content": "content reads", "outputs": "output reads"}


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
        self._shards: list[dict[str, Any]] = [_new_shard() for _ in range(SHARDS)]
        self._read_numbers: dict[tuple[int, str], dict[Read, int]] = {}  # a file's table of reads, by read, once added to
        self._fields: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._dirty: set[int] = set(range(SHARDS))  # until read from disk: a new cache is written whole
        self.state = _State(code)
        self._loaded = False
        self._shard_of: dict[str, int] = {}
        self._values: tuple[bytes, KeptValues] | None = None  # (key, values), once read or kept
        self._values_dirty = False

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
            if not all(type(shard) is dict and shard.keys() == _new_shard().keys() for shard in shards):
                return
        except DAMAGED:
            return  # missing or damaged: ignored, and rebuilt by this build
        self.state, self._shards = state, shards
        self._dirty.clear()

    def _shard(self, group: str) -> int:
        number = self._shard_of.get(group)
        if number is None:
            number = self._shard_of[group] = zlib.crc32(group.encode("utf-8", "surrogateescape")) % SHARDS
        return number

    def content(self, path: str) -> ContentEntry | None:
        kept = self._shards[self._shard(path)]["content"].get(path)
        # An appeal read from disk comes back with its other fields still pickled (kept_appeals).
        return kept.entry._replace(result=from_kept_form(kept.entry.result)) if kept is not None else None

    def changed_content(self, changed_in: Callable[[list[Read]], set[int]]) -> set[str]:
        """The content files whose checked result read something no longer as it was."""
        return self._changed("content", changed_in)

    def keep_content(self, path: str, dependencies: Dependencies, entry: ContentEntry) -> None:
        number = self._shard(path)
        self._shards[number]["content"][path] = _KeptContent(self._numbered(number, "content", dependencies), entry)
        self._dirty.add(number)

    def forget_content_except(self, paths: set[str]) -> None:
        self._keep_only("content", paths)

    def outputs(self) -> dict[str, OutputEntry]:
        """Every output entry by key (what each output read and the files it made)."""
        found: dict[str, OutputEntry] = {}
        for shard in self._shards:
            found.update(shard["outputs"])
        return found

    def changed_outputs(self, changed_in: Callable[[list[Read]], set[int]]) -> set[str]:
        """The keys of the output entries of which something read is no longer as it was."""
        return self._changed("outputs", changed_in)

    def update_outputs(self, made: dict[str, tuple[str, Dependencies, tuple[tuple[str, bytes], ...]]], wanted: set[str]) -> None:
        """Keep what each output of ``made`` read and wrote (key -> (group,
        dependencies, files)); drop the entries not ``wanted``."""
        self._keep_only("outputs", wanted)
        for key, (group, dependencies, files) in made.items():
            number = self._shard(group)
            self._shards[number]["outputs"][key] = OutputEntry(self._numbered(number, "outputs", dependencies), files)
            self._dirty.add(number)

    def _keep_only(self, kind: str, wanted: set[str]) -> None:
        for number, shard in enumerate(self._shards):
            gone = shard[kind].keys() - wanted
            for key in gone:
                del shard[kind][key]
            if gone:
                self._dirty.add(number)

    def _changed(self, kind: str, changed_in: Callable[[list[Read]], set[int]]) -> set[str]:
        # ``changed_in`` (``reads.Sources.changed_in``) checks each thing read
        # once in each file, not once for each of the entries that read it.
        changed: set[str] = set()
        for shard in self._shards:
            gone = changed_in(shard[_KINDS[kind]])
            if gone:
                changed.update(key for key, entry in shard[kind].items() if not gone.isdisjoint(numbers(entry.reads)))
        return changed

    def _numbered(self, number: int, kind: str, dependencies: Dependencies) -> bytes:
        """What an entry read, as numbers in its file's table (added there when new)."""
        reads = self._shards[number][_KINDS[kind]]
        table = self._read_numbers.get((number, kind))
        if table is None:
            table = self._read_numbers[(number, kind)] = {read: index for index, read in enumerate(reads)}
        found = []
        # Equal lists of fields read stored once: the cache loads a tenth quicker.
        appeals = [(slug, self._fields.setdefault(fields, fields), *prints) for slug, fields, *prints in dependencies.appeals]
        for read in (*dependencies.shared, *appeals):
            index = table.get(read)
            if index is None:
                index = table[read] = len(reads)
                reads.append(read)
            found.append(index)
        return array(_NUMBERS, found).tobytes()

    def kept_values(self, key: bytes) -> KeptValues:
        """The site's values as the last build worked them out, if from what
        ``key`` stands for; else none."""
        if self._values is None:
            # Its key first: a file for other facts is not read further.
            found = KeptValues.stored(read_pickles(self.folder / VALUES_FILE, (FORMAT, self.state.code, key)))
            self._values = (key, found) if found is not None else (b"", KeptValues({}, {}))
        return self._values[1] if self._values[0] == key else KeptValues({}, {})

    def keep_values(self, key: bytes, found: dict[str, Found]) -> None:
        """Keep the values this build worked out (name -> (value, fingerprint))
        from what ``key`` stands for, with those it took from ``kept_values``."""
        if self._values is not None and self._values[0] == key:
            if found:
                self._values = (key, self._values[1].with_more(found))
                self._values_dirty = True
        else:
            self._values = (key, KeptValues.of(found))
            self._values_dirty = True

    def save(self) -> None:
        """Write what changed, each file whole (written aside, then renamed)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._read_numbers.clear()  # renumbered below, even if a write then fails
        for number in sorted(self._dirty):
            _drop_unread(self._shards[number])
            write_pickles(self.folder / f"shard-{number:02d}.pickle", self._shards[number])
        self._dirty.clear()
        if self._values_dirty and self._values is not None:
            key, values = self._values
            write_pickles(self.folder / VALUES_FILE, (FORMAT, self.state.code, key), values.to_store())
            self._values_dirty = False
        write_pickles(self.folder / STATE_FILE, (FORMAT, self.state))


def numbers(reads: bytes) -> memoryview:
    """The numbers of what an entry read, in its file's table of reads."""
    return memoryview(reads).cast(_NUMBERS)


def _new_shard() -> dict[str, Any]:
    return {"content": {}, "outputs": {}, **{table: [] for table in _KINDS.values()}}


def _drop_unread(shard: dict[str, Any]) -> None:
    """Renumber a file's tables of reads to hold only what its entries read:
    an output made again may no longer read what it did."""
    for kind, name in _KINDS.items():
        reads: list[Read] = shard[name]
        read: set[int] = set()
        for entry in shard[kind].values():
            read.update(numbers(entry.reads))
        if len(read) == len(reads):
            continue
        kept = sorted(read)
        renumbered = {old: new for new, old in enumerate(kept)}
        shard[name] = [reads[old] for old in kept]
        shard[kind] = {
            key: entry._replace(reads=array(_NUMBERS, map(renumbered.__getitem__, numbers(entry.reads))).tobytes())
            for key, entry in shard[kind].items()
        }


def output_manifest(entries: dict[str, OutputEntry]) -> Manifest:
    return {path: fingerprint for entry in entries.values() for path, fingerprint in entry.files}


def read_pickles(path: Path, header: Any) -> Any:
    """What ``write_pickles`` wrote after ``header``; None if the file is
    missing or damaged, or begins with another header (another key, or
    written by other code or for another site folder)."""
    with contextlib.suppress(*DAMAGED), open(path, "rb") as file:
        if pickle.load(file) == header:
            return pickle.load(file)
    return None


def write_pickles(path: Path, *values: Any) -> None:
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as file:
        for value in values:
            AppealsApart(file, protocol=5).dump(value)
    os.replace(partial, path)
