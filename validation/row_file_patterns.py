"""Path patterns of per-row files (recipe keys ``row_files`` and ``test_row_files``): one file per row of the train
file, named by the row's columns.

>>> pattern_columns("train/{breed}/{id}.jpg")   # ['breed', 'id']
>>> default_test_pattern("train_images/{id}")   # 'test_images/{id}'
>>> pattern_parts("train/{id}.jpg")             # [('train/', None), ('', 'id'), ('.jpg', None)]
>>> placeholder("id[0:2]")                      # Placeholder(column='id', start=0, stop=2)

A placeholder is a column name in braces, optionally followed by a slice of its text in Python's words, ``{id[0]}``
(its first character), ``{id[0:3]}``, ``{id[2:]}`` (bms-molecular-translation keeps ``train/a/b/c/abc123.png``:
``train/{image_id[0]}/{image_id[1]}/{image_id[2]}/{image_id}.png``); the rest is literal text. A pattern is
checked here without the download (:func:`pattern_problem`: no absolute path, no ``..``, at least one placeholder,
balanced braces, a slice that is one); its columns are checked against the files when the split is built
(``splits.row_files``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePosixPath

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
WHOLE_PLACEHOLDER = re.compile(r"\{([^{}\[\]:]+)\}")  # a whole column's value as a folder: {id}
SLICE_LIKE = re.compile(r"\[[\d:\s+-]*\]$")  # meant as a slice, and not one: [], [:], [-1], [0:1:2]
SLICE = re.compile(r"^(?P<column>.+?)\[(?P<start>\d*)(?P<colon>:?)(?P<stop>\d*)\]$")


@dataclass(frozen=True)
class Placeholder:
    """A placeholder's column and the slice of its text it takes (characters ``start`` to ``stop``, Python's)."""

    column: str
    start: int | None = None
    stop: int | None = None

    @property
    def sliced(self) -> bool:
        return self.start is not None or self.stop is not None


def placeholder(text: str, columns: Collection[str] = ()) -> Placeholder:
    """The placeholder written ``text`` (between the braces): a column name, or one followed by ``[i]``, ``[i:j]``,
    ``[i:]`` or ``[:j]`` with whole numbers from 0; a column of ``columns`` named ``text`` whole (``x[0]``) is that
    column."""
    if text in columns:
        return Placeholder(text)
    match = SLICE.match(text)
    if not match or not (match["start"] or match["stop"]) or (not match["colon"] and not match["start"]):
        return Placeholder(text)
    start = int(match["start"]) if match["start"] else 0
    if not match["colon"]:
        return Placeholder(match["column"], start, start + 1)
    return Placeholder(match["column"], start, int(match["stop"]) if match["stop"] else None)


TRAIN_WORDS = (("train", "test"), ("Train", "Test"), ("TRAIN", "TEST"))  # what the default test pattern replaces


def pattern_parts(pattern: str) -> list[tuple[str, str | None]]:
    """``pattern`` as (literal text, column) pairs, in order; a trailing literal has column None."""
    parts: list[tuple[str, str | None]] = []
    start = 0
    for match in PLACEHOLDER.finditer(pattern):
        parts.append((pattern[start : match.start()], match[1]))
        start = match.end()
    if start < len(pattern):
        parts.append((pattern[start:], None))
    return parts


def pattern_columns(pattern: str, columns: Collection[str] = ()) -> list[str]:
    """The columns ``pattern`` names, each once, in order (``columns``: the file's, see :func:`placeholder`)."""
    return list(
        dict.fromkeys(placeholder(text, columns).column for _, text in pattern_parts(pattern) if text is not None)
    )


def pattern_problem(pattern: object, globs: bool = False) -> str | None:
    """What is wrong with ``pattern`` as a path inside the download (or under ``public/``), or None; ``globs``: a
    placeholder may say a glob its text matches (a listing's ``{fname:*.wav}``)."""
    if not isinstance(pattern, str) or not pattern.strip():
        return f"expected a path pattern such as 'train/{{id}}.jpg', found {pattern!r}"
    if problem := placeholder_problem(pattern, globs):
        return problem
    if not PLACEHOLDER.search(pattern):
        return (
            f"{pattern!r} names one file for every row: put the row's columns in it as placeholders, such as "
            "'train/{id}.jpg'"
        )
    literal = PLACEHOLDER.sub("x", pattern)
    path = PurePosixPath(literal)
    if literal.startswith(("/", "\\")) or path.is_absolute() or ".." in path.parts or "\\" in literal or ":" in literal:
        return f"{pattern!r} must be a path inside the competition's download (no absolute path, no '..')"
    if literal.endswith("/"):
        return f"{pattern!r} names a folder; name each row's file, such as 'train/{{id}}.jpg'"
    if any(mark in literal for mark in "*?["):  # sweep 191: vesuvius' surface_volume/*.tif, read as a name
        return (
            f"{pattern!r} is a glob outside a placeholder: a pattern names one file for each row (a placeholder may "
            "say what its text matches, such as {fname:*.tif}); a row's several files need a pattern each"
        )
    return None


def placeholder_problem(pattern: str, globs: bool = False) -> str | None:
    """What is wrong with ``pattern``'s placeholders (braces, names, slices, a glob where ``globs`` is not allowed), or
    None: for row-file patterns and for submission keys (``validation.split_recipe``)."""
    literal = PLACEHOLDER.sub("x", pattern)
    if "{" in literal or "}" in literal:
        return f"{pattern!r} has unbalanced or nested braces: a placeholder is a column name in braces, such as {{id}}"
    if any(not column for column in pattern_columns(pattern)) or "{}" in pattern:
        return f"{pattern!r} has an empty placeholder {{}}: name a column of the train file, such as {{id}}"
    for _, text in pattern_parts(pattern):
        name, colon, glob = (text or "").partition(":")
        if colon and not globs and any(c in glob for c in "*?["):  # sweep 197: petfinder's {PetID}-{n:*}.jpg
            return (  # was refused at the split only, as "no column 'n:*'"
                f"{pattern!r} has the placeholder {{{text}}}, a glob: a placeholder here is a column of the train "
                f"file, each row naming one file (a glob is train_listing's, which lists the files that match)"
            )
        taken = placeholder(text) if text else None
        if taken and not taken.sliced and SLICE_LIKE.search(text):  # Temp[C] is a column name
            return (
                f"{pattern!r} has the placeholder {{{text}}}, whose slice is not one of [i], [i:j], [i:] or [:j] with "
                "whole numbers from 0 (such as {id[0]}, the first character of id)"
            )
        if taken and taken.sliced and taken.stop is not None and taken.stop <= taken.start:
            return f"{pattern!r} has the placeholder {{{text}}}, whose slice takes no character"
    return None


def listing_placeholders(pattern: str) -> list[tuple[str, str | None]]:
    """A file listing's placeholders (recipe key ``train_listing``), each a column name and the glob its text must
    match, if any: ``train/audio/{label}/{fname:*.wav}`` -> ``[('label', None), ('fname', '*.wav')]``."""
    found = []
    for _, text in pattern_parts(pattern):
        if text is not None:
            name, colon, glob = text.partition(":")
            found.append((name, glob if colon else None))
    return found


def without_globs(pattern: str) -> str:
    """A file listing's pattern with its placeholders' globs taken out: the row files' pattern of its rows
    (``train/{file:*.png}`` -> ``train/{file}``)."""
    return "".join(text + ("" if column is None else "{" + column.partition(":")[0] + "}")
                   for text, column in pattern_parts(pattern))  # fmt: skip


def default_test_pattern(pattern: str) -> str | None:
    """Where the new test rows' files go when the recipe does not say: ``pattern`` with ``train`` in its first folder
    holding it (outside placeholders) made ``test`` (``train/{id}`` -> ``test/{id}``, ``train_images/`` ->
    ``test_images/``, siim's ``jpeg/train/{image_name}.jpg`` -> ``jpeg/test/{image_name}.jpg``; a pattern of no
    folder, its name: ``train_{id}.jpg`` -> ``test_{id}.jpg``); None when none has ``train``."""
    components = pattern.split("/")
    for at, component in enumerate(components[:-1] or components):
        if (made := _train_made_test(component)) is not None:
            return "/".join([*components[:at], made, *components[at + 1 :]])
    return None


def placed_folder(pattern: str, own: Collection[str] = ()) -> str | None:
    """Where ``pattern``'s files sit, normalised (``./train//x/{id}`` -> ``train/x``), up to a folder of its own per
    row: a whole value of a column of ``own`` (the id; a group split's group, whose rows are all on one side);
    ``""`` for the top (no folder), None when the first folder is one of those. Another column's folder, or a slice
    of one (``{patient}/``, ``{id[0]}/``), is shared by many rows and compared as written."""
    normal = str(PurePosixPath(pattern))  # ./train//x -> train/x
    taken = []
    for part in normal.split("/")[:-1]:
        whole = WHOLE_PLACEHOLDER.fullmatch(part)
        if whole and whole.group(1) in own:
            return "/".join(taken) if taken else None
        taken.append(part)
    return "/".join(taken)


def folders_overlap(test: str | None, train: str | None) -> bool:
    """Whether test files in folder ``test`` would sit with train files in ``train`` (:func:`placed_folder`'s): the
    same folder, or one inside the other, compared folder by folder, where a folder named by a placeholder below a
    shared first folder may be any name (``train/{label}/`` holds ``train/test/``: a label may be ``test``, and a
    glob of ``train/*/`` takes both); first folders are compared as written. The top of ``public/`` is not compared: files there are told apart by their names (``train_{id}.jpg``
    and ``test_{id}.jpg``), as the split's own train and test files are."""
    if not test or not train:
        return False
    shorter, longer = sorted((test.split("/"), train.split("/")), key=len)
    return shorter[0] == longer[0] and all(
        a == b or "{" in a or "{" in b for a, b in zip(shorter[1:], longer[1:], strict=False)
    )


def static_folder(pattern: str) -> str:
    """The folder every file of ``pattern`` is in (its leading components without a placeholder): ``train`` for
    ``train/{breed}/{id}.jpg``; ``""`` when the first component has a placeholder."""
    folders = []
    for part in pattern.split("/")[:-1]:
        if PLACEHOLDER.search(part) or "{" in part:
            break
        folders.append(part)
    return "/".join(folders)


def kaggle_test_pattern(pattern: str) -> str | None:
    """Where Kaggle's own test rows' files of the kind ``pattern`` finds for its train rows would be in the download:
    ``train`` made ``test`` in every folder and the name, outside placeholders (``competition_data/train/masks/{id}``
    -> ``competition_data/test/masks/{id}``, ``train_cleaned/{id}.png`` -> ``test_cleaned/{id}.png``); None without
    a ``train``."""
    return _train_made_test(pattern)


def _train_made_test(pattern: str) -> str | None:
    """``pattern`` with every ``train`` outside its placeholders, where no letter comes before it, made ``test``
    (``train_images``, ``training1``; not ``strains`` nor ``constraints``: review 177); None when it has none."""
    pieces, changed = [], False
    for text, column in pattern_parts(pattern):
        for old, new in TRAIN_WORDS:
            text, count = re.subn(rf"(?<![A-Za-z]){old}", new, text)
            changed = changed or bool(count)
        pieces.append(text + ("" if column is None else "{" + column + "}"))
    return "".join(pieces) if changed else None


def filled(pattern: str, values: dict[str, str]) -> str | None:
    """``pattern`` for one row, its placeholders (slices too) taken from ``values`` (column -> text); None when a
    value is missing."""
    pieces = []
    for text, written in pattern_parts(pattern):
        pieces.append(text)
        if written is None:
            continue
        taken = placeholder(written, values)
        value = values.get(taken.column)
        if value is None:
            return None
        pieces.append(value[taken.start : taken.stop] if taken.sliced else value)
    return "".join(pieces)
