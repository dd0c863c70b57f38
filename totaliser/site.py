"""build(): load and check everything, then render into staging, then swap in.

Nothing is rendered until every file has been read and checked, and nothing
reaches the output folder until the whole site has been rendered.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from .cache import BuildCache, CacheMemory, digest, object_digest
from .config import SiteConfig, fallback_config, load_config
from .content import Appeal, Content, FileLoader, Page, load_content
from .errors import ContentErrors, Problem, Problems, display_path
from .listing import page_path, paginate
from .outputs.pages import PageRenderer, photo_context, reading_for
from .parallel import ForkedLoader, fork_map, should_fork
from .privacy import without_metadata
from .render import make_environment, theme_folder
from .staging import OutputCollision, OutputWriter, check_output_folder, prepare_staging, remove_tree, swap_in

if TYPE_CHECKING:
    from .outputs.photos import PhotoSet

Progress = Callable[[int, int], None]
PICTURE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    output_dir: Path | None = None
    base_url: str | None = None
    include_drafts: bool = False
    # Reuse what the last build into this output folder made (cache.py). Off
    # unless asked for: the cache folder inside the output differs from build
    # to build, and the SPEC promises byte-identical output.
    use_cache: bool = False

    @property
    def output(self) -> Path:
        return self.output_dir if self.output_dir is not None else self.site_dir / "output"


@dataclass
class BuildReport:
    output_dir: Path
    appeals: list[Appeal]
    pages: list[Page]
    warnings: list[Problem]
    files: int
    seconds: float
    drafts_skipped: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


@dataclass
class LoadedSite:
    config: SiteConfig
    content: Content
    problems: Problems


def load_site(
    site_dir: Path, base_url: str | None = None, include_drafts: bool = False, cache: BuildCache | None = None
) -> LoadedSite:
    """Read and check site.yaml and every content file; raise ContentErrors if any is wrong."""
    problems = Problems()
    config = load_config(site_dir, problems, base_url)
    if config is None:
        # Check the content anyway: one run reports every error in every file.
        load_content(site_dir, fallback_config(), problems, include_drafts=include_drafts)
        raise ContentErrors(problems)
    # Checked stories are kept as they were read, full names and all: under
    # first-name privacy they must not be stored in the output folder.
    loader: FileLoader = ForkedLoader()
    if cache is not None and not config.first_name_only:
        loader = cache.content_loader(object_digest(config), site_dir, include_drafts)
    content = load_content(site_dir, config, problems, include_drafts=include_drafts, loader=loader)
    if problems.errors:
        raise ContentErrors(problems)
    return LoadedSite(config, content, problems)


def build(options: BuildOptions, progress: Progress | None = None, memory: CacheMemory | None = None) -> BuildReport:
    """Build the site. ``memory`` keeps the cache in memory from one build to
    the next in the same process (the dev server)."""
    started = time.perf_counter()
    site_dir = options.site_dir
    check_output_folder(options.output, site_dir)
    cache = BuildCache(options.output, memory) if options.use_cache else None
    # The cache and the checked content live until the build ends: Python's
    # cycle collector would go over them again and again as they are made and
    # as the build goes on (at 10,000 appeals, 0.15 s of a one-edit rebuild).
    # It is paused while they are loaded, then they are frozen: left out of
    # its passes until the build ends.
    collecting = gc.isenabled()
    gc.disable()
    try:
        loaded = load_site(site_dir, options.base_url, options.include_drafts, cache)
    finally:
        if collecting:
            gc.enable()
    gc.freeze()
    staging = prepare_staging(options.output)
    try:
        if cache:
            # Changed files are rendered into staging/fresh, then the new site
            # is assembled at staging/site and swapped in (see cache.py).
            (staging / "fresh").mkdir()
            writer = OutputWriter(staging / "fresh")
            _render_site(loaded, site_dir, writer, progress, options.output, cache)
            previous = swap_in(cache.assemble(writer, staging / "site"), options.output, keep_previous=True)
            if previous is not None:
                cache.keep_as_spare(previous)
            remove_tree(staging)
        else:
            writer = OutputWriter(staging)
            _render_site(loaded, site_dir, writer, progress, options.output, cache)
            swap_in(staging, options.output)
    except BaseException:
        remove_tree(staging)
        raise
    finally:
        gc.unfreeze()  # a dev server builds again and again: let them go when they are garbage
    appeals = loaded.content.appeals
    statuses: dict[str, int] = {}
    for appeal in appeals:
        statuses[appeal.status] = statuses.get(appeal.status, 0) + 1
    return BuildReport(
        output_dir=options.output,
        appeals=appeals,
        pages=loaded.content.pages,
        warnings=loaded.problems.warnings,
        files=len(writer.written),
        seconds=time.perf_counter() - started,
        drafts_skipped=loaded.content.drafts_skipped,
        statuses=statuses,
    )


# The templates each group of outputs is rendered with: a change to one of
# them (or to a template they include) re-renders that group and no other.
PAGE_TEMPLATES = ["page.html"]
INDEX_TEMPLATES = ["index.html"]
NOT_FOUND_TEMPLATES = ["404.html"]
# An appeal's outputs are one group in parts: the file each part writes in
# the appeal's folder (the photo part writes every other file there), and
# the templates it is rendered with. A change to the appeal renders every
# part again; a template change, only the parts that use that template.
APPEAL_PART_FILES = {
    "index.html": "page", "thermometer.svg": "badge", "embed/index.html": "embed",
    "poster/index.html": "poster", "card.png": "card",
}
APPEAL_PART_TEMPLATES: dict[str, list[str]] = {
    "page": ["appeal.html"], "badge": [], "embed": ["embed.html"], "poster": ["poster.html"], "card": [], "photo": [],
}
APPEAL_PARTS = frozenset(APPEAL_PART_TEMPLATES)
APPEAL_TEMPLATES = [name for names in APPEAL_PART_TEMPLATES.values() for name in names]


def appeal_part_of(appeal: Appeal, relative: str) -> str:
    """The part of an appeal's outputs that writes this file."""
    return APPEAL_PART_FILES.get(relative.removeprefix(appeal.url_path), "photo")


def render_appeal_outputs(
    appeal: Appeal, renderer: PageRenderer, site_dir: Path, writer: Any, problems: Problems, previous_output: Path,
    parts: frozenset[str] = APPEAL_PARTS,
) -> None:
    """The outputs of one appeal, or only the parts named. Anything added here
    needs its file in APPEAL_PART_FILES and its templates in APPEAL_PART_TEMPLATES."""
    # Imported here: a rebuild that renders no appeal never loads Pillow or segno.
    from .outputs import card_reuse, card_spec, embed, poster, thermometer

    config = renderer.config
    env = renderer.env
    folder = appeal.url_path
    image = None
    if appeal.image is not None and parts & {"photo", "page", "poster"}:
        photo = _photo(appeal.image, folder, appeal.path, site_dir, writer if "photo" in parts else None, problems)
        image = photo_context(photo, appeal.image_alt, config) if photo else None
    if "page" in parts:
        card_url = config.absolute(f"{folder}card.png")
        writer.write_text(f"{folder}index.html", renderer.appeal_page(appeal, image, card_url), appeal.path)
    # The appeal's reach: badge, embed, poster and social card.
    if "badge" in parts:
        writer.write_text(f"{folder}thermometer.svg", thermometer.badge_svg(reading_for(appeal, config), appeal.child), appeal.path)
    if "embed" in parts:
        writer.write_text(f"{folder}embed/index.html", embed.embed_page(env, appeal, config), appeal.path)
    if "poster" in parts:
        writer.write_text(f"{folder}poster/index.html", poster.poster_page(env, appeal, config, image), appeal.path)
    if "card" in parts:
        card_png = card_reuse.card_bytes(card_spec.card_spec(appeal, config), previous_output / f"{folder}card.png")
        writer.write_bytes(f"{folder}card.png", card_png, appeal.path)


def render_page_outputs(page: Page, renderer: PageRenderer, site_dir: Path, writer: Any, problems: Problems) -> None:
    photo = _photo(page.image, page.url_path, page.path, site_dir, writer, problems)
    image = photo_context(photo, page.image_alt, renderer.config) if photo else None
    writer.write_text(f"{page.url_path}index.html", renderer.plain_page(page, image), page.path)


def _render_site(
    loaded: LoadedSite,
    site_dir: Path,
    writer: OutputWriter,
    progress: Progress | None,
    previous_output: Path,
    cache: BuildCache | None = None,
) -> None:
    config = loaded.config
    appeals = loaded.content.appeals
    pages = loaded.content.pages
    env = make_environment(site_dir, config)
    if cache:
        env.bytecode_cache = cache.template_bytecode()
    renderer = PageRenderer(env, config, appeals, pages)
    env.globals["embed_code"] = lambda appeal: _embed_code(appeal, config)
    env.globals["progress_chart"] = _progress_chart
    keys = _GroupKeys(cache, env, site_dir, config, pages) if cache else None
    problems = Problems()
    total = len(appeals) + len(pages)
    done = 0

    def tick(count: int = 1) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, total)

    index_paths = [page_path(number) for number in range(1, len(paginate(renderer.appeals)) + 1)]
    try:
        todo: list[tuple[str, bytes, Any]] = []
        part_keys = keys.appeal_parts() if keys else None
        for appeal in renderer.appeals:
            group = f"appeal:{appeal.slug}"
            if keys is None or part_keys is None:
                todo.append((group, b"", (appeal, APPEAL_PARTS)))
                continue
            key = keys.appeal(appeal)
            stale = keys.cache.reuse_parts(group, key, part_keys, writer, partial(appeal_part_of, appeal))
            if stale:
                todo.append((group, key, (appeal, frozenset(stale))))
            else:
                tick()
        if todo:
            for name in APPEAL_TEMPLATES:  # compiled once here, not once in every worker
                env.get_template(name)
        # (What rendering an appeal loads, Pillow or segno, is loaded once too:
        # fork_map renders the first appeal here before forking.)

        def render_appeal(item: tuple[Appeal, frozenset[str]], renderer: PageRenderer, site_dir: Path, writer: Any, problems: Problems) -> None:
            render_appeal_outputs(item[0], renderer, site_dir, writer, problems, previous_output, item[1])

        _render_groups(todo, render_appeal, renderer, site_dir, writer, problems, cache, tick, part_keys)
        todo = []
        for page in pages:
            key = keys.page(page) if keys else b""
            if cache and cache.reuse(f"page:{page.slug}", key, writer):
                tick()
            else:
                todo.append((f"page:{page.slug}", key, page))
        _render_groups(todo, render_page_outputs, renderer, site_dir, writer, problems, cache, tick, None)

        # Listing pages are rendered like appeals, in several processes when
        # many are due: a new total changes the totals every page shows.
        chunks = paginate(renderer.appeals)
        todo = []
        for number in range(1, len(chunks) + 1):
            key = keys.index_page(renderer, number, chunks) if keys else b""
            if not (keys and keys.cache.reuse(f"index:{number}", key, writer)):
                todo.append((f"index:{number}", key, number))

        def render_index(number: int, renderer: PageRenderer, site_dir: Path, writer: Any, problems: Problems) -> None:
            writer.write_text(*renderer.index_page(number, chunks))

        _render_groups(todo, render_index, renderer, site_dir, writer, problems, cache, lambda count: None, None)
        _cached_group(
            keys, "404", lambda k: k.simple(NOT_FOUND_TEMPLATES), writer,
            lambda recorder: recorder.write_text("404.html", renderer.not_found_page()),
        )
    except jinja2.TemplateError as exc:
        problems.error(*_template_problem(exc, site_dir))
    except OutputCollision as exc:
        problems.error(exc.second, 1, "file name", f"would write {exc.relative}, which {exc.first} writes too (rename one of them)")
    if problems.errors:
        raise ContentErrors(problems)

    from .outputs import feeds

    # The feed, appeals.json and the sitemap are cached apart: one story's
    # text changes appeals.json, but the feed only when the story is among its
    # newest entries, and the sitemap only when an address or date changes.
    def appeals_json(recorder: _Recorder) -> None:
        in_order = renderer.appeals
        if cache is None:
            records: list[bytes | memoryview] = [feeds.appeal_record_utf8(appeal, config) for appeal in in_order]
        else:
            records = cache.kept_with_stories(
                [appeal.path for appeal in in_order], lambda index: feeds.appeal_record_utf8(in_order[index], config)
            )
        recorder.write_bytes("appeals.json", feeds.appeals_json_utf8(records))

    def sitemap(recorder: _Recorder) -> None:
        recorder.write_text("sitemap.xml", feeds.sitemap(appeals, pages, index_paths, config))
        recorder.write_text("robots.txt", feeds.robots_txt(config))

    story_photos = {a.image for a in appeals if a.image} | {p.image for p in pages if p.image}

    def static_files(recorder: _Recorder) -> None:
        recorder.write_text(".nojekyll", "")
        if config.cname:
            recorder.write_text("CNAME", config.cname + "\n")
        copy_static(site_dir, recorder, story_photos)  # type: ignore[arg-type]

    _cached_group(keys, "feeds", lambda k: k.feeds(appeals, pages, index_paths), writer, appeals_json)
    _cached_group(
        keys, "feed", lambda k: k.atom_feed(feeds.newest_entries(appeals, config)), writer,
        lambda recorder: recorder.write_text("feed.xml", feeds.atom_feed(appeals, config)),
    )
    _cached_group(keys, "sitemap", lambda k: k.sitemap(appeals, pages, index_paths), writer, sitemap)
    # The static files are a group too: the fonts alone are larger than the
    # rest of a rebuild's writing.
    _cached_group(keys, "static", lambda k: k.static_files(story_photos), writer, static_files)


def _cached_group(
    keys: _GroupKeys | None, group: str, key_of: Callable[[_GroupKeys], bytes], writer: OutputWriter,
    render: Callable[[_Recorder], None],
) -> None:
    """Render a group of files, unless the cache (there are keys only with a
    cache) has them from a build with the same key."""
    if keys is None:
        with _Recorder(writer) as recorder:
            render(recorder)
        return
    key = key_of(keys)
    if keys.cache.reuse(group, key, writer):
        return
    with _Recorder(writer) as recorder:
        render(recorder)
    keys.cache.record(group, key, recorder.files, writer.root)


def _embed_code(appeal: Appeal, config: SiteConfig) -> Any:
    from .outputs import embed  # imported when a page shows it, as the rest of an appeal's outputs

    return embed.iframe_code(appeal, config)


def _progress_chart(*args: Any, **kwargs: Any) -> Any:
    from .outputs import chart

    return chart.progress_chart(*args, **kwargs)


RenderOne = Callable[[Any, PageRenderer, Path, Any, Problems], None]


def _render_groups(
    todo: list[tuple[str, bytes, Any]],
    render_one: RenderOne,
    renderer: PageRenderer,
    site_dir: Path,
    writer: OutputWriter,
    problems: Problems,
    cache: BuildCache | None,
    tick: Callable[[int], None],
    parts: dict[str, bytes] | None,
) -> None:
    """Render groups of outputs (one per appeal or page), in several processes
    when there are many (a cold build, a template change). ``parts`` are the
    part keys of groups made in parts."""
    if not should_fork(len(todo)):
        for group, key, item in todo:
            with _Recorder(writer) as recorder:
                render_one(item, renderer, site_dir, recorder, problems)
            if cache:
                cache.record(group, key, recorder.files, writer.root, parts)
            tick(1)
        return

    def render_in_worker(entry: tuple[str, bytes, Any]) -> tuple[list[tuple[str, str]], list[Problem]]:
        # Each worker writes into the same staging folder; the paths it wrote
        # come back so that this process can check no two items wrote one path.
        own_writer = OutputWriter(writer.root)
        own = Problems()
        try:
            render_one(entry[2], renderer, site_dir, own_writer, own)
        except jinja2.TemplateError as exc:
            own.error(*_template_problem(exc, site_dir))
        return list(own_writer.written.items()), own.items

    results = fork_map(render_in_worker, todo, on_result=tick)
    seen: set[Problem] = set()
    for (group, key, _item), (files, items) in zip(todo, results, strict=True):
        for problem in items:
            if problem not in seen:  # a broken template fails every item alike: say it once
                seen.add(problem)
                problems.items.append(problem)
        for relative, source in files:
            writer.register(relative, source)
        if cache:
            cache.record(group, key, files, writer.root, parts)


class _Recorder:
    """Passes writes on to the output writer, noting which files were written."""

    def __init__(self, writer: OutputWriter):
        self.writer = writer
        self.root = writer.root
        self.files: list[tuple[str, str]] = []

    def __enter__(self) -> _Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write_text(self, relative: str, text: str, source: str = "the build") -> None:
        self.writer.write_text(relative, text, source)
        self.files.append((relative, source))

    def write_bytes(self, relative: str, data: bytes, source: str = "the build") -> None:
        self.writer.write_bytes(relative, data, source)
        self.files.append((relative, source))

    def copy_file(self, relative: str, source_path: Path, source: str) -> None:
        self.writer.copy_file(relative, source_path, source)
        self.files.append((relative, source))


class _GroupKeys:
    """The cache key of each group of outputs: a hash of everything it is made from."""

    def __init__(self, cache: BuildCache, env: jinja2.Environment, site_dir: Path, config: SiteConfig, pages: list[Page]):
        self.cache = cache
        self.env = env
        self.config = object_digest(config)
        self.nav = digest(*(self._digest(page) for page in sorted(pages, key=lambda p: p.slug)))
        self.static = _static_fingerprint(site_dir)
        self._templates: dict[tuple[str, ...], tuple[set[str] | None, bytes]] = {}
        self._unclaimed: bytes | None = None
        self._totals: bytes | None = None
        self._appeal_base: bytes | None = None

    def _digest(self, item: Appeal | Page) -> bytes:
        found = self.cache.digest_of(item.path)
        return found if found is not None else object_digest(item)

    def templates(self, names: Iterable[str]) -> bytes:
        return self._closure(tuple(names))[1]

    def _closure(self, names: tuple[str, ...]) -> tuple[set[str] | None, bytes]:
        if names not in self._templates:
            self._templates[names] = _template_closure(self.env, names, self.cache.template_references)
        return self._templates[names]

    def unclaimed_templates(self) -> bytes:
        """A hash of the templates that no listing, page, 404 or part of an
        appeal's outputs is known to use. They count for every appeal, so an
        appeal output whose template was not added to APPEAL_PART_TEMPLATES is
        still rendered again when that template changes."""
        if self._unclaimed is None:
            claimed: set[str] = set()
            for names in (INDEX_TEMPLATES, PAGE_TEMPLATES, NOT_FOUND_TEMPLATES, *APPEAL_PART_TEMPLATES.values()):
                used, _ = self._closure(tuple(names))
                if used is None:
                    claimed = set()
                    break
                claimed |= used
            assert self.env.loader is not None
            parts: list[str] = []
            for name in sorted(self.env.loader.list_templates()):
                if name not in claimed:
                    source, filename, _ = self.env.loader.get_source(self.env, name)
                    parts += [name, filename or "", source]
            self._unclaimed = digest(*parts)
        return self._unclaimed

    def simple(self, templates: list[str]) -> bytes:
        return self.cache.group_key(self.templates(templates), self.config, self.nav, self.static)

    def appeal(self, appeal: Appeal) -> bytes:
        """The key every part of an appeal's outputs shares (their templates aside)."""
        if self._appeal_base is None:
            # What every appeal's key shares, hashed once rather than once an appeal.
            self._appeal_base = self.cache.group_key(
                "appeal", self.unclaimed_templates(), self.config, self.nav, self.static,
            )
        # Joined rather than hashed: the parts are hashes already (but the photo's
        # last), and at 10,000 appeals hashing them again costs 30 ms a build.
        photo = _photo_key(appeal.image).encode("utf-8", "surrogateescape") if appeal.image is not None else b""
        return self._appeal_base + self._digest(appeal) + photo

    def appeal_parts(self) -> dict[str, bytes]:
        """Each part's own key: its templates."""
        return {part: self.templates(names) if names else b"" for part, names in APPEAL_PART_TEMPLATES.items()}

    def page(self, page: Page) -> bytes:
        return self.cache.group_key(
            "page", self.templates(PAGE_TEMPLATES), self.config, self.nav, self.static,
            self._digest(page), _photo_key(page.image),
        )

    def index_page(self, renderer: PageRenderer, number: int, chunks: list[list[Appeal]]) -> bytes:
        if self._totals is None:
            self._totals = object_digest(renderer.totals)
        return self.cache.group_key(
            "index", self.templates(INDEX_TEMPLATES), self.config, self.nav, self.static, self._totals,
            f"{number}/{len(chunks)}", *(self._digest(appeal) for appeal in chunks[number - 1]),
        )

    def static_files(self, story_photos: set[Path]) -> bytes:
        # The static folder's bytes, and which of its pictures are story photos (not copied).
        return self.cache.group_key("static", self.static, self.config, *sorted(str(photo) for photo in story_photos))

    def feeds(self, appeals: list[Appeal], pages: list[Page], index_paths: list[str]) -> bytes:
        # appeals.json: every appeal, whole.
        return self.cache.group_key(
            "feeds", self.config, "\n".join(index_paths),
            *(self._digest(appeal) for appeal in appeals), *(self._digest(page) for page in pages),
        )

    def atom_feed(self, newest: list[tuple[Any, str, Appeal, int | None]]) -> bytes:
        # The feed: the appeals of its entries, whole, in their order.
        return self.cache.group_key(
            "feed", self.config, *(f"{day}\t{key}\t{index}" for day, key, _appeal, index in newest),
            *(self._digest(appeal) for _day, _key, appeal, _index in newest),
        )

    def sitemap(self, appeals: list[Appeal], pages: list[Page], index_paths: list[str]) -> bytes:
        # The sitemap: addresses and dates only (what feeds.sitemap reads).
        return self.cache.group_key(
            "sitemap", self.config, "\n".join(index_paths),
            *(f"{appeal.slug}\t{appeal.last_changed}" for appeal in appeals), *(self._digest(page) for page in pages),
        )


def _template_closure(
    env: jinja2.Environment, names: tuple[str, ...], known: dict[bytes, list[str | None]]
) -> tuple[set[str] | None, bytes]:
    """The named templates with every template they extend, include or import,
    and a hash of them all. The names are None when a template is chosen at run
    time: any of them may then be used, and the hash covers them all."""
    from jinja2 import meta

    parts: list[str] = []
    seen: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        assert env.loader is not None
        source, filename, _ = env.loader.get_source(env, name)
        parts += [name, filename or "", source]
        source_key = digest(source)
        if source_key not in known:
            known[source_key] = list(meta.find_referenced_templates(env.parse(source)))
        for reference in known[source_key]:
            if reference is None:
                return None, digest(*parts, *_all_templates(env))
            pending.append(reference)
    return seen, digest(*parts)


def _all_templates(env: jinja2.Environment) -> list[str]:
    assert env.loader is not None
    parts = []
    for name in sorted(env.loader.list_templates()):
        source, filename, _ = env.loader.get_source(env, name)
        parts += [name, filename or "", source]
    return parts


def _static_fingerprint(site_dir: Path) -> bytes:
    """Static files may be read by outputs (fonts, inlined styles): any change counts."""
    parts: list[bytes | str] = []
    for relative, path in sorted(static_sources(site_dir).items()):
        parts += [relative, path.read_bytes()]
    return digest(*parts)


def _photo_key(image: Path | None) -> str:
    if image is None:
        return ""
    try:
        stat = image.stat()
    except OSError:
        return f"{image}:missing"
    if time.time() - stat.st_mtime < 2.0:
        return f"{image}:changing:{time.time_ns()}"  # too fresh to trust its time: never reused
    return f"{image}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}"


def _photo(image: Path | None, folder: str, shown: str, site_dir: Path, writer: Any, problems: Problems) -> PhotoSet | None:
    """Publish a story's photo in web sizes into ``folder``; with no writer,
    only work out what publishing it writes (its files are reused)."""
    if image is None:
        return None
    from .outputs.photos import PhotoError, plan_photo, publish_photo  # Pillow only when a story has a photo

    try:
        if writer is None:
            return plan_photo(image, folder)
        photo, files = publish_photo(image, folder)
    except PhotoError as exc:
        problems.error(shown, 1, "image", f"{display_path(image, site_dir)} {exc}")
        return None
    for path, data in files.items():
        writer.write_bytes(path, data, shown)
    return photo


def _template_problem(exc: jinja2.TemplateError, site_dir: Path) -> tuple[str, int, str, str]:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name = exc.filename or exc.name or "a template"
        return display_path(Path(name), site_dir), exc.lineno or 1, "template", exc.message or str(exc)
    return "templates", 1, "template", str(exc)


def copy_static(site_dir: Path, writer: OutputWriter, story_photos: set[Path] | None = None) -> None:
    """Copy the theme's static files, then the site's own over them.

    A story's photo is published in web sizes beside its page, so its
    full-size original (often named after the child) is not copied; other
    pictures are copied without their metadata (a location, a name)."""
    files = static_sources(site_dir)
    skipped = {photo.resolve() for photo in story_photos or ()}
    for relative in sorted(files):
        path = files[relative]
        if path.resolve() in skipped:
            continue
        if path.suffix.lower() in PICTURE_SUFFIXES:
            cleaned = without_metadata(path.read_bytes())
            if cleaned is not None:
                writer.write_bytes(f"static/{relative}", cleaned, "static/" + relative)
            continue
        writer.copy_file(f"static/{relative}", path, "static/" + relative)


# The theme's own assets. The rest of the repository's static/ folder (the
# example site's logo and photos) belongs to the example, not to every site.
THEME_ASSETS = ("css/", "js/", "fonts/", "images/favicon.svg")


def static_sources(site_dir: Path) -> dict[str, Path]:
    """Every file that goes into output/static/: the theme's assets, then the
    site's own static files over them."""
    theme = theme_folder("static")
    files = {
        relative: path
        for relative, path in _static_files(theme, theme.resolve()).items()
        if relative.startswith(THEME_ASSETS)
    }
    files.update(_static_files(site_dir / "static", site_dir.resolve()))
    return files


def _static_files(folder: Path, boundary: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    root = folder.resolve()
    if not root.is_relative_to(boundary):
        return {}  # static/ itself is a link to a folder elsewhere on the disk
    found: dict[str, Path] = {}
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(directory) / name
            # A link that leads outside the static folder is not followed:
            # the build reads nothing from elsewhere on the disk.
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                continue
            if not path.is_file():
                continue  # a pipe or device would never finish copying
            found[path.relative_to(root).as_posix()] = path
    return found
