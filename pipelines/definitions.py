"""The Dagster entry point: every asset, check, job, sensor and resource, loaded in one place."""

import dagster as dg

from assets import annotations, candidates, competition_data, leaderboards, meta_kaggle, parity
from pipelines.jobs import curation_job, prepare_job, refresh_leaderboards_job
from pipelines.resources import resources_from_environment
from pipelines.schedules import leaderboard_refresh_schedule
from pipelines.sensors import curated_members_sensor

ASSET_MODULES = [meta_kaggle, candidates, annotations, competition_data, parity, leaderboards]

defs = dg.Definitions(
    assets=dg.load_assets_from_modules(ASSET_MODULES),
    asset_checks=dg.load_asset_checks_from_modules(ASSET_MODULES),
    jobs=[curation_job, prepare_job, refresh_leaderboards_job],
    schedules=[leaderboard_refresh_schedule],
    sensors=[curated_members_sensor],
    resources=resources_from_environment(),
)
