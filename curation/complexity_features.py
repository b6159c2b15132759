"""What the suggested complexity looks at: one row of numbers per competition, from what is known before anyone
annotates it.

>>> features = complexity_features(competitions, boards=board_statistics(root), data=data_facts(root, annotations))
>>> features.loc["spooky-author-identification", "data_gb_log10"]   # -2.7: 1.9 MB

Three kinds of feature, each NaN where it is not known (the model takes missing values as they are):

- Meta Kaggle's facts (table meta_kaggle.competitions): teams, submissions, duration, reward, launch year, segment,
  and whether the metric is a custom one (none of the standard metrics in ``STANDARD_METRICS``: a bespoke metric is work);
- the private leaderboard's shape, where a snapshot exists (``leaderboards/<slug>/``): the share of distinct scores,
  how far the top score stands above the median and above the 90th percentile, in interquartile ranges, and the
  teams per medal (the board's teams over its medal places, ``validation.medals``);
- data facts: its size (a download's extracted bytes, else Meta Kaggle's TotalUncompressedBytes in 2025 dumps, else
  the size MLE-bench's import wrote into its annotation's note), its file count and its modality (the shares of its
  files that are images, audio, video; by extension) where it was downloaded.

``FACTS_ONLY`` is the issue's baseline set (counts, size, duration, reward, year, segment).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from curation.annotations import Annotation
from curation.competition_data import read_download_record
from curation.leaderboard_history import current_board_and_record
from validation.data_root import DataRoot
from validation.leaderboard import Leaderboard
from validation.medals import medal_positions
from validation.metrics import SCORE_DECIMALS

# Meta Kaggle's names of the standard metrics: a competition whose metric is none of them (``custom_metric``) had one
# written for it, which is work. The list is fixed, not the metric registry of the day: it was the registry's on
# 2026-12-05, and a metric registered since (top-k error, Dice) makes a competition gradable, not its metric less
# its own. Were the feature the registry, every metric added would change the model's inputs for the competitions it
# grades: measured, the suggestion's leave-one-out accuracy moved from 0.712 to 0.703 with three added, by no fact
# about the competitions changing.
STANDARD_METRICS = frozenset(
    re.sub(r"[\s_\-]+", "", name).lower()
    for name in (
        "Accuracy Score", "Area Under Receiver Operating Characteristic Curve", "Categorization Accuracy",
        "F-Score (Macro)", "F-Score (Micro)", "Jaccard", "Kullback Leibler Divergence", "Levenshtein Mean", "Log Loss",
        "MAP@12", "MAP@3", "MAP@5", "MAP@{K}", "Matthews correlation coefficient", "Mean Absolute Error",
        "Mean Average Precision at K", "Mean Columnwise Area Under Receiver Operating Characteristic Curve",
        "Mean Columnwise Log Loss", "Mean Columnwise Mean Absolute Error", "Mean Columnwise Root Mean Squared Error",
        "Mean Columnwise Root Mean Squared Logarithmic Error",
        "Mean Columnwise Spearman's r (rank correlation coefficient)", "Mean Squared Error",
        "Mean Weighted Columnwise Root Mean Squared Error", "Micro F1 of Label Sets", "Multiclass Loss",
        "Multiclass Loss (Deprecated)", "Normalized Gini Index", "Pearson Correlation Coefficient",
        "QuadraticWeightedKappa", "Roc Auc Score", "Root Mean Square Percentage Error", "Root Mean Squared Error",
        "Root Mean Squared Logarithmic Error", "SMAPE", "Weighted Area Under Receiver Operating Characteristic Curve",
        "Weighted Label Ranking Average Precision", "lwlrap", "map_at_5", "sklearn_roc_auc_score",
    )
)  # fmt: skip


def _standard_metric(name: str | None) -> bool:
    """Meta Kaggle's metric name is one of :data:`STANDARD_METRICS` (without case, spaces, hyphens or underscores)."""
    return isinstance(name, str) and re.sub(r"[\s_\-]+", "", name).lower() in STANDARD_METRICS


SEGMENTS = ("Featured", "Research", "Playground", "Recruitment")  # one 0/1 column each; others are all zeros
FACT_FEATURES = [
    "teams_log", "submissions_log", "duration_days", "reward_usd_log", "launch_year",
    *(f"segment_{s.lower()}" for s in SEGMENTS), "custom_metric",
]  # fmt: skip
BOARD_FEATURES = ["board_distinct_share", "board_top_gap", "board_top10_gap", "board_teams_per_medal"]
MODALITIES = {
    "image": {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".dcm", ".dicom", ".nii", ".npy"},
    "audio": {".wav", ".mp3", ".flac", ".ogg", ".aif", ".aiff", ".m4a"},
    "video": {".mp4", ".avi", ".mov", ".mkv", ".webm"},
}  # fmt: skip
MODALITY_FEATURES = [f"data_{modality}_share" for modality in MODALITIES]
DATA_FEATURES = ["data_gb_log10", "data_files_log", *MODALITY_FEATURES]
FEATURES = FACT_FEATURES + BOARD_FEATURES + DATA_FEATURES
FACTS_ONLY = [
    "teams_log", "submissions_log", "data_gb_log10", "duration_days", "reward_usd_log", "launch_year",
    *(f"segment_{s.lower()}" for s in SEGMENTS),
]  # fmt: skip
# What a feature is called where a curator reads it ("what drove it"), and how its value is shown.
FEATURE_LABELS = {
    "teams_log": "teams", "submissions_log": "submissions", "duration_days": "days open", "reward_usd_log": "reward",
    "launch_year": "launched", "custom_metric": "custom metric", "board_distinct_share": "distinct scores",
    "board_top_gap": "top above median", "board_top10_gap": "top above 90th pct",
    "board_teams_per_medal": "teams per medal", "data_gb_log10": "data", "data_files_log": "data files",
    **{f"data_{modality}_share": f"{modality} files" for modality in MODALITIES},
}  # fmt: skip
# MLE-bench's import (curation.mlebench_import) keeps the benchmark's dataset size in the note: "... size: 0.3 GB".
NOTE_SIZE = re.compile(r"dataset size:\s*([0-9]*\.?[0-9]+)\s*GB", re.IGNORECASE)
GIGABYTE = 1e9


@dataclass(frozen=True)
class DataFacts:
    gigabytes: float | None = None
    files: int | None = None
    modality: dict[str, float] | None = None  # MODALITIES' share of the files, each


def modality_shares(names: list[str]) -> dict[str, float]:
    """The share of ``names`` whose extension is each of MODALITIES' (none of them: tables or text)."""
    suffixes = [PurePosixPath(name).suffix.lower() for name in names]
    return {
        modality: sum(s in kinds for s in suffixes) / max(len(suffixes), 1) for modality, kinds in MODALITIES.items()
    }


def complexity_features(
    competitions: pd.DataFrame, boards: dict[str, dict] | None = None, data: dict[str, DataFacts] | None = None
) -> pd.DataFrame:
    """One row per competition (index: slug), columns ``FEATURES``. ``competitions`` is meta_kaggle.competitions;
    ``boards`` the :func:`leaderboard_statistics` by slug; ``data`` the :class:`DataFacts` by slug."""
    boards, data = boards or {}, data or {}
    frame = competitions.set_index("slug")
    features = pd.DataFrame(index=frame.index)
    features["teams_log"] = np.log1p(frame["total_teams"].astype(float))
    features["submissions_log"] = np.log1p(frame["total_submissions"].astype(float))
    features["duration_days"] = (frame["deadline_date"] - frame["enabled_date"]).dt.total_seconds() / 86400
    usd = frame["reward_quantity"].where(frame["reward_type"] == "USD", 0.0).fillna(0.0)
    features["reward_usd_log"] = np.log1p(usd.astype(float))
    features["launch_year"] = frame["enabled_date"].dt.year.astype(float)
    for segment in SEGMENTS:
        features[f"segment_{segment.lower()}"] = (frame["host_segment"] == segment).astype(float)
    metric = frame["evaluation_algorithm_name"]
    features["custom_metric"] = np.where(metric.isna(), np.nan, (~metric.map(_standard_metric)).astype(float))
    board = pd.DataFrame.from_dict(boards, orient="index", columns=BOARD_FEATURES)
    features[BOARD_FEATURES] = board.reindex(features.index)
    sizes = {slug: facts.gigabytes for slug, facts in data.items()}
    from_dump = frame.get("total_uncompressed_bytes", pd.Series(np.nan, index=frame.index)).astype(float) / GIGABYTE
    gigabytes = pd.Series(sizes, dtype=float).reindex(features.index).fillna(from_dump)
    features["data_gb_log10"] = np.log10(gigabytes.where(gigabytes > 0))
    files = pd.Series({slug: facts.files for slug, facts in data.items()}, dtype=float).reindex(features.index)
    features["data_files_log"] = np.log1p(files)
    shares = {slug: facts.modality for slug, facts in data.items() if facts.modality is not None}
    features[MODALITY_FEATURES] = (
        pd.DataFrame.from_dict(shares, orient="index", columns=list(MODALITIES)).reindex(features.index).to_numpy()
    )
    return features[FEATURES]


def leaderboard_statistics(board: Leaderboard, higher_is_better: bool | None) -> dict:
    """The board's shape, best score first whichever way the metric goes (NaN where a board is too flat to say)."""
    scores = np.round(board.scores, SCORE_DECIMALS)
    direction = higher_is_better if higher_is_better is not None else board.order_direction()
    scores = scores if direction is not False else -scores
    if len(scores) == 0:
        return dict.fromkeys(BOARD_FEATURES, np.nan)
    q25, q50, q75, q90 = np.quantile(scores, [0.25, 0.5, 0.75, 0.9])
    spread = q75 - q25
    top = scores.max()
    return {
        "board_teams_per_medal": len(scores) / medal_positions(len(scores))[2],
        "board_distinct_share": len(np.unique(scores)) / len(scores),
        "board_top_gap": np.log1p((top - q50) / spread) if spread > 0 else np.nan,
        "board_top10_gap": np.log1p((top - q90) / spread) if spread > 0 else np.nan,
    }


def board_statistics(root: DataRoot) -> dict[str, dict]:
    """:func:`leaderboard_statistics` of every competition's current snapshot under the data root."""
    found = {}
    for slug in root.leaderboard_slugs():
        current = current_board_and_record(root.leaderboards(slug))
        if current is not None:
            record, board = current
            found[slug] = leaderboard_statistics(board, record.higher_is_better)
    return found


def data_facts(root: DataRoot, annotations: Iterable[Annotation]) -> dict[str, DataFacts]:
    """Each competition's data size and file count: a download's record first, else a size an annotation's note
    gives (MLE-bench's import writes one)."""
    found: dict[str, DataFacts] = {}
    for annotation in annotations:
        size = NOTE_SIZE.search(annotation.note or "")
        if size and annotation.slug not in found:
            found[annotation.slug] = DataFacts(gigabytes=float(size.group(1)))
    for slug in root.downloaded_slugs():
        record = read_download_record(root.raw(slug))
        if record is not None and record.status == "downloaded":
            noted = found.get(slug, DataFacts())
            size = record.extracted_bytes / GIGABYTE if record.extracted_bytes else noted.gigabytes
            found[slug] = DataFacts(gigabytes=size, files=len(record.files), modality=modality_shares(record.files))
    return found
