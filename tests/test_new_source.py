"""Adding a source is one module (tests/memory_source.py) and one line where sources are chosen: the curation job and
one competition's data, split, parity and leaderboard run through it, and nothing else in mlecurate changes."""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import pytest

from assets.partitions import curated_competition_partitions
from assets.resources import LeaderboardAgeResource, SourcesResource, StorageResource
from curation.annotations import AnnotationStore
from curation.sources import SOURCES
from pipelines.definitions import ASSET_MODULES
from pipelines.jobs import curation_job, prepare_job, refresh_leaderboards_job
from tests.conftest import PROJECT
from tests.memory_source import SLUG, MemorySource


@pytest.mark.slow
def test_a_new_source_runs_the_curation_job_and_a_partition(tmp_path, monkeypatch):
    monkeypatch.setitem(SOURCES, "memory", lambda kaggle: MemorySource())  # the one line
    recipe = (PROJECT / "splits" / "recipes" / "titanic.yaml").read_text()
    import yaml

    AnnotationStore(tmp_path / "annotations").update(SLUG, "alice", {
        "decision": "include", "complexity": "low", "split_recipe": yaml.safe_load(recipe),
    })  # fmt: skip
    defs = dg.Definitions(  # the project's own assets, checks and jobs; only the resources name the new source
        assets=dg.load_assets_from_modules(ASSET_MODULES),
        asset_checks=dg.load_asset_checks_from_modules(ASSET_MODULES),
        jobs=[curation_job, prepare_job, refresh_leaderboards_job],
        resources={
            "sources": SourcesResource(meta_kaggle="memory"),
            "storage": StorageResource(home=str(tmp_path / "home"), annotations=str(tmp_path / "annotations")),
            "leaderboard_age": LeaderboardAgeResource(),
        },
    )
    instance = dg.DagsterInstance.ephemeral()
    curation = defs.resolve_job_def("curation").execute_in_process(instance=instance, run_config={
        "ops": {"candidate_competitions": {"config": {"as_of": "2024-03-01"}}},
    })  # fmt: skip
    assert curation.success
    assert instance.get_dynamic_partitions(curated_competition_partitions.name) == [SLUG]
    with duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT slug, is_candidate FROM curation.candidates ORDER BY id").fetchall() == [
            (SLUG, True),
            ("memory-community", False),
        ]
        assert con.execute("SELECT slug FROM curation.curated").fetchall() == [(SLUG,)]

    partition = defs.resolve_job_def("prepare_competition").execute_in_process(partition_key=SLUG, instance=instance)
    boards = defs.resolve_job_def("refresh_leaderboards").execute_in_process(partition_key=SLUG, instance=instance)
    assert partition.success and boards.success
    prepared = tmp_path / "home" / "prepared" / SLUG
    manifest = json.loads((prepared / "manifest.json").read_text())
    assert manifest["rows"] == {"original": 891, "train": 606, "test": 285}
    assert "served by the memory source" in (prepared / "public" / "description.md").read_text()
    report = json.loads((prepared / "parity.json").read_text())
    assert report["metric"] == "accuracy" and report["verdict"] in ("parity", "drift")
    board = boards.asset_materializations_for_node("leaderboard_snapshots")[0].metadata
    assert board["source"].value == "memory" and board["teams"].value == 120
    download = json.loads((tmp_path / "home" / "raw" / SLUG / "download.json").read_text())
    assert download["source"] == "memory" and download["files"] == ["gender_submission.csv", "test.csv", "train.csv"]
