"""The command that serves the curators' workbench: ``serve``."""

from __future__ import annotations

import click

from curation.cli.options import Curation, pass_curation
from curation.queue import MIN_CURATORS

DEFAULT_PORT = 3100  # beside the Dagster UI's 3000


@click.command("serve", short_help="serve the curators' workbench: the queue, each competition, the annotation form")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="the address to listen on (this machine only by default)"
)
@click.option(
    "--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True, help="the port to listen on"
)
@click.option(
    "--min-curators", type=click.IntRange(min=1), default=MIN_CURATORS, show_default=True,
    help="curators who must decide a competition alike (MLE-bench had two engineers screen each; as `queue`)",
)  # fmt: skip
@pass_curation
def serve(curation: Curation, host: str, port: int, min_curators: int) -> None:
    """Serve a local web page to annotate competitions: the queue of competitions that need a decision (filters,
    progress; what `queue` lists), each competition's facts, rule verdict, description, data files, leaderboard and
    parity, every curator's annotation, and a form that saves yours into the annotation store as `annotate` does.
    It reads the warehouse read-only; stop it with Ctrl+C. With an s3:// home, what the page shows is pulled when it
    starts (restart it to see other machines' work) and each save pulls and pushes that competition's annotations.

    \b
    Example:
      mlecurate serve --port 3100      # then open http://127.0.0.1:3100
    """
    import uvicorn  # the server Starlette runs on (dagster-webserver's); imported here so --help stays quick

    app = served_app(curation, min_curators)
    click.echo(f"curators' workbench for {curation.root.path} on http://{host}:{port} (Ctrl+C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def served_app(curation: Curation, min_curators: int = MIN_CURATORS):
    """The workbench ``serve`` runs; with an s3:// home, every competition's small files and the warehouse's tables
    pulled first, and each save's annotations (that scope alone: no table is pulled or loaded while pages read the
    warehouse) pulled before and pushed after it, one save of a competition at a time."""
    from curation.workbench.app import workbench_app

    with curation.listing():
        pass
    return workbench_app(curation.settings, min_curators=min_curators, saving=curation.annotations_synced)
