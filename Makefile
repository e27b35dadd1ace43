# Coffeechat — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo run test lint types contracts unit bench screenshot clean

$(STAMP): pyproject.toml
	@scripts/system-deps.sh runtime
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip >/dev/null
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## Open Coffeechat on a fresh demo profile (headless story when there is no display).
demo: $(STAMP)
	$(BIN)/coffeechat demo

## Open Coffeechat on your real profile.
run: $(STAMP)
	$(BIN)/coffeechat run

## Everything CI checks: lint, types, import contracts, tests.
test: $(STAMP) lint types contracts unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	@scripts/system-deps.sh test
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/startup.py

## Regenerate the README screenshot (needs Xvfb).
screenshot: $(STAMP)
	@scripts/system-deps.sh test
	xvfb-run -a -s '-screen 0 1400x900x24' $(BIN)/coffeechat demo --screenshot docs/screenshot.png --quit-after 12

clean:
	rm -rf $(VENV) *.egg-info .mypy_cache .ruff_cache
