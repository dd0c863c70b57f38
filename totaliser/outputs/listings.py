"""The listings by hospital, condition, place and tag: each kind's index page,
and each term's pages (the home page's cards, order and pagination), Atom
feed, embed and badge.

Each reads the narrowest named value of the site that holds what it shows
(``site_values.SiteValues``): a term's page reads its own slugs and totals, never
the site's, so a story's edit remakes only the listings it changes.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from markupsafe import Markup

from .. import reads
from ..content import Appeal
from ..i18n import Speech
from ..listing import page_count, page_path
from ..terms import OpenAppeals, Raised, TermSummary
from .context import Context
from .embed import IFRAME_HEIGHT, TITLE_LIMIT, one_line
from .thermometer import Reading, bar_svg, thermometer_svg

# A listing embed's suggested iframe height: the heading, the total and a
# line for each of the open appeals it names.
LISTING_IFRAME_HEIGHT = IFRAME_HEIGHT + 110


def main_row(rows: tuple[Raised, ...], currency: str) -> Raised | None:
    """The money a listing's thermometer shows: in the site's currency, or
    the first other when none of its appeals is in the site's."""
    for row in rows:
        if row.currency == currency:
            return row
    return rows[0] if rows else None


def money_rows(rows: tuple[Raised, ...], speech: Speech) -> list[str]:
    return [speech.money(row.raised, row.currency) for row in rows]


def term_index_page(context: Context, kind: str) -> str:
    terms: tuple[TermSummary, ...] = context.value(f"terms:{kind}")
    speech = context.speech()
    rows = [
        {"name": term.name, "url": f"{kind}/{term.slug}/", "appeals": term.appeals, "open": term.open, "raised": money_rows(term.raised, speech)}
        for term in terms
    ]
    return context.renderer.render(
        "terms.html",
        kind=kind,
        terms=rows,
        listed_kinds=context.value("listed-kinds"),
        canonical=context.config.absolute(f"{kind}/"),
        social=context.renderer.site_social(_index_title(kind, speech)),
        page_title=f"{_index_title(kind, speech)} · {context.config.title}",
    )


def term_page(context: Context, kind: str, slug: str, number: int) -> str:
    name = context.value(f"term-name:{kind}:{slug}")
    appeal_count = context.value(f"term-count:{kind}:{slug}")
    count = page_count(appeal_count)
    chunk = [context.appeal(s) for s in context.value(f"term-page:{kind}:{slug}:{number}")]
    folder = f"{kind}/{slug}/"
    pagination = {
        "number": number,
        "count": count,
        "previous": folder + page_path(number - 1) if number > 1 else None,
        "next": folder + page_path(number + 1) if number < count else None,
    }
    speech = context.speech()
    _ = speech.gettext
    heading = term_heading(kind, name, speech)
    title = heading if number == 1 else _("Page %(number)s · %(title)s") % {"number": number, "title": heading}
    return context.renderer.render(
        "term.html",
        kind=kind,
        term={"name": name, "slug": slug, "url": folder, "heading": heading},
        cards=[context.renderer.card_context(appeal) for appeal in chunk],
        appeal_count=appeal_count,
        # Read when shown: the stock theme shows them on the first page only,
        # so a new total leaves the later pages as they are.
        totals=reads.ValueWhenUsed(f"term-totals:{kind}:{slug}"),
        pagination=pagination,
        embed_code=listing_iframe_code(context, kind, slug, heading, speech),
        canonical=context.config.absolute(folder + page_path(number)),
        social=context.renderer.site_social(heading),
        page_title=f"{title} · {context.config.title}",
    )


def term_heading(kind: str, name: str, speech: Speech) -> str:
    _ = speech.gettext
    if kind == "hospitals":
        return _("Appeals at %(name)s") % {"name": name}
    if kind == "conditions":
        return _("Appeals for children with %(name)s") % {"name": name}
    if kind == "places":
        return _("Appeals in %(name)s") % {"name": name}
    return _("Appeals tagged “%(name)s”") % {"name": name}


def _index_title(kind: str, speech: Speech) -> str:
    _ = speech.gettext
    return {
        "hospitals": _("Appeals by hospital"),
        "conditions": _("Appeals by condition"),
        "places": _("Appeals by place"),
        "tags": _("Appeals by tag"),
    }[kind]


def term_feed(context: Context, kind: str, slug: str) -> str:
    from .feeds import atom_feed

    name = context.value(f"term-name:{kind}:{slug}")  # not its totals: a new total changes no entry
    # The appeals it can show: a feed reads those, not the dates of all.
    appeals = [context.appeal(s) for s in context.value(f"term-newest:{kind}:{slug}")]
    speech = context.speech()
    heading = term_heading(kind, name, speech)
    config = context.config
    # Summaries and links, not whole stories: a hospital's news page shows
    # what is new, and an edit further down a story leaves its listings' feeds as they are.
    return atom_feed(appeals, config, speech, title=f"{heading} · {config.title}", path=f"{kind}/{slug}/", stories=False)


def listing_iframe_code(context: Context, kind: str, slug: str, heading: str, speech: Speech) -> str:
    """The <iframe> markup for a listing's embed, as plain text (see embed.iframe_code)."""
    _ = speech.gettext
    url = context.config.absolute(f"{kind}/{slug}/embed/")
    title = escape(f"{heading}: {_('fundraising total')}", quote=True)
    return (
        f'<iframe src="{escape(url, quote=True)}" title="{title}" '
        f'width="100%" height="{LISTING_IFRAME_HEIGHT}" style="border:0;max-width:640px" loading="lazy"></iframe>'
    )


def _reading(context: Context, found: OpenAppeals) -> Reading | None:
    row = main_row(found.raised, context.config.currency)
    if row is None:
        return None
    return Reading(row.raised, row.target, row.currency, accent=context.config.colours.accent)


def term_embed(context: Context, kind: str, slug: str) -> str:
    found: OpenAppeals = context.value(f"term-open:{kind}:{slug}")
    config = context.config
    speech = context.speech()
    heading = term_heading(kind, found.name, speech)
    reading = _reading(context, found)
    appeals: list[Appeal] = [context.appeal(s) for s in found.first]
    return context.env.get_template("term_embed.html").render(
        speech=speech,
        heading=one_line(heading, TITLE_LIMIT),
        page_title=f"{heading} · {config.title}",
        listing_url=config.absolute(f"{kind}/{slug}/"),
        found=found,
        reading=reading,
        value_text=reading.value_text(speech) if reading else "",
        bar=Markup(bar_svg(reading)) if reading else "",
        others=money_rows(tuple(row for row in found.raised if reading is None or row.currency != reading.currency), speech),
        appeals=[
            {"title": one_line(a.title, TITLE_LIMIT), "url": config.absolute(a.url_path), "percent": a.percent} for a in appeals
        ],
    )


def term_badge(context: Context, kind: str, slug: str) -> str:
    found: OpenAppeals = context.value(f"term-open:{kind}:{slug}")
    reading = _reading(context, found) or Reading(Decimal(0), Decimal(0), context.config.currency)
    speech = context.speech()
    _ = speech.gettext
    title = _("%(heading)s: %(total)s (open appeals)") % {"heading": term_heading(kind, found.name, speech), "total": reading.value_text(speech)}
    return thermometer_svg(reading, standalone=True, title=title, speech=speech) + "\n"
