"""site.yaml: read once into typed, frozen settings, every problem collected."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import colours as colour_rules
from . import fields
from .errors import Problems, UsageError
from .fields import FieldError
from .frontmatter import FrontMatterError, SourceFile, decode_utf8, parse_yaml

SITE_FILE = "site.yaml"

KNOWN_KEYS = (
    "title", "description", "base_url", "currency", "locale", "publisher",
    "charity", "cname", "privacy", "extra", "colours",
)
PRIVACY_SETTINGS = ("full", "first_name")


@dataclass(frozen=True)
class Publisher:
    name: str | None = None
    url: str | None = None
    logo: str | None = None


@dataclass(frozen=True)
class Charity:
    name: str | None = None
    number: str | None = None


@dataclass(frozen=True)
class Colours:
    """The site's own colours: its accent (header, links, the bar of an open
    appeal) and the donate button's."""

    accent: str = "#b00d27"
    donate: str = "#1a4f8b"

    @property
    def donate_hover(self) -> str:
        return colour_rules.darker(self.donate)

    @property
    def accent_dark(self) -> str:
        return colour_rules.darker(self.accent)


# Where each colour is used, and what it must stand out against there.
COLOUR_USES = {
    "accent": ((colour_rules.PAPER, "as link and heading text on the page background"),
               (colour_rules.WHITE, "behind the white text of the site's total")),
    "donate": ((colour_rules.WHITE, "behind the white text of the donate button"),),
}


@dataclass(frozen=True)
class SiteConfig:
    title: str
    base_url: str  # absolute, always ends with "/"
    currency: str = "GBP"
    locale: str = "en-GB"
    description: str | None = None
    publisher: Publisher = Publisher()
    charity: Charity = Charity()
    cname: str | None = None
    privacy: str = "full"
    colours: Colours = Colours()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def base_path(self) -> str:
        """The URL path the site is served under: "/" or "/appeals-site/"."""
        return urlsplit(self.base_url).path or "/"

    @property
    def language(self) -> str:
        return self.locale

    @property
    def first_name_only(self) -> bool:
        return self.privacy == "first_name"

    def absolute(self, path: str) -> str:
        """An absolute URL for a path inside the site ("appeals/x/")."""
        return self.base_url + path.lstrip("/")

    def link(self, path: str) -> str:
        """A link from any page to a path inside the site, starting with base_path."""
        return self.base_path + path.lstrip("/")


def fallback_config() -> SiteConfig:
    """Settings to check content with when site.yaml itself is broken, so that
    one run still reports every error in every file."""
    return SiteConfig(title="", base_url="https://example.invalid/")


def normalise_base_url(value: object) -> str:
    url = fields.web_url(value)
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise FieldError(f"{fields.quote(value)} must not have ? or # in it")
    return url if url.endswith("/") else url + "/"


def load_config(site_dir: Path, problems: Problems, base_url: str | None = None) -> SiteConfig | None:
    """Read site.yaml. Returns None (with problems recorded) when it is unusable."""
    path = site_dir / SITE_FILE
    shown = SITE_FILE
    if not path.is_file():
        problems.error(shown, 1, "", (
            "site.yaml is missing (every site needs one, with at least title and base_url: "
            "run this in the site's folder, or give --site FOLDER)"
        ))
        return None
    try:
        text = decode_utf8(path.read_bytes())
        data, lines = parse_yaml(text)
    except FrontMatterError as exc:
        problems.error(shown, exc.line, exc.field, exc.message)
        return None
    except OSError as exc:
        problems.error(shown, 1, "", f"cannot be read ({exc.strerror})")
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.error(shown, 1, "", "site.yaml must be settings written as `name: value`, one a line")
        return None
    source = SourceFile(data=data, lines=lines)
    start = len(problems.items)
    config = _read_settings(source, shown, problems, base_url)
    if config is not None:
        from .i18n import language_warning

        unknown = language_warning(config.locale, site_dir)
        if unknown:
            problems.warn(shown, source.line_of("locale"), "locale", unknown)
        config = _without_a_missing_logo(config, site_dir, source, shown, problems)
    problems.sort_lines_from(start)
    return config


# The theme's own files, published whatever the site's static/ holds (see outputs.static_files).
_THEME_FILES = ("static/css/", "static/js/", "static/fonts/", "static/images/favicon.svg")


def _without_a_missing_logo(config: SiteConfig, site_dir: Path, source: SourceFile, shown: str, problems: Problems) -> SiteConfig:
    """The settings without a logo whose file the site does not have: every
    page would show a broken picture where the site's name belongs. The name
    is shown instead, and a warning says so."""
    logo = config.publisher.logo
    if logo is None:
        return config
    relative = logo.lstrip("/")
    if relative.startswith(_THEME_FILES) or (relative.startswith("static/") and (site_dir / relative).is_file()):
        return config
    problems.warn(shown, source.line_of("publisher", "logo"), "publisher.logo", (
        f"{fields.quote(logo)} is not a file in the site's static/ folder, so pages show the site's name instead "
        "(put the logo there, or remove the line)"
    ))
    return replace(config, publisher=replace(config.publisher, logo=None))


def _read_settings(source: SourceFile, shown: str, problems: Problems, base_url_override: str | None) -> SiteConfig | None:
    data = source.data
    settings: dict[str, Any] = {}
    failed = False

    def check(key: str, checker: Any, required: bool = False, *args: Any) -> Any:
        nonlocal failed
        if key not in data or data[key] is None:
            if required:
                problems.error(shown, 1, key, f"missing (site.yaml needs a {key})")
                failed = True
            return None
        try:
            return checker(data[key], *args)
        except FieldError as exc:
            problems.error(shown, source.line_of(key), key, str(exc))
            failed = True
            return None

    settings["title"] = check("title", fields.text, True, "site's title")
    if base_url_override is not None:
        try:
            settings["base_url"] = normalise_base_url(base_url_override)
        except FieldError as exc:
            # A flag typed on the command line is bad usage, not bad content.
            raise UsageError(f"--base-url {exc}") from None
    else:
        settings["base_url"] = check("base_url", normalise_base_url, True)
    currency = check("currency", fields.currency_code)
    if currency:
        settings["currency"] = currency
    locale = check("locale", _locale)
    if locale:
        settings["locale"] = locale
    settings["description"] = check("description", fields.optional_text, False, "site's description")
    cname = check("cname", _hostname)
    settings["cname"] = cname
    if cname is not None:
        failed = _check_cname(cname, data.get("base_url"), source, shown, problems) or failed
    privacy = check("privacy", _privacy)
    if privacy:
        settings["privacy"] = privacy
    settings["publisher"] = _group(source, shown, problems, "publisher", ("name", "url", "logo"), Publisher) or Publisher()
    settings["charity"] = _group(source, shown, problems, "charity", ("name", "number"), Charity) or Charity()
    colours = _colours(source, shown, problems)
    if colours:
        settings["colours"] = colours
    logo = settings["publisher"].logo
    if logo is not None and not is_site_file_path(logo):
        # Every page loads the logo: it must not come from another host.
        problems.error(shown, source.line_of("publisher", "logo"), "publisher.logo",
                       f"{fields.quote(logo)} is not a file of the site (write a path such as static/images/logo.svg)")
        failed = True
    extra = data.get("extra")
    settings["extra"] = extra if isinstance(extra, dict) else {}
    for key in data:
        if key not in KNOWN_KEYS:
            problems.warn(shown, source.line_of(str(key)), str(key), unknown_field_message(str(key), KNOWN_KEYS))
    if failed or any(p.is_error and p.path == shown for p in problems.items):
        return None
    return SiteConfig(**{k: v for k, v in settings.items() if v is not None or k in ("description", "cname")})


def _colours(source: SourceFile, shown: str, problems: Problems) -> Colours | None:
    """``colours: {accent, donate}``, each checked for WCAG AA contrast where it is used."""
    value = source.data.get("colours")
    if value is None:
        return None
    names = tuple(COLOUR_USES)
    if not isinstance(value, dict):
        problems.error(shown, source.line_of("colours"), "colours", f"{fields.quote(value)} must be a set of fields: {', '.join(names)}")
        return None
    found: dict[str, str] = {}
    for sub, raw in value.items():
        name = str(sub)
        line = source.line_of("colours", sub)
        if name not in names:
            problems.warn(shown, line, f"colours.{name}", unknown_field_message(name, names))
            continue
        colour = colour_rules.parse_colour(raw)
        if raw is None:
            # An unquoted "#b00d27" is read by YAML as a note: the value is empty.
            problems.error(shown, line, f"colours.{name}", f'is empty (write the colour in quotes, such as {name}: "#b00d27")')
            continue
        if colour is None:
            problems.error(shown, line, f"colours.{name}", f"{fields.quote(raw)} is not a colour (write it as a hex code such as \"#b00d27\")")
            continue
        for ground, where in COLOUR_USES[name]:
            ratio = colour_rules.contrast(colour, ground)
            if ratio < colour_rules.AA_TEXT:
                problems.error(
                    shown, line, f"colours.{name}",
                    f"{fields.quote(raw)} is too pale {where}: contrast {ratio:.1f}:1, "
                    f"WCAG AA needs {colour_rules.AA_TEXT}:1 (choose a darker colour)",
                )
                break
        else:
            found[name] = colour
    return Colours(**found)


# Other spellings people use for the charity's registered number.
_CHARITY_NUMBER_KEYS = ("number", "registered_number", "registration_number", "registered", "charity_number")


def _group(source: SourceFile, shown: str, problems: Problems, key: str, names: tuple[str, ...], kind: Any) -> Any:
    value = source.data.get(key)
    if value is None:
        return None
    if isinstance(value, str) and key == "publisher":
        value = {"name": value}
    if not isinstance(value, dict):
        problems.error(shown, source.line_of(key), key, f"{fields.quote(value)} must be a set of fields: {', '.join(names)}")
        return None
    found: dict[str, str | None] = {}
    for sub, raw in value.items():
        sub_key = str(sub)
        if key == "charity" and sub_key in _CHARITY_NUMBER_KEYS:
            sub_key = "number"
        if sub_key not in names:
            problems.warn(shown, source.line_of(key, sub), f"{key}.{sub}", unknown_field_message(str(sub), names))
            continue
        if raw is None:
            continue
        if isinstance(raw, int) and not isinstance(raw, bool) and sub_key == "number":
            raw = str(raw)
        try:
            if sub_key == "url":
                found[sub_key] = fields.web_url(raw)
            elif sub_key == "logo":
                found[sub_key] = _site_path(raw, "logo")
            else:
                found[sub_key] = fields.text(raw, f"{key} {sub_key}")
        except FieldError as exc:
            problems.error(shown, source.line_of(key, sub), f"{key}.{sub}", str(exc))
    return kind(**found)


def _site_path(value: object, what: str) -> str:
    """A file of the site's own, such as static/images/logo.svg: pages load nothing from other hosts."""
    path = fields.text(value, f"path of the {what}")
    if "://" in path or path.startswith("//") or path.lower().startswith("data:"):
        raise FieldError(
            f"{fields.quote(value)} is a web address: put the {what} in static/images/ and write its path, "
            "e.g. static/images/logo.svg (pages load nothing from other sites)"
        )
    return path.lstrip("/")


def _locale(value: object) -> str:
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*", value.strip()):
        return value.strip().replace("_", "-")
    raise FieldError(f"{fields.quote(value)} is not a locale (use a language tag such as en-GB)")


def _hostname(value: object) -> str:
    if isinstance(value, str) and re.fullmatch(r"(?=.{1,253}$)([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}", value.strip()):
        return value.strip().lower()
    raise FieldError(f"{fields.quote(value)} is not a domain name (write it like appeals.example.co.uk)")


def _check_cname(cname: str, base_url: object, source: SourceFile, shown: str, problems: Problems) -> bool:
    """A CNAME file names the one host the site is served from; a base_url on
    another host (a fork's github.io address) means every link points elsewhere.
    Compared with site.yaml's base_url, not --base-url: a build for a preview
    address keeps its settings. True when they disagree (an error is recorded)."""
    try:
        host = urlsplit(normalise_base_url(base_url)).hostname or ""
    except FieldError:
        return False  # base_url's own error says what is wrong
    if host == cname:
        return False
    problems.error(shown, source.line_of("cname"), "cname", (
        f"{fields.quote(cname)} is not the host of base_url ({host}): a custom domain must be the address the "
        f"site is published at (set base_url: https://{cname}/, or delete the cname line: on GitHub Pages "
        "the custom domain is set in Settings → Pages)"
    ))
    return True


def _privacy(value: object) -> str:
    if value in PRIVACY_SETTINGS:
        return str(value)
    raise FieldError(f"{fields.quote(value)} is not a privacy setting (use first_name or full)")


def unknown_field_message(key: str, known: tuple[str, ...] | list[str]) -> str:
    """A warning for a field Totaliser does not know, naming the nearest one
    (as the SPEC asks, even when it is not near: "photographer" may have
    been meant as nothing Totaliser knows, but the editor sees the list's
    closest name, and that the field changes nothing)."""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.01)  # any letter in common
    hint = f" (did you mean `{close[0]}`?)" if close else ""
    return f"unknown field: ignored unless the site's templates use it{hint}"


def is_site_file_path(path: str) -> bool:
    """Whether a path names a file of the site as browsers read it.

    Browsers read "\\" as "/" and drop tabs and newlines, so "\\host/x.png"
    or "/\\host/x.png" would load a picture from another host on every page.
    """
    return not (
        re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", path)
        or path.startswith("//")
        or any(ch == "\\" or ord(ch) < 32 for ch in path)
        or ".." in path.split("/")
    )
