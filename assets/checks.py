"""Check specs from the check declarations (``validation.checks.Check``): names and texts are declared once, there;
and the results of checks on a per-competition asset, which always say which competition they are about."""

import warnings
from collections.abc import Mapping

import dagster as dg

from validation.checks import Check


def check_specs(
    asset: str, checks: tuple[Check, ...], partitions_def: dg.PartitionsDefinition | None = None
) -> list[dg.AssetCheckSpec]:
    """The specs of ``checks`` on ``asset``; on a partitioned asset pass its ``partitions_def``, so each evaluation
    is recorded against its partition (the competition) and the UI's Checks tab names it."""
    with warnings.catch_warnings():
        # Partitioned check specs are a preview in Dagster 1.13; they are what records a check's competition.
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return [
            dg.AssetCheckSpec(
                c.name, asset=asset, description=c.description, blocking=c.blocking, partitions_def=partitions_def
            )
            for c in checks
        ]


def severity(check: Check) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.ERROR if check.severity == "error" else dg.AssetCheckSeverity.WARN


def competition_check_result(
    slug: str, check: Check, passed: bool, found: str, metadata: Mapping[str, object] | None = None
) -> dg.AssetCheckResult:
    """A check's result on one competition's partition: the description opens with the slug, the metadata names it.

    Numbers go in as text: the UI plots every numeric value of a check over all its evaluations, whatever their
    partition, so a number would draw one line through every competition."""
    shown = {"competition": slug}
    for key, value in (metadata or {}).items():
        shown[key] = f"{value:,}" if isinstance(value, int | float) and not isinstance(value, bool) else value
    return dg.AssetCheckResult(
        check_name=check.name,
        passed=passed,
        severity=severity(check),
        description=f"{slug}: {found}",
        metadata=shown,
    )
