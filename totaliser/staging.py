"""Writing the output folder safely: the only module that knows how.

A build fills a folder that is not the output (a staging folder beside it,
named after it, or the spare copy of an earlier output kept in the cache
folder) and, once every file is there, swaps it with the output folder in one
step. An error or a killed build leaves the previous output exactly as it was;
nothing outside the output folder, its staging folder and the cache folder is
ever written or deleted.

The spare copy is what makes a rebuild cheap: it is the output of the build
before last, so turning it into the new output changes only the files that
differ, and the output it replaces becomes the next spare. The caller says,
for each file, either its new bytes or that the file in the current output is
still right (``Staging.write`` and ``Staging.fill``), and never sees which
folder is being filled.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
from pathlib import Path

from .errors import UsageError
from .fingerprint import digest


def check_output_folder(output_dir: Path, site_dir: Path) -> None:
    """Refuse output folders whose replacement would destroy something else."""
    output = output_dir.resolve()
    site = site_dir.resolve()
    home = Path.home().resolve()
    if output == site or output in site.parents:
        raise UsageError(f"refusing to build into {output_dir}: it is the site folder or holds it")
    if output == home or output in home.parents or output == Path(output.anchor):
        raise UsageError(f"refusing to build into {output_dir}: it is the home folder, holds it, or is the root of the disk")
    # .git too: replacing it would lose the site's whole history.
    for protected in ("content", "templates", "static", ".git"):
        folder = (site / protected).resolve()
        if output == folder or folder in output.parents or output in folder.parents:
            raise UsageError(f"refusing to build into {output_dir}: it would overwrite the site's {protected}/ folder")
    if output.exists() and not output.is_dir():
        raise UsageError(f"refusing to build into {output_dir}: it is a file, not a folder")
    if output.is_dir() and not _written_by_totaliser(output):
        shown = ", ".join(sorted(_own_entries(output))[:3])
        raise UsageError(
            f"refusing to build into {output_dir}: it holds files that Totaliser did not write ({shown}), "
            "and a build replaces the whole folder. Give --output a new or empty folder, "
            "or move those files somewhere else first"
        )


# Files a desktop puts into any folder it shows: they do not make a folder someone's.
_DESKTOP_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}
# Every build writes these at the top of its output: appeals.json opens with
# one of these lines (as builds write it now, and as earlier ones did), and
# .nojekyll is empty (see outputs/feeds.py).
_APPEALS_JSON_STARTS = (b'{"appeals": [', b'{\n  "appeals": [')


def _own_entries(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if name not in _DESKTOP_FILES]


def _written_by_totaliser(folder: Path) -> bool:
    """Whether a folder is empty or is a site a build wrote (so replacing it loses nothing).

    Recognised by the layout every build writes rather than by a marker file,
    so that outputs built before this check existed are still accepted.
    """
    entries = _own_entries(folder)
    if not entries:
        return True
    if not {"index.html", "appeals.json", ".nojekyll"} <= set(entries):
        return False
    try:
        with open(folder / "appeals.json", "rb") as opened:
            start = opened.read(max(map(len, _APPEALS_JSON_STARTS)))
        return start.startswith(_APPEALS_JSON_STARTS) and (folder / ".nojekyll").stat().st_size == 0
    except OSError:
        return False


Manifest = dict[str, bytes]  # relative path -> fingerprint of its bytes
# A folder's inode and change time. Renaming a folder, or adding or removing
# a file at its top, changes them: a folder that still has the identity
# recorded after a build is the folder that build made.
Identity = tuple[int, int]


def staging_folder(output_dir: Path) -> Path:
    output = output_dir.resolve()
    return output.parent / f".{output.name}.staging"


def identity(folder: Path) -> Identity | None:
    try:
        stat = os.stat(folder)
    except OSError:
        return None
    return (stat.st_ino, stat.st_ctime_ns)


def folder_manifest(folder: Path) -> tuple[Manifest, bool]:
    """Every file a folder holds, by the fingerprint of its bytes; and whether
    that is all it holds (no link, no empty folder, nothing else), so that
    the manifest describes it whole."""
    if os.path.islink(folder):
        return {}, False  # a link to somewhere else: nothing a build wrote
    found: Manifest = {}
    whole = True
    pending = [("", str(folder))]
    while pending:
        prefix, path = pending.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:
            return {}, False
        if prefix and not entries:
            whole = False
        for entry in entries:
            relative = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                pending.append((relative + "/", entry.path))
            elif entry.is_file(follow_symlinks=False):
                try:
                    with open(entry.path, "rb") as file:
                        found[relative] = digest(file.read())
                except OSError:
                    whole = False  # gone, or not readable
            else:
                whole = False
    return found, whole


def remove_tree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


class Staging:
    """A folder being filled with the next output.

    ``present`` is what the folder already holds (a spare copy's files, by
    fingerprint); ``current`` is the output folder whose files ``fill`` links."""

    def __init__(self, root: Path, current: Path, present: Manifest, from_spare: bool):
        self.root = root
        self.current = current
        self.present = present
        self.from_spare = from_spare
        self.manifest: Manifest = {}
        self._folders: set[str] = {""}

    def fill(self, new: list[tuple[str, str, bytes]], kept: Manifest) -> set[str]:
        """Note every file of the new output. ``new``: (path, source,
        fingerprint) of those made by this build, written already. ``kept``:
        the current output's files that are still right, linked here where
        the folder lacks them; an earlier build claimed them together, so
        none is there twice. Refuses two sources writing one path, and new
        paths that leave the folder. Returns the kept files that the current
        output no longer has (deleted by hand), to be made again."""
        written: dict[str, str] = {}
        for relative, source, fingerprint in new:
            if relative in written or relative in kept:
                raise OutputCollision(relative, written.get(relative, "an earlier output"), source)
            if _PLAIN_RELATIVE.fullmatch(relative) is None:
                parts = Path(relative).parts
                if not parts or Path(relative).is_absolute() or ".." in parts:
                    raise ValueError(f"output path outside the output folder: {relative}")
            written[relative] = source
            self.manifest[relative] = fingerprint
        self.manifest.update(kept)
        present = self.present
        missing = set()
        for relative, fingerprint in kept.items():
            if present.get(relative) != fingerprint:
                try:
                    os.link(self.current / relative, self._place(relative))
                except (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError):
                    missing.add(relative)  # gone, or a folder now: its output is made again
        return missing

    def forget(self, relative: str, fingerprint: bytes) -> None:
        """Take back a file ``fill`` noted, before its output is made again.
        One it linked is removed: written over in place, the current
        output's copy would change with it."""
        self.manifest.pop(relative, None)
        if self.present.get(relative) != fingerprint:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(self.root, relative))

    def write(self, relative: str, data: bytes, fingerprint: bytes) -> None:
        """Write a file (from any process); unless the folder already has it."""
        if self.present.get(relative) != fingerprint:
            _write_new(self._place(relative), data)

    def _place(self, relative: str) -> str:
        folder, _, _ = relative.rpartition("/")
        if folder not in self._folders:
            try:
                os.makedirs(os.path.join(self.root, folder), exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                if not self.from_spare:
                    raise
                self._clear_way(folder)  # the spare has a file where a folder now is
                os.makedirs(os.path.join(self.root, folder), exist_ok=True)
            self._folders.add(folder)
        path = os.path.join(self.root, relative)
        if self.from_spare:
            # Never written in place: the old file may be linked into the live output.
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            except (IsADirectoryError, PermissionError):
                shutil.rmtree(path)  # the spare has a folder where a file now is
        return path

    def _clear_way(self, folder: str) -> None:
        parts = folder.split("/")
        for end in range(1, len(parts) + 1):
            path = os.path.join(self.root, *parts[:end])
            if os.path.islink(path) or os.path.isfile(path):
                os.unlink(path)

    def clear_leftovers(self) -> None:
        """Remove what the folder held that the new output does not."""
        emptied: set[str] = set()
        for relative in self.present.keys() - self.manifest.keys():
            # Gone already, or now a folder of the new output.
            with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError, NotADirectoryError):
                os.unlink(os.path.join(self.root, relative))
            emptied.add(relative.rpartition("/")[0])
        for folder in sorted(emptied, key=lambda name: -name.count("/")):
            while folder:
                try:
                    os.rmdir(os.path.join(self.root, folder))
                except OSError:
                    break  # not empty: something of the new output is in it
                folder = folder.rpartition("/")[0]


class OutputTree:
    """The output folder, and where a build fills the next one."""

    def __init__(self, output_dir: Path, spare_dir: Path | None):
        self.output = output_dir.resolve()
        self.spare = spare_dir
        self.staging_dir = staging_folder(output_dir)

    def keeps_spare(self) -> bool:
        """Whether the output this build replaces will be kept as the spare."""
        return self.spare is not None and _same_disk(self.output.parent, self.spare.parent.parent)

    def begin(self, spare_manifest: Manifest | None) -> Staging:
        """Start the next output in the staging folder: from the spare copy
        when ``spare_manifest`` says what it holds, else from nothing. The
        spare is moved there first, so a build killed while it is half
        changed leaves no spare to be trusted, only a staging folder that the
        next build clears."""
        remove_tree(self.staging_dir)
        if self.spare is not None and spare_manifest is not None and self.spare.is_dir():
            self.spare.rename(self.staging_dir)
            return Staging(self.staging_dir, self.output, dict(spare_manifest), from_spare=True)
        if self.spare is not None:
            remove_tree(self.spare)  # not known to be what it holds: of no use
        self.staging_dir.mkdir(parents=True)
        return Staging(self.staging_dir, self.output, {}, from_spare=False)

    def swap(self, staging: Staging) -> None:
        """Make the staging folder the output in one step. The output it
        replaces becomes the spare, or is deleted where there is no spare."""
        staging.clear_leftovers()
        if not self.output.exists():
            self.staging_dir.rename(self.output)
            return
        if not _exchange(self.staging_dir, self.output):
            self._swap_by_renames()
            return
        if self.spare is not None and self.keeps_spare():
            self.spare.parent.mkdir(parents=True, exist_ok=True)
            self.staging_dir.rename(self.spare)
        else:
            remove_tree(self.staging_dir)

    def _swap_by_renames(self) -> None:
        # Without an atomic exchange (not Linux), the old output is moved aside
        # for the instant between two renames, then deleted.
        previous = self.staging_dir.with_name(self.staging_dir.name + "-previous")
        remove_tree(previous)
        self.output.rename(previous)
        self.staging_dir.rename(self.output)
        remove_tree(previous)

    def abandon(self) -> None:
        remove_tree(self.staging_dir)


def _same_disk(first: Path, second: Path) -> bool:
    try:
        return os.stat(first).st_dev == os.stat(second).st_dev
    except OSError:
        return False


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two folders with Linux's renameat2; False where unsupported."""
    import ctypes  # here, not at the top: it is slow to import and needed once a build

    try:
        # The C library this Python runs on, already loaded: finding it by
        # name (ctypes.util.find_library) runs `ldconfig -p` in a new process.
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):  # not Linux, or a C library without renameat2
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(second))


# A relative path of plain names: no part empty, "." or "..", nothing a
# system could read as a root, a drive or another separator.
_PLAIN_RELATIVE = re.compile(r"(?:[A-Za-z0-9_][A-Za-z0-9_.-]*/)*[A-Za-z0-9_][A-Za-z0-9_.-]*")


def _write_new(path: str, data: bytes) -> None:
    # os.open and os.write rather than open(): no buffer, no text layer and no
    # terminal check for a file written once, whole.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


class OutputCollision(Exception):
    """Two sources would write the same output file."""

    def __init__(self, relative: str, first: str, second: str):
        super().__init__(f"{second} and {first} would both write {relative}")
        self.relative = relative
        self.first = first
        self.second = second
