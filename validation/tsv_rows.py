"""Whether each row of a TSV the split reads is one line: a warning check.

>>> check = check_tsv_rows_are_lines({"train_file": raw / "train.tsv"})
>>> check.passed, check.found
(False, 'train.tsv (train_file): 4 lines are read as part of another row, their rows lost: row 9 (lines 10-14) ...')

A TSV quotes rarely: its fields hold no tab and no line break, so a double quote in one is most often part of the
text. Read as a CSV is (pandas, DuckDB and MLE-bench's graders all do, and so does mlecurate), a field that opens
with ``"`` runs on to the next ``"`` followed by a tab or a line end, lines later if need be: the lines between
become one row's field, and their rows are gone from the split without an error (a newcomer's sweep: ids 10 to 13
of 100 vanished into row 9's ``note``). A quoted field that holds line breaks and tabs, as such a field does, is
what this check names; one holding line breaks but no tab is taken as text of its own (a review written over several
lines). It only reads a file in which some field opens with a quote (a byte scan, about 1 s a GB, finds out); such a
file is parsed again in Python to count each row's lines. It warns; it does not stop the split: the rows are read as
every reader of the file reads them.
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
csv.field_size_limit(1 << 30)  # a quote left open runs on for megabytes: count its lines rather than fail


def opens_a_quoted_field(path: Path) -> bool:
    """Whether a field of the file opens with ``"``: the file starts with one (after a byte order mark) or one
    follows a tab or a line feed. A byte scan, read in chunks (gzip'd or not)."""
    opener = gzip.open if is_gzipped(path.name) else open
    with opener(path, "rb") as handle:
        before = b"\n"  # the file's start opens a field
        first = True
        while chunk := handle.read(CHUNK_BYTES):
            if first:
                chunk, first = chunk.removeprefix(b"\xef\xbb\xbf"), False
            text = before + chunk
            if b'\t"' in text or b'\n"' in text:
                return True
            before = chunk[-1:]
    return False


def joined_rows(path: Path) -> tuple[list[str], list[tuple[int, int, int, str, str]]]:
    """The file's header and each row read over several lines with a field holding a line break and a tab: (row,
    first line, last line, column, the field's text); rows and lines counted from 1, the header line being line 1."""
    opener = gzip.open if is_gzipped(path.name) else open
    with opener(path, "rb") as raw, io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="") as text:
        reader = csv.reader(text, delimiter="\t", quotechar='"')
        header = next(reader, [])
        joined = []
        row, line = 0, reader.line_num
        for fields in reader:
            first, line = line + 1, reader.line_num
            if not fields:
                continue  # a blank line
            row += 1
            if line == first:
                continue
            for index, value in enumerate(fields):
                if "\t" in value and ("\n" in value or "\r" in value):
                    column = header[index] if index < len(header) else f"field {index + 1}"
                    joined.append((row, first, line, column, value))
                    break
    return header, joined


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
        shown = "; ".join(
            f"row {row} (lines {first}-{last}) holds them in its field {column!r}: {_excerpt(value)}"
            for row, first, last, column, value in joined[:SHOWN]
        )
        more = f"; and {len(joined) - SHOWN:,} more" if len(joined) > SHOWN else ""
        findings.append(
            f"{path.name} ({key}): {joined_lines[key]:,} lines are read as part of another row, their rows lost: "
            f"{shown}{more}"
        )
    names = ", ".join(path.name for path in tsvs.values())
    metadata = {"tsv_files": len(tsvs), "lines_joined": sum(joined_lines.values())}
    if not findings:
        return SplitCheck(
            TSV_ROWS_ARE_LINES.name,
            True,
            f"every row of {names} is one line (no quoted field holds a line break and a tab)",
            metadata,
        )
    return SplitCheck(TSV_ROWS_ARE_LINES.name, False, "; ".join(findings), metadata)


def _excerpt(value: str) -> str:
    """The start of a joined field, its line breaks and tabs shown as escapes (``\\n``, ``\\t``)."""
    text = value[:SHOWN_TEXT].replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return f"'{text}{'...' if len(value) > SHOWN_TEXT else ''}'"
