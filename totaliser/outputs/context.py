"""What every output is made with: the settings, the templates, and the door to the content.

An output reaches the site's appeals, pages and derived values only through
a ``Context``, whose accessors go through ``reads``: what it reads is recorded.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from .. import reads
from ..config import SiteConfig
from ..errors import Problems, display_path
from ..i18n import Speech
from ..parts import Parts, PartsFolder, unkept
from .pages import PageRenderer, photo_context
from .photos import PhotoError, PhotoSet


@dataclass
class Context:
    config: SiteConfig
    env: jinja2.Environment
    site_dir: Path
    renderer: PageRenderer
    appeals: dict[str, Any]  # published appeals by slug, unread: use appeal()
    pages: dict[str, Any]  # plain pages by slug, unread: use page(), and page_slugs() for which there are
    # A folder an output may work in while it is made (inside the build's
    # staging folder, so nothing is written elsewhere); None for `check`,
    # which writes nothing.
    scratch: Path | None = None
    # Where outputs keep their pieces between builds; None without the cache.
    parts: PartsFolder | None = None

    def appeal(self, slug: str) -> Any:
        return reads.appeal(self.appeals[slug])

    def page(self, slug: str) -> Any:
        return reads.page(self.pages[slug])

    def page_slugs(self) -> tuple[str, ...]:
        """Which plain pages there are, in slug order: read as a value, so that
        an output listing them is made again when one is added or removed."""
        slugs: tuple[str, ...] = reads.value("page-slugs")
        return slugs

    def value(self, name: str) -> Any:
        return reads.value(name)

    def pieces(self, output: str) -> contextlib.AbstractContextManager[Parts]:
        """The pieces of ``output``: kept from its last making, or made (see ``parts``)."""
        return self.parts.of(output) if self.parts is not None else unkept()

    def speech(self, language: str | None = None) -> Speech:
        """The site's words and formats, or those of an appeal's own ``language``
        (its catalogues are recorded as read)."""
        return self.renderer.speech(language)

    def photo(self, item: Any, problems: Problems, publish: bool = False) -> tuple[dict[str, Any] | None, dict[str, bytes]]:
        """A story's photo as a template shows it, and with ``publish`` its
        web-sized files; an unreadable photo is an error on the story."""
        if item.image is None:
            return None, {}
        from .photos import plan_photo, publish_photo

        files: dict[str, bytes] = {}
        try:
            photo: PhotoSet
            if publish:
                photo, files = publish_photo(item.image, item.url_path)
            else:
                photo = plan_photo(item.image, item.url_path)
        except PhotoError as exc:
            problems.error(item.path, 1, "image", f"{display_path(item.image, self.site_dir)} {exc}")
            return None, {}
        return photo_context(photo, item.image_alt, self.config), files
