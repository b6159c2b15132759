"""The rules that screen every Meta Kaggle competition down to candidates for the benchmark.

>>> screening = screen_competitions(competitions, CandidateRules(min_teams=100))
>>> screening.funnel  # rule, excluded, remaining

Rules run in order; a competition is excluded by the first rule it fails, and keeps that rule's name and a
sentence saying why. The rules propose: a curator's explicit ``include`` overrides them (see ``curated``).

| rule | keeps a competition when | why |
|---|---|---|
| ``not_community`` | its segment is not Community (InClass in old dumps) | MLE-bench's first cut: class projects and
  community-hosted contests have no reliable data or leaderboard |
| ``completed`` | its deadline is before ``as_of`` (default: now) | the final private leaderboard must exist |
| ``has_leaderboard`` | Meta Kaggle says it has a leaderboard | medal thresholds come from the leaderboard |
| ``enough_teams`` | it had at least ``min_teams`` teams (default 50, MLE-bench's smallest member) | medals on a
  tiny leaderboard mean little |
| ``known_metric`` | its metric is in mlecurate's metric registry | we must be able to grade submissions |
| ``not_code_competition`` | off by default; when on, drops notebook-only competitions | their test data is hidden
  and late submissions need a notebook |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pandas as pd
import pyarrow as pa

from curation.warehouse import Warehouse
from validation.data_root import CANDIDATES, COMPETITIONS
from validation.metrics import canonical_metric


@dataclass(frozen=True)
class CandidateRules:
    drop_community: bool = True
    require_completed: bool = True
    as_of: datetime | None = None  # default: the time of screening (UTC)
    require_leaderboard: bool = True
    min_teams: int = 50  # 0 turns the rule off
    require_known_metric: bool = True
    drop_code_competitions: bool = False


RULE_DESCRIPTIONS = {
    "not_community": "drop Community (ex-InClass) competitions, as MLE-bench did",
    "completed": "keep competitions whose deadline has passed",
    "has_leaderboard": "keep competitions with a leaderboard",
    "enough_teams": "keep competitions with at least min_teams teams",
    "known_metric": "keep competitions whose metric mlecurate can grade",
    "not_code_competition": "drop notebook-only (code) competitions",
}

CANDIDATE_COLUMNS = [
    "id", "slug", "title", "host_segment", "enabled_date", "deadline_date", "total_teams",
    "evaluation_algorithm_name", "metric", "reward_type", "reward_quantity", "can_qualify_tiers",
    "only_allow_kernel_submissions", "is_candidate", "exclusion_reason", "exclusion_detail",
]  # fmt: skip


@dataclass(frozen=True)
class Screening:
    candidates: pd.DataFrame  # every competition, with is_candidate / exclusion_reason / exclusion_detail
    funnel: pd.DataFrame  # one row per enabled rule: rule, description, excluded, remaining


def screen_competitions(competitions: pa.Table | pd.DataFrame, rules: CandidateRules) -> Screening:
    """Apply the enabled rules in order; every competition keeps the first rule it fails."""
    frame = competitions.to_pandas() if isinstance(competitions, pa.Table) else competitions.copy()
    frame["metric"] = frame["evaluation_algorithm_name"].map(canonical_metric)
    as_of = pd.Timestamp(rules.as_of or datetime.now(UTC))
    if as_of.tzinfo is not None:  # Meta Kaggle times are naive UTC
        as_of = as_of.tz_convert(None)

    checks = []  # (rule, keep mask, detail of the excluded)
    if rules.drop_community:
        checks.append(("not_community", frame["host_segment"] != "Community", "segment " + frame["host_segment_title"]))
    if rules.require_completed:
        checks.append(
            (
                "completed",
                frame["deadline_date"].notna() & (frame["deadline_date"] < as_of),
                "deadline " + frame["deadline_date"].astype(str) + f" is not before {as_of:%Y-%m-%d %H:%M}",
            )
        )
    if rules.require_leaderboard:
        checks.append(
            (
                "has_leaderboard",
                frame["has_leaderboard"].fillna(False).astype(bool),
                _say(frame, "no leaderboard"),
            )
        )
    if rules.min_teams > 0:
        teams = frame["total_teams"].fillna(0)
        checks.append(
            (
                "enough_teams",
                teams >= rules.min_teams,
                teams.astype(int).astype(str) + f" teams, fewer than {rules.min_teams}",
            )
        )
    if rules.require_known_metric:
        checks.append(
            (
                "known_metric",
                frame["metric"].notna(),
                "metric " + frame["evaluation_algorithm_name"].fillna("(none)") + " is not in the metric registry",
            )
        )
    if rules.drop_code_competitions:
        code = frame["only_allow_kernel_submissions"].fillna(False).astype(bool)
        checks.append(("not_code_competition", ~code, _say(frame, "notebook-only competition")))

    reason = pd.Series(None, index=frame.index, dtype="object")
    detail = pd.Series(None, index=frame.index, dtype="object")
    funnel = []
    remaining = len(frame)
    for rule, keep, why in checks:
        newly_excluded = reason.isna() & ~keep.astype(bool)
        reason[newly_excluded] = rule
        detail[newly_excluded] = why[newly_excluded]
        remaining -= int(newly_excluded.sum())
        funnel.append({
            "rule": rule, "description": RULE_DESCRIPTIONS[rule],
            "excluded": int(newly_excluded.sum()), "remaining": remaining,
        })  # fmt: skip

    frame["is_candidate"] = reason.isna()
    frame["exclusion_reason"] = reason
    frame["exclusion_detail"] = detail
    funnel_frame = pd.DataFrame(
        [
            {
                "rule": "(all competitions)",
                "description": "rows in Meta Kaggle",
                "excluded": 0,
                "remaining": len(frame),
            }
        ]
        + funnel
    )
    return Screening(candidates=frame[CANDIDATE_COLUMNS].reset_index(drop=True), funnel=funnel_frame)


def screen_candidates(
    warehouse: Warehouse, rules: CandidateRules,
    add_columns: Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame] | None = None,
) -> tuple[Screening, int]:  # fmt: skip
    """Screen the warehouse's competitions and replace the candidates table; (screening, rows written).
    ``add_columns(competitions, candidates)``, when given, returns the candidates with more columns (the suggested
    complexity), written in the same replacement."""
    competitions = warehouse.read_table(COMPETITIONS)
    screening = screen_competitions(competitions, rules)
    if add_columns is not None:
        screening = replace(screening, candidates=add_columns(competitions, screening.candidates))
    return screening, warehouse.replace_table(CANDIDATES, screening.candidates)


def _say(frame: pd.DataFrame, text: str) -> pd.Series:
    return pd.Series(text, index=frame.index, dtype="object")
