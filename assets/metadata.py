"""Metadata helpers: tables and bar charts that read well in the Dagster UI."""

import dagster as dg
import pandas as pd

BAR_WIDTH = 30


def markdown_table(frame: pd.DataFrame, bar_column: str | None = None, limit: int = 50) -> dg.MarkdownMetadataValue:
    """A Markdown table of ``frame`` (first ``limit`` rows); with ``bar_column``, a bar drawn to scale beside it."""
    shown = frame.head(limit).copy()
    if bar_column is not None and len(shown):
        top = max(float(shown[bar_column].max()), 1.0)
        shown["share"] = [("█" * round(BAR_WIDTH * float(v) / top)) or "▏" for v in shown[bar_column]]
    header = "| " + " | ".join(map(str, shown.columns)) + " |"
    rule = "|" + "---|" * len(shown.columns)
    rows = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in shown.itertuples(index=False)]
    more = [f"\n_{len(frame) - limit:,} more rows not shown_"] if len(frame) > limit else []
    return dg.MetadataValue.md("\n".join([header, rule, *rows, *more]))


def counts_table(series: pd.Series, label: str) -> dg.MarkdownMetadataValue:
    """Value counts of ``series`` as a bar table, largest first."""
    counts = series.fillna("(none)").value_counts().rename_axis(label).reset_index(name="count")
    return markdown_table(counts, bar_column="count")


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value).replace("|", "\\|").replace("\n", " ")
