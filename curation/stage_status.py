"""Where each curated competition stands, stage by stage: its data, its split, its parity verdict.

>>> with recorded_stage(root, "titanic", SPLIT):   # a failure inside is kept in status/titanic/split.json, then raised
...     build_the_split()                          # success removes the record
>>> competition_stages("titanic", root)            # StageStatus(data="downloaded", split="published (...)", ...)

Each stage leaves its own evidence: the download record (``raw/<slug>/download.json``), the published split
(``prepared/<slug>/manifest.json``), the parity report (``prepared/<slug>/parity.json``). A failed split never
replaces the published one and a failed parity run writes no report, so a failure is kept apart, one small JSON
record per competition and stage (``DataRoot.stage_failure``), written atomically and removed when the stage next
succeeds. A published split whose latest attempt failed shows both: ``published (...; last attempt failed: ...)``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from curation.competition_data import read_download_record
from validation.data_root import DataRoot, DataRootFileError, write_atomic

SPLIT = "split"
PARITY = "parity"
STAGES = (SPLIT, PARITY)
NOT_RUN = "not run"


@dataclass(frozen=True)
class StageFailure:
    slug: str
    stage: str
    at: str
    error: str


@dataclass(frozen=True)
class StageStatus:
    """One line per stage, as curators read them (``mlecurate curated`` and ``show``)."""

    data: str
    split: str
    parity: str
    parity_reason: str | None = None  # what decided the verdict (parity.json's reason; None without a report)
    split_warnings: tuple[str, ...] = ()  # the published split's failed warning checks: "name: what it found"


def partition_command(job: str, slug: str) -> str:
    """How a person runs ``job`` for one competition (README: Competition data and new splits)."""
    return f'dagster job execute -m pipelines -j {job} --tags \'{{"dagster/partition": "{slug}"}}\''


def record_failure(root: DataRoot, slug: str, stage: str, error: str, now: datetime | None = None) -> StageFailure:
    """Keep ``error`` as the last failed attempt of ``stage`` for ``slug`` (atomically; replaces an older one)."""
    _check_stage(stage)
    when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    failure = StageFailure(slug, stage, when, error)
    write_atomic(root.stage_failure(slug, stage), json.dumps(asdict(failure), indent=2) + "\n")
    return failure


def clear_failure(root: DataRoot, slug: str, stage: str) -> None:
    """The stage succeeded: forget its last failure."""
    _check_stage(stage)
    root.stage_failure(slug, stage).unlink(missing_ok=True)


def read_failure(root: DataRoot, slug: str, stage: str) -> StageFailure | None:
    """The last failed attempt of ``stage``, or None when it has not failed since it last succeeded.

    A record that cannot be read is itself reported as the stage's failure (never taken for a success)."""
    path = root.stage_failure(slug, stage)
    if not path.is_file():
        return None
    try:
        return StageFailure(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as error:
        return StageFailure(slug, stage, "?", f"unreadable status record {path}: {error}")


@contextlib.contextmanager
def recorded_stage(root: DataRoot, slug: str, stage: str) -> Iterator[None]:
    """Run a stage: an exception inside is recorded as its failure (then re-raised); success clears the record."""
    _check_stage(stage)
    try:
        yield
    except Exception as error:
        record_failure(root, slug, stage, failure_message(error))
        raise
    clear_failure(root, slug, stage)


def split_published(root: DataRoot, slug: str) -> None:
    """A new split replaced the published one: parity has not run on it yet, so a parity failure (of the old split)
    no longer says anything about it."""
    clear_failure(root, slug, PARITY)


def failure_message(error: BaseException) -> str:
    """What a person needs to read: the error's own description (an orchestrator's failure carries one), else its
    type and message."""
    described = getattr(error, "description", None)
    return described if isinstance(described, str) and described else f"{type(error).__name__}: {error}"


def competition_stages(slug: str, root: DataRoot) -> StageStatus:
    warnings = split_warnings(slug, root)  # the manifest read once for both
    return StageStatus(
        data_status(slug, root), split_status(slug, root, warnings), parity_status(slug, root),
        parity_reason(slug, root), tuple(warnings),
    )  # fmt: skip


def data_status(slug: str, root: DataRoot) -> str:
    """``downloaded``, ``needs_rules_acceptance (<rules url>)``, ``failed: <message>`` or ``not run``; ``downloaded``
    gains ``; last attempt failed: <when, source, why>`` when a later download was refused and this one kept. A
    damaged download record is shown as such (one damaged file never hides the other competitions' status)."""
    try:
        record = read_download_record(root.raw(slug))
    except (ValueError, TypeError) as error:  # DataRootFileError names the file and what to do
        return f"unreadable download record: {error}"
    if record is None:
        return NOT_RUN
    if record.status == "needs_rules_acceptance":
        return f"needs_rules_acceptance (accept the rules at {record.rules_url})"
    if record.status == "downloaded":
        return (
            f"downloaded; last attempt failed: {record.last_attempt_failed}"
            if record.last_attempt_failed
            else ("downloaded")
        )
    return f"{record.status}: {record.message}"


def split_status(slug: str, root: DataRoot, warnings: list[str] | None = None) -> str:
    """``published (train N, test M)``, with ``; last attempt failed: ...`` when a re-split failed since;
    ``failed: <error>``; or ``not run``."""
    prepared, failure = root.prepared(slug), read_failure(root, slug, SPLIT)
    published = None
    if prepared.manifest.is_file():
        try:
            manifest = prepared.read_manifest()
            rows = manifest["rows"]
            published = f"published (train {rows['train']:,}, test {rows['test']:,}"
            warnings = failed_checks(manifest) if warnings is None else warnings
            if warned := [warning.partition(":")[0] for warning in warnings]:
                published += f"; {len(warned)} warning(s): {', '.join(warned)}"
        except DataRootFileError as error:
            published = f"published (unreadable manifest: {error}"
        except (KeyError, TypeError) as error:
            published = f"published (unreadable manifest {prepared.manifest}: {error!r}"
    if published:
        return published + (f"; last attempt failed: {failure.error})" if failure else ")")
    return f"failed: {failure.error}" if failure else NOT_RUN


def split_warnings(slug: str, root: DataRoot) -> list[str]:
    """The published split's warning checks that failed (a split a blocking check refuses is never published), as
    ``name: what it found``: a leak the split could not rule out, test labels the training set lacks, damaged row
    files. [] without a published split, or when its manifest or its checks cannot be read (``split_status`` says
    so)."""
    prepared = root.prepared(slug)
    if not prepared.manifest.is_file():
        return []
    try:
        return failed_checks(prepared.read_manifest())
    except DataRootFileError:  # split_status names the damaged manifest
        return []


def failed_checks(manifest: dict) -> list[str]:
    """A split manifest's failed checks, as ``name: what it found`` ([] when its checks are not a mapping)."""
    checks = manifest.get("checks") or {}
    if not isinstance(checks, dict):
        return []
    return [f"{name}: {check.get('found')}" for name, check in checks.items()
            if isinstance(check, dict) and check.get("passed") is False]  # fmt: skip


def parity_status(slug: str, root: DataRoot) -> str:
    """The verdict (``parity``, ``drift``, ``unknown``) from the parity report, with ``(last attempt failed: ...)``
    when a later run failed; ``failed: <error>``; or ``not run``."""
    failure = read_failure(root, slug, PARITY)
    verdict, unreadable = _parity_report_field(slug, root, "verdict")
    verdict = verdict or unreadable
    if verdict:
        return verdict + (f" (last attempt failed: {failure.error})" if failure else "")
    return f"failed: {failure.error}" if failure else NOT_RUN


def parity_reason(slug: str, root: DataRoot) -> str | None:
    """What decided the parity report's verdict (its ``reason``: the scores and their gap, or the classifier's AUC
    and its p-value); None without a readable report (:func:`parity_status` says why it cannot be read)."""
    return _parity_report_field(slug, root, "reason")[0] or None


def _parity_report_field(slug: str, root: DataRoot, key: str) -> tuple[str | None, str | None]:
    """(``key`` of the parity report as text, None); (None, why the report cannot be read); (None, None) without
    a report."""
    report = root.prepared(slug).parity
    if not report.is_file():
        return None, None
    try:
        return str(json.loads(report.read_text(encoding="utf-8"))[key]), None
    except (ValueError, KeyError, TypeError) as error:
        return None, f"unreadable report {report}: {error}"


def _check_stage(stage: str) -> None:
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; stages with a status record: {', '.join(STAGES)}")
