"""Reading and typing Competitions.csv: every real dump, and bad files that must fail clearly."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from curation.meta_kaggle import COLUMNS, MetaKaggleError, read_competitions
from tests.conftest import DUMPS

EXPECTED_ROWS = {"2024-03": 5669, "2023-09": 5616, "2022-03": 5212}


@pytest.mark.parametrize("dump", sorted(DUMPS))
def test_every_dump_reads_into_the_same_schema(dump):
    parsed = read_competitions(DUMPS[dump])
    assert parsed.table.num_rows == EXPECTED_ROWS[dump]
    names = parsed.table.column_names
    assert names[:5] == ["id", "slug", "title", "subtitle", "host_segment_title"]
    assert set(names) == {c.name for c in COLUMNS} | {"host_segment"}
    assert len(parsed.dump_columns) == 42
    assert parsed.extra_columns == ()


def test_column_set_differences_between_dumps_are_recorded():
    new = read_competitions(DUMPS["2024-03"])
    old = read_competitions(DUMPS["2022-03"])
    assert "LeaderboardDisplayFormat" in new.missing_optional
    assert "ScoreTruncationNumDecimals" in old.missing_optional
    assert new.table.column("score_truncation_num_decimals").null_count < new.table.num_rows
    assert old.table.column("leaderboard_display_format").null_count < old.table.num_rows


def test_inclass_is_the_old_name_of_community():
    old = read_competitions(DUMPS["2022-03"]).table.to_pandas()
    assert (old["host_segment_title"] == "InClass").sum() == 4749
    assert (old["host_segment"] == "Community").sum() == 4749
    assert "InClass" not in set(old["host_segment"])


def test_values_are_typed(real_competitions):
    frame = real_competitions.table.to_pandas()
    row = frame.set_index("slug").loc["Eurovision2010"]
    assert row["id"] == 2408
    assert row["enabled_date"] == dt.datetime(2010, 4, 7, 7, 57, 43)
    assert row["has_leaderboard"] is False or row["has_leaderboard"] == False  # noqa: E712 (numpy bool)
    assert row["reward_quantity"] == 1000.0
    assert str(frame["deadline_date"].dtype).startswith("datetime64")
    assert frame["total_teams"].dtype.kind == "i"


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _real_rows(count: int) -> tuple[list[str], list[list[str]]]:
    with open(DUMPS["2024-03"], newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, [next(reader) for _ in range(count)]


def test_truncated_file_names_the_file_and_line(tmp_path):
    data = DUMPS["2024-03"].read_bytes()
    cut = tmp_path / "Competitions.csv"
    cut.write_bytes(data[:100_000])
    with pytest.raises(MetaKaggleError) as error:
        read_competitions(cut)
    message = str(error.value)
    assert str(cut) in message and "line 188" in message and "truncated" in message


def test_missing_required_column_is_named(tmp_path):
    header, rows = _real_rows(3)
    drop = header.index("HostSegmentTitle")
    path = _write(tmp_path / "c.csv", header[:drop] + header[drop + 1 :], [r[:drop] + r[drop + 1 :] for r in rows])
    with pytest.raises(MetaKaggleError, match=r"c\.csv: required column\(s\) HostSegmentTitle missing"):
        read_competitions(path)


def test_unparseable_date_names_column_row_and_slug(tmp_path):
    header, rows = _real_rows(4)
    rows[2][header.index("DeadlineDate")] = "2012-31-02"
    path = _write(tmp_path / "c.csv", header, rows)
    with pytest.raises(MetaKaggleError) as error:
        read_competitions(path)
    message = str(error.value)
    assert "column DeadlineDate is not a date like MM/DD/YYYY HH:MM:SS" in message
    assert f"row 3 (slug {rows[2][1]!r}) has '2012-31-02'" in message


def test_bad_boolean_and_number_are_reported_together(tmp_path):
    header, rows = _real_rows(3)
    rows[0][header.index("HasLeaderboard")] = "yes"
    rows[1][header.index("TotalTeams")] = "many"
    path = _write(tmp_path / "c.csv", header, rows)
    with pytest.raises(MetaKaggleError) as error:
        read_competitions(path)
    assert "column HasLeaderboard is not True or False" in str(error.value)
    assert "column TotalTeams is not a whole number" in str(error.value)


def test_empty_slug_is_an_error(tmp_path):
    header, rows = _real_rows(2)
    rows[1][1] = ""
    with pytest.raises(MetaKaggleError, match="column Slug is empty in 1 row"):
        read_competitions(_write(tmp_path / "c.csv", header, rows))


@pytest.mark.parametrize("content, expected", [(b"", "the file is empty"), (b'"Id","Slug"\r\n', "required column")])
def test_empty_or_headless_files(tmp_path, content, expected):
    path = tmp_path / "Competitions.csv"
    path.write_bytes(content)
    with pytest.raises(MetaKaggleError, match=expected):
        read_competitions(path)


def test_header_only_file_has_no_competitions(tmp_path):
    header, _ = _real_rows(0)
    with pytest.raises(MetaKaggleError, match="header but no competitions"):
        read_competitions(_write(tmp_path / "c.csv", header, []))


def test_unknown_columns_are_kept_as_text(tmp_path):
    header, rows = _real_rows(2)
    path = _write(tmp_path / "c.csv", [*header, "Overview", "SomethingNew"], [[*r, "text", "42"] for r in rows])
    parsed = read_competitions(path)
    assert parsed.extra_columns == ("SomethingNew",)
    assert parsed.table.column("something_new").to_pylist() == ["42", "42"]
    assert parsed.table.column("overview").to_pylist() == ["text", "text"]


@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf", "lf"])
@pytest.mark.parametrize("quoting", [csv.QUOTE_ALL, csv.QUOTE_MINIMAL], ids=["quote-all", "quote-minimal"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8"], ids=["bom", "no-bom"])
def test_a_spreadsheet_saved_dump_reads_like_the_original(tmp_path, real_competitions, newline, quoting, encoding):
    """Re-saved by a spreadsheet program: a UTF-8 byte-order mark, either line ending, quotes only where needed."""
    header, rows = _real_rows(300)
    path = tmp_path / "Competitions.csv"
    with open(path, "w", newline="", encoding=encoding) as handle:
        csv.writer(handle, quoting=quoting, lineterminator=newline).writerows([header, *rows])
    saved = path.read_bytes()
    assert saved.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    assert saved.split(b"CompetitionTypeId", 1)[1].lstrip(b'"').startswith(newline.encode())  # the header's ending
    parsed = read_competitions(path)
    assert parsed.dump_columns[0] == "Id" and parsed.dump_columns == real_competitions.dump_columns
    assert parsed.table.equals(real_competitions.table.slice(0, 300))
