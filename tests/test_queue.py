"""The annotation queue, a competition's profile, and the members' status: the functions behind queue, show,
curated and summary."""

from __future__ import annotations

import pandas as pd
import pytest

from curation.competition_profile import UnknownCompetitionError, check_known_slug, fact_text, reward_text
from curation.curated import annotations_frame, complexity_counts
from curation.queue import QUEUE_COLUMNS, annotation_queue
from curation.warehouse import Warehouse
from validation.data_root import CANDIDATES, COMPETITIONS


def _candidates(*rows: tuple[str, bool, int]) -> pd.DataFrame:
    return pd.DataFrame({
        "slug": [r[0] for r in rows], "is_candidate": [r[1] for r in rows], "total_teams": [r[2] for r in rows],
        "host_segment": "Featured", "evaluation_algorithm_name": "Area Under Receiver Operating Characteristic Curve",
        "enabled_date": pd.Timestamp("2020-01-01"), "deadline_date": pd.Timestamp("2020-03-01"),
        "reward_type": "USD", "reward_quantity": 25000.0,
    })  # fmt: skip


def _annotations(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"slug": s, "curator": c, "decision": d} for s, c, d in rows],
                        columns=["slug", "curator", "decision"])  # fmt: skip


def test_queue_counts_decisions_not_undecided_and_skips_non_candidates():
    queue = annotation_queue(
        _candidates(("a", True, 10), ("b", True, 500), ("c", True, 50), ("excluded", False, 9000)),
        _annotations(("a", "ada", "include"), ("a", "grace", "exclude"), ("c", "ada", "undecided")),
        min_curators=1,
    )
    assert (queue.total, queue.done, queue.share) == (3, 1, "33%")
    assert list(queue.waiting.columns) == QUEUE_COLUMNS
    assert queue.waiting["slug"].tolist() == ["b", "c"]  # most teams first
    assert queue.waiting.iloc[0].to_dict() == {
        "slug": "b", "segment": "Featured", "metric": "Area Under Receiver Operating Characteri", "teams": 500,
        "launched": "2020-01-01", "deadline": "2020-03-01", "reward": "25,000 USD", "curators": 0, "suggested": "-",
    }  # fmt: skip


def test_queue_puts_half_decided_candidates_first():
    queue = annotation_queue(_candidates(("small", True, 10), ("big", True, 500)),
                             _annotations(("small", "ada", "include")), min_curators=2)  # fmt: skip
    assert queue.waiting["slug"].tolist() == ["small", "big"] and queue.done == 0


def test_an_empty_queue():
    queue = annotation_queue(_candidates(("excluded", False, 10)), annotations_frame([]), min_curators=1)
    assert (queue.total, queue.done, queue.share, list(queue.waiting.columns)) == (0, 0, "-", QUEUE_COLUMNS)


def test_complexity_counts_put_unresolved_last():
    curated = pd.DataFrame({"complexity": ["medium", None, "low", "medium", None]})
    assert list(complexity_counts(curated).items()) == [("low", 1), ("medium", 2), (None, 2)]
    assert complexity_counts(pd.DataFrame({"complexity": ["high"]})) == {"high": 1}


@pytest.mark.parametrize("slug, hint", [
    ("spooky-author-identificaton", "did you mean spooky-author-identification?"),
    ("Spooky-Author-Identification", "did you mean spooky-author-identification?"),
    ("zzz", "not among the 2 slugs in meta_kaggle.competitions (use --allow-unknown"),
])  # fmt: skip
def test_an_unknown_slug_is_named_with_the_ones_it_may_mean(slug, hint):
    with pytest.raises(UnknownCompetitionError, match=f"unknown competition '{slug}'") as raised:
        check_known_slug(slug, ["spooky-author-identification", "titanic"])
    assert hint in str(raised.value)
    check_known_slug("titanic", ["spooky-author-identification", "titanic"])


@pytest.mark.parametrize("value, text", [(None, "-"), (float("nan"), "-"), (1241, "1,241"), (30.0, "30.0"),
                                         ("Playground", "Playground")])  # fmt: skip
def test_fact_text(value, text):
    assert fact_text(value) == text


@pytest.mark.parametrize("kind, quantity, text", [("USD", 25000.0, "25,000 USD"), ("Knowledge", None, "Knowledge"),
                                                  (None, None, "")])  # fmt: skip
def test_reward_text(kind, quantity, text):
    assert reward_text(kind, quantity) == text


def test_warehouse_reads_for_the_command_line(tmp_path):
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    assert warehouse.competition_slugs() is None and warehouse.rows_for_slug(CANDIDATES, "a") is None
    assert warehouse.metric_directions() == {}
    warehouse.replace_tables({
        COMPETITIONS: pd.DataFrame({"slug": ["a", "b", "c"], "evaluation_algorithm_is_max": [True, False, None]}),
        CANDIDATES: _candidates(("a", True, 10)),
    })  # fmt: skip
    assert warehouse.competition_slugs() == ["a", "b", "c"]
    assert warehouse.metric_directions() == {"a": True, "b": False}
    assert warehouse.rows_for_slug(CANDIDATES, "a")["total_teams"].tolist() == [10]
    assert warehouse.rows_for_slug(CANDIDATES, "b").empty
    assert warehouse.table_counts() == {CANDIDATES: 1, COMPETITIONS: 3}
