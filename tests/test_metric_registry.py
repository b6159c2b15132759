"""Every metric of the registry, end to end on generated data: split, grade the answers and the sample, run parity.

A metric whose task or domain some part of the code does not know (the demo's data, the split's layout, grading,
the parity baseline) fails here. Registering a new metric is one registry entry: ``test_a_new_regression_metric``
adds MAPE and runs the same flow without touching any other module.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from curation.sources.demo_data import demo_competition_zip, demo_leaderboard_csv, demo_split_recipe
from splits.layout import prepare_competition
from splits.recipe import parse_recipe
from validation.data_root import DataRoot, PreparedFolder
from validation.grading import GradingReport, grade_submission
from validation.leaderboard import Leaderboard, parse_leaderboard
from validation.metrics import DOMAINS, METRICS, TASKS, Metric, canonical_metric, resolve_metric
from validation.parity import ParityReport, parity_report
from validation.parity_baseline import BASELINE_BY_TASK
from validation.parity_inputs import load_parity_inputs

ROWS = {"train_rows": 300, "test_rows": 100}  # small: the whole file runs in well under a minute
TEAMS = 60


@dataclass
class Flow:
    folder: PreparedFolder  # the prepared competition
    board: Leaderboard
    answers: GradingReport
    sample: GradingReport
    parity: ParityReport


def run_flow(root: Path, metric: str) -> Flow:
    """The demo competition for ``metric``: files, split, leaderboard; the answers and the sample graded; parity."""
    slug = f"demo-{metric.replace('_', '-')}"
    home = DataRoot(root)
    raw = home.raw(slug).files
    raw.mkdir(parents=True)
    with zipfile.ZipFile(io.BytesIO(demo_competition_zip(slug, metric, **ROWS))) as bundle:
        bundle.extractall(raw)
    recipe = parse_recipe(demo_split_recipe(metric), where=f"the demo recipe for {metric}")
    prepared = prepare_competition(slug, recipe, raw, home.prepared_root, "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    board = parse_leaderboard(demo_leaderboard_csv(slug, metric, TEAMS), f"the demo leaderboard of {slug}")
    folder = PreparedFolder(prepared.folder)
    answers = grade_submission(folder.answers, folder, metric, board)
    sample = grade_submission(folder.sample_submission, folder, metric, board)
    report = parity_report(load_parity_inputs(folder, raw, recipe.to_document(), metric, board))
    return Flow(folder, board, answers, sample, report)


def check_flow(flow: Flow, metric: Metric, baseline_learns: bool = True) -> None:
    answers, sample = flow.answers, flow.sample
    assert answers.valid_submission and answers.errors == [], answers.errors
    assert sample.valid_submission and sample.errors == [], sample.errors
    assert metric.perfect is not None, f"{metric.name}: declare the score of a perfect submission"
    assert answers.score == metric.perfect
    assert answers.gold_medal and answers.rank == 1
    assert math.isfinite(sample.score) and not sample.any_medal and sample.rank == TEAMS + 1
    better = (lambda a, b: a > b) if metric.higher_is_better else (lambda a, b: a < b)
    assert better(answers.score, sample.score)  # a perfect submission beats a constant one

    report = flow.parity
    # The demo's train and test are drawn alike: on a hundred rows a classifier cannot tell them apart (0.5 is chance).
    assert report.verdict in ("parity", "drift") and report.reason
    assert report.adversarial_auc is not None and report.adversarial_auc < 0.7
    scores = {(r["submission"], r["test_set"]): r for r in report.rows}
    assert set(scores) == {("sample submission", "new test"), ("baseline", "new test")}
    sample_row, baseline_row = scores[("sample submission", "new test")], scores[("baseline", "new test")]
    assert sample_row["rows"] == baseline_row["rows"] == len(pd.read_csv(flow.folder.answers))
    for row in (sample_row, baseline_row):
        assert math.isfinite(row["score"]), row
        assert row["low"] is None or row["low"] <= row["score"] <= row["high"], row
    # parity scores the sample submission as grading does: same rows, same metric
    assert sample_row["score"] == pytest.approx(sample.score, abs=1e-5)
    if baseline_learns:
        assert better(baseline_row["score"], sample_row["score"]), (baseline_row, sample_row)
    assert report.sample_medal is False and report.sample_rank == TEAMS + 1


@pytest.mark.parametrize("name", sorted(METRICS))
def test_every_registered_metric_runs_end_to_end(tmp_path, name):
    check_flow(run_flow(tmp_path, name), METRICS[name])


def test_every_task_has_a_baseline_and_every_metric_a_known_task_and_domain():
    assert set(BASELINE_BY_TASK) == set(TASKS)
    for metric in METRICS.values():
        assert metric.task in TASKS and metric.domain in DOMAINS, metric.name


def _mape(y_true, y_pred) -> float:
    """Mean absolute percentage error, the denominator floored at 1 (a demo target can be 0)."""
    truth = np.asarray(y_true, dtype=float)
    return float(np.mean(np.abs(truth - np.asarray(y_pred, dtype=float)) / np.maximum(np.abs(truth), 1.0)))


MAPE = Metric("mape", False, ("Mean Absolute Percentage Error",), _mape, "regression", "any_number", 0.0)


def test_a_new_regression_metric_is_one_registry_entry(tmp_path, monkeypatch):
    monkeypatch.setitem(METRICS, "mape", MAPE)
    assert canonical_metric("mean absolute  percentage error") == "mape"
    assert resolve_metric(None, {"kind": "random"}, "Mean Absolute Percentage Error") == "mape"
    flow = run_flow(tmp_path, "mape")
    # The ridge baseline minimises squared, not relative, error: on skewed targets it need not beat predicting 0.
    check_flow(flow, MAPE, baseline_learns=False)
    assert 0.85 < flow.sample.score <= 1.0  # predicting 0 is off by (nearly) the whole target


def test_the_registry_forgets_a_metric_once_unregistered():
    assert canonical_metric("Mean Absolute Percentage Error") is None


@pytest.mark.parametrize(
    "task, domain, expected",
    [("clustering", "any_number", "task 'clustering' is not one of"), ("regression", "positive", "domain 'positive'"),
     ("regression", "text", "domain text does not fit task regression"),
     ("ranking", "any_number", "domain any_number does not fit task ranking")],
)  # fmt: skip
def test_a_metric_must_declare_a_known_task_and_a_fitting_domain(task, domain, expected):
    with pytest.raises(ValueError, match=expected):
        Metric("odd", True, (), _mape, task, domain)


def test_resolve_metric_order_and_unknown_names():
    assert resolve_metric("mae", {"metric": "rmse"}, "Log Loss") == "mae"
    assert resolve_metric(None, {"metric": "rmse"}, "Log Loss") == "rmse"
    assert resolve_metric("", None, "Log Loss") == "log_loss"
    assert resolve_metric(None, {}, "Custom Evaluation Metric") is None
    assert resolve_metric(None, None, None) is None
    with pytest.raises(
        ValueError, match=r"metric override 'mape' is not a metric mlecurate grades \(known: accuracy, auc"
    ):
        resolve_metric("mape", None, "Log Loss")
    with pytest.raises(ValueError, match="split recipe metric 'r2' is not a metric mlecurate grades"):
        resolve_metric(None, {"metric": "r2"}, "Log Loss")


# Grading checks every prediction against the metric's domain.


@pytest.fixture(scope="module")
def demo_prepared(tmp_path_factory) -> dict[str, PreparedFolder]:
    root = DataRoot(tmp_path_factory.mktemp("domains"))
    out = {}
    for metric in ("rmsle", "log_loss", "quadratic_weighted_kappa", "multiclass_log_loss", "mean_columnwise_rmsle"):
        slug = f"domain-{metric.replace('_', '-')}"
        raw = root.raw(slug).files
        raw.mkdir(parents=True)
        with zipfile.ZipFile(io.BytesIO(demo_competition_zip(slug, metric, **ROWS))) as bundle:
            bundle.extractall(raw)
        recipe = parse_recipe(demo_split_recipe(metric), where=metric)
        out[metric] = PreparedFolder(prepare_competition(slug, recipe, raw, root.prepared_root, "").folder)
    return out


def _damaged(folder: PreparedFolder, tmp_path: Path, column: str, line: int, value: str) -> Path:
    """The answers, with ``value`` in ``column`` on file line ``line`` (line 1 is the header)."""
    frame = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    frame.loc[line - 2, column] = value
    path = tmp_path / "submission.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "metric, column, value, expected",
    [
        ("rmsle", "target", "-1.5", "column target: 1 negative value(s), e.g. -1.5 on line 4; rmsle needs predictions >= 0"),
        ("log_loss", "target", "1.2", "column target: 1 value(s) outside 0..1, e.g. 1.2 on line 4; log_loss needs probabilities between 0 and 1"),
        ("quadratic_weighted_kappa", "target", "2.5", "column target: 1 value(s) that are not whole numbers, e.g. 2.5 on line 4; quadratic_weighted_kappa needs whole-number labels"),
        ("multiclass_log_loss", "beta", "-0.2", "column beta: 1 negative value(s), e.g. -0.2 on line 4; multiclass_log_loss needs non-negative class probabilities"),
        ("mean_columnwise_rmsle", "target_2", "-3", "column target_2: 1 negative value(s), e.g. -3 on line 4; mean_columnwise_rmsle needs predictions >= 0"),
        ("rmsle", "target", "inf", "column target: 1 value(s) are not numbers, e.g. 'inf' on line 4"),
    ],
    ids=["rmsle-negative", "log-loss-above-1", "kappa-fraction", "class-probability-negative", "columnwise-negative", "infinity"],
)  # fmt: skip
def test_predictions_outside_the_metric_domain_are_rejected(demo_prepared, tmp_path, metric, column, value, expected):
    folder = demo_prepared[metric]
    report = grade_submission(_damaged(folder, tmp_path, column, 4, value), folder, metric)
    assert not report.valid_submission and report.score is None
    assert report.errors == [expected]


def test_class_probabilities_summing_to_zero_are_rejected(demo_prepared, tmp_path):
    folder = demo_prepared["multiclass_log_loss"]
    frame = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    frame.loc[2, ["alpha", "beta", "gamma"]] = "0"
    frame.to_csv(tmp_path / "submission.csv", index=False)
    report = grade_submission(tmp_path / "submission.csv", folder, "multiclass_log_loss")
    assert not report.valid_submission
    assert report.errors == [
        "1 row(s) whose class probabilities sum to 0, e.g. lines 4; multiclass_log_loss needs some probability in each row"
    ]


def test_a_nan_score_is_never_a_valid_one(demo_prepared, monkeypatch):
    folder = demo_prepared["rmsle"]
    monkeypatch.setitem(METRICS, "undefined", Metric("undefined", False, (), lambda a, b: float("nan"), "regression",
                                                     "any_number"))  # fmt: skip
    report = grade_submission(folder.answers, folder, "undefined")
    assert not report.valid_submission and report.score is None
    assert report.errors == ["undefined is undefined for this submission (it scores nan)"]


def test_in_domain_predictions_still_grade(demo_prepared, tmp_path):
    folder = demo_prepared["rmsle"]
    report = grade_submission(_damaged(folder, tmp_path, "target", 4, "0"), folder, "rmsle")
    assert report.valid_submission and 0 < report.score < 1


@pytest.mark.parametrize("name", ["mean_levenshtein", "word_jaccard", "map_at_k", "accuracy"])
def test_empty_predictions_are_valid_for_text_and_ranking_only(tmp_path, name):
    """No words and no labels are predictions a text or ranking metric scores; a class label cannot be empty."""
    flow = run_flow(tmp_path, name)
    submission = pd.read_csv(flow.folder.sample_submission, dtype=str, keep_default_na=False)
    column = submission.columns[-1]
    submission.loc[:2, column] = ""
    path = tmp_path / "with-empties.csv"
    submission.to_csv(path, index=False)
    report = grade_submission(path, flow.folder, name, flow.board)
    if METRICS[name].task in ("text", "ranking"):
        assert report.valid_submission and report.errors == [], report.errors
        assert math.isfinite(report.score)
    else:
        assert not report.valid_submission
        assert report.errors == [f"column {column}: 3 empty or NaN value(s), e.g. lines 2, 3, 4"]
