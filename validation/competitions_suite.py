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
from dataclasses import asdict, dataclass, field
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
    "unique_id_and_slug",
    "Id and Slug are present and unique (blocking: a duplicate stops the load).",
    blocking=True,
    remedy="A missing or repeated Id or slug makes every later join wrong, so the load stopped and the warehouse "
    "keeps its previous table: fix these competitions in `Competitions.csv`, or load another dump.",
)
HAS_REQUIRED_FIELDS = Check(
    "required_fields",
    "The columns the funnel needs exist; every row has a title, segment and dates (blocking).",
    blocking=True,
    remedy="The screening cannot judge a competition without these, so the load stopped and the warehouse keeps its "
    "previous table: fix `Competitions.csv`, or load another dump.",
)
KNOWN_SEGMENT_NAMES = Check(
    "known_segments",
    "Every segment is one Kaggle has used; a new one is reported, not fatal.",
    severity="warning",
    remedy="Reported, not fatal: if Kaggle really added the segment, add it to `KNOWN_SEGMENTS` in "
    "`validation/competitions_suite.py`; the drop-Community rule does not know it either.",
)
SANE_DATES = Check(
    "sane_dates",
    "Launch dates after 2010 (the dump's 2000-01-01 placeholders are reported); deadline not before launch.",
    severity="warning",
    remedy="Reported, not fatal: Meta Kaggle's dates for these competitions are placeholders or out of order, and the "
    "completed rule reads them as they are; check them by hand before a curator includes one of these competitions.",
)
SUITE_CHECKS = (UNIQUE_ID_AND_SLUG, HAS_REQUIRED_FIELDS, KNOWN_SEGMENT_NAMES, SANE_DATES)
ALL_CLEAR = {  # what a passing check found, in a curator's words
    UNIQUE_ID_AND_SLUG.name: "every competition has an Id and a slug, and no two share either",
    HAS_REQUIRED_FIELDS.name: "the funnel's columns are all there, and every competition has a title, segment, launch "
    "date and deadline",
    KNOWN_SEGMENT_NAMES.name: "every competition is in a segment Kaggle has used",
    SANE_DATES.name: f"every competition launched after {KAGGLE_FIRST_COMPETITION:%Y-%m-%d} and closes after it "
    "launched",
}
FIELD_WORDS = {"id": "an Id", "slug": "a slug", "title": "a title", "host_segment": "a segment",
               "enabled_date": "a launch date", "deadline_date": "a deadline"}  # fmt: skip


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str
    success: bool
    checked: int
    unexpected: int
    examples: list = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # 1-based row numbers (file order) of the examples
    finding: str = ""  # which rule failed, for how many competitions (empty when it passed)
    named: str = ""  # the first few of them, by slug


@dataclass(frozen=True)
class SuiteCheck:
    name: str
    severity: str  # error | warning
    outcomes: list[ExpectationOutcome]

    @property
    def passed(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def problems(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def summary(self) -> str:
        """What the check found, in a curator's words: which competitions, which rule, and what to do."""
        checked = f"{self.outcomes[0].checked:,} competitions checked: "
        if self.passed:
            return checked + ALL_CLEAR[self.name] + "."
        remedy = next(c.remedy for c in SUITE_CHECKS if c.name == self.name)
        found = [f"{o.finding}: {o.named}" if o.named else o.finding for o in self.problems]
        return checked + "; ".join(found) + ". " + remedy


@dataclass(frozen=True)
class SuiteReport:
    checks: list[SuiteCheck]
    gx_success: bool

    def failed(self, severity: str) -> list[SuiteCheck]:
        return [c for c in self.checks if not c.passed and c.severity == severity]


@dataclass(frozen=True)
class Rule:
    """One expectation of the suite, and how its failure reads."""

    check: Check
    expectation: str  # Great Expectations' class
    column: str  # the column (or pair) it is about
    kwargs: dict
    problem: str  # what failed: "{competitions}" is "3 competitions"; the first few are named after it
    shown: tuple[tuple[str, str], ...] = ()  # (label, column) shown beside each named competition


def _suite_definition(now: datetime) -> list[Rule]:
    """Every expectation in the suite, grouped by the check it belongs to."""
    unique, required = UNIQUE_ID_AND_SLUG, HAS_REQUIRED_FIELDS
    rules = [
        Rule(unique, "ExpectColumnValuesToNotBeNull", "id", {"column": "id"}, "{competitions} without an Id"),
        Rule(
            unique,
            "ExpectColumnValuesToNotBeNull",
            "slug",
            {"column": "slug"},
            "{competitions} without a slug",
        ),
        Rule(
            unique,
            "ExpectColumnValuesToBeUnique",
            "id",
            {"column": "id"},
            "{competitions} share an Id",
            (("Id", "id"),),
        ),
        Rule(
            unique,
            "ExpectColumnValuesToBeUnique",
            "slug",
            {"column": "slug"},
            "{competitions} share a slug",
            (("Id", "id"),),
        ),
    ]
    rules += [
        Rule(required, "ExpectColumnToExist", c, {"column": c}, f"column {c} is missing from the dump")
        for c in FUNNEL_COLUMNS
    ]
    rules += [
        Rule(
            required,
            "ExpectColumnValuesToNotBeNull",
            c,
            {"column": c},
            f"{{competitions}} without {FIELD_WORDS[c]}",
        )
        for c in REQUIRED_FIELDS
    ]
    rules += [
        Rule(KNOWN_SEGMENT_NAMES, "ExpectColumnValuesToBeInSet", "host_segment_title",
             {"column": "host_segment_title", "value_set": list(KNOWN_SEGMENTS)},
             "{competitions} in a segment Kaggle has not used before", (("segment", "host_segment_title"),)),
        Rule(SANE_DATES, "ExpectColumnValuesToBeBetween", "enabled_date",
             {"column": "enabled_date", "min_value": KAGGLE_FIRST_COMPETITION, "max_value": now},
             f"{{competitions}} launched before {KAGGLE_FIRST_COMPETITION:%Y-%m-%d} (Kaggle's first competition) or "
             "in the future", (("launched", "enabled_date"),)),
        Rule(SANE_DATES, "ExpectColumnPairValuesAToBeGreaterThanB", "deadline_date >= enabled_date",
             {"column_A": "deadline_date", "column_B": "enabled_date", "or_equal": True,
              "ignore_row_if": "either_value_is_missing"},
             "{competitions} close before they launch",
             (("launched", "enabled_date"), ("deadline", "deadline_date"))),
    ]  # fmt: skip
    return rules


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
    for rule in definition:
        suite.add_expectation(getattr(gxe, rule.expectation)(**rule.kwargs))
    result = batch.validate(suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5})

    by_key = {_key(item.expectation_config.type, item.expectation_config.kwargs): item for item in result.results}
    outcomes: dict[str, list[ExpectationOutcome]] = {}
    for rule in definition:
        item = by_key[_key(_snake(rule.expectation), rule.kwargs)]
        details = item.result or {}
        unexpected = int(details.get("unexpected_count") or (0 if item.success else 1))
        index = list(details.get("partial_unexpected_index_list") or [])
        outcomes.setdefault(rule.check.name, []).append(ExpectationOutcome(
            expectation=_words(rule.expectation), column=rule.column, success=bool(item.success),
            checked=int(details.get("element_count", len(frame))), unexpected=unexpected,
            examples=[_plain(v) for v in details.get("partial_unexpected_list") or []],
            rows=[int(i) + 1 for i in index],
            finding="" if item.success else _finding(rule, unexpected),
            named="" if item.success else _named(rule, frame, unexpected, index),
        ))  # fmt: skip
    checks = [SuiteCheck(check.name, check.severity, outcomes[check.name]) for check in SUITE_CHECKS]
    return SuiteReport(checks=checks, gx_success=bool(result.success))


def _finding(rule: Rule, unexpected: int) -> str:
    return rule.problem.format(competitions=f"{unexpected:,} competition{'' if unexpected == 1 else 's'}")


def _named(rule: Rule, frame: pd.DataFrame, unexpected: int, index: list) -> str:
    """The first few competitions a rule found, by slug (by Id when the slug is missing)."""
    names = [_competition(frame, i, rule.shown) for i in index if i in frame.index]
    more = unexpected - len(names)
    return ", ".join(names) + (f" and {more:,} more" if more > 0 and names else "")


def _competition(frame: pd.DataFrame, index, shown: tuple[tuple[str, str], ...]) -> str:
    row = frame.loc[index]
    slug, competition_id = row.get("slug"), row.get("id")
    if pd.notna(slug):
        name = str(slug)
    elif pd.notna(competition_id):
        name, shown = f"Id {competition_id}", tuple(s for s in shown if s[1] != "id")
    else:
        name = f"the competition at position {frame.index.get_loc(index) + 1:,} of the file (no Id, no slug)"
    extra = ", ".join(f"{label} {_short(row.get(column))}" for label, column in shown)
    return f"{name} ({extra})" if extra else name


def _short(value: object) -> str:
    """A value as a person writes it: a date without a midnight time, nothing for a missing value."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "missing"
    if isinstance(value, datetime | pd.Timestamp) and value == value.replace(hour=0, minute=0, second=0, microsecond=0):
        return f"{value:%Y-%m-%d}"
    return str(_plain(value))


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


def report_record(report: SuiteReport) -> dict:
    """``report`` as plain JSON-able data (:func:`report_from_record` reads it back)."""
    return asdict(report)


def report_from_record(record: dict) -> SuiteReport:
    """The :class:`SuiteReport` :func:`report_record` wrote. Each check's severity is the one the code gives it, not
    the record's; a record without every check and expectation of the suite, in order, is a ValueError (a KeyError
    or TypeError when not of this shape at all)."""
    by_name = {check["name"]: check for check in record["checks"]}
    rules: dict[str, list[Rule]] = {}
    for rule in _suite_definition(datetime.now()):
        rules.setdefault(rule.check.name, []).append(rule)
    checks = []
    for check in SUITE_CHECKS:
        outcomes = [ExpectationOutcome(**outcome) for outcome in by_name[check.name]["outcomes"]]
        expected = [(_words(rule.expectation), rule.column) for rule in rules[check.name]]
        if [(o.expectation, o.column) for o in outcomes] != expected or len(by_name) != len(SUITE_CHECKS):
            raise ValueError(f"the record's check {check.name} is not the suite's")
        checks.append(SuiteCheck(check.name, check.severity, outcomes))
    return SuiteReport(checks=checks, gx_success=bool(record["gx_success"]))
