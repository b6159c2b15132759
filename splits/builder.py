"""Build a new train/test split from a competition's public training data, streaming.

>>> result = build_split(recipe, raw_dir=root.raw("titanic").files, out_dir=root.prepared("titanic").staging.path)

Deterministic and independent of input row order: every row belongs to a *unit* (its id; its group for ``group``;
its content when there is no id), and units are ranked by :mod:`splits.unit_hash` (a 64-bit hash defined by its
arithmetic, so the same rows give the same split on any machine and with any DuckDB release). The test set takes
the first ``round(rows * test_fraction)`` rows in that order and every row sharing a unit with them (per class for
``stratified``; the latest rows for ``temporal``): :mod:`splits.test_rows`, one read of the unit column.

Then one pass writes the new train set. A CSV or TSV whose rows are lines is split as bytes
(:mod:`splits.csv_lines`): the new train set is the original's own lines, in the input's order, and the test rows'
lines go to a scratch file in hash order; anything else (Parquet, JSON, a gzip'd file, a CSV with a quoted line
break) goes through DuckDB by row number (an anti-join, whose output order DuckDB may change; the content, and so the
content checksum, is the same). JSON, slow to parse, is parsed once: into a Parquet copy in scratch that every later
read uses. The test set and answers are written in hash order, a unit's rows in the file's order (byte-identical
whatever the input order where each unit is one row; a group's rows keep their order, a sentence its tokens'), from
the test rows alone. Memory stays bounded: the unit column streams, the test rows are 16 bytes each in numpy, and DuckDB
runs under a memory limit that spills to disk. ``bench/split_benchmark.py`` measures it against one DuckDB pass over
the file.

Before anything is written, :func:`recipe_columns` checks every file and column the recipe names against the
download: a wrong name is a ``RecipeError`` naming the competition, the recipe key and what exists.

Output (``out_dir``): the new train and test sets under Kaggle's names (``validation.data_root.published_tables``:
``public/train.<ext>``, ``public/train_labels.csv``, ...; in the train file's format, uncompressed:
``train.tsv.gz`` gives ``train.tsv``, and for JSON its layout: JSON Lines stays JSON Lines; no target columns,
and only the columns the original test set has), ``private/answers.csv`` (id, or the test columns when there is
no id, plus the targets). The sample submission and description are the layout writer's (``splits.layout``).
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from splits.csv_lines import line_ends, split_lines
from splits.listing import train_name, train_source, write_train_listing
from splits.public_files import missing_file
from splits.test_rows import (
    UNIT_HASH,
    ChosenRows,
    TooFewRows,
    TooManyClasses,
    choose_test_rows,
    drawn_by_train_test_split,
    latest_rows,
    register_unit_hash,
    test_size,
)
from splits.time_column import NotATime, TimeColumn
from splits.unit_hash import MASK
from validation.data_files import (
    DELIMITED,
    ONE_FILE,
    DataFileError,
    JsonTypes,
    column_listing,
    columns_of,
    copy_sql,
    copy_uncompressed,
    csv_dialect,
    data_format,
    download_listing,
    first_line,
    header_names,
    header_width,
    is_data_file,
    key_text,
    line_size_option,
    literal,
    missing_columns_message,
    path_literal,
    quote,
    quote_left_open,
    read_detail,
    read_failure,
    reader_sql,
    repeated_names,
    rows_are_lines_candidate,
    setting,
    utc_database,
)
from validation.data_root import TEST, TRAIN, PreparedFolder, published_tables
from validation.messages import shown_list
from validation.metrics import METRICS
from validation.scored_rows import SCORED, scored_sql
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
    # The train file's rows (0-based, file order) that became the new test set; None for released labels
    test_row_numbers: np.ndarray | None = None
    divided: str = ""  # temporal: what was divided at random (splits.test_rows.ChosenRows.divided)
    test_ids: list[str] | None = None  # with the recipe's test_ids: each test row's new id, by test_row_numbers
    renamed_ids: list[str] | None = None  # and its own id in the download, the same way
    # Released labels: rows in Kaggle's test file, and those of them the answers file does not label (left out)
    kaggle_test_rows: int | None = None
    unlabelled_test_rows: int = 0
    ignored_test_rows: int = 0  # and those Kaggle did not score (left out, not graded): Usage Ignored, or marked
    marked_test_rows: int = 0  # of them, those marked -1 in every target (and not Usage Ignored)
    scored_rows: int | None = None  # the test rows scored, with the recipe's scored_rows (None: every row)
    without_unit: int = 0  # rows whose id or group is missing: never in the test set (ChosenRows.without_unit)
    unseen_relabelled: int | None = None  # with the recipe's unseen_label: answers rows given it (splits.unseen_label)


# DuckDB's share; with Python's own, a split peaks under 0.8 GB whatever the file's rows
SPLIT_MEMORY_MB = 512
SPLIT_MEMORY = f"{SPLIT_MEMORY_MB}MB"
NARROW_COLUMNS, MB_PER_COLUMN = 500, 0.4  # past this many columns, DuckDB's share grows by this much a column


def split_memory(train_path: Path) -> str:
    """DuckDB's memory limit for splitting ``train_path``: SPLIT_MEMORY, and more for a wide table. DuckDB 2.0.1
    holds a 256 KB block per text column while it writes one (a 1,000-row CSV of 5,000 columns needs 1-2 GB to be
    copied: santander-value-prediction has 4,993), so past NARROW_COLUMNS each column adds MB_PER_COLUMN."""
    extra = max(0, header_width(train_path) - NARROW_COLUMNS) * MB_PER_COLUMN
    return SPLIT_MEMORY if not extra else f"{SPLIT_MEMORY_MB + round(extra)}MB"


def connect(scratch: Path, memory_limit: str = SPLIT_MEMORY, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that stays under ``memory_limit`` and spills to ``scratch``."""
    scratch.mkdir(parents=True, exist_ok=True)
    con = utc_database()  # its own limits; a zoned timestamp's text, the same on every machine
    con.execute("SET memory_limit = ?", [memory_limit])
    con.execute("SET temp_directory = ?", [str(scratch)])
    con.execute("SET preserve_insertion_order = true")  # the new train set keeps the input's row order
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


@contextlib.contextmanager
def one_thread_for_json(con, *file_names: str) -> Iterator[None]:
    """DuckDB 2.0.1 reading a JSON file with several threads and writing CSV or JSON asks for a buffer the size of
    the file (4 GiB for a 2.3 GB file, refused under the memory limit); one thread reads it in bounded memory."""
    if not any(name and is_data_file(name) and data_format(name) == "json" for name in file_names):
        yield
        return
    with setting(con, "threads", 1):
        yield


def build_split(
    recipe: SplitRecipe,
    raw_dir: Path,
    out_dir: Path,
    slug: str = "",
    con: duckdb.DuckDBPyConnection | None = None,
    row_file_digests: Callable[[np.ndarray], list[str]] | None = None,
    metric: str | None = None,
) -> SplitResult:
    """Split the training table (``raw_dir/<train_file>``, or the download's files listed: ``splits.listing``) by
    ``recipe`` into ``out_dir/public`` and ``out_dir/private``. ``row_file_digests``: the sha256 of each given
    row's own file (``row_files``), which the public sees, for numbering the test rows (``test_ids``). ``metric``:
    the one that grades the split (``prepare_competition``'s; default the recipe's), which tells whether released
    answers mark rows Kaggle did not score with -1 (:func:`_released_tables`)."""
    where = f"{slug}: " if slug else ""
    scratch = PreparedFolder(out_dir).scratch
    owned = con is None
    if owned and recipe.train_listing:  # prepare_competition lists the files before its own reads
        write_train_listing(raw_dir, recipe, slug)
    con = con or connect(scratch, split_memory(train_source(raw_dir, recipe)))
    try:
        recipe_columns(con, recipe, raw_dir, slug)
        with setting(con, "preserve_insertion_order", "true"):  # a caller's connection too: the files' row order
            return _build(con, recipe, raw_dir, out_dir, where, row_file_digests, metric or recipe.metric)
    except DataFileError as error:
        raise SplitError(f"{where}{error}") from error
    finally:
        if owned:
            con.close()
            shutil.rmtree(scratch, ignore_errors=True)
        else:  # DuckDB spills to the caller's folder: only the split's own files are here
            for name in SCRATCH_FILES:
                (scratch / name).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                scratch.rmdir()


# What a split keeps in its scratch folder while it runs: the JSON's Parquet copy, the temporal route's unit hashes,
# the test rows' lines of the byte route.
ROWS_COPY, UNIT_HASHES, TEST_LINES = "rows.parquet", "unit-hashes.bin", "test-rows.csv"
SCRATCH_FILES = (ROWS_COPY, UNIT_HASHES, TEST_LINES)


def recipe_columns(con, recipe: SplitRecipe, raw_dir: Path, slug: str = "") -> dict[str, list[str]]:
    """Check every file and column the recipe names against the download, before anything is written; return each
    file key's columns. A wrong name is a :class:`RecipeError` naming the competition, the key, and what exists."""
    where = f"{slug}: " if slug else ""
    found: dict[str, list[str]] = {}
    for key in FILE_KEYS:
        name = getattr(recipe, key)
        if not name:
            continue
        if key == "train_file" and recipe.train_listing:
            path = train_source(raw_dir, recipe)
        else:
            path = recipe_file(raw_dir, name, key, slug or str(raw_dir))  # a symlink out of the download is refused
        if not path.is_file():
            if key == "test_file" and not recipe.test_file_named and not _needs_test_file(recipe):
                continue  # the default, and nothing needs it: the public test set keeps the train columns
            if (
                key == "test_file"
                and not recipe.test_file_named
                and recipe.original_ratio
                and recipe.kind != "released_labels"
            ):
                raise RecipeError(
                    f"{where}split recipe key 'original_ratio': Kaggle's test set has no table to count its rows in "
                    f"(no file 'test.csv' in the download, and no sample_submission_file): name the test file "
                    f"(test_file) or the sample (sample_submission_file), or set test_fraction; files: "
                    f"{download_listing(raw_dir)}"
                )
            raise missing_file(slug, key, name, raw_dir)
        if key == "original_answers_file":
            continue  # parity reads it, and checks its columns
        try:
            found[key] = columns_of(con, path)
        except DataFileError as error:
            raise RecipeError(f"{where}split recipe key '{key}': {error}") from error
        if left_open := quote_left_open(con, path):  # read on, DuckDB would drop the rest of the file unsaid
            raise RecipeError(
                f"{where}split recipe key '{key}': {path}: cannot be read as {data_format(path.name).upper()}: "
                f"{left_open}"
            )
        if key == "train_file":
            _refuse_misread_header(con, path, found[key], key, where)
    train = found["train_file"]
    targets_in = "answers_file" if recipe.kind == "released_labels" else "train_file"
    _require(found[targets_in], recipe.target_columns, "target_columns", _key_name(raw_dir, recipe, targets_in), where)
    if not (recipe.train_listing and targets_in == "train_file"):
        _refuse_nested_targets(con, recipe, raw_dir / getattr(recipe, targets_in), _key_name(raw_dir, recipe, targets_in),
                               where)  # fmt: skip
    if recipe.kind == "released_labels":  # the training set is published whole: it must hold what the answers hold
        message = missing_columns_message("target_columns", recipe.target_columns, train, recipe.train_file)
        if message:  # (jigsaw-unintended-bias: the answers' toxicity is the train file's target) parity needs them too
            raise RecipeError(f"{where}{message}: the released labels' targets must be the new training set's, under "
                              f"the same names; the training set cannot teach a column it lacks")  # fmt: skip
    for key in ("id_column", "group_column", "time_column"):
        value = getattr(recipe, key)
        if value:
            _require(train, [value], key, _key_name(raw_dir, recipe, "train_file"), where)
    _require(train, list(recipe.test_columns), "test_columns", _key_name(raw_dir, recipe, "train_file"), where)
    excluded = list(recipe.parity_excluded_columns)
    _require(train, excluded, "parity_excluded_columns", _key_name(raw_dir, recipe, "train_file"), where)
    if recipe.test_columns and "test_file" in found:  # Kaggle's test set says which columns a test row has
        original = [c for c in recipe.test_columns if c != recipe.id_column]
        _require(found["test_file"], original, "test_columns", recipe.test_file, where)
    elif "test_file" in found and recipe.kind != "released_labels":
        _refuse_foreign_test_header(recipe, train, found["test_file"], raw_dir / recipe.test_file, where)
    keys_in = "train_file" if recipe.kind != "released_labels" else "test_file" if recipe.id_column else "answers_file"
    keys_path = _key_name(raw_dir, recipe, keys_in)
    _require(
        found[keys_in], list(recipe.submission_key_columns(found[keys_in])), "submission_columns", keys_path, where
    )
    if recipe.time_format:  # a format DuckDB cannot use is the recipe's mistake, said before any read
        try:
            con.execute("SELECT TRY_STRPTIME('', ?)", [recipe.time_format])
        except duckdb.Error as error:
            raise RecipeError(
                f"{where}split recipe key 'time_format': {recipe.time_format!r} is not a strptime format: "
                f"{first_line(error)}"
            ) from error
    if "sample_submission_file" in found:  # a submission names its rows by the id, or as the recipe says
        sample = recipe.sample_submission_file
        if recipe.submission_columns:  # the competition's own submission format: its sample has these columns
            named = [name for name, _ in recipe.submission_columns]
            _require(found["sample_submission_file"], named, "submission_columns", sample, where)
        elif recipe.id_column:
            _require(found["sample_submission_file"], [recipe.id_column], "id_column", sample, where)
    if recipe.kind == "released_labels":
        if recipe.id_column:
            _require(found["answers_file"], [recipe.id_column], "id_column", recipe.answers_file, where)
            _require(found["test_file"], [recipe.id_column], "id_column", recipe.test_file, where)
        else:  # the answers' rows are the test rows, matched by content: they hold the test file's columns
            _require(found["answers_file"], found["test_file"], "answers_file", recipe.answers_file, where)
    return found


NESTED_TYPES = ("STRUCT(", "MAP(", "[]")  # DuckDB types of a JSON object or list, or Parquet's nested columns


def _refuse_nested_targets(con, recipe: SplitRecipe, path: Path, name: str, where: str) -> None:
    """A target whose values are objects or lists (tensorflow2-question-answering's ``annotations``, records of
    answers) is refused, naming the column: its answers would be DuckDB's rendering of records, which no submission
    writes (a newcomer's sweep published one, every label unique)."""
    if data_format(path.name) not in ("json", "parquet"):
        return  # a CSV or TSV cell is text
    if con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {reader_sql(path)} LIMIT 2)").fetchone()[0] < 2:
        return  # one object of columns (pandas' to_json()): the split's row count says how to write it
    selected = ", ".join(quote(c) for c in recipe.target_columns)
    described = con.execute(f"DESCRIBE SELECT {selected} FROM {reader_sql(path)}").fetchall()
    nested = [(row[0], row[1]) for row in described if any(mark in str(row[1]) for mark in NESTED_TYPES)]
    mixed = [row[0] for row in described if str(row[1]) == "JSON"]  # values of several types: objects among them?
    if mixed and not nested:
        found = con.execute(
            "SELECT "
            + ", ".join(f"bool_or(json_type({quote(c)}) IN ('OBJECT', 'ARRAY'))" for c in mixed)
            + f" FROM {reader_sql(path)}"
        ).fetchone()
        nested = [(column, "JSON objects or lists among other values") for column, has in zip(mixed, found, strict=True)
                  if has]  # fmt: skip
    if nested:
        column, kind = nested[0]
        raise RecipeError(
            f"{where}split recipe key 'target_columns': column {column!r} of {name} holds objects or lists ({kind}), "
            "not a label, number or text a submission can write; name a column of plain values"
        )


def _key_name(raw_dir: Path, recipe: SplitRecipe, key: str) -> str:
    """The file a recipe file key names, as the recipe writes it (``train/metadata.json``, its folder too), or for a
    listed training table the name messages give it (``the listing of 'train/{species}/{file}'``)."""
    if key == "train_file" and recipe.train_listing:
        return train_name(recipe)
    return getattr(recipe, key)


def _needs_test_file(recipe: SplitRecipe) -> bool:
    """The download's test file is needed: released labels' test set is Kaggle's, and ``original_ratio`` takes its
    size from it (or, without it, from Kaggle's sample submission: :func:`kaggle_test_size`)."""
    return recipe.kind == "released_labels" or (recipe.original_ratio and not recipe.sample_submission_file)


def kaggle_test_size(con, recipe: SplitRecipe, raw_dir: Path) -> tuple[int, str] | None:
    """Rows in Kaggle's test set and the file counted: its test file, or, where the download has none (test sets of
    images alone: invasive-species-monitoring's ``test.7z``), its sample submission: its distinct ids where it has
    the id column (a sample of a row per test image and class counts its images), else its rows. None without
    either."""
    for name in (recipe.test_file, recipe.sample_submission_file):
        if name and (raw_dir / name).is_file():
            path = raw_dir / name
            counted = "count(*)"
            if name != recipe.test_file and recipe.id_column in columns_of(con, path):
                counted = f"count(DISTINCT {quote(recipe.id_column)})"
            return con.execute(f"SELECT {counted} FROM {reader_sql(path)}").fetchall()[0][0], name
    return None


def _build(
    con, recipe: SplitRecipe, raw_dir: Path, out_dir: Path, where: str, digests=None, metric=None
) -> SplitResult:
    train_path = train_source(raw_dir, recipe)
    columns = columns_of(con, train_path)
    folder = PreparedFolder(out_dir)
    folder.public.mkdir(parents=True, exist_ok=True)
    folder.private.mkdir(parents=True, exist_ok=True)
    names = published_tables(recipe.to_document())  # Kaggle's names; a gzip'd file is published uncompressed
    train_out, test_out, answers_out = folder.public / names[TRAIN], folder.public / names[TEST], folder.answers

    if recipe.kind == "released_labels":
        with one_thread_for_json(con, recipe.train_file, recipe.answers_file):
            # jigsaw-toxic's mark of a row Kaggle did not score: -1 in each of several 0/1 targets (with one target,
            # -1 is a label: a competition of -1/+1 labels)
            marked = metric in METRICS and METRICS[metric].binary_truth and len(recipe.target_columns) > 1
            return _released_labels(con, recipe, raw_dir, folder, (train_out, test_out, answers_out), where, marked)

    outputs = (train_out, test_out, answers_out)
    with one_thread_for_json(con, train_path.name):
        rows_path = _parquet_copy(con, train_path, folder.scratch, where) if _parsed_once(train_path) else train_path
    try:
        with one_thread_for_json(con, rows_path.name):
            return _split_rows(con, recipe, raw_dir, rows_path, columns, folder, outputs, where, digests)
    except duckdb.OutOfMemoryException as error:
        if rows_path == train_path:
            raise SplitError(f"{where}{train_path}: the split ran out of memory: {first_line(error)}") from error
    # Wide rows (kilobytes each) on two threads outgrow the memory limit writing the train set: again on one.
    with setting(con, "threads", 1):
        try:
            return _split_rows(con, recipe, raw_dir, rows_path, columns, folder, outputs, where, digests)
        except duckdb.OutOfMemoryException as error:
            raise SplitError(f"{where}{train_path}: the split ran out of memory: {first_line(error)}") from error


def _split_rows(
    con, recipe, raw_dir, rows_path: Path, columns, folder, outputs, where: str, digests=None
) -> SplitResult:
    """Choose the test rows and write the three files; ``rows_path`` is the train file or its Parquet copy."""
    train_path = train_source(raw_dir, recipe)
    train_out, test_out, answers_out = outputs
    unit_name = recipe.group_column or recipe.id_column
    unit = f"CAST({quote(unit_name)} AS VARCHAR)" if unit_name else _row_text(columns)
    source = reader_sql(rows_path)
    try:
        chosen = _choose(con, recipe, raw_dir, source, unit, train_path, folder.scratch, where)
    except (TooFewRows, TooManyClasses, NotATime) as error:
        raise SplitError(str(error)) from error
    except (duckdb.Error, OSError) as error:  # a damaged row met while streaming (Arrow hands it over as OSError)
        detail = read_detail(train_path, error)
        raise SplitError(f"{where}{train_path}: cannot be read to choose the test rows: {detail}") from error
    taken, asked = len(chosen.rows), chosen.target
    if taken >= chosen.total or not taken or asked and not asked / 2 <= taken <= asked * 2:  # whole units miss it
        raise SplitError(_units_too_large(con, recipe, raw_dir, source, unit, chosen, where))
    index = pa.table({"__mlecurate_rn": chosen.rows, "__mlecurate_h": chosen.hashes})
    con.register("__test_index", index)
    lines = folder.scratch / TEST_LINES
    try:
        test_rows = _write_train(con, rows_path, train_out, chosen, lines, columns, unit, train_path,
                                 by_lines=not recipe.test_ids, typed=_json_types(recipe, columns, train_path))  # fmt: skip
        public_columns = public_test_columns(con, recipe, raw_dir, columns)
        new_ids = own_ids = None
        if recipe.test_ids:
            files = digests(chosen.rows) if digests else [""] * len(chosen.rows)  # each test row's file's sha256
            test_rows, new_ids, own_ids = _renumbered(con, recipe, test_rows, public_columns, chosen.rows, files, where)
        dialect = _published_dialect(con, train_path)
        con.execute(
            copy_sql(
                f"SELECT {_select(public_columns)} FROM {test_rows}",
                test_out,
                train_path,
                dialect,
                _json_types(recipe, public_columns, train_path),
            )  # fmt: skip
        )
        answer_columns = _answer_columns(recipe, public_columns, where)
        con.execute(copy_sql(f"SELECT {_select(answer_columns)} FROM {test_rows}", answers_out))
        scored = _write_scored(con, recipe, test_rows, public_columns, folder, where)
    finally:
        con.execute("DROP VIEW IF EXISTS __test_lines")
        con.execute("DROP TABLE IF EXISTS __test_rows")
        con.execute("DROP TABLE IF EXISTS __test_renamed")
        con.unregister("__test_index")
        lines.unlink(missing_ok=True)
    return SplitResult(
        original_rows=chosen.total, train_rows=chosen.total - len(chosen.rows), test_rows=len(chosen.rows),
        train_file=train_out, test_file=test_out, answers_file=answers_out, public_columns=public_columns,
        unit=unit_name or "row content", test_row_numbers=chosen.rows, divided=chosen.divided, test_ids=new_ids,
        renamed_ids=own_ids, without_unit=chosen.without_unit, scored_rows=scored,
    )  # fmt: skip


def _renumbered(
    con, recipe: SplitRecipe, test_rows: str, public_columns: list[str], rows: np.ndarray, files: list[str], where: str
) -> tuple[str, list, list]:
    """The test rows with ``recipe.test_ids`` for their ids, numbered from 1 in the order of a hash of what the public
    sees of each (its public columns but the id, and its own file's sha256, ``files``, aligned with the chosen
    ``rows``; empty without row files), then of its own id: the numbering is a
    function of label-free inputs, and tells nothing the public test set does not show. (A hash of the whole row
    gave dogs-vs-cats' labels back, under the seed the description prints or keyed by the training data's content:
    the training set's gaps tell the test rows' own ids, a cat and a dog each, and so the whole listing.) Rows alike
    in all of them differ only in their label: any order would tell it, and the split is refused. Returns a table in
    that order, and each test row's new id and own id in row-number order (aligned with the chosen rows)."""
    register_unit_hash(con)
    public = [c for c in public_columns if c != recipe.id_column]
    con.register("__test_seen", pa.table({"__mlecurate_rn": rows, "__mlecurate_file": pa.array(files, pa.string())}))
    try:
        columns_shown = _row_text(public) if public else "''"
        shown = f"concat({columns_shown}, '|', __mlecurate_file)"
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE __test_shown AS
                SELECT t.*, {shown} AS __mlecurate_shown FROM {test_rows} t JOIN __test_seen USING (__mlecurate_rn)"""
        )
    finally:
        con.unregister("__test_seen")
    seed, own = (int(recipe.seed) + 1) & MASK, quote(recipe.id_column)
    own_text = f"CAST({own} AS VARCHAR)"
    order = f"{UNIT_HASH}(__mlecurate_shown, {seed}), {UNIT_HASH}({own_text}, {seed}), {own_text}"
    alike = con.execute(
        f"""SELECT any_value({own_text}), count(*) FROM __test_shown
            GROUP BY __mlecurate_shown, {own_text} HAVING count(*) > 1 LIMIT 1"""
    ).fetchall()
    if alike:
        raise SplitError(
            f"{where}split recipe key 'test_ids': {alike[0][1]} new test rows with {recipe.id_column} "
            f"{alike[0][0]!r} look the same in every public column and file: they differ only in their label, and "
            "any order of their new ids would tell which is which; remove the duplicate from the download, or split "
            f"by a column that keeps them on one side"
        )
    printf = re.sub(r"\{n(?::(0\d+)d)?\}", lambda m: f"%{m[1] or ''}d", recipe.test_ids.replace("%", "%%"))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE __test_renamed AS
            SELECT * REPLACE (printf({literal(printf)}, __mlecurate_n) AS {own}), CAST({own} AS VARCHAR) AS __mlecurate_own
            FROM (SELECT *, row_number() OVER (ORDER BY {order}) AS __mlecurate_n FROM __test_shown)
            ORDER BY __mlecurate_n"""
    )
    con.execute("DROP TABLE __test_shown")
    ids = con.execute(f"SELECT {own}, __mlecurate_own FROM __test_renamed ORDER BY __mlecurate_rn").fetchall()
    return "__test_renamed", [row[0] for row in ids], [row[1] for row in ids]


def _write_scored(
    con, recipe: SplitRecipe, test_rows: str, public_columns: list[str], folder: PreparedFolder, where: str
) -> int | None:
    """With ``scored_rows``: ``private/scored_rows.csv``, 1 or 0 for each test row in the answers' order (``test_rows``
    is what the answers were written from, in their order); how many are scored. Refused: a column the public test
    set lacks, and a test set without a scored row."""
    if not recipe.scored_rows:
        return None
    if missing := [column for column, _ in recipe.scored_rows if column not in public_columns]:
        raise RecipeError(
            f"{where}split recipe key 'scored_rows': {missing[0]!r} is not a column of the new public test set "
            f"({shown_list(public_columns)}); a row's being scored must be seen in its public columns"
        )
    condition = scored_sql(recipe.scored_rows)
    con.execute(copy_sql(f"SELECT CAST({condition} AS INTEGER) AS {SCORED} FROM {test_rows}", folder.scored_rows))
    scored, total = con.execute(f"SELECT count(*) FILTER (WHERE {condition}), count(*) FROM {test_rows}").fetchone()
    if not scored:
        said = ", ".join(f"{column} {value!r}" for column, value in recipe.scored_rows)
        raise SplitError(
            f"{where}split recipe key 'scored_rows': none of the new test set's {total:,} rows holds {said}, so "
            "nothing would be scored; check the columns and values (a value is compared as text, or as a number)"
        )
    return scored


def _parsed_once(path: Path) -> bool:
    """JSON: slow to parse, and on one thread only (:func:`one_thread_for_json`), where the split reads its rows up
    to three times (the unit column, the train rows, the test rows)."""
    return data_format(path.name) == "json"


def _parquet_copy(con, path: Path, scratch: Path, where: str) -> Path:
    """``path`` read once into an uncompressed Parquet copy in ``scratch``, in the file's row order (its row numbers
    are the file's): every later read is of the copy. Parquet keeps every type DuckDB's JSON reader gives but
    HUGEINT (an integer past 64 bits comes back a DOUBLE): a file with one, a copy whose types differ anyway, or one
    that does not fit the memory limit (row groups of COPY_ROW_GROUP rows, each held whole while written) is read
    from the original each time instead."""
    if any(LOSSY_IN_PARQUET.search(kind) for _, kind in _types(con, reader_sql(path))):
        return path
    scratch.mkdir(parents=True, exist_ok=True)
    copy = scratch / ROWS_COPY
    try:
        con.execute(
            f"COPY (SELECT * FROM {reader_sql(path)}) TO {path_literal(copy)} "
            f"(FORMAT PARQUET, COMPRESSION uncompressed, ROW_GROUP_SIZE {_rows_per_group(con, path)})"
        )
    except duckdb.OutOfMemoryException:
        copy.unlink(missing_ok=True)
        return path
    except duckdb.Error as error:
        copy.unlink(missing_ok=True)
        raise SplitError(f"{where}{read_failure(path, error)}") from error
    if _types(con, reader_sql(copy)) != _types(con, reader_sql(path)):
        copy.unlink()
        return path
    return copy


LOSSY_IN_PARQUET = re.compile(r"\bU?HUGEINT\b")
GROUP_BYTES = 8 << 20  # about this much JSON text per row group of the copy; each is held whole while written


def _rows_per_group(con, path: Path) -> int:
    """Rows per row group of a JSON file's copy, from the average size of its first records: DuckDB's default
    (122,880 rows) for narrow rows; fewer for wide ones (at 4 KB a row, the default ran out of memory)."""
    sample = f"SELECT json FROM read_json_objects({path_literal(path)}, format = 'auto'{ONE_FILE}) LIMIT 2048"
    width = con.execute(f"SELECT avg(strlen(CAST(json AS VARCHAR))) FROM ({sample})").fetchone()[0]
    return int(min(122_880, max(2_048, GROUP_BYTES // max(width or 1, 1))))


def _types(con, source: str) -> list[tuple]:
    return [row[:2] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]


def _choose(
    con, recipe: SplitRecipe, raw_dir: Path, source: str, unit: str, path: Path, scratch: Path, where: str
) -> ChosenRows:
    """The test set's row numbers and unit hashes (``splits.test_rows``)."""
    fraction = _fraction(con, recipe, raw_dir, where)
    if recipe.kind == "temporal":

        def size(total: int) -> int:
            return test_size(total, fraction(total) if callable(fraction) else fraction, path, where)

        if rows_are_lines_candidate(path):
            most = line_ends(path)  # a row ends a line: no count of the rows before the read
        else:
            most = con.execute(f"SELECT count(*) FROM {source}").fetchall()[0][0]
        scratch.mkdir(parents=True, exist_ok=True)
        spill = scratch / UNIT_HASHES
        time = TimeColumn(recipe.time_column, recipe.time_format)
        return latest_rows(con, source, unit, time, recipe.seed, size, most, spill, label=f"{where}{path}")
    stratified = recipe.kind == "stratified"
    label = f", {_stratum(recipe.target_columns)} AS __mlecurate_class" if stratified else ""
    query = f"SELECT {unit} AS __mlecurate_unit{label} FROM {source}"
    if recipe.draw == "train_test_split":
        grouped = recipe.group_column is not None
        return drawn_by_train_test_split(con, query, recipe.seed, fraction, recipe.test_rows, path, where,
                                         recipe.group_column or recipe.id_column or "", "groups" if grouped else "ids")  # fmt: skip
    targets = ", ".join(recipe.target_columns)
    stratified_by = f"split recipe key 'target_columns' ({targets})" if stratified else None
    return choose_test_rows(con, query, recipe.seed, fraction, path, where, stratified_by=stratified_by)


def _stratum(targets: list[str]) -> str:
    """A row's class for a ``stratified`` split: its target's value as text, or for several targets (one-hot classes,
    several labels) the combination of their values (a JSON list: no value can pass for a separator)."""
    if len(targets) == 1:
        return f"CAST({quote(targets[0])} AS VARCHAR)"
    values = ", ".join(f"CAST({quote(column)} AS VARCHAR)" for column in targets)
    return f"CAST(to_json(list_value({values})) AS VARCHAR)"


# Kaggle's test file of a code competition is a placeholder of a few rows (lmsys-chatbot-arena's 3, against 57,477 to
# train on): fewer rows than this, and fewer than a hundredth of the training rows, is taken for one
PLACEHOLDER_TEST_ROWS = 100
PLACEHOLDER_SHARE = 100


def _fraction(con, recipe: SplitRecipe, raw_dir: Path, where: str = ""):
    """The test set's share of the rows: ``test_fraction``, or for ``original_ratio`` or ``test_rows`` a function of
    the row count."""
    if recipe.test_rows is not None:

        def share(total: int) -> float:  # rounds back to test_rows exactly (half up)
            return recipe.test_rows / max(total, 1)

        return share
    if not recipe.original_ratio:
        return recipe.test_fraction
    original, counted = kaggle_test_size(con, recipe, raw_dir)  # recipe_columns found the test file or the sample
    if not original:
        raise RecipeError(f"{where}split recipe key 'original_ratio': Kaggle's test set counts no rows in {counted}; "
                          "set test_fraction instead")  # fmt: skip

    def fraction(total: int) -> float:  # the original's share, once the training rows are counted
        if original < PLACEHOLDER_TEST_ROWS and original * PLACEHOLDER_SHARE < total:
            raise RecipeError(
                f"{where}split recipe key 'original_ratio': Kaggle's test set holds {original:,} row(s) in {counted} "
                f"against {total:,} training rows: a code competition's placeholder (the real test set is hidden "
                f"while it runs), so the new test set would hold {round(total * original / (total + original)):,}; "
                "set test_fraction or test_rows instead"
            )
        return original / (total + original)

    return fraction


def _units_too_large(
    con, recipe: SplitRecipe, raw_dir: Path, source: str, unit: str, chosen: ChosenRows, where: str
) -> str:
    """Why every row, none, or a test set under half or over twice the size asked for went to the test set: the
    unit column's distinct values (the largest ones), the rows without one, the test set asked for, and what to
    change. A second read, on failure only."""
    path = train_source(raw_dir, recipe)
    total, taken = chosen.total, len(chosen.rows)
    key = "group_column" if recipe.group_column else "id_column" if recipe.id_column else None
    if key is None:
        landed = "every row landed in the test set" if taken == total else f"{taken:,} row(s) could go to the test set"
        return f"{where}{path}: {landed}: its rows are copies of one another"
    column = getattr(recipe, key)
    groups = "groups" if key == "group_column" else "ids"
    distinct, largest = con.execute(
        f"""SELECT count(*), list(struct_pack(value := u, rows := n) ORDER BY n DESC, u)[1:3]
            FROM (SELECT u, count(*) AS n FROM (SELECT {unit} AS u FROM {source}) WHERE u IS NOT NULL GROUP BY u)"""
    ).fetchone()
    opening = f"{where}{path}: split recipe key '{key}': column {column!r} has {distinct} distinct value"
    if distinct == 1:
        return f"{opening} ({largest[0]['value']!r}) in {path.name}; a {recipe.kind} split needs at least 2 {groups}"
    if distinct == 0:
        return f"{opening}s in {path.name} (every row's is missing); a {recipe.kind} split needs at least 2 {groups}"
    fraction = _fraction(con, recipe, raw_dir, where)
    share = fraction(total) if callable(fraction) else fraction
    sizes = ", ".join(f"{group['value']!r}: {group['rows']} rows" for group in largest)
    listed = f"{opening}s in {path.name} ({sizes}{', ...' if distinct > len(largest) else ''})"
    missing = (
        f"; {chosen.without_unit:,} rows have no {column} and never enter the test set" if chosen.without_unit else ""
    )
    size = test_size(total, share, path, where)
    size_key = "test_rows" if recipe.test_rows else "test_fraction"
    larger = "a test_fraction in place of original_ratio" if recipe.original_ratio else f"another {size_key}"
    if chosen.without_unit and (total - chosen.without_unit) * 2 < size:
        return (
            f"{where}{path}: split recipe key '{key}': {chosen.without_unit:,} of {total:,} rows have no {column} "
            f"(an empty CSV field, or null), and a row without one never enters the test set: the "
            f"{total - chosen.without_unit:,} with one cannot give a test set of {size:,}; fill the column, or "
            f"choose one every row has"
        )
    if recipe.kind == "temporal":
        return (
            f"{listed}; a temporal test set of {size:,} of {total:,} rows, the latest by {recipe.time_column!r} with "
            f"every other row of their {groups}, "
            + (
                "takes all of them, leaving none for training"
                if taken == total
                else f"gets {taken:,}: not within half to twice its size"
            )
            + f" (a unit is never cut, and these {groups} reach back in time); "
            + (
                "leave group_column out, or name one whose groups' rows are near in time"
                if key == "group_column"
                else "an id on rows of different times keeps them together: check id_column"
            )
        )
    if taken == total:
        knob = "original_ratio (or set test_fraction)" if recipe.original_ratio else size_key
        return (
            f"{listed}; a test set of {size:,} of {total:,} rows takes all of them (a unit is never cut), leaving "
            f"none for training; lower {knob} or choose a column with more {groups}"
        )
    return (
        f"{listed}{missing}; a test set of {size:,} of {total:,} rows gets {taken:,} from whole {groups} taken in "
        f"hash order (seed {recipe.seed}): not within half to twice its size (a unit is never cut); set "
        f"{larger} nearer what whole {groups} give, another seed, or a column with more {groups}"
    )


def _write_train(
    con,
    train_path: Path,
    train_out: Path,
    chosen: ChosenRows,
    lines: Path,
    columns,
    unit,
    original: Path,
    by_lines: bool = True,
    typed: JsonTypes | None = None,
) -> str:
    """Write the new train set; return a view or table of the test rows, in hash order. ``train_path`` is the train
    file or its Parquet copy; ``original``, the train file, whose layout a JSON train set keeps (JSON Lines or not).

    A CSV whose rows are lines is split as bytes (``splits.csv_lines``): the new train set is the original's own
    lines, and the test rows' lines, already in hash order, go to ``lines``, read back through a view (twice: the
    test set and the answers). Any other file, or a CSV with a quoted line break, goes through DuckDB by row number,
    and the test rows are collected into a table in hash order, with their row numbers (``by_lines=False``: this
    way for any file)."""
    if by_lines and rows_are_lines_candidate(train_path):
        lines.parent.mkdir(parents=True, exist_ok=True)
        if split_lines(train_path, chosen.rows, chosen.hashes, chosen.total, train_out, lines):
            test_lines = (
                f"read_csv({path_literal(lines)}, all_varchar = true, header = true, {_dialect(con, train_path)}"
                f"{line_size_option(lines)}{ONE_FILE})"
            )
            try:
                alone = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {test_lines}").fetchall()]
            except duckdb.Error:  # e.g. a line with one delimiter too many, which the whole file's sniffer never saw
                alone = None
            if alone == columns:
                con.execute(f"CREATE OR REPLACE TEMP VIEW __test_lines AS SELECT * FROM {test_lines}")
                return "__test_lines"
            train_out.unlink(missing_ok=True)  # the test rows alone read differently: split through DuckDB
    order = "ORDER BY __mlecurate_h, __mlecurate_unit, __mlecurate_rn"  # a unit's rows in the file's order
    numbered = numbered_rows(train_path, columns)
    train_rows = f"SELECT {_select(columns)} FROM ({numbered}) ANTI JOIN __test_index USING (__mlecurate_rn)"
    con.execute(copy_sql(train_rows, train_out, original, _published_dialect(con, original), typed))
    con.execute(  # in hash order once, so the test set and the answers are written without sorting again
        f"""CREATE OR REPLACE TEMP TABLE __test_rows AS
            SELECT * FROM (SELECT s.*, {unit} AS __mlecurate_unit, i.__mlecurate_h
                           FROM ({numbered}) s JOIN __test_index i USING (__mlecurate_rn)) {order}"""
    )
    return "__test_rows"


def _json_types(recipe: SplitRecipe, columns: list[str], source: Path) -> JsonTypes | None:
    """How a JSON file of ``columns`` made from ``source`` keeps its values' types (:func:`copy_sql`): the id, group,
    time, target and key columns stay text (compared as text by the checks, the answers and the sample); without an
    id column every public column is a key (rows are matched by content), so none is retyped."""
    if not recipe.id_column:
        return None
    text = {recipe.id_column, recipe.group_column, recipe.time_column, *recipe.target_columns,
            *recipe.submission_key_columns(columns)} - {None}  # fmt: skip
    return JsonTypes(list(columns), source, frozenset(text))


def _dialect(con, path: Path) -> str:
    """The train file's CSV dialect (:func:`csv_dialect`), as read_csv options: the test rows' lines alone must be
    read the same way (a quote or escape character their own lines would not reveal)."""
    return ", ".join(f"{key} = {literal(value)}" for key, value in csv_dialect(con, path).items())


def _published_dialect(con, path: Path) -> dict[str, str] | None:
    """The dialect the public train and test sets are written in: the train file's, when it is a CSV or TSV (the
    byte route publishes its own lines: a semicolon-separated train set gets a semicolon-separated test set)."""
    return csv_dialect(con, path) if data_format(path.name) in DELIMITED else None


def numbered_rows(path: Path, columns: list[str]) -> str:
    """The file's rows with their row number ``__mlecurate_rn`` (0-based, file order): Parquet's own ``file_row_number``
    (read in parallel), else (or when a column has that name) a streaming ``row_number()``."""
    if data_format(path.name) == "parquet" and "file_row_number" not in columns:
        return f"SELECT file_row_number AS __mlecurate_rn, * EXCLUDE (file_row_number) FROM read_parquet({path_literal(path)}, file_row_number = true{ONE_FILE})"
    return f"SELECT row_number() OVER () - 1 AS __mlecurate_rn, * FROM {reader_sql(path)}"


def _released_labels(con, recipe, raw_dir, folder, outputs, where, minus_one_unscored: bool = False) -> SplitResult:
    """The original train set stays whole; Kaggle's test set, labelled by the released answers, becomes the test set.

    With an id column the test rows are Kaggle's test file's own (its columns, its ids as written), each given its
    targets from the answers file by id, compared as a number where both read as one (``1200`` and ``001200``): so a
    solution file of ids and targets alone (Kaggle's ``id, target, Usage``) labels them, less the rows Kaggle did
    not score: its ``Usage`` says Ignored, or (``minus_one_unscored``: a metric of 0/1 labels and several targets)
    every target is -1, as jigsaw-toxic's ``test_labels.csv`` marks them. A labelled id that is no row of the test file, or an id on two rows of either, is refused,
    naming it; each file is read once. Without an id, the answers file's rows are the test rows (it holds the test
    file's columns: rows are matched by content)."""
    train_out, test_out, answers_out = outputs  # _build's, in ``folder``
    labelled = raw_dir / recipe.answers_file
    test_path = raw_dir / recipe.test_file
    key = recipe.id_column
    # A test file carrying the target columns (empty, or Kaggle's placeholder) publishes without them.
    public_columns = [c for c in columns_of(con, test_path) if not key or c not in recipe.target_columns]
    register_unit_hash(con)
    seed = int(recipe.seed) & MASK
    ignored = marked = unlabelled = 0
    if key:
        _released_tables(con, test_path, labelled, recipe, public_columns, minus_one_unscored)
        _refuse_repeated_ids(con, KAGGLE_TEST, test_path, key, where)
        _refuse_repeated_ids(con, RELEASED, labelled, key, where)
        _refuse_foreign_answers(con, labelled, test_path, key, where)
        targets = ", ".join(f"a.{quote(c)}" for c in recipe.target_columns)
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE rows AS
                SELECT {", ".join(f"t.{quote(c)}" for c in public_columns)}, {targets},
                       {UNIT_HASH}(CAST(t.{quote(key)} AS VARCHAR), {seed}) AS __mlecurate_h
                FROM {KAGGLE_TEST} AS t JOIN {RELEASED} AS a USING (__mlecurate_k) WHERE NOT a.__mlecurate_ignored"""
        )
        ignored, marked, unlabelled = con.execute(
            f"""SELECT count(*) FILTER (WHERE a.__mlecurate_ignored), count(*) FILTER (WHERE a.__mlecurate_marked),
                       count(*) FILTER (WHERE a.__mlecurate_k IS NULL)
                FROM {KAGGLE_TEST} AS t LEFT JOIN {RELEASED} AS a USING (__mlecurate_k)"""
        ).fetchone()
    else:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE rows AS
                SELECT *, {UNIT_HASH}({_row_text(public_columns)}, {seed}) AS __mlecurate_h
                FROM {reader_sql(labelled)}"""
        )
        unlabelled = _unlabelled(con, test_path, public_columns)
    total = con.execute(f"SELECT count(*) FROM {reader_sql(raw_dir / recipe.train_file)}").fetchone()[0]
    copy_uncompressed(raw_dir / recipe.train_file, train_out)  # the train set is the original's, byte for byte
    like = raw_dir / recipe.train_file  # the public files' layout: the train set's
    dialect = _published_dialect(con, like)
    con.execute(
        copy_sql(
            f"SELECT {_select(public_columns)} FROM rows ORDER BY __mlecurate_h",
            test_out,
            like,
            dialect,
            _json_types(recipe, public_columns, test_path),  # the rows are Kaggle's test file's
        )
    )
    answer_columns = _answer_columns(recipe, public_columns, where)
    con.execute(copy_sql(f"SELECT {_select(answer_columns)} FROM rows ORDER BY __mlecurate_h", answers_out))
    ordered = "(SELECT * FROM rows ORDER BY __mlecurate_h)"
    scored = _write_scored(con, recipe, ordered, public_columns, folder, where)
    test_rows = con.execute("SELECT count(*) FROM rows").fetchone()[0]
    kaggle_rows = con.execute(f"SELECT count(*) FROM {KAGGLE_TEST if key else reader_sql(test_path)}").fetchone()[0]
    for table in (KAGGLE_TEST, RELEASED):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return SplitResult(
        original_rows=total, train_rows=total, test_rows=test_rows, train_file=train_out, test_file=test_out,
        answers_file=answers_out, public_columns=public_columns, unit=key or "row content",
        kaggle_test_rows=kaggle_rows, unlabelled_test_rows=unlabelled, ignored_test_rows=ignored,
        marked_test_rows=marked, scored_rows=scored,
    )  # fmt: skip


FOREIGN_SHOWN = 5  # labelled ids that are no test row, named in the refusal
KAGGLE_TEST, RELEASED = "__kaggle_test", "__released"  # the two files of released labels, each read once


def _released_tables(
    con, test_path: Path, labelled: Path, recipe: SplitRecipe, public_columns: list[str], minus_one_unscored: bool
) -> None:
    """Kaggle's test rows (their public columns) and the released labels (the targets, and whether Kaggle ignored
    the row: a ``Usage`` column, in any letter case, saying ``Ignored``; with ``minus_one_unscored``, -1 in every
    target, which MLE-bench's jigsaw grader skips too), each with its row number and its id's text as matched
    (:func:`_id_text`), as temp tables: each file read once."""
    key = recipe.id_column
    usage = next(
        (c for c in columns_of(con, labelled) if c.strip().casefold() == "usage" and c not in recipe.target_columns),
        None,
    )
    ignored = f"coalesce(lower(trim(CAST({quote(usage)} AS VARCHAR))) = 'ignored', false)" if usage else "false"
    marked = "false"
    if minus_one_unscored:
        marks = " AND ".join(f"coalesce(TRY_CAST(trim(CAST({quote(c)} AS VARCHAR)) AS DOUBLE) = -1, false)"
                             for c in recipe.target_columns)  # fmt: skip
        marked = f"(NOT {ignored} AND {marks})"
    numbered = "row_number() OVER () AS __mlecurate_rn"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {KAGGLE_TEST} AS
            SELECT {_select(public_columns)}, {numbered}, {_id_text(None, key)} AS __mlecurate_k
            FROM {reader_sql(test_path)}"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {RELEASED} AS
            SELECT {_select(recipe.target_columns)}, CAST({quote(key)} AS VARCHAR) AS __mlecurate_id, {numbered},
                   {_id_text(None, key)} AS __mlecurate_k, {ignored} OR {marked} AS __mlecurate_ignored,
                   {marked} AS __mlecurate_marked
            FROM {reader_sql(labelled)}"""
    )


def _id_text(table: str | None, key: str) -> str:
    """An id as released labels match it: its text, as a number where it reads as one (``001200`` is ``1200``)."""
    column = f"{table}.{quote(key)}" if table else quote(key)
    return key_text(f"CAST({column} AS VARCHAR)")


def _refuse_repeated_ids(con, table: str, path: Path, key: str, where: str) -> None:
    """Released labels match rows by id: an id on two rows of the test file or the answers (``table``, read from
    ``path``; as a number where it reads as one) cannot say which label is whose. Rows without an id are not
    matched, so not compared."""
    found = con.execute(
        f"""SELECT list(__mlecurate_rn ORDER BY __mlecurate_rn)[1:3] FROM {table} WHERE __mlecurate_k IS NOT NULL
            GROUP BY __mlecurate_k HAVING count(*) > 1 ORDER BY min(__mlecurate_rn) LIMIT 1"""
    ).fetchone()
    if found:
        rows = found[0]
        raise SplitError(
            f"{where}{path}: split recipe key 'id_column': rows {', '.join(map(str, rows))} hold one {key} "
            "(counted from 1, the header not counted; ids are compared as numbers where they read as one); released "
            "labels are matched to Kaggle's test rows by id, so each id must be on one row of each file"
        )


def _refuse_foreign_answers(con, labelled: Path, test_path: Path, key: str, where: str) -> None:
    """Refuse released answers labelling ids Kaggle's test file does not have (by number where both read as one):
    they would be test rows no participant was given (a newcomer's sweep published 5 such rows)."""
    count, first = con.execute(
        f"""SELECT count(*), list(coalesce('''' || a.__mlecurate_id || '''', 'none on row ' || a.__mlecurate_rn)
                                  ORDER BY a.__mlecurate_rn)[1:{FOREIGN_SHOWN}]
            FROM {RELEASED} AS a ANTI JOIN {KAGGLE_TEST} AS t USING (__mlecurate_k)"""
    ).fetchone()
    if count:
        more = f" and {count - len(first):,} more" if count > len(first) else ""
        raise SplitError(
            f"{where}{labelled}: split recipe key 'answers_file': {count:,} labelled row(s) whose {key} is no row of "
            f"Kaggle's test file {test_path.name} ({', '.join(first)}{more}); released answers "
            "label Kaggle's test rows: check that both files are the same competition's, and remove the rows the "
            "test file does not have"
        )


def _unlabelled(con, test_path: Path, public_columns: list[str]) -> int:
    """Rows of Kaggle's test file that the labelled rows (table ``rows``, matched by content: no id) do not hold (a
    row labelled twice counts once against one unlabelled copy)."""
    columns = _select(public_columns)
    query = (
        f"SELECT count(*) FROM (SELECT {columns} FROM {reader_sql(test_path)} EXCEPT ALL SELECT {columns} FROM rows)"
    )
    return con.execute(query).fetchone()[0]


def public_test_columns(con, recipe: SplitRecipe, raw_dir: Path, columns: list[str]) -> list[str]:
    """The new test set's columns: those ``test_columns`` names, else the train columns less the targets and, as on
    Kaggle, only those the original test set has (random-acts-of-pizza's train carries ``*_at_retrieval`` fields that
    leak the label)."""
    if recipe.test_columns:
        return [c for c in columns if c in recipe.test_columns]  # in the train file's order
    kept = [c for c in columns if c not in recipe.target_columns]
    original = raw_dir / recipe.test_file if recipe.test_file else None
    if original is None or not original.is_file():
        return kept
    available = set(columns_of(con, original))
    return [c for c in kept if c in available or c == recipe.id_column]


def _answer_columns(recipe: SplitRecipe, public_columns: list[str], where: str) -> list[str]:
    """The id (else every public test column), the columns ``submission_columns``' keys are built from, the targets."""
    keys = [recipe.id_column] if recipe.id_column else public_columns
    needed = recipe.submission_key_columns(public_columns)
    if missing := [c for c in needed if c not in public_columns]:
        raise RecipeError(
            f"{where}split recipe key 'submission_columns': a key names column {missing[0]!r}, which the new public "
            f"test set does not have (its columns: {shown_list(public_columns)}); a submission's key must be one a "
            "participant can read from the test set"
        )
    return list(dict.fromkeys([*keys, *needed, *recipe.target_columns]))


def _refuse_misread_header(con, path: Path, read: list[str], key: str, where: str) -> None:
    """A CSV header naming a column twice is refused (``read``: its columns as DuckDB reads them): DuckDB renames the second (``x1_1``) in the public test set
    while the train set, published as its own lines, keeps ``x1,x1``; the two would disagree. So is one whose names
    DuckDB reads otherwise: spaces around a name, an empty name, two names that differ only by case."""
    if data_format(path.name) not in DELIMITED:
        return
    header = header_names(con, path)
    repeated = repeated_names(header)
    if repeated:
        raise RecipeError(
            f"{where}split recipe key '{key}': {path.name}'s header names the column "
            f"{', '.join(repr(c) for c in repeated)} more than once (its columns: {column_listing(header)}); "
            "rename the repeated columns where the download comes from and download it again"
        )
    renamed = [(position, written, name) for position, (written, name) in enumerate(zip(header, read, strict=False), 1)
               if written != name]  # fmt: skip
    if renamed:  # spaces around a name (DuckDB strips them), no name (column3), 'Id' beside 'id' (Id_1)
        shown = "; ".join(
            f"column {position} {written!r} is read as {name!r}" for position, written, name in renamed[:5]
        )
        raise RecipeError(
            f"{where}split recipe key '{key}': {path.name}'s header has names DuckDB reads otherwise ({shown}"
            f"{'; ...' if len(renamed) > 5 else ''}): the published test set would name them so while the train set "
            "keeps its header as written, and the two would disagree. Rename them where the download comes from "
            "(no spaces around a name, none empty, none differing from another only by case) and download it again"
        )


def _refuse_foreign_test_header(recipe: SplitRecipe, train: list[str], test: list[str], path: Path, where: str):
    """Kaggle's test set keeps, in the new one, the train columns it has (:func:`public_test_columns`); a test file
    that spells one of them in other letter case (``X2`` for ``x2``), or of several columns none of which is the
    train set's (another table, or another file under its name), would drop them without a word: it is refused,
    naming the columns, before any read. A test file of the id alone is Kaggle's way for images and recordings, and
    is taken, whatever it calls the id (the id is kept anyway). Without a test file (``test_file: null``),
    ``test_columns`` names the public test set's columns."""
    shown = f"{path.name} (its columns: {column_listing(test)})"
    instead = (
        "set test_file: null in the recipe (with test_fraction, not original_ratio) and name the new test set's "
        "columns with test_columns"
    )
    kept = [c for c in train if c not in recipe.target_columns and c != recipe.id_column]  # the id is kept anyway
    by_case = {c.casefold(): c for c in test}
    strangers = {_spelling(c): c for c in test if c not in train}  # a train column's own name is no respelling
    respelled = [(c, strangers[_spelling(c)]) for c in kept if c not in test and _spelling(c) in strangers]
    if respelled:
        pairs = ", ".join(f"{written!r} for {name!r}" for name, written in respelled[:5])
        raise RecipeError(
            f"{where}split recipe key 'test_file': {shown} spells train columns otherwise, in letter case or "
            f"separators ({pairs}{', ...' if len(respelled) > 5 else ''}): the new test set keeps only the train "
            f"columns Kaggle's test set has, and would drop these; rename them where the download comes from, or "
            f"{instead}"
        )
    if len(test) > 1 and not any(c.casefold() in by_case for c in [*kept, recipe.id_column] if c):
        raise RecipeError(
            f"{where}split recipe key 'test_file': {shown} shares no column with the train set's "
            f"({shown_list([c for c in train if c not in recipe.target_columns])}): the new test set keeps only the "
            f"train columns Kaggle's test set has, and would have {'the id alone' if recipe.id_column else 'none'}. "
            f"Is it Kaggle's test set? Name the right file with test_file, or {instead}"
        )


def _spelling(name: str) -> str:
    """A column name without letter case or word separators (spaces, ``_``, ``-``, ``.``): ``id-01``, ``ID 01`` and
    ``id_01`` are one; other signs tell names apart (``age<18``, ``age>18``)."""
    return re.sub(r"[\s_.\-]+", "", name).casefold() or name.casefold()


def _require(found: list[str], wanted, key: str, name: str, where: str) -> None:
    """A RecipeError when ``found`` lacks a column of ``wanted``; ``name``: the file as the recipe names it (its
    folder too: ``train/metadata.json``), or the name messages give a listed table."""
    message = missing_columns_message(key, wanted, found, name)
    if message:
        raise RecipeError(f"{where}{message}")


def _row_text(columns: list[str]) -> str:
    return "CAST(struct_pack(" + ", ".join(f"{quote(c)} := {quote(c)}" for c in columns) + ") AS VARCHAR)"


def _select(columns: list[str]) -> str:
    return ", ".join(quote(c) for c in columns)
