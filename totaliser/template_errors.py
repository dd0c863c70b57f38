"""Template errors as a volunteer can act on them.

An error in a template is reported like a content error: the template's file
and line, what is wrong in the template's own words (``appeal.chlid``, never
a Python class name), and the closest known name:

    templates/appeal.html:12: appeal.chlid is not defined (did you mean appeal.child?)

Where: a syntax error carries its file and line; for an error while
rendering, Jinja rewrites the traceback so that its frames are the
templates' (their file names and line numbers), and the innermost one is the
line that failed. What: the name comes from Jinja's message, the expression
from the template's line, and the names it could have been from the object's
fields, the environment's globals, filters and templates, and the names the
templates use.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import functools
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType

import jinja2
from jinja2 import meta

from .errors import Problems, display_path
from .render import theme_folder

Where = tuple[str, int]

# Jinja's words for an undefined value (jinja2.runtime.Undefined).
_NO_ATTRIBUTE = re.compile(r"^'(?P<owner>.+?)(?: object)?' has no (?:attribute|element) (?P<name>'.*'|\S+)$", re.DOTALL)
_UNDEFINED = re.compile(r"^'(?P<name>.+)' is undefined$", re.DOTALL)
_NO_FILTER = re.compile(r"No filter named '(?P<name>[^']+)'")
_NO_TEST = re.compile(r"No test named '(?P<name>[^']+)'")


@contextlib.contextmanager
def reported(problems: Problems, site_dir: Path, env: jinja2.Environment) -> Iterator[None]:
    """Run a template: an error in it becomes an error in ``problems``, with
    the template's file and line, and the run goes on to find the others.
    An error that is the program's own, not the site's, is raised as it is."""
    try:
        yield
    except jinja2.TemplateError as exc:
        problems.error(*template_problem(exc, site_dir, env))
    except Exception as exc:
        found = runtime_problem(exc, site_dir)
        if found is None:
            raise
        problems.error(*found)


def template_problem(
    exc: jinja2.TemplateError, site_dir: Path, env: jinja2.Environment
) -> tuple[str, int, str, str]:
    """(file, line, field, message) for a Problem, from a template error."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = _shown(exc.filename, exc.name, site_dir), exc.lineno or 1
        return (*where, "", _syntax_message(exc, env))
    where = _innermost_template(exc.__traceback__, site_dir) or ("templates", 1)
    if isinstance(exc, jinja2.TemplatesNotFound | jinja2.TemplateNotFound):
        return (*where, "", _not_found_message(exc, env))
    if isinstance(exc, jinja2.UndefinedError):
        return (*where, "", _undefined_message(exc, where, site_dir, env))
    return (*where, "", exc.message or str(exc))


def runtime_problem(exc: Exception, site_dir: Path) -> tuple[str, int, str, str] | None:
    """(file, line, field, message) for an error other than Jinja's that a
    line of the site's own templates raised (a filter given the wrong
    arguments, a division by nought); None for one that did not come from
    them, which is the program's own fault and is not disguised as the site's."""
    where = _innermost_template(exc.__traceback__, site_dir)
    if where is None or not where[0].startswith("templates/"):
        return None
    if isinstance(exc, ZeroDivisionError):  # decimal's too, whose own words are a list of classes
        words = "division by zero"
    elif isinstance(exc, ArithmeticError):
        words = "a sum with no answer"
    else:
        # The words Python gives, without the underscore of a filter's function
        # ("_money() takes 3 positional arguments"): the template calls it money.
        words = re.sub(r"\b_+(?=\w+\()", "", str(exc)) or type(exc).__name__
    return (*where, "", f"this line cannot be worked out: {words}")


def _shown(filename: str | None, name: str | None, site_dir: Path) -> str:
    """A template file as the user knows it: templates/x.html in the site, or
    default/x.html for the built-in theme's (the name an override extends)."""
    if filename:
        path = Path(filename).resolve()
        for root, prefix in _template_roots(site_dir):
            if path.is_relative_to(root):
                return prefix + path.relative_to(root).as_posix()
        return display_path(path, site_dir)
    return f"templates/{name}" if name else "templates"


def _template_roots(site_dir: Path) -> list[tuple[Path, str]]:
    site = (site_dir / "templates").resolve()
    theme = theme_folder("templates").resolve()
    # A site's own templates first: the repository's site is the theme itself.
    return [(site, "templates/"), (theme, "default/")]


def _innermost_template(trace: TracebackType | None, site_dir: Path) -> Where | None:
    roots = [root for root, _ in _template_roots(site_dir)]
    found: Where | None = None
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".svg", ".txt")):
            path = Path(filename).resolve()
            if any(path.is_relative_to(root) for root in roots):
                found = (_shown(filename, None, site_dir), trace.tb_lineno)
        trace = trace.tb_next
    return found


def _syntax_message(exc: jinja2.TemplateSyntaxError, env: jinja2.Environment) -> str:
    message = exc.message or "is not a valid template"
    for pattern, known in ((_NO_FILTER, env.filters), (_NO_TEST, env.tests)):
        match = pattern.search(message)
        if match:
            kind = "filter" if pattern is _NO_FILTER else "test"
            return f"there is no {kind} named {match['name']}{_did_you_mean(match['name'], known)}"
    return message


def _not_found_message(exc: jinja2.TemplateNotFound, env: jinja2.Environment) -> str:
    names = [str(name) for name in getattr(exc, "templates", None) or [exc.name]]
    known = env.list_templates()
    missing = names[-1]
    return f'the template "{missing}" does not exist{_did_you_mean(missing, known)}'


def _undefined_message(exc: jinja2.UndefinedError, where: Where, site_dir: Path, env: jinja2.Environment) -> str:
    message = exc.message or ""
    attribute = _NO_ATTRIBUTE.match(message)
    if attribute:
        name = attribute["name"].strip("'")
        owner = attribute["owner"]
        expression = _expression_ending_in(name, where, site_dir)
        base = expression.rpartition(".")[0] if expression and "." in expression else None
        candidates = _fields_of(owner)
        if base and candidates:
            close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
            hint = f" (did you mean {base}.{close[0]}?)" if close else ""
        else:
            hint = _did_you_mean(name, candidates)
        return f"{expression or name} is not defined{hint}"
    undefined = _UNDEFINED.match(message)
    if undefined:
        name = undefined["name"]
        return f"{name} is not defined{_did_you_mean(name, _names_in_use(env) - {name})}"
    return message


def _expression_ending_in(name: str, where: Where, site_dir: Path) -> str | None:
    """``appeal.chlid`` for ``chlid``, as written on the failing line."""
    line = _template_line(where, site_dir)
    if line is None:
        return None
    match = re.search(rf"([A-Za-z_][\w.]*)\.{re.escape(name)}\b", line)
    return f"{match.group(1)}.{name}" if match else None


def _template_line(where: Where, site_dir: Path) -> str | None:
    shown, number = where
    for root, prefix in _template_roots(site_dir):
        if shown.startswith(prefix):
            path = root / shown[len(prefix):]
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                return None
            return lines[number - 1] if 0 < number <= len(lines) else None
    return None


def _fields_of(owner: str) -> list[str]:
    """The public fields and properties of the class Jinja names
    ("totaliser.content.Appeal"): what a template can read from it."""
    module_name, _, class_name = owner.rpartition(".")
    module = sys.modules.get(module_name)  # only a class already loaded: nothing is imported
    cls = getattr(module, class_name, None) if module else None
    if not isinstance(cls, type):
        return []
    if class_name == "AppealView":  # an appeal as outputs see it (reads.py): its fields are the appeal's
        from .content import Appeal

        cls = Appeal
    elif class_name == "ValueWhenUsed":  # reads.py: what the listings hand over so is their totals
        from .listing import Totals

        cls = Totals
    names = [field.name for field in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else []
    for klass in cls.__mro__:
        for key, value in vars(klass).items():
            if isinstance(value, property | functools.cached_property) and key not in names:
                names.append(key)
    return [name for name in names if not name.startswith("_")]


def _names_in_use(env: jinja2.Environment) -> set[str]:
    """Every name a template may read: the globals, and each name the
    theme's templates read from their context (those are given to them). Not
    the site's own templates': a typo there is no name to suggest."""
    names = set(env.globals)
    for template in env.list_templates(filter_func=lambda name: name.startswith("default/")):
        try:
            source, _, _ = env.loader.get_source(env, template) if env.loader else ("", None, None)
            names |= meta.find_undeclared_variables(env.parse(source))
        except jinja2.TemplateError:
            continue
    return names


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(set(known)), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
