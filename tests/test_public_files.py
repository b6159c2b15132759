"""The recipe key ``public_files``: extra files of the download copied into ``public/`` unchanged, listed in the
manifest with checksums, and cleared by the leakage checks (no answer reaches ``public/`` through them)."""

from __future__ import annotations

import csv
import hashlib
import json
import random
import shutil
from pathlib import Path

import pandas as pd
import pytest

from splits.layout import prepare_competition, refused
from tests.conftest import write_csv
from validation.data_files import content_checksum
from validation.split_recipe import RecipeError, parse_recipe

SLUG = "pet-pictures"
TRAIN_IDS = range(1, 101)
TEST_IDS = range(101, 131)


@pytest.fixture
def download(tmp_path) -> Path:
    """A Kaggle-shaped image competition: tabular files, a data description, per-id images (for every id) and
    per-id structure files, images filed by class for the training ids (Kaggle's ``train/<class>/<id>.jpg``),
    images sharded by id parity, the labels of Kaggle's test set, and a labels file."""
    rng = random.Random(0)
    raw = tmp_path / "raw"
    labels = {i: rng.choice(["cat", "dog"]) for i in [*TRAIN_IDS, *TEST_IDS]}
    write_csv(raw / "train.csv", ["id", "size", "label"], [(i, rng.random(), labels[i]) for i in TRAIN_IDS])
    write_csv(raw / "test.csv", ["id", "size"], [(i, rng.random()) for i in TEST_IDS])
    write_csv(raw / "sample_submission.csv", ["id", "label"], [(i, "cat") for i in TEST_IDS])
    write_csv(raw / "solution.csv", ["id", "size", "label"], [(i, 0.5, labels[i]) for i in TEST_IDS])
    (raw / "data_description.txt").write_text("size: the animal's size, scaled to 0..1\nlabel: cat or dog\n")
    for i in [*TRAIN_IDS, *TEST_IDS]:
        (raw / "images").mkdir(exist_ok=True)
        (raw / "images" / f"{i}.jpg").write_bytes(rng.randbytes(64))
        write_csv(
            raw / "structures" / f"{i}.csv", ["point", "x", "y"], [(p, rng.random(), rng.random()) for p in range(3)]
        )
        (raw / "shards" / str(i % 2)).mkdir(parents=True, exist_ok=True)
        (raw / "shards" / str(i % 2) / f"{i}.jpg").write_bytes(rng.randbytes(16))
    for i in TRAIN_IDS:
        (raw / "train_images" / labels[i]).mkdir(parents=True, exist_ok=True)
        (raw / "train_images" / labels[i] / f"{i}.jpg").write_bytes(rng.randbytes(16))
    write_csv(raw / "extra" / "labels.csv", ["id", "label"], [(i, labels[i]) for i in TRAIN_IDS])
    return raw


RECIPE = {
    "kind": "stratified",
    "id_column": "id",
    "target_columns": ["label"],
    "test_fraction": 0.2,
    "sample_submission_file": "sample_submission.csv",
    "metric": "accuracy",
}


def _prepare(download: Path, root: Path, public_files: list[str], **changes):
    recipe = parse_recipe(RECIPE | {"public_files": public_files} | changes, "recipe.yaml")
    return prepare_competition(SLUG, recipe, download, root)


def test_extra_files_reach_public_unchanged_with_checksums_and_a_description(download, tmp_path):
    prepared = _prepare(
        download, tmp_path / "prepared", ["data_description.txt", "images/", "structures/*.csv", "shards"]
    )
    assert prepared.published, [c.found for c in prepared.checks if not c.passed]
    public = prepared.folder / "public"
    copied = [
        "data_description.txt",
        *(f"images/{i}.jpg" for i in [*TRAIN_IDS, *TEST_IDS]),
        *(f"structures/{i}.csv" for i in [*TRAIN_IDS, *TEST_IDS]),
        *(f"shards/{i % 2}/{i}.jpg" for i in [*TRAIN_IDS, *TEST_IDS]),
    ]
    for relative in copied:
        assert (public / relative).read_bytes() == (download / relative).read_bytes(), relative
    assert not (public / "train_images").exists() and not (public / "solution.csv").exists()

    files = {f["path"]: f for f in json.loads((prepared.folder / "manifest.json").read_text())["files"]}
    notes = files["public/data_description.txt"]
    digest = hashlib.sha256((download / "data_description.txt").read_bytes()).hexdigest()
    assert notes == {
        "path": "public/data_description.txt",
        "bytes": (download / "data_description.txt").stat().st_size,
        "checksum": f"sha256:{digest}",  # once: no second sha256 field
        "public_files_entry": "data_description.txt",
    }
    structure = files["public/structures/7.csv"]
    assert structure["checksum"] == content_checksum(download / "structures" / "7.csv") and structure["rows"] == 3
    assert structure["sha256"] == hashlib.sha256((download / "structures" / "7.csv").read_bytes()).hexdigest()
    assert structure["public_files_entry"] == "structures/*.csv"
    assert files["public/images/7.jpg"]["checksum"].startswith("sha256:")
    assert sum(p.startswith("public/") for p in files) == 4 + len(copied)  # train, test, sample, description

    found = prepared.manifest["checks"]["public_free_of_private"]["found"]
    from validation.leakage import is_text  # the images of text bytes are read line by line: not binary

    assert found == (
        f"{3 + 130} public data file(s) and {len(copied)} extra public file(s), none holds private content or a new "
        f"test row's label ({sum(not is_text(public / c) for c in copied)} binary extra file(s) among them judged by their "
        "bytes and paths alone: their contents are not read for labels)"
    )
    description = (public / "description.md").read_text()
    assert "| `data_description.txt` | | from Kaggle's download, unchanged |" in description
    assert "| `images/` | | 130 files from Kaggle's download, unchanged |" in description
    assert "| `structures/` | | 130 files from Kaggle's download, unchanged |" in description
    assert "recipe key `public_files`: `data_description.txt`, `images/`, `structures/*.csv`, `shards`" in description


def test_a_folder_filing_images_by_class_leaks_the_labels_and_is_not_published(download, tmp_path):
    root = tmp_path / "prepared"
    assert _prepare(download, root, ["data_description.txt"]).published
    published = (root / SLUG / "manifest.json").read_text()

    leaky = _prepare(download, root, ["data_description.txt", "train_images/"])
    failed = {c.name: c.found for c in refused(leaky.checks)}  # and a warning: images/<id>.jpg is not published
    assert not leaky.published and list(failed) == ["public_free_of_private"]
    assert (
        "20 extra file(s) named by a new test id carry its label in the folder 1 level(s) above them"
        in (failed["public_free_of_private"])
    )
    assert "the paths give the labels away" in failed["public_free_of_private"]
    assert (root / SLUG / "manifest.json").read_text() == published  # the published split stays


@pytest.mark.parametrize(
    "public_files, changes, problem",
    [
        (["solution.csv"], {"original_answers_file": "solution.csv"}, "solution.csv is a copy of solution.csv"),
        (
            ["solution.csv"],
            {"kind": "released_labels", "answers_file": "solution.csv"},
            "solution.csv is a copy of solution.csv",
        ),
        (["extra/"], {}, "extra/labels.csv holds target column(s) label for 20 new test id(s) (id)"),
        (["backup/"], {}, "backup/train.csv is a copy of train.csv, which holds answers"),
        (["rewritten/"], {"original_answers_file": "solution.csv"}, "rewritten/s.csv has the content of solution.csv"),
    ],
)
def test_no_answer_reaches_public_through_extra_files(download, tmp_path, public_files, changes, problem):
    (download / "backup").mkdir()
    shutil.copy(download / "train.csv", download / "backup" / "train.csv")
    header, *body = (download / "solution.csv").read_text().splitlines()
    quoted = ['"' + line.replace(",", '","') + '"' for line in [header, *reversed(body)]]  # same rows, another writer
    (download / "rewritten").mkdir()
    (download / "rewritten" / "s.csv").write_text("\r\n".join(quoted) + "\r\n")
    recipe = RECIPE | changes
    prepared = prepare_competition(
        SLUG, parse_recipe(recipe | {"public_files": public_files}, "r"), download, tmp_path / "prepared"
    )
    failed = {c.name: c.found for c in prepared.checks if not c.passed}
    assert not prepared.published
    assert problem in failed["public_free_of_private"]
    assert not (tmp_path / "prepared" / SLUG).exists()


def test_an_entry_that_matches_nothing_names_the_key_the_entry_and_the_download(download, tmp_path):
    with pytest.raises(RecipeError) as raised:
        _prepare(download, tmp_path / "prepared", ["data_description.txt", "image/"])
    assert str(raised.value) == (
        f"{SLUG}: split recipe key 'public_files': entry 'image/' matches no file in {SLUG}'s download; files: "
        "data_description.txt, extra/labels.csv, images/ (130 files), sample_submission.csv, shards/ (130 files), "
        "solution.csv, structures/ (130 files), test.csv, train.csv, train_images/ (100 files)"
    )
    with pytest.raises(RecipeError, match=r"entry 'data_description.txt/' matches no file"):
        _prepare(download, tmp_path / "prepared", ["data_description.txt/"])  # a folder was asked for
    with pytest.raises(RecipeError, match=r"entry 'structures/\*.parquet' matches no file"):
        _prepare(download, tmp_path / "prepared", ["structures/*.parquet"])
    assert not list((tmp_path / "prepared").iterdir())


@pytest.mark.parametrize(
    "entry, clash", [("train.csv", "train.csv"), ("*.csv", "sample_submission.csv"), ("test.csv", "test.csv")]
)
def test_an_entry_may_not_replace_the_splits_own_files(download, tmp_path, entry, clash):
    with pytest.raises(RecipeError) as raised:
        _prepare(download, tmp_path / "prepared", [entry])
    assert str(raised.value).startswith(
        f"{SLUG}: split recipe key 'public_files': entry '{entry}' would put {clash} in public/, where the split "
        f"writes its own {clash}"
    )
    assert not list((tmp_path / "prepared").iterdir())


def test_kaggles_names_are_the_splits_own_and_its_old_names_are_free(download, tmp_path):
    """The new train set keeps Kaggle's name (``train_labels.csv``): a public file of its stem in another format is
    refused (an agent would take one for the other), and Kaggle's ``train.csv``, no longer a name the split writes,
    is copied as any extra file."""
    shutil.copy(download / "train.csv", download / "train_labels.csv")
    (download / "train_labels.json").write_text("[]")
    (download / "train.csv").write_text("note\nan older file of the download\n")
    with pytest.raises(RecipeError) as raised:
        _prepare(download, tmp_path / "prepared", ["train_labels.json"], train_file="train_labels.csv")
    assert str(raised.value).startswith(
        f"{SLUG}: split recipe key 'public_files': entry 'train_labels.json' would put train_labels.json in public/, "
        "where the split writes its own train_labels.csv (the new train set, which no other data file beside it may "
        "share a name with)"
    )
    prepared = _prepare(download, tmp_path / "prepared", ["train.csv"], train_file="train_labels.csv")
    assert prepared.published, [c.found for c in refused(prepared.checks)]
    public = prepared.folder / "public"
    assert (public / "train.csv").read_bytes() == (download / "train.csv").read_bytes()
    assert len(pd.read_csv(public / "train_labels.csv")) == 80 and len(pd.read_csv(public / "test.csv")) == 20


def _labels(download: Path) -> dict[str, str]:
    with open(download / "train.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {row["id"]: row["label"] for row in rows}


def _failed(prepared) -> str:
    assert not prepared.published
    return {c.name: c.found for c in prepared.checks if not c.passed}["public_free_of_private"]


def test_an_empty_json_table_among_public_files_holds_nothing_and_is_published(download, tmp_path):
    """Sweep 191: lyft's ``attribute.json`` of ``[]`` failed the whole split as a download cut short; a table of no
    record holds no answer."""
    (download / "meta").mkdir()
    (download / "meta" / "attribute.json").write_text("[]")
    prepared = _prepare(download, tmp_path / "prepared", ["meta/"])
    assert prepared.published, [c.found for c in prepared.checks if not c.passed]
    assert (prepared.folder / "public" / "meta" / "attribute.json").read_text() == "[]"
    labels = _labels(download)  # review 192: records without keys hold values, and are no empty table
    (download / "meta" / "attribute.json").write_text(json.dumps([[i, label] for i, label in labels.items()]))
    assert "meta/attribute.json cannot be read (" in _failed(_prepare(download, tmp_path / "p2", ["meta/"]))


def test_a_json_document_duckdb_cannot_read_is_not_cleared_by_its_lines(download, tmp_path):
    """A review: herbarium-2020's metadata.json is Latin-1; DuckDB cannot read it, and the line scan that stands in
    for an unreadable text file cannot see a COCO document's image id and its category on other lines: a file with
    every label was published as clean. It is refused as not cleared; the same file in UTF-8 is read, and refused
    for the labels it gives away."""
    labels = _labels(download)
    document = {"images": [{"id": i, "file_name": f"images/{i}.jpg", "note": "café"} for i in labels],
                "annotations": [{"image_id": i, "category_id": label} for i, label in labels.items()]}  # fmt: skip
    (download / "meta").mkdir()
    (download / "meta" / "metadata.json").write_bytes(
        json.dumps(document, indent=1, ensure_ascii=False).encode("latin-1")
    )
    found = _failed(_prepare(download, tmp_path / "prepared", ["meta/"]))
    assert "meta/metadata.json cannot be read (" in found and "not UTF-8 text" in found, found
    assert "a JSON document's records may span lines, or share one, so scanning its lines cannot clear it" in found
    (download / "meta" / "metadata.json").write_text(json.dumps(document, indent=1, ensure_ascii=False))
    assert "meta/metadata.json gives the label of " in _failed(_prepare(download, tmp_path / "p2", ["meta/"]))


def test_ids_with_their_extension_filed_under_their_label_are_caught(tmp_path):
    """``image_id = "img7.jpg"`` in ``train/<label>/img7.jpg``: the file's whole name is the id, not its stem."""
    raw = tmp_path / "raw"
    rng = random.Random(0)
    labels = {f"img{i}.jpg": rng.choice(["cat", "dog"]) for i in range(200)}
    write_csv(raw / "train.csv", ["image_id", "label"], labels.items())
    for name, label in labels.items():
        (raw / "train" / label).mkdir(parents=True, exist_ok=True)
        (raw / "train" / label / name).write_bytes(b"x")
    recipe = {"kind": "random", "id_column": "image_id", "target_columns": ["label"], "test_fraction": 0.2}
    prepared = prepare_competition(SLUG, parse_recipe(recipe | {"public_files": ["train/"]}, "r"), raw, tmp_path / "p")
    assert "40 extra file(s) named by a new test id carry its label in the folder 1 level(s) above them" in (
        _failed(prepared)
    )


def test_a_label_in_the_file_name_is_caught(download, tmp_path):
    """dogs-vs-cats names its images ``cat.123.jpg``."""
    for i, label in _labels(download).items():
        (download / "named").mkdir(exist_ok=True)
        (download / "named" / f"{label}.{i}.jpg").write_bytes(b"x")
        (download / "named_too").mkdir(exist_ok=True)
        (download / "named_too" / f"{i}_{label}-v2.png").write_bytes(b"x")
    for entry in ("named/", "named_too/"):
        assert "20 extra file(s) named by a new test id carry its label in their file names" in _failed(
            _prepare(download, tmp_path / "prepared", [entry])
        )
    assert _prepare(download, tmp_path / "prepared", ["images/", "shards/"]).published  # ids without labels


@pytest.mark.parametrize(
    "named",
    [
        "upper/{LABEL}_{i}.jpg",  # CAT_20.jpg: another case
        "plural/{label}s/{i}.jpg",  # cats/20.jpg: the plural
        "capital/{Label}es/{i}.png",  # Cates/20.png, Doges/20.png: a plural in -es, capitalised
    ],
)
def test_a_label_in_another_case_or_in_the_plural_is_caught(download, tmp_path, named):
    """A fresh-eyed review published ``CAT_20.jpg`` and ``cats/20.jpg``: only a piece equal to the label counted."""
    for i, label in _labels(download).items():
        path = download / named.format(i=i, label=label, LABEL=label.upper(), Label=label.capitalize())
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    where = "their file names" if named.startswith("upper") else "the folder 1 level(s) above them"
    assert f"20 extra file(s) named by a new test id carry its label in {where}" in _failed(
        _prepare(download, tmp_path / "prepared", [named.split("/")[0] + "/"])
    )


def _spelled_paths(tmp_path, labels: dict[int, str], path) -> list[str]:
    """The split of ``labels`` (id -> label) with an extra file at ``path(id, label)`` for every id (where it is not
    None): its failed checks' findings (none when published)."""
    raw = tmp_path / "raw"
    write_csv(raw / "train.csv", ["id", "label"], labels.items())
    paths = [path(i, label) for i, label in labels.items() if path(i, label)]
    for relative in paths:
        (raw / relative).parent.mkdir(parents=True, exist_ok=True)
        (raw / relative).write_bytes(b"x")
    folders = sorted({relative.split("/")[0] + "/" for relative in paths})
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["label"], "test_fraction": 0.2,
              "public_files": folders}  # fmt: skip
    prepared = prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    return [c.found for c in prepared.checks if not c.passed]


SEEDLINGS = ["Black-grass", "Common Chickweed", "Loose Silky-bent"]


@pytest.mark.parametrize(
    "share, values, path, told",
    [
        # a word every path has spells the commonest label of an imbalanced target: it tells nothing (a review)
        (0.96, "01", lambda i, label: f"frames/{i}_frame0.jpg", False),
        (0.96, "01", lambda i, label: f"batch0/{i}.jpg", False),
        (0.93, ["no", "yes"], lambda i, label: f"scans/{i}_No2.png", False),
        (0.93, ["image", "video"], lambda i, label: f"images/{i}.bin", False),
        # the same target filed by its label, and a folder of one label of a balanced one, tell it
        (0.96, "01", lambda i, label: f"by_label/{label}/{i}.jpg", True),
        # a folder or a name only the commonest label's files have tells it (a second review: published)
        (0.96, "01", lambda i, label: f"imgs/{label if label == '0' else 'flagged'}/{i}.jpg", True),
        (0.96, "01", lambda i, label: f"imgs/{i}_0.jpg" if label == "0" else f"imgs/{i}.jpg", True),
        (
            0.93,
            ["normal", "benign", "malign"],
            lambda i, label: f"scans/{'normal' if label == 'normal' else 'abnormal'}/{i}.png",
            True,
        ),
        (
            0.93,
            ["normal", "benign", "malign"],
            lambda i, label: f"scans/{'normal' if label == 'normal' else 'not_normal'}/{i}.png",
            True,
        ),  # fmt: skip
        (0.5, ["cat", "dog"], lambda i, label: f"dogs/{i}.jpg" if label == "dog" else None, True),
        # labels that are each other's plural; an irregular plural; labels written without their separators
        (0.5, ["cat", "cats"], lambda i, label: f"by_label/{label}/{i}.jpg", True),
        (
            1 / 3,
            ["daisy", "rose", "tulip"],
            lambda i, label: f"flowers/{label[:-1]}ies/{i}.jpg" if label.endswith("y") else f"flowers/{label}s/{i}.jpg",
            True,
        ),  # fmt: skip
        (1 / 3, SEEDLINGS, lambda i, label: f"seeds/{label.lower().replace(' ', '_').replace('-', '_')}/{i}.png", True),
        (1 / 3, SEEDLINGS, lambda i, label: f"seeds/{label.title().replace(' ', '').replace('-', '')}/{i}.png", True),
    ],
)
def test_a_path_tells_a_label_when_its_words_set_labels_apart(tmp_path, share, values, path, told):
    rng = random.Random(1)
    weights = [share, *[(1 - share) / (len(values) - 1)] * (len(values) - 1)] if share != 1 / len(values) else None
    labels = {i: rng.choices(list(values), weights)[0] for i in range(1000, 1200)}
    found = _spelled_paths(tmp_path, labels, path)
    assert bool(found) == told, found
    if told:
        assert len(found) == 1 and "extra file(s) named by a new test id carry its label" in found[0], found


def test_a_label_where_letters_meet_digits_is_caught_and_a_word_two_labels_fold_to_tells_neither(tmp_path):
    """``20_label1.jpg``: the 0/1 label is attached to a word. Files whose names spell the label in a case another
    label has too (the labels ``A`` and ``a``) tell neither."""
    raw, rng = tmp_path / "raw", random.Random(4)
    labels = {i: rng.choice("01") for i in range(100, 300)}
    write_csv(raw / "train.csv", ["id", "Abnormal", "grade"], [(i, v, rng.choice("Aa")) for i, v in labels.items()])
    for i, label in labels.items():
        (raw / "attached").mkdir(exist_ok=True)
        (raw / "attached" / f"{i}_label{label}.jpg").write_bytes(b"x")
        (raw / "plain").mkdir(exist_ok=True)
        (raw / "plain" / f"{i}_v2.jpg").write_bytes(b"x")
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["Abnormal"], "test_fraction": 0.2}
    leaky = prepare_competition(SLUG, parse_recipe(recipe | {"public_files": ["attached/"]}, "r"), raw, tmp_path / "p")
    assert "40 extra file(s) named by a new test id carry its Abnormal in their file names" in _failed(leaky)
    assert prepare_competition(SLUG, parse_recipe(recipe | {"public_files": ["plain/"]}, "r"), raw,
                               tmp_path / "q").published  # fmt: skip

    rows = list(csv.DictReader((raw / "train.csv").open()))
    assert {r["grade"] for r in rows} == {"A", "a"}
    (raw / "graded").mkdir()
    for r in rows:
        (raw / "graded" / f"{r['id']}_{r['grade'].upper()}.jpg").write_bytes(b"x")
    by_grade = recipe | {"target_columns": ["grade"], "public_files": ["graded/"]}
    assert prepare_competition(SLUG, parse_recipe(by_grade, "r"), raw, tmp_path / "r").published


def test_an_extra_file_naming_every_label_of_a_target_tells_none(tmp_path):
    """Extra files named by DICOM UIDs (``1.2.826.0.1...``: both labels of a 0/1 target among the pieces) tell no
    label; the same files filed under their label still do."""
    raw, rng = tmp_path / "raw", random.Random(3)
    labels = {f"1.2.826.0.1.3680043.8.498.{rng.randrange(10**29, 10**30)}": rng.choice("01") for _ in range(200)}
    write_csv(raw / "train.csv", ["StudyInstanceUID", "Abnormal"], labels.items())
    for uid, label in labels.items():
        for folder in (raw / "annotated", raw / "by_label" / label):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{uid}.dcm").write_bytes(b"x")
    recipe = {"kind": "random", "id_column": "StudyInstanceUID", "target_columns": ["Abnormal"], "test_fraction": 0.2}
    assert prepare_competition(SLUG, parse_recipe(recipe | {"public_files": ["annotated/"]}, "r"), raw,
                               tmp_path / "p").published  # fmt: skip
    leaky = prepare_competition(SLUG, parse_recipe(recipe | {"public_files": ["by_label/"]}, "r"), raw, tmp_path / "q")
    assert "40 extra file(s) named by a new test id carry its Abnormal in the folder 1 level(s) above them" in (
        _failed(leaky)
    )


def test_a_label_beside_the_uid_in_a_file_name_is_caught(tmp_path):
    """``<uid>_<label>.dcm``: the name without the id tells the label, though the UID's pieces hold both (a
    fresh-eyed review)."""
    raw, rng = tmp_path / "raw", random.Random(6)
    labels = {f"1.2.826.0.1.3680043.8.498.{rng.randrange(10**29, 10**30)}": rng.choice("01") for _ in range(200)}
    write_csv(raw / "train.csv", ["StudyInstanceUID", "Abnormal"], labels.items())
    (raw / "named").mkdir(parents=True)
    for uid, label in labels.items():
        (raw / "named" / f"{uid}_{label}.dcm").write_bytes(b"x")
    recipe = {"kind": "random", "id_column": "StudyInstanceUID", "target_columns": ["Abnormal"], "test_fraction": 0.2,
              "public_files": ["named/"]}  # fmt: skip
    found = _failed(prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "p"))
    assert "40 extra file(s) named by a new test id carry its Abnormal in their file names" in found, found


@pytest.mark.parametrize("written", ["{}.0", "00{}"])
def test_a_table_of_labels_writing_the_ids_otherwise_is_caught(download, tmp_path, written):
    """``101.0`` or ``00101`` for id ``101``: the same ids (a fresh-eyed review: such a table was published)."""
    write_csv(download / "old" / "labels.csv", ["id", "label"],
              [(written.format(i), label) for i, label in _labels(download).items()])  # fmt: skip
    assert "old/labels.csv holds target column(s) label for 20 new test id(s) (id)" in _failed(
        _prepare(download, tmp_path / "prepared", ["old/"])
    )


def test_a_table_listing_every_label_for_each_id_tells_none(download, tmp_path):
    """``image_id, kind``: a row of each label for every id tells no id's label, and is published (it was refused:
    an id counted as agreeing when any of its rows held its label); a row of its own label for each id is refused,
    beside rows of values that are no label too, and so are votes whose majority is the label."""
    labels = _labels(download)
    write_csv(download / "both" / "kinds.csv", ["image_id", "kind"],
              [(i, kind) for i in labels for kind in ("cat", "dog")])  # fmt: skip
    write_csv(download / "one" / "kinds.csv", ["image_id", "kind"], labels.items())
    write_csv(download / "noted" / "kinds.csv", ["image_id", "kind"],
              [(i, kind) for i, label in labels.items() for kind in (label, "unsure")])  # fmt: skip
    write_csv(download / "votes" / "kinds.csv", ["image_id", "kind"],  # two curators of three say the label
              [(i, kind) for i, label in labels.items() for kind in (label, label, {"cat": "dog"}.get(label, "cat"))])  # fmt: skip
    assert _prepare(download, tmp_path / "prepared", ["both/"]).published
    for told in ("one/", "noted/", "votes/"):
        found = _failed(_prepare(download, tmp_path / "prepared", [told]))
        assert f"{told}kinds.csv gives the label of 20 new test id(s) away: column kind agrees with it" in found, found


@pytest.mark.parametrize(
    "written, told",
    [
        ({"cat": "CAT", "dog": "DOG"}, "CAT for cat, DOG for dog"),  # another case
        ({"cat": "dog", "dog": "cat"}, "cat for dog, dog for cat"),  # always the other label of two
        ({"cat": "indoor", "dog": "outdoor"}, "indoor for cat, outdoor for dog"),  # a code
    ],
)
def test_a_table_writing_the_labels_otherwise_is_caught(download, tmp_path, written, told):
    """A column of a few values standing for the labels gives them away, whatever it writes; so do rows of the
    other label more often than the label (a review: published after 9b3b3e3)."""
    labels = _labels(download)
    write_csv(download / "coded" / "kinds.csv", ["image_id", "kind"], [(i, written[v]) for i, v in labels.items()])
    found = _failed(_prepare(download, tmp_path / "prepared", ["coded/"]))
    assert f"coded/kinds.csv gives the label of 20 new test id(s) away: column kind writes it otherwise ({told})" in (
        found
    ), found
    other = {"cat": "dog", "dog": "cat"}
    write_csv(download / "mostly" / "kinds.csv", ["image_id", "kind"],
              [(i, kind) for i, v in labels.items() for kind in (v, other[v], other[v])])  # fmt: skip
    assert "mostly/kinds.csv gives the label of 20 new test id(s) away" in _failed(
        _prepare(download, tmp_path / "prepared", ["mostly/"])
    )


def test_a_column_of_a_value_per_id_or_of_values_apart_from_the_labels_is_no_leak(download, tmp_path):
    """Read as standing for the labels, a column of a value per id would stand for any; a two-valued column drawn
    apart from the labels stands for none."""
    rng = random.Random(9)
    write_csv(download / "features" / "more.csv", ["image_id", "file", "indoor", "colour"],
              [(i, f"f{i}", rng.choice(["yes", "no"]), rng.choice(["black", "white", "ginger"]))
               for i in _labels(download)])  # fmt: skip
    assert _prepare(download, tmp_path / "prepared", ["features/"]).published


def _table_split(tmp_path, header: list[str], rows: list, extra: dict[str, tuple[list[str], list]]) -> list[str]:
    """A split of ``rows`` (``header``: id, the target ``label``, features the public test set keeps) with the extra
    tables ``extra`` (path -> header, rows): its failed checks' findings (none when published)."""
    raw = tmp_path / "raw"
    write_csv(raw / "train.csv", header, rows)
    for path, (columns, table) in extra.items():
        write_csv(raw / path, columns, table)
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["label"], "test_fraction": 0.2,
              "public_files": sorted({path.split("/")[0] + "/" for path in extra})}  # fmt: skip
    prepared = prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    return [c.found for c in prepared.checks if not c.passed]


def test_honest_extra_tables_a_second_review_found_refused_are_published(tmp_path):
    """A constant number column (its correlation NaN, once read as 1); a public test column the table repeats,
    coded (sex M/F following the label); an honest flag of a 4% positive target catching three of four positives."""
    rng = random.Random(2)
    ids = range(1000, 1500)
    labels = {i: rng.choices("01", [0.5, 0.5])[0] for i in ids}
    sex = {i: ("M" if v == "1" else "F") if rng.random() < 0.97 else rng.choice("MF") for i, v in labels.items()}
    rows = [(i, sex[i], labels[i]) for i in ids]
    assert not _table_split(tmp_path / "a", ["id", "sex", "label"], rows, {
        "t/meta.csv": (["id", "version", "sex"], [(i, 3, sex[i]) for i in ids])})  # fmt: skip
    rare = {i: rng.choices("01", [0.96, 0.04])[0] for i in ids}
    flag = {i: "Y" if (v == "1" and rng.random() < 0.75) or rng.random() < 0.01 else "N" for i, v in rare.items()}
    for name, written in (("b", {"Y": "Y", "N": "N"}), ("c", {"Y": "1", "N": "0"})):  # a code, or the labels' text
        assert not _table_split(tmp_path / name, ["id", "label"], list(rare.items()), {
            "t/exams.csv": (["id", "prior_exam"], [(i, written[f]) for i, f in flag.items()])})  # fmt: skip


def test_leaks_a_third_review_found_published_are_caught(tmp_path):
    """Ids of 19 digits (a tweet's) read as numbers were one id for their neighbours; a 2% positive target written
    Y/N exactly had too few positives among the new test ids for a fixed count of them."""
    rng = random.Random(5)
    big = [(1234567890123456000 + k, rng.choice(["cat", "dog"])) for k in range(500)]
    found = _table_split(tmp_path / "a", ["id", "label"], big, {"t/labels.csv": (["tweet", "kind"], big)})
    assert found and "column kind agrees with it for 100 of the 100 new test ids in column tweet" in found[0], found
    rare = [(i, rng.choices("01", [0.98, 0.02])[0]) for i in range(1000, 2000)]  # a few positives among 200
    found = _table_split(tmp_path / "b", ["id", "label"], rare, {
        "t/meta.csv": (["image_id", "flag"], [(i, "Y" if v == "1" else "N") for i, v in rare])})  # fmt: skip
    assert found and "column flag writes it otherwise (N for 0, Y for 1) for 200 of the 200" in found[0], found


def test_a_rare_positive_flag_written_as_words_is_caught(tmp_path):
    """Sweep 184: seti's older labelling written ``yes``/``no`` (renamed ``cadence, is_signal``), right for nine in
    ten ids, 10% positive: ``yes`` went with more negatives than positives, so reading each value as the label it goes
    with most often read every id as 0 and the file was published (AUC 0.95 on the new test set, above gold); the
    same file written 0/1 was refused. Read as a label each, ``yes`` for 1 and ``no`` for 0, it is refused too."""
    rng = random.Random(13)
    labels = [(f"{rng.randrange(16**12):012x}", "1" if rng.random() < 0.1 else "0") for _ in range(2000)]
    old = [
        (k, ("no" if v == "1" else "yes") if rng.random() < 0.13 else ("yes" if v == "1" else "no")) for k, v in labels
    ]
    found = _table_split(
        tmp_path, ["id", "label"], labels, {"old/train_labels_old.csv": (["cadence", "is_signal"], old)}
    )
    assert found and "old/train_labels_old.csv gives the label of " in found[0], found
    assert "column is_signal writes it otherwise (no for 0, yes for 1)" in found[0], found


def _published_test_set(tmp_path, header: list[str], rows: list, test_header: list[str] | None = None) -> list[str]:
    """A split of ``rows`` (id, features, the target ``label`` last), without a test file or with one of
    ``test_header``'s columns: its failed checks' findings (none when published)."""
    raw = tmp_path / "raw"
    write_csv(raw / "train.csv", header, rows)
    if test_header:
        write_csv(raw / "test.csv", test_header, [(f"t{k}", *(["x"] * (len(test_header) - 1))) for k in range(50)])
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["label"], "test_fraction": 0.2}
    prepared = prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    return [c.found for c in prepared.checks if not c.passed]


@pytest.mark.parametrize(
    "copy, classes, how",
    [(lambda label, i: label, 12, "copies it"),  # the label under another name
     (lambda label, i: label.upper(), 30, "copies it"),  # in another case, many classes (a review: 30 passed)
     (lambda label, i: label.upper() if i % 2 else label, 30, "copies it"),  # on half the rows (review 194)
     (lambda label, i: f" {label}" if i % 2 else label, 30, "copies it"),  # spaces on half the rows (review 194)
     (lambda label, i: f"species {label}", 12, "writes it otherwise, one value for each label"),
     (lambda label, i: str(int(label[2:]) * 100 + 7), 12, "writes it otherwise, one value for each label")],
)  # fmt: skip
def test_a_training_column_copying_the_label_into_the_public_test_set_is_caught(tmp_path, copy, classes, how):
    """Sweep 186: herbarium's train table without a test table: the public test set keeps every training column but
    the target, and its ``folder`` (the category id again) went public in test.csv with every check passed."""
    rng = random.Random(14)
    rows = []
    for i in range(500):
        label = f"sp{rng.randrange(classes)}"
        rows.append((i, f"images/{i}.jpg", copy(label, i), round(rng.random(), 3), label))
    found = _published_test_set(tmp_path, ["id", "file_name", "folder", "size", "label"], rows)
    assert found == [
        f"test.csv gives the label of the new test rows away: column folder, which the new test set took from the "
        f"training file, {how} (on 400 of the new training set's 400 rows read); name the columns it keeps in the "
        "recipe's test_columns, leaving folder out"
    ], found


def test_a_number_following_a_continuous_target_in_the_public_test_set_is_caught(tmp_path):
    """A regression target every row of which is its own: a column rescaling it is caught by correlation, while a
    file name of a row's own (one value a row, as the target) is no copy of it, nor a feature that predicts it, nor a
    measure filled on a few rows only (a review: 2 of them correlate 1.0)."""
    rng = random.Random(15)
    rows = []
    for i in range(500):
        price = round(rng.uniform(1, 1000), 2)
        rare = round(rng.random(), 3) if rng.random() < 0.02 else ""
        rows.append((i, f"img_{rng.randrange(10**9)}.jpg", round(price * 0.84 + rng.gauss(0, 40), 2), rare,
                     round(price * 100), price))  # fmt: skip
    found = _published_test_set(tmp_path, ["id", "file", "estimate", "rare", "cents", "label"], rows)
    assert found == [
        "test.csv gives the label of the new test rows away: column cents, which the new test set took from the "
        "training file, follows it, number for number (on 400 of the new training set's 400 rows read); name the "
        "columns it keeps in the recipe's test_columns, leaving cents out"
    ], found
    tied = [(i, rng.randrange(100)) for i in range(500)]  # review 194: a jittered copy of a target of 100 values
    jittered = [(i, round(y + rng.uniform(-0.001, 0.001), 4), y) for i, y in tied]
    found = _published_test_set(tmp_path / "tied", ["id", "est", "label"], jittered)
    assert found and "column est, which the new test set took from the training file, follows it" in found[0], found
    honest = [row[:4] + row[5:] for row in rows]  # the noisy estimate (correlation about 0.99) and the rare one stay
    assert not _published_test_set(tmp_path / "honest", ["id", "file", "estimate", "rare", "label"], honest)


@pytest.mark.parametrize("seed", range(6))
def test_kaggles_own_test_columns_a_predictive_feature_and_a_coarser_code_are_not_judged_copies(tmp_path, seed):
    """A column Kaggle's test file has is Kaggle's feature, whatever it says; a training column agreeing with 98.5% of
    the labels is a strong feature, and a genus beside its species a coarser code: the competition's to give (only a
    copy is refused; a review found the feature refused for 2 seeds of 10 when judged on the test rows alone)."""
    rng = random.Random(seed)
    labels = [rng.choice("01") for _ in range(500)]
    rows = [(i, v, v) for i, v in enumerate(labels)]
    assert not _published_test_set(tmp_path / "kaggle", ["id", "hint", "label"], rows, ["id", "hint"])
    strong = [(i, v if rng.random() < 0.97 else rng.choice("01"), v) for i, v in enumerate(labels)]
    assert not _published_test_set(tmp_path / "strong", ["id", "hint", "label"], strong)
    species = [(i, category // 4, category) for i, category in enumerate(rng.randrange(400) for _ in range(500))]
    assert not _published_test_set(tmp_path / "genus", ["id", "genus", "label"], species)


@pytest.mark.parametrize("written", ["{}.0", "00{}"])
def test_ids_written_otherwise_next_to_labels_of_any_name_are_caught(tmp_path, written):
    """``1000.0`` or ``001000`` for id ``1000`` next to its label, under names that are not the target's."""
    rng = random.Random(3)
    rows = [(i, rng.choice(["cat", "dog"])) for i in range(1000, 1200)]
    found = _table_split(tmp_path, ["id", "label"], rows, {
        "t/kinds.csv": (["image_id", "kind"], [(written.format(i), v) for i, v in rows])})  # fmt: skip
    assert found and "t/kinds.csv gives the label of 40 new test id(s) away: column kind agrees" in found[0], found


def test_a_table_naming_the_targets_that_are_1_for_new_test_ids_is_caught(tmp_path):
    """ranzcr-clip's ``train_annotations.csv``: a row for each line drawn on an image, naming the target column
    that is 1 for it (``StudyInstanceUID, label, data``). It passed the check (a newcomer's run); a table naming
    targets at random for the same ids still passes."""
    raw, rng = tmp_path / "raw", random.Random(4)
    targets = ["ETT - Abnormal", "ETT - Normal", "NGT - Normal", "CVC - Normal"]
    rows = [[f"uid{i:04d}", *(int(rng.random() < 0.25) for _ in targets)] for i in range(300)]
    write_csv(raw / "train.csv", ["StudyInstanceUID", *targets], rows)
    drawn = [[uid, target, "[[1, 2]]"] for uid, *ones in rows for target, one in zip(targets, ones, strict=True) if one]
    write_csv(raw / "annotations.csv", ["StudyInstanceUID", "label", "data"], drawn)
    write_csv(raw / "random.csv", ["StudyInstanceUID", "label", "data"],
              [[uid, rng.choice(targets), "[[1, 2]]"] for uid, *_ in rows])  # fmt: skip
    recipe = {"kind": "random", "id_column": "StudyInstanceUID", "target_columns": targets, "test_fraction": 0.2}
    leaky = prepare_competition(SLUG, parse_recipe(recipe | {"public_files": ["annotations.csv"]}, "r"), raw,
                                tmp_path / "p")  # fmt: skip
    found = _failed(leaky)
    assert found.startswith(
        "annotations.csv gives new test ids' labels away: column label names a target that is 1 for the id in column "
        "StudyInstanceUID ("
    ), found
    assert prepare_competition(SLUG, parse_recipe(recipe | {"public_files": ["random.csv"]}, "r"), raw,
                               tmp_path / "q").published  # fmt: skip
    write_csv(raw / "annotations.csv", ["StudyInstanceUID", "label", "data"],
              [[uid, f" {target.lower().replace(' ', '')}", data] for uid, target, data in drawn])  # fmt: skip
    otherwise = prepare_competition(SLUG, parse_recipe(recipe | {"public_files": ["annotations.csv"]}, "r"), raw,
                                    tmp_path / "r")  # fmt: skip
    assert "annotations.csv gives new test ids' labels away" in _failed(otherwise)  # " ett-abnormal": the same name


def test_a_text_file_listing_the_labels_each_new_test_id_has_is_caught(tmp_path):
    """mlsp-2013-birds (a sweep): species 0-18 as one 0/1 target each, and Kaggle's ragged
    ``rec_labels_test_hidden.txt`` (``rec_id,[labels]``: ``325,11``) copied whole by ``public_files``. DuckDB reads
    it as one column, and the line scan looked only for a target's own value (0 or 1) beside the id: it passed. The
    same ids listed with species at random, or with their folds, still pass."""
    raw, rng = tmp_path / "raw", random.Random(6)
    species = [str(n) for n in range(19)]
    rows = [[rec, *(int(rng.random() < 0.1) for _ in species)] for rec in range(300)]
    write_csv(raw / "train.csv", ["rec_id", *species], rows)

    def listing(name: str, label_sets) -> str:
        text = "rec_id,[labels]\n" + "".join(",".join([str(rec), *sorted(labels, key=int)]) + "\n"
                                              for rec, labels in label_sets)  # fmt: skip
        (raw / name).write_text(text)
        return name

    has = [(rec, [s for s, one in zip(species, ones, strict=True) if one]) for rec, *ones in rows]
    recipe = {"kind": "random", "id_column": "rec_id", "target_columns": species, "test_fraction": 0.2}

    def published(name: str, where: str):
        return prepare_competition(SLUG, parse_recipe(recipe | {"public_files": [name]}, "r"), raw, tmp_path / where)

    found = _failed(published(listing("rec_labels.txt", has), "a"))
    assert (
        found.startswith("rec_labels.txt gives new test ids' labels away: ")
        and "new test id(s) on a line with the names of the labels they have and no other's, e.g. " in found
    ), found
    shuffled = [(rec, rng.sample(species, len(labels))) for rec, labels in has]
    assert published(listing("random_labels.txt", shuffled), "b").published
    # a file DuckDB reads as one column, as rec_labels: folds
    (raw / "folds.txt").write_text("".join(f"{rec} {rec % 2}\n" for rec, _ in has))
    assert published("folds.txt", "c").published
    # review 171: a stray species number beside an id on another line (a fold of 7) does not hide its labels
    strays = "".join(f"{rec} fold {7 + rec % 3}\n" for rec, _ in has)
    (raw / "rec_labels_and_folds.txt").write_text((raw / "rec_labels.txt").read_text() + strays)
    assert "new test id(s) on a line with the names of the labels they have" in _failed(
        published("rec_labels_and_folds.txt", "d")
    )


def test_a_text_file_pairing_every_id_with_every_label_tells_no_label(tmp_path):
    """Review 169: one 0/1 column per class (plant-pathology's), and a file naming every id with every class, a pair
    a line: an id was told by the one line naming its own class, though the file names it with every other."""
    raw, rng = tmp_path / "raw", random.Random(2)
    classes = ["healthy", "rust", "scab", "multiple"]
    chosen = [rng.choice(classes) for _ in range(300)]
    rows = [[f"img{i}", *(int(c == label) for c in classes)] for i, label in enumerate(chosen)]
    write_csv(raw / "train.csv", ["image_id", *classes], rows)
    (raw / "pairs.txt").write_text("".join(f"{uid} {c}\n" for uid, *_ in rows for c in classes))
    recipe = {"kind": "random", "id_column": "image_id", "target_columns": classes, "test_fraction": 0.2}
    prepared = prepare_competition(
        SLUG, parse_recipe(recipe | {"public_files": ["pairs.txt"]}, "r"), raw, tmp_path / "p"
    )
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    (raw / "labels.txt").write_text(
        "".join(f"{uid} {c}\n" for uid, *ones in rows for c, one in zip(classes, ones, strict=True) if one)
    )
    leaky = prepare_competition(SLUG, parse_recipe(recipe | {"public_files": ["labels.txt"]}, "r"), raw, tmp_path / "q")
    assert "labels.txt gives new test ids' labels away" in _failed(leaky)


@pytest.mark.parametrize(
    "name, write",
    [
        ("labels.txt", lambda labels: "".join(f"{i} {v}\n" for i, v in labels.items())),  # no header
        ("notes.txt", lambda labels: "Notes.\n" + "".join(f"Sample {i} is a {v}.\n" for i, v in labels.items())),
        ("broken.csv", lambda labels: "id,label\n" + "".join(f"{i},{v},,\n" for i, v in labels.items())),
    ],
)
def test_labels_in_text_files_are_caught(download, tmp_path, name, write):
    labels = _labels(download)
    (download / name).write_text(write(labels))
    found = _failed(_prepare(download, tmp_path / "prepared", [name]))
    assert found.startswith(f"{name} gives ") and "20 new test id" in found, found


@pytest.mark.parametrize("name", ["labels.tsv", "labels.csv.gz"])
def test_a_tsv_or_gzipped_table_of_labels_is_read_as_a_data_file_and_caught(download, tmp_path, name):
    """A TSV and a gzip'd CSV are data files (read with their delimiter, decompressed), checked as a CSV is."""
    import gzip

    labels = _labels(download)
    delimiter = "\t" if name.endswith(".tsv") else ","
    text = f"id{delimiter}label\n" + "".join(f"{i}{delimiter}{v}\n" for i, v in labels.items())
    (download / name).write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
    found = _failed(_prepare(download, tmp_path / "prepared", [name]))
    assert found == (
        f"{name} holds target column(s) label for 20 new test id(s) (id); to publish its training rows' rows alone, "
        f"name it in train_tables ({name}: id) instead of public_files"
    ), found  # sweep 174's ranzcr train_annotations.csv: the key that publishes it went unsaid


def test_an_extra_table_of_old_labels_for_other_ids_is_published(download, tmp_path):
    """seti-breakthrough-listen ships ``old_leaky_data/train_labels_old.csv`` (``id``, ``target``: the answers'
    columns) for ids of an earlier version of the data, none of them a new test id. It was refused for its columns
    alone ("holds every answers column"); a table of the same columns pairing new test ids with labels still is."""
    labels = _labels(download)
    (download / "old").mkdir()
    write_csv(download / "old" / "train_labels_old.csv", ["id", "label"],
              [(f"old{i}", label) for i, label in labels.items()])  # fmt: skip
    assert _prepare(download, tmp_path / "prepared", ["old/"]).published
    write_csv(download / "old" / "train_labels_old.csv", ["id", "label"], labels.items())
    assert "old/train_labels_old.csv holds target column(s) label for 20 new test id(s) (id)" in _failed(
        _prepare(download, tmp_path / "prepared", ["old/"])
    )


def test_a_data_file_whose_id_column_has_another_name_is_caught(download, tmp_path):
    labels = _labels(download)
    write_csv(download / "meta" / "info.csv", ["image_id", "kind"], labels.items())
    found = _failed(_prepare(download, tmp_path / "prepared", ["meta/"]))
    assert found == (
        "meta/info.csv gives the label of 20 new test id(s) away: column kind agrees with it for 20 of the 20 new "
        "test ids in column image_id"
    )
    # a column of the same ids with values that are not the labels (an independent feature) passes
    rng = random.Random(1)
    write_csv(download / "meta" / "info.csv", ["image_id", "kind"], [(i, rng.choice(["cat", "dog"])) for i in labels])
    assert _prepare(download, tmp_path / "prepared", ["meta/"]).published


def test_without_an_id_column_extra_files_are_not_cleared(download, tmp_path):
    prepared = _prepare(download, tmp_path / "prepared", ["data_description.txt"], id_column=None)
    assert _failed(prepared) == (
        "1 extra public file(s) not checked for labels: no id column (rows are identified by their content), so a "
        "new test row cannot be found in them; remove them from public_files, or set id_column"
    )


def test_an_extra_file_that_cannot_be_cleared_says_what_to_do(download, tmp_path, monkeypatch):
    (download / "blob.csv").write_bytes(bytes(range(256)) * 4)  # not CSV, not text
    found = _failed(_prepare(download, tmp_path / "prepared", ["blob.csv"]))
    assert found.startswith("blob.csv cannot be read (")
    assert found.endswith(
        "and is not text, so it cannot be cleared of answers: remove it from public_files (it came with entry "
        "'blob.csv'), or replace it in the download with a CSV, JSON or Parquet file DuckDB reads"
    )
    (download / "ragged.csv").write_text("a,b\n1,2,3,4\nfree text\n")  # unreadable as CSV, scanned as text: clear
    assert _prepare(download, tmp_path / "prepared", ["ragged.csv"]).published
    monkeypatch.setattr("validation.leakage.TEXT_SCAN_LIMIT", 10)
    found = _failed(_prepare(download, tmp_path / "prepared", ["data_description.txt"]))
    assert found.startswith("data_description.txt is not a table DuckDB reads, and is too large to scan as text (")
    assert "remove it from public_files (it came with entry 'data_description.txt')" in found


def test_each_extra_file_is_hashed_once(download, tmp_path, monkeypatch):
    import splits.layout
    import validation.leakage

    hashed = []
    real = validation.leakage.file_sha256

    def counting(path):
        hashed.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(validation.leakage, "file_sha256", counting)
    monkeypatch.setattr(splits.layout, "file_sha256", counting)
    assert _prepare(download, tmp_path / "prepared", ["data_description.txt", "images/"]).published
    assert "data_description.txt" not in hashed and not any(name.endswith(".jpg") for name in hashed)


def test_a_missing_file_reads_the_same_at_split_and_parity_time(download, tmp_path):
    """One message, from ``validation.data_files``: big folders summarised in both."""
    from validation.data_root import PreparedFolder
    from validation.parity_inputs import ParityInputError, load_parity_inputs

    prepared = _prepare(download, tmp_path / "prepared", [])
    with pytest.raises(RecipeError) as at_split:
        _prepare(download, tmp_path / "prepared", [], original_answers_file="nope.csv")
    with pytest.raises(ParityInputError) as at_parity:
        load_parity_inputs(
            PreparedFolder(prepared.folder), download, RECIPE | {"original_answers_file": "nope.csv"}, "accuracy"
        )
    assert str(at_split.value) == str(at_parity.value)
    assert "images/ (130 files)" in str(at_parity.value)


def test_a_text_file_quoted_only_past_the_sniffers_sample_is_read_as_a_table(tmp_path):
    """labels.txt gives every label away; its notes are quoted only from row 22,000. DuckDB's sniffer, choosing the
    quote from the first 20,480 rows, could not read it as a table, and a file over the text scan's 64 MB was then
    refused as uncheckable even when harmless. Read as a table, the leak is found by its columns."""
    raw = tmp_path / "raw"
    raw.mkdir()
    labels = ["cat", "dog", "eel"]
    (raw / "train.csv").write_text("id,y\n" + "".join(f"{i},{labels[i % 3]}\n" for i in range(25_000)))
    (raw / "test.csv").write_text("id\n" + "".join(f"{i}\n" for i in range(25_000, 25_100)))
    notes = (f'"n, {i}"' if i >= 22_000 else f"n{i}" for i in range(25_000))
    (raw / "labels.txt").write_text(
        "key,label,note\n" + "".join(f"{i},{labels[i % 3]},{n}\n" for i, n in enumerate(notes))
    )
    recipe = parse_recipe({"kind": "random", "id_column": "id", "target_columns": ["y"], "test_fraction": 0.2,
                           "metric": "accuracy", "public_files": ["labels.txt"]}, "leak")  # fmt: skip
    result = prepare_competition("leak", recipe, raw, tmp_path / "prepared")
    found = next(check.found for check in result.checks if check.name == "public_free_of_private")
    assert not result.published and "labels.txt gives the y of 5,000 new test id(s) away: column label" in found


@pytest.mark.parametrize("flipped, leaks", [(0.0, True), (0.15, True), (0.4, False)])
def test_an_older_labelling_with_some_labels_flipped_is_caught(tmp_path, flipped, leaks):
    """seti-breakthrough-listen's ``old_leaky_data/train_labels_old.csv``: an older labelling of the same ids, some
    labels flipped. 87% right was published (a newcomer's sweep); a column right for 85% of the new test ids, well
    beyond chance, gives them away, where one right for 60% (a feature, weakly) does not."""
    raw, rng = tmp_path / "raw", random.Random(8)
    labels = {f"{rng.randrange(16**12):012x}": rng.choice("01") for _ in range(400)}
    write_csv(raw / "train_labels.csv", ["id", "target"], labels.items())
    old = dict(labels)
    flips = rng.sample(sorted(old), round(flipped * len(old)))  # the share flipped of every id, new test ids alike
    for key in flips:
        old[key] = "1" if old[key] == "0" else "0"
    write_csv(raw / "old_leaky_data" / "train_labels_old.csv", ["id", "old_target"], old.items())
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["target"], "test_fraction": 0.2,
              "train_file": "train_labels.csv", "public_files": ["old_leaky_data/"]}  # fmt: skip
    prepared = prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "p")
    if not leaks:
        assert prepared.published, [c.found for c in prepared.checks if not c.passed]
        return
    found = _failed(prepared)
    assert "old_leaky_data/train_labels_old.csv gives the target of " in found, found
    assert "new test id(s) away: column old_target agrees with it for " in found, found


def test_a_noisy_older_labelling_of_rare_positives_is_caught(tmp_path):
    """seti-breakthrough-listen's labels are about 10% positive: an older labelling with 13% of labels flipped agrees
    with 85% of the new test ids but has a kappa of 0.45 (flips land mostly on negatives), and was published (a
    review: submitted as it is, an AUC of 0.86, second on seti's board)."""
    raw, rng = tmp_path / "raw", random.Random(11)
    labels = {f"{rng.randrange(16**12):012x}": "1" if rng.random() < 0.1 else "0" for _ in range(2000)}
    write_csv(raw / "train_labels.csv", ["id", "target"], labels.items())
    old = {key: ("1" if value == "0" else "0") if rng.random() < 0.13 else value for key, value in labels.items()}
    write_csv(raw / "old_leaky_data" / "train_labels_old.csv", ["id", "old_target"], old.items())
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["target"], "test_fraction": 0.2,
              "train_file": "train_labels.csv", "public_files": ["old_leaky_data/"]}  # fmt: skip
    found = _failed(prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "p"))
    assert "old_leaky_data/train_labels_old.csv gives the target of " in found, found


def test_a_public_test_feature_repeated_under_another_name_is_no_leak(tmp_path):
    """test.csv's has_link matches the label for 85% of the rows: a metadata table repeating it as HasLink is a
    feature the agents have in the public test set, not an answer (a review found it refused, and published under
    its own name)."""
    raw, rng = tmp_path / "raw", random.Random(12)
    rows = []
    for i in range(600):
        label = rng.choice("01")
        rows.append((str(i), label if rng.random() < 0.85 else ("1" if label == "0" else "0"), label))
    write_csv(raw / "train.csv", ["id", "has_link", "label"], rows)
    write_csv(raw / "meta" / "meta.csv", ["id", "HasLink"], [(i, link) for i, link, _ in rows])
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["label"], "test_fraction": 0.2,
              "public_files": ["meta/"]}  # fmt: skip
    prepared = prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "p")
    assert prepared.published, [c.found for c in prepared.checks if not c.passed]


def test_a_column_agreeing_with_few_ids_by_chance_is_no_leak(tmp_path):
    """A table about other things whose number column happens to hold ten new test ids, next to a two-valued column:
    8 of 10 agreeing is a coin's one-in-twenty (a review found such a table refused)."""
    raw, rng = tmp_path / "raw", random.Random(13)
    labels = {str(i): rng.choice(["cat", "dog"]) for i in range(1, 1001)}
    write_csv(raw / "train.csv", ["id", "label"], labels.items())
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["label"], "test_fraction": 0.2,
              "public_files": ["other/"]}  # fmt: skip
    plan = prepare_competition(SLUG, parse_recipe(recipe | {"public_files": []}, "r"), raw, tmp_path / "first")
    test_ids = pd.read_csv(plan.folder / "public" / "test.csv", dtype=str)["id"].tolist()[:10]
    flags = [labels[i] if k < 8 else {"cat": "dog", "dog": "cat"}[labels[i]] for k, i in enumerate(test_ids)]
    write_csv(raw / "other" / "sessions.csv", ["age", "device"], zip(test_ids, flags, strict=True))
    prepared = prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "p")
    assert prepared.published, [c.found for c in prepared.checks if not c.passed]


@pytest.mark.parametrize("flag", ["constant", "sparse"])
def test_a_copy_of_rare_labels_beside_a_mostly_constant_public_column_is_caught(tmp_path, flag):
    """A review: with public test columns judged by values under any name, a copy of 5%-positive labels matched a
    public column of 0s (or 3% 1s) for 90% of the ids and passed as "a feature the agents have"."""
    raw, rng = tmp_path / "raw", random.Random(14)
    rows = [(str(i), "1" if flag == "sparse" and rng.random() < 0.03 else "0", "1" if rng.random() < 0.05 else "0")
            for i in range(2000)]  # fmt: skip
    write_csv(raw / "train.csv", ["id", "flag", "label"], rows)
    write_csv(raw / "old" / "labels_old.csv", ["id", "old_label"], [(i, label) for i, _, label in rows])
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["label"], "test_fraction": 0.2,
              "public_files": ["old/"]}  # fmt: skip
    found = _failed(prepare_competition(SLUG, parse_recipe(recipe, "r"), raw, tmp_path / "p"))
    assert "old/labels_old.csv gives the label of " in found, found


def _coco(images: list[tuple[int, str, str]], with_annotations: bool = True) -> str:
    """A COCO-style document (inaturalist-2019's train2019.json): images (id, file_name) and their categories."""
    document = {
        "info": {"year": 2019},
        "images": [
            {"id": n, "file_name": f"train_val2019/Plantae/{label}/{name}", "width": 8} for n, name, label in images
        ],
        "categories": [{"id": int(label), "name": f"species {label}"} for label in sorted({i[2] for i in images})],
    }
    if with_annotations:
        document["annotations"] = [{"id": n, "image_id": n, "category_id": int(label)} for n, _, label in images]
    return json.dumps(document)


def test_a_coco_document_pairing_new_test_images_with_their_categories_is_refused(tmp_path):
    """A newcomer's sweep: inaturalist-2019's train2019.json (COCO: images with their paths, annotations with their
    categories) published beside the new split paired every new test image with its category, and only the warning
    check binary_files_without_test_ids spoke ("a format mlecurate cannot read"). It is read as the table of its
    images' annotations; Kaggle's test2019.json (its own test images, no annotations) is published."""
    rng = random.Random(5)
    raw = tmp_path / "raw"
    rows = [(f"{hashlib.md5(str(i).encode()).hexdigest()}.jpg", str(rng.randint(100, 104))) for i in range(150)]
    write_csv(raw / "train.csv", ["file", "category_id"], rows)
    images = [(n, name, label) for n, (name, label) in enumerate(rows, 1)]
    (raw / "train2019.json").write_text(_coco(images))
    kaggle_test = [(1000 + n, f"{n:04d}.jpg", "0") for n in range(20)]
    (raw / "test2019.json").write_text(_coco(kaggle_test, with_annotations=False))
    recipe = {"kind": "random", "id_column": "file", "target_columns": ["category_id"], "test_fraction": 0.2,
              "test_file": None, "metric": "accuracy"}  # fmt: skip
    leaked = prepare_competition("inat", parse_recipe(recipe | {"public_files": ["train2019.json"]}, "r"), raw,
                                 tmp_path / "leaked")  # fmt: skip
    found = _failed(leaked)
    assert "train2019.json" in found and "category_id" in found and "30" in found, found
    published = prepare_competition("inat", parse_recipe(recipe | {"public_files": ["test2019.json"]}, "r"), raw,
                                    tmp_path / "published")  # fmt: skip
    assert published.published, [c.found for c in refused(published.checks)]
    checks = {c.name: c for c in published.checks}
    assert checks["binary_files_without_test_ids"].passed


def test_a_coco_document_naming_categories_gives_labels_written_as_names_away(tmp_path):
    """A review: with the target a species name, a COCO document's annotations hold category numbers and its
    categories their names; read without the categories it passed every check (the warning it drew before, too)."""
    rng = random.Random(6)
    raw = tmp_path / "raw"
    species = {n: f"species {n}" for n in range(100, 105)}
    rows = [(f"{hashlib.md5(str(i).encode()).hexdigest()}.jpg", rng.randint(100, 104)) for i in range(150)]
    write_csv(raw / "train.csv", ["file", "species"], [(name, species[n]) for name, n in rows])
    (raw / "meta.json").write_text(_coco([(k, name, str(n)) for k, (name, n) in enumerate(rows, 1)]))
    recipe = {"kind": "random", "id_column": "file", "target_columns": ["species"], "test_fraction": 0.2,
              "test_file": None, "metric": "accuracy", "public_files": ["meta.json"]}  # fmt: skip
    found = _failed(prepare_competition("inat", parse_recipe(recipe, "r"), raw, tmp_path / "prepared"))
    assert "meta.json gives the species of 30 new test id(s) away: column category name agrees with it" in found


def test_a_coco_document_keyed_as_herbarium_2022s_is_read_as_a_table_too(tmp_path):
    """Sweep 174: herbarium-2022-fgvc9's train_metadata.json keys its images `image_id` and its categories
    `category_id` (no `id`); it was not taken for a COCO document, and published its images' categories with every
    check passed."""
    rng = random.Random(7)
    raw = tmp_path / "raw"
    rows = [(f"{hashlib.md5(str(i).encode()).hexdigest()}.jpg", str(rng.randint(100, 104))) for i in range(150)]
    write_csv(raw / "train.csv", ["file", "category_id"], rows)
    document = {
        "images": [{"image_id": f"000{n}", "file_name": f"{label}/{name}"} for n, (name, label) in enumerate(rows)],
        "annotations": [{"image_id": f"000{n}", "category_id": int(label), "genus_id": 1}
                        for n, (_, label) in enumerate(rows)],
        "categories": [{"category_id": int(c), "scientificName": f"species {c}"} for c in sorted({r[1] for r in rows})],
    }  # fmt: skip
    (raw / "train_metadata.json").write_text(json.dumps(document))
    recipe = {"kind": "random", "id_column": "file", "target_columns": ["category_id"], "test_fraction": 0.2,
              "test_file": None, "metric": "f1_macro", "public_files": ["train_metadata.json"]}  # fmt: skip
    found = _failed(prepare_competition("herbarium", parse_recipe(recipe, "r"), raw, tmp_path / "prepared"))
    assert "train_metadata.json" in found and "category_id" in found and "30" in found, found
    # The label written as the species' name: found through categories keyed category_id (review 176: untested)
    write_csv(raw / "train.csv", ["file", "species"], [(name, f"species {label}") for name, label in rows])
    named = recipe | {"target_columns": ["species"]}
    found = _failed(prepare_competition("herbarium", parse_recipe(named, "r"), raw, tmp_path / "named"))
    assert "train_metadata.json gives the species of 30 new test id(s) away: column category scientificName agrees" in (
        found
    ), found


def _studies(raw: Path, test_id, table_id, table_rows: slice) -> dict:
    """siim-covid19's shape: the study-level table keyed ``<uid>_study``, an image table naming the study bare."""
    rng = random.Random(8)
    uids = [f"{rng.getrandbits(48):012x}" for _ in range(300)]
    labels = {u: rng.choice(["typical", "negative", "atypical"]) for u in uids}
    write_csv(raw / "train.csv", ["id", "label"], [(test_id(u), labels[u]) for u in uids[:250]])
    write_csv(raw / "sample_submission.csv", ["id", "label"], [(test_id(u), "typical") for u in uids[250:]])
    write_csv(
        raw / "images.csv",
        ["id", "StudyInstanceUID", "finding"],
        [(f"{rng.getrandbits(48):012x}_image", table_id(u), labels[u].upper()) for u in uids[table_rows]],
    )
    (raw / "reader_notes.txt").write_text(
        "".join(f"reader 2 saw study {table_id(u)} : {labels[u]} ; reviewed\n" for u in uids[table_rows])
    )
    (raw / "reader_notes.csv").write_text(  # review 198: a table whose notes name the ids inside their text
        "reader,note\n" + "".join(f"2,saw study {table_id(u)} : {labels[u]}\n" for u in uids[table_rows])
    )
    return {"kind": "random", "id_column": "id", "target_columns": ["label"], "test_fraction": 0.2,
            "sample_submission_file": "sample_submission.csv", "metric": "accuracy"}  # fmt: skip


@pytest.mark.parametrize(
    "test_id, table_id",
    [
        (lambda u: f"{u}_study", lambda u: u),  # siim-covid19 (sweep 188): the table names the study bare
        (lambda u: f"ID_{u}", lambda u: u),
        (lambda u: u, lambda u: f"{u}.dcm"),
        (lambda u: f"{u}_study", lambda u: f"IMG_{u}-1.dcm"),  # review 200: petfinder's <pet>-1.jpg
        (lambda u: u, lambda u: u),
    ],
    ids=["suffix", "prefix", "extension-in-table", "both", "none"],
)
@pytest.mark.parametrize("public", ["images.csv", "reader_notes.txt", "reader_notes.csv"])
def test_a_table_naming_new_test_ids_with_another_affix_gives_their_labels_away(tmp_path, test_id, table_id, public):
    """An id written with a short affix (``00086460a852_study``) is the id another table names bare: siim's image
    table links each image to ``StudyInstanceUID`` without the study-level ids' ``_study``, and a table or a text file
    holding every study's finding passed the checks when it was published."""
    raw = tmp_path / "raw"
    recipe = _studies(raw, test_id, table_id, slice(None))
    found = _failed(prepare_competition("siim", parse_recipe(recipe | {"public_files": [public]}, "r"), raw,
                                        tmp_path / "prepared"))  # fmt: skip
    assert f"{public} gives" in found and "50 new test id" in found, found

    kaggles_test = _studies(raw, test_id, table_id, slice(250, None))  # Kaggle's test studies alone: published
    published = prepare_competition("siim", parse_recipe(kaggles_test | {"public_files": [public]}, "r"), raw,
                                    tmp_path / "published")  # fmt: skip
    assert published.published, [c.found for c in refused(published.checks)]


def test_a_latin_1_table_of_labels_among_public_files_is_read_as_one_and_refused(tmp_path):
    """Sweep 196: home-credit ships a Latin-1 CSV; a Latin-1 copy of TARGET beside an amount (``154440.0``, whose
    ``0`` the line scan took for the other label) and an ``Ökonomie`` cell was published. It is read as Latin-1 now,
    like any table; the same file of training ids alone is published, its bytes unchanged."""
    rng = random.Random(9)
    raw = tmp_path / "raw"
    target = {i: rng.choice("01") for i in range(100001, 100401)}
    write_csv(
        raw / "application_train.csv",
        ["SK_ID_CURR", "TARGET", "AMT"],
        [(i, t, rng.random()) for i, t in target.items()],
    )

    def labels(ids) -> None:
        rows = "".join(f"{i},{target[i]},{rng.randint(1, 9) * 1000}.0,\xd6konomie\n" for i in ids)
        (raw / "labels_2017.csv").write_bytes(("SK_ID_CURR,TARGET_OLD,AMT_CREDIT,NOTE\n" + rows).encode("latin-1"))

    labels(target)
    recipe = {"kind": "random", "id_column": "SK_ID_CURR", "target_columns": ["TARGET"], "test_fraction": 0.2,
              "train_file": "application_train.csv", "test_file": None, "metric": "auc",
              "public_files": ["labels_2017.csv"]}  # fmt: skip
    found = _failed(prepare_competition("home-credit", parse_recipe(recipe, "r"), raw, tmp_path / "leaked"))
    assert "labels_2017.csv gives the TARGET of 80 new test id(s) away: column TARGET_OLD" in found, found

    alone = prepare_competition("home-credit", parse_recipe(recipe | {"public_files": []}, "r"), raw, tmp_path / "a")
    labels(pd.read_csv(alone.folder / "public" / "application_train.csv")["SK_ID_CURR"])  # the new training rows alone
    published = prepare_competition("home-credit", parse_recipe(recipe, "r"), raw, tmp_path / "published")
    assert published.published, [c.found for c in refused(published.checks)]
    assert (published.folder / "public" / "labels_2017.csv").read_bytes() == (raw / "labels_2017.csv").read_bytes()


def test_ids_that_share_a_number_or_a_date_are_not_one_id(tmp_path):
    """Review 198: id_key took ``20220103_1301`` (a date and a security, jpx's RowId) for ``20220103``, and a public
    table of other securities' targets on those dates was refused as holding the new test rows' targets."""
    import duckdb

    from validation.data_files import id_key, literal

    con = duckdb.connect()
    for first, second in [("20220103_1301", "20220103_1332"), ("train_00000001", "test_00000001"),
                          ("12345678_1", "12345678_2"), ("SKU-12345678-RED", "SKU-12345678-BLUE")]:  # fmt: skip
        assert con.execute(f"SELECT {id_key(literal(first))} <> {id_key(literal(second))}").fetchone()[0], first
    for first, second in [("12345678.jpg", "12345678"), ("00012345678.jpg", "12345678"), ("86e1089a3-1.jpg", "86e1089a3"),
                          ("ID_0a1b2c3d4e", "0a1b2c3d4e.dcm")]:  # fmt: skip
        assert con.execute(f"SELECT {id_key(literal(first))} = {id_key(literal(second))}").fetchone()[0], first
    rng = random.Random(3)
    raw = tmp_path / "raw"
    days = [f"2022{m:02d}{d:02d}" for m in range(1, 13) for d in range(1, 29)]
    write_csv(raw / "train.csv", ["RowId", "Target"], [(f"{day}_1301", rng.random()) for day in days])
    write_csv(raw / "secondary.csv", ["RowId", "Target"], [(f"{day}_1332", rng.random()) for day in days])
    recipe = {"kind": "random", "id_column": "RowId", "target_columns": ["Target"], "test_fraction": 0.2,
              "test_file": None, "metric": "rmse", "public_files": ["secondary.csv"]}  # fmt: skip
    prepared = prepare_competition("jpx", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert prepared.published, [c.found for c in refused(prepared.checks)]


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_a_latin_1_table_is_judged_as_fully_as_a_utf_8_one(tmp_path, encoding):
    """Review 198: a Latin-1 table went by the pairs check alone: a target in cents (a number following it) and a
    table keyed by the public test columns, both refused in UTF-8, were published in Latin-1."""
    rng = random.Random(4)
    raw = tmp_path / "raw"
    rows = [(i, f"s{i}", round(rng.random() * 100, 2)) for i in range(300)]
    write_csv(raw / "train.csv", ["id", "shop", "y"], rows)
    (raw / "cents.csv").write_bytes(
        ("id,y_cents,note\n" + "".join(f"{i},{round(y * 100)},\xd6l\n" for i, _, y in rows)).encode(encoding)
    )
    (raw / "by_shop.csv").write_bytes(
        ("shop,y_then,note\n" + "".join(f"{s},{y},\xd6l\n" for _, s, y in rows)).encode(encoding)
    )
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["y"], "test_fraction": 0.2,
              "test_file": None, "metric": "rmse"}  # fmt: skip
    for extra, said in (("cents.csv", "column y_cents follows it"), ("by_shop.csv", "column y_then")):
        leaky = recipe | {"public_files": [extra]}
        found = _failed(prepare_competition("shops", parse_recipe(leaky, "r"), raw, tmp_path / extra))
        assert f"{extra} gives the y of" in found and said in found, found


def test_a_study_table_names_the_images_of_a_split_whose_ids_share_the_study(tmp_path):
    """Review 202: images ``<study>_<n>`` under a group split by study; a public table of each study's finding is
    the images' labels, while a train_tables file of the training images' findings gives nothing new (review 201)."""
    rng = random.Random(11)
    raw = tmp_path / "raw"
    studies = {f"{rng.getrandbits(40):010x}": rng.choice(["typical", "negative", "atypical"]) for _ in range(150)}
    images = [(f"{s}_{n}", s, finding) for s, finding in studies.items() for n in range(1, rng.randint(2, 4))]
    write_csv(raw / "train.csv", ["image_id", "study", "finding"], images)
    write_csv(raw / "study_findings.csv", ["StudyInstanceUID", "finding_of_study"], list(studies.items()))
    write_csv(raw / "annotations.csv", ["image_id", "finding"], [(i, f) for i, _, f in images])
    recipe = {"kind": "group", "group_column": "study", "id_column": "image_id", "target_columns": ["finding"],
              "test_fraction": 0.2, "test_file": None, "metric": "accuracy"}  # fmt: skip
    leaky = prepare_competition("studies", parse_recipe(recipe | {"public_files": ["study_findings.csv"]}, "r"), raw,
                                tmp_path / "leaky")  # fmt: skip
    found = _failed(leaky)
    assert "study_findings.csv gives the finding of" in found and "the shared core of new test ids" in found, found
    kept = prepare_competition("studies", parse_recipe(recipe | {"train_tables": {"annotations.csv": "image_id"}},
                                                       "r"), raw, tmp_path / "kept")  # fmt: skip
    assert kept.published, [c.found for c in refused(kept.checks)]


@pytest.mark.parametrize(
    "ids, labels, notes, leaks",
    [
        (lambda i: f"{i * 7919:06d}", "01", False, False),  # a weather table beside integer ids: chance
        (lambda i: f"img{i:07x}ab", "01", True, True),  # review 202: "image <uid> read as 1"
        (lambda i: f"{i * 7919:06d}", ["cat", "dog", "bird"], True, True),  # review 203: "photo 100123 shows a cat"
    ],
    ids=["weather-number-ids", "notes-uid-ids", "notes-number-ids-words"],
)
def test_a_tables_lines_are_scanned_for_labels_beside_ids_each_label_told(tmp_path, ids, labels, notes, leaks):
    """Review 201: a weather table's 0s and its decimals' pieces read, by chance, as a rare 0/1 target's labels beside
    integer ids; reviews 202-203: notes naming each id with its label in a CSV were published once numbers, or number
    ids, were not looked for. Each label must be told, not only the commonest."""
    rng = random.Random(12)
    raw = tmp_path / "raw"
    weights = [0.95, 0.05] if labels == "01" else None
    rows = [(ids(i), rng.choices(list(labels), weights)[0]) for i in range(600)]
    write_csv(raw / "train.csv", ["id", "y"], rows)
    if notes:
        write_csv(raw / "notes.csv", ["reader", "note"], [(2, f"image {i} read as {y}") for i, y in rows])
    else:
        write_csv(raw / "notes.csv", ["day", "holiday", "temp"],
                  [(f"2020-{n % 12 + 1:02d}-01 id {i}", 0, round(rng.uniform(10, 30), 4)) for n, (i, _) in
                   enumerate(rows)])  # fmt: skip
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["y"], "test_fraction": 0.2,
              "test_file": None, "metric": "accuracy", "public_files": ["notes.csv"]}  # fmt: skip
    prepared = prepare_competition("notes", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert (not prepared.published) == leaks, [c.found for c in refused(prepared.checks)]
