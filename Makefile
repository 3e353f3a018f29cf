# alloy-py: build and test infrastructure.
#
#   make setup   venv (.venv) + npm packages + Debian Chromium, Firefox ESR, WebKitGTK's driver and Xvfb (idempotent)
#   make web     build web/dist/ (wheel + self-hosted Pyodide + loader + demo)
#   make dist    the releases in dist/: wheel, sdist, dev wheel, dist/alloy-py-<version>/ (what a site serves)
#   make test    make lint, then all tests (core + headless-browser) with pytest
#   make engines the core browser behaviours in every installed engine (tests/engines:
#                Chromium through Playwright, Firefox through puppeteer-core over WebDriver BiDi)
#   make lint    ruff check, mypy (strict) and import-linter (alloy_py's layers), all configured in pyproject.toml
#   make parity  run every parity scenario (alloy.js vs alloy-py), one line each
#   make check   the hostile catalogue and the security cases (clobbering, tampered files, storage flood)
#   make bench   alloy.js vs alloy-py in headless Chromium (ROUNDS=5), build/bench/results.json;
#                the first Edge request in every installed engine (bench/engines.py, ENGINE_ROUNDS=5);
#                then the durability counts (bench/durability.py, DURABILITY_ROUNDS=3)
#   make demo    the demo pages + the Edge emulator on http://127.0.0.1:$(DEMO_PORT)/ (HEADLESS=1: drive them)
#   make serve   web/dist + the local Edge emulator on http://127.0.0.1:$(SERVE_PORT)/
#   make clean   remove build outputs (distclean: also .venv and node_modules)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
CHROMIUM ?= /usr/bin/chromium
FIREFOX ?= /usr/bin/firefox-esr
WEBKIT_DRIVER ?= /usr/bin/WebKitWebDriver
STAMPS := build/stamps
PYTEST_ARGS ?= -q
DEMO_PORT ?= 8000
ROUNDS ?= 5
DURABILITY_ROUNDS ?= 3
ENGINE_ROUNDS ?= 5
SERVE_PORT ?= 8080

.PHONY: setup chromium firefox webkit web dist test engines lint parity check bench demo serve clean distclean

setup: chromium firefox webkit $(STAMPS)/venv $(STAMPS)/npm

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "make: $(CHROMIUM) missing: installing Debian chromium"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	fi

firefox:
	@if [ ! -x "$(FIREFOX)" ]; then \
	  echo "make: $(FIREFOX) missing: installing Debian firefox-esr"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q firefox-esr; \
	fi

# WebKit (Safari's engine) for tests/engines and tests/browser/test_webkit.py: WebKitWebDriver + MiniBrowser, on Xvfb.
webkit:
	@if [ ! -x "$(WEBKIT_DRIVER)" ] || [ ! -x /usr/bin/Xvfb ] || [ ! -x /usr/bin/xauth ]; then \
	  echo "make: WebKitWebDriver, Xvfb or xauth missing: installing Debian webkit2gtk-driver xvfb xauth"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q webkit2gtk-driver xvfb xauth; \
	fi

# Re-run pip only when a pyproject.toml, a requirements file or this Makefile changes (or the venv
# is gone): the test and dev tools pinned with their hashes (requirements/test.txt, --require-hashes),
# then alloy_py and the dev tools (dev/: alloy_py_dev, the alloy-py command) without dependencies or
# build isolation (hatchling is pinned there too), then pyodide-lock (requirements/pyodide-lock.txt).
$(STAMPS)/venv: pyproject.toml dev/pyproject.toml requirements/test.txt requirements/pyodide-lock.txt Makefile
	@mkdir -p $(STAMPS)
	@if [ ! -x "$(PY)" ]; then $(PYTHON) -m venv $(VENV); fi
	$(PY) -m pip install -q --disable-pip-version-check --require-hashes -r requirements/test.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . -e ./dev
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --ignore-requires-python \
	  --require-hashes -r requirements/pyodide-lock.txt
	@touch $@

# Re-run npm ci only when the lock changes (or node_modules is gone). puppeteer-core downloads no browser.
$(STAMPS)/npm: package-lock.json package.json
	@mkdir -p $(STAMPS)
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

ifeq ($(wildcard $(PY)),)
$(STAMPS)/venv: FORCE
endif
ifeq ($(wildcard node_modules/pyodide/package.json),)
$(STAMPS)/npm: FORCE
endif
.PHONY: FORCE
FORCE:

web: setup
	$(PY) tools/build_web.py
	$(PY) tools/build_demo.py

# The releases (tools/build_dist.py): wheel, sdist, the dev tools' wheel, dist/alloy-py-<version>/.
dist: web
	$(PY) tools/build_dist.py

# lint first: it takes seconds, the tests minutes.
test: lint web
	$(PY) -m pytest $(PYTEST_ARGS) tests

# All three run, whatever the first finds; fails if any does.
lint: setup
	@status=0; \
	echo "$(PY) -m ruff check"; $(PY) -m ruff check || status=1; \
	echo "$(PY) -m mypy"; $(PY) -m mypy || status=1; \
	echo "$(VENV)/bin/lint-imports"; $(VENV)/bin/lint-imports --no-cache || status=1; \
	exit $$status

# Every test in tests/engines, once per installed engine (a missing browser: skipped, with the reason).
engines: web
	ALLOY_PY_FIREFOX=$(FIREFOX) $(PY) -m pytest $(PYTEST_ARGS) -rs tests/engines

parity: web
	$(PY) -m tests.parity.report

# The hostile catalogue and the security cases: markup that clobbers currentScript, every file
# after the loader tampered with (in each installed engine), a storage flood, data-durable, a
# fragment in a stored URL, a CSP without 'wasm-unsafe-eval'. All of it is in `make test` too.
check: web
	$(PY) -m pytest $(PYTEST_ARGS) tests/browser/test_hostile.py tests/browser/test_site_loading.py \
	  tests/browser/test_boot_window.py tests/engines/test_core.py tests/core/test_hostile_answers.py \
	  -k "catalogue or bad_call or hostile or clobber or markup or tampered or csp or budget or durable or fragment"

bench: web
	ROUNDS=$(ROUNDS) $(PY) bench/run.py
	ROUNDS=$(ENGINE_ROUNDS) $(PY) bench/engines.py
	ROUNDS=$(DURABILITY_ROUNDS) $(PY) bench/durability.py

# make demo: the demo pages + the local Edge emulator; HEADLESS=1 drives them in Chromium.
demo: web
	$(PY) tools/demo.py --port $(DEMO_PORT) $(if $(HEADLESS),--headless)

serve: web
	$(PY) -m alloy_py_dev serve --port $(SERVE_PORT) \
	  $(if $(wildcard node_modules/@adobe/alloy/dist),--mount /vendor/alloy/=node_modules/@adobe/alloy/dist)

clean:
	rm -rf web/dist build dist test-results .pytest_cache
	find . -name __pycache__ -type d -not -path './node_modules/*' -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules
