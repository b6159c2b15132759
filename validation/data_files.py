"""Competition data files (CSV, JSON, Parquet) in DuckDB: how mlecurate reads, writes and checksums them.

CSV is read as text (``all_varchar``): values pass through a split byte for byte, whatever their type, so a split
never reformats a number or a date. JSON and Parquet keep their own types.

Content checksums (:func:`content_checksum`): the same rows give the same checksum, whatever their order and
whichever library wrote them. MLE-bench's MD5 file checksums break when a writer library changes its quoting, line
ends or float format; this one hashes each row's values (CSV read as text, so values as written; columns in name
order) and sums the row hashes, so row order, quoting and line ends do not matter. The row count leads the
checksum, so it reads at a glance: ``v1:891:3f1c...``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb


class DataFileError(ValueError):
    """A competition file cannot be read; the message names the file."""


def reader_sql(path: Path) -> str:
    """A DuckDB table function call that reads ``path``."""
    path_sql = literal(str(path))
    kind = data_format(path.name)
    if kind == "csv":
        return f"read_csv({path_sql}, all_varchar=true, header=true)"
    if kind == "json":
        return f"read_json_auto({path_sql}, maximum_object_size=100000000)"
    return f"read_parquet({path_sql})"


def columns_of(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    if not path.is_file():
        raise DataFileError(f"{path}: no such file")
    try:
        return [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {reader_sql(path)}").fetchall()]
    except duckdb.Error as error:
        raise DataFileError(
            f"{path}: cannot be read as {data_format(path.name).upper()}: {_first_line(error)}"
        ) from error


def copy_sql(query: str, target: Path) -> str:
    """A COPY statement writing ``query`` to ``target`` in the format its name says."""
    kind = data_format(target.name)
    options = {"csv": "FORMAT CSV, HEADER true", "json": "FORMAT JSON, ARRAY true", "parquet": "FORMAT PARQUET"}[kind]
    return f"COPY ({query}) TO {literal(str(target))} ({options})"


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


DATA_FORMATS = {".csv": "csv", ".json": "json", ".parquet": "parquet"}


def data_format(file_name: str) -> str:
    """``csv`` | ``json`` | ``parquet`` from a file name."""
    return DATA_FORMATS[Path(file_name).suffix.lower()]


def content_checksum(path: Path, con: duckdb.DuckDBPyConnection | None = None) -> str:
    """``v1:<rows>:<hash>`` of a CSV, JSON or Parquet file's content."""
    owned = con is None
    con = con or duckdb.connect()
    try:
        columns = sorted(columns_of(con, path))
        row = "CAST(struct_pack(" + ", ".join(f"{quote(c)} := {quote(c)}" for c in columns) + ") AS VARCHAR)"
        rows, upper, lower = con.execute(
            f"""SELECT count(*), coalesce(sum(md5_number_upper({row})::HUGEINT), 0)::VARCHAR,
                       coalesce(sum(md5_number_lower({row})::HUGEINT), 0)::VARCHAR
                FROM {reader_sql(path)}"""
        ).fetchone()
    finally:
        if owned:
            con.close()
    digest = hashlib.sha256(f"{'|'.join(columns)}\n{rows}\n{upper}\n{lower}".encode()).hexdigest()[:32]
    return f"v1:{rows}:{digest}"
