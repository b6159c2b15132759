"""The annotation queue: the candidates that still need curators' decisions, most useful first.

>>> queue = read_queue(warehouse, store, root, min_curators=2)
>>> queue.done, queue.total, queue.share        # progress: candidates with at least two curators' decisions
>>> queue.waiting.head(20)                      # slug, segment, metric, teams, launched, deadline, reward, curators,
...                                             # suggested (complexity and its probability)
>>> queue.blocked                               # downloads waiting for someone to accept the rules on Kaggle
>>> queue.outside_waiting                       # annotated competitions outside the dump still short of decisions

A decision is ``include`` or ``exclude``; ``undecided`` does not count. Waiting candidates come most-decided first
(finishing a competition beats starting one), then most teams, then the latest deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from curation.annotations import AnnotationStore
from curation.competition_data import DownloadRecord, rules_blocked
from curation.competition_profile import reward_text
from curation.curated import annotations_frame
from curation.warehouse import Warehouse
from validation.data_root import CANDIDATES, DataRoot

QUEUE_COLUMNS = ["slug", "segment", "metric", "teams", "launched", "deadline", "reward", "curators", "suggested"]
METRIC_WIDTH = 40  # Meta Kaggle's metric names run long; the table cuts them here


@dataclass(frozen=True)
class AnnotationQueue:
    total: int  # candidates
    done: int  # candidates with at least min_curators decisions
    min_curators: int
    waiting: pd.DataFrame  # QUEUE_COLUMNS: every candidate still waiting, most useful first
    blocked: list[DownloadRecord] = field(default_factory=list)  # downloads that need the rules accepted
    # Competitions outside the dump (annotated with --allow-unknown) with fewer than min_curators decisions: no rule
    # screened them, so they are not candidates, but they wait for curators all the same.
    outside_waiting: list[str] = field(default_factory=list)

    @property
    def share(self) -> str:
        """The share of candidates done, as a percentage ("-" when there are no candidates)."""
        return f"{self.done / self.total:.0%}" if self.total else "-"


def read_queue(warehouse: Warehouse, store: AnnotationStore, root: DataRoot, min_curators: int) -> AnnotationQueue:
    """The queue from the screened candidates, the annotation store and the download records."""
    candidates = warehouse.read_table(CANDIDATES)
    queue = annotation_queue(candidates, annotations_frame(store.all()), min_curators)
    return AnnotationQueue(queue.total, queue.done, min_curators, queue.waiting, rules_blocked(root),
                           queue.outside_waiting)  # fmt: skip


def annotation_queue(candidates: pd.DataFrame, annotations: pd.DataFrame, min_curators: int) -> AnnotationQueue:
    """``candidates`` is the screening (table curation.candidates), ``annotations`` an ``annotations_frame``."""
    decided = annotations[annotations["decision"] != "undecided"].groupby("slug")["curator"].nunique()
    outside = sorted(set(annotations["slug"]) - set(candidates["slug"]))
    outside_waiting = [slug for slug in outside if decided.get(slug, 0) < min_curators]
    candidates = candidates[candidates["is_candidate"]]
    candidates = candidates.assign(curators=candidates["slug"].map(decided).fillna(0).astype(int))
    done = candidates["curators"] >= min_curators
    waiting = candidates[~done].sort_values(
        ["curators", "total_teams", "deadline_date"], ascending=[False, False, False]
    )
    return AnnotationQueue(len(candidates), int(done.sum()), min_curators, _queue_table(waiting),
                           outside_waiting=outside_waiting)  # fmt: skip


def _queue_table(waiting: pd.DataFrame) -> pd.DataFrame:
    if waiting.empty:
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    return pd.DataFrame({
        "slug": waiting["slug"],
        "segment": waiting["host_segment"],
        "metric": waiting["evaluation_algorithm_name"].str.slice(0, METRIC_WIDTH),
        "teams": waiting["total_teams"],
        "launched": waiting["enabled_date"].dt.strftime("%Y-%m-%d"),
        "deadline": waiting["deadline_date"].dt.strftime("%Y-%m-%d"),
        "reward": [reward_text(t, q) for t, q in zip(waiting["reward_type"], waiting["reward_quantity"], strict=True)],
        "curators": waiting["curators"],
        "suggested": suggested_text(waiting),
    })  # fmt: skip


def suggested_text(candidates: pd.DataFrame) -> list[str]:
    """The suggested complexity with its probability (``medium 0.61``), "-" where there is none (curation.candidates
    built before suggestions existed has no such column)."""
    if "suggested_complexity" not in candidates:
        return ["-"] * len(candidates)
    return [
        f"{level} {p:.2f}" if isinstance(level, str) else "-"
        for level, p in zip(
            candidates["suggested_complexity"], candidates["suggested_complexity_probability"], strict=True
        )
    ]
