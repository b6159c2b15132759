"""The new test set's answers checked before a split is published: every answer row must be one a grader can grade.

>>> check_gradable_answers(answers, AnswerFacts("m-dupids", "id", ("target",), "accuracy", "train.csv"), rows_of)
>>> check_graded(staging, "m-dupids", "accuracy")   # the built sample valid, the answers a perfect submission

A split takes the test set from the download's rows; what those rows hold becomes the answers. Three things in them
make every submission invalid, so the split is refused (naming the competition, the column, a few ids and their rows
in the file the answers come from), never published:

- an id on more than one row: the unit of a split is the id, so a repeated id goes to the test set whole, and a
  submission, which names each id once, cannot match it;
- a row without a target value (the grader refuses an empty prediction, so the answers cannot hold one either);
- a target value outside the metric's domain: not a number for a numeric metric (``28,370.0``), a negative value for
  RMSLE, ... (the same checks, ``validation.metrics.Domain``, and the same number parser, ``validation.grading.numbers``,
  the grader uses on a submission).

The answers are a tenth of the rows, read once (as text, as the grader reads them): no extra pass over the train
file, but one on failure, to name the rows (``rows_of``). Once the sample submission is built and the answers are in
its format, :func:`check_graded` grades both with mlecurate's grader, as MLE-bench will: a split whose sample is not
a valid submission, or whose answers are not a perfect one, is refused too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from validation.data_root import PreparedFolder, rerun
from validation.grading import (
    GradingReport,
    empty_cells,
    grade_submission,
    key_columns,
    numbers,
    score_frame,
)
from validation.messages import MAX_SHOWN_ITEMS, shown, shown_list
from validation.metrics import METRICS, TEXT_TASKS, Metric
from validation.parity_inputs import label_sample_message
from validation.run_length import first_bad_mask
from validation.scored_rows import read_scored
from validation.split_recipe import RecipeError, answer_targets

CHECK_RECIPE_KEYS = ". Check split recipe keys 'target_columns' and 'metric'"  # a split's remedy, not a grade's
# ids -> their rows (1-based, the header not counted) in the file the answers come from: the ids shown in a message
RowsOf = Callable[[list[str]], dict[str, list[int]]]


class UngradableAnswers(RecipeError):
    """The new test set's answers cannot be graded; the message names the competition, the column, a few ids and
    rows of the file they come from, and what to do."""


@dataclass(frozen=True)
class AnswerFacts:
    slug: str
    id_column: str | None
    target_columns: tuple[str, ...]
    metric: str | None  # the metric grading uses (None: no metric known, so no domain to check)
    source: str  # the download's file the answers come from (the train file, or the released answers file)


def check_gradable_answers(answers: pd.DataFrame, facts: AnswerFacts, rows_of: RowsOf) -> None:
    """Raise :class:`UngradableAnswers` for the first problem found in ``answers`` (the id and target columns, every
    value text, as ``answers.csv`` reads with ``dtype=str, keep_default_na=False``)."""
    for problem in (_repeated_ids, _missing_targets, _outside_domain):
        message = problem(answers, facts, rows_of)
        if message:
            raise UngradableAnswers(f"{facts.slug}: {message}")


def check_answers_for(folder: PreparedFolder, slug: str, metric: str) -> None:
    """A published split's answers checked as :func:`check_gradable_answers` checks a new split's, for ``metric``:
    for grading by a metric other than the one the split was checked for (``mlecurate grade --metric``, or Meta
    Kaggle's once known), whose answers may be none it can grade (fractions under AUC, which would count only the 1s
    as positive). Raises :class:`UngradableAnswers` naming the answers file, the column, a few ids and their rows."""
    path = folder.existing_answers()
    source = f"{path.parent.name}/{path.name}"
    try:
        answers = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, UnicodeDecodeError) as error:  # pandas' ParserError and EmptyDataError are ValueErrors
        raise UngradableAnswers(
            f"{slug}: {path}: cannot be read as CSV ({error}); {rerun('competition_split', slug)}"
        ) from error
    keys = key_columns(folder, answers)
    id_column = keys[0] if len(keys) == 1 else None
    targets = tuple(c for c in answers.columns if c not in keys)  # a per-class metric's answers: a column a class
    spec = METRICS[metric]
    if len(targets) > 1 and not (spec.column_wise or spec.one_column_per_class or spec.distribution):
        raise UngradableAnswers(
            f"{slug}: metric {metric} scores one target column, but {source} holds {len(targets)} "
            f"({shown_list(list(targets))}): a submission would be graded on {targets[0]!r} alone"
        )
    facts = AnswerFacts(slug, id_column, targets, metric, source)

    def rows_of(ids: list[str]) -> dict[str, list[int]]:
        if id_column is None:
            return {}
        where = answers[id_column]
        return {value: (np.flatnonzero(where.to_numpy() == value) + 1).tolist() for value in ids}

    check_gradable_answers(answers, facts, rows_of)


def _repeated_ids(answers: pd.DataFrame, facts: AnswerFacts, rows_of: RowsOf) -> str | None:
    if not facts.id_column:  # rows are matched by content: identical rows are matched in turn
        return None
    ids = answers[facts.id_column]
    repeated = ids[ids.duplicated()].unique().tolist()
    if not repeated:
        return None
    return (
        f"split recipe key 'id_column' names {facts.id_column!r}, but {len(repeated):,} of its values are on more "
        f"than one row of {facts.source} and went to the new test set together (a split keeps the rows of an id on "
        f"one side), so its answers hold them more than once and no submission can be graded (a submission names "
        f"each id once): {_ids_and_rows(repeated, facts, rows_of)}. Name a column whose value is unique to each row in "
        "'id_column' (or none: rows are then matched by their content)"
    )


def _missing_targets(answers: pd.DataFrame, facts: AnswerFacts, rows_of: RowsOf) -> str | None:
    spec = METRICS.get(facts.metric or "")
    if spec is not None and spec.task in TEXT_TASKS:  # free text and ranked labels may be empty, as in a submission
        return None
    for column in facts.target_columns:
        if spec is None:  # no metric to say: a number when every value present reads as one, else a label
            present = answers[column][~empty_cells(answers[column])]
            labels = numbers(present, errors="coerce").isna().any()
        else:
            labels = not (spec.numeric_predictions and not spec.one_column_per_class)
        what = "empty" if labels else "empty (or NaN)"  # a class may be named None, NA or N/A
        empty = empty_cells(answers[column], labels=labels).to_numpy()
        if empty.any():
            return (
                f"column {column!r} of {facts.source} is {what} on {int(empty.sum()):,} of the "
                f"{len(answers):,} rows the new test set took, e.g. {_examples(answers, empty, facts, rows_of)}: the "
                "download's training file has rows without a label, and the split cannot grade them (a submission "
                "is scored against every answer). Check that split recipe key 'target_columns' names the label; if "
                "it does, this download cannot be split as it is (recipes have no row filter): leave the competition "
                "out of the benchmark"
                + (
                    "; or, where an empty value is an answer (an empty mask, no word), name a metric of text or "
                    "ranked labels in split recipe key 'metric' (the split has none), under which it is one"
                    if spec is None
                    else ""
                )
            )
    return None


def _outside_domain(answers: pd.DataFrame, facts: AnswerFacts, rows_of: RowsOf) -> str | None:
    spec = METRICS.get(facts.metric or "")
    if spec is not None and spec.task == "mask":
        return _not_masks(answers, facts, rows_of, spec)
    if spec is None or not spec.numeric_predictions or spec.one_column_per_class:
        return None  # labels (one-hot encoded later for a per-class metric) take any value
    domain = spec.prediction_domain
    counts = np.zeros(len(answers))  # a distribution's row sums
    for column in facts.target_columns:
        values = answers[column]
        parsed = numbers(values, errors="coerce").astype(float)
        bad = ~np.isfinite(parsed.to_numpy())
        what = "value(s) that are not numbers"
        needs = f"{domain.requirement}, in the answers as in a submission"
        if spec.distribution:  # counts (or shares) per class, graded as shares of their row's sum
            needs = "a count or share of each class in the answers, none negative"
            if not bad.any():
                bad, what = parsed.to_numpy() < 0, "negative value(s)"
                counts += parsed.to_numpy()
        elif not bad.any():
            bad, what = domain.outside(parsed.to_numpy()), domain.violation
        if not bad.any() and spec.binary_truth:  # a label 0.3 is in 0..1, but no label: sklearn's AUC refuses it
            bad, what = spec.not_a_binary_label(parsed.to_numpy()), "value(s) that are not 0 or 1"
            needs = "answers that are labels 0 or 1 (the predictions are probabilities of the 1)"
        if bad.any():
            first = np.flatnonzero(bad)[:1]
            at = _examples(answers, np.isin(np.arange(len(bad)), first), facts, rows_of)
            return (
                f"column {column!r} of {facts.source} holds {int(bad.sum()):,} {what} on the {len(answers):,} rows "
                f"the new test set took, e.g. {shown(values.iloc[first[0]])!r} at {at}; {spec.name} needs {needs}"
                + CHECK_RECIPE_KEYS
            )
    if spec.distribution and (empty := counts <= 0).any():
        return (
            f"{int(empty.sum()):,} of the {len(answers):,} rows the new test set took from {facts.source} have "
            f"no count in any of the target columns {shown_list(facts.target_columns)} (they sum to 0), e.g. "
            f"{_examples(answers, empty, facts, rows_of)}; {spec.name} grades each row's counts as shares of "
            "their sum, which such a row has none of. Check that split recipe key 'target_columns' names every "
            "class's column; if it does, the download's training file has rows without a count, which the split "
            "cannot grade (recipes have no row filter): another 'seed' may leave them in the new train set, or "
            "leave the competition out of the benchmark"
        )
    return None


def _examples(answers: pd.DataFrame, rows: np.ndarray, facts: AnswerFacts, rows_of: RowsOf) -> str:
    """The first few rows of ``answers`` marked in ``rows``, by id and row of the source file (no id column: their
    position among the answers only)."""
    positions = np.flatnonzero(rows)[:MAX_SHOWN_ITEMS]
    if not facts.id_column:  # rows matched by their public columns, which the answers repeat: show those
        keys = [column for column in answers.columns if column not in facts.target_columns][:2]
        if not keys:
            return "answer row(s) " + ", ".join(str(p + 1) for p in positions)
        more = int(rows.sum()) - len(positions)
        return (
            "the rows of "
            + "; ".join(", ".join(f"{key} {shown(answers[key].iloc[at])!r}" for key in keys) for at in positions)
            + (f"; and {more:,} more" if more > 0 else "")
        )
    return _ids_and_rows(answers[facts.id_column].iloc[positions].tolist(), facts, rows_of)


def _ids_and_rows(ids: list[str], facts: AnswerFacts, rows_of: RowsOf) -> str:
    """``id '0' (rows 1, 2), '7' (row 8) of train.csv (rows counted from 1 under its header)``: the first few
    ``ids`` and their rows in the source file."""
    shown_ids = ids[:MAX_SHOWN_ITEMS]
    found = rows_of(shown_ids)
    parts = []
    for value in shown_ids:
        rows = found.get(value)
        where = f" ({'row' if len(rows) == 1 else 'rows'} {', '.join(map(str, rows))})" if rows else ""
        parts.append(f"{shown(value)!r}{where}")
    more = f", and {len(ids) - len(shown_ids):,} more" if len(ids) > len(shown_ids) else ""
    source = f" of {facts.source} (rows counted from 1 under its header)" if found else ""
    return f"{facts.id_column} {', '.join(parts)}{more}{source}"


PERFECT_TOLERANCE = 1e-9  # as ``curation.benchmark_export.verify_export`` compares the answers' score


def _constant_answers(folder: PreparedFolder, slug: str, spec: Metric, targets: list[str], kind: str) -> str | None:
    """Why the new test set cannot be graded, when the cause is a target whose answers are all one value that the
    metric cannot grade against itself (one class under Matthews correlation scores 0, a constant under Pearson and
    every answer 0 under RMSPE score nan); None otherwise, so that another cause keeps its own message (a constant
    target that the metric grades, as log loss or accuracy do, is no cause)."""
    if spec.one_column_per_class or spec.distribution:  # a class no row has a count of is no problem
        return None
    answers = pd.read_csv(folder.answers, dtype=str, keep_default_na=False, usecols=lambda c: c in targets)
    size_key = _size_key(folder.read_manifest()["recipe"])
    scored = read_scored(folder)
    if scored is not None:  # what grading scores (split recipe key scored_rows)
        answers = answers[scored]
    rows = "scored rows" if scored is not None else "answers"
    if spec.column_wise and not spec.scored_by_column:  # lwlrap ranks a row's columns: a class no row has is fine
        whole = answers.apply(lambda column: numbers(column.str.strip()))
        try:
            score = spec.score(whole, whole)
        except ValueError:
            score = float("nan")
        if np.isfinite(score):
            return None
        return (f"{slug}: the new test set's {len(answers):,} {rows} hold no true label in any of "
                f"{', '.join(answers.columns)}, and {spec.name} cannot grade answers without one. "
                f"{_varied_by(kind, scored is not None, size_key)}")  # fmt: skip
    for column in answers.columns:
        values = answers[column].str.strip()
        typed = numbers(values) if spec.numeric_predictions else values
        if not len(values) or typed.nunique(dropna=False) != 1:
            continue
        alone = typed.to_frame() if spec.column_wise else typed
        try:
            score = spec.score(alone, alone)
        except ValueError:
            score = float("nan")
        if np.isfinite(score) and (spec.perfect is None or abs(score - spec.perfect) <= PERFECT_TOLERANCE):
            continue
        best = f", not {spec.perfect:g}" if spec.perfect is not None else ""
        return (f"{slug}: every one of the new test set's {len(values):,} {rows} in column {column} is "
                f"{values.iloc[0]!r}, and {spec.name} cannot grade answers that never vary (graded against "
                f"themselves they score {score:g}{best}). {_varied_by(kind, scored is not None, size_key)}; if the train file "
                "holds one value there too, leave the column out of 'target_columns'")  # fmt: skip
    return None


def _size_key(recipe: dict) -> str:
    """The recipe key that sizes the new test set, as advice names it: ``test_rows`` where the recipe gives it."""
    return "test_rows" if recipe.get("test_rows") else "test_fraction"


def _varied_by(kind: str, scored: bool = False, size_key: str = "test_fraction") -> str:
    """What gives a new test set more than one value, by the recipe's ``kind`` (and its ``scored_rows``); ``size_key``
    the key that sizes it (:func:`_size_key`)."""
    if scored:
        return "Check split recipe key 'scored_rows': the rows it scores hold one value there"
    if kind in ("random", "stratified"):  # the seed draws the rows: a column of a few rare values misses them by chance
        return ("Set split recipe key 'seed' to another value (it draws the test rows; another draw may hold the "
                f"column's other values), or raise '{size_key}'")  # fmt: skip
    if kind == "released_labels":
        return "Kaggle's released answers hold one value there: split Kaggle's training set instead (another 'kind')"
    return (f"Raise split recipe key '{size_key}', or choose a 'kind' whose new test set holds more than one value "
            "(random or stratified rather than temporal or group)")  # fmt: skip


def _sample_advice(folder: PreparedFolder, recipe: dict) -> str:
    """What to check when the download's sample submission does not fit the new test set. Without an id column a
    submission's rows are matched by the public test columns, so a Kaggle sample keyed by a column the train file
    lacks (text-normalization's ``id``, built from two columns) can never fit: say so."""
    source = recipe.get("sample_submission_file")
    answers = list(pd.read_csv(folder.answers, nrows=0).columns)
    sample = list(pd.read_csv(folder.sample_submission, nrows=0).columns)
    extra = [c for c in sample if c not in answers]
    unpredicted = [c for c in answer_targets(recipe) if c not in sample]
    renamed = recipe.get("submission_columns")  # the advice maps the sample's columns to targets of the same name
    if source and unpredicted and not extra and not renamed and len(unpredicted) < len(answer_targets(recipe)):
        predicted = [c for c in answer_targets(recipe) if c in sample]
        mapping = ", ".join(f"{c}: {c}" for c in sample)
        return (  # playground-series-s3e18: six targets in the train file, two graded (a sweep)
            f"{source} predicts {shown_list(predicted)} and not {shown_list(unpredicted)}: where Kaggle grades those "
            f"alone, name the submission's columns in split recipe key 'submission_columns' ({{{mapping}}}), or "
            "leave the others out of 'target_columns'"
        )
    id_column = (recipe.get("id_column") or "").casefold()
    if source and len(extra) == len(unpredicted) == 1 and not renamed and extra[0].casefold() != id_column:
        named = {extra[0]: unpredicted[0]}  # one column for one target (not a key spelt otherwise: review 180)
        mapping = ", ".join(f"{c}: {named.get(c, c)}" for c in sample)
        return (  # jigsaw-unintended-bias: the sample's `prediction` for the train file's `target` (sweep 179)
            f"{source} names its prediction column(s) {shown_list(extra)} where the train file has "
            f"{shown_list(unpredicted)}: name the submission's columns in split recipe key 'submission_columns' "
            f"({{{mapping}}})"
        )
    if source and not recipe.get("id_column") and extra:
        keys = [c for c in answers if c not in answer_targets(recipe)]
        return (
            f"Without split recipe key 'id_column', a submission's rows are matched by the public test columns "
            f"({shown_list(keys)}), and {source} has column(s) {shown_list(extra)} that the new test set does not: "
            "name the id column in 'id_column' if the train file has it, map the sample's key to the test columns "
            "it is built from in 'submission_columns' (such as {id: \"{sentence_id}_{token_id}\"}), or leave out "
            "'sample_submission_file' (the sample is then built from the new test rows)"
        )
    return "Check split recipe keys 'sample_submission_file', 'target_columns' and 'metric'"


def _not_masks(answers: pd.DataFrame, facts: AnswerFacts, rows_of: RowsOf, spec: Metric) -> str | None:
    """Why answers of a mask metric cannot be graded: a value that is no run-length encoded mask, named with its
    column, row and reason; None when every one is a mask (an empty one too)."""
    for column in facts.target_columns:
        if bad := first_bad_mask(answers[column]):
            count, first, why = bad
            at = _examples(answers, np.arange(len(answers)) == first, facts, rows_of)
            return (
                f"column {column!r} of {facts.source} holds {count:,} value(s) that are no run-length encoded mask on "
                f"the {len(answers):,} rows the new test set took, e.g. {shown(answers[column].iloc[first])!r} at "
                f"{at}: {why}; {spec.name} needs {spec.prediction_domain.requirement}" + CHECK_RECIPE_KEYS
            )
    return None


LABEL_SET_METRIC = "mean_f1"  # Kaggle's F-Score (Micro) of label sets: F1 a row, averaged over the rows


def _label_sets_under_one_label_metric(folder: PreparedFolder, slug: str, metric: str, recipe: dict) -> str | None:
    """Why answers that look like sets of labels cannot be graded under ``f1_micro`` taken from Meta Kaggle's
    "F-Score (Micro)": it is one label a row, each set compared whole, where plant-pathology-2021, facebook-recruiting-iii
    and instacart hold space-separated labels (a perfect submission listing them in another order scored 0.2), and
    Kaggle's metric is each row's F1 averaged (``mean_f1``), which is f1_micro's accuracy only where a row has one label. A set is a row of
    several words each of which is a whole label on another row. None when the recipe names its metric (the
    curator's choice) or no row is such a set."""
    if metric != "f1_micro" or recipe.get("metric"):
        return None
    column = answer_targets(recipe)[0]
    labels = pd.read_csv(folder.answers, dtype=str, keep_default_na=False, usecols=[column])[column].str.strip()
    why = _looks_like_sets(set(labels))
    if why is None:
        return None
    return (
        f"{slug}: the new answers in column {column} look like sets of labels ({why}), and the metric, Meta Kaggle's "
        "F-Score (Micro), is f1_micro here: one label a row, a set right only when written whole and in the same "
        f"order. Name the metric in split recipe key 'metric': {LABEL_SET_METRIC} (each row's F1 of its labels in any "
        "order, averaged over the rows: Kaggle's F-Score (Micro), 'mean F-score across the rows'), f1_micro_labels "
        "(micro F1 over every row's labels, as MLE-bench grades plant-pathology-2021 and facebook-recruiting-iii; "
        "metric_is_kaggles warns it is not the board's metric), or f1_micro to grade each row's text as one label"
    )


SETS_SEEN = 20  # distinct labels of several words, at least, for their words' count to say they are sets


def _looks_like_sets(labels: set[str]) -> str | None:
    """What makes these distinct labels look like space-separated sets, or None: a label whose words are each a
    whole label too (plant-pathology-2021's ``scab frog_eye_leaf_spot`` beside ``scab``), two labels of the same
    words in another order, or many labels of several words drawn from few words (facebook's tags)."""
    several = {label: label.split() for label in sorted(labels) if len(label.split()) > 1}  # sorted: one message
    for label, words in several.items():
        if all(word in labels for word in words):
            return f"{label!r}, whose words are each a whole label on other rows"
    orders: dict[frozenset, str] = {}
    for label, words in several.items():
        other = orders.setdefault(frozenset(words), label)
        if other != label and sorted(other.split()) == sorted(words):
            return f"{other!r} and {label!r}, the same words in another order"
    vocabulary = {word for words in several.values() for word in words}
    if len(several) >= SETS_SEEN and len(vocabulary) * 2 <= len(several):
        return f"{len(several):,} labels of several words drawn from {len(vocabulary):,} words"
    return None


def _built_name(folder: PreparedFolder, recipe: dict) -> str:
    """The built sample as a curator knows it: its name, and the download's file it came from (not the staging
    folder's path)."""
    source = recipe.get("sample_submission_file")
    return folder.sample_submission.name + (f" (from the download's {source})" if source else "")


def _check_sample_columns(folder: PreparedFolder, slug: str) -> None:
    """The sample's columns are the answers' (in any order), or :class:`UngradableAnswers` naming both: without a
    metric, nothing says whether Kaggle's sample (freesound's 80 class columns) or the answers (its label list) is the
    form a submission takes."""
    sample = list(pd.read_csv(folder.sample_submission, nrows=0).columns)
    answers = list(pd.read_csv(folder.answers, nrows=0).columns)
    if set(sample) == set(answers):
        return
    raise UngradableAnswers(
        f"{slug}: the built {_built_name(folder, folder.read_manifest()['recipe'])} has the columns {shown_list(sample)}, but the new answers have "
        f"{shown_list(answers)}: a submission that follows the sample could not be graded, and with no metric "
        "mlecurate cannot shape either for the other. Name the metric in split recipe key 'metric' (its task then "
        "shapes the answers, as one 0/1 column per class for a metric scored per class), or leave out "
        "'sample_submission_file' (the sample is then built from the answers' columns)"
    )


def check_graded(folder: PreparedFolder, slug: str, metric: str | None) -> None:
    """Grade the built split in ``folder`` (its staging folder, with its manifest) as MLE-bench will: the sample
    submission must be a valid submission, and the answers, graded as one, valid with the metric's best score.
    Raise :class:`UngradableAnswers` with the grader's errors otherwise. Without a metric nothing is graded, but the
    sample must have the answers' columns: a submission that follows it could never be graded otherwise."""
    if metric is None:
        _check_sample_columns(folder, slug)
        return
    recipe = folder.read_manifest()["recipe"]
    targets = answer_targets(recipe)  # as answers.csv names them
    if sets := _label_sets_under_one_label_metric(folder, slug, metric, recipe):
        raise UngradableAnswers(sets)
    spec = METRICS[metric]
    sample = grade_submission(folder.sample_submission, folder, metric, competition_id=slug)
    if not sample.valid_submission:
        if spec.one_column_per_class and set(targets) <= set(pd.read_csv(folder.sample_submission, nrows=0).columns):
            message = label_sample_message(slug, metric, targets, recipe.get("sample_submission_file"))
            raise UngradableAnswers(message)  # the metric is not the competition's: its sample predicts labels
        if any("AUC needs both classes" in error for error in sample.errors):  # a label too rare for the test set
            advice = (
                "The rows split recipe key 'scored_rows' scores hold one class there (the counts are of those): check "
                "its columns and values"
                if recipe.get("scored_rows")
                else "Kaggle's released answers hold one class there: leave that target out of 'target_columns', or "
                "split Kaggle's training set instead (another 'kind')"
                if recipe["kind"] == "released_labels"
                else f"Raise split recipe key '{_size_key(recipe)}' until its rarer class reaches the new test set, or "
                "leave that target out of 'target_columns'"
            )
        elif constant := _constant_answers(folder, slug, spec, targets, recipe["kind"]):
            raise UngradableAnswers(constant)
        else:
            advice = _sample_advice(folder, recipe)
        errors = [error.replace(f"{folder.sample_submission}: ", "") for error in sample.errors[:MAX_SHOWN_ITEMS]]
        raise UngradableAnswers(f"{slug}: the built {_built_name(folder, recipe)} is not a valid submission for "
                                f"{metric}: {'; '.join(errors)}. {advice}")  # fmt: skip
    answers = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    report = GradingReport(slug, metric=metric)
    score_frame(answers.copy(), answers, key_columns(folder, answers), spec, report, read_scored(folder))
    perfect = spec.perfect
    if not report.valid_submission:
        problem = "; ".join(report.errors[:MAX_SHOWN_ITEMS])
    elif perfect is not None and abs(report.score - perfect) > PERFECT_TOLERANCE:
        problem = f"they score {report.score}, not {metric}'s best ({perfect})"
    else:
        problem = None  # perfect as a whole; a column-wise metric may still have left out a column it cannot grade
    if (spec.column_wise or problem) and (constant := _constant_answers(folder, slug, spec, targets, recipe["kind"])):
        raise UngradableAnswers(constant)  # google-quest's rare column all 0: Spearman's mean silently left it out
    if problem is None:
        return
    raise UngradableAnswers(
        f"{slug}: the new test set's answers, graded as a submission, are not a perfect one for {metric}: {problem}. "
        "Check split recipe keys 'target_columns' and 'metric'"
    )
