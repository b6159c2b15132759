"""Benchmark: N generated competitions prepared on the cluster stack by one step slot and by two (issue 14, build
point 5, the measured half).

    .venv/bin/python bench/cluster_benchmark.py [--competitions 6] [--rows 100000] [--repeat 1] [--lock FILE]

Generates N competitions with `mlecurate generate-competition` (``--rows`` training rows each, metrics taken in turn
from METRICS, so binary, regression and multiclass data) into a Kaggle mirror, annotates each with its recipe, then,
for each number of slots (1, then 2; the order flips on every other repeat), starts a stack of its own with
`deploy/cluster.py start --steps-concurrency S` (own state folder, free ports), runs the `curation` job (not timed)
and submits the N `prepare_competition` runs at once through the webserver, as the UI would. The daemon's run queue
starts at most `max_concurrent_runs` (2, the stack's dagster.yaml) at a time; each run sends its download step to the
`downloads` worker and its split and parity steps to the `steps` worker, which runs S of them at once. The wall time
is from the first submission to the last run's end. The stack is then stopped and its folder removed.

Every published split's manifest (each file's path, size and content checksum) must be the same on both stacks and
in an in-process run of the same competitions (the embedded default: `dagster job execute`, one run after the other,
also timed; `--no-in-process` leaves it out). A difference, or a run that fails, ends the benchmark with exit 1.

The stack runs on this machine: every worker, the runs' processes, the daemon, the webserver and PostgreSQL share
its cores. Two slots on a 2-core machine can at best halve the steps' time, and only while nothing else wants a
core. `--lock FILE` holds an flock on FILE while a stack runs (other stacks on the machine wait; /tmp/cluster.lock
is the one the cluster tests take). Results go in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLUSTER = PROJECT / "deploy" / "cluster.py"
METRICS = ("auc", "rmse", "multiclass_log_loss", "mae", "accuracy", "log_loss")
JOB = "prepare_competition"
STEPS_QUEUE_STEPS = ("competition_split", "split_parity")  # the steps the `steps` worker runs (queue `dagster`)
RUN_TIMEOUT = 3600  # seconds for all N runs of one stack
DAGSTER_YAML = "concurrency:\n  pools:\n    default_limit: 2\n"  # as `make demo` writes it


class BenchmarkError(RuntimeError):
    """A stack, a run or a comparison failed; the message says which and where its log is."""


@dataclass(frozen=True)
class Measured:
    label: str
    wall: float  # seconds, first submission (or first run) to the last run's end
    run_seconds: list[float]  # each run, its start to its end
    step_seconds: float  # the split and parity steps' durations added up
    most_at_once: int  # the most split and parity steps that ran at the same moment
    load: tuple[float, float]  # the one-minute load average before and after
    manifests: dict[str, dict[str, tuple[int, str]]]  # slug -> path -> (bytes, checksum)


# ---------------------------------------------------------------------------------------------------- competitions


def generate(work: Path, count: int, rows: int, env: dict[str, str]) -> list[str]:
    """``count`` competitions in ``work/mirror``, each annotated (one curator, include, its recipe)."""
    slugs = []
    for index in range(count):
        metric = METRICS[index % len(METRICS)]
        slug = f"bench-{index + 1}-{metric.replace('_', '-')}"
        run([str(BIN / "mlecurate"), "generate-competition", str(work / "mirror"), "--metric", metric,
             "--slug", slug, "--rows", str(rows)], env)  # fmt: skip
        run([str(BIN / "mlecurate"), "annotate", slug, "--curator", "bench", "--decision", "include",
             "--split-recipe", str(work / "mirror" / slug / "recipe.yaml"), "--allow-unknown"], env)  # fmt: skip
        slugs.append(slug)
    return slugs


def run(command: list[str], env: dict[str, str], timeout: float = 900) -> str:
    done = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode:
        raise BenchmarkError(
            f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        )
    return done.stdout


def base_environment(work: Path, home: Path) -> dict[str, str]:
    """This process's environment without mlecurate's and Dagster's variables, then the benchmark's."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("MLECURATE_", "DAGSTER_"))}
    return env | {"MLECURATE_HOME": str(home), "MLECURATE_ANNOTATIONS": str(work / "annotations"),
                  "MLECURATE_META_KAGGLE": "demo", "MLECURATE_KAGGLE_MIRROR": str(work / "mirror")}  # fmt: skip


def manifests(home: Path, slugs: list[str]) -> dict[str, dict[str, tuple[int, str]]]:
    """Each competition's published files as its manifest lists them."""
    found = {}
    for slug in slugs:
        manifest = home / "prepared" / slug / "manifest.json"
        if not manifest.is_file():
            raise BenchmarkError(f"{slug}: no published split ({manifest} missing)")
        files = json.loads(manifest.read_text())["files"]
        found[slug] = {entry["path"]: (entry["bytes"], entry["checksum"]) for entry in files}
    return found


# ---------------------------------------------------------------------------------------------------- the stack


def free_port() -> int:
    """A free port below Linux's ephemeral range, as the stack's defaults are."""
    while True:
        port = random.randrange(20000, 32000)
        with socket.socket() as probe, contextlib.suppress(OSError):
            probe.bind(("127.0.0.1", port))
            return port


@contextlib.contextmanager
def held(lock: Path | None):
    if lock is None:
        yield
        return
    with open(lock, "a") as handle:
        began = time.monotonic()
        fcntl.flock(handle, fcntl.LOCK_EX)
        if time.monotonic() - began > 1:
            print(f"  (waited {time.monotonic() - began:.0f} s for {lock})", flush=True)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def stack(work: Path, slots: int, lock: Path | None):
    """A stack of its own with ``slots`` steps at once on its steps worker: (its state folder, the environment its
    runs need, the webserver's port). Stopped and removed afterwards."""
    with held(lock):
        state = Path(tempfile.mkdtemp(prefix=f"stack-{slots}-", dir=work))
        state.chmod(0o755)  # PostgreSQL runs as the postgres user when this runs as root
        ports = {name: free_port() for name in ("postgres", "redis", "moto", "webserver")}
        command = [sys.executable, str(CLUSTER), "--state", str(state),
                   *[arg for name, port in ports.items() for arg in (f"--{name}-port", str(port))]]  # fmt: skip
        env = base_environment(work, state / "data")
        try:
            began = time.monotonic()
            run([*command, "start", "--no-install", "--steps-concurrency", str(slots)], env, timeout=600)
            print(f"  stack with {slots} slot(s) up in {time.monotonic() - began:.0f} s", flush=True)
            variables = json.loads((state / "stack.json").read_text())["variables"]
            yield state, env | variables, ports["webserver"]
        finally:
            stop = subprocess.run([*command, "stop"], capture_output=True, text=True, timeout=300, check=False)
            if stop.returncode:
                print(f"  stopping the stack in {state} failed:\n{stop.stdout}{stop.stderr}", file=sys.stderr)
            else:
                shutil.rmtree(state, ignore_errors=True)


def on_stack(work: Path, slugs: list[str], slots: int, lock: Path | None) -> Measured:
    import dagster as dg
    from dagster_graphql import DagsterGraphQLClient

    with stack(work, slots, lock) as (state, env, port):
        run([str(BIN / "dagster"), "job", "execute", "-m", "pipelines", "-j", "curation"], env)
        client = DagsterGraphQLClient("127.0.0.1", port_number=port, timeout=120)
        load = os.getloadavg()[0]
        began = time.time()
        run_ids = [client.submit_job_execution(JOB, tags={"dagster/partition": slug}) for slug in slugs]
        with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
            records = wait_for(instance, run_ids, state)
            intervals = step_intervals(instance, run_ids)
        measured = Measured(
            label=f"cluster, {slots} slot(s)",
            wall=max(record.end_time for record in records) - began,
            run_seconds=[record.end_time - record.start_time for record in records],
            step_seconds=sum(end - start for start, end in intervals),
            most_at_once=most_at_once(intervals),
            load=(load, os.getloadavg()[0]),
            manifests=manifests(Path(env["MLECURATE_HOME"]), slugs),
        )
        if measured.most_at_once > slots:
            raise BenchmarkError(f"{measured.most_at_once} steps ran at once on a steps worker of {slots} slot(s)")
        return measured


def wait_for(instance, run_ids: list[str], state: Path) -> list:
    """The runs' records once every run has ended; a run that did not succeed is an error naming it."""
    import dagster as dg

    deadline = time.monotonic() + RUN_TIMEOUT
    while True:
        records = instance.get_run_records(dg.RunsFilter(run_ids=run_ids))
        if len(records) == len(run_ids) and all(record.dagster_run.is_finished for record in records):
            break
        if time.monotonic() > deadline:
            raise BenchmarkError(f"the runs did not end within {RUN_TIMEOUT} s (logs: {state / 'logs'})")
        time.sleep(1)
    for record in records:
        if record.dagster_run.status != dg.DagsterRunStatus.SUCCESS:
            partition = record.dagster_run.tags.get("dagster/partition")
            failures = [event.message for event in instance.all_logs(record.dagster_run.run_id)
                        if event.dagster_event and event.dagster_event.is_failure]  # fmt: skip
            raise BenchmarkError(f"run {record.dagster_run.run_id} ({partition}) ended {record.dagster_run.status}: "
                                 f"{failures[-3:]} (logs: {state / 'logs'})")  # fmt: skip
    return records


def step_intervals(instance, run_ids: list[str]) -> list[tuple[float, float]]:
    """(start, end) of every split and parity step of the runs, from Dagster's step events."""
    import dagster as dg

    intervals = []
    for run_id in run_ids:
        started = {}
        for event in instance.all_logs(run_id):
            kind = event.dagster_event.event_type if event.dagster_event else None
            if event.step_key in STEPS_QUEUE_STEPS and kind == dg.DagsterEventType.STEP_START:
                started[event.step_key] = event.timestamp
            elif event.step_key in STEPS_QUEUE_STEPS and kind == dg.DagsterEventType.STEP_SUCCESS:
                intervals.append((started[event.step_key], event.timestamp))
    return intervals


def most_at_once(intervals: list[tuple[float, float]]) -> int:
    edges = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])  # ends first on ties
    running = most = 0
    for _, change in edges:
        running += change
        most = max(most, running)
    return most


# ---------------------------------------------------------------------------------------------------- in process


def in_process(work: Path, slugs: list[str]) -> Measured:
    """The same competitions on the embedded default: its own data root, `dagster job execute`, one run at a time."""
    home = work / "in-process"
    (home / "dagster").mkdir(parents=True)
    (home / "dagster" / "dagster.yaml").write_text(DAGSTER_YAML)
    env = base_environment(work, home) | {"DAGSTER_HOME": str(home / "dagster")}
    run([str(BIN / "dagster"), "job", "execute", "-m", "pipelines", "-j", "curation"], env)
    load, runs = os.getloadavg()[0], []
    began = time.time()
    for slug in slugs:
        started = time.time()
        run([str(BIN / "dagster"), "job", "execute", "-m", "pipelines", "-j", JOB,
             "--tags", json.dumps({"dagster/partition": slug})], env)  # fmt: skip
        runs.append(time.time() - started)
    wall = time.time() - began
    import dagster as dg

    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        ids = [r.dagster_run.run_id for r in instance.get_run_records(dg.RunsFilter(job_name=JOB))]
        intervals = step_intervals(instance, ids)
    return Measured("in process, one run at a time", wall, runs, sum(end - start for start, end in intervals),
                    most_at_once(intervals), (load, os.getloadavg()[0]), manifests(home, slugs))  # fmt: skip


# ---------------------------------------------------------------------------------------------------- report


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())  # fmt: skip
    memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))) / 1024**2  # fmt: skip
    return f"{os.cpu_count()} cores ({model}), {memory:.0f} GB RAM, Python {platform.python_version()}"


def differences(reference: Measured, other: Measured) -> list[str]:
    found = []
    for slug, files in reference.manifests.items():
        theirs = other.manifests.get(slug, {})
        for path in sorted(set(files) | set(theirs)):
            if files.get(path) != theirs.get(path):
                found.append(f"{slug}/{path}: {reference.label} {files.get(path)}, {other.label} {theirs.get(path)}")
    return found


def print_row(measured: Measured) -> None:
    runs = measured.run_seconds
    print(f"{measured.label:>31}: wall {measured.wall:7.1f} s; runs {min(runs):5.1f}-{max(runs):5.1f} s "
          f"(mean {sum(runs) / len(runs):5.1f}); split + parity steps {measured.step_seconds:6.1f} s in all, "
          f"at most {measured.most_at_once} at once; load {measured.load[0]:.1f} -> {measured.load[1]:.1f}",
          flush=True)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--competitions", type=int, default=6, metavar="N", help="competitions to prepare (default 6)")
    parser.add_argument("--rows", type=int, default=100_000, help="training rows per competition (default 100000)")
    parser.add_argument("--repeat", type=int, default=1, help="measure both stacks this many times (default 1)")
    parser.add_argument("--no-in-process", action="store_true", help="leave out the in-process run")
    parser.add_argument("--lock", type=Path, help="flock this file while a stack runs (e.g. /tmp/cluster.lock)")
    parser.add_argument("--keep", action="store_true", help="keep the generated competitions and data roots")
    args = parser.parse_args()
    if args.competitions < 1 or args.rows < 40 or args.repeat < 1:
        parser.error("--competitions and --repeat must be at least 1, --rows at least 40")
    work = Path(tempfile.mkdtemp(prefix="mlecurate-cluster-benchmark-"))
    work.chmod(0o755)  # the stacks' PostgreSQL (the postgres user, under root) must pass through it
    print(f"machine: {machine()}; work folder {work}", flush=True)
    try:
        began = time.monotonic()
        slugs = generate(work, args.competitions, args.rows, base_environment(work, work / "unused"))
        size = sum((work / "mirror" / slug / f"{slug}.zip").stat().st_size for slug in slugs) / 1e6
        print(f"{len(slugs)} competitions of {args.rows:,} training rows ({size:.0f} MB zipped) generated in "
              f"{time.monotonic() - began:.0f} s: {', '.join(slugs)}", flush=True)  # fmt: skip
        measured: list[Measured] = []
        for repeat in range(args.repeat):
            for slots in (1, 2) if repeat % 2 == 0 else (2, 1):
                measured.append(on_stack(work, slugs, slots, args.lock))
                print_row(measured[-1])
        if not args.no_in_process:
            measured.append(in_process(work, slugs))
            print_row(measured[-1])
        found = [line for other in measured[1:] for line in differences(measured[0], other)]
        if found:
            print("different published files:\n" + "\n".join(found[:20]), file=sys.stderr)
            return 1
        files = sum(len(files) for files in measured[0].manifests.values())
        print(f"the same {files} published files (path, size, content checksum) in every run above")
        for repeat in range(args.repeat):
            one, two = sorted(measured[2 * repeat : 2 * repeat + 2], key=lambda m: m.label)
            print(f"repeat {repeat + 1}: one slot {one.wall:.1f} s, two slots {two.wall:.1f} s: "
                  f"{one.wall / two.wall:.2f}x")  # fmt: skip
    except BenchmarkError as error:
        print(f"cluster benchmark: {error}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
