"""Jobs: named selections of assets that people run from the UI or the command line."""

import dagster as dg

curation_job = dg.define_asset_job(
    "curation",
    selection=[
        "meta_kaggle_competitions",
        "candidate_competitions",
        "competition_annotations",
        "curated_competitions",
    ],
    description="Meta Kaggle -> candidates -> annotations -> the curated benchmark.",
)
