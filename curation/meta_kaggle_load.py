"""Load Meta Kaggle's competitions into the warehouse: fetch, type, check with Great Expectations, then replace.

>>> load = load_competitions(sources.meta_kaggle, root.sources("demo"), warehouse)
>>> load.rows, [c.name for c in load.report.checks]
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

import curation.meta_kaggle as meta_kaggle_module
import validation.checks as checks_module
import validation.competitions_suite as suite_module
from curation.meta_kaggle import CompetitionsTable, MetaKaggleError, read_competitions
from curation.sources import Source, SourceFile
from curation.warehouse import Warehouse
from validation.competitions_suite import SuiteReport, report_from_record, report_record, validate_competitions
from validation.data_files import file_sha256
from validation.data_root import COMPETITIONS, atomic_path

CHECKED = "competitions-checked.json"  # beside the fetched file: the suite's last report, and what it was run on


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
    source_sha256: str  # of the fetched file's bytes
    checked_at: datetime  # when the suite ran: now, or earlier on the same table (``reused``)
    reused: bool = False


def load_competitions(source: Source, workdir: Path, warehouse: Warehouse) -> CompetitionsLoad:
    """Fetch ``Competitions.csv`` from ``source``, type it, run the Great Expectations suite and, unless a blocking
    check fails (:class:`MetaKaggleChecksFailed`, the table left as it was), replace the warehouse table.

    The suite's report is kept in ``workdir`` with what it ran on (:func:`_run_on`); the next load of the same file
    under the same code and libraries takes it instead of running the suite again (importing Great Expectations alone
    costs 3-4 s of CPU, and curators re-run the curation job after each round of annotations on an unchanged dump),
    unless a competition has launched since (the suite's "in the future" is relative to when it ran)."""
    file = source.competitions_file(workdir)
    parsed = read_competitions(file.path)
    run_on = _run_on(file.path)
    report, checked_at, reused = _suite_report(parsed.table, run_on, workdir / CHECKED)
    blocking = report.failed("error")
    if blocking:
        raise MetaKaggleChecksFailed(
            f"{file.path}: "
            + "; ".join(f"check {c.name} failed: {c.summary}" for c in blocking)
            + f". Table {COMPETITIONS} was left as it was.",
            report,
        )
    rows = warehouse.replace_table(COMPETITIONS, parsed.table)
    return CompetitionsLoad(file, parsed, report, rows, run_on["file_sha256"], checked_at, reused)


def _suite_report(table: pa.Table, run_on: dict[str, str], kept: Path) -> tuple[SuiteReport, datetime, bool]:
    """The suite's report on ``table`` (what it depends on: ``run_on``, :func:`_run_on`), when it ran (UTC, as Meta Kaggle's dates), and whether it
    was the one ``kept`` holds. A kept report is taken only for the same file, code and libraries, with no competition
    launched after both its time and now (the clock may have gone back), and with every check and expectation the
    suite has, at the severity the code gives it; anything else runs the suite again. Keeping it is a saving only: a
    report that cannot be written is not kept, and the load goes on."""
    now = datetime.now(UTC).replace(tzinfo=None)
    latest = pc.max(table["enabled_date"]).as_py() if "enabled_date" in table.column_names else None
    try:
        record = json.loads(kept.read_text())
        checked_at = datetime.fromisoformat(record["checked_at"])
        if record["run_on"] == run_on and (latest is None or latest <= min(checked_at, now)):
            return report_from_record(record["report"]), checked_at, True
    except (OSError, ValueError, KeyError, TypeError):  # none yet, unreadable, or not the suite's: run it
        pass
    report = validate_competitions(table.to_pandas(), now)
    try:
        text = json.dumps({"run_on": run_on, "checked_at": now.isoformat(), "report": report_record(report)}, indent=1)
        with atomic_path(kept) as tmp:
            tmp.write_text(text)
    except (TypeError, ValueError, OSError):  # a value JSON cannot hold, a full or read-only disk: not kept
        pass
    return report, now, False


def _run_on(csv: Path) -> dict[str, str]:
    """What a suite's report depends on besides the clock: the file's bytes, the code that types it and the suite's
    (their sources' sha256), and the releases of the libraries between them."""
    code = [meta_kaggle_module, suite_module, checks_module]
    return {
        "file_sha256": file_sha256(csv),
        **{f"{m.__name__}_sha256": hashlib.sha256(Path(m.__file__).read_bytes()).hexdigest() for m in code},
        **{name: metadata.version(name) for name in ("great_expectations", "pandas", "numpy", "pyarrow")},
    }
