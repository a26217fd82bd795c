# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
CHECK_DB := $(VENV)/db-check.sqlite
# Test files are spread over this many processes (pytest-xdist), each with its own database.
TEST_WORKERS ?= 2

.PHONY: translations run test lint typecheck layers unit browser-deps libical-deps java-deps bench screenshots clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "allhands needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# Chromium comes from Debian; install it when missing and we are allowed to.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium"; \
	  else echo "warning: /usr/bin/chromium missing; install Debian's chromium package"; fi; \
	fi

# libical (the parser-agreement test reads feeds with it) is reachable only through the system
# python3's GObject bindings; install them when missing and we are allowed to.
libical-deps:
	@if ! /usr/bin/python3 -c 'import gi; gi.require_version("ICalGLib", "3.0")' 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gir1.2-ical-3.0 python3-gi >/dev/null) \
	      || echo "warning: could not install gir1.2-ical-3.0 and python3-gi"; \
	  else echo "warning: libical bindings missing; install Debian's gir1.2-ical-3.0 and python3-gi"; fi; \
	fi

# The HTML validity test runs the W3C Nu checker (npm's vnu-jar), which needs Java.
java-deps:
	@if ! command -v java >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null) \
	      || echo "warning: could not install default-jre-headless"; \
	  else echo "warning: java missing; install Debian's default-jre-headless"; fi; \
	fi

run: $(STAMP)
	$(BIN)/allhands db upgrade
	$(BIN)/allhands demo --if-empty
	$(BIN)/allhands serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP) $(NODE_STAMP) browser-deps libical-deps java-deps
	rm -f $(CHECK_DB)
	ALLHANDS_DATABASE_URL=sqlite:///$(CHECK_DB) ALLHANDS_SECRET_KEY=check $(BIN)/allhands db check
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

test: lint typecheck layers unit

# Refresh docs/screenshots/ from the browser tests (demo-like data, 1280 px wide).
screenshots: $(STAMP) browser-deps
	ALLHANDS_SCREENSHOTS=docs $(BIN)/pytest -q tests/browser

# Extract every marked string and update each language's catalogs (then translate the new
# entries; a test fails on any msgid left without a Dutch translation).
# Pages mix templates (Jinja's gettext(message), ngettext(singular, plural, n)) with Python
# (gettext(request, message, **values)): the keywords tell them apart by their argument count.
PAGES_KEYWORDS = -k N_ -k gettext:1,1t -k gettext:2,2t -k gettext:2,3t -k gettext:2,4t \
  -k gettext:2,5t -k gettext:2,6t -k ngettext:1,2,3t -k ngettext:2,3,4t -k ngettext:2,3,5t \
  -k ngettext:2,3,6t -k ngettext:2,3,7t

translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(PAGES_KEYWORDS) --no-location \
	  --sort-output -o core/locales/pages.pot web/templates web/pages web/templating.py web/app.py
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k gettext:2 -k ngettext:2,3 --no-location \
	  --sort-output -o core/locales/messages.pot core rotation onboarding kb_links flows web/api web/slack web/feeds
	for domain in pages messages; do \
	  $(BIN)/pybabel update -D $$domain -i core/locales/$$domain.pot -d core/locales --ignore-obsolete --no-fuzzy-matching; \
	done

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
