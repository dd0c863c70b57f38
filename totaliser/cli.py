"""The command line: flags become options, then one library call each.

Exit status: 0 success (warnings allowed), 1 content errors, 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from .errors import ContentErrors, Problem, UsageError
from .site import BuildOptions, BuildReport, build, load_site

EXIT_OK = 0
EXIT_CONTENT = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="totaliser", description="Build a fundraising appeal website from Markdown stories.")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    build_cmd = commands.add_parser("build", help="build the site into the output folder (the default)")
    _add_build_options(build_cmd)

    check_cmd = commands.add_parser("check", help="check every file and report problems; write nothing")
    check_cmd.add_argument("--site", type=Path, default=Path("."), help="the site folder (default: here)")
    check_cmd.add_argument("--drafts", action="store_true", help="check drafts too")
    return parser


def _add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=Path("."), help="the site folder (default: here)")
    parser.add_argument("--output", type=Path, default=None, help="where to write the site (default: SITE/output)")
    parser.add_argument("--base-url", default=None, help="the address the site is published at (default: base_url in site.yaml)")
    parser.add_argument("--drafts", action="store_true", help="include appeals whose status is draft")


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = make_parser()
    # "build" is the default command: `totaliser --site x` means `totaliser build --site x`.
    if not args_list or args_list[0].startswith("-") and args_list[0] not in ("-h", "--help"):
        args_list.insert(0, "build")
    args = parser.parse_args(args_list)
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "check":
            return _check(args)
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
    )
    try:
        report = build(options)
    except ContentErrors as exc:
        _print_problems(exc.problems.items)
        count = len(exc.problems.errors)
        print(
            f"Build stopped: {count} error{'s' if count != 1 else ''} to fix. Nothing was written; "
            "the previous site is unchanged.",
            file=sys.stderr,
        )
        return EXIT_CONTENT
    _print_problems(report.warnings)
    print(summary(report))
    return EXIT_OK


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
    site_dir = _site_dir(args.site)
    try:
        loaded = load_site(site_dir, include_drafts=True)
    except ContentErrors as exc:
        _print_problems(exc.problems.items)
        count = len(exc.problems.errors)
        print(f"{count} error{'s' if count != 1 else ''} found.", file=sys.stderr)
        return EXIT_CONTENT
    _print_problems(loaded.problems.warnings)
    appeals = len(loaded.content.appeals)
    warnings = len(loaded.problems.warnings)
    print(f"Checked {appeals} appeal{'s' if appeals != 1 else ''} and {len(loaded.content.pages)} pages: no errors, {warnings} warning{'s' if warnings != 1 else ''}.")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
