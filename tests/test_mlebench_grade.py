"""``validation.mlebench_grade``: mlecurate's grader behind MLE-bench's ``grade(submission, answers)`` interface, as an
exported config names it (``test_mlebench_export.py`` runs it inside MLE-bench; these are its own edges)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pandas as pd
import pytest

import validation.mlebench_grade as mlebench_grade
from validation.mlebench_grade import InvalidSubmissionError, grade_function_name

ANSWERS = pd.DataFrame({"id": [1, 2, 3, 4], "label": [True, False, True, False]})


def _grader(name: str):
    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute)  # what MLE-bench's import_fn does


def test_the_name_carries_metric_and_keys_and_resolves_to_a_grader():
    name = grade_function_name("accuracy", ["id"])
    assert name == "validation.mlebench_grade:grade?metric=accuracy&keys=id"
    grade = _grader(name)
    assert grade(ANSWERS.copy(), ANSWERS) == 1.0
    assert grade(ANSWERS.assign(label=[True, True, True, True]), ANSWERS) == 0.5
    assert grade.__name__ == "grade?metric=accuracy&keys=id" and "accuracy" in grade.__doc__


def test_keys_with_awkward_names_survive_the_import_path():
    """A column name with ':' (MLE-bench splits the path on it), '&', '=' or spaces is percent-encoded."""
    answers = ANSWERS.rename(columns={"id": "row: id & more=1"})
    name = grade_function_name("accuracy", ["row: id & more=1"])
    assert name.count(":") == 1
    assert _grader(name)(answers.copy(), answers) == 1.0


def test_an_invalid_submission_raises_with_every_problem_named():
    grade = _grader(grade_function_name("accuracy", ["id"]))
    invalid = mlebench_grade._invalid_submission_error()  # MLE-bench's when another test has imported it, else ours
    assert invalid.__name__ == "InvalidSubmissionError"
    with pytest.raises(invalid, match=r"missing column\(s\): label"):
        grade(ANSWERS[["id"]], ANSWERS)
    with pytest.raises(invalid, match=r"column id: 1 id\(s\) missing, e.g. 4"):
        grade(ANSWERS.head(3), ANSWERS)
    with pytest.raises(invalid, match="column label: 1 empty value"):
        grade(ANSWERS.assign(label=[True, None, True, False]), ANSWERS)


def test_the_error_is_mlebenchs_own_when_mlebench_can_be_imported(monkeypatch):
    mlebench = Path(__file__).parents[2] / "shared" / "tools" / "mle-bench"
    monkeypatch.syspath_prepend(str(mlebench))
    from mlebench.grade_helpers import InvalidSubmissionError as theirs

    with pytest.raises(theirs):
        _grader(grade_function_name("accuracy", ["id"]))(ANSWERS[["id"]], ANSWERS)


def test_without_mlebench_the_error_is_ours(monkeypatch):
    monkeypatch.setitem(sys.modules, "mlebench", None)  # import mlebench... raises ImportError
    monkeypatch.setitem(sys.modules, "mlebench.grade_helpers", None)
    with pytest.raises(InvalidSubmissionError):
        _grader(grade_function_name("accuracy", ["id"]))(ANSWERS[["id"]], ANSWERS)


@pytest.mark.parametrize(
    "attribute",
    ["grade?metric=nonsense&keys=id", "grade?keys=id", "grade?metric=auc&metric=accuracy", "grade?metric=auc&x=1"],
)
def test_a_name_that_is_not_a_grader_is_an_attribute_error_naming_it(attribute):
    with pytest.raises(AttributeError, match="not a grader mlecurate exports"):
        getattr(mlebench_grade, attribute)
    with pytest.raises(AttributeError, match="has no attribute 'other'"):
        mlebench_grade.other  # noqa: B018


def test_grade_function_name_refuses_an_unknown_metric():
    with pytest.raises(ValueError, match="unknown metric 'nonsense'"):
        grade_function_name("nonsense", ["id"])


def test_the_preparer_refuses_saying_where_the_data_is(tmp_path):
    public = tmp_path / "data" / "titanic" / "prepared" / "public"
    with pytest.raises(RuntimeError, match=r"^titanic: this competition was prepared by mlecurate"):
        mlebench_grade.prepare(tmp_path / "raw", public, public.parent / "private")


def _read_as_mlebench_does(text: str) -> pd.DataFrame:
    import io

    return pd.read_csv(io.StringIO(text))  # MLE-bench's read_csv: pandas' defaults, "null" and "N/A" read as NaN


def test_class_labels_pandas_reads_as_missing_are_the_label_nan_as_mlebench_compares_them():
    """text-normalization's answers hold the tokens ``null`` and ``N/A`` as labels; MLE-bench reads them as NaN and
    compares labels as text (``astype(str)``: both 'nan'). The exported grader turned them blank, a blank label is
    invalid, so even the answers themselves were an invalid submission and the export was refused."""
    answers = _read_as_mlebench_does("id,after\n1,null\n2,N/A\n3,two\n4,NA\n")
    assert answers["after"].isna().sum() == 3
    grade = _grader(grade_function_name("accuracy", ["id"]))
    assert grade(answers.copy(), answers) == 1.0
    written = _read_as_mlebench_does("id,after\n1,\n2,NA\n3,two\n4,three\n")  # blank and NA read as missing too
    assert grade(written, answers) == 0.75  # as MLE-bench's astype(str) scores it: row 4 alone is wrong
    invalid = mlebench_grade._invalid_submission_error()
    with pytest.raises(invalid, match="column label: 1 empty value"):  # a label column without missing answers
        grade(ANSWERS.assign(label=[True, None, True, False]), ANSWERS)
    classes = _read_as_mlebench_does("id,after\n1,1\n2,2\n3,NA\n4,1\n")  # a class NA among numbers: float to pandas
    assert grade(classes.copy(), classes) == 1.0
    assert grade(classes.assign(after=[1, 2, 2, 1]), classes) == 0.75
    numbers = _read_as_mlebench_does("id,target\n1,0.5\n2,\n")  # a missing number stays missing: no label 'nan'
    with pytest.raises(invalid, match="empty or NaN"):
        _grader(grade_function_name("rmse", ["id"]))(numbers.copy(), numbers)
