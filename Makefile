# tilearn: `make run` serves the site with demo content; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
VENDOR := tilearn/static/vendor/govuk
CSS := tilearn/static/build/tilearn.css
export FLASK_APP := tilearn

.PHONY: run test test-quick test-sqlite test-postgres lint lint-strict check-style assets install clean bench wheel

## Set-up ------------------------------------------------------------------

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/activate

install: $(BIN)/activate

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.copied: node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(VENDOR)/
	touch $@

$(CSS): tilearn/static/src/tilearn.scss node_modules/.installed
	mkdir -p $(dir $(CSS))
	node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps --load-path=node_modules $< $@

# Pre-compressed copies, served by WhiteNoise to browsers that accept gzip.
tilearn/static/.compressed: $(CSS) $(VENDOR)/.copied tilearn/static/js/tilearn.mjs $(BIN)/activate
	$(BIN)/python -m whitenoise.compress -q tilearn/static
	touch $@

assets: tilearn/static/.compressed

instance/config.py:
	mkdir -p instance
	printf '# Written by make on first run. Keep it secret; do not commit it.\nSECRET_KEY = "%s"\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_hex(32))')" > $@

## Package ------------------------------------------------------------------

# dist/tilearn-<version>-py3-none-any.whl: the code with its migrations, level schemes, fonts, the built
# stylesheet and script, and the modules (as tilearn/content). Install it with pip; no Node.js needed there.
wheel: install assets
	rm -rf build dist
	$(BIN)/pip wheel --quiet --no-deps --wheel-dir dist .
	$(BIN)/python -c 'import sys, zipfile; names = zipfile.ZipFile(sys.argv[1]).namelist(); \
		missing = [n for n in sys.argv[2:] if n not in names]; \
		sys.exit(f"{sys.argv[1]} lacks {missing}: run make assets, then make wheel" if missing else 0)' \
		dist/tilearn-*.whl $(CSS) $(VENDOR)/govuk-frontend.min.js tilearn/migrations/env.py tilearn/content/glossary.md
	@ls dist/tilearn-*.whl

## Run ----------------------------------------------------------------------

run: install assets instance/config.py
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - 'tilearn:create_app()'

# Errors fail, as they keep a module off the site; warnings are printed but never block. CI can use
# lint-strict to fail on warnings too (docs/authoring.md, "What blocks publishing").
lint: install
	$(BIN)/flask modules lint

lint-strict: install
	$(BIN)/flask modules lint --strict

## Test ---------------------------------------------------------------------

# On SQLite always; also on PostgreSQL when TILEARN_TEST_POSTGRES_URL is set (CI sets it). The installed
# wheel (tests/packaging/test_wheel.py, about a minute) uses its own SQLite database, so it runs once.
test: install assets
	$(BIN)/ruff check tilearn tests
	$(BIN)/ruff format --check --quiet tilearn tests
	$(BIN)/mypy
	$(BIN)/pytest -q
	@if [ -n "$$TILEARN_TEST_POSTGRES_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		TILEARN_TEST_DATABASE_URL="$$TILEARN_TEST_POSTGRES_URL" $(BIN)/pytest -q -m "not packaging"; \
	fi

# The fast loop: lint and type-check, then every test but the real-browser (e2e) and real-gunicorn (system) ones, on SQLite.
test-quick: install assets
	$(BIN)/ruff check tilearn tests
	$(BIN)/ruff format --check --quiet tilearn tests
	$(BIN)/mypy
	$(BIN)/pytest -q -m "not browser and not system"

bench: install assets
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/section_page.py
	$(BIN)/python benchmarks/progress_writes.py
	$(BIN)/python benchmarks/team_report.py
	$(BIN)/python benchmarks/library.py
	$(BIN)/python benchmarks/footprint.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/publish_latency.py
	$(BIN)/python benchmarks/library_check.py

clean:
	rm -rf $(VENV) node_modules tilearn/static/vendor tilearn/static/build tilearn/static/.compressed build dist
