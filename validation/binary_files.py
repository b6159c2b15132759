"""Whether an extra public binary file holds the new test rows: a warning check.

>>> check = check_binary_files_without_test_ids(staging.public, facts.public_files, test_ids)
>>> check.passed, check.found
(False, "tfrecords/train00-2071.tfrec holds 58 of the 81 new test ids ('ISIC_0149568', 'ISIC_0188432', ...): ...")

``public_free_of_private`` reads each extra public data file and text file (the recipe's ``public_files``) for the
new test rows' labels; a binary file (TFRecords, NumPy arrays, pickles, archives) it clears by its bytes and path
alone. A newcomer's sweep published siim-isic-melanoma's and cassava's training TFRecords, as MLE-bench's layout has
them: every new test row's image was in them with its target, and every check passed. This check looks in each such
file for the new test rows' ids (their ids in the download, under ``test_ids``) as bytes: a file holding at least
:data:`LEAST_IDS` of them (or all, when there are fewer) holds the new test rows' data beside the training data,
and mlecurate cannot tell whether their labels are there too. It warns, naming the files and ids; Kaggle's own
test TFRecords (Kaggle's test rows, none of them a new test row) pass.

A file is looked at when it is no data file (those are read as tables), no text (read line by line) and no one
sample's own content (an image, a sound, a DICOM or NIfTI scan: :data:`ONE_SAMPLE`). Ids are found as runs of the
characters the ids are written with, of their lengths (a run one character longer on either side is tried without
it: a length byte of a record may be a letter), in the first :data:`SCAN_BYTES` of each file and at most
:data:`TOTAL_SCAN_BYTES` in all (a training TFRecord holds test rows throughout: its start is enough); the found
text names files left unread. Ids shorter than :data:`MIN_ID_CHARS` characters (a row number) would be found in any
binary file by chance: the check then says it could not look.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from validation.checks import Check
from validation.data_files import is_data_file
from validation.leakage import ExtraFile, SplitCheck, is_text
from validation.messages import shown_list

BINARY_FILES_WITHOUT_TEST_IDS = Check(
    "binary_files_without_test_ids",
    "No extra public binary file (a TFRecord, an array, an archive: a format mlecurate cannot read for labels) holds "
    "the new test rows' ids.",
    severity="warning",
    remedy="Leave the file out of `public_files` (publish each row's own file with `row_files`, which puts the new "
    "test rows' files on the test side), or replace it in the download with files holding only training rows; if it "
    "holds no labels (features alone), say so in the annotation's note.",
)
# One sample's own content (its row's data, as row_files copies it): never a table of other rows' labels.
ONE_SAMPLE = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".wav", ".mp3", ".flac", ".ogg",
              ".aif", ".aiff", ".m4a", ".mp4", ".avi", ".mov", ".dcm", ".dicom", ".nii", ".mha", ".svs"}  # fmt: skip
LEAST_IDS = 10  # new test ids a file must hold to be named (fewer, by chance, in a large binary file)
MIN_ID_CHARS = 5  # ids shorter than this (their median) are found in random bytes: not looked for
SCAN_BYTES = 64 * 1024 * 1024  # of each file, from its start
TOTAL_SCAN_BYTES = 1024 * 1024 * 1024  # over every file
SHOWN_IDS = 3


def check_binary_files_without_test_ids(
    public: Path, extras: Iterable[ExtraFile], test_ids: Iterable[str], released_labels: bool = False
) -> SplitCheck:
    """The check over the extra public files copied to ``public/``; ``test_ids``: the new test rows' ids as the
    download writes them (their own ids, where ``test_ids`` renamed them); ``released_labels``: the test rows are
    Kaggle's own, whose data Kaggle published (in its test TFRecords, say): nothing to look for."""
    binaries = [extra for extra in extras if _binary(public, extra.path)]
    if not binaries:
        return SplitCheck(BINARY_FILES_WITHOUT_TEST_IDS.name, True, "no extra public binary file", {})
    if released_labels:
        return SplitCheck(
            BINARY_FILES_WITHOUT_TEST_IDS.name, True,
            f"{len(binaries):,} extra public binary file(s) not looked into: the test rows are Kaggle's own "
            "(released labels), published by Kaggle with their data",
            {"binary_files": len(binaries)},
        )  # fmt: skip
    ids = {str(i).encode() for i in test_ids if str(i)}
    metadata = {"binary_files": len(binaries), "new_test_ids": len(ids)}
    lengths = sorted(len(i) for i in ids)
    if not ids or lengths[len(lengths) // 2] < MIN_ID_CHARS:
        why = "no id column" if not ids else f"the ids are shorter than {MIN_ID_CHARS} characters"
        return SplitCheck(
            BINARY_FILES_WITHOUT_TEST_IDS.name, True,
            f"{len(binaries):,} extra public binary file(s) not looked into: {why}, so any binary file would hold "
            "some by chance",
            metadata,
        )  # fmt: skip
    runs = _id_runs(ids)
    least = min(LEAST_IDS, len(ids))
    holding, unread, budget = [], [], TOTAL_SCAN_BYTES
    for extra in binaries:
        if budget <= 0:
            unread.append(extra.path)
            continue
        with open(public.joinpath(*PurePosixPath(extra.path).parts), "rb") as handle:
            head = handle.read(min(SCAN_BYTES, budget))
        budget -= len(head)
        found = _ids_in(head, runs, ids)
        if len(found) >= least:
            holding.append((extra.path, sorted(found)))
    metadata |= {"files_holding_test_ids": len(holding), "files_not_read": len(unread)}
    left = (f"; {len(unread):,} not read (past {TOTAL_SCAN_BYTES // 2**20:,} MiB in all): {shown_list(unread)}"
            if unread else "")  # fmt: skip
    if not holding:
        return SplitCheck(
            BINARY_FILES_WITHOUT_TEST_IDS.name, True,
            f"{len(binaries) - len(unread):,} extra public binary file(s) hold none of the {len(ids):,} new test "
            f"ids (first {SCAN_BYTES // 2**20:,} MiB of each){left}",
            metadata,
        )  # fmt: skip
    named = "; ".join(
        f"{path} holds {len(found):,} of the {len(ids):,} new test ids "
        f"({', '.join(repr(i.decode(errors='replace')) for i in found[:SHOWN_IDS])}"
        f"{', ...' if len(found) > SHOWN_IDS else ''})"
        for path, found in holding[:SHOWN_IDS]
    )
    more = f"; and {len(holding) - SHOWN_IDS:,} more file(s)" if len(holding) > SHOWN_IDS else ""
    return SplitCheck(
        BINARY_FILES_WITHOUT_TEST_IDS.name, False,
        f"{named}{more}: the new test rows' data is public beside the training data, in a format mlecurate cannot "
        f"read for labels; if it carries their targets (a TFRecord of training examples does), every answer "
        f"leaks{left}",
        metadata,
    )  # fmt: skip


def _binary(public: Path, relative: str) -> bool:
    path = public.joinpath(*PurePosixPath(relative).parts)
    return (
        not is_data_file(path.name) and path.suffix.lower() not in ONE_SAMPLE and path.is_file() and not is_text(path)
    )


def _id_runs(ids: set[bytes]) -> re.Pattern:
    """Runs of the ids' characters, of their lengths and one more (a record's length byte may be one of them)."""
    characters = b"".join(re.escape(bytes([c])) for c in sorted({c for i in ids for c in i}))
    shortest, longest = min(map(len, ids)), max(map(len, ids))
    return re.compile(b"[" + characters + b"]{%d,%d}" % (shortest, longest + 2))


def _ids_in(data: bytes, runs: re.Pattern, ids: set[bytes]) -> set[bytes]:
    found = set()
    for run in runs.findall(data):
        for candidate in (run, run[1:], run[:-1], run[1:-1]):
            if candidate in ids:
                found.add(candidate)
                break
    return found
