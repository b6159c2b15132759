"""Import MLE-bench's leaderboards (``<competitions>/<slug>/leaderboard.csv``) into the leaderboard history.

>>> done = import_mlebench_leaderboards(Path("mle-bench/competitions"), root, warehouse.metric_directions())
>>> done.statuses, done.rejected, done.inferred
({'new': 81}, [], ['learning-agency-lab-automated-essay-scoring-2', ...])

Each board becomes a snapshot from source ``mle-bench`` (``curation.leaderboard_history.record_snapshot``); a board
whose content has not changed is recorded as ``unchanged``, without a new copy. A malformed board, or one that is no
ranking under its competition's direction (``validation.medals.check_board``), is recorded as ``rejected`` in its
history (naming the file and line) and the import goes on with the next: one bad board never blocks the others.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from curation.leaderboard_history import (
    HistoryError,
    known_direction,
    known_metric,
    published_recipe,
    record_rejection,
    record_snapshot,
)
from curation.sources.folder import BOARD_FILE
from validation.data_root import DataRoot, SlugError
from validation.leaderboard import LeaderboardError, read_leaderboard
from validation.medals import INFERRED_DIRECTION

SOURCE = "mle-bench"


@dataclass
class LeaderboardImport:
    statuses: dict[str, int] = field(default_factory=dict)  # how many boards ended in each status
    rejected: list[str] = field(default_factory=list)  # why each rejected board was, naming its file
    inferred: list[str] = field(default_factory=list)  # slugs whose direction only their board's order gave


def import_mlebench_leaderboards(folder: Path, root: DataRoot, directions: dict[str, bool]) -> LeaderboardImport:
    """Record every ``folder/<slug>/leaderboard.csv`` as a snapshot, in slug order.

    ``directions`` is Meta Kaggle's higher-is-better by slug; without one, the metric of the competition's prepared
    split decides (``leaderboard_history.known_direction``), else the board's own order (listed in ``inferred``).
    A damaged history raises ``leaderboard_history.HistoryError`` (the boards before it stay imported)."""
    paths = sorted(Path(folder).glob(f"*/{BOARD_FILE}"))
    if not paths:
        raise LeaderboardError(f"{folder}: no <slug>/{BOARD_FILE} inside (MLE-bench's competitions folder)")
    done, statuses = LeaderboardImport(), Counter()
    for path in paths:
        slug = path.parent.name
        try:
            boards, recipe = root.leaderboards(slug), published_recipe(root, slug)
            direction, direction_from = known_direction({"evaluation_algorithm_is_max": directions.get(slug)}, recipe)
            metric = known_metric({}, recipe)
        except SlugError as error:  # a folder whose name is no competition slug: it has no history to record into
            done.rejected.append(f"{path}: {error}")
            statuses["rejected"] += 1
            continue
        try:
            record = record_snapshot(
                boards, slug, read_leaderboard(path), SOURCE, direction, None, direction_from, metric
            )
        except HistoryError:  # the data root's own file is damaged: named, and nothing is added to it
            raise
        except LeaderboardError as error:
            record_rejection(boards, slug, SOURCE, str(error), datetime.now(UTC))
            done.rejected.append(str(error))
            statuses["rejected"] += 1
            continue
        statuses[record.status] += 1
        if record.direction_from == INFERRED_DIRECTION:
            done.inferred.append(slug)
    done.statuses = dict(sorted(statuses.items()))
    return done
