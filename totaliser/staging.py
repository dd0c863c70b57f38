"""Writing the output folder safely.

A build writes into a staging folder beside the output folder, named after it,
and swaps it in whole when it is complete. An error or a killed build leaves
the previous output exactly as it was; nothing outside the output folder (and
its staging folder) is ever written or deleted.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from pathlib import Path

from .errors import UsageError


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
# Every build writes these at the top of its output: appeals.json always
# opens with this line, and .nojekyll is empty (see outputs/feeds.py).
_APPEALS_JSON_START = b'{\n  "appeals": ['


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
            start = opened.read(len(_APPEALS_JSON_START))
        return start == _APPEALS_JSON_START and (folder / ".nojekyll").stat().st_size == 0
    except OSError:
        return False


def staging_folder(output_dir: Path) -> Path:
    output = output_dir.resolve()
    return output.parent / f".{output.name}.staging"


def prepare_staging(output_dir: Path) -> Path:
    """An empty staging folder; one left by a killed build is cleared first."""
    staging = staging_folder(output_dir)
    remove_tree(staging)
    staging.mkdir(parents=True)
    return staging


def remove_tree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def swap_in(staging: Path, output_dir: Path, keep_previous: bool = False) -> Path | None:
    """Make the staging folder the output folder in one step, then delete the old one
    (or, with ``keep_previous``, return where it now is, inside the staging folder)."""
    output = output_dir.resolve()
    if not output.exists():
        staging.rename(output)
        return None
    if _exchange(staging, output):
        if keep_previous:
            return staging  # it now holds the previous output
        remove_tree(staging)
        return None
    # Without an atomic exchange (not Linux), the old output is moved aside
    # under the staging folder's name for the instant between two renames.
    previous = staging.with_name(staging.name + "-previous")
    remove_tree(previous)
    output.rename(previous)
    staging.rename(output)
    if keep_previous:
        return previous
    remove_tree(previous)
    return None


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
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


# A relative path of plain names: no part empty, "." or "..", nothing a
# system could read as a root, a drive or another separator.
_PLAIN_RELATIVE = re.compile(r"(?:[A-Za-z0-9_][A-Za-z0-9_.-]*/)*[A-Za-z0-9_][A-Za-z0-9_.-]*")


class OutputWriter:
    """Writes files into the staging folder, refusing to write one path twice."""

    def __init__(self, root: Path):
        self.root = root
        self.written: dict[str, str] = {}
        # Folders made so far: a cold build writes thousands of files, and
        # asking the disk to make each one's folder again costs a system call.
        self._folders: set[str] = {""}

    def _target(self, relative: str, source: str) -> str:
        if relative in self.written:
            raise OutputCollision(relative, self.written[relative], source)
        # Names the build makes ("appeals/x/index.html") pass the quick check;
        # anything else is read as a path (a cold build writes thousands).
        if _PLAIN_RELATIVE.fullmatch(relative) is None:
            parts = Path(relative).parts
            if not parts or Path(relative).is_absolute() or ".." in parts:
                raise ValueError(f"output path outside the output folder: {relative}")
        self.written[relative] = source
        folder, _, _ = relative.rpartition("/")
        if folder not in self._folders:
            path = os.path.join(self.root, folder)
            try:
                parent = folder.rpartition("/")[0]
                if parent and parent in self._folders:
                    os.mkdir(path)  # its parent is made: one system call, not makedirs' two or more
                else:
                    os.makedirs(path)
            except FileExistsError:
                if not os.path.isdir(path):  # as makedirs(exist_ok=True): only a folder will do
                    raise
            self._folders.add(folder)
        return os.path.join(self.root, relative)

    def write_text(self, relative: str, text: str, source: str = "the build") -> None:
        _write_new(self._target(relative, source), text.encode("utf-8"))

    def write_bytes(self, relative: str, data: bytes, source: str = "the build") -> None:
        _write_new(self._target(relative, source), data)

    def copy_file(self, relative: str, source_path: Path, source: str) -> None:
        shutil.copyfile(source_path, self._target(relative, source))

    def register(self, relative: str, source: str) -> None:
        """Claim a path that another process has written into the same folder."""
        self._target(relative, source)


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
