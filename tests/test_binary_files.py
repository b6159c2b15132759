"""The ``binary_files_without_test_ids`` warning: an extra public binary file holding the new test rows' ids.

A newcomer's sweep published siim-isic-melanoma's and cassava's training TFRecords through ``public_files``, as
MLE-bench's layout has them: every new test row's image was in them with its target, and ``public_free_of_private``
passed saying no extra file held a new test row's label (it reads data and text files; a binary one only by its bytes
and path). The TFRecords here are real TFRecord framing around ``tf.train.Example`` protos, encoded by hand."""

from __future__ import annotations

import struct

import pandas as pd
import pytest

import validation.binary_files as binary_files
from splits.layout import prepare_competition
from tests.conftest import write_csv
from validation.binary_files import _id_runs, _ids_in
from validation.data_root import PreparedFolder
from validation.split_recipe import parse_recipe

IMAGES = [f"ISIC_{1_000_000 + 37 * i:07d}" for i in range(200)]
RECIPE = {"kind": "random", "id_column": "image_name", "target_columns": ["target"], "test_fraction": 0.2,
          "metric": "auc", "public_files": ["tfrecords/"]}  # fmt: skip


def _varint(value: int) -> bytes:
    out = b""
    while True:
        low, value = value & 0x7F, value >> 7
        out += bytes([low | (0x80 if value else 0)])
        if not value:
            return out


def _field(number: int, payload: bytes) -> bytes:  # a length-delimited protobuf field
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _example(image: str, target: int) -> bytes:
    """A tf.train.Example: features {image_name: bytes_list, target: int64_list, image: bytes_list}."""

    def feature(key: str, value: bytes) -> bytes:
        return _field(1, _field(1, key.encode()) + _field(2, value))

    features = (feature("image_name", _field(1, _field(1, image.encode())))
                + feature("target", _field(3, _field(1, _varint(target))))
                + feature("image", _field(1, _field(1, bytes(range(256)) * 4))))  # fmt: skip
    return _field(1, features)


def _tfrecord(path, examples: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:  # TFRecord framing; the CRCs are not checked by anything here
        for data in examples:
            handle.write(struct.pack("<Q", len(data)) + b"\0" * 4 + data + b"\0" * 4)


def _siim(tmp_path, test_records: bool = True):
    raw = tmp_path / "raw"
    targets = [int(i % 7 == 0) for i in range(len(IMAGES))]
    write_csv(raw / "train.csv", ["image_name", "patient_id", "target"],
              [(image, f"IP_{i // 3:04d}", t) for i, (image, t) in enumerate(zip(IMAGES, targets, strict=True))])  # fmt: skip
    for part in range(2):
        rows = range(part, len(IMAGES), 2)
        _tfrecord(raw / "tfrecords" / f"train{part:02d}-100.tfrec", [_example(IMAGES[i], targets[i]) for i in rows])
    if test_records:  # Kaggle's own test rows: none is a new test row
        _tfrecord(raw / "tfrecords" / "test00-20.tfrec", [_example(f"ISIC_{9_000_000 + i:07d}", 0) for i in range(20)])
    return raw


def _check(built, name="binary_files_without_test_ids"):
    return next(check for check in built.checks if check.name == name)


def test_training_tfrecords_holding_the_new_test_rows_are_named_with_their_ids(tmp_path):
    built = prepare_competition("siim", parse_recipe(RECIPE, "r"), _siim(tmp_path), tmp_path / "prepared")
    assert built.published  # a warning: mlecurate cannot read the format for labels
    test_ids = set(pd.read_csv(PreparedFolder(built.folder).public / "test.csv")["image_name"])
    check = _check(built)
    assert not check.passed and check.metadata["files_holding_test_ids"] == 2
    for part in range(2):
        held = sum(1 for i in test_ids if IMAGES.index(i) % 2 == part)
        assert (
            f"tfrecords/train{part:02d}-100.tfrec holds {held} of the {len(test_ids)} new test ids ('ISIC_"
            in check.found
        )
    assert "test00-20.tfrec" not in check.found  # Kaggle's own test rows
    assert check.found.endswith(
        "if it carries their targets (a TFRecord of training examples does), every answer leaks"
    )
    clear = _check(built, "public_free_of_private")
    assert clear.passed and clear.found.endswith(
        "(3 binary extra file(s) among them judged by their bytes and paths alone: their contents are not read for "
        "labels)"
    )


def test_kaggles_own_test_records_alone_pass(tmp_path):
    raw = _siim(tmp_path)
    recipe = RECIPE | {"public_files": ["tfrecords/test00-20.tfrec"]}
    check = _check(prepare_competition("siim", parse_recipe(recipe, "r"), raw, tmp_path / "prepared"))
    assert check.passed and check.found == ("1 extra public binary file(s) hold none of the 40 new test ids (the first "
                                            "64.0 MiB of each; archives and compressed streams opened)")  # fmt: skip


def test_renamed_test_rows_are_looked_for_by_their_own_ids(tmp_path):
    recipe = RECIPE | {"test_ids": "test_{n:04d}"}
    built = prepare_competition("siim", parse_recipe(recipe, "r"), _siim(tmp_path), tmp_path / "prepared")
    assert not _check(built).passed and "of the 40 new test ids ('ISIC_" in _check(built).found


def test_every_file_gets_its_share_of_the_scan_however_large_the_ones_before_it(tmp_path, monkeypatch):
    """A review: Kaggle's own test TFRecords (test00... sorts before train00...) used up the whole budget on SIIM's
    real folder, and no training file was read: the check passed."""
    raw = _siim(tmp_path, test_records=False)
    _tfrecord(raw / "tfrecords" / "test00-2000.tfrec", [_example(f"ISIC_{9_000_000 + i:07d}", 0) for i in range(2000)])
    size = (raw / "tfrecords" / "test00-2000.tfrec").stat().st_size
    monkeypatch.setattr(binary_files, "TOTAL_SCAN_BYTES", size)  # the old budget: all of it spent on Kaggle's file
    monkeypatch.setattr(binary_files, "LEAST_SHARE", 0)
    check = _check(prepare_competition("siim", parse_recipe(RECIPE, "r"), raw, tmp_path / "prepared"))
    assert not check.passed and check.metadata["files_holding_test_ids"] == 2


def test_short_ids_are_not_looked_for_and_the_check_fails_saying_why(tmp_path):
    """Sweep 175's ml2021spring-hw2: a .npy of labels by row number, ids too short to look for, gave every new test
    answer away while the check passed; it cannot say the files are clear, so it fails (a warning), naming them."""
    raw = tmp_path / "raw"
    write_csv(raw / "train.csv", ["id", "target"], [(i, i % 2) for i in range(100)])
    _tfrecord(raw / "blobs" / "all.bin", [_example(str(i), i % 2) for i in range(100)])
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["target"], "metric": "auc",
              "public_files": ["blobs/"]}  # fmt: skip
    check = _check(prepare_competition("short", parse_recipe(recipe, "r"), raw, tmp_path / "prepared"))
    assert not check.passed and check.found == (
        "1 extra public binary file(s) could not be looked into for the new test rows, so nothing says they hold no "
        "answers (blobs/all.bin): too few of the ids have 5 characters or more (a shorter one is in any binary file "
        "by chance)"
    )


LONG = {b"ISIC_" + b"%043d" % i for i in (1234, 5678)}  # 48 characters: a length byte of 48 is the digit 0


@pytest.mark.parametrize("before", [b"\x30", b"\x00", b"\xff"])
def test_an_id_after_a_length_byte_that_is_one_of_its_characters_is_found(before):
    runs, lengths = _id_runs(LONG), [48]
    data = b"\x00\x01" + b"".join(before + i + b"\x12" for i in sorted(LONG))
    assert _ids_in(data, runs, LONG, lengths) == LONG


def test_a_number_is_not_cut_to_find_a_shorter_id():
    """A review: stripping a character from either end of a run found Kaggle's own test ids (51234 made 1234)."""
    ids = {b"12345", b"23456"}
    data = b"\x00612345\x00234561\x00"
    assert _ids_in(data, _id_runs(ids), ids, [5]) == set()


@pytest.mark.parametrize("dtype", ["U12", ">U12", "S12", "utf-16"])
def test_a_numpy_array_of_text_ids_is_looked_into_whatever_its_encoding(tmp_path, dtype):
    """A newcomer's run: np.save of a list of ids (NumPy's U, UTF-32) was said to hold none of the new test ids."""
    import numpy as np

    from validation.binary_files import check_binary_files_without_test_ids
    from validation.leakage import ExtraFile

    if dtype == "utf-16":
        (tmp_path / "ids.bin").write_bytes("\n".join(IMAGES).encode("utf-16"))  # with its byte order mark
    else:
        np.save(tmp_path / "ids.npy", np.array(IMAGES, dtype=dtype))
    name = "ids.bin" if dtype == "utf-16" else "ids.npy"
    check = check_binary_files_without_test_ids(tmp_path, [ExtraFile(name, "", name)], IMAGES[:40])
    assert not check.passed and check.found.startswith(f"{name} holds 40 of the 40 new test ids")


def test_ids_written_back_to_back_in_a_fixed_width_array_are_found():
    """A review: NumPy's ``S12`` array of ids is one run of their characters; the greedy runs cut across them."""
    import numpy as np

    ids = {f"ISIC_{1_000_000 + i:07d}".encode() for i in range(30)}
    data = np.array(sorted(ids), dtype="S12").tobytes()
    assert _ids_in(data, _id_runs(ids), ids, [12]) == ids


@pytest.mark.parametrize("form", ["gzip", "zip", "npz", "tar.gz", "xz", "7z"])
def test_compressed_files_and_archives_are_opened_or_named_as_not_looked_into(tmp_path, form):
    """A review: a gzip'd TFRecord, an npz, a deflated zip and a tar.gz of one were said to hold none of the new
    test ids, every one of which they held."""
    import gzip
    import io
    import lzma
    import tarfile
    import zipfile

    import numpy as np

    from validation.binary_files import check_binary_files_without_test_ids
    from validation.leakage import ExtraFile

    _tfrecord(tmp_path / "plain.tfrec", [_example(image, 1) for image in IMAGES[:40]])
    plain = (tmp_path / "plain.tfrec").read_bytes()
    name = {"gzip": "train.tfrec.gz", "zip": "train.zip", "npz": "train.npz", "tar.gz": "train.tar.gz",
            "xz": "train.tfrec.xz", "7z": "train.7z"}[form]  # fmt: skip
    target = tmp_path / "public" / name
    target.parent.mkdir()
    if form == "gzip":
        target.write_bytes(gzip.compress(plain))
    elif form == "xz":
        target.write_bytes(lzma.compress(plain))
    elif form == "zip":
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("train00.tfrec", plain)
    elif form == "npz":
        np.savez_compressed(target, names=np.array(IMAGES[:40], dtype="S12"))
    elif form == "tar.gz":
        with tarfile.open(target, "w:gz") as archive:
            info = tarfile.TarInfo("train00.tfrec")
            info.size = len(plain)
            archive.addfile(info, io.BytesIO(plain))
    else:
        import py7zr

        with py7zr.SevenZipFile(target, "w") as archive:
            archive.writestr(plain, "train00.tfrec")
    check = check_binary_files_without_test_ids(target.parent, [ExtraFile(name, "", name)], IMAGES[:40])
    assert not check.passed
    if form == "7z":
        assert check.found.endswith(f"1 not looked into (7z, compressed as mlecurate cannot open): {name}")
    else:
        assert check.found.startswith(f"{name} holds 40 of the 40 new test ids")


def test_a_json_document_of_nested_records_is_looked_into(tmp_path):
    """A newcomer's sweep (herbarium-2020-fgvc7): a metadata.json of nested records pairing every image with its
    category was published through public_files with all 58 new test rows' labels, and public_free_of_private passed
    (it pairs ids and labels in a record's own columns). A COCO-style document (``images`` and ``annotations``) is now
    read as a table by the leakage checks (``validation.leakage.coco_table``); any other nesting is looked into here."""
    import json

    from validation.binary_files import check_binary_files_without_test_ids
    from validation.leakage import ExtraFile

    ids = [str(100_000 + 17 * i) for i in range(60)]
    nested = {"specimens": [{"image": {"id": int(i), "file": f"images/{k % 7}/{i}.jpg"}, "taxon": {"family": k % 7}}
                            for k, i in enumerate(ids)]}  # fmt: skip
    coco = {"images": [{"id": int(i), "file_name": f"images/{k % 7}/{i}.jpg"} for k, i in enumerate(ids)],
            "annotations": [{"image_id": int(i), "category_id": k % 7} for k, i in enumerate(ids)],
            "categories": [{"id": k, "name": f"plant {k}"} for k in range(7)]}  # fmt: skip
    (tmp_path / "metadata.json").write_text(json.dumps(nested, indent=4))
    (tmp_path / "coco.json").write_text(json.dumps(coco, indent=4))
    (tmp_path / "table.json").write_text(json.dumps([{"id": i, "x": 1} for i in ids]))  # a flat table: not here
    extras = [ExtraFile(name, "", name) for name in ("metadata.json", "coco.json", "table.json")]
    check = check_binary_files_without_test_ids(tmp_path, extras, ids[:20])
    assert not check.passed and check.found.startswith("metadata.json holds 20 of the 20 new test ids")
    assert check.metadata["binary_files"] == 1


def test_kaggles_own_test_rows_under_released_labels_are_not_looked_for(tmp_path):
    from validation.binary_files import check_binary_files_without_test_ids
    from validation.leakage import ExtraFile

    _tfrecord(tmp_path / "tfrecords" / "test00.tfrec", [_example(image, 0) for image in IMAGES[:20]])
    extra = ExtraFile("tfrecords/test00.tfrec", "", "tfrecords/")
    released = check_binary_files_without_test_ids(tmp_path, [extra], IMAGES[:20], released_labels=True)
    assert released.passed and "the test rows are Kaggle's own (released labels)" in released.found
    assert not check_binary_files_without_test_ids(tmp_path, [extra], IMAGES[:20]).passed


def test_a_unicode_field_is_found_in_a_header_past_64_kib_and_a_field_named_like_one_is_not_one(tmp_path):
    """A review: NumPy writes format 2.0 for a header past 64 KiB (a wide structured array), whose U field came after
    the first 64 KiB and was missed; and a field named 'U12' (of int32 pixels) was taken for a U field."""
    import numpy as np

    from validation.binary_files import _unicode_array

    wide = np.zeros(3, dtype=[*((f"f{i}", "<f8") for i in range(4000)), ("id", "<U12")])
    np.save(tmp_path / "wide.npy", wide)
    data = (tmp_path / "wide.npy").read_bytes()
    assert data[6] == 2 and _unicode_array(data)
    np.save(tmp_path / "named.npy", np.zeros(3, dtype=[("U12", "<i4")]))
    assert not _unicode_array((tmp_path / "named.npy").read_bytes())


def test_a_file_holding_a_few_new_test_ids_says_so(tmp_path):
    """A newcomer's sweep: val2019.json held 1 of 30 new test ids, and the check said it held none."""
    import json

    from validation.binary_files import check_binary_files_without_test_ids
    from validation.leakage import ExtraFile

    ids = [f"img{100_000 + 17 * i}" for i in range(30)]
    nested = {"specimens": [{"image": {"file": f"{i}.jpg"}} for i in [ids[0], "other1", "other2"]]}
    (tmp_path / "val.json").write_text(json.dumps(nested))
    check = check_binary_files_without_test_ids(tmp_path, [ExtraFile("val.json", "", "val.json")], ids)
    assert check.passed and check.found.startswith("1 extra public binary file(s) hold too few of the 30 new test ids")
    assert "; fewer than 10, too few to tell from chance in a large file: val.json holds 1" in check.found


def test_files_each_holding_a_few_new_test_ids_are_named_when_together_they_hold_half(tmp_path):
    """A sweep's scaled-down siim: 16 training TFRecords held 1-3 of the 30 new test ids each, all 30 together, and
    the check passed ("too few to tell from chance"). Chance finds a few ids in large files, never half of them."""
    from validation.binary_files import check_binary_files_without_test_ids
    from validation.leakage import ExtraFile

    test_ids = IMAGES[:30]
    extras = []
    for part in range(15):  # each file: two of the new test ids among training rows
        name = f"train{part:02d}.tfrec"
        held = test_ids[2 * part : 2 * part + 2] + IMAGES[30 + 10 * part : 40 + 10 * part]
        _tfrecord(tmp_path / name, [_example(image, 0) for image in held])
        extras.append(ExtraFile(name, "", name))
    check = check_binary_files_without_test_ids(tmp_path, extras, test_ids)
    assert not check.passed and check.metadata["files_holding_test_ids"] == 15
    assert check.found.startswith(
        "15 files (train00.tfrec, train01.tfrec, train02.tfrec, ...), each holding too few alone, together hold 30 "
        "of the 30 new test ids ('ISIC_1000000', "
    )
    # One file holding enough alone does not hide the others: both are named at once (a review: the curator left
    # out the one named, split again, and only then heard of the rest).
    name = "big.tfrec"
    _tfrecord(tmp_path / name, [_example(image, 0) for image in IMAGES[200 - 10 :] + IMAGES[30:40]])
    big = check_binary_files_without_test_ids(
        tmp_path, [ExtraFile(name, "", name), *extras], IMAGES[200 - 10 :] + test_ids[:20]
    )
    assert not big.passed and big.metadata["files_holding_test_ids"] == 11
    assert big.found.startswith(
        "big.tfrec holds 10 of the 30 new test ids ('ISIC_1007030', 'ISIC_1007067', 'ISIC_1007104', ...); 10 files "
        "(train00.tfrec, train01.tfrec, train02.tfrec, ...), each holding too few alone, together hold 20 of the 30 "
        "new test ids ("
    ), big.found
    # More files holding enough alone than are shown: their count comes before the files holding the rest together.
    many = [f"ISIC_{2_000_000 + i:07d}" for i in range(40)]  # ids no other file here holds
    for part in range(4):
        _tfrecord(tmp_path / f"big{part}.tfrec", [_example(image, 0) for image in many[10 * part : 10 * part + 10]])
    bigs = [ExtraFile(f"big{part}.tfrec", "", f"big{part}.tfrec") for part in range(4)]
    crowd = check_binary_files_without_test_ids(tmp_path, [*bigs, *extras[:10]], many + test_ids[:20])
    assert "; and 1 more file(s) holding enough alone; 10 files (train00.tfrec, " in crowd.found, crowd.found
    assert crowd.metadata["files_holding_test_ids"] == 14
    # Fewer than half of the ids, spread over the files, is what chance could do: said, not named.
    few = check_binary_files_without_test_ids(tmp_path, extras[:7], test_ids)
    assert few.passed and "fewer than 10, too few to tell from chance in a large file" in few.found


def _bson(fields: list[tuple[int, str, bytes]]) -> bytes:
    """One BSON document of (type byte, name, encoded value) elements."""
    import struct

    body = b"".join(bytes([kind]) + name.encode() + b"\x00" + value for kind, name, value in fields) + b"\x00"
    return struct.pack("<i", len(body) + 4) + body


def test_whole_number_ids_a_bson_file_holds_as_numbers_are_found(tmp_path):
    """Sweep 191: cdiscount's train.bson keeps each product's ``_id`` as an int32 (int64 past it), beside its
    category and images; the ids' text is nowhere in it, and a train.bson holding every new test product was
    published with the check passing. Found as BSON fields of the id column's name; ids the file lacks are not."""
    import random
    import struct

    from validation.binary_files import check_binary_files_without_test_ids
    from validation.leakage import ExtraFile

    rng = random.Random(4)
    ids = [str(1_000_000 + 31 * k) for k in range(80)] + [str(5_000_000_000 + k) for k in range(20)]  # int64 too
    documents = b"".join(
        _bson([(0x10 if int(i) < 2**31 else 0x12, "_id", struct.pack("<i" if int(i) < 2**31 else "<q", int(i))),
               (0x12, "category_id", struct.pack("<q", 1000010653)),
               (0x05, "imgs", struct.pack("<i", 64) + b"\x00" + rng.randbytes(64))])
        for i in ids
    )  # fmt: skip
    (tmp_path / "train.bson").write_bytes(documents)
    extra = ExtraFile("train.bson", "", "train.bson")
    check = check_binary_files_without_test_ids(tmp_path, [extra], ids[50:], id_column="_id")
    assert not check.passed and check.found.startswith("train.bson holds 50 of the 50 new test ids"), check.found
    assert check_binary_files_without_test_ids(tmp_path, [extra], ids[50:]).passed  # by their text alone: not found
    assert check_binary_files_without_test_ids(tmp_path, [extra], [str(7_000_000 + k) for k in range(50)],
                                               id_column="_id").passed  # fmt: skip
