"""Recipe key ``test_columns``: the train columns the new public test set keeps, for a download whose test file does
not say (paddy-disease-classification ships no test table: its train file's ``variety`` and ``age`` are no test
features on Kaggle, and without the key the public test set kept them)."""

from __future__ import annotations

import pandas as pd
import pytest

from splits.layout import prepare_competition
from tests.conftest import generated_download
from validation.data_root import PreparedFolder
from validation.split_recipe import RecipeError, parse_recipe


def _without_test_file(download) -> None:
    (download / "test.csv").unlink()


def _no_test_table(recipe):
    """The generated recipe names test.csv, which must then be there: without it, the recipe says there is none."""
    return parse_recipe(recipe.to_document() | {"test_file": None}, where="recipe.yaml")


def test_the_public_test_set_keeps_the_columns_named_and_the_description_says_why(tmp_path):
    slug, raw, recipe, root, _ = generated_download(tmp_path, "accuracy", reshape=_without_test_file)
    recipe = _no_test_table(recipe)
    train = list(pd.read_csv(raw / "train.csv", nrows=0).columns)
    before = prepare_competition(slug, recipe, raw, tmp_path / "before", "description")
    assert list(pd.read_csv(PreparedFolder(before.folder).public_table("test", {}), nrows=0).columns) == train[:-1]
    recipe = parse_recipe(recipe.to_document() | {"test_columns": ["x1", "id"]}, where="recipe.yaml")
    prepared = prepare_competition(slug, recipe, raw, root.prepared_root, "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    folder = PreparedFolder(prepared.folder)
    assert list(pd.read_csv(folder.public_table("test", {}), nrows=0).columns) == ["id", "x1"]  # the train file's order
    assert list(pd.read_csv(folder.public_table("train", {}), nrows=0).columns) == train  # the train set keeps them all
    text = folder.description.read_text(encoding="utf-8")
    left_out = len(train) - 3  # all but id, x1 and the target
    assert f"and without {left_out} column(s) that the split recipe leaves out (`test_columns`)" in text
    assert f"keeps only the columns the split recipe names (`test_columns`): {left_out} training column(s)" in text
    assert parse_recipe(recipe.to_document(), where="again") == recipe


@pytest.mark.parametrize(
    "value, said",
    [
        ("id", None),
        ([], "expected a list of the train file's column names, found []"),
        (["id", 3], "expected a list of the train file's column names"),
        (["id", "x1", "id"], "a column is listed twice"),
        (["id", "target"], "names target column 'target': the public test set would give its answers away"),
        (["x1"], "leaves out the id column 'id', which names the test rows a submission predicts; add it"),
    ],
)
def test_a_bad_list_is_refused_when_the_recipe_is_read(value, said):
    document = {"kind": "random", "id_column": "id", "target_columns": ["target"], "test_columns": value}
    if said is None:
        assert parse_recipe(document, where="r.yaml").test_columns == ("id",)
        return
    with pytest.raises(RecipeError) as error:
        parse_recipe(document, where="r.yaml")
    assert str(error.value).startswith("r.yaml: split recipe key 'test_columns': " + said)


def test_released_labels_keeps_kaggles_own_test_file():
    document = {"kind": "released_labels", "answers_file": "labels.csv", "target_columns": ["y"], "test_columns": ["a"]}
    with pytest.raises(RecipeError, match="not for kind released_labels: its public test set is Kaggle's own"):
        parse_recipe(document, where="r.yaml")


def test_a_column_kaggles_test_file_withholds_stays_withheld(tmp_path):
    """A review: test_columns could bring back a column Kaggle's test set leaves out (random-acts-of-pizza's
    ``*_at_retrieval`` fields), and parity then failed on it with a KeyError."""

    def withheld(download) -> None:
        test = pd.read_csv(download / "test.csv")
        test.drop(columns=["note"]).to_csv(download / "test.csv", index=False)

    slug, raw, recipe, root, _ = generated_download(tmp_path, "accuracy", reshape=withheld)
    recipe = parse_recipe(recipe.to_document() | {"test_columns": ["id", "x1", "note"]}, where="recipe.yaml")
    with pytest.raises(RecipeError) as error:
        prepare_competition(slug, recipe, raw, root.prepared_root, "description")
    assert str(error.value).startswith("g-accuracy: split recipe key 'test_columns': no column 'note' in test.csv")


def test_a_group_split_whose_test_set_leaves_the_group_out_is_checked_by_id(tmp_path):
    """The groups_disjoint check read the group column from the public test set: a DuckDB binder error when it was
    not there (test_columns without it, or Kaggle's test file without it). With the id kept, the test rows' groups
    are found in the train file; with neither, the check fails saying why."""
    slug, raw, recipe, root, _ = generated_download(tmp_path, "accuracy", "--kind", "group", reshape=_without_test_file)
    recipe = _no_test_table(recipe)
    kept_id = parse_recipe(recipe.to_document() | {"test_columns": ["id", "x1"]}, where="recipe.yaml")
    prepared = prepare_competition(slug, kept_id, raw, root.prepared_root, "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    assert next(c for c in prepared.checks if c.name == "groups_disjoint").found == "no group of user on both sides"
    document = {k: v for k, v in recipe.to_document().items() if k not in ("id_column", "sample_submission_file")}
    no_id = parse_recipe(document | {"test_columns": ["x1", "x2"]}, where="recipe.yaml")
    refused = prepare_competition(slug, no_id, raw, tmp_path / "again", "description")
    check = next(c for c in refused.checks if c.name == "groups_disjoint")
    assert not refused.published and not check.passed
    assert check.found.startswith("cannot check: the new public test set holds neither the group column user nor an id")


def test_a_column_the_train_file_lacks_is_refused_naming_its_columns(tmp_path):
    slug, raw, recipe, root, _ = generated_download(tmp_path, "accuracy", reshape=_without_test_file)
    recipe = _no_test_table(recipe)
    recipe = parse_recipe(recipe.to_document() | {"test_columns": ["id", "varietyy"]}, where="recipe.yaml")
    with pytest.raises(RecipeError) as error:
        prepare_competition(slug, recipe, raw, root.prepared_root, "description")
    assert str(error.value).startswith(
        "g-accuracy: split recipe key 'test_columns': no column 'varietyy' in train.csv (its columns: id, x1,"
    )
    assert not (root.prepared_root / slug).exists()
