"""The one protocol for everything that comes from outside: Meta Kaggle, a competition's files, its leaderboard, its page.

>>> source.competitions_file(workdir)            # Meta Kaggle's Competitions.csv, as a local file
>>> source.download_competition("titanic", folder) # folder/titanic.zip, written atomically
>>> source.leaderboard("titanic", workdir)       # the full private leaderboard
>>> source.description("titanic")                # the competition's page text, or None
>>> source.listing("titanic")                    # Kaggle's list entry (title, metric, deadline, teams), or None
>>> source.score_submission("titanic", path, "parity check")   # a score on the original test set

Implementations: ``demo`` (generated here), ``folder`` (a local folder laid out as Kaggle downloads are: Meta Kaggle's
CSVs, ``<slug>/<slug>.zip`` or the files unpacked in ``<slug>/``, MLE-bench's ``<slug>/leaderboard.csv`` and
``<slug>/description.md``, an optional ``<slug>/listing.json``), ``kaggle`` (the real client: the competition's pages
are its description, its entry in the competition search its listing). A source that does
not have something raises :class:`NotProvided` (or its subclass :class:`NoLeaderboardError`), never guesses; a
source that is misconfigured (a folder without Competitions.csv) raises :class:`SourceError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from validation.leaderboard import Leaderboard


class SourceError(ValueError):
    """The configured source cannot be used; the message says what was configured and what is wrong. Asking again
    gives the same answer (a mirror without the competition, a folder without Competitions.csv): orchestrators do
    not retry it (``permanent``, as :class:`curation.sources.kaggle_client.KaggleError` says of its refusals)."""

    permanent = True


class NotProvided(SourceError):
    """The source does not provide this thing (for this competition)."""


class NoLeaderboardError(NotProvided):
    """The source has no leaderboard for this competition (recorded as such, not an error of the run)."""

    def __init__(self, message: str, source: str | None = None):
        super().__init__(message)
        self.source = source  # the source that answered, when it is not the one asked (a folder's fallback)


@dataclass(frozen=True)
class SourceFile:
    path: Path
    origin: str  # a line a person reads in the UI: where this file came from


@dataclass(frozen=True)
class FetchedBoard:
    board: Leaderboard
    source: str  # recorded in the leaderboard history: kaggle, mle-bench, meta-kaggle, demo


@dataclass(frozen=True)
class CompetitionListing:
    """What a source lists about one competition: the facts a competition outside Meta Kaggle's dump lacks (one
    launched after the dump, or an always-open Getting Started competition the dump leaves out)."""

    slug: str
    source: str  # which source listed it: kaggle, folder, demo, ...
    title: str | None = None
    evaluation_metric: str | None = None  # the metric's name as Kaggle spells it (resolved by validation.metrics)
    deadline: str | None = None  # ISO 8601
    team_count: int | None = None
    url: str | None = None
    awards_medals: bool | None = None  # Kaggle's awardsPoints: its ranks give medals (Meta Kaggle's CanQualifyTiers)
    code_competition: bool | None = None  # Kaggle's isKernelsSubmissionsOnly (Meta Kaggle's OnlyAllowKernelSubmissions)


class Source(Protocol):
    name: str

    def competitions_file(self, workdir: Path) -> SourceFile:
        """Meta Kaggle's ``Competitions.csv`` as a local file (fetched or generated into ``workdir`` if needed)."""
        ...

    def download_competition(self, slug: str, folder: Path) -> Path:
        """Put the competition's data bundle ``<slug>.zip`` into ``folder`` (atomically); return its path."""
        ...

    def leaderboard(self, slug: str, workdir: Path) -> FetchedBoard:
        """The competition's full private leaderboard; ``workdir`` may hold a download while it is read."""
        ...

    def description(self, slug: str) -> str | None:
        """The competition's own text as Markdown (Kaggle's pages, a mirror's description.md, Meta Kaggle's Overview
        column), or None when the source has none. ``curation.competition_data.resolve_description`` chooses among
        sources."""
        ...

    def listing(self, slug: str) -> CompetitionListing | None:
        """What the source lists about ``slug`` (title, metric, deadline, team count), or None when it lists nothing."""
        ...

    def score_submission(self, slug: str, submission: Path, message: str) -> float:
        """Kaggle's private score of ``submission`` on the competition's original test set (a late submission);
        raises :class:`NotProvided` when the source cannot score."""
        ...
