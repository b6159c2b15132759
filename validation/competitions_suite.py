"""The Great Expectations suite for ``meta_kaggle.competitions``, grouped into the checks a person reads.

>>> report = validate_competitions(frame)
>>> [(c.name, c.passed, c.summary) for c in report.checks]

Groups (each is one asset check in Dagster):

- ``unique_id_and_slug`` (error): Id and Slug present and unique. A duplicated slug makes every later join wrong.
- ``required_fields`` (error): the columns the funnel needs exist, and every row has a title, segment and dates.
- ``known_segments`` (warning): the segment is one Kaggle has used; a new one is reported, not fatal.
- ``sane_dates`` (warning): launch dates after Kaggle's start (the dump's known ``2000-01-01`` placeholders are
  reported) and deadlines not before launch.

Great Expectations 1.x runs on an ephemeral context; importing it costs seconds, so it is imported here, lazily.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from validation.checks import Check

KNOWN_SEGMENTS = (
    "Community", "Featured", "Research", "Playground", "Recruitment", "Getting Started", "Analytics",
    "InClass", "Prospect", "GE Quests", "Masters",
)  # fmt: skip
KAGGLE_FIRST_COMPETITION = datetime(2010, 1, 1)
REQUIRED_FIELDS = ("id", "slug", "title", "host_segment", "enabled_date", "deadline_date")
FUNNEL_COLUMNS = (
    "has_leaderboard",
    "evaluation_algorithm_name",
    "total_teams",
    "evaluation_algorithm_is_max",
)


UNIQUE_ID_AND_SLUG = Check(
    "unique_id_and_slug", "Id and Slug are present and unique (blocking: a duplicate stops the load).", blocking=True
)
HAS_REQUIRED_FIELDS = Check(
    "required_fields",
    "The columns the funnel needs exist; every row has a title, segment and dates (blocking).",
    blocking=True,
)
KNOWN_SEGMENT_NAMES = Check(
    "known_segments", "Every segment is one Kaggle has used; a new one is reported, not fatal.", severity="warning"
)
SANE_DATES = Check(
    "sane_dates",
    "Launch dates after 2010 (the dump's 2000-01-01 placeholders are reported); deadline not before launch.",
    severity="warning",
)
SUITE_CHECKS = (UNIQUE_ID_AND_SLUG, HAS_REQUIRED_FIELDS, KNOWN_SEGMENT_NAMES, SANE_DATES)


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str
    success: bool
    checked: int
    unexpected: int
    examples: list = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # 1-based row numbers (file order) of the examples


@dataclass(frozen=True)
class SuiteCheck:
    name: str
    severity: str  # error | warning
    outcomes: list[ExpectationOutcome]

    @property
    def passed(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def summary(self) -> str:
        """What the check found, in one line."""
        parts = []
        for o in self.outcomes:
            shown = [f"{v} (row {r})" for v, r in zip(o.examples, o.rows, strict=False)] or list(map(str, o.examples))
            verdict = "ok" if o.success else f"{o.unexpected:,} unexpected, e.g. {', '.join(shown[:3])}"
            parts.append(f"{o.expectation} {o.column}: {verdict}")
        return f"{self.outcomes[0].checked:,} rows checked; " + "; ".join(parts)


@dataclass(frozen=True)
class SuiteReport:
    checks: list[SuiteCheck]
    gx_success: bool

    def failed(self, severity: str) -> list[SuiteCheck]:
        return [c for c in self.checks if not c.passed and c.severity == severity]


def _suite_definition(now: datetime) -> list[tuple[str, str, str, str, dict]]:
    """(check, severity, expectation class, label column, kwargs) for every expectation in the suite."""
    unique, required = UNIQUE_ID_AND_SLUG, HAS_REQUIRED_FIELDS
    rows = [
        (unique, "ExpectColumnValuesToNotBeNull", "id", {"column": "id"}),
        (unique, "ExpectColumnValuesToNotBeNull", "slug", {"column": "slug"}),
        (unique, "ExpectColumnValuesToBeUnique", "id", {"column": "id"}),
        (unique, "ExpectColumnValuesToBeUnique", "slug", {"column": "slug"}),
    ]
    rows += [(required, "ExpectColumnToExist", c, {"column": c}) for c in FUNNEL_COLUMNS]
    rows += [(required, "ExpectColumnValuesToNotBeNull", c, {"column": c}) for c in REQUIRED_FIELDS]
    rows += [
        (KNOWN_SEGMENT_NAMES, "ExpectColumnValuesToBeInSet", "host_segment_title",
         {"column": "host_segment_title", "value_set": list(KNOWN_SEGMENTS)}),
        (SANE_DATES, "ExpectColumnValuesToBeBetween", "enabled_date",
         {"column": "enabled_date", "min_value": KAGGLE_FIRST_COMPETITION, "max_value": now}),
        (SANE_DATES, "ExpectColumnPairValuesAToBeGreaterThanB", "deadline_date >= enabled_date",
         {"column_A": "deadline_date", "column_B": "enabled_date", "or_equal": True, "ignore_row_if": "either_value_is_missing"}),
    ]  # fmt: skip
    return [(check.name, check.severity, *rest) for check, *rest in rows]


def validate_competitions(frame: pd.DataFrame, now: datetime | None = None) -> SuiteReport:
    """Run the suite on the typed competitions table (a DataFrame); never raises on bad data, reports it."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    definition = _suite_definition(now or datetime.now())
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas("meta_kaggle")
        .add_dataframe_asset("competitions")
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = context.suites.add(gx.ExpectationSuite(name="meta_kaggle_competitions"))
    for _, _, expectation, _, kwargs in definition:
        suite.add_expectation(getattr(gxe, expectation)(**kwargs))
    result = batch.validate(suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5})

    by_key = {_key(item.expectation_config.type, item.expectation_config.kwargs): item for item in result.results}
    outcomes: dict[str, list[ExpectationOutcome]] = {}
    severities = {}
    for check, severity, expectation, label, kwargs in definition:
        item = by_key[_key(_snake(expectation), kwargs)]
        details = item.result or {}
        outcomes.setdefault(check, []).append(ExpectationOutcome(
            expectation=_words(expectation), column=label, success=bool(item.success),
            checked=int(details.get("element_count", len(frame))),
            unexpected=int(details.get("unexpected_count") or (0 if item.success else 1)),
            examples=[_plain(v) for v in details.get("partial_unexpected_list") or []],
            rows=[int(i) + 1 for i in details.get("partial_unexpected_index_list") or []],
        ))  # fmt: skip
        severities[check] = severity
    checks = [SuiteCheck(name, severities[name], found) for name, found in outcomes.items()]
    return SuiteReport(checks=checks, gx_success=bool(result.success))


def _snake(expectation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", expectation).lower()


def _key(expectation_type: str, kwargs: dict) -> tuple[str, str]:
    return expectation_type, str(kwargs.get("column") or kwargs.get("column_A"))


def _words(expectation: str) -> str:
    """``ExpectColumnValuesToBeUnique`` -> ``to be unique``."""
    words = _snake(expectation).split("_")
    return " ".join(w for w in words if w not in ("expect", "column", "values"))


def _plain(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return "/".join(str(_plain(v)) for v in value)
    return value.isoformat(sep=" ") if hasattr(value, "isoformat") else value
