"""Curation: Meta Kaggle reading and typing, candidate rules, curators' annotations, sources, and the CLI.

Plain Python (no Dagster): a notebook or another orchestrator can call every function here.
"""
