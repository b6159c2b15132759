"""Whether the download's per-row files are published with their rows: a warning check.

>>> check = check_row_files_published(raw_files, ids, recipe.row_files, published, tables)
>>> check.passed, check.found
(False, 'the download holds a file named by the id for 700 of the first 700 train rows (train/0004be2c.jpg, ...),
and public/ holds none of them: ... set row_files: "train/{id}"')

An image or audio competition ships a table of ids and a folder of files named by them. A recipe without
``row_files`` publishes the table alone (a newcomer's sweep: aerial-cactus' recipe without its two ``row_files``
lines published train.csv, test.csv and the sample, every check passed, and the description said "No other file
of Kaggle's download is in public/"). The check looks up the first :data:`SAMPLED_IDS` ids of the train file among
the download's file names (the whole name, or the name without its extension); when most have a file and
``public_files`` copies none of those, it names them and suggests the pattern. It warns: the files may be no
input of the task.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from pathlib import Path, PurePosixPath

from validation.archives import is_os_litter
from validation.checks import Check
from validation.leakage import SplitCheck
from validation.messages import shown_list

ROW_FILES_PUBLISHED = Check(
    "row_files_published",
    "Where the download holds a file named by most training rows' ids (an image or a recording per row), the split "
    "publishes them with their rows (recipe key `row_files`).",
    severity="warning",
    remedy="Set `row_files` to the files' pattern (the finding suggests one), so each new train and test row's file "
    "goes with it; if the files are no input of the task, say so in the annotation's note.",
)
SAMPLED_IDS = 1_000  # the train file's first ids looked up
LEAST_SHARE = 0.5  # of them, at least this share named by a file is "a file per row"
SHOWN = 3


def check_row_files_published(
    raw: Path,
    id_column: str | None,
    ids: Iterable[str],
    row_files: str | None,
    published: Collection[str],
    tables: Collection[Path],
) -> SplitCheck:
    """The check on a built split: ``raw`` the download's files, ``ids`` the train file's first ``id_column`` values,
    ``row_files`` the recipe's, ``published`` the download's files ``public_files`` copies (relative paths),
    ``tables`` the recipe's own files (never a row's)."""
    name = ROW_FILES_PUBLISHED.name
    if row_files:
        return SplitCheck(name, True, "the recipe sets row_files: each row's file goes with its row", {})
    wanted = list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))[:SAMPLED_IDS]
    if not wanted:
        return SplitCheck(name, True, "no id column: no file can be named by a row's id", {})
    found = _files_named(raw, set(wanted), {t.resolve() for t in tables})
    matched = [(i, found[i]) for i in wanted if i in found]
    facts = {"sampled_ids": len(wanted), "ids_with_a_file": len(matched)}
    if len(matched) < LEAST_SHARE * len(wanted):
        return SplitCheck(
            name, True, f"{len(matched):,} of the first {len(wanted):,} train ids name a file of the download", facts
        )
    left = [(i, path) for i, path in matched if path not in published]
    if not left:
        return SplitCheck(name, True, "the files named by the train ids are published (public_files)", facts)
    first_id, first = left[0]
    return SplitCheck(
        name,
        False,
        f"the download holds a file named by the id for {len(matched):,} of the first {len(wanted):,} train rows "
        f"({shown_list(path for _, path in left[:SHOWN])}), and public/ holds {len(matched) - len(left):,} of them: "
        f"agents would get those rows without their files; set row_files: {_pattern(id_column, first_id, first)!r} (and "
        "test_row_files, where the new test rows' files go)",
        facts | {"unpublished": len(left)},
    )


def _files_named(raw: Path, ids: set[str], tables: set[Path]) -> dict[str, str]:
    """Each of ``ids`` that is a file's name, or its name without the extension, anywhere in ``raw``: its first such
    file's path (relative, in walking order, sorted)."""
    found: dict[str, str] = {}
    for folder, folders, files in os.walk(raw):
        folders.sort()
        for file in sorted(files):
            path = Path(folder, file)
            relative = path.relative_to(raw).as_posix()
            if is_os_litter(relative) or path.resolve() in tables:
                continue
            for key in (file, file.rsplit(".", 1)[0]):
                if key in ids and key not in found:
                    found[key] = relative
    return found


def _pattern(column: str | None, row_id: str, path: str) -> str:
    """``train/{id}.jpg`` from ``train/abc.jpg`` named by ``abc``, the value of ``id``."""
    relative = PurePosixPath(path)
    name = relative.name
    placeholder = "{" + (column or "id") + "}"
    own = placeholder if name == row_id else placeholder + name[len(row_id) :]
    return str(relative.with_name(own))
