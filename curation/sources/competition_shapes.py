"""The shapes a generated competition can take beyond the demo's CSV with a random or stratified split: every kind of
split recipe and every data format a real competition brings (``mlecurate generate-competition --kind --format``).

>>> files, recipe = reshape(files, recipe, Shape(kind="temporal", format="parquet", text_ids=True))

``files`` are the demo's CSV files by name (``curation.sources.demo_data.demo_competition_files``: an ``id`` column in
each) and ``recipe`` their split recipe (``sample_submission_file`` and, with a labelled test set,
``original_answers_file`` name those files); both come back reshaped:

- ``kind``: ``group`` adds a ``user`` column (23 users, each with rows in train and test) and names it
  ``group_column``; ``temporal`` adds a ``date`` column (one row an hour, in id order, so the test set is the latest
  rows) and names it ``time_column``; ``released_labels`` splits along the original test set, labelled by
  ``test_with_solutions`` (the labelled test set must be asked for); ``stratified`` needs a class target.
- ``format``: ``tsv`` (tab-separated, as movie-review-sentiment-analysis ships), ``json`` (an array of records) or
  ``parquet`` for the data files (train, test, the labelled test set), JSON and Parquet with the types DuckDB infers
  from the CSV (numbers, dates, text); the sample submission stays CSV, as Kaggle's do.
- ``gzip``: the data files gzip'd (``train.csv.gz``; a CSV, TSV or JSON).
- ``inner_archive``: each data file packed in an archive of its own inside the competition's zip, as Kaggle ships
  some (statoil's ``train.json.7z``, movie-review's ``train.tsv.zip``): ``zip``, ``7z`` or ``tar.gz``.
- ``has_id=False``: no id column anywhere (rows are matched by the test columns' content) and no sample submission
  (the split builds one from the key columns).
- ``text_ids``: ids as text (``r00012``) instead of numbers.
- ``sample_name``: the sample submission's name as the competition ships it (``sampleSubmission.csv``): the file in
  the zip and the recipe's ``sample_submission_file`` and ``sample_submission_name``.
- ``filed_by_label`` (with ``row_files``): no train table, as plant-seedlings-classification ships its images:
  each train row's file is filed under its label, ``train/<label>/<id>.png``, the original test rows' are
  ``test/<id>.png`` with no test table either, and the recipe lists the files (``train_listing:
  train/{<target>}/{id}.png``); for one class target, with a random or stratified split.
- ``submission_format``: the submission's columns are not the train file's, as a recipe's ``submission_columns``
  says: ``renamed`` names the sample's id ``Id`` and its prediction ``Predicted`` (``<target>_predicted`` for each of
  several targets), as iwildcam-2019's ``Id, Category`` stand for ``id, category_id``; ``composite`` replaces the id
  with two columns, ``batch`` and ``item``, whose ``{batch}_{item}`` is the sample's id, as text-normalization's
  ``{sentence_id}_{token_id}``.
- ``train_name``: the train table's name without its suffix, as the competition ships it (``train_labels``, as
  seti-breakthrough-listen and histopathologic-cancer-detection do; ``labels``, as dog-breed-identification): the
  file in the zip and the recipe's ``train_file``.
- ``test_table=False`` (with ``row_files``): no test table, as image competitions often ship their test set: its
  files (``test/<id>.png``) and the sample submission are all there is of it; the recipe says ``test_file: null``.
- ``row_files``: one small file per row, as image competitions ship them: ``train/<id>.png`` for each train row and
  ``test/<id>.png`` for each original test row (a valid 4x4 greyscale PNG whose pixels come from the id, never the
  target), and ``row_files: train/{id}.png`` in the recipe, so that each row's image goes with its row.

Nothing here reads anything but its arguments; the same arguments give the same bytes (with one DuckDB release).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import struct
import tarfile
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import py7zr
from py7zr.helpers import ArchiveTimestamp

from validation.data_files import ONE_FILE, is_data_file, path_literal, utc_connection
from validation.split_recipe import KINDS

FORMATS = ("csv", "tsv", "json", "parquet")
INNER_ARCHIVES = ("zip", "7z", "tar.gz")
ROW_FILE_TYPES = ("png",)
SUBMISSION_FORMATS = ("renamed", "composite")
PNG_SIDE = 4  # pixels
FIXED_TIME = datetime(2020, 1, 1)  # every packed file's time: the same arguments give the same bytes
GROUPS = 23  # users of a group split: enough that a fifth of them is a test set, few enough that each has many rows
FIRST_HOUR = datetime(2021, 1, 1)
TABLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
RESERVED_NAMES = ("test", "test_with_solutions", "sample_submission")  # the generated competition's other files


@dataclass(frozen=True)
class Shape:
    kind: str | None = None  # None: the demo's own (stratified for a class target, else random)
    format: str = "csv"
    has_id: bool = True
    text_ids: bool = False
    sample_name: str | None = None
    gzip: bool = False
    inner_archive: str | None = None
    row_files: str | None = None  # one file per row of this type (png), named by the row's id
    submission_format: str | None = None  # renamed or composite: the submission's columns, not the train file's
    filed_by_label: bool = False  # no train or test table: the train rows' files filed under their label
    train_name: str = "train"  # the train table's name without its suffix (train_labels)
    test_table: bool = True  # False: no test table, Kaggle's test set is its row files and the sample alone

    def __post_init__(self):
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"split kind {self.kind!r}: expected one of {', '.join(KINDS)}")
        if self.format not in FORMATS:
            raise ValueError(f"data format {self.format!r}: expected one of {', '.join(FORMATS)}")
        if self.gzip and self.format == "parquet":
            raise ValueError("a gzip'd Parquet file is not a table DuckDB reads: --gzip takes csv, tsv or json")
        if self.inner_archive is not None and self.inner_archive not in INNER_ARCHIVES:
            raise ValueError(f"inner archive {self.inner_archive!r}: expected one of {', '.join(INNER_ARCHIVES)}")
        if self.row_files is not None and self.row_files not in ROW_FILE_TYPES:
            raise ValueError(f"row file type {self.row_files!r}: expected one of {', '.join(ROW_FILE_TYPES)}")
        if self.text_ids and not self.has_id:
            raise ValueError("--text-ids writes the id column as text: it needs one (drop --no-id)")
        if self.row_files and not self.has_id:
            raise ValueError("row files are named by the row's id: --row-files needs an id column (drop --no-id)")
        if self.submission_format is not None and self.submission_format not in SUBMISSION_FORMATS:
            raise ValueError(f"submission format {self.submission_format!r}: expected one of "
                             f"{', '.join(SUBMISSION_FORMATS)}")  # fmt: skip
        if self.submission_format and not self.has_id:
            raise ValueError("a submission format maps the sample's id: --submission-format needs an id column and a "
                             "sample (drop --no-id)")  # fmt: skip
        if self.submission_format == "composite" and self.row_files:
            raise ValueError("row files are named by the row's id, which the composite format replaces: drop "
                             "--row-files or use --submission-format renamed")  # fmt: skip
        if self.filed_by_label and not self.row_files:
            raise ValueError("files filed by label are row files: --filed-by-label needs --row-files")
        if self.filed_by_label and self.kind not in (None, "random", "stratified"):
            raise ValueError(f"files filed by label are listed as a table of their id and label alone: kind "
                             f"{self.kind} needs a column they do not have (use random or stratified)")  # fmt: skip
        if (not TABLE_NAME.fullmatch(self.train_name) or self.train_name.casefold() in RESERVED_NAMES
                or is_data_file(self.train_name)):  # fmt: skip
            raise ValueError(f"train table name {self.train_name!r}: expected a file name without its suffix (letters, "
                             f"digits, '_', '-', '.', starting with a letter or digit; train_labels, not "
                             f"train_labels.csv), none of "
                             f"{', '.join(RESERVED_NAMES)} in any letter case")  # fmt: skip
        if self.filed_by_label and self.train_name != "train":
            raise ValueError("files filed by label have no train table to name: drop --train-name or --filed-by-label")
        if not self.test_table and (not self.row_files or self.filed_by_label):
            raise ValueError("without a test table, Kaggle's test set is its files alone: --no-test-table needs "
                             "--row-files (and no --filed-by-label, which has no test table already)")  # fmt: skip
        if not self.test_table and self.kind == "released_labels":
            raise ValueError("kind released_labels splits along Kaggle's test table: it needs one (drop "
                             "--no-test-table)")  # fmt: skip
        if self.row_files and self.kind == "released_labels":
            raise ValueError("kind released_labels keeps Kaggle's train and test sets whole: its files need no "
                             "row_files (drop --row-files, or use another kind)")  # fmt: skip


def reshape(files: dict[str, bytes], recipe: dict, shape: Shape, class_target: bool) -> tuple[dict[str, bytes], dict]:
    """``files`` and ``recipe`` in ``shape`` (``class_target``: the metric's target is a class, so a stratified split
    can keep each class's share). A shape the competition cannot take raises ValueError saying why."""
    if shape.kind == "released_labels" and "original_answers_file" not in recipe:
        raise ValueError("kind released_labels splits along the original test set's released labels: "
                         "ask for them too (--labelled-test)")  # fmt: skip
    if shape.filed_by_label and (not class_target or len(recipe["target_columns"]) != 1):
        raise ValueError("files filed by label need one class target to name their folders: the metric's target is "
                         "not one (use a classification metric such as accuracy)")  # fmt: skip
    if shape.kind == "stratified" and not class_target:
        raise ValueError("kind stratified keeps each class's share: the metric's target is not a class "
                         "(use random, group or temporal)")  # fmt: skip
    frames = {name: pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
              for name, content in files.items()}  # fmt: skip
    targets = list(recipe["target_columns"])
    if shape.kind == "stratified" and len(targets) > 1:  # the split refuses more classes than half the rows
        train = frames[recipe.get("train_file", "train.csv")]
        classes = train.groupby(targets).ngroups
        if classes > len(train) / 2:
            raise ValueError(f"kind stratified keeps each combination of the {len(targets)} targets' values, and "
                             f"they make {classes:,} among the {len(train):,} train rows, more than half of them "
                             "(the split refuses it): fewer --targets, more --rows, or kind random")  # fmt: skip
    recipe = dict(recipe)
    sample = recipe.get("sample_submission_file")
    data = [name for name in frames if name != sample]  # train, test, test_with_solutions
    for name in data:
        frame, ids = frames[name], frames[name]["id"].astype(int)
        if shape.kind == "group":
            frame.insert(1, "user", [f"u{i % GROUPS:02d}" for i in ids])
        if shape.kind == "temporal":
            frame.insert(1, "date", [(FIRST_HOUR + timedelta(hours=int(i))).isoformat(sep=" ") for i in ids])
    if shape.text_ids:
        for frame in frames.values():
            frame["id"] = [f"r{int(i):05d}" for i in frame["id"]]
    if not shape.has_id:
        for name in data:
            frames[name] = frames[name].drop(columns=["id"])
        frames.pop(sample, None)
        recipe.pop("id_column", None)
        recipe.pop("sample_submission_file", None)
    row_files = _row_files(frames, recipe, shape)
    if shape.filed_by_label:
        row_files = _filed_by_label(frames, recipe, row_files)
    if shape.submission_format:
        _submission_format(frames, recipe, data, sample, shape)
    if not shape.test_table:
        frames.pop(recipe.get("test_file", "test.csv"))
        recipe["test_file"] = None
    recipe |= _recipe_keys(shape, recipe)
    if shape.kind == "released_labels":
        recipe.pop("test_fraction", None)
    reshaped = {}
    for name, frame in frames.items():
        text = frame.to_csv(index=False, lineterminator="\n").encode()
        if name not in data:
            reshaped[name] = text
            continue
        stem = shape.train_name if name == recipe.get("train_file", "train.csv") else name.removesuffix(".csv")
        renamed = stem + "." + shape.format + (".gz" if shape.gzip else "")
        content = _converted(frame, text, shape.format)
        content = gzip.compress(content, mtime=0) if shape.gzip else content
        for key, default in (("train_file", "train.csv"), ("test_file", "test.csv"), ("answers_file", None),
                             ("original_answers_file", None)):  # fmt: skip
            if recipe.get(key, default) == name:
                recipe[key] = renamed
        if shape.inner_archive:  # the recipe names the file inside: the download extracts it in place
            reshaped[f"{renamed}.{shape.inner_archive}"] = packed(renamed, content, shape.inner_archive)
        else:
            reshaped[renamed] = content
    if shape.sample_name and sample in reshaped and shape.sample_name != sample:  # as the competition ships it
        taken = {name.casefold() for name in [*reshaped, *row_files] if name != sample}  # its final names
        if shape.sample_name.casefold() in taken:
            raise ValueError(f"the sample submission's name {shape.sample_name!r} is another file of the competition "
                             f"({', '.join(sorted(n for n in reshaped if n != sample))}): give it a name of its own")  # fmt: skip
        reshaped[shape.sample_name] = reshaped.pop(sample)
        recipe["sample_submission_file"] = shape.sample_name
    return reshaped | row_files, recipe


def _row_files(frames: dict[str, pd.DataFrame], recipe: dict, shape: Shape) -> dict[str, bytes]:
    """``train/<id>.png`` for each train row, ``test/<id>.png`` for each original test row (``shape.row_files``)."""
    if not shape.row_files:
        return {}
    files = {}
    for folder, name in (
        ("train", recipe.get("train_file", "train.csv")),
        ("test", recipe.get("test_file", "test.csv")),
    ):
        for row_id in frames[name]["id"]:
            files[f"{folder}/{row_id}.{shape.row_files}"] = _png(hashlib.sha256(f"{row_id}".encode()).digest())
    recipe["row_files"] = f"train/{{id}}.{shape.row_files}"
    return files


def _filed_by_label(frames: dict[str, pd.DataFrame], recipe: dict, row_files: dict[str, bytes]) -> dict[str, bytes]:
    """The train rows' files moved under their label (``train/<label>/<id>.png``) and the train and test tables
    dropped: the recipe lists the files instead (``train_listing``)."""
    target = recipe["target_columns"][0]
    train = frames.pop(recipe.pop("train_file", "train.csv"))
    frames.pop(recipe.pop("test_file", "test.csv"))
    suffix = recipe.pop("row_files").rsplit(".", 1)[1]
    moved = {name: content for name, content in row_files.items() if not name.startswith("train/")}
    for row_id, label in zip(train["id"], train[target], strict=True):
        moved[f"train/{label}/{row_id}.{suffix}"] = row_files[f"train/{row_id}.{suffix}"]
    recipe["train_listing"] = f"train/{{{target}}}/{{id}}.{suffix}"
    recipe["test_row_files"] = f"test/{{id}}.{suffix}"
    return moved


def _png(seed: bytes) -> bytes:
    """A valid ``PNG_SIDE`` x ``PNG_SIDE`` 8-bit greyscale PNG whose pixels are ``seed``'s bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\0" + seed[r * PNG_SIDE : (r + 1) * PNG_SIDE] for r in range(PNG_SIDE))  # filter 0 per row
    header = struct.pack(">IIBBBBB", PNG_SIDE, PNG_SIDE, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def packed(name: str, content: bytes, kind: str) -> bytes:
    """``content`` as the one file ``name`` of a ``zip``, ``7z`` or ``tar.gz`` archive, with fixed times."""
    buffer = io.BytesIO()
    if kind == "zip":
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
            bundle.writestr(zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6]), content, zipfile.ZIP_DEFLATED)
    elif kind == "7z":
        with _FixedTimeSevenZip(buffer, "w") as bundle:
            bundle.writestr(content, name)
    else:
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as zipped, tarfile.open(fileobj=zipped, mode="w") as tar:
            member = tarfile.TarInfo(name)
            member.size, member.mtime, member.mode = len(content), int(FIXED_TIME.timestamp()), 0o644
            tar.addfile(member, io.BytesIO(content))
    return buffer.getvalue()


class _FixedTimeSevenZip(py7zr.SevenZipFile):
    """py7zr stamps a file written from bytes with the time of writing; this one with :data:`FIXED_TIME`."""

    @staticmethod
    def _make_file_info_from_name(bio, size: int, arcname: str):
        info = py7zr.SevenZipFile._make_file_info_from_name(bio, size, arcname)
        stamp = ArchiveTimestamp.from_datetime(FIXED_TIME.timestamp())
        return info | {"creationtime": stamp, "lastwritetime": stamp, "lastaccesstime": stamp}


def _submission_format(
    frames: dict[str, pd.DataFrame], recipe: dict, data: list[str], sample: str, shape: Shape
) -> None:
    """The sample in ``shape.submission_format`` (its id and predictions renamed, or its id built from two columns
    that replace the id in every data file), and ``submission_columns`` in the recipe saying so."""
    targets = list(recipe["target_columns"])
    predicted = {t: "Predicted" if len(targets) == 1 else f"{t}_predicted" for t in targets}
    if shape.submission_format == "renamed":
        frames[sample] = frames[sample].rename(columns={"id": "Id", **predicted})
        recipe["submission_columns"] = {"Id": "id"} | {name: t for t, name in predicted.items()}
        return
    for name in data:
        frame = frames[name]
        batch, item = _halves(frame.pop("id"), shape.text_ids)
        frame.insert(0, "item", item)
        frame.insert(0, "batch", batch)
    batch, item = _halves(frames[sample]["id"], shape.text_ids)
    frames[sample] = frames[sample].assign(id=batch + "_" + item).rename(columns=predicted)
    recipe.pop("id_column", None)
    recipe["submission_columns"] = {"id": "{batch}_{item}"} | {name: t for t, name in predicted.items()}


def _halves(ids: pd.Series, text_ids: bool) -> tuple[pd.Series, pd.Series]:
    """Two columns that together tell the rows apart as ``ids`` do: all but the last character and the last (text
    ids, ``r0001``, ``2``), or the tens and the units (``1``, ``2`` for 12)."""
    if text_ids:
        return ids.str[:-1], ids.str[-1:]
    numbers = ids.astype(int)
    return (numbers // 10).astype(str), (numbers % 10).astype(str)


def _recipe_keys(shape: Shape, recipe: dict) -> dict:
    keys: dict = {}
    if shape.kind:
        keys["kind"] = shape.kind
    if shape.kind == "group":
        keys["group_column"] = "user"
    if shape.kind == "temporal":
        keys["time_column"] = "date"
    if shape.kind == "released_labels":
        keys["answers_file"] = recipe.pop("original_answers_file")
    if shape.sample_name:
        keys["sample_submission_name"] = shape.sample_name
    return keys


def _converted(frame: pd.DataFrame, csv_bytes: bytes, fmt: str) -> bytes:
    """The CSV as it is, tab-separated, or as JSON (an array of records) or Parquet with the types DuckDB infers
    (numbers, dates, text)."""
    if fmt == "csv":
        return csv_bytes
    if fmt == "tsv":
        return frame.to_csv(index=False, sep="\t", lineterminator="\n").encode()
    options = "FORMAT JSON, ARRAY true" if fmt == "json" else "FORMAT PARQUET"
    with tempfile.TemporaryDirectory(prefix="mlecurate-shape-") as scratch:
        source, target = Path(scratch) / "data.csv", Path(scratch) / f"data.{fmt}"
        source.write_bytes(csv_bytes)
        with utc_connection() as con:  # a zoned timestamp written the same on every machine
            con.execute(
                f"COPY (SELECT * FROM read_csv({path_literal(source)}, header = true{ONE_FILE})) "
                f"TO {path_literal(target)} ({options})"
            )
        return target.read_bytes()
