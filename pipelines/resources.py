"""The one place where environment variables become resources."""

import os

import dagster as dg

from assets.resources import AnnotationStoreResource, MetaKaggleSource, WarehouseResource


def resources_from_environment() -> dict[str, dg.ConfigurableResource]:
    """The one place environment variables become resources."""
    return {
        "meta_kaggle": MetaKaggleSource(setting=os.environ.get("MLECURATE_META_KAGGLE") or "demo"),
        "warehouse": WarehouseResource(),
        "annotation_store": AnnotationStoreResource(),
    }
