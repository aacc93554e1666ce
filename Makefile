# dxportal: `make serve` to preview, `make test` to run the tests, `make build` to publish.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CATALOGS := translations
PYBABEL  := $(BIN)/pybabel

.PHONY: setup serve test build check catalogs translations lint format clean qa-setup bench

setup: $(STAMP) catalogs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

## Compile the gettext catalogs (.po -> .mo); the build and the app need them.
catalogs: $(STAMP)
	$(PYBABEL) compile --use-fuzzy -d $(CATALOGS) --statistics 2>&1 | grep -v '^compiling' || true

## Extract UI strings from code and templates, merge them into the catalogs, compile
## (the same as `dxportal i18n`; fails while a string has no Vietnamese translation).
translations: $(STAMP)
	$(BIN)/dxportal i18n

## Check all content (drafts too) without building: every problem as path:line: message.
check: setup
	$(BIN)/dxportal check

serve: setup
	$(BIN)/dxportal serve

test: setup
	$(BIN)/python -m pytest

build: setup
	$(BIN)/python freeze.py

## Build-speed benchmark: 1,000 and 5,000 articles, cold/warm/one edit, against Hugo and Pelican.
bench: setup
	$(BIN)/python bench/build.py

lint: $(STAMP)
	$(BIN)/ruff check site tests freeze.py
	$(BIN)/ruff format --check site tests freeze.py

format: $(STAMP)
	$(BIN)/ruff format site tests freeze.py
	$(BIN)/ruff check --fix site tests freeze.py

## Browser-test tools: Debian's chromium and Java (needs root), axe-core and vnu from npm;
## rsync and systemd-analyze (package systemd) for the deploy tests.
## Without them `make test` skips the browser tests and says so; in CI they are required.
## Chromium is looked for where the tests launch it: $DXPORTAL_CHROMIUM, else /usr/bin/chromium.
qa-setup:
	@if [ ! -x "$${DXPORTAL_CHROMIUM:-/usr/bin/chromium}" ] || ! command -v java >/dev/null || ! command -v npm >/dev/null \
	    || ! command -v rsync >/dev/null || ! command -v systemd-analyze >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	      chromium default-jre-headless rsync systemd $$(command -v npm >/dev/null || echo npm); \
	  else echo "qa-setup: run as root, or: sudo apt-get install chromium default-jre-headless npm rsync systemd"; exit 1; fi; \
	fi
	cd qa && npm ci --no-audit --no-fund --silent

clean:
	rm -rf build .build.* search_index .pytest_cache .cache
