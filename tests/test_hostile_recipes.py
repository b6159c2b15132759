"""Hostile and careless recipes, annotation files, settings and queue options (issue 10, rows 4, 5, 6, 15, 16, 17, 21).

Each test names the issue-10 row it proves; every one failed before its fix.
"""

from __future__ import annotations

import errno
import os
import re
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml

from assets.annotations import AnnotationsConfig, competition_annotations
from assets.resources import StorageResource
from curation.annotations import Annotation, AnnotationError, AnnotationStore
from curation.cli import main
from curation.warehouse import Warehouse
from tests.conftest import PROJECT
from validation.data_root import ANNOTATIONS
from validation.split_recipe import RecipeError, parse_recipe, read_recipe_file
from validation.yaml_files import parse_yaml_text

TITANIC = "titanic"
RECIPE = "kind: random\nid_column: PassengerId\ntarget_columns: [Survived]\n"
ANNOTATE = ["annotate", TITANIC, "--curator", "ada", "--allow-unknown"]
ALIAS_BOMB = "".join(
    [f"a0: &a0 [{', '.join(['x'] * 9)}]\n"] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)]
)  # 9**10 leaves: gigabytes once expanded


def _file(tmp_path: Path, content: str | bytes, name: str = "recipe.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def _annotation_file(store: AnnotationStore, body: str) -> Path:
    path = store.root / TITANIC / "ada.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"format: 1\nslug: {TITANIC}\ncurator: ada\ndecision: include\n{body}")
    return path


@pytest.fixture
def store(tmp_path) -> AnnotationStore:
    return AnnotationStore(tmp_path / "annotations")


# --- row 15: duplicate keys ----------------------------------------------------------------------------------------


def test_row15_duplicate_recipe_key_is_refused_naming_key_and_lines(tmp_path):
    path = _file(tmp_path, "kind: random\ntarget_columns: [Survived]\nkind: stratified\n")
    with pytest.raises(RecipeError) as error:
        read_recipe_file(path)
    assert str(error.value) == (
        f"{path}: not valid YAML: line 3, column 1: key 'kind' is given twice (lines 1 and 3); keep one"
    )


def test_yes_no_on_and_off_are_words_not_booleans(tmp_path):
    """tensorflow-speech-recognition-challenge's labels include yes, no, on and off: under YAML 1.1 (PyYAML's
    default) a listed_values mapping of them read as the key True twice, and ``{no: 0, yes: 1}`` as booleans (a
    newcomer's sweep). Only true and false are booleans (YAML 1.2); a boolean key written otherwise says so."""
    words = "train_listing: 'train/audio/{label}/{fname:*.wav}'\nid_column: fname\ntarget_columns: [label]\n"
    words += "test_row_files: 'test/audio/{fname}'\n"
    path = _file(tmp_path, "kind: random\n" + words + "listed_values: {label: {yes: 1, no: 0, on: 3, off: 2, y: 5}}\n")
    recipe = read_recipe_file(path)
    assert recipe.to_document()["listed_values"] == {"label": {"yes": "1", "no": "0", "on": "3", "off": "2", "y": "5"}}
    refused = _file(tmp_path, RECIPE + "original_ratio: yes\n", "ratio.yaml")
    with pytest.raises(RecipeError, match="split recipe key 'original_ratio': expected true or false, found 'yes'"):
        read_recipe_file(refused)
    assert read_recipe_file(_file(tmp_path, RECIPE + "original_ratio: TRUE\n", "true.yaml")).original_ratio is True


def test_a_number_with_an_exponent_and_no_dot_is_said_to_be_read_as_text(tmp_path):
    """A newcomer's sweep: ``test_fraction: 5e-2`` was refused as "not a number, found '5e-2'": YAML 1.1 reads a float
    only with a dot. Reading it as a number instead broke annotation files holding such text unquoted (a review:
    ``note: 1e5``), so the refusal says why and what to write."""
    with pytest.raises(RecipeError) as refused:
        read_recipe_file(_file(tmp_path, RECIPE + "test_fraction: 5e-2\n"))
    assert str(refused.value).endswith(
        "split recipe key 'test_fraction': expected a number between 0 and 1 (exclusive), found '5e-2' (read as text: "
        "mlecurate's YAML reads numbers written in decimal only, as 10, 0.05 or 5.0e-2, never octal 010, base-60 "
        "12:30 or 1_000, and an exponent with a dot and a sign only: 5.0e-2, 1.0e+5)"
    )
    assert read_recipe_file(_file(tmp_path, RECIPE + "test_fraction: 5.0e-2\n", "dot.yaml")).test_fraction == 0.05


def test_yaml_11_numbers_in_other_forms_are_text_as_written(tmp_path):
    """PyYAML's YAML 1.1 read ``unseen_label: 010`` as the octal 8, and annotate stored the label '8'; ``12:30`` was
    750 (base 60), ``1_000`` 1000, ``0x1F`` 31. Text keys keep what was written; keys taking a number refuse them,
    saying why, where a silent 8 rows or seed 31 was taken before."""
    recipe = read_recipe_file(_file(tmp_path, RECIPE + "unseen_label: 010\ngroup_column: 12:30\n"))
    assert (recipe.unseen_label, recipe.group_column) == ("010", "12:30")
    for key, value in (("test_rows", "1_000"), ("test_rows", "010"), ("seed", "0x1F"), ("test_fraction", "0:30")):
        text = RECIPE.replace("test_fraction: 0.2\n", "") + f"{key}: {value}\n"
        with pytest.raises(RecipeError) as refused:
            read_recipe_file(_file(tmp_path, text, f"{key}.yaml"))
        assert f"split recipe key '{key}': expected " in str(refused.value), str(refused.value)
        assert f"found '{value}' (read as text: mlecurate's YAML reads numbers written in decimal only" in str(
            refused.value
        )
    for value in ("1.0e5", "08"):  # the exponent has a dot but no sign; a leading zero
        with pytest.raises(RecipeError, match=re.escape(f"found '{value}' (read as text")):
            read_recipe_file(_file(tmp_path, RECIPE + f"test_rows: {value}\n", "more.yaml"))
    # decimal numbers, signs, a dot, infinity are numbers as before
    assert read_recipe_file(_file(tmp_path, RECIPE + "seed: -3\n", "seed.yaml")).seed == -3
    assert parse_yaml_text("[0, +5, 0.5, .5, 1.5e-3, .inf, 2019]", "t") == [0, 5, 0.5, 0.5, 0.0015, float("inf"), 2019]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("kind: random\ndraw: sklearn\n", "split recipe key 'draw': expected one of hash, train_test_split, found 'sklearn'"),
        ("kind: stratified\ndraw: train_test_split\n", "split recipe key 'draw': train_test_split draws rows, ids or groups: only for kind random or group"),
        ("kind: temporal\ntime_column: t\ndraw: train_test_split\n", "only for kind random or group"),
        ("kind: random\ndraw: train_test_split\nseed: 4294967296\n", "split recipe key 'seed': draw train_test_split takes a seed from 0 to 4,294,967,295"),
        ("kind: random\ndraw: train_test_split\nseed: -1\n", "found -1"),
    ],
)  # fmt: skip
def test_a_draw_only_random_rows_take_is_refused_naming_the_key(tmp_path, text, said):
    with pytest.raises(RecipeError, match=re.escape(said)):
        read_recipe_file(_file(tmp_path, text + "target_columns: [y]\n"))
    assert read_recipe_file(_file(tmp_path, "kind: random\ndraw: train_test_split\ntarget_columns: [y]\n")).draw == (
        "train_test_split"
    )


def test_a_recipe_without_target_columns_says_the_key_is_missing(tmp_path):
    """A newcomer's sweep: "expected a list of column names, found None" did not say the key was missing."""
    with pytest.raises(RecipeError, match=r"split recipe key 'target_columns': missing: every recipe names its label"):
        read_recipe_file(_file(tmp_path, "kind: random\nid_column: id\n"))
    # sweep 195: "expected a list of column names, found []" for a list
    with pytest.raises(RecipeError, match=r"'target_columns': empty: name at least one label column, e.g. target_col"):
        read_recipe_file(_file(tmp_path, "kind: random\nid_column: id\ntarget_columns: []\n"))


def test_row15_duplicate_key_in_an_annotation_file_is_refused(store):
    path = _annotation_file(store, "complexity: low\ncomplexity: high\n")
    with pytest.raises(AnnotationError, match=r"key 'complexity' is given twice \(lines 5 and 6\)") as error:
        store.read(path)
    assert str(error.value).startswith(f"{path}: ")


def test_row15_duplicate_key_on_annotate_writes_nothing(home, tmp_path, capsys):
    recipe = _file(tmp_path, RECIPE + "kind: stratified\n")
    assert main([*ANNOTATE, "--split-recipe", str(recipe)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"mlecurate annotate: error: {recipe}: not valid YAML: line 4, column 1: key 'kind' is given twice "
        "(lines 1 and 4); keep one\n"
    )
    assert not (tmp_path / "annotations" / TITANIC).exists()


# --- row 16: binary, UTF-16 and endless recipe files ----------------------------------------------------------------


@pytest.mark.parametrize(
    "content, expected",
    [
        (RECIPE.encode("utf-16"), "UTF-16 text; save it as UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data (a NUL byte at offset 8), expected a split recipe in YAML"),
        ("kind: random\ntarget_columns: [Survécu]\n".encode("latin-1"), "not UTF-8 text (byte 34 cannot be decoded)"),
        (("# padding\n" * 110_000 + RECIPE).encode(), "larger than 1,000,000 bytes; a split recipe is far smaller"),
        (RECIPE + "<<: {test_fraction: 0.2}\n", "not valid YAML: line 4, column 1: merge keys (<<) are not allowed"),
    ],
    ids=["utf-16", "binary", "latin-1", "over-1MB", "merge-key"],
)  # fmt: skip
def test_row16_unreadable_recipe_files_name_the_file(tmp_path, content, expected):
    path = _file(tmp_path, content)
    with pytest.raises(RecipeError) as error:
        read_recipe_file(path)
    assert str(error.value).startswith(f"{path}: {expected}")


def test_row16_recipe_with_a_bom_is_read(tmp_path):
    assert read_recipe_file(_file(tmp_path, "\ufeff" + RECIPE)).target_columns == ("Survived",)


def test_row16_dev_zero_as_recipe_ends_at_once_with_one_line(home, capsys):
    started = time.monotonic()
    assert main([*ANNOTATE, "--split-recipe", "/dev/zero"]) == 2
    assert time.monotonic() - started < 5
    assert capsys.readouterr().err == (
        "mlecurate annotate: error: /dev/zero: larger than 1,000,000 bytes; a split recipe is far smaller\n"
    )


def test_row16_binary_recipe_on_annotate_is_one_line_not_a_traceback(home, tmp_path, capsys):
    recipe = _file(tmp_path, RECIPE.encode("utf-16"))
    assert main([*ANNOTATE, "--split-recipe", str(recipe)]) == 2
    assert capsys.readouterr().err == f"mlecurate annotate: error: {recipe}: UTF-16 text; save it as UTF-8\n"


@pytest.mark.parametrize("path", sorted((PROJECT / "splits" / "recipes").glob("*.yaml")), ids=lambda p: p.stem)
def test_row16_packaged_recipes_pass_the_one_reader(path):
    """The packaged recipes are read by the same reader and validator as any other recipe."""
    assert read_recipe_file(path).kind


# --- row 4: an annotation's split_recipe is validated on load; alias bombs ----------------------------------------


def test_row4_unknown_recipe_key_in_an_annotation_file_is_refused_on_load(store):
    path = _annotation_file(store, "split_recipe:\n  kind: random\n  target_columns: [Survived]\n  seeed: 3\n")
    with pytest.raises(AnnotationError) as error:
        store.read(path)
    assert str(error.value).startswith(f"{path}: split recipe key 'seeed': not a recipe key (known: ")


def test_row4_annotation_recipe_and_split_recipe_file_share_one_validator(store, tmp_path):
    """The same mistake gives the same words, by hand in an annotation file or through --split-recipe."""
    body = "kind: random\ntarget_columns: [Survived]\ntest_fraction: 2\n"
    path = _annotation_file(store, "split_recipe:\n" + "".join(f"  {line}\n" for line in body.splitlines()))
    recipe = _file(tmp_path, body)
    with pytest.raises(AnnotationError) as in_annotation:
        store.read(path)
    with pytest.raises(RecipeError) as in_file:
        read_recipe_file(recipe)
    assert str(in_annotation.value).removeprefix(str(path)) == str(in_file.value).removeprefix(str(recipe))


def test_row4_alias_bomb_in_an_annotation_file_is_refused_at_once(store):
    path = _annotation_file(store, "note: x\n" + ALIAS_BOMB.replace("a0:", "split_recipe_bomb:", 1))
    started = time.monotonic()
    with pytest.raises(AnnotationError) as error:
        store.read(path)
    assert time.monotonic() - started < 2
    assert str(error.value) == (
        f"{path}: not valid YAML: line 6, column 20: anchors and aliases (&a0 / *a0) are not allowed in "
        "mlecurate's YAML files; write the value out"
    )


def test_row4_alias_bomb_in_a_split_recipe_makes_show_fail_with_one_line(home, tmp_path, capsys):
    """The issue's reproduction: a bomb inside an annotation's split_recipe took `mlecurate show` to 5.2 GB."""
    store = AnnotationStore(tmp_path / "annotations")
    bomb = "".join(f"  {line}\n" for line in ALIAS_BOMB.splitlines())
    path = _annotation_file(store, f"split_recipe:\n  kind: random\n  target_columns: [y]\n{bomb}  public_files: *a9\n")
    assert main(["show", TITANIC]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mlecurate show: error: {path}: not valid YAML: ") and err.count("\n") == 1


def test_row4_written_annotations_hold_no_aliases(store):
    """The writer never emits anchors, so what mlecurate writes its reader reads back, even for shared values."""
    targets = ["Survived"]
    recipe = {"kind": "random", "target_columns": targets, "public_files": targets}
    store.update(TITANIC, "ada", {"split_recipe": {**recipe, "public_files": ["extra.csv"]}, "note": "x"})
    store.update(TITANIC, "grace", {"split_recipe": {"kind": "random", "target_columns": targets}, "category": "x"})
    for curator in ("ada", "grace"):
        text = store.path_for(TITANIC, curator).read_text()
        assert "&" not in text and "*" not in text
        assert store.get(TITANIC, curator).split_recipe["target_columns"] == ["Survived"]


# --- row 5: a recipe's files stay inside the competition's download ------------------------------------------------


def test_row5_annotation_recipe_with_an_absolute_path_is_refused_on_load(store):
    path = _annotation_file(
        store, "split_recipe:\n  kind: random\n  target_columns: [y]\n  original_answers_file: /elsewhere/leak.csv\n"
    )
    with pytest.raises(AnnotationError) as error:
        store.read(path)
    assert str(error.value) == (
        f"{path}: split recipe key 'original_answers_file': must be a path inside the competition's download, "
        "found '/elsewhere/leak.csv'"
    )


def _parity_with(tmp_path: Path, monkeypatch, recipe_change: dict, place_leak) -> str:
    """Split the labelled parity competition, then measure parity with a recipe whose original answers are a leak
    file outside the download (``place_leak`` puts it there); return the ParityError's message."""
    from curation.sources import choose_sources
    from curation.sources.kaggle_client import KaggleClient
    from curation.split_parity import ParityError, check_split_parity
    from tests.test_parity import LABELLED_RECIPE, _labelled_competition, _mirror, _run
    from validation.data_root import DataRoot
    from validation.parity import ParityTolerance

    monkeypatch.setenv("MLECURATE_HOME", str(tmp_path / "home"))
    files = _labelled_competition()
    mirror = _mirror(tmp_path, "leaky", files)
    assert _run(tmp_path, "leaky", LABELLED_RECIPE, mirror).success
    root = DataRoot(tmp_path / "home")
    place_leak(root.raw("leaky").files, files["test_with_solutions.csv"])
    # Built by hand, not read from a file: check_split_parity validates whatever it is given.
    annotation = Annotation("leaky", "alice", decision="include", split_recipe=LABELLED_RECIPE | recipe_change)
    with pytest.raises(ParityError) as error:
        check_split_parity("leaky", root, [annotation], {}, ParityTolerance(), choose_sources("demo", KaggleClient()))
    return str(error.value)


def test_row5_parity_never_reads_an_absolute_path_from_the_recipe(tmp_path, monkeypatch):
    leak = tmp_path / "elsewhere" / "leak.csv"

    def place(raw: Path, data: bytes) -> None:
        leak.parent.mkdir()
        leak.write_bytes(data)

    message = _parity_with(tmp_path, monkeypatch, {"original_answers_file": str(leak)}, place)
    assert message == (
        f"leaky (the split recipe of alice): split recipe key 'original_answers_file': must be a path inside the "
        f"competition's download, found '{leak}'"
    )


def test_row5_parity_never_follows_a_symlink_out_of_the_download(tmp_path, monkeypatch):
    leak = tmp_path / "elsewhere" / "leak.csv"

    def place(raw: Path, data: bytes) -> None:
        leak.parent.mkdir()
        leak.write_bytes(data)
        (raw / "leak.csv").symlink_to(leak)

    message = _parity_with(tmp_path, monkeypatch, {"original_answers_file": "leak.csv"}, place)
    assert message == (
        f"leaky (the split recipe of alice): split recipe key 'original_answers_file': 'leak.csv' leads outside the "
        f"competition's download {tmp_path / 'home' / 'raw' / 'leaky' / 'files'} (to {leak}); recipes read only "
        "the download's own files"
    )


# --- row 6: an empty or missing annotation folder never wipes curation.annotations ---------------------------------


def _load(tmp_path: Path, annotations: Path, allow_empty: bool | None = None) -> dg.ExecuteInProcessResult:
    config = AnnotationsConfig(allow_empty=allow_empty) if allow_empty is not None else None
    return dg.materialize(
        [competition_annotations],
        resources={"storage": StorageResource(home=str(tmp_path / "home"), annotations=str(annotations))},
        run_config=dg.RunConfig({"competition_annotations": config}) if config else None,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def _loaded(tmp_path: Path) -> int:
    return len(Warehouse(tmp_path / "home" / "warehouse.duckdb").read_table(ANNOTATIONS))


@pytest.mark.parametrize("mistake", ["empty", "missing"])
def test_row6_mistyped_annotations_folder_keeps_the_table(tmp_path, store, mistake):
    store.update(TITANIC, "ada", {"decision": "include"})
    store.update("spaceship-titanic", "ada", {"decision": "exclude"})
    assert _load(tmp_path, store.root).success and _loaded(tmp_path) == 2
    wrong = tmp_path / "annotatons"
    if mistake == "empty":
        wrong.mkdir()
    result = _load(tmp_path, wrong)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    state = "is empty" if mistake == "empty" else "does not exist"
    assert failure.step_failure_data.error.message.startswith(
        f"dagster._core.definitions.events.Failure: {wrong}: the annotation store {state}, but the warehouse holds "
        "2 annotations; refusing to replace them with none."
    )
    assert _loaded(tmp_path) == 2


def test_row6_emptying_the_table_on_purpose_takes_allow_empty(tmp_path, store):
    store.update(TITANIC, "ada", {"decision": "include"})
    assert _load(tmp_path, store.root).success and _loaded(tmp_path) == 1
    (store.root / TITANIC / "ada.yaml").unlink()
    assert _load(tmp_path, store.root, allow_empty=True).success and _loaded(tmp_path) == 0


# --- row 17: MLECURATE_ANNOTATIONS naming a file; a full disk or read-only folder on annotate -----------------------


def test_row17_annotations_setting_naming_a_file_is_one_line(home, tmp_path, monkeypatch, capsys):
    not_a_folder = _file(tmp_path, "a,b\n", "annotations.csv")
    monkeypatch.setenv("MLECURATE_ANNOTATIONS", str(not_a_folder))
    for command in (["queue"], [*ANNOTATE, "--decision", "include"]):
        assert main(command) == 2
        assert capsys.readouterr().err == (
            f"mlecurate {command[0]}: error: MLECURATE_ANNOTATIONS='{not_a_folder}': {not_a_folder} is a file; "
            "expected a folder (or a path to create one at)\n"
        )


def test_row17_annotation_store_that_is_a_file_fails_the_asset_clearly(tmp_path):
    """The Dagster resource does not go through the settings: the store itself refuses a file."""
    not_a_folder = _file(tmp_path, "a,b\n", "annotations.csv")
    with pytest.raises(AnnotationError, match="the annotation store .* must be a folder, found a file"):
        AnnotationStore(not_a_folder).all()
    assert not _load(tmp_path, not_a_folder).success


@pytest.mark.parametrize(
    "fault, strerror",
    [("full disk", "No space left on device"), ("read-only folder", "Read-only file system")],
)
def test_row17_failed_save_on_annotate_is_one_line_and_keeps_the_annotation(
    home, tmp_path, monkeypatch, capsys, fault, strerror
):
    assert main([*ANNOTATE, "--decision", "include", "--reason", "classic"]) == 0
    path = tmp_path / "annotations" / TITANIC / "ada.yaml"
    before = path.read_bytes()
    capsys.readouterr()

    real_open = os.open

    def full_disk(fd):  # a full disk fails when the bytes reach it
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def read_only(path, flags, *args, **kwargs):  # a read-only folder refuses any new file
        if flags & os.O_CREAT:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    if fault == "full disk":
        monkeypatch.setattr(os, "fsync", full_disk)
    else:
        monkeypatch.setattr(os, "open", read_only)
    assert main([*ANNOTATE, "--decision", "exclude", "--reason", "changed my mind"]) == 2
    assert capsys.readouterr().err == (
        f"mlecurate annotate: error: {path}: cannot save the annotation ({strerror}); nothing was changed\n"
    )
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["ada.yaml"]  # no half-written temporary file left


# --- row 21: queue options out of range -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "option, value, expected",
    [("--limit", "-5", "-5 is not in the range x>=1"), ("--limit", "0", "0 is not in the range x>=1"),
     ("--min-curators", "-1", "-1 is not in the range x>=0")],
)  # fmt: skip
def test_row21_queue_refuses_out_of_range_options(home, capsys, option, value, expected):
    assert main(["queue", option, value]) == 2
    assert capsys.readouterr().err.endswith(f"mlecurate queue: error: Invalid value for '{option}': {expected}.\n")


def test_row21_queue_help_shows_the_ranges(capsys):
    assert main(["queue", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--limit INTEGER RANGE how many to list [default: 20; x>=1]" in help_text
    assert (
        "--min-curators INTEGER RANGE curators who must decide a competition alike (MLE-bench had two engineers "
        "screen each; as `serve`) [default: 2; x>=0]" in help_text
    )


@pytest.mark.parametrize("slug, curator", [("titanic\n", "ada"), ("titanic", "ada\n")])
def test_row10_a_trailing_newline_is_no_slug_or_curator(tmp_path, slug, curator):
    """``$`` matches before a final newline: a slug or curator ending in one must not name a folder."""
    store = AnnotationStore(tmp_path / "annotations")
    with pytest.raises(AnnotationError, match="slug 'titanic\\\\n' is not a|curator 'ada\\\\n' must be"):
        store.update(slug, curator, {"decision": "include"})
    assert not any((tmp_path / "annotations").rglob("*"))


def test_row5_the_split_builder_never_follows_a_symlink_out_of_the_download(tmp_path):
    """The builder resolves the recipe's files under the download too: a ``train.csv`` that is a symlink to a file
    elsewhere is refused before anything is read or written."""
    from splits.builder import build_split
    from validation.split_recipe import parse_recipe

    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text("id,y\n" + "".join(f"{i},{i % 2}\n" for i in range(50)))
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "train.csv").symlink_to(elsewhere)
    recipe = parse_recipe({"kind": "random", "id_column": "id", "target_columns": ["y"]}, "leaky")
    out = tmp_path / "out"
    with pytest.raises(RecipeError) as caught:
        build_split(recipe, raw, out, slug="leaky")
    assert str(caught.value) == (
        f"leaky: split recipe key 'train_file': 'train.csv' leads outside the competition's download {raw} "
        f"(to {elsewhere}); recipes read only the download's own files"
    )
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(
    "kind, key, why",
    [
        ("group", "group_column", "whole groups of one value would go to the test set"),
        ("random", "id_column", "the public test set keeps the id"),
        ("temporal", "time_column", "the test set would be the rows of the latest targets"),
    ],
)
def test_a_unit_or_time_column_that_is_a_target_is_refused(kind, key, why):
    """A newcomer's sweep: group_column set to the target published a test set of one class training never saw."""
    with pytest.raises(RecipeError, match=rf"^r\.yaml: split recipe key '{key}': 'label' is a target column: {why}"):
        parse_recipe({"kind": kind, "target_columns": ["label", "other"], key: "label"}, "r.yaml")


HINT = "(YAML reads a name such as 2019 or true unquoted as {}: quote it, exactly as the file writes it)"


@pytest.mark.parametrize(
    "text, key, found",
    [("target_columns: [2019]\n", "target_columns", "[2019] " + HINT.format("a number")),
     ("target_columns: 2019\n", "target_columns", "2019 " + HINT.format("a number")),
     ("target_columns: [1.50]\n", "target_columns", "[1.5] " + HINT.format("a number")),  # not '1.5': the file has 1.50
     ("target_columns: [y]\nid_column: 7\n", "id_column", "7 " + HINT.format("a number")),
     ("target_columns: [y]\ngroup_column: true\n", "group_column", "True " + HINT.format("true or false")),
     ("target_columns: [y]\ntest_columns: [id, 2019]\n", "test_columns", "['id', 2019] " + HINT.format("a number")),
     ("target_columns: [y]\nsubmission_columns: {id: id, y: 2019}\n", "submission_columns",
      "2019 " + HINT.format("a number")),
     ("target_columns: [y]\ntrain_tables: {a.csv: 2019}\n", "train_tables", "2019 " + HINT.format("a number"))],
)  # fmt: skip
def test_a_column_name_yaml_reads_as_a_number_is_refused_saying_to_quote_it(tmp_path, text, key, found):
    """A year column (``2019``) written plainly was refused as "expected a list of column names, found [2019]", with
    nothing saying YAML had read a number."""
    with pytest.raises(RecipeError) as refused:
        read_recipe_file(_file(tmp_path, "kind: random\n" + text))
    assert f"split recipe key '{key}': " in str(refused.value)
    assert str(refused.value).endswith(f"found {found}"), str(refused.value)
    quoted = read_recipe_file(_file(tmp_path, "kind: random\ntarget_columns: ['2019']\n", "quoted.yaml"))
    assert quoted.target_columns == ("2019",)


@pytest.mark.parametrize("text", ["-.5", "+.5", "+.5e-3", "-.5E+2", "010", "12:30", "1_000", "0x1F", "1e5", "1.0e5"])
def test_text_mlecurate_writes_reads_back_as_the_same_text(tmp_path, text):
    """A review: the strict reader took ``-.5`` for a number where PyYAML's writer, which quotes only what YAML 1.1
    reads as another type, left it plain: ``note: -.5`` was saved and then refused, and ``unseen_label: '+.5'`` came
    back as 0.5. Every text the writers leave plain must be text to the reader."""
    store = AnnotationStore(tmp_path)
    recipe = {"kind": "random", "id_column": "PassengerId", "target_columns": ["Survived"], "unseen_label": text}
    store.update(TITANIC, "ada", {"decision": "include", "note": text, "split_recipe": recipe})
    saved = store.get(TITANIC, "ada")
    assert saved.note == text and saved.split_recipe["unseen_label"] == text
    assert parse_yaml_text(yaml.safe_dump({"value": text}), "dumped") == {"value": text}


def test_dates_are_text_as_written(tmp_path):
    """A review: YAML 1.1 read a date as a date: ``target_columns: [2017-01-01]`` (web-traffic's columns are days) and
    ``scored_rows: {day: 2019-01-01}`` were refused as datetime.date objects no key takes."""
    recipe = read_recipe_file(
        _file(tmp_path, "kind: random\ntarget_columns: [2017-01-01]\nscored_rows: {day: 2019-01-01 10:00:00}\n")
    )
    assert recipe.target_columns == ("2017-01-01",)
    assert recipe.to_document()["scored_rows"] == {"day": "2019-01-01 10:00:00"}
    # an annotation edited by hand with its time unquoted still reads, as the text it is
    store = AnnotationStore(tmp_path / "store")
    store.update(TITANIC, "ada", {"decision": "include"})
    path = store.path_for(TITANIC, "ada")
    written = path.read_text()
    stamp = store.get(TITANIC, "ada").updated_at
    path.write_text(written.replace(f"updated_at: '{stamp}'", f"updated_at: {stamp}"))
    assert f"updated_at: {stamp}\n" in path.read_text()
    assert store.get(TITANIC, "ada").updated_at == stamp
