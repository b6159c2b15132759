"""``mlecurate``: the curators' command line, a thin layer over functions that live with their concept.

>>> mlecurate annotate spooky-author-identification --curator alice --complexity low --decision include

One module per command group: ``annotations`` (annotate, import-mlebench, demo-annotations), ``review`` (queue, show,
curated, summary), ``grading`` (grade), ``metrics`` (metrics), ``leaderboards`` (import-leaderboards), ``export`` (export), ``serve`` (serve:
the curators' workbench, ``curation.workbench``); ``options`` holds what they share.
Settings come from the environment (``curation.settings``); annotations go to ``$MLECURATE_ANNOTATIONS`` (default
``$MLECURATE_HOME/annotations``) and facts come from the warehouse the Dagster assets build.

Like ``pipelines``, this package only wires: each command calls functions that live with their concept.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from curation.annotations import AnnotationError
from curation.benchmark_export import ExportError
from curation.cli.annotations import annotate, demo_annotations_command, import_mlebench
from curation.cli.descriptions import import_descriptions_command
from curation.cli.export import export
from curation.cli.generate import generate_competition
from curation.cli.grading import grade
from curation.cli.leaderboards import import_leaderboards
from curation.cli.metrics import metrics
from curation.cli.options import CommandError
from curation.cli.review import curated, queue, show, summary
from curation.cli.serve import serve
from curation.competition_profile import UnknownCompetitionError
from curation.curated import SplitRecipeChoiceError
from curation.settings import SettingsError
from curation.sources import SourceError
from curation.warehouse import MissingTableError, WarehouseError
from validation.data_root import DataRootFileError, SlugError
from validation.leaderboard import LeaderboardError
from validation.object_root import ObjectRootError
from validation.split_recipe import RecipeError

PROGRAM = "mlecurate"
ERROR = 2  # the exit code for a command that could not do what was asked (and for a usage error)
# Failures a curator can act on: printed as one line, `mlecurate <command>: error: <message>`, never a traceback.
CURATOR_ERRORS = (
    CommandError, AnnotationError, MissingTableError, SettingsError, SourceError, SplitRecipeChoiceError, RecipeError,
    LeaderboardError, UnknownCompetitionError, SlugError, WarehouseError, DataRootFileError, ExportError,
    ObjectRootError,
)  # fmt: skip


@click.group(PROGRAM, context_settings={"max_content_width": 120, "help_option_names": ["-h", "--help"]})
def mlecurate() -> None:
    """Curate Kaggle competitions into a benchmark: annotate, review the queue, inspect competitions.

    \b
    Example:
      mlecurate queue --limit 5
      mlecurate show spooky-author-identification
    """


COMMANDS = [
    annotate, import_mlebench, demo_annotations_command,  # curation.cli.annotations
    queue, show, curated, summary,  # curation.cli.review
    grade,  # curation.cli.grading
    metrics,  # curation.cli.metrics
    generate_competition,  # curation.cli.generate
    import_leaderboards,  # curation.cli.leaderboards
    import_descriptions_command,  # curation.cli.descriptions
    export,  # curation.cli.export
    serve,  # curation.cli.serve
]  # fmt: skip
for command in COMMANDS:
    mlecurate.add_command(command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code: 0 done, 1 an invalid submission (``grade``) or an export with failed
    competitions (``export``), 2 an error. A reader that stops early (``mlecurate queue | head``) ends the output
    quietly, as other command-line tools do."""
    try:
        return _run(argv)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes at exit
        return 0


def _run(argv: Sequence[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with mlecurate.make_context(PROGRAM, args) as context:
            try:
                return mlecurate.invoke(context) or 0
            except CURATOR_ERRORS as error:
                click.echo(f"{PROGRAM} {context.invoked_subcommand}: error: {error}", err=True)
                return ERROR
    except click.exceptions.Exit as done:  # --help
        return done.exit_code
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.format_message(), err=True)
        return ERROR
    except click.UsageError as error:  # a bad or missing argument: the usage, then the same one-line error
        command = error.ctx.command_path if error.ctx is not None else PROGRAM
        if error.ctx is not None:
            click.echo(f"{error.ctx.get_usage()}\nTry '{command} --help' for help.", err=True)
        click.echo(f"{command}: error: {error.format_message()}", err=True)
        return ERROR
