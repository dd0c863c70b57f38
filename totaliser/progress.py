"""A progress bar for long builds, shown only where a person is watching.

The bar appears once a build has run for more than a second, and only when
stderr is a terminal and the CI environment variable is not set: CI logs and
redirected output get the plain one-line summary alone, with no carriage
returns or escape codes in them.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from typing import TextIO

SHOW_AFTER_SECONDS = 1.0
REDRAW_SECONDS = 0.1


def wanted(stream: TextIO, environ: dict[str, str] | os._Environ[str] | None = None) -> bool:
    """Whether a bar belongs on this stream: a terminal, outside CI."""
    env = os.environ if environ is None else environ
    if env.get("CI") or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class ProgressBar:
    """A ``progress(done, total)`` callback for build() that draws one line.

    Nothing is drawn during the first second, so quick builds stay silent;
    ``finish()`` clears the line so the summary that follows stands alone.
    """

    def __init__(
        self,
        stream: TextIO,
        label: str = "Building",
        clock: Callable[[], float] = time.monotonic,
        show_after: float = SHOW_AFTER_SECONDS,
        width: int | None = None,
    ):
        self.stream = stream
        self.label = label
        self.clock = clock
        self.started = clock()
        self.show_after = show_after
        self.width = width
        self.drawn = False
        self.last_drawn = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if now - self.started < self.show_after:
            return
        # Ten redraws a second are plenty for the eye; a big site calls this thousands of times.
        if self.drawn and done < total and now - self.last_drawn < REDRAW_SECONDS:
            return
        self.stream.write("\r" + self.line(done, total))
        self.stream.flush()
        self.drawn = True
        self.last_drawn = now

    def line(self, done: int, total: int) -> str:
        columns = self.width or shutil.get_terminal_size((80, 24)).columns
        counter = f" {done}/{total} pages"
        bar_width = max(10, min(40, columns - len(self.label) - len(counter) - 4))
        filled = bar_width * done // total if total else bar_width
        return f"{self.label} [{'#' * filled}{'.' * (bar_width - filled)}]{counter}"

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.drawn = False
