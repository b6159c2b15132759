"""Demo competition data: a deterministic, made-up dataset for a demo competition, shaped by its metric's task.

>>> files = demo_competition_files("pollen-music-segmentation", "auc")   # train.csv, test.csv, sample_submission.csv
>>> demo_competition_zip("pollen-music-segmentation", "auc")            # the same files, zipped as Kaggle ships them
>>> demo_leaderboard_csv("pollen-music-segmentation", "auc", teams=120)  # Kaggle's leaderboard download
>>> demo_split_recipe("auc")                                             # a split recipe that fits the files

Every bundle has ``train.csv`` (an ``id``; numeric ``x1``..``x4``, a categorical ``colour``, a text ``note``; and the
targets), ``test.csv`` (the same rows' features, without targets) and ``sample_submission.csv`` (the test ids and a
constant prediction). The targets follow from the features plus noise, so a baseline can learn something, in the
shape of the metric's task (``validation.metrics.TASKS``):

| task | train targets | sample submission |
|---|---|---|
| binary | ``target``: 0/1 | ``target``: 0.5 |
| multilabel | ``label_1``..``label_3``: 0/1 each | 0.5 each |
| multiclass | ``target``: a class name | one probability column per class, uniform |
| classification | ``target``: a class name (0..4 for whole-number labels such as kappa) | the first class |
| regression | ``target``: a non-negative number | 0 |
| multi_target_regression | ``target_1``..``target_3``: non-negative numbers | 0 each |
| ranking | ``target``: 1-2 space-separated labels, best first | the first five labels |
| text | ``target``: two words | a constant word |

The same slug always gives the same bytes. Nothing in it is real data. Callers ask only for metrics of the registry
(the demo source gives a competition whose Meta Kaggle metric mlecurate cannot grade AUC-shaped data).
"""

from __future__ import annotations

import csv
import io
import math
import random
import zipfile

import pandas as pd

from validation.grading import score_aligned
from validation.metrics import METRICS, RANKING_DEPTH, Metric

TRAIN_ROWS = 1200
TEST_ROWS = 500
WORDS = ["river", "stone", "quiet", "amber", "north", "glass", "ember", "field", "cloud", "signal", "copper", "lime"]
CLASSES = ["alpha", "beta", "gamma"]  # multiclass and label classification
WHOLE_LABELS = [0, 1, 2, 3, 4]  # classification with whole-number labels (quadratic weighted kappa)
RANK_LABELS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
TEXT_SAMPLE = "plain"
TARGETS = 3  # target columns of the multi-target tasks
ZIP_TIME = (2024, 3, 1, 0, 0, 0)
BOARD_DATE = "2024-02-01 12:00:00"
STRATIFIED_TASKS = ("binary", "multiclass", "classification")  # a class label to stratify on


def target_columns(metric: str) -> list[str]:
    """The demo's target columns for the metric's task."""
    task = METRICS[metric].task
    if task == "multilabel":
        return [f"label_{i}" for i in range(1, TARGETS + 1)]
    if task == "multi_target_regression":
        return [f"target_{i}" for i in range(1, TARGETS + 1)]
    return ["target"]


def demo_split_recipe(metric: str) -> dict:
    """A split recipe for the demo's files: no metric key, so the competition's own metric grades it (the demo's data,
    metric and leaderboard agree)."""
    kind = "stratified" if METRICS[metric].task in STRATIFIED_TASKS else "random"
    return {"kind": kind, "id_column": "id", "target_columns": target_columns(metric), "test_fraction": 0.2,
            "sample_submission_file": "sample_submission.csv"}  # fmt: skip


def demo_competition_files(
    slug: str, metric: str, *, train_rows: int = TRAIN_ROWS, test_rows: int = TEST_ROWS
) -> dict[str, bytes]:
    """``train.csv``, ``test.csv`` and ``sample_submission.csv`` of a demo competition, deterministic per slug."""
    spec = METRICS[metric]
    train, test = _rows(slug, spec, train_rows, test_rows)
    targets = target_columns(metric)
    features = [c for c in train[0] if c not in targets]
    sample = _sample_row(spec)
    return {
        "train.csv": _csv(train, list(train[0])),
        "test.csv": _csv(test, features),
        "sample_submission.csv": _csv([{"id": r["id"]} | sample for r in test], ["id", *sample]),
    }


def demo_competition_zip(slug: str, metric: str, *, train_rows: int = TRAIN_ROWS, test_rows: int = TEST_ROWS) -> bytes:
    """The demo competition's files zipped as Kaggle ships them (fixed times: the same bytes on every machine)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, content in demo_competition_files(slug, metric, train_rows=train_rows, test_rows=test_rows).items():
            bundle.writestr(zipfile.ZipInfo(name, date_time=ZIP_TIME), content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def demo_leaderboard_csv(slug: str, metric: str, teams: int) -> bytes:
    """A made-up private leaderboard in Kaggle's download format (``TeamId,TeamName,SubmissionDate,Score``), best
    first. Scores lie between a perfect submission's and the sample submission's on the demo's own data (never
    reaching the sample's), so they are plausible for the metric and the sample earns no medal."""
    spec = METRICS[metric]
    perfect, sample = _reference_scores(slug, metric)
    rng = random.Random(f"demo-board:{slug}")
    count = max(teams, 1)  # Meta Kaggle can say 0 teams; a leaderboard has at least one row
    scores = sorted((round(perfect + (sample - perfect) * rng.uniform(0.05, 0.85), 5) for _ in range(count)),
                    reverse=spec.higher_is_better)  # fmt: skip
    lines = ["TeamId,TeamName,SubmissionDate,Score"]
    lines += [f"{100000 + i},team {i + 1},{BOARD_DATE},{score}" for i, score in enumerate(scores)]
    return ("\n".join(lines) + "\n").encode()


def _rows(slug: str, spec: Metric, train_rows: int, test_rows: int) -> tuple[list[dict], list[dict]]:
    rng = random.Random(f"demo-data:{slug}")
    noise = random.Random(f"demo-targets:{slug}")  # a second stream: the features do not depend on the task
    weights = [rng.uniform(-2, 2) for _ in range(4)]

    def row(index: int) -> dict:
        x = [round(rng.gauss(0, 1), 4) for _ in range(4)]
        colour = rng.choice(["red", "green", "blue", ""])
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9)))
        score = sum(w * v for w, v in zip(weights, x, strict=True)) + (0.7 if colour == "red" else 0) + rng.gauss(0, 1)
        features = {"id": index, "x1": x[0], "x2": x[1], "x3": x[2], "x4": x[3], "colour": colour, "note": text}
        return features | _targets(spec, score, x, colour, noise)

    return [row(i) for i in range(train_rows)], [row(train_rows + i) for i in range(test_rows)]


def _targets(spec: Metric, score: float, x: list[float], colour: str, noise: random.Random) -> dict:
    """The row's targets, from its latent score and features, in the shape of the metric's task."""
    task = spec.task
    if task == "binary":
        return {"target": int(score > 0)}
    if task == "regression":
        return {"target": _positive(score)}
    if task == "multiclass":
        return {"target": CLASSES[_bin(score, len(CLASSES))]}
    if task == "classification":
        labels = WHOLE_LABELS if spec.prediction_domain.whole else CLASSES
        return {"target": labels[_bin(score, len(labels))]}
    if task == "multilabel":
        latent = [score, x[0] + x[1], x[2] - x[3] + (0.7 if colour == "red" else 0)]
        return {f"label_{i + 1}": int(v + noise.gauss(0, 0.5) > 0) for i, v in enumerate(latent)}
    if task == "multi_target_regression":
        latent = [score, 2 * x[0] + x[1], x[2] - x[3] + (1 if colour == "blue" else 0)]
        return {f"target_{i + 1}": _positive(v + noise.gauss(0, 0.3)) for i, v in enumerate(latent)}
    if task == "ranking":  # the best label follows the score; sometimes a second, random one
        first = RANK_LABELS[_bin(score, len(RANK_LABELS))]
        second = noise.choice([label for label in RANK_LABELS if label != first])
        return {"target": first if noise.random() < 0.6 else f"{first} {second}"}
    if task == "text":
        return {"target": f"{colour or 'plain'} {'rising' if score > 0 else 'falling'}"}
    raise ValueError(f"metric {spec.name}: the demo has no data for task {task!r}")


def _positive(value: float) -> float:
    """A non-negative number rising with ``value`` (10 x softplus): a linear model can follow it."""
    return round(10 * math.log1p(math.exp(value)), 3)


def _bin(score: float, bins: int) -> int:
    """Which of ``bins`` equal slices of the score's usual range (-3..3) the score falls in."""
    return min(bins - 1, max(0, int((score + 3) / 6 * bins)))


def _sample_row(spec: Metric) -> dict:
    """The sample submission's constant prediction columns."""
    task = spec.task
    if task == "multiclass":
        return {c: round(1 / len(CLASSES), 6) for c in CLASSES}
    if task in ("multilabel", "multi_target_regression"):
        value = 0.5 if task == "multilabel" else 0
        return {c: value for c in target_columns(spec.name)}
    if task == "classification":
        return {"target": WHOLE_LABELS[0] if spec.prediction_domain.whole else CLASSES[0]}
    constants = {"binary": 0.5, "regression": 0, "ranking": " ".join(RANK_LABELS[:RANKING_DEPTH]), "text": TEXT_SAMPLE}
    return {"target": constants[task]}


def _reference_scores(slug: str, metric: str) -> tuple[float, float]:
    """(a perfect submission's score, the sample submission's score) on the demo's train rows."""
    spec = METRICS[metric]
    train, _ = _rows(slug, spec, TRAIN_ROWS, 0)
    targets = target_columns(metric)
    if spec.one_column_per_class:  # answers in submission format: one-hot
        answers = [{"id": r["id"]} | {c: int(r["target"] == c) for c in CLASSES} for r in train]
    else:
        answers = [{"id": r["id"]} | {t: r[t] for t in targets} for r in train]
    predicted = list(answers[0])[1:]
    sample = [{"id": r["id"]} | _sample_row(spec) for r in train]
    as_text = lambda rows: pd.DataFrame(rows).astype(str)  # noqa: E731  # as a submission file reads
    return spec.perfect, score_aligned(spec, as_text(answers), as_text(sample), predicted)


def _csv(rows: list[dict], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()
