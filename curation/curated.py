"""From curators' annotations and the screened candidates to the benchmark's members.

>>> result = consolidate(annotations_frame(store.all()), screening.candidates)
>>> result.curated  # one row per included competition, with its consolidated annotation

The rules propose and curators decide. Per competition, the curators' decisions consolidate to ``include`` (every
curator who decided said include), ``exclude`` (every one said exclude), ``disputed`` (they disagree) or ``undecided``.
Only ``include`` makes a member. Complexity and category consolidate the same way: agreed values are kept, a
disagreement leaves the value empty and says so, never picks one. An include of a competition that a rule
excluded stands, flagged with the rule it overrides. Included slugs that Meta Kaggle does not have are listed in
``missing_from_meta_kaggle``, not dropped silently.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from curation.annotations import Annotation

ANNOTATION_COLUMNS = [
    "slug", "curator", "complexity", "category", "decision", "reason", "note", "split_recipe", "updated_at",
]  # fmt: skip
CONSOLIDATED_COLUMNS = [
    "slug", "curators", "decision", "decisions", "complexity", "complexity_status", "complexities",
    "category", "category_status", "in_meta_kaggle", "is_candidate", "exclusion_reason",
]  # fmt: skip
CURATED_COLUMNS = [
    "slug", "title", "host_segment", "complexity", "complexity_status", "complexities", "category",
    "category_status", "curators", "metric", "evaluation_algorithm_name", "total_teams", "enabled_date",
    "deadline_date", "overrides_rule", "overrides_detail",
]  # fmt: skip


@dataclass(frozen=True)
class Consolidation:
    consolidated: pd.DataFrame  # one row per annotated slug
    curated: pd.DataFrame  # the members: consolidated include, present in Meta Kaggle
    missing_from_meta_kaggle: list[str]  # included by curators, unknown to this Meta Kaggle dump


def annotations_frame(annotations: Iterable[Annotation]) -> pd.DataFrame:
    rows = [
        {**a.__dict__, "split_recipe": None if a.split_recipe is None else _recipe_text(a.split_recipe)}
        for a in annotations
    ]
    return pd.DataFrame(rows, columns=ANNOTATION_COLUMNS)


def _recipe_text(recipe: dict) -> str:
    return json.dumps(recipe, sort_keys=True)


def consolidate(annotations: pd.DataFrame, candidates: pd.DataFrame) -> Consolidation:
    """``annotations`` is :func:`annotations_frame` (or table curation.annotations); ``candidates`` the screening."""
    frame = annotations.sort_values(["slug", "curator"])
    facts = candidates.set_index("slug")
    rows = []
    for slug, group in frame.groupby("slug", sort=True):
        decided = group[group["decision"] != "undecided"]
        complexity, complexity_status, complexities = _agree(group, "complexity")
        category, category_status, _ = _agree(group, "category")
        known = slug in facts.index
        rows.append({
            "slug": slug,
            "curators": ", ".join(group["curator"]),
            "decision": _decision(set(decided["decision"])),
            "decisions": _listing(group, "decision"),
            "complexity": complexity,
            "complexity_status": complexity_status,
            "complexities": complexities,
            "category": category,
            "category_status": category_status,
            "in_meta_kaggle": known,
            "is_candidate": bool(facts.at[slug, "is_candidate"]) if known else None,
            "exclusion_reason": facts.at[slug, "exclusion_reason"] if known else None,
        })  # fmt: skip
    consolidated = pd.DataFrame(rows, columns=CONSOLIDATED_COLUMNS)

    included = consolidated[consolidated["decision"] == "include"]
    members = included[included["in_meta_kaggle"]].merge(
        candidates.drop(columns=["exclusion_reason"]), on="slug", how="left", suffixes=("", "_candidate")
    )
    members["overrides_rule"] = members["exclusion_reason"].where(~members["is_candidate"].astype(bool))
    members["overrides_detail"] = members["exclusion_detail"].where(~members["is_candidate"].astype(bool))
    missing = sorted(included.loc[~included["in_meta_kaggle"], "slug"])
    return Consolidation(
        consolidated=consolidated,
        curated=members[CURATED_COLUMNS].reset_index(drop=True),
        missing_from_meta_kaggle=missing,
    )


def _decision(decisions: set[str]) -> str:
    if not decisions:
        return "undecided"
    return decisions.pop() if len(decisions) == 1 else "disputed"


def _agree(group: pd.DataFrame, field: str) -> tuple[str | None, str, str]:
    """(agreed value or None, agreed | disputed | missing, 'curator: value' listing)."""
    given = group[group[field].notna()]
    values: dict[str, object] = {}
    for value in given[field]:  # the first spelling wins; values differing only in case agree
        values.setdefault(str(value).casefold(), value)
    if not values:
        return None, "missing", ""
    if len(values) > 1:
        return None, "disputed", _listing(given, field)
    return next(iter(values.values())), "agreed", _listing(given, field)


def _listing(group: pd.DataFrame, field: str) -> str:
    return "; ".join(f"{curator}: {value}" for curator, value in zip(group["curator"], group[field], strict=True))
