"""The one place where environment variables become resources."""

import os

import dagster as dg

from assets.resources import AnnotationStoreResource, CompetitionDataResource, MetaKaggleSource, WarehouseResource


def resources_from_environment() -> dict[str, dg.ConfigurableResource]:
    """The one place environment variables become resources."""
    meta_kaggle = os.environ.get("MLECURATE_META_KAGGLE") or "demo"
    return {
        "meta_kaggle": MetaKaggleSource(setting=meta_kaggle),
        "competition_data": CompetitionDataResource(
            mirror=os.environ.get("MLECURATE_KAGGLE_MIRROR") or "",
            meta_kaggle=meta_kaggle,
            leaderboards=os.environ.get("MLECURATE_LEADERBOARDS") or "",
        ),
        "warehouse": WarehouseResource(),
        "annotation_store": AnnotationStoreResource(),
    }
