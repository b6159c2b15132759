"""The test rows Kaggle scores, where it scores some only (split recipe key ``scored_rows``).

>>> recipe.scored_rows                       # (("u_out", "0"),): ventilator-pressure-prediction's inspiratory phase
>>> scored_sql(recipe.scored_rows)           # a DuckDB condition over the test rows' public columns
>>> scored_mask(frame, recipe.scored_rows)   # the same, for a pandas frame of those columns
>>> read_scored(prepared)                    # the published mask, in answers.csv's row order (None: every row)

Every test row stays in the test set, the answers and a submission; grading (``validation.grading``) and parity
(``validation.parity_inputs``) score only the rows that hold each named column's value, as Kaggle and MLE-bench's
grader score ventilator's rows with ``u_out == 0`` (scoring every row gave other scores than the leaderboard's, whose
medal thresholds are the masked score's). A cell holds the value when its text, trimmed, is the value, or both are
numbers and equal (``0``, ``0.0``; digits, a point and an exponent, as pandas reads them: not ``1_0``), or both are
true or false in any letter case (a typed column's ``True``, DuckDB's ``true``), true being 1 and false 0 (a
Parquet boolean ``u_out`` holds the value 0 as false). The split writes the mask once, as
``private/scored_rows.csv`` (one column, ``scored``, 1 or 0 for each answers row in order), so grading needs no
other file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from validation.data_files import literal, number_sql, quote
from validation.data_root import DataRootFileError, PreparedFolder, rerun

SCORED = "scored"  # the mask file's one column
BOOLEANS = ("true", "false")


def scored_sql(pairs: tuple[tuple[str, str], ...]) -> str:
    """A DuckDB condition, true for a row that holds every column's value (never null)."""
    return " AND ".join(_holds_sql(column, value) for column, value in pairs) or "true"


def _holds_sql(column: str, value: str) -> str:
    text = f"trim(CAST({quote(column)} AS VARCHAR))"
    tests = [f"{text} = {literal(value)}"]
    if (number := _number(value)) is not None:
        tests.append(f"{number_sql(text)} = {number!r}")
    if (boolean := _boolean(value)) is not None:
        tests.append(f"lower({text}) = {literal(boolean)}")
        tests.append(f"{number_sql(text)} = {BOOLEANS.index(boolean) ^ 1}")
    return f"coalesce({' OR '.join(tests)}, false)"


def scored_mask(frame: pd.DataFrame, pairs: tuple[tuple[str, str], ...]) -> np.ndarray:
    """:func:`scored_sql` for a frame holding the columns (as DuckDB's ``.df()`` types them, or text)."""
    mask = np.ones(len(frame), dtype=bool)
    for column, value in pairs:
        cells = frame[column].astype(str).str.strip().where(frame[column].notna())
        holds = cells == value
        numbers = pd.to_numeric(cells.where(~cells.str.contains("_", na=False)), errors="coerce")
        if (number := _number(value)) is not None:
            holds |= numbers == number
        if (boolean := _boolean(value)) is not None:
            holds |= (cells.str.lower() == boolean) | (numbers == BOOLEANS.index(boolean) ^ 1)
        mask &= holds.fillna(False).to_numpy(dtype=bool)
    return mask


def _boolean(value: str) -> str | None:
    """``true`` or ``false`` for a value that is one (any letter case), or the number 1 or 0."""
    lowered = value.lower()
    if lowered in BOOLEANS:
        return lowered
    return {1.0: "true", 0.0: "false"}.get(_number(value))


def _number(value: str) -> float | None:
    """The value as a number, where pandas reads one (``0``, ``0.5``, ``1e3``; not ``1_0``, ``nan`` or ``inf``)."""
    parsed = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return float(parsed) if pd.notna(parsed) and np.isfinite(parsed) and "_" not in value else None


def read_scored(prepared: PreparedFolder) -> np.ndarray | None:
    """The published split's mask (in ``answers.csv``'s row order), or None where every row is scored; a damaged
    file (not one column ``scored`` of 1 and 0 with a 1) is a ``DataRootFileError`` naming it."""
    path = prepared.scored_rows
    if not path.is_file():
        return None
    try:
        column = pd.read_csv(path, dtype=str, keep_default_na=False)[SCORED]
    except (ValueError, KeyError, OSError) as error:  # empty, not a CSV, no such column
        raise DataRootFileError(f"{path}: cannot be read as the split's scored rows ({type(error).__name__}: "
                                f"{error}); {rerun('competition_split', prepared.slug)}") from None  # fmt: skip
    if not column.isin(["0", "1"]).all() or not (column == "1").any():
        raise DataRootFileError(f"{path}: not a column {SCORED} of 1 and 0 with at least one 1; "
                                + rerun("competition_split", prepared.slug))  # fmt: skip
    return (column == "1").to_numpy()
