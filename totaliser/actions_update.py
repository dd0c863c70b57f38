"""The "Update a total" workflow's step: record the total asked for in the
Run workflow form with ``raise``, commit it as the person who ran the
workflow, and push it.

Run as ``python -m totaliser.actions_update`` from the site folder (a git
checkout). The form's answers arrive as environment variables, never in a
command line, because they are text typed by people:

    TOTALISER_APPEAL       the appeal's file name without .md
    TOTALISER_AMOUNT       the amount
    TOTALISER_ADD_OR_SET   one of MODES (below)
    TOTALISER_NOTE, TOTALISER_SOURCE, TOTALISER_DATE   optional; empty means none

and the ones GitHub sets: GITHUB_ACTOR and GITHUB_ACTOR_ID (the author),
GITHUB_REF (the branch to push to), GITHUB_TOKEN and GITHUB_SERVER_URL (to
push with), GITHUB_STEP_SUMMARY and GITHUB_OUTPUT.

A mistake in the form stops the run with ``raise``'s own message at the top of
the summary page, before anything is committed: the repository is unchanged.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence

from .actions_io import add_to_summary, as_code, log, set_output

# The choices of the form's add-or-set question, and the raise flags they mean.
MODES: dict[str, tuple[str, ...]] = {
    "set the new total": (),
    "add to the total": ("--add",),
    "correct the total (it is lower)": ("--lower",),
}
# The committer is the workflow; the author is the person who ran it.
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
COMMITTER = {"GIT_COMMITTER_NAME": BOT_NAME, "GIT_COMMITTER_EMAIL": BOT_EMAIL}
PUSH_ATTEMPTS = 3


class Refused(Exception):
    """The update cannot be made; the message is for the person who asked."""


def main(environ: Mapping[str, str] = os.environ) -> int:
    try:
        record(environ)
    except Refused as exc:
        add_to_summary("### The total was not recorded\n\n" + as_code(str(exc)) +
                       "\nNothing was committed or published. Correct the form and run "
                       "**Update a total** again.\n", environ)
        log(str(exc), environ=environ)
        return 1
    return 0


def raise_arguments(environ: Mapping[str, str]) -> list[str]:
    """The ``raise`` command line for the form's answers (after the program's name)."""
    appeal = environ.get("TOTALISER_APPEAL", "").strip()
    amount = environ.get("TOTALISER_AMOUNT", "").strip()
    if not appeal or not amount:
        raise Refused("The form needs the appeal (its file name, e.g. jacob-buckett) and the amount.")
    mode = " ".join(environ.get("TOTALISER_ADD_OR_SET", "").split()) or "set the new total"
    if mode not in MODES:
        raise Refused(f"{mode!r} is not one of the choices: {', '.join(MODES)}.")
    arguments = ["raise", "--site", ".", *MODES[mode]]
    for flag, name in (("--note", "TOTALISER_NOTE"), ("--source", "TOTALISER_SOURCE"), ("--date", "TOTALISER_DATE")):
        value = environ.get(name, "").strip()
        if value:
            arguments.append(f"{flag}={value}")  # one argument, even when the text starts with "-"
    # "--" ends the options: an appeal or amount that starts with "-" is still one.
    return [*arguments, "--", appeal, amount]


def record(environ: Mapping[str, str]) -> None:
    """Record, commit and push (nothing, when the total was already recorded)."""
    branch = _branch(environ)
    result = subprocess.run(
        [sys.executable, "-m", "totaliser.cli", *raise_arguments(environ)],
        capture_output=True, text=True, encoding="utf-8", check=False,
    )
    said = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        raise Refused(in_the_forms_words(said))
    log(said, sys.stdout, environ)
    if not _git(["status", "--porcelain"], environ).strip():
        add_to_summary("### Nothing to record\n\n" + as_code(said), environ)
        set_output("commit", "", environ)
        return
    _commit(said, environ)
    _push(branch, environ)
    commit = _git(["rev-parse", "HEAD"], environ).strip()
    add_to_summary("### Total recorded\n\n" + as_code(said) + "\nThe site is published next, in this same run.\n", environ)
    set_output("commit", commit, environ)


# raise's advice names its command-line flags; the person at the form has its
# questions instead.
_FORM_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), words) for pattern, words in (
    (r"use --add\b", 'choose "add to the total"'),
    (r"run the same command again with --lower", 'run the form again choosing "correct the total (it is lower)"'),
    (r",? ?or add --future if the total really is for that day", " (the form records totals up to today)"),
    (r"with --source NAME", "in the form's Source box"),
    (r"--source (\S)", r"the Source \1"),
    (r"(?m)^(totaliser: )?--date ", r"\1Date: "),
    (r"(?m)^(totaliser: )?AMOUNT ", r"\1Amount: "),
))


def in_the_forms_words(message: str) -> str:
    for pattern, words in _FORM_WORDS:
        message = pattern.sub(words, message)
    return message


def author(environ: Mapping[str, str]) -> tuple[str, str]:
    """The person who ran the workflow, with GitHub's private address for them."""
    login = environ.get("GITHUB_ACTOR", "").strip() or BOT_NAME
    if login == BOT_NAME:
        return BOT_NAME, BOT_EMAIL
    user_id = environ.get("GITHUB_ACTOR_ID", "").strip()
    return login, f"{user_id}+{login}@users.noreply.github.com" if user_id else f"{login}@users.noreply.github.com"


def _commit(said: str, environ: Mapping[str, str]) -> None:
    name, email = author(environ)
    first_line = said.splitlines()[0]
    note = environ.get("TOTALISER_NOTE", "").strip()
    message = f"New total: {first_line}"
    if note:
        message += f"\n\n{note}"
    message += f"\n\nRecorded with the Update a total workflow, run by {name}."
    identity = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, **COMMITTER}
    _git(["add", "--all"], environ)
    _git(["commit", "--quiet", "--no-verify", "--message", message], environ, identity)


def _branch(environ: Mapping[str, str]) -> str:
    branch = environ.get("GITHUB_REF", "").strip()
    if not branch.startswith("refs/heads/"):
        raise Refused(f"Run this workflow on a branch (it was run on {branch or 'nothing'}).")
    return branch


def _push(branch: str, environ: Mapping[str, str]) -> None:
    for attempt in range(PUSH_ATTEMPTS):
        pushed = subprocess.run(
            ["git", "push", "--quiet", "origin", f"HEAD:{branch}"],
            capture_output=True, text=True, env=_git_env(environ), check=False,
        )
        if pushed.returncode == 0:
            return
        if attempt + 1 == PUSH_ATTEMPTS:
            break
        # Someone else changed the branch meanwhile: put this commit after theirs.
        rebased = subprocess.run(
            ["git", "pull", "--quiet", "--rebase", "origin", branch],
            capture_output=True, text=True, env=_git_env(environ, COMMITTER), check=False,
        )
        if rebased.returncode != 0:
            subprocess.run(["git", "rebase", "--abort"], capture_output=True, env=_git_env(environ), check=False)
            raise Refused(f"The appeal was changed at the same time by someone else; run the workflow again.\n{rebased.stderr.strip()}")
    raise Refused(f"The new total could not be saved to the repository:\n{pushed.stderr.strip()}")


def _git(arguments: Sequence[str], environ: Mapping[str, str], extra: Mapping[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *arguments], capture_output=True, text=True, env=_git_env(environ, extra), check=False,
    )
    if done.returncode != 0:
        raise Refused(f"git {arguments[0]} failed:\n{done.stderr.strip()}")
    return done.stdout


def _git_env(environ: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """git's environment; on GitHub, with the run's token for the server, as
    actions/checkout would have configured it (the checkout keeps no token on disk)."""
    env = dict(environ)
    env.update(extra or {})
    token = environ.get("GITHUB_TOKEN", "")
    server = environ.get("GITHUB_SERVER_URL", "")
    if token and server:
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        count = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
        env[f"GIT_CONFIG_KEY_{count}"] = f"http.{server.rstrip('/')}/.extraheader"
        env[f"GIT_CONFIG_VALUE_{count}"] = f"AUTHORIZATION: basic {basic}"
        env["GIT_CONFIG_COUNT"] = str(count + 1)
    return env


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
