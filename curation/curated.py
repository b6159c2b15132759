"""From curators' annotations and the screened candidates to the benchmark's members.

>>> result = consolidate(annotations_frame(store.all()), screening.candidates)
>>> result.curated  # one row per included competition, with its consolidated annotation

The rules propose and curators decide. Per competition, the curators' decisions consolidate to ``include`` (every
curator who decided said include), ``exclude`` (every one said exclude), ``disputed`` (they disagree) or ``undecided``.
Only ``include`` makes a member. Complexity and category consolidate the same way: agreed values are kept, a
disagreement leaves the value empty and says so, never picks one. An include of a competition that a rule
excluded stands, flagged with the rule it overrides. Included slugs that Meta Kaggle does not have are listed in
``missing_from_meta_kaggle``, not dropped silently. Which curator's split recipe counts is decided here too
(:func:`split_recipe_for`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from curation.annotations import Annotation, AnnotationStore
from curation.competition_data import read_download_record
from curation.warehouse import Warehouse
from validation.data_root import ANNOTATIONS, CANDIDATES, CONSOLIDATED, CURATED, DataRoot

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
    return _typed_if_empty(pd.DataFrame(rows, columns=ANNOTATION_COLUMNS))


_BOOLEAN_COLUMNS = ("in_meta_kaggle", "is_candidate")


def _typed_if_empty(frame: pd.DataFrame) -> pd.DataFrame:
    """An empty frame's untyped columns as text (booleans as booleans), so its table has typed columns, not NULL."""
    if len(frame):
        return frame
    untyped = [name for name in frame.columns if frame[name].dtype == object]
    return frame.astype({name: "boolean" if name in _BOOLEAN_COLUMNS else "string" for name in untyped})


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
    consolidated = _typed_if_empty(pd.DataFrame(rows, columns=CONSOLIDATED_COLUMNS))

    included = consolidated[consolidated["decision"] == "include"]
    # astype(bool): always a mask (pandas takes an empty object-dtype Series as column labels: KeyError 'slug').
    known = included["in_meta_kaggle"].astype(bool)
    members = included[known].merge(
        candidates.drop(columns=["exclusion_reason"]), on="slug", how="left", suffixes=("", "_candidate")
    )
    members["overrides_rule"] = members["exclusion_reason"].where(~members["is_candidate"].astype(bool))
    members["overrides_detail"] = members["exclusion_detail"].where(~members["is_candidate"].astype(bool))
    missing = sorted(included.loc[~known, "slug"])
    return Consolidation(
        consolidated=consolidated,
        curated=_typed_if_empty(members[CURATED_COLUMNS].reset_index(drop=True)),
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


class SplitRecipeChoiceError(ValueError):
    """Curators gave a competition no split recipe, or different ones; the message says what to do."""


def split_recipe_for(slug: str, annotations: list[Annotation]) -> tuple[dict, str]:
    """The split recipe curators gave ``slug`` and who gave it; curators who excluded it are not asked.

    Raises :class:`SplitRecipeChoiceError` when there is none, or when curators gave different ones.
    """
    given = {a.curator: a.split_recipe for a in annotations if a.split_recipe and a.decision != "exclude"}
    distinct = {json.dumps(r, sort_keys=True) for r in given.values()}
    if not given:
        raise SplitRecipeChoiceError(
            f"{slug}: no split recipe; add one with `mlecurate annotate {slug} --curator NAME --split-recipe FILE.yaml`"
        )
    if len(distinct) > 1:
        raise SplitRecipeChoiceError(
            f"{slug}: curators {', '.join(sorted(given))} gave different split recipes; agree on one"
        )
    curator = sorted(given)[0]
    return given[curator], ", ".join(sorted(given))


def load_annotations(store: AnnotationStore, warehouse: Warehouse) -> tuple[pd.DataFrame, int]:
    """Read every annotation file (the first malformed one raises, naming file and field) into the annotations table."""
    frame = annotations_frame(store.all())
    return frame, warehouse.replace_table(ANNOTATIONS, frame)


@dataclass(frozen=True)
class CuratedBenchmark:
    result: Consolidation
    members: int  # rows written to the curated table
    disputed: pd.DataFrame  # competitions whose curators disagree on the decision or the complexity
    overrides: pd.DataFrame  # members a candidate rule excluded


def curate(warehouse: Warehouse) -> CuratedBenchmark:
    """Consolidate the annotations against the candidates; replace the curated and consolidated tables together."""
    result = consolidate(warehouse.read_table(ANNOTATIONS), warehouse.read_table(CANDIDATES))
    counts = warehouse.replace_tables({CURATED: result.curated, CONSOLIDATED: result.consolidated})
    consolidated = result.consolidated
    disputed = consolidated[
        (consolidated["decision"] == "disputed") | (consolidated["complexity_status"] == "disputed")
    ]
    overrides = result.curated[result.curated["overrides_rule"].notna()]
    return CuratedBenchmark(result, counts[CURATED], disputed, overrides)


def curated_slugs(warehouse: Warehouse) -> list[str] | None:
    """The members' slugs, sorted; None before the curated table exists."""
    if not warehouse.has_table(CURATED):
        return None
    return warehouse.query(f"SELECT slug FROM {CURATED} ORDER BY slug")["slug"].tolist()


def members_status(curated: pd.DataFrame, root: DataRoot) -> pd.DataFrame:
    """The members (table curation.curated) with their download and split status, as ``mlecurate curated`` lists them.

    Columns: slug, complexity ("disputed" when curators disagree), category, data (the download record's status, or
    "-"), split ("prepared" once a split is published, else "-"), overrides (the candidate rule an include overrides).
    """
    records = {slug: read_download_record(root.raw(slug)) for slug in curated["slug"]}
    return pd.DataFrame({
        "slug": curated["slug"],
        "complexity": curated["complexity"].fillna("disputed"),
        "category": curated["category"].fillna(""),
        "data": [records[s].status if records[s] else "-" for s in curated["slug"]],
        "split": ["prepared" if root.prepared(s).manifest.is_file() else "-" for s in curated["slug"]],
        "overrides": curated["overrides_rule"].fillna(""),
    })  # fmt: skip


def complexity_counts(curated: pd.DataFrame) -> dict[str | None, int]:
    """How many members have each consolidated complexity, in name order; None (disputed or missing) last."""
    complexity = curated["complexity"]
    counts = {level: int(n) for level, n in sorted(complexity.dropna().value_counts().items())}
    unresolved = int(complexity.isna().sum())
    return {**counts, None: unresolved} if unresolved else counts
