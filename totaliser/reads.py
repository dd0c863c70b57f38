"""The one door every output reads through, so that what it read is recorded.

While an output is made, every read it does is noted with a fingerprint of
what it got: an appeal (field by field), a plain page, a template (through
the Jinja environment, so ``extends`` and ``include`` count), a file such as
a photo or a font, whether a file exists, and the site's derived values
(totals, the home page's order). The build cache stores that list beside the
output and reuses the output next time only if every fingerprint is the same.
No key is ever written by hand, so no input can be left out of one.

Outside a recording (``check``, the tests), reads go straight through.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
import operator
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from .fingerprint import FileStat, digest, file_stat, is_racy, value_digest
from .pickled import KeptValues


class Dependencies(NamedTuple):
    """What one output (or content file) read, with the fingerprints it got.

    ``shared``: ((kind, name), fingerprint) pairs, sorted. Kinds: "file",
    "exists", "template", "value", "page". Many outputs read the very same
    (every appeal page the same templates and settings): the cache keeps each
    once in a table, and a build checks each once (``Sources.still``).
    ``appeals``: (slug, the fields read, the whole appeal's fingerprint, the
    fingerprint of those fields), sorted by slug.
    """

    shared: tuple[tuple[tuple[str, str], bytes], ...]
    appeals: tuple[tuple[str, tuple[str, ...], bytes, bytes], ...]


# One thing read, as a Dependencies holds it: a ((kind, name), fingerprint)
# pair, or an appeal's (slug, fields, whole, part).
Read = tuple[Any, ...]

# Files' stats and hashes by path: a hash is trusted while the stat is the same.
KnownFiles = dict[str, tuple[FileStat, bytes]]
# What a worker process found out while it made something, handed back with
# it (``Sources.learnt``): files' stats and hashes, and site values by name.
Learnt = tuple[KnownFiles, dict[str, tuple[Any, bytes]]]

_recording: contextvars.ContextVar[Recorder | None] = contextvars.ContextVar("recording", default=None)


class FileFingerprints:
    """File hashes, trusted by size, time and inode once the file has stood still."""

    def __init__(self, known: dict[str, tuple[tuple[int, int, int], bytes]] | None = None):
        self.known = known if known is not None else {}
        self.now_ns = time.time_ns()
        self._this_build: dict[str, bytes] = {}

    def of(self, path: str) -> bytes:
        found = self._this_build.get(path)
        if found is not None:
            return found
        stat = file_stat(path)
        if stat is None:
            fingerprint = b"missing"
            self.known.pop(path, None)
        else:
            kept = self.known.get(path)
            if kept is not None and kept[0] == stat and not is_racy(stat, self.now_ns):
                fingerprint = kept[1]
            else:
                with open(path, "rb") as file:
                    fingerprint = digest(file.read())
                # Kept only once the file has stood still: one rewritten in
                # the same tick of the clock, at the same size, would keep
                # this stat with other bytes.
                if not is_racy(stat, self.now_ns):
                    self.known[path] = (stat, fingerprint)
        self._this_build[path] = fingerprint
        return fingerprint

    def seen_this_build(self) -> dict[str, tuple[tuple[int, int, int], bytes]]:
        """The stats and hashes to keep for the next build: those of the files
        this one looked at. A file no longer read (a story deleted, a path
        spelt another way) is dropped, or they would pile up build after build."""
        return {path: self.known[path] for path in self._this_build if path in self.known}

    def found_in(self, dependencies: Dependencies) -> KnownFiles:
        """The stats and hashes known here of the files a recording read (see ``Sources.learnt``)."""
        found = {}
        for (kind, name), fingerprint in dependencies.shared:
            known = self.known.get(name) if kind == "file" else None
            # Only a stat taken of the bytes the recording saw: a file changed
            # too recently to trust its stat keeps the last build's entry here.
            if known is not None and known[1] == fingerprint:
                found[name] = known
        return found

    def learn(self, found: KnownFiles) -> None:
        """Take the stats and hashes a worker found (``found_in``) as found here, this build."""
        self.known.update(found)
        for path, (_, fingerprint) in found.items():
            self._this_build.setdefault(path, fingerprint)

    def read(self, path: str) -> bytes:
        """A file's bytes, fingerprinted from what was read rather than by reading it again."""
        before = file_stat(path)
        with open(path, "rb") as file:
            data = file.read()
        fingerprint = digest(data)
        if before is not None and before == file_stat(path) and not is_racy(before, self.now_ns):
            self.known[path] = (before, fingerprint)
        self._this_build.setdefault(path, fingerprint)
        return data


class Recorder:
    """What one output read, while it is made."""

    def __init__(self, sources: Sources):
        self.sources = sources
        self.read: dict[tuple[str, str], bytes] = {}
        self.appeal_fields: dict[str, set[str]] = {}
        # Fingerprints of some fields of an appeal, known to be current (``include``): (fields, fingerprint) by slug.
        self._fields_fingerprints: dict[str, tuple[tuple[str, ...], bytes]] = {}

    def note(self, kind: str, name: str, fingerprint: bytes) -> None:
        self.read[(kind, name)] = fingerprint

    def include(self, pieces: Iterable[Dependencies]) -> None:
        """Record as read here what was read in other recordings, all of it
        still as it was: the pieces of this output, made or kept (``parts``)."""
        read, known = self.read, self._fields_fingerprints
        for shared, appeals in pieces:
            read.update(shared)
            for slug, fields, _, fingerprint in appeals:
                earlier = known.get(slug)
                if earlier is not None and earlier[0] != fields:  # two pieces read this appeal: all their fields count
                    self.appeal_fields.setdefault(slug, set()).update(earlier[0], fields)
                known[slug] = (fields, fingerprint)

    def finish(self) -> Dependencies:
        appeals = []
        fields_read, known = self.appeal_fields, self._fields_fingerprints
        for slug in sorted(fields_read.keys() | known.keys()):
            read_here, included = fields_read.get(slug), known.get(slug)
            if read_here is None:  # read by pieces alone: as they recorded it (appeals.json's 10,000 lines)
                assert included is not None
                fields, fingerprint = included
            else:
                fields = tuple(sorted(read_here.union(included[0]) if included is not None else read_here))
                if included is not None and included[0] == fields:
                    fingerprint = included[1]
                else:
                    fingerprint = self.sources.fields_fingerprint(slug, fields)
            appeals.append((slug, fields, self.sources.appeal_fingerprints[slug], fingerprint))
        return Dependencies(tuple(sorted(self.read.items())), tuple(appeals))


_MISSING = "<not a field of an appeal>"
_DIGEST_SIZE = 16


def _attribute_names(cls: type) -> dict[str, int]:
    """Every field and property of a dataclass such as ``Appeal``, numbered."""
    numbers = _numbered.get(cls)
    if numbers is None:
        names = {item.name for item in dataclasses.fields(cls)}
        names |= {name for klass in cls.__mro__ for name, member in vars(klass).items() if isinstance(member, property)}
        numbers = _numbered[cls] = {name: number for number, name in enumerate(sorted(names))}
    return numbers


_numbered: dict[type, dict[str, int]] = {}


def _places(cls: type, fields: tuple[str, ...]) -> tuple[slice | str, ...]:
    """Where the fingerprint of each of ``fields`` is in an appeal's
    ``attribute_fingerprints``, worked out once for a set of fields (a
    listing page fingerprints the same fields of 24 appeals, appeals.json of
    every appeal). A name the appeal lacks (a template's typo) stays a name:
    it counts as read too, and is fingerprinted by its value."""
    found = _placed.get((cls, fields))
    if found is None:
        if len(_placed) > 4096:  # the dev server's templates, edited again and again
            _placed.clear()
        numbers = _attribute_names(cls)
        found = _placed[(cls, fields)] = tuple(
            name if name not in numbers else slice(numbers[name] * _DIGEST_SIZE, (numbers[name] + 1) * _DIGEST_SIZE)
            for name in fields
        )
    return found


_placed: dict[tuple[type, tuple[str, ...]], tuple[slice | str, ...]] = {}


def attribute_fingerprints(item: Any) -> bytes:
    """The fingerprint of each field and property of an appeal, in one string.

    Made once when a story is read (and kept in the cache with it), so that
    what an output read of the appeal is fingerprinted from these, not by
    pickling the fields again for every output (at 10,000 appeals a third of
    a second for appeals.json alone)."""
    parts = []
    for name in _attribute_names(type(item)):
        try:
            parts.append(value_digest(getattr(item, name)))
        except Exception:  # noqa: BLE001 - a property that fails is fingerprinted as failing
            parts.append(value_digest(_MISSING))
    return b"".join(parts)


def current() -> Recorder | None:
    """The recording under way, if an output is being made."""
    return _recording.get()


@contextmanager
def recording(sources: Sources) -> Iterator[Recorder]:
    recorder = Recorder(sources)
    token = _recording.set(recorder)
    try:
        yield recorder
    finally:
        _recording.reset(token)


class Sources:
    """What a build's outputs read: the checked content and the site's values.

    ``values`` computes a derived value by name ("totals", "listing:2"); each is
    worked out once a build, and its fingerprint is what an output records."""

    def __init__(
        self, appeals: dict[str, Any], appeal_fingerprints: dict[str, bytes], pages: dict[str, Any],
        page_fingerprints: dict[str, bytes], values: Callable[[str], Any], files: FileFingerprints,
        appeal_attributes: dict[str, bytes], guard: bytes = b"",
    ):
        self.appeals = appeals
        self.appeal_fingerprints = appeal_fingerprints
        self.appeal_attributes = appeal_attributes  # each appeal's attribute_fingerprints
        # What an appeal's fields depend on besides its own story (the names
        # privacy hides), as its whole fingerprint does: see site.LoadedSite.
        self.guard = guard
        self.pages = pages
        self.page_fingerprints = page_fingerprints
        self.values = values
        self.files = files
        self._values: dict[str, tuple[Any, bytes]] = {}
        self._kept = KeptValues({}, {})  # values the last build worked out, as they would be now
        self._taken: set[str] = set()  # those of them read this build
        self._handed_back: set[str] = set()  # the values this process has handed back already
        # Whether what was read is still so, once a build for each.
        self._same: dict[tuple[Any, bytes], bool] = {}
        self.template_fingerprint: Callable[[str], bytes] = lambda name: b""

    def still(self, read: Read) -> bool:
        """Whether one thing read (see ``Read``) is as it was."""
        if len(read) == 2:
            return self._still(read)  # type: ignore[arg-type]
        slug, fields, whole, part = read
        now = self.appeal_fingerprints.get(slug)  # one for every appeal there is now
        if now is None:
            return False
        # The whole appeal unchanged says it at once; otherwise only the
        # fields the output read count (a story's new paragraph leaves its
        # social card alone).
        return now == whole or self.fields_fingerprint(slug, fields) == part

    def changed_in(self, table: Sequence[Read]) -> set[int]:
        """The positions in ``table`` of what was read and is no longer as it
        was (``still`` of each). A build asks this of some 100,000 reads at
        10,000 appeals: the usual answers (an unchanged appeal, a setting
        already checked) are found here in one loop, not in two calls each."""
        same, now = self._same, self.appeal_fingerprints
        changed = set()
        for number, read in enumerate(table):
            if len(read) == 2:
                found = same.get(read)
                if found is None:
                    found = self._still(read)
            else:
                found = now.get(read[0]) == read[2] or self.still(read)
            if not found:
                changed.add(number)
        return changed

    def fields_fingerprint(self, slug: str, fields: tuple[str, ...]) -> bytes:
        """The fingerprint of some fields of an appeal, as they are now."""
        each = self.appeal_attributes[slug]
        appeal = self.appeals[slug]
        parts = [
            each[place] if type(place) is slice else value_digest(getattr(appeal, place, _MISSING))
            for place in _places(type(appeal), fields)
        ]
        return digest(self.guard, b"".join(parts))  # each part the same length: joined, they cannot collide

    def _still(self, pair: tuple[tuple[str, str], bytes]) -> bool:
        same = self._same.get(pair)
        if same is None:
            (kind, name), recorded = pair
            same = self._same[pair] = self._current(kind, name) == recorded
        return same

    def _current(self, kind: str, name: str) -> bytes | None:
        try:
            if kind == "file":
                return self.files.of(name)
            if kind == "exists":
                return exists_fingerprint(Path(name))
            if kind == "template":
                return self.template_fingerprint(name)
            if kind == "page":
                return self.page_fingerprints.get(name)
            if kind == "value":
                kept = self._kept.fingerprints.get(name)  # what an unchanged value needs, unpickled or not
                return kept if kept is not None and name not in self._values else self.value_and_fingerprint(name)[1]
        except (OSError, KeyError, ValueError, IndexError):
            return None  # gone, or no longer a value of this site: made again
        return None

    def value_and_fingerprint(self, name: str) -> tuple[Any, bytes]:
        found = self._values.get(name)
        if found is None:
            found = self._kept.get(name)
            if found is not None:
                self._taken.add(name)
            else:
                value = self.values(name)
                found = (value, value_digest(value))
            self._values[name] = found
        return found

    def value(self, name: str) -> Any:
        """A derived value, not recorded as read (the build's plan)."""
        return self.value_and_fingerprint(name)[0]

    def learnt(self, dependencies: Dependencies) -> Learnt:
        """What this process found out while a recording read: the stats and
        hashes of its files, and the site values it worked out (each value
        once). A worker hands them back with its work (``learn``), so that
        the build keeps them for the next: else, after a cold build, the next
        would hash every story again, and work out again every value only a
        worker had asked for."""
        values = {}
        for (kind, name), _ in dependencies.shared:
            if kind == "value" and name not in self._handed_back and name in self._values and name not in self._taken:
                values[name] = self._values[name]
                self._handed_back.add(name)
        return self.files.found_in(dependencies), values

    def learn(self, learnt: Learnt) -> None:
        """Take what a worker found out (``learnt``) as found here, this build."""
        files, values = learnt
        self.files.learn(files)
        for name, found in values.items():
            self._values.setdefault(name, found)

    def take_values(self, kept: KeptValues) -> None:
        """Values known to be as they would be worked out now: each is
        unpickled only if it is read (see ``pickled``)."""
        self._kept = kept

    def worked_out(self, wanted: Callable[[str], bool]) -> dict[str, tuple[Any, bytes]]:
        """The values this build worked out (not those it took), of the names ``wanted``."""
        return {name: found for name, found in self._values.items() if wanted(name) and name not in self._taken}


class AppealView:
    """An appeal as an output sees it: each field it reads is recorded."""

    __slots__ = ("_appeal", "_fields")

    def __init__(self, appeal: Any, fields: set[str]):
        object.__setattr__(self, "_appeal", appeal)
        object.__setattr__(self, "_fields", fields)

    def __getattribute__(self, name: str) -> Any:
        # Every lookup comes here first. (A __getattr__ is called only after
        # the normal lookup has failed and raised AttributeError: twice the
        # time, and a card reads some 25 fields.) Python's special names are
        # the view's own, as with any object; its slots are reached only
        # through _own_attribute, so that no template reads around the door.
        if name.startswith("__"):
            try:
                return _own_attribute(self, name)
            except AttributeError:
                pass
        _own_attribute(self, "_fields").add(name)
        return getattr(_own_attribute(self, "_appeal"), name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("an appeal is read-only while outputs are made")

    # A template that shows or compares the appeal itself reads all of it.
    def __repr__(self) -> str:
        return repr(_whole(self))

    def __str__(self) -> str:
        return str(_whole(self))

    def __format__(self, spec: str) -> str:
        return format(_whole(self), spec)

    def __eq__(self, other: object) -> bool:  # and so unhashable, as an appeal is
        if type(other) is AppealView:
            other = _whole(other)
        return bool(_whole(self) == other)


_own_attribute = object.__getattribute__


def _whole(view: AppealView) -> Any:
    """The appeal behind ``view``, every field of it recorded as read."""
    appeal = _own_attribute(view, "_appeal")
    _own_attribute(view, "_fields").update(_attribute_names(type(appeal)))
    return appeal


def appeal(item: Any) -> Any:
    """The appeal, seen through the door when an output is being recorded."""
    recorder = _recording.get()
    if recorder is None or isinstance(item, AppealView):
        return item
    return AppealView(item, recorder.appeal_fields.setdefault(item.slug, set()))


def field_values(item: Any, names: tuple[str, ...]) -> tuple[Any, ...]:
    """Several fields of an appeal at once, each recorded as read when ``item``
    is seen through the door: quicker than one by one for an output that
    reads the same fields of thousands of appeals (appeals.json)."""
    # Plain names only: attrgetter would follow "a.b", recorded as one name.
    assert names and not any("." in name for name in names), names
    values = _field_getter(names)
    if type(item) is AppealView:
        _own_attribute(item, "_fields").update(names)
        return values(_own_attribute(item, "_appeal"))
    return values(item)


@functools.lru_cache(maxsize=64)
def _field_getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    getter = operator.attrgetter(*names)
    return getter if len(names) > 1 else lambda item: (getter(item),)


def page(item: Any) -> Any:
    recorder = _recording.get()
    if recorder is not None:
        recorder.note("page", item.slug, recorder.sources.page_fingerprints[item.slug])
    return item


def value(name: str) -> Any:
    """A derived value of the site by name (see ``Sources``)."""
    recorder = _recording.get()
    if recorder is None:
        raise RuntimeError(f"the site value {name!r} is read outside a build")
    found, fingerprint = recorder.sources.value_and_fingerprint(name)
    recorder.note("value", name, fingerprint)
    return found


class ValueWhenUsed:
    """A site value handed to a template, read (and recorded) only when the
    template looks into it: the site's totals, which a listing's first page
    shows and its later pages do not, so a new total leaves those as they
    are. A theme of the site's own that shows them on every page is recorded
    as reading them there too."""

    __slots__ = ("_name",)

    def __init__(self, name: str):
        object.__setattr__(self, "_name", name)

    def _value(self) -> Any:
        return value(self._name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._value(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a site value is read-only while outputs are made")

    def __bool__(self) -> bool:
        return bool(self._value())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._value())

    def __len__(self) -> int:
        return len(self._value())

    def __getitem__(self, key: Any) -> Any:
        return self._value()[key]

    def __contains__(self, item: Any) -> bool:
        return item in self._value()

    def __str__(self) -> str:
        return str(self._value())

    def __repr__(self) -> str:  # a template's |pprint
        return repr(self._value())

    def __format__(self, spec: str) -> str:
        return format(self._value(), spec)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ValueWhenUsed):
            other = other._value()
        return bool(self._value() == other)

    def __hash__(self) -> int:
        return hash(self._value())


def file_bytes(path: str | Path) -> bytes:
    """A file's bytes (a story, a static file), recorded by their hash."""
    recorder = _recording.get()
    if recorder is None:
        return Path(path).read_bytes()
    name = os.fspath(path)
    data = recorder.sources.files.read(name)
    recorder.note("file", name, recorder.sources.files.of(name))
    return data


def file_path(path: str | Path) -> Path:
    """A file a library opens by name (a font): its hash is recorded."""
    recorder = _recording.get()
    if recorder is not None:
        recorder.note("file", os.fspath(path), recorder.sources.files.of(os.fspath(path)))
    return Path(path)


def exists_fingerprint(path: Path) -> bytes:
    resolved = path.resolve()
    return digest(str(resolved), "file" if resolved.is_file() else "none")


def is_file(path: Path) -> bool:
    """Whether a file is there (links followed), recorded: a story's photo
    found in one folder must be looked for again if another appears."""
    recorder = _recording.get()
    if recorder is not None:
        recorder.note("exists", os.fspath(path), exists_fingerprint(path))
    return path.resolve().is_file()


def template(name: str) -> None:
    """A template the Jinja environment loads (see render.RecordingEnvironment)."""
    recorder = _recording.get()
    if recorder is not None:
        recorder.note("template", name, recorder.sources.template_fingerprint(name))


def file_fingerprint(path: str | Path) -> bytes:
    """The fingerprint of a file that may be missing (a translation), recorded:
    one that appears, changes or goes makes the output again."""
    name = os.fspath(path)
    recorder = _recording.get()
    if recorder is None:
        try:
            return digest(Path(name).read_bytes())
        except OSError:
            return b"missing"
    fingerprint = recorder.sources.files.of(name)
    recorder.note("file", name, fingerprint)
    return fingerprint
