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
    so a mistyped slug left a download and a leaderboard history behind. Partitions are looked up once per step
    (one query of the instance)."""
    slug = context.partition_key
    known = context.instance.get_dynamic_partitions(curated_competition_partitions.name)
    # An instance with no partition at all is one the asset was called on directly (build_asset_context, a notebook):
    # the caller chose the key, and no run or partition is recorded anywhere.
    if known and slug not in known:
        raise dg.Failure(
            f"{slug!r} is not a curated competition partition: `mlecurate curated --slugs` lists them (a competition "
            "becomes one when curators include it and the curation job runs)",
            allow_retries=False,
        )
    return slug
