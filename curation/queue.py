"""What still needs curators' decisions, most useful first: the one definition of when a competition is done, shared
by ``mlecurate queue`` and the curators' workbench.

>>> review = review_table(candidates, annotations_frame(store.all()), min_curators=2)
>>> review[["slug", "screening", "decisions", "status", "disputed_on"]]   # every competition under review
>>> queue = read_queue(warehouse, store, root, min_curators=2)            # what `mlecurate queue` prints
>>> queue.progress.done, queue.progress.total, queue.progress.share
>>> queue.waiting.head(20)        # slug, segment, metric, teams, launched, deadline, reward, curators, status,
...                               # screening, suggested (complexity and its probability)
>>> queue.blocked                 # downloads waiting for someone to accept the rules on Kaggle

Under review are the candidates and every annotated competition that is not one: one a rule excludes (a curator's
include overrides the rule, as 27 of MLE-bench's members override ``known_metric``) or one the Meta Kaggle dump lacks
(annotated with ``--allow-unknown``). Column ``screening`` says which: candidate, excluded, outside.

A competition's status: ``disputed`` when its curators disagree on the decision or the complexity, as
:func:`curation.curated.consolidate` consolidates them (curation.consolidated says disputed too); else ``done`` once
``min_curators`` curators decided it (``include`` or ``exclude``; ``undecided`` does not count); else ``second``
(some decided: it needs another curator) or ``undecided`` (none yet). Most useful first: disputes, then the most
decided (finishing a competition beats starting one), then most teams, then the latest deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from curation.annotations import AnnotationStore
from curation.competition_data import DownloadRecord, rules_blocked
from curation.competition_profile import reward_text
from curation.curated import DISPUTED, agreement, annotations_frame, disputed_on
from curation.warehouse import Warehouse
from validation.data_root import CANDIDATES, DataRoot

# MLE-bench had two engineers screen each competition: `mlecurate queue` and `mlecurate serve` both ask for two.
MIN_CURATORS = 2
UNDECIDED, SECOND, DONE = "undecided", "second", "done"
STATUS_ORDER = {DISPUTED: 0, SECOND: 1, UNDECIDED: 2, DONE: 3}
CANDIDATE, EXCLUDED, OUTSIDE = "candidate", "excluded", "outside"  # column screening
REVIEW_COLUMNS = ["screening", "decisions", "status", "disputed_on", "included_by"]  # what review_table adds
QUEUE_COLUMNS = [
    "slug", "segment", "metric", "teams", "launched", "deadline", "reward", "curators", "status", "screening",
    "suggested",
]  # fmt: skip
METRIC_WIDTH = 40  # Meta Kaggle's metric names run long; the table cuts them here


@dataclass(frozen=True)
class Review:
    """Where one competition's curation stands."""

    decisions: int  # curators who decided (include or exclude)
    status: str  # undecided | second | disputed | done
    disputed_on: str = ""  # "decision", "complexity" or "decision, complexity" when disputed
    included_by: str = ""  # the curators who said include, comma-separated


@dataclass(frozen=True)
class ReviewProgress:
    """How far curation is: ``done`` of ``total`` under review (candidates, then annotated non-candidates)."""

    done: int
    total: int
    candidates: int
    excluded: int  # annotated competitions a rule excludes
    outside: int  # annotated competitions the Meta Kaggle dump lacks

    @property
    def share(self) -> str:
        """The share done, as a percentage ("-" when nothing is under review)."""
        return f"{self.done / self.total:.0%}" if self.total else "-"

    @property
    def scope(self) -> str:
        """``332 candidates and 26 annotated competitions that are not (24 excluded by a rule, 2 outside the Meta
        Kaggle dump)``, or ``332 candidates``."""
        others = [f"{n:,} {what}" for n, what in ((self.excluded, "excluded by a rule"),
                                                  (self.outside, "outside the Meta Kaggle dump")) if n]  # fmt: skip
        if not others:
            return f"{self.candidates:,} candidates"
        return (f"{self.candidates:,} candidates and {self.excluded + self.outside:,} annotated competitions that are "
                f"not ({', '.join(others)})")  # fmt: skip


def review_status(annotations: pd.DataFrame, min_curators: int) -> Review:
    """One competition's status from its annotations (its rows of :func:`curation.curated.annotations_frame`)."""
    decided = annotations[annotations["decision"] != "undecided"]
    count = int(decided["curator"].nunique())
    included_by = ", ".join(sorted(annotations.loc[annotations["decision"] == "include", "curator"]))
    disputed = ", ".join(disputed_on(agreement(annotations.sort_values("curator"))))
    return Review(count, _status(count, disputed, min_curators), disputed, included_by)


def _status(decisions: int, disputed: str, min_curators: int) -> str:
    if disputed:
        return DISPUTED
    if decisions >= min_curators:
        return DONE
    return SECOND if decisions else UNDECIDED


def review_table(candidates: pd.DataFrame, annotations: pd.DataFrame, min_curators: int) -> pd.DataFrame:
    """Every competition under review, most useful first: the candidates' columns (table curation.candidates; empty
    for one outside the dump) and :data:`REVIEW_COLUMNS`. ``annotations`` is an ``annotations_frame``."""
    annotated = set(annotations["slug"])
    screened = candidates["is_candidate"].fillna(False).astype(bool)
    in_dump = candidates[screened | candidates["slug"].isin(annotated)]
    outside = sorted(annotated - set(candidates["slug"]))
    slugs = in_dump["slug"].tolist() + outside
    table = candidates.drop_duplicates("slug").set_index("slug").reindex(slugs).reset_index()
    if outside and "total_teams" in table:  # a row without facts made the counts floats
        table["total_teams"] = table["total_teams"].astype("Int64")
    chosen = set(candidates.loc[screened, "slug"])
    table["screening"] = [OUTSIDE if s in outside else CANDIDATE if s in chosen else EXCLUDED for s in slugs]
    reviews = {slug: review_status(group, min_curators) for slug, group in annotations.groupby("slug")}
    unannotated = Review(0, _status(0, "", min_curators))
    found = [reviews.get(slug, unannotated) for slug in slugs]
    table["decisions"] = [r.decisions for r in found]
    table["status"] = [r.status for r in found]
    table["disputed_on"] = [r.disputed_on for r in found]
    table["included_by"] = [r.included_by for r in found]
    return _most_useful_first(table)


def _most_useful_first(table: pd.DataFrame) -> pd.DataFrame:
    order = table.assign(_rank=table["status"].map(STATUS_ORDER))
    by = ["_rank", "decisions"] + [name for name in ("total_teams", "deadline_date") if name in table]
    order = order.sort_values(by, ascending=[True] + [False] * (len(by) - 1), na_position="last", kind="stable")
    return order.drop(columns="_rank").reset_index(drop=True)


def review_progress(table: pd.DataFrame) -> ReviewProgress:
    """The progress over a :func:`review_table`."""
    screening = table["screening"]
    return ReviewProgress(
        done=int((table["status"] == DONE).sum()), total=len(table), candidates=int((screening == CANDIDATE).sum()),
        excluded=int((screening == EXCLUDED).sum()), outside=int((screening == OUTSIDE).sum()),
    )  # fmt: skip


@dataclass(frozen=True)
class AnnotationQueue:
    progress: ReviewProgress
    min_curators: int
    waiting: pd.DataFrame  # QUEUE_COLUMNS: every competition still waiting, most useful first
    blocked: list[DownloadRecord] = field(default_factory=list)  # downloads that need the rules accepted


def read_queue(
    warehouse: Warehouse, store: AnnotationStore, root: DataRoot, min_curators: int = MIN_CURATORS
) -> AnnotationQueue:
    """The queue from the screened candidates, the annotation store and the download records."""
    candidates = warehouse.read_table(CANDIDATES)
    queue = annotation_queue(candidates, annotations_frame(store.all()), min_curators)
    return AnnotationQueue(queue.progress, min_curators, queue.waiting, rules_blocked(root))


def annotation_queue(candidates: pd.DataFrame, annotations: pd.DataFrame, min_curators: int) -> AnnotationQueue:
    """``candidates`` is the screening (table curation.candidates), ``annotations`` an ``annotations_frame``."""
    table = review_table(candidates, annotations, min_curators)
    return AnnotationQueue(review_progress(table), min_curators, _queue_table(table[table["status"] != DONE]))


def _queue_table(waiting: pd.DataFrame) -> pd.DataFrame:
    if waiting.empty:
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    return pd.DataFrame({
        "slug": waiting["slug"],  # a competition outside the dump has no facts: its cells are empty
        "segment": waiting["host_segment"].fillna(""),
        "metric": waiting["evaluation_algorithm_name"].str.slice(0, METRIC_WIDTH).fillna(""),
        "teams": waiting["total_teams"].astype(object).where(waiting["total_teams"].notna(), ""),
        "launched": waiting["enabled_date"].dt.strftime("%Y-%m-%d").fillna(""),
        "deadline": waiting["deadline_date"].dt.strftime("%Y-%m-%d").fillna(""),
        "reward": [reward_text(t, q) for t, q in zip(waiting["reward_type"], waiting["reward_quantity"], strict=True)],
        "curators": waiting["decisions"],
        "status": [f"{s}: {on}" if on else s for s, on in zip(waiting["status"], waiting["disputed_on"], strict=True)],
        "screening": [_screening_word(row) for row in waiting.to_dict("records")],
        "suggested": suggested_text(waiting),
    })  # fmt: skip


def _screening_word(row: dict) -> str:
    """The table's short screening: ``candidate``, ``rule known_metric`` or ``outside dump``."""
    if row["screening"] == EXCLUDED:
        return f"rule {row.get('exclusion_reason') or '?'}"
    return "outside dump" if row["screening"] == OUTSIDE else CANDIDATE


def screening_mark(row: dict) -> str:
    """What a curator should know about a non-candidate under review: ``excluded by rule known_metric, included by
    mle-bench`` or ``outside the Meta Kaggle dump, included by alice``; "" for a candidate."""
    if row["screening"] == CANDIDATE:
        return ""
    why = (
        f"excluded by rule {row.get('exclusion_reason') or '?'}" if row["screening"] == EXCLUDED
        else "outside the Meta Kaggle dump"
    )  # fmt: skip
    return f"{why}, included by {row['included_by']}" if row.get("included_by") else why


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
