"""The ``test_labels_seen`` warning: under a metric of labels, test rows whose label the new training set lacks are
counted and named, and the split is still published (a newcomer's sweep: whale-categorization's random split gave
17 of 80 test answers naming whales the training set never had, without a word)."""

from __future__ import annotations

import pandas as pd
import pytest

from splits.layout import prepare_competition
from tests.conftest import write_csv
from validation.data_root import PreparedFolder
from validation.split_recipe import parse_recipe


def _whales(tmp_path, labels: list[str]):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(
        raw / "train.csv", ["Image", "x", "Id"], [(f"{i:04d}.jpg", i % 7, label) for i, label in enumerate(labels)]
    )
    return raw


def _check(built):
    return next(check for check in built.checks if check.name == "test_labels_seen")


# 30 whales with one image each, then 60 images of 3 common ones: a random test set holds singletons
WHALES = [f"w_{i:03d}" for i in range(30)] + ["new_whale", "w_a", "w_b"] * 20


@pytest.mark.parametrize("metric", ["map_at_k", "accuracy"])
def test_labels_only_the_test_set_holds_are_counted_and_named_and_the_split_is_published(tmp_path, metric):
    raw = _whales(tmp_path, WHALES)
    recipe = {"kind": "random", "id_column": "Image", "target_columns": ["Id"], "test_fraction": 0.3, "metric": metric}
    built = prepare_competition("whales", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert built.published  # a warning
    folder = PreparedFolder(built.folder)
    train = set(pd.read_csv(folder.public / "train.csv", dtype=str)["Id"])
    answers = pd.read_csv(folder.answers, dtype=str)["Id"]
    unseen = sorted(set(answers) - train)
    assert unseen and all(label.startswith("w_0") for label in unseen)  # only singletons can be missing
    check = _check(built)
    count = int(answers.isin(unseen).sum())
    assert not check.passed and check.metadata["rows_with_unseen_label"] == count
    assert check.found.startswith(f"{count} of {len(answers)} new test rows ({count / len(answers):.1%}) have a label")
    assert repr(unseen[0]) in check.found and f"{len(unseen)} are unseen" in check.found


def test_only_the_scored_rows_are_counted_under_scored_rows(tmp_path):
    """An unscored row's label costs a submission nothing (split recipe key scored_rows): the check counted every
    test row."""
    raw = _whales(tmp_path, WHALES)
    recipe = {"kind": "random", "id_column": "Image", "target_columns": ["Id"], "test_fraction": 0.3,
              "metric": "accuracy", "scored_rows": {"x": 3}}  # fmt: skip
    built = prepare_competition("whales", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    folder = PreparedFolder(built.folder)
    train = set(pd.read_csv(folder.public / "train.csv", dtype=str)["Id"])
    test = pd.read_csv(folder.public / "test.csv", dtype=str)
    answers = pd.read_csv(folder.answers, dtype=str).merge(test, on="Image")
    unseen = answers["Id"].map(lambda label: label not in train)
    scored = answers["x"] == "3"
    assert unseen[~scored].any() and unseen[scored].any()  # the case: unseen labels on rows of both kinds
    check = _check(built)
    assert check.metadata["rows_with_unseen_label"] == int((unseen & scored).sum())
    assert check.metadata["test_rows"] == int(scored.sum())
    said = f"{int((unseen & scored).sum())} of {int(scored.sum())} scored new test rows"
    assert not check.passed and check.found.startswith(said)


def test_a_stratified_split_of_classes_with_two_rows_sees_every_test_label(tmp_path):
    raw = _whales(tmp_path, [f"w_{i % 20:03d}" for i in range(60)])
    recipe = {"kind": "stratified", "id_column": "Image", "target_columns": ["Id"], "test_fraction": 0.3,
              "metric": "map_at_k"}  # fmt: skip
    check = _check(prepare_competition("pairs", parse_recipe(recipe, "r"), raw, tmp_path / "prepared"))
    assert check.passed and check.found == "each of the new test set's 18 labels is in the new training set"


def test_label_sets_are_counted_label_by_label(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = [(i, i % 5, "a b" if i % 2 else "b") for i in range(80)] + [(80 + i, 0, f"b z{i}") for i in range(10)]
    write_csv(raw / "train.csv", ["id", "x", "tags"], rows)
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["tags"], "test_fraction": 0.3,
              "metric": "f1_micro_labels"}  # fmt: skip
    built = prepare_competition("tags", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    answers = pd.read_csv(PreparedFolder(built.folder).answers, dtype=str)
    with_z = int(answers["tags"].str.contains("z").sum())
    check = _check(built)
    assert with_z and not check.passed and check.metadata["rows_with_unseen_label"] == with_z  # 'b' is seen


def test_class_probabilities_are_read_from_the_one_hot_answers(tmp_path):
    raw = _whales(tmp_path, WHALES)
    recipe = {"kind": "random", "id_column": "Image", "target_columns": ["Id"], "test_fraction": 0.3,
              "metric": "multiclass_log_loss"}  # fmt: skip
    built = prepare_competition("probabilities", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    folder = PreparedFolder(built.folder)
    train = set(pd.read_csv(folder.public / "train.csv", dtype=str)["Id"])
    answers = pd.read_csv(folder.answers)
    labels = answers.drop(columns="Image").idxmax(axis=1)
    assert _check(built).metadata["rows_with_unseen_label"] == int((~labels.isin(train)).sum()) > 0


def test_a_metric_of_numbers_has_nothing_to_check(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(raw / "train.csv", ["id", "x", "y"], [(i, i % 5, i * 1.5) for i in range(60)])
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["y"], "metric": "rmse"}
    check = _check(prepare_competition("numbers", parse_recipe(recipe, "r"), raw, tmp_path / "prepared"))
    assert check.passed and check.found == "nothing to check: rmse scores no labels"


def test_labels_are_compared_as_the_grader_compares_them(tmp_path):
    """A review: Kaggle's solution wrote 1.0 where the train file says 1, and every test row was called unseen; the
    grader reads both as the label 1 (and True as 1)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(raw / "train.csv", ["id", "x", "y"], [(i, i, 1 + i % 3) for i in range(60)])
    write_csv(raw / "test.csv", ["id", "x"], [(100 + i, i) for i in range(30)])
    write_csv(raw / "solution.csv", ["id", "y"], [(100 + i, f"{1 + i % 3}.0") for i in range(30)])
    recipe = {"kind": "released_labels", "id_column": "id", "target_columns": ["y"], "answers_file": "solution.csv",
              "metric": "accuracy"}  # fmt: skip
    check = _check(prepare_competition("typed", parse_recipe(recipe, "r"), raw, tmp_path / "prepared"))
    assert check.passed, check.found
    write_csv(raw / "solution.csv", ["id", "y"], [(100 + i, f"{4 + i % 2}.0") for i in range(30)])
    check = _check(prepare_competition("typed", parse_recipe(recipe, "r"), raw, tmp_path / "prepared2"))
    assert not check.passed and check.found.endswith("; the test set is Kaggle's own, with its released labels")


def test_map_at_k_answers_are_read_word_by_word(tmp_path):
    """A review: MAP@K's grader reads an answer's words as its labels; 'b d c' against a train of 'a b c' and 'd'
    was called unseen."""
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(raw / "train.csv", ["id", "x", "y"], [(i, i, ["a b c", "b d c", "d"][i % 3]) for i in range(90)])
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["y"], "metric": "map_at_k", "test_fraction": 0.3}
    check = _check(prepare_competition("words", parse_recipe(recipe, "r"), raw, tmp_path / "prepared"))
    assert check.passed and check.found == "each of the new test set's 4 labels is in the new training set"
