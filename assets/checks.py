"""Check specs from the check declarations (``validation.checks.Check``): names and texts are declared once, there."""

import dagster as dg

from validation.checks import Check


def check_specs(asset: str, checks: tuple[Check, ...]) -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(c.name, asset=asset, description=c.description, blocking=c.blocking) for c in checks]


def severity(check: Check) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.ERROR if check.severity == "error" else dg.AssetCheckSeverity.WARN
