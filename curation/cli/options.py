"""What every command shares: the curation context (settings -> data root, annotation store, warehouse), the
decorators that hand it and the common arguments to a command, and the error a command raises.

>>> @click.command("show")
... @slug_argument()
... @pass_curation
... def show(curation: Curation, slug: str) -> None: ...
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from functools import cached_property

import click

from curation.annotations import AnnotationStore
from curation.mirror import Part, catalogue, synced
from curation.settings import Settings
from curation.warehouse import Warehouse
from validation.data_root import DataRoot, slug_folder
from validation.object_root import ObjectRoot

LOCK_TIMEOUT_SECONDS = 30  # a curator waits this long for a running pipeline step to release the warehouse


class CommandError(RuntimeError):
    """A command cannot do what was asked; the message says why and what to do."""


class Curation:
    """The settings and what they point at, read on first use (so ``--help`` reads no environment)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings

    @cached_property
    def settings(self) -> Settings:
        return self._settings or Settings.from_environment()

    @cached_property
    def root(self) -> DataRoot:
        return self.settings.data_root()

    @cached_property
    def store(self) -> AnnotationStore:
        return AnnotationStore(self.root.annotations)

    @cached_property
    def warehouse(self) -> Warehouse:
        return Warehouse(self.root.warehouse, lock_timeout=LOCK_TIMEOUT_SECONDS)

    @cached_property
    def objects(self) -> ObjectRoot | None:
        """The bucket behind an ``s3://`` home (None for a local one)."""
        return self.settings.object_root()

    def synced(
        self, reads: Iterable[Part] = (), writes: Iterable[Part] = (), views: bool = False, load_tables: bool = True
    ) -> contextlib.AbstractContextManager[DataRoot]:
        """With an ``s3://`` home: what the command reads and writes pulled into the local mirror first (and the
        warehouse's tables unless not ``load_tables``, and its views with ``views``), what it writes pushed after
        (``curation.mirror``); nothing with a local home."""
        return synced(self.objects, self.root, self.warehouse, reads, writes, views=views, load_tables=load_tables)

    def annotations_synced(self, slug: str, load_tables: bool = False) -> contextlib.AbstractContextManager[DataRoot]:
        """``synced`` for a command or page that writes ``slug``'s annotations: that scope alone pulled before and
        pushed after; the tables only with ``load_tables`` (``annotate`` checks the slug against them; the workbench
        never: a page may be reading the warehouse meanwhile)."""
        return self.synced(writes=[Part(slug_folder(self.store.root, slug))], load_tables=load_tables)

    def listing(self) -> contextlib.AbstractContextManager[DataRoot]:
        """``synced`` for the commands that list or show competitions: every competition's small files."""
        return self.synced(reads=catalogue(self.root), views=True)


pass_curation = click.make_pass_decorator(Curation, ensure=True)


def slug_argument(help: str = "the competition's Kaggle slug"):
    """The competition a command is about: ``SLUG``."""
    return click.argument("slug", metavar="SLUG", help=help)
