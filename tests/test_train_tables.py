"""Recipe key ``train_tables``: tables of the download about the training rows (ranzcr-clip's
``train_annotations.csv``, champs-scalar-coupling's ``mulliken_charges.csv``), published with the new training set's
rows only, as MLE-bench's prepare scripts filter them; copied whole, their new test rows' rows give labels away."""

from __future__ import annotations

import gzip
import json
import random

import pandas as pd
import pytest

from splits.layout import prepare_competition
from tests.conftest import write_csv
from validation.split_recipe import RecipeError, parse_recipe

SLUG = "catheters"
TARGETS = ["ETT - Abnormal", "ETT - Normal", "CVC - Normal"]
RECIPE = {"kind": "random", "id_column": "StudyInstanceUID", "target_columns": TARGETS, "test_fraction": 0.2}


@pytest.fixture
def download(tmp_path):
    """ranzcr-clip's shape: train.csv (an image a row, 0/1 targets), train_annotations.csv (a row a line drawn on an
    image, naming the target it shows), and structures.csv keyed by a column of its own."""
    raw, rng = tmp_path / "raw", random.Random(7)
    rows = [[f"uid{i:04d}", f"p{i // 3}", *(int(rng.random() < 0.3) for _ in TARGETS)] for i in range(300)]
    write_csv(raw / "train.csv", ["StudyInstanceUID", "PatientID", *TARGETS], rows)
    drawn = [[uid, target, f'"[[{i}, 2]]"'] for i, (uid, _, *ones) in enumerate(rows)
             for target, one in zip(TARGETS, ones, strict=True) if one]  # fmt: skip
    write_csv(raw / "train_annotations.csv", ["StudyInstanceUID", "label", "data"], drawn)
    return raw


def _prepare(raw, root, **changes):
    return prepare_competition(SLUG, parse_recipe(RECIPE | changes, "r"), raw, root)


def test_a_train_table_keeps_the_new_training_rows_rows_in_its_own_order(download, tmp_path):
    prepared = _prepare(download, tmp_path / "prepared", train_tables={"train_annotations.csv": "StudyInstanceUID"})
    assert prepared.published, [c.found for c in prepared.checks if not c.passed]
    public = prepared.folder / "public"
    train = set(pd.read_csv(public / "train.csv")["StudyInstanceUID"])
    test = set(pd.read_csv(public / "test.csv")["StudyInstanceUID"])
    original = pd.read_csv(download / "train_annotations.csv")
    published = pd.read_csv(public / "train_annotations.csv")
    pd.testing.assert_frame_equal(published, original[original["StudyInstanceUID"].isin(train)].reset_index(drop=True))
    assert not set(published["StudyInstanceUID"]) & test and len(published) < len(original)
    entry = next(f for f in prepared.manifest["files"] if f["path"] == "public/train_annotations.csv")
    assert entry["train_tables_entry"] == "train_annotations.csv" and entry["rows"] == len(published)
    description = (public / "description.md").read_text()
    assert (
        f"| `train_annotations.csv` | {len(published):,} | the rows of Kaggle's `train_annotations.csv` for the new "
        f"training set's `StudyInstanceUID` values ({len(published):,} of its {len(original):,}; `train_tables`) |"
    ) in description
    manifest = json.loads((prepared.folder / "manifest.json").read_text())
    assert manifest["recipe"]["train_tables"] == {"train_annotations.csv": "StudyInstanceUID"}


def test_the_same_table_copied_whole_is_refused_as_a_leak(download, tmp_path):
    leaky = _prepare(download, tmp_path / "prepared", public_files=["train_annotations.csv"])
    failed = {c.name: c.found for c in leaky.checks if not c.passed}
    assert (
        not leaky.published
        and "train_annotations.csv gives new test ids' labels away" in failed["public_free_of_private"]
    )


def test_a_group_split_keeps_a_table_by_its_group_column(download, tmp_path):
    """champs-scalar-coupling: a molecule's atoms in mulliken_charges.csv, the molecule the split's group."""
    write_csv(download / "patients.csv", ["PatientID", "age"], [[f"p{i}", 40 + i % 30] for i in range(100)])
    prepared = _prepare(download, tmp_path / "prepared", kind="group", group_column="PatientID",
                        train_tables={"patients.csv": "PatientID"})  # fmt: skip
    assert prepared.published, [c.found for c in prepared.checks if not c.passed]
    public = prepared.folder / "public"
    kept = pd.read_csv(public / "patients.csv")
    assert set(kept["PatientID"]) == set(pd.read_csv(public / "train.csv")["PatientID"])


@pytest.mark.parametrize(
    "tables, message",
    [
        ({"annotations.csv": "StudyInstanceUID"}, "split recipe key 'train_tables': no file 'annotations.csv' in "),
        ({"train_annotations.csv": "uid"}, "split recipe key 'train_tables': train_annotations.csv: no column 'uid' "
         "in train_annotations.csv (its columns: StudyInstanceUID, label, data)"),
        ({"train_annotations.csv": "label"}, "split recipe key 'train_tables': train_annotations.csv: no column "
         "'label' in train.csv (its columns: StudyInstanceUID, PatientID, ETT - Abnormal, ETT - Normal, CVC - Normal)"),
        ({"train.csv": "StudyInstanceUID"}, "split recipe key 'train_tables': train.csv is the recipe's train_file"),
        ({"book.parquet": "StudyInstanceUID"}, "split recipe key 'train_tables': book.parquet is a folder of 2 "
         "file(s); an entry is one table: name each file as an entry of its own (book.parquet/stock_id=0/a.csv, "
         "book.parquet/stock_id=1/a.csv)"),
    ],
)  # fmt: skip
def test_a_wrong_train_table_names_the_key_and_what_exists(download, tmp_path, tables, message):
    for stock in (0, 1):  # sweep 196: optiver's book_train.parquet is a folder
        (download / "book.parquet" / f"stock_id={stock}").mkdir(parents=True)
        (download / "book.parquet" / f"stock_id={stock}" / "a.csv").write_text("StudyInstanceUID,x\nuid0001,1\n")
    with pytest.raises(RecipeError) as raised:
        _prepare(download, tmp_path / "prepared", train_tables=tables)
    assert str(raised.value).startswith(f"{SLUG}: {message}"), str(raised.value)
    assert not list((tmp_path / "prepared").iterdir())  # nothing half-written


def test_a_table_also_in_public_files_is_refused_naming_both_keys(download, tmp_path):
    with pytest.raises(RecipeError) as raised:
        _prepare(download, tmp_path / "prepared", train_tables={"train_annotations.csv": "StudyInstanceUID"},
                 public_files=["*.csv"])  # fmt: skip
    assert str(raised.value).startswith(f"{SLUG}: split recipe key 'public_files': entry '*.csv' would put train.csv")
    with pytest.raises(RecipeError) as raised:
        _prepare(download, tmp_path / "prepared", train_tables={"train_annotations.csv": "StudyInstanceUID"},
                 public_files=["train_annotations.csv"])  # fmt: skip
    assert str(raised.value) == (
        f"{SLUG}: split recipe keys 'train_tables' and 'public_files': train_annotations.csv is copied whole by the "
        "public_files entry 'train_annotations.csv'; leave it out of public_files"
    )
    (download / "old").mkdir()
    for name in ("labels_old.csv", "notes.txt", "readme.md"):
        (download / "old" / name).write_bytes((download / "train_annotations.csv").read_bytes())
    with pytest.raises(RecipeError) as raised:  # sweep 184: seti's old_leaky_data/ holds the table and more
        _prepare(download, tmp_path / "prepared", train_tables={"old/labels_old.csv": "StudyInstanceUID"},
                 public_files=["old/"])  # fmt: skip
    assert str(raised.value).endswith(
        "is copied whole by the public_files entry 'old/'; leave it out of public_files (list the entry's other files "
        "instead: old/notes.txt, old/readme.md)"
    ), raised.value


@pytest.mark.parametrize(
    "value, message",
    [
        (["train_annotations.csv"], "expected a mapping of files to the column each shares with the train file"),
        ({"../x.csv": "id"}, "expected a .csv, .tsv, .json or .parquet file inside the competition's download"),
        ({"notes.txt": "id"}, "expected a .csv, .tsv, .json or .parquet file inside the competition's download"),
        ({"x.csv": ""}, "x.csv: expected the column it shares with the train file, found ''"),
    ],
)
def test_a_malformed_train_tables_key_is_refused_when_read(value, message):
    with pytest.raises(RecipeError) as raised:
        parse_recipe(RECIPE | {"train_tables": value}, "r")
    assert str(raised.value).startswith(f"r: split recipe key 'train_tables': {message}"), str(raised.value)
    released = {"kind": "released_labels", "target_columns": ["y"], "answers_file": "a.csv"}
    with pytest.raises(RecipeError, match="'train_tables': not for kind released_labels"):
        parse_recipe(released | {"train_tables": {"x.csv": "id"}}, "r")


def test_a_column_that_is_neither_the_id_nor_the_split_group_is_refused(download, tmp_path):
    """champs-scalar-coupling split at random by pair id, its molecules' tables kept by molecule: a molecule with a
    training pair brought its test pairs' rows along (66 of 72 test labels readable: a fresh-eyed review)."""
    write_csv(download / "patients.csv", ["PatientID", "age"], [[f"p{i}", 40 + i % 30] for i in range(100)])
    with pytest.raises(RecipeError) as raised:
        _prepare(download, tmp_path / "prepared", train_tables={"patients.csv": "PatientID"})
    assert str(raised.value) == (
        f"{SLUG}: split recipe key 'train_tables': patients.csv: column 'PatientID' is not what the split keeps on one "
        "side: name the id column (StudyInstanceUID), or the group column of a group split (a value with rows on both "
        "sides would publish the new test rows' rows)"
    )


def test_a_table_keeping_no_row_is_refused_showing_both_spellings(download, tmp_path):
    """siim-covid19-detection's image table writes its ids ``<uid>_image``: nothing matched, and an empty table was
    published without a word (a fresh-eyed review)."""
    original = pd.read_csv(download / "train_annotations.csv")
    original["StudyInstanceUID"] = original["StudyInstanceUID"] + "_image"
    original.to_csv(download / "image_level.csv", index=False)
    with pytest.raises(RecipeError) as raised:
        _prepare(download, tmp_path / "prepared", train_tables={"image_level.csv": "StudyInstanceUID"})
    assert str(raised.value).startswith(
        f"{SLUG}: split recipe key 'train_tables': image_level.csv: none of its {len(original):,} rows has a value of "
        "'StudyInstanceUID' that a new training row has (compared as text: 'uid"
    )
    assert "_image' in image_level.csv, 'uid" in str(raised.value)
    assert not list((tmp_path / "prepared").iterdir())


def test_a_damaged_row_past_the_sniffed_lines_names_the_key_and_file(download, tmp_path):
    text = (download / "train_annotations.csv").read_text()
    (download / "big.csv").write_text(text + "".join(f"uid0001,x,{i}\n" for i in range(30_000)) + "uid0001,x,1,2\n")
    with pytest.raises(RecipeError) as raised:
        _prepare(download, tmp_path / "prepared", train_tables={"big.csv": "StudyInstanceUID"})
    assert str(raised.value).startswith(f"{SLUG}: split recipe key 'train_tables': {download / 'big.csv'}: cannot be "
                                        "read as CSV")  # fmt: skip
    assert not list((tmp_path / "prepared").iterdir())


def test_tables_may_not_share_a_place_with_each_other_public_files_or_row_files(download, tmp_path):
    """A gzip'd table copied whole by public_files too, two tables published as one file, a table in the row files'
    folder: each was published (or failed with a bare FileExistsError) before a fresh-eyed review."""
    (download / "a.csv.gz").write_bytes(gzip.compress((download / "train_annotations.csv").read_bytes()))
    refusals = {
        "split recipe keys 'train_tables' and 'public_files': a.csv.gz is copied whole by the public_files entry "
        "'a.csv.gz'": {"train_tables": {"a.csv.gz": "StudyInstanceUID"}, "public_files": ["a.csv.gz"]},
        "split recipe key 'train_tables': train_annotations.csv and train_annotations.csv.gz would both be published "
        "as train_annotations.csv": {"train_tables": {"train_annotations.csv": "StudyInstanceUID",
                                                      "train_annotations.csv.gz": "StudyInstanceUID"}},
        "split recipe keys 'train_tables' and 'row_files': entry 'images/info.csv' would copy images/info.csv into "
        "images/": {"train_tables": {"images/info.csv": "StudyInstanceUID"}, "row_files": "images/{StudyInstanceUID}.png",
                    "test_row_files": "test/{StudyInstanceUID}.png"},
    }  # fmt: skip
    (download / "train_annotations.csv.gz").write_bytes((download / "a.csv.gz").read_bytes())
    (download / "images").mkdir()
    for uid in pd.read_csv(download / "train.csv")["StudyInstanceUID"]:
        (download / "images" / f"{uid}.png").write_bytes(uid.encode())
    (download / "images" / "info.csv").write_bytes((download / "train_annotations.csv").read_bytes())
    for message, changes in refusals.items():
        with pytest.raises(RecipeError) as raised:
            _prepare(download, tmp_path / "prepared", **changes)
        assert str(raised.value).startswith(f"{SLUG}: {message}"), str(raised.value)
    assert not list((tmp_path / "prepared").iterdir())


def _plays(raw):
    """nfl-player-contact-detection's shape: train_labels.csv (a row a pair of players at a step of a play, its
    0/1 contact) and train_player_tracking.csv (a row a player at a step of a play: its position)."""
    rng = random.Random(9)
    labels, tracking = [], []
    for play in range(40):
        game_play = f"58{play:03d}_00{play % 7}"
        for step in range(3):
            for player in range(4):
                tracking.append([game_play, step, 40 + player, round(rng.uniform(0, 120), 2)])
            labels.append([f"{game_play}_{step}_40_41", game_play, step, int(rng.random() < 0.2)])
    write_csv(raw / "train_labels.csv", ["contact_id", "game_play", "step", "contact"], labels)
    write_csv(raw / "train_player_tracking.csv", ["game_play", "step", "nfl_player_id", "x_position"], tracking)
    return pd.read_csv(raw / "train_player_tracking.csv")


PLAYS = {"kind": "group", "group_column": "game_play", "id_column": "contact_id", "target_columns": ["contact"],
         "train_file": "train_labels.csv", "test_fraction": 0.25}  # fmt: skip


def test_a_table_of_features_puts_the_new_test_rows_rows_where_its_test_key_says(tmp_path):
    """Sweep 185: nfl's tracking tables could be published for the new training plays only, so the new test set's
    contacts came with no features while every check passed; MLE-bench publishes test_player_tracking.csv. With
    ``test:``, the new test plays' rows go there, in the table's order, and neither side holds the other's plays."""
    raw = tmp_path / "raw"
    tracking = _plays(raw)
    tables = {"train_player_tracking.csv": {"column": "game_play", "test": "test_player_tracking.csv"}}
    recipe = parse_recipe(PLAYS | {"train_tables": tables}, "r")
    prepared = prepare_competition("plays", recipe, raw, tmp_path / "prepared")
    assert prepared.published, [c.found for c in prepared.checks if not c.passed]
    public = prepared.folder / "public"
    train_plays = set(pd.read_csv(public / "train_labels.csv")["game_play"])
    test_plays = set(tracking["game_play"]) - train_plays
    assert test_plays and train_plays
    for name, plays in (("train_player_tracking.csv", train_plays), ("test_player_tracking.csv", test_plays)):
        published = pd.read_csv(public / name)
        expected = tracking[tracking["game_play"].isin(plays)].reset_index(drop=True)
        pd.testing.assert_frame_equal(published, expected)
    entry = next(f for f in prepared.manifest["files"] if f["path"] == "public/test_player_tracking.csv")
    assert entry["train_tables_entry"] == "train_player_tracking.csv" and entry["train_tables_side"] == "test"
    test_rows = len(tracking[tracking["game_play"].isin(test_plays)])
    assert (
        f"| `test_player_tracking.csv` | {test_rows:,} | the rows of Kaggle's `train_player_tracking.csv` for the new "
        f"test set's `game_play` values ({test_rows:,} of its {len(tracking):,}; `train_tables`) |"
    ) in (public / "description.md").read_text()
    assert prepared.manifest["recipe"]["train_tables"] == tables


def test_a_test_side_holding_the_target_is_refused_and_its_place_checked(tmp_path):
    """The test side is a public file like the others: a table that carries the target gives the new test rows'
    labels away there. Its place may not be the split's own file, nor another table's."""
    raw = tmp_path / "raw"
    _plays(raw)
    labels = pd.read_csv(raw / "train_labels.csv")
    labels.to_csv(raw / "contacts.csv", index=False)
    leaking = {"contacts.csv": {"column": "game_play", "test": "test_contacts.csv"}}
    prepared = prepare_competition("plays", parse_recipe(PLAYS | {"train_tables": leaking}, "r"), raw,
                                   tmp_path / "prepared")  # fmt: skip
    found = [c.found for c in prepared.checks if not c.passed]
    assert not prepared.published and "test_contacts.csv holds target column(s) contact for " in found[0], found
    assert found[0].endswith("; leave test: out of its train_tables entry (train_tables: contacts.csv)"), found
    for test, message in (
        ("test.csv", "train_player_tracking.csv (its new test rows, test:) would be published as test.csv, where the "
                     "split writes its own"),
        ("contacts.csv", "contacts.csv and train_player_tracking.csv (its new test rows, test:) would both be published "
                         "as contacts.csv"),
        ("Sample_Submission.csv", "train_player_tracking.csv (its new test rows, test:) would be published as "
                                  "Sample_Submission.csv, where the split writes its own sample_submission.csv"),
        ("TRAIN_LABELS.csv", "train_player_tracking.csv (its new test rows, test:) would be published as "
                             "TRAIN_LABELS.csv, where the split writes its own train_labels.csv"),
    ):  # fmt: skip
        tables = {"contacts.csv": "game_play", "train_player_tracking.csv": {"column": "game_play", "test": test}}
        with pytest.raises(RecipeError) as raised:
            prepare_competition("plays", parse_recipe(PLAYS | {"train_tables": tables}, "r"), raw, tmp_path / "p2")
        assert str(raised.value).startswith(f"plays: split recipe key 'train_tables': {message}"), str(raised.value)


@pytest.mark.parametrize(
    "value, message",
    [
        ({"column": "game_play", "test": "test.parquet"}, "test: expected where the new test rows' rows go, a path "
                                                          "under public/ other than the table's own, ending as it is "
                                                          "published (.csv), found 'test.parquet'"),
        ({"column": "game_play", "test": "../t.csv"}, "test: expected where the new test rows' rows go"),
        ({"column": "game_play", "test": "t.csv.gz"}, "test: expected where the new test rows' rows go"),
        ({"column": "game_play", "tests": "t.csv"}, "'tests' is not one of column, test"),
        ({"test": "t.csv"}, "expected the column it shares with the train file, found None"),
    ],
)  # fmt: skip
def test_a_malformed_test_side_is_refused_when_read(value, message):
    with pytest.raises(RecipeError) as raised:
        parse_recipe(PLAYS | {"train_tables": {"tracking.csv": value}}, "r")
    assert str(raised.value).startswith(f"r: split recipe key 'train_tables': tracking.csv: {message}"), raised.value


def test_a_test_side_under_test_ids_or_without_the_new_test_rows_is_refused_saying_why(tmp_path):
    """Review 190: keyed by the id, the test side kept the ids test_ids replaces (``cat.7`` beside ``img_00001``);
    a table with no row of the new test plays was said to be written otherwise, showing two equal values."""
    raw = tmp_path / "raw"
    tracking = _plays(raw)
    pd.read_csv(raw / "train_labels.csv").drop(columns=["contact"]).to_csv(raw / "steps.csv", index=False)
    by_id = {"steps.csv": {"column": "contact_id", "test": "test_contacts.csv"}}
    recipe = PLAYS | {"kind": "random", "group_column": None, "test_ids": "c{n:05d}", "train_tables": by_id}
    with pytest.raises(RecipeError) as raised:
        prepare_competition("plays", parse_recipe({k: v for k, v in recipe.items() if v is not None}, "r"), raw,
                            tmp_path / "p1")  # fmt: skip
    assert str(raised.value).startswith(
        "plays: split recipe keys 'train_tables' and 'test_ids': steps.csv: its new test rows' rows (test: "
        "test_contacts.csv) would keep their ids in contact_id, which test_ids replaces"
    ), raised.value
    first = prepare_competition("plays", parse_recipe(PLAYS, "r"), raw, tmp_path / "p0")  # the same draw again
    train_plays = set(pd.read_csv(first.folder / "public" / "train_labels.csv")["game_play"])
    tracking[tracking["game_play"].isin(train_plays)].to_csv(raw / "seen_tracking.csv", index=False)
    tables = {"seen_tracking.csv": {"column": "game_play", "test": "test_seen.csv"}}
    with pytest.raises(RecipeError) as raised:
        prepare_competition("plays", parse_recipe(PLAYS | {"train_tables": tables}, "r"), raw, tmp_path / "p2")
    said = str(raised.value)
    assert "seen_tracking.csv: none of its " in said and "that a new test row has (compared as text: " in said, said
    assert "in the new test rows); the table's values must be written as the train file's, and hold the new" in said
    test_play = said.split("in seen_tracking.csv, ")[1].split(" in the new test rows")[0].strip("'")
    assert test_play not in train_plays, said  # a new test play's value, not a training one


@pytest.mark.parametrize("suffix", ["csv", "parquet", "json"])
def test_a_table_in_a_folder_named_key_value_keeps_its_own_columns(download, tmp_path, suffix):
    """Sweep 196: optiver's ``book_train.parquet/stock_id=0/*.parquet``: DuckDB took the folder for a Hive partition
    and wrote a ``stock_id`` column into the published files, which then no longer read as one dataset
    (``pd.read_parquet('book_train.parquet')``: "Unable to merge: Field stock_id has incompatible types")."""
    original = pd.read_csv(download / "train_annotations.csv")
    relative = f"book_train.parquet/stock_id=0/part-0.{suffix}"
    (download / relative).parent.mkdir(parents=True)
    {"csv": lambda p: original.to_csv(p, index=False), "parquet": original.to_parquet,
     "json": lambda p: original.to_json(p, orient="records")}[suffix](download / relative)  # fmt: skip
    prepared = _prepare(download, tmp_path / "prepared", train_tables={relative: "StudyInstanceUID"})
    assert prepared.published, [c.found for c in prepared.checks if not c.passed]
    public = prepared.folder / "public"
    read = {"csv": pd.read_csv, "parquet": pd.read_parquet, "json": pd.read_json}[suffix]
    assert list(read(public / relative).columns) == list(original.columns)
    if suffix == "parquet":  # the folder reads back as the dataset it was
        assert list(pd.read_parquet(public / "book_train.parquet").columns) == [*original.columns, "stock_id"]
