"""Linux's inotify through ctypes: be told the moment a file in a watched
folder changes, instead of looking at every file again and again.

Only what `serve` needs: watch folders (one by one; inotify is not recursive),
and read the events, waiting at most a given time. ``Inotify()`` raises
OSError where inotify is missing (not Linux, or a C library without it), and
the caller then falls back to polling.
"""

from __future__ import annotations

import math
import os
import select
import struct
import sys
from dataclasses import dataclass

IN_MODIFY = 0x00000002
IN_ATTRIB = 0x00000004
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_DELETE_SELF = 0x00000400
IN_MOVE_SELF = 0x00000800
IN_Q_OVERFLOW = 0x00004000  # events were lost: the queue was full
IN_IGNORED = 0x00008000  # the watch is gone (its folder was deleted or moved away)
IN_ONLYDIR = 0x01000000
IN_EXCL_UNLINK = 0x04000000
IN_ISDIR = 0x40000000

# Everything that can change what a build reads: a file's bytes, its time
# (touch), and names coming and going in the folder.
FOLDER_EVENTS = (
    IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
    | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK
)

_HEADER = struct.Struct("iIII")  # struct inotify_event: wd, mask, cookie, len; then the name


@dataclass(frozen=True)
class Event:
    path: str  # the folder watched, joined with the name of the file in it (if any)
    mask: int
    name: str


class Inotify:
    def __init__(self) -> None:
        if not sys.platform.startswith("linux"):
            raise OSError("inotify is Linux's")
        import ctypes  # here: slow to import, and only needed where inotify exists

        libc = ctypes.CDLL(None, use_errno=True)  # the C library Python itself uses
        try:
            self._init = libc.inotify_init1
            self._add = libc.inotify_add_watch
        except AttributeError:
            raise OSError("this C library has no inotify") from None
        self._add.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        self._ctypes = ctypes
        fd = self._init(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            errno = ctypes.get_errno()
            raise OSError(errno, os.strerror(errno))
        self.fd: int = fd
        self._poller = select.poll()  # not select(): it fails for a descriptor above 1023
        self._poller.register(fd, select.POLLIN)
        self.folders: dict[int, str] = {}  # watch descriptor -> folder

    def watch(self, folder: str) -> None:
        """Watch one folder (not its subfolders). Raises OSError (ENOSPC: the
        system's limit on watches is reached)."""
        wd = self._add(self.fd, os.fsencode(folder), FOLDER_EVENTS)
        if wd < 0:
            errno = self._ctypes.get_errno()
            raise OSError(errno, os.strerror(errno), folder)
        self.folders[wd] = folder

    def read(self, timeout: float) -> list[Event]:
        """The events waiting, or those that come within ``timeout`` seconds (none: [])."""
        if not self._poller.poll(max(0, math.ceil(timeout * 1000))):
            return []
        events: list[Event] = []
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return events
            offset = 0
            while offset + _HEADER.size <= len(data):
                wd, mask, _cookie, length = _HEADER.unpack_from(data, offset)
                offset += _HEADER.size
                name = os.fsdecode(data[offset:offset + length].rstrip(b"\0"))
                offset += length
                folder = self.folders.get(wd, "")
                if mask & IN_IGNORED:
                    self.folders.pop(wd, None)
                events.append(Event(os.path.join(folder, name) if name else folder, mask, name))

    def close(self) -> None:
        os.close(self.fd)
