"""Run competition_raw, competition_split and split_parity for some partitions, in this process, and print one JSON line each.

Used by the tests in a subprocess, because the kaggle client reads its endpoint (HTTP_PROXY) at import time.
Usage: python tests/run_prepare.py [--late-submissions] SLUG [SLUG ...]   (environment: MLECURATE_*, KAGGLE_*, HTTP_PROXY)
"""

import json
import sys

import dagster as dg

from assets import competition_data, parity
from assets.partitions import curated_competition_partitions
from pipelines.resources import resources_from_environment


def main(slugs: list[str], late_submissions: bool = False) -> None:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(curated_competition_partitions.name, slugs)
    assets = dg.load_assets_from_modules([competition_data, parity])
    for slug in slugs:
        run_config = dg.RunConfig({"split_parity": parity.ParityConfig(kaggle_late_submissions=late_submissions)})
        result = dg.materialize(assets, partition_key=slug, instance=instance, resources=resources_from_environment(),
                                run_config=run_config, raise_on_error=False)  # fmt: skip
        errors = []
        for event in result.all_events:
            if event.event_type_value == "STEP_FAILURE":
                error = event.step_failure_data.error
                while error is not None:
                    errors.append(error.message)
                    error = error.cause
        checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
        print(json.dumps({"slug": slug, "success": result.success, "errors": errors, "checks": checks}), flush=True)


if __name__ == "__main__":
    late = "--late-submissions" in sys.argv
    main([a for a in sys.argv[1:] if a != "--late-submissions"], late_submissions=late)
