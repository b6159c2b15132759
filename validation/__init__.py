"""Validation: the base every other package may import.

The metric registry (each metric's task and domain), grading, the one leaderboard type and parser, medal thresholds,
parity statistics, leakage checks, the Great Expectations suite, check declarations, competition data files, and the
data root's layout (``data_root``: every folder, file, table and view name). Plain Python (no Dagster); imports data
libraries only.
"""
