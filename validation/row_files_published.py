"""Whether the download's per-row files are published with their rows: a warning check.

>>> check = check_row_files_published(raw_files, "id", ids, recipe.row_files, published, tables, recipe.kind)
>>> check.passed, check.found
(False, 'the download holds a file named by the id for 700 of the first 700 train rows (train/0004be2c.jpg, ...),
and public/ holds 0 of them: agents would get those rows without their files; set row_files: "train/{id}" ...')

An image or audio competition ships a table of ids and a folder of files named by them. A recipe without
``row_files`` publishes the table alone (a newcomer's sweep: aerial-cactus' recipe without its two ``row_files``
lines published train.csv, test.csv and the sample, every check passed, and the description said "No other file
of Kaggle's download is in public/"). The check looks up the first :data:`SAMPLED_IDS` ids of the train file among
the download's file names (the whole name, or without one or two extensions: ``<id>.nii.gz``) and folder names
(``train/<id>/1.dcm``); when at least half have one and ``public_files`` does not copy an id's file in the train
folder, it names them and suggests the pattern that finds the most, where a train folder's (at any depth) wins over a
test folder's of the same names (invasive-species numbers both ``train/`` and ``test/`` from 1: Kaggle's test images
are no train row's). A folder per row (``train/<id>/``) gets no pattern (``row_files`` places one file a row); files
in many folders (filed by label), so that no pattern finds nine in ten, are said to lie there; released labels are
told ``public_files``. It warns: the files may be no
input of the task.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from pathlib import Path, PurePosixPath

from validation.archives import is_os_litter
from validation.checks import Check
from validation.leakage import SplitCheck
from validation.messages import shown_list

ROW_FILES_PUBLISHED = Check(
    "row_files_published",
    "Where the download holds a file named by at least half of the first training rows' ids (an image or a recording "
    "per row), the split publishes them with their rows (recipe key `row_files`).",
    severity="warning",
    remedy="Set `row_files` to the files' pattern (the finding suggests one where it can), so each new train and "
    "test row's file goes with it; if the files are no input of the task, say so in the annotation's note.",
)
SAMPLED_IDS = 1_000  # the train file's first ids looked up
LEAST_SHARE = 0.5  # of them, at least this share named by a file is "a file per row"
SHOWN = 3
PATHS_KEPT = 8  # files kept per id (the same name in train/ and test/, a folder of slices)
PATTERN_SHARE = 0.9  # a pattern suggested finds at least this share of the ids' files (one label's folder: not)


def check_row_files_published(
    raw: Path,
    id_column: str | None,
    ids: Iterable[str],
    row_files: str | None,
    published: Collection[str],
    tables: Collection[Path],
    kind: str = "random",
) -> SplitCheck:
    """The check on a built split: ``raw`` the download's files, ``ids`` the train file's first ``id_column`` values,
    ``row_files`` the recipe's, ``published`` the download's files ``public_files`` copies (relative paths),
    ``tables`` the recipe's own files (never a row's), ``kind`` the recipe's (released labels take no row_files)."""
    name = ROW_FILES_PUBLISHED.name
    if row_files:
        return SplitCheck(name, True, "the recipe sets row_files: each row's file goes with its row", {})
    if not id_column:
        return SplitCheck(name, True, "no id column: no file can be named by a row's id", {})
    wanted = list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))[:SAMPLED_IDS]
    if not wanted:
        return SplitCheck(name, True, f"no train row has a {id_column}", {})
    skipped = {_relative(raw, table) for table in tables}
    found = _files_named(raw, set(wanted), skipped)
    matched = [i for i in wanted if i in found]
    facts = {"sampled_ids": len(wanted), "ids_with_a_file": len(matched)}
    if len(matched) < LEAST_SHARE * len(wanted):
        return SplitCheck(
            name, True, f"{len(matched):,} of the first {len(wanted):,} train ids name a file of the download", facts
        )
    left = [i for i in matched if _preferred(found[i])[0] not in published]  # Kaggle's test/1.jpg is no train row's
    if not left:
        return SplitCheck(name, True, "the files named by the train ids are published (public_files)", facts)
    examples = shown_list(_preferred(found[i])[0] for i in left[:SHOWN])
    return SplitCheck(
        name,
        False,
        f"the download holds a file named by the id for {len(matched):,} of the first {len(wanted):,} train rows "
        f"({examples}), and public/ holds {len(matched) - len(left):,} of them: agents would get those rows without "
        f"their files; {_advice(id_column, left, found, kind)}",
        facts | {"unpublished": len(left)},
    )


def _folder_or_glob(path: str) -> str:
    """The folder holding ``path`` (``train``), or for a file at the download's top a glob of its kind (``*.png``)."""
    relative = PurePosixPath(path)
    return str(relative.parent) if relative.parent != PurePosixPath(".") else f"*{relative.suffix}"


def _relative(raw: Path, path: Path) -> str:
    try:
        return path.relative_to(raw).as_posix()
    except ValueError:
        return ""


def _files_named(raw: Path, ids: set[str], skipped: set[str]) -> dict[str, list[str]]:
    """Each of ``ids`` that names a file of ``raw`` (its name, without one or two extensions, or a folder above it):
    up to :data:`PATHS_KEPT` such files' relative paths. Names are compared as strings first (a path is built only
    for a match: resolving 300,000 paths took 9.6 s, this a third of a second)."""
    found: dict[str, list[str]] = defaultdict(list)
    top = str(raw)
    for folder, folders, files in os.walk(raw):
        folders.sort()
        inside = folder[len(top) + 1 :].replace(os.sep, "/")
        above = [part for part in inside.split("/") if part in ids] if inside else []
        for file in sorted(files):
            stem = file.rsplit(".", 1)[0]
            keys = {file, stem, stem.rsplit(".", 1)[0], *above} & ids
            if not keys:
                continue
            relative = f"{inside}/{file}" if inside else file
            if relative in skipped or is_os_litter(relative):
                continue
            for key in keys:
                if len(found[key]) < PATHS_KEPT:
                    found[key].append(relative)
    return found


def _pattern(column: str, row_id: str, path: str) -> str | None:
    """``train/{id}.jpg`` from ``train/abc.jpg`` named by ``abc``, the value of ``id`` (``train/{id}/1.dcm`` from a
    folder named so); None when the id is no whole part of the path."""
    placeholder = "{" + column + "}"
    parts = list(PurePosixPath(path).parts)
    for at in range(len(parts) - 1, -1, -1):
        part = parts[at]
        if part == row_id or (at == len(parts) - 1 and part.startswith(row_id + ".")):
            parts[at] = placeholder + part[len(row_id) :]
            return "/".join(parts)
    return None


def _side(path: str) -> int:
    """0 for a path in a train folder (at any depth: ``data/train/``), 2 for one in a test folder, 1 for any other."""
    folders = [part.lower() for part in PurePosixPath(path).parts[:-1]]
    return 0 if any("train" in part for part in folders) else 2 if any("test" in part for part in folders) else 1


def _preferred(paths: list[str]) -> list[str]:
    """An id's files, those in a train folder first (the same names in test/ are Kaggle's test rows')."""
    return sorted(paths, key=_side)


def _advice(column: str, left: list[str], found: dict[str, list[str]], kind: str) -> str:
    """The pattern that finds the most of the ids' files (a train folder's first), checked against them; or, where
    none finds most, where the files are."""
    counts: Counter[str] = Counter()
    for row_id in left:
        counts.update({p for path in found[row_id] if (p := _pattern(column, row_id, path))})
    ranked = sorted(counts.items(), key=lambda item: (-item[1], _side(item[0]), item[0]))
    if kind == "released_labels":  # its training set is Kaggle's own: its files and the test rows' are copied whole
        folders = sorted({_folder_or_glob(_preferred(found[i])[0]) for i in left})
        return (f"copy them with public_files: {folders[:SHOWN]!r}, and the test rows' files likewise (released "
                "labels take no row_files)")  # fmt: skip
    if ranked and "{" + column + "}/" in ranked[0][0]:  # a folder per row: row_files places one file a row
        return (
            f"each row has a folder of files ({ranked[0][0]}); row_files places one file a row, so a folder per row "
            "is not published by it: say so in the annotation's note, or copy the folders with public_files"
        )
    if not ranked or ranked[0][1] < PATTERN_SHARE * len(left):
        folders = {str(PurePosixPath(_preferred(found[i])[0]).parent) for i in left}
        return (
            f"they lie in {len(folders):,} folders ({shown_list(sorted(folders)[:SHOWN])}): a row_files pattern with a "
            "placeholder for the folder's column, or train_listing where the folder is the label"
        )
    pattern, covered = ranked[0]
    return (
        f"set row_files: {pattern!r} (it finds {covered:,} of the {len(left):,}), and test_row_files where the new "
        "test rows' files go"
    )
