"""Jobs: named selections of assets that people run from the UI or the command line."""

import dagster as dg

from assets.partitions import curated_competition_partitions

curation_job = dg.define_asset_job(
    "curation",
    selection=["meta_kaggle_competitions", "candidate_competitions", "competition_annotations", "curated_competitions"],
    description="Meta Kaggle -> candidates -> annotations -> the curated benchmark.",
)

refresh_leaderboards_job = dg.define_asset_job(
    "refresh_leaderboards",
    selection=dg.AssetSelection.assets("leaderboard_snapshots"),
    partitions_def=curated_competition_partitions,
    description="Refresh one curated competition's leaderboard snapshot (and check every board's freshness).",
)

prepare_job = dg.define_asset_job(
    "prepare_competition",
    selection=["competition_raw", "competition_split", "split_parity"],
    partitions_def=curated_competition_partitions,
    description="Download one curated competition's data, build its new train/test split, and check its parity.",
)
