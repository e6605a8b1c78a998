# The README's commands, from a fresh clone: `make demo` and `make test` (and `make lint`).
# Each bootstraps the same way: Python 3.12 (pyenv's when pyenv is there, else python3.12
# on PATH), uv in .tools/ (installed with that Python's pip), and the locked dependencies
# in .venv. Nothing is installed outside the clone but uv's download cache.

SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
UV := .tools/uv/bin/uv
PYTHON ?= $(shell \
	if command -v pyenv >/dev/null 2>&1 && pyenv prefix 3.12 >/dev/null 2>&1; then \
		echo "$$(pyenv prefix 3.12)/bin/python3.12"; \
	else \
		command -v python3.12; \
	fi)

# uv uses exactly $(PYTHON), never a downloaded one; and the system's certificate store.
export UV_PYTHON_DOWNLOADS := never
export UV_SYSTEM_CERTS := 1

DEMO_ARGS ?=
PYTEST_ARGS ?= -n auto

.PHONY: help demo test lint sync python messages

help:
	@echo "make demo   load demo data and serve it on http://127.0.0.1:8000/"
	@echo "make test   run the whole test suite (set DATABASE_URL for PostgreSQL)"
	@echo "make lint   ruff, ruff format --check, mypy, import-linter"
	@echo "make messages  refresh the message catalogues (.po) and compile them (.mo)"

demo: sync
	.venv/bin/supportdesk demo $(DEMO_ARGS)

test: sync
	.venv/bin/pytest $(PYTEST_ARGS)

lint: sync
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/lint-imports

# The site's one catalogue (portal/locale, LOCALE_PATHS): collect the strings of every app
# (GNU gettext), keep the translations, compile.
# A new language: add it to LANGUAGES in settings, then make messages LOCALES="cs de".
LOCALES ?= $(notdir $(wildcard src/supportdesk/portal/locale/*))
MESSAGES_IGNORE := --ignore 'migrations/*' --ignore '*/migrations/*'
messages: sync
	cd src/supportdesk && for l in $(LOCALES); do \
		DJANGO_SETTINGS_MODULE=supportdesk.config.settings ../../.venv/bin/django-admin \
			makemessages -l $$l --no-obsolete --no-location $(MESSAGES_IGNORE); \
	done
	cd src/supportdesk/portal && DJANGO_SETTINGS_MODULE=supportdesk.config.settings \
		../../../.venv/bin/django-admin compilemessages

sync: python $(UV)
	$(UV) sync --locked --extra dev --python "$(PYTHON)"

python:
	@if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))'; then \
		echo "Python 3.12 not found: install it (pyenv install 3.12) or run make PYTHON=/path/to/python3.12" >&2; \
		exit 1; \
	fi

$(UV):
	"$(PYTHON)" -m venv .tools/uv
	.tools/uv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Benchmarks (bench/README.md): the SLA clock against its peers. BENCH_ARGS=--quick for a short run.
BENCH_ARGS ?=
.PHONY: bench bench-sla

bench: bench-sla

bench-sla: python $(UV)
	$(UV) sync --locked --extra dev --extra bench --python "$(PYTHON)"
	.venv/bin/python bench/sla_clock.py $(BENCH_ARGS)

# Opening cases over HTTP against django-helpdesk (bench/README.md). BENCH_ARGS=--quick for a short run.
.PHONY: bench-cases

bench-cases: sync
	.venv/bin/python bench/open_cases.py $(BENCH_ARGS)

bench: bench-cases

# Every management report over 1,000,000 cases on PostgreSQL (bench/README.md).
# BENCH_ARGS=--quick for a short run.
.PHONY: bench-reports

bench-reports: sync
	.venv/bin/python bench/reports.py $(BENCH_ARGS)

bench: bench-reports

# The console's queue page at 1,000,000 cases on PostgreSQL against django-helpdesk's staff list
# (bench/README.md). BENCH_ARGS=--quick for a short run.
.PHONY: bench-queue

bench-queue: sync
	.venv/bin/python bench/console_queue.py $(BENCH_ARGS)

bench: bench-queue
# Uploading a log bundle through the server against a plain file copy (bench/README.md).
# BENCH_ARGS=--quick for a short run.
.PHONY: bench-upload

bench-upload: sync
	.venv/bin/python bench/upload.py $(BENCH_ARGS)

bench: bench-upload
# Knowledge-base search on SQLite and PostgreSQL against a naive LIKE (bench/README.md).
# BENCH_ARGS=--quick for a short run.
.PHONY: bench-kb

bench-kb: sync
	.venv/bin/python bench/kb_search.py $(BENCH_ARGS)

bench: bench-kb
