"""Benchmark: parity on a wide table, its baseline learning from every training row against at most 200,000.

    python bench/parity_scale.py [--rows 1000000] [--columns 54]

A generated table shaped like tabular-playground-series-dec-2021 (an integer id, ``--columns`` integer features,
``Cover_Type`` 1-7; a Kaggle test file a quarter its size), split 90/10 (random, accuracy), then
``load_parity_inputs`` and ``parity_report`` run twice, each in its own process: with the baseline's row cap
(``validation.parity_inputs.BASELINE_TRAIN_ROWS``) and without one (every row, as before it). Prints each run's wall
time, the inputs' load time, peak memory (the process's maximum resident set) and verdict, and the ratios. A sweep
measured the uncapped way on the real size (4M rows of 56 columns): 11.5 min and 18 GB. Results go in
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
RECIPE = {"kind": "random", "id_column": "Id", "target_columns": ["Cover_Type"], "metric": "accuracy"}

ONE_RUN = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import validation.parity_inputs as parity_inputs
from validation.data_root import PreparedFolder
from validation.parity import parity_report
root, cap, recipe = Path(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
parity_inputs.BASELINE_TRAIN_ROWS = cap
start = time.perf_counter()
inputs = parity_inputs.load_parity_inputs(PreparedFolder(root / "prepared" / "wide"), root / "raw", recipe, "accuracy")
loaded = time.perf_counter() - start
report = parity_report(inputs)
print(json.dumps({"seconds": time.perf_counter() - start, "load_seconds": loaded, "verdict": report.verdict,
                  "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}))
"""


def _generate(root: Path, rows: int, columns: int) -> float:
    """The download and its split; the split's seconds."""
    import duckdb

    from splits.layout import prepare_competition
    from validation.split_recipe import parse_recipe

    raw = root / "raw"
    raw.mkdir(parents=True)
    features = ", ".join(f"(hash(i * {c + 1}) % 1000)::INT AS f{c}" for c in range(columns))
    duckdb.sql(f"COPY (SELECT i AS Id, {features}, (hash(i) % 7 + 1)::INT AS Cover_Type FROM range({rows}) t(i)) "
               f"TO '{raw / 'train.csv'}'")  # fmt: skip
    duckdb.sql(f"COPY (SELECT i + {rows} AS Id, {features} FROM range({rows // 4}) t(i)) TO '{raw / 'test.csv'}'")
    start = time.perf_counter()
    prepared = prepare_competition("wide", parse_recipe(RECIPE, "recipe"), raw, root / "prepared")
    if not prepared.published:
        raise SystemExit(f"the split was not published: {[(c.name, c.found) for c in prepared.checks if not c.passed]}")
    return time.perf_counter() - start


def _run(root: Path, cap: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", ONE_RUN, str(PROJECT), str(root), str(cap), json.dumps(RECIPE)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="training rows generated (default 1,000,000)")
    parser.add_argument("--columns", type=int, default=54, help="integer feature columns (default 54)")
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT))
    from validation.parity_inputs import BASELINE_TRAIN_ROWS

    with tempfile.TemporaryDirectory(prefix="parity-scale-") as scratch:
        root = Path(scratch)
        split = _generate(root, args.rows, args.columns)
        print(f"{args.rows:,} training rows, {args.columns} features; split in {split:.1f} s")
        capped, whole = _run(root, BASELINE_TRAIN_ROWS), _run(root, 10**12)
        for name, run in (
            (f"baseline on at most {BASELINE_TRAIN_ROWS:,} rows", capped),
            ("baseline on every row", whole),
        ):
            print(f"{name}: {run['seconds']:.1f} s (inputs {run['load_seconds']:.1f} s), peak {run['peak_gb']:.2f} GB, "
                  f"verdict {run['verdict']}")  # fmt: skip
        print(f"capped / every row: time {capped['seconds'] / whole['seconds']:.2f}x, "
              f"memory {capped['peak_gb'] / whole['peak_gb']:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
