"""The four curation assets materialised together, in process, on real and on bad data."""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets import annotations, candidates, meta_kaggle
from assets.resources import SourcesResource, StorageResource
from curation.annotations import AnnotationStore
from curation.mlebench_import import import_mlebench_categories
from tests.conftest import DUMPS, META_KAGGLE, MLEBENCH_CATEGORIES, step_failure_message

ASSETS = dg.load_assets_from_modules([meta_kaggle, candidates, annotations])


def _materialise(tmp_path: Path, source: str, raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        ASSETS,
        resources={
            "sources": SourcesResource(meta_kaggle=source),
            "storage": _storage(tmp_path),
        },
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=raise_on_error,
    )


def _storage(tmp_path: Path) -> StorageResource:
    """The warehouse at tmp_path/warehouse.duckdb, the annotations at tmp_path/annotations."""
    return StorageResource(home=str(tmp_path), annotations=str(tmp_path / "annotations"))


def _count(tmp_path: Path, sql: str) -> int:
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


@pytest.fixture
def mlebench_annotated(tmp_path, home):
    import_mlebench_categories(MLEBENCH_CATEGORIES, AnnotationStore(tmp_path / "annotations"))
    return tmp_path


def test_real_meta_kaggle_with_mlebench_annotations(mlebench_annotated):
    tmp_path = mlebench_annotated
    result = _materialise(tmp_path, str(META_KAGGLE))
    assert result.success
    assert _count(tmp_path, "SELECT count(*) FROM meta_kaggle.competitions") == 5669
    assert _count(tmp_path, "SELECT count(*) FROM curation.candidates") == 5669
    assert _count(tmp_path, "SELECT count(*) FROM curation.candidates WHERE is_candidate") <= 582
    assert _count(tmp_path, "SELECT count(*) FROM curation.curated") == 75  # MLE-bench's 75
    for level, expected in {"low": 22, "medium": 38, "high": 15}.items():
        assert _count(tmp_path, f"SELECT count(*) FROM curation.curated WHERE complexity = '{level}'") == expected

    curated = result.asset_materializations_for_node("curated_competitions")[0].metadata
    outside = curated["outside_meta_kaggle"].value
    assert outside.startswith("2 outside the dump: ") and "lmsys-chatbot-arena (facts from annotation)" in outside
    funnel = result.asset_materializations_for_node("candidate_competitions")[0].metadata["funnel"].value
    assert "| not_community |" in funnel and "582" in funnel
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    # No Kaggle credentials here: the two are listed by nothing and their annotations name no recipe metric.
    assert checks["members_in_meta_kaggle"].passed is False
    description = checks["members_in_meta_kaggle"].description
    assert description.startswith(
        "2 outside the dump: learning-agency-lab-automated-essay-scoring-2 (facts from annotation)"
    )
    assert "No facts beyond the annotation (not listed by kaggle" in description
    errors = curated["listing_errors"].value  # the Kaggle source without credentials lists nothing, or says why
    assert errors == "none" or "kaggle could not list lmsys-chatbot-arena: KaggleCredentialsError" in errors
    assert checks["unique_id_and_slug"].passed and not checks["sane_dates"].passed


def test_candidate_rules_are_run_config(mlebench_annotated):
    tmp_path = mlebench_annotated
    assert _materialise(tmp_path, str(META_KAGGLE)).success
    result = dg.materialize(
        [a for a in ASSETS if a.key.to_user_string() == "candidate_competitions"],
        resources={"storage": _storage(tmp_path)},
        run_config=dg.RunConfig({"candidate_competitions": candidates.CandidateRulesConfig(
            require_completed=False, require_leaderboard=False, min_teams=0, require_known_metric=False)}),
        instance=dg.DagsterInstance.ephemeral(),
    )  # fmt: skip
    assert result.success
    assert _count(tmp_path, "SELECT count(*) FROM curation.candidates WHERE is_candidate") == 582


def _bad_copy(tmp_path: Path, damage) -> Path:
    folder = tmp_path / "bad-meta-kaggle"
    folder.mkdir()
    lines = DUMPS["2024-03"].read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "Competitions.csv").write_text("".join(damage(lines)), encoding="utf-8")
    return folder


def _duplicate_slug(lines):
    fields = lines[3].split('","')
    fields[1] = lines[2].split('","')[1]
    return [*lines[:3], '","'.join(fields), *lines[4:]]


def _drop_column(lines):
    return [",".join(line.split(",")[:4] + line.split(",")[5:]) for line in lines]


@pytest.mark.parametrize(
    "damage, expected",
    [
        (lambda lines: lines[: len(lines) // 2] + [lines[len(lines) // 2][:40]], "truncated"),
        (_duplicate_slug, "check unique_id_and_slug failed"),
        (lambda lines: [lines[0], lines[1].replace("04/07/2010", "2010-04-07"), *lines[2:]], "EnabledDate"),
        (_drop_column, "HostSegmentTitle"),
    ],
    ids=["truncated", "duplicated-slug", "unparseable-date", "missing-column"],
)
def test_bad_input_fails_clearly_and_leaves_the_warehouse_as_it_was(mlebench_annotated, damage, expected):
    tmp_path = mlebench_annotated
    assert _materialise(tmp_path, str(META_KAGGLE)).success
    bad = _bad_copy(tmp_path, damage)

    result = _materialise(tmp_path, str(bad), raise_on_error=False)
    assert not result.success
    message = step_failure_message(result)
    assert str(bad / "Competitions.csv") in message and expected in message
    assert _count(tmp_path, "SELECT count(*) FROM meta_kaggle.competitions") == 5669
    assert _count(tmp_path, "SELECT count(*) FROM curation.curated") == 75


def test_malformed_annotation_stops_the_load_and_keeps_the_table(mlebench_annotated):
    tmp_path = mlebench_annotated
    assert _materialise(tmp_path, str(META_KAGGLE)).success
    broken = tmp_path / "annotations" / "titanic" / "zoe.yaml"
    broken.parent.mkdir()
    broken.write_text("slug: titanic\ncurator: zoe\ndecision: perhaps\n")
    result = _materialise(tmp_path, str(META_KAGGLE), raise_on_error=False)
    assert not result.success
    assert str(broken) in step_failure_message(result)
    assert "field 'decision'" in step_failure_message(result)
    assert _count(tmp_path, "SELECT count(*) FROM curation.annotations") == 75


def test_demo_source_runs_the_whole_funnel_offline(tmp_path, home):
    from curation.demo_annotations import DEMO_ANNOTATION_TIME, LAUNCHED_AFTER_THE_DUMP, demo_annotations

    store = AnnotationStore(tmp_path / "annotations")
    for item in demo_annotations():
        store.update(item.slug, item.curator, item.changes, now=DEMO_ANNOTATION_TIME)
    result = _materialise(tmp_path, "demo")
    assert result.success
    assert _count(tmp_path, "SELECT count(*) FROM meta_kaggle.competitions") == 3000
    curated = _count(tmp_path, "SELECT count(*) FROM curation.curated")
    # 24 includes by ada, one disputed by grace, plus one override of enough_teams and one launched after the dump
    assert curated == 25
    assert _count(tmp_path, "SELECT count(*) FROM curation.curated WHERE overrides_rule = 'enough_teams'") == 1
    assert _count(tmp_path, "SELECT count(*) FROM curation.curated WHERE complexity_status = 'disputed'") == 1
    assert _count(tmp_path, "SELECT count(*) FROM curation.consolidated WHERE decision = 'disputed'") == 1
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not checks["curators_agree"].passed
    assert LAUNCHED_AFTER_THE_DUMP in checks["members_in_meta_kaggle"].description
    # The suite's report is kept with the fetched file and taken again for the same file: the UI says which it was.
    suite_run = result.asset_materializations_for_node("meta_kaggle_competitions")[0].metadata["suite_run"].value
    assert re.fullmatch(r"ran at \d{4}-\d\d-\d\d \d\d:\d\d UTC", suite_run), suite_run
    again = dg.materialize(
        ASSETS,
        selection=["meta_kaggle_competitions"],
        resources={"sources": SourcesResource(meta_kaggle="demo"), "storage": _storage(tmp_path)},
        instance=dg.DagsterInstance.ephemeral(),
    )
    reused = again.asset_materializations_for_node("meta_kaggle_competitions")[0].metadata["suite_run"].value
    assert reused == f"reused: the report of {suite_run[len('ran at ') :]} on the same file, code and libraries"
    assert {e.check_name: e.passed for e in again.get_asset_check_evaluations()} == {
        e.check_name: e.passed
        for e in result.get_asset_check_evaluations()
        if e.asset_key.path == ["meta_kaggle_competitions"]
    }


def test_an_asset_called_directly_without_a_partition_is_refused_by_its_own_message():
    """build_asset_context() with no partition key: the refusal named the run's job, which a direct call has not, and
    raised Dagster's own "The job_name property is not set" instead (found in review)."""
    from assets.partitions import curated_slug

    with pytest.raises(dg.Failure, match=r"^this asset runs for one curated competition: add --tags"):
        curated_slug(dg.build_asset_context())
    assert curated_slug(dg.build_asset_context(partition_key="titanic")) == "titanic"  # no partitions: the caller's


def test_no_annotations_yet_makes_an_empty_benchmark(tmp_path, home):
    """The first thing a newcomer materialises: no curator has annotated anything, the store does not even exist."""
    result = _materialise(tmp_path, str(META_KAGGLE))
    assert result.success
    assert _count(tmp_path, "SELECT count(*) FROM curation.annotations") == 0
    assert _count(tmp_path, "SELECT count(*) FROM curation.curated") == 0
    assert _count(tmp_path, "SELECT count(*) FROM curation.consolidated") == 0
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        columns = con.execute("DESCRIBE curation.curated").fetchall()
    assert [c[0] for c in columns][:3] == ["slug", "title", "host_segment"]
    assert '"NULL"' not in {c[1] for c in columns}  # typed columns, even with no rows
    annotated = result.asset_materializations_for_node("competition_annotations")[0].metadata
    assert annotated["dagster/row_count"].value == 0 and annotated["last_change"].value == "none"
    curated = result.asset_materializations_for_node("curated_competitions")[0].metadata
    assert curated["curated"].value == 0 and curated["dagster/row_count"].value == 0
    assert curated["outside_meta_kaggle"].value == "none"
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert checks["curators_agree"].passed and checks["members_in_meta_kaggle"].passed


NOT_A_PARTITION = {
    "a mistyped slug": (
        ["titanic"], {"dagster/partition": "spaceship-titanic"},
        "'spaceship-titanic' is not a curated competition partition: `mlecurate curated --slugs` lists them",
    ),
    "before the curation job": (
        [], {"dagster/partition": "spaceship-titanic"},
        "'spaceship-titanic' is not a curated competition partition: no competition is one yet: run the curation job "
        "first (`dagster job execute -m pipelines -j curation`)",
    ),
    "no partition tag": ([], {}, "runs for one curated competition: add --tags '{\"dagster/partition\": \"<slug>\"}'"),
}  # fmt: skip


@pytest.mark.parametrize("case", NOT_A_PARTITION)
@pytest.mark.parametrize("job", ["prepare_competition", "refresh_leaderboards"])
def test_a_job_for_a_slug_that_is_not_a_partition_writes_nothing(tmp_path, home, monkeypatch, job, case):
    """`dagster job execute -j JOB --tags '{"dagster/partition": "spaceship-titanic"}'` with a slug curators never
    included: Dagster checks the key only when it records the step, so the download and a leaderboard history line
    were written first. Refused by the first step, naming the slug and where the partitions are listed. A newcomer's
    sweep found two more ways in: the same before the curation job had made any partition (the check let an instance
    without partitions through, and Dagster's own "Nonexistent partition keys" traceback came after the download),
    and no partition tag at all ("Cannot access partition_key for a non-partitioned run")."""
    from pipelines import defs

    partitions, tags, message = NOT_A_PARTITION[case]
    monkeypatch.setenv("MLECURATE_META_KAGGLE", "demo")
    (tmp_path / "dagster").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "dagster"))
    if partitions:
        instance.add_dynamic_partitions("curated_competition", partitions)  # the curation job has run: one member
    result = defs.resolve_job_def(job).execute_in_process(tags=tags, instance=instance, raise_on_error=False)
    assert not result.success
    assert message in step_failure_message(result)
    written = [p for p in home.rglob("*") if p.is_file()] if home.exists() else []
    assert not [p for p in written if "spaceship-titanic" in str(p) or "raw" in p.parts], written


def test_a_data_root_under_a_folder_named_key_value_keeps_each_tables_columns(tmp_path):
    """Review 198: DuckDB took a folder named ``env=dev`` on the path for a Hive partition and gave the warehouse's
    tables, loaded from their Parquet copies, an ``env`` column; every read is of its file alone now."""
    from curation.warehouse import Warehouse
    from validation.data_root import COMPETITIONS, DataRoot

    root = DataRoot(tmp_path / "env=dev" / "home")
    copy = root.table_copy(COMPETITIONS)
    copy.parent.mkdir(parents=True)
    duckdb.sql("SELECT 1 AS id, 'titanic' AS slug").write_parquet(str(copy))
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    assert warehouse.load_table_copies(root) == [COMPETITIONS]
    with warehouse.connect(read_only=True) as con:
        assert [row[0] for row in con.execute(f"DESCRIBE {COMPETITIONS}").fetchall()] == ["id", "slug"]
