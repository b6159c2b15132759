"""Conformance with MLE-bench's own graders: the same submissions, graded by ``mlecurate`` and by MLE-bench's grader
for the competition (``../shared/tools/mle-bench``, run in-process through ``mlebench.grade.grade_csv``), get the
same score (to 1e-9) and the same validity, except for the differences the README's "Grading" section lists, which
are asserted here as differences.

MLE-bench reads its answers from ``<data>/<slug>/prepared/private/test.csv``: mlecurate's ``private/answers.csv`` has
that format (the sample submission's columns), so the data dir here links to mlecurate's prepared files.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import SHARED, prepare_shared_competitions
from validation.data_root import DataRoot
from validation.grading import grade_submission
from validation.leaderboard import read_leaderboard

MLEBENCH = SHARED.parent / "tools" / "mle-bench"
# What importing MLE-bench's registry and these graders needs (its README; in the project's dev extras). A missing
# one fails the tests here, never skips them: the comparison is the point.
MLEBENCH_NEEDS = ("appdirs", "diskcache", "tenacity", "py7zr", "tqdm", "sklearn", "yaml")


def test_mlebench_can_be_imported():
    missing = [name for name in MLEBENCH_NEEDS if importlib.util.find_spec(name) is None]
    assert MLEBENCH.is_dir() and not missing, f"{MLEBENCH} needs {', '.join(missing)} (pip install -e '.[dev]')"


METRIC = {"spooky-author-identification": "multiclass_log_loss", "spaceship-titanic": "accuracy"}
CLASSES = ["EAP", "HPL", "MWS"]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> DataRoot:
    return prepare_shared_competitions(tmp_path_factory.mktemp("home"), METRIC)


@pytest.fixture(scope="module")
def mlebench(prepared, tmp_path_factory):
    """``grade(slug, submission_path) -> report``: MLE-bench's ``grade_csv`` over a data dir linking to mlecurate's
    prepared files, with the real leaderboard (the package's own are Git-LFS pointers)."""
    data = tmp_path_factory.mktemp("mlebench-data")
    sys.path.insert(0, str(MLEBENCH))
    here = os.getcwd()
    os.chdir(data)  # importing mlebench.data opens a disk cache in ./cache
    try:
        from mlebench.grade import grade_csv
        from mlebench.registry import registry
    finally:
        os.chdir(here)
        sys.path.remove(str(MLEBENCH))
    for slug in METRIC:
        folder = prepared.prepared(slug)
        (data / slug / "prepared" / "private").mkdir(parents=True)
        (data / slug / "prepared" / "public").mkdir(parents=True)
        (data / slug / "prepared" / "private" / "test.csv").symlink_to(folder.answers)
        (data / slug / "prepared" / "public" / "sample_submission.csv").symlink_to(folder.sample_submission)
    reg = registry.set_data_dir(data)

    def grade(slug: str, submission: Path):
        board = SHARED / "mle-bench" / "competitions" / slug / "leaderboard.csv"
        competition = dataclasses.replace(reg.get_competition(slug), leaderboard=board)
        return grade_csv(submission, competition)

    return grade


def _answers(prepared: DataRoot, slug: str) -> pd.DataFrame:
    return pd.read_csv(prepared.prepared(slug).answers, dtype=str, keep_default_na=False)


def _variants(prepared: DataRoot, slug: str) -> dict[str, pd.DataFrame | Path]:
    """Submissions to grade both ways: the answers, the sample, a simple model, shuffled and typed variants, broken
    ones. A Path is graded as it is; a frame is written to ``submission.csv``."""
    folder = prepared.prepared(slug)
    answers = _answers(prepared, slug)
    rng = np.random.default_rng(0)
    shuffled = answers.sample(frac=1.0, random_state=0)
    variants: dict[str, pd.DataFrame | Path] = {
        "answers": folder.answers,
        "sample": folder.sample_submission,
        "shuffled-answers": shuffled,
        "missing-row": answers.iloc[1:],
        "repeated-id": pd.concat([answers.iloc[:-1], answers.iloc[[0]]]),
    }
    if slug == "spaceship-titanic":
        truth = answers["Transported"] == "True"
        guess = np.where(rng.random(len(answers)) < 0.7, truth, ~truth)
        variants |= {
            "simple-model": answers.assign(Transported=np.where(guess, "True", "False")),
            "typed-1/0": shuffled.assign(Transported=np.where(shuffled["Transported"] == "True", "1", "0")),
            "typed-lower-case": answers.assign(Transported=answers["Transported"].str.lower()),
            "typed-1.0/0.0-model": answers.assign(Transported=np.where(guess, "1.0", "0.0")),
        }
    else:
        noise = rng.dirichlet(np.ones(len(CLASSES)), len(answers))
        model = 0.6 * answers[CLASSES].astype(float).to_numpy() + 0.4 * noise  # rows sum to 1
        variants |= {
            "simple-model": answers.assign(**{c: model[:, i] for i, c in enumerate(CLASSES)}),
            "typed-one-hot-as-floats": shuffled.assign(**{c: shuffled[c].astype(float) for c in CLASSES}),
            "nan-probability": answers.assign(EAP=answers["EAP"].where(answers.index != 3, "")),
        }
    return variants


def _path(tmp_path: Path, submission: pd.DataFrame | Path) -> Path:
    if isinstance(submission, Path):
        return submission
    path = tmp_path / "submission.csv"
    submission.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("slug", sorted(METRIC))
def test_mlecurate_and_mlebench_agree(prepared, mlebench, tmp_path, slug):
    board = read_leaderboard(SHARED / "mle-bench" / "competitions" / slug / "leaderboard.csv")
    disagreements = []
    for name, submission in _variants(prepared, slug).items():
        path = _path(tmp_path, submission)
        ours = grade_submission(path, prepared.prepared(slug), METRIC[slug], board)
        theirs = mlebench(slug, path)
        same_score = (ours.score is None and theirs.score is None) or (
            ours.score is not None and theirs.score is not None and abs(ours.score - float(theirs.score)) <= 1e-9
        )
        if ours.valid_submission != theirs.valid_submission or not same_score:
            disagreements.append((name, ours.score, theirs.score, ours.valid_submission, ours.errors))
    assert not disagreements


def test_the_listed_differences_are_the_only_ones_tested_here(prepared, mlebench, tmp_path):
    """README "Grading": (1) a row of class probabilities not summing to 1 is rescaled as Kaggle does (with a note),
    where MLE-bench rejects it; (2) a file not named .csv exists for mlecurate (and is rejected with a message),
    where MLE-bench reports ``submission_exists: false``; both call it invalid."""
    slug = "spooky-author-identification"
    answers = _answers(prepared, slug)
    answers.loc[[0, 1], CLASSES] = answers.loc[[0, 1], CLASSES].replace("1", "2")
    path = _path(tmp_path, answers)
    ours, theirs = grade_submission(path, prepared.prepared(slug), METRIC[slug]), mlebench(slug, path)
    assert ours.valid_submission and ours.score == 0.0 and not theirs.valid_submission
    assert ours.notes == ["2 row(s)' probabilities do not sum to 1; rescaled as Kaggle does"]

    text = tmp_path / "submission.txt"
    text.write_bytes(prepared.prepared(slug).answers.read_bytes())
    ours, theirs = grade_submission(text, prepared.prepared(slug), METRIC[slug]), mlebench(slug, text)
    assert not ours.valid_submission and not theirs.valid_submission
    assert ours.submission_exists and not theirs.submission_exists
