"""Read a zip without trusting it: no path outside the target, bounded size and compression ratio, at least one file.

>>> files = extract_zip(Path("titanic.zip"), Path("raw/titanic/files"), ZipLimits())
>>> with open_zip(data, "Kaggle's leaderboard download for titanic", ZipLimits(max_total_bytes=64 << 20)) as bundle:
...     board = bundle.read(bundle.files[0])

The one reader for every archive mlecurate is handed: a competition's data, a leaderboard download, a Meta Kaggle file
that Kaggle zipped. Every member is checked when the zip is opened, before a byte is read (absolute paths, ``..``,
symlinks, declared sizes and ratios), and sizes are counted again while streaming, because a zip's headers can lie: a
member is never read past its declared size nor past the limits, so memory and disk stay bounded whatever the zip
claims. Kaggle ships some competitions as a zip of archives (``train.zip``, statoil's ``train.json.7z``,
inaturalist's ``train_val2019.tar.gz`` inside ``<slug>.zip``); :func:`extract_zip` extracts the inner archives
(:data:`INNER_ARCHIVES`: zip, 7z, tar, gzip'd, bzip2'd or xz'd tar; a ``.tar.7z``'s tar too, a tar compressed with
7z as planet ships its images) in place, one level deep, under the same limits
and one shared budget, into a staging folder that is renamed into place only when everything succeeded, and removes
each inner archive once extracted. A file is never replaced: a member whose file is already extracted is kept once
if it is its twin byte for byte, and refused otherwise. A 7z (read by py7zr: the standard library has no 7z reader) is checked like a zip
before a byte is expanded (names, symlinks and special files, declared sizes, and the whole archive's ratio, since a
solid 7z compresses members together); a tar's headers sit between its members, so each member is checked as the
stream reaches it (names; symlinks, hard links and devices refused; its declared size against the budget), and a
compressed tar may expand to at most ``max_ratio`` times its own size. Every refusal raises :class:`ArchiveError`
(permanent: the same bytes fail again), naming the archive, the member and the limit; a damaged inner archive is one.
"""

from __future__ import annotations

import contextlib
import io
import lzma
import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import py7zr
import py7zr.exceptions
import py7zr.io

CHUNK = 1 << 20
# Archives inside a competition's zip that are extracted in place (by the end of their name, in lower case).
INNER_ARCHIVES = {
    ".zip": "zip", ".7z": "7z", ".tar": "tar", ".tar.gz": "tar", ".tgz": "tar", ".tar.bz2": "tar", ".tbz2": "tar",
    ".tar.xz": "tar", ".txz": "tar",
}  # fmt: skip


OS_LITTER = frozenset({"__MACOSX", "Thumbs.db", "desktop.ini"})  # what macOS's zip tool and Windows add beside files


def is_os_litter(path: str) -> bool:
    """Whether a POSIX path (in an archive, or in a download) is a file the OS added, not one a person put there:
    hidden names (``.DS_Store``, macOS's ``._x.csv``), ``__MACOSX/``, ``Thumbs.db``, ``desktop.ini``."""
    return any(part.startswith(".") or part in OS_LITTER for part in path.split("/"))


class ArchiveError(ValueError):
    """A zip cannot be used (damaged, empty or unsafe); the message names the archive, the member and the limit.

    ``permanent``: retrying cannot help, the same bytes fail the same way (orchestrators do not retry it)."""

    permanent = True


class UnsafeArchiveError(ArchiveError):
    """A zip was refused as unsafe: a path outside the target, a symlink, or beyond a size, ratio or count limit."""


@dataclass(frozen=True)
class ZipLimits:
    # Bounds against an archive that expands without end, high enough for every real competition MLE-bench holds:
    # its largest download is 451 GB (google-research-identify-contrails-reduce-global-warming; 16 of its 75 are
    # over 50 GB) and herbarium-2021-fgvc8 ships 2.5 million images. The ratio bounds a bomb of any size: per member,
    # and for the whole download, archives inside it included (_Budget.of).
    max_total_bytes: int = 2 * 1024**4  # what all members may expand to, in all (2 TiB)
    max_ratio: float = 200.0  # uncompressed / compressed, per member and in all (text CSVs reach about 10-20)
    max_members: int = 5_000_000


@dataclass
class _Budget:
    """The bytes still allowed, shared by a zip and the zips inside it; ``allowed`` says how many in all, and why."""

    remaining: int
    allowed: str = ""
    total: int = 0

    def left(self) -> str:
        """What the budget allows now, as a message says it: what is left of the whole, when some is spent."""
        if self.remaining < self.total:
            return f"{self.remaining:,} bytes left of the {self.allowed}"
        return self.allowed

    @classmethod
    def of(cls, limits: ZipLimits, archive_bytes: int | None = None) -> _Budget:
        """The budget of an archive of ``archive_bytes`` (None: unknown): the total limit, or the ratio limit times
        the archive's own size when that is less. Each member's ratio is checked level by level, so archives inside
        archives, each at the limit, would multiply it (200:1 twice is 40,000:1); the whole is bounded here."""
        total = limits.max_total_bytes
        if archive_bytes is not None and archive_bytes * limits.max_ratio < total:
            total = int(archive_bytes * limits.max_ratio)
            return cls(total, f"{total:,} allowed ({limits.max_ratio:,.0f} times the archive's {archive_bytes:,} "
                              "bytes, archives inside it included: a bomb?)", total)  # fmt: skip
        return cls(total, f"{total:,} allowed", total)


class _Meter:
    """Counts the bytes an archive's members expand to as they stream, against each member's declared size, the
    budget shared with the archives around it, and (``cap``) what the archive may expand to by its ratio."""

    def __init__(self, label: str, limits: ZipLimits, budget: _Budget, cap: int | None = None):
        self.label, self.limits, self.budget, self.cap, self.total = label, limits, budget, cap, 0

    def count(self, name: str, size: int, written: int, declared: int) -> None:
        """``size`` more bytes of member ``name``, ``written`` of its ``declared`` so far with them."""
        self.budget.remaining -= size
        self.total += size
        if written > declared or self.budget.remaining < 0:
            raise UnsafeArchiveError(
                f"{self.label}: member {name!r} expands beyond its declared size ({declared:,} bytes) or the "
                f"{self.budget.left()}"
            )
        if self.cap is not None and self.total > self.cap:
            raise UnsafeArchiveError(
                f"{self.label}: member {name!r} expands the archive past {self.cap:,} bytes, the "
                f"{self.limits.max_ratio:,.0f}:1 allowed of its own size (a bomb?)"
            )


def _stream(source: BinaryIO, sink: BinaryIO, name: str, declared: int, meter: _Meter) -> int:
    """Copy member ``name`` from ``source`` to ``sink`` through ``meter``; return its size."""
    written = 0
    while chunk := source.read(CHUNK):
        written += len(chunk)
        meter.count(name, len(chunk), written, declared)
        sink.write(chunk)
    return written


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
        meter = _Meter(self.label, self._limits, self._budget)
        try:
            with self._bundle.open(member) as source:
                return _stream(source, sink, name, member.file_size, meter)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
            raise ArchiveError(f"{self.label}: member {name!r} cannot be read ({error})") from error

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
    size = len(archive) if isinstance(archive, bytes) else Path(archive).stat().st_size
    return _opened(archive, label, limits, _Budget.of(limits, size))


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
        for member in members:  # first: a member over the ratio is the bomb to name
            _check_member(member, label, limits)
        declared = sum(m.file_size for m in members)
        if declared > budget.remaining:
            raise UnsafeArchiveError(f"{label}: members expand to {declared:,} bytes, more than the {budget.left()}")
        yield CheckedZip(bundle, label, limits, budget)


def extract_zip(archive: Path, target: Path, limits: ZipLimits | None = None, label: str | None = None) -> list[str]:
    """Extract ``archive`` into ``target`` (replacing it), and the archives in it one level deep; return the extracted
    files' relative paths.

    ``target`` is replaced only when everything was extracted and at least one file came out: a refused or empty zip
    leaves an earlier extraction as it was."""
    limits, label = limits or ZipLimits(), label or archive.name
    staging = target.with_name(f".{target.name}.extracting")
    for left in (staging, *staging.parent.glob(f"{staging.name}.twins-*")):  # a killed run's
        shutil.rmtree(left, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        budget = _Budget.of(limits, archive.stat().st_size)
        _extract(archive, staging, limits, budget, label)
        for inner in sorted(p for p in staging.rglob("*") if p.is_file() and inner_archive_kind(p.name)):  # one level
            inner_label = f"{inner.relative_to(staging).as_posix()} inside {label}"
            before = _files(staging) if inner.name.lower().endswith(".tar.7z") else None
            EXTRACTORS[inner_archive_kind(inner.name)](inner, inner.parent, limits, budget, inner_label)
            inner.unlink()
            for tar in sorted(_files(staging) - before) if before is not None else ():  # a tar compressed with 7z is
                if tar.name.lower().endswith(".tar"):  # one archive, as a .tar.gz: sweep 189's planet train-jpg.tar.7z
                    _extract_tar(tar, tar.parent, limits, budget, f"{tar.relative_to(staging)} inside {inner_label}")
                    tar.unlink()
        if not any(p.is_file() for p in staging.rglob("*")):
            raise ArchiveError(f"{label}: the zip holds no files; nothing to extract (an empty download?)")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())


def _files(top: Path) -> set[Path]:
    return {p for p in top.rglob("*") if p.is_file()}


def _extract(archive: Path, into: Path, limits: ZipLimits, budget: _Budget, label: str) -> None:
    with _Twins(label, into) as twins, _opened(archive, label, limits, budget) as bundle:
        for name in bundle.files:
            with _new_file(_destination(into, _check_name(name, label), label, name, twins), label, name) as sink:
                bundle.copy(name, sink)


def _check_member(member: zipfile.ZipInfo, label: str, limits: ZipLimits) -> None:
    name = member.filename
    _check_name(name, label)
    if stat.S_ISLNK(member.external_attr >> 16):
        raise UnsafeArchiveError(f"{label}: member {name!r} is a symbolic link")
    if member.compress_size and member.file_size / member.compress_size > limits.max_ratio:
        raise UnsafeArchiveError(
            f"{label}: member {name!r} compresses {member.file_size / member.compress_size:,.0f}:1, more than the "
            f"{limits.max_ratio:,.0f}:1 allowed (a zip bomb?)"
        )


def inner_archive_kind(file_name: str) -> str | None:
    """``zip`` | ``7z`` | ``tar`` for an archive :func:`extract_zip` extracts in place, else None (``train.csv.gz`` is
    a gzip'd table, read as it is, not an archive)."""
    name = file_name.lower()
    return next((kind for end, kind in INNER_ARCHIVES.items() if name.endswith(end)), None)


def _check_name(name: str, label: str) -> PurePosixPath:
    """A member's path inside the target; refused when it is absolute, climbs out (``..``) or names a drive."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise UnsafeArchiveError(f"{label}: member {name!r} would be written outside the target folder")
    return path


def _destination(into: Path, path: PurePosixPath, label: str, name: str, twins: _Twins) -> Path:
    """Where member ``name`` goes under ``into``, its folders made. A member that names no file (``.``), or one whose
    folders clash with a file already extracted (a file where a folder is), is refused; one whose file was already
    extracted (an inner archive's ``train.csv`` beside the zip's own) is written aside, to be kept only if its bytes
    are the same (``twins``): extraction never replaces a file, so nothing is lost and nothing goes two levels deep
    (an inner archive holding an archive of an outer one's name)."""
    if not path.parts:
        raise UnsafeArchiveError(f"{label}: member {name!r} names no file")
    destination = into.joinpath(*path.parts)
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as error:
        raise UnsafeArchiveError(f"{label}: member {name!r} needs a folder where a file was extracted") from error
    if destination.is_file() and not destination.is_symlink():
        return twins.aside(destination, name)
    if destination.exists() or destination.is_symlink():
        raise UnsafeArchiveError(f"{label}: member {name!r} clashes with {_shown(destination)}, already extracted "
                                 "as a folder; refused rather than replaced")  # fmt: skip
    return destination


def _shown(path: Path) -> str:
    """A path under the staging folder, as messages name it (relative to the download's top)."""
    return path.relative_to(_top(path.parent)).as_posix()


class _Twins:
    """Members whose file was already extracted, written aside: the same sample in two inner archives (a whole
    folder of multi-modal-gesture's samples is in two of its 7z archives) is kept once; another file under the same
    name is refused (a name twice, or an inner archive's ``train.csv`` beside the zip's own), never a replacement.

    A context manager around one archive's extraction: the members set aside go to a folder of their own beside the
    staging folder (short names, never a member's), compared byte for byte when the archive is done, and the folder
    is removed whatever happens."""

    def __init__(self, label: str, into: Path):
        self.label, self.into, self.pending, self.folder = label, into, [], None

    def __enter__(self) -> _Twins:
        return self

    def __exit__(self, kind, error, trace) -> None:
        try:
            if kind is None:
                self._settle()
        finally:
            if self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)

    def aside(self, destination: Path, name: str) -> Path:
        if self.folder is None:
            top = _top(self.into)  # beside it, named after it: extract_zip clears one a killed run left
            self.folder = Path(tempfile.mkdtemp(prefix=f"{top.name}.twins-", dir=top.parent))
        aside = self.folder / str(len(self.pending))
        self.pending.append((aside, destination, name))
        return aside

    def _settle(self) -> None:
        """Drop every member written aside that is its file's twin, byte for byte; refuse the first that is not."""
        for aside, original, name in self.pending:
            if not _same_bytes(aside, original):
                raise UnsafeArchiveError(
                    f"{self.label}: member {name!r} clashes with {_shown(original)}, already extracted, and its bytes "
                    "differ (a name twice, or an inner archive's file beside the zip's own); refused rather than "
                    "replaced"
                )


def _same_bytes(one: Path, other: Path) -> bool:
    """Whether two files hold the same bytes (read in chunks; no cache, unlike ``filecmp``'s, which trusts size and
    modification time)."""
    if not one.is_file() or one.stat().st_size != other.stat().st_size:
        return False
    with open(one, "rb") as first, open(other, "rb") as second:
        while chunk := first.read(CHUNK):
            if chunk != second.read(len(chunk)):
                return False
    return True


def _top(folder: Path) -> Path:
    """The staging folder an extraction writes under (named ``.<target>.extracting``), for paths in messages."""
    return next((p for p in (folder, *folder.parents) if p.name.endswith(".extracting")), folder)


@contextlib.contextmanager
def _new_file(path: Path, label: str, name: str) -> Iterator[BinaryIO]:
    """``path`` opened to write a member, never over an existing file or folder."""
    try:
        handle = open(path, "xb")  # noqa: SIM115 (closed below)
    except (FileExistsError, IsADirectoryError) as error:
        raise UnsafeArchiveError(f"{label}: member {name!r} clashes with a file or folder already extracted") from error
    with handle:
        yield handle


# What py7zr raises on a damaged or unsupported 7z (its header parser can fail with Python's own errors).
SEVEN_ZIP_ERRORS = (
    py7zr.exceptions.ArchiveError, py7zr.exceptions.PasswordRequired, lzma.LZMAError, zlib.error, EOFError,
    ValueError, KeyError, IndexError, TypeError,
)  # fmt: skip


def _extract_7z(archive: Path, into: Path, limits: ZipLimits, budget: _Budget, label: str) -> None:
    """Extract a 7z: every member checked before a byte is expanded, then streamed through the meter."""
    size = archive.stat().st_size
    with open(archive, "rb") as handle:
        try:
            bundle = py7zr.SevenZipFile(handle)
        except SEVEN_ZIP_ERRORS as error:
            raise ArchiveError(f"{label}: not a 7z archive, or a damaged one ({error})") from error
        with bundle:
            if bundle.needs_password():
                raise ArchiveError(f"{label}: the 7z archive is encrypted; mlecurate cannot read it")
            members = bundle.list()
            declared = _check_7z_members(members, label, limits, budget, size)
            with _Twins(label, into) as twins:
                _extract_7z_members(bundle, members, into, limits, budget, label, declared, size, twins)


def _extract_7z_members(bundle: py7zr.SevenZipFile, members: list, into: Path, limits: ZipLimits, budget: _Budget,
                        label: str, declared: int, size: int, twins: _Twins) -> None:  # fmt: skip
    """Stream a checked 7z's members to their destinations (a twin's aside), through the meter."""
    targets, named = {}, {}  # where each member is written; where py7zr names it
    for member in members:
        if not member.is_directory:
            path = _check_name(member.filename, label)
            targets[member.filename] = _destination(into, path, label, member.filename, twins)
            named[str(into.joinpath(*path.parts).resolve())] = member.filename
    writers = _SevenZipWriters(targets, named, {m.filename: m.uncompressed for m in members}, _Meter(
        label, limits, budget, cap=max(declared, int(size * limits.max_ratio))))  # fmt: skip
    try:
        bundle.extractall(path=into, factory=writers)
    except ArchiveError:
        raise
    except SEVEN_ZIP_ERRORS as error:
        raise ArchiveError(f"{label}: member {writers.current!r} cannot be read ({error})") from error
    except (FileExistsError, NotADirectoryError, IsADirectoryError) as error:  # a folder member over a file
        raise UnsafeArchiveError(f"{label}: a member clashes with a file or folder already extracted "
                                 f"({Path(error.filename or '').name!r})") from error  # fmt: skip
    finally:
        writers.close()


def _check_7z_members(members: list, label: str, limits: ZipLimits, budget: _Budget, size: int) -> int:
    """Check a 7z's listing; return what its members declare they expand to."""
    if len(members) > limits.max_members:
        raise UnsafeArchiveError(f"{label}: {len(members):,} members, more than the limit of {limits.max_members:,}")
    seen: set[str] = set()
    for member in members:
        path = _check_name(member.filename, label).as_posix()
        if path in seen and not member.is_directory:
            raise UnsafeArchiveError(f"{label}: member {member.filename!r} appears twice; refused rather than "
                                     "written twice")  # fmt: skip
        seen.add(path)
        if member.is_symlink:
            raise UnsafeArchiveError(f"{label}: member {member.filename!r} is a symbolic link")
        if not (member.is_file or member.is_directory):
            raise UnsafeArchiveError(f"{label}: member {member.filename!r} is not a file or folder (a special file)")
    declared = sum(m.uncompressed or 0 for m in members if not m.is_directory)
    if declared > max(size, 1) * limits.max_ratio:  # first: the archive's own ratio names the bomb
        largest = max(members, key=lambda m: m.uncompressed or 0)
        raise UnsafeArchiveError(
            f"{label}: members (the largest {largest.filename!r}, {largest.uncompressed:,} bytes) expand "
            f"{declared / max(size, 1):,.0f}:1 from the archive's {size:,} bytes, more than the "
            f"{limits.max_ratio:,.0f}:1 allowed (a 7z bomb?)"
        )
    if declared > budget.remaining:
        raise UnsafeArchiveError(f"{label}: members expand to {declared:,} bytes, more than the {budget.left()}")
    return declared


class _SevenZipWriters(py7zr.io.WriterFactory):
    """Where py7zr writes each member: its checked destination, through the meter (py7zr hands the output path;
    the member is found by it)."""

    def __init__(self, targets: dict[str, Path], by_path: dict[str, str], declared: dict[str, int], meter: _Meter):
        self.by_path = by_path  # the path py7zr hands (resolved) -> the member
        self.targets, self.declared, self.meter = targets, declared, meter
        self.current: str | None = None
        self.opened: list[_SevenZipSink] = []

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        name = self.by_path.get(str(Path(filename).resolve()))
        if name is None:  # py7zr renamed it (a name repeated in the archive): not one of the checked destinations
            raise UnsafeArchiveError(f"{self.meter.label}: a member py7zr renamed ({Path(filename).name!r}) is not "
                                     "one the archive lists")  # fmt: skip
        self.current = name
        sink = _SevenZipSink(self, name, self.targets[name])
        self.opened.append(sink)
        return sink

    def close(self) -> None:
        for sink in self.opened:
            sink.close()


class _SevenZipSink(py7zr.io.Py7zIO):
    def __init__(self, writers: _SevenZipWriters, name: str, path: Path):
        self.writers, self.name, self.written = writers, name, 0
        self.file: BinaryIO | None = open(path, "xb")  # noqa: SIM115 (closed by close(): py7zr calls it, or the factory)

    def write(self, s: bytes | bytearray) -> int:
        self.writers.current = self.name
        self.written += len(s)
        self.writers.meter.count(self.name, len(s), self.written, self.writers.declared[self.name])
        assert self.file is not None
        return self.file.write(s)

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def flush(self) -> None:
        if self.file is not None:
            self.file.flush()

    def size(self) -> int:
        return self.written

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


# What a damaged tar raises; in stream mode tarfile turns a damaged gzip, bzip2 or xz stream into a ReadError.
TAR_ERRORS = (tarfile.TarError, EOFError, zlib.error)


def _extract_tar(archive: Path, into: Path, limits: ZipLimits, budget: _Budget, label: str) -> None:
    """Extract a tar (plain, or gzip'd, bzip2'd, xz'd) in one pass, each member checked as the stream reaches it."""
    meter = _Meter(label, limits, budget, cap=int(archive.stat().st_size * limits.max_ratio))
    name = None
    try:
        with _Twins(label, into) as twins, tarfile.open(archive, "r|*") as bundle:
            for count, member in enumerate(bundle, start=1):
                name = member.name
                if count > limits.max_members:
                    raise UnsafeArchiveError(f"{label}: more members than the limit of {limits.max_members:,}")
                path = _check_tar_member(member, label, limits, budget)
                if member.isdir():
                    continue
                source = bundle.extractfile(member)
                assert source is not None  # a regular file, checked above
                with source, _new_file(_destination(into, path, label, member.name, twins), label,
                                       member.name) as sink:  # fmt: skip
                    _stream(source, sink, member.name, member.size, meter)
    except TAR_ERRORS as error:
        where = f"member {name!r}" if name else "the archive"
        raise ArchiveError(f"{label}: {where} cannot be read ({error}); a damaged tar?") from error


def _check_tar_member(member: tarfile.TarInfo, label: str, limits: ZipLimits, budget: _Budget) -> PurePosixPath:
    path = _check_name(member.name, label)
    if member.issym():
        raise UnsafeArchiveError(f"{label}: member {member.name!r} is a symbolic link")
    if member.islnk():
        raise UnsafeArchiveError(f"{label}: member {member.name!r} is a hard link")
    if not (member.isfile() or member.isdir()):
        raise UnsafeArchiveError(f"{label}: member {member.name!r} is a device or special file")
    if member.size > budget.remaining:
        raise UnsafeArchiveError(
            f"{label}: member {member.name!r} expands to {member.size:,} bytes, more than the {budget.left()}"
        )
    return path


EXTRACTORS = {"zip": _extract, "7z": _extract_7z, "tar": _extract_tar}
