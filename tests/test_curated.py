"""Consolidating curators' annotations into the curated benchmark."""

from __future__ import annotations

import pandas as pd
import pytest

from curation.annotations import Annotation
from curation.candidate_rules import CandidateRules, screen_competitions
from curation.curated import annotations_frame, consolidate
from curation.mlebench_import import import_mlebench_categories
from tests.conftest import MLEBENCH_CATEGORIES


@pytest.fixture(scope="module")
def candidates(real_competitions):
    return screen_competitions(real_competitions.table, CandidateRules()).candidates


def test_mlebench_on_the_march_2024_dump(tmp_path, candidates):
    from curation.annotations import AnnotationStore

    store = AnnotationStore(tmp_path)
    import_mlebench_categories(MLEBENCH_CATEGORIES, store)
    result = consolidate(annotations_frame(store.all()), candidates)
    assert len(result.curated) == 73
    assert result.curated["complexity"].value_counts().to_dict() == {"medium": 36, "low": 22, "high": 15}
    assert result.missing_from_meta_kaggle == ["learning-agency-lab-automated-essay-scoring-2", "lmsys-chatbot-arena"]
    # The rules propose, curators decide: includes of rule-excluded competitions stand, flagged.
    overridden = result.curated[result.curated["overrides_rule"].notna()]
    assert len(overridden) > 0 and set(overridden["overrides_rule"]) <= {"known_metric", "enough_teams"}
    assert pd.isna(result.curated.set_index("slug").loc["spooky-author-identification", "overrides_rule"])


def _a(slug, curator, **fields):
    return Annotation(slug=slug, curator=curator, **fields)


def test_disagreement_is_shown_not_guessed(candidates):
    annotations = annotations_frame([
        _a("spooky-author-identification", "alice", decision="include", complexity="low"),
        _a("spooky-author-identification", "bob", decision="exclude", complexity="low"),
        _a("leaf-classification", "alice", decision="include", complexity="low", category="Tabular"),
        _a("leaf-classification", "bob", decision="include", complexity="high", category="tabular"),
        _a("random-acts-of-pizza", "alice", decision="undecided"),
    ])  # fmt: skip
    result = consolidate(annotations, candidates)
    decisions = result.consolidated.set_index("slug")
    assert decisions.loc["spooky-author-identification", "decision"] == "disputed"
    assert decisions.loc["random-acts-of-pizza", "decision"] == "undecided"
    assert result.curated["slug"].tolist() == ["leaf-classification"]
    leaf = result.curated.iloc[0]
    assert leaf["complexity"] is None and leaf["complexity_status"] == "disputed"
    assert leaf["complexities"] == "alice: low; bob: high"
    assert leaf["category"] == "Tabular" and leaf["category_status"] == "agreed"  # same category, any case


def test_include_overriding_a_rule_is_flagged(candidates):
    community = candidates[candidates["exclusion_reason"] == "not_community"].iloc[0]
    result = consolidate(annotations_frame([_a(community["slug"], "alice", decision="include")]), candidates)
    member = result.curated.iloc[0]
    assert member["overrides_rule"] == "not_community"
    assert member["overrides_detail"].startswith("segment Community")


def test_an_undecided_curator_does_not_block_an_include(candidates):
    result = consolidate(
        annotations_frame(
            [
                _a("leaf-classification", "alice", decision="include"),
                _a("leaf-classification", "bob"),
            ]
        ),  # fmt: skip
        candidates,
    )
    assert result.curated["slug"].tolist() == ["leaf-classification"]


def test_an_empty_annotation_store_makes_no_members(candidates):
    """Before any curator has annotated anything: zero members, empty tables with every column."""
    from curation.curated import CONSOLIDATED_COLUMNS, CURATED_COLUMNS

    result = consolidate(annotations_frame([]), candidates)
    assert result.curated.empty and result.curated.columns.tolist() == CURATED_COLUMNS
    assert result.consolidated.empty and result.consolidated.columns.tolist() == CONSOLIDATED_COLUMNS
    assert result.missing_from_meta_kaggle == []


def test_curate_with_an_empty_annotation_store(tmp_path, candidates):
    from curation.annotations import AnnotationStore
    from curation.curated import CURATED_COLUMNS, curate, load_annotations
    from curation.warehouse import Warehouse
    from validation.data_root import CANDIDATES, CONSOLIDATED, CURATED

    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    warehouse.replace_table(CANDIDATES, candidates)
    frame, rows = load_annotations(AnnotationStore(tmp_path / "annotations"), warehouse)
    assert rows == 0 and frame.empty
    benchmark = curate(warehouse)
    assert benchmark.members == 0 and benchmark.disputed.empty and benchmark.overrides.empty
    assert warehouse.read_table(CURATED).columns.tolist() == CURATED_COLUMNS
    assert warehouse.read_table(CONSOLIDATED).empty
