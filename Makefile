# Two commands for a fresh machine (see README):  make demo   |   make test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_HOME := $(CURDIR)/mlecurate-demo

.PHONY: setup demo test ui

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## setup: create .venv and install mlecurate with its dependencies
setup: $(VENV)/.installed

## demo: set up, then run the curation job on the built-in demo source (offline) in ./mlecurate-demo
demo: setup
	mkdir -p $(DEMO_HOME)/dagster
	export MLECURATE_HOME=$(DEMO_HOME) DAGSTER_HOME=$(DEMO_HOME)/dagster MLECURATE_META_KAGGLE=demo \
		MLECURATE_ANNOTATIONS=$(DEMO_HOME)/annotations && \
	$(BIN)/mlecurate demo-annotations && \
	$(BIN)/dagster job execute -m pipelines -j curation && \
	$(BIN)/mlecurate summary && \
	$(BIN)/mlecurate queue --limit 5

## test: set up, then lint and run the whole test suite
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

## ui: serve the Dagster UI on http://127.0.0.1:3000 for MLECURATE_HOME (default ./mlecurate-data)
ui: setup
	export MLECURATE_HOME=$${MLECURATE_HOME:-$(CURDIR)/mlecurate-data} && \
	export DAGSTER_HOME=$${DAGSTER_HOME:-$$MLECURATE_HOME/dagster} && mkdir -p $$DAGSTER_HOME && \
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p $${PORT:-3000}
