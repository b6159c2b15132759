"""Import MLE-bench's curation (``experiments/competition_categories.csv``) as the curator ``mle-bench``.

>>> import_mlebench_categories(Path("competition_categories.csv"), store)

MLE-bench's file has one row per benchmark competition: ``competition_id``, ``category`` (with trailing spaces),
``dataset_size_GB``, ``EnabledDate``, ``DeadlineDate`` (mixed date formats) and ``Complexity`` (Low/Medium/High).
Each row becomes an ``include`` with its complexity and category; the data size goes into the note.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from curation.annotations import COMPLEXITIES, MLEBENCH_CURATOR, AnnotationError, AnnotationStore, validate_slug

CURATOR = MLEBENCH_CURATOR  # a name reserved for this import (curation.annotations.IMPORT_CURATORS)
REQUIRED_COLUMNS = ("competition_id", "category", "Complexity")


@dataclass(frozen=True)
class ImportSummary:
    imported: int
    by_complexity: dict[str, int]


def import_mlebench_categories(path: Path, store: AnnotationStore, now: datetime | None = None) -> ImportSummary:
    """Validate the whole file first, then write one annotation per row; a bad row writes nothing."""
    rows = _read_rows(Path(path))
    counts = dict.fromkeys(COMPLEXITIES, 0)
    for row in rows:
        store.update(row["slug"], CURATOR, row["changes"], now=now, imported=True)
        counts[row["changes"]["complexity"]] += 1
    return ImportSummary(imported=len(rows), by_complexity=counts)


def _read_rows(path: Path) -> list[dict]:
    if not path.is_file():
        raise AnnotationError(f"{path}: no such file (expected MLE-bench's competition_categories.csv)")
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            raise AnnotationError(f"{path}: column(s) {', '.join(missing)} missing (found: {', '.join(header)})")
        rows, seen = [], {}
        for line, raw in enumerate(reader, start=2):
            record = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
            where = f"{path} line {line}"
            try:
                slug = validate_slug(record["competition_id"])
            except AnnotationError as error:
                raise AnnotationError(f"{where}: column competition_id: {error}") from None
            if slug in seen:
                raise AnnotationError(f"{where}: competition_id {slug} already appeared on line {seen[slug]}")
            seen[slug] = line
            complexity = record["Complexity"].lower()
            if complexity not in COMPLEXITIES:
                raise AnnotationError(
                    f"{where} ({slug}): column Complexity: expected Low, Medium or High, found {record['Complexity']!r}"
                )
            size = record.get("dataset_size_GB")
            rows.append({
                "slug": slug,
                "changes": {
                    "complexity": complexity,
                    "category": record["category"] or None,
                    "decision": "include",
                    "reason": f"in MLE-bench's 75 competitions ({complexity} complexity split)",
                    "note": f"MLE-bench dataset size: {size} GB" if size else None,
                },
            })  # fmt: skip
    if not rows:
        raise AnnotationError(f"{path}: no competitions in the file")
    return rows
