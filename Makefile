# make test: sets everything up on a fresh machine, then lint (ruff, and lint-imports for the layers in
# pyproject.toml) + the whole suite.
# make serve: sets up, then serves flows/ on 127.0.0.1:7071.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup test lint serve bench conformance clean

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

test: setup lint
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

clean:
	rm -rf $(VENV) build *.egg-info
