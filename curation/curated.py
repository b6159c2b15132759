"""From curators' annotations and the screened candidates to the benchmark's members.

>>> result = consolidate(annotations_frame(store.all()), screening.candidates)
>>> result.curated  # one row per included competition, with its consolidated annotation

The rules propose and curators decide. Per competition, the curators' decisions consolidate to ``include`` (every
curator who decided said include), ``exclude`` (every one said exclude), ``disputed`` (they disagree) or ``undecided``.
Only ``include`` makes a member. Complexity and category consolidate the same way: agreed values are kept, a
disagreement leaves the value empty and says so, never picks one. An include of a competition that a rule
excluded stands, flagged with the rule it overrides. Which curator's split recipe counts is decided here too
(:func:`split_recipe_for`).

A competition outside the Meta Kaggle dump (launched after it, or an always-open Getting Started competition such as
``titanic`` that the dump leaves out) is a member like any other once curators include it. The facts the dump would
have given come from the competition data source's listing (title, metric, deadline, team count), else the split
recipe (its ``metric``), else there are none beyond the curators' annotation; column ``facts_from`` says which
(``meta kaggle`` for the rest), and ``Consolidation.outside_dump`` lists them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace

import pandas as pd

from curation.annotations import Annotation, AnnotationStore
from curation.slug_look_alikes import look_alikes
from curation.sources import CompetitionListing, SourceError
from curation.sources.kaggle_client import KaggleError
from curation.stage_status import competition_stages
from curation.warehouse import Warehouse
from validation.data_root import ANNOTATIONS, CANDIDATES, CONSOLIDATED, CURATED, DataRoot
from validation.metrics import canonical_metric, resolve_metric

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
    "deadline_date", "can_qualify_tiers", "only_allow_kernel_submissions", "overrides_rule", "overrides_detail",
    "facts_from",
]  # fmt: skip
FROM_META_KAGGLE = "meta kaggle"  # facts_from of a member in the dump
FROM_RECIPE = "split recipe"  # outside the dump: the metric named by the split recipe
FROM_ANNOTATION = "annotation"  # outside the dump, and nothing lists it: only what curators annotated
DISPUTED = "disputed"  # the one label of what curators disagree on (decision or complexity), wherever it is shown


@dataclass(frozen=True)
class Consolidation:
    consolidated: pd.DataFrame  # one row per annotated slug
    curated: pd.DataFrame  # the members: every consolidated include, in the dump or not (column facts_from)
    outside_dump: dict[str, str] = field(default_factory=dict)  # members the dump lacks -> where their facts came from
    listing_errors: dict[str, str] = field(default_factory=dict)  # members whose listing could not be fetched -> why
    # members outside the dump that nothing lists (facts from the recipe or the annotation) and that read almost as a
    # dump slug does -> those slugs: a misspelt slug annotated before the dump was loaded (a sweep's)
    look_alikes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def without_facts(self) -> list[str]:
        """Members outside the dump with no facts beyond the annotation: nothing lists them, no recipe names a metric."""
        return [slug for slug, origin in self.outside_dump.items() if origin == FROM_ANNOTATION]

    def outside_summary(self) -> str:
        """``2 outside the dump: titanic (facts from split recipe); ...``, or ``none``."""
        if not self.outside_dump:
            return "none"
        members = "; ".join(f"{slug} (facts from {origin})" for slug, origin in self.outside_dump.items())
        return f"{len(self.outside_dump)} outside the dump: {members}"


def annotations_frame(annotations: Iterable[Annotation]) -> pd.DataFrame:
    rows = [
        {**a.__dict__, "split_recipe": None if a.split_recipe is None else _recipe_text(a.split_recipe)}
        for a in annotations
    ]
    return _typed_if_empty(pd.DataFrame(rows, columns=ANNOTATION_COLUMNS))


# Meta Kaggle's flags an export's config.yaml says (awards_medals, competition_type: code), for every member
LISTED_FLAGS = ("can_qualify_tiers", "only_allow_kernel_submissions")
_BOOLEAN_COLUMNS = ("in_meta_kaggle", "is_candidate", *LISTED_FLAGS)


def _typed_if_empty(frame: pd.DataFrame) -> pd.DataFrame:
    """An empty frame's untyped columns as text (booleans as booleans), so its table has typed columns, not NULL."""
    if len(frame):
        return frame
    untyped = [name for name in frame.columns if frame[name].dtype == object]
    return frame.astype({name: "boolean" if name in _BOOLEAN_COLUMNS else "string" for name in untyped})


def _typed_nulls(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns holding no value at all (every member outside the dump lacks a segment) typed as text, so that the
    table's column never has DuckDB's NULL type."""
    empty = [name for name in frame.columns if frame[name].dtype == object and frame[name].isna().all()]
    return frame.astype({n: "boolean" if n in _BOOLEAN_COLUMNS else "string" for n in empty}) if empty else frame


def _recipe_text(recipe: dict) -> str:
    return json.dumps(recipe, sort_keys=True)


def consolidate(
    annotations: pd.DataFrame,
    candidates: pd.DataFrame,
    listings: Mapping[str, CompetitionListing | None] | None = None,
    listing_errors: Mapping[str, str] | None = None,
) -> Consolidation:
    """``annotations`` is :func:`annotations_frame` (or table curation.annotations); ``candidates`` the screening;
    ``listings`` what the competition data source lists about included slugs the dump lacks
    (:func:`outside_dump_includes`, :func:`fetch_listings`), and ``listing_errors`` why a listing could not be had."""
    frame = annotations.sort_values(["slug", "curator"])
    facts = candidates.set_index("slug")
    rows = []
    for slug, group in frame.groupby("slug", sort=True):
        known = slug in facts.index
        rows.append({
            "slug": slug,
            **agreement(group),
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
    members["facts_from"] = FROM_META_KAGGLE
    named = [_recipe_metric(slug, frame[frame["slug"] == slug]) for slug in members["slug"]]  # sweep 189: icdm showed
    members["metric"] = [  # mean_f2 where its recipe graded mean_f0_5: the grading metric, as resolve_metric decides it
        resolve_metric(None, {"metric": by_recipe} if by_recipe else None, name)
        for by_recipe, name in zip(named, members["evaluation_algorithm_name"], strict=True)
    ]
    members = members.reindex(columns=CURATED_COLUMNS)  # a screening without a column (an older one) leaves it empty
    members = members.astype(dict.fromkeys(LISTED_FLAGS, "boolean"))  # BOOLEAN, whatever the screening held
    outside = [
        _outside_member(row, frame[frame["slug"] == row["slug"]], (listings or {}).get(row["slug"]))
        for row in included[~known].to_dict("records")
    ]
    if outside:
        members = pd.concat([members.astype(object), pd.DataFrame(outside, columns=CURATED_COLUMNS)])
        members = members.sort_values("slug").astype(_CURATED_TYPES)
    return Consolidation(
        consolidated=consolidated,
        curated=_typed_if_empty(members.reset_index(drop=True)),
        outside_dump={row["slug"]: row["facts_from"] for row in outside},
        listing_errors={
            slug: why for slug, why in (listing_errors or {}).items() if slug in {r["slug"] for r in outside}
        },
        look_alikes={
            row["slug"]: near
            for row in outside
            if row["facts_from"] in (FROM_RECIPE, FROM_ANNOTATION) and (near := look_alikes(row["slug"], facts.index))
        },
    )


# The curated table's column types where outside members (built from Python values) join the dump's rows.
_CURATED_TYPES = {"total_teams": "Int64", "enabled_date": "datetime64[ns]", "deadline_date": "datetime64[ns]",
                  **dict.fromkeys(LISTED_FLAGS, "boolean")}  # fmt: skip


def _outside_member(row: dict, annotations: pd.DataFrame, listing: CompetitionListing | None) -> dict:
    """A member the dump lacks: its facts from the listing, else the split recipe (its metric), else none."""
    listed = listing is not None and any(
        value is not None
        for value in (
            listing.title,
            listing.evaluation_metric,
            listing.deadline,
            listing.team_count,
            listing.awards_medals,
            listing.code_competition,
        )  # fmt: skip
    )
    recipe_metric = _recipe_metric(row["slug"], annotations)
    listed_metric = listing.evaluation_metric if listed else None
    origins = [f"{listing.source} listing"] if listed else []
    if recipe_metric and not listed_metric:
        origins.append(FROM_RECIPE)
    return {
        **{name: row.get(name) for name in CURATED_COLUMNS},
        "title": listing.title if listed else None,
        "host_segment": None,
        "metric": recipe_metric or canonical_metric(listed_metric),
        "evaluation_algorithm_name": listed_metric or recipe_metric,
        "total_teams": listing.team_count if listed else None,
        "enabled_date": None,
        "deadline_date": _naive_time(listing.deadline) if listed else None,
        "can_qualify_tiers": listing.awards_medals if listed else None,  # an export's awards_medals
        "only_allow_kernel_submissions": listing.code_competition if listed else None,
        "overrides_rule": None,
        "overrides_detail": None,
        "facts_from": " + ".join(origins) or FROM_ANNOTATION,
    }


def _recipe_metric(slug: str, annotations: pd.DataFrame) -> str | None:
    """The ``metric`` of the split recipe that counts (:func:`split_recipe_for` decides which); None without one."""
    given = [
        SimpleNamespace(curator=a.curator, decision=a.decision, split_recipe=json.loads(a.split_recipe))
        for a in annotations.itertuples()
        if isinstance(a.split_recipe, str) and a.split_recipe
    ]
    try:
        recipe, _ = split_recipe_for(slug, given)
    except SplitRecipeChoiceError:
        return None
    return str(recipe["metric"]) if recipe.get("metric") else None


def _naive_time(text: str | None) -> pd.Timestamp | None:
    """A listed ISO 8601 time as Meta Kaggle keeps its times: naive UTC."""
    if not text:
        return None
    stamp = pd.Timestamp(text)
    return stamp.tz_convert(None) if stamp.tzinfo is not None else stamp


def outside_dump_includes(annotations: pd.DataFrame, candidates: pd.DataFrame) -> list[str]:
    """Included slugs (as :func:`consolidate` decides) that the screened dump does not have: those needing a listing."""
    consolidated = consolidate(annotations, candidates).consolidated
    included = consolidated[consolidated["decision"] == "include"]
    return sorted(included.loc[~included["in_meta_kaggle"].astype(bool), "slug"])


def fetch_listings(
    slugs: Iterable[str], listing: Callable[[str], CompetitionListing | None] | None, source_name: str = "the source"
) -> tuple[dict[str, CompetitionListing | None], dict[str, str]]:
    """``listing(slug)`` for each slug (a source's ``listing``): (listings, why a listing could not be had).

    A source that cannot be reached (no credentials, no network, a misconfigured folder) leaves those members with
    the facts the recipe or the annotation give, and says why; it never stops the curation."""
    found: dict[str, CompetitionListing | None] = {}
    errors: dict[str, str] = {}
    for slug in slugs:
        if listing is None:
            found[slug] = None
            continue
        try:
            found[slug] = listing(slug)
        except (KaggleError, SourceError, OSError) as error:
            found[slug], errors[slug] = None, f"{source_name} could not list {slug}: {type(error).__name__}: {error}"
    return found, errors


def agreement(group: pd.DataFrame) -> dict:
    """One competition's annotations (its rows of :func:`annotations_frame`, by curator) consolidated: the curators,
    the decision (``include`` or ``exclude`` when every curator who decided said so, ``disputed``, ``undecided``) with
    each curator's, and the complexity and category with their status (agreed, disputed, missing). The one
    consolidation: :func:`consolidate` makes curation.consolidated of it, the curators' queue its status."""
    decided = group[group["decision"] != "undecided"]
    complexity, complexity_status, complexities = _agree(group, "complexity")
    category, category_status, _ = _agree(group, "category")
    return {
        "curators": ", ".join(group["curator"]),
        "decision": _decision(set(decided["decision"])),
        "decisions": _listing(group, "decision"),
        "complexity": complexity,
        "complexity_status": complexity_status,
        "complexities": complexities,
        "category": category,
        "category_status": category_status,
    }


# What makes a competition disputed, and the consolidated column that says so: curators who disagree on the decision
# or on the complexity (the curators_agree check's two). A different category is shown, never held against it.
DISPUTE_COLUMNS = {"decision": "decision", "complexity": "complexity_status"}


def disputed_on(agreed: Mapping) -> list[str]:
    """What the curators of one competition (an :func:`agreement`, or a row of curation.consolidated) disagree on:
    ``decision``, ``complexity``, both or neither."""
    return [name for name, column in DISPUTE_COLUMNS.items() if agreed[column] == DISPUTED]


def disputed_mask(consolidated: pd.DataFrame) -> pd.Series:
    """Which rows of curation.consolidated are disputed (:func:`disputed_on` is not empty)."""
    return pd.concat([consolidated[column] == DISPUTED for column in DISPUTE_COLUMNS.values()], axis=1).any(axis=1)


def _decision(decisions: set[str]) -> str:
    if not decisions:
        return "undecided"
    return decisions.pop() if len(decisions) == 1 else DISPUTED


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
            f"{slug}: curators {', '.join(sorted(given))} gave different split recipes; agree on one (a curator "
            f"withdraws theirs with `mlecurate annotate {slug} --curator NAME --clear split-recipe`)"
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


def curate(
    warehouse: Warehouse, listing: Callable[[str], CompetitionListing | None] | None = None, source_name: str = ""
) -> CuratedBenchmark:
    """Consolidate the annotations against the candidates; replace the curated and consolidated tables together.

    ``listing`` (a source's ``listing``) is asked about the included competitions the dump lacks."""
    annotations, candidates = warehouse.read_table(ANNOTATIONS), warehouse.read_table(CANDIDATES)
    listings, errors = fetch_listings(
        outside_dump_includes(annotations, candidates), listing, source_name or "the source"
    )
    result = consolidate(annotations, candidates, listings, errors)
    counts = warehouse.replace_tables({CURATED: _typed_nulls(result.curated), CONSOLIDATED: result.consolidated})
    consolidated = result.consolidated
    disputed = consolidated[disputed_mask(consolidated)]
    overrides = result.curated[result.curated["overrides_rule"].notna()]
    return CuratedBenchmark(result, counts[CURATED], disputed, overrides)


def curated_slugs(warehouse: Warehouse) -> list[str] | None:
    """The members' slugs, sorted; None before the curated table exists."""
    if not warehouse.has_table(CURATED):
        return None
    return warehouse.query(f"SELECT slug FROM {CURATED} ORDER BY slug")["slug"].tolist()


STATUS_WIDTH = 70  # `mlecurate curated` cuts a stage's status (an error message) here; `mlecurate show` has it whole


def members_status(curated: pd.DataFrame, root: DataRoot, width: int | None = STATUS_WIDTH) -> pd.DataFrame:
    """The members (table curation.curated) with each stage's status, as ``mlecurate curated`` lists them.

    Columns: slug, complexity ("disputed" when curators disagree, "-" when none gave one), category, data (downloaded,
    needs_rules_acceptance, failed: <message>, or not run), split (published (train N, test M), failed: <error>,
    or not run), parity (the verdict, failed: <error>, or not run), facts (where the competition's facts come from:
    meta kaggle, or a listing, the split recipe or the annotation for one outside the dump), overrides (the
    candidate rule an include overrides). See :mod:`curation.stage_status`.
    """
    stages = [competition_stages(slug, root) for slug in curated["slug"]]
    facts = curated["facts_from"] if "facts_from" in curated else pd.Series(FROM_META_KAGGLE, index=curated.index)
    return pd.DataFrame({
        "slug": curated["slug"],
        "complexity": complexity_labels(curated).fillna("-"),  # "-": no curator gave one
        "category": curated["category"].fillna(""),
        "data": [_cut(s.data, width) for s in stages],
        "split": [_cut(s.split, width) for s in stages],
        "parity": [_cut(s.parity, width) for s in stages],
        "facts": facts.fillna(FROM_META_KAGGLE).tolist(),
        "overrides": curated["overrides_rule"].fillna("").tolist(),
    })  # fmt: skip


def _cut(text: str, width: int | None) -> str:
    line = " ".join(text.split())  # one line: an error may span several
    return line if width is None or len(line) <= width else line[: width - 3] + "..."


NONE_GIVEN = "none given"  # a count of members whose complexity no curator gave (a table cell shows "-")


def complexity_labels(curated: pd.DataFrame) -> pd.Series:
    """Each member's complexity as every view shows it: the agreed level, ``disputed`` when curators disagree
    (never a guess), None when no curator gave one."""
    complexity = curated["complexity"].astype(object)
    if "complexity_status" not in curated:
        return complexity.where(complexity.notna(), None)
    disputed = complexity.isna() & (curated["complexity_status"] == DISPUTED)
    labels = complexity.where(~disputed, DISPUTED)
    return labels.where(labels.notna(), None)


def complexity_counts(curated: pd.DataFrame) -> dict[str | None, int]:
    """How many members have each consolidated complexity, in name order; then ``disputed``, then None (no curator
    gave one) last."""
    labels = complexity_labels(curated)
    levels = labels[labels.notna() & (labels != DISPUTED)]
    counts = {level: int(n) for level, n in sorted(levels.value_counts().items())}
    disputed, missing = int((labels == DISPUTED).sum()), int(labels.isna().sum())
    return counts | ({DISPUTED: disputed} if disputed else {}) | ({None: missing} if missing else {})


def decision_counts(consolidated: pd.DataFrame, curated: pd.DataFrame) -> pd.DataFrame:
    """The consolidated decisions, each with what it means for membership: every agreed include is a member (those
    outside the Meta Kaggle dump too), a disputed or undecided competition is not one until curators agree.
    Columns: decision, competitions, members (how many of them are in the curated table), meaning."""
    meaning = {
        "include": "every curator who decided said include: a member",
        "exclude": "every curator who decided said exclude: not a member",
        "disputed": "curators disagree on the decision: not a member until they agree",
        "undecided": "annotated, but no curator decided yet: not a member",
    }
    members = set(curated["slug"])
    rows = [
        {"decision": decision, "competitions": int(len(group)), "members": int(group["slug"].isin(members).sum()),
         "meaning": meaning.get(decision, "")}
        for decision, group in consolidated.groupby("decision", sort=False)
    ]  # fmt: skip
    order = list(meaning)
    rows.sort(key=lambda r: (order.index(r["decision"]) if r["decision"] in order else len(order), r["decision"]))
    return pd.DataFrame(rows, columns=["decision", "competitions", "members", "meaning"])


def decision_summary(consolidated: pd.DataFrame, curated: pd.DataFrame) -> str:
    """One sentence saying how the decisions make the members, e.g. "25 members: the 25 agreed includes (24 in Meta
    Kaggle, 1 outside the dump); not members: 1 disputed, 3 exclude; 1 member(s) have a disputed complexity (...)"."""
    counts = decision_counts(consolidated, curated).set_index("decision")["competitions"].to_dict()
    outside = int(
        (curated.get("facts_from", pd.Series(dtype=object)).fillna(FROM_META_KAGGLE) != FROM_META_KAGGLE).sum()
    )
    where = f" ({len(curated) - outside} in Meta Kaggle, {outside} outside the dump)" if outside else ""
    others = [f"{counts[d]} {d}" for d in ("disputed", "undecided", "exclude") if counts.get(d)]
    disputed_complexity = int((complexity_labels(curated) == DISPUTED).sum()) if len(curated) else 0
    also = (
        f"; {disputed_complexity} member(s) have a disputed complexity (a member still: only the decision decides)"
        if disputed_complexity else ""
    )  # fmt: skip
    return (
        f"{len(curated)} members: the {counts.get('include', 0)} agreed includes{where}"
        + (f"; not members: {', '.join(others)}" if others else "")
        + also
    )
