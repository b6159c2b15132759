"""Nothing redone that has not changed (issue 13, build point 3): a second materialisation of an unchanged competition
rewrites no file, and its data versions are the same; a changed recipe is a new data version of the split, and the
parity that read the old split is stale in Dagster's sense (what the UI shows)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
from dagster._core.loader import LoadingContextForTest

from curation.cli import main
from pipelines.definitions import ASSET_MODULES
from pipelines.jobs import curation_job, prepare_job
from pipelines.resources import resources_from_environment
from tests.conftest import PROJECT
from validation.data_root import PreparedFolder

SLUG = "titanic"
STAGES = ("competition_raw", "competition_split", "split_parity")


def _files(*folders: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``folders``: its modification time (ns) and sha256."""
    return {
        str(path): (path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _versions(result) -> dict[str, str]:
    return {
        stage: result.asset_materializations_for_node(stage)[0].tags["dagster/data_version"]
        for stage in STAGES
        if result.asset_materializations_for_node(stage)
    }


def _status(instance: dg.DagsterInstance, graph, asset: str) -> StaleStatus:
    """The asset's stale status for SLUG, as the UI computes it (Dagster's own resolver)."""
    return CachingStaleStatusResolver(instance, graph, LoadingContextForTest(instance)).get_status(
        dg.AssetKey(asset), SLUG
    )


def _annotate(recipe: Path) -> None:
    assert main(["annotate", SLUG, "--curator", "alice", "--decision", "include", "--allow-unknown",
                 "--split-recipe", str(recipe)]) == 0  # fmt: skip


@pytest.mark.slow
def test_an_unchanged_competition_is_not_redone_and_a_changed_recipe_is_a_new_version(home, titanic_mirror, tmp_path):
    _annotate(PROJECT / "splits" / "recipes" / "titanic.yaml")
    defs = dg.Definitions(
        assets=dg.load_assets_from_modules(ASSET_MODULES),
        asset_checks=dg.load_asset_checks_from_modules(ASSET_MODULES),
        jobs=[curation_job, prepare_job],
        resources=resources_from_environment(),
    )
    (tmp_path / "dagster").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "dagster"))
    assert defs.resolve_job_def("curation").execute_in_process(instance=instance).success
    prepare = defs.resolve_job_def("prepare_competition")

    first = prepare.execute_in_process(partition_key=SLUG, instance=instance)
    assert first.success
    folders = (home / "raw" / SLUG, home / "prepared" / SLUG)
    written = _files(*folders)
    assert any(path.endswith("parity.json") for path in written) and any("public/train" in p for p in written)

    staging = PreparedFolder(home / "prepared" / SLUG).staging.path  # a refused attempt's, between the two runs
    (staging / "public").mkdir(parents=True)
    (staging / "public" / "leaky.csv").write_text("PassengerId,Survived\n892,1\n")
    second = prepare.execute_in_process(partition_key=SLUG, instance=instance)
    assert second.success
    assert _files(*folders) == written  # no file rewritten: the same mtimes and the same bytes
    assert not staging.exists()  # sweep 174: the refused attempt's files outlived the split kept as it was
    assert _versions(second) == _versions(first) and len(_versions(first)) == 3
    said = {stage: second.asset_materializations_for_node(stage)[0].metadata for stage in STAGES}
    assert said["competition_raw"]["kept"].value.startswith("unchanged")
    assert said["competition_split"]["built"].value.startswith("kept")
    assert said["split_parity"]["measured"].value.startswith("kept")
    graph = defs.resolve_asset_graph()
    assert _status(instance, graph, "split_parity") == StaleStatus.FRESH

    # A curator changes the recipe (another seed): the split is rebuilt, a new data version; the parity that read
    # the old split is stale until it runs again.
    changed = yaml.safe_load((PROJECT / "splits" / "recipes" / "titanic.yaml").read_text()) | {"seed": 7}
    (tmp_path / "changed.yaml").write_text(yaml.safe_dump(changed))
    _annotate(tmp_path / "changed.yaml")
    split_only = dg.materialize(
        [*dg.load_assets_from_modules(ASSET_MODULES)], selection="competition_split", partition_key=SLUG,
        instance=instance, resources=resources_from_environment(),
    )  # fmt: skip
    assert split_only.success
    new_version = split_only.asset_materializations_for_node("competition_split")[0].tags["dagster/data_version"]
    assert new_version != _versions(first)["competition_split"]
    assert _status(instance, graph, "split_parity") == StaleStatus.STALE
    assert _status(instance, graph, "competition_split") == StaleStatus.FRESH

    third = prepare.execute_in_process(partition_key=SLUG, instance=instance)
    assert third.success and _versions(third)["competition_split"] == new_version
    assert third.asset_materializations_for_node("split_parity")[0].metadata["measured"].value == "measured now"
    assert _status(instance, graph, "split_parity") == StaleStatus.FRESH


def test_a_missing_or_damaged_record_means_the_work_is_done_again(tmp_path):
    from validation.data_root import recorded_json

    (tmp_path / "cut.json").write_text('{"inputs_version": "ab')  # an interrupted write
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "ok.json").write_text('{"inputs_version": "ab"}')
    assert [recorded_json(tmp_path / n) for n in ("missing.json", "cut.json", "list.json")] == [None, None, None]
    assert recorded_json(tmp_path / "ok.json") == {"inputs_version": "ab"}
