# e-Kinerja Kota Palembang: everyday commands.
#
#   make run    install into .venv, migrate the embedded database, load the demo, serve on
#               http://127.0.0.1:$(PORT) (default 8080) and print the URL and the demo logins
#   make test   install into .venv and run the whole test suite
#
# Needs only python3 (3.11) and make. The virtual environment is .venv/; requirements.txt is installed
# again only when it changes. Set DATABASE_URL to use PostgreSQL instead of instance/kinerja.db.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
PORT ?= 8080
HOST ?= 127.0.0.1
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
STAMP := $(VENV)/.requirements-installed
INSTANCE := $(or $(INSTANCE_PATH),instance)
DEMO_LOGINS := $(INSTANCE)/demo-logins.txt
# pytest-xdist: on 2 cores the suite runs in about 60 % of the serial time. PYTEST_ARGS adds options,
# e.g. make test PYTEST_ARGS="-x -k scope" or PYTEST_WORKERS=0 for a serial run.
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

export FLASK_APP := run.py
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install run serve db demo test i18n-check bench clean

help:
	@echo "e-Kinerja Kota Palembang"
	@echo "  make run    install, migrate, load the demo, serve on http://$(HOST):$(PORT)"
	@echo "  make test   install and run the whole test suite"
	@echo "Other targets:"
	@echo "  make install     only create .venv and install requirements.txt"
	@echo "  make db          migrate the database (flask db upgrade) and sync the roles"
	@echo "  make demo        make db, then load the Palembang demo data (idempotent)"
	@echo "  make serve       start the server without migrating or loading the demo"
	@echo "  make i18n-check  check the translation catalogs (python tools/i18n.py check)"
	@echo "  make bench       page benchmark on generated data (bench/bench_pages.py; BENCH_ARGS=...)"
	@echo "  make clean       remove .venv and caches (keeps instance/: database, secret key, uploads)"

# --- installation -------------------------------------------------------------------------------

$(PY):
	@echo "==> Creating the virtual environment $(VENV) with $$($(PYTHON) --version 2>&1)"
	@if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	  echo "error: $(PYTHON) must be Python 3.11 or newer (set PYTHON=python3.11)" >&2; exit 1; fi
	@if ! $(PYTHON) -m venv $(VENV) >/dev/null 2>&1; then \
	  rm -rf $(VENV); \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "==> Installing Debian's python3-venv (ensurepip is missing)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null \
	      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; }; \
	    $(PYTHON) -m venv $(VENV); \
	  else \
	    echo "error: '$(PYTHON) -m venv' failed. On Debian/Ubuntu run: sudo apt-get install python3-venv" >&2; \
	    exit 1; \
	  fi; \
	fi

$(STAMP): requirements.txt | $(PY)
	@echo "==> Installing requirements.txt into $(VENV) (only when requirements.txt changes)"
	@# (this machine's pip.conf may list local package folders that lack a package: pip warns about each)
	@$(PY) -m pip install --quiet --require-virtualenv -r requirements.txt \
	  2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
	@touch $(STAMP)

install: $(STAMP)

# --- database -------------------------------------------------------------------------------------

db: install
	@echo "==> Migrating the database (flask db upgrade)"
	@$(FLASK) db upgrade 2>&1 | { grep -v -e 'Context impl' -e 'Will assume' || true; }
	@echo "==> Synchronising roles (flask portal sync-roles)"
	@$(FLASK) portal sync-roles

# The demo prints its generated passwords only when it loads: the table is kept in $(DEMO_LOGINS)
# (mode 0600; instance/ is not committed) so that every later `make run` shows the logins again.
demo: db
	@echo "==> Loading the Palembang demo (flask portal demo; nothing is done when it is already loaded)"
	@mkdir -p $(INSTANCE)
	@umask 077; $(FLASK) portal demo | tee $(INSTANCE)/.demo-output.txt
	@if grep -q '^| ' $(INSTANCE)/.demo-output.txt; then mv $(INSTANCE)/.demo-output.txt $(DEMO_LOGINS); \
	 else rm -f $(INSTANCE)/.demo-output.txt; fi

# --- serving ----------------------------------------------------------------------------------------

run: demo serve

serve: install
	@echo
	@echo "================================================================================"
	@echo "  e-Kinerja Kota Palembang:  http://$(HOST):$(PORT)/"
	@if [ -f $(DEMO_LOGINS) ]; then \
	  echo "  Demo logins (saved when the demo was loaded, in $(DEMO_LOGINS)):"; \
	  grep -E '^[|+]' $(DEMO_LOGINS) | sed 's/^/  /'; \
	 else echo "  Sign in with your account (first admin: $(FLASK) portal create-admin)."; fi
	@echo "  Stop the server with Ctrl+C."
	@echo "================================================================================"
	@echo
	@$(FLASK) run --host $(HOST) --port $(PORT)

# --- tests ------------------------------------------------------------------------------------------

test: install
	@echo "==> Running the test suite ($(if $(TEST_DATABASE_URL),PostgreSQL from TEST_DATABASE_URL,SQLite))"
	@$(PY) -m pytest $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS)) $(PYTEST_ARGS)

i18n-check: install
	@$(PY) tools/i18n.py check

bench: install
	@$(PY) bench/bench_pages.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache test-output
	find . -name __pycache__ -type d -prune -not -path './instance/*' -exec rm -rf {} +
