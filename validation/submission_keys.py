"""A submission's key where a recipe builds it (``submission_columns``): a public test column's text, or a pattern of
columns (``{sentence_id}_{token_id}``, with placeholders as in ``row_files``, slices included).

>>> key_sql("{sentence_id}_{token_id}", columns)   # a DuckDB expression over a table with those columns

The split builds the new answers' and sample's keys with it, and parity Kaggle's original test set's (to find the
rows of Kaggle's sample): one expression, DuckDB's text of each value (a CSV's as written, read as text; a typed
JSON or Parquet value as DuckDB renders it), so the two agree on every type. An empty value is nothing; a slice
counts characters, as Python's.
"""

from __future__ import annotations

from collections.abc import Collection

from validation.data_files import literal, quote
from validation.row_file_patterns import pattern_parts, placeholder


def key_sql(source: str, columns: Collection[str] = ()) -> str:
    """A DuckDB expression for the key ``source``: a column's text, or a pattern's (``{sentence_id}_{token_id}``,
    ``{image_id[0:3]}``: literal text and columns' text, sliced by characters as Python slices); ``columns``: the
    table's, where a column named like a slice (``x[0]``) is that column."""
    if "{" not in source:
        return f"coalesce(CAST({quote(source)} AS VARCHAR), '')"
    pieces = []
    for text_before, text in pattern_parts(source):
        if text_before:
            pieces.append(literal(text_before))
        if text is None:
            continue
        part = placeholder(text, columns)
        value = f"coalesce(CAST({quote(part.column)} AS VARCHAR), '')"
        if part.sliced:  # the recipe refuses a slice that takes no character (validation.row_file_patterns)
            start = part.start or 0
            length = f", {max(part.stop - start, 0)}" if part.stop is not None else ""
            value = f"substring({value}, {start + 1}{length})"
        pieces.append(value)
    return "concat(" + ", ".join(pieces) + ")"
