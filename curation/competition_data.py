"""Competition data: fetch a competition's bundle from its source, keep it with its checksum, unpack it safely.

>>> record = fetch_competition(root.raw("titanic"), sources.competition_data)

Each competition gets a :class:`~validation.data_root.RawFolder` (``raw/<slug>/``): the zip as downloaded, its files
(extracted under ``files/``) and ``download.json``, the record of that download (size, sha256, files) or, when there
is none, of why the last attempt failed ("needs rules acceptance" with the rules URL, shown to curators by
``mlecurate queue`` and ``show``).

A download is verified before it replaces anything: it goes to ``raw/<slug>/.incoming/`` and must extract under the
archive limits and hold at least one file. Only then do the zip, ``files/``, ``description.md`` and ``download.json``
replace the previous ones, together. A download that fails or is refused (unsafe, damaged or empty zip; rules not
accepted; Kaggle down) leaves the previous download whole and consistent, the three from the same download, and is
recorded in its ``download.json`` as ``last_attempt_failed`` (when and why), then raised.

A competition's text (what ``public/description.md`` opens with) has one resolver, :func:`resolve_description`:
an imported description (``descriptions/<slug>.md``, ``mlecurate import-descriptions``) > the competition-data
source's ``description()`` (Kaggle's pages, a mirror's ``<slug>/description.md``, the demo's) > the Meta Kaggle
source's (its ``Overview`` column) > none. It runs when the data is fetched; the text is kept as
``raw/<slug>/description.md`` and its origin in ``download.json``, so the split reads what was stored
(:func:`stored_description`). A text that cannot be fetched never fails the download: it is recorded as unavailable,
with why.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from curation.sources import Source
from curation.sources.kaggle_client import RulesNotAcceptedError
from validation.archives import ZipLimits, extract_zip
from validation.data_root import DataRoot, RawFolder, write_atomic

INCOMING = ".incoming"  # raw/<slug>/.incoming/: a download being verified; hidden, never read as the competition's data


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
    description: str | None = None  # where raw/<slug>/description.md came from, or why there is none
    last_attempt_failed: str | None = None  # "<when> from <source>: <why>" of a later failed attempt; this one was kept


class CompetitionText(NamedTuple):
    """A competition's text and a line a person reads saying where it came from (or why there is none)."""

    text: str | None
    origin: str


def fetch_competition(
    raw: RawFolder,
    source: Source,
    limits: ZipLimits | None = None,
    *,
    meta_kaggle: Source | None = None,
    imported: Path | None = None,
) -> DownloadRecord:
    """Download, checksum and verify one competition, find its text (:func:`resolve_description` over ``imported``,
    ``source`` and ``meta_kaggle``), then replace the previous download with it (see the module docstring); always
    write ``download.json``; raise when the data fails or is refused (never for the text)."""
    raw.path.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    previous = read_download_record(raw)
    incoming = raw.path / INCOMING
    shutil.rmtree(incoming, ignore_errors=True)  # what a killed attempt left
    try:
        try:
            archive = source.download_competition(raw.slug, incoming)
            digest, size = _sha256(archive)
            text, origin = resolve_description(raw.slug, source, meta_kaggle=meta_kaggle, imported=imported)
            if _already_kept(raw, previous, digest, source.name, text, origin):
                if previous.last_attempt_failed:  # this attempt succeeded: the note of a failed one no longer holds
                    previous = replace(previous, last_attempt_failed=None)
                    _save(raw, previous)
                return previous
            label = f"{archive.name} (competition {raw.slug}, from {source.name})"
            files = extract_zip(archive, incoming / "files", limits or ZipLimits(), label=label)
        except Exception as error:
            _record_failure(raw, source.name, now, error)
            raise
        extracted = sum((incoming / "files" / f).stat().st_size for f in files)
        record = DownloadRecord(raw.slug, "downloaded", source.name, now, zip_bytes=size, zip_sha256=digest,
                                files=files, extracted_bytes=extracted, description=origin)  # fmt: skip
        _replace_download(raw, archive, incoming / "files", text, record)
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
    return record


def _already_kept(
    raw: RawFolder, previous: DownloadRecord | None, digest: str, source: str, text: str | None, origin: str
) -> bool:
    """Whether the kept download is this one: the same zip (sha256) from the same source, with the same text, and its
    files still there. Then nothing is extracted or rewritten."""
    if previous is None or previous.status != "downloaded" or previous.zip_sha256 != digest:
        return False
    if previous.source != source or previous.description != origin or not raw.archive.is_file():
        return False
    if not all((raw.files / name).is_file() for name in previous.files):
        return False
    kept = raw.description.read_text(encoding="utf-8") if raw.description.is_file() else None
    return kept == (text if not text or text.endswith("\n") else text + "\n") or (not text and kept is None)


def resolve_description(
    slug: str, source: Source, *, meta_kaggle: Source | None = None, imported: Path | None = None
) -> CompetitionText:
    """The competition's text, by precedence: the imported file ``imported`` > ``source.description(slug)`` (the
    competition-data source) > ``meta_kaggle.description(slug)`` (Meta Kaggle's Overview column) > None.

    A source that fails is passed over and its failure named in the origin; this never raises for a source.
    """
    if imported is not None and imported.is_file():
        text = imported.read_text(encoding="utf-8-sig")
        if text.strip():
            return CompetitionText(text, f"imported: {imported}")
    tried: list[str] = []
    candidates = [(source, "")]
    if meta_kaggle is not None and meta_kaggle is not source:
        candidates.append((meta_kaggle, " (the Meta Kaggle source)"))
    for candidate, what in candidates:
        try:
            text = candidate.description(slug)
        except Exception as error:  # a description is optional: never fail the download for it
            tried.append(f"{candidate.name} unavailable ({type(error).__name__}: {_first_line(error)})")
            continue
        if text and text.strip():
            passed = f" ({'; '.join(tried)})" if tried else ""
            return CompetitionText(text, f"from {candidate.name}{what}{passed}")
        tried.append(f"none in {candidate.name}")
    return CompetitionText(None, "unavailable: " + "; ".join(tried))


def stored_description(root: DataRoot, slug: str) -> CompetitionText:
    """The text the split uses, read from the data root only (nothing is fetched): an imported description (imported
    after the data was fetched, it still wins), else the one kept with the raw data, with its recorded origin."""
    imported = root.imported_description(slug)
    if imported.is_file() and imported.read_text(encoding="utf-8-sig").strip():
        return CompetitionText(imported.read_text(encoding="utf-8-sig"), f"imported: {imported}")
    raw = root.raw(slug)
    record = read_download_record(raw)
    if raw.description.is_file():
        origin = record.description if record is not None and record.description else "kept with the raw data"
        return CompetitionText(raw.description.read_text(encoding="utf-8"), origin)
    if record is None:
        return CompetitionText(None, f"none: {slug} has no download record (materialise competition_raw first)")
    return CompetitionText(None, record.description or "none: fetched before descriptions were kept; fetch it again")


class DescriptionImportError(ValueError):
    """A folder of descriptions cannot be imported; the message names the folder or file and the competition."""


DESCRIPTION_FILE = "description.md"  # MLE-bench's name, in <DIR>/<slug>/


def import_descriptions(folder: Path, root: DataRoot) -> dict[str, str]:
    """Store each ``<folder>/<slug>/description.md`` (MLE-bench's competitions folder) as the imported description
    of ``slug`` (``descriptions/<slug>.md``), atomically; return each slug's status: ``new``, ``changed`` or
    ``unchanged``. Everything is read and checked before anything is written: an empty or unreadable file, a folder
    without any description, or a missing folder raises :class:`DescriptionImportError`."""
    if not folder.is_dir():
        raise DescriptionImportError(f"{folder}: no such folder (expected MLE-bench's competitions folder, holding "
                                     f"<slug>/{DESCRIPTION_FILE})")  # fmt: skip
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith((".", "_")))
    if not entries:
        raise DescriptionImportError(f"{folder}: the folder is empty; expected <slug>/{DESCRIPTION_FILE} in it")
    found = [p / DESCRIPTION_FILE for p in entries if p.is_dir() and (p / DESCRIPTION_FILE).is_file()]
    if not found:
        shown = ", ".join(p.name for p in entries[:5]) + (", ..." if len(entries) > 5 else "")
        raise DescriptionImportError(f"{folder}: no <slug>/{DESCRIPTION_FILE} in it (it holds {shown})")
    texts = {}
    for path in found:
        slug = path.parent.name
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as error:
            raise DescriptionImportError(f"{path} (competition {slug}): not UTF-8 text: {error}") from error
        if not text.strip():
            raise DescriptionImportError(f"{path} (competition {slug}): the description is empty")
        texts[slug] = text
    statuses = {}
    for slug, text in texts.items():
        target = root.imported_description(slug)
        before = target.read_text(encoding="utf-8") if target.is_file() else None
        statuses[slug] = "new" if before is None else "unchanged" if before == text else "changed"
        if before != text:
            write_atomic(target, text)
    return statuses


def read_download_record(raw: RawFolder) -> DownloadRecord | None:
    if not raw.record.is_file():
        return None
    return DownloadRecord(**json.loads(raw.record.read_text()))


def rules_blocked(root: DataRoot) -> list[DownloadRecord]:
    """Competitions whose download waits for a person to accept the rules on Kaggle."""
    records = [read_download_record(root.raw(slug)) for slug in root.downloaded_slugs()]
    return [r for r in records if r is not None and r.status == "needs_rules_acceptance"]


def _record_failure(raw: RawFolder, source: str, now: str, error: Exception) -> None:
    """Record a failed or refused download: beside the previous download it leaves in place, else as the status."""
    message = f"{type(error).__name__}: {error}"
    try:
        kept = read_download_record(raw)
    except (ValueError, TypeError):  # a damaged record describes no download: this attempt's record replaces it
        kept = None
    if kept is not None and kept.status == "downloaded" and raw.archive.is_file() and raw.files.is_dir():
        _save(raw, replace(kept, last_attempt_failed=f"{now} from {source}: {message}"))
    elif isinstance(error, RulesNotAcceptedError):
        _save(raw, DownloadRecord(raw.slug, "needs_rules_acceptance", source, now, str(error), error.rules_url))
    else:
        _save(raw, DownloadRecord(raw.slug, "failed", source, now, message))


def _replace_download(raw: RawFolder, archive: Path, files: Path, text: str | None, record: DownloadRecord) -> None:
    """Put a verified download in place of the previous one: zip, files/, description.md, then download.json, each
    renamed into place (never half-written)."""
    os.replace(archive, raw.archive)
    retired = raw.path / f"{INCOMING}.retired-files"
    shutil.rmtree(retired, ignore_errors=True)
    if raw.files.exists():
        os.replace(raw.files, retired)
    os.replace(files, raw.files)
    shutil.rmtree(retired, ignore_errors=True)
    if text:
        write_atomic(raw.description, text if text.endswith("\n") else text + "\n")
    else:
        raw.description.unlink(missing_ok=True)  # a text from an earlier fetch is not this fetch's
    _save(raw, record)


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:300] if str(error) else ""


def _save(raw: RawFolder, record: DownloadRecord) -> None:
    write_atomic(raw.record, json.dumps(asdict(record), indent=2) + "\n")


def _sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
