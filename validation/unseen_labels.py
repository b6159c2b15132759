"""Whether the new test set's labels are ones the new training set has: a warning check.

>>> check = check_test_labels_seen(train, test, answers, recipe, "map_at_k")
>>> check.passed, check.found
(False, "17 of 80 new test rows (21.2%) have a label the new training set never has: 'w_0a1b', 'w_3c4d', 'w_77e0',
'w_8f12', 'w_9a00' and 12 more (of 63 labels in the new test set, 17 are unseen)")

Under a metric of labels (accuracy, F1, kappa, MAP@k, class probabilities, label sets), a test row whose label no
training row has cannot be predicted by anything trained on the new training set (a newcomer's sweep:
whale-categorization's 4,251 whales, most with one or two images, gave 17 of 80 test answers naming whales the
training set lacked, without a word; MLE-bench's prepare script relabels those as ``new_whale``). It warns: Kaggle's
own test sets hold such labels too, and a recipe may mean it; the remedy names the stratified split, which keeps
each class of two rows or more on both sides. Rows without a label are not counted; a label set's labels are
counted one by one, as are MAP@K's (its grader reads an answer's words as its labels). Labels compare as the grader
compares them (``1``, ``1.0`` and ``true`` are one label where the test set's are numbers or booleans).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from validation.checks import Check
from validation.data_files import columns_of, quote, reader_sql, utc_connection
from validation.leakage import SplitCheck
from validation.messages import shown_list
from validation.metrics import METRICS, canonical_labels, label_type
from validation.split_recipe import SplitRecipe, submission_entries, submission_keys

TEST_LABELS_SEEN = Check(
    "test_labels_seen",
    "Under a metric of labels, every label of the new test set is one the new training set has (a label no "
    "training row has cannot be learnt from the training set).",
    severity="warning",
    remedy="Use `kind: stratified`, which keeps each class of two rows or more on both sides, or raise "
    "`test_fraction` (classes with one row stay where they fall); where Kaggle's test set names such labels with one "
    "label of its own (whale's `new_whale`), give it as `unseen_label`; if the competition means to hold unseen "
    "labels, say so in the annotation's note.",
)
LABEL_TASKS = ("classification", "multiclass", "ranking", "label_set")
SHOWN_CHARS = 40  # of each unseen label named in the finding


def check_test_labels_seen(
    train: Path, test: Path, answers: Path, recipe: SplitRecipe, metric: str | None, scored: np.ndarray | None = None
) -> SplitCheck:
    """The check on a built split: ``train``, ``test`` the new public train and test files, ``answers`` the new
    answers (in submission format), ``metric`` the one that grades the split; ``scored``: which answers rows are
    scored (split recipe key ``scored_rows``; None: all), the only ones counted (an unscored row's label costs
    nothing)."""
    spec = METRICS.get(metric or "")
    targets = recipe.graded_targets
    if spec is None or spec.task not in LABEL_TASKS or len(targets) != 1:
        why = f"{metric} scores no labels" if spec else "no metric"
        return SplitCheck(TEST_LABELS_SEEN.name, True, f"nothing to check: {why}", {})
    words = spec.task in ("label_set", "ranking")  # a row's labels are its words (MAP@K's answers, as graded)
    with utc_connection() as con:
        train_labels = distinct_labels(con, train, targets[0], words)
        public = set(columns_of(con, test))
    table = pd.read_csv(answers, dtype=str, keep_default_na=False)
    rows_said = "new test rows"
    if scored is not None and len(scored) == len(table):
        table, rows_said = table[scored].reset_index(drop=True), "scored new test rows"
    if spec.one_column_per_class:  # one-hot answers: the label is the class column holding the 1
        keys = set(submission_keys(recipe.to_document()) or ()) | public
        classes = [c for c in table.columns if c not in keys]
        rows = table[classes].apply(pd.to_numeric, errors="coerce").idxmax(axis=1).astype(str).map(lambda c: [c])
    else:
        named = {target: column for column, target in submission_entries(recipe.to_document())[1].items()}
        cells = table[named.get(targets[0], targets[0])].str.strip()
        rows = cells.str.split() if words else cells.map(lambda label: [label] if label else [])
    flat = pd.Series([label for labels in rows for label in labels], dtype=object)
    kind = label_type(flat) if len(flat) else "string"  # compared as the grader compares them: 1, 1.0 and true alike
    meant = [recipe.unseen_label] if recipe.unseen_label else []  # the recipe's label for unseen ones is meant
    seen = set(canonical_labels(pd.Series(train_labels + meant, dtype=object), kind))
    as_graded = dict(zip(flat, canonical_labels(flat, kind), strict=True))
    test_labels = {as_graded[label] for label in flat}
    unseen = sorted(label for label in set(flat) if as_graded[label] not in seen)
    count = int(rows.map(lambda labels: any(as_graded[label] not in seen for label in labels)).sum())
    facts = {"test_rows": len(table), "rows_with_unseen_label": count, "unseen_labels": len(unseen),
             "test_labels": len(test_labels)}  # fmt: skip
    if not unseen:
        return SplitCheck(
            TEST_LABELS_SEEN.name, True,
            f"each of the new test set's {len(test_labels):,} labels is in the new training set"
            + (f" (or is {recipe.unseen_label!r}, the recipe's unseen_label)" if meant else ""), facts,
        )  # fmt: skip
    share = count / len(table) if len(table) else 0.0
    return SplitCheck(
        TEST_LABELS_SEEN.name,
        False,
        f"{count:,} of {len(table):,} {rows_said} ({share:.1%}) have a label the new training set never has: "
        f"{shown_list(repr(label[:SHOWN_CHARS]) for label in unseen)} (of {len(test_labels):,} labels in the new "
        f"test set, {len(unseen):,} are unseen)"
        + ("; the test set is Kaggle's own, with its released labels" if recipe.kind == "released_labels" else ""),
        facts,
    )


def distinct_labels(con, path: Path, column: str, words: bool) -> list[str]:
    """The distinct labels of ``column`` in ``path`` (with ``words``, each word of a cell), as text."""
    text = f"trim(CAST({quote(column)} AS VARCHAR))"
    if words:
        text = f"unnest(string_split_regex({text}, '\\s+'))"
    found = con.execute(f"SELECT DISTINCT {text} AS label FROM {reader_sql(path)}").fetchall()
    return [row[0] for row in found if row[0]]
