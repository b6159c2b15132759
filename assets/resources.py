"""Resource types the assets ask for: where things are kept, where they come from, Kaggle's credentials.

``pipelines.resources`` fills them from the settings; tests build them with explicit values.
"""

import contextlib
from collections.abc import Iterable
from pathlib import Path

import dagster as dg

from curation.annotations import AnnotationStore
from curation.mirror import Part, synced
from curation.settings import DEFAULT_MAX_AGE_DAYS
from curation.sources import Sources, choose_sources
from curation.sources.kaggle_client import KaggleClient, KaggleCredentials
from curation.warehouse import Warehouse
from validation.data_root import DataRoot
from validation.object_root import ObjectRoot


class KaggleResource(dg.ConfigurableResource):
    """Kaggle credentials for the real ``kaggle`` client. Filled from ``dg.EnvVar`` (KAGGLE_API_TOKEN, or
    KAGGLE_USERNAME and KAGGLE_KEY), so the UI shows the variables' names, never their values; or a folder holding
    kaggle.json."""

    api_token: str | None = None
    username: str | None = None
    key: str | None = None
    config_dir: str = ""

    def client(self) -> KaggleClient:
        return KaggleClient(KaggleCredentials(self.api_token, self.username, self.key,
                                              Path(self.config_dir) if self.config_dir else None))  # fmt: skip


class StorageResource(dg.ConfigurableResource):
    """The data root (MLECURATE_HOME): the warehouse, raw downloads, prepared splits, leaderboard history; and the
    curators' annotation files (MLECURATE_ANNOTATIONS, default <home>/annotations). With an object-storage home
    (``object_home``, s3://bucket/prefix) ``home`` is its local mirror, and a step works inside ``synced``."""

    home: str
    annotations: str = ""
    object_home: str = ""
    s3_endpoint_url: str = ""

    def root(self) -> DataRoot:
        Path(self.home).mkdir(parents=True, exist_ok=True)
        return DataRoot(Path(self.home), Path(self.annotations) if self.annotations else None)

    def object_root(self) -> ObjectRoot | None:
        if not self.object_home:
            return None
        return ObjectRoot(self.object_home, self.root().sync_records, Path(self.home), self.s3_endpoint_url or None)

    def synced(
        self, reads: Iterable[Part] = (), writes: Iterable[Part] = (), tables: Iterable[str] = ()
    ) -> contextlib.AbstractContextManager[DataRoot]:
        """The data root with what a step reads and writes pulled from object storage, and what it writes (``writes``,
        and the warehouse ``tables`` it replaces) pushed after it (``curation.mirror``); nothing happens with a local
        data root."""
        return synced(self.object_root(), self.root(), self.warehouse(), reads, writes, tables)

    def warehouse(self) -> Warehouse:
        root = self.root()
        return Warehouse(root.warehouse, copies=root if self.object_home else None)

    def annotation_store(self) -> AnnotationStore:
        return AnnotationStore(self.root().annotations)


class SourcesResource(dg.ConfigurableResource):
    """Where Meta Kaggle, competition data and leaderboards come from (see ``curation.sources``): MLECURATE_META_KAGGLE
    (demo, kaggle or a folder), MLECURATE_KAGGLE_MIRROR and MLECURATE_LEADERBOARDS (folders)."""

    meta_kaggle: str = "demo"
    kaggle_mirror: str = ""
    leaderboards: str = ""
    kaggle: KaggleResource | None = None  # None: no credentials (a Kaggle call then says how to set them)

    def get(self, boards_cache: Path | None = None) -> Sources:
        return choose_sources(
            self.meta_kaggle, self.kaggle.client() if self.kaggle else KaggleClient(),
            mirror=Path(self.kaggle_mirror) if self.kaggle_mirror else None,
            leaderboards=Path(self.leaderboards) if self.leaderboards else None,
            boards_cache=boards_cache,
        )  # fmt: skip


class LeaderboardAgeResource(dg.ConfigurableResource):
    """How old a board may be before the schedule refreshes it and ``boards_fresh`` flags it
    (MLECURATE_LEADERBOARD_MAX_AGE_DAYS)."""

    max_age_days: float = DEFAULT_MAX_AGE_DAYS
