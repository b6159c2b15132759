"""Benchmark: split a generated ~1 GB, 10M-row tabular CSV 90/10, mlecurate's builder vs MLE-bench's way.

    python bench/split_benchmark.py [--rows 10000000] [--keep]

MLE-bench's prepare scripts read the CSV with pandas, split it with sklearn's ``train_test_split`` (10%, seed 0) and
write the new train, test (without the target) and answers with ``to_csv``. mlecurate's builder does the same job
through DuckDB (``splits.builder.build_split``, default 1 GB memory limit). Each side runs in its own process, the
two alternating, ``--repeat`` times on the same file; wall time and peak resident memory (``wait4``'s ru_maxrss) are
measured per process. The best run of each side is compared (timing noise only ever adds), and every run is
printed. Results go in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

MLECURATE = """
import sys
from pathlib import Path
from splits.builder import build_split
from validation.split_recipe import parse_recipe
recipe = parse_recipe({"kind": "random", "id_column": "id", "target_columns": ["target"]}, "bench")
result = build_split(recipe, Path(sys.argv[1]), Path(sys.argv[2]), "bench")
print(result.train_rows, result.test_rows)
"""

MLEBENCH = """
import sys
from pathlib import Path
import pandas as pd
from sklearn.model_selection import train_test_split
raw, out = Path(sys.argv[1]), Path(sys.argv[2])
(out / "public").mkdir(parents=True); (out / "private").mkdir(parents=True)
old_train = pd.read_csv(raw / "train.csv")
new_train, new_test = train_test_split(old_train, test_size=0.1, random_state=0)
new_train.to_csv(out / "public" / "train.csv", index=False)
new_test.drop(columns=["target"]).to_csv(out / "public" / "test.csv", index=False)
new_test[["id", "target"]].to_csv(out / "private" / "answers.csv", index=False)
print(len(new_train), len(new_test))
"""


def generate(path: Path, rows: int) -> None:
    """Mixed types: ints, floats, categories, short text, timestamps, booleans, a 0/1 target. Deterministic."""
    import duckdb

    with duckdb.connect() as con:
        con.execute(f"""
            COPY (SELECT i AS id,
                         (hash(i) % 1000)::INTEGER AS f_int,
                         round((hash(i * 3) % 1000000) / 1000.0 - 500, 3) AS f_float,
                         ['red', 'green', 'blue', 'amber', 'violet'][1 + (hash(i * 5) % 5)::INTEGER] AS f_cat,
                         'item ' || (hash(i * 7) % 100000)::VARCHAR || ' ' || substr(md5(i::VARCHAR), 1, 24) AS f_text,
                         TIMESTAMP '2020-01-01' + to_seconds((hash(i * 11) % 100000000)::BIGINT) AS f_time,
                         (hash(i * 13) % 2 = 0) AS f_flag,
                         (hash(i * 17) % 2)::INTEGER AS target
                  FROM range({rows}) t(i))
            TO '{path}' (FORMAT CSV, HEADER true)""")


def measure(name: str, code: str, raw: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code, str(raw), str(out)], cwd=PROJECT, stdout=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    output = process.stdout.read().decode().strip()
    if status != 0:
        raise SystemExit(f"{name} failed (status {status}): {output}")
    return {"name": name, "seconds": seconds, "peak_mb": usage.ru_maxrss / 1024, "rows": output}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows to generate (default 10,000,000)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side, alternating (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the generated data and outputs")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mlecurate-bench-"))
    try:
        raw = work / "raw"
        raw.mkdir()
        started = time.perf_counter()
        generate(raw / "train.csv", args.rows)
        size = (raw / "train.csv").stat().st_size
        print(f"input: {args.rows:,} rows, {size / 1e9:.2f} GB, generated in {time.perf_counter() - started:.1f} s")
        runs = {"ours": [], "theirs": []}
        for _ in range(args.repeat):
            runs["ours"].append(measure("mlecurate (DuckDB)", MLECURATE, raw, work / "ours"))
            runs["theirs"].append(measure("MLE-bench way (pandas + sklearn)", MLEBENCH, raw, work / "theirs"))
        for side in runs["ours"] + runs["theirs"]:
            print(
                f"  run: {side['name']:<34} {side['seconds']:6.1f} s   peak {side['peak_mb']:6.0f} MB   train/test {side['rows']}"
            )
        ours = {"seconds": min(r["seconds"] for r in runs["ours"]), "peak_mb": max(r["peak_mb"] for r in runs["ours"])}
        theirs = {
            "seconds": min(r["seconds"] for r in runs["theirs"]),
            "peak_mb": min(r["peak_mb"] for r in runs["theirs"]),
        }
        print(
            f"mlecurate (DuckDB):               best {ours['seconds']:6.1f} s, peak {ours['peak_mb']:6.0f} MB (highest run)"
        )
        print(
            f"MLE-bench way (pandas + sklearn): best {theirs['seconds']:6.1f} s, peak {theirs['peak_mb']:6.0f} MB (lowest run)"
        )
        print(f"speed-up: {theirs['seconds'] / ours['seconds']:.1f}x faster (target >= 5x)")
        print(f"memory:   {theirs['peak_mb'] / ours['peak_mb']:.1f}x less peak memory (target >= 4x); "
              f"mlecurate peak {ours['peak_mb'] / 1024:.2f} GB (target < 1.5 GB)")  # fmt: skip
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")


if __name__ == "__main__":
    main()
