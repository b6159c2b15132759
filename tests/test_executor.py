"""Which executor the jobs use: in-process by default, Celery's when MLECURATE_EXECUTOR=celery (pipelines/executor.py)."""

from __future__ import annotations

import sys

import pytest

from curation.settings import Settings, SettingsError
from pipelines.executor import executor_for

BROKER = "redis://127.0.0.1:26379/0"


def test_the_default_is_the_in_process_executor():
    from pipelines import defs

    settings = Settings.from_environment({})
    assert (settings.executor, settings.celery_broker) == ("in_process", None)
    assert executor_for(settings).name == "in_process"
    assert {job.executor_def.name for job in defs.resolve_all_job_defs()} == {"in_process"}


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MLECURATE_EXECUTOR": "celery"}, "needs MLECURATE_CELERY_BROKER"),
        ({"MLECURATE_EXECUTOR": "k8s", "MLECURATE_CELERY_BROKER": BROKER}, "MLECURATE_EXECUTOR='k8s': expected"),
    ],
)
def test_a_bad_executor_setting_names_the_variable(environ, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_environment(environ)


def test_celery_without_the_cluster_extra_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "dagster_celery", None)  # as in the default install: importing it fails
    settings = Settings.from_environment({"MLECURATE_EXECUTOR": "celery", "MLECURATE_CELERY_BROKER": BROKER})
    with pytest.raises(SettingsError, match=r"pip install -e '\.\[cluster\]'"):
        executor_for(settings)


def test_celery_reads_its_broker_from_the_variables_at_run_time(monkeypatch):
    pytest.importorskip("dagster_celery", reason="the cluster extra is not installed (pip install -e '.[cluster]')")
    settings = Settings.from_environment({"MLECURATE_EXECUTOR": "celery", "MLECURATE_CELERY_BROKER": BROKER})
    assert (settings.celery_broker, settings.celery_backend) == (BROKER, None)
    executor = executor_for(settings)
    assert executor.name == "celery"
    # Configured by the variable's name (the UI never shows a broker password): its value is read when a run starts.
    monkeypatch.setenv("MLECURATE_CELERY_BROKER", "redis://elsewhere:6379/1")
    config = executor.config_schema.resolve_config({}).value["config"]
    assert (config["broker"], config["backend"]) == ("redis://elsewhere:6379/1", "redis://elsewhere:6379/1")
    monkeypatch.setenv("MLECURATE_CELERY_BACKEND", "redis://elsewhere:6379/2")
    backend = Settings.from_environment({"MLECURATE_EXECUTOR": "celery", "MLECURATE_CELERY_BROKER": BROKER,
                                         "MLECURATE_CELERY_BACKEND": "redis://elsewhere:6379/2"})  # fmt: skip
    assert executor_for(backend).config_schema.resolve_config({}).value["config"]["backend"].endswith("/2")


def test_download_steps_share_the_pool_and_go_to_their_own_celery_queue():
    from pipelines import defs

    for asset in ("competition_raw", "leaderboard_snapshots"):
        node = defs.resolve_assets_def(asset).node_def
        assert node.pool == "kaggle_downloads"
        assert node.tags["dagster-celery/queue"] == "kaggle_downloads"
