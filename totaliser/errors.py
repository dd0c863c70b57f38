"""Problems found in a site's content, each tied to a file, a line and a field.

Loading never stops at the first problem: every check appends to a ``Problems``
collection, and the build stops once, after everything has been read, if any
error was found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple


class Problem(NamedTuple):
    """One error or warning, printed as ``path:line: field: message``.

    A named tuple: the cache keeps every story's warnings, and 25,000 of
    them (10,000 stories) load in a quarter of the time of a dataclass's."""

    path: str
    line: int
    field: str
    message: str
    is_error: bool = True

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        label = "" if self.is_error else "warning: "
        if self.field:
            return f"{where}: {label}{self.field}: {self.message}"
        return f"{where}: {label}{self.message}"


@dataclass
class Problems:
    """Errors and warnings gathered while loading a site."""

    items: list[Problem] = field(default_factory=list)

    def error(self, path: str, line: int, field_name: str, message: str) -> None:
        self.items.append(Problem(path, line, field_name, message, True))

    def warn(self, path: str, line: int, field_name: str, message: str) -> None:
        self.items.append(Problem(path, line, field_name, message, False))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if not p.is_error]

    def extend(self, other: Problems) -> None:
        self.items.extend(other.items)

    def sort_lines_from(self, start: int) -> None:
        """Put the problems recorded since ``start`` (one file's) in line order,
        so that a user can read them top to bottom beside the file."""
        self.items[start:] = sorted(self.items[start:], key=lambda p: p.line)


class ContentErrors(Exception):
    """Raised when a site cannot be built because its content has errors.
    ``loaded``: the content that did load (``site.LoadedSite``), when the
    errors are in some stories, to look for errors elsewhere (``checks``)."""

    def __init__(self, problems: Problems, loaded: Any = None):
        self.problems = problems
        self.loaded = loaded
        count = len(problems.errors)
        super().__init__(f"{count} error{'s' if count != 1 else ''} in the content")


class UsageError(Exception):
    """A command was given options that cannot work (exit status 2)."""


def display_path(path: Path, site_dir: Path) -> str:
    """The path as a user knows it: relative to the site folder when inside it.

    Resolved paths are tried too, for a site folder given as "." or through a link.
    """
    try:
        return path.relative_to(site_dir).as_posix()
    except ValueError:
        pass
    # Only now: resolving asks the disk about every folder on the way.
    try:
        return path.resolve().relative_to(site_dir.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
