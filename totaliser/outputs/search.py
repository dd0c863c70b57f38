"""The search page's index: every published appeal and plain page, made with Pagefind.

The index is one output like any other. It reads, through ``reads``, the
fields a search looks at (the child's name as the pages show it, condition,
hospital, place, tags, the story's summary), so the build cache makes it
again exactly when one of those changes, and not when an appeal's total,
photo or deadline does.

Pagefind's Python API drives its indexer, a program run as a child process.
Each record is handed over as a small HTML document: a document's words are
what is searched, its ``data-pagefind-meta`` elements what a result shows.
The documents are written to a working folder inside the build's staging
folder (``Context.scratch``) and Pagefind's bundle is written beside them
(its API hands files over in memory only in a single reply, too large for
its pipe at thousands of appeals); both are gone when the index is made. The bundle's files are published under
``search/pagefind/``, without Pagefind's stock interface (the search page has
a script of its own).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import shutil
import tempfile
import threading
from html import escape
from pathlib import Path
from typing import Any

from ..config import SiteConfig
from ..markup import smart_text
from .context import Context

BUNDLE = "search/pagefind/"
# What the search page loads: Pagefind's search script, its worker, its
# WebAssembly and its index. Its stock interface (pagefind-ui.js and the
# like) and playground are not published.
_PUBLISHED_PREFIXES = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "pagefind.", "wasm.", "index/", "fragment/", "filter/")
_UNPUBLISHED = ("-ui.", "pagefind-highlight.js", "playground/")


def search_index(context: Context) -> dict[str, bytes]:
    """The Pagefind bundle for the site, as {path in the output: bytes}."""
    config = context.config
    documents: list[tuple[str, str]] = []
    # By slug, not in the home page's order: a new total reorders the home
    # page, and must not make the index again.
    for slug in context.value("slugs"):
        appeal = context.appeal(slug)
        documents.append((f"a-{slug}.html", appeal_document(appeal, config)))
    for slug in context.page_slugs():
        page = context.page(slug)
        documents.append((f"p-{slug}.html", page_document(page, config)))
    if context.scratch is None:
        raise RuntimeError("the search index is made only by a build, which gives it a working folder")
    files = run_pagefind(documents, language(config), context.scratch)
    return {BUNDLE + path: data for path, data in sorted(files.items()) if _published(path)}


def language(config: SiteConfig) -> str:
    """The index's language (Pagefind's stemming): the site's, as "en" from "en-GB".

    One index for the whole site, stories in another language included, so
    that one search finds every appeal."""
    return config.locale.split("-")[0].lower()


def _published(path: str) -> bool:
    return path.startswith(_PUBLISHED_PREFIXES) and not any(part in path for part in _UNPUBLISHED)


def _meta(name: str, value: str) -> str:
    # The element's text is the value: an attribute's "name:value" form would
    # split a figure such as "£25,000" at its comma.
    return f'<span data-pagefind-meta="{name}">{escape(value)}</span>\n'


def appeal_document(appeal: Any, config: SiteConfig) -> str:
    """What Pagefind reads of one appeal: the words to search and what a result shows.

    The words are the child's name, condition, hospital, place, tags and the
    story's summary (its opening paragraph unless the story sets one), not
    the whole story: an edit further down a story, or a new total, leaves the
    index as it was, so a rebuild does not index every appeal again (at
    10,000 appeals, the whole stories took Pagefind 20 s). A result shows the
    child's name and what the appeal is about; its figures and status are
    read from the appeal's own thermometer.svg, which is up to date with
    every new total."""
    about = [words for words in dict.fromkeys((appeal.condition, appeal.hospital, appeal.location)) if words]
    searched = " ".join((appeal.child, *about, *appeal.tags, distinct_words(appeal.summary)))
    shown = "".join((
        _meta("title", appeal.child),
        _meta("url", config.link(appeal.url_path)),
        _meta("about", " · ".join(about)),
        _meta("kind", "appeal"),
    ))
    return _document(config, shown, f"<p>{escape(searched)}</p>")


_WORD = re.compile(r"\w+(?:['’-]\w+)*")


def distinct_words(text: str) -> str:
    """Each word of ``text`` once, in the order they first come."""
    seen: dict[str, str] = {}
    for word in _WORD.findall(text):
        seen.setdefault(word.lower(), word)
    return " ".join(seen.values())


def page_document(page: Any, config: SiteConfig) -> str:
    figures = _meta("title", smart_text(page.title)) + _meta("url", config.link(page.url_path)) + _meta("kind", "page")
    return _document(config, figures, f"<h1>{escape(page.title)}</h1>\n{page.body_html}")


def _document(config: SiteConfig, meta: str, body: str) -> str:
    return (
        f'<!doctype html>\n<html lang="{escape(config.locale)}">\n<body>\n{meta}'
        f"<main data-pagefind-body>\n{body}\n</main>\n</body>\n</html>\n"
    )


def run_pagefind(documents: list[tuple[str, str]], language_code: str, working: Path) -> dict[str, bytes]:
    """Pagefind's bundle for ``documents`` (file name, HTML), as {path: bytes},
    made in a new folder inside ``working``."""
    working.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="search-", dir=working))
    try:
        pages = scratch / "pages"
        bundle = scratch / "bundle"
        pages.mkdir()
        for name, html in documents:
            (pages / name).write_text(html, encoding="utf-8")
        files: dict[str, bytes] = {}
        _run(_index(str(pages), bundle, language_code, files))
        return files
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


async def _index(pages: str, bundle: Path, language_code: str, files: dict[str, bytes]) -> None:
    from pagefind.service import PagefindService

    async with PagefindService() as service:
        index = await service.create_index({"force_language": language_code})
        await index.add_directory(pages)
        await index.write_files(output_path=str(bundle))
        # Pagefind answers before its last writes have reached the files, and
        # leaving the service ends its process: the bundle is read first.
        files.update(await _written(bundle))


WRITE_TIMEOUT = 60.0  # seconds for Pagefind's writes to reach the files


async def _written(bundle: Path) -> dict[str, bytes]:
    """The bundle's files once every one is whole: each gzip file (the index,
    the WebAssembly) whole by its own check, the JSON read, and no file still
    growing."""
    waited = 0.0
    while True:
        files = {path.relative_to(bundle).as_posix(): path.read_bytes() for path in sorted(bundle.rglob("*")) if path.is_file()}
        await asyncio.sleep(0.02)
        waited += 0.02
        sizes = {path.relative_to(bundle).as_posix(): path.stat().st_size for path in bundle.rglob("*") if path.is_file()}
        if sizes == {path: len(data) for path, data in files.items()} and all(_whole(path, data) for path, data in files.items()):
            return files
        if waited > WRITE_TIMEOUT:
            raise RuntimeError("Pagefind did not finish writing the search index")


def _whole(path: str, data: bytes) -> bool:
    if not data:
        return False
    if data[:2] == b"\x1f\x8b":
        try:
            gzip.decompress(data)  # checks the length and CRC at its end
        except (OSError, EOFError):
            return False
    elif path.endswith(".json"):
        try:
            json.loads(data)
        except ValueError:
            return False
    return True


def _run(coroutine: Any) -> None:
    """Run Pagefind's coroutine to the end in an event loop of its own: in
    this thread, or in a thread of its own when this one already runs a loop
    (the dev server's, or a browser test's)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coroutine)
        return
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=run, name="pagefind")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
