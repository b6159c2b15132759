"""The parity baseline: a simple, deterministic model trained on the new train set only, chosen by the metric's task.

>>> model = fit_baseline(inputs, METRICS["accuracy"])
>>> predictions = predict(model, inputs, METRICS["accuracy"], inputs.new_test.features)

Features: TF-IDF for text, scaled numbers, one-hot categories (judged from the values, :func:`classify_columns`,
which also says why a column is left out: empty, constant, nested values, too many categories, ...; dates are numbers,
seconds since 1970, whether typed or ISO 8601 text, :func:`feature_numbers`; and
:func:`baseline_exclusions` lists every column of the new train set the baseline does not learn from, with the reason).
A ridge regression per target column (regression tasks); a logistic regression's probabilities per target column
(binary, multi-label) or per class (multi-class), its predicted label (classification) or its most probable labels
(ranking), or one label (label sets: the row's label commonest over all rows); the commonest answer (free text). Predictions are clipped into the metric's domain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from validation import run_length
from validation.float_text import to_numeric
from validation.grading import numbers
from validation.metrics import TEXT_TASKS, Metric
from validation.metrics import shares as distribution_shares
from validation.parity_inputs import ParityInputs

TEXT_MIN_MEAN_LENGTH = 30  # a column whose values average more characters than this is text
MAX_CATEGORIES = 50
NUMBER_SHARE = 0.95  # of the values present: this share parses as numbers (or dates), and the column is a number
DATE_SAMPLE = 10_000  # distinct values tried as dates, at most: one look, whatever the column's length
MAX_TEXT_COLUMNS = 2  # TF-IDF on this many text columns at most (the first ones)
MAX_BASELINE_CLASSES = 200  # more distinct labels than this (free text, ids): the baseline predicts the commonest
BASELINE_BY_TASK = {  # what the baseline learns for each task of validation.metrics.TASKS (see fit_baseline)
    "binary": "probability", "multilabel": "probability", "multiclass": "classes", "classification": "label",
    "regression": "regress", "multi_target_regression": "regress", "ranking": "ranking", "label_set": "label",
    "text": "constant", "distribution": "regress", "mask": "mask",
}  # fmt: skip


def feature_kinds(frame: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """(numeric, text, categorical) columns, judged from the values (see :func:`classify_columns`)."""
    return classify_columns(frame)[0]


# (numeric, text, categorical) columns, and {left-out column: why}
Classified = tuple[tuple[list[str], list[str], list[str]], dict[str, str]]


def classify_columns(frame: pd.DataFrame) -> Classified:
    """((numeric, text, categorical) columns, {left-out column: why}), judged from the values: numbers (95% of the
    values present parse as numbers, or as dates: :func:`feature_numbers`; missing ones are imputed), text (longer than
    ``TEXT_MIN_MEAN_LENGTH`` characters on average), categories (at most ``MAX_CATEGORIES`` distinct values); every
    other column is left out, with the reason."""
    numeric, text, categorical, excluded = [], [], [], {}
    for column in frame.columns:
        values = frame[column]
        present = values.dropna()
        if present.empty:
            excluded[column] = "empty: no values"
            continue
        if _typed_numbers(present):  # what the checks below conclude for them, without a Python call per value
            if present.nunique() == 1:
                excluded[column] = f"constant: every value is {str(present.iloc[0])[:40]!r}"
            else:
                numeric.append(column)
            continue
        if present.map(lambda v: isinstance(v, list | dict | np.ndarray)).any():
            excluded[column] = "nested values (lists or mappings), not numbers, text or categories"
            continue
        distinct = present.astype(str).nunique()
        if distinct == 1:
            excluded[column] = f"constant: every value is {str(present.iloc[0])[:40]!r}"
            continue
        not_numbers = to_numeric(present, errors="coerce").isna()
        numbers_share = 1 - not_numbers.mean()  # of the values present: missing ones are imputed
        numbers = numbers_share >= NUMBER_SHARE and present.astype(str).str.lower().isin(["true", "false"]).mean() < 0.5
        if numbers or _date_text(present):  # CSV's dates are numbers (time), as JSON's and Parquet's typed ones are
            numeric.append(column)
        elif values.astype(str).str.len().mean() > TEXT_MIN_MEAN_LENGTH:
            text.append(column)
        elif values.nunique() <= MAX_CATEGORIES:
            categorical.append(column)
        elif numbers_share >= 0.5:
            example = present[not_numbers].astype(str).iloc[0]
            excluded[column] = (f"unparseable as numbers: {numbers_share:.0%} of values are numbers, the rest are not "
                                f"(e.g. {example[:40]!r}), and its {distinct:,} distinct values are too many categories")  # fmt: skip
        else:
            excluded[column] = (f"too many categories: {distinct:,} distinct short values (at most {MAX_CATEGORIES} "
                                f"are one-hot encoded; text needs over {TEXT_MIN_MEAN_LENGTH} characters on average)")  # fmt: skip
    return (numeric, text, categorical), excluded


def _typed_numbers(present: pd.Series) -> bool:
    """A column pandas typed as numbers (not booleans): every value present is a number, none is true/false text,
    nested or text, so :func:`classify_columns` would find it numeric (or constant). A wide table's thousands of
    such columns took a Python call per value each (12.6 s for 2,000 columns of 5,000 rows, in every parity run
    several times)."""
    return pd.api.types.is_numeric_dtype(present) and not pd.api.types.is_bool_dtype(present)


def feature_numbers(values: pd.Series) -> pd.Series:
    """A number column's values as numbers, NaN where missing: numbers as they are; dates, typed (JSON, Parquet) or
    ISO 8601 text (CSV), as seconds since 1970, so that a date column is the same feature in every data format.

    >>> feature_numbers(pd.Series(["2021-01-01 01:00:00", None]))   # 1609462800.0, NaN
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return _seconds(values)
    numbers = to_numeric(values, errors="coerce")
    present = values.dropna()
    if numbers.notna().sum() >= NUMBER_SHARE * len(present) or not _date_text(present):
        return numbers
    return _seconds(_iso_dates(values))


def _date_text(present: pd.Series) -> bool:
    """Whether the values present are ISO 8601 dates written as text (as a CSV file holds them): 95% of the rows
    parse. Each distinct value is tried once, weighted by its rows; past ``DATE_SAMPLE`` distinct values, the
    ``DATE_SAMPLE`` whose hashes are lowest. Neither the rows' order nor a block of them decides (the first 1,000 rows
    did: 1,000 dates before 24,000 codes made the codes missing dates). Numbers are not asked (``2021`` would parse):
    :func:`classify_columns` takes them first."""
    if present.empty or pd.api.types.is_numeric_dtype(present):
        return False
    try:
        counts = present.value_counts(sort=False)
    except TypeError:  # lists or objects (nested JSON): not dates
        return False
    distinct = counts.index.to_series()
    if len(counts) > DATE_SAMPLE:
        chosen = np.argpartition(pd.util.hash_pandas_object(distinct, index=False).to_numpy(), DATE_SAMPLE)
        counts, distinct = counts.iloc[chosen[:DATE_SAMPLE]], distinct.iloc[chosen[:DATE_SAMPLE]]
    dates = _iso_dates(distinct).notna().to_numpy()
    return bool(counts.to_numpy()[dates].sum() >= NUMBER_SHARE * counts.sum())


UTC_OFFSET = re.compile(r"\d(?::?\d{2}){1,2}(?:\.\d+)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)  # after a time


def _iso_dates(values: pd.Series) -> pd.Series:
    """ISO 8601 text as UTC instants, NaT where it is not one: a time without an offset is UTC, one with an offset its
    instant (as ``splits.time_column`` orders them). The two kinds are parsed apart: pandas 2.3 parsing them together
    gives a time without an offset the offset of one before it, so the same value read differently by row order."""
    text = values.astype(str).str.strip()
    with_offset = text.str.contains(UTC_OFFSET)
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    for part in (with_offset, ~with_offset):
        if part.any():
            parsed[part] = pd.to_datetime(text[part], errors="coerce", format="ISO8601", utc=True)
    return parsed


def _seconds(dates: pd.Series) -> pd.Series:
    """Dates as seconds since 1970, NaN where missing (``pd.to_numeric`` would make a missing date -2**63)."""
    if dates.dt.tz is None:
        dates = dates.dt.tz_localize("UTC")
    return (dates - pd.Timestamp(0, tz="UTC")).dt.total_seconds()


def unused_text(columns: tuple[list[str], list[str], list[str]]) -> dict[str, str]:
    """Text columns beyond the first ``MAX_TEXT_COLUMNS``, which :func:`feature_design` leaves out, with the reason."""
    kept = ", ".join(columns[1][:MAX_TEXT_COLUMNS])
    return {c: f"text column beyond the first {MAX_TEXT_COLUMNS} ({kept}): TF-IDF covers {MAX_TEXT_COLUMNS} at most"
            for c in columns[1][MAX_TEXT_COLUMNS:]}  # fmt: skip


def _words_or_characters():
    """TF-IDF of a text column's words, or of its characters (runs of one to three) where it has no word of two
    letters or digits: stanford-covid-vaccine's ``structure`` (``((..))``) left scikit-learn's word vocabulary empty,
    and parity failed with "empty vocabulary" naming nothing (sweep 183)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    class WordsOrCharacters(TfidfVectorizer):
        def fit_transform(self, raw_documents, y=None):
            try:
                return super().fit_transform(raw_documents, y)
            except ValueError as error:
                if "empty vocabulary" not in str(error) or self.analyzer == "char":
                    raise
                self.set_params(analyzer="char", ngram_range=(1, 3))
                return super().fit_transform(raw_documents, y)

        def fit(self, raw_documents, y=None):
            self.fit_transform(raw_documents, y)
            return self

    return WordsOrCharacters(max_features=20000, sublinear_tf=True)


def feature_design(columns: tuple[list[str], list[str], list[str]]):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric, text, categorical = columns
    parts = []
    if numeric:
        parts.append(("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric))
    for column in text[:MAX_TEXT_COLUMNS]:
        parts.append((f"text_{column}", _words_or_characters(), column))
    if categorical:
        parts.append(("categories", OneHotEncoder(handle_unknown="ignore"), categorical))
    return ColumnTransformer(parts) if parts else None


def prepare_features(frame: pd.DataFrame, columns) -> pd.DataFrame:
    numeric, text, categorical = columns
    data = {c: feature_numbers(frame[c]) for c in numeric}
    data |= {c: frame[c].fillna("").astype(str) for c in [*text, *categorical]}
    return pd.DataFrame(data, index=frame.index)


@dataclass
class Baseline:
    """A simple model per prediction column, chosen by the metric's task (see :func:`fit_baseline`)."""

    columns: tuple  # the feature columns: (numeric, text, categorical)
    models: dict[str, object]  # prediction column -> fitted pipeline, or None where the column predicts a constant
    constants: dict[str, object]  # prediction column -> what it predicts without a model


def fit_baseline(inputs: ParityInputs, metric: Metric, classified: Classified | None = None) -> Baseline | None:
    """The baseline for the metric's task, trained on the new train set only; None when there are no usable
    features (it then predicts what the sample submission does).

    - ``regression``: a ridge regression; ``multi_target_regression``: one ridge regression per target column;
    - ``distribution``: one ridge regression per class column on each row's shares (counts over the row's sum), the
      predictions clipped into 0..1 and each row rescaled to sum to 1;
    - ``binary``: a logistic regression's probability of the positive class; ``multilabel``: one per target column;
    - ``multiclass``: a logistic regression's class probabilities, in the submission's class columns;
    - ``classification``: a logistic regression's predicted label;
    - ``ranking``: a logistic regression on each row's first label, listing its most probable labels, best first;
    - ``label_set``: a logistic regression on each row's label commonest over all rows, predicting one label;
    - ``text``: the most common training answer (free text has no classes to learn).

    A target with a single class (or more than ``MAX_BASELINE_CLASSES``) gets a constant: its share of positives, its
    class frequencies, or its commonest label(s). Predictions are clipped into the metric's domain.
    ``classified``: :func:`baseline_columns`, when the caller has it already.
    """
    features = inputs.train.drop(columns=inputs.targets, errors="ignore")
    columns = (classified or baseline_columns(inputs))[0]
    if feature_design(columns) is None:
        return None
    X = prepare_features(features, columns)
    kind = BASELINE_BY_TASK[metric.task]
    fitted = {}
    shares = distribution_shares(inputs.train[inputs.targets].apply(numbers)) if metric.distribution else None
    for target in inputs.targets if metric.column_wise else [inputs.target]:
        values = inputs.train[target] if shares is None else shares[target]
        if metric.one_column_per_class and len(inputs.targets) > 1:  # one-hot class columns: the class with the 1
            values = inputs.train[inputs.targets].apply(numbers).idxmax(axis=1)
        if metric.task in TEXT_TASKS:  # an empty CSV field is NULL to DuckDB: no words, no labels, no pixel
            values = values.fillna("")
        if metric.task in ("ranking", "label_set"):
            values = _one_label_a_row(values, by_frequency=metric.task == "label_set")
        fitted[target] = _fit_column(kind, values, X, columns, metric)
    return Baseline(columns, {c: m for c, (m, _) in fitted.items()}, {c: k for c, (_, k) in fitted.items()})


def _one_label_a_row(values: pd.Series, by_frequency: bool) -> pd.Series:
    """The one label a row's baseline learns: a ranking's first (best); a set's commonest over all rows (rows of
    ``rNN zz`` learn ``zz``, which most rows hold, not their own ``rNN``). A blank row learns the label ""."""
    listed = values.fillna("").astype(str).str.split()
    if not by_frequency:
        return listed.str[0].fillna("")
    counts = listed.explode().value_counts()
    return listed.map(lambda labels: max(labels, key=lambda label: (counts[label], label)) if labels else "")


def _usable(inputs: ParityInputs) -> list[str]:
    """The new train set's columns the baseline may learn from: the features the new public test set also has."""
    test_columns = set(inputs.new_test.features.columns)
    return [c for c in inputs.train.columns if c in test_columns and c not in inputs.targets]


def baseline_columns(inputs: ParityInputs) -> Classified:
    """The new train set's usable columns (:func:`_usable`), classified (:func:`classify_columns`): what the baseline
    learns from, and what it leaves out."""
    return classify_columns(inputs.train[_usable(inputs)])


def baseline_exclusions(inputs: ParityInputs, classified: Classified | None = None) -> dict[str, str]:
    """Every column of the new train set the baseline does not learn from, with the reason (``classified``:
    :func:`baseline_columns`, when the caller has it already)."""
    excluded = {}
    if inputs.id_column:
        excluded[inputs.id_column] = "id column: identifies rows, predicts nothing"
    test_columns = set(inputs.new_test.features.columns)
    for column in inputs.train.columns:
        if column in inputs.targets:
            excluded[column] = "a target: what the baseline predicts"
        elif column not in test_columns:
            excluded[column] = "not in the new public test set: cannot be predicted from"
    columns, unusable = classified or baseline_columns(inputs)
    return excluded | unusable | unused_text(columns)


MASK_LEVELS = 8  # coverage levels a constant mask is chosen among
MASK_SCORING_ROWS = 2_000  # training masks it is scored on, at most (evenly spaced)


def _constant_mask(values: pd.Series, metric: Metric) -> str:
    """The constant mask scoring best on the training masks among the empty one and the pixels covered by at least
    k of them, for a few k (a mean mask at k = half): segmentation's baseline where no model reads the images. Up to
    ``MASK_SCORING_ROWS`` training masks, evenly spaced, make and score it (ten thousand of carvana's took 28 s and
    1.2 GB); one that is no run-length encoding is passed over (no training row is graded)."""
    chosen = values.iloc[np.linspace(0, len(values) - 1, min(len(values), MASK_SCORING_ROWS)).astype(int)]
    readable, masks = [], []
    for text in chosen:
        try:
            masks.append(run_length.runs(text))
        except ValueError:
            continue
        readable.append(text)
    if not readable:
        return ""
    boundaries = run_length.coverage(masks)
    covering = sorted({max(1, round(len(masks) * q)) for q in np.linspace(0.05, 0.6, MASK_LEVELS)})
    candidates = ["", *dict.fromkeys(run_length.text(run_length.covered_by(boundaries, k)) for k in covering)]
    scored = pd.Series(readable)
    scores = [metric.exact_score(scored, pd.Series(candidate, index=scored.index)) for candidate in candidates]
    sign = 1 if metric.higher_is_better else -1
    return candidates[int(np.nanargmax(sign * np.array(scores)))] if np.isfinite(scores).any() else ""


def _fit_column(kind: str, values: pd.Series, X: pd.DataFrame, columns, metric: Metric) -> tuple[object, object]:
    """(a fitted pipeline or None, the constant to predict without one) for one prediction column, fitted as the
    metric asks (``Metric.baseline_fit``)."""
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline

    if kind == "regress":
        y = numbers(values)
        weights = {}
        if metric.baseline_fit == "relative":  # squared percentage errors: a row's error counts over its answer²
            answers = np.abs(y.to_numpy(dtype=float))
            given = answers != 0
            if given.any():  # (smallest answer / answer)², at most 1: 1/answer² overflows for answers below 1e-154
                share = np.zeros_like(answers)
                share[given] = (answers[given].min() / answers[given]) ** 2
                weights = {"ridge__sample_weight": share / share.mean()}
        return make_pipeline(feature_design(columns), Ridge(alpha=1.0)).fit(X, y, **weights), None
    if kind == "mask":
        return None, _constant_mask(values, metric)
    numeric = metric.numeric_predictions
    y = numbers(values) if kind == "probability" or (kind == "label" and numeric) else values.astype(str)
    frequencies = y.value_counts(normalize=True)
    if kind == "probability":  # the share of positives
        constant = float(y.mean())
    elif kind == "classes":
        constant = frequencies.to_dict()
    elif kind == "ranking":  # the commonest labels, best first
        constant = " ".join(map(str, frequencies.index[: metric.depth]))
    else:
        constant = frequencies.index[0]
    if kind == "constant" or not 2 <= len(frequencies) <= MAX_BASELINE_CLASSES:
        return None, constant
    weighing = "balanced" if metric.baseline_fit == "balanced" else None
    classifier = LogisticRegression(max_iter=2000, C=1.0, class_weight=weighing)
    return make_pipeline(feature_design(columns), classifier).fit(X, y), constant


def predict(model: Baseline | None, inputs: ParityInputs, metric: Metric, features: pd.DataFrame):
    if model is None:
        return constant_prediction(inputs, len(features))
    X = prepare_features(features, model.columns)
    predicted = {c: _predict_column(metric, model.models[c], model.constants[c], X) for c in model.models}
    if metric.column_wise:
        return metric.clip(pd.DataFrame({c: predicted[c] for c in inputs.targets}))
    result = predicted[inputs.target]
    if metric.one_column_per_class:
        return metric.clip(result.reindex(columns=inputs.prediction_columns, fill_value=0.0))
    return metric.clip(result)


def _predict_column(metric: Metric, pipeline, constant, X: pd.DataFrame):
    """One prediction column (a frame of class probabilities for ``multiclass``) for the rows of ``X``."""
    rows = len(X)
    if pipeline is None:
        if metric.one_column_per_class:
            return pd.DataFrame([constant] * rows, columns=[str(c) for c in constant])
        return pd.Series([constant] * rows)
    step = pipeline.steps[-1][1]
    if not hasattr(step, "classes_"):  # a regression
        return pd.Series(pipeline.predict(X))
    classes = [str(c) for c in step.classes_]
    if metric.one_column_per_class:
        return pd.DataFrame(pipeline.predict_proba(X), columns=classes)
    if metric.predicts_probabilities:  # probability of the positive (largest) class
        return pd.Series(pipeline.predict_proba(X)[:, int(np.argmax(step.classes_))])
    if metric.task == "ranking":  # the most probable labels, best first
        order = np.argsort(-pipeline.predict_proba(X), axis=1, kind="stable")[:, : metric.depth]
        return pd.Series([" ".join(classes[i] for i in row) for row in order])
    return pd.Series(pipeline.predict(X))


def constant_prediction(inputs: ParityInputs, rows: int):
    """The sample submission's constant prediction, once per row."""
    if inputs.prediction_columns:
        return pd.DataFrame([inputs.sample_prediction] * rows, columns=inputs.prediction_columns)
    return pd.Series([inputs.sample_prediction] * rows)
