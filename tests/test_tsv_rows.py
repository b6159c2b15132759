"""A TSV whose field opens with a double quote that a later line closes: the lines between are read as one row's
field (as pandas and MLE-bench read them), and the split's ``tsv_rows_are_lines`` warning names them
(``validation.tsv_rows``)."""

from __future__ import annotations

import csv
import gzip
import json

import pandas as pd
import pytest

from splits.layout import prepare_competition, refused
from validation import tsv_rows
from validation.split_recipe import parse_recipe
from validation.tsv_rows import check_tsv_rows_are_lines, joined_rows, opens_a_quoted_field

SLUG = "review-notes"


def _tsv(notes: dict[int, str], rows: int = 100) -> str:
    lines = ["id\tnote\tlabel"]
    lines += [f"{i}\t{notes.get(i, f'plain text {i}')}\t{i % 2}" for i in range(1, rows + 1)]
    return "\n".join(lines) + "\n"


def test_rows_joined_by_a_quote_are_published_with_a_warning_naming_them(tmp_path):
    """A newcomer's sweep: ids 10 to 13 of 100 vanished into row 9's note, 96 rows were split, without a word."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "train.tsv").write_text(_tsv({9: '"quoted start of a note', 13: 'its closing quote"'}), encoding="utf-8")
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["label"], "train_file": "train.tsv"}
    prepared = prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert prepared.published and not refused(prepared.checks)  # read as every reader reads it: a warning
    assert prepared.manifest["rows"]["original"] == 96  # what pandas reads too
    assert len(pd.read_csv(raw / "train.tsv", sep="\t")) == 96
    check = {c.name: c for c in prepared.checks}["tsv_rows_are_lines"]
    assert not check.passed
    assert check.found == (
        "train.tsv (train_file): 4 lines are read into another row's field holding a line break and a whole row's "
        "tabs (a quote that is part of the text does this, and those lines' rows are lost): row 9 (lines 10-14), "
        "field 'note': 'quoted start of a note\\t1\\n10\\tplain text 10\\t0\\n11\\tplain text 11...'"
    )
    assert check.metadata == {"tsv_files": 1, "lines_joined": 4}
    recorded = json.loads((tmp_path / "prepared" / SLUG / "manifest.json").read_text())["checks"]
    assert recorded["tsv_rows_are_lines"]["passed"] is False and recorded["tsv_rows_are_lines"]["found"] == check.found


def test_each_tsv_the_recipe_reads_is_checked_and_named_by_its_key(tmp_path):
    (tmp_path / "train.tsv").write_text(_tsv({}), encoding="utf-8")
    notes = {2: '"one', 4: 'two"', 20: '"three', 21: 'four"', 30: '"five', 31: 'six"', 40: '"seven', 41: 'eight"'}
    (tmp_path / "test.tsv").write_text(_tsv(notes, rows=50), encoding="utf-8")
    check = check_tsv_rows_are_lines({"train_file": tmp_path / "train.tsv", "test_file": tmp_path / "test.tsv"})
    assert not check.passed and check.found.startswith(
        "test.tsv (test_file): 5 lines are read into another row's field"
    )
    assert "row 2 (lines 3-5)" in check.found and "row 18 (lines 21-22)" in check.found
    assert check.found.endswith("; and 1 more") and "train.tsv" not in check.found
    assert check.metadata == {"tsv_files": 2, "lines_joined": 5}


@pytest.mark.parametrize(
    "notes, why",
    [
        ({}, "no quote at all"),
        ({5: 'he said "stop" twice'}, "a quote inside a field opens none"),
        ({5: '"a quoted\ttab, on one line"'}, "a quoted field on one line"),
        ({5: '"a review written\nover two lines"'}, "a quoted line break without a tab: the text's own"),
        ({5: '"a review with a\ttab and\na line break"'}, "fewer tabs than a row: the text's own, as pandas writes it"),
    ],
)
def test_tsvs_whose_rows_are_lines_pass(tmp_path, notes, why):
    (tmp_path / "train.tsv").write_text(_tsv(notes), encoding="utf-8")
    check = check_tsv_rows_are_lines({"train_file": tmp_path / "train.tsv"})
    assert check.passed, why
    assert check.found == (
        "every row of train.tsv is one line (no quoted field holds a line break and a whole row's tabs)"
    )


@pytest.mark.parametrize(
    "text, found",
    [
        # closed on the very next line, in a middle column: the joined field holds a line break and two tabs
        ('id\tnote\tlabel\n1\t"a\t0\n2\tb"\t1\n3\tc\t0\n', "1 line is read into another row's field"),
        ('id\t"note\n1\ta\n2\tb"\n3\tc\n', "2 lines are read into another row's field"),  # into the header
        ('note\nfirst\n"open\nsecond\nthird"\nfourth\n', "2 lines are read"),  # one column: no tab to hold
        ('id\tnote\r\n1\t"a\r\n2\tb"\r\n3\tc\r\n', "1 line is read"),  # CRLF
    ],
)
def test_joined_rows_are_found_wherever_the_quote_sits(tmp_path, text, found):
    (tmp_path / "train.tsv").write_bytes(text.encode())
    check = check_tsv_rows_are_lines({"train_file": tmp_path / "train.tsv"})
    assert not check.passed and check.found.startswith(f"train.tsv (train_file): {found}"), check.found


def test_the_header_and_a_byte_order_mark_are_named_as_such(tmp_path):
    (tmp_path / "train.tsv").write_bytes('\ufeffid\t"note\n1\ta\n2\tb"\n3\tc\n'.encode())
    check = check_tsv_rows_are_lines({"train_file": tmp_path / "train.tsv"})
    assert "the header (lines 1-3), field 'column 2': 'note\\n1\\ta\\n2\\tb'" in check.found, check.found


def test_a_gzipped_tsv_with_a_byte_order_mark_is_read_through(tmp_path):
    text = "\ufeff" + _tsv({1: '"opened in the first row', 3: 'closed in the third"'}, rows=10)
    with gzip.open(tmp_path / "train.tsv.gz", "wt", encoding="utf-8") as handle:
        handle.write(text)
    check = check_tsv_rows_are_lines({"train_file": tmp_path / "train.tsv.gz"})
    assert (
        not check.passed and "train.tsv.gz (train_file): 2 lines" in check.found and "row 1 (lines 2-4)" in check.found
    )


def test_a_quote_opening_a_field_across_a_read_chunk_is_seen(tmp_path, monkeypatch):
    path = tmp_path / "train.tsv"
    path.write_bytes(b'id\tnote\n1\tabc\n2\t"x\n')
    for size in range(1, 20):
        monkeypatch.setattr(tsv_rows, "CHUNK_BYTES", size)
        assert opens_a_quoted_field(path), size
    path.write_bytes(b'"id"\tnote\n1\tabc\n')
    assert opens_a_quoted_field(path)
    path.write_bytes(b'id\tnote\n1\ta"b\n')
    assert not opens_a_quoted_field(path)


def test_a_quote_left_open_past_the_csv_modules_limit_is_named_and_the_limit_left_alone(tmp_path):
    """The check once raised csv.field_size_limit for the whole process: grading then scored a submission with a
    140,000-character value that `mlecurate grade` refused."""
    long_line = "7\t" + "x" * 200_000 + "\t1\n"
    (tmp_path / "train.tsv").write_text(_tsv({3: '"never closed'}, rows=6) + long_line + "8\tlast\t0\n")
    header, joined = joined_rows(tmp_path / "train.tsv")
    assert header == ["id", "note", "label"] and [(row, first, last) for row, first, last, _, _ in joined] == [
        (3, 4, 8)
    ]
    check = check_tsv_rows_are_lines({"train_file": tmp_path / "train.tsv"})
    assert "row 3 (lines 4-8): a quoted field past 131,072 characters" in check.found
    assert csv.field_size_limit() == 131_072
    (tmp_path / "long.tsv").write_text("id\tnote\n" + long_line.replace("\t1", "") + '2\t"x"\n')
    assert check_tsv_rows_are_lines({"train_file": tmp_path / "long.tsv"}).passed  # long, but one line


def test_files_that_are_no_tsv_or_absent_are_not_read(tmp_path):
    (tmp_path / "train.csv").write_text('id,note\n1,"a\tb\nc"\n', encoding="utf-8")
    check = check_tsv_rows_are_lines({"train_file": tmp_path / "train.csv", "test_file": tmp_path / "test.tsv"})
    assert check.passed and check.found == "no TSV among the recipe's files"
