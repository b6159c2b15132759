"""Sources: where everything from outside comes from, chosen once, from settings, never by editing code.

>>> sources = choose_sources("demo", kaggle=KaggleClient())
>>> sources.meta_kaggle.competitions_file(workdir)
>>> sources.competition_data.download_competition("titanic", folder)
>>> sources.leaderboards.leaderboard("titanic", workdir)

``MLECURATE_META_KAGGLE`` names the source: a name in :data:`SOURCES` (``demo``, ``kaggle``), which then serves
everything, or a Meta Kaggle folder (:class:`FolderSource`), with competition data from Kaggle and leaderboards
rebuilt from the folder's Teams.csv and Submissions.csv when it has them, else from Kaggle. Two settings route one concern elsewhere:
``MLECURATE_KAGGLE_MIRROR`` (competition data from a folder of ``<slug>/<slug>.zip`` or ``<slug>/`` of unpacked files) and ``MLECURATE_LEADERBOARDS``
(leaderboards from a folder of ``<slug>/leaderboard.csv``; a mirror serves the boards it holds, and no others). Adding a source is one module implementing
:class:`Source` and one line in :data:`SOURCES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from curation.sources.base import (
    CompetitionListing,
    FetchedBoard,
    NoLeaderboardError,
    NotProvided,
    Source,
    SourceError,
    SourceFile,
)
from curation.sources.demo import DemoSource
from curation.sources.folder import FolderSource
from curation.sources.kaggle import KaggleSource
from curation.sources.kaggle_client import KaggleClient

__all__ = [
    "SOURCES", "CompetitionListing", "FetchedBoard", "FolderSource", "NoLeaderboardError", "NotProvided", "Source", "SourceError",
    "SourceFile", "Sources", "choose_sources",
]  # fmt: skip

# Named sources: MLECURATE_META_KAGGLE=<name>. Anything else is a folder path.
SOURCES: dict[str, Callable[[KaggleClient], Source]] = {
    "demo": lambda kaggle: DemoSource(),
    "kaggle": lambda kaggle: KaggleSource(kaggle),
}


@dataclass(frozen=True)
class Sources:
    """Which source serves what."""

    meta_kaggle: Source
    competition_data: Source
    leaderboards: Source
    local_leaderboards: Source | None = None  # boards read without fetching: MLECURATE_LEADERBOARDS, else the mirror


def choose_sources(
    meta_kaggle: str,
    kaggle: KaggleClient,
    mirror: Path | None = None,
    leaderboards: Path | None = None,
    boards_cache: Path | None = None,
) -> Sources:
    """The sources for these settings (see the module docstring); nothing is fetched or checked yet. ``boards_cache``:
    where a Meta Kaggle folder's leaderboard rebuilds keep narrow copies of Teams.csv and Submissions.csv."""
    setting = (meta_kaggle or "demo").strip()
    boards = (
        FolderSource(leaderboards, name="mle-bench", configured_as=f"MLECURATE_LEADERBOARDS={str(leaderboards)!r}")
        if leaderboards
        else None
    )
    mirrored = (
        FolderSource(mirror, name="mirror", configured_as=f"MLECURATE_KAGGLE_MIRROR={str(mirror)!r}")
        if mirror
        else None
    )
    if setting in SOURCES:
        primary = data = SOURCES[setting](kaggle)
        board_source = boards or mirrored or primary  # an air-gapped mirror never reaches out for a board
    else:  # a Meta Kaggle folder: competition data from Kaggle; boards rebuilt from the folder, else the mirror's or Kaggle's
        data = KaggleSource(kaggle)
        primary = FolderSource(Path(setting).expanduser(), fallback=mirrored or data, file_is_meta_kaggle=True,
                               configured_as=f"MLECURATE_META_KAGGLE={setting!r}", boards_cache=boards_cache)  # fmt: skip
        board_source = boards or primary
    return Sources(
        meta_kaggle=primary,
        competition_data=mirrored or data,
        leaderboards=board_source,
        local_leaderboards=boards or mirrored,  # read without fetching: a folder's boards are there already
    )
