"""``meta_kaggle_competitions``: every competition Kaggle ran, typed, checked by a Great Expectations suite."""

import hashlib
from collections.abc import Iterator

import dagster as dg

from assets.metadata import counts_table
from assets.resources import MetaKaggleSource, WarehouseResource
from curation.meta_kaggle import MetaKaggleError, read_competitions
from validation.competitions_suite import SuiteCheck, validate_competitions

TABLE = "meta_kaggle.competitions"
CHECKS = {
    "unique_id_and_slug": "Id and Slug are present and unique (blocking: a duplicate stops the load).",
    "required_fields": "The columns the funnel needs exist; every row has a title, segment and dates (blocking).",
    "known_segments": "Every segment is one Kaggle has used; a new one is reported, not fatal.",
    "sane_dates": "Launch dates after 2010 (the dump's 2000-01-01 placeholders are reported); deadline not before launch.",
}
BLOCKING = ("unique_id_and_slug", "required_fields")


@dg.asset(
    group_name="meta_kaggle",
    kinds={"duckdb", "csv"},
    check_specs=[
        dg.AssetCheckSpec(name, asset="meta_kaggle_competitions", description=text, blocking=name in BLOCKING)
        for name, text in CHECKS.items()
    ],
)
def meta_kaggle_competitions(
    context: dg.AssetExecutionContext, meta_kaggle: MetaKaggleSource, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Every competition in Meta Kaggle's Competitions.csv, one typed row each, in table meta_kaggle.competitions.

    Reads the configured source (MLECURATE_META_KAGGLE: demo, kaggle, or a folder), types dates, booleans and
    numbers, maps old column sets and segment names onto one schema, and runs the Great Expectations suite. A file
    that cannot be parsed, or fails a blocking check, leaves the warehouse as it was.
    """
    source = meta_kaggle.competitions_file()
    parsed = read_competitions(source.path)
    frame = parsed.table.to_pandas()
    report = validate_competitions(frame)
    results = [_check_result(check) for check in report.checks]
    blocking = report.failed("error")
    if blocking:
        yield from results
        raise MetaKaggleError(
            f"{source.path}: "
            + "; ".join(f"check {c.name} failed: {c.summary}" for c in blocking)
            + f". Table {TABLE} was left as it was."
        )
    rows = warehouse.get().replace_table(TABLE, parsed.table)
    context.log.info(f"{rows:,} competitions from {source.origin}")
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "table": TABLE,
            "source": source.origin,
            "source_file": dg.MetadataValue.path(str(source.path)),
            "source_sha256": hashlib.sha256(source.path.read_bytes()).hexdigest(),
            "dump_columns": len(parsed.dump_columns),
            "columns_missing_from_dump": ", ".join(parsed.missing_optional) or "none",
            "columns_kept_as_text": ", ".join(parsed.extra_columns) or "none",
            "newest_launch": str(frame["enabled_date"].max()),
            "segments": counts_table(frame["host_segment"], "segment"),
        },
        check_results=results,
    )


def _check_result(check: SuiteCheck) -> dg.AssetCheckResult:
    metadata: dict = {"found": check.summary}
    for outcome in check.outcomes:
        metadata[f"{outcome.expectation} {outcome.column}: unexpected"] = outcome.unexpected
    return dg.AssetCheckResult(
        check_name=check.name,
        passed=check.passed,
        severity=dg.AssetCheckSeverity.ERROR if check.severity == "error" else dg.AssetCheckSeverity.WARN,
        metadata=metadata,
        description=check.summary,
    )
