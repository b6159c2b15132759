"""validation.data_files.utc_connection: each call a connection of its own to the process's one in-memory database.
Sharing the database must not share a session: time zone, temporary tables and registered frames stay each caller's,
whatever the machine's zone, in threads, and in a forked child."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading

import duckdb
import pandas as pd
import pytest

from tests.conftest import PROJECT
from validation.data_files import utc_connection, utc_database

ZONED = "SELECT TIMESTAMPTZ '2020-01-26 20:30:00+00'::VARCHAR"
SESSIONS_APART = """
from validation.data_files import utc_connection
first = utc_connection()
first.execute("SET TimeZone = 'America/New_York'")
first.execute("CREATE TEMP TABLE mine AS SELECT 1 AS x")
first.register("frame", __import__("pandas").DataFrame({"x": [1]}))
second = utc_connection()
zoned = "SELECT TIMESTAMPTZ '2020-01-26 20:30:00+00'::VARCHAR"
print(first.execute(zoned).fetchone()[0], second.execute(zoned).fetchone()[0], sep="|", end="|")
for name in ("mine", "frame"):
    try:
        second.execute(f"SELECT * FROM {name}").fetchall()
        print("seen", end="|")
    except Exception as error:
        print(type(error).__name__, end="|")
"""


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/New_York"])
def test_a_connection_reads_in_utc_and_keeps_its_session_to_itself(zone):
    """Under any machine zone: a new connection reads a zoned instant in UTC though an earlier one set another zone,
    and sees none of the earlier one's temporary tables or registered frames."""
    done = subprocess.run([sys.executable, "-c", SESSIONS_APART], cwd=PROJECT, env={**os.environ, "TZ": zone},
                          capture_output=True, text=True, check=True)  # fmt: skip
    first, second, table, frame, _ = done.stdout.split("|")
    assert first == "2020-01-26 15:30:00-05" and second == "2020-01-26 20:30:00+00"
    assert (table, frame) == ("CatalogException", "CatalogException")


def test_connections_in_threads_each_have_their_own_temporary_tables():
    found, errors = {}, []

    def work(n: int) -> None:
        try:
            with utc_connection() as con:
                con.execute("CREATE TEMP TABLE rows AS SELECT range + ? AS x FROM range(1000)", [n * 1000])
                con.register("frame", pd.DataFrame({"n": [n]}))
                found[n] = con.execute("SELECT min(x), max(x), (SELECT n FROM frame) FROM rows").fetchone()
        except duckdb.Error as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and found == {n: (n * 1000, n * 1000 + 999, n) for n in range(8)}


def _in_child(sink) -> None:
    with utc_connection() as con:
        sink.send(con.execute(ZONED).fetchone()[0])


@pytest.mark.skipif(sys.platform != "linux", reason="fork is Linux's start method here")
def test_a_forked_child_opens_a_database_of_its_own():
    """A child forked after its parent opened the database (DuckDB's threads do not survive a fork) gets a working
    connection of its own, and the parent's still works."""
    with utc_connection() as con:
        assert con.execute(ZONED).fetchone()[0] == "2020-01-26 20:30:00+00"
    context = multiprocessing.get_context("fork")
    receive, sink = context.Pipe(duplex=False)
    child = context.Process(target=_in_child, args=(sink,))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0 and receive.poll(1) and receive.recv() == "2020-01-26 20:30:00+00"
    with utc_connection() as con:
        assert con.execute("SELECT 42").fetchone()[0] == 42


def test_a_database_of_its_own_keeps_its_limits_to_itself():
    """The split builder's database sets memory_limit and threads; the shared one keeps DuckDB's defaults."""
    own = utc_database()
    own.execute("SET memory_limit = '100MB'")
    own.execute("SET threads = 1")
    with utc_connection() as shared, duckdb.connect() as fresh:
        defaults = "SELECT current_setting('memory_limit'), current_setting('threads')"
        assert shared.execute(defaults).fetchone() == fresh.execute(defaults).fetchone()
    assert own.execute(ZONED).fetchone()[0] == "2020-01-26 20:30:00+00"
    own.close()
