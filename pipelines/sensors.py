"""Sensors: react to the curated benchmark changing."""

import dagster as dg

from assets.partitions import curated_competition_partitions, missing_partitions
from assets.resources import StorageResource
from curation.curated import curated_slugs
from pipelines.jobs import prepare_job
from validation.data_root import BUILT_BY, CURATED


@dg.sensor(
    job=prepare_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Adds a partition for every new curated competition and asks for its data, split and parity.",
)
def curated_members_sensor(context: dg.SensorEvaluationContext, storage: StorageResource) -> dg.SensorResult:
    with storage.synced():  # with an s3:// home: the tables, as the curation job last published them
        slugs = curated_slugs(storage.warehouse())
    if slugs is None:
        return dg.SensorResult(skip_reason=f"{CURATED} does not exist yet: materialise {BUILT_BY[CURATED]}")
    new = missing_partitions(context.instance, slugs)
    if not new:
        return dg.SensorResult(skip_reason=f"all {len(slugs)} curated competitions have a partition")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(partition_key=slug, run_key=f"prepare:{slug}") for slug in new],
        dynamic_partitions_requests=[curated_competition_partitions.build_add_request(new)],
    )
