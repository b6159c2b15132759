"""Split recipes and builders: key-named errors, determinism, row-order independence, and each kind's guarantee."""

from __future__ import annotations

import csv
import datetime
import importlib
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from splits.builder import SplitError, build_split, connect
from splits.layout import prepare_competition
from tests.conftest import PROJECT, SHARED, write_csv
from validation.data_files import content_checksum
from validation.data_root import TEST, TRAIN, PreparedFolder, published_tables
from validation.gradable_answers import UngradableAnswers
from validation.grading import grade_submission
from validation.parity_inputs import load_parity_inputs
from validation.split_recipe import RecipeError, parse_recipe, read_recipe_file

COMPETITIONS = SHARED / "competitions"


@pytest.mark.parametrize(
    "document, key",
    [
        ({"target_columns": ["y"]}, "kind"),
        ({"kind": "shuffle", "target_columns": ["y"]}, "kind"),
        ({"kind": "random"}, "target_columns"),
        ({"kind": "random", "target_columns": ["y"], "test_fraction": 1.5}, "test_fraction"),
        ({"kind": "random", "target_columns": ["y"], "test_fraction": True}, "test_fraction"),
        ({"kind": "random", "target_columns": ["y"], "seed": "zero"}, "seed"),
        ({"kind": "group", "target_columns": ["y"]}, "group_column"),
        ({"kind": "temporal", "target_columns": ["y"]}, "time_column"),
        ({"kind": "random", "target_columns": ["y"], "time_format": "%Y-%m-%d"}, "time_format"),
        ({"kind": "temporal", "time_column": "t", "target_columns": ["y"], "time_format": ""}, "time_format"),
        ({"kind": "temporal", "time_column": "t", "target_columns": ["y"], "time_format": 20}, "time_format"),
        ({"kind": "released_labels", "target_columns": ["y"]}, "answers_file"),
        ({"kind": "random", "target_columns": ["y"], "train_file": "../etc/passwd.csv"}, "train_file"),
        ({"kind": "random", "target_columns": ["y"], "train_file": "train.xlsx"}, "train_file"),
        ({"kind": "random", "target_columns": ["y"], "test_fraction": 0.2, "original_ratio": True}, "original_ratio"),
        ({"kind": "random", "target_columns": ["y"], "stratify": "y"}, "stratify"),
        ({"kind": "random", "target_columns": ["y"], "public_files": "/etc/passwd"}, "public_files"),
        ({"kind": "random", "target_columns": ["y"], "public_files": ["images/../../secret.txt"]}, "public_files"),
        ({"kind": "random", "target_columns": ["y"], "public_files": ["../raw/answers.csv"]}, "public_files"),
        ({"kind": "random", "target_columns": ["y"], "public_files": ["C:/data.txt"]}, "public_files"),
        ({"kind": "random", "target_columns": ["y"], "public_files": [""]}, "public_files"),
        ({"kind": "random", "target_columns": ["y"], "public_files": ["."]}, "public_files"),
        ({"kind": "random", "target_columns": ["y"], "public_files": [3]}, "public_files"),
        ({"kind": "random", "target_columns": ["y"], "public_files": {"images": True}}, "public_files"),
        ({"kind": "random", "target_columns": ["y"], "public_files": ["a.txt", "a.txt"]}, "public_files"),
    ],
)
def test_a_bad_recipe_names_the_key(document, key):
    with pytest.raises(RecipeError, match=f"recipe.yaml: split recipe key '{key}'"):
        parse_recipe(document, where="recipe.yaml")


@pytest.mark.parametrize(
    "name, hint",
    [
        ("ru_train.csv.zip", "name a file inside it, e.g. 'ru_train.csv'"),
        ("train.json.7z", "name a file inside it, e.g. 'train.json'"),
        ("images.tar.gz", "name a file inside it"),
    ],
)
def test_a_file_key_naming_an_inner_archive_says_to_name_the_file_inside(name, hint):
    """A sweep's text-normalization-challenge-russian-language: ``ru_train.csv.zip`` inside the download is extracted
    (and removed), so a recipe naming it can never find it; the refusal says what to name instead."""
    with pytest.raises(RecipeError) as refused:
        parse_recipe({"kind": "random", "target_columns": ["y"], "train_file": name}, "r")
    message = str(refused.value)
    assert message.startswith("r: split recipe key 'train_file': expected a .csv") and f"found {name!r}" in message
    assert message.endswith(f"an archive in the download is extracted where it lies, and removed: {hint}")
    with pytest.raises(RecipeError) as plain:
        parse_recipe({"kind": "random", "target_columns": ["y"], "train_file": "train.xlsx"}, "r")
    assert "archive" not in str(plain.value)


@pytest.mark.parametrize("name", ["train/*/*/ground_truth.csv", "batch_?.parquet", "train[12].csv"])
def test_a_file_key_naming_a_pattern_says_one_table_is_read(name):
    """Sweep 184's smartphone-decimeter-2022: a trip's ground truth in each of many folders; a glob in train_file
    passed annotate and the split said only "no file 'train/*/*/ground_truth.csv'"."""
    with pytest.raises(RecipeError) as refused:
        parse_recipe({"kind": "random", "target_columns": ["y"], "train_file": name}, "r")
    assert str(refused.value).startswith(
        f"r: split recipe key 'train_file': expected one file's name, found the pattern {name!r}: mlecurate reads one "
        "train table, not files joined together"
    )


def test_recipe_document_round_trips():
    recipe = parse_recipe({"kind": "random", "target_columns": "y", "seed": 3}, "r")
    assert recipe.target_columns == ("y",)
    assert parse_recipe(recipe.to_document(), "r") == recipe
    assert recipe.to_document() == {"kind": "random", "target_columns": ["y"], "seed": 3}


def test_public_files_are_parsed_and_round_trip():
    document = {"kind": "random", "target_columns": ["y"], "public_files": ["notes.txt", "images/", "s/*.csv"]}
    recipe = parse_recipe(document, "r")
    assert recipe.public_files == ("notes.txt", "images/", "s/*.csv")
    assert recipe.to_document()["public_files"] == ["notes.txt", "images/", "s/*.csv"]
    assert parse_recipe(recipe.to_document(), "r") == recipe
    assert parse_recipe({"kind": "random", "target_columns": ["y"], "public_files": "notes.txt"}, "r").public_files == (
        "notes.txt",
    )


def _copy_shuffled(source: Path, target: Path, seed: int) -> None:
    with open(source, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    random.Random(seed).shuffle(body)
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")  # another writer's style, too
        writer.writerow(header)
        writer.writerows(body)


def _split(tmp_path: Path, raw: Path, document: dict, name: str):
    return build_split(parse_recipe(document, name), raw, tmp_path / name, name)


TITANIC = {"kind": "random", "id_column": "PassengerId", "target_columns": ["Survived"]}


def test_same_rows_in_any_order_give_the_same_split(tmp_path):
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    _copy_shuffled(COMPETITIONS / "titanic" / "train.csv", shuffled / "train.csv", seed=7)
    original = _split(tmp_path, COMPETITIONS / "titanic", TITANIC, "original")
    reordered = _split(tmp_path, shuffled, TITANIC, "reordered")
    assert content_checksum(original.train_file) == content_checksum(reordered.train_file)  # train keeps input order
    for a, b in [(original.test_file, reordered.test_file), (original.answers_file, reordered.answers_file)]:
        assert content_checksum(a) == content_checksum(b)
        assert a.read_bytes() == b.read_bytes()  # written in hash order: the very same bytes


@pytest.mark.parametrize("form", ["parquet", "json"])
def test_same_rows_in_any_order_give_the_same_split_through_duckdb(tmp_path, form):
    """Parquet and JSON go through DuckDB by row number, not as bytes: the test set and answers must still be the
    very same bytes whatever the input's order."""
    titanic = COMPETITIONS / "titanic" / "train.csv"
    options = "FORMAT PARQUET" if form == "parquet" else "FORMAT JSON, ARRAY true"
    results = []
    for name, order in [("original", "PassengerId"), ("reordered", "hash(PassengerId * 7)")]:
        (tmp_path / f"in-{name}").mkdir()
        with duckdb.connect() as con:
            con.execute(f"""COPY (SELECT * FROM read_csv('{titanic}') ORDER BY {order})
                            TO '{tmp_path / f"in-{name}" / f"train.{form}"}' ({options})""")
        results.append(_split(tmp_path, tmp_path / f"in-{name}", TITANIC | {"train_file": f"train.{form}"}, name))
    original, reordered = results
    assert content_checksum(original.train_file) == content_checksum(reordered.train_file)
    assert original.test_file.read_bytes() == reordered.test_file.read_bytes()
    assert original.answers_file.read_bytes() == reordered.answers_file.read_bytes()
    assert (original.train_rows, original.test_rows) == (802, 89)


SPLIT_IN_A_ZONE = """
import json, sys
from pathlib import Path
from splits.builder import build_split
from validation.data_files import content_checksum
from validation.split_recipe import parse_recipe
raw, out = Path(sys.argv[1]), Path(sys.argv[2])
recipe = {"kind": "random", "target_columns": ["y"], "train_file": "train.parquet", "test_file": None}
result = build_split(parse_recipe(recipe, "r"), raw, out, "zoned")
print(json.dumps({"answers": result.answers_file.read_text(), "rows": result.test_row_numbers.tolist(),
                  "checksums": [content_checksum(f) for f in (result.train_file, result.test_file, raw / "train.parquet")]}))
"""


def test_a_split_of_zoned_timestamps_is_the_same_in_every_time_zone(tmp_path):
    """A Parquet TIMESTAMP WITH TIME ZONE read as text was written in the machine's zone (``TZ``): with no id column,
    a row's text is its unit, so the machine's zone chose the test rows, and the answers and checksums differed."""
    raw = tmp_path / "raw"
    raw.mkdir()
    with duckdb.connect() as con:
        con.execute(f"""COPY (SELECT i AS n, TIMESTAMPTZ '2020-01-26 20:30:00+00' + INTERVAL (i * 3671) SECOND AS at,
                                     i % 2 AS y FROM range(400) t(i))
                        TO '{raw / "train.parquet"}' (FORMAT PARQUET)""")
    runs = []
    for zone in ("UTC", "America/New_York", "Asia/Kolkata"):
        done = subprocess.run([sys.executable, "-c", SPLIT_IN_A_ZONE, str(raw), str(tmp_path / zone)], cwd=PROJECT,
                              env={**os.environ, "TZ": zone}, capture_output=True, text=True, check=True)  # fmt: skip
        runs.append(json.loads(done.stdout))
    assert runs[0]["answers"].splitlines()[0] == "n,at,y" and ",2020-01-" in runs[0]["answers"].splitlines()[1]
    assert "+00" in runs[0]["answers"] and len(runs[0]["rows"]) == 40
    assert runs[1] == runs[0] and runs[2] == runs[0]


@pytest.mark.parametrize(
    "name, options, lines",
    [("train.json", "FORMAT JSON", True), ("train.jsonl", "FORMAT JSON", True), ("train.ndjson", "FORMAT JSON", True),
     ("train.json", "FORMAT JSON, ARRAY true", False), ("train.json.gz", "FORMAT JSON, COMPRESSION gzip", True),
     ("train.jsonl.gz", "FORMAT JSON, COMPRESSION gzip", True)],
    ids=["json-lines-named-json", "jsonl", "ndjson", "json-array", "json-lines-gzipped", "jsonl-gzipped"],
)  # fmt: skip
def test_json_lines_are_published_as_json_lines(tmp_path, name, options, lines):
    """A participant given JSON Lines on Kaggle gets JSON Lines: the split published every JSON train file as one
    array (and refused .jsonl). The test set keeps the layout too; the answers stay CSV, grading and parity read them."""
    titanic = COMPETITIONS / "titanic"
    raw = tmp_path / "raw"
    raw.mkdir()
    test_name = name.replace("train", "test")
    with duckdb.connect() as con:
        for source, target in [("train.csv", name), ("test.csv", test_name)]:
            con.execute(f"COPY (SELECT * FROM read_csv('{titanic / source}')) TO '{raw / target}' ({options})")
    recipe = parse_recipe(TITANIC | {"train_file": name, "test_file": test_name, "metric": "accuracy"}, "t")
    prepared = prepare_competition("t", recipe, raw, tmp_path / "prepared")
    public = prepared.folder / "public"
    name, test_name = name.removesuffix(".gz"), test_name.removesuffix(".gz")  # published uncompressed
    assert sorted(p.name for p in public.iterdir()) == sorted(
        ["description.md", "sample_submission.csv", name, test_name]
    )
    for published, rows in [(public / name, 802), (public / test_name, 89)]:
        text = published.read_text()
        if lines:
            assert [json.loads(line)["PassengerId"] for line in text.splitlines()]  # every line one object
            assert len(text.splitlines()) == rows
        else:
            assert len(json.loads(text)) == rows  # an array stays an array
    folder = PreparedFolder(prepared.folder)
    graded = grade_submission(folder.answers, folder, "accuracy")
    assert (graded.valid_submission, graded.score) == (True, 1.0), graded.errors
    inputs = load_parity_inputs(folder, raw, prepared.manifest["recipe"], "accuracy", slug="t")
    assert len(inputs.new_test.features) == 89 and len(inputs.original_public_test) == 418


JSON_KINDS = [
    ("nested", lambda i: {"id": i, "s": {"a": i % 3, "b": [i, None]}, "j": [{"x": 1}, "text", [1, 2]][i % 3],
                          "d": f"2020-01-{1 + i % 28:02d}", "z": f"2020-01-01T10:00:0{i % 10}+02:00", "y": i % 2}),
    ("integers-past-64-bits", lambda i: {"id": i, "u": 18446744073709551615 - i, "y": i % 2}),
]  # fmt: skip


@pytest.mark.parametrize("kind", [k for k, _ in JSON_KINDS])
def test_a_json_split_read_once_equals_one_read_three_times(tmp_path, monkeypatch, kind):
    """A JSON train file is read once, into a Parquet copy the split then reads; its outputs must be those of
    reading the JSON itself each time. Integers past 64 bits (a HUGEINT, which Parquet keeps only as a DOUBLE)
    make the copy differ in type: the builder drops it and reads the original, so the digits are kept."""
    import splits.builder as builder

    row = dict(JSON_KINDS)[kind]
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "train.json").write_text(json.dumps([row(i) for i in range(400)]))
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["y"], "train_file": "train.json"}
    once = _split(tmp_path, tmp_path / "raw", recipe, "once")
    monkeypatch.setattr(builder, "_parsed_once", lambda path: False)
    each_time = _split(tmp_path, tmp_path / "raw", recipe, "each-time")
    assert content_checksum(once.train_file) == content_checksum(each_time.train_file)
    assert once.test_file.read_bytes() == each_time.test_file.read_bytes()
    assert once.answers_file.read_bytes() == each_time.answers_file.read_bytes()
    if kind == "integers-past-64-bits":
        assert "18446744073709551615" in (once.train_file.read_text() + once.test_file.read_text())
    assert not list((tmp_path / "once").rglob("*.parquet"))  # the copy is gone


def test_a_json_of_wide_rows_splits_under_a_small_memory_limit(tmp_path, monkeypatch):
    """Rows of 4 KB: the Parquet copy's row groups are small and the whole split keeps one thread, so it fits a
    memory limit that DuckDB's default row groups (122,880 rows) or two threads ran out of; the outputs are those of
    reading the JSON each time."""
    import splits.builder as builder

    (tmp_path / "raw").mkdir()
    with duckdb.connect() as con:
        con.execute(f"""COPY (SELECT i AS id, repeat(md5(i::VARCHAR), 128) AS text, i % 2 AS y FROM range(30000) t(i))
                        TO '{tmp_path / "raw" / "train.json"}' (FORMAT JSON)""")
    recipe = parse_recipe(
        {"kind": "random", "id_column": "id", "target_columns": ["y"], "train_file": "train.json"}, "w"
    )
    results = []
    for name in ("once", "each-time"):
        if name == "each-time":
            monkeypatch.setattr(builder, "_parsed_once", lambda path: False)
        con = connect(tmp_path / f"duck-{name}", memory_limit="192MB")
        results.append(build_split(recipe, tmp_path / "raw", tmp_path / name, "wide", con))
        con.close()
    once, each_time = results
    assert (once.train_rows, once.test_rows) == (27000, 3000)
    assert content_checksum(once.train_file) == content_checksum(each_time.train_file)
    assert once.answers_file.read_bytes() == each_time.answers_file.read_bytes()
    monkeypatch.undo()
    con = connect(tmp_path / "duck-tight", memory_limit="64MB")  # too little for either route: said, with the file
    with pytest.raises(SplitError, match=r"wide: .*train\.json: the split ran out of memory"):
        build_split(recipe, tmp_path / "raw", tmp_path / "tight", "wide", con)
    con.close()


def test_a_callers_connection_gets_the_same_files_and_its_settings_back(tmp_path):
    """prepare_competition passes its own connection: the split must not depend on its insertion-order setting,
    must give it back as it was, and must leave no scratch file behind (a JSON copy, a temporal split's hashes),
    also when the split fails after reading the file."""
    titanic = COMPETITIONS / "titanic"
    (tmp_path / "json").mkdir()
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT * FROM read_csv('{titanic / 'train.csv'}')) TO '{tmp_path / 'json' / 'train.json'}' (FORMAT JSON, ARRAY true)"
        )
    own = _split(tmp_path, tmp_path / "json", TITANIC | {"train_file": "train.json"}, "own")
    con = connect(tmp_path / "duck")
    con.execute("SET preserve_insertion_order = false")
    recipe = parse_recipe(TITANIC | {"train_file": "train.json"}, "caller")
    theirs = build_split(recipe, tmp_path / "json", tmp_path / "caller", "caller", con)
    assert theirs.test_file.read_bytes() == own.test_file.read_bytes()
    assert theirs.answers_file.read_bytes() == own.answers_file.read_bytes()
    assert con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0] is False
    temporal = parse_recipe({"kind": "temporal", "id_column": "PassengerId", "time_column": "Fare",
                             "target_columns": ["Survived"], "test_fraction": 0.9995}, "late")  # fmt: skip
    with pytest.raises(RecipeError, match="check the recipe.s test_fraction, test_rows or original_ratio"):
        build_split(temporal, titanic, tmp_path / "late", "late", con)
    con.close()
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".scratch")]


def test_a_column_named_file_row_number_is_split_like_any_other(tmp_path):
    (tmp_path / "raw").mkdir()
    rows = [{"id": i, "file_row_number": 1000 - i, "y": i % 2} for i in range(200)]
    (tmp_path / "raw" / "train.json").write_text(json.dumps(rows))
    result = _split(tmp_path, tmp_path / "raw", {"kind": "random", "id_column": "id", "target_columns": ["y"],
                                                 "train_file": "train.json"}, "frn")  # fmt: skip
    assert (result.train_rows, result.test_rows) == (180, 20)
    assert '"file_row_number"' in result.test_file.read_text()


def test_the_seed_changes_the_split_and_only_the_seed(tmp_path):
    first = _split(tmp_path, COMPETITIONS / "titanic", TITANIC, "a")
    again = _split(tmp_path, COMPETITIONS / "titanic", TITANIC, "b")
    other = _split(tmp_path, COMPETITIONS / "titanic", TITANIC | {"seed": 1}, "c")
    assert content_checksum(first.test_file) == content_checksum(again.test_file)
    assert content_checksum(first.test_file) != content_checksum(other.test_file)
    assert first.test_rows == other.test_rows == round(891 * 0.1)


def test_checksum_ignores_row_order_quoting_and_line_ends(tmp_path):
    _copy_shuffled(COMPETITIONS / "titanic" / "train.csv", tmp_path / "train.csv", seed=1)
    assert content_checksum(tmp_path / "train.csv") == content_checksum(COMPETITIONS / "titanic" / "train.csv")
    text = (tmp_path / "train.csv").read_text().replace('"male"', '"Male"', 1)
    (tmp_path / "changed.csv").write_text(text)
    assert content_checksum(tmp_path / "changed.csv") != content_checksum(COMPETITIONS / "titanic" / "train.csv")


def _class_counts(path: Path, column: str) -> dict:
    with duckdb.connect() as con:
        return dict(
            con.execute(
                f"SELECT \"{column}\", count(*) FROM read_csv('{path}', all_varchar=true) GROUP BY 1"
            ).fetchall()
        )


def test_stratified_shares_are_within_one_row_per_class(tmp_path):
    recipe = {"kind": "stratified", "id_column": "id", "target_columns": ["species"], "test_fraction": 0.1}
    result = _split(tmp_path, COMPETITIONS / "leaf-classification", recipe, "leaf")
    everything = _class_counts(COMPETITIONS / "leaf-classification" / "train.csv", "species")
    in_test = _class_counts(result.answers_file, "species")
    assert len(everything) == 99
    for label, total in everything.items():
        assert abs(in_test.get(label, 0) - total * 0.1) <= 1, label


def test_a_stratified_split_whose_ids_span_classes_is_refused_when_it_misses_its_size(tmp_path):
    """A newcomer's sweep (herbarium's listing, ids repeated across classes): test_fraction 0.2 gave 52 of 122 rows
    and the description still promised each class's share; the size guard of random and group splits now holds."""
    raw = tmp_path / "raw"
    rows = [(f"{n:03d}", c, f"c{c}") for c in range(60) for n in (1, 2)]  # each class's images 001 and 002
    write_csv(raw / "train.csv", ["id", "x", "label"], rows)
    recipe = parse_recipe({"kind": "stratified", "id_column": "id", "target_columns": ["label"],
                           "test_fraction": 0.2}, "r")  # fmt: skip
    with pytest.raises(SplitError) as refused:
        build_split(recipe, raw, tmp_path / "out", "herbarium-like")
    message = str(refused.value)
    assert "split recipe key 'id_column': column 'id' has 2 distinct values in train.csv ('001': 60 rows" in message
    assert "a test set of 24 of 120 rows gets 60 from whole ids" in message and "not within half to twice" in message


def test_stratified_on_several_targets_keeps_each_combination_s_share(tmp_path):
    """Several targets (plant-pathology's one-hot healthy, multiple_diseases, rust, scab): each combination of their
    values is a class that keeps its share, not the first target's classes alone (which left rust, scab and
    multiple_diseases to chance)."""
    classes = ["healthy", "multiple_diseases", "rust", "scab"]
    shares = [0.5, 0.05, 0.3, 0.15]
    rng = random.Random(3)
    with open(tmp_path / "train.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["image_id", *classes])
        for index in range(2000):
            label = rng.choices(range(4), shares)[0]
            writer.writerow([f"Train_{index}", *(int(k == label) for k in range(4))])
    recipe = {"kind": "stratified", "id_column": "image_id", "target_columns": classes, "test_fraction": 0.1}
    result = _split(tmp_path, tmp_path, recipe, "plants")
    for column in classes:
        everything, in_test = _class_counts(tmp_path / "train.csv", column), _class_counts(result.answers_file, column)
        assert abs(in_test["1"] - everything["1"] * 0.1) <= 1, (column, in_test, everything)


def test_a_stratified_split_of_a_continuous_target_is_refused_naming_it(tmp_path):
    """Every value its own class: each class's share of a 10% test set rounds to no row, and the split published an
    empty test set. Refused, as scikit-learn's train_test_split refuses more classes than test rows."""
    rng = random.Random(0)
    write_csv(tmp_path / "train.csv", ["id", "x", "price"], [[i, rng.random(), rng.random()] for i in range(500)])
    recipe = {"kind": "stratified", "id_column": "id", "target_columns": ["price"], "test_fraction": 0.1}
    with pytest.raises(SplitError) as refused:
        _split(tmp_path, tmp_path, recipe, "prices")
    assert str(refused.value) == (
        f"prices: {tmp_path / 'train.csv'}: a stratified split keeps each class's share of the test set, but split "
        "recipe key 'target_columns' (price) has 500 classes among 500 rows (fewer than two rows a class: a "
        "continuous target, or an id?); use kind random"
    )
    assert not (tmp_path / "prices").exists() or not any((tmp_path / "prices").rglob("*.csv"))


@pytest.mark.parametrize(
    "labels, fraction, test_rows",
    [
        (["a"] * 98 + ["b", "c"], 0.02, 2),  # more classes than test rows: the two largest shares get them
        ([f"c{i // 25}" for i in range(750)], 0.1, 75),  # 30 classes of 25: 2.5 each, rounded alone 90 rows
        ([f"c{i // 5}" for i in range(1000)], 0.1, 100),  # five-row classes: 0.5 each, rounded alone twice the size
        ([f"c{i // 15}" for i in range(990)] + ["z"] * 10, 0.1, 100),  # 66 of 15 and one of 10: alone, 133
    ],
)
def test_a_stratified_test_set_has_the_asked_size_and_each_class_its_share_within_a_row(
    tmp_path, labels, fraction, test_rows
):
    """Each class's share rounded on its own added up to test sets 20-100% too large; the largest remainders now get
    the rows left over, as scikit-learn's stratified split apportions them."""
    write_csv(tmp_path / "train.csv", ["id", "label"], list(enumerate(labels)))
    recipe = {"kind": "stratified", "id_column": "id", "target_columns": ["label"], "test_fraction": fraction}
    result = _split(tmp_path, tmp_path, recipe, "labels")
    assert result.test_rows == test_rows
    everything, in_test = _class_counts(tmp_path / "train.csv", "label"), _class_counts(result.answers_file, "label")
    assert all(abs(in_test.get(label, 0) - total * test_rows / len(labels)) < 1 for label, total in everything.items())


def test_a_stratified_split_of_one_row_classes_is_refused(tmp_path):
    """Ten rows, ten labels: every share rounded to no row, and an empty test set was published."""
    write_csv(tmp_path / "train.csv", ["id", "label"], [[i, i] for i in range(10)])
    recipe = {"kind": "stratified", "id_column": "id", "target_columns": ["label"], "test_fraction": 0.1}
    with pytest.raises(SplitError, match=r"has 10 classes among 10 rows \(fewer than two rows a class"):
        _split(tmp_path, tmp_path, recipe, "labels")


def _write_grouped(path: Path, rows: int, groups: int) -> None:
    rng = random.Random(0)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "patient", "day", "value", "y"])
        for index in range(rows):
            writer.writerow(
                [index, f"p{rng.randrange(groups)}", f"2024-01-{1 + index % 28:02d}", rng.random(), rng.randrange(2)]
            )


def test_group_split_keeps_every_group_on_one_side(tmp_path):
    _write_grouped(tmp_path / "train.csv", 5000, 120)
    recipe = {
        "kind": "group",
        "id_column": "id",
        "group_column": "patient",
        "target_columns": ["y"],
        "test_fraction": 0.2,
    }
    result = _split(tmp_path, tmp_path, recipe, "grouped")
    with duckdb.connect() as con:
        shared = con.execute(
            f"SELECT count(*) FROM (SELECT patient FROM '{result.train_file}' INTERSECT SELECT patient FROM '{result.test_file}')"
        ).fetchone()[0]
    assert shared == 0
    assert 0.15 < result.test_rows / 5000 < 0.25
    assert result.unit == "patient"


TEMPORAL = {"kind": "temporal", "id_column": "id", "time_column": "day", "target_columns": ["y"], "test_fraction": 0.25}


def test_temporal_split_takes_the_latest_rows(tmp_path):
    _write_grouped(tmp_path / "train.csv", 2800, 50)
    result = _split(tmp_path, tmp_path, TEMPORAL, "temporal")
    with duckdb.connect() as con:
        newest_train = con.execute(
            f"SELECT max(day) FROM read_csv('{result.train_file}', all_varchar=true)"
        ).fetchone()[0]
        oldest_test = con.execute(f"SELECT min(day) FROM read_csv('{result.test_file}', all_varchar=true)").fetchone()[
            0
        ]
    assert newest_train <= oldest_test
    assert result.test_rows == 700


@pytest.mark.parametrize("line_end", ["\r", "\r\n"], ids=["lone-CR", "CRLF"])
def test_temporal_split_of_a_file_with_other_line_ends(tmp_path, line_end):
    """The temporal route bounds the rows by the file's line feeds; a file whose lines end in a lone CR has none,
    and must split as its LF twin does (read twice, not cut short)."""
    (tmp_path / "lf").mkdir()
    (tmp_path / "other").mkdir()
    _write_grouped(tmp_path / "lf" / "train.csv", 2800, 50)
    text = (tmp_path / "lf" / "train.csv").read_text().replace("\r\n", "\n")
    (tmp_path / "other" / "train.csv").write_bytes(text.replace("\n", line_end).encode())
    lf = _split(tmp_path, tmp_path / "lf", TEMPORAL, "lf")
    other = _split(tmp_path, tmp_path / "other", TEMPORAL, "other")
    assert (other.train_rows, other.test_rows) == (lf.train_rows, lf.test_rows) == (2100, 700)
    assert other.answers_file.read_bytes() == lf.answers_file.read_bytes()


def test_a_temporal_split_fills_its_test_set_with_rows_that_have_a_unit(tmp_path):
    """A row without a unit (no id) is never in a test set; the latest such rows must not take test places and
    leave the test set short (it had 1 row of 25 when the latest 25 rows had no id)."""
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "train.csv").write_text(
        "id,t,y\n"
        + "".join(f"{'' if i >= 75 else i},2020-01-01 {i // 60:02d}:{i % 60:02d},{i % 2}\n" for i in range(100))
    )
    recipe = TEMPORAL | {"time_column": "t"}
    result = _split(tmp_path, tmp_path / "raw", recipe, "no-unit")
    assert (result.train_rows, result.test_rows) == (75, 25)
    ids = [line.split(",")[0] for line in result.answers_file.read_text().splitlines()[1:]]
    assert sorted(int(i) for i in ids) == list(range(50, 75))  # the latest 25 rows that have an id


def test_a_temporal_split_by_groups_keeps_groups_whole_and_refuses_groups_that_reach_back(tmp_path):
    """A sweep's whale challenge: a temporal split with group_column kept whole days together, which neither the
    description nor the README said. Groups whose rows span the file pulled 675 of 1,000 rows into a test set of 100,
    the latest rows' groups reaching back in time, without a word: now refused as other kinds are, past twice."""
    (tmp_path / "near").mkdir()
    rows = [(i, f"2020-01-01 {i // 60:02d}:{i % 60:02d}", i // 8, i % 2) for i in range(1000)]  # 8 rows a group
    write_csv(tmp_path / "near" / "train.csv", ["id", "t", "g", "y"], rows)
    recipe = TEMPORAL | {"time_column": "t", "group_column": "g", "test_fraction": 0.1}
    result = _split(tmp_path, tmp_path / "near", recipe, "near")
    test = pd.read_csv(result.answers_file)
    assert result.test_rows == len(test) == 104  # the latest 100 rows, and the rest of the group the 100th is in
    assert sorted(test["id"]) == list(range(896, 1000))
    (tmp_path / "far").mkdir()  # 400 groups, each a row every 400: the latest 100 rows' groups hold 300
    write_csv(tmp_path / "far" / "train.csv", ["id", "t", "g", "y"], [(i, t, i % 400, y) for i, t, _, y in rows])
    with pytest.raises(SplitError) as raised:
        _split(tmp_path, tmp_path / "far", recipe, "far")
    assert str(raised.value).endswith(
        "a temporal test set of 100 of 1,000 rows, the latest by 't' with every other row of their groups, gets "
        "300: not within half to twice its size (a unit is never cut, and these groups reach back in time); leave "
        "group_column out, or name one whose groups' rows are near in time"
    )
    # Groups spanning every row take the whole file: the same advice (a newcomer was told to lower test_fraction,
    # which cannot help, or to choose a column with more groups).
    write_csv(tmp_path / "far" / "train.csv", ["id", "t", "g", "y"], [(i, t, i % 25, y) for i, t, _, y in rows])
    with pytest.raises(SplitError) as raised:
        _split(tmp_path, tmp_path / "far", recipe, "all")
    assert "with every other row of their groups, takes all of them, leaving none for training (a unit is never " in (
        str(raised.value)
    )


def _write_times(raw: Path, times: list, form: str = "csv") -> None:
    """``raw/train.<form>``: rows (id, t, y) whose time column ``t`` holds ``times`` as given (text stays text in
    every form; JSON and Parquet keep numbers, booleans and None typed)."""
    raw.mkdir(parents=True, exist_ok=True)
    rows = [{"id": i, "t": t, "y": i % 2} for i, t in enumerate(times)]
    if form == "csv":
        with open(raw / "train.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "t", "y"])
            writer.writerows([r["id"], "" if r["t"] is None else r["t"], r["y"]] for r in rows)
    elif form == "json":
        (raw / "train.json").write_text(json.dumps(rows))
    else:
        pq.write_table(pa.Table.from_pylist(rows), raw / "train.parquet")


def _us_date(day: int) -> str:
    return (datetime.date(2020, 10, 1) + datetime.timedelta(days=day)).strftime("%m/%d/%Y")


TIMES = {"kind": "temporal", "id_column": "id", "time_column": "t", "target_columns": ["y"], "test_fraction": 0.2}
ISO = [f"2020-01-{1 + i % 28:02d}" for i in range(5)]
NOT_TIMES = [  # (form, times, the first offending value, its row counted from 1)
    ("csv", [_us_date(i) for i in range(160)], "10/01/2020", 1),  # 10/01 < 11/30 < 12/31 < 01/05 as text
    ("json", [_us_date(i) for i in range(160)], "10/01/2020", 1),
    ("parquet", [_us_date(i) for i in range(160)], "10/01/2020", 1),
    ("csv", ISO + ["Jan 7, 2021"] * 40, "Jan 7, 2021", 6),  # readable times first: the first value that is not
    ("csv", ISO + ["7-Jan-2021"] * 40, "7-Jan-2021", 6),
    ("csv", [None, None] + ["red", "green", "blue"] * 20, "red", 3),  # a category (empty times are no refusal)
    ("json", [f"note {i}: looks fine" for i in range(60)], "note 0: looks fine", 1),  # free text
    ("json", [i % 2 == 0 for i in range(60)], "true", 1),  # a JSON boolean: typed, and still no time
    ("csv", ISO + [str(20200106 + i) for i in range(40)], "20200106", 6),  # dates, then numbers: no one order
    ("json", list(range(5)) + ["2020-01-05"] * 40, "2020-01-05", 6),  # numbers, then a date (JSON types it text)
]


@pytest.mark.parametrize("form, times, value, row", NOT_TIMES, ids=[
    "us-dates-csv", "us-dates-json", "us-dates-parquet", "month-name", "day-month-name", "category",
    "free-text-json", "boolean-json", "dates-then-numbers", "numbers-then-a-date"])  # fmt: skip
def test_a_time_column_that_is_not_a_time_is_refused_and_nothing_is_published(tmp_path, form, times, value, row):
    """A temporal split orders rows by their time; text it cannot read as a time used to be ordered as text, and
    published: US dates put 11/30-12/31/2020 in the "latest" test set while training reached 2021-03-09."""
    _write_times(tmp_path / "raw", times, form)
    recipe = parse_recipe(TIMES | {"train_file": f"train.{form}"}, "r")
    with pytest.raises(SplitError) as raised:
        prepare_competition("late", recipe, tmp_path / "raw", tmp_path / "prepared")
    message = str(raised.value)
    assert message.startswith(f"late: {tmp_path / 'raw' / f'train.{form}'}: split recipe key 'time_column': ")
    assert f"column 't' holds {value!r} at row {row}" in message
    assert "time_format" in message
    assert not list((tmp_path / "prepared").iterdir())  # nothing written, under any name


@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_us_dates_with_a_time_format_split_by_their_real_date(tmp_path, form):
    days = list(range(160))
    random.Random(4).shuffle(days)  # file order is not time order
    _write_times(tmp_path / "raw", [_us_date(d) for d in days], form)
    recipe = TIMES | {"train_file": f"train.{form}", "time_format": "%m/%d/%Y"}
    result = _split(tmp_path, tmp_path / "raw", recipe, "us")
    with duckdb.connect() as con:
        test_ids = {row[0] for row in con.execute(f"SELECT id FROM '{result.answers_file}'").fetchall()}
    assert test_ids == {i for i, d in enumerate(days) if d >= 128}  # the 32 latest days: 2021-02-06 to 03-09


def test_dates_written_as_numbers_follow_time_format_in_a_typed_file(tmp_path):
    """A Parquet integer column of dates written %d%m%Y (28012020 is 28 January, 10022020 is 10 February): with
    time_format they are dates, not numbers (as numbers, 28 January came after 10 February)."""
    dates = [int(f"{day}{month:02d}2020") for month in (1, 2) for day in range(10, 30)]  # 40 days, in time order
    _write_times(tmp_path / "raw", dates, "parquet")
    recipe = TIMES | {"train_file": "train.parquet", "time_format": "%d%m%Y", "test_fraction": 0.25}
    result = _split(tmp_path, tmp_path / "raw", recipe, "dmy")
    with duckdb.connect() as con:
        test_ids = sorted(row[0] for row in con.execute(f"SELECT id FROM '{result.answers_file}'").fetchall())
    assert test_ids == list(range(30, 40))  # the ten latest days: 20 to 29 February


@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_a_number_time_format_does_not_read_is_named_apart_from_the_dates_it_reads(tmp_path, form):
    """With time_format %Y%m%d, 20200105 is a date and 99999999 a number the format does not read: the message used
    to call both "a number", leaving the curator to guess which value was wrong."""
    _write_times(tmp_path / "raw", [20200105 + i for i in range(20)] + [99999999], form)
    recipe = parse_recipe(TIMES | {"train_file": f"train.{form}", "time_format": "%Y%m%d"}, "r")
    with pytest.raises(SplitError) as raised:
        prepare_competition("ymd", recipe, tmp_path / "raw", tmp_path / "prepared")
    assert str(raised.value) == (
        f"ymd: {tmp_path / 'raw' / f'train.{form}'}: split recipe key 'time_column': column 't' holds '99999999' at "
        "row 21, a number, which time_format '%Y%m%d' does not read, after '20200105' at row 1, a date (time_format "
        "'%Y%m%d' reads it): no order joins the two; a time column holds dates and timestamps, or numbers. Set "
        "time_format to a format that reads both values, or choose another time_column"
    )


def test_missing_value_words_and_padding_are_no_refusal(tmp_path):
    """Kaggle CSVs write a missing time as NA, null or N/A, and pad values with spaces: missing times (the earliest),
    and padded ISO dates read as dates, never 'not a time'."""
    times = [f" 2020-01-{d + 1:02d} " for d in range(20)] + ["NA", "null", "N/A", "None"]
    _write_times(tmp_path / "raw", times, "csv")
    result = _split(tmp_path, tmp_path / "raw", TIMES | {"test_fraction": 0.25}, "na")
    with duckdb.connect() as con:
        test_ids = sorted(row[0] for row in con.execute(f"SELECT id FROM '{result.answers_file}'").fetchall())
    assert test_ids == [14, 15, 16, 17, 18, 19]  # the six latest days; the four without a time stay in training


@pytest.mark.parametrize("form", ["csv", "json"])
def test_numeric_times_are_ordered_as_numbers(tmp_path, form):
    """Epoch seconds, a day index, a year: 9 < 10, whether the file holds them as text (CSV) or typed (JSON)."""
    _write_times(tmp_path / "raw", [i + 1 if form == "json" else str(i + 1) for i in range(20)], form)
    result = _split(tmp_path, tmp_path / "raw", TIMES | {"train_file": f"train.{form}", "test_fraction": 0.25}, "n")
    with duckdb.connect() as con:
        test_ids = sorted(row[0] for row in con.execute(f"SELECT id FROM '{result.answers_file}'").fetchall())
    assert test_ids == [15, 16, 17, 18, 19]  # times 16 to 20 (as text: 9, 8, 7, 6, 5)


def test_dates_written_with_underscores_are_no_numbers(tmp_path):
    """DuckDB's cast reads ``_`` between digits as nothing, so 2020_1_5 was the number 202015 and 2020_12_25 the
    number 20201225: ordered as numbers, 2020_1_15 (2020115) came after 2020_12_25 and went to the test set. pandas
    reads neither as a number: they are no time, and the refusal asks for time_format."""
    times = [f"2020_{m}_{d}" for m in (1, 12) for d in (5, 15, 25)] * 4
    _write_times(tmp_path / "raw", times, "csv")
    with pytest.raises(SplitError, match=r"column 't' holds '2020_1_5' at row 1, which is not a time.*time_format"):
        _split(tmp_path, tmp_path / "raw", TIMES | {"test_fraction": 0.25}, "underscored")
    result = _split(tmp_path, tmp_path / "raw", TIMES | {"test_fraction": 0.25, "time_format": "%Y_%m_%d"}, "ymd")
    with duckdb.connect() as con:
        test_times = {row[0] for row in con.execute(f"SELECT t FROM '{result.test_file}'").fetchall()}
    assert test_times == {"2020_12_15", "2020_12_25"}


@pytest.mark.parametrize("form", ["csv", "json"])
def test_times_with_offsets_are_ordered_by_their_instant(tmp_path, form):
    """Row i is at 00:00 + 10i minutes on the wall clock, 20i minutes ahead of UTC: the later the wall clock, the
    earlier the instant. The offset used to be dropped, and the wall clock ordered."""
    times = [f"2020-01-01T{(10 * i) // 60:02d}:{(10 * i) % 60:02d}:00+{(20 * i) // 60:02d}:{(20 * i) % 60:02d}"
             for i in range(40)]  # fmt: skip
    _write_times(tmp_path / "raw", times, form)
    result = _split(tmp_path, tmp_path / "raw", TIMES | {"train_file": f"train.{form}", "test_fraction": 0.25}, "tz")
    with duckdb.connect() as con:
        test_ids = sorted(row[0] for row in con.execute(f"SELECT id FROM '{result.answers_file}'").fetchall())
    assert test_ids == list(range(10))


INSULTS = {"kind": "temporal", "time_column": "Date", "target_columns": ["Insult"]}


def test_a_real_time_column_in_another_form_needs_its_time_format(tmp_path):
    """detecting-insults' Date is 20120618192155Z (no ISO form; 718 of 3947 rows have none): refused, then split
    by its real time with time_format; the rows without a date stay in training."""
    raw = COMPETITIONS / "detecting-insults-in-social-commentary"
    with pytest.raises(SplitError, match=r"column 'Date' holds '20120618192155Z' at row 1\b.*time_format"):
        _split(tmp_path, raw, INSULTS, "insults")
    result = _split(tmp_path, raw, INSULTS | {"time_format": "%Y%m%d%H%M%SZ"}, "insults-dated")
    assert (result.train_rows, result.test_rows) == (3552, 395)
    with duckdb.connect() as con:

        def dates(path):
            return [r[0] for r in con.execute(f"SELECT Date FROM read_csv('{path}', all_varchar=true)").fetchall()]

        train, test = dates(result.train_file), dates(result.test_file)
    assert None not in test and train.count(None) == 718
    assert max(d for d in train if d) < min(test)  # fixed width: text order is time order here


def test_a_real_json_column_that_is_no_time_is_refused(tmp_path):
    """random-acts-of-pizza (JSON): a requester's name is no time (the label, a boolean, is refused as a target
    before it is read); the request's Unix time is one."""
    raw = COMPETITIONS / "random-acts-of-pizza"
    pizza = {"kind": "temporal", "id_column": "request_id", "target_columns": ["requester_received_pizza"],
             "train_file": "train.json", "test_file": "test.json"}  # fmt: skip
    with pytest.raises(SplitError, match=r"column 'requester_username' holds '[^']+' at row 1\b"):
        _split(tmp_path, raw, pizza | {"time_column": "requester_username"}, "pizza-name")
    result = _split(tmp_path, raw, pizza | {"time_column": "unix_timestamp_of_request_utc"}, "pizza")
    with duckdb.connect() as con:

        def latest(path):
            return con.execute(f"SELECT min(t), max(t) FROM (SELECT unix_timestamp_of_request_utc AS t "
                               f"FROM read_json_auto('{path}'))").fetchone()  # fmt: skip

        assert latest(result.train_file)[1] < latest(result.test_file)[0]
    assert result.test_rows == 404


def test_a_time_format_duckdb_cannot_use_names_the_key_before_any_read(tmp_path):
    _write_times(tmp_path / "raw", ISO * 4)
    with pytest.raises(RecipeError, match="^f: split recipe key 'time_format': '%Q' is not a strptime format: "):
        _split(tmp_path, tmp_path / "raw", TIMES | {"time_format": "%Q"}, "f")


def test_a_group_column_with_one_value_says_so(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "train.csv").write_text("id,user,y\n" + "".join(f"{i},u00,{i % 2}\n" for i in range(160)))
    recipe = {"kind": "group", "id_column": "id", "group_column": "user", "target_columns": ["y"]}
    with pytest.raises(SplitError) as raised:
        _split(tmp_path, tmp_path / "raw", recipe, "one")
    assert str(raised.value) == (
        f"one: {tmp_path / 'raw' / 'train.csv'}: split recipe key 'group_column': column 'user' has 1 distinct value "
        "('u00') in train.csv; a group split needs at least 2 groups"
    )


def test_too_few_groups_for_the_test_fraction_says_so(tmp_path):
    (tmp_path / "raw").mkdir()
    text = "id,user,y\n" + "".join(f"{i},{'a' if i < 60 else 'b'},{i % 2}\n" for i in range(100))
    (tmp_path / "raw" / "train.csv").write_text(text)
    recipe = {"kind": "group", "id_column": "id", "group_column": "user", "target_columns": ["y"],
              "test_fraction": 0.9}  # fmt: skip
    with pytest.raises(SplitError, match=r"^g: .*train\.csv: split recipe key 'group_column': column 'user' has 2 "
                       r"distinct values in train\.csv \('a': 60 rows, 'b': 40 rows\); a test set of 90 of 100 rows "
                       r"takes all of them.*test_fraction"):  # fmt: skip
        _split(tmp_path, tmp_path / "raw", recipe, "g")


def _lowest_hashing(names: list[str], others: list[str], seed: int) -> str:
    """The first of ``names`` whose unit hash under ``seed`` is lower than every one of ``others``'."""
    import pyarrow as pa

    from splits.unit_hash import unit_hashes

    lowest = unit_hashes(pa.array(others), seed).min()
    return next(name for name, h in zip(names, unit_hashes(pa.array(names), seed), strict=True) if h < lowest)


def test_a_group_of_most_rows_first_in_hash_order_is_passed_over(tmp_path):
    """A newcomer's sweep: one user held 90% of the rows and came first in hash order: the test set asked for 10%
    took it whole, 97% of the rows, and the split was published with 32 training rows."""
    users = [f"u{i:03d}" for i in range(100)]
    giant = _lowest_hashing([f"giant{i}" for i in range(1000)], users, seed=7)
    rows = [(i, giant if i < 900 else users[i - 900], i % 2) for i in range(1000)]
    (tmp_path / "raw").mkdir()
    write_csv(tmp_path / "raw" / "train.csv", ["id", "user", "y"], rows)
    recipe = {"kind": "group", "id_column": "id", "group_column": "user", "target_columns": ["y"], "seed": 7}
    result = _split(tmp_path, tmp_path / "raw", recipe, "g")
    assert (result.train_rows, result.test_rows) == (900, 100)  # the giant's 900 rows train; 100 small users test
    assert giant not in result.test_file.read_text()


def test_groups_each_too_large_for_the_test_set_say_so(tmp_path):
    (tmp_path / "raw").mkdir()
    write_csv(tmp_path / "raw" / "train.csv", ["id", "user", "y"], [(i, "ab"[i % 2], i % 2) for i in range(100)])
    recipe = {"kind": "group", "id_column": "id", "group_column": "user", "target_columns": ["y"]}
    with pytest.raises(SplitError, match=r"^g: .*train\.csv: split recipe key 'group_column': column 'user' has 2 "
                       r"distinct values in train\.csv \('a': 50 rows, 'b': 50 rows\); a test set of 10 of 100 rows "
                       r"gets 50 from whole groups taken in hash order \(seed 0\): not within half to twice its size"):  # fmt: skip
        _split(tmp_path, tmp_path / "raw", recipe, "g")


def test_a_group_overshooting_is_kept_when_it_is_nearer_than_what_skipping_it_leaves(tmp_path):
    """A review: groups of 30 and 7 x 130 rows at 10% (94 rows) were refused at seed 0, where the 30-row group came
    first and every 130-row one overshot what was left; 160 rows is nearer 94 than 30, as seeds 1-9 gave."""
    (tmp_path / "raw").mkdir()
    users = ["s"] * 30 + [f"g{i}" for i in range(7) for _ in range(130)]
    write_csv(tmp_path / "raw" / "train.csv", ["id", "user", "y"], [(i, u, i % 2) for i, u in enumerate(users)])
    for seed in range(4):
        recipe = {"kind": "group", "id_column": "id", "group_column": "user", "target_columns": ["y"], "seed": seed}
        result = _split(tmp_path / str(seed), tmp_path / "raw", recipe, "g")
        assert result.test_rows in (130, 160), (seed, result.test_rows)


def test_groups_leaving_under_half_the_test_set_say_so(tmp_path):
    """A review: groups of 1, 500 and 499 rows at 10% published a test set of 1 row, the only group that fit."""
    (tmp_path / "raw").mkdir()
    users = ["a"] + ["b"] * 500 + ["c"] * 499
    write_csv(tmp_path / "raw" / "train.csv", ["id", "user", "y"], [(i, u, i % 2) for i, u in enumerate(users)])
    recipe = {"kind": "group", "id_column": "id", "group_column": "user", "target_columns": ["y"]}
    with pytest.raises(SplitError, match=r"column 'user' has 3 distinct values in train\.csv \('b': 500 rows, 'c': 499 "
                       r"rows, 'a': 1 rows\); a test set of 100 of 1,000 rows gets \d+ from whole groups"):  # fmt: skip
        _split(tmp_path, tmp_path / "raw", recipe, "g")


def test_released_labels_use_the_labelled_test_set(tmp_path):
    recipe = {"kind": "released_labels", "target_columns": ["Insult"], "answers_file": "test_with_solutions.csv"}
    result = _split(tmp_path, COMPETITIONS / "detecting-insults-in-social-commentary", recipe, "insults")
    assert (result.train_rows, result.test_rows) == (3947, 2647)
    header = result.answers_file.read_text().splitlines()[0]
    assert header == "Date,Comment,Insult"  # no id column: rows are keyed by their content
    assert result.test_file.read_text().splitlines()[0] == "Date,Comment"


def _titanic_with_answers(tmp_path: Path, answers: pd.DataFrame) -> Path:
    """titanic's train and test files beside a released answers file ``answers``."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(COMPETITIONS / "titanic" / "train.csv", raw / "train.csv")
    shutil.copy(COMPETITIONS / "titanic" / "test.csv", raw / "test.csv")
    answers.to_csv(raw / "solution.csv", index=False)
    return raw


def test_released_answers_of_ids_and_targets_alone_label_kaggles_test_rows(tmp_path):
    """A newcomer's sweep: Kaggle's usual solution file (id, target, Usage) could not be used: the answers file had
    to hold every column of the test file. The test rows are now the test file's, labelled by id."""
    test = pd.read_csv(COMPETITIONS / "titanic" / "test.csv", dtype=str, keep_default_na=False)
    label = (test["PassengerId"].astype(int) * 7 % 3 == 0).astype(int).astype(str)  # a label of its own per id
    usage = [" ignored" if i < 8 else "Private" for i in range(len(test))]  # rows Kaggle did not score
    solution = pd.DataFrame({"PassengerId": test["PassengerId"], "Survived": label, "Usage": usage})
    raw = _titanic_with_answers(tmp_path, solution.iloc[::-1])
    document = TITANIC | {"kind": "released_labels", "answers_file": "solution.csv"}
    result = _split(tmp_path, raw, document, "titanic")
    assert (result.train_rows, result.test_rows, result.unlabelled_test_rows, result.ignored_test_rows) == (
        891, 410, 0, 8)  # fmt: skip
    graded = pd.read_csv(result.answers_file, dtype=str)
    expected = dict(zip(solution["PassengerId"], solution["Survived"], strict=True))
    assert all(expected[i] == s for i, s in zip(graded["PassengerId"], graded["Survived"], strict=True))
    assert not set(graded["PassengerId"]) & set(solution["PassengerId"][:8])  # the ignored rows are no test rows
    test = test[~test["PassengerId"].isin(solution["PassengerId"][:8])]
    public = pd.read_csv(result.test_file, dtype=str, keep_default_na=False)
    assert list(public.columns) == list(test.columns)  # the test file's own columns, no Usage, no target
    assert (
        public.sort_values("PassengerId")
        .reset_index(drop=True)
        .equals(test.sort_values("PassengerId").reset_index(drop=True))
    )
    assert list(pd.read_csv(result.answers_file).columns) == ["PassengerId", "Survived"]


def test_released_answers_ids_spelled_otherwise_are_published_as_the_test_file_spells_them(tmp_path):
    """Zero-padded answer ids (001200 for 1200) were published in the public test set, the answers and the sample,
    where Kaggle's test file and every submission say 1200."""
    test = pd.read_csv(COMPETITIONS / "titanic" / "test.csv", dtype=str, keep_default_na=False)
    solution = test.assign(Survived="0", PassengerId=test["PassengerId"].str.zfill(6))
    raw = _titanic_with_answers(tmp_path, solution)
    result = _split(tmp_path, raw, TITANIC | {"kind": "released_labels", "answers_file": "solution.csv"}, "titanic")
    ids = set(pd.read_csv(result.test_file, dtype=str)["PassengerId"])
    assert ids == set(test["PassengerId"]) == set(pd.read_csv(result.answers_file, dtype=str)["PassengerId"])


def test_released_answers_labelling_ids_kaggles_test_file_lacks_are_refused(tmp_path):
    """Five answer rows with ids no test row has were published as test rows no participant was given."""
    test = pd.read_csv(COMPETITIONS / "titanic" / "test.csv", dtype=str, keep_default_na=False)
    extra = pd.DataFrame({"PassengerId": [str(9000 + i) for i in range(7)], "Survived": "1"})
    raw = _titanic_with_answers(tmp_path, pd.concat([test[["PassengerId"]].assign(Survived="0"), extra]))
    with pytest.raises(SplitError) as refused:
        _split(tmp_path, raw, TITANIC | {"kind": "released_labels", "answers_file": "solution.csv"}, "titanic")
    assert str(refused.value) == (
        f"titanic: {raw / 'solution.csv'}: split recipe key 'answers_file': 7 labelled row(s) whose PassengerId is no "
        "row of Kaggle's test file test.csv ('9000', '9001', '9002', '9003', '9004' and 2 more); released answers "
        "label Kaggle's test rows: check that both files are the same competition's, and remove the rows the test "
        "file does not have"
    )


def test_released_labels_whose_target_the_train_file_lacks_are_refused_naming_both(tmp_path):
    """A newcomer's sweep (jigsaw-unintended-bias: the answers' ``toxicity`` is the train file's ``target``): a raw
    DuckDB Binder Error naming no file or key when the competition shipped no sample, and with one a split was
    published that parity then refused ("no column 'toxicity' in the new train set")."""
    test = pd.read_csv(COMPETITIONS / "titanic" / "test.csv", dtype=str, keep_default_na=False)
    raw = _titanic_with_answers(tmp_path, test[["PassengerId"]].assign(Lived="1"))
    recipe = TITANIC | {"kind": "released_labels", "answers_file": "solution.csv", "target_columns": ["Lived"]}
    with pytest.raises(RecipeError) as refused:  # the whole way, as `prepare_competition` runs it: no sample shipped
        prepare_competition("titanic", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert str(refused.value) == (
        f"titanic: split recipe key 'target_columns': no column 'Lived' in train.csv (its columns: {TITANIC_COLUMNS}): "
        "the released labels' targets must be the new training set's, under the same names; the training set cannot "
        "teach a column it lacks"
    )
    assert not (tmp_path / "prepared" / "titanic" / "manifest.json").exists()


def test_released_answers_for_a_test_file_holding_the_target_column_publish_without_it(tmp_path):
    test = pd.read_csv(COMPETITIONS / "titanic" / "test.csv", dtype=str, keep_default_na=False)
    raw = _titanic_with_answers(tmp_path, test[["PassengerId"]].assign(Survived="1"))
    test.assign(Survived="").to_csv(raw / "test.csv", index=False)  # Kaggle's placeholder column, empty
    result = _split(tmp_path, raw, TITANIC | {"kind": "released_labels", "answers_file": "solution.csv"}, "titanic")
    assert "Survived" not in pd.read_csv(result.test_file).columns and result.test_rows == 418


@pytest.mark.parametrize("where", ["test.csv", "solution.csv"])
def test_released_labels_with_an_id_on_two_rows_are_refused_naming_the_file(tmp_path, where):
    test = pd.read_csv(COMPETITIONS / "titanic" / "test.csv", dtype=str, keep_default_na=False)
    solution = test[["PassengerId"]].assign(Survived="1")
    raw = _titanic_with_answers(tmp_path, solution)
    repeated = pd.read_csv(raw / where, dtype=str, keep_default_na=False)
    repeated.loc[5, "PassengerId"] = "0" + repeated.loc[2, "PassengerId"]  # 0894: 894 again, as a number
    repeated.to_csv(raw / where, index=False)
    with pytest.raises(SplitError) as refused:
        _split(tmp_path, raw, TITANIC | {"kind": "released_labels", "answers_file": "solution.csv"}, "titanic")
    assert str(refused.value).startswith(
        f"titanic: {raw / where}: split recipe key 'id_column': rows 3, 6 hold one PassengerId (counted from 1"
    )


def test_released_labels_leave_test_rows_without_an_id_unlabelled_not_repeated(tmp_path):
    """A review: two test rows without an id were refused as one id on two rows (one was counted unlabelled)."""
    test = pd.read_csv(COMPETITIONS / "titanic" / "test.csv", dtype=str, keep_default_na=False)
    raw = _titanic_with_answers(tmp_path, test[["PassengerId"]].iloc[2:].assign(Survived="1"))
    test.assign(PassengerId=[""] * 2 + list(test["PassengerId"][2:])).to_csv(raw / "test.csv", index=False)
    result = _split(tmp_path, raw, TITANIC | {"kind": "released_labels", "answers_file": "solution.csv"}, "titanic")
    assert (result.test_rows, result.unlabelled_test_rows) == (416, 2)


@pytest.mark.parametrize(
    "ids",
    [
        ["102_0", "10_20", "1_020", "3_1"],  # text-normalization's sentence_token ids: DuckDB reads 1020 in each
        ["0001e002", "00000100", "0012e003", "00012000"],  # hex ids: 1e2 is 100, 12e3 is 12000
    ],
    ids=["underscores", "exponents"],
)
def test_released_labels_ids_that_only_a_number_parser_equates_stay_apart(tmp_path, ids):
    """A newcomer's check: ids were matched as numbers wherever DuckDB's cast read one, which takes ``_`` between
    digits and an exponent, so ``102_0`` and ``10_20`` (sentence 102's token 0, sentence 10's token 20) were one id
    and the split was refused as an id on two rows. pandas, and so the graders, read neither as a number."""
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(raw / "train.csv", ["id", "x", "y"], [(f"t{i}", i, i % 2) for i in range(100)])
    write_csv(raw / "test.csv", ["id", "x"], [(i, n) for n, i in enumerate(ids)])
    write_csv(raw / "solution.csv", ["id", "y"], [(i, n % 2) for n, i in enumerate(ids)])
    recipe = {"kind": "released_labels", "id_column": "id", "target_columns": ["y"], "answers_file": "solution.csv"}
    result = _split(tmp_path, raw, recipe, "text-normalization")
    answers = pd.read_csv(result.answers_file, dtype=str)
    assert dict(zip(answers["id"], answers["y"], strict=True)) == {i: str(n % 2) for n, i in enumerate(ids)}


JIGSAW = ["toxic", "obscene"]


def _jigsaw_like(tmp_path: Path) -> Path:
    """jigsaw-toxic's layout: test_labels.csv marks the test rows Kaggle did not score with -1 in every target."""
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(raw / "train.csv", ["id", "comment_text", *JIGSAW],
              [(f"a{i:04x}", f"text {i}", i % 2, i % 3 == 0) for i in range(200)])  # fmt: skip
    write_csv(raw / "test.csv", ["id", "comment_text"], [(f"b{i:04x}", f"text {i}") for i in range(60)])
    labels = [(f"b{i:04x}", -1, -1) if i % 4 == 0 else (f"b{i:04x}", i % 2, int(i % 3 == 0)) for i in range(60)]
    write_csv(raw / "test_labels.csv", ["id", *JIGSAW], labels)
    return raw


JIGSAW_RECIPE = {"kind": "released_labels", "id_column": "id", "target_columns": JIGSAW,
                 "answers_file": "test_labels.csv", "metric": "mean_columnwise_auc"}  # fmt: skip


def test_released_labels_of_minus_one_in_every_target_are_rows_kaggle_did_not_score(tmp_path):
    """A newcomer's sweep: MLE-bench's jigsaw-toxic keeps Kaggle's test set with test_labels.csv as its answers, and
    its grader skips the rows marked -1; here the split was refused, the -1 rows' labels called out of 0..1. Under
    a metric of 0/1 labels they are left out and counted as rows Kaggle did not score, as `Usage` Ignored rows are."""
    raw = _jigsaw_like(tmp_path)
    built = prepare_competition("jigsaw", parse_recipe(JIGSAW_RECIPE, "r"), raw, tmp_path / "prepared")
    assert built.published
    result = built.result
    assert (result.test_rows, result.ignored_test_rows) == (45, 15)
    folder = PreparedFolder(built.folder)
    answers = pd.read_csv(folder.answers, dtype=str)
    assert len(answers) == 45 and not (answers[JIGSAW] == "-1").any().any()
    assert set(pd.read_csv(folder.public / "test.csv", dtype=str)["id"]) == set(answers["id"])
    assert built.manifest["rows"]["kaggle_test_ignored"] == 15
    rows_conserved = next(c for c in built.checks if c.name == "rows_conserved")
    assert rows_conserved.found.endswith("of the 60 labelled test rows, less the 15 Kaggle did not score (45)")
    text = folder.description.read_text()
    assert "the 15 Kaggle did not score (-1 in every target) are left out" in text


def test_rows_kaggle_ignored_are_no_rows_lost_to_rows_conserved(tmp_path):
    """Found writing the test above: since `Usage` Ignored rows were left out of the test set, rows_conserved
    compared it with every labelled row, and refused to publish any split that had such rows."""
    raw = _jigsaw_like(tmp_path)
    labels = pd.read_csv(raw / "test_labels.csv", dtype=str)
    usage = ["Ignored" if i < 7 else "Private" for i in range(60)]
    labels.assign(toxic="0", Usage=usage).to_csv(raw / "test_labels.csv", index=False)
    recipe = JIGSAW_RECIPE | {"target_columns": ["toxic"], "metric": "accuracy"}
    built = prepare_competition("usage", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert built.published and (built.result.test_rows, built.result.ignored_test_rows) == (53, 7)


@pytest.mark.parametrize("metric", ["log_loss", "auc"])
def test_minus_one_is_a_label_of_a_single_target_and_refused_under_a_metric_of_0_1_labels(tmp_path, metric):
    """A review: with one target, "-1 in every target" is the label -1: a competition of -1/+1 labels lost every
    negative row as "not scored" (log loss published answers all 1). The answers outside 0..1 are refused again."""
    raw = _jigsaw_like(tmp_path)
    recipe = parse_recipe(JIGSAW_RECIPE | {"target_columns": ["toxic"], "metric": metric}, "r")
    with pytest.raises(UngradableAnswers, match=r"column 'toxic' of test_labels.csv holds 15 value\(s\) outside 0..1"):
        prepare_competition("signs", recipe, raw, tmp_path / "prepared")


def test_released_answers_of_one_class_are_refused_saying_they_are_kaggles(tmp_path):
    """A review: the advice was to raise test_fraction, which released labels do not read."""
    raw = _jigsaw_like(tmp_path)
    labels = pd.read_csv(raw / "test_labels.csv")
    labels.assign(toxic=0).to_csv(raw / "test_labels.csv", index=False)
    recipe = parse_recipe(JIGSAW_RECIPE | {"target_columns": ["toxic"], "metric": "auc"}, "r")
    with pytest.raises(UngradableAnswers, match="Kaggle's released answers hold one class there: leave that target"):
        prepare_competition("one-class", recipe, raw, tmp_path / "prepared")


def test_kaggles_two_marks_are_counted_apart_in_the_description(tmp_path):
    raw = _jigsaw_like(tmp_path)
    labels = pd.read_csv(raw / "test_labels.csv", dtype=str)
    labels.assign(Usage=["Ignored" if i in (1, 2, 3) else "Private" for i in range(60)]).to_csv(
        raw / "test_labels.csv", index=False
    )
    built = prepare_competition("both", parse_recipe(JIGSAW_RECIPE, "r"), raw, tmp_path / "prepared")
    text = PreparedFolder(built.folder).description.read_text()
    assert "the 18 Kaggle did not score (3 `Usage` Ignored, 15 -1 in every target) are left out" in text


def test_minus_one_is_a_label_where_the_metric_scores_classes(tmp_path):
    """Under accuracy, -1 is a class like any other (a sentiment of -1, 0, 1): no row is left out."""
    raw = _jigsaw_like(tmp_path)
    recipe = JIGSAW_RECIPE | {"target_columns": ["toxic"], "metric": "accuracy"}
    result = _split(tmp_path, raw, recipe, "sentiment")
    assert (result.test_rows, result.ignored_test_rows) == (60, 0)


def test_released_labels_ids_written_with_a_signed_exponent_are_numbers(tmp_path):
    """A review: R's write.csv writes 100000 as 1e+05; such answer ids matched the test file's until exponents were
    refused outright (then: "no row of Kaggle's test file")."""
    raw = tmp_path / "raw"
    raw.mkdir()
    ids = [100000, 200000, 7, 8]
    write_csv(raw / "train.csv", ["id", "x", "y"], [(i, i, i % 2) for i in range(40)])
    write_csv(raw / "test.csv", ["id", "x"], [(i, n) for n, i in enumerate(ids)])
    write_csv(raw / "solution.csv", ["id", "y"], [("1e+05", 1), ("2E+05", 0), (7, 1), (8, 0)])
    recipe = {"kind": "released_labels", "id_column": "id", "target_columns": ["y"], "answers_file": "solution.csv"}
    answers = pd.read_csv(_split(tmp_path, raw, recipe, "r-ids").answers_file, dtype=str)
    assert dict(zip(answers["id"], answers["y"], strict=True)) == {"100000": "1", "200000": "0", "7": "1", "8": "0"}


def test_released_labels_count_unlabelled_ids_past_two_to_the_53(tmp_path):
    """A review: 19-digit ids (a tweet's) matched exactly, but were counted as numbers: 10 unlabelled rows said 0."""
    raw = tmp_path / "raw"
    raw.mkdir()
    ids = [str(1234567890123456000 + i) for i in range(50)]
    write_csv(raw / "train.csv", ["id", "x", "y"], [(i, i, i % 2) for i in range(100)])
    write_csv(raw / "test.csv", ["id", "x"], [(i, n) for n, i in enumerate(ids)])
    write_csv(raw / "solution.csv", ["id", "y"], [(i, n % 2) for n, i in enumerate(ids[:40])])
    recipe = {"kind": "released_labels", "id_column": "id", "target_columns": ["y"], "answers_file": "solution.csv"}
    result = _split(tmp_path, raw, recipe, "tweets")
    assert (result.test_rows, result.unlabelled_test_rows) == (40, 10)


def test_kaggle_test_rows_the_answers_do_not_label_are_counted_and_shown(tmp_path):
    """Released labels for part of Kaggle's test set (5 of 2,647 rows here, or 100 of titanic's 418 ids) gave a test
    set of that part without a word; the manifest and the split's metadata now count the rows left out."""
    insults = COMPETITIONS / "detecting-insults-in-social-commentary"
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("train.csv", "test.csv"):
        shutil.copy(insults / name, raw / name)
    answers = pd.read_csv(insults / "test_with_solutions.csv", dtype=str, keep_default_na=False)
    answers.head(5).to_csv(raw / "test_with_solutions.csv", index=False)
    recipe = {"kind": "released_labels", "target_columns": ["Insult"], "answers_file": "test_with_solutions.csv"}
    assert _split(tmp_path, insults, recipe, "whole").unlabelled_test_rows == 0  # the real one labels every row
    cut = _split(tmp_path, raw, recipe, "cut")
    assert (cut.test_rows, cut.unlabelled_test_rows) == (5, 2642)

    titanic = tmp_path / "titanic"
    titanic.mkdir()
    shutil.copy(COMPETITIONS / "titanic" / "train.csv", titanic / "train.csv")
    test = pd.read_csv(COMPETITIONS / "titanic" / "test.csv", dtype=str, keep_default_na=False)
    test.to_csv(titanic / "test.csv", index=False)
    test.head(100).assign(Survived="1").to_csv(titanic / "labelled_test.csv", index=False)
    document = TITANIC | {"kind": "released_labels", "answers_file": "labelled_test.csv"}
    prepared = prepare_competition("titanic", parse_recipe(document, "r"), titanic, tmp_path / "prepared")
    rows = {"original": 891, "train": 891, "test": 100, "kaggle_test": 418, "kaggle_test_unlabelled": 318}
    assert prepared.manifest["rows"] == rows
    described = (tmp_path / "prepared" / "titanic" / "public" / "description.md").read_text()
    said = "- test set: 100 rows (10.1%), Kaggle's `test.csv` with its released labels (of its 418 rows, the 318 the "
    assert said + "labels leave out are left out)" in described
    from assets.competition_data import _unlabelled_metadata

    assert _unlabelled_metadata(prepared.manifest["rows"]) == {
        "kaggle_test_unlabelled": "318 of the 418 rows of Kaggle's test file have no label in the answers file: "
        "left out of the new test set"
    }
    # Ids spelled otherwise in the answers (1.0 for 1, 001 for 1) are the same ids: every row is labelled.
    respelled = [f"{int(i):03d}" if n % 2 else f"{i}.0" for n, i in enumerate(test["PassengerId"])]
    test.assign(Survived="0", PassengerId=respelled).to_csv(titanic / "labelled_test.csv", index=False)
    whole = prepare_competition("titanic", parse_recipe(document, "r"), titanic, tmp_path / "prepared")
    assert whole.manifest["rows"]["kaggle_test_unlabelled"] == 0


def test_parquet_input_is_split_into_parquet(tmp_path):
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT * FROM read_csv('{COMPETITIONS / 'titanic' / 'train.csv'}')) TO '{tmp_path / 'train.parquet'}'"
        )
    recipe = TITANIC | {"train_file": "train.parquet"}
    result = _split(tmp_path, tmp_path, recipe, "parquet")
    assert result.train_file.name == "train.parquet" and result.test_rows == 89


TITANIC_FILES = "PROVENANCE.md, gender_submission.csv, test.csv, train.csv"
TITANIC_COLUMNS = "PassengerId, Survived, Pclass, Name, Sex, Age, SibSp, Parch, Ticket, Fare, Cabin, Embarked"


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"train_file": "trian.csv"},
            "split recipe key 'train_file': no file 'trian.csv' in titanic's download; files: ",
        ),
        ({"test_file": "tset.csv"}, "split recipe key 'test_file': no file 'tset.csv' in titanic's download; files: "),
        (
            {"sample_submission_file": "sample_submission.csv"},
            "split recipe key 'sample_submission_file': no file 'sample_submission.csv' in titanic's download; files: ",
        ),
        (
            {"kind": "released_labels", "answers_file": "solution.csv"},
            "split recipe key 'answers_file': no file 'solution.csv' in titanic's download; files: ",
        ),
        (
            {"original_answers_file": "labels/test.csv"},
            "split recipe key 'original_answers_file': no file 'labels/test.csv' in titanic's download; files: ",
        ),
    ],
)
def test_a_recipe_naming_a_missing_file_names_the_key_and_lists_the_download(tmp_path, change, message):
    recipe = parse_recipe(TITANIC | change, "r")
    with pytest.raises(RecipeError) as raised:
        prepare_competition("titanic", recipe, COMPETITIONS / "titanic", tmp_path / "prepared")
    assert str(raised.value) == f"titanic: {message}{TITANIC_FILES}"
    assert not list((tmp_path / "prepared").iterdir())  # nothing half-written, under any name


def test_the_default_test_file_is_needed_only_when_the_recipe_uses_it(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(COMPETITIONS / "titanic" / "train.csv", raw / "train.csv")
    assert build_split(parse_recipe(TITANIC, "r"), raw, tmp_path / "out", "titanic").test_rows == 89
    with pytest.raises(RecipeError) as raised:
        build_split(parse_recipe(TITANIC | {"original_ratio": True}, "r"), raw, tmp_path / "out2", "titanic")
    assert str(raised.value) == (
        "titanic: split recipe key 'original_ratio': Kaggle's test set has no table to count its rows in (no file "
        "'test.csv' in the download, and no sample_submission_file): name the test file (test_file) or the sample "
        "(sample_submission_file), or set test_fraction; files: train.csv"
    )
    assert not (tmp_path / "out2" / "public" / "train.csv").exists()
    # sweep 197: test.csv named in the recipe must be there (petfinder's is test/test.csv), and is kept when stored
    named = parse_recipe(TITANIC | {"test_file": "test.csv"}, "r")
    assert parse_recipe(named.to_document(), "stored").test_file_named
    (raw / "test").mkdir()
    shutil.copy(COMPETITIONS / "titanic" / "test.csv", raw / "test" / "test.csv")
    with pytest.raises(RecipeError) as raised:
        build_split(named, raw, tmp_path / "out3", "titanic")
    assert str(raised.value).startswith(
        "titanic: split recipe key 'test_file': no file 'test.csv' in titanic's download"
    )
    assert "set test_file: test/test.csv" in str(raised.value)
    assert not (tmp_path / "out3").exists() or not list((tmp_path / "out3").iterdir())


def test_original_ratio_counts_kaggles_sample_where_the_download_has_no_test_table(tmp_path):
    """invasive-species-monitoring ships its test set as images in test.7z: its sample has a row a test image. The
    recipe was refused naming test_file, which it never set (a newcomer's run)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(COMPETITIONS / "titanic" / "train.csv", raw / "train.csv")
    shutil.copy(COMPETITIONS / "titanic" / "gender_submission.csv", raw / "gender_submission.csv")  # 418 rows
    recipe = TITANIC | {"original_ratio": True, "sample_submission_file": "gender_submission.csv"}
    prepared = prepare_competition("titanic", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert prepared.published and prepared.manifest["rows"]["test"] == round(891 * 418 / (891 + 418))
    description = (prepared.folder / "public" / "description.md").read_text()
    assert "Kaggle's test set (418 rows, as many as its sample submission `gender_submission.csv` has)" in description
    assert "The test share follows Kaggle's: its test set is 418 of 1,309 rows (31.9%)." in description
    assert "| `train.csv` | 606 | the training set, with the target `Survived` |" in description  # its own name
    assert parse_recipe(recipe | {"test_file": None}, "r").original_ratio  # the sample is enough

    # A sample of several rows a test row counts its distinct ids; an empty one is refused (a fresh-eyed review).
    rows = (COMPETITIONS / "titanic" / "gender_submission.csv").read_text().splitlines()
    (raw / "gender_submission.csv").write_text("\n".join([rows[0], *rows[1:], *rows[1:]]) + "\n")
    again = prepare_competition("titanic", parse_recipe(recipe, "r"), raw, tmp_path / "again")
    assert again.manifest["rows"]["test"] == round(891 * 418 / (891 + 418))
    (raw / "gender_submission.csv").write_text(rows[0] + "\n")
    with pytest.raises(RecipeError) as raised:
        prepare_competition("titanic", parse_recipe(recipe, "r"), raw, tmp_path / "empty")
    assert str(raised.value) == (
        "titanic: split recipe key 'original_ratio': Kaggle's test set counts no rows in gender_submission.csv; "
        "set test_fraction instead"
    )
    with pytest.raises(RecipeError, match="'original_ratio': needs test_file or sample_submission_file, to count"):
        parse_recipe(TITANIC | {"original_ratio": True, "test_file": None}, "r")
    # A code competition's sample of a header alone (sweep 175's ml2021spring-hw2): no "(0 rows, as many as ...)".
    plain = TITANIC | {"sample_submission_file": "gender_submission.csv", "test_fraction": 0.2}
    header_only = prepare_competition("titanic", parse_recipe(plain, "r"), raw, tmp_path / "header")
    description = (header_only.folder / "public" / "description.md").read_text()
    assert "This is not Kaggle's split. Kaggle's test set is not used: its labels are hidden." in description


def test_the_new_training_set_keeps_kaggles_file_name(tmp_path):
    """seti-breakthrough-listen's and invasive-species-monitoring's train tables are Kaggle's ``train_labels.csv``;
    the competition's own text names that file, and MLE-bench's prepare publishes it under that name: so does the
    split (it was ``train.csv``). The download has no test file, so the new public test set is ``test.csv``."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(COMPETITIONS / "titanic" / "train.csv", raw / "train_labels.csv")
    recipe = parse_recipe(TITANIC | {"train_file": "train_labels.csv", "test_fraction": 0.2}, "r")
    prepared = prepare_competition("titanic", recipe, raw, tmp_path / "prepared")
    description = (prepared.folder / "public" / "description.md").read_text()
    assert "| `train_labels.csv` | 713 | the training set, with the target `Survived` |" in description
    public = sorted(p.name for p in (prepared.folder / "public").iterdir())
    assert public == ["description.md", "sample_submission.csv", "test.csv", "train_labels.csv"]
    assert prepared.manifest["files"][-1]["path"] == "public/train_labels.csv"


@pytest.mark.parametrize(
    "change, key, column",
    [
        ({"id_column": "Id"}, "id_column", "Id"),
        ({"target_columns": ["survived"]}, "target_columns", "survived"),
        ({"kind": "group", "group_column": "Family"}, "group_column", "Family"),
        ({"kind": "temporal", "time_column": "Date"}, "time_column", "Date"),
        ({"kind": "stratified", "target_columns": ["Survived", "Lived"]}, "target_columns", "Lived"),
    ],
)
def test_a_recipe_naming_a_missing_column_names_the_key_file_and_columns(tmp_path, change, key, column):
    recipe = parse_recipe(TITANIC | change, "r")
    with pytest.raises(RecipeError) as raised:
        prepare_competition("titanic", recipe, COMPETITIONS / "titanic", tmp_path / "prepared")
    near = " ('survived' for 'Survived'?)" if column == "survived" else ""  # a sweep: 56 columns, the near one unlisted
    assert str(raised.value) == (
        f"titanic: split recipe key '{key}': no column '{column}' in train.csv (its columns: {TITANIC_COLUMNS}){near}"
    )
    assert not list((tmp_path / "prepared").iterdir())


def test_a_coco_document_named_as_the_train_file_is_said_to_be_no_table(tmp_path):
    """Sweeps 174 and 175: iwildcam's and herbarium's COCO-style metadata named as train_file were read as one row of
    lists, and the refusal named a missing column among 'annotations, images, categories' and nothing more."""
    raw = tmp_path / "raw"
    raw.mkdir()
    document = {"images": [{"id": i, "file_name": f"{i}.jpg"} for i in range(20)],
                "annotations": [{"image_id": i, "category_id": i % 3} for i in range(20)], "categories": [{"id": 0}]}  # fmt: skip
    (raw / "train_annotations.json").write_text(json.dumps(document))
    recipe = parse_recipe({"kind": "random", "id_column": "image_id", "target_columns": ["category_id"],
                           "train_file": "train_annotations.json", "test_file": None}, "r")  # fmt: skip
    with pytest.raises(RecipeError) as raised:
        prepare_competition("iwildcam", recipe, raw, tmp_path / "prepared")
    message = str(raised.value)
    assert message.startswith(
        "iwildcam: split recipe key 'target_columns': no column 'category_id' in train_annotations.json"
    )
    assert message.endswith(
        "; it is a COCO-style document (lists of images and of annotations), one row of lists, not a table: a split "
        "reads a table of rows, so convert it to one (each image's file and category, a CSV) where the download "
        "comes from, or list the images with train_listing"
    )


def test_the_id_column_must_name_the_sample_submissions_rows(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(COMPETITIONS / "titanic", raw)
    (raw / "gender_submission.csv").write_text("Id,Survived\n892,0\n")
    recipe = parse_recipe(TITANIC | {"sample_submission_file": "gender_submission.csv"}, "r")
    with pytest.raises(RecipeError) as raised:
        prepare_competition("titanic", recipe, raw, tmp_path / "prepared")
    assert str(raised.value) == (
        "titanic: split recipe key 'id_column': no column 'PassengerId' in gender_submission.csv (its columns: Id, "
        "Survived)"
    )


def _without_sample(slug: str, **changes) -> dict:
    """The competition's recipe in ``splits/recipes``, as if the competition shipped no sample submission."""
    recipe = yaml.safe_load((PROJECT / "splits" / "recipes" / f"{slug}.yaml").read_text()) | changes
    recipe.pop("sample_submission_file")
    return recipe


@pytest.mark.parametrize("slug", ["spooky-author-identification", "leaf-classification"])
def test_a_per_class_metric_with_no_shipped_sample_gets_one_uniform_column_per_class(tmp_path, monkeypatch, slug):
    """multiclass log loss with no sample shipped: the built sample is the id and one column per class of the labels
    (sorted, as text), each 1/k, on the new test rows in the test file's order: the very header of the sample Kaggle
    ships (spooky: id, EAP, HPL, MWS; leaf: id and 99 species). MLE-bench's own grader of the competition accepts it
    (ln k) and the answers, one-hot (0). It was the id and the label column, which no per-class grader takes."""
    prepared = prepare_competition(slug, parse_recipe(_without_sample(slug), slug), COMPETITIONS / slug, tmp_path)
    folder = PreparedFolder(prepared.folder)
    read = lambda path: pd.read_csv(path, float_precision="round_trip")  # noqa: E731  # as MLE-bench reads
    sample, answers = read(folder.sample_submission), read(folder.answers)
    shipped = pd.read_csv(COMPETITIONS / slug / "sample_submission.csv", nrows=0)
    assert list(sample.columns) == list(answers.columns) == list(shipped.columns)
    classes = list(shipped.columns[1:])
    assert (sample[classes] == 1 / len(classes)).all().all()
    assert sample["id"].tolist() == pd.read_csv(folder.public / "test.csv")["id"].tolist()
    monkeypatch.syspath_prepend(str(SHARED.parent / "tools" / "mle-bench"))
    grade = importlib.import_module(f"mlebench.competitions.{slug}.grade").grade
    assert grade(sample, answers) == pytest.approx(math.log(len(classes)))
    assert grade(answers.astype(dict.fromkeys(classes, float)), answers) == pytest.approx(0, abs=1e-9)
    shown = ", ".join(f"`{c}`" for c in ["id", *classes][:20]) + (", and 80 more" if len(classes) == 99 else "")
    assert (
        "`sample_submission.csv` holds the id and the target's classes, one column each, every one equally likely "
        f"({shown}): a submission has these columns, whatever submission format Kaggle's own pages give."
        in folder.description.read_text()
    )


def test_a_per_class_metric_over_a_target_of_too_many_labels_is_refused(tmp_path):
    """spooky's sentences as the label of a per-class metric, no sample shipped: one column per distinct sentence
    would be a sample 19,579 columns wide. Refused, naming the competition, file, column and count; nothing written."""
    slug = "spooky-author-identification"
    recipe = parse_recipe(_without_sample(slug, kind="random", target_columns=["text"]), slug)
    with pytest.raises(RecipeError) as raised:
        prepare_competition(slug, recipe, COMPETITIONS / slug, tmp_path / "prepared")
    assert str(raised.value) == (
        f"{slug}: metric multiclass_log_loss scores one probability column per class and the competition ships no "
        "sample submission, so the split would build one column per class, but column 'text' of train.csv holds "
        "19,579 distinct labels (at most 1,000): not a per-class target. Check split recipe keys 'metric' and "
        "'target_columns', or name the competition's sample in 'sample_submission_file'"
    )
    assert not list((tmp_path / "prepared").iterdir())


def test_a_per_class_metric_of_two_targets_with_no_shipped_sample_is_refused(tmp_path):
    recipe = parse_recipe(TITANIC | {"target_columns": ["Survived", "Pclass"], "metric": "multiclass_log_loss"}, "r")
    with pytest.raises(RecipeError, match=r"^titanic: metric multiclass_log_loss scores one probability column per "
                       r"class .* but split recipe key 'target_columns' names 2;"):  # fmt: skip
        prepare_competition("titanic", recipe, COMPETITIONS / "titanic", tmp_path / "prepared")
    assert not list((tmp_path / "prepared").iterdir())


def test_a_per_class_label_named_like_a_key_column_is_refused(tmp_path):
    """No id, no sample: the key columns are the public ones, and a class named 'x' would be a second column 'x'."""
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "train.csv").write_text("x,y\n" + "".join(f"{i},{'x' if i % 2 else 'z'}\n" for i in range(40)))
    recipe = parse_recipe({"kind": "random", "target_columns": ["y"], "metric": "multiclass_log_loss"}, "r")
    with pytest.raises(RecipeError, match=r"^t: .* but column 'y' of train.csv holds the label\(s\) 'x', which cannot be "
                       r"class columns \(empty, or a key column's name\)"):  # fmt: skip
        prepare_competition("t", recipe, tmp_path / "raw", tmp_path / "prepared")
    assert not list((tmp_path / "prepared").iterdir())


def test_released_labels_check_their_files_columns(tmp_path):
    raw = COMPETITIONS / "detecting-insults-in-social-commentary"
    base = {"kind": "released_labels", "target_columns": ["Insult"], "answers_file": "test_with_solutions.csv"}
    with pytest.raises(RecipeError, match=r"^insults: split recipe key 'target_columns': no column 'insult' in "
                       r"test_with_solutions.csv \(its columns: Insult, Date, Comment, Usage\) \('insult' for 'Insult'\?\)$"):  # fmt: skip
        build_split(parse_recipe(base | {"target_columns": ["insult"]}, "r"), raw, tmp_path / "a", "insults")
    with pytest.raises(RecipeError, match=r"^insults: split recipe key 'id_column': no column 'Id' in train.csv"):
        build_split(parse_recipe(base | {"id_column": "Id"}, "r"), raw, tmp_path / "b", "insults")
    copy = tmp_path / "raw"
    shutil.copytree(raw, copy)
    (copy / "labels.csv").write_text("Insult,Comment\n1,you\n")  # the test set's Date is missing
    with pytest.raises(RecipeError, match=r"^insults: split recipe key 'answers_file': no column 'Date' in labels.csv"):
        build_split(parse_recipe(base | {"answers_file": "labels.csv"}, "r"), copy, tmp_path / "c", "insults")


def test_an_unreadable_recipe_file_names_the_key(tmp_path):
    (tmp_path / "train.csv").write_bytes(b"id,y\n1,0\n")
    (tmp_path / "train.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(
        RecipeError, match=r"^t: split recipe key 'train_file': .*train.parquet: cannot be read as PARQUET"
    ):
        build_split(
            parse_recipe({"kind": "random", "target_columns": ["y"], "train_file": "train.parquet"}, "r"),
            tmp_path,
            tmp_path / "out",
            "t",
        )


def test_a_file_larger_than_the_memory_limit_splits(tmp_path):
    rows = 2_000_000
    with duckdb.connect() as con:
        con.execute(f"""COPY (SELECT i AS id, md5(i::VARCHAR) || md5((i * 7)::VARCHAR) AS text, i % 3 AS y
                             FROM range({rows}) t(i)) TO '{tmp_path / "train.csv"}'""")
    size_mb = (tmp_path / "train.csv").stat().st_size / 1e6
    con = connect(tmp_path / "scratch", memory_limit="100MB", threads=1)
    try:
        recipe = parse_recipe({"kind": "random", "id_column": "id", "target_columns": ["y"]}, "big")
        result = build_split(recipe, tmp_path, tmp_path / "out", "big", con)
    finally:
        con.close()
    assert size_mb > 140  # about 149 MB of CSV through 100 MB of memory
    assert (result.train_rows, result.test_rows) == (rows - rows // 10, rows // 10)


def test_a_split_retired_by_a_publish_cut_short_is_put_back(tmp_path):
    """Publishing is two renames (the published split to its retired name, the new one to the published name): a
    process killed between them leaves no published split. The next preparation puts the retired one back first,
    and, its inputs unchanged, keeps it."""
    recipe = parse_recipe(TITANIC | {"sample_submission_file": "gender_submission.csv"}, "r")
    source = {"zip_sha256": "0" * 64}  # a download on record: an unchanged split may be kept
    first = prepare_competition("titanic", recipe, COMPETITIONS / "titanic", tmp_path / "prepared", source=source)
    final = PreparedFolder(tmp_path / "prepared" / "titanic")
    before = content_checksum(final.public / "test.csv")
    os.replace(final.path, final.retired)  # where the first rename leaves it
    again = prepare_competition("titanic", recipe, COMPETITIONS / "titanic", tmp_path / "prepared", source=source)
    assert first.published and again.published and again.reused
    assert content_checksum(final.public / "test.csv") == before and not final.retired.exists()


def test_a_failing_check_does_not_replace_the_published_split(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(COMPETITIONS / "titanic", raw)
    recipe = parse_recipe(TITANIC | {"sample_submission_file": "gender_submission.csv"}, "r")
    good = prepare_competition("titanic", recipe, raw, tmp_path / "prepared")
    assert good.published
    before = content_checksum(tmp_path / "prepared" / "titanic" / "public" / "test.csv")
    # A "released" labelled test set (and Kaggle's test file) that repeats training passengers: it would leak.
    lines = (raw / "train.csv").read_text().splitlines()
    (raw / "labelled_test.csv").write_text("\n".join(lines[:51]) + "\n")
    pd.read_csv(raw / "labelled_test.csv").drop(columns="Survived").to_csv(raw / "test.csv", index=False)
    leaky = parse_recipe(TITANIC | {"kind": "released_labels", "answers_file": "labelled_test.csv"}, "r")
    bad = prepare_competition("titanic", leaky, raw, tmp_path / "prepared")
    failed = {c.name: c.found for c in bad.checks if not c.passed}
    assert not bad.published
    assert (
        list(failed) == ["ids_disjoint"]
        and "50 shared by train and test (id column PassengerId)" in failed["ids_disjoint"]
    )
    assert content_checksum(tmp_path / "prepared" / "titanic" / "public" / "test.csv") == before


def test_a_table_of_thousands_of_columns_splits(tmp_path):
    """santander-value-prediction has 4,993 columns: DuckDB holds a 256 KB block per text column while it writes one,
    and under the split's 512 MB the test set could not be written ("the split ran out of memory")."""
    raw = tmp_path / "raw"
    raw.mkdir()
    columns = [f"f{i:04d}" for i in range(5_000)]
    rows = [[f"{r:06x}", str(r % 7), *(str((r * 31 + c) % 97 if (r + c) % 13 == 0 else 0) for c in range(5_000))]
            for r in range(200)]  # fmt: skip
    with (raw / "train.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([["ID", "target", *columns], *rows])
    result = _split(tmp_path, raw, {"kind": "random", "id_column": "ID", "target_columns": ["target"],
                                    "test_file": None}, "wide")  # fmt: skip
    test = pd.read_csv(result.test_file, dtype=str)
    answers = pd.read_csv(result.answers_file, dtype=str)
    assert list(test.columns) == ["ID", *columns] and list(answers.columns) == ["ID", "target"]
    assert (result.train_rows, result.test_rows) == (180, 20)
    source = {row[0]: row for row in rows}
    assert all(
        list(values) == [source[values[0]][0], *source[values[0]][2:]] for values in test.itertuples(index=False)
    )


def test_a_stratified_split_whose_ids_are_all_missing_is_refused(tmp_path):
    """A review: with no id on any row nothing can enter the test set; an empty test set was published."""
    (tmp_path / "raw").mkdir()
    write_csv(tmp_path / "raw" / "train.csv", ["id", "x", "y"], [("", i, i % 2) for i in range(100)])
    recipe = {"kind": "stratified", "id_column": "id", "target_columns": ["y"]}
    with pytest.raises(SplitError, match=r"column 'id' has 0 distinct values in train\.csv \(every row's is missing\)"):
        _split(tmp_path, tmp_path / "raw", recipe, "s")


@pytest.mark.parametrize(
    "sizes, seed, rows",
    [
        ([13, 60, 1, 40, 5, 1, 3, 2, 13, 40, 5, 20, 60, 2, 5, 1, 5, 20, 8, 3, 20], 0, 35),  # 33 asked
        ([8, 20, 5, 40, 8, 8, 60, 2, 40], 3, 21),  # 19 asked
    ],
)
def test_units_are_weighed_on_every_unit_not_the_first_read_only(tmp_path, sizes, seed, rows):
    """A review: the first read keeps only the lowest hashes; weighing the overshooting unit against what those
    alone gave made 53 rows of 33 asked (or 40 of 19, refused), where reading every unit gives 35 (21)."""
    users = [f"g{i}" for i, size in enumerate(sizes) for _ in range(size)]
    (tmp_path / "raw").mkdir()
    write_csv(tmp_path / "raw" / "train.csv", ["id", "user", "y"], [(i, u, i % 2) for i, u in enumerate(users)])
    recipe = {"kind": "group", "id_column": "id", "group_column": "user", "target_columns": ["y"], "seed": seed}
    assert _split(tmp_path, tmp_path / "raw", recipe, "g").test_rows == rows


def test_a_split_whose_rows_mostly_lack_an_id_says_so(tmp_path):
    (tmp_path / "raw").mkdir()
    write_csv(tmp_path / "raw" / "train.csv", ["id", "y"], [(i if i < 4 else "", i % 2) for i in range(40)])
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["y"], "test_fraction": 0.3}
    with pytest.raises(SplitError, match=r"split recipe key 'id_column': 36 of 40 rows have no id \(an empty CSV "
                       r"field, or null\), and a row without one never enters the test set: the 4 with one cannot "
                       r"give a test set of 12"):  # fmt: skip
        _split(tmp_path, tmp_path / "raw", recipe, "r")


def test_released_labels_a_target_named_usage_is_a_target_and_an_answer_without_id_is_named(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(raw / "train.csv", ["id", "x", "usage"], [(i, i, "ignored" if i % 3 else "kept") for i in range(30)])
    write_csv(raw / "test.csv", ["id", "x"], [(100 + i, i) for i in range(20)])
    write_csv(raw / "solution.csv", ["id", "usage"], [(100 + i, "ignored" if i % 3 else "kept") for i in range(20)])
    recipe = {"kind": "released_labels", "id_column": "id", "target_columns": ["usage"], "answers_file": "solution.csv"}
    result = _split(tmp_path, raw, recipe, "u")
    assert (result.test_rows, result.ignored_test_rows) == (20, 0)  # its labels, not Kaggle's Usage
    write_csv(raw / "solution.csv", ["id", "usage"], [("", "kept")] + [(100 + i, "kept") for i in range(20)])
    with pytest.raises(SplitError, match=r"1 labelled row\(s\) whose id is no row of Kaggle's test file test\.csv "
                       r"\(none on row 1\)"):  # fmt: skip
        _split(tmp_path / "again", raw, recipe, "u")


@pytest.mark.parametrize(
    "recipe, train, test",
    [({}, "train.csv", "test.csv"),
     ({"train_file": "train_labels.csv", "test_file": None}, "train_labels.csv", "test.csv"),
     ({"train_file": "data/en_train.csv.gz", "test_file": "en_test_2.csv"}, "en_train.csv", "en_test_2.csv"),
     ({"train_file": "train.tsv", "test_file": "test.csv"}, "train.tsv", "test.tsv"),  # the train file's format
     ({"train_file": "labels.csv", "test_file": "labels.csv"}, "train.csv", "test.csv"),  # one name for both
     ({"train_file": "train.csv", "test_file": "sample_submission.csv"}, "train.csv", "test.csv"),  # the sample's
     ({"train_listing": "train/{label}/{id}.png", "test_file": None}, "train.csv", "test.csv"),
     # a review: dogs-vs-cats' test file is its sample, published under that name by the export
     ({"test_file": "sampleSubmission.csv", "sample_submission_file": "sampleSubmission.csv"}, "train.csv", "test.csv"),
     ({"train_file": "Train.csv", "test_file": "train.csv"}, "train.csv", "test.csv")],  # one name in any case
)  # fmt: skip
def test_the_public_tables_keep_kaggles_names(recipe, train, test):
    assert published_tables(recipe) == {TRAIN: train, TEST: test}


def test_a_missing_column_names_the_file_with_its_folder(tmp_path):
    """A newcomer's sweep (herbarium-2021's train/metadata.json): the message said "in metadata.json", which file of
    several named so it did not say."""
    raw = tmp_path / "raw"
    write_csv(raw / "train" / "metadata.csv", ["image_id", "annotations"], [(i, "x") for i in range(30)])
    recipe = parse_recipe({"kind": "random", "id_column": "image_id", "target_columns": ["category_id"],
                           "train_file": "train/metadata.csv", "test_fraction": 0.2}, "r")  # fmt: skip
    with pytest.raises(RecipeError, match=re.escape(
            "split recipe key 'target_columns': no column 'category_id' in train/metadata.csv (its columns: ")):  # fmt: skip
        build_split(recipe, raw, tmp_path / "out", "herbarium-like")


def test_a_target_of_records_is_refused_naming_the_column(tmp_path):
    """A newcomer's sweep: tensorflow2-question-answering's annotations (a list of records) as the target was
    published, its answers DuckDB's rendering of records, every label unique."""
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = [{"example_id": str(i), "question": "q", "annotations": [{"yes_no_answer": "NONE", "long_answer": {"start": i}}]}
            for i in range(40)]  # fmt: skip
    (raw / "simplified-nq-train.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    recipe = parse_recipe({"kind": "random", "id_column": "example_id", "target_columns": ["annotations"],
                           "train_file": "simplified-nq-train.jsonl", "test_fraction": 0.2}, "r")  # fmt: skip
    with pytest.raises(RecipeError) as refused:
        build_split(recipe, raw, tmp_path / "out", "nq")
    assert str(refused.value).startswith(
        "nq: split recipe key 'target_columns': column 'annotations' of simplified-nq-train.jsonl holds objects or "
        "lists (STRUCT("
    )
    assert str(refused.value).endswith(
        "not a label, number or text a submission can write; name a column of plain values"
    )


def test_a_target_mixing_objects_with_other_values_is_refused_too(tmp_path):
    """A review: a JSON column of objects on some rows and strings on others is typed JSON, not STRUCT, and passed."""
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = [{"id": i, "x": i, "y": {"a": i} if i % 2 else "plain"} for i in range(40)]
    (raw / "train.json").write_text(json.dumps(rows))
    recipe = parse_recipe({"kind": "random", "id_column": "id", "target_columns": ["y"], "train_file": "train.json",
                           "test_file": None, "test_fraction": 0.2}, "r")  # fmt: skip
    with pytest.raises(RecipeError, match=re.escape(
            "mixed: split recipe key 'target_columns': column 'y' of train.json holds objects or lists (JSON objects "
            "or lists among other values)")):  # fmt: skip
        build_split(recipe, raw, tmp_path / "out", "mixed")


def test_a_split_published_before_kaggles_names_were_kept_is_still_read(tmp_path):
    """From the re-read: public_table's fallback (a split published as train.csv/test.csv before Kaggle's names were
    kept) had no test; nor had its message when neither name is there."""
    folder = PreparedFolder(tmp_path / "prepared")
    folder.public.mkdir(parents=True)
    recipe = {"train_file": "train_labels.csv", "test_file": None}
    (folder.public / "train.csv").write_text("id,y\n1,0\n")
    assert folder.public_table(TRAIN, recipe) == folder.public / "train.csv"
    (folder.public / "train_labels.csv").write_text("id,y\n1,0\n")
    assert folder.public_table(TRAIN, recipe) == folder.public / "train_labels.csv"
    with pytest.raises(
        FileNotFoundError, match=r"prepared/public: expected test\.csv \(the new test set\), found none"
    ):
        folder.public_table(TEST, recipe)


@pytest.mark.parametrize("kind", ["random", "stratified", "temporal", "group"])
def test_test_rows_sets_the_new_test_sets_size_in_rows(tmp_path, kind):
    """MLE-bench's tabular-playground-series-may-2022 takes a test set of 100,000 rows, new-york-city-taxi 9,914,
    alaska2 5,000: a count, not a share, which a recipe could not say."""
    (tmp_path / "raw").mkdir()
    write_csv(tmp_path / "raw" / "train.csv", ["id", "day", "y"],
              [(i, f"2020-01-{1 + i % 28:02d}", i % 3) for i in range(997)])  # fmt: skip
    recipe = {
        "kind": kind,
        "id_column": "id",
        "target_columns": ["y"],
        "test_rows": 113,
        "group_column": "id" if kind == "group" else None,
        "time_column": "day" if kind == "temporal" else None,
    }
    result = _split(tmp_path, tmp_path / "raw", recipe, "rows")
    assert (result.train_rows, result.test_rows) == (997 - 113, 113)
    assert parse_recipe(recipe, "r").to_document()["test_rows"] == 113
    with pytest.raises(
        SplitError, match=r"a test set of 997 of 997 rows leaves no rows on one side; check the recipe's"
    ):
        _split(tmp_path, tmp_path / "raw", recipe | {"test_rows": 997}, "all")


@pytest.mark.parametrize("changes, message", [
    ({"test_rows": 0}, "expected a whole number of rows, at least 1, found 0"),
    ({"test_rows": 2.5}, "expected a whole number of rows, at least 1, found 2.5"),
    ({"test_rows": True}, "expected a whole number of rows, at least 1, found True"),
    ({"test_rows": 10, "test_fraction": 0.2}, "give one of test_fraction, test_rows or original_ratio: true"),
    ({"test_rows": 10, "original_ratio": True}, "give one of test_fraction, test_rows or original_ratio: true"),
    ({"test_rows": 10, "kind": "released_labels", "answers_file": "a.csv"},
     "not for kind released_labels: its test set is Kaggle's own, whatever its size"),
])  # fmt: skip
def test_a_bad_test_rows_is_refused_naming_the_key(changes, message):
    with pytest.raises(RecipeError, match=re.escape(f"split recipe key 'test_rows': {message}")):
        parse_recipe({"kind": "random", "target_columns": ["y"]} | changes, "r")


@pytest.mark.parametrize("changes, key, message", [
    ({"kind": "random", "answers_file": "test_labels.csv"}, "answers_file",
     "only for kind released_labels (the labels Kaggle released for its test set, which is then the new test set), "
     "found kind random; to measure parity on them beside a split of Kaggle's training set, name them in "
     "original_answers_file"),
    ({"kind": "stratified", "time_column": "colour"}, "time_column",
     "only for kind temporal (the latest rows by it are the test set), found kind stratified"),
    ({"kind": "released_labels", "answers_file": "a.csv", "original_ratio": True}, "original_ratio",
     "not for kind released_labels: its test set is Kaggle's own, whatever its share"),
    ({"kind": "released_labels", "answers_file": "a.csv", "test_fraction": 0.2}, "test_fraction",
     "not for kind released_labels: its test set is Kaggle's own, whatever its share"),
    ({"kind": "released_labels", "answers_file": "a.csv", "group_column": "colour"}, "group_column",
     "not for kind released_labels: its test set is Kaggle's own, not drawn by groups"),
])  # fmt: skip
def test_a_key_another_kind_reads_is_refused_not_ignored(tmp_path, changes, key, message):
    """A newcomer's sweep: each was accepted and ignored (answers_file for original_answers_file lost parity on
    Kaggle's labels without a word), or failed later in a way that named nothing of it (a group column under
    released labels: groups on both sides of Kaggle's own split)."""
    document = {"target_columns": ["y"]} | changes
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(RecipeError, match=re.escape(f"{path}: split recipe key '{key}': {message}")):
        read_recipe_file(path)
    # A recipe stored before the check (an annotation, a published split's manifest) still reads: it can be replaced.
    assert parse_recipe(document, "stored").kind == changes["kind"]
