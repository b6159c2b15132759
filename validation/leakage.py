"""Leakage checks on a prepared split: what MLE-bench left to hope, checked every time a split is built.

>>> facts = LeakageFacts(target_columns=("Survived",), id_column="PassengerId", group_column=None,
...                      released_labels=False, original_rows=891)
>>> checks = check_prepared_split(root.prepared("titanic").staging, facts)

Each check says what it found. All are blocking: a split that fails one is not published.

- ``ids_disjoint``: no id (or, without an id column, no identical row) in both the new train and test sets.
- ``no_target_in_public_test``: the public test file has none of the target columns.
- ``public_free_of_private``: no public file has the content of a private one, or all of the answers' columns.
- ``groups_disjoint``: for group splits, no group on both sides.
- ``rows_conserved``: new train + new test = the original train set (for released labels: train unchanged, test =
  the labelled original test set).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from validation.checks import Check
from validation.data_files import DATA_FORMATS, columns_of, content_checksum, quote, reader_sql
from validation.data_root import PreparedFolder

IDS_DISJOINT = Check("ids_disjoint", "No id (or identical row) in both the new train and test sets.", blocking=True)
NO_TARGET_IN_PUBLIC_TEST = Check(
    "no_target_in_public_test", "The public test file has no target column.", blocking=True
)
PUBLIC_FREE_OF_PRIVATE = Check(
    "public_free_of_private", "No public file holds the content or all the columns of a private one.", blocking=True
)
GROUPS_DISJOINT = Check("groups_disjoint", "For group splits, no group on both sides.", blocking=True)
ROWS_CONSERVED = Check(
    "rows_conserved",
    "New train + new test = the original train set (released labels: train unchanged).",
    blocking=True,
)
LEAKAGE_CHECKS = (IDS_DISJOINT, NO_TARGET_IN_PUBLIC_TEST, PUBLIC_FREE_OF_PRIVATE, GROUPS_DISJOINT, ROWS_CONSERVED)


@dataclass(frozen=True)
class LeakageFacts:
    target_columns: tuple[str, ...]
    id_column: str | None
    group_column: str | None
    released_labels: bool
    original_rows: int  # rows in the original train file
    labelled_test_rows: int | None = None  # for released labels: rows in the labelled original test file


@dataclass(frozen=True)
class SplitCheck:
    name: str
    passed: bool
    found: str
    metadata: dict = field(default_factory=dict)


def check_prepared_split(folder: PreparedFolder, facts: LeakageFacts) -> list[SplitCheck]:
    """Run every leakage check on ``folder`` (``public/`` + ``private/``)."""
    con = duckdb.connect()
    try:
        train = folder.public_file("train")
        test = folder.public_file("test")
        return [
            _ids_disjoint(con, train, test, facts),
            _no_target_in_public_test(con, test, facts),
            _public_free_of_private(con, folder),
            _groups_disjoint(con, train, test, facts),
            _rows_conserved(con, train, test, facts),
        ]
    finally:
        con.close()


def _overlap(con, train: Path, test: Path, expression: str) -> tuple[int, list]:
    query = f"""SELECT k FROM (SELECT DISTINCT {expression} AS k FROM {reader_sql(train)})
                INTERSECT SELECT k FROM (SELECT DISTINCT {expression} AS k FROM {reader_sql(test)})"""
    rows = con.execute(f"SELECT count(*) OVER (), k FROM ({query}) LIMIT 5").fetchall()
    return (rows[0][0] if rows else 0), [r[1] for r in rows]


def _ids_disjoint(con, train: Path, test: Path, facts: LeakageFacts) -> SplitCheck:
    test_columns = columns_of(con, test)
    if facts.id_column and facts.id_column in test_columns:
        expression, what = f"CAST({quote(facts.id_column)} AS VARCHAR)", f"id column {facts.id_column}"
    else:
        fields = ", ".join(f"{quote(c)} := {quote(c)}" for c in sorted(test_columns))
        expression, what = f"CAST(struct_pack({fields}) AS VARCHAR)", "identical rows (no id column)"
    count, examples = _overlap(con, train, test, expression)
    found = f"{count:,} shared by train and test ({what})" + (f", e.g. {_short(examples)}" if count else "")
    return SplitCheck(IDS_DISJOINT.name, count == 0, found, {"shared": count, "compared": what})


def _no_target_in_public_test(con, test: Path, facts: LeakageFacts) -> SplitCheck:
    leaked = [c for c in columns_of(con, test) if c in facts.target_columns]
    found = f"target column(s) {', '.join(leaked)} in {test.name}" if leaked else f"no target column in {test.name}"
    return SplitCheck(NO_TARGET_IN_PUBLIC_TEST.name, not leaked, found, {"targets": ", ".join(facts.target_columns)})


def _public_free_of_private(con, folder: PreparedFolder) -> SplitCheck:
    private = {p.name: content_checksum(p, con) for p in sorted(folder.private.iterdir()) if p.is_file()}
    answer_columns = set(columns_of(con, folder.answers))
    problems = []
    public_files = [p for p in sorted(folder.public.iterdir()) if p.suffix.lower() in DATA_FORMATS]
    for path in public_files:
        if path == folder.sample_submission:
            continue  # it has the answers' columns by design, with trivial values
        if content_checksum(path, con) in private.values():
            problems.append(f"{path.name} has the content of a private file")
        elif answer_columns <= set(columns_of(con, path)) and path.stem != "train":
            problems.append(f"{path.name} holds every answers column")
    found = "; ".join(problems) or f"{len(public_files)} public file(s), none holds private content"
    return SplitCheck(PUBLIC_FREE_OF_PRIVATE.name, not problems, found, {"public_files": len(public_files)})


def _groups_disjoint(con, train: Path, test: Path, facts: LeakageFacts) -> SplitCheck:
    if not facts.group_column:
        return SplitCheck(GROUPS_DISJOINT.name, True, "not a group split (no group_column)", {"shared": 0})
    count, examples = _overlap(con, train, test, f"CAST({quote(facts.group_column)} AS VARCHAR)")
    found = f"{count:,} group(s) of {facts.group_column} on both sides" + (
        f", e.g. {_short(examples)}" if count else ""
    )
    return SplitCheck(GROUPS_DISJOINT.name, count == 0, found, {"shared": count})


def _rows_conserved(con, train: Path, test: Path, facts: LeakageFacts) -> SplitCheck:
    train_rows = con.execute(f"SELECT count(*) FROM {reader_sql(train)}").fetchone()[0]
    test_rows = con.execute(f"SELECT count(*) FROM {reader_sql(test)}").fetchone()[0]
    if facts.released_labels:
        passed = train_rows == facts.original_rows and test_rows == facts.labelled_test_rows
        found = (f"train {train_rows:,} of {facts.original_rows:,} original rows; test {test_rows:,} of "
                 f"{facts.labelled_test_rows:,} labelled test rows")  # fmt: skip
    else:
        passed = train_rows + test_rows == facts.original_rows
        found = (
            f"train {train_rows:,} + test {test_rows:,} = {train_rows + test_rows:,}; original {facts.original_rows:,}"
        )
    return SplitCheck(ROWS_CONSERVED.name, passed, found, {"train": train_rows, "test": test_rows})


def _short(values: list) -> str:
    return ", ".join(str(v)[:60] for v in values[:3])
