"""The ``grade`` command: a submission against a prepared competition's answers, as MLE-bench reports it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from curation.cli.options import CommandError, Curation, pass_curation, slug_argument
from curation.leaderboard_history import current_board
from validation.data_root import write_atomic
from validation.grading import grade_submission
from validation.leaderboard import read_leaderboard
from validation.metrics import METRICS, UnknownMetricError, resolve_metric

INVALID_SUBMISSION = 1  # the exit code for a submission that could not be graded


@click.command(
    "grade", short_help="grade a submission against a prepared competition's answers (MLE-bench's report fields)"
)
@slug_argument(help="the prepared competition")
@click.argument("submission", metavar="SUBMISSION.csv", type=click.Path(path_type=Path), help="the submission to grade")
@click.option("--metric", help="override the metric (default: the recipe's, else Meta Kaggle's)")
@click.option(
    "--leaderboard",
    metavar="CSV",
    type=click.Path(path_type=Path),
    help="a private leaderboard: MLE-bench's leaderboard.csv or Kaggle's download (default: the current snapshot, if any)",
)
@click.option(
    "--output", metavar="REPORT.json", type=click.Path(path_type=Path), help="also write the report to this file"
)
@pass_curation
def grade(curation: Curation, slug: str, submission: Path, metric: str | None, leaderboard: Path | None,
          output: Path | None) -> int:  # fmt: skip
    """Validate SUBMISSION.csv against the answers of SLUG's prepared split, score it, and print a JSON report:
    score, medal thresholds and medals (from the leaderboard), rank, percentile, valid_submission and one message
    per problem. Exits 1 when the submission is invalid.

    \b
    Example:
      mlecurate grade spooky-author-identification submission.csv \\
          --leaderboard ../shared/data/mle-bench/competitions/spooky-author-identification/leaderboard.csv
    """
    prepared = curation.root.prepared(slug)
    if not prepared.manifest.is_file():
        raise CommandError(f"{slug}: no prepared split at {prepared.path}; materialise competition_split for it first")
    recipe = json.loads(prepared.manifest.read_text())["recipe"]
    meta_kaggle_metric = curation.warehouse.competition(slug).get("evaluation_algorithm_name")
    try:
        resolved = resolve_metric(metric, recipe, meta_kaggle_metric)
    except UnknownMetricError as error:
        raise CommandError(f"{slug}: {error}") from error
    if resolved is None:
        raise CommandError(
            f"{slug}: no metric mlecurate can grade (Meta Kaggle names none); give --metric, one of "
            f"{', '.join(sorted(METRICS))}"
        )
    board = read_leaderboard(leaderboard) if leaderboard else current_board(curation.root.leaderboards(slug))
    report = grade_submission(submission, prepared.path, resolved, board, competition_id=slug)
    text = report.to_json()
    if output:
        write_atomic(output, text + "\n")
    click.echo(text)
    return 0 if report.valid_submission else INVALID_SUBMISSION
