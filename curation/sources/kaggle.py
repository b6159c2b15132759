"""The Kaggle source: Meta Kaggle's dataset, competition data, leaderboards and pages, through the real client.

>>> KaggleSource(KaggleClient(credentials)).download_competition("titanic", folder)

Only the files the pipeline reads are downloaded: ``Competitions.csv`` of the dataset ``kaggle/meta-kaggle``, never
the whole multi-GB dataset; the leaderboard download (the full board), never the 20-row view.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from curation.meta_kaggle import COMPETITIONS_FILE
from curation.sources.base import FetchedBoard, NoLeaderboardError, SourceFile
from curation.sources.kaggle_client import KaggleClient, KaggleError
from validation.leaderboard import read_leaderboard

META_KAGGLE_DATASET = "kaggle/meta-kaggle"


@dataclass(frozen=True)
class KaggleSource:
    client: KaggleClient
    name: str = "kaggle"

    def competitions_file(self, workdir: Path) -> SourceFile:
        path = self.client.download_dataset_file(META_KAGGLE_DATASET, COMPETITIONS_FILE, workdir)
        return SourceFile(path, f"kaggle: dataset {META_KAGGLE_DATASET}, file {COMPETITIONS_FILE}")

    def download_competition(self, slug: str, folder: Path) -> Path:
        return self.client.download_competition(slug, folder)

    def leaderboard(self, slug: str, workdir: Path) -> FetchedBoard:
        try:
            archive = self.client.download_leaderboard(slug, workdir)
        except KaggleError as error:
            if "404" in str(error) or "notfound" in str(error).lower().replace(" ", ""):
                raise NoLeaderboardError(f"{slug}: Kaggle has no leaderboard for it ({error})", self.name) from error
            raise
        try:
            return FetchedBoard(read_leaderboard(archive, f"Kaggle's leaderboard download for {slug}"), self.name)
        finally:
            archive.unlink(missing_ok=True)

    def listing(self, slug: str):  # noqa: ANN201 - filled in by the sources' owner
        return None

    def description(self, slug: str) -> str | None:
        return self.client.competition_description(slug)

    def score_submission(self, slug: str, submission: Path, message: str) -> float:
        private, _ = self.client.score_late_submission(slug, submission, message)
        return private
