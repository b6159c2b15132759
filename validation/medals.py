"""Medal thresholds from a private leaderboard, by Kaggle's progression rules, and where a score would rank.

>>> board = read_leaderboard(Path("leaderboard.csv"))
>>> thresholds = medal_thresholds(board, higher_is_better=False)

With N teams on the board, each threshold is the score at a 1-based rank (Kaggle rounds the shares down):

| teams | gold | silver | bronze |
|---|---|---|---|
| N < 100 | top 10% | top 20% | top 40% |
| 100 <= N < 250 | top 10 | top 20% | top 40% |
| 250 <= N < 1000 | top 10 + 0.2% N | top 50 | top 100 |
| N >= 1000 | top 10 + 0.2% N | top 5% | top 10% |

Ties at a threshold win the medal; ``above_median`` is strict. The direction comes from the metric (or Meta Kaggle),
and is checked against the board's own order: a board sorted the other way is rejected, never silently trusted (its
worst score would be the gold threshold). Without a known direction the board's own order decides, and the thresholds
say so (``direction_from``).

Before a board is kept (a leaderboard snapshot), :func:`check_board` also holds it to what every real Kaggle board
shows: teams ranked by score (a team never scores better than the one ranked above it; ties keep their order) and no
score better than the metric's perfect one (an AUC of 1.7) or worse than its worst (an MCC of -3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from validation.leaderboard import Leaderboard, LeaderboardError
from validation.messages import shown
from validation.metrics import SCORE_DECIMALS, Metric

PERFECT_SLACK = 1e-9  # a board's score may pass the metric's perfect or worst one by this share of it (float noise)


@dataclass(frozen=True)
class MedalThresholds:
    gold: float
    silver: float
    bronze: float
    median: float
    teams: int
    higher_is_better: bool
    direction_from: str  # what says which way is better: e.g. "the metric log_loss", or ``INFERRED_DIRECTION``


INFERRED_DIRECTION = "the board's own order (no metric known)"


def medal_positions(teams: int) -> tuple[int, int, int]:
    """1-based ranks of the last gold, silver and bronze medal for ``teams`` teams."""
    if teams < 100:
        return max(1, int(0.1 * teams)), max(1, int(0.2 * teams)), max(1, int(0.4 * teams))
    if teams < 250:
        return 10, max(1, int(0.2 * teams)), max(1, int(0.4 * teams))
    if teams < 1000:
        return 10 + int(0.002 * teams), 50, 100
    return 10 + int(0.002 * teams), max(1, int(0.05 * teams)), max(1, int(0.1 * teams))


def medal_thresholds(
    board: Leaderboard, higher_is_better: bool | None = None, direction_from: str = "the metric"
) -> MedalThresholds:
    """Thresholds for ``board``; the direction as ``direction_from`` (e.g. "the metric log_loss") gives it, else the
    board's own order. A board sorted against the given direction raises :class:`LeaderboardError` naming both."""
    order = board.order_direction()
    if higher_is_better is None:
        if order is None:
            raise LeaderboardError(
                f"{board.origin}: cannot tell the direction: its scores are all equal or in no order, and no metric "
                "is known for it (a competition's comes from Meta Kaggle, once meta_kaggle_competitions is "
                "materialised, or from the `metric` of its published split's recipe: add it to the curators' recipe "
                "and run prepare_competition)"
            )
        higher_is_better, direction_from = order, INFERRED_DIRECTION
    elif order is not None and order != higher_is_better:
        raise LeaderboardError(
            f"{board.origin}: {direction_from} says {'higher' if higher_is_better else 'lower'} is better, but the "
            f"board is sorted {'higher' if order else 'lower'} first: the board or the metric is wrong (its worst "
            "score would be the gold threshold)"
        )
    ranked = np.sort(board.scores)[::-1] if higher_is_better else np.sort(board.scores)
    gold, silver, bronze = (float(ranked[min(p, board.team_count) - 1]) for p in medal_positions(board.team_count))
    return MedalThresholds(
        gold, silver, bronze, float(np.median(board.scores)), board.team_count, higher_is_better, direction_from
    )


@dataclass(frozen=True)
class Placement:
    gold_medal: bool
    silver_medal: bool
    bronze_medal: bool
    above_median: bool
    rank: int  # where the score would have ranked: 1 + teams strictly better
    percentile: float  # share of teams (0-100) this score equals or beats

    @property
    def any_medal(self) -> bool:
        return self.gold_medal or self.silver_medal or self.bronze_medal


def place(score: float, board: Leaderboard, thresholds: MedalThresholds) -> Placement:
    better = (lambda a, b: a >= b) if thresholds.higher_is_better else (lambda a, b: a <= b)
    strictly = board.scores > score if thresholds.higher_is_better else board.scores < score
    gold = better(score, thresholds.gold)
    silver = better(score, thresholds.silver) and not gold
    bronze = better(score, thresholds.bronze) and not (gold or silver)
    above = score > thresholds.median if thresholds.higher_is_better else score < thresholds.median
    rank = int(strictly.sum()) + 1
    return Placement(
        gold, silver, bronze, above, rank, round(100 * (board.team_count - int(strictly.sum())) / board.team_count, 2)
    )


def check_board(
    board: Leaderboard,
    higher_is_better: bool,
    direction_from: str,
    metric: Metric | None = None,
    decimals: int | None = None,
) -> None:
    """Raise :class:`LeaderboardError` when the board cannot be a ranking under its competition's direction: a team
    scoring better than a team ranked above it (the rows or the scores are damaged, and the ranks a snapshot keeps
    would be wrong), or, given the ``metric``, a score better than its perfect one or worse than its worst (an AUC
    below 0, a correlation below -1). Every one of MLE-bench's 81 real boards passes.

    Kaggle ranks scores cut to the competition's ``decimals`` (Meta Kaggle's ScoreTruncationNumDecimals; unknown:
    ``SCORE_DECIMALS``) and breaks ties by submission time, so a team may outscore the one above it by less than one
    unit of the last decimal; teams sharing a rank may come in any order."""
    tolerance = 10.0 ** -(decimals if decimals is not None else SCORE_DECIMALS)
    teams = board.teams.sort_values(["rank", "score"], ascending=[True, not higher_is_better], kind="stable")
    scores = teams["score"].to_numpy(dtype=float)
    steps = np.diff(scores)
    climbs = steps > tolerance if higher_is_better else steps < -tolerance
    if climbs.any():
        below = int(np.flatnonzero(climbs)[0]) + 1
        above = below - 1
        raise LeaderboardError(
            f"{board.origin}: team {shown(teams['team_id'].iloc[below])} at rank {teams['rank'].iloc[below]} scores "
            f"{float(scores[below])!r}, better than team {shown(teams['team_id'].iloc[above])} at rank "
            f"{teams['rank'].iloc[above]} ({float(scores[above])!r}), though {direction_from} says "
            f"{'higher' if higher_is_better else 'lower'} is better; {int(climbs.sum())} team(s) score better than a "
            "team ranked above them. A leaderboard ranks teams by score, so the board's rows or scores are damaged: "
            "fetch it again, and if its source keeps serving it so, check the competition's direction"
        )
    if metric is None or metric.higher_is_better != higher_is_better:
        return
    sign = 1.0 if higher_is_better else -1.0  # scores times sign: higher is better
    for bound, past, what in (
        (metric.perfect, 1.0, "better than a perfect"),
        (metric.worst, -1.0, "worse than the worst"),
    ):
        if bound is None:
            continue
        slack = PERFECT_SLACK * max(1.0, abs(bound))
        beyond = past * sign * (scores - bound) > slack
        if beyond.any():
            first = int(np.flatnonzero(beyond)[0])
            raise LeaderboardError(
                f"{board.origin}: team {shown(teams['team_id'].iloc[first])} at rank {teams['rank'].iloc[first]} "
                f"scores {float(scores[first])!r}, {what} {metric.name} ({bound:g}), as {int(beyond.sum())} team(s) "
                "do: the board is not scored by this metric (is the competition's metric right?) or its scores are "
                "damaged"
            )
