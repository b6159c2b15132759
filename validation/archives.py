"""Read a zip without trusting it: no path outside the target, bounded size and compression ratio, at least one file.

>>> files = extract_zip(Path("titanic.zip"), Path("raw/titanic/files"), ZipLimits())
>>> with open_zip(data, "Kaggle's leaderboard download for titanic", ZipLimits(max_total_bytes=64 << 20)) as bundle:
...     board = bundle.read(bundle.files[0])

The one reader for every archive mlecurate is handed: a competition's data, a leaderboard download, a Meta Kaggle file
that Kaggle zipped. Every member is checked when the zip is opened, before a byte is read (absolute paths, ``..``,
symlinks, declared sizes and ratios), and sizes are counted again while streaming, because a zip's headers can lie: a
member is never read past its declared size nor past the limits, so memory and disk stay bounded whatever the zip
claims. Kaggle ships some competitions as a zip of zips (``train.zip`` inside ``<slug>.zip``); :func:`extract_zip`
extracts inner zips in place, one level deep, under the same limits, into a staging folder that is renamed into place
only when everything succeeded. Every refusal raises :class:`ArchiveError` (permanent: the same bytes fail again).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

CHUNK = 1 << 20


class ArchiveError(ValueError):
    """A zip cannot be used (damaged, empty or unsafe); the message names the archive, the member and the limit.

    ``permanent``: retrying cannot help, the same bytes fail the same way (orchestrators do not retry it)."""

    permanent = True


class UnsafeArchiveError(ArchiveError):
    """A zip was refused as unsafe: a path outside the target, a symlink, or beyond a size, ratio or count limit."""


@dataclass(frozen=True)
class ZipLimits:
    max_total_bytes: int = 50 * 1024**3  # what all members may expand to, in all
    max_ratio: float = 200.0  # uncompressed / compressed, per member (text CSVs reach about 10-20)
    max_members: int = 100_000


@dataclass
class _Budget:
    """The bytes still allowed, shared by a zip and the zips inside it."""

    remaining: int


class CheckedZip:
    """An open zip whose every member passed the checks; members are read through the limits, counted as they stream."""

    def __init__(self, bundle: zipfile.ZipFile, label: str, limits: ZipLimits, budget: _Budget):
        self._bundle, self.label, self._limits, self._budget = bundle, label, limits, budget
        self._members = {m.filename: m for m in bundle.infolist() if not m.is_dir()}

    @property
    def files(self) -> list[str]:
        """The members that are files (not folders), as the zip names them, in the zip's order."""
        return list(self._members)

    def copy(self, name: str, sink: BinaryIO) -> int:
        """Stream member ``name`` into ``sink``; return its size. Raises :class:`ArchiveError` past its declared size
        or the total limit, or when it cannot be decompressed."""
        member = self._members[name]
        written = 0
        try:
            with self._bundle.open(member) as source:
                while chunk := source.read(CHUNK):
                    written += len(chunk)
                    self._budget.remaining -= len(chunk)
                    if written > member.file_size or self._budget.remaining < 0:
                        raise UnsafeArchiveError(
                            f"{self.label}: member {name!r} expands beyond its declared size "
                            f"({member.file_size:,} bytes) or the {self._limits.max_total_bytes:,} bytes allowed"
                        )
                    sink.write(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
            raise ArchiveError(f"{self.label}: member {name!r} cannot be read ({error})") from error
        return written

    def read(self, name: str) -> bytes:
        """Member ``name``'s bytes, read under the limits (see :meth:`copy`)."""
        buffer = io.BytesIO()
        self.copy(name, buffer)
        return buffer.getvalue()


def open_zip(
    archive: Path | bytes, label: str, limits: ZipLimits | None = None
) -> contextlib.AbstractContextManager[CheckedZip]:
    """Open ``archive`` (a path, or the zip's bytes) and check every member against ``limits``; ``label`` names it in
    messages (the file and the competition)."""
    limits = limits or ZipLimits()
    return _opened(archive, label, limits, _Budget(limits.max_total_bytes))


@contextlib.contextmanager
def _opened(archive: Path | bytes, label: str, limits: ZipLimits, budget: _Budget) -> Iterator[CheckedZip]:
    try:
        bundle = zipfile.ZipFile(io.BytesIO(archive) if isinstance(archive, bytes) else archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError) as error:
        raise ArchiveError(f"{label}: not a zip file ({error}); the download may be truncated") from error
    with bundle:
        members = bundle.infolist()
        if len(members) > limits.max_members:
            raise UnsafeArchiveError(
                f"{label}: {len(members):,} members, more than the limit of {limits.max_members:,}"
            )
        declared = sum(m.file_size for m in members)
        if declared > budget.remaining:
            raise UnsafeArchiveError(
                f"{label}: members expand to {declared:,} bytes, more than the {limits.max_total_bytes:,} allowed"
            )
        for member in members:
            _check_member(member, label, limits)
        yield CheckedZip(bundle, label, limits, budget)


def extract_zip(archive: Path, target: Path, limits: ZipLimits | None = None, label: str | None = None) -> list[str]:
    """Extract ``archive`` into ``target`` (replacing it); return the extracted files' relative paths.

    ``target`` is replaced only when everything was extracted and at least one file came out: a refused or empty zip
    leaves an earlier extraction as it was."""
    limits, label = limits or ZipLimits(), label or archive.name
    staging = target.with_name(f".{target.name}.extracting")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        budget = _Budget(limits.max_total_bytes)
        _extract(archive, staging, limits, budget, label)
        for inner in sorted(staging.rglob("*.zip")):
            _extract(inner, inner.parent, limits, budget, f"{inner.relative_to(staging)} inside {label}")
            inner.unlink()
        if not any(p.is_file() for p in staging.rglob("*")):
            raise ArchiveError(f"{label}: the zip holds no files; nothing to extract (an empty download?)")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())


def _extract(archive: Path, into: Path, limits: ZipLimits, budget: _Budget, label: str) -> None:
    with _opened(archive, label, limits, budget) as bundle:
        for name in bundle.files:
            destination = into.joinpath(*PurePosixPath(name).parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with open(destination, "wb") as sink:
                bundle.copy(name, sink)


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
