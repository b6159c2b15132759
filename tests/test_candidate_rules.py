"""The candidate rules and their funnel, on the real March 2024 dump."""

from __future__ import annotations

from datetime import datetime

import pytest

from curation.candidate_rules import CandidateRules, screen_competitions

ONLY_COMMUNITY = CandidateRules(
    require_completed=False, require_leaderboard=False, min_teams=0, require_known_metric=False
)


def test_dropping_community_alone_leaves_582_of_5669(real_competitions):
    screening = screen_competitions(real_competitions.table, ONLY_COMMUNITY)
    assert len(screening.candidates) == 5669
    assert screening.candidates["is_candidate"].sum() == 582
    assert screening.funnel["remaining"].tolist() == [5669, 582]
    assert set(screening.candidates.loc[~screening.candidates["is_candidate"], "exclusion_reason"]) == {"not_community"}


def test_default_funnel_narrows_in_rule_order(real_competitions):
    screening = screen_competitions(real_competitions.table, CandidateRules())
    funnel = screening.funnel
    assert funnel["rule"].tolist() == [
        "(all competitions)", "not_community", "completed", "has_leaderboard", "enough_teams", "known_metric",
    ]  # fmt: skip
    assert funnel["remaining"].tolist() == sorted(funnel["remaining"], reverse=True)
    assert funnel["remaining"].iloc[-1] == screening.candidates["is_candidate"].sum()
    assert funnel["excluded"].sum() == 5669 - funnel["remaining"].iloc[-1]
    assert screening.candidates["is_candidate"].sum() <= 582


def test_each_competition_keeps_the_first_rule_it_fails(real_competitions):
    candidates = screen_competitions(real_competitions.table, CandidateRules()).candidates.set_index("slug")
    # A Community competition with few teams is excluded as Community, not for its team count.
    community = candidates[candidates["host_segment"] == "Community"]
    assert (community["exclusion_reason"] == "not_community").all()
    row = candidates.loc["detecting-insults-in-social-commentary"]
    assert row["is_candidate"] and row["total_teams"] == 50  # exactly at the min_teams default
    assert candidates.loc[~candidates["is_candidate"], "exclusion_detail"].notna().all()


def test_min_teams_and_as_of_are_configurable(real_competitions):
    strict = screen_competitions(real_competitions.table, CandidateRules(min_teams=1000)).candidates
    assert not strict.set_index("slug").loc["detecting-insults-in-social-commentary", "is_candidate"]
    assert (
        "50 teams, fewer than 1000"
        in strict.set_index("slug").loc["detecting-insults-in-social-commentary", "exclusion_detail"]
    )
    early = screen_competitions(real_competitions.table, CandidateRules(as_of=datetime(2015, 1, 1))).funnel
    completed = early.set_index("rule").loc["completed"]
    assert completed["excluded"] > 300


@pytest.mark.parametrize("rule, field", [("not_code_competition", "drop_code_competitions")])
def test_optional_rules_appear_only_when_enabled(real_competitions, rule, field):
    off = screen_competitions(real_competitions.table, CandidateRules())
    on = screen_competitions(real_competitions.table, CandidateRules(**{field: True}))
    assert rule not in off.funnel["rule"].tolist()
    assert on.funnel.set_index("rule").loc[rule, "excluded"] > 0
