# Thaw: `make run` serves a demo site on http://127.0.0.1:5000, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: setup db run test test-postgres test-schemathesis lint-imports bench bench-stats bench-search bench-notifications clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

db: setup
	$(FLASK) db upgrade
	$(FLASK) seed
	$(FLASK) demo

run: db
	$(FLASK) run --host 127.0.0.1 --port 5000

# One worker per core (pytest-xdist); each worker builds its app and template database once.
PYTEST := $(BIN)/pytest -q -n auto

test: setup lint-imports
	$(PYTEST)

test-postgres: setup
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-$(PG_TEST_URL)} $(PYTEST)

# schemathesis against a live Thaw (tools/fuzz_api.py): anonymous, then with a member token, a few
# thousand cases each within FUZZ_MAX_TIME seconds; no server error, no answer that breaks the description.
# SQLite by default; FUZZ_DATABASE_URL=postgresql://... runs it on a PostgreSQL schema of its own.
test-schemathesis: setup
	$(BIN)/python tools/fuzz_api.py

# The layers of app/ (.importlinter): a feature imports only the features below it.
lint-imports: setup
	$(BIN)/lint-imports --no-cache

bench: setup
	$(BIN)/python -m bench.forum

bench-stats: setup
	$(BIN)/python -m bench.stats

# Search on the 200,000-post community, SQLite then PostgreSQL (PG_TEST_URL): p50/p99, index size, reindex.
bench-search: setup
	$(BIN)/python -m bench.search
	$(BIN)/python -m bench.search --database-url $(PG_TEST_URL)

# A reply in a thread with 5,000 followers (request and fan-out job) and a 10,000-member daily digest.
bench-notifications: setup
	$(BIN)/python -m bench.notifications
	$(BIN)/python -m bench.notifications --database-url $(PG_TEST_URL)

clean:
	rm -rf $(VENV) instance .pytest_cache
