"""`serve`: build, serve over HTTP under the base URL's path, rebuild on change,
and reload the browser.

* The site is built into the output folder exactly as `build` does (same
  base URL, no reload script in the files), so output/ is always a site that
  could be published.
* Pages are served under the base URL's path (``/appeals-site/``), as on
  GitHub Pages; ``/`` redirects there. Only served HTML is changed on the way
  out: the livereload client script is added, and the page's
  Content-Security-Policy is widened just enough for its WebSocket.
* A watcher thread watches ``content/``, ``templates/``, ``static/`` and
  ``site.yaml`` (never the output or staging folder; see watching.py: events
  on Linux, polling elsewhere), waits for changes to settle, and rebuilds.
  Every change rebuilds the site through ``site.build()`` with the cache kept
  in memory, so a save renders only what it changed, and serve and build
  share one code path.
* The browser shows a saved story or page in place: refresh.js (a
  livereload.js plugin) fetches the page again and swaps in its new body,
  which is quicker than reloading it and keeps the reader where they were on
  the page. Any other change (styles, scripts, images, templates, site.yaml)
  and any page whose head changed reloads the page in whole.
* A build that fails leaves the last good site in place: it is still served,
  with the errors (file:line: field: message) shown at the top of every page
  and printed in the terminal. The next good build clears them, and the
  browser reloads by itself each time.

The livereload package provides the browser side: its client script and
its WebSocket handler speak the LiveReload protocol; this module tells the
connected browsers when to reload.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import html
import json
import mimetypes
import re
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from importlib import resources
from typing import Any, TextIO

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import httpserver, netutil, web
from tornado.ioloop import IOLoop

from .config import load_config
from .errors import ContentErrors, Problem, Problems, UsageError
from .site import BuildOptions, build, open_cache
from .staging import check_output_folder
from .watching import Snapshot, SourceWatcher, changed_paths

__all__ = ["DevServer", "changed_paths", "serve"]

ASSETS_PATH = "/__totaliser__/"

_CSP_META = re.compile(
    rb"""(<meta\s+http-equiv=["']Content-Security-Policy["']\s+content=")([^"]*)(")""", re.IGNORECASE
)
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:\d+)?|\[[0-9A-Fa-f:.]+\](:\d+)?")
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_BODY_START = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)

PANEL_CSS = """\
#totaliser-build-errors { background: #fff4f4; color: #5c0000; border: 3px solid #b00020;
  margin: 0; padding: 1rem 1.5rem; font: 1rem/1.5 system-ui, sans-serif; position: relative; z-index: 1000; }
#totaliser-build-errors h2 { margin: 0 0 .5rem; font-size: 1.25rem; }
#totaliser-build-errors ul { margin: .5rem 0 0; padding-left: 1.25rem; }
#totaliser-build-errors code { font: .95rem/1.4 ui-monospace, monospace; white-space: pre-wrap; word-break: break-word; }
"""
# The browser side of showing a saved story in place (see the module's notes).
REFRESH_SCRIPT = (resources.files(__package__) / "refresh.js").read_text(encoding="utf-8")


@dataclass(frozen=True)
class BuildState:
    """The outcome of the latest build: no problems means the site is current."""

    errors: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------------
# The server


class DevServer:
    def __init__(self, options: BuildOptions, host: str, port: int, terminal: TextIO):
        self.options = options
        self.host = host
        self.port = port
        self.terminal = terminal
        self.output = options.output
        self.state = BuildState()
        self.base_path = "/"
        self.watcher = SourceWatcher(options.site_dir, options.output)
        self.stopping = threading.Event()
        self.loop: IOLoop | None = None
        # Which build the served pages show, counted on the server's loop as
        # each is announced, and the announcement a page showing an older
        # one is sent when it connects (see ReloadHandler).
        self.generation = 0
        self.last_reload: dict[str, Any] | None = None
        self._building = threading.Lock()
        self.memory = open_cache(options.site_dir)  # each rebuild starts from the last one's cache, in memory

    # -- building -----------------------------------------------------------

    def rebuild(self, changed: list[str]) -> BuildState:
        """Build the whole site; report in the terminal; remember the outcome."""
        with self._building:
            started = time.monotonic()
            try:
                report = build(self.options, memory=self.memory)
            except ContentErrors as exc:
                from .checks import every_error

                errors = tuple(problem for problem in every_error(exc, self.options.site_dir) if problem.is_error)
            except UsageError as exc:
                errors = (Problem("serve", 1, "", str(exc)),)
            except Exception as exc:  # noqa: BLE001 - the server must outlive any one bad build
                errors = (Problem("build", 1, "", f"the build failed unexpectedly ({type(exc).__name__}: {exc})"),)
            else:
                errors = ()
                for warning in report.warnings:
                    self.say(str(warning), error=True)
            self._update_base_path()
            state = BuildState(errors)
            self.state = state
        what = f"{', '.join(changed[:3])}{' and more' if len(changed) > 3 else ''} changed: " if changed else ""
        if state.ok:
            self.say(f"{what}site {'rebuilt' if changed else 'built'} in {time.monotonic() - started:.1f}s.")
        else:
            for problem in state.errors:
                self.say(str(problem), error=True)
            count = len(state.errors)
            self.say(
                f"{what}{count} error{'s' if count != 1 else ''} to fix; the browser shows them, "
                "and the last good version of the site is still served.",
                error=True,
            )
        return state

    def _update_base_path(self) -> None:
        config = load_config(self.options.site_dir, Problems())
        if config is not None:
            self.base_path = config.base_path

    def say(self, message: str, error: bool = False) -> None:
        """A line in the terminal: problems on stderr, progress on the terminal stream."""
        print(message, file=sys.stderr if error else self.terminal, flush=True)

    # -- watching -----------------------------------------------------------

    def warm_up(self) -> None:
        """Pay now, while the first page is being read, what the first save
        would otherwise pay on top of its rebuild (about half a second at a
        thousand stories): the build cache's spare copy of the output, which the
        first cached build makes (see cache.py), and importing what renders a
        story and an appeal's outputs."""
        if not self.state.ok:
            return
        # Nothing has changed, so this build renders nothing and swaps in the
        # same site; if something did change meanwhile, the watcher rebuilds
        # for it and reports its errors as for any save.
        with self._building, contextlib.suppress(Exception):
            build(self.options, memory=self.memory)
        # Anything wrong here shows in the build that needs it, with its message:
        # the watcher thread must go on watching.
        with contextlib.suppress(Exception):
            from .markup import StoryRenderer
            from .outputs import card, chart, embed, feeds, poster, thermometer  # noqa: F401

            StoryRenderer().to_html("Markdown, *loaded* before the first save.")

    def watch(self, first: Snapshot) -> None:
        """Watch for changes until stopped; rebuild once they settle, then reload browsers."""
        with self.watcher.events() as events:
            # Events start now: a save during the warm-up is heard when it ends.
            self.warm_up()
            for changed in self.watcher.changes(first, self.stopping, events):
                self.rebuild(changed)
                if self.loop is not None:
                    self.loop.add_callback(self.signal_reload, reload_path(changed))

    def signal_reload(self, changed: str) -> None:
        """Tell every connected browser to reload (runs on the server's loop)."""
        message = {"command": "reload", "path": changed, "liveCSS": False, "liveImg": False}
        self.generation += 1
        self.last_reload = message
        for waiter in list(LiveReloadHandler.waiters):
            try:
                waiter.write_message(message)
            except Exception:  # a browser that has gone away
                LiveReloadHandler.waiters.discard(waiter)

    # -- serving ------------------------------------------------------------

    def application(self) -> web.Application:
        return web.Application(
            [
                (r"/livereload", ReloadHandler, {"server": self}),
                (r"/livereload\.js", LiveReloadJSHandler),
                (ASSETS_PATH.replace("/", r"\/") + r"serve\.css", PanelStyleHandler),
                (ASSETS_PATH.replace("/", r"\/") + r"refresh\.js", RefreshScriptHandler),
                (r"/(.*)", SiteHandler, {"server": self}),
            ],
            log_function=_log_request,
            websocket_ping_interval=20,
        )

    def decorate(self, page: bytes, host: str) -> bytes:
        """A served page: the reload script, a CSP that lets it connect, and any build errors.

        ``host`` is the address the browser used (the Host header), which is
        where livereload.js opens its WebSocket.
        """
        if not _HOST.fullmatch(host):
            host = f"{self.host}:{self.port}"
        page = _CSP_META.sub(lambda m: m.group(1) + _allow_websocket(m.group(2), host) + m.group(3), page, count=1)
        # refresh.js first: livereload.js takes up its plugin when it starts.
        additions = (
            f'<script src="{ASSETS_PATH}refresh.js" data-build="{self.generation}" defer></script>'
            f'<script src="/livereload.js?port={self.port}" defer></script>'
        )
        state = self.state
        if not state.ok:
            additions += f'<link rel="stylesheet" href="{ASSETS_PATH}serve.css">'
        if _HEAD_END.search(page):
            page = _HEAD_END.sub(lambda m: additions.encode() + m.group(0), page, count=1)
        else:
            page = additions.encode() + page
        if not state.ok:
            panel = error_panel(state.errors).encode()
            match = _BODY_START.search(page)
            page = page[: match.end()] + panel + page[match.end():] if match else panel + page
        return page

    def error_page(self, host: str) -> bytes:
        """A whole page for when there is no good build to show at all."""
        body = (
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Build error</title></head><body><main></main></body></html>"
        )
        return self.decorate(body.encode(), host)

    def run(self, sockets: list[socket.socket]) -> None:
        """Serve until Ctrl-C (or SIGTERM); the caller has built once already."""
        first = self.watcher.snapshot()
        asyncio.run(self._serve(sockets, first))

    async def _serve(self, sockets: list[socket.socket], first: Snapshot) -> None:
        self.loop = IOLoop.current()
        server = httpserver.HTTPServer(self.application())
        server.add_sockets(sockets)
        stop = asyncio.Event()
        running = asyncio.get_running_loop()
        # Ctrl-C, a terminal closing and a process manager's SIGTERM all end
        # in the same clean stop. (SIGINT is left alone where it is ignored,
        # as for a command started in the background with `&`.)
        names = ["SIGTERM", "SIGHUP"]
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            names.append("SIGINT")
        for name in names:
            if hasattr(signal, name):
                running.add_signal_handler(getattr(signal, name), stop.set)
        watcher = threading.Thread(target=self.watch, args=(first,), name="totaliser-watch", daemon=True)
        watcher.start()
        self.say(
            f"Serving at {self.url}  (watching content/, templates/, static/ and site.yaml; press Ctrl-C to stop)"
        )
        try:
            await stop.wait()
        finally:
            self.stopping.set()
            server.stop()
            for waiter in list(LiveReloadHandler.waiters):
                waiter.close()
            # Let a build in progress finish, so no staging folder is left behind.
            await asyncio.get_running_loop().run_in_executor(None, watcher.join, 30)

    @property
    def url(self) -> str:
        shown_host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown_host}:{self.port}{self.base_path}"


class ReloadHandler(LiveReloadHandler):
    """livereload's WebSocket, told by refresh.js which build its page shows.

    A page is sent reloads once it has said which page it is ("info"),
    after the server's hello. A save built in between would be announced to
    the pages already known and not to it: such a page, served before that
    build and showing an older one, is sent the announcement as it connects.
    """

    def initialize(self, server: DevServer) -> None:
        self.server = server

    def on_message(self, message: str | bytes) -> None:
        super().on_message(message)
        try:
            said = json.loads(message)
            shown = said["plugins"]["totaliser-refresh"]["build"] if said.get("command") == "info" else None
        except (ValueError, KeyError, TypeError, AttributeError):
            return  # not a page of this server's (another client of the protocol)
        latest = self.server.last_reload
        if shown is not None and latest is not None and str(shown) != str(self.server.generation):
            self.write_message(latest)


def bind(host: str, port: int) -> list[socket.socket]:
    try:
        return netutil.bind_sockets(port, address=host)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} is already in use (is another serve running? try --port {port + 1})") from None
        if exc.errno in (errno.EADDRNOTAVAIL, errno.EACCES):
            raise UsageError(f"cannot serve on {host}:{port} ({exc.strerror})") from None
        if isinstance(exc, socket.gaierror):
            raise UsageError(f"{host!r} is not a host name or address this machine has") from None
        raise


def _allow_websocket(policy: bytes, host: str) -> bytes:
    """The page's policy plus the reload WebSocket, and nothing else."""
    source = f"ws://{host}".encode()
    directives = [d.strip() for d in policy.split(b";") if d.strip()]
    for index, directive in enumerate(directives):
        if directive.lower().startswith(b"connect-src"):
            directives[index] = directive + b" " + source
            break
    else:
        directives.append(b"connect-src 'self' " + source)
    return b"; ".join(directives)


def reload_path(changed: list[str]) -> str:
    """The path a reload names: the browser shows a saved story in place
    (refresh.js), so a save that changed anything else as well must name that,
    for the page to be loaded again in whole."""
    if not changed:
        return "*"
    return next((path for path in changed if not path.endswith(".md")), changed[0])


def error_panel(errors: tuple[Problem, ...]) -> str:
    items = "".join(f"<li><code>{html.escape(str(problem))}</code></li>" for problem in errors)
    count = len(errors)
    return (
        '<div id="totaliser-build-errors" role="alert">'
        f"<h2>The site could not be rebuilt: {count} error{'s' if count != 1 else ''} to fix</h2>"
        "<p>Fix the file and save it: this page reloads by itself. Until then you are seeing the last version that built.</p>"
        f"<ul>{items}</ul></div>"
    )


def _log_request(handler: web.RequestHandler) -> None:
    # Requests are not logged: the terminal is for build results and errors.
    return None


class PanelStyleHandler(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/css; charset=utf-8")
        self.write(PANEL_CSS)


class RefreshScriptHandler(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.write(REFRESH_SCRIPT)


class SiteHandler(web.RequestHandler):
    """Serves the output folder under the base path, as GitHub Pages would."""

    server: DevServer

    def initialize(self, server: DevServer) -> None:
        self.server = server

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")

    def head(self, path: str) -> None:
        self.get(path)

    def get(self, path: str) -> None:
        base = self.server.base_path
        request_path = "/" + path
        if request_path == "/" and base != "/":
            self.redirect(base)
            return
        if request_path + "/" == base:
            self.redirect(base)
            return
        if not request_path.startswith(base):
            self._not_found(f"Nothing here: the site is served at {base}")
            return
        self._serve_file(request_path[len(base):])

    def _serve_file(self, relative: str) -> None:
        output = self.server.output.resolve()
        if not output.is_dir():
            self._send_html(self.server.error_page(self.request.host), 500 if not self.server.state.ok else 404)
            return
        target = (output / relative).resolve()
        if not target.is_relative_to(output):
            self._not_found("Nothing here")
            return
        if target.is_dir():
            if relative and not relative.endswith("/"):
                self.redirect(self.request.path + "/")
                return
            target = target / "index.html"
        try:
            data = target.read_bytes()
        except OSError:
            self._not_found("Nothing here")
            return
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type == "text/html":
            self._send_html(self.server.decorate(data, self.request.host), 200)
            return
        if content_type.startswith("text/") or content_type in ("application/json", "application/xml", "image/svg+xml"):
            content_type += "; charset=utf-8"
        self.set_header("Content-Type", content_type)
        self.finish(data)

    def _not_found(self, message: str) -> None:
        page = self.server.output.resolve() / "404.html"
        try:
            data = page.read_bytes()
        except OSError:
            data = f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head><body><p>{html.escape(message)}</p></body></html>".encode()
        self._send_html(self.server.decorate(data, self.request.host), 404)

    def _send_html(self, data: bytes, status: int) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(data)


def serve(options: BuildOptions, host: str, port: int, terminal: TextIO) -> int:
    """Build, then serve and rebuild until stopped. Returns the exit status."""
    # Refuse a bad output folder and a port in use before any building. Port 0
    # lets the system choose a free port; the address printed says which.
    check_output_folder(options.output, options.site_dir)
    sockets = bind(host, port)
    server = DevServer(options, host, sockets[0].getsockname()[1], terminal)
    try:
        server.rebuild([])
        server.run(sockets)
    except KeyboardInterrupt:
        server.stopping.set()
    finally:
        for sock in sockets:
            sock.close()
    server.say("Stopped serving.")
    return 0

