"""The DuckDB warehouse: one file, one writer at a time, every table replaced whole or not at all.

>>> Warehouse(root.warehouse).replace_table(CANDIDATES, table)

DuckDB lets one process write a database file at a time (readers in other processes are locked out too), and
Dagster runs independent steps in parallel processes. So every connection here waits for the file lock, up to
``lock_timeout`` seconds, instead of failing at once; large per-partition data is written as files elsewhere.

With an object-storage home (``validation.object_root``) the warehouse is the local mirror's: shared by the processes
that use that mirror (``make cluster``'s workers), under the file lock as with a local home, never between machines.
Each table a step replaces is also written as Parquet under the data root (``copies``), pushed to the bucket, and
loaded by the other mirrors' warehouses (:meth:`Warehouse.load_table_copies`); the views are made over the mirror's
files, as in a local data root.

A process opens each warehouse file by ATTACHing it to one in-memory DuckDB database of its own (:func:`_attach`),
once however many connections use it at a time, and DETACHes it when the last one closes (releasing the file lock):
a new DuckDB database builds its catalogue of functions in 15-20 ms, an ATTACH takes under 2 ms, and a command or a
step opens the warehouse a dozen times.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from validation.data_files import ONE_FILE, abandon_in_child, literal
from validation.data_root import BUILT_BY, COMPETITIONS, CURATED, DataRoot, atomic_path
from validation.object_root import file_sha256


class WarehouseError(RuntimeError):
    """The warehouse file cannot be used as it is; the message names it and says what to do."""


class WarehouseLockedError(WarehouseError):
    """Another process held the warehouse's write lock for longer than the timeout."""


class MissingTableError(LookupError):
    """A table a command needs has not been built yet; the message says which asset builds it."""


@dataclass(frozen=True)
class Warehouse:
    path: Path
    lock_timeout: float = 300.0
    copies: DataRoot | None = None  # with an object-storage home: where each table replaced is also written as Parquet

    @contextlib.contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection that waited for the file lock; closed on exit."""
        if read_only and not self.path.exists():
            raise MissingTableError(f"{self.path}: the warehouse does not exist yet (materialise the assets first)")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                key, con = _attach(self.path, read_only)
                break
            except duckdb.IOException as error:
                if "lock" not in str(error).lower():
                    raise WarehouseError(
                        f"{self.path}: cannot open the warehouse ({str(error).strip().splitlines()[0]}); if the file "
                        "is damaged, move it aside and materialise the assets again (each table is rebuilt by its "
                        "asset, each view from the files under the data root)"
                    ) from error
                if time.monotonic() > deadline:
                    raise WarehouseLockedError(
                        f"{self.path}: still locked by another process after {self.lock_timeout:.0f} s"
                    ) from error
                time.sleep(0.2)
            except _StillDetaching as error:  # a moment, as a lock is waited for
                if time.monotonic() > deadline:
                    raise WarehouseLockedError(f"{self.path}: still closing after {self.lock_timeout:.0f} s") from error
                time.sleep(0.01)
            except (duckdb.ConnectionException, duckdb.ResourceInUseException) as error:  # read-only vs not, here
                mode = "read-only" if read_only else "read-write"
                raise WarehouseError(
                    f"{self.path}: cannot open the warehouse {mode} while this process holds it open otherwise "
                    f"({str(error).strip().splitlines()[0]}); retry once the other use ends"
                ) from error
        try:
            yield con
        finally:
            _detach(key, con)

    def replace_table(self, name: str, data: pa.Table | pd.DataFrame) -> int:
        """Replace table ``schema.table`` with ``data`` in one transaction; return its row count."""
        return self.replace_tables({name: data})[name]

    def replace_tables(self, tables: dict[str, pa.Table | pd.DataFrame]) -> dict[str, int]:
        """Replace several tables in one transaction: all of them change, or none does."""
        counts = {}
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                for name, data in tables.items():
                    schema = name.split(".")[0]
                    con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
                    con.register("_incoming", data)
                    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _incoming")
                    con.unregister("_incoming")
                    counts[name] = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
                con.execute("COMMIT")
            except BaseException as error:
                _roll_back(con, error)
                raise
            if self.copies is not None:
                for name in tables:
                    self._write_copy(con, name, self.copies.table_copy(name))
        return counts

    @staticmethod
    def _write_copy(con: duckdb.DuckDBPyConnection, name: str, copy: Path) -> None:
        """Table ``name`` as Parquet at ``copy`` (atomically); the table's comment records the copy's sha256, so that
        :meth:`load_table_copies` knows this warehouse already holds it."""
        with atomic_path(copy) as tmp:
            con.execute(f"COPY {name} TO {literal(str(tmp))} (FORMAT parquet)")
        con.execute(f"COMMENT ON TABLE {name} IS {literal(file_sha256(copy))}")

    def load_table_copies(self, root: DataRoot) -> list[str]:
        """(Re)load every table whose Parquet copy under ``root`` differs from the one this warehouse last loaded or
        wrote (the table's comment holds its sha256); the names of the tables loaded."""
        copies = {name: root.table_copy(name) for name in BUILT_BY if root.table_copy(name).is_file()}
        if not copies:
            return []
        loaded = []
        with self.connect() as con:
            comments = dict(con.execute(
                "SELECT schema_name || '.' || table_name, comment FROM duckdb_tables() "
                "WHERE database_name = current_database()"
            ).fetchall())  # fmt: skip
            for name, copy in copies.items():
                digest = file_sha256(copy)
                if comments.get(name) == digest:
                    continue
                con.execute("BEGIN TRANSACTION")
                try:
                    con.execute(f"CREATE SCHEMA IF NOT EXISTS {name.split('.')[0]}")
                    con.execute(
                        f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM read_parquet({literal(str(copy))}{ONE_FILE})"
                    )
                    con.execute(f"COMMENT ON TABLE {name} IS {literal(digest)}")
                    con.execute("COMMIT")
                except BaseException as error:
                    _roll_back(con, error)
                    raise
                loaded.append(name)
        return loaded

    def refresh_views(self, root: DataRoot) -> None:
        """(Re)create every view over the data root's files that exist (``DataRoot.views``)."""
        views = root.views()
        if views:
            self.replace_views(views)

    def replace_views(self, views: dict[str, str]) -> None:
        """(Re)create views ``schema.name`` -> ``SELECT ...``; the way files under the data root reach the warehouse.
        Each view carries the sha256 of its SELECT as its comment: when every view is already there as asked, nothing
        is written (no write lock taken; every refresh and prepare step asks, and most change no view)."""
        wanted = {name: _view_digest(select) for name, select in views.items()}
        if self.path.exists():
            with self.connect(read_only=True) as con:
                kept = dict(con.execute("SELECT schema_name || '.' || view_name, comment FROM duckdb_views() "
                                        "WHERE NOT internal AND database_name = current_database()").fetchall())  # fmt: skip
            if all(kept.get(name) == digest for name, digest in wanted.items()):
                return
        with self.connect() as con:
            for name, select in views.items():
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {name.split('.')[0]}")
                con.execute(f"CREATE OR REPLACE VIEW {name} AS {select}")
                con.execute(f"COMMENT ON VIEW {name} IS '{wanted[name]}'")

    def has_table(self, name: str) -> bool:
        if not self.path.exists():
            return False
        with self.connect(read_only=True) as con:
            return _has_table(con, name)

    def read_table(self, name: str) -> pd.DataFrame:
        """The whole of a small table as a DataFrame; a missing table names the asset that builds it."""
        missing = MissingTableError(
            f"{self.path}: table {name} does not exist yet; materialise the asset {BUILT_BY.get(name, 'that builds it')} first"
        )
        if not self.path.exists():
            raise missing
        with self.connect(read_only=True) as con:  # one connection, not one per question
            if not _has_table(con, name):
                raise missing
            return con.sql(f"SELECT * FROM {name}").df()

    def competition(self, slug: str) -> dict:
        """Meta Kaggle's row for ``slug`` as a dict (NULLs as None); for a curated competition outside the dump, its
        row in curation.curated instead (the same column names: title, evaluation_algorithm_name, deadline_date,
        total_teams..., and ``facts_from`` saying where they came from); {} when neither has it."""
        if not self.path.exists():
            return {}
        with self.connect(read_only=True) as con:  # one connection for both tables, not four
            for table in (COMPETITIONS, CURATED):
                if _has_table(con, table):
                    found = con.execute(f"SELECT * FROM {table} WHERE slug = ?", [slug]).df()
                    if not found.empty:
                        row = found.iloc[0].to_dict()
                        return {key: (None if pd.isna(value) else value) for key, value in row.items()}
        return {}

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run a read-only query and return a DataFrame (for small results)."""
        with self.connect(read_only=True) as con:
            return con.execute(sql, params or []).df()

    # Reads for the command line (curation.cli): small, and named for what curators ask.

    def table_counts(self) -> dict[str, int]:
        """The row count of every table and view, by ``schema.name``, in name order."""
        with self.connect(read_only=True) as con:
            names = con.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_catalog = current_database() ORDER BY 1"
            ).fetchall()
            return {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for (name,) in names}

    def rows_for_slug(self, name: str, slug: str) -> pd.DataFrame | None:
        """The rows of table ``name`` about competition ``slug``; None when the table does not exist (yet)."""
        if not self.has_table(name):
            return None
        return self.query(f"SELECT * FROM {name} WHERE slug = ?", [slug])

    def competition_slugs(self) -> list[str] | None:
        """Every slug in Meta Kaggle's competitions; None before ``meta_kaggle_competitions`` has run."""
        if not self.has_table(COMPETITIONS):
            return None
        return self.query(f"SELECT slug FROM {COMPETITIONS}")["slug"].tolist()

    def metric_directions(self) -> dict[str, bool]:
        """Meta Kaggle's ``evaluation_algorithm_is_max`` by slug, where it gives one ({} without the table)."""
        if not self.has_table(COMPETITIONS):
            return {}
        found = self.query(
            f"SELECT slug, evaluation_algorithm_is_max FROM {COMPETITIONS} WHERE evaluation_algorithm_is_max IS NOT NULL"
        )
        return dict(zip(found["slug"], found["evaluation_algorithm_is_max"].astype(bool), strict=True))


def _roll_back(con: duckdb.DuckDBPyConnection, error: BaseException) -> None:
    """Undo the transaction ``error`` interrupted. A failed COMMIT (a full disk) has already ended it, and DuckDB then
    refuses the ROLLBACK: that refusal is only a note on ``error``, which stays the one the user sees."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error as refused:
        error.add_note(f"(rolling back afterwards: {refused})")


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    schema, table = name.split(".")
    found = con.execute(  # fetchall: DuckDB 2 refuses the connection's next query while a result is unfinished
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = ? "
        "AND table_name = ?",
        [schema, table],
    ).fetchall()
    return bool(found[0][0])


def _view_digest(select: str) -> str:
    """What a view's comment holds: the sha256 of its SELECT (a view is a function of its text only)."""
    return "sha256:" + hashlib.sha256(select.encode("utf-8")).hexdigest()[:32]


@dataclass
class _Attachment:
    alias: str
    read_only: bool
    host: duckdb.DuckDBPyConnection
    users: int = 0


class _StillDetaching(Exception):
    """DuckDB still lists a file this process has just DETACHed (a catalogue query on another thread, such as
    ``duckdb_tables()``, kept it until it ended): attaching it again succeeds a moment later."""


_HOST: duckdb.DuckDBPyConnection | None = None  # this process's database the warehouse files are attached to
_HOST_LOCK = threading.Lock()
_ATTACHED: dict[Path, _Attachment] = {}  # by resolved path: each file attached once, however many use it
_ALIASES = itertools.count(1)
_FORKED_OPEN: set[Path] = set()  # the files the parent had attached when this process was forked from it
_OUR_ALIAS = re.compile(r'already attached by database "(warehouse_\d+)"')


def _attach(path: Path, read_only: bool) -> tuple[Path, duckdb.DuckDBPyConnection]:
    """The key of ``path``'s attachment and a connection of its own whose default database is that file, ATTACHed to
    this process's in-memory database unless a connection open here already has it. In the other mode than that
    one's, DuckDB's ConnectionException, as for two ``duckdb.connect`` of one file in different modes; a file another
    DuckDB database of this process has open read-write, or open at all when asked read-write, its
    ResourceInUseException; a file another process holds, its IOException about the lock.

    Settings are the host database's: a connection's ``SET`` lasts as its session, but ``SET GLOBAL`` (memory_limit,
    threads) reaches every warehouse this process opens afterwards; none is made here. Large work spills to
    ``<first warehouse opened>.tmp``, beside it, as a database of its own would have."""
    global _HOST
    key = path.resolve()
    with _HOST_LOCK:
        if _HOST is not None and key not in _ATTACHED:
            try:
                _HOST.execute("SELECT 1").fetchall()
            except duckdb.Error:  # invalidated by a fatal error: every later ATTACH would fail too
                _HOST = None
        if _HOST is None:
            _HOST = duckdb.connect(config={"temp_directory": f"{key}.tmp"})
            _HOST.execute("SET GLOBAL allocator_background_threads = true").fetchall()  # memory back after use
        attached = _ATTACHED.get(key)
        if attached is None or attached.host is not _HOST:
            alias = f"warehouse_{next(_ALIASES)}"
            mode = "READ_ONLY" if read_only else "READ_WRITE"
            try:
                _HOST.execute(f"ATTACH {literal(str(key))} AS {alias} (TYPE duckdb, {mode})").fetchall()
            except duckdb.ResourceInUseException as error:
                ours = _OUR_ALIAS.search(str(error))
                if key in _FORKED_OPEN:
                    raise WarehouseError(
                        f"{path}: this process was forked while its parent had the warehouse open, and cannot open "
                        "it until the parent ends; close the warehouse before forking, or start the process afresh "
                        "(multiprocessing's spawn)"
                    ) from error
                if ours and all(a.alias != ours.group(1) for a in _ATTACHED.values()):
                    raise _StillDetaching(str(error)) from error
                raise
            attached = _ATTACHED[key] = _Attachment(alias, read_only, _HOST)
        elif attached.read_only != read_only:
            raise duckdb.ConnectionException(
                f"it is open {'read-only' if attached.read_only else 'read-write'} in another connection"
            )
        attached.users += 1
        try:
            con = attached.host.cursor()
            con.execute(f"USE {attached.alias}").fetchall()
        except BaseException:
            attached.users -= 1
            _detach_unused(key, attached)
            raise
    return key, con


def _detach(key: Path, con: duckdb.DuckDBPyConnection) -> None:
    """Close ``con``, a connection :func:`_attach` gave for ``key``; the last one of its file DETACHes it (writing its
    changes to the file and releasing the file lock)."""
    con.close()
    with _HOST_LOCK:
        attached = _ATTACHED.get(key)
        if attached is not None:
            attached.users -= 1
            _detach_unused(key, attached)


def _detach_unused(key: Path, attached: _Attachment) -> None:
    """DETACH ``attached`` when no connection uses it (under ``_HOST_LOCK``). A DETACH that fails (its checkpoint on
    a full disk: the changes are safe in the write-ahead log) raises nothing: closing never replaces what the work
    itself raised, as closing a database did not; one that left the file attached is tried again at the next close."""
    if attached.users:
        return
    if attached.host is not _HOST:  # one a fatal error invalidated (and replaced) meanwhile
        del _ATTACHED[key]
        return
    try:
        attached.host.execute(f"DETACH {attached.alias}").fetchall()
    except duckdb.Error:
        with contextlib.suppress(duckdb.Error):  # a host the failure invalidated holds nothing any more
            still = attached.host.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = ?",
                                          [attached.alias]).fetchall()  # fmt: skip
            if still[0][0]:
                return
    del _ATTACHED[key]


def _after_fork_in_child() -> None:
    """A forked child never uses nor frees its parent's database (its threads did not survive the fork; freeing it
    crashed or hung the child at exit, as in ``validation.data_files``): it attaches the files to a database of its
    own, behind a lock of its own. DuckDB's list of the files open in the process is inherited too, so a file the
    parent had attached cannot be opened here: :func:`_attach` says so."""
    global _HOST, _HOST_LOCK, _ATTACHED, _FORKED_OPEN
    abandon_in_child(_HOST, *(attached.host for attached in _ATTACHED.values()))
    _HOST, _HOST_LOCK, _ATTACHED, _FORKED_OPEN = None, threading.Lock(), {}, _FORKED_OPEN | set(_ATTACHED)


os.register_at_fork(after_in_child=_after_fork_in_child)
