"""The reader's language (issue 17): the example site built under cy-GB,
de-DE (in euros) and ur-PK has no English word of the theme left on any page,
writes money, numbers and dates as CLDR does, and sets lang and dir; an
appeal in another language than its site speaks its own; a site overrides a
word in its own catalogue; the catalogues are up to date with the theme."""

from __future__ import annotations

import datetime
import html
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.conftest import ROOT, copy_example_site
from totaliser import i18n
from totaliser.markup import smart_text
from totaliser.money import AmountError, parse_amount
from totaliser.site import BuildOptions, build, load_site

LOCALES = ROOT / "locales"
SHIPPED = ("en", "cy", "pl", "ga", "ur", "es")
COMPLETE = ("cy",)  # besides English, whose words are the msgids


# ---- Formats -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "amount", "currency", "money", "day"),
    [
        ("en-GB", "36000", "GBP", "£36,000", "14 October 2027"),
        ("en-GB", "1500.5", "GBP", "£1,500.50", "14 October 2027"),
        ("cy-GB", "36000", "GBP", "£36,000", "14 Hydref 2027"),
        ("de-DE", "36000", "EUR", "36.000\u00a0€", "14. Oktober 2027"),
        ("de-DE", "36000.5", "EUR", "36.000,50\u00a0€", "14. Oktober 2027"),
        ("pl-PL", "36000", "PLN", "36\u00a0000\u00a0zł", "14 października 2027"),
        ("ga-IE", "36000", "EUR", "€36,000", "14 Deireadh Fómhair 2027"),
    ],
)
def test_money_and_dates_are_written_as_cldr_writes_them(tag: str, amount: str, currency: str, money: str, day: str) -> None:
    speech = i18n.speech(tag)
    assert speech.money(Decimal(amount), currency) == money
    assert speech.date(datetime.date(2027, 10, 14)) == day


def test_percentages_follow_the_locale() -> None:
    assert i18n.speech("en-GB").percent(69) == "69%"
    assert i18n.speech("de-DE").percent(69) == "69\u00a0%"


def test_right_to_left_languages_say_so() -> None:
    assert i18n.speech("ur-PK").dir == "rtl"
    assert i18n.speech("cy-GB").dir == "ltr"


def test_a_right_to_left_name_is_set_apart_in_an_english_sentence(make_site, tmp_path: Path) -> None:
    """"Scan to give to محمد’s appeal": without <bdi> the browser runs the
    name's end and the English after it in the wrong order. A Latin name is
    left as it is."""
    from tests.test_build import appeal

    site = make_site({
        "content/appeals/mo.md": appeal(child="محمد عبد الرحمن", extra="donate_url: https://give.example/mo"),
        "content/appeals/amy.md": appeal(child="Amy Example", extra="donate_url: https://give.example/amy"),
    })
    build(BuildOptions(site_dir=site, output_dir=tmp_path / "out"))
    poster = (tmp_path / "out/appeals/mo/poster/index.html").read_text(encoding="utf-8")
    assert "Scan to give to <bdi>محمد عبد الرحمن</bdi>’s appeal" in poster
    assert "Scan to give to Amy Example’s appeal" in (tmp_path / "out/appeals/amy/poster/index.html").read_text(encoding="utf-8")


def test_a_speech_is_made_once_per_language() -> None:
    assert i18n.speech("cy-GB") is i18n.speech("cy-GB")


def test_an_unknown_language_speaks_english_with_a_warning() -> None:
    assert i18n.language_warning("fr-FR") is not None  # CLDR knows it; the theme has no French words
    assert i18n.language_warning("xx-YY") is not None
    assert i18n.language_warning("cy-GB") is None
    assert i18n.language_warning("en-US") is None
    french = i18n.speech("fr-FR")
    assert french.gettext("All appeals") == "All appeals"
    assert french.date(datetime.date(2027, 10, 14)) == "14 octobre 2027"


@pytest.mark.parametrize(
    ("written", "currency", "locale", "amount"),
    [
        ("36.000,50 €", "EUR", "de-DE", "36000.5"),
        ("36.000,00", "EUR", "de-DE", "36000"),
        ("1.234.567", "EUR", "de-DE", "1234567"),
        ("36000.50", "EUR", "de-DE", "36000.5"),  # not the locale's grouping: only the English reading is an amount
        ("36,5", "EUR", "de-DE", "36.5"),
        ("36 000,50 zł", "PLN", "pl-PL", "36000.5"),
        ("36\u00a0000", "PLN", "pl-PL", "36000"),
        ("£36,000", "GBP", "en-GB", "36000"),
        ("36,000", "GBP", "cy-GB", "36000"),
    ],
)
def test_an_amount_may_be_written_as_the_locale_writes_it(written: str, currency: str, locale: str, amount: str) -> None:
    assert parse_amount(written, currency, locale) == Decimal(amount)


@pytest.mark.parametrize(("written", "amount"), [("36.000", "36000"), ("36,000", "36000"), ("€1,500", "1500"), ("1.250,5", "1250.5")])
def test_money_has_two_decimals_at_most_so_a_reading_with_three_is_not_meant(written: str, amount: str) -> None:
    # "36,000" is the SPEC's own example of an amount: 36000 on a German site
    # too, where read the German way it would be 36 with three decimals.
    assert parse_amount(written, "EUR", "de-DE") == Decimal(amount)


def test_english_rules_are_unchanged() -> None:
    with pytest.raises(AmountError):
        parse_amount("36.000,50", "GBP", "en-GB")
    with pytest.raises(AmountError, match="written in €"):
        parse_amount("€25,000", "GBP", "de-DE")


def test_a_german_site_reads_the_spec_s_amounts_and_its_own(make_site, tmp_path) -> None:
    from tests.conftest import MINIMAL_SITE_YAML, run_cli

    site = make_site(
        {"content/appeals/amy.md": '---\nchild: Amy\ncondition: a cough\ntarget: "36,000"\nraised: "3.000"\nhospital: X\ndate: 2026-05-01\n---\nStory.\n'},
        site_yaml=MINIMAL_SITE_YAML.replace("locale: en-GB", "locale: de-DE").replace("currency: GBP", "currency: EUR"),
    )
    result = run_cli("build", "--site", str(site), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    found = json.loads((tmp_path / "out/appeals.json").read_text(encoding="utf-8"))["appeals"][0]
    assert (found["target"], found["raised"]) == (36000, 3000)


# ---- The catalogues ------------------------------------------------------------------------------


def _catalogue(language: str):
    with open(LOCALES / language / "LC_MESSAGES" / "totaliser.po", "rb") as file:
        return read_po(file)


def _template():
    with open(LOCALES / "totaliser.pot", "rb") as file:
        return read_po(file)


def _ids(catalogue) -> set[str]:
    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue if m.id}


def test_the_template_holds_every_word_the_theme_writes() -> None:
    """locales/totaliser.pot is what `make messages` extracts now (run it after changing a word)."""
    found: set[str] = set()
    method_map = [("totaliser/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "True", "newstyle_gettext": "True",
                                     "trim_blocks": "True", "lstrip_blocks": "True"}}
    keywords = {"N_": None, "gettext": None, "ngettext": (1, 2), "_": None}
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options, keywords=keywords):
        found.add(message[0] if isinstance(message, tuple) else message)
    assert found == _ids(_template()), "run `make messages`"


@pytest.mark.parametrize("language", SHIPPED)
def test_each_catalogue_has_every_word_with_the_same_placeholders(language: str) -> None:
    catalogue = _catalogue(language)
    assert _ids(catalogue) == _ids(_template()), "run `make messages`"
    for message in catalogue:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\((\w+)\)s", ids[-1]))
        for string in strings:
            assert set(re.findall(r"%\((\w+)\)s", string)) <= wanted | {"num"}, (language, message.id, string)
            assert re.sub(r"%\(\w+\)s|%%", "", string).count("%") == 0, (language, message.id, string)


@pytest.mark.parametrize("language", COMPLETE)
def test_welsh_is_complete(language: str) -> None:
    catalogue = _catalogue(language)
    missing = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy or (isinstance(m.string, tuple) and not all(m.string)))]
    assert not missing


def test_plural_forms_are_the_languages_own() -> None:
    assert _catalogue("cy").num_plurals == 6
    assert _catalogue("pl").num_plurals == 3
    assert _catalogue("ga").num_plurals == 5


# ---- The example site in other languages ----------------------------------------------------------


class _Text(HTMLParser):
    """The text a reader sees or hears: text nodes (the story's own left out)
    and the attributes a screen reader reads."""

    SKIP = {"script", "style", "textarea"}
    CONTENT = {"story"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = set((found.get("class") or "").split())
        void = tag in {"meta", "link", "img", "br", "input", "source", "hr"}
        if not void:
            self.stack.append((tag, tag in self.SKIP or bool(classes & self.CONTENT)))
        if not self._skipping():
            for name in ("aria-label", "aria-valuetext", "title", "alt", "data-today", "data-past"):
                if found.get(name):
                    self.parts.append(found[name] or "")
            self.parts += [value or "" for name, value in attrs if name.startswith("data-days-")]

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def content_strings(site: Path) -> list[str]:
    """Every text a writer gave the site (as pages show it): left out before
    looking for the theme's English."""
    loaded = load_site(site)
    config = loaded.config
    found = [config.title, config.description or "", config.publisher.name or "", config.charity.name or ""]
    for appeal in loaded.content.appeals:
        found += [appeal.title, appeal.child, appeal.condition, appeal.hospital, appeal.summary, appeal.location or "",
                  appeal.organiser or "", appeal.image_alt or "", *appeal.tags]
        found += [d.label for d in appeal.donate] + [m.label for m in appeal.milestones]
        # Links as the poster's QR code names them ("www.justgiving.com/the-dcf-appeal-jacob").
        urls = [d.url for d in appeal.donate] + [config.absolute(appeal.url_path)]
        found += [url.split("://", 1)[-1].rstrip("/") for url in urls]
        found += [s.label for s in appeal.sources] + [u.note for u in appeal.updates]
    for page in loaded.content.pages:
        found += [page.title, page.summary or ""]
    from totaliser.outputs.embed import one_line

    found = [t for t in found if t]
    # Summaries and titles as the embed and the poster shorten them.
    found += [one_line(t, limit) for t in found for limit in (70, 110, 200, 320)]
    texts = set(found) | {smart_text(t) for t in found}
    return sorted(texts, key=len, reverse=True)


def english_fragments(language: str) -> list[str]:
    """The theme's English, in pieces between its placeholders, that a page in
    ``language`` must not show: words the translation keeps as they are
    ("Data (JSON)" in Welsh) are left out."""
    catalogue = _catalogue(language)
    fragments: set[str] = set()
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated = " ".join(strings)
        for msgid in ids:
            for piece in re.split(r"%\(\w+\)s", msgid):
                piece = piece.strip(" .:·()+←→✓–,!")
                words = re.findall(r"[A-Za-z]{3,}", piece)
                if (len(words) > 1 or words and len(words[0]) > 3) and piece not in translated:
                    fragments.add(piece)
    return sorted(fragments, key=len, reverse=True)


def _amounts_in_german(text: str, symbol: str) -> str:
    """The example's amounts written as a German writer would ("25.000,00")."""

    def german(match: re.Match[str]) -> str:
        digits = match.group(2).replace(",", ".")
        fraction = match.group(3)[1:] if match.group(3) else "00"
        written = f" {symbol}" if match.group(1) else ""
        return f'"{digits},{fraction.ljust(2, "0")}{written}"'

    return re.sub(r'"(£)?([0-9]{1,3}(?:,[0-9]{3})+)(\.[0-9]+)?"', german, text)


LOCALE_SITES = {
    "cy-GB": ("GBP", "cy"),
    "de-DE": ("EUR", None),
    "ur-PK": ("GBP", "ur"),
}


@pytest.fixture(scope="module", params=sorted(LOCALE_SITES))
def locale_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    tag = request.param
    currency, _ = LOCALE_SITES[tag]
    site = copy_example_site(tmp_path_factory.mktemp(f"site-{tag}"))
    settings = (site / "site.yaml").read_text(encoding="utf-8")
    settings = settings.replace("locale: en-GB", f"locale: {tag}").replace("currency: GBP", f"currency: {currency}")
    (site / "site.yaml").write_text(settings, encoding="utf-8")
    if currency == "EUR":
        for story in (site / "content" / "appeals").glob("*.md"):
            text = story.read_text(encoding="utf-8")
            head, _, body = text.partition("\n---\n")
            symbol = "£" if "currency: GBP" in head else "€"
            story.write_text(_amounts_in_german(head, symbol) + "\n---\n" + body, encoding="utf-8")
    output = site / "output"
    build(BuildOptions(site, output, use_cache=False))
    return tag, site, output


def _pages(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


def test_no_english_word_of_the_theme_is_left_on_any_page(locale_site: tuple[str, Path, Path]) -> None:
    tag, site, output = locale_site
    language = LOCALE_SITES[tag][1]
    if language is None:
        # The theme has no German: its words are English (with a warning), the formats German.
        page = (output / "appeals" / "jacob-buckett" / "index.html").read_text(encoding="utf-8")
        assert "Share this appeal" in page and "14. Oktober 2027" in page
        return
    fragments = english_fragments(language)
    content = content_strings(site)
    left: list[str] = []
    for page in _pages(output):
        text = visible_text(page.read_text(encoding="utf-8"))
        for piece in content:
            text = text.replace(piece, " ")
        for fragment in fragments:
            if re.search(r"(?<![A-Za-z])" + re.escape(fragment) + r"(?![A-Za-z])", text):
                left.append(f"{page.relative_to(output)}: {fragment!r}")
    assert not left, "\n".join(left)


def test_german_words_fall_back_to_english_with_a_warning(tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    settings = (site / "site.yaml").read_text(encoding="utf-8").replace("locale: en-GB", "locale: de-DE")
    (site / "site.yaml").write_text(settings, encoding="utf-8")
    for story in (site / "content" / "appeals").glob("*.md"):
        head, _, body = story.read_text(encoding="utf-8").partition("\n---\n")
        story.write_text(_amounts_in_german(head, "£") + "\n---\n" + body, encoding="utf-8")
    report = build(BuildOptions(site, tmp_path / "out", use_cache=False))
    assert any(w.field == "locale" and "no translation" in w.message for w in report.warnings)


def test_pages_say_their_language_and_direction(locale_site: tuple[str, Path, Path]) -> None:
    tag, _, output = locale_site
    direction = "rtl" if tag.startswith("ur") else "ltr"
    for page in _pages(output):
        head = page.read_text(encoding="utf-8")[:200]
        if "<html" in head:
            assert f'<html lang="{tag}" dir="{direction}">' in head, page
    badge = (output / "appeals" / "jacob-buckett" / "thermometer.svg").read_text(encoding="utf-8")
    assert f'xml:lang="{tag}" direction="{direction}"' in badge


def test_money_numbers_and_dates_are_the_locales(locale_site: tuple[str, Path, Path]) -> None:
    tag, _, output = locale_site
    currency = LOCALE_SITES[tag][0]
    speech = i18n.speech(tag)
    page = html.unescape((output / "appeals" / "jacob-buckett" / "index.html").read_text(encoding="utf-8"))
    raised, target = speech.money(Decimal(25000), currency), speech.money(Decimal(36000), currency)
    assert raised in page and target in page
    assert format_date(datetime.date(2027, 10, 14), "long", locale=tag.replace("-", "_")) in page
    assert speech.percent(69) in page
    valuetext = re.search(r'aria-valuetext="([^"]+)"', page)
    assert valuetext and raised in valuetext.group(1) and target in valuetext.group(1)
    feed = html.unescape((output / "feed.xml").read_text(encoding="utf-8"))
    assert speech.money(Decimal(21750), currency) in feed


# ---- An appeal in another language than its site -------------------------------------------------


@pytest.fixture(scope="module")
def urdu_appeal(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    site = copy_example_site(tmp_path_factory.mktemp("urdu-appeal"))
    story = site / "content" / "appeals" / "jacob-buckett.md"
    story.write_text(story.read_text(encoding="utf-8").replace("---\n", "---\nlanguage: ur\n", 1), encoding="utf-8")
    output = site / "output"
    report = build(BuildOptions(site, output, use_cache=False))
    return output, report


def test_an_appeal_in_urdu_speaks_urdu_and_the_rest_of_the_site_english(urdu_appeal: tuple[Path, object]) -> None:
    output, _ = urdu_appeal
    folder = output / "appeals" / "jacob-buckett"
    urdu = i18n.speech("ur")
    for relative in ("index.html", "embed/index.html", "poster/index.html"):
        page = (folder / relative).read_text(encoding="utf-8")
        assert '<html lang="ur" dir="rtl">' in page, relative
        assert urdu.gettext("Money raised for %(child)s") % {"child": "Jacob Buckett"} in html.unescape(page), relative
    assert 'xml:lang="ur" direction="rtl"' in (folder / "thermometer.svg").read_text(encoding="utf-8")
    assert "اپیل" in (folder / "thermometer.svg").read_text(encoding="utf-8")
    home = (output / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en-GB" dir="ltr">' in home
    assert "All appeals" in home and "Raised by readers" in home
    assert 'lang="ur" dir="rtl"' in home  # the appeal's own card on the home page says its language
    assert '<entry xml:lang="ur">' in (output / "feed.xml").read_text(encoding="utf-8")
    other = (output / "appeals" / "james-mills" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en-GB" dir="ltr">' in other and "Share this appeal" in other


def test_an_unknown_language_warns_and_speaks_english(tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    story = site / "content" / "appeals" / "jacob-buckett.md"
    story.write_text(story.read_text(encoding="utf-8").replace("---\n", "---\nlanguage: xq\n", 1), encoding="utf-8")
    report = build(BuildOptions(site, tmp_path / "out", use_cache=False))
    assert any(w.field == "language" and w.path.endswith("jacob-buckett.md") for w in report.warnings)
    page = (tmp_path / "out" / "appeals" / "jacob-buckett" / "index.html").read_text(encoding="utf-8")
    assert "Share this appeal" in page


def test_a_site_overrides_a_word_in_its_own_catalogue(tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    settings = (site / "site.yaml").read_text(encoding="utf-8").replace("locale: en-GB", "locale: cy-GB")
    (site / "site.yaml").write_text(settings, encoding="utf-8")
    catalogue = site / "locales" / "cy" / "LC_MESSAGES" / "totaliser.po"
    catalogue.parent.mkdir(parents=True)
    catalogue.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\nmsgid "All appeals"\nmsgstr "Yr holl apeliadau"\n',
        encoding="utf-8",
    )
    build(BuildOptions(site, tmp_path / "out"))
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Yr holl apeliadau" in home
    assert "Ein hapeliadau" in home  # the rest still the theme's Welsh
    # Edited: the cached build makes the pages again.
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace("Yr holl apeliadau", "Pob un apêl"), encoding="utf-8")
    build(BuildOptions(site, tmp_path / "out"))
    assert "Pob un apêl" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


# ---- Accessible in every language -----------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.xdist_group("accessibility")
def test_axe_finds_no_serious_problem_on_an_appeal_page_in_each_locale(
    browser, locale_site: tuple[str, Path, Path],
) -> None:
    from tests.site_server import serve
    from tests.test_accessibility import AXE_PATH, run_axe

    if not AXE_PATH.is_file():
        from tests.conftest import browser_required

        if browser_required():
            pytest.fail(f"axe-core is not installed at {AXE_PATH} (run `make axe`)")
        pytest.skip(f"axe-core is not installed at {AXE_PATH} (run `make axe`, which needs npm)")
    axe_source = AXE_PATH.read_text(encoding="utf-8")

    tag, _, output = locale_site
    problems = []
    with serve(output, "/appeals-site/") as root:
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        try:
            for relative in ("appeals/jacob-buckett/", "appeals/jacob-buckett/embed/", "appeals/jacob-buckett/poster/", ""):
                page.goto(f"{root}/{relative}", wait_until="load")
                assert page.evaluate("document.documentElement.lang") == tag
                for violation in run_axe(page, axe_source):
                    problems.append(f"{tag} {relative}: {violation['impact']} {violation['id']}: {violation['nodes']}")
        finally:
            context.close()
    assert not problems, "\n".join(problems)


# ---- raise on a site whose amounts are written the locale's way -----------------------------------

GERMAN_SITE = "title: Test\nbase_url: https://example.github.io/x/\ncurrency: EUR\nlocale: de-DE\n"
LENA = '---\nchild: Lena\ncondition: a cough\ntarget: "36.000,00 €"\nraised: "25.000,00 €"\nhospital: X\ndate: 2026-05-01\n---\nStory.\n'


def test_raise_reads_and_writes_amounts_as_the_locale_does(make_site) -> None:
    from tests.conftest import run_cli

    site = make_site({"content/appeals/lena.md": LENA}, site_yaml=GERMAN_SITE)
    result = run_cli("raise", "lena", "500", "--add", "--site", str(site))
    assert result.returncode == 0, result.stderr
    text = (site / "content" / "appeals" / "lena.md").read_text(encoding="utf-8")
    assert 'raised: "25.500,00 €"' in text
    assert run_cli("check", "--site", str(site)).returncode == 0


@pytest.mark.parametrize("typed", ["36,000", "36.000,00 €", "36.000"])
def test_raise_takes_an_amount_as_the_spec_or_the_site_writes_it(make_site, typed: str) -> None:
    from tests.conftest import run_cli

    site = make_site({"content/appeals/lena.md": LENA}, site_yaml=GERMAN_SITE)
    result = run_cli("raise", "lena", typed, "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert 'raised: "36.000,00 €"' in (site / "content" / "appeals" / "lena.md").read_text(encoding="utf-8")
