"""``meta_kaggle_competitions``: every competition Kaggle ran, typed, checked by a Great Expectations suite."""

from collections.abc import Iterator

import dagster as dg
import pandas as pd

from assets.checks import check_specs, severity
from assets.metadata import counts_table, markdown_table, short_hash
from assets.resources import SourcesResource, StorageResource
from curation.meta_kaggle_load import MetaKaggleChecksFailed, load_competitions
from validation.competitions_suite import SUITE_CHECKS, SuiteCheck
from validation.data_root import COMPETITIONS

DECLARED = {check.name: check for check in SUITE_CHECKS}


@dg.asset(
    group_name="meta_kaggle",
    kinds={"duckdb", "csv"},
    check_specs=check_specs("meta_kaggle_competitions", SUITE_CHECKS),
)
def meta_kaggle_competitions(
    context: dg.AssetExecutionContext, sources: SourcesResource, storage: StorageResource
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Every competition in Meta Kaggle's Competitions.csv, one typed row each, in table meta_kaggle.competitions.

    Reads the configured source (MLECURATE_META_KAGGLE: demo, kaggle, or a folder), types dates, booleans and
    numbers, maps old column sets and segment names onto one schema, and runs the Great Expectations suite. A file
    that cannot be parsed, or fails a blocking check, leaves the warehouse as it was.
    """
    source = sources.get().meta_kaggle
    try:  # sources/<name> is this machine's copy of what the source fetched; the table is what other steps read
        with storage.synced(tables=[COMPETITIONS]):
            load = load_competitions(source, storage.root().sources(source.name), storage.warehouse())
    except MetaKaggleChecksFailed as failed:
        yield from (_check_result(check) for check in failed.report.checks)
        raise
    frame = load.parsed.table.to_pandas()
    context.log.info(f"{load.rows:,} competitions from {load.source.origin}")
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": load.rows,
            "table": COMPETITIONS,
            "source": load.source.origin,
            "source_file": dg.MetadataValue.path(str(load.source.path)),
            "source_sha256": short_hash("sha256:" + load.source_sha256),
            "dump_columns": len(load.parsed.dump_columns),
            "columns_missing_from_dump": ", ".join(load.parsed.missing_optional) or "none",
            "columns_kept_as_text": ", ".join(load.parsed.extra_columns) or "none",
            "newest_launch": str(frame["enabled_date"].max()),
            "segments": counts_table(frame["host_segment"], "segment"),
            "suite_run": (
                f"reused: the report of {load.checked_at:%Y-%m-%d %H:%M} UTC on the same file, code and libraries"
                if load.reused
                else f"ran at {load.checked_at:%Y-%m-%d %H:%M} UTC"
            ),
        },
        check_results=[_check_result(check) for check in load.report.checks],
    )


def _check_result(check: SuiteCheck) -> dg.AssetCheckResult:
    """The check's finding; its problems as one table, only when there are any (no plot of zeros per column)."""
    problems = pd.DataFrame([{"found": o.finding, "e.g.": o.named or "-"} for o in check.problems])
    metadata: dict = {"competitions_checked": dg.MetadataValue.int(check.outcomes[0].checked)}
    metadata["problems"] = markdown_table(problems) if len(problems) else "none"
    return dg.AssetCheckResult(
        check_name=check.name,
        passed=check.passed,
        severity=severity(DECLARED[check.name]),
        metadata=metadata,
        description=check.summary,
    )
