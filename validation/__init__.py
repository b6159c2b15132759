"""Validation: Great Expectations suites, the metric registry, grading, medal thresholds and leakage checks.

Plain Python (no Dagster); imports data libraries only.
"""
