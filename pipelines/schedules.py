"""Schedules: the weekly leaderboard refresh."""

import dagster as dg

from assets.partitions import curated_competition_partitions
from assets.resources import LeaderboardAgeResource, StorageResource
from curation.leaderboard_history import HistoryError, needs_refresh
from pipelines.jobs import refresh_leaderboards_job


def leaderboard_refresh_schedule_for(cron: str) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="leaderboard_refresh_schedule",
        job=refresh_leaderboards_job,
        cron_schedule=cron,
        execution_timezone="UTC",
        description="Refresh the leaderboard of every curated competition whose last refresh is older than "
        "MLECURATE_LEADERBOARD_MAX_AGE_DAYS (default 7); cron from MLECURATE_LEADERBOARD_CRON. A competition whose "
        "leaderboard history is damaged is left out, and named in the tick's log, until its history is mended.",
    )
    def leaderboard_refresh_schedule(
        context: dg.ScheduleEvaluationContext, storage: StorageResource, leaderboard_age: LeaderboardAgeResource
    ):
        slugs = context.instance.get_dynamic_partitions(curated_competition_partitions.name)
        when, root, days = context.scheduled_execution_time, storage.root(), leaderboard_age.max_age_days
        due, damaged = [], []
        for slug in slugs:
            try:
                if needs_refresh(root.leaderboards(slug), days, when):
                    due.append(slug)
            except HistoryError as error:  # a refresh would fail on it too: say so once, still refresh the others
                damaged.append(f"{slug} ({error})")
        if damaged:
            context.log.warning(f"left out, their leaderboard history is damaged: {'; '.join(damaged)}")
        if not due:
            also = f"; {len(damaged)} left out with a damaged history: {'; '.join(damaged)}" if damaged else ""
            return dg.SkipReason(f"all {len(slugs) - len(damaged)} leaderboards are younger than {days:g} days{also}")
        return [dg.RunRequest(partition_key=slug, run_key=f"leaderboard:{slug}:{when:%Y-%m-%d}") for slug in due]

    return leaderboard_refresh_schedule
