"""Which files are tables: CSV, TSV (``.tsv``, ``.tab``), JSON and Parquet, and gzip'd CSV, TSV and JSON, as a
recipe names them and a split publishes them (``validation.data_files``)."""

from __future__ import annotations

import pytest

from validation.data_files import data_format, data_stem, is_data_file, published_suffix
from validation.split_recipe import RecipeError, parse_recipe


@pytest.mark.parametrize("name, fmt, published, stem", [
    ("train.csv", "csv", ".csv", "train"), ("train.tsv", "tsv", ".tsv", "train"), ("Train.TAB", "tsv", ".tab", "Train"),
    ("train.csv.gz", "csv", ".csv", "train"), ("data/train.tsv.gz", "tsv", ".tsv", "train"),
    ("train.json.gz", "json", ".json", "train"), ("train.parquet", "parquet", ".parquet", "train"),
    ("sample.v2.csv", "csv", ".csv", "sample.v2"),
])  # fmt: skip
def test_a_table_name_gives_its_format_and_published_name(name, fmt, published, stem):
    assert is_data_file(name) and data_format(name) == fmt
    assert published_suffix(name) == published and data_stem(name) == stem


@pytest.mark.parametrize("name", ["train.parquet.gz", "images.tar.gz", "train.gz", "train.txt", "train.7z", "train"])
def test_other_names_are_not_tables(name):
    assert not is_data_file(name)
    with pytest.raises(KeyError):
        data_format(name)


def test_a_recipe_takes_tsv_and_gzipped_tables_and_names_what_it_refuses():
    recipe = parse_recipe({"kind": "random", "target_columns": ["Sentiment"], "train_file": "train.tsv",
                           "test_file": "test.tsv.gz"}, where="r.yaml")  # fmt: skip
    assert (recipe.train_file, recipe.test_file) == ("train.tsv", "test.tsv.gz")
    with pytest.raises(
        RecipeError,
        match=r"split recipe key 'train_file': expected a \.csv, \.tsv, \.tab, \.json \(or \.jsonl, \.ndjson\) or "
        r"\.parquet file \(or a \.gz of a CSV, TSV or JSON\), found 'train.parquet.gz'",
    ):
        parse_recipe({"kind": "random", "target_columns": ["y"], "train_file": "train.parquet.gz"}, where="r.yaml")


def test_a_json_file_of_one_object_of_columns_says_how_to_write_it(tmp_path):
    """A newcomer's sweep: pandas' default to_json() (one object, its keys the columns) was refused as "1 row(s)"."""
    import pandas as pd

    from splits.builder import SplitError
    from splits.layout import prepare_competition

    raw = tmp_path / "raw"
    raw.mkdir()
    pd.DataFrame({"id": range(50), "y": [i % 2 for i in range(50)]}).to_json(raw / "train.json")
    recipe = parse_recipe({"kind": "random", "id_column": "id", "target_columns": ["y"], "train_file": "train.json"},
                          where="r")  # fmt: skip
    with pytest.raises(SplitError, match=r"train\.json: 1 row\(s\); a split needs at least 2 \(train\.json is one JSON "
                       r"object, read as one row: .*\(orient='records'\)"):  # fmt: skip
        prepare_competition("j", recipe, raw, tmp_path / "prepared")
    pd.DataFrame({"id": [1], "y": [0]}).to_json(raw / "train.jsonl", orient="records", lines=True)
    with pytest.raises(SplitError, match=r"train\.jsonl: 1 row\(s\); a split needs at least 2$"):  # a real one-row file
        prepare_competition("j", parse_recipe({"kind": "random", "target_columns": ["y"], "train_file": "train.jsonl"},
                                              where="r"), raw, tmp_path / "prepared")  # fmt: skip


@pytest.mark.parametrize("broken, name", [(701, "train.jsonl"), (1000, "train.jsonl"), (3, "train.json.gz")])
def test_a_damaged_json_lines_row_is_named_by_its_own_line(tmp_path, broken, name):
    """DuckDB names the line where it noticed the damage: one later for an object left open (a newcomer's sweep
    broke line 701 and was told 702; a file cut in its last line was told a line past its end)."""
    import gzip

    from splits.layout import prepare_competition
    from validation.split_recipe import RecipeError

    lines = [f'{{"id": {i}, "y": {i % 2}}}' for i in range(1, 1001)]
    lines[broken - 1] = lines[broken - 1][:-1]  # its closing brace gone
    text = "\n".join(lines) + "\n"
    raw = tmp_path / "raw"
    raw.mkdir()
    if name.endswith(".gz"):
        (raw / name).write_bytes(gzip.compress(text.encode()))
    else:
        (raw / name).write_text(text)
    recipe = parse_recipe({"kind": "random", "id_column": "id", "target_columns": ["y"], "train_file": name}, "r")
    with pytest.raises(RecipeError, match=rf"{name}: cannot be read as JSON: line {broken:,} is no JSON value "
                       rf"\(Expecting ',' delimiter at column \d+\): {{\"id\": {broken}, \"y\": {broken % 2}$"):  # fmt: skip
        prepare_competition("j", recipe, raw, tmp_path / "prepared")


def test_a_file_of_objects_over_several_lines_keeps_duckdbs_words(tmp_path):
    """A review: pretty-printed objects, one after another, were named "line 1 is no JSON value: {" when record 100
    was damaged; DuckDB's own words (its record) stand where the lines are no values."""
    from validation.data_files import first_bad_json_line

    records = [f'{{\n  "id": {i},\n  "y": {i % 2}\n}}' for i in range(200)]
    records[99] = records[99].replace('"y"', '"y')
    (tmp_path / "train.json").write_text("\n".join(records) + "\n")
    assert first_bad_json_line(tmp_path / "train.json", 400) == ""  # its first line, "{", is no value
