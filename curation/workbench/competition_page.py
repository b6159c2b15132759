"""Everything a curator reads about one competition before deciding, gathered from the data root read-only.

>>> page = competition_page("titanic", warehouse, root, store, curator="alice")
>>> page.profile.fact_rows()      # Meta Kaggle's facts, as `mlecurate show` prints them (curation.competition_profile)
>>> page.override                 # "an include overrides rule enough_teams: 12 teams, fewer than 50", or None
>>> page.board                    # the current leaderboard snapshot's medal thresholds and the sample's score
>>> leaderboard_picture(root, "titanic", page.profile.facts)   # its score distribution as a PNG (curation.plots)

Nothing here writes: the facts come from the warehouse (:mod:`curation.competition_profile`), the description from
the data root (:func:`curation.competition_data.stored_description`), the board from the leaderboard history, the
parity report from ``prepared/<slug>/parity.json``. What is missing (not downloaded, no snapshot, not split) is a
sentence saying so and what makes it, never an error; a damaged file is named in that sentence.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import yaml

from curation.annotations import Annotation, AnnotationStore
from curation.competition_data import CompetitionText, read_download_record, stored_description
from curation.competition_profile import CompetitionProfile, competition_profile
from curation.leaderboard_history import current_board_and_record
from curation.plots import Chart, leaderboard_plot
from curation.warehouse import Warehouse
from curation.workbench.curator_queue import SUGGESTED, SUGGESTED_PROBABILITY, SUGGESTED_REASON
from validation.data_root import DataRoot, recorded_json
from validation.parity import ParityReport

MAX_FILES_LISTED = 200  # an image competition has thousands of files: the first ones, then a count and total size
SAMPLE = "sample submission"  # the parity report's name for the sample submission's scores
_DRAWING = threading.Lock()  # pyplot keeps global state: one picture drawn at a time across the server's threads


@dataclass(frozen=True)
class DataFile:
    name: str
    size: int | None  # None when the recorded file is no longer on disk


@dataclass(frozen=True)
class BoardFacts:
    """The current leaderboard snapshot as curators read it, with where the sample submission falls."""

    teams: int | None
    at: str
    source: str
    gold: float | None
    silver: float | None
    bronze: float | None
    median: float | None
    higher_is_better: bool | None
    sample_score: float | None = None  # the sample submission on the new test set (parity report), when scored
    sample_rank: int | None = None
    sample_medal: bool | None = None


@dataclass(frozen=True)
class Suggestion:
    complexity: str
    probability: float | None
    reason: str


@dataclass(frozen=True)
class CompetitionPage:
    slug: str
    profile: CompetitionProfile
    description: CompetitionText
    data_files: list[DataFile] = field(default_factory=list)
    more_files: tuple[int, int] = (0, 0)  # files past MAX_FILES_LISTED, and their total bytes
    data_note: str = ""  # why there are no files to list
    board: BoardFacts | None = None
    board_note: str = ""  # why there is no board
    parity: ParityReport | None = None
    parity_note: str = ""  # a parity report that cannot be read
    suggestion: Suggestion | None = None
    mine: Annotation | None = None  # the curator's own annotation

    @property
    def override(self) -> str | None:
        """The rule an include would override, for a competition the rules excluded (None for a candidate)."""
        screening = self.profile.screening
        if screening is None or screening["is_candidate"]:
            return None
        return f"an include overrides rule {screening['exclusion_reason']}: {screening['exclusion_detail']}"

    @property
    def recipe_text(self) -> str:
        """The curator's split recipe as YAML for the form's text area ("" without one)."""
        if self.mine is None or self.mine.split_recipe is None:
            return ""
        return yaml.safe_dump(self.mine.split_recipe, sort_keys=False, allow_unicode=True, width=100)


def competition_page(
    slug: str, warehouse: Warehouse, root: DataRoot, store: AnnotationStore, curator: str | None
) -> CompetitionPage:
    """What the warehouse, the data root and the annotation store say about ``slug``, for ``curator``."""
    profile = competition_profile(slug, warehouse, root, store, skip_unreadable=True)  # a damaged file: named
    files, more, data_note = _data_files(root, slug)
    board, board_note = _board(root, slug)
    parity, parity_note = _parity(root, slug)
    if board is not None and parity is not None:
        sample = parity.score_row(SAMPLE, "new test")
        board = _with_sample(board, sample, parity)
    mine = next((a for a in profile.annotations if a.curator == curator), None)
    return CompetitionPage(slug, profile, _description(root, slug), files, more, data_note, board, board_note,
                           parity, parity_note, _suggestion(profile.screening), mine)  # fmt: skip


def leaderboard_picture(root: DataRoot, slug: str, facts: dict) -> Chart:
    """The current snapshot's score distribution with the medal thresholds and the sample submission's score."""
    try:
        found = current_board_and_record(root.leaderboards(slug))
    except ValueError as error:  # HistoryError: a damaged history or snapshot, named
        return f"the leaderboard history cannot be read: {error}"
    if found is None:
        return "no leaderboard snapshot yet"
    record, board = found
    parity, _ = _parity(root, slug)
    sample = parity.score_row(SAMPLE, "new test") if parity is not None else None
    marks = {SAMPLE: float(sample["score"])} if sample and sample.get("score") is not None else {}
    thresholds = {"gold": record.gold, "silver": record.silver, "bronze": record.bronze}
    metric = facts.get("evaluation_algorithm_name") or (parity.metric if parity else "")
    with _DRAWING:
        return leaderboard_plot(board.teams["score"], thresholds, bool(record.higher_is_better), metric, marks)


def _description(root: DataRoot, slug: str) -> CompetitionText:
    try:
        return stored_description(root, slug)
    except (OSError, ValueError, TypeError) as error:  # a damaged download record or an unreadable file: say which
        return CompetitionText(None, f"cannot be read: {error}")


def _data_files(root: DataRoot, slug: str) -> tuple[list[DataFile], tuple[int, int], str]:
    raw = root.raw(slug)
    try:
        record = read_download_record(raw)
    except (OSError, ValueError, TypeError) as error:  # a damaged record: DownloadRecord(**fields) refuses it
        return [], (0, 0), f"the download record cannot be read: {error}"
    if record is None:
        return [], (0, 0), "not downloaded yet (competition_raw downloads a curated competition's data)"
    if record.status != "downloaded":
        return [], (0, 0), f"{record.status}: {record.rules_url or record.message}"
    names = sorted(record.files)  # only the listed are looked at: an image competition has hundreds of thousands
    files = [DataFile(name, _size(raw.files / name)) for name in names[:MAX_FILES_LISTED]]
    rest = len(names) - len(files)
    return files, (rest, max((record.extracted_bytes or 0) - sum(f.size or 0 for f in files), 0)), ""


def _size(path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _board(root: DataRoot, slug: str) -> tuple[BoardFacts | None, str]:
    try:
        found = current_board_and_record(root.leaderboards(slug))
    except ValueError as error:  # HistoryError names the file and line
        return None, f"the leaderboard history cannot be read: {error}"
    if found is None:
        return None, "no leaderboard snapshot yet (leaderboard_snapshots keeps one for each curated competition)"
    record, board = found
    return BoardFacts(board.team_count, record.at, record.source, record.gold, record.silver, record.bronze,
                      record.median, record.higher_is_better), ""  # fmt: skip


def _parity(root: DataRoot, slug: str) -> tuple[ParityReport | None, str]:
    path = root.prepared(slug).parity
    if not path.is_file():
        return None, ""
    document = recorded_json(path)
    if document is None:
        return None, f"{path}: damaged, not a parity report; materialise split_parity for {slug} again"
    try:
        return ParityReport.from_dict(document), ""
    except TypeError as error:
        return None, f"{path}: not a parity report mlecurate wrote ({error})"


def _with_sample(board: BoardFacts, sample: dict | None, parity: ParityReport) -> BoardFacts:
    score = sample.get("score") if sample else None
    return BoardFacts(board.teams, board.at, board.source, board.gold, board.silver, board.bronze, board.median,
                      board.higher_is_better, None if score is None else float(score), parity.sample_rank,
                      parity.sample_medal)  # fmt: skip


def _suggestion(screening: dict | None) -> Suggestion | None:
    """The complexity prior's suggestion from the screening row, when the candidates table carries one."""
    if not screening or not isinstance(screening.get(SUGGESTED), str) or not screening[SUGGESTED]:
        return None
    probability = screening.get(SUGGESTED_PROBABILITY)
    reason = screening.get(SUGGESTED_REASON)
    return Suggestion(
        complexity=screening[SUGGESTED],
        probability=float(probability) if isinstance(probability, int | float) and probability == probability else None,
        reason=reason if isinstance(reason, str) else "",
    )
