"""Dagster wiring: the ``Definitions`` (``pipelines.defs``), resources, jobs, schedules and sensors."""

from pipelines.definitions import defs

__all__ = ["defs"]
