"""A data root on object storage (``MLECURATE_HOME=s3://bucket/prefix``): scopes of it pulled into a local mirror
before a step, and pushed back after, each published by one index written last.

>>> objects = ObjectRoot("s3://mlecurate/data", Path("mlecurate-mirror/.sync"), Path("mlecurate-mirror"))
>>> objects.pull("prepared/titanic", only=("manifest.json",))   # the mirror's copy of what is published
>>> objects.push("prepared/titanic")                             # the mirror's files published as the new version

Every other module works on local paths (``validation.data_root``); only this one speaks to the bucket. A scope is a
folder of the data root that one step writes (``raw/<slug>``, ``prepared/<slug>``, ``tables/<table>``...). On the
bucket it is::

    <prefix>/<scope>/index.json                       {"generation": G, "files": {relpath: {key, sha256, bytes}}}
    <prefix>/<scope>/<generation>/<relpath>           each file, under the generation that first uploaded it

Object storage has no rename, so a push uploads the new and changed files under a new generation, keeps the keys of
unchanged ones, and then writes ``index.json`` in one PUT: the publish. Readers only follow the index, so they see
the previous version or the new one whole, never a mix; a push killed before its index leaves the previous version
published. After the index, the keys only the replaced index held are deleted; files of a generation no index names
(a push killed mid-way) are deleted by a later push of the same scope once older than ``ORPHAN_AGE`` (a concurrent
push of the same scope may still be uploading them before that).

A pull downloads the files whose sha256 differs from the mirror's copy (to a temporary name beside them, checked,
then renamed), and removes the mirror's files the index no longer lists. Files and folders whose name starts with a
dot are mlecurate's temporaries (staging splits, partial files): never pushed, never removed by a pull. The mirror
keeps a record per scope (under ``records``) of each file's size, mtime and sha256 as last pulled or pushed, so an
unchanged file is not read again to hash it.

s3fs (the ``cluster`` extra) is imported only here, and only for an object-storage home; credentials come from the
standard AWS variables (or ~/.aws), which s3fs reads itself.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

INDEX = "index.json"
SCHEMES = ("s3",)
ORPHAN_AGE = 3600.0  # seconds: an unreferenced generation younger than this may be a push still uploading
PULL_ATTEMPTS = 3  # a key deleted between reading the index and downloading it: a newer version was published
GENERATION_TIME = "%Y%m%dT%H%M%SZ"
CHUNK = 1 << 20


class ObjectRootError(RuntimeError):
    """The object-storage data root cannot be used, or holds something damaged; the message names the URL, bucket,
    scope or key."""


@dataclass(frozen=True)
class PullResult:
    scope: str
    generation: str | None  # None: nothing published yet (an empty scope)
    downloaded: int = 0
    removed: int = 0


@dataclass(frozen=True)
class PushResult:
    scope: str
    generation: str | None  # the published generation (None: nothing ever published, nothing to publish)
    uploaded: int = 0
    reused: int = 0
    deleted: int = 0
    published: bool = False  # False: the mirror already matched the published version


def split_url(url: str, setting: str = "MLECURATE_HOME") -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> ``("bucket", "some/prefix")``; anything else is an :class:`ObjectRootError`
    naming ``setting``."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ObjectRootError(
            f"{setting}={url!r}: unknown scheme {parts.scheme!r}; expected a local folder or s3://bucket/prefix "
            "(an S3-compatible store: AWS, MinIO, moto)"
        )
    bucket, prefix = parts.netloc, parts.path.strip("/")
    if not bucket or parts.query or parts.fragment:
        raise ObjectRootError(
            f"{setting}={url!r}: expected s3://bucket/prefix (a bucket name, then an optional prefix)"
        )
    return bucket, prefix


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def hidden(relpath: str) -> bool:
    """A temporary of mlecurate's (a component starting with a dot): never pushed, never removed by a pull."""
    return any(part.startswith(".") for part in relpath.split("/"))


def matches(relpath: str, only: tuple[str, ...]) -> bool:
    """``relpath`` is one of the files ``only`` (fnmatch globs; ``*`` crosses folders) selects; all when empty."""
    return not only or any(fnmatch.fnmatchcase(relpath, pattern) for pattern in only)


@dataclass
class ObjectRoot:
    """The bucket behind a data root, and the local mirror its scopes are pulled into and pushed from."""

    url: str
    records: Path  # the mirror's record of each scope's files as last pulled or pushed (DataRoot.sync_records)
    mirror: Path  # the local folder the code works in (the data root's path)
    endpoint_url: str | None = None
    setting: str = "MLECURATE_HOME"  # named in errors
    _fs: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.bucket, self.prefix = split_url(self.url, self.setting)

    # ------------------------------------------------------------------------------------------- the bucket

    @property
    def fs(self):
        """The s3fs file system, made on first use, after checking that the bucket exists."""
        if self._fs is None:
            try:
                import s3fs
            except ImportError as error:
                raise ObjectRootError(
                    f"{self.setting}={self.url}: an object-storage data root needs s3fs: pip install -e '.[cluster]'"
                ) from error
            kwargs = {"endpoint_url": self.endpoint_url} if self.endpoint_url else {}
            # No listing cache: another worker may publish between two calls, and the index is the truth.
            fs = s3fs.S3FileSystem(use_listings_cache=False, skip_instance_cache=True, client_kwargs=kwargs)
            try:
                found = fs.exists(self.bucket)
            except Exception as error:  # no credentials, endpoint unreachable: s3fs raises many kinds
                raise ObjectRootError(f"{self.setting}={self.url}: cannot reach bucket {self.bucket!r} at "
                                      f"{self._where()}: {error}") from error  # fmt: skip
            if not found:
                raise ObjectRootError(
                    f"{self.setting}={self.url}: bucket {self.bucket!r} does not exist at {self._where()} (or these "
                    "credentials cannot see it); create it, or name another"
                )
            self._fs = fs
        return self._fs

    def _where(self) -> str:
        return self.endpoint_url or "AWS S3"

    def key(self, scope: str, name: str = "") -> str:
        """``bucket/prefix/scope/name``: the s3fs path of an object."""
        return "/".join(part for part in (self.bucket, self.prefix, scope, name) if part)

    def read_index(self, scope: str) -> dict:
        """The published index of ``scope``; an empty one when nothing was ever published."""
        try:
            raw = self.fs.cat_file(self.key(scope, INDEX))
        except FileNotFoundError:
            return {"generation": None, "files": {}}
        try:
            index = json.loads(raw)
            assert isinstance(index.get("files"), dict)
        except (ValueError, AssertionError, AttributeError) as error:
            raise ObjectRootError(f"s3://{self.key(scope, INDEX)}: damaged index of scope {scope} ({error}); push "
                                  "the scope again from a mirror that holds it") from None  # fmt: skip
        return index

    def scopes(self, kind: str) -> list[str]:
        """The scopes ``<kind>/<name>`` published on the bucket (``scopes("prepared")``: every prepared split)."""
        try:
            found = self.fs.ls(self.key(kind), detail=False)
        except FileNotFoundError:
            return []
        base = self.key(kind) + "/"
        return sorted(f"{kind}/{path[len(base) :]}" for path in found if path.startswith(base))

    # ------------------------------------------------------------------------------------------- the mirror

    def _record_path(self, scope: str) -> Path:
        return self.records / f"{scope}.json"

    def _record(self, scope: str) -> dict:
        try:
            found = json.loads(self._record_path(scope).read_text(encoding="utf-8"))
            return found if isinstance(found, dict) else {}
        except (OSError, ValueError):
            return {}  # no record (or a damaged one): every file is hashed again, nothing is lost

    def _write_record(self, scope: str, files: dict[str, dict]) -> None:
        path = self._record_path(scope)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.partial")
        tmp.write_text(json.dumps({"files": files}, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)

    def local_files(self, scope: str) -> dict[str, Path]:
        """The mirror's files of ``scope`` (not its hidden temporaries), by path relative to the scope."""
        folder = self.mirror / scope
        if not folder.is_dir():
            return {}
        found = {}
        for path in sorted(folder.rglob("*")):
            relpath = path.relative_to(folder).as_posix()
            if path.is_file() and not path.is_symlink() and not hidden(relpath):
                found[relpath] = path
        return found

    @staticmethod
    def _state(path: Path, known: dict | None) -> dict:
        """Size, mtime and sha256 of a mirror file; the sha256 is read from ``known`` when size and mtime match it."""
        stat = path.stat()
        if known and known.get("bytes") == stat.st_size and known.get("mtime_ns") == stat.st_mtime_ns:
            return known
        return {"bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": file_sha256(path)}

    # ------------------------------------------------------------------------------------------- pull and push

    def pull(self, scope: str, only: Iterable[str] = ()) -> PullResult:
        """Make the mirror's files of ``scope`` (those ``only`` selects) what the bucket publishes."""
        only = tuple(only)
        for attempt in range(PULL_ATTEMPTS):
            index = self.read_index(scope)
            try:
                return self._pull(scope, index, only)
            except FileNotFoundError:  # the version read was replaced meanwhile, its keys deleted: read it again
                if attempt == PULL_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _pull(self, scope: str, index: dict, only: tuple[str, ...]) -> PullResult:
        folder, record = self.mirror / scope, self._record(scope).get("files", {})
        wanted = {relpath: entry for relpath, entry in index["files"].items() if matches(relpath, only)}
        present = {relpath: path for relpath, path in self.local_files(scope).items() if matches(relpath, only)}
        states, downloaded, removed = dict(record), 0, 0
        for relpath, entry in sorted(wanted.items()):
            target = folder / relpath
            if relpath in present and self._state(target, record.get(relpath))["sha256"] == entry["sha256"]:
                states[relpath] = self._state(target, record.get(relpath))
                continue
            self._download(scope, entry, target)
            states[relpath] = self._state(target, None)
            downloaded += 1
        for relpath, path in present.items():
            if relpath not in wanted:
                path.unlink()
                states.pop(relpath, None)
                removed += 1
        if removed:
            _remove_empty_folders(folder)
        states = {relpath: state for relpath, state in states.items() if relpath in index["files"]}
        self._write_record(scope, states)
        return PullResult(scope, index.get("generation"), downloaded, removed)

    def _download(self, scope: str, entry: dict, target: Path) -> None:
        """The object ``entry`` names, to ``target``: through a temporary beside it, its sha256 checked first."""
        key = self.key(scope, entry["key"])
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.partial")
        try:
            self.fs.get_file(key, str(tmp))
            found = file_sha256(tmp)
            if found != entry["sha256"]:
                raise ObjectRootError(
                    f"s3://{key} (scope {scope}): downloaded sha256 {found}, the index says {entry['sha256']}: the "
                    "object is damaged or was replaced outside mlecurate; push the scope again from a good mirror"
                )
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def push(self, scope: str) -> PushResult:
        """Publish the mirror's files of ``scope`` as its new version: new and changed files uploaded under a new
        generation, unchanged ones keeping their keys, then the index (the publish), then the replaced keys deleted.
        Nothing is written when the mirror already matches the published version."""
        record = self._record(scope).get("files", {})
        states = {relpath: self._state(path, record.get(relpath)) for relpath, path in self.local_files(scope).items()}
        index = self.read_index(scope)
        published = index["files"]
        same = states.keys() == published.keys() and all(
            published[relpath]["sha256"] == state["sha256"] for relpath, state in states.items()
        )
        if same:
            self._write_record(scope, states)
            return PushResult(scope, index.get("generation"), reused=len(states))
        generation = f"{datetime.now(UTC).strftime(GENERATION_TIME)}-{secrets.token_hex(4)}"
        files, uploaded, reused = {}, 0, 0
        for relpath, state in sorted(states.items()):
            before = published.get(relpath)
            if before and before["sha256"] == state["sha256"]:
                files[relpath] = before
                reused += 1
                continue
            entry = {"key": f"{generation}/{relpath}", "sha256": state["sha256"], "bytes": state["bytes"]}
            self.fs.put_file(str(self.mirror / scope / relpath), self.key(scope, entry["key"]))
            files[relpath] = entry
            uploaded += 1
        new_index = {"generation": generation, "files": files}
        self.fs.pipe_file(self.key(scope, INDEX), json.dumps(new_index, indent=1, sort_keys=True).encode())
        self._write_record(scope, states)
        kept = {entry["key"] for entry in files.values()}
        stale = [self.key(scope, e["key"]) for e in published.values() if e["key"] not in kept]
        if stale:
            self.fs.rm(stale)
        deleted = len(stale) + self._delete_orphans(scope, {key.split("/")[0] for key in kept})
        return PushResult(scope, generation, uploaded, reused, deleted, published=True)

    def _delete_orphans(self, scope: str, referenced: set[str]) -> int:
        """Delete the generations of ``scope`` that no index names and that are older than ``ORPHAN_AGE``."""
        try:
            found = self.fs.ls(self.key(scope), detail=False)
        except FileNotFoundError:
            return 0
        deleted = 0
        for path in found:
            name = path.rsplit("/", 1)[-1]
            if name == INDEX or name in referenced:
                continue
            try:
                made = datetime.strptime(name.split("-")[0], GENERATION_TIME).replace(tzinfo=UTC).timestamp()
            except ValueError:
                continue  # not a generation of ours: left alone
            if time.time() - made > ORPHAN_AGE:
                self.fs.rm(path, recursive=True)
                deleted += 1
        return deleted


def _remove_empty_folders(folder: Path) -> None:
    """Remove the empty folders under ``folder`` (and it, if empty) a pull's removals left."""
    for path in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(path.iterdir()) and not hidden(path.relative_to(folder).as_posix()):
            path.rmdir()
    if folder.is_dir() and not any(folder.iterdir()):
        shutil.rmtree(folder)
