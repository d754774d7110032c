# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
HOST ?= 127.0.0.1
PORT ?= 8000
# PostgreSQL driver in .venv: psycopg (3, what requirements.txt installs) or psycopg2.
# `make test PG_DRIVER=psycopg2` swaps it in place (Django uses psycopg 3 whenever it is
# installed, so the other one is uninstalled); see README "PostgreSQL driver".
PG_DRIVER ?= psycopg
DRIVER_PACKAGES := psycopg psycopg-binary psycopg-c psycopg2 psycopg2-binary

.PHONY: run test lint format bench mutation install install-dev clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/activate requirements.txt requirements-psycopg.txt
	$(PIP) install --quiet -r requirements.txt
	rm -f $(VENV)/.driver-*
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.driver-*
	touch $@

# Test-only JavaScript (axe-core for the browser tests' accessibility checks), from the lock.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.driver-$(PG_DRIVER): $(VENV)/.installed requirements-$(PG_DRIVER).txt
	rm -f $(VENV)/.driver-*
	$(PIP) uninstall --quiet --yes $(DRIVER_PACKAGES) 2>/dev/null || true
	$(PIP) install --quiet -r requirements-$(PG_DRIVER).txt
	touch $@

install: $(VENV)/.installed $(VENV)/.driver-$(PG_DRIVER)
install-dev: $(VENV)/.installed-dev $(VENV)/.driver-$(PG_DRIVER)

# The app's defaults are production-safe (DEBUG off, no SECRET_KEY); `make run` switches on
# development explicitly, with a random key of this checkout kept in .dev-secret-key (never
# committed) so that logins survive restarts. DEBUG or SECRET_KEY from the environment win.
DEV_SECRET_KEY_FILE := .dev-secret-key
DEV_ENV = DEBUG="$${DEBUG:-true}" SECRET_KEY="$${SECRET_KEY:-$$(cat $(DEV_SECRET_KEY_FILE))}"

$(DEV_SECRET_KEY_FILE):
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(64))' > $@

# The Tenant URL, Location headers and $refs name the address the server really listens on.
run: export PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
# An OpenID Connect provider on this machine may speak plain HTTP in development.
run: export SSO_ALLOW_HTTP_LOOPBACK ?= true
run: install $(DEV_SECRET_KEY_FILE)
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	@echo ""
	@echo "  Visitor Management is starting on http://$(HOST):$(PORT)/"
	@echo "  Log in as admin@demo.example / demo-admin-password (staff: staff@demo.example / demo-staff-password)"
	@echo ""
	$(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Tests run with tests/settings.py (DEBUG on and a test-only key, set explicitly there).
test: lint node_modules/.installed
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install-dev
	$(PY) -m bench.scim_bench

# Mutation testing of the SCIM protocol code (config in setup.cfg [mutmut]); not run in CI.
# SQLite: the first test session migrates one in-memory database and every forked worker
# starts from its own copy of it (tests/conftest.py). Results are kept in mutants/: a rerun
# checks only mutants whose code changed or that were not checked yet.
mutation: install-dev
	env -u DATABASE_URL $(VENV)/bin/mutmut run --max-children 2
	$(PY) tools/mutation_report.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles $(DEV_SECRET_KEY_FILE)
