"""The build cache: checked stories and rendered files kept from the last build.

Where it lives. The cache is ``<output>/.totaliser-cache/``, inside the output
folder, because a build may write nothing outside its output folder except the
staging folder beside it. Being inside, the cache is built in staging with
the rest of the site and swapped in with it, so it always describes exactly
the output it sits in: a failed or killed build leaves both untouched. Its
name starts with a dot, so GitHub's Pages upload action (v4 and later) leaves
it out of the published site. Deleting it at any time only makes the next
build a cold one.

What it keeps:

* For every content file (``content-NN.pickle``, 64 files by a hash of the
  path, so that an edit rewrites one of them and the others are linked from
  the last cache): its size, modification time and a hash of its bytes, with
  the checked ``Appeal`` or ``Page``, the warnings it gave and its
  appeals.json record. A file whose bytes are unchanged is not parsed again
  (YAML and Markdown are most of a cold build). An appeal is kept pickled
  beside a small summary of what listings, totals, the feed's order and the
  sitemap read (``StoredAppeal``), and the pickle is read from the file only
  for the appeals rendered again. Files with errors are never kept, and a
  draft is kept only as "a draft" unless the build includes drafts.
* In ``content.pickle``: compiled templates and which templates each
  template uses.
* In ``outputs.pickle``, for every group of output files (an appeal's
  outputs, one index page, the feed, ...): a key made of everything the
  group is rendered from, and each file's size, modification time and inode;
  the same for the spare copy a rebuild starts from (see ``assemble``).
  When the key is the same the files of the previous output are hard-linked
  into staging instead of being rendered: a link copies nothing, and since
  no build writes a file in place, the previous output stays exactly as it
  was. An appeal's outputs are one group in parts, so that a template change
  renders again only the parts that use it.

A process that builds again and again (``serve``) keeps the last build's
cache in memory (``CacheMemory``) and reads it back from disk only when the
files there are no longer the ones it wrote.

Nothing here is trusted blindly. Every key includes a fingerprint of
Totaliser's own code and of the libraries that shape the output; a reused
file must still have the size and time recorded when it was written; a story
whose time changed is hashed; a story's photo must still be the file found
when the story was checked. Any doubt means rendering again.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import shutil
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .cache_entries import DraftMarker, FileEntry, Signature, blob_view, read_entries, summary_of, write_entries
from .errors import Problem, Problems
from .parallel import Background, fork_map, should_fork
from .staging import remove_tree

CACHE_DIR = ".totaliser-cache"
STATE_FILE = "outputs.pickle"  # the output files and their groups, and the spare copy's
CONTENT_FILE = "content.pickle"  # checked content and other results: read for the live output only
SPARE_DIR = "spare"
# The checked stories are kept in this many files (content-NN.pickle), by a
# hash of their path: a build rewrites only those holding a story that
# changed and links the others from the last cache. At 10,000 stories one
# file would be 70 MB, written again for every edit.
SHARDS = 64
SHARD_PREFIX = "content-"
FORMAT = 8
# A file changed less than this long ago may change again within the same
# clock tick without its time changing: its time is not trusted, its bytes are
# hashed (the same care git takes with its index).
RACY_SECONDS = 2.0
# From this many files and folders to check, the check runs in a forked process.
MIN_FORKED_CHECK = 2000
# Libraries whose version changes what a build writes.
_LIBRARIES = ("markdown", "nh3", "yaml", "jinja2", "markupsafe", "PIL", "segno")


def digest(*parts: bytes | str) -> bytes:
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.digest()


def object_digest(value: Any) -> bytes:
    """A hash of a checked object (an Appeal, the settings), through pickle."""
    return digest(pickle.dumps(value, protocol=5))


def code_fingerprint() -> bytes:
    """Changes whenever Totaliser's code, Python or an output-shaping library does."""
    from importlib.util import find_spec

    package = Path(__file__).resolve().parent
    parts: list[bytes | str] = [sys.version, str(FORMAT)]
    for path in sorted(package.rglob("*")):
        # Every file: code, and any data an output reads (a font, say).
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    for name in _LIBRARIES:
        # Where a library is and when its files were written says which
        # version it is, without the cost of importing it.
        try:
            spec = find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec and spec.origin else ""
        stamp = os.stat(origin).st_mtime_ns if origin and os.path.exists(origin) else 0
        parts += [name, origin, str(stamp)]
    return digest(*parts)


FileStamp = tuple[int, int, int]  # an output file's size, modification time (ns) and inode


def _signature(stat: os.stat_result) -> Signature | None:
    if time.time() - stat.st_mtime < RACY_SECONDS:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


@dataclass
class GroupRecord:
    """Output files rendered together from one key."""

    key: bytes
    paths: tuple[str, ...]  # each file's path in the output
    # The source named in messages about each file, or one for them all (an
    # appeal's files all come from its story): 10,000 appeals' records are
    # read and saved by every rebuild, and are a third smaller so.
    sources: str | tuple[str, ...]
    # A group made in parts (an appeal's page, embed, poster, ...): each part's
    # own key (its templates), on top of the key they share (see reuse_parts).
    parts: dict[str, bytes] | None = None

    @classmethod
    def of(cls, key: bytes, files: list[tuple[str, str]], parts: dict[str, bytes] | None = None) -> GroupRecord:
        sources = {source for _path, source in files}
        shared = sources.pop() if len(sources) == 1 else tuple(source for _path, source in files)
        return cls(key, tuple(path for path, _source in files), shared, parts)

    @property
    def files(self) -> list[tuple[str, str]]:
        """Each file's path and source."""
        sources = self.sources
        if isinstance(sources, str):
            return [(path, sources) for path in self.paths]
        return list(zip(self.paths, sources, strict=True))

    def __reduce__(self) -> tuple[Any, ...]:
        # Saved as its fields alone: the quickest to save and read again.
        return (GroupRecord, (self.key, self.paths, self.sources, self.parts))


@dataclass
class _State:
    format: int
    code: bytes
    content_context: bytes = b""
    content: dict[str, FileEntry] = field(default_factory=dict)
    groups: dict[str, GroupRecord] = field(default_factory=dict)
    files: dict[str, FileStamp] = field(default_factory=dict)  # every file of the output
    dirs: dict[str, int | None] = field(default_factory=dict)  # every folder under the top one: mtime_ns
    template_references: dict[bytes, list[str | None]] = field(default_factory=dict)  # source hash -> names it uses
    bytecode: dict[str, bytes] = field(default_factory=dict)  # compiled templates, by Jinja's bucket key
    # The output before last, kept as the spare copy: how its groups and
    # files differ from this output's (None: not in the spare), and its
    # folders. A rebuild changes a few files, so this is small but for the
    # folders (see _spare_difference and _spare_state).
    spare: _State | None = None


class CacheMemory:
    """The last build's cache, kept by a process that builds again and again
    (the dev server): the next build starts from it instead of reading it back
    from disk, as long as the cache files on disk are still the ones it wrote."""

    def __init__(self) -> None:
        self.state: _State | None = None
        self.stamps: tuple[FileStamp | None, ...] | None = None
        self.code: bytes | None = None  # the code running cannot change while the process runs


def _cache_stamps(folder: Path) -> tuple[FileStamp | None, ...]:
    stamps: list[FileStamp | None] = []
    for name in (STATE_FILE, CONTENT_FILE):
        try:
            stat = os.stat(folder / name)
        except OSError:
            stamps.append(None)
        else:
            stamps.append((stat.st_size, stat.st_mtime_ns, stat.st_ino))
    return tuple(stamps)


class Writer(Protocol):
    """The part of ``staging.OutputWriter`` the cache uses."""

    root: Path
    written: dict[str, str]


class BuildCache:
    """The previous build's cache (read) and this build's (written at the end)."""

    def __init__(self, output_dir: Path, memory: CacheMemory | None = None):
        self.output = output_dir.resolve()
        self.memory = memory
        if memory is not None and memory.code is None:
            memory.code = code_fingerprint()
        self.code = memory.code if memory is not None and memory.code is not None else code_fingerprint()
        remembered = self._remembered()
        previous = self._previous = remembered or self._read_outputs()
        # Whether the last output's files are still as written is asked of
        # every file a rebuild reuses: at 10,000 appeals, 80,000 stat calls,
        # made on another core while this process reads the checked content
        # (so started before that is read).
        self._prefix = str(self.output) + os.sep  # string paths: many files are checked, pathlib is slow
        self._spare = _spare_state(previous)
        spare_folders = self._spare.dirs if self._spare is not None else {}
        self._hand_check = Background(
            lambda: _changed_by_hand(self._prefix, previous.files, str(self.output / CACHE_DIR / SPARE_DIR) + os.sep, spare_folders),
            fork=len(previous.files) + len(spare_folders) >= MIN_FORKED_CHECK,
        )
        if remembered is None and not self._read_content_into(previous):
            # No output is reused without the content it was made from, nor
            # is the spare copy (it is deleted: see _take_spare).
            self._previous = _State(FORMAT, b"")
            self._spare = None
        self._state = _State(FORMAT, self.code)
        self.entries: dict[str, FileEntry] = {}  # shown path of a content file -> its cache entry
        self._new_records: set[int] = set()  # entries given a record in this build
        self.hits = 0
        self._recorded: set[str] = set()  # groups recorded anew (rendered in whole or in part)
        self._claimed: dict[str, list[tuple[str, str]]] = {}  # a part-reused group's files, until it is recorded
        self._same_parts: dict[str, bytes] | None = None  # a previous record's parts found equal to this build's
        # Which templates a template uses, by the hash of its source: parsing
        # them all again would cost more than rendering a changed page.
        self.template_references = self._previous.template_references
        self._state.template_references = self.template_references
        # Compiled templates are carried over whole: a build that renders no
        # page must leave them for the next one. (One entry per template file,
        # replaced when it is compiled again, so this does not grow.)
        self._state.bytecode = self._previous.bytecode
        self._rendered: set[str] = set()  # output files rendered in this build (the others are reused)
        self._changed_shards: set[int] = set()  # content files with an entry new or changed in this build

    def digest_of(self, story: str) -> bytes | None:
        """The hash of a content file's checked object, by its shown path."""
        entry = self.entries.get(story)
        return entry.result_digest if entry is not None else None

    def kept_with_stories(self, stories: Sequence[str], compute: Callable[[int], bytes]) -> list[bytes | memoryview]:
        """Bytes made from each story and the settings alone (its appeals.json
        record), in order, kept in the story's cache entry: made again (by
        ``compute``, given the story's index) only when the story changes (a
        change to the settings drops every entry). Asked for all stories at
        once: appeals.json needs every record, and 10,000 calls through
        layers of functions cost more than joining the records."""
        entries = self.entries
        found: list[bytes | memoryview] = []
        for index, story in enumerate(stories):
            entry = entries.get(story)
            if entry is None:
                found.append(compute(index))
                continue
            record = entry.record
            if not record:
                record = entry.record = compute(index)
                self._new_records.add(id(entry))  # its content file is written again
            found.append(blob_view(record))
        return found

    def template_bytecode(self) -> Any:
        """A Jinja bytecode cache kept in this cache: templates are compiled once,
        not in every build. Those of the last build are kept, with any compiled now."""
        import jinja2

        kept = self._state.bytecode

        class _Bytecode(jinja2.BytecodeCache):
            def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
                data = kept.get(bucket.key)
                if data is not None:
                    bucket.bytecode_from_string(data)  # ignored by Jinja if the source changed

            def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
                kept[bucket.key] = bucket.bytecode_to_string()

        return _Bytecode()

    def _remembered(self) -> _State | None:
        memory = self.memory
        if memory is None or memory.state is None or memory.state.code != self.code:
            return None
        if memory.stamps != _cache_stamps(self.output / CACHE_DIR):
            return None  # another build, or a hand, changed the cache since
        return memory.state

    def _read_outputs(self) -> _State:
        """The last build's output files and groups (its content: _read_content_into)."""
        state = _read_state(self.output / CACHE_DIR / STATE_FILE)
        if state is None or state.format != FORMAT or state.code != self.code:
            return _State(FORMAT, b"")
        return state

    def _read_content_into(self, state: _State) -> bool:
        """Add the last build's checked content to its outputs' state;
        whether it could be read."""
        if not state.code:
            return False
        content = _read_content(self.output / CACHE_DIR / CONTENT_FILE)
        if content is None or content.format != FORMAT or content.code != self.code:
            return False
        state.content_context = content.content_context
        state.content = content.content
        state.template_references = content.template_references
        state.bytecode = content.bytecode
        return True

    # -- content ---------------------------------------------------------

    def content_loader(self, context: bytes, site_dir: Path, include_drafts: bool) -> CachedLoader:
        """A loader for ``content.load_content``; ``context`` hashes the settings."""
        context = digest(context, str(site_dir.resolve()), str(include_drafts))
        self._state.content_context = context
        previous = self._previous.content if self._previous.content_context == context else {}
        return CachedLoader(self, previous, site_dir.resolve(), include_drafts)

    # -- outputs ---------------------------------------------------------

    def group_key(self, *parts: bytes | str) -> bytes:
        return digest(self.code, *parts)

    def reuse(self, group: str, key: bytes, writer: Writer) -> bool:
        """Claim a group's files from the previous output if its key is unchanged.

        Nothing is copied yet: ``assemble`` puts the files in place once the
        whole site has rendered."""
        record = self._previous.groups.get(group)
        if record is None or record.key != key:
            return False
        written = writer.written
        changed_by_hand = self._hand_check.result()[0]
        paths = record.paths
        if not written.keys().isdisjoint(paths) or (changed_by_hand and not changed_by_hand.isdisjoint(paths)):
            # Rendered again: changed by hand, or let the writer report the collision.
            return False
        sources = record.sources
        written.update(dict.fromkeys(paths, sources) if isinstance(sources, str) else zip(paths, sources, strict=True))
        self._state.groups[group] = record
        return True

    def reuse_parts(
        self, group: str, key: bytes, parts: dict[str, bytes], writer: Writer, part_of: Callable[[str], str]
    ) -> set[str]:
        """Claim the files of a group made in parts whose own key is unchanged,
        as ``reuse`` does for a whole group; returns the parts to render again
        (every part when the key they share changed). ``part_of`` names the
        part a file of the group belongs to."""
        record = self._previous.groups.get(group)
        if record is None or record.key != key:
            return set(parts)
        # Every record read from the cache shares one parts table: compared once.
        kept_parts = record.parts
        if kept_parts is not self._same_parts:
            if kept_parts is None or kept_parts.keys() != parts.keys():
                return set(parts)
            if kept_parts == parts:
                self._same_parts = kept_parts
        if kept_parts is self._same_parts:
            return set() if self.reuse(group, key, writer) else set(parts)
        assert kept_parts is not None
        # A template changed: keep the parts that do not use it.
        stale = {part for part, part_key in parts.items() if kept_parts[part] != part_key}
        changed_by_hand = self._hand_check.result()[0]
        for relative, _source in record.files:
            if relative in writer.written or relative in changed_by_hand:
                stale.add(part_of(relative))
        claimed = [(relative, source) for relative, source in record.files if part_of(relative) not in stale]
        writer.written.update(claimed)
        self._claimed[group] = claimed
        return stale

    def record(
        self, group: str, key: bytes, files: Iterable[tuple[str, str]], root: Path, parts: dict[str, bytes] | None = None
    ) -> None:
        """Remember the files just written for a group (paths relative to
        ``root``), with those claimed from the last output by reuse_parts."""
        files = list(files)
        self._rendered.update(relative for relative, _source in files)
        self._recorded.add(group)
        self._state.groups[group] = GroupRecord.of(key, self._claimed.pop(group, []) + files, parts)

    def assemble(self, writer: Writer, site: Path) -> Path:
        """Make the complete new site at ``site`` from the files rendered into
        ``writer.root`` and the files reused from the previous output.

        The tree is built from the spare copy of the output before last, kept in
        the cache by the last build, so only what changed since then is moved,
        linked or deleted: a few files, where making the tree afresh would
        create and later delete every file and folder of the site.
        """
        fresh = writer.root
        base = self._take_spare(site)
        prefix = str(site) + os.sep
        rendered = self._rendered
        written = writer.written
        previous = self._previous
        previous_files = previous.files
        # Every file written was rendered or reused from the last output. The
        # reused keep their stamps (the same objects: see _spare_difference);
        # the last output's files not written again go, and counting says
        # whether there are any, without comparing 50,000 names.
        files = self._state.files = dict(previous_files)
        rendered_before = sum(relative in previous_files for relative in rendered)
        if len(previous_files) != len(written) - len(rendered) + rendered_before:
            for relative in previous_files.keys() - written.keys():
                del files[relative]
        if base is None:
            fresh.rename(site)
            for relative in sorted(written.keys() - rendered):
                _link(self.output / relative, site / relative)
            changed: list[str] | None = None
        else:
            # Stale files go first, so that a file and a folder may swap names.
            changed = sorted(base.files.keys() - written.keys())
            for relative in changed:
                _remove_file(site, relative)
            # A reused file's copy in the spare is the live file itself (the
            # same inode, checked by the hand-change check), except where the
            # spare differed from the live output: only those are linked again.
            assert previous.spare is not None  # there is a base only where there is a spare
            differed = [relative for relative in previous.spare.files if relative in written and relative not in rendered]
            for relative in sorted(differed):
                _link(self.output / relative, site / relative, replace=True)
                changed.append(relative)
            for relative in rendered:
                _move(fresh / relative, site / relative)
                changed.append(relative)
        for relative in rendered:
            stat = os.stat(prefix + relative)
            files[relative] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        self._state.dirs = _folder_times(site, writer.written, base.dirs if base else None, changed)
        folder = site / CACHE_DIR
        folder.mkdir(exist_ok=True)
        state = self._state
        # The output this one replaces becomes the spare copy (keep_as_spare).
        if not previous.code:
            state.spare = None
        elif base is None or changed is None:
            state.spare = _spare_difference(previous, state)
        else:
            # Only what this build changed can differ (or be new).
            state.spare = _spare_difference(previous, state, {"groups": self._recorded, "files": rendered, "dirs": _folders(changed)})
        outputs = _State(state.format, state.code, groups=state.groups, files=state.files, dirs=state.dirs, spare=state.spare)
        content = _State(
            state.format, state.code, state.content_context, state.content,
            template_references=state.template_references, bytecode=state.bytecode,
        )
        with (folder / STATE_FILE).open("wb") as handle:
            pickle.dump(outputs, handle, protocol=5)
        # The content file is a header, then the entries in batches: each
        # batch's pickled stories are let go once written, where one big pickle
        # would hold them all until the end (memory, at 10,000 stories).
        entries = content.content
        content.content = {}
        if self.memory is not None:
            # Kept pickled in memory too, so that the next build saves them by copying.
            for entry in entries.values():
                if not entry.blob and entry.result is not None:
                    entry.blob = entry.pickled()
        with (folder / CONTENT_FILE).open("wb") as handle:
            pickle.dump(content, handle, protocol=5)
        content.content = entries
        self._write_shards(entries, folder)
        if self.memory is not None:
            # The files keep their inode and time when the site is swapped in.
            self.memory.state = state
            self.memory.stamps = _cache_stamps(folder)
        return site

    def _write_shards(self, entries: dict[str, FileEntry], folder: Path) -> None:
        """Write the content files whose entries changed; link the others from
        the last cache."""
        shards: dict[int, list[tuple[str, FileEntry]]] = {}
        for key, entry in entries.items():
            number = _shard_of(key)
            shards.setdefault(number, []).append((key, entry))
            if id(entry) in self._new_records:
                self._changed_shards.add(number)
        before: dict[int, set[str]] = {}
        for key in self._previous.content:
            before.setdefault(_shard_of(key), set()).add(key)
        last = self.output / CACHE_DIR
        kept: set[str] = set()
        for number, items in shards.items():
            name = f"{SHARD_PREFIX}{number:02d}.pickle"
            kept.add(name)
            same = number not in self._changed_shards and before.get(number) == {key for key, _ in items}
            if same and (last / name).is_file():
                _link(last / name, folder / name, replace=True)
                continue
            write_entries(folder / f"{name}.totaliser-new", items)
            os.replace(folder / f"{name}.totaliser-new", folder / name)
        # The spare's own cache folder is the new one: what it held of older
        # builds goes (a story deleted, or all of them under first-name privacy).
        for name in os.listdir(folder):
            if name.startswith(SHARD_PREFIX) and name not in kept:
                (folder / name).unlink()

    def _take_spare(self, site: Path) -> _State | None:
        """Move the spare tree to ``site`` if it is exactly as recorded."""
        spare = self.output / CACHE_DIR / SPARE_DIR
        if not spare.is_dir():
            return None
        state = self._spare
        trusted = state is not None and self._hand_check.result()[1]
        # The staging folder's own parent is the only place it may go; a
        # spare that cannot be trusted is deleted there.
        spare.rename(site)
        if not trusted:
            remove_tree(site)
            return None
        return state

    def keep_as_spare(self, previous_tree: Path) -> None:
        """Keep the output just replaced in the new output's cache, for the next build."""
        folder = self.output / CACHE_DIR
        try:
            spare = previous_tree / CACHE_DIR / SPARE_DIR
            if spare.exists():
                remove_tree(spare)
            previous_tree.rename(folder / SPARE_DIR)
        except OSError:
            remove_tree(previous_tree)


@contextlib.contextmanager
def _unpickling() -> Iterator[None]:
    """Python's cycle collector paused while a cache file is read: unpickling
    makes hundreds of thousands of small objects, and the collector would run
    again and again over all of them (at 10,000 appeals, most of the time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _shard_of(key: str) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % SHARDS


def _read_content(path: Path) -> _State | None:
    try:
        with _unpickling():
            with path.open("rb") as handle:
                state = pickle.load(handle)
            if not isinstance(state, _State):
                return None
            for number in range(SHARDS):
                shard = path.with_name(f"{SHARD_PREFIX}{number:02d}.pickle")
                if shard.is_file():  # none for a shard without stories
                    state.content.update(read_entries(shard))
    except Exception:  # noqa: BLE001 - a damaged or foreign cache is only a cold build
        return None
    return state


def _read_state(path: Path) -> _State | None:
    try:
        with _unpickling(), path.open("rb") as handle:
            state = pickle.load(handle)
    except Exception:  # noqa: BLE001 - a damaged or foreign cache is only a cold build
        return None
    return state if isinstance(state, _State) else None


def _spare_difference(spare: _State, output: _State, touched: dict[str, Iterable[str]] | None = None) -> _State:
    """How the spare's groups and files differ from the output's (None: not
    in the spare), and the spare's folders.

    ``touched`` names, by table, what may differ: every name new to the
    output, and every one whose record was made again. Everything else must
    be the very same object in both (a reused record, a stamp copied over).
    At 10,000 appeals comparing all 60,000 names costs more than the rest of
    saving the cache.

    Folders are kept whole: the spare's are other folders than the output's,
    with times of their own, so a difference would hold every one of them."""

    def differences(name: str) -> dict[str, Any]:
        kept: dict[str, Any] = getattr(spare, name)
        current: dict[str, Any] = getattr(output, name)
        if touched is None:
            found = dict.fromkeys(current.keys() - kept.keys())
            compared: Iterable[str] = kept.keys()
        else:
            names = touched[name]
            found = dict.fromkeys(key for key in names if key in current and key not in kept)
            compared = [key for key in names if key in kept]
            # Names in the spare alone (files no longer made): counting says
            # whether there are any before 60,000 names are compared.
            if len(kept) != len(current) - len(found):
                compared.extend(kept.keys() - current.keys())
        for key in compared:
            value = kept[key]
            now = current.get(key)
            if now is not value and now != value:
                found[key] = value
        return found

    folders = dict(spare.dirs)
    new_folders = output.dirs.keys() - spare.dirs.keys() if touched is None else (
        folder for folder in touched["dirs"] if folder in output.dirs and folder not in spare.dirs
    )
    folders.update(dict.fromkeys(new_folders))
    return _State(spare.format, spare.code, groups=differences("groups"), files=differences("files"), dirs=folders)


def _spare_state(output: _State) -> _State | None:
    """The spare's groups, files and folders: the output's, as they differ."""
    difference = output.spare
    if difference is None:
        return None

    def applied(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        kept = dict(current)
        kept.update(changes)
        for name in [name for name, value in changes.items() if value is None]:
            del kept[name]
        return kept

    return _State(
        difference.format, difference.code, groups=applied(output.groups, difference.groups),
        files=applied(output.files, difference.files), dirs=applied(output.dirs, difference.dirs),
    )


def _changed_by_hand(
    prefix: str, files: dict[str, FileStamp], spare_prefix: str, spare_folders: dict[str, int | None]
) -> tuple[set[str], bool]:
    """The last output's files that are no longer as it wrote them (edited,
    replaced or deleted since), and whether every folder of the spare copy
    still has its recorded time (no file added to it or taken from it)."""
    changed = {relative for relative, recorded in files.items() if not _same_file(prefix + relative, recorded)}
    spare_unchanged = all(_folder_time(spare_prefix + folder) == mtime for folder, mtime in spare_folders.items())
    return changed, spare_unchanged


def _same_file(path: str, recorded: FileStamp | None) -> bool:
    if recorded is None:
        return False
    try:
        stat = os.stat(path)
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino) == recorded


def _link(existing: Path, target: Path, replace: bool = False) -> None:
    """Reuse a file of the previous output. A hard link copies nothing, and as
    no build writes a file in place, the previous output stays as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".totaliser-new") if replace else target
    try:
        os.link(existing, temporary)
    except OSError:  # a file system without hard links
        shutil.copy2(existing, temporary)
    if replace:
        os.replace(temporary, target)


def _move(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)


def _remove_file(root: Path, relative: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        (root / relative).unlink()
    # Remove the folders the file leaves empty (an appeal that was deleted).
    parent = Path(relative).parent
    while parent != Path("."):
        try:
            (root / parent).rmdir()
        except OSError:
            break
        parent = parent.parent


def _folders(files: Iterable[str]) -> set[str]:
    folders: set[str] = set()
    for relative in files:
        parent = relative.rpartition("/")[0]  # the output's paths are always written with "/"
        while parent and parent not in folders:
            folders.add(parent)
            parent = parent.rpartition("/")[0]
    return folders


def _folder_time(path: Path | str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _folder_times(
    site: Path, files: Iterable[str], known: dict[str, int | None] | None = None, changed: Iterable[str] | None = None
) -> dict[str, int | None]:
    """When each folder of the site last changed: a file added or removed by
    hand changes its folder's time, and the spare tree is then not used.

    ``known`` holds times already checked (the spare's) and ``changed`` the
    files added, replaced or removed since: only their folders are asked again."""
    root = str(site) + os.sep
    if known is None or changed is None:
        times = {folder: _folder_time(root + folder) for folder in sorted(_folders(files))}
        return {folder: time for folder, time in times.items() if time is not None}
    # Only the folders of changed files can have come or gone: a removed
    # file's folder went with it if it was left empty (_remove_file).
    again = _folders(changed)
    times = {folder: time for folder, time in known.items() if folder not in again}
    for folder in sorted(again):
        found = _folder_time(root + folder)
        if found is not None:
            times[folder] = found
    return times


class CachedLoader:
    """Implements ``content.FileLoader``: unchanged files come from the cache,
    the others are read (in several processes when there are many)."""

    def __init__(self, cache: BuildCache, previous: dict[str, FileEntry], site_root: Path, include_drafts: bool):
        self.cache = cache
        self.previous = previous
        self.site_root = site_root
        self.include_drafts = include_drafts
        self.here = os.getcwd()

    def load_files(self, kind: str, paths: list[Path], read_one: Any, problems: Problems) -> list[Any]:
        found: list[FileEntry | None] = []
        missing: list[int] = []
        for index, path in enumerate(paths):
            entry = self._cached(kind, path)
            found.append(entry)
            if entry is None:
                missing.append(index)

        def read(index: int) -> tuple[Any, list[Problem], bytes | None]:
            path = paths[index]
            before = _read_hash(path)
            own = Problems()
            result = read_one(path, own)
            # A file that changed while it was read is not kept.
            steady = before is not None and before == _read_hash(path)
            return result, own.items, before if steady else None

        fresh = fork_map(read, missing) if should_fork(len(missing)) else [read(index) for index in missing]

        for index, (result, items, file_hash) in zip(missing, fresh, strict=True):
            found[index] = self._remember(kind, paths[index], result, items, file_hash)
        results = []
        for entry in found:
            assert entry is not None
            problems.items.extend(entry.problems)
            result = entry.view()
            results.append(result)
            if entry.result_digest:
                self.cache.entries[result.path] = entry
        return results

    def _key(self, kind: str, path: Path) -> str:
        # The same file, however --site was written: os.path.join(here, path),
        # spelt out (it is asked 10,000 times a build at 10,000 stories).
        text = str(path)
        return f"{kind}:{text}" if os.path.isabs(text) else f"{kind}:{self.here}{os.sep}{text}"

    def _cached(self, kind: str, path: Path) -> FileEntry | None:
        key = self._key(kind, path)
        entry = self.previous.get(key)
        if entry is None:
            return None
        try:
            stat = os.stat(key.partition(":")[2])  # the path as a string: quicker than pathlib
        except OSError:
            return None
        signature = _signature(stat)
        if entry.signature is None or signature != entry.signature:
            if _read_hash(path) != entry.hash:
                return None
            entry.signature = signature
            self.cache._changed_shards.add(_shard_of(key))
        if not self._photo_unchanged(entry):
            return None
        self.cache.hits += 1
        self.cache._state.content[key] = entry
        return entry

    def _photo_unchanged(self, entry: FileEntry) -> bool:
        if entry.photo is None:
            return True
        photo, shadow = entry.photo
        return os.path.isfile(photo) and not (shadow and os.path.isfile(shadow))

    def _remember(self, kind: str, path: Path, result: Any, items: list[Problem], file_hash: bytes | None) -> FileEntry:
        if getattr(result, "status", None) == "draft" and not self.include_drafts:
            # The content of a draft left out is never kept, not even in the cache.
            marker = DraftMarker()
            entry = FileEntry(None, file_hash or b"", marker, items, b"", blob=pickle.dumps(marker, protocol=5))
        else:
            # Hashed through pickle; the pickled bytes are made again when the
            # cache is saved, rather than kept in memory meanwhile.
            result_digest = object_digest(result) if result is not None else b""
            entry = FileEntry(
                None, file_hash or b"", result, items, result_digest, self._photo_of(path, result), summary=summary_of(result)
            )
        has_errors = any(p.is_error for p in items)
        if file_hash is not None and not has_errors:
            try:
                entry.signature = _signature(path.stat())
            except OSError:
                entry.signature = None
            key = self._key(kind, path)
            self.cache._state.content[key] = entry
            self.cache._changed_shards.add(_shard_of(key))
        return entry

    def _photo_of(self, path: Path, result: Any) -> tuple[str, str | None] | None:
        image = getattr(result, "image", None)
        if image is None:
            return None
        # content.resolve_site_file looks beside the story first, then in the
        # site folder: a file appearing beside the story would be used instead.
        shadow = None
        if image.is_relative_to(self.site_root) and not image.is_relative_to(path.parent.resolve()):
            shadow = str(path.parent / image.relative_to(self.site_root))
        return str(image), shadow


def _read_hash(path: Path) -> bytes | None:
    try:
        return digest(path.read_bytes())
    except OSError:
        return None
