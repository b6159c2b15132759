"""Each curated competition's stages (data, split, parity): every status a curator can see, and how failures are kept."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from curation.competition_data import DownloadRecord
from curation.curated import members_status
from curation.stage_status import (
    PARITY,
    SPLIT,
    clear_failure,
    competition_stages,
    read_failure,
    record_failure,
    recorded_stage,
)
from validation.data_root import DataRoot, write_atomic

SLUG = "titanic"


@pytest.fixture
def root(tmp_path) -> DataRoot:
    return DataRoot(tmp_path / "home")


def _download(root: DataRoot, status: str, **fields) -> None:
    record = DownloadRecord(SLUG, status, "mirror", "2026-11-30T10:00:00+00:00", **fields)
    write_atomic(root.raw(SLUG).record, json.dumps(asdict(record)))


def _publish(root: DataRoot, train: int = 606, test: int = 285) -> None:
    write_atomic(root.prepared(SLUG).manifest, json.dumps({"slug": SLUG, "rows": {"train": train, "test": test}}))


def _parity(root: DataRoot, verdict: str) -> None:
    write_atomic(root.prepared(SLUG).parity, json.dumps({"slug": SLUG, "verdict": verdict}))


def test_nothing_run_yet(root):
    stages = competition_stages(SLUG, root)
    assert (stages.data, stages.split, stages.parity) == ("not run", "not run", "not run")


@pytest.mark.parametrize(
    "status, fields, expected",
    [
        ("downloaded", {"zip_bytes": 10}, "downloaded"),
        ("needs_rules_acceptance", {"rules_url": "https://www.kaggle.com/c/titanic/rules"},
         "needs_rules_acceptance (accept the rules at https://www.kaggle.com/c/titanic/rules)"),
        ("failed", {"message": "NotProvided: titanic: no titanic/titanic.zip in the mirror"},
         "failed: NotProvided: titanic: no titanic/titanic.zip in the mirror"),
    ],
)  # fmt: skip
def test_data_status_from_the_download_record(root, status, fields, expected):
    _download(root, status, **fields)
    assert competition_stages(SLUG, root).data == expected


def test_a_published_split_shows_its_row_counts(root):
    _publish(root, 606, 285)
    assert competition_stages(SLUG, root).split == "published (train 606, test 285)"


def test_a_failed_split_shows_its_error(root):
    record_failure(root, SLUG, SPLIT, "titanic: recipe key target_columns: no column 'Survivd' in train.csv")
    assert competition_stages(SLUG, root).split == (
        "failed: titanic: recipe key target_columns: no column 'Survivd' in train.csv"
    )


def test_a_published_split_whose_re_split_failed_shows_both(root):
    _publish(root)
    record_failure(root, SLUG, SPLIT, "titanic: the new split fails ids_disjoint (3 ids on both sides)")
    assert competition_stages(SLUG, root).split == (
        "published (train 606, test 285; last attempt failed: titanic: the new split fails ids_disjoint (3 ids on "
        "both sides))"
    )
    clear_failure(root, SLUG, SPLIT)
    assert competition_stages(SLUG, root).split == "published (train 606, test 285)"


@pytest.mark.parametrize("verdict", ["parity", "drift", "unknown"])
def test_parity_shows_its_verdict(root, verdict):
    _publish(root)
    _parity(root, verdict)
    assert competition_stages(SLUG, root).parity == verdict


def test_a_failed_parity_run_shows_its_error_and_any_earlier_verdict(root):
    record_failure(root, SLUG, PARITY, "titanic: no metric mlecurate can grade (None)")
    assert competition_stages(SLUG, root).parity == "failed: titanic: no metric mlecurate can grade (None)"
    _parity(root, "parity")
    assert competition_stages(SLUG, root).parity == (
        "parity (last attempt failed: titanic: no metric mlecurate can grade (None))"
    )


def test_recorded_stage_keeps_a_failure_and_clears_it_on_success(root):
    with pytest.raises(KeyError), recorded_stage(root, SLUG, PARITY):
        raise KeyError("SalePrice")
    failure = read_failure(root, SLUG, PARITY)
    assert failure.error == "KeyError: 'SalePrice'" and failure.stage == PARITY and failure.at
    assert root.stage_failure(SLUG, PARITY) == root.path / "status" / SLUG / "parity.json"
    with recorded_stage(root, SLUG, PARITY):
        pass
    assert read_failure(root, SLUG, PARITY) is None and not root.stage_failure(SLUG, PARITY).exists()


def test_an_orchestrator_failure_keeps_its_description(root):
    class Failure(Exception):  # dagster.Failure carries the message a person reads as .description
        description = "titanic: the new split fails rows_conserved (890 of 891 rows)"

    with pytest.raises(Failure), recorded_stage(root, SLUG, SPLIT):
        raise Failure()
    assert read_failure(root, SLUG, SPLIT).error == Failure.description


def test_an_unreadable_record_is_shown_as_a_failure_not_a_success(root):
    root.stage_failure(SLUG, SPLIT).parent.mkdir(parents=True)
    root.stage_failure(SLUG, SPLIT).write_text("{not json")
    assert competition_stages(SLUG, root).split.startswith("failed: unreadable status record")


def test_an_unknown_stage_is_refused(root):
    with pytest.raises(ValueError, match="unknown stage 'data'"):
        record_failure(root, SLUG, "data", "boom")


def test_members_status_lists_every_stage_and_cuts_long_errors(root):
    import pandas as pd

    _download(root, "downloaded")
    _publish(root)
    record_failure(root, SLUG, PARITY, "titanic: " + "a very long error " * 20 + "\nsecond line")
    curated = pd.DataFrame({"slug": [SLUG, "other", "third"], "complexity": [None, None, "low"],
                            "complexity_status": ["disputed", "missing", "agreed"], "category": ["Tabular"] * 3,
                            "overrides_rule": [None] * 3, "facts_from": ["split recipe"] * 3})  # fmt: skip
    listed = members_status(curated, root)
    # A complexity no curator gave is "-", not "disputed" (nobody disagreed).
    assert listed["complexity"].tolist() == ["disputed", "-", "low"]
    row = listed.iloc[0].to_dict()
    assert row["data"] == "downloaded" and row["split"] == "published (train 606, test 285)"
    assert row["parity"].startswith("failed: titanic: a very long error") and row["parity"].endswith("...")
    assert len(row["parity"]) == 70 and "\n" not in row["parity"]
    assert row["facts"] == "split recipe" and row["complexity"] == "disputed"
