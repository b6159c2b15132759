"""The executor every job uses: today's in-process one, or Dagster's Celery executor on a cluster (`make cluster`)."""

import dagster as dg

from curation.settings import CELERY, CELERY_APP_SETTINGS, Settings, SettingsError

BROKER_VARIABLE, BACKEND_VARIABLE = "MLECURATE_CELERY_BROKER", "MLECURATE_CELERY_BACKEND"


def executor_for(settings: Settings) -> dg.ExecutorDefinition:
    """In-process unless ``MLECURATE_EXECUTOR=celery``: then each step is a Celery task on the workers listening on
    ``MLECURATE_CELERY_BROKER``. The run's process still orchestrates, and claims pool slots (``kaggle_downloads``)
    in the Dagster instance before it sends a step, so a pool's limit holds across every worker and run."""
    if settings.executor != CELERY:
        # One process per run, its steps one after the other: a competition's steps depend on each other anyway, and
        # a process per step costs seconds of imports each on a small machine. Pools still hold.
        return dg.in_process_executor
    try:
        from dagster_celery import celery_executor  # only the `cluster` extra installs it
    except ImportError as error:
        raise SettingsError(
            "MLECURATE_EXECUTOR=celery needs dagster-celery: pip install -e '.[cluster]' (or `make cluster`)"
        ) from error
    # Config from the variables, as Dagster reads them at run time: the UI shows their names, never a broker password.
    backend = BACKEND_VARIABLE if settings.celery_backend else BROKER_VARIABLE
    # The app's settings (a step whose worker dies runs again) are the workers' too: deploy/cluster.py writes them.
    config = {"broker": {"env": BROKER_VARIABLE}, "backend": {"env": backend}, "config_source": CELERY_APP_SETTINGS}
    return celery_executor.configured(config, name="celery")
