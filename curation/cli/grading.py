"""The ``grade`` command: a submission against a prepared competition's answers, as MLE-bench reports it."""

from __future__ import annotations

from pathlib import Path

import click

from curation.cli.options import CommandError, Curation, pass_curation, slug_argument
from curation.mirror import Part
from curation.submission_grading import GradingUnavailable, grade_prepared
from validation.data_root import write_atomic

INVALID_SUBMISSION = 1  # the exit code for a submission that could not be graded


@click.command(
    "grade", short_help="grade a submission against a prepared competition's answers (MLE-bench's report fields)"
)
@slug_argument(help="the prepared competition")
@click.argument("submission", metavar="SUBMISSION.csv", type=click.Path(path_type=Path), help="the submission to grade")
@click.option(
    "--metric",
    help="override the metric (default: the recipe's, else Meta Kaggle's); the answers are checked for it first, "
    "and a metric the leaderboard snapshot's scores are not of gets no medals (give --leaderboard)",
)
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
    root = curation.root
    try:
        with curation.synced(reads=[Part(root.prepared(slug).path), Part(root.leaderboards(slug).path)]):
            report = grade_prepared(slug, submission, root, curation.warehouse, metric, leaderboard)
    except GradingUnavailable as error:
        raise CommandError(str(error)) from error
    text = report.to_json()
    if output:
        write_atomic(output, text + "\n")
    click.echo(text)
    return 0 if report.valid_submission else INVALID_SUBMISSION
