"""Whether each set of row files the new test rows take is an input of the task, not its answers: a split check.

>>> check = check_row_files_are_inputs(raw_files, sets, kaggle_test_rows)
>>> check.passed, check.found
(False, "other_row_files entry 'competition_data/train/masks/{id}.png': Kaggle ships these files for its training
rows only: none of its first 200 test rows has one at 'competition_data/test/masks/{id}.png' or under its name
elsewhere, where 200 have those of row_files ('competition_data/test/images/{id}.png'): they are answers ...")

A newcomer's sweep: tgs-salt-identification ships an image and a mask for each training row, and only the image for
each test row: the masks are the answers. A recipe naming the masks in ``other_row_files`` (which then needed a test
destination) published the new test rows' masks beside their images, and every leakage check passed: a file is
cleared by its path and name, never by what it holds. Kaggle's own download tells inputs from answers: a kind of file
it ships for its test rows too is an input. So for each set, the check looks for Kaggle's test rows' files of that kind
where the download would hold them (the set's pattern with ``train`` made ``test``:
:func:`~validation.row_file_patterns.kaggle_test_pattern`; a pattern without ``train``, a folder of both sides'
files, as it is), for Kaggle's first :data:`SAMPLED_ROWS` test rows (its test file's, else its sample submission's).
Where one set's files are found so for at least half of them (the download keeps its test files that way), a set,
``row_files``' own too, with none found is refused, unless files of those names are in a test folder of its own
(``test`` a word of a folder's name: ``features/test_v2/`` beside ``features/train/``; not the folders of the sets
found in place, nor any set's training folder), and those names are not the found sets' own (tgs-salt's masks are
named as their images: a copy of the test images in ``test/thumbnails/`` would pass for them). Where no set is found so, the
download's layout says nothing, and nothing is refused. An entry mapped to false (the train rows' files alone) is not
checked. Limits: answers Kaggle released for its own test rows (a stage's solution masks beside its test images) look
like inputs, as do answers named otherwise than the inputs whose names a test folder holds for other reasons.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from validation.checks import Check
from validation.leakage import SplitCheck
from validation.row_file_patterns import filled, kaggle_test_pattern, static_folder

ROW_FILES_ARE_INPUTS = Check(
    "row_files_are_inputs",
    "Each set of row files the new test rows take is one Kaggle ships for its own test rows too: an input of the "
    "task, not an answer only its training rows have (tgs-salt's masks).",
    blocking=True,
    remedy="Map the `other_row_files` entry to false (the new train rows' files are published, the new test rows' are "
    "not: they are answers), or name the inputs in `row_files` and the answers in `other_row_files`.",
)
# 'test' a word of a folder's name, with anything beside it (features_test_v2): where Kaggle keeps its test rows'
# inputs of a kind; looser than splits.listing.is_test_folder, which must leave classes such as test_tube alone
TEST_IN_NAME = re.compile(r"(?:^|[_\-])test(?:s|ing)?(?:$|[_\-0-9])", re.IGNORECASE)
SAMPLED_ROWS = 200  # Kaggle's first test rows looked up
SHOWN = 3
LEAST_SHARE = 0.5  # of them, a set found at least this often: the download keeps its test files that way


def check_row_files_are_inputs(
    raw: Path, sets: Sequence[tuple[str, str]], kaggle_test_rows: Sequence[dict[str, str]]
) -> SplitCheck:
    """``sets``: (what the recipe calls the set, its pattern in the download) for each set of row files whose new
    test rows' files are published, ``row_files``' own first; ``kaggle_test_rows``: Kaggle's first test rows' values
    (column -> text) of the columns the patterns name."""
    name = ROW_FILES_ARE_INPUTS.name
    rows = list(kaggle_test_rows)[:SAMPLED_ROWS]
    if len(sets) < 2 or not rows:
        return SplitCheck(
            name, True, "one set of row files (or no test row of Kaggle's to look up): nothing to compare"
        )
    looked = []  # (what, pattern, where Kaggle's test rows' files would be, their paths, how many are there)
    for said, pattern in sets:
        where = kaggle_test_pattern(pattern) or pattern  # a folder of both sides' files (images/{id}.png) as it is
        paths = [path for path in (filled(where, row) for row in rows) if path]
        looked.append((said, pattern, where, paths, sum((raw / path).is_file() for path in paths) if paths else None))
    inputs = [entry for entry in looked if entry[4] is not None and entry[4] >= LEAST_SHARE * len(rows)]
    if not inputs:
        return SplitCheck(
            name, True,
            f"no set's files are where Kaggle's first {len(rows)} test rows' would be ("
            + "; ".join(f"{where!r}: {found if found is not None else 'not looked up'}"
                        for _, _, where, _, found in looked)  # fmt: skip
            + "): the download's layout says nothing of which sets are inputs",
        )  # fmt: skip
    said_input, _, input_where, _, input_found = inputs[0]
    # not looked in: the folders of the sets found in place, and each set's own training folder
    skipped = {str(PurePosixPath(p).parent) for *_, paths, _ in inputs for p in paths}
    skipped |= {static_folder(pattern) for _, pattern, *_ in looked}
    input_names = {PurePosixPath(p).name for *_, paths, _ in inputs for p in paths}
    answers, elsewhere = [], []
    for said, pattern, where, paths, found in looked:
        if found != 0:
            continue
        named_as_inputs = {PurePosixPath(p).name for p in paths} & input_names  # masks named as their images:
        folders = {} if named_as_inputs else _found_elsewhere(raw, paths, skipped)  # a copy of the inputs would pass
        if len(folders) >= LEAST_SHARE * len(paths):  # kept for Kaggle's test rows in a folder of their own
            elsewhere.append(f"{said} {pattern!r} (in {', '.join(sorted(set(folders.values()))[:SHOWN])})")
            continue
        answers.append(
            f"{said} {pattern!r}: Kaggle ships these files for its training rows only: none of its first {len(rows)} "
            f"test rows has one at {where!r} or under its name elsewhere, where {input_found} have those of "
            f"{said_input} ({input_where!r})"
        )
    if answers:
        return SplitCheck(
            name, False,
            "; ".join(answers) + ": they are answers (a mask, a cleaned image), and the split would publish the new "
            "test rows' in public/; map an other_row_files entry to false (the train rows' files alone), or name the "
            "inputs in row_files",
        )  # fmt: skip
    unsaid = [f"{said} {pattern!r}" for said, pattern, *_, found in looked if found is None]
    return SplitCheck(
        name, True,
        f"{len(looked) - len(unsaid)} of {len(looked)} sets of row files are ones Kaggle ships for its test rows too "
        f"(found for its first {len(rows)} test rows)"
        + (f"; of them, found under their names in another folder: {'; '.join(elsewhere)}" if elsewhere else "")
        + (f"; not looked up (a column Kaggle's test rows lack): {', '.join(unsaid)}" if unsaid else ""),
    )  # fmt: skip


def _found_elsewhere(raw: Path, paths: list[str], beside: set[str]) -> dict[str, str]:
    """Of ``paths`` (Kaggle's test rows' files, where a set would keep them), those whose file name the download has
    in a test folder of its own (``test`` a word of a folder's name: ``features/test_v2/``), not in ``beside`` (the
    folders of the sets found in place, where a mask named as its image is no input, and each set's own training
    folder), by name -> the folder found in. A thumbnails folder of the test images is no test folder of its own."""
    wanted = {PurePosixPath(p).name for p in paths}
    found: dict[str, str] = {}
    for folder, _, files in os.walk(raw):
        relative = PurePosixPath(os.path.relpath(folder, raw)).as_posix()
        if relative in beside or not any(TEST_IN_NAME.search(part) for part in PurePosixPath(relative).parts):
            continue
        for file in wanted.intersection(files):
            found.setdefault(file, relative)
    return found
