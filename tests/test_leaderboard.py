"""The one leaderboard type and parser: Kaggle's download, MLE-bench's leaderboard.csv, the Meta Kaggle rebuild."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import SHARED
from validation.leaderboard import (
    Leaderboard,
    LeaderboardError,
    leaderboard_from_frame,
    parse_leaderboard,
    read_leaderboard,
)

BOARDS = SHARED / "mle-bench" / "competitions"
SPOOKY = BOARDS / "spooky-author-identification" / "leaderboard.csv"
KAGGLE = "TeamId,TeamName,SubmissionDate,Score\n5,a,2020-01-01 00:00:00,0.9\n6,b,2020-01-02 00:00:00,0.8\n"


def test_mlebench_board():
    board = read_leaderboard(SPOOKY)
    assert board.origin == str(SPOOKY) and board.team_count == 1242
    assert list(board.teams.columns) == ["rank", "team_id", "score", "submission_date"]
    assert [str(t) for t in board.teams.dtypes] == ["int64", "object", "float64", "object"]
    assert board.teams.iloc[0].tolist() == [1, "1089960", 0.02467, "2017-12-13 04:17:16"]
    assert board.scores[:2].tolist() == [0.02467, 0.02593] and board.order_direction() is False
    # Snapshot history compares these: the algorithm (and so this value) must never change.
    assert board.content_hash() == "3237b14a2d71503e"


def test_kaggle_download_csv_and_zip():
    board = parse_leaderboard(KAGGLE.encode(), "download")
    assert board.teams.values.tolist() == [[1, "5", 0.9, "2020-01-01 00:00:00"], [2, "6", 0.8, "2020-01-02 00:00:00"]]
    assert board.content_hash() == "716653513906cfd3" and board.order_direction() is True
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("titanic-publicleaderboard.csv", KAGGLE)
    zipped = parse_leaderboard(buffer.getvalue(), "zipped download")
    assert zipped.teams.equals(board.teams)


def test_meta_kaggle_rebuild_frame_keeps_its_ranks():
    frame = pd.DataFrame(
        {"rank": ["2", "1"], "teamid": ["1", "2"], "score": ["0.71", "0.93"], "submissiondate": ["", ""]}
    )
    board = leaderboard_from_frame(frame, "Teams.csv (competition 77)")
    assert board.teams[["rank", "team_id", "score"]].values.tolist() == [[1, "2", 0.93], [2, "1", 0.71]]
    assert board.content_hash() == "9a1a6f3394129e06"


def test_from_scores_and_a_board_without_team_ids():
    board = Leaderboard.from_scores([3.0, 2.0, 1.0], "hand-made")
    assert board.teams["team_id"].tolist() == ["1", "2", "3"] and board.teams["rank"].tolist() == [1, 2, 3]
    assert board.team_count == 3 and board.scores.tolist() == [3.0, 2.0, 1.0]
    bare = parse_leaderboard(b"score\n0.5\n0.4\n", "bare")  # no team ids: each row its own team, by position
    assert bare.teams["team_id"].tolist() == ["1", "2"]
    assert np.isnan(np.array(bare.teams["submission_date"].tolist(), dtype=float)).all()


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name in names:
            bundle.writestr(name, KAGGLE)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"teamId,points\n1,0.5\n", "board.csv: no score column (found teamId, points)"),
        (b"teamId,score\n1,0.5\n2,abc\n", "board.csv: line 3: score 'abc' is not a number"),
        (b"teamId,score\n1,0.5\n1,0.4\n", "board.csv: team id(s) 1 appear more than once (first repeat on line 3)"),
        (b"", "board.csv: not a leaderboard CSV"),
        (b"teamId,score\n", "board.csv: the leaderboard has no teams"),
        (b"rank,teamId,score\n1,a,0.5\nfirst,b,0.4\n", "board.csv: line 3: rank 'first' is not a whole number"),
        (b"teamId,TeamID,score\n1,2,0.5\n", "board.csv: columns teamId, TeamID all name the team_id"),
        (_zip(["a.csv", "b.csv"]), "board.csv: expected one CSV in the zip, found ['a.csv', 'b.csv']"),
        (_zip(["readme.txt"]), "board.csv: expected one CSV in the zip, found none"),
        (b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n",
         "board.csv: a Git LFS pointer, not the leaderboard: fetch the file"),  # sweep 179: MLE-bench's own boards
    ],
    ids=["no-score", "non-numeric", "duplicate-team", "empty", "no-rows", "bad-rank", "two-id-columns", "two-csvs",
         "no-csv", "lfs-pointer"],
)  # fmt: skip
def test_malformed_boards_name_origin_line_and_problem(data, expected):
    with pytest.raises(LeaderboardError) as error:
        parse_leaderboard(data, "board.csv")
    assert str(error.value).startswith(expected), str(error.value)


def test_an_unreadable_file_names_its_path(tmp_path):
    with pytest.raises(LeaderboardError, match=f"{tmp_path / 'nope.csv'}: cannot be read"):
        read_leaderboard(tmp_path / "nope.csv")
    path = tmp_path / "board.csv"
    path.write_text("teamId,score\n1,high\n")
    with pytest.raises(LeaderboardError, match="boards/titanic: line 2: score 'high' is not a number"):
        read_leaderboard(path, origin="boards/titanic")
    assert isinstance(LeaderboardError("x"), ValueError)


def test_every_real_board_parses_in_rank_order():
    paths = sorted(BOARDS.glob("*/leaderboard.csv"))
    assert len(paths) == 81
    for path in paths:
        board = read_leaderboard(Path(path))
        assert board.teams["rank"].tolist() == list(range(1, board.team_count + 1)), path
        assert board.order_direction() is not None, path


@pytest.mark.parametrize("metric", ["auc", "rmse"])
def test_a_board_with_rows_out_of_score_order_is_exported_sorted_and_mlebench_agrees(monkeypatch, metric):
    """MLE-bench takes medal thresholds from row positions: with two rows of a 100-team board swapped (a hand-edited
    file), it gave gold at 0.70 AUC; the export writes the board best score first, so its thresholds are mlecurate's."""
    from curation.benchmark_export import _mlebench_board
    from validation.medals import medal_thresholds
    from validation.metrics import METRICS

    monkeypatch.syspath_prepend(str(SHARED.parent / "tools" / "mle-bench"))
    from mlebench.grade_helpers import Grader

    higher = METRICS[metric].higher_is_better
    scores = np.linspace(0.95, 0.60, 100) if higher else np.linspace(0.10, 0.90, 100)
    rows = scores.copy()
    rows[[9, 89]] = rows[[89, 9]]  # the 10th (gold's position) and 90th rows swapped
    board = leaderboard_from_frame(pd.DataFrame({"teamId": [str(i) for i in range(100)], "score": rows}), "hand")
    exported = _mlebench_board(board, metric)
    assert exported["score"].tolist() == sorted(rows, reverse=higher)
    ours = medal_thresholds(board, higher)
    theirs = Grader(metric, "mlebench.utils:get_logger").rank_score(float(scores[50]), exported)
    assert (theirs["gold_threshold"], theirs["silver_threshold"], theirs["bronze_threshold"]) == (
        ours.gold,
        ours.silver,
        ours.bronze,
    )
    assert not theirs["gold_medal"]


def test_a_board_sorted_against_the_metric_is_exported_as_it_is_with_a_warning():
    """Sorting it would hide what the warning says: the board or the metric is wrong."""
    from curation.benchmark_export import _direction_warnings, _mlebench_board

    board = leaderboard_from_frame(pd.DataFrame({"score": np.linspace(0.9, 0.1, 20)}), "higher first")
    assert _mlebench_board(board, "rmse")["score"].tolist() == board.scores.tolist()
    assert _direction_warnings(board, "rmse")[0].startswith("MLE-bench reads this board as higher is better")
