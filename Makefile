# meshcommons: `make demo` and `make test` set themselves up (.venv from pyproject.toml).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: venv demo test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "meshcommons needs Python 3.11 or newer (found: $$($(PYTHON) --version))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { echo "could not create $(VENV): on Debian, apt-get install python3-venv"; exit 1; }
	@echo "installing meshcommons into $(VENV) ..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' || \
	  { echo "pip could not install meshcommons into $(VENV)"; exit 1; }
	@touch $(STAMP)

venv: $(STAMP)

demo: venv
	$(BIN)/meshctl demo

lint: venv
	$(BIN)/ruff check .

typecheck: venv
	$(BIN)/mypy

pytest: venv
	$(BIN)/pytest

test: lint typecheck pytest

bench: venv
	$(BIN)/python bench/ipam.py
	$(BIN)/python bench/routing.py
	@command -v wrk >/dev/null || { echo "bench/ingest.py needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/agent.py
	$(BIN)/python bench/cli.py
	$(BIN)/python bench/formats.py
	$(BIN)/python bench/planning.py
	$(BIN)/python bench/tui.py
	$(BIN)/python bench/federation.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
