"""The static files: the theme's assets, then the site's own ``static/`` over them.

A story's photo is published in web sizes beside its page, so its full-size
original (often named after the child) is not copied; other pictures are
copied without their metadata (a location, a name).
"""

from __future__ import annotations

import os
from pathlib import Path

from .. import reads
from ..errors import Problems
from ..pictures import is_picture, publishable_picture
from ..render import theme_folder

# The theme's own assets. The rest of the repository's static/ folder (the
# example site's logo and photos) belongs to the example, not to every site.
THEME_ASSETS = ("css/", "js/", "fonts/", "images/favicon.svg")


def static_sources(site_dir: Path) -> dict[str, Path]:
    """Every file that goes into output/static/, by its path there."""
    theme = theme_folder("static")
    files = {
        relative: path
        for relative, path in _files_under(theme, theme.resolve()).items()
        if relative.startswith(THEME_ASSETS)
    }
    files.update(_files_under(site_dir / "static", site_dir.resolve()))
    return files


def published_bytes(path: Path, shown: str, problems: Problems) -> bytes | None:
    """What is published of a static file: pictures with their pixels and
    nothing else (or None, with an error, for one that cannot be), the rest as it is."""
    data = reads.file_bytes(path)
    if is_picture(path.name):
        return publishable_picture(data, shown, problems)
    return data


def _files_under(folder: Path, boundary: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    root = folder.resolve()
    if not root.is_relative_to(boundary):
        return {}  # static/ itself is a link to a folder elsewhere on the disk
    found: dict[str, Path] = {}
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(directory) / name
            # A link that leads outside the static folder is not followed:
            # the build reads nothing from elsewhere on the disk.
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                continue
            if not path.is_file():
                continue  # a pipe or device would never finish copying
            found[path.relative_to(root).as_posix()] = path
    return found
