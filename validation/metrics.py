"""The metric registry: every metric mlecurate grades, the Meta Kaggle names it serves, its direction, its code.

>>> METRICS["auc"].score(answers["target"], submission["target"])
>>> canonical_metric("Area Under Receiver Operating Characteristic Curve")
'auc'

Meta Kaggle names a competition's metric in ``EvaluationAlgorithmName`` (since 2023 the abbreviation of a Python
"Kaggle Metric" is a numeric id, so names are what to match on, case-insensitively with runs of spaces collapsed).
Implementations are vectorised with numpy/pandas and take the answers and the predictions already aligned by id:

- label metrics (accuracy, F1, kappa, MAP@K, Jaccard, Levenshtein) take two Series;
- score metrics (AUC, log loss, RMSE, ...) take two Series, or two DataFrames for the column-wise ones;
- ``multiclass_log_loss`` takes the true labels (a Series) and one probability column per class (a DataFrame).

Scores are rounded to 5 decimals, as MLE-bench reports them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

EPSILON = 1e-15


@dataclass(frozen=True)
class Metric:
    name: str
    higher_is_better: bool
    meta_kaggle_names: tuple[str, ...]
    function: Callable
    kind: str  # label | score | columnwise | class_probabilities

    def score(self, answers, predictions, **options) -> float:
        return round(float(self.function(answers, predictions, **options)), 5)


def auc(y_true: pd.Series, y_score: pd.Series) -> float:
    """Area under the ROC curve, by the Mann-Whitney rank statistic (ties count half)."""
    y = np.asarray(y_true, dtype=float)
    positives = int((y == 1).sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        raise ValueError("AUC needs both classes in the answers")
    ranks = pd.Series(np.asarray(y_score, dtype=float)).rank(method="average").to_numpy()
    return (ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives)


def mean_columnwise_auc(y_true: pd.DataFrame, y_score: pd.DataFrame) -> float:
    return float(np.mean([auc(y_true[c], y_score[c]) for c in y_true.columns]))


def log_loss(y_true: pd.Series, p: pd.Series) -> float:
    y = np.asarray(y_true, dtype=float)
    q = np.clip(np.asarray(p, dtype=float), EPSILON, 1 - EPSILON)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def multiclass_log_loss(labels: pd.Series, probabilities: pd.DataFrame) -> float:
    """Kaggle's multi-class log loss: each row rescaled to sum to 1, clipped, mean of -log p(true class)."""
    p = probabilities.to_numpy(dtype=float)
    p = np.clip(p / p.sum(axis=1, keepdims=True), EPSILON, 1 - EPSILON)
    classes = {str(c): i for i, c in enumerate(probabilities.columns)}
    index = np.array([classes[str(label)] for label in labels])
    return float(-np.mean(np.log(p[np.arange(len(index)), index])))


def rmse(y_true: pd.Series, y_pred: pd.Series) -> float:
    return float(np.sqrt(np.mean((np.asarray(y_true, float) - np.asarray(y_pred, float)) ** 2)))


def rmsle(y_true: pd.Series, y_pred: pd.Series) -> float:
    return rmse(np.log1p(np.asarray(y_true, float)), np.log1p(np.asarray(y_pred, float)))


def mean_columnwise_rmsle(y_true: pd.DataFrame, y_pred: pd.DataFrame) -> float:
    return float(np.mean([rmsle(y_true[c], y_pred[c]) for c in y_true.columns]))


def mae(y_true: pd.Series, y_pred: pd.Series) -> float:
    return float(np.mean(np.abs(np.asarray(y_true, float) - np.asarray(y_pred, float))))


def accuracy(y_true: pd.Series, y_pred: pd.Series) -> float:
    return float(np.mean(_labels(y_true) == _labels(y_pred)))


def quadratic_weighted_kappa(y_true: pd.Series, y_pred: pd.Series) -> float:
    a = np.asarray(y_true, dtype=int)
    b = np.asarray(y_pred, dtype=int)
    low, high = min(a.min(), b.min()), max(a.max(), b.max())
    n = high - low + 1
    observed = np.zeros((n, n))
    np.add.at(observed, (a - low, b - low), 1)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / len(a)
    weights = (np.subtract.outer(np.arange(n), np.arange(n)) ** 2) / max((n - 1) ** 2, 1)
    denominator = (weights * expected).sum()
    return 1.0 if denominator == 0 else float(1 - (weights * observed).sum() / denominator)


def f1_micro(y_true: pd.Series, y_pred: pd.Series) -> float:
    # For single-label classification micro F1 equals accuracy.
    return accuracy(y_true, y_pred)


def f1_macro(y_true: pd.Series, y_pred: pd.Series) -> float:
    t, p = _labels(y_true), _labels(y_pred)
    scores = []
    for label in np.union1d(t, p):
        tp = np.sum((t == label) & (p == label))
        fp = np.sum((t != label) & (p == label))
        fn = np.sum((t == label) & (p != label))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores))


def map_at_k(y_true: pd.Series, y_pred: pd.Series, k: int = 5) -> float:
    """Mean average precision at k; answers and predictions are space-separated labels."""
    total = 0.0
    for actual_text, predicted_text in zip(y_true, y_pred, strict=True):
        actual = set(str(actual_text).split())
        predicted = str(predicted_text).split()[:k]
        hits, score, seen = 0, 0.0, set()
        for i, label in enumerate(predicted):
            if label in actual and label not in seen:
                hits += 1
                score += hits / (i + 1)
            seen.add(label)
        total += score / min(len(actual), k) if actual else 0.0
    return total / len(y_true)


def mean_columnwise_spearman(y_true: pd.DataFrame, y_pred: pd.DataFrame) -> float:
    values = [
        pd.Series(np.asarray(y_true[c], float)).corr(pd.Series(np.asarray(y_pred[c], float)), method="spearman")
        for c in y_true.columns
    ]
    return float(np.nanmean(values))


def word_jaccard(y_true: pd.Series, y_pred: pd.Series) -> float:
    """Mean word-level Jaccard similarity (lower-cased, split on whitespace); two empty strings score 1."""
    scores = []
    for a_text, b_text in zip(y_true, y_pred, strict=True):
        a, b = set(str(a_text).lower().split()), set(str(b_text).lower().split())
        scores.append(1.0 if not a and not b else len(a & b) / len(a | b))
    return float(np.mean(scores))


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = np.arange(len(b) + 1)
    for i, char in enumerate(a, start=1):
        current = np.empty_like(previous)
        current[0] = i
        substitution = previous[:-1] + (np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32) != ord(char))
        current[1:] = np.minimum(previous[1:] + 1, substitution)
        # insertions depend on the cell to the left: a running minimum of (current[j-1] + 1)
        current = np.minimum.accumulate(current - np.arange(len(b) + 1)) + np.arange(len(b) + 1)
        previous = current
    return int(previous[-1])


def mean_levenshtein(y_true: pd.Series, y_pred: pd.Series) -> float:
    return float(np.mean([levenshtein(str(a), str(b)) for a, b in zip(y_true, y_pred, strict=True)]))


def _labels(series) -> np.ndarray:
    return np.asarray(pd.Series(series).astype(str).str.strip())


METRICS: dict[str, Metric] = {
    m.name: m
    for m in [
        Metric("auc", True, ("Area Under Receiver Operating Characteristic Curve", "Roc Auc Score",
                             "sklearn_roc_auc_score"), auc, "score"),
        Metric("mean_columnwise_auc", True, ("Mean Columnwise Area Under Receiver Operating Characteristic Curve",),
               mean_columnwise_auc, "columnwise"),
        Metric("log_loss", False, ("Log Loss",), log_loss, "score"),
        Metric("multiclass_log_loss", False, ("Multiclass Loss", "Multiclass Loss (Deprecated)"),
               multiclass_log_loss, "class_probabilities"),
        Metric("rmse", False, ("Root Mean Squared Error",), rmse, "score"),
        Metric("rmsle", False, ("Root Mean Squared Logarithmic Error",), rmsle, "score"),
        Metric("mean_columnwise_rmsle", False, ("Mean Columnwise Root Mean Squared Logarithmic Error",),
               mean_columnwise_rmsle, "columnwise"),
        Metric("mae", False, ("Mean Absolute Error",), mae, "score"),
        Metric("accuracy", True, ("Categorization Accuracy", "Accuracy Score"), accuracy, "label"),
        Metric("quadratic_weighted_kappa", True, ("QuadraticWeightedKappa",), quadratic_weighted_kappa, "label"),
        Metric("f1_micro", True, ("F-Score (Micro)",), f1_micro, "label"),
        Metric("f1_macro", True, ("F-Score (Macro)",), f1_macro, "label"),
        Metric("map_at_k", True, ("MAP@{K}", "Mean Average Precision at K"), map_at_k, "label"),
        Metric("mean_columnwise_spearman", True, ("Mean Columnwise Spearman's r (rank correlation coefficient)",),
               mean_columnwise_spearman, "columnwise"),
        Metric("word_jaccard", True, ("Jaccard",), word_jaccard, "label"),
        Metric("mean_levenshtein", False, ("Levenshtein Mean",), mean_levenshtein, "label"),
    ]
}  # fmt: skip


def _normalise(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().lower()


_BY_NAME = {_normalise(name): m.name for m in METRICS.values() for name in m.meta_kaggle_names}


def canonical_metric(evaluation_algorithm_name: str | None) -> str | None:
    """The registry's metric for a Meta Kaggle metric name, or None when mlecurate does not grade it."""
    return _BY_NAME.get(_normalise(evaluation_algorithm_name)) if evaluation_algorithm_name else None


def higher_is_better(metric: str) -> bool:
    return METRICS[metric].higher_is_better
