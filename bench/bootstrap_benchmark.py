"""Benchmark: parity's bootstrap, each metric's 200 resamples scored through its prepared stages against the metric
scored afresh on every resample (what parity did before ``Metric.stages``).

    .venv/bin/python bench/bootstrap_benchmark.py [--rows 20000] [--repeat 2]

For every metric in the registry: answers and imperfect predictions of its shape (``--rows`` rows; classification
labels as text, as a CSV gives them), then ``validation.parity._bootstrap_rounds`` timed twice in the same run: as
the registry declares the metric, and with its ``stages`` taken away (each resample's answers and predictions then
go through the whole metric: labels typed, text split, rows' own scores computed again). Both must give the same
rounds. Prints a table of the best times and their ratio; results go in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from validation.metrics import METRICS, Metric  # noqa: E402
from validation.parity import BOOTSTRAP_ROUNDS, _bootstrap_rounds  # noqa: E402

CLASSES = ["cat", "dog", "emu", "owl"]
# Before its stages, mean_levenshtein kept the pairs it had scored in a cache of 65,536, so resamples cost little;
# without stages or cache its 200 resamples of 20,000 rows take minutes: no fair baseline to measure against.
LEFT_OUT = {"mean_levenshtein"}


def submission(metric: Metric, rows: int, rng: np.random.Generator) -> tuple:
    """Answers and predictions of ``metric``'s shape, the predictions right about half the time."""
    real = pd.Series(rng.gamma(2.0, 3.0, rows))
    binary = pd.Series(rng.integers(0, 2, rows))
    labels = pd.Series(rng.choice(CLASSES, rows))
    guessed = pd.Series(np.where(rng.random(rows) < 0.5, labels, rng.choice(CLASSES, rows)))
    if metric.domain == "integer_label":
        ratings = pd.Series(rng.integers(0, 5, rows))
        return ratings.astype(str), pd.Series(np.clip(ratings + rng.integers(-1, 2, rows), 0, 4)).astype(str)
    if metric.task == "text":  # six words a row: a Python loop over the rows, so only for the text metrics
        words = pd.Series([" ".join(rng.choice(CLASSES, 6)) for _ in range(rows)])
        return words, words.sample(frac=1, random_state=0).reset_index(drop=True)
    return {
        "binary": (binary, pd.Series(rng.random(rows))),
        "regression": (real, real * rng.uniform(0.7, 1.3, rows)),
        "classification": (labels, guessed),
        "ranking": (labels, guessed + " " + labels.sample(frac=1, random_state=0).to_numpy()),
        "label_set": (labels + " " + labels.sample(frac=1, random_state=1).to_numpy(), guessed),
        "multilabel": (pd.DataFrame({"a": binary, "b": 1 - binary}), pd.DataFrame(rng.random((rows, 2)), columns=["a", "b"])),
        "multi_target_regression": (pd.DataFrame({"a": real, "b": real[::-1].to_numpy()}),
                                    pd.DataFrame({"a": real * 1.1, "b": real.to_numpy()})),
        "multiclass": (labels, pd.DataFrame(rng.random((rows, len(CLASSES))), columns=CLASSES)),
    }[metric.task]  # fmt: skip


def best_time(metric: Metric, truth, predicted, repeat: int) -> tuple[float, np.ndarray]:
    times, rounds = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        rounds = _bootstrap_rounds(metric, truth, predicted, seed=0)
        times.append(time.perf_counter() - start)
    return min(times), rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="rows of answers per metric (default 20,000)")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of each way; the best counts (default 2)")
    args = parser.parse_args()
    print(f"{BOOTSTRAP_ROUNDS} resamples of {args.rows:,} rows; Python {platform.python_version()}, "
          f"{platform.machine()}, numpy {np.__version__}, pandas {pd.__version__}\n")  # fmt: skip
    print("| metric | prepared stages | whole metric each resample | ratio |")
    print("|---|---|---|---|")
    for name, metric in METRICS.items():
        if metric.stages is None or name in LEFT_OUT:
            continue
        truth, predicted = submission(metric, args.rows, np.random.default_rng(0))
        staged, staged_rounds = best_time(metric, truth, predicted, args.repeat)
        whole, whole_rounds = best_time(dataclasses.replace(metric, stages=None), truth, predicted, args.repeat)
        if not np.allclose(staged_rounds, whole_rounds, rtol=1e-12, atol=1e-12, equal_nan=True):
            sys.exit(f"{name}: the two ways gave different rounds")
        print(f"| {name} | {staged:.3f} s | {whole:.3f} s | {whole / staged:.1f}x faster |")


if __name__ == "__main__":
    main()
