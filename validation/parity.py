"""Score parity: is a reconstructed test set a faithful stand-in for the original one?

>>> report = parity_report(inputs, tolerance=ParityTolerance())

Evidence, in order of strength:

a. the sample submission and a simple deterministic baseline (trained on the new train set only: TF-IDF, numeric and
   one-hot features into a linear model) scored on the new test set, with a bootstrap 95% interval;
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

from validation.grading import numbers
from validation.metrics import METRICS, Metric

BOOTSTRAP_ROUNDS = 200
TEXT_MIN_MEAN_LENGTH = 30  # a column whose values average more characters than this is text
MAX_CATEGORIES = 50


@dataclass(frozen=True)
class ParityTolerance:
    score: float = 0.03  # the baseline's score may move this much (absolute) between original and new test sets
    adversarial_auc: float = 0.6  # above this, a classifier tells the two test sets apart


@dataclass(frozen=True)
class EvaluationSet:
    """Rows with their truth, in the metric's shape: labels (label metrics, and the labels of class-probability
    metrics) or numbers (score metrics)."""

    features: pd.DataFrame
    truth: pd.Series


@dataclass(frozen=True)
class ParityInputs:
    metric: str
    train: pd.DataFrame  # the new train set (features + target)
    target: str
    new_test: EvaluationSet
    sample_prediction: object  # the sample submission's (constant) prediction, per row or per class
    classes: list[str] | None = None  # for class-probability metrics: the submission's class columns
    original_test: EvaluationSet | None = None  # with labels, when Kaggle released them
    original_public_test: pd.DataFrame | None = None  # the original test features (no labels needed)
    leaderboard_scores: np.ndarray | None = None
    original_sample: pd.DataFrame | None = None  # the competition's own sample submission (original test rows)
    id_column: str | None = None


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
            ("sample submission", _constant(inputs, metric, len(evaluation.truth))),
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
    if inputs.leaderboard_scores is not None:
        sample = next(
            r["score"] for r in report.rows if r["submission"] == "sample submission" and r["test_set"] == "new test"
        )
        from validation.medals import Leaderboard, medal_thresholds, place

        board = Leaderboard(inputs.leaderboard_scores, "leaderboard")
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
    columns: tuple
    pipeline: object
    task: str  # classify | regress


def _fit_baseline(inputs: ParityInputs, metric: Metric) -> _Baseline | None:
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline

    features = inputs.train.drop(columns=[inputs.target])
    columns = _features(
        features.drop(columns=[c for c in features.columns if c not in inputs.new_test.features.columns])
    )
    design = _design(columns)
    if design is None or metric.kind == "columnwise":
        return None
    regress = metric.name in ("rmse", "rmsle", "mae")
    y = (
        numbers(inputs.train[inputs.target])
        if regress or metric.kind == "score"
        else inputs.train[inputs.target].astype(str)
    )
    model = Ridge(alpha=1.0) if regress else LogisticRegression(max_iter=2000, C=1.0)
    pipeline = make_pipeline(design, model).fit(_prepare(features, columns), y)
    return _Baseline(columns, pipeline, "regress" if regress else "classify")


def _predict(model: _Baseline | None, inputs: ParityInputs, metric: Metric, features: pd.DataFrame):
    if model is None:
        return _constant(inputs, metric, len(features))
    X = _prepare(features, model.columns)
    if model.task == "regress":
        return pd.Series(model.pipeline.predict(X))
    if metric.kind == "class_probabilities":
        classes = [str(c) for c in model.pipeline.classes_]
        probabilities = pd.DataFrame(model.pipeline.predict_proba(X), columns=classes)
        return probabilities.reindex(columns=inputs.classes, fill_value=0.0)
    if metric.kind == "score":  # probability of the positive class
        classes = list(model.pipeline.classes_)
        positive = classes.index(max(classes))
        return pd.Series(model.pipeline.predict_proba(X)[:, positive])
    return pd.Series(model.pipeline.predict(X))


def _constant(inputs: ParityInputs, metric: Metric, rows: int):
    if metric.kind == "class_probabilities":
        return pd.DataFrame([inputs.sample_prediction] * rows, columns=inputs.classes)
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
    metric: Metric, truth: pd.Series, predictions, seed: int
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
    prepared: Path, raw_files: Path, recipe: dict, metric: str, leaderboard_scores: np.ndarray | None = None
) -> ParityInputs:
    """Everything :func:`parity_report` needs, from a prepared split, the raw download and the recipe."""
    import duckdb

    from validation.data_files import reader_sql

    spec = METRICS[metric]
    targets = recipe["target_columns"]
    target = targets[0]
    id_column = recipe.get("id_column")
    with duckdb.connect() as con:
        read = lambda path: con.sql(f"SELECT * FROM {reader_sql(path)}").df()  # noqa: E731
        public = prepared / "public"
        train = read(next(p for p in public.iterdir() if p.stem == "train"))
        test = read(next(p for p in public.iterdir() if p.stem == "test"))
        answers = read(prepared / "private" / "answers.csv")
        sample = read(public / "sample_submission.csv")
        test_name = recipe.get("test_file", "test.csv")
        original_public = read(raw_files / test_name) if test_name and (raw_files / test_name).is_file() else None
        original_labelled = (
            read(raw_files / recipe["original_answers_file"]) if recipe.get("original_answers_file") else None
        )
        sample_name = recipe.get("sample_submission_file")
        original_sample = read(raw_files / sample_name) if sample_name and (raw_files / sample_name).is_file() else None
    keys = [id_column] if id_column else [c for c in answers.columns if c in test.columns]
    classes = [c for c in answers.columns if c not in keys] if spec.kind == "class_probabilities" else None
    if id_column:
        answers = test[[id_column]].merge(answers, on=id_column, how="left")
    truth = _truth(spec, answers, target, classes)
    features = test.drop(columns=[id_column], errors="ignore")
    first = sample.iloc[0]
    sample_prediction = [float(first[c]) for c in classes] if classes else (
        float(numbers(pd.Series([first[target]])).iloc[0]) if spec.kind == "score" else first[target]
    )  # fmt: skip
    original_test = None
    if original_labelled is not None:
        original_test = EvaluationSet(
            original_labelled[[c for c in features.columns if c in original_labelled.columns]],
            _truth(spec, original_labelled, target, None),
        )
    return ParityInputs(
        metric=metric,
        train=train.drop(columns=[id_column], errors="ignore"),
        target=target,
        new_test=EvaluationSet(features, truth),
        sample_prediction=sample_prediction,
        classes=classes,
        original_test=original_test,
        original_public_test=original_public,
        leaderboard_scores=leaderboard_scores,
        original_sample=original_sample,
        id_column=id_column,
    )


def _truth(spec: Metric, frame: pd.DataFrame, target: str, classes: list[str] | None) -> pd.Series:
    if classes:  # one-hot answers: the label is the column holding the 1
        return frame[classes].apply(numbers).idxmax(axis=1).reset_index(drop=True)
    values = frame[target].reset_index(drop=True)
    return numbers(values) if spec.kind == "score" else values.astype(str)
