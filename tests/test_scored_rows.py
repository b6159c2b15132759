"""Split recipe key ``scored_rows``: Kaggle scores some test rows only (ventilator-pressure-prediction: the
inspiratory phase, ``u_out == 0``). A newcomer's sweep found mlecurate scoring every row: the sample scored 8.89
where MLE-bench's grader (and Kaggle, whose leaderboard gives the medal thresholds) gave 10.01, and a submission
wrong only on unscored rows scored 3.1 where theirs scored 0. The oracle here is MLE-bench's own ventilator
grader."""

from __future__ import annotations

import importlib
import re

import duckdb
import numpy as np
import pandas as pd
import pytest

import validation.grading as grading
from splits.builder import SplitError
from splits.layout import prepare_competition
from tests.conftest import mlebench_grade, write_csv
from validation.data_root import PreparedFolder
from validation.grading import grade_submission
from validation.mlebench_grade import grade_function_name
from validation.parity_inputs import load_parity_inputs
from validation.scored_rows import scored_mask, scored_sql
from validation.split_recipe import RecipeError, parse_recipe

BREATHS, STEPS = 60, 8  # each breath: 8 time steps, the first 5 breathing in (u_out 0), the last 3 out
RECIPE = {"kind": "group", "id_column": "id", "group_column": "breath_id", "target_columns": ["pressure"],
          "scored_rows": {"u_out": 0}, "metric": "mae", "test_fraction": 0.2}  # fmt: skip
COLUMNS = ["id", "breath_id", "R", "C", "time_step", "u_in", "u_out"]


def _ventilator(tmp_path):
    raw = tmp_path / "raw"
    generator = np.random.default_rng(0)
    rows = []
    for breath in range(BREATHS):
        for step in range(STEPS):
            rows.append((breath * STEPS + step + 1, breath + 1, 20, 50, round(step * 0.03, 4),
                         round(float(generator.random() * 30), 4), int(step >= 5),
                         round(float(generator.random() * 40), 4)))  # fmt: skip
    write_csv(raw / "train.csv", [*COLUMNS, "pressure"], rows)
    write_csv(raw / "test.csv", COLUMNS, [(10_000 + r[0], 1_000 + r[1], *r[2:7]) for r in rows[: STEPS * 10]])
    return raw


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("ventilator")
    split = prepare_competition("ventilator", parse_recipe(RECIPE, "r"), _ventilator(tmp_path), tmp_path / "prepared")
    assert split.published
    return split


def import_fn(name: str):
    """MLE-bench's way to a grader from config.yaml's ``grade_fn``: ``module:attribute``, imported, then getattr."""
    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _answers_with_u_out(folder: PreparedFolder) -> pd.DataFrame:
    """The answers as MLE-bench's ventilator prepare.py keeps them: every test column, u_out among them."""
    test = pd.read_csv(folder.public / "test.csv")
    return test.merge(pd.read_csv(folder.answers), on="id")


def test_only_the_scored_rows_are_counted_and_said(built):
    folder = PreparedFolder(built.folder)
    test = pd.read_csv(folder.public / "test.csv")
    assert built.manifest["rows"]["test_scored"] == int((test["u_out"] == 0).sum()) == len(test) * 5 // 8
    assert len(pd.read_csv(folder.answers)) == len(test)  # every test row is answered and submitted
    text = folder.description.read_text()
    assert f"Only the {len(test) * 5 // 8} test rows where `u_out` is 0 are scored" in text


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "precise path"])
def test_grades_agree_with_mlebenchs_ventilator_grader(built, tmp_path, monkeypatch, fast):
    monkeypatch.setattr(grading, "FAST_PATH", fast)
    folder = PreparedFolder(built.folder)
    answers = _answers_with_u_out(folder)
    theirs = mlebench_grade("ventilator-pressure-prediction")
    generator = np.random.default_rng(1)
    exhaling = answers["u_out"] == 1
    submissions = {
        "sample": pd.read_csv(folder.sample_submission),
        "wrong only breathing out": answers[["id", "pressure"]].assign(
            pressure=answers["pressure"].where(~exhaling, answers["pressure"] + 100)),
        "noisy": answers[["id", "pressure"]].assign(pressure=answers["pressure"] + generator.normal(0, 3, len(answers))),
        "shuffled": answers[["id", "pressure"]].sample(frac=1, random_state=2),
    }  # fmt: skip
    for name, submission in submissions.items():
        path = tmp_path / f"{name}.csv"
        submission.to_csv(path, index=False)
        ours = grade_submission(path, folder, "mae")
        assert ours.valid_submission, (name, ours.errors)
        assert ours.score == pytest.approx(theirs(submission.copy(), answers.copy()), abs=1e-5), name  # 5 decimals
        assert f"{len(answers) * 5 // 8} of the {len(answers)} test rows are scored" in ours.notes[-1]
    assert grade_submission(tmp_path / "wrong only breathing out.csv", folder, "mae").score == 0


def test_the_exported_grader_scores_the_rows_mlebenchs_ventilator_grader_scores(built, tmp_path):
    """``mlecurate export`` left such a competition out (MLE-bench's grade(submission, answers) had no room for the
    mask); the mask now travels as a column of the exported answers, named in the grader's name, and the grader
    MLE-bench imports scores what MLE-bench's own ventilator grader scores, the answers themselves perfect."""
    from curation.benchmark_export import _write_masked_answers

    folder = PreparedFolder(built.folder)
    exported = tmp_path / "test.csv"
    _write_masked_answers(folder, "scored", exported)
    masked = pd.read_csv(exported, float_precision="round_trip")  # as MLE-bench reads the answers
    assert list(masked.columns) == ["id", "pressure", "scored"]
    assert (masked["scored"].to_numpy() == (_answers_with_u_out(folder)["u_out"] == 0)).all()
    ours = import_fn(grade_function_name("mae", ["id"], "scored"))
    theirs, answers = mlebench_grade("ventilator-pressure-prediction"), _answers_with_u_out(folder)
    exhaling = answers["u_out"] == 1
    submissions = {
        "sample": pd.read_csv(folder.sample_submission),
        "wrong only breathing out": answers[["id", "pressure"]].assign(
            pressure=answers["pressure"].where(~exhaling, answers["pressure"] + 100)),
        "wrong breathing in": answers[["id", "pressure"]].assign(
            pressure=answers["pressure"].where(exhaling, answers["pressure"] + 7)),
        "shuffled": answers[["id", "pressure"]].sample(frac=1, random_state=2),
    }  # fmt: skip
    for name, submission in submissions.items():
        expected = theirs(submission.copy(), answers.copy())
        assert ours(submission.copy(), masked.copy()) == pytest.approx(expected, abs=1e-9), name
    assert ours(masked.drop(columns=["scored"]), masked.copy()) == 0  # the answers as a submission: perfect
    with pytest.raises(Exception, match="1 unexpected column\\(s\\): scored") as raised:  # as `mlecurate grade` says
        ours(masked.copy(), masked.copy())
    assert type(raised.value).__name__ == "InvalidSubmissionError"
    assert ours(submissions["wrong breathing in"], masked.copy()) == pytest.approx(7)


@pytest.mark.parametrize(
    "damage, message",
    [(lambda a: a.drop(columns=["scored"]), "the answers have no column 'scored' saying which rows are scored"),
     (lambda a: a.assign(scored=2), "the answers' column 'scored' is not 1 and 0 with at least one 1"),
     (lambda a: a.assign(scored=0), "the answers' column 'scored' is not 1 and 0 with at least one 1")],
    ids=["missing", "not a mask", "no row scored"],
)  # fmt: skip
def test_exported_answers_with_a_broken_mask_are_a_broken_export_not_a_bad_submission(built, tmp_path, damage,
                                                                                      message):  # fmt: skip
    from curation.benchmark_export import _write_masked_answers

    exported = tmp_path / "test.csv"
    _write_masked_answers(PreparedFolder(built.folder), "scored", exported)
    answers = pd.read_csv(exported)
    grade = import_fn(grade_function_name("mae", ["id"], "scored"))
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        grade(answers[["id", "pressure"]], damage(answers))
    assert type(raised.value) is ValueError  # not MLE-bench's InvalidSubmissionError: the export is at fault


def test_parity_scores_the_same_rows(built):
    inputs = load_parity_inputs(PreparedFolder(built.folder), _ventilator_raw(built), RECIPE, "mae")
    assert (inputs.new_test.features["u_out"].astype(str) == "0").all()  # read as text
    assert len(inputs.new_test.features) == built.manifest["rows"]["test_scored"]
    assert any("rows are scored (split recipe key scored_rows)" in note for note in inputs.notes)


def test_the_feature_comparison_draws_every_test_row_alike(built):
    """A review: the new test set's features were cut to the scored rows (u_out 0) and compared with Kaggle's whole
    test set (u_out mostly 1): a classifier told them apart, and ventilator, with no released labels, was drift."""
    from validation.parity import parity_report

    without = {key: value for key, value in RECIPE.items() if key != "scored_rows"}
    folder, raw = PreparedFolder(built.folder), _ventilator_raw(built)
    scored, every = (parity_report(load_parity_inputs(folder, raw, recipe, "mae")) for recipe in (RECIPE, without))
    assert scored.adversarial_auc == every.adversarial_auc and scored.columns == every.columns
    assert scored.verdict == every.verdict


def _ventilator_raw(built):
    return PreparedFolder(built.folder).path.parent.parent / "raw"


CELLS = ["0", "0.0", " 0 ", "00", "1", "0_0", "-0", "", None, "true", "1e0"]


@pytest.mark.parametrize("value", ["0", "1", "true", "0.0"])
def test_duckdb_and_pandas_read_a_scored_value_alike(value):
    """The split writes the mask with DuckDB; parity reads the rule with pandas: one definition, the same rows."""
    frame = pd.DataFrame({"u_out": CELLS})
    with duckdb.connect() as con:
        con.register("cells", frame)
        by_sql = [row[0] for row in con.execute(f"SELECT {scored_sql((('u_out', value),))} FROM cells").fetchall()]
    assert by_sql == scored_mask(frame, (("u_out", value),)).tolist()
    if value == "0":
        assert by_sql == [True, True, True, True, False, False, True, False, False, False, False]


TYPED = {
    "bool": pd.Series([True, False, None, True], dtype="boolean"),
    "int": pd.Series([0, 1, None, 0], dtype="Int64"),
    "float": pd.Series([0.0, 1.0, np.nan, 0.5]),
}


@pytest.mark.parametrize("kind", sorted(TYPED))
@pytest.mark.parametrize("value", ["0", "1", "false", "true", "0.5"])
def test_typed_columns_are_read_alike_by_both(kind, value):
    """A review: parity's frames are typed (DuckDB's .df()); a Parquet boolean u_out holds 0 as false."""
    frame = pd.DataFrame({"u_out": TYPED[kind]})
    with duckdb.connect() as con:
        con.register("cells", frame)
        by_sql = [row[0] for row in con.execute(f"SELECT {scored_sql((('u_out', value),))} FROM cells").fetchall()]
    assert by_sql == scored_mask(frame, (("u_out", value),)).tolist()
    if kind == "bool" and value in ("0", "false"):
        assert by_sql == [False, True, False, False]


def test_a_yaml_boolean_is_a_value():
    assert parse_recipe(RECIPE | {"scored_rows": {"u_out": False}}, "r").scored_rows == (("u_out", "false"),)


@pytest.mark.parametrize(
    "damage, message",
    [("", "cannot be read as the split's scored rows"), ("other\n1\n", "cannot be read as the split's scored rows"),
     ("scored\n2\n", "not a column scored of 1 and 0 with at least one 1"),
     ("scored\n0\n", "not a column scored of 1 and 0 with at least one 1")],
)  # fmt: skip
def test_a_damaged_mask_is_named_with_the_split_to_rerun(built, tmp_path, damage, message):
    """A review: an empty mask file raised pandas' EmptyDataError, a wrong column a KeyError, naming nothing."""
    import shutil

    from validation.data_root import DataRootFileError
    from validation.scored_rows import read_scored

    copy = PreparedFolder(shutil.copytree(built.folder, tmp_path / "ventilator"))
    copy.scored_rows.write_text(damage)
    with pytest.raises(DataRootFileError, match=message) as refused:
        read_scored(copy)
    assert str(refused.value).startswith(str(copy.scored_rows)) and "competition_split for partition" in str(
        refused.value
    )


@pytest.mark.parametrize(
    "change, error, message",
    [
        ({"scored_rows": {"pressure": 0}}, RecipeError, "'pressure' is a target column"),
        ({"scored_rows": {"id": 3}}, RecipeError, "names the id column 'id'"),
        ({"scored_rows": {"u_in_x": 0}}, RecipeError, "'u_in_x' is not a column of the new public test set"),
        ({"scored_rows": {"u_out": 7}}, SplitError, "none of the new test set's 96 rows holds u_out '7'"),
    ],
)
def test_a_rule_that_cannot_score_is_refused_naming_the_key(tmp_path, change, error, message):
    with pytest.raises(error, match=message) as refused:
        prepare_competition("v", parse_recipe(RECIPE | change, "r"), _ventilator(tmp_path), tmp_path / "prepared")
    assert "split recipe key 'scored_rows'" in str(refused.value)
    assert not (tmp_path / "prepared" / "v").exists()


def _reshaped(tmp_path, change):
    raw = _ventilator(tmp_path)
    frame = pd.read_csv(raw / "train.csv")
    change(frame)
    frame.to_csv(raw / "train.csv", index=False)
    return raw


def test_scored_rows_of_one_class_are_refused_naming_scored_rows(tmp_path):
    """A review: the refusal counted the scored rows as the answers and advised raising test_fraction."""
    from validation.gradable_answers import UngradableAnswers

    def flag(frame):  # a 0/1 target, 1 only where nothing is scored
        frame["pressure"] = frame["u_out"]

    recipe = parse_recipe(RECIPE | {"metric": "auc"}, "r")
    with pytest.raises(UngradableAnswers, match="The rows split recipe key 'scored_rows' scores hold one class there"):
        prepare_competition("v", recipe, _reshaped(tmp_path, flag), tmp_path / "prepared")


def test_a_column_constant_on_the_scored_rows_is_refused_under_a_columnwise_metric(tmp_path):
    """A review: a target varying over every row but constant where u_out is 0 passed, and Spearman's mean left it
    out: a random column scored 1.0."""
    from validation.gradable_answers import UngradableAnswers

    def second(frame):
        frame["volume"] = frame["u_out"] * frame["u_in"]  # 0 on every scored row

    recipe = parse_recipe(RECIPE | {"metric": "mean_columnwise_spearman",
                                    "target_columns": ["pressure", "volume"]}, "r")  # fmt: skip
    with pytest.raises(UngradableAnswers, match=r"every one of the new test set's 60 scored rows in column volume is "
                                                r"'0\.0'.*Check split recipe key 'scored_rows'"):  # fmt: skip
        prepare_competition("v", recipe, _reshaped(tmp_path, second), tmp_path / "prepared")


@pytest.mark.parametrize("form", ["parquet", "json"])
def test_the_mask_follows_the_answers_in_the_duckdb_route(tmp_path, form):
    """The tests above split a CSV by its lines; a Parquet or JSON file goes through DuckDB by row number (JSON via a
    Parquet copy), and u_out is typed there (an integer, or a boolean). The mask must still follow the answers."""
    raw = _ventilator(tmp_path)
    for name in ("train", "test"):
        frame = pd.read_csv(raw / f"{name}.csv").assign(u_out=lambda f: f["u_out"].astype(bool))
        if form == "parquet":
            frame.to_parquet(raw / f"{name}.parquet", index=False)
        else:
            frame.to_json(raw / f"{name}.json", orient="records", lines=True)
        (raw / f"{name}.csv").unlink()
    recipe = RECIPE | {"train_file": f"train.{form}", "test_file": f"test.{form}"}
    built = prepare_competition("v", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    folder = PreparedFolder(built.folder)
    with duckdb.connect() as con:
        public = con.execute(f"SELECT id, u_out FROM '{folder.public / f'test.{form}'}'").df()
    answers = pd.read_csv(folder.answers)
    mask = pd.read_csv(folder.scored_rows)["scored"]
    expected = answers[["id"]].merge(public, on="id", how="left")["u_out"]
    assert len(mask) == len(answers) and (mask.astype(bool) == ~expected.astype(bool)).all()
    assert built.manifest["rows"]["test_scored"] == int((~public["u_out"].astype(bool)).sum())
