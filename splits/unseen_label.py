"""The new test set's labels that its training set never has, relabelled (split recipe key ``unseen_label``).

>>> relabel_unseen(con, recipe, "map_at_k", result.train_file, result.answers_file, "whale-categorization-playground: ")
17                      # answers rows now labelled recipe.unseen_label (None without the key)

Kaggle's whale-categorization test set names a whale its training set lacks ``new_whale``, and MLE-bench's prepare
script relabels its new test set alike: a whale of one or two images that falls on the test side alone is a new whale
to anything trained on the new training set. With the key, each answers row whose label no new training row has is
given ``unseen_label``; labels compare as the grader compares them (``1``, ``1.0`` and ``true`` are one label where
the answers' labels are numbers or booleans; under MAP@K a training cell's words are its labels). The label is of
the answers' type (a number among numbers: text would make every label text to the grader), and never a word
pandas reads as missing. Only under a metric of one label a row (accuracy, F1, kappa,
Matthews, MAP@K, whose answers here must then be one label each); the answers file is rewritten only when a row
changes, whole or not at all.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from splits.builder import SplitError
from validation.messages import shown
from validation.metrics import METRICS, canonical_labels, label_type
from validation.split_recipe import RecipeError, SplitRecipe
from validation.unseen_labels import distinct_labels

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
    target, label = recipe.target_columns[0], recipe.unseen_label
    words = spec.task == "ranking"  # MAP@K's grader reads a cell's words as its labels
    if words and re.search(r"\s", label):
        raise RecipeError(f"{where}split recipe key 'unseen_label': {label!r} holds white space, and {metric} reads "
                          "each word of an answer as a label of its own; choose a label of one word")  # fmt: skip
    table = pd.read_csv(answers, dtype=str, keep_default_na=False)
    cells = table[target].str.strip()
    several = cells.str.contains(r"\s", regex=True)
    if words and several.any():
        row = int(several.to_numpy().argmax())
        raise SplitError(
            f"{where}split recipe key 'unseen_label': answers row {row + 1:,} holds several labels in {target} "
            f"({shown(table[target].iloc[row])!r}); a label the training set lacks is given to a row of one label"
        )
    kind = label_type(cells[cells != ""]) if (cells != "").any() else "string"
    if kind != "string" and label_type(pd.Series([label])) != kind:
        raise RecipeError(
            f"{where}split recipe key 'unseen_label': {label!r} is not a {kind} label, and the answers' {target} "
            f"labels are {kind}s; as text it would make every label text for the grader (1 and 1.0 two labels): "
            f"choose a {kind} label{' such as -1' if kind == 'number' else ''}"
        )
    seen = set(canonical_labels(pd.Series(distinct_labels(con, train, target, words), dtype=object), kind))
    unseen = pd.Series(canonical_labels(cells, kind), index=table.index).map(lambda graded: graded not in seen)
    unseen &= cells != ""  # a row without a label stays so (the answers' own checks say what is wrong)
    count = int(unseen.sum())
    if count:
        table.loc[unseen, target] = label
        partial = answers.with_name(f".{answers.name}.relabelled")
        table.to_csv(partial, index=False)
        os.replace(partial, answers)
    return count
