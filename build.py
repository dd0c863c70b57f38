#!/usr/bin/env python3
"""Build the appeal site: `python build.py [build|serve|new|check|raise] ...`.

The same as the `totaliser` command installed by `pip install .`.
"""

import gc

# Importing Totaliser and its libraries makes some 100,000 objects and no
# garbage: the cycle collector would go over them a few dozen times for
# nothing (about 5 ms of every command).
gc.disable()
from totaliser.cli import run  # noqa: E402

gc.enable()

if __name__ == "__main__":
    run()
