"""A local folder laid out as Kaggle downloads are: for air-gapped machines, mirrors and MLE-bench's files.

>>> FolderSource(Path("/data/meta-kaggle")).competitions_file(workdir)   # /data/meta-kaggle/Competitions.csv
>>> FolderSource(Path("/data/mirror")).download_competition("titanic", folder)   # copies /data/mirror/titanic/titanic.zip

What the folder may hold, each optional:

- ``Competitions.csv`` (Meta Kaggle; ``root`` may also be the CSV itself), with ``Teams.csv`` and ``Submissions.csv``
  beside it to rebuild private leaderboards (Meta Kaggle's own route: ranked teams and their private scores; with
  ``boards_cache`` set, the pipeline's ``$MLECURATE_HOME/sources/meta-kaggle-boards/``, the first rebuild keeps
  narrow Parquet copies of the two there for the next competitions' rebuilds; nothing is written beside the dump);
- ``<slug>/<slug>.zip``: a competition's data bundle, as Kaggle's download names it; without it, the files of
  ``<slug>/`` unpacked (``train.csv``, ``test.csv``, folders...) are zipped into the bundle, so a folder like
  ``../shared/data/competitions`` is a mirror as it is. Left out of that bundle: the mirror's own files (see below),
  ``PROVENANCE.md`` (a mirror's notes on where its files came from), and every entry whose name starts with ``.`` or
  ``_`` at any depth (hidden files, and folders such as ``_zips/`` that keep the original archives of files that sit
  unpacked beside them); symlinks to files are followed. The bundle is built atomically and its bytes depend only on
  the files' names and contents (fixed timestamps, sorted), so its sha256 changes only when the data does;
- ``<slug>/leaderboard.csv``: a private leaderboard (MLE-bench's ``competitions`` folder holds one per competition);
- ``<slug>/description.md``: the competition's description (Markdown), served by :meth:`FolderSource.description`
  (else Meta Kaggle's ``Overview`` column, which 2025 dumps carry);
- ``<slug>/listing.json``: what Kaggle lists about the competition, for one outside Meta Kaggle's dump: a JSON object
  with any of ``title`` (text), ``evaluation_metric`` (Kaggle's metric name, e.g. "Categorization Accuracy"),
  ``deadline`` (ISO 8601 date or date-time), ``team_count`` (a whole number), ``url``, ``awards_medals`` and
  ``code_competition`` (true or false: Kaggle's ``awardsPoints`` and ``isKernelsSubmissionsOnly``, which an export's
  ``config.yaml`` says as ``awards_medals`` and ``competition_type: code``); another key is an error.

What the folder does not hold comes from ``fallback`` when one is set (Kaggle, for a Meta Kaggle folder), else raises
:class:`NotProvided`.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from curation.meta_kaggle import COMPETITIONS_FILE
from curation.meta_kaggle_boards import SUBMISSIONS_FILE, TEAMS_FILE, read_board_rows
from curation.sources.base import (
    CompetitionListing,
    FetchedBoard,
    NoLeaderboardError,
    NotProvided,
    Source,
    SourceError,
    SourceFile,
)
from validation.data_files import ONE_FILE, path_literal, serial_option, utc_connection
from validation.data_root import atomic_path, slug_folder
from validation.leaderboard import Leaderboard, leaderboard_from_frame, read_leaderboard

BOARD_FILE = "leaderboard.csv"  # MLE-bench's name for a competition's private leaderboard
DESCRIPTION_FILE = "description.md"  # MLE-bench's name for a competition's description
LISTING_FILE = "listing.json"  # what Kaggle lists about a competition (see the module docstring)
NOT_DATA = {BOARD_FILE, DESCRIPTION_FILE, LISTING_FILE, "PROVENANCE.md"}  # a mirror's own files, never in the bundle
LISTING_KEYS = {"title": str, "evaluation_metric": str, "deadline": str, "team_count": int, "url": str,
                "awards_medals": bool, "code_competition": bool}  # fmt: skip
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # every member's, so the bundle's bytes depend on the data alone


@dataclass(frozen=True)
class FolderSource:
    root: Path
    fallback: Source | None = None
    configured_as: str = ""  # how a person set it (e.g. MLECURATE_META_KAGGLE='/data'), for messages
    name: str = "folder"
    boards_cache: Path | None = None  # narrow Parquet copies of Teams/Submissions (None: every rebuild reads the CSVs)
    file_is_meta_kaggle: bool = False  # a root that is a file is Meta Kaggle's Competitions.csv (MLECURATE_META_KAGGLE)

    def competitions_file(self, workdir: Path) -> SourceFile:
        path = self._competitions_csv()
        if path is None:
            raise SourceError(
                f"{self.configured_as or self.root}: no {COMPETITIONS_FILE} there; use 'demo', 'kaggle', or a folder "
                f"holding Meta Kaggle's {COMPETITIONS_FILE}"
            )
        return SourceFile(path, f"folder: {path}")

    def download_competition(self, slug: str, folder: Path) -> Path:
        bundle = self._mirror(slug) / f"{slug}.zip"
        files = [] if bundle.is_file() else mirror_data_files(self._mirror(slug))
        if not bundle.is_file() and not files:
            if self.fallback is not None:
                return self.fallback.download_competition(slug, folder)
            if missing := self._missing_folder(slug):
                raise NotProvided(missing)
            what = "only files that are not data" if self._mirror(slug).is_dir() else "no folder"
            raise NotProvided(
                f"{slug}: the mirror {self._folder} has no {slug}/{slug}.zip and {what} {slug}/ of its files "
                f"(left out of a bundle: {', '.join(sorted(NOT_DATA))}, and names starting with '.' or '_')"
            )
        final = folder / f"{slug}.zip"
        with atomic_path(final) as tmp:
            if bundle.is_file():
                shutil.copyfile(bundle, tmp)
            else:
                _zip_files(self._mirror(slug), files, tmp)
        return final

    def leaderboard(self, slug: str, workdir: Path) -> FetchedBoard:
        board = self._mirror(slug) / BOARD_FILE
        if board.is_file():
            return FetchedBoard(read_leaderboard(board), self.name)  # mle-bench, mirror or folder
        competition_id = self._competition_value(slug, "Id") if self._has_meta_kaggle_boards() else None
        if competition_id is not None:
            board = rebuild_from_meta_kaggle(self._folder, int(competition_id), self.boards_cache)
            return FetchedBoard(board, "meta-kaggle")
        if self.fallback is not None:
            return self.fallback.leaderboard(slug, workdir)
        raise NoLeaderboardError(self._missing_folder(slug) or f"{slug}: no leaderboard at {board}", self.name)

    def listing(self, slug: str) -> CompetitionListing | None:
        """``<slug>/listing.json`` (see the module docstring), else the fallback's listing, else None."""
        path = self._mirror(slug) / LISTING_FILE
        if path.is_file():
            return read_listing(path, slug, self.name)
        return self.fallback.listing(slug) if self.fallback is not None else None

    def description(self, slug: str) -> str | None:
        """``<slug>/description.md``, else Meta Kaggle's Overview column (2025 dumps carry the page texts; older
        ones have none), else None."""
        path = self._mirror(slug) / DESCRIPTION_FILE
        if path.is_file():
            text = path.read_text(encoding="utf-8-sig")
            return text if text.strip() else None
        return self._competition_value(slug, "Overview")

    def score_submission(self, slug: str, submission: Path, message: str) -> float:
        raise NotProvided(f"{slug}: a folder cannot score submissions on Kaggle's original test set")

    @property
    def _folder(self) -> Path:
        """The folder: the root, or the folder of a root that is Meta Kaggle's Competitions.csv itself."""
        return self.root.parent if self.file_is_meta_kaggle and self.root.is_file() else self.root

    def _missing_folder(self, slug: str) -> str | None:
        """What to say when the root is no folder, naming the setting (a mistyped one, or one naming a file, was once
        taken for Competitions.csv and its parent searched, so the error named a folder the curator never set, or the
        parent's competitions were used); None when it is one."""
        if self._folder.is_dir():
            return None
        where, absolute = self.configured_as or str(self.root), self.root.absolute()
        what = "a file, not a folder" if self.root.exists() else "no such folder"
        return f"{slug}: {where}: {what}" + (f" ({absolute})" if absolute != self.root else "")

    def _mirror(self, slug: str) -> Path:
        """The competition's own folder in the mirror (a slug that is a path is refused, never followed)."""
        return slug_folder(self._folder, slug)

    def _competitions_csv(self) -> Path | None:
        path = self.root / COMPETITIONS_FILE if self.root.is_dir() else self.root
        return path.resolve() if path.is_file() else None

    def _has_meta_kaggle_boards(self) -> bool:
        return (self._folder / TEAMS_FILE).is_file() and (self._folder / SUBMISSIONS_FILE).is_file()

    def _competition_value(self, slug: str, column: str) -> str | None:
        """One column of the competition's row in Competitions.csv (None without the file, the column or the row)."""
        path = self._competitions_csv()
        if path is None:
            return None
        with utc_connection() as con:
            source = (
                f"read_csv({path_literal(path)}, all_varchar = true, header = true, max_line_size = 100000000"
                f"{serial_option(path)}{ONE_FILE})"
            )
            if column not in [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]:
                return None
            found = con.execute(f'SELECT "{column}" FROM {source} WHERE "Slug" = ?', [slug]).fetchone()
        return found[0] if found and found[0] else None


def mirror_data_files(folder: Path) -> list[str]:
    """The competition's data files in a mirror's ``<slug>/`` folder, as sorted relative POSIX paths (what the
    bundle holds: everything but the mirror's own files and names starting with ``.`` or ``_``)."""
    if not folder.is_dir():
        return []
    found = []
    for parent, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in names:
            path = Path(parent) / name
            relative = path.relative_to(folder).as_posix()
            if name.startswith((".", "_")) or relative in NOT_DATA or not path.is_file():
                continue
            found.append(relative)
    return sorted(found)


def _zip_files(folder: Path, files: list[str], target: Path) -> None:
    """Zip ``files`` (relative to ``folder``) into ``target``, stored (no compression: a local copy), streamed."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED, allowZip64=True) as bundle:
        for name in files:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.external_attr = 0o644 << 16
            with open(folder / name, "rb") as source, bundle.open(info, "w", force_zip64=True) as member:
                shutil.copyfileobj(source, member, 1 << 20)


def read_listing(path: Path, slug: str, source: str) -> CompetitionListing:
    """A mirror's ``<slug>/listing.json``; a bad file, key or value raises :class:`SourceError` naming them."""
    where = f"{path} (competition {slug})"
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceError(f"{where}: not valid JSON: {error}") from error
    if not isinstance(document, dict):
        raise SourceError(f"{where}: expected a JSON object with keys {', '.join(LISTING_KEYS)}")
    document = {k: v for k, v in document.items() if v is not None}
    if document.pop("slug", slug) != slug:
        raise SourceError(f"{where}: key 'slug' says another competition; expected {slug!r}")
    unknown = sorted(set(document) - set(LISTING_KEYS))
    if unknown:
        raise SourceError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; known: {', '.join(LISTING_KEYS)}")
    for key, kind in LISTING_KEYS.items():
        value = document.get(key)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool) != (kind is bool)):
            expected = {int: "a whole number", bool: "true or false"}.get(kind, "text")
            raise SourceError(f"{where}: key {key!r} must be {expected}, not {value!r}")
    if document.get("team_count") is not None and document["team_count"] < 0:
        raise SourceError(f"{where}: key 'team_count' must not be negative, not {document['team_count']!r}")
    if document.get("deadline"):
        try:
            datetime.fromisoformat(document["deadline"].replace("Z", "+00:00"))
        except ValueError as error:
            raise SourceError(f"{where}: key 'deadline' is not an ISO 8601 date: {document['deadline']!r}") from error
    return CompetitionListing(slug=slug, source=source, **document)


def rebuild_from_meta_kaggle(folder: Path, competition_id: int, cache: Path | None = None) -> Leaderboard:
    """A private leaderboard from Meta Kaggle's Teams.csv and Submissions.csv (SCHEMA.md's official route):
    ranked teams by PrivateLeaderboardRank, each with its private-leaderboard submission's private score. DuckDB reads
    only the competition's rows (:mod:`curation.meta_kaggle_boards`); ``cache`` keeps narrow Parquet copies of the
    tables there for the next competition's rebuild."""
    rows = read_board_rows(folder, competition_id, cache)
    mine = rows.teams
    if "IsBenchmark" in mine:
        mine = mine[mine["IsBenchmark"] != "True"]
    mine = mine[mine["PrivateLeaderboardRank"].str.strip() != ""]
    joined = mine.merge(
        rows.submissions, left_on="PrivateLeaderboardSubmissionId", right_on="Id", suffixes=("", "_submission")
    )
    board = pd.DataFrame({
        "rank": joined["PrivateLeaderboardRank"], "teamid": joined["Id"],
        "score": joined["PrivateScoreFullPrecision"],
        "submissiondate": joined.get("SubmissionDate", pd.Series([""] * len(joined))),
    })  # fmt: skip
    return leaderboard_from_frame(board, f"{folder / TEAMS_FILE} (competition {competition_id})")
