# Two commands for a fresh machine (see README):  make demo   |   make test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_HOME := $(CURDIR)/mlecurate-demo
DEMO_SPLITS ?= 3

.PHONY: setup demo test ui cluster cluster-stop test-cluster

# Dagster's instance settings: at most 2 steps at a time per pool (kaggle_downloads), so Kaggle is not flooded.
define DAGSTER_YAML
concurrency:
  pools:
    default_limit: 2
endef
export DAGSTER_YAML

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## setup: create .venv and install mlecurate with its dependencies
setup: $(VENV)/.installed

$(VENV)/.cluster-installed: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev,cluster]'
	touch $@

## demo: set up, then run the curation job on the built-in demo source (offline) in ./mlecurate-demo,
##       and prepare (data, leaderboard, split, parity) the first DEMO_SPLITS curated competitions
demo: setup
	mkdir -p $(DEMO_HOME)/dagster
	test -f $(DEMO_HOME)/dagster/dagster.yaml || echo "$$DAGSTER_YAML" > $(DEMO_HOME)/dagster/dagster.yaml
	export MLECURATE_HOME=$(DEMO_HOME) DAGSTER_HOME=$(DEMO_HOME)/dagster MLECURATE_META_KAGGLE=demo \
		MLECURATE_ANNOTATIONS=$(DEMO_HOME)/annotations && \
	$(BIN)/mlecurate demo-annotations && \
	$(BIN)/dagster job execute -m pipelines -j curation && \
	for slug in $$($(BIN)/mlecurate curated --slugs --limit $(DEMO_SPLITS)); do \
		for job in refresh_leaderboards prepare_competition; do \
			$(BIN)/dagster job execute -m pipelines -j $$job --tags "{\"dagster/partition\": \"$$slug\"}" || exit 1; \
		done; \
	done && \
	$(BIN)/mlecurate summary && \
	$(BIN)/mlecurate curated && \
	$(BIN)/mlecurate queue --limit 5

## test: set up, then lint, check the architecture (import-linter contracts in pyproject.toml) and run the tests
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest

## ui: serve the Dagster UI on http://127.0.0.1:3000 for MLECURATE_HOME (default ./mlecurate-data)
ui: setup
	export MLECURATE_HOME=$${MLECURATE_HOME:-$(CURDIR)/mlecurate-data} && \
	export DAGSTER_HOME=$${DAGSTER_HOME:-$$MLECURATE_HOME/dagster} && mkdir -p $$DAGSTER_HOME && \
	(test -f $$DAGSTER_HOME/dagster.yaml || echo "$$DAGSTER_YAML" > $$DAGSTER_HOME/dagster.yaml) && \
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p $${PORT:-3000}

## cluster: the stack beyond one machine, on this one (deploy/cluster.py): PostgreSQL for the Dagster instance, Redis,
##          Celery workers, moto (S3), the daemon and the webserver, state in ./mlecurate-cluster; apt-installs
##          postgresql and redis-server when missing. Then `. mlecurate-cluster/env.sh` and run jobs as usual.
cluster: $(VENV)/.cluster-installed
	$(BIN)/python deploy/cluster.py start

## cluster-stop: stop what `make cluster` started (by its pidfiles)
cluster-stop:
	$(PYTHON) deploy/cluster.py stop

## test-cluster: the tests that start a stack of their own (tests/test_cluster.py; `make test` leaves them out)
test-cluster: $(VENV)/.cluster-installed
	$(BIN)/pytest -m cluster -n 0 tests/test_cluster.py
