"""Metadata helpers: tables that read well in the Dagster UI (pictures: ``curation.plots`` draws them, ``assets.pictures`` shows them).

Tables are kept narrow enough for the Overview at 1600 px: whole-number columns print as integers (a column with an
empty cell is float in pandas: 240, not 240.0), a checksum prints as its first hex digits, and a long text cell is
cut (the full value stays in the warehouse or the file the table describes).
"""

import numbers
import re

import dagster as dg
import pandas as pd

MAX_CELL = 60  # characters a table cell shows before it is cut
HASH_DIGITS = 12  # hex digits a checksum shows: enough to tell two apart at a glance
_HASH = re.compile(r"^(?P<prefix>(?:[\w-]+:)*)(?P<digits>[0-9a-f]{17,})$")


def markdown_table(frame: pd.DataFrame, limit: int = 50) -> dg.MarkdownMetadataValue:
    """A Markdown table of ``frame`` (first ``limit`` rows, then how many more)."""
    shown = _whole_numbers(frame.head(limit).copy())
    header = "| " + " | ".join(map(str, shown.columns)) + " |"
    rule = "|" + "---|" * len(shown.columns)
    rows = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in shown.itertuples(index=False)]
    more = [f"\n_{len(frame) - limit:,} more rows not shown_"] if len(frame) > limit else []
    return dg.MetadataValue.md("\n".join([header, rule, *rows, *more]))


def counts_table(series: pd.Series, label: str, missing: str = "(none)") -> dg.MarkdownMetadataValue:
    """Value counts of ``series`` with each one's share of the total, largest first; an empty value counts as
    ``missing``."""
    counts = series.fillna(missing).value_counts().rename_axis(label).reset_index(name="count")
    total = counts["count"].sum()
    counts["share"] = [f"{n / total:.0%}" if n / total >= 0.005 else "<1%" for n in counts["count"]]
    return markdown_table(counts)


def short_hash(value: str) -> str:
    """A checksum cut to its first hex digits, its prefix kept: ``sha256:f671e3a96e0d…`` (any other text as is)."""
    found = _HASH.match(value)
    if not found:
        return value
    return f"{found['prefix']}{found['digits'][:HASH_DIGITS]}…"


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
