# wikiseminar — the two Quick start commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Test processes in parallel (pytest-xdist); each gets its own wiki and databases.
JOBS   ?= 2
SUDO   := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: run install test test-deps system-deps python-test-deps lint translations bench clean

## make run: install into .venv, create the SQLite database and the demo seminar, serve on :5000
run: install
	$(BIN)/wikiseminar config init
	$(BIN)/wikiseminar db upgrade
	$(BIN)/wikiseminar demo
	$(BIN)/wikiseminar run --host $(HOST) --port $(PORT)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(MAKE) --no-print-directory translations

translations: $(BIN)/python
	$(BIN)/pybabel compile --use-fuzzy -d translations -D messages >/dev/null

## make test: install what the tests need (MediaWiki, Chromium, Python packages), run them all
test: test-deps
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile $(PYTEST_ARGS)

test-deps: system-deps python-test-deps

system-deps:
	bash tests/mediawiki/install.sh
	@command -v chromium >/dev/null && command -v pdftotext >/dev/null && \
	  ldconfig -p | grep -q 'libcairo.so.2 ' && ldconfig -p | grep -q 'libpango-1.0.so.0 ' || { \
	  $(SUDO) apt-get -o DPkg::Lock::Timeout=600 update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
	    --no-install-recommends chromium fonts-dejavu-core poppler-utils \
	    libcairo2 libpango-1.0-0 libpangoft2-1.0-0; }

python-test-deps: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(MAKE) --no-print-directory translations

lint: $(BIN)/python
	$(BIN)/ruff check src tests bench

## make bench: every benchmark script (see docs/benchmarks.md)
bench: test-deps
	$(BIN)/pip install --quiet -e '.[bench]'
	for script in bench/*.py; do \
		if [ "$$script" = bench/scale.py ]; then $(BIN)/python $$script sync --seminars 10 --workers 2 --repeats 1 || exit 1; \
		else $(BIN)/python $$script || exit 1; fi; \
	done

clean:
	rm -rf build dist .pytest_cache .ruff_cache
