"""The stack beyond one machine (deploy/cluster.py, what `make cluster` runs): jobs on Celery workers, the Dagster
instance on PostgreSQL, the same warehouse as the embedded default. `make test` runs them with the rest (it installs
the `cluster` extra and Debian's postgresql and redis-server); `make test-cluster` runs only them. They start a stack
of their own (own state folder, free ports) and stop it at the end; a stack that cannot start fails them with its
reason, never skips them."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
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

from curation.annotations import AnnotationStore
from splits.layout import SPLIT_CHECKS
from tests.conftest import PROJECT
from tests.ui_browser import DAGSTER_YAML
from validation.data_files import content_checksum
from validation.data_root import ANNOTATIONS, CANDIDATES, COMPETITIONS, CONSOLIDATED, CURATED, DataRoot, PreparedFolder

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
    command: tuple[str, ...]  # deploy/cluster.py with the stack's state folder and ports

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


@contextlib.contextmanager
def stack(variables: dict[str, str]):
    """A stack of its own (own state folder, free ports) started with ``variables`` (MLECURATE_*), stopped after."""
    # Under /tmp, readable on the way down: PostgreSQL runs as the postgres user, and pytest's tmp_path is 0700.
    state = Path(tempfile.mkdtemp(prefix="mlecurate-cluster-test-"))
    state.chmod(0o755)
    ports = [arg for name in ("postgres", "redis", "moto", "webserver") for arg in (f"--{name}-port", str(free_port()))]
    env = {name: value for name, value in os.environ.items() if not name.startswith(("MLECURATE_", "DAGSTER_"))}
    env |= {name: value.format(state=state) for name, value in variables.items()}
    command = [sys.executable, str(CLUSTER), "--state", str(state), *ports]
    began = time.monotonic()
    start = subprocess.run([*command, "start", "--no-install"], env=env, capture_output=True, text=True, timeout=400)
    print(f"stack started in {time.monotonic() - began:.1f} s:\n{start.stdout}")
    try:
        if start.returncode:
            pytest.fail(f"the stack did not start ({' '.join(command)} start):\n{start.stdout}\n{start.stderr}")
        variables = json.loads((state / "stack.json").read_text())["variables"]
        yield Cluster(state, {**env, **variables}, tuple(command))
    finally:
        stop = subprocess.run([*command, "stop"], capture_output=True, text=True, timeout=200)
        print(stop.stdout, stop.stderr)
        assert stop.returncode == 0, stop.stderr
        shutil.rmtree(state)


@pytest.fixture(scope="module")
def cluster():
    with stack({"MLECURATE_HOME": "{state}/data", "MLECURATE_ANNOTATIONS": "{state}/annotations",
                "MLECURATE_META_KAGGLE": "demo"}) as started:  # fmt: skip
        yield started


@pytest.fixture(scope="module")
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


# ---------------------------------------------------------------------------------------------------- a worker killed
# A step's worker killed mid-split (curation.settings.CELERY_APP_SETTINGS says how the step then runs again). The
# kill lands while the staging folder is half written: the test freezes the process (SIGSTOP) as soon as the new
# train.csv appears, checks the published split and the staging folder while it is frozen, then kills it (SIGKILL).

SPLIT, PARITY = "competition_split", "split_parity"
WITHOUT_PARITY = ("competition_raw", SPLIT)  # parity takes 10-40 s on the grown data: one test runs it
COPIES = 100  # the demo's 1,200 training rows this many times over: seconds of real work for the split to be killed in


def prepare_command(slug: str, steps: tuple[str, ...] = ()) -> list[str]:
    """The prepare_competition job for ``slug``: every step, or only ``steps``."""
    selection = ["--op-selection", ",".join(steps)] if steps else []
    return [str(BIN / "dagster"), "job", "execute", "-m", "pipelines", "-j", "prepare_competition", *selection,
            "--tags", json.dumps({"dagster/partition": slug})]  # fmt: skip


@contextlib.contextmanager
def prepare_run(cluster: Cluster, slug: str, steps: tuple[str, ...]):
    """The prepare_competition job for ``slug`` running on the stack while the block runs; it must then end in
    success within 240 s (and is killed if the block fails)."""
    run = subprocess.Popen(prepare_command(slug, steps), cwd=PROJECT, env=cluster.env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        yield run
        output = run.communicate(timeout=240)[0]
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    assert run.returncode == 0, output[-3000:]


@pytest.fixture(scope="module")
def published_splits(cluster, curation_run) -> list[tuple[PreparedFolder, dict[str, str]]]:
    """Two curated competitions (not the pool test's) prepared on the stack at once, with the demo's data and recipe:
    each fault test's published split, and the sha256 of every file in it."""
    slugs = cluster.run("mlecurate", "curated", "--slugs").stdout.split()[1:3]
    runs = [subprocess.Popen(prepare_command(slug, WITHOUT_PARITY), cwd=PROJECT, env=cluster.env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for slug in slugs]  # fmt: skip
    for run in runs:
        output = run.communicate(timeout=240)[0]
        assert run.returncode == 0, output[-3000:]
    folders = [DataRoot(cluster.home).prepared(slug) for slug in slugs]
    assert all(folder.manifest.is_file() for folder in folders)
    return [(folder, digests(folder.path)) for folder in folders]


def digests(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}  # fmt: skip


def grow_the_download(cluster: Cluster, slug: str) -> int:
    """The kept download's train.csv made COPIES times as long, with new ids (and x1 nudged: no two rows alike); its
    number of rows. competition_raw keeps the download as it is (the same zip, its files there), so the split reads it."""
    train = DataRoot(cluster.home).raw(slug).files / "train.csv"
    grown = train.parent.parent / "train.grown.csv"
    with duckdb.connect() as con:
        highest = con.execute(f"SELECT max(id) FROM read_csv('{train}')").fetchone()[0]
        assert highest < 1200  # the demo's test ids follow its training ids: the copies' ids start at 10,000
        con.execute(f"COPY (SELECT o.* REPLACE (id + 10000 * k AS id, x1 + k / 100000 AS x1) FROM read_csv('{train}') o, "
                    f"range({COPIES}) copies(k) ORDER BY k, id) TO '{grown}' (HEADER)")  # fmt: skip
        rows = con.execute(f"SELECT count(*) FROM read_csv('{grown}')").fetchone()[0]
    os.replace(grown, train)
    return rows


def change_the_recipe(cluster: Cluster, slug: str, test_fraction: float) -> None:
    """What a curator would do (`mlecurate annotate`): a new test fraction, so the published split is no longer it."""
    store = AnnotationStore(Path(cluster.env["MLECURATE_ANNOTATIONS"]))
    for annotation in store.for_competition(slug):
        if annotation.split_recipe:
            recipe = annotation.split_recipe | {"test_fraction": test_fraction}
            store.update(slug, annotation.curator, {"split_recipe": recipe})


def wait_for_the_split_to_write(folder: PreparedFolder, run: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180
    while not (folder.staging.public / "train.csv").is_file():
        assert run.poll() is None, run.communicate()[0][-3000:]
        assert time.monotonic() < deadline, "the split did not start writing its staging folder within 180 s"
        time.sleep(0.01)


def assert_half_written_beside_the_published_split(folder: PreparedFolder, published: dict[str, str]) -> None:
    """Checked with the split's process frozen: the new split is being written (its manifest, the last file it
    writes before the checks and the two renames, is not there yet) and the published one is as it was."""
    assert (folder.staging.public / "train.csv").is_file()
    assert not folder.staging.manifest.exists(), "too late: the new split was already written"
    assert digests(folder.path) == published


def processes(*, parent: int | None = None, group: int | None = None) -> list[int]:
    """Live processes with this parent, or in this process group."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            state, ppid, pgrp = (proc / "stat").read_text().rsplit(")", 1)[1].split()[:3]
            if state != "Z" and (int(ppid) == parent or int(pgrp) == group):
                found.append(int(proc.name))
    return found


def executing_process(cluster: Cluster) -> int:
    """The pool process running the one step on the `steps` worker, as the worker says (Celery's inspect)."""
    from celery import Celery

    broker = cluster.env["MLECURATE_CELERY_BROKER"]
    app = Celery(broker=broker, backend=broker)
    try:
        active = app.control.inspect(destination=[f"steps@{HOST}"], timeout=10, limit=1).active() or {}
    finally:
        app.close()
    tasks = active.get(f"steps@{HOST}", [])
    assert [task["name"] for task in tasks] == ["execute_plan"], active
    return tasks[0]["worker_pid"]


def assert_the_new_split_is_published(
    cluster: Cluster, folder: PreparedFolder, run_id: str, rows: int, test_fraction: float, steps: set[str]
) -> None:
    """The run succeeded, its split step having started twice (the killed attempt, then the one that finished), and
    the new split is published whole: the files its manifest lists, each with its recorded size and checksum, its
    leakage checks passed; nothing left beside it (staging, scratch or the retired split)."""
    with cluster.instance() as instance:
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
        events = [event.dagster_event for event in instance.all_logs(run_id) if event.dagster_event]
    split = [event for event in events if event.step_key == SPLIT]
    kinds = [event.event_type for event in split]
    assert kinds.count(dg.DagsterEventType.STEP_START) == 2
    assert kinds.count(dg.DagsterEventType.STEP_SUCCESS) == 1 and dg.DagsterEventType.STEP_FAILURE not in kinds
    assert sum(event.message.endswith("in celery worker") for event in split) == 2  # sent to the worker twice
    assert {event.step_key for event in events if event.event_type == dg.DagsterEventType.STEP_SUCCESS} == steps
    checks = [event.event_specific_data for event in events
              if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION and event.step_key == SPLIT]  # fmt: skip
    assert len(checks) == len(SPLIT_CHECKS) and all(check.passed for check in checks)
    manifest = folder.read_manifest()
    assert manifest["rows"]["original"] == rows and manifest["recipe"]["test_fraction"] == test_fraction
    assert all(check["passed"] for check in manifest["checks"].values())
    found = digests(folder.path)
    parity = {"parity.json"} if PARITY in steps else set()  # written beside the split by the parity step
    assert set(found) == {entry["path"] for entry in manifest["files"]} | {"manifest.json"} | parity
    for entry in manifest["files"]:
        path = folder.path / entry["path"]
        assert path.stat().st_size == entry["bytes"], entry["path"]
        kind, _, digest = entry["checksum"].partition(":")
        assert (found[entry["path"]] == digest) if kind == "sha256" else (content_checksum(path) == entry["checksum"])
    assert sorted(p.name for p in folder.path.parent.iterdir() if folder.slug in p.name) == [folder.slug]


def last_prepare_run(cluster: Cluster, slug: str) -> dg.DagsterRun:
    with cluster.instance() as instance:
        runs = dg.RunsFilter(job_name="prepare_competition", tags={"dagster/partition": slug})
        return instance.get_run_records(runs, limit=1)[0].dagster_run


def test_a_pool_process_killed_mid_split_runs_the_step_again_in_the_same_run(cluster, published_splits):
    """kill -9 of the process running the split (as the OOM killer would): the worker sends the step again (a Celery
    retry), which builds the split anew and publishes it; the previous split stays published until then."""
    folder, published = published_splits[0]
    slug = folder.slug
    rows = grow_the_download(cluster, slug)
    change_the_recipe(cluster, slug, 0.25)
    with prepare_run(cluster, slug, ()) as run:
        wait_for_the_split_to_write(folder, run)
        pool = processes(parent=int((cluster.state / "pids" / "worker-steps.pid").read_text()))
        for pid in pool:
            os.kill(pid, signal.SIGSTOP)
        try:
            killed = executing_process(cluster)  # the worker's main process answers; its pool is frozen
            assert killed in pool
            assert_half_written_beside_the_published_split(folder, published)
            os.kill(killed, signal.SIGKILL)
        finally:
            for pid in pool:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)
        assert digests(folder.path) == published  # the retry comes a second later
    run_id = last_prepare_run(cluster, slug).run_id
    assert_the_new_split_is_published(cluster, folder, run_id, rows, 0.25, {*WITHOUT_PARITY, PARITY})
    log = cluster.worker_log("steps")
    assert f"pid:{killed} exited with 'signal 9 (SIGKILL)'" in log
    assert "retry: Retry in 1s: WorkerLostError('Worker exited prematurely: signal 9 (SIGKILL)" in log


def test_the_steps_worker_killed_mid_split_gives_its_step_back_when_the_stack_starts_it_again(
    cluster, published_splits
):
    """kill -9 of the whole `steps` worker (its main process and its pool): nothing runs the step, and the run waits
    (the step's message is not acknowledged, so it is not lost); `deploy/cluster.py start` starts the worker again
    and puts the step back on its queue; the step builds the split anew and the same run succeeds."""
    folder, published = published_splits[1]
    slug = folder.slug
    rows = grow_the_download(cluster, slug)
    change_the_recipe(cluster, slug, 0.3)
    with prepare_run(cluster, slug, WITHOUT_PARITY) as run:
        wait_for_the_split_to_write(folder, run)
        worker = int((cluster.state / "pids" / "worker-steps.pid").read_text())  # it leads its process group
        os.killpg(worker, signal.SIGSTOP)
        try:
            assert_half_written_beside_the_published_split(folder, published)
        finally:
            os.killpg(worker, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while processes(group=worker):
            assert time.monotonic() < deadline, processes(group=worker)
            time.sleep(0.1)
        time.sleep(3)  # nothing runs the step now: the run waits for it
        assert run.poll() is None
        assert last_prepare_run(cluster, slug).status == dg.DagsterRunStatus.STARTED
        assert digests(folder.path) == published and folder.staging.path.is_dir()  # as the kill left them
        restart = subprocess.run([*cluster.command, "start", "--no-install"], env=cluster.env, capture_output=True,
                                 text=True, timeout=200, check=False)  # fmt: skip
        assert restart.returncode == 0, restart.stdout + restart.stderr
        assert "worker-steps: 1 step(s) a killed worker had taken put back on queue dagster\n" in restart.stdout
        assert "worker-downloads: already running" in restart.stdout
    run_id = last_prepare_run(cluster, slug).run_id
    assert_the_new_split_is_published(cluster, folder, run_id, rows, 0.3, set(WITHOUT_PARITY))
