"""Pieces of an output kept from one build to the next, each with what it read.

An output that reads every appeal but shows each on its own (appeals.json,
one line an appeal) is made whole when any appeal changes. Its pieces need
not be: each is made in a recording of its own (``reads``), kept with what
it read, and taken as it is while all of that is unchanged. The output
still records everything its pieces read, so the build cache remakes it
exactly as before; only the remaking is quicker (at 10,000 appeals a new
total makes one line of appeals.json again, not 10,000).

Each output's pieces are kept in a folder of its own in the cache folder,
read only when that output is made. A file written by other code or for
another site folder, or damaged, is ignored: its pieces are made again.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from . import reads
from .cache import DAMAGED, FORMAT, read_pickles, write_pickles

PARTS_DIR = "parts"
# An output's pieces are kept in this many files, by a hash of each piece's
# name: a new total rewrites one file of 0.7 MB, not one of 12 MB (at
# 10,000 appeals, 30 ms less).
FILES = 16

# A piece as kept: what it read (``Dependencies``' two tuples) and its bytes.
# Plain tuples: a file of 10,000 named tuples loads three times slower.
_Part = tuple[tuple[reads.Read, ...], tuple[reads.Read, ...], bytes]


class Parts:
    """The pieces of one output: those kept from its last making, and those of this one."""

    def __init__(self, folder: Path | None, code: bytes):
        self._folder = folder
        self._header = (FORMAT, code)
        self._kept = [self._read(number) for number in range(FILES)] if folder is not None else []
        self._made: list[dict[str, _Part]] = [{} for _ in range(FILES)]
        self._changed: set[int] = set()

    def _read(self, number: int) -> dict[str, _Part]:
        assert self._folder is not None
        kept = read_pickles(self._folder / f"{number:02d}.pickle", self._header)
        return kept if type(kept) is dict else {}

    def get_all(self, names: Sequence[str], make: Callable[[str], bytes]) -> list[bytes]:
        """The pieces called ``names``, in order: each as kept, if everything
        it read is as it was, else made by ``make(name)``. What they read is
        recorded as read by the output being made.

        One call for all of an output's pieces: at 10,000 appeals a new total
        checks and records appeals.json's 10,000 lines in one loop here.

        ``make`` opens what it reads itself (``context.appeal`` inside it): an
        appeal opened outside it records its reads in the output's recording,
        not the piece's, and the piece would be kept when that changed."""
        recorder = reads.current()
        if recorder is None or self._folder is None:  # nothing to keep: what they read is the output's
            return [make(name) for name in names]
        still = recorder.sources.still
        taken: list[_Part] = []
        for name in names:
            number = zlib.crc32(name.encode("utf-8", "surrogateescape")) % FILES
            part = self._kept[number].get(name)
            if part is None or not _still(part, still):
                part = _made(name, make, recorder.sources)
                self._changed.add(number)
            self._made[number][name] = part
            taken.append(part)
        recorder.include(reads.Dependencies(shared, appeals) for shared, appeals, _ in taken)
        return [data for _, _, data in taken]

    def keep(self) -> None:
        """Write the files whose pieces are not those already kept."""
        if self._folder is None:
            return
        self._folder.mkdir(parents=True, exist_ok=True)
        for number, made in enumerate(self._made):
            if number in self._changed or made.keys() != self._kept[number].keys():
                write_pickles(self._folder / f"{number:02d}.pickle", self._header, made)


def _made(name: str, make: Callable[[str], bytes], sources: reads.Sources) -> _Part:
    with reads.recording(sources) as own:
        reads.value("settings")  # as every output, each piece is made with the site's settings
        data = make(name)
    dependencies = own.finish()
    return (dependencies.shared, dependencies.appeals, data)


def _still(part: _Part, still: Callable[[reads.Read], bool]) -> bool:
    """Whether a kept piece can be taken: everything it read is as it was."""
    try:
        shared, appeals, data = part
        return type(data) is bytes and all(map(still, shared)) and all(map(still, appeals))
    except DAMAGED:  # not a piece as this code keeps them: made again
        return False


class PartsFolder:
    """Where a build keeps its outputs' pieces: ``<site>/.totaliser-cache/parts/``."""

    def __init__(self, cache_folder: Path, code: bytes):
        self.folder = cache_folder / PARTS_DIR
        self.code = code

    @contextlib.contextmanager
    def of(self, output: str) -> Iterator[Parts]:
        """The pieces of the output named ``output`` (a file name), kept if it is made."""
        parts = Parts(self.folder / output, self.code)
        yield parts
        parts.keep()


@contextlib.contextmanager
def unkept() -> Iterator[Parts]:
    """Pieces made afresh and kept nowhere (a build without the cache)."""
    yield Parts(None, b"")
