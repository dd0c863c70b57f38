"""build(): load and check everything, then render into staging, then swap in.

Nothing is rendered until every file has been read and checked, and nothing
reaches the output folder until the whole site has been rendered.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import jinja2

from .config import SiteConfig, fallback_config, load_config
from .content import Appeal, Content, Page, load_content
from .errors import ContentErrors, Problem, Problems, display_path
from .outputs import card, card_reuse, chart, embed, feeds, poster, thermometer
from .outputs.pages import PageRenderer, reading_for
from .outputs.photos import PhotoError, PhotoSet, publish_photo
from .render import make_environment, theme_folder
from .staging import OutputCollision, OutputWriter, check_output_folder, prepare_staging, remove_tree, swap_in

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    output_dir: Path | None = None
    base_url: str | None = None
    include_drafts: bool = False

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


def load_site(site_dir: Path, base_url: str | None = None, include_drafts: bool = False) -> LoadedSite:
    """Read and check site.yaml and every content file; raise ContentErrors if any is wrong."""
    problems = Problems()
    config = load_config(site_dir, problems, base_url)
    if config is None:
        # Check the content anyway: one run reports every error in every file.
        load_content(site_dir, fallback_config(), problems, include_drafts=include_drafts)
        raise ContentErrors(problems)
    content = load_content(site_dir, config, problems, include_drafts=include_drafts)
    if problems.errors:
        raise ContentErrors(problems)
    return LoadedSite(config, content, problems)


def build(options: BuildOptions, progress: Progress | None = None) -> BuildReport:
    started = time.perf_counter()
    site_dir = options.site_dir
    check_output_folder(options.output, site_dir)
    loaded = load_site(site_dir, options.base_url, options.include_drafts)
    staging = prepare_staging(options.output)
    try:
        writer = OutputWriter(staging)
        _render_site(loaded, site_dir, writer, progress, options.output)
        swap_in(staging, options.output)
    except BaseException:
        remove_tree(staging)
        raise
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


def _render_site(loaded: LoadedSite, site_dir: Path, writer: OutputWriter, progress: Progress | None, previous: Path) -> None:
    config = loaded.config
    appeals = loaded.content.appeals
    pages = loaded.content.pages
    env = make_environment(site_dir, config)
    renderer = PageRenderer(env, config, appeals, pages)
    env.globals["embed_code"] = lambda appeal: embed.iframe_code(appeal, config)
    env.globals["progress_chart"] = chart.progress_chart
    problems = Problems()
    total = len(appeals) + len(pages)
    done = 0

    try:
        for appeal in renderer.appeals:
            photo = _photo(appeal.image, appeal.url_path, appeal.path, site_dir, writer, problems)
            image = _image_context(photo, appeal.image_alt, config) if photo else None
            card_url = config.absolute(f"{appeal.url_path}card.png")
            writer.write_text(f"{appeal.url_path}index.html", renderer.appeal_page(appeal, image, card_url), appeal.path)
            # The appeal's reach: badge, embed, poster and social card.
            reading = reading_for(appeal)
            writer.write_text(f"{appeal.url_path}thermometer.svg", thermometer.badge_svg(reading, appeal.child), appeal.path)
            writer.write_text(f"{appeal.url_path}embed/index.html", embed.embed_page(env, appeal, config), appeal.path)
            writer.write_text(f"{appeal.url_path}poster/index.html", poster.poster_page(env, appeal, config, image), appeal.path)
            card_png = card_reuse.card_bytes(card.card_spec(appeal, config), previous / f"{appeal.url_path}card.png")
            writer.write_bytes(f"{appeal.url_path}card.png", card_png, appeal.path)
            done += 1
            if progress:
                progress(done, total)
        for page in pages:
            photo = _photo(page.image, page.url_path, page.path, site_dir, writer, problems)
            image = _image_context(photo, page.image_alt, config) if photo else None
            writer.write_text(f"{page.url_path}index.html", renderer.plain_page(page, image), page.path)
            done += 1
            if progress:
                progress(done, total)
        index_paths = []
        for path, html in renderer.index_pages():
            writer.write_text(path, html)
            index_paths.append(path.removesuffix("index.html"))
        writer.write_text("404.html", renderer.not_found_page())
    except jinja2.TemplateError as exc:
        problems.error(*_template_problem(exc, site_dir))
    except OutputCollision as exc:
        problems.error(exc.second, 1, "file name", f"would write {exc.relative}, which {exc.first} writes too (rename one of them)")
    if problems.errors:
        raise ContentErrors(problems)

    writer.write_text("feed.xml", feeds.atom_feed(appeals, config))
    writer.write_text("appeals.json", feeds.appeals_json(appeals, config))
    writer.write_text("sitemap.xml", feeds.sitemap(appeals, pages, index_paths, config))
    writer.write_text("robots.txt", feeds.robots_txt(config))
    writer.write_text(".nojekyll", "")
    if config.cname:
        writer.write_text("CNAME", config.cname + "\n")
    copy_static(site_dir, writer)


def _photo(image: Path | None, folder: str, shown: str, site_dir: Path, writer: OutputWriter, problems: Problems) -> PhotoSet | None:
    if image is None:
        return None
    try:
        photo, files = publish_photo(image, folder)
    except PhotoError as exc:
        problems.error(shown, 1, "image", f"{display_path(image, site_dir)} {exc}")
        return None
    for path, data in files.items():
        writer.write_bytes(path, data, shown)
    return photo


def _image_context(photo: PhotoSet, alt: str | None, config: SiteConfig) -> dict[str, Any]:
    return {
        "src": config.link(photo.default),
        "srcset_jpeg": ", ".join(f"{config.link(p)} {w}w" for w, p in photo.jpeg),
        "srcset_webp": ", ".join(f"{config.link(p)} {w}w" for w, p in photo.webp),
        "width": photo.width,
        "height": photo.height,
        "alt": alt or "",
        "og": config.absolute(photo.largest),
    }


def _template_problem(exc: jinja2.TemplateError, site_dir: Path) -> tuple[str, int, str, str]:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name = exc.filename or exc.name or "a template"
        return display_path(Path(name), site_dir), exc.lineno or 1, "template", exc.message or str(exc)
    return "templates", 1, "template", str(exc)


def copy_static(site_dir: Path, writer: OutputWriter) -> None:
    """Copy the theme's static files, then the site's own over them."""
    files: dict[str, Path] = {}
    for folder in (theme_folder("static"), site_dir / "static"):
        files.update(_static_files(folder))
    for relative in sorted(files):
        writer.copy_file(f"static/{relative}", files[relative], "static/" + relative)


def _static_files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    root = folder.resolve()
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
            found[path.relative_to(root).as_posix()] = path
    return found
