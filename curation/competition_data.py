"""Competition data: fetch a competition's bundle from Kaggle, a local mirror or the demo, keep it, unpack it safely.

>>> record = fetch_competition("titanic", competition_source(), raw_root=data_root() / "raw")

The source is chosen by configuration: ``MLECURATE_KAGGLE_MIRROR=<dir>`` (a folder laid out as Kaggle downloads
are, ``<dir>/<slug>/<slug>.zip``), else the demo when ``MLECURATE_META_KAGGLE`` is ``demo`` (the default), else
Kaggle through the real client. Each competition gets ``<raw_root>/<slug>/``: the zip as downloaded, its files
(extracted under ``files/``) and ``download.json``, the record of the last attempt (size, sha256, files, or why it
failed: "needs rules acceptance" with the rules URL, shown to curators by ``mlecurate queue`` and ``show``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from curation.kaggle_client import KaggleClient, RulesNotAcceptedError
from curation.paths import atomic_path, write_atomic
from curation.safe_zip import ZipLimits, extract_zip


class CompetitionDataError(RuntimeError):
    """A competition's data cannot be had from the configured source."""


class CompetitionSource(Protocol):
    name: str

    def download(self, slug: str, folder: Path) -> Path:
        """Put ``<slug>.zip`` into ``folder`` (atomically) and return its path."""


@dataclass(frozen=True)
class KaggleSource:
    client: KaggleClient = field(default_factory=KaggleClient)
    name: str = "kaggle"

    def download(self, slug: str, folder: Path) -> Path:
        return self.client.download_competition(slug, folder)


@dataclass(frozen=True)
class MirrorSource:
    root: Path
    name: str = "mirror"

    def download(self, slug: str, folder: Path) -> Path:
        source = self.root / slug / f"{slug}.zip"
        if not source.is_file():
            raise CompetitionDataError(f"{slug}: the mirror {self.root} has no {slug}/{slug}.zip")
        final = folder / f"{slug}.zip"
        with atomic_path(final) as tmp:
            shutil.copyfile(source, tmp)
        return final


def competition_source(mirror: str = "", meta_kaggle: str = "demo") -> CompetitionSource:
    """A mirror folder when given, else the demo when Meta Kaggle is the demo, else Kaggle."""
    if mirror:
        return MirrorSource(Path(mirror).expanduser().resolve())
    if meta_kaggle == "demo":
        from curation.demo_competitions import DemoSource  # imports this module: import here, not at the top

        return DemoSource()
    return KaggleSource()


def split_recipe_for(slug: str, annotations: list) -> tuple[dict, str]:
    """The split recipe curators gave ``slug`` and who gave it; curators who excluded it are not asked.

    Raises :class:`CompetitionDataError` when there is none, or when curators gave different ones.
    """
    given = {a.curator: a.split_recipe for a in annotations if a.split_recipe and a.decision != "exclude"}
    distinct = {json.dumps(r, sort_keys=True) for r in given.values()}
    if not given:
        raise CompetitionDataError(
            f"{slug}: no split recipe; add one with `mlecurate annotate {slug} --curator NAME --split-recipe FILE.yaml`"
        )
    if len(distinct) > 1:
        raise CompetitionDataError(
            f"{slug}: curators {', '.join(sorted(given))} gave different split recipes; agree on one"
        )
    curator = sorted(given)[0]
    return given[curator], ", ".join(sorted(given))


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


def raw_dir(raw_root: Path, slug: str) -> Path:
    return raw_root / slug


def fetch_competition(
    slug: str, source: CompetitionSource, raw_root: Path, limits: ZipLimits | None = None
) -> DownloadRecord:
    """Download, checksum and extract one competition; always write ``download.json``; raise on failure."""
    folder = raw_dir(raw_root, slug)
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        archive = source.download(slug, folder)
        digest, size = _sha256(archive)
        files = extract_zip(archive, folder / "files", limits or ZipLimits())
        extracted = sum((folder / "files" / f).stat().st_size for f in files)
    except RulesNotAcceptedError as error:
        _save(folder, DownloadRecord(slug, "needs_rules_acceptance", source.name, now, str(error), error.rules_url))
        raise
    except Exception as error:
        _save(folder, DownloadRecord(slug, "failed", source.name, now, f"{type(error).__name__}: {error}"))
        raise
    record = DownloadRecord(
        slug, "downloaded", source.name, now, zip_bytes=size, zip_sha256=digest, files=files, extracted_bytes=extracted
    )
    _save(folder, record)
    return record


def read_download_record(raw_root: Path, slug: str) -> DownloadRecord | None:
    path = raw_dir(raw_root, slug) / "download.json"
    if not path.is_file():
        return None
    return DownloadRecord(**json.loads(path.read_text()))


def _save(folder: Path, record: DownloadRecord) -> None:
    write_atomic(folder / "download.json", json.dumps(asdict(record), indent=2) + "\n")


def _sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
