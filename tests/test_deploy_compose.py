"""deploy/compose.yaml against deploy/cluster.py, the stack tests/test_cluster.py runs: Docker is not installed here,
so the compose file is never started; these check that it says what the tested stack does (the same worker commands
and queues, the variables its services get, the Dagster instance's settings, the workers' Celery settings)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml

from assets.pools import KAGGLE_DOWNLOADS
from tests.conftest import PROJECT

spec = importlib.util.spec_from_file_location("deploy_cluster", PROJECT / "deploy" / "cluster.py")
cluster = sys.modules.setdefault("deploy_cluster", importlib.util.module_from_spec(spec))
spec.loader.exec_module(cluster)

COMPOSE = yaml.safe_load((PROJECT / "deploy" / "compose.yaml").read_text())
DOCKERFILE = (PROJECT / "deploy" / "Dockerfile").read_text()
MLECURATE_SERVICES = ("daemon", "webserver", *(f"worker-{name}" for name, _queue, _concurrency in cluster.WORKERS))


def settings_variables() -> set[str]:
    """The variables curation/settings.py documents (its table: the one place the environment is read)."""
    return set(re.findall(r"``(MLECURATE_[A-Z0-9_]+)``", (PROJECT / "curation" / "settings.py").read_text()))


def interpolated(value: str, given: dict[str, str]) -> str:
    """``value`` with Compose's ${NAME:-default} and ${NAME:?error} filled from ``given`` (error when unset)."""

    def fill(match: re.Match) -> str:
        name, kind, rest = match.group(1), match.group(2), match.group(3)
        if given.get(name):
            return given[name]
        if kind == ":?":
            raise KeyError(f"{name}: {rest}")
        return rest

    return re.sub(r"\$\{([A-Z_]+)(:-|:\?)([^}]*)\}", fill, value)


def environment(service: str, given: dict[str, str]) -> dict[str, str]:
    """The service's variables as Compose would give them, from an .env holding ``given``."""
    declared = COMPOSE["services"][service]["environment"]
    return {name: interpolated(value, given) if value is not None else given[name]
            for name, value in declared.items() if value is not None or name in given}  # fmt: skip


def test_every_mlecurate_service_runs_the_image_built_from_the_dockerfile():
    for service in MLECURATE_SERVICES:
        build = COMPOSE["services"][service]["build"]
        dockerfile = PROJECT / "deploy" / build["context"] / build["dockerfile"]
        assert dockerfile.resolve() == PROJECT / "deploy" / "Dockerfile"
        assert COMPOSE["services"][service]["working_dir"] == re.search(r"^WORKDIR (\S+)$", DOCKERFILE, re.M).group(1)
    assert "pip install '.[cluster]'" in DOCKERFILE  # dagster-postgres, dagster-celery, s3fs
    for package in ("pipelines", "assets", "curation", "splits", "validation"):  # pyproject's packages
        assert f"COPY {package} ./{package}\n" in DOCKERFILE
    assert re.search(r"^COPY .*\bworkspace\.yaml\b", DOCKERFILE, re.M)  # what -w workspace.yaml names


@pytest.mark.parametrize(("name", "queue", "concurrency"), cluster.WORKERS)
def test_each_worker_runs_the_command_deploy_cluster_gives_it(name, queue, concurrency):
    command = [interpolated(part, {}) for part in COMPOSE["services"][f"worker-{name}"]["command"]]
    expected = cluster.worker_command(name, queue, concurrency or cluster.STEPS_CONCURRENCY)
    assert command == [Path(expected[0]).name, *expected[1:]]  # `celery` on the image's PATH


def test_the_downloads_worker_serves_the_pool_queue_and_the_steps_worker_every_other_step():
    queues = {name: queue for name, queue, _concurrency in cluster.WORKERS}
    assert queues == {"steps": "dagster", "downloads": KAGGLE_DOWNLOADS}
    for name, queue in queues.items():
        command = COMPOSE["services"][f"worker-{name}"]["command"]
        assert command[command.index("-Q") + 1] == queue


def test_the_steps_concurrency_is_a_setting_of_the_compose_file():
    command = COMPOSE["services"]["worker-steps"]["command"]
    assert interpolated(command[command.index("-c") + 1], {"STEPS_CONCURRENCY": "5"}) == "5"


def test_services_get_the_variables_deploy_cluster_gives_its_services(tmp_path):
    stack = cluster.Stack(tmp_path, cluster.PORTS)
    given = {"MLECURATE_HOME": "s3://bucket/prefix", "DAGSTER_POSTGRES_PASSWORD": "secret"}
    for service in MLECURATE_SERVICES:
        variables = environment(service, given)
        assert set(cluster.stack_variables(stack, {})) <= set(variables), service
        assert variables["MLECURATE_EXECUTOR"] == "celery"
        assert variables["MLECURATE_CELERY_BROKER"] == "redis://redis:6379/0"  # the redis service
        assert variables["MLECURATE_HOME"] == "s3://bucket/prefix"
        assert variables["DAGSTER_HOME"] == "/opt/dagster/home"
        assert "MLECURATE_S3_ENDPOINT_URL" not in variables  # unset for AWS itself
    minio = environment("daemon", given | {"MLECURATE_S3_ENDPOINT_URL": "http://minio:9000"})
    assert minio["MLECURATE_S3_ENDPOINT_URL"] == "http://minio:9000"


def test_a_missing_data_root_or_database_password_stops_compose():
    with pytest.raises(KeyError, match="MLECURATE_HOME=s3://bucket/prefix"):
        environment("daemon", {"DAGSTER_POSTGRES_PASSWORD": "secret"})
    with pytest.raises(KeyError, match="DAGSTER_POSTGRES_PASSWORD"):
        environment("daemon", {"MLECURATE_HOME": "s3://bucket/prefix"})


def test_every_mlecurate_variable_in_the_compose_file_is_one_the_settings_read():
    named = {name for service in MLECURATE_SERVICES for name in COMPOSE["services"][service]["environment"]
             if name.startswith("MLECURATE_")}  # fmt: skip
    assert named - settings_variables() == set()
    assert {"MLECURATE_HOME", "MLECURATE_EXECUTOR", "MLECURATE_CELERY_BROKER"} <= named


def instance_written_by_deploy_cluster(tmp_path: Path) -> dict:
    stack = cluster.Stack(tmp_path, cluster.PORTS)
    (tmp_path / "postgres.password").write_text("secret\n")
    cluster.write_configuration(stack, cluster.stack_variables(stack, {"MLECURATE_HOME": str(tmp_path / "data")}))
    return yaml.safe_load((stack.dagster_home / "dagster.yaml").read_text())


def test_the_dagster_instance_is_the_one_deploy_cluster_writes(tmp_path):
    """Same storages (classes and database settings' names), same pools and run queue limits."""
    written = instance_written_by_deploy_cluster(tmp_path)
    composed = yaml.safe_load(COMPOSE["configs"]["dagster_yaml"]["content"])
    assert set(composed) == set(written)
    for section, value in written.items():
        if section == "concurrency":
            assert composed[section] == value
            continue
        assert (composed[section]["module"], composed[section]["class"]) == (value["module"], value["class"])
        database, ours = composed[section]["config"]["postgres_db"], value["config"]["postgres_db"]
        assert set(database) == set(ours) and database["scheme"] == ours["scheme"]
        assert all(isinstance(database[key], dict) and set(database[key]) == {"env"}
                   for key in database if key != "scheme")  # from the environment  # fmt: skip


def test_the_instance_settings_are_valid_for_dagster_postgres(monkeypatch):
    """dagster-postgres's own config schema accepts the compose file's storages, filled from the variables the
    services get."""
    from dagster._config import process_config
    from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

    classes = {"run_storage": PostgresRunStorage, "event_log_storage": PostgresEventLogStorage,
               "schedule_storage": PostgresScheduleStorage}  # fmt: skip
    composed = yaml.safe_load(COMPOSE["configs"]["dagster_yaml"]["content"])
    variables = environment("daemon", {"MLECURATE_HOME": "s3://bucket/prefix", "DAGSTER_POSTGRES_PASSWORD": "secret"})
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    for section, storage in classes.items():
        result = process_config(storage.config_type(), composed[section]["config"])
        assert result.success, (section, result.errors)
        database = result.value["postgres_db"]
        assert (database["hostname"], database["port"], database["password"]) == ("postgres", 5432, "secret")


def celery_settings(module_text: str, broker: str, monkeypatch) -> dict:
    monkeypatch.setenv("MLECURATE_CELERY_BROKER", broker)
    namespace: dict = {}
    exec(compile(module_text, "dagster_celery_config.py", "exec"), namespace)
    return {name: value for name, value in namespace.items() if not name.startswith("__")}


def test_the_workers_celery_settings_are_the_ones_deploy_cluster_writes(tmp_path, monkeypatch):
    """The compose file's dagster_celery_config module gives the workers what deploy/cluster.py's does, and nothing
    else (dagster_celery.app takes every name in the module as a Celery setting)."""
    instance_written_by_deploy_cluster(tmp_path)
    stack = cluster.Stack(tmp_path, cluster.PORTS)
    written = celery_settings((tmp_path / "celery" / "dagster_celery_config.py").read_text(), "unused", monkeypatch)
    composed = celery_settings(COMPOSE["configs"]["celery_config"]["content"], stack.broker, monkeypatch)
    assert composed == written
    assert composed["task_acks_late"] is True and composed["broker_url"] == stack.broker


def test_the_webserver_listens_on_the_hosts_loopback_only():
    assert COMPOSE["services"]["webserver"]["ports"] == ["127.0.0.1:3000:3000"]
    for service, settings in COMPOSE["services"].items():
        if service != "webserver":
            assert "ports" not in settings, service  # Redis has no password: neither it nor PostgreSQL is published
