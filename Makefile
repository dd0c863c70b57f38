# Two commands for a fresh machine with Python 3.11+ and make:
#   make site   build the example site into output/
#   make test   run the whole test suite
# Each sets up .venv with the dependencies from pyproject.toml first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site test serve check lint golden bench clean

site: $(STAMP)
	$(BIN)/python build.py
	@echo "The example site is in output/ (open output/index.html, or run 'make serve' to browse it)."

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

serve: $(STAMP)
	$(BIN)/python build.py serve

check: $(STAMP)
	$(BIN)/python build.py check

lint: $(STAMP)
	$(BIN)/ruff check totaliser tests build.py
	$(BIN)/mypy

# Rebuild the expected output the golden-site test compares against.
golden: $(STAMP)
	$(BIN)/python -m tests.golden regenerate

bench: $(STAMP)
	$(BIN)/python bench/run.py

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Totaliser needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

clean:
	rm -rf output .output.staging .totaliser-cache
