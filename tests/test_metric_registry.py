"""Every metric of the registry, end to end on generated data: split, grade the answers and the sample, run parity.

A metric whose task or domain some part of the code does not know (the demo's data, the split's layout, grading,
the parity baseline) fails here. Registering a new metric is one registry entry: ``test_a_new_regression_metric``
adds MAPE and runs the same flow without touching any other module.
"""

from __future__ import annotations

import io
import math
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from curation.sources.demo_data import demo_competition_zip, demo_leaderboard_csv, demo_split_recipe
from splits.layout import prepare_competition
from tests.conftest import SHARED
from validation.data_root import DataRoot, PreparedFolder
from validation.grading import GradingReport, grade_submission, numbers
from validation.leaderboard import Leaderboard, parse_leaderboard
from validation.metrics import (
    DOMAINS,
    METRICS,
    TASKS,
    TEXT_TASKS,
    Metric,
    canonical_metric,
    find_metric,
    map_at_k,
    recipe_metric_against_kaggle,
    resolve_metric,
)
from validation.parity import ParityReport, parity_report
from validation.parity_baseline import BASELINE_BY_TASK
from validation.parity_inputs import load_parity_inputs
from validation.split_recipe import parse_recipe

ROWS = {"train_rows": 300, "test_rows": 100}  # small: the whole file runs in well under a minute
TEAMS = 60


@dataclass
class Flow:
    folder: PreparedFolder  # the prepared competition
    board: Leaderboard
    answers: GradingReport
    sample: GradingReport
    parity: ParityReport


def run_flow(root: Path, metric: str, reshape=None) -> Flow:
    """The demo competition for ``metric``: files, split, leaderboard; the answers and the sample graded; parity.
    ``reshape(raw_folder)``, when given, changes the download's files before the split."""
    slug = f"demo-{metric.replace('_', '-')}"
    home = DataRoot(root)
    raw = home.raw(slug).files
    raw.mkdir(parents=True)
    with zipfile.ZipFile(io.BytesIO(demo_competition_zip(slug, metric, **ROWS))) as bundle:
        bundle.extractall(raw)
    if reshape is not None:
        reshape(raw)
    # the metric named, as the pipeline knows it from Meta Kaggle: a distribution's answers are then its shares
    recipe = parse_recipe(demo_split_recipe(metric) | {"metric": metric}, where=f"the demo recipe for {metric}")
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


def test_parity_does_not_place_the_sample_on_a_board_ranked_the_other_way(tmp_path):
    """Sweep 173's osic: MAE standing in for a log likelihood (a board ranked higher first) made split_parity fail
    with LeaderboardError; the report is written, saying why the sample has no place on that board."""
    slug = "demo-rmse"
    home = DataRoot(tmp_path)
    raw = home.raw(slug).files
    raw.mkdir(parents=True)
    with zipfile.ZipFile(io.BytesIO(demo_competition_zip(slug, "rmse", **ROWS))) as bundle:
        bundle.extractall(raw)
    recipe = parse_recipe(demo_split_recipe("rmse") | {"metric": "rmse"}, where="the demo recipe")
    folder = PreparedFolder(prepare_competition(slug, recipe, raw, home.prepared_root, "description").folder)
    higher_first = parse_leaderboard(demo_leaderboard_csv(slug, "auc", TEAMS), "a board of AUC scores")
    report = parity_report(load_parity_inputs(folder, raw, recipe.to_document(), "rmse", higher_first))
    assert report.verdict in ("parity", "drift") and report.sample_medal is None and report.sample_rank is None
    assert report.sample_unplaced.startswith("a board of AUC scores: the metric rmse says lower is better, but the ")
    assert f"the sample submission is not placed on the leaderboard: {report.sample_unplaced}" in report.notes


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
    with pytest.raises(ValueError, match="split recipe metric 'r_squared' is not a metric mlecurate grades"):
        resolve_metric(None, {"metric": "r_squared"}, "Log Loss")


# Grading checks every prediction against the metric's domain.


@pytest.fixture(scope="module")
def demo_prepared(tmp_path_factory) -> dict[str, PreparedFolder]:
    """Every registry metric's demo competition, split once for the module."""
    root = DataRoot(tmp_path_factory.mktemp("domains"))
    out = {}
    for metric in METRICS:
        slug = f"domain-{metric.replace('_', '-')}"
        raw = root.raw(slug).files
        raw.mkdir(parents=True)
        with zipfile.ZipFile(io.BytesIO(demo_competition_zip(slug, metric, **ROWS))) as bundle:
            bundle.extractall(raw)
        recipe = parse_recipe(demo_split_recipe(metric) | {"metric": metric}, where=metric)
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
        ("multiclass_log_loss", "beta", "-0.2", "column beta: 1 value(s) outside 0..1, e.g. -0.2 on line 4; multiclass_log_loss needs class probabilities between 0 and 1"),
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
        "1 row(s) whose class probabilities sum to 0, e.g. line 4; multiclass_log_loss needs some probability in each row"
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
        assert report.errors == [f"column {column}: 3 empty value(s), e.g. lines 2, 3, 4"]


# The metric matrix: for every metric and every label encoding a user may submit, typed variants score as the
# answers do, and values outside the metric's domain are invalid with a message naming the column.

BOOLEAN_SPELLINGS = {"True/False": ("True", "False"), "true/false": ("true", "false"), "TRUE/FALSE": ("TRUE", "FALSE"),
                     "1/0": ("1", "0"), "1.0/0.0": ("1.0", "0.0")}  # fmt: skip


def _float_spellings(values: np.ndarray) -> dict[str, list[str]]:
    """The same numbers written as a user's tools write them, each spelling exact (it reads back to the same float)."""

    def leading_dot(v: float) -> str:
        text = f"{v:.20f}"
        return text.replace("0.", ".", 1) if abs(v) < 1 and text.lstrip("-").startswith("0.") else text

    return {
        "repr": [repr(float(v)) for v in values],
        "scientific": [f"{v:.16e}" for v in values],
        "upper-E": [f"{v:.16E}" for v in values],
        "17-digits": [f"{v:.17g}" for v in values],
        "fixed-30": [f"{v:.30f}" for v in values],
        "leading-dot": [leading_dot(float(v)) for v in values],
        "plus-sign": [f"{v:+.17g}" for v in values],
        "spaces-around": [f" {float(v)!r} " for v in values],
    }


def _answer_encodings(metric: Metric, answers: pd.DataFrame, targets: list[str]) -> dict[str, pd.DataFrame]:
    """The answers in every encoding a competition's labels come in: booleans (True/False as pandas writes them,
    true/false as JSON does), integers, integers written as floats, strings."""
    values = answers[targets]
    if metric.task == "classification" and not metric.numeric_predictions:  # string class labels in the demo
        classes = sorted(set(values.stack()))
        index = {c: i for i, c in enumerate(classes)}
        return {
            "strings": answers,
            "True/False": answers.assign(**{t: values[t].map(lambda c: str(c == classes[0])) for t in targets}),
            "true/false": answers.assign(**{t: values[t].map(lambda c: str(c == classes[0]).lower()) for t in targets}),
            "integers": answers.assign(**{t: values[t].map(lambda c: str(index[c])) for t in targets}),
            "integers-as-floats": answers.assign(**{t: values[t].map(lambda c: f"{index[c]}.0") for t in targets}),
        }
    if metric.task == "classification":  # whole-number labels (kappa)
        return {"integers": answers, "integers-as-floats": answers.assign(**{t: values[t] + ".0" for t in targets})}
    if metric.task in ("binary", "multilabel", "multiclass"):  # 0/1 truth
        return {
            "1/0": answers,
            "True/False": answers.assign(**{t: values[t].map({"1": "True", "0": "False"}) for t in targets}),
            "true/false": answers.assign(**{t: values[t].map({"1": "true", "0": "false"}) for t in targets}),
            "1.0/0.0": answers.assign(**{t: values[t] + ".0" for t in targets}),
        }
    return {"as-prepared": answers}  # numbers, text, ranked labels: one encoding


def _label_spellings(encoding: str, values: pd.Series) -> dict[str, pd.Series]:
    """The same labels as a user may write them, given the answers' encoding."""
    if encoding in ("True/False", "true/false", "1/0", "1.0/0.0"):
        truth = values.str.lower().isin(["true", "1", "1.0"])
        return {
            name: pd.Series(np.where(truth, yes, no), index=values.index)
            for name, (yes, no) in BOOLEAN_SPELLINGS.items()
        }
    if encoding in ("integers", "integers-as-floats"):
        whole = pd.to_numeric(values).astype(int).astype(str)
        return {
            "integers": whole,
            "as-floats": whole + ".0",
            "scientific": whole + "e0",
            "padded": whole.map(lambda v: f" {v} "),
        }
    if encoding == "strings":
        return {"as-is": values, "spaces-around": values.map(lambda v: f" {v} ")}
    return {"as-is": values}


def _model(metric: Metric, answers: pd.DataFrame, targets: list[str]) -> pd.DataFrame:
    """A valid, imperfect submission: the answers moved a little, inside the metric's domain."""
    rng = np.random.default_rng(0)
    if metric.task == "classification":
        labels = answers[targets[0]]
        other = labels.iloc[::-1].to_numpy()  # another row's label
        return answers.assign(**{targets[0]: np.where(np.arange(len(labels)) % 4 == 0, other, labels)})
    if not metric.numeric_predictions:  # text and ranked labels: the model is the answers, every 3rd row cleared
        return answers.assign(**{targets[0]: np.where(np.arange(len(answers)) % 3 == 0, "", answers[targets[0]])})
    truth = numbers(answers[targets]).to_numpy(dtype=float)
    noise = rng.random(truth.shape)
    if metric.prediction_domain.high is not None:  # probabilities
        model = 0.3 * truth + 0.7 * noise  # ranks some wrong way round: an AUC below 1
        if metric.one_column_per_class or metric.distribution:
            model /= model.sum(axis=1, keepdims=True)
    else:
        model = np.abs(truth * (0.8 + 0.4 * noise))
    return answers.assign(**{t: model[:, i] for i, t in enumerate(targets)})


def _grade(folder: PreparedFolder, tmp_path: Path, name: str, frame: pd.DataFrame, metric: str) -> GradingReport:
    path = tmp_path / f"{name.replace('/', '-')}.csv"
    frame.to_csv(path, index=False)
    return grade_submission(path, folder, metric)


def _with_answers(folder: PreparedFolder, tmp_path: Path, encoding: str, answers: pd.DataFrame) -> PreparedFolder:
    """A copy of the prepared folder whose answers are written in ``encoding``."""
    copy = PreparedFolder(Path(shutil.copytree(folder.path, tmp_path / "prepared" / encoding.replace("/", "-"))))
    answers.to_csv(copy.answers, index=False)
    return copy


# What each domain calls out of it: (value, the start of the message naming the column); a label's out-of-domain
# value depends on the answers' encoding.
OUT_OF_DOMAIN = {
    "any_number": [("abc", "value(s) are not numbers"), ("inf", "value(s) are not numbers")],
    "non_negative": [("-0.5", "negative value(s)"), ("abc", "value(s) are not numbers")],
    "probability": [("1.5", "value(s) outside 0..1"), ("-0.1", "value(s) outside 0..1"), ("x", "value(s) are not numbers")],
    "class_probabilities": [("1.5", "value(s) outside 0..1"), ("-0.1", "value(s) outside 0..1"),
                            ("x", "value(s) are not numbers")],
    "integer_label": [("2.5", "value(s) that are not whole numbers"), ("two", "value(s) are not numbers")],
    "distribution": [("1.5", "value(s) outside 0..1"), ("-0.1", "value(s) outside 0..1"),
                     ("x", "value(s) are not numbers")],
}  # fmt: skip
FOREIGN_LABELS = {
    "True/False": [("2", "value(s) that are not booleans"), ("maybe", "value(s) that are not booleans"),
                   ("0.5", "value(s) that are not booleans")],
    "true/false": [("yes", "value(s) that are not booleans")],
    "integers": [("one", "value(s) that are not numbers")], "integers-as-floats": [("1.5x", "value(s) that are not numbers")],
    "strings": [],  # any text is a class label (an unknown one is a wrong prediction, as on Kaggle)
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(METRICS))
def test_metric_matrix_typed_variants_score_as_the_answers_and_out_of_domain_is_invalid(demo_prepared, tmp_path, name):
    metric, folder = METRICS[name], demo_prepared[name]
    prepared_answers = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    targets = [c for c in prepared_answers.columns if c != "id"]
    checked = 0
    for encoding, answers in _answer_encodings(metric, prepared_answers, targets).items():
        graded = folder if answers is prepared_answers else _with_answers(folder, tmp_path, encoding, answers)
        model = _model(metric, answers, targets)
        perfect = _grade(graded, tmp_path, "answers", answers, name)
        reference = _grade(graded, tmp_path, "model", model, name)
        assert perfect.valid_submission and perfect.score == metric.perfect, (encoding, perfect.errors)
        assert reference.valid_submission and reference.score != metric.perfect, (encoding, reference.errors)
        variants: dict[str, tuple[pd.DataFrame, float]] = {}
        if metric.numeric_predictions:
            for spelling in _label_spellings(encoding, answers[targets[0]]):  # the truth, spelled as the user may
                spelled = {t: _label_spellings(encoding, answers[t])[spelling] for t in targets}
                variants[f"answers-{spelling}"] = (answers.assign(**spelled), perfect.score)
            values = numbers(model[targets]).to_numpy(dtype=float)
            for spelling, texts in _float_spellings(values.ravel()).items():
                frame = model.copy()
                frame[targets] = np.array(texts, dtype=object).reshape(values.shape)
                variants[f"model-{spelling}"] = (frame, reference.score)
        else:
            for spelling, labels in _label_spellings(encoding, answers[targets[0]]).items():
                variants[f"answers-{spelling}"] = (answers.assign(**{targets[0]: labels}), perfect.score)
                modelled = _label_spellings(encoding, model[targets[0]])[spelling]
                variants[f"model-{spelling}"] = (model.assign(**{targets[0]: modelled}), reference.score)
        variants["shuffled-model"] = (model.sample(frac=1.0, random_state=0), reference.score)
        for variant, (frame, expected) in variants.items():
            report = _grade(graded, tmp_path, variant, frame, name)
            assert report.valid_submission and report.score == expected, (encoding, variant, report.errors)
            checked += 1

        labels = metric.task == "classification" and not metric.numeric_predictions
        for value, message in OUT_OF_DOMAIN.get(metric.domain, []) + (FOREIGN_LABELS[encoding] if labels else []):
            column = targets[-1]
            frame = model.astype({column: object})  # a text cell in a column of numbers, as a hand edit would be
            frame.loc[2, column] = value
            report = _grade(graded, tmp_path, f"out-{value}", frame, name)
            assert not report.valid_submission and report.score is None, (encoding, value)
            assert len(report.errors) == 1, (encoding, value, report.errors)
            assert report.errors[0].startswith(f"column {column}: 1 {message}, e.g. "), (encoding, report.errors)
            assert "on line 4" in report.errors[0], report.errors
            checked += 1
    assert checked >= 3
    if metric.task in TEXT_TASKS:  # no value is outside a text or ranking domain: any text is a prediction
        assert not metric.numeric_predictions and metric.domain not in OUT_OF_DOMAIN
    else:
        assert metric.domain in OUT_OF_DOMAIN or metric.task == "classification"


def test_a_distributions_row_not_summing_to_1_is_invalid_naming_its_line(demo_prepared, tmp_path):
    """kl_divergence: each row's probabilities must sum to 1 to 5 decimals (MLE-bench's hms grader); within that, a
    row is graded as it is (not rescaled)."""
    folder = demo_prepared["kl_divergence"]
    answers = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    off = answers.astype({"vote_1": object})
    off.loc[2, "vote_1"] = repr(float(answers.loc[2, "vote_1"]) + 0.001)
    report = _grade(folder, tmp_path, "off", off, "kl_divergence")
    assert not report.valid_submission and report.score is None
    assert report.errors == [
        "1 row(s) whose probabilities do not sum to 1 (to 5 decimals), e.g. line 4 sums to 1.001; kl_divergence "
        "scores each row's probabilities as one distribution over the classes: make each row sum to 1"
    ]
    close = answers.astype({"vote_1": object})
    close.loc[2, "vote_1"] = repr(float(answers.loc[2, "vote_1"]) + 0.000004)
    assert _grade(folder, tmp_path, "close", close, "kl_divergence").valid_submission


@pytest.mark.parametrize(
    "recipe, name, is_max, agrees, found",
    [
        (None, "Roc Auc Score", True, True, "the recipe sets no metric: Meta Kaggle's Roc Auc Score (auc in the registry) grades"),
        (None, None, None, True, "the recipe sets no metric"),
        ("auc", "Roc Auc Score", True, True, "the recipe's auc is Meta Kaggle's Roc Auc Score"),
        (
            "accuracy", "Roc Auc Score", True, False,
            "the recipe grades with accuracy, but Kaggle ranked the leaderboard by Meta Kaggle's Roc Auc Score (auc in "
            "the registry): the board's scores and medal thresholds are auc's, compared with accuracy scores",
        ),
        (
            "mean_columnwise_rmse", "Root Mean Squared Error", False, False,
            "the recipe grades with mean_columnwise_rmse, but Kaggle ranked the leaderboard by Meta Kaggle's Root Mean "
            "Squared Error (rmse in the registry): the board's scores and medal thresholds are rmse's, compared with "
            "mean_columnwise_rmse scores",
        ),
        (  # label sets: Kaggle's F-Score (Micro) is "mean F-score across the rows" (sweep 195: instacart, shopee)
            "mean_f1", "F-Score (Micro)", True, True,
            "the recipe's mean_f1 gives Meta Kaggle's F-Score (Micro) (f1_micro in the registry) the same score",
        ),
        (  # MLE-bench's micro F1 over every row's labels is not the board's metric
            "f1_micro_labels", "F-Score (Micro)", True, False,
            "the recipe grades with f1_micro_labels, but Kaggle ranked the leaderboard by Meta Kaggle's F-Score (Micro) "
            "(f1_micro in the registry, mean_f1 on label sets): the board's scores and medal thresholds are mean_f1's, "
            "compared with f1_micro_labels scores",
        ),
        ("mean_columnwise_auc", "Roc Auc Score", True, True, "the recipe's mean_columnwise_auc gives Meta Kaggle's Roc "
         "Auc Score (auc in the registry) the same score"),
        (
            "rmse", "Some Custom Score", True, False,
            "the recipe's rmse is better lower, but Meta Kaggle's EvaluationAlgorithmIsMax says the leaderboard was "
            "ranked higher is better: medals would go to the wrong end of the board",
        ),
        (  # a stand-in passed (a newcomer's sweep: tgs-salt's IoU board compared with word Jaccard scores)
            "rmse", "Some Custom Score", False, False,
            "the recipe's rmse stands in for Meta Kaggle's Some Custom Score, which the registry does not grade (both "
            "lower is better): the board's scores and medal thresholds are Some Custom Score's, compared with rmse "
            "scores, so a medal means only as much as the two metrics agree",
        ),
        ("auc", None, None, True, "the recipe's auc grades; nothing independent of it names Kaggle's metric"),
    ],
)  # fmt: skip
def test_a_recipe_metric_other_than_the_one_kaggle_ranked_by_is_named(recipe, name, is_max, agrees, found):
    """A recipe's metric was used against a leaderboard ranked by another without a word: medal thresholds of one
    metric compared with scores of another."""
    assert recipe_metric_against_kaggle(recipe, name, is_max) == (agrees, found)


# MLE-bench's config names the grader multi-class-log-loss; its grade function computes Kaggle's column-wise RMSE.
MLE_BENCH_GRADER_MISNAMED = {"stanford-covid-vaccine"}


def test_every_mle_bench_grader_agrees_with_the_metric_kaggle_ranked_by():
    """No false alarm on real data: each MLE-bench competition's grader, as a registry metric, against Meta Kaggle's
    metric and direction for it (where both are known)."""
    listed = pd.read_csv(SHARED / "meta-kaggle" / "Competitions.csv", dtype=str, keep_default_na=False)
    listed = listed.drop_duplicates("Slug").set_index("Slug")
    checked = 0
    for config in sorted((SHARED / "mle-bench" / "competitions").glob("*/config.yaml")):
        document = yaml.safe_load(config.read_text())
        grader = find_metric(document["grader"]["name"])
        if grader is None or document["id"] not in listed.index:
            continue
        row = listed.loc[document["id"]]
        is_max = {"True": True, "False": False}.get(row["EvaluationAlgorithmIsMax"])
        agrees, found = recipe_metric_against_kaggle(grader.name, row["EvaluationAlgorithmName"] or None, is_max)
        checked += agrees or document["id"] in MLE_BENCH_GRADER_MISNAMED
        assert agrees or document["id"] in MLE_BENCH_GRADER_MISNAMED, (document["id"], found)
    assert checked >= 20  # 23 of MLE-bench's graders are registry metrics of competitions in the dump


def test_map_at_12_grades_as_mlebenchs_h_and_m_grader_and_agrees_with_kaggles_map_at_k(monkeypatch):
    """A newcomer's sweep: h-and-m-personalized-fashion-recommendations is MAP@12, and the registry's one MAP graded
    at 5, so a right article in 7th place scored 0 (MLE-bench: 1/7), while metric_is_kaggles passed (both MAP@{K})."""
    from tests.test_mlebench_conformance import _mlebench_grader

    rng = np.random.default_rng(4)
    articles = [f"0{n:09d}" for n in range(40)]  # Kaggle's zero-padded article ids
    answers = pd.DataFrame({"customer_id": [f"c{i}" for i in range(60)],
                            "prediction": [" ".join(rng.choice(articles, rng.integers(1, 6), replace=False))
                                           for _ in range(60)]})  # fmt: skip
    predictions = [" ".join(rng.choice(articles, 14, replace=False)) for _ in range(60)]
    first = answers["prediction"][0].split()
    wrong = [a for a in articles if a not in first][:6]
    predictions[0] = " ".join([*wrong, first[0]])  # one right, in 7th place
    submission = answers.assign(prediction=predictions)
    theirs = _mlebench_grader("h-and-m-personalized-fashion-recommendations", monkeypatch)
    spec = METRICS["map_at_12"]
    assert spec.exact_score(answers["prediction"], submission["prediction"]) == pytest.approx(
        theirs(submission, answers), abs=1e-12
    )
    assert map_at_k(answers["prediction"][:1], submission["prediction"][:1], k=12) == pytest.approx(1 / 7 / len(first))
    assert METRICS["map_at_k"].exact_score(answers["prediction"][:1], submission["prediction"][:1]) == 0.0
    assert find_metric("MAP@12") is spec and find_metric("MAP@3") is METRICS["map_at_3"]
    assert spec.display_name == "MAP@12"
    agrees, found = recipe_metric_against_kaggle("map_at_12", "MAP@{K}", True)
    assert agrees and found == (
        "the recipe's map_at_12 is Meta Kaggle's MAP@{K} at K=12 (the dump does not give K; the competition's page does)"
    )


def test_weighted_auc_is_mlebenchs_alaska2_metric(monkeypatch):
    """alaska2-image-steganalysis' weighted AUC (Meta Kaggle's "Weighted Area Under Receiver Operating Characteristic
    Curve"), which the registry lacked (a sweep graded alaska2 with AUC: 0.888 against 0.92): equal to MLE-bench's
    grader on scores with ties, a perfect ranking, a constant and a reversed one."""
    import importlib.util

    from tests.test_mlebench_conformance import MLEBENCH

    monkeypatch.syspath_prepend(str(MLEBENCH))
    path = MLEBENCH / "mlebench" / "competitions" / "alaska2-image-steganalysis" / "grade.py"
    spec = importlib.util.spec_from_file_location("grade_alaska2", path)
    theirs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(theirs)
    rng = np.random.default_rng(7)
    for rows in (40, 333, 2000):
        truth = rng.integers(0, 2, rows)
        for scores in (np.round(truth * 0.3 + rng.random(rows), 1), rng.random(rows), truth.astype(float),
                       np.full(rows, 0.5), 1.0 - truth):  # fmt: skip
            ours = METRICS["weighted_auc"].exact_score(pd.Series(truth), pd.Series(scores))
            assert ours == pytest.approx(theirs.alaska_weighted_auc(truth, scores), abs=1e-12)
    assert METRICS["weighted_auc"].exact_score(pd.Series(truth), pd.Series(truth.astype(float))) == 1.0
    assert find_metric("Weighted Area Under Receiver Operating Characteristic Curve") is METRICS["weighted_auc"]


def _lwlrap_by_definition(truth: np.ndarray, scores: np.ndarray) -> float:
    """Each true label's precision at its rank (the labels scored at least as high, how many are true), averaged
    over every true label of every row."""
    precisions = []
    for row_truth, row_scores in zip(truth, scores, strict=True):
        for label in np.flatnonzero(row_truth):
            at_least = row_scores >= row_scores[label]
            precisions.append(row_truth[at_least].sum() / at_least.sum())
    return float(np.mean(precisions))


def test_lwlrap_is_the_label_weighted_ranking_precision_and_not_scored_by_column(monkeypatch):
    """freesound-audio-tagging-2019's lwlrap (Meta Kaggle's "Weighted Label Ranking Average Precision"), which the
    registry lacked. It ranks each row's columns together, so parity does not score it column by column."""
    rng = np.random.default_rng(8)
    classes = [f"class_{k}" for k in range(12)]
    truth = (rng.random((300, 12)) < 0.15).astype(int)
    truth[::7] = 0  # rows without a label count for nothing
    scores = np.round(truth * 0.4 + rng.random((300, 12)), 2)  # ties too
    answers, predictions = pd.DataFrame(truth, columns=classes), pd.DataFrame(scores, columns=classes)
    spec = METRICS["lwlrap"]
    assert spec.exact_score(answers, predictions) == pytest.approx(_lwlrap_by_definition(truth, scores), abs=1e-12)
    assert spec.exact_score(answers, answers.astype(float)) == 1.0
    assert spec.column_wise and not spec.scored_by_column and METRICS["mean_columnwise_auc"].scored_by_column
    assert find_metric("Weighted Label Ranking Average Precision") is spec


@pytest.mark.parametrize(
    "recipe, name, is_max, agrees, found",
    [("map_at_k", "MAP@{K}", False, False, "the recipe's map_at_k is better higher, but Meta Kaggle's "
      "EvaluationAlgorithmIsMax says the leaderboard was ranked lower is better"),  # the direction is still checked
     ("map_at_12", "Mean Average Precision at K", True, True, "the recipe's map_at_12 is Meta Kaggle's Mean Average "
      "Precision at K at K=12"),  # Meta Kaggle's other name without the depth
     (None, "MAP@{K}", True, False, "the recipe sets no metric: Meta Kaggle's MAP@{K} does not give K, and map_at_k "
      "grades at K=5; name the competition's depth in the recipe's metric (map_at_3, map_at_k, map_at_12)"),
     ("map_at_12", "MAP@5", True, False, "the recipe grades with map_at_12, but Kaggle ranked the leaderboard by "
      "Meta Kaggle's MAP@5 (map_at_k in the registry)"),
     ("map_at_3", "map_at_5", True, False, "the recipe grades with map_at_3, but Kaggle ranked the leaderboard by "
      "Meta Kaggle's map_at_5 (map_at_k in the registry)"),  # a review: map_at_5 gives K too
     ("accuracy", "map_at_3", True, False, "the recipe grades with accuracy, but Kaggle ranked the leaderboard by "
      "Meta Kaggle's map_at_3 (map_at_3 in the registry)"),  # a listing naming the registry's own name
     (None, "map_at_k", True, True, "the recipe sets no metric: Meta Kaggle's map_at_k"),  # K=5 by its name
     # top-k error, whose Meta Kaggle name does not give K either (inaturalist-2019 is top-1, inaturalist-2018 top-3)
     (None, "MeanBestErrorAtK", False, False, "the recipe sets no metric: Meta Kaggle's MeanBestErrorAtK does not "
      "give K, and top_k_error grades at K=5; name the competition's depth in the recipe's metric (top_1_error, "
      "top_3_error, top_k_error)"),
     ("top_1_error", "MeanBestErrorAtK", False, True, "the recipe's top_1_error is Meta Kaggle's MeanBestErrorAtK at "
      "K=1"),
     ("top_1_error", "Mean Best Error at 5", False, False, "the recipe grades with top_1_error, but Kaggle ranked the "
      "leaderboard by Meta Kaggle's Mean Best Error at 5 (top_k_error in the registry)"),  # review 165: it found none
     (None, "Top-5 Error", False, True, "the recipe sets no metric: Meta Kaggle's Top-5 Error (top_k_error"),
     # a metric of another family is not the same metric at another depth, whichever way its board runs
     ("top_1_error", "MAP@{K}", None, False, "the recipe grades with top_1_error, but Kaggle ranked the leaderboard "
      "by Meta Kaggle's MAP@{K} (map_at_k in the registry)"),
     ("map_at_3", "MeanBestErrorAtK", None, False, "the recipe grades with map_at_3, but Kaggle ranked the "
      "leaderboard by Meta Kaggle's MeanBestErrorAtK (top_k_error in the registry)"),
     # F-Score Beta (Micro), whose Meta Kaggle name does not give beta (planet is F2, icdm-2015-drawbridge F0.5)
     (None, "F-Score Beta (Micro)", True, False, "the recipe sets no metric: Meta Kaggle's F-Score Beta (Micro) does "
      "not give beta, and mean_f2 grades at beta=2; name the competition's beta in the recipe's metric (mean_f0_5, "
      "mean_f1, mean_f2)"),
     ("mean_f0_5", "F-Score Beta (Micro)", True, True, "the recipe's mean_f0_5 is Meta Kaggle's F-Score Beta (Micro) "
      "at beta=0.5 (the dump does not give beta; the competition's page does)"),
     ("mean_f1", "Mean F2 Score", True, False, "the recipe grades with mean_f1, but Kaggle ranked the leaderboard by "
      "Meta Kaggle's Mean F2 Score (mean_f2 in the registry)"),  # a listing that gives beta
     ("f1_micro_labels", "F-Score Beta (Micro)", True, False, "the recipe grades with f1_micro_labels, but Kaggle "
      "ranked the leaderboard by Meta Kaggle's F-Score Beta (Micro) (mean_f2 in the registry)"),  # MLE-bench's imet
     ("mean_f1", "F-Score Beta (Micro)", False, False, "the recipe's mean_f1 is better higher, but Meta Kaggle's "
      "EvaluationAlgorithmIsMax says the leaderboard was ranked lower is better")],
)  # fmt: skip
def test_a_map_depth_is_checked_where_kaggle_says_it_and_asked_for_where_it_does_not(recipe, name, is_max, agrees,
                                                                                     found):  # fmt: skip
    """A review: the any-depth rule for MAP@{K} skipped the direction check and missed Meta Kaggle's other name; a
    recipe with no metric under MAP@{K} graded h-and-m at 5 without a word; MLE-bench's configs name whale's MAP@5
    and hotel-id's map-at-5, which found no metric."""
    got = recipe_metric_against_kaggle(recipe, name, is_max)
    assert got[0] is agrees and got[1].startswith(found), got
    assert find_metric("MAP@5") is find_metric("map-at-5") is METRICS["map_at_k"]


@pytest.mark.parametrize("predicted", ["ab", ""])
def test_empty_text_answers_are_empty_text_in_parity_as_in_grading(tmp_path, predicted):
    """DuckDB reads an empty CSV field as NULL, which parity took as the text "None": a blank answer was 4 edits from
    an empty prediction there and none in grading, so parity's sample score was not the graded one (a free-text
    competition whose answer is sometimes nothing: tweet-sentiment-extraction's empty selections). An empty sample
    prediction, and the baseline's commonest answer, are empty text too."""

    def blank_some_answers(raw: Path) -> None:
        train = pd.read_csv(raw / "train.csv", dtype=str, keep_default_na=False)
        train.loc[train.index % 5 == 0, "target"] = ""
        train.to_csv(raw / "train.csv", index=False)
        sample = pd.read_csv(raw / "sample_submission.csv", dtype=str, keep_default_na=False)
        sample.assign(target=predicted).to_csv(raw / "sample_submission.csv", index=False)

    flow = run_flow(tmp_path, "mean_levenshtein", reshape=blank_some_answers)
    answers = pd.read_csv(flow.folder.answers, dtype=str, keep_default_na=False)
    assert (answers["target"] == "").any()
    sample_row = flow.parity.score_row("sample submission", "new test")
    assert sample_row["score"] == pytest.approx(flow.sample.score, abs=1e-5)
    # the commonest training answer is the empty one (a fifth of the rows): the baseline predicts nothing
    nothing = METRICS["mean_levenshtein"].exact_score(answers["target"], pd.Series("", index=answers.index))
    assert flow.parity.score_row("baseline", "new test")["score"] == pytest.approx(nothing)


def test_a_mask_that_is_no_run_length_encoding_is_refused_naming_its_column_and_line(tmp_path):
    """A segmentation submission's masks are read as run-length pairs: one that is not (an odd count of numbers, runs
    out of order) is a mistake in the file, said with its line, never scored as some other set of pixels."""
    flow = run_flow(tmp_path, "dice")
    submission = pd.read_csv(flow.folder.answers, dtype=str, keep_default_na=False)
    submission.loc[3, "target"] = "5 2 7"
    submission.loc[8, "target"] = "40 2 10 3"
    path = tmp_path / "bad.csv"
    submission.to_csv(path, index=False)
    report = grade_submission(path, flow.folder, "dice", flow.board)
    assert not report.valid_submission and report.score is None
    assert report.errors == [
        "column target: 2 value(s) that are no run-length encoded mask, e.g. 5 2 7 on line 5: an odd count of "
        "numbers (3): a start without its length; dice needs start and length pairs, starts ascending, runs not "
        "overlapping"
    ]
    # the empty masks of the answers are masks: the answers themselves grade perfect
    assert (submission["target"] == "").any() and flow.answers.score == 1.0


def test_masks_of_whole_slide_images_megabytes_a_line_are_split_graded_and_weighed(tmp_path):
    """hubmap-kidney-segmentation's masks are whole-slide images', megabytes a line: DuckDB refused the train file
    (a line past its 2,000,000 bytes) and grading the answers (a field past the csv module's 131,072 characters)."""
    big = " ".join(f"{10**6 + 3 * i} 2" for i in range(220_000))  # 220,000 runs, 2.2 MB
    assert len(big) > 2_000_000

    def whole_slides(raw):
        train = pd.read_csv(raw / "train.csv", dtype=str, keep_default_na=False)
        train.loc[train.index % 60 == 0, "target"] = big
        train.to_csv(raw / "train.csv", index=False)

    flow = run_flow(tmp_path, "dice", whole_slides)
    answers = pd.read_csv(flow.folder.answers, dtype=str, keep_default_na=False)
    assert (answers["target"] == big).sum() >= 1  # some of them are in the new test set
    assert flow.answers.valid_submission and flow.answers.score == 1.0, flow.answers.errors
    assert flow.sample.valid_submission and flow.parity.verdict in ("parity", "drift"), flow.sample.errors
    # a prediction of megabytes is graded as any other: half of such a mask found scores 2/3 in its row
    half = " ".join(big.split()[:220_000])
    predicted = answers.assign(target=np.where(answers["target"] == big, half, answers["target"]))
    path = tmp_path / "submission.csv"
    predicted.to_csv(path, index=False)
    report = grade_submission(path, flow.folder, "dice", flow.board)
    halved = (answers["target"] == big).sum()
    assert report.valid_submission and report.score == pytest.approx(1 - halved / 3 / len(answers), abs=1e-5)
    # and its lines are still checked: a field too many on a line of megabytes is named
    lines = path.read_text().splitlines()
    at = next(n for n, line in enumerate(lines) if len(line) > 1_000_000)
    lines[at] += ",1"
    path.write_text("\n".join(lines) + "\n")
    report = grade_submission(path, flow.folder, "dice", flow.board)
    assert report.errors == [f"{path}: line {at + 1}: 3 field(s), but the header has 2"]
    # quoted, as R's write.csv and pandas' QUOTE_ALL write it (a sweep: it was refused past the csv module's limit)
    predicted.to_csv(path, index=False, quoting=1)
    quoted = grade_submission(path, flow.folder, "dice", flow.board)
    assert quoted.valid_submission, quoted.errors
    assert quoted.score == pytest.approx(1 - halved / 3 / len(answers), abs=1e-5)
    # a quote the csv module reads its own way (inside an unquoted field) on a line of megabytes: refused, saying so
    lines = path.read_text().splitlines()
    lines[at] = lines[at].replace('"', "", 2).replace(" ", ' "', 1)
    path.write_text("\n".join(lines) + "\n")
    refused = grade_submission(path, flow.folder, "dice", flow.board)
    assert not refused.valid_submission and "which the csv module reads its own way" in refused.errors[0], (
        refused.errors
    )


def test_a_mask_submission_may_be_as_large_as_its_answers_and_bad_masks_elsewhere_say_where(tmp_path):
    """Review 165: a submission was refused past 20 times the sample's size, and a segmentation sample predicts one
    pixel a row (carvana's 1 1) where a real mask is kilobytes; answers that are no masks were blamed on the sample,
    with no row; one bad training mask crashed parity."""
    from validation.gradable_answers import UngradableAnswers, check_answers_for
    from validation.grading import _size_limit
    from validation.parity_baseline import _constant_mask

    flow = run_flow(tmp_path, "dice")
    answers = pd.read_csv(flow.folder.answers, dtype=str, keep_default_na=False)
    rows = len(answers)
    # 9,500 runs a row, 123 KB (under the csv module's field limit of 131,072 characters, which a larger mask meets)
    big = answers.assign(target=" ".join(f"{10**9 + 3 * i} 2" for i in range(9_500)))
    path = tmp_path / "big.csv"
    big.to_csv(path, index=False)
    flow.folder.answers.write_text(big.to_csv(index=False))  # answers of that size: 20 times them is taken
    assert _size_limit(flow.folder) == 20 * flow.folder.answers.stat().st_size > 10 * 1024**2
    assert flow.folder.sample_submission.stat().st_size * 20 < 10 * 1024**2  # the sample's 1 1 a row allowed 10 MiB
    report = grade_submission(path, flow.folder, "dice", flow.board)
    assert report.valid_submission and report.score == 1.0, report.errors
    answers.loc[5, "target"] = "4 2 1 3"
    flow.folder.answers.write_text(answers.to_csv(index=False))
    with pytest.raises(UngradableAnswers) as refused:
        check_answers_for(flow.folder, "demo-dice", "dice")
    assert "holds 1 value(s) that are no run-length encoded mask" in str(refused.value)
    assert "'4 2 1 3' at" in str(refused.value) and "the run at 1 starts before the one at 4" in str(refused.value)
    assert rows > 5
    # parity's constant mask passes over a training mask that is none
    assert _constant_mask(pd.Series(["1 3", "3 1 1 1", "1 3", ""]), METRICS["dice"]) == "1 3"
