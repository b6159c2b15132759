"""Build a new train/test split from a competition's public training data, streaming through DuckDB.

>>> result = build_split(recipe, raw_dir=root.raw("titanic").files, out_dir=root.prepared("titanic").staging.path)

Deterministic and independent of input row order: every row belongs to a *unit* (its id; its group for ``group``;
its content when there is no id), and units are ranked by ``md5(seed:unit)``. The test set takes units in that
order until it holds ``round(rows * test_fraction)`` rows (per class for ``stratified``; the latest rows for
``temporal``). The same rows give the same split on any machine. The test set and answers are written in hash order
(byte-identical whatever the input order); the new train set keeps the input's order (same content, so the same
content checksum). Three streaming passes (a top-N over unit hashes, an anti-join for train, a join for test) under
a DuckDB memory limit that spills to disk: a file larger than memory splits in bounded memory.

Before anything is written, :func:`recipe_columns` checks every file and column the recipe names against the
download: a wrong name is a ``RecipeError`` naming the competition, the recipe key and what exists.

Output (``out_dir``): ``public/train.<ext>``, ``public/test.<ext>`` (no target columns, and only the columns the
original test set has), ``private/answers.csv``
(id, or the test columns when there is no id, plus the targets). The sample submission and description are the
layout writer's (``splits.layout``).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from splits.public_files import missing_file
from validation.data_files import (
    DataFileError,
    columns_of,
    copy_sql,
    literal,
    missing_columns_message,
    quote,
    reader_sql,
)
from validation.data_root import TEST, TRAIN, PreparedFolder
from validation.split_recipe import FILE_KEYS, RecipeError, SplitRecipe, recipe_file


class SplitError(RecipeError):
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
    con.execute("SET memory_limit = ?", [memory_limit])
    con.execute("SET temp_directory = ?", [str(scratch)])
    con.execute("SET preserve_insertion_order = true")  # the new train set keeps the input's row order
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def build_split(
    recipe: SplitRecipe, raw_dir: Path, out_dir: Path, slug: str = "", con: duckdb.DuckDBPyConnection | None = None
) -> SplitResult:
    """Split ``raw_dir/<train_file>`` by ``recipe`` into ``out_dir/public`` and ``out_dir/private``."""
    where = f"{slug}: " if slug else ""
    scratch = PreparedFolder(out_dir).scratch
    owned = con is None
    con = con or connect(scratch)
    try:
        recipe_columns(con, recipe, raw_dir, slug)
        return _build(con, recipe, raw_dir, out_dir, where)
    except DataFileError as error:
        raise SplitError(f"{where}{error}") from error
    finally:
        if owned:
            con.close()
            shutil.rmtree(scratch, ignore_errors=True)


def recipe_columns(con, recipe: SplitRecipe, raw_dir: Path, slug: str = "") -> dict[str, list[str]]:
    """Check every file and column the recipe names against the download, before anything is written; return each
    file key's columns. A wrong name is a :class:`RecipeError` naming the competition, the key, and what exists."""
    where = f"{slug}: " if slug else ""
    found: dict[str, list[str]] = {}
    for key in FILE_KEYS:
        name = getattr(recipe, key)
        if not name:
            continue
        path = recipe_file(raw_dir, name, key, slug or str(raw_dir))  # a symlink out of the download is refused
        if not path.is_file():
            if key == "test_file" and name == "test.csv" and not _needs_test_file(recipe):
                continue  # the default, and nothing needs it: the public test set keeps the train columns
            raise missing_file(slug, key, name, raw_dir)
        if key == "original_answers_file":
            continue  # parity reads it, and checks its columns
        try:
            found[key] = columns_of(con, path)
        except DataFileError as error:
            raise RecipeError(f"{where}split recipe key '{key}': {error}") from error
    train = found["train_file"]
    targets_in = "answers_file" if recipe.kind == "released_labels" else "train_file"
    _require(found[targets_in], recipe.target_columns, "target_columns", raw_dir / getattr(recipe, targets_in), where)
    for key in ("id_column", "group_column", "time_column"):
        value = getattr(recipe, key)
        if value:
            _require(train, [value], key, raw_dir / recipe.train_file, where)
    if recipe.id_column and "sample_submission_file" in found:  # a submission names its rows by the id
        sample = raw_dir / recipe.sample_submission_file
        _require(found["sample_submission_file"], [recipe.id_column], "id_column", sample, where)
    if recipe.kind == "released_labels":
        if recipe.id_column:
            _require(found["answers_file"], [recipe.id_column], "id_column", raw_dir / recipe.answers_file, where)
            _require(found["test_file"], [recipe.id_column], "id_column", raw_dir / recipe.test_file, where)
        _require(found["answers_file"], found["test_file"], "answers_file", raw_dir / recipe.answers_file, where)
    return found


def _needs_test_file(recipe: SplitRecipe) -> bool:
    return recipe.original_ratio or recipe.kind == "released_labels"


def _build(con, recipe: SplitRecipe, raw_dir: Path, out_dir: Path, where: str) -> SplitResult:
    train_path = raw_dir / recipe.train_file
    columns = columns_of(con, train_path)
    folder = PreparedFolder(out_dir)
    folder.public.mkdir(parents=True, exist_ok=True)
    folder.private.mkdir(parents=True, exist_ok=True)
    extension = Path(recipe.train_file).suffix.lower()
    train_out, test_out, answers_out = (
        folder.new_public_file(TRAIN, extension),
        folder.new_public_file(TEST, extension),
        folder.answers,
    )

    if recipe.kind == "released_labels":
        return _released_labels(con, recipe, raw_dir, train_out, test_out, answers_out, where)

    unit_name = recipe.group_column or recipe.id_column
    unit = f"CAST({quote(unit_name)} AS VARCHAR)" if unit_name else _row_text(columns)
    source = reader_sql(train_path)
    hashed = f"SELECT *, {unit} AS __unit, md5_number_upper({literal(str(recipe.seed) + ':')} || {unit}) AS __h FROM {source}"
    # Pass 1: count the rows and pick the test set's units (the first rows in hash order: no full sort).
    total = _choose_test_units(con, recipe, raw_dir, hashed, source, train_path, where)
    # Pass 2: the new train set, streamed in input order. Pass 3: the test rows (about test_fraction of them).
    keep = ", ".join(quote(c) for c in columns)
    con.execute(copy_sql(f"SELECT {keep} FROM ({hashed}) ANTI JOIN test_units USING (__unit)", train_out))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE test_rows AS
            SELECT s.* EXCLUDE (__h), u.__h FROM ({hashed}) s JOIN test_units u USING (__unit)"""
    )
    public_columns = _public_columns(con, recipe, raw_dir, columns)
    order = "ORDER BY __h, __unit"
    con.execute(copy_sql(f"SELECT {_select(public_columns)} FROM test_rows {order}", test_out))
    answer_columns = _answer_columns(recipe, public_columns)
    con.execute(copy_sql(f"SELECT {_select(answer_columns)} FROM test_rows {order}", answers_out))
    test_rows = con.execute("SELECT count(*) FROM test_rows").fetchone()[0]
    if test_rows == total:
        raise SplitError(f"{where}{train_path}: every row landed in the test set; check the group sizes")
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


def _choose_test_units(
    con, recipe: SplitRecipe, raw_dir: Path, hashed: str, source: str, path: Path, where: str
) -> int:
    """Fill temp table ``test_units`` (``__unit``, ``__h``); return the number of rows in the train file.

    For random and group splits one scan counts the rows and keeps the units whose hash falls in the lowest
    ``1.1 * test_fraction`` of the hash range; the test set's units are the first of those. (Should too few fall
    there, as can happen in a small file, a second, exact scan decides.) Stratified and temporal splits count, then
    rank within a second scan.
    """
    fraction = recipe.test_fraction
    total = None
    if recipe.kind in ("random", "group") and not recipe.original_ratio:
        bound = min(fraction * 1.1 + 0.001, 1.0)
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE first_pass AS
                SELECT count(*) AS n, list({{'u': __unit, 'h': __h}}) FILTER (WHERE __h <= {int(bound * 2**64 - 1)})
                       AS candidates
                FROM ({hashed})"""
        )
        total, found = con.execute("SELECT n, coalesce(len(candidates), 0) FROM first_pass").fetchone()
        target = _target(total, fraction, path, where)
        if found >= target:
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE test_units AS
                    SELECT DISTINCT __unit, __h FROM (
                        SELECT c.u AS __unit, c.h AS __h FROM (SELECT unnest(candidates) AS c FROM first_pass)
                        ORDER BY __h, __unit LIMIT {target})"""
            )
            con.execute("DROP TABLE first_pass")
            return total
        con.execute("DROP TABLE first_pass")
    if total is None:
        total = con.execute(f"SELECT count(*) FROM {source}").fetchone()[0]
        fraction = _test_fraction(con, recipe, raw_dir, total)
    target = _target(total, fraction, path, where)
    con.execute(f"CREATE OR REPLACE TEMP TABLE test_units AS {_test_units_sql(recipe, hashed, target, total)}")
    return total


def _target(total: int, fraction: float, path: Path, where: str) -> int:
    if total < 2:
        raise SplitError(f"{where}{path}: {total} row(s); a split needs at least 2")
    target = round(total * fraction)
    if target < 1 or target >= total:
        raise SplitError(f"{where}{path}: a test set of {target} of {total} rows; check test_fraction")
    return target


def _test_units_sql(recipe: SplitRecipe, hashed: str, target: int, total: int) -> str:
    """The units (with their hash) of the test set: the first ``target`` rows in hash order (per class for
    stratified, latest first for temporal), and every unit any of those rows belongs to."""
    if recipe.kind == "stratified":
        label = quote(recipe.target_columns[0])
        fraction = target / total
        return f"""SELECT DISTINCT __unit, __h FROM (
                       SELECT __unit, __h, row_number() OVER (PARTITION BY {label} ORDER BY __h, __unit) AS rank,
                              count(*) OVER (PARTITION BY {label}) AS rows_in_class
                       FROM ({hashed}))
                   WHERE rank <= round(rows_in_class * {fraction!r})"""
    if recipe.kind == "temporal":
        t = quote(recipe.time_column)
        order = f"TRY_CAST({t} AS TIMESTAMP) DESC NULLS LAST, TRY_CAST({t} AS DOUBLE) DESC NULLS LAST, {t} DESC, __h, __unit"
    else:
        order = "__h, __unit"
    return f"SELECT DISTINCT __unit, __h FROM (SELECT __unit, __h FROM ({hashed}) ORDER BY {order} LIMIT {target})"


def _released_labels(con, recipe, raw_dir, train_out, test_out, answers_out, where) -> SplitResult:
    """The original train set stays whole; the released, labelled original test set becomes the test set."""
    labelled = raw_dir / recipe.answers_file
    test_path = raw_dir / recipe.test_file
    public_columns = columns_of(con, test_path)
    key = recipe.id_column
    unit = f"CAST({quote(key)} AS VARCHAR)" if key else _row_text(public_columns)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE rows AS
            SELECT *, md5_number_upper({literal(str(recipe.seed) + ":")} || {unit}) AS __h FROM {reader_sql(labelled)}"""
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


def _public_columns(con, recipe: SplitRecipe, raw_dir: Path, columns: list[str]) -> list[str]:
    """The new test set's columns: the train columns less the targets and, as on Kaggle, only those the original
    test set has (random-acts-of-pizza's train carries ``*_at_retrieval`` fields that leak the label)."""
    kept = [c for c in columns if c not in recipe.target_columns]
    original = raw_dir / recipe.test_file if recipe.test_file else None
    if original is None or not original.is_file():
        return kept
    available = set(columns_of(con, original))
    return [c for c in kept if c in available or c == recipe.id_column]


def _answer_columns(recipe: SplitRecipe, public_columns: list[str]) -> list[str]:
    keys = [recipe.id_column] if recipe.id_column else public_columns
    return [*keys, *recipe.target_columns]


def _require(found: list[str], wanted, key: str, path: Path, where: str) -> None:
    message = missing_columns_message(key, wanted, found, path.name)
    if message:
        raise RecipeError(f"{where}{message}")


def _row_text(columns: list[str]) -> str:
    return "CAST(struct_pack(" + ", ".join(f"{quote(c)} := {quote(c)}" for c in columns) + ") AS VARCHAR)"


def _select(columns: list[str]) -> str:
    return ", ".join(quote(c) for c in columns)
