"""Leaderboard history: a full, versioned record of each competition's private leaderboard.

>>> refresh = refresh_leaderboard(root.leaderboards("titanic"), "titanic", sources.leaderboards, facts)
>>> current_board(root.leaderboards("titanic"))    # the board grading and parity rank against

History lives in files, one folder per competition (so parallel refreshes never touch the same file):
``snapshots/<snapshot_id>.parquet`` (one row per team: rank, team id, score, submission date; never rewritten) and
``history.jsonl`` (one line per refresh: new, changed, unchanged, no_leaderboard or rejected, with the content hash,
team count, medal thresholds, which way is better and who says so (``direction_from``), and what changed). A board
whose content has not changed is recorded as unchanged without a new copy. The warehouse reads these files through
views (``validation.data_root``).

A board sorted against its competition's known direction (Meta Kaggle's, else its metric's) is rejected, as is one
whose ranks do not follow its scores or with a score better than the metric's perfect one (``medals.check_board``);
without a direction, the board's own order decides and the record says so. ``history.jsonl`` is rewritten atomically on every
refresh, so a damaged line never comes from an interrupted refresh: it is an error (:class:`HistoryError`) naming the
file and line, never skipped (a skipped line could make an older snapshot current).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime

import pandas as pd

from curation.sources import NotProvided, Source
from validation.data_root import DataRoot, LeaderboardFolder, atomic_path, write_atomic
from validation.leaderboard import Leaderboard, LeaderboardError
from validation.medals import INFERRED_DIRECTION, check_board, medal_thresholds
from validation.messages import shown, shown_list
from validation.metrics import METRICS, Metric, resolve_metric

TRUNCATION_SHARE = 0.8  # fewer rows than this share of Meta Kaggle's TotalTeams looks truncated
STATUSES = ("new", "changed", "unchanged", "no_leaderboard", "rejected")
SNAPSHOT_ID = re.compile(r"\d{8}T\d{6}-[0-9a-f]{8}")  # what record_snapshot names them: never a path
META_KAGGLE_DIRECTION = "Meta Kaggle's EvaluationAlgorithmIsMax"


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
    direction_from: str | None = None  # who says which way is better (medals.INFERRED_DIRECTION: only the board)


@dataclass(frozen=True)
class Refresh:
    record: RefreshRecord
    meta_kaggle_teams: int | None  # Meta Kaggle's TotalTeams, when known
    looks_truncated: bool
    truncation: str = ""  # why it looks truncated: fewer teams than Meta Kaggle counts or an earlier snapshot had, or
    # than its ranks run to


def _truncation(teams: int, meta_kaggle_teams: int | None, largest: RefreshRecord | None, last_rank: int = 0) -> str:
    """Why a board of ``teams`` rows looks cut short ("" when it does not): against Meta Kaggle's TotalTeams when
    known, else against the ``largest`` earlier snapshot (a final board loses a few disqualified teams, never a fifth;
    the largest, not the last, so a cut board stored once is flagged on every refresh, not only the first); and
    whatever the counts, a board whose ranks go far past its rows (ranks 50 to 149, or every third rank, for 100
    teams: teams are missing, and medal thresholds are taken from the rows there are; a benchmark team left out of
    a Meta Kaggle rebuild leaves a gap of one)."""
    if teams < TRUNCATION_SHARE * last_rank:
        return f"{teams:,} rows on the board but its ranks go to {last_rank:,}: teams are missing: truncated?"
    if meta_kaggle_teams:
        expected, counted = meta_kaggle_teams, f"Meta Kaggle counts {int(meta_kaggle_teams):,} teams"
    elif largest is not None and largest.teams:
        expected, counted = largest.teams, f"snapshot {largest.snapshot_id} had {largest.teams:,}"
    else:
        return ""
    if teams >= TRUNCATION_SHARE * expected:
        return ""
    return f"{teams:,} rows on the board but {counted}: truncated?"


class LeaderboardRejected(LeaderboardError):
    """The source's board was malformed (or sorted against the competition's direction); the refresh was recorded as
    rejected and the previous snapshot stays. Permanent: the same board is rejected again."""


class HistoryError(LeaderboardError):
    """A competition's leaderboard history is damaged (a line of ``history.jsonl``, or a snapshot it names); the
    message names the file and line. Permanent until the file is mended."""


def history(folder: LeaderboardFolder) -> list[RefreshRecord]:
    """Every refresh recorded for the competition, oldest first; a damaged line raises :class:`HistoryError`."""
    if not folder.history.is_file():
        return []
    try:
        text = folder.history.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise HistoryError(f"{folder.history}: damaged, not UTF-8 text (byte {error.start})") from error
    return [_refresh_record(line, f"{folder.history}: line {n}") for n, line in enumerate(text.splitlines(), 1)
            if line.strip()]  # fmt: skip


def _refresh_record(line: str, where: str) -> RefreshRecord:
    """One line of ``history.jsonl``, checked: a JSON object with the record's keys, a known status, an ISO time and,
    for a stored snapshot, a snapshot id of ours."""
    mend = "the file is damaged: restore it from a backup, or remove that line (and the refreshes after it)"
    try:
        document = json.loads(line)
    except json.JSONDecodeError as error:
        raise HistoryError(f"{where}: not a JSON record ({error.msg} at column {error.colno}); {mend}") from error
    if not isinstance(document, dict):
        raise HistoryError(f"{where}: a JSON {type(document).__name__}, not a refresh record; {mend}")
    known = {f.name for f in fields(RefreshRecord)}
    unknown = sorted(set(document) - known)
    missing = [k for k in ("slug", "at", "status", "source") if k not in document]
    if unknown or missing:
        found = f"unknown key(s) {shown_list(unknown)}" if unknown else f"no key(s) {', '.join(missing)}"
        raise HistoryError(f"{where}: {found} in a refresh record; {mend}")
    record = RefreshRecord(**document)
    if record.status not in STATUSES:
        raise HistoryError(f"{where}: status {shown(repr(record.status))} is not one of {', '.join(STATUSES)}; {mend}")
    try:
        datetime.fromisoformat(record.at)
    except (TypeError, ValueError) as error:
        raise HistoryError(f"{where}: 'at' {shown(repr(record.at))} is not an ISO 8601 time; {mend}") from error
    if record.status in ("new", "changed") and not SNAPSHOT_ID.fullmatch(str(record.snapshot_id)):
        raise HistoryError(f"{where}: snapshot_id {shown(repr(record.snapshot_id))} is not a snapshot id; {mend}")
    return record


def current_snapshot(folder: LeaderboardFolder) -> tuple[RefreshRecord, pd.DataFrame] | None:
    """The latest new or changed snapshot (a rejected refresh never replaces it)."""
    stored = [r for r in history(folder) if r.status in ("new", "changed")]
    if not stored:
        return None
    record = stored[-1]
    path = folder.snapshot(record.snapshot_id)
    try:
        return record, pd.read_parquet(path)
    except (OSError, ValueError) as error:  # missing, truncated, not parquet (pyarrow's errors are ValueErrors)
        raise HistoryError(
            f"{path}: the current snapshot in {folder.history} cannot be read ({shown(error)}); restore it, or "
            "remove its line from the history"
        ) from error


def current_board(folder: LeaderboardFolder) -> Leaderboard | None:
    """The current snapshot as a board (its scores checked finite, as every board's are)."""
    found = current_board_and_record(folder)
    return None if found is None else found[1]


def current_board_and_record(folder: LeaderboardFolder) -> tuple[RefreshRecord, Leaderboard] | None:
    """The current snapshot's history record and its board, from one read of the history and the snapshot."""
    found = current_snapshot(folder)
    if found is None:
        return None
    record, teams = found
    path = folder.snapshot(record.snapshot_id)
    columns = ["rank", "team_id", "score", "submission_date"]
    if missing := [c for c in columns if c not in teams.columns]:
        raise HistoryError(f"{path}: no column(s) {', '.join(missing)}; not a snapshot mlecurate wrote")
    return record, Leaderboard(teams[columns], str(path))


def known_direction(facts: dict, recipe: dict | None = None) -> tuple[bool | None, str]:
    """Which way is better for a competition, and who says so: Meta Kaggle's EvaluationAlgorithmIsMax, else the
    metric (the split recipe's, else the one Meta Kaggle or the curated table names); (None, "") when nobody does."""
    if facts.get("evaluation_algorithm_is_max") is not None:
        return bool(facts["evaluation_algorithm_is_max"]), META_KAGGLE_DIRECTION
    metric = known_metric(facts, recipe)
    if metric:
        return metric.higher_is_better, f"the metric {metric.name}"
    return None, ""


def known_metric(facts: dict, recipe: dict | None = None) -> Metric | None:
    """The competition's metric: the split recipe's, else the one Meta Kaggle or the curated table names."""
    name = resolve_metric(None, recipe, facts.get("evaluation_algorithm_name")) or facts.get("metric")
    return METRICS.get(name) if name else None


def published_recipe(root: DataRoot, slug: str) -> dict | None:
    """The recipe of the competition's published split, when it has one (it names the metric)."""
    prepared = root.prepared(slug)
    return prepared.read_manifest().get("recipe") if prepared.manifest.is_file() else None


def _score_decimals(facts: dict) -> int | None:
    """Meta Kaggle's ScoreTruncationNumDecimals, the decimals Kaggle ranked the board's scores to, when it says."""
    value = facts.get("score_truncation_num_decimals")
    try:
        decimals = int(value)
    except (TypeError, ValueError):
        return None
    return decimals if 0 <= decimals <= 15 else None


def record_rejection(folder: LeaderboardFolder, slug: str, source: str, message: str, now: datetime) -> RefreshRecord:
    """Log a refresh whose board was refused; the current snapshot stays."""
    record = RefreshRecord(slug, now.isoformat(timespec="seconds"), "rejected", source, message=message)
    append_history(folder, record)
    return record


def refresh_leaderboard(
    folder: LeaderboardFolder,
    slug: str,
    source: Source,
    facts: dict,
    now: datetime | None = None,
    recipe: dict | None = None,
) -> Refresh:
    """Fetch the board from ``source`` and record it; ``facts`` is the competition's Meta Kaggle row (may be empty),
    ``recipe`` its published split's recipe (its metric, when Meta Kaggle has none: :func:`published_recipe`).

    No board: recorded as ``no_leaderboard`` (not an error). A malformed board, or one sorted against the direction
    (:func:`known_direction`): recorded as ``rejected`` and raised as :class:`LeaderboardRejected`. A damaged history
    raises :class:`HistoryError` and records nothing.
    """
    now = now or datetime.now(UTC)
    at = now.isoformat(timespec="seconds")
    total = facts.get("total_teams")
    stored = [r for r in history(folder) if r.status in ("new", "changed")]  # a damaged history is named first
    try:
        fetched = source.leaderboard(slug, folder.downloads)
    except NotProvided as error:  # NoLeaderboardError, or a source with no leaderboards at all
        answered = getattr(error, "source", None) or source.name
        record = RefreshRecord(slug, at, "no_leaderboard", answered, message=str(error))
        append_history(folder, record)
        return Refresh(record, total, False)
    except LeaderboardError as error:
        record_rejection(folder, slug, source.name, str(error), now)
        raise LeaderboardRejected(f"{error}. The previous snapshot stays current.") from error
    direction, direction_from = known_direction(facts, recipe)
    try:
        record = record_snapshot(
            folder, slug, fetched.board, fetched.source, direction, now, direction_from, known_metric(facts, recipe),
            _score_decimals(facts),
        )  # fmt: skip
    except HistoryError:
        raise
    except LeaderboardError as error:  # sorted against the competition's direction, or no ranking by it
        record_rejection(folder, slug, fetched.source, str(error), now)
        raise LeaderboardRejected(f"{error}. The previous snapshot stays current.") from error
    largest = max(stored, key=lambda r: r.teams or 0, default=None)
    truncation = _truncation(record.teams, total, largest, int(fetched.board.teams["rank"].max()))
    return Refresh(record, total, bool(truncation), truncation)


def record_snapshot(
    folder: LeaderboardFolder,
    slug: str,
    board: Leaderboard,
    source: str,
    higher_is_better: bool | None,
    now: datetime | None = None,
    direction_from: str = "the metric",
    metric: Metric | None = None,
    decimals: int | None = None,
) -> RefreshRecord:
    """Compare with the current snapshot; store a new copy only when the content changed; log the refresh.
    ``direction_from`` says who gives ``higher_is_better``; a board sorted against it, one whose ranks do not follow
    its scores, or one with a score better than the ``metric``'s perfect one or worse than its worst raises
    ``LeaderboardError`` (and nothing is recorded; ``medals.check_board``, with the ``decimals`` Kaggle ranks scores
    to); without a direction the board's order decides and the record says so."""
    now = now or datetime.now(UTC)
    at = now.isoformat(timespec="seconds")
    digest = board.content_hash()
    thresholds = medal_thresholds(board, higher_is_better, direction_from)
    check_board(board, thresholds.higher_is_better, thresholds.direction_from, metric, decimals)
    inferred = thresholds.direction_from == INFERRED_DIRECTION
    record = RefreshRecord(
        slug, at, "new", source, content_hash=digest, teams=board.team_count, gold=thresholds.gold,
        silver=thresholds.silver, bronze=thresholds.bronze, median=thresholds.median,
        higher_is_better=thresholds.higher_is_better, direction_from=thresholds.direction_from,
        message=f"{'higher' if thresholds.higher_is_better else 'lower'} is better by {INFERRED_DIRECTION}: "
        "give the competition a metric to check it" if inferred else "",
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
    existing = folder.history.read_text(encoding="utf-8") if folder.history.is_file() else ""
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
