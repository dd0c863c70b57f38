"""What `serve` watches, and how it learns that something changed.

The files a build reads are ``site.yaml`` and everything in ``content/``,
``templates/`` and ``static/`` (never the output or staging folder, even
inside one of those). A *snapshot* records each one's time, size and inode;
comparing two snapshots says which changed, and that comparison always has
the last word.

On Linux, watchdog's observer (over inotify) says at once that something
changed, and when a file being written is closed, so a save is noticed within
a few milliseconds instead of at the next look. The snapshots still run, once
a second, as a safety net: for file systems that send no events (a network
share, a folder shared into a virtual machine), a full event queue, or a
folder made in the instant before it was watched. Elsewhere, where no event
says that a save is finished, or if inotify cannot be used (no watches left),
the folders are polled.

Either way a rebuild waits until the changes have *settled*, so that an
editor's save (often several steps: write a new file, rename the old one
away, rename the new one into place) or a ``git pull`` gives one rebuild of
the finished files, never one of a half-written story.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .staging import staging_folder

WATCHED_FOLDERS = ("content", "templates", "static")
WATCHED_FILES = ("site.yaml",)

# Polling (no events): a snapshot stats every watched file, about 5 ms for a
# thousand stories, so polling often costs little and keeps save-to-reload
# short. A large site is polled less often: a snapshot takes at most a tenth
# of the time.
POLL_SECONDS = 0.05
POLL_SHARE = 0.1
# Polling: changes have settled when two snapshots this far apart agree.
SETTLE_SECONDS = 0.05

# With events, the safety-net snapshot runs this often (or less, for a large site).
SAFETY_POLL_SECONDS = 1.0
# With events, changes have settled after this long without one, when no file
# is still being written and none has been removed without coming back. An
# editor's save is a few system calls in a row, microseconds apart; this
# quiet time covers one that is paused by a busy machine, coalesces the files
# of a `git pull` into one rebuild, and is longer than a file time's tick (up
# to 10 ms), so a save just after a snapshot always gives the file a new time.
EVENT_SETTLE_SECONDS = 0.02
# How long a file opened for writing (and not yet closed), or removed, is
# waited for, counted from the last event: then the build goes ahead. An
# editor that renames the old file away before writing the new one leaves the
# story missing for a moment; a story really deleted shows this much later.
HOLD_SECONDS = 0.5
# A watcher waiting for events looks this often whether it should stop.
STOP_CHECK_SECONDS = 0.1
# watchdog holds the first half of a move (a file renamed away) for up to
# half a second while it looks for the second; a change the safety net sees
# waits this long for its events before it counts as one that came without.
MOVE_PAIRING_SECONDS = 0.6


# Per file: modification time, size and inode (editors that save by writing a
# new file and renaming it over the old one change the inode).
Snapshot = dict[str, tuple[int, int, int]]


def changed_paths(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def _not_content(name: str) -> bool:
    # Editors' swap and backup files and raise's temporary files are not content.
    return name.startswith(".") or name.endswith("~")


class SourceWatcher:
    """Takes snapshots (modification time, size and inode) of the files a build
    reads, and learns of changes to them."""

    def __init__(self, site_dir: Path, output_dir: Path):
        self.site_dir = site_dir
        self.site = str(site_dir)
        # Never watch what the build writes, even if it lies inside a watched folder.
        self.ignored = (output_dir.resolve(), staging_folder(output_dir))

    def snapshot(self) -> Snapshot:
        # Plain strings, not Path objects: this runs often, and pathlib would
        # cost more than the stat calls themselves.
        found: Snapshot = {}
        site = self.site
        for name in WATCHED_FILES:
            self._add(os.path.join(site, name), name, found)
        for folder in WATCHED_FOLDERS:
            root = os.path.join(site, folder)
            if not os.path.isdir(root):
                continue
            for directory, subdirs, files in os.walk(root):
                subdirs[:] = [d for d in subdirs if self.wanted_folder(directory, d)]
                shown = os.path.relpath(directory, site).replace(os.sep, "/")
                for file_name in files:
                    if not _not_content(file_name):
                        self._add(os.path.join(directory, file_name), f"{shown}/{file_name}", found)
        return found

    def updated(self, last: Snapshot, names: set[str]) -> Snapshot:
        """``last`` with only the named files looked at again: what events said
        changed, without the cost of a whole snapshot (50 ms at 10,000 stories)."""
        current = dict(last)
        for name in names:
            current.pop(name, None)
            self._add(os.path.join(self.site, name), name, current)
        return current

    def wanted_folder(self, parent: str, name: str) -> bool:
        return not name.startswith(".") and not self._ignored(Path(parent, name))

    def _ignored(self, path: Path) -> bool:
        resolved = path.resolve()
        return any(resolved == ignored or ignored in resolved.parents for ignored in self.ignored)

    @staticmethod
    def _add(path: str, name: str, found: Snapshot) -> None:
        try:
            stat = os.stat(path)
        except OSError:
            return
        found[name] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)

    @contextlib.contextmanager
    def events(self) -> Iterator[FolderEvents | None]:
        """inotify on the watched folders from now on (events are kept until
        ``changes`` reads them), or None where it cannot be used."""
        try:
            events = FolderEvents(self)
        except OSError:
            yield None  # not Linux, or no inotify watches left: poll
            return
        try:
            yield events
        finally:
            events.close()

    def changes(self, last: Snapshot, stopping: threading.Event, events: FolderEvents | None) -> Iterator[list[str]]:
        """The watched files that changed since ``last`` (shown paths, sorted),
        each time changes have settled, until ``stopping`` is set: told by
        ``events``, or by polling if that is None."""
        if events is None:
            yield from self._polled_changes(last, stopping)
        else:
            yield from self._event_changes(last, stopping, events)

    def _polled_changes(self, last: Snapshot, stopping: threading.Event) -> Iterator[list[str]]:
        interval = POLL_SECONDS
        while not stopping.wait(interval):
            started = time.monotonic()
            current = self.snapshot()
            interval = max(POLL_SECONDS, (time.monotonic() - started) / POLL_SHARE)
            if current == last:
                continue
            # Wait for the changes to settle: an editor saving, or a git pull
            # touching many files, gives one rebuild, not one per file.
            while not stopping.wait(SETTLE_SECONDS):
                settled = self.snapshot()
                if settled == current:
                    break
                current = settled
            if stopping.is_set():
                return
            changed = changed_paths(last, current)
            last = current
            yield changed

    def _event_changes(self, last: Snapshot, stopping: threading.Event, events: FolderEvents) -> Iterator[list[str]]:
        interval = SAFETY_POLL_SECONDS
        missed = False  # a change came without events: this file system sends none, so look often
        next_look = time.monotonic() + interval
        while not stopping.is_set():
            took = 0.0
            if events.wait(min(STOP_CHECK_SECONDS, max(0.0, next_look - time.monotonic()))):
                touched = events.settle(stopping)
                # Only the files the events name are looked at again, unless a
                # folder came or went (or events were lost): then all of them.
                current = self.snapshot() if events.whole else self.updated(last, touched)
            elif time.monotonic() >= next_look:
                # The safety net's look, with no event to say why.
                started = time.monotonic()
                current = self.snapshot()
                took = time.monotonic() - started
                touched = set()
                if current != last:
                    if events.wait(MOVE_PAIRING_SECONDS):  # events came meanwhile: they say what changed
                        touched = events.settle(stopping)
                    else:
                        missed = True
                        # Seen by the safety net alone: settle the slow way.
                        while not stopping.wait(SETTLE_SECONDS):
                            settled = self.snapshot()
                            if settled == current:
                                break
                            current = settled
                    current = self.snapshot()
                interval = max(POLL_SECONDS if missed else SAFETY_POLL_SECONDS, took / POLL_SHARE)
                next_look = time.monotonic() + interval
            else:
                continue
            if stopping.is_set():
                return
            # A file written again within one tick of the file clock, to the
            # same size, has the same snapshot: its events still count.
            changed = sorted(set(changed_paths(last, current)) | (touched & current.keys()))
            last = current
            if changed:
                yield changed


class FolderEvents:
    """Events from watchdog's observer (inotify, on Linux) on the site folder
    (for site.yaml, and the watched folders coming and going) and on each
    watched folder and everything in it."""

    def __init__(self, watcher: SourceWatcher):
        # Only where a save's end is told (a file written is closed): inotify.
        # Elsewhere, events would make every save wait the whole hold; polling is quicker.
        if not sys.platform.startswith("linux"):
            raise OSError("file events are used on Linux only")
        from watchdog.observers.inotify import InotifyObserver

        self.watcher = watcher
        self.site = watcher.site
        self.real_site = os.path.realpath(self.site)
        # The observer's thread puts each event here; the watcher's thread takes them.
        self.queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.handler = _queueing_handler(self.queue)
        # Full events: a file moved in from outside comes as a move ("" -> dest), not as a creation.
        self.observer = InotifyObserver(generate_full_events=True)
        # Each watched folder's real path (it may be a link to another place) and watch.
        self.folders: dict[str, tuple[str, Any]] = {}
        try:
            self.observer.schedule(self.handler, self.real_site, event_filter=_event_types())
            for folder in WATCHED_FOLDERS:
                self._watch_folder(folder)
            self.observer.start()
        except OSError:
            self.close()
            raise
        self.pending: list[tuple[str, str, bool]] = []
        # Between settles: files opened for writing and not yet closed, and
        # files removed and not (yet) back. Shown paths.
        self.writing: set[str] = set()
        self.removed: set[str] = set()
        self.created: set[str] = set()  # made since the last settle: its removal is no loss
        self.whole = False  # the last settle saw a folder come or go, or lost events: look at every file

    def _watch_folder(self, folder: str) -> None:
        """Watch a watched folder and all it holds (again, if it was made anew)."""
        root = os.path.join(self.site, folder)
        if folder in self.folders:
            _, watch = self.folders.pop(folder)
            with contextlib.suppress(KeyError, OSError):
                self.observer.unschedule(watch)
        if not os.path.isdir(root) or not self.watcher.wanted_folder(self.site, folder):
            return
        real = os.path.realpath(root)
        self.folders[folder] = (real, self.observer.schedule(self.handler, real, recursive=True, event_filter=_event_types()))

    def wait(self, timeout: float) -> bool:
        """Whether something watched changed within ``timeout`` seconds."""
        self.pending = self._relevant(self._read(timeout))
        return bool(self.pending)

    def _read(self, timeout: float) -> list[Any]:
        """The events waiting, or those that come within ``timeout`` seconds (none: [])."""
        try:
            events = [self.queue.get(timeout=timeout) if timeout > 0 else self.queue.get_nowait()]
        except queue.Empty:
            return []
        while True:
            try:
                events.append(self.queue.get_nowait())
            except queue.Empty:
                return events

    def settle(self, stopping: threading.Event) -> set[str]:
        """Wait until the changes have settled; the shown paths of the files they touched."""
        touched: set[str] = set()
        self.whole = False
        last_event = time.monotonic()
        events = self.pending
        while True:
            for event in events:
                self._note(event, touched)
            if events:
                last_event = time.monotonic()
            if stopping.is_set():
                break
            quiet = time.monotonic() - last_event
            if quiet >= EVENT_SETTLE_SECONDS and (not (self.writing or self.removed) or quiet >= HOLD_SECONDS):
                break
            wait = EVENT_SETTLE_SECONDS - quiet if quiet < EVENT_SETTLE_SECONDS else HOLD_SECONDS - quiet
            events = self._relevant(self._read(min(wait, STOP_CHECK_SECONDS)))
        self.pending = []
        self.writing.clear()
        self.removed.clear()
        self.created.clear()
        return touched

    def _shown(self, path: str) -> str | None:
        """A path an event names, as the snapshot shows it ("content/appeals/x.md"),
        or None when it is nothing a build reads."""
        parent, name = os.path.split(path)
        if parent == self.real_site:
            return name if name in WATCHED_FILES or name in WATCHED_FOLDERS else None
        for folder, (real, _) in self.folders.items():
            if path == real:
                return folder
            if path.startswith(real + os.sep):
                inside = os.path.relpath(path, real).split(os.sep)
                if any(_not_content(part) for part in inside):
                    return None  # an editor's swap or backup file, or what a hidden folder holds
                return "/".join((folder, *inside))
        return None

    def _relevant(self, events: list[Any]) -> list[tuple[str, str, bool]]:
        """Each event as (kind, shown path, whether it is a folder's); a move as
        the removal of its source and the arrival ("moved_in") of its
        destination, from inside the site or from elsewhere (full events)."""
        kept = []
        for event in events:
            if event.event_type == "events_lost":  # the queue was full: the snapshot will tell
                kept.append(("lost", "", True))
                continue
            if event.is_synthetic:
                continue  # what a folder that came holds: its own event makes the snapshot whole
            sides = [(event.event_type, event.src_path)]
            if event.event_type == "moved":
                # The destination of a move is a finished file, not one being written.
                sides = [("deleted", event.src_path), ("moved_in", event.dest_path)]
            for kind, path in sides:
                shown = self._shown(os.fsdecode(path)) if path else None
                if shown is None:
                    continue
                if "/" not in shown and shown in WATCHED_FOLDERS:  # a folder, or a link to one
                    # A watched folder made, removed or moved: watched (again) from now on;
                    # what it holds already, the whole snapshot finds.
                    with contextlib.suppress(OSError):
                        self._watch_folder(shown)
                kept.append((kind, shown, event.is_directory))
        return kept

    def _note(self, event: tuple[str, str, bool], touched: set[str]) -> None:
        kind, shown, folder = event
        if folder or kind == "lost":
            self.whole = True  # a folder: a whole snapshot says what changed in it
            return
        if "/" not in shown and shown not in WATCHED_FILES:
            self.whole = True  # a file where a watched folder should be
            return
        if kind in ("created", "modified"):
            self.writing.add(shown)
        if kind in ("closed", "deleted"):  # a write ended, or the file is gone
            self.writing.discard(shown)
        if kind == "deleted":
            if shown in self.created:
                self.created.discard(shown)  # a temporary file (vim's "4913", an editor's new copy)
            else:
                self.removed.add(shown)
        if kind in ("created", "moved_in"):
            if shown in self.removed:
                self.removed.discard(shown)  # back, as an editor's save puts it
            else:
                self.created.add(shown)
        touched.add(shown)

    def close(self) -> None:
        self.observer.stop()
        with contextlib.suppress(RuntimeError):  # never started
            self.observer.join()


def _queueing_handler(events: queue.SimpleQueue[Any]) -> Any:
    from watchdog.events import FileSystemEventHandler

    class Queueing(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:
            events.put(event)

    return Queueing()


def _event_types() -> list[Any]:
    """The events asked for: a file's bytes, its time (touch), its write
    ending, names coming and going, and events lost (the queue was full).
    Not a folder's "modified", which comes with every change in it."""
    from watchdog import events

    return [
        events.FileCreatedEvent, events.FileModifiedEvent, events.FileAttribEvent, events.FileClosedEvent,
        events.FileDeletedEvent, events.FileMovedEvent, events.DirCreatedEvent, events.DirDeletedEvent,
        events.DirMovedEvent, events.EventsLostEvent,
    ]
