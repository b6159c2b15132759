"""Resource types the assets ask for: where data comes from and goes. ``pipelines`` fills them from the environment."""

from pathlib import Path

import dagster as dg

from curation.annotations import AnnotationStore
from curation.paths import annotations_dir, warehouse_path
from curation.sources import SourceFile, meta_kaggle_competitions_file
from curation.warehouse import Warehouse


class MetaKaggleSource(dg.ConfigurableResource):
    """Meta Kaggle's origin: ``demo`` (generated), ``kaggle`` (dataset kaggle/meta-kaggle) or a folder path."""

    setting: str = "demo"

    def competitions_file(self) -> SourceFile:
        return meta_kaggle_competitions_file(self.setting)


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse; an empty path means ``$MLECURATE_HOME/warehouse.duckdb``."""

    path: str = ""

    def get(self) -> Warehouse:
        return Warehouse(Path(self.path) if self.path else warehouse_path())


class AnnotationStoreResource(dg.ConfigurableResource):
    """Curators' annotation files; an empty root means ``$MLECURATE_ANNOTATIONS`` or ``$MLECURATE_HOME/annotations``."""

    root: str = ""

    def get(self) -> AnnotationStore:
        return AnnotationStore(Path(self.root) if self.root else annotations_dir())
