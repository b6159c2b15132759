"""The Dagster entry point: every asset, check, job and resource, loaded in one place."""

import dagster as dg

from assets import annotations, candidates, meta_kaggle
from pipelines.jobs import curation_job
from pipelines.resources import resources_from_environment

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([meta_kaggle, candidates, annotations]),
    asset_checks=dg.load_asset_checks_from_modules([meta_kaggle, candidates, annotations]),
    jobs=[curation_job],
    resources=resources_from_environment(),
)
