"""Machine-readable outputs: the Atom feed, appeals.json, sitemap and robots."""

from __future__ import annotations

import datetime
import heapq
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import orjson

from .. import reads
from ..config import SiteConfig
from ..content import Appeal, Page
from ..i18n import Speech, english
from ..listing import FEED_ENTRIES
from ..money import json_number
from ..slugs import slugify

# Characters XML 1.0 forbids outright: one of them makes the whole feed unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# The same as xml.sax.saxutils' escape and quoteattr, which are not imported
# because they bring in urllib.request and http.client: a slower start for
# every build that writes the feed.
def escape(data: str) -> str:
    data = _NOT_XML.sub("", data)
    return data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(data: str) -> str:
    data = escape(data).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"{}"'.format(data.replace('"', "&quot;"))


# Atom ids are RFC 4151 tag URIs built from what never changes: the
# publisher's domain (not base_url: building for another address must keep
# them), this date, and the appeal's slug and each update's own anchor. The
# date only has to be one on which the publisher held the domain; it is fixed
# so that no id ever changes.
TAG_DATE = "2026"
# For a site with no publisher url: reserved, never a real host.
FALLBACK_AUTHORITY = "totaliser.invalid"


def tag_prefix(config: SiteConfig) -> str:
    """The start of every id in the site's feeds: "tag:wessexcourier.example,2026:"."""
    host = urlsplit(config.publisher.url).hostname if config.publisher.url else None
    if host:
        return f"tag:{host},{TAG_DATE}:"
    # Without a domain of the publisher's, the site's title tells sites apart.
    return f"tag:{FALLBACK_AUTHORITY},{TAG_DATE}:{slugify(config.title) or 'site'}/"


def _timestamp(day: datetime.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def atom_feed(
    appeals: Sequence[Appeal], config: SiteConfig, speech: Speech | None = None, *, title: str | None = None,
    path: str = "", subtitle: str | None = None, stories: bool = True,
) -> str:
    """An Atom feed of appeals and their updates, newest first: the site's,
    or with ``path`` a listing's (``hospitals/<slug>/``), whose entries have
    the same ids as the site feed's. With ``stories`` an appeal's entry
    carries its whole story, else its summary and link alone.

    It carries the newest FEED_ENTRIES entries so that it does not grow with
    the number of appeals.
    """
    speech = speech or english()
    newest = [
        (day, key, _appeal_entry(appeal, index, config, speech, stories)) for day, key, appeal, index in newest_entries(appeals, config)
    ]
    updated = newest[0][0] if newest else datetime.date(2000, 1, 1)
    author = config.publisher.name or config.title
    subtitle = subtitle if path else config.description
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(speech.tag)}>',
        f"<title>{escape(title or config.title)}</title>",
    ]
    if subtitle:
        head.append(f"<subtitle>{escape(subtitle)}</subtitle>")
    head += [
        f"<id>{escape(tag_prefix(config))}{escape(path)}feed</id>",
        f'<link rel="self" type="application/atom+xml" href={quoteattr(config.absolute(path + "feed.xml"))}/>',
        f'<link rel="alternate" type="text/html" href={quoteattr(config.absolute(path))}/>',
        f"<updated>{_timestamp(updated)}</updated>",
        f"<author><name>{escape(author)}</name></author>",
        "<generator>Totaliser</generator>",
    ]
    return "\n".join(head + [entry for _, _, entry in newest] + ["</feed>", ""])


def newest_entries(appeals: Sequence[Appeal], config: SiteConfig) -> list[tuple[datetime.date, str, Appeal, int | None]]:
    """The feed's entries, newest first: (day, sort key, appeal, index of the
    update or None for the appeal itself). Sorted first and written after, so
    that only the newest FEED_ENTRIES are written out, however many appeals
    there are (and a cached build knows which appeals the feed shows)."""
    dated: list[tuple[datetime.date, Appeal, int | None]] = []
    for appeal in appeals:
        dated.append((appeal.date, appeal, None))
        for index, day in enumerate(appeal.update_dates):
            dated.append((day, appeal, index))
    if len(dated) > FEED_ENTRIES:
        # Only entries at least as new as the FEED_ENTRIES-th newest can be
        # in the feed: their addresses are made and sorted, not every one's.
        cutoff = heapq.nlargest(FEED_ENTRIES, (entry[0] for entry in dated))[-1]
        dated = [entry for entry in dated if entry[0] >= cutoff]
    found: list[tuple[datetime.date, str, Appeal, int | None]] = []
    for day, appeal, update in dated:
        url = config.absolute(appeal.url_path)
        found.append((day, f"{url}#appeal" if update is None else f"{url}#{appeal.update_anchors[update]}", appeal, update))
    found.sort(key=lambda e: (e[0], e[1]), reverse=True)
    return found[:FEED_ENTRIES]


def _appeal_entry(appeal: Appeal, index: int | None, config: SiteConfig, speech: Speech, story: bool = True) -> str:
    """The feed entry of an appeal (index None) or of one of its updates."""
    url = config.absolute(appeal.url_path)
    entry_id = f"{tag_prefix(config)}appeals/{appeal.slug}"
    if index is None:
        return _entry(
            entry_id=entry_id,
            title=appeal.title,
            url=url,
            day=appeal.date,
            summary=appeal.summary,
            content=appeal.body_html if story else None,
            categories=appeal.tags,
            lang=appeal.language,  # the story's own words, when not the site's language
        )
    update = appeal.updates[index]
    note = update.note or speech.gettext("New total")
    amount = speech.money(update.raised, appeal.currency)
    target = speech.money(appeal.target, appeal.currency)
    anchor = appeal.update_anchors[index]
    return _entry(
        entry_id=f"{entry_id}/{anchor}",
        title=speech.gettext("%(title)s: %(amount)s raised") % {"title": appeal.title, "amount": amount},
        url=f"{url}#{anchor}",
        day=update.date,
        summary=speech.gettext("%(note)s (%(amount)s raised of %(target)s)") % {"note": note, "amount": amount, "target": target},
        content=None,
        categories=[],
    )


def _entry(
    *, entry_id: str, title: str, url: str, day: datetime.date, summary: str, content: str | None, categories: list[str],
    lang: str | None = None,
) -> str:
    parts = [
        f"<entry xml:lang={quoteattr(lang)}>" if lang else "<entry>",
        f"<id>{escape(entry_id)}</id>",
        f"<title>{escape(title)}</title>",
        f'<link rel="alternate" type="text/html" href={quoteattr(url)}/>',
        f"<published>{_timestamp(day)}</published>",
        f"<updated>{_timestamp(day)}</updated>",
        f"<summary>{escape(summary)}</summary>",
    ]
    if content:
        parts.append(f'<content type="html">{escape(content)}</content>')
    parts += [f"<category term={quoteattr(tag)}/>" for tag in categories]
    parts.append("</entry>")
    return "".join(parts)


def appeals_json_utf8(lines: Sequence[bytes]) -> bytes:
    """appeals.json as UTF-8, from each appeal's line (``appeal_line``): one
    appeal a line, so that a change shows as the lines of the appeals it
    moved or changed."""
    if not lines:
        return b'{"appeals": []}\n'
    return b'{"appeals": [\n' + b",\n".join(lines) + b"\n]}\n"


def appeal_line(appeal: Appeal, config: SiteConfig) -> bytes:
    """One appeal's record in appeals.json, as UTF-8 JSON on one line.

    orjson writes it straight to UTF-8, some eight times quicker than the
    standard library's encoder and ``str.encode`` (at 10,000 appeals, 16 ms
    instead of 124 when every line is made). The characters of HTML are
    written as escapes (the same text to any JSON reader): a summary that
    holds "<script>" then does not either, for a page that puts the file
    into its own HTML or a crude filter that looks for it."""
    line = orjson.dumps(appeal_record(appeal, config))
    if b"<" in line or b">" in line or b"&" in line:
        line = line.replace(b"&", b"\\u0026").replace(b"<", b"\\u003c").replace(b">", b"\\u003e")
    return line


_RECORD_FIELDS = (
    "slug", "url_path", "title", "child", "condition", "hospital", "target", "raised", "percent", "currency", "status",
    "date", "deadline", "donate", "milestones", "updates", "sources", "gift_aid", "summary",
)


def appeal_record(appeal: Appeal, config: SiteConfig) -> dict[str, Any]:
    # The fields read at once (reads.field_values): appeals.json reads
    # 10,000 appeals on every new total, and one by one was a third of its time.
    (
        slug, url_path, title, child, condition, hospital, target, raised, percent, currency, status,
        date, deadline, donate, milestones, updates, sources, gift_aid, summary,
    ) = reads.field_values(appeal, _RECORD_FIELDS)
    return {
        "slug": slug,
        "url": config.absolute(url_path),
        "title": title,
        "child": child,
        "condition": condition,
        "hospital": hospital,
        "target": json_number(target),
        "raised": json_number(raised),
        "percent": percent,
        "currency": currency,
        "status": status,
        "date": date.isoformat(),
        "deadline": deadline.isoformat() if deadline else None,
        "donate": [{"label": d.label, "url": d.url} for d in donate],
        "milestones": [{"label": m.label, "amount": json_number(m.amount)} for m in milestones],
        "updates": [{"date": u.date.isoformat(), "raised": json_number(u.raised), "note": u.note} for u in updates],
        "sources": [{"label": s.label, "amount": json_number(s.amount)} for s in sources],
        "gift_aid": json_number(gift_aid) if gift_aid is not None else None,
        "summary": summary,
    }


def sitemap(appeals: Sequence[Appeal], pages: Sequence[Page], index_paths: Sequence[str], config: SiteConfig) -> str:
    rows = ['<?xml version="1.0" encoding="utf-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in index_paths:
        rows.append(f"<url><loc>{escape(config.absolute(path))}</loc></url>")
    for appeal in sorted(appeals, key=lambda a: a.slug):
        rows.append(
            f"<url><loc>{escape(config.absolute(appeal.url_path))}</loc>"
            f"<lastmod>{appeal.last_changed.isoformat()}</lastmod></url>"
        )
    for page in sorted(pages, key=lambda p: p.slug):
        lastmod = f"<lastmod>{page.date.isoformat()}</lastmod>" if page.date else ""
        rows.append(f"<url><loc>{escape(config.absolute(page.url_path))}</loc>{lastmod}</url>")
    rows += ["</urlset>", ""]
    return "\n".join(rows)


def robots_txt(config: SiteConfig) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {config.absolute('sitemap.xml')}\n"
