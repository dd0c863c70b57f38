"""Serving a built site over real HTTP on 127.0.0.1 for browser tests."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` at the root of a local HTTP server; yields its origin."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def html_pages(output: Path) -> list[str]:
    """Every HTML file of a built site, as paths relative to it."""
    return sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html"))


def page_url(origin: str, relative: str) -> str:
    """The address of an HTML file: folders' index.html as the folder itself."""
    if relative == "index.html":
        return origin + "/"
    if relative.endswith("/index.html"):
        return f"{origin}/{relative.removesuffix('index.html')}"
    return f"{origin}/{relative}"
