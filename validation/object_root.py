"""A data root on object storage (``MLECURATE_HOME=s3://bucket/prefix``): scopes of it pulled into a local mirror
before a step, and pushed back after, each published by one index written last.

>>> objects = ObjectRoot("s3://mlecurate/data", Path("mlecurate-mirror/.sync"), Path("mlecurate-mirror"))
>>> objects.pull("prepared/titanic", only=("manifest.json",))   # the mirror's copy of what is published
>>> objects.push("prepared/titanic")                             # the mirror's changes published as the new version

Every other module works on local paths (``validation.data_root``); only this one speaks to the bucket. A scope is a
folder of the data root that one step writes (``raw/<slug>``, ``prepared/<slug>``, ``tables/<table>``...). On the
bucket it is::

    <prefix>/<scope>/index.json                       {"generation": G, "files": {relpath: {key, sha256, bytes}}}
    <prefix>/<scope>/<generation>/<relpath>           each file, under the generation that first uploaded it

The mirror keeps a record per scope (under ``records``) of each file as last pulled or pushed: its size, mtime, inode
and sha256. A file whose size, mtime or inode differ from its record is hashed again; one whose content differs from
its record, or that has no record, is local work (a step wrote it), and so is a recorded file that is missing (a step
removed it). Several processes may share one mirror (``make cluster``'s workers), so:

- A pull never discards local work: it updates, and removes when the index dropped them, only the files unchanged
  since the last sync (each download to a temporary name beside the file, its sha256 checked, then renamed).
- A push merges by file against the bucket's current index: the files changed locally since the last sync are
  uploaded under a new generation (a file whose content the index already holds keeps its key), the files removed
  locally are dropped, and every other file keeps the entry the index has now, even a newer one another writer
  published. Then ``index.json`` is written in one PUT: the publish (object storage has no rename). Readers only
  follow the index, so they see the previous version or the new one whole, never a mix; a push killed before its
  index leaves the previous version published. No local change: nothing uploaded, no index written.
- What remains: two pushes of the same file of one scope at once -> the last writer wins for that file, as on a
  local disk (the index is read again just before it is written, so the window is one PUT for the other files).
- Keys are never deleted as they are replaced: after its index a push deletes the keys of its scope that the index
  (read again) does not name and that are older than ``UNREFERENCED_GRACE`` by the bucket's own clock (their
  LastModified against the index's), so another writer's push still uploading keeps the keys it is about to name.

Within one mirror the pulls and pushes of one scope take turns (an flock on ``records/<scope>.lock``). Files and
folders whose name starts with a dot are mlecurate's temporaries (staging splits, partial files): never pushed,
never removed by a pull. To start a mirror afresh, delete it whole, ``.sync`` included: files deleted by hand from a
mirror that keeps its records are deletions its next push of their scope publishes.

s3fs (the ``cluster`` extra) is imported only here, and only for an object-storage home; credentials come from the
standard AWS variables (or ~/.aws), which s3fs reads itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from validation.data_files import file_sha256

INDEX = "index.json"
SCHEMES = ("s3",)
UNREFERENCED_GRACE = 3600.0  # seconds: a key no index names, younger than this, may be a push still uploading
PULL_ATTEMPTS = 3  # a key deleted between reading the index and downloading it: a newer version was published
GENERATION_TIME = "%Y%m%dT%H%M%SZ"
GENERATION = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{8}")  # a generation's folder name (time made, then random)


class ObjectRootError(RuntimeError):
    """The object-storage data root cannot be used, or holds something damaged; the message names the URL, bucket,
    scope or key."""


class _Replaced(Exception):
    """A key the index read named is gone: a newer version was published meanwhile (the pull reads it again)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class PullResult:
    scope: str
    generation: str | None  # None: nothing published yet (an empty scope)
    downloaded: int = 0
    removed: int = 0
    kept: int = 0  # local work left as it was: files changed, added or removed since the last sync, not pushed yet


@dataclass(frozen=True)
class PushResult:
    scope: str
    generation: str | None  # the published generation (None: nothing ever published, nothing to publish)
    uploaded: int = 0
    reused: int = 0  # files of the published index that kept the key they had
    deleted: int = 0  # keys no index names, older than UNREFERENCED_GRACE
    published: bool = False  # False: nothing changed locally since the last sync (or the index already held it)
    removed: int = 0  # files removed locally, dropped from the index


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
        key = self.key(scope, INDEX)
        try:
            raw = self.fs.cat_file(key)
        except FileNotFoundError:
            return {"generation": None, "files": {}}
        except Exception as error:  # s3fs raises many kinds (botocore, aiohttp, OSError)
            raise ObjectRootError(f"s3://{key} (scope {scope}): reading the index failed: {type(error).__name__}: "
                                  f"{error}") from error  # fmt: skip
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
        except Exception as error:
            raise ObjectRootError(f"s3://{self.key(kind)}: listing the scopes {kind}/* failed: "
                                  f"{type(error).__name__}: {error}") from error  # fmt: skip
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
        """Size, mtime, inode and sha256 of a mirror file; the sha256 is read from ``known`` when the other three
        match it (an atomic write makes a new inode, so a same-size rewrite within one mtime tick is seen too)."""
        stat = path.stat()
        if (
            known
            and known.get("bytes") == stat.st_size
            and known.get("mtime_ns") == stat.st_mtime_ns
            and known.get("ino") == stat.st_ino
        ):
            return known
        return {"bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns, "ino": stat.st_ino, "sha256": file_sha256(path)}

    @contextlib.contextmanager
    def _turn(self, scope: str) -> Iterator[None]:
        """This mirror's pulls and pushes of ``scope`` one at a time (processes and threads sharing the mirror)."""
        path = self.records / f"{scope}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _call(self, what: str, scope: str, key: str, call, *args):
        """``call(*args)`` on the bucket; its failure an :class:`ObjectRootError` naming ``s3://key`` and the scope."""
        try:
            return call(*args)
        except ObjectRootError:
            raise
        except Exception as error:  # s3fs raises many kinds (botocore, aiohttp, OSError)
            raise ObjectRootError(
                f"s3://{key} (scope {scope}): {what} failed: {type(error).__name__}: {error}"
            ) from error

    # ------------------------------------------------------------------------------------------- pull and push

    def pull(self, scope: str, only: Iterable[str] = ()) -> PullResult:
        """Make the mirror's files of ``scope`` (those ``only`` selects) that are unchanged since the last sync what
        the bucket publishes; local work is left as it is (module docstring)."""
        only = tuple(only)
        with self._turn(scope):
            for attempt in range(PULL_ATTEMPTS):
                index = self.read_index(scope)
                try:
                    return self._pull(scope, index, only)
                except _Replaced as gone:  # the version read was replaced meanwhile, and its keys deleted
                    if attempt == PULL_ATTEMPTS - 1:
                        raise ObjectRootError(
                            f"s3://{gone.key} (scope {scope}): the index names it but it does not exist (read "
                            f"{PULL_ATTEMPTS} times); push the scope again from a mirror that holds it"
                        ) from None
        raise AssertionError("unreachable")

    def _pull(self, scope: str, index: dict, only: tuple[str, ...]) -> PullResult:
        folder, record = self.mirror / scope, self._record(scope).get("files", {})
        wanted = {relpath: entry for relpath, entry in index["files"].items() if matches(relpath, only)}
        present = {relpath: path for relpath, path in self.local_files(scope).items() if matches(relpath, only)}
        states, downloaded, removed, kept = dict(record), 0, 0, 0
        for relpath, entry in sorted(wanted.items()):
            target, known = folder / relpath, record.get(relpath)
            if relpath in present:
                state = self._state(target, known)
                if state["sha256"] == entry["sha256"]:
                    states[relpath] = state  # already the published file
                    continue
                if known is None or state["sha256"] != known["sha256"]:
                    kept += 1  # written here since the last sync, not pushed yet
                    continue
            elif known is not None:
                kept += 1  # removed here since the last sync, not pushed yet
                continue
            written = self._download(scope, entry, target, state if relpath in present else None)
            if written is None:
                kept += 1  # another process's step wrote or removed it while it downloaded: its work, left alone
                continue
            states[relpath] = written
            downloaded += 1
        for relpath, path in present.items():
            known = record.get(relpath)
            if relpath in wanted or known is None or self._state(path, known)["sha256"] != known["sha256"]:
                continue  # published, or local work
            path.unlink()
            states.pop(relpath)
            removed += 1
        if removed:
            _remove_empty_folders(folder)
        # Forget the removals someone else already published; keep every other record (local work stays local work).
        states = {
            r: s for r, s in states.items() if r in index["files"] or (folder / r).is_file() or not matches(r, only)
        }
        self._write_record(scope, states)
        return PullResult(scope, index.get("generation"), downloaded, removed, kept)

    def _download(self, scope: str, entry: dict, target: Path, before: dict | None) -> dict | None:
        """The object ``entry`` names, to ``target`` (whose state was ``before``; None: absent): through a temporary
        beside it, its sha256 checked first; the state of the file written, or None when ``target`` changed
        meanwhile (then left as it is)."""
        key = self.key(scope, entry["key"])
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.partial")
        try:
            try:
                self.fs.get_file(key, str(tmp))
            except FileNotFoundError:
                raise _Replaced(key) from None
            except Exception as error:
                raise ObjectRootError(f"s3://{key} (scope {scope}): download failed: {type(error).__name__}: "
                                      f"{error}") from error  # fmt: skip
            found = file_sha256(tmp)
            if found != entry["sha256"]:
                raise ObjectRootError(
                    f"s3://{key} (scope {scope}): downloaded sha256 {found}, the index says {entry['sha256']}: the "
                    "object is damaged or was replaced outside mlecurate; push the scope again from a good mirror"
                )
            now = self._state(target, before) if target.is_file() else None
            if (now and now["sha256"]) != (before and before["sha256"]):
                return None
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return self._state(target, None)

    def push(self, scope: str) -> PushResult:
        """Publish the mirror's changes to ``scope`` since the last sync, merged by file into the bucket's current
        version: changed and new files uploaded under a new generation, removed ones dropped, every other file as the
        index has it now; then the index (the publish), then the keys no index names deleted once older than
        ``UNREFERENCED_GRACE``. Nothing is written when nothing changed (module docstring)."""
        with self._turn(scope):
            return self._push(scope)

    def _push(self, scope: str) -> PushResult:
        record = self._record(scope).get("files", {})
        states = {relpath: self._state(path, record.get(relpath)) for relpath, path in self.local_files(scope).items()}
        changed = {r: s for r, s in states.items() if r not in record or record[r]["sha256"] != s["sha256"]}
        removed = {r for r in record if r not in states}
        index = self.read_index(scope)
        if not changed and not removed:  # the untouched scope: the bucket's version, even a newer one, stays
            self._write_record(scope, states)
            return PushResult(scope, index.get("generation"), reused=len(index["files"]))
        generation = f"{datetime.now(UTC).strftime(GENERATION_TIME)}-{secrets.token_hex(4)}"
        uploaded: dict[str, dict] = {}
        for relpath, state in sorted(changed.items()):
            before = index["files"].get(relpath)
            if not (before and before["sha256"] == state["sha256"]):
                uploaded[relpath] = self._upload(scope, generation, relpath, state)
        index = self.read_index(scope)  # again: what another writer published while this one uploaded is kept
        files = dict(index["files"])
        for relpath, state in sorted(changed.items()):
            before = files.get(relpath)
            if before and before["sha256"] == state["sha256"]:
                continue  # the index holds this content already (a key it names, so never deleted under it)
            files[relpath] = uploaded.get(relpath) or self._upload(scope, generation, relpath, state)
        dropped = {relpath for relpath in removed if relpath in files}
        for relpath in dropped:
            del files[relpath]
        synced = {r: s for r, s in {**record, **states}.items() if r not in removed}
        if files == index["files"]:
            self._write_record(scope, synced)
            return PushResult(scope, index.get("generation"), reused=len(files))
        new_index = {"generation": generation, "files": files}
        key = self.key(scope, INDEX)
        self._call("writing the index", scope, key, self.fs.pipe_file, key,
                   json.dumps(new_index, indent=1, sort_keys=True).encode())  # fmt: skip
        self._write_record(scope, synced)
        deleted = self._delete_unreferenced(scope)
        new = sum(entry["key"].startswith(f"{generation}/") for entry in files.values())
        return PushResult(scope, generation, new, len(files) - new, deleted, published=True, removed=len(dropped))

    def _upload(self, scope: str, generation: str, relpath: str, state: dict) -> dict:
        entry = {"key": f"{generation}/{relpath}", "sha256": state["sha256"], "bytes": state["bytes"]}
        key = self.key(scope, entry["key"])
        self._call("upload", scope, key, self.fs.put_file, str(self.mirror / scope / relpath), key)
        return entry

    def _delete_unreferenced(self, scope: str) -> int:
        """Delete the keys of ``scope``'s generations that its index (read now) does not name and that are older
        than ``UNREFERENCED_GRACE``, both times the bucket's own (LastModified), not this machine's clock."""
        base = self.key(scope) + "/"
        found = self._call("listing", scope, base, lambda: self.fs.find(base, detail=True))
        written = found.get(base + INDEX) or self._call("reading", scope, base + INDEX, self.fs.info, base + INDEX)
        now = written["LastModified"]  # the index just written: the bucket's "now"
        named = {self.key(scope, entry["key"]) for entry in self.read_index(scope)["files"].values()}
        stale = [
            path
            for path, info in found.items()
            if path.startswith(base)
            and GENERATION.fullmatch(path[len(base) :].split("/")[0])  # only our generations: not a nested scope
            and path not in named
            and (now - info["LastModified"]).total_seconds() > UNREFERENCED_GRACE
        ]
        if stale:
            self._call("deleting unreferenced keys", scope, stale[0], self.fs.rm, stale)
        return len(stale)


def _remove_empty_folders(folder: Path) -> None:
    """Remove the empty folders under ``folder`` (and it, if empty) a pull's removals left."""
    for path in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(path.iterdir()) and not hidden(path.relative_to(folder).as_posix()):
            path.rmdir()
    if folder.is_dir() and not any(folder.iterdir()):
        shutil.rmtree(folder)
