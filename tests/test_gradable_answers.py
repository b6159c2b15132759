"""A split whose new test set its own grader would reject is refused before it is published, naming what is wrong in
the download (``validation.gradable_answers``); Kaggle's ``Usage`` column is left out of the built sample. Each mess is
one a newcomer met running real-looking competitions through the README (every 17th label empty, a repeated id,
thousands separators in a number, a sample submission with ``Usage``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from splits.layout import prepare_competition
from tests.conftest import generated_download, generated_split
from validation.data_root import PreparedFolder
from validation.gradable_answers import UngradableAnswers
from validation.grading import grade_submission
from validation.split_recipe import parse_recipe


def _train(download: Path) -> pd.DataFrame:
    return pd.read_csv(download / "train.csv", dtype=str, keep_default_na=False)


def _every_17th_label_empty(download: Path) -> None:
    frame = _train(download)
    frame.loc[::17, "target"] = ""
    frame.to_csv(download / "train.csv", index=False)


def _repeated_ids(download: Path) -> None:
    """Rows 2, 5, 8, ... take the id of the row before them (train rows 1 and 2 both hold id 0)."""
    frame = _train(download)
    for row in range(0, 39, 3):
        frame.loc[row + 1, "id"] = frame.loc[row, "id"]
    frame.to_csv(download / "train.csv", index=False)


def _thousands_separators(download: Path) -> None:
    frame = pd.read_csv(download / "train.csv")
    frame["target"] = [f"{value * 1000:,.1f}" for value in frame["target"]]
    frame.to_csv(download / "train.csv", index=False)


def _kaggle_usage(download: Path) -> None:
    sample = pd.read_csv(download / "sample_submission.csv")
    sample["Usage"] = "Public"
    sample.to_csv(download / "sample_submission.csv", index=False)


def _refused(tmp_path: Path, metric: str, reshape, *options: str) -> str:
    """Split the generated competition, reshaped: it must be refused, publishing nothing; the refusal's message."""
    slug, raw, recipe, root, _ = generated_download(tmp_path, metric, *options, reshape=reshape)
    with pytest.raises(UngradableAnswers) as refusal:
        prepare_competition(slug, recipe, raw, root.prepared_root, "description")
    assert not root.prepared_root.exists() or list(root.prepared_root.iterdir()) == []  # no split, no staging left
    return str(refusal.value)


@pytest.mark.parametrize("metric", ["accuracy", "rmse"])
def test_a_train_file_with_rows_without_a_label_is_refused_naming_them(tmp_path, metric):
    """Published before, with answers the grader rejected ("column target: 14 empty or NaN value(s)") and, for rmse,
    a parity failure naming nothing ("Input y contains NaN.")."""
    message = _refused(tmp_path, metric, _every_17th_label_empty)
    what = "empty" if metric == "accuracy" else "empty (or NaN)"  # a class may be named NA, a number may not
    assert message.startswith(f"g-{metric}: column 'target' of train.csv is {what} on ")
    assert " of the 240 rows the new test set took, e.g. id '" in message
    assert "of train.csv (rows counted from 1 under its header)" in message
    assert "the download's training file has rows without a label, and the split cannot grade them" in message
    assert message.endswith("(recipes have no row filter): leave the competition out of the benchmark")
    empty = _train(generated_download(tmp_path / "again", metric, reshape=_every_17th_label_empty)[1])
    first = message.split("e.g. id '")[1].split("'")[0]  # the first id shown is one with an empty label, at its row
    row = int(message.split(f"'{first}' (row ")[1].split(")")[0])
    assert empty.loc[row - 1, "id"] == first and empty.loc[row - 1, "target"] == ""


def test_rows_without_an_id_are_named_by_the_public_columns_the_answers_repeat(tmp_path):
    """A sweep's vinbigdata (no id column: many boxes per image): "e.g. answer row(s) 7, 8, 9" named rows of an
    answers file that was never written. The answers repeat the public columns that match a row: those are shown."""
    message = _refused(tmp_path, "rmse", _every_17th_label_empty, "--no-id")
    shown = message.split(" the new test set took, e.g. the rows of ")[1].split(": the download's")[0]
    train = _train(generated_download(tmp_path / "again", "rmse", "--no-id", reshape=_every_17th_label_empty)[1])
    first, second = train.columns[:2]
    rows = [dict(pair.split(" ", 1) for pair in row.split(", ")) for row in shown.split("; ")[:5]]
    assert rows and all(set(row) == {first, second} for row in rows), shown
    for row in rows:  # each shown row is one whose label is empty in the download
        matches = train[(train[first] == row[first].strip("'")) & (train[second] == row[second].strip("'"))]
        assert (matches["target"] == "").all() and len(matches), row


def test_empty_labels_under_no_metric_say_a_metric_of_text_may_grade_them(tmp_path):
    """tgs-salt's empty masks (no salt) are answers under a metric of text; with no metric in the recipe, the refusal
    blamed the download alone (a newcomer's sweep), while naming the metric publishes the split."""
    from dataclasses import replace

    slug, raw, recipe, root, _ = generated_download(tmp_path, "accuracy", reshape=_every_17th_label_empty)
    with pytest.raises(UngradableAnswers) as refusal:
        prepare_competition(slug, replace(recipe, metric=None), raw, root.prepared_root, "description")
    assert str(refusal.value).endswith(
        "leave the competition out of the benchmark; or, where an empty value is an answer (an empty mask, no word), "
        "name a metric of text or ranked labels in split recipe key 'metric' (the split has none), under which it is one"
    )
    assert prepare_competition(slug, replace(recipe, metric="word_jaccard"), raw, root.prepared_root, "d").published


def _classes_named_like_missing_values(download: Path) -> None:
    frame = _train(download)
    frame["target"] = [("None", "NA", "null", "nan", "Mild")[i % 5] for i in range(len(frame))]
    frame.to_csv(download / "train.csv", index=False)


def test_classes_named_none_or_na_are_labels_that_split_and_grade(tmp_path):
    """A severity "None", the region "NA": the split was refused ("column 'target' is empty (or NaN) on 96 of the 240
    rows ... the download's training file has rows without a label"), though every row has one."""
    slug, raw, recipe, root, _ = generated_download(tmp_path, "accuracy", reshape=_classes_named_like_missing_values)
    prepared = prepare_competition(slug, recipe, raw, root.prepared_root, "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    folder = PreparedFolder(prepared.folder)
    answers = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    assert set(answers["target"]) == {"None", "NA", "null", "nan", "Mild"}
    report = grade_submission(folder.answers, folder, "accuracy")  # the answers themselves: every label right
    assert report.valid_submission and report.score == 1.0, report.errors
    wrong = answers.assign(target=answers["target"].map({"None": "NA", "NA": "None"}).fillna(answers["target"]))
    wrong.to_csv(tmp_path / "swapped.csv", index=False)
    swapped = grade_submission(tmp_path / "swapped.csv", folder, "accuracy")
    assert swapped.valid_submission and swapped.score == (answers["target"].isin(["null", "nan", "Mild"])).mean()
    answers.assign(target="").to_csv(tmp_path / "blank.csv", index=False)
    blank = grade_submission(tmp_path / "blank.csv", folder, "accuracy")
    # answers pandas reads as missing: a blank is a wrong label, as the exported grader scores it (a sweep), said so
    assert blank.valid_submission and blank.score == 0.0, blank.errors
    assert blank.notes[0].startswith("column target: 240 empty value(s), e.g. lines 2, 3, 4, 5, 6, scored as wrong")


def _missing_words_and_nan_numbers(download: Path) -> None:
    """``word``: text-normalization-like labels, pandas' missing words among them; ``price``: numbers, NaN in some."""
    frame = _train(download)
    frame["word"] = [("N/A", "NULL", "#N/A", "null", "seven")[i % 5] for i in range(len(frame))]
    frame["price"] = [("NaN" if i % 9 == 0 else str(i)) for i in range(len(frame))]
    frame.to_csv(download / "train.csv", index=False)


def test_without_a_metric_a_label_is_missing_only_when_blank_and_a_number_also_when_nan(tmp_path):
    """No metric in the recipe: labels like N/A and NULL were "empty (or NaN)" (the split refused: "the download's
    training file has rows without a label"); a column whose values present are all numbers keeps the number rule."""
    from validation.split_recipe import parse_recipe

    slug, raw, recipe, root, _ = generated_download(tmp_path, "accuracy", reshape=_missing_words_and_nan_numbers)
    document = {k: v for k, v in recipe.to_document().items() if k not in ("metric", "sample_submission_file")}
    words = parse_recipe(document | {"kind": "random", "target_columns": ["word"]}, "recipe")
    assert prepare_competition(slug, words, raw, root.prepared_root, "description").published
    prices = parse_recipe(document | {"kind": "random", "target_columns": ["price"]}, "recipe")
    with pytest.raises(UngradableAnswers, match="column 'price' of train.csv is empty \\(or NaN\\) on "):
        prepare_competition(slug, prices, raw, root.prepared_root, "description")


def test_repeated_ids_are_refused_naming_the_ids_and_their_rows(tmp_path):
    """Published before, with id 0 twice in the answers and the sample: grading failed ("5 id(s) appear more than
    once") and parity with a numpy broadcast error."""
    message = _refused(tmp_path, "accuracy", _repeated_ids)
    assert message.startswith(
        "g-accuracy: split recipe key 'id_column' names 'id', but 4 of its values are on more than one row of "
        "train.csv and went to the new test set together"
    )
    assert "'0' (rows 1, 2)" in message and "of train.csv (rows counted from 1 under its header)" in message
    assert message.endswith("Name a column whose value is unique to each row in 'id_column' (or none: rows are then "
                            "matched by their content)")  # fmt: skip


def test_a_target_the_metric_cannot_take_is_refused_naming_the_value(tmp_path):
    """ "28,370.0" under rmse: published before; parity failed with "Unable to parse string"."""
    message = _refused(tmp_path, "rmse", _thousands_separators)
    assert message.startswith("g-rmse: column 'target' of train.csv holds ")
    assert " value(s) that are not numbers on the 240 rows the new test set took, e.g. '" in message
    value = message.split("e.g. '")[1].split("'")[0]
    assert "," in value and float(value.replace(",", "")) and "' at id '" in message
    assert "; rmse needs numbers, in the answers as in a submission." in message


def test_a_target_outside_the_metrics_domain_is_refused_with_the_graders_words(tmp_path):
    def negative(download: Path) -> None:
        frame = pd.read_csv(download / "train.csv")
        frame["target"] = frame["target"] - frame["target"].max() - 1  # every value below 0
        frame.to_csv(download / "train.csv", index=False)

    message = _refused(tmp_path, "rmsle", negative)
    assert "negative value(s) on the 240 rows the new test set took" in message
    assert "rmsle needs predictions >= 0, in the answers as in a submission" in message


@pytest.mark.parametrize("metric", ["accuracy", "multiclass_log_loss"])
def test_kaggles_usage_column_is_left_out_of_the_sample_and_said_so(tmp_path, metric):
    """Published before with id,target,Usage while the answers had id,target: mlecurate grade and MLE-bench's
    grade-sample called the sample invalid. Now the sample has the answers' columns, and the grader takes it."""
    folder, *_ = generated_split(tmp_path, metric, reshape=_kaggle_usage)
    sample, answers = (pd.read_csv(p, nrows=0).columns.tolist() for p in (folder.sample_submission, folder.answers))
    assert "Usage" not in sample and sample == answers
    report = grade_submission(folder.sample_submission, folder, metric)
    assert report.valid_submission, report.errors
    manifest = json.loads(folder.manifest.read_text())
    assert manifest["sample_submission_dropped_columns"] == ["Usage"]
    assert (
        "but `Usage`: not a prediction (as Kaggle's `Usage`, which said which leaderboard a row counted for); the "
        "answers do not have them and a submission leaves them out." in folder.description.read_text()
    )
    graded = manifest["checks"]["sample_columns_graded"]
    assert graded["passed"] and graded["found"] == (
        "Usage of Kaggle's sample_submission.csv left out: no prediction (no target column of train.csv)"
    )


def test_a_sample_column_of_the_train_file_the_recipe_does_not_target_is_a_warning(tmp_path):
    """ranzcr-clip's sample predicts eleven columns of its train file; a recipe of nine targets (as MLE-bench grades
    it) published a sample and answers of nine, and the description called the other two Kaggle's `Usage` (a
    newcomer's sweep). Now the split says which they are, and a warning names them."""

    slug, raw, recipe, root, _ = generated_download(tmp_path, "mean_columnwise_auc", "--targets", "3")
    two = parse_recipe(recipe.to_document() | {"target_columns": ["label_1", "label_2"]}, where="recipe.yaml")
    prepared = prepare_competition(slug, two, raw, root.prepared_root, "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    folder = PreparedFolder(prepared.folder)
    assert pd.read_csv(folder.sample_submission, nrows=0).columns.tolist() == ["id", "label_1", "label_2"]
    graded = next(c for c in prepared.checks if c.name == "sample_columns_graded")
    assert not graded.passed and graded.found == (
        "Kaggle's sample_submission.csv predicts label_3, column(s) of train.csv that split recipe key "
        "'target_columns' leaves out: the new sample and answers leave them out, and no submission is graded on them"
    )
    assert (
        "but `label_3`: column(s) of the training table that are not graded here (the curators' recipe does not make "
        "them targets); the answers do not have them" in folder.description.read_text()
    )


def test_sample_columns_left_out_by_submission_columns_or_public_ones_are_told_apart(tmp_path):
    """A review: with submission_columns naming two of Kaggle's three targets the check passed ("every column ...
    is graded"); a public test column in Kaggle's sample (no prediction: the answers never had it) was warned as a
    target to make."""
    slug, raw, recipe, root, _ = generated_download(tmp_path, "mean_columnwise_auc", "--targets", "3")
    two = recipe.to_document() | {"target_columns": ["label_1", "label_2"],
                                  "submission_columns": {"id": "id", "label_1": "label_1", "label_2": "label_2"}}  # fmt: skip
    prepared = prepare_competition(slug, parse_recipe(two, where="recipe.yaml"), raw, root.prepared_root, "")
    graded = next(c for c in prepared.checks if c.name == "sample_columns_graded")
    assert not graded.passed and "predicts label_3, column(s) of train.csv" in graded.found, graded.found
    sample = pd.read_csv(raw / "sample_submission.csv", dtype=str).assign(colour="red")
    sample.to_csv(raw / "sample_submission.csv", index=False)
    prepared = prepare_competition(slug, recipe, raw, root.prepared_root, "")
    graded = next(c for c in prepared.checks if c.name == "sample_columns_graded")
    assert graded.passed and graded.found.startswith("colour of Kaggle's sample_submission.csv left out"), graded.found


def test_the_split_assets_metadata_names_a_dropped_sample_column():
    from assets.competition_data import dropped_sample_metadata

    assert dropped_sample_metadata({"sample_submission_dropped_columns": ["Usage"]})[
        "sample_submission_dropped_columns"
    ].value.startswith("`Usage`: in Kaggle's sample submission, not in the answers")
    assert dropped_sample_metadata({}) == {}


def test_a_sample_the_grader_rejects_is_refused_before_publishing(tmp_path):
    """The built sample is graded as MLE-bench's grade-sample will: a Kaggle sample naming its prediction column
    otherwise than the recipe's target gives a sample no submission can follow."""

    def renamed(download: Path) -> None:
        sample = pd.read_csv(download / "sample_submission.csv")
        sample.rename(columns={"target": "prediction"}).to_csv(download / "sample_submission.csv", index=False)

    message = _refused(tmp_path, "rmse", renamed)
    assert message.startswith(
        "g-rmse: the built sample_submission.csv (from the download's sample_submission.csv) is not a valid "
        "submission for rmse: "
    )
    assert "1 unexpected column(s): prediction" in message and "missing column(s): target" in message


@pytest.mark.parametrize("metric, blank", [("accuracy", ""), ("rmse", " ")])
def test_a_kaggle_sample_with_blank_predictions_gets_the_trivial_value(tmp_path, metric, blank):
    """paddy-disease-classification ships a sample whose label column is blank: the built sample took that blank,
    most common value and was refused as no valid submission ("column label: 100 empty value(s)")."""
    slug, raw, recipe, root, _ = generated_download(tmp_path, metric)
    sample = pd.read_csv(raw / "sample_submission.csv", dtype=str)
    sample.assign(target=blank).to_csv(raw / "sample_submission.csv", index=False)
    prepared = prepare_competition(slug, recipe, raw, root.prepared_root, "description")
    assert prepared.published
    built = pd.read_csv(prepared.folder / "public" / "sample_submission.csv", dtype=str, keep_default_na=False)
    train = pd.read_csv(prepared.folder / "public" / "train.csv", dtype=str)
    expected = "0" if metric == "rmse" else train["target"].mode().iloc[0]
    assert set(built["target"]) == {expected}


def test_label_sets_under_meta_kaggles_f_score_micro_are_refused_naming_both_metrics(tmp_path):
    """plant-pathology-2021 and facebook-recruiting-iii: Meta Kaggle says F-Score (Micro), which is f1_micro, one
    label a row; their answers are space-separated labels (a perfect submission in another order scored 0.2). The
    curator decides in the recipe: mean_f1 (Kaggle's mean over rows) publishes, so do f1_micro_labels (MLE-bench's)
    and f1_micro named there."""
    slug, raw, recipe, root, _ = generated_download(tmp_path, "f1_micro_labels", "--rows", "300")
    unnamed = parse_recipe(recipe.to_document() | {"metric": None}, "r")
    facts = {"evaluation_algorithm_name": "F-Score (Micro)"}
    with pytest.raises(UngradableAnswers) as refused:
        prepare_competition(slug, unnamed, raw, root.prepared_root, facts=facts)
    message = str(refused.value)
    assert re.search(r"^g-f1-micro-labels: the new answers in column target look like sets of labels \('\w+ \w+', "
                     r"whose words are each a whole label on other rows\)", message), message  # fmt: skip
    assert "split recipe key 'metric': mean_f1 (each row's F1 of its labels in any order, averaged" in message
    assert "f1_micro_labels (micro F1 over every row's labels, as MLE-bench grades" in message
    for named in ("mean_f1", "f1_micro_labels", "f1_micro"):
        chosen = parse_recipe(recipe.to_document() | {"metric": named}, "r")
        assert prepare_competition(slug, chosen, raw, root.prepared_root / named, facts=facts).published


def test_what_makes_labels_look_like_sets():
    """Beyond a set whose labels are each a label alone: the same words in another order, and a test set where every
    row holds several labels from a small vocabulary (facebook's tags), which had no row of one label to go by."""
    from itertools import combinations

    from validation.gradable_answers import _looks_like_sets

    tags = [f"tag{i}" for i in range(8)]
    assert (
        _looks_like_sets({" ".join(c) for c in combinations(tags, 3)})
        == "56 labels of several words drawn from 8 words"
    )
    assert (
        _looks_like_sets({"java c#", "c# java", "python"}) == "'c# java' and 'java c#', the same words in another order"
    )
    assert _looks_like_sets({"Sport Shoes", "Running Shoes", "Boots"}) is None  # classes of several words
    assert (
        _looks_like_sets({"scab", "rust", "scab rust"})
        == "'scab rust', whose words are each a whole label on other rows"
    )


def test_a_kaggle_sample_keyed_by_a_column_the_train_file_lacks_says_why(tmp_path):
    """text-normalization: no id column in the train file (rows match by content), and Kaggle's sample keyed by an
    ``id`` built from two columns. The refusal named the staging folder's sample and advised checking three keys; it
    names the download's file and the cause."""
    from validation.split_recipe import parse_recipe

    def kaggle_sample(download: Path) -> None:
        rows = len(pd.read_csv(download / "test.csv"))
        pd.DataFrame({"id": [f"0_{i}" for i in range(rows)], "target": "alpha"}).to_csv(
            download / "en_sample_submission.csv", index=False
        )

    slug, raw, recipe, root, _ = generated_download(tmp_path, "accuracy", "--no-id", reshape=kaggle_sample)
    recipe = parse_recipe(recipe.to_document() | {"sample_submission_file": "en_sample_submission.csv"}, "recipe")
    with pytest.raises(UngradableAnswers) as refusal:
        prepare_competition(slug, recipe, raw, root.prepared_root, "description")
    message = str(refusal.value)
    assert message.startswith(
        "g-accuracy: the built sample_submission.csv (from the download's en_sample_submission.csv) is not a valid "
        "submission for accuracy: 1 unexpected column(s): id"
    ), message
    assert "staging" not in message
    assert message.endswith(
        "Without split recipe key 'id_column', a submission's rows are matched by the public test columns (x1, x2, x3, "
        "x4, colour and 1 more), and en_sample_submission.csv has column(s) id that the new test set does not: name the id "
        "column in 'id_column' if the train file has it, map the sample's key to the test columns it is built from in "
        "'submission_columns' (such as {id: \"{sentence_id}_{token_id}\"}), or leave out 'sample_submission_file' (the "
        "sample is then built from the new test rows)"
    ), message


def test_a_refused_split_leaves_the_published_one(tmp_path):
    slug, raw, recipe, root, _ = generated_download(tmp_path, "rmse")
    assert prepare_competition(slug, recipe, raw, root.prepared_root, "description").published
    before = PreparedFolder(root.prepared_root / slug).answers.read_bytes()
    _thousands_separators(raw)
    with pytest.raises(UngradableAnswers):
        prepare_competition(slug, recipe, raw, root.prepared_root, "description")
    assert PreparedFolder(root.prepared_root / slug).answers.read_bytes() == before
    assert sorted(p.name for p in root.prepared_root.iterdir()) == [slug]


def test_a_one_column_metric_with_several_targets_is_refused_before_the_split(tmp_path):
    """lish-moa's 206 targets under log_loss (its mean column-wise log loss is not in the registry): the split,
    parity and export succeeded, and a submission right on the first target alone scored as if right on all."""
    from validation.split_recipe import RecipeError, parse_recipe

    slug, raw, recipe, root, _ = generated_download(tmp_path, "mean_columnwise_auc", "--targets", "3")
    one_column = parse_recipe(recipe.to_document() | {"metric": "log_loss"}, where="recipe.yaml")
    with pytest.raises(RecipeError) as refused:
        prepare_competition(slug, one_column, raw, root.prepared_root, "description")
    message = str(refused.value)
    assert message.startswith(f"{slug}: metric log_loss scores one target column, but split recipe key "
                              "'target_columns' names 3 (")  # fmt: skip
    assert (
        "(label_1, label_2, label_3): a submission would be graded on 'label_1' alone" in message
        and "mean_columnwise_auc" in message
        and "or multiclass_log_loss where they are one 0/1 column per class of one label" in message
    )
    assert not root.prepared_root.exists() or not any(root.prepared_root.rglob("*.csv"))
    # a sweep's playground-series-s3e18: two of six targets graded, named by submission_columns; the message named
    # target_columns, which holds six
    two_of_three = parse_recipe(recipe.to_document() | {"metric": "log_loss", "submission_columns": {
        "id": "id", "label_1": "label_1", "label_2": "label_2"}}, where="recipe.yaml")  # fmt: skip
    with pytest.raises(RecipeError) as refused:
        prepare_competition(slug, two_of_three, raw, root.prepared_root, "description")
    assert "scores one target column, but split recipe key 'submission_columns' names 2 (label_1, label_2)" in str(
        refused.value
    )


def test_a_sample_predicting_some_of_the_targets_says_which_and_how_to_grade_those_alone(tmp_path):
    """A sweep's playground-series-s3e18: six targets in the train file, Kaggle grading two (EC1, EC2), its sample
    of those two. The refusal said to check 'sample_submission_file', 'target_columns' and 'metric', not the key
    that grades some targets alone."""
    from validation.split_recipe import parse_recipe

    slug, raw, recipe, root, _ = generated_download(tmp_path, "mean_columnwise_auc", "--targets", "3")
    sample = pd.read_csv(raw / "sample_submission.csv", dtype=str)
    sample.drop(columns="label_3").to_csv(raw / "two.csv", index=False)
    document = recipe.to_document() | {"sample_submission_file": "two.csv"}
    with pytest.raises(UngradableAnswers) as refused:
        prepare_competition(slug, parse_recipe(document, "r"), raw, root.prepared_root, "description")
    advice = (
        "two.csv predicts label_1, label_2 and not label_3: where Kaggle grades those alone, name the submission's "
        "columns in split recipe key 'submission_columns' ({id: id, label_1: label_1, label_2: label_2}), or leave "
        "the others out of 'target_columns'"
    )
    assert advice in str(refused.value), str(refused.value)
    advised = document | {"submission_columns": {"id": "id", "label_1": "label_1", "label_2": "label_2"}}
    prepared = prepare_competition(slug, parse_recipe(advised, "r"), raw, root.prepared_root, "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]


def test_a_distribution_of_one_class_is_refused_before_the_split(tmp_path):
    """kl_divergence over one target column: every row's share is 1, so every submission summing to 1 scores 0."""
    from validation.split_recipe import RecipeError, parse_recipe

    slug, raw, recipe, root, _ = generated_download(tmp_path, "kl_divergence")
    one_class = parse_recipe(recipe.to_document() | {"target_columns": ["vote_1"]}, where="recipe.yaml")
    with pytest.raises(RecipeError, match=r"metric kl_divergence scores each row's counts over several classes as "
                       r"one distribution, one target column a class, but split recipe key 'target_columns' names 1 "
                       r"\(vote_1\): name every class's column"):  # fmt: skip
        prepare_competition(slug, one_class, raw, root.prepared_root, "description")
    assert not root.prepared_root.exists() or not any(root.prepared_root.rglob("*.csv"))


def _label_2_never_positive(download: Path) -> None:
    frame = _train(download)
    frame["label_2"] = "0"  # a label too rare to reach the new test set (lish-moa has targets with a handful)
    frame.to_csv(download / "train.csv", index=False)


def test_a_target_with_one_class_in_the_test_set_is_named_with_its_counts(tmp_path):
    """Refused before with "AUC needs both classes in the answers" and advice about the sample submission's file."""
    message = _refused(tmp_path, "mean_columnwise_auc", _label_2_never_positive)
    assert (
        "target column label_2: AUC needs both classes in the answers, which hold 0 positive and 240 negative "
        in message
    )
    assert message.endswith("Raise split recipe key 'test_fraction' until its rarer class reaches the new test set, "
                            "or leave that target out of 'target_columns'")  # fmt: skip


def test_advice_to_grow_the_test_set_names_test_rows_where_the_recipe_sizes_it_so(tmp_path):
    """A review: with test_rows the advice said to raise test_fraction, which the recipe then refused beside it."""
    from tests.conftest import generated_download

    slug, raw, recipe, root, _ = generated_download(tmp_path, "mean_columnwise_auc", reshape=_label_2_never_positive)
    document = recipe.to_document()
    document.pop("test_fraction", None)
    sized = parse_recipe(document | {"test_rows": 240}, "r")
    with pytest.raises(UngradableAnswers) as refusal:
        prepare_competition(slug, sized, raw, root.prepared_root, "description")
    assert str(refusal.value).endswith("Raise split recipe key 'test_rows' until its rarer class reaches the new test "
                                       "set, or leave that target out of 'target_columns'")  # fmt: skip


@pytest.mark.parametrize(
    "metric, value, scored",
    [("matthews_correlation", "0", "0, not 1"), ("pearson", "3.5", "nan, not 1"), ("rmspe", "0", "nan, not 0")],
)  # fmt: skip
def test_answers_that_never_vary_are_refused_saying_so(tmp_path, metric, value, scored):
    """Refused before as answers "not a perfect one ... Check split recipe keys 'target_columns' and 'metric'" (MCC of
    one class) or a sample "not a valid submission ... (it scores nan)" (Pearson, RMSPE): the keys were right, the new
    test set had nothing to tell apart (an imbalanced MCC competition's rare class, a closed day's sales of 0)."""

    def constant(download: Path) -> None:
        frame = _train(download)
        frame["target"] = value
        frame.to_csv(download / "train.csv", index=False)

    message = _refused(tmp_path, metric, constant)
    assert re.search(
        rf"every one of the new test set's \d+ answers in column target is '{value}', and {metric} cannot grade "
        rf"answers that never vary \(graded against themselves they score {scored}\)\. Set split recipe key 'seed' "
        r"to another value \(it draws the test rows; another draw may hold the column's other values\), or raise "
        r"'test_fraction'; if the train file",
        message,
    ), message


def test_a_column_a_columnwise_metric_would_leave_out_is_refused(tmp_path):
    """google-quest-like: one of 30 Spearman targets is 0 in all but 11 of 6,079 rows, so a tenth of them misses its
    other values about one seed in three; the mean of the other columns graded the answers as perfect and the split
    was published, where MLE-bench's grader (and Kaggle's) scores nan."""

    def one_constant(download: Path) -> None:
        frame = _train(download)
        frame["target_2"] = "0"
        frame.to_csv(download / "train.csv", index=False)

    message = _refused(tmp_path, "mean_columnwise_spearman", one_constant)
    assert re.search(
        r"every one of the new test set's \d+ answers in column target_2 is '0', and mean_columnwise_spearman cannot "
        r"grade answers that never vary \(graded against themselves they score nan, not 1\)",
        message,
    ), message


@pytest.mark.parametrize("metric, value", [("accuracy", "alpha"), ("rmspe", "5"), ("log_loss", "0")])
def test_answers_that_never_vary_are_published_where_the_metric_grades_them(tmp_path, metric, value):
    slug, raw, recipe, root, _ = generated_download(tmp_path, metric)
    frame = _train(raw)
    frame["target"] = value
    frame.to_csv(raw / "train.csv", index=False)
    assert prepare_competition(slug, recipe, raw, root.prepared_root, "description").published


def test_a_constant_target_is_not_blamed_for_another_targets_fault(tmp_path):
    """lish-moa-like: label_2 never positive (column-wise log loss grades it) and label_1's answers soft labels, the
    fault; the refusal was about label_2."""

    def soft_and_constant(download: Path) -> None:
        frame = _train(download)
        frame["label_1"] = frame["label_1"].map({"0": "0.3", "1": "0.7"})
        frame["label_2"] = "0"
        frame.to_csv(download / "train.csv", index=False)

    message = _refused(tmp_path, "mean_columnwise_log_loss", soft_and_constant)
    assert (
        "label_2" not in message and "column 'label_1' of train.csv holds 240 value(s) that are not 0 or 1" in message
    )


@pytest.mark.parametrize("metric", ["auc", "log_loss"])
def test_answers_that_are_no_0_or_1_label_are_refused_under_a_binary_metric(tmp_path, metric):
    """A label 0.3 is inside 0..1, the predictions' domain: the split published, and parity's baseline then failed
    with sklearn's "Unknown label type: continuous"."""

    def fractions(download: Path) -> None:
        frame = _train(download)
        frame["target"] = frame["target"].map({"0": "0", "1": "0.3"})
        frame.to_csv(download / "train.csv", index=False)

    message = _refused(tmp_path, metric, fractions)
    assert re.search(r"column 'target' of train.csv holds \d+ value\(s\) that are not 0 or 1 on the 240 rows", message)
    assert f"{metric} needs answers that are labels 0 or 1 (the predictions are probabilities of the 1)" in message


def _freesound_sample(download: Path) -> None:
    """Kaggle's sample predicts one probability column per class, while the train file holds a comma-separated list
    of labels (freesound-audio-tagging-2019's 80 classes, its metric not in the registry)."""
    frame = _train(download)
    frame["target"] = [("alpha,beta", "gamma", "beta")[i % 3] for i in range(len(frame))]
    frame.to_csv(download / "train.csv", index=False)
    ids = pd.read_csv(download / "test.csv")["id"]
    pd.DataFrame({"id": ids, "alpha": 0.5, "beta": 0.5, "gamma": 0.5}).to_csv(
        download / "sample_submission.csv", index=False
    )


def test_without_a_metric_a_sample_that_does_not_fit_the_answers_is_refused(tmp_path):
    """Published before: a sample of id plus class columns beside answers of id and a label list, so no submission
    that follows the sample could be graded (freesound, uw-madison's id,class,predicted against id,class,segmentation)."""
    from validation.split_recipe import parse_recipe

    slug, raw, recipe, root, _ = generated_download(tmp_path, "accuracy", reshape=_freesound_sample)
    document = {k: v for k, v in recipe.to_document().items() if k != "metric"} | {"kind": "random"}
    with pytest.raises(UngradableAnswers) as refusal:
        prepare_competition(slug, parse_recipe(document, "recipe"), raw, root.prepared_root, "description")
    assert str(refusal.value).startswith(
        "g-accuracy: the built sample_submission.csv (from the download's sample_submission.csv) has the columns id, "
        "alpha, beta, gamma, but the new answers have id, target: a submission that follows the sample could not be "
        "graded"
    ), refusal.value
    assert not root.prepared_root.exists() or list(root.prepared_root.iterdir()) == []
    without_sample = {k: v for k, v in document.items() if k != "sample_submission_file"}
    prepared = prepare_competition(slug, parse_recipe(without_sample, "recipe"), raw, root.prepared_root, "description")
    assert prepared.published


@pytest.mark.parametrize("change, found", [("zero", "have no count in any of the target columns"),
                                           ("negative", "negative value(s) on the")])  # fmt: skip
def test_a_distributions_row_without_a_count_or_with_a_negative_one_is_refused_naming_it(tmp_path, change, found):
    """kl_divergence grades each row's counts as shares of their sum: a row of zeros has none (its shares are 0/0),
    and a negative count is no count. Refused before anything is published, naming the row; every row's counts
    changed here, so the new test set takes some whatever the seed."""

    def broken(download: Path) -> None:
        frame = _train(download)
        if change == "zero":
            frame[["vote_1", "vote_2", "vote_3"]] = "0"
        else:
            frame["vote_2"] = "-1"
        frame.to_csv(download / "train.csv", index=False)

    message = _refused(tmp_path, "kl_divergence", broken)
    assert message.startswith("g-kl-divergence: ") and found in message, message
    assert "id '" in message and "of train.csv (rows counted from 1 under its header)" in message, message


def test_the_built_sample_avoids_values_mlebenchs_graders_refuse(tmp_path):
    """A newcomer's sweep: chaii's sample answers "1" for a text target (pandas reads a number, and MLE-bench's
    grader fails on it), and lmsys' 0.333333 per class sums to 0.999999 (MLE-bench's grader refuses the row). The
    built sample takes the target's trivial text, and 1/k in full."""

    def numbers_for_text(download: Path) -> None:
        sample = pd.read_csv(download / "sample_submission.csv", dtype=str).assign(target="1")
        sample.to_csv(download / "sample_submission.csv", index=False)

    folder, *_ = generated_split(tmp_path / "text", "word_jaccard", reshape=numbers_for_text)
    built = pd.read_csv(folder.sample_submission, dtype=str, keep_default_na=False)["target"]
    assert built.nunique() == 1 and not built.iloc[0].replace(".", "").isdigit(), built.iloc[0]
    folder, *_ = generated_split(tmp_path / "classes", "multiclass_log_loss")
    sample = pd.read_csv(folder.sample_submission)
    classes = [c for c in sample.columns if c != "id"]
    assert len(classes) == 3 and (sample[classes] == 1 / 3).all().all()
    assert (sample[classes].sum(axis=1).round(5) == 1).all()


def test_a_one_hot_targets_sample_of_about_a_third_each_is_built_with_thirds_in_full(tmp_path):
    """lmsys-chatbot-arena's layout: the targets are the class columns (winner_model_a, winner_model_b, winner_tie),
    Kaggle's sample 0.333333 each; a review found the 1/k fix missing this layout (MLE-bench's grader refused the
    sample: its rows sum to 0.999999)."""
    import random

    raw, rng = tmp_path / "raw", random.Random(3)
    raw.mkdir()
    classes = ["winner_model_a", "winner_model_b", "winner_tie"]
    rows = []
    for i in range(300):
        won = rng.randrange(3)
        rows.append(
            {"id": i, "prompt": rng.choice(["hi", "why", "how"]), **{c: int(k == won) for k, c in enumerate(classes)}}
        )
    pd.DataFrame(rows).to_csv(raw / "train.csv", index=False)
    pd.DataFrame({"id": [1000, 1001], **dict.fromkeys(classes, "0.333333")}).to_csv(raw / "sample_submission.csv",
                                                                                    index=False)  # fmt: skip
    recipe = {"kind": "random", "id_column": "id", "target_columns": classes, "metric": "multiclass_log_loss",
              "sample_submission_file": "sample_submission.csv"}  # fmt: skip
    prepared = prepare_competition("lmsys", parse_recipe(recipe, where="r"), raw, tmp_path / "prepared", "")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    sample = pd.read_csv(PreparedFolder(prepared.folder).sample_submission)
    assert (sample[classes] == 1 / 3).all().all()


def test_a_class_no_new_test_row_has_is_no_refusal_under_lwlrap(tmp_path):
    """A review: lwlrap scores each row's columns together, yet a class column all 0 in the new test set (a rare
    class, normal among freesound's 80) was refused as answers that never vary, each column scored alone."""

    def rare_last_class(raw):
        frame = _train(raw)
        last = [c for c in frame.columns if c.startswith("label_")][-1]
        frame[last] = "0"  # a class no row of this download has (the new test set's draw leaves rare ones out)
        frame.to_csv(raw / "train.csv", index=False)

    slug, raw, recipe, root, _ = generated_download(tmp_path, "lwlrap", "--targets", "5", reshape=rare_last_class)
    prepared = prepare_competition(slug, recipe, raw, root.prepared_root, "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]


def test_answers_without_a_true_label_under_lwlrap_say_so(tmp_path):
    """A review: with every class 0 in the new test set, lwlrap's refusal blamed the built sample submission."""

    def no_labels(raw):
        frame = _train(raw)
        for column in [c for c in frame.columns if c.startswith("label_")]:
            frame[column] = "0"
        frame.to_csv(raw / "train.csv", index=False)

    message = _refused(tmp_path, "lwlrap", no_labels, "--targets", "3")
    assert message.startswith("g-lwlrap: the new test set's ")
    assert (
        "answers hold no true label in any of label_1, label_2, label_3, and lwlrap cannot grade answers without "
        "one." in message
    )


def test_a_sample_naming_its_prediction_otherwise_than_the_train_file_advises_submission_columns(tmp_path):
    """Sweep 179's jigsaw-unintended-bias: Kaggle's sample is `id,prediction`, the train file's target `target`; the
    refusal named three keys to check and not `submission_columns`, which fixes it."""
    from validation.split_recipe import parse_recipe

    slug, raw, recipe, root, _ = generated_download(tmp_path, "rmse")
    sample = pd.read_csv(raw / "sample_submission.csv", dtype=str)
    target = recipe.target_columns[0]
    sample.rename(columns={target: "prediction"}).to_csv(raw / "renamed.csv", index=False)
    document = recipe.to_document() | {"sample_submission_file": "renamed.csv"}
    with pytest.raises(UngradableAnswers) as refused:
        prepare_competition(slug, parse_recipe(document, "r"), raw, root.prepared_root, "description")
    keys = [c for c in sample.columns if c != target]
    mapping = ", ".join(f"{c}: {c}" if c != target else f"prediction: {target}" for c in sample.columns)
    assert (
        f"renamed.csv names its prediction column(s) prediction where the train file has {target}: name the "
        f"submission's columns in split recipe key 'submission_columns' ({{{mapping}}})" in str(refused.value)
    ), str(refused.value)
    advised = document | {"submission_columns": {**{k: k for k in keys}, "prediction": target}}
    prepared = prepare_competition(slug, parse_recipe(advised, "r"), raw, root.prepared_root, "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]


def test_no_mapping_is_advised_where_the_samples_columns_do_not_pair_one_for_one():
    """Review 180: the advice paired a sample's `Id` (the id spelt otherwise) with a target, and two renamed
    predictions with two targets by position (the wrong way round)."""
    from validation.gradable_answers import _sample_advice

    class Folder:
        def __init__(self, tmp, answers, sample):
            self.answers, self.sample_submission = tmp / "answers.csv", tmp / "sample.csv"
            self.answers.write_text(answers + "\n")
            self.sample_submission.write_text(sample + "\n")

    import tempfile

    tmp = Path(tempfile.mkdtemp())
    recipe = {"sample_submission_file": "s.csv", "id_column": "id", "target_columns": ["a", "b"]}
    assert "submission_columns' ({Id" not in _sample_advice(Folder(tmp, "id,a,b", "Id,a"), recipe)
    recipe = {"sample_submission_file": "s.csv", "id_column": "id", "target_columns": ["x", "y"]}
    assert "names its prediction" not in _sample_advice(Folder(tmp, "id,x,y", "id,pred_y,pred_x"), recipe)
    recipe = {"sample_submission_file": "s.csv", "id_column": "id", "target_columns": ["target"]}
    assert "({id: id, prediction: target})" in _sample_advice(Folder(tmp, "id,target", "id,prediction"), recipe)
