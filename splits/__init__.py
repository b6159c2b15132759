"""Splits: declarative split recipes, the streaming DuckDB split builder, and the MLE-bench layout writer."""
