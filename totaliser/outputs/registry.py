"""Every kind of output the site has, declared once.

``plan`` lists the outputs of a site: each with a key that names it from one
build to the next, the files it makes (``make``), and the addresses it
answers (what ``check`` knows exists). The build renders what is stale and
reuses the rest; nothing else in the program lists outputs. Adding a kind of
output is a function here that yields its ``Output``s, and one line in ``KINDS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import takewhile
from pathlib import Path
from typing import NamedTuple

from ..errors import Problems
from ..listing import page_path
from .context import Context
from .static_files import published_bytes, static_sources

Files = dict[str, bytes]
Make = Callable[[Context, Problems], Files]


class Output(NamedTuple):  # a tuple: a site of 10,000 appeals plans 40,000 of them
    key: str  # names it from one build to the next: "page:jacob-buckett"
    group: str  # outputs that change together share one (a story's, a listing's): the cache keeps them together
    source: str  # shown when two outputs would write one file
    make: Make
    addresses: tuple[str, ...] = ()  # paths it answers, for `check`
    checked: bool = True  # made by `check` too, for the problems it finds
    # Made by the build's own process before the workers start: it runs a
    # large program of its own (Pagefind's indexer, some 500 MB at 10,000
    # appeals), which beside them would add its memory to theirs.
    apart: bool = False


@dataclass(frozen=True)
class SitePlan:
    """What the plan is made from: which appeals, pages and static files there are."""

    appeals: list[tuple[str, str]]  # (slug, shown path) of published appeals, in the home page's order
    with_photo: set[str]  # the slugs of those that have a photo
    pages: list[tuple[str, str]]
    listing_pages: int
    static: dict[str, Path]
    cname: str | None
    term_pages: tuple[tuple[str, str, int], ...] = ()  # (kind, slug, pages) of every listing by hospital, condition...


def _appeal_page(slug: str, context: Context, problems: Problems) -> Files:
    appeal = context.appeal(slug)
    image, _ = context.photo(appeal, problems)
    card_url = context.config.absolute(f"{appeal.url_path}card.png")
    return {f"{appeal.url_path}index.html": context.renderer.appeal_page(appeal, image, card_url).encode()}


def _badge(slug: str, context: Context, problems: Problems) -> Files:
    from .pages import reading_for
    from .thermometer import badge_svg

    appeal = context.appeal(slug)
    speech = context.speech(appeal.language)
    return {f"{appeal.url_path}thermometer.svg": badge_svg(reading_for(appeal, context.config), appeal.child, speech).encode()}


def _embed(slug: str, context: Context, problems: Problems) -> Files:
    from .embed import embed_page

    appeal = context.appeal(slug)
    speech = context.speech(appeal.language)
    return {f"{appeal.url_path}embed/index.html": embed_page(context.env, appeal, context.config, speech).encode()}


def _poster(slug: str, context: Context, problems: Problems) -> Files:
    from .poster import poster_page

    appeal = context.appeal(slug)
    image, _ = context.photo(appeal, problems)
    speech = context.speech(appeal.language)
    return {f"{appeal.url_path}poster/index.html": poster_page(context.env, appeal, context.config, image, speech).encode()}


def _card(slug: str, context: Context, problems: Problems) -> Files:
    from .card import card_png, drawable, drawable_only
    from .card_spec import card_spec
    from .pages import deadline_passed

    appeal = context.appeal(slug)
    late = deadline_passed(appeal)
    spec = card_spec(appeal, context.config, context.speech(appeal.language), late)
    if not drawable(spec):
        # Words the card's font cannot draw (Urdu): the card says it in
        # English, and leaves out of the names what it cannot draw either.
        from ..i18n import english

        spec = drawable_only(card_spec(appeal, context.config, english(), late))
    return {f"{appeal.url_path}card.png": card_png(spec)}


def _appeal_photos(slug: str, context: Context, problems: Problems) -> Files:
    return context.photo(context.appeal(slug), problems, publish=True)[1]


def _made_together(makes: tuple[Make, ...], context: Context, problems: Problems) -> Files:
    """Several parts made as one output. Each is made from its own template:
    an error in one must not hide another's."""
    from ..template_errors import reported

    files: Files = {}
    for make in makes:
        with reported(problems, context.site_dir, context.env):
            files.update(make(context, problems))
    return files


def _appeal_pages(slug: str, context: Context, problems: Problems) -> Files:
    # The page, its embed, its badge and its poster are one output: each is
    # quick to make (the others a third to a half of the page's time) and
    # they read much the same fields, while every output costs the same to
    # plan, check and keep on every build (at 10,000 appeals, 30,000 fewer
    # outputs). The card and the photos, slow to make and changed by fewer
    # edits, stay outputs of their own.
    return _made_together(tuple(partial(make, slug) for make in (_appeal_page, _embed, _badge, _poster)), context, problems)


APPEAL_FILES = {
    "page": (_appeal_pages, ("", "index.html", "embed/", "embed/index.html", "thermometer.svg", "poster/", "poster/index.html")),
    "card": (_card, ("card.png",)),
    "photos": (_appeal_photos, ()),
}


def appeal_outputs(site: SitePlan) -> Iterator[Output]:
    for slug, shown in site.appeals:
        folder = f"appeals/{slug}/"
        for part, (make, files) in APPEAL_FILES.items():
            if part == "photos" and slug not in site.with_photo:
                continue  # nothing to publish: planned again once the story names a photo
            yield Output(f"{part}:{slug}", slug, shown, partial(make, slug), tuple(map(folder.__add__, files)))


def _plain_page(slug: str, context: Context, problems: Problems) -> Files:
    page = context.page(slug)
    image, files = context.photo(page, problems, publish=True)
    return {**files, f"{page.url_path}index.html": context.renderer.plain_page(page, image).encode()}


def plain_page_outputs(site: SitePlan) -> Iterator[Output]:
    for slug, shown in site.pages:
        folder = f"pages/{slug}/"
        yield Output(f"plain:{slug}", f"page:{slug}", shown, partial(_plain_page, slug), (folder, folder + "index.html"))


# Outputs that read the same fields of the same appeals share a group, so
# that the cache's file holds each such read once rather than once for each
# listing the appeal is in (at 10,000 appeals, 50,000 fewer things for every
# build to check): the pages that list appeals' cards, the home page's and
# each listing's by hospital, condition, place and tag; and the listings'
# feeds. (Not with the site's feed, which a story's new paragraph changes:
# its file, rewritten then, stays small.) The listings' index pages, embeds
# and badges join the pages: they change only with a term's figures, which
# change its first page too, so the cache rewrites one file for them all
# rather than one more for each term a new total touches.
LISTING_PAGES = "listing"
LISTING_FEEDS = "listing feeds"


def _listing_page(number: int, context: Context, problems: Problems) -> Files:
    chunk = [context.appeal(slug) for slug in context.value(f"listing:{number}")]
    return {page_path(number) + "index.html": context.renderer.index_page(number, chunk).encode()}


def listing_outputs(site: SitePlan) -> Iterator[Output]:
    for number in range(1, site.listing_pages + 1):
        path = page_path(number)
        # One group for every page: a new total changes the first page and
        # each the appeal's card moves across, which then rewrites one of the
        # cache's files rather than one for each page.
        yield Output(f"listing:{number}", LISTING_PAGES, "the home page", partial(_listing_page, number), (path, path + "index.html"))


def _term_index(kind: str, context: Context, problems: Problems) -> Files:
    from .listings import term_index_page

    return {f"{kind}/index.html": term_index_page(context, kind).encode()}


def _term_page(kind: str, slug: str, number: int, context: Context, problems: Problems) -> Files:
    from .listings import term_page

    return {f"{kind}/{slug}/{page_path(number)}index.html": term_page(context, kind, slug, number).encode()}


def _term_feed(kind: str, slug: str, context: Context, problems: Problems) -> Files:
    from .listings import term_feed

    return {f"{kind}/{slug}/feed.xml": term_feed(context, kind, slug).encode()}


def _term_embed(kind: str, slug: str, context: Context, problems: Problems) -> Files:
    from .listings import term_embed

    return {f"{kind}/{slug}/embed/index.html": term_embed(context, kind, slug).encode()}


def _term_badge(kind: str, slug: str, context: Context, problems: Problems) -> Files:
    from .listings import term_badge

    return {f"{kind}/{slug}/thermometer.svg": term_badge(context, kind, slug).encode()}


def _term_first_page(kind: str, slug: str, context: Context, problems: Problems) -> Files:
    # A term's first page, its embed and its badge are one output, as an
    # appeal's page, embed and badge are: they change with the term's
    # figures alike, and every output costs the same to plan and keep.
    parts = (partial(_term_page, kind, slug, 1), partial(_term_embed, kind, slug), partial(_term_badge, kind, slug))
    return _made_together(parts, context, problems)


def term_outputs(site: SitePlan) -> Iterator[Output]:
    """The listings by hospital, condition, place and tag: each kind's index
    page (first: ``plan`` finds them there), and each term's pages (the
    first with its embed and badge) and feed."""
    from ..terms import KINDS as TERM_KINDS

    for kind in TERM_KINDS:
        yield Output(f"terms:{kind}", LISTING_PAGES, "the listings", partial(_term_index, kind), (f"{kind}/", f"{kind}/index.html"))
    for kind, slug, pages in site.term_pages:
        folder, term = f"{kind}/{slug}/", f"term:{kind}:{slug}"
        yield Output(f"{term}:1", LISTING_PAGES, "the listings", partial(_term_first_page, kind, slug),
                     (folder, folder + "index.html", folder + "embed/", folder + "embed/index.html", folder + "thermometer.svg"))
        for number in range(2, pages + 1):
            path = folder + page_path(number)
            yield Output(f"{term}:{number}", LISTING_PAGES, "the listings", partial(_term_page, kind, slug, number), (path, path + "index.html"))
        yield Output(f"term-feed:{kind}:{slug}", LISTING_FEEDS, "the listings", partial(_term_feed, kind, slug), (folder + "feed.xml",))


def _appeals_json(context: Context, problems: Problems) -> Files:
    from .feeds import appeal_line, appeals_json_utf8

    def line(slug: str) -> bytes:
        return appeal_line(context.appeal(slug), context.config)

    # Each appeal's line is kept with what it read: a new total makes one line again.
    with context.pieces("appeals.json") as parts:
        lines = parts.get_all(context.value("order"), line)
    return {"appeals.json": appeals_json_utf8(lines)}


def _atom_feed(context: Context, problems: Problems) -> Files:
    from .feeds import atom_feed

    # Those it can show, by slug: the feed sorts their entries by date; a new
    # total, which reorders the home page, changes no entry, and the appeals
    # it cannot show are not read (at 10,000 appeals, 10,000 fewer reads to check).
    appeals = [context.appeal(slug) for slug in context.value("newest")]
    return {"feed.xml": atom_feed(appeals, context.config, context.speech()).encode()}


def _sitemap(context: Context, problems: Problems) -> Files:
    from .feeds import sitemap

    appeals = [context.appeal(slug) for slug in context.value("slugs")]  # listed by slug
    pages = [context.page(slug) for slug in context.page_slugs()]
    listing = [page_path(number) for number in range(1, context.value("listing-pages") + 1)]
    from ..terms import KINDS as TERM_KINDS

    listing += [f"{kind}/" for kind in TERM_KINDS]
    listing += [
        f"{kind}/{slug}/{page_path(number)}" for kind, slug, count in context.value("term-paths") for number in range(1, count + 1)
    ]
    return {"sitemap.xml": sitemap(appeals, pages, [*listing, "search/"], context.config).encode()}


def _robots(context: Context, problems: Problems) -> Files:
    from .feeds import robots_txt

    return {"robots.txt": robots_txt(context.config).encode()}


def _not_found(context: Context, problems: Problems) -> Files:
    return {"404.html": context.renderer.not_found_page().encode()}


def _search_page(listings: tuple[str, ...], context: Context, problems: Problems) -> Files:
    # Those with something in them: a site whose stories have no tags points
    # no reader to an empty listing.
    listed = context.value("listed-kinds")
    shown = tuple(address for address in listings if address.rstrip("/") in listed)
    return {"search/index.html": context.renderer.search_page(shown).encode()}


def _search_index(context: Context, problems: Problems) -> Files:
    from .search import search_index

    return search_index(context)


# The listings by hospital, condition, place and tag: the search page points
# readers without JavaScript to those the site has.
LISTING_INDEXES = ("hospitals/", "conditions/", "places/", "tags/")


def search_outputs(known: set[str]) -> Iterator[Output]:
    """The search page and its index. The page links the listings the plan has
    (``known``: the addresses of its listings' index pages), and they are
    part of its key: a site that gains one makes the page again."""
    listings = tuple(address for address in LISTING_INDEXES if address in known)
    key = "search/index.html" + "".join(f" {address}" for address in listings)
    yield Output(key, "search", "the build", partial(_search_page, listings), ("search/", "search/index.html"))
    # Not made by `check`: it finds no problem in the content, and needs a
    # working folder, which `check` (writing nothing) has not.
    yield Output("search index", "search index", "the build", _search_index, ("search/pagefind/pagefind.js",), checked=False, apart=True)


def _plain_file(name: str, text: str, context: Context, problems: Problems) -> Files:
    return {name: text.encode()}


def site_outputs(site: SitePlan) -> Iterator[Output]:
    for name, make in (
        ("appeals.json", _appeals_json), ("feed.xml", _atom_feed), ("sitemap.xml", _sitemap),
        ("robots.txt", _robots), ("404.html", _not_found),
    ):
        yield Output(name, name, "the build", make, (name,))
    yield Output(".nojekyll", ".nojekyll", "the build", partial(_plain_file, ".nojekyll", ""))
    if site.cname:
        yield Output("CNAME", "CNAME", "site.yaml", partial(_plain_file, "CNAME", site.cname + "\n"), ("CNAME",))


def _static_file(relative: str, path: Path, context: Context, problems: Problems) -> Files:
    data = published_bytes(path, f"static/{relative}", problems)
    return {} if data is None else {f"static/{relative}": data}


def static_outputs(site: SitePlan) -> Iterator[Output]:
    for relative, path in site.static.items():
        name = f"static/{relative}"
        # Keyed by the file it comes from too: a site's own file that
        # replaces the theme's is another output at the same address.
        yield Output(f"{name}:{path}", "static", name, partial(_static_file, relative, path), (name,))


# The order in which outputs are made. The site's own files (appeals.json,
# the feed and the sitemap each read every appeal, a quarter of a second at
# 10,000) come before the listings' thousands of small pages: the workers
# take outputs in this order, and a long one last keeps one worker busy while
# the other has nothing left to do.
KINDS: tuple[Callable[[SitePlan], Iterator[Output]], ...] = (
    appeal_outputs, plain_page_outputs, site_outputs, listing_outputs, term_outputs, static_outputs,
)


def addresses(outputs: list[Output]) -> set[str]:
    """Every address the site answers."""
    return {address for output in outputs for address in output.addresses}


def plan(site: SitePlan) -> list[Output]:
    outputs = [output for kind in KINDS for output in kind(site)]
    # The listings' index pages, which term_outputs plans first: looked for
    # there, not among the 40,000 outputs of a site of 10,000 appeals.
    indexes = takewhile(lambda output: output.key.startswith("terms:"), term_outputs(site))
    return outputs + list(search_outputs({address for output in indexes for address in output.addresses}))


def make_site_plan(
    config: object, appeals: list[tuple[str, str]], with_photo: set[str], pages: list[tuple[str, str]], listing_pages: int,
    site_dir: Path, story_photos: set[Path], term_pages: tuple[tuple[str, str, int], ...] = (),
) -> SitePlan:
    skipped = {photo.resolve() for photo in story_photos}
    static = {relative: path for relative, path in static_sources(site_dir).items() if path.resolve() not in skipped}
    return SitePlan(appeals, with_photo, pages, listing_pages, static, getattr(config, "cname", None), term_pages)

