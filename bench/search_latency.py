#!/usr/bin/env python3
"""The search page at scale: how long the index takes to make, and how quickly
a search shows its result in Chromium, with what it transfers.

    python3 ../shared/bench/gen_corpus.py --n 10000 --out /tmp/search-corpus
    .venv/bin/python bench/search_latency.py /tmp/search-corpus [--runs 5] [--work DIR]

CORPUS is a folder of stories (what gen_corpus.py writes). A site is made of
them in a temporary folder (or --work), with this repository's site.yaml, and
built. Then:

* *index*: the search index output alone, made as the build makes it (its
  reads recorded), from content already loaded; best and median of --index-runs.
* in headless Chromium, the built site served over HTTP under its base path,
  each run in a fresh browser context (nothing cached): the search page is
  opened, and once it has loaded a surname from the corpus is typed into the
  search box (60 ms between keys). *latency* runs from the last keystroke's
  input event to the first result card being in the page (both on the page's
  performance.now() clock). *after load* counts the bytes of every response
  after the page's load event, headers and body as Playwright reports them,
  the Pagefind worker's requests included: Pagefind's script, worker,
  WebAssembly, index chunks and the results' fragments. *total* adds the page
  itself and its CSS, scripts, logo and icon. The test server sends files as
  they are (no gzip): Pagefind's index files are gzipped already, its scripts
  would be smaller from a server that compresses (GitHub Pages does).

Benchmarks are not tests: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="a folder of stories (gen_corpus.py --out)")
    parser.add_argument("--runs", type=int, default=5, help="searches in Chromium, each for another surname (default 5)")
    parser.add_argument("--index-runs", type=int, default=3, help="times the index is made (default 3)")
    parser.add_argument("--work", type=Path, help="where the site is made (default: a temporary folder, removed after)")
    parser.add_argument("--reuse", action="store_true", help="use the site already built in --work, with the search index and script this code makes")
    args = parser.parse_args()
    stories = sorted(args.corpus.glob("*.md"))
    if not stories:
        parser.error(f"no stories in {args.corpus}")
    work = args.work or Path(tempfile.mkdtemp(prefix="search-bench-"))
    try:
        print(f"{len(stories):,} appeals; load average {os.getloadavg()[0]:.2f}", flush=True)
        site = work / "site"
        if not (args.reuse and (site / "output" / "search" / "index.html").is_file()):
            site = make_site(work, stories)
            started = time.perf_counter()
            subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--site", str(site), "--no-cache"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            print(f"build (cold, whole site): {time.perf_counter() - started:.1f} s", flush=True)
        made = index_times(site, args.index_runs)
        if args.reuse:  # the site was built by other code, maybe: its index and script as this code makes them
            shutil.rmtree(site / "output" / "search" / "pagefind")
            for path, data in made.items():
                (site / "output" / path).parent.mkdir(parents=True, exist_ok=True)
                (site / "output" / path).write_bytes(data)
            shutil.copy(REPO / "static" / "js" / "search.js", site / "output" / "static" / "js" / "search.js")
        browser_runs(site / "output", surnames(stories, args.runs))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def make_site(work: Path, stories: list[Path]) -> Path:
    site = work / "site"
    appeals = site / "content" / "appeals"
    if site.exists():
        shutil.rmtree(site)
    appeals.mkdir(parents=True)
    for story in stories:
        shutil.copy(story, appeals / story.name)
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    return site


def index_times(site: Path, runs: int) -> dict[str, bytes]:
    from totaliser import reads
    from totaliser.site import _made_by, _prepare, load_site, plan_outputs
    from totaliser.site_values import SiteValues

    loaded = load_site(site)
    values = SiteValues.of(loaded.config, loaded.content.appeals, loaded.content.pages)
    context, sources = _prepare(loaded, site, reads.FileFingerprints(), values)
    context.scratch = Path(tempfile.mkdtemp(prefix="search-bench-"))  # a build gives it one in its staging folder
    output = next(output for output in plan_outputs(loaded, site, values) if output.key == "search index")
    times, cpu, size, count = [], [], 0, 0
    for _ in range(runs):
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        files, _, problems = _made_by(output, context, sources)
        after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(time.perf_counter() - started)
        cpu.append(sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before, strict=True)))
        assert not problems, problems
        size, count = sum(len(data) for data in files.values()), len(files)
    shutil.rmtree(context.scratch, ignore_errors=True)
    print(
        f"index (the search index output alone, cold): best {min(times):.2f} s, median {statistics.median(times):.2f} s "
        f"of {runs} (CPU time, Totaliser and Pagefind's indexer together: median {statistics.median(cpu):.2f} s); "
        f"{count:,} files, {size / 1e6:.1f} MB",
        flush=True,
    )
    return files


def surnames(stories: list[Path], count: int) -> list[str]:
    """Surnames of children spread over the corpus."""
    found = []
    step = max(1, len(stories) // count)
    for story in stories[::step][:count]:
        match = re.search(r'^child: "?([^"\n]+)"?$', story.read_text(encoding="utf-8"), re.MULTILINE)
        if match:
            found.append(match.group(1).split()[-1])
    return found


WATCH = """
() => {
  window.__search = { lastInput: 0, shown: 0 };
  const input = document.querySelector("#search-query");
  input.addEventListener("input", () => { window.__search.lastInput = performance.now(); window.__search.shown = 0; });
  new MutationObserver(() => {
    if (!window.__search.shown && document.querySelector(".search-result")) window.__search.shown = performance.now();
  }).observe(document.querySelector("[data-search-results]"), { childList: true });
}
"""


def note_size(received: list[tuple[float, int]], request: Any) -> None:
    sizes = request.sizes()
    received.append((time.perf_counter(), sizes["responseHeadersSize"] + sizes["responseBodySize"]))


def browser_runs(output: Path, names: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    from tests.site_server import serve

    latencies, after_load, totals = [], [], []
    with serve(output, "/appeals-site/") as root, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            for name in names:
                context = browser.new_context()
                page = context.new_page()
                received: list[tuple[float, int]] = []
                # The context's events: Pagefind's worker fetches the index, and its requests count too.
                context.on("requestfinished", partial(note_size, received))
                page.goto(root + "/search/", wait_until="load")
                page.wait_for_timeout(300)  # anything the load event leaves running
                loaded_at = time.perf_counter()
                page.evaluate(WATCH)
                page.type("#search-query", name, delay=60)
                page.wait_for_function("() => window.__search.shown > 0", timeout=30_000)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(300)  # the last responses' sizes noted
                latency = page.evaluate("() => window.__search.shown - window.__search.lastInput")
                first = page.locator(".search-result-title").first.inner_text()
                after = sum(size for at, size in received if at > loaded_at)
                total = sum(size for _, size in received)
                latencies.append(latency)
                after_load.append(after)
                totals.append(total)
                print(f"  {name!r}: result shown {latency:.0f} ms after the last keystroke ({first}); "
                      f"{after / 1024:.0f} KB after load, {total / 1024:.0f} KB in all", flush=True)
                context.close()
        finally:
            browser.close()
    print(
        f"search in Chromium: latency median {statistics.median(latencies):.0f} ms, worst {max(latencies):.0f} ms; "
        f"first query transfers median {statistics.median(after_load) / 1024:.0f} KB after the page's load "
        f"(worst {max(after_load) / 1024:.0f} KB), {statistics.median(totals) / 1024:.0f} KB with the page",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
