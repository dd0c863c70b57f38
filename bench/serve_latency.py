#!/usr/bin/env python3
"""Save-to-reload latency of `build.py serve`: from writing a story to the
reload message reaching a connected browser's LiveReload socket.

    python bench/serve_latency.py bench/corpus-1000 [--edits 5]

It copies the site into a temporary folder (the original is never touched),
starts the dev server on a free port, connects as livereload.js does, then
edits one story several times, printing each latency and the median.
Benchmarks are not tests: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


async def _measure(port: int, story: Path, edits: int) -> list[float]:
    from tornado.websocket import websocket_connect

    connection = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
    await connection.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
    await connection.read_message()  # the server's hello
    # livereload.js then says which page it shows; only then is it sent reloads.
    await connection.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{port}/", "plugins": {}}))
    original = story.read_text(encoding="utf-8")
    latencies = []
    for number in range(edits):
        await asyncio.sleep(1.0)  # let the previous change settle fully
        started = time.perf_counter()
        story.write_text(original + f"\n\nEdit number {number}.\n", encoding="utf-8")
        while True:
            message = json.loads(await connection.read_message())
            if message.get("command") == "reload":
                break
        latencies.append(time.perf_counter() - started)
    connection.close()
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        shutil.copytree(args.site, site, ignore=shutil.ignore_patterns("output", ".output.staging"))
        story = sorted((site / "content" / "appeals").glob("*.md"))[0]
        process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--site", str(site), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        try:
            assert process.stdout is not None
            for line in process.stdout:
                if "Serving at" in line:
                    port = int(line.split()[2].split(":")[2].split("/")[0])
                    break
            else:
                print("serve did not start", file=sys.stderr)
                return 1
            latencies = asyncio.run(_measure(port, story, args.edits))
        finally:
            process.terminate()
            process.wait(timeout=30)
    print("save-to-reload seconds:", ", ".join(f"{s:.3f}" for s in latencies))
    print(f"median {statistics.median(latencies):.3f} s over {len(latencies)} edits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
