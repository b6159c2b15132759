"""What a parity report reads: the new split, the original test set where it can be had, and the leaderboard.

>>> inputs = load_parity_inputs(root.prepared("titanic"), root.raw("titanic").files, recipe, "accuracy", board)

A recipe value that does not fit the files (a file the download lacks, a column its file lacks) is a
:class:`ParityInputError` naming the competition, the recipe key, and what exists: the download's files or the file's
columns. The recipe is read again at parity time, so a recipe edited after the split is caught here too. Optional
files that are absent (the default ``test.csv``, the sample submission) only leave a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from validation.data_files import (
    LISTED_COLUMNS,
    column_listing,
    columns_of,
    first_line,
    key_text,
    missing_columns_message,
    missing_file_message,
    quote,
    read_detail,
    reader_sql,
    utc_connection,
)
from validation.data_root import TEST, TRAIN, PreparedFolder, recorded_json
from validation.grading import numbers
from validation.leaderboard import Leaderboard
from validation.metrics import METRICS, TEXT_TASKS, Metric
from validation.scored_rows import scored_mask
from validation.split_recipe import (
    RecipeError,
    graded_targets,
    parse_recipe,
    recipe_file,
    submission_entries,
    submission_key_columns,
)
from validation.submission_keys import key_sql


class ParityInputError(ValueError):
    """A recipe value does not fit the competition's files at parity time; the message names the competition, the
    recipe key and what exists."""


@dataclass(frozen=True)
class EvaluationSet:
    """Rows with their truth, in the shape the metric's task takes: labels (classification, ranking, text, and the
    labels of ``multiclass``), numbers (``binary``, ``regression``), or a frame of the target columns
    (``multilabel``, ``multi_target_regression``)."""

    features: pd.DataFrame
    truth: pd.Series | pd.DataFrame

    def scored(self, pairs: tuple[tuple[str, str], ...], name: str, notes: list[str]) -> EvaluationSet:
        """The rows split recipe key ``scored_rows`` scores (``pairs``; all without), the notes saying how many of
        the set ``name``'s."""
        if not pairs:
            return self
        mask = scored_mask(self.features, pairs)
        notes.append(f"{name}: {int(mask.sum()):,} of its {len(mask):,} rows are scored (split recipe key scored_rows)")
        return EvaluationSet(self.features[mask].reset_index(drop=True), self.truth[mask].reset_index(drop=True))


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
    submission_columns: tuple[tuple[str, str], ...] = ()  # the recipe's: the submission's columns and their sources
    original_test_keys: pd.DataFrame | None = None  # the original test rows' submission keys, by the keys' names
    notes: tuple[str, ...] = ()  # what could not be read and what that leaves out (absent optional files)
    test_is_original: bool = False  # kind released_labels: the new test set is Kaggle's own, with its released labels
    key_columns: tuple[str, ...] = ()  # the public test columns submission_columns' keys are built from
    group_column: str | None = None  # the recipe's: whole groups on one side of the split
    time_column: str | None = None  # a temporal split's: the new test set is the latest rows
    time_format: str | None = None  # the recipe's strptime format for its text times (``10/04/2020``)
    parity_excluded_columns: tuple[str, ...] = ()  # the recipe's: columns that name rows, left out of the comparison
    # Each new test row's group (in the public test set's order) where the public test set lacks the group column
    # (Kaggle's test file has none): read from the training file by id
    new_groups: pd.Series | None = None
    new_groups_unknown: str = ""  # why they could not be found, where they are needed and were not
    # Every new test row's features, where new_test holds the scored rows only (split recipe key scored_rows): the
    # feature comparison draws the two test sets alike, and Kaggle's holds unscored rows too
    all_new_features: pd.DataFrame | None = None

    @property
    def new_test_features(self) -> pd.DataFrame:
        """The new public test set's features as the feature comparison compares them: every row."""
        return self.new_test.features if self.all_new_features is None else self.all_new_features

    @property
    def target(self) -> str:
        """The first target: the label of single-target tasks."""
        return self.targets[0]


def load_parity_inputs(
    prepared: PreparedFolder,
    raw_files: Path,
    recipe: dict,
    metric: str,
    leaderboard: Leaderboard | None = None,
    slug: str | None = None,
) -> ParityInputs:
    """Everything :func:`parity_report` needs, from a prepared split, the raw download's files and the recipe (a
    recipe document: ``target_columns``, ``id_column``, ``test_file``, ``sample_submission_file``,
    ``original_answers_file``, ``group_column``, ``time_column``). ``slug`` (default: the prepared folder's name) names the competition in errors."""
    import duckdb

    from validation.data_files import reader_sql

    slug = slug or prepared.slug
    spec = METRICS[metric]
    targets = graded_targets(recipe)  # the train file's names; a target no submission predicts is not scored
    try:  # the one reader's forms of the keys (scored_rows' values as text, one excluded column as a list of one)
        parsed = parse_recipe(recipe, slug)
    except RecipeError as error:
        raise ParityInputError(str(error)) from error
    id_column = recipe.get("id_column")
    notes = []
    with utc_connection() as con:

        def read(path: Path, key: str | None = None) -> pd.DataFrame:
            try:
                return con.sql(f"SELECT * FROM {reader_sql(path)}").df()
            except (duckdb.Error, KeyError) as error:  # KeyError: a file name with no data format
                what = f"split recipe key '{key}': " if key else ""
                detail = first_line(error) if isinstance(error, KeyError) else read_detail(path, error)
                raise ParityInputError(f"{slug}: {what}cannot read {path.name}: {detail}") from error

        def raw(key: str, default: str | None = None, without: str | None = None) -> pd.DataFrame | None:
            """The download's file named by ``key``; when it is absent, an error (``without`` is None) or a note
            saying what parity goes ``without``."""
            name = recipe.get(key, default)
            if not name:
                return None
            path = recipe_file(raw_files, name, key, slug)  # a symlink out of the download is refused
            if path.is_file():
                return read(path, key)
            if key not in recipe and without is not None:  # no file of Kaggle's by that name: no recipe mistake
                notes.append(  # sweep 184: seti has no test table, and the note read as a recipe error
                    f"{slug}'s download has no {name} (split recipe key '{key}' is not set; set it where Kaggle's file "
                    f"is named otherwise): {without}"
                )
                return None
            message = missing_file_message(slug, key, name, raw_files)
            if key not in recipe:  # the curator wrote no such key: say that its default is what is missing
                message = message.replace(f"key '{key}': ", f"key '{key}' (not set; its default is {name!r}): ", 1)
            if without is None:
                raise ParityInputError(f"{slug}: {message}")
            notes.append(f"{message}: {without}")
            return None

        train_path, test_path = prepared.public_table(TRAIN, recipe), prepared.public_table(TEST, recipe)
        train = _baseline_rows(con, train_path, read, notes, _recorded_train_rows(prepared))
        test = read(test_path)
        new_groups, new_groups_unknown = _new_groups(con, recipe, raw_files, test, slug)
        answers = read(prepared.answers)
        sample = read(prepared.sample_submission)
        original_public = raw("test_file", "test.csv", without="no comparison of the original and new test features")
        original_labelled = raw("original_answers_file")
        original_sample = raw("sample_submission_file", without="no late submissions of the original format")
        original_keys = None
        if recipe.get("submission_columns") and original_public is not None:
            original_keys = _original_keys(con, recipe, recipe_file(raw_files, recipe.get("test_file", "test.csv"),
                                                                    "test_file", slug))  # fmt: skip
    if recipe.get("submission_columns"):  # the answers and sample in the train file's names, rows as the test's
        answers, sample = (_in_train_names(frame, recipe, test) for frame in (answers, sample))
    new_train = f"the new train set ({train_path.name})"
    _require(slug, "target_columns", targets, train, new_train)
    train = _trainable_rows(train, spec, targets, new_train, notes)
    if id_column:
        _require(slug, "id_column", [id_column], test, f"the new public test set ({test_path.name})")
        _require(slug, "id_column", [id_column], answers, "the new answers (answers.csv)")
    keys = [id_column] if id_column else [c for c in answers.columns if c in test.columns]
    columns = None
    if spec.one_column_per_class:
        columns = [c for c in answers.columns if c not in keys]
        if len(targets) == 1 and columns == targets:  # the label itself, where the metric wants a column per class
            raise ParityInputError(label_sample_message(slug, metric, targets, recipe.get("sample_submission_file")))
    elif spec.column_wise:
        columns = targets
    if not spec.one_column_per_class:
        _require(slug, "target_columns", targets, answers, "the new answers (answers.csv)")
        _require(slug, "target_columns", targets, sample, "the new sample submission (sample_submission.csv)")
    if id_column and not recipe.get("submission_columns"):  # those are row for row already, an id maybe repeated
        ids = test[[id_column]].astype(str)  # ids compared as text: a JSON or Parquet test set types them
        answers = ids.merge(answers.astype({id_column: str}), on=id_column, how="left")
    truth = _truth(spec, answers, targets, columns)
    features = test.drop(columns=[id_column], errors="ignore")
    first = sample.iloc[0]
    if columns:
        sample_prediction = [float(numbers(pd.Series([first[c]])).iloc[0]) for c in columns]
    elif spec.numeric_predictions:
        sample_prediction = float(numbers(pd.Series([first[targets[0]]])).iloc[0])
    elif spec.task in TEXT_TASKS and pd.isna(first[targets[0]]):
        sample_prediction = ""  # an empty field: no words, no labels, no pixel
    else:
        sample_prediction = str(first[targets[0]])
    original_test = None
    if original_labelled is not None:
        name = recipe["original_answers_file"]
        labelled = _labelled_rows(slug, name, original_labelled, original_public, features, id_column, notes)
        if not (spec.one_column_per_class and columns and all(c in labelled.columns for c in columns)):
            _require(slug, "target_columns", targets if not spec.one_column_per_class else targets[:1], labelled, name)
        labelled = _scored_rows(name, labelled, spec, targets, notes)
        if len(labelled):
            original_test = EvaluationSet(
                labelled[[c for c in features.columns if c in labelled.columns]],
                _truth(spec, labelled, targets, columns),
            ).scored(parsed.scored_rows, name, notes)
    released = recipe.get("kind") == "released_labels"
    new_test = EvaluationSet(features, truth).scored(parsed.scored_rows, "the new test set", notes)
    return ParityInputs(
        metric=metric,
        train=train.drop(columns=[id_column], errors="ignore"),
        targets=targets,
        new_test=new_test,
        all_new_features=features if parsed.scored_rows else None,
        sample_prediction=sample_prediction,
        prediction_columns=columns,
        original_test=original_test,
        original_public_test=None if released else original_public,  # the same rows: nothing to compare
        leaderboard=leaderboard,
        original_sample=original_sample,
        original_test_keys=original_keys,
        id_column=id_column,
        submission_columns=tuple((recipe.get("submission_columns") or {}).items()),
        notes=tuple(notes),
        test_is_original=released,
        key_columns=submission_key_columns(recipe, test.columns),
        group_column=recipe.get("group_column"),  # any kind: the split keeps a group's rows together
        time_column=recipe.get("time_column") if recipe.get("kind") == "temporal" else None,
        parity_excluded_columns=parsed.parity_excluded_columns,
        new_groups=new_groups,
        new_groups_unknown=new_groups_unknown,
        time_format=recipe.get("time_format") if recipe.get("kind") == "temporal" else None,
    )


NEW_GROUPS_FOUND = 0.99  # of the new test rows, found by id in the training file: else the groups are unknown
# The most training rows parity's baseline learns from: all 4M of tabular-playground-series-dec-2021's 56 columns
# took 11.5 min and 18 GB, read as text (a sweep); a ridge or logistic regression learns no better from more
BASELINE_TRAIN_ROWS = 200_000


def _baseline_rows(con, path: Path, read, notes: list[str], recorded: int | None = None) -> pd.DataFrame:
    """The new train set, or every k-th of its rows (in file order) where it holds more than
    ``BASELINE_TRAIN_ROWS``: what the baseline learns from, said in ``notes``. ``recorded``: its rows as the split's
    manifest counts them (a large file is then read once, not counted first)."""
    import duckdb

    from validation.data_files import reader_sql

    try:
        total = (
            recorded
            if recorded is not None
            else con.execute(f"SELECT count(*) FROM {reader_sql(path)}").fetchall()[0][0]
        )
        if total <= BASELINE_TRAIN_ROWS:
            return read(path)
        step = -(-total // BASELINE_TRAIN_ROWS)
        rows = con.sql(
            f"SELECT * EXCLUDE (__mlecurate_rn) FROM (SELECT *, row_number() OVER () - 1 AS __mlecurate_rn "
            f"FROM {reader_sql(path)}) WHERE __mlecurate_rn % {step} = 0 ORDER BY __mlecurate_rn"
        ).df()
    except duckdb.Error:  # read() says what is wrong with the file
        return read(path)
    notes.append(f"the baseline learns from {len(rows):,} of the new train set's {total:,} rows (one in {step:,})")
    return rows


def _recorded_train_rows(prepared: PreparedFolder) -> int | None:
    """The new train set's rows as the split's manifest records them; None where it records none."""
    rows = ((recorded_json(prepared.manifest) or {}).get("rows") or {}).get("train")
    return rows if isinstance(rows, int) and not isinstance(rows, bool) else None


def _new_groups(con, recipe: dict, raw_files: Path, test: pd.DataFrame, slug: str) -> tuple[pd.Series | None, str]:
    """The new test rows' groups, by id from the download's training file, where the recipe has a group column the
    public test set lacks (it keeps Kaggle's test file's columns: ventilator without ``breath_id`` there), and why
    they cannot be found where they cannot. A review: without them, parity counted a breath's 80 rows as 80 draws,
    and test sets drawn alike were drift every time. Ids match as the split matches them (``key_text``)."""
    group, id_column = recipe.get("group_column"), recipe.get("id_column")
    if not group or group in test.columns:
        return None, ""
    if not id_column or id_column not in test.columns:
        return None, "the public test set has no such column, and the recipe names no id_column to find them by"
    if recipe.get("train_listing"):  # its table is the split's listing, not a file of the download
        return None, "the public test set has no such column, and its training table is a train_listing"
    if recipe.get("test_ids"):
        return None, (
            "the public test set has no such column, and test_ids renamed the new test rows, so their ids "
            "are not the training file's"
        )
    import duckdb

    path = recipe_file(raw_files, recipe.get("train_file", "train.csv"), "train_file", slug)
    con.register("__new_test_ids", pd.DataFrame({"k": test[id_column].astype(str), "n": range(len(test))}))
    try:  # joined in DuckDB: a dict of every train row's id took 1.8 s and 300 MB a million rows
        found = con.sql(
            f"""SELECT i.n, t.g FROM __new_test_ids i LEFT JOIN (SELECT DISTINCT CAST({quote(id_column)} AS VARCHAR)
                AS k, CAST({quote(group)} AS VARCHAR) AS g FROM {reader_sql(path)}) t
                ON {key_text("i.k")} = {key_text("t.k")} ORDER BY i.n"""
        ).df()
    except duckdb.Error as error:
        raise ParityInputError(f"{slug}: split recipe key 'group_column': cannot read {group} of the new test rows "
                               f"from {path.name}: {read_detail(path, error)}") from error  # fmt: skip
    finally:
        con.unregister("__new_test_ids")
    groups = found["g"].reset_index(drop=True)
    if len(groups) != len(test) or groups.notna().mean() < NEW_GROUPS_FOUND:
        return None, (
            f"the public test set has no such column, and {groups.isna().sum():,} of its {len(test):,} ids "
            f"are not found in {path.name}"
        )
    return groups, ""


def _original_keys(con, recipe: dict, path: Path) -> pd.DataFrame | None:
    """The submission keys of each row of Kaggle's original test set ``path``, built as the split builds the new ones
    (``validation.submission_keys``), in the file's order; None when it lacks a key's columns (Kaggle's sample then
    lists its rows in the test file's order)."""
    import duckdb

    columns = columns_of(con, path)
    keys = submission_entries(recipe)[0]
    select = ", ".join(f"{key_sql(source, columns)} AS {quote(name)}" for name, source in keys.items())
    try:
        return con.sql(f"SELECT {select} FROM {reader_sql(path)}").df()
    except duckdb.BinderException:  # a key column the original test set does not have
        return None


def _in_train_names(frame: pd.DataFrame, recipe: dict, test: pd.DataFrame) -> pd.DataFrame:
    """The new answers or sample, written in ``submission_columns``' names, in the train file's: each prediction
    named by its target, the keys replaced by the test set's id (else its columns), row for row (the split writes
    the test set, the answers and the sample in one order)."""
    predicted = submission_entries(recipe)[1]
    id_column = recipe.get("id_column")
    keys = test[[id_column]] if id_column else test
    renamed = frame[list(predicted)].rename(columns=predicted).reset_index(drop=True)
    return pd.concat([keys.reset_index(drop=True), renamed], axis=1)


def _labelled_rows(
    slug: str,
    name: str,
    labelled: pd.DataFrame,
    original_public: pd.DataFrame | None,
    features: pd.DataFrame,
    id_column: str | None,
    notes: list[str],
) -> pd.DataFrame:
    """The labelled original test rows with their features: the labelled file itself when it holds the features (as
    detecting-insults' ``test_with_solutions.csv`` does), else its labels joined by id onto the original test file
    (a ``solution.csv`` of ids and labels)."""
    missing = [c for c in features.columns if c not in labelled.columns]
    if not missing:
        return labelled
    if id_column and id_column in labelled.columns and original_public is not None and id_column in original_public:
        labels = labelled[[c for c in labelled.columns if c == id_column or c not in original_public.columns]]
        joined = original_public.merge(labels, on=id_column, how="inner")
        if len(joined) < len(labelled):
            notes.append(f"split recipe key 'original_answers_file': {len(labelled) - len(joined):,} of {name}'s "
                         f"{len(labelled):,} rows have no {id_column} in the original test file; left out")  # fmt: skip
        return joined
    raise ParityInputError(
        f"{slug}: split recipe key 'original_answers_file': {name} lacks the test features "
        f"{', '.join(repr(c) for c in missing[:LISTED_COLUMNS])} and they cannot be joined from the original test file "
        f"by id (needs id_column in both); its columns: {column_listing(labelled.columns)}"
    )


def label_sample_message(slug: str, metric: str, targets: list[str], shipped: str | None) -> str:
    """Why a sample with the label column cannot be scored by a per-class metric. The split builds a per-class sample
    when the competition ships none, so the label comes from the competition's own sample (a metric that is not the
    competition's), or from a split built before it did."""
    found = (
        f"{slug}: metric {metric} scores one probability column per class, but the new sample submission has the label "
        f"column(s) {', '.join(map(repr, targets))}"
    )
    if shipped:
        return (
            f"{found}, as the competition's own sample {shipped} (split recipe key 'sample_submission_file') has: it "
            "predicts labels, so check split recipe key 'metric'"
        )
    return f"{found}: the split was built before per-class samples were; run the split again"


def _require(slug: str, key: str, wanted: list[str], frame: pd.DataFrame, where: str) -> None:
    message = missing_columns_message(key, wanted, frame.columns, where)
    if message:
        raise ParityInputError(f"{slug}: {message}")


def _said(value) -> str:
    """A label as the notes quote it: ``empty`` for nothing or white space, else its text in quotes."""
    return "empty" if pd.isna(value) or not str(value).strip() else repr(str(value))


NUMERIC_TRUTH_TASKS = ("binary", "multilabel", "regression", "multi_target_regression", "distribution")


def _trainable_rows(train: pd.DataFrame, spec: Metric, targets: list[str], name: str, notes: list[str]) -> pd.DataFrame:
    """The new train rows the baseline can learn from: where the metric's truth is a number, a row whose target is
    empty or not a number (``NA``, ``?``: Kaggle's own training file may hold such rows, published as they are) is
    left out, and the notes say how many, in which column and data row, with an example (the baseline's fit failed
    with pandas' "Unable to parse string", naming nothing)."""
    one_hot = spec.one_column_per_class and len(targets) > 1  # a multiclass truth as one 0/1 column per class
    if spec.task not in NUMERIC_TRUTH_TASKS and spec.domain != "integer_label" and not one_hot:
        return train
    unusable = pd.Series(False, index=train.index)
    shown = []
    for column in targets:
        parsed = numbers(train[column], errors="coerce").astype(float)
        bad = parsed.isna() | ~np.isfinite(parsed)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            value = train[column].iloc[row]
            shown.append(f"{column!r} {_said(value if pd.isna(value) else str(value)[:40])} on row {row + 1:,}")
        unusable |= bad
    if spec.distribution:  # shares of a row's counts: none without a count, none of a negative one
        bad = ~unusable & _without_shares(train, targets)
        if bad.any():
            shown.append(f"row {int(np.flatnonzero(bad.to_numpy())[0]) + 1:,} whose counts are negative or sum to 0")
        unusable |= bad
    if not unusable.any():
        return train
    about_counts = " (or counts that are negative or sum to 0)" if spec.distribution else ""
    if unusable.all():
        raise ParityInputError(
            f"split recipe key 'target_columns': {name} has no row whose target is a number"
            f"{' (and counts not negative, summing to more than 0)' if spec.distribution else ''} (first: "
            f"{', '.join(shown[:3])}), and {spec.name} scores numbers: is {', '.join(map(repr, targets))} the target?"
        )
    notes.append(
        f"{name}: {int(unusable.sum()):,} of its {len(train):,} rows have a target that is not a number{about_counts} (first: "
        f"{', '.join(shown[:3])}), left out of the baseline's training; the published train set keeps them, as "
        "Kaggle's training file has them"
    )
    return train[~unusable]


def _scored_rows(name: str, labelled: pd.DataFrame, spec: Metric, targets: list[str], notes: list[str]) -> pd.DataFrame:
    """The labelled original test rows a 0/1 truth can score: a row whose label is another value (jigsaw-toxic's
    ``test_labels.csv`` marks the rows Kaggle does not score with -1 in every target) is left out, and the notes say
    how many and which value, rather than being scored as a negative. Under a distribution (KL divergence), a row
    whose counts are not numbers, are negative or sum to 0 has no shares to score, and is left out alike."""
    if spec.distribution:
        return _counted_rows(name, labelled, targets, notes)
    if not spec.binary_truth:
        return labelled
    present = [c for c in targets if c in labelled.columns]
    outside = pd.Series(False, index=labelled.index)
    shown = []
    for column in present:
        bad = pd.Series(spec.not_a_binary_label(numbers(labelled[column], errors="coerce")), index=labelled.index)
        if bad.any():
            first = labelled.loc[bad, column].iloc[0]
            shown.append(f"{column} {_said(first)}")
        outside |= bad
    if not outside.any():
        return labelled
    kept = labelled[~outside]
    notes.append(
        f"split recipe key 'original_answers_file': {int(outside.sum()):,} of {name}'s {len(labelled):,} rows have a "
        f"label that is not 0 or 1 (e.g. {', '.join(shown[:3])}: a row Kaggle does not score?), left out of the "
        f"original score" + ("" if len(kept) else "; none is left, so the original is not scored")
    )
    return kept


def _counted_rows(name: str, labelled: pd.DataFrame, targets: list[str], notes: list[str]) -> pd.DataFrame:
    """The labelled original test rows a distribution can score: counts that are numbers, none negative, summing to
    more than 0; the notes say how many others were left out."""
    usable = ~_without_shares(labelled, targets).to_numpy()
    if usable.all():
        return labelled
    first = int(np.flatnonzero(~usable)[0])
    notes.append(
        f"split recipe key 'original_answers_file': {int((~usable).sum()):,} of {name}'s {len(labelled):,} rows have "
        f"counts that are not numbers, are negative or sum to 0 (first: its row {first + 1:,}), left out of the "
        "original score" + ("" if usable.any() else "; none is left, so the original is not scored")
    )
    return labelled[usable]


def _without_shares(frame: pd.DataFrame, targets: list[str]) -> pd.Series:
    """A mask of the rows a distribution cannot score: counts (the ``targets`` the frame has) that are not numbers,
    are negative or sum to 0."""
    counts = frame[[c for c in targets if c in frame.columns]].apply(lambda column: numbers(column, errors="coerce"))
    return ~(counts.notna().all(axis=1) & (counts >= 0).all(axis=1) & (counts.sum(axis=1) > 0))


def _truth(spec: Metric, frame: pd.DataFrame, targets: list[str], columns: list[str] | None):
    """The truth in the shape the metric's task takes (see :class:`EvaluationSet`)."""
    if spec.one_column_per_class:
        if columns and all(c in frame.columns for c in columns):  # one-hot answers: the label is the column with the 1
            return frame[columns].apply(numbers).idxmax(axis=1).reset_index(drop=True)
        return frame[targets[0]].astype(str).reset_index(drop=True)
    if spec.column_wise:
        return frame[targets].apply(numbers).reset_index(drop=True)
    values = frame[targets[0]].reset_index(drop=True)
    if spec.task in TEXT_TASKS:  # an empty CSV field is NULL to DuckDB: no words, no labels, no pixel, as graded
        values = values.fillna("")
    return numbers(values) if spec.numeric_predictions else values.astype(str)
