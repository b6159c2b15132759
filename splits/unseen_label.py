"""The new test set's labels that its training set never has, relabelled (split recipe key ``unseen_label``).

>>> relabel_unseen(con, recipe, "map_at_k", result.train_file, result.answers_file, "whale-categorization-playground: ")
17                      # answers rows now labelled recipe.unseen_label (None without the key)

Kaggle's whale-categorization test set names a whale its training set lacks ``new_whale``, and MLE-bench's prepare
script relabels its new test set alike: a whale of one or two images that falls on the test side alone is a new whale
to anything trained on the new training set. With the key, each answers row whose label no new training row has is
given ``unseen_label``; labels compare as the grader compares them (``1``, ``1.0`` and ``true`` are one label where
the answers' labels are numbers or booleans). Only under a metric of one label a row (accuracy, F1, kappa,
Matthews, MAP@K, whose answers here must then be one label each); the answers file is rewritten only when a row
changes, whole or not at all.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from splits.builder import SplitError
from validation.data_files import quote, reader_sql
from validation.messages import shown
from validation.metrics import METRICS, canonical_labels, label_type
from validation.split_recipe import RecipeError, SplitRecipe

ONE_LABEL_TASKS = ("classification", "ranking")  # the metrics' tasks whose answers are one label a row


def relabel_unseen(con, recipe: SplitRecipe, metric: str | None, train: Path, answers: Path, where: str) -> int | None:
    """Give ``recipe.unseen_label`` to each row of the new ``answers`` (CSV, in the train file's column names) whose
    label the new ``train`` file (any format) never has; how many rows that was (None: no such key)."""
    if recipe.unseen_label is None:
        return None
    spec = METRICS.get(metric or "")
    if spec is None or spec.task not in ONE_LABEL_TASKS:
        takes = ", ".join(sorted(name for name, m in METRICS.items() if m.task in ONE_LABEL_TASKS))
        raise RecipeError(
            f"{where}split recipe key 'unseen_label': only under a metric of one label a row ({takes}); this "
            f"competition is graded by {metric or 'no metric'}"
        )
    target = recipe.target_columns[0]
    table = pd.read_csv(answers, dtype=str, keep_default_na=False)
    cells = table[target].str.strip()
    several = cells.str.contains(r"\s", regex=True)
    if spec.task == "ranking" and several.any():
        row = int(several.to_numpy().argmax())
        raise SplitError(
            f"{where}split recipe key 'unseen_label': answers row {row + 1:,} holds several labels in {target} "
            f"({shown(table[target].iloc[row])!r}); a label the training set lacks is given to a row of one label"
        )
    found = con.execute(
        f"SELECT DISTINCT trim(CAST({quote(target)} AS VARCHAR)) FROM {reader_sql(train)} WHERE {quote(target)} "
        "IS NOT NULL"
    ).fetchall()
    kind = label_type(cells) if len(cells) else "string"
    seen = set(canonical_labels(pd.Series([row[0] for row in found], dtype=object), kind))
    unseen = pd.Series(canonical_labels(cells, kind), index=table.index).map(lambda label: label not in seen)
    unseen &= cells != ""  # a row without a label stays so (the answers' own checks say what is wrong)
    count = int(unseen.sum())
    if count:
        table.loc[unseen, target] = recipe.unseen_label
        partial = answers.with_name(f".{answers.name}.relabelled")
        table.to_csv(partial, index=False)
        os.replace(partial, answers)
    return count
