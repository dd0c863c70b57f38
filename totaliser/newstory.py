"""`new`: start an appeal from a template with every field ready to fill in.

The new story is a draft with valid placeholder values, so the site still
builds (drafts are left out unless --drafts) and `check` passes while the
reporter fills it in. Optional fields that have no sensible placeholder (a
photo, a deadline) are written commented out, ready to switch on.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from . import placeholders
from .content import APPEALS_DIR
from .errors import UsageError, display_path
from .frontmatter import FrontMatterError, split
from .slugs import slugify

TEMPLATE = """\
---
# A new appeal. Fill in each field, then change `status` to open to publish it.
# Lines starting with # are notes for you; the site ignores them.

# The child's name as it will be published.
child: {child}
# The condition, in the words the family uses (e.g. cerebral palsy).
condition: {condition}
# Where the treatment happens.
hospital: {hospital}
# The amount the appeal needs, e.g. 36000 or "£36,000".
target: 10000
# The amount raised so far. Later, record new totals with: {command} raise {slug} AMOUNT
raised: 0
# The date the appeal is published or last updated (YYYY-MM-DD).
date: {today}
# draft keeps the appeal off the site; open publishes it. Others: funded, closed.
status: draft
# The page heading. Leave it out to use "{first_name}’s appeal".
title: {title}
# One or two sentences for the list of appeals, feeds and social media.
summary: {summary}
# Where to give. The first option is the main button; each link should start with https://
# (For a single link, `donate_url: https://...` does the same.)
donate:
  - label: Give online
    url: {donate_url}
# The date the money is needed by (YYYY-MM-DD); shown as a countdown.
# deadline: {next_year}
# The parts of the target, smallest first, e.g. the operation, then the aftercare.
# milestones:
#   - label: Operation
#     amount: 6000
#   - label: Physiotherapy
#     amount: 10000
# A photo beside this file or in static/images/, and a description of it for people who cannot see it.
# image: static/images/{slug}.jpg
# image_alt: {first_name} smiling in the garden
# Gift Aid expected on top of the amount raised (not counted toward the target).
# gift_aid: 0
# How many people have given, shown beside the total.
# supporters: 0
# Where the family lives, e.g. Canford Heath, Poole.
location: {location}
# Who is running the appeal, e.g. the child's parents or a club.
organiser: {organiser}
# Words that describe the appeal, used to group appeals.
tags: [fundraising]
# Only if this appeal collects money in another currency than the rest of the site (a code such as EUR).
# currency: EUR
# Only if the story is written in another language than the rest of the site (cy, pl, ur ...):
# its page, poster, badge and sharing image then use that language's words and dates.
# language: cy
# The amount raised over time: `raise` adds an entry each time you record a new total.
# updates:
#   - date: {today}
#     raised: 0
#     note: The appeal is launched.
---
{story} The first paragraph should say who the child is, what they
need and why.

Explain the treatment or equipment, what it costs, and what difference it will make.

End with how readers can help.
"""


def new_appeal(
    site_dir: Path, name: str, today: datetime.date, slug: str | None = None, first_name_only: bool = False,
    command: str = "python build.py",
) -> Path:
    """Write content/appeals/<slug>.md for a new appeal; never overwrites a file.

    The web address comes from the child's name ("Siân Łukasz" gives
    sian-lukasz), or from the first name only when the site publishes first
    names only: a surname in the address would give it away. ``command`` is
    how the user runs Totaliser, for the hint written in the story.
    """
    child = " ".join(name.split())
    if not child:
        raise UsageError('give the child\'s name, e.g. new "Amy Example"')
    if slug is not None:
        chosen = slugify(slug)
        if not chosen:
            raise UsageError(
                f'--slug "{slug}" has no Latin letters (a to z) or digits, which a web address is made of '
                "(use lowercase letters, digits and dashes, e.g. --slug amy-example)"
            )
    else:
        chosen = slugify(child.split()[0] if first_name_only else child)
        if not chosen:
            raise UsageError(
                f'"{name}" has no Latin letters (a to z) or digits to make a web address from: '
                f'give one with --slug, e.g. new "{name}" --slug the-name-in-latin-letters'
            )
    folder = site_dir / APPEALS_DIR
    path = folder / f"{chosen}.md"
    first_name = child.split()[0]
    text = TEMPLATE.format(
        child=_yaml_string(child),
        title=_yaml_string(f"Help {first_name}"),
        first_name=first_name,
        slug=chosen,
        command=command,
        today=today.isoformat(),
        donate_url=placeholders.DONATE_URL,
        story=placeholders.STORY,
        **placeholders.FIELDS,  # plain YAML as they are
        next_year=today.replace(year=today.year + 1, day=min(today.day, 28)).isoformat(),
    )
    try:  # the template must always read back as front matter; a name cannot break it
        split(text)
    except FrontMatterError as exc:  # pragma: no cover - guarded by quoting
        raise UsageError(f"cannot write a story for {name!r}: {exc.message}") from None
    folder.mkdir(parents=True, exist_ok=True)
    try:
        # "x" creates the file only if it does not exist: never overwrite a story.
        with path.open("x", encoding="utf-8", newline="\n") as out:
            out.write(text)
    except FileExistsError:
        raise UsageError(
            f"{display_path(path, site_dir)} already exists; nothing was changed "
            "(choose another web address with --slug)"
        ) from None
    return path


def _yaml_string(value: str) -> str:
    # A JSON string is a valid YAML double-quoted string: safe for any name,
    # apostrophes, colons and accents included.
    return json.dumps(value, ensure_ascii=False)
