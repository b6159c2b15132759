"""deploy/cluster.py's start, without starting a stack: which ports count as free, and the services started together
(the workers, the daemon, the webserver) waited for together. tests/test_cluster.py starts whole stacks."""

from __future__ import annotations

import importlib.util
import socket
import sys
import threading
import time

import pytest

from tests.conftest import PROJECT

spec = importlib.util.spec_from_file_location("deploy_cluster", PROJECT / "deploy" / "cluster.py")
cluster = sys.modules.setdefault("deploy_cluster", importlib.util.module_from_spec(spec))
spec.loader.exec_module(cluster)


def test_a_port_a_stopped_server_left_in_time_wait_is_free_and_a_listening_one_is_not():
    """`make cluster-stop` then `make cluster` at once: the stopped PostgreSQL's closed connections sit in TIME_WAIT
    on its port for a minute; its next start binds it anyway (SO_REUSEADDR), so the port is free."""
    server = socket.create_server((cluster.HOST, 0))  # Python sets SO_REUSEADDR, as PostgreSQL and Redis do
    port = server.getsockname()[1]
    client = socket.create_connection((cluster.HOST, port))
    accepted, _ = server.accept()
    assert not cluster.port_free(port)  # listening
    accepted.close()  # the server's side closes first: its end (the port) goes to TIME_WAIT
    client.recv(1)
    client.close()
    server.close()
    deadline = time.monotonic() + 5
    while f"{port:04X}" not in _time_wait_ports():
        assert time.monotonic() < deadline, "the server's end never reached TIME_WAIT"
        time.sleep(0.05)
    assert cluster.port_free(port)
    with socket.create_server((cluster.HOST, port)):  # as a server would, right then
        pass


def _time_wait_ports() -> set[str]:
    """The local ports (hex) of this machine's IPv4 TCP connections in TIME_WAIT (state 06)."""
    lines = open("/proc/net/tcp").read().splitlines()[1:]  # noqa: SIM115 - one read
    return {line.split()[1].split(":")[1] for line in lines if line.split()[3] == "06"}


def test_services_started_together_are_waited_for_together_each_said_as_it_answers(tmp_path, capsys, monkeypatch):
    stack = cluster.Stack(tmp_path, {})
    said_quick = threading.Event()
    started_line = cluster.started_line

    def saying(stack, service, program, began):
        line = started_line(stack, service, program, began)
        if service == "quick":
            said_quick.set()
        return line

    monkeypatch.setattr(cluster, "started_line", saying)

    def slow():  # answers only once the quick one has been said: they are waited for at once
        assert said_quick.wait(5)

    def quick():
        pass

    began = time.monotonic()
    cluster.wait_for_all(stack, [("slow", "python", began, slow), ("quick", "python", began, quick)])
    said = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in said] == ["quick", "slow"]
    assert all(line.endswith(" s") and "started (pid None) in " in line for line in said)


def test_the_first_failure_is_raised_once_every_service_has_answered_or_failed(tmp_path, capsys):
    stack = cluster.Stack(tmp_path, {})
    waited = []

    def fails():
        raise cluster.StackError("dagster-daemon exited while starting:\nImportError: no module named x")

    def answers():
        time.sleep(0.2)
        waited.append("webserver")

    with pytest.raises(cluster.StackError, match="dagster-daemon exited while starting"):
        cluster.wait_for_all(stack, [("daemon", "dagster-daemon", 0.0, fails), ("webserver", "dagster", 0.0, answers)])
    assert waited == ["webserver"]
    assert capsys.readouterr().out.startswith("webserver: started")


def test_a_service_that_dies_at_start_is_said_to_have_exited_at_once(tmp_path, monkeypatch):
    """A child that exits stays a zombie (its /proc entry too) until reaped: the wait saw it alive and gave up only
    after START_TIMEOUT (180 s), saying it "did not answer"."""
    stack = cluster.Stack(tmp_path, {})
    (tmp_path / "logs").mkdir()
    (tmp_path / "pids").mkdir()
    monkeypatch.setattr(cluster, "START_TIMEOUT", 30)
    pid = cluster.spawn(stack, "daemon", [sys.executable, "-c", "raise SystemExit('no module named x')"], {})
    began = time.monotonic()
    with pytest.raises(cluster.StackError, match="dagster-daemon exited while starting:\n    no module named x"):
        cluster.wait_until(lambda: False, "dagster-daemon", stack.log("daemon"), pid)
    assert time.monotonic() - began < 10


def test_a_failure_that_is_not_the_stacks_own_is_said_with_its_service(tmp_path):
    def broken():
        raise ConnectionError("database went away")

    with pytest.raises(cluster.StackError, match=r"daemon: ConnectionError\('database went away'\)"):
        cluster.wait_for_all(cluster.Stack(tmp_path, {}), [("daemon", "dagster-daemon", 0.0, broken)])
