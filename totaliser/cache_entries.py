"""Checked stories as the build cache keeps them (see ``cache``).

A ``FileEntry`` is one content file as it was checked: its signature and
hash, its result (an ``Appeal`` or ``Page``, pickled) and warnings, and for
an appeal a small summary (``StoredAppeal``) that listings read without
unpickling the whole appeal. Entries are saved 64 to a file in the layout
described above ``write_entries``; results and records are read from those
files only when they are needed.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .content import Appeal
from .errors import Problem

Signature = tuple[int, int, int]  # size, modification time (ns), inode


class CacheFile:
    """An open cache file: results are read from it when first needed. Being
    open, it stays readable even after a later build replaces it."""

    def __init__(self, path: Path):
        self.fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        # A stretch read whole on first use (the records: appeals.json asks for all).
        self.together: tuple[int, int] = (0, 0)
        self._together: memoryview | None = None

    def read(self, offset: int, length: int) -> bytes:
        start, end = self.together
        if start <= offset and offset + length <= end:
            return bytes(self.view(offset, length))
        return self._read(offset, length)

    def view(self, offset: int, length: int) -> memoryview:
        """Bytes of the stretch read together, without copying them."""
        start, end = self.together
        if not start <= offset <= offset + length <= end:
            return memoryview(self._read(offset, length))
        if self._together is None:
            self._together = memoryview(self._read(start, end - start))
        return self._together[offset - start : offset - start + length]

    def _read(self, offset: int, length: int) -> bytes:
        data = os.pread(self.fd, length, offset)
        if len(data) != length:
            raise OSError(f"the build cache file ended early ({len(data)} of {length} bytes)")
        return data

    def __del__(self) -> None:
        os.close(self.fd)


# A pickled result: its bytes, or the file, offset and length they are at.
Blob = bytes | tuple[CacheFile, int, int]


def blob_bytes(blob: Blob) -> bytes:
    if isinstance(blob, bytes):
        return blob
    file, offset, length = blob
    return file.read(offset, length)


def blob_view(blob: Blob) -> bytes | memoryview:
    """The blob's bytes, or a view of them where they were read (no copy)."""
    if isinstance(blob, bytes):
        return blob
    file, offset, length = blob
    return file.view(offset, length)


@dataclass
class FileEntry:
    """A content file as it was checked last time."""

    signature: Signature | None
    hash: bytes
    result: Any  # Appeal, Page, or None for a draft left out
    problems: list[Problem]
    result_digest: bytes
    photo: tuple[str, str | None] | None = None  # the photo found, and a file that would hide it
    # The result pickled, as read from the cache (saving it again is a copy),
    # or where it lies in a cache file, read when it is first needed.
    blob: Blob = b""
    summary: tuple[Any, ...] | None = None  # an appeal's SUMMARY_FIELDS (see StoredAppeal)
    record: Blob = b""  # its appeals.json record, UTF-8 (see BuildCache.kept_with_stories)

    def __getstate__(self) -> dict[str, Any]:
        # The result and record are saved apart, after the entries (see _write_shard).
        state = dict(self.__dict__)
        state["result"] = None
        state["blob"] = state["record"] = b""
        state.pop("_stored", None)
        return state

    def pickled(self) -> bytes:
        """The result, pickled."""
        if self.blob:
            return blob_bytes(self.blob)
        return pickle.dumps(self.result, protocol=5) if self.result is not None else b""

    def loaded(self) -> FileEntry:
        if self.result is None and self.blob:
            self.result = pickle.loads(blob_bytes(self.blob))
        return self

    def view(self) -> Any:
        """The checked result: an appeal kept with its summary is not unpickled
        until something other than the summary is asked of it."""
        if self.result is None and self.summary is not None and self.blob:
            # One per entry: a dev server's next build finds it already unpickled.
            stored = self.__dict__.get("_stored")
            if stored is None:
                stored = self.__dict__["_stored"] = StoredAppeal(self.summary, self.blob)
            return stored
        return self.loaded().result


# What listings, totals, the feeds' order, the sitemap and cache keys read of
# every appeal. A rebuild needs every appeal for those, but the whole of only
# the few it renders again: at 10,000 appeals unpickling them all would cost
# a second.
SUMMARY_FIELDS = (
    "slug", "path", "status", "date", "deadline", "target", "raised", "currency", "gift_aid", "image",
    "last_changed", "update_dates", "still_needed", "advice",
)


class StoredAppeal:
    """An ``Appeal`` from the cache: its summary at hand, the rest unpickled
    on first use (then every attribute is the whole appeal's)."""

    __slots__ = (*SUMMARY_FIELDS, "_blob", "_whole")

    def __init__(self, summary: tuple[Any, ...], blob: Blob):
        # Through the slots' own descriptors: __setattr__ refuses changes.
        for slot, value in zip(_SUMMARY_SLOTS, summary, strict=True):
            slot.__set__(self, value)
        _BLOB_SLOT.__set__(self, blob)
        _WHOLE_SLOT.__set__(self, None)

    # Worked out from the summary, as Appeal does.
    url_path = Appeal.url_path
    percent = Appeal.percent

    def __getattr__(self, name: str) -> Any:
        # Only called for what the summary does not hold.
        if name.startswith("__") or name in self.__slots__:
            raise AttributeError(name)
        whole = self._whole
        if whole is None:
            whole = pickle.loads(blob_bytes(self._blob))
            _WHOLE_SLOT.__set__(self, whole)
        return getattr(whole, name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{name}: a checked appeal is not changed")

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent to or from a worker process as the appeal it stands for.
        return (pickle.loads, (blob_bytes(self._blob),))

    def __repr__(self) -> str:
        return f"StoredAppeal({self.path!r})"


_SUMMARY_SLOTS = tuple(getattr(StoredAppeal, name) for name in SUMMARY_FIELDS)
_BLOB_SLOT = getattr(StoredAppeal, "_blob")  # noqa: B009 - the slot descriptor
_WHOLE_SLOT = getattr(StoredAppeal, "_whole")  # noqa: B009 - the slot descriptor


def summary_of(result: Any) -> tuple[Any, ...] | None:
    if not isinstance(result, Appeal):
        return None
    return tuple(getattr(result, name) for name in SUMMARY_FIELDS)


# A content file (content-NN.pickle): the length of the entries' pickle, the
# pickled entries (each with the lengths of its result and record), then the
# results, then the records. A result, 5 KB a story, is read only for a story
# rendered again, and the records (read together) only when appeals.json is:
# a rebuild of 10,000 stories reads 3 MB of entries, not 57 MB of results and
# 14 of records.
_LENGTH_BYTES = 8


def write_entries(path: Path, items: list[tuple[str, FileEntry]]) -> None:
    results = [entry.pickled() for _key, entry in items]
    records = [blob_bytes(entry.record) for _key, entry in items]
    entries = [
        (key, entry, len(result), len(record)) for (key, entry), result, record in zip(items, results, records, strict=True)
    ]
    head = pickle.dumps(entries, protocol=5)
    with path.open("wb") as handle:
        handle.write(len(head).to_bytes(_LENGTH_BYTES, "little"))
        handle.write(head)
        handle.writelines(results)
        handle.writelines(records)


def read_entries(path: Path) -> dict[str, FileEntry]:
    file = CacheFile(path)
    length = int.from_bytes(file.read(0, _LENGTH_BYTES), "little")
    entries: list[tuple[str, FileEntry, int, int]] = pickle.loads(file.read(_LENGTH_BYTES, length))
    result_at = _LENGTH_BYTES + length
    record_at = result_at + sum(result_size for _key, _entry, result_size, _record_size in entries)
    end = record_at + sum(record_size for _key, _entry, _result_size, record_size in entries)
    if os.fstat(file.fd).st_size != end:
        raise ValueError(f"{path.name}: not the length its entries say")
    file.together = (record_at, end)
    found: dict[str, FileEntry] = {}
    for key, entry, result_size, record_size in entries:
        if result_size:
            entry.blob = (file, result_at, result_size)
            result_at += result_size
        if record_size:
            entry.record = (file, record_at, record_size)
            record_at += record_size
        found[key] = entry
    return found




class DraftMarker:
    """Stands for a draft left out of the build: only its status is kept."""

    status = "draft"
