"""Competition data files (CSV, TSV, JSON or JSON Lines, Parquet) in DuckDB: how mlecurate reads, writes and checksums them.

CSV and TSV (``.tsv`` or ``.tab``: a CSV with a tab between fields) are read as text (``all_varchar``): values pass
through a split byte for byte, whatever their type, so a split never reformats a number or a date. JSON and Parquet
keep their own types. A CSV, TSV or JSON file may come gzip'd (``train.csv.gz``, as Kaggle ships some): DuckDB reads
it as it is, and a split publishes it uncompressed (:func:`published_suffix`), so every later reader (the byte-level
splitter, the grader, an agent's pandas) meets one plain file.

Content checksums (:func:`content_checksum`): the same rows give the same checksum, whatever their order and
whichever library wrote them. MLE-bench's MD5 file checksums break when a writer library changes its quoting, line
ends or float format; this one hashes each row's values (CSV read as text, so values as written; columns in name
order) and sums the row hashes, so row order, quoting and line ends do not matter. The row count leads the
checksum, so it reads at a glance: ``v1:891:3f1c...``.

Recipe mistakes are told the same way at split time (``splits.builder``, ``splits.public_files``) and at parity time
(``validation.parity_inputs``): :func:`missing_file_message` and :func:`missing_columns_message` build the text, with
the download's files (:func:`download_listing`: big folders summarised) or the file's columns; each caller raises its
own error type with it. A file DuckDB cannot parse is told by :func:`read_failure`: the line and its fields against
the header's (a truncated or damaged CSV), or the first byte that is not UTF-8, never DuckDB's list of reader options.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import ctypes
import functools
import gzip
import hashlib
import json
import os
import re
import shutil
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import duckdb


class DataFileError(ValueError):
    """A competition file cannot be read; the message names the file."""


class NoRecords(DataFileError):
    """A JSON file of no record at all (``[]``): nothing to read as a table, and nothing in it either (review 192:
    records without keys, ``[["img1", "cat"]]``, hold values, and are no such file)."""


def reader_sql(path: Path) -> str:
    """A DuckDB table function call that reads ``path`` (gzip'd or not: DuckDB tells by the ``.gz``)."""
    path_sql = path_literal(path)
    kind = data_format(path.name)
    if kind in DELIMITED:
        return (
            f"read_csv({path_sql}, all_varchar=true, header=true{delimited_options(path.name)}{layout_options(path)})"
        )
    if kind == "json":
        columns = json_columns(path)
        return _json_reader(path, f", columns = {columns_argument(columns)}" if columns else "")
    return f"read_parquet({path_sql}{ONE_FILE})"


# Every read of a file is of that file alone: DuckDB's readers take a folder named ``key=value`` on the path for a
# Hive partition and add its key as a column (optiver's book_train.parquet/stock_id=0/*.parquet gained ``stock_id``,
# and the published files no longer read as one dataset: sweep 196).
ONE_FILE = ", hive_partitioning = false"


def json_mixed_columns(path: Path) -> frozenset[str]:
    """The columns of a JSON file whose scalar values are of several types (numbers and strings: statoil's
    ``inc_angle``, a number or ``"na"``), which :func:`json_columns` reads as text; none for another file."""
    if data_format(path.name) != "json" or not path.is_file():
        return frozenset()
    stat = path.stat()
    return _json_types(str(path), stat.st_size, stat.st_mtime_ns)[1]


def json_columns(path: Path) -> dict[str, str] | None:
    """A JSON file's columns and their types from every record, to tell DuckDB's reader, when they differ from what
    it finds on its own. Its own: it types a file by its first 20,480 records (a key first seen after them was
    dropped without a word, a value of another type after them stopped the read); it reads strings that look like
    dates, times or UUIDs as DATE, TIME, TIMESTAMP or UUID, written back in its own format
    (``2020-01-01T10:00:00.500Z`` as ``2020-01-01 10:00:00.5+00``, an upper-case UUID in lower case); and it reads a
    column of numbers and strings (``1``, ``"3+"``) as JSON, whose text keeps the quotes (``"3+"`` in the answers).
    Here those columns are text, as a CSV's are (a mixed column's values are then written back with their own
    JSON types: :func:`copy_sql`), and a temporal split reads a date as its instant all the same. A date inside a list
    or an object keeps DuckDB's type.

    None when the reader's own types are these (it is left to itself: told its columns, it needs more memory for
    wide rows) or when DuckDB cannot read the file (the read that follows says why). One more parse of the file
    (two with a mixed column), once per version of it (its size and time)."""
    stat = path.stat() if path.is_file() else None
    return _json_types(str(path), stat.st_size, stat.st_mtime_ns)[0] if stat else None


@functools.lru_cache(maxsize=64)
def _json_types(path: str, size: int, mtime_ns: int) -> tuple[dict[str, str] | None, frozenset[str]]:
    """:func:`json_columns` and :func:`json_mixed_columns` of one version of a file."""

    def typed(reader: str) -> dict[str, str]:
        return {name: kind for name, kind, *_ in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()}

    with utc_connection() as con:
        try:
            sampled, whole = typed(_json_reader(Path(path))), typed(_json_reader(Path(path), ", sample_size = -1"))
            mixed = _scalars_of_several_types(con, Path(path), whole)
        except duckdb.Error:
            return None, frozenset()
    kept = {name: "VARCHAR" if kind in STRING_LOOKALIKES or name in mixed else kind for name, kind in whole.items()}
    return (kept if kept != sampled else None), frozenset(mixed)


def _scalars_of_several_types(con, path: Path, types: dict[str, str]) -> set[str]:
    """The columns DuckDB types ``JSON`` (values of several types: ``1``, ``2`` and ``"3+"``) that hold no object or
    list. Read as JSON, their text is JSON's (``"3+"`` with its quotes, in the answers and the unit hashes); read as
    text, each value is its own text (``1``, ``3+``), as in a CSV. One more read, only of a file that has such a
    column."""
    candidates = [name for name, kind in types.items() if kind == "JSON"]
    if not candidates:
        return set()
    nested = ", ".join(f"bool_or(json_type({quote(c)}) IN ('OBJECT', 'ARRAY'))" for c in candidates)
    reader = _json_reader(path, f", columns = {columns_argument(types)}")
    found = con.execute(f"SELECT {nested} FROM {reader}").fetchone()
    return {name for name, has_nested in zip(candidates, found, strict=True) if not has_nested}


# What DuckDB's JSON reader makes of strings that look like dates, times or UUIDs (an upper-case UUID came back in
# lower case); json_columns keeps them text.
STRING_LOOKALIKES = frozenset(
    ("DATE", "TIME", "TIME WITH TIME ZONE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS",
     "TIMESTAMP_NS", "UUID")
)  # fmt: skip


def _json_reader(path: Path, options: str = "") -> str:
    """DuckDB's JSON reader on ``path`` with ``options``, told when the file is one array (:func:`is_json_array`)."""
    return f"read_json_auto({path_literal(path)}{_array_option(path)}{ONE_FILE}{options})"


def _array_option(path: Path) -> str:
    """The option that tells DuckDB's JSON readers a file is one array (:func:`is_json_array`), or nothing."""
    return ", format = 'array'" if is_json_array(path) else ""


def columns_argument(columns: dict[str, str]) -> str:
    """``{'name': 'TYPE', ...}``: a ``columns`` argument for DuckDB's ``read_json``."""
    return "{" + ", ".join(f"{literal(name)}: {literal(kind)}" for name, kind in columns.items()) + "}"


def columns_of(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """The file's column names; an empty file (:func:`is_blank`) or one DuckDB cannot parse is a
    :class:`DataFileError` saying why (the line, what it holds) and what to do. A CSV whose sniffer gave up and read
    each line as one column (named after the whole header: a truncated or damaged file) is one too, not a file with
    a strange column."""
    if not path.is_file():
        raise DataFileError(f"{path}: no such file")
    stat = path.stat()
    with path.open("rb") as handle:  # its head too: a file rewritten within the clock's tick keeps its time
        head = hashlib.sha256(handle.read(COLUMNS_HEAD)).hexdigest()
    known = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, head)  # the same file, unchanged: read once
    if known in _COLUMNS_READ:
        return list(_COLUMNS_READ[known])
    columns = _columns_read(con, path)
    if len(_COLUMNS_READ) >= COLUMNS_KEPT:
        _COLUMNS_READ.clear()
    _COLUMNS_READ[known] = tuple(columns)
    return columns


# Each file's columns, once read, by path, size and modification time: a split and its checks ask for a file's
# columns many times, and DuckDB's DESCRIBE of a wide CSV (santander's 4,991 columns) took 0.44 s each time, 26 times
# in one split (sweep 197).
_COLUMNS_READ: dict[tuple[str, int, int, str], tuple[str, ...]] = {}
COLUMNS_KEPT = 4096
COLUMNS_HEAD = 1 << 16  # bytes of its start a file's columns are remembered by, besides its size and time


def _columns_read(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    if is_blank(path):
        held = "no header row, no record" if data_format(path.name) in DELIMITED else "no record"
        raise DataFileError(f"{path}: the file is empty ({held}: nothing but white space){DOWNLOAD_AGAIN}")
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {reader_sql(path)}").fetchall()
    except duckdb.Error as error:
        raise DataFileError(read_failure(path, error)) from error
    columns = [row[0] for row in described]
    if data_format(path.name) == "json" and columns == ["json"] and _keyless(con, path):
        if _no_records(con, path):
            raise NoRecords(
                f"{path}: the file holds no record with named fields (an empty JSON array, or empty objects)"
                f"{DOWNLOAD_AGAIN}"
            )
        raise DataFileError(  # review 194: [["img1", "cat"]] was said to be cut short
            f"{path}: its records have no named fields (arrays or plain values, not objects): mlecurate reads a JSON "
            "file of objects, each key a column: convert it, or fix it where the download comes from"
        )
    if data_format(path.name) == "csv" and len(columns) == 1 and header_delimiter(columns[0]):
        raise DataFileError(read_failure(path, None))
    return columns


def _keyless(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """Whether no record of the file is an object with a key (``[]``, ``[{}, {}]``), which DuckDB's reader reads
    as one column ``json``, as it reads a file whose records have the one key ``json``."""
    objects = f"read_json_objects({path_literal(path)}{_array_option(path)}{ONE_FILE})"
    keyed = f"SELECT count(*) FROM {objects} WHERE json_type(json) = 'OBJECT' AND len(json_keys(json)) > 0"
    return con.execute(keyed).fetchone()[0] == 0


def _no_records(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """Whether the file holds no record but empty objects (``[]``, ``[{}]``)."""
    objects = f"read_json_objects({path_literal(path)}{_array_option(path)}{ONE_FILE})"
    valued = f"SELECT count(*) FROM {objects} WHERE json_type(json) <> 'OBJECT' OR len(json_keys(json)) > 0"
    return con.execute(valued).fetchone()[0] == 0


DOWNLOAD_AGAIN = ": a download cut short? download it again, or fix it where the download comes from"


def read_failure(path: Path, error: BaseException | None) -> str:
    """``<path>: cannot be read as CSV: <why>`` (:func:`read_detail`), for a message the caller adds the competition
    to."""
    return f"{path}: cannot be read as {data_format(path.name).upper()}: {read_detail(path, error)}"


def read_detail(path: Path, error: BaseException | None) -> str:
    """Why ``path`` cannot be read (``error``, DuckDB's; None when it read a CSV as one column): DuckDB's useful
    lines (the line, its fields against the header's), not its list of reader options. A CSV the sniffer could not
    make out is read again strictly with its header's delimiter to find the first bad line; a file that is not
    UTF-8 names its first byte that is not, and what to do."""
    text = str(error or "")
    if too_long := LINE_TOO_LONG.search(text):
        return (
            f"a line of {int(too_long.group(2)):,} bytes is longer than the {int(too_long.group(1)):,} bytes DuckDB "
            "reads in one line (a field holding a whole document or image?): not a damaged file, but one mlecurate "
            "cannot split yet"
        )
    lowered = text.lower()  # DuckDB's CSV reader says "not utf-8", its JSON reader "invalid utf-8 encoding"
    if ("not utf-8" in lowered or "invalid utf-8" in lowered or error is None) and (bad := first_non_utf8(path)):
        line, byte = bad
        return (
            f"it is not UTF-8 text (line {line:,} holds the byte {byte!r}: Latin-1 or Windows-1252?); mlecurate "
            "reads UTF-8 only: re-encode the file as UTF-8 where the download comes from (the mirror's file, e.g. "
            f"iconv -f cp1252 -t utf-8 {path.name}) and download it again"
        )
    if data_format(path.name) in DELIMITED and not LINE_ERROR.search(text):  # the sniffer gave up, or said no line
        if mixed := mixed_line_end(path):
            return (
                f"its lines end in two ways: line {mixed[0]:,} ends in {mixed[1]} after lines ending in {mixed[2]} "
                "(pandas reads such a file, DuckDB does not): convert it to one line end (e.g. dos2unix) where the "
                "download comes from"
            )
        strict = strict_read_error(path)
        if strict is None and (opened := unclosed_quote(path)):  # DuckDB's strict read stops there, saying nothing
            return _left_open(*opened)
        if strict and LINE_ERROR.search(strict) or not text:
            text = strict or "its lines do not split into its header's columns"
    noticed = JSON_LINE_ERROR.search(text)
    if noticed and is_json_lines(path) and (bad := first_bad_json_line(path, int(noticed.group(1)))):
        return bad
    return error_detail(text) + (_line_hint(path, text) if LINE_ERROR.search(text) else "")


JSON_LINE_ERROR = re.compile(r"Malformed JSON in file .* in line (\d+)")


def first_bad_json_line(path: Path, noticed: int) -> str:
    """The line of a JSON Lines file (gzip'd or not) DuckDB noticed damage on (``noticed``), or the one before (an
    object left open is noticed on the next line, a cut last line one past the end), when it is no JSON value to
    Python's reader: that line, counted from 1 (lines end at a line feed); "" otherwise, and DuckDB's words stand
    (a file of objects over several lines, whose lines are no values). Read on failure only."""
    opener = gzip.open if is_gzipped(path.name) else open
    first = True
    with opener(path, "rb") as lines:
        for number, line in enumerate(lines, start=1):
            if number > noticed:
                break
            if not line.strip() or not first and number < noticed - 1:
                continue
            text = line.decode("utf-8", errors="replace").removeprefix("\ufeff").rstrip("\r\n")
            try:
                json.loads(text)
            except json.JSONDecodeError as error:
                if first and number < noticed - 1:
                    return ""  # its first line is no value: objects over several lines, not JSON Lines
                cut = text[:SHOWN_LINE_CHARACTERS] + ("..." if len(text) > SHOWN_LINE_CHARACTERS else "")
                why = error.msg.removesuffix(" at")  # "Invalid control character at"
                return f"line {number:,} is no JSON value ({why} at column {error.colno:,}): {cut}"
            first = False
    return ""


def _line_hint(path: Path, text: str) -> str:
    """What a line DuckDB cannot split says: a line of spaces is a stray line, a field opening with a double quote
    never closed on its line is text written without quoting (a TSV's ``"best -RRB-``), not damage."""
    original = ORIGINAL_LINE.search(text)
    if original and not original.group(1).strip():
        return (
            " (a line of white space only, inside the file: delete it where the download comes from, and download it "
            "again)"
        )
    if not original or UNTERMINATED_QUOTE not in text:  # a record with a quoted field over several lines, say
        return DAMAGED_HINT
    delimiter = "\t" if data_format(path.name) == "tsv" else header_delimiter(first_record(path)) or ","
    opened = _unclosed_field(original.group(1).rstrip("\r"), delimiter)
    if opened is None:
        return DAMAGED_HINT
    return (
        f" (its field {opened[:40]!r} opens with a double quote that the line never closes: text written without "
        "quoting, or a file cut short in a quoted field? A double quote at a field's start opens a quoted field, "
        "as pandas and DuckDB read it, and mlecurate cannot read such text unquoted: quote the field, or download "
        "the file again, where the download comes from)"
    )


def _unclosed_field(line: str, delimiter: str) -> str | None:
    """The rest of ``line`` from a field that opens with a double quote never closed on it; None if there is none
    (quoted fields read as CSV does: a doubled quote inside, the closing one before a delimiter or the end)."""
    start = 0
    while start <= len(line):
        if line.startswith('"', start):
            end = start + 1
            while (end := line.find('"', end)) != -1 and line.startswith('"', end + 1):
                end += 2  # a doubled quote inside the field
            if end == -1:
                return line[start:]
            start = end + 1
        following = line.find(delimiter, start)
        if following == -1:
            return None
        start = following + len(delimiter)
    return None


LINE_ERROR = re.compile(r"CSV Error on Line: (\d+)")
LINE_TOO_LONG = re.compile(r"Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+)")
FIELD_COUNTS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
# The line DuckDB quotes, up to its next line of explanation: after "Original Line: " or, in a CRLF file, on the next
# line; a line of spaces is quoted as its spaces.
ORIGINAL_LINE = re.compile(
    r"^Original Line: ?(?:\r?\n(?!Expected Number of Columns|Possible fixes))?(.*?)\r?$", re.MULTILINE
)
UNTERMINATED_QUOTE = "Value with unterminated quote found"  # DuckDB's words for a field whose quote never closes
DAMAGED_HINT = " (a truncated or damaged file? download it again, or fix it where the download comes from)"
SHOWN_LINE_CHARACTERS = 200
DELIMITER_CANDIDATES = (",", ";", "\t", "|")  # DuckDB's sniffer's


def error_detail(text: str) -> str:
    """DuckDB's read error in a line: ``line 1,201 has 7 fields where the header has 8: '1199,-0.06,...'`` when it
    names the line; else its first lines, up to its list of possible fixes and reader options."""
    line, counts, original = LINE_ERROR.search(text), FIELD_COUNTS.search(text), ORIGINAL_LINE.search(text)
    if line:
        said = f"line {int(line.group(1)):,}"
        if counts:  # DuckDB stops counting a long line's fields one past the header's
            expected, found = int(counts.group(1)), int(counts.group(2))
            fewer = f" has {found} field{'' if found == 1 else 's'} where the header has {expected}"
            said += fewer if found < expected else f" has more fields than the header's {expected}"
        if original:
            shown = original.group(1)
            cut = shown[:SHOWN_LINE_CHARACTERS] + ("..." if len(shown) > SHOWN_LINE_CHARACTERS else "")
            said += f": {cut!r}"
        return said
    kept = []
    for row in text.strip().splitlines():
        if row.startswith(("Possible", "LINE ", "*")) or not row.strip():
            break
        kept.append(row.strip().removeprefix("Invalid Input Error: "))
    return "; ".join(kept) or "an error DuckDB does not describe"


def header_delimiter(header: str) -> str | None:
    """The delimiter a CSV header line uses (the candidate it holds most of); None when it holds none."""
    counts = {candidate: header.count(candidate) for candidate in DELIMITER_CANDIDATES}
    best = max(counts, key=counts.get)
    return best if counts[best] else None


def strict_read_error(path: Path) -> str | None:
    """DuckDB's error reading a CSV strictly (no sniffing) with its header's delimiter and column count, which names
    the first line that does not fit; None when the file reads (or has no header to go by). A read of the whole
    file, made only once a read has failed."""
    header, delimiter = _header_and_delimiter(path)
    if delimiter is None:
        return None
    count = len(next(csv.reader([header], delimiter=delimiter)))
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(count)) + "}"
    query = (
        f"SELECT count(*) FROM read_csv({path_literal(path)}, auto_detect = false, header = true, "
        f"delim = {literal(delimiter)}, quote = '\"', escape = '\"', columns = {columns}{layout_options(path)})"
    )
    with utc_connection() as con:
        try:
            con.execute(query).fetchall()
        except duckdb.Error as error:
            return str(error)
    return None


def _header_and_delimiter(path: Path) -> tuple[str, str | None]:
    """A delimited file's header line and its delimiter (a TSV's tab, else the one the header holds most of); the
    delimiter None when there is no header to go by."""
    header = first_record(path)
    if not header:
        return header, None
    return header, "\t" if data_format(path.name) == "tsv" else header_delimiter(header)


def unclosed_quote(path: Path) -> tuple[int, str] | None:
    """(the line, the start of its field) where a quoted field opens that no quote closes before the end of a
    delimited file (a sweep's movie-review TSV: ``"hello,`` at line 103), read as CSV reads quotes: a quote opens a
    field only at its start, ``""`` inside is one quote, and the field closes at a quote not doubled; None otherwise.
    A pass over the file's lines carrying only whether a quote is open (the field it swallows is never held), made
    only once a read has failed."""
    delimiter = _header_and_delimiter(path)[1]
    if delimiter is None:
        return None
    opener = gzip.open if is_gzipped(path.name) else open
    opened: tuple[int, str] | None = None  # where the quote now open opened
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as handle:
            for number, line in enumerate(handle, 1):
                opened = _quote_state(line.rstrip("\r\n"), delimiter, number, opened)
    except (OSError, EOFError, zlib.error):
        return None
    return opened


def _quote_state(line: str, delimiter: str, number: int, opened: tuple[int, str] | None) -> tuple[int, str] | None:
    """The quote open after ``line`` (line ``number``), given ``opened``, the one open before it (or None)."""
    at = 0
    if opened is not None:  # inside a quoted field from an earlier line: its closing quote, then the field's rest
        closing = _closing_quote(line, 0)
        if closing == -1:
            return opened
        following = line.find(delimiter, closing + 1)
        if following == -1:
            return None
        at = following + len(delimiter)
    while True:  # at a field's start
        if line.startswith('"', at):
            closing = _closing_quote(line, at + 1)
            if closing == -1:
                return number, line[at:]
            following = line.find(delimiter, closing + 1)  # text after the closing quote belongs to the field
        else:
            following = line.find(delimiter, at)
        if following == -1:
            return None
        at = following + len(delimiter)


def _closing_quote(line: str, at: int) -> int:
    """The position of the quote closing a quoted field at or after ``at`` (a doubled quote is text), or -1."""
    while (at := line.find('"', at)) != -1 and line.startswith('"', at + 1):
        at += 2
    return at


def quote_left_open(con: duckdb.DuckDBPyConnection, path: Path) -> str | None:
    """Why ``path`` cannot be read whole, when a quoted field opens that nothing closes before its end; None
    otherwise. DuckDB 2.0.1's reader on one thread (a file holding a quote is read so: :func:`layout_options`) drops
    such a field and every line after it without an error (review 177: 10,001 of 59,999 rows gone, every check
    passed); its parallel reader says so, but also refuses some valid files: a refusal is confirmed line by line."""
    if data_format(path.name) not in DELIMITED or not serial_option(path):
        return None  # no quote at all (or not a delimited file): nothing to leave open
    try:
        con.execute(
            f"SELECT count(*) FROM read_csv({path_literal(path)}, all_varchar=true, header=true"
            f"{delimited_options(path.name)}{line_size_option(path)})"
        ).fetchall()
        return None
    except duckdb.Error:
        pass
    opened = unclosed_quote(path)
    return None if opened is None else _left_open(*opened)


def _left_open(line: int, field: str) -> str:
    return (
        f"line {line:,} opens a quoted field ({field[:40]!r}) that no double quote closes before the end of the file, "
        "so every line after it is inside that field (pandas: 'EOF inside string'): text written without quoting, or "
        "a file cut short? Quote the field, or download the file again, where the download comes from"
    )


def first_record(path: Path) -> str:
    """A delimited file's first line (its header), read as UTF-8 with any byte order mark dropped (a line ends at
    LF, CRLF or a lone CR)."""
    opener = gzip.open if is_gzipped(path.name) else open
    try:
        with opener(path, "rb") as handle:
            line = handle.readline(HEADER_BYTES).decode("utf-8-sig", errors="replace")
    except (OSError, EOFError, zlib.error):
        return ""
    return next(iter(line.splitlines()), "")  # a file of lone CR line ends is one line to readline


HEADER_BYTES = 1 << 20


def header_width(path: Path) -> int:
    """How many columns a data file has, read without DuckDB (which needs memory sized by it to sniff a wide file):
    a delimited file's first line split by whichever of comma, tab, semicolon and pipe splits it most; a Parquet
    file's schema; 0 for JSON and for a file that cannot be read. An estimate, for sizing memory."""
    if not is_data_file(path.name) or not path.is_file():
        return 0
    kind = data_format(path.name)
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            return len(pq.read_schema(path).names)
        except (OSError, ValueError):
            return 0
    if kind not in DELIMITED:
        return 0
    line = first_record(path)
    return max(len(next(csv.reader([line], delimiter=d), [])) for d in ",\t;|") if line else 0


def first_non_utf8(path: Path) -> tuple[int, bytes] | None:
    """The line number of a file's first byte that is not UTF-8, and that byte; None when it is all UTF-8 (read
    once, in blocks: only once a read has failed)."""
    opener = gzip.open if is_gzipped(path.name) else open
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 1
    try:
        with opener(path, "rb") as handle:
            while block := handle.read(1 << 20):
                data = decoder.getstate()[0] + block  # a character cut at the last block's end comes first
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as error:
                    return lines + data.count(b"\n", 0, error.start), data[error.start : error.start + 1]
                lines += block.count(b"\n")
    except (OSError, EOFError, zlib.error):
        return None
    return None


def mixed_line_end(path: Path) -> tuple[int, str, str] | None:
    """The number of a file's first line that ends unlike its first line, how it ends and how the lines before it do
    (``(22001, "LF", "CRLF")``); None when every line ends alike (read once, line by line: only once a read has
    failed)."""
    opener = gzip.open if is_gzipped(path.name) else open
    try:
        with opener(path, "rb") as handle:
            first = None
            for number, line in enumerate(handle, start=1):
                if not line.endswith(b"\n"):  # the last line, without an end
                    return None
                crlf = line.endswith(b"\r\n")
                if first is None:
                    first = crlf
                elif crlf != first:
                    return number, *(("CRLF", "LF") if crlf else ("LF", "CRLF"))
    except (OSError, EOFError, zlib.error):
        return None
    return None


@dataclass(frozen=True)
class JsonTypes:
    """What :func:`copy_sql` needs to write a JSON file's columns of several types back with each value's type."""

    columns: list[str]  # the query's columns, in order
    source: Path  # the JSON file the rows come from (whose columns of several types are looked up)
    text: frozenset[str] = frozenset()  # columns kept as text: ids, groups, times, targets, keys, compared as text


def copy_sql(
    query: str,
    target: Path,
    like: Path | None = None,
    dialect: dict[str, str] | None = None,
    typed: JsonTypes | None = None,
) -> str:
    """A COPY statement writing ``query`` to ``target`` in the format its name says. JSON is written as JSON Lines
    (one object a line) when ``target`` is named ``.jsonl``/``.ndjson`` or ``like``, the file it is made from, is
    JSON Lines; else as one array. A CSV or TSV is written in ``dialect`` (:func:`csv_dialect` of the file it is
    made from: its delimiter, quote and escape), else comma-separated: a split publishes its data in the layout the
    competition's participants know, and the public train and test sets in one dialect. Given ``typed``, a JSON
    file writes the values of its source's columns of several types (:func:`json_mixed_columns`, read as text) that
    are written as JSON numbers or booleans as such again, the others as strings (statoil's ``inc_angle``: ``45.26``
    and ``"na"``, not ``"45.26"``), except ``typed.text``'s columns. The type is told by the text (a string
    ``"2.50"`` among numbers would be published as the number 2.5), so columns compared as text elsewhere stay
    text."""
    kind = data_format(target.name)
    lines = target.suffix.lower() in JSON_LINES_SUFFIXES or (like is not None and is_json_lines(like))
    if kind == "json" and typed and (mixed := json_mixed_columns(typed.source) & set(typed.columns) - typed.text):
        query = f"SELECT {', '.join(_json_value(c) if c in mixed else quote(c) for c in typed.columns)} FROM ({query})"
    options = {
        "csv": "FORMAT CSV, HEADER true",
        "tsv": "FORMAT CSV, HEADER true, DELIMITER '\\t'",
        "json": "FORMAT JSON" if lines else "FORMAT JSON, ARRAY true",
        "parquet": "FORMAT PARQUET",
    }[kind]
    if kind in DELIMITED and dialect:
        options = f"FORMAT CSV, HEADER true, {written_dialect(dialect, kind)}"
    return f"COPY ({query}) TO {literal(str(target))} ({options})"


JSON_NUMBER = r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?"  # JSON's grammar of a number


def _json_value(column: str) -> str:
    """A text column as JSON: a value written as a JSON number (or ``true``, ``false``) is that value, any other a
    string."""
    text = f"CAST({quote(column)} AS VARCHAR)"
    typed = f"regexp_full_match({text}, {literal(JSON_NUMBER)}) OR {text} IN ('true', 'false')"
    return f"CASE WHEN {typed} THEN CAST({text} AS JSON) ELSE to_json({text}) END AS {quote(column)}"


def written_dialect(dialect: dict[str, str], kind: str) -> str:
    """COPY's options writing ``dialect``: its delimiter (a tab for a TSV), its quote (``"`` when the file it comes
    from quotes nothing: a value holding the delimiter still needs one) and its escape (the quote, when it has
    none)."""
    delimiter = "\t" if kind == "tsv" else dialect["delim"] or ","
    quote_char = dialect["quote"] or '"'
    escape = dialect["escape"] or quote_char
    return f"DELIMITER {literal(delimiter)}, QUOTE {literal(quote_char)}, ESCAPE {literal(escape)}"


def csv_dialect(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, str]:
    """The CSV dialect DuckDB's sniffer finds in the file's first 20,480 rows, with ``"`` as its quote
    (:func:`delimited_options`): ``{"delim": ..., "quote": ..., "escape": ...}``, ``""`` for none."""
    found = con.execute(
        f"SELECT Delimiter, Quote, Escape FROM sniff_csv({path_literal(path)}, all_varchar = true, header = true"
        f"{delimited_options(path.name)}{line_size_option(path)})"
    ).fetchall()[0]
    return {key: "" if value == "(empty)" else value for key, value in zip(DIALECT_KEYS, found, strict=True)}


DIALECT_KEYS = ("delim", "quote", "escape")  # read_csv's names for them


def header_names(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """A CSV's header as written (DuckDB's names make a repeated one unique: ``x1``, ``x1_1``), split by its
    dialect."""
    dialect = csv_dialect(con, path)
    reader = csv.reader([first_record(path)], delimiter=dialect["delim"] or ",", quotechar=dialect["quote"] or '"')
    return next(reader, [])


def repeated_names(names: list[str]) -> list[str]:
    """The names ``names`` holds more than once, in order of their first appearance."""
    seen: set[str] = set()
    repeated: list[str] = []
    for name in names:
        if name in seen and name not in repeated:
            repeated.append(name)
        seen.add(name)
    return repeated


def json_lines_by_name(name: str) -> bool:
    """A file its name says is JSON Lines (``.jsonl``, ``.ndjson``, gzip'd or not): one record a line."""
    return (data_suffix(name) or "").removesuffix(GZIP) in JSON_LINES_SUFFIXES


def is_json_lines(path: Path) -> bool:
    """Whether ``path`` is a JSON file of one value a line (JSON Lines), not one array: its name says so
    (:func:`json_lines_by_name`), or a ``.json`` file's first character that is not white space is not ``[`` (read
    through gzip for a ``.json.gz``)."""
    if json_lines_by_name(path.name):
        return True
    if (data_suffix(path.name) or "").removesuffix(GZIP) != ".json":
        return False
    return json_opening(path) not in (b"", b"[")


def one_object_hint(path: Path, rows: int) -> str:
    """Why a JSON file read as ``rows`` row(s) may hold more: one that is a single object (it opens with ``{``, and
    is no JSON Lines by its name) read as one row, which is how pandas' default ``to_json()`` (``orient="columns"``:
    each key a column, holding an object of row to value) comes out; "" otherwise."""
    suffix = (data_suffix(path.name) or "").removesuffix(GZIP)
    if rows != 1 or suffix != ".json" or json_opening(path) != b"{":
        return ""
    return (
        f" ({path.name} is one JSON object, read as one row: if its keys are the columns, each an object of rows, as "
        "pandas' to_json() writes by default, write it as an array of records (orient='records') or as JSON Lines "
        "(orient='records', lines=True))"
    )


def is_json_array(path: Path) -> bool:
    """Whether a JSON file (gzip'd or not) is one array: its first character that is not white space or a byte order
    mark is ``[``. DuckDB's reader, left to guess, reads an array after a UTF-8 byte order mark as one row of one
    column named ``json``; told it is an array, it reads its records."""
    suffix = (data_suffix(path.name) or "").removesuffix(GZIP)
    return suffix == ".json" and json_opening(path) == b"["


def json_opening(path: Path) -> bytes:
    """A JSON file's first character that is not white space or a UTF-8 byte order mark (gzip'd or not); empty for
    an empty, missing or unreadable file."""
    return _opening(path) or b""


def is_blank(path: Path) -> bool:
    """Whether a CSV, TSV or JSON file (gzip'd or not) holds nothing but white space and a byte order mark: no
    header, no record. DuckDB reads such a file as one column named ``column0`` or ``json`` (a test set without
    columns, a sample without its id) or fails to sniff it; it is refused as empty instead. False for a Parquet
    file (pyarrow refuses an empty one by itself) and for a file that cannot be read (its read says why)."""
    return data_format(path.name) in (*DELIMITED, "json") and _opening(path) == b""


def _opening(path: Path) -> bytes | None:
    """The first byte that is not white space or a UTF-8 byte order mark (gzip'd or not); ``b""`` when there is none,
    None when the file cannot be read."""
    opener = gzip.open if is_gzipped(path.name) else open
    try:
        with opener(path, "rb") as handle:
            while block := handle.read(JSON_PEEK_BYTES):
                text = block.lstrip(b" \t\r\n\xef\xbb\xbf")  # white space, and a UTF-8 byte order mark
                if text:
                    return text[:1]
    except (OSError, EOFError, zlib.error):
        return None
    return b""


def delimited_options(file_name: str) -> str:
    """The options every read of a CSV or TSV gives DuckDB's reader (the caller's go on after them): the quote is
    ``"``, as pandas, MLE-bench's graders and RFC 4180 read one; DuckDB's sniffer otherwise decides it from the first
    20,480 rows, so a valid file whose first quoted field came later was refused as damaged. A TSV's delimiter is a
    tab; a CSV's, and the escape (``"`` or ``\\``), the sniffer finds. The file alone is read (:data:`ONE_FILE`)."""
    tsv = is_data_file(file_name) and data_format(file_name) == "tsv"  # any other text file: sniffed as a CSV
    return ", quote = '\"'" + (", delim = '\\t'" if tsv else "") + ONE_FILE


def layout_options(path: Path) -> str:
    """The options a read of a CSV or TSV needs for how its bytes lie: ``, parallel = false`` for a file holding a
    ``"``, and ``, max_line_size = N`` for a file with a line longer than DuckDB's default limit; else "".

    Quotes: DuckDB 2.0.1's parallel reader starts each thread at a line of its own choosing, and inside a quoted
    field of paragraphs (an essay) it can take a line for a row: a valid file was refused ("CSV Error on Line: 18020
    ... unterminated quote", or "The Parallel CSV Reader currently does not support a full read on this file"), by
    its byte layout, one file in a few. Only a quoted field can hold a line break; telling whether one does costs a
    pass over the bytes dearer than reading them on one thread (about 0.2 GB/s against twice the parallel read's time
    on two cores), so a file with no quote at all, found at memchr speed (about 12 GB/s from the page cache), keeps
    the parallel reader, and any other is read on one thread.

    Long lines: DuckDB refuses a line past 2,000,000 bytes unless told more, and telling every read more costs every
    read (a buffer sixteen times the limit: a 300 MB file read 40% slower with 100 MB). A run-length encoded mask of
    a whole-slide image (hubmap-kidney-segmentation's) is megabytes on one line. So the file is looked into at one
    point per 512 KiB: a line of 2,000,000 bytes spans a whole such block, which then holds no line end; the limit
    given is the longest run of such blocks, plus the two it may reach into, and only for a file that has one, up to
    ``MAX_LINE_SIZE``. DuckDB counts a quoted record of several lines as one line: such a record past 2,000,000 bytes
    made of shorter lines is not seen here, and is refused as before (said to be long, not damaged).

    A gzip'd file, which cannot be looked into without inflating it, is always read on one thread (its parallel read
    failed the same way: review 166), under DuckDB's default line limit, as is one that cannot be looked into (DuckDB
    then says why)."""
    return serial_option(path) + line_size_option(path)


def serial_option(path: Path) -> str:
    """``, parallel = false`` for a CSV or TSV holding a ``"`` (or that cannot be looked into), else ""
    (:func:`layout_options`)."""
    layout = _file_layout(path)
    return ", parallel = false" if layout is None or layout[0] else ""


def line_size_option(path: Path) -> str:
    """``, max_line_size = N`` for a CSV or TSV with a line past DuckDB's default limit (:func:`layout_options`),
    for a call that takes no ``parallel`` (``sniff_csv``); else ""."""
    layout = _file_layout(path)
    return "" if layout is None else _line_size(layout[1])


def _line_size(longest_line: int) -> str:
    if longest_line <= DUCKDB_MAX_LINE_SIZE or longest_line > MAX_LINE_SIZE:
        return ""  # past MAX_LINE_SIZE, DuckDB refuses the line as before, and the message says it is long
    return f", max_line_size = {longest_line}"


def _file_layout(path: Path) -> tuple[bool, int] | None:
    """:func:`_layout` of the file, or None for a gzip'd file or one that cannot be looked into."""
    try:
        if path.name.endswith(".gz"):
            return None
        stat = path.stat()
        return _layout(str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)
    except (OSError, ValueError):  # a folder, unreadable, gone: the read that follows reports it
        return None


DUCKDB_MAX_LINE_SIZE = 2_000_000  # DuckDB's own default for read_csv's max_line_size
# The most a line may be given: DuckDB's buffers grow with the limit (a 60 MB limit peaked at 1.4 GB, 240 MB at
# 5.1 GB: review 169); a whole-slide image's mask is a few megabytes
MAX_LINE_SIZE = 32 * 2**20
_LINE_PROBE = 2**19  # a line of DUCKDB_MAX_LINE_SIZE bytes spans at least one whole block of this size


@functools.lru_cache(maxsize=256)
def _layout(path: str, size: int, mtime_ns: int, inode: int, ctime_ns: int) -> tuple[bool, int]:
    """Whether the file holds a ``"``, and a bound on its longest line (0 when no line can pass DuckDB's default
    limit); once per version of the file (its size, times and inode: a file replaced by one of the same size and
    modification time, as unzip and cp -p leave it, is another version)."""
    import mmap

    if not size:
        return False, 0
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        run = longest_run = 0
        for start in range(0, size, _LINE_PROBE):
            end = min(start + _LINE_PROBE, size)
            # a line ends in a line feed, or (an old Mac's file) in a lone carriage return
            if data.find(b"\n", start, end) == -1 and data.find(b"\r", start, end) == -1:
                run += 1
                longest_run = max(longest_run, run)
            else:
                run = 0
        longest_line = min(size, (longest_run + 2) * _LINE_PROBE) if longest_run else 0
        return data.find(b'"') != -1, longest_line


# The words pandas' read_csv reads as booleans (a target of them is 0/1; a sample's value of them is no text label).
TRUE_WORDS = ("True", "true", "TRUE")
FALSE_WORDS = ("False", "false", "FALSE")


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def number_sql(text: str) -> str:
    """SQL of the text ``text`` as a DOUBLE where pandas reads it as a number, else NULL: DuckDB's cast, which also
    reads ``_`` between digits as nothing (``2020_1_15`` is 2020115), where pandas reads no number."""
    return f"CASE WHEN NOT contains({text}, '_') THEN TRY_CAST({text} AS DOUBLE) END"


def key_text(sql: str) -> str:
    """A key's text compared as a number where it is one: ``101``, ``101.0`` and ``00101`` give one text, so two keys
    written otherwise match by equality (a hash join) instead of ``a = b OR TRY_CAST(a) = TRY_CAST(b)``, which DuckDB
    can only run as a nested loop: over a million ids against 50,000 it ran past two minutes, this in 0.3 s.

    A number is written in digits and a point, with an exponent only where it is signed (R's ``1e+05``): DuckDB's
    cast also reads ``_`` between digits and an unsigned exponent, which made text-normalization's ``102_0`` and
    ``10_20`` one id (1020), and hex ids ``0001e002`` and ``00000100`` too."""
    number = id_number(sql)  # exact up to 2**53: a 19-digit id (a tweet's) stays its own text
    return f"coalesce(CASE WHEN abs({number}) < {2**53} THEN CAST({number} AS VARCHAR) END, {sql})"


def id_number(sql: str) -> str:
    """SQL of a key's text read as a number (DOUBLE) where it is written as one (:func:`key_text`'s rule: digits and
    a point, an exponent only where signed), else NULL."""
    return f"CASE WHEN NOT regexp_matches({sql}, '_|[eE]([^+-]|$)') THEN TRY_CAST({sql} AS DOUBLE) END"


# An id with a short word before or after it (siim-covid19's ``00086460a852_study`` for the study the image table
# names ``00086460a852``; ``ID_`` before, a file's ``.jpg`` after): its core, which another table may name bare or
# with another word. Two shapes (review 198, 200): a uid of letters and digits, with a word of letters before it and
# up to two pieces after it (petfinder's ``86e1089a3-1.jpg``, the pet's first photo); or a number of eight digits or
# more with words of letters after it alone (``12345678.jpg``). A number after a number (``20220103_1301``, a date
# and a security) is a composite id, and a word before a number (``train_00000001``, ``test_00000001``) names whose
# row it is: neither is an affix.
UID_WITH_AFFIX = r"^(?:[A-Za-z]{1,6}[_.\-])?([A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*)(?:[_.\-][A-Za-z0-9]{1,6}){0,2}$"
NUMBER_WITH_AFFIX = r"^([0-9]{8,})(?:[_.\-][A-Za-z]{1,6}){1,2}$"


def id_key(sql: str) -> str:
    """An id's text as ids are matched across the tables of a download: :func:`key_text`, of its core where it
    is written with a short affix (:data:`UID_WITH_AFFIX`, :data:`NUMBER_WITH_AFFIX`): ``00086460a852_study``,
    ``ID_00086460a852`` and ``00086460a852.dcm`` are one id, as are ``12345678.jpg`` and ``12345678``."""
    uid = f"regexp_extract({sql}, {literal(UID_WITH_AFFIX)}, 1)"
    number = f"regexp_extract({sql}, {literal(NUMBER_WITH_AFFIX)}, 1)"
    cheap = f"length({sql}) >= 10 AND regexp_matches({sql}, '[_.-]')"  # most cells (numbers) skip the patterns
    return (
        f"CASE WHEN {cheap} AND length({uid}) >= 8 AND regexp_matches({uid}, '[0-9]') THEN {uid} "
        f"WHEN {cheap} AND {number} <> '' THEN {key_text(number)} ELSE {key_text(sql)} END"
    )


def literal(text: str) -> str:
    """A SQL string literal: the one way a value or a path becomes SQL text (where a parameter cannot be used).

    >>> literal("o'brien")
    "'o''brien'"
    """
    return "'" + text.replace("'", "''") + "'"


def mapped_sql(sql: str, mapping: dict[str, str]) -> str:
    """SQL of the text ``sql`` with each key of ``mapping`` replaced by its value (a listing's ``listed_values``, or
    the same turned around), any other text kept."""
    if not mapping:
        return sql
    cases = " ".join(f"WHEN {literal(key)} THEN {literal(value)}" for key, value in mapping.items())
    return f"CASE {sql} {cases} ELSE {sql} END"


def utc_database() -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB database whose time zone is UTC, not the machine's: a zoned timestamp (a Parquet
    file's ``TIMESTAMP WITH TIME ZONE``) read as text is then the same text on every machine, so the unit hashes of a
    split, the published CSVs, the answers and the content checksums do not depend on where they were made (under
    ``TZ=America/New_York`` the instant ``2020-01-26 20:30:00+00`` read ``2020-01-26 15:30:00-05``). For work that
    sets the database's own limits (memory_limit, threads, temp_directory: the split builder); other work takes a
    :func:`utc_connection`."""
    con = duckdb.connect()
    con.execute("SET GLOBAL TimeZone = 'UTC'")  # not as connect's config: the time zone needs ICU, loaded on first use
    return con


_DATABASE: duckdb.DuckDBPyConnection | None = None  # this process's shared database, opened on first use
_DATABASE_LOCK = threading.Lock()


def utc_connection() -> duckdb.DuckDBPyConnection:
    """A connection of its own (its session's settings, temporary tables and registered frames) to this process's
    one in-memory :func:`utc_database`. DuckDB builds a new database's catalogue of functions in about 40 ms and a
    connection to an open one in microseconds, and checking one split opens dozens.

    What a connection does to the database itself reaches every other one: a global setting (memory_limit, threads,
    preserve_insertion_order), a table or view not TEMP, a macro, ``create_function``, ``ATTACH``. Work that needs
    any of these takes a :func:`utc_database` of its own. The database hands memory a closed connection used back to
    the system (its allocator's background threads), so a long-lived worker does not keep its largest check's peak;
    one a fatal error invalidated is replaced."""
    global _DATABASE
    with _DATABASE_LOCK:
        if _DATABASE is not None:
            try:
                connection = _DATABASE.cursor()
                connection.execute("SELECT 1").fetchall()  # a result left unread blocks the connection
                return connection
            except duckdb.Error:  # invalidated by a fatal error: every later connection would fail too
                pass
        _DATABASE = utc_database()
        _DATABASE.execute("SET GLOBAL allocator_background_threads = true")
        return _DATABASE.cursor()


def _after_fork_in_child() -> None:
    """A forked child never uses nor frees its parent's database: its destructor would wait for threads that did not
    survive the fork (the child crashed or hung at exit). The child opens its own, behind a lock of its own."""
    global _DATABASE, _DATABASE_LOCK
    abandon_in_child(_DATABASE)
    _DATABASE, _DATABASE_LOCK = None, threading.Lock()


def abandon_in_child(*databases: duckdb.DuckDBPyConnection | None) -> None:
    """In a forked child: leave the parent's ``databases`` alive and unused for the child's whole life (one more
    reference each, never dropped), so that no destructor waits for the parent's threads, which did not survive the
    fork."""
    for database in databases:
        if database is not None:
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(database))


os.register_at_fork(after_in_child=_after_fork_in_child)


@contextlib.contextmanager
def setting(con, name: str, value) -> Iterator[None]:
    """DuckDB's setting ``name`` at ``value`` inside the block, and back to what it was after."""
    before = con.execute(f"SELECT current_setting('{name}')").fetchall()[0][0]
    con.execute(f"SET {name} = {literal(str(value)) if isinstance(value, str) else value}")
    try:
        yield
    finally:
        con.execute(f"SET {name} = {literal(str(before)) if isinstance(before, str) else before}")


GLOB_CHARACTERS = "[*?"


def glob_escape(text: str) -> str:
    """``text`` as a DuckDB file pattern that matches only itself: ``[``, ``*`` and ``?`` each in brackets."""
    return "".join(f"[{c}]" if c in GLOB_CHARACTERS else c for c in text)


def path_literal(path: Path) -> str:
    """A path for DuckDB's ``read_*`` functions, which treat ``[``, ``*`` and ``?`` as globs even in a literal path
    (a home under ``glob[1]/`` would read ``glob1/``'s file): this one file, never another.

    >>> path_literal(Path("/data/glob[1]/train.csv"))
    "'/data/glob[[]1]/train.csv'"
    """
    return literal(glob_escape(str(path)))


def glob_literal(folder: Path, pattern: str) -> str:
    """A file pattern for DuckDB's ``read_*`` functions: ``pattern`` (``*/manifest.json``) globbed under ``folder``,
    whose own name is matched as it is, whatever characters it holds."""
    return literal(glob_escape(str(folder)) + "/" + pattern)


def first_line(error: BaseException) -> str:
    """An error's first line, for a message that names the file (its type's name when it says nothing)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")  # JSON Lines by name; a .json file may be either layout
DATA_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".parquet": "parquet"} | dict.fromkeys(
    JSON_LINES_SUFFIXES, "json"
)
JSON_PEEK_BYTES = 1 << 16  # read this much at a time looking for a JSON file's first character
DELIMITED = ("csv", "tsv")  # read by DuckDB's CSV reader, as text
GZIP = ".gz"
GZIPPED_FORMATS = ("csv", "tsv", "json")  # DuckDB reads these gzip'd; a gzip'd Parquet is not a data file


def data_suffix(file_name: str) -> str | None:
    """The suffix that makes ``file_name`` a data file (``.csv``, ``.tsv.gz``), in lower case; None when it is not one.

    >>> data_suffix("train.tsv.gz"), data_suffix("images.tar.gz")
    ('.tsv.gz', None)
    """
    suffixes = [s.lower() for s in PurePosixPath(file_name).suffixes]
    if not suffixes:
        return None
    if suffixes[-1] == GZIP:
        inner = suffixes[-2] if len(suffixes) > 1 else ""
        return inner + GZIP if DATA_FORMATS.get(inner) in GZIPPED_FORMATS else None
    return suffixes[-1] if suffixes[-1] in DATA_FORMATS else None


def is_data_file(file_name: str) -> bool:
    """A table mlecurate reads: CSV, TSV, JSON or Parquet, or a gzip'd CSV, TSV or JSON."""
    return data_suffix(file_name) is not None


def data_format(file_name: str) -> str:
    """``csv`` | ``tsv`` | ``json`` | ``parquet`` from a file name (``train.csv.gz`` is ``csv``, ``.jsonl`` and
    ``.ndjson`` are JSON); KeyError for a name
    that is not a data file."""
    suffix = data_suffix(file_name)
    if suffix is None:
        raise KeyError(file_name)
    return DATA_FORMATS[suffix.removesuffix(GZIP)]


def is_gzipped(file_name: str) -> bool:
    return (data_suffix(file_name) or "").endswith(GZIP)


def published_suffix(file_name: str) -> str:
    """The suffix a split publishes a data file under: its own, uncompressed (``train.csv.gz`` gives ``.csv``)."""
    return (data_suffix(file_name) or "").removesuffix(GZIP)


def data_stem(file_name: str) -> str:
    """A data file's name without its data suffix: ``train`` for ``train.csv.gz``."""
    name = PurePosixPath(file_name).name
    return name[: len(name) - len(data_suffix(name) or "")]


def rows_are_lines_candidate(path: Path) -> bool:
    """Whether a file may be split as bytes (``splits.csv_lines``): a plain (not gzip'd) CSV or TSV."""
    return data_format(path.name) in DELIMITED and not is_gzipped(path.name)


def copy_uncompressed(source: Path, target: Path) -> None:
    """``source``'s bytes to ``target``, gunzipped when ``source`` is a gzip'd data file (its content, byte for
    byte)."""
    opener = gzip.open if is_gzipped(source.name) else open
    try:
        with opener(source, "rb") as reader, open(target, "wb") as writer:
            shutil.copyfileobj(reader, writer, 1 << 20)
    except (OSError, EOFError, zlib.error) as error:
        target.unlink(missing_ok=True)
        raise DataFileError(f"{source}: cannot be read: {first_line(error)}") from error


LISTED_PER_FOLDER = 8  # a folder of the download with more files than this is listed as one entry with its count
LISTED_FILES = 40
LISTED_COLUMNS = 30


def download_listing(raw_dir: Path) -> str:
    """The download's files for an error message: top-level files, small folders' files, big folders counted
    (``images/ (1,584 files)``)."""
    if not raw_dir.is_dir():
        return f"(no download at {raw_dir})"
    shown: list[str] = []
    for path in sorted(raw_dir.iterdir()):
        if path.is_symlink():
            continue
        if path.is_file():
            shown.append(path.name)
        elif path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
            if len(inside) <= LISTED_PER_FOLDER:
                shown += [p.relative_to(raw_dir).as_posix() for p in inside] or [f"{path.name}/ (empty)"]
            else:
                shown.append(f"{path.name}/ ({len(inside):,} files)")
    if not shown:
        return "(the download is empty)"
    more = len(shown) - LISTED_FILES
    return ", ".join(shown[:LISTED_FILES]) + (f", and {more:,} more" if more > 0 else "")


def download_owner(slug: str, raw_dir: Path) -> str:
    """How a message names the download: ``titanic's download``, or its folder when there is no slug."""
    return f"{slug}'s download" if slug else f"the download ({raw_dir})"


def missing_file_message(slug: str, key: str, name: str, raw_dir: Path) -> str:
    """``split recipe key 'train_file': no file 'trian.csv' in titanic's download; files: ...`` (no slug prefix),
    and, when the name is inside one folder of the download (a zip whose files sit under ``titanic/``), the key's
    value that finds it."""
    message = f"split recipe key '{key}': no file '{name}' in {download_owner(slug, raw_dir)}; files: "
    return message + download_listing(raw_dir) + folder_hint(key, name, raw_dir)


def folder_hint(key: str, name: str, raw_dir: Path) -> str:
    """``; it is under one folder: set train_file: titanic/train.csv (and the other file keys alike)`` when exactly
    one folder at the download's top holds ``name``; else nothing."""
    if not raw_dir.is_dir():
        return ""
    found = [
        folder / name
        for folder in sorted(raw_dir.iterdir())
        if folder.is_dir() and not folder.is_symlink() and (folder / name).is_file()
    ]
    if len(found) != 1:
        return ""
    inside = found[0].relative_to(raw_dir).as_posix()
    return f"; it is under one folder: set {key}: {inside} (and the recipe's other file keys alike)"


def column_listing(columns) -> str:
    """A file's columns for an error message (the first ``LISTED_COLUMNS``, then how many more)."""
    names = [str(c) for c in columns]
    more = len(names) - LISTED_COLUMNS
    return ", ".join(names[:LISTED_COLUMNS]) + (f", and {more} more" if more > 0 else "")


def missing_columns_message(key: str, wanted, columns, where: str) -> str | None:
    """``split recipe key 'id_column': no column 'Id' in train.csv (its columns: ...)`` for the ``wanted`` columns
    that ``columns`` lacks (``where`` names the file); None when none is missing."""
    present = {str(c) for c in columns}
    missing = [c for c in wanted if c not in present]
    if not missing:
        return None
    return (
        f"split recipe key '{key}': no column {', '.join(repr(c) for c in missing)} in {where} "
        f"(its columns: {column_listing(columns)}){near_columns(missing, present)}{_coco_hint(present)}"
    )


def _coco_hint(columns: set[str]) -> str:
    """``; it is a COCO-style document ...`` for a file whose columns are a COCO document's lists (iwildcam's and
    herbarium's metadata, named as a train file in two sweeps: read as one row of lists); "" otherwise."""
    if not {"images", "annotations"} <= columns:
        return ""
    return (
        "; it is a COCO-style document (lists of images and of annotations), one row of lists, not a table: a split "
        "reads a table of rows, so convert it to one (each image's file and category, a CSV) where the download "
        "comes from, or list the images with train_listing"
    )


def near_columns(missing: list[str], present: set[str]) -> str:
    """`` ('CoverType' for 'Cover_Type'?)``: the columns a missing name nearly is, where the listing may not reach
    them (it stops after ``LISTED_COLUMNS``; a sweep's tabular-playground-series-dec-2021 has 56): the same but for
    case, spaces, ``_`` and ``-``, else a close spelling; "" when none."""
    import difflib

    def folded(name: str) -> str:
        return re.sub(r"[\s_-]", "", name).casefold()

    by_fold = {folded(c): c for c in sorted(present)}
    hints = []
    for name in missing:
        close = by_fold.get(folded(name)) or next(iter(difflib.get_close_matches(name, sorted(present), 1, 0.8)), None)
        if close is not None:
            hints.append(f"{name!r} for {close!r}")
    return f" ({', '.join(hints)}?)" if hints else ""


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file's bytes (for files that are not data files, and files copied unchanged)."""
    return file_digest(path, "sha256")


def copy_hashed(source: str | Path, target: str | Path, mode: str = "wb") -> str:
    """Copy ``source``'s bytes and modification time to ``target`` (opened with ``mode``: ``xb`` never replaces a
    file); return the hex sha256 of the bytes, computed as they are copied (one read)."""
    digest = hashlib.sha256()
    with open(source, "rb") as original, open(target, mode) as copy:
        for block in iter(lambda: original.read(1 << 20), b""):
            digest.update(block)
            copy.write(block)
    shutil.copystat(source, target)
    return digest.hexdigest()


def file_digest(path: Path, algorithm: str) -> str:
    """The hex digest of a file's bytes by ``algorithm`` (``sha256``; ``md5`` where MLE-bench's checksums need it),
    read in blocks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, algorithm).hexdigest()


def content_checksum(path: Path, con: duckdb.DuckDBPyConnection | None = None) -> str:
    """``v1:<rows>:<hash>`` of a data file's content (a gzip'd one's is its content's: the same as uncompressed)."""
    owned = con is None
    con = con or utc_connection()
    try:
        columns = sorted(columns_of(con, path))
        row = "CAST(struct_pack(" + ", ".join(f"{quote(c)} := {quote(c)}" for c in columns) + ") AS VARCHAR)"
        rows, upper, lower = con.execute(
            f"""SELECT count(*), coalesce(sum(md5_number_upper({row})::HUGEINT), 0)::VARCHAR,
                       coalesce(sum(md5_number_lower({row})::HUGEINT), 0)::VARCHAR
                FROM {reader_sql(path)}"""
        ).fetchone()
    finally:
        if owned:
            con.close()
    digest = hashlib.sha256(f"{'|'.join(columns)}\n{rows}\n{upper}\n{lower}".encode()).hexdigest()[:32]
    return f"v1:{rows}:{digest}"
