"""The demo's Meta Kaggle: a ``Competitions.csv`` generated here, byte-identical on every machine.

>>> write_demo_meta_kaggle(folder)   # folder/Competitions.csv
>>> demo_competition_metrics()       # every demo slug and the registry metric it is graded by
>>> demo_data_metrics()              # every demo slug and the metric its generated data and board are shaped by
>>> demo_catalogue()                 # the dump's rows, plus the competition launched after it (not in the CSV)

Shaped like the real March 2024 dump: the same 42 columns in the same order, every field double-quoted, CRLF line
ends, ``MM/DD/YYYY HH:MM:SS`` dates, ``True``/``False`` booleans, a segment mix close to the real one (about 90%
Community), real metric names (some that mlecurate grades, some custom ones), and the dump's quirks (a few
placeholder ``01/01/2000`` launch dates, an empty ``EvaluationAlgorithmIsMax``). Nothing in it is real data.
"""

from __future__ import annotations

import csv
import functools
import io
import random
from datetime import datetime, timedelta
from pathlib import Path

from curation.meta_kaggle import COLUMNS, COLUMNS_ADDED_2025, COMPETITIONS_FILE, DATE_FORMAT
from validation.data_root import write_atomic
from validation.metrics import canonical_metric

DEMO_SEED = 20240301
DEMO_ROWS = 3000
SNAPSHOT = datetime(2024, 3, 1)
# The March 2024 dump's 42 columns, in its order.
HEADER = [c.source for c in COLUMNS if c.source not in ("LeaderboardDisplayFormat", *COLUMNS_ADDED_2025)]

SEGMENTS = [  # (segment, share of the real 2024 dump)
    ("Community", 0.897), ("Featured", 0.047), ("Research", 0.029), ("Playground", 0.023),
    ("Recruitment", 0.003), ("Getting Started", 0.0008), ("Analytics", 0.0002),
]  # fmt: skip
METRICS = [  # (abbreviation, EvaluationAlgorithmName, is max, weight)
    ("AUC", "Area Under Receiver Operating Characteristic Curve", True, 14),
    ("RMSE", "Root Mean Squared Error", False, 9),
    ("CategorizationAccuracy", "Categorization Accuracy", True, 8),
    ("LogLoss", "Log Loss", False, 6),
    ("MAE", "Mean Absolute Error", False, 4),
    ("RMSLE", "Root Mean Squared Logarithmic Error", False, 4),
    ("MulticlassLoss", "Multiclass Loss", False, 4),
    ("MAP@{K}", "MAP@{K}", True, 3),
    ("MacroFScore", "F-Score (Macro)", True, 2),
    ("QWK", "QuadraticWeightedKappa", True, 2),
    ("WMAE", "Weighted Mean Absolute Error", False, 2),
    ("Dice", "Dice", True, 2),
    ("CustomEval", "Custom Evaluation Metric", True, 2),
    ("39244492", "Roc Auc Score", True, 1),
]  # fmt: skip
TOPICS = [
    "ocean", "salinity", "crop", "yield", "retina", "traffic", "energy", "solar", "wind", "invoice", "sepsis",
    "galaxy", "protein", "churn", "fraud", "sentiment", "birdsong", "wildfire", "glacier", "rainfall", "pollen",
    "parking", "freight", "satellite", "lung", "skin", "essay", "tweet", "forum", "music", "molecule", "bridge",
]  # fmt: skip
TASKS = ["prediction", "classification", "forecasting", "detection", "segmentation", "ranking", "challenge"]


def demo_competitions_csv() -> str:
    """The demo ``Competitions.csv`` as text (deterministic)."""
    rng = random.Random(DEMO_SEED)
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(HEADER)
    used_slugs: set[str] = set()
    for index in range(DEMO_ROWS):
        writer.writerow([_field(value) for value in _competition(rng, index, used_slugs)])
    return buffer.getvalue()


def write_demo_meta_kaggle(folder: Path) -> Path:
    """Write ``folder/Competitions.csv`` (only when it differs, atomically); return its path."""
    path = Path(folder) / COMPETITIONS_FILE
    content = demo_competitions_csv()
    if not path.exists() or path.read_bytes() != content.encode("utf-8"):
        write_atomic(path, content)
    return path


def _competition(rng: random.Random, index: int, used: set[str]) -> list:
    segment = rng.choices([s for s, _ in SEGMENTS], weights=[w for _, w in SEGMENTS])[0]
    community = segment == "Community"
    slug = _slug(rng, used, community)
    enabled = SNAPSHOT - timedelta(days=rng.randint(20, 14 * 365), seconds=rng.randint(0, 86399))
    deadline = enabled + timedelta(days=rng.randint(14, 120))
    if community and index % 997 == 13:
        enabled = datetime(2000, 1, 1)  # the dump's placeholder launch date
    abbreviation, metric_name, is_max, _ = rng.choices(METRICS, weights=[m[3] for m in METRICS])[0]
    teams = int(rng.lognormvariate(1.8, 1.2)) if community else int(rng.lognormvariate(6.3, 1.1))
    competitors = int(teams * rng.uniform(1.0, 1.4))
    reward_type, reward = (
        ("Knowledge", None)
        if community
        else rng.choice([("USD", rng.choice([5000, 10000, 25000, 50000, 100000])), ("Knowledge", None), ("Swag", None)])
    )
    values = {
        "Id": 10000 + index * 7,
        "Slug": slug,
        "Title": slug.replace("-", " ").title(),
        "Subtitle": f'Demo competition {index}: {slug.replace("-", " ")}, with "quotes", commas, and text',
        "HostSegmentTitle": segment,
        "ForumId": 50000 + index,
        "OrganizationId": None if community or rng.random() < 0.5 else rng.randint(1, 900),
        "EnabledDate": enabled,
        "DeadlineDate": deadline,
        "ProhibitNewEntrantsDeadlineDate": None if community else deadline - timedelta(days=7),
        "TeamMergerDeadlineDate": None if community else deadline - timedelta(days=7),
        "TeamModelDeadlineDate": None,
        "ModelSubmissionDeadlineDate": None,
        "FinalLeaderboardHasBeenVerified": True,
        "HasKernels": True,
        "OnlyAllowKernelSubmissions": (not community) and rng.random() < 0.2,
        "HasLeaderboard": rng.random() < (0.9 if community else 0.98),
        "LeaderboardPercentage": rng.choice([20, 25, 30, 50, 100]),
        "ScoreTruncationNumDecimals": 5,
        "EvaluationAlgorithmAbbreviation": abbreviation,
        "EvaluationAlgorithmName": metric_name,
        "EvaluationAlgorithmDescription": f"Submissions are scored by {metric_name}.",
        "EvaluationAlgorithmIsMax": None if index == 1616 else is_max,
        "MaxDailySubmissions": rng.choice([2, 5, 10, 20]),
        "NumScoredSubmissions": 2,
        "MaxTeamSize": rng.choice([None, 3, 5]),
        "BanTeamMergers": False,
        "EnableTeamModels": False,
        "RewardType": None if community and rng.random() < 0.9 else reward_type,
        "RewardQuantity": None if reward is None else f"{reward}.0000",
        "NumPrizes": 0 if reward is None else 3,
        "UserRankMultiplier": 0 if community else 1,
        "CanQualifyTiers": segment in ("Featured", "Research"),
        "TotalTeams": teams,
        "TotalCompetitors": competitors,
        "TotalSubmissions": teams * rng.randint(3, 40),
        "ValidationSetName": None,
        "ValidationSetValue": None,
        "EnableSubmissionModelHashes": False,
        "EnableSubmissionModelAttachments": False,
        "HostName": None,
        "CompetitionTypeId": 1,
    }
    return [values[name] for name in HEADER]


def _slug(rng: random.Random, used: set[str], community: bool) -> str:
    while True:
        parts = [rng.choice(TOPICS), rng.choice(TOPICS), rng.choice(TASKS)]
        slug = "-".join(parts) + (f"-{rng.randint(1, 99)}" if community else "")
        if slug not in used and parts[0] != parts[1]:
            used.add(slug)
            return slug


def _field(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, datetime):
        return value.strftime(DATE_FORMAT)
    return str(value)


@functools.cache
def demo_rows() -> tuple[dict, ...]:
    """The demo Competitions.csv, parsed once per process."""
    return tuple(csv.DictReader(io.StringIO(demo_competitions_csv())))


LAUNCHED_AFTER_THE_DUMP = "demo-launched-after-the-dump"


@functools.cache
def demo_catalogue() -> tuple[dict, ...]:
    """Every competition the demo source serves: the rows of its Competitions.csv, plus one launched after that
    dump (as real Kaggle has competitions Meta Kaggle's dump does not): the demo lists it, ships its data and its
    leaderboard, but its Meta Kaggle leaves it out."""
    after = dict.fromkeys(HEADER, "") | {
        "Id": str(900000 + DEMO_ROWS), "Slug": LAUNCHED_AFTER_THE_DUMP,
        "Title": "Demo: a competition launched after the dump", "Subtitle": "Forecast demand for a made-up shop",
        "HostSegmentTitle": "Featured", "EnabledDate": _field(SNAPSHOT + timedelta(days=7)),
        "DeadlineDate": _field(SNAPSHOT + timedelta(days=97)), "HasLeaderboard": "True",
        "EvaluationAlgorithmAbbreviation": "RMSE", "EvaluationAlgorithmName": "Root Mean Squared Error",
        "EvaluationAlgorithmIsMax": "False", "TotalTeams": "240",
    }  # fmt: skip
    return (*demo_rows(), after)


@functools.cache
def demo_competition_teams() -> dict[str, int]:
    """Every slug the demo serves and its team count."""
    return {r["Slug"]: int(r["TotalTeams"]) for r in demo_catalogue()}


@functools.cache
def demo_competition_metrics() -> dict[str, str | None]:
    """Every slug the demo serves and its canonical metric (None when mlecurate does not know the metric)."""
    return {r["Slug"]: canonical_metric(r["EvaluationAlgorithmName"]) for r in demo_catalogue()}


# The registry metric that shapes the data and board of a demo competition whose Meta Kaggle metric mlecurate cannot
# grade (weighted MAE, Dice, a custom one): one going the way Meta Kaggle's EvaluationAlgorithmIsMax says, so that the board
# is sorted as Meta Kaggle says and a recipe naming this metric scores on the board's own scale.
UNGRADED_DATA_METRICS = {True: "auc", False: "rmse"}


@functools.cache
def demo_data_metrics() -> dict[str, str]:
    """Every slug the demo serves and the registry metric its generated data and leaderboard are shaped by: its own
    metric, or for an ungraded one :data:`UNGRADED_DATA_METRICS` by Meta Kaggle's direction (higher when unsaid)."""
    return {
        r["Slug"]: canonical_metric(r["EvaluationAlgorithmName"])
        or UNGRADED_DATA_METRICS[r["EvaluationAlgorithmIsMax"] != "False"]
        for r in demo_catalogue()
    }
