"""Leaderboard history: a full, versioned record of each competition's private leaderboard.

>>> refresh = refresh_leaderboard(root.leaderboards("titanic"), "titanic", sources.leaderboards, facts)
>>> current_board(root.leaderboards("titanic"))    # the board grading and parity rank against

History lives in files, one folder per competition (so parallel refreshes never touch the same file):
``snapshots/<snapshot_id>.parquet`` (one row per team: rank, team id, score, submission date; never rewritten) and
``history.jsonl`` (one line per refresh: new, changed, unchanged, no_leaderboard or rejected, with the content hash,
team count, medal thresholds and what changed). A board whose content has not changed is recorded as unchanged
without a new copy. The warehouse reads these files through views (``validation.data_root``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import pandas as pd

from curation.sources import NotProvided, Source
from validation.data_root import LeaderboardFolder, atomic_path, write_atomic
from validation.leaderboard import Leaderboard, LeaderboardError
from validation.medals import medal_thresholds
from validation.metrics import higher_is_better, resolve_metric

TRUNCATION_SHARE = 0.8  # fewer rows than this share of Meta Kaggle's TotalTeams looks truncated


@dataclass
class RefreshRecord:
    slug: str
    at: str
    status: str  # new | changed | unchanged | no_leaderboard | rejected
    source: str
    snapshot_id: str | None = None
    content_hash: str | None = None
    teams: int | None = None
    gold: float | None = None
    silver: float | None = None
    bronze: float | None = None
    median: float | None = None
    higher_is_better: bool | None = None
    changes: dict = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True)
class Refresh:
    record: RefreshRecord
    meta_kaggle_teams: int | None  # Meta Kaggle's TotalTeams, when known
    looks_truncated: bool


class LeaderboardRejected(LeaderboardError):
    """The source's board was malformed; the refresh was recorded as rejected and the previous snapshot stays."""


def history(folder: LeaderboardFolder) -> list[RefreshRecord]:
    if not folder.history.is_file():
        return []
    return [RefreshRecord(**json.loads(line)) for line in folder.history.read_text().splitlines() if line.strip()]


def current_snapshot(folder: LeaderboardFolder) -> tuple[RefreshRecord, pd.DataFrame] | None:
    """The latest new or changed snapshot (a rejected refresh never replaces it)."""
    stored = [r for r in history(folder) if r.status in ("new", "changed")]
    if not stored:
        return None
    record = stored[-1]
    return record, pd.read_parquet(folder.snapshot(record.snapshot_id))


def current_board(folder: LeaderboardFolder) -> Leaderboard | None:
    found = current_snapshot(folder)
    if found is None:
        return None
    record, teams = found
    return Leaderboard(teams[["rank", "team_id", "score", "submission_date"]], f"snapshot {record.snapshot_id}")


def refresh_leaderboard(
    folder: LeaderboardFolder, slug: str, source: Source, facts: dict, now: datetime | None = None
) -> Refresh:
    """Fetch the board from ``source`` and record it; ``facts`` is the competition's Meta Kaggle row (may be empty).

    No board: recorded as ``no_leaderboard`` (not an error). A malformed board: recorded as ``rejected`` and raised
    as :class:`LeaderboardRejected`. The direction comes from Meta Kaggle, else from the competition's metric.
    """
    now = now or datetime.now(UTC)
    at = now.isoformat(timespec="seconds")
    total = facts.get("total_teams")
    try:
        fetched = source.leaderboard(slug, folder.downloads)
    except NotProvided as error:  # NoLeaderboardError, or a source with no leaderboards at all
        answered = getattr(error, "source", None) or source.name
        record = RefreshRecord(slug, at, "no_leaderboard", answered, message=str(error))
        append_history(folder, record)
        return Refresh(record, total, False)
    except LeaderboardError as error:
        append_history(folder, RefreshRecord(slug, at, "rejected", source.name, message=str(error)))
        raise LeaderboardRejected(f"{error}. The previous snapshot stays current.") from error
    direction = facts.get("evaluation_algorithm_is_max")
    metric = resolve_metric(None, None, facts.get("evaluation_algorithm_name"))
    if direction is None and metric:
        direction = higher_is_better(metric)
    record = record_snapshot(folder, slug, fetched.board, fetched.source, None if direction is None else bool(direction),
                             now)  # fmt: skip
    return Refresh(record, total, bool(total and record.teams < TRUNCATION_SHARE * total))


def record_snapshot(
    folder: LeaderboardFolder,
    slug: str,
    board: Leaderboard,
    source: str,
    higher_is_better: bool | None,
    now: datetime | None = None,
) -> RefreshRecord:
    """Compare with the current snapshot; store a new copy only when the content changed; log the refresh."""
    now = now or datetime.now(UTC)
    at = now.isoformat(timespec="seconds")
    digest = board.content_hash()
    thresholds = medal_thresholds(board, higher_is_better)
    record = RefreshRecord(
        slug, at, "new", source, content_hash=digest, teams=board.team_count, gold=thresholds.gold,
        silver=thresholds.silver, bronze=thresholds.bronze, median=thresholds.median,
        higher_is_better=thresholds.higher_is_better, message=thresholds.direction_note,
    )  # fmt: skip
    previous = current_snapshot(folder)
    if previous is not None and previous[0].content_hash == digest:
        record.status, record.snapshot_id = "unchanged", previous[0].snapshot_id
    else:
        if previous is not None:
            record.status = "changed"
            record.changes = _changes(previous[0], previous[1], record, board.teams)
        record.snapshot_id = f"{now:%Y%m%dT%H%M%S}-{digest[:8]}"
        table = board.teams.assign(slug=slug, snapshot_id=record.snapshot_id, snapshot_at=at, content_hash=digest)
        with atomic_path(folder.snapshot(record.snapshot_id)) as tmp:
            table.to_parquet(tmp, index=False)
    append_history(folder, record)
    return record


def append_history(folder: LeaderboardFolder, record: RefreshRecord) -> None:
    """Add one line to the competition's history (rewritten atomically: never half a line)."""
    existing = folder.history.read_text() if folder.history.is_file() else ""
    write_atomic(folder.history, existing + json.dumps(asdict(record), sort_keys=True) + "\n")


def needs_refresh(folder: LeaderboardFolder, max_age_days: float, now: datetime) -> bool:
    """True when the competition has no refresh younger than ``max_age_days`` that reached the board."""
    done = [r for r in history(folder) if r.status in ("new", "changed", "unchanged", "no_leaderboard")]
    if not done:
        return True
    age = now - datetime.fromisoformat(done[-1].at)
    return age.total_seconds() > max_age_days * 86400


def _changes(old: RefreshRecord, old_teams: pd.DataFrame, new: RefreshRecord, new_teams: pd.DataFrame) -> dict:
    before = dict(zip(old_teams["team_id"].astype(str), old_teams["score"], strict=True))
    after = dict(zip(new_teams["team_id"].astype(str), new_teams["score"], strict=True))
    moved = [t for t in before.keys() & after.keys() if before[t] != after[t]]
    thresholds = {
        name: [getattr(old, name), getattr(new, name)]
        for name in ("gold", "silver", "bronze", "median")
        if getattr(old, name) != getattr(new, name)
    }
    return {"teams_added": len(after.keys() - before.keys()), "teams_removed": len(before.keys() - after.keys()),
            "scores_moved": len(moved), "thresholds_moved": thresholds}  # fmt: skip
