"""Consolidating curators' annotations into the curated benchmark."""

from __future__ import annotations

import pandas as pd
import pytest

from curation.annotations import Annotation, AnnotationStore
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
    # MLE-bench's 75, the two launched after the dump among them: members, with no facts beyond the annotation here.
    assert len(result.curated) == 75
    assert result.curated["complexity"].value_counts().to_dict() == {"medium": 38, "low": 22, "high": 15}
    assert result.outside_dump == {
        "learning-agency-lab-automated-essay-scoring-2": "annotation", "lmsys-chatbot-arena": "annotation",
    }  # fmt: skip
    assert result.without_facts == ["learning-agency-lab-automated-essay-scoring-2", "lmsys-chatbot-arena"]
    in_dump = result.curated[result.curated["facts_from"] == "meta kaggle"]
    assert len(in_dump) == 73 and in_dump["title"].notna().all()
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
    assert result.outside_dump == {} and result.outside_summary() == "none"


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


TITANIC_RECIPE = {"kind": "random", "target_columns": ["Survived"], "metric": "accuracy"}


def _listing(slug, **facts):
    from curation.sources import CompetitionListing

    return CompetitionListing(slug=slug, source="kaggle", **facts)


def test_an_include_outside_the_dump_is_a_member_with_its_listed_facts(candidates):
    """Issue 9, finding 2: an --allow-unknown include used to be left out of the members (and so of the partitions)."""
    listed = _listing("lmsys-chatbot-arena", title="LMSYS - Chatbot Arena Human Preference Predictions",
                      evaluation_metric="Log Loss", deadline="2024-08-05T23:59:00Z", team_count=1849)  # fmt: skip
    annotations = annotations_frame([
        _a("lmsys-chatbot-arena", "alice", decision="include", complexity="medium"),
        _a("titanic", "alice", decision="include", split_recipe=TITANIC_RECIPE),
        _a("typo-competition", "alice", decision="include"),
        _a("not-in-the-dump-excluded", "alice", decision="exclude"),
        _a("spooky-author-identification", "alice", decision="include"),
    ])  # fmt: skip
    result = consolidate(annotations, candidates, {"lmsys-chatbot-arena": listed, "titanic": None})
    members = result.curated.set_index("slug")
    assert sorted(members.index) == [
        "lmsys-chatbot-arena",
        "spooky-author-identification",
        "titanic",
        "typo-competition",
    ]
    lmsys = members.loc["lmsys-chatbot-arena"]
    assert lmsys["title"] == listed.title and lmsys["evaluation_algorithm_name"] == "Log Loss"
    assert lmsys["total_teams"] == 1849 and lmsys["deadline_date"] == pd.Timestamp("2024-08-05 23:59:00")
    assert lmsys["complexity"] == "medium" and lmsys["facts_from"] == "kaggle listing"
    titanic = members.loc["titanic"]
    assert titanic["metric"] == "accuracy" and titanic["facts_from"] == "split recipe" and pd.isna(titanic["title"])
    assert members.loc["typo-competition", "facts_from"] == "annotation"
    assert members.loc["spooky-author-identification", "facts_from"] == "meta kaggle"
    assert pd.isna(members.loc["titanic", "overrides_rule"])  # no rule screened it, so it overrides none
    assert result.outside_dump == {
        "lmsys-chatbot-arena": "kaggle listing", "titanic": "split recipe", "typo-competition": "annotation",
    }  # fmt: skip
    assert result.without_facts == ["typo-competition"]
    assert "titanic (facts from split recipe)" in result.outside_summary()


def test_a_member_nothing_lists_that_reads_as_a_dump_slug_is_named_as_a_likely_typo(candidates):
    """Sweep 172: histopathologic-cancer-detektion, annotated before the dump was loaded (annotate could only warn),
    became a member with facts from its recipe, and members_in_meta_kaggle passed. Sequels differ in digits alone
    and are not taken for typos; a member a listing confirms is not either."""
    from curation.slug_look_alikes import look_alikes

    annotations = annotations_frame([
        _a("histopathologic-cancer-detektion", "carol", decision="include", split_recipe=TITANIC_RECIPE),
        _a("Spooky-Author-Identification", "carol", decision="include"),
        _a("playground-series-s4e5", "carol", decision="include", split_recipe=TITANIC_RECIPE),
        _a("titanic", "carol", decision="include", split_recipe=TITANIC_RECIPE),
        _a("histopathologic-cancer-detectio", "carol", decision="include"),
    ])  # fmt: skip
    listed = _listing("histopathologic-cancer-detectio", title="listed, so it exists")
    result = consolidate(annotations, candidates, {"histopathologic-cancer-detectio": listed})
    assert result.look_alikes == {
        "Spooky-Author-Identification": ["spooky-author-identification"],
        "histopathologic-cancer-detektion": ["histopathologic-cancer-detection"],
    }
    assert look_alikes("playground-series-s4e5", candidates["slug"]) == []  # s4e3 is another round, not a typo
    assert look_alikes("histopathologic_cancer_detection", candidates["slug"]) == ["histopathologic-cancer-detection"]
    assert look_alikes("spooky-author-identification", candidates["slug"]) == []


def test_a_listing_without_a_metric_leaves_the_recipe_metric(candidates):
    listed = _listing("titanic", title="Titanic - Machine Learning from Disaster")
    annotations = annotations_frame([_a("titanic", "alice", decision="include", split_recipe=TITANIC_RECIPE)])
    member = consolidate(annotations, candidates, {"titanic": listed}).curated.iloc[0]
    assert member["title"] == listed.title and member["metric"] == "accuracy"
    assert member["facts_from"] == "kaggle listing + split recipe"


def test_a_listing_that_fails_is_said_and_never_stops_the_curation():
    from curation.curated import fetch_listings
    from curation.sources.kaggle_client import KaggleCredentialsError

    def listing(slug):
        if slug == "lmsys-chatbot-arena":
            raise KaggleCredentialsError("no Kaggle credentials")
        return _listing(slug, title="Titanic")

    found, errors = fetch_listings(["lmsys-chatbot-arena", "titanic"], listing, "kaggle")
    assert found["lmsys-chatbot-arena"] is None and found["titanic"].title == "Titanic"
    assert errors == {"lmsys-chatbot-arena": "kaggle could not list lmsys-chatbot-arena: "
                                             "KaggleCredentialsError: no Kaggle credentials"}  # fmt: skip
    assert fetch_listings(["titanic"], None) == ({"titanic": None}, {})


def test_curate_asks_the_source_only_about_members_outside_the_dump(tmp_path, candidates):
    """The curated table holds them, and Warehouse.competition falls back to it (what competition_split, parity and
    grading look facts up with)."""
    from curation.curated import curate, load_annotations
    from curation.warehouse import Warehouse
    from validation.data_root import CANDIDATES, CURATED

    store = AnnotationStore(tmp_path / "annotations")
    store.update("titanic", "alice", {"decision": "include", "split_recipe": TITANIC_RECIPE})
    store.update("spooky-author-identification", "alice", {"decision": "include"})
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    warehouse.replace_table(CANDIDATES, candidates)
    load_annotations(store, warehouse)
    asked = []

    def listing(slug):
        asked.append(slug)
        return _listing(slug, title="Titanic - Machine Learning from Disaster", team_count=15000, awards_medals=True,
                        code_competition=False)  # fmt: skip

    benchmark = curate(warehouse, listing, "kaggle")
    assert asked == ["titanic"] and benchmark.members == 2
    assert warehouse.read_table(CURATED)["slug"].tolist() == ["spooky-author-identification", "titanic"]
    facts = warehouse.competition("titanic")
    assert facts["title"] == "Titanic - Machine Learning from Disaster" and facts["total_teams"] == 15000
    assert facts["evaluation_algorithm_name"] == "accuracy" and facts["facts_from"] == "kaggle listing + split recipe"
    # what `mlecurate export` writes as awards_medals and competition_type, by Meta Kaggle's names
    assert facts["can_qualify_tiers"] is True and facts["only_allow_kernel_submissions"] is False
    assert warehouse.competition("spooky-author-identification")["can_qualify_tiers"] is False  # the dump's
    assert warehouse.competition("no-such-competition") == {}
    types = dict(warehouse.query(f"SELECT column_name, column_type FROM (DESCRIBE {CURATED})").values.tolist())
    assert "NULL" not in types.values() and types["total_teams"] in ("BIGINT", "INTEGER")
    assert types["can_qualify_tiers"] == types["only_allow_kernel_submissions"] == "BOOLEAN"

    def unflagged(slug):
        return _listing(slug, title="Titanic - Machine Learning from Disaster")

    curate(warehouse, unflagged, "kaggle")  # no member says: still BOOLEAN columns, not text
    types = dict(warehouse.query(f"SELECT column_name, column_type FROM (DESCRIBE {CURATED})").values.tolist())
    assert types["can_qualify_tiers"] == types["only_allow_kernel_submissions"] == "BOOLEAN"
    assert warehouse.competition("titanic")["can_qualify_tiers"] is None


def test_a_dump_members_metric_is_its_recipes_where_the_recipe_names_one(candidates):
    """Sweep 189: icdm-2015-drawbridge's recipe named mean_f0_5, and curated.metric still said mean_f2 (Meta Kaggle's
    F-Score Beta (Micro) as the registry maps it) while show and grade used the recipe's."""
    icdm = "icdm-2015-drawbridge-cross-device-connections"
    recipe = {"kind": "random", "id_column": "device_id", "target_columns": ["cookie_id"], "metric": "mean_f0_5"}
    annotations = annotations_frame([_a(icdm, "alice", decision="include", split_recipe=recipe),
                                     _a("spooky-author-identification", "alice", decision="include")])  # fmt: skip
    curated = consolidate(annotations, candidates).curated.set_index("slug")
    assert curated.at[icdm, "metric"] == "mean_f0_5" and curated.at[icdm, "evaluation_algorithm_name"] == (
        "F-Score Beta (Micro)"
    )
    assert curated.at["spooky-author-identification", "metric"] == "multiclass_log_loss"  # no recipe: Kaggle's
