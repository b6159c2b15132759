"""Schedules: the weekly leaderboard refresh, one run per competition that is due and not already refreshing."""

import dagster as dg

from assets.partitions import curated_competition_partitions
from assets.resources import LeaderboardAgeResource, StorageResource
from curation.leaderboard_history import HistoryError, needs_refresh
from curation.mirror import leaderboard_histories
from pipelines.jobs import refresh_leaderboards_job

COMPETITION_TAG = "mlecurate/competition"  # names the competition a run is for, in the UI's run list and tick preview
BOARD_ASSET = dg.AssetKey("leaderboard_snapshots")
IN_PROGRESS = [
    dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]  # fmt: skip


def leaderboard_refresh_schedule_for(cron: str) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="leaderboard_refresh_schedule",
        job=refresh_leaderboards_job,
        cron_schedule=cron,
        execution_timezone="UTC",
        description="Refresh the leaderboard of every curated competition whose last refresh is older than "
        "MLECURATE_LEADERBOARD_MAX_AGE_DAYS (default 7); cron from MLECURATE_LEADERBOARD_CRON. A competition whose "
        "leaderboard history is damaged is left out, and named in the tick's log, until its history is mended. One run "
        "per competition, tagged mlecurate/competition with its slug and keyed by slug and day; a competition whose refresh "
        "is still queued or running is skipped, so a tick never stacks a second refresh on a slow one.",
    )
    def leaderboard_refresh_schedule(
        context: dg.ScheduleEvaluationContext, storage: StorageResource, leaderboard_age: LeaderboardAgeResource
    ):
        slugs = context.instance.get_dynamic_partitions(curated_competition_partitions.name)
        when, root, days = context.scheduled_execution_time, storage.root(), leaderboard_age.max_age_days
        due, damaged, refreshing = [], [], refreshing_now(context.instance)
        with storage.synced(reads=[leaderboard_histories(root)]):  # from object storage, with an s3:// home
            for slug in slugs:
                if slug in refreshing:
                    continue
                try:
                    if needs_refresh(root.leaderboards(slug), days, when):
                        due.append(slug)
                except HistoryError as error:  # a refresh would fail on it too: say so once, still refresh the others
                    damaged.append(f"{slug} ({error})")
        if damaged:
            context.log.warning(f"left out, their leaderboard history is damaged: {'; '.join(damaged)}")
        busy = sorted(refreshing & set(slugs))
        if busy:
            context.log.info(f"still refreshing, not requested again: {', '.join(busy)}")
        if not due:
            checked = len(slugs) - len(damaged) - len(busy)
            also = f"; {len(busy)} still refreshing: {', '.join(busy)}" if busy else ""
            also += f"; {len(damaged)} left out with a damaged history: {'; '.join(damaged)}" if damaged else ""
            return dg.SkipReason(f"all {checked} leaderboards are younger than {days:g} days{also}")
        return [
            dg.RunRequest(
                partition_key=slug, run_key=f"leaderboard:{slug}:{when:%Y-%m-%d}", tags={COMPETITION_TAG: slug}
            )
            for slug in due
        ]

    return leaderboard_refresh_schedule


def refreshing_now(instance: dg.DagsterInstance) -> set[str]:
    """The competitions whose leaderboard refresh is queued or running: this job's runs, or any run (the UI's, the
    command line's) materialising leaderboard_snapshots for a partition."""
    records = instance.get_run_records(dg.RunsFilter(statuses=IN_PROGRESS))
    busy = set()
    for record in records:
        run = record.dagster_run
        refreshes = run.job_name == refresh_leaderboards_job.name or BOARD_ASSET in (run.asset_selection or ())
        slug = run.tags.get(COMPETITION_TAG) or run.tags.get("dagster/partition")
        if refreshes and slug:
            busy.add(slug)
    return busy
