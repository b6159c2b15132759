"""``public/description.md``: the competition's own text, then the new split as built (counts and shares from the
files), its files, the metric and how grading works, and what changed from Kaggle's version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from splits.layout import prepare_annotated_split, prepare_competition
from tests.conftest import SHARED
from validation.split_recipe import parse_recipe

COMPETITIONS = SHARED / "competitions"
RECIPES = Path(__file__).resolve().parents[1] / "splits" / "recipes"


def _describe(tmp_path, slug: str, changes: dict | None = None, facts: dict | None = None, overview=None) -> str:
    document = yaml.safe_load((RECIPES / f"{slug}.yaml").read_text()) | (changes or {})
    document = {k: v for k, v in document.items() if v is not None}
    prepared = prepare_annotated_split(
        slug, document, "alice", COMPETITIONS / slug, tmp_path / "prepared", facts or {}, overview=overview
    )
    assert prepared.published
    return (prepared.folder / "public" / "description.md").read_text(encoding="utf-8")


def test_shares_are_the_built_splits_not_the_recipes(tmp_path):
    text = _describe(tmp_path, "titanic")  # original_ratio: true
    assert "- new training set: 606 rows (68.0%)\n- new test set: 285 rows (32.0%)\n" in text
    assert "The test share follows Kaggle's: its test set is 418 of 1,309 rows (31.9%)." in text
    assert "Kaggle's test set (`test.csv`, 418 rows) is not used: its labels are hidden." in text
    assert "0.1" not in text
    text = _describe(tmp_path, "titanic", {"original_ratio": None, "test_fraction": 0.2})
    assert "- new training set: 713 rows (80.0%)\n- new test set: 178 rows (20.0%)\n" in text
    assert "follows Kaggle's" not in text


def test_released_labels_are_described_as_kaggles_own_test_set(tmp_path):
    text = _describe(tmp_path, "detecting-insults-in-social-commentary")
    assert "labels are hidden" not in text and "test set is rebuilt" not in text and "not used" not in text
    assert (
        "Kaggle released the labels of its test set after the competition, so the test set is Kaggle's own "
        "(`test.csv`), graded with those labels (`test_with_solutions.csv`)" in text
    )
    assert "- training set: 3,947 rows (59.9%), Kaggle's `train.csv` as it is" in text
    assert "- test set: 2,647 rows (40.1%), Kaggle's `test.csv` with its released labels" in text
    assert "There is no id column: a submission's rows are matched to the test rows by the content" in text


def test_the_metric_is_the_recipes_else_the_competitions_with_its_direction(tmp_path):
    text = _describe(tmp_path, "spaceship-titanic", facts={"evaluation_algorithm_name": "Log Loss"})
    assert "Metric: **Categorization Accuracy** (`accuracy`, named by the split recipe): higher is better" in text
    assert "see the competition page" not in text

    text = _describe(
        tmp_path,
        "spooky-author-identification",
        {"metric": None},
        facts={"evaluation_algorithm_name": "Multiclass Loss"},
    )
    assert (
        'Metric: **Multiclass Loss** (`multiclass_log_loss`, Kaggle\'s metric, "Multiclass Loss"): lower is better, '
        "a perfect submission scores 0. A submission holds one probability column per class; values must be class "
        "probabilities between 0 and 1. Each row's probabilities are rescaled to sum to 1, then clipped to "
        "1e-15..1-1e-15." in text
    )
    text = _describe(tmp_path, "titanic", {"metric": None}, facts={"evaluation_algorithm_name": "Hamming Loss"})
    assert "Metric: Kaggle's \"Hamming Loss\" (mlecurate's metric registry does not grade it)." in text
    text = _describe(tmp_path, "titanic", {"metric": None})  # a competition outside the dump: no facts
    assert "Metric: not known to mlecurate" in text


def test_a_split_no_metric_grades_and_one_without_medals_say_so(tmp_path):
    """Sweeps 183 and 185: kuzushiji's description said a submission "is scored against the test set's hidden
    answers; medal thresholds come from Kaggle's leaderboard", with no metric to score it and no medals awarded, and
    AI4Code's called a sample no metric had checked (one notebook's cell order on every row) "a valid submission"."""
    text = _describe(tmp_path, "titanic", {"metric": None}, facts={"evaluation_algorithm_name": "KNISTMicroF1"})
    assert "mlecurate cannot score it: it grades no metric known for this competition (see above)." in text
    assert "hidden answers" not in text and "medal thresholds" not in text and "a valid submission" not in text
    assert "| the format to submit (the columns; its values are placeholders, not checked by any metric) |" in text
    text = _describe(tmp_path, "titanic", facts={"can_qualify_tiers": False})
    assert "It is scored against the test set's hidden answers; Kaggle awarded no medals in this competition." in text
    assert "medal thresholds" not in text and "a valid submission with trivial values" in text
    text = _describe(tmp_path, "titanic", facts={"can_qualify_tiers": True})
    assert "medal thresholds come from Kaggle's leaderboard for the competition." in text


def test_the_competitions_own_text_comes_first_unchanged(tmp_path):
    overview = (SHARED / "mle-bench" / "competitions" / "spooky-author-identification" / "description.md").read_text()
    text = _describe(tmp_path, "spooky-author-identification", overview=overview)
    assert text.startswith(overview)
    generated = text[len(overview) :]
    assert generated.lstrip("\n").startswith("---\n\n# This version of the task (prepared by mlecurate)")
    assert "this section describes the data you have" in generated
    assert "Rows were drawn at random (seed 0) within each class of `author`" in generated
    assert (
        "A submission is a CSV file with the columns of `sample_submission.csv` (`id`, `EAP`, `HPL`, `MWS`) and one "
        "row per test row (1,958 rows, each `id` of the test set once)." in generated
    )
    assert "| `train.csv` | 17,621 | the training set, with the target `author` |" in generated
    assert "| `test.csv` | 1,958 | the test set, without the target |" in generated
    assert "| `sample_submission.csv` | 1,958 | a valid submission with trivial values" in generated


def test_without_an_overview_the_title_opens_it(tmp_path):
    facts = {"title": "Titanic - Machine Learning from Disaster", "subtitle": "Start here!"}
    assert _describe(tmp_path, "titanic", facts=facts).startswith(
        "# Titanic - Machine Learning from Disaster\n\nStart here!\n\nKaggle competition: "
        "https://www.kaggle.com/competitions/titanic\n\n# This version of the task"
    )
    assert _describe(tmp_path, "titanic").startswith("# titanic\n\n")


def test_what_changed_lists_left_out_columns_and_the_rebuilt_sample(tmp_path):
    text = _describe(tmp_path, "random-acts-of-pizza")
    assert "and without 14 column(s) that Kaggle's test set does not have either (`number_of_downvotes" in text
    assert "- The test set is rebuilt from Kaggle's training set: 404 of its 4,040 rows became the new test set" in text
    assert (
        "- The split recipe names no sample submission file (`sample_submission_file`); `sample_submission.csv` holds "
        "the id and the target columns (`request_id`, `requester_received_pizza`): a submission has these columns, "
        "whatever submission format Kaggle's own pages give." in text
    )  # chaii's Kaggle format is id,PredictionString; its built sample, id,answer_text
    assert "Kaggle's download has no sample submission" not in text
    assert "- No other file of Kaggle's download is in `public/`." in text


@pytest.mark.parametrize(
    "kind, changes, says",
    [
        (
            "group",
            {"group_column": "Pclass", "test_fraction": 0.2},
            "Whole groups of `Pclass` were drawn at random (seed 0)",
        ),
        (
            "temporal",
            {"time_column": "Fare"},
            "The test set is the latest rows by `Fare`; the training set is "
            "everything earlier, except that rows sharing the time where the two meet are divided at random (seed 0) to "
            "give the test set its size.",
        ),
        (
            "temporal",
            {"time_column": "PassengerId"},
            "The test set is the latest rows by `PassengerId`; the training set is everything earlier.\n",
        ),  # no two rows share a time: nothing divided
        (
            "temporal",
            {"time_column": "Age", "test_fraction": 0.9},
            "The test set is the latest rows by `Age`; the training set is everything earlier. The test set needed "
            "more rows than have a time: it holds every row with one, and rows without one drawn at random (seed 0)",
        ),  # 714 of 891 rows have an age; the test set is 802
        (
            "temporal",
            {"time_column": "PassengerId", "group_column": "PassengerId"},
            "The test set is the latest rows by `PassengerId`, with every other row of their groups of `PassengerId` "
            "(no group has rows in both sets); the training set is the rest.\n",
        ),
        (
            "stratified",
            {"group_column": "Ticket", "test_fraction": 0.3},
            "Whole groups of `Ticket` were drawn at random (seed 0) within each class of `Survived`: no group has rows "
            "in both sets, and each class keeps its share of the rows as nearly as whole groups allow.",
        ),
        (
            "random",
            {"group_column": "Ticket"},
            "Whole groups of `Ticket` were drawn at random (seed 0): no group has rows in both sets.",
        ),
        (
            "stratified",
            {"target_columns": ["Survived", "Sex"]},
            "Rows were drawn at random (seed 0) within each "
            "combination of `Survived`, `Sex`, so each class keeps its share",
        ),
    ],
)
def test_each_kind_says_how_rows_were_assigned(tmp_path, kind, changes, says):
    recipe = parse_recipe({"kind": kind, "id_column": "PassengerId", "target_columns": ["Survived"]} | changes, "r")
    prepared = prepare_competition("titanic", recipe, COMPETITIONS / "titanic", tmp_path / "prepared")
    assert says in (prepared.folder / "public" / "description.md").read_text()


def test_identical_latest_rows_are_one_unit_and_not_called_divided(tmp_path):
    """Without an id, identical rows are one unit: both latest rows go to the test set of one row's size together,
    and nothing sharing their time stays behind."""
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = [f"{t},{t % 3},{t % 2}" for t in range(1, 11)] + ["11,7,1", "11,7,1"]
    (raw / "train.csv").write_text("t,x,y\n" + "\n".join(rows) + "\n")
    recipe = parse_recipe({"kind": "temporal", "time_column": "t", "target_columns": ["y"], "test_fraction": 0.05,
                           "test_file": None, "metric": "accuracy"}, "r")  # fmt: skip
    prepared = prepare_competition("same-rows", recipe, raw, tmp_path / "prepared")
    text = (prepared.folder / "public" / "description.md").read_text()
    assert "The test set is the latest rows by `t`; the training set is everything earlier.\n" in text


def test_released_original_labels_are_not_called_hidden(tmp_path, monkeypatch):
    """With ``original_answers_file`` Kaggle's test labels are released (parity uses them): never "hidden"."""
    download = tmp_path / "titanic"
    shutil.copytree(COMPETITIONS / "titanic", download)
    (download / "solution.csv").write_text("PassengerId,Survived\n892,0\n")
    recipe = parse_recipe(
        {"kind": "random", "id_column": "PassengerId", "target_columns": ["Survived"],
         "original_answers_file": "solution.csv"}, "r",
    )  # fmt: skip
    text = (
        prepare_competition("titanic", recipe, download, tmp_path / "p").folder / "public" / "description.md"
    ).read_text()
    assert "labels are hidden" not in text and "(its labels are hidden)" not in text
    assert (
        "Kaggle's test set (`test.csv`, 418 rows) is not the test set here. Kaggle released its labels (`solution.csv`)"
        in text
    )
    assert "- Kaggle's own test set is not the test set here (its released labels, `solution.csv`, only check" in text


def test_the_metric_is_the_one_grading_and_parity_resolve(tmp_path):
    """Only the recipe's metric or Meta Kaggle's name: a ``metric`` fact alone (no Meta Kaggle name) names nothing,
    as :func:`validation.metrics.resolve_metric` (grading, parity) names nothing."""
    from validation.metrics import resolve_metric

    assert resolve_metric(None, {"kind": "random"}, None) is None
    text = _describe(tmp_path, "titanic", {"metric": None}, facts={"metric": "log_loss"})
    assert "Metric: not known to mlecurate" in text and "log_loss" not in text


def test_a_metric_name_with_a_placeholder_is_filled():
    """Meta Kaggle names MAP@K "MAP@{K}"; the text an agent reads says which k grading uses."""
    from validation.metrics import METRICS, RANKING_DEPTH

    assert METRICS["map_at_k"].display_name == f"MAP@{RANKING_DEPTH}"
    assert "{" not in "".join(metric.display_name for metric in METRICS.values())


def test_rows_without_a_group_are_counted_and_said_never_to_be_tested(tmp_path):
    """A group split on titanic's Cabin (empty for 687 of 891 passengers) drew its test set from the 204 with a cabin
    only, without a word."""
    text = _describe(tmp_path, "titanic", {"kind": "group", "group_column": "Cabin"})
    assert (
        "687 rows have no `Cabin` (an empty CSV field, or null): they are never in the test set, which was drawn from the other "
        "204 rows only." in text
    )
    manifest = yaml.safe_load((tmp_path / "prepared" / "titanic" / "manifest.json").read_text())
    assert manifest["rows"]["without_unit"] == 687
    assert "rows have no" not in _describe(tmp_path / "again", "titanic", {"kind": "group", "group_column": "Pclass"})


def test_a_test_share_moved_by_whole_groups_is_said(tmp_path):
    """Sweep 178's whale-redux: four days as groups, test_fraction 0.5, and a test set of 77% of the rows, unsaid.
    Titanic's three classes as groups (216, 184 and 491 rows): 300 rows asked can only be 216, 184, 400 or 491."""
    text = _describe(tmp_path, "titanic", {"original_ratio": None, "kind": "group", "group_column": "Pclass",
                                           "test_rows": 300})  # fmt: skip
    manifest = yaml.safe_load((tmp_path / "prepared" / "titanic" / "manifest.json").read_text())
    test_rows = manifest["rows"]["test"]
    assert test_rows in (216, 184, 400, 491)
    assert (
        f"The test set has {test_rows:,} rows where 300 were asked: the rows of a group of `Pclass` go to one side "
        "together, so few or large groups move the share." in text
    )
    assert "were asked" not in _describe(tmp_path / "fine", "titanic", {"original_ratio": None, "kind": "group",
                                                                          "group_column": "Ticket", "test_fraction": 0.2})  # fmt: skip


def test_a_group_draw_by_train_test_split_says_its_share_is_of_groups(tmp_path):
    """A newcomer's run: ``test_rows: 3`` of a group split drawn by train_test_split gave 3 groups (156 rows), and the
    description said "156 rows where 3 were asked", and called the draw "at random"."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "train.csv").write_text("id,user,y\n" + "".join(f"{k},u{k % 23},{k % 2}\n" for k in range(1000)))
    document = {"kind": "group", "group_column": "user", "id_column": "id", "target_columns": ["y"],
                "draw": "train_test_split", "test_rows": 3, "seed": 3}  # fmt: skip
    prepared = prepare_competition("users", parse_recipe(document, "r"), raw, tmp_path / "prepared")
    text = (prepared.folder / "public" / "description.md").read_text()
    assert "were asked" not in text
    assert (
        "Whole groups of `user` were drawn as MLE-bench's prepare scripts draw them: scikit-learn's `train_test_split` "
        "over the `user` values in the order they first appear (`random_state=3`), the test share counted in groups"
    ) in text
