"""Demo competition data: a deterministic, made-up dataset for every demo competition, zipped as Kaggle ships it.

>>> DemoSource().download("pollen-music-segmentation", folder)   # folder/pollen-music-segmentation.zip

Each bundle has ``train.csv`` (an ``id``, numeric, categorical and text features, and a ``target``), ``test.csv``
(without the target) and ``sample_submission.csv``. Classification metrics get a 0/1 target, regression metrics a
number. The same slug always gives the same bytes. Nothing in it is real data.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path

from curation.competition_data import CompetitionDataError
from curation.demo import REGRESSION, demo_competition_metrics, demo_competition_teams
from curation.paths import atomic_path

TRAIN_ROWS = 1200
TEST_ROWS = 500
WORDS = ["river", "stone", "quiet", "amber", "north", "glass", "ember", "field", "cloud", "signal", "copper", "lime"]
ZIP_TIME = (2024, 3, 1, 0, 0, 0)


@dataclass(frozen=True)
class DemoSource:
    name: str = "demo"

    def download(self, slug: str, folder: Path) -> Path:
        metric = _demo_metric(slug)
        final = folder / f"{slug}.zip"
        with atomic_path(final) as tmp:
            tmp.write_bytes(demo_competition_zip(slug, metric))
        return final


def demo_competition_zip(slug: str, metric: str | None) -> bytes:
    rng = random.Random(f"demo-data:{slug}")
    regression = metric in REGRESSION
    weights = [rng.uniform(-2, 2) for _ in range(4)]

    def row(index: int) -> dict:
        x = [round(rng.gauss(0, 1), 4) for _ in range(4)]
        colour = rng.choice(["red", "green", "blue", ""])
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9)))
        score = sum(w * v for w, v in zip(weights, x, strict=True)) + (0.7 if colour == "red" else 0) + rng.gauss(0, 1)
        target = round(abs(score) * 10, 3) if regression else int(score > 0)
        return {"id": index, "x1": x[0], "x2": x[1], "x3": x[2], "x4": x[3], "colour": colour, "note": text,
                "target": target}  # fmt: skip

    train = [row(i) for i in range(TRAIN_ROWS)]
    test = [row(TRAIN_ROWS + i) for i in range(TEST_ROWS)]
    sample_value = 0 if regression else 0.5  # a constant: a mean guess for regression is 0 here, 0.5 for AUC
    files = {
        "train.csv": _csv(train, list(train[0])),
        "test.csv": _csv(test, [k for k in test[0] if k != "target"]),
        "sample_submission.csv": _csv([{"id": r["id"], "target": sample_value} for r in test], ["id", "target"]),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, content in files.items():
            bundle.writestr(zipfile.ZipInfo(name, date_time=ZIP_TIME), content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _csv(rows: list[dict], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _demo_metric(slug: str) -> str | None:
    metrics = demo_competition_metrics()
    if slug not in metrics:
        raise CompetitionDataError(f"{slug}: not a demo competition (the demo source serves only its own slugs)")
    return metrics[slug]


def demo_leaderboard(slug: str) -> bytes:
    """A made-up private leaderboard for a demo competition: its Meta Kaggle team count, scores sorted best first."""
    metric = _demo_metric(slug)
    rng = random.Random(f"demo-board:{slug}")
    teams = max(demo_competition_teams()[slug], 1)
    regression = metric in REGRESSION
    scores = sorted((round(rng.uniform(0.5, 0.95) if not regression else rng.uniform(2.0, 12.0), 5) for _ in range(teams)),
                    reverse=not regression)  # fmt: skip
    lines = ["teamId,score,submissionDate"] + [f"{100000 + i},{s},2024-02-01 12:00:00" for i, s in enumerate(scores)]
    return ("\n".join(lines) + "\n").encode()
