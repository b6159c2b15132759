"""The Great Expectations suite on the real dump, and on damaged copies of it."""

from __future__ import annotations

import pytest

from validation.competitions_suite import validate_competitions


@pytest.fixture(scope="module")
def real_report(real_competitions):
    return validate_competitions(real_competitions.table.to_pandas())


def test_real_dump_passes_every_blocking_check(real_report):
    checks = {c.name: c for c in real_report.checks}
    assert set(checks) == {"unique_id_and_slug", "required_fields", "known_segments", "sane_dates"}
    assert real_report.failed("error") == []
    assert checks["known_segments"].passed


def test_placeholder_dates_are_reported_not_fatal(real_report):
    dates = next(c for c in real_report.checks if c.name == "sane_dates")
    assert dates.severity == "warning" and not dates.passed
    launch = next(o for o in dates.outcomes if o.column == "enabled_date")
    assert launch.unexpected == 2  # 2000-01-01 and 2001-07-01 placeholders in the March 2024 dump
    assert "2000-01-01 00:00:00" in launch.examples
    assert "natural-language-processing-with-e-commerce-data (launched 2000-01-01)" in dates.summary
    assert "(row" not in dates.summary  # competitions are named by slug, never by row


def test_duplicated_slug_fails_the_blocking_check_and_names_competitions(real_competitions):
    frame = real_competitions.table.to_pandas()
    frame.loc[5, "slug"] = frame.loc[6, "slug"]
    report = validate_competitions(frame)
    failed = report.failed("error")
    assert [c.name for c in failed] == ["unique_id_and_slug"]
    slug = frame.loc[6, "slug"]
    assert (
        f"2 competitions share a slug: {slug} (Id {frame.loc[5, 'id']}), {slug} (Id {frame.loc[6, 'id']})"
        in failed[0].summary
    )
    assert "(row" not in failed[0].summary


def test_unknown_segment_is_a_warning(real_competitions):
    frame = real_competitions.table.to_pandas().head(50).copy()
    frame.loc[3, "host_segment_title"] = "Moonshot"
    report = validate_competitions(frame)
    segments = next(c for c in report.checks if c.name == "known_segments")
    assert not segments.passed and segments.severity == "warning"
    assert "Moonshot" in segments.summary
