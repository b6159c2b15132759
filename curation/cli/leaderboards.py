"""The ``import-leaderboards`` command: MLE-bench's leaderboards into the leaderboard history."""

from __future__ import annotations

from pathlib import Path

import click

from curation.cli.options import CommandError, Curation, pass_curation
from curation.mirror import Part
from curation.mlebench_leaderboards import import_mlebench_leaderboards
from validation.messages import shown_list


@click.command("import-leaderboards", short_help="import MLE-bench's leaderboard.csv files as leaderboard snapshots")
@click.argument(
    "folder", metavar="FOLDER", type=click.Path(path_type=Path), help="e.g. ../shared/data/mle-bench/competitions"
)
@pass_curation
def import_leaderboards(curation: Curation, folder: Path) -> None:
    """Import FOLDER/<slug>/leaderboard.csv (MLE-bench's competitions folder) into the leaderboard history as
    snapshots from source mle-bench; an unchanged board is recorded as unchanged. A malformed board, or one sorted
    against its competition's direction (Meta Kaggle's, else its prepared split's metric), is recorded as rejected
    and named; the others are imported, and the command exits 2.

    \b
    Example:
      mlecurate import-leaderboards ../shared/data/mle-bench/competitions
    """
    root = curation.root
    reads = [Part(root.prepared_root, (root.prepared("x").manifest.name,), each=True)]  # metric directions
    with curation.synced(reads=reads, writes=[Part(root.leaderboards_root, each=True)]):
        done = import_mlebench_leaderboards(folder, root, curation.warehouse.metric_directions())
        curation.warehouse.refresh_views(root)
    counts = ", ".join(f"{n} {status}" for status, n in done.statuses.items())
    click.echo(
        f"imported {sum(done.statuses.values())} MLE-bench leaderboards into {curation.root.leaderboards_root}: {counts}"
    )
    if done.inferred:
        unread = curation.warehouse.competition_slugs() is None  # meta_kaggle.competitions not loaded yet
        click.echo(
            f"{len(done.inferred)} board(s) with no known metric direction (no Meta Kaggle row, no prepared split): "
            f"their own order decided which way is better: {shown_list(done.inferred)}"
            + ("\nMeta Kaggle is not in the warehouse yet: run the curation job (or materialise "
               "meta_kaggle_competitions), then import again to take its directions" if unread else "")
        )  # fmt: skip
    if done.rejected:
        raise CommandError(
            f"{len(done.rejected)} board(s) rejected (recorded in their history; the previous snapshot stays): "
            + "; ".join(done.rejected[:5])
            + (f"; and {len(done.rejected) - 5} more" if len(done.rejected) > 5 else "")
        )
