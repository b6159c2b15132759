"""Grading prepared shared competitions: the answers earn gold, the sample no medal, bad submissions never crash."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import SHARED, prepare_shared_competitions
from validation.data_root import DataRoot, PreparedFolder
from validation.grading import grade_submission
from validation.leaderboard import Leaderboard, read_leaderboard

METRIC = {
    "spooky-author-identification": "multiclass_log_loss", "leaf-classification": "multiclass_log_loss",
    "detecting-insults-in-social-commentary": "auc", "random-acts-of-pizza": "auc", "spaceship-titanic": "accuracy",
    "titanic": "accuracy",
}  # fmt: skip
FIELDS = {
    "competition_id", "score", "gold_threshold", "silver_threshold", "bronze_threshold", "median_threshold",
    "any_medal", "gold_medal", "silver_medal", "bronze_medal", "above_median", "submission_exists",
    "valid_submission", "is_lower_better", "created_at", "submission_path",
}  # fmt: skip


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> DataRoot:
    return prepare_shared_competitions(tmp_path_factory.mktemp("home"), METRIC)


def _board(slug: str) -> Leaderboard | None:
    path = SHARED / "mle-bench" / "competitions" / slug / "leaderboard.csv"
    return read_leaderboard(path) if path.exists() else None


@pytest.mark.parametrize("slug", sorted(METRIC))
def test_answers_earn_gold_and_the_sample_no_medal(home, slug):
    folder = home.prepared(slug)
    board = _board(slug)
    perfect = grade_submission(folder.answers, folder, METRIC[slug], board)
    sample = grade_submission(folder.sample_submission, folder, METRIC[slug], board)
    assert set(perfect.to_dict()) >= FIELDS
    assert perfect.valid_submission and sample.valid_submission, (perfect.errors, sample.errors)
    assert not sample.any_medal
    if board is not None:  # titanic's leaderboard is not among MLE-bench's
        assert perfect.gold_medal and perfect.rank == 1
        assert sample.rank > sample.leaderboard_teams * 0.4 and sample.percentile < 60


def _submission(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "submission.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def _answers(home: DataRoot, slug: str) -> list[str]:
    return home.prepared(slug).answers.read_text().splitlines()


@pytest.mark.parametrize(
    "slug, damage, expected",
    [
        ("titanic", lambda lines: lines[:-1], "id(s) missing"),
        ("titanic", lambda lines: lines + [lines[1]], "appear more than once"),
        ("titanic", lambda lines: [lines[0] + ",Extra"] + [line + ",1" for line in lines[1:]], "unexpected column(s): Extra"),
        ("titanic", lambda lines: [lines[0]] + [lines[1].split(",")[0] + ","] + lines[2:], "1 empty value(s)"),
        ("titanic", lambda lines: [lines[0].replace("PassengerId", "Id")] + lines[1:], "missing column(s): PassengerId"),
        ("titanic", lambda lines: [lines[0].replace("PassengerId", " PassengerId ")] + lines[1:], "1 unexpected column(s): ' PassengerId ' (' PassengerId ' for 'PassengerId': names are compared as written, without trimming spaces or folding case)"),
        ("titanic", lambda lines: [lines[0].replace("Survived", "survived")] + lines[1:], "1 unexpected column(s): survived ('survived' for 'Survived': names are compared"),
        ("detecting-insults-in-social-commentary", lambda lines: lines[:1] + [lines[1].replace("0,", "abc,", 1)] + lines[2:], "not numbers"),
        ("spooky-author-identification", lambda lines: [lines[0]] + [line.replace(",0,", ",NaN,", 1) for line in lines[1:]], "empty or NaN"),
    ],
    ids=["missing-id", "repeated-id", "extra-column", "nan", "renamed-id", "spaces-around-a-name", "name-in-other-case",
         "string-for-number", "nan-probabilities"],
)  # fmt: skip
def test_bad_submissions_are_explained_not_crashed(home, tmp_path, slug, damage, expected):
    lines = _answers(home, slug)
    report = grade_submission(
        _submission(tmp_path, "\n".join(damage(lines)) + "\n"), home.prepared(slug), METRIC[slug], _board(slug)
    )
    assert not report.valid_submission and report.score is None and not report.any_medal
    assert any(expected in error for error in report.errors), report.errors


def test_empty_file(home, tmp_path):
    report = grade_submission(_submission(tmp_path, ""), home.prepared("titanic"), "accuracy")
    assert (
        report.submission_exists
        and not report.valid_submission
        and report.errors == [f"{tmp_path / 'submission.csv'}: the file is empty"]
    )


def test_50_mb_of_garbage(home, tmp_path):
    import random

    garbage = random.Random(0).randbytes(50 * 1024**2)
    report = grade_submission(_submission(tmp_path, garbage), home.prepared("titanic"), "accuracy")
    assert not report.valid_submission and "not a submission" in report.errors[0]


def test_garbage_within_the_size_limit(home, tmp_path):
    report = grade_submission(
        _submission(tmp_path, b"\xff\xfe\x00garbage\x00" * 100), home.prepared("titanic"), "accuracy"
    )
    assert not report.valid_submission and "not UTF-8 text" in report.errors[0]


def test_missing_file(home, tmp_path):
    report = grade_submission(tmp_path / "nope.csv", home.prepared("titanic"), "accuracy")
    assert not report.submission_exists and not report.valid_submission


def test_grade_command_prints_the_report(home, monkeypatch, capsys):
    from curation.cli import main

    monkeypatch.setenv("MLECURATE_HOME", str(home.path))
    slug = "spooky-author-identification"
    board = SHARED / "mle-bench" / "competitions" / slug / "leaderboard.csv"
    answers = home.prepared(slug).answers
    assert main(["grade", slug, str(answers), "--metric", "multiclass_log_loss", "--leaderboard", str(board)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["gold_medal"] and report["score"] == 0.0 and report["is_lower_better"]
    sample = home.prepared(slug).sample_submission
    assert main(["grade", slug, str(sample), "--metric", "multiclass_log_loss", "--leaderboard", str(board)]) == 0
    assert not json.loads(capsys.readouterr().out)["any_medal"]
    assert main(["grade", slug, str(home.path / "nope.csv"), "--metric", "multiclass_log_loss"]) == 1
    assert main(["grade", "not-prepared", str(sample)]) == 2


def test_grade_command_names_a_malformed_leaderboard(home, tmp_path, monkeypatch, capsys):
    from curation.cli import main

    monkeypatch.setenv("MLECURATE_HOME", str(home.path))
    board = tmp_path / "leaderboard.csv"
    board.write_text("teamId,points\n1,3\n")
    answers = home.prepared("titanic").answers
    assert main(["grade", "titanic", str(answers), "--metric", "accuracy", "--leaderboard", str(board)]) == 2
    assert f"{board}: no score column (found teamId, points)" in capsys.readouterr().err


def test_grade_prepared_takes_the_board_from_the_file_else_the_current_snapshot(home, tmp_path):
    from curation.leaderboard_history import record_snapshot
    from curation.submission_grading import grade_prepared
    from curation.warehouse import Warehouse

    slug = "spooky-author-identification"
    root = DataRoot(tmp_path)  # its own leaderboard history; the prepared split is the shared one
    root.prepared_root.mkdir()
    root.prepared(slug).path.symlink_to(home.prepared(slug).path)
    answers, warehouse = root.prepared(slug).answers, Warehouse(root.warehouse)  # no Meta Kaggle table
    board_file = SHARED / "mle-bench" / "competitions" / slug / "leaderboard.csv"
    no_board = grade_prepared(slug, answers, root, warehouse, None, None)  # the recipe's metric, no snapshot yet
    assert no_board.metric == "multiclass_log_loss" and no_board.valid_submission and no_board.gold_threshold is None
    from_file = grade_prepared(slug, answers, root, warehouse, None, board_file)
    assert from_file.gold_medal and from_file.leaderboard_teams == read_leaderboard(board_file).team_count
    record_snapshot(root.leaderboards(slug), slug, read_leaderboard(board_file), "mle-bench", False)
    from_snapshot = grade_prepared(slug, answers, root, warehouse, None, None)
    assert from_snapshot.gold_threshold == from_file.gold_threshold and from_snapshot.gold_medal
    # Another metric's scores are not placed on the snapshot's thresholds (a newcomer's RMSLE override earned gold on
    # an RMSE board, notes empty); a metric of the same score is, and a board given with --leaderboard always is.
    other = grade_prepared(slug, answers, root, warehouse, "mean_columnwise_log_loss", None)
    assert other.valid_submission and other.gold_threshold is None and not other.gold_medal
    assert other.notes == [
        f"no medal thresholds, medals or rank: {slug}'s leaderboard snapshot holds scores of multiclass_log_loss, not "
        "of mean_columnwise_log_loss; give --leaderboard with mean_columnwise_log_loss scores to place it"
    ]
    spaceship = "spaceship-titanic"  # accuracy's score is micro F1's: its board places it
    root.prepared(spaceship).path.symlink_to(home.prepared(spaceship).path)
    board = read_leaderboard(SHARED / "mle-bench" / "competitions" / spaceship / "leaderboard.csv")
    record_snapshot(root.leaderboards(spaceship), spaceship, board, "mle-bench", True)
    assert grade_prepared(slug, answers, root, warehouse, "mean_columnwise_log_loss", board_file).gold_medal
    same = grade_prepared(spaceship, root.prepared(spaceship).answers, root, warehouse, "f1_micro", None)
    assert same.gold_medal and same.notes == []


def test_the_snapshots_scores_are_taken_for_meta_kaggles_metric_before_the_recipes(home, tmp_path, monkeypatch):
    """A review: a recipe grading by f1_macro made `--metric accuracy`, Kaggle's own metric, lose its medal, the note
    saying the board held f1_macro scores. The board is Kaggle's: Meta Kaggle's metric places on it too."""
    import shutil

    from curation.leaderboard_history import record_snapshot
    from curation.submission_grading import grade_prepared
    from curation.warehouse import Warehouse

    slug = "spaceship-titanic"
    root = DataRoot(tmp_path)
    root.prepared_root.mkdir()
    shutil.copytree(home.prepared(slug).path, root.prepared(slug).path)
    manifest = json.loads(root.prepared(slug).manifest.read_text())
    manifest["recipe"]["metric"] = manifest["metric"] = "f1_macro"
    root.prepared(slug).manifest.write_text(json.dumps(manifest))
    board = read_leaderboard(SHARED / "mle-bench" / "competitions" / slug / "leaderboard.csv")
    record_snapshot(root.leaderboards(slug), slug, board, "mle-bench", True)
    monkeypatch.setattr(
        Warehouse, "competition", lambda self, s: {"evaluation_algorithm_name": "Categorization Accuracy"}
    )
    warehouse, answers = Warehouse(root.warehouse), root.prepared(slug).answers
    kaggles = grade_prepared(slug, answers, root, warehouse, "accuracy", None)
    assert kaggles.gold_medal and kaggles.notes == []
    assert grade_prepared(slug, answers, root, warehouse, None, None).gold_medal  # the recipe's, as always
    other = grade_prepared(slug, answers, root, warehouse, "matthews_correlation", None)
    assert not other.gold_medal and other.notes == [
        f"no medal thresholds, medals or rank: {slug}'s leaderboard snapshot holds scores of f1_macro or accuracy, "
        "not of matthews_correlation; give --leaderboard with matthews_correlation scores to place it"
    ]


def test_a_stand_in_metric_is_placed_with_a_note_and_never_against_the_boards_order(home, tmp_path, monkeypatch):
    """Sweep 173's osic: Meta Kaggle's metric (a Laplace log likelihood) is none the registry grades, and the recipe's
    stands in. Pearson's 0 took gold on the log-likelihood board with no note; MAE, lower-better against a board
    ranked higher first, made every grade fail; and --metric rmse was said to miss a board of MAE scores."""
    import shutil

    from curation.leaderboard_history import record_snapshot
    from curation.submission_grading import grade_prepared
    from curation.warehouse import Warehouse

    slug = "spaceship-titanic"
    root = DataRoot(tmp_path)
    root.prepared_root.mkdir()
    shutil.copytree(home.prepared(slug).path, root.prepared(slug).path)
    board = read_leaderboard(SHARED / "mle-bench" / "competitions" / slug / "leaderboard.csv")  # higher first
    record_snapshot(root.leaderboards(slug), slug, board, "mle-bench", True)
    facts = {"evaluation_algorithm_name": "Laplace Log Likelihood", "evaluation_algorithm_is_max": True}
    monkeypatch.setattr(Warehouse, "competition", lambda self, s: facts)
    warehouse, answers = Warehouse(root.warehouse), root.prepared(slug).answers
    stand_in = grade_prepared(slug, answers, root, warehouse, None, None)  # the recipe's accuracy
    assert stand_in.gold_medal and stand_in.notes == [
        f"medals and rank compare accuracy scores with {slug}'s leaderboard snapshot: the recipe's accuracy stands in "
        "for Meta Kaggle's Laplace Log Likelihood, which the registry does not grade (both higher is better): the "
        "board's scores and medal thresholds are Laplace Log Likelihood's, compared with accuracy scores, so a medal "
        "means only as much as the two metrics agree"
    ]
    other = grade_prepared(slug, answers, root, warehouse, "matthews_correlation", None)
    assert other.gold_threshold is None and other.notes == [
        f"no medal thresholds, medals or rank: {slug}'s leaderboard snapshot holds scores of Meta Kaggle's Laplace "
        "Log Likelihood (the recipe's accuracy stands in for it), not of matthews_correlation; give --leaderboard "
        "with matthews_correlation scores to place it"
    ]
    outside = {"evaluation_algorithm_name": "accuracy", "facts_from": "split recipe"}  # review 176: a curated row
    monkeypatch.setattr(Warehouse, "competition", lambda self, s: outside)  # outside the dump names the recipe's
    assert grade_prepared(slug, answers, root, warehouse, "matthews_correlation", None).notes == [
        f"no medal thresholds, medals or rank: {slug}'s leaderboard snapshot holds scores of accuracy, not of "
        "matthews_correlation; give --leaderboard with matthews_correlation scores to place it"
    ]
    monkeypatch.setattr(Warehouse, "competition", lambda self, s: facts)
    manifest = json.loads(root.prepared(slug).manifest.read_text())
    unnamed = manifest | {"recipe": {k: v for k, v in manifest["recipe"].items() if k != "metric"}}
    root.prepared(slug).manifest.write_text(json.dumps(unnamed))  # sweep 188: no recipe metric, Kaggle's not graded
    overridden = grade_prepared(slug, answers, root, warehouse, "accuracy", None)  # --metric: placed, "the recipe's"
    assert overridden.gold_threshold is None and overridden.notes == [
        f"no medal thresholds, medals or rank: {slug}'s leaderboard snapshot holds scores of Meta Kaggle's Laplace "
        "Log Likelihood, not of accuracy; give --leaderboard with accuracy scores to place it"
    ]
    manifest["recipe"]["metric"] = manifest["metric"] = "mae"  # lower is better, the board higher first
    root.prepared(slug).manifest.write_text(json.dumps(manifest))
    (root.prepared(slug).path / "sub.csv").write_text(answers.read_text().replace("True", "1").replace("False", "0"))
    wrong_way = grade_prepared(slug, root.prepared(slug).path / "sub.csv", root, warehouse, None, None)
    assert wrong_way.valid_submission and wrong_way.score == 0.0 and wrong_way.gold_threshold is None
    assert wrong_way.notes == [
        f"no medal thresholds, medals or rank: {slug}'s leaderboard snapshot is ranked the other way (Meta Kaggle's "
        "EvaluationAlgorithmIsMax says higher is better, and mae is better lower); give --leaderboard with mae scores "
        "to place it"
    ]
    facts.pop("evaluation_algorithm_is_max")  # the board's own order says so too
    assert grade_prepared(slug, root.prepared(slug).path / "sub.csv", root, warehouse, None, None).notes == [
        f"no medal thresholds, medals or rank: {slug}'s leaderboard snapshot is ranked the other way (the board is "
        "sorted higher first, and mae is better lower); give --leaderboard with mae scores to place it"
    ]


def test_grade_prepared_says_why_a_competition_cannot_be_graded(home, tmp_path):
    from curation.submission_grading import GradingUnavailable, grade_prepared
    from curation.warehouse import Warehouse

    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    with pytest.raises(
        GradingUnavailable,
        match=r"^nowhere: no prepared split at .*; first dagster job execute -m pipelines -j prepare_competition",
    ):
        grade_prepared("nowhere", tmp_path / "submission.csv", home, warehouse, None, None)
    with pytest.raises(
        GradingUnavailable, match=r"^titanic: metric override 'r_squared' is not a metric mlecurate grades"
    ):
        grade_prepared("titanic", tmp_path / "submission.csv", home, warehouse, "r_squared", None)
    # Once there is a curated benchmark, a slug outside it is a mistyped one: its prepare_competition would be refused
    # (a newcomer's sweep followed the advice into that refusal).
    warehouse.replace_table("curation.curated", pd.DataFrame({"slug": ["nowhere", "titanic"]}))
    with pytest.raises(GradingUnavailable) as raised:
        grade_prepared("titanik", tmp_path / "submission.csv", home, warehouse, None, None)
    assert str(raised.value) == (
        f"titanik: no prepared split at {home.prepared('titanik').path}, and not a curated competition (`mlecurate "
        "curated --slugs` lists them)"
    )
    with pytest.raises(GradingUnavailable, match=r"^nowhere: no prepared split at .*; first dagster job execute"):
        grade_prepared("nowhere", tmp_path / "submission.csv", home, warehouse, None, None)


def test_grade_names_the_failed_download_rather_than_advising_the_run_that_failed(home, tmp_path):
    """A newcomer's sweep: a download refused (an archive over a limit) left `mlecurate grade` advising the same
    prepare_competition run, which failed again; now the message names the recorded failures first."""
    from curation.competition_data import DownloadRecord, _save
    from curation.stage_status import SPLIT, record_failure
    from curation.submission_grading import GradingUnavailable, grade_prepared
    from curation.warehouse import Warehouse

    raw = home.raw("broken")
    raw.path.mkdir(parents=True)
    _save(raw, DownloadRecord("broken", "failed", "mirror", "2026-12-05T00:00:00", "UnsafeArchiveError: too big"))
    record_failure(home, "broken", SPLIT, "RecipeError: no train.csv")
    with pytest.raises(GradingUnavailable) as raised:
        grade_prepared("broken", tmp_path / "s.csv", home, Warehouse(tmp_path / "w.duckdb"), None, None)
    assert str(raised.value) == (
        f"broken: no prepared split at {home.prepared('broken').path}; its data: failed: UnsafeArchiveError: too big; "
        "its split: failed: RecipeError: no train.csv. Mend that, then dagster job execute -m pipelines -j "
        'prepare_competition --tags \'{"dagster/partition": "broken"}\''
    )


def _frame_submission(tmp_path: Path, frame: pd.DataFrame, name: str = "submission.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "encode",
    [lambda b: "1" if b == "True" else "0", lambda b: b.lower(), lambda b: "1.0" if b == "True" else "0.0",
     lambda b: b.upper()],
    ids=["0/1", "lower-case", "1.0/0.0", "upper-case"],
)  # fmt: skip
def test_labels_are_compared_as_typed_values_not_text(home, tmp_path, encode):
    """spaceship-titanic's answers are True/False: 1/0, true/false, 1.0/0.0 are the same labels (MLE-bench agrees)."""
    folder = home.prepared("spaceship-titanic")
    frame = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    frame["Transported"] = frame["Transported"].map(encode)
    report = grade_submission(_frame_submission(tmp_path, frame), folder, "accuracy")
    assert report.valid_submission and report.score == 1.0, report.errors


def test_rows_without_an_id_column_are_matched_by_content_in_any_order(home, tmp_path):
    """detecting-insults has no id column: rows are identified by (Date, Comment), whatever their order."""
    slug = "detecting-insults-in-social-commentary"
    folder = home.prepared(slug)
    frame = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    shuffled = frame.sample(frac=1.0, random_state=0)
    report = grade_submission(_frame_submission(tmp_path, shuffled), folder, "auc", _board(slug))
    assert report.valid_submission and report.score == 1.0 and report.gold_medal, report.errors
    dropped = pd.concat([shuffled.iloc[1:], shuffled.iloc[[1]]])  # one test row missing, another twice
    report = grade_submission(_frame_submission(tmp_path, dropped, "dropped.csv"), folder, "auc")
    assert not report.valid_submission
    missing = shuffled.iloc[0]  # named by its Date and Comment (in the public test file), not a line of the answers
    expected = f"1 test row(s) have no submission row with the same Date, Comment, e.g. (Date={missing['Date']}, "
    assert any(e.startswith(expected) and "of the answers" not in e for e in report.errors), report.errors
    assert (
        f"1 submission row(s) match no test row by Date, Comment, e.g. line(s) {len(dropped) + 1}: (Date="
        in " ".join(report.errors)
    )  # the repeated row, by its line in the submission


def test_repeated_key_rows_are_matched_occurrence_by_occurrence():
    from validation.grading import match_rows

    answers = pd.DataFrame({"k": ["a", "b", "a", "c"], "y": ["1", "2", "3", "4"]})
    submission = pd.DataFrame({"k": ["c", "a", "b", "a"], "y": ["4", "1", "2", "3"]})
    aligned, missing, extra = match_rows(submission, answers, ["k"])
    assert aligned["y"].tolist() == ["1", "2", "3", "4"] and not missing and not extra


def test_a_submission_must_be_a_csv_file(home, tmp_path):
    folder = home.prepared("titanic")
    path = tmp_path / "submission.txt"
    path.write_bytes(folder.answers.read_bytes())
    report = grade_submission(path, folder, "accuracy")
    assert not report.valid_submission and report.score is None
    assert report.errors == [f"{path}: a submission must be a .csv file (or a .zip or .gz of one), not '.txt'"]


def test_probability_rows_not_summing_to_1_are_rescaled_with_a_note(home, tmp_path):
    slug = "spooky-author-identification"
    folder = home.prepared(slug)
    frame = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    frame.loc[[0, 3, 5], ["EAP", "HPL", "MWS"]] = frame.loc[[0, 3, 5], ["EAP", "HPL", "MWS"]].replace("0", "0.25")
    report = grade_submission(_frame_submission(tmp_path, frame), folder, "multiclass_log_loss")
    assert report.valid_submission and report.score == round(-3 * np.log(1 / 1.5) / len(frame), 5), report.errors
    assert "3 row(s)' probabilities do not sum to 1; rescaled as Kaggle does" in report.notes


def test_probabilities_rounded_to_six_places_are_not_called_off(home, tmp_path):
    """A third written as 0.333333 sums to 0.999999: within MLE-bench's np.isclose(sum, 1, atol=1e-6), no note."""
    slug = "spooky-author-identification"
    folder = home.prepared(slug)
    frame = pd.read_csv(folder.answers, dtype=str, keep_default_na=False).assign(EAP="0.333333", HPL="0.333333",
                                                                                 MWS="0.333333")  # fmt: skip
    report = grade_submission(_frame_submission(tmp_path, frame), folder, "multiclass_log_loss")
    assert report.valid_submission and report.notes == [], report.notes


@pytest.mark.parametrize(
    "slug, column, value, expected",
    [("spooky-author-identification", "HPL", "1.5", "column HPL: 1 value(s) outside 0..1, e.g. 1.5 on line 3; multiclass_log_loss needs class probabilities between 0 and 1"),
     ("leaf-classification", "Acer_Mono", "2", "column Acer_Mono: 1 value(s) outside 0..1, e.g. 2 on line 3; multiclass_log_loss needs class probabilities between 0 and 1"),
     ("random-acts-of-pizza", "requester_received_pizza", "1.5", "column requester_received_pizza: 1 value(s) outside 0..1, e.g. 1.5 on line 3; auc needs probabilities between 0 and 1"),
     ("detecting-insults-in-social-commentary", "Insult", "-0.1", "column Insult: 1 value(s) outside 0..1, e.g. -0.1 on line 3; auc needs probabilities between 0 and 1"),
     ("spaceship-titanic", "Transported", "maybe", "column Transported: 1 value(s) that are not booleans, e.g. maybe on line 3; accuracy needs true/false labels (or 1/0), as the answers"),
     ("spaceship-titanic", "Transported", "2", "column Transported: 1 value(s) that are not booleans, e.g. 2 on line 3; accuracy needs true/false labels (or 1/0), as the answers"),
     ("titanic", "Survived", "yes", "column Survived: 1 value(s) that are not numbers, e.g. yes on line 3; accuracy needs number labels, as the answers"),
     ("detecting-insults-in-social-commentary", "Insult", " True", "column Insult: 1 value(s) are true/false among numbers, e.g. ' True' on line 3; a column of predictions is numbers, or true/false throughout (read as 1/0)")],
    ids=["class-probability-above-1", "leaf-above-1", "auc-above-1", "auc-negative", "not-a-boolean", "2-is-no-boolean", "not-a-number-label", "true-among-probabilities"],
)  # fmt: skip
def test_predictions_outside_the_domain_are_invalid_as_mlebench_and_kaggle_say(
    home, tmp_path, slug, column, value, expected
):
    """Kaggle's pages ask for probabilities in [0, 1] (leaf-classification's and detecting-insults' say so; MLE-bench's
    graders reject the rest), and a label of another type than the answers' is no label (MLE-bench: "mix of label
    input types")."""
    frame = pd.read_csv(home.prepared(slug).answers, dtype=str, keep_default_na=False)
    frame.loc[1, column] = value
    report = grade_submission(_frame_submission(tmp_path, frame), home.prepared(slug), METRIC[slug])
    assert not report.valid_submission and report.score is None
    assert report.errors == [expected]


@pytest.mark.parametrize("true, false", [("True", "False"), ("true", "false"), ("TRUE", "FALSE")])
def test_a_column_of_true_false_throughout_counts_as_1_0(home, tmp_path, true, false):
    """As pandas reads such a column (booleans) and MLE-bench's AUC grader scores it: only a mix is invalid."""
    slug = "detecting-insults-in-social-commentary"
    folder = home.prepared(slug)
    frame = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    frame["Insult"] = frame["Insult"].map({"1": true, "0": false})
    report = grade_submission(_frame_submission(tmp_path, frame), folder, METRIC[slug])
    assert report.valid_submission and report.score == 1.0, report.errors


def test_a_zip_from_macos_finder_is_graded_by_its_one_csv(home, tmp_path):
    """Finder's "Compress" adds __MACOSX/._submission.csv beside the file; a zip of two CSVs is still refused."""
    import zipfile

    folder = home.prepared("titanic")
    data = folder.answers.read_bytes()
    path = tmp_path / "submission.zip"
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("submission.csv", data)
        bundle.writestr("__MACOSX/._submission.csv", b"\x00\x05\x16\x07 Mac OS X attributes")
        bundle.writestr(".DS_Store", b"\x00\x00\x00\x01Bud1")
    report = grade_submission(path, folder, "accuracy")
    assert report.valid_submission and report.score == 1.0, report.errors
    alone = tmp_path / "dot.zip"  # a zip writer that keeps the ./ prefix: a hidden-looking name, and the only file
    with zipfile.ZipFile(alone, "w") as bundle:
        bundle.writestr("./submission.csv", data)
    assert grade_submission(alone, folder, "accuracy").valid_submission
    with zipfile.ZipFile(path, "a") as bundle:
        bundle.writestr("other.csv", data)
    report = grade_submission(path, folder, "accuracy")
    assert report.errors == [
        f"{path}: a zipped submission holds one CSV file; this zip holds 2: submission.csv, other.csv"
    ]


@pytest.mark.parametrize("member", ["submission.txt", "submission.csv.gz"])
def test_a_zip_whose_one_file_is_no_csv_names_it(home, tmp_path, member):
    """A bare .txt is refused, but one inside a zip was graded; a .csv.gz inside a zip was 'not UTF-8 text' without
    naming the file (a newcomer's sweep)."""
    import gzip
    import zipfile

    folder = home.prepared("titanic")
    data = folder.answers.read_bytes()
    path = tmp_path / "submission.zip"
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr(member, gzip.compress(data) if member.endswith(".gz") else data)
    report = grade_submission(path, folder, "accuracy")
    assert not report.valid_submission and report.errors == [
        f"{path}: a zipped submission holds one CSV file; its one file, {member!r}, is not a .csv file: zip the .csv "
        "itself"
    ]


def test_the_report_json_is_strict(home, tmp_path):
    """No bare NaN or Infinity: every float that is not finite is null (RFC 8259 JSON has neither)."""
    from validation.grading import GradingReport

    report = GradingReport("x", score=float("nan"), gold_threshold=float("inf"), median_threshold=-float("inf"))
    text = report.to_json()
    parsed = json.loads(text, parse_constant=lambda name: pytest.fail(f"non-strict JSON constant {name}"))
    assert parsed["score"] is None and parsed["gold_threshold"] is None and parsed["median_threshold"] is None
    folder = home.prepared("titanic")
    frame = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    frame.loc[0, "Survived"] = "inf"
    graded = grade_submission(_frame_submission(tmp_path, frame), folder, "rmsle")
    assert not graded.valid_submission
    json.loads(graded.to_json(), parse_constant=lambda name: pytest.fail(f"non-strict JSON constant {name}"))


def test_numbers_read_plain_numbers_in_one_parse_and_the_rest_as_before():
    import math

    import pandas as pd

    from validation.grading import numbers

    mixed = pd.Series(["1", " 2.5 ", "TRUE", "false", "x", "", "1e400"])
    coerced = numbers(mixed, errors="coerce").tolist()
    assert coerced[:4] == [1.0, 2.5, 1.0, 0.0] and math.isnan(coerced[4]) and math.isnan(coerced[5])
    assert math.isnan(coerced[6])  # pandas reads 1e400 as no number, as before: graded as an invalid prediction
    assert numbers(pd.Series(["3", "4"])).tolist() == [3, 4]
    assert numbers(pd.Series([" 3", "True"])).tolist() == [3, 1]
    with pytest.raises(ValueError):
        numbers(mixed)


def _with_a_flag_and_a_zoned_time(download: Path) -> None:
    """Give the generated Parquet files a boolean, a zoned timestamp, an integer with nulls and a float with NaN (as
    real Parquet files have)."""
    import duckdb

    for name in ("train.parquet", "test.parquet"):
        path = download / name
        with duckdb.connect() as con:
            con.execute(
                f"""COPY (SELECT *, n % 3 = 0 AS flag,
                                 TIMESTAMPTZ '2020-01-26 20:30:00.5+00' + INTERVAL (n * 3671) SECOND AS at,
                                 CASE WHEN n % 7 = 0 THEN NULL ELSE n END AS count,
                                 CASE WHEN n % 5 = 0 THEN 'NaN'::DOUBLE ELSE n / 4 END AS quarter
                          FROM (SELECT *, row_number() OVER () AS n FROM read_parquet('{path}')))
                        TO '{path}.new' (FORMAT PARQUET)"""
            )
        Path(f"{path}.new").replace(path)


def test_rows_without_an_id_match_by_value_as_pandas_writes_them(tmp_path):
    """No id column: rows are matched by their content. The answers hold DuckDB's text of Parquet values (``true``,
    ``2020-01-26 21:31:11.5+00``, ``nan``, ``7``); an agent's pandas writes ``True``,
    ``2020-01-26 21:31:11.500000+00:00``, a blank and ``7.0`` (an integer column with nulls is float to it). Every
    row was 'missing' for mlecurate grade, while MLE-bench's grader (pandas on both sides) took the submission."""
    from tests.conftest import generated_split

    folder, _, recipe, _ = generated_split(tmp_path, "rmse", "--format", "parquet", "--no-id",
                                           reshape=_with_a_flag_and_a_zoned_time)  # fmt: skip
    assert not recipe.get("id_column")
    answers = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    assert set(answers["flag"]) == {"true", "false"} and answers["at"].str.endswith("+00").all()
    assert "nan" in set(answers["quarter"]) and "" in set(answers["count"])
    submission = pd.read_parquet(folder.public_table("test", {}))  # in the answers' order: both are in hash order
    submission["target"] = answers["target"].astype(float).to_numpy()
    submission = submission[list(answers.columns)].iloc[::-1]  # any row order
    submission.to_csv(tmp_path / "pandas.csv", index=False)
    written = pd.read_csv(tmp_path / "pandas.csv", dtype=str, keep_default_na=False)
    assert set(written["flag"]) == {"True", "False"} and written["at"].str.endswith("+00:00").all()
    assert "nan" not in set(written["quarter"]) and written["count"].str.endswith(".0").any()  # pandas' float
    report = grade_submission(tmp_path / "pandas.csv", folder, "rmse")
    assert report.valid_submission and report.score == 0.0, report.errors
    written.loc[written.index[0], "flag"] = "maybe"  # a value of another kind matches nothing
    written.to_csv(tmp_path / "changed.csv", index=False)
    changed = grade_submission(tmp_path / "changed.csv", folder, "rmse")
    assert not changed.valid_submission and changed.errors[0].startswith("1 test row(s) have no submission row")


def _notes_pandas_reads_as_missing(download: Path) -> None:
    """Give every row's ``note`` a word pandas reads as missing, one of each in turn (text-normalization's tokens
    ``N/A``, ``NULL``, ``#N/A`` are such words)."""
    from pandas._libs.parsers import STR_NA_VALUES  # pandas' own list, as the oracle

    words = sorted(STR_NA_VALUES)
    for name in ("train.csv", "test.csv"):
        frame = pd.read_csv(download / name, dtype=str, keep_default_na=False)
        frame["note"] = [words[i % len(words)] for i in range(len(frame))]
        frame.to_csv(download / name, index=False)


def test_a_key_cell_pandas_reads_as_missing_matches_a_blank_one_whatever_the_word(tmp_path):
    """No id column, and a key column of words pandas reads as missing (``N/A``, ``NULL``, ``#N/A``, ``<NA>``...): a
    submission written by pandas from the answers has a blank there, and every such row must still match. Only
    ``nan``, ``NA``, ``null`` and ``None`` did: ``N/A`` rows were 'missing' (a text-normalization-like layout)."""
    from pandas._libs.parsers import STR_NA_VALUES

    from tests.conftest import generated_split
    from validation.float_text import EMPTY

    assert set(EMPTY) == set(STR_NA_VALUES)
    folder, _, recipe, _ = generated_split(tmp_path, "accuracy", "--no-id", reshape=_notes_pandas_reads_as_missing)
    assert not recipe.get("id_column")
    answers = pd.read_csv(folder.answers)  # as an agent reads it: pandas' defaults
    assert answers["note"].isna().all()
    answers.iloc[::-1].to_csv(tmp_path / "pandas.csv", index=False)
    report = grade_submission(tmp_path / "pandas.csv", folder, "accuracy")
    assert report.valid_submission and report.score == 1.0, report.errors


def test_grading_by_another_metric_checks_the_answers_for_it_first(home, tmp_path):
    """jigsaw-unintended-bias's answers are fractions of raters; `mlecurate grade --metric auc` scored them 0.94,
    valid, counting only the 1s as positive (the split itself refuses AUC on them)."""
    import shutil

    from curation.submission_grading import GradingUnavailable, grade_prepared
    from curation.warehouse import Warehouse

    root, warehouse = DataRoot(tmp_path / "home"), Warehouse(tmp_path / "warehouse.duckdb")
    root.prepared_root.mkdir(parents=True)
    shutil.copytree(home.prepared("titanic").path, root.prepared("titanic").path)
    folder = root.prepared("titanic")
    sample = folder.sample_submission
    as_auc = grade_prepared("titanic", sample, root, warehouse, "auc", None)  # 0/1 answers: AUC grades them
    assert as_auc.valid_submission and as_auc.score == 0.5, as_auc.errors
    answers = pd.read_csv(folder.answers, dtype=str)
    answers.loc[answers.index[3], "Survived"] = "0.8"
    answers.to_csv(folder.answers, index=False)
    with pytest.raises(GradingUnavailable) as raised:
        grade_prepared("titanic", sample, root, warehouse, "auc", None)
    passenger = answers["PassengerId"].iloc[3]
    assert str(raised.value) == (
        "titanic: column 'Survived' of private/answers.csv holds 1 value(s) that are not 0 or 1 on the "
        f"{len(answers):,} rows the new test set took, e.g. '0.8' at PassengerId '{passenger}' (row 4) of "
        "private/answers.csv (rows counted from 1 under its header); auc needs answers that are labels 0 or 1 (the "
        "predictions are probabilities of the 1) (the split's answers were checked for accuracy, not auc); grade "
        "with a metric that fits them (--metric)"
    )
    # The metric the split was checked for grades as before: the answers are not read again for it.
    assert grade_prepared("titanic", sample, root, warehouse, None, None).metric == "accuracy"
    # Answers of a column per class (0/1 each): a column-wise AUC grades them, the answers perfectly; AUC or
    # accuracy, one column, would grade the first alone (a review: 1.0, valid).
    spooky = home.prepared("spooky-author-identification")
    perfect = grade_prepared(spooky.slug, spooky.answers, home, warehouse, "mean_columnwise_auc", None)
    assert perfect.valid_submission and perfect.score == 1.0, perfect.errors
    for metric in ("auc", "accuracy"):
        with pytest.raises(GradingUnavailable) as raised:
            grade_prepared(spooky.slug, spooky.answers, home, warehouse, metric, None)
        assert str(raised.value) == (
            f"{spooky.slug}: metric {metric} scores one target column, but private/answers.csv holds 3 (EAP, HPL, "
            f"MWS): a submission would be graded on 'EAP' alone (the split's answers were checked for "
            f"multiclass_log_loss, not {metric}); grade with a metric that fits them (--metric)"
        )
    # Answers that cannot be read are named, not a pandas traceback.
    folder.answers.write_text('PassengerId,Survived\n"892,0\n')
    with pytest.raises(GradingUnavailable, match=r"^titanic: .*answers.csv: cannot be read as CSV \("):
        grade_prepared("titanic", sample, root, warehouse, "auc", None)


def test_blank_labels_where_answers_hold_labels_pandas_reads_as_missing_are_wrong_not_invalid(tmp_path):
    """A sweep's text-normalization: tokens `null`, `NA` and `N/A` are labels; a perfect submission that went through
    pandas holds them blank. The whole submission was refused, where MLE-bench's graders and the exported one score
    it: now each blank is a wrong label, with a note. Where no answer reads as missing, a blank stays invalid."""
    from tests.conftest import generated_split

    folder, _, recipe, _ = generated_split(tmp_path, "accuracy")
    target = recipe["target_columns"][0]
    answers = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    answers.assign(**{target: ""}).to_csv(tmp_path / "blank.csv", index=False)
    invalid = grade_submission(tmp_path / "blank.csv", folder, "accuracy", None)
    assert not invalid.valid_submission and f"column {target}: {len(answers):,} empty value(s)" in invalid.errors[0]
    words = ["null", "NA", "N/A"]
    answers.loc[: len(words) - 1, target] = words
    answers.to_csv(folder.answers, index=False)
    through_pandas = pd.read_csv(folder.answers)  # null, NA, N/A read as missing, written blank
    through_pandas.to_csv(tmp_path / "perfect.csv", index=False)
    report = grade_submission(tmp_path / "perfect.csv", folder, "accuracy", None)
    assert report.valid_submission, report.errors
    assert report.score == pytest.approx(1 - len(words) / len(answers), abs=1e-5)
    assert report.notes == [
        f"column {target}: 3 empty value(s), e.g. lines 2, 3, 4, scored as wrong labels: some answers are labels pandas "
        "reads as missing (N/A, NA, null) and writes blank; write them as they are"
    ]


def test_ids_that_lost_their_leading_zeros_or_gained_spaces_are_named_as_such():
    """Sweep 178's multi-modal-gesture: ids 0076 read by pandas and written back as 76 were 'not in the test set',
    with no word of why (MLE-bench's grader reads both as numbers: valid)."""
    from validation.grading import _rewritten_ids

    assert _rewritten_ids({"76", "100", " 0093", "x"}, {"0076", "0100", "0093"}) == (
        "; 1 of them are test ids with spaces around them (e.g. ' 0093'); 2 of them are test ids without their "
        "leading zeros (e.g. '100' for '0100': read as numbers and written back?): ids are matched as written"
    )
    assert _rewritten_ids({"76", "x"}, {"76", "1000"}) == ""  # no test id has leading zeros to lose


def test_ids_written_as_decimals_are_named_as_such():
    """Sweep 185's lmsys-chatbot-arena: ids written ``1007803001.0`` (a float column's ids) were '80 id(s) not in the
    test set' with no hint, where spaces, lost zeros and times each got one; a decimal that is no whole number, or
    whose whole part is no test id, gets none."""
    from validation.grading import _rewritten_ids

    assert _rewritten_ids({"1007803001.0", "65089.00", "7.5", "12.0"}, {"1007803001", "65089", "7"}) == (
        "; 2 of them are test ids written as decimals (e.g. '1007803001.0' for '1007803001': read as floats and "
        "written back?): ids are matched as written"
    )
    assert "'76.0' for '0076'" in _rewritten_ids({"76.0"}, {"0076"})  # a review: padded ids too


def test_ids_that_are_a_test_ids_time_written_otherwise_are_named_as_such():
    """Sweep 181's taxi-fare keys (``2011-11-03 06:47:52.0000004``) through pandas' to_datetime come back as
    ``...52.000000400``: invalid as written, and said so; numbers are not taken for times."""
    from validation.grading import _rewritten_ids

    assert _rewritten_ids(
        {"2011-11-03 06:47:52.000000400"}, {"2011-11-03 06:47:52.0000004", "2011-11-03 07:00:00"}
    ) == (
        "; 1 of them are test ids written as another time's text (e.g. '2011-11-03 06:47:52.000000400' for "
        "'2011-11-03 06:47:52.0000004': read as times and written back?): ids are matched as written"
    )
    assert "time" not in _rewritten_ids({"7.0", "8.0"}, {"7", "8"})  # numbers are not taken for times


def test_labels_joined_with_commas_are_noted(tmp_path):
    """Sweep 189: planet's tags written ``17,35,47`` were scored silently as one unknown label (0.087 against 0.690):
    a note says labels are separated by spaces."""
    from splits.layout import prepare_competition
    from validation.split_recipe import parse_recipe

    raw, rng = tmp_path / "raw", np.random.default_rng(3)
    raw.mkdir()
    tags = ["clear", "primary", "water", "road", "haze"]
    rows = [f"img_{i},{' '.join(rng.choice(tags, int(rng.integers(1, 4)), replace=False))}" for i in range(300)]
    (raw / "train_v2.csv").write_text("image_name,tags\n" + "\n".join(rows) + "\n")
    recipe = parse_recipe({"kind": "random", "id_column": "image_name", "target_columns": ["tags"],
                           "train_file": "train_v2.csv", "metric": "mean_f2"}, "r")  # fmt: skip
    folder = PreparedFolder(prepare_competition("planet", recipe, raw, tmp_path / "prepared").folder)
    answers = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    joined = _frame_submission(tmp_path, answers.assign(tags=answers["tags"].str.replace(" ", ",")))
    report = grade_submission(joined, folder, "mean_f2", None)
    assert report.valid_submission and report.score < 1
    assert [n for n in report.notes if "commas" in n] == [
        f"column tags: {answers['tags'].str.contains(' ').sum():,} prediction(s) hold commas, e.g. "
        f"{answers['tags'][answers['tags'].str.contains(' ')].iloc[0].replace(' ', ',')!r} on line "
        f"{int(np.flatnonzero(answers['tags'].str.contains(' '))[0]) + 2}, which no answer does: labels are separated "
        "by spaces, so a comma-joined list is scored as one label"
    ]
    assert grade_submission(_frame_submission(tmp_path, answers, "plain.csv"), folder, "mean_f2", None).notes == []
