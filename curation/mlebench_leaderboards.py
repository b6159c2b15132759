"""Import MLE-bench's leaderboards (``<competitions>/<slug>/leaderboard.csv``) into the leaderboard history.

>>> import_mlebench_leaderboards(Path("mle-bench/competitions"), root, warehouse.metric_directions())
{'new': 81}

Each board becomes a snapshot from source ``mle-bench`` (``curation.leaderboard_history.record_snapshot``); a board
whose content has not changed is recorded as ``unchanged``, without a new copy.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from curation.leaderboard_history import record_snapshot
from curation.sources.folder import BOARD_FILE
from validation.data_root import DataRoot
from validation.leaderboard import LeaderboardError, read_leaderboard

SOURCE = "mle-bench"


def import_mlebench_leaderboards(folder: Path, root: DataRoot, directions: dict[str, bool]) -> dict[str, int]:
    """Record every ``folder/<slug>/leaderboard.csv`` as a snapshot; return how many ended in each status.

    ``directions`` is Meta Kaggle's higher-is-better by slug (a slug without one has its direction inferred). Boards
    are recorded in slug order; a malformed one raises :class:`LeaderboardError` naming it, the ones before it stay.
    """
    paths = sorted(Path(folder).glob(f"*/{BOARD_FILE}"))
    if not paths:
        raise LeaderboardError(f"{folder}: no <slug>/{BOARD_FILE} inside (MLE-bench's competitions folder)")
    statuses: Counter[str] = Counter()
    for path in paths:
        slug = path.parent.name
        try:
            record = record_snapshot(
                root.leaderboards(slug), slug, read_leaderboard(path), SOURCE, directions.get(slug)
            )
        except LeaderboardError as error:
            raise LeaderboardError(f"{error} (nothing after {slug} was imported; re-run to continue)") from error
        statuses[record.status] += 1
    return dict(sorted(statuses.items()))
