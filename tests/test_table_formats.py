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
