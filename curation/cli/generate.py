"""The ``generate-competition`` command: a made-up competition of any metric's task, laid out as a Kaggle mirror.

>>> mlecurate generate-competition mirror --metric mean_columnwise_rmsle --targets 2 --labelled-test

writes ``mirror/<slug>/<slug>.zip`` (the files a Kaggle download would have), ``mirror/<slug>/leaderboard.csv`` (a
private leaderboard in MLE-bench's format, in the metric's direction) and ``mirror/<slug>/recipe.yaml`` (a split
recipe that works for it). The data come from ``curation.sources.demo_data``; nothing in them is real.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import click
import yaml

from curation.cli.options import CommandError
from curation.sources.demo_data import TRAIN_ROWS, generated_competition
from validation.data_root import SlugError, slug_folder, write_atomic
from validation.metrics import METRICS
from validation.split_recipe import parse_recipe

RECIPE_FILE = "recipe.yaml"
LEADERBOARD_FILE = "leaderboard.csv"
RECIPE_HEADER = (
    "# A split recipe for {slug}, written by `mlecurate generate-competition` (see README: Split recipes).\n"
)


@click.command(
    "generate-competition",
    short_help="write a made-up competition of any metric (data zip, leaderboard, split recipe) into a mirror folder",
)
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
                help="the mirror folder (MLECURATE_KAGGLE_MIRROR); the competition goes to DIR/<slug>/")  # fmt: skip
@click.option("--metric", required=True, type=click.Choice(sorted(METRICS)),
              help="the registry metric that grades it; its task shapes the data")  # fmt: skip
@click.option("--targets", type=click.IntRange(1, 50), metavar="N",
              help="target columns, for a column-wise metric (default 3); other metrics have one")  # fmt: skip
@click.option("--labelled-test", is_flag=True,
              help="also ship the original test set with its labels (test_with_solutions.csv, named in the recipe as "
                   "original_answers_file): parity is then judged on them")  # fmt: skip
@click.option("--slug", help="the competition's slug (default: generated-<metric>)")
@click.option("--rows", type=click.IntRange(40), default=TRAIN_ROWS, show_default=True, metavar="N",
              help="rows in train.csv; the original test set has 5/12 as many")  # fmt: skip
def generate_competition(
    directory: Path, metric: str, targets: int | None, labelled_test: bool, slug: str | None, rows: int
) -> None:
    """Write a made-up competition graded by METRIC into DIR/<slug>/, laid out as a Kaggle mirror: <slug>.zip
    (train.csv, test.csv, sample_submission.csv; with --labelled-test also test_with_solutions.csv),
    leaderboard.csv (100 teams, MLE-bench's format) and recipe.yaml (a split recipe that works for it). The same
    slug and options always give the same bytes. Then annotate it with --allow-unknown (it is in no Meta Kaggle
    dump) and run its partition with MLECURATE_KAGGLE_MIRROR=DIR.

    \b
    Example:
      mlecurate generate-competition mirror --metric mean_columnwise_rmsle --targets 2 --labelled-test
      mlecurate annotate generated-mean-columnwise-rmsle --curator alice --decision include \\
          --split-recipe mirror/generated-mean-columnwise-rmsle/recipe.yaml --allow-unknown
    """
    slug = slug or f"generated-{metric.replace('_', '-')}"
    try:
        folder = slug_folder(directory, slug)
    except SlugError as error:
        raise click.BadParameter(str(error), param_hint="--slug") from error
    try:
        competition = generated_competition(slug, metric, targets=targets, labelled_test=labelled_test, train_rows=rows)
    except ValueError as error:
        raise CommandError(str(error)) from error
    recipe = parse_recipe(competition.recipe, where=f"the generated recipe of {slug}").to_document()
    write_atomic(folder / f"{slug}.zip", competition.archive)
    write_atomic(folder / LEADERBOARD_FILE, competition.leaderboard)
    write_atomic(folder / RECIPE_FILE, RECIPE_HEADER.format(slug=slug) + yaml.safe_dump(recipe, sort_keys=False))
    with zipfile.ZipFile(BytesIO(competition.archive)) as bundle:
        files = ", ".join(bundle.namelist())
    teams = competition.leaderboard.count(b"\n") - 1
    click.echo(f"{folder / f'{slug}.zip'}: {files}\n{folder / LEADERBOARD_FILE}: {teams} teams, {metric} "
               f"({'higher' if METRICS[metric].higher_is_better else 'lower'} is better)\n"
               f"{folder / RECIPE_FILE}: targets {', '.join(recipe['target_columns'])}"
               f"{', original_answers_file ' + recipe['original_answers_file'] if labelled_test else ''}\n"
               f"next: mlecurate annotate {slug} --curator NAME --decision include "
               f"--split-recipe {folder / RECIPE_FILE} --allow-unknown\n"
               f"      then run its partition with MLECURATE_KAGGLE_MIRROR={directory} (README: Try a "
               "competition of any kind)")  # fmt: skip
