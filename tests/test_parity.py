"""split_parity: evidence that a reconstructed test set scores like the original."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import dagster as dg
import duckdb

from assets import competition_data, parity
from assets.partitions import curated_competition_partitions
from assets.resources import SourcesResource, StorageResource
from curation.annotations import AnnotationStore
from tests.conftest import SHARED

INSULTS = "detecting-insults-in-social-commentary"
INSULTS_RANDOM = {  # the acceptance's split: a 10% random test set, judged against Kaggle's released labels
    "kind": "random", "target_columns": ["Insult"], "test_fraction": 0.1, "metric": "auc",
    "sample_submission_file": "sample_submission_null.csv", "original_answers_file": "test_with_solutions.csv",
}  # fmt: skip


def _mirror(tmp_path: Path, slug: str, files: dict[str, bytes]) -> Path:
    mirror = tmp_path / "mirror"
    (mirror / slug).mkdir(parents=True)
    with zipfile.ZipFile(mirror / slug / f"{slug}.zip", "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in files.items():
            bundle.writestr(name, data)
    return mirror


def _run(tmp_path: Path, slug: str, recipe: dict, mirror: Path, leaderboards: Path | None = None, config=None):
    home = tmp_path / "home"
    AnnotationStore(tmp_path / "annotations").update(slug, "alice", {"decision": "include", "split_recipe": recipe})
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(curated_competition_partitions.name, [slug])
    resources = {
        "sources": SourcesResource(kaggle_mirror=str(mirror), leaderboards=str(leaderboards or "")),
        "storage": StorageResource(home=str(home), annotations=str(tmp_path / "annotations")),
    }
    run_config = dg.RunConfig({"split_parity": config}) if config else None
    return dg.materialize(dg.load_assets_from_modules([competition_data, parity]), partition_key=slug,
                          instance=instance, resources=resources, run_config=run_config)  # fmt: skip


def test_insults_baseline_auc_on_new_and_original_test_sets(tmp_path, monkeypatch):
    monkeypatch.setenv("MLECURATE_HOME", str(tmp_path / "home"))
    source = SHARED / "competitions" / INSULTS
    mirror = _mirror(tmp_path, INSULTS, {p.name: p.read_bytes() for p in source.glob("*.csv")})
    result = _run(tmp_path, INSULTS, INSULTS_RANDOM, mirror, SHARED / "mle-bench" / "competitions")
    metadata = result.asset_materializations_for_node("split_parity")[0].metadata
    assert metadata["verdict"].value == "parity"
    with duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT test_set, rows, score, low, high FROM validation.parity WHERE submission = 'baseline' ORDER BY test_set"
        ).fetchall()
    (new_set, new_rows, new, new_low, new_high), (old_set, old_rows, old, old_low, old_high) = rows
    assert (new_set, old_set) == ("new test", "original test")
    assert (new_rows, old_rows) == (395, 2647)
    assert new_low < new < new_high and old_low < old < old_high
    assert 0.8 < old < 0.95 and abs(new - old) <= 0.03  # a TF-IDF logistic regression, and the gap the verdict used
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert checks["scores_agree"].passed and checks["sample_earns_no_medal"].passed
    assert "ranks" in checks["sample_earns_no_medal"].description


def _shifted_competition(shift: float) -> dict[str, bytes]:
    """A tabular competition whose original test set is drawn from a shifted distribution."""
    rng = random.Random(0)

    def rows(count, offset, start):
        return [{"id": start + i, "x": round(rng.gauss(offset, 1), 4), "colour": rng.choice("ab"),
                 "y": int(rng.random() < 0.5)} for i in range(count)]  # fmt: skip

    def text(records, columns):
        out = [",".join(columns)] + [",".join(str(r[c]) for c in columns) for r in records]
        return ("\n".join(out) + "\n").encode()

    train, test = rows(1500, 0, 0), rows(600, shift, 10_000)
    return {"train.csv": text(train, ["id", "x", "colour", "y"]), "test.csv": text(test, ["id", "x", "colour"]),
            "sample_submission.csv": text([{"id": r["id"], "y": 0.5} for r in test], ["id", "y"])}  # fmt: skip


RECIPE = {"kind": "random", "id_column": "id", "target_columns": ["y"], "metric": "auc",
          "sample_submission_file": "sample_submission.csv"}  # fmt: skip


def test_a_shifted_original_test_set_is_drift(tmp_path, monkeypatch):
    monkeypatch.setenv("MLECURATE_HOME", str(tmp_path / "home"))
    result = _run(tmp_path, "shifted", RECIPE, _mirror(tmp_path, "shifted", _shifted_competition(shift=2.0)))
    metadata = result.asset_materializations_for_node("split_parity")[0].metadata
    assert metadata["verdict"].value == "drift"
    assert metadata["adversarial_auc"].value > 0.8
    check = next(e for e in result.get_asset_check_evaluations() if e.check_name == "scores_agree")
    assert not check.passed and "tells the original and new test sets apart" in check.description
    assert "no leaderboard configured" in metadata["leaderboard"].value


def test_the_same_distribution_is_parity_and_tolerance_is_config(tmp_path, monkeypatch):
    monkeypatch.setenv("MLECURATE_HOME", str(tmp_path / "home"))
    mirror = _mirror(tmp_path, "alike", _shifted_competition(shift=0.0))
    result = _run(tmp_path, "alike", RECIPE, mirror)
    assert result.asset_materializations_for_node("split_parity")[0].metadata["verdict"].value == "parity"
    strict = _run(
        tmp_path / "again", "alike", RECIPE, mirror, config=parity.ParityConfig(adversarial_auc_tolerance=0.0)
    )
    assert strict.asset_materializations_for_node("split_parity")[0].metadata["verdict"].value == "drift"


def test_unknown_without_labels_or_original_features(tmp_path, monkeypatch):
    monkeypatch.setenv("MLECURATE_HOME", str(tmp_path / "home"))
    files = _shifted_competition(shift=0.0)
    del files["test.csv"]
    recipe = RECIPE | {"test_file": None}
    result = _run(tmp_path, "lonely", recipe, _mirror(tmp_path, "lonely", files))
    metadata = result.asset_materializations_for_node("split_parity")[0].metadata
    assert metadata["verdict"].value == "unknown"


def test_intervals_are_deterministic():
    import pandas as pd

    from validation.metrics import METRICS
    from validation.parity import _with_interval

    truth = pd.Series([0, 1] * 50)
    predictions = pd.Series([0.2, 0.7] * 45 + [0.9, 0.1] * 5)
    first = _with_interval(METRICS["auc"], truth, predictions, seed=0)
    assert first == _with_interval(METRICS["auc"], truth, predictions, seed=0)
    assert first[1] <= first[0] <= first[2]


def test_a_demo_competition_runs_from_download_to_parity_offline(tmp_path, monkeypatch):
    from curation.demo_annotations import DEMO_ANNOTATION_TIME, demo_annotations
    from curation.meta_kaggle import read_competitions
    from curation.sources.demo_meta_kaggle import demo_competition_metrics, write_demo_meta_kaggle
    from curation.warehouse import Warehouse

    home = tmp_path / "home"
    monkeypatch.setenv("MLECURATE_HOME", str(home))
    store = AnnotationStore(tmp_path / "annotations")
    for item in demo_annotations():
        store.update(item.slug, item.curator, item.changes, now=DEMO_ANNOTATION_TIME)
    # The demo's recipes name no metric: the competition's Meta Kaggle metric grades it, as for a real one.
    Warehouse(home / "warehouse.duckdb").replace_table(
        "meta_kaggle.competitions", read_competitions(write_demo_meta_kaggle(tmp_path / "dump")).table
    )
    slug = demo_annotations()[0].slug
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(curated_competition_partitions.name, [slug])
    result = dg.materialize(
        dg.load_assets_from_modules([competition_data, parity]), partition_key=slug, instance=instance,
        resources={"sources": SourcesResource(meta_kaggle="demo"),
                   "storage": StorageResource(home=str(home), annotations=str(tmp_path / "annotations"))},
    )  # fmt: skip
    assert result.success
    metadata = result.asset_materializations_for_node("split_parity")[0].metadata
    assert metadata["metric"].value == demo_competition_metrics()[slug]
    assert metadata["verdict"].value == "parity"  # demo train and test are drawn alike
    assert (home / "prepared" / slug / "parity.json").is_file()
