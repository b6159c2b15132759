"""One competition's rows of Meta Kaggle's Teams.csv and Submissions.csv, read in bounded memory at full size.

>>> rows = read_board_rows(Path("/data/meta-kaggle"), 3136, cache=Path("/data/meta-kaggle/.mlecurate-cache"))
>>> rows.teams          # Id, PrivateLeaderboardSubmissionId, PrivateLeaderboardRank[, IsBenchmark]: its teams
>>> rows.submissions    # Id, PrivateScoreFullPrecision[, SubmissionDate]: the submissions those teams' boards name

A 2024 dump holds about 760,000 teams and 10 million submissions (SCHEMA.md). DuckDB streams them: the teams of one
competition are filtered by ``CompetitionId``, and Submissions.csv is semi-joined on those teams'
``PrivateLeaderboardSubmissionId`` reading only the columns the board needs, under a memory limit, so peak memory
does not grow with the files. Values stay text, exactly as written (an empty field is ``""``); teams keep the file's
order. Deciding which teams are on the board is the caller's (``curation.sources.folder``).

A refresh of many competitions from one dump would parse the same 10 million submissions once per competition. With
``cache`` set, the first rebuild keeps a narrow Parquet copy of each table (the columns above plus Teams'
``CompetitionId``), named by the CSV's path, size, modification and change times and inode, and written
atomically; later rebuilds read that copy instead (at full size: about 0.1 s, not 2 to 3 s). A changed CSV gets a
new copy and the old one is removed; a damaged copy is made again.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from validation.data_files import ONE_FILE, literal, path_literal, quote
from validation.data_root import atomic_path
from validation.leaderboard import LeaderboardError

TEAMS_FILE = "Teams.csv"
SUBMISSIONS_FILE = "Submissions.csv"
TEAM_COLUMNS = ("Id", "CompetitionId", "PrivateLeaderboardSubmissionId", "PrivateLeaderboardRank")  # required
TEAM_OPTIONAL = ("IsBenchmark",)
SUBMISSION_COLUMNS = ("Id", "PrivateScoreFullPrecision")  # required
SUBMISSION_OPTIONAL = ("SubmissionDate",)
MEMORY_LIMIT = "512MB"  # DuckDB's; the rows a board needs are a few thousand, whatever the size of the dump
CACHE_VERSION = 1  # in the cache files' names: bump it when what they hold changes


@dataclass(frozen=True)
class BoardRows:
    teams: pd.DataFrame  # the competition's teams, in file order, as text
    submissions: pd.DataFrame  # the submissions named by their PrivateLeaderboardSubmissionId, as text


@dataclass(frozen=True)
class _Table:
    path: Path
    header: list[str]  # as DuckDB names the columns: a repeated name gets a suffix, so the first one is read
    columns: tuple[str, ...]  # what the rebuild reads: the required columns and the optional ones present


def read_board_rows(folder: Path, competition_id: int, cache: Path | None = None) -> BoardRows:
    """The competition's teams and their private-leaderboard submissions (see the module docstring). A damaged file
    or a missing column is a :class:`LeaderboardError` naming the file (and, for damage, the competition)."""
    teams = _table(folder / TEAMS_FILE, TEAM_COLUMNS, TEAM_OPTIONAL, competition_id)
    submissions = _table(folder / SUBMISSIONS_FILE, SUBMISSION_COLUMNS, SUBMISSION_OPTIONAL, competition_id)
    with _connect() as con:
        for table, required in [(teams, TEAM_COLUMNS), (submissions, SUBMISSION_COLUMNS)]:
            missing = [c for c in required if c not in table.header]
            if missing:
                _check_readable(con, table, competition_id)  # damage first: a cut header also loses columns
                raise LeaderboardError(f"{table.path}: column(s) {', '.join(missing)} missing")
        mine = f'"CompetitionId" = {literal(str(competition_id))}'  # compared as text, as pandas' filter did
        found = _rows(con, f"SELECT {_columns(teams)} FROM {_source(con, teams, competition_id, cache)} WHERE {mine}",
                      teams, competition_id)  # fmt: skip
        ids = set(found["PrivateLeaderboardSubmissionId"])
        con.register("wanted", pa.table({"id": pa.array(sorted(ids - {""}), pa.string())}))
        # A team whose submission id is empty matches a submission whose id is empty, as pandas' merge did.
        empty = ' OR "Id" IS NULL' if "" in ids else ""
        submissions_from = _source(con, submissions, competition_id, cache)
        named = _rows(con, f'SELECT {_columns(submissions)} FROM {submissions_from} '
                           f'WHERE "Id" IN (SELECT id FROM wanted){empty}', submissions, competition_id)  # fmt: skip
    return BoardRows(found, named)


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET memory_limit = ?", [MEMORY_LIMIT])
    con.execute("SET preserve_insertion_order = true")  # teams in file order: ties in rank keep it
    con.execute("SET enable_progress_bar = false")
    return con


def _table(path: Path, required: tuple[str, ...], optional: tuple[str, ...], competition_id: int) -> _Table:
    header = _read_header(path, competition_id)
    columns = tuple(c for c in required + optional if c in header)
    return _Table(path, header, columns)


def _read_header(path: Path, competition_id: int) -> list[str]:
    """The first row, as pandas named the columns: a repeated name becomes ``name.1`` (the first one is read), an
    empty one ``Unnamed: i``."""
    try:
        with open(path, "rb") as handle:  # decoded line by line: a bad byte further down is DuckDB's to find
            # utf-8-sig: a byte-order mark is not part of "Id".
            lines = (line.decode("utf-8-sig" if i == 0 else "utf-8") for i, line in enumerate(handle))
            first = next(csv.reader(lines), None)
    except (UnicodeDecodeError, csv.Error, OSError) as error:
        raise _damaged(path, competition_id, f"line 1: {error}") from error
    if not first:
        raise _damaged(path, competition_id, "the file is empty (expected a header row of Meta Kaggle columns)")
    names: list[str] = []
    for i, name in enumerate(first):
        name = name or f"Unnamed: {i}"
        names.append(name if name not in names else f"{name}.{i}")
    return names


def _reader(table: _Table) -> str:
    """``read_csv`` of the whole table, every column text, parsed strictly (no sniffing: Meta Kaggle's dialect)."""
    columns = "{" + ", ".join(f"{literal(h)}: 'VARCHAR'" for h in table.header) + "}"
    return (
        f"read_csv({path_literal(table.path)}, auto_detect = false, header = true, columns = {columns}, "
        f"delim = ',', quote = '\"', escape = '\"', strict_mode = true{ONE_FILE})"
    )


def _columns(table: _Table) -> str:
    return ", ".join(quote(c) for c in table.columns)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, table: _Table, competition_id: int) -> pd.DataFrame:
    """The query's rows as text, an empty field as ``""`` (as ``pd.read_csv(dtype=str, keep_default_na=False)``)."""
    frame = _run(con, sql, table, competition_id).df().reindex(columns=list(table.columns)).astype(object)
    return frame.where(frame.notna(), "").reset_index(drop=True)


def _source(con: duckdb.DuckDBPyConnection, table: _Table, competition_id: int, cache: Path | None) -> str:
    """What to read the table's columns from: the CSV itself, or (with ``cache``) its narrow Parquet copy."""
    if cache is None:
        return _reader(table)
    key = _file_key(table.path)
    if key is None:
        return _reader(table)
    stem = f"{table.path.stem}-{hashlib.sha256(str(table.path.resolve()).encode()).hexdigest()[:12]}"
    copy = cache / f"{stem}-{key}-v{CACHE_VERSION}.parquet"
    if copy.is_file() and not _readable(con, copy):  # damaged (a crash, a hand edit): made again from the CSV
        copy.unlink(missing_ok=True)
    if not copy.is_file():
        select = f"SELECT {_columns(table)} FROM {_reader(table)}"
        # Only Teams' order matters (ties in rank keep it); unordered, Submissions' copy is written faster.
        con.execute(f"SET preserve_insertion_order = {'true' if table.path.name == TEAMS_FILE else 'false'}")
        try:
            with atomic_path(copy) as tmp:
                _run(con, f"COPY ({select}) TO {literal(str(tmp))} (FORMAT parquet)", table, competition_id)
                if _file_key(table.path) != key:
                    raise _ChangedWhileRead
        except _ChangedWhileRead:  # the dump was being replaced: read the CSV as it is now, keep no copy
            return _reader(table)
        finally:
            con.execute("SET preserve_insertion_order = true")
        for old in cache.glob(f"{glob.escape(stem)}-*.parquet"):
            if old != copy:
                old.unlink(missing_ok=True)
    return f"read_parquet({path_literal(copy)}{ONE_FILE})"


class _ChangedWhileRead(Exception):
    """The CSV's size or modification time changed while its cache copy was written."""


def _file_key(path: Path) -> str | None:
    try:
        status = path.stat()
    except OSError:
        return None
    # size, modification and change times, inode: a same-size copy with its old mtime kept (cp -p) is a new key
    return f"{status.st_size}-{status.st_mtime_ns}-{status.st_ctime_ns}-{status.st_ino}"


def _readable(con: duckdb.DuckDBPyConnection, copy: Path) -> bool:
    """Whether a cached copy's Parquet footer reads (a truncated or damaged file does not)."""
    try:
        con.execute(f"SELECT count(*) FROM read_parquet({path_literal(copy)}{ONE_FILE})").fetchall()
    except duckdb.Error:
        return False
    return True


def _run(con: duckdb.DuckDBPyConnection, sql: str, table: _Table, competition_id: int) -> duckdb.DuckDBPyConnection:
    try:
        return con.execute(sql)
    except duckdb.Error as error:
        raise _damaged(table.path, competition_id, _csv_problem(str(error))) from error


def _check_readable(con: duckdb.DuckDBPyConnection, table: _Table, competition_id: int) -> None:
    """Parse every field of the file (every column read, so each is checked as UTF-8); raise on damage."""
    anything = " OR ".join(f"{quote(c)} IS NULL" for c in table.header)
    _run(con, f"SELECT count(*) FROM {_reader(table)} WHERE {anything}", table, competition_id).fetchone()


def _damaged(path: Path, competition_id: int, problem: str) -> LeaderboardError:
    return LeaderboardError(f"{path}: cannot read it to rebuild competition {competition_id}'s leaderboard: {problem}")


def _csv_problem(message: str) -> str:
    """DuckDB's line number and one-line diagnosis, without its generic advice."""
    line = re.search(r"CSV Error on Line: (\d+)", message)
    lines = [part.strip() for part in message.splitlines() if part.strip()]
    diagnosis = next(
        (p for p in lines if not p.startswith(("*", "Possible", "Original", "Invalid Input Error", "CSV Error"))),
        lines[0] if lines else message,
    )
    diagnosis = diagnosis.rstrip(".")
    if "unterminated quote" in diagnosis:
        diagnosis += " (the file looks truncated or its quoting is broken)"
    return f"line {line.group(1)}: {diagnosis}" if line else diagnosis
