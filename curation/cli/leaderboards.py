"""The ``import-leaderboards`` command: MLE-bench's leaderboards into the leaderboard history."""

from __future__ import annotations

from pathlib import Path

import click

from curation.cli.options import Curation, pass_curation
from curation.mlebench_leaderboards import import_mlebench_leaderboards


@click.command("import-leaderboards", short_help="import MLE-bench's leaderboard.csv files as leaderboard snapshots")
@click.argument(
    "folder", metavar="FOLDER", type=click.Path(path_type=Path), help="e.g. ../shared/data/mle-bench/competitions"
)
@pass_curation
def import_leaderboards(curation: Curation, folder: Path) -> None:
    """Import FOLDER/<slug>/leaderboard.csv (MLE-bench's competitions folder) into the leaderboard history as
    snapshots from source mle-bench; an unchanged board is recorded as unchanged.

    \b
    Example:
      mlecurate import-leaderboards ../shared/data/mle-bench/competitions
    """
    statuses = import_mlebench_leaderboards(folder, curation.root, curation.warehouse.metric_directions())
    curation.warehouse.refresh_views(curation.root)
    counts = ", ".join(f"{n} {status}" for status, n in statuses.items())
    click.echo(
        f"imported {sum(statuses.values())} MLE-bench leaderboards into {curation.root.leaderboards_root}: {counts}"
    )
