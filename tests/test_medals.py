"""Medal thresholds by Kaggle's progression rules, on all 81 real MLE-bench leaderboards."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from tests.conftest import DUMPS, SHARED
from validation.leaderboard import Leaderboard, LeaderboardError, read_leaderboard
from validation.medals import medal_positions, medal_thresholds, place

BOARDS = sorted((SHARED / "mle-bench" / "competitions").glob("*/leaderboard.csv"))


def test_there_are_81_real_boards():
    assert len(BOARDS) == 81


@pytest.mark.parametrize(
    "teams, expected",
    [(10, (1, 2, 4)), (99, (9, 19, 39)), (100, (10, 20, 40)), (249, (10, 49, 99)), (250, (10, 50, 100)),
     (999, (11, 50, 100)), (1000, (12, 50, 100)), (4539, (19, 226, 453)), (1, (1, 1, 1))],
)  # fmt: skip
def test_medal_positions_follow_the_progression_rules(teams, expected):
    assert medal_positions(teams) == expected


@pytest.fixture(scope="module")
def is_max_by_slug() -> dict:
    with duckdb.connect() as con:
        rows = con.execute(
            f"SELECT Slug, EvaluationAlgorithmIsMax FROM read_csv('{DUMPS['2024-03']}', all_varchar=true)"
        ).fetchall()
    return {slug: value == "True" for slug, value in rows if value}


@pytest.mark.parametrize("path", BOARDS, ids=[p.parent.name for p in BOARDS])
def test_every_real_board(path, is_max_by_slug):
    board = read_leaderboard(path)
    direction = board.order_direction()
    assert direction is not None
    slug = path.parent.name
    if slug in is_max_by_slug:  # the board's own order agrees with Meta Kaggle's EvaluationAlgorithmIsMax
        assert direction == is_max_by_slug[slug]
    thresholds = medal_thresholds(board, direction)
    assert thresholds.direction_from == "the metric"
    gold, silver, bronze = medal_positions(board.team_count)
    # Each threshold is the score at its rank on the board as Kaggle sorted it.
    assert (thresholds.gold, thresholds.silver, thresholds.bronze) == tuple(
        board.scores[[gold - 1, silver - 1, bronze - 1]]
    )
    better = np.greater_equal if direction else np.less_equal
    assert better(thresholds.gold, thresholds.silver) and better(thresholds.silver, thresholds.bronze)
    assert place(board.scores[0], board, thresholds).gold_medal  # the winner wins gold
    last = place(board.scores[-1], board, thresholds)
    assert not last.any_medal or board.team_count < 3
    assert last.rank <= board.team_count and place(board.scores[0], board, thresholds).rank == 1


def test_ties_at_a_threshold_win_and_above_median_is_strict():
    board = Leaderboard.from_scores(np.array([10.0, 9, 8, 8, 7, 6, 5, 4, 3, 2]), "test")
    thresholds = medal_thresholds(board, True)
    assert (thresholds.gold, thresholds.silver, thresholds.bronze, thresholds.median) == (10.0, 9.0, 8.0, 6.5)
    assert place(8.0, board, thresholds).bronze_medal
    assert not place(6.5, board, thresholds).above_median and place(6.6, board, thresholds).above_median
    assert place(8.0, board, thresholds).rank == 3 and place(8.0, board, thresholds).percentile == 80.0


def test_a_board_sorted_against_the_metric_is_rejected():
    board = Leaderboard.from_scores(np.array([1.0, 2.0, 3.0]), "board.csv")
    with pytest.raises(
        LeaderboardError, match="board.csv: the metric says higher is better, but the board is sorted lower first"
    ):
        medal_thresholds(board, True)


def test_thresholds_need_a_direction_from_the_metric_or_the_board():
    flat = Leaderboard.from_scores([0.5, 0.5, 0.5], "flat.csv")
    with pytest.raises(LeaderboardError, match="flat.csv: cannot tell the direction: its scores are all equal or in "
                       "no order, and no metric is known for it"):  # fmt: skip
        medal_thresholds(flat)
    assert medal_thresholds(flat, True).teams == 3


@pytest.mark.parametrize("content, expected", [
    ("teamId,points\n1,3\n", "no score column"), ("teamId,score\n1,abc\n", "line 2: score 'abc' is not a number"),
    ("teamId,score\n", "has no teams"), ("", "not a leaderboard CSV"),
])  # fmt: skip
def test_malformed_boards_are_named(tmp_path, content, expected):
    path = tmp_path / "leaderboard.csv"
    path.write_text(content)
    with pytest.raises(LeaderboardError, match=f"{path}: .*{expected}"):
        read_leaderboard(path)
