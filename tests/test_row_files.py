"""The recipe keys ``row_files`` and ``test_row_files``: each row's own file (an image) goes where its row goes, as
MLE-bench's prepare scripts copy them (aerial-cactus-identification: ``train/<id>`` to ``public/train/`` and
``public/test/``), with nothing published when a row has no file."""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import shutil
from pathlib import Path

import pytest

from splits.builder import SplitError
from splits.layout import prepare_competition, refused
from splits.row_files import RowFile, copy_row_files
from tests.conftest import write_csv
from validation.split_recipe import RecipeError, parse_recipe

SLUG = "cactus-pictures"
TRAIN_IDS = [f"{hashlib.sha256(str(i).encode()).hexdigest()[:12]}.jpg" for i in range(200)]
TEST_IDS = [f"{hashlib.sha256(str(i).encode()).hexdigest()[:12]}.jpg" for i in range(200, 260)]
RECIPE = {"kind": "random", "id_column": "id", "target_columns": ["has_cactus"], "test_fraction": 0.2,
          "sample_submission_file": "sample_submission.csv", "metric": "auc", "row_files": "train/{id}"}  # fmt: skip


@pytest.fixture
def download(tmp_path) -> Path:
    """aerial-cactus-identification's shape: train.csv (id "abc.jpg", has_cactus), train/<id> for every train row,
    test/<id> for Kaggle's test rows (labels hidden), and the same images filed by class in train_by_class/."""
    rng = random.Random(0)
    raw = tmp_path / "raw"
    labels = {i: rng.choice(["0", "1"]) for i in TRAIN_IDS}
    write_csv(raw / "train.csv", ["id", "has_cactus"], labels.items())
    write_csv(raw / "sample_submission.csv", ["id", "has_cactus"], [(i, 0.5) for i in TEST_IDS])
    for folder, ids in (("train", TRAIN_IDS), ("test", TEST_IDS)):
        (raw / folder).mkdir()
        for i in ids:
            (raw / folder / i).write_bytes(rng.randbytes(40))
    for i, label in labels.items():
        (raw / "train_by_class" / label).mkdir(parents=True, exist_ok=True)
        (raw / "train_by_class" / label / i).write_bytes((raw / "train" / i).read_bytes())
    return raw


def _prepare(download: Path, root: Path, **changes):
    return prepare_competition(SLUG, parse_recipe(RECIPE | changes, "recipe.yaml"), download, root)


def _column(path: Path, name: str) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        return [row[name] for row in csv.DictReader(handle)]


@pytest.mark.parametrize(
    "changes, test_folder",
    [({}, "test"), ({"row_files": "train_by_class/{has_cactus}/{id}", "test_row_files": "test/{id}"}, "test")],
)
def test_each_rows_file_goes_with_its_row(download, tmp_path, changes, test_folder):
    prepared = _prepare(download, tmp_path / "prepared", **changes)
    assert prepared.published, [c.found for c in prepared.checks if not c.passed]
    public = prepared.folder / "public"
    train_ids, test_ids = _column(public / "train.csv", "id"), _column(public / "test.csv", "id")
    assert len(train_ids) == 160 and len(test_ids) == 40
    pattern = changes.get("row_files", "train/{id}")
    source_of = {i: download / pattern.format(id=i, has_cactus=label) for i, label in
                 zip(_column(download / "train.csv", "id"), _column(download / "train.csv", "has_cactus"), strict=True)}  # fmt: skip
    train_folder = pattern.split("/")[0]
    train_files = sorted(p.relative_to(public).as_posix() for p in (public / train_folder).rglob("*") if p.is_file())
    assert train_files == sorted(source_of[i].relative_to(download).as_posix() for i in train_ids)
    assert sorted(p.name for p in (public / test_folder).iterdir()) == sorted(test_ids)  # none of Kaggle's test/
    for i in train_ids:
        assert (public / source_of[i].relative_to(download)).read_bytes() == source_of[i].read_bytes()
    for i in test_ids:
        assert (public / test_folder / i).read_bytes() == source_of[i].read_bytes()
    assert not set(test_ids) & {p.name for p in (download / "test").iterdir()}

    manifest = json.loads((prepared.folder / "manifest.json").read_text())
    files = {f["path"]: f for f in manifest["files"]}
    some_test = files[f"public/test/{test_ids[0]}"]
    assert some_test == {
        "path": f"public/test/{test_ids[0]}", "bytes": 40, "row_files_key": "test_row_files",
        "checksum": "sha256:" + hashlib.sha256(source_of[test_ids[0]].read_bytes()).hexdigest(),
    }  # fmt: skip
    assert sum(f.get("row_files_key") == "row_files" for f in files.values()) == 160
    found = manifest["checks"]["public_free_of_private"]
    assert found["passed"] and "200 row file(s) (train 160, test 40)" in found["found"]
    description = (public / "description.md").read_text()
    assert f"| `{pattern}` | | 160 files, one per train row (`row_files`)" in description
    assert "| `test/{id}` | | 40 files, one per test row (`test_row_files`)" in description
    assert "Kaggle's own test files are not included." in description


@pytest.mark.parametrize(
    "changes, key, message",
    [
        ({"row_files": "/abs/{id}"}, "row_files", "must be a path inside the competition's download"),
        ({"row_files": "train/../{id}"}, "row_files", "must be a path inside the competition's download"),
        ({"row_files": "train/image.jpg"}, "row_files", "names one file for every row: put the row's columns"),
        ({"row_files": "train/{id.jpg"}, "row_files", "has unbalanced or nested braces"),
        (
            {"row_files": "train/{id}-{n:*}.jpg"},
            "row_files",
            "has the placeholder {n:*}, a glob: a placeholder here is "
            "a column of the train file, each row naming one file (a glob is train_listing's",
        ),  # sweep 197: petfinder
        ({"row_files": "train/{id}}.jpg"}, "row_files", "has unbalanced or nested braces"),
        ({"row_files": "train/{}.jpg"}, "row_files", "has an empty placeholder"),
        ({"row_files": "train/{id}/"}, "row_files", "names a folder"),
        ({"row_files": "train/{id}/*.tif"}, "row_files", "is a glob outside a placeholder: a pattern names one file"),
        ({"row_files": ["train/{id}"]}, "row_files", "expected a path pattern"),
        ({"row_files": "images/{id}"}, "test_row_files", "required: row_files 'images/{id}' has no 'train'"),
        ({"row_files": "images/{image_id}.jpg"}, "test_row_files", "under public/, such as 'test/{image_id}.jpg'"),
        ({"row_files": None, "test_row_files": "test/{id}"}, "test_row_files", "needs row_files"),
        ({"test_row_files": "train/{id}"}, "test_row_files", "is row_files' own pattern"),
        ({"test_row_files": "train/./{id}"}, "test_row_files", "is row_files' own pattern"),
        (
            {"row_files": "images/{image_id}.jpg", "test_row_files": "images/{image_id}.jpg"},
            "test_row_files",
            "a folder of their own, such as 'test/{image_id}.jpg'",
        ),
        (
            {"row_files": "images/{image_id}/photo.jpg", "test_row_files": "images/{image_id}/photo.jpg"},
            "test_row_files",
            "a folder of their own, such as 'test/{image_id}/photo.jpg'",
        ),
        ({"test_row_files": "../test/{id}"}, "test_row_files", "must be a path inside"),
        (
            {"row_files": "train_by_class/{has_cactus}/{id}"},
            "test_row_files",
            "'test_by_class/{has_cactus}/{id}' (the default, from row_files 'train_by_class/{has_cactus}/{id}') names "
            "target column 'has_cactus': the test rows' file paths would give their labels away; name their files by "
            "columns the public test set keeps, such as 'test_by_class/{id}'",
        ),
        (
            {"test_row_files": "test/{has_cactus}/{id}"},
            "test_row_files",
            "'test/{has_cactus}/{id}' names target column 'has_cactus'",
        ),
        ({"test_row_files": "test/{has_cactus[0]}/{id}"}, "test_row_files", "names target column 'has_cactus'"),
        ({"row_files": "train/{id[-1]}/{id}"}, "row_files", "whose slice is not one of [i], [i:j], [i:] or [:j]"),
        ({"row_files": "train/{id[:]}/{id}"}, "row_files", "whose slice is not one of [i], [i:j], [i:] or [:j]"),
        ({"row_files": "train/{id[3:1]}/{id}"}, "row_files", "whose slice takes no character"),
        ({"kind": "released_labels", "answers_file": "a.csv"}, "row_files", "not for kind released_labels"),
        ({"row_files": None, "train_row_files": "train_images/{id}"}, "train_row_files", "needs row_files"),
        ({"train_row_files": "train_images/{id"}, "train_row_files", "has unbalanced or nested braces"),
        (
            {"train_row_files": "test/{id}"},
            "train_row_files",
            "'test/{id}' is where the test rows' files go (test_row_files, by default: 'test/{id}')",
        ),
        (
            {"train_row_files": "images/{id}", "test_row_files": "images/{id}"},
            "test_row_files",
            "'images/{id}' is train_row_files' pattern",
        ),
        (
            {"train_row_files": "test/{id}.jpg"},
            "train_row_files",
            "the train rows' files ('test/{id}.jpg') and the test rows' ('test/{id}') would share the folder test/",
        ),
        ({"test_row_files": "train/x/{id}"}, "test_row_files", "would share the folder train/"),
    ],
)
def test_bad_patterns_are_refused_when_the_recipe_is_read(changes, key, message):
    with pytest.raises(RecipeError) as raised:
        parse_recipe({k: v for k, v in (RECIPE | changes).items() if v is not None}, "recipe.yaml")
    assert str(raised.value).startswith(f"recipe.yaml: split recipe key '{key}': ")
    assert message in str(raised.value)


def test_train_row_files_puts_the_train_rows_files_in_a_folder_of_their_own(download, tmp_path):
    """iwildcam-2019's images are flat in its train_images.zip, which the download unpacks at its top: without
    train_row_files the new train rows' images sat beside train.csv in public/."""
    for i in TRAIN_IDS:
        (download / i).write_bytes((download / "train" / i).read_bytes())
    changes = {"row_files": "{id}", "train_row_files": "train_images/{id}", "test_row_files": "test_images/{id}"}
    prepared = _prepare(download, tmp_path / "prepared", **changes)
    assert prepared.published, [c.found for c in prepared.checks if not c.passed]
    public = prepared.folder / "public"
    train_ids, test_ids = _column(public / "train.csv", "id"), _column(public / "test.csv", "id")
    assert sorted(p.name for p in (public / "train_images").iterdir()) == sorted(train_ids)
    assert sorted(p.name for p in (public / "test_images").iterdir()) == sorted(test_ids)
    assert not [p for p in public.iterdir() if p.name.endswith(".jpg")]  # none left at the top
    assert (public / "train_images" / train_ids[0]).read_bytes() == (download / train_ids[0]).read_bytes()
    description = (public / "description.md").read_text()
    assert "| `train_images/{id}` | | 160 files, one per train row (`train_row_files`)" in description
    assert "the new training rows' (160) are at `train_images/{id}`, the new test rows' (40) are at" in description
    with pytest.raises(RecipeError, match="split recipe key 'train_row_files': no column 'image' in train.csv"):
        _prepare(download, tmp_path / "again", **changes | {"train_row_files": "train_images/{image}"})
    with pytest.raises(SplitError, match="split recipe key 'train_row_files': the files of .* would both go to "
                                         "public/train_images/"):  # fmt: skip
        _prepare(download, tmp_path / "again", **changes | {"train_row_files": "train_images/{has_cactus}"})


def test_a_placeholder_may_take_a_slice_of_its_columns_text(tmp_path):
    """bms-molecular-translation files each image under its id's first three characters
    (``train/a/b/c/abc123.png``, prepare.py's make_image_subpath), seti-breakthrough-listen under its first:
    ``{image_id[0]}`` is that character, and the test rows' files go where the same pattern puts them under test/."""
    rng = random.Random(1)
    raw = tmp_path / "raw"
    ids = [hashlib.sha256(str(i).encode()).hexdigest()[:10] for i in range(120)]
    write_csv(raw / "train_labels.csv", ["image_id", "InChI"], [(i, f"InChI=1S/C{rng.randint(1, 9)}H") for i in ids])
    for i in ids:
        (raw / "train" / i[0] / i[1] / i[2]).mkdir(parents=True, exist_ok=True)
        (raw / "train" / i[0] / i[1] / i[2] / f"{i}.png").write_bytes(i.encode())
    pattern = "train/{image_id[0]}/{image_id[1]}/{image_id[2]}/{image_id}.png"
    recipe = {"kind": "random", "id_column": "image_id", "target_columns": ["InChI"], "test_fraction": 0.25,
              "train_file": "train_labels.csv", "test_file": None, "metric": "mean_levenshtein", "row_files": pattern}  # fmt: skip
    prepared = prepare_competition("bms-like", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert prepared.published, [c.found for c in prepared.checks if not c.passed]
    public = prepared.folder / "public"
    test_ids = _column(public / "test.csv", "image_id")
    assert len(test_ids) == 30
    for i in test_ids:
        assert (public / "test" / i[0] / i[1] / i[2] / f"{i}.png").read_bytes() == i.encode()
    for i in _column(public / "train_labels.csv", "image_id"):
        assert (public / "train" / i[0] / i[1] / i[2] / f"{i}.png").read_bytes() == i.encode()
    (raw / "train" / ids[5][0] / ids[5][1] / ids[5][2] / f"{ids[5]}.png").unlink()
    with pytest.raises(SplitError, match=rf"no file 'train/{ids[5][0]}/{ids[5][1]}/{ids[5][2]}/{ids[5]}.png'"):
        prepare_competition("bms-like", parse_recipe(recipe, "r"), raw, tmp_path / "again")


def test_brackets_that_are_no_slice_are_part_of_a_column_name():
    """A column named ``Temp[C]`` or ``x[0]`` is still a placeholder: brackets holding no number are no slice, and a
    column of the file named as written wins over a slice."""
    from validation.row_file_patterns import pattern_columns, pattern_problem

    assert pattern_problem("train/{Temp[C]}/{id}.png") is None
    assert pattern_columns("train/{Temp[C]}/{id}.png") == ["Temp[C]", "id"]
    assert pattern_columns("train/{x[0]}.png") == ["x"] and pattern_columns("train/{x[0]}.png", ["x[0]"]) == ["x[0]"]


def test_the_default_test_pattern_turns_train_into_test():
    for row_files, test in (("train/{id}", "test/{id}"), ("train_images/{image_id}.jpg", "test_images/{image_id}.jpg"),
                            ("Train/{breed}/{id}.jpg", "Test/{breed}/{id}.jpg"),
                            ("jpeg/train/{image_name}.jpg", "jpeg/test/{image_name}.jpg"),  # siim's (sweep 172)
                            ("train_{id}.jpg", "test_{id}.jpg"), ("training1/{id}.zip", "testing1/{id}.zip")):  # fmt: skip
        recipe = parse_recipe(RECIPE | {"row_files": row_files}, "r")
        assert recipe.test_row_pattern == test and recipe.to_document()["row_files"] == row_files
        assert parse_recipe(recipe.to_document(), "again") == recipe
    from validation.row_file_patterns import default_test_pattern

    assert default_test_pattern("data/strains/{id}.png") is None  # review 177: not data/stests/


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"row_files": "train/{image}"}, "split recipe key 'row_files': no column 'image' in train.csv (its columns: "
         "id, has_cactus)"),
    ],
)  # fmt: skip
def test_columns_are_checked_before_anything_is_written(download, tmp_path, changes, message):
    with pytest.raises(RecipeError) as raised:
        _prepare(download, tmp_path / "prepared", **changes)
    assert str(raised.value).startswith(f"{SLUG}: {message}"), str(raised.value)
    assert not list((tmp_path / "prepared").iterdir())


def test_a_missing_file_names_the_row_and_nothing_is_published(download, tmp_path):
    root = tmp_path / "prepared"
    assert _prepare(download, root).published
    published = (root / SLUG / "manifest.json").read_text()
    (download / "train" / TRAIN_IDS[6]).unlink()
    with pytest.raises(SplitError) as raised:
        _prepare(download, root, seed=3)
    assert str(raised.value) == (
        f"{SLUG}: split recipe key 'row_files': 1 of 200 rows have no file at 'train/{{id}}' in {SLUG}'s download: "
        f"row 7 of train.csv (id '{TRAIN_IDS[6]}'): no file 'train/{TRAIN_IDS[6]}'; files: sample_submission.csv, "
        "test/ (60 files), train/ (199 files), train.csv, train_by_class/ (200 files)"
    )
    assert (root / SLUG / "manifest.json").read_text() == published  # the published split stays
    assert sorted(p.name for p in root.iterdir()) == [SLUG]  # no staging left


def test_a_file_named_in_other_letter_case_is_pointed_out(download, tmp_path):
    """A newcomer's sweep: r00004.PNG for r00004.png was "no file", without the near match."""
    (download / "train" / TRAIN_IDS[6]).rename(download / "train" / TRAIN_IDS[6].upper())
    with pytest.raises(SplitError) as raised:
        _prepare(download, tmp_path / "prepared")
    assert (
        f"no file 'train/{TRAIN_IDS[6]}' (there is 'train/{TRAIN_IDS[6].upper()}': names differ in letter case)"
        in str(raised.value)
    )


def test_a_pattern_that_finds_no_file_at_all_shows_one_that_is_there(download, tmp_path):
    """predict-volcanic-eruptions' readings are train/<segment_id>.csv; 'train/{segment_id}' found none of them."""
    for name in TRAIN_IDS:
        (download / "train" / name).rename(download / "train" / f"{name}.npy")
    with pytest.raises(SplitError) as raised:
        _prepare(download, tmp_path / "prepared")
    assert str(raised.value).endswith(f"; one that is there: 'train/{min(TRAIN_IDS)}.npy'"), str(raised.value)


def test_a_folder_per_row_is_said_to_be_a_folder(download, tmp_path):
    """A sweep's rsna-miccai: train/<id>/FLAIR/Image-1.dcm, ... per row; 'train/{BraTS21ID}' was "no file
    'train/00004'" with the folder right there."""
    for name in TRAIN_IDS:
        (download / "train" / name).unlink()
        for scan in ("FLAIR", "T1w"):
            (download / "train" / name / scan).mkdir(parents=True)
            (download / "train" / name / scan / "Image-1.dcm").write_bytes(b"DICM")
    with pytest.raises(SplitError) as raised:
        _prepare(download, tmp_path / "prepared")
    assert str(raised.value).startswith(
        f"{SLUG}: split recipe key 'row_files': 200 of 200 rows have no file at 'train/{{id}}' in {SLUG}'s download: "
        f"row 1 of train.csv (id '{TRAIN_IDS[0]}'): 'train/{TRAIN_IDS[0]}' is a folder (2 files), not a file; "
    )
    assert str(raised.value).endswith(
        "; row_files places one file per row, and mlecurate cannot place a folder of files per row: name one file of "
        "each row's folder in the pattern if that is the row's data, else this download cannot be split with its "
        "rows' files"
    )
    # One folder among missing files (a review): each said as it is, and the download's listing kept.
    shutil.rmtree(download / "train" / TRAIN_IDS[1])
    shutil.rmtree(download / "train" / TRAIN_IDS[0] / "T1w")
    for name in TRAIN_IDS[2:]:
        shutil.rmtree(download / "train" / name)
        (download / "train" / name).write_bytes(b"PNG")
    with pytest.raises(SplitError) as raised:
        _prepare(download, tmp_path / "prepared")
    assert (
        f"2 of 200 rows have no file at 'train/{{id}}' in {SLUG}'s download: row 1 of train.csv (id '{TRAIN_IDS[0]}'): "
        f"'train/{TRAIN_IDS[0]}' is a folder (1 file), not a file; row 2 of train.csv (id '{TRAIN_IDS[1]}'): no file "
        f"'train/{TRAIN_IDS[1]}'; files: "
    ) in str(raised.value)


def test_two_rows_naming_one_file_are_refused(download, tmp_path):
    rows = list(csv.reader((download / "train.csv").read_text(encoding="utf-8").splitlines()))
    rows.append([TRAIN_IDS[2], "1"])  # a repeated id
    write_csv(download / "train.csv", rows[0], rows[1:])
    with pytest.raises(SplitError) as raised:
        _prepare(download, tmp_path / "prepared", kind="group", group_column="id")
    assert str(raised.value) == (
        f"{SLUG}: split recipe key 'row_files': row 3 of train.csv (id '{TRAIN_IDS[2]}') and row 201 (id "
        f"'{TRAIN_IDS[2]}') both name 'train/{TRAIN_IDS[2]}'; each row needs a file of its own"
    )
    assert not list((tmp_path / "prepared").iterdir())


def test_public_files_may_not_copy_what_row_files_copies(download, tmp_path):
    for entry, where in (("train/", "a row's file"), ("test/", "into test/, where row_files puts the rows' files")):
        with pytest.raises(RecipeError) as raised:
            _prepare(download, tmp_path / "prepared", public_files=[entry])
        assert str(raised.value).startswith(
            f"{SLUG}: split recipe keys 'public_files' and 'row_files': entry '{entry}' would copy "
        )
        assert where in str(raised.value)
    assert not list((tmp_path / "prepared").iterdir())


def test_a_label_in_the_test_files_names_is_caught(tmp_path):
    """dogs-vs-cats: the id is the file name, and the file name holds the label (``cat.12.jpg``)."""
    raw, rng = tmp_path / "raw", random.Random(1)
    labels = {f"{rng.choice(['cat', 'dog'])}.{i}.jpg": None for i in range(100)}
    labels = {name: name.split(".")[0] for name in labels}
    write_csv(raw / "train.csv", ["id", "label"], labels.items())
    (raw / "train").mkdir()
    for name in labels:
        (raw / "train" / name).write_bytes(b"x" + name.encode())
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["label"], "row_files": "train/{id}"}
    prepared = prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    failed = {c.name: c.found for c in refused(prepared.checks)}  # its files are no JPEGs: a warning besides
    assert not prepared.published and list(failed) == ["public_free_of_private"]
    assert failed["public_free_of_private"].startswith(
        "10 of the 10 new test rows' files carry the row's label in their path (e.g. test/"
    )


def test_a_label_in_the_test_files_names_in_another_case_is_caught_and_hex_ids_tell_nothing(tmp_path):
    """``Cat.12.jpg`` tells the label ``cat`` as ``cat.12.jpg`` does. Ids of hex digits (``3f0a1c9e``) cut where
    letters meet digits hold a 0 or a 1 by chance, far from every test row's label alone: published."""
    raw, rng = tmp_path / "raw", random.Random(7)
    names = {f"{label.capitalize()}.{i}.jpg": label for i in range(100) for label in [rng.choice(["cat", "dog"])]}
    hex_ids = {f"{rng.randrange(16**8):08x}": rng.choice("01") for _ in range(200)}
    write_csv(raw / "named.csv", ["id", "label"], names.items())
    write_csv(raw / "hex.csv", ["id", "label"], hex_ids.items())
    (raw / "train").mkdir()
    for name in [*names, *(f"{k}.png" for k in hex_ids)]:
        (raw / "train" / name).write_bytes(b"x" + name.encode())
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["label"]}
    named = recipe | {"train_file": "named.csv", "row_files": "train/{id}"}
    prepared = prepare_competition(SLUG, parse_recipe(named, "r"), raw, tmp_path / "prepared")
    failed = {c.name: c.found for c in prepared.checks if not c.passed}
    assert failed["public_free_of_private"].startswith("10 of the 10 new test rows' files carry the row's label")
    by_hex = recipe | {"train_file": "hex.csv", "row_files": "train/{id}.png"}
    prepared = prepare_competition(SLUG, parse_recipe(by_hex, "r"), raw, tmp_path / "hex")
    assert prepared.published, [c.found for c in prepared.checks if not c.passed]


def test_a_word_every_test_file_has_tells_nothing_of_an_imbalanced_target(tmp_path):
    """``test/{id}_frame0.jpg`` spells the label 0, which 96% of the rows have anyway: published (a review found it
    refused). Filed by the label (``test/{label}/{id}.jpg``, the label a column of its own), they are caught."""
    raw, rng = tmp_path / "raw", random.Random(8)
    rows = [(i, rng.choices("01", [0.96, 0.04])[0]) for i in range(1000, 1400)]
    write_csv(raw / "train.csv", ["id", "label"], [(i, label) for i, label in rows])
    write_csv(raw / "filed.csv", ["id", "kind", "label"], [(i, label, label) for i, label in rows])
    (raw / "train").mkdir()
    for i, _ in rows:
        (raw / "train" / f"{i}.jpg").write_bytes(b"x%d" % i)
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["label"], "row_files": "train/{id}.jpg"}
    framed = prepare_competition(SLUG, parse_recipe(recipe | {"test_row_files": "test/{id}_frame0.jpg"}, "r"), raw,
                                 tmp_path / "framed")  # fmt: skip
    assert framed.published, [c.found for c in framed.checks if not c.passed]
    filed = recipe | {"train_file": "filed.csv", "test_row_files": "test/{kind}/{id}.jpg"}
    prepared = prepare_competition(SLUG, parse_recipe(filed, "r"), raw, tmp_path / "filed")
    failed = {c.name: c.found for c in prepared.checks if not c.passed}
    assert "of the 40 new test rows' files carry the row's label in their path" in failed["public_free_of_private"]


def _dicom_uids(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"1.2.826.0.1.3680043.8.498.{rng.randrange(10**29, 10**30)}" for _ in range(count)]


def test_a_path_naming_every_label_of_a_target_tells_none(tmp_path):
    """ranzcr-clip: files named by DICOM UIDs, whose pieces (``1.2.826.0.1...``) hold both labels of its eleven 0/1
    targets. The split was refused: "41 of the 41 new test rows' files carry the row's CVC - Abnormal in their
    path"."""
    raw, rng = tmp_path / "raw", random.Random(2)
    targets = ["ETT - Abnormal", "CVC - Abnormal", "Swan Ganz Catheter Present"]
    rows = [[uid, *(rng.choice("01") for _ in targets)] for uid in _dicom_uids(200, 2)]
    write_csv(raw / "train.csv", ["StudyInstanceUID", *targets], rows)
    (raw / "train").mkdir()
    for uid, *_ in rows:
        (raw / "train" / f"{uid}.jpg").write_bytes(uid.encode())
    recipe = {"kind": "random", "id_column": "StudyInstanceUID", "target_columns": targets,
              "row_files": "train/{StudyInstanceUID}.jpg"}  # fmt: skip
    prepared = prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert prepared.published, [c.found for c in prepared.checks if not c.passed]
    assert len(list((tmp_path / "prepared" / SLUG / "public" / "test").iterdir())) == 20


def test_a_target_of_one_value_in_every_row_tells_nothing_through_the_paths(tmp_path):
    """Sweep 174's ranzcr: `CVC - Normal` 1 in all 700 rows; every UID holds the piece 1, and with no other value to
    tell apart the split was refused, "72 of the 72 new test rows' files carry the row's CVC - Normal"."""
    from validation.leakage import _labels_in_row_file_paths

    raw, rng = tmp_path / "raw", random.Random(3)
    targets = ["CVC - Normal", "CVC - Abnormal"]
    rows = [[uid, "1", rng.choice("01")] for uid in _dicom_uids(200, 3)]
    write_csv(raw / "train.csv", ["StudyInstanceUID", *targets], rows)
    (raw / "train").mkdir()
    for uid, *_ in rows:
        (raw / "train" / f"{uid}.jpg").write_bytes(uid.encode())
    recipe = {"kind": "random", "id_column": "StudyInstanceUID", "target_columns": targets, "metric": "mean_columnwise_log_loss",
              "row_files": "train/{StudyInstanceUID}.jpg"}  # fmt: skip
    prepared = prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    found = {c.name: c.found for c in prepared.checks}
    assert "carry the row's" not in found["public_free_of_private"], found["public_free_of_private"]
    assert _labels_in_row_file_paths(()) == []


def test_a_folder_named_by_the_label_tells_it_beside_a_uid_naming_both(tmp_path):
    """``test/0/<uid>.jpg``: the folder tells the label though the UID's pieces hold both (a fresh-eyed review)."""
    raw, rng = tmp_path / "raw", random.Random(5)
    rows = [[uid, f"{label}/{uid}.jpg", label] for uid in _dicom_uids(200, 5) for label in [rng.choice("01")]]
    write_csv(raw / "train.csv", ["StudyInstanceUID", "image_path", "Abnormal"], rows)
    for uid, path, _ in rows:
        (raw / "images" / path).parent.mkdir(parents=True, exist_ok=True)
        (raw / "images" / path).write_bytes(uid.encode())
    recipe = {"kind": "random", "id_column": "StudyInstanceUID", "target_columns": ["Abnormal"],
              "row_files": "images/{image_path}", "test_row_files": "test/{image_path}"}  # fmt: skip
    prepared = prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    failed = {c.name: c.found for c in prepared.checks if not c.passed}
    assert failed["public_free_of_private"].startswith(
        "20 of the 20 new test rows' files carry the row's Abnormal in their path (e.g. test/"
    )


def test_a_rare_target_all_one_class_in_the_test_set_is_told_by_no_uid(tmp_path):
    """ranzcr-clip's ``ETT - Abnormal`` is 1 for a fraction of a percent of images: a small new test set may hold only
    0s, and the UIDs' pieces still hold the 1 the training rows have (a fresh-eyed review)."""
    raw = tmp_path / "raw"
    uids = _dicom_uids(200, 6)
    write_csv(raw / "train.csv", ["StudyInstanceUID", "ETT - Abnormal"], [[u, int(i == 7)] for i, u in enumerate(uids)])
    (raw / "train").mkdir()
    for uid in uids:
        (raw / "train" / f"{uid}.jpg").write_bytes(uid.encode())
    recipe = {"kind": "random", "id_column": "StudyInstanceUID", "target_columns": ["ETT - Abnormal"],
              "row_files": "train/{StudyInstanceUID}.jpg"}  # fmt: skip
    prepared = prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert prepared.published, [c.found for c in prepared.checks if not c.passed]


def test_each_row_file_is_placed_unchanged_with_its_sha256(tmp_path):
    """Linked or copied, every file lands at its side's path with the download's bytes and their sha256 (how fast:
    bench/row_files_benchmark.py)."""
    raw, public = tmp_path / "raw", tmp_path / "public"
    (raw / "train").mkdir(parents=True)
    files = []
    for i in range(500):
        (raw / "train" / f"{i}.png").write_bytes(bytes([i % 256]) * (i + 1))
        side = "test" if i % 5 == 0 else "train"
        files.append(RowFile(f"train/{i}.png", f"{side}/{i}.png", side))
    digests = copy_row_files(files, raw, public)
    assert len(digests) == 500 and len(list((public / "test").iterdir())) == 100
    for i in (0, 5, 7, 499):
        side = "test" if i % 5 == 0 else "train"
        placed = (public / side / f"{i}.png").read_bytes()
        assert placed == bytes([i % 256]) * (i + 1)
        assert digests[f"{side}/{i}.png"] == hashlib.sha256(placed).hexdigest()


@pytest.mark.parametrize(
    "options",
    [["--format", "json", "--kind", "group"], ["--format", "parquet", "--kind", "temporal", "--text-ids"], []],
)
def test_every_split_route_sends_each_file_with_its_row(tmp_path, options):
    """The test rows' numbers are the train file's on every route (CSV lines, DuckDB, JSON's Parquet copy)."""
    import duckdb

    from tests.conftest import generated_split

    folder, raw, _, _ = generated_split(tmp_path, "rmse", "--rows", "120", "--row-files", "png", *options)
    extension = "." + (options[1] if options else "csv")
    ids = {side: [str(v[0]) for v in duckdb.sql(f"SELECT id FROM '{folder.public / (side + extension)}'").fetchall()]
           for side in ("train", "test")}  # fmt: skip
    for side in ("train", "test"):
        assert sorted(p.name for p in (folder.public / side).iterdir()) == sorted(f"{i}.png" for i in ids[side])
        for i in ids[side]:
            assert (folder.public / side / f"{i}.png").read_bytes() == (raw / "train" / f"{i}.png").read_bytes()


def test_rows_files_that_look_like_tables_are_placed_by_their_bytes_not_read(tmp_path):
    """Per-row series ship as CSV or JSON (one file per sample). They were read as split tables twice (manifest and
    leakage): a split of 1,200 per-row CSVs took 30 s against 4 s with images, and one malformed file blocked it."""
    raw = tmp_path / "raw"
    ids = [f"s{i:03d}" for i in range(120)]
    write_csv(raw / "train.csv", ["id", "y"], [(i, n % 2) for n, i in enumerate(ids)])
    (raw / "series").mkdir()
    for n, i in enumerate(ids):
        body = "{not json" if n % 40 == 0 else json.dumps({"t": [n, n + 1]})
        (raw / "series" / f"{i}.json").write_text(body, encoding="utf-8")
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["y"], "row_files": "series/{id}.json",
              "test_row_files": "test_series/{id}.json"}  # fmt: skip
    prepared = prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    manifest = json.loads((tmp_path / "prepared" / SLUG / "manifest.json").read_text())
    rows = [f for f in manifest["files"] if f.get("row_files_key")]
    assert len(rows) == 120 and all(f["checksum"].startswith("sha256:") and "rows" not in f for f in rows)
    check = next(c for c in prepared.checks if c.name == "public_free_of_private")
    assert check.found.startswith("3 public data file(s) and 120 row file(s) (train 108, test 12)")
    assert check.found.endswith(  # sweep 178: gesture's test zips held their labels, and the finding said none did
        "(row files are judged by their paths and bytes alone: what a file holds inside, such as the labels in a "
        "sample's archive, is not read)"
    )


def test_where_links_fail_the_rest_are_copies_and_every_placed_file_is_read_only(tmp_path, monkeypatch):
    """A data root on another file system (or one without hard links): the first refused link turns the rest into
    copies. Linked or copied, a placed file is read-only; a linked one is the download's own file, read-only with it."""
    import os
    import stat

    raw, public = tmp_path / "raw", tmp_path / "public"
    (raw / "train").mkdir(parents=True)
    files = []
    for i in range(10):
        (raw / "train" / f"{i}.png").write_bytes(bytes([i]) * 50)
        files.append(RowFile(f"train/{i}.png", f"{'test' if i % 5 == 0 else 'train'}/{i}.png", "train"))
    real_link, calls = os.link, []

    def link(source, target):
        calls.append(target)
        if len(calls) > 3:
            raise OSError(18, "Invalid cross-device link")
        real_link(source, target)

    monkeypatch.setattr(os, "link", link)
    digests = copy_row_files(files, raw, public)
    assert len(calls) == 4  # three links, then copies without asking again
    for i, f in enumerate(files):
        placed = public / f.relative
        assert placed.read_bytes() == bytes([i]) * 50
        assert digests[f.relative] == hashlib.sha256(bytes([i]) * 50).hexdigest()
        assert not stat.S_IMODE(placed.stat().st_mode) & 0o222
        assert placed.samefile(raw / f.source) == (i < 3)


@pytest.mark.parametrize(
    "row_files", ["images/{image_id}.jpg", "images/{image_id}/photo.jpg", "{image_id}/photo.jpg", "test/{id}.png"]
)
def test_the_folder_a_refusal_suggests_is_accepted(row_files):
    """The hint for test_row_files equal to row_files is a pattern the recipe then accepts (it once suggested
    'test/photo.jpg', which names one file for every row, and kept 'test/{id}.png' as it was)."""
    with pytest.raises(RecipeError) as raised:
        parse_recipe(RECIPE | {"row_files": row_files, "test_row_files": row_files}, "recipe.yaml")
    suggested = str(raised.value).rsplit("such as ", 1)[1].strip("'")
    recipe = parse_recipe(RECIPE | {"row_files": row_files, "test_row_files": suggested}, "recipe.yaml")
    assert recipe.test_row_pattern == suggested != row_files


def _png_of(seed: str) -> bytes:
    from curation.sources.competition_shapes import _png

    return _png(hashlib.sha256(seed.encode()).digest())


@pytest.mark.parametrize(
    "name, content, problem",
    [
        ("a.png", b"", "empty"),
        ("a.bin", b"", "empty"),
        ("a.png", _png_of("a")[:33], "a PNG cut short: no IEND chunk in its last 4 KiB"),  # signature and IHDR alone
        ("a.png", _png_of("a") + bytes(3000), ""),  # bytes after its end, as some writers leave
        ("a.txt", b"", ""),  # an image's label file with no boxes: text may be empty
        ("a.png", b"GIF89a" + bytes(20), "not a PNG: it does not start with PNG's signature"),
        ("a.JPG", b"<html>not found</html>", "not a JPEG: it does not start with JPEG's start marker"),
        ("a.gif", b"GIF89a" + bytes(40), "a GIF cut short: it does not end with GIF's trailer byte"),
        ("a.gif", b"GIF89a" + bytes(30) + b";" + bytes(5) + b"\x01\x02", "a GIF cut short"),  # a ';' is no trailer
        ("a.gif", b"GIF89a" + bytes(30) + b";" + bytes(100), ""),  # zeros after the trailer
        (
            "a.wav",
            b"RIFF" + (1000).to_bytes(4, "little") + b"WAVEfmt " + bytes(20),
            "a WAV cut short: 36 bytes of the 1,008",
        ),
        ("a.png", _png_of("a"), ""),
        ("a.jpeg", b"\xff\xd8\xff\xe0" + bytes(50) + b"trailer written after the end marker", ""),
        ("a.gif", b"GIF87a" + bytes(30) + b";", ""),
        ("a.wav", b"RIFF" + (28).to_bytes(4, "little") + b"WAVEfmt " + bytes(20), ""),
        ("a.wav", b"RIFF" + (29).to_bytes(4, "little") + b"WAVEfmt " + bytes(20), ""),  # a pad byte counted, not there
        ("a.wav", b"RIFF" + (0xFFFFFFFF).to_bytes(4, "little") + b"WAVEfmt " + bytes(20), ""),  # written streaming
        ("a.wav", b"RF64" + (0xFFFFFFFF).to_bytes(4, "little") + b"WAVEds64" + bytes(20), ""),  # its size elsewhere
        ("a.bin", b"x", ""),
    ],
)
def test_damage_reads_a_files_ends(tmp_path, name, content, problem):
    from validation.row_file_health import damage

    (tmp_path / name).write_bytes(content)
    assert damage(tmp_path / name).startswith(problem) and bool(damage(tmp_path / name)) == bool(problem)


def test_empty_and_cut_short_row_images_are_published_with_a_warning_naming_them(tmp_path):
    """A 0-byte PNG, or a PNG header alone, was published without a word (a newcomer's sweep). The split still
    publishes (Kaggle may ship them so, and MLE-bench copies them as they are) and the warning names each file."""
    raw = tmp_path / "raw"
    ids = [f"img{i:03d}" for i in range(50)]
    write_csv(raw / "train.csv", ["id", "label"], [(i, i[-1] in "02468") for i in ids])
    (raw / "train").mkdir()
    for i in ids:
        (raw / "train" / f"{i}.png").write_bytes(_png_of(i))
    (raw / "train" / "img007.png").write_bytes(b"")
    (raw / "train" / "img011.png").write_bytes(_png_of("img011")[:33])
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["label"], "row_files": "train/{id}.png"}
    prepared = prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert prepared.published and not refused(prepared.checks)
    check = {c.name: c for c in prepared.checks}["row_files_whole"]
    assert not check.passed and check.found.startswith("2 of 50 row files look damaged: ")
    for name, problem in (("img007.png", "empty"), ("img011.png", "a PNG cut short: no IEND chunk in its last 4 KiB")):
        assert f"/{name} ({problem})" in check.found
    recorded = json.loads((tmp_path / "prepared" / SLUG / "manifest.json").read_text())["checks"]["row_files_whole"]
    assert recorded["passed"] is False and recorded["found"] == check.found


def test_row_files_of_formats_the_check_does_not_read_say_so_when_whole(tmp_path):
    """A newcomer's sweep: volcanic's .csv row files passed with "0 PNG, JPEG, GIF or WAV files start as their formats
    do", which reads as a failure; it says what was and was not read."""
    from validation.leakage import RowFileFact
    from validation.row_file_health import check_row_files_whole

    (tmp_path / "train").mkdir()
    for i in range(3):
        (tmp_path / "train" / f"{i}.csv").write_text("sensor_1\n1\n")
    check = check_row_files_whole(tmp_path, [RowFileFact(f"train/{i}.csv", "train", "") for i in range(3)])
    assert check.passed and check.found == ("3 row files, none empty (none is a PNG, JPEG, GIF or WAV file, whose "
                                            "contents this check reads: the others are checked for being empty only)")  # fmt: skip


SIIM = {"kind": "group", "id_column": "image_name", "group_column": "patient_id", "target_columns": ["target"],
        "test_fraction": 0.2, "metric": "auc", "row_files": "train/{image_name}.dcm",
        "other_row_files": {"jpeg/train/{image_name}.jpg": "jpeg/test/{image_name}.jpg"}}  # fmt: skip


def _two_files_a_row(tmp_path, missing: str | None = None) -> Path:
    """siim-isic-melanoma's layout: each image as a DICOM and as a JPEG; Kaggle's own test images beside them."""
    raw = tmp_path / "raw"
    images = [f"ISIC_{1_000_000 + 7 * i:07d}" for i in range(120)]
    write_csv(raw / "train.csv", ["image_name", "patient_id", "target"],
              [(image, f"IP_{i // 4:03d}", int(i % 5 == 0)) for i, image in enumerate(images)])  # fmt: skip
    for image in images:
        for path in (raw / "train" / f"{image}.dcm", raw / "jpeg" / "train" / f"{image}.jpg"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"\x00\x01" + path.suffix.encode() + image.encode())
    for folder, suffix in (("test", "dcm"), ("jpeg/test", "jpg")):
        (raw / folder).mkdir(parents=True)
        (raw / folder / f"ISIC_9000000.{suffix}").write_bytes(b"\x00kaggle's own test image")
    if missing:
        (raw / missing).unlink()
    return raw


def test_other_row_files_go_with_their_rows_as_row_files_do(tmp_path):
    """A newcomer's sweep: siim-isic-melanoma ships each image twice (train/<id>.dcm and jpeg/train/<id>.jpg), and
    row_files takes one pattern: the JPEGs, which most agents use, were left out without a word (or, copied with
    public_files, published the new test rows' images under jpeg/train/). Recipe key other_row_files takes more."""
    raw = _two_files_a_row(tmp_path)
    built = prepare_competition(SLUG, parse_recipe(SIIM, "r"), raw, tmp_path / "prepared")
    assert built.published, [c.found for c in built.checks if not c.passed]
    public = built.folder / "public"
    test_ids = {row["image_name"] for row in csv.DictReader((public / "test.csv").open())}
    train_ids = {row["image_name"] for row in csv.DictReader((public / "train.csv").open())}
    for folder, suffix, ids in (("train", "dcm", train_ids), ("test", "dcm", test_ids),
                                ("jpeg/train", "jpg", train_ids), ("jpeg/test", "jpg", test_ids)):  # fmt: skip
        found = {p.name for p in (public / folder).iterdir()}
        assert found == {f"{i}.{suffix}" for i in ids}, folder  # Kaggle's own test images are not copied
        side = "train" if folder.endswith("train") else "test"
        source = "jpeg/train" if folder.startswith("jpeg") else "train"
        for name in found:
            assert (public / folder / name).read_bytes() == (raw / source / name).read_bytes(), (side, name)
    entries = {f["path"]: f for f in built.manifest["files"]}
    some = next(iter(test_ids))
    assert entries[f"public/jpeg/test/{some}.jpg"]["row_files_key"] == "other_row_files"
    assert entries[f"public/test/{some}.dcm"]["row_files_key"] == "test_row_files"
    text = (public / "description.md").read_text()
    assert ("; its files at `jpeg/train/{image_name}.jpg` went with their rows too (the new training rows' at their "
            "paths, the new test rows' to `jpeg/test/{image_name}.jpg`). Kaggle's own test files are not "
            "included.") in text  # fmt: skip
    assert f"| `jpeg/test/{{image_name}}.jpg` | | {len(test_ids)} files, one per test row (`other_row_files`)" in text


@pytest.mark.parametrize(
    "change, error, message",
    [({"missing": "jpeg/train/ISIC_1000035.jpg"}, SplitError,
      "split recipe key 'other_row_files' (entry 'jpeg/train/{image_name}.jpg'): 1 of 120 rows have no file at "
      "'jpeg/train/{image_name}.jpg'"),
     ({"other_row_files": {"jpeg/train/{image}.jpg": "jpeg/test/{image}.jpg"}}, RecipeError,
      "split recipe key 'other_row_files' (entry 'jpeg/train/{image}.jpg'): no column 'image' in train.csv"),
     ({"public_files": ["jpeg/train/"]}, RecipeError,
      "split recipe keys 'public_files' and 'row_files': entry 'jpeg/train/' would copy jpeg/train/ISIC_1000000.jpg "
      "a row's file"),
     ({"other_row_files": {"jpeg/all/{image_name}.jpg": None}}, RecipeError,
      "split recipe key 'other_row_files': entry 'jpeg/all/{image_name}.jpg', its test pattern: required: "
      "'jpeg/all/{image_name}.jpg' has no 'train' to make 'test' of; give where the new test rows' files go "
      "under public/, such as 'test/all/{image_name}.jpg'"),
     ({"row_files": None}, RecipeError, "split recipe key 'other_row_files': needs row_files"),
     ({"other_row_files": {"jpeg/train/{image_name}.jpg": True}}, RecipeError,
      "split recipe key 'other_row_files': expected a pattern and a test pattern (or null, or false), found "
      "'jpeg/train/{image_name}.jpg': True")],
    ids=["a row without its second file", "a column the train file lacks", "public_files copying them",
         "no default test folder", "without row_files", "true, which is no test pattern"],
)  # fmt: skip
def test_other_row_files_that_cannot_go_with_their_rows_are_refused_naming_the_entry(tmp_path, change, error, message):
    raw = _two_files_a_row(tmp_path, change.get("missing"))
    recipe = {key: value for key, value in (SIIM | change).items() if key != "missing" and value is not None}
    with pytest.raises(error) as refused_with:
        prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert message in str(refused_with.value)
    assert not (tmp_path / "prepared" / SLUG / "manifest.json").exists()


def test_an_entrys_test_files_beside_any_sets_training_files_are_refused():
    """A review: an entry's test pattern in row_files' train folder (train/jpeg/, or train/<id>.test.jpg) published
    the new test rows' files beside the training rows' with every check passing."""
    for test in ("train/jpeg/{image_name}.jpg", "train/{image_name}.test.jpg"):
        with pytest.raises(RecipeError, match=re.escape(
            f"split recipe key 'other_row_files': entry 'jpeg/train/{{image_name}}.jpg''s test pattern {test!r} puts "
            "the new test rows' files in train")):  # fmt: skip
            parse_recipe(SIIM | {"other_row_files": {"jpeg/train/{image_name}.jpg": test}}, "r")


def test_a_label_in_an_entrys_test_paths_is_judged_on_that_entrys_files_alone(tmp_path):
    """A review: the share of new test rows' files carrying their label was counted over every set's files, so an
    entry naming its JPEGs by the label (1_0035.jpg) held half of them and passed."""
    raw = _two_files_a_row(tmp_path)
    rows = list(csv.DictReader((raw / "train.csv").open()))
    for row in rows:
        row["fname"] = f"{row['target']}_{row['image_name'][-4:]}"  # 1_0035.jpg: the target, then the id
        (raw / "jpeg" / "train" / f"{row['image_name']}.jpg").rename(raw / "jpeg" / "train" / f"{row['fname']}.jpg")
    write_csv(raw / "train.csv", list(rows[0]), [list(r.values()) for r in rows])
    recipe = SIIM | {"other_row_files": {"jpeg/train/{fname}.jpg": "jpeg/test/{fname}.jpg"}}
    built = prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    check = {c.name: c for c in built.checks}["public_free_of_private"]
    assert not built.published and not check.passed and "new test rows' files carry the row's target" in check.found


@pytest.mark.parametrize(
    "change, message",
    [({"other_row_files": {"jpeg/train/{image_name}.jpg": "./train/jpeg/{image_name}.jpg"}},
      "'./train/jpeg/{image_name}.jpg' puts the new test rows' files in train/jpeg/, with the train rows' files of "
      "row_files 'train/{image_name}.dcm' (train/)"),
     ({"test_row_files": "./train/t/{image_name}.dcm"},
      "split recipe key 'test_row_files': the train rows' files ('train/{image_name}.dcm') and the test rows' "
      "('./train/t/{image_name}.dcm') would share the folder train/"),
     ({"row_files": "{image_name[0:4]}/{image_name}.dcm", "test_row_files": "{image_name[0:4]}/test/{image_name}.dcm",
       "other_row_files": None}, "would share the folder {image_name[0:4]}/"),
     ({"other_row_files": {"jpeg/{image_name[0]}/{image_name}.jpg": "jpeg/{image_name[0]}/t_{image_name}.jpg"}},
      "would share the folder jpeg/{image_name[0]}/"),
     ({"kind": "random", "group_column": None, "row_files": "{patient_id}/{image_name}.dcm",
       "test_row_files": "{patient_id}/test/{image_name}.dcm", "other_row_files": None},
      "would share the folder {patient_id}/"),
     ({"row_files": "train/{patient_id}/{image_name}.dcm", "test_row_files": "train/test/{image_name}.dcm",
       "other_row_files": None}, "would share the folder train/")],
    ids=["entry ./train", "row_files ./train", "row_files in a folder of a slice", "entry in a folder of a slice",
         "a folder of a column many rows share", "beside folders of a column's values"],
)  # fmt: skip
def test_test_files_spelled_into_a_train_folder_or_beside_top_level_ones_are_refused(change, message):
    """Reviews: './train/jpeg' got past the folder rule (compared as text), and a folder named by a slice of a column
    ({image_name[0:4]}/, which many rows share) was taken for a folder per row and never compared. (The top of
    public/ is not compared: train_{id}.jpg and test_{id}.jpg there are told apart by name.)"""
    recipe = {key: value for key, value in (SIIM | change).items() if value is not None}
    with pytest.raises(RecipeError, match=re.escape(message)):
        parse_recipe(recipe, "r")


def test_row_files_at_the_top_moved_to_folders_of_their_own_are_accepted():
    changes = {"row_files": "{image_name}.jpg", "train_row_files": "train_images/{image_name}.jpg",
               "test_row_files": "test_images/{image_name}.jpg"}  # iwildcam-2019's flat images  # fmt: skip
    recipe = parse_recipe({k: v for k, v in (SIIM | changes).items() if k != "other_row_files"}, "r")
    assert recipe.test_row_pattern == "test_images/{image_name}.jpg"


def test_a_folder_of_each_id_or_of_a_group_splits_group_is_its_rows_own():
    """Folders per id hold one row's files; a group split's groups are all on one side: neither is a shared folder."""
    by_group = parse_recipe({k: v for k, v in SIIM.items() if k != "other_row_files"} | {
        "row_files": "{patient_id}/{image_name}.dcm", "test_row_files": "{patient_id}/t_{image_name}.dcm"}, "r")  # fmt: skip
    assert by_group.test_row_pattern == "{patient_id}/t_{image_name}.dcm"
    per_id = parse_recipe({k: v for k, v in SIIM.items() if k != "other_row_files"} | {
        "row_files": "{image_name}/{image_name}.dcm", "test_row_files": "{image_name}/t.dcm"}, "r")  # fmt: skip
    assert per_id.test_row_pattern == "{image_name}/t.dcm"


def _salt_download(tmp_path) -> Path:
    """tgs-salt-identification's shape: competition_data/train/images/<id>.png and .../train/masks/<id>.png for each
    train row (the mask is the answer, run-length encoded in train.csv's rle_mask, empty where there is no salt),
    competition_data/test/images/<id>.png for each of Kaggle's test rows (no mask), and the sample submission."""
    rng = random.Random(3)
    raw = tmp_path / "raw"
    train_ids, test_ids = [f"t{i:03d}" for i in range(60)], [f"k{i:03d}" for i in range(20)]
    masks = {i: rng.choice(["", f"{rng.randint(1, 99)} {rng.randint(1, 9)}"]) for i in train_ids}
    write_csv(raw / "competition_data" / "train.csv", ["id", "rle_mask"], masks.items())
    write_csv(raw / "sample_submission.csv", ["id", "rle_mask"], [(i, "1 1") for i in test_ids])
    for side, ids in (("train", train_ids), ("test", test_ids)):
        (raw / "competition_data" / side / "images").mkdir(parents=True)
        for i in ids:
            (raw / "competition_data" / side / "images" / f"{i}.png").write_bytes(f"image {i}".encode())
    (raw / "competition_data" / "train" / "masks").mkdir()
    for i, mask in masks.items():
        (raw / "competition_data" / "train" / "masks" / f"{i}.png").write_bytes(f"mask {mask}".encode())
    return raw


SALT = {"kind": "random", "id_column": "id", "target_columns": ["rle_mask"], "test_fraction": 0.25,
        "train_file": "competition_data/train.csv", "test_file": None, "sample_submission_file": "sample_submission.csv",
        "metric": "word_jaccard", "row_files": "competition_data/train/images/{id}.png",
        "train_row_files": "train/images/{id}.png", "test_row_files": "test/images/{id}.png"}  # fmt: skip


def test_answers_kaggle_ships_for_training_rows_only_are_refused_for_test_rows_and_published_for_train_rows(tmp_path):
    """A newcomer's sweep: tgs-salt's masks named in other_row_files (which needed somewhere for the test rows') were
    published for the new test rows, the answers, and every leakage check passed. Kaggle ships no mask for its own
    test rows, so the masks are refused for test rows; mapped to false, the train rows' alone are published."""
    raw = _salt_download(tmp_path)
    masks = {"other_row_files": {"competition_data/train/masks/{id}.png": "test/masks/{id}.png"}}
    leaked = prepare_competition("salt", parse_recipe(SALT | masks, "r"), raw, tmp_path / "leaked")
    assert not leaked.published
    found = {c.name: c.found for c in refused(leaked.checks)}
    assert list(found) == ["row_files_are_inputs"]
    assert found["row_files_are_inputs"] == (
        "other_row_files entry 'competition_data/train/masks/{id}.png': Kaggle ships these files for its training rows "
        "only: none of its first 20 test rows has one at 'competition_data/test/masks/{id}.png' or under its name "
        "elsewhere, where 20 have those of row_files ('competition_data/test/images/{id}.png'): they are answers (a "
        "mask, a cleaned image), and the split would publish the new test rows' in public/; map an other_row_files "
        "entry to false (the train rows' files alone), or name the inputs in row_files"
    )
    kept = {"other_row_files": {"competition_data/train/masks/{id}.png": False}}
    recipe = parse_recipe(SALT | kept, "r")
    assert recipe.to_document()["other_row_files"] == {"competition_data/train/masks/{id}.png": False}
    prepared = prepare_competition("salt", recipe, raw, tmp_path / "kept")
    assert prepared.published, [c.found for c in refused(prepared.checks)]
    public = prepared.folder / "public"
    train_ids, test_ids = _column(public / "train.csv", "id"), _column(public / "test.csv", "id")
    assert len(test_ids) == 15
    masks_published = sorted(p.stem for p in (public / "competition_data" / "train" / "masks").iterdir())
    assert masks_published == sorted(train_ids)
    assert not (public / "test" / "masks").exists()
    assert sorted(p.stem for p in (public / "test" / "images").iterdir()) == sorted(test_ids)
    description = (public / "description.md").read_text()
    assert "the new test rows' are not published: they are answers" in description
    checks = {c.name: c for c in prepared.checks}
    assert checks["row_files_are_inputs"].passed


@pytest.mark.parametrize(
    "layout, recipe",
    [("masks in row_files", {"row_files": "competition_data/train/masks/{id}.png",
                             "other_row_files": {"competition_data/train/images/{id}.png": "test/images/{id}.png"},
                             "test_row_files": "test/masks/{id}.png"}),
     ("no train in the masks' pattern", {"other_row_files": {"masks/{id}.png": "test_masks/{id}.png"}})],
)  # fmt: skip
def test_answers_are_refused_whichever_set_holds_them_and_wherever_they_lie(tmp_path, layout, recipe):
    """A review: masks named in row_files itself (the images in other_row_files) were published, as the check judged
    the other sets against row_files' alone; and a pattern without 'train' (masks/{id}.png) was never looked up,
    while the check said every set was one Kaggle ships for its test rows."""
    raw = _salt_download(tmp_path)
    if layout.startswith("no train"):
        shutil.move(raw / "competition_data" / "train" / "masks", raw / "masks")
    refused_split = prepare_competition("salt", parse_recipe(SALT | recipe, "r"), raw, tmp_path / "prepared")
    assert not refused_split.published
    found = {c.name: c.found for c in refused(refused_split.checks)}["row_files_are_inputs"]
    assert (
        "masks/{id}.png': Kaggle ships these files for its training rows only: none of its first 20 test rows" in found
    )


def test_inputs_kaggle_keeps_for_its_test_rows_in_another_folder_are_published(tmp_path):
    """Reviews: row_files' own clips (freesound's train_curated/, Kaggle's test clips in test/) were refused as answers
    beside a set of metadata shared by both sides; features Kaggle keeps for its test rows in features/test_v2/ were
    refused too, with no way out. A file under the test row's name in a folder of its own is an input; masks named as
    their images (in the images' folder) are still answers."""
    raw = _salt_download(tmp_path)
    (raw / "competition_data" / "train" / "masks").rename(raw / "features_train")
    for mask in (raw / "features_train").iterdir():
        mask.rename(mask.with_suffix(".npy"))
    test_ids = _column(raw / "sample_submission.csv", "id")
    (raw / "features_test_v2").mkdir()
    for i in test_ids:
        (raw / "features_test_v2" / f"{i}.npy").write_bytes(f"features {i}".encode())
    recipe = SALT | {"other_row_files": {"features_train/{id}.npy": "test/features/{id}.npy"}}
    prepared = prepare_competition("salt", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert prepared.published, [c.found for c in refused(prepared.checks)]
    found = {c.name: c.found for c in prepared.checks}["row_files_are_inputs"]
    assert (
        "found under their names in another folder: other_row_files entry 'features_train/{id}.npy' (in "
        "features_test_v2)" in found
    )


@pytest.mark.parametrize("copy", ["thumbnails", "competition_data/train/masks", "test/thumbnails", "test_thumbnails"])
def test_answers_are_refused_though_files_of_their_names_lie_in_another_folder(tmp_path, copy):
    """A review: Kaggle's test images copied to thumbnails/, or files named by Kaggle's test ids among the masks'
    own training folder, made the masks count as inputs found elsewhere, and they were published."""
    raw = _salt_download(tmp_path)
    (raw / copy).mkdir(parents=True, exist_ok=True)
    for image in (raw / "competition_data" / "test" / "images").iterdir():
        shutil.copy(image, raw / copy / image.name)
    recipe = SALT | {"other_row_files": {"competition_data/train/masks/{id}.png": "test/masks/{id}.png"}}
    prepared = prepare_competition("salt", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert not prepared.published
    assert (
        "Kaggle ships these files for its training rows only"
        in {c.name: c.found for c in prepared.checks}["row_files_are_inputs"]
    )
