"""Feature parity without labels: are the original and the new public test features alike?

>>> column_parity(original_test, new_test)        # per column: KS for numbers, total variation, text length/vocabulary
>>> adversarial_auc(original_test, new_test, 0)   # cross-validated AUC of a classifier telling them apart (0.5: alike)
>>> comparison_exclusions(original_test, new_test, "id", ["y"])   # every column left out of both, and why
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from validation.float_text import to_numeric
from validation.parity_baseline import classify_columns, feature_design, feature_kinds, prepare_features, unused_text

COMPARISON = "feature comparison"  # left out of the column-by-column comparison and of the classifier
CLASSIFIER = "adversarial classifier"  # compared column by column, left out of the classifier only


def comparison_exclusions(
    original: pd.DataFrame, new: pd.DataFrame, id_column: str | None, targets: list[str]
) -> list[dict]:
    """Every column of the original or the new public test set left out of the comparison, with the reason (one
    ``{"column", "left_out_of", "reason"}`` per column)."""
    out = []

    def leave(column: str, reason: str, where: str = COMPARISON) -> None:
        out.append({"column": column, "left_out_of": where, "reason": reason})

    for column in original.columns:
        if column in new.columns:
            continue
        if column == id_column:
            leave(column, "id column: identifies rows, not a feature")
        elif column in targets:
            leave(column, "a target: not a feature")
        else:
            leave(column, "not in the new public test set")
    for column in new.columns:
        if column not in original.columns:
            leave(column, "not in the original test set")
    shared = [c for c in new.columns if c in original.columns]
    columns, excluded = classify_columns(pd.concat([original[shared], new[shared]], ignore_index=True))
    for column, reason in excluded.items():
        leave(column, reason)
    for column, reason in unused_text(columns).items():
        leave(column, reason, CLASSIFIER)
    return out


def column_parity(original: pd.DataFrame, new: pd.DataFrame) -> list[dict]:
    from scipy.stats import ks_2samp

    numeric, text, categorical = feature_kinds(pd.concat([original, new], ignore_index=True))
    rows = []
    for c in numeric:
        a, b = to_numeric(original[c], errors="coerce").dropna(), to_numeric(new[c], errors="coerce").dropna()
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


def adversarial_auc(original: pd.DataFrame, new: pd.DataFrame, seed: int) -> float | None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline

    both = pd.concat([original, new], ignore_index=True)
    columns = feature_kinds(both)
    design = feature_design(columns)
    if design is None or min(len(original), len(new)) < 10:
        return None
    y = np.r_[np.zeros(len(original)), np.ones(len(new))]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    model = make_pipeline(design, LogisticRegression(max_iter=2000))
    scores = cross_val_predict(model, prepare_features(both, columns), y, cv=folds, method="predict_proba")[:, 1]
    return round(float(roc_auc_score(y, scores)), 4)
