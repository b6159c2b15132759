"""Resource types the assets ask for: where data comes from and goes. ``pipelines`` fills them from the environment."""

from pathlib import Path

import dagster as dg

from curation.annotations import AnnotationStore
from curation.competition_data import CompetitionSource, KaggleSource, competition_source
from curation.kaggle_client import KaggleClient
from curation.paths import annotations_dir, data_root, warehouse_path
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


class CompetitionDataResource(dg.ConfigurableResource):
    """Where competition data comes from (a mirror folder, the demo, or Kaggle) and where it is kept."""

    mirror: str = ""  # MLECURATE_KAGGLE_MIRROR: a folder of <slug>/<slug>.zip
    meta_kaggle: str = "demo"  # the demo Meta Kaggle source implies demo competition data
    leaderboards: str = ""  # MLECURATE_LEADERBOARDS: a folder of <slug>/leaderboard.csv (MLE-bench's format)

    def source(self) -> CompetitionSource:
        return competition_source(self.mirror, self.meta_kaggle)

    def raw_root(self) -> Path:
        return data_root() / "raw"

    def prepared_root(self) -> Path:
        return data_root() / "prepared"

    def kaggle_client(self) -> KaggleClient | None:
        """The Kaggle client when competition data comes from Kaggle (not a mirror or the demo)."""
        source = self.source()
        return source.client if isinstance(source, KaggleSource) else None

    def leaderboards_source(self):
        """Where leaderboards come from: the MLE-bench folder when set, else the competition data source."""
        return Path(self.leaderboards) if self.leaderboards else self.source()

    def leaderboard_file(self, slug: str) -> Path | None:
        path = Path(self.leaderboards) / slug / "leaderboard.csv" if self.leaderboards else None
        return path if path is not None and path.is_file() else None
