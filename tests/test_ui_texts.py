"""Issue 12, what the Dagster UI shows in words: descriptions render as written (finding 1), every check result on a
per-competition asset names its competition (finding 2), and check texts speak the domain's words (finding 8)."""

from __future__ import annotations

import random
import re
import zipfile

import dagster as dg
import pandas as pd
import pytest

from assets import competition_data, meta_kaggle, parity
from assets.partitions import curated_competition_partitions
from assets.resources import SourcesResource, StorageResource
from curation.annotations import AnnotationStore
from pipelines import defs
from validation.leakage import IDS_DISJOINT, SplitCheck

# A bare <word> (or </word>) is an HTML tag to the UI's Markdown renderer: it is dropped from the page.
TAG = re.compile(r"</?[A-Za-z][\w:-]*>")
CODE = re.compile(r"``?[^`]*``?")  # inline code keeps <slug> as written


def _described() -> list[tuple[str, str]]:
    """(what, description) of every asset, check, job, schedule and sensor the UI lists."""
    texts = []
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        texts.append((f"asset {key.to_user_string()}", graph.get(key).description or ""))
    for assets_def in graph.assets_defs:
        for spec in assets_def.check_specs:
            texts.append((f"check {spec.key.to_user_string()}", spec.description or ""))
    for checks_def in defs.asset_checks or []:
        for spec in checks_def.check_specs:
            texts.append((f"check {spec.key.to_user_string()}", spec.description or ""))
    repository = defs.get_repository_def()
    for job in repository.get_all_jobs():
        texts.append((f"job {job.name}", job.description or ""))
    for schedule in repository.schedule_defs:
        texts.append((f"schedule {schedule.name}", schedule.description or ""))
    for sensor in repository.sensor_defs:
        texts.append((f"sensor {sensor.name}", sensor.description or ""))
    return sorted(set(texts))  # one of each, in one order: pytest-xdist's workers must collect the same tests


def test_the_walk_covers_every_kind_of_description():
    whats = {what.split()[0] for what, _ in _described()}
    assert whats == {"asset", "check", "job", "schedule", "sensor"}
    assert any(what == "asset split_parity" for what, _ in _described())


@pytest.mark.parametrize("what, text", _described(), ids=[what for what, _ in _described()])
def test_every_description_renders_as_written(what, text):
    eaten = TAG.findall(CODE.sub("", text))
    assert not eaten, f"{what}: {eaten} would be read as HTML and vanish; put the path in backticks"


def test_placeholders_stay_in_the_docstrings_that_need_them():
    """The paths still say where things go: the slug is in them, in backticks."""
    graph = defs.resolve_asset_graph()
    for asset, path in [("split_parity", "`prepared/<slug>/parity.json`"),
                        ("competition_split", "`$MLECURATE_HOME/prepared/<slug>/public/`"),
                        ("competition_raw", "`$MLECURATE_HOME/raw/<slug>/`")]:  # fmt: skip
        assert path in graph.get(dg.AssetKey(asset)).description, asset


# --- finding 9: the lineage shows every input ------------------------------------------------------------------


def test_split_parity_depends_on_the_leaderboard_snapshot_it_reads():
    parents = defs.resolve_asset_graph().get(dg.AssetKey("split_parity")).parent_keys
    assert dg.AssetKey("leaderboard_snapshots") in parents


# --- finding 2: a check result on a competition's partition names the competition --------------------------------


def _tiny_competition() -> dict[str, bytes]:
    rng = random.Random(1)

    def text(records, columns):
        return (
            "\n".join([",".join(columns)] + [",".join(str(r[c]) for c in columns) for r in records]) + "\n"
        ).encode()

    train = [{"id": i, "x": round(rng.gauss(0, 1), 3), "y": int(rng.random() < 0.5)} for i in range(300)]
    test = [{"id": 1000 + i, "x": round(rng.gauss(0, 1), 3)} for i in range(100)]
    return {"train.csv": text(train, ["id", "x", "y"]), "test.csv": text(test, ["id", "x"]),
            "sample_submission.csv": text([{"id": r["id"], "y": 0.5} for r in test], ["id", "y"])}  # fmt: skip


@pytest.fixture(scope="module")
def partition_run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("partition")
    slug = "tiny-tabular"
    mirror = tmp_path / "mirror"
    (mirror / slug).mkdir(parents=True)
    with zipfile.ZipFile(mirror / slug / f"{slug}.zip", "w") as bundle:
        for name, data in _tiny_competition().items():
            bundle.writestr(name, data)
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["y"], "metric": "auc",
              "sample_submission_file": "sample_submission.csv"}  # fmt: skip
    AnnotationStore(tmp_path / "annotations").update(slug, "alice", {"decision": "include", "split_recipe": recipe})
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(curated_competition_partitions.name, [slug])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLECURATE_HOME", str(tmp_path / "home"))
        result = dg.materialize(
            dg.load_assets_from_modules([competition_data, parity]),
            partition_key=slug,
            instance=instance,
            resources={
                "sources": SourcesResource(kaggle_mirror=str(mirror)),
                "storage": StorageResource(home=str(tmp_path / "home"), annotations=str(tmp_path / "annotations")),
            },
        )
    return slug, result


def test_every_check_on_a_competition_is_recorded_against_its_partition(partition_run):
    slug, result = partition_run
    evaluations = result.get_asset_check_evaluations()
    assert {e.check_name for e in evaluations} == {
        "ids_disjoint", "no_target_in_public_test", "public_free_of_private", "groups_disjoint", "rows_conserved",
        "row_files_whole", "tsv_rows_are_lines", "test_labels_seen",
        "row_files_published", "row_files_are_inputs", "binary_files_without_test_ids", "sample_columns_graded", "scores_agree",
        "sample_earns_no_medal", "metric_is_kaggles",
    }  # fmt: skip
    for evaluation in evaluations:
        assert evaluation.partition == slug, evaluation.check_name  # the Checks tab's Partition column


def test_every_check_on_a_competition_names_it_in_words_and_metadata(partition_run):
    slug, result = partition_run
    for evaluation in result.get_asset_check_evaluations():
        assert evaluation.description.startswith(f"{slug}: "), evaluation.description
        assert evaluation.metadata["competition"].value == slug
        # The UI plots a check's numbers over all its evaluations, whatever the competition: none to mix.
        numeric = [
            k for k, v in evaluation.metadata.items() if isinstance(v, dg.IntMetadataValue | dg.FloatMetadataValue)
        ]
        assert not numeric, (evaluation.check_name, numeric)
    ids = next(e for e in result.get_asset_check_evaluations() if e.check_name == "ids_disjoint")
    assert ids.description == f"{slug}: no id in both the new train and test sets (id column id)"


def test_a_failed_split_check_says_what_to_do():
    found = "50 shared by train and test (id column PassengerId), e.g. 1, 2, 3"
    result = competition_data._check_result("titanic", SplitCheck(IDS_DISJOINT.name, False, found, {"shared": 50}))
    assert result.description == f"titanic: {found}. {IDS_DISJOINT.remedy}"
    assert "group split" in result.description
    assert result.metadata["shared"].value == "50" and result.metadata["competition"].value == "titanic"


# --- finding 8: the Meta Kaggle suite in the domain's words ----------------------------------------------------

GX_WORDS = ("unexpected", "pair a", "to be greater than b", "to not be null", "to be unique", "to exist", "(row ")


@pytest.fixture(scope="module")
def damaged_report(real_competitions):
    from validation.competitions_suite import validate_competitions

    frame = real_competitions.table.to_pandas().head(80).copy()
    frame.loc[5, "slug"] = frame.loc[6, "slug"]
    frame.loc[8, "title"] = None
    frame.loc[3, "host_segment_title"] = "Moonshot"
    frame.loc[10, "enabled_date"] = pd.Timestamp("2000-01-01")
    return frame, {c.name: c for c in validate_competitions(frame).checks}


def test_suite_findings_name_competitions_by_slug_not_row(damaged_report):
    frame, checks = damaged_report
    duplicate, untitled, odd, placeholder = (frame.loc[i, "slug"] for i in (6, 8, 3, 10))
    assert f"2 competitions share a slug: {duplicate} (Id {frame.loc[5, 'id']}), {duplicate}" in (
        checks["unique_id_and_slug"].summary
    )
    assert f"1 competition without a title: {untitled}" in checks["required_fields"].summary
    assert f"in a segment Kaggle has not used before: {odd} (segment Moonshot)" in checks["known_segments"].summary
    assert f"{placeholder} (launched 2000-01-01)" in checks["sane_dates"].summary


def test_suite_texts_read_as_rules_not_great_expectations(damaged_report):
    _, checks = damaged_report
    for check in checks.values():
        for words in GX_WORDS:
            assert words not in check.summary.lower(), (check.name, words, check.summary)
    assert checks["unique_id_and_slug"].summary.endswith("fix these competitions in `Competitions.csv`, or load "
                                                         "another dump.")  # fmt: skip
    assert "add it to `KNOWN_SEGMENTS`" in checks["known_segments"].summary


def test_suite_check_results_draw_no_plot_of_zeros(damaged_report):
    """One number per check (the competitions checked), and the problems as one table, only where there are any."""
    _, checks = damaged_report
    for check in checks.values():
        result = meta_kaggle._check_result(check)
        numeric = [k for k, v in result.metadata.items() if isinstance(v, dg.IntMetadataValue | dg.FloatMetadataValue)]
        assert numeric == ["competitions_checked"], (check.name, numeric)
        for key in result.metadata:
            assert not any(words in key.lower() for words in GX_WORDS), key
    required = meta_kaggle._check_result(checks["required_fields"]).metadata["problems"].value
    assert "1 competition without a title" in required and "without an Id" not in required


def test_the_markdown_tag_pattern_catches_what_the_ui_eats():
    assert TAG.findall(CODE.sub("", "prepared/<slug>/parity.json")) == ["<slug>"]
    assert TAG.findall(CODE.sub("", "`prepared/<slug>/parity.json`")) == []
    assert TAG.findall(CODE.sub("", "a < b and c > d")) == []
