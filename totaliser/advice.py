"""Warnings about content that is valid but probably not what the editor meant.

Given by `build` and `check` alike, so that both report the same warnings:

* ``story_advice``, about one story on its own (an appeal still open after its
  target, a missing summary or photo, a surname under ``privacy:
  first_name``), runs as each story is loaded, and is kept with it by the
  build cache;
* ``site_advice``, about the published site (a deadline passed, an update
  dated in the future, a link inside the site that goes nowhere), depends on
  today's date and on every other story, so it runs after loading. What it
  needs from each story (the lines to name, its links into the site) is found
  as the story is loaded and kept with it (``StoryAdvice``), so it reads no
  file; what it needs of all of them together (the deadlines, the names
  typed two ways) are site values, which the build cache keeps.
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Callable, Collection, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import unquote, urljoin, urlsplit

from .config import SiteConfig
from .errors import Problem, Problems
from .frontmatter import SourceFile
from .markup import local_url
from .money import format_money
from .privacy import NameGuard, html_links, without_urls
from .slugs import to_ascii

if TYPE_CHECKING:
    from .content import Appeal, Page
    from .terms import Spelling

# --- One story ----------------------------------------------------------------


class StoryAdvice(NamedTuple):
    """What the warnings about the published site need from one story, found
    as it is loaded: the lines to name, and its links to pages of the site.
    (A named tuple: every build loads 10,000 of them from the cache.)"""

    deadline_line: int = 1
    update_date_lines: tuple[int, ...] = ()
    # (the link as written, the path it leads to inside the site, its line)
    site_links: tuple[tuple[str, str, int], ...] = ()
    # The lines of the fields the listings are made from (hospital, condition, location, tags).
    listed_lines: tuple[tuple[str, int], ...] = ()


def story_advice(appeal: Appeal, source: SourceFile, config: SiteConfig, problems: Problems) -> StoryAdvice:
    """Warnings about one appeal as written, before any name is hidden; and
    what the warnings about the published site will need from it."""
    def warn(field_path: tuple[str | int, ...], label: str, message: str) -> None:
        problems.warn(appeal.path, source.line_of(*field_path), label, message)

    # A draft is not published: what it lacks is said once it is.
    unfinished = appeal.status == "draft"
    if appeal.status == "open" and appeal.raised >= appeal.target:
        warn(("raised",), "raised", (
            f"{format_money(appeal.raised, appeal.currency)} has reached the target of "
            f"{format_money(appeal.target, appeal.currency)} but the appeal is still open "
            "(set status: funded, or raise the target)"
        ))
    if source.data.get("summary") is None and not unfinished:
        problems.warn(appeal.path, 1, "summary", (
            "not set, so the story's first paragraph is used on cards, in feeds and when the appeal is shared "
            "(add a summary: line of one or two sentences to choose the words)"
        ))
    if source.data.get("image") is None and not unfinished:
        problems.warn(appeal.path, 1, "image", "not set: add a photo (image: and image_alt: lines) for the page, the cards and social previews")
    if config.first_name_only:
        _privacy_advice(appeal, source, problems)
    _pictures_from_other_sites(appeal.path, source, problems)
    return StoryAdvice(
        deadline_line=source.line_of("deadline"),
        update_date_lines=tuple(source.line_of("updates", index, "date") for index in range(len(appeal.updates))),
        site_links=_site_links(appeal.path, appeal.url_path, appeal.body_html, source, config, problems),
        listed_lines=tuple((name, source.line_of(name)) for name in LISTED_FIELDS if name in source.data),
    )


LISTED_FIELDS = ("hospital", "condition", "location", "tags")


def page_advice(page: Page, source: SourceFile, config: SiteConfig, problems: Problems) -> StoryAdvice:
    _pictures_from_other_sites(page.path, source, problems)
    return StoryAdvice(site_links=_site_links(page.path, page.url_path, page.body_html, source, config, problems))


# A picture in a story's text, as Markdown (![words](address)) or as HTML (<img src=...>).
_PICTURE_ADDRESS = re.compile(r"""!\[[^\]]*\]\(\s*<?([^)\s>]+)|<img\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)


def _pictures_from_other_sites(path: str, source: SourceFile, problems: Problems) -> None:
    """A warning for each picture in the text that pages will leave out: it
    is on another website, and no page loads anything from another host."""
    if "![" not in source.body and "<img" not in source.body.lower():
        return
    for number, line in enumerate(source.body.splitlines(), source.body_line):
        for found in _PICTURE_ADDRESS.finditer(line):
            address = found.group(1) or found.group(2)
            if local_url(address) is None:
                problems.warn(path, number, "story", (
                    f"the picture {address} is on another website, so pages leave it out (they load nothing "
                    "from other sites): save it in static/images/ and write its path from the page, e.g. ../../static/images/photo.jpg"
                ))


def _privacy_advice(appeal: Appeal, source: SourceFile, problems: Problems) -> None:
    child = source.data.get("child")
    if not isinstance(child, str):
        return
    guard = NameGuard.for_child(child)
    if not guard.surnames and not guard.short_surnames:
        return
    # In a web address every letter is lower case: a short surname too is looked for in any case there.
    ascii_guard = NameGuard(guard.first_name, tuple(to_ascii(s).lower() for s in (*guard.surnames, *guard.short_surnames)))
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
    # What a donation button says, and the tags, are published too.
    donate = source.data.get("donate")
    for index, option in enumerate(donate if isinstance(donate, list) else []):
        label = option.get("label") if isinstance(option, dict) else None
        if isinstance(label, str) and guard.mentions_surname(label):
            problems.warn(appeal.path, source.line_of("donate", index, "label"), f"donate[{index}].label", _surname_message())
    tags = source.data.get("tags")
    for index, tag in enumerate(tags if isinstance(tags, list) else []):
        if isinstance(tag, str) and guard.mentions_surname(tag):
            problems.warn(appeal.path, source.line_of("tags", index), f"tags[{index}]", _surname_message())
    for offset, line in enumerate(source.body.splitlines()):
        # A link's address is never shortened: links are warned about on their own.
        if guard.mentions_surname(without_urls(line)):
            problems.warn(appeal.path, source.body_line + offset, "story", _surname_message())


def _surname_message() -> str:
    return (
        "contains the child's surname, but site.yaml sets privacy: first_name "
        "(it is shortened to an initial on the site; better to leave it out of the story)"
    )


# --- The published site -----------------------------------------------------


# The site values (``site_values.SiteValues``) the warnings about the
# published site read, worked out from every appeal's facts and kept by the
# build cache with the others: a rebuild looks at the few appeals they name.
SITE_VALUES = ("open-deadlines", "latest-updates", "near-duplicates")


def site_advice(
    appeals: Sequence[Appeal], pages: Sequence[Page], today: datetime.date, addresses: Callable[[], Collection[str]],
    value: Callable[[str], Any],
) -> list[Problem]:
    """Warnings about what is published: the appeals that are not drafts, and
    the pages. ``addresses`` gives every address the site answers (the build's
    plan of its outputs), asked for only when a story links inside the site;
    ``value`` gives the site values named in ``SITE_VALUES``."""
    problems = Problems()
    passed, ahead = _dated_slugs(value, today)
    published: list[Appeal] = []
    drafts: set[str] = set()
    for appeal in appeals:
        if appeal.status == "draft":
            drafts.add(appeal.url_path)
            continue
        published.append(appeal)
        _dated_advice(appeal, today, appeal.slug in passed, appeal.slug in ahead, problems)
    known: Collection[str] | None = None
    items: list[Appeal | Page] = [*published, *pages]
    for item in items:
        advice = item.advice or StoryAdvice()
        for link, inside, line in advice.site_links:
            if known is None:
                known = addresses()
            if inside.rstrip("/") + "/" in drafts:
                problems.warn(item.path, line, "link", f'"{link}" goes to a draft appeal, which is not published')
            elif inside not in known and inside + "/" not in known:
                problems.warn(item.path, line, "link", f'"{link}" goes nowhere: the site has no {inside or "/"}')
    _listing_advice(published, value("near-duplicates"), problems)
    return problems.items


def _dated_slugs(value: Callable[[str], Any], today: datetime.date) -> tuple[set[str], set[str]]:
    """The appeals to warn about for their dates: those open with a deadline
    before today, and those with an update dated after it."""
    deadlines = value("open-deadlines")  # (deadline, slug), sorted
    passed = deadlines[: bisect.bisect_left(deadlines, today, key=_first)]
    updates = value("latest-updates")  # (the latest update's date, slug), sorted
    ahead = updates[bisect.bisect_right(updates, today, key=_first):]
    return {slug for _, slug in passed}, {slug for _, slug in ahead}


def _first(pair: tuple[datetime.date, str]) -> datetime.date:
    return pair[0]


def _listing_advice(published: Sequence[Appeal], found: dict[str, list[tuple[Spelling, Spelling]]], problems: Problems) -> None:
    """Names that are probably one hospital (condition, place, tag) typed two
    ways, "Childrens" and "Children's": each makes its own listing
    (``terms.near_duplicates``, by slug)."""
    from .terms import FIELDS

    if not any(found.values()):
        return
    by_slug = {appeal.slug: appeal for appeal in published}
    for kind, pairs in found.items():
        field = FIELDS[kind]
        for first, second in pairs:
            # Said on the files of the rarer spelling (the likelier slip), naming the others.
            rare, common = (first, second) if len(first.slugs) <= len(second.slugs) else (second, first)
            files = sorted(by_slug[slug].path for slug in common.slugs)
            named = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
            for appeal in sorted((by_slug[slug] for slug in rare.slugs), key=lambda appeal: appeal.path):
                lines = dict((appeal.advice or StoryAdvice()).listed_lines)
                problems.warn(appeal.path, lines.get(field, 1), field, (
                    f'"{rare.name}" looks like "{common.name}" ({named}): two spellings make two listings '
                    f"(write it one way in every story)"
                ))


def _dated_advice(appeal: Appeal, today: datetime.date, passed: bool, ahead: bool, problems: Problems) -> None:
    # Only what the build cache keeps at hand for a story (kept_appeals.AT_HAND)
    # is read for a passed deadline: the updates of one dated ahead are unpickled.
    advice = appeal.advice or StoryAdvice()
    if passed and appeal.deadline is not None:
        problems.warn(appeal.path, advice.deadline_line, "deadline", (
            f"{appeal.deadline.isoformat()} has passed but the appeal is still open "
            "(set a new deadline, or set status: funded or closed)"
        ))
    for index, day in enumerate(appeal.update_dates if ahead else ()):
        if day > today:
            line = advice.update_date_lines[index] if index < len(advice.update_date_lines) else 1
            problems.warn(appeal.path, line, f"updates[{index}].date", (
                f"{day.isoformat()} is in the future (today is {today.isoformat()}); readers will see it as already happened"
            ))


def _site_links(
    shown: str, url_path: str, html: str, source: SourceFile, config: SiteConfig, problems: Problems,
) -> tuple[tuple[str, str, int], ...]:
    """The story's links to pages of the site, for site_advice to look up; a
    link to this host but outside the site's path is warned about here."""
    page_url = config.base_url + url_path
    site = urlsplit(config.base_url)
    found: list[tuple[str, str, int]] = []
    for link in dict.fromkeys(html_links(html)):
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
        found.append((link, normalised, line))
    return tuple(found)


def _line_of_link(source: SourceFile, link: str) -> int:
    """The line the link is written on: as a Markdown link first, then anywhere."""
    lines = source.body.splitlines()
    for written in (f"]({link}", f'href="{link}"', f"<{link}>", f"]: {link}", link):
        for offset, line in enumerate(lines):
            if written in line:
                return source.body_line + offset
    return source.body_line
