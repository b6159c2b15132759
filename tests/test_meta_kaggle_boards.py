"""The Meta Kaggle leaderboard rebuild (``rebuild_from_meta_kaggle``) read through DuckDB: the same boards as the
pandas route it replaced, its errors, and its Parquet cache. That peak memory stays bounded at full size is a figure
of ``bench/leaderboard_benchmark.py``, not a test."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd
import pytest

from curation.meta_kaggle_boards import read_board_rows
from curation.sources.folder import FolderSource, rebuild_from_meta_kaggle
from validation.leaderboard import LeaderboardError, leaderboard_from_frame

TEAM_HEADER = [
    "Id", "CompetitionId", "TeamLeaderId", "TeamName", "ScoreFirstSubmittedDate", "LastSubmissionDate",
    "PublicLeaderboardSubmissionId", "PrivateLeaderboardSubmissionId", "IsBenchmark", "Medal", "MedalAwardDate",
    "PublicLeaderboardRank", "PrivateLeaderboardRank", "WriteUpForumTopicId",
]  # fmt: skip
SUBMISSION_HEADER = [
    "Id", "SubmittedUserId", "TeamId", "SourceKernelVersionId", "SubmissionDate", "ScoreDate", "IsAfterDeadline",
    "PublicScoreLeaderboardDisplay", "PublicScoreFullPrecision", "PrivateScoreLeaderboardDisplay",
    "PrivateScoreFullPrecision",
]  # fmt: skip


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    """As Meta Kaggle writes its tables: every field quoted."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows({name: row.get(name, "") for name in header} for row in rows)


def _tables(folder: Path, competitions=(77, 88, 99), teams_each=40) -> None:
    """Three competitions; in each, a benchmark team, teams never scored (no submission, no rank), a removed team
    (submissions but no rank), a tie in rank; several submissions per team, a few after the deadline."""
    teams, submissions, next_submission = [], [], 1000
    for c, competition in enumerate(competitions):
        for k in range(teams_each):
            team_id = 1 + c * 1000 + k * 7 % teams_each  # interleaved ids: the file is not in id order
            count = 0 if k % 9 == 4 else 1 + k % 5
            ids = [str(next_submission + j) for j in range(count)]
            next_submission += count
            for j, sub in enumerate(ids):
                submissions.append({
                    "Id": sub, "SubmittedUserId": str(500 + k), "TeamId": str(team_id),
                    "SubmissionDate": f"0{1 + j}/1{k % 10}/2021", "ScoreDate": f"0{1 + j}/1{k % 10}/2021",
                    "IsAfterDeadline": "True" if j == 3 else "False",
                    "PublicScoreFullPrecision": f"0.{900 - k}{j}", "PrivateScoreFullPrecision": f"0.{950 - k}{j}",
                })  # fmt: skip
            ranked = count > 0 and k % 13 != 6
            teams.append({
                "Id": str(team_id), "CompetitionId": str(competition), "TeamLeaderId": str(500 + k),
                "TeamName": f"team, \"{k}\"", "ScoreFirstSubmittedDate": "03/01/2021 10:00:00" if count else "",
                "PrivateLeaderboardSubmissionId": ids[-1] if ids else "",
                "PublicLeaderboardSubmissionId": ids[0] if ids else "",
                "IsBenchmark": "True" if k == 0 else "False",
                "PrivateLeaderboardRank": str(min(k, 20) if k != 11 else 10) if ranked else "",
                "Medal": "1" if k == 1 else "",
            })  # fmt: skip
    _write(folder / "Teams.csv", TEAM_HEADER, teams)
    _write(folder / "Submissions.csv", SUBMISSION_HEADER, submissions)


def _pandas_route(folder: Path, competition_id: int):
    """The rebuild as it was before DuckDB: both tables read whole with pandas."""
    teams = pd.read_csv(folder / "Teams.csv", dtype=str, keep_default_na=False)
    submissions = pd.read_csv(folder / "Submissions.csv", dtype=str, keep_default_na=False)
    mine = teams[teams["CompetitionId"] == str(competition_id)]
    mine = mine[mine["IsBenchmark"] != "True"]
    mine = mine[mine["PrivateLeaderboardRank"].str.strip() != ""]
    joined = mine.merge(submissions, left_on="PrivateLeaderboardSubmissionId", right_on="Id", suffixes=("", "_s"))
    board = pd.DataFrame({"rank": joined["PrivateLeaderboardRank"], "teamid": joined["Id"],
                          "score": joined["PrivateScoreFullPrecision"], "submissiondate": joined["SubmissionDate"]})  # fmt: skip
    return leaderboard_from_frame(board, f"{folder / 'Teams.csv'} (competition {competition_id})")


@pytest.mark.parametrize("competition", [77, 88, 99])
@pytest.mark.parametrize("cached", [False, True])
def test_rebuild_gives_the_pandas_route_board(tmp_path, competition, cached):
    _tables(tmp_path)
    cache = tmp_path / "cache" if cached else None
    expected = _pandas_route(tmp_path, competition)
    for _ in range(2 if cached else 1):  # cached: the run that writes the copies, then one that reads them
        board = rebuild_from_meta_kaggle(tmp_path, competition, cache)
        pd.testing.assert_frame_equal(board.teams, expected.teams)
        assert board.origin == expected.origin
    assert board.team_count == 40 - 1 - 4 - 3  # less the benchmark, the 4 never scored, the 3 removed


def test_benchmark_and_unranked_teams_are_left_out(tmp_path):
    _tables(tmp_path)
    rows = read_board_rows(tmp_path, 77)
    assert len(rows.teams) == 40 and (rows.teams["IsBenchmark"] == "True").sum() == 1  # read: the caller decides
    board = rebuild_from_meta_kaggle(tmp_path, 77)
    benchmark = rows.teams.loc[rows.teams["IsBenchmark"] == "True", "Id"].item()
    unranked = set(rows.teams.loc[rows.teams["PrivateLeaderboardRank"] == "", "Id"])
    assert len(unranked) == 7 and benchmark not in set(board.teams["team_id"])
    assert not unranked & set(board.teams["team_id"])
    assert board.teams["rank"].tolist() == sorted(board.teams["rank"])
    assert board.teams["submission_date"].str.match(r"\d\d/\d\d/\d{4}$").all()  # Meta Kaggle's day-only dates


def test_rebuild_reads_values_exactly_as_written(tmp_path):
    """Text stays text: an id with a leading zero, a score's every digit (parsed as pandas parses it, as before), an
    unquoted empty field."""
    (tmp_path / "Teams.csv").write_text(
        "Id,CompetitionId,PrivateLeaderboardSubmissionId,PrivateLeaderboardRank,IsBenchmark\n"
        '"007","77","0011","1",\n"8","77","12"," 2","False"\n"9","770","13","1","False"\n'
    )
    (tmp_path / "Submissions.csv").write_text(
        'Id,PrivateScoreFullPrecision\n"0011","0.12345678901234567"\n"11","0.5"\n"12","1e-3"\n"13","0.9"\n'
    )
    board = rebuild_from_meta_kaggle(tmp_path, 77)
    assert board.teams[["rank", "team_id", "score"]].values.tolist() == [[1, "007", pd.to_numeric("0.12345678901234567")],
                                                                          [2, "8", 0.001]]  # fmt: skip
    assert board.teams["submission_date"].tolist() == ["", ""]  # no SubmissionDate column: empty, as before


@pytest.mark.parametrize(
    ("file", "header", "missing"),
    [
        ("Teams.csv", "Id,CompetitionId,PrivateLeaderboardRank", "PrivateLeaderboardSubmissionId"),
        ("Teams.csv", "Id,competitionid,PrivateLeaderboardSubmissionId", "CompetitionId, PrivateLeaderboardRank"),
        ("Submissions.csv", "Id,PublicScoreFullPrecision", "PrivateScoreFullPrecision"),
    ],
)
def test_a_missing_column_names_the_file_and_the_column(tmp_path, file, header, missing):
    _tables(tmp_path)
    (tmp_path / file).write_text(header + "\n")
    with pytest.raises(LeaderboardError) as caught:
        rebuild_from_meta_kaggle(tmp_path, 77)
    assert str(caught.value) == f"{tmp_path / file}: column(s) {missing} missing"


@pytest.mark.parametrize("cached", [False, True])
@pytest.mark.parametrize(
    ("file", "line", "damage", "found"),
    [
        ("Submissions.csv", 40, '"123","9"\n', "line 40: Expected Number of Columns: 11 Found: 2"),
        ("Submissions.csv", 90, '"124","9","1","","01/02/2021","01/02/2021","False","0.5","0.5","0.5","0.5\n',
         "line 90: Value with unterminated quote found (the file looks truncated"),
        ("Teams.csv", 30, '"1","77","2","\xff"\n', "line 30: Expected Number of Columns: 14 Found: 4"),
    ],
)  # fmt: skip
def test_a_damaged_table_names_the_file_and_the_competition(tmp_path, cached, file, line, damage, found):
    """Damage far from the header (a cut line, a row cut short), found by the scan that reads the file."""
    _tables(tmp_path)
    lines = (tmp_path / file).read_text().splitlines(keepends=True)
    (tmp_path / file).write_text(
        "".join(lines[: line - 1]) + damage + ("".join(lines[line:]) if "0.5\n" not in damage else "")
    )
    with pytest.raises(LeaderboardError) as caught:
        rebuild_from_meta_kaggle(tmp_path, 77, tmp_path / "cache" if cached else None)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / file}: cannot read it to rebuild competition 77's leaderboard: {found}")
    if cached:  # nothing half-written left behind, no copy of the damaged table
        assert (
            [p.name.split("-")[0] for p in (tmp_path / "cache").iterdir()] == [] if file == "Teams.csv" else ["Teams"]
        )


def test_a_damaged_table_is_named_before_a_missing_column(tmp_path):
    """A file both cut short and without the columns (a cut header) is reported as damaged, as pandas did."""
    _tables(tmp_path)
    (tmp_path / "Teams.csv").write_bytes(b'Id,CompetitionId\n"1","77"\n"2","7\n')
    with pytest.raises(LeaderboardError, match="Teams.csv: cannot read it to rebuild competition 77's leaderboard: "
                                               "line 3: Value with unterminated quote"):  # fmt: skip
        rebuild_from_meta_kaggle(tmp_path, 77)


def test_the_cache_is_written_once_and_replaced_when_the_dump_changes(tmp_path):
    (tmp_path / "dump").mkdir()
    _tables(tmp_path / "dump")
    cache = tmp_path / "cache"
    first = rebuild_from_meta_kaggle(tmp_path / "dump", 77, cache)
    copies = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.parquet")}
    assert sorted(name.split("-")[0] for name in copies) == ["Submissions", "Teams"]
    assert rebuild_from_meta_kaggle(tmp_path / "dump", 88, cache).team_count == first.team_count
    assert {p.name: p.stat().st_mtime_ns for p in cache.glob("*.parquet")} == copies  # read, not rewritten
    assert not list(cache.glob(".*"))  # no temporary file left
    submissions = tmp_path / "dump" / "Submissions.csv"
    frame = pd.read_csv(submissions, dtype=str, keep_default_na=False)
    frame["PrivateScoreFullPrecision"] = "0.25"
    frame.to_csv(submissions, index=False, quoting=csv.QUOTE_ALL)
    os.utime(submissions, ns=(1, 1))  # a new dump: whatever its time, a new size or time is a new copy
    assert set(rebuild_from_meta_kaggle(tmp_path / "dump", 77, cache).scores) == {0.25}
    names = sorted(p.name for p in cache.glob("*.parquet"))
    assert len(names) == 2 and [n for n in names if n.startswith("Teams")][0] in copies  # the old copy removed


def test_a_folder_source_keeps_its_cache_where_it_is_told_and_nothing_beside_the_dump(tmp_path):
    _tables(tmp_path)
    (tmp_path / "Competitions.csv").write_text('"Id","Slug"\n"77","seventy-seven"\n')
    before = sorted(p.name for p in tmp_path.iterdir())
    fetched = FolderSource(tmp_path).leaderboard("seventy-seven", tmp_path / "work")
    assert fetched.source == "meta-kaggle" and fetched.board.teams.equals(_pandas_route(tmp_path, 77).teams)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "work") == before  # the user's dump untouched
    elsewhere = FolderSource(tmp_path, boards_cache=tmp_path / "elsewhere").leaderboard("seventy-seven", tmp_path)
    assert elsewhere.board.teams.equals(fetched.board.teams)
    assert len(list((tmp_path / "elsewhere").glob("*.parquet"))) == 2


def test_a_same_size_dump_with_its_old_mtime_is_read_again(tmp_path):
    """cp -p, rsync -t or an unpacked archive keeps the modification time: the copy is still not trusted."""
    (tmp_path / "dump").mkdir()
    _tables(tmp_path / "dump")
    cache = tmp_path / "cache"
    before = rebuild_from_meta_kaggle(tmp_path / "dump", 77, cache)
    submissions = tmp_path / "dump" / "Submissions.csv"
    status = submissions.stat()
    lines = submissions.read_bytes().split(b"\n")
    column = lines[0].decode().strip().split(",").index('"PrivateScoreFullPrecision"')
    for i, line in enumerate(lines[1:], start=1):  # every score's digits 1 and 2 swapped: the same size
        fields = line.split(b",")
        if len(fields) > column:
            fields[column] = fields[column].translate(bytes.maketrans(b"12", b"21"))
            lines[i] = b",".join(fields)
    replacement = tmp_path / "Submissions.csv"
    replacement.write_bytes(b"\n".join(lines))
    os.replace(replacement, submissions)
    os.utime(submissions, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert submissions.stat().st_size == status.st_size and submissions.stat().st_mtime_ns == status.st_mtime_ns
    after = rebuild_from_meta_kaggle(tmp_path / "dump", 77, cache)
    assert list(after.scores) == list(_pandas_route(tmp_path / "dump", 77).scores)
    assert list(after.scores) != list(before.scores)  # the new dump's scores, not the cached copy's


def test_a_damaged_copy_is_made_again(tmp_path):
    (tmp_path / "dump").mkdir()
    _tables(tmp_path / "dump")
    cache = tmp_path / "cache"
    expected = rebuild_from_meta_kaggle(tmp_path / "dump", 77, cache)
    for copy in cache.glob("*.parquet"):
        copy.write_bytes(copy.read_bytes()[: len(copy.read_bytes()) // 2])  # cut short, as a crash might leave it
    assert rebuild_from_meta_kaggle(tmp_path / "dump", 77, cache).teams.equals(expected.teams)
    assert rebuild_from_meta_kaggle(tmp_path / "dump", 77, cache).teams.equals(expected.teams)
