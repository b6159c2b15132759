"""Score parity: is a reconstructed test set a faithful stand-in for the original one?

>>> report = parity_report(inputs, tolerance=ParityTolerance())

Evidence, in order of strength:

a. the sample submission and a simple deterministic baseline scored on the new test set, with a bootstrap 95%
   interval. The baseline is trained on the new train set only (TF-IDF, numeric and one-hot features) and chosen by
   the metric's task (see :func:`_fit_baseline`): a ridge regression per target column (regression tasks); a
   logistic regression's probabilities per target column (binary, multi-label) or per class (multi-class), its
   predicted label (classification) or its most probable labels (ranking); the commonest answer (free text). Its
   predictions are clipped into the metric's domain (e.g. non-negative for RMSLE, 0..1 for log loss);
b. the same two scored on the ORIGINAL test set, where its labels can be had (labels Kaggle released later);
c. feature-distribution parity with no labels: the original public test features against the new test features,
   column by column (Kolmogorov-Smirnov for numbers, total variation distance for categories, length and vocabulary
   for text), and overall (cross-validated AUC of a classifier telling the two apart: 0.5 means alike);
   or, failing released labels, Kaggle itself: the two go in as late submissions (``kaggle_scorer``) and Kaggle's
   private score comes back;
d. where the sample submission falls on the real leaderboard (it should earn no medal).

Verdict: ``parity`` or ``drift`` from (b) when original labels exist (the baseline's score moves by no more than the
tolerance), else from (c) (the two test sets are hard to tell apart); ``unknown`` when neither can be measured.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from validation.data_root import TEST, TRAIN, PreparedFolder
from validation.grading import numbers
from validation.leaderboard import Leaderboard
from validation.medals import medal_thresholds, place
from validation.metrics import METRICS, RANKING_DEPTH, Metric

BOOTSTRAP_ROUNDS = 200
TEXT_MIN_MEAN_LENGTH = 30  # a column whose values average more characters than this is text
MAX_CATEGORIES = 50
MAX_BASELINE_CLASSES = 200  # more distinct labels than this (free text, ids): the baseline predicts the commonest
BASELINE_BY_TASK = {  # what the baseline learns for each task of validation.metrics.TASKS (see _fit_baseline)
    "binary": "probability", "multilabel": "probability", "multiclass": "classes", "classification": "label",
    "regression": "regress", "multi_target_regression": "regress", "ranking": "ranking", "text": "constant",
}  # fmt: skip


@dataclass(frozen=True)
class ParityTolerance:
    score: float = 0.03  # the baseline's score may move this much (absolute) between original and new test sets
    adversarial_auc: float = 0.6  # above this, a classifier tells the two test sets apart


@dataclass(frozen=True)
class EvaluationSet:
    """Rows with their truth, in the shape the metric's task takes: labels (classification, ranking, text, and the
    labels of ``multiclass``), numbers (``binary``, ``regression``), or a frame of the target columns
    (``multilabel``, ``multi_target_regression``)."""

    features: pd.DataFrame
    truth: pd.Series | pd.DataFrame


@dataclass(frozen=True)
class ParityInputs:
    metric: str
    train: pd.DataFrame  # the new train set (features + targets)
    targets: list[str]  # the recipe's target columns
    new_test: EvaluationSet
    sample_prediction: object  # the sample submission's constant prediction: a value, or one per prediction column
    prediction_columns: list[str] | None = None  # multi-column tasks: the class columns, or the target columns
    original_test: EvaluationSet | None = None  # with labels, when Kaggle released them
    original_public_test: pd.DataFrame | None = None  # the original test features (no labels needed)
    leaderboard: Leaderboard | None = None  # the competition's real private leaderboard
    original_sample: pd.DataFrame | None = None  # the competition's own sample submission (original test rows)
    id_column: str | None = None

    @property
    def target(self) -> str:
        """The first target: the label of single-target tasks."""
        return self.targets[0]


class OriginalScoreUnavailable(Exception):
    """Kaggle cannot score the original test set for this competition (e.g. it refuses late submissions)."""


@dataclass
class ParityReport:
    metric: str
    rows: list[dict] = field(default_factory=list)  # one per (submission, test set): score and interval
    columns: list[dict] = field(default_factory=list)  # per-column distribution comparison
    adversarial_auc: float | None = None
    sample_medal: bool | None = None
    sample_rank: int | None = None
    verdict: str = "unknown"
    reason: str = ""
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def parity_report(
    inputs: ParityInputs, tolerance: ParityTolerance | None = None, seed: int = 0, kaggle_scorer=None
) -> ParityReport:
    """``kaggle_scorer(name, submission_frame) -> score`` scores a submission on Kaggle's original test set (a late
    submission); it raises :class:`OriginalScoreUnavailable` when Kaggle cannot."""
    tolerance = tolerance or ParityTolerance()
    metric = METRICS[inputs.metric]
    report = ParityReport(inputs.metric)
    model = _fit_baseline(inputs, metric)
    sets = {"new test": inputs.new_test}
    if inputs.original_test is not None:
        sets["original test"] = inputs.original_test
    for name, evaluation in sets.items():
        for submission, predictions in [
            ("sample submission", _constant(inputs, len(evaluation.truth))),
            ("baseline", _predict(model, inputs, metric, evaluation.features)),
        ]:
            score, low, high = _with_interval(metric, evaluation.truth, predictions, seed)
            report.rows.append({"submission": submission, "test_set": name, "rows": len(evaluation.truth),
                                "score": score, "low": low, "high": high})  # fmt: skip
    if kaggle_scorer is not None and inputs.original_sample is not None and inputs.original_public_test is not None:
        for name, frame in _original_format_submissions(inputs, model, metric):
            try:
                score = kaggle_scorer(name, frame)
            except OriginalScoreUnavailable as error:
                report.notes.append(str(error))
                break
            report.rows.append({"submission": name, "test_set": "original test (Kaggle)", "rows": len(frame),
                                "score": round(float(score), 5), "low": None, "high": None})  # fmt: skip
    if inputs.original_public_test is not None:
        shared = [c for c in inputs.new_test.features.columns if c in inputs.original_public_test.columns]
        report.columns = _column_parity(inputs.original_public_test[shared], inputs.new_test.features[shared])
        report.adversarial_auc = _adversarial_auc(
            inputs.original_public_test[shared], inputs.new_test.features[shared], seed
        )
    if inputs.leaderboard is not None:
        sample = next(
            r["score"] for r in report.rows if r["submission"] == "sample submission" and r["test_set"] == "new test"
        )
        board = inputs.leaderboard
        placement = place(sample, board, medal_thresholds(board, metric.higher_is_better))
        report.sample_medal, report.sample_rank = placement.any_medal, placement.rank
    _decide(report, tolerance)
    return report


def _decide(report: ParityReport, tolerance: ParityTolerance) -> None:
    baseline = {r["test_set"]: r for r in report.rows if r["submission"] == "baseline"}
    original = next((baseline[k] for k in ("original test", "original test (Kaggle)") if k in baseline), None)
    if original is not None:
        new, old = baseline["new test"], original
        gap = abs(new["score"] - old["score"])
        report.verdict = "parity" if gap <= tolerance.score else "drift"
        report.reason = (f"baseline {new['score']:.5f} on the new test set vs {old['score']:.5f} on the {old['test_set']}: "
                         f"gap {gap:.5f}, tolerance {tolerance.score}")  # fmt: skip
    elif report.adversarial_auc is not None:
        alike = report.adversarial_auc <= tolerance.adversarial_auc
        report.verdict = "parity" if alike else "drift"
        report.reason = (f"no original labels; a classifier tells the original and new test sets apart with AUC "
                         f"{report.adversarial_auc:.3f} (tolerance {tolerance.adversarial_auc})")  # fmt: skip
    else:
        report.verdict, report.reason = "unknown", "no original labels and no original test features to compare"


def _features(frame: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """(numeric, text, categorical) columns, judged from the values."""
    numeric, text, categorical = [], [], []
    for column in frame.columns:
        values = frame[column]
        if values.map(lambda v: isinstance(v, list | dict | np.ndarray)).any():
            continue
        as_number = pd.to_numeric(values, errors="coerce")
        if as_number.notna().mean() >= 0.95 and values.astype(str).str.lower().isin(["true", "false"]).mean() < 0.5:
            numeric.append(column)
        elif values.astype(str).str.len().mean() > TEXT_MIN_MEAN_LENGTH:
            text.append(column)
        elif values.nunique() <= MAX_CATEGORIES:
            categorical.append(column)
    return numeric, text, categorical


def _design(columns: tuple[list[str], list[str], list[str]]):
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric, text, categorical = columns
    parts = []
    if numeric:
        parts.append(("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric))
    for column in text[:2]:
        parts.append((f"text_{column}", TfidfVectorizer(max_features=20000, sublinear_tf=True), column))
    if categorical:
        parts.append(("categories", OneHotEncoder(handle_unknown="ignore"), categorical))
    return ColumnTransformer(parts) if parts else None


def _prepare(frame: pd.DataFrame, columns) -> pd.DataFrame:
    numeric, text, categorical = columns
    data = {c: pd.to_numeric(frame[c], errors="coerce") for c in numeric}
    data |= {c: frame[c].fillna("").astype(str) for c in [*text, *categorical]}
    return pd.DataFrame(data, index=frame.index)


@dataclass
class _Baseline:
    """A simple model per prediction column, chosen by the metric's task (see :func:`_fit_baseline`)."""

    columns: tuple  # the feature columns: (numeric, text, categorical)
    models: dict[str, object]  # prediction column -> fitted pipeline, or None where the column predicts a constant
    constants: dict[str, object]  # prediction column -> what it predicts without a model


def _fit_baseline(inputs: ParityInputs, metric: Metric) -> _Baseline | None:
    """The baseline for the metric's task, trained on the new train set only; None when there are no usable
    features (it then predicts what the sample submission does).

    - ``regression``: a ridge regression; ``multi_target_regression``: one ridge regression per target column;
    - ``binary``: a logistic regression's probability of the positive class; ``multilabel``: one per target column;
    - ``multiclass``: a logistic regression's class probabilities, in the submission's class columns;
    - ``classification``: a logistic regression's predicted label;
    - ``ranking``: a logistic regression on each row's first label, listing its most probable labels, best first;
    - ``text``: the most common training answer (free text has no classes to learn).

    A target with a single class (or more than ``MAX_BASELINE_CLASSES``) gets a constant: its share of positives, its
    class frequencies, or its commonest label(s). Predictions are clipped into the metric's domain.
    """
    features = inputs.train.drop(columns=inputs.targets, errors="ignore")
    columns = _features(features[[c for c in features.columns if c in inputs.new_test.features.columns]])
    if _design(columns) is None:
        return None
    X = _prepare(features, columns)
    kind = BASELINE_BY_TASK[metric.task]
    fitted = {}
    for target in inputs.targets if metric.column_wise else [inputs.target]:
        values = inputs.train[target]
        if metric.task == "ranking":  # learn each row's first (best) label
            values = values.astype(str).str.split().str[0].fillna("")
        fitted[target] = _fit_column(kind, values, X, columns, metric.numeric_predictions)
    return _Baseline(columns, {c: m for c, (m, _) in fitted.items()}, {c: k for c, (_, k) in fitted.items()})


def _fit_column(kind: str, values: pd.Series, X: pd.DataFrame, columns, numeric: bool) -> tuple[object, object]:
    """(a fitted pipeline or None, the constant to predict without one) for one prediction column."""
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline

    if kind == "regress":
        return make_pipeline(_design(columns), Ridge(alpha=1.0)).fit(X, numbers(values)), None
    y = numbers(values) if kind == "probability" or (kind == "label" and numeric) else values.astype(str)
    frequencies = y.value_counts(normalize=True)
    if kind == "probability":  # the share of positives
        constant = float(y.mean())
    elif kind == "classes":
        constant = frequencies.to_dict()
    elif kind == "ranking":  # the commonest labels, best first
        constant = " ".join(map(str, frequencies.index[:RANKING_DEPTH]))
    else:
        constant = frequencies.index[0]
    if kind == "constant" or not 2 <= len(frequencies) <= MAX_BASELINE_CLASSES:
        return None, constant
    return make_pipeline(_design(columns), LogisticRegression(max_iter=2000, C=1.0)).fit(X, y), constant


def _predict(model: _Baseline | None, inputs: ParityInputs, metric: Metric, features: pd.DataFrame):
    if model is None:
        return _constant(inputs, len(features))
    X = _prepare(features, model.columns)
    predicted = {c: _predict_column(metric, model.models[c], model.constants[c], X) for c in model.models}
    if metric.column_wise:
        return metric.clip(pd.DataFrame({c: predicted[c] for c in inputs.targets}))
    result = predicted[inputs.target]
    if metric.one_column_per_class:
        return metric.clip(result.reindex(columns=inputs.prediction_columns, fill_value=0.0))
    return metric.clip(result)


def _predict_column(metric: Metric, pipeline, constant, X: pd.DataFrame):
    """One prediction column (a frame of class probabilities for ``multiclass``) for the rows of ``X``."""
    rows = len(X)
    if pipeline is None:
        if metric.one_column_per_class:
            return pd.DataFrame([constant] * rows, columns=[str(c) for c in constant])
        return pd.Series([constant] * rows)
    step = pipeline.steps[-1][1]
    if not hasattr(step, "classes_"):  # a regression
        return pd.Series(pipeline.predict(X))
    classes = [str(c) for c in step.classes_]
    if metric.one_column_per_class:
        return pd.DataFrame(pipeline.predict_proba(X), columns=classes)
    if metric.predicts_probabilities:  # probability of the positive (largest) class
        return pd.Series(pipeline.predict_proba(X)[:, int(np.argmax(step.classes_))])
    if metric.task == "ranking":  # the most probable labels, best first
        order = np.argsort(-pipeline.predict_proba(X), axis=1, kind="stable")[:, :RANKING_DEPTH]
        return pd.Series([" ".join(classes[i] for i in row) for row in order])
    return pd.Series(pipeline.predict(X))


def _constant(inputs: ParityInputs, rows: int):
    """The sample submission's constant prediction, once per row."""
    if inputs.prediction_columns:
        return pd.DataFrame([inputs.sample_prediction] * rows, columns=inputs.prediction_columns)
    return pd.Series([inputs.sample_prediction] * rows)


def _original_format_submissions(inputs: ParityInputs, model, metric: Metric) -> list[tuple[str, pd.DataFrame]]:
    """The sample submission as the competition shipped it, and the baseline's predictions for the original test
    rows in the same format (keys from the sample, predictions in its other columns)."""
    sample = inputs.original_sample.reset_index(drop=True)
    test = inputs.original_public_test.reset_index(drop=True)
    if inputs.id_column and inputs.id_column in sample.columns and inputs.id_column in test.columns:
        rows = sample[[inputs.id_column]].merge(test, on=inputs.id_column, how="left")
    else:  # no id: Kaggle's sample lists the test rows in the test file's order
        rows = test
    predicted_columns = [c for c in sample.columns if c not in test.columns and c != inputs.id_column]
    predictions = _predict(model, inputs, metric, rows)
    baseline = sample.copy()
    if isinstance(predictions, pd.DataFrame):
        for column in predicted_columns:
            baseline[column] = predictions[column].to_numpy() if column in predictions else 0.0
    else:
        baseline[predicted_columns[0]] = np.asarray(predictions)
    return [("sample submission", sample), ("baseline", baseline)]


def _with_interval(
    metric: Metric, truth: pd.Series | pd.DataFrame, predictions, seed: int
) -> tuple[float, float | None, float | None]:
    truth = truth.reset_index(drop=True)
    predictions = predictions.reset_index(drop=True)
    score = metric.score(truth, predictions)
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(BOOTSTRAP_ROUNDS):
        index = rng.integers(0, len(truth), len(truth))
        try:
            samples.append(
                metric.score(truth.iloc[index].reset_index(drop=True), predictions.iloc[index].reset_index(drop=True))
            )
        except ValueError:  # a resample with one class only has no AUC
            continue
    if not samples:  # no resample could be scored: no interval
        return score, None, None
    low, high = np.percentile(samples, [2.5, 97.5])
    return score, round(float(low), 5), round(float(high), 5)


def _column_parity(original: pd.DataFrame, new: pd.DataFrame) -> list[dict]:
    from scipy.stats import ks_2samp

    numeric, text, categorical = _features(pd.concat([original, new], ignore_index=True))
    rows = []
    for c in numeric:
        a, b = pd.to_numeric(original[c], errors="coerce").dropna(), pd.to_numeric(new[c], errors="coerce").dropna()
        test = ks_2samp(a, b)
        rows.append({"column": c, "kind": "number", "statistic": "KS", "value": round(float(test.statistic), 4),
                     "p_value": round(float(test.pvalue), 4)})  # fmt: skip
    for c in categorical:
        f_old = original[c].astype(str).value_counts(normalize=True)
        f_new = new[c].astype(str).value_counts(normalize=True)
        distance = 0.5 * f_old.subtract(f_new, fill_value=0).abs().sum()
        rows.append({"column": c, "kind": "category", "statistic": "total variation", "value": round(float(distance), 4),
                     "p_value": None})  # fmt: skip
    for c in text:
        length_old = original[c].astype(str).str.len().mean()
        length_new = new[c].astype(str).str.len().mean()
        vocabulary_old = set(" ".join(original[c].astype(str)).lower().split())
        vocabulary_new = set(" ".join(new[c].astype(str)).lower().split())
        overlap = len(vocabulary_old & vocabulary_new) / max(len(vocabulary_new), 1)
        rows.append({"column": c, "kind": "text", "statistic": "mean length ratio / vocabulary overlap",
                     "value": round(float(length_new / max(length_old, 1e-9)), 4), "p_value": round(overlap, 4)})  # fmt: skip
    return rows


def _adversarial_auc(original: pd.DataFrame, new: pd.DataFrame, seed: int) -> float | None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline

    both = pd.concat([original, new], ignore_index=True)
    columns = _features(both)
    design = _design(columns)
    if design is None or min(len(original), len(new)) < 10:
        return None
    y = np.r_[np.zeros(len(original)), np.ones(len(new))]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    model = make_pipeline(design, LogisticRegression(max_iter=2000))
    scores = cross_val_predict(model, _prepare(both, columns), y, cv=folds, method="predict_proba")[:, 1]
    return round(float(roc_auc_score(y, scores)), 4)


def load_parity_inputs(
    prepared: PreparedFolder, raw_files: Path, recipe: dict, metric: str, leaderboard: Leaderboard | None = None
) -> ParityInputs:
    """Everything :func:`parity_report` needs, from a prepared split, the raw download's files and the recipe (a
    recipe document: ``target_columns``, ``id_column``, ``test_file``, ``sample_submission_file``,
    ``original_answers_file``)."""
    import duckdb

    from validation.data_files import reader_sql

    spec = METRICS[metric]
    targets = list(recipe["target_columns"])
    id_column = recipe.get("id_column")
    with duckdb.connect() as con:
        read = lambda path: con.sql(f"SELECT * FROM {reader_sql(path)}").df()  # noqa: E731
        train = read(prepared.public_file(TRAIN))
        test = read(prepared.public_file(TEST))
        answers = read(prepared.answers)
        sample = read(prepared.sample_submission)
        test_name = recipe.get("test_file", "test.csv")
        original_public = read(raw_files / test_name) if test_name and (raw_files / test_name).is_file() else None
        original_labelled = (
            read(raw_files / recipe["original_answers_file"]) if recipe.get("original_answers_file") else None
        )
        sample_name = recipe.get("sample_submission_file")
        original_sample = read(raw_files / sample_name) if sample_name and (raw_files / sample_name).is_file() else None
    keys = [id_column] if id_column else [c for c in answers.columns if c in test.columns]
    columns = None
    if spec.one_column_per_class:
        columns = [c for c in answers.columns if c not in keys]
    elif spec.column_wise:
        columns = targets
    if id_column:
        answers = test[[id_column]].merge(answers, on=id_column, how="left")
    truth = _truth(spec, answers, targets, columns)
    features = test.drop(columns=[id_column], errors="ignore")
    first = sample.iloc[0]
    if columns:
        sample_prediction = [float(numbers(pd.Series([first[c]])).iloc[0]) for c in columns]
    elif spec.numeric_predictions:
        sample_prediction = float(numbers(pd.Series([first[targets[0]]])).iloc[0])
    else:
        sample_prediction = str(first[targets[0]])
    original_test = None
    if original_labelled is not None:
        original_test = EvaluationSet(
            original_labelled[[c for c in features.columns if c in original_labelled.columns]],
            _truth(spec, original_labelled, targets, columns),
        )
    return ParityInputs(
        metric=metric,
        train=train.drop(columns=[id_column], errors="ignore"),
        targets=targets,
        new_test=EvaluationSet(features, truth),
        sample_prediction=sample_prediction,
        prediction_columns=columns,
        original_test=original_test,
        original_public_test=original_public,
        leaderboard=leaderboard,
        original_sample=original_sample,
        id_column=id_column,
    )


def _truth(spec: Metric, frame: pd.DataFrame, targets: list[str], columns: list[str] | None):
    """The truth in the shape the metric's task takes (see :class:`EvaluationSet`)."""
    if spec.one_column_per_class:
        if columns and all(c in frame.columns for c in columns):  # one-hot answers: the label is the column with the 1
            return frame[columns].apply(numbers).idxmax(axis=1).reset_index(drop=True)
        return frame[targets[0]].astype(str).reset_index(drop=True)
    if spec.column_wise:
        return frame[targets].apply(numbers).reset_index(drop=True)
    values = frame[targets[0]].reset_index(drop=True)
    return numbers(values) if spec.numeric_predictions else values.astype(str)
