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
counted one by one.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from validation.checks import Check
from validation.data_files import columns_of, quote, reader_sql, utc_connection
from validation.leakage import SplitCheck
from validation.messages import shown_list
from validation.metrics import METRICS
from validation.split_recipe import SplitRecipe, submission_entries, submission_keys

TEST_LABELS_SEEN = Check(
    "test_labels_seen",
    "Under a metric of labels, every label of the new test set is one the new training set has (a label no "
    "training row has cannot be learnt from the training set).",
    severity="warning",
    remedy="Use `kind: stratified`, which keeps each class of two rows or more on both sides, or raise "
    "`test_fraction` (classes with one row stay where they fall); if the competition means to hold unseen labels "
    "(Kaggle's own test set may), say so in the annotation's note.",
)
LABEL_TASKS = ("classification", "multiclass", "ranking", "label_set")
SHOWN_CHARS = 40  # of each unseen label named in the finding


def check_test_labels_seen(
    train: Path, test: Path, answers: Path, recipe: SplitRecipe, metric: str | None
) -> SplitCheck:
    """The check on a built split: ``train``, ``test`` the new public train and test files, ``answers`` the new
    answers (in submission format), ``metric`` the one that grades the split."""
    spec = METRICS.get(metric or "")
    targets = recipe.graded_targets
    if spec is None or spec.task not in LABEL_TASKS or len(targets) != 1:
        why = f"{metric} scores no labels" if spec else "no metric"
        return SplitCheck(TEST_LABELS_SEEN.name, True, f"nothing to check: {why}", {})
    label_set = spec.task == "label_set"
    with utc_connection() as con:
        seen = set(_labels(con, train, targets[0], label_set))
        public = set(columns_of(con, test))
    table = pd.read_csv(answers, dtype=str, keep_default_na=False)
    if spec.one_column_per_class:  # one-hot answers: the label is the class column holding the 1
        keys = set(submission_keys(recipe.to_document()) or ()) | public
        classes = [c for c in table.columns if c not in keys]
        rows = table[classes].apply(pd.to_numeric, errors="coerce").idxmax(axis=1).astype(str).map(lambda c: [c])
    else:
        named = {target: column for column, target in submission_entries(recipe.to_document())[1].items()}
        cells = table[named.get(targets[0], targets[0])].str.strip()
        rows = cells.str.split() if label_set else cells.map(lambda label: [label] if label else [])
    test_labels = {label for labels in rows for label in labels}
    unseen = sorted(test_labels - seen)
    count = int(rows.map(lambda labels: any(label not in seen for label in labels)).sum())
    facts = {"test_rows": len(table), "rows_with_unseen_label": count, "unseen_labels": len(unseen),
             "test_labels": len(test_labels)}  # fmt: skip
    if not unseen:
        return SplitCheck(
            TEST_LABELS_SEEN.name, True,
            f"each of the new test set's {len(test_labels):,} labels is in the new training set", facts,
        )  # fmt: skip
    share = count / len(table) if len(table) else 0.0
    return SplitCheck(
        TEST_LABELS_SEEN.name,
        False,
        f"{count:,} of {len(table):,} new test rows ({share:.1%}) have a label the new training set never has: "
        f"{shown_list(repr(label[:SHOWN_CHARS]) for label in unseen)} (of {len(test_labels):,} labels in the new "
        f"test set, {len(unseen):,} are unseen)",
        facts,
    )


def _labels(con, path: Path, column: str, label_set: bool) -> list[str]:
    """The distinct labels of ``column`` in ``path`` (a label set's one by one), as text."""
    text = f"trim(CAST({quote(column)} AS VARCHAR))"
    if label_set:
        text = f"unnest(string_split_regex({text}, '\\s+'))"
    found = con.execute(f"SELECT DISTINCT {text} AS label FROM {reader_sql(path)}").fetchall()
    return [row[0] for row in found if row[0]]
