"""`init`: start a new site in an empty folder, ready to build and publish.

The starter's files (settings explained line by line, a draft example
appeal, an about page, a README for volunteers) are package data under
``totaliser/starter/``. The GitHub workflows are the repository's own
(``.github/workflows/``), which an installed package carries as
``totaliser/workflows/``: one copy of each, so a new site publishes exactly
as the repository does. The built-in theme is used until the site adds a
``templates/`` or ``static/`` folder of its own.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from .errors import UsageError

STARTER_DIR = Path(__file__).resolve().parent / "starter"
# Files whose name in the package differs from their name in a site:
# package data leaves out names starting with a dot.
RENAMED = {"gitignore": ".gitignore"}
WORKFLOWS = ("publish.yml", "update-total.yml")


def workflows_folder() -> Path:
    """The workflows: copies in an installed package, else the repository's own."""
    installed = Path(__file__).resolve().parent / "workflows"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / ".github" / "workflows"


def starter_files() -> dict[str, bytes]:
    """Every file of a new site, by its path in the site."""
    files: dict[str, bytes] = {}
    for path in sorted(STARTER_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            relative = path.relative_to(STARTER_DIR).as_posix()
            files[RENAMED.get(relative, relative)] = path.read_bytes()
    for name in WORKFLOWS:
        files[f".github/workflows/{name}"] = (workflows_folder() / name).read_bytes()
    files["requirements.txt"] = requirements_text().encode("utf-8")
    return files


def requirements_text() -> str:
    """What the site's workflows install: the Totaliser that made the site."""
    return (
        "# The Totaliser that GitHub's workflows install to build this site:\n"
        "# the one that made it. Change the line to move to another version.\n"
        f"{requirement_line()}\n"
    )


def requirement_line() -> str:
    """This Totaliser as pip names it: from the git repository it was
    installed from, at that commit (as ``pip install git+URL`` leaves it
    recorded), or else by its version number."""
    try:
        distribution = metadata.distribution("totaliser")
    except metadata.PackageNotFoundError:
        from . import __version__

        return f"totaliser=={__version__}"
    return line_for(distribution.version, distribution.read_text("direct_url.json"))


def line_for(version: str, direct_url: str | None) -> str:
    """The requirement line for a version and its PEP 610 record, if any."""
    try:
        record = json.loads(direct_url) if direct_url else {}
    except ValueError:
        record = {}
    vcs = record.get("vcs_info") if isinstance(record, dict) else None
    url = record.get("url") if isinstance(record, dict) else None
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and isinstance(url, str) and url.startswith("https://"):
        commit = vcs.get("commit_id")
        return f"totaliser @ git+{url}@{commit}" if commit else f"totaliser @ git+{url}"
    return f"totaliser=={version}"


def start_site(folder: Path) -> list[str]:
    """Write a new site into ``folder`` (created if missing); return the
    paths written. Refuses a folder that holds anything but ``.git``, and
    never overwrites a file."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder: give init a new or empty folder")
    if folder.is_dir():
        present = sorted(entry.name for entry in folder.iterdir() if entry.name != ".git")
        if present:
            shown = ", ".join(present[:5]) + (", …" if len(present) > 5 else "")
            raise UsageError(
                f"{folder} is not empty (it holds {shown}); nothing was written. "
                "Give init a new or empty folder, so that no file of yours is overwritten."
            )
    written: list[str] = []
    for relative, data in starter_files().items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # "x": create only; a file that appeared meanwhile is never replaced.
            with path.open("xb") as out:
                out.write(data)
        except FileExistsError:
            raise UsageError(f"{path} appeared while init was writing; it was left as it was") from None
        written.append(relative)
    return written
