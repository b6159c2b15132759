"""A training file in label order whose new test rows keep their ids: the ids read in order give the labels away
(sweep 195: otto-group's ``train.csv``, ids 1..61,878 class by class, read whole by the nearest training id)."""

from __future__ import annotations

import random

import duckdb
import pytest

from splits.layout import prepare_competition, refused
from tests.conftest import write_csv
from validation.id_order import labels_read_from_ids
from validation.split_recipe import parse_recipe

CLASSES = [f"Class_{k}" for k in range(1, 10)]
RECIPE = {"kind": "stratified", "id_column": "id", "target_columns": ["target"], "test_fraction": 0.1,
          "test_file": None, "metric": "accuracy"}  # fmt: skip


def _otto(raw, order, ids=lambda i: i + 1, rows=1500) -> None:
    rng = random.Random(0)
    drawn = [(rng.choice(CLASSES), [rng.randint(0, 5) for _ in range(4)]) for _ in range(rows)]
    drawn = order(drawn, rng)
    write_csv(raw / "train.csv", ["id", "feat_1", "feat_2", "feat_3", "feat_4", "target"],
              [(ids(i), *features, label) for i, (label, features) in enumerate(drawn)])  # fmt: skip


def _sorted(rows, rng):
    return sorted(rows, key=lambda row: row[0])


def _shuffled(rows, rng):
    return rows


@pytest.mark.parametrize(
    "ids",
    [lambda i: i + 1, lambda i: f"row{i:05d}", lambda i: f"{i * 7 + 3}.0", lambda i: f"train_{i}"],
    ids=["numbers", "text", "decimals", "unpadded"],  # review 198: train_9 after train_10 as text
)
@pytest.mark.parametrize("kind", ["stratified", "random"])
@pytest.mark.parametrize("metric", ["accuracy", "multiclass_log_loss"])  # review 198: one-hot answers were not read
def test_ids_in_label_order_are_refused_and_numbering_the_test_rows_anew_publishes(tmp_path, ids, kind, metric):
    raw = tmp_path / "raw"
    _otto(raw, _sorted, ids)
    leaky = prepare_competition("otto", parse_recipe(RECIPE | {"kind": kind, "metric": metric}, "r"), raw,
                                tmp_path / "leaky")  # fmt: skip
    found = {c.name: c.found for c in refused(leaky.checks)}
    assert not leaky.published and list(found) == ["public_free_of_private"], found
    assert (
        "the ids give the target away read in order: the label of the nearest training id below is the new "
        in (found["public_free_of_private"])
    )
    assert "number the new test rows anew with the recipe's test_ids" in found["public_free_of_private"]
    renumbered = RECIPE | {"kind": kind, "metric": metric, "test_ids": "t{n:06d}"}
    prepared = prepare_competition("otto", parse_recipe(renumbered, "r"), raw, tmp_path / "renumbered")
    assert prepared.published, [c.found for c in refused(prepared.checks)]


def test_the_ids_of_a_shuffled_file_give_nothing_away(tmp_path):
    raw = tmp_path / "raw"
    _otto(raw, _shuffled)
    assert prepare_competition("otto", parse_recipe(RECIPE, "r"), raw, tmp_path / "shuffled").published


def test_partly_sorted_ids_are_judged_by_how_much_they_read(tmp_path):
    """Sorted runs broken up by shuffled stretches: refused only while the reading holds for 90% of the new test
    rows well beyond chance."""
    con = duckdb.connect()
    for share_sorted, leaks in ((1.0, True), (0.97, True), (0.5, False)):
        raw = tmp_path / f"raw{share_sorted}"
        rng = random.Random(1)
        labels = sorted(rng.choice(CLASSES) for _ in range(3000))
        labels = [label if rng.random() < share_sorted else rng.choice(CLASSES) for label in labels]
        order = list(range(3000))
        test = set(rng.sample(order, 300))
        write_csv(raw / "train.csv", ["id", "target"], [(i, labels[i]) for i in order if i not in test])
        write_csv(raw / "answers.csv", ["id", "target"], [(i, labels[i]) for i in sorted(test)])
        found = labels_read_from_ids(con, raw / "train.csv", raw / "answers.csv", "id", ["target"])
        assert (found is not None) == leaks, (share_sorted, found)


def test_a_target_of_many_values_and_a_file_without_the_id_are_not_judged(tmp_path):
    """Each value on two neighbouring ids, one in each set: read in order, every new test row's; but 2,000 values
    in the new test set are a regression's numbers, not labels (review 200: the test judged 100 before)."""
    con = duckdb.connect()
    write_csv(tmp_path / "train.csv", ["id", "y"], [(i, i // 2) for i in range(0, 4000, 2)])
    write_csv(tmp_path / "answers.csv", ["id", "y"], [(i, i // 2) for i in range(1, 4000, 2)])
    assert labels_read_from_ids(con, tmp_path / "train.csv", tmp_path / "answers.csv", "id", ["y"]) is None
    write_csv(tmp_path / "few.csv", ["id", "y"], [(i, i // 2) for i in range(1, 1000, 2)])  # 500 values: labels
    assert "read in order" in labels_read_from_ids(con, tmp_path / "train.csv", tmp_path / "few.csv", "id", ["y"])
    assert labels_read_from_ids(con, tmp_path / "train.csv", tmp_path / "answers.csv", None, ["y"]) is None


def test_a_temporal_split_of_series_whose_state_runs_on_is_not_judged_by_order(tmp_path):
    """Review 198: customers' days in id order, a state that runs on for days: the new test days' nearest training
    id is the customer's day before, which is the forecasting task itself, not a leak of the file's order."""
    rng = random.Random(2)
    rows, n = [], 0
    for customer in range(30):
        state = rng.choice("ABC")
        for day in range(30):
            state = state if rng.random() < 0.97 else rng.choice("ABC")
            n += 1
            rows.append((n, customer, f"2020-01-{day + 1:02d}", state))
    raw = tmp_path / "raw"
    write_csv(raw / "train.csv", ["id", "customer", "day", "state"], rows)
    recipe = RECIPE | {"kind": "temporal", "time_column": "day", "target_columns": ["state"]}
    prepared = prepare_competition("states", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    assert prepared.published, [c.found for c in refused(prepared.checks)]


def test_a_label_written_into_the_ids_is_read_from_its_piece(tmp_path):
    """Sweep 197: word2vec-nlp-tutorial's ids are ``<review>_<rating>`` and its sentiment is rating >= 7: the new
    training ids teach the code, which read every new test row."""
    rng = random.Random(5)
    raw = tmp_path / "raw"
    rows = [(f"{rng.randint(1, 12500)}_{rating}", int(rating >= 7), "a review") for rating in
            (rng.choice([1, 2, 3, 4, 7, 8, 9, 10]) for _ in range(1000))]  # fmt: skip
    write_csv(raw / "labeledTrainData.csv", ["id", "sentiment", "review"], list({r[0]: r for r in rows}.values()))
    recipe = {"kind": "random", "id_column": "id", "target_columns": ["sentiment"], "test_fraction": 0.2,
              "train_file": "labeledTrainData.csv", "test_file": None, "metric": "auc"}  # fmt: skip
    leaky = prepare_competition("w2v", parse_recipe(recipe, "r"), raw, tmp_path / "leaky")
    found = {c.name: c.found for c in refused(leaky.checks)}
    assert "the ids give the sentiment away by piece 2 of 2 (split at _ and -)" in found["public_free_of_private"]
    renumbered = prepare_competition("w2v", parse_recipe(recipe | {"test_ids": "t{n}"}, "r"), raw, tmp_path / "new")
    assert renumbered.published, [c.found for c in refused(renumbered.checks)]


def _pieces(raw, rows: int, seed: int, extra) -> None:
    """Ids ``<n>_<label>`` (the label written into the id, 7% 1s) beside columns ``extra(n, label, rng)`` makes."""
    rng = random.Random(seed)
    labels = [int(rng.random() < 0.07) for _ in range(rows)]
    columns = [extra(n, label, rng) for n, label in enumerate(labels)]
    write_csv(raw / "train.csv", ["id", *columns[0], "y"],
              [(f"{n:05d}_{label}", *columns[n].values(), label) for n, label in enumerate(labels)])  # fmt: skip


PIECES = {"kind": "random", "id_column": "id", "target_columns": ["y"], "test_fraction": 0.2, "test_file": None,
          "metric": "auc"}  # fmt: skip


@pytest.mark.parametrize(
    "extra, kind, leaks",
    [
        (lambda n, label, rng: {"x": rng.random()}, "random", True),  # a float's 0 shows no piece (review 201)
        (lambda n, label, rng: {"path": f"audio/{n:05d}_{label}.wav"}, "random", True),  # it repeats the id
        (lambda n, label, rng: {"flag": label, "x": rng.random()}, "random", False),  # a public feature shows it
        (lambda n, label, rng: {"x": rng.random() if rng.random() < 0.01 else None}, "random", True),  # review 202
        (lambda n, label, rng: {"day": f"2020-01-{n % 28 + 1:02d}"}, "temporal", False),  # a series' ids: not judged
    ],
    ids=["float-column", "path-repeating-the-id", "public-flag", "sparse-column", "temporal"],
)
def test_a_piece_is_judged_unless_a_public_column_shows_each_of_its_values(tmp_path, extra, kind, leaks):
    raw = tmp_path / "raw"
    _pieces(raw, 600, 3, extra)
    recipe = PIECES | ({"kind": "temporal", "time_column": "day"} if kind == "temporal" else {})
    prepared = prepare_competition("pieces", parse_recipe(recipe, "r"), raw, tmp_path / "prepared")
    found = {c.name: c.found for c in refused(prepared.checks)}
    said = "the ids give the y away by piece 2 of 2" in found.get("public_free_of_private", "")
    assert said == leaks, found


def test_a_test_set_under_30_rows_is_not_judged_by_its_ids(tmp_path):
    """Review 200: 9 of 10 rows read right by chance in 1 of 300 random splits."""
    raw = tmp_path / "raw"
    _otto(raw, _sorted, rows=250)
    small = prepare_competition("otto", parse_recipe(RECIPE, "r"), raw, tmp_path / "small")  # 25 new test rows
    assert small.published, [c.found for c in refused(small.checks)]
    _otto(raw, _sorted, rows=400)
    assert not prepare_competition("otto", parse_recipe(RECIPE, "r"), raw, tmp_path / "large").published
