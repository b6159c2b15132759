"""Split recipes: how to build a new train/test split from a competition's public training data, declared in YAML.

>>> recipe = read_recipe_file(Path("splits/recipes/spooky-author-identification.yaml"))
>>> recipe = parse_recipe(annotation.split_recipe, where="annotations/titanic/ada.yaml")

This is the one validator of every recipe, wherever it comes from: a ``--split-recipe`` file, the ``split_recipe``
of an annotation file (checked when the annotation is read or written), the packaged recipes in
``splits/recipes/``, a generated competition's. It lives in ``validation`` so that both ``curation`` (the annotation
store) and ``splits`` (the builder) use it. Files are read by :func:`validation.yaml_files.read_yaml_file` (no
duplicate keys, no aliases, at most 1 MB, UTF-8).

A recipe replaces MLE-bench's hand-written ``prepare.py``. Keys:

| key | meaning | default |
|---|---|---|
| ``kind`` | ``random``, ``stratified`` (keeps each class's share), ``group`` (whole groups on one side), ``temporal`` (the latest rows are the test set), ``released_labels`` (the original test set, labelled by a file Kaggle released later) | required |
| ``test_fraction`` | share of the original train rows that become the new test set | 0.1 |
| ``original_ratio`` | ``true``: use the original test set's share, ``test / (train + test)`` (needs ``test_file``) | false |
| ``test_rows`` | the new test set's size in rows (in ids or groups, under ``draw: train_test_split`` where an id repeats or the split is by groups), in place of a share (MLE-bench's tabular-playground-series-may-2022 takes 100,000, new-york-city-taxi-fare-prediction 9,914); whole units may move it, as they move a share's | none |
| ``seed`` | any integer; the same seed gives the same split on any machine | 0 |
| ``draw`` | for ``random`` and ``group``: ``hash`` (each unit's hash picks it: the rows' order does not count) or ``train_test_split`` (scikit-learn's ``train_test_split`` over the ids in the order they first appear, or the rows where no id repeats, or a group split's groups (iwildcam-2019's locations, nfl's plays, a share of the groups as MLE-bench counts it), ``random_state`` the seed, as MLE-bench's prepare scripts draw: their own new test rows, row for row; the share's ceiling of the ids, as sklearn counts it, and ``test_rows`` a number of ids; an id's rows go together; a row without an id drawn is refused; a seed from 0 to 2**32 - 1) | ``hash`` |
| ``id_column`` | the row id; without one, a row is identified by its content | none |
| ``target_columns`` | what a submission predicts; removed from the public test set, kept in ``answers.csv`` | required |
| ``group_column`` / ``time_column`` | for ``group`` / ``temporal`` (a ``group_column`` with ``random``, ``stratified`` or ``temporal`` keeps each group's rows on one side too: a temporal test set takes every row of its latest rows' groups, refused beyond twice its size; ``stratified`` needs neither: it keeps each class's share of the target, or of each combination of the targets' values); a time column holds dates or timestamps (ISO 8601 text, or typed in JSON or Parquet; an offset orders by its instant, none is UTC) or numbers (epoch seconds, a day index, a year), else the split is refused naming the first other value and its row | |
| ``time_format`` | for ``temporal``: a strptime format (DuckDB's ``strptime``) for text times in another form, e.g. ``"%m/%d/%Y"`` for ``10/01/2020`` | none: ISO 8601 only |
| ``train_file`` / ``test_file`` / ``sample_submission_file`` | files in the competition's download: CSV, TSV (``.tsv``, ``.tab``), JSON or Parquet, or a gzip'd CSV, TSV or JSON (``train.csv.gz``; published uncompressed); the new public test set keeps only ``test_file``'s columns (a download without the default ``test.csv`` keeps the train columns, unless ``original_ratio`` or ``released_labels`` needs it; a ``test_file`` the recipe names, ``test.csv`` too, must be there) | ``train.csv`` / ``test.csv`` / none |
| ``answers_file`` | for ``released_labels``: the labels Kaggle released for its test set; with ``id_column``, the id and the targets are enough (Kaggle's ``id, target, Usage``: each test row of ``test_file`` gets its targets by id, compared as a number where both read as one; an id the test file lacks, or one on two rows, is refused; rows whose ``Usage`` is ``Ignored`` are left out, as Kaggle did not score them, and under a metric of 0/1 labels rows with -1 in each of several targets, jigsaw-toxic's mark); without, the test set with its labels (rows matched by content) | |
| ``original_answers_file`` | the original test set with labels Kaggle released later: parity is then measured on it | |
| ``metric`` | the grading metric (a name in ``validation.metrics``) | the competition's Meta Kaggle metric |
| ``row_files`` | one file of the download per train row, named by its columns: a path pattern with placeholders (``train/{id}``, ``train/{image_id}.jpg``, ``train/{breed}/{id}.jpg``); each row's file goes with its row: the new train rows' to the same path under ``public/``, the new test rows' to ``test_row_files``; the download's other files there (Kaggle's own test images) are not copied; not for ``released_labels`` | none |
| ``test_row_files`` | where the new test rows' files go under ``public/``: a pattern of the columns the public test set keeps (never a target: the path would give the label away) | ``row_files`` with ``train`` in its first folder holding it made ``test`` (``train/`` -> ``test/``, ``train_images/`` -> ``test_images/``, ``jpeg/train/`` -> ``jpeg/test/``); required when none has it |
| ``other_row_files`` | more files of each train row, beside ``row_files``' (siim-isic-melanoma ships each image as ``train/{image_name}.dcm`` and ``jpeg/train/{image_name}.jpg``): a mapping of each pattern (as ``row_files``) to where the new test rows' files go (as ``test_row_files``; null: the default, ``train`` made ``test`` in its first folder holding it; false: the train rows' files alone, a test row's being its answer, as tgs-salt's masks); each row has one file at each, which goes where its row goes; needs ``row_files`` | none |
| ``test_columns`` | the train columns the new public test set keeps (no target), for a download whose test file does not say (paddy's Kaggle test set is its images alone: its train file's ``variety`` and ``age`` are no test features); must hold ``id_column`` | the train columns Kaggle's test file has, else every train column but the targets |
| ``submission_columns`` | the submission's columns where they are not the train file's, in order: a mapping of each column's name to a target column it predicts (``Category: category_id``), or to the key that identifies a row, a public test column or a pattern of them (``Id: id``, ``id: "{sentence_id}_{token_id}"``, placeholders as in ``row_files``); the sample and ``answers.csv`` take these columns; targets it leaves out are removed from the public test set and not graded (chaii's ``answer_start``) | the id column (else the public test columns) and every target |
| ``train_row_files`` | where the new train rows' files go under ``public/``: a pattern of the train file's columns (iwildcam-2019's images are flat in ``train_images.zip``, unpacked at the download's top: ``train_images/{id}.jpg`` puts them in a folder of their own) | ``row_files``: each file at its own path |
| ``train_listing`` | the training table is the download's files, listed: a path pattern whose placeholders become its columns, one row per file that matches (``train/{species}/{file}``: plant-seedlings' images filed by class give the columns ``file`` and ``species``; ``train/{label}.{id}.jpg``); each placeholder a plain column name, once, with literal text between two of them (it matches the shortest text it can, never a ``/``, that its glob matches, if it has one), and a glob its text must match if it says so (``{fname:*.wav}``: only ``.wav`` files, the column keeping the extension); hidden files and folders (``.``-names, ``__MACOSX``, ``Thumbs.db``, ``desktop.ini``) are not listed; the target, id, group, time and test columns are placeholders; each row's file is its ``row_files`` (which may be left out, or be the same pattern); published as ``train.csv`` (``train_file`` is not given); not for ``released_labels`` | none |
| ``train_tables`` | tables of the download about the train rows (extra annotations, auxiliary targets, features kept apart), each with the column it shares with the train file, the id column or a group split's group column (``train_annotations.csv: StudyInstanceUID``); published at the same path with only the rows whose value there is a new train row's (the new test rows' would give their labels away); a table of features the new test rows need too names where their rows go (``train_player_tracking.csv: {column: game_play, test: test_player_tracking.csv}``: nfl-player-contact-detection's tracking of the new test plays, as MLE-bench publishes it); not for ``released_labels`` | none |
| ``listed_values`` | for ``train_listing``: what the text a file's path gives a column stands for, by column (``{label: {cat: 0, dog: 1}}``: dogs-vs-cats' names say ``cat`` or ``dog``, its log loss scores the probability of a dog); a text not listed is refused naming the file | none |
| ``test_ids`` | new ids for the new test rows: text with one ``{n}``, the row's number in the new test set from 1 (``{n:08d}``: zero-padded to 8 digits), numbered in an order drawn at random, replacing ``id_column``'s values in the public test set, the answers and the sample, and naming the test rows' files (``test_row_files`` names the id alone), as MLE-bench renames tensorflow-speech's test clips ``clip_00000000.wav`` (their names repeat across words) and dogs-vs-cats' images (``cat.1.jpg`` tells the label); the train rows keep theirs, which may then repeat; not with ``submission_columns``, not for ``released_labels`` | none |
| ``scored_rows`` | the test rows Kaggle scores, where it scores some only: a mapping of public test columns to the value a scored row holds (``{u_out: 0}``: ventilator-pressure-prediction scores the inspiratory phase); every test row is still in the test set, the answers and a submission, and grading and parity score only those (a row holds a value when its text, trimmed, is the value's, or both are numbers and equal); not a target | every row is scored |
| ``unseen_label`` | under a metric of one label a row: the label the answers give a new test row whose label the new training set never has (whale-categorization's ``new_whale``: Kaggle's test set names a whale its training set lacks so, and MLE-bench's prepare relabels the new test set's alike); one target; not for ``released_labels`` (Kaggle's own labels already say it) | labels kept as they are |
| ``parity_excluded_columns`` | public test columns parity's feature comparison leaves out, where the curators know they name rows rather than describe them (movie-review's ``SentenceId``: Kaggle numbered its test sentences on from the training ones, so every value differs and a classifier tells the two test sets apart by it alone); each is listed in ``parity.json``'s ``excluded_columns`` with this key as the reason | none |
| ``public_files`` | extra files for ``public/``, copied unchanged to the same relative path: file names, folders (``images/``) and globs (``structures/*.csv``), relative to the download; each must match something, and none may replace the split's own files; the leakage checks clear them (no copy of an answers file, no new test row's target, no per-sample folder named by the label) | none |

Every file key is a path inside the competition's download: no absolute path, no ``..`` (checked here, without the
download), and no symlink out of it (:func:`recipe_file`, which resolves a key's file against the download).
File and column keys are checked again when the split is built (:func:`splits.builder.build_split`): a file that is
not in the download, or a column that is not in its file (the id, targets, group and time columns in the train
file; for ``released_labels`` the targets and id in ``answers_file``; the id in the sample submission; the
placeholders of ``row_files`` in the train file, those of ``test_row_files`` in the public test set and never a
target), is a :class:`RecipeError` naming the competition, the key, the file, and what the download or the file
holds. The row files' patterns are checked here (no absolute path, no ``..``, at least one placeholder, balanced
braces; ``validation.row_file_patterns``), each row's file when the split is built (``splits.row_files``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePosixPath

from validation.archives import INNER_ARCHIVES, inner_archive_kind
from validation.data_files import is_data_file, near_columns, published_suffix
from validation.float_text import EMPTY
from validation.metrics import METRICS
from validation.row_file_patterns import (
    default_test_pattern,
    folders_overlap,
    listing_placeholders,
    pattern_columns,
    pattern_parts,
    pattern_problem,
    placed_folder,
    placeholder,
    placeholder_problem,
    without_globs,
)
from validation.yaml_files import YamlFileError, quote_hint, read_as_text_hint, read_yaml_file

KINDS = ("random", "stratified", "group", "temporal", "released_labels")
FILE_KEYS = ("train_file", "test_file", "sample_submission_file", "answers_file", "original_answers_file")


SAMPLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.csv")


class RecipeError(ValueError):
    """A split recipe is invalid; the message names the recipe and the key."""


@dataclass(frozen=True)
class SplitRecipe:
    kind: str
    target_columns: tuple[str, ...]
    test_fraction: float = 0.1
    original_ratio: bool = False
    test_rows: int | None = None
    seed: int = 0
    # How a random split draws its test rows: "hash" (by each unit's hash: the rows' order does not count) or
    # "train_test_split" (scikit-learn's over the ids in file order, random_state the seed: MLE-bench's own rows).
    draw: str = "hash"
    id_column: str | None = None
    group_column: str | None = None
    time_column: str | None = None
    time_format: str | None = None  # DuckDB strptime format of a text time column that is not ISO 8601
    train_file: str = "train.csv"
    test_file: str | None = "test.csv"
    sample_submission_file: str | None = None
    answers_file: str | None = None
    original_answers_file: str | None = None  # the original test set with labels Kaggle released (for parity)
    metric: str | None = None  # a metric of validation.metrics; default: the competition's Meta Kaggle metric
    public_files: tuple[str, ...] = ()  # extra files, folders or globs of the download copied into public/
    row_files: str | None = None  # one file per train row, named by its columns (train/{id}.jpg): goes with its row
    test_row_files: str | None = None  # where the new test rows' files go under public/ (default: row_files, test/)
    train_row_files: str | None = None  # where the new train rows' files go under public/ (default: row_files)
    # The sample submission's own file name where an export names it (Kaggle's, e.g. sampleSubmission.csv, when the
    # download lacks the file): default, sample_submission_file's name, else sample_submission.csv.
    sample_submission_name: str | None = None
    test_columns: tuple[str, ...] = ()  # the train columns the new public test set keeps (default: see the table)
    # The submission's columns where they are not the id and the targets: (name, source) pairs in order, a source
    # being a target it predicts or the key, a public test column or a pattern of them ("{sentence_id}_{token_id}").
    submission_columns: tuple[tuple[str, str], ...] = ()
    # Tables of the download about the train rows, published with the new train set's rows only: (file, the column
    # it shares with the train file, where the new test rows' rows go or None) triples (ranzcr-clip's
    # train_annotations.csv by StudyInstanceUID; nfl's train_player_tracking.csv by game_play, its new test plays'
    # rows to test_player_tracking.csv).
    train_tables: tuple[tuple[str, str, str | None], ...] = ()
    # The training table as the download's files listed: a path pattern whose placeholders are its columns
    # (train/{species}/{file}); row_files is then the same pattern (splits.listing).
    train_listing: str | None = None
    # New ids for the new test rows, numbered ("clip_{n:08d}.wav"): their own ids repeat or tell the label.
    test_ids: str | None = None
    # What a listing's placeholder text stands for, by column: (column, ((text, value), ...)) (cat/dog as 0/1).
    listed_values: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    # Whether the recipe names test_file itself: the default test.csv may be missing (the public test set then keeps
    # the train columns), a test.csv named must be there (sweep 197: petfinder's test/test.csv, named at the top,
    # was passed over without a word). Not a key of its own: set from test_file's presence.
    test_file_named: bool = field(default=False, metadata={"key": False})
    # The test rows Kaggle scores: (public test column, the value a scored row holds as text) pairs ({u_out: 0}).
    scored_rows: tuple[tuple[str, str], ...] = ()
    # Public test columns parity's feature comparison leaves out: they name rows (movie-review's SentenceId).
    parity_excluded_columns: tuple[str, ...] = ()
    # The label answers give a new test row whose label the new training set never has (whale's new_whale).
    unseen_label: str | None = None
    # More files of each train row: (pattern, where the new test rows' go, None for the default, or False: the train
    # rows' alone are published, as a test row's is its label: tgs-salt's masks) pairs.
    other_row_files: tuple[tuple[str, str | None | bool], ...] = ()

    @property
    def listed_texts(self) -> dict[str, dict[str, str]]:
        """``listed_values`` turned around: by column, each value -> the text the download's paths spell it with
        (one text a value: parsing refuses two)."""
        return {column: {value: text for text, value in pairs} for column, pairs in self.listed_values}

    @property
    def graded_targets(self) -> tuple[str, ...]:
        """The targets a submission predicts, as the train file names them: those ``submission_columns`` names, or
        every target."""
        return tuple(graded_targets(self.to_document()))

    @property
    def submission_key_entries(self) -> tuple[tuple[str, str], ...]:
        """``submission_columns``' keys: (the submission's column, the column or pattern it is built from)."""
        return tuple(submission_entries(self.to_document())[0].items())

    def submission_key_columns(self, columns: Collection[str] = ()) -> tuple[str, ...]:
        """The columns ``submission_columns``' keys are built from (public test columns), each once, in order;
        ``columns``: the file's, where a column named like a slice (``x[0]``) is that column."""
        return submission_key_columns(self.to_document(), columns)

    @property
    def test_row_pattern(self) -> str | None:
        """Where the new test rows' files go under ``public/``: ``test_row_files``, else ``row_files`` with ``train``
        in its first folder holding it made ``test`` (parsing refuses a recipe where neither gives one); None for an
        ``other_row_files`` entry of the train rows alone (mapped to false)."""
        if not self.row_files or self.train_rows_only:
            return None
        return self.test_row_files or default_test_pattern(self.row_files)

    @property
    def train_rows_only(self) -> bool:
        """An ``other_row_files`` entry (this recipe one entry's) mapped to false: its files are published for the
        new train rows alone; a new test row's is its label (tgs-salt's masks, denoising's cleaned images)."""
        return self.test_row_files is False

    @property
    def row_file_sets(self) -> tuple[tuple[str, SplitRecipe], ...]:
        """Each set of row files with the recipe key that names it: ``row_files``' own (this recipe), then each of
        ``other_row_files`` as a recipe whose ``row_files`` and ``test_row_files`` are that entry's; () without
        row_files."""
        if not self.row_files:
            return ()
        return (("row_files", self), *(("other_row_files", other) for other in self.other_row_file_sets))

    @property
    def other_row_file_sets(self) -> tuple[SplitRecipe, ...]:
        """Each entry of ``other_row_files`` as a recipe whose ``row_files`` and ``test_row_files`` are its own."""
        return tuple(
            replace(self, row_files=pattern, test_row_files=test, train_row_files=None, other_row_files=())
            for pattern, test in self.other_row_files
        )

    @property
    def train_row_pattern(self) -> str | None:
        """Where the new train rows' files go under ``public/``: ``train_row_files``, else each at its own path."""
        return self.train_row_files or self.row_files

    def to_document(self) -> dict:
        """The recipe as stored in an annotation (only keys that differ from the defaults, plus kind and targets)."""
        defaults = SplitRecipe(kind=self.kind, target_columns=self.target_columns)
        out = {"kind": self.kind, "target_columns": list(self.target_columns)}
        for f in fields(self):
            if f.name in ("kind", "target_columns") or not f.metadata.get("key", True):
                continue  # written above, or no key of the document's (test_file_named: test_file's presence)
            value = getattr(self, f.name)
            if f.name == "train_tables" and value:
                out[f.name] = {name: column if test is None else {"column": column, "test": test}
                               for name, column, test in value}  # fmt: skip
            elif f.name in ("submission_columns", "scored_rows", "other_row_files") and value:
                out[f.name] = dict(value)
            elif f.name == "listed_values" and value:
                out[f.name] = {column: dict(pairs) for column, pairs in value}
            elif f.name == "row_files" and self.train_listing and value == without_globs(self.train_listing):
                continue  # the listing's own pattern, set when it was read
            elif value != getattr(defaults, f.name) or f.name == "test_file" and self.test_file_named:
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


def refuse_keys_of_other_kinds(kind: str, document: dict, where: str) -> None:
    """A key another kind reads is refused, not ignored: a newcomer wrote ``answers_file`` for
    ``original_answers_file`` on a random split, and parity lost Kaggle's labels without a word. Checked where a
    curator hands a recipe in (:func:`read_recipe_file`: ``mlecurate annotate --split-recipe``), not when one already
    stored is read (an annotation or a manifest written before this check still reads, and can be replaced)."""

    fail = _key_error(where)
    if document.get("answers_file") and kind != "released_labels":
        raise fail("answers_file", f"only for kind released_labels (the labels Kaggle released for its test set, "
                                   f"which is then the new test set), found kind {kind}; to measure parity on them "
                                   "beside a split of Kaggle's training set, name them in original_answers_file")  # fmt: skip
    if document.get("time_column") and kind != "temporal":
        raise fail("time_column", f"only for kind temporal (the latest rows by it are the test set), found kind {kind}")
    if kind == "released_labels":
        kaggles = "not for kind released_labels: its test set is Kaggle's own"
        if "test_fraction" in document or document.get("original_ratio"):
            key = "test_fraction" if "test_fraction" in document else "original_ratio"
            raise fail(key, f"{kaggles}, whatever its share")
        if document.get("group_column"):
            raise fail("group_column", f"{kaggles}, not drawn by groups")


def read_recipe_file(path: Path) -> SplitRecipe:
    """The recipe in the YAML file ``path``, validated; every error is a :class:`RecipeError` naming the file."""
    try:
        document = read_yaml_file(path, what="split recipe")
    except YamlFileError as error:
        raise RecipeError(str(error)) from None
    recipe = parse_recipe(document, where=str(path))
    refuse_keys_of_other_kinds(recipe.kind, document, str(path))
    return recipe


def recipe_file(raw_dir: Path, name: str, key: str, where: str) -> Path:
    """The file a recipe key names, inside the download ``raw_dir``; a symlink that leads out of it is refused.

    >>> recipe_file(root.raw("titanic").files, recipe.train_file, "train_file", "titanic")
    """
    path = raw_dir / name
    inside = raw_dir.resolve()
    resolved = path.resolve()
    if resolved != inside and inside not in resolved.parents:
        raise RecipeError(
            f"{where}: split recipe key '{key}': {name!r} leads outside the competition's download {raw_dir} "
            f"(to {resolved}); recipes read only the download's own files"
        )
    return path


def recipe_files(recipe: SplitRecipe, raw_dir: Path, where: str) -> dict[str, Path]:
    """Each file key the recipe gives, as its path inside the download ``raw_dir`` (:func:`recipe_file` checks it)."""
    names = {key: getattr(recipe, key) for key in FILE_KEYS}
    return {key: recipe_file(raw_dir, name, key, where) for key, name in names.items() if name}


def _key_error(where: str):
    """The error of a recipe key at ``where``: ``fail(key, message)`` -> ``RecipeError`` naming both."""

    def fail(key: str, message: str) -> RecipeError:
        return RecipeError(f"{where}: split recipe key '{key}': {message}")

    return fail


def parse_recipe(document: object, where: str) -> SplitRecipe:
    """Validate a recipe mapping; every error names ``where`` and the key."""
    fail = _key_error(where)

    if not isinstance(document, dict):
        raise RecipeError(f"{where}: a split recipe must be a mapping of keys, found {type(document).__name__}")
    known = {f.name for f in fields(SplitRecipe) if f.metadata.get("key", True)}
    unknown = sorted(set(document) - known)
    if unknown:
        raise fail(unknown[0], f"not a recipe key (known: {', '.join(sorted(known))})")
    kind = document.get("kind")
    if kind not in KINDS:
        raise fail("kind", f"expected one of {', '.join(KINDS)}, found {kind!r}")
    if "target_columns" not in document:
        raise fail("target_columns", "missing: every recipe names its label column(s), e.g. target_columns: [label]")
    targets = document.get("target_columns")
    if isinstance(targets, str):
        targets = [targets]
    if not targets or not isinstance(targets, list) or not all(isinstance(t, str) and t for t in targets):
        if targets == []:
            raise fail("target_columns", "empty: name at least one label column, e.g. target_columns: [label]")
        raise fail("target_columns", f"expected a list of column names, found {targets!r}" + quote_hint(targets))
    values = dict(document)
    values["target_columns"] = tuple(targets)

    fraction = values.get("test_fraction", 0.1)
    if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not 0 < fraction < 1:
        raise fail("test_fraction", f"expected a number between 0 and 1 (exclusive), found {fraction!r}"
                                    + read_as_text_hint(fraction))  # fmt: skip
    values["test_fraction"] = float(fraction)
    if not isinstance(values.get("original_ratio", False), bool):
        raise fail("original_ratio", f"expected true or false, found {values['original_ratio']!r}")
    if "test_fraction" in document and values.get("original_ratio"):
        raise fail("original_ratio", "give either test_fraction or original_ratio: true, not both")
    rows = values.get("test_rows")
    if rows is not None:
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
            raise fail("test_rows", f"expected a whole number of rows, at least 1, found {rows!r}"
                                    + read_as_text_hint(rows))  # fmt: skip
        if "test_fraction" in document or values.get("original_ratio"):
            raise fail("test_rows", "give one of test_fraction, test_rows or original_ratio: true")
        if kind == "released_labels":
            raise fail("test_rows", "not for kind released_labels: its test set is Kaggle's own, whatever its size")
    seed = values.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise fail("seed", f"expected an integer, found {seed!r}" + read_as_text_hint(seed))

    draw = values.get("draw", "hash")
    if draw not in DRAWS:
        raise fail("draw", f"expected one of {', '.join(DRAWS)}, found {draw!r}")
    if draw != "hash" and kind not in ("random", "group"):
        raise fail("draw", f"{draw} draws rows, ids or groups: only for kind random or group")
    if draw == "train_test_split" and not 0 <= seed < 2**32:
        raise fail("seed", f"draw train_test_split takes a seed from 0 to {2**32 - 1:,} (sklearn's random_state), "
                           f"found {seed}")  # fmt: skip

    for key in ("id_column", "group_column", "time_column"):
        value = values.get(key)
        if value is not None and (not isinstance(value, str) or not value):
            raise fail(key, f"expected a column name, found {value!r}" + quote_hint(value))
        if value in values["target_columns"]:
            raise fail(key, f"{value!r} is a target column: {UNIT_IS_TARGET[key]}")
    time_format = values.get("time_format")
    if time_format is not None:
        if not isinstance(time_format, str) or not time_format:
            raise fail("time_format", f'expected a strptime format such as "%m/%d/%Y", found {time_format!r}')
        if kind != "temporal":
            raise fail("time_format", f"only for kind temporal (it reads time_column), found kind {kind}")
    for key in FILE_KEYS:
        value = values.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value:
            raise fail(key, f"expected a file name, found {value!r}")
        path = PurePosixPath(value)
        if path.is_absolute() or ".." in path.parts:
            raise fail(key, f"must be a path inside the competition's download, found {value!r}")
        if any(mark in value for mark in "*?["):  # sweep 184: smartphone's train/*/*/ground_truth.csv
            raise fail(
                key,
                f"expected one file's name, found the pattern {value!r}: mlecurate reads one {key.removesuffix('_file')} "
                "table, not files joined together (a table per trip or folder must become one table where the "
                "download comes from; files that are rows, such as images, are listed with train_listing)",
            )
        if not is_data_file(value):
            raise fail(
                key,
                f"expected a .csv, .tsv, .tab, .json (or .jsonl, .ndjson) or .parquet file (or a .gz of a CSV, TSV or JSON), found {value!r}"
                + _archive_hint(value),
            )

    values["public_files"] = _public_files(values.get("public_files", ()), fail)
    values["train_tables"] = _train_tables(values.get("train_tables"), kind, fail)
    values["test_columns"] = _test_columns(values.get("test_columns"), values, kind, fail)
    values["submission_columns"] = _submission_columns(values.get("submission_columns"), values["target_columns"], fail)
    _train_listing(values, document, kind, fail)
    values["listed_values"] = _listed_values(values.get("listed_values"), values.get("train_listing"), fail)
    values["scored_rows"] = _scored_rows(values.get("scored_rows"), values["target_columns"], fail)
    values["parity_excluded_columns"] = _column_list(values.get("parity_excluded_columns"), "parity_excluded_columns",
                                                     values["target_columns"], fail)  # fmt: skip
    values["unseen_label"] = _unseen_label(values.get("unseen_label"), values["target_columns"], kind, fail)
    if values.get("id_column") in dict(values["scored_rows"]):
        raise fail("scored_rows", f"names the id column {values['id_column']!r}: a row is scored by its other columns")
    _row_file_patterns(values, kind, fail)
    values["other_row_files"] = _other_row_files(values, kind, fail)
    _test_ids(values, kind, fail)
    name = values.get("sample_submission_name")
    if name is not None and (not isinstance(name, str) or not SAMPLE_NAME.fullmatch(name)):
        raise fail("sample_submission_name", f"expected a file name ending in .csv (no folder), found {name!r}")

    metric = values.get("metric")
    if metric is not None and metric not in METRICS:
        raise fail("metric", f"expected one of {', '.join(sorted(METRICS))}, found {metric!r}")
    needs = {"group": "group_column", "temporal": "time_column", "released_labels": "answers_file"}
    if kind in needs and not values.get(needs[kind]):
        raise fail(needs[kind], f"required for kind {kind}")
    if (
        values.get("original_ratio")
        and not values.get("test_file", "test.csv")
        and not values.get("sample_submission_file")
    ):
        raise fail(
            "original_ratio", "needs test_file or sample_submission_file, to count Kaggle's test rows (its test share)"
        )
    if kind == "released_labels" and not values.get("test_file", "test.csv"):
        raise fail("test_file", "required for kind released_labels (the public test file)")
    values["test_file_named"] = values.get("test_file") is not None
    return SplitRecipe(**values)


DRAWS = ("hash", "train_test_split")

# Why a recipe's unit or time column cannot be a target (a group split on the target published a test set of one
# class that training never saw: a newcomer's sweep).
UNIT_IS_TARGET = {
    "id_column": "the public test set keeps the id, so it would give each row's answer away",
    "group_column": "whole groups of one value would go to the test set, classes the training set never sees",
    "time_column": "the test set would be the rows of the latest targets, which its order would give away",
}


def _row_file_patterns(values: dict, kind: str, fail, needs_test: bool = True, said: str = "row_files ") -> None:
    """``row_files`` and ``test_row_files``: path patterns with placeholders (``validation.row_file_patterns``); the
    test rows' files need a place of their own under ``public/`` (``needs_test`` False: an ``other_row_files`` entry
    of the train rows' files alone, whose test rows' go nowhere)."""
    row_files, test_row_files = values.get("row_files"), values.get("test_row_files")
    train_row_files = values.get("train_row_files")
    patterns = (("row_files", row_files), ("test_row_files", test_row_files), ("train_row_files", train_row_files))
    for key, pattern in patterns:
        if pattern is not None and (problem := pattern_problem(pattern)):
            raise fail(key, problem)
    if row_files is None:
        for key in ("test_row_files", "train_row_files"):
            if values.get(key) is not None:
                raise fail(key, "needs row_files (where each train row's file is in the download)")
        return
    if kind == "released_labels":
        raise fail(
            "row_files",
            "not for kind released_labels: its train and test sets are Kaggle's own, so copy their folders "
            "whole with public_files",
        )
    if not needs_test:
        return
    if test_row_files is None and default_test_pattern(row_files) is None:
        raise fail(
            "test_row_files",
            f"required: {said}{row_files!r} has no 'train' to make 'test' of; give where the new test rows' files go "
            f"under public/, such as {_own_folder(row_files)!r}",
        )
    train_pattern = train_row_files or row_files
    if test_row_files is not None and PurePosixPath(test_row_files) == PurePosixPath(train_pattern):  # train/./x too
        whose = "train_row_files'" if train_row_files else "row_files' own"
        raise fail(
            "test_row_files",
            f"{test_row_files!r} is {whose} pattern: the test rows' files would sit beside the train rows'; "
            f"give them a folder of their own, such as {_own_folder(train_pattern)!r}",
        )
    pattern = test_row_files or default_test_pattern(row_files)
    if train_row_files is not None and PurePosixPath(pattern) == PurePosixPath(train_row_files):
        raise fail(
            "train_row_files",
            f"{train_row_files!r} is where the test rows' files go (test_row_files{'' if test_row_files else ', by default'}"
            f": {pattern!r}); give the train rows' files a folder of their own",
        )
    own = _own_folder_columns(values, kind)
    train_folder, test_folder = placed_folder(train_pattern, own), placed_folder(pattern, own)
    if folders_overlap(test_folder, train_folder):
        key = "train_row_files" if train_row_files else "test_row_files"
        shared = min(train_folder, test_folder, key=len)
        raise fail(
            key,
            f"the train rows' files ({train_pattern!r}) and the test rows' ({pattern!r}) would share "
            f"{f'the folder {shared}/' if shared else 'the top of public/'}; give each side a folder of its own",
        )
    targets = values.get("target_columns") or ()
    leaked = [c for c in pattern_columns(pattern) if c in targets]
    if leaked:
        given = f"{pattern!r}" if test_row_files else f"{pattern!r} (the default, from row_files {row_files!r})"
        raise fail(
            "test_row_files",
            f"{given} names target column {leaked[0]!r}: the test rows' file paths would give their labels away; "
            "name their files by columns the public test set keeps, such as "
            f"{_without_targets(pattern, targets, values.get('id_column'))!r}",
        )


def _train_listing(values: dict, document: dict, kind: str, fail) -> None:
    """``train_listing``: a path pattern whose placeholders are plain column names, each once, with literal text
    between two of them (else a file's path could be read more than one way), each with a glob its text must match
    if it says so (``{fname:*.wav}``); it is the training table, so ``train_file`` is not given, its columns are the
    recipe's columns, and each listed file is its row's (``row_files`` is set to the pattern without its globs)."""
    listing = values.get("train_listing")
    if listing is None:
        return
    if problem := pattern_problem(listing, globs=True):
        raise fail("train_listing", problem)
    placeholders = listing_placeholders(listing)
    columns = [name for name, _ in placeholders]
    for name, glob in placeholders:
        if not name or glob == "" or (glob and "/" in glob):
            raise fail("train_listing", f"{listing!r} has a placeholder that is not a column name, or one followed by "
                       "':' and a glob of the file's piece (no '/'), such as {fname:*.wav}")  # fmt: skip
        if placeholder(name).sliced:
            raise fail("train_listing", f"{listing!r} has the placeholder {{{name}}}: a listing's placeholders are "
                       "plain column names, each taking a piece of the file's path")  # fmt: skip
    if twice := [name for name in columns if columns.count(name) > 1]:
        raise fail("train_listing", f"{listing!r} names column {twice[0]!r} twice: name each column once")
    parts = pattern_parts(listing)
    for (_, before), (text, after) in zip(parts, parts[1:], strict=False):
        if before is not None and after is not None and not text:
            raise fail("train_listing", f"{listing!r} puts {{{before}}} and {{{after}}} side by side: a path could be "
                       "divided between them more than one way; put literal text between them, such as '_'")  # fmt: skip
    if kind == "released_labels":
        raise fail("train_listing", "not for kind released_labels: its training set is Kaggle's train file, unchanged")
    if "train_file" in document:
        raise fail("train_file", f"give either train_file (a table of the download) or train_listing (the table of "
                   f"its files, {listing!r}), not both")  # fmt: skip
    named = [("target_columns", c) for c in values["target_columns"]] + [("test_columns", c) for c in
             values.get("test_columns") or ()] + [(k, values[k]) for k in ("id_column", "group_column", "time_column")
                                                  if values.get(k)]  # fmt: skip
    for key, column in named:
        if column not in columns:
            raise fail(key, f"no column {column!r} in the listing of {listing!r} (its columns, the pattern's "
                       f"placeholders: {', '.join(columns)})")  # fmt: skip
    row_files = values.get("row_files")
    if row_files is not None and row_files != without_globs(listing):
        raise fail("row_files", f"{row_files!r} is not train_listing's {listing!r}: each listed file is its row's "
                   "file; leave row_files out")  # fmt: skip
    values["row_files"] = without_globs(listing)


def _listed_values(value: object, listing: str | None, fail) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """``listed_values``: for ``train_listing``, a mapping of its columns to mappings of the text a file's path
    gives to the value the table holds (``{label: {cat: 0, dog: 1}}``); texts and values are text (numbers
    written as YAML reads them)."""
    if value is None:
        return ()
    example = "{label: {cat: 0, dog: 1}}"
    if listing is None:
        raise fail("listed_values", "needs train_listing: it says what the text of a listed file's path stands for")
    if not isinstance(value, dict) or not value:
        raise fail("listed_values", f"expected a mapping of the listing's columns to mappings of text to values, such "
                   f"as {example}; found {value!r}")  # fmt: skip
    columns = [name for name, _ in listing_placeholders(listing)]
    found = []
    for column, pairs in value.items():
        if column not in columns:
            raise fail("listed_values", f"{column!r} is no column of the listing of {listing!r} (its columns: "
                       f"{', '.join(columns)})")  # fmt: skip
        if not isinstance(pairs, dict) or not pairs or not all(_scalar(v) for kv in pairs.items() for v in kv):
            raise fail("listed_values", f"{column}: expected a mapping of the text of a path to the value, such as "
                       f"{{cat: 0, dog: 1}}; found {pairs!r}")  # fmt: skip
        mapped = tuple((str(text), str(v)) for text, v in pairs.items())
        if len({v for _, v in mapped}) < len(mapped):
            raise fail("listed_values", f"{column}: two texts map to one value ({pairs!r}); each value stands for one "
                       "text, which names its file")  # fmt: skip
        found.append((column, mapped))
    return tuple(found)


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


TEST_ID_NUMBER = re.compile(r"\{n(?::0(?P<width>[1-9]|1[0-9]|20)d)?\}")


def _other_row_files(values: dict, kind: str, fail) -> tuple[tuple[str, str | None | bool], ...]:
    """``other_row_files``: a mapping of row-file patterns to test patterns (null: the default; false: the train
    rows' files alone), each pair checked as ``row_files`` and ``test_row_files`` are (and, with ``test_ids``, named
    by the id alone); needs ``row_files``."""
    value = values.get("other_row_files")
    if value is None:
        return ()
    if not isinstance(value, dict) or not value:
        raise fail("other_row_files", "expected a mapping of each pattern (as row_files) to where the new test rows' "
                                      f"files go (as test_row_files; null for the default; false for the train "
                                      f"rows' files alone), found {value!r}")  # fmt: skip
    if not values.get("row_files"):
        raise fail("other_row_files", "needs row_files (where each train row's first file is in the download)")
    pairs = []
    for pattern, test in value.items():
        if not isinstance(pattern, str) or not (test is None or test is False or isinstance(test, str)):
            raise fail(
                "other_row_files",
                f"expected a pattern and a test pattern (or null, or false), found {pattern!r}: {test!r}",
            )
        if pattern in (values["row_files"], values.get("train_row_files")):
            raise fail("other_row_files", f"{pattern!r} is row_files' own pattern: name each set of files once")

        def entry_fail(key: str, message: str, pattern=pattern) -> RecipeError:
            said = "its test pattern" if key == "test_row_files" else "the pattern" if key == "row_files" else key
            return fail("other_row_files", f"entry {pattern!r}, {said}: {message}")

        one = {"row_files": pattern, "test_row_files": test or None, "target_columns": values.get("target_columns"),
               "id_column": values.get("id_column"), "test_ids": values.get("test_ids"),
               "group_column": values.get("group_column")}  # fmt: skip
        _row_file_patterns(one, kind, entry_fail, needs_test=test is not False, said="")
        if test is not False:
            _test_ids(one | {"submission_columns": values.get("submission_columns")}, kind, entry_fail)
        pairs.append((pattern, test))
    _sides_apart(values, pairs, fail)
    return tuple(pairs)


def _own_folder_columns(values: dict, kind: str) -> set[str]:
    """The columns a folder of whose value holds one side's rows alone: the id, and a group split's group."""
    return {values.get("id_column"), values.get("group_column") if kind == "group" else None} - {None}


def _sides_apart(values: dict, pairs: list[tuple[str, str | None]], fail) -> None:
    """No set's test rows' files in a folder of any set's train rows' files, or around one (an entry's test files
    in ``row_files``' ``train/``, beside the training rows' files, passed every check)."""
    main = values.get("train_row_files") or values["row_files"]
    main_test = values.get("test_row_files") or default_test_pattern(values["row_files"])
    trains = [(f"row_files {main!r}", main), *((f"entry {p!r}", p) for p, _ in pairs)]
    tests = [(f"row_files' test pattern {main_test!r}", main_test),
             *((f"entry {p!r}'s test pattern {t or default_test_pattern(p)!r}", t or default_test_pattern(p))
               for p, t in pairs if t is not False)]  # fmt: skip
    own = _own_folder_columns(values, values.get("kind") or "")
    for test_said, test in tests:
        test_folder = placed_folder(test, own)
        for train_said, train in trains:
            train_folder = placed_folder(train, own)
            if folders_overlap(test_folder, train_folder):
                where, beside = test_folder or "the top of public", train_folder or "the top of public"
                raise fail("other_row_files", f"{test_said} puts the new test rows' files in {where}/, with the train "
                                              f"rows' files of {train_said} ({beside}/); give each side a folder of "
                                              "its own")  # fmt: skip


def _test_ids(values: dict, kind: str, fail) -> None:
    """``test_ids``: text with one ``{n}`` (the row's number in the new test set, from 1) or ``{n:08d}`` (zero-padded
    to that width), no other brace, no ``/``; it replaces ``id_column``'s value in the new test rows, so their files
    (``test_row_files``) are named by the id alone."""
    pattern = values.get("test_ids")
    if pattern is None:
        return
    example = "such as 'clip_{n:08d}.wav' or 'test_{n}'"
    if not isinstance(pattern, str) or len(TEST_ID_NUMBER.findall(pattern)) != 1:
        raise fail("test_ids", f"expected text with one {{n}} (the row's number in the new test set, from 1) or "
                   f"{{n:08d}} (zero-padded), {example}; found {pattern!r}")  # fmt: skip
    rest = TEST_ID_NUMBER.sub("", pattern)
    if "{" in rest or "}" in rest or "/" in rest or "\\" in rest:
        raise fail("test_ids", f"{pattern!r}: the text around {{n}} may hold no brace and no '/' ({example})")
    if kind == "released_labels":
        raise fail("test_ids", "not for kind released_labels: its test set is Kaggle's, with Kaggle's ids")
    id_column = values.get("id_column")
    if not id_column:
        raise fail("test_ids", "needs id_column: the column whose value the new test rows get from it")
    if values.get("submission_columns"):
        raise fail("test_ids", "not with submission_columns: the submission names its rows by the id column")
    test_pattern = values.get("test_row_files") or (
        values.get("row_files") and default_test_pattern(values["row_files"])
    )
    if test_pattern and (named := [c for c in pattern_columns(test_pattern) if c != id_column]):
        raise fail("test_row_files", f"{test_pattern!r} names column {named[0]!r}: with test_ids the new test rows' "
                   f"files are named by their new id alone, such as 'test/{{{id_column}}}'")  # fmt: skip


def _without_targets(pattern: str, targets, id_column: str | None) -> str:
    """The test pattern without its target placeholders: ``test/{breed}/{id}.jpg`` -> ``test/{id}.jpg``."""
    *folders, name = pattern.split("/")
    kept = [f for f in folders if not set(pattern_columns(f)) & set(targets)]
    if set(pattern_columns(name)) & set(targets):
        suffix = PurePosixPath(name).suffix if "}" not in PurePosixPath(name).suffix else ""
        name = "{" + (id_column or "<column>") + "}" + suffix
    return "/".join([*kept, name])


def _own_folder(row_files: str) -> str:
    """An example of where the new test rows' files could go: ``row_files`` with ``test`` for its first folder
    (``images/{image_id}/photo.jpg``: ``test/{image_id}/photo.jpg``; ``new_test`` for a folder named test), or
    under ``test/`` when it has none or its first part is a placeholder (``{image_id}/photo.jpg``)."""
    parts = PurePosixPath(row_files).parts
    if len(parts) == 1 or "{" in parts[0]:  # no folder of its own, or a placeholder first: kept, under test/
        return str(PurePosixPath("test", *parts))
    return str(PurePosixPath("new_test" if parts[0] == "test" else "test", *parts[1:]))


def _column_list(value: object, key: str, targets: tuple[str, ...], fail) -> tuple[str, ...]:
    """A list of column names, each once, none a target."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(c, str) and c for c in value):
        raise fail(key, f"expected a list of column names, found {value!r}" + quote_hint(value))
    if len(set(value)) != len(value):
        raise fail(key, f"a column is listed twice: {value!r}")
    if targets := [c for c in value if c in targets]:
        raise fail(key, f"names target column {targets[0]!r}, which is no public test column")
    return tuple(value)


def _unseen_label(value: object, targets: tuple[str, ...], kind: str, fail) -> str | None:
    """``unseen_label``: a plain label (text or a number), for one target, not under released labels."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float) or not str(value).strip():
        raise fail("unseen_label", f"expected a label (a text such as new_whale, or a number), found {value!r}")
    if str(value).strip() in EMPTY or (isinstance(value, float) and value != value):
        raise fail("unseen_label", f"{value!r} reads as a missing value in pandas (as MLE-bench's graders read the "
                                   "answers): a blank prediction would match it; choose a label such as new_whale")  # fmt: skip
    if len(targets) != 1:
        raise fail("unseen_label", f"needs one target column (a label a row), found {len(targets)}: "
                                   f"{', '.join(targets)}")  # fmt: skip
    if kind == "released_labels":
        raise fail("unseen_label", "not for kind released_labels: the test set is Kaggle's, with Kaggle's own labels")
    return str(value).strip()


def _scored_rows(value: object, targets: tuple[str, ...], fail) -> tuple[tuple[str, str], ...]:
    """``scored_rows``: public test columns (none a target), each with a plain value, kept as its text."""
    if value is None:
        return ()
    if not isinstance(value, dict) or not value:
        raise fail("scored_rows", f"expected a mapping of public test columns to the value a scored row holds "
                                  f"(such as {{u_out: 0}}), found {value!r}")  # fmt: skip
    pairs = []
    for column, held in value.items():
        if not isinstance(column, str) or not column:
            raise fail("scored_rows", f"expected a column name, found {column!r}" + quote_hint(column))
        if column in targets:
            raise fail("scored_rows", f"{column!r} is a target column: the public test set does not hold it")
        if not isinstance(held, str | int | float) or (isinstance(held, str) and not held.strip()):
            raise fail("scored_rows", f"expected a text, a number or true/false for column {column!r}, found {held!r}")
        pairs.append((column, str(held).lower() if isinstance(held, bool) else str(held).strip()))
    return tuple(pairs)


def _test_columns(value: object, values: dict, kind: str, fail) -> tuple[str, ...]:
    """``test_columns``: train columns, each once, none a target, the id among them."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(c, str) and c for c in value):
        raise fail("test_columns", f"expected a list of the train file's column names, found {value!r}"
                                   + quote_hint(value))  # fmt: skip
    if kind == "released_labels":
        raise fail("test_columns", "not for kind released_labels: its public test set is Kaggle's own test file")
    if len(set(value)) != len(value):
        raise fail("test_columns", f"a column is listed twice: {value!r}")
    if targets := [c for c in value if c in values["target_columns"]]:
        raise fail(
            "test_columns", f"names target column {targets[0]!r}: the public test set would give its answers away"
        )
    id_column = values.get("id_column")
    if id_column and id_column not in value:
        raise fail("test_columns", f"leaves out the id column {id_column!r}, which names the test rows a submission "
                                   "predicts; add it")  # fmt: skip
    return tuple(value)


def submission_entries(recipe: dict) -> tuple[dict[str, str], dict[str, str]]:
    """``submission_columns`` of a recipe document split in two: its keys and its predictions, each the submission's
    column name -> its source (a column or pattern; a target), in the submission's order. Empty without the key."""
    columns = recipe.get("submission_columns") or {}
    targets = set(recipe["target_columns"])
    keys = {name: source for name, source in columns.items() if source not in targets}
    return keys, {name: source for name, source in columns.items() if source in targets}


def submission_keys(recipe: dict) -> list[str] | None:
    """The columns of a submission (and of ``answers.csv``) that identify its rows, for a recipe document: the keys
    of ``submission_columns``, else the id column, else None (the public test columns the answers repeat)."""
    if recipe.get("submission_columns"):
        return list(submission_entries(recipe)[0])
    return [recipe["id_column"]] if recipe.get("id_column") else None


def submission_key_columns(recipe: dict, columns: Collection[str] = ()) -> tuple[str, ...]:
    """The columns ``submission_columns``' keys are built from (public test columns), each once, in order, for a
    recipe document (none without the key); ``columns``: the file's, where a column named like a slice (``x[0]``) is
    that column."""
    found: list[str] = []
    for source in submission_entries(recipe)[0].values():
        parts = pattern_parts(source) if "{" in source else [("", source)]
        found += [placeholder(text, columns).column for _, text in parts if text is not None]
    return tuple(dict.fromkeys(found))


def graded_targets(recipe: dict) -> list[str]:
    """The targets a submission predicts, by their train file's names, for a recipe document."""
    predicted = submission_entries(recipe)[1]
    return list(predicted.values()) if predicted else list(recipe["target_columns"])


def answer_targets(recipe: dict) -> list[str]:
    """The targets a submission predicts, by the names ``answers.csv`` and the sample give them (:func:`graded_targets`
    renamed by ``submission_columns``), for a recipe document."""
    predicted = submission_entries(recipe)[1]
    return list(predicted) if predicted else list(recipe["target_columns"])


def _submission_columns(value: object, targets: tuple[str, ...], fail) -> tuple[tuple[str, str], ...]:
    """``submission_columns``: a mapping of the submission's column names, in order, to a target (what the column
    predicts) or to the key (a column, or a pattern of columns with placeholders as in ``row_files``); at least one
    of each, no target in a key, each target named once."""
    if value is None:
        return ()
    example = "{Id: id, Category: category_id}"
    if not isinstance(value, dict) or not value:
        raise fail("submission_columns", f"expected a mapping of the submission's columns, such as {example}, "
                                         f"found {value!r}")  # fmt: skip
    pairs = []
    for name, source in value.items():
        if not isinstance(name, str) or not name.strip() or name != name.strip():
            raise fail("submission_columns", f"{name!r} is no column name (the submission's columns are text, "
                                             "without spaces around them)" + quote_hint(name))  # fmt: skip
        if not isinstance(source, str) or not source:
            raise fail("submission_columns", f"column {name!r}: expected a target column, an id column or a pattern "
                                             f"such as \"{{sentence_id}}_{{token_id}}\", found {source!r}"
                                             + quote_hint(source))  # fmt: skip
        if source not in targets and (problem := _key_problem(source, targets)):
            raise fail("submission_columns", f"column {name!r}: {problem}")
        pairs.append((name, source))
    predicted = [source for _, source in pairs if source in targets]
    if not predicted:
        given = ", ".join(f"{name}: {source}" for name, source in pairs)
        meant = near_columns([source for _, source in pairs], set(targets))
        raise fail("submission_columns", f"names no target column ({', '.join(targets)}): its entries ({given}) are "
                                         f"all keys{meant}, so a submission would predict nothing; map a column of "
                                         f"the submission to the target it predicts, such as {example}")  # fmt: skip
    if len(set(predicted)) != len(predicted):
        twice = next(t for t in predicted if predicted.count(t) > 1)
        raise fail("submission_columns", f"target {twice!r} is predicted by two columns; map it once")
    if len(predicted) == len(pairs):
        raise fail("submission_columns", "names no key column: a submission's rows need one that identifies them, "
                                         "such as {Id: id} (a public test column) before the targets")  # fmt: skip
    return tuple(pairs)


def _key_problem(source: str, targets: tuple[str, ...]) -> str | None:
    """What is wrong with ``source`` as a key of ``submission_columns`` (a column name, or a pattern), or None."""
    if "{" not in source and "}" not in source:
        return None  # a column name; checked against the public test set when the split is built
    if problem := placeholder_problem(source):
        return problem
    columns = [placeholder(text).column for _, text in pattern_parts(source) if text is not None]
    if leaked := [c for c in columns if c in targets]:
        return (f"{source!r} names target column {leaked[0]!r}: a key is built from the public test set's columns, "
                "which hold no target")  # fmt: skip
    return None


def _train_tables(value: object, kind: str, fail) -> tuple[tuple[str, str, str | None], ...]:
    """``train_tables``: a mapping of data files inside the download to the column each shares with the train file,
    or to ``{column: ..., test: ...}``, ``test`` where the new test rows' rows go (a path under ``public/``, the
    table's own format)."""
    if value is None:
        return ()
    if not isinstance(value, dict) or not value:
        raise fail("train_tables", f"expected a mapping of files to the column each shares with the train file "
                   f"(train_annotations.csv: StudyInstanceUID), found {value!r}")  # fmt: skip
    if kind == "released_labels":
        raise fail("train_tables", "not for kind released_labels: its training set is Kaggle's, unchanged (copy the "
                   "tables with public_files)")  # fmt: skip
    tables = []
    for name, given in value.items():
        path = PurePosixPath(name) if isinstance(name, str) else None
        if path is None or not name or path.is_absolute() or ".." in path.parts or not is_data_file(name):
            raise fail("train_tables", f"expected a .csv, .tsv, .json or .parquet file inside the competition's "
                       f"download (no absolute path, no '..'), found {name!r}"
                       + (_archive_hint(name) if isinstance(name, str) else ""))  # fmt: skip
        column, test = (given.get("column"), given.get("test")) if isinstance(given, dict) else (given, None)
        if isinstance(given, dict) and (unknown := sorted(set(given) - {"column", "test"}, key=str)):
            raise fail("train_tables", f"{name}: {unknown[0]!r} is not one of column, test")
        if not isinstance(column, str) or not column:
            raise fail("train_tables", f"{name}: expected the column it shares with the train file, found {column!r}"
                                       + quote_hint(column))  # fmt: skip
        if test is not None:
            where = PurePosixPath(test) if isinstance(test, str) and test else None
            same_format = where is not None and is_data_file(test) and test.endswith(published_suffix(name))
            same_format = same_format and published_suffix(test) == published_suffix(name)  # not gzip'd: as published
            if where is None or where.is_absolute() or ".." in where.parts or not same_format or test == name:
                raise fail("train_tables", f"{name}: test: expected where the new test rows' rows go, a path under "
                           f"public/ other than the table's own, ending as it is published "
                           f"({published_suffix(name)}), found {test!r}")  # fmt: skip
        tables.append((name, column, test))
    return tuple(tables)


def _public_files(value: object, fail) -> tuple[str, ...]:
    """``public_files``: a list of paths, folders or globs inside the download (no absolute path, no ``..``)."""
    if isinstance(value, str):
        value = [value]
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise fail("public_files", f"expected a list of files, folders or globs, found {value!r}")
    entries = []
    for entry in value:
        if not isinstance(entry, str) or not entry.strip():
            raise fail("public_files", f"expected a file, folder or glob, found {entry!r}")
        path = PurePosixPath(entry)
        if entry.startswith(("/", "\\")) or path.is_absolute() or ".." in path.parts or "\\" in entry or ":" in entry:
            raise fail(
                "public_files",
                f"{entry!r} must be a path inside the competition's download (no absolute path, no '..')",
            )
        if path.parts in ((), (".",)):
            raise fail("public_files", f"{entry!r} names the whole download; name files, folders or globs in it")
        entries.append(entry)
    if len(set(entries)) != len(entries):
        raise fail("public_files", f"an entry is listed twice: {entries!r}")
    return tuple(entries)


def _archive_hint(value: str) -> str:
    """``; an archive in the download is extracted where it lies: name a file inside it, e.g. 'ru_train.csv'`` for
    a file key naming an inner archive (a sweep's text-normalization-challenge-russian-language ships
    ``ru_train.csv.zip``); "" otherwise."""
    if inner_archive_kind(value) is None:
        return ""
    end = next(end for end in INNER_ARCHIVES if value.lower().endswith(end))
    inside = value[: -len(end)]
    example = f", e.g. {inside!r}" if is_data_file(inside) else ""
    return f"; an archive in the download is extracted where it lies, and removed: name a file inside it{example}"
