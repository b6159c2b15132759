"""Validation: Great Expectations suites, the metric catalogue, and (later) grading, medals and parity statistics.

Plain Python (no Dagster); imports data libraries only.
"""
