"""A local folder laid out as Kaggle downloads are: for air-gapped machines, mirrors and MLE-bench's files.

>>> FolderSource(Path("/data/meta-kaggle")).competitions_file(workdir)   # /data/meta-kaggle/Competitions.csv
>>> FolderSource(Path("/data/mirror")).download_competition("titanic", folder)   # copies /data/mirror/titanic/titanic.zip

What the folder may hold, each optional:

- ``Competitions.csv`` (Meta Kaggle; ``root`` may also be the CSV itself), with ``Teams.csv`` and ``Submissions.csv``
  beside it to rebuild private leaderboards (Meta Kaggle's own route: ranked teams and their private scores);
- ``<slug>/<slug>.zip``: a competition's data bundle, as Kaggle's download names it;
- ``<slug>/leaderboard.csv``: a private leaderboard (MLE-bench's ``competitions`` folder holds one per competition).

What the folder does not hold comes from ``fallback`` when one is set (Kaggle, for a Meta Kaggle folder), else raises
:class:`NotProvided`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from curation.meta_kaggle import COMPETITIONS_FILE
from curation.sources.base import FetchedBoard, NoLeaderboardError, NotProvided, Source, SourceError, SourceFile
from validation.data_files import literal
from validation.data_root import atomic_path
from validation.leaderboard import Leaderboard, LeaderboardError, leaderboard_from_frame, read_leaderboard

BOARD_FILE = "leaderboard.csv"  # MLE-bench's name for a competition's private leaderboard


@dataclass(frozen=True)
class FolderSource:
    root: Path
    fallback: Source | None = None
    configured_as: str = ""  # how a person set it (e.g. MLECURATE_META_KAGGLE='/data'), for messages
    name: str = "folder"

    def competitions_file(self, workdir: Path) -> SourceFile:
        path = self._competitions_csv()
        if path is None:
            raise SourceError(
                f"{self.configured_as or self.root}: no {COMPETITIONS_FILE} there; use 'demo', 'kaggle', or a folder "
                f"holding Meta Kaggle's {COMPETITIONS_FILE}"
            )
        return SourceFile(path, f"folder: {path}")

    def download_competition(self, slug: str, folder: Path) -> Path:
        bundle = self._folder / slug / f"{slug}.zip"
        if not bundle.is_file():
            if self.fallback is not None:
                return self.fallback.download_competition(slug, folder)
            raise NotProvided(f"{slug}: the mirror {self._folder} has no {slug}/{slug}.zip")
        final = folder / f"{slug}.zip"
        with atomic_path(final) as tmp:
            shutil.copyfile(bundle, tmp)
        return final

    def leaderboard(self, slug: str, workdir: Path) -> FetchedBoard:
        board = self._folder / slug / BOARD_FILE
        if board.is_file():
            return FetchedBoard(read_leaderboard(board), self.name)  # mle-bench, mirror or folder
        competition_id = self._competition_value(slug, "Id") if self._has_meta_kaggle_boards() else None
        if competition_id is not None:
            return FetchedBoard(rebuild_from_meta_kaggle(self._folder, int(competition_id)), "meta-kaggle")
        if self.fallback is not None:
            return self.fallback.leaderboard(slug, workdir)
        raise NoLeaderboardError(f"{slug}: no leaderboard at {board}", self.name)

    def listing(self, slug: str):  # noqa: ANN201 - filled in by the sources' owner
        return None

    def description(self, slug: str) -> str | None:
        return self._competition_value(slug, "Overview")  # 2025 dumps carry the page texts; older ones have none

    def score_submission(self, slug: str, submission: Path, message: str) -> float:
        raise NotProvided(f"{slug}: a folder cannot score submissions on Kaggle's original test set")

    @property
    def _folder(self) -> Path:
        return self.root if self.root.is_dir() else self.root.parent

    def _competitions_csv(self) -> Path | None:
        path = self.root / COMPETITIONS_FILE if self.root.is_dir() else self.root
        return path.resolve() if path.is_file() else None

    def _has_meta_kaggle_boards(self) -> bool:
        return (self._folder / "Teams.csv").is_file() and (self._folder / "Submissions.csv").is_file()

    def _competition_value(self, slug: str, column: str) -> str | None:
        """One column of the competition's row in Competitions.csv (None without the file, the column or the row)."""
        path = self._competitions_csv()
        if path is None:
            return None
        with duckdb.connect() as con:
            source = f"read_csv({literal(str(path))}, all_varchar = true, header = true, max_line_size = 100000000)"
            if column not in [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]:
                return None
            found = con.execute(f'SELECT "{column}" FROM {source} WHERE "Slug" = ?', [slug]).fetchone()
        return found[0] if found and found[0] else None


def rebuild_from_meta_kaggle(folder: Path, competition_id: int) -> Leaderboard:
    """A private leaderboard from Meta Kaggle's Teams.csv and Submissions.csv (SCHEMA.md's official route):
    ranked teams by PrivateLeaderboardRank, each with its private-leaderboard submission's private score."""
    teams = pd.read_csv(folder / "Teams.csv", dtype=str, keep_default_na=False)
    submissions = pd.read_csv(folder / "Submissions.csv", dtype=str, keep_default_na=False)
    for name, frame, needed in [
        ("Teams.csv", teams, ("Id", "CompetitionId", "PrivateLeaderboardSubmissionId", "PrivateLeaderboardRank")),
        ("Submissions.csv", submissions, ("Id", "PrivateScoreFullPrecision")),
    ]:
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise LeaderboardError(f"{folder / name}: column(s) {', '.join(missing)} missing")
    mine = teams[teams["CompetitionId"] == str(competition_id)]
    if "IsBenchmark" in mine:
        mine = mine[mine["IsBenchmark"] != "True"]
    mine = mine[mine["PrivateLeaderboardRank"].str.strip() != ""]
    joined = mine.merge(
        submissions, left_on="PrivateLeaderboardSubmissionId", right_on="Id", suffixes=("", "_submission")
    )
    board = pd.DataFrame({
        "rank": joined["PrivateLeaderboardRank"], "teamid": joined["Id"],
        "score": joined["PrivateScoreFullPrecision"],
        "submissiondate": joined.get("SubmissionDate", pd.Series([""] * len(joined))),
    })  # fmt: skip
    return leaderboard_from_frame(board, f"{folder / 'Teams.csv'} (competition {competition_id})")
