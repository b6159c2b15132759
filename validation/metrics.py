"""The metric registry: every metric mlecurate grades, declared once with its task, domain, direction and code.

>>> METRICS["auc"].score(answers["target"], submission["target"])
>>> canonical_metric("Area Under Receiver Operating Characteristic Curve")
'auc'
>>> resolve_metric(None, {"metric": "rmse"}, "Root Mean Squared Logarithmic Error")   # override, recipe, Meta Kaggle
'rmse'

Each metric declares its **task** (what a submission predicts, and so its shape) and its **domain** (what a valid
prediction value is). Grading, parity baselines and the demo's generated data derive what they need from these two,
never from a list of metric names. Metric names do appear elsewhere as content: the demo's made-up Meta Kaggle names
the metrics its competitions use (``curation/sources/demo_meta_kaggle.py``), the demo's annotations map metric names
to demo categories (``curation/demo_annotations.py``), and split recipes name their metric. Tasks:

| task | a submission holds | registry metrics |
|---|---|---|
| ``binary`` | one probability or score column for a 0/1 label | auc, log_loss, weighted_auc |
| ``multilabel`` | one probability column per binary target | mean_columnwise_auc, mean_columnwise_log_loss, lwlrap |
| ``multiclass`` | one probability column per class (the answers one-hot) | multiclass_log_loss |
| ``classification`` | one predicted label per row | accuracy, f1_micro, f1_macro, matthews_correlation, quadratic_weighted_kappa |
| ``regression`` | one number per row | rmse, rmsle, mae, mse, smape, rmspe, pearson, r2, normalized_gini |
| ``multi_target_regression`` | several numeric target columns | mean_columnwise_rmse, mean_columnwise_rmsle, mean_columnwise_mae, mean_columnwise_spearman |
| ``distribution`` | one probability column per class, each row a distribution (the answers a count or share per class) | kl_divergence |
| ``ranking`` | space-separated labels, best first | map_at_k, map_at_3, map_at_12, top_k_error, top_1_error, top_3_error |
| ``label_set`` | space-separated labels, in any order (none is a prediction too) | f1_micro_labels, mean_f2, mean_f1, mean_f0_5 |
| ``text`` | free text | word_jaccard, mean_levenshtein |
| ``mask`` | a run-length encoded mask (``start length`` pairs; empty: no pixel) | dice, global_dice, iou_precision |

Meta Kaggle names a competition's metric in ``EvaluationAlgorithmName`` (since 2023 the abbreviation of a Python
"Kaggle Metric" is a numeric id, so names are what to match on, case-insensitively and without spaces, hyphens or
underscores).
Implementations are vectorised with numpy/pandas and take the answers and the predictions already aligned by id:
two Series for one-column tasks, two DataFrames for ``multilabel``, ``multi_target_regression`` and ``distribution``, and for
``multiclass`` the true labels (a Series) and one probability column per class (a DataFrame).

Scores are rounded to SCORE_DECIMALS (5) decimals, as MLE-bench and Kaggle report them (``Metric.score``); parity
compares the unrounded ones (``Metric.exact_score``): on a target of thousandths an MSE is 0.00000 to 5 decimals,
whatever the split did.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from validation.float_text import to_numeric
from validation.run_length import overlap, runs, size

EPSILON = 1e-15
RANKING_DEPTH = 5  # labels a ranking prediction lists (MAP@K's k unless the competition says otherwise)
# MAP@K at other depths, each a metric of its own (map_at_12): MLE-bench's h-and-m-personalized-fashion-recommendations
# is MAP@12, and Meta Kaggle writes every depth MAP@{K}
OTHER_RANKING_DEPTHS = (3, 12)
# Top-K error at other depths (top_1_error): Meta Kaggle writes every depth MeanBestErrorAtK, and Kaggle used 1
# (inaturalist-2019-fgvc6, imaterialist-challenge-furniture-2018), 3 (inaturalist-2018, abstraction-and-reasoning) and
# 5 (inaturalist-challenge-at-fgvc-2017)
OTHER_ERROR_DEPTHS = (1, 3)
# Kaggle's "F-Score Beta (Micro)" at betas other than 2, each a metric of its own (mean_f1): Meta Kaggle does not give
# the beta, and Kaggle used 0.5 (icdm-2015-drawbridge-cross-device-connections) and 1 (birdclef-2021,
# birdsong-recognition, imaterialist-challenge-fashion-2018) beside 2 (planet, imet, inclusive-images, learning-equality)
OTHER_BETAS = (0.5, 1.0)
PARALLEL_SORT_ROWS = 100_000  # from this many scores, AUC sorts its two classes on two threads

TASKS = {
    "binary": "one probability or score column for a 0/1 label",
    "multilabel": "one probability column per binary target",
    "multiclass": "one probability column per class",
    "classification": "one predicted label per row",
    "regression": "one number per row",
    "multi_target_regression": "several numeric target columns",
    "distribution": "one probability column per class, each row a distribution",
    "ranking": "space-separated labels, best first",
    "label_set": "space-separated labels, in any order",
    "text": "free text",
    "mask": "a run-length encoded mask: start and length pairs of pixel numbers (empty: no pixel)",
}
NUMERIC_TASKS = ("binary", "multilabel", "multiclass", "regression", "multi_target_regression", "distribution")
# their predictions are words, never numbers; none is a prediction too (an empty mask)
TEXT_TASKS = ("ranking", "label_set", "text", "mask")
SCORE_DECIMALS = 5  # as MLE-bench grades and Kaggle shows scores; scores equal to this many decimals are one score
DISTRIBUTION_DECIMALS = 5  # a distribution's row sums to 1 rounded to this many decimals (MLE-bench's hms grader)


@dataclass(frozen=True)
class Domain:
    """What a valid prediction value is, and how to say that a value is not."""

    name: str
    numeric: bool
    low: float | None = None  # inclusive
    high: float | None = None  # inclusive
    whole: bool = False  # whole numbers only (integer class labels)
    violation: str = ""  # how values out of the domain are described, e.g. "negative value(s)"
    requirement: str = ""  # what a metric of this domain needs, e.g. "predictions >= 0"

    def outside(self, values) -> np.ndarray:
        """A mask of the (numeric) values that are not in the domain."""
        x = np.asarray(values, dtype=float)
        bad = ~np.isfinite(x)
        if self.low is not None:
            bad |= x < self.low
        if self.high is not None:
            bad |= x > self.high
        if self.whole:
            bad |= np.isfinite(x) & (x % 1 != 0)
        return bad

    def clip(self, values):
        """Numbers moved into the domain (for baselines, whose linear models know no bounds)."""
        if not self.numeric:
            return values
        clipped = np.asarray(values, dtype=float)
        if self.low is not None or self.high is not None:
            clipped = np.clip(clipped, self.low, self.high)
        if self.whole:
            clipped = np.round(clipped)
        if isinstance(values, pd.DataFrame):
            return pd.DataFrame(clipped, columns=values.columns, index=values.index)
        if isinstance(values, pd.Series):
            return pd.Series(clipped, index=values.index, name=values.name)
        return clipped


DOMAINS = {
    d.name: d
    for d in [
        Domain("any_number", True, requirement="numbers"),
        Domain("non_negative", True, low=0.0, violation="negative value(s)", requirement="predictions >= 0"),
        Domain("probability", True, low=0.0, high=1.0, violation="value(s) outside 0..1",
               requirement="probabilities between 0 and 1"),
        Domain("class_probabilities", True, low=0.0, high=1.0, violation="value(s) outside 0..1",
               requirement="class probabilities between 0 and 1"),
        Domain("distribution", True, low=0.0, high=1.0, violation="value(s) outside 0..1",
               requirement="probabilities between 0 and 1, each row's summing to 1 (to 5 decimals)"),
        Domain("integer_label", True, whole=True, violation="value(s) that are not whole numbers",
               requirement="whole-number labels"),
        Domain("label", False, requirement="labels"),
        Domain("text", False, requirement="text"),
        Domain("run_length", False, requirement="start and length pairs, starts ascending, runs not overlapping"),
    ]
}  # fmt: skip


@dataclass(frozen=True)
class Metric:
    name: str
    higher_is_better: bool
    meta_kaggle_names: tuple[str, ...]
    function: Callable
    task: str  # a key of TASKS: what a submission predicts, and so its shape
    domain: str  # a key of DOMAINS: what a valid prediction value is
    perfect: float | None = None  # the score of a perfect submission (the answers themselves), where there is one
    worst: float | None = None  # the worst score any submission can get, where there is one (0 for AUC, -1 for MCC)
    # A column-wise metric's score from its columns' own scores (each the metric on that column alone): the mean, or
    # for Spearman the mean of those defined. Parity's bootstrap scores each target once and combines them.
    combine_columns: Callable[[np.ndarray], float] = np.mean
    note: str = ""  # how it treats what a competitor would ask about, for the competition's description
    # How parity's baseline fits for it: "plain"; "balanced" (classes weighed by their rarity, where predicting the
    # commonest class scores nothing, as under MCC); "relative" (rows weighed by 1/answer², for percentage errors).
    baseline_fit: str = "plain"
    # Optional: the function in two stages, ``(prepare, score_prepared)`` with function(a, p) equal to
    # score_prepared(*prepare(a, p)). ``prepare`` does what does not depend on which rows are scored (labels typed,
    # each row's own score where the metric is a mean over rows) and returns arrays, row for row; parity's bootstrap
    # prepares once and scores each resample's rows (``resampler``).
    stages: tuple[Callable, Callable] | None = None
    depth: int = RANKING_DEPTH  # a ranking's labels a prediction lists (MAP@K's K)
    beta: float | None = None  # an F-beta's beta (how many times recall weighs precision), where the metric has one
    by_column: bool = True  # a column-wise task's score is its columns' own (False: lwlrap ranks a row's columns)

    def __post_init__(self):
        if self.baseline_fit not in ("plain", "balanced", "relative"):
            raise ValueError(
                f"metric {self.name}: baseline_fit {self.baseline_fit!r} is not plain, balanced or relative"
            )
        if self.task not in TASKS:
            raise ValueError(f"metric {self.name}: task {self.task!r} is not one of {', '.join(TASKS)}")
        if self.domain not in DOMAINS:
            raise ValueError(f"metric {self.name}: domain {self.domain!r} is not one of {', '.join(DOMAINS)}")
        numeric = DOMAINS[self.domain].numeric
        if (self.task in NUMERIC_TASKS and not numeric) or (self.task in TEXT_TASKS and numeric):
            raise ValueError(f"metric {self.name}: domain {self.domain} does not fit task {self.task}")

    def score(self, answers, predictions, **options) -> float:
        """The score as MLE-bench reports it: to SCORE_DECIMALS decimals."""
        return round(self.exact_score(answers, predictions, **options), SCORE_DECIMALS)

    def exact_score(self, answers, predictions, **options) -> float:
        """The score unrounded (nan or inf where the metric is undefined)."""
        return float(self.function(answers, predictions, **options))

    def resampler(self, answers, predictions) -> Callable[[np.ndarray], float]:
        """A function scoring the rows at the given positions (repeats allowed) of the aligned answers and
        predictions, unrounded, for parity's bootstrap: the work that does not depend on the rows (``stages``) is
        done once, here, on the whole. So a resample's labels are typed as the whole answers' are, as for the score
        it gives an interval to (answers ``1``, ``a``: text, so ``1.0`` is no ``1`` in any resample)."""
        if self.stages is None:
            answers, predictions = answers.reset_index(drop=True), predictions.reset_index(drop=True)
            return lambda rows: self.function(
                answers.iloc[rows].reset_index(drop=True), predictions.iloc[rows].reset_index(drop=True)
            )
        prepare, score_prepared = self.stages
        prepared = prepare(answers, predictions)
        return lambda rows: score_prepared(*(values[rows] for values in prepared))

    @property
    def display_name(self) -> str:
        """The name a person reads: Meta Kaggle's first name, its ``{K}`` placeholder filled (MAP@{K} -> MAP@5); for a
        metric Meta Kaggle's names do not choose alone, the first of those (:data:`NAMED_BY_RECIPE`)."""
        names = self.meta_kaggle_names or NAMED_BY_RECIPE[self.name]
        return names[0].replace("{K}", str(self.depth))

    @property
    def tolerance_is_relative(self) -> bool:
        """Parity's score tolerance is a share of the score, not an amount: the lower-is-better metrics here are
        errors of the answers' own scale (RMSE of prices, MSE, SMAPE in percent), where 0.03 is nothing or
        everything; the higher-is-better ones are shares, overlaps and correlations between -1 and 1."""
        return not self.higher_is_better

    @property
    def prediction_domain(self) -> Domain:
        return DOMAINS[self.domain]

    @property
    def numeric_predictions(self) -> bool:
        """Predictions are numbers (checked and scored as numbers), not labels or text."""
        return DOMAINS[self.domain].numeric

    @property
    def one_column_per_class(self) -> bool:
        """A submission has one probability column per class; the truth is the label (answers one-hot)."""
        return self.task == "multiclass"

    @property
    def column_wise(self) -> bool:
        """Truth and predictions are frames of the same target columns (scored column by column, or a row's
        columns together as one distribution)."""
        return self.task in ("multilabel", "multi_target_regression", "distribution")

    @property
    def scored_by_column(self) -> bool:
        """The score combines each target column's own score (``combine_columns``), so a column can be scored
        alone: not a distribution, whose row's columns are scored together."""
        return self.task in ("multilabel", "multi_target_regression") and self.by_column

    @property
    def distribution(self) -> bool:
        """The answers are a count or share per class column, and a prediction one probability per class column,
        each row's summing to 1 (to ``DISTRIBUTION_DECIMALS`` decimals)."""
        return self.task == "distribution"

    @property
    def binary_truth(self) -> bool:
        """The answers are labels 0 or 1 (each target column's), which the predictions' probabilities are scored
        against."""
        return self.task in ("binary", "multilabel")

    def not_a_binary_label(self, numbers: np.ndarray) -> np.ndarray:
        """A mask of the answers (as numbers, nan where none) that a 0/1 truth cannot hold; none for other tasks."""
        values = np.asarray(numbers, dtype=float)
        return ~np.isin(values, (0.0, 1.0)) if self.binary_truth else np.zeros(len(values), dtype=bool)

    @property
    def predicts_probabilities(self) -> bool:
        """Predictions are class probabilities (or scores) rather than the classes themselves."""
        return self.task in ("binary", "multilabel", "multiclass")

    def clip(self, predictions):
        """Predictions moved into the metric's domain (e.g. non-negative for RMSLE; for a distribution, each row
        then rescaled to sum to 1, a row of zeros made uniform)."""
        clipped = DOMAINS[self.domain].clip(predictions)
        if not self.distribution:
            return clipped
        sums = clipped.sum(axis=1)
        uniform = pd.DataFrame(1 / clipped.shape[1], index=clipped.index, columns=clipped.columns)
        return clipped.div(sums.where(sums > 0), axis=0).where(sums > 0, uniform, axis=0)


def auc(y_true: pd.Series, y_score: pd.Series) -> float:
    """Area under the ROC curve, by the Mann-Whitney rank statistic (ties count half)."""
    y = np.asarray(y_true, dtype=float)
    positives = int((y == 1).sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        raise ValueError(
            f"AUC needs both classes in the answers, which hold {positives:,} positive and {negatives:,} negative "
            f"row(s) of {len(y):,}"
        )
    return (_rank_sum(np.asarray(y_score, dtype=float), y == 1) - positives * (positives + 1) / 2) / (
        positives * negatives
    )


def _rank_sum(scores: np.ndarray, chosen: np.ndarray) -> np.float64:
    """The sum of the ``chosen`` scores' average ranks among all ``scores`` (ties share the mean of their ranks):
    pandas' ``rank(method="average")`` summed, to the last bit (both are exact: half-integers far below 2**53)."""
    if np.isnan(scores).any():  # pandas ranks NaN as NaN
        return pd.Series(scores).rank(method="average").to_numpy()[chosen].sum()
    # Mann-Whitney: a chosen score's rank is the chosen scores up to it (sorted among themselves) plus the others
    # below it, and half the others equal to it. On large arrays the two sorts run on two cores (numpy releases the
    # GIL); on small ones a thread costs more than the sort (parity's bootstrap sorts 200 resamples).
    if len(scores) < PARALLEL_SORT_ROWS:
        others, mine = np.sort(scores[~chosen]), np.sort(scores[chosen])
    else:
        with ThreadPoolExecutor(max_workers=1) as pool:
            others = pool.submit(np.sort, scores[~chosen])
            mine = np.sort(scores[chosen])
            others = others.result()
    twice_below = int(np.searchsorted(others, mine, "left").sum()) + int(np.searchsorted(others, mine, "right").sum())
    return np.float64(twice_below + len(mine) * (len(mine) + 1)) / 2


# alaska2-image-steganalysis' weighted AUC: the ROC curve cut into horizontal bands of true positive rate, each
# band's area weighted (Kaggle's evaluation page: TPR 0-0.4 weighs 2, 0.4-1 weighs 1), normalised to 0..1
WEIGHTED_AUC_BANDS = (0.0, 0.4, 1.0)
WEIGHTED_AUC_WEIGHTS = (2, 1)


def weighted_auc(y_true: pd.Series, y_score: pd.Series) -> float:
    """The area under the ROC curve in bands of true positive rate, weighted (:data:`WEIGHTED_AUC_BANDS`), as
    MLE-bench's alaska2 grader computes it: each band edge put on the curve (its false positive rate interpolated), each
    band's area between the curve and FPR 1 by the trapezoid rule."""
    y = np.asarray(y_true, dtype=float) == 1
    positives, negatives = int(y.sum()), int((~y).sum())
    if positives == 0 or negatives == 0:
        raise ValueError(f"weighted AUC needs both classes in the answers, which hold {positives:,} positive and "
                         f"{negatives:,} negative row(s) of {len(y):,}")  # fmt: skip
    scores = np.asarray(y_score, dtype=float)
    order = np.argsort(-scores, kind="mergesort")
    ends = np.r_[np.flatnonzero(np.diff(scores[order])), len(y) - 1]  # the last row of each distinct score
    true_positives = np.cumsum(y[order])[ends]
    tpr = np.r_[0.0, true_positives / positives]
    fpr = np.r_[0.0, (ends + 1 - true_positives) / negatives]
    for edge in WEIGHTED_AUC_BANDS:
        if edge not in tpr:
            i = int(np.argmax(tpr > edge))
            between = fpr[i - 1] + (fpr[i] - fpr[i - 1]) * (edge - tpr[i - 1]) / (tpr[i] - tpr[i - 1])
            tpr, fpr = np.insert(tpr, i, edge), np.insert(fpr, i, between)
    total = 0.0
    for low, high, weight in zip(WEIGHTED_AUC_BANDS, WEIGHTED_AUC_BANDS[1:], WEIGHTED_AUC_WEIGHTS, strict=False):
        inside = (low <= tpr) & (tpr <= high)
        if inside.any():
            xs, ys = np.r_[fpr[inside], 1.0], np.r_[tpr[inside], high] - low
            total += weight * float(np.sum((xs[1:] - xs[:-1]) * (ys[1:] + ys[:-1]) / 2))
    return total / float(np.dot(np.diff(WEIGHTED_AUC_BANDS), WEIGHTED_AUC_WEIGHTS))


def lwlrap(y_true: pd.DataFrame, y_score: pd.DataFrame) -> float:
    """Label-weighted label-ranking average precision (freesound-audio-tagging-2019): for each true label of a row,
    the share of the labels scored at least as high that are true, averaged over every true label of every row (so
    each label weighs alike): scikit-learn's label ranking average precision weighted by each row's true labels, as
    Kaggle's reference code computes it. A row with no true label counts for nothing."""
    from sklearn.metrics import label_ranking_average_precision_score

    truth = np.asarray(y_true, dtype=float) > 0
    weights = truth.sum(axis=1)
    rows = weights > 0
    if not rows.any():
        raise ValueError("lwlrap needs a true label in some row of the answers, which hold none")
    scores = np.asarray(y_score, dtype=float)
    return float(label_ranking_average_precision_score(truth[rows], scores[rows], sample_weight=weights[rows]))


def mean_columnwise_auc(y_true: pd.DataFrame, y_score: pd.DataFrame) -> float:
    return float(np.mean([_column_auc(y_true, y_score, c) for c in y_true.columns]))


def _column_auc(y_true: pd.DataFrame, y_score: pd.DataFrame, column) -> float:
    """One target's AUC; a target with one class (a rare label no new test row has) is named in the error."""
    try:
        return auc(y_true[column], y_score[column])
    except ValueError as error:
        raise ValueError(f"target column {column}: {error}") from error


def log_loss(y_true: pd.Series, p: pd.Series) -> float:
    y = np.asarray(y_true, dtype=float)
    q = np.clip(np.asarray(p, dtype=float), EPSILON, 1 - EPSILON)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def multiclass_log_loss(labels: pd.Series, probabilities: pd.DataFrame) -> float:
    """Kaggle's multi-class log loss: each row rescaled to sum to 1, clipped, mean of -log p(true class)."""
    return _mean(*_true_class_log_loss(labels, probabilities))


def _true_class_log_loss(labels: pd.Series, probabilities: pd.DataFrame) -> tuple[np.ndarray]:
    """Each row's -log p(true class), its probabilities rescaled to sum to 1 and clipped."""
    p = probabilities.to_numpy(dtype=float)
    p = np.clip(p / p.sum(axis=1, keepdims=True), EPSILON, 1 - EPSILON)
    classes = {str(c): i for i, c in enumerate(probabilities.columns)}
    index = np.array([classes[str(label)] for label in labels], dtype=int)
    return (-np.log(p[np.arange(len(index)), index]),)


def _mean(row_scores: np.ndarray) -> float:
    """A metric that is the mean of its rows' own scores, from those scores (the second of its ``stages``)."""
    return float(np.mean(row_scores))


def kl_divergence(y_true: pd.DataFrame, p: pd.DataFrame) -> float:
    """Kaggle's Kullback-Leibler divergence (hms-harmful-brain-activity-classification): each answers row's counts
    as shares of the row's sum, the predictions clipped to 1e-15..1-1e-15 (not rescaled), the mean over rows of
    sum(share * log(share / p)), a class whose share is 0 adding nothing."""
    return _mean(*_row_kl_divergences(y_true, p))


def _row_kl_divergences(y_true: pd.DataFrame, p: pd.DataFrame) -> tuple[np.ndarray]:
    """Each row's KL divergence of the predictions from the answers' shares."""
    t = shares(y_true).to_numpy(dtype=float)
    q = np.clip(np.asarray(p, dtype=float), EPSILON, 1 - EPSILON)
    present = t != 0
    return (np.where(present, t * np.log(np.where(present, t, 1.0) / q), 0.0).sum(axis=1),)


def not_summing_to_one(sums: np.ndarray) -> np.ndarray:
    """A mask of a distribution's row sums that are not 1 to ``DISTRIBUTION_DECIMALS`` decimals, exactly as MLE-bench's
    hms grader rounds them (Python's ``round(x, 5) == 1``, correctly rounded: 1.000005 is 1.00001, where numpy's
    ``round``, scaling first, makes it 1.0); numpy's for the rows far from the edge."""
    values = np.asarray(sums, dtype=float)
    off = np.round(values, DISTRIBUTION_DECIMALS) != 1
    edge = np.flatnonzero(np.abs(np.abs(values - 1) - 0.5 * 10.0**-DISTRIBUTION_DECIMALS) < 1e-9)
    off[edge] = [round(float(values[i]), DISTRIBUTION_DECIMALS) != 1 for i in edge]
    return off


def shares(counts: pd.DataFrame) -> pd.DataFrame:
    """Each row's values over the row's sum: a distribution's answers (votes per class) as the shares graded."""
    frame = pd.DataFrame(counts).astype(float)
    return frame.div(frame.sum(axis=1), axis=0)


def rmse(y_true: pd.Series, y_pred: pd.Series) -> float:
    return float(np.sqrt(np.mean((np.asarray(y_true, float) - np.asarray(y_pred, float)) ** 2)))


def rmsle(y_true: pd.Series, y_pred: pd.Series) -> float:
    return rmse(np.log1p(np.asarray(y_true, float)), np.log1p(np.asarray(y_pred, float)))


def mean_columnwise_rmsle(y_true: pd.DataFrame, y_pred: pd.DataFrame) -> float:
    return _mean_over_columns(rmsle, y_true, y_pred)


def _mean_over_columns(score: Callable, y_true: pd.DataFrame, y_pred: pd.DataFrame) -> float:
    """A column-wise metric: ``score`` of each target column, averaged (``Metric.combine_columns``' default)."""
    return float(np.mean([score(y_true[c], y_pred[c]) for c in y_true.columns]))


def mae(y_true: pd.Series, y_pred: pd.Series) -> float:
    return float(np.mean(np.abs(np.asarray(y_true, float) - np.asarray(y_pred, float))))


def mse(y_true: pd.Series, y_pred: pd.Series) -> float:
    return float(np.mean((np.asarray(y_true, float) - np.asarray(y_pred, float)) ** 2))


def mean_columnwise_rmse(y_true: pd.DataFrame, y_pred: pd.DataFrame) -> float:
    """MCRMSE: the mean over the target columns of each column's RMSE (every column weighs the same)."""
    return _mean_over_columns(rmse, y_true, y_pred)


def mean_columnwise_mae(y_true: pd.DataFrame, y_pred: pd.DataFrame) -> float:
    return _mean_over_columns(mae, y_true, y_pred)


def mean_columnwise_log_loss(y_true: pd.DataFrame, p: pd.DataFrame) -> float:
    """The mean over the binary target columns of each column's log loss (lish-moa's metric)."""
    return _mean_over_columns(log_loss, y_true, p)


def smape(y_true: pd.Series, y_pred: pd.Series) -> float:
    """Kaggle's SMAPE, in percent (0..200): the mean of |F - A| / ((|A| + |F|) / 2), a row where both are 0 scoring 0."""
    actual, forecast = np.asarray(y_true, float), np.asarray(y_pred, float)
    # each row scaled by its larger magnitude first: 1e308 against 1 is 200 (its bound), not an overflow
    scale = np.maximum(np.abs(actual), np.abs(forecast))
    scale[scale == 0] = 1.0
    actual, forecast = actual / scale, forecast / scale
    both = np.abs(actual) + np.abs(forecast)
    ratios = np.divide(2 * np.abs(forecast - actual), both, out=np.zeros_like(both), where=both != 0)
    return float(100 * np.mean(ratios))


def rmspe(y_true: pd.Series, y_pred: pd.Series) -> float:
    """Root mean square percentage error over the rows whose answer is not 0 (Kaggle ignores those, as Rossmann's
    days without sales); undefined (nan) when every answer is 0."""
    actual, predicted = np.asarray(y_true, float), np.asarray(y_pred, float)
    kept = actual != 0
    if not kept.any():
        return float("nan")
    return float(np.sqrt(np.mean((1 - predicted[kept] / actual[kept]) ** 2)))  # 1e308 - -1e308 would overflow


def pearson(y_true: pd.Series, y_pred: pd.Series) -> float:
    """Pearson's r between answers and predictions. Constant predictions correlate with nothing and score 0, as a
    constant column does in ``mean_columnwise_spearman`` (a sample submission must get a score; scipy's ``pearsonr``,
    which MLE-bench's grader calls, says nan); constant answers leave it undefined (nan)."""
    truth, predicted = np.asarray(y_true, float), np.asarray(y_pred, float)
    if np.ptp(truth) == 0:
        return float("nan")
    if np.ptp(predicted) == 0:
        return 0.0
    # Scaled before the mean and again before the products: values near 1e308 would overflow their sum, near 1e200
    # their squares (Pearson's r does not change with the scale).
    a, b = truth / np.abs(truth).max(), predicted / np.abs(predicted).max()
    a, b = a - a.mean(), b - b.mean()
    a, b = a / np.abs(a).max(), b / np.abs(b).max()
    return float(np.clip(np.dot(a, b) / np.sqrt(np.dot(a, a) * np.dot(b, b)), -1.0, 1.0))


def r2(y_true: pd.Series, y_pred: pd.Series) -> float:
    """The coefficient of determination, 1 - (residual sum of squares) / (the answers' sum of squares about their
    mean), as sklearn's ``r2_score`` (mercedes-benz-greener-manufacturing's metric): 1 is perfect, predicting the
    answers' mean scores 0, worse is negative without bound. Constant answers score 1 when predicted exactly and 0
    otherwise, as sklearn says."""
    truth, predicted = np.asarray(y_true, float), np.asarray(y_pred, float)
    if not len(truth):
        return float("nan")
    # Each sum of squares taken on values scaled to at most 1, their scales put back in one ratio: squares of values
    # near 1e200 would overflow, and a prediction of 1e308 against answers near 1 scores a huge negative, not 0.
    halves = truth / 2 - predicted / 2  # half the residuals: 1e308 - -1e308 would overflow
    size = np.abs(truth).max() or 1.0
    spread = float(np.sum((truth / size - np.mean(truth / size)) ** 2))
    reach = np.abs(halves).max()
    if spread == 0:
        return 1.0 if reach == 0 else 0.0
    if reach == 0:
        return 1.0
    with np.errstate(over="ignore"):
        ratio = (2 * (reach / size)) ** 2 * float(np.sum((halves / reach) ** 2)) / spread  # 2 * reach: inf
    return float(1.0 - ratio)


def normalized_gini(y_true: pd.Series, y_pred: pd.Series) -> float:
    """Kaggle's normalized Gini (porto-seguro-safe-driver-prediction, liberty-mutual-group-property-inspection-
    prediction): the Gini of the answers ordered by the predictions, over the Gini of the answers ordered by
    themselves; only the predictions' order counts. Kaggle's code breaks ties by row order; here tied predictions
    share their answers' mean (the mean over every order of them), so the score does not depend on the file's row
    order. For 0/1 answers it is 2 AUC - 1. Answers summing to 0, or all equal, leave it undefined (nan)."""
    truth, predicted = np.asarray(y_true, float), np.asarray(y_pred, float)
    if not len(truth):
        return float("nan")
    best = _gini(truth, truth)
    return float(_gini(truth, predicted) / best) if best else float("nan")


def _gini(truth: np.ndarray, predicted: np.ndarray) -> float:
    """The Gini of ``truth`` taken in descending order of ``predicted``, each run of tied predictions given its
    answers' mean: the mean share of the answers' total gathered so far, less the share an order by chance gathers."""
    order = np.argsort(-predicted, kind="stable")
    ranked, scores = truth[order], predicted[order]
    run = np.concatenate(([0], np.cumsum(scores[1:] != scores[:-1])))  # tied predictions share a run number
    shared = (np.bincount(run, weights=ranked) / np.bincount(run))[run]
    total = truth.sum()
    if not total:
        return 0.0
    n = len(truth)
    return (np.cumsum(shared).sum() / total - (n + 1) / 2) / n


def matthews_correlation(y_true: pd.Series, y_pred: pd.Series) -> float:
    """Matthews correlation coefficient over any number of classes (Gorodkin's R_K, as sklearn computes it); 0 when
    the answers or the predictions hold one class only."""
    return _matthews_of_codes(*label_codes(y_true, y_pred))


def _matthews_of_codes(t: np.ndarray, p: np.ndarray) -> float:
    n = len(t)
    classes = int(max(t.max(), p.max())) + 1 if n else 0
    confusion = np.bincount(t * classes + p, minlength=classes * classes).reshape(classes, classes).astype(float)
    true_counts, predicted_counts = confusion.sum(axis=1), confusion.sum(axis=0)
    covariance = np.trace(confusion) * n - np.dot(true_counts, predicted_counts)
    spread = (n * n - np.dot(predicted_counts, predicted_counts)) * (n * n - np.dot(true_counts, true_counts))
    return 0.0 if spread == 0 else float(covariance / np.sqrt(spread))


def accuracy(y_true: pd.Series, y_pred: pd.Series) -> float:
    return _accuracy_of_codes(*label_codes(y_true, y_pred))


def _accuracy_of_codes(t: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(t == p))


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


def f1_micro_labels(y_true: pd.Series, y_pred: pd.Series) -> float:
    """Micro-averaged F1 over label sets: each row's answer and prediction are space-separated labels (order and
    repeats ignored, an empty cell no label), and F1 = 2 TP / (2 TP + FP + FN) summed over every row and label. A
    predicted label that no answer holds is a false positive. Undefined (nan) when no row holds or predicts a label."""
    return _micro_f1(*_label_set_counts(y_true, y_pred))


def _label_set_counts(y_true: pd.Series, y_pred: pd.Series) -> tuple[np.ndarray, ...]:
    """Each row's true positives, false positives and false negatives."""
    truth, predicted = _label_pairs(y_true), _label_pairs(y_pred)
    rows = len(y_true)
    hits = truth.merge(predicted, on=["row", "label"])
    tp = np.bincount(hits["row"], minlength=rows)
    return tp, np.bincount(predicted["row"], minlength=rows) - tp, np.bincount(truth["row"], minlength=rows) - tp


def _label_pairs(labels: pd.Series) -> pd.DataFrame:
    """(row position, label) once for each label a row lists."""
    texts = pd.Series(np.asarray(labels, dtype=object)).fillna("").astype(str)
    listed = texts.str.split().explode().dropna()
    pairs = pd.DataFrame({"row": listed.index.to_numpy(dtype=np.int64), "label": listed.to_numpy()})
    return pairs.drop_duplicates()


def _micro_f1(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> float:
    given = 2 * tp.sum() + fp.sum() + fn.sum()
    return float("nan") if given == 0 else float(2 * tp.sum() / given)


def mean_fbeta(y_true: pd.Series, y_pred: pd.Series, beta: float = 2.0) -> float:
    """Kaggle's "F-Score Beta (Micro)", "mean F-score across the rows": each row's F-beta of its label sets
    (space-separated labels, order and repeats ignored), (1 + beta²) TP / ((1 + beta²) TP + beta² FN + FP), averaged
    over the rows. A row with no label in its answer or its prediction scores 1 (nothing to find, nothing wrongly
    found): scikit-learn's ``fbeta_score(average="samples", zero_division=1)``. Beta 2 weighs recall four times
    precision (planet-understanding-the-amazon-from-space, imet); beta 0.5 the other way (icdm-2015-drawbridge)."""
    return _mean(*_row_fbetas(y_true, y_pred, beta))


def _row_fbetas(y_true: pd.Series, y_pred: pd.Series, beta: float = 2.0) -> tuple[np.ndarray]:
    """Each row's F-beta of its label sets, 1 where it neither holds nor predicts a label."""
    tp, fp, fn = _label_set_counts(y_true, y_pred)
    weight = beta * beta
    given = (1 + weight) * tp + weight * fn + fp
    scores = np.divide((1 + weight) * tp, given, out=np.ones(len(tp), dtype=float), where=given > 0)
    return (scores,)


def f1_macro(y_true: pd.Series, y_pred: pd.Series) -> float:
    return _f1_macro_of_codes(*label_codes(y_true, y_pred))


def _f1_macro_of_codes(t: np.ndarray, p: np.ndarray) -> float:
    """The mean over the labels in the answers or the predictions of each label's F1, 2 TP / (2 TP + FP + FN)."""
    if not len(t):
        return float("nan")
    classes = int(max(t.max(), p.max())) + 1
    hits = np.bincount(t[t == p], minlength=classes)
    given = np.bincount(t, minlength=classes) + np.bincount(p, minlength=classes)  # 2 TP + FP + FN
    present = given > 0
    return float(np.mean(2 * hits[present] / given[present]))


def map_at_k(y_true: pd.Series, y_pred: pd.Series, k: int = RANKING_DEPTH) -> float:
    """Mean average precision at k; answers and predictions are space-separated labels."""
    return _mean(*_average_precisions(y_true, y_pred, k))


def _average_precisions(y_true: pd.Series, y_pred: pd.Series, k: int = RANKING_DEPTH) -> tuple[np.ndarray]:
    """Each row's average precision at k."""
    scores = []
    for actual_text, predicted_text in zip(y_true, y_pred, strict=True):
        actual = set(str(actual_text).split())
        predicted = str(predicted_text).split()[:k]
        hits, score, seen = 0, 0.0, set()
        for i, label in enumerate(predicted):
            if label in actual and label not in seen:
                hits += 1
                score += hits / (i + 1)
            seen.add(label)
        scores.append(score / min(len(actual), k) if actual else 0.0)
    return (np.array(scores, dtype=float),)


def top_k_error(y_true: pd.Series, y_pred: pd.Series, k: int = RANKING_DEPTH) -> float:
    """Kaggle's MeanBestErrorAtK (ImageNet's top-k error): a row's error is 0 when one of its first k predicted
    labels is its answer (one of them, where the answer lists several), else 1; the score is their mean."""
    return _mean(*_best_errors(y_true, y_pred, k))


def _best_errors(y_true: pd.Series, y_pred: pd.Series, k: int = RANKING_DEPTH) -> tuple[np.ndarray]:
    """Each row's error at k: 0 when its first k predicted labels hold one of its answer's, else 1 (so 1 for an answer
    without a label: nothing can be right)."""
    errors = [
        float(set(str(actual).split()).isdisjoint(str(predicted).split()[:k]))
        for actual, predicted in zip(y_true, y_pred, strict=True)
    ]
    return (np.array(errors, dtype=float),)


def mean_columnwise_spearman(y_true: pd.DataFrame, y_pred: pd.DataFrame) -> float:
    """Mean Spearman correlation over the columns. A column whose answers are constant has no ranking to match and
    is left out; a constant prediction column ranks nothing and scores 0 (a sample submission must get a score)."""
    values = []
    for c in y_true.columns:
        truth, predicted = np.asarray(y_true[c], float), np.asarray(y_pred[c], float)
        if np.ptp(truth) == 0:
            values.append(np.nan)
        elif np.ptp(predicted) == 0:
            values.append(0.0)
        else:  # Spearman's r: Pearson's r of the (average) ranks
            ranks = [pd.Series(v).rank(method="average").to_numpy() for v in (truth, predicted)]
            values.append(float(np.corrcoef(*ranks)[0, 1]))
    return mean_of_defined(values)


def mean_of_defined(values) -> float:
    """The mean of the values that are not nan; nan when none is."""
    return float(np.nanmean(values)) if not np.isnan(values).all() else float("nan")


def word_jaccard(y_true: pd.Series, y_pred: pd.Series) -> float:
    """Mean word-level Jaccard similarity (lower-cased, split on whitespace); two empty strings score 1."""
    return _mean(*_word_jaccards(y_true, y_pred))


def _word_jaccards(y_true: pd.Series, y_pred: pd.Series) -> tuple[np.ndarray]:
    scores = []
    for a_text, b_text in zip(y_true, y_pred, strict=True):
        a, b = set(str(a_text).lower().split()), set(str(b_text).lower().split())
        scores.append(1.0 if not a and not b else len(a & b) / len(a | b))
    return (np.array(scores, dtype=float),)


def levenshtein(a: str, b: str) -> int:
    # A Python loop over the shorter string, numpy along the longer: a hostile 1,000,000-character prediction costs
    # as many numpy steps as the answer has characters, not a million Python steps.
    if len(a) > len(b):
        a, b = b, a
    codes = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    previous = np.arange(len(b) + 1)
    for i, char in enumerate(a, start=1):
        current = np.empty_like(previous)
        current[0] = i
        substitution = previous[:-1] + (codes != ord(char))
        current[1:] = np.minimum(previous[1:] + 1, substitution)
        # insertions depend on the cell to the left: a running minimum of (current[j-1] + 1)
        current = np.minimum.accumulate(current - np.arange(len(b) + 1)) + np.arange(len(b) + 1)
        previous = current
    return int(previous[-1])


def mean_levenshtein(y_true: pd.Series, y_pred: pd.Series) -> float:
    return _mean(*_levenshteins(y_true, y_pred))


def _levenshteins(y_true: pd.Series, y_pred: pd.Series) -> tuple[np.ndarray]:
    return (np.array([levenshtein(str(a), str(b)) for a, b in zip(y_true, y_pred, strict=True)], dtype=float),)


def dice(y_true: pd.Series, y_pred: pd.Series) -> float:
    """Kaggle's mean Dice (hubmap-kidney-segmentation, carvana-image-masking-challenge): each row's
    2 |X and Y| / (|X| + |Y|) of its true and predicted masks (run-length encoded), 1 where both are empty; their
    mean."""
    return _mean(*_row_dices(y_true, y_pred))


def _row_dices(y_true: pd.Series, y_pred: pd.Series) -> tuple[np.ndarray]:
    shared, sizes = _mask_overlaps(y_true, y_pred)
    return (np.divide(2 * shared, sizes, out=np.ones(len(sizes)), where=sizes > 0),)


def _mask_overlaps(y_true: pd.Series, y_pred: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's pixels the two masks share, and their two sizes summed."""
    shared, sizes = [], []
    for actual, predicted in zip(y_true, y_pred, strict=True):
        a, b = runs(actual), runs(predicted)
        shared.append(overlap(a, b))
        sizes.append(size(a) + size(b))
    return np.array(shared, dtype=float), np.array(sizes, dtype=float)


IOU_THRESHOLDS = np.arange(0.5, 1.0, 0.05)  # 0.5, 0.55, ... 0.95, as Kaggle's and MLE-bench's code make them


def iou_precision(y_true: pd.Series, y_pred: pd.Series) -> float:
    """tgs-salt-identification-challenge's metric, each row one object: a row scores the share of the IoU thresholds
    0.5, 0.55, ... 0.95 that its masks' intersection over union exceeds (1 where both are empty, 0 where only the
    answer is), and the rows' scores are averaged. Meta Kaggle's IntersectionOverUnionObjectSegmentation also names
    competitions of several objects an image (data-science-bowl-2018), which this does not grade."""
    return _mean(*_row_iou_precisions(y_true, y_pred))


def _row_iou_precisions(y_true: pd.Series, y_pred: pd.Series) -> tuple[np.ndarray]:
    scores = []
    for actual, predicted in zip(y_true, y_pred, strict=True):
        a, b = runs(actual), runs(predicted)
        true_pixels, shared = size(a), overlap(a, b)
        if not true_pixels:
            scores.append(0.0 if size(b) else 1.0)
            continue
        iou = shared / (true_pixels + size(b) - shared)
        scores.append(float(np.mean(iou > IOU_THRESHOLDS)))
    return (np.array(scores, dtype=float),)


def global_dice(y_true: pd.Series, y_pred: pd.Series) -> float:
    """The Dice of every row's pixels taken together (google-research-identify-contrails-reduce-global-warming):
    2 |X and Y| / (|X| + |Y|) over all masks; undefined (nan) when no mask holds a pixel."""
    return _pooled_dice(*_mask_overlaps(y_true, y_pred))


def _pooled_dice(shared: np.ndarray, sizes: np.ndarray) -> float:
    total = sizes.sum()
    return float(2 * shared.sum() / total) if total else float("nan")


def label_type(answers) -> str:
    """The type of the answers' labels: ``boolean`` (every value true/false, any case), ``number`` (every value a
    number: integers and decimals compare by value) or ``string``."""
    text = _text(answers)
    if text.str.lower().isin(["true", "false"]).all():
        return "boolean"
    return "number" if to_numeric(text, errors="coerce").notna().all() else "string"


def typed_labels(answers, predictions) -> tuple[np.ndarray, np.ndarray]:
    """Both label columns as values of the answers' type, so that they compare as values, never as text: with
    boolean or number answers, true/false (any case) is 1/0 and ``1``, ``1.0`` and ``True`` are the same label (as
    MLE-bench's graders, which read CSVs with pandas' types, score them); a prediction that is not of that type stays
    its text and matches no answer. String answers compare as (stripped) text. Both come back as canonical strings
    (a number as ``repr(float)``), which sort and compare."""
    kind = label_type(answers)
    return canonical_labels(answers, kind), canonical_labels(predictions, kind)


def label_codes(answers, predictions) -> tuple[np.ndarray, np.ndarray]:
    """Both label columns as integer codes of their :func:`typed_labels` values (one code per label, shared by both):
    what the label metrics compare."""
    t, p = typed_labels(answers, predictions)
    codes, _ = pd.factorize(np.concatenate([t, p]))
    return codes[: len(t)], codes[len(t) :]


def foreign_labels(answers, predictions) -> tuple[np.ndarray, str, str]:
    """The predictions that are not labels of the answers' type (``label_type``): with boolean answers, anything but
    true/false (any case) or the numbers 1 and 0; with number answers, anything but a number (true/false count as
    1/0). String answers take any label. Returns the mask, how such values are described and what the answers need,
    as MLE-bench's graders reject a submission mixing label types (sklearn's "mix of label input types")."""
    kind = label_type(answers)
    text = _text(predictions)
    if kind == "string":
        return np.zeros(len(text), dtype=bool), "", ""
    parsed = _label_numbers(text)
    bad = ~np.isfinite(parsed.to_numpy())
    if kind == "boolean":
        bad |= ~parsed.isin([0.0, 1.0]).to_numpy()
        return bad, "value(s) that are not booleans", "true/false labels (or 1/0), as the answers"
    if not bad.any() and _whole(answers):  # 0/1 or class numbers: a fraction is a probability, not a label (sklearn
        # refuses the mix); said once the values that are not numbers at all are gone
        fractions = parsed.to_numpy() % 1 != 0
        return (
            fractions,
            "value(s) that are not whole numbers",
            "whole-number labels, as the answers (a probability or a fraction is no label)",
        )
    return bad, "value(s) that are not numbers", "number labels, as the answers"


def _whole(answers) -> bool:
    """Every answer is a whole number (the answers' label type being ``number``)."""
    return bool((_label_numbers(_text(answers)) % 1 == 0).all())


def _label_numbers(text: pd.Series) -> pd.Series:
    """Labels' (stripped) text as numbers, true/false (any case) as 1/0; nan where a label is no number."""
    return to_numeric(text.str.lower().replace({"true": "1", "false": "0"}), errors="coerce").astype(float)


def _text(values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=object)).astype(str).str.strip()


def canonical_labels(values, kind: str) -> np.ndarray:
    """``values`` as labels of ``kind`` (:func:`label_type`), each a canonical string: a number (true/false as 1/0)
    as ``repr(float)``, text stripped; a value not of that kind stays its text."""
    text = _text(values)
    if kind == "string":
        return text.to_numpy(dtype=object)
    parsed = _label_numbers(text)
    finite = np.isfinite(parsed)
    canonical = (parsed + 0.0).map(repr)  # + 0.0: -0.0 (pandas' writing of a rounded -0.01) is 0.0
    # object, not numpy's fixed-width str: one 100,000-character label would make every row that wide
    return canonical.where(finite, text).to_numpy(dtype=object)


def _beta_name(beta: float) -> str:
    """A beta as a metric's name writes it: 2 -> ``2``, 0.5 -> ``0_5`` (mean_f0_5)."""
    return f"{beta:g}".replace(".", "_")


METRICS: dict[str, Metric] = {
    m.name: m
    for m in [
        Metric("auc", True, ("Area Under Receiver Operating Characteristic Curve", "Roc Auc Score",
                             "sklearn_roc_auc_score"), auc, "binary", "probability", 1.0, worst=0.0),
        Metric("mean_columnwise_auc", True, ("Mean Columnwise Area Under Receiver Operating Characteristic Curve",),
               mean_columnwise_auc, "multilabel", "probability", 1.0, worst=0.0),
        Metric("weighted_auc", True, ("Weighted Area Under Receiver Operating Characteristic Curve",), weighted_auc,
               "binary", "probability", 1.0, worst=0.0,
               note="the ROC curve's area in bands of true positive rate, 0-0.4 weighing 2 and 0.4-1 weighing 1"),
        Metric("lwlrap", True, ("Weighted Label Ranking Average Precision", "lwlrap"), lwlrap, "multilabel",
               "probability", 1.0, by_column=False,
               note="each true label of each row weighs alike; a row with no true label counts for nothing"),
        Metric("log_loss", False, ("Log Loss",), log_loss, "binary", "probability", 0.0),
        Metric("mean_columnwise_log_loss", False, ("Mean Columnwise Log Loss",), mean_columnwise_log_loss,
               "multilabel", "probability", 0.0),
        Metric("multiclass_log_loss", False, ("Multiclass Loss", "Multiclass Loss (Deprecated)"),
               multiclass_log_loss, "multiclass", "class_probabilities", 0.0,
               note="each row's probabilities are rescaled to sum to 1, then clipped to 1e-15..1-1e-15",
               stages=(_true_class_log_loss, _mean)),
        Metric("rmse", False, ("Root Mean Squared Error",), rmse, "regression", "any_number", 0.0),
        Metric("rmsle", False, ("Root Mean Squared Logarithmic Error",), rmsle, "regression", "non_negative", 0.0),
        Metric("mean_columnwise_rmsle", False, ("Mean Columnwise Root Mean Squared Logarithmic Error",),
               mean_columnwise_rmsle, "multi_target_regression", "non_negative", 0.0),
        Metric("mae", False, ("Mean Absolute Error",), mae, "regression", "any_number", 0.0),
        Metric("mse", False, ("Mean Squared Error",), mse, "regression", "any_number", 0.0),
        Metric("smape", False, ("SMAPE",), smape, "regression", "any_number", 0.0,
               note="in percent, 0 to 200; a row whose answer and prediction are both 0 scores 0", worst=200.0),
        Metric("rmspe", False, ("Root Mean Square Percentage Error",), rmspe, "regression", "any_number", 0.0,
               note="rows whose answer is 0 are left out", baseline_fit="relative"),
        Metric("pearson", True, ("Pearson Correlation Coefficient",), pearson,
               "regression", "any_number", 1.0, note="constant predictions score 0", worst=-1.0),
        Metric("r2", True, ("R^2 score (coefficient of determination)",), r2, "regression", "any_number", 1.0,
               note="predicting the answers' mean scores 0; worse is negative, without bound"),
        Metric("normalized_gini", True, ("Normalized Gini Index",), normalized_gini, "regression",
               "any_number", 1.0, worst=-1.0,
               note="only the predictions' order counts; tied predictions share their answers' mean, whatever the "
                    "rows' order; constant predictions score 0"),
        Metric("mean_columnwise_rmse", False, ("Mean Columnwise Root Mean Squared Error",
                                               "Mean Weighted Columnwise Root Mean Squared Error"),
               mean_columnwise_rmse, "multi_target_regression", "any_number", 0.0,
               note="every target column weighs the same"),
        Metric("mean_columnwise_mae", False, ("Mean Columnwise Mean Absolute Error",), mean_columnwise_mae,
               "multi_target_regression", "any_number", 0.0),
        Metric("kl_divergence", False, ("Kullback Leibler Divergence",), kl_divergence, "distribution",
               "distribution", 0.0, stages=(_row_kl_divergences, _mean),
               note="the answers' counts per class are scored as shares of their row's sum; predictions are clipped "
                    "to 1e-15..1-1e-15, not rescaled"),
        Metric("accuracy", True, ("Categorization Accuracy", "Accuracy Score"), accuracy, "classification", "label",
               1.0, stages=(label_codes, _accuracy_of_codes), worst=0.0),
        Metric("quadratic_weighted_kappa", True, ("QuadraticWeightedKappa",), quadratic_weighted_kappa,
               "classification", "integer_label", 1.0),
        Metric("f1_micro", True, ("F-Score (Micro)",), f1_micro, "classification", "label", 1.0,
               stages=(label_codes, _accuracy_of_codes), worst=0.0),
        Metric("f1_micro_labels", True, ("Micro F1 of Label Sets",), f1_micro_labels, "label_set", "label", 1.0,
               note="a row may hold no label; a predicted label that no answer holds is a false positive",
               stages=(_label_set_counts, _micro_f1), worst=0.0),
        *(Metric(f"mean_f{_beta_name(beta)}", True, (f"Mean F{beta:g} Score",) + names, partial(mean_fbeta, beta=beta),
                 "label_set", "label", 1.0, stages=(partial(_row_fbetas, beta=beta), _mean), worst=0.0, beta=beta,
                 note=f"each row's F{beta:g} of its label sets (order and repeats ignored), averaged over the rows; "
                      "a row holding and predicting no label scores 1")  # the note is the agents' too: no family
          for beta, names in ((2.0, ("F-Score Beta (Micro)",)), *((b, ()) for b in OTHER_BETAS))),
        Metric("f1_macro", True, ("F-Score (Macro)",), f1_macro, "classification", "label", 1.0,
               stages=(label_codes, _f1_macro_of_codes), worst=0.0),
        Metric("matthews_correlation", True, ("Matthews correlation coefficient",), matthews_correlation,
               "classification", "label", 1.0, note="predicting one class for every row scores 0", baseline_fit="balanced",
               stages=(label_codes, _matthews_of_codes), worst=-1.0),
        Metric("map_at_k", True, ("MAP@{K}", "Mean Average Precision at K", "MAP@5", "map_at_5"), map_at_k, "ranking", "label", 1.0,
               stages=(_average_precisions, _mean), worst=0.0, note="K is 5: map_at_3 and map_at_12 list 3 and 12"),
        *(Metric(f"map_at_{k}", True, (f"MAP@{k}",), partial(map_at_k, k=k), "ranking", "label", 1.0,
                 stages=(partial(_average_precisions, k=k), _mean), worst=0.0, depth=k,
                 note=f"K is {k} (Meta Kaggle's MAP@{{K}} does not say which: the competition's page does)")
          for k in OTHER_RANKING_DEPTHS),
        Metric("top_k_error", False, ("Mean Best Error at {K}", "MeanBestErrorAtK", "Top-5 Error",
                                      "Mean Best Error at 5"), top_k_error,
               "ranking", "label", 0.0, stages=(_best_errors, _mean), worst=1.0,
               note="K is 5: top_1_error and top_3_error list 1 and 3; a row is right when one of its first K "
                    "labels is its answer (one of them, where it lists several)"),
        *(Metric(f"top_{k}_error", False, (f"Mean Best Error at {k}", f"Top-{k} Error"), partial(top_k_error, k=k),
                 "ranking", "label", 0.0, stages=(partial(_best_errors, k=k), _mean), worst=1.0, depth=k,
                 note=f"K is {k} (Meta Kaggle's MeanBestErrorAtK does not say which: the competition's page does); a "
                      f"row is right when one of its first {k} labels is its answer (one of them, where it lists "
                      "several)")
          for k in OTHER_ERROR_DEPTHS),
        Metric("mean_columnwise_spearman", True, ("Mean Columnwise Spearman's r (rank correlation coefficient)",),
               mean_columnwise_spearman, "multi_target_regression", "any_number", 1.0, combine_columns=mean_of_defined, worst=-1.0),
        Metric("dice", True, ("Dice", "Mean Dice Coefficient"), dice, "mask", "run_length", 1.0,
               stages=(_row_dices, _mean), worst=0.0,
               note="each row's Dice of its masks as pixel sets, 1 where both are empty, averaged over the rows; "
                    "a lone - is an empty mask too"),
        Metric("global_dice", True, ("contrails_global_dice", "Global Dice"), global_dice, "mask", "run_length", 1.0,
               stages=(_mask_overlaps, _pooled_dice), worst=0.0,
               note="the Dice of all rows' pixels together, not a mean over rows; a lone - is an empty mask too"),
        Metric("iou_precision", True, (), iou_precision, "mask", "run_length", 1.0,
               stages=(_row_iou_precisions, _mean), worst=0.0,
               note="each row one object: the share of the IoU thresholds 0.5-0.95 (step 0.05) its masks' "
                    "intersection over union exceeds, 1 where both are empty, averaged over the rows; a recipe names "
                    "it (Meta Kaggle's IntersectionOverUnionObjectSegmentation also names competitions of several "
                    "objects a row's image, which it does not grade)"),
        Metric("word_jaccard", True, ("Jaccard",), word_jaccard, "text", "text", 1.0, stages=(_word_jaccards, _mean), worst=0.0),
        Metric("mean_levenshtein", False, ("Levenshtein Mean",), mean_levenshtein, "text", "text", 0.0,
               stages=(_levenshteins, _mean)),
    ]
}  # fmt: skip


class UnknownMetricError(ValueError):
    """A metric name that is not in the registry; the message says where it was given and lists the known ones."""


def _normalise(name: str) -> str:
    """A metric name as matched: lower case, without spaces, hyphens or underscores (Kaggle's listing writes
    "Quadratic Weighted Kappa" where Meta Kaggle has "QuadraticWeightedKappa")."""
    return re.sub(r"[\s_\-]+", "", name).lower()


_INDEX: tuple[tuple, dict[str, str]] = ((), {})


def _meta_kaggle_index() -> dict[str, str]:
    """Meta Kaggle names -> registry names, rebuilt whenever the registry changes (a metric registered later counts)."""
    global _INDEX
    key = tuple((name, id(metric)) for name, metric in METRICS.items())
    if _INDEX[0] != key:
        _INDEX = (key, {_normalise(n): m.name for m in METRICS.values() for n in m.meta_kaggle_names})
    return _INDEX[1]


def similar_metrics(name: str | None, count: int = 3) -> list[str]:
    """The registry's metrics whose Meta Kaggle names are nearest ``name`` (difflib's ratio of at least 0.6), nearest
    first: "Weighted Mean Absolute Error" -> mae, mean_columnwise_mae. A hint for a curator naming one, never a match."""
    if not name:
        return []
    index = _meta_kaggle_index()
    near = difflib.get_close_matches(_normalise(name), list(index), n=count * 2, cutoff=0.6)
    return list(dict.fromkeys(index[n] for n in near))[:count]


def canonical_metric(evaluation_algorithm_name: str | None) -> str | None:
    """The registry's metric for a Meta Kaggle metric name, or None when mlecurate does not grade it."""
    return _meta_kaggle_index().get(_normalise(evaluation_algorithm_name)) if evaluation_algorithm_name else None


def resolve_metric(override: str | None, recipe: dict | None, meta_kaggle_name: str | None) -> str | None:
    """A competition's metric: the override (a command-line flag), else its split recipe's ``metric``, else its
    Meta Kaggle ``EvaluationAlgorithmName`` mapped to the registry; None when none of these names one mlecurate
    grades. An override or recipe metric that is not in the registry is an error, never silently skipped."""
    for where, name in (("metric override", override), ("split recipe metric", (recipe or {}).get("metric"))):
        if name:
            if name not in METRICS:
                raise UnknownMetricError(
                    f"{where} {name!r} is not a metric mlecurate grades (known: {', '.join(sorted(METRICS))})"
                )
            return name
    return canonical_metric(meta_kaggle_name)


# Registry metrics that give one competition the same score, the answers laid out another way: Kaggle's "F-Score
# (Micro)", "Mean F-score across the rows" (Meta Kaggle's description; instacart's, shopee's and facebook-recruiting-
# iii's pages say mean F1), of label sets (mean_f1) or of one label a row (accuracy: a row's F1 is 0 or 1; micro F1 of
# one label a row is accuracy too); not f1_micro_labels, MLE-bench's grading of plant-pathology-2021 and facebook-iii
# (micro F1 over every row's labels, where a long row outweighs a short one); its AUC or log loss over several 0/1
# columns (their mean);
# binary log loss as two-class multiclass log loss; mean absolute error over several columns (the mean of each's).
# Not RMSE or RMSLE: the root of the mean over every cell is not the mean of each column's root.
# Meta Kaggle names a registry metric is, where a split recipe names it, that do not choose it alone: the name also
# covers competitions it does not grade (tgs-salt's one object a row, beside data-science-bowl-2018's several).
NAMED_BY_RECIPE = {"iou_precision": ("IntersectionOverUnionObjectSegmentation",)}
# What a registry metric Kaggle's name maps to is on answers of label sets: F-Score (Micro) is mean F1 over the rows.
ON_LABEL_SETS = {"f1_micro": "mean_f1"}

SAME_SCORE = {
    frozenset(pair)
    for pair in (
        ("f1_micro", "mean_f1"),
        ("f1_micro", "accuracy"),
        ("auc", "mean_columnwise_auc"),
        ("log_loss", "mean_columnwise_log_loss"),
        ("log_loss", "multiclass_log_loss"),
        ("mae", "mean_columnwise_mae"),
    )
}


def recipe_metric_against_kaggle(
    recipe_metric: str | None, kaggle_name: str | None, kaggle_is_max: bool | None, listed_by: str = "Meta Kaggle"
) -> tuple[bool, str]:
    """Whether a split recipe's ``metric`` is the one Kaggle ranked the leaderboard by, and what was found: the
    board's scores and medal thresholds are Kaggle's metric's, compared with scores of the recipe's. ``kaggle_name``
    is the metric's name as ``listed_by`` gives it (Meta Kaggle's EvaluationAlgorithmName, or a Kaggle listing's),
    ``kaggle_is_max`` Meta Kaggle's EvaluationAlgorithmIsMax. A recipe metric other than Kaggle's (mapped to the
    registry, :data:`SAME_SCORE` aside), one standing in for a metric the registry does not grade (imet's F1 for
    Kaggle's F2, tgs-salt's word Jaccard for its IoU), or one that runs the other way, is a disagreement; a recipe
    without a metric is not."""
    named = find_metric(kaggle_name) if kaggle_name else None  # a listing may name the registry's own (map_at_3)
    kaggle = canonical_metric(kaggle_name) or (named.name if named else None)
    listed = f"{listed_by}'s {kaggle_name}"
    if not recipe_metric and _parameter_unsaid(kaggle, kaggle_name):
        symbol, word = PARAMETER_WORDS[kaggle]
        return False, (  # h-and-m is MAP@12: graded at 5, a right article 7th scores 0
            f"the recipe sets no metric: {listed} does not give {symbol}, and {kaggle} grades at "
            f"{symbol}={parameter(METRICS[kaggle])}; name the competition's {word} in the recipe's metric "
            f"({', '.join(PARAMETER_FAMILIES[kaggle])})"
        )
    if not recipe_metric:
        graded = f" ({kaggle} in the registry)" if kaggle else ""
        return (
            True,
            f"the recipe sets no metric: {listed}{graded} grades" if kaggle_name else "the recipe sets no metric",
        )
    metric = METRICS[recipe_metric]
    any_parameter = _parameter_unsaid(kaggle, kaggle_name) and recipe_metric in PARAMETER_FAMILIES[kaggle]
    if (kaggle is not None and kaggle != recipe_metric and frozenset((kaggle, recipe_metric)) not in SAME_SCORE
            and not any_parameter):  # fmt: skip
        board = ON_LABEL_SETS.get(kaggle, kaggle) if metric.task == "label_set" else kaggle
        on_sets = f", {board} on label sets" if board != kaggle else ""
        return False, (
            f"the recipe grades with {recipe_metric}, but Kaggle ranked the leaderboard by {listed} ({kaggle} in the "
            f"registry{on_sets}): the board's scores and medal thresholds are {board}'s, compared with "
            f"{recipe_metric} scores"
        )
    if kaggle_is_max is not None and bool(kaggle_is_max) != metric.higher_is_better:
        ranked, runs = ("higher", "lower") if kaggle_is_max else ("lower", "higher")
        return False, (
            f"the recipe's {recipe_metric} is better {runs}, but Meta Kaggle's EvaluationAlgorithmIsMax says the "
            f"leaderboard was ranked {ranked} is better: medals would go to the wrong end of the board"
        )
    if any_parameter:  # the recipe's metric says the depth, or the beta
        symbol = PARAMETER_WORDS[kaggle][0]
        return True, (
            f"the recipe's {recipe_metric} is {listed} at {symbol}={parameter(metric)} (the dump does not give "
            f"{symbol}; the competition's page does)"
        )
    if kaggle == recipe_metric:
        return True, f"the recipe's {recipe_metric} is {listed}"
    if kaggle is not None:
        return True, f"the recipe's {recipe_metric} gives {listed} ({kaggle} in the registry) the same score"
    if not kaggle_name:
        return True, f"the recipe's {recipe_metric} grades; nothing independent of it names Kaggle's metric"
    if _normalise(kaggle_name) in {_normalise(n) for n in NAMED_BY_RECIPE.get(recipe_metric, ())}:
        return True, (
            f"the recipe's {recipe_metric} is {listed} where each row is one object, as the recipe says (the name "
            "alone does not choose it: it also covers competitions of several objects a row)"
        )
    runs = "" if kaggle_is_max is None else f" (both {'higher' if kaggle_is_max else 'lower'} is better)"
    return False, (
        f"the recipe's {recipe_metric} stands in for {listed}, which the registry does not grade{runs}: the board's "
        f"scores and medal thresholds are {kaggle_name}'s, compared with {recipe_metric} scores, so a medal means "
        "only as much as the two metrics agree"
    )


# Metrics at a parameter that Meta Kaggle's name does not give (MAP@{K} and MeanBestErrorAtK their depth K, F-Score
# Beta (Micro) its beta): each family by the metric that name maps to (K=5, beta 2), with its metrics at every value,
# smallest first
PARAMETER_FAMILIES = {
    "map_at_k": ("map_at_3", "map_at_k", "map_at_12"),
    "top_k_error": ("top_1_error", "top_3_error", "top_k_error"),
    "mean_f2": ("mean_f0_5", "mean_f1", "mean_f2"),
}
PARAMETER_WORDS = {"map_at_k": ("K", "depth"), "top_k_error": ("K", "depth"), "mean_f2": ("beta", "beta")}
# names that do give the family's own value (K=5, beta 2)
PARAMETER_GIVEN_NAMES = frozenset(
    _normalise(name)
    for name in ("MAP@5", "map_at_5", "map_at_k", "Top-5 Error", "top_5_error", "top_k_error", "Mean Best Error at 5",
                 "Mean F2 Score", "mean_f2")
)  # fmt: skip


def parameter(metric: Metric) -> str:
    """The metric's beta where it has one, else its depth K, as a person writes it (0.5, 2; 12)."""
    return f"{metric.beta:g}" if metric.beta is not None else str(metric.depth)


def _parameter_unsaid(kaggle: str | None, kaggle_name: str | None) -> bool:
    """Meta Kaggle's name for a competition's metric does not give its depth or beta (``MAP@{K}``, ``Mean Average
    Precision at K``: h-and-m is MAP@12, whale MAP@5; ``MeanBestErrorAtK``: inaturalist-2019 is top-1; ``F-Score Beta
    (Micro)``: planet is F2, icdm-2015-drawbridge F0.5); ``MAP@5`` does."""
    return kaggle in PARAMETER_FAMILIES and bool(kaggle_name) and _normalise(kaggle_name) not in PARAMETER_GIVEN_NAMES


def find_metric(name: str) -> Metric | None:
    """The registry's metric ``name`` means: a registry name, or a Meta Kaggle name (``MAP@{K}`` as the dump writes
    it; a filled-in ``MAP@3`` or ``MAP@12`` is that depth's metric), either matched without case, spaces,
    hyphens or underscores; None when it means none."""
    wanted = _normalise(name)
    by_name = {_normalise(m.name): m for m in METRICS.values()}
    if wanted in by_name:
        return by_name[wanted]
    found = canonical_metric(name)
    return METRICS[found] if found else None


def metric_table() -> pd.DataFrame:
    """The registry as a curator reads it, one row per metric by name: which way is better, what a submission holds
    (its task), what a valid prediction is (its domain), the perfect score, Meta Kaggle's names for it, its note."""
    return pd.DataFrame(
        [
            {
                "metric": m.name,
                "better": "higher" if m.higher_is_better else "lower",
                "a submission holds": TASKS[m.task],
                "predictions": DOMAINS[m.domain].requirement,
                "perfect": m.perfect,
                "meta_kaggle_names": "; ".join(m.meta_kaggle_names),  # as the dump writes them: MAP@{K}
                "note": m.note,
            }
            for m in sorted(METRICS.values(), key=lambda m: m.name)
        ]
    )


def higher_is_better(metric: str) -> bool:
    return METRICS[metric].higher_is_better
