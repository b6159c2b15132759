"""``competition_raw`` and ``competition_split``: each curated competition's data, and its new train/test split."""

import dagster as dg
import pandas as pd

from assets.checks import check_specs, competition_check_result
from assets.metadata import markdown_table
from assets.partitions import curated_competition_partitions, curated_slug
from assets.pools import DOWNLOAD_STEP_TAGS, KAGGLE_DOWNLOADS
from assets.resources import SourcesResource, StorageResource
from curation.competition_data import fetch_competition, read_download_record, stored_description
from curation.curated import split_recipe_for
from curation.mirror import Part, unpacked_download
from curation.sources.kaggle_client import RulesNotAcceptedError
from curation.stage_status import SPLIT, recorded_stage, split_published
from splits.layout import SPLIT_CHECKS, prepare_annotated_split, refused, split_code_version
from validation.data_root import DataRoot
from validation.leakage import SplitCheck
from validation.versions import code_version, fingerprint, text_sha256

FILES_LISTED = 200  # files named in competition_raw's metadata; file_count counts them all
DECLARED = {check.name: check for check in SPLIT_CHECKS}


@dg.asset(
    group_name="competition_data",
    kinds={"kaggle", "zip"},
    partitions_def=curated_competition_partitions,
    deps=["curated_competitions"],
    pool=KAGGLE_DOWNLOADS,
    op_tags=DOWNLOAD_STEP_TAGS,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL),
    code_version=code_version("curation.competition_data", "curation.sources", "validation"),
)
def competition_raw(
    context: dg.AssetExecutionContext, sources: SourcesResource, storage: StorageResource
) -> dg.MaterializeResult:
    """One curated competition's data, as Kaggle ships it: the zip (size, sha256) and its files, safely extracted.

    From Kaggle through the real client (retrying 429s, 5xx and broken transfers), a local mirror, or the demo.
    Extraction refuses paths outside the target, symlinks, zip bombs, oversized and empty archives; a download is
    verified before it replaces the previous one, and a refused one leaves the previous download as it was. A
    competition whose rules the account has not accepted is recorded as "needs rules acceptance" with its rules URL
    (`mlecurate queue` and `show` list it). Failures that cannot succeed on a retry (a refused archive, rejected
    credentials, rules) fail at once without retries; other partitions carry on. Kept under
    `$MLECURATE_HOME/raw/<slug>/`, with the competition's text (`description.md`: imported > the data source's > Meta
    Kaggle's Overview; a text that cannot be fetched is recorded as unavailable, never a failure). A download whose
    zip has the sha256 of the one kept (its data version), with the same text, leaves the kept files untouched.
    """
    slug, root = curated_slug(context), storage.root()
    reads = [Part(root.descriptions_root, (root.imported_description(slug).name,))]
    with storage.synced(reads=reads, writes=[Part(root.raw(slug).path)]):
        return _raw(slug, root, sources)


def _raw(slug: str, root: DataRoot, sources: SourcesResource) -> dg.MaterializeResult:
    chosen = sources.get()
    raw, source = root.raw(slug), chosen.competition_data
    previous = read_download_record(raw)
    try:
        record = fetch_competition(raw, source, meta_kaggle=chosen.meta_kaggle,
                                   imported=root.imported_description(slug))  # fmt: skip
    except RulesNotAcceptedError as error:
        raise dg.Failure(
            description=str(error),
            metadata={"status": "needs_rules_acceptance", "rules_url": dg.MetadataValue.url(error.rules_url)},
            allow_retries=False,
        ) from error
    except Exception as error:
        if not getattr(error, "permanent", False):
            raise  # transient (a timeout, a 429 or 5xx Kaggle kept answering): the retry policy tries again
        # an unsafe, damaged or empty zip, or credentials Kaggle refused: the same attempt would fail the same way
        raise dg.Failure(description=str(error), metadata={"status": "failed"}, allow_retries=False) from error
    listed = record.files[:FILES_LISTED]  # an image competition has hundreds of thousands: the count says the rest
    more = len(record.files) - len(listed)
    files = "\n".join([*(f"- {name}" for name in listed), *([f"- ... and {more:,} more"] if more else [])])
    unchanged = previous is not None and record.zip_sha256 == previous.zip_sha256 and record.at == previous.at
    kept_before = previous is not None and previous.status == "downloaded"
    text = raw.description.read_text(encoding="utf-8") if raw.description.is_file() else None
    return dg.MaterializeResult(
        # the data and the competition's text: a new text is a new version too (the split's description opens with it)
        data_version=dg.DataVersion(fingerprint({"zip": record.zip_sha256, "text": text_sha256(text)}))
        if record.zip_sha256
        else None,
        metadata={
            "status": record.status,
            "kept": "unchanged: the same zip (sha256) and text as the download kept; its files left as they were"
            if unchanged
            else "replaced the previous download"
            if kept_before
            else "first download",
            "source": source.name,
            "zip_bytes": record.zip_bytes,
            "zip_sha256": record.zip_sha256,
            "extracted_bytes": record.extracted_bytes,
            "files": dg.MetadataValue.md(files or "(none)"),
            "file_count": len(record.files),
            "folder": dg.MetadataValue.path(str(raw.path)),
            "description": record.description,
        },
    )


@dg.asset(
    group_name="competition_data",
    kinds={"duckdb", "csv"},
    partitions_def=curated_competition_partitions,
    deps=[competition_raw],
    check_specs=check_specs("competition_split", SPLIT_CHECKS, curated_competition_partitions),
    code_version=split_code_version(),
)
def competition_split(context: dg.AssetExecutionContext, storage: StorageResource):
    """A new train/test split of one competition's public training data, in MLE-bench's layout.

    The curators' split recipe (random, stratified, group, temporal or released labels) decides it; the split is
    deterministic and independent of row order, built by DuckDB in bounded memory. Writes
    `$MLECURATE_HOME/prepared/<slug>/public/` (train, test without targets, sample submission, a description opening
    with the competition's own text as competition_raw kept it, or an imported one; its origin is in the metadata) and
    `private/answers.csv`, plus `manifest.json` with row counts and order-independent content checksums (view
    `splits.manifest`). Blocking leakage checks run before publishing: a failing split never replaces a good one.
    Nothing is redone that has not changed: with the same recipe, download, text and mlecurate version (the data
    version, a fingerprint of them), the published split is kept without reading or writing a file.
    """
    slug, root = curated_slug(context), storage.root()
    reads = [unpacked_download(root, slug), Part(root.descriptions_root, (root.imported_description(slug).name,)),
             Part(root.annotations / slug)]  # fmt: skip
    writes = [Part(root.prepared(slug).path), Part(root.stage_failure(slug, SPLIT).parent)]
    # Any failure (a bad recipe, a failed leakage check) is kept, then raised (and pushed, with an s3:// home). The
    # results are yielded after the block: a materialization is recorded only once its split is on the bucket.
    checks: list[dg.AssetCheckResult] = []
    try:
        with storage.synced(reads=reads, writes=writes), recorded_stage(root, slug, SPLIT):
            done = _split(slug, storage, checks)
    except dg.Failure:
        yield from checks  # a refused split's leakage checks, with their findings
        raise
    yield done


def _split(slug: str, storage: StorageResource, checks: list[dg.AssetCheckResult]) -> dg.MaterializeResult:
    """Build and publish the split; its leakage checks' results go to ``checks`` (a refused split raises after)."""
    root, warehouse = storage.root(), storage.warehouse()
    document, curators = split_recipe_for(slug, storage.annotation_store().for_competition(slug))
    download = read_download_record(root.raw(slug))
    overview, overview_origin = stored_description(root, slug)
    prepared = prepare_annotated_split(
        slug, document, curators, root.raw(slug).files, root.prepared_root, warehouse.competition(slug),
        overview=overview, source_sha256=download.zip_sha256 if download else None,
    )  # fmt: skip
    results = [_check_result(slug, check) for check in prepared.checks]
    if not prepared.published:
        checks.extend(results)
        failed = refused(prepared.checks)
        raise dg.Failure(
            description=f"{slug}: the new split fails "
            + "; ".join(f"{c.name} ({c.found})" for c in failed)
            + f". Not published; the previous split (if any) stays. Staging kept at {prepared.folder}.",
        )
    if not prepared.reused:
        split_published(root, slug)
    warehouse.refresh_views(root)  # cheap, and makes the views whatever happened to the warehouse file
    manifest_files = prepared.manifest["files"]
    files = [{k: f.get(k) for k in ("path", "rows", "checksum", "bytes")} for f in manifest_files
             if "row_files_key" not in f]  # fmt: skip
    rows = prepared.manifest["rows"]
    return dg.MaterializeResult(
        data_version=dg.DataVersion(prepared.manifest["inputs_version"]),
        metadata={
            "built": "kept: the published split already has these inputs (nothing read or written)"
            if prepared.reused
            else "built and published",
            "recipe": dg.MetadataValue.json(prepared.manifest["recipe"]),
            "recipe_by": curators,
            "original_rows": rows["original"],
            "train_rows": rows["train"],
            "test_rows": rows["test"],
            "test_share": round(rows["test"] / (rows["train"] + rows["test"]), 4),
            "assigned_by": prepared.manifest["unit"],
            **_listing_metadata(prepared.manifest),
            **_unlabelled_metadata(rows),
            "files": markdown_table(pd.DataFrame(files)),
            **row_file_metadata(manifest_files),
            **dropped_sample_metadata(prepared.manifest),
            "folder": dg.MetadataValue.path(str(prepared.folder)),
            "description": overview_origin,
        },
        check_results=results,
    )


def _listing_metadata(manifest: dict) -> dict:
    """Where the training table came from when the recipe lists the download's files (``train_listing``)."""
    pattern = manifest["recipe"].get("train_listing")
    return {"train_listing": f"{manifest['rows']['original']:,} files of {pattern}, listed"} if pattern else {}


def _unlabelled_metadata(rows: dict) -> dict:
    """Released labels: the rows of Kaggle's test file the answers file does not label, when there are any."""
    missing = rows.get("kaggle_test_unlabelled")
    if not missing:
        return {}
    return {
        "kaggle_test_unlabelled": f"{missing:,} of the {rows['kaggle_test']:,} rows of Kaggle's test file have no "
        "label in the answers file: left out of the new test set"
    }


def row_file_metadata(manifest_files: list[dict]) -> dict:
    """How many row files (recipe key ``row_files``) went to public/ with the train and the test rows, and their
    bytes (``other_row_files``' both sides together); they are left out of the files table (one row each would be
    100,000 rows)."""
    counts = {"row_files_train": 0, "row_files_train_bytes": 0, "row_files_test": 0, "row_files_test_bytes": 0}
    others = {"row_files_other": 0, "row_files_other_bytes": 0}  # other_row_files' (both sides)
    for entry in manifest_files:
        side = {"row_files": "train", "train_row_files": "train", "test_row_files": "test",
                "other_row_files": "other"}.get(entry.get("row_files_key"))  # fmt: skip
        if side:
            (others if side == "other" else counts)[f"row_files_{side}"] += 1
            (others if side == "other" else counts)[f"row_files_{side}_bytes"] += entry["bytes"]
    counts |= others if others["row_files_other"] else {}
    return counts if counts["row_files_train"] or counts["row_files_test"] else {}


def dropped_sample_metadata(manifest: dict) -> dict:
    """The columns of Kaggle's sample submission left out of the built one (no prediction: ``Usage``), if any."""
    dropped = manifest.get("sample_submission_dropped_columns")
    if not dropped:
        return {}
    return {
        "sample_submission_dropped_columns": dg.MetadataValue.md(
            ", ".join(f"`{c}`" for c in dropped) + ": in Kaggle's sample submission, not in the answers (no "
            "prediction), so left out of the built one"
        )
    }


def _check_result(slug: str, check: SplitCheck) -> dg.AssetCheckResult:
    """The check's finding for ``slug``, and on a failure what to do about it."""
    declared = DECLARED[check.name]
    found = check.found if check.passed else f"{check.found.rstrip('.')}. {declared.remedy}"
    return competition_check_result(slug, declared, check.passed, found, check.metadata)
