# Coffeechat — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo run test lint types contracts unit bench fuzz screenshot screenshots clean package package-check \
        install-desktop uninstall-desktop icons

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

## The fuzz suite at size: 10,000 messages, 1,000 import files, every kind of database damage.
fuzz: $(STAMP)
	$(BIN)/python bench/fuzz.py

## Regenerate the README screenshots (needs Xvfb): the demo, every view at 1400x900 and 800x600,
## light and dark, and the interview workspace.
screenshot screenshots: $(STAMP)
	@scripts/system-deps.sh test
	xvfb-run -a -s '-screen 0 1400x900x24' $(BIN)/coffeechat demo --screenshot docs/screenshot.png --quit-after 12
	xvfb-run -a -s '-screen 0 1400x900x24' $(BIN)/python scripts/screenshots.py docs
	xvfb-run -a -s '-screen 0 1400x900x24' $(BIN)/python scripts/workspace_screenshots.py docs

## The installable app for this platform: dist/coffeechat/ (see packaging/README.md).
PACKAGING := $(VENV)/.packaging
$(PACKAGING): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,package]'
	@touch $(PACKAGING)

package: $(PACKAGING)
	$(BIN)/python packaging/check.py
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build \
		packaging/coffeechat.spec
	@du -sh dist/coffeechat

## Run the frozen app from outside the source tree (--version, status --json, demo --headless).
package-check: package
	@scripts/system-deps.sh test
	$(BIN)/python packaging/package_check.py

## Add Coffeechat to this user's desktop menus (~/.local/share), or take it out.
install-desktop:
	$(PYTHON) packaging/install_desktop.py install

uninstall-desktop:
	$(PYTHON) packaging/install_desktop.py uninstall

## Render the hicolor PNGs from the SVG (commit them).
icons: $(STAMP)
	$(BIN)/python packaging/icons.py

clean:
	rm -rf $(VENV) *.egg-info .mypy_cache .ruff_cache build dist
