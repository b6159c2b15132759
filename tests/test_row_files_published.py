"""The ``row_files_published`` warning: a download holding a file per training row, named by its id, whose recipe
publishes none of them (a newcomer's sweep: aerial-cactus without its ``row_files`` lines published the tables
alone, every check passing, and the description saying no other file of the download was in public/)."""

from __future__ import annotations

import dataclasses

import pytest

from splits.layout import prepare_competition
from tests.conftest import generated_download, write_csv


def _check(built):
    return next(check for check in built.checks if check.name == "row_files_published")


def test_an_image_per_row_left_behind_is_named_with_the_pattern_to_set(tmp_path):
    slug, raw, recipe, root, _ = generated_download(tmp_path, "auc", "--row-files", "png", "--rows", "60")
    assert recipe.row_files == "train/{id}.png"
    without = dataclasses.replace(recipe, row_files=None, test_row_files=None)
    built = prepare_competition(slug, without, raw, root.prepared_root)
    assert built.published  # a warning
    check = _check(built)
    assert not check.passed and check.metadata["ids_with_a_file"] == check.metadata["sampled_ids"] == 60
    assert check.found.startswith("the download holds a file named by the id for 60 of the first 60 train rows (")
    assert "public/ holds 0 of them" in check.found and "set row_files: 'train/{id}.png'" in check.found
    with_them = prepare_competition(slug, recipe, raw, tmp_path / "prepared-with")
    assert _check(with_them).passed and _check(with_them).found.startswith("the recipe sets row_files")


def test_files_copied_by_public_files_are_published(tmp_path):
    slug, raw, recipe, root, _ = generated_download(tmp_path, "auc", "--row-files", "png", "--rows", "60")
    copied = dataclasses.replace(recipe, row_files=None, test_row_files=None, public_files=("train/",))
    # the whole folder is published (the leakage checks judge that), so no row's file is left behind
    check = _check(prepare_competition(slug, copied, raw, root.prepared_root))
    assert check.passed and check.found == "the files named by the train ids are published (public_files)"


@pytest.mark.parametrize("files", [0, 10])
def test_a_table_whose_ids_name_no_file_or_few_has_nothing_to_publish(tmp_path, files):
    raw = tmp_path / "raw"
    write_csv(raw / "train.csv", ["id", "x", "y"], [(i, i % 7, i % 2) for i in range(60)])
    for i in range(files):  # a few stray files named like ids (a README, 3.txt) are no file per row
        (raw / "notes").mkdir(exist_ok=True)
        (raw / "notes" / f"{i}.txt").write_text("note")
    from validation.split_recipe import parse_recipe

    recipe = parse_recipe({"kind": "random", "id_column": "id", "target_columns": ["y"], "metric": "auc"}, "r")
    check = _check(prepare_competition("tabular", recipe, raw, tmp_path / "prepared"))
    assert check.passed and check.found == f"{files} of the first 60 train ids name a file of the download"
