"""Whether every prediction column of Kaggle's sample submission is graded: a column the new sample and answers leave
out is Kaggle's ``Usage`` (which leaderboard a row counted for: no prediction), or a target the recipe does not name.

>>> left_out = ["Usage", "CVC - Normal"]   # Kaggle's sample columns the built sample does not have
>>> ungraded = ungraded_sample_columns(left_out, train_columns, public_test_columns)   # ["CVC - Normal"]
>>> check = check_sample_columns_graded(left_out, ungraded, "sample_submission.csv", "train.csv")
>>> check.passed, check.found   # False: CVC - Normal is a column of train.csv that target_columns leaves out

ranzcr-clip-catheter-line-classification's sample predicts eleven columns of its train file; a recipe of nine
targets (as MLE-bench grades it) builds a sample and answers of nine, which is a choice to say, not to make unseen.
"""

from __future__ import annotations

from validation.checks import Check
from validation.leakage import SplitCheck
from validation.messages import shown_list

SAMPLE_COLUMNS_GRADED = Check(
    "sample_columns_graded",
    "Every column Kaggle's sample submission predicts is graded: the new sample and answers leave out only columns "
    "that are no prediction (Kaggle's `Usage`), not a column of the train file.",
    severity="warning",
    remedy="Name the columns in split recipe key `target_columns` to grade them as Kaggle did; if they are left out "
    "on purpose (MLE-bench grades 9 of ranzcr-clip's 11 targets), say so in the annotation's note.",
)


def ungraded_sample_columns(dropped: list[str], train_columns: list[str], public_columns: list[str]) -> list[str]:
    """The columns of Kaggle's sample left out of the new sample and answers (``dropped``) that the train file has
    (in any letter case) but the public test set does not: a label the recipe's ``target_columns`` leaves out, rather
    than a column that is no prediction (Kaggle's ``Usage``) or a feature the test set has."""
    train = {c.casefold() for c in train_columns}
    public = {c.casefold() for c in public_columns}
    return [c for c in dropped if c.casefold() in train and c.casefold() not in public]


def check_sample_columns_graded(
    dropped: list[str], ungraded: list[str], sample_name: str | None, train_name: str
) -> SplitCheck:
    """The check over the columns of Kaggle's sample (``sample_name``) the split left out (``dropped``), of which
    ``ungraded`` (:func:`ungraded_sample_columns`) are training columns no target names."""
    if ungraded:
        return SplitCheck(
            SAMPLE_COLUMNS_GRADED.name, False,
            f"Kaggle's {sample_name} predicts {shown_list(ungraded)}, column(s) of {train_name} that split recipe key "
            "'target_columns' leaves out: the new sample and answers leave them out, and no submission is graded on "
            "them",
            {"ungraded_columns": len(ungraded)},
        )  # fmt: skip
    if dropped:
        return SplitCheck(
            SAMPLE_COLUMNS_GRADED.name, True,
            f"{shown_list(dropped)} of Kaggle's {sample_name} left out: no prediction (no target column of "
            f"{train_name})",
            {},
        )  # fmt: skip
    whose = f"Kaggle's {sample_name}" if sample_name else "the built sample"
    return SplitCheck(SAMPLE_COLUMNS_GRADED.name, True, f"every column of {whose} is graded", {})
