"""A submission's key where a recipe builds it (``submission_columns``): a public test column's text, or a pattern of
columns (``{sentence_id}_{token_id}``, with placeholders as in ``row_files``, slices included).

>>> key_sql("{sentence_id}_{token_id}")          # a DuckDB expression, for the split's answers and sample
>>> key_values(test, "{sentence_id}_{token_id}")  # the same keys for a table in pandas (parity's original test set)

Both render a value as its text (a CSV's as written; an empty field as nothing) and slice it by characters as Python
does, so the split and parity build the same key from the same row.
"""

from __future__ import annotations

import pandas as pd

from validation.data_files import quote
from validation.row_file_patterns import pattern_parts, placeholder


def key_sql(source: str) -> str:
    """A DuckDB expression for a submission key: a column's text, or a pattern's (``{sentence_id}_{token_id}``,
    ``{image_id[0:3]}``: literal text and columns' text, sliced by characters as Python slices)."""
    if "{" not in source:
        return f"CAST({quote(source)} AS VARCHAR)"
    pieces = []
    for literal, text in pattern_parts(source):
        if literal:
            pieces.append(sql_text(literal))
        if text is None:
            continue
        part = placeholder(text)
        value = f"coalesce(CAST({quote(part.column)} AS VARCHAR), '')"
        if part.sliced:
            start = (part.start or 0) + 1
            value = f"substring({value}, {start}" + (f", {part.stop - start + 1})" if part.stop is not None else ")")
        pieces.append(value)
    return "concat(" + ", ".join(pieces) + ")"


def key_values(table: pd.DataFrame, source: str) -> pd.Series:
    """The key ``source`` (a column, or a pattern of columns) for each row of ``table``, as text."""
    if "{" not in source:
        return _text(table[source])
    key = pd.Series("", index=table.index, dtype=object)
    for literal, text in pattern_parts(source):
        key = key + literal
        if text is not None:
            part = placeholder(text)
            value = _text(table[part.column])
            key = key + (value.str.slice(part.start, part.stop) if part.sliced else value)
    return key


def sql_text(text: str) -> str:
    """``text`` as a DuckDB string literal."""
    return "'" + text.replace("'", "''") + "'"


def _text(column: pd.Series) -> pd.Series:
    """A column as text, a missing value as nothing."""
    return column.astype(object).where(column.notna(), "").astype(str)
