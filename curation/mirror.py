"""What a step or a command pulls from an object-storage data root before it runs, and pushes after.

>>> with synced(objects, root, warehouse, reads=[Part(root.raw(slug).path, ("download.json",))],
...             writes=[Part(root.prepared(slug).path)]):
...     build_the_split(root)          # local paths, as with a local data root

With a local data root (``objects`` None) this does nothing. With ``MLECURATE_HOME=s3://...`` the data root is a
local mirror (``validation.object_root``): the parts read and written are pulled first, and every warehouse table is
pulled and loaded into the mirror's warehouse when it changed (``load_tables=False``: none, for a block needing no
table, such as an annotations save); after the block (after a failure too, so that a failed stage's record reaches the
bucket) the parts written and the tables replaced are pushed, each scope's changes merged into what the bucket
publishes now, by its index, written last. Only the parts a step writes are pushed. Steps may share one mirror
(``make cluster``'s workers): a pull leaves what another step wrote and has not pushed yet as it is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from curation.warehouse import Warehouse
from validation.data_root import BUILT_BY, DataRoot, LeaderboardFolder
from validation.object_root import ObjectRoot


@dataclass(frozen=True)
class Part:
    """A scope of the data root (``raw/<slug>``), or only the files of it ``only`` selects (fnmatch globs); with
    ``each``, ``folder`` holds one scope per competition (``prepared``) and the part is every one of them."""

    folder: Path
    only: tuple[str, ...] = ()
    each: bool = False


def unpacked_download(root: DataRoot, slug: str) -> Part:
    """What a split and its parity read of a competition's download: its record, text and files, not the zip."""
    raw = root.raw(slug)
    return Part(raw.path, (raw.record.name, raw.description.name, f"{raw.files.name}/*"))


def leaderboard_histories(root: DataRoot) -> Part:
    """Every competition's leaderboard history (what the refresh schedule and the freshness check read)."""
    return Part(root.leaderboards_root, (LeaderboardFolder(root.leaderboards_root).history.name,), each=True)


def catalogue(root: DataRoot) -> list[Part]:
    """The small files of every competition that listings and the warehouse's views read (download records,
    manifests, parity reports, failed stages, leaderboard histories and snapshots) and every annotation."""
    return [
        Part(root.raw_root, ("download.json",), each=True),
        Part(root.prepared_root, ("manifest.json", "parity.json"), each=True),
        Part(root.status_root, each=True),
        Part(root.leaderboards_root, ("history.jsonl", "snapshots/*"), each=True),
        Part(root.annotations, each=True),
    ]


def export_inputs(root: DataRoot) -> list[Part]:
    """What an MLE-bench export reads: every published split and leaderboard whole, each download's record and zip,
    the failed stages and the annotations (whether the published split is the one the curators now ask for)."""
    return [
        Part(root.prepared_root, each=True),
        Part(root.leaderboards_root, each=True),
        Part(root.raw_root, ("download.json", "*.zip"), each=True),
        Part(root.status_root, each=True),
        Part(root.annotations, each=True),
    ]


def scopes(objects: ObjectRoot, root: DataRoot, part: Part, local: bool = False) -> list[str]:
    """The scopes ``part`` covers: itself, or (``each``) every one the bucket has under it, and with ``local`` also
    every one the mirror has."""
    if not part.each:
        return [root.scope(part.folder)]
    kind = root.scope(part.folder)
    found = set(objects.scopes(kind))
    if local and part.folder.is_dir():
        found |= {f"{kind}/{p.name}" for p in part.folder.iterdir() if p.is_dir() and not p.name.startswith(".")}
    return sorted(found)


def table_scopes(root: DataRoot, tables: Iterable[str]) -> list[str]:
    return [root.scope(root.table_copy(name).parent) for name in tables]


@contextlib.contextmanager
def synced(
    objects: ObjectRoot | None,
    root: DataRoot,
    warehouse: Warehouse,
    reads: Iterable[Part] = (),
    writes: Iterable[Part] = (),
    tables: Iterable[str] = (),
    views: bool = False,
    load_tables: bool = True,
) -> Iterator[DataRoot]:
    """``root`` with ``reads`` and ``writes`` pulled and (``load_tables``) the tables loaded; ``writes`` and
    ``tables`` (the tables the block replaces) pushed after it. ``views``: the warehouse's views made over the files
    pulled. Without ``load_tables`` or ``views`` the warehouse is not opened at all."""
    if objects is None:
        yield root
        return
    writes, tables = list(writes), list(tables)
    if any(part.only for part in writes):
        raise ValueError("a part written is pulled and pushed whole: give it no `only`")
    for part in [*reads, *writes]:
        for scope in scopes(objects, root, part):
            objects.pull(scope, only=part.only)
    if load_tables:
        for scope in table_scopes(root, BUILT_BY):
            objects.pull(scope)
        warehouse.load_table_copies(root)
    if views:
        warehouse.refresh_views(root)
    try:
        yield root
    except BaseException as error:
        try:
            push(objects, root, writes, ())  # a failed stage's record, and whatever the step kept, as locally
        except Exception as failed:
            error.add_note(f"(pushing {', '.join(root.scope(p.folder) for p in writes)} afterwards failed: {failed})")
        raise
    push(objects, root, writes, tables)


def push(objects: ObjectRoot, root: DataRoot, writes: Iterable[Part], tables: Iterable[str]) -> None:
    for part in writes:
        for scope in scopes(objects, root, part, local=True):
            objects.push(scope)
    for scope in table_scopes(root, tables):
        objects.push(scope)
