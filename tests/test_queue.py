"""The annotation queue, a competition's profile, and the members' status: the functions behind queue, show,
curated and summary."""

from __future__ import annotations

import pandas as pd
import pytest

from curation.competition_profile import UnknownCompetitionError, check_known_slug, fact_text, reward_text
from curation.curated import ANNOTATION_COLUMNS, annotations_frame, complexity_counts, consolidate
from curation.queue import (
    CANDIDATE,
    DONE,
    EXCLUDED,
    MIN_CURATORS,
    OUTSIDE,
    QUEUE_COLUMNS,
    SECOND,
    UNDECIDED,
    annotation_queue,
    review_table,
)
from curation.warehouse import Warehouse
from validation.data_root import CANDIDATES, COMPETITIONS


def _candidates(*rows: tuple[str, bool, int]) -> pd.DataFrame:
    return pd.DataFrame({
        "slug": [r[0] for r in rows], "is_candidate": [r[1] for r in rows], "total_teams": [r[2] for r in rows],
        "host_segment": "Featured", "evaluation_algorithm_name": "Area Under Receiver Operating Characteristic Curve",
        "enabled_date": pd.Timestamp("2020-01-01"), "deadline_date": pd.Timestamp("2020-03-01"),
        "reward_type": "USD", "reward_quantity": 25000.0, "exclusion_reason": None, "exclusion_detail": None,
        "title": "A competition", "metric": "auc",
    })  # fmt: skip


def _annotations(*rows: tuple) -> pd.DataFrame:
    """(slug, curator, decision[, complexity]) rows as an annotations_frame."""
    return pd.DataFrame(
        [dict(zip(["slug", "curator", "decision", "complexity"], row, strict=False)) for row in rows],
        columns=ANNOTATION_COLUMNS,
    )


def test_queue_counts_decisions_not_undecided_and_skips_unannotated_non_candidates():
    queue = annotation_queue(
        _candidates(("a", True, 10), ("b", True, 500), ("c", True, 50), ("d", True, 5), ("excluded", False, 9000)),
        _annotations(("a", "ada", "include"), ("a", "grace", "exclude"), ("c", "ada", "undecided"),
                     ("d", "ada", "exclude")),
        min_curators=1,
    )  # fmt: skip
    assert (queue.progress.total, queue.progress.done, queue.progress.share) == (4, 1, "25%")
    assert list(queue.waiting.columns) == QUEUE_COLUMNS
    assert queue.waiting["slug"].tolist() == ["a", "b", "c"]  # the dispute first, then most teams
    assert queue.waiting.iloc[1].to_dict() == {
        "slug": "b", "segment": "Featured", "metric": "Area Under Receiver Operating Characteri", "teams": 500,
        "launched": "2020-01-01", "deadline": "2020-03-01", "reward": "25,000 USD", "curators": 0,
        "status": "undecided", "screening": "candidate", "suggested": "-",
    }  # fmt: skip
    assert queue.waiting.iloc[0][["curators", "status"]].tolist() == [2, "disputed: decision"]


def test_queue_puts_half_decided_candidates_first():
    queue = annotation_queue(_candidates(("small", True, 10), ("big", True, 500)),
                             _annotations(("small", "ada", "include")), min_curators=2)  # fmt: skip
    assert queue.waiting["slug"].tolist() == ["small", "big"] and queue.progress.done == 0


def test_the_queue_and_the_workbench_wait_for_two_curators_by_default():
    from curation.cli.review import queue as queue_command
    from curation.cli.serve import serve

    for command in (queue_command, serve):
        assert next(o for o in command.params if o.name == "min_curators").default == MIN_CURATORS == 2


def test_curators_who_decide_alike_but_differ_on_complexity_are_disputed_as_consolidate_says():
    """Both include, one says medium, the other high: the competition is not done, it waits as a dispute, exactly
    where curation.consolidated has complexity_status 'disputed'."""
    candidates = _candidates(("split", True, 100), ("agreed", True, 90), ("open", True, 80))
    annotations = _annotations(("split", "ada", "include", "medium"), ("split", "grace", "include", "high"),
                               ("agreed", "ada", "include", "low"), ("agreed", "grace", "include", "low"))  # fmt: skip
    queue = annotation_queue(candidates, annotations, min_curators=2)
    assert (queue.progress.done, queue.progress.total) == (1, 3)
    assert queue.waiting[["slug", "status"]].values.tolist() == [
        ["split", "disputed: complexity"],
        ["open", "undecided"],
    ]
    consolidated = consolidate(annotations, candidates).consolidated.set_index("slug")
    table = review_table(candidates, annotations, 2).set_index("slug")
    for slug in ("split", "agreed"):
        disputed = "disputed" in (consolidated.at[slug, "decision"], consolidated.at[slug, "complexity_status"])
        assert (table.at[slug, "status"] == "disputed") == disputed


@pytest.mark.parametrize(
    ("decisions", "min_curators", "status"),
    [
        ([], 2, UNDECIDED),
        ([("ada", "undecided", "high")], 2, UNDECIDED),
        ([("ada", "include", None)], 2, SECOND),
        ([("ada", "include", None)], 1, DONE),
        ([("ada", "include", "low"), ("grace", "include", None)], 2, DONE),  # one complexity given: no dispute
        ([("ada", "include", "low"), ("grace", "undecided", "high")], 2, "disputed"),  # as consolidate: any annotation
        ([("ada", "exclude", None), ("grace", "include", None), ("bob", "include", None)], 2, "disputed"),
    ],
)
def test_one_status_for_every_count_of_curators(decisions, min_curators, status):
    annotations = _annotations(*[("x", curator, decision, level) for curator, decision, level in decisions])
    assert review_table(_candidates(("x", True, 10)), annotations, min_curators)["status"].tolist() == [status]


def test_annotated_non_candidates_are_under_review_and_marked():
    """A rule's exclusion a curator included, and a competition outside the dump: both wait, and count in progress."""
    candidates = _candidates(("kept", True, 100), ("custom-metric", False, 900), ("unannotated", False, 50))
    candidates["exclusion_reason"] = [None, "known_metric", "enough_teams"]
    annotations = _annotations(("custom-metric", "mle-bench", "include"), ("brand-new", "ada", "include"))
    table = review_table(candidates, annotations, MIN_CURATORS).set_index("slug")
    assert table["screening"].to_dict() == {"custom-metric": EXCLUDED, "brand-new": OUTSIDE, "kept": CANDIDATE}
    assert table.at["brand-new", "total_teams"] is pd.NA and table.at["custom-metric", "included_by"] == "mle-bench"
    queue = annotation_queue(candidates, annotations, MIN_CURATORS)
    assert (queue.progress.total, queue.progress.candidates, queue.progress.excluded, queue.progress.outside) == (
        3, 1, 1, 1)  # fmt: skip
    assert queue.progress.scope == (
        "1 candidates and 2 annotated competitions that are not (1 excluded by a rule, 1 outside the Meta Kaggle dump)"
    )
    assert queue.waiting[["slug", "screening"]].values.tolist() == [
        ["custom-metric", "rule known_metric"], ["brand-new", "outside dump"], ["kept", "candidate"]]  # fmt: skip


def test_an_empty_queue():
    queue = annotation_queue(_candidates(("excluded", False, 10)), annotations_frame([]), min_curators=1)
    assert (queue.progress.total, queue.progress.done, queue.progress.share, list(queue.waiting.columns)) == (
        0,
        0,
        "-",
        QUEUE_COLUMNS,
    )


def test_complexity_counts_put_unresolved_last():
    curated = pd.DataFrame({"complexity": ["medium", None, "low", "medium", None]})
    assert list(complexity_counts(curated).items()) == [("low", 1), ("medium", 2), (None, 2)]
    assert complexity_counts(pd.DataFrame({"complexity": ["high"]})) == {"high": 1}


@pytest.mark.parametrize("slug, hint", [
    ("spooky-author-identificaton", "did you mean spooky-author-identification?"),
    ("Spooky-Author-Identification", "Meta Kaggle spells it spooky-author-identification (meta_kaggle.competitions); "
     "use that slug (--allow-unknown would make a second competition beside it)"),
    ("zzz", "not among the 2 slugs in meta_kaggle.competitions (use --allow-unknown"),
])  # fmt: skip
def test_an_unknown_slug_is_named_with_the_ones_it_may_mean(slug, hint):
    with pytest.raises(UnknownCompetitionError, match=f"unknown competition '{slug}'") as raised:
        check_known_slug(slug, ["spooky-author-identification", "titanic"])
    assert hint in str(raised.value)
    check_known_slug("titanic", ["spooky-author-identification", "titanic"])


def test_a_slug_in_another_case_is_suggested_before_look_alikes(real_competitions):
    """`mlecurate annotate ai4code` answered "did you mean abide?": difflib's look-alikes came before the same slug
    in another case (Meta Kaggle's AI4Code), and --allow-unknown would then have made a second competition."""
    known = real_competitions.table.column("slug").to_pylist()
    with pytest.raises(UnknownCompetitionError) as raised:
        check_known_slug("ai4code", known)
    assert str(raised.value) == (
        "unknown competition 'ai4code': Meta Kaggle spells it AI4Code (meta_kaggle.competitions); use that slug "
        "(--allow-unknown would make a second competition beside it)"
    )


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
