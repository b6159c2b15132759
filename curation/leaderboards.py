"""Leaderboard snapshots: a full, versioned history of each competition's private leaderboard.

>>> board = parse_leaderboard(path)                       # Kaggle's download or MLE-bench's leaderboard.csv
>>> record = record_snapshot(root, "titanic", board, source="kaggle", higher_is_better=True)

History lives in files, one folder per competition (so parallel refreshes never touch the same file):
``<root>/<slug>/snapshots/<snapshot_id>.parquet`` (one row per team: rank, team id, score, submission date; never
rewritten) and ``<root>/<slug>/history.jsonl`` (one line per refresh: new, changed, unchanged, no_leaderboard or
rejected, with the content hash, team count, medal thresholds and what changed). A board whose content has not
changed is recorded as unchanged without a new copy. The warehouse reads these files through views.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from curation.paths import atomic_path, write_atomic
from validation.data_files import literal
from validation.medals import Leaderboard, medal_thresholds

COLUMN_NAMES = {  # accepted spellings -> ours (Kaggle's download, MLE-bench's leaderboard.csv, Meta Kaggle rebuilds)
    "teamid": "team_id", "team_id": "team_id", "score": "score", "submissiondate": "submission_date",
    "submission_date": "submission_date", "rank": "rank", "teamname": "team_name",
}  # fmt: skip


class LeaderboardFileError(ValueError):
    """A leaderboard file is malformed; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Board:
    teams: pd.DataFrame  # rank, team_id, score, submission_date; best first
    origin: str

    def content_hash(self) -> str:
        canonical = self.teams[["team_id", "rank", "score"]].sort_values("team_id").to_csv(index=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


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


def parse_leaderboard(path: Path, origin: str | None = None) -> Board:
    """A leaderboard CSV, or a zip holding one (Kaggle's download); rows in rank order, best first."""
    return parse_leaderboard_bytes(path.read_bytes(), origin or str(path))


def parse_leaderboard_bytes(data: bytes, origin: str) -> Board:
    try:
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as bundle:
                names = [n for n in bundle.namelist() if n.lower().endswith(".csv")]
                if len(names) != 1:
                    raise LeaderboardFileError(f"{origin}: expected one CSV in the zip, found {names or 'none'}")
                data = bundle.read(names[0])
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise LeaderboardFileError(f"{origin}: not a leaderboard CSV ({str(error).splitlines()[0]})") from error
    frame = frame.rename(columns={c: COLUMN_NAMES[c.lower()] for c in frame.columns if c.lower() in COLUMN_NAMES})
    for column in ("team_id", "score"):
        if column not in frame.columns:
            raise LeaderboardFileError(f"{origin}: no {column} column (found {', '.join(frame.columns) or 'nothing'})")
    if frame.empty:
        raise LeaderboardFileError(f"{origin}: the leaderboard has no teams")
    scores = pd.to_numeric(frame["score"], errors="coerce")
    if scores.isna().any():
        line = int(np.flatnonzero(scores.isna())[0]) + 2
        raise LeaderboardFileError(f"{origin}: line {line}: score {frame['score'].iloc[line - 2]!r} is not a number")
    duplicated = frame["team_id"][frame["team_id"].duplicated()].unique()
    if len(duplicated):
        raise LeaderboardFileError(f"{origin}: team id(s) {', '.join(map(str, duplicated[:5]))} appear more than once")
    ranks = pd.to_numeric(frame["rank"], errors="coerce") if "rank" in frame else pd.Series(range(1, len(frame) + 1))
    teams = pd.DataFrame({
        "rank": ranks.astype("int64").to_numpy(), "team_id": frame["team_id"].astype(str).to_numpy(),
        "score": scores.to_numpy(dtype=float),
        "submission_date": frame["submission_date"].to_numpy() if "submission_date" in frame else None,
    }).sort_values("rank", kind="stable").reset_index(drop=True)  # fmt: skip
    return Board(teams, origin)


def history(root: Path, slug: str) -> list[RefreshRecord]:
    path = root / slug / "history.jsonl"
    if not path.is_file():
        return []
    return [RefreshRecord(**json.loads(line)) for line in path.read_text().splitlines() if line.strip()]


def current_snapshot(root: Path, slug: str) -> tuple[RefreshRecord, pd.DataFrame] | None:
    """The latest new or changed snapshot (a rejected refresh never replaces it)."""
    stored = [r for r in history(root, slug) if r.status in ("new", "changed")]
    if not stored:
        return None
    record = stored[-1]
    return record, pd.read_parquet(root / slug / "snapshots" / f"{record.snapshot_id}.parquet")


def current_board(root: Path, slug: str) -> Leaderboard | None:
    found = current_snapshot(root, slug)
    return (
        None
        if found is None
        else Leaderboard(found[1]["score"].to_numpy(dtype=float), f"snapshot {found[0].snapshot_id}")
    )


def record_snapshot(
    root: Path, slug: str, board: Board, source: str, higher_is_better: bool | None, now: datetime | None = None
) -> RefreshRecord:
    """Compare with the current snapshot; store a new copy only when the content changed; log the refresh."""
    now = now or datetime.now(UTC)
    at = now.isoformat(timespec="seconds")
    digest = board.content_hash()
    thresholds = medal_thresholds(Leaderboard(board.teams["score"].to_numpy(), board.origin), higher_is_better)
    record = RefreshRecord(
        slug, at, "new", source, content_hash=digest, teams=len(board.teams), gold=thresholds.gold,
        silver=thresholds.silver, bronze=thresholds.bronze, median=thresholds.median,
        higher_is_better=thresholds.higher_is_better, message=thresholds.direction_note,
    )  # fmt: skip
    previous = current_snapshot(root, slug)
    if previous is not None and previous[0].content_hash == digest:
        record.status, record.snapshot_id = "unchanged", previous[0].snapshot_id
    else:
        if previous is not None:
            record.status = "changed"
            record.changes = _changes(previous[0], previous[1], record, board.teams)
        record.snapshot_id = f"{now:%Y%m%dT%H%M%S}-{digest[:8]}"
        table = board.teams.assign(slug=slug, snapshot_id=record.snapshot_id, snapshot_at=at, content_hash=digest)
        target = root / slug / "snapshots" / f"{record.snapshot_id}.parquet"
        with atomic_path(target) as tmp:
            table.to_parquet(tmp, index=False)
    append_history(root, record)
    return record


def append_history(root: Path, record: RefreshRecord) -> None:
    """Add one line to the competition's history (rewritten atomically: never half a line)."""
    path = root / record.slug / "history.jsonl"
    existing = path.read_text() if path.is_file() else ""
    write_atomic(path, existing + json.dumps(asdict(record), sort_keys=True) + "\n")


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


def rebuild_from_meta_kaggle(folder: Path, competition_id: int) -> Board:
    """A private leaderboard from Meta Kaggle's Teams.csv and Submissions.csv (SCHEMA.md's official route):
    ranked teams by PrivateLeaderboardRank, each with its private-leaderboard submission's private score."""
    teams = pd.read_csv(folder / "Teams.csv", dtype=str, keep_default_na=False)
    submissions = pd.read_csv(folder / "Submissions.csv", dtype=str, keep_default_na=False)
    for name, frame, needed in [
        ("Teams.csv", teams, ("Id", "CompetitionId", "PrivateLeaderboardSubmissionId", "PrivateLeaderboardRank")),
        ("Submissions.csv", submissions, ("Id", "PrivateScoreFullPrecision")),
    ]:
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise LeaderboardFileError(f"{folder / name}: column(s) {', '.join(missing)} missing")
    mine = teams[teams["CompetitionId"] == str(competition_id)]
    if "IsBenchmark" in mine:
        mine = mine[mine["IsBenchmark"] != "True"]
    mine = mine[mine["PrivateLeaderboardRank"].str.strip() != ""]
    joined = mine.merge(
        submissions, left_on="PrivateLeaderboardSubmissionId", right_on="Id", suffixes=("", "_submission")
    )
    board = pd.DataFrame({
        "rank": pd.to_numeric(joined["PrivateLeaderboardRank"]).astype(int), "teamid": joined["Id"],
        "score": joined["PrivateScoreFullPrecision"],
        "submissiondate": joined.get("SubmissionDate", pd.Series([""] * len(joined))),
    }).sort_values("rank")  # fmt: skip
    return parse_leaderboard_bytes(
        board.to_csv(index=False).encode(), f"{folder / 'Teams.csv'} (competition {competition_id})"
    )


class NoLeaderboardError(LookupError):
    """The source has no leaderboard for this competition (recorded as such)."""


def fetch_board(slug: str, source, folder: Path) -> tuple[Board, str]:
    """The full leaderboard of ``slug`` from a source: a folder of MLE-bench boards (``Path``), the demo, or Kaggle.

    Raises :class:`NoLeaderboardError` when the source has none, :class:`LeaderboardFileError` when it is malformed.
    """
    from curation.competition_data import KaggleSource
    from curation.demo_competitions import DemoSource, demo_leaderboard
    from curation.kaggle_client import KaggleError

    if isinstance(source, Path):
        path = source / slug / "leaderboard.csv"
        if not path.is_file():
            raise NoLeaderboardError(f"{slug}: no leaderboard at {path}")
        return parse_leaderboard(path), "mle-bench"
    if isinstance(source, DemoSource):
        return parse_leaderboard_bytes(demo_leaderboard(slug), f"demo leaderboard of {slug}"), "demo"
    if isinstance(source, KaggleSource):
        try:
            archive = source.client.download_leaderboard(slug, folder)
        except KaggleError as error:
            if "404" in str(error) or "notfound" in str(error).lower().replace(" ", ""):
                raise NoLeaderboardError(f"{slug}: Kaggle has no leaderboard for it ({error})") from error
            raise
        try:
            return parse_leaderboard(archive, f"Kaggle's leaderboard download for {slug}"), "kaggle"
        finally:
            archive.unlink(missing_ok=True)
    raise NoLeaderboardError(f"{slug}: the {getattr(source, 'name', source)} source has no leaderboards")


def needs_refresh(root: Path, slug: str, max_age_days: float, now: datetime) -> bool:
    """True when the competition has no refresh younger than ``max_age_days`` that reached the board."""
    done = [r for r in history(root, slug) if r.status in ("new", "changed", "unchanged", "no_leaderboard")]
    if not done:
        return True
    age = now - datetime.fromisoformat(done[-1].at)
    return age.total_seconds() > max_age_days * 86400


def refresh_views(warehouse, root: Path) -> None:
    """(Re)create the views leaderboards.refreshes, leaderboards.thresholds and leaderboards.snapshots."""
    if not any(root.glob("*/history.jsonl")):
        return
    views = {
        "leaderboards.refreshes": f"SELECT * FROM read_json({literal(f'{root}/*/history.jsonl')}, "
        "format = 'newline_delimited', union_by_name = true)",
        "leaderboards.thresholds": """SELECT slug, snapshot_id, "at" AS snapshot_at, source, teams, gold, silver, bronze,
                                             median, higher_is_better
                                      FROM leaderboards.refreshes WHERE status IN ('new', 'changed')""",
    }
    if any(root.glob("*/snapshots/*.parquet")):
        views["leaderboards.snapshots"] = f"""
            SELECT slug, snapshot_id, snapshot_at, content_hash, rank, team_id, score, submission_date
            FROM read_parquet({literal(f"{root}/*/snapshots/*.parquet")}, union_by_name = true)"""
    warehouse.replace_views(views)
