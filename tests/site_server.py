"""Serving a built site over real HTTP on 127.0.0.1 for browser tests."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under its base path ("/appeals-site/"), as GitHub Pages would."""

    base_path = "/"

    def translate_path(self, path: str) -> str:
        if self.base_path != "/" and path.startswith(self.base_path):
            path = "/" + path[len(self.base_path) :]
        elif self.base_path != "/":
            path = "/.not-under-the-base-path"
        return super().translate_path(path)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(folder: Path, base_path: str = "/") -> Iterator[str]:
    """Serve ``folder`` at ``base_path`` of a local HTTP server; yields the
    site's root address (origin plus base path, without the final slash)."""
    handler_class = type("Handler", (_SiteHandler,), {"base_path": base_path})
    handler = functools.partial(handler_class, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{base_path.rstrip('/')}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def html_pages(output: Path) -> list[str]:
    """Every HTML file of a built site, as paths relative to it."""
    return sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html"))


def page_url(root: str, relative: str) -> str:
    """The address of an HTML file: folders' index.html as the folder itself."""
    if relative == "index.html":
        return root + "/"
    if relative.endswith("/index.html"):
        return f"{root}/{relative.removesuffix('index.html')}"
    return f"{root}/{relative}"
