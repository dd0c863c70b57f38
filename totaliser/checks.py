"""`check`: everything the build checks, plus what an editor wants to know.

The build refuses content that is wrong; these warnings are about content that
is valid but probably not what the editor meant: an appeal still open after
its target or deadline, an update dated in the future, a story with no summary
or photo, a link inside the site that goes nowhere, or (under ``privacy:
first_name``) a surname in a story's text or web address.

Unlike the build, these checks depend on today's date; they write nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from .config import SiteConfig
from .content import Appeal, read_source
from .errors import ContentErrors, Problem, Problems
from .frontmatter import SourceFile
from .listing import paginate
from .markup import StoryRenderer
from .money import format_money
from .pictures import is_picture, publishable_picture
from .privacy import NameGuard, without_urls
from .render import make_environment, theme_folder
from .site import LoadedSite, load_site, static_sources
from .slugs import to_ascii
from .template_errors import template_problem

# Files every site has at its root (see the output layout in SPEC.md).
ROOT_FILES = ("index.html", "appeals.json", "feed.xml", "sitemap.xml", "robots.txt", "404.html")
# What each appeal publishes under appeals/<slug>/.
APPEAL_FILES = ("", "index.html", "thermometer.svg", "card.png", "embed/", "embed/index.html", "poster/", "poster/index.html")
APPEALS_PER_PAGE = 24


@dataclass
class CheckReport:
    loaded: LoadedSite
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def check_site(site_dir: Path, today: datetime.date) -> CheckReport:
    """Load everything (drafts too) as the build does, then add editor warnings.

    Raises ContentErrors when the build would fail.
    """
    loaded = load_site(site_dir, include_drafts=True)
    problems = Problems()
    problems.extend(loaded.problems)
    targets = SiteTargets(site_dir, loaded)
    renderer = StoryRenderer()
    for appeal in loaded.content.appeals:
        source = _source(site_dir, appeal.path)
        if source is None:
            continue
        _appeal_warnings(appeal, source, loaded.config, today, problems)
        _link_warnings(appeal.path, appeal.url_path, source, targets, loaded.config, renderer, problems)
    for page in loaded.content.pages:
        source = _source(site_dir, page.path)
        if source is not None:
            _link_warnings(page.path, page.url_path, source, targets, loaded.config, renderer, problems)
    _picture_problems(site_dir, loaded, problems)
    _template_problems(site_dir, loaded, problems)
    if problems.errors:
        raise ContentErrors(problems)
    return CheckReport(loaded, problems.items)


def _template_problems(site_dir: Path, loaded: LoadedSite, problems: Problems) -> None:
    """Render every page in memory, as the build does, so that an error in a
    template (a misspelt name, a missing template) is found by check too."""
    import jinja2

    from .outputs import chart, embed, poster
    from .outputs.pages import PageRenderer, photo_context
    from .outputs.photos import PhotoError, plan_photo

    config = loaded.config
    content = loaded.content
    env = make_environment(site_dir, config)
    env.globals["embed_code"] = lambda appeal: embed.iframe_code(appeal, config)
    env.globals["progress_chart"] = chart.progress_chart
    renderer = PageRenderer(env, config, content.appeals, content.pages)

    def photo(image: Path | None, folder: str, alt: str | None) -> dict[str, Any] | None:
        try:
            return photo_context(plan_photo(image, folder), alt, config) if image is not None else None
        except PhotoError:
            return None  # the content checks report it

    try:
        for appeal in renderer.appeals:
            image = photo(appeal.image, appeal.url_path, appeal.image_alt)
            renderer.appeal_page(appeal, image, config.absolute(f"{appeal.url_path}card.png"))
            embed.embed_page(env, appeal, config)
            poster.poster_page(env, appeal, config, image)
        for page in renderer.pages:
            renderer.plain_page(page, photo(page.image, page.url_path, page.image_alt))
        chunks = paginate(renderer.appeals)
        for number in range(1, len(chunks) + 1):
            renderer.index_page(number, chunks)
        renderer.not_found_page()
    except jinja2.TemplateError as exc:
        problems.error(*template_problem(exc, site_dir, env))


def _picture_problems(site_dir: Path, loaded: LoadedSite, problems: Problems) -> None:
    """The pictures in static/ that the build would refuse to publish (copy_static)."""
    content = loaded.content
    images = [appeal.image for appeal in content.appeals] + [page.image for page in content.pages]
    story_photos = {image.resolve() for image in images if image is not None}
    for relative, path in sorted(static_sources(site_dir).items()):
        if is_picture(path.name) and path.resolve() not in story_photos:
            publishable_picture(path.read_bytes(), "static/" + relative, problems)


def _source(site_dir: Path, shown: str) -> SourceFile | None:
    # The loaded appeal keeps checked values; line numbers and the raw text
    # (before any name is hidden) come from the file itself.
    return read_source(site_dir / shown, site_dir, Problems())


def _appeal_warnings(appeal: Appeal, source: SourceFile, config: SiteConfig, today: datetime.date, problems: Problems) -> None:
    def warn(field_path: tuple[str | int, ...], label: str, message: str) -> None:
        problems.warn(appeal.path, source.line_of(*field_path), label, message)

    money = format_money
    if appeal.status == "open" and appeal.raised >= appeal.target:
        warn(("raised",), "raised", (
            f"{money(appeal.raised, appeal.currency)} has reached the target of {money(appeal.target, appeal.currency)} "
            "but the appeal is still open (set status: funded, or raise the target)"
        ))
    if appeal.status == "open" and appeal.deadline is not None and appeal.deadline < today:
        warn(("deadline",), "deadline", (
            f"{appeal.deadline.isoformat()} has passed but the appeal is still open "
            "(set a new deadline, or set status: funded or closed)"
        ))
    for index, update in enumerate(appeal.updates):
        if update.date > today:
            warn(("updates", index, "date"), f"updates[{index}].date", (
                f"{update.date.isoformat()} is in the future (today is {today.isoformat()}); readers will see it as already happened"
            ))
    if source.data.get("summary") is None:
        problems.warn(appeal.path, 1, "summary", (
            "missing: the first paragraph is used on cards, in feeds and when the appeal is shared (write one or two sentences)"
        ))
    if source.data.get("image") is None:
        problems.warn(appeal.path, 1, "image", "missing: add a photo (image and image_alt) for the page, the cards and social previews")
    if config.first_name_only:
        _privacy_warnings(appeal, source, problems)


def _privacy_warnings(appeal: Appeal, source: SourceFile, problems: Problems) -> None:
    child = source.data.get("child")
    if not isinstance(child, str):
        return
    guard = NameGuard.for_child(child)
    if not guard.surnames:
        return
    ascii_guard = NameGuard(guard.first_name, tuple(to_ascii(s).lower() for s in guard.surnames))
    if ascii_guard.mentions_surname(appeal.slug.replace("-", " ")):
        problems.warn(appeal.path, 1, "file name", (
            f"the web address appeals/{appeal.slug}/ contains the child's surname, but site.yaml sets privacy: first_name "
            "(rename the file, e.g. to the first name and the appeal's purpose)"
        ))
    for name in ("title", "summary", "image_alt", "organiser", "location"):
        value = source.data.get(name)
        if isinstance(value, str) and guard.mentions_surname(value):
            problems.warn(appeal.path, source.line_of(name), name, _surname_message())
    updates = source.data.get("updates")
    if isinstance(updates, list):
        for index, update in enumerate(updates):
            note = update.get("note") if isinstance(update, dict) else None
            if isinstance(note, str) and guard.mentions_surname(note):
                problems.warn(appeal.path, source.line_of("updates", index, "note"), f"updates[{index}].note", _surname_message())
    for offset, line in enumerate(source.body.splitlines()):
        # A link's address is not shortened: the build warns about it on its own.
        if guard.mentions_surname(without_urls(line)):
            problems.warn(appeal.path, source.body_line + offset, "story", _surname_message())


def _surname_message() -> str:
    return (
        "contains the child's surname, but site.yaml sets privacy: first_name "
        "(it is shortened to an initial on the site; better to leave it out of the story)"
    )


class SiteTargets:
    """Every address inside the site that a built site answers."""

    def __init__(self, site_dir: Path, loaded: LoadedSite):
        content = loaded.content
        published = [a for a in content.appeals if a.status != "draft"]
        paths: set[str] = {"", *ROOT_FILES}
        pages_of_index = max(1, -(-len(published) // APPEALS_PER_PAGE))
        for number in range(2, pages_of_index + 1):
            paths.update({f"page/{number}/", f"page/{number}/index.html"})
        for appeal in content.appeals:
            paths.update(appeal.url_path + name for name in APPEAL_FILES)
        for page in content.pages:
            paths.update({page.url_path, page.url_path + "index.html"})
        if loaded.config.cname:
            paths.add("CNAME")
        for folder in (theme_folder("static"), site_dir / "static"):
            if folder.is_dir():
                paths.update("static/" + p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        self.paths = paths
        self.drafts = {a.url_path for a in content.appeals if a.status == "draft"}

    def has(self, path: str) -> bool:
        return path in self.paths or path + "/" in self.paths


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "img": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.links.append(value)


def _link_warnings(
    shown: str, url_path: str, source: SourceFile, targets: SiteTargets, config: SiteConfig,
    renderer: StoryRenderer, problems: Problems,
) -> None:
    collector = _LinkCollector()
    collector.feed(renderer.to_html(source.body))
    page_url = config.base_url + url_path
    site = urlsplit(config.base_url)
    for link in collector.links:
        parts = urlsplit(link)
        if parts.scheme and parts.scheme not in ("http", "https"):
            continue  # mailto:, tel:
        if not parts.scheme and not parts.netloc and not parts.path:
            continue  # "#section" on the same page
        absolute = urlsplit(urljoin(page_url, link))
        if absolute.netloc.lower() != site.netloc.lower():
            continue  # another website
        line = _line_of_link(source, link)
        if not absolute.path.startswith(site.path):
            problems.warn(shown, line, "link", (
                f'"{link}" points outside the site at {absolute.path} '
                f"(links inside the site start with {site.path} or are relative, like ../../pages/about/)"
            ))
            continue
        inside = unquote(absolute.path[len(site.path):])
        normalised = str(PurePosixPath("/" + inside)).lstrip("/") + ("/" if inside.endswith("/") and inside != "/" else "")
        if inside in ("", "/"):
            normalised = ""
        if normalised.rstrip("/") + "/" in targets.drafts:
            problems.warn(shown, line, "link", f'"{link}" goes to a draft appeal, which is not published')
        elif not targets.has(normalised):
            problems.warn(shown, line, "link", f'"{link}" goes nowhere: the site has no {inside or "/"}')


def _line_of_link(source: SourceFile, link: str) -> int:
    """The line the link is written on: as a Markdown link first, then anywhere."""
    lines = source.body.splitlines()
    for written in (f"]({link}", f'href="{link}"', f"<{link}>", f"]: {link}", link):
        for offset, line in enumerate(lines):
            if written in line:
                return source.body_line + offset
    return source.body_line


def strict(problems: list[Problem]) -> list[Problem]:
    """Warnings turned into errors, for `check --strict`."""
    return [Problem(p.path, p.line, p.field, p.message, True) for p in problems]

