"""What a parity report reads: the new split, the original test set where it can be had, and the leaderboard.

>>> inputs = load_parity_inputs(root.prepared("titanic"), root.raw("titanic").files, recipe, "accuracy", board)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from validation.data_root import TEST, TRAIN, PreparedFolder
from validation.grading import numbers
from validation.leaderboard import Leaderboard
from validation.metrics import METRICS, Metric


@dataclass(frozen=True)
class EvaluationSet:
    """Rows with their truth, in the shape the metric's task takes: labels (classification, ranking, text, and the
    labels of ``multiclass``), numbers (``binary``, ``regression``), or a frame of the target columns
    (``multilabel``, ``multi_target_regression``)."""

    features: pd.DataFrame
    truth: pd.Series | pd.DataFrame


@dataclass(frozen=True)
class ParityInputs:
    metric: str
    train: pd.DataFrame  # the new train set (features + targets)
    targets: list[str]  # the recipe's target columns
    new_test: EvaluationSet
    sample_prediction: object  # the sample submission's constant prediction: a value, or one per prediction column
    prediction_columns: list[str] | None = None  # multi-column tasks: the class columns, or the target columns
    original_test: EvaluationSet | None = None  # with labels, when Kaggle released them
    original_public_test: pd.DataFrame | None = None  # the original test features (no labels needed)
    leaderboard: Leaderboard | None = None  # the competition's real private leaderboard
    original_sample: pd.DataFrame | None = None  # the competition's own sample submission (original test rows)
    id_column: str | None = None

    @property
    def target(self) -> str:
        """The first target: the label of single-target tasks."""
        return self.targets[0]


def load_parity_inputs(
    prepared: PreparedFolder, raw_files: Path, recipe: dict, metric: str, leaderboard: Leaderboard | None = None
) -> ParityInputs:
    """Everything :func:`parity_report` needs, from a prepared split, the raw download's files and the recipe (a
    recipe document: ``target_columns``, ``id_column``, ``test_file``, ``sample_submission_file``,
    ``original_answers_file``)."""
    import duckdb

    from validation.data_files import reader_sql

    spec = METRICS[metric]
    targets = list(recipe["target_columns"])
    id_column = recipe.get("id_column")
    with duckdb.connect() as con:
        read = lambda path: con.sql(f"SELECT * FROM {reader_sql(path)}").df()  # noqa: E731
        train = read(prepared.public_file(TRAIN))
        test = read(prepared.public_file(TEST))
        answers = read(prepared.answers)
        sample = read(prepared.sample_submission)
        test_name = recipe.get("test_file", "test.csv")
        original_public = read(raw_files / test_name) if test_name and (raw_files / test_name).is_file() else None
        original_labelled = (
            read(raw_files / recipe["original_answers_file"]) if recipe.get("original_answers_file") else None
        )
        sample_name = recipe.get("sample_submission_file")
        original_sample = read(raw_files / sample_name) if sample_name and (raw_files / sample_name).is_file() else None
    keys = [id_column] if id_column else [c for c in answers.columns if c in test.columns]
    columns = None
    if spec.one_column_per_class:
        columns = [c for c in answers.columns if c not in keys]
    elif spec.column_wise:
        columns = targets
    if id_column:
        answers = test[[id_column]].merge(answers, on=id_column, how="left")
    truth = _truth(spec, answers, targets, columns)
    features = test.drop(columns=[id_column], errors="ignore")
    first = sample.iloc[0]
    if columns:
        sample_prediction = [float(numbers(pd.Series([first[c]])).iloc[0]) for c in columns]
    elif spec.numeric_predictions:
        sample_prediction = float(numbers(pd.Series([first[targets[0]]])).iloc[0])
    else:
        sample_prediction = str(first[targets[0]])
    original_test = None
    if original_labelled is not None:
        original_test = EvaluationSet(
            original_labelled[[c for c in features.columns if c in original_labelled.columns]],
            _truth(spec, original_labelled, targets, columns),
        )
    return ParityInputs(
        metric=metric,
        train=train.drop(columns=[id_column], errors="ignore"),
        targets=targets,
        new_test=EvaluationSet(features, truth),
        sample_prediction=sample_prediction,
        prediction_columns=columns,
        original_test=original_test,
        original_public_test=original_public,
        leaderboard=leaderboard,
        original_sample=original_sample,
        id_column=id_column,
    )


def _truth(spec: Metric, frame: pd.DataFrame, targets: list[str], columns: list[str] | None):
    """The truth in the shape the metric's task takes (see :class:`EvaluationSet`)."""
    if spec.one_column_per_class:
        if columns and all(c in frame.columns for c in columns):  # one-hot answers: the label is the column with the 1
            return frame[columns].apply(numbers).idxmax(axis=1).reset_index(drop=True)
        return frame[targets[0]].astype(str).reset_index(drop=True)
    if spec.column_wise:
        return frame[targets].apply(numbers).reset_index(drop=True)
    values = frame[targets[0]].reset_index(drop=True)
    return numbers(values) if spec.numeric_predictions else values.astype(str)
