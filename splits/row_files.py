"""Per-row files (recipe keys ``row_files``, ``test_row_files``): an image, a recording, one file of the download per
row of the train file, that goes where its row goes.

>>> rows = find_row_files(con, recipe, raw_dir, "aerial-cactus-identification")  # every row's file, or SplitError
>>> files = place_row_files(rows, recipe, split.test_row_numbers)          # train rows' to train/, test rows' to test/
>>> digests = copy_row_files(files, raw_dir, staging.public)               # sha256 of each, hashed while placed

``row_files`` is a path pattern inside the download whose placeholders are columns of the train file
(``train/{id}``, ``train/{breed}/{id}.jpg``): each row has exactly one file there. A new train row's file is copied to
the same path under ``public/``; a new test row's to ``test_row_files`` (default: ``row_files`` with ``train`` made
``test`` in its first folder holding it), a pattern of the columns the public test set keeps, never a target. Files of
the download that no row names (Kaggle's own test images, whose labels are hidden) are not copied.

What the download can get wrong is found before the split is built: a placeholder that is not a column
(:func:`check_row_file_columns`, a :class:`~validation.split_recipe.RecipeError`), and a row without its file, with
no value to name it, or sharing its file with another row (:func:`find_row_files`, a SplitError naming the row by its
number in the train file and its id, the pattern and the download's files). Where the files land is checked once
the split has chosen its test rows (:func:`check_places`), still in the staging folder: nothing is published.

Files are hard links to the download's where the file system allows, else copies: 100,000 files of 2 KB took
about 4 s linked against 9-23 s copied (``bench/row_files_benchmark.py``); a whole split of 100,000 rows with their
files about 12 s. A link shares its bytes with the download's file, so both are made read-only: a new download
replaces the download's folder whole (``curation.competition_data``), and a published file keeps the bytes its
sha256 was computed from unless someone with the right to (root) edits it in place, which would change the download
too (the export links the published files the same way). Each file's sha256 is computed once, from the bytes read
while linking or copying, for the manifest and the leakage checks.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from splits.builder import SplitError, numbered_rows, public_test_columns
from splits.listing import download_files, train_name, train_source
from splits.public_files import PublicFile, split_own_file
from validation.data_files import (
    column_listing,
    copy_hashed,
    download_listing,
    download_owner,
    file_sha256,
    mapped_sql,
    quote,
    reader_sql,
)
from validation.leakage import RowFileFact
from validation.row_file_patterns import pattern_columns, pattern_parts, placeholder, static_folder
from validation.split_recipe import RecipeError, SplitRecipe

MISSING_SHOWN = 3  # rows named in a "files missing" error


@dataclass(frozen=True)
class RowFile:
    """One row's file: where it is in the download, and where it goes under ``public/``."""

    source: str  # relative to the download, a POSIX path (strings: pathlib costs seconds on 100,000 files)
    relative: str  # relative to public/
    side: str  # "train" or "test"
    labels: tuple[tuple[str, str], ...] = ()  # the row's (target, label) pairs, for the leakage checks
    key: str = "row_files"  # the recipe key that placed it: row_files, train_row_files or test_row_files
    entry: str = ""  # of other_row_files, the entry (its pattern) that placed it; "" for row_files' own


@dataclass(frozen=True)
class FoundRows:
    """Every train row's file (``sources``, relative to the download, by row number from 0), the path its test row
    would get (``test_paths``), and its target values as text (``labels``, one tuple per row)."""

    sources: list[str]
    test_paths: list[str]
    labels: list[tuple[str | None, ...]]
    train_paths: list[str] | None = None  # where a train row's file goes, when train_row_files says: else its source


def check_row_file_columns(
    con, recipe: SplitRecipe, raw_dir: Path, train_columns: list[str], slug: str, key: str = "row_files"
) -> None:
    """Each placeholder of ``row_files`` is a column of the train file, and each of the test pattern one the public
    test set keeps, never a target; else a RecipeError naming the competition, the key, the column and the columns.
    ``key``: the recipe key of this set of row files (``other_row_files``: ``recipe`` is one entry's)."""
    if not recipe.row_files:
        return
    where = f"{slug}: " if slug else ""
    for own, pattern in (("row_files", recipe.row_files), ("train_row_files", recipe.train_row_files)):
        missing = [c for c in pattern_columns(pattern or "", train_columns) if c not in train_columns]
        if missing:
            raise RecipeError(
                f"{where}{said(key, own, recipe)}: no column {', '.join(map(repr, missing))} in {train_name(recipe)} "
                f"(its columns: {column_listing(train_columns)}); the placeholders of {pattern!r} name the train "
                "file's columns"
            )
    pattern = recipe.test_row_pattern  # never a target's: refused when the recipe is read
    if pattern is None:  # an other_row_files entry of the train rows' files alone
        return
    given = (
        f"{pattern!r}" if recipe.test_row_files else f"{pattern!r} (the default, from row_files {recipe.row_files!r})"
    )
    public = public_test_columns(con, recipe, raw_dir, train_columns)
    hidden = [c for c in pattern_columns(pattern, train_columns) if c not in public]
    if hidden:
        raise RecipeError(
            f"{where}{said(key, 'test_row_files', recipe)}: {given} names column {hidden[0]!r}, which the new public "
            f"test set does not keep (its columns: {column_listing(public)}); name the test rows' files by those"
        )


def find_row_files(con, recipe: SplitRecipe, raw_dir: Path, slug: str, set_key: str = "row_files") -> FoundRows:
    """Every row's file in the download, by row number; a row without one (or without a value to name it, or whose
    file another row names too) is a SplitError naming the row, the pattern and the download's files. One read of
    the train file's pattern and target columns; one walk of the pattern's folder. ``set_key``: the recipe key of
    this set of row files (``other_row_files``: ``recipe`` is one entry's)."""
    where = f"{slug}: " if slug else ""
    train = train_source(raw_dir, recipe)
    test_pattern = recipe.test_row_pattern or recipe.row_files  # a train-only entry's test rows' are never placed
    all_columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader_sql(train)}").fetchall()]
    train_pattern = recipe.train_row_pattern
    named = [*pattern_columns(recipe.row_files, all_columns), *pattern_columns(test_pattern, all_columns),
             *pattern_columns(train_pattern, all_columns)]  # fmt: skip
    columns = list(dict.fromkeys(named))
    key = recipe.id_column
    texts = recipe.listed_texts  # a listing's mapped columns as the paths spell them
    select = ", ".join(
        [
            _path_sql(recipe.row_files, all_columns, texts),
            _path_sql(test_pattern, all_columns),
            _path_sql(train_pattern, all_columns, texts),
            f"CAST({quote(key)} AS VARCHAR)" if key else "NULL",
            *(f"CAST({quote(c)} AS VARCHAR)" for c in recipe.target_columns),
            *(f"{quote(c)} IS NULL" for c in columns),
        ]
    )
    rows = con.execute(f"SELECT {select} FROM ({numbered_rows(train, all_columns)}) ORDER BY __mlecurate_rn").fetchall()
    present = download_files(raw_dir, static_folder(recipe.row_files))
    sources, test_paths, train_paths, labels = [], [], [], []
    missing: list[tuple[int, str | None, str]] = []
    first_row: dict[str, int] = {}
    targets = len(recipe.target_columns)
    for number, row in enumerate(rows):
        source, test_path, train_path, ident = row[0], row[1], row[2], row[3]
        row = (source, test_path, *row[3:])  # as before the train path: ident, targets, nulls
        nulls = row[3 + targets :]
        if any(nulls):
            column = columns[list(nulls).index(True)]
            raise SplitError(
                f"{where}{said(set_key, 'row_files', recipe)}: {_row(number, ident, key, recipe)} has no value in column "
                f"{column!r}, so {recipe.row_files!r} names no file for it"
            )
        normal, problem = _normal(source)
        test_normal, test_problem = _normal(test_path)
        train_normal, train_problem = _normal(train_path)
        checked = (("row_files", source, problem), ("test_row_files", test_path, test_problem),
                   ("train_row_files", train_path, train_problem))  # fmt: skip
        for pattern_key, path, wrong in checked:
            if wrong:
                raise SplitError(
                    f"{where}{said(set_key, pattern_key, recipe)}: {_row(number, ident, key, recipe)} gives the path "
                    f"{path!r}, which {wrong}"
                )
        if normal in first_row:
            other = first_row[normal]
            raise SplitError(
                f"{where}{said(set_key, 'row_files', recipe)}: {_row(other, rows[other][3], key, recipe)} and "
                f"{_row(number, ident, key, recipe, again=True)} both name {normal!r}; each row needs a file of "
                "its own"
            )
        first_row[normal] = number
        if normal not in present:
            missing.append((number, ident, normal))
        sources.append(normal)
        test_paths.append(test_normal)
        train_paths.append(train_normal)
        labels.append(row[3 : 3 + targets])
    if missing:
        raise SplitError(_missing_message(where, slug, recipe, raw_dir, missing, len(rows), present, set_key))
    return FoundRows(sources, test_paths, labels, train_paths if recipe.train_row_files else None)


def said(set_key: str, key: str, recipe: SplitRecipe) -> str:
    """``split recipe key 'row_files'``, or for a set of ``other_row_files`` (``recipe`` one entry's), the key and
    the entry (``split recipe key 'other_row_files' (entry 'jpeg/train/{image_name}.jpg', its test pattern)``)."""
    if set_key == "row_files":
        return f"split recipe key '{key}'"
    part = {"test_row_files": ", its test pattern"}.get(key, "")
    return f"split recipe key '{set_key}' (entry {recipe.row_files!r}{part})"


def _row(number: int, ident: str | None, key: str | None, recipe: SplitRecipe, again: bool = False) -> str:
    """``row 17 of train.csv (id '17')``: counted from 1, the header not counted."""
    of = "" if again else f" of {train_name(recipe)}"
    return f"row {number + 1:,}{of}" + (f" ({key} {ident!r})" if key else "")


def _missing_message(
    where: str, slug: str, recipe: SplitRecipe, raw_dir: Path, missing, rows: int, present: set[str], set_key: str
) -> str:
    folded = {}
    for name in present:
        folded.setdefault(name.casefold(), name)
    shown_rows = missing[:MISSING_SHOWN]
    folders = {path: _files_under(raw_dir / path) for _, _, path in shown_rows if (raw_dir / path).is_dir()}
    shown = "; ".join(
        f"{_row(number, ident, recipe.id_column, recipe)}: "
        + (
            f"{path!r} is a folder ({folders[path]:,} file{'' if folders[path] == 1 else 's'}), not a file"
            if path in folders
            else f"no file {path!r}"
            + (f" (there is {near!r}: names differ in letter case)" if (near := folded.get(path.casefold())) else "")
        )
        for number, ident, path in shown_rows
    )
    more = f" (and {len(missing) - MISSING_SHOWN:,} more)" if len(missing) > MISSING_SHOWN else ""
    if len(folders) == len(shown_rows):  # rsna-miccai's train/<id>/FLAIR/Image-1.dcm, ...: a folder per row
        return (
            f"{where}{said(set_key, 'row_files', recipe)}: {len(missing):,} of {rows:,} rows have no file at "
            f"{recipe.row_files!r} in {download_owner(slug, raw_dir)}: {shown}{more}; row_files places one file per "
            "row, and mlecurate cannot place a folder of files per row: name one file of each row's folder in the "
            "pattern if that is the row's data, else this download cannot be split with its rows' files"
        )
    return (
        f"{where}{said(set_key, 'row_files', recipe)}: {len(missing):,} of {rows:,} rows have no file at "
        f"{recipe.row_files!r} in {download_owner(slug, raw_dir)}: {shown}{more}; files: {download_listing(raw_dir)}"
        + (f"; one that is there: {min(present)!r}" if present and len(missing) == rows else "")
    )  # every row missing: the pattern is wrong, and a real name shows how (train/696425564 against its .csv)


def _files_under(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def _path_sql(pattern: str, columns: list[str], texts: dict[str, dict[str, str]] | None = None) -> str:
    """The SQL text of ``pattern`` for a row: its literal text and the row's columns (of ``columns``) as text; a
    column of ``texts`` (a listing's ``listed_values``, turned around) as the text its file's path has."""
    pieces = []
    for text, written in pattern_parts(pattern):
        if text:
            pieces.append("'" + text.replace("'", "''") + "'")
        if written is None:
            continue
        taken = placeholder(written, columns)
        value = f"CAST({quote(taken.column)} AS VARCHAR)"
        value = mapped_sql(value, (texts or {}).get(taken.column, {}))
        if taken.sliced:  # Python's slice of the text's characters; DuckDB's substring counts from 1
            length = "" if taken.stop is None else f", {taken.stop - taken.start}"
            value = f"substring({value}, {taken.start + 1}{length})"
        pieces.append(value)
    return "concat(" + ", ".join(pieces) + ")"


def _normal(path: str) -> tuple[str | None, str | None]:
    """``path`` as a normal relative POSIX path (``a//./b`` -> ``a/b``), or why it cannot be a file inside the
    download (a value with ``..``, an absolute path)."""
    if path.startswith(("/", "\\")) or "\\" in path or ":" in path.split("/", 1)[0]:
        return None, "leads outside the competition's download"
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:
        return None, "leads outside the competition's download"
    if not parts or path.endswith("/"):
        return None, "names no file"
    return "/".join(parts), None


def place_row_files(
    found: FoundRows,
    recipe: SplitRecipe,
    test_row_numbers: np.ndarray,
    test_ids: list[str] | None = None,
    set_key: str = "row_files",
) -> list[RowFile]:
    """Each row's file and where it goes: a new train row's to its own path under ``public/``, a new test row's to
    the test pattern's (with its labels, which the leakage checks look for in the path); with the recipe's
    ``test_ids``, named by the row's new id (``test_ids``, aligned with ``test_row_numbers``). ``set_key``: as
    :func:`find_row_files`', named as the key that placed each file of another set."""
    entry = recipe.row_files if set_key != "row_files" else ""
    test = np.zeros(len(found.sources), dtype=bool)
    test[np.asarray(test_row_numbers, dtype=np.int64)] = True
    renamed = dict(zip(np.asarray(test_row_numbers).tolist(), test_ids, strict=True)) if test_ids else {}
    placed = []
    for number, source in enumerate(found.sources):
        labels = tuple((t, v) for t, v in zip(recipe.target_columns, found.labels[number], strict=True) if v)
        if test[number] and recipe.train_rows_only:  # its file is the row's label (a mask): not published
            continue
        if test[number]:
            path = _named_by(recipe.test_row_pattern, renamed[number]) if renamed else found.test_paths[number]
            placed.append(RowFile(source, path, "test", labels, _placed_by(set_key, "test_row_files"), entry))
        elif found.train_paths:
            placed.append(RowFile(source, found.train_paths[number], "train", labels, "train_row_files"))
        else:
            placed.append(RowFile(source, source, "train", labels, _placed_by(set_key, "row_files"), entry))
    return placed


def _placed_by(set_key: str, key: str) -> str:
    return key if set_key == "row_files" else set_key


def _named_by(pattern: str, new_id: str) -> str:
    """The test pattern for a row renamed ``new_id`` (its placeholders are the id alone, a slice of it at most)."""
    pieces = []
    for text, written in pattern_parts(pattern):
        taken = placeholder(written) if written is not None else None
        pieces.append(text + ("" if taken is None else new_id[taken.start : taken.stop] if taken.sliced else new_id))
    return "".join(pieces)


def check_places(
    files: list[RowFile],
    extras: list[PublicFile],
    recipe: SplitRecipe,
    slug: str,
    tables: dict[str, str],
    extras_key: str = "public_files",
) -> None:
    """No two row files go to one path, none where the split writes its own files, and ``public_files`` (or
    ``extras_key``'s files: ``train_tables``) puts none of them, nor anything into their folders (Kaggle's own
    ``test/`` beside the new test rows' files): RecipeErrors naming both keys."""
    if not recipe.row_files:
        return
    where = f"{slug}: " if slug else ""
    taken: dict[str, RowFile] = {}
    for file in files:
        own = split_own_file(PurePosixPath(file.relative), tables) if "/" not in file.relative else None
        if own:
            raise SplitError(
                f"{where}split recipe key '{file.key}': the file of {file.source} would go to public/{file.relative}, "
                f"where the split writes its own {own}"
            )
        other = taken.setdefault(file.relative, file)
        if other is not file:
            raise SplitError(
                f"{where}split recipe key '{file.key}': the files of {other.source} and {file.source} would both go "
                f"to public/{file.relative}; name the {file.side} rows' files by a column that tells them apart"
            )
    sources = {file.source for file in files}
    patterns = {
        p
        for _, one in recipe.row_file_sets
        for p in (one.row_files, one.train_row_pattern, one.test_row_pattern)
        if p is not None
    }
    folders = [f for f in {static_folder(p) for p in patterns} if f]
    for extra in extras:
        relative = extra.relative.as_posix()
        inside = next((f for f in folders if relative.startswith(f + "/")), None)
        if relative in sources or relative in taken or inside:
            what = (
                "a row's file" if relative in sources
                else "to where a row's file goes" if relative in taken
                else f"into {inside}/, where row_files puts the rows' files"
            )  # fmt: skip
            raise RecipeError(
                f"{where}split recipe keys '{extras_key}' and 'row_files': entry '{extra.entry}' would copy "
                f"{extra.relative} {what}; each row's file goes with its row (the train rows' to "
                f"{recipe.train_row_pattern!r}, the test rows' to {recipe.test_row_pattern!r}): leave it out of "
                f"{extras_key}"
            )


def copy_row_files(files: list[RowFile], raw_dir: Path, public: Path) -> dict[str, str]:
    """Put each row's file, unchanged and read-only, at ``public/<relative>``: a hard link to the download's file
    where the file system allows (the download's file becomes read-only with it: they are one file), else a copy
    (bytes and modification time). Return each one's sha256 (hex, by its path relative to ``public/``), computed from
    the bytes read once, while linking or copying."""
    raw, top = str(raw_dir), str(public)
    for folder in sorted({os.path.dirname(file.relative) for file in files}):
        os.makedirs(os.path.join(top, folder), exist_ok=True)
    digests = {}
    link = True
    for file in files:
        source, target = os.path.join(raw, file.source), os.path.join(top, file.relative)
        if link:
            try:
                os.link(source, target)
            except OSError:  # another file system, or one without hard links: copy this one and the rest
                link = False
        digests[file.relative] = file_sha256(source) if link else copy_hashed(source, target, "xb")
        os.chmod(target, stat.S_IMODE(os.stat(target).st_mode) & ~WRITABLE)
    return digests


WRITABLE = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def row_file_facts(files: Iterable[RowFile], digests: dict[str, str]) -> tuple[RowFileFact, ...]:
    """What the leakage checks know of each row's file."""
    return tuple(RowFileFact(f.relative, f.side, digests[f.relative], f.labels, f.entry) for f in files)
