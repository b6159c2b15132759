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
and mlecurate cannot tell whether their labels are there too; so do several files that each hold fewer but
together hold at least that many and half the ids looked for (a scaled-down download's 16 training TFRecords held
1 to 3 of 30 new test ids each, all 30 together: chance finds a few ids in large files, never half of them). It
warns, naming the files and ids; Kaggle's own test TFRecords (Kaggle's test rows, none of them a new test row) pass.
Where the ids are too short to look for (row numbers: a sweep's ml2021spring-hw2 published ``train_label_11.npy``,
every answer by row number), it warns that it could not look, naming the files. A file of labels in row order that
holds no id at all is not found where the ids are long enough to look for (review 176): only ids are looked for.

A file is looked at when the table and text checks cannot read it for labels: a binary file that is not one
sample's own content (an image, a sound, a DICOM or NIfTI scan: :data:`ONE_SAMPLE`), or a JSON document whose records
nest objects other than a COCO-style one (herbarium's ``metadata.json``, whose ``images`` and ``annotations`` pair
every image with its category, is read as a table by the leakage checks: ``validation.leakage.coco_table``). A zip (and NumPy's npz) and a tar are opened
(member names and contents), a gzip, bzip2 or xz stream decompressed; a 7z is not opened, and the check fails
naming it (it cannot say the file is clear). Ids are found as runs of the characters they are written with: a run
that is an id, one whose first byte is the rest's length (a record's length prefix that is one of the characters),
and a longer run cut into pieces of an id's length from its start (a fixed-width array's ids, back to back); in a
NumPy array with a ``U`` field (UTF-32, either byte order; told by its header, not in a pickle) every 4th byte, in
UTF-16 text with its byte order mark every 2nd. Each file gets its share of :data:`TOTAL_SCAN_BYTES` (at least
:data:`LEAST_SHARE`, at most :data:`SCAN_BYTES`), from its start: a training TFRecord holds test rows throughout.
Ids shorter than :data:`MIN_ID_CHARS` characters (row numbers) would be found in any binary file by chance and are
not looked for; when too few are left, the check says it could not look. A whole-number id is also found as a BSON
document's field of the id column's name holds it (cdiscount's ``train.bson``: ``_id`` an int32 or int64), which
no chance finds: a file holding any is named; a field of another name, or ids written with leading zeros, are not.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import lzma
import re
import struct
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

import duckdb

from validation.checks import Check
from validation.data_files import data_format, is_data_file, reader_sql, utc_connection
from validation.leakage import ExtraFile, SplitCheck, coco_table, is_text
from validation.messages import shown_list

BINARY_FILES_WITHOUT_TEST_IDS = Check(
    "binary_files_without_test_ids",
    "No extra public file that mlecurate cannot read for labels (a TFRecord, an array, an archive, a JSON document of "
    "nested records) holds the new test rows' ids.",
    severity="warning",
    remedy="Leave the file out of `public_files` (publish each row's own file with `row_files`, which puts the new "
    "test rows' files on the test side), or replace it in the download with files holding only training rows; if it "
    "holds no labels (features alone), say so in the annotation's note and export it with `mlecurate export "
    "--include-binary-ids SLUG`.",
)
# One sample's own content (its row's data, as row_files copies it): never a table of other rows' labels.
ONE_SAMPLE = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".wav", ".mp3", ".flac", ".ogg",
              ".aif", ".aiff", ".m4a", ".mp4", ".avi", ".mov", ".dcm", ".dicom", ".nii", ".mha", ".svs"}  # fmt: skip
LEAST_IDS = 10  # new test ids a file must hold to be named (fewer, by chance, in a large binary file)
MIN_ID_CHARS = 5  # ids shorter than this are found in random bytes: not looked for
SCAN_BYTES = 64 * 1024 * 1024  # of each file, from its start (decompressed)
TOTAL_SCAN_BYTES = 1024 * 1024 * 1024  # over every file: each gets its share of it, at least LEAST_SHARE
LEAST_SHARE = 4 * 1024 * 1024
SHOWN_IDS = 3


def check_binary_files_without_test_ids(
    public: Path,
    extras: Iterable[ExtraFile],
    test_ids: Iterable[str],
    released_labels: bool = False,
    id_column: str | None = None,
) -> SplitCheck:
    """The check over the extra public files copied to ``public/``; ``test_ids``: the new test rows' ids as the
    download writes them (their own ids, where ``test_ids`` renamed them); ``released_labels``: the test rows are
    Kaggle's own, whose data Kaggle published (in its test TFRecords, say): nothing to look for; ``id_column``: the
    ids' column, a whole-number id of which is looked for as a BSON field of that name holds it too."""
    extras = list(extras)
    with utc_connection() as con:
        binaries = [extra for extra in extras if _binary(con, public, extra.path)]
    if not binaries:
        samples = sum(PurePosixPath(extra.path).suffix.lower() in ONE_SAMPLE for extra in extras)
        return SplitCheck(
            BINARY_FILES_WITHOUT_TEST_IDS.name, True,
            "no extra public file that the table and text checks cannot read"
            + (f" ({samples:,} image, sound or scan file(s), each one sample's own, are not looked into)"
               if samples else ""),
            {},
        )  # fmt: skip
    if released_labels:
        return SplitCheck(
            BINARY_FILES_WITHOUT_TEST_IDS.name, True,
            f"{len(binaries):,} extra public binary file(s) not looked into: the test rows are Kaggle's own "
            "(released labels), published by Kaggle with their data",
            {"binary_files": len(binaries)},
        )  # fmt: skip
    every = {str(i).encode() for i in test_ids if str(i)}
    ids = {i for i in every if len(i) >= MIN_ID_CHARS}  # a shorter id (a row number) is in any binary by chance
    metadata = {"binary_files": len(binaries), "new_test_ids": len(every)}
    least = min(LEAST_IDS, len(every))
    if len(ids) < least or not ids:
        why = "no id column" if not every else f"too few of the ids have {MIN_ID_CHARS} characters or more"
        return SplitCheck(  # a sweep's ml2021spring-hw2: a .npy of labels by row number gave every answer away
            BINARY_FILES_WITHOUT_TEST_IDS.name, False,
            f"{len(binaries):,} extra public binary file(s) could not be looked into for the new test rows, so "
            f"nothing says they hold no answers ({shown_list(b.path for b in binaries)}): {why} (a shorter one is in "
            "any binary file by chance)",
            metadata,
        )  # fmt: skip
    runs, lengths = _id_runs(ids), sorted({len(i) for i in ids})
    fields = _bson_fields(id_column)
    share = min(SCAN_BYTES, max(LEAST_SHARE, TOTAL_SCAN_BYTES // len(binaries)))  # every file is looked into
    holding, sealed, few = [], [], []  # few: files holding some new test ids, fewer than least (by chance, maybe)
    for extra in binaries:
        path = public.joinpath(*PurePosixPath(extra.path).parts)
        found: set[bytes] = set()
        exact: set[bytes] = set()  # ids a BSON field of the id column's name holds: no chance finds them
        try:
            for data in _contents(path, share):
                for view in _views(data):
                    found |= _ids_in(view, runs, ids, lengths)
                exact |= _bson_ids(data, fields, every) if fields else set()
        except Sealed:
            sealed.append(extra.path)
            continue
        found |= exact
        if len(found) >= least or exact:
            holding.append((extra.path, "holds", sorted(found)))
        elif found:
            few.append((extra.path, found))
    held = set().union(*(found for _, _, found in holding))
    together = set().union(*(found for _, found in few))
    shown_files = holding[:SHOWN_IDS]
    more = f"; and {len(holding) - SHOWN_IDS:,} more file(s) holding enough alone" if len(holding) > SHOWN_IDS else ""
    holders = len(holding)
    if len(together - held) >= least and 2 * len(together | held) >= len(ids):  # not chance: half the ids in all
        shown_files.append((f"{len(few):,} files ({', '.join(path for path, _ in few[:SHOWN_IDS])}"
                            f"{', ...' if len(few) > SHOWN_IDS else ''}), each holding too few alone,",
                            "together hold", sorted(together)))  # fmt: skip
        holders += len(few)
    metadata |= {"files_holding_test_ids": holders, "files_not_opened": len(sealed)}
    looked = f"the first {share / 2**20:,.1f} MiB of each; archives and compressed streams opened"
    left = (f"; {len(sealed):,} not looked into (7z, compressed as mlecurate cannot open): {shown_list(sealed)}"
            if sealed else "")  # fmt: skip
    if not shown_files:
        some = (f"; fewer than {least}, too few to tell from chance in a large file: "
                + ", ".join(f"{path} holds {len(found):,}" for path, found in few[:SHOWN_IDS])
                + (f", and {len(few) - SHOWN_IDS:,} more file(s)" if len(few) > SHOWN_IDS else "")
                if few else "")  # fmt: skip
        return SplitCheck(
            BINARY_FILES_WITHOUT_TEST_IDS.name, not sealed,
            f"{len(binaries) - len(sealed):,} extra public binary file(s) hold {'too few' if few else 'none'} of the "
            f"{len(every):,} new test ids ({looked}){some}{left}",
            metadata,
        )  # fmt: skip
    named = [
        f"{path} {verb} {len(found):,} of the {len(every):,} new test ids "
        f"({', '.join(repr(i.decode(errors='replace')) for i in found[:SHOWN_IDS])}"
        f"{', ...' if len(found) > SHOWN_IDS else ''})"
        for path, verb, found in shown_files
    ]
    if more:  # after the files holding enough alone, which it counts; before the files holding the rest together
        named[SHOWN_IDS - 1] += more
    return SplitCheck(
        BINARY_FILES_WITHOUT_TEST_IDS.name, False,
        f"{'; '.join(named)}: the new test rows' data is public beside the training data, in a format mlecurate cannot "
        f"read for labels; if it carries their targets (a TFRecord of training examples does), every answer "
        f"leaks{left}",
        metadata,
    )  # fmt: skip


class Sealed(Exception):
    """A file compressed in a way this check cannot open (7z)."""


SEVEN_ZIP = b"7z\xbc\xaf\x27\x1c"
STREAMS = {b"\x1f\x8b": gzip.open, b"BZh": bz2.open, b"\xfd7zXZ\x00": lzma.open}  # magic bytes -> opener


def _contents(path: Path, share: int) -> Iterator[bytes]:
    """What a file holds, up to ``share`` bytes in all: a zip's (and npz's) and a tar's member names and contents,
    a gzip, bzip2 or xz stream decompressed, else its own bytes. A 7z raises :class:`Sealed`."""
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if magic.startswith(SEVEN_ZIP):
        raise Sealed(path)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                if share <= 0:
                    return
                yield member.filename.encode()
                with archive.open(member) as opened:
                    data = opened.read(share)
                share -= len(data)
                yield data
        return
    with contextlib.suppress(tarfile.TarError, OSError, EOFError), tarfile.open(path, "r:*") as archive:
        for member in archive:
            if share <= 0:
                return
            yield member.name.encode()
            if member.isfile() and (opened := archive.extractfile(member)) is not None:
                data = opened.read(share)
                share -= len(data)
                yield data
        return
    opener = next((o for m, o in STREAMS.items() if magic.startswith(m)), None)
    try:
        with (opener or open)(path, "rb") as handle:
            yield handle.read(share)
    except (OSError, EOFError, lzma.LZMAError):  # a damaged stream: its own bytes
        with open(path, "rb") as handle:
            yield handle.read(share)


def _binary(con, public: Path, relative: str) -> bool:
    """A file the table and text checks cannot read for labels: a binary file (not one sample's own), or a JSON
    document whose records nest objects (:func:`_nested_json`)."""
    path = public.joinpath(*PurePosixPath(relative).parts)
    if not path.is_file():
        return False
    if is_data_file(path.name):
        return data_format(path.name) == "json" and _nested_json(con, path)
    return path.suffix.lower() not in ONE_SAMPLE and not is_text(path)


def _nested_json(con, path: Path) -> bool:
    """Whether a JSON file's columns hold objects that the table checks cannot read: they pair an id with a label in
    one record's own columns, never inside these, but for a COCO-style document's (``validation.leakage.coco_table``:
    its ``images`` and ``annotations``, read as one table)."""
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {reader_sql(path)}").fetchall()
    except duckdb.Error:
        return False  # unreadable: public_free_of_private says so
    nested = any("STRUCT(" in str(kind) for _, kind, *_ in described)
    return nested and coco_table(con, path, [row[0] for row in described]) is None


def _views(data: bytes) -> Iterator[bytes]:
    """``data``, and for a NumPy array of ``U`` strings (UTF-32) every 4th byte, for UTF-16 text (a byte order mark
    first) every 2nd, from each start: the characters of ASCII ids written so. (Told by their headers: any int32
    array of small numbers looks like UTF-32 ASCII too, and its bytes 48-57 would read as digits.)"""
    yield data
    step = 4 if _unicode_array(data) else 2 if data.startswith(BOMS) else 0
    for start in range(step):
        yield data[start::step]


BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16's byte order marks
# A NumPy dtype of UTF-32 strings, either byte order, as the header's descr or a field's type (not a field's name)
UNICODE_FIELD = re.compile(rb"(?:'descr': |, )'[<>|=]?U\d+'")


def _unicode_array(data: bytes) -> bool:
    """A NumPy ``.npy`` (or an npz's member) whose whole header has a ``U`` field: its length is a little-endian
    uint16 at bytes 8-9 in format 1.0, a uint32 at 8-11 from 2.0 on (headers past 64 KiB: wide structured arrays)."""
    if not data.startswith(b"\x93NUMPY") or len(data) < 12:
        return False
    start, size = (
        (10, int.from_bytes(data[8:10], "little")) if data[6] == 1 else (12, int.from_bytes(data[8:12], "little"))
    )
    return bool(UNICODE_FIELD.search(data[start : start + size]))


def _bson_fields(id_column: str | None) -> re.Pattern | None:
    """BSON's element of a field named ``id_column`` holding a number: its type byte (double 0x01, int32 0x10, int64
    0x12) and the name, NUL-ended (sweep 191: cdiscount's train.bson keeps each product's ``_id`` as an integer, whose
    text is nowhere in the file: every new test product, with its category, was published with the check passing)."""
    return re.compile(rb"([\x01\x10\x12])" + re.escape(id_column.encode()) + rb"\x00") if id_column else None


def _bson_ids(data: bytes, fields: re.Pattern, ids: set[bytes]) -> set[bytes]:
    """The ids that BSON fields of the id column's name hold in ``data``, as numbers written as text."""
    found = set()
    for field in fields.finditer(data):
        kind, start = field.group(1), field.end()
        width = 4 if kind == b"\x10" else 8
        if start + width > len(data):
            continue
        number = struct.unpack_from({b"\x10": "<i", b"\x12": "<q", b"\x01": "<d"}[kind], data, start)[0]
        if kind != b"\x01" or float(number).is_integer():
            text = str(int(number)).encode()
            found |= {text} & ids
    return found


def _id_runs(ids: set[bytes]) -> re.Pattern:
    """Runs of the characters the ids are written with, at least as long as the shortest."""
    characters = b"".join(re.escape(bytes([c])) for c in sorted({c for i in ids for c in i}))
    return re.compile(b"[" + characters + b"]{%d,}" % min(map(len, ids)))


def _ids_in(data: bytes, runs: re.Pattern, ids: set[bytes], lengths: list[int]) -> set[bytes]:
    """The ids among ``data``'s runs: a run that is an id; one whose first byte is the rest's length (a record's
    length prefix that happens to be one of the characters: 'A' before a 65-character id); and a longer run cut
    from its start into pieces of an id's length (a fixed-width array's ids, written back to back)."""
    found = set()
    longest = lengths[-1]
    for run in runs.findall(data):
        if run in ids:
            found.add(run)
        elif run[0] == len(run) - 1 and run[1:] in ids:
            found.add(run[1:])
        elif len(run) > longest + 1:
            for length in lengths:
                found.update(piece for k in range(0, len(run) - length + 1, length)
                             if (piece := run[k : k + length]) in ids)  # fmt: skip
    return found
