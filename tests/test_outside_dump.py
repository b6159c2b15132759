"""A competition outside the Meta Kaggle dump, end to end, as a newcomer runs the README's own example (issue 9,
finding 2): titanic, which the March 2024 dump leaves out, annotated with --allow-unknown and a recipe, gets a
partition, its data from a mirror, a split and a parity verdict; then each stage's status, failures included."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from assets.partitions import curated_competition_partitions
from curation.cli import main
from pipelines.definitions import ASSET_MODULES
from pipelines.jobs import curation_job, prepare_job
from pipelines.resources import resources_from_environment
from tests.conftest import PROJECT, step_failure_message
from validation.data_root import DataRoot

SLUG = "titanic"
ANNOTATE = ["annotate", SLUG, "--curator", "alice", "--decision", "include", "--allow-unknown"]


@pytest.mark.slow
def test_the_readme_example_for_a_competition_outside_the_dump(home, titanic_mirror, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(PROJECT)  # the README's relative recipe path
    assert main([*ANNOTATE, "--split-recipe", "splits/recipes/titanic.yaml"]) == 0

    defs = dg.Definitions(
        assets=dg.load_assets_from_modules(ASSET_MODULES),
        asset_checks=dg.load_asset_checks_from_modules(ASSET_MODULES),
        jobs=[curation_job, prepare_job],
        resources=resources_from_environment(),
    )
    instance = dg.DagsterInstance.ephemeral()
    curation = defs.resolve_job_def("curation").execute_in_process(instance=instance)
    assert curation.success
    assert SLUG in instance.get_dynamic_partitions(curated_competition_partitions.name)
    checks = {e.check_name: e for e in curation.get_asset_check_evaluations()}
    assert checks["members_in_meta_kaggle"].passed
    assert "1 outside the dump: titanic (facts from " in checks["members_in_meta_kaggle"].description

    prepared = defs.resolve_job_def("prepare_competition").execute_in_process(partition_key=SLUG, instance=instance)
    assert prepared.success
    root = DataRoot(home)
    manifest = json.loads(root.prepared(SLUG).manifest.read_text())
    assert manifest["rows"] == {"original": 891, "train": 606, "test": 285}
    report = json.loads(root.prepared(SLUG).parity.read_text())
    assert report["metric"] == "accuracy" and report["verdict"] in ("parity", "drift")
    capsys.readouterr()

    # What the curator sees: show, curated, grade.
    assert main(["show", SLUG]) == 0
    out = capsys.readouterr().out
    assert "Meta Kaggle: not in this dump; a curated member, facts from " in out
    assert "\n                  data: downloaded (mirror, " in out
    assert "\n                 split: published (train 606, test 285)\n" in out
    assert f"\n                parity: {report['verdict']}\n" in out
    assert main(["curated"]) == 0
    line = capsys.readouterr().out.splitlines()[1]
    assert line.split()[:5] == [SLUG, "-", "downloaded", "published", "(train"] or "published (train 606" in line
    assert main(["grade", SLUG, str(root.prepared(SLUG).answers)]) == 0
    graded = json.loads(capsys.readouterr().out)
    assert graded["valid_submission"] and graded["score"] == 1.0

    # A re-split that fails (a misspelt target) keeps the published split and says so; parity's failure too.
    bad = tmp_path / "bad.yaml"
    bad.write_text((PROJECT / "splits" / "recipes" / "titanic.yaml").read_text().replace("[Survived]", "[Survivd]"))
    assert main([*ANNOTATE, "--split-recipe", str(bad)]) == 0
    assets = dg.load_assets_from_modules(ASSET_MODULES)
    resources = resources_from_environment()

    def run(asset: str) -> dg.ExecuteInProcessResult:
        return dg.materialize(assets, selection=[asset], partition_key=SLUG, instance=instance, resources=resources,
                              raise_on_error=False)  # fmt: skip

    split = run("competition_split")
    assert not split.success and "Survivd" in step_failure_message(split)
    parity = run("split_parity")
    assert not parity.success
    capsys.readouterr()
    assert main(["show", SLUG]) == 0
    out = capsys.readouterr().out
    assert "\n                 split: published (train 606, test 285; last attempt failed: " in out
    assert "Survivd" in out.split("split: ")[1].split("\n")[0]
    assert f"\n                parity: {report['verdict']} (last attempt failed: " in out

    # Fixed: the next success clears each failure.
    assert main([*ANNOTATE, "--split-recipe", "splits/recipes/titanic.yaml"]) == 0
    assert run("competition_split").success
    # The recipe is the published split's own again: the split is kept as it was (nothing redone), so the verdict
    # parity gave it still holds, beside the failed attempt with the wrong recipe until parity runs again.
    assert main(["show", SLUG]) == 0
    shown = capsys.readouterr().out
    assert f"\n                parity: {report['verdict']} (last attempt failed: titanic: split recipe key " in shown
    assert run("split_parity").success
    assert main(["show", SLUG]) == 0
    out = capsys.readouterr().out
    assert "\n                 split: published (train 606, test 285)\n" in out
    assert "last attempt failed" not in out
    assert not root.stage_failure(SLUG, "split").exists() and not root.stage_failure(SLUG, "parity").exists()
