# Two commands for a fresh machine (see README):  make demo   |   make test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_HOME := $(CURDIR)/mlecurate-demo
DEMO_SPLITS ?= 3

.PHONY: setup demo test ui curate cluster cluster-stop test-cluster system-packages lock

# Dagster's instance settings: at most 2 steps at a time per pool (kaggle_downloads), so Kaggle is not flooded.
define DAGSTER_YAML
concurrency:
  pools:
    default_limit: 2
endef
export DAGSTER_YAML

# Every install is pinned by constraints.txt (`make lock` writes it): the same versions on every machine, and pip
# resolves at once instead of backtracking (about 40 s of a fresh `make test`'s install).
NEW_VENV := test -x $(BIN)/pip || $(PYTHON) -m venv $(VENV); $(BIN)/pip install --quiet --upgrade pip
$(VENV)/.installed: pyproject.toml constraints.txt
	$(NEW_VENV)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

## setup: create .venv and install mlecurate with its dependencies (the versions of constraints.txt)
setup: $(VENV)/.installed

# The cluster extra with the rest in one pip run (one resolution), so it does not wait for .installed; marks both.
$(VENV)/.cluster-installed: pyproject.toml constraints.txt
	$(NEW_VENV)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,cluster]'
	touch $(VENV)/.installed $@

## lock: write constraints.txt afresh: every extra installed unpinned in a throwaway venv, then `pip freeze`
lock:
	rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock && $(VENV)-lock/bin/pip install --quiet --upgrade pip
	$(VENV)-lock/bin/pip install --quiet -e '.[dev,cluster]'
	{ echo "# The versions every install takes (pip -c): written by \`make lock\` from pyproject.toml; do not edit by hand."; \
	  $(VENV)-lock/bin/pip freeze --exclude-editable; } > constraints.txt.tmp && mv constraints.txt.tmp constraints.txt
	rm -rf $(VENV)-lock

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

## system-packages: what the browser and cluster tests start, from Debian when missing: chromium and chromium-driver
##                  (tests/test_ui_browser.py), postgresql and redis-server (tests/test_cluster.py); sudo unless root
system-packages:
	@need=""; \
	command -v chromium >/dev/null || need="$$need chromium"; \
	command -v chromedriver >/dev/null || need="$$need chromium-driver"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$$need postgresql"; \
	command -v redis-server >/dev/null || need="$$need redis-server"; \
	if [ -n "$$need" ]; then \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
		echo "apt-get install$$need"; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$need; \
	fi

## test: set up (.venv with the cluster extra, the system packages above), then lint, check the architecture
##       (import-linter contracts in pyproject.toml) and run every test
test:
	$(MAKE) --no-print-directory -j2 system-packages $(VENV)/.cluster-installed  # apt and pip side by side
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

## curate: serve the curators' workbench on http://127.0.0.1:3100 (PORT=... for another) for MLECURATE_HOME: default
##         ./mlecurate-data, or ./mlecurate-demo when only `make demo` has built a warehouse
curate: setup
	export MLECURATE_HOME=$${MLECURATE_HOME:-$$(test ! -f $(CURDIR)/mlecurate-data/warehouse.duckdb \
		&& test -f $(DEMO_HOME)/warehouse.duckdb && echo $(DEMO_HOME) || echo $(CURDIR)/mlecurate-data)} && \
	$(BIN)/mlecurate serve --host 127.0.0.1 --port $${PORT:-3100}

## cluster: the stack beyond one machine, on this one (deploy/cluster.py): PostgreSQL for the Dagster instance, Redis,
##          Celery workers, moto (S3), the daemon and the webserver, state in ./mlecurate-cluster; apt-installs
##          postgresql and redis-server when missing. Then `. mlecurate-cluster/env.sh` and run jobs as usual.
cluster: $(VENV)/.cluster-installed
	$(BIN)/python deploy/cluster.py start

## cluster-stop: stop what `make cluster` started (by its pidfiles)
cluster-stop:
	$(PYTHON) deploy/cluster.py stop

## test-cluster: only the tests that start a stack of their own (tests/test_cluster.py; `make test` runs them too)
test-cluster: $(VENV)/.cluster-installed
	$(BIN)/pytest -m cluster -n 0 tests/test_cluster.py
