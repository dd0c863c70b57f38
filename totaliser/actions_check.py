"""The publishing workflow's check step: ``totaliser check`` on the site, its
errors and warnings in the log and at the top of the run's summary page.

Run as ``python -m totaliser.actions_check`` from the site folder. The exit
status is check's own, so an error stops the workflow before the build.
"""

from __future__ import annotations

import subprocess
import sys

from .actions_io import add_to_summary, as_code, log


def main() -> int:
    result = subprocess.run(
        [sys.executable, "-m", "totaliser.cli", "check", "--site", "."],
        capture_output=True, text=True, encoding="utf-8", check=False,
    )
    problems = result.stderr.strip()
    verdict = result.stdout.strip()
    log(result.stderr)
    log(result.stdout, sys.stdout)
    if result.returncode == 0 and not problems:
        add_to_summary(f"### Check: {verdict}\n\n")
        return 0
    heading = "Check: warnings to look at" if result.returncode == 0 else "Check: errors to fix (the site was not published)"
    add_to_summary(f"### {heading}\n\n{as_code(problems)}\n{verdict}\n\n")
    return result.returncode


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
