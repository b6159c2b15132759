"""Load Meta Kaggle's competitions into the warehouse: fetch, type, check with Great Expectations, then replace.

>>> load = load_competitions(sources.meta_kaggle, root.sources("demo"), warehouse)
>>> load.rows, [c.name for c in load.report.checks]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from curation.meta_kaggle import CompetitionsTable, MetaKaggleError, read_competitions
from curation.sources import Source, SourceFile
from curation.warehouse import Warehouse
from validation.competitions_suite import SuiteReport, validate_competitions
from validation.data_root import COMPETITIONS


class MetaKaggleChecksFailed(MetaKaggleError):
    """A blocking check of the suite failed; nothing was written. ``report`` holds every check's outcome."""

    def __init__(self, message: str, report):
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class CompetitionsLoad:
    source: SourceFile
    parsed: CompetitionsTable
    report: SuiteReport
    rows: int  # rows now in the warehouse table


def load_competitions(source: Source, workdir: Path, warehouse: Warehouse) -> CompetitionsLoad:
    """Fetch ``Competitions.csv`` from ``source``, type it, run the Great Expectations suite and, unless a blocking
    check fails (:class:`MetaKaggleChecksFailed`, the table left as it was), replace the warehouse table."""
    file = source.competitions_file(workdir)
    parsed = read_competitions(file.path)
    report = validate_competitions(parsed.table.to_pandas())
    blocking = report.failed("error")
    if blocking:
        raise MetaKaggleChecksFailed(
            f"{file.path}: "
            + "; ".join(f"check {c.name} failed: {c.summary}" for c in blocking)
            + f". Table {COMPETITIONS} was left as it was.",
            report,
        )
    return CompetitionsLoad(file, parsed, report, warehouse.replace_table(COMPETITIONS, parsed.table))
