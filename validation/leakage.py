"""Leakage checks on a prepared split: what MLE-bench left to hope, checked every time a split is built.

>>> facts = LeakageFacts(target_columns=("Survived",), id_column="PassengerId", group_column=None,
...                      released_labels=False, original_rows=891)
>>> checks = check_prepared_split(root.prepared("titanic").staging, facts)

Each check says what it found. All are blocking: a split that fails one is not published.

- ``ids_disjoint``: no id (or, without an id column, no identical row) in both the new train and test sets.
- ``no_target_in_public_test``: the public test file has none of the target columns.
- ``public_free_of_private``: no public file has the content of a private one, and no file of the split's own (its
  test set) all of the answers' columns. The recipe's extra ``public_files`` are judged by what their rows pair
  instead (seti-breakthrough-listen's ``old_leaky_data/`` has the answers' columns for ids no new test row has; new
  test ids and their labels come from the new test set and the label sources, compared as text):

  - none is a copy (same bytes, by the sha256 computed while it was copied, or same content) of a file holding
    answers (the released or original answers file, or the original train file);
  - no table among them gives new test ids' labels away: a target column (by name) next to the id column, or any
    column holding new test ids next to any column agreeing with their labels (``LABEL_SHARE`` of at least
    ``LEAST_LABELLED_IDS`` of them, or ``COLUMN_LABEL_SHARE`` of at least ``NOISY_LEAST_IDS``: a copy of the labels
    with some flipped, too; well beyond chance, :func:`_beyond_chance`; an id's rows agree when they hold its label
    more often than any other label, so a row of every label for each id tells none), whatever the columns are called
    (``image_id, label``), or a column of a few values standing for the labels written otherwise (``CAT`` for
    ``cat``, ``True`` for ``1``, always the other label of two: :func:`_labels_written_otherwise`),
    or a column naming, next to new test ids, the 0/1 targets that are 1 for them (ranzcr-clip's
    ``train_annotations.csv``; :func:`_named_targets`), or a number column that follows a numeric target of the new
    test ids in any column holding them (a Pearson or rank correlation of at least ``LEAST_CORRELATION`` in size,
    over at least ``LEAST_LABELLED_IDS`` of them: the target rounded, rescaled, transformed, or its largest part),
    unless it is a public test column, by name and values; a table without the
    id column is matched to the new test rows by the columns it shares with the public test set where those tell
    the rows apart (champs-scalar-coupling's ``scalar_coupling_contributions.csv`` by ``molecule_name, atom_index_0,
    atom_index_1, type``), and judged the same way;
    data files (CSV, TSV, JSON and Parquet, and gzip'd CSV, TSV and JSON) are read as such, any other text file
    (``.txt``, ``.dat``) as a delimited table where DuckDB's sniffer reads one;
  - no other text file (prose, a malformed table) has new test ids on a line with their label and no other label
    of that target (same thresholds); it is scanned line by line, up to ``TEXT_SCAN_LIMIT`` bytes, and a larger one,
    or an extra data file that is neither readable nor text, is not cleared: the check fails, naming the file and
    what to do (remove it from ``public_files``, or replace it with a file DuckDB reads);
  - no per-sample file's path names its label: a file named by an id (the whole name, its stem, or any run of the
    pieces of its name between ``.``, ``-`` and ``_``, so ``img7.jpg`` and ``cat.7.jpg`` both name id ``7`` or
    ``img7.jpg``; or a folder) with the id's label in a folder of its path (``train_images/<class>/<id>.jpg``) or
    among its name's other pieces (``cat.123.jpg``, as dogs-vs-cats names them; in any case, a text label also in
    the plural and without its separators, ``CAT_123.jpg``, ``cats/123.jpg``, ``common_chickweed/``, and where
    letters meet digits, ``123_label1.jpg``: :class:`LabelSpellings`), and no other label of the target there, for
    at least ``LABEL_SHARE`` of the id-named files at that place, new test ids among them (a path with both of a
    0/1 target's labels among its pieces, as every DICOM UID has, tells neither; a word every path has, ``frame0``,
    tells nothing: one label told is no leak when the other labels' files are marked alike there).

  With the recipe's ``test_ids`` (new ids for the new test rows), the rows' own ids in the download count as new
  test ids as well, and an extra file with a new test row's file's bytes and that row's label in its path is caught
  (a copy of a clip named ``up__<clip>.wav``).

  Each row's own file (recipe key ``row_files``: an image per row, copied with its row) is a public file like the
  others for the data-file checks above; its content is not read for labels (it is the row's data, as its feature
  columns are), but a new test row's file must not carry the row's label in its path (a folder, or a piece of its
  name: ``test/cat.12.jpg``, with no other label of the target there) for ``LABEL_SHARE`` of them (the test pattern
  naming a target is refused before).

  Binary files other than data files (images, archives) are cleared by the copy and path checks only: their
  content is not read for labels, and the found text says how many there were (the warning check
  ``binary_files_without_test_ids``, ``validation.binary_files``, looks for the new test rows' ids in them). Without an id column (rows identified by their content), a new test row cannot be found in
  an extra file, so the label checks cannot run: the check fails for any extra file that is not already caught as a
  copy ("not checked for labels: no id column"), rather than claim the files are clear; set ``id_column`` or drop
  ``public_files``.
  The new public test set's own columns taken from the training file (where Kaggle's test file does not have them:
  without a test table, every training column but the targets) must not copy a target: judged on the new training
  set's rows, as they are or in other letter case, one value for each label, or a number one for one
  (:func:`_test_set_labels`; a feature merely predictive, or a coarser code, passes). Nor may the ids, read in
  order (a training file sorted by label, whose new test rows kept their ids: otto-group's) or by a piece
  (word2vec's ``<review>_<rating>``): :mod:`validation.id_order`.
- ``groups_disjoint``: for group splits, no group on both sides.
- ``rows_conserved``: new train + new test = the original train set (for released labels: train unchanged, test =
  the labelled original test set, less the rows Kaggle did not score).
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import duckdb
import numpy as np
import pandas as pd

from validation.checks import Check
from validation.data_files import (
    DELIMITED,
    TRUE_WORDS,
    DataFileError,
    NoRecords,
    columns_of,
    content_checksum,
    data_format,
    delimited_options,
    file_sha256,
    first_non_utf8,
    id_key,
    is_data_file,
    json_lines_by_name,
    key_text,
    layout_options,
    literal,
    mapped_sql,
    path_literal,
    quote,
    reader_sql,
    utc_connection,
)
from validation.data_root import TEST, TRAIN, PreparedFolder
from validation.id_order import labels_read_from_ids

IDS_DISJOINT = Check(
    "ids_disjoint",
    "No id (or identical row) in both the new train and test sets.",
    blocking=True,
    remedy="The original training set repeats these ids (or rows), so a split by row put copies on both sides: make "
    "the recipe a group split on the repeated column (`kind: group`, `group_column`), or set `id_column` if the "
    "rows have a real id; then split again.",
)
NO_TARGET_IN_PUBLIC_TEST = Check(
    "no_target_in_public_test",
    "The public test file has no target column.",
    blocking=True,
    remedy="The public test set would hand agents the answers: name every answer column in the recipe's "
    "`target_columns` (and check that `test_file` is the unlabelled test set); then split again.",
)
PUBLIC_FREE_OF_PRIVATE = Check(
    "public_free_of_private",
    "No public file holds the content of a private one, nor a file of the split's own all of its columns; no extra "
    "public file (the recipe's public_files, train_tables' test sides) is an answers file, holds a new test row's "
    "target, or sits under a folder named by its label; no public test column copies a target; the ids, read in "
    "order, do not give the labels away.",
    blocking=True,
    remedy="Do as the finding says: each finding ends with its fix where it has one of its own (test_ids, "
    "train_tables); else remove the files it names, or the files it counts, from the recipe's `public_files` (or "
    "replace them in the download with ones that hold no answers); then split again.",
)
GROUPS_DISJOINT = Check(
    "groups_disjoint",
    "For group splits, no group on both sides.",
    blocking=True,
    remedy="Check that the recipe's `group_column` is the column whose rows must stay together; if it is, report "
    "the recipe and these groups: the split should never do this.",
)
ROWS_CONSERVED = Check(
    "rows_conserved",
    "New train + new test = the original train set (released labels: train unchanged).",
    blocking=True,
    remedy="Rows were lost or added while splitting: check that the download is complete (`mlecurate show` the "
    "competition) and that the recipe's `train_file` (and, for released labels, `original_answers_file`) are the "
    "right files; then split again.",
)
LEAKAGE_CHECKS = (IDS_DISJOINT, NO_TARGET_IN_PUBLIC_TEST, PUBLIC_FREE_OF_PRIVATE, GROUPS_DISJOINT, ROWS_CONSERVED)


@dataclass(frozen=True)
class ExtraFile:
    """One of the recipe's extra public files."""

    path: str  # relative to public/
    sha256: str  # of its bytes, computed once, while it was copied
    entry: str  # the public_files entry that brought it (named in what to do about a problem)
    test_side: bool = False  # a train_tables entry's new test rows' rows (its test:)


@dataclass(frozen=True)
class RowFileFact:
    """One row's file (recipe keys ``row_files``, ``test_row_files``)."""

    path: str  # relative to public/
    side: str  # "train" or "test"
    sha256: str  # of its bytes, computed once, while it was copied
    labels: tuple[tuple[str, str], ...] = ()  # the row's (target, label) pairs (every label a target has)
    entry: str = ""  # the other_row_files entry that placed it ("": row_files' own): each set is judged on its own


@dataclass(frozen=True)
class LeakageFacts:
    target_columns: tuple[str, ...]
    id_column: str | None
    group_column: str | None
    released_labels: bool
    original_rows: int  # rows in the original train file
    labelled_test_rows: int | None = None  # for released labels: rows in the labelled original test file
    ignored_test_rows: int = 0  # of them, those Kaggle did not score (left out of the test set)
    public_files: tuple[ExtraFile, ...] = ()  # the recipe's extra public files
    answer_sources: tuple[Path, ...] = ()  # files of the download holding answers (released or original answers)
    label_sources: tuple[Path, ...] = ()  # files of the download with the id and target columns (train, answers)
    row_files: tuple[RowFileFact, ...] = ()  # each row's own file (row_files), copied with its row
    # With the recipe's test_ids: the new test rows' own ids in the download, which are new test ids all the same
    # (a file or table of the download names them); the answers, among label_sources, label the new ids.
    renamed_ids: tuple[str, ...] = ()
    # With the recipe's listed_values: each target's labels as the download's paths spell them (value -> text):
    # a path or table telling dogs-vs-cats' "dog" tells the label 1.
    label_texts: dict[str, dict[str, str]] = field(default_factory=dict)
    recipe: dict = field(default_factory=dict)  # the recipe document: it names the public tables (published_tables)
    # The columns of Kaggle's own test file (None without one, or for released labels, whose public test set is it):
    # the public test set's other columns came from the training file, and are judged for labels like an extra table.
    kaggle_test_columns: tuple[str, ...] | None = None


# A place (a folder level, the file name, a table's column, a line of text) gives labels away when it holds the label
# of at least this share of the new test ids found there, and of at least LEAST_LABELLED_IDS of them (all of them in
# a smaller test set); a table's column must also agree well beyond chance (Cohen's kappa at least LEAST_KAPPA).
LABEL_SHARE = 0.9
# A table's column agreeing with this share of the new test ids' labels (and with the same share of those whose label
# is not the commonest, Cohen's kappa at least LEAST_KAPPA) gives them away: seti-breakthrough-listen's
# old_leaky_data/train_labels_old.csv is an older labelling, a copy with some labels flipped (a newcomer's sweep: one
# 87% right was published, where under AUC it is most of the answer). A feature that close to the label is one too.
COLUMN_LABEL_SHARE = 0.8
LEAST_LABELLED_IDS = 10
# A column of the new public test set taken from the training file copies a target when it writes its labels one for
# one for this share of the new test rows (and of those whose label is not the commonest), or follows a numeric one
# this closely: a feature merely predictive of the label is the competition's to give.
COPY_SHARE = 0.999
COPY_CORRELATION = 0.999
COPY_ROWS = 5_000  # training rows it reads, a reservoir sample (a copy agrees on any; 200,000 took 196 s: review 190)
# Agreement beyond chance: Cohen's kappa at least LEAST_KAPPA (a noisy copy of seti's 10%-positive labels, 87% right,
# has 0.45); and an agreement under LABEL_SHARE counts only over at least NOISY_LEAST_IDS ids (8 of 10 on a coin's
# odds is one table in twenty; 24 of 30 one in 1,400).
LEAST_KAPPA = 0.4
NOISY_LEAST_IDS = 30
CODED_SUPPORT = 5  # ids a value of a column standing for the labels holds, on average, at least
LEAST_CORRELATION = 0.95  # a number column this close to a numeric target gives it away
TEXT_SCAN_LIMIT = 64 * 1024 * 1024  # bytes of a text file scanned line by line; a larger one is not cleared
TEXT_PROBE = 8192  # bytes read to tell text from binary
LEAST_TOLD_LABEL = 3  # ids of a label a table's lines name, at least, for the label to be judged on its own
MAX_PIECES = 12  # a file name or word with more pieces than this has its pieces tried alone, not every run
TOKEN_BREAK = re.compile(r"[^\w.\-]+")
PIECE_BREAK = re.compile(r"([._\-])")


@dataclass(frozen=True)
class SplitCheck:
    name: str
    passed: bool
    found: str
    metadata: dict = field(default_factory=dict)


def check_prepared_split(folder: PreparedFolder, facts: LeakageFacts) -> list[SplitCheck]:
    """Run every leakage check on ``folder`` (``public/`` + ``private/``)."""
    con = utc_connection()
    try:
        train, test = folder.public_table(TRAIN, facts.recipe), folder.public_table(TEST, facts.recipe)
        con.execute("CREATE TEMP TABLE renamed_test_ids AS SELECT unnest(?::VARCHAR[]) AS k", [list(facts.renamed_ids)])
        return [
            _ids_disjoint(con, train, test, facts),
            _no_target_in_public_test(con, test, facts),
            _public_free_of_private(con, folder, facts, train),
            _groups_disjoint(con, train, test, facts),
            _rows_conserved(con, train, test, facts),
        ]
    finally:
        con.close()


ID_MATCH = "__mlecurate_id_match"  # a macro on the checks' connection: how an id is matched across tables


def _id_match(sql: str) -> str:
    return f"{ID_MATCH}({sql})"


def _define_id_match(con, train: Path, test: Path, facts: LeakageFacts) -> bool:
    """Define :data:`ID_MATCH`: :func:`id_key` (an id's core where it has a short affix: siim's
    ``00086460a852_study`` is the image table's ``00086460a852``) where the split's own ids keep distinct cores, else
    :func:`key_text`: ids that are themselves ``<core>_<n>`` (a study's images ``<uid>_1``, ``<uid>_2``) are not
    one id (review 201: a train_tables file of the training images was refused as holding the new test images').
    Whether the cores are distinct. Defined where the extra files are judged, the only place that matches ids (a
    split without them does not pay for it: 7 s over 2.2M ids, review 202)."""
    expression = key_text("x")
    columns = {path: columns_of(con, path) for path in (train, test)}
    if facts.id_column and all(facts.id_column in found for found in columns.values()):
        column = quote(facts.id_column)
        ids = " UNION ALL ".join(f"SELECT CAST({column} AS VARCHAR) AS k FROM {reader_sql(p)}" for p in columns)
        if con.execute(f"SELECT count(DISTINCT k) = count(DISTINCT {id_key('k')}) FROM ({ids})").fetchone()[0]:
            expression = id_key("x")
    con.execute(f"CREATE OR REPLACE TEMP MACRO {ID_MATCH}(x) AS {expression}")
    return expression != key_text("x")


def _overlap(con, train: Path, test: Path, expression: str) -> tuple[int, list]:
    query = f"""SELECT k FROM (SELECT DISTINCT {expression} AS k FROM {reader_sql(train)})
                INTERSECT SELECT k FROM (SELECT DISTINCT {expression} AS k FROM {reader_sql(test)})"""
    rows = con.execute(f"SELECT count(*) OVER (), k FROM ({query}) LIMIT 5").fetchall()
    return (rows[0][0] if rows else 0), [r[1] for r in rows]


def _ids_disjoint(con, train: Path, test: Path, facts: LeakageFacts) -> SplitCheck:
    test_columns = columns_of(con, test)
    if facts.id_column and facts.id_column in test_columns:
        expression, what = f"CAST({quote(facts.id_column)} AS VARCHAR)", f"id column {facts.id_column}"
        unit = "id"
    else:
        fields = ", ".join(f"{quote(c)} := {quote(c)}" for c in sorted(test_columns))
        expression, what = f"CAST(struct_pack({fields}) AS VARCHAR)", "identical rows (no id column)"
        unit = "row"
    count, examples = _overlap(con, train, test, expression)
    found = (
        f"{count:,} shared by train and test ({what}), e.g. {_short(examples)}"
        if count
        else f"no {unit} in both the new train and test sets ({what})"
    )
    return SplitCheck(IDS_DISJOINT.name, count == 0, found, {"shared": count, "compared": what})


def _no_target_in_public_test(con, test: Path, facts: LeakageFacts) -> SplitCheck:
    leaked = [c for c in columns_of(con, test) if c in facts.target_columns]
    found = f"target column(s) {', '.join(leaked)} in {test.name}" if leaked else f"no target column in {test.name}"
    return SplitCheck(NO_TARGET_IN_PUBLIC_TEST.name, not leaked, found, {"targets": ", ".join(facts.target_columns)})


def _public_free_of_private(con, folder: PreparedFolder, facts: LeakageFacts, train: Path) -> SplitCheck:
    private = {p.name: content_checksum(p, con) for p in sorted(folder.private.iterdir()) if p.is_file()}
    answer_columns = set(columns_of(con, folder.answers))
    extras = {folder.public.joinpath(*PurePosixPath(f.path).parts): f for f in facts.public_files}
    problems = []
    scanned: dict[Path, tuple[str, list[str]]] = {}  # content checksum and columns of each readable data file
    unreadable: dict[Path, str] = {}  # extra data files DuckDB cannot read, and why
    row_paths = {folder.public.joinpath(*PurePosixPath(f.path).parts) for f in facts.row_files}
    public_files = sorted(p for p in _data_files(folder.public) if p not in row_paths)  # row files: by bytes, below
    for path in public_files:
        name = path.relative_to(folder.public).as_posix()
        if path == folder.sample_submission:
            continue  # it has the answers' columns by design, with trivial values
        try:
            checksum, columns = content_checksum(path, con), columns_of(con, path)
        except NoRecords:  # sweep 191: lyft's attribute.json of [] failed the split; no record holds no answer
            if path in extras:
                continue
            raise
        except DataFileError as error:
            if path in extras:
                unreadable[path] = str(error)  # the extra files' checks try it as text
            else:
                problems.append(f"{name} cannot be read, so it cannot be cleared of answers ({error})")
            continue
        scanned[path] = (checksum, columns)
        if checksum in private.values():
            problems.append(f"{name} has the content of a private file")
        elif answer_columns <= set(columns) and path != train and path not in extras:
            problems.append(f"{name} holds every answers column")  # extra files: by what their rows pair, below
    if extras:
        problems += _extra_files_leak(con, folder, facts, extras, scanned, unreadable)
    problems += _test_set_labels(con, folder, facts)
    row_files = _as_spelled(facts.row_files, facts.label_texts)  # labels as paths would tell them
    for entry in sorted({f.entry for f in row_files}):  # each set of files on its own: one's labels are not
        problems += _labels_in_row_file_paths(tuple(f for f in row_files if f.entry == entry))  # diluted by another's
    problems += _test_files_copied_with_labels(facts.public_files, row_files)
    problems += _row_files_copying_private(folder, facts.row_files)
    if not facts.released_labels and (read := labels_read_from_ids(
            con, train, folder.answers, facts.id_column, list(facts.target_columns), facts.recipe.get("kind"),
            folder.public_table(TEST, facts.recipe))):  # fmt: skip
        problems.append(read)
    sides = Counter(f.side for f in facts.row_files)
    found = "; ".join(problems) or (
        f"{len(public_files)} public data file(s)"
        + (f" and {len(extras)} extra public file(s)" if extras else "")
        + (f" and {len(facts.row_files):,} row file(s) (train {sides['train']:,}, test {sides['test']:,})"
           if facts.row_files else "")
        + ", none holds private content"
        + (" or a new test row's label" if extras or facts.row_files else "")
        + (f" ({binary:,} binary extra file(s) among them judged by their bytes and paths alone: their contents are "
           "not read for labels)" if (binary := _binary_extras(extras)) else "")
        + (" (row files are judged by their paths and bytes alone: what a file holds inside, such as the labels in a "
           "sample's archive, is not read)" if facts.row_files else "")  # sweep 178's gesture zips held their labels
    )  # fmt: skip
    metadata = {"public_files": len(public_files), "extra_public_files": len(extras)}
    if facts.row_files:
        metadata |= {"row_files_train": sides["train"], "row_files_test": sides["test"]}
    return SplitCheck(PUBLIC_FREE_OF_PRIVATE.name, not problems, found, metadata)


def _test_set_labels(con, folder: PreparedFolder, facts: LeakageFacts) -> list[str]:
    """A column of the new public test set that came from the training file (not Kaggle's test file, whose columns
    are Kaggle's features) and copies a target (sweep 186: herbarium's ``folder`` beside ``category_id``, in a
    download without a test table, went public in test.csv with every check passed). Judged on the new training set,
    which has both (``COPY_ROWS`` of its rows, drawn alike on every run), over the rows with a label, at least
    ``LEAST_LABELLED_IDS``: the label as it is (in any letter case), or written otherwise one for one (a value for each
    label, each held by ``CODED_SUPPORT`` rows on average), for ``COPY_SHARE`` of the rows (and of those whose label
    is not the commonest), or a number following a numeric target one for one (as many distinct values, a Pearson or
    rank correlation of at least ``COPY_CORRELATION`` in size). A feature merely predictive of the label, or a
    coarser code of it (a genus beside a species), is the competition's to give: only a copy is judged here, so only a
    column with as many distinct values as the target (within the share's slack) is read against it."""
    if facts.released_labels:
        return []
    test, train = folder.public_table(TEST, facts.recipe), folder.public_table(TRAIN, facts.recipe)
    train_columns, kaggle = columns_of(con, train), set(facts.kaggle_test_columns or ())
    targets = [t for t in facts.target_columns if t in train_columns]
    judged = [c for c in columns_of(con, test) if c in train_columns and c not in kaggle and c != facts.id_column]
    if not judged or not targets:
        return []
    read = list(dict.fromkeys([*judged, *targets]))
    con.execute(  # drawn over the whole file: one sorted by label (herbarium's) starts with one label (review 192)
        f"CREATE OR REPLACE TEMP TABLE copy_rows AS SELECT {', '.join(quote(c) for c in read)} FROM {reader_sql(train)} "
        f"USING SAMPLE reservoir({COPY_ROWS} ROWS) REPEATABLE (0)"
    )
    try:
        return _copies_found(con, test.relative_to(folder.public).as_posix(), judged, targets)
    finally:
        con.execute("DROP TABLE IF EXISTS copy_pairs")
        con.execute("DROP TABLE IF EXISTS copy_rows")


def _copies_found(con, name: str, judged: list[str], targets: list[str]) -> list[str]:
    """:func:`_test_set_labels`' finding over temp table ``copy_rows`` (it fills ``copy_pairs``): the first copy, or
    nothing."""
    pairs = _copy_candidates(con, judged, targets)
    if not pairs:  # review 192: every column against every target cost 130 s on 200 columns and 50 targets
        return []
    cells = " UNION ALL ".join(
        f"SELECT {literal(c)} AS col, {literal(t)} AS target, CAST({quote(c)} AS VARCHAR) AS val, "
        f"CAST({quote(t)} AS VARCHAR) AS label FROM copy_rows WHERE {quote(t)} IS NOT NULL"
        for c, t in pairs
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE copy_pairs AS SELECT col, target, val, label, count(*) AS n FROM ({cells}) "
        "GROUP BY ALL"
    )
    for query, said in _COPY_QUERIES:
        found = con.execute(query.format(share=COPY_SHARE, support=CODED_SUPPORT, least=LEAST_LABELLED_IDS,
                                         correlation=COPY_CORRELATION)).fetchall()  # fmt: skip
        if found:
            col, target, copied, rows = found[0]
            return [
                f"{name} gives the {target} of the new test rows away: column {col}, which the new test set took from "
                f"the training file, {said} (on {copied:,} of the new training set's {rows:,} rows read); name the "
                f"columns it keeps in the recipe's test_columns, leaving {col} out"
            ]
    return []


def _copy_candidates(con, judged: list[str], targets: list[str]) -> list[tuple[str, str]]:
    """The (column, target) pairs of ``copy_rows`` that may be copies, read whole by :data:`_COPY_QUERIES`: as many
    distinct values as written without case and surrounding spaces (a copy as it is, or a value for each label,
    within the share's slack), or, for two number columns, a column of at least as many distinct values whose rank
    correlation with the target is at least ``COPY_CORRELATION`` in size, found for every such pair at once (pandas'
    ranks and their correlation matrix); the others are no copy, and not read against each other (review 192: every
    pair read cost 130 s on 200 columns and 50 targets; review 194: a case-blind count, or a noisy number, kept)."""
    read = list(dict.fromkeys([*judged, *targets]))
    counted = ", ".join(f"count(DISTINCT lower(trim(CAST({quote(c)} AS VARCHAR)))), count({quote(c)}), "
                        f"count(TRY_CAST({quote(c)} AS DOUBLE))" for c in read)  # fmt: skip
    values = con.execute(f"SELECT count(*), {counted} FROM copy_rows").fetchall()[0]
    slack = max(1, int((1 - COPY_SHARE) * COPY_ROWS))
    distinct = {c: values[1 + 3 * k] for k, c in enumerate(read)}
    numeric = {c for k, c in enumerate(read) if values[2 + 3 * k] and values[2 + 3 * k] == values[3 + 3 * k]}
    rows = values[0]

    def ranked_only(c: str, t: str) -> bool:  # two numbers of a continuous target: no label to write otherwise
        return {c, t} <= numeric and distinct[t] * CODED_SUPPORT > rows

    alike = [
        (c, t) for c in judged for t in targets if abs(distinct[c] - distinct[t]) <= slack and not ranked_only(c, t)
    ]
    numbers_of = [(c, t) for c in judged for t in targets
                  if {c, t} <= numeric and (c, t) not in alike and distinct[c] >= COPY_SHARE * distinct[t]]  # fmt: skip
    if not numbers_of:
        return alike
    ranked = sorted({name for pair in numbers_of for name in pair})
    numbers = con.execute(
        "SELECT " + ", ".join(f"TRY_CAST({quote(c)} AS DOUBLE) AS {quote(c)}" for c in ranked) + " FROM copy_rows"
    ).df()
    following = {pair for pair, r in _rank_correlations(numbers, numbers_of).items() if abs(r) >= COPY_CORRELATION}
    return [pair for pair in [*alike, *numbers_of] if pair in alike or pair in following]


def _rank_correlations(numbers: pd.DataFrame, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """Spearman's r of each pair of ``numbers``' columns (Pearson's r of their ranks; DuckDB's rank windows, one a
    column, took 82 s for 250 columns): one matrix product where no value is missing, else pandas' pairwise one over
    the rows having both (nan for a constant column)."""
    ranks = numbers.rank()
    if not ranks.isna().to_numpy().any():
        centred = ranks - ranks.mean()
        spread = np.sqrt((centred**2).sum())
        scaled = (centred / spread.where(spread > 0)).fillna(0.0)
        matrix = pd.DataFrame(scaled.to_numpy().T @ scaled.to_numpy(), index=ranks.columns, columns=ranks.columns)
    else:
        matrix = ranks.corr()
    return {(c, t): float(matrix.at[c, t]) for c, t in pairs}


# Each (query over copy_pairs, what a column it finds does): (col, target, rows it copies, rows with a label), or none.
_COPY_QUERIES = (
    (
        """SELECT col, target, sum(n) FILTER (WHERE lower(trim(val)) = lower(trim(label))) AS copied, sum(n) AS rows
        FROM copy_pairs GROUP BY ALL
        HAVING count(DISTINCT label) >= 2 AND sum(n) >= {least} AND copied >= {share} * sum(n)
        ORDER BY col, target LIMIT 1""",
        "copies it",
    ),
    (
        """WITH coded AS (SELECT * FROM copy_pairs SEMI JOIN (  -- few labels, each on enough rows: else no code
                 SELECT col, target FROM copy_pairs GROUP BY ALL
                 HAVING count(DISTINCT label) >= 2 AND sum(n) >= {support} * count(DISTINCT label)) USING (col, target)),
             by_value AS (SELECT col, target, val, arg_max(label, n) AS label FROM coded GROUP BY ALL),
             by_label AS (SELECT col, target, label, arg_max(val, n) AS val FROM coded GROUP BY ALL),
             commonest AS (SELECT target, arg_max(label, n) AS label
                           FROM (SELECT target, label, sum(n) AS n FROM coded GROUP BY target, label)
                           GROUP BY target),
             judged AS (
                SELECT p.col, p.target, sum(p.n) AS rows, count(DISTINCT p.label) AS labels,
                       coalesce(sum(p.n) FILTER (WHERE v.label IS NOT NULL AND b.val IS NOT NULL), 0) AS copied,
                       coalesce(sum(p.n) FILTER (WHERE c.label IS NULL), 0) AS rarer,
                       coalesce(sum(p.n) FILTER (WHERE c.label IS NULL AND v.label IS NOT NULL AND b.val IS NOT NULL),
                                0) AS rarer_copied
                FROM coded p
                     LEFT JOIN by_value v ON v.col = p.col AND v.target = p.target AND v.val = p.val
                                             AND v.label = p.label
                     LEFT JOIN by_label b ON b.col = p.col AND b.target = p.target AND b.label = p.label
                                             AND b.val = p.val
                     LEFT JOIN commonest c ON c.target = p.target AND c.label = p.label
                GROUP BY ALL)
        SELECT col, target, copied, rows FROM judged
        WHERE labels >= 2 AND rows >= {least} AND rows >= {support} * labels  -- a value per row would copy any label
              AND copied >= {share} * rows AND rarer_copied >= {share} * rarer
        ORDER BY col, target LIMIT 1""",
        "writes it otherwise, one value for each label",
    ),
    (
        """WITH pairs AS (SELECT col, target, TRY_CAST(val AS DOUBLE) AS x, TRY_CAST(label AS DOUBLE) AS y, n
                       FROM copy_pairs),
             labelled AS (SELECT col, target, sum(n) AS rows FROM copy_pairs GROUP BY ALL),
             numbers AS (SELECT col, target, x, y FROM pairs, range(n) WHERE x IS NOT NULL AND y IS NOT NULL),
             ranked AS (SELECT *, rank() OVER (PARTITION BY col, target ORDER BY x) AS rx,
                                  rank() OVER (PARTITION BY col, target ORDER BY y) AS ry FROM numbers)
        SELECT col, target, count(*) AS copied, any_value(l.rows) AS rows FROM ranked JOIN labelled l USING (col, target)
        GROUP BY ALL
        HAVING count(*) >= {least} AND count(*) >= {share} * any_value(l.rows) AND var_pop(x) > 0 AND var_pop(y) > 0
               AND count(DISTINCT x) >= {share} * count(DISTINCT y)  -- one for one: no coarser code of the target
               AND greatest(abs(corr(x, y)), abs(corr(rx, ry))) >= {correlation}
        ORDER BY col, target LIMIT 1""",
        "follows it, number for number",
    ),
)


def _binary_extras(extras: dict[Path, ExtraFile]) -> int:
    """How many extra files are neither data files nor text: their contents are not read for labels."""
    return sum(1 for path in extras if not is_data_file(path.name) and path.is_file() and not is_text(path))


def _data_files(top: Path) -> list[Path]:
    """The CSV, JSON and Parquet files under ``top`` (``os.walk``, suffixes first: a split with row files has
    100,000 images there, and pathlib's ``rglob`` costs seconds on them)."""
    return [
        Path(where, name)
        for where, _, names in os.walk(top)
        for name in names
        if is_data_file(name) and os.path.isfile(os.path.join(where, name))
    ]


def _extra_files_leak(
    con,
    folder: PreparedFolder,
    facts: LeakageFacts,
    extras: dict[Path, ExtraFile],
    scanned: dict[Path, tuple[str, list[str]]],
    unreadable: dict[Path, str],
) -> list[str]:
    """What the recipe's extra public files give away: a copy of an answers file, a new test id's label in a table
    or a line of text, a label in a per-sample file's path (see the module's docstring)."""
    problems = []
    sources = [s for s in facts.answer_sources if s.is_file()]
    digests = {file_sha256(s): s.name for s in sources}
    contents = {}
    for source in sources:
        if is_data_file(source.name):
            with contextlib.suppress(DataFileError):  # unreadable: its bytes are still compared
                contents[content_checksum(source, con)] = source.name
    copies = set()
    for path, extra in sorted(extras.items()):
        if extra.sha256 in digests:
            problems.append(f"{extra.path} is a copy of {digests[extra.sha256]}, which holds answers")
            copies.add(path)
        elif path in scanned and scanned[path][0] in contents:
            problems.append(f"{extra.path} has the content of {contents[scanned[path][0]]}, which holds answers")
            copies.add(path)
    test_count = _new_test_labels(con, folder, facts)
    if test_count is None:
        if len(copies) < len(extras):
            problems.append(
                f"{len(extras) - len(copies):,} extra public file(s) not checked for labels: no id column (rows are "
                "identified by their content), so a new test row cannot be found in them; remove them from "
                "public_files, or set id_column"
            )
        return problems
    least = min(LEAST_LABELLED_IDS, test_count)
    labels = _test_label_index(con)
    for path, extra in sorted(extras.items()):
        if path in copies:
            continue
        if path in scanned and (coco := coco_table(con, path, scanned[path][1])):
            problems += _data_file_labels(con, path, extra, facts, coco[1], least, coco[0])
        elif path in scanned:
            found = _data_file_labels(con, path, extra, facts, scanned[path][1], least)
            problems += found or _ids_inside_text(con, path, extra, scanned[path][1], labels, least)
        else:
            problems += _text_file_labels(con, path, extra, facts, labels, least, unreadable.get(path))
    problems += _labels_in_paths(con, [PurePosixPath(f.path) for f in extras.values()])
    return problems


def _ids_inside_text(con, path: Path, extra: ExtraFile, columns: list[str], labels: dict, least: int) -> list[str]:
    """A text data file (CSV, TSV, JSON Lines) none of whose columns holds new test ids whole, scanned line by line
    as a table's lines (:func:`_scan_lines`, ``tabled``): notes naming studies inside their text ("study 1b2c :
    typical") were refused as ``.txt``, published as ``.csv`` (review 198), and so are notes naming integer ids
    ("photo 100123 shows a cat": review 203)."""
    if (
        not is_text(path)
        or path.stat().st_size > TEXT_SCAN_LIMIT
        or _test_id_columns(con, reader_sql(path), columns, least)
    ):
        return []
    found = _scan_lines(path, labels, least, tabled=True)
    return [f"{extra.path} gives new test ids' labels away: {found}"] if found else []


def _new_test_labels(con, folder: PreparedFolder, facts: LeakageFacts) -> int | None:
    """Make temp view ``public_test`` (the new public test set), fill temp tables ``new_test_ids(k)``,
    ``path_labels(k, target, label)`` (every labelled id; a target ``listed_values`` maps has its labels a second
    time as the download's paths spell them, under :func:`spelled_target`) and ``test_labels`` (the new test ids');
    return the number of new test ids, or None without an id column."""
    test = folder.public_table(TEST, facts.recipe)
    if not facts.id_column or facts.id_column not in columns_of(con, test):
        return None
    con.execute(f"CREATE OR REPLACE TEMP VIEW public_test AS SELECT * FROM {reader_sql(test)}")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE new_test_ids AS
            SELECT DISTINCT CAST({quote(facts.id_column)} AS VARCHAR) AS k FROM public_test
            UNION SELECT k FROM renamed_test_ids"""
    )
    selects = _label_rows(con, facts) or ["SELECT NULL::VARCHAR AS k, NULL::VARCHAR AS target, NULL::VARCHAR AS label"]
    con.execute(f"CREATE OR REPLACE TEMP TABLE path_labels AS {' UNION '.join(selects)}")
    con.execute(
        """CREATE OR REPLACE TEMP TABLE test_labels AS
           SELECT DISTINCT k, target, label FROM path_labels JOIN new_test_ids USING (k) WHERE label IS NOT NULL"""
    )
    count = con.execute("SELECT count(*) FROM new_test_ids").fetchall()[0][0]
    train = folder.public_table(TRAIN, facts.recipe)
    con.execute("CREATE OR REPLACE TEMP TABLE core_aliases (k VARCHAR)")
    if not _define_id_match(con, train, test, facts):  # the split's ids share cores (a study's images <uid>_<n>):
        core = id_key("k")  # a table naming the core bare (the study's findings) names each of them (review 202);
        # not the line scan, whose pieces of a training image's id would name its study (review 201's annotations)
        con.execute(f"INSERT INTO core_aliases SELECT DISTINCT {core} FROM new_test_ids WHERE {core} <> k")
        con.execute("INSERT INTO new_test_ids SELECT k FROM core_aliases")
        con.execute(f"INSERT INTO test_labels SELECT DISTINCT {core}, target, label FROM test_labels WHERE {core} <> k")
    return count


def _test_label_index(con) -> dict[str, list[tuple[str, str]]]:
    """The new test ids' labels, for the scan of text files: id -> [(target, label)], an id written with an affix
    also under its core (``00086460a852`` for ``00086460a852_study``, :func:`id_key`)."""
    index: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for k, target, label in con.execute(
        f"""WITH own AS (SELECT * FROM test_labels WHERE k NOT IN (SELECT k FROM core_aliases))
            SELECT k, target, label FROM own UNION SELECT {_id_match("k")}, target, label FROM own"""
    ).fetchall():
        index[k].append((target, label))
    return index


def _data_file_labels(
    con, path: Path, extra: ExtraFile, facts: LeakageFacts, columns: list[str], least: int, reader: str | None = None
) -> list[str]:
    """A table that gives new test ids' labels away: a target column (by name) next to the id column, or any column
    holding new test ids next to any column agreeing with their labels (:func:`_label_pairs`)."""
    found = _table_labels(con, path, extra, facts, columns, least, reader)
    if found and extra.test_side:  # a train_tables entry's new test rows' rows hold labels
        found[-1] += f"; leave test: out of its train_tables entry ({extra.entry})"
    elif found and facts.id_column in columns and reader is None and not facts.released_labels:  # sweep 174's ranzcr
        found[-1] += (
            f"; to publish its training rows' rows alone, name it in train_tables ({extra.path}: {facts.id_column}) "
            "instead of public_files"
        )
    return found


def _table_labels(
    con, path: Path, extra: ExtraFile, facts: LeakageFacts, columns: list[str], least: int, reader: str | None
) -> list[str]:
    reader = reader or reader_sql(path)
    targets = [c for c in facts.target_columns if c in columns]
    if targets and facts.id_column in columns:
        shared = con.execute(  # ids written otherwise (101.0, 00101 for 101) are the same ids
            f"""SELECT count(DISTINCT t.k) FROM (SELECT DISTINCT CAST({quote(facts.id_column)} AS VARCHAR) AS k
                                                 FROM {reader}) e
                JOIN new_test_ids t ON {_id_match("e.k")} = {_id_match("t.k")}"""
        ).fetchall()[0][0]
        if shared:
            return [
                f"{extra.path} holds target column(s) {', '.join(targets)} for {shared:,} new test id(s) "
                f"({facts.id_column})"
            ]
    if facts.id_column not in columns and (keyed := _keyed_by_test_rows(con, reader, columns, facts)):
        reader, columns = keyed  # rows found by the columns the table shares with the public test set
    return _label_pairs(con, reader, extra, columns, least, facts) or _numbers_agreeing(
        con, reader, extra, columns, facts, least
    )


COCO_RECORDS = ("images", "annotations")  # a COCO-style document's arrays of records: each image, each label of one


def coco_table(con, path: Path, columns: list[str]) -> tuple[str, list[str]] | None:
    """A COCO-style JSON document (inaturalist-2019's ``train2019.json``, herbarium's ``metadata.json``): its
    ``images`` records (``id``, or ``image_id`` as herbarium-2022's, ``file_name``, ...) and ``annotations`` records
    (``image_id``, ``category_id``, ...; ``categories`` keyed ``id`` or ``category_id``)
    as one table, each annotation beside its image's fields, with each file name's last part and its stem (the ids a
    listing takes from paths: ``{file}``) and its category's fields (``categories``: its name, a label written so):
    the table checks' reader and columns. A newcomer's sweep published
    inaturalist's, which paired every new test image with its category, under a warning only. None for another
    document."""
    if not set(COCO_RECORDS) <= set(columns):
        return None
    source = reader_sql(path)
    unnested = {name: f"(SELECT unnest({name}, recursive := true) FROM {source})" for name in COCO_RECORDS}
    try:
        images, annotations = (
            [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {unnested[name]}").fetchall()]
            for name in COCO_RECORDS
        )
    except duckdb.Error:  # not arrays of records
        return None
    # an image's key: COCO's `id`, or `image_id` as herbarium-2022's metadata writes it (a sweep's: it went unread)
    image_key = "id" if "id" in images else "image_id" if "image_id" in images else None
    if image_key is None or "image_id" not in annotations:
        return None
    labels = [c for c in annotations if c not in images]
    named = [f"i.{quote(c)}" for c in images] + [f"a.{quote(c)}" for c in labels]
    added = []
    if "file_name" in images:
        name = "regexp_extract(CAST(i.file_name AS VARCHAR), '[^/]*$')"
        added = [(f"{name}", "file_name (name)"), (f"regexp_replace({name}, '[.][^.]*$', '')", "file_name (stem)")]
    joined = ""
    categories = _category_columns(con, source, columns) if "category_id" in annotations else []
    if categories:  # a label written as the category's name (species), not its number
        key = "id" if "id" in categories else "category_id"
        unnest_categories = f"(SELECT unnest(categories, recursive := true) FROM {source})"
        joined = f" LEFT JOIN {unnest_categories} c ON CAST(c.{key} AS VARCHAR) = CAST(a.category_id AS VARCHAR)"
        added += [(f"c.{quote(c)}", f"category {c}") for c in categories if c != key]
    named += [f"{sql} AS {quote(alias)}" for sql, alias in added]
    reader = (
        f"(SELECT {', '.join(named)} FROM {unnested['images']} i JOIN {unnested['annotations']} a "
        f"ON CAST(a.image_id AS VARCHAR) = CAST(i.{image_key} AS VARCHAR){joined})"
    )
    return reader, [*images, *labels, *(alias for _, alias in added)]


def _category_columns(con, source: str, columns: list[str]) -> list[str]:
    """A COCO document's ``categories`` records' fields (``id``, ``name``, ``family``...), or [] without them."""
    if "categories" not in columns:
        return []
    try:
        described = con.execute(f"DESCRIBE SELECT unnest(categories, recursive := true) FROM {source}").fetchall()
    except duckdb.Error:
        return []
    found = [row[0] for row in described]
    return found if "id" in found or "category_id" in found else []


KEYED = "__mlecurate_test_id"  # the new test id of a table's row, found by the columns it shares with the test set


def _keyed_by_test_rows(con, reader: str, columns: list[str], facts: LeakageFacts) -> tuple[str, list[str]] | None:
    """A table without the id column whose rows are found in the new public test set by the columns both have, where
    those tell the test rows apart (champs-scalar-coupling's ``scalar_coupling_contributions.csv`` by
    ``molecule_name, atom_index_0, atom_index_1, type``): the table with each row's test id as column :data:`KEYED`
    (a reader) and its columns. None when it shares no such columns (a table per molecule under a split of pairs)."""
    shared = [c for c in columns if c in _public_test_columns(con) and c != facts.id_column]
    if not shared:
        return None
    key = ", ".join(key_text(f"CAST({quote(c)} AS VARCHAR)") for c in shared)
    tells_apart = con.execute(
        f"SELECT count(*) = count(DISTINCT ({key})) FROM public_test"
    ).fetchall()[0][0]  # fmt: skip
    if not tells_apart:
        return None
    on = " AND ".join(
        f"{key_text(f'CAST(e.{quote(c)} AS VARCHAR)')} = {key_text(f'CAST(t.{quote(c)} AS VARCHAR)')}" for c in shared
    )
    others = [c for c in columns if c not in shared]
    chosen = ", ".join([f"CAST(t.{quote(facts.id_column)} AS VARCHAR) AS {KEYED}"]
                       + [f"e.{quote(c)}" for c in others])  # fmt: skip
    return f"(SELECT {chosen} FROM {reader} e JOIN public_test t ON {on})", [KEYED, *others]


def _public_test_columns(con) -> list[str]:
    return [row[0] for row in con.execute("DESCRIBE public_test").fetchall()]


def _numbers_agreeing(
    con, reader: str, extra: ExtraFile, columns: list[str], facts: LeakageFacts, least: int
) -> list[str]:
    """A number column that follows a numeric target of at least ``least`` new test ids: a Pearson or a rank
    (Spearman) correlation of at least ``LEAST_CORRELATION`` in size, found by any column holding new test ids (the
    id, one named otherwise, or :data:`KEYED`): the target rounded, rescaled, transformed, or its largest part
    (champs' ``fc``, of the four contributions that sum to ``scalar_coupling_constant``). A column repeating the values of
    the public test column of its name (the same feature, which agents have anyway) is passed over."""
    for key in _test_id_columns(con, reader, columns, least):
        values = [c for c in columns if c != key and not _public_feature(con, reader, key, c, facts)]
        if not values:
            continue
        cells = " UNION ALL ".join(
            f"SELECT CAST({quote(key)} AS VARCHAR) AS k, {literal(c)} AS col, TRY_CAST({quote(c)} AS DOUBLE) AS x "
            f"FROM {reader}"
            for c in values
        )
        found = con.execute(
            f"""WITH pairs AS (
                    SELECT l.target, c.col, l.k, c.x, TRY_CAST(l.label AS DOUBLE) AS y
                    FROM ({cells}) c JOIN test_labels l ON {_id_match("c.k")} = {_id_match("l.k")}
                    WHERE c.x IS NOT NULL AND TRY_CAST(l.label AS DOUBLE) IS NOT NULL),
                ranked AS (
                    SELECT *, rank() OVER (PARTITION BY target, col ORDER BY x) AS rx,
                              rank() OVER (PARTITION BY target, col ORDER BY y) AS ry FROM pairs)
                SELECT target, col, count(DISTINCT k) AS ids,
                       greatest(abs(corr(x, y)), abs(corr(rx, ry))) AS r
                FROM ranked GROUP BY ALL
                HAVING count(DISTINCT k) >= {int(least)} AND var_pop(x) > 0 AND var_pop(y) > 0  -- else corr is NaN
                       AND greatest(abs(corr(x, y)), abs(corr(rx, ry))) >= ?
                ORDER BY r DESC, col LIMIT 1""",
            [LEAST_CORRELATION],
        ).fetchall()
        if found:
            target, col, ids, r = found[0]
            return [
                f"{extra.path} gives the {target} of {ids:,} new test row(s) away: column {col} follows it "
                f"(correlation {r:.3f}) over the {ids:,} new test rows it has"
                + (" (found by the columns it shares with the public test set)" if key == KEYED else f" in {key}")
            ]
    return []


def _test_id_columns(con, reader: str, columns: list[str], least: int) -> list[str]:
    """The table's columns holding at least ``least`` new test ids (ids written otherwise too: 101.0 for 101)."""
    counts = " UNION ALL ".join(
        f"""SELECT {literal(c)} AS col, count(DISTINCT t.k) AS n FROM (SELECT DISTINCT CAST({quote(c)} AS VARCHAR) AS v
            FROM {reader}) e JOIN new_test_ids t ON {_id_match("e.v")} = {_id_match("t.k")}"""
        for c in columns
    )
    found = dict(con.execute(counts).fetchall())
    return [c for c in columns if found.get(c, 0) >= least]


def _public_feature(con, reader: str, key: str, column: str, facts: LeakageFacts) -> bool:
    """Whether ``column`` repeats the values of the public test column of its name (in any letter case and
    punctuation: test.csv's ``has_link`` as ``HasLink`` in a metadata table, which a review found refused) for the
    test rows the table has (at least ``LABEL_SHARE`` of them, found by ``key``): a feature the agents have, not an
    answer."""
    if not facts.id_column or key == KEYED:
        return False
    named = _name_key_text(column)  # by name, in any case and punctuation: by values alone, a column of the
    # majority label would match any mostly-constant public column, and an exact copy of the labels pass (a review)
    candidates = [c for c in _public_test_columns(con) if c != facts.id_column and _name_key_text(c) == named]
    if not candidates:
        return False
    same = ", ".join(
        f"count(*) FILTER (WHERE CAST(e.{quote(column)} AS VARCHAR) = CAST(t.{quote(c)} AS VARCHAR))"
        for c in candidates
    )
    *matches, rows = con.execute(
        f"""SELECT {same}, count(*)
            FROM {reader} e JOIN public_test t
                 ON {_id_match(f"CAST(e.{quote(key)} AS VARCHAR)")} = {_id_match(f"CAST(t.{quote(facts.id_column)} AS VARCHAR)")}"""
    ).fetchall()[0]
    return rows > 0 and max(matches) >= LABEL_SHARE * rows


def _label_pairs(
    con, reader: str, extra: ExtraFile, columns: list[str], least: int, facts: LeakageFacts | None = None
) -> list[str]:
    """Any column pair (key, label) where the key column holds at least ``least`` new test ids and, for at least
    ``COLUMN_LABEL_SHARE`` of them, the label column on the same row holds the id's label, well above chance
    (Cohen's kappa at least ``LEAST_KAPPA``): whatever the columns are called. A public test column the table
    repeats (by name and values, :func:`_public_feature`, with ``facts``) is a feature the agents have, not judged."""
    if len(columns) < 2:
        return []
    cast = ", ".join(f"CAST({quote(c)} AS VARCHAR) AS {quote(c)}" for c in columns)
    unpivot = ", ".join(quote(c) for c in columns)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE extra_cells AS
            UNPIVOT (SELECT row_number() OVER () AS __mlecurate_rid, {cast} FROM {reader})
            ON {unpivot} INTO NAME col VALUE val"""
    )
    con.execute(  # an id's rows agree when they hold its label more often than any other label of the target
        f"""CREATE OR REPLACE TEMP TABLE extra_pairs AS
           WITH keys AS (SELECT c.__mlecurate_rid, c.col AS key_col, t.k FROM extra_cells c
                         JOIN new_test_ids t ON {_id_match("c.val")} = {_id_match("t.k")}),  -- 101.0, 00101, ID_101 for 101
                target_labels AS (SELECT DISTINCT target, label FROM test_labels),
                counted AS (
                    SELECT keys.key_col, l.target, c.col AS label_col, keys.k, l.label, c.val, count(*) AS n,
                           bool_or(v.label IS NOT NULL) AS is_label
                    FROM keys JOIN test_labels l ON keys.k = l.k
                         JOIN extra_cells c ON c.__mlecurate_rid = keys.__mlecurate_rid AND c.col <> keys.key_col
                         LEFT JOIN target_labels v ON v.target = l.target AND v.label = c.val
                    GROUP BY ALL),
                voted AS (
                    SELECT key_col, target, label_col, k, label,
                           coalesce(sum(n) FILTER (WHERE val = label), 0)
                               > coalesce(max(n) FILTER (WHERE is_label AND val <> label), 0) AS agrees,
                           coalesce(arg_max(val, n) FILTER (WHERE is_label AND val <> label), min(val)) AS other,
                           first(val ORDER BY n DESC, val) AS commonest
                    FROM counted GROUP BY ALL)
           SELECT key_col, target, label_col, k, label, CASE WHEN agrees THEN label ELSE other END AS val, agrees,
                  commonest
           FROM voted"""
    )
    try:
        candidates = con.execute(
            f"""SELECT key_col, target, label_col, count(*) AS ids, count(*) FILTER (WHERE agrees) AS agreeing
                FROM extra_pairs GROUP BY ALL
                HAVING count(*) >= {int(least)} AND count(*) FILTER (WHERE agrees) >= {COLUMN_LABEL_SHARE} * count(*)
                ORDER BY key_col, target, label_col"""
        ).fetchall()
        public = {}  # (key, column) -> a public test column the table repeats

        def is_public(key_col: str, label_col: str) -> bool:
            if (key_col, label_col) not in public:
                public[(key_col, label_col)] = facts is not None and _public_feature(
                    con, reader, key_col, label_col, facts
                )
            return public[(key_col, label_col)]

        problems = []
        for key_col, target, label_col, ids, agreeing in candidates:
            if is_public(key_col, label_col):
                continue
            truth, read = _column_pairs(con, key_col, target, label_col, "val")
            if _reads_the_rarer(truth, read) and _beyond_chance(truth, read):
                problems.append(
                    f"{extra.path} gives the {target} of {agreeing:,} new test id(s) away: column {label_col} agrees "
                    f"with it for {agreeing:,} of the {ids:,} new test ids in column {key_col}"
                    + _cores_said(con, key_col, target, label_col)
                )
                break
        return problems or _labels_written_otherwise(con, extra, least, is_public) or _named_targets(con, extra, least)
    finally:
        con.execute("DROP TABLE IF EXISTS extra_pairs")
        con.execute("DROP TABLE IF EXISTS extra_cells")


def _cores_said(con, key_col: str, target: str, label_col: str) -> str:
    """Where the ids found are cores of the new test ids (a study of its images ``<study>_<n>``), say so: the ids
    counted are not in the public test set as written (review 203)."""
    cores = con.execute(
        "SELECT count(*) FROM extra_pairs WHERE key_col = ? AND target = ? AND label_col = ? "
        "AND k IN (SELECT k FROM core_aliases)",
        [key_col, target, label_col],
    ).fetchall()[0][0]
    if not cores:
        return ""
    return (
        f" ({cores:,} of them the shared core of new test ids written <core>_<n>, as a study of its images: the "
        "table gives each of those ids its core's label)"
    )


def _column_pairs(con, key_col: str, target: str, label_col: str, value: str) -> tuple[list, list]:
    """``extra_pairs``' new test ids of one (key, target, label column): their labels and their ``value`` column
    (``val``: the label when the id's rows agree, else another; ``commonest``: the value its rows hold most often)."""
    pairs = con.execute(
        f"SELECT label, {value} FROM extra_pairs WHERE key_col = ? AND target = ? AND label_col = ?",
        [key_col, target, label_col],
    ).fetchall()
    return [label for label, _ in pairs], [found for _, found in pairs]


def _labels_written_otherwise(con, extra: ExtraFile, least: int, is_public: Callable[[str, str], bool]) -> list[str]:
    """A column of a few values standing for the labels, written otherwise: ``CAT``/``DOG`` for ``cat``/``dog``,
    ``True``/``False`` for ``1``/``0``, or always the other label of a 0/1 target. Each id is read as the value its
    rows hold most often (``extra_pairs.commonest``), each value as the label it goes with most often; a leak when
    that reading agrees with at least ``COLUMN_LABEL_SHARE`` of at least ``least`` new test ids, Cohen's kappa at least
    ``LEAST_KAPPA``, the ids of labels other than the commonest read right alike (:func:`_reads_the_rarer`). Only
    for columns of two values to as many as the target has labels, each value held by ``CODED_SUPPORT`` ids on
    average: read so, a column of a value per id would stand for any label. A public test column the table repeats
    is not judged (``is_public``)."""
    columns = con.execute(
        f"""WITH g AS (SELECT key_col, target, label_col, count(*) AS ids, count(DISTINCT commonest) AS vals
                       FROM extra_pairs GROUP BY ALL),
                 labels AS (SELECT target, count(DISTINCT label) AS labels FROM test_labels GROUP BY ALL)
            SELECT g.key_col, g.target, g.label_col, g.ids FROM g JOIN labels USING (target)
            WHERE g.ids >= {int(least)} AND g.vals BETWEEN 2 AND labels.labels AND g.ids >= {CODED_SUPPORT} * g.vals
            ORDER BY ALL"""
    ).fetchall()
    for key_col, target, label_col, ids in columns:
        if is_public(key_col, label_col):
            continue
        truth, values = _column_pairs(con, key_col, target, label_col, "commonest")
        goes_with: dict[str, Counter] = defaultdict(Counter)
        for label, value in zip(truth, values, strict=True):
            goes_with[value][label] += 1
        commonest = {
            value: max(sorted(counts.items()), key=lambda item: item[1])[0] for value, counts in goes_with.items()
        }
        for reading in (commonest, _one_label_each(goes_with)):
            read = [reading[value] for value in values]
            agreeing = sum(label == found for label, found in zip(truth, read, strict=True))
            if agreeing >= COLUMN_LABEL_SHARE * ids and _reads_the_rarer(truth, read) and _beyond_chance(truth, read):
                shown = ", ".join([f"{v} for {reading[v]}" for v in sorted(reading) if reading[v] is not None][:4])
                return [
                    f"{extra.path} gives the {target} of {agreeing:,} new test id(s) away: column {label_col} writes "
                    f"it otherwise ({shown}) for {agreeing:,} of the {ids:,} new test ids in column {key_col}"
                ]
    return []


def _one_label_each(goes_with: dict[str, Counter]) -> dict[str, str | None]:
    """Each value read as a label of its own, the values together agreeing with the most ids (an assignment over the
    values' counts per label): where positives are rare, a flag's ``yes`` goes with more negatives than positives
    (sweep 184: seti's ``yes``/``no`` copy, AUC 0.95 on the new test set, read every id as 0), yet ``yes`` for 1 and
    ``no`` for 0 read most ids right."""
    from scipy.optimize import linear_sum_assignment

    values = sorted(goes_with)
    labels = sorted({label for counts in goes_with.values() for label in counts})
    table = [[goes_with[value][label] for label in labels] for value in values]
    rows, chosen = linear_sum_assignment(table, maximize=True)  # a value left without a label reads as none
    return {value: None for value in values} | {values[r]: labels[c] for r, c in zip(rows, chosen, strict=True)}


POSITIVE_LABELS = ("1", "1.0", *TRUE_WORDS)


def _named_targets(con, extra: ExtraFile, least: int) -> list[str]:
    """A column naming, next to new test ids, the targets that are 1 for them: ranzcr-clip's
    ``train_annotations.csv`` has a row (``StudyInstanceUID``, ``label``, ``data``) for each line drawn on an image,
    ``label`` the name of one of its eleven 0/1 target columns, which is 1 for that image. For at least
    ``LABEL_SHARE`` of such rows of at least ``least`` new test ids, where at most half of the new test labels are
    1 (a target named at random would then be 0 as often as not)."""
    positive = ", ".join(literal(label) for label in POSITIVE_LABELS)
    base = con.execute(f"SELECT avg(CASE WHEN label IN ({positive}) THEN 1 ELSE 0 END) FROM test_labels").fetchall()
    if base[0][0] is None or base[0][0] > 0.5:
        return []
    found = con.execute(
        f"""WITH keys AS (SELECT c.__mlecurate_rid, c.col AS key_col, t.k
                          FROM extra_cells c JOIN new_test_ids t ON {_id_match("c.val")} = {_id_match("t.k")})
            SELECT keys.key_col, c.col AS name_col, count(DISTINCT keys.k) AS ids, count(*) AS named,
                   count(*) FILTER (WHERE l.label IN ({positive})) AS ones
            FROM keys JOIN extra_cells c ON c.__mlecurate_rid = keys.__mlecurate_rid AND c.col <> keys.key_col
                 JOIN test_labels l ON l.k = keys.k AND {_name_key("l.target")} = {_name_key("c.val")}
            GROUP BY ALL
            HAVING count(DISTINCT keys.k) >= {int(least)}
               AND count(*) FILTER (WHERE l.label IN ({positive})) >= {LABEL_SHARE} * count(*)
            ORDER BY ids DESC, key_col, name_col LIMIT 1"""
    ).fetchall()
    return [
        f"{extra.path} gives new test ids' labels away: column {name_col} names a target that is 1 for the id in "
        f"column {key_col} ({ones:,} of {named:,} rows, {ids:,} new test ids)"
        for key_col, name_col, ids, named, ones in found
    ]


def _name_key_text(name: str) -> str:
    """:func:`_name_key` of a name in Python."""
    return re.sub(r"[^A-Za-z0-9]", "", name).lower()


def _name_key(sql: str) -> str:
    """A target's name as a table may write it: lower case, letters and digits only (``ETT - Abnormal``,
    ``ett_abnormal`` and `` ETT-Abnormal`` are one name)."""
    return f"lower(regexp_replace({sql}, '[^A-Za-z0-9]', '', 'g'))"


def _reads_the_rarer(truth: list, found: list) -> bool:
    """Whether ``found`` gets ``COLUMN_LABEL_SHARE`` of the ids right whose label is not the commonest: a guess of the
    commonest label gets the rest, so an honest flag of a 4% positive target (three of four positives) tells
    nothing a guess would not, while a column writing the label does."""
    commonest = Counter(truth).most_common(1)[0][0] if truth else None
    rarer = [label == seen for label, seen in zip(truth, found, strict=True) if label != commonest]
    return bool(rarer) and sum(rarer) >= COLUMN_LABEL_SHARE * len(rarer)


def _beyond_chance(truth: list, found: list) -> bool:
    """Whether ``found`` agrees with ``truth`` well beyond chance: Cohen's kappa at least ``LEAST_KAPPA``, and, for an
    agreement under ``LABEL_SHARE``, over at least ``NOISY_LEAST_IDS`` ids (a few ids agree that much by chance)."""
    n = len(truth)
    if not n or _kappa(truth, found) < LEAST_KAPPA:
        return False
    return sum(a == b for a, b in zip(truth, found, strict=True)) >= LABEL_SHARE * n or n >= NOISY_LEAST_IDS


def _kappa(truth: list, found: list) -> float:
    """Agreement beyond chance (Cohen's kappa); 0 when chance alone explains it (every label the same)."""
    n = len(truth)
    if not n:
        return 0.0
    agree = sum(a == b for a, b in zip(truth, found, strict=True)) / n
    by_truth, by_found = Counter(truth), Counter(found)
    chance = sum(count * by_found.get(value, 0) for value, count in by_truth.items()) / (n * n)
    return 0.0 if chance >= 1 else (agree - chance) / (1 - chance)


def _text_file_labels(
    con, path: Path, extra: ExtraFile, facts: LeakageFacts, labels: dict, least: int, unreadable: str | None
) -> list[str]:
    """A file that is not a readable data file: binary files are cleared by the copy and path checks alone; a text
    file (gzip-compressed or not; a CSV or TSV in Latin-1 read so) is read as a delimited table where DuckDB's sniffer
    can, and checked like a data file where a column of it holds new test ids, else scanned line by line (up to
    ``TEXT_SCAN_LIMIT`` bytes) for new test ids on the same line as their label; a text file that can be neither is
    not cleared."""
    if not is_text(path):
        if unreadable:
            return [
                f"{extra.path} cannot be read ({unreadable}) and is not text, so it cannot be cleared of answers: "
                f"{_remedy(extra)}"
            ]
        return []
    # a data file DuckDB failed on is not retried as delimited text, unless it failed for not being UTF-8: every byte
    # is a Latin-1 character (home-credit ships HomeCredit_columns_description.csv so; a sweep's Latin-1 copy of its
    # labels was cleared by the line scan, which a 0 in another field misled)
    latin = bool(unreadable) and data_format(path.name) in DELIMITED and first_non_utf8(path) is not None
    tabled = False
    if not unreadable or latin:
        options = delimited_options(path.name) + (", encoding = 'latin-1'" if latin else "") + layout_options(path)
        reader = f"read_csv({path_literal(path)}, all_varchar=true{options})"
        try:
            columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
            con.execute(f"SELECT count(*) FROM {reader}").fetchall()
        except duckdb.Error:
            columns = []
        if len(columns) >= 2:  # judged as a data file is (review 198: a Latin-1 copy went by the pairs check alone)
            found = _data_file_labels(con, path, extra, facts, columns, least, reader)
            if found or _test_id_columns(con, reader, columns, least):
                return found
            tabled = True  # no column holds new test ids whole: the ids, if any, are inside its text ("saw study
            # 1b2c : typical"), scanned for labels of words alone (review 201: a weather table's 0s and decimals'
            # pieces read as 0/1 labels beside ids, by chance)
    if unreadable and data_format(path.name) == "json" and not json_lines_by_name(path.name):
        return [  # a review: a Latin-1 COCO document keeps an image's id and its category on other lines
            f"{extra.path} cannot be read ({unreadable}), and a JSON document's records may span lines, or share "
            f"one, so scanning its lines cannot clear it of answers: {_remedy(extra)}"
        ]
    size = path.stat().st_size
    if size > TEXT_SCAN_LIMIT:
        why = f"cannot be read ({unreadable})" if unreadable else "is not a table DuckDB reads"
        return [
            f"{extra.path} {why}, and is too large to scan as text ({size:,} bytes; limit {TEXT_SCAN_LIMIT:,}), so it "
            f"cannot be cleared of answers: {_remedy(extra)}"
        ]
    found = _scan_lines(path, labels, least, tabled=tabled)
    return [f"{extra.path} gives new test ids' labels away: {found}"] if found else []


def _remedy(extra: ExtraFile) -> str:
    return (
        f"remove it from public_files (it came with entry '{extra.entry}'), or replace it in the download with a CSV, "
        "JSON or Parquet file DuckDB reads"
    )


def is_text(path: Path) -> bool:
    """Text: the first ``TEXT_PROBE`` bytes (decompressed, for ``.gz``) hold no NUL and few control characters."""
    try:
        opener = gzip.open if path.suffix.lower() == ".gz" else open
        with opener(path, "rb") as handle:
            head = handle.read(TEXT_PROBE)
    except (OSError, EOFError):
        return False
    if b"\0" in head:
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls <= len(head) * 0.05


def _scan_lines(path: Path, labels: dict[str, list[tuple[str, str]]], least: int, tabled: bool = False) -> str | None:
    """New test ids on the same line as their label, and no other label of that target: a leak when at least
    ``least`` ids, and ``LABEL_SHARE`` of the new test ids the file names, are found so. ``tabled``: the lines are a
    table's, where numbers are everywhere (review 201: a weather table's 0s read as a rare 0/1 target's 0 beside the
    decimals' pieces read as ids): each label of at least ``LEAST_TOLD_LABEL`` ids named must be told for half of
    them (chance tells the commonest only)."""
    seen_label: Counter = Counter()  # (target, label) -> new test ids named
    told_label: Counter = Counter()  # (target, label) -> of them, told
    values: dict[str, set[str]] = defaultdict(set)
    for pairs in labels.values():
        for target, label in pairs:
            values[target].add(label)
    seen: dict[str, set[str]] = defaultdict(set)  # target -> new test ids named
    told: dict[str, set[str]] = defaultdict(set)  # target -> new test ids named with their label alone
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            tokens = _tokens(line)
            named = [k for k in tokens if k in labels]
            if not named:
                continue
            for k in named:
                for target, label in labels[k]:
                    fresh = k not in seen[target]
                    seen[target].add(k)
                    seen_label[target, label] += fresh
                    present = {v for v in tokens if v in values[target]}
                    if present == {label} or (not present and _spaced(label) and label in line):
                        told_label[target, label] += k not in told[target]
                        told[target].add(k)
    for target in sorted(seen):
        every = not tabled or all(
            told_label[t, label] >= seen_label[t, label] / 2
            for t, label in seen_label
            if t == target and seen_label[t, label] >= LEAST_TOLD_LABEL
        )
        if every and len(told[target]) >= least and len(told[target]) >= LABEL_SHARE * len(seen[target]):
            return (
                f"{len(told[target]):,} new test id(s) on a line with their {target} and no other "
                f"(of {len(seen[target]):,} new test ids it names)"
            )
    return _scan_label_names(path, labels, least)


def _scan_label_names(path: Path, labels: dict[str, list[tuple[str, str]]], least: int) -> str | None:
    """New test ids on the same line as the names of the labels they have, and of no other: a row of 0/1 targets,
    one per label (mlsp-2013-birds' species 0-18), is written ``325,11`` in the multi-label list Kaggle ships
    (``rec_labels_test_hidden.txt``), which holds no target's value at all. A leak when at least ``least`` ids, and
    ``LABEL_SHARE`` of the new test ids with a label the file names, are found so."""
    positives = {k: found for k, pairs in labels.items() if (found := _marked_labels(pairs))}
    if not positives:
        return None
    names = {target for pairs in labels.values() for target, _ in pairs}
    seen, told = set(), set()
    beside: dict[str, set[str]] = defaultdict(set)  # new test id -> every label name any line gives it
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            tokens = _tokens(line)
            for k in tokens & positives.keys():
                seen.add(k)
                named = (tokens & names) - {k}  # an id that is also a label's name stands for itself
                beside[k] |= named
                if named == positives[k] - {k}:
                    told.add(k)
    # an id the file names with most labels (every id with every label, a pair a line: review 169) is told nothing;
    # one stray label name beside a line of its own labels (a fold, a count) does not hide them (review 171)
    told = {k for k in told if len(beside[k]) <= len(names) / 2}
    if len(told) >= least and len(told) >= LABEL_SHARE * len(seen):
        example = sorted(told)[0]
        return (
            f"{len(told):,} new test id(s) on a line with the names of the labels they have and no other's, e.g. "
            f"{example} with {', '.join(sorted(positives[example]))} (of {len(seen):,} new test ids with a label it "
            "names)"
        )
    return None


def _marked_labels(pairs: list[tuple[str, str]]) -> frozenset[str]:
    """The targets a row marks 1, when it has several targets, each 0 or 1 (a label set as one column per label);
    else none."""
    values = {target: label for target, label in pairs}
    if len(values) < 2 or not set(values.values()) <= {"0", "1"}:
        return frozenset()
    return frozenset(target for target, label in values.items() if label == "1")


def _spaced(label: str) -> bool:
    return bool(TOKEN_BREAK.search(label))


def _tokens(text: str) -> set[str]:
    """The words of a line of text or a file name: split on anything but letters, digits, ``.``, ``-``, ``_``, then
    each word's runs of pieces between ``.``, ``-`` and ``_`` (``cat.123.jpg``: cat, 123, jpg, cat.123, 123.jpg, ...)."""
    tokens = set()
    for word in TOKEN_BREAK.split(text):
        if word:
            tokens |= _runs(word)
    return tokens


def _runs(word: str) -> set[str]:
    """``word`` and its contiguous runs of pieces between ``.``, ``-`` and ``_`` (each piece alone for a long name)."""
    pieces = PIECE_BREAK.split(word)  # pieces at even positions, separators at odd ones
    count = (len(pieces) + 1) // 2
    if count > MAX_PIECES:
        return {word, *pieces[::2]} - {""}
    runs = {word}
    for first in range(count):
        for last in range(first, count):
            runs.add("".join(pieces[2 * first : 2 * last + 1]))
    return runs - {""}


class LabelSpellings:
    """How a target's labels may be written in a path, to tell which label a path names: in any case
    (``CAT_20.jpg``), a text label also in the plural (``cats/20.jpg``, ``boxes/``, ``daisies/``) and without its
    spaces, hyphens or underscores (``common_chickweed/`` and ``CommonChickweed/`` for ``Common Chickweed``), and a
    label where letters meet digits (``20_label1.jpg``, ``20_isdog1.jpg`` for the label ``1``). A word that is a
    label itself spells that label only (``cats`` where ``cat`` and ``cats`` are both labels)."""

    def __init__(self, labels: set[str]) -> None:
        own: dict[str, set[str]] = defaultdict(set)  # a label's own word (folded) -> the labels written so
        for label in labels:
            own[label.casefold()].add(label)
        self.labels_of: dict[str, set[str]] = defaultdict(set)  # a word -> the labels it spells
        for label in labels:
            for word in _spellings(label):
                if word not in own or label in own[word]:
                    self.labels_of[word].add(label)

    def tells(self, label: str, runs: set[str]) -> bool:
        """Whether a path's ``runs`` tell its row's ``label``: they spell it and no other label of the target. A 0/1
        target's labels are in every DICOM UID (``1.2.826.0.1.3680043...``, ranzcr-clip's names): such a path
        spells both, and tells neither; so does a word that two labels fold to (``A`` and ``a``)."""
        return self.spelled(runs) == {label}

    def spelled(self, runs: set[str]) -> set[str]:
        """The labels a path part's ``runs`` spell."""
        spelled = set()
        for word in _words(runs):
            spelled |= self.labels_of.get(word, set())
        return spelled


SEPARATORS = re.compile(r"[\W_]+")


def _spellings(label: str) -> set[str]:
    """The words that spell ``label`` in a path: it, folded; a text label also without its separators, and where it
    has three or more characters and ends in a letter, in the plural (``s``, ``es``, ``y`` made ``ies``)."""
    folded = label.casefold()
    if not any(c.isalpha() for c in folded):
        return {folded}
    forms = {folded, SEPARATORS.sub("", folded)} - {""}
    plurals = {f"{form}{end}" for form in forms for end in ("s", "es") if len(form) >= 3 and form[-1].isalpha()}
    plurals |= {f"{form[:-1]}ies" for form in forms if len(form) >= 3 and form.endswith("y")}
    return forms | plurals


LETTERS_MEET_DIGITS = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def _words(runs: set[str]) -> set[str]:
    """A path part's runs, folded; each also cut where letters meet digits (``label1``: label, 1) and, holding a
    letter, without its separators (``common_chickweed``: commonchickweed)."""
    words = set()
    for run in runs:
        folded = run.casefold()
        words.add(folded)
        words.update(LETTERS_MEET_DIGITS.split(folded))
        if any(c.isalpha() for c in folded):
            words.add(SEPARATORS.sub("", folded))
    return words - {""}


def _marked_alike(told: set[str], marks: list[tuple[str, object]]) -> bool:
    """Whether the one label paths tell is marked on the other labels' files alike (at least half of them;
    ``marks``: each file's label and its mark there, the folder or the name without the id for extra files, the
    labels it spells for row files): a word every path has (``frame0``, ``images/``) spells the commonest label of
    an imbalanced target and tells nothing. A folder or name only that label's files have (``imgs/0/`` beside
    ``imgs/flagged/``, ``scans/normal/`` beside ``scans/not_normal/``) still tells it."""
    if len(told) != 1:
        return False
    (label,) = told
    own = {mark for each, mark in marks if each == label}
    others = [mark for each, mark in marks if each != label]
    return bool(others) and sum(mark in own for mark in others) >= len(others) / 2


def _labels_in_paths(con, extras: list[PurePosixPath]) -> list[str]:
    """Per-sample files whose path names the label: a file named by an id (a run of its name's pieces, or a folder)
    with that id's label in a folder of its path (``train_images/<class>/<id>.jpg``) or among the other pieces of its
    name (``cat.123.jpg``), for at least ``LABEL_SHARE`` of the id-named files at that place, new test ids among
    them."""
    if not extras:
        return []
    slots = [[_runs(part) for part in path.parts] for path in extras]  # the last slot is the file name
    candidates = pd.DataFrame(
        [
            (index, slot, len(run), run)
            for index, path_slots in enumerate(slots)
            for slot, runs in enumerate(path_slots)
            for run in runs
        ],
        columns=["file", "slot", "length", "k"],
    )
    con.register("path_candidates", candidates)
    try:
        named = con.execute(
            """SELECT c.file, arg_max(c.k, [c.slot, c.length]) AS k FROM path_candidates c
               WHERE c.k IN (SELECT k FROM path_labels) GROUP BY c.file"""
        ).fetchall()
        chosen = {file: k for file, k in named}
        con.register("chosen_ids", pd.DataFrame(list(chosen.items()), columns=["file", "k"]))
        rows = con.execute(
            """SELECT c.file, l.target, l.label, t.k IS NOT NULL AS is_test
               FROM chosen_ids c JOIN path_labels l USING (k) LEFT JOIN new_test_ids t USING (k)"""
        ).fetchall()
    finally:
        con.unregister("path_candidates")
        with contextlib.suppress(Exception):
            con.unregister("chosen_ids")
    values: dict[str, set[str]] = defaultdict(set)  # each target's labels among the files named by an id
    for _, target, label, _ in rows:
        values[target].add(label)
    spellings = {target: LabelSpellings(labels) for target, labels in values.items()}
    # (target, slot) -> files, labelled, test files, the labels told, each file's label and its text there
    tally: dict[tuple[str, int], list] = defaultdict(lambda: [0, 0, [], set(), []])
    for file, target, label, is_test in rows:
        path_slots, k = slots[file], chosen[file]
        for slot, runs in enumerate(path_slots):
            if k in runs and slot != len(path_slots) - 1:
                continue  # the folder that names the id
            text = extras[file].parts[slot]
            if slot == len(path_slots) - 1 and k in runs:  # the name without the id's text: a UID's pieces (0, 1)
                text = extras[file].name.replace(k, "", 1)  # would hide a label beside it (<uid>_1.dcm)
                runs = _runs(text)
            entry = tally[(target, slot - len(path_slots))]  # counted from the file name: -1 is the name
            entry[0] += 1
            entry[4].append((label, text))
            if label != k and spellings[target].tells(label, runs):
                entry[1] += 1
                entry[3].add(label)
                if is_test:
                    entry[2].append(extras[file].as_posix())
    problems = []
    for (target, slot), (files, labelled, test_files, told, texts) in sorted(tally.items()):
        if test_files and labelled / files >= LABEL_SHARE and not _marked_alike(told, texts):
            where = "in their file names" if slot == -1 else f"in the folder {-slot - 1} level(s) above them"
            problems.append(
                f"{len(test_files):,} extra file(s) named by a new test id carry its {target} {where} "
                f"(e.g. {_short(test_files)}): the paths give the labels away"
            )
    return problems


def _row_files_copying_private(folder: PreparedFolder, row_files: tuple[RowFileFact, ...]) -> list[str]:
    """Rows' own files whose bytes are a private file's. Row files are the rows' inputs (an image, a sound, a per-row
    series): they are cleared by their paths (:func:`_labels_in_row_file_paths`) and their bytes' sha256, computed
    once while placed, not read as tables. A split of 100,000 per-row CSVs read each twice with DuckDB took tens of
    minutes, and one malformed input file blocked the split."""
    if not row_files:
        return []
    private = {file_sha256(p): p.name for p in sorted(folder.private.iterdir()) if p.is_file()}
    return [f"{f.path} has the bytes of private/{private[f.sha256]}" for f in row_files if f.sha256 in private]


def _labels_in_row_file_paths(row_files: tuple[RowFileFact, ...]) -> list[str]:
    """New test rows' files whose path carries the row's own label (a folder, or a run of pieces of the file name:
    ``test/cat.12.jpg``), for at least ``LABEL_SHARE`` of them and ``LEAST_LABELLED_IDS`` (all in a smaller test
    set): the test pattern names no target (checked when the recipe is read), but a column may hold the label in
    its values, as dogs-vs-cats' file names do."""
    values: dict[str, set[str]] = defaultdict(set)  # each target's labels, among all the rows (a test set of 41 rows
    for row_file in row_files:  # may hold one class of a rare target: its UIDs still name the other)
        for target, label in row_file.labels:
            values[target].add(label)
    # A target of one value in every row tells nothing, and its value is in every path of pieces (a sweep's ranzcr:
    # `CVC - Normal` 1 in all rows, its UIDs full of 1s, was refused as a leak).
    values = {target: labels for target, labels in values.items() if len(labels) > 1}
    spellings = {target: LabelSpellings(labels) for target, labels in values.items()}
    labelled: dict[str, list[tuple[str, frozenset]]] = defaultdict(list)  # each test row's label, the labels spelled
    told: dict[str, list[str]] = defaultdict(list)
    told_labels: dict[str, set[str]] = defaultdict(set)
    for row_file in row_files:
        if row_file.side != "test" or not row_file.labels:
            continue
        parts = [_runs(part) for part in PurePosixPath(row_file.path).parts]  # each folder, and the name, alone
        for target, label in row_file.labels:
            if target not in spellings:
                continue
            labelled[target].append((label, frozenset().union(*(spellings[target].spelled(r) for r in parts))))
            if any(spellings[target].tells(label, runs) for runs in parts):
                told[target].append(row_file.path)
                told_labels[target].add(label)
    problems = []
    for target, spelled in sorted(labelled.items()):
        carried, count = told[target], len(spelled)
        if (
            carried
            and len(carried) >= LABEL_SHARE * count
            and len(carried) >= min(LEAST_LABELLED_IDS, count)
            and not _marked_alike(told_labels[target], spelled)
        ):
            problems.append(
                f"{len(carried):,} of the {count:,} new test rows' files carry the row's {target} in their path "
                f"(e.g. {_short(carried)}): the paths give the labels away; name them by columns that hold no label "
                "(recipe key test_row_files)"
            )
    return problems


def _test_files_copied_with_labels(extras: tuple[ExtraFile, ...], row_files: tuple[RowFileFact, ...]) -> list[str]:
    """Extra files with a new test row's file's bytes and that row's label in their path (a folder, or a run of the
    name's pieces), for at least ``LABEL_SHARE`` of the extra files that are such copies: a copy of
    tensorflow-speech's clip named ``up__<clip>.wav`` gives the word of the test clip it is, whatever the test
    rows' ids (renamed by test_ids, they are not in its name)."""
    tests: dict[str, tuple[RowFileFact, ...]] = defaultdict(tuple)
    values: dict[str, set[str]] = defaultdict(set)
    for row_file in row_files:
        for target, label in row_file.labels:
            values[target].add(label)
        if row_file.side == "test" and row_file.labels:
            tests[row_file.sha256] += (row_file,)
    spellings = {target: LabelSpellings(labels) for target, labels in values.items()}
    copies = told = 0
    examples: list[str] = []
    spelled: dict[str, list[tuple[str, frozenset]]] = defaultdict(list)  # each copy's label, the labels it spells
    told_labels: set[tuple[str, str]] = set()  # the (target, label) pairs the copies' paths tell
    for extra in extras:
        rows = tests.get(extra.sha256, ())
        if len({row.labels for row in rows}) != 1:
            continue  # not a test row's file, or the bytes of rows labelled otherwise
        copies += 1
        parts = [_runs(part) for part in PurePosixPath(extra.path).parts]
        for t, v in rows[0].labels:
            spelled[t].append((v, frozenset().union(*(spellings[t].spelled(runs) for runs in parts))))
        pairs = {(t, v) for t, v in rows[0].labels if any(spellings[t].tells(v, runs) for runs in parts)}
        if pairs:
            told += 1
            told_labels |= pairs
            examples.append(f"{extra.path} ({rows[0].path})")
    if len(told_labels) == 1:  # one label told: a leak unless the other labels' copies spell it too
        ((target, label),) = told_labels
        if _marked_alike({label}, spelled[target]):
            return []
    if told and told >= LABEL_SHARE * copies:
        return [
            f"{told:,} extra file(s) are new test rows' files with the row's label in their path (e.g. "
            f"{_short(examples)}): the paths give the labels away"
        ]
    return []


def _label_rows(con, facts: LeakageFacts) -> list[str]:
    """SELECTs of (k, target, label) from every label source that has the id and target columns."""
    selects = []
    for source in facts.label_sources:
        if not facts.id_column or not source.is_file():
            continue
        try:
            columns = columns_of(con, source)
        except DataFileError:
            continue
        if facts.id_column not in columns:
            continue
        key = f"CAST({quote(facts.id_column)} AS VARCHAR)"
        selects += [
            f"SELECT {key} AS k, {literal(t)} AS target, CAST({quote(t)} AS VARCHAR) AS label FROM {reader_sql(source)}"
            for t in facts.target_columns
            if t in columns
        ]
        selects += [  # the same labels as the paths spell them, judged as a target of their own
            f"SELECT {key} AS k, {literal(spelled_target(t))} AS target, "
            f"{mapped_sql(f'CAST({quote(t)} AS VARCHAR)', facts.label_texts[t])} AS label FROM {reader_sql(source)}"
            for t in facts.target_columns
            if t in columns and facts.label_texts.get(t)
        ]
    return selects


def spelled_target(target: str) -> str:
    """How the checks name a target whose labels ``listed_values`` maps, judged as the paths spell them."""
    return f"{target} (as the paths spell it)"


def _as_spelled(row_files: tuple[RowFileFact, ...], texts: dict[str, dict[str, str]]) -> tuple[RowFileFact, ...]:
    """The row files with each mapped label a second time as the download's paths spell it (``listed_values``
    turned around), as a target of its own: a path telling ``dog`` or ``1`` tells the label either way."""
    if not texts:
        return row_files
    return tuple(
        replace(f, labels=f.labels + tuple((spelled_target(t), texts[t].get(v, v)) for t, v in f.labels if t in texts))
        for f in row_files
    )


def _groups_disjoint(con, train: Path, test: Path, facts: LeakageFacts) -> SplitCheck:
    if not facts.group_column:
        return SplitCheck(GROUPS_DISJOINT.name, True, "not a group split (the recipe sets no group_column)",
                          {"shared": 0})  # fmt: skip
    group = f"CAST({quote(facts.group_column)} AS VARCHAR)"
    test_columns = columns_of(con, test)
    if facts.group_column in test_columns:
        count, examples = _overlap(con, train, test, group)
    elif facts.id_column in test_columns and facts.label_sources:  # the test rows' groups, by id, in the train file
        ids = f"CAST({quote(facts.id_column)} AS VARCHAR)"
        rows = con.execute(
            f"""SELECT count(*) OVER (), k FROM (
                    SELECT DISTINCT {group} AS k FROM {reader_sql(train)}
                    INTERSECT SELECT DISTINCT {group} FROM {reader_sql(facts.label_sources[0])}
                    WHERE {ids} IN (SELECT {ids} FROM {reader_sql(test)} UNION SELECT k FROM renamed_test_ids))
                LIMIT 5"""
        ).fetchall()
        count, examples = (rows[0][0] if rows else 0), [r[1] for r in rows]
    else:
        return SplitCheck(GROUPS_DISJOINT.name, False, f"cannot check: the new public test set holds neither the "
                          f"group column {facts.group_column} nor an id to find its rows' groups by; keep one of them "
                          "in it (split recipe key test_columns)", {"shared": 0})  # fmt: skip
    found = (
        f"{count:,} group(s) of {facts.group_column} on both sides, e.g. {_short(examples)}"
        if count
        else f"no group of {facts.group_column} on both sides"
    )
    return SplitCheck(GROUPS_DISJOINT.name, count == 0, found, {"shared": count})


def _rows_conserved(con, train: Path, test: Path, facts: LeakageFacts) -> SplitCheck:
    train_rows = con.execute(f"SELECT count(*) FROM {reader_sql(train)}").fetchall()[0][0]
    test_rows = con.execute(f"SELECT count(*) FROM {reader_sql(test)}").fetchall()[0][0]
    if facts.released_labels:
        scored = (facts.labelled_test_rows or 0) - facts.ignored_test_rows
        passed = train_rows == facts.original_rows and test_rows == scored
        found = (f"new train {train_rows:,} of the original training set's {facts.original_rows:,} rows; new test "
                 f"{test_rows:,} of the {facts.labelled_test_rows:,} labelled test rows")  # fmt: skip
        if facts.ignored_test_rows:
            found += f", less the {facts.ignored_test_rows:,} Kaggle did not score ({scored:,})"
    else:
        passed = train_rows + test_rows == facts.original_rows
        found = (
            f"new train {train_rows:,} + new test {test_rows:,} = {train_rows + test_rows:,} rows; the original "
            f"training set has {facts.original_rows:,}"
        )
    return SplitCheck(ROWS_CONSERVED.name, passed, found, {"train": train_rows, "test": test_rows})


def _short(values: list) -> str:
    """The first three values, each cut to 60 characters with ``...`` where cut (a cut path is no real file)."""
    return ", ".join(text if len(text := str(v)) <= 60 else text[:60] + "..." for v in values[:3])
