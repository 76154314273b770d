# Two commands on a fresh clone: `make demo` and `make test` (README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MESSAGES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
PORT ?= 8000

.PHONY: demo prod-local test test-slow bench backup restore lint format messages makemessages system system-test clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

system:
	./scripts/setup-system.sh base

system-test:
	./scripts/setup-system.sh test

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	msgfmt --check-format -o $@ $<

messages: $(MESSAGES)

makemessages: $(INSTALLED)
	DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=var

# Tools from the npm registry (package.json): jsQR, served to the kiosk from static/vendor/ (never a CDN),
# and axe-core for the accessibility checks of the browser journeys (test-only, never served).
NODE_TOOLS := node_modules/.installed
$(NODE_TOOLS): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

VENDORED := static/vendor/jsQR.js
static/vendor/jsQR.js: $(NODE_TOOLS)
	mkdir -p static/vendor
	cp node_modules/jsqr/dist/jsQR.js $@

demo: export DEBUG = 1
demo: export DEMO_MODE = 1
demo: system $(INSTALLED) $(VENDORED) messages
	mkdir -p var
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py seed_demo
	PORT=$(PORT) $(BIN)/python scripts/run_demo.py

# The production layout as separate processes on this machine (scripts/prod_local.py, deploy/): gunicorn on
# 127.0.0.1:$(PORT), a worker per court queue, the zone worker and beat, on the local PostgreSQL and Redis
# (DATABASE_URL and CELERY_BROKER_URL, else a database of its own and the local Redis).
prod-local: system $(INSTALLED) $(VENDORED) messages
	PORT=$(PORT) $(BIN)/python scripts/prod_local.py

test: export DEBUG = 1
test: system-test $(INSTALLED) $(NODE_TOOLS) $(VENDORED) messages
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

# The slow group (API fuzzing at 50+ examples per operation), left out of `make test` by pyproject's addopts.
test-slow: export DEBUG = 1
test-slow: system-test $(INSTALLED) $(VENDORED) messages
	$(BIN)/pytest -m slow $(PYTEST_ARGS)

# Benchmarks on PostgreSQL and Redis (scratch databases whose names contain "bench"); see bench/README.md.
# They run as production does (DEBUG off, which keeps no query log), with throwaway keys made for the run;
# the hand-off gets a database of its own, as request_sweep empties tables of its.
BENCH_KEYS = SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))') \
	FIELD_ENCRYPTION_KEYS=$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
	FIELD_LOOKUP_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))') \
	QUERY_CODE_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))')
BENCH_ENV = DEBUG=0 SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 $(BENCH_KEYS) CELERY_BROKER_URL=$${BENCH_BROKER_URL:-redis://127.0.0.1:6379/12}
bench: $(INSTALLED)
	$(BENCH_ENV) DATABASE_URL=$${BENCH_HANDOFF_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench_handoff} \
		$(BIN)/python -m bench.handoff $(BENCH_ARGS)
	$(BENCH_ENV) DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench} \
		$(BIN)/python -m bench.request_sweep
	$(BENCH_ENV) DATABASE_URL=$${BENCH_MEDIATION_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench_mediation} \
		$(BIN)/python -m bench.mediation
	$(BENCH_ENV) DATABASE_URL=$${BENCH_DOCUMENTS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench_documents} \
		$(BIN)/python -m bench.documents
	$(BENCH_ENV) QUERY_CODE_KEY=bench-status-lookup-query-codes-not-a-secret \
		DATABASE_URL=$${BENCH_STATUS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench_status} \
		$(BIN)/python -m bench.status_lookup
	$(BENCH_ENV) DATABASE_URL=$${BENCH_HISTORY_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench_history} \
		$(BIN)/python -m bench.history_import

# Backups (README "Backups and restore"): the PostgreSQL database named by DATABASE_URL and MEDIA_ROOT, into
# var/backups/<UTC time>/ or BACKUP_ARGS="--to DIR". A restore names the backup, the database and the folder.
# Neither depends on $(INSTALLED): a nightly backup on a court's server must not run pip install.
backup:
	$(BIN)/python scripts/backup.py $(BACKUP_ARGS)

restore:
	@test -n "$(FROM)" -a -n "$(RESTORE_DATABASE_URL)" -a -n "$(RESTORE_MEDIA_ROOT)" || { echo "usage: make restore FROM=var/backups/<time> RESTORE_DATABASE_URL=postgres://... RESTORE_MEDIA_ROOT=DIR [RESTORE_ARGS=--replace]" >&2; exit 2; }
	RESTORE_DATABASE_URL="$(RESTORE_DATABASE_URL)" $(BIN)/python scripts/restore.py --from "$(FROM)" --media-root "$(RESTORE_MEDIA_ROOT)" $(RESTORE_ARGS)

lint: export DEBUG = 1
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var .pytest_cache
