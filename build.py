#!/usr/bin/env python3
"""Build the appeal site: `python build.py [build|serve|new|check|raise] ...`.

The same as the `totaliser` command installed by `pip install .`.
"""

from totaliser.cli import run

if __name__ == "__main__":
    run()
