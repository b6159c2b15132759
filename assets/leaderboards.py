"""``leaderboard_snapshots``: each curated competition's full private leaderboard, kept as a versioned history."""

import os
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from assets.partitions import curated_competition_partitions
from assets.resources import CompetitionDataResource, MetaKaggleSource, WarehouseResource
from curation.leaderboards import (
    LeaderboardFileError,
    NoLeaderboardError,
    RefreshRecord,
    append_history,
    fetch_board,
    needs_refresh,
    rebuild_from_meta_kaggle,
    record_snapshot,
    refresh_views,
)
from curation.paths import data_root
from validation.metrics import canonical_metric, higher_is_better

TRUNCATION_SHARE = 0.8  # fewer rows than this share of Meta Kaggle's TotalTeams looks truncated


def leaderboards_root():
    return data_root() / "leaderboards"


def max_age_days() -> float:
    return float(os.environ.get("MLECURATE_LEADERBOARD_MAX_AGE_DAYS") or 7)


@dg.asset(
    group_name="leaderboards",
    kinds={"kaggle", "parquet"},
    partitions_def=curated_competition_partitions,
    deps=["curated_competitions"],
    pool="kaggle_downloads",
    retry_policy=dg.RetryPolicy(max_retries=2, delay=60, backoff=dg.Backoff.EXPONENTIAL),
)
def leaderboard_snapshots(
    context: dg.AssetExecutionContext,
    competition_data: CompetitionDataResource,
    meta_kaggle: MetaKaggleSource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """The competition's full private leaderboard (Kaggle's download, never the 20-row view; or MLE-bench's board,
    or a rebuild from Meta Kaggle's Teams.csv and Submissions.csv when the Meta Kaggle folder has them), appended to its
    history: a new snapshot only when the content changed, with what changed (teams added or removed, scores moved,
    thresholds moved); an unchanged board is recorded as unchanged. Medal thresholds per snapshot follow Kaggle's
    rules. A board much shorter than Meta Kaggle's TotalTeams is flagged as truncated; a malformed board is rejected
    and the previous snapshot stays current. Views leaderboards.snapshots, .refreshes and .thresholds.
    """
    slug = context.partition_key
    root = leaderboards_root()
    source = competition_data.leaderboards_source()
    facts = warehouse.get().competition(slug)
    now = datetime.now(UTC)
    rebuild_from = _meta_kaggle_tables(meta_kaggle, competition_data)
    try:
        if rebuild_from is not None and facts.get("id") is not None:
            board, source_name = rebuild_from_meta_kaggle(rebuild_from, int(facts["id"])), "meta-kaggle"
        else:
            board, source_name = fetch_board(slug, source, root / slug / "downloads")
    except NoLeaderboardError as error:
        append_history(
            root,
            RefreshRecord(slug, now.isoformat(timespec="seconds"), "no_leaderboard", _name(source), message=str(error)),
        )
        refresh_views(warehouse.get(), root)
        return dg.MaterializeResult(metadata={"status": "no_leaderboard", "message": str(error)})
    except LeaderboardFileError as error:
        append_history(
            root, RefreshRecord(slug, now.isoformat(timespec="seconds"), "rejected", _name(source), message=str(error))
        )
        refresh_views(warehouse.get(), root)
        raise dg.Failure(description=f"{error}. The previous snapshot stays current.", allow_retries=False) from error
    direction = facts.get("evaluation_algorithm_is_max")
    metric = canonical_metric(facts.get("evaluation_algorithm_name"))
    if direction is None and metric:
        direction = higher_is_better(metric)
    record = record_snapshot(root, slug, board, source_name, None if direction is None else bool(direction), now)
    refresh_views(warehouse.get(), root)
    total = facts.get("total_teams")
    truncated = bool(total and record.teams < TRUNCATION_SHARE * total)
    if truncated:
        context.log.warning(
            f"{slug}: {record.teams} rows on the board but Meta Kaggle counts {total} teams: truncated?"
        )
    return dg.MaterializeResult(
        metadata={
            "status": record.status,
            "teams": record.teams,
            "meta_kaggle_total_teams": int(total) if total else "unknown",
            "looks_truncated": truncated,
            "snapshot": record.snapshot_id,
            "content_hash": record.content_hash,
            "gold": record.gold, "silver": record.silver, "bronze": record.bronze, "median": record.median,
            "higher_is_better": record.higher_is_better,
            "changes": dg.MetadataValue.json(record.changes or {}),
            "source": source_name,
        }
    )  # fmt: skip


@dg.asset_check(asset=leaderboard_snapshots, description="Every curated competition's board was refreshed recently.")
def boards_fresh(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    slugs = context.instance.get_dynamic_partitions(curated_competition_partitions.name)
    now = datetime.now(UTC)
    stale = [s for s in slugs if needs_refresh(leaderboards_root(), s, max_age_days(), now)]
    return dg.AssetCheckResult(
        passed=not stale,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{len(stale)} of {len(slugs)} boards older than {max_age_days():g} days or never refreshed"
        + (f": {', '.join(stale[:20])}" if stale else ""),
        metadata={"stale": len(stale), "boards": len(slugs)},
    )


def _meta_kaggle_tables(meta_kaggle: MetaKaggleSource, competition_data: CompetitionDataResource) -> Path | None:
    """A Meta Kaggle folder holding Teams.csv and Submissions.csv, when no MLE-bench board folder is configured."""
    folder = Path(meta_kaggle.setting) if meta_kaggle.setting not in ("demo", "kaggle") else None
    if competition_data.leaderboards or folder is None or not folder.is_dir():
        return None
    return folder if (folder / "Teams.csv").is_file() and (folder / "Submissions.csv").is_file() else None


def _name(source) -> str:
    return getattr(source, "name", "mle-bench")
