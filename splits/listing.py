"""A training table from the download's files (recipe key ``train_listing``): image competitions whose labels are
the folders their files are filed in, with no table at all (plant-seedlings-classification's
``train/<species>/<file>.png``, tensorflow-speech-recognition-challenge's ``train/audio/<word>/<clip>.wav``).

>>> write_train_listing(raw_dir, recipe, "plant-seedlings-classification")   # 4,750 rows: file, species
>>> train_source(raw_dir, recipe)    # where every read of the training table goes: the listing, or train_file

The pattern's placeholders are the table's columns, in the pattern's order, each a piece of a file's path: one row
per file under the pattern's folder whose path matches it whole (a placeholder takes the shortest text it can, at
least a character, never a ``/``, that its glob matches, if it has one), in path order, every value text. Hidden
files and folders (names starting with ``.``), ``__MACOSX`` folders, ``Thumbs.db`` and ``desktop.ini`` are not
listed; any other file the pattern matches is a row (write the extension into the pattern,
``train/{species}/{name}.png``, or a glob into the placeholder, ``{file:*.png}``, where the id keeps it:
``fnmatch``'s, case-sensitive). Each listed file is its row's file (``row_files`` is the same pattern), so it goes
where its row goes, as any row file does (``splits.row_files``).

The listing is written as a CSV beside the download's folder, never inside it (``validation.data_root``: the
download's files are the source of everything else the recipe copies, and its checksum is the download's), again
at each build (one walk of the folder; the same files give the same bytes), atomically.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import os
import re
from pathlib import Path

from validation.archives import is_os_litter
from validation.data_files import download_listing
from validation.data_root import train_listing_file, write_atomic
from validation.row_file_patterns import listing_placeholders, pattern_parts, static_folder
from validation.split_recipe import RecipeError, SplitRecipe

SHOWN_FILES = 5


def train_source(raw_dir: Path, recipe: SplitRecipe) -> Path:
    """The training table the split reads: the download's ``train_file``, or with ``train_listing`` the table of its
    files (:func:`write_train_listing` writes it)."""
    return train_listing_file(raw_dir) if recipe.train_listing else raw_dir / recipe.train_file


def train_name(recipe: SplitRecipe) -> str:
    """The training table as messages name it: ``train.csv``, or ``the listing of 'train/{species}/{file}'``."""
    return f"the listing of {recipe.train_listing!r}" if recipe.train_listing else recipe.train_file


def write_train_listing(raw_dir: Path, recipe: SplitRecipe, slug: str = "") -> int:
    """Write the table of the download's files that ``train_listing`` matches (:func:`train_source`'s path) and
    return its rows; none matching is a RecipeError naming the competition, the key and the files that are there."""
    pattern = recipe.train_listing
    matcher = listing_regex(pattern)
    placeholders = listing_placeholders(pattern)
    columns = [name for name, _ in placeholders]
    globs = [(at, glob) for at, (_, glob) in enumerate(placeholders) if glob]
    mapped = {columns.index(column): dict(pairs) for column, pairs in recipe.listed_values}
    folder = static_folder(pattern)
    where = f"{slug}: " if slug else ""
    rows, paths = [], []
    for path in sorted(download_files(raw_dir, folder)):
        if is_os_litter(path):
            continue
        match = matcher.fullmatch(path)
        if match and all(fnmatch.fnmatchcase(match[at + 1], glob) for at, glob in globs):
            rows.append(_values(match.groups(), columns, mapped, path, where))
            paths.append(path)
    if not rows:
        raise RecipeError(
            f"{where}split recipe key 'train_listing': no file of the download matches {pattern!r}; "
            f"{_files_there(raw_dir, folder)}"
        )
    _refuse_test_folder(rows, paths, columns, pattern, where)
    if recipe.id_column in columns and not recipe.test_ids:  # renamed test rows: only train rows keep theirs
        _refuse_repeated_ids(rows, paths, columns.index(recipe.id_column), recipe, where)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    write_atomic(train_listing_file(raw_dir), out.getvalue())
    return len(rows)


def _values(texts: tuple[str, ...], columns: list[str], mapped: dict[int, dict[str, str]], path: str, where: str):
    """A listed file's row: its path's texts, each mapped by ``listed_values`` where the recipe says; a text the
    mapping lacks is a RecipeError naming the column, the text and the file."""
    row = list(texts)
    for at, values in mapped.items():
        if row[at] not in values:
            raise RecipeError(
                f"{where}split recipe key 'listed_values': {path} gives {columns[at]} {row[at]!r}, which "
                f"listed_values.{columns[at]} does not map (it maps {', '.join(map(repr, values))})"
            )
        row[at] = values[row[at]]
    return tuple(row)


# Kaggle's test folders, in any letter case: 'test' beside words of how or when it was shipped, and numbers (test,
# Test_Set, test2019, test_stg1, stage_2_test_images, audio_test, test-jpg, test-tif-v2); not a class whose name holds
# the word beside others (test_tube, blood_test)
TEST_WORDS = frozenset({"test", "tests", "testing"})
SHIPPED_WORDS = frozenset({"image", "images", "img", "imgs", "set", "data", "files", "audio", "photo", "photos", "jpg",
                           "jpeg", "png", "tif", "tiff", "wav", "final", "public", "private", "stg", "stage", "v",
                           "small", "large", "full"})  # fmt: skip
NAME_WORDS = re.compile(r"[_\-\s]+|(?<=[^\d_\-\s])(?=\d)|(?<=\d)(?=[^\d_\-\s])")  # test2019 -> test, 2019


def is_test_folder(name: str) -> bool:
    """Whether a folder's name is Kaggle's test folder's: 'test' among words of shipping (``images``, ``stage``,
    ``jpg``...) and numbers alone."""
    words = [word.casefold() for word in NAME_WORDS.split(name) if word]
    return bool(TEST_WORDS & set(words)) and all(w in TEST_WORDS or w in SHIPPED_WORDS or w.isdigit() for w in words)


def _refuse_test_folder(rows: list[tuple], paths: list[str], columns: list[str], pattern: str, where: str) -> None:
    """A placeholder taking a whole folder that is Kaggle's test folder (alaska2's ``{label}/{file}`` lists
    ``Test/0002.jpg`` as a training row labelled ``Test``) is refused, naming the files and a glob that leaves it out:
    Kaggle's test rows have no label, and their files would clash with the new test rows'."""
    for at, column in enumerate(columns):
        taken = [(row[at], path) for row, path in zip(rows, paths, strict=True)
                 if is_test_folder(row[at]) and f"/{row[at]}/" in f"/{path}"]  # fmt: skip
        if taken:
            value = taken[0][0]
            kept = sorted({row[at] for row in rows} - {v for v, _ in taken})
            glob = _glob_leaving_out(kept, {v for v, _ in taken})
            leave = (
                f"with a glob after the placeholder's name, {{{column}:{glob}}}, or by naming" if glob else "by naming"
            )
            raise RecipeError(
                f"{where}split recipe key 'train_listing': {pattern!r} lists {len(taken):,} file(s) of Kaggle's test "
                f"folder {value}/ as training rows whose {column} is {value!r} (e.g. {taken[0][1]}); leave it out "
                f"{leave} the training files' own folder in the pattern"
            )


GLOB_SAFE = re.compile(r"[\w. ]")  # characters a glob's bracket may list as they are


def _glob_leaving_out(kept: list[str], left_out: set[str]) -> str | None:
    """A glob that every value of ``kept`` matches and none of ``left_out``: each of the first characters' bracket of
    the characters ``kept`` has there (``[CJU]*`` for Cover, JMiPOD, UERD beside Test; ``[rt][ou]*`` for rose and
    tulip beside test); None where no such glob of up to four characters is found."""
    if not kept:
        return None
    for length in range(1, 5):
        brackets = []
        for at in range(length):
            letters = sorted({value[at] for value in kept if len(value) > at})
            if not letters or not all(GLOB_SAFE.fullmatch(c) for c in letters):
                return None
            brackets.append("[" + "".join(letters) + "]")
        glob = "".join(brackets) + "*"
        if all(fnmatch.fnmatchcase(v, glob) for v in kept) and not any(fnmatch.fnmatchcase(v, glob) for v in left_out):
            return glob
    return None


def _refuse_repeated_ids(rows: list[tuple], paths: list[str], at: int, recipe: SplitRecipe, where: str) -> None:
    """Two files whose paths give the same id (``train/cat/1.jpg``, ``train/dog/1.jpg`` by ``{id}``) are refused:
    an id names one row, and a submission one prediction per id."""
    first: dict[str, str] = {}
    for row, path in zip(rows, paths, strict=True):
        if (seen := first.setdefault(row[at], path)) != path:
            raise RecipeError(
                f"{where}split recipe key 'id_column': {recipe.id_column!r} is {row[at]!r} for two files of "
                f"train_listing {recipe.train_listing!r}: {seen} and {path}; an id names one row: choose a column "
                "of the pattern that tells every file apart, or give the new test rows ids of their own (test_ids)"
            )


def listing_regex(pattern: str) -> re.Pattern:
    """``pattern`` as a regular expression over a file's path: its literal text, and a group per placeholder that
    takes the shortest text it can (never a ``/``; at least a character, or for a placeholder with a glob, text the
    glob steers: ``{clip:*TRAIN*}`` takes ``001545_945s6ms_TRAIN0`` of whale's
    ``20090328_001545_945s6ms_TRAIN0_1.aif`` under ``{date}_{clip:*TRAIN*}_{label}.aif``, where the shortest text
    would be ``001545``, which the glob then refused). :func:`write_train_listing` still tests each glob with
    ``fnmatch``, whose rules are the ones that count."""
    pieces = []
    for text, placeholder in pattern_parts(pattern):
        glob = None if placeholder is None else placeholder.partition(":")[2]
        group = "" if placeholder is None else f"({_glob_regex(glob)})" if glob else "([^/]+?)"
        pieces.append(re.escape(text) + group)
    return re.compile("".join(pieces))


def _glob_regex(glob: str) -> str:
    """A glob as a regular expression within one path component, at least a character: ``*`` any text, ``?`` a
    character, ``[...]`` and ``[!...]`` a class (as ``fnmatch`` translates it); anything else itself. As in
    ``fnmatch``, the text up to each ``*`` but the last is matched once, atomically (its first place), and only the
    last ``*`` takes the shortest text the rest of the pattern allows: several ``*`` never backtrack exponentially
    over a name that does not match."""
    segments: list[list[str]] = [[]]  # the glob's pieces between its stars
    at = 0
    while at < len(glob):
        char = glob[at]
        at += 1
        if char == "*":
            if segments[-1] or len(segments) == 1:  # consecutive stars are one
                segments.append([])
        elif char == "?":
            segments[-1].append("[^/]")
        elif char == "[" and (end := _class_end(glob, at)) is not None:
            translated = fnmatch.translate(glob[at - 1 : end + 1])  # '(?s:[...])\\Z'
            segments[-1].append("(?!/)" + translated.removeprefix("(?s:").removesuffix(")\\Z"))
            at = end + 1
        else:
            segments[-1].append(re.escape(char))
    head, *starred = ["".join(segment) for segment in segments]
    if not starred:
        return head
    if not head and not any(starred):  # stars alone: any text, at least a character
        return "[^/]+?"
    *middle, last = starred
    return head + "".join(f"(?>[^/]*?{segment})" for segment in middle) + "[^/]*?" + last


def _class_end(glob: str, at: int) -> int | None:
    """Where the class opened just before ``at`` closes, as ``fnmatch`` reads it; None when it does not (a ``[``
    that is itself)."""
    end = at + (glob[at : at + 1] == "!")
    end += glob[end : end + 1] == "]"
    end = glob.find("]", end)
    return None if end == -1 else end


def download_files(raw_dir: Path, folder: str) -> set[str]:
    """The download's regular files (no symlinks) under ``folder``, relative to the download, as POSIX paths."""
    top = os.path.join(raw_dir, folder) if folder else str(raw_dir)
    found: set[str] = set()
    stack = [(top, f"{folder}/" if folder else "")] if os.path.isdir(top) and not os.path.islink(top) else []
    while stack:
        where, prefix = stack.pop()
        with os.scandir(where) as entries:
            for entry in entries:
                if entry.is_symlink():
                    continue
                if entry.is_dir():
                    stack.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.is_file():
                    found.add(prefix + entry.name)
    return found


def _files_there(raw_dir: Path, folder: str) -> str:
    """What the download holds where the pattern looked: some of the folder's files, or the download's top."""
    if folder and (raw_dir / folder).is_dir():
        files = sorted(path for path in download_files(raw_dir, folder) if not is_os_litter(path))
        shown = ", ".join(files[:SHOWN_FILES]) + (
            f" and {len(files) - SHOWN_FILES:,} more" if len(files) > SHOWN_FILES else ""
        )
        return f"files under {folder}/: {shown or 'none'}"
    return f"files: {download_listing(raw_dir)}"
