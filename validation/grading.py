"""Grade a submission against a prepared competition's answers, and report it with MLE-bench's fields.

>>> report = grade_submission(Path("submission.csv"), root.prepared("titanic"), "accuracy", leaderboard=board)
>>> report.to_dict()   # competition_id, score, gold_threshold, ..., valid_submission, rank, percentile, errors

``root`` is the :class:`validation.data_root.DataRoot`, which names the prepared folder's files. The answers file
(``PreparedFolder.answers``) has the sample submission's columns (it is the perfect submission), so a submission must
be a ``.csv`` file (or a .zip/.gz of one, as Kaggle takes), have exactly those columns, one row per answer, each id
once (without an id column, rows are matched by the key columns' content in any order, the k-th of identical key rows
to the k-th), and every prediction in the metric's domain (numbers for numeric metrics; e.g. RMSLE needs predictions
>= 0, log loss, AUC and class probabilities in 0..1). Labels are compared as values of the answers' type (``1``,
``1.0``, ``true`` and ``True`` are one boolean label: ``validation.metrics.typed_labels``), and a label of another
type (``2`` or ``maybe`` against true/false answers) is invalid; class probabilities not summing to 1 are
rescaled, as Kaggle does, with a note, but a distribution's (KL divergence) must sum to 1 to 5 decimals, as MLE-bench's
grader requires (answers.csv holds the shares a row's counts per class make of their sum). Every problem gets its own
message naming the column and rows; a submission with any problem gets ``valid_submission: false`` and no score, and
so does one whose score comes out NaN or infinite (``inf`` is no prediction; ``1e308`` is, but a metric it overflows
gives no score). Nothing here raises on a bad submission.

Hostile files cost time linear in their size: the file is read once under a size limit (20x the sample submission,
compressed or not), its header is checked against the answers' columns (a repeated name, an unexpected or missing
column is refused before any table is built) and every line must have the header's number of fields. Every value
echoed into a message is cut to 200 characters and lists show a few examples and a count, so a report stays small.

A well-formed submission of a numeric metric takes a fast path (within 2x of ``pd.read_csv`` on a 1M-row file: no
Python string per cell, two cores) that grades only what the checks above find valid, with their score and notes;
anything else (every problem included) takes the precise path, which words the messages (see "The fast path").
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import re
import warnings
import zlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from validation.archives import ArchiveError, ZipLimits, is_os_litter, open_zip
from validation.csv_records import UnusualCsv, records
from validation.data_files import columns_of, utc_connection
from validation.data_root import TEST, PreparedFolder
from validation.float_text import EMPTY, has_huge_exponent, to_numeric
from validation.leaderboard import Leaderboard
from validation.medals import medal_thresholds, place
from validation.messages import MAX_SHOWN_ITEMS, shown, shown_list
from validation.metrics import (
    DISTRIBUTION_DECIMALS,
    METRICS,
    TEXT_TASKS,
    Metric,
    canonical_labels,
    foreign_labels,
    label_type,
    not_summing_to_one,
)
from validation.run_length import first_bad_mask
from validation.scored_rows import read_scored
from validation.split_recipe import submission_keys

MAX_MESSAGES = 20  # errors (and notes) a report lists; then how many more
SIZE_LIMIT_SHARE = 20  # a submission may be this many times the sample submission's size (10 MiB at least)
# Kaggle takes a CSV competition's submission as a .csv file, or zipped/gzipped; MLE-bench takes .csv only.
SUBMISSION_SUFFIXES = (".csv", ".zip", ".gz")


def empty_cells(values: pd.Series, labels: bool = False) -> pd.Series:
    """Which cells hold no value: blank, or for a number one of EMPTY's words; a class label only when blank."""
    stripped = values.str.strip()
    return stripped == "" if labels else stripped.isin(EMPTY)


SUM_TOLERANCE = 1e-6  # a row of class probabilities sums to 1 within this (MLE-bench's tolerance)


@dataclass
class GradingReport:
    competition_id: str
    score: float | None = None
    gold_threshold: float | None = None
    silver_threshold: float | None = None
    bronze_threshold: float | None = None
    median_threshold: float | None = None
    any_medal: bool = False
    gold_medal: bool = False
    silver_medal: bool = False
    bronze_medal: bool = False
    above_median: bool = False
    submission_exists: bool = False
    valid_submission: bool = False
    is_lower_better: bool | None = None
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    submission_path: str = ""
    metric: str = ""
    rank: int | None = None
    leaderboard_teams: int | None = None
    percentile: float | None = None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The fields, with every float that is not finite (NaN, inf) as None: no score or threshold is ever NaN; the
        errors and notes capped at ``MAX_MESSAGES`` (then how many more)."""
        fields = {k: None if isinstance(v, float) and not np.isfinite(v) else v for k, v in asdict(self).items()}
        for name in ("errors", "notes"):
            messages = fields[name]
            if len(messages) > MAX_MESSAGES:
                fields[name] = messages[:MAX_MESSAGES] + [f"... and {len(messages) - MAX_MESSAGES:,} more"]
        return fields

    def to_json(self) -> str:
        """Strict JSON (RFC 8259): never a bare NaN or Infinity."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)


def grade_submission(
    submission: Path,
    prepared: PreparedFolder,
    metric: str,
    leaderboard: Leaderboard | None = None,
    competition_id: str = "",
) -> GradingReport:
    """Validate and score ``submission`` against the prepared split's answers; never raises on a bad submission.
    ``competition_id`` defaults to the folder's slug. A ``leaderboard`` sorted against the metric's direction raises
    ``validation.leaderboard.LeaderboardError`` (the board or the metric is wrong)."""
    competition_id = competition_id or prepared.slug
    spec = METRICS[metric]
    report = GradingReport(competition_id, submission_path=str(submission), metric=metric,
                           is_lower_better=not spec.higher_is_better)  # fmt: skip
    if leaderboard is not None:
        thresholds = medal_thresholds(leaderboard, spec.higher_is_better, f"the metric {metric}")
        report.gold_threshold, report.silver_threshold = thresholds.gold, thresholds.silver
        report.bronze_threshold, report.median_threshold = thresholds.bronze, thresholds.median
        report.leaderboard_teams = thresholds.teams
    if not submission.is_file():
        report.errors.append(f"{submission}: no such file")
        return report
    report.submission_exists = True
    if not submission.name.lower().endswith(SUBMISSION_SUFFIXES):
        report.errors.append(
            f"{submission}: a submission must be a .csv file (or a .zip or .gz of one), not {submission.suffix or submission.name!r}"
        )
        return report
    if _too_large(submission, prepared, report):  # refused before anything is parsed, the answers included
        return report
    scored = read_scored(prepared)
    if not (FAST_PATH and _graded_fast(submission, prepared, spec, report, scored)):
        answers = pd.read_csv(prepared.existing_answers(), dtype=str, keep_default_na=False)
        keys = key_columns(prepared, answers)
        frame = _read_submission(submission, prepared, list(answers.columns), spec, report)
        if frame is None:
            return report
        score_frame(frame, answers, keys, spec, report, scored)
    if leaderboard is not None and report.valid_submission:
        placement = place(report.score, leaderboard, thresholds)
        report.gold_medal, report.silver_medal = placement.gold_medal, placement.silver_medal
        report.bronze_medal, report.above_median = placement.bronze_medal, placement.above_median
        report.any_medal, report.rank, report.percentile = placement.any_medal, placement.rank, placement.percentile
    return report


def score_frame(
    frame: pd.DataFrame,
    answers: pd.DataFrame,
    keys: list[str],
    spec: Metric,
    report: GradingReport,
    scored: np.ndarray | None = None,
):
    """Validate a submission read as text (``frame``: the answers' columns, every value a string) against the answers
    (also text), matched by ``keys`` (:func:`key_columns`), and score it: ``report`` gets the score and
    ``valid_submission``, or every problem. ``scored``: which answers rows are scored (split recipe key
    ``scored_rows``; every row is validated all the same). Never raises on a bad submission."""
    aligned = _validate(frame, answers, keys, spec, report)
    if aligned is None:
        return
    if scored is not None:
        if not _scored_fits(scored, len(answers), report):
            return
        answers, aligned = answers[scored].reset_index(drop=True), aligned[scored].reset_index(drop=True)
    predictions = [c for c in answers.columns if c not in keys]
    try:
        score = _quiet_score(spec, answers, aligned, predictions)
    except (ValueError, KeyError) as error:
        report.errors.append(f"cannot score with {spec.name}: {shown(error)}")
        return
    if not np.isfinite(score):  # an undefined or overflowing score is no score: never reported as a valid one
        report.errors.append(_no_score(spec.name, score))
        return
    report.score = score
    report.valid_submission = True


def _scored_fits(scored: np.ndarray, rows: int, report: GradingReport) -> bool:
    """Whether the split's scored-rows mask has a row for each answer (a damaged folder says so, as an error), and
    the note saying how many rows are scored."""
    if len(scored) != rows:
        report.errors.append(f"the split is damaged, not the submission: its private/scored_rows.csv has "
                             f"{len(scored):,} rows for {rows:,} answers; materialise competition_split for this "
                             "competition again to rebuild it")  # fmt: skip
        return False
    report.notes.append(_scored_note(scored))
    return True


def _scored_note(scored: np.ndarray) -> str:
    return f"{int(scored.sum()):,} of the {len(scored):,} test rows are scored (split recipe key scored_rows)"


def key_columns(prepared: PreparedFolder, answers: pd.DataFrame) -> list[str]:
    """The columns that identify a row: the id, or the public test columns the answers repeat (no id column)."""
    return _keys_among(prepared, list(answers.columns))


def _keys_among(prepared: PreparedFolder, columns: list[str]) -> list[str]:
    recipe = prepared.read_manifest()["recipe"]
    keys = submission_keys(recipe)
    if keys:
        return keys
    with utc_connection() as con:
        header = set(columns_of(con, prepared.public_table(TEST, recipe)))
    return [c for c in columns if c in header]


def _quiet_score(spec: Metric, answers: pd.DataFrame, aligned: pd.DataFrame, predictions: list[str]) -> float:
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported by the caller, not warned about
        return score_aligned(spec, answers, aligned, predictions)


def _no_score(metric: str, score: float) -> str:
    """Why a submission whose score is not finite gets none."""
    if np.isinf(score):
        return (f"{metric} overflows for this submission (its score comes out {score}): predictions too large to "
                "score; no score is given")  # fmt: skip
    return f"{metric} is undefined for this submission (it scores {score})"


def _read_submission(
    path: Path, prepared: PreparedFolder, columns: list[str], spec: Metric, report: GradingReport
) -> pd.DataFrame | None:
    """The submission as text columns, or None with the reasons in ``report``: read once under the size limit, its
    header and line lengths checked (:func:`_submission_structure`) before pandas builds the table."""
    limit = _size_limit(prepared)  # grade_submission refused an empty or oversized file from its size already
    try:
        text = _submission_bytes(path, limit).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        report.errors.append(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})")
        return None
    except ZippedSubmissionError as error:  # ours: the members' names in it are already cut to length
        report.errors.append(str(error))
        return None
    except ArchiveError as error:  # its message names the file
        report.errors.append(shown(error))
        return None
    except (ValueError, OSError, EOFError, zlib.error) as error:  # a broken gzip, or one beyond the limit
        report.errors.append(f"{path}: cannot read it as a (compressed) CSV file ({shown(error)})")
        return None
    header, problems = _submission_structure(text, columns, long_values=spec.task == "mask")
    if problems:
        report.errors.extend(f"{path}: {problem}" for problem in problems)
        return None
    try:  # the header as checked (pandas reads the same line; this makes sure both agree)
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, header=0, names=header, index_col=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        report.errors.append(f"{path}: not a CSV file ({shown(str(error).strip().splitlines()[0])})")
    return None


def _size_limit(prepared: PreparedFolder) -> int:
    """The largest submission taken: 20 times the sample's size or the answers' (a segmentation sample predicts one
    pixel a row, carvana's 1 1, where a real mask is 11 KB), 10 MiB at least."""
    answers = prepared.answers.stat().st_size if prepared.answers.is_file() else 0
    return max(SIZE_LIMIT_SHARE * max(prepared.sample_submission.stat().st_size, answers), 10 * 1024**2)


def _too_large(path: Path, prepared: PreparedFolder, report: GradingReport) -> bool:
    """An empty file, or one larger than any submission can be: reported, from its size alone."""
    size, limit = path.stat().st_size, _size_limit(prepared)
    if size == 0:
        report.errors.append(f"{path}: the file is empty")
    elif size > limit:
        report.errors.append(
            f"{path}: {size:,} bytes, more than {limit:,} ({SIZE_LIMIT_SHARE}x the sample submission or the answers, "
            "whichever is larger): not a submission"
        )
    return size == 0 or size > limit


class ZippedSubmissionError(ArchiveError):
    """A zipped submission that is not one CSV file (the zip itself is sound)."""


def _submission_bytes(path: Path, limit: int) -> bytes:
    """The submission's CSV bytes: the file, or the one CSV of a .zip (under the archive limits) or a .gz, never more
    than ``limit`` bytes once decompressed (raises ``ValueError`` beyond)."""
    name = path.name.lower()
    if name.endswith(".zip"):
        with open_zip(path, str(path), ZipLimits(max_total_bytes=limit)) as bundle:
            # macOS's __MACOSX/._submission.csv and .DS_Store beside the file; a zip of hidden names alone is read
            files = [name for name in bundle.files if not is_os_litter(name)] or bundle.files
            if len(files) != 1:
                raise ZippedSubmissionError(
                    f"{path}: a zipped submission holds one CSV file; this zip holds {len(files):,}: "
                    f"{shown_list(files) or 'none'}"
                )
            member = files[0]
            if not member.lower().endswith(".csv"):  # as a bare file must be: a .txt, or a .csv.gz zipped again
                raise ZippedSubmissionError(
                    f"{path}: a zipped submission holds one CSV file; its one file, {shown(member)!r}, is not a .csv "
                    "file: zip the .csv itself"
                )
            return bundle.read(member)
    if name.endswith(".gz"):
        with gzip.open(path) as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise ValueError(
                f"it decompresses to more than {limit:,} bytes ({SIZE_LIMIT_SHARE}x the sample submission)"
            )
        return data
    return path.read_bytes()


def _submission_structure(text: str, columns: list[str], long_values: bool = False) -> tuple[list[str], list[str]]:
    """A submission's header and what is wrong with its CSV structure, in one linear pass: the header must name each
    of ``columns`` (the answers') once and nothing else (the first repeated, unexpected or missing column is named),
    and every line must have as many fields as the header (the first line that does not is named). Empty lines are
    skipped, as pandas does. No problems: [].

    The csv module refuses a field past 131,072 characters, and no prediction is that long, but for ``long_values``
    (a run-length encoded mask of a whole-slide image is megabytes): its records are then read without the limit
    (:mod:`validation.csv_records`), quoted or not, unless they hold what only the csv module reads its own way."""
    unusual = ""
    if long_values:
        try:
            return _structure(records(text), columns)
        except UnusualCsv as error:
            unusual = f"; {error}, which the csv module reads its own way"
    lines = csv.reader(io.StringIO(text))
    numbered = ((lines.line_num, row) for row in lines if row)
    try:
        return _structure(numbered, columns)
    except csv.Error as error:  # e.g. a field past csv's 128 KiB limit: no prediction is that long
        return [], [f"line {lines.line_num}: not a CSV line ({shown(error)}){unusual}"]


def _structure(numbered: Iterable[tuple[int, list[str]]], columns: list[str]) -> tuple[list[str], list[str]]:
    """:func:`_submission_structure` of the records ``numbered`` gives, each with its last line's number."""
    header: list[str] | None = None
    for line, fields in numbered:
        if header is None:
            header = fields
            if problems := header_problems(header, columns):
                return header, problems
        elif len(fields) != len(header):
            return header, [f"line {line}: {len(fields):,} field(s), but the header has {len(header)}"]
    if header is None:  # no line but empty ones
        return [], header_problems([], columns)
    return header, []


def header_problems(header: list[str], columns: list[str]) -> list[str]:
    """What is wrong with a submission's header against the answers' ``columns``: each once and nothing else (the
    first repeated, the unexpected and the missing ones named); [] when nothing is."""
    expected, seen, problems = set(columns), set(), []
    for position, name in enumerate(header, start=1):
        if name in seen:
            problems.append(
                f"column {shown(name) or repr(name)} appears {header.count(name):,} times (again as column "
                f"{position:,}); each column must appear once"
            )
            break
        seen.add(name)
    unexpected = [name for name in dict.fromkeys(header) if name not in expected]
    if unexpected:
        named = [repr(shown(name)) if not name or name != name.strip() else name for name in unexpected]
        problems.append(
            f"{len(unexpected):,} unexpected column(s): {shown_list(named)}{_near_misses(unexpected, columns, header)}"
        )
    missing = [c for c in columns if c not in seen]
    if missing:
        problems.append(f"missing column(s): {shown_list(missing)} (expected {shown_list(columns)})")
    return problems


def _near_misses(unexpected: list[str], columns: list[str], header: list[str]) -> str:
    """What turns unexpected header names into the answers' columns, when spaces around them or letter case is all
    that differs (``' id '`` for ``id``, ``ID`` for ``id``): the header is compared as written."""
    folded: dict[str, list[str]] = {}
    for column in columns:
        folded.setdefault(column.casefold(), []).append(column)
    present = set(header)
    hints = [
        f"{shown(name)!r} for {meant[0]!r}"
        for name in unexpected
        if len(meant := folded.get(name.strip().casefold(), [])) == 1 and meant[0] not in present
    ]
    if not hints:
        return ""
    return f" ({', '.join(hints[:5])}: names are compared as written, without trimming spaces or folding case)"


def _validate(frame: pd.DataFrame, answers: pd.DataFrame, keys: list[str], spec: Metric, report: GradingReport):
    """The submission (whose columns are the answers', checked when it was read) aligned with the answers row by
    row, or None with every problem in ``report``."""
    errors = report.errors
    if len(frame) != len(answers):
        errors.append(f"{len(frame):,} rows, expected {len(answers):,} (one per test row)")
    matched = None  # the submission in the answers' order, when rows are matched by content
    if len(keys) == 1:
        key = keys[0]
        repeated = frame[key][frame[key].duplicated()].unique()
        if len(repeated):
            errors.append(f"column {key}: {len(repeated):,} id(s) appear more than once, e.g. {_some(repeated)}")
        wanted, given = set(answers[key]), set(frame[key])
        if wanted - given:
            errors.append(f"column {key}: {len(wanted - given):,} id(s) missing, e.g. {_some(sorted(wanted - given))}")
        if given - wanted:
            errors.append(
                f"column {key}: {len(given - wanted):,} id(s) not in the test set, e.g. {_some(sorted(given - wanted))}"
                + _rewritten_ids(given - wanted, wanted)
            )
    elif keys:  # no id column: rows are identified by the key columns' content, in any order
        matched, missing_rows, extra_rows = match_rows(frame, answers, keys)
        named = ", ".join(keys)
        if missing_rows:
            errors.append(
                f"{len(missing_rows):,} test row(s) have no submission row with the same {named}, "
                f"e.g. {_rows_shown(answers, missing_rows, keys)}"
            )
        if extra_rows:
            errors.append(
                f"{len(extra_rows):,} submission row(s) match no test row by {named}, "
                f"e.g. line(s) {_some([i + 2 for i in extra_rows])}: {_rows_shown(frame, extra_rows, keys)}"
            )
    predicted = [c for c in answers.columns if c not in keys]
    parsed = numbers(frame[predicted], errors="coerce") if spec.numeric_predictions else None
    for column in predicted:
        # Free text and ranked labels may be empty (no words, no labels); a number or a class label may not.
        what = "empty or NaN"
        if spec.task in TEXT_TASKS:
            empty = pd.Series(False)
        elif parsed is not None:  # a cell read as a number is not empty: only the others are looked at as text
            empty = pd.Series(False, index=frame.index)
            unread = parsed[column].isna()
            empty[unread] = empty_cells(frame.loc[unread, column]).to_numpy(dtype=bool)
        else:  # a class label: "None" or "NA" may be a class (an unknown one is said to be so below)
            empty, what = empty_cells(frame[column], labels=True), "empty"
            if empty.any() and answers[column].str.strip().isin(MISSING_WORDS).any():
                report.notes.append(_blank_labels_note(column, answers[column], empty))
                empty = pd.Series(False, index=frame.index)
        if empty.any():
            errors.append(
                f"column {column}: {int(empty.sum()):,} {what} value(s), e.g. {_lines(np.flatnonzero(empty) + 2)}"
            )
        elif spec.numeric_predictions:
            _check_numbers(frame[column], parsed[column], column, spec, errors)
        elif spec.task == "classification":
            _check_labels(answers[column], frame[column], column, spec, errors)
        elif spec.task == "mask":
            _check_masks(frame[column], column, spec, errors)
        if spec.task in ("label_set", "ranking") and (note := _comma_joined(answers[column], frame[column], column)):
            report.notes.append(note)
    if spec.one_column_per_class and not errors:
        sums = parsed.sum(axis=1).to_numpy()
        zero = sums <= 0
        if zero.any():
            errors.append(
                f"{int(zero.sum()):,} row(s) whose class probabilities sum to 0, e.g. {_lines(np.flatnonzero(zero) + 2)}; "
                f"{spec.name} needs some probability in each row"
            )
        elif off := int((~np.isclose(sums, 1, atol=SUM_TOLERANCE)).sum()):  # as MLE-bench: np.isclose's rtol too
            report.notes.append(f"{off:,} row(s)' probabilities do not sum to 1; rescaled as Kaggle does")
    if spec.distribution and not errors:
        sums = parsed.sum(axis=1).to_numpy()  # parsed: the predicted columns
        off = np.flatnonzero(not_summing_to_one(sums))
        if len(off):
            errors.append(
                f"{len(off):,} row(s) whose probabilities do not sum to 1 (to {DISTRIBUTION_DECIMALS} decimals), "
                f"e.g. line {off[0] + 2} sums to {sums[off[0]]:.12g}; {spec.name} scores each row's probabilities "
                "as one distribution over the classes: make each row sum to 1"
            )
    if errors:
        return None
    if len(keys) == 1:  # every id once (checked above): one lookup puts the rows in the answers' order
        return frame.iloc[pd.Index(frame[keys[0]]).get_indexer(answers[keys[0]])].reset_index(drop=True)
    if keys:
        return matched
    return frame.reset_index(drop=True)


def match_rows(submission: pd.DataFrame, answers: pd.DataFrame, keys: list[str]):
    """Match the submission's rows to the answers' by the content of the ``keys`` columns, whatever their order; the
    k-th of several rows with the same keys matches the k-th such answer row. Returns the submission's rows in the
    answers' order (None when some do not match), the answers' row numbers that no submission row matches and the
    submission's row numbers that match no answer (both 0-based).

    By the text first; when that leaves rows unmatched, by value (:func:`key_values`): the answers hold DuckDB's text
    of a Parquet or JSON value (``true``, ``nan``, ``2020-01-26 20:30:00+00``), which an agent's pandas writes
    otherwise (``True``, a blank, ``2020-01-26 20:30:00+00:00``), and MLE-bench's grader, pandas on both sides,
    matches them."""
    matched = _matched(submission, answers, keys, lambda frame, key: frame[key].astype(str))
    if matched[0] is not None:
        return matched
    readers = {key: key_values(answers[key].astype(str)) for key in keys}
    return _matched(submission, answers, keys, lambda frame, key: readers[key](frame[key].astype(str)))


def _matched(submission: pd.DataFrame, answers: pd.DataFrame, keys: list[str], read):
    """:func:`match_rows` with each key column's cells as ``read(frame, key)`` gives them. Each row becomes one
    integer (the key columns' values, factorized over both tables, and the row's occurrence among its equals), so
    matching is integer work, not a MultiIndex of strings (seconds a million rows)."""
    wanted_rows, given_rows = len(answers), len(submission)
    code = np.zeros(wanted_rows + given_rows, dtype=np.int64)
    for key in keys:
        cells = pd.concat([read(answers, key), read(submission, key)], ignore_index=True)
        values, distinct = pd.factorize(cells.to_numpy(dtype=object))
        code = pd.factorize(code * (len(distinct) + 1) + values)[0].astype(np.int64)
    scale = len(code) + 1  # one scale for both tables: the same (value, occurrence) is the same integer
    wanted = _with_occurrence(code[:wanted_rows], scale)
    given = _with_occurrence(code[wanted_rows:], scale)
    combined = pd.factorize(np.concatenate([wanted, given]))[0]
    wanted, given = combined[:wanted_rows], combined[wanted_rows:]
    missing = np.flatnonzero(~np.isin(wanted, given)).tolist()
    extra = np.flatnonzero(~np.isin(given, wanted)).tolist()
    if missing or extra:
        return None, missing, extra
    position = pd.Index(given).get_indexer(wanted)  # each is unique in its table: (value, occurrence)
    return submission.iloc[position].reset_index(drop=True), missing, extra


def _with_occurrence(code: np.ndarray, scale: int) -> np.ndarray:
    """Each row's key code and its occurrence among the rows with that code (0 for the first), as one integer: the
    k-th of several rows with the same keys matches the k-th such answer row."""
    order = np.argsort(code, kind="stable")
    ordered = code[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(code) else np.zeros(0, np.int64)
    runs = np.diff(np.r_[starts, len(code)])
    occurrence = np.empty(len(code), dtype=np.int64)
    occurrence[order] = np.arange(len(code)) - np.repeat(starts, runs)
    return code * scale + occurrence


INSTANT_PROBE = 1_000  # answers tried as times before the whole column is


def key_values(answers: pd.Series):
    """How a content key column (a competition without an id column) is compared by value, chosen from its answers
    (text): a cell pandas reads as missing (blank, ``nan``, ``NA``, ``None``, ...) is blank; then, when every other
    answer is a boolean or a number (:func:`validation.metrics.label_type`), cells compare as those values (``1``,
    ``1.0`` and ``true`` alike, as labels do); when every one is an ISO 8601 time, as instants; else as text. Codes
    written with leading zeros (``02134`` beside ``2134``) stay text. A cell that does not read as the column's kind
    keeps its text, and matches no answer."""
    present = answers[~empty_cells(answers)]
    if present.empty or present.str.match(r"\s*[-+]?0\d").any():
        return _blanked(_stripped)
    kind = label_type(present)
    if kind != "string":
        return _blanked(lambda values: pd.Series(canonical_labels(values, kind), index=values.index))
    if _instants(present.head(INSTANT_PROBE)).notna().all() and _instants(present).notna().all():
        return _blanked(_instant_text)
    return _blanked(_stripped)


def _blanked(read):
    def values_of(column: pd.Series) -> pd.Series:
        return read(column).mask(empty_cells(column), "")

    return values_of


def _stripped(values: pd.Series) -> pd.Series:
    return values.str.strip()


def _instant_text(values: pd.Series) -> pd.Series:
    """An instant as ``@`` and its nanoseconds since the epoch (one vectorised cast; isoformat per cell took 5.7 s a
    million); a cell that is no time keeps its text."""
    parsed = _instants(values)
    return values.where(parsed.isna(), "@" + parsed.astype("int64").astype(str))


def _instants(values: pd.Series) -> pd.Series:
    """ISO 8601 times as UTC instants (a time without an offset is UTC, as a temporal split reads it); NaT else."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(values.str.strip(), format="ISO8601", utc=True, errors="coerce")


def _check_numbers(values: pd.Series, parsed: pd.Series, column: str, spec: Metric, errors: list[str]) -> None:
    """Every value a number (a column of true/false throughout counts as 1/0, a true/false among numbers is
    invalid) inside the metric's domain; else one message naming the column, how many, and the first offending
    line."""
    bad = (parsed.isna() | ~np.isfinite(parsed.astype(float))).to_numpy()  # inf is no prediction either
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        errors.append(
            f"column {column}: {int(bad.sum()):,} value(s) are not numbers, e.g. "
            f"{shown(values.iloc[first])!r} on line {first + 2}"
        )
        return
    domain = spec.prediction_domain
    outside = domain.outside(parsed.to_numpy(dtype=float))
    if outside.any():
        first = int(np.flatnonzero(outside)[0])
        errors.append(
            f"column {column}: {int(outside.sum()):,} {domain.violation}, "
            f"e.g. {shown(values.iloc[first].strip())} on line {first + 2}; {spec.name} needs {domain.requirement}"
        )
        return
    if (mixed := _booleans_among_numbers(values, parsed)) is not None:
        words, first = mixed
        errors.append(
            f"column {column}: {words:,} value(s) are true/false among numbers, e.g. {shown(values.iloc[first])!r} "
            f"on line {first + 2}; a column of predictions is numbers, or true/false throughout (read as 1/0)"
        )


def _booleans_among_numbers(values: pd.Series, parsed: pd.Series) -> tuple[int, int] | None:
    """How many of a column's values are true/false and the first one's row, when the others are numbers: a
    column of true/false throughout is 1/0 (as pandas reads a column of booleans, and MLE-bench's graders score it),
    but a ``True`` among probabilities is a mistake in the file, which pandas reads as text. Only the values read
    as 0 or 1 are looked at as text."""
    candidates = ((parsed == 0) | (parsed == 1)).to_numpy()
    if not candidates.any():
        return None
    words = np.zeros(len(values), dtype=bool)
    words[candidates] = values[candidates].astype(str).str.strip().str.lower().isin(("true", "false")).to_numpy()
    count = int(words.sum())
    if count == 0 or count == len(values):
        return None
    return count, int(np.flatnonzero(words)[0])


def _check_labels(answers: pd.Series, values: pd.Series, column: str, spec: Metric, errors: list[str]) -> None:
    """Every label of the answers' type (booleans, numbers; any text for string labels): a label of another type
    matches no answer and is a mistake in the file, not a prediction."""
    foreign, violation, requirement = foreign_labels(answers, values)
    if foreign.any():
        first = int(np.flatnonzero(foreign)[0])
        errors.append(
            f"column {column}: {int(foreign.sum()):,} {violation}, "
            f"e.g. {shown(values.iloc[first].strip())} on line {first + 2}; {spec.name} needs {requirement}"
        )


def _check_masks(values: pd.Series, column: str, spec: Metric, errors: list[str]) -> None:
    """Every value a run-length encoded mask (an empty one too): a text that is not cannot be scored."""
    if bad := first_bad_mask(values):
        count, first, why = bad
        errors.append(
            f"column {column}: {count:,} value(s) that are no run-length encoded mask, e.g. "
            f"{shown(str(values.iloc[first]).strip())} on line {first + 2}: {why}; {spec.name} needs "
            f"{spec.prediction_domain.requirement}"
        )


def score_aligned(spec: Metric, answers: pd.DataFrame, submission: pd.DataFrame, predictions: list[str]) -> float:
    """Score a submission already aligned row by row with the answers (both in submission format), in the shape
    the metric's task takes."""
    if spec.one_column_per_class:  # the answers are one-hot: the label is the column holding the 1
        labels = numbers(answers[predictions]).idxmax(axis=1)
        return spec.score(labels, numbers(submission[predictions]))
    if spec.column_wise:
        return spec.score(numbers(answers[predictions]), numbers(submission[predictions]))
    column = predictions[0]
    if spec.numeric_predictions:
        return spec.score(numbers(answers[column]), numbers(submission[column]))
    return spec.score(answers[column], submission[column])


def numbers(values: pd.Series | pd.DataFrame, errors: str = "raise") -> pd.Series | pd.DataFrame:
    """Numbers from text; true/false (any case, spaces around) count as 1/0; ``errors="coerce"`` makes what is not a
    number NaN. A frame is converted in one pass (a submission may have hundreds of class columns)."""
    if isinstance(values, pd.DataFrame):
        flat = numbers(pd.Series(values.to_numpy(dtype=object).ravel()), errors=errors).to_numpy()
        return pd.DataFrame(flat.reshape(values.shape), index=values.index, columns=values.columns)
    if errors == "raise":
        try:  # most columns are plain numbers: one parse, no string pass (what follows gives the same numbers)
            return to_numeric(values, errors="raise")
        except (ValueError, TypeError):
            return _normalised_numbers(values, errors)
    parsed = to_numeric(values, errors="coerce")
    retry = parsed.isna() & values.notna()
    if retry.any():  # only the cells one parse could not read: spaces, true/false, words
        parsed = parsed.astype("float64")
        parsed[retry] = _normalised_numbers(values[retry], errors)
    return parsed


def _normalised_numbers(values: pd.Series, errors: str) -> pd.Series:
    # pandas' string methods on objects, not numpy's fixed-width strings: one hostile 100,000-character cell would
    # make every cell that wide (gigabytes)
    lowered = values.astype(str).str.strip().str.lower()
    return to_numeric(lowered.mask(lowered == "true", "1").mask(lowered == "false", "0"), errors=errors)


def _rows_shown(table: pd.DataFrame, rows, keys: list[str]) -> str:
    """The first ``MAX_SHOWN_ITEMS`` of ``rows`` by their key values (``x1=0.5, colour=red``): a row of the private
    answers is named by what the public test file holds, never by its line in a file the submitter cannot see."""
    return "; ".join(
        "(" + ", ".join(f"{key}={shown(table[key].iloc[i])}" for key in keys) + ")"
        for i in list(rows)[:MAX_SHOWN_ITEMS]
    )


# The words pandas reads as missing, blank aside: labels a submission that went through pandas holds blank (a blank
# answer is no label at all: such answers are refused as ungradable, not a reason to take blank predictions)
MISSING_WORDS = tuple(word for word in EMPTY if word)


def _blank_labels_note(column: str, answers: pd.Series, empty: pd.Series) -> str:
    """Why blank labels are scored as wrong, not refused: some answers are labels pandas reads as missing and writes
    blank (text-normalization's tokens ``null``, ``NA``), so a submission that went through pandas holds blanks where
    its labels were right; as written they are another label (a sweep: the whole submission had been refused, where
    MLE-bench's graders score it)."""
    words = sorted(set(answers[answers.str.strip().isin(MISSING_WORDS)].str.strip()))
    return (
        f"column {column}: {int(empty.sum()):,} empty value(s), e.g. {_lines(np.flatnonzero(empty) + 2)}, scored as "
        f"wrong labels: some answers are labels pandas reads as missing ({shown_list(words)}) and writes blank; "
        "write them as they are"
    )


def _lines(numbers: np.ndarray) -> str:
    """``line 8`` or ``lines 2, 3, 4``: the first ``MAX_SHOWN_ITEMS`` line numbers."""
    return ("line " if len(numbers) == 1 else "lines ") + _some(numbers.tolist())


def _comma_joined(answers: pd.Series, predicted: pd.Series, column: str) -> str | None:
    """A note where predictions join labels with commas and no answer does (sweep 189: planet's ``17,35,47``, scored
    silently as one unknown label): labels are separated by spaces."""
    joined = predicted.astype(str).str.contains(",", regex=False)
    if not joined.any() or answers.astype(str).str.contains(",", regex=False).any():
        return None
    first = int(np.flatnonzero(joined.to_numpy())[0])
    return (
        f"column {column}: {int(joined.sum()):,} prediction(s) hold commas, e.g. {shown(predicted.iloc[first])!r} on "
        f"line {first + 2}, which no answer does: labels are separated by spaces, so a comma-joined list is scored as "
        "one label"
    )


def _rewritten_ids(unknown: set, wanted: set) -> str:
    """``; 3 of them are test ids with spaces around them (e.g. ' 1024'): ids are matched as written``, for ids a
    sweep's movie-review submission wrote as " 1024" (pandas, and so MLE-bench's graders, read them as 1024); the
    same for ids that lost their leading zeros (sweep 178's gesture ids, ``76`` for ``0076``: a pandas round trip), ids
    written as decimals (sweep 185's lmsys ids, ``1007803001.0``: a column of ids with a blank, read as floats) and,
    where none of these is found, for times written otherwise (:func:`_times_rewritten`)."""
    texts = [i for i in unknown if isinstance(i, str)]
    padded = sorted(i for i in texts if i != i.strip() and i.strip() in wanted)
    unpadded = {w.lstrip("0"): w for w in wanted if isinstance(w, str) and w.startswith("0") and w.lstrip("0")}
    shortened = sorted(i for i in texts if i in unpadded)
    decimals = sorted(
        i for i in texts if (whole := WRITTEN_AS_DECIMAL.fullmatch(i)) and (whole[1] in wanted or whole[1] in unpadded)
    )
    hints = []
    if padded:
        hints.append(f"{len(padded):,} of them are test ids with spaces around them (e.g. {padded[0]!r})")
    if shortened:
        hints.append(
            f"{len(shortened):,} of them are test ids without their leading zeros (e.g. {shortened[0]!r} for "
            f"{unpadded[shortened[0]]!r}: read as numbers and written back?)"
        )
    if decimals:
        hints.append(
            f"{len(decimals):,} of them are test ids written as decimals (e.g. {decimals[0]!r} for "
            f"{unpadded.get(number := WRITTEN_AS_DECIMAL.fullmatch(decimals[0])[1], number)!r}: read as floats and "
            "written back?)"
        )
    if not hints and (rewritten := _times_rewritten(sorted(texts), wanted)):
        hints.append(
            f"{rewritten[0]:,} of them are test ids written as another time's text (e.g. {rewritten[1]!r} for "
            f"{rewritten[2]!r}: read as times and written back?)"
        )
    return f"; {'; '.join(hints)}: ids are matched as written" if hints else ""


WRITTEN_AS_DECIMAL = re.compile(r"(-?\d+)\.0+")  # a whole number's id as pandas writes a float column: 7.0
TIMES_LOOKED_AT = 1000  # unknown ids parsed as times, for the hint (the answers' ids are parsed whole, once)
LOOKS_LIKE_A_TIME = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}:\d{2}")


def _times_rewritten(unknown: list[str], wanted: set) -> tuple[int, str, str] | None:
    """(how many, one, the test id it is) of the first ``TIMES_LOOKED_AT`` unknown ids that are a test id's time
    written otherwise (sweep 181's taxi-fare keys, ``2011-11-03 06:47:52.0000004``, through pandas' to_datetime:
    ``...52.000000400``); None when the ids are no times."""
    looked = pd.Series(unknown[:TIMES_LOOKED_AT], dtype=object)
    ids = pd.Series(sorted(i for i in wanted if isinstance(i, str)), dtype=object)
    if looked.empty or ids.empty or not LOOKS_LIKE_A_TIME.search(ids.iloc[0]):  # not 7.0 for 7: a number is no time
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if pd.isna(pd.to_datetime(ids.iloc[:1], errors="coerce", format="mixed", utc=True)).all():
            return None
        by_time = dict(zip(pd.to_datetime(ids, errors="coerce", format="mixed", utc=True), ids, strict=True))
        parsed = pd.to_datetime(looked, errors="coerce", format="mixed", utc=True)
    found = [
        (text, by_time[time]) for text, time in zip(looked, parsed, strict=True) if pd.notna(time) and time in by_time
    ]
    return (len(found), *found[0]) if found else None


def _some(values) -> str:
    """The first ``MAX_SHOWN_ITEMS`` values, each cut to a readable length (the message says how many there are)."""
    return ", ".join(shown(v) for v in list(values)[:MAX_SHOWN_ITEMS])


# The fast path. A well-formed submission of a numeric metric is graded without a Python string per cell: pandas'
# C parser reads the predictions straight to floats (the very parse the precise path's ``numbers`` makes of the same
# text, digit for digit), the ids as integers (or text), numpy checks the CSV's shape from its bytes, and Arrow reads
# the answers meanwhile (without the GIL). It only ever grades a submission the precise path finds valid, with the
# same score and notes: anything it is not sure of (any problem, or a file it might read otherwise than the precise
# path does) sends the submission to the precise path, which finds and words every problem. The two must agree:
# tests/test_grading_paths.py checks that they do.

FAST_PATH = True  # False: every submission takes the precise path (tests compare the two)
EXACT_INTEGERS = 2**53  # whole numbers below this are exact as floats
EXACT_DIGITS = 17  # digits pandas' float parser reads (it ignores any after them), and the most a float needs
_POWERS_OF_TEN = 10 ** np.arange(1, 19, dtype=np.int64)


@dataclass
class _Fields:
    """A CSV file's bytes, and where each data field starts and its length (rows x columns)."""

    text: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray


@dataclass
class _IdSlots:
    """Integer ids close together, each written in its shortest form, as a lookup table: ``rows[id - low]`` is the
    row holding ``id`` (-1: none)."""

    low: int
    rows: np.ndarray
    written: int  # the bytes the ids take, all together


@dataclass
class _PlainTable:
    """A CSV file as the fast path reads it: the prediction columns as floats, the key column as integers or text."""

    header: list[str]
    columns: dict[str, np.ndarray]
    fields: _Fields
    ids: _IdSlots | None = None  # the answers' integer ids as a lookup table, when they are close together


def _graded_fast(
    path: Path, prepared: PreparedFolder, spec: Metric, report: GradingReport, scored: np.ndarray | None = None
) -> bool:
    """Grade ``path`` the fast way: True when ``report`` has its score (the submission is valid); False, with
    ``report`` untouched, when the precise path must grade it. ``scored``: as :func:`score_frame`'s."""
    if not spec.numeric_predictions:
        return False
    answers_path = prepared.existing_answers()
    try:
        data = _plain_csv(_submission_bytes(path, _size_limit(prepared)))
        answers_data = _plain_csv(answers_path.read_bytes())
    except (ArchiveError, ValueError, OSError, EOFError, zlib.error):  # the precise path names what is wrong
        return False
    header, columns = _plain_header(data), _plain_header(answers_data)
    if not header or not columns or len(set(columns)) != len(columns) or header_problems(header, columns):
        return False
    keys = _keys_among(prepared, columns)
    if len(keys) > 1 or not set(keys) <= set(columns):  # several key columns: the precise path's match_rows
        return False
    predicted = [c for c in columns if c not in keys]
    # Two cores: the answers are read, and the submission's shape checked, while pandas parses the submission.
    with ThreadPoolExecutor(max_workers=1) as pool:
        answers_read = pool.submit(_answers_table, answers_data, columns, keys, predicted)
        fields_read = pool.submit(_plain_fields, data, len(header))
        frame = _read_plain(data, header, predicted)
        answers, fields = answers_read.result(), fields_read.result()
    if frame is None or answers is None or fields is None or len(frame) != len(fields.lengths):
        return False
    submission = _PlainTable(header, {c: frame[c].to_numpy() for c in header}, fields)
    rows = len(frame)
    if not rows or rows != len(fields.lengths) or rows != len(answers.fields.lengths):
        return False
    order = _answer_order(submission, answers, keys[0]) if keys else np.arange(rows)
    values, truth = _predictions(submission, predicted), _predictions(answers, predicted)
    if order is None or values is None or truth is None or spec.prediction_domain.outside(values).any():
        return False
    if scored is not None and len(scored) != len(truth):
        return False  # the precise path says so
    values = values[order]
    if spec.one_column_per_class or spec.distribution:  # as _validate: the frame numbers() builds, so the same sums
        sums = pd.DataFrame(values, columns=predicted).sum(axis=1).to_numpy()
        if (sums <= 0).any() or (spec.distribution and not_summing_to_one(sums).any()):
            return False  # the precise path says which rows
        off = int((~np.isclose(sums, 1, atol=SUM_TOLERANCE)).sum())
    if scored is not None:
        truth, values = truth[scored], values[scored]
    try:
        score = _quiet_score(spec, pd.DataFrame(truth, columns=predicted),
                             pd.DataFrame(values, columns=predicted), predicted)  # fmt: skip
    except (ValueError, KeyError):
        return False
    if not np.isfinite(score):
        return False
    if spec.one_column_per_class and off:
        report.notes.append(f"{off:,} row(s)' probabilities do not sum to 1; rescaled as Kaggle does")
    if scored is not None:
        report.notes.append(_scored_note(scored))
    report.score, report.valid_submission = score, True
    return True


def _plain_csv(data: bytes) -> bytes | None:
    """``data`` without a UTF-8 BOM when it is a CSV whose fields are plainly the bytes between commas and line ends
    (UTF-8, no quote, no NUL, a carriage return only before a line feed, no exponent of seven digits), as the csv module, pandas, Arrow and numpy
    all read it; else None."""
    data = data.removeprefix(codecs.BOM_UTF8)
    if not data or b'"' in data or b"\0" in data or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
        return None
    if has_huge_exponent(data):  # pandas' file parser would crash on it: the precise path tames it first
        return None
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return data


def _plain_header(data: bytes | None) -> list[str]:
    if data is None:
        return []
    return data[: data.find(b"\n") if b"\n" in data else len(data)].removesuffix(b"\r").decode().split(",")


def _plain_fields(data: bytes, width: int) -> _Fields | None:
    """Where every data field starts and how long it is, or None unless every line (the header's too) has ``width``
    fields: no empty line, no line with a field more or less."""
    text = np.frombuffer(data, dtype=np.uint8)
    separators = np.flatnonzero((text == ord(",")) | (text == ord("\n")))
    ends = text[separators] == ord("\n")
    if text[-1] != ord("\n"):  # the last line has no line feed: it ends with the file
        separators, ends = np.append(separators, len(text)), np.append(ends, True)
    if len(separators) % width:
        return None
    ends = ends.reshape(-1, width)
    if ends[:, :-1].any() or not ends[:, -1].all():
        return None
    starts = np.concatenate(([0], separators[:-1] + 1))
    lengths = (separators - starts).reshape(-1, width)
    if b"\r" in data:  # a carriage return (only ever before a line feed) ends the line, not the last field
        line_ends = separators.reshape(-1, width)[:, -1]
        lengths[:, -1] -= text[np.maximum(line_ends - 1, 0)] == ord("\r")
    if width == 1 and (lengths == 0).any():  # an empty line: pandas would skip it, the csv module would not
        return None
    if lengths.max() > csv.field_size_limit():  # the csv module refuses such a field; pandas would read it
        return None
    return _Fields(text, starts.reshape(-1, width)[1:], lengths[1:])


def _read_plain(data: bytes, header: list[str], numeric: list[str]) -> pd.DataFrame | None:
    """The table: ``numeric`` columns parsed by pandas' float parser (the one ``pd.to_numeric`` uses), the others
    as pandas infers them; None when a value is not a number or pandas reads another header."""
    try:
        frame = pd.read_csv(io.BytesIO(data), header=0, dtype=dict.fromkeys(numeric, "float64"), na_filter=False,
                            float_precision="high", engine="c")  # fmt: skip
    except (ValueError, OverflowError):  # pandas' ParserError and EmptyDataError are ValueErrors
        return None
    return frame if list(frame.columns) == header else None


def _answers_table(data: bytes, header: list[str], keys: list[str], predicted: list[str]) -> _PlainTable | None:
    """The answers, read by Arrow when they are whole numbers (labels, one-hot classes: a number Arrow reads as
    pandas does) and integer ids, else by pandas; None unless plain."""
    fields = _plain_fields(data, len(header))
    if fields is None:
        return None
    types = {c: pa.float64() for c in predicted} | {c: pa.int64() for c in keys}
    options = pa_csv.ConvertOptions(column_types=types, null_values=[], strings_can_be_null=False)
    try:
        # one thread: the other core is parsing the submission
        table = pa_csv.read_csv(pa.BufferReader(data), pa_csv.ReadOptions(use_threads=False), convert_options=options)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # text ids, or a value that is not a number
        table = None
    answers = None
    if table is not None and table.column_names == header and table.num_rows == len(fields.lengths):
        answers = _PlainTable(header, {c: table.column(c).to_numpy() for c in header}, fields)
        values = _predictions(answers, predicted)
        if values is None or not (values == np.trunc(values)).all():
            answers = None
    if answers is None:
        frame = _read_plain(data, header, predicted)
        if frame is None or len(frame) != len(fields.lengths):
            return None
        answers = _PlainTable(header, {c: frame[c].to_numpy() for c in header}, fields)
    if keys and len(answers.fields.lengths):
        answers.ids = _id_slots(answers, keys[0])
    return answers


def _id_slots(answers: _PlainTable, key: str) -> _IdSlots | None:
    ids = answers.columns[key]
    if ids.dtype != np.int64 or not _as_written(ids, answers.fields, answers.header.index(key)):
        return None
    low, high = int(ids.min()), int(ids.max())
    if high - low > 4 * len(ids):  # far apart: a hash lookup (pandas' Index) is the cheaper one
        return None
    rows = np.full(high - low + 1, -1)
    rows[ids - low] = np.arange(len(ids))
    if np.count_nonzero(rows >= 0) != len(ids):  # an id twice in the answers: the precise path says what follows
        return None
    return _IdSlots(low, rows, int(answers.fields.lengths[:, answers.header.index(key)].sum()))


def _predictions(table: _PlainTable, predicted: list[str]) -> np.ndarray | None:
    """The ``predicted`` columns as a rows x columns float array, or None unless each is the number the precise path
    reads from its text: ``numbers`` reads a column of whole numbers as integers (every digit, where the float parser
    stops at 17) and refuses a whole number past 64 bits, so a whole number must be short and exact as a float."""
    values = np.stack([table.columns[c].astype(float, copy=False) for c in predicted], axis=1)
    for at, column in enumerate(predicted):
        lengths = table.fields.lengths[:, table.header.index(column)]
        whole = values[:, at] == np.trunc(values[:, at])
        if (whole & ((lengths > EXACT_DIGITS) | (np.abs(values[:, at]) >= EXACT_INTEGERS))).any():
            return None
    return values


def _answer_order(submission: _PlainTable, answers: _PlainTable, key: str) -> np.ndarray | None:
    """For each answer row, the submission row with its id (ids compared as the text written), or None unless both
    hold the same ids, each once."""
    given, wanted = submission.columns[key], answers.columns[key]
    at = submission.header.index(key)
    if given.dtype == np.int64 and answers.ids is not None:
        slot = given - answers.ids.low
        if slot.min() < 0 or slot.max() >= len(answers.ids.rows):
            return None
        rows = answers.ids.rows[slot]  # the answer row of each submission row
        if (rows < 0).any() or not _each_once(rows):
            return None
        # The same ids, so as many bytes if each is written in its shortest form: pandas reads an integer from no
        # fewer (a leading zero, a sign or a space adds one).
        if int(submission.fields.lengths[:, at].sum()) != answers.ids.written:
            return None
        order = np.empty(len(rows), dtype=np.int64)
        order[rows] = np.arange(len(rows))
        return order
    if given.dtype == np.int64 and wanted.dtype == np.int64:  # both written as Python writes integers: as text
        if not (
            _as_written(given, submission.fields, at) and _as_written(wanted, answers.fields, answers.header.index(key))
        ):
            return None
    elif given.dtype == object and wanted.dtype == object:
        if pd.api.types.infer_dtype(given, skipna=False) != "string":  # one chunk's ints among another's text
            return None
        if pd.api.types.infer_dtype(wanted, skipna=False) != "string":
            return None
    else:
        return None
    index = pd.Index(given)
    if not index.is_unique:
        return None
    order = index.get_indexer(wanted)
    return order if (order >= 0).all() and _each_once(order) else None


def _each_once(rows: np.ndarray) -> bool:
    """Rows (as many as there are) naming each row once: no id twice, none missing or extra."""
    used = np.zeros(len(rows), dtype=bool)
    used[rows] = True
    return bool(used.all())


def _as_written(values: np.ndarray, fields: _Fields, at: int) -> bool:
    """Each integer of column ``at`` was written in exactly its shortest form: as long as that form, and its first
    digit is no 0 but in 0 itself (no sign but a minus, no space, no leading zero, no ``0x``)."""
    if values.min() == np.iinfo(np.int64).min:
        return False
    negative = values < 0
    digits = np.searchsorted(_POWERS_OF_TEN, np.abs(values), side="right") + 1
    if not (fields.lengths[:, at] == digits + negative).all():
        return False
    return not ((fields.text[fields.starts[:, at] + negative] == ord("0")) & (values != 0)).any()
