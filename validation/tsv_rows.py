"""Whether each row of a TSV the split reads is one line: a warning check.

>>> check = check_tsv_rows_are_lines({"train_file": raw / "train.tsv"})
>>> check.passed, check.found
(False, "train.tsv (train_file): 4 lines are read into another row's field holding a line break and a whole row's tabs
(...): row 9 (lines 10-14), field 'note': 'quoted start of a note\\t1\\n10\\tplain text 10...'")

A TSV quotes rarely: its fields hold no tab and no line break, so a double quote in one is most often part of the
text. Read as a CSV is (pandas, DuckDB and MLE-bench's graders all do, and so does mlecurate), a field that opens
with ``"`` runs on to the next ``"`` followed by a tab or a line end, lines later if need be: the lines between
become one row's field, and their rows are gone from the split without an error (a newcomer's sweep: ids 10 to 13
of 100 vanished into row 9's ``note``). A field read over several lines that holds a whole row's tabs (one fewer than
the header's columns), as such a field does, is what this check names, and a header read over several lines; a
quoted field holding a line break and fewer tabs is taken as text of its own (a review written over several lines;
pandas writes such a field quoted). Only a file in which some field opens with a quote is read (a byte scan, about
1 s a GB, finds out); it is then parsed in Python (about 1 s for 200 MB) to count each row's lines. It warns; it does
not stop the split: the rows are read as every reader of the file reads them.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from validation.checks import Check
from validation.data_files import data_format, is_gzipped
from validation.leakage import SplitCheck

TSV_ROWS_ARE_LINES = Check(
    "tsv_rows_are_lines",
    "Every row of a TSV the split reads (train, test, sample, answers) is one line: no field opens with a double "
    'quote that a later line closes, joining the lines between into one row (with `"` read as a quote, as pandas '
    "and MLE-bench read it).",
    severity="warning",
    remedy="The download's TSV has a double quote at the start of a field that is part of its text: read as a CSV "
    "is, the lines up to the next closing quote are one row, for agents and graders alike. Say so in the "
    "annotation's note, or decline the competition; mlecurate has no recipe key to read a TSV without quotes.",
)
SHOWN = 3  # joined rows named in the finding
SHOWN_TEXT = 60  # characters of a joined field quoted
CHUNK_BYTES = 16 << 20


def opens_a_quoted_field(path: Path) -> bool:
    """Whether a field of the file opens with ``"``: the file starts with one (after a byte order mark) or one
    follows a tab or a line end. A byte scan, read in chunks (gzip'd or not)."""
    opener = gzip.open if is_gzipped(path.name) else open
    with opener(path, "rb") as handle:
        before = b"\n"  # the file's start opens a field
        first = True
        while chunk := handle.read(CHUNK_BYTES):
            if first:
                chunk, first = chunk.removeprefix(b"\xef\xbb\xbf"), False
            text = before + chunk
            if b'\t"' in text or b'\n"' in text or b'\r"' in text:
                return True
            before = chunk[-1:]
    return False


def joined_rows(path: Path) -> tuple[list[str], list[tuple[int, int, int, str, str]]]:
    """The file's header and each record read over several lines with a field that holds a line break and a whole
    row's tabs (one fewer than the header's columns): (row, first line, last line, column, the field's text); rows
    and lines counted from 1, the header line being line 1 and row 0 (a header that spans lines is named too). A
    field past the csv module's limit (131,072 characters) that spans lines is named with its text unknown ("")."""
    opener = gzip.open if is_gzipped(path.name) else open
    with opener(path, "rb") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as text:
        reader = csv.reader(text, delimiter="\t", quotechar='"')
        header: list[str] = []
        joined = []
        row, line = -1, 0
        while True:
            first = line + 1
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error:  # a field past the limit: a quote left open, or a long text on one line
                row, line = row + 1, reader.line_num
                if line > first:
                    joined.append((row, first, line, "?", ""))
                continue
            line = reader.line_num
            if not fields:
                continue  # a blank line
            row += 1
            if row == 0:
                header = fields
            if line > first and (spanning := _spanning_field(fields, max(len(header) - 1, 0), row == 0)) is not None:
                index, value = spanning
                column = header[index] if row and index < len(header) else f"column {index + 1}"
                joined.append((row, first, line, column, value))
    return header, joined


def _spanning_field(fields: list[str], row_tabs: int, in_header: bool) -> tuple[int, str] | None:
    """The first field holding a line break and (outside the header, where no name holds a line break) at least
    ``row_tabs`` tabs, with its index; None when there is none."""
    for index, value in enumerate(fields):
        if ("\n" in value or "\r" in value) and (in_header or value.count("\t") >= row_tabs):
            return index, value
    return None


def check_tsv_rows_are_lines(tables: dict[str, Path]) -> SplitCheck:
    """The :data:`TSV_ROWS_ARE_LINES` check over the recipe's files (recipe key to path); files that are no TSV, or
    are not in the download, pass untouched."""
    tsvs = {key: path for key, path in tables.items() if data_format(path.name) == "tsv" and path.is_file()}
    if not tsvs:
        return SplitCheck(TSV_ROWS_ARE_LINES.name, True, "no TSV among the recipe's files")
    findings, joined_lines = [], {}
    for key, path in tsvs.items():
        if not opens_a_quoted_field(path):
            continue
        _, joined = joined_rows(path)
        if not joined:
            continue
        joined_lines[key] = sum(last - first for _, first, last, _, _ in joined)
        shown = "; ".join(_where(*found) for found in joined[:SHOWN])
        more = f"; and {len(joined) - SHOWN:,} more" if len(joined) > SHOWN else ""
        count = joined_lines[key]
        findings.append(
            f"{path.name} ({key}): {count:,} {'line is' if count == 1 else 'lines are'} read into another row's "
            "field holding a line break and a whole row's tabs (a quote that is part of the text does this, and "
            f"those lines' rows are lost): {shown}{more}"
        )
    names = ", ".join(path.name for path in tsvs.values())
    metadata = {"tsv_files": len(tsvs), "lines_joined": sum(joined_lines.values())}
    if not findings:
        return SplitCheck(
            TSV_ROWS_ARE_LINES.name,
            True,
            f"every row of {names} is one line (no quoted field holds a line break and a whole row's tabs)",
            metadata,
        )
    return SplitCheck(TSV_ROWS_ARE_LINES.name, False, "; ".join(findings), metadata)


def _where(row: int, first: int, last: int, column: str, value: str) -> str:
    place = "the header" if row == 0 else f"row {row}"
    if not value:
        return f"{place} (lines {first}-{last}): a quoted field past 131,072 characters"
    return f"{place} (lines {first}-{last}), field {column!r}: {_excerpt(value)}"


def _excerpt(value: str) -> str:
    """The start of a joined field, its line breaks and tabs shown as escapes (``\\n``, ``\\t``)."""
    text = value[:SHOWN_TEXT].replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return f"'{text}{'...' if len(value) > SHOWN_TEXT else ''}'"
