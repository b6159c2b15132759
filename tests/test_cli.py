"""The mlecurate command line: each command, its errors, and that every command is documented."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from curation.annotations import AnnotationStore
from curation.cli import build_parser, main
from curation.paths import annotations_dir
from curation.warehouse import Warehouse
from tests.conftest import MLEBENCH_CATEGORIES, PROJECT

COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)


@pytest.fixture
def built(home, real_competitions):
    """A warehouse holding the real March 2024 competitions and their screening."""
    from curation.candidate_rules import CandidateRules, screen_competitions

    Warehouse(home / "warehouse.duckdb").replace_tables({
        "meta_kaggle.competitions": real_competitions.table,
        "curation.candidates": screen_competitions(real_competitions.table, CandidateRules()).candidates,
    })  # fmt: skip
    return home


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    help_text = capsys.readouterr().out
    assert len(help_text.splitlines()) > 3
    assert f"mlecurate {command}" in (PROJECT / "README.md").read_text(), f"README does not document {command}"


def test_every_option_has_help_text():
    for name, sub in build_parser()._subparsers._group_actions[0].choices.items():
        for action in sub._actions:
            assert action.help, f"mlecurate {name} {action.dest} has no help text"


def test_annotate_then_show(built, capsys):
    assert main(["annotate", "spooky-author-identification", "--curator", "alice", "--complexity", "low",
                 "--category", "Text Classification", "--decision", "include", "--reason", "clean text"]) == 0  # fmt: skip
    assert (annotations_dir() / "spooky-author-identification" / "alice.yaml").is_file()
    capsys.readouterr()
    assert main(["show", "spooky-author-identification"]) == 0
    out = capsys.readouterr().out
    assert "Spooky Author Identification" in out and "candidate: yes" in out
    assert "alice" in out and "decision include - clean text" in out
    assert "consolidated: decision include; complexity low (agreed)" in out


def test_annotate_unknown_slug_suggests_close_ones(built, capsys):
    assert main(["annotate", "spooky-author-identificaton", "--curator", "alice", "--decision", "include"]) == 2
    err = capsys.readouterr().err
    assert (
        "unknown competition 'spooky-author-identificaton'" in err
        and "did you mean spooky-author-identification" in err
    )
    assert not (annotations_dir() / "spooky-author-identificaton").exists()
    assert main(["annotate", "brand-new-2026", "--curator", "alice", "--decision", "include", "--allow-unknown"]) == 0


def test_annotate_needs_something_to_record(built, capsys):
    assert main(["annotate", "titanic", "--curator", "alice"]) == 2
    assert "nothing to record" in capsys.readouterr().err


def test_annotate_rejects_bad_choice(built, capsys):
    with pytest.raises(SystemExit):
        main(["annotate", "spooky-author-identification", "--curator", "alice", "--complexity", "huge"])
    assert "invalid choice: 'huge'" in capsys.readouterr().err


def test_queue_orders_by_teams_and_reports_progress(built, capsys):
    main(["import-mlebench", str(MLEBENCH_CATEGORIES)])
    capsys.readouterr()
    assert main(["queue", "--limit", "5"]) == 0
    out = capsys.readouterr().out
    progress = re.search(r"progress: ([\d,]+) / ([\d,]+) candidates annotated", out)
    annotated, total = (int(g.replace(",", "")) for g in progress.groups())
    assert 0 < annotated < total
    assert "more (use --limit)" in out

    assert main(["queue", "--limit", "50", "--format", "csv"]) == 0
    listed = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(listed) == 50
    assert listed["teams"].is_monotonic_decreasing
    assert listed["curators"].eq(0).all()
    assert not set(listed["slug"]) & {"spooky-author-identification", "leaf-classification"}  # already annotated


def test_queue_without_a_warehouse_says_what_to_run(home, capsys):
    assert main(["queue"]) == 2
    assert "materialise" in capsys.readouterr().err


def test_show_unknown(built, capsys):
    assert main(["show", "no-such-competition"]) == 2
    assert "nothing known about 'no-such-competition'" in capsys.readouterr().err


def test_import_mlebench_reports_counts(home, capsys):
    assert main(["import-mlebench", str(MLEBENCH_CATEGORIES)]) == 0
    assert (
        "imported 75 MLE-bench annotations as curator mle-bench (22 low, 38 medium, 15 high)" in capsys.readouterr().out
    )


def test_import_mlebench_missing_file(home, capsys):
    assert main(["import-mlebench", "/nonexistent.csv"]) == 2
    assert "/nonexistent.csv: no such file" in capsys.readouterr().err


def test_annotate_with_a_split_recipe_stores_its_canonical_form(built, tmp_path, capsys):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(
        "kind: stratified\nid_column: id\ntarget_columns: author\nsample_submission_file: sample_submission.csv\n"
    )
    assert main(["annotate", "spooky-author-identification", "--curator", "alice", "--split-recipe", str(recipe)]) == 0
    stored = AnnotationStore(annotations_dir()).get("spooky-author-identification", "alice").split_recipe
    assert stored == {"kind": "stratified", "target_columns": ["author"], "id_column": "id",
                      "sample_submission_file": "sample_submission.csv"}  # fmt: skip


def test_annotate_with_a_bad_split_recipe_names_the_key_and_writes_nothing(built, tmp_path, capsys):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("kind: random\ntarget_columns: [author]\ntest_fraction: 2\n")
    assert main(["annotate", "spooky-author-identification", "--curator", "alice", "--split-recipe", str(recipe)]) == 2
    assert f"{recipe}: split recipe key 'test_fraction'" in capsys.readouterr().err
    assert not (annotations_dir() / "spooky-author-identification").exists()
    assert (
        main(["annotate", "spooky-author-identification", "--curator", "alice", "--split-recipe", "/no/such.yaml"]) == 2
    )
    assert "/no/such.yaml: cannot read the split recipe" in capsys.readouterr().err
