"""The workbench's queue: the competitions that need a curator's decision, filtered, with progress.

>>> filters = QueueFilters.from_query({"segment": "Featured", "status": "second", "min_teams": "500"})
>>> queue = curator_queue(candidates, annotations_frame(store.all()), "alice", min_curators=2, filters=filters)
>>> queue.rows            # one QueueRow per competition, most useful first
>>> queue.progress.done, queue.progress.total, queue.mine   # progress: agreed by min_curators curators; decided by alice

What is under review, each competition's status and the order are :mod:`curation.queue`'s, as ``mlecurate queue``
has them: the candidates and the annotated competitions that are not one (a rule excludes it, or the Meta Kaggle
dump lacks it: marked, and the ``screening`` filter finds them); ``disputed`` when curators disagree on the
decision or the complexity (as curation.consolidated says), ``done`` once ``min_curators`` curators decided alike,
else ``second`` or ``undecided``. A curator's own queue leaves out what they have already decided, except disputes,
which wait for the curators who disagree.

The suggested complexity (``suggested_complexity`` and, when there, ``suggested_complexity_probability`` and
``suggested_complexity_reason`` in curation.candidates) is shown and filterable when the screening has it, and
quietly absent when it does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

import pandas as pd

from curation.annotations import COMPLEXITIES
from curation.competition_profile import reward_text
from curation.complexity_prior import SUGGESTION_COLUMNS
from curation.curated import DISPUTED
from curation.queue import (
    CANDIDATE,
    DONE,
    EXCLUDED,
    OUTSIDE,
    SECOND,
    UNDECIDED,
    ReviewProgress,
    review_progress,
    review_table,
    screening_mark,
)

STATUS_LABELS = {  # the statuses that need a decision, as the filter offers them
    DISPUTED: "disputed: curators disagree",
    SECOND: "needs a second curator",
    UNDECIDED: "undecided: no decision yet",
}
STATUS_BADGES = {DISPUTED: "disputed", SECOND: "second curator", UNDECIDED: "undecided"}  # the queue table's, short
SCREENING_LABELS = {  # what the screening filter offers
    CANDIDATE: "candidates",
    EXCLUDED: "annotated, excluded by a rule",
    OUTSIDE: "annotated, outside the Meta Kaggle dump",
}
# The columns of curation.candidates the complexity prior writes (absent from a screening made before it existed).
SUGGESTED, SUGGESTED_PROBABILITY, SUGGESTED_REASON = SUGGESTION_COLUMNS


class QueueFilterError(ValueError):
    """A filter in the page's address cannot be used; the message names the parameter and the value."""


@dataclass(frozen=True)
class QueueFilters:
    segment: str = ""
    metric: str = ""  # the canonical metric (validation.metrics), as curation.candidates names it
    min_teams: int | None = None
    max_teams: int | None = None
    year: int | None = None  # the launch (enabled) year
    status: str = ""  # "" (any that needs a decision) or one of STATUS_LABELS
    screening: str = ""  # "" (any) or one of SCREENING_LABELS
    suggested: str = ""  # a suggested complexity
    decided_by_me: bool = False  # also list what the curator has already decided

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> QueueFilters:
        """The filters in a page address's query; an unusable value raises :class:`QueueFilterError`."""

        def number(name: str, low: int, high: int) -> int | None:
            text = (query.get(name) or "").strip()
            if not text:
                return None
            if not text.isdigit() or not low <= int(text) <= high:
                raise QueueFilterError(f"filter '{name}': expected a whole number from {low} to {high}, found {text!r}")
            return int(text)

        status = (query.get("status") or "").strip()
        if status and status not in STATUS_LABELS:
            raise QueueFilterError(f"filter 'status': expected one of {', '.join(STATUS_LABELS)}, found {status!r}")
        screening = (query.get("screening") or "").strip()
        if screening and screening not in SCREENING_LABELS:
            raise QueueFilterError(
                f"filter 'screening': expected one of {', '.join(SCREENING_LABELS)}, found {screening!r}"
            )
        suggested = (query.get("suggested") or "").strip()
        if suggested and suggested not in COMPLEXITIES:
            raise QueueFilterError(
                f"filter 'suggested': expected one of {', '.join(COMPLEXITIES)}, found {suggested!r}"
            )
        return cls(
            segment=(query.get("segment") or "").strip(),
            metric=(query.get("metric") or "").strip(),
            min_teams=number("min_teams", 0, 10**7),
            max_teams=number("max_teams", 0, 10**7),
            year=number("year", 1990, 2100),
            status=status,
            screening=screening,
            suggested=suggested,
            decided_by_me=(query.get("decided_by_me") or "") in ("1", "on", "true"),
        )

    def query_string(self) -> str:
        """The filters that are set, as a query string (``segment=Featured&status=second``), "" for none."""
        given = {name: value for name, value in asdict(self).items() if value not in (None, "", False)}
        return urlencode({name: "1" if value is True else value for name, value in given.items()})


@dataclass(frozen=True)
class QueueRow:
    slug: str
    title: str
    segment: str
    metric: str
    teams: int | None
    launched: str
    deadline: str
    reward: str
    decisions: int  # curators who decided (include or exclude)
    status: str  # undecided | second | disputed | done
    my_decision: str | None  # the curator's own decision, when they annotated it
    suggested: str | None = None
    suggested_probability: float | None = None
    screening: str = CANDIDATE  # candidate | excluded | outside
    mark: str = ""  # for a non-candidate: "excluded by rule known_metric, included by mle-bench"
    disputed_on: str = ""  # "decision", "complexity" or both, when disputed


@dataclass(frozen=True)
class CuratorQueue:
    rows: list[QueueRow]  # what needs a decision, filtered, most useful first
    progress: ReviewProgress  # done of everything under review (curation.queue's)
    waiting: int  # competitions that need a decision (before filters and the curator's own)
    mine: int  # competitions under review the curator decided
    min_curators: int
    has_suggestions: bool  # the screening carries a suggested complexity
    options: dict[str, list]  # filter values that exist: segment, metric, year, suggested, screening
    unreadable: list[str] = field(default_factory=list)  # damaged annotation files left out, each error naming one

    @property
    def my_share(self) -> str:
        total = self.progress.total
        return f"{self.mine / total:.0%}" if total else "-"

    @property
    def slugs(self) -> list[str]:
        return [row.slug for row in self.rows]

    def neighbours(self, slug: str) -> tuple[str | None, str | None]:
        """(previous, next) around ``slug`` in the queue; for a slug no longer in it (just decided), the queue's
        first competition is next."""
        slugs = self.slugs
        if slug not in slugs:
            return None, slugs[0] if slugs else None
        at = slugs.index(slug)
        return (slugs[at - 1] if at else None), (slugs[at + 1] if at + 1 < len(slugs) else None)


def curator_queue(
    candidates: pd.DataFrame,
    annotations: pd.DataFrame,
    curator: str | None,
    min_curators: int,
    filters: QueueFilters | None = None,
) -> CuratorQueue:
    """``candidates`` is table curation.candidates, ``annotations`` a :func:`curation.curated.annotations_frame`."""
    filters = filters or QueueFilters()
    table = review_table(candidates, annotations, min_curators)
    own = annotations[annotations["curator"] == curator].set_index("slug")["decision"]
    has_suggestions = SUGGESTED in table.columns
    rows = [_row(record, own.get(record["slug"]), has_suggestions) for record in table.to_dict("records")]
    waiting = [row for row in rows if row.status != DONE]
    mine = sum(row.my_decision in ("include", "exclude") for row in rows)
    shown = [row for row in waiting if _matches(row, filters)]  # the table's order: most useful first
    return CuratorQueue(shown, review_progress(table), len(waiting), mine, min_curators, has_suggestions,
                        _options(table, has_suggestions))  # fmt: skip


def _row(record: dict, my_decision: object, has_suggestions: bool) -> QueueRow:
    teams = record.get("total_teams")
    probability = record.get(SUGGESTED_PROBABILITY) if has_suggestions else None
    return QueueRow(
        slug=record["slug"],
        title=_text(record.get("title")),
        segment=_text(record.get("host_segment")),
        metric=_text(record.get("metric")) or _text(record.get("evaluation_algorithm_name")),
        teams=None if teams is None or pd.isna(teams) else int(teams),
        launched=_day(record.get("enabled_date")),
        deadline=_day(record.get("deadline_date")),
        reward=reward_text(record.get("reward_type"), record.get("reward_quantity")),
        decisions=int(record["decisions"]),
        status=record["status"],
        my_decision=None if my_decision is None or pd.isna(my_decision) else str(my_decision),
        suggested=_text(record.get(SUGGESTED)) or None if has_suggestions else None,
        suggested_probability=None if probability is None or pd.isna(probability) else float(probability),
        screening=record["screening"],
        mark=screening_mark(record),
        disputed_on=record["disputed_on"],
    )


def _matches(row: QueueRow, filters: QueueFilters) -> bool:
    if row.my_decision in ("include", "exclude") and row.status != DISPUTED and not filters.decided_by_me:
        return False
    checks = [
        not filters.segment or row.segment == filters.segment,
        not filters.metric or row.metric == filters.metric,
        filters.min_teams is None or (row.teams or 0) >= filters.min_teams,
        filters.max_teams is None or (row.teams or 0) <= filters.max_teams,
        filters.year is None or row.launched[:4] == str(filters.year),
        not filters.status or row.status == filters.status,
        not filters.screening or row.screening == filters.screening,
        not filters.suggested or row.suggested == filters.suggested,
    ]
    return all(checks)


def _options(table: pd.DataFrame, has_suggestions: bool) -> dict[str, list]:
    metric = table["metric"].fillna(table["evaluation_algorithm_name"])
    years = pd.to_datetime(table["enabled_date"]).dt.year.dropna().astype(int)
    return {
        "segment": sorted(table["host_segment"].dropna().unique().tolist()),
        "metric": sorted(metric.dropna().unique().tolist()),
        "year": sorted(years.unique().tolist(), reverse=True),
        "suggested": [c for c in COMPLEXITIES if has_suggestions and (table[SUGGESTED] == c).any()],
        "screening": [key for key in SCREENING_LABELS if (table["screening"] == key).any()],
    }


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _day(value: object) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")
