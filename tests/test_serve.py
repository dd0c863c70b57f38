"""`serve` over real HTTP: a subprocess on a copy of the example site, a page
fetched, a story edited, the new content served and a reload signalled on the
livereload WebSocket; a broken edit shows the error in the page and the fix
clears it; Ctrl-C stops cleanly."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, copy_example_site
from totaliser.errors import Problem
from totaliser.serve import _allow_websocket, changed_paths, error_panel, reload_path
from totaliser.watching import Snapshot

WAIT = 60.0  # seconds: generous, for a loaded machine; the loops stop as soon as the condition holds
STORY = "content/appeals/jacob-buckett.md"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ctrl_c_as_in_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Server:
    """`python build.py serve` in a subprocess, with its terminal output collected."""

    def __init__(self, site: Path):
        self.site = site
        self.port = free_port()
        env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--port", str(self.port), "--site", str(site)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
            # As from a terminal: Ctrl-C is not ignored. A test process may have
            # inherited SIGINT ignored (a worker started in the background), and
            # serve, like other programs, leaves an ignored Ctrl-C ignored.
            preexec_fn=_ctrl_c_as_in_a_terminal,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.errors: list[str] = []
        self.readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, self.output), daemon=True),
            threading.Thread(target=self._read, args=(self.process.stderr, self.errors), daemon=True),
        ]
        for reader in self.readers:
            reader.start()
        self.url = self.wait_for_line("Serving at").split()[2]

    def _read(self, stream: Any, store: list[str]) -> None:
        for line in stream:
            store.append(line)
            self.lines.put(line)

    def wait_for_line(self, text: str) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if text in line:
                return line
        raise AssertionError(f"serve never printed {text!r}: {''.join(self.output)} {''.join(self.errors)}")

    def fetch(self, path: str) -> tuple[int, str, dict[str, str]]:
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(f"http://127.0.0.1:{self.port}{path}", timeout=30) as response:
                return response.status, response.read().decode("utf-8"), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=WAIT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for reader in self.readers:
                reader.join(timeout=WAIT)
            for stream in (self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class ReloadListener:
    """A LiveReload client, as livereload.js is: handshake, then wait for reloads."""

    def __init__(self, port: int, build: str | None = None):
        """``build``: the build the page says it shows, as refresh.js does (none: a client of the protocol that says nothing)."""
        from tornado.websocket import websocket_connect

        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

        async def connect() -> Any:
            connection = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
            await connection.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
            hello = json.loads(await connection.read_message())
            assert hello["command"] == "hello"
            plugins = {} if build is None else {"totaliser-refresh": {"build": build}}
            await connection.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{port}/", "plugins": plugins}))
            return connection

        self.connection = asyncio.run_coroutine_threadsafe(connect(), self.loop).result(WAIT)
        asyncio.run_coroutine_threadsafe(self._read(), self.loop)

    async def _read(self) -> None:
        while True:
            message = await self.connection.read_message()
            if message is None:
                return
            self.messages.put(json.loads(message))

    def next_reload(self) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                message = self.messages.get(timeout=0.5)
            except queue.Empty:
                continue
            if message.get("command") == "reload":
                return message
        raise AssertionError("no reload was signalled")

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.connection.close)
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    site = copy_example_site(tmp_path / "site")
    running = Server(site)
    try:
        yield running
    finally:
        running.stop()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_serves_under_the_base_path_with_the_reload_script_only_in_served_pages(server: Server) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}/appeals-site/"
    status, _, headers = server.fetch("/")
    assert status in (301, 302) and headers["Location"] == "/appeals-site/"
    status, page, _ = server.fetch("/appeals-site/appeals/jacob-buckett/")
    assert status == 200
    assert "Help Jacob take his next steps" in page
    assert f'<script src="/livereload.js?port={server.port}"' in page
    # The page's own policy is kept, with the reload WebSocket allowed and nothing else.
    assert "script-src 'self'; style-src 'self'" in page
    assert f"connect-src 'self' ws://127.0.0.1:{server.port}" in page
    status, script, _ = server.fetch("/livereload.js")
    assert status == 200 and "LiveReload" in script
    # The files on disk are the published site: no reload script, the policy as written.
    built = (server.site / "output/appeals/jacob-buckett/index.html").read_text(encoding="utf-8")
    assert "livereload" not in built and "connect-src" not in built
    status, missing, _ = server.fetch("/appeals-site/no-such-page/")
    assert status == 404 and "livereload.js" in missing
    status, _, headers = server.fetch("/appeals-site/appeals/jacob-buckett")
    assert status in (301, 302) and headers["Location"] == "/appeals-site/appeals/jacob-buckett/"


def test_an_edit_is_served_and_reloads_the_browser_and_errors_show_until_fixed(server: Server) -> None:
    story = server.site / STORY
    listener = ReloadListener(server.port)
    try:
        # Something written into the output folder is never a change to rebuild for.
        (server.site / "output" / "stray.txt").write_text("not content", encoding="utf-8")
        edit(story, 'title: "Help Jacob take his next steps"', 'title: "Jacob walks again"')
        reload = listener.next_reload()
        assert reload["path"] == STORY
        _, page, _ = server.fetch("/appeals-site/appeals/jacob-buckett/")
        assert "Jacob walks again" in page and "totaliser-build-errors" not in page
        changed_line = server.wait_for_line("changed:")
        assert STORY in changed_line and "output" not in changed_line

        edit(story, "target: 36000", "target: fifty grand")
        listener.next_reload()
        message = f'{STORY}:12: target: &quot;fifty grand&quot; is not an amount'
        for path in ("appeals/jacob-buckett/", "", "pages/about/"):
            _, page, _ = server.fetch(f"/appeals-site/{path}")
            assert 'id="totaliser-build-errors"' in page and message in page
        # The last good site is still what is served beneath the message.
        _, page, _ = server.fetch("/appeals-site/appeals/jacob-buckett/")
        assert "Jacob walks again" in page
        server.wait_for_line(f'{STORY}:12: target: "fifty grand" is not an amount')

        edit(story, "target: fifty grand", "target: 37000")
        listener.next_reload()
        _, page, _ = server.fetch("/appeals-site/appeals/jacob-buckett/")
        assert "totaliser-build-errors" not in page
        assert 'aria-valuemax="37000"' in page
    finally:
        listener.close()
    assert server.stop() == 0
    assert "Traceback" not in "".join(server.errors)


def test_a_page_that_connects_after_a_newer_build_was_announced_is_told_at_once(server: Server) -> None:
    # A page is sent reloads only once it has said which page it is, after
    # the server's hello: a save built in between was announced without it.
    # So each page says which build it shows, and one showing an older
    # build than the last announced is sent that announcement as it connects.
    def build_shown() -> str:
        _, page, _ = server.fetch("/appeals-site/appeals/jacob-buckett/")
        found = re.search(r'refresh\.js" data-build="(\d+)"', page)
        assert found, "the served page says which build it shows"
        return found.group(1)

    before = build_shown()
    listener = ReloadListener(server.port)
    try:
        edit(server.site / STORY, 'title: "Help Jacob take his next steps"', 'title: "Jacob walks again"')
        listener.next_reload()
    finally:
        listener.close()
    late = ReloadListener(server.port, build=before)  # served before the save, connected after it
    try:
        assert late.next_reload()["path"] == STORY
    finally:
        late.close()
    after = build_shown()
    assert after != before
    current = ReloadListener(server.port, build=after)
    try:
        with pytest.raises(queue.Empty):
            current.messages.get(timeout=1.0)
    finally:
        current.close()
    assert server.stop() == 0


def test_ctrl_c_stops_cleanly(server: Server) -> None:
    assert server.stop() == 0
    assert "Traceback" not in "".join(server.errors)
    assert "Stopped serving." in "".join(server.output)
    leftovers = [p.name for p in server.site.iterdir() if "staging" in p.name]
    assert leftovers == []


def test_a_port_in_use_is_a_usage_error(tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        result = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port), "--site", str(site)],
            capture_output=True, text=True, env=env, timeout=WAIT,
        )
    assert result.returncode == 2
    assert f"port {port} is already in use" in result.stderr
    assert not (site / "output").exists()


# Connected, and the handshake done: livereload.js has told the server which
# page it shows ("info", sent as soon as the server's hello comes), and the
# server sends reloads only to pages that have. An edit made when the socket
# had merely opened could be rebuilt before the server had heard of the page.
CONNECTED = (
    "() => window.LiveReload && window.LiveReload.connector && window.LiveReload.connector._isSocketConnected"
    " && window.LiveReload.connector._isSocketConnected() && window.LiveReload.connector.protocol >= 7"
)


@pytest.mark.browser
def test_the_browser_shows_a_saved_story_in_place_and_reloads_for_the_rest(server: Server, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 640})
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))
    try:
        page.goto(f"{server.url}appeals/jacob-buckett/")
        # livereload.js says when its WebSocket is open: the page's CSP let it through.
        page.wait_for_function(CONNECTED, timeout=WAIT * 1000)
        # refresh.js tells the server which build the page shows (see the test above).
        served = page.evaluate("() => document.querySelector('script[data-build]').getAttribute('data-build')")
        assert page.evaluate("() => new window.LiveReloadPluginTotaliser(window).analyze()") == {"build": served}
        # Countdowns are worked out in the browser from today's date: as many after the save as before.
        countdowns = page.evaluate("() => document.querySelectorAll('.countdown').length")
        # A mark only this document has, and a reader scrolled down the story.
        page.evaluate("() => { window.sameDocument = true; window.scrollTo(0, 900); }")

        edit(server.site / STORY, 'title: "Help Jacob take his next steps"', 'title: "Jacob on his feet"')
        page.wait_for_function("() => document.querySelector('h1').textContent.includes('Jacob on his feet')", timeout=WAIT * 1000)
        assert page.evaluate("() => window.sameDocument") is True  # shown in place, not reloaded
        assert page.title().startswith("Jacob on his feet")
        assert page.evaluate("() => window.scrollY") == 900
        # The page's script ran again over the new body: as many countdowns as before, not none or twice as many.
        page.wait_for_function("(count) => document.querySelectorAll('.countdown').length === count", arg=countdowns, timeout=WAIT * 1000)
        page.wait_for_timeout(300)
        assert page.evaluate("() => document.querySelectorAll('.countdown').length") == countdowns

        # A broken save changes the page's head (the error panel's styles): reloaded, panel shown.
        edit(server.site / STORY, "target: 36000", "target: fifty grand")
        page.wait_for_selector("#totaliser-build-errors", timeout=WAIT * 1000)
        assert page.evaluate("() => window.sameDocument") is None
        page.wait_for_function(CONNECTED, timeout=WAIT * 1000)
        page.evaluate("() => { window.sameDocument = true; }")
        edit(server.site / STORY, "target: fifty grand", "target: 37000")
        page.wait_for_function("() => !document.querySelector('#totaliser-build-errors')", timeout=WAIT * 1000)
        assert page.evaluate("() => window.sameDocument") is None
        page.wait_for_function(CONNECTED, timeout=WAIT * 1000)
        page.evaluate("() => { window.sameDocument = true; }")

        # A stylesheet is not a story: the page is loaded again in whole, with it.
        stylesheet = server.site / "static" / "css" / "site.css"
        stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\nh1 { letter-spacing: 3px; }\n", encoding="utf-8")
        page.wait_for_function("() => getComputedStyle(document.querySelector('h1')).letterSpacing === '3px'", timeout=WAIT * 1000)
        assert page.evaluate("() => window.sameDocument") is None
        assert not [line for line in console if "Content Security Policy" in line or line.startswith("page error")]
    except Exception as failure:
        # What the server and the page said: a wait that runs out says nothing of why.
        failure.add_note("serve printed:\n" + "".join(server.output + server.errors) + "\nthe page's console:\n" + "\n".join(console))
        raise
    finally:
        page.close()


def test_changed_paths_and_policy_helpers() -> None:
    # A reload names a file that is not a story whenever one changed: only a
    # story's text is shown in place.
    assert reload_path([]) == "*"
    assert reload_path(["content/appeals/a.md", "content/pages/b.md"]) == "content/appeals/a.md"
    assert reload_path(["content/appeals/a.md", "content/appeals/a.jpg"]) == "content/appeals/a.jpg"
    assert reload_path(["site.yaml", "content/appeals/a.md"]) == "site.yaml"
    assert changed_paths({"a": (1, 1, 1), "b": (1, 1, 1), "d": (1, 1, 1)}, {"a": (2, 1, 1), "c": (1, 1, 1), "d": (1, 1, 1)}) == ["a", "b", "c"]
    assert _allow_websocket(b"default-src 'self'", "h:1") == b"default-src 'self'; connect-src 'self' ws://h:1"
    assert _allow_websocket(b"connect-src 'self'; img-src 'self'", "h:1") == b"connect-src 'self' ws://h:1; img-src 'self'"
    panel = error_panel((Problem("content/appeals/a.md", 3, "target", '"<b>" is not an amount'),))
    assert "&quot;&lt;b&gt;&quot;" in panel and "<b>" not in panel


def test_a_strange_host_header_never_reaches_the_page(tmp_path: Path) -> None:
    from totaliser.serve import DevServer
    from totaliser.site import BuildOptions

    server = DevServer(BuildOptions(site_dir=tmp_path), "127.0.0.1", 8123, sys.stdout)
    page = b'<html><head><meta http-equiv="Content-Security-Policy" content="default-src \'self\'"></head><body></body></html>'
    good = server.decorate(page, "localhost:8123")
    assert b"connect-src 'self' ws://localhost:8123\"" in good
    odd = server.decorate(page, 'evil"><script>alert(1)</script>')
    assert b"<script>alert" not in odd and b"ws://127.0.0.1:8123\"" in odd


# ---------------------------------------------------------------------------
# Watching: inotify on Linux (polling elsewhere), and saves that take steps

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")
JACOB_PAGE = "/appeals-site/appeals/jacob-buckett/"
SENTINEL = "content/pages/about.md"


def _wait_until_watching(server: Server, listener: ReloadListener) -> None:
    """Save a file and wait for its reload: serve is then past its warm-up and
    watching, so the save that follows is seen step by step as it happens."""
    edit(server.site / SENTINEL, "title:", "title: Now")
    assert listener.next_reload()["path"] == SENTINEL


def _assert_no_rebuild_in_between(server: Server, listener: ReloadListener) -> None:
    """Save another file: the next reload must be for it alone, so the save
    before gave exactly one rebuild (a second one, of a half-done save, would
    come first or be merged with this one, named first as it sorts first)."""
    edit(server.site / SENTINEL, "title:", "title: Still")
    assert listener.next_reload()["path"] == SENTINEL


@linux_only
def test_a_save_written_slowly_is_built_once_it_is_finished(server: Server) -> None:
    story = server.site / STORY
    listener = ReloadListener(server.port)
    try:
        _wait_until_watching(server, listener)
        text = story.read_text(encoding="utf-8").replace("Help Jacob take his next steps", "Jacob, saved slowly")
        cut = text.index("target:")  # inside the front matter: built half-written, the story would be an error
        with story.open("w", encoding="utf-8") as handle:
            handle.write(text[:cut])
            handle.flush()
            time.sleep(0.2)  # well over the settle, well under the hold: an editor writing a large file, or a slow disk; the file is still open
            handle.write(text[cut:])
        assert listener.next_reload()["path"] == STORY
        _, page, _ = server.fetch(JACOB_PAGE)
        assert "Jacob, saved slowly" in page and "totaliser-build-errors" not in page
        _assert_no_rebuild_in_between(server, listener)
    finally:
        listener.close()
    assert server.stop() == 0
    # No error from a half-written story (the editor's warnings about it, such as no photo, are printed each build).
    assert not [line for line in server.errors if STORY in line and ": warning: " not in line]


@linux_only
def test_a_save_that_renames_the_old_file_away_first_never_loses_the_story(server: Server) -> None:
    story = server.site / STORY
    listener = ReloadListener(server.port)
    try:
        _wait_until_watching(server, listener)
        text = story.read_text(encoding="utf-8").replace("Help Jacob take his next steps", "Jacob, saved as vim does")
        backup = story.with_name(story.name + "~")
        probe = story.with_name("4913")  # vim's test that it may create files here
        probe.write_text("", encoding="utf-8")
        probe.unlink()
        story.rename(backup)
        time.sleep(0.2)  # well over the settle, well under the hold: the editor paused by a busy machine; for now the story is not there
        story.write_text(text, encoding="utf-8")
        backup.unlink()
        assert listener.next_reload()["path"] == STORY
        status, page, _ = server.fetch(JACOB_PAGE)
        assert status == 200 and "Jacob, saved as vim does" in page
        _assert_no_rebuild_in_between(server, listener)
    finally:
        listener.close()
    assert server.stop() == 0


def test_files_in_a_new_folder_are_published_and_a_deleted_one_goes(server: Server) -> None:
    listener = ReloadListener(server.port)
    try:
        folder = server.site / "static" / "extra"
        folder.mkdir()
        time.sleep(0.2)  # the folder alone changes nothing; what is put in it later does
        (folder / "note.txt").write_text("a new static file", encoding="utf-8")
        assert listener.next_reload()["path"] == "static/extra/note.txt"
        status, body, _ = server.fetch("/appeals-site/static/extra/note.txt")
        assert status == 200 and body == "a new static file"
        (folder / "note.txt").unlink()
        assert listener.next_reload()["path"] == "static/extra/note.txt"
        status, _, _ = server.fetch("/appeals-site/static/extra/note.txt")
        assert status == 404
    finally:
        listener.close()
    assert server.stop() == 0


class WatcherThread:
    """SourceWatcher.changes() on a thread, with what it reports in a queue."""

    def __init__(self, site: Path, polled: bool = False):
        from totaliser.watching import SourceWatcher

        self.watcher = SourceWatcher(site, site / "output")
        self.stopping = threading.Event()
        self.found: queue.Queue[list[str]] = queue.Queue()
        first = self.watcher.snapshot()
        self.thread = threading.Thread(target=self._run, args=(first, polled), daemon=True)
        self.thread.start()
        time.sleep(0.2)  # let it start watching

    def _run(self, first: Snapshot, polled: bool) -> None:
        with self.watcher.events() as events:
            for changed in self.watcher.changes(first, self.stopping, None if polled else events):
                self.found.put(changed)

    def next(self) -> list[str]:
        return self.found.get(timeout=WAIT)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive()
        assert self.found.empty(), self.found.get()


@pytest.mark.parametrize("polled", [False, True], ids=["events", "polling"])
def test_the_watcher_reports_each_settled_save_once_and_ignores_what_is_not_content(tmp_path: Path, polled: bool) -> None:
    from totaliser.watching import FolderEvents, SourceWatcher

    site = copy_example_site(tmp_path / "site")
    if not polled:
        if not sys.platform.startswith("linux"):
            pytest.skip("inotify is Linux's")
        FolderEvents(SourceWatcher(site, site / "output")).close()  # inotify works here: the events are what is tested
    watching = WatcherThread(site, polled)
    try:
        story = site / STORY
        (site / "content" / "appeals" / ".jacob-buckett.md.swp").write_text("swap", encoding="utf-8")
        (site / "content" / "appeals" / "notes.md~").write_text("backup", encoding="utf-8")
        (site / "output").mkdir(exist_ok=True)
        (site / "output" / "x.html").write_text("built", encoding="utf-8")
        story.write_text(story.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
        assert watching.next() == [STORY]
        (site / "templates").mkdir(exist_ok=True)
        (site / "templates" / "extra.html").write_text("<p>x</p>", encoding="utf-8")
        (site / "site.yaml").write_text((site / "site.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert watching.next() == ["site.yaml", "templates/extra.html"]
        # A folder made with a file in it at once (before it can be watched), then a file deleted.
        (site / "static" / "new").mkdir()
        (site / "static" / "new" / "a.txt").write_text("a", encoding="utf-8")
        assert watching.next() == ["static/new/a.txt"]
        (site / "templates" / "extra.html").unlink()
        assert watching.next() == ["templates/extra.html"]
        if not polled:
            # The same size and, put back, the same time: no snapshot can tell,
            # the events do (a save within one tick of the file clock).
            before = story.stat()
            story.write_text(story.read_text(encoding="utf-8").replace("More.", "Mode."), encoding="utf-8")
            os.utime(story, ns=(before.st_atime_ns, before.st_mtime_ns))
            assert watching.next() == [STORY]
    finally:
        watching.stop()


@linux_only
def test_a_file_renamed_into_place_is_finished_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Editors that save safely (gedit, Sublime, JetBrains), `sed -i` and
    # rsync write a new copy and rename it over the story: the renamed file
    # is whole, not one still being written. With the hold longer than the
    # test waits, a renamed file taken for one being written is never reported.
    from totaliser import watching as watching_module

    monkeypatch.setattr(watching_module, "HOLD_SECONDS", WAIT * 10)
    site = copy_example_site(tmp_path / "site")
    story = site / STORY
    watching = WatcherThread(site)
    try:
        for temporary in (story.with_name(".jacob.md.tmp"), story.with_name("jacob-buckett.md.new"), tmp_path / "outside.md"):
            temporary.write_text(story.read_text(encoding="utf-8") + f"\nSaved through {temporary.name}.\n", encoding="utf-8")
            temporary.rename(story)
            assert watching.next() == [STORY]
    finally:
        watching.stop()


@linux_only
def test_a_change_no_event_announces_is_found_by_the_safety_net(tmp_path: Path) -> None:
    # A story linked from a folder outside the site: inotify on content/ hears
    # nothing when the file it leads to changes (as on a file system that sends
    # no events), but the snapshot, which follows the link, sees it.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    site = copy_example_site(tmp_path / "site")
    target = elsewhere / "linked.md"
    target.write_text((site / STORY).read_text(encoding="utf-8"), encoding="utf-8")
    (site / "content" / "appeals" / "linked.md").symlink_to(target)
    watching = WatcherThread(site)
    try:
        for number in range(2):  # the first found by the once-a-second look; then polled often
            target.write_text(target.read_text(encoding="utf-8") + f"\nChange {number}.\n", encoding="utf-8")
            assert watching.next() == ["content/appeals/linked.md"]
    finally:
        watching.stop()
