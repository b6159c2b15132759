"""One dynamic partition per curated competition; added when ``curated_competitions`` gains members."""

import dagster as dg

curated_competition_partitions = dg.DynamicPartitionsDefinition(name="curated_competition")


def missing_partitions(instance: dg.DagsterInstance, slugs: list[str]) -> list[str]:
    """The curated slugs that have no partition yet (partitions of dropped members are kept, with their history)."""
    existing = set(instance.get_dynamic_partitions(curated_competition_partitions.name))
    return [slug for slug in slugs if slug not in existing]


def curated_slug(context: dg.AssetExecutionContext) -> str:
    """The run's competition, refused before anything is written when it is not a curated partition: `dagster job
    execute --tags '{"dagster/partition": ...}'` runs the steps first and checks the key only when it records them,
    so a mistyped slug, or any slug before the curation job had made partitions, left a download and a leaderboard
    history behind. Partitions are looked up once per step (one query of the instance)."""
    if not context.has_partition_key:
        job = "this asset" if _called_directly(context) else context.job_name  # a direct call has no job
        raise dg.Failure(
            f'{job} runs for one curated competition: add --tags \'{{"dagster/partition": "<slug>"}}\' '
            "(`mlecurate curated --slugs` lists them)",
            allow_retries=False,
        )
    slug = context.partition_key
    known = context.instance.get_dynamic_partitions(curated_competition_partitions.name)
    if slug in known or (not known and _called_directly(context)):
        # An asset called directly (build_asset_context, a notebook) on an instance with no partition at all: the
        # caller chose the key, and no run or partition is recorded anywhere.
        return slug
    listed = (
        "no competition is one yet: run the curation job first (`dagster job execute -m pipelines -j curation`), which "
        "makes one for each competition curators include"
        if not known
        else "`mlecurate curated --slugs` lists them (a competition becomes one when curators include it and the "
        "curation job runs)"
    )
    raise dg.Failure(f"{slug!r} is not a curated competition partition: {listed}", allow_retries=False)


def _called_directly(context: dg.AssetExecutionContext) -> bool:
    try:
        context.run  # noqa: B018  (a directly invoked asset's context has no run and says so)
    except dg.DagsterError:  # DagsterInvalidPropertyError, not exported
        return True
    return False
