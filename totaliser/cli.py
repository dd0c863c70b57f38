"""The command line: flags become options, then one library call each.

Exit status: 0 success (warnings allowed), 1 content errors, 2 bad usage.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import gc
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from . import progress
from .errors import ContentErrors, Problem, Problems, UsageError, display_path
from .site import BuildOptions, BuildReport, build, open_cache

# Each command imports what only it needs (checks, newstory, raising, serve)
# when it runs: a cached rebuild is quick, and Python's start-up is much of it.

EXIT_OK = 0
EXIT_CONTENT = 1
EXIT_USAGE = 2
# A build lists this many warnings at most: a site of a thousand stories
# without photos would otherwise scroll its summary out of sight.
WARNINGS_SHOWN = 30


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


class _VersionAction(argparse.Action):
    """``--version``: the installed package's version, looked up only when asked
    (importlib.metadata would slow every command's start)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("totaliser")
        except PackageNotFoundError:
            found = "(not installed: run pip install . in the Totaliser folder)"
        print(f"totaliser {found}")
        parser.exit(EXIT_OK)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="totaliser", description="Build a fundraising appeal website from Markdown stories.")
    parser.add_argument("--version", action=_VersionAction, help="print the version of Totaliser and stop")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    build_cmd = commands.add_parser("build", help="build the site into the output folder (the default)")
    _add_build_options(build_cmd)

    serve_cmd = commands.add_parser("serve", help="build, serve on this computer, and rebuild and reload on every change")
    _add_build_options(serve_cmd, base_url=False)
    serve_cmd.add_argument("--port", type=int, default=8000, help="the port to serve on (default: 8000; 0 picks a free one)")
    serve_cmd.add_argument("--host", default="127.0.0.1", help="the address to serve on (default: 127.0.0.1, this computer only)")

    new_cmd = commands.add_parser("new", help="start a new appeal: writes content/appeals/<name>.md as a draft")
    new_cmd.add_argument("name", help='the child\'s name, e.g. "Amy Example"')
    new_cmd.add_argument("--slug", default=None, help="the web address to use instead of one made from the name")
    new_cmd.add_argument("--site", type=Path, default=Path("."), help="the site folder (default: here)")

    check_cmd = commands.add_parser("check", help="check every file and report problems; write nothing")
    check_cmd.add_argument("--site", type=Path, default=Path("."), help="the site folder (default: here)")
    check_cmd.add_argument("--strict", action="store_true", help="treat warnings as errors (exit status 1)")
    check_cmd.add_argument("--drafts", action="store_true", help=argparse.SUPPRESS)  # drafts are always checked

    init_cmd = commands.add_parser("init", help="start a new site in an empty folder, ready to build and to publish on GitHub")
    init_cmd.add_argument("folder", type=Path, help="the folder for the new site (created if missing; must be empty)")

    raise_cmd = commands.add_parser("raise", help="record a new amount raised for an appeal, changing nothing else in its file")
    raise_cmd.add_argument("slug", nargs="?", help="the appeal's file name without .md, e.g. jacob-buckett")
    raise_cmd.add_argument("amount", nargs="?", help='the new amount raised, e.g. 26500 or "£26,500"')
    raise_cmd.add_argument("--add", action="store_true", help="add AMOUNT to the total (or to the --source) instead of setting it")
    raise_cmd.add_argument("--lower", action="store_true", help="allow a total lower than the current one (a correction)")
    raise_cmd.add_argument("--future", action="store_true", help="allow a --date after today")
    raise_cmd.add_argument("--date", default=None, help="the date of the new total, YYYY-MM-DD (default: today)")
    raise_cmd.add_argument("--note", default=None, help="a line for the appeal's timeline, e.g. \"Cake sale at St Mary's\"")
    raise_cmd.add_argument("--source", default=None, help="when raised lists sources of money: the one that changed")
    raise_cmd.add_argument("--csv", type=Path, default=None, help="apply many totals from a CSV file (columns slug, amount, date, note, source), all or nothing")
    raise_cmd.add_argument("--site", type=Path, default=Path("."), help="the site folder (default: here)")
    return parser


def _add_build_options(parser: argparse.ArgumentParser, base_url: bool = True) -> None:
    parser.add_argument("--site", type=Path, default=Path("."), help="the site folder (default: here)")
    parser.add_argument("--output", type=Path, default=None, help="where to write the site (default: SITE/output)")
    if base_url:
        parser.add_argument("--base-url", default=None, help="the address the site is published at (default: base_url in site.yaml)")
        parser.add_argument(
            "--no-cache", dest="cache", action="store_false",
            help="neither read nor write the build cache (SITE/.totaliser-cache); the output is the same",
        )
        # The cache is used by default now; --cache is still understood.
        parser.add_argument("--cache", dest="cache", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--drafts", action="store_true", help="include appeals whose status is draft")


def run() -> None:
    """The ``totaliser`` command and build.py: ``main``, then the process
    ends at once.

    Python would otherwise free every object the command made, one by one, on
    its way out: after a cached rebuild of 10,000 appeals, hundreds of
    thousands of them (the cache's records of 50,000 files), for longer than
    the rebuild's own rendering. Nothing needs that: every file written is
    closed by then, and the terminal's output is flushed here. A build's
    cache and report are kept (``_kept``) for the same reason: dropped when
    the build returns, they would be freed then instead.
    """
    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: let Python end as usual, and report it
        sys.exit(status)
    os._exit(status)


# What the last build loaded, kept until the process ends (see run()): at
# 10,000 appeals, freeing it took 0.1 s of a 1.2 s rebuild.
_kept: list[object] = []


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = make_parser()
    # "build" is the default command: `totaliser --site x` means `totaliser build --site x`.
    if not args_list or args_list[0].startswith("-") and args_list[0] not in ("-h", "--help", "--version"):
        args_list.insert(0, "build")
    args = parser.parse_args(args_list)
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "check":
            return _check(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "new":
            return _new(args)
        if args.command == "raise":
            return _raise(args)
        if args.command == "init":
            return _init(args)
    except UsageError as exc:
        print(f"totaliser: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("totaliser: stopped", file=sys.stderr)
        return 130
    parser.print_help()
    return EXIT_USAGE


def _site_dir(path: Path) -> Path:
    if not path.is_dir():
        raise UsageError(f"{path} is not a folder (give --site the folder that holds site.yaml)")
    return path


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _build(args: argparse.Namespace) -> int:
    options = BuildOptions(
        site_dir=_site_dir(args.site),
        output_dir=args.output,
        base_url=args.base_url,
        include_drafts=args.drafts,
        use_cache=args.cache,
    )
    bar = progress.ProgressBar(sys.stderr) if progress.wanted(sys.stderr) else None
    cache = open_cache(options.site_dir) if options.use_cache else None
    _kept[:] = [cache]
    try:
        report = build(options, progress=bar, memory=cache)
    except ContentErrors as exc:
        if bar:
            bar.finish()
        from .checks import every_error

        found = every_error(exc, options.site_dir)
        _print_problems(found)
        count = sum(problem.is_error for problem in found)
        print(
            f"Build stopped: {count} error{'s' if count != 1 else ''} to fix. Nothing was written; "
            "the previous site is unchanged.",
            file=sys.stderr,
        )
        _say_which_are_drafts(found, options.site_dir)
        return EXIT_CONTENT
    finally:
        if bar:
            bar.finish()  # whatever happened, the next line starts clean
    # What the build loaded lives until the process ends: the cycle
    # collector need not go over it again (at 10,000 appeals, 0.2 s).
    gc.freeze()
    report = dataclasses.replace(report, warnings=report.warnings + _site_advice(report))
    _kept.append(report)
    _print_problems(report.warnings[:WARNINGS_SHOWN])
    if len(report.warnings) > WARNINGS_SHOWN:
        hidden = len(report.warnings) - WARNINGS_SHOWN
        print(f"... and {hidden} more warning{'s' if hidden != 1 else ''}: `{_command_name()} check` lists them all.", file=sys.stderr)
    print(summary(report))
    return EXIT_OK


_DRAFT_STATUS = re.compile(r"^status:\s*[\"']?draft[\"']?\s*(#.*)?$", re.MULTILINE)


def _say_which_are_drafts(found: list[Problem], site_dir: Path) -> None:
    """An unfinished draft stops the build like any story: one volunteer's
    draft holds back everyone's totals, so the message says which it is."""
    drafts = []
    for path in dict.fromkeys(problem.path for problem in found if problem.is_error and problem.path.startswith("content/")):
        file = site_dir / path
        try:
            if not file.is_file():  # (a pipe would never end)
                continue
            text = file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if _DRAFT_STATUS.search(text.split("\n---", 1)[0]):
            drafts.append(path)
    if drafts:
        print(
            f"{' and '.join(drafts)} {'is a draft' if len(drafts) == 1 else 'are drafts'}: not published, but checked "
            "all the same. Fix the mistake, or move the file out of content/ until it is ready.",
            file=sys.stderr,
        )


def _site_advice(report: BuildReport) -> list[Problem]:
    """The warnings check gives about the published site (a passed deadline, a
    link that goes nowhere), so that build reports the warnings check does."""
    from .advice import site_advice

    return site_advice(report.appeals, report.pages, datetime.date.today(), report.addresses, report.values.__getitem__)


def summary(report: BuildReport) -> str:
    statuses = report.statuses
    parts = [f"{statuses.get(name, 0)} {name}" for name in ("open", "funded", "closed") if statuses.get(name)]
    if statuses.get("draft"):
        parts.append(f"{statuses['draft']} draft")
    appeals = len(report.appeals)
    line = f"Built {appeals} appeal{'s' if appeals != 1 else ''}"
    if parts:
        line += f" ({', '.join(parts)})"
    pages = len(report.pages)
    line += f" and {pages} page{'s' if pages != 1 else ''}"
    line += f" into {report.output_dir}: {report.files} files in {report.seconds:.2f}s"
    warnings = len(report.warnings)
    line += f", {warnings} warning{'s' if warnings != 1 else ''}."
    if report.drafts_skipped:
        line += f" {report.drafts_skipped} draft{'s' if report.drafts_skipped != 1 else ''} left out (add --drafts to include)."
    return line


def _check(args: argparse.Namespace) -> int:
    from .checks import check_site, every_error, strict

    site_dir = _site_dir(args.site)
    try:
        report = check_site(site_dir, today=datetime.date.today())
    except ContentErrors as exc:
        found = every_error(exc, site_dir)
        _print_problems(found)
        count = sum(problem.is_error for problem in found)
        print(f"{count} error{'s' if count != 1 else ''} found: the site would not build.", file=sys.stderr)
        _say_which_are_drafts(found, site_dir)
        return EXIT_CONTENT
    problems = strict(report.problems) if args.strict else report.problems
    _print_problems(problems)
    appeals = len(report.loaded.content.appeals)
    pages = len(report.loaded.content.pages)
    warnings = len(report.warnings)
    checked = f"Checked {appeals} appeal{'s' if appeals != 1 else ''} and {pages} page{'s' if pages != 1 else ''}"
    if args.strict and warnings:
        print(f"{checked}: {warnings} warning{'s' if warnings != 1 else ''}, counted as errors (--strict).", file=sys.stderr)
        return EXIT_CONTENT
    print(f"{checked}: no errors, {warnings} warning{'s' if warnings != 1 else ''}.")
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from .serve import serve  # the web server's libraries load only when serving

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number (use 1 to 65535, or 0 for any free port)")
    # The dev server rebuilds on every save, so it always keeps the cache.
    options = BuildOptions(site_dir=_site_dir(args.site), output_dir=args.output, include_drafts=args.drafts, use_cache=True)
    return serve(options, args.host, args.port, sys.stdout)


def _new(args: argparse.Namespace) -> int:
    from .config import load_config
    from .newstory import new_appeal

    site_dir = _site_dir(args.site)
    if not (site_dir / "site.yaml").is_file():
        where = "this folder" if args.site == Path(".") else str(args.site)
        raise UsageError(
            f"{where} is not a site: it has no site.yaml, so nothing was written "
            "(run new in the folder that holds site.yaml, or name that folder with --site)"
        )
    config = load_config(site_dir, Problems())
    first_name_only = bool(config and config.first_name_only)
    path = new_appeal(
        site_dir, args.name, datetime.date.today(), slug=args.slug, first_name_only=first_name_only, command=_command_name(),
    )
    shown = display_path(path, site_dir)
    print(f"Wrote {shown}: a draft. Fill in each field, then set status: open to publish it.")
    if first_name_only and args.slug is None:
        print("site.yaml sets privacy: first_name, so the web address uses the first name only.")
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    from .starter import installable_from_a_url, requirement_line, start_site

    written = start_site(args.folder)
    print(f"Started a new site in {args.folder}: {len(written)} files, with a draft example appeal in content/appeals/.")
    print(f"Next: cd {args.folder}, then `totaliser build` (or `totaliser serve` to see it as you edit).")
    print("README.md there says how to put it on GitHub and publish it.")
    line = requirement_line()
    if not installable_from_a_url(line):
        # GitHub's workflows install what requirements.txt names: a version
        # number that is not on PyPI would make every run fail.
        print(
            f"Before publishing: requirements.txt names {line}, which GitHub can install only once that "
            "version is on PyPI. Replace it with where your copy of Totaliser is on GitHub "
            "(the file shows how).",
            file=sys.stderr,
        )
    return EXIT_OK


def _command_name() -> str:
    """How the user ran Totaliser, for hints they will copy: the installed
    command, or the repository's build.py."""
    return "totaliser" if Path(sys.argv[0]).name == "totaliser" else "python build.py"


def _raise(args: argparse.Namespace) -> int:
    from .raising import apply_raises, request_from_arguments, requests_from_csv, site_locale

    site_dir = _site_dir(args.site)
    today = datetime.date.today()
    locale = site_locale(site_dir)  # an amount may be typed as the site writes them
    if args.csv is not None:
        if args.slug or args.amount or args.date or args.note or args.source or args.add or args.lower:
            raise UsageError("give either --csv FILE or SLUG AMOUNT [--add] [--lower] [--date] [--note] [--source], not both")
        shown = display_path(args.csv.resolve(), site_dir.resolve()) if args.csv.is_absolute() else args.csv.as_posix()
        requests, row_problems = requests_from_csv(args.csv, today, shown, future=args.future, locale=locale)
    else:
        if not args.slug or args.amount is None:
            raise UsageError("give the appeal and its new total, e.g. raise jacob-buckett 26500 (or --csv FILE)")
        requests = [request_from_arguments(
            args.slug, args.amount, args.date, args.note, args.source, today,
            add=args.add, lower=args.lower, future=args.future, locale=locale,
        )]
        row_problems = Problems()
    try:
        results = apply_raises(site_dir, requests, row_problems)
    except ContentErrors as exc:
        _print_problems(exc.problems.items)
        print("Nothing was changed: no file is written unless every change can be made.", file=sys.stderr)
        return EXIT_CONTENT
    for result in results:
        print(result.describe())
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
