"""The catalogue: every asset, check, job and resource that the Dagster UI shows."""

from __future__ import annotations

import subprocess
import sys

from pipelines import defs
from tests.conftest import PROJECT

ASSETS = {
    "meta_kaggle_competitions", "candidate_competitions", "competition_annotations", "curated_competitions",
    "competition_raw", "competition_split", "split_parity", "leaderboard_snapshots", "benchmark_export",
}  # fmt: skip
SPLIT_CHECKS = {
    "ids_disjoint",
    "no_target_in_public_test",
    "public_free_of_private",
    "groups_disjoint",
    "rows_conserved",
    "row_files_whole",
    "tsv_rows_are_lines",
    "test_labels_seen",
    "row_files_published",
    "row_files_are_inputs",
    "binary_files_without_test_ids",
    "sample_columns_graded",
}
CHECKS = {
    ("meta_kaggle_competitions", "unique_id_and_slug"),
    ("meta_kaggle_competitions", "required_fields"),
    ("meta_kaggle_competitions", "known_segments"),
    ("meta_kaggle_competitions", "sane_dates"),
    ("curated_competitions", "curators_agree"),
    ("curated_competitions", "members_in_meta_kaggle"),
} | {("competition_split", name) for name in SPLIT_CHECKS} | {
    ("split_parity", "scores_agree"), ("split_parity", "sample_earns_no_medal"), ("split_parity", "metric_is_kaggles"),
    ("leaderboard_snapshots", "boards_fresh"),
    ("benchmark_export", "all_written"), ("benchmark_export", "grades_its_answers"),
}  # fmt: skip


def test_catalogue_is_what_it_should_be():
    graph = defs.resolve_asset_graph()
    assert {key.to_user_string() for key in graph.get_all_asset_keys()} == ASSETS
    assert {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys} == CHECKS
    assert {job.name for job in defs.resolve_all_job_defs()} >= {
        "curation",
        "prepare_competition",
        "refresh_leaderboards",
    }
    assert [schedule.name for schedule in defs.schedules] == ["leaderboard_refresh_schedule"]
    assert set(defs.resources) == {"storage", "sources", "leaderboard_age"}
    assert [sensor.name for sensor in defs.sensors] == ["curated_members_sensor"]


def test_every_asset_has_a_description_group_and_kind():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description and len(node.description) > 80, key
        assert node.group_name in {"meta_kaggle", "curation", "competition_data", "leaderboards", "benchmark"}, key
        assert node.kinds, key


def test_lineage():
    graph = defs.resolve_asset_graph()
    parents = {
        key.to_user_string(): {p.to_user_string() for p in graph.get(key).parent_keys}
        for key in graph.get_all_asset_keys()
    }
    assert parents["candidate_competitions"] == {"meta_kaggle_competitions"}
    assert parents["curated_competitions"] == {"candidate_competitions", "competition_annotations"}
    assert parents["competition_annotations"] == set()
    assert parents["competition_raw"] == {"curated_competitions"}
    assert parents["competition_split"] == {"competition_raw"}
    assert parents["split_parity"] == {"competition_split", "leaderboard_snapshots"}  # it reads the snapshot
    assert parents["leaderboard_snapshots"] == {"curated_competitions"}
    assert parents["benchmark_export"] == {"split_parity", "leaderboard_snapshots"}


def test_competition_data_is_partitioned_per_curated_competition():
    for name in ("competition_raw", "competition_split", "split_parity", "leaderboard_snapshots"):
        assert defs.resolve_assets_def(name).partitions_def.name == "curated_competition"
    specs = {spec.name: spec.blocking for spec in defs.resolve_assets_def("competition_split").check_specs}
    assert specs == dict.fromkeys(SPLIT_CHECKS, True) | {
        "row_files_whole": False,
        "tsv_rows_are_lines": False,
        "test_labels_seen": False,
        "row_files_published": False,
        "binary_files_without_test_ids": False,
        "sample_columns_graded": False,
    }  # warnings


def test_structural_checks_block_and_the_others_warn():
    specs = {spec.name: spec.blocking for spec in defs.resolve_assets_def("meta_kaggle_competitions").check_specs}
    assert specs == {"unique_id_and_slug": True, "required_fields": True, "known_segments": False, "sane_dates": False}


def test_kaggle_credentials_are_env_vars_the_ui_never_shows(monkeypatch, tmp_path):
    import dagster as dg

    from curation.settings import Settings
    from pipelines.resources import resources_from_settings

    monkeypatch.setenv("KAGGLE_USERNAME", "alice")
    monkeypatch.setenv("KAGGLE_KEY", "secret-key-value")
    monkeypatch.setenv("HOME", str(tmp_path))  # no kaggle.json anywhere
    resources = resources_from_settings(Settings.from_environment())
    shown = repr(resources)  # what the UI's resource config holds: the variables' names
    assert "KAGGLE_KEY" in shown and "secret-key-value" not in shown
    with dg.build_resources(resources) as built:  # at run time Dagster reads the variables
        credentials = built.sources.kaggle.client().credentials
    assert (credentials.username, credentials.key) == ("alice", "secret-key-value")
    assert "secret-key-value" not in repr(credentials)


def test_loading_the_definitions_leaves_the_heavy_libraries_to_the_steps_that_use_them():
    """Every `dagster job execute`, Celery step and code-server reload imports the definitions: scikit-learn,
    SciPy and matplotlib (about 2 s of a 4 s load) are imported by the step that trains, compares or draws."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, pipelines; print(' '.join(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True, cwd=PROJECT,
    ).stdout.split()  # fmt: skip
    heavy = {"sklearn", "scipy", "matplotlib"}
    assert not heavy & {name.split(".")[0] for name in loaded}
