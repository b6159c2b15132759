"""The ``metrics`` command: the metrics mlecurate grades, by the names a split recipe's ``metric`` takes."""

from __future__ import annotations

import click
import pandas as pd

from curation.cli.options import CommandError
from validation.metrics import find_metric, metric_table, similar_metrics

DETAIL_WIDTH = 20  # a metric's labels are right-aligned to this width


@click.command("metrics", short_help="the metrics mlecurate grades: names for a recipe's metric, and what each takes")
@click.argument("name", required=False, metavar="[NAME]", help="one metric: its name, or a Meta Kaggle name")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "csv"]), default="table", show_default=True,
    help="output format",
)  # fmt: skip
def metrics(name: str | None, output_format: str) -> None:
    """List the metrics mlecurate grades: the name a split recipe's `metric` (and `grade --metric`) takes, which way
    is better, what a submission holds, what a valid prediction is and Meta Kaggle's names for it (a competition
    whose EvaluationAlgorithmName is one of these needs no `metric` in its recipe). With NAME (a metric's name or a
    Meta Kaggle name, in any case, spaces and underscores alike), that metric alone, with its note; a name mlecurate
    does not grade is an error naming the nearest ones. Reads no data.

    \b
    Example:
      mlecurate metrics
      mlecurate metrics "Root Mean Squared Logarithmic Error"
    """
    table = metric_table()
    if name is not None:
        found = find_metric(name)
        if found is None:
            near = similar_metrics(name)
            raise CommandError(
                f"{name!r} is not a metric mlecurate grades"
                + (f" (nearest: {', '.join(near)})" if near else "")
                + ": `mlecurate metrics` lists them"
            )
        table = table[table["metric"] == found.name]
        if output_format == "table":
            for label, value in table.iloc[0].items():
                if pd.notna(value) and value != "":  # no perfect score, no note: not shown
                    click.echo(f"{label:>{DETAIL_WIDTH}}: {value}")
            return
    else:
        table = table.drop(columns=["note"])
    click.echo(table.to_csv(index=False) if output_format == "csv" else _left_aligned(table), nl=False)


def _left_aligned(table: pd.DataFrame) -> str:
    """``table`` as text, every column left-aligned (pandas right-aligns text, which reads badly for names)."""
    text = table.astype(str).where(table.notna(), "")
    widths = {c: max(len(c), int(text[c].str.len().max())) for c in text.columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in text.columns)]
    lines += ["  ".join(v.ljust(widths[c]) for c, v in row.items()) for _, row in text.iterrows()]
    return "\n".join(line.rstrip() for line in lines) + "\n"
