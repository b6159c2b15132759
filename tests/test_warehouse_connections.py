"""How a process opens warehouse files (curation.warehouse): each ATTACHed once to the process's in-memory database,
however many connections use it, and DETACHed when the last one closes: the file lock is then free for other
processes, each warehouse sees only its own tables, and a forked child opens them afresh."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from curation import warehouse as module
from curation.warehouse import Warehouse, WarehouseError, WarehouseLockedError
from tests.conftest import PROJECT

WRITE = """
import sys
from pathlib import Path
import pandas as pd
from curation.warehouse import Warehouse
print(Warehouse(Path(sys.argv[1]), lock_timeout=float(sys.argv[2])).replace_table("curation.other", pd.DataFrame({"x": [1]})))
"""


def write_from_another_process(path, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WRITE, str(path), str(timeout)], cwd=PROJECT, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def test_the_last_connection_closed_frees_the_file_for_another_process(tmp_path):
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    warehouse.replace_table("curation.candidates", pd.DataFrame({"slug": ["titanic"]}))
    with warehouse.connect(read_only=True) as outer:
        with warehouse.connect(read_only=True) as inner:  # the same attachment, not a second one
            assert inner.execute("SELECT slug FROM curation.candidates").fetchall() == [("titanic",)]
        assert outer.execute("SELECT count(*) FROM curation.candidates").fetchall() == [(1,)]  # still open
        held = write_from_another_process(warehouse.path, timeout=0.5)
        assert held.returncode != 0 and "still locked by another process" in held.stderr
    assert module._ATTACHED == {}
    done = write_from_another_process(warehouse.path, timeout=30)
    assert done.returncode == 0, done.stderr
    assert warehouse.read_table("curation.other")["x"].tolist() == [1]


def test_a_file_another_process_holds_is_waited_for_then_named(tmp_path):
    warehouse = Warehouse(tmp_path / "warehouse.duckdb", lock_timeout=0.3)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(30)", str(warehouse.path)],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseLockedError, match="still locked by another process after 0 s"):
            warehouse.replace_table("curation.candidates", pd.DataFrame({"slug": ["titanic"]}))
    finally:
        holder.kill()
        holder.wait()
    assert module._ATTACHED == {}  # nothing left half attached
    assert warehouse.replace_table("curation.candidates", pd.DataFrame({"slug": ["titanic"]})) == 1


def test_each_warehouse_sees_only_its_own_tables_while_both_are_open(tmp_path):
    first, second = Warehouse(tmp_path / "first.duckdb"), Warehouse(tmp_path / "second.duckdb")
    first.replace_table("curation.candidates", pd.DataFrame({"slug": ["a", "b"]}))
    second.replace_views({"splits.manifest": "SELECT 1 AS x"})
    with first.connect(read_only=True), second.connect(read_only=True):
        assert first.table_counts() == {"curation.candidates": 2}
        assert second.table_counts() == {"splits.manifest": 1}
        assert not second.has_table("curation.candidates")
        assert second.query("SELECT view_name FROM duckdb_views() WHERE NOT internal AND "
                            "database_name = current_database()")["view_name"].tolist() == ["manifest"]  # fmt: skip


def test_another_mode_while_open_is_named(tmp_path):
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    warehouse.replace_table("curation.candidates", pd.DataFrame({"slug": ["titanic"]}))
    found = "cannot open the warehouse read-write while this process holds it"
    with warehouse.connect(read_only=True), pytest.raises(WarehouseError, match=found):
        warehouse.replace_table("curation.candidates", pd.DataFrame({"slug": ["other"]}))
    assert warehouse.read_table("curation.candidates")["slug"].tolist() == ["titanic"]


def test_a_forked_child_opens_the_warehouse_afresh(tmp_path):
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    warehouse.replace_table("curation.candidates", pd.DataFrame({"slug": ["titanic"]}))
    with warehouse.connect(read_only=True):  # attached in the parent when it forks
        pid = os.fork()
        if pid == 0:  # the child: its own database; exits without freeing the parent's
            try:
                found = Warehouse(tmp_path / "warehouse.duckdb").read_table("curation.candidates")["slug"].tolist()
                os._exit(0 if found == ["titanic"] else 3)
            except BaseException:
                os._exit(4)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_forked_child_is_told_why_it_cannot_open_what_its_parent_had_open_read_write(tmp_path):
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    with warehouse.connect():
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                Warehouse(tmp_path / "warehouse.duckdb", lock_timeout=1).read_table("curation.candidates")
                message = b"opened"
            except BaseException as error:  # noqa: BLE001 - the child reports whatever it met
                message = str(error).encode()
            os.write(write, message)
            os._exit(0)
        os.close(write)
        _, status = os.waitpid(pid, 0)
        told = os.read(read, 4096).decode()
    assert os.waitstatus_to_exitcode(status) == 0
    assert "forked while its parent had the warehouse open" in told and str(tmp_path / "warehouse.duckdb") in told


def test_a_relative_path_is_closed_after_a_change_of_directory(tmp_path, monkeypatch):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    monkeypatch.chdir(tmp_path / "x")
    warehouse = Warehouse(Path("warehouse.duckdb"))
    with warehouse.connect() as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
        monkeypatch.chdir(tmp_path / "y")  # a command that changes directory while the warehouse is open
    assert module._ATTACHED == {}
    assert write_from_another_process(tmp_path / "x" / "warehouse.duckdb", timeout=5).returncode == 0


def test_another_warehouse_closing_while_a_catalogue_is_read_on_another_thread_is_waited_for(tmp_path):
    """A DETACH while another thread reads a catalogue (duckdb_tables(), as has_table does) leaves the file listed
    for a moment: opening it again then waits, as for a lock, instead of failing (36 of 300 failed before)."""
    listed, written = Warehouse(tmp_path / "listed.duckdb"), Warehouse(tmp_path / "written.duckdb")
    listed.replace_views({f"v.v{i}": f"SELECT {i} AS a" for i in range(30)})
    written.replace_table("curation.t", pd.DataFrame({"x": [0]}))
    stop, failures = threading.Event(), []

    def read_catalogue():
        while not stop.is_set():
            listed.has_table("curation.t")

    reader = threading.Thread(target=read_catalogue)
    reader.start()
    try:
        for _ in range(400):
            try:
                with written.connect() as con:
                    con.execute("INSERT INTO curation.t VALUES (1)")
            except WarehouseError as error:
                failures.append(str(error))
    finally:
        stop.set()
        reader.join()
    assert not failures, f"{len(failures)} of 400 failed, the first: {failures[0]}"
    assert written.query("SELECT count(*) AS n FROM curation.t")["n"][0] == 401


def test_a_close_whose_checkpoint_fails_raises_nothing_and_loses_nothing(tmp_path):
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    warehouse.replace_table("curation.t", pd.DataFrame({"x": [1]}))
    size = warehouse.path.stat().st_size
    before = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, limits[1]))  # the file cannot grow: the checkpoint fails
    try:
        assert warehouse.replace_table("curation.u", pd.DataFrame({"x": range(20000)})) == 20000
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, before)
    assert warehouse.read_table("curation.u")["x"].sum() == sum(range(20000))  # from the write-ahead log
    assert write_from_another_process(warehouse.path, timeout=5).returncode == 0  # and the file is free
