"""A training file in label order whose new test rows keep their ids: the ids read in order give the labels away
(sweep 195: otto-group's ``train.csv``, ids 1..61,878 class by class, read whole by the nearest training id)."""

from __future__ import annotations

import random

import duckdb
import pytest

from splits.layout import prepare_competition, refused
from tests.conftest import write_csv
from validation.id_order import labels_read_from_id_order
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
    "ids", [lambda i: i + 1, lambda i: f"row{i:05d}", lambda i: f"{i * 7 + 3}.0"], ids=["numbers", "text", "decimals"]
)
@pytest.mark.parametrize("kind", ["stratified", "random"])
def test_ids_in_label_order_are_refused_and_numbering_the_test_rows_anew_publishes(tmp_path, ids, kind):
    raw = tmp_path / "raw"
    _otto(raw, _sorted, ids)
    leaky = prepare_competition("otto", parse_recipe(RECIPE | {"kind": kind}, "r"), raw, tmp_path / "leaky")
    found = {c.name: c.found for c in refused(leaky.checks)}
    assert not leaky.published and list(found) == ["public_free_of_private"], found
    assert (
        "the ids give the target away: the label of the nearest training id below is the new test row's for "
        in (found["public_free_of_private"])
    )
    assert "number them anew with the recipe's test_ids" in found["public_free_of_private"]
    renumbered = RECIPE | {"kind": kind, "test_ids": "t{n:06d}"}
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
        found = labels_read_from_id_order(con, raw / "train.csv", raw / "answers.csv", "id", ["target"])
        assert (found is not None) == leaks, (share_sorted, found)


def test_a_target_of_many_values_and_a_file_without_the_id_are_not_judged(tmp_path):
    con = duckdb.connect()
    write_csv(tmp_path / "train.csv", ["id", "y"], [(i, i * 0.5) for i in range(0, 2000, 2)])
    write_csv(tmp_path / "answers.csv", ["id", "y"], [(i, i * 0.5) for i in range(1, 200, 2)])
    assert labels_read_from_id_order(con, tmp_path / "train.csv", tmp_path / "answers.csv", "id", ["y"]) is None
    assert labels_read_from_id_order(con, tmp_path / "train.csv", tmp_path / "answers.csv", None, ["y"]) is None
