# Two commands: `make run` serves the demo, `make test` runs every test. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# Python writes its bytecode caches (__pycache__/, git-ignored) even where the environment says not to
# (PYTHONDONTWRITEBYTECODE): each test process, server and command started by the tests would
# otherwise compile the app and pytest rewrite every test file again (collecting tests/ took 7 s
# instead of 3).
unexport PYTHONDONTWRITEBYTECODE
# Extra pytest options for every pass, e.g. `make test PYTEST_FLAGS=--durations=25`
PYTEST_FLAGS ?=
PYTEST := $(BIN)/python -m pytest $(PYTEST_FLAGS)
# Workers for the parallel pass (pytest-xdist); each has its own SQLite file and PostgreSQL database.
WORKERS ?= auto
# Workers for the tests marked serial and for e2e/: their tests mostly wait (on servers, subprocesses,
# the browser), so `make test` runs e2e beside the other passes. The serial ones keep one worker.
SLOW_WORKERS ?= 1
E2E_WORKERS ?= 2

.PHONY: run test test-fast install test-deps chromium axe lint unit integration parallel slow e2e js serve clean suite

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

test-deps: $(VENV)/.installed-test chromium axe

# axe-core, the accessibility checker e2e/test_every_page.py runs on every page; pinned, kept out of git
AXE_VERSION := 4.14.1
axe:
	@scripts/ensure-axe $(AXE_VERSION)

## Create .venv, the SQLite database and the demo project, then serve on http://127.0.0.1:5000
run: install
	$(BIN)/annotator demo --port $(PORT)

# gthread workers: a slow client holds one of 4 x 16 threads, not a whole worker (a worker may accept
# all of a burst of slow clients: with 16 threads, 8 of them still leave it room); the limits keep
# request lines and headers small. See "Serving in production" in README.md.
GUNICORN := $(BIN)/gunicorn --worker-class gthread --workers 4 --threads 16 --timeout 60 \
	--keep-alive 5 --limit-request-line 8190 --limit-request-fields 100 \
	--limit-request-field_size 8190 --access-logfile -

## Production-style serving (gunicorn, several workers) and the job runner, on ANNOTATOR_DATABASE_URL
serve: install
	$(BIN)/annotator init-db
	$(BIN)/annotator jobs & runner=$$!; trap 'kill $$runner 2>/dev/null' EXIT INT TERM; \
	$(GUNICORN) --bind 127.0.0.1:$(PORT) 'annotator:create_app()'

chromium:
	@scripts/ensure-chromium

lint: $(VENV)/.installed-test
	$(BIN)/ruff check annotator tests e2e bench migrations scripts
	$(BIN)/ruff format --check annotator tests e2e bench migrations scripts
	$(BIN)/mypy

js:
	@if command -v node >/dev/null; then node --test tests/js/; else echo "node not found: JS unit tests skipped"; fi

## Pure unit tests only (tests/unit: no database, no app, no server): seconds
test-fast: $(VENV)/.installed-test
	$(PYTEST) -q tests/unit

unit: test-fast

## tests/ on SQLite and PostgreSQL: the in-process tests under xdist, then those marked serial
integration: parallel slow

parallel: $(VENV)/.installed-test
	$(PYTEST) -n $(WORKERS) -m "not serial" tests

# The tests marked serial start servers and subprocesses (each on its own port, folder and
# database): kept out of the CPU-bound parallel pass, in a pass of their own (SLOW_WORKERS at a time).
slow: $(VENV)/.installed-test
	$(PYTEST) -n $(SLOW_WORKERS) --dist loadgroup -m serial tests

# One server and one Chromium per worker; a file's tests stay on one worker (module fixtures).
e2e: test-deps
	$(PYTEST) -n $(E2E_WORKERS) --dist loadfile e2e

## Install what the tests need, then run two lines side by side: lint, JS unit tests, the
## in-process tests/ (SQLite and PostgreSQL) and e2e/ (Chromium), one after the other; and the
## tests marked serial (servers, subprocesses, benchmarks), which mostly wait, so the cores stay
## busy. No test depends on how much work fits in a time (loops are bounded by counts; the
## time-outs only end a hang), so passes side by side still pass.
test: test-deps
	$(MAKE) --no-print-directory --output-sync=target -j2 suite slow

# What `make test` runs beside the serial pass, one after the other (a line each: `make -j1` in a
# sub-make warns). The in-process tests and e2e each keep both cores busy on their own: run side by
# side as well (three passes at once) they competed: 7:07 and 7:22 (846 processor-seconds) against
# 6:20 (735) one after the other.
suite:
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory js
	$(MAKE) --no-print-directory parallel
	$(MAKE) --no-print-directory e2e

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .cache
