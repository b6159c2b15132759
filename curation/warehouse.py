"""The DuckDB warehouse: one file, one writer at a time, every table replaced whole or not at all.

>>> Warehouse(warehouse_path()).replace_table("curation.candidates", table)

DuckDB lets one process write a database file at a time (readers in other processes are locked out too), and
Dagster runs independent steps in parallel processes. So every connection here waits for the file lock, up to
``lock_timeout`` seconds, instead of failing at once; large per-partition data is written as files elsewhere.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa


class WarehouseLockedError(RuntimeError):
    """Another process held the warehouse's write lock for longer than the timeout."""


class MissingTableError(LookupError):
    """A table a command needs has not been built yet; the message says which asset builds it."""


@dataclass(frozen=True)
class Warehouse:
    path: Path
    lock_timeout: float = 300.0

    @contextlib.contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection that waited for the file lock; closed on exit."""
        if read_only and not self.path.exists():
            raise MissingTableError(f"{self.path}: the warehouse does not exist yet (materialise the assets first)")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=read_only)
                break
            except duckdb.IOException as error:
                if "lock" not in str(error).lower():
                    raise
                if time.monotonic() > deadline:
                    raise WarehouseLockedError(
                        f"{self.path}: still locked by another process after {self.lock_timeout:.0f} s"
                    ) from error
                time.sleep(0.2)
        try:
            yield con
        finally:
            con.close()

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
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return counts

    def replace_views(self, views: dict[str, str]) -> None:
        """(Re)create views ``schema.name`` -> ``SELECT ...``; the way files under the data root reach the warehouse."""
        with self.connect() as con:
            for name, select in views.items():
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {name.split('.')[0]}")
                con.execute(f"CREATE OR REPLACE VIEW {name} AS {select}")

    def has_table(self, name: str) -> bool:
        if not self.path.exists():
            return False
        schema, table = name.split(".")
        with self.connect(read_only=True) as con:
            found = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                [schema, table],
            ).fetchone()[0]
        return bool(found)

    def read_table(self, name: str, built_by: str) -> pd.DataFrame:
        """The whole of a small table as a DataFrame; ``built_by`` names the asset to run when it is missing."""
        if not self.has_table(name):
            raise MissingTableError(
                f"{self.path}: table {name} does not exist yet; materialise the asset {built_by} first"
            )
        with self.connect(read_only=True) as con:
            return con.sql(f"SELECT * FROM {name}").df()

    def competition(self, slug: str) -> dict:
        """Meta Kaggle's row for ``slug`` as a dict (NULLs as None), or {} when the table or the slug is missing."""
        if not self.has_table("meta_kaggle.competitions"):
            return {}
        found = self.query("SELECT * FROM meta_kaggle.competitions WHERE slug = ?", [slug])
        if found.empty:
            return {}
        return {key: (None if pd.isna(value) else value) for key, value in found.iloc[0].to_dict().items()}

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run a read-only query and return a DataFrame (for small results)."""
        with self.connect(read_only=True) as con:
            return con.execute(sql, params or []).df()
