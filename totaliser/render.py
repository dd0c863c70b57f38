"""The Jinja environment: template search order, filters and globals.

A site's own ``templates/`` folder is searched first, then the built-in theme,
so a site overrides any template by name; ``default/NAME`` always reaches the
built-in one, so an override can extend the template it replaces.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re
import unicodedata
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import reads
from .config import SiteConfig
from .markup import smart_text
from .money import json_number

THEME_DIR = Path(__file__).resolve().parent.parent


def theme_folder(name: str) -> Path:
    """The built-in theme's ``templates`` or ``static`` folder.

    From a source checkout these are the repository's own folders; an
    installed package carries copies under ``totaliser/theme/``.
    """
    installed = Path(__file__).resolve().parent / "theme" / name
    if installed.is_dir():
        return installed
    return THEME_DIR / name


def make_environment(site_dir: Path, config: SiteConfig) -> jinja2.Environment:
    default_loader = jinja2.FileSystemLoader(str(theme_folder("templates")))
    loaders: list[jinja2.BaseLoader] = []
    site_templates = site_dir / "templates"
    if site_templates.is_dir() and site_templates.resolve() != theme_folder("templates").resolve():
        loaders.append(jinja2.FileSystemLoader(str(site_templates)))
    loaders.append(default_loader)
    loaders.append(jinja2.PrefixLoader({"default": default_loader}))
    env = RecordingEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    install_speech(env)
    env.filters["smart"] = smart_text
    env.filters["isolated"] = isolated
    env.filters["json_ld"] = json_ld
    env.filters["link"] = config.link
    env.filters["absolute"] = config.absolute
    env.globals["site"] = config
    env.globals["colour_style"], env.globals["colour_style_hash"] = colour_style(config)
    # A function, so that the logo is read (and recorded) by the outputs that show it.
    env.globals["logo_width"] = partial(logo_width, site_dir / config.publisher.logo) if config.publisher.logo else lambda: None
    return env


def install_speech(env: jinja2.Environment) -> None:
    """Words and formats in the language of the output being made: every
    render is given a ``speech`` (totaliser/i18n.py), which the theme's
    ``{% trans %}``, ``_()`` and ``ngettext`` and the money and date filters
    use. One environment serves every language (an appeal may be in another
    language than its site): the language is the render's, not the environment's."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True,
    )
    env.filters["money"] = _money
    env.filters["money_short"] = _money_short
    env.filters["long_date"] = _long_date
    env.filters["number"] = _number
    env.filters["percent"] = _percent


# Each a function of the render's context (so Jinja never works one out once,
# as it compiles, for every language).
@jinja2.pass_context
def _gettext(context: Any, message: str) -> str:
    return str(context["speech"].gettext(message))


@jinja2.pass_context
def _ngettext(context: Any, singular: str, plural: str, count: int) -> str:
    return str(context["speech"].ngettext(singular, plural, count))


@jinja2.pass_context
def _money(context: Any, amount: Decimal, currency: str) -> str:
    return str(context["speech"].money(amount, currency))


@jinja2.pass_context
def _money_short(context: Any, amount: Decimal, currency: str) -> str:
    return str(context["speech"].money_short(amount, currency))


@jinja2.pass_context
def _long_date(context: Any, value: datetime.date | None) -> str:
    return str(context["speech"].date(value))


@jinja2.pass_context
def _number(context: Any, value: int) -> str:
    return str(context["speech"].number(value))


@jinja2.pass_context
def _percent(context: Any, value: int) -> str:
    return str(context["speech"].percent(value))


class RecordingEnvironment(jinja2.Environment):
    """Records every template an output loads (``extends`` and ``include``
    come through here too), so that the build knows which outputs a changed
    template affects."""

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> jinja2.Template:
        if isinstance(name, str):
            reads.template(self.join_path(name, parent) if parent is not None else name)
        return super().get_template(name, parent, globals)

    def select_template(self, names: Any, parent: str | None = None, globals: Any = None) -> jinja2.Template:
        for name in names:  # every one tried counts: one that appears later is chosen instead
            if isinstance(name, str):
                reads.template(self.join_path(name, parent) if parent is not None else name)
        return super().select_template(names, parent, globals)


LOGO_HEIGHT = 40  # the logo's height in the header, in CSS pixels
_SVG_SIZE = re.compile(r'<svg\b[^>]*?\bviewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"', re.S)


def logo_width(path: Path) -> int | None:
    """The logo's width when drawn LOGO_HEIGHT high, for its <img> (so the
    header does not shift as it loads); None when it cannot be told."""
    try:
        head = reads.file_bytes(path)[:4096]
    except OSError:
        return None
    match = _SVG_SIZE.search(head.decode("utf-8", "replace"))
    if match:
        width, height = float(match.group(1)), float(match.group(2))
    else:
        try:
            from PIL import Image

            with Image.open(reads.file_path(path)) as image:
                width, height = image.size
        except (OSError, ValueError, ImportError):
            return None
    return round(LOGO_HEIGHT * width / height) if width > 0 and height > 0 else None


def colour_style(config: SiteConfig) -> tuple[Markup, Markup]:
    """The site's colours as CSS custom properties, for a <style> element, and
    its hash for the pages' Content-Security-Policy (which allows no other
    inline style): the stylesheets stay the same files for every site."""
    c = config.colours
    css = (
        f":root{{--accent:{c.accent};--accent-dark:{c.accent_dark};"
        f"--donate:{c.donate};--donate-dark:{c.donate_hover}}}"
    )
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return Markup(css), Markup(f"'sha256-{digest}'")  # base64 and quotes: nothing to escape


def isolated(name: str) -> str | Markup:
    """A name written right to left (Arabic, Hebrew, Urdu) set apart, in
    <bdi>, from the sentence around it: "Scan to give to محمد’s appeal"
    otherwise runs its parts in the wrong order. Other names are as they are."""
    if any(unicodedata.bidirectional(char) in ("R", "AL") for char in name):
        return Markup("<bdi>{}</bdi>").format(name)
    return name


def json_ld(data: Any) -> Markup:
    """JSON for a <script type="application/ld+json"> block.

    "<" is escaped so that no text in the data can close the script element.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, default=_json_default, indent=None)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return json_number(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
