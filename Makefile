# Two commands for a fresh machine with Python 3.11+ and make:
#   make site   build the example site into output/
#   make test   run the whole test suite
# Each sets up .venv with the dependencies from pyproject.toml first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site test serve check lint golden bench clean axe bytecode messages

site: $(STAMP) bytecode
	@$(BIN)/python build.py
	@echo "The example site is in output/. Browse it with 'make serve' (it is built for the web address in site.yaml, so links need a web server)."

test: $(STAMP) axe bytecode
	$(BIN)/python -m pytest -n 2 --dist loadgroup

serve: $(STAMP) bytecode
	$(BIN)/python build.py serve

check: $(STAMP) bytecode
	$(BIN)/python build.py check

# Totaliser's own modules compiled once, as pip does for an installed package:
# an editable install leaves them to each run, and where the environment sets
# PYTHONDONTWRITEBYTECODE every command would compile them again (some 40 ms).
# Only what changed since the last time is compiled.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q totaliser

lint: $(STAMP)
	$(BIN)/ruff check totaliser tests build.py
	$(BIN)/mypy

# Extract every word the theme writes into locales/totaliser.pot, and bring each
# language's catalogue up to date with it (new words untranslated, changed ones
# marked fuzzy): a translator then fills in locales/<lang>/LC_MESSAGES/totaliser.po.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k gettext -k ngettext:1,2 --no-location --sort-output -w 120 \
	  --omit-header -o locales/totaliser.pot .
	$(BIN)/pybabel update -i locales/totaliser.pot -d locales -D totaliser --width=120 --ignore-pot-creation-date

# Rebuild the expected output the golden-site test compares against.
golden: $(STAMP)
	$(BIN)/python -m tests.golden regenerate

bench: $(STAMP)
	$(BIN)/python bench/run.py

# axe-core, the accessibility checker the browser tests run inside each page,
# from the npm registry. Without npm the accessibility tests are skipped (and
# fail in CI, where TOTALISER_REQUIRE_BROWSER=1).
AXE := .cache/axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@4; \
	else echo "npm is not installed: the accessibility tests will be skipped"; fi

# Quiet, so that a first `make site` says what it does in a few lines: pip
# still prints any error. (--quiet twice for the install: setuptools' notes on
# editable installs are for Totaliser's developers, not for a site's.) The
# editable install in "compat" mode is one line of sys.path: the default mode's
# import hook costs every command some 9 ms before it starts.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Totaliser needs Python 3.11 or newer")'
	@echo "Setting up Totaliser and its libraries in $(VENV)/ (only the first time; a minute or two) ..."
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet --quiet -c constraints.txt -e '.[test]' --config-settings editable_mode=compat
	@touch $@

clean:
	rm -rf output .output.staging .cache
