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


def _images(raw, folders, n=60):
    for folder in folders:
        (raw / folder).mkdir(parents=True, exist_ok=True)
        for i in range(1, n + 1):
            (raw / folder / f"{i}.jpg").write_bytes(b"\xff\xd8\xff\xe0" + folder.encode() + b"\xff\xd9")


NUMBERED = {"kind": "random", "train_file": "train_labels.csv", "test_file": None, "id_column": "name",
            "target_columns": ["invasive"], "metric": "auc"}  # fmt: skip


def _numbered(tmp_path):
    """invasive-species-like: train/1.jpg... and test/1.jpg... both numbered from 1 (Kaggle's test images)."""
    raw = tmp_path / "raw"
    write_csv(raw / "train_labels.csv", ["name", "invasive"], [(i, i % 2) for i in range(1, 61)])
    _images(raw, ["test", "train"])
    return raw


def test_the_train_folder_is_suggested_before_a_test_folder_of_the_same_names(tmp_path):
    """A review: the first file found was test/1.jpg, and following the advice published Kaggle's test images as
    the train rows' files, every check passing."""
    from validation.split_recipe import parse_recipe

    check = _check(prepare_competition("inv", parse_recipe(NUMBERED, "r"), _numbered(tmp_path), tmp_path / "p"))
    assert "set row_files: 'train/{name}.jpg' (it finds 60 of the 60)" in check.found, check.found
    assert "(train/1.jpg, train/2.jpg, train/3.jpg)" in check.found


def test_an_id_whose_train_file_public_files_copies_is_published(tmp_path):
    """A review: only an id's first file found (test/1.jpg) was looked up among the copied ones."""
    from validation.split_recipe import parse_recipe

    recipe = parse_recipe(NUMBERED | {"public_files": ["train/"]}, "r")
    check = _check(prepare_competition("inv", recipe, _numbered(tmp_path), tmp_path / "p"))
    assert check.passed, check.found


def test_released_labels_are_told_to_copy_the_folder(tmp_path):
    """A review: the advice named row_files, which released labels refuse."""
    from validation.split_recipe import parse_recipe

    raw = tmp_path / "raw"
    write_csv(raw / "train.csv", ["id", "y"], [(f"a{i:03d}", i % 2) for i in range(60)])
    write_csv(raw / "test.csv", ["id"], [(f"b{i:03d}",) for i in range(40)])
    write_csv(raw / "solution.csv", ["id", "y"], [(f"b{i:03d}", i % 2) for i in range(40)])
    for side, prefix, n in (("train", "a", 60), ("test", "b", 40)):
        (raw / side).mkdir()
        for i in range(n):
            (raw / side / f"{prefix}{i:03d}.png").write_bytes(b"png")
    document = {"kind": "released_labels", "answers_file": "solution.csv", "id_column": "id", "target_columns": ["y"],
                "metric": "auc"}  # fmt: skip
    check = _check(prepare_competition("rl", parse_recipe(document, "r"), raw, tmp_path / "p"))
    assert check.found.endswith(
        "copy them with public_files: ['train'], and the test rows' files likewise (released labels take no row_files)"
    )


def test_files_in_a_folder_named_by_the_id_are_seen(tmp_path):
    """A review: osic's and rsna-miccai's train/<id>/1.dcm were never looked at (file names only)."""
    from validation.split_recipe import parse_recipe

    raw = tmp_path / "raw"
    write_csv(raw / "train.csv", ["Patient", "FVC"], [(f"ID{i:05d}", 2000 + i) for i in range(60)])
    for i in range(60):
        (raw / "train" / f"ID{i:05d}").mkdir(parents=True)
        for s in range(1, 4):
            (raw / "train" / f"ID{i:05d}" / f"{s}.dcm").write_bytes(b"dcm")
    recipe = parse_recipe({"kind": "random", "test_file": None, "id_column": "Patient", "target_columns": ["FVC"],
                           "metric": "rmse"}, "r")  # fmt: skip
    check = _check(prepare_competition("osic", recipe, raw, tmp_path / "p"))
    assert not check.passed, check.found  # a review: the advice was one slice a patient, train/{Patient}/1.dcm
    assert "each row has a folder of files (train/{Patient}/1.dcm); row_files places one file a row" in check.found


def test_files_filed_by_label_get_no_pattern_of_one_label(tmp_path):
    """A review: train/<breed>/<id>.jpg gave 'train/collie/{id}.jpg', which misses every other breed's files."""
    from validation.split_recipe import parse_recipe

    raw = tmp_path / "raw"
    write_csv(raw / "train.csv", ["id", "breed"], [(f"d{i:03d}", ("collie", "pug")[i % 2]) for i in range(60)])
    for i in range(60):
        folder = raw / "train" / ("collie", "pug")[i % 2]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"d{i:03d}.jpg").write_bytes(b"jpg")
    recipe = parse_recipe({"kind": "random", "test_file": None, "id_column": "id", "target_columns": ["breed"],
                           "metric": "accuracy"}, "r")  # fmt: skip
    check = _check(prepare_competition("dogs", recipe, raw, tmp_path / "p"))
    assert "they lie in 2 folders (train/collie, train/pug)" in check.found and "train_listing" in check.found


def test_a_train_folder_below_the_top_is_preferred_and_a_copied_test_folder_is_no_train_rows(tmp_path):
    """A review: with data/train and data/test, the tie fell to data/test (only the first part was looked at); and
    public_files copying test/ passed as publishing the train rows' files."""
    from validation.split_recipe import parse_recipe

    raw = tmp_path / "raw"
    write_csv(raw / "train_labels.csv", ["name", "invasive"], [(i, i % 2) for i in range(1, 61)])
    _images(raw, ["data/test", "data/train"])
    check = _check(prepare_competition("inv", parse_recipe(NUMBERED, "r"), raw, tmp_path / "p"))
    assert "set row_files: 'data/train/{name}.jpg'" in check.found, check.found
    copied = parse_recipe(NUMBERED | {"public_files": ["data/test/"]}, "r")
    assert not _check(prepare_competition("inv", copied, raw, tmp_path / "p2")).passed
