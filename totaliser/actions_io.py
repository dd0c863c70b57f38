"""What a step of a GitHub Actions workflow writes back to GitHub: the run's
summary page, the step's outputs, and log lines that cannot act as commands.

GitHub reads any log line starting with ``::`` as a command to the runner, and
the text we log (a story's values, a form's answers) is typed by people, so it
is logged between ``::stop-commands::`` and the token that ends them.
Outside GitHub (on a computer, in tests) the files are simply not written.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping
from typing import TextIO


def add_to_summary(markdown: str, environ: Mapping[str, str] = os.environ) -> None:
    """Append to the run's summary page ($GITHUB_STEP_SUMMARY)."""
    _append(environ.get("GITHUB_STEP_SUMMARY"), markdown)


def set_output(name: str, value: str, environ: Mapping[str, str] = os.environ) -> None:
    """Give the step an output that later jobs can read (one line only)."""
    _append(environ.get("GITHUB_OUTPUT"), f"{name}={' '.join(value.split())}\n")


def as_code(text: str) -> str:
    """Text shown exactly as written on the summary page, not read as Markdown."""
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}text\n{text.rstrip()}\n{fence}\n"


def log(text: str, stream: TextIO = sys.stderr, environ: Mapping[str, str] = os.environ) -> None:
    """Write people's text to the log, where GitHub must not read it as commands."""
    if not text:
        return
    if environ.get("GITHUB_ACTIONS") != "true":
        stream.write(text if text.endswith("\n") else text + "\n")
        return
    token = secrets.token_hex(16)
    stream.write(f"::stop-commands::{token}\n{text.rstrip()}\n::{token}::\n")
    stream.flush()


def _append(path: str | None, text: str) -> None:
    if not path:
        return
    with open(path, "a", encoding="utf-8") as out:
        out.write(text)
