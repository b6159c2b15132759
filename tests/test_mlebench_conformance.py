"""Conformance with MLE-bench's own graders: the same submissions, graded by ``mlecurate`` and by MLE-bench's grader
for the competition (``../shared/tools/mle-bench``, run in-process through ``mlebench.grade.grade_csv``), get the
same score (to 1e-9) and the same validity, except for the differences the README's "Grading" section lists, which
are asserted here as differences (``DIFFERENCES``).

MLE-bench reads its answers from ``<data>/<slug>/prepared/private/test.csv`` and its sample submission from the name
in the competition's ``config.yaml``. The data dir here is built from mlecurate's prepared files (``_mlebench_dir``):

- the answers are linked as they are where MLE-bench's ``prepare.py`` writes the same columns (the sample
  submission's: spooky-author-identification, leaf-classification, spaceship-titanic, and
  detecting-insults-in-social-commentary, whose MLE-bench answers also carry Kaggle's ``Usage`` column, which its
  grader never reads);
- random-acts-of-pizza's are rewritten as MLE-bench writes them: ``request_id`` and ``requester_received_pizza`` as
  ``int(bool)`` (mlecurate keeps the JSON's ``true``/``false``);
- the sample submission is linked under MLE-bench's name (``sampleSubmission.csv`` for random-acts-of-pizza,
  ``sample_submission_null.csv`` for detecting-insults-in-social-commentary).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import SHARED, prepare_shared_competitions
from validation.data_root import DataRoot
from validation.grading import grade_submission, numbers
from validation.leaderboard import read_leaderboard

MLEBENCH = SHARED.parent / "tools" / "mle-bench"
# What importing MLE-bench's registry and these graders needs (its README; in the project's dev extras). A missing
# one fails the tests here, never skips them: the comparison is the point.
MLEBENCH_NEEDS = ("appdirs", "diskcache", "tenacity", "py7zr", "tqdm", "sklearn", "yaml")


def test_mlebench_can_be_imported():
    missing = [name for name in MLEBENCH_NEEDS if importlib.util.find_spec(name) is None]
    assert MLEBENCH.is_dir() and not missing, f"{MLEBENCH} needs {', '.join(missing)} (pip install -e '.[dev]')"


@dataclasses.dataclass(frozen=True)
class Spec:
    metric: str
    target: str | None  # the predicted column (None: one probability column per class)
    mlebench_sample: str = "sample_submission.csv"  # the sample's name in MLE-bench's config.yaml
    mlebench_answers: Callable[[pd.DataFrame], pd.DataFrame] | None = None  # None: linked as they are


def _pizza_answers(answers: pd.DataFrame) -> pd.DataFrame:
    """As MLE-bench's prepare.py writes them: ``int(sample["requester_received_pizza"])``."""
    return answers.assign(requester_received_pizza=numbers(answers["requester_received_pizza"]).astype(int))


SPECS = {
    "spooky-author-identification": Spec("multiclass_log_loss", None),
    "leaf-classification": Spec("multiclass_log_loss", None),
    "spaceship-titanic": Spec("accuracy", "Transported"),
    "random-acts-of-pizza": Spec("auc", "requester_received_pizza", "sampleSubmission.csv", _pizza_answers),
    "detecting-insults-in-social-commentary": Spec("auc", "Insult", "sample_submission_null.csv"),
}
METRIC = {slug: spec.metric for slug, spec in SPECS.items()}
ID = {
    "spooky-author-identification": "id",
    "leaf-classification": "id",
    "spaceship-titanic": "PassengerId",
    "random-acts-of-pizza": "request_id",
}  # fmt: skip  (detecting-insults has none: rows match by content)

# The intended differences (README, "Grading"), by variant name: how mlecurate and MLE-bench each grade it.
RESCALED, ID_AS_FLOAT, ID_PADDED, EXTRA_COLUMN, UNREAD_COLUMN_MISSING, CLIPPED = (
    "rescaled", "ids-written-as-floats", "ids-with-spaces", "extra-column", "unread-column-missing",
    "hard-labels-clipped",
)  # fmt: skip
DIFFERENCES = {
    # Kaggle's multi-class log loss divides each row by its sum (its pages say so); MLE-bench rejects such rows.
    RESCALED: "ours valid (rescaled, with a note), theirs invalid",
    # Kaggle matches ids as written ("892.0" is not "892": "unable to find required key values"); MLE-bench's
    # graders read ids with pandas' types, and 81.0 == 81.
    ID_AS_FLOAT: "ours invalid (ids missing), theirs valid",
    # The same for " 81" (a sweep's movie-review submission): pandas reads it as 81; the message names the spaces.
    ID_PADDED: "ours invalid (ids missing, the spaces named), theirs valid",
    # Kaggle rejects columns that are not the sample's; MLE-bench's accuracy and AUC graders ignore extra columns.
    EXTRA_COLUMN: "ours invalid (unexpected column), theirs valid",
    # detecting-insults' sample has Insult, Date, Comment; MLE-bench's grader matches rows by Comment alone.
    UNREAD_COLUMN_MISSING: "ours invalid (missing column), theirs valid",
    # Kaggle clips probabilities to [1e-15, 1 - 1e-15] (the competitions' pages give the formula); MLE-bench calls
    # sklearn's log_loss, which (since 1.5) clips to the float's machine epsilon, 2.2e-16.
    CLIPPED: "both valid, ours is Kaggle's clipped score, theirs sklearn's",
}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> DataRoot:
    return prepare_shared_competitions(tmp_path_factory.mktemp("home"), METRIC)


def _mlebench_dir(prepared: DataRoot, data: Path) -> None:
    """MLE-bench's data dir for every competition here, from mlecurate's prepared files (module docstring)."""
    for slug, spec in SPECS.items():
        folder = prepared.prepared(slug)
        private, public = data / slug / "prepared" / "private", data / slug / "prepared" / "public"
        private.mkdir(parents=True)
        public.mkdir(parents=True)
        if spec.mlebench_answers is None:
            (private / "test.csv").symlink_to(folder.answers)
        else:
            spec.mlebench_answers(_answers(prepared, slug)).to_csv(private / "test.csv", index=False)
        (public / spec.mlebench_sample).symlink_to(folder.sample_submission)


@pytest.fixture(scope="module")
def mlebench(prepared, tmp_path_factory):
    """``grade(slug, submission_path) -> report``: MLE-bench's ``grade_csv`` over a data dir built from mlecurate's
    prepared files, with the real leaderboard (the package's own are Git-LFS pointers)."""
    data = tmp_path_factory.mktemp("mlebench-data")
    sys.path.insert(0, str(MLEBENCH))
    here = os.getcwd()
    os.chdir(data)  # importing mlebench.data opens a disk cache in ./cache
    try:
        from mlebench.data import is_dataset_prepared
        from mlebench.grade import grade_csv
        from mlebench.registry import registry
    finally:
        os.chdir(here)
        sys.path.remove(str(MLEBENCH))
    _mlebench_dir(prepared, data)
    reg = registry.set_data_dir(data)
    competitions = {}
    for slug in SPECS:
        board = SHARED / "mle-bench" / "competitions" / slug / "leaderboard.csv"
        competitions[slug] = dataclasses.replace(reg.get_competition(slug), leaderboard=board)
        # the same check `mlebench prepare` and its agent runner make: the files are where MLE-bench looks
        assert is_dataset_prepared(competitions[slug]), slug

    def grade(slug: str, submission: Path):
        return grade_csv(submission, competitions[slug])

    return grade


def _answers(prepared: DataRoot, slug: str) -> pd.DataFrame:
    return pd.read_csv(prepared.prepared(slug).answers, dtype=str, keep_default_na=False)


def _classes(answers: pd.DataFrame, slug: str) -> list[str]:
    return [c for c in answers.columns if c != ID[slug]]


def _variants(prepared: DataRoot, slug: str) -> dict[str, pd.DataFrame | Path]:
    """Submissions to grade both ways: the answers, the sample, a simple model, shuffled and typed variants, broken
    ones, and those of ``DIFFERENCES`` that apply. A Path is graded as it is; a frame is written to a CSV file."""
    folder, spec = prepared.prepared(slug), SPECS[slug]
    answers = _answers(prepared, slug)
    rng = np.random.default_rng(0)
    shuffled = answers.sample(frac=1.0, random_state=0)
    variants: dict[str, pd.DataFrame | Path] = {
        "answers": folder.answers,
        "sample": folder.sample_submission,
        "shuffled-answers": shuffled,
        "missing-row": answers.iloc[1:],
        "repeated-row": pd.concat([answers.iloc[:-1], answers.iloc[[0]]]),
        "extra-row": pd.concat([answers, answers.iloc[[0]]]),
        "empty-prediction": _set(answers, _predicted(answers, slug)[0], 3, ""),
        "NaN-prediction": _set(answers, _predicted(answers, slug)[0], 3, "NaN"),
        "text-prediction": _set(answers, _predicted(answers, slug)[0], 3, "maybe"),
    }
    if slug in ID:
        variants["unknown-id"] = _set(answers, ID[slug], 3, "no-such-id")
    if spec.metric == "accuracy":
        variants |= _label_variants(answers, shuffled, spec.target, rng)
    elif spec.metric == "auc":
        variants |= _probability_variants(answers, shuffled, spec.target, rng)
    else:
        variants |= _class_probability_variants(answers, shuffled, _classes(answers, slug), rng)
    return variants


def _predicted(answers: pd.DataFrame, slug: str) -> list[str]:
    return [SPECS[slug].target] if SPECS[slug].target else _classes(answers, slug)


def _set(frame: pd.DataFrame, column: str, row: int, value: str) -> pd.DataFrame:
    changed = frame.astype({column: object})  # any text may go in: a cell as a person would edit it
    changed.iloc[row, changed.columns.get_loc(column)] = value
    return changed


BOOLEANS = {"True/False": ("True", "False"), "true/false": ("true", "false"), "1/0": ("1", "0"),
            "1.0/0.0": ("1.0", "0.0"), "TRUE/FALSE": ("TRUE", "FALSE")}  # fmt: skip


def _label_variants(answers, shuffled, target, rng) -> dict[str, pd.DataFrame]:
    """A boolean label (spaceship-titanic's Transported, True/False in the answers)."""
    truth = numbers(answers[target]).to_numpy() == 1
    guess = np.where(rng.random(len(answers)) < 0.7, truth, ~truth)
    truth_shuffled = numbers(shuffled[target]).to_numpy() == 1
    out = {}
    for name, (yes, no) in BOOLEANS.items():
        out[f"answers-as-{name}"] = shuffled.assign(**{target: np.where(truth_shuffled, yes, no)})
        out[f"model-as-{name}"] = answers.assign(**{target: np.where(guess, yes, no)})
    out |= {
        "label-2": _set(answers, target, 3, "2"),  # a number that is no boolean
        "label-0.5": _set(answers, target, 3, "0.5"),
        EXTRA_COLUMN: answers.assign(Extra=1),
    }
    return out


def _floats(values: np.ndarray) -> dict[str, list[str]]:
    """The same numbers written several ways: shortest round trip, scientific, fixed with trailing zeros, leading
    dot, upper-case exponent, 17 significant digits."""
    return {
        "repr": [repr(float(v)) for v in values],
        "scientific": [f"{v:.15e}" for v in values],
        "fixed-20": [f"{v:.20f}" for v in values],
        "leading-dot": [f"{v:.17f}".removeprefix("0") for v in values],
        "upper-E": [f"{v:.12E}" for v in values],
        "17-digits": [f"{v:.17g}" for v in values],
    }


def _probability_variants(answers, shuffled, target, rng) -> dict[str, pd.DataFrame]:
    """A probability for a 0/1 label (AUC): random-acts-of-pizza (true/false answers), detecting-insults (0/1)."""
    truth = numbers(answers[target]).to_numpy(dtype=float)
    model = 0.4 * truth + 0.6 * rng.random(len(answers))
    truth_shuffled = numbers(shuffled[target]).to_numpy() == 1
    out: dict[str, pd.DataFrame] = {
        f"answers-as-{name}": shuffled.assign(**{target: np.where(truth_shuffled, yes, no)})
        for name, (yes, no) in BOOLEANS.items()
    }
    out |= {f"model-{name}": answers.assign(**{target: text}) for name, text in _floats(model).items()}
    out |= {
        "model-shuffled": answers.assign(**{target: model}).sample(frac=1.0, random_state=1),
        "above-1": _set(answers, target, 3, "1.5"),
        "negative": _set(answers, target, 3, "-0.1"),
        "infinity": _set(answers, target, 3, "inf"),
        "boundaries": answers.assign(**{target: np.where(model > 0.5, "1", "0.0")}),
        EXTRA_COLUMN: answers.assign(Extra=1),
    }
    if "Date" in answers.columns:  # detecting-insults: rows match by content; Date is part of the sample
        out[UNREAD_COLUMN_MISSING] = answers.drop(columns=["Date"])
        out["reordered-columns"] = answers[["Comment", "Insult", "Date"]]
    return out


def _class_probability_variants(answers, shuffled, classes, rng) -> dict[str, pd.DataFrame]:
    """One probability column per class (multi-class log loss, the answers one-hot)."""
    truth = answers[classes].astype(float).to_numpy()
    noise = rng.dirichlet(np.ones(len(classes)), len(answers))
    model = 0.6 * truth + 0.4 * noise  # rows sum to 1
    first = classes[0]
    out: dict[str, pd.DataFrame] = {
        "one-hot-as-floats": shuffled.assign(**{c: shuffled[c].astype(float) for c in classes}),
        "one-hot-as-1.0/0.0-text": shuffled.assign(**{c: shuffled[c].map({"1": "1.0", "0": "0.0"}) for c in classes}),
        "model-shuffled": answers.assign(**{c: model[:, i] for i, c in enumerate(classes)}).sample(
            frac=1.0, random_state=1
        ),
        "negative": _set(answers.assign(**{c: model[:, i] for i, c in enumerate(classes)}), first, 3, "-0.1"),
        "above-1": _set(answers, first, 3, "1.5"),
        "missing-class-column": answers.drop(columns=[classes[-1]]),
        "extra-class-column": answers.assign(Not_A_Class=0),
        "infinity": _set(answers, first, 3, "inf"),
    }
    for name, texts in _floats(model.ravel()).items():
        frame = answers.copy()
        frame[classes] = np.array(texts, dtype=object).reshape(model.shape)
        out[f"model-{name}"] = frame
    # A hard-label model, a probability of 0 on the true class of some rows: Kaggle clips to 1e-15, sklearn to 2.2e-16.
    hard = truth.copy()
    hard[:5] = np.roll(truth[:5], 1, axis=1)
    out[CLIPPED] = answers.assign(**{c: hard[:, i].astype(int) for i, c in enumerate(classes)})
    # Rows not summing to 1: the first five rows' probabilities halved.
    halved = model.copy()
    halved[:5] /= 2
    out[RESCALED] = answers.assign(**{c: halved[:, i] for i, c in enumerate(classes)})
    if answers["id"].str.fullmatch(r"\d+").all():  # leaf's ids are numbers
        out[ID_AS_FLOAT] = answers.assign(id=answers["id"] + ".0")
        out[ID_PADDED] = answers.assign(id=" " + answers["id"])
    return out


def _path(tmp_path: Path, name: str, submission: pd.DataFrame | Path) -> Path:
    if isinstance(submission, Path):
        return submission
    path = tmp_path / f"{name.replace('/', '-')}.csv"
    submission.to_csv(path, index=False)
    return path


def _same_score(ours, theirs) -> bool:
    if ours.score is None or theirs.score is None:
        return ours.score is None and theirs.score is None
    return abs(ours.score - float(theirs.score)) <= 1e-9


@pytest.fixture(scope="module")
def graded(prepared, mlebench, tmp_path_factory) -> dict[str, dict[str, tuple]]:
    """Every variant of every competition graded both ways: ``{slug: {variant: (ours, theirs)}}``."""
    out: dict[str, dict[str, tuple]] = {}
    for slug, spec in SPECS.items():
        board = read_leaderboard(SHARED / "mle-bench" / "competitions" / slug / "leaderboard.csv")
        folder = tmp_path_factory.mktemp(slug)
        out[slug] = {}
        for name, submission in _variants(prepared, slug).items():
            path = _path(folder, name, submission)
            out[slug][name] = (
                grade_submission(path, prepared.prepared(slug), spec.metric, board),
                mlebench(slug, path),
            )
    return out


@pytest.mark.parametrize("slug", sorted(SPECS))
def test_mlecurate_and_mlebench_agree(graded, slug):
    disagreements = [
        (name, ours.score, theirs.score, ours.valid_submission, theirs.valid_submission, ours.errors)
        for name, (ours, theirs) in graded[slug].items()
        if name not in DIFFERENCES
        and (ours.valid_submission != theirs.valid_submission or not _same_score(ours, theirs))
    ]
    assert not disagreements
    reports = graded[slug]
    # the variants cover both outcomes, and the typed and shuffled answers score as the answers do
    assert reports["answers"][0].valid_submission and reports["answers"][0].gold_medal
    assert not reports["missing-row"][0].valid_submission
    for name, (ours, _) in reports.items():
        if name.startswith(("answers-as-", "shuffled-answers", "one-hot-as")):
            assert ours.valid_submission and ours.score == reports["answers"][0].score, (name, ours.errors)
        if name.startswith("model-"):
            assert ours.valid_submission, (name, ours.errors)


@pytest.mark.parametrize("slug", sorted(SPECS))
def test_out_of_domain_and_broken_predictions_are_invalid_both_ways(graded, slug):
    broken = ["missing-row", "repeated-row", "extra-row", "empty-prediction", "NaN-prediction", "text-prediction",
              "above-1", "negative", "infinity", "label-2", "label-0.5", "unknown-id", "missing-class-column",
              "extra-class-column"]  # fmt: skip
    found = [name for name in broken if name in graded[slug]]
    assert len(found) >= 7
    for name in found:
        ours, theirs = graded[slug][name]
        assert not ours.valid_submission and not theirs.valid_submission, name
        assert ours.score is None and ours.errors, name


def test_the_listed_differences_are_differences(graded, prepared, mlebench, tmp_path):
    """README, "Grading": each listed difference, where it shows, is a difference in the stated direction."""
    seen = set()
    for slug, reports in graded.items():
        for name, (ours, theirs) in reports.items():
            if name not in DIFFERENCES:
                continue
            seen.add(name)
            if name == CLIPPED:
                assert ours.valid_submission and theirs.valid_submission and not _same_score(ours, theirs)
                assert ours.score == round(-np.log(1e-15) * 5 / len(_answers(prepared, slug)), 5)  # Kaggle's formula
            elif name == RESCALED:
                assert ours.valid_submission and not theirs.valid_submission, slug
                assert ours.notes[-1] == "5 row(s)' probabilities do not sum to 1; rescaled as Kaggle does"
            else:
                assert not ours.valid_submission and theirs.valid_submission, (slug, name)
                assert ours.errors, (slug, name)
    assert seen == set(DIFFERENCES)
    assert graded["leaf-classification"][ID_AS_FLOAT][0].errors[0].startswith("column id: 99 id(s) missing")
    padded = graded["leaf-classification"][ID_PADDED][0].errors[1]
    assert padded.startswith("column id: 99 id(s) not in the test set, e.g.  100,  1005,") and padded.endswith(
        "; 99 of them are test ids with spaces around them (e.g. ' 100'): ids are matched as written"
    )
    insults = graded["detecting-insults-in-social-commentary"]
    missing, extra = insults[UNREAD_COLUMN_MISSING][0].errors, insults[EXTRA_COLUMN][0].errors
    assert len(missing) == 1 and missing[0].endswith(": missing column(s): Date (expected Insult, Date, Comment)")
    assert len(extra) == 1 and extra[0].endswith(": 1 unexpected column(s): Extra"), extra

    # A file not named .csv exists for mlecurate (and is rejected with a message), where MLE-bench reports
    # ``submission_exists: false``; both call it invalid.
    slug = "spooky-author-identification"
    text = tmp_path / "submission.txt"
    text.write_bytes(prepared.prepared(slug).answers.read_bytes())
    ours, theirs = grade_submission(text, prepared.prepared(slug), METRIC[slug]), mlebench(slug, text)
    assert not ours.valid_submission and not theirs.valid_submission
    assert ours.submission_exists and not theirs.submission_exists


def _mlebench_grader(slug: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(MLEBENCH))
    folder = slug.replace("-", "_")
    spec = importlib.util.spec_from_file_location(
        f"grade_{folder}", MLEBENCH / "mlebench" / "competitions" / slug / "grade.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.grade


def _packaged(slug: str, classes_at: str, metric: str, keys: list[str], monkeypatch: pytest.MonkeyPatch):
    """(MLE-bench's class list for ``slug`` at ``module.NAME``, its grade function, mlecurate's exported grade
    function for ``metric``): its grade.py imports its own modules relatively, so it is imported as a package."""
    import validation.mlebench_grade as ours

    monkeypatch.syspath_prepend(str(MLEBENCH))
    package = f"mlebench.competitions.{slug}"
    module, _, name = classes_at.partition(".")
    classes = getattr(importlib.import_module(f"{package}.{module}"), name)
    theirs = importlib.import_module(f"{package}.grade").grade
    return classes, theirs, getattr(ours, ours.grade_function_name(metric, keys).partition(":")[2])


def test_out_of_domain_predictions_some_of_mlebenchs_other_graders_score(monkeypatch):
    """README, "Grading": a prediction outside the metric's domain is invalid for mlecurate whatever the competition;
    the five graders above refuse it too, but MLE-bench's graders are one per competition, and some score it:
    plant-pathology-2020-fgvc7's AUC ranks a probability of 1.5, nomad2018's RMSLE takes a negative energy."""
    import validation.mlebench_grade as ours

    def import_fn(name: str):  # MLE-bench's: module:attribute
        return getattr(ours, name.partition(":")[2])

    classes = ["healthy", "multiple_diseases", "rust", "scab"]
    answers = pd.DataFrame({"image_id": [f"Test_{i}" for i in range(8)],
                            **{c: np.eye(4, dtype=int)[np.arange(8) % 4, k] for k, c in enumerate(classes)}})  # fmt: skip
    above = answers.assign(healthy=answers["healthy"] * 1.5)
    theirs = _mlebench_grader("plant-pathology-2020-fgvc7", monkeypatch)(above.copy(), answers.copy())
    assert theirs == 1.0
    with pytest.raises(Exception, match="healthy"):
        import_fn(ours.grade_function_name("mean_columnwise_auc", ["image_id"]))(above, answers)
    targets = ["formation_energy_ev_natom", "bandgap_energy_ev"]
    energies = pd.DataFrame({"id": [1, 2, 3, 4], targets[0]: [0.1, 0.2, 0.3, 0.4], targets[1]: [1.0, 2.0, 3.0, 4.0]})
    negative = energies.assign(formation_energy_ev_natom=[-0.1, 0.2, 0.3, 0.4])
    theirs = _mlebench_grader("nomad2018-predict-transparent-conductors", monkeypatch)(negative.copy(), energies.copy())
    assert np.isfinite(theirs) and theirs > 0
    with pytest.raises(Exception, match="formation_energy_ev_natom"):
        import_fn(ours.grade_function_name("mean_columnwise_rmsle", ["id"]))(negative, energies)


def test_an_empty_answer_under_word_jaccard_scores_one_here_and_fails_mlebenchs_grader(monkeypatch):
    """README, "Grading": Kaggle's word-level Jaccard (tweet-sentiment-extraction's page, MLE-bench's grade.py) divides
    by zero when the answer and the prediction are both empty, as Kaggle's real row fdb77c3752 is; mlecurate scores
    that row 1 (nothing to find, nothing found)."""
    import validation.mlebench_grade as ours

    answers = pd.DataFrame({"textID": ["a1", "b2", "fdb77c3752"], "selected_text": ["good day", "so sad", ""]})
    submission = answers.assign(selected_text=["good", "so sad", ""])
    with pytest.raises(ZeroDivisionError):
        _mlebench_grader("tweet-sentiment-extraction", monkeypatch)(submission.copy(), answers.copy())
    grade = getattr(ours, ours.grade_function_name("word_jaccard", ["textID"]).partition(":")[2])
    assert grade(submission, answers) == round((0.5 + 1 + 1) / 3, 5)


LABEL_SET_GRADERS = [("imet-2020-fgvc7", "id", "attribute_ids"), ("plant-pathology-2021-fgvc8", "image", "labels"),
                     ("facebook-recruiting-iii-keyword-extraction", "Id", "Tags")]  # fmt: skip


@pytest.mark.parametrize("slug, key, column", LABEL_SET_GRADERS, ids=[g[0] for g in LABEL_SET_GRADERS])
def test_micro_f1_of_label_sets_agrees_with_mlebenchs_graders(monkeypatch, slug, key, column):
    """f1_micro_labels, the metric MLE-bench grades these three with (Meta Kaggle says F-Score (Micro) or F-Score Beta
    (Micro), which mlecurate maps to one label a row): the same scores on label sets in any order, repeated labels,
    empty rows, shuffled rows; apart from predicted labels no answer holds (README's differences)."""
    import validation.mlebench_grade as ours

    grade = getattr(ours, ours.grade_function_name("f1_micro_labels", [key]).partition(":")[2])
    theirs = _mlebench_grader(slug, monkeypatch)
    generator = np.random.default_rng(7)
    labels = ["13", "147", "rust", "c++", "scab frog_eye_leaf_spot"]
    answers = pd.DataFrame(
        {
            key: [f"r{i:03d}" for i in range(60)],
            column: [" ".join(generator.choice(labels, generator.integers(1, 4))) for _ in range(60)],
        }
    )
    submissions = {
        "answers": answers,
        "reordered": answers.assign(**{column: answers[column].str.split().map(lambda s: " ".join(sorted(s)[::-1]))}),
        "some wrong": answers.assign(**{column: [" ".join(generator.choice(labels, 2)) for _ in range(60)]}),
        "some empty": answers.assign(**{column: [v if i % 3 else "" for i, v in enumerate(answers[column])]}),
        "shuffled rows": answers.sample(frac=1, random_state=3),
    }
    for name, submission in submissions.items():
        ours_score = grade(submission.copy(), answers.copy())
        assert ours_score == pytest.approx(theirs(submission.copy(), answers.copy()), abs=1e-5), name
    unknown = answers.assign(**{column: answers[column] + " never-an-answer"})
    assert grade(unknown.copy(), answers.copy()) < theirs(unknown.copy(), answers.copy()) == 1.0


def test_kappa_counts_the_distance_between_ratings_not_between_the_labels_seen(monkeypatch):
    """README, "Grading": quadratic weighted kappa weighs a disagreement by the ratings' distance over the whole
    range (Kaggle's, Ben Hamner's Metrics), where sklearn's cohen_kappa_score, in MLE-bench's
    learning-agency-lab-automated-essay-scoring-2 grader, counts steps between the labels present: with no 6 among
    answers and predictions, 5 against 7 is one step there and two here. With no gap, the two agree."""
    import validation.mlebench_grade as ours

    grade = getattr(ours, ours.grade_function_name("quadratic_weighted_kappa", ["essay_id"]).partition(":")[2])
    theirs = _mlebench_grader("learning-agency-lab-automated-essay-scoring-2", monkeypatch)
    answers = pd.DataFrame({"essay_id": [f"e{i}" for i in range(40)], "score": [1 + i % 5 for i in range(40)]})
    close = answers.assign(score=[s if i % 4 else min(s + 1, 5) for i, s in enumerate(answers["score"])])
    assert grade(close.copy(), answers.copy()) == pytest.approx(theirs(close.copy(), answers.copy()), abs=1e-5)
    gap = answers.assign(score=[7 if i == 4 else s for i, s in enumerate(answers["score"])])  # a 5 answered 7
    ours_score, their_score = grade(gap.copy(), answers.copy()), theirs(gap.copy(), answers.copy())
    assert ours_score < their_score - 0.005, (ours_score, their_score)


def test_a_blank_class_label_is_invalid_here_and_a_wrong_label_in_mlebench(monkeypatch):
    """README, "Grading": a blank prediction of a class label (paddy-disease-classification's `label`) makes the
    submission invalid, naming the lines; MLE-bench's paddy grader fills it with "" and counts the row wrong."""
    import validation.mlebench_grade as ours

    grade = getattr(ours, ours.grade_function_name("accuracy", ["image_id"]).partition(":")[2])
    theirs = _mlebench_grader("paddy-disease-classification", monkeypatch)
    answers = pd.DataFrame({"image_id": [f"{i}.jpg" for i in range(6)], "label": ["blast", "normal", "hispa"] * 2})
    blank = answers.assign(label=[None, *answers["label"][1:]])
    assert theirs(blank.copy(), answers.copy()) == pytest.approx(5 / 6)
    with pytest.raises(Exception, match="column label: 1 empty value"):
        grade(blank, answers)


def test_map_at_k_reads_labels_between_runs_of_white_space_where_mlebench_splits_on_each_space(monkeypatch):
    """README, "Grading": under MAP@5 (whale-categorization-playground), ``"  w_x  new_whale"`` predicts w_x first
    here; MLE-bench's grader splits on every single space, so the empty texts before it take the first two of the
    five places (a newcomer's sweep: 1.0 here, 0.333 there). With single spaces the two agree."""
    import validation.mlebench_grade as ours

    grade = getattr(ours, ours.grade_function_name("map_at_k", ["Image"]).partition(":")[2])
    theirs = _mlebench_grader("whale-categorization-playground", monkeypatch)
    answers = pd.DataFrame({"Image": [f"{i:03d}.jpg" for i in range(6)], "Id": ["w_x", "new_whale", "w_y"] * 2})
    single = answers.assign(Id=[f"w_z {label} new_whale" for label in answers["Id"]])
    assert grade(single.copy(), answers.copy()) == pytest.approx(theirs(single.copy(), answers.copy()), abs=1e-5)
    doubled = answers.assign(Id=[f"  {label}  new_whale" for label in answers["Id"]])
    assert grade(doubled.copy(), answers.copy()) == 1.0
    assert theirs(doubled.copy(), answers.copy()) == pytest.approx(1 / 3)


def test_a_constant_prediction_column_under_columnwise_spearman_scores_0_here_and_nan_in_mlebench(monkeypatch):
    """README, "Grading": google-quest-challenge's grader means scipy's Spearman over 30 columns; a column predicted
    constant gives scipy's nan, and the submission scores nan. Here the column scores 0 (constant predictions tell
    nothing, as under Pearson's r), so the sample submission, constant in every column, gets a score."""
    classes, theirs, grade = _packaged(
        "google-quest-challenge", "classes.CLASSES", "mean_columnwise_spearman", ["qa_id"], monkeypatch
    )
    generator = np.random.default_rng(3)
    answers = pd.DataFrame({"qa_id": range(20), **{c: generator.random(20).round(3) for c in classes}})
    noisy = answers.assign(**{c: answers[c] + generator.normal(0, 0.2, 20) for c in classes})
    assert grade(noisy.copy(), answers.copy()) == pytest.approx(theirs(noisy.copy(), answers.copy()), abs=1e-5)
    flat = answers.assign(**{classes[0]: 0.5})
    assert grade(flat.copy(), answers.copy()) == pytest.approx((len(classes) - 1) / len(classes), abs=1e-5)
    with pytest.warns(Warning, match="constant"):  # scipy's ConstantInputWarning
        assert np.isnan(theirs(flat.copy(), answers.copy()))


def test_prediction_columns_in_another_order_are_read_by_name_here_and_by_position_in_mlebench(monkeypatch):
    """README, "Grading" (a sweep, jigsaw-toxic-comment-classification-challenge): MLE-bench's grader checks the six
    class columns are there, then scores them by position, so a submission writing them in another order is scored
    against the wrong classes (0.71226 against 0.9901 on the sweep's). Here columns are matched by name. In the
    sample's order the two agree."""
    classes, theirs, grade = _packaged(
        "jigsaw-toxic-comment-classification-challenge", "classes.CLASSES", "mean_columnwise_auc", ["id"], monkeypatch
    )
    generator = np.random.default_rng(8)
    answers = pd.DataFrame({"id": [f"{i:016x}" for i in range(200)],
                            **{c: (generator.random(200) < 0.3).astype(int) for c in classes}})  # fmt: skip
    model = answers.assign(**{c: (answers[c] + generator.normal(0, 0.6, 200)).clip(0, 1).round(4) for c in classes})
    assert grade(model.copy(), answers.copy()) == pytest.approx(theirs(model.copy(), answers.copy()), abs=1e-5)
    reversed_columns = model[["id", *classes[::-1]]]
    assert grade(reversed_columns.copy(), answers.copy()) == pytest.approx(grade(model.copy(), answers.copy()))
    assert theirs(reversed_columns.copy(), answers.copy()) < grade(model.copy(), answers.copy()) - 0.1


def test_binary_log_loss_clips_as_kaggle_does_where_mlebench_clips_less(monkeypatch):
    """README, "Grading" (a newcomer's sweep, statoil-iceberg-classifier-challenge): a probability of exactly 0 or 1
    on the wrong side is clipped to 1e-15 here, Kaggle's rule, and to 2.2e-16 by MLE-bench's sklearn log_loss: a
    higher loss there (0.966 against 1.004 on the sweep's submission). Away from 0 and 1 the two agree."""
    import validation.mlebench_grade as ours

    grade = getattr(ours, ours.grade_function_name("log_loss", ["id"]).partition(":")[2])
    theirs = _mlebench_grader("statoil-iceberg-classifier-challenge", monkeypatch)
    answers = pd.DataFrame({"id": [f"{i:08x}" for i in range(20)], "is_iceberg": [i % 2 for i in range(20)]})
    soft = answers.assign(is_iceberg=[0.8 if i % 2 else 0.3 for i in range(20)])
    assert grade(soft.copy(), answers.copy()) == pytest.approx(theirs(soft.copy(), answers.copy()), abs=1e-5)
    sure = soft.assign(is_iceberg=[0.0 if i == 1 else p for i, p in enumerate(soft["is_iceberg"])])  # wrong, sure
    ours_score, their_score = grade(sure.copy(), answers.copy()), theirs(sure.copy(), answers.copy())
    truth, predicted = answers["is_iceberg"].to_numpy(), sure["is_iceberg"].to_numpy()
    kaggles = -np.mean(np.log(np.clip(np.where(truth == 1, predicted, 1 - predicted), 1e-15, 1 - 1e-15)))
    assert ours_score == pytest.approx(kaggles, abs=1e-5)
    assert their_score > ours_score + 0.05


def test_petfinder_predictions_outside_1_to_100_are_scored_here_and_invalid_in_mlebench(monkeypatch):
    """README, "Grading" (a newcomer's sweep): petfinder-pawpularity-score's grader refuses a Pawpularity outside
    1..100; RMSE here takes any number (a regression's domain is every number; Kaggle scored them)."""
    import validation.mlebench_grade as ours

    grade = getattr(ours, ours.grade_function_name("rmse", ["Id"]).partition(":")[2])
    theirs = _mlebench_grader("petfinder-pawpularity-score", monkeypatch)
    answers = pd.DataFrame({"Id": [f"{i:032x}" for i in range(10)], "Pawpularity": [10 * (i + 1) for i in range(10)]})
    inside = answers.assign(Pawpularity=answers["Pawpularity"].clip(upper=95) - 3)
    assert grade(inside.copy(), answers.copy()) == pytest.approx(theirs(inside.copy(), answers.copy()), abs=1e-5)
    outside = inside.assign(Pawpularity=[0.5, *inside["Pawpularity"][1:-1], 104])
    assert grade(outside.copy(), answers.copy()) > 0
    with pytest.raises(Exception, match="between 1 and 100"):
        theirs(outside.copy(), answers.copy())


def test_mae_is_not_rounded_here_where_mlebenchs_volcanic_grader_rounds_it_to_a_whole_number(monkeypatch):
    """README, "Grading" (a newcomer's sweep): predict-volcanic-eruptions-ingv-oe's grader returns int(round(mae));
    here MAE keeps its decimals (rounded to five places as every score), so the answers plus 0.4 score 0.4, not 0."""
    import validation.mlebench_grade as ours

    grade = getattr(ours, ours.grade_function_name("mae", ["segment_id"]).partition(":")[2])
    theirs = _mlebench_grader("predict-volcanic-eruptions-ingv-oe", monkeypatch)
    answers = pd.DataFrame({"segment_id": range(1, 11), "time_to_eruption": [1_000_000 * i for i in range(1, 11)]})
    near = answers.assign(time_to_eruption=answers["time_to_eruption"] + 0.4)
    assert grade(near.copy(), answers.copy()) == pytest.approx(0.4) and theirs(near.copy(), answers.copy()) == 0
    far = answers.assign(time_to_eruption=answers["time_to_eruption"] + 12_345)
    assert grade(far.copy(), answers.copy()) == theirs(far.copy(), answers.copy()) == 12_345


def test_kl_divergence_agrees_with_mlebenchs_hms_grader(monkeypatch):
    """kl_divergence, hms-harmful-brain-activity-classification's metric: the answers are votes per class, graded as
    each row's shares of its votes; the same scores as MLE-bench's grader (Kaggle's KL code) on a perfect, a noisy, a
    sure-and-wrong (clipped) and a row-shuffled submission, against the votes or the shares the split publishes; a
    row not summing to 1 is invalid both ways."""
    classes, theirs, grade = _packaged(
        "hms-harmful-brain-activity-classification", "constants.TARGET_COLS", "kl_divergence", ["eeg_id"], monkeypatch
    )
    generator = np.random.default_rng(5)
    votes = generator.multinomial(generator.integers(1, 20, 40), [1 / 6] * 6)  # 1-19 experts a row
    answers = pd.DataFrame({"eeg_id": generator.permutation(10**6)[:40], **dict(zip(classes, votes.T, strict=True))})
    shares = answers.assign(**{c: answers[c] / votes.sum(axis=1) for c in classes})
    noisy = answers.assign(**dict(zip(classes, generator.dirichlet([1] * 6, 40).T, strict=True)))
    sure = shares.assign(**{c: (votes.argmin(axis=1) == k).astype(float) for k, c in enumerate(classes)})
    submissions = {"perfect": shares, "noisy": noisy, "sure and wrong": sure, "shuffled": noisy.sample(frac=1)}
    for truth_name, truth in {"votes": answers, "shares": shares}.items():
        for name, submission in submissions.items():
            expected = theirs(submission.copy(), truth.copy())
            assert grade(submission.copy(), truth.copy()) == pytest.approx(expected, abs=1e-5), (truth_name, name)
    assert grade(shares.copy(), answers.copy()) == 0.0 and grade(sure.copy(), answers.copy()) > 10
    unnormalised = noisy.assign(**{classes[0]: noisy[classes[0]] + 0.01})
    with pytest.raises(Exception, match="add to 1"):
        theirs(unnormalised.copy(), answers.copy())
    with pytest.raises(Exception, match=r"40 row\(s\) whose probabilities do not sum to 1 \(to 5 decimals\)"):
        grade(unnormalised.copy(), answers.copy())


# MLE-bench's prepare.py of three shared competitions draws its new test set with train_test_split(old_train,
# test_size, random_state=0): the download's files each needs (copied to a scratch raw folder, as its prepare extracts
# into it), and the recipe that draws the same rows.
DRAWN_LIKE_MLEBENCH = {
    "spooky-author-identification": (
        {"_zips/train.zip": "train.zip"},
        {
            "kind": "random",
            "id_column": "id",
            "target_columns": ["author"],
            "test_fraction": 0.1,
            "test_file": None,
            "sample_submission_file": "sample_submission.csv",
        },
        "id",
    ),
    "spaceship-titanic": (
        {"train.csv": "train.csv"},
        {
            "kind": "random",
            "id_column": "PassengerId",
            "target_columns": ["Transported"],
            "test_fraction": 0.1,
            "test_file": None,
        },
        "PassengerId",
    ),  # fmt: skip
    "random-acts-of-pizza": (
        {"train.json": "train.json", "test.json": "test.json"},
        {
            "kind": "random",
            "id_column": "request_id",
            "target_columns": ["requester_received_pizza"],
            "train_file": "train.json",
            "test_file": "test.json",
            "original_ratio": True,
        },
        "request_id",
    ),  # fmt: skip
}


@pytest.mark.parametrize("slug", sorted(DRAWN_LIKE_MLEBENCH))
def test_draw_train_test_split_publishes_mlebenchs_own_new_test_rows(tmp_path, monkeypatch, slug):
    """A sweep (163) found mlecurate's rows could never be MLE-bench's, so a score could not be compared row for row.
    With ``draw: train_test_split`` the new test and train sets are the ones MLE-bench's own prepare.py writes
    (run here on the real download), and the same submission grades the same under both graders."""
    import shutil

    from splits.layout import prepare_competition
    from validation.data_root import PreparedFolder
    from validation.split_recipe import parse_recipe

    files, recipe, key = DRAWN_LIKE_MLEBENCH[slug]
    raw, public, private = tmp_path / "raw", tmp_path / "public", tmp_path / "private"
    for folder in (raw, public, private):
        folder.mkdir()
    for source, name in files.items():
        shutil.copy(SHARED / "competitions" / slug / source, raw / name)
    monkeypatch.syspath_prepend(str(MLEBENCH))
    importlib.import_module(f"mlebench.competitions.{slug}.prepare").prepare(raw, public, private)
    theirs_test = pd.read_csv(private / "test.csv", dtype=str, keep_default_na=False)
    theirs_train = pd.read_csv(public / "train.csv", dtype=str, keep_default_na=False) if (
        public / "train.csv").is_file() else pd.DataFrame(pd.read_json(public / "train.json", dtype=False))  # fmt: skip

    download = SHARED / "competitions" / slug
    recipe = recipe | {"metric": METRIC_OF_DRAWN[slug]}
    drawn = parse_recipe(recipe | {"draw": "train_test_split"}, "r")
    prepared = prepare_competition(slug, drawn, download, tmp_path / "ours", "description")
    assert prepared.published, [(c.name, c.found) for c in prepared.checks if not c.passed]
    ours = PreparedFolder(prepared.folder)
    ours_test = pd.read_csv(ours.answers, dtype=str, keep_default_na=False)
    ours_train = pd.read_csv(ours.public / "train.csv", dtype=str) if (ours.public / "train.csv").is_file() else (
        pd.DataFrame(pd.read_json(ours.public / "train.json", dtype=False)))  # fmt: skip
    assert len(ours_test) == len(theirs_test) > 0
    assert set(ours_test[key]) == set(theirs_test[key])
    assert set(ours_train[key].astype(str)) == set(theirs_train[key].astype(str))
    assert f"scikit-learn's `train_test_split` over the `{key}` values in the order they first appear, each value's " \
           "rows together (`random_state=0`)" in (ours.public / "description.md").read_text()  # fmt: skip
    # a model's submission on those rows grades the same under MLE-bench's grader and mlecurate's
    model = _a_model(ours_test, key, np.random.default_rng(1))
    model.to_csv(tmp_path / "model.csv", index=False)
    mine = grade_submission(tmp_path / "model.csv", ours, METRIC_OF_DRAWN[slug], None)
    theirs_answers = pd.read_csv(private / "test.csv")
    theirs = importlib.import_module(f"mlebench.competitions.{slug}.grade").grade(
        pd.read_csv(tmp_path / "model.csv"), theirs_answers)  # fmt: skip
    assert mine.valid_submission and mine.score == pytest.approx(theirs, abs=1e-5), (mine.errors, theirs)
    # the hash draw, the default, gives other rows
    hashed = prepare_competition(slug, parse_recipe(recipe, "r"), download, tmp_path / "hashed")
    assert set(pd.read_csv(PreparedFolder(hashed.folder).answers, dtype=str)[key]) != set(theirs_test[key])


METRIC_OF_DRAWN = {"spooky-author-identification": "multiclass_log_loss", "spaceship-titanic": "accuracy",
                   "random-acts-of-pizza": "auc"}  # fmt: skip


def _a_model(answers: pd.DataFrame, key: str, rng: np.random.Generator) -> pd.DataFrame:
    """A submission of the answers' shape that is right more often than not: one-hot classes blurred, 0/1
    probabilities blended with noise, True/False labels with every fifth flipped."""
    model = answers.copy()
    predicted = [c for c in answers.columns if c != key]
    if len(predicted) > 1:  # one probability column per class
        blurred = 0.5 * numbers(answers[predicted]) + rng.random((len(answers), len(predicted)))
        return model.assign(**(blurred.div(blurred.sum(axis=1), axis=0)).round(6))
    column = predicted[0]
    if set(answers[column]) <= {"True", "False"}:
        flipped = answers[column].where(answers.index % 5 > 0, answers[column].map({"True": "False", "False": "True"}))
        return model.assign(**{column: flipped})
    return model.assign(**{column: (0.6 * numbers(answers[column]) + 0.4 * rng.random(len(answers))).round(6)})
