# make test: sets everything up on a fresh machine, then lint (ruff, and lint-imports for the layers in
# pyproject.toml) + the whole suite.
# make serve: sets up, then serves flows/ on 127.0.0.1:7071.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup test lint browser redis serve bench conformance clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

lint: setup
	$(BIN)/ruff check emulator tests bench
	$(BIN)/lint-imports

# The dashboard's browser tests drive Debian's chromium (never a downloaded browser): installed with apt-get
# when it is missing and apt works; otherwise those tests skip and say why.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing chromium (Debian package) for the dashboard's browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
	      || echo "chromium could not be installed: the browser tests will skip"; \
	  else echo "no /usr/bin/chromium and no apt-get as root: the browser tests will skip"; fi; \
	fi

# redis-server (Debian's package) for the shared-state tests (tests/shared_state/): installed with apt-get when
# it is missing and apt works; otherwise those tests skip and say why.
redis:
	@if ! command -v redis-server >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing redis-server (Debian package) for the shared-state tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null 2>&1 \
	      || echo "redis-server could not be installed: the shared-state tests will skip"; \
	  else echo "no redis-server and no apt-get as root: the shared-state tests will skip"; fi; \
	fi

test: setup lint browser redis
	$(BIN)/python -m pytest

conformance: setup
	$(BIN)/python -m emulator conformance ../shared/conformance/*.json

serve: setup
	$(BIN)/python -m emulator serve flows

bench: setup
	$(BIN)/python bench/expressions.py
	$(BIN)/python bench/runtime.py
	$(BIN)/python bench/http.py
	$(BIN)/python bench/builtins.py
	$(BIN)/python bench/testing.py
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) build *.egg-info
