"""The ``generate-competition`` command: a made-up competition of any metric's task, laid out as a Kaggle mirror.

>>> mlecurate generate-competition mirror --metric mean_columnwise_rmsle --targets 2 --labelled-test
>>> mlecurate generate-competition mirror --metric auc --kind group --format json --text-ids

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
from curation.sources.competition_shapes import FORMATS, INNER_ARCHIVES, ROW_FILE_TYPES, SUBMISSION_FORMATS, Shape
from curation.sources.demo_data import TRAIN_ROWS, generated_competition
from validation.data_root import SlugError, slug_folder, write_atomic
from validation.metrics import METRICS
from validation.split_recipe import KINDS, parse_recipe

RECIPE_FILE = "recipe.yaml"
LABELLED_KEYS = ("original_answers_file", "answers_file")  # where the recipe names the labelled test set
LEADERBOARD_FILE = "leaderboard.csv"
ROW_FILES = "row_files"
LISTING = "train_listing"
SUBMISSION = "submission_columns"
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
              help="target columns, for a metric of several (default 3; kl_divergence: 2 or more); others have one")  # fmt: skip
@click.option("--labelled-test", is_flag=True,
              help="also ship the original test set with its labels (test_with_solutions.csv, named in the recipe as "
                   "original_answers_file): parity is then judged on them")  # fmt: skip
@click.option("--kind", type=click.Choice(KINDS),
              help="the split recipe's kind (default: stratified for a class target, else random; stratified also "
                   "takes several 0/1 targets, by their combination); group adds a user column, temporal a date "
                   "column, released_labels needs --labelled-test")  # fmt: skip
@click.option(
    "--format",
    "data_format",
    type=click.Choice(FORMATS),
    default="csv",
    show_default=True,
    help="the data files' format (train, test, the labelled test set; tsv: tab-separated); the sample submission "
    "stays CSV",
)
@click.option("--gzip", "gzipped", is_flag=True, help="gzip the data files (train.csv.gz), as Kaggle ships some")
@click.option(
    "--inner-archive",
    type=click.Choice(INNER_ARCHIVES),
    help="pack each data file in an archive of its own inside the zip (train.csv.7z), as Kaggle ships some; the "
    "download extracts it in place",
)
@click.option(
    "--no-id",
    "no_id",
    is_flag=True,
    help="no id column anywhere (rows matched by their content) and no sample submission",
)
@click.option("--text-ids", is_flag=True, help="ids as text (r00012) instead of numbers")
@click.option(
    "--sample-name",
    metavar="NAME",
    help="the sample submission's name as the competition ships it (e.g. sampleSubmission.csv)",
)
@click.option(
    "--row-files",
    type=click.Choice(ROW_FILE_TYPES),
    help="one small file per row, as image competitions ship them: train/<id>.png per train row, test/<id>.png per "
    "original test row, and row_files: train/{id}.png in the recipe",
)
@click.option(
    "--filed-by-label",
    is_flag=True,
    help="with --row-files: no train or test table, as plant-seedlings ships its images: each train row's file is "
    "filed under its label (train/<label>/<id>.png) and the recipe lists them (train_listing); one class target, a "
    "random or stratified split; parity is unknown there (the original test set is files alone, no features), "
    "unless --labelled-test ships them",
)
@click.option(
    "--submission-format",
    type=click.Choice(SUBMISSION_FORMATS),
    help="the submission's columns are not the train file's, named in the recipe's submission_columns: renamed "
    "(Id, Predicted for id and the target) or composite (the id replaced by batch and item columns; the sample's id "
    "is {batch}_{item})",
)
@click.option(
    "--train-name",
    metavar="NAME",
    default="train",
    show_default=True,
    help="the train table's name without its suffix, as the competition ships it (train_labels, as seti and "
    "histopathologic do; labels, as dog-breed does); the split publishes it under that name",
)
@click.option(
    "--no-test-table",
    is_flag=True,
    help="with --row-files: no test table, as image competitions often ship their test set (test/<id>.png and the "
    "sample submission are all of it; the recipe says test_file: null); parity is unknown there (no original test "
    "features), unless --labelled-test ships them",
)
@click.option("--slug", help="the competition's slug (default: generated-<metric>)")
@click.option("--rows", type=click.IntRange(40), default=TRAIN_ROWS, show_default=True, metavar="N",
              help="rows in train.csv; the original test set has 5/12 as many (at least 20); parity's classifier "
              "needs 10 rows in each test set, so below about 100 rows (a tenth is the new test set) parity is "
              "unknown")  # fmt: skip
def generate_competition(
    directory: Path, metric: str, targets: int | None, labelled_test: bool, kind: str | None, data_format: str,
    gzipped: bool, inner_archive: str | None, no_id: bool, text_ids: bool, sample_name: str | None,
    row_files: str | None, filed_by_label: bool, submission_format: str | None, train_name: str, no_test_table: bool,
    slug: str | None, rows: int,
) -> None:  # fmt: skip
    """Write a made-up competition graded by METRIC into DIR/<slug>/, laid out as a Kaggle mirror: <slug>.zip
    (train, test, sample_submission.csv; with --labelled-test also test_with_solutions), leaderboard.csv (100
    teams, MLE-bench's format) and recipe.yaml (a split recipe that works for it). --kind, --format, --gzip,
    --inner-archive, --no-id, --text-ids, --sample-name, --row-files, --filed-by-label, --submission-format,
    --train-name and --no-test-table give it the shape of a real competition's files. The same slug and options always
    give the same bytes. Then annotate it with --allow-unknown (it is in no Meta Kaggle dump) and run its partition
    with MLECURATE_KAGGLE_MIRROR=DIR.

    \b
    Example:
      mlecurate generate-competition mirror --metric mean_columnwise_rmsle --targets 2 --labelled-test
      mlecurate generate-competition mirror --metric rmse --kind temporal --format parquet --slug sales-by-day
      mlecurate generate-competition mirror --metric accuracy --format tsv --inner-archive 7z --slug reviews
      mlecurate generate-competition mirror --metric auc --row-files png --slug cactus-like
      mlecurate generate-competition mirror --metric accuracy --row-files png --filed-by-label --slug seedlings-like
      mlecurate generate-competition mirror --metric accuracy --submission-format composite --slug tokens
      mlecurate generate-competition mirror --metric auc --row-files png --train-name train_labels --no-test-table
      mlecurate annotate generated-mean-columnwise-rmsle --curator alice --decision include \\
          --split-recipe mirror/generated-mean-columnwise-rmsle/recipe.yaml --allow-unknown
    """
    slug = slug or f"generated-{metric.replace('_', '-')}"
    try:
        folder = slug_folder(directory, slug)
    except SlugError as error:
        raise click.BadParameter(str(error), param_hint="--slug") from error
    try:
        shape = Shape(kind, data_format, has_id=not no_id, text_ids=text_ids, sample_name=sample_name,
                      gzip=gzipped, inner_archive=inner_archive, row_files=row_files,
                      submission_format=submission_format, filed_by_label=filed_by_label, train_name=train_name,
                      test_table=not no_test_table)  # fmt: skip
        competition = generated_competition(
            slug, metric, targets=targets, labelled_test=labelled_test, train_rows=rows, shape=shape
        )
    except ValueError as error:
        raise CommandError(str(error)) from error
    recipe = parse_recipe(competition.recipe, where=f"the generated recipe of {slug}").to_document()
    write_atomic(folder / f"{slug}.zip", competition.archive)
    write_atomic(folder / LEADERBOARD_FILE, competition.leaderboard)
    write_atomic(folder / RECIPE_FILE, RECIPE_HEADER.format(slug=slug) + yaml.safe_dump(recipe, sort_keys=False))
    with zipfile.ZipFile(BytesIO(competition.archive)) as bundle:
        files = _listing(bundle.namelist())
    teams = competition.leaderboard.count(b"\n") - 1
    click.echo(f"{folder / f'{slug}.zip'}: {files}\n{folder / LEADERBOARD_FILE}: {teams} teams, {metric} "
               f"({'higher' if METRICS[metric].higher_is_better else 'lower'} is better)\n"
               f"{folder / RECIPE_FILE}: {recipe['kind']} split, targets {', '.join(recipe['target_columns'])}"
               f"{''.join(f', {key} {recipe[key]}' for key in LABELLED_KEYS if key in recipe)}"
               f"{f', row_files {recipe[ROW_FILES]}' if ROW_FILES in recipe else ''}"
               f"{f', train_listing {recipe[LISTING]}' if LISTING in recipe else ''}"
               f"{f', submission_columns {_mapping(recipe[SUBMISSION])}' if SUBMISSION in recipe else ''}\n"
               f"next: mlecurate annotate {slug} --curator NAME --decision include "
               f"--split-recipe {folder / RECIPE_FILE} --allow-unknown\n"
               f"      then run its partition with MLECURATE_KAGGLE_MIRROR={directory} (README: Try a "
               "competition of any kind)")  # fmt: skip


def _mapping(columns: dict) -> str:
    """``submission_columns`` as ``Id <- id, Predicted <- target``."""
    return ", ".join(f"{name} <- {source}" for name, source in columns.items())


def _listing(names: list[str]) -> str:
    """The zip's files, a folder's as one entry with its count (``train/ (1,200 files)``)."""
    folders: dict[str, int] = {}
    shown = []
    for name in names:
        folder = name.split("/", 1)[0] + "/" if "/" in name else None
        if folder is None:
            shown.append(name)
        elif folder not in folders:
            folders[folder] = 0
            shown.append(folder)
        if folder:
            folders[folder] += 1
    return ", ".join(f"{n} ({folders[n]:,} files)" if n in folders else n for n in shown)
