"""Parity evidence on the real shared competitions: the figures in the README.

    python bench/parity_evidence.py

For every competition in ../shared/data/competitions, build the new split from its recipe (splits/recipes/), then
report (a) the sample submission and the baseline on the new test set with bootstrap 95% intervals, (b) on the
original test set where labels exist, (c) how well a classifier tells the original and new test sets apart, and
(d) the sample submission's rank on MLE-bench's real leaderboard. detecting-insults-in-social-commentary is split as
a 10% random test set from its train set, so that (b) compares it with Kaggle's released, labelled test set.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from splits.layout import prepare_competition  # noqa: E402
from validation.data_root import PreparedFolder  # noqa: E402
from validation.leaderboard import read_leaderboard  # noqa: E402
from validation.parity import parity_report  # noqa: E402
from validation.parity_inputs import load_parity_inputs  # noqa: E402
from validation.split_recipe import parse_recipe  # noqa: E402
from validation.yaml_files import read_yaml_file  # noqa: E402

SHARED = PROJECT.parent / "shared" / "data"
INSULTS_RANDOM = {
    "kind": "random", "target_columns": ["Insult"], "test_fraction": 0.1, "metric": "auc",
    "sample_submission_file": "sample_submission_null.csv", "original_answers_file": "test_with_solutions.csv",
}  # fmt: skip


def main() -> None:
    out = Path(tempfile.mkdtemp(prefix="mlecurate-parity-"))
    print("| competition | metric | submission | test set | rows | score [95% interval] | verdict |")
    print("|---|---|---|---|---|---|---|")
    notes = []
    for recipe_file in sorted((PROJECT / "splits" / "recipes").glob("*.yaml")):
        slug = recipe_file.stem
        document = read_yaml_file(recipe_file, "split recipe")  # the one strict reader, as annotate's
        if slug == "detecting-insults-in-social-commentary":
            document = INSULTS_RANDOM
        recipe = parse_recipe(document, slug)
        raw = SHARED / "competitions" / slug
        prepared = PreparedFolder(prepare_competition(slug, recipe, raw, out, "").folder)
        board_file = SHARED / "mle-bench" / "competitions" / slug / "leaderboard.csv"
        board = read_leaderboard(board_file) if board_file.is_file() else None
        report = parity_report(load_parity_inputs(prepared, raw, recipe.to_document(), recipe.metric, board))
        for row in report.rows:
            submission = row["submission"] + (f" ({row['target']})" if row.get("target") else "")
            print(f"| {slug} | {recipe.metric} | {submission} | {row['test_set']} | {row['rows']:,} | "
                  f"{_score(row)} | {report.verdict} |")  # fmt: skip
        place = "no leaderboard" if board is None else (
            f"sample ranks {report.sample_rank:,} of {board.team_count:,}, {'MEDAL' if report.sample_medal else 'no medal'}"
        )  # fmt: skip
        notes.append(f"- {slug}: adversarial AUC {report.adversarial_auc}; {place}; {report.reason}")
    print()
    print("\n".join(notes))
    shutil.rmtree(out, ignore_errors=True)


def _score(row: dict) -> str:
    """``0.1234 [0.1000, 0.1500]``; a score without an interval (Kaggle's) alone; an undefined one as ``-``."""
    if row["score"] is None:
        return "-"
    interval = f" [{row['low']:.4f}, {row['high']:.4f}]" if row.get("low") is not None else ""
    return f"{row['score']:.4f}{interval}"


if __name__ == "__main__":
    main()
