"""A competition's private leaderboard: one type, one parser, for grading, parity, snapshots and medal thresholds.

>>> board = read_leaderboard(Path("leaderboard.csv"))     # a CSV, or Kaggle's zip holding one
>>> board.teams                                           # rank, team_id, score, submission_date; best first
>>> board.scores, board.team_count, board.content_hash()

Accepted headers (column names compared case-insensitively, other columns ignored):

- Kaggle's leaderboard download: ``TeamId,TeamName,SubmissionDate,Score`` (rows in rank order);
- MLE-bench's ``leaderboard.csv``: ``scoreNullable,teamId,hasTeamName,submissionDate,score,hasScore`` (rank order);
- the Meta Kaggle rebuild: ``rank,teamid,score,submissiondate`` (ranks given).

A board that cannot be used raises :class:`LeaderboardError`, whose message names where the board came from, the
line and what is wrong.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from validation.archives import ArchiveError, ZipLimits, open_zip
from validation.float_text import to_numeric
from validation.messages import shown, shown_list

COLUMN_NAMES = {  # accepted spellings (lower-cased) -> ours
    "teamid": "team_id", "team_id": "team_id", "score": "score", "submissiondate": "submission_date",
    "submission_date": "submission_date", "rank": "rank",
}  # fmt: skip
FIRST_DATA_LINE = 2  # line 1 of a board is its header
MAX_RANK = 10**9  # no competition has had a million teams; a larger rank is damage (and would overflow int64)


class LeaderboardError(ValueError):
    """A leaderboard cannot be used; the message names its file or origin, the line and the problem."""


@dataclass(frozen=True)
class Leaderboard:
    teams: pd.DataFrame  # rank (int64), team_id (str), score (float), submission_date (str or None); best first
    origin: str  # where the board came from, for messages

    def __post_init__(self):
        # Every way in (a file, the Meta Kaggle rebuild, a stored snapshot) ends here: a board's scores are finite.
        finite = np.isfinite(self.scores)
        if not finite.all():
            first = self.teams.iloc[int(np.flatnonzero(~finite)[0])]
            raise LeaderboardError(
                f"{self.origin}: team {shown(first['team_id'])} (rank {first['rank']}) has score {first['score']}: "
                "a score must be a finite number"
            )

    @property
    def scores(self) -> np.ndarray:
        """The scores in rank order, best first."""
        return self.teams["score"].to_numpy(dtype=float)

    @property
    def team_count(self) -> int:
        return len(self.teams)

    def content_hash(self) -> str:
        """What the board says (team, rank, score), independent of row order and dates: snapshot history compares
        these, so the algorithm must never change."""
        canonical = self.teams[["team_id", "rank", "score"]].sort_values("team_id").to_csv(index=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def order_direction(self) -> bool | None:
        """True when the board is sorted higher-first, False lower-first, None when it cannot tell."""
        diffs = np.diff(self.scores)
        if (diffs <= 0).all() and (diffs < 0).any():
            return True
        if (diffs >= 0).all() and (diffs > 0).any():
            return False
        return None

    @classmethod
    def from_scores(cls, scores, origin: str) -> Leaderboard:
        """A board of bare scores, already in rank order: ranks 1..n, team ids "1".."n", no dates."""
        values = np.asarray(scores, dtype=float)
        return leaderboard_from_frame(pd.DataFrame({"rank": np.arange(1, len(values) + 1), "score": values}), origin)


def read_leaderboard(path: Path, origin: str | None = None) -> Leaderboard:
    """A leaderboard CSV, or a zip holding exactly one (Kaggle's download)."""
    origin = origin or str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise LeaderboardError(f"{origin}: cannot be read ({error.strerror or error})") from error
    return parse_leaderboard(data, origin)


def parse_leaderboard(data: bytes, origin: str) -> Leaderboard:
    """A leaderboard from the bytes of a CSV, or of a zip holding exactly one CSV (read under the archive limits: a
    board is held in memory, so its CSV may expand to 64 MiB at most, hundreds of times Kaggle's largest boards)."""
    if data.startswith(b"version https://git-lfs.github.com/spec/"):  # MLE-bench's own boards, unfetched (sweep 179)
        raise LeaderboardError(
            f"{origin}: a Git LFS pointer, not the leaderboard: fetch the file (git lfs pull in its repository), or "
            "use ../shared/data/mle-bench's copy"
        )
    try:
        if zipfile.is_zipfile(io.BytesIO(data)):
            with open_zip(data, origin, ZipLimits(max_total_bytes=64 * 1024**2)) as bundle:
                names = [n for n in bundle.files if n.lower().endswith(".csv")]
                if len(names) != 1:
                    raise LeaderboardError(f"{origin}: expected one CSV in the zip, found {names or 'none'}")
                data = bundle.read(names[0])
        _check_header(data, origin)
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except ArchiveError as error:
        raise LeaderboardError(f"{error} (a leaderboard zip)") from error  # the message already names the origin
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise LeaderboardError(f"{origin}: not a leaderboard CSV ({str(error).strip().splitlines()[0]})") from error
    return leaderboard_from_frame(frame, origin)


def _check_header(data: bytes, origin: str) -> None:
    """The header as written, before pandas reads it: pandas would rename a repeated ``score`` to ``score.1`` (in
    time quadratic in the repeats) and the board would silently use the first."""
    first_line = data[: data.find(b"\n") if b"\n" in data else len(data)].decode("utf-8-sig", errors="replace")
    try:
        header = next(csv.reader([first_line]), [])
    except csv.Error as error:  # e.g. a name past csv's 128 KiB field limit
        raise LeaderboardError(f"{origin}: line 1: not a leaderboard header ({shown(error)})") from error
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise LeaderboardError(f"{origin}: line 1: column {shown(name)!r} appears more than once; keep one")
        seen.add(name)


def leaderboard_from_frame(frame: pd.DataFrame, origin: str) -> Leaderboard:
    """A leaderboard from a frame with any accepted spelling of the columns (text or already typed), one row per
    team; without a ``rank`` column the rows are taken to be in rank order."""
    renames = {c: COLUMN_NAMES[str(c).lower()] for c in frame.columns if str(c).lower() in COLUMN_NAMES}
    twice = sorted({v for v in renames.values() if list(renames.values()).count(v) > 1})
    if twice:
        spelled = [str(c) for c, v in renames.items() if v in twice]
        raise LeaderboardError(f"{origin}: columns {shown_list(spelled)} all name the {twice[0]}; keep one")
    if "score" not in renames.values():
        found = shown_list(map(str, frame.columns)) or "nothing"
        raise LeaderboardError(f"{origin}: no score column (found {found})")
    frame = frame.rename(columns=renames).reset_index(drop=True)
    if frame.empty:
        raise LeaderboardError(f"{origin}: the leaderboard has no teams")
    scores = _numbers(frame, "score", origin)
    ranks = (
        _numbers(frame, "rank", origin, whole=True)
        if "rank" in frame.columns
        else pd.Series(np.arange(1, len(frame) + 1, dtype="int64"))
    )
    # A board without team ids (a bare score list, e.g. built by hand for medal thresholds) still has thresholds:
    # each row is its own team, named by its position in the file, so snapshots of it compare position by position.
    team_ids = (
        frame["team_id"].astype(str)
        if "team_id" in frame.columns
        else pd.Series(np.arange(1, len(frame) + 1)).astype(str)
    )
    empty = team_ids.str.strip() == ""
    if empty.any():
        line = int(np.flatnonzero(empty.to_numpy())[0]) + FIRST_DATA_LINE
        raise LeaderboardError(f"{origin}: line {line}: the team id is empty")
    repeated = team_ids[team_ids.duplicated()].unique()
    if len(repeated):
        line = int(np.flatnonzero(team_ids.duplicated().to_numpy())[0]) + FIRST_DATA_LINE
        raise LeaderboardError(
            f"{origin}: team id(s) {shown_list(repeated)} appear more than once (first repeat on line {line})"
        )
    teams = pd.DataFrame({
        "rank": ranks.astype("int64").to_numpy(), "team_id": team_ids.to_numpy(), "score": scores.to_numpy(dtype=float),
        "submission_date": frame["submission_date"].to_numpy() if "submission_date" in frame.columns else None,
    }).sort_values("rank", kind="stable").reset_index(drop=True)  # fmt: skip
    return Leaderboard(teams, origin)


def _numbers(frame: pd.DataFrame, column: str, origin: str, whole: bool = False) -> pd.Series:
    """The column as finite numbers (``whole``: ranks, whole numbers from 1 to ``MAX_RANK``); the first value that is
    not raises :class:`LeaderboardError` naming the line."""
    values = to_numeric(frame[column], errors="coerce").astype(float)
    bad = values.isna() | ~np.isfinite(values)
    if whole:
        bad |= (values.fillna(1) % 1 != 0) | (values.fillna(1) < 1) | (values.fillna(1) > MAX_RANK)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        what = "a finite number" if values.notna().iloc[row] else "a number"
        if whole:
            what = f"a whole number from 1 to {MAX_RANK:,}"
        raise LeaderboardError(
            f"{origin}: line {row + FIRST_DATA_LINE}: {column} {shown(frame[column].iloc[row])!r} is not {what}"
        )
    return values
