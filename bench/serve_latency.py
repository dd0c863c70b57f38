#!/usr/bin/env python3
"""Save-to-reload latency of `build.py serve`: from writing a story to a
connected browser being told to reload, and to it showing the new page.

    python bench/serve_latency.py bench/corpus-1000 [--edits 7] [--no-browser]

It copies the site into a temporary folder (the original is never touched),
starts the dev server on a free port, and edits one story several times. For
each edit it prints two figures, both from the moment the story is written:

* *reload*: headless Chromium, showing the story's page as served (with
  livereload.js and refresh.js), asks for the page again (refresh.js does so
  as soon as the reload message arrives);
* *shown*: Chromium has painted the edited paragraph, on the same clock as
  the write (the Element Timing API's render time; the first contentful
  paint if the page was loaded again in whole). This is "save to the
  browser showing it".

Without Chromium (/usr/bin/chromium) and Playwright, or with --no-browser,
*reload* is the reload message reaching a LiveReload client on the socket
(connected as livereload.js is, handshake included), and *shown* is not
measured. (The socket client is not used with the browser: this process,
busy driving Chromium, would note the message late.)

Benchmarks are not tests: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from machine import describe as describe_machine  # bench/ is this script's folder, so on the path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PAUSE = 1.0  # seconds between edits: let the previous change settle fully


class SocketClient:
    """A LiveReload client on its own thread, noting when each reload arrives."""

    def __init__(self, port: int):
        self.port = port
        self.reloads: list[float] = []
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(self._listen(), self.loop)
        if not self.ready.wait(30):
            raise RuntimeError("could not connect to the LiveReload socket")

    async def _listen(self) -> None:
        from tornado.websocket import websocket_connect

        connection = await websocket_connect(f"ws://127.0.0.1:{self.port}/livereload")
        await connection.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
        await connection.read_message()  # the server's hello
        # livereload.js then says which page it shows; only then is it sent reloads.
        await connection.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{self.port}/", "plugins": {}}))
        self.ready.set()
        while True:
            message = await connection.read_message()
            if message is None:
                return
            if json.loads(message).get("command") == "reload":
                self.reloads.append(time.time())

    def wait_for(self, count: int, timeout: float = 30) -> float:
        deadline = time.monotonic() + timeout
        while len(self.reloads) < count and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.reloads[count - 1] if len(self.reloads) >= count else float("nan")


# Run in every document the page loads: note when each paragraph, heading
# and list item is first painted (the Element Timing API reports only
# elements marked with an elementtiming attribute, so each is marked as it
# arrives, whether parsed or swapped in by refresh.js).
PAINT_WATCH = """
window.__painted = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    window.__painted.push([entry.element ? entry.element.textContent : "", performance.timeOrigin + entry.renderTime]);
  }
}).observe({ type: "element", buffered: true });
new MutationObserver(() => {
  for (const node of document.querySelectorAll("p:not([elementtiming]), h1:not([elementtiming]), li:not([elementtiming])")) {
    node.setAttribute("elementtiming", "text");
  }
}).observe(document, { childList: true, subtree: true });
"""


class BrowserClient:
    """Headless Chromium showing the story's page, with livereload.js and
    refresh.js as served."""

    def __init__(self, url: str):
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        self.page = self.browser.new_page()
        self.page.add_init_script(PAINT_WATCH)
        self.page.goto(url)
        self.page.wait_for_function(
            "() => window.LiveReload && window.LiveReload.connector && window.LiveReload.connector._isSocketConnected()"
            " && window.LiveReload.connector.protocol >= 7",  # the handshake done: the server knows the page
            timeout=30_000,
        )

    def wait_for(self, text: str, since: float) -> tuple[float, float, bool]:
        """When the page showing ``text`` was asked for again, when that text
        was first painted (seconds since the epoch), and whether it was shown
        in place (not reloaded)."""
        self.page.wait_for_function(f"() => document.body && document.body.textContent.includes({json.dumps(text)})", timeout=30_000)
        reloaded = float(self.page.evaluate("() => performance.timeOrigin")) / 1000 > since
        if reloaded:
            # Loaded again in whole: its navigation's start and first paint.
            times: Any = self.page.evaluate(
                """() => {
                    const paint = performance.getEntriesByName('first-contentful-paint')[0];
                    return [performance.timeOrigin, paint ? performance.timeOrigin + paint.startTime : Date.now()];
                }"""
            )
        else:
            # Shown in place: refresh.js's fetch of the page, and the paint of the edited paragraph.
            self.page.wait_for_function(
                f"() => window.__painted.some(([shown]) => shown.includes({json.dumps(text)}))", timeout=30_000
            )
            times = self.page.evaluate(
                f"""() => {{
                    const fetches = performance.getEntriesByType('resource').filter((entry) => entry.name === location.href);
                    const asked = fetches[fetches.length - 1];
                    const painted = window.__painted.find(([shown]) => shown.includes({json.dumps(text)}));
                    return [performance.timeOrigin + asked.startTime, painted[1]];
                }}"""
            )
        return float(times[0]) / 1000, float(times[1]) / 1000, not reloaded

    def close(self) -> None:
        self.browser.close()
        self.playwright.stop()


def _browser_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true", help="measure to the reload message only")
    args = parser.parse_args()
    use_browser = not args.no_browser and _browser_available()
    if not args.no_browser and not use_browser:
        print("Chromium or Playwright is missing: measuring to the reload message only.", file=sys.stderr)
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        shutil.copytree(args.site, site, ignore=shutil.ignore_patterns("output", ".output.staging"))
        story = sorted((site / "content" / "appeals").glob("*.md"))[0]
        process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--site", str(site), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        browser: BrowserClient | None = None
        try:
            assert process.stdout is not None
            for line in process.stdout:
                if "Serving at" in line:
                    url = line.split()[2]
                    port = int(url.split(":")[2].split("/")[0])
                    break
            else:
                print("serve did not start", file=sys.stderr)
                return 1
            # Keep reading serve's terminal, so that it never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()  # type: ignore[union-attr]
            client = SocketClient(port) if not use_browser else None
            if use_browser:
                browser = BrowserClient(f"{url}appeals/{story.stem}/")
            original = story.read_text(encoding="utf-8")
            reloads: list[float] = []
            shown: list[float] = []
            shown_in_place = 0
            for number in range(args.edits):
                time.sleep(PAUSE)
                marker = f"Edit number {number}."
                started = time.time()
                story.write_text(original + f"\n\n{marker}\n", encoding="utf-8")
                if browser is not None:
                    asked, painted, in_place = browser.wait_for(marker, started)
                    reloads.append(asked - started)
                    shown.append(painted - started)
                    shown_in_place += in_place
                else:
                    assert client is not None
                    reloads.append(client.wait_for(number + 1) - started)
        finally:
            if browser is not None:
                browser.close()
            process.terminate()
            process.wait(timeout=30)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {describe_machine()}")
    where = "Chromium asking for the page again" if shown else "the reload message on the LiveReload socket"
    print(f"save to {where}, seconds:", ", ".join(f"{s:.3f}" for s in reloads))
    print(f"median {statistics.median(reloads):.3f} s over {len(reloads)} edits")
    if shown:
        print("save to the edited page painted in Chromium, seconds:", ", ".join(f"{s:.3f}" for s in shown))
        print(f"median {statistics.median(shown):.3f} s over {len(shown)} edits ({shown_in_place} shown in place, the others reloaded)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
