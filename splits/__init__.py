"""Splits: declarative split recipes, DuckDB split builders and the MLE-bench layout writer (issue 3; not built yet)."""
