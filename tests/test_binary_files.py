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
    assert (
        check.passed
        and check.found == "1 extra public binary file(s) hold none of the 40 new test ids (first 64 MiB of each)"
    )


def test_renamed_test_rows_are_looked_for_by_their_own_ids(tmp_path):
    recipe = RECIPE | {"test_ids": "test_{n:04d}"}
    built = prepare_competition("siim", parse_recipe(recipe, "r"), _siim(tmp_path), tmp_path / "prepared")
    assert not _check(built).passed and "of the 40 new test ids ('ISIC_" in _check(built).found


def test_files_past_the_scan_budget_are_named_as_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(binary_files, "TOTAL_SCAN_BYTES", 1)
    built = prepare_competition("siim", parse_recipe(RECIPE, "r"), _siim(tmp_path), tmp_path / "prepared")
    check = _check(built)
    assert check.passed and check.metadata["files_not_read"] == 2 and "2 not read (past 0 MiB in all)" in check.found


def test_short_ids_are_not_looked_for_saying_why(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "train.csv", ["id", "target"], [(i, i % 2) for i in range(100)])
    _tfrecord(raw / "blobs" / "all.bin", [_example(str(i), i % 2) for i in range(100)])
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["target"], "metric": "auc",
              "public_files": ["blobs/"]}  # fmt: skip
    check = _check(prepare_competition("short", parse_recipe(recipe, "r"), raw, tmp_path / "prepared"))
    assert check.passed and check.found == ("1 extra public binary file(s) not looked into: the ids are shorter than 5 "
                                            "characters, so any binary file would hold some by chance")  # fmt: skip


@pytest.mark.parametrize("before", [b"\x0c", b"A", b"9", b"\x00"])
def test_an_id_after_a_length_byte_that_is_one_of_its_characters_is_found(before):
    ids = {b"ISIC_0001234", b"ISIC_0005678"}
    data = b"\x00\x01" + before + b"ISIC_0001234" + b"\x12" + before + b"ISIC_0005678Z" + b"\xff"
    assert _ids_in(data, _id_runs(ids), ids) == ids


def test_kaggles_own_test_rows_under_released_labels_are_not_looked_for(tmp_path):
    from validation.binary_files import check_binary_files_without_test_ids
    from validation.leakage import ExtraFile

    _tfrecord(tmp_path / "tfrecords" / "test00.tfrec", [_example(image, 0) for image in IMAGES[:20]])
    extra = ExtraFile("tfrecords/test00.tfrec", "", "tfrecords/")
    released = check_binary_files_without_test_ids(tmp_path, [extra], IMAGES[:20], released_labels=True)
    assert released.passed and "the test rows are Kaggle's own (released labels)" in released.found
    assert not check_binary_files_without_test_ids(tmp_path, [extra], IMAGES[:20]).passed
