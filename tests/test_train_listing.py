"""A training table listed from the download's files (recipe key ``train_listing``): image competitions that ship no
table, their labels being the folders their files are filed in (plant-seedlings-classification's
``train/<species>/<file>.png``), split as MLE-bench's prepare script splits them and graded as its grader grades."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from curation.sources.competition_shapes import _png
from splits.builder import SplitError
from splits.layout import prepare_competition
from splits.listing import listing_regex, train_source, write_train_listing
from tests.conftest import generated_download, generated_split, mlebench_grade
from validation.data_files import reader_sql
from validation.data_root import DataRoot, PreparedFolder
from validation.grading import grade_submission
from validation.split_recipe import RecipeError, SplitRecipe, parse_recipe

SLUG = "plant-seedlings-classification"
SPECIES = ["Black-grass", "Charlock", "Cleavers", "Common Chickweed", "Common wheat", "Fat Hen", "Loose Silky-bent",
           "Maize", "Scentless Mayweed", "Shepherds Purse", "Small-flowered Cranesbill", "Sugar beet"]  # fmt: skip
RECIPE = {
    "kind": "stratified",
    "train_listing": "train/{species}/{file}",
    "target_columns": ["species"],
    "id_column": "file",
    "test_row_files": "test/{file}",
    "sample_submission_file": "sample_submission.csv",
    "metric": "f1_micro",
    "test_fraction": 0.14,
}


def _image(name: str) -> bytes:
    return _png(hashlib.sha256(name.encode()).digest())


@pytest.fixture
def download(tmp_path: Path) -> Path:
    """plant-seedlings-classification's layout: ``train/<species>/<file>.png`` (12 species, names with spaces),
    ``test/<file>.png`` of Kaggle's test set, its sample submission, and what a zip made on a Mac adds."""
    raw = DataRoot(tmp_path / "home").raw(SLUG).files
    for number in range(240):
        species = SPECIES[number % 12] if number % 2 else SPECIES[number % 5]  # classes of several sizes
        name = f"{hashlib.md5(str(number).encode()).hexdigest()[:9]}.png"
        path = raw / "train" / species / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_image(name))
    (raw / "test").mkdir()
    for number in range(40):
        (raw / "test" / f"t{number:08d}.png").write_bytes(_image(f"t{number}"))
    (raw / "sample_submission.csv").write_text(
        "file,species\n" + "".join(f"t{number:08d}.png,Sugar beet\n" for number in range(40))
    )
    (raw / "train" / "Maize" / ".DS_Store").write_bytes(b"\0")  # hidden: not a row
    (raw / "__MACOSX" / "train" / "Maize").mkdir(parents=True)
    (raw / "__MACOSX" / "train" / "Maize" / "._x.png").write_bytes(b"\0")
    (raw / "train" / "Maize" / "Thumbs.db").write_bytes(b"\0")  # what Windows leaves: not a row
    return raw


def _download_files(raw: Path) -> dict[str, bytes]:
    return {str(p.relative_to(raw)): p.read_bytes() for p in raw.rglob("*") if p.is_file()}


def test_files_filed_by_species_are_split_as_rows_with_their_files(download, tmp_path):
    before = _download_files(download)
    prepared = prepare_competition(SLUG, parse_recipe(RECIPE, "recipe"), download, tmp_path / "prepared", "Seedlings.")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    folder = PreparedFolder(prepared.folder)
    train = pd.read_csv(folder.public / "train.csv", dtype=str, keep_default_na=False)
    answers = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    test = pd.read_csv(folder.public / "test.csv", dtype=str, keep_default_na=False)
    assert list(train.columns) == ["species", "file"] and list(test.columns) == ["file"]
    assert list(answers.columns) == ["file", "species"]
    assert len(train) + len(answers) == 240  # the hidden file and __MACOSX are no rows
    assert len(answers) == round(240 * 0.14) and set(test["file"]) == set(answers["file"])
    filed = {path.split("/")[2]: path.split("/")[1] for path in before if path.startswith("train/")}
    for frame in (train, answers):  # each row's label is the folder its file was filed in
        assert all(filed[file] == species for file, species in zip(frame["file"], frame["species"], strict=True))
    for file, species in zip(answers["file"], answers["species"], strict=True):
        assert (folder.public / "test" / file).read_bytes() == before[f"train/{species}/{file}"]
        assert not (folder.public / "train" / species / file).exists()
    for file, species in zip(train["file"], train["species"], strict=True):
        assert (folder.public / "train" / species / file).read_bytes() == before[f"train/{species}/{file}"]
    assert not (folder.public / "test" / "t00000000.png").exists()  # Kaggle's own test images: labels hidden
    assert _download_files(download) == before  # the listing is written beside the download, not in it
    listing = train_source(download, parse_recipe(RECIPE, "recipe"))
    assert listing.parent == download.parent and len(pd.read_csv(listing)) == 240
    description = (folder.public / "description.md").read_text()
    assert "its files `train/{species}/{file}` listed as a table" in description


def test_the_split_grades_as_mlebench_grades_plant_seedlings(download, tmp_path):
    prepared = prepare_competition(SLUG, parse_recipe(RECIPE, "recipe"), download, tmp_path / "prepared", "")
    folder = PreparedFolder(prepared.folder)
    answers = pd.read_csv(folder.answers, dtype=str, keep_default_na=False)
    guesses = answers.assign(species=[SPECIES[i % 12] for i in range(len(answers))]).sample(frac=1, random_state=0)
    guesses.to_csv(tmp_path / "guesses.csv", index=False)
    theirs = mlebench_grade(SLUG)
    for submission in (folder.sample_submission, folder.answers, tmp_path / "guesses.csv"):
        ours = grade_submission(submission, folder, "f1_micro")
        frame = pd.read_csv(submission, dtype=str, keep_default_na=False)
        assert ours.valid_submission, ours.error
        assert ours.score == pytest.approx(theirs(frame, answers.copy()), abs=1e-5)  # ours: 5 decimals
    assert 0 < grade_submission(tmp_path / "guesses.csv", folder, "f1_micro").score < 1


def test_a_generated_competition_filed_by_label_goes_from_download_to_split(tmp_path):
    folder, raw, recipe, _ = generated_split(tmp_path, "accuracy", "--row-files", "png", "--filed-by-label")
    assert recipe["train_listing"] == "train/{target}/{id}.png" and "row_files" not in recipe  # the listing's own
    assert not (raw / "train.csv").exists() and not (raw / "test.csv").exists()
    answers = pd.read_csv(folder.answers, dtype=str)
    assert sorted(p.name for p in (folder.public / "test").iterdir()) == sorted(f"{i}.png" for i in answers["id"])
    for row_id, label in zip(answers["id"], answers["target"], strict=True):
        assert (raw / "train" / label / f"{row_id}.png").is_file()


def test_the_same_download_and_recipe_publish_the_same_bytes_and_are_not_redone(download, tmp_path):
    recipe = parse_recipe(RECIPE, "recipe")
    source = {"zip_sha256": "f" * 64}
    first = prepare_competition(SLUG, recipe, download, tmp_path / "a", "", source)
    again = prepare_competition(SLUG, recipe, download, tmp_path / "a", "", source)
    other = prepare_competition(SLUG, recipe, download, tmp_path / "b", "", source)
    assert again.reused and not first.reused
    for name in ("public/train.csv", "public/test.csv", "private/answers.csv"):
        assert (first.folder / name).read_bytes() == (other.folder / name).read_bytes()


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        ({"train_file": "train.csv"}, "train_file", "not both"),
        ({"train_listing": "train/{species}{file}"}, "train_listing", "side by side"),
        ({"train_listing": "train/{species[0]}/{file}"}, "train_listing", "plain column names"),
        ({"train_listing": "train/{file}/{file}"}, "train_listing", "twice"),
        ({"train_listing": "../train/{species}/{file}"}, "train_listing", "inside the competition's download"),
        ({"train_listing": "train/all.png"}, "train_listing", "placeholders"),
        ({"train_listing": ["train/{species}/{file}"]}, "train_listing", "expected a path pattern"),
        ({"row_files": "images/{file}"}, "row_files", "leave row_files out"),
        ({"test_row_files": None}, "test_row_files", "names target column 'species'"),
        ({"target_columns": ["label"]}, "target_columns", "no column 'label' in the listing of"),
        ({"id_column": "image_id"}, "id_column", "its columns, the pattern's placeholders: species, file"),
        ({"kind": "group", "group_column": "plant"}, "group_column", "no column 'plant'"),
        ({"kind": "released_labels", "answers_file": "a.csv", "test_row_files": None}, "train_listing", "released"),
    ],
)
def test_a_listing_a_split_cannot_use_is_refused_when_the_recipe_is_read(changes, key, words):
    document = {k: v for k, v in (RECIPE | changes).items() if v is not None}
    with pytest.raises(RecipeError, match=f"key '{key}'") as raised:
        parse_recipe(document, "annotations/plant-seedlings-classification/ada.yaml")
    assert words in str(raised.value) and "ada.yaml" in str(raised.value)


def test_a_listing_that_finds_no_file_shows_the_files_there_and_writes_nothing(download, tmp_path):
    recipe = parse_recipe(RECIPE | {"train_listing": "train/{species}/{file}.jpg"}, "recipe")
    with pytest.raises(RecipeError, match="key 'train_listing'") as raised:
        prepare_competition(SLUG, recipe, download, tmp_path / "prepared", "")
    assert "'train/{species}/{file}.jpg'" in str(raised.value) and "train/Black-grass/" in str(raised.value)
    assert ".DS_Store" not in str(raised.value)
    assert not train_source(download, recipe).exists() and not (tmp_path / "prepared" / SLUG).exists()


def test_two_files_giving_one_id_are_refused_naming_both(download, tmp_path):
    name = next((download / "train" / "Maize").glob("*.png")).name
    (download / "train" / "Charlock" / name).write_bytes(b"another image")
    with pytest.raises(RecipeError, match="key 'id_column'") as raised:
        prepare_competition(SLUG, parse_recipe(RECIPE, "recipe"), download, tmp_path / "prepared", "")
    assert f"train/Charlock/{name} and train/Maize/{name}" in str(raised.value)
    assert not (tmp_path / "prepared" / SLUG).exists()


def test_a_placeholder_takes_the_shortest_piece_of_a_name(tmp_path):
    """dogs-vs-cats' ``train/cat.1.jpg``: ``train/{label}.{id}.jpg`` gives label ``cat`` and id ``1``; a name with
    more dots gives the first its shortest piece; a file the pattern does not match whole is no row."""
    raw = tmp_path / "raw"
    (raw / "train" / "deeper").mkdir(parents=True)
    for name in ("cat.1.jpg", "dog.1.2.jpg", "cat.2.png", "deeper/cat.3.jpg"):
        (raw / "train" / name).write_bytes(b"image")
    recipe = parse_recipe({"kind": "random", "train_listing": "train/{label}.{id}.jpg", "target_columns": "label",
                           "test_row_files": "test/{id}.jpg"}, "recipe")  # fmt: skip
    assert write_train_listing(raw, recipe, "dogs-vs-cats") == 2
    assert train_source(raw, recipe).read_text() == "label,id\ncat,1\ndog,1.2\n"


def test_a_submission_column_the_listing_lacks_names_the_listing_not_its_file(download, tmp_path):
    recipe = parse_recipe(RECIPE | {"submission_columns": {"image": "image", "species": "species"}}, "recipe")
    with pytest.raises(RecipeError, match="key 'submission_columns'") as raised:
        prepare_competition(SLUG, recipe, download, tmp_path / "prepared", "")
    assert "in the listing of 'train/{species}/{file}'" in str(raised.value)
    assert "train-listing.csv" not in str(raised.value)


def test_a_glob_in_a_placeholder_lists_only_the_files_it_matches_keeping_the_whole_name(tmp_path):
    """tensorflow-speech-recognition-challenge's ``train/audio/_background_noise_/README.md`` beside the clips:
    ``{fname:*.wav}`` lists the clips only, their ids keeping ``.wav`` (as MLE-bench's answers do)."""
    raw = tmp_path / "raw"
    for path in ("yes/0a7c2a8d_nohash_0.wav", "no/0b09edd3_nohash_0.wav", "_background_noise_/README.md",
                 "_background_noise_/running_tap.wav", "yes/notes.WAV"):  # fmt: skip
        (raw / "train" / "audio" / path).parent.mkdir(parents=True, exist_ok=True)
        (raw / "train" / "audio" / path).write_bytes(b"RIFF")
    recipe = parse_recipe({"kind": "random", "train_listing": "train/audio/{label}/{fname:*.wav}",
                           "target_columns": "label", "id_column": "fname", "test_row_files": "test/audio/{fname}"},
                          "recipe")  # fmt: skip
    assert recipe.row_files == "train/audio/{label}/{fname}" and "row_files" not in recipe.to_document()
    assert parse_recipe(recipe.to_document(), "again") == recipe
    assert write_train_listing(raw, recipe, "speech") == 3
    assert train_source(raw, recipe).read_text() == (
        "label,fname\n_background_noise_,running_tap.wav\nno,0b09edd3_nohash_0.wav\nyes,0a7c2a8d_nohash_0.wav\n"
    )


def test_a_glob_steers_what_its_placeholder_takes(tmp_path):
    """The-icml-2013-whale-challenge's ``train2/20090328_001545_945s6ms_TRAIN0_1.aif``: under
    ``{date}_{clip:*TRAIN*}_{label}.aif`` the placeholder took its shortest text, ``001545``, which the glob then
    refused, and the listing said no file matched, showing the very files. The glob now steers the match."""
    raw = tmp_path / "raw"
    names = [
        "20090328_001545_945s6ms_TRAIN0_1.aif",
        "20090328_001730_330s1ms_TRAIN1_0.aif",
        "20090329_a_[b]_TRAIN2_0.aif",
    ]
    for name in names + ["20090328_001545_945s6ms_Test0.aif"]:
        (raw / "train2").mkdir(parents=True, exist_ok=True)
        (raw / "train2" / name).write_bytes(b"FORM")
    recipe = parse_recipe({"kind": "random", "train_listing": "train2/{date}_{clip:*TRAIN*}_{label}.aif",
                           "target_columns": "label", "id_column": "clip", "test_row_files": "test2/{clip}.aif"},
                          "recipe")  # fmt: skip
    assert write_train_listing(raw, recipe, "whale") == 3
    assert train_source(raw, recipe).read_text() == (
        "date,clip,label\n20090328,001545_945s6ms_TRAIN0,1\n20090328,001730_330s1ms_TRAIN1,0\n20090329,a_[b]_TRAIN2,0\n"
    )
    # A class and a single character steer it too, as fnmatch reads them; a glob matching nothing lists nothing.
    classes = parse_recipe(recipe.to_document() | {"train_listing": "train2/{date}_{clip:0?17*[!x]}_{label}.aif"}, "r")
    assert write_train_listing(raw, classes, "whale") == 1
    none = parse_recipe(recipe.to_document() | {"train_listing": "train2/{date}_{clip:*zzz*}_{label}.aif"}, "r")
    with pytest.raises(RecipeError, match="no file of the download matches"):
        write_train_listing(raw, none, "whale")


def test_a_glob_as_a_regular_expression_agrees_with_fnmatch():
    import fnmatch
    import random
    import re

    from splits.listing import _glob_regex

    rng = random.Random(0)
    names = ["".join(rng.choice("ab-^!.]\\[") for _ in range(rng.randint(0, 5))) for _ in range(200)]
    for _ in range(2000):
        glob = "".join(rng.choice("ab*?[]!^-\\.") for _ in range(rng.randint(1, 7)))
        regex = re.compile(_glob_regex(glob))
        for name in names:  # a placeholder takes at least a character, whatever its glob
            assert bool(regex.fullmatch(name)) == (fnmatch.fnmatchcase(name, glob) and name != ""), (glob, name)


def test_a_glob_takes_at_least_a_character_and_never_backtracks_without_end(tmp_path):
    """A review: ``{label:*}_{id}.png`` listed ``_3.png`` with an empty label, and a glob of several ``*`` took 11 s
    (8 stars) to 116 s (10) per file that did not match, each ``*`` backtracking over the others."""
    raw = tmp_path / "raw"
    for name in ("cat_1.png", "dog_2.png", "_3.png", "cat_4.png"):
        (raw / "train").mkdir(parents=True, exist_ok=True)
        (raw / "train" / name).write_bytes(b"PNG")
    recipe = parse_recipe({"kind": "random", "train_listing": "train/{label:*}_{id}.png", "target_columns": "label",
                           "id_column": "id", "test_row_files": "test/{id}.png"}, "recipe")  # fmt: skip
    assert write_train_listing(raw, recipe, "pets") == 3
    assert train_source(raw, recipe).read_text() == "label,id\ncat,1\ncat,4\ndog,2\n"
    stars = listing_regex("train/{a:" + "*_" * 12 + "*}.wav")  # 4,096 times the 8 stars' 11 s, were it exponential
    assert stars.fullmatch("train/" + "_" * 40 + ".aiff") is None
    assert stars.fullmatch("train/" + "_" * 40 + ".wav") is not None


@pytest.mark.parametrize("placeholder", ["{:*.png}", "{file:}", "{file:a/*.png}"])
def test_a_placeholder_glob_that_is_none_is_refused(placeholder):
    with pytest.raises(RecipeError, match="key 'train_listing'.*such as \\{fname:\\*.wav\\}"):
        parse_recipe(RECIPE | {"train_listing": f"train/{{species}}/{placeholder}"}, "recipe")


@pytest.fixture
def speech(tmp_path: Path) -> Path:
    """tensorflow-speech-recognition-challenge's layout: ``train/audio/<word>/<speaker>_nohash_0.wav``, each
    speaker's clip name repeated across the words it said, each clip's bytes unique (speaker and word)."""
    raw = tmp_path / "speech"
    for speaker in range(40):
        for word in ("yes", "no", "up", "down", "left", "right")[speaker % 4 : speaker % 4 + 3]:
            path = raw / "train" / "audio" / word / f"{speaker:08x}_nohash_0.wav"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f"RIFF {speaker} {word}".encode())
    (raw / "train" / "audio" / "_background_noise_").mkdir()
    (raw / "train" / "audio" / "_background_noise_" / "README.md").write_text("noise")
    return raw


SPEECH = {"kind": "random", "train_listing": "train/audio/{label}/{fname:*.wav}", "target_columns": "label",
          "id_column": "fname", "test_row_files": "test/audio/{fname}", "test_ids": "clip_{n:08d}.wav"}  # fmt: skip


def test_test_rows_whose_names_repeat_get_new_ids_and_their_files_with_them(speech, tmp_path):
    recipe = parse_recipe(SPEECH, "recipe")
    prepared = prepare_competition("tensorflow-speech-recognition-challenge", recipe, speech, tmp_path / "a", "")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    folder = PreparedFolder(prepared.folder)
    answers = pd.read_csv(folder.answers, dtype=str)
    train = pd.read_csv(folder.public / "train.csv", dtype=str)
    assert len(answers) + len(train) == 120 and len(answers) == 12  # a speaker's clips together: units by name
    assert list(answers["fname"]) == [f"clip_{n:08d}.wav" for n in range(1, 13)]
    assert list(pd.read_csv(folder.public / "test.csv", dtype=str)["fname"]) == list(answers["fname"])
    assert not set(answers["fname"]) & set(train["fname"])
    for fname, label in zip(answers["fname"], answers["label"], strict=True):  # each file went with its own label
        speaker = (folder.public / "test" / "audio" / fname).read_bytes().decode().split()[1]
        assert (speech / "train" / "audio" / label / f"{int(speaker):08x}_nohash_0.wav").is_file()
        assert f"{int(speaker):08x}_nohash_0.wav" not in set(train["fname"])  # no speaker on both sides
    assert "The test rows have new ones, `clip_{n:08d}.wav`" in (folder.public / "description.md").read_text()
    assert grade_submission(folder.answers, folder, "accuracy").score == 1.0
    again = prepare_competition("tensorflow-speech-recognition-challenge", recipe, speech, tmp_path / "b", "")
    for name in ("public/test.csv", "private/answers.csv"):
        assert (again.folder / name).read_bytes() == (prepared.folder / name).read_bytes()


def test_new_test_ids_that_are_training_ids_too_are_refused(tmp_path):
    raw = tmp_path / "raw"
    (raw / "train").mkdir(parents=True)
    for number in range(1, 41):
        (raw / "train" / f"{'cat' if number % 2 else 'dog'}.{number}.jpg").write_bytes(_image(str(number)))
    recipe = parse_recipe({"kind": "random", "train_listing": "train/{label}.{id}.jpg", "target_columns": "label",
                           "id_column": "id", "test_row_files": "test/{id}.jpg", "test_ids": "{n}"}, "recipe")  # fmt: skip
    prepared = prepare_competition("dogs-vs-cats-redux-kernels-edition", recipe, raw, tmp_path / "prepared", "")
    assert not prepared.published
    assert "shared by train and test (id column id)" in next(c.found for c in prepared.checks if not c.passed)
    renamed = replace(recipe, test_ids="test_{n}")
    assert prepare_competition("dogs-vs-cats-redux-kernels-edition", renamed, raw, tmp_path / "again", "").published


@pytest.mark.parametrize("data_format", ["csv", "json", "parquet"])  # integer ids typed in JSON and Parquet
def test_a_table_competition_may_give_its_test_rows_new_ids(tmp_path, data_format):
    slug, raw, recipe, root, _ = generated_download(tmp_path, "accuracy", "--rows", "120", "--format", data_format)
    prepared = prepare_competition(slug, replace(recipe, test_ids="row-{n:04d}"), raw, root.prepared_root, "")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    folder = PreparedFolder(prepared.folder)
    answers = pd.read_csv(folder.answers, dtype=str)
    assert list(answers["id"]) == [f"row-{n:04d}" for n in range(1, 25)]
    assert list(pd.read_csv(folder.sample_submission, dtype=str)["id"]) == list(answers["id"])
    with duckdb.connect() as con:  # the public test set in the download's format, with the same new ids
        public = con.execute(
            f"SELECT CAST(id AS VARCHAR) FROM {reader_sql(folder.public_table('test', {}))}"
        ).fetchall()
    assert [i for (i,) in public] == list(answers["id"])
    assert grade_submission(folder.answers, folder, "accuracy").score == 1.0
    assert grade_submission(folder.sample_submission, folder, "accuracy").valid_submission


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        ({"test_ids": "clip.wav"}, "test_ids", "one {n}"),
        ({"test_ids": "{n}_{n}"}, "test_ids", "one {n}"),
        ({"test_ids": "{n:8d}"}, "test_ids", "one {n}"),
        ({"test_ids": "a/{n}"}, "test_ids", "no '/'"),
        ({"test_ids": "{fname}_{n}"}, "test_ids", "no brace"),
        ({"id_column": None}, "test_ids", "needs id_column"),
        ({"submission_columns": {"fname": "fname", "label": "label"}}, "test_ids", "not with submission_columns"),
        ({"test_row_files": "test/audio/{label}_{fname}"}, "test_row_files", "names target column 'label'"),
    ],
)
def test_test_ids_a_split_cannot_use_are_refused_when_the_recipe_is_read(changes, key, words):
    document = {k: v for k, v in (SPEECH | changes).items() if v is not None}
    with pytest.raises(RecipeError, match=f"key '{key}'") as raised:
        parse_recipe(document, "recipe")
    assert words in str(raised.value)


def test_test_row_files_naming_more_than_the_id_are_refused_with_test_ids():
    document = {"kind": "random", "target_columns": "y", "id_column": "id", "row_files": "train/{site}/{id}.png",
                "test_row_files": "test/{site}/{id}.png", "test_ids": "t{n}"}  # fmt: skip
    with pytest.raises(RecipeError, match="key 'test_row_files'.*named by their new id alone, such as 'test/{id}'"):
        parse_recipe(document, "recipe")


def test_extra_files_naming_a_renamed_test_rows_label_by_its_own_name_are_caught(speech, tmp_path):
    """A copy of each clip named ``<word>__<clip>``: with new test ids the clips' own names still name new test
    rows, so an extra file carrying one with its word gives that row's label away."""
    extra = speech / "extra"
    extra.mkdir()
    for path in (speech / "train" / "audio").glob("*/*.wav"):
        (extra / f"{path.parent.name}__{path.name}").write_bytes(path.read_bytes())
    recipe = parse_recipe(SPEECH | {"public_files": ["extra/"]}, "recipe")
    prepared = prepare_competition("tensorflow-speech-recognition-challenge", recipe, speech, tmp_path / "a", "")
    assert not prepared.published
    assert "new test rows' files with the row's label in their path (e.g. extra/" in next(
        c.found for c in prepared.checks if not c.passed
    )


def test_a_units_rows_are_not_numbered_together(speech, tmp_path):
    """A speaker's clips (one unit: their names are one) get numbers in an order of their own, not side by side,
    which would say which test clips one speaker said (and that their words differ)."""
    recipe = parse_recipe(SPEECH | {"test_fraction": 0.3}, "recipe")
    prepared = prepare_competition("tensorflow-speech-recognition-challenge", recipe, speech, tmp_path / "a", "")
    folder = PreparedFolder(prepared.folder)
    answers = pd.read_csv(folder.answers, dtype=str)
    speakers = [(folder.public / "test" / "audio" / f).read_bytes().split()[1] for f in answers["fname"]]
    runs = sum(a == b for a, b in zip(speakers, speakers[1:], strict=False))
    assert runs < len(speakers) / 3, speakers  # side by side they would be two in three


DOGS = "dogs-vs-cats-redux-kernels-edition"
DOGS_RECIPE = {"kind": "stratified", "train_listing": "train/{label}.{id}.jpg", "target_columns": "label",
               "listed_values": {"label": {"cat": 0, "dog": 1}}, "id_column": "id", "test_ids": "t{n}",
               "test_row_files": "test/{id}.jpg", "sample_submission_file": "sample_submission.csv",
               "metric": "log_loss"}  # fmt: skip


@pytest.fixture
def dogs(tmp_path: Path) -> Path:
    """dogs-vs-cats-redux-kernels-edition's layout: ``train/cat.0.jpg`` ... ``train/dog.59.jpg`` (each number a cat
    and a dog), Kaggle's ``test/1.jpg`` ..., a sample of the probability of a dog."""
    raw = tmp_path / "dogs"
    (raw / "train").mkdir(parents=True)
    (raw / "test").mkdir()
    for number in range(60):
        for animal in ("cat", "dog"):
            (raw / "train" / f"{animal}.{number}.jpg").write_bytes(_image(f"{animal}{number}"))
    for number in range(1, 21):
        (raw / "test" / f"{number}.jpg").write_bytes(_image(f"test{number}"))
    (raw / "sample_submission.csv").write_text("id,label\n" + "".join(f"{n},0.5\n" for n in range(1, 21)))
    return raw


def test_labels_a_name_spells_otherwise_are_mapped_and_graded_as_mlebench_grades_them(dogs, tmp_path):
    prepared = prepare_competition(DOGS, parse_recipe(DOGS_RECIPE, "recipe"), dogs, tmp_path / "prepared", "")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    folder = PreparedFolder(prepared.folder)
    answers = pd.read_csv(folder.answers, dtype=str)
    assert set(answers["label"]) == {"0", "1"} and len(answers) == 12
    assert set(pd.read_csv(folder.public / "train.csv", dtype=str)["label"]) == {"0", "1"}
    for row_id, label in zip(answers["id"], answers["label"], strict=True):  # each image is of its own label's animal
        image = (folder.public / "test" / f"{row_id}.jpg").read_bytes()
        animal = "dog" if label == "1" else "cat"
        assert any(image == path.read_bytes() for path in (dogs / "train").glob(f"{animal}.*.jpg"))
    guesses = answers.assign(label=np.linspace(0.05, 0.95, len(answers)))
    guesses.to_csv(tmp_path / "guesses.csv", index=False)
    truth = pd.read_csv(folder.answers)
    for submission in (folder.sample_submission, tmp_path / "guesses.csv"):
        ours = grade_submission(submission, folder, "log_loss")
        assert ours.valid_submission, ours.errors
        assert ours.score == pytest.approx(mlebench_grade(DOGS)(pd.read_csv(submission), truth.copy()), abs=1e-5)


def test_a_text_the_values_do_not_map_is_refused_naming_the_file(dogs, tmp_path):
    (dogs / "train" / "bird.1.jpg").write_bytes(_image("bird"))
    with pytest.raises(RecipeError, match="key 'listed_values'") as raised:
        prepare_competition(DOGS, parse_recipe(DOGS_RECIPE, "recipe"), dogs, tmp_path / "prepared", "")
    assert "train/bird.1.jpg gives label 'bird', which listed_values.label does not map" in str(raised.value)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"listed_values": {"animal": {"cat": 0}}}, "'animal' is no column of the listing"),
        ({"listed_values": {"label": ["cat", "dog"]}}, "expected a mapping of the text of a path to the value"),
        ({"listed_values": {"label": {"cat": None}}}, "expected a mapping of the text of a path to the value"),
        ({"listed_values": "cat=0"}, "expected a mapping of the listing's columns"),
        ({"listed_values": {"label": {"cat": 0, "kitten": 0}}}, "two texts map to one value"),
    ],
)
def test_listed_values_a_listing_cannot_use_are_refused(changes, words):
    with pytest.raises(RecipeError, match="key 'listed_values'") as raised:
        parse_recipe(DOGS_RECIPE | changes, "recipe")
    assert words in str(raised.value)
    without = {k: v for k, v in DOGS_RECIPE.items() if k not in ("train_listing", "test_ids", "test_row_files")}
    with pytest.raises(RecipeError, match="key 'listed_values': needs train_listing"):
        parse_recipe(without | {"row_files": "train/{id}.jpg", "test_row_files": "test/{id}.jpg"}, "recipe")


def test_the_new_ids_follow_what_the_public_sees_and_nothing_hidden(dogs, tmp_path):
    """The test rows' own ids are the training set's gaps (dogs-vs-cats: a cat and a dog each), so the whole listing
    can be rebuilt from public/ but for which new id is which animal. Numbered by a hash of the rows (even keyed by
    that listing's content checksum) the new ids gave every label back; numbered by a hash of what the public sees
    of each row (its file's bytes), then its own id, they tell nothing more than the files do."""
    from splits.test_rows import UNIT_HASH, register_unit_hash
    from validation.data_files import content_checksum

    prepared = prepare_competition(DOGS, parse_recipe(DOGS_RECIPE, "recipe"), dogs, tmp_path / "prepared", "")
    folder = PreparedFolder(prepared.folder)
    answers = pd.read_csv(folder.answers, dtype=str)
    train = pd.read_csv(folder.public / "train.csv", dtype=str)
    gaps = sorted(set(map(str, range(60))) - set(train["id"]))
    rebuilt = pd.concat([train, pd.DataFrame([(label, i) for i in gaps for label in "01"], columns=["label", "id"])])
    rebuilt.to_csv(tmp_path / "rebuilt.csv", index=False)
    with duckdb.connect() as con:
        register_unit_hash(con)
        shown = [f"|{hashlib.sha256((folder.public / 'test' / f'{i}.jpg').read_bytes()).hexdigest()}"
                 for i in answers["id"]]  # fmt: skip
        hashes = con.execute(f"SELECT {UNIT_HASH}(unnest(?::VARCHAR[]), 1)", [shown]).fetchall()
        assert [h for (h,) in hashes] == sorted(h for (h,) in hashes)  # t1, t2, ... in the order of the files' hash
        keyed = hashlib.sha256(f"0:{content_checksum(tmp_path / 'rebuilt.csv', con)}".encode()).digest()
        for seed in (0, 1, int.from_bytes(keyed[:8], "big") & ((1 << 64) - 1)):  # the attacks that worked before
            guessed = con.execute(
                f"""SELECT label FROM (SELECT unnest(['0', '1']) AS label) CROSS JOIN (SELECT unnest(?::VARCHAR[]) AS id)
                    ORDER BY {UNIT_HASH}(CAST(struct_pack(label := label, id := id) AS VARCHAR), {seed})""",
                [gaps],
            ).fetchall()
            assert len(guessed) == len(answers) and [g for (g,) in guessed] != list(answers["label"])


@pytest.mark.parametrize("named", ["{animal}_{number}.jpg", "{value}/{number}.jpg"])
def test_a_copy_of_a_test_image_named_by_its_label_is_caught_where_labels_are_mapped(dogs, tmp_path, named):
    """listed_values makes the labels 0 and 1; the paths say cat and dog: a path is judged by either spelling."""
    for path in (dogs / "train").glob("*.jpg"):
        animal, number, _ = path.name.split(".")
        copy = dogs / "extra" / named.format(animal=animal, number=number, value=int(animal == "dog"))
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(path.read_bytes())
    recipe = parse_recipe(DOGS_RECIPE | {"public_files": ["extra/"]}, "recipe")
    prepared = prepare_competition(DOGS, recipe, dogs, tmp_path / "prepared", "")
    assert not prepared.published
    assert "new test rows' files with the row's label in their path" in next(
        c.found for c in prepared.checks if not c.passed
    )


def test_test_rows_alike_but_for_their_label_are_refused_and_alike_files_of_other_ids_are_numbered(dogs, tmp_path):
    """cat.i and dog.i with the same bytes are one public view and one own id: any order of their new ids tells
    which is which, so the split is refused; the same image under two numbers is told apart by its own id."""
    recipe = parse_recipe(DOGS_RECIPE, "recipe")
    for number in range(0, 60, 2):
        (dogs / "train" / f"dog.{number + 1}.jpg").write_bytes((dogs / "train" / f"cat.{number}.jpg").read_bytes())
    assert prepare_competition(DOGS, recipe, dogs, tmp_path / "a", "").published
    for number in range(60):
        (dogs / "train" / f"dog.{number}.jpg").write_bytes((dogs / "train" / f"cat.{number}.jpg").read_bytes())
    with pytest.raises(SplitError, match="key 'test_ids': 2 new test rows with id '\\d+' look the same") as raised:
        prepare_competition(DOGS, recipe, dogs, tmp_path / "b", "")
    assert "differ only in their label" in str(raised.value)


FOLDERS_LISTED = {"kind": "random", "target_columns": ["label"], "train_listing": "{label}/{file}",
                  "test_row_files": "test_images/{file}", "test_fraction": 0.2}  # fmt: skip


def _filed_by_folder(raw: Path, folders: tuple[str, ...], files: int) -> SplitRecipe:
    """``files`` images in each of ``folders`` at the download's top, and the recipe listing them by folder."""
    for folder in folders:
        (raw / folder).mkdir(parents=True)
        for n in range(files):
            (raw / folder / f"{n:05d}.jpg").write_bytes(_image(f"{folder}{n}"))
    return parse_recipe(FOLDERS_LISTED, "r")


def test_a_listing_that_takes_kaggles_test_folder_as_a_label_is_refused_with_a_glob_to_leave_it_out(tmp_path):
    """A newcomer's sweep: alaska2's Cover/, JMiPOD/, ... and Test/ side by side, listed by '{label}/{file}', took
    Test/ as a class; the refusal came later and said two rows' files would clash."""
    raw = tmp_path / "raw"
    recipe = _filed_by_folder(raw, ("Cover", "JMiPOD", "Test"), 5)
    with pytest.raises(RecipeError) as refused:
        write_train_listing(raw, recipe, "alaska2")
    assert str(refused.value) == (
        "alaska2: split recipe key 'train_listing': '{label}/{file}' lists 5 file(s) of Kaggle's test folder Test/ as "
        "training rows whose label is 'Test' (e.g. Test/00000.jpg); leave it out with a glob after the placeholder's "
        "name, {label:[CJ]*}, or by naming the training files' own folder in the pattern"
    )
    globbed = parse_recipe(recipe.to_document() | {"train_listing": "{label:[CJ]*}/{file}"}, "r")
    assert write_train_listing(raw, globbed, "alaska2") == 10


@pytest.mark.parametrize("test_folder", ["test", "test2019", "test_stg1", "stage_2_test_images", "Test_Set", "audio_test",
                                         "test-jpg", "stage2_test_final"])  # fmt: skip
def test_the_glob_suggested_keeps_every_class_and_any_test_folder_is_caught(tmp_path, test_folder):
    """A review: the glob built from the test folder's first letter ([!t]*) dropped the class tulip without a word;
    test2019/, test_stg1/ and stage_2_test_images/ were listed as classes."""
    raw = tmp_path / "raw"
    recipe = _filed_by_folder(raw, ("rose", "tulip", test_folder), 3)
    glob = "[rt][ou]*" if test_folder.startswith("t") else "[rt]*"  # fnmatchcase: Test_Set is no t, audio_test no r
    with pytest.raises(RecipeError) as refused:
        write_train_listing(raw, recipe, "flowers")
    assert f"of Kaggle's test folder {test_folder}/" in str(refused.value)
    assert f"leave it out with a glob after the placeholder's name, {{label:{glob}}}, or by naming" in str(
        refused.value
    )
    globbed = parse_recipe(recipe.to_document() | {"train_listing": f"{{label:{glob}}}/{{file}}"}, "r")
    assert write_train_listing(raw, globbed, "flowers") == 6


def test_a_class_whose_name_holds_the_word_test_is_listed(tmp_path):
    """A review: a class test_tube (or blood_test) was refused as Kaggle's test folder, with no way to keep it."""
    raw = tmp_path / "raw"
    assert write_train_listing(raw, _filed_by_folder(raw, ("rose", "test_tube", "blood_test"), 3), "lab") == 9


def test_a_test_folder_beside_classes_no_glob_can_keep_is_refused_saying_how_to_leave_it_out(tmp_path):
    """From the re-read: where no glob keeps every class (a class named '(none)'), the refusal read "leave it out
    name the training files' own folder"."""
    raw = tmp_path / "raw"
    with pytest.raises(RecipeError) as refused:
        write_train_listing(raw, _filed_by_folder(raw, ("(none)", "tulip", "test"), 3), "lab")
    assert str(refused.value).endswith(
        "(e.g. test/00000.jpg); leave it out by naming the training files' own folder in the pattern"
    )
