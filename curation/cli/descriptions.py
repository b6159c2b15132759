"""The ``import-descriptions`` command: competitions' descriptions (MLE-bench's description.md) into the data root."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from curation.cli.options import CommandError, Curation, pass_curation
from curation.competition_data import DescriptionImportError, import_descriptions
from curation.mirror import Part


@click.command(
    "import-descriptions", short_help="import MLE-bench's description.md files as competitions' descriptions"
)
@click.argument(
    "folder", metavar="DIR", type=click.Path(path_type=Path), help="e.g. ../shared/data/mle-bench/competitions"
)
@pass_curation
def import_descriptions_command(curation: Curation, folder: Path) -> None:
    """Import DIR/<slug>/description.md (MLE-bench's competitions folder) as each competition's description, kept
    in $MLECURATE_HOME/descriptions/<slug>.md. An imported description comes first: the next split of the
    competition opens its public/description.md with it, before the Kaggle pages, a mirror's description.md or
    Meta Kaggle's Overview.

    \b
    Example:
      mlecurate import-descriptions ../shared/data/mle-bench/competitions
    """
    try:
        with curation.synced(writes=[Part(curation.root.descriptions_root)]):
            statuses = import_descriptions(folder, curation.root)
    except DescriptionImportError as error:
        raise CommandError(str(error)) from error
    counts = Counter(statuses.values())
    detail = ", ".join(f"{counts[s]} {s}" for s in ("new", "changed", "unchanged") if counts[s])
    click.echo(f"imported {len(statuses)} descriptions into {curation.root.descriptions_root}: {detail}")
