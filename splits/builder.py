"""Build a new train/test split from a competition's public training data, streaming through DuckDB.

>>> result = build_split(recipe, raw_dir=Path("raw/titanic/files"), out_dir=Path("staging"))

Deterministic and independent of input row order: every row belongs to a *unit* (its id; its group for ``group``;
its content when there is no id), and units are ranked by ``md5(seed:unit)``. The test set takes units in that
order until it holds ``round(rows * test_fraction)`` rows (per class for ``stratified``; the latest rows for
``temporal``). The same rows give the same split on any machine, and outputs are written in hash order, so the files
are identical too. DuckDB runs under a memory limit and spills to disk, so a file larger than memory splits in
bounded memory.

Output (``out_dir``): ``public/train.<ext>``, ``public/test.<ext>`` (no target columns), ``private/answers.csv``
(id, or the test columns when there is no id, plus the targets). The sample submission and description are the
layout writer's (``splits.layout``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from splits.recipe import SplitRecipe
from validation.data_files import DataFileError, columns_of, copy_sql, quote, reader_sql


class SplitError(ValueError):
    """The recipe does not fit the data; the message names the competition, the file and the recipe key."""


@dataclass(frozen=True)
class SplitResult:
    original_rows: int
    train_rows: int
    test_rows: int
    train_file: Path
    test_file: Path
    answers_file: Path
    public_columns: list[str]  # columns of the public test file
    unit: str  # what was assigned to a side: the id column, the group column, or "row content"


def connect(scratch: Path, memory_limit: str = "1GB", threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that stays under ``memory_limit`` and spills to ``scratch``."""
    scratch.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = '{scratch}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def build_split(
    recipe: SplitRecipe, raw_dir: Path, out_dir: Path, slug: str = "", con: duckdb.DuckDBPyConnection | None = None
) -> SplitResult:
    """Split ``raw_dir/<train_file>`` by ``recipe`` into ``out_dir/public`` and ``out_dir/private``."""
    where = f"{slug}: " if slug else ""
    owned = con is None
    con = con or connect(out_dir / ".scratch")
    try:
        return _build(con, recipe, raw_dir, out_dir, where)
    except DataFileError as error:
        raise SplitError(f"{where}{error}") from error
    finally:
        if owned:
            con.close()


def _build(con, recipe: SplitRecipe, raw_dir: Path, out_dir: Path, where: str) -> SplitResult:
    train_path = raw_dir / recipe.train_file
    columns = columns_of(con, train_path)
    _require(columns, recipe.target_columns, "target_columns", train_path, where, recipe.kind != "released_labels")
    for key in ("id_column", "group_column", "time_column"):
        value = getattr(recipe, key)
        if value:
            _require(columns, [value], key, train_path, where, True)
    public = out_dir / "public"
    private = out_dir / "private"
    public.mkdir(parents=True, exist_ok=True)
    private.mkdir(parents=True, exist_ok=True)
    extension = Path(recipe.train_file).suffix.lower()
    train_out, test_out, answers_out = (
        public / f"train{extension}",
        public / f"test{extension}",
        private / "answers.csv",
    )

    if recipe.kind == "released_labels":
        return _released_labels(con, recipe, raw_dir, columns, train_out, test_out, answers_out, where)

    unit_name = recipe.group_column or recipe.id_column
    unit = f"CAST({quote(unit_name)} AS VARCHAR)" if unit_name else _row_text(columns)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE rows AS
            SELECT *, {unit} AS __unit, md5_number({_literal(str(recipe.seed) + ":")} || {unit}) AS __h
            FROM {reader_sql(train_path)}"""
    )
    total = con.execute("SELECT count(*) FROM rows").fetchone()[0]
    if total < 2:
        raise SplitError(f"{where}{train_path}: {total} row(s); a split needs at least 2")
    fraction = _test_fraction(con, recipe, raw_dir, total)
    con.execute(f"CREATE OR REPLACE TEMP TABLE test_units AS {_test_units_sql(recipe, fraction)}")

    keep = ", ".join(quote(c) for c in columns)
    public_columns = [c for c in columns if c not in recipe.target_columns]
    in_test = "__unit IN (SELECT __unit FROM test_units)"
    order = "ORDER BY __h, __unit"
    con.execute(copy_sql(f"SELECT {keep} FROM rows WHERE NOT ({in_test}) {order}", train_out))
    con.execute(copy_sql(f"SELECT {_select(public_columns)} FROM rows WHERE {in_test} {order}", test_out))
    answer_columns = _answer_columns(recipe, public_columns)
    con.execute(copy_sql(f"SELECT {_select(answer_columns)} FROM rows WHERE {in_test} {order}", answers_out))
    test_rows = con.execute(f"SELECT count(*) FROM rows WHERE {in_test}").fetchone()[0]
    if test_rows == 0 or test_rows == total:
        raise SplitError(
            f"{where}{train_path}: the recipe puts {test_rows} of {total} rows in the test set; "
            "check test_fraction and, for group splits, the group sizes"
        )
    return SplitResult(
        original_rows=total, train_rows=total - test_rows, test_rows=test_rows, train_file=train_out,
        test_file=test_out, answers_file=answers_out, public_columns=public_columns,
        unit=unit_name or "row content",
    )  # fmt: skip


def _test_fraction(con, recipe: SplitRecipe, raw_dir: Path, total: int) -> float:
    if not recipe.original_ratio:
        return recipe.test_fraction
    test_path = raw_dir / recipe.test_file
    test_rows = con.execute(f"SELECT count(*) FROM {reader_sql(test_path)}").fetchone()[0]
    return test_rows / (total + test_rows)


def _test_units_sql(recipe: SplitRecipe, fraction: float) -> str:
    units = "SELECT __unit, min(__h) AS h, count(*) AS n{extra} FROM rows GROUP BY __unit{group}"
    if recipe.kind == "stratified":
        label = quote(recipe.target_columns[0])
        per_unit = units.format(extra=f", any_value({label}) AS label", group="")
        return f"""WITH u AS ({per_unit}),
                   c AS (SELECT __unit, n, sum(n) OVER (PARTITION BY label ORDER BY h, __unit
                                ROWS UNBOUNDED PRECEDING) AS cum,
                                round(sum(n) OVER (PARTITION BY label) * {fraction}) AS target FROM u)
                   SELECT __unit FROM c WHERE cum - n < target"""
    if recipe.kind == "temporal":
        t = quote(recipe.time_column)
        per_unit = units.format(extra=f", max({t}) AS t", group="")
        order = "TRY_CAST(t AS TIMESTAMP) DESC NULLS LAST, TRY_CAST(t AS DOUBLE) DESC NULLS LAST, t DESC, h, __unit"
        return f"""WITH u AS ({per_unit}),
                   c AS (SELECT __unit, n, sum(n) OVER (ORDER BY {order} ROWS UNBOUNDED PRECEDING) AS cum FROM u)
                   SELECT __unit FROM c WHERE cum - n < round((SELECT count(*) FROM rows) * {fraction})"""
    per_unit = units.format(extra="", group="")
    return f"""WITH u AS ({per_unit}),
               c AS (SELECT __unit, n, sum(n) OVER (ORDER BY h, __unit ROWS UNBOUNDED PRECEDING) AS cum FROM u)
               SELECT __unit FROM c WHERE cum - n < round((SELECT count(*) FROM rows) * {fraction})"""


def _released_labels(con, recipe, raw_dir, columns, train_out, test_out, answers_out, where) -> SplitResult:
    """The original train set stays whole; the released, labelled original test set becomes the test set."""
    labelled = raw_dir / recipe.answers_file
    test_path = raw_dir / recipe.test_file
    labelled_columns = columns_of(con, labelled)
    _require(labelled_columns, recipe.target_columns, "target_columns", labelled, where, True)
    public_columns = columns_of(con, test_path)
    _require(labelled_columns, public_columns, "answers_file", labelled, where, True)
    key = recipe.id_column
    unit = f"CAST({quote(key)} AS VARCHAR)" if key else _row_text(public_columns)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE rows AS
            SELECT *, md5_number({_literal(str(recipe.seed) + ":")} || {unit}) AS __h FROM {reader_sql(labelled)}"""
    )
    total = con.execute(f"SELECT count(*) FROM {reader_sql(raw_dir / recipe.train_file)}").fetchone()[0]
    con.execute(copy_sql(f"SELECT * FROM {reader_sql(raw_dir / recipe.train_file)}", train_out))
    con.execute(copy_sql(f"SELECT {_select(public_columns)} FROM rows ORDER BY __h", test_out))
    answer_columns = _answer_columns(recipe, public_columns)
    con.execute(copy_sql(f"SELECT {_select(answer_columns)} FROM rows ORDER BY __h", answers_out))
    test_rows = con.execute("SELECT count(*) FROM rows").fetchone()[0]
    return SplitResult(
        original_rows=total, train_rows=total, test_rows=test_rows, train_file=train_out, test_file=test_out,
        answers_file=answers_out, public_columns=public_columns, unit=key or "row content",
    )  # fmt: skip


def _answer_columns(recipe: SplitRecipe, public_columns: list[str]) -> list[str]:
    keys = [recipe.id_column] if recipe.id_column else public_columns
    return [*keys, *recipe.target_columns]


def _require(found: list[str], wanted, key: str, path: Path, where: str, enforce: bool) -> None:
    missing = [c for c in wanted if c not in found]
    if missing and enforce:
        raise SplitError(
            f"{where}split recipe key '{key}': column(s) {', '.join(missing)} not in {path.name} "
            f"(its columns: {', '.join(found[:30])}{' ...' if len(found) > 30 else ''})"
        )


def _row_text(columns: list[str]) -> str:
    return "CAST(struct_pack(" + ", ".join(f"{quote(c)} := {quote(c)}" for c in columns) + ") AS VARCHAR)"


def _select(columns: list[str]) -> str:
    return ", ".join(quote(c) for c in columns)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
