"""Issue 11: ``mlecurate export`` and the ``benchmark_export`` asset — what the export holds, that it is incremental,
that one failure loses nothing, and what it refuses. (MLE-bench's own code reads the export in
``test_mlebench_export.py``.)

The data root is built the real way for two shared competitions: downloaded from a folder mirror of
``../shared/data/competitions``, split by the packaged recipes, parity measured, MLE-bench's real board recorded as
the snapshot, annotated and curated; titanic is curated and split too, but has no board and no parity report.
"""

from __future__ import annotations

import importlib
import json
import shutil
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import yaml

from curation.annotations import AnnotationStore
from curation.benchmark_export import ExportError, ExportOptions, export_benchmark, verify_export
from curation.cli import main
from curation.competition_data import fetch_competition
from curation.curated import curate, load_annotations
from curation.leaderboard_history import current_board_and_record, record_snapshot
from curation.sources import FolderSource, choose_sources
from curation.sources.kaggle_client import KaggleClient
from curation.split_parity import check_split_parity
from curation.stage_status import PARITY, SPLIT, clear_failure, partition_command, record_failure
from curation.warehouse import Warehouse
from splits.layout import prepare_competition
from tests.conftest import PROJECT, SHARED, screened_warehouse
from validation.data_root import DataRoot
from validation.grading import grade_submission
from validation.leaderboard import Leaderboard, read_leaderboard
from validation.parity import ParityTolerance
from validation.split_recipe import parse_recipe, read_recipe_file

INSULTS, SPACESHIP, TITANIC = "detecting-insults-in-social-commentary", "spaceship-titanic", "titanic"
COMPLEXITY = {INSULTS: "low", SPACESHIP: "medium", TITANIC: "low"}


def _build(home: Path, real_competitions) -> DataRoot:
    root = DataRoot(home, home / "annotations")
    warehouse = screened_warehouse(root, real_competitions)
    store = AnnotationStore(root.annotations)
    mirror = FolderSource(SHARED / "competitions", name="mirror")
    sources = choose_sources("demo", KaggleClient())
    for slug in (INSULTS, SPACESHIP, TITANIC):
        recipe = read_recipe_file(PROJECT / "splits" / "recipes" / f"{slug}.yaml")
        store.update(slug, "alice", {"decision": "include", "complexity": COMPLEXITY[slug], "category": "Tabular",
                                     "split_recipe": recipe.to_document()})  # fmt: skip
        fetch_competition(root.raw(slug), mirror)
        assert prepare_competition(slug, recipe, root.raw(slug).files, root.prepared_root, "").published
        if slug == TITANIC:
            continue  # no board, no parity: left out, with the reason
        board = read_leaderboard(SHARED / "mle-bench" / "competitions" / slug / "leaderboard.csv")
        record_snapshot(root.leaderboards(slug), slug, board, "mle-bench", True)
        check_split_parity(slug, root, store.for_competition(slug), warehouse.competition(slug), ParityTolerance(),
                           sources)  # fmt: skip
    load_annotations(store, warehouse)
    curate(warehouse)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory, real_competitions) -> DataRoot:
    return _build(tmp_path_factory.mktemp("export-home"), real_competitions)


@pytest.fixture()
def root(built, tmp_path) -> DataRoot:
    """A private copy of the built data root (tests change boards and splits)."""
    home = tmp_path / "home"
    shutil.copytree(built.path, home, symlinks=True)
    return DataRoot(home, home / "annotations")


def _export(root: DataRoot, folder: Path, **options) -> object:
    return export_benchmark(root, Warehouse(root.warehouse), folder, ExportOptions(**options))


def _verdicts(root: DataRoot) -> dict[str, str]:
    return {slug: json.loads(root.prepared(slug).parity.read_text())["verdict"] for slug in (INSULTS, SPACESHIP)}


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its inode and modification time (what a rewrite changes)."""
    return {
        str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()
    }


def test_the_export_holds_each_eligible_competition_in_mlebench_layout(root, tmp_path):
    assert _verdicts(root) == {INSULTS: "parity", SPACESHIP: "parity"}  # the shared competitions' real verdicts
    out = tmp_path / "bench"
    result = _export(root, out)
    assert result.members == [INSULTS, SPACESHIP] and sorted(result.exported) == [INSULTS, SPACESHIP]
    assert result.left_out == {TITANIC: f"parity not checked: {partition_command('prepare_competition', TITANIC)}"}
    assert not result.failed
    # Detecting-insults' sample keeps Kaggle's own name, and the description names it so.
    public = out / "data" / INSULTS / "prepared" / "public"
    assert sorted(p.name for p in public.iterdir()) == ["description.md", "sample_submission_null.csv",
                                                        "test.csv", "train.csv"]  # fmt: skip
    description = (out / "competitions" / INSULTS / "description.md").read_text()
    assert "`sample_submission_null.csv`" in description and "`sample_submission.csv`" not in description
    assert (public / "description.md").read_text() == description
    answers = out / "data" / INSULTS / "prepared" / "private" / "test.csv"
    assert answers.read_bytes() == root.prepared(INSULTS).answers.read_bytes()
    config = yaml.safe_load((out / "competitions" / INSULTS / "config.yaml").read_text())
    assert config == {
        "id": INSULTS,
        "name": "Detecting Insults in Social Commentary",
        "competition_type": "simple",
        "awards_medals": True,  # Meta Kaggle's CanQualifyTiers, as MLE-bench's own config says
        "prizes": None,
        "description": f"mlebench/competitions/{INSULTS}/description.md",
        "dataset": {"answers": f"{INSULTS}/prepared/private/test.csv",
                    "sample_submission": f"{INSULTS}/prepared/public/sample_submission_null.csv"},
        "grader": {"name": "auc", "grade_fn": "validation.mlebench_grade:grade?metric=auc&keys=Date&keys=Comment"},
        "preparer": "validation.mlebench_grade:prepare",
    }  # fmt: skip
    board = pd.read_csv(out / "competitions" / SPACESHIP / "leaderboard.csv")
    original = pd.read_csv(SHARED / "mle-bench" / "competitions" / SPACESHIP / "leaderboard.csv")
    assert board.columns.tolist() == original.columns.tolist()
    assert board["score"].tolist() == original["score"].tolist() and len(board) == len(original)
    assert {n: (out / "splits" / f"{n}.txt").read_text().split() for n in ("all", "low", "medium", "high")} == {
        "all": [INSULTS, SPACESHIP], "low": [INSULTS], "medium": [SPACESHIP], "high": []
    }  # fmt: skip
    index = json.loads((out / "export.json").read_text())
    assert index["format"] == "mlebench" and index["mlecurate_version"] == "0.1.0"
    assert index["data_root"] == str(root.path)
    assert index["competitions"][SPACESHIP]["parity"]["verdict"] == "parity"
    assert index["competitions"][SPACESHIP]["source"]["data"] == "mirror"
    assert index["left_out"] == result.left_out
    assert verify_export(out) == {INSULTS: [], SPACESHIP: []}
    assert not (out / ".staging").exists()


def test_an_unchanged_competition_is_not_rewritten_and_a_changed_one_is(root, tmp_path):
    out = tmp_path / "bench"
    _export(root, out)
    before = _tree(out / "data") | _tree(out / "competitions")
    again = _export(root, out)
    assert again.exported == [] and sorted(again.unchanged) == [INSULTS, SPACESHIP]
    assert _tree(out / "data") | _tree(out / "competitions") == before
    # A new board for spaceship-titanic (one team more): only it is written again.
    board = read_leaderboard(SHARED / "mle-bench" / "competitions" / SPACESHIP / "leaderboard.csv")
    teams = pd.concat([board.teams, board.teams.tail(1).assign(rank=len(board.teams) + 1, team_id="new")])
    record_snapshot(root.leaderboards(SPACESHIP), SPACESHIP, Leaderboard(teams, "refreshed"), "mle-bench", True)
    third = _export(root, out)
    assert third.exported == [SPACESHIP] and third.unchanged == [INSULTS]
    after = _tree(out / "data") | _tree(out / "competitions")
    assert {k: v for k, v in after.items() if INSULTS in k} == {k: v for k, v in before.items() if INSULTS in k}
    assert len(pd.read_csv(out / "competitions" / SPACESHIP / "leaderboard.csv")) == len(teams)


def test_complexity_and_drift_choose_the_members_and_a_member_no_longer_chosen_is_removed(root, tmp_path):
    out = tmp_path / "bench"
    _export(root, out)
    low = _export(root, out, complexity="low")
    assert low.members == [INSULTS] and low.removed == [SPACESHIP]
    assert low.left_out[SPACESHIP] == "complexity medium, not low"
    assert not (out / "data" / SPACESHIP).exists() and not (out / "competitions" / SPACESHIP).exists()
    assert (out / "splits" / "all.txt").read_text() == f"{INSULTS}\n"
    # A drift verdict is left out unless asked for.
    report = root.prepared(SPACESHIP).parity
    report.write_text(json.dumps(json.loads(report.read_text()) | {"verdict": "drift", "reason": "scores moved"}))
    drift = _export(root, out)
    assert drift.left_out[SPACESHIP] == "parity verdict drift (--include-drift exports it): scores moved"
    assert _export(root, out, include_drift=True).members == [INSULTS, SPACESHIP]
    # So is a verdict of unknown (parity could not judge: no labels, no comparable features), unless asked for.
    report.write_text(json.dumps(json.loads(report.read_text()) | {"verdict": "unknown", "reason": "no labels"}))
    unknown = _export(root, out, include_drift=True)
    assert unknown.left_out[SPACESHIP] == "parity verdict unknown (--include-unknown exports it): no labels"
    assert _export(root, out, include_unknown=True).members == [INSULTS, SPACESHIP]
    assert json.loads((out / "export.json").read_text())["options"]["include_unknown"] is True


def test_a_competition_mlecurate_cannot_grade_is_left_out_with_the_exports_own_remedy(root, tmp_path, monkeypatch):
    """Its reason said "give --metric", an option of mlecurate grade that export does not have (AI4Code: Meta Kaggle's
    AI4CodeKendallTau, no metric in the recipe); an export grades by the recipe's metric."""
    manifest = root.prepared(SPACESHIP).manifest
    document = json.loads(manifest.read_text())
    document["recipe"].pop("metric", None)
    manifest.write_text(json.dumps(document))
    facts = Warehouse.competition
    monkeypatch.setattr(Warehouse, "competition", lambda self, slug: facts(self, slug) | (
        {"evaluation_algorithm_name": "AI4CodeKendallTau"} if slug == SPACESHIP else {}))  # fmt: skip
    result = _export(root, tmp_path / "bench", include_unknown=True)
    assert result.left_out[SPACESHIP] == (
        f"{SPACESHIP}: no metric mlecurate can grade (Meta Kaggle names 'AI4CodeKendallTau'): name one in its split "
        f"recipe (key metric), then {partition_command('prepare_competition', SPACESHIP)}"
    )


def test_a_competition_scoring_some_rows_only_is_exported_with_its_mask(root, tmp_path):
    """It was left out (MLE-bench calls grade(submission, answers), with no room for which rows count). The mask now
    travels as a column of the exported answers, named in the grader; the grader MLE-bench imports scores only those
    rows, as ``mlecurate grade`` does on the published split, and the export verifies."""
    recipe = read_recipe_file(PROJECT / "splits" / "recipes" / f"{SPACESHIP}.yaml").to_document()
    recipe["scored_rows"] = {"HomePlanet": "Earth"}
    store = AnnotationStore(root.annotations)
    store.update(SPACESHIP, "alice", {"split_recipe": recipe})
    split = prepare_competition(SPACESHIP, parse_recipe(recipe, "r"), root.raw(SPACESHIP).files, root.prepared_root)
    assert split.published
    check_split_parity(SPACESHIP, root, store.for_competition(SPACESHIP), Warehouse(root.warehouse).competition(
        SPACESHIP), ParityTolerance(), choose_sources("demo", KaggleClient()))  # fmt: skip
    out = tmp_path / "bench"
    result = _export(root, out)
    assert SPACESHIP in result.exported and not result.failed, (result.left_out, result.failed)
    config = yaml.safe_load((out / "competitions" / SPACESHIP / "config.yaml").read_text())
    assert config["grader"]["grade_fn"].endswith("&scored=scored")
    prepared = root.prepared(SPACESHIP)
    exported = pd.read_csv(out / "data" / SPACESHIP / "prepared" / "private" / "test.csv", dtype=str)
    published = pd.read_csv(prepared.answers, dtype=str)
    assert exported.drop(columns=["scored"]).equals(published)
    assert exported["scored"].tolist() == pd.read_csv(prepared.scored_rows, dtype=str)["scored"].tolist()
    test = pd.read_csv(prepared.public / "test.csv", dtype=str).set_index("PassengerId")
    assert (exported["scored"] == "1").tolist() == (test.loc[exported["PassengerId"], "HomePlanet"] == "Earth").tolist()
    assert verify_export(out)[SPACESHIP] == []
    # A submission wrong on every row of another planet is perfect on the scored rows: by both routes.
    flipped = published["Transported"].map({"True": "False", "False": "True"})
    wrong = published.assign(Transported=published["Transported"].where(exported["scored"] == "1", flipped))
    path = tmp_path / "wrong.csv"
    wrong.to_csv(path, index=False)
    assert grade_submission(path, prepared, config["grader"]["name"]).score == 1.0
    module, _, name = config["grader"]["grade_fn"].partition(":")
    grade = getattr(importlib.import_module(module), name)
    answers = pd.read_csv(out / "data" / SPACESHIP / "prepared" / "private" / "test.csv")
    assert grade(pd.read_csv(path), answers) == 1.0
    assert grade(pd.read_csv(prepared.answers).assign(Transported=False), answers) < 1.0


def test_a_competition_without_a_parity_report_is_left_out_saying_so(root, tmp_path):
    root.prepared(INSULTS).parity.unlink()
    result = _export(root, tmp_path / "bench")
    assert result.members == [SPACESHIP]
    assert result.left_out[INSULTS] == (
        "parity not checked: dagster job execute -m pipelines -j prepare_competition --tags "
        """'{"dagster/partition": "detecting-insults-in-social-commentary"}'"""
    )


def test_a_competition_whose_parity_check_failed_is_left_out_with_the_failure(root, tmp_path, monkeypatch, capsys):
    """Not "parity not checked" with a command to run: it ran, and failed; the curator needs what went wrong."""
    root.prepared(INSULTS).parity.unlink()
    record_failure(root, INSULTS, PARITY, "ValueError: operands could not be broadcast together")
    result = _export(root, tmp_path / "bench")
    assert result.left_out[INSULTS].startswith("its parity check failed (")
    assert result.left_out[INSULTS].endswith("): ValueError: operands could not be broadcast together")
    monkeypatch.setenv("MLECURATE_HOME", str(root.path))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(root.annotations))
    assert main(["export", str(tmp_path / "bench")]) == 0
    assert "ValueError: operands could not be broadcast together): detecting-insults" in capsys.readouterr().out


def test_a_competition_whose_sample_earns_a_medal_is_left_out_and_a_metric_unlike_kaggles_is_a_warning(root, tmp_path):
    """A newcomer's sweep: rsna-breast-cancer graded with AUC against a board whose gold was 0.49, so the constant
    sample medalled (the error check sample_earns_no_medal failed) and the export shipped it with no warning; and a
    split graded by a metric other than Kaggle's was exported without a word about metric_is_kaggles. A review: the
    sample is placed on the board exported (parity's may be older), and the metric judged is the published split's,
    not the curators' current recipe's."""
    report = json.loads(root.prepared(SPACESHIP).parity.read_text())
    assert _export(root, tmp_path / "before").competitions[SPACESHIP]["warnings"] == []
    for row in report["rows"]:  # the sample scores as well as the best team (parity placed it at rank 2,172)
        if (row["submission"], row["test_set"], row["target"]) == ("sample submission", "new test", None):
            row["score"] = 1.0
    root.prepared(SPACESHIP).parity.write_text(json.dumps(report))
    manifest = root.prepared(INSULTS).read_manifest()
    manifest["recipe"]["metric"] = "accuracy"  # Kaggle ranked insults by AUC
    root.prepared(INSULTS).manifest.write_text(json.dumps(manifest))
    result = _export(root, tmp_path / "bench")
    assert result.left_out[SPACESHIP].startswith("its sample submission (1.0) earns a medal on the leaderboard exported "
                                                 "(rank 1 of ")  # fmt: skip
    assert result.left_out[SPACESHIP].endswith(  # parity.json still says it earned none on its board
        "so the medal thresholds say nothing (parity placed it on an older snapshot, where it earned none: "
        "materialise split_parity again): check the recipe's metric and the leaderboard it is compared with"
    )
    warnings = " ".join(result.competitions[INSULTS]["warnings"])
    assert (
        "its parity's warning check metric_is_kaggles: the recipe grades with accuracy, but Kaggle ranked the "
        "leaderboard by Meta Kaggle's" in warnings
    )


def test_the_export_command_checks_what_it_wrote_and_exits_1_on_a_problem(root, tmp_path, monkeypatch, capsys):
    """`mlecurate export` checked nothing the benchmark_export asset's grades_its_answers check does: an export whose
    answers its grader rejects was written with exit 0."""
    answers = root.prepared(SPACESHIP).answers
    frame = pd.read_csv(answers, dtype=str, keep_default_na=False)
    frame.loc[::17, "Transported"] = ""  # as a split of a train file with unlabelled rows published them
    frame.to_csv(answers, index=False)
    monkeypatch.setenv("MLECURATE_HOME", str(root.path))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(root.annotations))
    out = tmp_path / "bench"
    assert main(["export", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err and all(line.startswith(f"  invalid {SPACESHIP}: ") for line in err), err
    # MLE-bench's reading takes a blank label as the label 'nan' (as it takes text-normalization's 'null'): the file
    # as written shows the lost labels
    assert any("its answers file, graded as a submission as `mlecurate grade` reads it, is invalid: column "
               "Transported: " in line for line in err), err  # fmt: skip
    assert verify_export(out)[INSULTS] == []


def test_a_competition_whose_split_failed_is_left_out_with_the_failure(root, tmp_path):
    """Not "materialise competition_split": it was, and it failed; the curator needs what went wrong."""
    shutil.rmtree(root.prepared(INSULTS).path)
    record_failure(root, INSULTS, SPLIT, "recipe key time_column: 'colour' is not a time")
    result = _export(root, tmp_path / "bench")
    assert result.left_out[INSULTS].startswith("its split failed (")
    assert result.left_out[INSULTS].endswith("): recipe key time_column: 'colour' is not a time")
    clear_failure(root, INSULTS, SPLIT)
    again = _export(root, tmp_path / "bench")
    assert again.left_out[INSULTS] == f"no published split: {partition_command('prepare_competition', INSULTS)}"


def test_a_member_left_out_names_a_split_that_failed_after_the_published_one(root, tmp_path):
    """A sweep's jigsaw-unintended-bias: the published split had no metric; the curators' recipe then named one and
    its split failed. The export gave the older reason alone (no metric: name one in the recipe), which the curators
    had done; the newer failure is what stands in the way."""
    root.prepared(INSULTS).parity.unlink()
    record_failure(root, INSULTS, SPLIT, "UngradableAnswers: auc needs answers that are labels 0 or 1")
    result = _export(root, tmp_path / "bench")
    assert result.left_out[INSULTS].startswith(
        f"parity not checked: {partition_command('prepare_competition', INSULTS)}; and its latest split, after the "
        "published one, failed ("
    )
    assert result.left_out[INSULTS].endswith("): UngradableAnswers: auc needs answers that are labels 0 or 1")


def test_a_published_split_the_curators_no_longer_ask_for_is_exported_with_a_warning(root, tmp_path, monkeypatch,
                                                                                       capsys):  # fmt: skip
    """A newcomer's sweep: a curator changed the recipe (a sample file that does not exist), the re-split failed, and
    `mlecurate export` wrote the old split with no word (exit 0, "warnings": []), while `show` said the last attempt
    failed. The published split is still whole and checked, so it is exported, and each thing is said: the changed
    recipe (with the command that builds it) and the failed split. The recipe is the annotation files' (as
    prepare_competition reads it), not the warehouse's copy, which only the curation job refreshes (a review found
    the warning stale both ways until that job ran)."""
    out = tmp_path / "bench"
    assert _export(root, out).competitions[INSULTS]["warnings"] == []
    store = AnnotationStore(root.annotations)
    recipe = read_recipe_file(PROJECT / "splits" / "recipes" / f"{INSULTS}.yaml").to_document()
    store.update(INSULTS, "alice", {"split_recipe": recipe | {"sample_submission_file": "sampleSubmission.csv"}})
    record_failure(root, INSULTS, SPLIT, "recipe key sample_submission_file: no file 'sampleSubmission.csv'")
    result = _export(root, out)
    assert result.exported == [INSULTS] and result.unchanged == [SPACESHIP]  # the warnings are part of its entry
    created = root.prepared(INSULTS).read_manifest()["created_at"]
    warnings = result.competitions[INSULTS]["warnings"]
    assert warnings[0] == (
        f"the published split ({created}) was built from a split recipe the curators have since changed: this export "
        f"holds it; {partition_command('prepare_competition', INSULTS)}"
    )
    assert warnings[1].startswith("its latest split failed (") and warnings[1].endswith(
        f"): recipe key sample_submission_file: no file 'sampleSubmission.csv'; this export holds the published split "
        f"({created})"
    )
    assert len(warnings) == 2
    assert json.loads((out / "export.json").read_text())["competitions"][INSULTS]["warnings"] == warnings
    monkeypatch.setenv("MLECURATE_HOME", str(root.path))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(root.annotations))
    assert main(["export", str(out)]) == 0
    printed = capsys.readouterr().out
    assert all(f"    warning: {warning}" in printed for warning in warnings)
    # Two curators asking for different recipes: prepare_competition would refuse; so says the export.
    store.update(INSULTS, "bob", {"decision": "include", "split_recipe": recipe | {"seed": 7}})
    assert _export(root, out).competitions[INSULTS]["warnings"][0] == (
        f"the curators' split recipe cannot be used ({INSULTS}: curators alice, bob gave different split recipes; "
        f"agree on one (a curator withdraws theirs with `mlecurate annotate {INSULTS} --curator NAME --clear "
        f"split-recipe`)); this export holds the published split ({created})"
    )
    # A damaged annotation file is named as such, not as a recipe that cannot be used.
    bob = store.path_for(INSULTS, "bob")
    kept = bob.read_text()
    bob.write_text(kept.replace("decision: include", "decision: perhaps"))
    assert _export(root, out).competitions[INSULTS]["warnings"][0] == (
        f"the curators' annotations cannot be read ({bob}: field 'decision': expected one of include, exclude, "
        f"undecided, found 'perhaps'); this export holds the published split ({created})"
    )
    bob.write_text(kept.replace("kind: released_labels", "kind: bogus"))  # a recipe that does not parse: the recipe
    assert (
        _export(root, out)
        .competitions[INSULTS]["warnings"][0]
        .startswith(f"the curators' split recipe cannot be used ({bob}: split recipe key 'kind': ")
    )
    bob.write_text(kept)
    # The recipe back as it was, and a split that succeeded since: nothing to say, with no curation job run.
    store.update(INSULTS, "alice", {"split_recipe": recipe | {"seed": 7}})
    assert _export(root, out).competitions[INSULTS]["warnings"][0].startswith(f"the published split ({created}) was")
    for curator in ("alice", "bob"):
        store.update(INSULTS, curator, {"split_recipe": recipe})
    clear_failure(root, INSULTS, SPLIT)
    assert _export(root, out).competitions[INSULTS]["warnings"] == []
    assert _export(root, out).competitions[SPACESHIP]["warnings"] == []


def test_a_failed_competition_keeps_its_previous_export_and_the_rest_is_usable(root, tmp_path, monkeypatch):
    """A competition whose writing fails mid-way (a full disk, here) keeps its previous export whole; the others are
    written; export.json names the failure; nothing is left in staging."""
    import curation.benchmark_export as export_module

    out = tmp_path / "bench"
    _export(root, out)
    before = _tree(out / "data" / INSULTS) | _tree(out / "competitions" / INSULTS)
    for slug in (INSULTS, SPACESHIP):  # both boards change, so both are due to be written again
        board = read_leaderboard(SHARED / "mle-bench" / "competitions" / slug / "leaderboard.csv")
        record_snapshot(
            root.leaderboards(slug),
            slug,
            Leaderboard(board.teams.head(len(board.teams) // 2), "cut"),
            "mle-bench",
            True,
        )
    real_link = export_module._link_file

    def full_disk(source: Path, target: Path) -> None:
        if INSULTS in str(target) and target.name == "test.csv":
            raise OSError(28, "No space left on device")
        real_link(source, target)

    monkeypatch.setattr(export_module, "_link_file", full_disk)
    result = _export(root, out)
    assert result.exported == [SPACESHIP] and list(result.failed) == [INSULTS]
    assert result.failed[INSULTS] == f"{INSULTS}: writing its export failed: [Errno 28] No space left on device"
    assert _tree(out / "data" / INSULTS) | _tree(out / "competitions" / INSULTS) == before
    assert result.members == [INSULTS, SPACESHIP] and verify_export(out) == {INSULTS: [], SPACESHIP: []}
    index = json.loads((out / "export.json").read_text())
    assert index["failed"] == result.failed and index["competitions"][INSULTS]["leaderboard_teams"] == len(
        read_leaderboard(SHARED / "mle-bench" / "competitions" / INSULTS / "leaderboard.csv").teams
    )
    assert not (out / ".staging").exists()


def test_a_folder_that_is_not_an_export_is_refused_and_left_alone(root, tmp_path, monkeypatch, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(ExportError, match=r"mine: not empty and not an mlecurate export \(no export.json; it holds "
                       r"notes.txt\); export into a new or empty folder$"):  # fmt: skip
        _export(root, mine)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    monkeypatch.setenv("MLECURATE_HOME", str(root.path))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(root.annotations))
    assert main(["export", str(mine)]) == 2
    assert capsys.readouterr().err.startswith(f"mlecurate export: error: {mine}: not empty and not an mlecurate")


def test_the_export_command_lists_what_it_wrote_and_what_it_left_out(root, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MLECURATE_HOME", str(root.path))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(root.annotations))
    out = tmp_path / "bench"
    assert main(["export", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{out}: 2 competition(s) exported (2 written, 0 unchanged), 1 left out, 0 failed"
    assert f"  {SPACESHIP}: medium, accuracy, parity parity" in lines
    assert f"  left out (parity not checked: {partition_command('prepare_competition', TITANIC)}): {TITANIC}" in lines
    assert main(["export", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        f"{out}: 2 competition(s) exported (0 written, 2 unchanged), 1 left out, 0 failed"
    )


def test_the_benchmark_export_asset_materialises_with_its_checks(root):
    from assets.benchmark import benchmark_export
    from assets.resources import StorageResource

    result = dg.materialize(
        [benchmark_export],
        resources={"storage": StorageResource(home=str(root.path), annotations=str(root.annotations))},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    metadata = result.asset_materializations_for_node("benchmark_export")[0].metadata
    assert metadata["competitions"].value == 2 and metadata["left_out"].value == 1
    assert metadata["folder"].value == str(root.path / "export")
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert checks["all_written"].passed and checks["grades_its_answers"].passed
    assert checks["grades_its_answers"].description == (
        "all 2 competition(s) match their checksums and grade their answers as perfect"
    )
    # A tampered answers file (replaced, as an editor saves it) is found by the check.
    answers = root.path / "export" / "data" / INSULTS / "prepared" / "private" / "test.csv"
    text = answers.read_text()
    answers.unlink()
    answers.write_text(text + text.splitlines()[1] + "\n")  # one answer twice
    assert verify_export(root.path / "export")[INSULTS] == [
        f"{INSULTS}: the files of prepared/private do not match checksums.yaml"
    ]


def test_a_file_removed_from_the_export_by_hand_makes_its_competition_due_again(root, tmp_path):
    out = tmp_path / "bench"
    _export(root, out)
    (out / "data" / SPACESHIP / "prepared" / "public" / "train.csv").unlink()
    again = _export(root, out)
    assert again.exported == [SPACESHIP] and again.unchanged == [INSULTS]
    assert verify_export(out) == {INSULTS: [], SPACESHIP: []}


def test_an_export_interrupted_before_its_index_is_taken_up_again(root, tmp_path, monkeypatch):
    """A first export killed before export.json was written leaves a folder that is still recognised as an export
    (its lock file marks it), so the next run completes it rather than refusing the folder."""
    import curation.benchmark_export as export_module

    out = tmp_path / "bench"

    def killed(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(export_module, "_write_index", killed)
    with pytest.raises(KeyboardInterrupt):
        _export(root, out)
    assert not (out / "export.json").exists() and (out / "data" / SPACESHIP).is_dir()
    monkeypatch.undo()
    assert _export(root, out).members == [INSULTS, SPACESHIP]
    assert verify_export(out) == {INSULTS: [], SPACESHIP: []}


def _index(out: Path) -> dict:
    return json.loads((out / "export.json").read_text())


@pytest.mark.parametrize("slug", ["../../victim", "", "a/b"])
def test_an_index_naming_a_path_is_refused_and_nothing_outside_is_touched(root, tmp_path, slug):
    """A hand-edited export.json whose competitions name a path (or nothing) must never lead to a removal."""
    out = tmp_path / "bench"
    _export(root, out)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine")
    index = _index(out)
    index["competitions"][slug] = index["competitions"][SPACESHIP]
    (out / "export.json").write_text(json.dumps(index))
    before = _tree(out)
    with pytest.raises(ExportError, match=r"export.json: not an mlecurate export index \(or a damaged one\)"):
        _export(root, out)
    assert (victim / "keep.txt").read_text() == "mine" and _tree(out) == before


@pytest.mark.parametrize("damage", ["{not json", '{"format": "something-else", "competitions": {}}', "[]"])
def test_a_damaged_or_foreign_index_is_refused_before_anything_is_written(root, tmp_path, damage):
    out = tmp_path / "bench"
    out.mkdir()
    (out / "export.json").write_text(damage)
    with pytest.raises(ExportError, match="export.json: "):
        _export(root, out)
    assert sorted(p.name for p in out.iterdir()) == ["export.json"]  # no lock, no data written


def test_an_export_is_brought_up_to_date_only_from_its_own_data_root(root, tmp_path):
    """A wrong MLECURATE_HOME would make every competition look left out, and so removed: refused instead."""
    out = tmp_path / "bench"
    _export(root, out)
    other = DataRoot(tmp_path / "other-home", root.annotations)
    shutil.copytree(root.path, other.path, symlinks=True)
    before = _tree(out)
    with pytest.raises(ExportError, match=f"exported from the data root {root.path}, not {other.path}"):
        _export(other, out)
    assert _tree(out) == before


def test_a_run_that_would_remove_every_competition_is_refused(root, tmp_path):
    out = tmp_path / "bench"
    _export(root, out)
    for slug in (INSULTS, SPACESHIP):
        root.prepared(slug).parity.unlink()  # as if prepared/ had been moved away
    before = _tree(out)
    with pytest.raises(ExportError, match=r"would remove every competition exported before \(2: "):
        _export(root, out)
    assert _tree(out) == before


def test_a_run_that_would_remove_what_a_flag_exported_names_the_flag(root, tmp_path):
    """Every member exported with --include-drift, run again without it: the refusal names each one's reason, not the
    data root (it is the same)."""
    out = tmp_path / "bench"
    for slug in (INSULTS, SPACESHIP):
        report = root.prepared(slug).parity
        report.write_text(json.dumps(json.loads(report.read_text()) | {"verdict": "drift", "reason": "scores moved"}))
    _export(root, out, include_drift=True)
    before = _tree(out)
    with pytest.raises(ExportError) as refused:
        _export(root, out)
    assert (
        f"would remove every competition exported before (2: {INSULTS}, {SPACESHIP}) and export none ({INSULTS}: "
        "parity verdict drift (--include-drift exports it): scores moved; " in str(refused.value)
    )
    assert "MLECURATE_HOME" not in str(refused.value) and _tree(out) == before


def test_a_failed_swap_puts_the_previous_folders_back(root, tmp_path, monkeypatch):
    """The second of the two moves fails: the first is undone, so data/ and competitions/ stay from one export."""
    out = tmp_path / "bench"
    _export(root, out)
    before = _tree(out / "data" / SPACESHIP) | _tree(out / "competitions" / SPACESHIP)
    board = read_leaderboard(SHARED / "mle-bench" / "competitions" / SPACESHIP / "leaderboard.csv")
    record_snapshot(root.leaderboards(SPACESHIP), SPACESHIP, Leaderboard(board.teams.head(99), "cut"), "mle-bench",
                    True)  # fmt: skip
    real_rename = Path.rename

    def rename(self, target):
        if self.name == "competition" and self.parent.name == SPACESHIP:
            raise OSError(5, "Input/output error")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    result = _export(root, out)
    monkeypatch.undo()
    assert list(result.failed) == [SPACESHIP] and result.kept == [SPACESHIP]
    assert _tree(out / "data" / SPACESHIP) | _tree(out / "competitions" / SPACESHIP) == before
    assert verify_export(out) == {INSULTS: [], SPACESHIP: []}


def test_a_sample_name_that_is_another_public_file_is_refused(root, tmp_path):
    manifest = root.prepared(SPACESHIP).manifest
    document = json.loads(manifest.read_text())
    document["recipe"]["sample_submission_name"] = "test.csv"
    manifest.write_text(json.dumps(document))
    result = _export(root, tmp_path / "bench")
    assert result.failed == {SPACESHIP: f"{SPACESHIP}: the sample submission's name in the export, 'test.csv' (split "
                             "recipe key sample_submission_name or sample_submission_file), is the name of another "
                             "public file; give another one"}  # fmt: skip
    assert result.members == [INSULTS]


def test_an_export_folder_under_a_file_is_one_clear_error(root, tmp_path, monkeypatch, capsys):
    (tmp_path / "afile").write_text("x")
    monkeypatch.setenv("MLECURATE_HOME", str(root.path))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(root.annotations))
    assert main(["export", str(tmp_path / "afile")]) == 2
    assert capsys.readouterr().err.endswith(
        f"error: Invalid value for 'DIR': Directory '{tmp_path / 'afile'}' is a file.\n"
    )
    with pytest.raises(ExportError, match="afile: a file, not a folder; export into a new or empty folder"):
        _export(root, tmp_path / "afile")
    assert main(["export", str(tmp_path / "afile" / "x")]) == 2
    assert capsys.readouterr().err.startswith(f"mlecurate export: error: {tmp_path / 'afile' / 'x'}: cannot create")


def test_a_split_warning_that_failed_is_shown_and_carried_into_the_export(root, tmp_path, monkeypatch, capsys):
    """A newcomer's run: binary_files_without_test_ids failed ("train00.tfrec holds 119 of the 240 new test ids ...
    every answer leaks") and neither `mlecurate show`, `curated` nor the export said a word (export.json's warnings
    were []); a curator working from the command line saw it only in the manifest."""
    from curation.stage_status import competition_stages

    manifest = root.prepared(SPACESHIP).manifest
    document = json.loads(manifest.read_text())
    found = "tfrecords/train00.tfrec holds 119 of the 240 new test ids ('0001_01', ...): ... every answer leaks"
    document["checks"]["binary_files_without_test_ids"] = {"passed": False, "found": found, "metadata": {}}
    manifest.write_text(json.dumps(document))
    stages = competition_stages(SPACESHIP, root)
    assert stages.split.endswith("; 1 warning(s): binary_files_without_test_ids)")
    assert stages.split_warnings == (f"binary_files_without_test_ids: {found}",)
    assert competition_stages(INSULTS, root).split_warnings == ()
    # Sweep 172: such a split was exported all the same; it is left out unless the curator vouches for the files.
    left = _export(root, tmp_path / "bench")
    assert SPACESHIP not in left.members and left.left_out[SPACESHIP] == (
        "its split's warning check binary_files_without_test_ids failed, so its public files may hold the new test "
        f"rows' answers: {found} (--include-binary-ids {SPACESHIP} exports it, once you know the files hold no labels)"
    )
    assert SPACESHIP not in _export(root, tmp_path / "bench", include_binary_ids=(INSULTS,)).members  # by slug
    result = _export(root, tmp_path / "bench", include_binary_ids=(SPACESHIP,))
    assert f"its split's warning check binary_files_without_test_ids: {found}" in result.competitions[SPACESHIP][
        "warnings"]  # fmt: skip
    assert json.loads((tmp_path / "bench" / "export.json").read_text())["options"]["include_binary_ids"] == [SPACESHIP]
    monkeypatch.setenv("MLECURATE_HOME", str(root.path))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(root.annotations))
    assert main(["show", SPACESHIP]) == 0
    assert f"split warning: binary_files_without_test_ids: {found}" in capsys.readouterr().out
    assert main(["export", str(tmp_path / "cli")]) == 0
    captured = capsys.readouterr()
    line = next(x for x in captured.out.splitlines() if "binary_files_without_test_ids" in x)
    assert line.startswith("  left out (its split's warning check binary_files_without_test_ids failed, so its ")
    assert line.endswith(f"): {SPACESHIP}")
    assert main(["export", str(tmp_path / "cli"), "--include-binary-ids", "spaceship-titanik"]) == 0
    assert "warning: --include-binary-ids spaceship-titanik: not a curated competition" in capsys.readouterr().err


@pytest.mark.parametrize("checks", [[{"passed": False}], "damaged", None])
def test_split_warnings_of_a_manifest_whose_checks_cannot_be_read_are_none_and_hide_nothing_else(root, checks):
    """A review: a manifest whose checks were not a mapping stopped `curated` and `show` for every member."""
    from curation.stage_status import competition_stages

    manifest = root.prepared(SPACESHIP).manifest
    document = json.loads(manifest.read_text())
    document["checks"] = checks
    manifest.write_text(json.dumps(document))
    stages = competition_stages(SPACESHIP, root)
    assert stages.split_warnings == () and stages.split.startswith("published (train ")
    assert SPACESHIP in _export(root, root.path / "bench").members  # review 176: the export crashed for every one


def test_a_metric_ranked_against_its_snapshot_is_left_out(root):
    """Review 176: osic's MAE standing in for a log likelihood, a board ranked higher first, was exported once parity
    stopped failing on it; MLE-bench reads a board's direction from its first and last rows, so its medals would go
    to the worst scores."""
    manifest = root.prepared(INSULTS).manifest
    document = json.loads(manifest.read_text())
    document["recipe"]["metric"] = document["metric"] = "rmse"  # lower is better; the snapshot is AUC's
    manifest.write_text(json.dumps(document))
    result = _export(root, root.path / "bench")
    assert INSULTS not in result.members and result.left_out[INSULTS].startswith(
        "its leaderboard snapshot is ranked the other way from its metric, so its medal thresholds say nothing ("
    )
    assert result.left_out[INSULTS].endswith("): check the recipe's metric")


def test_show_prints_the_current_leaderboard_snapshot_and_a_damaged_history(root, monkeypatch, capsys):
    """A newcomer's run (review 154): after refresh_leaderboards, `mlecurate show` of a generated competition said
    `teams: -` and nothing of the board its medals come from."""
    monkeypatch.setenv("MLECURATE_HOME", str(root.path))
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(root.annotations))
    record = current_board_and_record(root.leaderboards(SPACESHIP))[0]
    assert main(["show", SPACESHIP]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("leaderboard:"))
    assert line.strip() == (
        f"leaderboard: snapshot {record.snapshot_id} (mle-bench, {record.at}): {record.teams:,} teams; thresholds gold "
        f"{record.gold:g}, silver {record.silver:g}, bronze {record.bronze:g}, median {record.median:g} (higher is "
        "better)"
    )
    root.leaderboards(SPACESHIP).history.write_text("{not json\n")
    assert main(["show", SPACESHIP]) == 0
    assert "leaderboard: cannot be read: " in capsys.readouterr().out


def test_a_recipe_naming_test_csv_is_the_same_recipe_as_one_leaving_it_to_the_default():
    """Review 200: a recipe naming test.csv keeps the key in its document now; a split published before kept none, and
    the export warned that the curators had changed the recipe."""
    from curation.benchmark_export import _as_compared

    recipe = {"kind": "random", "target_columns": ["y"], "id_column": "id"}
    assert _as_compared(recipe | {"test_file": "test.csv"}) == _as_compared(recipe)
    assert _as_compared(recipe | {"test_file": "other.csv"}) != _as_compared(recipe)
