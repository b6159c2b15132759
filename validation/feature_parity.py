"""Feature parity without labels: are the original and the new public test features alike?

>>> column_parity(original_test, new_test)        # per column: KS for numbers, total variation, text length/vocabulary
>>> task = classifier_task(original_test, new_test, 0)   # the features, built once (None: nothing to classify)
>>> adversarial_auc(task)                  # cross-validated AUC of a classifier telling them apart (0.5: alike)
>>> auc_significance(task, 0.61, 0.05)     # how often test sets drawn alike reach it: p
>>> comparison_exclusions(original_test, new_test, "id", ["y"], designed_differences("user", None))   # left out, why
>>> clocks(original_test, new_test, "date", ["x1", "shipped"])   # {"shipped": "moves with the time column ..."}

Two columns differ between the test sets by the split's own design, and are left out of both comparisons with the
reason (:func:`designed_differences`): the recipe's group column (the new test set holds whole groups of the training
data, the original test set others) and, for a temporal split, its time column (the new test set is the latest
training rows, the original test set comes after them). Compared, they would make every group or temporal split drift.
So would a column of a submission's key that names rows as an id column does (``{batch}_{item}``, Kaggle's test
batches numbered after the training ones): :func:`row_names` finds those by the values the two sets share.

The classifier's AUC is judged against chance as well as against the tolerance: on small test sets, two sets drawn
alike reach 0.6 often (:func:`auc_significance`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from math import ceil

import numpy as np
import pandas as pd

from validation.parity_baseline import (
    Classified,
    classify_columns,
    feature_design,
    feature_kinds,
    feature_numbers,
    prepare_features,
    unused_text,
)

COMPARISON = "feature comparison"  # left out of the column-by-column comparison and of the classifier
CLASSIFIER = "adversarial classifier"  # compared column by column, left out of the classifier only
FOLDS = 5
PERMUTATIONS = 99  # shuffles of which set each row is in: p-values in steps of 0.01
NULL_WIDENING = 1.4  # the permutation null's width over Mann-Whitney's standard error, measured 1.34-1.40
CLEAR_STANDARD_ERRORS = 6.0  # an AUC this far above 0.5 needs no permutations (see auc_significance)
GROUP_COLUMN = ("the recipe's group column: new and original test sets hold different groups by construction (the "
                "new test set whole groups of the training data, the original test set its own)")  # fmt: skip
ROW_NAME_SHARED = 0.05  # a key column whose values the new and original test sets share at most this much names rows
CLOCK_CORRELATION = 0.9  # |Spearman| with the time column over both test sets: a clock, not a feature
CLOCK_MIN_ROWS = 10  # rows with both values present, fewer say nothing
CLOCK_FORMAT_SHARE = 0.95  # of a column's values present, read by time_format: a time in that form
TIME_COLUMN = ("the recipe's time column: new and original test sets cover different times by construction (the new "
               "test set the latest training rows, the original test set what came after them)")  # fmt: skip


EXCLUDED_BY_RECIPE = "split recipe key parity_excluded_columns: the curators say it names rows, not a feature"


def designed_differences(
    group_column: str | None, time_column: str | None, excluded: tuple[str, ...] = ()
) -> dict[str, str]:
    """{column: why} for the columns whose values differ between the new and the original test set by the split's
    design: the recipe's group column, and the time column of a temporal split (None: the recipe has none); and
    those the recipe's ``parity_excluded_columns`` names (``excluded``)."""
    differences = {group_column: GROUP_COLUMN, time_column: TIME_COLUMN}
    return dict.fromkeys(excluded, EXCLUDED_BY_RECIPE) | {c: why for c, why in differences.items() if c}


def row_names(original: pd.DataFrame, new: pd.DataFrame, key_columns: Collection[str]) -> dict[str, str]:
    """{column: why} for the columns a submission's key is built from (``submission_columns``) that name rows, as an
    id column does: the two test sets share almost none of their values (at most ``ROW_NAME_SHARED`` of the new test
    set's distinct values are in the original's), as when Kaggle numbers its test batches after the training ones. A
    key column whose values both sets hold (a store, a department) is a feature like any other, and compared."""
    found = {}
    for column in key_columns:
        if column not in original.columns or column not in new.columns:
            continue
        values = set(new[column].dropna().astype(str))
        if not values:
            continue
        shared = len(values & set(original[column].dropna().astype(str))) / len(values)
        if shared <= ROW_NAME_SHARED:
            found[column] = (f"a column of the submission's key (the recipe's submission_columns) that names rows, as "
                             f"an id column does: {shared:.0%} of the new test set's values are in the original "
                             "test set's")  # fmt: skip
    return found


def clocks(
    original: pd.DataFrame, new: pd.DataFrame, time_column: str, columns: list[str], time_format: str | None = None
) -> dict[str, str]:
    """{column: why} for the ``columns`` (numbers or dates) that move with ``time_column`` in a temporal split: rank
    correlation at least ``CLOCK_CORRELATION`` with it over the two test sets together. Times read as numbers or ISO
    dates (:func:`feature_numbers`), or, with the recipe's ``time_format``, as text in that form (``10/04/2020``):
    the time column, and any other column whose values it reads."""
    if time_column not in original.columns or time_column not in new.columns:
        return {}
    both = pd.concat([original[[time_column, *columns]], new[[time_column, *columns]]], ignore_index=True)
    time = _times(both[time_column], time_format)
    numeric = feature_kinds(both[columns])[0]
    found = {}
    for column in columns:
        values = feature_numbers(both[column]) if column in numeric else _formatted_times(both[column], time_format)
        if values is None:
            continue
        present = time.notna() & values.notna()
        if present.sum() < CLOCK_MIN_ROWS or values[present].nunique() < 2 or time[present].nunique() < 2:
            continue
        correlation = float(time[present].rank().corr(values[present].rank()))
        if abs(correlation) >= CLOCK_CORRELATION:
            found[column] = (f"moves with the recipe's time column {time_column!r} (rank correlation "
                             f"{correlation:.2f} over both test sets): a temporal split shifts it by construction")  # fmt: skip
    return found


def _times(values: pd.Series, time_format: str | None) -> pd.Series:
    """The time column as numbers: in ``time_format`` where it reads them, else as :func:`feature_numbers` does."""
    formatted = _formatted_times(values, time_format)
    return formatted if formatted is not None else feature_numbers(values)


def _formatted_times(values: pd.Series, time_format: str | None) -> pd.Series | None:
    """``values`` as seconds since 1970 when ``time_format`` (a strptime format) reads most of those present
    (``CLOCK_FORMAT_SHARE``), else None."""
    present = values.dropna()
    if not time_format or present.empty:
        return None
    text = values.astype("string").str.strip()
    try:
        instants = pd.to_datetime(text, format=time_format, errors="coerce", utc=True)
    except ValueError:  # a DuckDB strptime form pandas does not know
        return None
    if instants[present.index].notna().mean() < CLOCK_FORMAT_SHARE:
        return None
    return (instants - pd.Timestamp(0, tz="UTC")).dt.total_seconds()


def compared_columns(original: pd.DataFrame, new: pd.DataFrame, designed: dict[str, str]) -> list[str]:
    """The columns both test sets hold that the comparison may look at (not one of the ``designed`` differences)."""
    return [c for c in new.columns if c in original.columns and c not in designed]


def comparison_exclusions(
    original: pd.DataFrame,
    new: pd.DataFrame,
    id_column: str | None,
    targets: list[str],
    designed: dict[str, str] | None = None,
    classified: Classified | None = None,
) -> list[dict]:
    """Every column of the original or the new public test set left out of the comparison, with the reason (one
    ``{"column", "left_out_of", "reason"}`` per column); ``designed``: :func:`designed_differences`;
    ``classified``: :func:`compared_kinds`, when the caller has it already."""
    designed = designed or {}
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
    for column in new.columns:
        if column in original.columns and column in designed:
            leave(column, designed[column])
    shared = compared_columns(original, new, designed)
    columns, excluded = classified or compared_kinds(original[shared], new[shared])
    for column, reason in excluded.items():
        leave(column, reason)
    for column, reason in unused_text(columns).items():
        leave(column, reason, CLASSIFIER)
    return out


def compared_kinds(original: pd.DataFrame, new: pd.DataFrame) -> Classified:
    """The two test sets' columns classified together (:func:`classify_columns`): what the comparison looks at as
    numbers, text and categories, and what it leaves out."""
    return classify_columns(pd.concat([original, new], ignore_index=True))


def column_parity(original: pd.DataFrame, new: pd.DataFrame, classified: Classified | None = None) -> list[dict]:
    """One comparison per column the two test sets share (``classified``: :func:`compared_kinds`, when the caller
    has it already)."""
    from scipy.stats import ks_2samp

    numeric, text, categorical = (classified or compared_kinds(original, new))[0]
    rows = []
    for c in numeric:
        a, b = feature_numbers(original[c]).dropna(), feature_numbers(new[c]).dropna()
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


@dataclass(frozen=True)
class Significance:
    """How often two test sets drawn alike would give a classifier's AUC at least as high: ``p_value``, and how it
    was found (``how``, for the verdict's reason)."""

    p_value: float
    how: str


def adversarial_auc(task: ClassifierTask | None) -> float | None:
    """The cross-validated AUC of a logistic regression telling the original test rows from the new ones (0.5: it
    cannot); None without a task (no usable features, or fewer than 10 rows on a side)."""
    return None if task is None else round(_cross_validated_auc(task, task.sides), 4)


def auc_significance(task: ClassifierTask, auc: float, level: float) -> Significance:
    """The one-sided p-value of ``auc``: how often the classifier reaches it on test sets drawn alike.

    Found by a permutation test over the same folds: which set each row is in is shuffled within each fold (seeded;
    every fold keeps its share of each set, as the stratified folds of the real AUC do), the same cross-validation
    runs again, and p = (1 + shuffles reaching ``auc``) / (1 + ``PERMUTATIONS``). The test stops as soon as the
    shuffles reaching it make p exceed ``level`` (Besag and Clifford's sequential p-value: reached / run), so a
    clear answer costs few fits; the fits are small, so they run on one thread (several, on a busy machine, made
    each fit forty times slower). An AUC over ``CLEAR_STANDARD_ERRORS`` standard errors above 0.5 needs no
    shuffles: the standard error is Mann-Whitney's for two sets drawn alike, sqrt((n0 + n1 + 1) / (12 n0 n1)); the
    permutation null of the cross-validated AUC is wider (standard deviation 0.088 against 0.0625 on 66 and 32 rows,
    1.34 to 1.40 times on the generated competitions), so six of them are still over four of the real ones."""
    from scipy.stats import norm

    units = "groups" if task.groups is not None else "rows"  # rows of one group are no independent draws
    rows = tuple(_effective_draws(task, side) for side in (0, 1))
    error = np.sqrt((sum(rows) + 1) / (12 * rows[0] * rows[1]))
    above = (auc - 0.5) / error
    if above >= CLEAR_STANDARD_ERRORS:
        # A bound, not an exact p: the real null is up to NULL_WIDENING times wider than Mann-Whitney's.
        counted = " ".join(f"{n:,.0f}" if n == int(n) else f"{n:,.1f}" for n in rows).replace(" ", " and ", 1)
        weighed = " (their effective number, by size)" if task.groups is not None else ""
        return Significance(float(norm.sf(above / NULL_WIDENING)), f"{above:.1f} standard errors above 0.5 for test sets of "
                                                   f"{counted} {units}{weighed} drawn alike")  # fmt: skip
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(task.seed)
    enough = max(1, ceil(level * (PERMUTATIONS + 1)))  # this many shuffles reaching the AUC: p is above the level
    reached = 0
    with threadpool_limits(limits=1):
        for run in range(1, PERMUTATIONS + 1):
            reached += _cross_validated_auc(task, _shuffled_within_folds(task, rng)) >= auc
            if reached >= enough:
                return Significance(reached / run, f"permutation test: {reached} of the first {run} shuffles of "
                                                   f"which set each {units[:-1]} is in reach it")  # fmt: skip
    return Significance((reached + 1) / (PERMUTATIONS + 1), f"permutation test: {reached} of {PERMUTATIONS} shuffles "
                                                            f"of which set each {units[:-1]} is in reach it")  # fmt: skip


def _effective_draws(task: ClassifierTask, side: int) -> float:
    """How many independent draws a set's rows are: its rows, or with groups Kish's effective number of groups,
    (sum of sizes)^2 / sum of squared sizes: the groups' count when they are alike in size, about one for a set
    that is mostly one group (a review: one group of half the rows, counted as one of many, gave false drift)."""
    if task.groups is None:
        return float((task.sides == side).sum())
    sizes = np.unique(task.groups[task.sides == side], return_counts=True)[1].astype(float)
    return float(sizes.sum() ** 2 / (sizes**2).sum())


def _shuffled_within_folds(task: ClassifierTask, rng: np.random.Generator) -> np.ndarray:
    """Which set each row is in, shuffled among the rows of each fold (each fold keeps its count of each set); with
    groups, among the fold's groups, each group's rows staying together."""
    sides = task.sides.copy()
    for _, held_out in task.folds:
        if task.groups is None:
            sides[held_out] = rng.permutation(task.sides[held_out])
            continue
        _, first, position = np.unique(task.groups[held_out], return_index=True, return_inverse=True)
        sides[held_out] = rng.permutation(task.sides[held_out][first])[position]
    return sides


@dataclass(frozen=True)
class ClassifierTask:
    """The adversarial classifier's cross-validation, its label-free part done once for the AUC and every shuffle of
    its significance test: each fold's features, fitted on the fold's training rows (TF-IDF, scaling and one-hot
    never see which set a row is in)."""

    sides: np.ndarray  # 0: an original test row, 1: a new one
    folds: list[tuple[np.ndarray, np.ndarray]]  # (training rows, held-out rows)
    features: list[tuple[object, object]]  # per fold: (training rows' features, held-out rows' features)
    seed: int  # the folds' and the shuffles' seed
    groups: np.ndarray | None = None  # each row's group (its set's own), where rows of a group are drawn together


CLASSIFIER_ROWS = 10  # a classifier telling two test sets apart needs this many rows of each


def no_classifier_reason(original: pd.DataFrame, new: pd.DataFrame, shared: list[str]) -> str:
    """Why :func:`classifier_task` gave none: too few rows on a side, or no column it can use."""
    if min(len(original), len(new)) < CLASSIFIER_ROWS:
        return (
            f"it needs {CLASSIFIER_ROWS} rows of each test set, and the original has {len(original):,}, "
            f"the new {len(new):,}"
        )
    if not shared:
        return "the two test sets share no column to compare"
    return "no shared column it can use (excluded_columns says why each is left out)"


def classifier_task(
    original: pd.DataFrame,
    new: pd.DataFrame,
    seed: int,
    classified: Classified | None = None,
    groups: tuple[pd.Series, pd.Series] | None = None,
) -> ClassifierTask | None:
    """The cross-validation telling ``original`` rows from ``new`` ones, features built; None when there are no
    usable features or fewer than 10 rows on a side (``classified``: :func:`compared_kinds`, when the caller has
    it already). ``groups``: each set's rows' group (the recipe's group column), where a group's rows were drawn
    together: the folds keep a group whole, and the significance test shuffles groups, not rows (a newcomer's sweep:
    ventilator's 20 and 6 breaths of 80 rows each, a feature constant within a breath, read as 2,080 independent
    rows, gave drift at p 1e-16 on two test sets drawn alike)."""
    from sklearn.base import clone

    both = pd.concat([original, new], ignore_index=True)
    columns = (classified or compared_kinds(original, new))[0]
    design = feature_design(columns)
    if design is None or min(len(original), len(new)) < CLASSIFIER_ROWS:
        return None
    sides = np.r_[np.zeros(len(original)), np.ones(len(new))]
    X = prepare_features(both, columns)
    keys = _group_keys(groups, sides) if groups is not None else None
    folds = _folds(sides, keys, seed)
    if folds is None:  # a side of one group: nothing to hold out; its rows are drawn as rows, as before
        keys, folds = None, _folds(sides, None, seed)
    features = []
    for train, held_out in folds:
        fitted = clone(design).fit(X.iloc[train])
        features.append((fitted.transform(X.iloc[train]), fitted.transform(X.iloc[held_out])))
    return ClassifierTask(sides, folds, features, seed, keys)


MIN_GROUPS = 3  # groups a side for the classifier to tell two test sets apart (two make folds of one group each)


def _side_keys(values: pd.Series, side: int) -> np.ndarray:
    """A set's rows' groups as keys of its own (the same id in both sets is two groups); its rows without a value
    are one group (rows Kaggle left without one are rarely independent draws: a review saw 30% false drift when each
    was its own)."""
    values = values.reset_index(drop=True)
    return (f"{side}:" + values.astype(str).where(values.notna(), "\0missing")).to_numpy(dtype=object)


def _group_keys(groups: tuple[pd.Series, pd.Series], sides: np.ndarray) -> np.ndarray:
    """Each row's group as one key (:func:`_side_keys`), both sets."""
    return np.concatenate([_side_keys(values, side) for side, values in enumerate(groups)])


def too_few_groups(groups: tuple[pd.Series, pd.Series], column: str) -> str | None:
    """Why no classifier can judge two test sets drawn in groups of ``column`` (fewer than :data:`MIN_GROUPS` on a
    side: a review saw two-fold cross-validation of one group a fold give AUC 0.01 to 0.29, and parity on sets
    twenty apart), or None."""
    counts = [len(set(_side_keys(values, side))) for side, values in enumerate(groups)]
    for side, count in zip(("original (Kaggle's)", "new"), counts, strict=True):
        if count < MIN_GROUPS:
            return (f"the split draws rows in groups of {column}, and the {side} test set holds {count} of them: "
                    f"too few to tell the sets apart ({MIN_GROUPS} a side at least)")  # fmt: skip
    return None


def _folds(sides: np.ndarray, keys: np.ndarray | None, seed: int) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """Stratified folds of the rows, or with ``keys`` of whole groups: each group lies on one side, so the groups
    are folded as rows are (stratified by side) and their rows follow (StratifiedGroupKFold took 13 s for 50,000
    groups a side, this well under one). Fewer groups on a side than folds: as many folds as it has (two at least);
    None for a side of one group."""
    from sklearn.model_selection import StratifiedKFold

    if keys is None:
        return list(StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed).split(sides, sides))
    names, first, rows_group = np.unique(keys, return_index=True, return_inverse=True)
    group_sides = sides[first]
    fewest = min(int((group_sides == side).sum()) for side in (0, 1))
    if fewest < MIN_GROUPS:
        return None
    splitter = StratifiedKFold(n_splits=min(FOLDS, fewest), shuffle=True, random_state=seed)
    folds = []
    for _, held_groups in splitter.split(group_sides, group_sides):
        held = np.isin(rows_group, held_groups)
        folds.append((np.flatnonzero(~held), np.flatnonzero(held)))
    return folds


def _cross_validated_auc(task: ClassifierTask, sides: np.ndarray) -> float:
    """The AUC of out-of-fold probabilities that a row is in set 1 of ``sides`` (the real sides, or shuffled)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    scores = np.empty(len(sides))
    for (train, held_out), (train_features, held_out_features) in zip(task.folds, task.features, strict=True):
        model = LogisticRegression(max_iter=2000).fit(train_features, sides[train])
        scores[held_out] = model.predict_proba(held_out_features)[:, 1]
    return float(roc_auc_score(sides, scores))
