"""The mlecurate command line: each command's output, exit codes and errors (documentation: test_cli_help.py)."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest

from curation.annotations import AnnotationStore
from curation.cli import main
from curation.settings import Settings
from curation.warehouse import Warehouse
from tests.conftest import MLEBENCH_CATEGORIES, SHARED
from validation.data_root import CANDIDATES, COMPETITIONS, CURATED, DataRoot

SPOOKY = "spooky-author-identification"


@pytest.fixture
def root(home) -> DataRoot:
    """The data root and annotation store the commands use (from the environment the home fixture set)."""
    return Settings.from_environment().data_root()


@pytest.fixture
def store(root) -> AnnotationStore:
    return AnnotationStore(root.annotations)


@pytest.fixture
def built(root, real_competitions):
    """A warehouse holding the real March 2024 competitions and their screening."""
    from curation.candidate_rules import CandidateRules, screen_competitions

    Warehouse(root.warehouse).replace_tables({
        COMPETITIONS: real_competitions.table,
        CANDIDATES: screen_competitions(real_competitions.table, CandidateRules()).candidates,
    })  # fmt: skip
    return root


@pytest.fixture
def curated(built, store):
    """The built warehouse plus MLE-bench's annotations consolidated into curation.curated."""
    from curation.curated import annotations_frame, consolidate

    assert main(["import-mlebench", str(MLEBENCH_CATEGORIES)]) == 0
    warehouse = Warehouse(built.warehouse)
    result = consolidate(annotations_frame(store.all()), warehouse.read_table(CANDIDATES))
    warehouse.replace_tables({CURATED: result.curated})
    return built


def _write_download(root: DataRoot, slug: str, status: str, **fields) -> None:
    raw = root.raw(slug)
    raw.path.mkdir(parents=True)
    raw.record.write_text(json.dumps({"slug": slug, "status": status, "source": "kaggle",
                                      "at": "2026-11-30T10:00:00+00:00", **fields}))  # fmt: skip


def test_annotate_then_show(built, store, capsys):
    assert main(["annotate", SPOOKY, "--curator", "alice", "--complexity", "low", "--category", "Text Classification",
                 "--decision", "include", "--reason", "clean text"]) == 0  # fmt: skip
    assert store.path_for(SPOOKY, "alice").is_file()
    assert capsys.readouterr().out == (
        f"{SPOOKY} by alice: decision include, complexity low, category Text Classification "
        f"({store.path_for(SPOOKY, 'alice')})\n"
    )
    assert main(["show", SPOOKY]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# {SPOOKY}\n                 title: Spooky Author Identification\n")
    assert "                 teams: 1,241\n" in out and "             candidate: yes\n" in out
    assert "           graded with: multiclass_log_loss (Meta Kaggle's name)\n" in out  # Multiclass Loss
    assert f"                   url: https://www.kaggle.com/competitions/{SPOOKY}\n" in out
    assert "\n## annotations (1)\n- alice (" in out and "decision include - clean text" in out
    assert out.endswith("\nconsolidated: decision include; complexity low (agreed); category Text Classification "
                        "(agreed)\n")  # fmt: skip


def test_annotate_keeps_the_fields_not_given(built, store):
    assert main(["annotate", SPOOKY, "--curator", "alice", "--complexity", "low", "--decision", "include"]) == 0
    assert main(["annotate", SPOOKY, "--curator", "alice", "--note", "check the license"]) == 0
    annotation = store.get(SPOOKY, "alice")
    assert (annotation.complexity, annotation.decision, annotation.note) == ("low", "include", "check the license")


def test_annotate_mends_a_file_without_a_decision_as_its_error_says(built, store, capsys):
    path = store.path_for(SPOOKY, "alice")
    path.parent.mkdir(parents=True)
    path.write_text(f"slug: {SPOOKY}\ncurator: alice\ncomplexity: low\n")  # written by hand, no decision
    assert main(["show", SPOOKY]) == 2
    err = capsys.readouterr().err
    assert f"{path}: field 'decision' is missing" in err
    assert f"or run: mlecurate annotate {SPOOKY} --curator alice --decision <decision>" in err
    assert main(["annotate", SPOOKY, "--curator", "alice", "--decision", "include"]) == 0
    assert (store.get(SPOOKY, "alice").decision, store.get(SPOOKY, "alice").complexity) == ("include", "low")


def test_annotate_keeps_a_hand_edited_files_comments_and_says_when_some_go(built, store, capsys, monkeypatch):
    """The header invites editing by hand; a curator's comments were dropped by the next annotate without a word."""
    assert main(["annotate", SPOOKY, "--curator", "alice", "--decision", "include"]) == 0
    path = store.path_for(SPOOKY, "alice")
    text = path.read_text().replace("decision: include", "decision: include  # agreed with bob")
    path.write_text(text + "# check the licence before the export\n")
    capsys.readouterr()
    assert main(["annotate", SPOOKY, "--curator", "alice", "--complexity", "low"]) == 0
    assert capsys.readouterr().err == ""
    kept = path.read_text()
    assert "decision: include  # agreed with bob\n" in kept and kept.endswith("# check the licence before the export\n")
    assert store.get(SPOOKY, "alice").complexity == "low"
    from curation import annotations

    monkeypatch.setattr(annotations, "_edited_in_place", lambda text, document: "not: [the fields")
    assert main(["annotate", SPOOKY, "--curator", "alice", "--complexity", "medium"]) == 0
    assert capsys.readouterr().err == (
        f"warning: {path} held 2 comment(s) of your own, and 2 could not be kept (one inside a replaced split recipe "
        "goes with it; a file that cannot be edited in place is rewritten from its fields): write such notes in "
        "--note, or see them in git\n"
    )
    assert store.get(SPOOKY, "alice").complexity == "medium"
    assert main(["annotate", SPOOKY, "--curator", "alice", "--complexity", "high"]) == 0
    assert capsys.readouterr().err == ""  # mlecurate's own header is no comment of yours


def test_annotate_unknown_slug_suggests_close_ones(built, store, capsys):
    assert main(["annotate", "spooky-author-identificaton", "--curator", "alice", "--decision", "include"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mlecurate annotate: error: unknown competition 'spooky-author-identificaton'")
    assert f"did you mean {SPOOKY}, dog-breed-identification, swiss-dialect-identification?" in err
    assert not (store.root / "spooky-author-identificaton").exists()
    assert main(["annotate", "brand-new-2026", "--curator", "alice", "--decision", "include", "--allow-unknown"]) == 0


def test_annotate_unknown_slug_explains_both_reasons_a_dump_lacks_it(built, store, capsys):
    """titanic is older than the dump, which leaves out always-open Getting Started competitions: not "newer"."""
    assert main(["annotate", "titanic", "--curator", "alice", "--decision", "include"]) == 2
    err = capsys.readouterr().err
    assert "unknown competition 'titanic'" in err and "did you mean" in err and "newer than" not in err
    assert "use --allow-unknown for a competition this Meta Kaggle dump does not have" in err
    assert "launched after it, or left out of it, like some Getting Started competitions" in err
    assert not (store.root / "titanic").exists()
    assert main(["annotate", "titanic", "--curator", "alice", "--decision", "include", "--allow-unknown"]) == 0
    # Admitted once: its next annotations (a fixed recipe, a second curator) need no flag again.
    assert main(["annotate", "titanic", "--curator", "alice", "--note", "recipe fixed"]) == 0
    assert main(["annotate", "titanic", "--curator", "bob", "--decision", "include"]) == 0
    assert (store.get("titanic", "alice").note, store.get("titanic", "bob").decision) == ("recipe fixed", "include")


def test_annotate_warns_of_a_misspelt_slug_recorded_before_the_dump_was_loaded(
    home, store, root, capsys, real_competitions
):
    """Sweep 172: a typo annotated before the first curation run was only warned about, and every later annotation
    of it passed unchecked (a slug with annotations was taken for an --allow-unknown one)."""
    typo = "histopathologic-cancer-detektion"
    assert main(["annotate", typo, "--curator", "carol", "--decision", "include"]) == 0
    assert "cannot check that" in capsys.readouterr().err
    from tests.conftest import screened_warehouse

    screened_warehouse(root, real_competitions)
    assert main(["annotate", typo, "--curator", "carol", "--note", "tif images"]) == 0
    assert capsys.readouterr().err == (
        f"warning: {typo!r} is not in meta_kaggle.competitions and reads almost as histopathologic-cancer-detection: "
        f"a misspelt slug annotated before? (its annotations are in {store.root / typo}; a competition the dump "
        "lacks is right as it is)\n"
    )
    assert store.get(typo, "carol").note == "tif images"  # recorded all the same


def test_annotate_without_a_warehouse_warns_and_records(home, store, capsys):
    assert main(["annotate", "titanic", "--curator", "alice", "--decision", "include"]) == 0
    assert "warning: cannot check that 'titanic' is a competition" in capsys.readouterr().err
    assert store.get("titanic", "alice").decision == "include"


def test_annotate_refuses_the_name_mlebenchs_import_writes_under(built, store, capsys):
    """The workbench's check of a name (curation.annotations.validate_curator_name), before anything is read."""
    assert main(["annotate", SPOOKY, "--curator", "MLE-bench", "--decision", "exclude"]) == 2
    assert capsys.readouterr().err == (
        "mlecurate annotate: error: curator 'MLE-bench' is reserved: `mlecurate import-mlebench` writes its "
        "annotations under 'mle-bench'; annotate under your own name\n"
    )
    assert not (store.root / SPOOKY).exists()


def test_annotate_needs_something_to_record(built, capsys):
    assert main(["annotate", "titanic", "--curator", "alice"]) == 2
    assert "mlecurate annotate: error: nothing to record" in capsys.readouterr().err


@pytest.mark.parametrize("args, expected", [
    (["annotate", SPOOKY, "--curator", "alice", "--complexity", "huge"],
     "mlecurate annotate: error: Invalid value for '--complexity': 'huge' is not one of 'low', 'medium', 'high'."),
    (["annotate", SPOOKY, "--decision", "include"], "mlecurate annotate: error: Missing option '--curator'."),
    (["queue", "--limit", "many"], "mlecurate queue: error: Invalid value for '--limit': 'many' is not a valid integer range."),
    (["frobnicate"], "mlecurate: error: No such command 'frobnicate'."),
])  # fmt: skip
def test_a_usage_error_shows_the_usage_and_one_error_line(home, args, expected, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("Usage: mlecurate") and err.endswith(expected + "\n")


def test_no_command_prints_the_help_and_fails(capsys):
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Usage: mlecurate [OPTIONS] COMMAND") and "annotate" in err


def test_a_bad_setting_names_the_variable(home, monkeypatch, capsys):
    monkeypatch.setenv("MLECURATE_LEADERBOARD_MAX_AGE_DAYS", "soon")
    assert main(["queue"]) == 2
    assert capsys.readouterr().err == (
        "mlecurate queue: error: MLECURATE_LEADERBOARD_MAX_AGE_DAYS='soon': expected a number of days\n"
    )


def test_queue_orders_by_teams_and_reports_progress(built, capsys):
    main(["import-mlebench", str(MLEBENCH_CATEGORIES)])
    capsys.readouterr()
    assert main(["queue", "--limit", "5", "--min-curators", "1"]) == 0
    out = capsys.readouterr().out
    progress = re.search(r"progress: ([\d,]+) of ([\d,]+) done \(\d+%\): decided alike by 1 curator", out)
    annotated, total = (int(g.replace(",", "")) for g in progress.groups())
    assert (annotated, total) == (75, 382)  # MLE-bench's 75; the 363 candidates and 19 of its that are not
    assert "under review: 363 candidates and 19 annotated competitions that are not (17 excluded by a rule, " in out
    assert out.splitlines()[2].split() == ["slug", "segment", "metric", "teams", "launched", "deadline", "reward",
                                           "curators", "status", "screening", "suggested"]  # fmt: skip
    assert len(out.splitlines()) == 2 + 1 + 5 + 1 and "more (use --limit)" in out.splitlines()[-1]

    assert main(["queue", "--limit", "50", "--format", "csv", "--min-curators", "1"]) == 0
    captured = capsys.readouterr()
    listed = pd.read_csv(io.StringIO(captured.out))  # stdout is only the table; progress goes to stderr
    assert len(listed) == 50 and "progress:" in captured.err and "more (use --limit)" in captured.err
    assert listed["teams"].is_monotonic_decreasing
    assert listed["curators"].eq(0).all()
    assert not set(listed["slug"]) & {SPOOKY, "leaf-classification"}  # already annotated

    # By default two curators decide each (as the workbench): MLE-bench's alone need a second, first.
    assert main(["queue", "--limit", "400", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert "progress: 0 of 382 done (0%): decided alike by 2 curator(s)" in captured.err
    waiting = pd.read_csv(io.StringIO(captured.out), keep_default_na=False)
    assert len(waiting) == 382 and set(waiting["status"][:75]) == {"second"} and SPOOKY in set(waiting["slug"][:75])
    custom = waiting.set_index("slug").loc["smartphone-decimeter-2022"]
    assert (custom["screening"], custom["status"]) == ("rule known_metric", "second")


def test_queue_with_every_candidate_annotated_lists_none(built, capsys):
    main(["import-mlebench", str(MLEBENCH_CATEGORIES)])
    capsys.readouterr()
    assert main(["queue", "--min-curators", "0"]) == 0
    assert capsys.readouterr().out.startswith("progress: 382 of 382 done (100%): decided alike by 0 curator(s)")


def test_queue_lists_downloads_waiting_for_the_rules(built, root, capsys):
    _write_download(
        root, "titanic", "needs_rules_acceptance", rules_url="https://www.kaggle.com/competitions/titanic/rules"
    )
    assert main(["queue", "--limit", "1"]) == 0
    assert capsys.readouterr().out.startswith(
        "needs rules acceptance (1): accept each competition's rules on Kaggle, then re-run competition_raw\n"
        "  titanic: https://www.kaggle.com/competitions/titanic/rules\nprogress: "
    )


def test_queue_as_csv_keeps_the_rules_blocked_off_stdout(built, root, capsys):
    _write_download(
        root, "titanic", "needs_rules_acceptance", rules_url="https://www.kaggle.com/competitions/titanic/rules"
    )
    assert main(["queue", "--limit", "3", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert len(pd.read_csv(io.StringIO(captured.out))) == 3
    assert captured.err.startswith("needs rules acceptance (1)")


def test_queue_without_a_warehouse_says_what_to_run(home, capsys):
    assert main(["queue"]) == 2
    assert "materialise" in capsys.readouterr().err


def test_show_unknown(built, capsys):
    assert main(["show", "no-such-competition"]) == 2
    assert capsys.readouterr().err == (
        "mlecurate show: error: nothing known about 'no-such-competition': not in meta_kaggle.competitions and no "
        "annotations\n"
    )


def test_show_an_excluded_competition_with_its_download(built, root, capsys):
    _write_download(root, "amex-default-prediction", "failed", message="HTTPError: 500")
    assert main(["show", "amex-default-prediction"]) == 0
    out = capsys.readouterr().out
    assert ("\n             candidate: no: known_metric (metric Amex Custom Gini And X% Percentage Capture is not in the metric registry)\n"
            in out)  # fmt: skip
    assert "\n                  data: failed (kaggle, 2026-11-30T10:00:00+00:00): HTTPError: 500\n" in out
    assert ("\n           graded with: none: Meta Kaggle's 'Amex Custom Gini And X% Percentage Capture' is not a metric mlecurate grades; name "
            "one in the split recipe's `metric` (`mlecurate metrics` lists them)\n") in out  # fmt: skip
    assert out.endswith("\n## annotations (0)\n")


def test_show_an_annotated_competition_the_dump_does_not_have(home, store, capsys):
    store.update("brand-new-2026", "alice", {"decision": "include", "note": "launched last week"})
    assert main(["show", "brand-new-2026"]) == 0
    out = capsys.readouterr().out
    assert "Meta Kaggle: not in this dump (or the warehouse is not built yet)\n" in out
    assert "; note: launched last week" in out
    assert "           graded with: none: Meta Kaggle names no metric; name one in the split recipe's `metric`" in out
    assert "leaderboard: no snapshot: dagster job execute -m pipelines -j refresh_leaderboards --tags " in out
    assert out.endswith("consolidated: decision include; complexity - (missing); category - (missing)\n")


def test_show_says_which_metric_grades_and_where_it_comes_from(built, root, store, capsys):
    """The published split's recipe (what `grade` takes), else the curators' recipe, else Meta Kaggle's name: the
    metric Meta Kaggle names (spooky's Multiclass Loss) is not always the one submissions are scored with."""
    store.update(SPOOKY, "alice", {"decision": "include", "split_recipe": {"kind": "random", "target_columns": ["author"],
                                                                        "metric": "accuracy"}})  # fmt: skip
    assert main(["show", SPOOKY]) == 0
    assert "           graded with: accuracy (the curators' split recipe)\n" in capsys.readouterr().out
    manifest = root.prepared(SPOOKY).manifest
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"slug": SPOOKY, "recipe": {"kind": "random", "target_columns": ["author"],
                                                               "metric": "f1_macro"}}))  # fmt: skip
    assert main(["show", SPOOKY]) == 0
    assert "           graded with: f1_macro (the published split's recipe)\n" in capsys.readouterr().out


def test_show_names_the_metric_the_curators_recipe_adds_and_its_failed_split(home, root, store, capsys):
    """A sweep's jigsaw-unintended-bias: the published split had no metric, the curators' recipe then named auc and
    its split failed; show said "name one in the split recipe's metric", which they had done."""
    from curation.stage_status import SPLIT, partition_command, record_failure

    slug = "brand-new-2026"
    store.update(slug, "alice", {"decision": "include", "split_recipe": {"kind": "random", "target_columns": ["y"],
                                                                       "metric": "auc"}})  # fmt: skip
    manifest = root.prepared(slug).manifest
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"slug": slug, "recipe": {"kind": "random", "target_columns": ["y"]},
                                    "rows": {"train": 9, "test": 1}}))  # fmt: skip
    record_failure(root, slug, SPLIT, "UngradableAnswers: auc needs answers that are labels 0 or 1")
    assert main(["show", slug]) == 0
    assert (
        "           graded with: none: Meta Kaggle names no metric; the curators' split recipe names auc, which the "
        f"published split's does not: {partition_command('prepare_competition', slug)} (its latest split failed: "
        "UngradableAnswers: auc needs answers that are labels 0 or 1)\n"
    ) in capsys.readouterr().out


def test_show_prints_what_decided_the_parity_verdict(home, root, store, capsys):
    store.update("brand-new-2026", "alice", {"decision": "include"})
    reason = ("no original labels; a classifier tells the original and new test sets apart with AUC 0.865 (0.5: "
              "indistinguishable; drift above 0.6 when test sets drawn alike reach it with p at most 0.05); p 0.010")  # fmt: skip
    report = root.prepared("brand-new-2026").parity
    report.parent.mkdir(parents=True)
    report.write_text(json.dumps({"slug": "brand-new-2026", "verdict": "drift", "reason": reason}))
    assert main(["show", "brand-new-2026"]) == 0
    assert f"\n                parity: drift\n         parity reason: {reason}\n" in capsys.readouterr().out


def test_import_mlebench_reports_counts(home, store, capsys):
    assert main(["import-mlebench", str(MLEBENCH_CATEGORIES)]) == 0
    assert capsys.readouterr().out == (
        f"imported 75 MLE-bench annotations as curator mle-bench (22 low, 38 medium, 15 high) into {store.root}\n"
    )


def test_import_mlebench_missing_file(home, capsys):
    assert main(["import-mlebench", "/nonexistent.csv"]) == 2
    assert "mlecurate import-mlebench: error: /nonexistent.csv: no such file" in capsys.readouterr().err


def test_demo_annotations(home, store, capsys):
    assert main(["demo-annotations"]) == 0
    written = store.all()
    assert capsys.readouterr().out == f"wrote {len(written)} demo annotations by ada, grace into {store.root}\n"
    assert {a.curator for a in written} == {"ada", "grace"}


def test_annotate_with_a_split_recipe_stores_its_canonical_form(built, store, tmp_path):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(
        "kind: stratified\nid_column: id\ntarget_columns: author\nsample_submission_file: sample_submission.csv\n"
    )
    assert main(["annotate", SPOOKY, "--curator", "alice", "--split-recipe", str(recipe)]) == 0
    assert store.get(SPOOKY, "alice").split_recipe == {"kind": "stratified", "target_columns": ["author"],
                                                       "id_column": "id",
                                                       "sample_submission_file": "sample_submission.csv"}  # fmt: skip


def test_annotate_warns_when_no_metric_would_grade_the_split(built, store, tmp_path, capsys):
    """A sweep's jigsaw-unintended-bias: a recipe without a metric, Meta Kaggle's 'Jigsaw Bias AUC' unknown here; it
    was recorded without a word, and the split published what nothing could grade until the export said so."""
    recipe = tmp_path / "recipe.yaml"
    amex = "amex-default-prediction"
    recipe.write_text("kind: random\nid_column: id\ntarget_columns: target\n")
    assert main(["annotate", amex, "--curator", "alice", "--split-recipe", str(recipe)]) == 0
    assert capsys.readouterr().err == (
        f"warning: the split recipe of {amex} names no metric, and Meta Kaggle's 'Amex Custom Gini And X% Percentage Capture' is not a "
        "metric mlecurate grades: its split will be published, but neither parity, `mlecurate grade` nor the export "
        "can grade it; add `metric` to the recipe (`mlecurate metrics` lists them)\n"
    )
    assert store.get(amex, "alice").split_recipe["kind"] == "random"  # recorded all the same
    assert main(["annotate", SPOOKY, "--curator", "alice", "--split-recipe", str(recipe)]) == 0
    assert capsys.readouterr().err == ""  # Meta Kaggle's Multiclass Loss grades it
    recipe.write_text("kind: random\ntarget_columns: y\n")
    assert (
        main(["annotate", "brand-new-2026", "--curator", "alice", "--split-recipe", str(recipe), "--allow-unknown"])
        == 0
    )
    assert capsys.readouterr().err == (
        "warning: the split recipe of brand-new-2026 names no metric, and Meta Kaggle names no metric: its split will "
        "be published, but neither parity, `mlecurate grade` nor the export can grade it; add `metric` to the recipe "
        "(`mlecurate metrics` lists them)\n"
    )
    recipe.write_text("kind: random\ntarget_columns: y\nmetric: rmse\n")
    assert main(["annotate", "brand-new-2026", "--curator", "alice", "--split-recipe", str(recipe)]) == 0
    assert capsys.readouterr().err == ""
    recipe.write_text("kind: random\ntarget_columns: y\n")  # excluded: never split, nothing to warn of
    assert main(["annotate", amex, "--curator", "bob", "--decision", "exclude", "--split-recipe", str(recipe)]) == 0
    assert capsys.readouterr().err == ""


def test_annotate_warns_when_kaggles_metric_does_not_give_its_beta_or_depth(built, store, tmp_path, capsys):
    """Sweep 189: icdm-2015-drawbridge's F-Score Beta (Micro) is F0.5; a recipe without a metric was recorded without
    a word, to be graded at F2 (mean_f2, the name's default). The same for MAP@{K} (h-and-m's 12)."""
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("kind: random\nid_column: device_id\ntarget_columns: cookie_id\n")
    icdm = "icdm-2015-drawbridge-cross-device-connections"
    assert main(["annotate", icdm, "--curator", "alice", "--split-recipe", str(recipe)]) == 0
    assert capsys.readouterr().err == (
        f"warning: {icdm}: the recipe sets no metric: Meta Kaggle's F-Score Beta (Micro) does not give beta, and "
        "mean_f2 grades at beta=2; name the competition's beta in the recipe's metric (mean_f0_5, mean_f1, mean_f2)\n"
    )
    assert main(["show", icdm]) == 0  # a newcomer saw metric_is_kaggles only in the export's warnings
    assert (
        "metric warning: the recipe sets no metric: Meta Kaggle's F-Score Beta (Micro) does not give beta"
        in capsys.readouterr().out
    )
    recipe.write_text("kind: random\nid_column: device_id\ntarget_columns: cookie_id\nmetric: mean_f0_5\n")
    assert main(["annotate", icdm, "--curator", "alice", "--split-recipe", str(recipe)]) == 0
    assert capsys.readouterr().err == ""
    assert main(["show", icdm]) == 0
    assert "metric warning" not in capsys.readouterr().out


def test_annotate_without_meta_kaggle_does_not_say_it_names_no_metric(home, store, tmp_path, capsys):
    """A review: with no Meta Kaggle table loaded, annotate warned that Meta Kaggle names no metric for titanic,
    whose metric it has; the warning that the table is missing is the one that holds."""
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("kind: random\ntarget_columns: Survived\n")
    assert main(["annotate", "titanic", "--curator", "alice", "--split-recipe", str(recipe)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: cannot check that 'titanic' is a competition: ") and "names no metric" not in err


def test_annotate_clears_a_field_and_withdraws_a_recipe(built, store, tmp_path, capsys):
    """A sweep: a curator could not withdraw a split recipe from the command line (the workbench could, by emptying
    the text area); --clear empties a field and keeps the others."""
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("kind: random\nid_column: id\ntarget_columns: author\n")
    assert main(["annotate", SPOOKY, "--curator", "alice", "--decision", "include", "--note", "check the license",
                 "--complexity", "low", "--split-recipe", str(recipe)]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["annotate", SPOOKY, "--curator", "alice", "--clear", "split-recipe", "--clear", "note"]) == 0
    assert capsys.readouterr().err == ""  # no warning about a recipe that is gone
    annotation = store.get(SPOOKY, "alice")
    assert (annotation.split_recipe, annotation.note) == (None, None)
    assert (annotation.decision, annotation.complexity) == ("include", "low")
    assert "split_recipe" not in store.path_for(SPOOKY, "alice").read_text().replace("split_recipe: null", "")
    assert main(["annotate", SPOOKY, "--curator", "alice", "--clear", "note", "--note", "x"]) == 2
    assert "--clear note and --note both given" in capsys.readouterr().err
    assert store.get(SPOOKY, "alice").note is None
    assert main(["annotate", SPOOKY, "--curator", "alice", "--clear", "decision"]) == 2
    assert "'decision' is not one of" in capsys.readouterr().err
    assert main(["annotate", SPOOKY, "--curator", "alice", "--clear", "note", "--clear", "note"]) == 0  # review 177
    assert main(["annotate", SPOOKY, "--curator", "bob", "--clear", "note"]) == 2  # no annotation to clear: none made
    assert "nothing to clear: bob has no annotation of spooky-author-identification" in capsys.readouterr().err
    assert store.get(SPOOKY, "bob") is None


def test_annotate_with_a_bad_split_recipe_names_the_key_and_writes_nothing(built, store, tmp_path, capsys):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("kind: random\ntarget_columns: [author]\ntest_fraction: 2\n")
    assert main(["annotate", SPOOKY, "--curator", "alice", "--split-recipe", str(recipe)]) == 2
    assert f"mlecurate annotate: error: {recipe}: split recipe key 'test_fraction'" in capsys.readouterr().err
    assert not (store.root / SPOOKY).exists()
    assert main(["annotate", SPOOKY, "--curator", "alice", "--split-recipe", "/no/such.yaml"]) == 2
    assert "/no/such.yaml: cannot read the split recipe" in capsys.readouterr().err
    recipe.write_text("kind: [random\n")
    assert main(["annotate", SPOOKY, "--curator", "alice", "--split-recipe", str(recipe)]) == 2
    assert f"{recipe}: not valid YAML" in capsys.readouterr().err


def test_curated_lists_members_with_each_stage(curated, capsys):
    _write_download(curated, SPOOKY, "downloaded", zip_bytes=1, zip_sha256="0" * 64, files=["train.csv"])
    prepared = curated.prepared(SPOOKY)
    prepared.path.mkdir(parents=True)
    prepared.manifest.write_text(json.dumps({"rows": {"original": 19579, "train": 17621, "test": 1958}}))
    prepared.parity.write_text(json.dumps({"verdict": "parity"}))
    _write_download(curated, "leaf-classification", "failed", message="HTTPError: 500")
    assert main(["curated"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["slug", "complexity", "category", "data", "split", "parity", "facts", "overrides"]
    assert len(lines) == 1 + 75
    spooky = next(line for line in lines if line.split()[0] == SPOOKY)
    assert re.search(r" low +Text Classification +downloaded +published \(train 17,621, test 1,958\) +parity +meta kaggle",
                     spooky)  # fmt: skip
    assert "failed: HTTPError: 500" in next(line for line in lines if line.split()[0] == "leaf-classification")
    assert next(line for line in lines if line.split()[0] == "AI4Code").split()[-9:] == [
        "not", "run", "not", "run", "not", "run", "meta", "kaggle", "known_metric",
    ]  # fmt: skip
    lmsys = next(line for line in lines if line.split()[0] == "lmsys-chatbot-arena")
    assert lmsys.rstrip().endswith("not run  annotation")  # outside the dump: a member, no facts but the annotation
    assert main(["curated", "--slugs"]) == 0
    slugs = capsys.readouterr().out.splitlines()
    assert len(slugs) == 75 and SPOOKY in slugs and "lmsys-chatbot-arena" in slugs
    # `make demo` takes the first few without a pipe (`| head` can end the writer with a BrokenPipeError).
    assert main(["curated", "--slugs", "--limit", "3"]) == 0
    assert capsys.readouterr().out.splitlines() == slugs[:3]
    assert main(["curated", "--limit", "2"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1 + 2
    assert main(["curated", "--slugs", "--limit", "0"]) == 0
    assert capsys.readouterr().out == ""


def test_a_member_outside_the_dump_in_show_curated_and_queue(built, store, capsys):
    """Issue 9, finding 2: titanic (left out of the dump) annotated with --allow-unknown is a member, shown as such."""
    from curation.curated import curate, load_annotations
    from tests.conftest import PROJECT

    recipe = str(PROJECT / "splits" / "recipes" / "titanic.yaml")
    args = ["--curator", "alice", "--decision", "include", "--split-recipe", recipe, "--allow-unknown"]
    assert main(["annotate", "titanic", *args]) == 0
    assert main(["annotate", "brand-new-2026", "--curator", "alice", "--note", "launched last week",
                 "--allow-unknown"]) == 0  # fmt: skip
    warehouse = Warehouse(built.warehouse)
    load_annotations(store, warehouse)
    assert curate(warehouse).members == 1
    record = built.stage_failure("titanic", "split")
    record.parent.mkdir(parents=True)
    record.write_text(json.dumps({"slug": "titanic", "stage": "split", "at": "2026-11-30T10:00:00+00:00",
                                  "error": "titanic: recipe key train_file: no file 'train.cvs'"}))  # fmt: skip
    capsys.readouterr()

    assert main(["show", "titanic"]) == 0
    out = capsys.readouterr().out
    assert "Meta Kaggle: not in this dump; a curated member, facts from split recipe\n" in out
    assert "\n                metric: accuracy\n" in out and "\n                 title: -\n" in out
    assert "\n      higher is better: True\n" in out  # known from the recipe's metric
    assert "\n                  data: not run\n" in out
    assert "\n                 split: failed: titanic: recipe key train_file: no file 'train.cvs'\n" in out
    assert "\n                parity: not run\n" in out
    assert "consolidated: decision include" in out

    assert main(["curated"]) == 0
    titanic = capsys.readouterr().out.splitlines()[1]
    assert titanic.split()[0] == "titanic" and "failed: titanic: recipe key train_file" in titanic
    assert titanic.rstrip().endswith("split recipe")

    assert main(["queue", "--limit", "400", "--format", "csv"]) == 0
    listed = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False).set_index("slug")
    assert listed.loc[["titanic", "brand-new-2026"], ["screening", "status", "teams", "metric"]].values.tolist() == [
        ["outside dump", "second", "", ""], ["outside dump", "undecided", "", ""]]  # fmt: skip


def test_curated_without_the_table_says_what_to_run(built, capsys):
    assert main(["curated"]) == 2
    assert "materialise the asset curated_competitions first" in capsys.readouterr().err


def test_summary_counts_every_table_and_the_members_by_complexity(curated, capsys):
    assert main(["summary"]) == 0
    assert capsys.readouterr().out == (
        f"warehouse {curated.warehouse}\n"
        "  curation.candidates                 5,669 rows\n"
        "  curation.curated                       75 rows\n"
        "  meta_kaggle.competitions            5,669 rows\n"
        "curated by complexity: 15 high, 22 low, 38 medium\n"
    )


def test_summary_without_a_warehouse_says_what_to_run(home, capsys):
    assert main(["summary"]) == 2
    assert "the warehouse does not exist yet (materialise the assets first)" in capsys.readouterr().err


def test_import_leaderboards_records_snapshots_then_unchanged(root, tmp_path, capsys):
    for slug in ("spooky-author-identification", "leaf-classification"):
        board = tmp_path / "boards" / slug / "leaderboard.csv"
        board.parent.mkdir(parents=True)
        board.write_bytes((SHARED / "mle-bench" / "competitions" / slug / "leaderboard.csv").read_bytes())
    assert main(["import-leaderboards", str(tmp_path / "boards")]) == 0
    first = capsys.readouterr().out.splitlines()
    assert first[0] == f"imported 2 MLE-bench leaderboards into {root.leaderboards_root}: 2 new"
    # no Meta Kaggle row and no prepared split here: the boards' own order decided their direction, and it says so
    assert first[1].startswith("2 board(s) with no known metric direction") and first[1].endswith(
        "leaf-classification, spooky-author-identification"
    )
    assert first[2] == (  # no warehouse here yet: what to do to get Meta Kaggle's directions
        "Meta Kaggle is not in the warehouse yet: run the curation job (or materialise meta_kaggle_competitions), "
        "then import again to take its directions"
    )
    assert main(["import-leaderboards", str(tmp_path / "boards")]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith(": 2 unchanged")


def test_import_leaderboards_from_an_empty_folder(home, tmp_path, capsys):
    assert main(["import-leaderboards", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"mlecurate import-leaderboards: error: {tmp_path}: no <slug>/leaderboard.csv inside (MLE-bench's "
        "competitions folder)\n"
    )


@pytest.fixture
def prepared_manifest(root):
    """A prepared split's manifest only: enough for grade to resolve the metric (the submission is missing)."""

    def write(slug: str, recipe: dict) -> None:
        prepared = root.prepared(slug)
        prepared.path.mkdir(parents=True)
        prepared.manifest.write_text(json.dumps({"slug": slug, "recipe": recipe}))

    return write


def test_grade_exits_1_for_an_invalid_submission(prepared_manifest, tmp_path, capsys):
    prepared_manifest("titanic", {"kind": "random", "metric": "accuracy"})
    output = tmp_path / "report.json"
    assert main(["grade", "titanic", str(tmp_path / "missing.csv"), "--output", str(output)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["metric"] == "accuracy" and not report["valid_submission"] and not report["submission_exists"]
    assert json.loads(output.read_text()) == report
    assert report["notes"] == [  # a newcomer read gold_medal: false and nothing said why
        "no leaderboard snapshot of titanic, so no medal thresholds, medals or rank: dagster job execute -m pipelines "
        """-j refresh_leaderboards --tags '{"dagster/partition": "titanic"}', or give --leaderboard"""
    ]


def test_grade_metric_comes_from_the_override_then_the_recipe(prepared_manifest, tmp_path, capsys):
    prepared_manifest("titanic", {"kind": "random", "metric": "accuracy"})
    assert main(["grade", "titanic", str(tmp_path / "missing.csv"), "--metric", "f1_macro"]) == 1
    assert json.loads(capsys.readouterr().out)["metric"] == "f1_macro"
    assert main(["grade", "titanic", str(tmp_path / "missing.csv"), "--metric", "nope"]) == 2
    assert capsys.readouterr().err.startswith(
        "mlecurate grade: error: titanic: metric override 'nope' is not a metric mlecurate grades (known: accuracy, "
    )


def test_grade_names_the_metric_meta_kaggle_gives_when_mlecurate_cannot_grade_it(built, prepared_manifest, tmp_path,
                                                                                 capsys):  # fmt: skip
    """AI4Code's metric is Kaggle's own AI4CodeKendallTau: the message said Meta Kaggle names none."""
    prepared_manifest("AI4Code", {"kind": "random"})
    assert main(["grade", "AI4Code", str(tmp_path / "missing.csv")]) == 2
    assert "AI4Code: no metric mlecurate can grade (Meta Kaggle names 'AI4CodeKendallTau'); give --metric" in (
        capsys.readouterr().err
    )


def test_grade_without_a_metric_says_how_to_give_one(prepared_manifest, tmp_path, capsys):
    prepared_manifest("titanic", {"kind": "random"})
    assert main(["grade", "titanic", str(tmp_path / "missing.csv")]) == 2
    assert "titanic: no metric mlecurate can grade (Meta Kaggle names none); give --metric, one of accuracy" in (
        capsys.readouterr().err
    )


def test_grade_an_unprepared_competition(home, tmp_path, capsys):
    assert main(["grade", "titanic", str(tmp_path / "missing.csv")]) == 2
    assert "titanic: no prepared split at" in capsys.readouterr().err


def test_a_reader_that_stops_early_ends_the_output_quietly(monkeypatch):
    """`mlecurate queue --limit 300 | head -1` ended in a BrokenPipeError traceback; now it ends quietly, exit 0."""
    import os
    import sys

    import curation.cli as cli

    def closed_pipe(argv):
        raise BrokenPipeError(32, "Broken pipe")

    saved = os.dup(sys.stdout.fileno())
    monkeypatch.setattr(cli, "_run", closed_pipe)
    try:
        assert cli.main(["queue"]) == 0
    finally:
        os.dup2(saved, sys.stdout.fileno())
        os.close(saved)
