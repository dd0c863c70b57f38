"""`raise`: record a new total in a story, changing nothing else in the file.

Re-dumping YAML would lose comments, reorder keys and change quoting, so the
story's text is edited in place instead: ``yaml.compose`` gives the exact
position of every node, the ``raised`` value (or one source's value) is
replaced where it stands, and one entry is appended to ``updates`` in the style
the file already uses. Every other byte, CRLF line endings included, stays as
it was. The edited text is read back with the normal loader and compared with
what was intended before anything is written, and each file is replaced
atomically.

A new total is checked against the story before it is written: one lower
than the current total is refused unless the request says it is a
correction (``--lower``), since a lower figure is far more often an amount
meant to be added (``--add``) than a real fall; and the same total recorded
again for the same day (a form sent twice) adds no second timeline entry.

Many raises (``raise --csv``) are all or nothing: every row is applied and
checked in memory first, and no file is written unless all of them succeed.
"""

from __future__ import annotations

import contextvars
import csv
import datetime
import difflib
import json
import os
import tempfile
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .config import SiteConfig, load_config
from .content import APPEALS_DIR, load_appeal
from .errors import ContentErrors, Problems, UsageError, display_path
from .fields import FieldError, iso_date, quote
from .frontmatter import FENCE, FrontMatterError, decode_utf8, split
from .markup import StoryRenderer
from .money import AmountError, format_money, parse_amount

_LEADING_SYMBOLS = "£$€¥₹"
CSV_COLUMNS = ("slug", "amount", "date", "note", "source")


@dataclass(frozen=True)
class RaiseRequest:
    """One new total for one appeal; ``origin`` says where it came from in messages."""

    slug: str
    amount: Decimal
    date: datetime.date
    note: str | None = None
    source: str | None = None
    origin: str = "command line"
    origin_line: int = 1
    add: bool = False  # amount is added to the total (or to the source), not the new total
    lower: bool = False  # a total lower than the current one is a correction, not a mistake
    written: str | None = None  # the amount as typed: its symbol or code is checked against the appeal's currency


@dataclass(frozen=True)
class RaiseResult:
    path: str  # as shown to users: content/appeals/jacob.md
    old_total: Decimal
    new_total: Decimal
    target: Decimal
    currency: str
    dates: tuple[datetime.date, ...]
    already_recorded: tuple[datetime.date, ...] = ()

    def describe(self) -> str:
        if not self.dates:
            day = self.already_recorded[-1].isoformat()
            return (
                f"{self.path}: {format_money(self.new_total, self.currency)} is already recorded for {day}; "
                "nothing was changed."
            )
        line = (
            f"{self.path}: raised {format_money(self.old_total, self.currency)} → "
            f"{format_money(self.new_total, self.currency)}"
        )
        updates = len(self.dates)
        line += f" ({updates} update{'s' if updates != 1 else ''} added)"
        if self.new_total >= self.target > self.old_total:
            line += ". Target reached: set status: funded when the appeal is complete."
        return line


class EditError(ValueError):
    """The requested change cannot be made to this file; says why and which field.

    ``usage`` marks a request that does not fit the file (a missing --source,
    a date before the last update): on the command line that is bad usage.
    """

    def __init__(self, field_name: str, message: str, usage: bool = False, line: int = 1):
        super().__init__(message)
        self.field = field_name
        self.message = message
        self.usage = usage
        self.line = line


# The site's locale while its stories are edited: an amount already in a story
# may be written as that locale writes it ("25.000,00 €" in de-DE), read here
# as in a build.
_site_locale: contextvars.ContextVar[str | None] = contextvars.ContextVar("site_locale", default=None)


def _amount(value: object, currency: str | None = None) -> Decimal:
    return parse_amount(value, currency, _site_locale.get())


# ---------------------------------------------------------------------------
# Reading requests


def site_locale(site_dir: Path) -> str | None:
    """The site's locale, so that an amount may be typed as it writes them
    ("40.000,00 €" in de-DE); None when site.yaml has errors, which the
    raise itself then reports."""
    config = load_config(site_dir, Problems())
    return config.locale if config is not None else None


def request_from_arguments(
    slug: str, amount: str, date: str | None, note: str | None, source: str | None, today: datetime.date,
    add: bool = False, lower: bool = False, future: bool = False, locale: str | None = None,
) -> RaiseRequest:
    """A request from the command line; bad values are usage errors."""
    try:
        parsed_amount = parse_amount(amount, None, locale)
    except AmountError as exc:
        raise UsageError(f"AMOUNT {quote(amount)} {exc}") from None
    try:
        parsed_date = iso_date(date) if date is not None else today
    except FieldError as exc:
        raise UsageError(f"--date {exc}") from None
    if parsed_date > today and not future:
        raise UsageError(f"--date {future_date_message(parsed_date, today)}")
    return RaiseRequest(
        _clean_slug(slug), parsed_amount, parsed_date, _clean(note), _clean(source), add=add, lower=lower, written=amount,
    )


def future_date_message(date: datetime.date, today: datetime.date) -> str:
    # A mistyped year would otherwise stay in the timeline, and every real
    # date after it would be refused as "before the last update".
    return (
        f"{date.isoformat()} is in the future (today is {today.isoformat()}): check the year, "
        "or add --future if the total really is for that day"
    )


def requests_from_csv(
    csv_path: Path, today: datetime.date, shown: str, future: bool = False, locale: str | None = None
) -> tuple[list[RaiseRequest], Problems]:
    """Read a CSV of raises: the good rows, and a problem for each bad one
    naming the row (its line in the file) and the column. A missing file or
    header is a usage error."""
    try:
        text = csv_path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{csv_path} cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise UsageError(f"{csv_path} is not UTF-8 text (save the spreadsheet as CSV UTF-8)") from None
    lines = text.splitlines(keepends=True)
    separator = _separator(lines[0] if lines else "")
    reader = csv.reader(lines, delimiter=separator)
    header = next(reader, None)
    if header is None:
        raise UsageError(f"{csv_path} is empty (it needs a header row: {', '.join(CSV_COLUMNS)})")
    columns = [name.strip().lower() for name in header]
    unknown = [name for name in columns if name not in CSV_COLUMNS]
    if unknown or "slug" not in columns or "amount" not in columns:
        raise UsageError(
            f"{csv_path}: the header row must name the columns slug and amount, and may add date, note and source "
            f"(found {', '.join(columns) or 'nothing'})"
        )
    problems = Problems()
    requests: list[RaiseRequest] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        values = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(columns)}
        if len(row) > len(columns):
            problems.error(shown, line, "row", f"has {len(row)} cells but the header names {len(columns)} columns")
            continue
        if separator != "," and "," in values.get("amount", ""):
            problems.error(shown, line, "amount", (
                f"{quote(values['amount'])} has a comma, which in a file saved with semicolons is a decimal comma: "
                "write the amount without it (26500, or 26500.50 with pence)"
            ))
            continue
        request = _request_from_row(values, today, shown, line, problems, future, locale)
        if request is not None:
            requests.append(request)
    if not requests and not problems.errors:
        raise UsageError(f"{csv_path} has no rows to apply")
    return requests, problems


def _separator(header: str) -> str:
    """The CSV's separator, from its header row: spreadsheets in much of Europe
    save CSV with semicolons (the comma is their decimal point)."""
    counts = {separator: header.count(separator) for separator in (",", ";", "\t")}
    best = max(counts, key=lambda separator: counts[separator])
    return best if counts[best] else ","


def _request_from_row(
    values: dict[str, str], today: datetime.date, shown: str, line: int, problems: Problems, future: bool,
    locale: str | None = None,
) -> RaiseRequest | None:
    slug = _clean_slug(values.get("slug", ""))
    ok = True
    if not slug:
        problems.error(shown, line, "slug", "is empty (write the appeal's file name without .md)")
        ok = False
    amount = None
    try:
        amount = parse_amount(values.get("amount", ""), None, locale)
    except AmountError as exc:
        problems.error(shown, line, "amount", f"{quote(values.get('amount', ''))} {exc}")
        ok = False
    date = today
    if values.get("date"):
        try:
            date = iso_date(values["date"])
        except FieldError as exc:
            problems.error(shown, line, "date", str(exc))
            ok = False
        else:
            if date > today and not future:
                problems.error(shown, line, "date", future_date_message(date, today))
                ok = False
    if not ok or amount is None:
        return None
    return RaiseRequest(slug, amount, date, _clean(values.get("note")), _clean(values.get("source")), shown, line, written=values.get("amount"))


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def _clean_slug(value: str) -> str:
    # People paste the file name or its path; the slug is what they mean.
    name = value.strip().replace("\\", "/").rsplit("/", 1)[-1]
    return name.removesuffix(".md")


# ---------------------------------------------------------------------------
# Applying requests


def apply_raises(site_dir: Path, requests: list[RaiseRequest], earlier: Problems | None = None) -> list[RaiseResult]:
    """Apply every request, all or nothing, and return what changed.

    ``earlier`` holds problems already found (bad CSV rows): the remaining
    requests are still tried, so that one run reports every problem, but
    nothing is written. Raises UsageError for a command-line request that does
    not fit, and ContentErrors (naming the file, or the CSV row) for anything
    else; in both cases no file has been changed.
    """
    problems = Problems()
    if earlier is not None:
        problems.extend(earlier)
    config = load_config(site_dir, problems)
    if config is None:
        raise ContentErrors(problems)
    by_slug: dict[str, list[RaiseRequest]] = {}
    for request in _existing(site_dir, requests, problems):
        by_slug.setdefault(request.slug, []).append(request)

    edited: dict[Path, tuple[bytes, RaiseResult]] = {}
    token = _site_locale.set(config.locale)
    try:
        for slug, slug_requests in by_slug.items():
            path = site_dir / APPEALS_DIR / f"{slug}.md"
            outcome = _edit_file(path, site_dir, config, slug_requests, problems)
            if outcome is not None:
                edited[path] = outcome
    finally:
        _site_locale.reset(token)
    if problems.errors:
        raise ContentErrors(problems)
    _write_all({path: data for path, (data, result) in edited.items() if result.dates})
    return [result for _, result in edited.values()]


def _existing(site_dir: Path, requests: list[RaiseRequest], problems: Problems) -> list[RaiseRequest]:
    """The requests whose appeal exists; a problem (or a usage error) for each other one."""
    folder = site_dir / APPEALS_DIR
    known = sorted(p.stem for p in folder.glob("*.md")) if folder.is_dir() else []
    found = []
    for request in requests:
        if (folder / f"{request.slug}.md").is_file():
            found.append(request)
            continue
        # Typed on a phone: "Maisie" or "maisie jones" for maisie-jones.
        typed = "-".join(request.slug.lower().split())
        if typed in known:
            found.append(replace(request, slug=typed))
            continue
        close = difflib.get_close_matches(typed, known, n=1) or [slug for slug in known if slug.startswith(typed + "-")][:3]
        hint = f" (did you mean {' or '.join(close)}?)" if close else _every_appeal(known)
        message = f"{quote(request.slug)} is not an appeal: there is no {(APPEALS_DIR / (request.slug + '.md')).as_posix()}{hint}"
        if request.origin == "command line":
            raise UsageError(message)
        problems.error(request.origin, request.origin_line, "slug", message)
    return found


def _every_appeal(known: list[str]) -> str:
    if not known:
        return " (the site has no appeals yet)"
    if len(known) <= 12:
        return f" (the appeals are: {', '.join(known)})"
    return ""


def _edit_file(
    path: Path, site_dir: Path, config: SiteConfig, requests: list[RaiseRequest], problems: Problems
) -> tuple[bytes, RaiseResult] | None:
    shown = display_path(path, site_dir)
    renderer = StoryRenderer()
    before = Problems()
    original = load_appeal(path, site_dir, config, before, renderer)
    if before.errors or original is None:
        problems.items.extend(before.errors)
        where = _where(requests[0], shown)
        problems.error(*where, "raise", f"{shown} has errors (listed above); fix them before recording a new total")
        return None
    raw = path.read_bytes()
    bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
    text = decode_utf8(raw)
    last_date = original.updates[-1].date if original.updates else None
    applied: list[datetime.date] = []
    repeated: list[datetime.date] = []
    for request in requests:
        try:
            if last_date is not None and request.date < last_date:
                raise EditError("date", (
                    f"{request.date.isoformat()} is before the appeal's last update ({last_date.isoformat()}); "
                    "updates are listed oldest first"
                ), usage=True)
            _refuse_other_currency(request, original.currency)
            edited = _checked_edit(text, request, original.currency)
            if edited is None:
                repeated.append(request.date)
                continue
            text = edited
            applied.append(request.date)
            last_date = request.date
        except EditError as exc:
            if request.origin == "command line" and exc.usage:
                raise UsageError(f"{shown}: {'--' if exc.field == 'date' else ''}{exc.field}: {exc.message}") from None
            if request.origin == "command line":
                problems.error(shown, exc.line, exc.field, exc.message)
            else:
                problems.error(request.origin, request.origin_line, exc.field, f"{shown}: {exc.message}")
            return None
    if not applied:
        # Every request was already recorded: the file is left exactly as it was.
        return raw, RaiseResult(shown, original.raised, original.raised, original.target, original.currency, (), tuple(repeated))
    data = (bom + text).encode("utf-8")
    # The edited story goes through the normal loader, from memory, before it is written.
    after = Problems()
    changed = load_appeal(path, site_dir, config, after, renderer, raw=data)
    if after.errors or changed is None:
        problems.items.extend(after.errors)
        problems.error(*_where(requests[-1], shown), "raise", f"the change would break {shown} (see above), so no file was written")
        return None
    result = RaiseResult(
        path=shown,
        old_total=original.raised,
        new_total=changed.raised,
        target=changed.target,
        currency=changed.currency,
        dates=tuple(applied),
        already_recorded=tuple(repeated),
    )
    return data, result


def _checked_edit(text: str, request: RaiseRequest, currency: str) -> str | None:
    """The story's text with the request applied, or None when it would only
    repeat the last timeline entry. An --add becomes the total it makes; a
    lower total without --lower is refused."""
    story = split(text)
    if request.add:
        request = replace(request, amount=_current_amount(story.data, request) + request.amount, add=False)
    edited = edit_story(text, request)
    before, after = _total(story.data), _total(split(edited).data)
    last = _last_update(story.data)
    if after == before and last is not None and last[:2] == (request.date, after) and request.note in (None, last[2]):
        return None
    if after < before and not request.lower:
        fall = format_money(after, currency)
        raise EditError("raised", (
            f"the new total, {fall}, is lower than the total already recorded, {format_money(before, currency)}, "
            f"so nothing was changed. To add {format_money(request.amount, currency)} to the total, use --add; "
            "if the lower total is a correction, run the same command again with --lower"
        ), line=story.line_of("raised"))
    return edited


def _current_amount(data: dict[str, Any], request: RaiseRequest) -> Decimal:
    """What an --add adds to: the total, or the named source's amount."""
    raised = data.get("raised")
    if request.source is not None and isinstance(raised, dict):
        name = _source_name(raised, request.source)
        if name is not None:
            return _amount(raised[name])
    if isinstance(raised, dict):
        return _total(data)  # edit_story explains what is missing (--source, or the source's name)
    return _amount(raised)


def _total(data: dict[str, Any]) -> Decimal:
    raised = data.get("raised")
    if isinstance(raised, dict):
        return sum((_amount(value) for value in raised.values()), Decimal(0))
    return _amount(raised)


def _last_update(data: dict[str, Any]) -> tuple[datetime.date, Decimal, str] | None:
    updates = data.get("updates")
    if not isinstance(updates, list) or not updates or not isinstance(updates[-1], dict):
        return None
    last = updates[-1]
    try:
        return iso_date(last.get("date")), _amount(last.get("raised")), str(last.get("note") or "")
    except (FieldError, AmountError):
        return None


def _refuse_other_currency(request: RaiseRequest, currency: str) -> None:
    """"$26,000" for a pounds appeal is not £26,000: refused, not saved as pounds."""
    try:
        _amount(request.written if request.written is not None else request.amount, currency)
    except AmountError as exc:
        raise EditError("amount", f"{quote(request.written)} {exc}", usage=True) from None


def _where(request: RaiseRequest, shown: str) -> tuple[str, int]:
    """Where a problem with a request is reported: the story, or the CSV row it came from."""
    return (shown, 1) if request.origin == "command line" else (request.origin, request.origin_line)


def _write_all(files: dict[Path, bytes]) -> None:
    """Write every file through a temporary file in its own folder, then swap
    each in with os.replace: a reader never sees half a file."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            temp = Path(name)
            staged.append((temp, path))
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, path.stat().st_mode & 0o7777)
        for temp, path in staged:
            os.replace(temp, path)
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)


# ---------------------------------------------------------------------------
# Editing one story's text


def edit_story(text: str, request: RaiseRequest) -> str:
    """The story's text with the new total and one more update; nothing else changes."""
    start, end = _front_matter_span(text)
    yaml_text = text[start:end]
    edited = _edit_front_matter(yaml_text, request)
    result = text[:start] + edited + text[end:]
    _verify(text, result, request)
    return result


def _front_matter_span(text: str) -> tuple[int, int]:
    """Character offsets of the YAML between the two --- lines."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FENCE:
        raise EditError("front matter", "the file has no front matter")
    offset = len(lines[0])
    start = offset
    for line in lines[1:]:
        if line.rstrip() in (FENCE, "..."):
            return start, offset
        offset += len(line)
    raise EditError("front matter", "the front matter is never closed")


def _newline(text: str) -> str:
    first_break = text.find("\n")
    return "\r\n" if first_break > 0 and text[first_break - 1] == "\r" else "\n"


def _edit_front_matter(yaml_text: str, request: RaiseRequest) -> str:
    try:
        root = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:  # the story was loaded cleanly first, so this is rare
        raise EditError("front matter", f"cannot be read ({exc})") from None
    if not isinstance(root, yaml.MappingNode):
        raise EditError("front matter", "must be fields written as `name: value`")
    nl = _newline(yaml_text) if "\n" in yaml_text else "\n"
    raised_key, raised_node = _top_level(root, "raised")
    if raised_node is None or raised_key is None:
        raise EditError("raised", "missing")
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), applied from the end
    new_total = _raised_edit(yaml_text, raised_key, raised_node, request, edits)
    edits.append(_updates_edit(yaml_text, root, request, new_total, nl))
    result = yaml_text
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        result = result[:start] + replacement + result[end:]
    return result


def _top_level(root: yaml.MappingNode, name: str) -> tuple[yaml.Node | None, yaml.Node | None]:
    found: tuple[yaml.Node | None, yaml.Node | None] = (None, None)
    for key_node, value_node in root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == name:
            found = (key_node, value_node)  # the last one wins, as in the loader
    return found


def _raised_edit(
    text: str, key: yaml.Node, node: yaml.Node, request: RaiseRequest, edits: list[tuple[int, int, str]]
) -> Decimal:
    """Add the replacement of the raised value (or one source's value) to edits; return the new total."""
    _refuse_alias(key, node, "raised")
    if isinstance(node, yaml.ScalarNode):
        if request.source is not None:
            raise EditError("raised", f"is one amount, not a list of sources, so --source {quote(request.source)} does not apply (leave it out)", usage=True, line=_line(key))
        edits.append((node.start_mark.index, node.end_mark.index, _amount_like(text, node, request.amount)))
        return request.amount
    if not isinstance(node, yaml.MappingNode):
        raise EditError("raised", "is not an amount or a list of sources")
    labels = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
    if request.source is None:
        how = "say which one changed with --source NAME" if request.origin == "command line" else "fill in the source column with the one that changed"
        raise EditError("raised", f"lists sources ({', '.join(labels)}): {how}", usage=True, line=_line(key))
    match = _find_source(node, request.source)
    if match is None:
        raise EditError("raised", f"has no source named {quote(request.source)} (its sources: {', '.join(labels)}; add a new one to the file by hand)", usage=True, line=_line(key))
    source_key, source_value = match
    _refuse_alias(source_key, source_value, f"raised.{source_key.value}")
    if not isinstance(source_value, yaml.ScalarNode):
        raise EditError(f"raised.{source_key.value}", "is not an amount")
    edits.append((source_value.start_mark.index, source_value.end_mark.index, _amount_like(text, source_value, request.amount)))
    total = request.amount
    for other_key, other_value in node.value:
        if other_key is source_key:
            continue
        try:
            total += _amount(yaml.safe_load(text[other_value.start_mark.index:other_value.end_mark.index]) if isinstance(other_value, yaml.ScalarNode) else None)
        except AmountError:
            raise EditError(f"raised.{other_key.value}", "is not an amount") from None
    return total


def _line(node: yaml.Node) -> int:
    # Marks count from the first line of the YAML, which is line 2 of the file.
    return int(node.start_mark.line) + 2


def _find_source(node: yaml.MappingNode, wanted: str) -> tuple[yaml.Node, yaml.Node] | None:
    pairs = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]
    for key, value in pairs:
        if key.value == wanted:
            return key, value
    # "justgiving" or "collection  tins" mean the same source; accept them when unambiguous.
    folded = " ".join(wanted.split()).casefold()
    close = [(k, v) for k, v in pairs if " ".join(str(k.value).split()).casefold() == folded]
    return close[0] if len(close) == 1 else None


def _refuse_alias(key: yaml.Node, value: yaml.Node, name: str) -> None:
    # An alias (*name) resolves to a node written elsewhere; editing that would
    # change another field too.
    if value.start_mark.index < key.end_mark.index:
        raise EditError(name, "is written as a YAML alias; write the amount itself, then run raise again")


def _amount_like(text: str, node: yaml.ScalarNode, amount: Decimal) -> str:
    """The new amount written the way the old one was: same quotes, symbol and commas."""
    written = text[node.start_mark.index:node.end_mark.index]
    style = node.style if node.style in ("'", '"') else ""
    if node.style in ("|", ">") or "\n" in written:
        raise EditError("raised", "is written over several lines; write it on one line, then run raise again")
    inner = node.value.strip()
    local = _locale_style(inner, amount)
    if local is not None:
        return f"{style or chr(34)}{local}{style or chr(34)}"
    symbol = inner[0] if inner[:1] and inner[0] in _LEADING_SYMBOLS else ""
    commas = "," in inner
    pence = "." in inner  # "2361.45" stays in pence: "2500.00"
    if amount == amount.to_integral_value() and not pence:
        number = f"{int(amount):,}" if commas else str(int(amount))
    else:
        number = f"{amount:,.2f}" if commas else f"{amount:.2f}"
    value = symbol + number
    if not style and not symbol and not commas and "." in number:
        # A plain 3212.50 reads as a float; exact either way, but quoting keeps the pence.
        return f'"{value}"'
    return f"{style}{value}{style}"


def _locale_style(inner: str, amount: Decimal) -> str | None:
    """The new amount as the site's locale writes it ("25.500,00 €"), when the
    old one was written that way (and not in a way English reads too)."""
    locale = _site_locale.get()
    if locale is None:
        return None
    try:
        parse_amount(inner)
        return None  # English reads it: the English style is kept
    except AmountError:
        pass
    try:
        parse_amount(inner, None, locale)
    except AmountError:
        return None
    from babel.numbers import format_decimal

    digits = "".join(ch for ch in inner if ch.isdigit() or not ch.isalnum() and ch not in "€£$¥₹ ")
    suffix = inner[len(inner.rstrip("€£$¥₹zł ")):]  # " €" after the number stays after it
    prefix = inner[: len(inner) - len(inner.lstrip("€£$¥₹"))]
    decimals = amount != amount.to_integral_value() or any(not ch.isdigit() for ch in digits[-3:])
    number = format_decimal(amount, format="#,##0.00" if decimals else "#,##0", locale=locale.replace("-", "_"))
    return f"{prefix}{number}{suffix}"


def _updates_edit(text: str, root: yaml.MappingNode, request: RaiseRequest, total: Decimal, nl: str) -> tuple[int, int, str]:
    key, node = _top_level(root, "updates")
    entry = _entry_fields(request, total)
    if key is None or node is None:
        indent = _sequence_indent(root)
        return len(text), len(text), "updates:" + nl + _block_entry(entry, indent, indent + 2, nl)
    _refuse_alias(key, node, "updates")
    if isinstance(node, yaml.ScalarNode):
        if node.tag != "tag:yaml.org,2002:null":
            raise EditError("updates", "must be a list of updates")
        return _replace_null(text, node, entry, _sequence_indent(root), nl)
    if not isinstance(node, yaml.SequenceNode):
        raise EditError("updates", "must be a list of updates")
    if node.flow_style:
        close = node.end_mark.index - 1
        if text[close] != "]":
            raise EditError("updates", "is written in a way raise cannot extend; add the update by hand")
        separator = ", " if node.value else ""
        return close, close, separator + _flow_entry(entry)
    items = node.value
    last = items[-1]
    insert_at = _end_of_line(text, _last_leaf(last).end_mark.index)
    dash_column = node.start_mark.column
    if isinstance(last, yaml.MappingNode) and last.flow_style:
        return insert_at, insert_at, " " * dash_column + "- " + _flow_entry(entry) + nl
    key_column = items[0].start_mark.column if isinstance(items[0], yaml.MappingNode) else dash_column + 2
    order = _key_order(last)
    if order:
        entry = {name: entry[name] for name in order if name in entry} | entry
    block = _block_entry(entry, dash_column, key_column, nl)
    if insert_at == len(text) and text and not text.endswith("\n"):
        block = nl + block
    return insert_at, insert_at, block


def _replace_null(text: str, node: yaml.ScalarNode, entry: dict[str, str], indent: int, nl: str) -> tuple[int, int, str]:
    """`updates:` with nothing (or ~) after it: the list goes on the lines below.
    An explicit ~ or null is dropped; a comment after it stays on its line."""
    insert_at = _end_of_line(text, node.end_mark.index)
    rest_of_line = text[node.end_mark.index:insert_at].rstrip("\r\n")
    return node.start_mark.index, insert_at, rest_of_line + nl + _block_entry(entry, indent, indent + 2, nl)


def _entry_fields(request: RaiseRequest, total: Decimal) -> dict[str, str]:
    entry = {"date": request.date.isoformat(), "raised": _plain_amount(total)}
    if request.note:
        entry["note"] = _yaml_text(request.note)
    return entry


def _plain_amount(amount: Decimal) -> str:
    if amount == amount.to_integral_value():
        return str(int(amount))
    return f'"{amount:.2f}"'


def _yaml_text(value: str) -> str:
    """Text as a YAML scalar: plain when it reads back unchanged, else double-quoted."""
    try:
        plain_ok = yaml.safe_load(f"k: {value}") == {"k": value} and not value.startswith(("'", '"', "{", "[", "&", "*", "!", "|", ">", "%", "@", "`"))
    except yaml.YAMLError:
        plain_ok = False
    if plain_ok and "#" not in value and ": " not in value:
        return value
    return json.dumps(value, ensure_ascii=False)


def _block_entry(entry: dict[str, str], dash_column: int, key_column: int, nl: str) -> str:
    lines = []
    for index, (name, value) in enumerate(entry.items()):
        lead = " " * dash_column + "- " + " " * max(key_column - dash_column - 2, 0) if index == 0 else " " * key_column
        lines.append(f"{lead}{name}: {value}{nl}")
    return "".join(lines)


def _flow_entry(entry: dict[str, str]) -> str:
    return "{" + ", ".join(f"{name}: {value}" for name, value in entry.items()) + "}"


def _key_order(node: yaml.Node) -> list[str]:
    if not isinstance(node, yaml.MappingNode):
        return []
    return [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]


def _sequence_indent(root: yaml.MappingNode) -> int:
    """The indentation of the dashes in the file's other lists (2 when there are none)."""
    for _, value in root.value:
        if isinstance(value, yaml.SequenceNode) and not value.flow_style:
            return int(value.start_mark.column)
    return 2


def _last_leaf(node: yaml.Node) -> yaml.Node:
    # A block collection's end mark runs on to the next field, over comments and
    # blank lines; its last scalar (or flow collection) ends where its text ends.
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node


def _end_of_line(text: str, index: int) -> int:
    """The start of the line after ``index`` (or index itself when it starts a line)."""
    if index == 0 or text[index - 1] == "\n":
        return index
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


def _verify(before: str, after: str, request: RaiseRequest) -> None:
    """Read both versions back and check only raised and updates changed, as intended."""
    try:
        old, new = split(before), split(after)
    except FrontMatterError as exc:
        raise EditError("front matter", f"the edit would break the file ({exc.message})") from None
    old_data, new_data = dict(old.data), dict(new.data)
    for name in set(old_data) | set(new_data):
        if name not in ("raised", "updates") and old_data.get(name) != new_data.get(name):
            raise EditError(name, "would change; raise cannot edit this file safely (please edit it by hand)")
    if old.body != new.body:
        raise EditError("body", "would change; raise cannot edit this file safely (please edit it by hand)")
    raised = new_data.get("raised")
    if request.source is None:
        ok = _amount_or_none(raised) == request.amount
    else:
        old_raised = old_data.get("raised")
        ok = isinstance(raised, dict) and isinstance(old_raised, dict) and list(raised) == list(old_raised)
        if ok and isinstance(raised, dict) and isinstance(old_raised, dict):
            changed = _source_name(old_raised, request.source)
            ok = changed is not None and _amount_or_none(raised.get(changed)) == request.amount
            ok = ok and all(raised[k] == old_raised[k] for k in old_raised if k != changed)
    old_updates = old_data.get("updates") or []
    new_updates = new_data.get("updates") or []
    appended = new_updates[-1] if isinstance(new_updates, list) and new_updates else None
    ok = ok and isinstance(new_updates, list) and new_updates[:-1] == old_updates and isinstance(appended, dict)
    ok = ok and appended is not None and iso_date(appended.get("date")) == request.date and appended.get("note", None) == request.note
    if not ok:
        raise EditError("raised", "could not be changed safely in this file (please edit it by hand)")


def _source_name(sources: dict[Any, Any], wanted: str) -> Any:
    if wanted in sources:
        return wanted
    folded = " ".join(wanted.split()).casefold()
    close = [k for k in sources if isinstance(k, str) and " ".join(k.split()).casefold() == folded]
    return close[0] if len(close) == 1 else None


def _amount_or_none(value: object) -> Decimal | None:
    try:
        return _amount(value)
    except AmountError:
        return None
