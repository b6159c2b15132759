"""`mlecurate generate-competition`: a made-up competition of any metric, laid out as a Kaggle mirror, that a
newcomer annotates and runs through data, split and parity with the README's commands.

The acceptance (issue 9): a generated two-target regression competition with a column-wise metric and a labelled
original test set gets a parity verdict judged on the original labels, per target and combined.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import re
import zipfile
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from assets import competition_data, parity
from assets.partitions import curated_competition_partitions
from assets.resources import SourcesResource, StorageResource
from curation.cli import main
from tests.conftest import generated_split, step_failure_message
from validation.data_root import DataRoot
from validation.grading import grade_submission
from validation.leaderboard import parse_leaderboard
from validation.metrics import METRICS, rmsle
from validation.parity import parity_report
from validation.parity_inputs import load_parity_inputs

SLUG = "generated-mean-columnwise-rmsle"


def _generate(mirror: Path, *args: str) -> int:
    return main(["generate-competition", str(mirror), *args])


def _annotated_and_prepared(
    tmp_path: Path, mirror: Path, slug: str, succeeds: bool = True
) -> dg.ExecuteInProcessResult:
    """The README's next commands for a generated competition: annotate it with its recipe and --allow-unknown, then
    its partition's data, split and parity (home tmp_path/home, annotations tmp_path/annotations)."""
    assert main(["annotate", slug, "--curator", "alice", "--decision", "include", "--split-recipe",
                 str(mirror / slug / "recipe.yaml"), "--allow-unknown"]) == 0  # fmt: skip
    (tmp_path / "dagster").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "dagster"))  # keeps compute logs: pictures are shown
    instance.add_dynamic_partitions(curated_competition_partitions.name, [slug])
    result = dg.materialize(
        dg.load_assets_from_modules([competition_data, parity]), partition_key=slug, instance=instance,
        raise_on_error=succeeds,
        # MLECURATE_KAGGLE_MIRROR=DIR MLECURATE_LEADERBOARDS=DIR: the generated folder is both, as the README says
        resources={"sources": SourcesResource(kaggle_mirror=str(mirror), leaderboards=str(mirror)),
                   "storage": StorageResource(home=str(tmp_path / "home"), annotations=str(tmp_path / "annotations"))},
    )  # fmt: skip
    assert result.success is succeeds
    return result


def test_a_generated_two_target_competition_gets_parity_judged_on_the_original_labels(tmp_path, monkeypatch, capsys):
    """The README's commands: generate, annotate with --allow-unknown, then data, split and parity from the mirror."""
    home, mirror = tmp_path / "home", tmp_path / "mirror"
    monkeypatch.setenv("MLECURATE_HOME", str(home))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(tmp_path / "annotations"))
    assert _generate(mirror, "--metric", "mean_columnwise_rmsle", "--targets", "2", "--labelled-test") == 0
    folder = mirror / SLUG
    assert sorted(p.name for p in folder.iterdir()) == [f"{SLUG}.zip", "leaderboard.csv", "recipe.yaml"]
    assert f"mlecurate annotate {SLUG} --curator NAME" in capsys.readouterr().out
    result = _annotated_and_prepared(tmp_path, mirror, SLUG)
    metadata = result.asset_materializations_for_node("split_parity")[0].metadata
    report = json.loads((home / "prepared" / SLUG / "parity.json").read_text())
    assert report["metric"] == "mean_columnwise_rmsle"
    # judged on the original labels, with each target's gap
    assert report["verdict"] == metadata["verdict"].value == "parity", report["reason"]
    assert (
        "on the original test" in report["reason"] and "per target (new minus original): target_1 " in report["reason"]
    )
    assert ", target_2 " in report["reason"]
    rows = {(r["submission"], r["test_set"], r["target"]): r for r in report["rows"]}
    expected = {(s, t, target) for s in ("sample submission", "baseline") for t in ("new test", "original test")
                for target in ("target_1", "target_2", None)}  # fmt: skip
    assert set(rows) == expected and len(report["rows"]) == len(expected)
    for row in report["rows"]:
        assert row["low"] <= row["score"] <= row["high"], row  # every row, per target too, has its interval
    for submission in ("sample submission", "baseline"):
        for test_set in ("new test", "original test"):
            parts = [rows[(submission, test_set, t)]["score"] for t in ("target_1", "target_2")]
            assert rows[(submission, test_set, None)]["score"] == pytest.approx(np.mean(parts), abs=1e-5)
    # per-target scores are the metric on that column: the sample predicts 0 everywhere
    answers = pd.read_csv(home / "prepared" / SLUG / "private" / "answers.csv")
    with zipfile.ZipFile(folder / f"{SLUG}.zip") as bundle:
        labelled = pd.read_csv(io.BytesIO(bundle.read("test_with_solutions.csv")))
    for test_set, truth in (("new test", answers), ("original test", labelled)):
        assert rows[("sample submission", test_set, None)]["rows"] == len(truth)
        for target in ("target_1", "target_2"):
            zero = rmsle(truth[target], np.zeros(len(truth)))
            assert rows[("sample submission", test_set, target)]["score"] == pytest.approx(zero, abs=1e-5)
    assert rows[("baseline", "new test", "target_1")]["score"] != rows[("baseline", "new test", "target_2")]["score"]
    # the asset's metadata: the scores table has the target column; left-out columns are listed
    scores = metadata["scores"].value
    assert "| target |" in scores and "| target_2 |" in scores and "| all |" in scores
    body = scores.splitlines()[2:]  # the combined scores first: with hundreds of targets they were cut off
    assert all("| all |" in line for line in body[:4]) and not any("| all |" in line for line in body[4:])
    intervals = metadata["intervals"].value  # a picture: a PNG the webserver serves from the instance
    picture = re.fullmatch(r"!\[parity intervals[^\]]*\]\(/logs/mlecurate-pictures/(\w+)/png\)", intervals)
    assert picture and (tmp_path / "dagster" / "storage" / "mlecurate-pictures" / f"{picture[1]}.png").is_file()
    assert "id column" in metadata["excluded_columns"].value
    excluded = {(e["column"], e["left_out_of"]): e["reason"] for e in report["excluded_columns"]}
    assert excluded[("id", "baseline")].startswith("id column")
    assert excluded[("target_1", "baseline")].startswith("a target")
    assert excluded[("id", "feature comparison")].startswith("id column")
    assert report["sample_medal"] is False  # the generated board, from the mirror


@pytest.mark.parametrize(
    "metric, options",
    [("rmse", ["--kind", "temporal", "--format", "parquet", "--text-ids"]),
     ("auc", ["--kind", "group", "--format", "json", "--no-id"]),
     ("word_jaccard", ["--kind", "released_labels", "--labelled-test", "--format", "parquet",
                       "--sample-name", "sampleSubmission.csv"])],
)  # fmt: skip
def test_a_competition_of_another_kind_and_format_goes_through_the_readme_path(tmp_path, monkeypatch, metric, options):
    """generate-competition's shapes, as a curator meets them in real competitions, through the same Dagster assets
    the README's prepare_competition job runs: data from the mirror, split, parity."""
    slug, home, mirror = f"shaped-{metric.replace('_', '-')}", tmp_path / "home", tmp_path / "mirror"
    monkeypatch.setenv("MLECURATE_HOME", str(home))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(tmp_path / "annotations"))
    assert _generate(mirror, "--metric", metric, "--slug", slug, "--rows", "300", *options) == 0
    recipe = yaml.safe_load((mirror / slug / "recipe.yaml").read_text())
    _annotated_and_prepared(tmp_path, mirror, slug)
    folder = DataRoot(home).prepared(slug)
    extension = "." + options[options.index("--format") + 1]
    assert sorted(p.name for p in folder.public.iterdir() if p.name.startswith(("train", "test"))) == [
        f"test{extension}", f"train{extension}"]  # fmt: skip
    report = json.loads((folder.path / "parity.json").read_text())
    assert report["verdict"] in ("parity", "drift"), report["reason"]
    train, answers = (
        duckdb.sql(f"SELECT * FROM '{folder.public / f'train{extension}'}'").df(),
        pd.read_csv(folder.answers),
    )
    if recipe["kind"] == "temporal":  # the latest rows are the new test set: every answer id is after every train id
        assert answers["id"].str.lstrip("r").astype(int).min() > train["id"].str.lstrip("r").astype(int).max()
    if recipe["kind"] == "group":  # whole users on one side
        test = duckdb.sql(f"SELECT * FROM '{folder.public / f'test{extension}'}'").df()
        assert not set(test["user"]) & set(train["user"]) and "id" not in test.columns
    if recipe["kind"] == "released_labels":  # the new test set is the original one, labelled by the released file
        assert len(answers) == len(duckdb.sql(f"SELECT * FROM '{DataRoot(home).raw(slug).files / 'test.parquet'}'"))
        assert recipe["sample_submission_name"] == "sampleSubmission.csv"  # the name `mlecurate export` gives it
        assert recipe["sample_submission_file"] == "sampleSubmission.csv"  # and the one the download ships it under
        assert (DataRoot(home).raw(slug).files / "sampleSubmission.csv").is_file()
        assert not (DataRoot(home).raw(slug).files / "sample_submission.csv").exists()


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_every_registry_metric_generates_a_competition_that_splits_grades_and_has_parity(tmp_path, metric):
    spec = METRICS[metric]
    folder, raw, recipe, board_file = generated_split(tmp_path, metric, "--rows", "300", "--labelled-test")
    assert recipe["metric"] == metric and recipe["original_answers_file"] == "test_with_solutions.csv"
    written = pd.read_csv(board_file)
    assert list(written.columns) == ["scoreNullable", "teamId", "hasTeamName", "submissionDate", "score", "hasScore"]
    assert written["score"].tolist() == sorted(written["score"], reverse=spec.higher_is_better)  # best first
    board = parse_leaderboard(board_file.read_bytes(), str(board_file))
    answers = grade_submission(folder.answers, folder, metric, board)
    assert answers.valid_submission and answers.score == spec.perfect and answers.gold_medal, answers.errors
    sample = grade_submission(folder.sample_submission, folder, metric, board)
    assert sample.valid_submission and not sample.any_medal, sample.errors
    report = parity_report(load_parity_inputs(folder, raw, recipe, metric, board))
    sets = {r["test_set"] for r in report.rows}
    assert sets == {"new test", "original test"}
    assert "on the original test" in report.reason and report.verdict in ("parity", "drift")
    targets = {r["target"] for r in report.rows}
    assert targets == ({None, *recipe["target_columns"]} if spec.scored_by_column else {None})
    assert all(math.isfinite(r["score"]) for r in report.rows), report.rows
    assert report.sample_medal is False


@pytest.mark.parametrize("shape", [["--no-id"], []], ids=["no-id", "id"])
def test_a_per_class_metric_with_no_shipped_sample_gets_one_uniform_column_per_class(tmp_path, monkeypatch, shape):
    """multiclass log loss and no sample submission (--no-id ships none; with ids the recipe leaves it out): the split
    builds one of the key columns and one column per class of the labels (sorted, as text), each 1/k, on the new test
    rows in the test file's order; the answers are one-hot, and parity scores the sample ln k on the new and the
    original test set. Parity once refused it: the built sample had the label column, 'target'."""
    slug, mirror, home = "shaped-per-class", tmp_path / "mirror", tmp_path / "home"
    monkeypatch.setenv("MLECURATE_HOME", str(home))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(tmp_path / "annotations"))
    options = ["--metric", "multiclass_log_loss", "--slug", slug, "--rows", "200", "--kind", "temporal", "--format",
               "json", "--labelled-test", *shape]  # fmt: skip
    assert _generate(mirror, *options) == 0
    recipe_file = mirror / slug / "recipe.yaml"
    recipe = yaml.safe_load(recipe_file.read_text())
    recipe.pop("sample_submission_file", None)
    recipe_file.write_text(yaml.safe_dump(recipe))
    _annotated_and_prepared(tmp_path, mirror, slug)
    folder = DataRoot(home).prepared(slug)
    test = duckdb.sql(f"SELECT * FROM '{folder.public / 'test.json'}'").df().astype(str)
    keys, classes = ["id"] if "id_column" in recipe else list(test.columns), ["alpha", "beta", "gamma"]
    sample = pd.read_csv(folder.sample_submission, dtype=str, keep_default_na=False)
    assert list(sample.columns) == [*keys, *classes]
    assert (sample[classes] == repr(1 / 3)).all().all()
    assert sample[keys[0]].tolist() == test[keys[0]].tolist()  # the new test rows, in the test file's order
    answers = pd.read_csv(folder.answers)
    assert list(answers.columns) == [*keys, *classes] and (answers[classes].sum(axis=1) == 1).all()
    report = json.loads(folder.parity.read_text())
    scores = {(r["submission"], r["test_set"]): r["score"] for r in report["rows"]}
    uniform = round(math.log(3), 5)
    assert scores[("sample submission", "new test")] == scores[("sample submission", "original test")] == uniform
    graded = grade_submission(folder.sample_submission, folder, "multiclass_log_loss")
    assert graded.valid_submission and graded.score == uniform, graded.errors
    assert grade_submission(folder.answers, folder, "multiclass_log_loss").score == 0.0


def test_a_per_class_metric_over_a_shipped_label_sample_names_the_recipe_key(tmp_path, monkeypatch):
    """A recipe naming multiclass log loss for a competition whose own sample predicts labels (id, target): the split
    (grading its sample before publishing) names the sample and the recipe key to check, rather than parity failing on
    'Unable to parse string "gamma"'."""
    slug, mirror = "labels-as-per-class", tmp_path / "mirror"
    monkeypatch.setenv("MLECURATE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(tmp_path / "annotations"))
    assert _generate(mirror, "--metric", "accuracy", "--slug", slug, "--rows", "200") == 0
    recipe_file = mirror / slug / "recipe.yaml"
    recipe_file.write_text(yaml.safe_dump(yaml.safe_load(recipe_file.read_text()) | {"metric": "multiclass_log_loss"}))
    result = _annotated_and_prepared(tmp_path, mirror, slug, succeeds=False)
    assert (
        f"{slug}: metric multiclass_log_loss scores one probability column per class, but the new sample submission "
        "has the label column(s) 'target', as the competition's own sample sample_submission.csv (split recipe key "
        "'sample_submission_file') has: it predicts labels, so check split recipe key 'metric'"
    ) in step_failure_message(result)
    assert not DataRoot(tmp_path / "home").prepared(slug).path.exists()  # refused: nothing published


@pytest.mark.parametrize("shape", [[], ["--kind", "temporal", "--format", "parquet", "--text-ids"],
                                   ["--kind", "group", "--format", "json", "--no-id"],
                                   ["--format", "tsv", "--inner-archive", "7z"],
                                   ["--format", "json", "--gzip", "--inner-archive", "tar.gz"]])  # fmt: skip
def test_the_same_options_give_the_same_bytes(tmp_path, shape):
    for run in ("one", "two"):
        options = ["--metric", "multiclass_log_loss", "--rows", "60", "--labelled-test", *shape]
        assert _generate(tmp_path / run, *options) == 0
    for name in ("generated-multiclass-log-loss.zip", "leaderboard.csv", "recipe.yaml"):
        one = (tmp_path / "one" / "generated-multiclass-log-loss" / name).read_bytes()
        assert one == (tmp_path / "two" / "generated-multiclass-log-loss" / name).read_bytes(), name


def test_a_tsv_competition_in_inner_7z_archives_goes_through_the_readme_path(tmp_path, monkeypatch):
    """movie-review-sentiment-analysis's layout (tab-separated tables) packed as statoil's are (``train.tsv.7z`` in
    the zip), through the Dagster assets: the download extracts the 7z archives in place, the split reads and
    publishes TSV (train.tsv, test.tsv, tab-separated), the answers stay CSV and grade perfect, parity is measured."""
    slug, home, mirror = "reviews", tmp_path / "home", tmp_path / "mirror"
    monkeypatch.setenv("MLECURATE_HOME", str(home))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(tmp_path / "annotations"))
    assert _generate(mirror, "--metric", "accuracy", "--slug", slug, "--rows", "300", "--format", "tsv",
                     "--inner-archive", "7z") == 0  # fmt: skip
    with zipfile.ZipFile(mirror / slug / f"{slug}.zip") as bundle:
        assert bundle.namelist() == ["train.tsv.7z", "test.tsv.7z", "sample_submission.csv"]
    _annotated_and_prepared(tmp_path, mirror, slug)
    root = DataRoot(home)
    assert sorted(p.name for p in root.raw(slug).files.iterdir()) == ["sample_submission.csv", "test.tsv", "train.tsv"]
    folder = root.prepared(slug)
    assert sorted(p.name for p in folder.public.iterdir()) == [
        "description.md", "sample_submission.csv", "test.tsv", "train.tsv"]  # fmt: skip
    for name in ("train.tsv", "test.tsv"):
        header = (folder.public / name).read_text().splitlines()[0]
        assert header.startswith("id\tx1\t") and "," not in header, header
    train = pd.read_csv(folder.public / "train.tsv", sep="\t")
    answers = pd.read_csv(folder.answers)  # CSV, as MLE-bench's grader reads it
    assert list(answers.columns) == ["id", "target"] and not set(train["id"]) & set(answers["id"])
    assert len(train) + len(answers) == 300
    raw_lines = (root.raw(slug).files / "train.tsv").read_text().splitlines(keepends=True)
    assert set((folder.public / "train.tsv").read_text().splitlines(keepends=True)) <= set(raw_lines)  # its own lines
    report = grade_submission(folder.answers, folder, "accuracy")
    assert report.valid_submission and report.score == 1.0, report.errors
    assert json.loads(folder.parity.read_text())["verdict"] in ("parity", "drift")
    assert "`train.tsv`" in folder.description.read_text()


@pytest.mark.parametrize(
    "metric, options",
    [("auc", ["--gzip"]),
     ("rmse", ["--format", "tsv", "--gzip", "--inner-archive", "tar.gz", "--kind", "temporal"]),
     ("auc", ["--format", "json", "--gzip", "--kind", "group"]),
     ("rmse", ["--gzip", "--labelled-test", "--kind", "released_labels", "--inner-archive", "zip"])],
)  # fmt: skip
def test_gzipped_tables_are_split_and_published_uncompressed(tmp_path, metric, options):
    """Kaggle's ``train.csv.gz`` (and a gzip'd TSV or JSON, bare or in an inner archive) is a recipe file DuckDB reads
    as it is; the split publishes it uncompressed under the same format (``train.csv``), so the grader, parity and an
    agent's pandas read one plain file; the answers grade perfect."""
    folder, raw, recipe, _ = generated_split(tmp_path, metric, "--rows", "200", *options)
    extension = {"--format": None} | dict(zip(options[::2], options[1::2], strict=False))
    fmt = extension["--format"] or "csv"
    assert recipe["train_file"] == f"train.{fmt}.gz" and (raw / recipe["train_file"]).is_file()
    assert not [p for p in raw.iterdir() if p.name.endswith((".zip", ".7z", ".tar.gz"))]  # inner archives extracted
    published = sorted(p.name for p in folder.public.iterdir() if p.name.startswith(("train", "test")))
    assert published == [f"test.{fmt}", f"train.{fmt}"]
    with gzip.open(raw / recipe["train_file"], "rb") as original:
        rows = len(duckdb.sql(f"SELECT * FROM read_json_auto('{raw / recipe['train_file']}')")) if fmt == "json" else (
            original.read().count(b"\n") - 1)  # fmt: skip
    manifest = folder.read_manifest()
    assert manifest["rows"]["original"] == rows
    report = grade_submission(folder.answers, folder, metric)
    assert report.valid_submission and report.score == (0.0 if metric == "rmse" else 1.0), report.errors


def test_targets_shape_the_files_and_the_recipe(tmp_path):
    folder, _, recipe, _ = generated_split(tmp_path, "mean_columnwise_auc", "--targets", "5", "--rows", "120")
    assert recipe["target_columns"] == [f"label_{i}" for i in range(1, 6)]
    assert "original_answers_file" not in recipe
    assert list(pd.read_csv(folder.sample_submission).columns) == ["id", *recipe["target_columns"]]


@pytest.mark.parametrize(
    "args, expected",
    [(["--metric", "auc", "--targets", "2"],
      "error: metric auc (task binary) scores one target column, not 2; several targets need a metric of several "
      "target columns (kl_divergence, lwlrap, mean_columnwise_auc, mean_columnwise_log_loss, mean_columnwise_mae, mean_columnwise_rmse, "
      "mean_columnwise_rmsle, mean_columnwise_spearman)"),
     (["--metric", "kl_divergence", "--targets", "1"], "error: metric kl_divergence (task distribution) scores a "
      "distribution over several classes, a target column each: give 2 targets or more"),
     (["--metric", "r3"], "Invalid value for '--metric': 'r3' is not one of"),
     (["--metric", "auc", "--slug", "../elsewhere"], "'../elsewhere' is not a competition slug"),
     (["--metric", "auc", "--rows", "5"], "Invalid value for '--rows': 5 is not in the range x>=40"),
     (["--metric", "rmse", "--targets", "0"], "Invalid value for '--targets': 0 is not in the range 1<=x<=50"),
     (["--metric", "rmse", "--kind", "stratified"],
      "error: kind stratified keeps each class's share: the metric's target is not a class (use random, group or "
      "temporal)"),
     (["--metric", "auc", "--kind", "released_labels"],
      "error: kind released_labels splits along the original test set's released labels: ask for them too "
      "(--labelled-test)"),
     (["--metric", "auc", "--format", "xml"], "Invalid value for '--format': 'xml' is not one of 'csv', 'tsv', "
      "'json', 'parquet'"),
     (["--metric", "auc", "--format", "parquet", "--gzip"],
      "error: a gzip'd Parquet file is not a table DuckDB reads: --gzip takes csv, tsv or json"),
     (["--metric", "auc", "--inner-archive", "rar"], "Invalid value for '--inner-archive': 'rar' is not one of"),
     (["--metric", "auc", "--row-files", "png", "--no-id"],
      "error: row files are named by the row's id: --row-files needs an id column (drop --no-id)"),
     (["--metric", "auc", "--no-id", "--text-ids"],  # was accepted, and --text-ids silently did nothing
      "error: --text-ids writes the id column as text: it needs one (drop --no-id)"),
     (["--metric", "auc", "--row-files", "png", "--kind", "released_labels", "--labelled-test"],
      "error: kind released_labels keeps Kaggle's train and test sets whole: its files need no row_files"),
     (["--metric", "accuracy", "--filed-by-label"],
      "error: files filed by label are row files: --filed-by-label needs --row-files"),
     (["--metric", "accuracy", "--row-files", "png", "--filed-by-label", "--kind", "group"],
      "error: files filed by label are listed as a table of their id and label alone: kind group needs a column"),
     (["--metric", "rmse", "--row-files", "png", "--filed-by-label"],
      "error: files filed by label need one class target to name their folders"),
     (["--metric", "auc", "--sample-name", "train.csv"],  # a review: the sample replaced the train table
      "error: the sample submission's name 'train.csv' is another file of the competition"),
     (["--metric", "auc", "--train-name", "sample_submission"],
      "error: train table name 'sample_submission': expected a file name without its suffix"),
     (["--metric", "auc", "--train-name", "Test"],  # a review: Test.csv beside test.csv in one zip
      "error: train table name 'Test': expected a file name without its suffix"),
     (["--metric", "auc", "--train-name", "train.csv"], "error: train table name 'train.csv': expected a file name "
      "without its suffix (letters, digits, '_', '-', '.', starting with a letter or digit; train_labels, not "
      "train_labels.csv)"),
     (["--metric", "mean_columnwise_auc", "--targets", "12", "--kind", "stratified", "--rows", "300"],  # a sweep
      "error: kind stratified keeps each combination of the 12 targets' values, and they make 205 among the 300 "
      "train rows, more than half of them (the split refuses it): fewer --targets, more --rows, or kind random"),
     (["--metric", "accuracy", "--row-files", "png", "--filed-by-label", "--train-name", "train_labels"],
      "error: files filed by label have no train table to name: drop --train-name or --filed-by-label"),
     (["--metric", "auc", "--train-name", "../labels"],
      "error: train table name '../labels': expected a file name without its suffix"),
     (["--metric", "auc", "--no-test-table"],
      "error: without a test table, Kaggle's test set is its files alone: --no-test-table needs --row-files"),
     (["--metric", "auc", "--sample-name", "Train.csv"],  # another file's name in any letter case
      "error: the sample submission's name 'Train.csv' is another file of the competition")],
)  # fmt: skip
def test_bad_options_are_named_and_nothing_is_written(tmp_path, capsys, args, expected):
    assert _generate(tmp_path / "mirror", *args) == 2
    assert expected in " ".join(capsys.readouterr().err.split())
    assert not (tmp_path / "mirror").exists()


def test_a_competition_with_a_file_per_row_goes_through_the_readme_path(tmp_path, monkeypatch):
    """--row-files png: an image per row (train/<id>.png, Kaggle's test rows' in test/). Through the Dagster assets,
    each new train row's image lands in public/train/, each new test row's in public/test/, none of Kaggle's own
    test images; the split's metadata counts them; the answers grade as a perfect submission."""
    from curation.competition_data import read_download_record
    from curation.complexity_features import modality_shares

    slug, home, mirror = "shaped-images", tmp_path / "home", tmp_path / "mirror"
    monkeypatch.setenv("MLECURATE_HOME", str(home))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(tmp_path / "annotations"))
    assert _generate(mirror, "--metric", "auc", "--slug", slug, "--rows", "300", "--row-files", "png") == 0
    recipe = yaml.safe_load((mirror / slug / "recipe.yaml").read_text())
    assert recipe["row_files"] == "train/{id}.png"
    result = _annotated_and_prepared(tmp_path, mirror, slug)
    root = DataRoot(home)
    folder, raw = root.prepared(slug), root.raw(slug).files
    train_ids = pd.read_csv(folder.public / "train.csv", dtype=str)["id"]
    test_ids = pd.read_csv(folder.public / "test.csv", dtype=str)["id"]
    assert sorted(p.name for p in (folder.public / "train").iterdir()) == sorted(f"{i}.png" for i in train_ids)
    assert sorted(p.name for p in (folder.public / "test").iterdir()) == sorted(f"{i}.png" for i in test_ids)
    for i in test_ids:
        assert (folder.public / "test" / f"{i}.png").read_bytes() == (raw / "train" / f"{i}.png").read_bytes()
    assert not {p.name for p in (raw / "test").iterdir()} & {p.name for p in (folder.public / "test").iterdir()}
    metadata = result.asset_materializations_for_node("competition_split")[0].metadata
    assert metadata["row_files_train"].value == len(train_ids) == 240
    assert metadata["row_files_test"].value == len(test_ids) == 60
    assert metadata["row_files_test_bytes"].value == sum(p.stat().st_size for p in (folder.public / "test").iterdir())
    assert "train/" not in metadata["files"].value  # counted, not listed one row each
    whole = {e.check_name: e for e in result.get_asset_check_evaluations()}["row_files_whole"]
    assert whole.passed and whole.description == (
        f"{slug}: 300 row files, none empty; 300 PNG, JPEG, GIF or WAV files start as their formats do and none "
        "looks cut short"
    )
    board = parse_leaderboard((mirror / slug / "leaderboard.csv").read_bytes(), "leaderboard.csv")
    answers = grade_submission(folder.answers, folder, "auc", board)
    assert answers.valid_submission and answers.score == 1.0 and answers.gold_medal, answers.errors
    # the download's modality: the complexity features see images
    shares = modality_shares(read_download_record(root.raw(slug)).files)
    assert shares["image"] > 0.9, shares


def test_kaggles_train_table_name_is_kept_and_a_test_set_of_images_alone_gets_a_test_table(tmp_path, monkeypatch):
    """seti-breakthrough-listen's shape: ``train_labels.csv``, an image per row, and no test table (Kaggle's test set
    is its images and the sample submission). Through the Dagster assets the new training set keeps Kaggle's name,
    as MLE-bench's prepare does (it was published as ``train.csv``), the description names it, and MLE-bench's own
    seti grader scores the published files as mlecurate does."""
    from tests.test_mlebench_conformance import _mlebench_grader

    slug, home, mirror = "shaped-seti", tmp_path / "home", tmp_path / "mirror"
    monkeypatch.setenv("MLECURATE_HOME", str(home))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(tmp_path / "annotations"))
    options = ("--metric", "auc", "--slug", slug, "--rows", "300", "--row-files", "png", "--train-name",
               "train_labels", "--no-test-table")  # fmt: skip
    assert _generate(mirror, *options) == 0
    recipe = yaml.safe_load((mirror / slug / "recipe.yaml").read_text())
    assert recipe["train_file"] == "train_labels.csv" and recipe["test_file"] is None
    _annotated_and_prepared(tmp_path, mirror, slug)
    root = DataRoot(home)
    folder = root.prepared(slug)
    assert not (root.raw(slug).files / "test.csv").exists()
    tables = sorted(p.name for p in folder.public.iterdir() if p.is_file())
    assert tables == ["description.md", "sample_submission.csv", "test.csv", "train_labels.csv"]
    assert "| `train_labels.csv` | 240 | the training set, with the target `target` |" in folder.description.read_text()
    test_ids = pd.read_csv(folder.public / "test.csv", dtype=str)["id"]
    assert sorted(p.name for p in (folder.public / "test").iterdir()) == sorted(f"{i}.png" for i in test_ids)
    answers = pd.read_csv(folder.answers)
    noisy = answers.assign(target=answers["target"].where(answers.index % 4 > 0, 1 - answers["target"]))
    noisy.to_csv(tmp_path / "noisy.csv", index=False)
    theirs = _mlebench_grader("seti-breakthrough-listen", monkeypatch)
    for path in (folder.sample_submission, folder.answers, tmp_path / "noisy.csv"):
        ours = grade_submission(path, folder, "auc")
        assert ours.valid_submission, ours.errors
        assert ours.score == pytest.approx(theirs(pd.read_csv(path), pd.read_csv(folder.answers)), abs=1e-5), path
    assert 0.6 < grade_submission(tmp_path / "noisy.csv", folder, "auc").score < 0.9


def test_a_competition_whose_images_are_filed_by_label_goes_through_the_readme_path(tmp_path, monkeypatch):
    """--row-files png --filed-by-label: no train or test table, each train image under its label (plant-seedlings'
    layout). Through the Dagster assets the recipe's train_listing lists the files as the training table; the split's
    metadata says so; each new test row's image is in public/test/ by its id; the answers grade perfect."""
    slug, home, mirror = "shaped-seedlings", tmp_path / "home", tmp_path / "mirror"
    monkeypatch.setenv("MLECURATE_HOME", str(home))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(tmp_path / "annotations"))
    options = ("--metric", "accuracy", "--slug", slug, "--rows", "200", "--row-files", "png", "--filed-by-label")
    assert _generate(mirror, *options) == 0
    result = _annotated_and_prepared(tmp_path, mirror, slug)
    root = DataRoot(home)
    folder, raw = root.prepared(slug), root.raw(slug).files
    answers = pd.read_csv(folder.answers, dtype=str)
    metadata = result.asset_materializations_for_node("competition_split")[0].metadata
    assert metadata["train_listing"].value == "200 files of train/{target}/{id}.png, listed"
    assert metadata["row_files_test"].value == len(answers) == 40
    for row_id, label in zip(answers["id"], answers["target"], strict=True):
        assert (folder.public / "test" / f"{row_id}.png").read_bytes() == (
            raw / "train" / label / f"{row_id}.png"
        ).read_bytes()
    report = grade_submission(folder.answers, folder, "accuracy")
    assert report.valid_submission and report.score == 1.0, report.errors


@pytest.mark.parametrize("shape", ["renamed", "composite"])
def test_a_distribution_in_submission_columns_publishes_shares_and_a_uniform_sample(tmp_path, shape):
    """kl_divergence with submission_columns: the answers stayed vote counts (the split refused them as values
    outside 0..1, blaming target_columns; a review). Now they are each row's shares under the submission's names,
    the built sample is uniform where Kaggle's has no value, and both grade."""
    options = ["--rows", "200", "--submission-format", shape, "--labelled-test"] + (
        ["--text-ids"] * (shape == "composite")
    )
    folder, raw, recipe, board = generated_split(tmp_path, "kl_divergence", *options)
    predicted = ["vote_1_predicted", "vote_2_predicted", "vote_3_predicted"]
    answers = pd.read_csv(folder.answers)
    assert set(predicted) <= set(answers.columns)
    assert np.allclose(answers[predicted].sum(axis=1), 1) and (answers[predicted] <= 1).all().all()
    assert grade_submission(folder.answers, folder, "kl_divergence").score == 0.0
    sample = grade_submission(folder.sample_submission, folder, "kl_divergence")
    assert sample.valid_submission and sample.score > 0, sample.errors


def test_a_labelled_original_row_without_a_vote_is_left_out_of_the_original_score(tmp_path):
    """One row of zeros in test_with_solutions.csv made every original score undefined, and parity said "no
    original labels" (a review); now that row is left out, said in the notes, and the rest is scored."""

    def zero_votes(download: Path) -> None:
        labelled = pd.read_csv(download / "test_with_solutions.csv")
        labelled.loc[3, ["vote_1", "vote_2", "vote_3"]] = 0
        labelled.to_csv(download / "test_with_solutions.csv", index=False)

    folder, raw, recipe, board = generated_split(tmp_path, "kl_divergence", "--rows", "200", "--labelled-test",
                                                 reshape=zero_votes)  # fmt: skip
    inputs = load_parity_inputs(folder, raw, recipe, "kl_divergence", parse_leaderboard(board.read_bytes(), "board"))
    report = parity_report(inputs)
    original = [r for r in report.rows if r["test_set"] == "original test"]
    assert original and all(math.isfinite(r["score"]) for r in original), report.rows
    assert any("1 of test_with_solutions.csv's" in note and "sum to 0 (first: its row 4)" in note
               for note in report.notes), report.notes  # fmt: skip


def test_a_training_row_without_a_vote_is_left_out_of_the_baseline_with_a_note(tmp_path):
    """hms' train.csv may hold a row of no votes: in the new train set (here: a row the first split put there, split
    again with the same seed) it is published as Kaggle has it, and parity's baseline leaves it out, saying so."""
    folder, raw, recipe, board = generated_split(tmp_path / "first", "kl_divergence", "--rows", "200")
    kept = pd.read_csv(folder.public / "train.csv")["id"].iloc[5]

    def zero_votes(download: Path) -> None:
        train = pd.read_csv(download / "train.csv")
        train.loc[train["id"] == kept, ["vote_1", "vote_2", "vote_3"]] = 0
        train.to_csv(download / "train.csv", index=False)

    folder, raw, recipe, board = generated_split(tmp_path / "again", "kl_divergence", "--rows", "200",
                                                 reshape=zero_votes)  # fmt: skip
    row = pd.read_csv(folder.public / "train.csv")["id"].tolist().index(kept) + 1
    inputs = load_parity_inputs(folder, raw, recipe, "kl_divergence", parse_leaderboard(board.read_bytes(), "board"))
    assert any("1 of its" in note and f"row {row:,} whose counts are negative or sum to 0" in note
               for note in inputs.notes), inputs.notes  # fmt: skip
    assert all(math.isfinite(r["score"]) for r in parity_report(inputs).rows)
