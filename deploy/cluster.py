"""mlecurate's stack beyond one machine, run on this one: the Dagster instance on PostgreSQL, steps on Celery workers.

    .venv/bin/python deploy/cluster.py start    # what `make cluster` runs; safe to run again
    .venv/bin/python deploy/cluster.py start --steps-concurrency 1   # one step at a time on the steps worker
    .venv/bin/python deploy/cluster.py status
    .venv/bin/python deploy/cluster.py stop     # what `make cluster-stop` runs
    . mlecurate-cluster/env.sh                  # then `dagster job execute -m pipelines -j curation` uses the stack

Services, all on 127.0.0.1, in start order: PostgreSQL (a cluster of its own: runs, events, schedules), Redis (the
Celery broker), moto (an S3 endpoint with the bucket `mlecurate`, for the object-storage stage), two Celery workers
(`steps` on queue `dagster`: every step, --steps-concurrency at a time, default 2; `downloads` on queue
`kaggle_downloads`: download steps, two at a time), the Dagster daemon and the Dagster webserver (these last four
started together, once the first three answer). Everything they keep is under the state folder (default
./mlecurate-cluster): `pids/`, `logs/`, `postgres/`, `redis/`, `dagster/dagster.yaml`, `celery/` (the workers'
Celery settings), `env.sh` and `stack.json`.

A worker killed mid-step loses no step. Its Celery settings (curation.settings.CELERY_APP_SETTINGS, also the runs')
acknowledge a step's message when the step ends, not when it starts, and send a step again when the pool process
running it dies. When the whole worker dies, its steps wait in Redis: `start` starts the worker again and first puts
them back on its queue, and the runs waiting for them go on (tests/test_cluster.py kills one mid-split).

The data root is a folder every worker reaches (same machine): `MLECURATE_HOME` (default <state>/data) and the other
MLECURATE_* variables set when the stack starts are what the workers, the daemon and the webserver run with, and
`env.sh` repeats them for command-line runs. Resources are built from the environment of the process that runs a
step, so a run started with another MLECURATE_HOME would still write where the workers point: source env.sh.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from functools import partial
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's bin: celery, dagster-daemon, dagster-webserver, moto_server
HOST = "127.0.0.1"
# Below Linux's ephemeral range (32768-60999): a port in it can be the local end of any outgoing connection (the
# workers' to Redis and PostgreSQL), and a server then fails to bind it.
PORTS = {"postgres": 25432, "redis": 26379, "moto": 29000, "webserver": 23000}
BUCKET = "mlecurate"
DB, DB_USER = "dagster", "mlecurate"
# (worker name, queue, concurrency): the steps worker's is --steps-concurrency (None here); the download queue's two
# slots match the kaggle_downloads pool's limit.
WORKERS = [("steps", "dagster", None), ("downloads", "kaggle_downloads", 2)]
STEPS_CONCURRENCY = 2  # steps at once on the steps worker: one per core of this 2-core machine
START_TIMEOUT = 180  # seconds per service; the webserver and daemon load every definition on a busy 2-core machine
STOP_TIMEOUT = 30


Ready = Callable[[], None]  # waits until a started service answers (raises StackError when it does not)
STOPPING = threading.Event()  # set when a start is given up: the services still waited for stop being waited for


class StackError(RuntimeError):
    """The stack cannot start or stop; the message says what failed and where its log is."""


@dataclass(frozen=True)
class Stack:
    state: Path
    ports: dict[str, int]
    steps_concurrency: int = STEPS_CONCURRENCY

    def pidfile(self, name: str) -> Path:
        if name == "postgres":  # the server's own, which pg_ctl reads too
            return self.pg_data / "postmaster.pid"
        return self.state / "pids" / f"{name}.pid"

    def log(self, name: str) -> Path:
        return self.state / "logs" / f"{name}.log"

    @property
    def broker(self) -> str:
        return f"redis://{HOST}:{self.ports['redis']}/0"

    @property
    def dagster_home(self) -> Path:
        return self.state / "dagster"

    @property
    def pg_data(self) -> Path:
        return self.state / "postgres"

    @property
    def pg_password(self) -> str:
        return (self.state / "postgres.password").read_text().strip()


# ---------------------------------------------------------------------------------------------------- processes


def running_pid(pidfile: Path, program: str) -> int | None:
    """The pid in ``pidfile`` if that process is alive and is ``program`` (not a stranger that reused the pid)."""
    try:
        pid = int(pidfile.read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, ValueError, IndexError):
        return None
    return pid if program in cmdline and status != "Z" else None


def spawn(stack: Stack, name: str, command: list[str], env: dict[str, str]) -> int:
    """Start ``command`` in a session of its own (so stop can signal it and its children), logging to its log."""

    def default_signals():  # a parent that ignored INT/TERM (a backgrounded shell) must not pass that on
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    with open(stack.log(name), "ab") as log:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=default_signals)  # fmt: skip
    stack.pidfile(name).write_text(f"{process.pid}\n")
    return process.pid


def stop_pid(pid: int, program: str, pidfile: Path, group: bool) -> None:
    """TERM (the process group, when we started it in a session of its own), then KILL after STOP_TIMEOUT."""
    send = os.killpg if group else os.kill
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 5)):
        try:
            send(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if running_pid(pidfile, program) is None:
                return
            time.sleep(0.2)
    raise StackError(f"pid {pid} ({program}) survived SIGKILL")


def wait_until(ready, what: str, log: Path, pid: int | None = None, every: float = 0.5) -> None:
    """Poll ``ready()`` until it is true; fail with the log's tail on timeout, when the process died, or when it
    could not bind its port (the webserver lives on for a minute after that, shutting its code server down). Stops
    early, failing, once :data:`STOPPING` is set (another service failed, or Ctrl-C)."""
    deadline, seen = time.monotonic() + START_TIMEOUT, log.stat().st_size if log.exists() else 0
    while time.monotonic() < deadline:
        if ready():
            return
        if pid is not None and exited(pid):
            raise StackError(f"{what} exited while starting:\n{tail(log)}")
        if STOPPING.is_set():
            raise StackError(f"{what}: no longer waited for (the start was interrupted)")
        if log.exists() and b"address already in use" in log.read_bytes()[seen:].lower():
            raise StackError(f"{what} could not bind its port:\n{tail(log)}")
        time.sleep(every)
    raise StackError(f"{what} did not answer within {START_TIMEOUT} s:\n{tail(log)}")


def exited(pid: int) -> bool:
    """The process ``pid`` has ended. One this process started stays a zombie until reaped: reaped here (its
    /proc entry would otherwise stay, and a service that died on import was waited for until the timeout)."""
    try:
        ended, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # not a child of this process
        return not Path(f"/proc/{pid}").exists()
    return ended == pid


def tail(log: Path, lines: int = 25) -> str:
    try:
        text = log.read_text(errors="replace").splitlines()[-lines:]
    except OSError as error:
        return f"(no log: {error})"
    return "\n".join(f"    {line}" for line in text) + f"\n    (log: {log})"


def port_free(port: int) -> bool:
    """A server could bind ``port``: nothing listens on it and no live connection has it as its local end. Bound as
    the servers bind (SO_REUSEADDR: PostgreSQL, Redis, moto's and Dagster's web servers all set it), so the
    connections a stopped stack left in TIME_WAIT for a minute do not make a stop-then-start fail."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
        return True


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------------- PostgreSQL


def pg_bin(program: str) -> str:
    """A PostgreSQL program: Debian keeps them in /usr/lib/postgresql/<version>/bin, off the PATH."""
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"), key=lambda p: int(p.parts[-3]))
    found = str(versions[-1]) if versions else shutil.which(program)
    if not found:
        raise StackError(f"{program} not found: apt-get install postgresql")
    return found


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its server programs as Debian's `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def postgres_start(stack: Stack, env: dict[str, str]) -> None:
    data, log = stack.pg_data, stack.log("postgres")
    if os.geteuid() == 0:  # the server writes its own log, and must reach its folder
        log.touch()
        shutil.chown(log, "postgres", "postgres")
        if subprocess.run(as_postgres(["test", "-x", str(stack.state)]), check=False).returncode:
            raise StackError(f"the postgres user cannot enter {stack.state}: make its parents o+x, or use --state")
    if not (data / "PG_VERSION").exists():
        data.mkdir(mode=0o700, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        password_file = stack.state / "postgres.password"
        password_file.write_text(secrets.token_urlsafe(24) + "\n")
        password_file.chmod(0o600)
        if os.geteuid() == 0:  # initdb reads it as postgres (a pipe on stdin would not do: it belongs to root)
            shutil.chown(password_file, "postgres", "postgres")
        initdb = [pg_bin("initdb"), "-D", str(data), "-U", DB_USER, f"--pwfile={password_file}", "--auth-local=reject",
                  "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"]  # fmt: skip
        done = subprocess.run(as_postgres(initdb), text=True, capture_output=True, check=False)
        if os.geteuid() == 0:
            shutil.chown(password_file, "root", "root")
        if done.returncode:
            raise StackError(f"initdb failed:\n{done.stdout}{done.stderr}")
        with open(data / "postgresql.conf", "a") as conf:  # TCP on loopback only; no socket in /var/run/postgresql
            conf.write("\n# deploy/cluster.py\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n")
    port = stack.ports["postgres"]
    start = [pg_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-o", f"-p {port}", "-w", "-t", "120", "start"]
    done = subprocess.run(as_postgres(start), capture_output=True, text=True, check=False)
    if done.returncode:
        raise StackError(f"pg_ctl start failed: {done.stdout}{done.stderr}\n{tail(log)}")
    psql_env = {**env, "PGPASSWORD": stack.pg_password}
    psql = [pg_bin("psql"), "-h", HOST, "-p", str(port), "-U", DB_USER, "-d", "postgres", "-tAc"]
    exists = subprocess.run([*psql, f"SELECT 1 FROM pg_database WHERE datname = '{DB}'"], env=psql_env,
                            capture_output=True, text=True, check=True)  # fmt: skip
    if exists.stdout.strip() != "1":
        subprocess.run([*psql, f"CREATE DATABASE {DB}"], env=psql_env, capture_output=True, check=True)


def postgres_stop(stack: Stack) -> None:
    done = subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", str(stack.pg_data), "-m", "fast", "-w", "stop"]),
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode:
        raise StackError(f"pg_ctl stop failed: {done.stdout}{done.stderr}")


# ---------------------------------------------------------------------------------------------------- the others


def redis_start(stack: Stack, env: dict[str, str]) -> None:
    (stack.state / "redis").mkdir(exist_ok=True)
    command = ["redis-server", "--bind", HOST, "--port", str(stack.ports["redis"]), "--daemonize", "yes",
               "--pidfile", str(stack.pidfile("redis")), "--logfile", str(stack.log("redis")),
               "--dir", str(stack.state / "redis"), "--save", "", "--appendonly", "no"]  # fmt: skip
    subprocess.run(command, env=env, check=True)
    wait_until(lambda: redis_ping(stack.ports["redis"]), "redis", stack.log("redis"))


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def moto_start(stack: Stack, env: dict[str, str]) -> None:
    port = stack.ports["moto"]
    pid = spawn(stack, "moto", [str(BIN / "moto_server"), "-H", HOST, "-p", str(port)], env)
    wait_until(lambda: http_ok(f"http://{HOST}:{port}/moto-api/"), "moto", stack.log("moto"), pid)
    import boto3  # moto's dependency, in the `cluster` extra

    s3 = boto3.client("s3", endpoint_url=f"http://{HOST}:{port}", region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    s3.create_bucket(Bucket=BUCKET)  # moto keeps buckets in memory: a fresh server has none


def worker_command(name: str, queue: str, concurrency: int) -> list[str]:
    """The Celery worker serving ``queue``, running ``concurrency`` steps at once (one pool process each)."""
    return [str(BIN / "celery"), "-A", "dagster_celery.app", "worker", "-Q", queue, "-n", f"{name}@%h",
            "-c", str(concurrency), "--prefetch-multiplier=1", "--loglevel=INFO"]  # fmt: skip


def worker_concurrency(pid: int) -> int | None:
    """The ``-c`` a running worker was started with, read from its command line (None when it cannot be read)."""
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        return int(arguments[arguments.index("-c") + 1])
    except (OSError, ValueError, IndexError):
        return None


def worker_start(stack: Stack, env: dict[str, str], name: str, queue: str, concurrency: int | None) -> Ready:
    # Imported here, on the main thread: two waiting threads importing Celery's lazy module at once fail with
    # "cannot import name 'Celery'". It is in the `cluster` extra, which start checks.
    from celery import Celery

    service = f"worker-{name}"
    restored = restore_unacknowledged(stack, service, queue)
    if restored:
        print(f"{service}: {restored} step(s) a killed worker had taken put back on queue {queue}", flush=True)
    command = worker_command(name, queue, concurrency or stack.steps_concurrency)
    # dagster_celery.app reads its broker from a module named dagster_celery_config, if one is importable.
    pythonpath = os.pathsep.join(filter(None, [str(stack.state / "celery"), env.get("PYTHONPATH")]))
    pid = spawn(stack, service, command, {**env, "PYTHONPATH": pythonpath})
    node = f"{name}@{socket.gethostname()}"
    return lambda: wait_until(partial(celery_ping, Celery, stack.broker, node), service, stack.log(service), pid)


def celery_ping(celery: type, broker: str, node: str) -> bool:
    app = celery(broker=broker, backend=broker)
    try:
        return bool(app.control.ping(destination=[node], timeout=1.0))
    except Exception:  # the broker not answering yet reads as "not ready"; the timeout reports the log
        return False
    finally:
        app.close()


def restore_unacknowledged(stack: Stack, service: str, queue: str) -> int:
    """Put back on ``queue`` the messages its worker took and never acknowledged: the steps it was running (or held)
    when it was killed. A step's message is acknowledged when the step ends (curation.settings.CELERY_APP_SETTINGS),
    and Redis would only give it back after the visibility timeout (hours), the run waiting all along.

    Only right because this stack runs one worker per queue: when it starts that worker, no other process is running
    the queue's steps. What is left of the killed worker's session (a pool process still running a step) is killed
    first, so that a step never runs twice at once."""
    pidfile = stack.pidfile(service)
    old = int(pidfile.read_text().split()[0]) if pidfile.is_file() else None
    deadline = time.monotonic() + STOP_TIMEOUT
    while old is not None and (left := session_members(old, "celery")) and time.monotonic() < deadline:
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
    from kombu import Connection  # Celery's messaging library, in the `cluster` extra

    with Connection(stack.broker) as connection:
        channel = connection.default_channel  # kombu's Redis channel keeps unacknowledged messages in a hash
        taken = [tag for tag, entry in channel.client.hgetall(channel.unacked_key).items()
                 if json.loads(entry)[1:] == ["", queue]]  # [message, exchange, routing key]: the queue's  # fmt: skip
        for tag in taken:
            channel.qos.restore_by_tag(tag)  # kombu's own restore: off the hash, next in line on the queue
    return len(taken)


def session_members(session: int, program: str) -> list[int]:
    """The live ``program`` processes of the process group ``session`` leads, or led before it died."""
    members = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()  # state, ppid, process group, ...
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[2]) == session and fields[0] != "Z" and program.encode() in cmdline:
            members.append(int(proc.name))
    return members


def daemon_start(stack: Stack, env: dict[str, str]) -> Ready:
    """Live once every daemon the instance needs (scheduler, sensors, run queue, ...) has sent a healthy heartbeat:
    read here, through the instance, every half second (`dagster-daemon liveness-check` costs a Dagster start each
    time). An earlier daemon's heartbeats are forgotten first."""
    from dagster import DagsterInstance  # with dagster-celery: start checked that it imports

    try:
        instance = DagsterInstance.from_config(str(stack.dagster_home))  # makes the instance's tables when missing
        instance.wipe_daemon_heartbeats()
    except Exception as error:  # noqa: BLE001 - the database's own words, said as the stack's error
        raise StackError(f"dagster-daemon: the instance's database in {stack.dagster_home} cannot be used: "
                         f"{error}") from error  # fmt: skip
    pid = spawn(stack, "daemon", [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"], env)

    def live() -> bool:
        return all(status.healthy for status in instance.get_daemon_statuses().values())

    def ready() -> None:
        with instance:
            wait_until(live, "dagster-daemon", stack.log("daemon"), pid)

    return ready


def webserver_start(stack: Stack, env: dict[str, str]) -> Ready:
    port = stack.ports["webserver"]
    command = [str(BIN / "dagster-webserver"), "-w", "workspace.yaml", "-h", HOST, "-p", str(port)]
    pid = spawn(stack, "webserver", command, env)
    return lambda: wait_until(lambda: http_ok(f"http://{HOST}:{port}/server_info"), "dagster-webserver",
                              stack.log("webserver"), pid)  # fmt: skip


# (service, program in its command line, port it takes or None, start) in start order; stop goes backwards. The
# first three start one after another, each answering before the next (the others need them); the workers, the daemon
# and the webserver are started together and then waited for (their start functions return the wait): each spends
# seconds importing Dagster, and one after another they took 20 of the stack's 23 s to start.
SERVICES = [
    ("postgres", "postgres", "postgres", postgres_start),
    ("redis", "redis-server", "redis", redis_start),
    ("moto", "moto_server", "moto", moto_start),
    *[(f"worker-{name}", "celery", None, partial(worker_start, name=name, queue=queue, concurrency=concurrency))
      for name, queue, concurrency in WORKERS],
    ("daemon", "dagster-daemon", None, daemon_start),
    ("webserver", "dagster-webserver", "webserver", webserver_start),
]  # fmt: skip


# ---------------------------------------------------------------------------------------------------- configuration


def stack_variables(stack: Stack, given: dict[str, str]) -> dict[str, str]:
    """What every service and every command-line run of the stack needs in its environment.

    ``MLECURATE_HOME=s3://mlecurate/<prefix>`` puts the data root on the stack's moto server: its endpoint and moto's
    dummy credentials are set for the workers and env.sh, unless MLECURATE_S3_ENDPOINT_URL names another endpoint
    (whose credentials are then the caller's AWS_* variables). The workers share one mirror (<state>/mirror); env.sh's
    command-line runs get one of their own, as on another machine (write_configuration)."""
    # The broker and backend are the stack's own: a backend the workers do not write to would never answer.
    chosen = {name: value for name, value in given.items()
              if name.startswith("MLECURATE_") and not name.startswith("MLECURATE_CELERY_")}  # fmt: skip
    home = given.get("MLECURATE_HOME") or str(stack.state / "data")
    objects = {}
    if "://" in home:  # object storage (curation.settings checks the URL when a step starts)
        objects["MLECURATE_MIRROR"] = str(Path(given.get("MLECURATE_MIRROR") or stack.state / "mirror").resolve())
        if not given.get("MLECURATE_S3_ENDPOINT_URL"):
            objects |= {"MLECURATE_S3_ENDPOINT_URL": f"http://{HOST}:{stack.ports['moto']}",
                        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}  # moto's dummy credentials  # fmt: skip
    else:
        home = str(Path(home).resolve())
    return {
        **chosen,
        **objects,
        "MLECURATE_HOME": home,
        "DAGSTER_HOME": str(stack.dagster_home),
        "MLECURATE_EXECUTOR": "celery",
        "MLECURATE_CELERY_BROKER": stack.broker,
    }


def command_line_variables(stack: Stack, variables: dict[str, str]) -> dict[str, str]:
    """env.sh's: the stack's variables, and with an object-storage home a mirror of the command line's own."""
    if "MLECURATE_MIRROR" not in variables:
        return variables
    return variables | {"MLECURATE_MIRROR": str(stack.state / "mirror-commands")}


def write_configuration(stack: Stack, variables: dict[str, str]) -> None:
    """dagster.yaml (the instance on PostgreSQL), the workers' broker module, env.sh and stack.json."""
    stack.dagster_home.mkdir(exist_ok=True)
    Path(variables.get("MLECURATE_MIRROR") or variables["MLECURATE_HOME"]).mkdir(parents=True, exist_ok=True)
    # The driver named: SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3, but dagster-postgres brings psycopg2.
    db = {"hostname": HOST, "port": stack.ports["postgres"], "db_name": DB, "username": DB_USER,
          "password": stack.pg_password, "scheme": "postgresql+psycopg2"}  # fmt: skip
    postgres = "\n".join(f"      {key}: {json.dumps(value)}" for key, value in db.items())
    yaml = "# Written by deploy/cluster.py at each start: the Dagster instance of the stack, on its PostgreSQL.\n"
    for section, module, cls in (("run_storage", "run_storage", "PostgresRunStorage"),
                                 ("event_log_storage", "event_log", "PostgresEventLogStorage"),
                                 ("schedule_storage", "schedule_storage", "PostgresScheduleStorage")):  # fmt: skip
        yaml += f"{section}:\n  module: dagster_postgres.{module}\n  class: {cls}\n  config:\n    postgres_db:\n"
        yaml += postgres + "\n"
    # The pool limit of the Makefile's DAGSTER_YAML (two kaggle_downloads steps at once, across every worker), and
    # at most two runs at once from the run queue (the daemon's launches: the UI, sensors, schedules).
    yaml += "concurrency:\n  pools:\n    default_limit: 2\n  runs:\n    max_concurrent_runs: 2\n"
    config = stack.dagster_home / "dagster.yaml"
    config.write_text(yaml)
    config.chmod(0o600)  # it holds the database password
    from curation.settings import CELERY_APP_SETTINGS  # the run's process uses them too (pipelines/executor.py)

    (stack.state / "celery").mkdir(exist_ok=True)
    (stack.state / "celery" / "dagster_celery_config.py").write_text(
        "# Written by deploy/cluster.py: the workers' broker (read by dagster_celery.app), and the Celery settings\n"
        "# that run a step again when its worker dies (curation.settings.CELERY_APP_SETTINGS).\n"
        f"broker_url = {stack.broker!r}\nresult_backend = {stack.broker!r}\n"
        + "".join(f"{name} = {value!r}\n" for name, value in CELERY_APP_SETTINGS.items())
    )
    lines = [
        f"export {name}={shlex.quote(value)}"
        for name, value in sorted(command_line_variables(stack, variables).items())
    ]
    s3 = (f"# S3 (moto): endpoint http://{HOST}:{stack.ports['moto']}, bucket {BUCKET}; `MLECURATE_HOME=s3://{BUCKET}/data "
          "make cluster` puts the data root there")  # fmt: skip
    (stack.state / "env.sh").write_text("# Source this to run jobs on the stack (deploy/cluster.py).\n" +
                                        "\n".join(lines) + f"\n{s3}\n")  # fmt: skip
    (stack.state / "stack.json").write_text(json.dumps({"ports": stack.ports, "variables": variables}, indent=2))


def read_stack_json(state: Path) -> dict | None:
    try:
        return json.loads((state / "stack.json").read_text())
    except (OSError, ValueError):
        return None


def running_services(stack: Stack) -> dict[str, int]:
    found = {}
    for service, program, _port, _start in SERVICES:
        pid = running_pid(stack.pidfile(service), program)
        if pid is not None:
            found[service] = pid
    return found


# ---------------------------------------------------------------------------------------------------- commands


def ensure_debian_packages(install: bool) -> None:
    missing = [package for package, program in (("postgresql", "initdb"), ("redis-server", "redis-server"))
               if not (shutil.which(program) or list(Path("/usr/lib/postgresql").glob(f"*/bin/{program}")))]  # fmt: skip
    if not missing:
        return
    if not install:
        raise StackError(f"missing Debian packages {' '.join(missing)} (run without --no-install to install them)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print(f"installing {' '.join(missing)} (apt-get)", flush=True)
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], env=apt_env, check=True)
    install_command = [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]
    subprocess.run(install_command, env=apt_env, check=True)


def clashing(running: dict[str, str], asked: dict[str, str], environ: Mapping[str, str]) -> list[str]:
    """The variables set in ``environ`` whose value for the stack (``asked``) is not the running stack's: a variable
    the asked stack would not set at all (AWS_* of an s3:// home, asked again with a folder home) differs too."""
    return [name for name in environ if name in running and asked.get(name) != running[name]]


def start(state: Path, ports: dict[str, int], install: bool, steps_concurrency: int = STEPS_CONCURRENCY) -> None:
    ensure_debian_packages(install)
    try:
        import dagster_celery  # noqa: F401
        import dagster_postgres  # noqa: F401
    except ImportError as error:
        raise StackError(f"{error.name} is missing: {sys.executable} -m pip install -e '.[cluster]'") from error
    for folder in ("pids", "logs"):
        (state / folder).mkdir(parents=True, exist_ok=True)
    recorded = read_stack_json(state)
    running = running_services(Stack(state, recorded["ports"])) if recorded else {}
    if running:  # a running stack keeps its ports and data root; starting it again only adds what is missing
        stack, variables = Stack(state, recorded["ports"], steps_concurrency), recorded["variables"]
        clash = clashing(variables, stack_variables(stack, dict(os.environ)), os.environ)
        if clash:
            names = ", ".join(f"{name}={variables[name]}" for name in clash)
            raise StackError(f"the stack in {state} runs with {names}; `make cluster-stop` first to change it")
        steps_worker = running.get("worker-steps")
        if steps_worker and worker_concurrency(steps_worker) not in (None, steps_concurrency):
            raise StackError(f"the stack in {state} runs its steps worker with --steps-concurrency "
                             f"{worker_concurrency(steps_worker)}, not {steps_concurrency}; `make cluster-stop` "
                             "first to change it")  # fmt: skip
    else:
        stack = Stack(state, ports, steps_concurrency)
        variables = stack_variables(stack, dict(os.environ))
    taken = [f"{service}: port {stack.ports[port]} is taken by another process; --{port}-port"
             for service, _program, port, _start in SERVICES
             if port and service not in running and not port_free(stack.ports[port])]  # fmt: skip
    if taken:  # said before anything starts
        raise StackError("\n".join(taken))
    env, started, waiting = {**os.environ, **variables}, [], []
    try:
        for service, program, _port, start_service in SERVICES:
            if service in running:
                print(f"{service}: already running (pid {running[service]})")
            else:
                began = time.monotonic()
                ready = start_service(stack, env)
                started.append(service)
                if ready is None:
                    print(started_line(stack, service, program, began), flush=True)
                else:
                    waiting.append((service, program, began, ready))
            if service == "postgres":  # the instance's configuration holds the database's password, made by initdb
                write_configuration(stack, variables)
        wait_for_all(stack, waiting)
    except (StackError, subprocess.CalledProcessError) as error:
        if started or running:
            raise StackError(f"{error}\n(`make cluster-stop` stops what did start)") from error
        raise
    where = {name: f"http://{HOST}:{stack.ports[name]}" for name in ("webserver", "moto")}
    print(f"stack up: UI {where['webserver']}, broker {stack.broker}, S3 {where['moto']} (bucket {BUCKET}), "
          f"data root {variables['MLECURATE_HOME']}\nrun jobs on it: . {state / 'env.sh'}")  # fmt: skip


def started_line(stack: Stack, service: str, program: str, began: float) -> str:
    return (
        f"{service}: started (pid {running_pid(stack.pidfile(service), program)}) in {time.monotonic() - began:.1f} s"
    )


def wait_for_all(stack: Stack, waiting: list[tuple[str, str, float, Ready]]) -> None:
    """Wait for the services started together, each on a thread of its own, saying each one's start as it answers;
    the first that fails is raised once all have answered or failed (the others keep running, for `stop`)."""
    if not waiting:
        return
    failures: list[str] = []
    with ThreadPoolExecutor(max_workers=len(waiting)) as pool:
        futures = {pool.submit(ready): (service, program, began) for service, program, began, ready in waiting}
        try:
            for future in as_completed(futures):
                service, program, began = futures[future]
                try:
                    future.result()
                except Exception as error:  # noqa: BLE001 - each failure is said, with its service
                    failures.append(str(error) if isinstance(error, StackError) else f"{service}: {error!r}")
                    continue
                print(started_line(stack, service, program, began), flush=True)
        except BaseException:  # Ctrl-C: the waiting threads give up at their next poll
            STOPPING.set()
            raise
    if failures:
        raise StackError("\n".join(failures))


def stop(state: Path) -> None:
    recorded = read_stack_json(state)
    stack = Stack(state, recorded["ports"] if recorded else PORTS)
    stopped = []
    for service, program, _port, _start in reversed(SERVICES):
        pidfile = stack.pidfile(service)
        pid = running_pid(pidfile, program)
        if pid is None:
            print(f"{service}: not running")
        else:
            if service == "postgres":
                postgres_stop(stack)
            else:  # redis daemonised itself (its own session); the others lead the session spawn() gave them
                stop_pid(pid, program, pidfile, group=service != "redis")
            print(f"{service}: stopped (pid {pid})", flush=True)
            stopped.append(service)
        if service != "postgres":  # pg_ctl removes its own
            pidfile.unlink(missing_ok=True)
    print(f"stopped {len(stopped)} service(s): {', '.join(stopped) or 'none was running'}")


def status(state: Path) -> int:
    recorded = read_stack_json(state)
    stack = Stack(state, recorded["ports"] if recorded else PORTS)
    running = running_services(stack)
    for service, *_ in SERVICES:
        print(f"{service}: {f'running (pid {running[service]})' if service in running else 'stopped'}")
    return 0 if len(running) == len(SERVICES) else 1


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, found {number}")
    return number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["start", "stop", "status"],
                        help="start: start what is not running, wait until each service answers; stop: stop what "
                             "the pidfiles name; status: which services run (exit 1 unless all do)")  # fmt: skip
    parser.add_argument("--state", type=Path, default=PROJECT / "mlecurate-cluster",
                        help="the folder holding everything the stack keeps (default: ./mlecurate-cluster)")  # fmt: skip
    for name, port in PORTS.items():
        parser.add_argument(f"--{name}-port", type=int, default=port, help=f"{name}'s port (default {port})")
    parser.add_argument("--no-install", action="store_true", help="fail instead of apt-installing what is missing")
    parser.add_argument("--steps-concurrency", type=positive, default=STEPS_CONCURRENCY, metavar="N",
                        help="start: steps the steps worker (queue dagster) runs at once, one pool process each "
                             f"(default {STEPS_CONCURRENCY}); bench/cluster_benchmark.py compares 1 and 2")  # fmt: skip
    args = parser.parse_args(argv)
    state = args.state.resolve()
    try:
        if args.command == "start":
            ports = {name: getattr(args, f"{name}_port") for name in PORTS}
            start(state, ports, install=not args.no_install, steps_concurrency=args.steps_concurrency)
        elif args.command == "stop":
            stop(state)
        else:
            return status(state)
    except (StackError, subprocess.CalledProcessError) as error:
        print(f"cluster {args.command}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
