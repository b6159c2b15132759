"""Schedules: the weekly leaderboard refresh."""

import os

import dagster as dg

from assets.leaderboards import leaderboards_root, max_age_days
from assets.partitions import curated_competition_partitions
from curation.leaderboards import needs_refresh
from pipelines.jobs import refresh_leaderboards_job

CRON = os.environ.get("MLECURATE_LEADERBOARD_CRON") or "0 6 * * 1"  # Mondays 06:00 UTC


@dg.schedule(
    job=refresh_leaderboards_job,
    cron_schedule=CRON,
    execution_timezone="UTC",
    description="Refresh the leaderboard of every curated competition whose last refresh is older than "
    "MLECURATE_LEADERBOARD_MAX_AGE_DAYS (default 7); cron from MLECURATE_LEADERBOARD_CRON.",
)
def leaderboard_refresh_schedule(context: dg.ScheduleEvaluationContext):
    slugs = context.instance.get_dynamic_partitions(curated_competition_partitions.name)
    when = context.scheduled_execution_time
    due = [slug for slug in slugs if needs_refresh(leaderboards_root(), slug, max_age_days(), when)]
    if not due:
        return dg.SkipReason(f"all {len(slugs)} leaderboards are younger than {max_age_days():g} days")
    return [dg.RunRequest(partition_key=slug, run_key=f"leaderboard:{slug}:{when:%Y-%m-%d}") for slug in due]
