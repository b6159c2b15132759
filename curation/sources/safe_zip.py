"""Extract a downloaded zip without trusting it: no path outside the target, bounded size and compression ratio.

>>> files = extract_zip(Path("titanic.zip"), Path("raw/titanic/files"), ZipLimits())

Every member is checked before a byte is written (absolute paths, ``..``, symlinks, declared sizes and ratios), and
sizes are counted again while streaming, because a zip's headers can lie. Kaggle ships some competitions as a zip
of zips (``train.zip`` inside ``<slug>.zip``); inner zips are extracted in place, one level deep, under the same
limits. Extraction goes to a staging folder that is renamed into place only when everything succeeded.
"""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


class UnsafeArchiveError(ValueError):
    """A zip was refused; the message names the archive, the member and the limit."""


@dataclass(frozen=True)
class ZipLimits:
    max_total_bytes: int = 50 * 1024**3  # what all members may expand to, in all
    max_ratio: float = 200.0  # uncompressed / compressed, per member (text CSVs reach about 10-20)
    max_members: int = 100_000


def extract_zip(archive: Path, target: Path, limits: ZipLimits | None = None) -> list[str]:
    """Extract ``archive`` into ``target`` (replacing it); return the extracted files' relative paths."""
    limits = limits or ZipLimits()
    staging = target.with_name(f".{target.name}.extracting")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        budget = [limits.max_total_bytes]
        _extract(archive, staging, limits, budget, archive.name)
        for inner in sorted(staging.rglob("*.zip")):
            _extract(inner, inner.parent, limits, budget, f"{archive.name}/{inner.relative_to(staging)}")
            inner.unlink()
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())


def _extract(archive: Path, into: Path, limits: ZipLimits, budget: list[int], label: str) -> None:
    try:
        bundle = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as error:
        raise UnsafeArchiveError(f"{label}: not a zip file ({error}); the download may be truncated") from error
    with bundle:
        members = bundle.infolist()
        if len(members) > limits.max_members:
            raise UnsafeArchiveError(
                f"{label}: {len(members):,} members, more than the limit of {limits.max_members:,}"
            )
        declared = sum(m.file_size for m in members)
        if declared > budget[0]:
            raise UnsafeArchiveError(
                f"{label}: members expand to {declared:,} bytes, more than the {limits.max_total_bytes:,} allowed"
            )
        for member in members:
            _check_member(member, label, limits)
        for member in members:
            if member.is_dir():
                continue
            destination = into.joinpath(*PurePosixPath(member.filename).parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            with bundle.open(member) as source, open(destination, "wb") as sink:
                while chunk := source.read(1 << 20):
                    written += len(chunk)
                    budget[0] -= len(chunk)
                    if written > member.file_size or budget[0] < 0:
                        raise UnsafeArchiveError(
                            f"{label}: member {member.filename} expands beyond its declared size or the total limit"
                        )
                    sink.write(chunk)


def _check_member(member: zipfile.ZipInfo, label: str, limits: ZipLimits) -> None:
    name = member.filename
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise UnsafeArchiveError(f"{label}: member {name!r} would be written outside the target folder")
    if stat.S_ISLNK(member.external_attr >> 16):
        raise UnsafeArchiveError(f"{label}: member {name!r} is a symbolic link")
    if member.compress_size and member.file_size / member.compress_size > limits.max_ratio:
        raise UnsafeArchiveError(
            f"{label}: member {name!r} compresses {member.file_size / member.compress_size:,.0f}:1, more than the "
            f"{limits.max_ratio:,.0f}:1 allowed (a zip bomb?)"
        )
