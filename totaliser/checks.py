"""`check`: everything the build checks, writing nothing.

The same errors and warnings as the build (warnings about the content itself
and about the published site come from advice.py, as the build's do), with
drafts included, and every page rendered in memory so that an error in a
template or a picture is found without building.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from .advice import site_advice
from .errors import ContentErrors, Problem, Problems
from .outputs.registry import Output, addresses
from .site import LoadedSite, check_outputs, load_site, plan_outputs
from .site_values import SiteValues


@dataclass
class CheckReport:
    loaded: LoadedSite
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def check_site(site_dir: Path, today: datetime.date) -> CheckReport:
    """Load everything (drafts too) as the build does, add the warnings about
    the published site (advice.py), and make every page in memory, so that an
    error in a template, a photo or a picture is found without building.

    Raises ContentErrors when the build would fail.
    """
    loaded = load_site(site_dir, include_drafts=True)
    problems = Problems()
    problems.extend(loaded.problems)
    content = loaded.content
    values = SiteValues.of(loaded.config, content.appeals, content.pages)
    outputs = plan_outputs(loaded, site_dir, values)
    problems.items.extend(site_advice(content.appeals, content.pages, today, lambda: addresses(outputs), values))
    problems.items.extend(check_outputs(loaded, site_dir, values, _checked(outputs)))
    if problems.errors:
        raise ContentErrors(problems)
    return CheckReport(loaded, problems.items)


def _checked(outputs: list[Output]) -> list[Output]:
    # Social cards and web-sized photos are left out: drawing them finds no
    # error that the pages (which read each photo) do not.
    return [output for output in outputs if not output.key.startswith(("card:", "photos:"))]


def every_error(stopped: ContentErrors, site_dir: Path) -> list[Problem]:
    """The problems that stopped a run, and the errors in the site's own
    templates: a story's error stops the build before any page is made, and
    a run reports every error of every file (SPEC). The templates are tried
    on the stories that loaded."""
    found = list(stopped.problems.items)
    loaded = stopped.loaded
    if not (site_dir / "templates").is_dir():
        return found  # the theme's own are tested with it
    # Every template of the site read as Jinja, whatever stopped the run (a
    # site.yaml with errors, every story with one): a template only some
    # outputs use may have no story to be tried on.
    made = _syntax_errors(site_dir)
    if loaded is not None:
        try:
            values = SiteValues.of(loaded.config, loaded.content.appeals, loaded.content.pages)
            made += check_outputs(loaded, site_dir, values, _checked(plan_outputs(loaded, site_dir, values)))
        except Exception:  # noqa: BLE001 - a look further than the errors found: those are reported whatever it meets
            pass
    for problem in made:
        if problem.is_error and problem.path.startswith("templates/") and problem not in found:
            found.append(problem)
    return found


def _syntax_errors(site_dir: Path) -> list[Problem]:
    import jinja2

    from .config import fallback_config
    from .render import make_environment
    from .template_errors import template_problem

    env = make_environment(site_dir, fallback_config())
    problems = Problems()
    for path in sorted((site_dir / "templates").rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        name = path.relative_to(site_dir / "templates").as_posix()
        try:
            env.parse(path.read_text(encoding="utf-8"), name, str(path))
        except jinja2.TemplateSyntaxError as exc:
            problems.error(*template_problem(exc, site_dir, env))
        except (OSError, UnicodeDecodeError):
            continue  # read as it is used, and reported then
    return problems.items


def strict(problems: list[Problem]) -> list[Problem]:
    """Warnings turned into errors, for `check --strict`."""
    return [Problem(p.path, p.line, p.field, p.message, True) for p in problems]
