"""``competition_annotations`` and ``curated_competitions``: what curators decided, and the benchmark it makes."""

import dagster as dg
from pydantic import Field

from assets.checks import check_specs, severity
from assets.metadata import counts_table, markdown_table
from assets.partitions import curated_competition_partitions, missing_partitions
from assets.pictures import picture_metadata
from assets.resources import SourcesResource, StorageResource
from curation.annotations import AnnotationError, check_store_not_emptied
from curation.curated import (
    NONE_GIVEN,
    complexity_counts,
    complexity_labels,
    curate,
    decision_counts,
    decision_summary,
    load_annotations,
)
from curation.mirror import Part
from curation.plots import complexity_mix_plot
from curation.warehouse import Warehouse
from validation.checks import Check
from validation.data_root import ANNOTATIONS, CONSOLIDATED, CURATED

CURATORS_AGREE = Check("curators_agree", "No competition has curators who disagree on its decision or complexity.",
                       severity="warning")  # fmt: skip
MEMBERS_IN_META_KAGGLE = Check("members_in_meta_kaggle",
                               "Every member is in this Meta Kaggle dump, or has its facts from the source's listing "
                               "or its split recipe; none that nothing lists reads almost as a dump slug (a typo).",
                               severity="warning")  # fmt: skip


class AnnotationsConfig(dg.Config):
    allow_empty: bool = Field(
        default=False,
        description="replace a non-empty curation.annotations with an empty annotation store (every annotation "
        "removed on purpose); without it, an empty or missing store is refused",
    )


@dg.asset(group_name="curation", kinds={"duckdb", "yaml"})
def competition_annotations(
    context: dg.AssetExecutionContext, config: AnnotationsConfig, storage: StorageResource
) -> dg.MaterializeResult:
    """Every curator's annotation of every competition, read from the annotation files into curation.annotations.

    One row per competition and curator: complexity (low/medium/high by engineer hours), category, decision
    (include/exclude/undecided) with its reason, a note, the split recipe, and when it was last changed. A
    malformed file stops the load with its path and field, and the table stays as it was: no annotation is dropped.
    An empty or missing annotation folder never replaces annotations already loaded (a mistyped
    MLECURATE_ANNOTATIONS), unless the run's config says allow_empty.
    """
    store, warehouse = storage.annotation_store(), storage.warehouse()
    with storage.synced(reads=[Part(store.root, each=True)], tables=[ANNOTATIONS]):
        if not config.allow_empty:
            try:
                check_store_not_emptied(store, _annotations_loaded(warehouse))
            except AnnotationError as error:
                raise dg.Failure(str(error)) from None
        frame, rows = load_annotations(store, warehouse)
    context.log.info(f"{rows:,} annotations from {store.root}")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "table": ANNOTATIONS,
            "store": dg.MetadataValue.path(str(store.root)),
            "competitions_annotated": int(frame["slug"].nunique()),
            "by_curator": counts_table(frame["curator"], "curator"),
            "by_decision": counts_table(frame["decision"], "decision"),
            "last_change": str(frame["updated_at"].max()) if len(frame) else "none",
        }
    )


def _annotations_loaded(warehouse: Warehouse) -> int:
    if not warehouse.has_table(ANNOTATIONS):
        return 0
    return int(warehouse.query(f"SELECT count(*) AS n FROM {ANNOTATIONS}")["n"].iloc[0])


@dg.asset(
    group_name="curation",
    kinds={"duckdb"},
    deps=[competition_annotations, "candidate_competitions"],
    check_specs=check_specs("curated_competitions", (CURATORS_AGREE, MEMBERS_IN_META_KAGGLE)),
)
def curated_competitions(
    context: dg.AssetExecutionContext, sources: SourcesResource, storage: StorageResource
) -> dg.MaterializeResult:
    """The benchmark's members: competitions curators included, with their consolidated annotation.

    Decisions consolidate per competition to include, exclude, disputed or undecided; only an agreed include makes
    a member, and disagreements are shown, never guessed. An include of a competition that a rule excluded
    stands and is flagged with the rule it overrides. A competition outside the Meta Kaggle dump is a member too,
    its facts taken from the competition data source's listing, else its split recipe (column facts_from). Tables
    curation.curated (members) and curation.consolidated (every annotated competition).
    """
    data_source = sources.get().competition_data
    with storage.synced(tables=[CURATED, CONSOLIDATED]):
        benchmark = curate(storage.warehouse(), data_source.listing, data_source.name)
    curated, consolidated = benchmark.result.curated, benchmark.result.consolidated
    disputed, outside = benchmark.disputed, benchmark.result.outside_dump
    errors, factless = benchmark.result.listing_errors, benchmark.result.without_facts
    look_alikes = benchmark.result.look_alikes
    # Headless runs have no sensor daemon: register new members' partitions here too (the sensor does the same).
    new_partitions = missing_partitions(context.instance, curated["slug"].tolist())
    if new_partitions:
        context.instance.add_dynamic_partitions(curated_competition_partitions.name, new_partitions)
    context.log.info(f"{len(curated):,} curated competitions; {len(outside)} outside the Meta Kaggle dump")
    for why in errors.values():
        context.log.warning(why)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": benchmark.members,
            "table": CURATED,
            "curated": len(curated),
            "by_complexity": counts_table(complexity_labels(curated), "complexity", missing=NONE_GIVEN),
            "complexity_mix": picture_metadata(context.instance, complexity_mix_plot(complexity_counts(curated))),
            "by_category": counts_table(curated["category"], "category"),
            "decisions": markdown_table(decision_counts(consolidated, curated)),
            "members_from_decisions": decision_summary(consolidated, curated),
            "disputed": markdown_table(disputed[["slug", "decision", "decisions", "complexities"]]),
            "overrides": markdown_table(benchmark.overrides[["slug", "overrides_rule", "overrides_detail"]]),
            "outside_meta_kaggle": benchmark.result.outside_summary(),
            "listing_errors": "; ".join(errors.values()) or "none",
            "partitions_added": len(new_partitions),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=CURATORS_AGREE.name,
                passed=disputed.empty,
                severity=severity(CURATORS_AGREE),
                description=f"{len(disputed)} competition(s) with disagreeing curators"
                + (f": {', '.join(disputed['slug'])}" if len(disputed) else ""),
                metadata={"disputed": len(disputed)},
            ),
            dg.AssetCheckResult(
                check_name=MEMBERS_IN_META_KAGGLE.name,
                passed=not factless and not look_alikes,
                severity=severity(MEMBERS_IN_META_KAGGLE),
                description=(
                    benchmark.result.outside_summary() if outside else "every member is in this Meta Kaggle dump"
                )
                + (
                    f". No facts beyond the annotation (not listed by {data_source.name}, no "
                    f"metric in a split recipe): {', '.join(factless)}"
                    if factless
                    else ""
                )
                + "".join(
                    f". {slug} is listed by nothing and reads almost as {' or '.join(near)} in the dump: a misspelt "
                    f"slug? (annotate the right one and remove {slug}'s annotations; a competition the dump lacks is "
                    "right as it is)"
                    for slug, near in look_alikes.items()
                ),
                metadata={
                    "outside_dump": len(outside),
                    "without_facts": ", ".join(factless) or "none",
                    "look_alikes": ", ".join(look_alikes) or "none",
                },  # fmt: skip
            ),
        ],
    )
