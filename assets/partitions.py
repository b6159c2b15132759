"""One dynamic partition per curated competition; added when ``curated_competitions`` gains members."""

import dagster as dg

curated_competition_partitions = dg.DynamicPartitionsDefinition(name="curated_competition")


def missing_partitions(instance: dg.DagsterInstance, slugs: list[str]) -> list[str]:
    """The curated slugs that have no partition yet (partitions of dropped members are kept, with their history)."""
    existing = set(instance.get_dynamic_partitions(curated_competition_partitions.name))
    return [slug for slug in slugs if slug not in existing]
