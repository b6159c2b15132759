"""Demo competition data: a deterministic, made-up dataset for a demo competition, shaped by its metric's task.

>>> files = demo_competition_files("pollen-music-segmentation", "auc")   # train.csv, test.csv, sample_submission.csv
>>> demo_competition_zip("pollen-music-segmentation", "auc")            # the same files, zipped as Kaggle ships them
>>> demo_leaderboard_csv("pollen-music-segmentation", "auc", teams=120)  # Kaggle's leaderboard download
>>> demo_split_recipe("auc")                                             # a split recipe that fits the files
>>> demo_competition_files("s", "mean_columnwise_rmsle", targets=2, labelled_test=True)   # + test_with_solutions.csv
>>> mlebench_leaderboard_csv("s", "auc", teams=120)                     # the board in MLE-bench's leaderboard.csv format
>>> generated_competition("s", "rmsle", labelled_test=True)             # zip, board and recipe for a mirror folder
>>> generated_competition("s", "auc", shape=Shape(kind="group", format="parquet"))   # another split kind, format

Every bundle has ``train.csv`` (an ``id``; numeric ``x1``..``x4``, a categorical ``colour``, a text ``note``; and the
targets), ``test.csv`` (the same rows' features, without targets) and ``sample_submission.csv`` (the test ids and a
constant prediction). The targets follow from the features plus noise, so a baseline can learn something, in the
shape of the metric's task (``validation.metrics.TASKS``):

| task | train targets | sample submission |
|---|---|---|
| binary | ``target``: 0/1 | ``target``: 0.5 |
| multilabel | ``label_1``..``label_N``: 0/1 each (N = ``targets``, default 3) | 0.5 each |
| multiclass | ``target``: a class name | one probability column per class, uniform |
| classification | ``target``: a class name (0..4 for whole-number labels such as kappa; 0/1, about 1 in 6 a 1, for a metric of imbalanced classes such as MCC) | the first class (0) |
| regression | ``target``: a non-negative number (100 or more under a percentage error such as RMSPE) | 0 |
| multi_target_regression | ``target_1``..``target_N``: non-negative numbers (N = ``targets``, default 3) | 0 each |
| distribution | ``vote_1``..``vote_N``: each row's 1-7 votes over N classes (N = ``targets``, default 3; at least 2) | 1/N each |
| ranking | ``target``: 1-2 space-separated labels, best first | the first five labels |
| text | ``target``: two words | a constant word |

With ``labelled_test`` the bundle also holds ``test_with_solutions.csv``: the test rows with their targets, as
Kaggle released the labels of some competitions after they closed (detecting-insults-in-social-commentary's file of
that name); a recipe names it as ``original_answers_file``, and parity is then judged on it.

The same slug always gives the same bytes. Nothing in it is real data. Callers ask only for metrics of the registry
(the demo source gives a competition whose Meta Kaggle metric mlecurate cannot grade data shaped for a registry
metric going the same way, ``demo_meta_kaggle.demo_data_metrics``: AUC's when higher is better, RMSE's when lower).
"""

from __future__ import annotations

import csv
import io
import math
import random
import zipfile
from dataclasses import dataclass

import pandas as pd

from curation.sources.competition_shapes import Shape, reshape
from validation.grading import score_aligned
from validation.metrics import METRICS, Metric

TRAIN_ROWS = 1200
TEST_ROWS = 500
WORDS = ["river", "stone", "quiet", "amber", "north", "glass", "ember", "field", "cloud", "signal", "copper", "lime"]
CLASSES = ["alpha", "beta", "gamma"]  # multiclass and label classification
WHOLE_LABELS = [0, 1, 2, 3, 4]  # classification with whole-number labels (quadratic weighted kappa)
RANK_LABELS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
MASK_PIXELS = 900  # a mask's image: 30 x 30 pixels
MASK_SAMPLE = "1 1"  # a mask's sample submission: one pixel, as carvana-image-masking-challenge's
# a ranking's sample submission lists two of them, whatever its depth: five of six would leave a top-5 error nothing to
# tell a perfect submission from the sample by
SAMPLE_RANK_LABELS = 2
TEXT_SAMPLE = "plain"
TARGETS = 3  # target columns of the multi-target tasks, unless asked for another number
MAX_TARGETS = 50
GENERATED_TEAMS = 100  # teams on a generated competition's leaderboard
MIN_GENERATED_ROWS = 40
LABELLED_TEST_FILE = "test_with_solutions.csv"  # the original test set with its labels (as detecting-insults')
ZIP_TIME = (2024, 3, 1, 0, 0, 0)
BOARD_DATE = "2024-02-01 12:00:00"
STRATIFIED_TASKS = ("binary", "multiclass", "classification")  # a class label to stratify on (the default kind)
# --kind stratified also takes several 0/1 targets: a split stratifies on the combination of their values
STRATIFIABLE_TASKS = (*STRATIFIED_TASKS, "multilabel")
RARE_CLASS_SCORE = 2.6  # the latent score above which a row is of the rare class, for a metric of imbalanced classes


def target_columns(metric: str, targets: int | None = None) -> list[str]:
    """The demo's target columns for the metric's task: ``targets`` of them (default 3) for a column-wise metric,
    one otherwise."""
    spec = METRICS[metric]
    count = target_count(spec, targets)
    if spec.task == "multilabel":
        return [f"label_{i}" for i in range(1, count + 1)]
    if spec.task == "multi_target_regression":
        return [f"target_{i}" for i in range(1, count + 1)]
    if spec.distribution:
        return [f"vote_{i}" for i in range(1, count + 1)]
    return ["target"]


def target_count(spec: Metric, targets: int | None) -> int:
    """How many target columns a competition for ``spec`` has; a metric of one column has exactly one."""
    if targets is None:
        return TARGETS if spec.column_wise else 1
    if isinstance(targets, bool) or not isinstance(targets, int) or not 1 <= targets <= MAX_TARGETS:
        raise ValueError(
            f"metric {spec.name}: targets must be a whole number from 1 to {MAX_TARGETS}, found {targets!r}"
        )
    if targets == 1 and spec.distribution:
        raise ValueError(f"metric {spec.name} (task {spec.task}) scores a distribution over several classes, a target "
                         "column each: give 2 targets or more")  # fmt: skip
    if targets != 1 and not spec.column_wise:
        column_wise = ", ".join(sorted(m.name for m in METRICS.values() if m.column_wise))
        raise ValueError(f"metric {spec.name} (task {spec.task}) scores one target column, not {targets}; "
                         f"several targets need a metric of several target columns ({column_wise})")  # fmt: skip
    return targets


def demo_split_recipe(metric: str, targets: int | None = None, labelled_test: bool = False) -> dict:
    """A split recipe for the demo's files: no metric key, so the competition's own metric grades it (the demo's data,
    metric and leaderboard agree). With ``labelled_test``, parity is judged on the labelled original test set."""
    kind = "stratified" if METRICS[metric].task in STRATIFIED_TASKS else "random"
    recipe = {"kind": kind, "id_column": "id", "target_columns": target_columns(metric, targets), "test_fraction": 0.2,
              "sample_submission_file": "sample_submission.csv"}  # fmt: skip
    if labelled_test:
        recipe["original_answers_file"] = LABELLED_TEST_FILE
    return recipe


def demo_competition_files(
    slug: str,
    metric: str,
    *,
    train_rows: int = TRAIN_ROWS,
    test_rows: int = TEST_ROWS,
    targets: int | None = None,
    labelled_test: bool = False,
) -> dict[str, bytes]:
    """``train.csv``, ``test.csv`` and ``sample_submission.csv`` of a demo competition, deterministic per slug (and
    ``test_with_solutions.csv``, the test rows with their targets, with ``labelled_test``)."""
    spec = METRICS[metric]
    columns = target_columns(metric, targets)
    train, test = _rows(slug, spec, train_rows, test_rows, len(columns))
    features = [c for c in train[0] if c not in columns]
    sample = _sample_row(spec, columns)
    files = {
        "train.csv": _csv(train, list(train[0])),
        "test.csv": _csv(test, features),
        "sample_submission.csv": _csv([{"id": r["id"]} | sample for r in test], ["id", *sample]),
    }
    if labelled_test:
        files[LABELLED_TEST_FILE] = _csv(test, list(test[0]))
    return files


def demo_competition_zip(
    slug: str,
    metric: str,
    *,
    train_rows: int = TRAIN_ROWS,
    test_rows: int = TEST_ROWS,
    targets: int | None = None,
    labelled_test: bool = False,
) -> bytes:
    """The demo competition's files zipped as Kaggle ships them (fixed times: the same bytes on every machine)."""
    return zipped(demo_competition_files(
        slug, metric, train_rows=train_rows, test_rows=test_rows, targets=targets, labelled_test=labelled_test
    ))  # fmt: skip


def zipped(files: dict[str, bytes]) -> bytes:
    """``files`` in one zip, in the order given, with fixed times (the same bytes on every machine)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, content in files.items():
            bundle.writestr(zipfile.ZipInfo(name, date_time=ZIP_TIME), content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def demo_leaderboard_csv(slug: str, metric: str, teams: int, targets: int | None = None) -> bytes:
    """A made-up private leaderboard in Kaggle's download format (``TeamId,TeamName,SubmissionDate,Score``), best
    first. Scores lie between a perfect submission's and the sample submission's on the demo's own data (never
    reaching the sample's), so they are plausible for the metric and the sample earns no medal."""
    lines = ["TeamId,TeamName,SubmissionDate,Score"]
    lines += [
        f"{100000 + i},team {i + 1},{BOARD_DATE},{score}"
        for i, score in enumerate(_board(slug, metric, teams, targets))
    ]
    return ("\n".join(lines) + "\n").encode()


def mlebench_leaderboard_csv(slug: str, metric: str, teams: int, targets: int | None = None) -> bytes:
    """The same board as :func:`demo_leaderboard_csv` in MLE-bench's ``leaderboard.csv`` format
    (``scoreNullable,teamId,hasTeamName,submissionDate,score,hasScore``), best first."""
    lines = ["scoreNullable,teamId,hasTeamName,submissionDate,score,hasScore"]
    lines += [f"{score},{100000 + i},True,{BOARD_DATE},{score},True"
              for i, score in enumerate(_board(slug, metric, teams, targets))]  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


def _board(slug: str, metric: str, teams: int, targets: int | None) -> list[float]:
    """The board's scores, best first (see :func:`demo_leaderboard_csv`)."""
    spec = METRICS[metric]
    perfect, sample = _reference_scores(slug, metric, targets)
    rng = random.Random(f"demo-board:{slug}")
    count = max(teams, 1)  # Meta Kaggle can say 0 teams; a leaderboard has at least one row
    return sorted((round(perfect + (sample - perfect) * rng.uniform(0.05, 0.85), 5) for _ in range(count)),
                  reverse=spec.higher_is_better)  # fmt: skip


def _rows(slug: str, spec: Metric, train_rows: int, test_rows: int, targets: int) -> tuple[list[dict], list[dict]]:
    rng = random.Random(f"demo-data:{slug}")
    noise = random.Random(f"demo-targets:{slug}")  # a second stream: the features do not depend on the task
    weights = [rng.uniform(-2, 2) for _ in range(4)]

    def row(index: int) -> dict:
        x = [round(rng.gauss(0, 1), 4) for _ in range(4)]
        colour = rng.choice(["red", "green", "blue", ""])
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9)))
        score = sum(w * v for w, v in zip(weights, x, strict=True)) + (0.7 if colour == "red" else 0) + rng.gauss(0, 1)
        features = {"id": index, "x1": x[0], "x2": x[1], "x3": x[2], "x4": x[3], "colour": colour, "note": text}
        return features | _targets(spec, score, x, colour, noise, targets)

    return [row(i) for i in range(train_rows)], [row(train_rows + i) for i in range(test_rows)]


def _targets(spec: Metric, score: float, x: list[float], colour: str, noise: random.Random, targets: int) -> dict:
    """The row's targets, from its latent score and features, in the shape of the metric's task (``targets``
    columns for the column-wise tasks)."""
    task = spec.task
    if task == "binary":
        return {"target": int(score > 0)}
    if task == "regression":  # a percentage error's targets are far from 0, as sales are (a 0.01 would rule it)
        return {"target": round(_positive(score) + (100 if spec.baseline_fit == "relative" else 0), 3)}
    if task == "multiclass":
        return {"target": CLASSES[_bin(score, len(CLASSES))]}
    if task == "classification":
        if spec.baseline_fit == "balanced":  # a metric for imbalanced classes (MCC): 0/1, about one row in six a 1
            return {"target": int(score > RARE_CLASS_SCORE)}
        labels = WHOLE_LABELS if spec.prediction_domain.whole else CLASSES
        return {"target": labels[_bin(score, len(labels))]}
    if task == "multilabel":
        latent = [score, x[0] + x[1], x[2] - x[3] + (0.7 if colour == "red" else 0)] + _more_latent(x, targets)
        return {f"label_{i + 1}": int(v + noise.gauss(0, 0.5) > 0) for i, v in enumerate(latent[:targets])}
    if task == "multi_target_regression":
        latent = [score, 2 * x[0] + x[1], x[2] - x[3] + (1 if colour == "blue" else 0)] + _more_latent(x, targets)
        return {f"target_{i + 1}": _positive(v + noise.gauss(0, 0.3)) for i, v in enumerate(latent[:targets])}
    if task == "distribution":  # 1-7 voters, each choosing a class with odds rising with its latent value
        latent = [score, x[0] + x[1], x[2] - x[3] + (0.7 if colour == "red" else 0)] + _more_latent(x, targets)
        odds = [math.exp(v) for v in latent[:targets]]
        votes = [0] * targets
        for _ in range(noise.randint(1, 7)):
            votes[noise.choices(range(targets), weights=odds)[0]] += 1
        return {f"vote_{i + 1}": count for i, count in enumerate(votes)}
    if task in ("ranking", "label_set"):  # the best label follows the score; sometimes a second, random one
        first = RANK_LABELS[_bin(score, len(RANK_LABELS))]
        second = noise.choice([label for label in RANK_LABELS if label != first])
        return {"target": first if noise.random() < 0.6 else f"{first} {second}"}
    if task == "text":
        return {"target": f"{colour or 'plain'} {'rising' if score > 0 else 'falling'}"}
    if task == "mask":
        return {"target": _mask(score, x, colour)}
    raise ValueError(f"metric {spec.name}: the demo has no data for task {task!r}")


def _mask(score: float, x: list[float], colour: str) -> str:
    """A run-length encoded mask of an image of ``MASK_PIXELS`` pixels: none below a low score (an image without the
    object), else 1-3 runs (one more for a red row) placed by the features, longer for a higher score."""
    if score < -1.5:
        return ""
    count = 1 + _bin(x[0], 2) + (colour == "red")
    length = 5 + int(10 * (score + 1.5))
    starts = [1 + k * MASK_PIXELS // 3 + _bin(x[1], 4) * 40 for k in range(count)]
    return " ".join(f"{start} {min(length, MASK_PIXELS // 3 - 160)}" for start in starts)


def _more_latent(x: list[float], targets: int) -> list[float]:
    """Latent values for targets beyond the third: each a different mix of the features."""
    return [x[i % 4] - 0.5 * x[(i + 1) % 4] + 0.25 * x[(i + 2) % 4] for i in range(max(targets - 3, 0))]


def _positive(value: float) -> float:
    """A non-negative number rising with ``value`` (10 x softplus): a linear model can follow it."""
    return round(10 * math.log1p(math.exp(value)), 3)


def _bin(score: float, bins: int) -> int:
    """Which of ``bins`` equal slices of the score's usual range (-3..3) the score falls in."""
    return min(bins - 1, max(0, int((score + 3) / 6 * bins)))


def _sample_row(spec: Metric, columns: list[str]) -> dict:
    """The sample submission's constant prediction columns (``columns``: the target columns)."""
    task = spec.task
    if task == "multiclass":
        return {c: round(1 / len(CLASSES), 6) for c in CLASSES}
    if task in ("multilabel", "multi_target_regression"):
        value = 0.5 if task == "multilabel" else 0
        return {c: value for c in columns}
    if task == "distribution":
        return dict.fromkeys(columns, 1 / len(columns))
    if task == "classification":
        if spec.baseline_fit == "balanced":
            return {"target": 0}  # the commonest class
        return {"target": WHOLE_LABELS[0] if spec.prediction_domain.whole else CLASSES[0]}
    constants = {"binary": 0.5, "regression": 0, "ranking": " ".join(RANK_LABELS[:SAMPLE_RANK_LABELS]),
                 "label_set": RANK_LABELS[0], "text": TEXT_SAMPLE, "mask": MASK_SAMPLE}  # fmt: skip
    return {"target": constants[task]}


def _reference_scores(slug: str, metric: str, count: int | None = None) -> tuple[float, float]:
    """(a perfect submission's score, the sample submission's score) on the demo's train rows."""
    spec = METRICS[metric]
    targets = target_columns(metric, count)
    train, _ = _rows(slug, spec, TRAIN_ROWS, 0, len(targets))
    if spec.one_column_per_class:  # answers in submission format: one-hot
        answers = [{"id": r["id"]} | {c: int(r["target"] == c) for c in CLASSES} for r in train]
    else:
        answers = [{"id": r["id"]} | {t: r[t] for t in targets} for r in train]
    predicted = list(answers[0])[1:]
    sample = [{"id": r["id"]} | _sample_row(spec, targets) for r in train]
    as_text = lambda rows: pd.DataFrame(rows).astype(str)  # noqa: E731  # as a submission file reads
    return spec.perfect, score_aligned(spec, as_text(answers), as_text(sample), predicted)


def _csv(rows: list[dict], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


@dataclass(frozen=True)
class GeneratedCompetition:
    """A made-up competition for a mirror folder (``mlecurate generate-competition``): the zip a Kaggle download
    would be, its private leaderboard in MLE-bench's format, and a split recipe that works for it."""

    slug: str
    metric: str
    archive: bytes  # <slug>.zip: train, test, sample_submission.csv (and test_with_solutions), in the shape asked
    leaderboard: bytes  # leaderboard.csv, MLE-bench's format, best first in the metric's direction
    recipe: dict  # with metric (and original_answers_file, with a labelled test set)


def generated_competition(
    slug: str,
    metric: str,
    *,
    targets: int | None = None,
    labelled_test: bool = False,
    train_rows: int = TRAIN_ROWS,
    test_rows: int | None = None,
    teams: int = GENERATED_TEAMS,
    shape: Shape | None = None,
) -> GeneratedCompetition:
    """A competition of ``metric``'s task, deterministic per slug (``test_rows`` default: 5/12 of ``train_rows``), in
    ``shape`` (split kind, data format, ids: ``curation.sources.competition_shapes``)."""
    if metric not in METRICS:
        raise ValueError(f"no metric {metric!r} in the registry (known: {', '.join(sorted(METRICS))})")
    target_count(METRICS[metric], targets)  # a bad number of targets fails before anything is built
    if shape is not None and shape.submission_format and METRICS[metric].one_column_per_class:
        raise ValueError(f"{metric} scores one column per class, which a submission format cannot map (a recipe's "
                         "submission_columns maps a column to a target): drop --submission-format")  # fmt: skip
    if train_rows < MIN_GENERATED_ROWS:
        raise ValueError(
            f"rows must be at least {MIN_GENERATED_ROWS} (a split and its bootstrap need some), found {train_rows}"
        )
    test_rows = (
        test_rows if test_rows is not None else max(MIN_GENERATED_ROWS // 2, train_rows * TEST_ROWS // TRAIN_ROWS)
    )
    files = demo_competition_files(
        slug, metric, train_rows=train_rows, test_rows=test_rows, targets=targets, labelled_test=labelled_test
    )
    recipe = demo_split_recipe(metric, targets, labelled_test) | {"metric": metric}
    files, recipe = reshape(files, recipe, shape or Shape(), class_target=METRICS[metric].task in STRATIFIABLE_TASKS)
    board = mlebench_leaderboard_csv(slug, metric, teams, targets)
    return GeneratedCompetition(slug, metric, zipped(files), board, recipe)
