"""A temporal split's time column: what counts as a time, how each row's time is read, and the refusal of a column
that holds something else.

>>> time = TimeColumn("date", time_format="%m/%d/%Y")
>>> query = time.query(con, source, unit)  # __mlecurate_unit, __ts, __num, __held: one row per row of the file, in its order

A time is an instant or a number, never text ordered as text (``10/01/2020`` sorted before ``12/31/2019``):

- a typed date or timestamp (Parquet's): ``DATE`` and ``TIMESTAMP`` are read as UTC, ``TIMESTAMP WITH TIME ZONE``
  by its instant;
- text (a CSV's, and a JSON string: ``validation.data_files.json_columns`` keeps those text) DuckDB casts to
  ``TIMESTAMPTZ``, read under UTC: ISO 8601 (``2020-10-01``, ``2020-10-01 16:00``,
  ``2020-10-01T16:00:00+05:00``, a zone name after the time); without an offset it is UTC, with one it is its instant,
  not its wall clock. With the recipe's ``time_format``, text DuckDB's ``strptime`` reads with it as well;
- a number (typed, or text DuckDB casts to ``DOUBLE``): epoch seconds, a day index, a year, ordered as numbers.

Anything else (US dates without ``time_format``, a category, free text, a boolean), and a column holding both instants
and numbers (no order joins them; the infinities, which read as either, excepted), is refused with :class:`NotATime`,
naming the file, the column, the first value that is not a time and its row, and saying to set ``time_format`` (with
the common formats that read that value). The check rides on the split's one streaming read
(:func:`splits.test_rows.latest_rows`): each value is cast once there, and one that is present but casts to nothing
is the refusal; only then is the file read again, to the offending row, to quote it. A missing time (NULL, an empty
field, an empty JSON string, NaN, a missing-value word such as NA or null) is no refusal: such rows count as the
earliest (:mod:`splits.test_rows`). Text is trimmed first. With ``time_format``, a number column is read as its text
(dates written as numbers, ``31012020`` with ``%d%m%Y``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from validation.data_files import literal, number_sql, quote

INT64_MAX = (1 << 63) - 1  # an infinite instant, in microseconds: the ends of the order
INSTANT_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS")
ZONED_TYPE = "TIMESTAMP WITH TIME ZONE"
NUMBER_TYPES = (
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
    "FLOAT", "DOUBLE",
)  # fmt: skip
COMMON_FORMATS = (  # offered when a value is not a time: those that read it
    "%m/%d/%Y", "%d/%m/%Y", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S",
    "%m/%d/%y", "%d/%m/%y", "%d.%m.%Y", "%Y/%m/%d", "%m-%d-%Y", "%d-%m-%Y", "%b %d, %Y", "%B %d, %Y", "%d %b %Y",
    "%d-%b-%Y", "%d-%b-%y", "%Y%m%d", "%Y%m%d%H%M%S", "%Y%m%d%H%M%SZ", "%a %b %d %H:%M:%S %Y",
)  # fmt: skip
MISSING_WORDS = ("", "NA", "N/A", "n/a", "na", "null", "NULL", "Null", "None", "none", "NaN", "nan", "-")  # no time
QUOTED_CHARACTERS = 80  # a longer value is cut in the message


class NotATime(ValueError):
    """The time column holds a value that is not a time; the message names the file, column, value and row."""


@dataclass(frozen=True)
class TimeColumn:
    """The recipe's ``time_column`` and ``time_format``, as a temporal split reads them."""

    name: str
    time_format: str | None = None  # DuckDB strptime format for text times that are not ISO 8601

    def query(self, con, source: str, unit: str) -> str:
        """Each row's unit; its instant (``__ts``, microseconds since the epoch in UTC, the infinities at the ends);
        its number (``__num``, when it has no instant); and whether it holds a value at all (``__held``). Run it
        with the session's time zone at UTC (:func:`splits.test_rows.latest_rows` does)."""
        instant, number, held = self._readings(_sql_type(con, source, self.name))
        return (
            f"SELECT __mlecurate_unit, CASE WHEN __stamp = 'infinity' THEN {INT64_MAX} WHEN __stamp = '-infinity' "
            f"THEN -{INT64_MAX} ELSE epoch_us(__stamp) END AS __ts, CASE WHEN __stamp IS NULL THEN {number} END AS __num, "
            f"__held FROM (SELECT __mlecurate_unit, {instant} AS __stamp, __time, {held} AS __held "
            f"FROM (SELECT {unit} AS __mlecurate_unit, {quote(self.name)} AS __time FROM {source}))"
        )

    def _readings(self, kind: str) -> tuple[str, str, str]:
        """SQL of ``__time``'s instant, number and presence, for a column of DuckDB type ``kind``."""
        if kind == ZONED_TYPE:
            return "__time", "CAST(NULL AS DOUBLE)", "__time IS NOT NULL"
        if kind in INSTANT_TYPES:
            return "CAST(__time AS TIMESTAMP)", "CAST(NULL AS DOUBLE)", "__time IS NOT NULL"
        if (kind in NUMBER_TYPES or kind.startswith("DECIMAL")) and not self.time_format:
            return "CAST(NULL AS TIMESTAMP)", "CAST(__time AS DOUBLE)", "__time IS NOT NULL"
        # Text (and, with time_format, numbers written as dates: 31012020 as %d%m%Y), trimmed; a missing-value word
        # (NA, null, ...) is no value, as an empty field is.
        text = f"trim({_text('__time', kind)})"
        instant = f"TRY_CAST({text} AS TIMESTAMPTZ)"
        if self.time_format:
            instant = f"COALESCE(CAST(TRY_STRPTIME({text}, {literal(self.time_format)}) AS TIMESTAMPTZ), {instant})"
        held = f"{text} IS NOT NULL AND {text} NOT IN ({', '.join(map(literal, MISSING_WORDS))})"
        return instant, number_sql(text), held

    def refusal(self, con, source: str, label: str, problem: tuple[int, int | None]) -> NotATime:
        """The error for the row ``problem`` names (and, for a column mixing instants and numbers, the earlier row
        of the other kind). ``label`` is the competition and the file."""
        row, earlier = problem
        column = _text(quote(self.name), _sql_type(con, source, self.name))
        values = _values_at(con, source, column, [r for r in (row, earlier) if r is not None])
        value = values.get(row)
        opening = f"{_opening(label)}split recipe key 'time_column': column {self.name!r} holds {_quoted(value)} at row {row + 1}"
        if earlier is not None:
            return self._mix(con, opening, values.get(earlier), earlier, value)
        if self.time_format:
            return NotATime(
                f"{opening}, which is not a time: time_format {self.time_format!r} does not read it, and it is neither an "
                "ISO 8601 date or timestamp nor a number; fix time_format or choose another time_column"
            )
        return NotATime(
            f"{opening}, which is not a time: neither a date or timestamp DuckDB reads (ISO 8601, such as 2020-10-01 or "
            "2020-10-01T16:00:00+05:00) nor a number, and a temporal split orders its rows by time. If the column holds "
            f"times written another way, set time_format to their strptime format{_formats_reading(con, value)}; "
            "otherwise choose another time_column"
        )

    def _mix(self, con, opening: str, first: str | None, earlier: int, value: str | None) -> NotATime:
        """The refusal of a column holding an instant and a number: each value named by what it reads as (a number
        is a date too with ``time_format``, so "a number" alone would not tell the curator which one is wrong)."""
        number = first if self._is_instant(con, value) else value
        if self.time_format:
            advice = (
                "Set time_format to a format that reads both values, or choose another time_column"
                f"{_formats_reading(con, number, example=False)}"
            )
        else:
            advice = (
                "If its numbers are dates written another way, set time_format to their strptime format"
                f"{_formats_reading(con, number)}"
            )
        return NotATime(
            f"{opening}, {self._kind(con, value)}, after {_quoted(first)} at row {earlier + 1}, "
            f"{self._kind(con, first)}: no order joins the two; a time column holds dates and timestamps, or numbers. "
            + advice
        )

    def _is_instant(self, con, value: str | None) -> bool:
        """Whether ``value`` reads as an instant, as :meth:`_readings` reads text: through ``time_format``, or ISO."""
        return self._formatted(con, value) or bool(
            con.execute("SELECT TRY_CAST(trim(?) AS TIMESTAMPTZ) IS NOT NULL", [value]).fetchone()[0]
        )

    def _formatted(self, con, value: str | None) -> bool:
        """Whether the recipe's ``time_format`` reads ``value``."""
        if not self.time_format:
            return False
        return bool(con.execute("SELECT TRY_STRPTIME(trim(?), ?) IS NOT NULL", [value, self.time_format]).fetchone()[0])

    def _kind(self, con, value: str | None) -> str:
        """What ``value`` is, in the message: a date time_format reads, an ISO date or timestamp, or a number (one
        time_format does not read)."""
        if self._formatted(con, value):
            return f"a date (time_format {self.time_format!r} reads it)"
        if self._is_instant(con, value):
            return "a date or timestamp"
        if self.time_format:
            return f"a number, which time_format {self.time_format!r} does not read"
        return "a number"

    def nothing_held(self, label: str, total: int) -> NotATime:
        return NotATime(
            f"{_opening(label)}split recipe key 'time_column': column {self.name!r} holds no time in any of its {total} rows; "
            "a temporal split orders its rows by time"
        )


@dataclass(frozen=True)
class BatchTimes:
    """One batch of :meth:`TimeColumn.query`'s rows, as numpy: which rows hold an instant, a number, or neither."""

    stamped: np.ndarray  # an instant
    instants: np.ndarray  # microseconds since the epoch (0 where there is none)
    numbered: np.ndarray  # a number that is not NaN (NaN is a missing time)
    numbers: np.ndarray  # float64 (NaN where there is none)
    other: np.ndarray  # a value that is neither: the column is not a time

    @classmethod
    def of(cls, batch: pa.RecordBatch) -> BatchTimes:
        ts, num, held = batch.column(1), batch.column(2), batch.column(3)
        stamped = np.asarray(ts.is_valid())
        numbers = num.fill_null(np.nan).to_numpy(zero_copy_only=False)
        other = held.to_numpy(zero_copy_only=False) & ~stamped & ~np.asarray(num.is_valid())
        return cls(stamped, ts.fill_null(0).to_numpy(), ~np.isnan(numbers), numbers, other)


class TimeCheck:
    """What a time column has held so far, batch by batch in file order: the first row with a finite instant, the
    first with a finite number, the first holding a value that is neither, and how many rows hold a time."""

    def __init__(self) -> None:
        self.first_instant: int | None = None
        self.first_number: int | None = None
        self.first_other: int | None = None
        self.timed = 0

    def offer(self, start: int, times: BatchTimes) -> bool:
        """Note one batch (``start``: the row number of its first row); True once the column is not a time."""
        finite_instant = times.stamped & (np.abs(times.instants) != INT64_MAX)  # the infinities read as either kind
        self.first_instant = _first(self.first_instant, finite_instant, start)
        self.first_number = _first(self.first_number, np.isfinite(times.numbers), start)
        self.first_other = _first(self.first_other, times.other, start)
        self.timed += int(np.count_nonzero(times.stamped)) + int(np.count_nonzero(times.numbered))
        return self.problem() is not None

    def problem(self) -> tuple[int, int | None] | None:
        """The first row that keeps the column from being a time, with (for a mix) the earlier row it contradicts."""
        found = []
        if self.first_other is not None:
            found.append((self.first_other, None))
        if self.first_instant is not None and self.first_number is not None:
            earlier, later = sorted((self.first_instant, self.first_number))
            found.append((later, earlier))
        return min(found, key=lambda item: item[0]) if found else None


def _opening(label: str) -> str:
    return f"{label}: " if label else ""


def _sql_type(con, source: str, name: str) -> str:
    return con.execute(f"DESCRIBE SELECT {quote(name)} FROM {source}").fetchall()[0][1]


def _text(column: str, kind: str) -> str:
    """SQL of a column's values as text: a JSON value (a column of mixed JSON types) without its quotes, anything
    else (a boolean, a struct) as DuckDB writes it."""
    if kind == "VARCHAR":
        return column
    return f"({column} ->> '$')" if kind == "JSON" else f"CAST({column} AS VARCHAR)"


def _first(known: int | None, mask: np.ndarray, start: int) -> int | None:
    if known is not None or not mask.any():
        return known
    return start + int(np.argmax(mask))


def _values_at(con, source: str, column: str, rows: list[int]) -> dict[int, str | None]:
    """The text of ``column`` (SQL) at ``rows`` (0-based, file order): a read of the file up to them, for the message."""
    wanted = ", ".join(str(int(r)) for r in rows)
    found = con.execute(
        f"SELECT __mlecurate_rn, __text FROM (SELECT row_number() OVER () - 1 AS __mlecurate_rn, {column} AS __text FROM {source}) "
        f"WHERE __mlecurate_rn IN ({wanted})"
    ).fetchall()
    return dict(found)


def _quoted(value: str | None) -> str:
    if value is not None and len(value) > QUOTED_CHARACTERS:
        return repr(value[:QUOTED_CHARACTERS]) + "..."
    return repr(value)


def _formats_reading(con, value: str | None, example: bool = True) -> str:
    """The common formats that read ``value``, as advice: ``(e.g. "%m/%d/%Y" reads 10/01/2020)`` when none does
    (nothing, without ``example``: a curator who set time_format knows what one is)."""
    fits = [f for f in COMMON_FORMATS if con.execute("SELECT TRY_STRPTIME(?, ?) IS NOT NULL", [value, f]).fetchone()[0]]
    if not fits:
        return ' (e.g. time_format: "%m/%d/%Y" reads 10/01/2020)' if example else ""
    named = " or ".join(f'"{f}"' for f in fits)
    return f" ({named} reads {_quoted(value)}{': check which one the file uses' if len(fits) > 1 else ''})"
