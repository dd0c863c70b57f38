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
from urllib.parse import unquote, urlsplit, urlunsplit

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


def requirements_text(line: str | None = None) -> str:
    """What the site's workflows install: the Totaliser that made the site."""
    line = line or requirement_line()
    text = (
        "# The Totaliser that GitHub's workflows install to build this site:\n"
        "# the one that made it. Change the line to move to another version.\n"
    )
    if not installable_from_a_url(line):
        text += (
            "# A version number (totaliser==...) installs only once that version is\n"
            "# published on PyPI. Until then, write instead where your copy of\n"
            "# Totaliser is on GitHub, such as:\n"
            "#   totaliser @ git+https://github.com/YOUR-ACCOUNT/totaliser@main\n"
        )
    return text + f"{line}\n"


def installable_from_a_url(line: str) -> bool:
    return " @ git+https://" in line


def requirement_line() -> str:
    """This Totaliser as pip names it: from the git repository it was
    installed from, at that commit (as ``pip install git+URL`` leaves it
    recorded, or as the checkout it was installed from says), or else by its
    version number."""
    try:
        distribution = metadata.distribution("totaliser")
    except metadata.PackageNotFoundError:
        from . import __version__

        return line_for(__version__, None, Path(__file__).resolve().parent.parent)
    return line_for(distribution.version, distribution.read_text("direct_url.json"))


def line_for(version: str, direct_url: str | None, checkout: Path | None = None) -> str:
    """The requirement line for a version and its PEP 610 record, if any.
    Installed from a folder (``pip install .``), the line names the GitHub
    repository that folder was cloned from, when it was cloned over https."""
    try:
        record = json.loads(direct_url) if direct_url else {}
    except ValueError:
        record = {}
    vcs = record.get("vcs_info") if isinstance(record, dict) else None
    url = record.get("url") if isinstance(record, dict) else None
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and isinstance(url, str) and url.startswith("https://"):
        commit = vcs.get("commit_id")
        return f"totaliser @ git+{url}@{commit}" if commit else f"totaliser @ git+{url}"
    if checkout is None and isinstance(url, str) and url.startswith("file://"):
        checkout = Path(unquote(urlsplit(url).path))
    cloned = cloned_from(checkout) if checkout is not None else None
    if cloned is not None:
        return f"totaliser @ git+{cloned[0]}@{cloned[1]}"
    return f"totaliser=={version}"


def cloned_from(folder: Path) -> tuple[str, str] | None:
    """The https address a git checkout was cloned from, and its commit; none
    for a folder that is not one, has no such address, or without git."""
    import subprocess

    def git(*arguments: str) -> str:
        found = subprocess.run(["git", "-C", str(folder), *arguments], capture_output=True, text=True, timeout=10)
        return found.stdout.strip() if found.returncode == 0 else ""

    if not (folder / ".git").exists():
        return None
    try:
        remote, commit = git("config", "--get", "remote.origin.url"), git("rev-parse", "HEAD")
        # A commit made here and never pushed is not there for GitHub to
        # install: then the last one fetched from the repository's main branch.
        if commit and not git("branch", "--remotes", "--contains", commit):
            commit = git("rev-parse", "--verify", "--quiet", "origin/HEAD")
    except (OSError, subprocess.SubprocessError):
        return None
    if remote.startswith("git@github.com:"):  # cloned over ssh: the same repository over https
        remote = "https://github.com/" + remote.removeprefix("git@github.com:")
    parts = urlsplit(remote)
    if parts.scheme != "https" or not parts.hostname or not commit:
        return None
    # Never a name or token that the address was cloned with: the file is published.
    return urlunsplit(("https", parts.hostname + (f":{parts.port}" if parts.port else ""), parts.path, "", "")), commit


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
