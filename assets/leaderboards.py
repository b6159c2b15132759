"""``leaderboard_snapshots``: each curated competition's full private leaderboard, kept as a versioned history."""

from datetime import UTC, datetime
from functools import cache

import dagster as dg

from assets.partitions import curated_competition_partitions, curated_slug
from assets.pictures import remembered_picture
from assets.pools import DOWNLOAD_STEP_TAGS, KAGGLE_DOWNLOADS
from assets.resources import LeaderboardAgeResource, SourcesResource, StorageResource
from curation.leaderboard_history import current_snapshot, needs_refresh, published_recipe, refresh_leaderboard
from curation.mirror import Part, leaderboard_histories
from curation.plots import Chart, leaderboard_plot
from curation.warehouse import Warehouse
from validation.data_root import DataRoot
from validation.leaderboard import LeaderboardError
from validation.versions import code_version


@dg.asset(
    group_name="leaderboards",
    kinds={"kaggle", "parquet"},
    partitions_def=curated_competition_partitions,
    deps=["curated_competitions"],
    pool=KAGGLE_DOWNLOADS,
    op_tags=DOWNLOAD_STEP_TAGS,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=60, backoff=dg.Backoff.EXPONENTIAL),
)
def leaderboard_snapshots(
    context: dg.AssetExecutionContext, sources: SourcesResource, storage: StorageResource
) -> dg.MaterializeResult:
    """The competition's full private leaderboard (Kaggle's download, never the 20-row view; or MLE-bench's board,
    or a rebuild from Meta Kaggle's Teams.csv and Submissions.csv when the Meta Kaggle folder has them), appended to its
    history: a new snapshot only when the content changed, with what changed (teams added or removed, scores moved,
    thresholds moved); an unchanged board is recorded as unchanged. Medal thresholds per snapshot follow Kaggle's
    rules. A board much shorter than Meta Kaggle's TotalTeams (or, without it, the previous snapshot) is flagged as
    truncated; a malformed board (or a zip beyond the archive limits, or a board that is no ranking by the metric) is
    rejected and the previous snapshot stays current. Failures that cannot succeed on a retry (a rejected board,
    credentials Kaggle refused) are not retried; timeouts, 429s and 5xx are. Views
    `leaderboards.snapshots`, `.refreshes` and `.thresholds`.
    """
    slug = curated_slug(context)
    root = storage.root()
    with storage.synced(writes=[Part(root.leaderboards(slug).path)]):
        return _refresh(context, slug, root, storage.warehouse(), sources)


def _refresh(
    context: dg.AssetExecutionContext, slug: str, root: DataRoot, warehouse: Warehouse, sources: SourcesResource
) -> dg.MaterializeResult:
    try:
        chosen = sources.get(boards_cache=root.sources("meta-kaggle-boards"))  # Teams/Submissions read once, then kept
        refresh = refresh_leaderboard(root.leaderboards(slug), slug, chosen.leaderboards, warehouse.competition(slug),
                                      datetime.now(UTC), published_recipe(root, slug))  # fmt: skip
    except LeaderboardError as error:  # rejected boards and damaged histories: retrying cannot help
        raise dg.Failure(description=str(error), allow_retries=False) from error
    except Exception as error:
        if not getattr(error, "permanent", False):
            raise  # transient (a timeout, a 429 or 5xx Kaggle kept answering): the retry policy tries again
        raise dg.Failure(description=str(error), allow_retries=False) from error  # e.g. credentials Kaggle refused
    finally:
        warehouse.refresh_views(root)
    record = refresh.record
    if record.status == "no_leaderboard":
        return dg.MaterializeResult(metadata={"status": "no_leaderboard", "message": record.message})
    if refresh.looks_truncated:
        context.log.warning(f"{slug}: {refresh.truncation}")
    return dg.MaterializeResult(
        metadata={
            "status": record.status,
            "teams": record.teams,
            "meta_kaggle_total_teams": int(refresh.meta_kaggle_teams) if refresh.meta_kaggle_teams else "unknown",
            "looks_truncated": refresh.looks_truncated,
            **({"truncation": refresh.truncation} if refresh.truncation else {}),
            "snapshot": record.snapshot_id,
            "content_hash": record.content_hash,
            "gold": record.gold, "silver": record.silver, "bronze": record.bronze, "median": _shown(record.median),
            "higher_is_better": record.higher_is_better,
            "changes": dg.MetadataValue.json(record.changes)
            if record.changes
            else "first snapshot: nothing to compare with"
            if record.status == "new"
            else "none",
            "score_distribution": remembered_picture(
                context.instance,
                _distribution_inputs(record),
                lambda: _score_distribution(root, slug, record),
                "leaderboard score distribution with the medal thresholds",
            ),
            "source": record.source,
        }
    )  # fmt: skip


@dg.asset_check(asset=leaderboard_snapshots, description="Every curated competition's board was refreshed recently.")
def boards_fresh(
    context: dg.AssetCheckExecutionContext, storage: StorageResource, leaderboard_age: LeaderboardAgeResource
) -> dg.AssetCheckResult:
    slugs = context.instance.get_dynamic_partitions(curated_competition_partitions.name)
    now, root, days = datetime.now(UTC), storage.root(), leaderboard_age.max_age_days
    with storage.synced(reads=[leaderboard_histories(root)]):
        stale = [s for s in slugs if needs_refresh(root.leaderboards(s), days, now)]
    return dg.AssetCheckResult(
        passed=not stale,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{len(stale)} of {len(slugs)} boards older than {days:g} days or never refreshed"
        + (f": {', '.join(stale[:20])}" if stale else ""),
        metadata={"stale": len(stale), "boards": len(slugs)},
    )


@cache
def _plots_version() -> str:
    return code_version("curation.plots")


def _distribution_inputs(record) -> str:
    """What the score distribution's picture is a function of: the board's content, its medal lines and direction,
    and the drawing code."""
    return (f"leaderboard_plot {_plots_version()} {record.content_hash} {record.gold} {record.silver} {record.bronze} "
            f"{bool(record.higher_is_better)}")  # fmt: skip


def _score_distribution(root, slug: str, record) -> Chart:
    """The current board's scores as a histogram with the medal thresholds (a picture says where medals start)."""
    found = current_snapshot(root.leaderboards(slug))
    if found is None:
        return "no snapshot"
    thresholds = {"gold": record.gold, "silver": record.silver, "bronze": record.bronze}
    return leaderboard_plot(found[1]["score"], thresholds, bool(record.higher_is_better))


def _shown(value: float | None) -> float | None:
    """A computed score as a person reads it: the median of two 5-decimal scores without float noise (3.328, not
    3.3280000000000003)."""
    return None if value is None else round(value, 10)
