"""Metadata helpers: tables and bar charts that read well in the Dagster UI.

Tables are kept narrow enough for the Overview at 1600 px: whole-number columns print as integers (a column with an
empty cell is float in pandas: 240, not 240.0), a checksum prints as its first hex digits, and a long text cell is
cut (the full value stays in the warehouse or the file the table describes).
"""

import math
import numbers
import re

import dagster as dg
import pandas as pd

BAR_WIDTH = 20
MAX_CELL = 60  # characters a table cell shows before it is cut
HASH_DIGITS = 12  # hex digits a checksum shows: enough to tell two apart at a glance
_HASH = re.compile(r"^(?P<prefix>(?:[\w-]+:)*)(?P<digits>[0-9a-f]{17,})$")


def markdown_table(
    frame: pd.DataFrame,
    bar_column: str | None = None,
    limit: int = 50,
    log_bars: bool = False,
    bar_title: str = "share",
) -> dg.MarkdownMetadataValue:
    """A Markdown table of ``frame`` (first ``limit`` rows); with ``bar_column``, a bar drawn to scale beside it in a
    column ``bar_title`` (``log_bars``: on a log scale, so that 3 and 2,666 both show and differ)."""
    shown = _whole_numbers(frame.head(limit).copy())
    if bar_column is not None and len(shown):
        shown[bar_title] = _bars(shown[bar_column], log_bars)
    header = "| " + " | ".join(map(str, shown.columns)) + " |"
    rule = "|" + "---|" * len(shown.columns)
    rows = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in shown.itertuples(index=False)]
    more = [f"\n_{len(frame) - limit:,} more rows not shown_"] if len(frame) > limit else []
    return dg.MetadataValue.md("\n".join([header, rule, *rows, *more]))


def counts_table(series: pd.Series, label: str, missing: str = "(none)") -> dg.MarkdownMetadataValue:
    """Value counts of ``series`` as a bar table, largest first; an empty value counts as ``missing``."""
    counts = series.fillna(missing).value_counts().rename_axis(label).reset_index(name="count")
    return markdown_table(counts, bar_column="count")


def short_hash(value: str) -> str:
    """A checksum cut to its first hex digits, its prefix kept: ``sha256:f671e3a96e0d…`` (any other text as is)."""
    found = _HASH.match(value)
    if not found:
        return value
    return f"{found['prefix']}{found['digits'][:HASH_DIGITS]}…"


def _bars(values: pd.Series, log: bool) -> list[str]:
    """A bar per value, the largest BAR_WIDTH long; a value of 0 (or none) gets a hairline."""
    numbers = [float(v) if pd.notna(v) else 0.0 for v in values]
    scale = (lambda v: math.log10(v + 1)) if log else (lambda v: v)  # noqa: E731
    top = max((scale(v) for v in numbers if v > 0), default=0.0) or 1.0
    return [("█" * round(BAR_WIDTH * scale(v) / top) if v > 0 else "") or "▏" for v in numbers]


def _whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns holding only whole numbers (and gaps) as nullable integers: row counts read 240, not 240.0."""
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_float_dtype(values) and values.notna().any():
            present = values.dropna()
            if (present == present.round()).all() and (present.abs() < 2**53).all():
                frame[column] = values.astype("Int64")
    return frame


def _cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return f"{value:,}"
    text = short_hash(str(value)).replace("\n", " ")
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 1] + "…"
    return text.replace("|", "\\|")
