"""Tables of a download about its training rows, published with the new training set's rows only (recipe key
``train_tables``).

>>> tables = resolve_train_tables(con, recipe, raw_dir, "ranzcr-clip-catheter-line-classification", names, extras)
>>> written = write_train_tables(con, tables, result.train_file, staging.public)   # before the leakage checks

ranzcr-clip's ``train_annotations.csv`` has a row for each line drawn on a training image, naming the target column
that is 1 for it; champs-scalar-coupling's ``mulliken_charges.csv`` a row for each atom of a training molecule.
Copied whole (``public_files``), their rows of the new test set's images or molecules give those rows' labels away.
MLE-bench's prepare scripts keep the rows of the new training set's; so does this: each table's rows whose value in
the named column (which the train file has too) is one of the new training rows' values there, compared as DuckDB's
text of each, in the table's own order. The table is written at the same path under ``public/`` in its own format
(a gzip'd one uncompressed, as the split's own files), and the leakage checks clear it like any extra public file.

A table of features the new test rows need too (nfl-player-contact-detection's ``train_player_tracking.csv``: each
play's players' positions, which an agent predicts contacts from) names where their rows go (``test:``): the rows
whose value is one of the download's training rows' that the new training set does not have, written as the train
side is, and cleared by the same checks (a test side carrying a target is refused there).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import duckdb

from splits.listing import train_name, train_source
from splits.public_files import PublicFile, missing_file, split_own_file
from validation.data_files import (
    DELIMITED,
    DataFileError,
    JsonTypes,
    column_listing,
    columns_of,
    copy_sql,
    csv_dialect,
    data_format,
    data_stem,
    published_suffix,
    quote,
    read_failure,
    reader_sql,
)
from validation.messages import shown_list
from validation.split_recipe import FILE_KEYS, RecipeError, SplitRecipe, recipe_file

KEY = "train_tables"


@dataclass(frozen=True)
class TrainTable:
    source: Path  # in the download
    relative: PurePosixPath  # under public/
    name: str  # the recipe's entry: the file's path in the download
    column: str  # the column it shares with the train file
    rows: int = 0  # in the download's table
    kept: int = 0  # published: the new training set's (the new test set's, on the test side)
    side: str = "train"  # whose rows it holds: the new training rows' (train), or the new test rows' (test)

    @property
    def placed(self) -> PublicFile:
        """As an extra public file, for the checks of where files go (``splits.row_files.check_places``)."""
        return PublicFile(self.source, self.relative, self.name)


def resolve_train_tables(
    con, recipe: SplitRecipe, raw_dir: Path, slug: str, names: dict[str, str], public_files: list[PublicFile]
) -> list[TrainTable]:
    """Each ``train_tables`` entry checked against the download before anything is written: the file is there, a
    readable table, not a file another key names, not in ``public/`` under the split's own names or a
    ``public_files`` file's; the column is in it and in the train file. A problem is a :class:`RecipeError` naming the
    key, the file and what exists."""
    if not recipe.train_tables:
        return []
    where = f"{slug}: " if slug else ""
    if not train_source(raw_dir, recipe).is_file():
        raise missing_file(slug, "train_file", recipe.train_file, raw_dir)
    train_columns = columns_of(con, train_source(raw_dir, recipe))
    units = {recipe.id_column} | ({recipe.group_column} if recipe.kind == "group" else set())
    named = {getattr(recipe, key): key for key in FILE_KEYS if getattr(recipe, key)}
    copied = {str(f.relative): f.entry for f in public_files} | {f.source.resolve(): f.entry for f in public_files}
    published: dict[PurePosixPath, str] = {}
    tables = []
    for name, column, test in recipe.train_tables:
        path = recipe_file(raw_dir, name, KEY, slug or str(raw_dir))
        if path.is_dir():  # sweep 196: optiver's book_train.parquet is a folder of per-stock files
            inside = sorted(p.relative_to(raw_dir).as_posix() for p in path.rglob("*") if p.is_file())
            raise RecipeError(
                f"{where}split recipe key '{KEY}': {name} is a folder of {len(inside):,} file(s); an entry is one "
                f"table: name each file as an entry of its own ({shown_list(inside)})"
            )
        if not path.is_file():
            raise missing_file(slug, KEY, name, raw_dir)
        if name in named:
            raise RecipeError(f"{where}split recipe key '{KEY}': {name} is the recipe's {named[name]}")
        entry = copied.get(path.resolve())
        if entry:
            others = sorted(
                str(f.relative) for f in public_files if f.entry == entry and f.source.resolve() != path.resolve()
            )
            # sweep 184: seti's old_leaky_data/ held the table and more, and public_files has no exclude
            instead = f" (list the entry's other files instead: {shown_list(others)})" if others else ""
            raise RecipeError(
                f"{where}split recipe keys '{KEY}' and 'public_files': {name} is copied whole by the public_files "
                f"entry '{entry}'; leave it out of public_files{instead}"
            )
        sides = [(PurePosixPath(name).with_name(data_stem(name) + published_suffix(name)), "train")]
        sides += [(PurePosixPath(test), "test")] if test else []
        for relative, side in sides:
            said = f"{name}{' (its new test rows, test:)' if side == 'test' else ''}"
            if reserved := split_own_file(relative, names):
                raise RecipeError(f"{where}split recipe key '{KEY}': {said} would be published as {relative}, where "
                                  f"the split writes its own {reserved}")  # fmt: skip
            if entry := copied.get(str(relative)):
                raise RecipeError(f"{where}split recipe keys '{KEY}' and 'public_files': {said} would be published as "
                                  f"{relative}, where the public_files entry '{entry}' copies a file; leave it out "
                                  "of public_files")  # fmt: skip
            if published.setdefault(relative, said) != said:
                raise RecipeError(f"{where}split recipe key '{KEY}': {published[relative]} and {said} would both be "
                                  f"published as {relative}")  # fmt: skip
        try:
            columns = columns_of(con, path)
        except DataFileError as error:
            raise RecipeError(f"{where}split recipe key '{KEY}': {error}") from error
        for file, found in ((name, columns), (train_name(recipe), train_columns)):
            if column not in found:
                raise RecipeError(f"{where}split recipe key '{KEY}': {name}: no column {column!r} in {file} (its "
                                  f"columns: {column_listing(found)})")  # fmt: skip
        if test and recipe.test_ids and column == recipe.id_column:  # review 190: cat.7 beside img_00001
            raise RecipeError(
                f"{where}split recipe keys '{KEY}' and 'test_ids': {name}: its new test rows' rows (test: {test}) "
                f"would keep their ids in {column}, which test_ids replaces in the public test set (their ids may "
                "tell their labels, as dogs-vs-cats' do): leave test: out, or key the table by a group column"
            )
        if column not in units - {None}:
            raise RecipeError(
                f"{where}split recipe key '{KEY}': {name}: column {column!r} is not what the split keeps on one side: "
                f"name the id column{f' ({recipe.id_column})' if recipe.id_column else ''}, or the group column of "
                "a group split (a value with rows on both sides would publish the new test rows' rows)"
            )
        tables += [TrainTable(path, relative, name, column, side=side) for relative, side in sides]
    return tables


def write_train_tables(
    con, tables: list[TrainTable], train_file: Path, public: Path, slug: str = "", original: Path | None = None
) -> list[TrainTable]:
    """Write each table's rows of the new training set (``train_file``, as published) under ``public``, and a test
    side's rows of the new test set (the download's training file ``original``'s values the new training set does not
    have); return the tables with their row counts. A table none of whose rows is kept (its values written otherwise
    than the train file's: ``1.0`` for ``1``, ``<uid>_image`` for ``<uid>``), or one DuckDB cannot read whole, is a
    :class:`RecipeError` naming the key and the file."""
    where = f"{slug}: " if slug else ""
    written = []
    for table in tables:
        target = public.joinpath(*table.relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        column = quote(table.column)
        values = f"SELECT CAST({column} AS VARCHAR) FROM {reader_sql(train_file)}"
        if table.side == "test":
            values = f"SELECT CAST({column} AS VARCHAR) FROM {reader_sql(original)} EXCEPT {values}"
        query = f"SELECT * FROM {reader_sql(table.source)} WHERE CAST({column} AS VARCHAR) IN ({values})"
        try:
            dialect = csv_dialect(con, table.source) if data_format(table.source.name) in DELIMITED else None
            typed = JsonTypes(columns_of(con, table.source), table.source, frozenset({table.column}))
            statement = copy_sql(query, target, table.source, dialect, typed)
            kept = con.execute(statement).fetchall()[0][0]
            rows = con.execute(f"SELECT count(*) FROM {reader_sql(table.source)}").fetchall()[0][0]
        except duckdb.Error as error:
            raise RecipeError(f"{where}split recipe key '{KEY}': {read_failure(table.source, error)}") from error
        if rows and not kept:
            whose = "a new test row" if table.side == "test" else "a new training row"
            ours = con.execute(
                f"SELECT CAST({column} AS VARCHAR) FROM {reader_sql(table.source)} WHERE {column} IS NOT NULL LIMIT 1"
            ).fetchall()
            theirs = con.execute(f"SELECT * FROM ({values}) LIMIT 1").fetchall()  # the side's own values
            raise RecipeError(
                f"{where}split recipe key '{KEY}': {table.name}: none of its {rows:,} rows has a value of "
                f"{table.column!r} that {whose} has (compared as text: {_first(ours)} in {table.name}, "
                f"{_first(theirs)} in the {'new test rows' if table.side == 'test' else 'train file'}); the table's "
                "values must be written as the train file's"
                + (", and hold the new test rows'" if table.side == "test" else "")
            )
        written.append(TrainTable(table.source, table.relative, table.name, table.column, rows, kept, table.side))
    return written


def _first(found: list[tuple]) -> str:
    return repr(found[0][0]) if found else "no value"
