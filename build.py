#!/usr/bin/env python3
"""Build the appeal site: `python build.py [build|serve|new|check|raise] ...`.

The same as the `totaliser` command installed by `pip install .`.
"""

import sys

from totaliser.cli import main

if __name__ == "__main__":
    sys.exit(main())
