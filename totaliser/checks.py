"""`check`: everything the build checks, writing nothing.

The same errors and warnings as the build (warnings about the content itself
and about the published site come from advice.py, as the build's do), with
drafts included, and every page rendered in memory so that an error in a
template or a picture is found without building.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .advice import site_advice
from .errors import ContentErrors, Problem, Problems
from .listing import paginate
from .pictures import is_picture, publishable_picture
from .render import make_environment
from .site import LoadedSite, load_site, static_sources
from .template_errors import template_problem


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
    """Load everything (drafts too) as the build does, then add the warnings
    about the published site (advice.py) and render every page in memory.

    Raises ContentErrors when the build would fail.
    """
    loaded = load_site(site_dir, include_drafts=True)
    problems = Problems()
    problems.extend(loaded.problems)
    problems.items.extend(site_advice(site_dir, loaded.config, loaded.content.appeals, loaded.content.pages, today))
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


def strict(problems: list[Problem]) -> list[Problem]:
    """Warnings turned into errors, for `check --strict`."""
    return [Problem(p.path, p.line, p.field, p.message, True) for p in problems]

