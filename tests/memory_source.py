"""A source that exists only for the tests: one competition, its board generated in memory, its data the shared titanic files.

It proves that a source is one module implementing ``curation.sources.Source`` plus one line where sources are
chosen (``SOURCES["memory"] = ...``); nothing else in mlecurate changes.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from curation.sources import CompetitionListing, FetchedBoard, NoLeaderboardError, NotProvided, SourceFile
from tests.conftest import SHARED
from validation.data_root import write_atomic
from validation.leaderboard import parse_leaderboard

SLUG = "memory-titanic"
COMPETITIONS_CSV = (
    '"Id","Slug","Title","HostSegmentTitle","EnabledDate","DeadlineDate","HasLeaderboard",'
    '"EvaluationAlgorithmName","EvaluationAlgorithmIsMax","TotalTeams"\r\n'
    f'"1","{SLUG}","Titanic, from memory","Featured","01/02/2020 00:00:00","03/02/2020 00:00:00","True",'
    '"Categorization Accuracy","True","120"\r\n'
    '"2","memory-community","A class project","Community","01/02/2020 00:00:00","03/02/2020 00:00:00","True",'
    '"Categorization Accuracy","True","10"\r\n'
)


@dataclass(frozen=True)
class MemorySource:
    name: str = "memory"

    def competitions_file(self, workdir: Path) -> SourceFile:
        path = workdir / "Competitions.csv"
        write_atomic(path, COMPETITIONS_CSV)
        return SourceFile(path, "memory: the test source")

    def download_competition(self, slug: str, folder: Path) -> Path:
        if slug != SLUG:
            raise NotProvided(f"{slug}: the memory source has only {SLUG}")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as bundle:
            for name in ("train.csv", "test.csv", "gender_submission.csv"):
                bundle.write(SHARED / "competitions" / "titanic" / name, name)
        path = folder / f"{slug}.zip"
        write_atomic(path, buffer.getvalue())
        return path

    def leaderboard(self, slug: str, workdir: Path) -> FetchedBoard:
        if slug != SLUG:
            raise NoLeaderboardError(f"{slug}: the memory source has only {SLUG}")
        rows = [f"{1000 + rank},team{rank},2020-03-01 00:00:00,{0.84 - rank * 0.002:.5f}" for rank in range(120)]
        board = "TeamId,TeamName,SubmissionDate,Score\n" + "\n".join(rows) + "\n"  # Kaggle's download format
        return FetchedBoard(parse_leaderboard(board.encode(), f"memory leaderboard of {slug}"), self.name)

    def listing(self, slug: str) -> CompetitionListing | None:
        if slug != SLUG:
            return None
        return CompetitionListing(slug, self.name, title="Titanic, from memory", evaluation_metric="Categorization Accuracy",
                                  deadline="2020-03-02T00:00:00", team_count=120)  # fmt: skip

    def description(self, slug: str) -> str | None:
        return "Predict who survived the Titanic (served by the memory source)." if slug == SLUG else None
