"""Write a competition's prepared split in MLE-bench's layout, check it, and publish it atomically.

>>> prepared = prepare_competition("titanic", recipe, root.raw("titanic").files, root.prepared_root, overview, facts=facts)

Layout (``<prepared_root>/<slug>/``)::

    public/<train name>.<ext>      the new training set, under Kaggle's name (train_labels.csv; published_tables)
    public/<test name>.<ext>       the new test set, without the target columns (test.csv without a Kaggle test file)
    public/sample_submission.csv   built the way the competition's own sample is: same columns, trivial values (with
                                   none shipped: the key columns and the targets, or for a metric scored per class
                                   one column per class, each 1/k)
    public/description.md          the competition's own text, then the new split's (``splits.description``)
    public/<public_files>          the recipe's extra files, copied unchanged from the download (``splits.public_files``)
    public/<train_tables>          the recipe's tables about the training rows, with the new training rows' rows only
                                   (``splits.train_tables``), and where a table says so, the new test rows' apart
    public/<row_files>             each row's own file (an image), copied with its row: the new train rows' to their
                                   path, the new test rows' to test_row_files (``splits.row_files``)
    private/answers.csv            the new test set's answers
    manifest.json                  recipe, source, row counts, a checksum per file (content checksum for data files,
                                   sha256 for others), the leakage checks

Everything is built in a staging folder and checked (``validation.leakage``); only a split that passes every check
replaces the published one, by two renames (the published folder aside, the new one in its place; a crash between
them leaves the old one under its retired name, which the next run puts back before anything else). A failing split
leaves the previous one in place.

Nothing is redone that has not changed: the manifest records the fingerprint of what the split is a function of
(:func:`split_inputs`: the recipe, the download's sha256, the competition's text and the facts the description
shows, the curators, the code version: a digest of ``splits`` and ``validation`` and the libraries' releases). When
the published split has the same fingerprint and
every file the manifest lists is there at its recorded size, it is kept as it is: no file is read or written. A
download without a sha256 (none recorded) is always rebuilt.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from splits.builder import (
    SplitResult,
    build_split,
    connect,
    kaggle_test_size,
    numbered_rows,
    recipe_columns,
    split_memory,
)
from splits.description import BuiltSplit, TableFacts, describe_split
from splits.listing import train_name, train_source, write_train_listing
from splits.public_files import PublicFile, copy_public_files, resolve_public_files
from splits.row_files import (
    RowFile,
    check_places,
    check_row_file_columns,
    copy_row_files,
    find_row_files,
    place_row_files,
    row_file_facts,
)
from splits.submission_format import check_one_target_per_column_metric, write_submission_files
from splits.train_tables import KEY as TABLES_KEY
from splits.train_tables import TrainTable, resolve_train_tables, write_train_tables
from splits.unseen_label import relabel_unseen
from validation.binary_files import BINARY_FILES_WITHOUT_TEST_IDS, check_binary_files_without_test_ids
from validation.data_files import (
    DataFileError,
    columns_of,
    content_checksum,
    file_sha256,
    is_data_file,
    quote,
    reader_sql,
)
from validation.data_root import PreparedFolder, published_tables, recorded_json, slug_folder
from validation.gradable_answers import AnswerFacts, check_gradable_answers, check_graded
from validation.leakage import LEAKAGE_CHECKS, ExtraFile, LeakageFacts, SplitCheck, check_prepared_split
from validation.metrics import resolve_metric
from validation.row_file_health import ROW_FILES_WHOLE, check_row_files_whole
from validation.row_file_inputs import ROW_FILES_ARE_INPUTS, check_row_files_are_inputs
from validation.row_file_inputs import SAMPLED_ROWS as INPUTS_SAMPLED
from validation.row_file_patterns import pattern_columns
from validation.row_files_published import ROW_FILES_PUBLISHED, SAMPLED_IDS, check_row_files_published
from validation.sample_columns import SAMPLE_COLUMNS_GRADED, check_sample_columns_graded, ungraded_sample_columns
from validation.scored_rows import read_scored
from validation.split_recipe import SplitRecipe, parse_recipe, recipe_files
from validation.tsv_rows import TSV_ROWS_ARE_LINES, check_tsv_rows_are_lines
from validation.unseen_labels import TEST_LABELS_SEEN, check_test_labels_seen
from validation.versions import code_version, fingerprint, text_sha256

DESCRIBED_FACTS = ("title", "subtitle", "evaluation_algorithm_name")  # the Meta Kaggle facts description.md shows


@dataclass(frozen=True)
class PreparedSplit:
    slug: str
    folder: Path  # the published folder, or the staging folder when checks failed
    published: bool
    result: SplitResult | None  # None when the published split was kept (``reused``)
    checks: list[SplitCheck]
    manifest: dict
    reused: bool = False  # the published split already had these inputs: nothing was read or written


SPLIT_CHECKS = (
    *LEAKAGE_CHECKS,
    ROW_FILES_WHOLE,
    TSV_ROWS_ARE_LINES,
    TEST_LABELS_SEEN,
    ROW_FILES_PUBLISHED,
    ROW_FILES_ARE_INPUTS,
    BINARY_FILES_WITHOUT_TEST_IDS,
    SAMPLE_COLUMNS_GRADED,
)  # every check a split runs; a blocking one that fails refuses it
WARNINGS = {check.name for check in SPLIT_CHECKS if not check.blocking}


def refused(checks: list[SplitCheck]) -> list[SplitCheck]:
    """The failed checks that stop a split from being published: every one but a declared warning (damaged row
    files), so a check not declared here refuses, as every check did before warnings."""
    return [check for check in checks if not check.passed and check.name not in WARNINGS]


def split_code_version() -> str:
    """What the split asset declares as its code version: the split code's and what it uses (any edit is new)."""
    return code_version("splits", "validation")


def split_inputs(recipe: SplitRecipe, source: dict, overview: str | None, facts: dict | None) -> dict:
    """What a split is a function of (its ``inputs_version`` is their fingerprint)."""
    return {
        "recipe": recipe.to_document(),
        "source": source,
        "overview_sha256": text_sha256(overview),
        "facts": {key: (facts or {}).get(key) for key in DESCRIBED_FACTS},
        "code": split_code_version(),
    }


def prepare_competition(
    slug: str,
    recipe: SplitRecipe,
    raw_files: Path,
    prepared_root: Path,
    overview: str | None = None,
    source: dict | None = None,
    *,
    facts: dict | None = None,
) -> PreparedSplit:
    """Build, check and (when no blocking check fails: :func:`refused`) publish ``<prepared_root>/<slug>``.

    ``overview`` is the competition's own text (it opens ``description.md``, unchanged); ``facts`` its Meta Kaggle
    row (title, metric), when there is one. A recipe that does not fit the download is a ``RecipeError`` raised
    before anything is published; the staging folder of a failed build is removed. A published split with the same
    inputs is kept as it is (``reused``)."""
    final = PreparedFolder(slug_folder(prepared_root, slug))
    _restore_retired(final)
    inputs_version = fingerprint(split_inputs(recipe, source or {}, overview, facts))
    kept = _published_with(final, inputs_version) if (source or {}).get("zip_sha256") else None
    staging = final.staging
    if kept is not None:  # a refused attempt's staging, kept to look into, is of other inputs (a sweep's ranzcr)
        shutil.rmtree(staging.path, ignore_errors=True)
        return PreparedSplit(slug, final.path, True, None, _recorded_checks(kept), kept, reused=True)
    shutil.rmtree(staging.path, ignore_errors=True)
    if recipe.train_listing:  # the training table is the download's files, listed
        write_train_listing(raw_files, recipe, slug)
    con = connect(final.scratch, split_memory(train_source(raw_files, recipe)))  # wide tables need more
    built = False
    try:
        names = published_tables(recipe.to_document())
        extras = resolve_public_files(recipe.public_files, raw_files, slug, names)
        tables = resolve_train_tables(con, recipe, raw_files, slug, names, extras)
        found_sets = _row_files_found(con, recipe, raw_files, slug)  # every row's files, before anything is written
        found_rows = found_sets[0][2] if found_sets else None  # row_files' own
        metric = resolve_metric(None, recipe.to_document(), (facts or {}).get("evaluation_algorithm_name"))
        check_one_target_per_column_metric(slug, recipe, metric)
        digests = None
        if found_rows and recipe.test_ids:  # the public sees each test row's file: its new id may follow from it

            def digests(rows):
                return [file_sha256(raw_files / found_rows.sources[row]) for row in rows]

        result = build_split(recipe, raw_files, staging.path, slug, con, digests, metric)
        relabelled = relabel_unseen(con, recipe, metric, result.train_file, result.answers_file, f"{slug}: ")
        result = replace(result, unseen_relabelled=relabelled)
        row_files = [
            placed
            for key, one, found in found_sets
            for placed in place_row_files(found, one, result.test_row_numbers, result.test_ids, key)
        ]
        check_places(row_files, extras, recipe, slug, names)
        check_places(row_files, [t.placed for t in tables], recipe, slug, names, TABLES_KEY)
        _check_answers(con, slug, recipe, metric, raw_files, result)  # before anything else is built on them
        dropped = write_submission_files(con, slug, recipe, metric, raw_files, result, staging)
        digests = copy_public_files(extras, staging.public)  # each extra file's sha256, hashed as it is copied
        tables = write_train_tables(
            con, tables, result.train_file, staging.public, slug, train_source(raw_files, recipe)
        )
        digests |= {str(t.relative): file_sha256(staging.public.joinpath(*t.relative.parts)) for t in tables}
        row_digests = copy_row_files(row_files, raw_files, staging.public)  # the same, for each row's file
        files = _file_entries(con, staging, extras, digests, row_files, row_digests, tables)
        sample_left_out = _sample_columns_left_out(con, recipe, raw_files, dropped)
        ungraded = ungraded_sample_columns(sample_left_out, columns_of(con, result.train_file), result.public_columns)
        built_split = _built(
            con, recipe, raw_files, result, files, staging, extras, row_files, (sample_left_out, ungraded), tables
        )
        staging.description.write_text(describe_split(slug, recipe, built_split, facts, overview), encoding="utf-8")
        files = sorted([*files, _plain_entry(staging, staging.description)], key=lambda f: f["path"])
        leakage_facts = _leakage_facts(con, recipe, raw_files, result, extras, digests, tables)
        row_facts = row_file_facts(row_files, row_digests)
        leakage_facts = replace(leakage_facts, row_files=row_facts)
        checks = [
            *check_prepared_split(staging, leakage_facts),
            check_row_files_whole(staging.public, row_facts),
            check_tsv_rows_are_lines(recipe_files(recipe, raw_files, slug)),
            check_binary_files_without_test_ids(
                staging.public,
                leakage_facts.public_files,
                _new_test_ids(con, recipe, result) if leakage_facts.public_files else [],
                recipe.kind == "released_labels",
                recipe.id_column,
            ),
            check_test_labels_seen(
                result.train_file, result.test_file, result.answers_file, recipe, metric, read_scored(staging)
            ),
            check_row_files_published(
                raw_files,
                recipe.id_column,
                _first_ids(con, recipe, raw_files),
                recipe.row_files,
                {str(f.relative) for f in extras},
                recipe_files(recipe, raw_files, slug).values(),
                recipe.kind,
            ),
            check_row_files_are_inputs(
                raw_files, _published_row_file_sets(recipe), _kaggle_test_rows(con, recipe, raw_files)
            ),
            check_sample_columns_graded(sample_left_out, ungraded, recipe.sample_submission_file, train_name(recipe)),
        ]
        manifest = _manifest(slug, recipe, result, files, checks, source or {}) | {
            "metric": metric,  # what the answers and the sample were checked for (grading by another checks again)
            "inputs_version": inputs_version,
        }
        if sample_left_out:
            manifest["sample_submission_dropped_columns"] = sample_left_out
        staging.manifest.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if not refused(checks):  # a split the leakage checks refuse is kept in staging, ungraded
            check_graded(staging, slug, metric)  # the grader reads the staging manifest's id column
        built = True
    finally:
        con.close()
        shutil.rmtree(final.scratch, ignore_errors=True)
        if not built:
            shutil.rmtree(staging.path, ignore_errors=True)
    if refused(checks):
        return PreparedSplit(slug, staging.path, False, result, checks, manifest)
    _publish(staging, final)
    return PreparedSplit(slug, final.path, True, result, checks, manifest)


def _check_answers(con, slug: str, recipe: SplitRecipe, metric: str | None, raw: Path, result: SplitResult) -> None:
    """The new test set's answers (id and targets, as the split wrote them) checked gradable
    (``validation.gradable_answers``): read once, a tenth of the rows; the source file is read again only on failure,
    to name the rows."""
    source = raw / recipe.answers_file if recipe.kind == "released_labels" else train_source(raw, recipe)
    answers = pd.read_csv(result.answers_file, dtype=str, keep_default_na=False)
    # Rows a submission names by submission_columns' keys may share an id (sweep 175's uw-madison: an image's id and a
    # class; text-normalization's {sentence_id}_{token_id} with the sentence as the id, review 180): grading matches
    # them by the keys, whose repeats submission_format refuses.
    id_column = None if recipe.submission_columns else recipe.id_column
    facts = AnswerFacts(slug, id_column, recipe.graded_targets, metric, recipe.answers_file
                        if recipe.kind == "released_labels" else train_name(recipe))  # fmt: skip

    def rows_of(ids: list[str]) -> dict[str, list[int]]:
        return _rows_of_ids(con, source, recipe.id_column, ids)

    check_gradable_answers(answers, facts, rows_of)


def _first_ids(con, recipe: SplitRecipe, raw: Path) -> list[str]:
    """The train file's first ids (as text), where the recipe has an id column (``row_files_published``)."""
    if not recipe.id_column or recipe.train_listing:
        return []
    column = quote(recipe.id_column)
    found = con.execute(f"SELECT CAST({column} AS VARCHAR) FROM {reader_sql(train_source(raw, recipe))} "
                        f"WHERE {column} IS NOT NULL LIMIT {SAMPLED_IDS}").fetchall()  # fmt: skip
    return [row[0] for row in found]


def _published_row_file_sets(recipe: SplitRecipe) -> list[tuple[str, str]]:
    """Each set of row files whose new test rows' files are published, as ``row_files_are_inputs`` names it, with its
    pattern in the download: ``row_files``' own first."""
    return [
        ("row_files" if key == "row_files" else "other_row_files entry", one.row_files)
        for key, one in recipe.row_file_sets
        if not one.train_rows_only
    ]


def _kaggle_test_rows(con, recipe: SplitRecipe, raw: Path) -> list[dict[str, str]]:
    """Kaggle's first test rows (its test file's, else its sample submission's: the first holding a column the
    row-file patterns name), those columns (as text; ``row_files_are_inputs``); [] with one set of row files."""
    if len(recipe.other_row_files) == 0:
        return []
    for name in (recipe.test_file, recipe.sample_submission_file):
        if name and (raw / name).is_file():
            path = raw / name
            columns = columns_of(con, path)
            wanted = [c for _, one in recipe.row_file_sets for c in pattern_columns(one.row_files, columns)]
            present = [c for c in dict.fromkeys(wanted) if c in columns]
            if not present:  # named otherwise there (Id for id): the sample may name them
                continue
            select = ", ".join(f"CAST({quote(c)} AS VARCHAR)" for c in present)
            found = con.execute(f"SELECT {select} FROM {reader_sql(path)} LIMIT {INPUTS_SAMPLED}").fetchall()
            return [dict(zip(present, row, strict=True)) for row in found]
    return []


ROWS_SHOWN_PER_ID = 3


def _rows_of_ids(con, path: Path, id_column: str, ids: list[str]) -> dict[str, list[int]]:
    """Each of ``ids``'s first rows in ``path`` (1-based, the header not counted): one read, on failure only."""
    column = f"CAST({quote(id_column)} AS VARCHAR)"
    found = con.execute(
        f"""SELECT {column}, list(__mlecurate_rn + 1 ORDER BY __mlecurate_rn)[1:{ROWS_SHOWN_PER_ID}]
            FROM ({numbered_rows(path, columns_of(con, path))}) WHERE {column} IN (SELECT unnest(?)) GROUP BY 1""",
        [ids],
    ).fetchall()
    return {value: rows for value, rows in found}


def _row_files_found(con, recipe: SplitRecipe, raw_files: Path, slug: str) -> list[tuple]:
    """Every row's files in the download (``splits.row_files``), their columns checked first: for each set (its
    recipe key, the recipe of that set, what was found), ``row_files``' own first; [] without row_files."""
    if not recipe.row_files:
        return []
    train_columns = recipe_columns(con, recipe, raw_files, slug)["train_file"]  # the recipe's files and columns
    for key, one in recipe.row_file_sets:
        check_row_file_columns(con, one, raw_files, train_columns, slug, key)
    return [(key, one, find_row_files(con, one, raw_files, slug, key)) for key, one in recipe.row_file_sets]


def _new_test_ids(con, recipe: SplitRecipe, result: SplitResult) -> list[str]:
    """The new test rows' ids as the download writes them (their own ids under ``test_ids``); [] without an id."""
    if result.renamed_ids:
        return list(result.renamed_ids)
    if not recipe.id_column or recipe.id_column not in result.public_columns:
        return []
    found = con.execute(
        f"SELECT DISTINCT CAST({quote(recipe.id_column)} AS VARCHAR) FROM {reader_sql(result.test_file)}"
    )
    return [row[0] for row in found.fetchall() if row[0] is not None]


def _leakage_facts(
    con,
    recipe: SplitRecipe,
    raw: Path,
    result: SplitResult,
    extras: list[PublicFile],
    digests: dict[str, str],
    tables: list[TrainTable],
) -> LeakageFacts:
    released = recipe.kind == "released_labels"
    labelled_rows = (
        con.execute(f"SELECT count(*) FROM {reader_sql(raw / recipe.answers_file)}").fetchone()[0] if released else None
    )
    # Files holding the new test rows' answers: the released or original answers, and (unless the training set is
    # Kaggle's, unchanged) the original training file, which holds the new test rows with their targets.
    holding_answers = [raw / name for name in (recipe.answers_file, recipe.original_answers_file) if name]
    holding_answers += [] if released else [train_source(raw, recipe)]
    return LeakageFacts(
        target_columns=recipe.target_columns, id_column=recipe.id_column, group_column=recipe.group_column,
        released_labels=released, original_rows=result.original_rows, labelled_test_rows=labelled_rows,
        ignored_test_rows=result.ignored_test_rows,
        public_files=tuple(ExtraFile(str(f.relative), digests[str(f.relative)], f.entry) for f in extras)
        + tuple(ExtraFile(str(t.relative), digests[str(t.relative)], f"{TABLES_KEY}: {t.name}", t.side == "test")
                for t in tables),
        answer_sources=tuple(holding_answers),
        label_sources=(train_source(raw, recipe), *([raw / recipe.answers_file] if recipe.answers_file else []),
                       *([result.answers_file] if result.test_ids else [])),  # the answers label the new ids
        renamed_ids=tuple(result.renamed_ids or ()),
        label_texts={c: texts for c, texts in recipe.listed_texts.items() if c in recipe.target_columns},
        recipe=recipe.to_document(), kaggle_test_columns=None if released else _kaggle_test_columns(con, recipe, raw),
    )  # fmt: skip


def _kaggle_test_columns(con, recipe: SplitRecipe, raw: Path) -> tuple[str, ...]:
    """The columns of Kaggle's test file, () without one: the new public test set's others came from training."""
    original = raw / recipe.test_file if recipe.test_file else None
    return tuple(columns_of(con, original)) if original is not None and original.is_file() else ()


def _sample_columns_left_out(con, recipe: SplitRecipe, raw: Path, dropped: list[str]) -> list[str]:
    """The columns of Kaggle's sample the built sample does not have: those dropped as no prediction, or, with
    ``submission_columns`` (which names the built sample's columns), each column of Kaggle's it does not name."""
    if not (recipe.submission_columns and recipe.sample_submission_file):
        return dropped
    named = {name for name, _ in recipe.submission_columns}
    return [c for c in columns_of(con, raw / recipe.sample_submission_file) if c not in named]


def _built(
    con,
    recipe,
    raw: Path,
    result: SplitResult,
    files,
    staging: PreparedFolder,
    extras,
    row_files: list[RowFile],
    sample_columns: tuple[list[str], list[str]],
    tables: list[TrainTable],
) -> BuiltSplit:
    """Counts and columns for the description, read from the built files and the download. ``sample_columns``: the
    columns of Kaggle's sample left out as no prediction, and those of them (or of those submission_columns leaves
    out) that are training columns no target names."""
    dropped_sample_columns, ungraded = sample_columns
    original_test_rows, original_test_counted = kaggle_test_size(con, recipe, raw) or (None, None)
    left_out = []
    if recipe.kind != "released_labels":
        train_columns = columns_of(con, result.train_file)
        left_out = [c for c in train_columns if c not in result.public_columns and c not in recipe.target_columns]
    public = [
        {"path": f["path"].removeprefix("public/"), "rows": f.get("rows")}
        for f in files
        if f["path"].startswith("public/") and "row_files_key" not in f
    ]
    return BuiltSplit(
        result=result, files=public, submission_columns=columns_of(con, staging.sample_submission),
        original_test_rows=original_test_rows, original_test_counted=original_test_counted, left_out_columns=left_out,
        extra_files=frozenset(str(f.relative) for f in extras), row_files=_row_file_counts(row_files),
        dropped_sample_columns=dropped_sample_columns,
        ungraded_sample_columns=[c for c in ungraded if c in dropped_sample_columns],
        train_tables=tuple(TableFacts(str(t.relative), t.name, t.column, t.kept, t.rows, t.side) for t in tables),
    )  # fmt: skip


def _row_file_counts(row_files: list[RowFile]) -> dict[str, int]:
    """How many row files each side's pattern put in public/, by side (``train``, ``test``): ``row_files``' own (each
    set of ``other_row_files`` has as many: one file a row)."""
    counts = {"train": 0, "test": 0}
    for file in row_files:
        counts[file.side] += file.key != "other_row_files"
    return counts


def _published_with(final: PreparedFolder, inputs_version: str) -> dict | None:
    """The published manifest when it records ``inputs_version`` and every file it lists is present at its size."""
    manifest = recorded_json(final.manifest)
    if manifest is None or manifest.get("inputs_version") != inputs_version:
        return None
    for entry in manifest.get("files", []):
        path = final.path / entry["path"]
        if not path.is_file() or path.stat().st_size != entry.get("bytes"):
            return None
    return manifest


def _recorded_checks(manifest: dict) -> list[SplitCheck]:
    return [
        SplitCheck(name, found["passed"], found["found"], found.get("metadata", {}))
        for name, found in manifest.get("checks", {}).items()
    ]


def _restore_retired(final: PreparedFolder) -> None:
    """A process killed between :func:`_publish`'s two renames leaves the published split under its retired name
    and none under its own: put it back before anything looks for it."""
    if final.retired.is_dir() and not final.path.exists():
        os.replace(final.retired, final.path)


def _publish(staging: PreparedFolder, final: PreparedFolder) -> None:
    shutil.rmtree(final.retired, ignore_errors=True)
    if final.path.exists():
        os.replace(final.path, final.retired)
    os.replace(staging.path, final.path)
    shutil.rmtree(final.retired, ignore_errors=True)


def _file_entries(
    con,
    folder: PreparedFolder,
    extras: list[PublicFile],
    digests: dict[str, str],
    row_files: list[RowFile] = (),
    row_digests: dict[str, str] | None = None,
    tables: list[TrainTable] = (),
) -> list[dict]:
    """A manifest entry per file of the staging folder (but the manifest and description): path, bytes, and one
    ``checksum``: the content checksum (with rows) for a data file, ``sha256:<hex>`` of the bytes for any other (a
    row's own file too, whatever its name: it is an input, placed unchanged, not a table of the split). A file
    copied from the download (``public_files``) also names the entry that brought it, and a data file among them keeps
    its bytes' sha256 in ``sha256`` (its ``checksum`` being the content checksum); a row's file (``row_files``) names
    the key that placed it (``row_files`` for a train row's, ``test_row_files`` for a test row's). The sha256 of a
    copied file is the one computed while copying (``digests``, ``row_digests``, by path relative to ``public/``),
    never recomputed. A table of the new train rows' rows (``train_tables``) names its file in the download
    (``train_tables_entry``), and one of the new test rows' rows says so (``train_tables_side: test``)."""
    copied: dict[str, tuple[str, str, str]] = {  # path -> (manifest key, value, sha256)
        f"public/{f.relative}": ("public_files_entry", f.entry, digests[str(f.relative)]) for f in extras
    }
    copied |= {f"public/{f.relative}": ("row_files_key", f.key, (row_digests or {})[f.relative]) for f in row_files}
    copied |= {f"public/{t.relative}": ("train_tables_entry", t.name, digests[str(t.relative)]) for t in tables}
    test_sides = {f"public/{t.relative}" for t in tables if t.side == "test"}
    entries = []
    left_out = {_relative(folder, folder.manifest), _relative(folder, folder.description)}
    for relative, size in sorted(_files_with_sizes(folder.path)):
        if relative in left_out:
            continue
        extra = copied.get(relative)
        digest = extra[2] if extra else None
        path = folder.path / relative
        entry = {"path": relative, "bytes": size, "checksum": f"sha256:{digest or file_sha256(path)}"}
        if is_data_file(relative) and (extra is None or extra[0] != "row_files_key"):  # a row's file: by its bytes
            try:
                checksum = content_checksum(path, con)
                entry |= {"rows": int(checksum.split(":")[1]), "checksum": checksum}
                if digest:
                    entry["sha256"] = digest
            except DataFileError:
                if extra is None:
                    raise
        if extra:
            entry[extra[0]] = extra[1]
        if relative in test_sides:  # review 190: the manifest said nothing of whose rows a table's test: holds
            entry["train_tables_side"] = "test"
        entries.append(entry)
    return entries


def _files_with_sizes(top: Path) -> list[tuple[str, int]]:
    """Every regular file under ``top`` (POSIX path relative to it, bytes), by ``os.scandir``: pathlib's ``rglob``
    and ``stat`` cost seconds on the 100,000 files of a split with row files."""
    found = []
    stack = [(str(top), "")]
    while stack:
        where, prefix = stack.pop()
        with os.scandir(where) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.is_file(follow_symlinks=False):
                    found.append((prefix + entry.name, entry.stat(follow_symlinks=False).st_size))
    return found


def _relative(folder: PreparedFolder, path: Path) -> str:
    return path.relative_to(folder.path).as_posix()


def _plain_entry(folder: PreparedFolder, path: Path, digest: str | None = None) -> dict:
    return {
        "path": path.relative_to(folder.path).as_posix(),
        "bytes": path.stat().st_size,
        "checksum": f"sha256:{digest or file_sha256(path)}",
    }


def _manifest(slug, recipe, result, files: list[dict], checks, source: dict) -> dict:
    return {
        "slug": slug,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "recipe": recipe.to_document(),
        "source": source,
        "unit": result.unit,
        "rows": {"original": result.original_rows, "train": result.train_rows, "test": result.test_rows}
        | (
            {"kaggle_test": result.kaggle_test_rows, "kaggle_test_unlabelled": result.unlabelled_test_rows}
            if recipe.kind == "released_labels"
            else {}
        )
        | ({"kaggle_test_ignored": result.ignored_test_rows} if result.ignored_test_rows else {})
        | ({"without_unit": result.without_unit} if result.without_unit else {})
        | ({"test_scored": result.scored_rows} if result.scored_rows is not None else {})
        | ({"test_unseen_relabelled": result.unseen_relabelled} if result.unseen_relabelled is not None else {}),
        "files": files,
        "checks": {c.name: {"passed": c.passed, "found": c.found, "metadata": c.metadata} for c in checks},
    }


def prepare_annotated_split(
    slug: str,
    recipe_document: dict,
    recipe_by: str,
    raw_files: Path,
    prepared_root: Path,
    facts: dict,
    overview: str | None = None,
    source_sha256: str | None = None,
) -> PreparedSplit:
    """Validate the curators' recipe (errors name the competition and who gave it), and build, check, describe and
    publish its split (:func:`prepare_competition`)."""
    recipe = parse_recipe(recipe_document, where=f"{slug} (recipe by {recipe_by})")
    return prepare_competition(
        slug, recipe, raw_files, prepared_root, overview,
        source={"zip_sha256": source_sha256, "recipe_by": recipe_by}, facts=facts or {},
    )  # fmt: skip
