"""Competition data: fetch a competition's bundle from its source, keep it with its checksum, unpack it safely.

>>> record = fetch_competition(root.raw("titanic"), sources.competition_data)

Each competition gets a :class:`~validation.data_root.RawFolder` (``raw/<slug>/``): the zip as downloaded, its files
(extracted under ``files/``) and ``download.json``, the record of the last attempt (size, sha256, files, or why it
failed: "needs rules acceptance" with the rules URL, shown to curators by ``mlecurate queue`` and ``show``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from curation.sources import Source, SourceError
from curation.sources.kaggle_client import KaggleError, RulesNotAcceptedError
from curation.sources.safe_zip import ZipLimits, extract_zip
from validation.data_root import DataRoot, RawFolder, write_atomic


@dataclass(frozen=True)
class DownloadRecord:
    slug: str
    status: str  # downloaded | needs_rules_acceptance | failed
    source: str
    at: str
    message: str = ""
    rules_url: str | None = None
    zip_bytes: int | None = None
    zip_sha256: str | None = None
    files: list[str] = field(default_factory=list)
    extracted_bytes: int | None = None


def fetch_competition(raw: RawFolder, source: Source, limits: ZipLimits | None = None) -> DownloadRecord:
    """Download, checksum and extract one competition; always write ``download.json``; raise on failure."""
    raw.path.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        archive = source.download_competition(raw.slug, raw.path)
        digest, size = _sha256(archive)
        files = extract_zip(archive, raw.files, limits or ZipLimits())
        extracted = sum((raw.files / f).stat().st_size for f in files)
    except RulesNotAcceptedError as error:
        _save(raw, DownloadRecord(raw.slug, "needs_rules_acceptance", source.name, now, str(error), error.rules_url))
        raise
    except Exception as error:
        _save(raw, DownloadRecord(raw.slug, "failed", source.name, now, f"{type(error).__name__}: {error}"))
        raise
    record = DownloadRecord(raw.slug, "downloaded", source.name, now, zip_bytes=size, zip_sha256=digest, files=files,
                            extracted_bytes=extracted)  # fmt: skip
    _save(raw, record)
    return record


def competition_overview(source: Source, slug: str) -> tuple[str | None, str]:
    """The competition's page text from ``source``, for the split's description.md, and a line saying where it came
    from. It is optional: a source that cannot be reached leaves the description without it, and says why."""
    try:
        text = source.description(slug)
    except (KaggleError, SourceError) as error:
        return None, f"unavailable from {source.name}: {error}"
    return text, f"from {source.name}" if text else f"none in {source.name}"


def read_download_record(raw: RawFolder) -> DownloadRecord | None:
    if not raw.record.is_file():
        return None
    return DownloadRecord(**json.loads(raw.record.read_text()))


def rules_blocked(root: DataRoot) -> list[DownloadRecord]:
    """Competitions whose download waits for a person to accept the rules on Kaggle."""
    records = [read_download_record(root.raw(slug)) for slug in root.downloaded_slugs()]
    return [r for r in records if r is not None and r.status == "needs_rules_acceptance"]


def _save(raw: RawFolder, record: DownloadRecord) -> None:
    write_atomic(raw.record, json.dumps(asdict(record), indent=2) + "\n")


def _sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
