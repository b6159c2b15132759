"""The stack beyond one machine (deploy/cluster.py, what `make cluster` runs): jobs on Celery workers, the Dagster
instance on PostgreSQL, the same warehouse as the embedded default. `make test` runs them with the rest (it installs
the `cluster` extra and Debian's postgresql and redis-server); `make test-cluster` runs only them. They start a stack
of their own (own state folder, free ports) and stop it at the end; a stack that cannot start fails them with its
reason, never skips them."""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.conftest import PROJECT
from tests.ui_browser import DAGSTER_YAML
from validation.data_root import ANNOTATIONS, CANDIDATES, COMPETITIONS, CONSOLIDATED, CURATED

pytestmark = pytest.mark.cluster

CLUSTER = PROJECT / "deploy" / "cluster.py"
BIN = Path(sys.executable).parent
CURATION_STEPS = {"meta_kaggle_competitions", "candidate_competitions", "competition_annotations",
                  "curated_competitions"}  # fmt: skip
CURATION_TABLES = [COMPETITIONS, CANDIDATES, ANNOTATIONS, CONSOLIDATED, CURATED]
HOST = socket.gethostname()
POOL = "kaggle_downloads"


@dataclass(frozen=True)
class Cluster:
    state: Path
    env: dict[str, str]  # what env.sh exports, over this process's environment

    @property
    def home(self) -> Path:
        return Path(self.env["MLECURATE_HOME"])

    def run(self, *command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        done = subprocess.run([str(BIN / command[0]), *command[1:]], cwd=PROJECT, env=env or self.env,
                              capture_output=True, text=True, timeout=240, check=False)  # fmt: skip
        assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.from_config(self.env["DAGSTER_HOME"])

    def worker_log(self, name: str) -> str:
        return (self.state / "logs" / f"worker-{name}.log").read_text(errors="replace")


def free_port() -> int:
    """A free port below Linux's ephemeral range (where outgoing connections take theirs), as the stack's defaults."""
    while True:
        port = random.randrange(20000, 32000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


@pytest.fixture(scope="session")
def cluster():
    # Under /tmp, readable on the way down: PostgreSQL runs as the postgres user, and pytest's tmp_path is 0700.
    state = Path(tempfile.mkdtemp(prefix="mlecurate-cluster-test-"))
    state.chmod(0o755)
    ports = [arg for name in ("postgres", "redis", "moto", "webserver") for arg in (f"--{name}-port", str(free_port()))]
    env = {name: value for name, value in os.environ.items() if not name.startswith(("MLECURATE_", "DAGSTER_"))}
    env |= {"MLECURATE_HOME": str(state / "data"), "MLECURATE_ANNOTATIONS": str(state / "annotations"),
            "MLECURATE_META_KAGGLE": "demo"}  # fmt: skip
    command = [sys.executable, str(CLUSTER), "--state", str(state), *ports]
    began = time.monotonic()
    start = subprocess.run([*command, "start", "--no-install"], env=env, capture_output=True, text=True, timeout=400)
    print(f"stack started in {time.monotonic() - began:.1f} s:\n{start.stdout}")
    try:
        if start.returncode:
            pytest.fail(f"the stack did not start ({' '.join(command)} start):\n{start.stdout}\n{start.stderr}")
        variables = json.loads((state / "stack.json").read_text())["variables"]
        yield Cluster(state, {**env, **variables})
    finally:
        stop = subprocess.run([*command, "stop"], capture_output=True, text=True, timeout=200)
        print(stop.stdout, stop.stderr)
        assert stop.returncode == 0, stop.stderr
        shutil.rmtree(state)


@pytest.fixture(scope="session")
def curation_run(cluster) -> str:
    """The id of one run of the curation job on the stack, with the demo's annotations."""
    cluster.run("mlecurate", "demo-annotations")
    cluster.run("dagster", "job", "execute", "-m", "pipelines", "-j", "curation")
    with cluster.instance() as instance:
        return instance.get_run_records(dg.RunsFilter(job_name="curation"), limit=1)[0].dagster_run.run_id


def celery_workers_by_step(instance: dg.DagsterInstance, run_id: str) -> dict[str, str]:
    """Which Celery worker ran each step: dagster-celery's engine event "Executing steps ... in celery worker"."""
    return {
        event.step_key: event.dagster_event.engine_event_data.metadata["Celery worker"].value
        for event in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)
        if event.dagster_event.message.endswith("in celery worker")
    }


def test_curation_runs_its_steps_on_the_celery_worker(cluster, curation_run):
    with cluster.instance() as instance:
        assert instance.get_run_by_id(curation_run).status == dg.DagsterRunStatus.SUCCESS
        assert celery_workers_by_step(instance, curation_run) == dict.fromkeys(CURATION_STEPS, f"steps@{HOST}")
    log = cluster.worker_log("steps").splitlines()  # the worker's own log names each step of the run
    for step in CURATION_STEPS:
        success = f'STEP_SUCCESS - Finished execution of step "{step}"'
        assert any(curation_run in line and success in line for line in log), step


def test_curation_run_is_recorded_in_postgres(cluster, curation_run):
    import psycopg2  # dagster-postgres's driver

    stack = json.loads((cluster.state / "stack.json").read_text())
    password = (cluster.state / "postgres.password").read_text().strip()
    with psycopg2.connect(host="127.0.0.1", port=stack["ports"]["postgres"], dbname="dagster", user="mlecurate",
                          password=password) as connection, connection.cursor() as cursor:  # fmt: skip
        cursor.execute("SELECT pipeline_name, status FROM runs WHERE run_id = %s", (curation_run,))
        assert cursor.fetchall() == [("curation", "SUCCESS")]
        cursor.execute("SELECT count(DISTINCT step_key) FROM event_logs WHERE run_id = %s AND "
                       "dagster_event_type = 'STEP_SUCCESS'", (curation_run,))  # fmt: skip
        assert cursor.fetchone()[0] == len(CURATION_STEPS)


def test_curation_tables_equal_those_of_the_embedded_default(cluster, curation_run, tmp_path):
    embedded = tmp_path / "embedded"
    (embedded / "dagster").mkdir(parents=True)
    (embedded / "dagster" / "dagster.yaml").write_text(DAGSTER_YAML)
    env = {name: value for name, value in cluster.env.items() if not name.startswith(("MLECURATE_", "DAGSTER_"))}
    env |= {"MLECURATE_HOME": str(embedded), "DAGSTER_HOME": str(embedded / "dagster"), "MLECURATE_META_KAGGLE": "demo",
            "MLECURATE_ANNOTATIONS": cluster.env["MLECURATE_ANNOTATIONS"]}  # the same annotation files  # fmt: skip
    ran = cluster.run("dagster", "job", "execute", "-m", "pipelines", "-j", "curation", env=env)
    assert "celery" not in ran.stderr.lower()  # the default executor: no Celery anywhere
    for table in CURATION_TABLES:
        on_cluster, on_default = (rows(home / "warehouse.duckdb", table) for home in (cluster.home, embedded))
        assert on_cluster, table
        assert on_cluster == on_default, table


def rows(warehouse: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def test_download_steps_wait_for_the_pool_then_run_on_the_download_worker(cluster, curation_run):
    """Both kaggle_downloads slots taken in the instance: a leaderboard refresh waits, whichever worker is free,
    and starts once they are given back; it runs on the worker serving the kaggle_downloads queue."""
    slug = cluster.run("mlecurate", "curated", "--slugs", "--limit", "1").stdout.split()[0]
    with cluster.instance() as instance:
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default(POOL)  # as the first step of the pool would
        assert storage.get_concurrency_info(POOL).slot_count == 2  # dagster.yaml's default_limit
        for holder in ("holder-1", "holder-2"):
            assert storage.claim_concurrency_slot(POOL, holder, "hold").is_claimed
        command = [str(BIN / "dagster"), "job", "execute", "-m", "pipelines", "-j", "refresh_leaderboards",
                   "--tags", json.dumps({"dagster/partition": slug})]  # fmt: skip
        refresh = subprocess.Popen(command, cwd=PROJECT, env=cluster.env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)  # fmt: skip
        try:
            time.sleep(20)  # the run starts within seconds; its download step must not
            assert refresh.poll() is None, refresh.communicate()[0][-3000:]
            released = time.time()
        finally:
            for holder in ("holder-1", "holder-2"):
                storage.free_concurrency_slots_for_run(holder)
        output = refresh.communicate(timeout=180)[0]
        assert refresh.returncode == 0, output[-3000:]
        run_id = instance.get_run_records(dg.RunsFilter(job_name="refresh_leaderboards"), limit=1)[0].dagster_run.run_id
        started = [event.timestamp for event in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_START)
                   if event.step_key == "leaderboard_snapshots"]  # fmt: skip
        assert len(started) == 1 and started[0] >= released
        assert celery_workers_by_step(instance, run_id)["leaderboard_snapshots"] == f"downloads@{HOST}"
    assert f'Submitting celery task for step "leaderboard_snapshots" to queue "{POOL}"' in output
