"""The Dagster entry point: every asset, check, job, schedule, sensor and resource, loaded in one place."""

import dagster as dg

from assets import annotations, benchmark, candidates, competition_data, leaderboards, meta_kaggle, parity
from curation.settings import Settings
from pipelines.executor import executor_for
from pipelines.jobs import curation_job, prepare_job, refresh_leaderboards_job
from pipelines.resources import resources_from_settings
from pipelines.schedules import leaderboard_refresh_schedule_for
from pipelines.sensors import curated_members_sensor

ASSET_MODULES = [meta_kaggle, candidates, annotations, competition_data, parity, leaderboards, benchmark]
SETTINGS = Settings.from_environment()

defs = dg.Definitions(
    assets=dg.load_assets_from_modules(ASSET_MODULES),
    asset_checks=dg.load_asset_checks_from_modules(ASSET_MODULES),
    jobs=[curation_job, prepare_job, refresh_leaderboards_job],
    schedules=[leaderboard_refresh_schedule_for(SETTINGS.leaderboard_cron)],
    sensors=[curated_members_sensor],
    resources=resources_from_settings(SETTINGS),
    executor=executor_for(SETTINGS),  # in-process unless MLECURATE_EXECUTOR=celery (pipelines/executor.py)
)
