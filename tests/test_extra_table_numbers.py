"""Extra public tables that give a numeric target away, found by the id or by the columns they share with the public
test set: champs-scalar-coupling's ``scalar_coupling_contributions.csv`` (four contributions per pair, summing to
the target, keyed by ``molecule_name, atom_index_0, atom_index_1, type``, no id) copied whole under a random split
of pairs was published; MLE-bench's prepare script filters it to the training pairs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from splits.layout import prepare_competition
from validation.split_recipe import parse_recipe

SLUG = "champs-scalar-coupling"
TARGET = "scalar_coupling_constant"
PAIR = ["molecule_name", "atom_index_0", "atom_index_1", "type"]
RECIPE = {"kind": "random", "target_columns": [TARGET], "id_column": "id", "metric": "mae", "test_fraction": 0.2}


@pytest.fixture
def download(tmp_path: Path) -> Path:
    """champs' shape: pairs of atoms in molecules (train, test without the target), the target's four
    contributions per training pair, and per-atom structures."""
    rng = np.random.default_rng(0)
    raw = tmp_path / "raw"
    raw.mkdir()
    pairs, contributions, atoms = [], [], []
    for molecule in range(60):
        name = f"dsgdb9nsd_{molecule:06d}"
        atoms += [(name, atom, "CHN"[atom % 3], *rng.normal(size=3)) for atom in range(5)]
        for pair in range(5):
            kind = ["1JHC", "2JHH", "3JHC"][pair % 3]
            fc, sd, pso, dso = rng.normal(10, 20), rng.normal(0, 0.3), rng.normal(0, 1), rng.normal(0, 1)
            key = (name, pair, 5 + pair, kind)
            pairs.append((len(pairs), *key, fc + sd + pso + dso))
            contributions.append((*key, fc, sd, pso, dso))
    train = pd.DataFrame(pairs, columns=["id", *PAIR, TARGET])
    train.to_csv(raw / "train.csv", index=False)
    train.drop(columns=[TARGET]).assign(id=train["id"] + 10_000).head(50).to_csv(raw / "test.csv", index=False)
    pd.DataFrame(contributions, columns=[*PAIR, "fc", "sd", "pso", "dso"]).to_csv(
        raw / "scalar_coupling_contributions.csv", index=False
    )
    pd.DataFrame(atoms, columns=["molecule_name", "atom_index", "atom", "x", "y", "z"]).to_csv(
        raw / "structures.csv", index=False
    )
    return raw


def _prepare(download: Path, tmp_path: Path, **changes):
    return prepare_competition(SLUG, parse_recipe(RECIPE | changes, "recipe"), download, tmp_path / "prepared", "")


def _failure(prepared) -> str:
    return "; ".join(c.found for c in prepared.checks if not c.passed)


def test_contributions_found_by_the_pairs_columns_are_caught(download, tmp_path):
    prepared = _prepare(download, tmp_path, public_files=["scalar_coupling_contributions.csv"])
    assert not prepared.published
    assert (
        "scalar_coupling_contributions.csv gives the scalar_coupling_constant of 60 new test row(s) away: column fc "
        "follows it (correlation 0.99"
    ) in _failure(prepared)
    assert "found by the columns it shares with the public test set" in _failure(prepared)


def test_per_atom_tables_and_contributions_of_training_pairs_only_are_published(download, tmp_path):
    """structures.csv shares only molecule_name with the test set, which tells no test row apart; train_tables
    keeps the training pairs' contributions (a group split by molecule), none of a new test pair's."""
    assert _prepare(download, tmp_path, public_files=["structures.csv"]).published
    grouped = _prepare(download, tmp_path, kind="group", group_column="molecule_name",
                       train_tables={"scalar_coupling_contributions.csv": "molecule_name"})  # fmt: skip
    assert grouped.published, _failure(grouped)


@pytest.mark.parametrize(
    ("written", "column"),
    [
        (lambda train: {"id": train["id"], "coupling": np.round(train[TARGET], 1)}, "coupling"),  # rounded
        (lambda train: {"id": train["id"], "coupling": -2 * train[TARGET] + 3}, "coupling"),  # rescaled
        (lambda train: {"id": train["id"], "coupling": np.exp(train[TARGET] / 10)}, "coupling"),  # by rank
        (lambda train: {"row_id": train["id"], "coupling": train[TARGET]}, "coupling"),  # the id named otherwise
        (lambda train: {"id": train["id"], "type": train[TARGET]}, "type"),  # under a test column's name
    ],
)
def test_a_numeric_target_written_otherwise_next_to_the_ids_is_caught(download, tmp_path, written, column):
    pd.DataFrame(written(pd.read_csv(download / "train.csv"))).to_csv(download / "extra.csv", index=False)
    prepared = _prepare(download, tmp_path, public_files=["extra.csv"])
    assert not prepared.published
    assert f"extra.csv gives the scalar_coupling_constant of 60 new test row(s) away: column {column} follows it" in (
        _failure(prepared)
    )
    assert "shares with the public test set" not in _failure(prepared)


def test_a_number_column_unrelated_to_the_target_or_one_the_test_set_has_is_published(download, tmp_path):
    train = pd.read_csv(download / "train.csv")
    noise = np.random.default_rng(1).normal(size=len(train))
    pd.DataFrame({"id": train["id"], "atom_index_1": train["atom_index_1"], "noise": noise}).to_csv(
        download / "extra.csv", index=False
    )
    assert _prepare(download, tmp_path, public_files=["extra.csv"]).published


def test_renamed_test_rows_are_still_found_by_their_own_ids(download, tmp_path):
    """With test_ids the public test set holds new ids; a table keyed by Kaggle's (the contributions, found by the
    pair's columns... and by id) is judged against the new test rows all the same."""
    prepared = _prepare(download, tmp_path, public_files=["scalar_coupling_contributions.csv"], test_ids="t{n}")
    assert not prepared.published
    assert "column fc follows it" in _failure(prepared)
