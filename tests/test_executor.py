"""Which executor the jobs use: in-process by default, Celery's when MLECURATE_EXECUTOR=celery (pipelines/executor.py)."""

from __future__ import annotations

import importlib
import importlib.util
import sys

import pytest

from curation.settings import (
    CELERY_APP_SETTINGS,
    CELERY_VISIBILITY_TIMEOUT,
    STEP_RETRIES_ON_WORKER_LOST,
    Settings,
    SettingsError,
)
from pipelines.executor import executor_for
from tests.conftest import PROJECT

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


def test_the_runs_and_the_workers_share_the_settings_that_run_a_killed_step_again(tmp_path, monkeypatch):
    """The executor's Celery settings are what deploy/cluster.py writes for its workers, and the worker's
    execute_plan task takes them: acknowledged late, sent again (at most twice) when its process dies."""
    pytest.importorskip("dagster_celery", reason="the cluster extra is not installed (pip install -e '.[cluster]')")
    from dagster_celery.make_app import make_app
    from dagster_celery.tasks import create_task

    monkeypatch.setenv("MLECURATE_CELERY_BROKER", BROKER)  # read when a run starts
    settings = Settings.from_environment({"MLECURATE_EXECUTOR": "celery", "MLECURATE_CELERY_BROKER": BROKER})
    config = executor_for(settings).config_schema.resolve_config({}).value["config"]
    assert config["config_source"] == CELERY_APP_SETTINGS
    spec = importlib.util.spec_from_file_location("deploy_cluster", PROJECT / "deploy" / "cluster.py")
    cluster = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, cluster)  # its dataclasses look their module up
    spec.loader.exec_module(cluster)
    (tmp_path / "postgres.password").write_text("not-a-password\n")
    cluster.write_configuration(cluster.Stack(tmp_path, cluster.PORTS), {"MLECURATE_HOME": str(tmp_path / "data")})
    monkeypatch.syspath_prepend(str(tmp_path / "celery"))  # as the workers' PYTHONPATH has it
    monkeypatch.delitem(sys.modules, "dagster_celery_config", raising=False)
    written = importlib.import_module("dagster_celery_config")
    assert {name: getattr(written, name) for name in CELERY_APP_SETTINGS} == CELERY_APP_SETTINGS
    task = create_task(make_app())  # the worker's app: dagster_celery.app, configured from dagster_celery_config
    assert (task.acks_late, task.retry_on_worker_lost, task.reject_on_worker_lost) == (True, True, True)
    assert (task.max_retries, task.default_retry_delay) == (STEP_RETRIES_ON_WORKER_LOST, 1)
    assert task.app.conf.broker_transport_options["visibility_timeout"] == CELERY_VISIBILITY_TIMEOUT
