"""``benchmark_export``: the curated benchmark written as MLE-bench reads it (``curation.benchmark_export``)."""

from pathlib import Path

import dagster as dg
import pandas as pd
from pydantic import Field

from assets.checks import check_specs
from assets.metadata import counts_table, markdown_table
from assets.resources import StorageResource
from curation.benchmark_export import COMPLEXITIES, ExportError, ExportOptions, export_benchmark, verify_export
from curation.mirror import Part, export_inputs
from validation.checks import Check

ALL_WRITTEN = Check("all_written", "Every competition eligible for the export was written (none failed).")
GRADES_ITS_ANSWERS = Check(
    "grades_its_answers",
    "Each exported competition's files match its checksums.yaml, and the grader its config.yaml names grades its "
    "answers as a valid (perfect) submission.",
)


class ExportConfig(dg.Config):
    folder: str = Field("", description="Where to write the export (default: $MLECURATE_HOME/export).")
    complexity: str = Field(
        "", description=f"Export only the members of this curated complexity ({', '.join(COMPLEXITIES)}); empty: all."
    )
    include_drift: bool = Field(False, description="Also export competitions whose parity verdict is drift.")
    include_unknown: bool = Field(
        False, description="Also export competitions parity could not judge (verdict unknown: no labels, no features)."
    )
    include_binary_ids: list[str] = Field(
        [],
        description="Slugs to export though their split's binary_files_without_test_ids check failed (a public binary "
        "file holds the new test rows' ids, and may hold their answers): once a curator knows its files hold no labels.",
    )


@dg.asset(
    group_name="benchmark",
    kinds={"yaml", "csv"},
    deps=["split_parity", "leaderboard_snapshots"],
    check_specs=check_specs("benchmark_export", (ALL_WRITTEN, GRADES_ITS_ANSWERS)),
)
def benchmark_export(context: dg.AssetExecutionContext, config: ExportConfig, storage: StorageResource):
    """The curated benchmark in MLE-bench's layout, for agent harnesses: for each curated competition with a
    published split, a parity verdict of parity (drift and unknown too, when configured) and a leaderboard snapshot,
    `data/<slug>/prepared/{public,private}` (MLE-bench's `--data-dir` is `data/`) and `competitions/<slug>/` (`config.yaml` naming mlecurate's grader,
    `description.md`, `leaderboard.csv`, `checksums.yaml`), `splits/{all,low,medium,high}.txt` and `export.json`.
    Unchanged competitions are not rewritten; each is swapped in whole; the others are listed with the reason they
    were left out. Same as `mlecurate export`.
    """
    root = storage.root()
    folder = Path(config.folder) if config.folder else root.export
    options = ExportOptions(
        config.complexity or None, config.include_drift, config.include_unknown, tuple(config.include_binary_ids)
    )
    # With an s3:// home: every published split and board, and the default folder's export pushed back.
    writes = [Part(root.export)] if folder == root.export else []
    try:
        with storage.synced(reads=export_inputs(root), writes=writes):
            result = export_benchmark(root, storage.warehouse(), folder, options, storage.object_home or None)
    except ExportError as error:  # a folder that is not an export, another export running: retrying cannot help
        raise dg.Failure(description=str(error), allow_retries=False) from error
    members = pd.DataFrame(
        [
            {"slug": slug, "complexity": e["complexity"] or "-", "metric": e["metric"], "parity": e["parity"]["verdict"],
             "teams": e["leaderboard_teams"],
             "written": "now" if slug in result.exported else "kept (this run failed)" if slug in result.kept
             else "unchanged"}
            for slug, e in result.competitions.items()
        ],
        columns=["slug", "complexity", "metric", "parity", "teams", "written"],
    )  # fmt: skip
    left_out = pd.DataFrame(sorted(result.left_out.items()), columns=["slug", "why"])
    yield dg.MaterializeResult(
        metadata={
            "folder": dg.MetadataValue.path(str(folder)),
            "competitions": dg.MetadataValue.int(len(result.members)),
            "written": dg.MetadataValue.int(len(result.exported)),
            "unchanged": dg.MetadataValue.int(len(result.unchanged)),
            "removed": dg.MetadataValue.int(len(result.removed)),
            "left_out": dg.MetadataValue.int(len(result.left_out)),
            "failed": dg.MetadataValue.int(len(result.failed)),
            "by complexity": counts_table(members["complexity"], "complexity"),
            "members": markdown_table(members),
            "left out, and why": markdown_table(left_out) if len(left_out) else "none",
            "warnings": dg.MetadataValue.md(
                "\n".join(f"- {slug}: {w}" for slug, e in result.competitions.items() for w in e.get("warnings", []))
                or "none"
            ),
        }
    )
    failed = "; ".join(f"{slug}: {why}" for slug, why in result.failed.items())
    yield dg.AssetCheckResult(
        check_name=ALL_WRITTEN.name,
        passed=not result.failed,
        description=f"{len(result.failed)} failed ({len(result.kept)} keep their previous export): {failed}"
        if result.failed
        else f"all {len(result.members)} eligible competition(s) written or unchanged",
        metadata={"failed": dg.MetadataValue.json(result.failed)},
    )
    problems = verify_export(folder)  # the local copy (the mirror's, with an s3:// home) of what was pushed
    bad = {slug: found for slug, found in problems.items() if found}
    yield dg.AssetCheckResult(
        check_name=GRADES_ITS_ANSWERS.name,
        passed=not bad,
        description="; ".join(p for found in bad.values() for p in found)
        if bad
        else f"all {len(problems)} competition(s) match their checksums and grade their answers as perfect",
        metadata={"competitions checked": dg.MetadataValue.int(len(problems))},
    )
