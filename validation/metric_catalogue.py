"""Which Kaggle evaluation metrics mlecurate knows, under the names Meta Kaggle gives them.

>>> canonical_metric("Area Under Receiver Operating Characteristic Curve")
'auc'

Meta Kaggle names a competition's metric in ``EvaluationAlgorithmName`` (since 2023 the abbreviation of a Python
"Kaggle Metric" is a numeric id, so names are what to match on). This catalogue maps those names to the metrics the
grader implements; the candidate rule ``known_metric`` uses it to keep competitions we can grade. Names are matched
case-insensitively with runs of spaces collapsed (one real name has a double space).
"""

from __future__ import annotations

import re

# canonical metric -> (higher is better, Meta Kaggle EvaluationAlgorithmName values it serves)
METRICS: dict[str, tuple[bool, tuple[str, ...]]] = {
    "auc": (
        True,
        ("Area Under Receiver Operating Characteristic Curve", "Roc Auc Score", "sklearn_roc_auc_score"),
    ),
    "mean_columnwise_auc": (True, ("Mean Columnwise Area Under Receiver Operating Characteristic Curve",)),
    "log_loss": (False, ("Log Loss",)),
    "multiclass_log_loss": (False, ("Multiclass Loss", "Multiclass Loss (Deprecated)")),
    "rmse": (False, ("Root Mean Squared Error",)),
    "rmsle": (False, ("Root Mean Squared Logarithmic Error",)),
    "mean_columnwise_rmsle": (False, ("Mean Columnwise Root Mean Squared Logarithmic Error",)),
    "mae": (False, ("Mean Absolute Error",)),
    "accuracy": (True, ("Categorization Accuracy", "Accuracy Score")),
    "quadratic_weighted_kappa": (True, ("QuadraticWeightedKappa",)),
    "f1_micro": (True, ("F-Score (Micro)",)),
    "f1_macro": (True, ("F-Score (Macro)",)),
    "map_at_k": (True, ("MAP@{K}", "Mean Average Precision at K")),
    "mean_columnwise_spearman": (True, ("Mean Columnwise Spearman's r (rank correlation coefficient)",)),
    "word_jaccard": (True, ("Jaccard",)),
    "mean_levenshtein": (False, ("Levenshtein Mean",)),
}


def _normalise(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().lower()


_BY_NAME = {_normalise(name): metric for metric, (_, names) in METRICS.items() for name in names}


def canonical_metric(evaluation_algorithm_name: str | None) -> str | None:
    """The canonical metric for a Meta Kaggle metric name, or None when mlecurate does not know it."""
    return _BY_NAME.get(_normalise(evaluation_algorithm_name)) if evaluation_algorithm_name else None


def higher_is_better(metric: str) -> bool:
    return METRICS[metric][0]
