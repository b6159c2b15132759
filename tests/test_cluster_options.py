"""deploy/cluster.py's --steps-concurrency: how many steps the `steps` worker runs at once (bench/cluster_benchmark.py
compares 1 and 2). The last test starts a stack of its own, as tests/test_cluster.py does."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import PROJECT
from tests.test_cluster import free_port

spec = importlib.util.spec_from_file_location("deploy_cluster", PROJECT / "deploy" / "cluster.py")
cluster = sys.modules.setdefault("deploy_cluster", importlib.util.module_from_spec(spec))
spec.loader.exec_module(cluster)


def test_the_worker_command_runs_as_many_steps_as_asked():
    command = cluster.worker_command("steps", "dagster", 1)
    assert command[command.index("-c") + 1] == "1" and command[command.index("-Q") + 1] == "dagster"
    assert cluster.STEPS_CONCURRENCY == 2 and dict((n, c) for n, _q, c in cluster.WORKERS)["downloads"] == 2


@pytest.mark.parametrize(("given", "message"), [("0", "expected at least 1, found 0"),
                                                ("two", "expected a whole number, found 'two'")])  # fmt: skip
def test_a_steps_concurrency_below_one_or_not_a_number_is_refused(given, message, capsys):
    with pytest.raises(SystemExit) as exited:
        cluster.main(["start", "--steps-concurrency", given])
    assert exited.value.code == 2
    assert f"argument --steps-concurrency: {message}" in capsys.readouterr().err


def test_help_names_the_option():
    done = subprocess.run([sys.executable, str(PROJECT / "deploy" / "cluster.py"), "--help"], capture_output=True,
                          text=True, check=True)  # fmt: skip
    assert "--steps-concurrency N" in done.stdout and "(default 2)" in done.stdout


def test_a_running_workers_concurrency_is_read_from_its_command_line():
    process = subprocess.Popen([sys.executable, "-", "-c", "3"], stdin=subprocess.PIPE, text=True)
    try:
        process.stdin.write("import time\ntime.sleep(60)\n")
        process.stdin.close()
        deadline = time.monotonic() + 10
        while cluster.worker_concurrency(process.pid) != 3:  # the command line is there once the process execs
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        process.kill()
        process.wait()
    assert cluster.worker_concurrency(process.pid) is None  # gone


@pytest.mark.cluster
def test_a_stack_started_with_one_step_slot_runs_one_and_refuses_another_number_while_it_runs():
    state = Path(tempfile.mkdtemp(prefix="mlecurate-cluster-options-"))
    state.chmod(0o755)  # PostgreSQL runs as the postgres user when the tests run as root
    ports = [arg for name in cluster.PORTS for arg in (f"--{name}-port", str(free_port()))]
    command = [sys.executable, str(PROJECT / "deploy" / "cluster.py"), "--state", str(state), *ports]
    env = {name: value for name, value in os.environ.items() if not name.startswith(("MLECURATE_", "DAGSTER_"))}
    env |= {"MLECURATE_HOME": str(state / "data"), "MLECURATE_META_KAGGLE": "demo"}
    try:
        start = subprocess.run([*command, "start", "--no-install", "--steps-concurrency", "1"], env=env,
                               capture_output=True, text=True, timeout=400, check=False)  # fmt: skip
        assert start.returncode == 0, start.stdout + start.stderr
        broker = json.loads((state / "stack.json").read_text())["variables"]["MLECURATE_CELERY_BROKER"]
        from celery import Celery

        app = Celery(broker=broker, backend=broker)
        try:
            stats = app.control.inspect(timeout=10).stats() or {}
        finally:
            app.close()
        pools = {node.split("@")[0]: answer["pool"]["max-concurrency"] for node, answer in stats.items()}
        assert pools == {"steps": 1, "downloads": 2}
        again = subprocess.run([*command, "start", "--no-install"], env=env, capture_output=True, text=True,
                               timeout=200, check=False)  # fmt: skip
        assert again.returncode == 1
        assert "runs its steps worker with --steps-concurrency 1, not 2; `make cluster-stop` first" in again.stderr
        same = subprocess.run([*command, "start", "--no-install", "--steps-concurrency", "1"], env=env,
                              capture_output=True, text=True, timeout=200, check=False)  # fmt: skip
        assert same.returncode == 0 and "worker-steps: already running" in same.stdout, same.stdout + same.stderr
    finally:
        stop = subprocess.run([*command, "stop"], capture_output=True, text=True, timeout=200, check=False)
        assert stop.returncode == 0, stop.stdout + stop.stderr
        shutil.rmtree(state)


def test_asking_a_running_s3_stack_again_with_a_folder_home_names_the_clash(tmp_path):
    stack = cluster.Stack(tmp_path, cluster.PORTS)
    running = cluster.stack_variables(stack, {"MLECURATE_HOME": "s3://mlecurate/data"})
    shell = {name: running[name] for name in running if name.startswith("AWS_")}  # as `. env.sh` left them
    assert shell, "an s3:// stack sets moto's AWS_* variables"
    folder = shell | {"MLECURATE_HOME": str(tmp_path / "data")}
    asked = cluster.stack_variables(stack, folder)
    assert set(cluster.clashing(running, asked, folder)) == {"MLECURATE_HOME", *shell}  # before: KeyError
    same = shell | {"MLECURATE_HOME": "s3://mlecurate/data"}
    assert cluster.clashing(running, cluster.stack_variables(stack, same), same) == []
