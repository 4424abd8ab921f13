# Two commands for a new machine with Python >= 3.11 and make (see README):
#   make demo   create .venv, install, scan sample_assets/ into ./prov.db, list it
#   make test   create .venv, install with test extras, run the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test lint samples bench bench-watch clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python >= 3.11 is required (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test]'
	@touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/prov scan sample_assets/ ; test $$? -le 1
	$(BIN)/prov ls

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

# The tool versions are pinned in pyproject.toml ([test]): a fresh clone gets this verdict.
# lint-imports checks the layers (cli -> store -> provenance) and where each library lives.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

samples: $(VENV)/.installed
	$(BIN)/python scripts/make_sample_assets.py

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_scan.py

bench-watch: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_watch.py

clean:
	rm -rf $(VENV) prov.db prov.db-wal prov.db-shm .pytest_cache .mypy_cache .ruff_cache
