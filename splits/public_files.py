"""A competition's download as a split sees it: the files a recipe names, and the extra files it copies to ``public/``.

>>> files = resolve_public_files(recipe.public_files, raw_dir, "leaf-classification", published_tables(document))
>>> copy_public_files(files, staging.public)

``public_files`` entries are relative to the download: a file (``data_description.txt``), a folder (``images/``,
copied whole) or a glob (``structures/*.csv``; a folder it matches is copied whole). Each is copied unchanged to the
same relative path under ``public/``. An entry that matches nothing, or a file that would replace one of the split's
own public files (the new train and test sets under their names, ``sample_submission.csv``, ``description.md``), is a
:class:`~validation.split_recipe.RecipeError` naming the key, the entry and what the download holds. Whether an extra file
leaks an answer is the leakage checks' question (``validation.leakage``), asked before the split is published.

Every "no such file" error shows :func:`validation.data_files.download_listing`: the download's files, with big
folders summarised (``images/ (1,584 files)``). Each copied file's sha256 is computed once, while it is copied, and
passed on (manifest, leakage checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from validation.data_files import (
    copy_hashed,
    data_stem,
    download_listing,
    download_owner,
    is_data_file,
    missing_file_message,
)
from validation.data_root import PreparedFolder
from validation.split_recipe import RecipeError

GLOB_CHARACTERS = set("*?[")
_OWN = PreparedFolder(Path("prepared"))  # only for the names of the split's own public files


@dataclass(frozen=True)
class PublicFile:
    source: Path  # in the download
    relative: PurePosixPath  # under public/, and under the download
    entry: str  # the public_files entry that matched it


def missing_file(slug: str, key: str, name: str, raw_dir: Path) -> RecipeError:
    """The error for a recipe file key naming a file the download does not have (the text is
    :func:`validation.data_files.missing_file_message`'s, which parity time uses too)."""
    return RecipeError(_prefix(slug) + missing_file_message(slug, key, name, raw_dir))


def resolve_public_files(
    entries: tuple[str, ...], raw_dir: Path, slug: str, tables: dict[str, str]
) -> list[PublicFile]:
    """Every file the ``public_files`` entries name, once each, in path order. ``tables`` are the split's own public
    tables' names (:func:`~validation.data_root.published_tables`): a top-level data file of their stems, in any data
    format, is reserved for them (``train.json`` beside the new ``train.csv`` would be taken for it)."""
    root = raw_dir.resolve()
    found: dict[PurePosixPath, PublicFile] = {}
    for entry in entries:
        matches = _matches(entry, raw_dir)
        files = []
        for match in matches:
            if match.is_symlink():
                continue
            if match.is_dir():
                files += [p for p in sorted(match.rglob("*")) if p.is_file() and not p.is_symlink()]
            elif match.is_file():
                files.append(match)
        files = [p for p in files if root in p.resolve().parents]
        if not files:
            raise RecipeError(
                f"{_prefix(slug)}split recipe key 'public_files': entry '{entry}' matches no file in "
                f"{download_owner(slug, raw_dir)}; files: {download_listing(raw_dir)}"
            )
        for path in files:
            relative = PurePosixPath(path.relative_to(raw_dir).as_posix())
            reserved = split_own_file(relative, tables)
            if reserved:
                raise RecipeError(
                    f"{_prefix(slug)}split recipe key 'public_files': entry '{entry}' would put {relative} in "
                    f"public/, where the split writes its own {reserved}; leave it out of public_files"
                )
            found.setdefault(relative, PublicFile(path, relative, entry))
    return [found[k] for k in sorted(found)]


def copy_public_files(files: list[PublicFile], public: Path) -> dict[str, str]:
    """Copy each file unchanged (bytes and modification time) to ``public/<relative>``; return each file's sha256
    (hex, by its path relative to ``public/``), computed from the bytes as they are copied."""
    digests = {}
    for file in files:
        target = public.joinpath(*file.relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        digests[str(file.relative)] = copy_hashed(file.source, target)
    return digests


def _matches(entry: str, raw_dir: Path) -> list[Path]:
    pattern = entry.rstrip("/")
    if GLOB_CHARACTERS & set(pattern):
        return sorted(raw_dir.glob(pattern))
    path = raw_dir.joinpath(*PurePosixPath(pattern).parts)
    if entry.endswith("/") and not path.is_dir():
        return []
    return [path] if path.exists() else []


def split_own_file(relative: PurePosixPath, tables: dict[str, str]) -> str | None:
    """What the split writes at ``relative``, if it writes anything there (``tables``: its public tables' names)."""
    if len(relative.parts) != 1:
        return None
    name = relative.name  # in any letter case: Train.csv and train.csv are one file on some file systems
    for own_file in (_OWN.sample_submission.name, _OWN.description.name):
        if name.casefold() == own_file.casefold():
            return own_file
    own = {data_stem(table).casefold(): (role, table) for role, table in tables.items()}
    if is_data_file(name) and data_stem(name).casefold() in own:
        role, table = own[data_stem(name).casefold()]
        return f"{table} (the new {role} set, which no other data file beside it may share a name with)"
    return None


def _prefix(slug: str) -> str:
    return f"{slug}: " if slug else ""
