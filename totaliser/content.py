"""Content files to checked ``Appeal`` and ``Page`` objects.

Every rule of the front-matter table is checked here, before anything is
rendered. Each file is read on its own, so one broken story never hides the
problems of another.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote

from . import fields, i18n, placeholders, reads
from .advice import StoryAdvice, page_advice, story_advice
from .config import SiteConfig, unknown_field_message
from .errors import Problems, display_path
from .fields import FieldError, quote
from .frontmatter import FrontMatterError, SourceFile, decode_utf8, split
from .markup import StoryRenderer, first_paragraph_text
from .money import percent, total
from .privacy import NameGuard, SiteNameGuard, html_links
from .slugs import slugify
from .terms import Listed, listed_names

APPEALS_DIR = Path("content") / "appeals"
PAGES_DIR = Path("content") / "pages"

REQUIRED_APPEAL_FIELDS = ("child", "condition", "target", "raised", "hospital", "date")
KNOWN_APPEAL_FIELDS = REQUIRED_APPEAL_FIELDS + (
    "title", "summary", "donate", "donate_url", "deadline", "milestones", "updates",
    "status", "gift_aid", "image", "image_alt", "location", "tags", "organiser",
    "currency", "supporters", "language",
)
KNOWN_PAGE_FIELDS = ("title", "summary", "date", "image", "image_alt", "tags", "status")
STATUSES = ("draft", "open", "funded", "closed")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")


@dataclass(frozen=True)
class DonateOption:
    label: str
    url: str


@dataclass(frozen=True)
class Milestone:
    label: str
    amount: Decimal


@dataclass(frozen=True)
class Update:
    date: datetime.date
    raised: Decimal
    note: str


@dataclass(frozen=True)
class Source:
    """One source of the amount raised: "Collection tins", 5000."""

    label: str
    amount: Decimal


@dataclass
class Appeal:
    slug: str
    path: str  # as shown in messages: content/appeals/jacob.md
    child: str
    condition: str
    target: Decimal
    raised: Decimal
    hospital: str
    date: datetime.date
    title: str
    summary: str
    # The story as HTML, kept as UTF-8: a str holding one curly quote takes
    # two bytes a character, and at 10,000 appeals the stories are most of a
    # build's memory. Read it as ``body_html``.
    body_utf8: bytes
    currency: str
    status: str
    donate: list[DonateOption] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    deadline: datetime.date | None = None
    milestones: list[Milestone] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    gift_aid: Decimal | None = None
    image: Path | None = None  # absolute path of the photo on disk
    image_alt: str | None = None
    location: str | None = None
    tags: list[str] = field(default_factory=list)
    organiser: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    supporters: int | None = None  # how many people have given, when the story says
    language: str | None = None  # the story's language when not the site's ("cy", "ur"): its outputs follow it
    # What the warnings about the published site need from the story (advice.py).
    advice: StoryAdvice | None = None
    # The listings it is in (hospital, condition, place, tags), by normalised name.
    listed: Listed = field(init=False, default=())

    def __post_init__(self) -> None:
        self.listed = listed_names(self)

    @property
    def body_html(self) -> str:
        return self.body_utf8.decode("utf-8")

    @property
    def percent(self) -> int:
        return percent(self.raised, self.target)

    @property
    def still_needed(self) -> Decimal:
        return max(self.target - self.raised, Decimal(0))

    @property
    def url_path(self) -> str:
        return f"appeals/{self.slug}/"

    @property
    def main_donation(self) -> DonateOption | None:
        return self.donate[0] if self.donate else None

    @property
    def last_changed(self) -> datetime.date:
        latest = self.date
        for update in self.updates:
            latest = max(latest, update.date)
        return latest

    @property
    def update_anchors(self) -> list[str]:
        """An id for each update, for its entry on the appeal page and in the
        feed: its date, and its place among that day's updates ("update-2026-05-01",
        then "update-2026-05-01-2"). Updates are in date order, so adding one on
        another day, even a back-dated one, changes no other update's id."""
        anchors = []
        on_day: dict[datetime.date, int] = {}
        for update in self.updates:
            count = on_day[update.date] = on_day.get(update.date, 0) + 1
            anchors.append(f"update-{update.date.isoformat()}" + (f"-{count}" if count > 1 else ""))
        return anchors

    @property
    def update_dates(self) -> list[datetime.date]:
        # What the feed sorts by: kept in the build cache's summary of a story.
        return [update.date for update in self.updates]

    if not TYPE_CHECKING:  # (for the type checker, an appeal has its own fields only)

        def __getattr__(self, name: str) -> Any:
            return extra_field(self, name)


@dataclass
class Page:
    slug: str
    path: str
    title: str
    summary: str
    body_html: str
    date: datetime.date | None = None
    image: Path | None = None
    image_alt: str | None = None
    tags: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    draft: bool = False
    advice: StoryAdvice | None = None

    @property
    def url_path(self) -> str:
        return f"pages/{self.slug}/"

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any:
            return extra_field(self, name)


def extra_field(item: Appeal | Page, name: str) -> Any:
    """A field of the front matter that Totaliser does not know, by its own
    name: templates read ``appeal.photographer`` as the SPEC says unknown
    fields reach them. Asked only for names that are not the item's own (a
    field of the program's always wins); any other name is missing as ever,
    so that a template's typo is still an error."""
    if not name.startswith("_"):  # never Python's own names, asked for while pickling or copying
        try:
            extra = object.__getattribute__(item, "extra")
        except AttributeError:
            extra = {}  # (while it is being made)
        if name in extra:
            return extra[name]
    raise AttributeError(f"{type(item).__name__!r} object has no attribute {name!r}")


@dataclass
class Content:
    appeals: list[Appeal]
    pages: list[Page]
    drafts_skipped: int = 0


def content_files(site_dir: Path, folder: Path, problems: Problems | None = None) -> list[Path]:
    """The content files of a folder; with ``problems``, a warning for each
    other file there that looks meant to be one (it would vanish without a word)."""
    directory = site_dir / folder
    if not directory.is_dir():
        return []
    # Names filtered and sorted as strings: pathlib's comparisons, and making
    # paths other than by iterdir, cost more than the rest of listing them.
    paths = {path.name: path for path in directory.iterdir()}
    found = sorted(name for name in paths if name.endswith(".md") and not name.startswith("."))
    if problems is not None and len(found) < len(paths):
        _warn_skipped(site_dir, folder, [paths[name] for name in sorted(set(paths) - set(found))], problems)
    return [paths[name] for name in found]


# Endings of Markdown files that are not read, longest first: "cara.md.txt" is cara.md.
_LOOKALIKE_ENDINGS = (".md.txt", ".markdown", ".mdown", ".mkdn", ".mkd", ".md")


def _story_stem(name: str) -> str | None:
    """The name without its ending when it looks meant to be a story ("bella.MD"
    gives "bella"); None for other files and for editors' own (".#x.md", "x.md~")."""
    if name.startswith((".", "~")) or name.endswith(("~", ".swp", ".bak", ".tmp")):
        return None
    lowered = name.lower()
    for ending in _LOOKALIKE_ENDINGS:
        if lowered.endswith(ending) and len(name) > len(ending):
            return name[: -len(ending)]
    return None


def _warn_skipped(site_dir: Path, folder: Path, others: list[Path], problems: Problems) -> None:
    where = folder.as_posix() + "/"
    for path in others:
        shown = display_path(path, site_dir)
        if path.is_dir():
            if path.name.startswith("."):
                continue
            for inner in sorted(path.rglob("*")):
                if inner.is_file() and _story_stem(inner.name) is not None and not any(
                    part.startswith(".") for part in inner.relative_to(path).parts
                ):
                    problems.warn(display_path(inner, site_dir), 1, "file name", (
                        f"is in a sub-folder, so it is not read: only files directly in {where} are "
                        f"(move it into {where})"
                    ))
            continue
        stem = _story_stem(path.name)
        if stem is not None:
            problems.warn(shown, 1, "file name", (
                f"is not read: only files ending in .md (in lowercase) are (rename it to {stem}.md)"
            ))
            continue
        stem, ending = _text_stem(path.name)
        if ending in _PLAIN_TEXT_ENDINGS and _has_front_matter(path):
            problems.warn(shown, 1, "file name", f"is not read: only files ending in .md are (rename it to {stem}.md)")
        elif ending in _DOCUMENT_ENDINGS:
            problems.warn(shown, 1, "file name", (
                f"is a word-processor document, which is not read: copy its words into a story "
                f"named {stem}.md (the `new` command starts one)"
            ))


# Other files of text a volunteer may save a story as: a story's photo
# (jacob.jpg) lies beside it, and is not warned about.
_PLAIN_TEXT_ENDINGS = (".txt", ".text")
_DOCUMENT_ENDINGS = (".docx", ".doc", ".odt", ".rtf", ".pages")


def _text_stem(name: str) -> tuple[str, str]:
    if name.startswith((".", "~")):
        return name, ""
    stem, dot, ending = name.rpartition(".")
    return (stem, "." + ending.lower()) if dot and stem else (name, "")


def _has_front_matter(path: Path) -> bool:
    """Whether a text file starts as a story does (a list of ideas does not)."""
    if not path.is_file():  # an ordinary file only: a pipe would never end
        return False
    try:
        with open(path, "rb") as file:
            return file.read(3) == b"---"
    except OSError:
        return False


def warn_stray_stories(site_dir: Path, problems: Problems) -> None:
    """A warning for each story saved directly in ``content/``, where nothing is read."""
    folder = site_dir / "content"
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.is_file() and (
            _story_stem(path.name) is not None or (_text_stem(path.name)[1] in _PLAIN_TEXT_ENDINGS and _has_front_matter(path))
        ):
            problems.warn(display_path(path, site_dir), 1, "file name", (
                f"is not read: appeals go in {APPEALS_DIR.as_posix()}/ and plain pages in {PAGES_DIR.as_posix()}/ (move it there)"
            ))


# Reads one file: (path, the problems to record into) -> Appeal or Page or None.
ReadOne = Callable[[Path, Problems], Any]


class FileLoader(Protocol):
    """How a list of content files is read: one by one here; from a cache or in
    several processes in ``cache.py``. Results come back in the order of
    ``paths``, and each file's problems are recorded in that order too."""

    def load_files(self, kind: str, paths: list[Path], read_one: ReadOne, problems: Problems) -> list[Any]: ...


class SequentialLoader:
    def load_files(self, kind: str, paths: list[Path], read_one: ReadOne, problems: Problems) -> list[Any]:
        return [read_one(path, problems) for path in paths]


def _in_line_order(read_one: ReadOne) -> ReadOne:
    """Wrap a file reader so that one file's problems are listed in line order."""

    def read_sorted(path: Path, problems: Problems) -> Any:
        start = len(problems.items)
        result = read_one(path, problems)
        problems.sort_lines_from(start)
        return result

    return read_sorted


def load_content(
    site_dir: Path,
    config: SiteConfig,
    problems: Problems,
    include_drafts: bool = False,
    renderer: StoryRenderer | None = None,
    loader: FileLoader | None = None,
) -> Content:
    """Read and check every appeal and page; problems are collected, not raised."""
    renderer = renderer or StoryRenderer()
    loader = loader or SequentialLoader()
    appeals: list[Appeal] = []
    everyone: list[Appeal] = []  # drafts too: a published story may name a child in one
    drafts = 0
    warn_stray_stories(site_dir, problems)
    appeal_paths = content_files(site_dir, APPEALS_DIR, problems)
    loaded_appeals = loader.load_files(
        "appeal", appeal_paths, _in_line_order(lambda path, found: load_appeal(path, site_dir, config, found, renderer)), problems
    )
    for appeal in loaded_appeals:
        if appeal is None:
            continue
        everyone.append(appeal)
        if appeal.status == "draft" and not include_drafts:
            drafts += 1
            continue
        appeals.append(appeal)
    page_paths = content_files(site_dir, PAGES_DIR, problems)
    loaded_pages = loader.load_files(
        "page", page_paths, _in_line_order(lambda path, found: load_page(path, site_dir, config, found, renderer)), problems
    )
    pages: list[Page] = []
    for page in loaded_pages:
        if page is None:
            continue
        if page.draft and not include_drafts:
            drafts += 1
            continue
        pages.append(page)
    _check_slug_collisions(appeals, problems)
    _check_slug_collisions(pages, problems)
    if config.first_name_only:
        guard = SiteNameGuard.for_children(a.child for a in everyone)
        items: list[Appeal | Page] = [*appeals, *pages]
        for item in items:
            _warn_surname_links(item, guard, site_dir, problems)
        appeals = [_first_names_only(a, guard) for a in appeals]
        pages = [_page_first_names_only(p, guard) for p in pages]
    return Content(appeals=appeals, pages=pages, drafts_skipped=drafts)


def _first_names_only(appeal: Appeal, guard: SiteNameGuard) -> Appeal:
    """The appeal with every child's surname taken out of every text in it.

    Every text field is redacted, not just the story: an organiser ("Amanda
    Buckett, Jacob's mum"), a source of money or a button label names the
    family as often as the story does."""
    redact = guard.redact
    return dataclasses.replace(
        appeal,
        child=NameGuard.for_child(appeal.child).first_name,
        condition=redact(appeal.condition),
        hospital=redact(appeal.hospital),
        title=redact(appeal.title),
        summary=redact(appeal.summary),
        body_utf8=guard.redact_html(appeal.body_html).encode("utf-8"),
        donate=[DonateOption(redact(d.label), d.url) for d in appeal.donate],
        sources=[Source(redact(s.label), s.amount) for s in appeal.sources],
        milestones=[Milestone(redact(m.label), m.amount) for m in appeal.milestones],
        updates=[Update(u.date, u.raised, redact(u.note)) for u in appeal.updates],
        image_alt=redact(appeal.image_alt) if appeal.image_alt else appeal.image_alt,
        location=redact(appeal.location) if appeal.location else appeal.location,
        organiser=redact(appeal.organiser) if appeal.organiser else appeal.organiser,
        tags=[redact(t) for t in appeal.tags],
        extra=guard.redact_value(appeal.extra),
    )


def _warn_surname_links(item: Appeal | Page, guard: SiteNameGuard, site_dir: Path, problems: Problems) -> None:
    """A link is never rewritten (that would break it): one that holds a child's
    surname is a warning naming the file, the line and the link, so the editor decides."""
    links = html_links(item.body_html)
    if isinstance(item, Appeal):
        links += [option.url for option in item.donate]
    named = [link for link in dict.fromkeys(links) if guard.mentions_surname(unquote(link))]
    if not named:
        return
    try:
        lines = (site_dir / item.path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    for link in named:
        line = next((number for number, text in enumerate(lines, 1) if link in text), 1)
        problems.warn(item.path, line, "link", (
            f'"{link}" contains a child\'s surname, but site.yaml sets privacy: first_name; links are published '
            "as written (change the link if the surname must not appear)"
        ))


def _page_first_names_only(page: Page, guard: SiteNameGuard) -> Page:
    redact = guard.redact
    return dataclasses.replace(
        page,
        title=redact(page.title),
        summary=redact(page.summary),
        body_html=guard.redact_html(page.body_html),
        image_alt=redact(page.image_alt) if page.image_alt else page.image_alt,
        tags=[redact(t) for t in page.tags],
        extra=guard.redact_value(page.extra),
    )


def _check_slug_collisions(items: list[Appeal] | list[Page], problems: Problems) -> None:
    # Two files whose names differ only in case would write the same folder on
    # a case-insensitive disk (macOS, Windows): refuse rather than overwrite.
    seen: dict[str, str] = {}
    for item in items:
        key = item.slug.lower()
        if key in seen:
            problems.error(item.path, 1, "file name", f"gives the same web address as {seen[key]} (rename one of them)")
        else:
            seen[key] = item.path


def read_source(path: Path, site_dir: Path, problems: Problems, raw: bytes | None = None) -> SourceFile | None:
    """Read and split a content file; ``raw`` gives its bytes when they are not yet on disk."""
    shown = display_path(path, site_dir)
    # A link may point anywhere on the disk, and a pipe or device would never
    # finish reading: only regular files inside the site folder are read.
    real = path.resolve()
    if not real.is_relative_to(site_dir.resolve()):
        problems.error(shown, 1, "file", "is a link to a file outside the site folder (copy the file into the site instead)")
        return None
    if real.exists() and not real.is_file():
        problems.error(shown, 1, "file", "is not an ordinary file (save the story as a .md text file)")
        return None
    try:
        if raw is None:
            raw = reads.file_bytes(path)
    except OSError as exc:
        problems.error(shown, 1, "", f"cannot be read ({exc.strerror})")
        return None
    try:
        return split(decode_utf8(raw))
    except FrontMatterError as exc:
        field_name = exc.field or ("front matter" if "front matter" in exc.message or "YAML" in exc.message else "file")
        problems.error(shown, exc.line, field_name, exc.message)
        return None


class _Checker:
    """Applies field rules to one file's front matter, recording problems."""

    def __init__(self, source: SourceFile, shown: str, problems: Problems):
        self.source = source
        self.shown = shown
        self.problems = problems
        self.failed = False

    def error(self, path: tuple[str | int, ...], message: str) -> None:
        self.failed = True
        self.problems.error(self.shown, self.source.line_of(*path), _field_label(path), message)

    def get(self, key: str, rule: Callable[..., Any], *args: Any, required: bool = False) -> Any:
        data = self.source.data
        if key not in data or data[key] is None:
            if required:
                self.failed = True
                self.problems.error(
                    self.shown, 1, key,
                    f"missing (every appeal needs {', '.join(REQUIRED_APPEAL_FIELDS[:-1])} and {REQUIRED_APPEAL_FIELDS[-1]})",
                )
            return None
        return self.apply((key,), data[key], rule, *args)

    def need(self, path: tuple[str | int, ...], item: dict[Any, Any], rule: Callable[..., Any], *args: Any, needs: str) -> Any:
        """A value inside a list item that must be there: ``milestones[0].amount``."""
        key = path[-1]
        if item.get(key) is None:
            self.error(path, f"missing ({needs})")
            return None
        return self.apply(path, item[key], rule, *args)

    def apply(self, path: tuple[str | int, ...], value: Any, rule: Callable[..., Any], *args: Any) -> Any:
        try:
            return rule(value, *args)
        except FieldError as exc:
            self.error(path, str(exc))
            return None

    def tags(self) -> list[str]:
        tags: list[str] = self.get("tags", fields.text_list, "tag") or []
        written = self.source.data.get("tags")
        if isinstance(written, str) and "," in written:
            # YAML reads "tags: SMA, wheelchair" as one tag named "SMA, wheelchair".
            parts = [part.strip() for part in written.split(",") if part.strip()]
            self.problems.warn(self.shown, self.source.line_of("tags"), "tags", (
                f"{quote(written)} is one tag (for {len(parts)} tags, write them in brackets: tags: [{', '.join(parts)}])"
            ))
        return tags

    def warn_unknown(self, known: tuple[str, ...]) -> dict[str, Any]:
        extra = {}
        for key, value in self.source.data.items():
            name = str(key)
            if name not in known:
                self.problems.warn(self.shown, self.source.line_of(name), name, unknown_field_message(name, known))
                extra[name] = value
        return extra


def _field_label(path: tuple[str | int, ...]) -> str:
    label = ""
    for part in path:
        if isinstance(part, int):
            label += f"[{part}]"
        else:
            label += ("." if label else "") + part
    return label


def load_appeal(
    path: Path, site_dir: Path, config: SiteConfig, problems: Problems, renderer: StoryRenderer,
    raw: bytes | None = None,
) -> Appeal | None:
    """Read and check one appeal; ``raw`` checks an edited version before it is written."""
    shown = display_path(path, site_dir)
    source = read_source(path, site_dir, problems, raw)
    if source is None:
        return None
    check = _Checker(source, shown, problems)
    slug = path.stem
    if slug != slugify(slug) or not slug:
        check.error(("file name",), f"{quote(path.name)} is not a usable web address (rename it to {slugify(slug) or 'appeal'}.md: lowercase letters, digits and dashes)")

    child = check.get("child", fields.text, "child's name as published", required=True)
    condition = check.get("condition", fields.text, "condition", required=True)
    # First: every amount is checked against the currency it must be written in.
    currency = check.get("currency", fields.currency_code) or config.currency
    locale = config.locale  # an amount may be written as the site's locale writes it
    target = check.get("target", fields.amount, currency, locale, required=True)
    if target is not None and target <= 0:
        check.error(("target",), f"{quote(source.data['target'])} must be more than 0")
        target = None
    raised_value = source.data.get("raised")
    sources: list[Source] = []
    raised = None
    if isinstance(raised_value, dict):
        sources = _read_sources(check, raised_value, currency, locale)
        if not check.failed or sources:
            raised = total(s.amount for s in sources)
        if not raised_value:
            check.error(("raised",), "is an empty set of sources (list each source with its amount, or write one amount)")
    else:
        raised = check.get("raised", fields.amount, currency, locale, required=True)
    hospital = check.get("hospital", fields.text, "hospital", required=True)
    date = check.get("date", fields.iso_date, required=True)

    title = check.get("title", fields.text, "page heading")
    summary = check.get("summary", fields.text, "summary")
    deadline = check.get("deadline", fields.iso_date)
    gift_aid = check.get("gift_aid", fields.amount, currency, locale)
    location = check.get("location", fields.text, "location")
    organiser = check.get("organiser", fields.text, "organiser")
    supporters = check.get("supporters", _supporters)
    tags = check.tags()
    status = check.get("status", _status)
    donate = _read_donate(check)
    milestones = _read_milestones(check, target, currency, locale)
    updates = _read_updates(check, currency, locale)
    language = check.get("language", _language)
    if language is not None:
        unknown = i18n.language_warning(i18n.appeal_tag(language, config.locale), site_dir)
        if unknown:
            problems.warn(shown, source.line_of("language"), "language", unknown)
        if i18n.catalogue_names(language)[-1] == i18n.catalogue_names(config.locale)[-1]:
            language = None  # the site's own: nothing to change
    image, image_alt = _read_image(check, path, site_dir)
    extra = check.warn_unknown(KNOWN_APPEAL_FIELDS)
    if status != "draft":
        _refuse_placeholders(check)

    if check.failed or raised is None or None in (child, condition, target, hospital, date):
        return None

    body_html = renderer.to_html(story_text(check))
    words = i18n.site_speech(config.locale, site_dir, language)
    appeal = Appeal(
        slug=slug,
        path=shown,
        child=child,
        condition=condition,
        target=target,
        raised=raised,
        hospital=hospital,
        date=date,
        title=title or default_title(child, words),
        summary=summary or first_paragraph_text(body_html) or words.gettext("Help %(child)s, who has %(condition)s.") % {"child": child, "condition": condition},
        body_utf8=body_html.encode("utf-8"),
        currency=currency,
        status=status or ("funded" if raised >= target else "open"),
        donate=donate,
        sources=sources,
        deadline=deadline,
        milestones=milestones,
        updates=updates,
        gift_aid=gift_aid,
        image=image,
        image_alt=image_alt,
        location=location,
        tags=tags,
        organiser=organiser,
        supporters=supporters,
        language=language,
        extra=extra,
    )
    appeal.advice = story_advice(appeal, source, config, problems)
    return appeal


# Control characters other than tab and line breaks: invisible, and not allowed in XML (the feed).
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def story_text(check: _Checker) -> str:
    """The story's Markdown, without invisible control characters (with a warning)."""
    body = check.source.body
    found = _CONTROL_CHARACTERS.search(body)
    if found is None:
        return body
    line = check.source.body_line + body.count("\n", 0, found.start())
    check.problems.warn(
        check.shown, line, "story",
        f"an invisible control character (U+{ord(found.group()):04X}) was removed "
        "(it often comes with text copied from another program)",
    )
    return _CONTROL_CHARACTERS.sub("", body)


def default_title(child: str, speech: i18n.Speech | None = None) -> str:
    return (speech or i18n.english()).gettext("%(child)s’s appeal") % {"child": child}


def _language(value: object) -> str:
    """A language tag such as cy, pl or ur (cy-GB too)."""
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*", value.strip()):
        return value.strip().replace("_", "-")
    raise FieldError(f"{quote(value)} is not a language (use a language tag such as cy, pl or ur)")


def _refuse_placeholders(check: _Checker) -> None:
    """An appeal that is published must not still say what `new` wrote in it."""
    data = check.source.data
    advice = "write the real one, or keep status: draft until the story is ready"
    for name, placeholder in placeholders.FIELDS.items():
        if isinstance(data.get(name), str) and data[name].strip() == placeholder:
            check.error((name,), f"{quote(placeholder)} is the placeholder written by `new` ({advice})")
    donate = data.get("donate")
    options = donate if isinstance(donate, list) else [donate]
    for index, option in enumerate(options):
        if isinstance(option, dict) and isinstance(option.get("url"), str) and option["url"].strip() == placeholders.DONATE_URL:
            path: tuple[str | int, ...] = ("donate", index, "url") if isinstance(donate, list) else ("donate", "url")
            check.error(path, f"{quote(placeholders.DONATE_URL)} is the placeholder written by `new` (link to the appeal's own page; {advice})")
    if isinstance(data.get("donate_url"), str) and data["donate_url"].strip() == placeholders.DONATE_URL:
        check.error(("donate_url",), f"{quote(placeholders.DONATE_URL)} is the placeholder written by `new` ({advice})")
    body = check.source.body
    if placeholders.STORY in body:
        line = check.source.body_line + body.count("\n", 0, body.index(placeholders.STORY))
        check.failed = True
        check.problems.error(check.shown, line, "story", f"still holds the placeholder written by `new`, {quote(placeholders.STORY)} ({advice})")


def _supporters(value: object) -> int:
    """How many people have given: a whole number, 0 or more ("1,204" too)."""
    if isinstance(value, str) and re.fullmatch(r"\d{1,3}(,\d{3})+|\d+", value.strip()):
        value = int(value.strip().replace(",", ""))
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise FieldError(f"{quote(value)} is not a number of people (use a whole number such as 312)")


def _status(value: object) -> str:
    if value in STATUSES:
        return str(value)
    raise FieldError(f"{quote(value)} is not a status (use draft, open, funded or closed)")


def _read_sources(check: _Checker, mapping: dict[Any, Any], currency: str, locale: str) -> list[Source]:
    sources = []
    for label, value in mapping.items():
        if not isinstance(label, str) or not label.strip():
            check.error(("raised", str(label)), f"{quote(label)} is not a name for a source of money (write it as text)")
            continue
        amount = check.apply(("raised", label), value, fields.amount, currency, locale)
        if amount is not None:
            sources.append(Source(label.strip(), amount))
    return sources


def _read_donate(check: _Checker) -> list[DonateOption]:
    data = check.source.data
    options: list[DonateOption] = []
    if data.get("donate") is not None and data.get("donate_url") is not None:
        check.error(("donate_url",), "use either donate or donate_url, not both")
        return options
    if data.get("donate_url") is not None:
        url = check.apply(("donate_url",), data["donate_url"], fields.web_url)
        return [DonateOption("Donate now", url)] if url else []
    raw = data.get("donate")
    if raw is None:
        return options
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        check.error(("donate",), f"{quote(raw)} must be a list of donation options, each with a label and a url")
        return options
    for index, item in enumerate(raw):
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict):
            check.error(("donate", index), f"{quote(item)} must have a label and a url")
            continue
        url = check.need(("donate", index, "url"), item, fields.web_url, needs="each donation option needs a url")
        label = "Donate now" if index == 0 else "Donate"
        if item.get("label") is not None:
            label = check.apply(("donate", index, "label"), item["label"], fields.text, "button's label")
        for key in item:
            if key not in ("label", "url"):
                check.problems.warn(check.shown, check.source.line_of("donate", index, key), f"donate[{index}].{key}", unknown_field_message(str(key), ("label", "url")))
        if url and label:
            options.append(DonateOption(label, url))
    return options


def _read_milestones(check: _Checker, target: Decimal | None, currency: str, locale: str) -> list[Milestone]:
    raw = check.source.data.get("milestones")
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.error(("milestones",), f"{quote(raw)} must be a list of parts of the target, each with a label and an amount")
        return []
    milestones: list[Milestone] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            check.error(("milestones", index), f"{quote(item)} must have a label and an amount")
            continue
        needs = "each milestone needs a label and an amount"
        label = check.need(("milestones", index, "label"), item, fields.text, "milestone's label", needs=needs)
        amount = check.need(("milestones", index, "amount"), item, fields.amount, currency, locale, needs=needs)
        if amount is None or label is None:
            continue
        if milestones and amount < milestones[-1].amount:
            check.error(("milestones", index, "amount"), f"{quote(item.get('amount'))} is less than the milestone before it (list milestones in ascending order of amount)")
            continue
        if target is not None and amount > target:
            check.error(("milestones", index, "amount"), f"{quote(item.get('amount'))} is more than the target (a milestone is a part of the target)")
            continue
        milestones.append(Milestone(label, amount))
    return milestones


def _read_updates(check: _Checker, currency: str, locale: str) -> list[Update]:
    raw = check.source.data.get("updates")
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.error(("updates",), f"{quote(raw)} must be a list of updates, each with a date, raised and a note")
        return []
    updates: list[Update] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            check.error(("updates", index), f"{quote(item)} must have a date, raised and a note")
            continue
        needs = "each update needs a date and the amount raised by then"
        date = check.need(("updates", index, "date"), item, fields.iso_date, needs=needs)
        raised = check.need(("updates", index, "raised"), item, fields.amount, currency, locale, needs=needs)
        note = ""
        if item.get("note") is not None:
            note = check.apply(("updates", index, "note"), item["note"], fields.text, "note") or ""
        if date is None or raised is None:
            continue
        if updates and date < updates[-1].date:
            check.error(("updates", index, "date"), f"{quote(str(date))} is before the update above it (list updates oldest first)")
            continue
        updates.append(Update(date, raised, note))
    return updates


def _read_image(check: _Checker, story_path: Path, site_dir: Path) -> tuple[Path | None, str | None]:
    data = check.source.data
    raw = data.get("image")
    alt = check.get("image_alt", fields.text, "description of the photo")
    if raw is None:
        return None, alt
    relative = check.apply(("image",), raw, fields.text, "photo's path")
    if relative is None:
        return None, alt
    # `image_alt:` with nothing after it is as missing as no line at all.
    if alt is None and data.get("image_alt") is None:
        check.error(("image",), f"{quote(relative)} has no image_alt (describe the photo for people who cannot see it)")
    found = resolve_site_file(relative, story_path.parent, site_dir)
    if found is None:
        near = _nearest_file(relative, story_path.parent, site_dir)
        hint = f" (did you mean {quote(near)}?)" if near else ""
        check.error(("image",), f"{quote(relative)} is not a file in the story's folder or the site folder{hint}")
        return None, alt
    if found.suffix.lower() in (".heic", ".heif"):
        check.error(("image",), (
            f"{quote(relative)} is an iPhone photo (HEIC), which not every browser shows "
            "(save it as a JPEG and use the .jpg file)"
        ))
        return None, alt
    if found.suffix.lower() not in IMAGE_SUFFIXES:
        check.error(("image",), f"{quote(relative)} is not a photo (use a .jpg, .png, .webp or .gif file)")
        return None, alt
    return found, alt


def _nearest_file(relative: str, story_dir: Path, site_dir: Path) -> str | None:
    """The photo a mistyped path most likely means, written as the story wrote
    its path: one that differs in case alone ("Maisie.JPG"), else the closest
    name in that folder ("maisie.jpeg" for maisie.jpg)."""
    import difflib

    folder, _, name = relative.replace("\\", "/").rpartition("/")
    site_root = site_dir.resolve()
    for base in (story_dir, site_dir):
        directory = base / folder if folder else base
        try:
            if not directory.resolve().is_relative_to(site_root):
                continue  # a story names nothing outside the site, not even by a hint
            names = sorted(entry.name for entry in directory.iterdir() if entry.is_file())
        except OSError:
            continue
        same = [other for other in names if other.lower() == name.lower()]
        close = same or difflib.get_close_matches(name, names, n=1, cutoff=0.75)
        if close:
            return f"{folder}/{close[0]}" if folder else close[0]
    return None


def resolve_site_file(relative: str, story_dir: Path, site_dir: Path) -> Path | None:
    """Find a file named relative to the story's folder or the site folder.

    The file must lie inside the site folder once links are followed: a story
    cannot make the build read a file from elsewhere on the disk.
    """
    site_root = site_dir.resolve()
    for base in (story_dir, site_dir):
        if reads.is_file(base / relative):
            candidate = (base / relative).resolve()
            if candidate.is_relative_to(site_root):
                return candidate
    return None


def load_page(
    path: Path, site_dir: Path, config: SiteConfig, problems: Problems, renderer: StoryRenderer
) -> Page | None:
    shown = display_path(path, site_dir)
    source = read_source(path, site_dir, problems)
    if source is None:
        return None
    check = _Checker(source, shown, problems)
    slug = path.stem
    if slug != slugify(slug) or not slug:
        check.error(("file name",), f"{quote(path.name)} is not a usable web address (rename it to {slugify(slug) or 'page'}.md)")
    if source.data.get("title") is None:
        check.failed = True
        problems.error(shown, 1, "title", "missing (every page needs a title)")
        title = None
    else:
        title = check.get("title", fields.text, "page's title")
    summary = check.get("summary", fields.text, "summary")
    date = check.get("date", fields.iso_date)
    tags = check.tags()
    status = check.get("status", _status)
    image, image_alt = _read_image(check, path, site_dir)
    extra = check.warn_unknown(KNOWN_PAGE_FIELDS)
    if check.failed or title is None:
        return None
    body_html = renderer.to_html(story_text(check))
    page = Page(
        slug=slug,
        path=shown,
        title=title,
        summary=summary or first_paragraph_text(body_html),
        body_html=body_html,
        date=date,
        image=image,
        image_alt=image_alt,
        tags=tags,
        extra=extra,
        draft=status == "draft",
    )
    page.advice = page_advice(page, source, config, problems)
    return page
