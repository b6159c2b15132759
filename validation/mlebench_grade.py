"""mlecurate's grader behind MLE-bench's grading interface, for competitions exported with ``mlecurate export``.

MLE-bench names a competition's grader in its ``config.yaml`` as an import path, ``module:function``, and calls it as
``grade(submission: DataFrame, answers: DataFrame) -> float``, where an unusable submission raises its
``InvalidSubmissionError``. An export names, for each competition, a function of this module whose name carries
what mlecurate's grader needs beyond the two tables, the metric and the columns that identify a row:

>>> grade_fn = grade_function_name("accuracy", ["PassengerId"])
>>> grade_fn
'validation.mlebench_grade:grade?metric=accuracy&keys=PassengerId'
>>> grade = import_fn(grade_fn)            # what MLE-bench's Grader does: getattr(module, "grade?metric=...")
>>> grade(submission, answers)             # the score of validation.grading, or InvalidSubmissionError

(Python's ``getattr`` takes any text, and this module's ``__getattr__`` builds the function.) So with mlecurate
installed beside MLE-bench, ``mlebench grade`` grades an exported competition, inside MLE-bench's registry or not,
with no file of code per competition.

A competition Kaggle scores on some test rows only (split recipe key ``scored_rows``) is exported with its mask as
one more column of the answers, named in the function's name (``...&scored=scored``: 1 for a scored row, 0 for
another), as MLE-bench's ventilator answers keep ``u_out`` for its grader: the grader scores only the rows marked 1,
and that column is no part of a submission (one carrying it is invalid, as ``mlecurate grade`` finds it: an
unexpected column).

MLE-bench reads both tables with ``pandas.read_csv`` (its types: ``001`` becomes 1 in both); they are written back to
CSV text and read as mlecurate reads a submission file (every value a string), so the same checks run: the header
(each of the answers' columns once), the ids, every prediction in the metric's domain, and the same score. The
raised error is MLE-bench's ``mlebench.grade_helpers.InvalidSubmissionError`` when MLE-bench can be imported
(its Grader then reports an invalid submission), else :class:`InvalidSubmissionError` here.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import numpy as np
import pandas as pd

from validation.grading import GradingReport, header_problems, score_frame
from validation.messages import shown_list
from validation.metrics import METRICS

MODULE = __name__
GRADE = "grade"
PREPARE = "prepare"
SHOWN_PROBLEMS = 5  # an invalid submission's error names this many problems, then how many more


class InvalidSubmissionError(ValueError):
    """A submission that cannot be graded (when MLE-bench's own class cannot be imported)."""


def _invalid_submission_error() -> type[Exception]:
    try:
        from mlebench.grade_helpers import InvalidSubmissionError as mlebench_error
    except ImportError:
        return InvalidSubmissionError
    return mlebench_error


def grade_function_name(metric: str, keys: list[str], scored: str | None = None) -> str:
    """The ``grader.grade_fn`` of an exported competition: this module's grader for ``metric``, matching rows by
    ``keys`` (the id column; the repeated test columns when there is none; [] to match by row order), scoring only
    the answers rows whose column ``scored`` holds 1 (None: every row)."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; mlecurate grades {', '.join(sorted(METRICS))}")
    query = {"metric": metric, "keys": keys} | ({"scored": scored} if scored is not None else {})
    return f"{MODULE}:{GRADE}?" + urlencode(query, doseq=True)


def scored_column_name(columns: list[str]) -> str:
    """The name of the mask column added to exported answers of these columns: ``scored``, or with as many ``_``
    appended as it takes to be none of them."""
    name = "scored"
    while name in columns:
        name += "_"
    return name


def __getattr__(name: str) -> Callable:
    """``grade?metric=...&keys=...`` (:func:`grade_function_name`) as a grade function; anything else is missing."""
    if name.startswith(f"{GRADE}?"):
        return _grader(name)
    raise AttributeError(f"module {MODULE!r} has no attribute {name!r}")


@dataclass(frozen=True)
class GraderParameters:
    """What a grade function's name carries (:func:`grade_function_name`)."""

    metric: str
    keys: list[str]
    scored: str | None = None  # the answers' mask column (split recipe key scored_rows), or None: every row


def grader_parameters(name: str) -> GraderParameters:
    """What a grade function's name (:func:`grade_function_name`, without the module) carries; an
    ``AttributeError`` for a name that is not one."""
    query = parse_qs(name.partition("?")[2], keep_blank_values=True)
    unknown = sorted(set(query) - {"metric", "keys", "scored"})
    metric = query.get("metric", [""])[0]
    if unknown or len(query.get("metric", [])) != 1 or metric not in METRICS or len(query.get("scored", [])) > 1:
        raise AttributeError(
            f"{MODULE}:{name}: not a grader mlecurate exports (expected grade?metric=<one of "
            f"{', '.join(sorted(METRICS))}>&keys=<column>...[&scored=<column>])"
        )
    return GraderParameters(metric, query.get("keys", []), query.get("scored", [None])[0])


@functools.lru_cache(maxsize=256)
def _grader(name: str) -> Callable[[pd.DataFrame, pd.DataFrame], float]:
    parameters = grader_parameters(name)

    def grade(submission: pd.DataFrame, answers: pd.DataFrame) -> float:
        return grade_tables(submission, answers, parameters.metric, parameters.keys, parameters.scored)

    grade.__name__ = grade.__qualname__ = name
    scoring = f", scoring the rows whose {parameters.scored} is 1" if parameters.scored else ""
    grade.__doc__ = (
        f"mlecurate's {parameters.metric} grader, rows matched by {', '.join(parameters.keys) or 'row order'}{scoring}."
    )
    return grade


def split_scored(answers: pd.DataFrame, scored: str | None) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Exported answers (as text) without their mask column, and the mask (None: no column named, every row
    scored); a column that is missing, or holds anything but 1 and 0 with a 1, is a broken export (``ValueError``)."""
    if scored is None:
        return answers, None
    if scored not in answers.columns:
        raise ValueError(f"the answers have no column {scored!r} saying which rows are scored (split recipe key "
                         "scored_rows); export the competition again")  # fmt: skip
    cells = answers[scored].astype(str).str.strip()
    if not cells.isin(["0", "1"]).all() or not (cells == "1").any():
        raise ValueError(f"the answers' column {scored!r} is not 1 and 0 with at least one 1 (which rows are "
                         "scored); export the competition again")  # fmt: skip
    return answers.drop(columns=[scored]), (cells == "1").to_numpy()


def grade_tables(
    submission: pd.DataFrame, answers: pd.DataFrame, metric: str, keys: list[str], scored: str | None = None
) -> float:
    """The score of ``submission`` against ``answers`` (DataFrames as MLE-bench reads them), as ``mlecurate grade``
    gives it for the same files; an unusable submission raises MLE-bench's ``InvalidSubmissionError``. ``scored``:
    the answers' mask column (:func:`grade_function_name`)."""
    spec = METRICS[metric]
    report = GradingReport(competition_id="", metric=metric)
    answers_text, mask = split_scored(_as_text(answers), scored)
    problems = header_problems([str(c) for c in submission.columns], list(answers_text.columns))
    missing_keys = [k for k in keys if k not in answers_text.columns]
    if missing_keys:  # the export and the answers disagree: a broken export, not a bad submission
        raise ValueError(f"the answers have no column(s) {shown_list(missing_keys)} that the grader matches rows by")
    if not problems:
        submission_text = _as_text(submission)
        if spec.task == "classification":
            _missing_labels_as_nan(submission_text, answers_text, keys)
        score_frame(submission_text, answers_text, keys, spec, report, mask)
        problems = report.errors
    if problems:
        more = f"; ... and {len(problems) - SHOWN_PROBLEMS} more" if len(problems) > SHOWN_PROBLEMS else ""
        raise _invalid_submission_error()("; ".join(problems[:SHOWN_PROBLEMS]) + more)
    return float(report.score)


def _missing_labels_as_nan(submission: pd.DataFrame, answers: pd.DataFrame, keys: list[str]) -> None:
    """MLE-bench's graders compare class labels as text (``astype(str)``), so a label its ``read_csv`` read as missing
    (``null``, ``N/A``, ``NA``: text-normalization's tokens, or a class ``NA`` among numbers) is the label ``nan``, in
    the answers and in a submission alike. In the tables as text (:func:`_as_text`, where such a cell is blank): where
    an answers' label column has blank cells, both tables' blank cells there read ``nan``; elsewhere a blank label
    stays missing (invalid)."""
    for column in answers.columns:
        if column not in keys and (answers[column] == "").any():
            answers[column] = answers[column].replace("", "nan")
            if column in submission.columns:
                submission[column] = submission[column].replace("", "nan")


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as its CSV text reads with every value a string (``validation.grading`` reads files so). Columns
    pandas widened to float for a missing value are narrowed back first (``1``, not ``1.0``, as the file had it)."""
    text = frame.convert_dtypes().to_csv(index=False)
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def prepare(raw: Path, public: Path, private: Path) -> None:
    """MLE-bench's ``preparer`` of an exported competition: there is nothing to prepare from Kaggle's download,
    because mlecurate built the split; refuse, saying where the prepared data is."""
    raise RuntimeError(
        f"{public.parent.parent.name}: this competition was prepared by mlecurate, not by MLE-bench's prepare "
        f"step; its prepared data is in the export's data folder (mlecurate export DIR writes DIR/data/<slug>/"
        f"prepared). Pass that folder as --data-dir instead of running `mlebench prepare`."
    )
