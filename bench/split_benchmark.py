"""Benchmark: mlecurate's split builder against one DuckDB pass over the file (the floor) and MLE-bench's way.

    python bench/split_benchmark.py [--rows 10000000,40000000] [--repeat 2] [--quick]

For each size, a generated mixed-type CSV (integer id, four floats, two ints, a category, a short text, a date, a 0/1
target; about 1.4 GB per 10M rows) is split 90/10 into train, test without the target, and answers, by:

- the floor: one DuckDB pass reading the file as mlecurate reads it (CSV as text) and writing it whole once, on the
  builder's own connection settings (memory limit, threads): what any split that rewrites the data must at least do;
- mlecurate: ``splits.builder.build_split`` with a ``random`` recipe;
- MLE-bench's way: pandas ``read_csv``, sklearn ``train_test_split`` (10%, seed 0), ``to_csv`` of the three files
  (once per size at the largest size, where it needs about 14 GB).

Each runs in its own process; wall time and peak resident memory (``wait4``'s ru_maxrss) are per process; the sides
alternate and the best run of each is compared (noise only ever adds). Then, at the first size, every other recipe
kind (stratified, group, temporal, released labels) and every other input format (Parquet, JSON; each against its
own floor: DuckDB reading and writing that format once; JSON with one DuckDB thread on both sides, see
``splits.builder.one_thread_for_json``). Targets (issue 13): mlecurate within 1.25x of the floor, peak memory at most
0.8 GB at every size. ``--quick`` runs 1M rows once (a smoke test); ``--kinds-only`` skips the size runs. Results go
in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

FLOOR = """
import sys
from pathlib import Path
from splits.builder import connect, one_thread_for_json
from validation.data_files import copy_sql, reader_sql
source, out = Path(sys.argv[1]), Path(sys.argv[2])
con = connect(out / "scratch")  # the builder's own settings: memory limit, threads, insertion order
with one_thread_for_json(con, source.name):
    print(con.execute(copy_sql(f"SELECT * FROM {reader_sql(source)}", out / ("copy" + source.suffix))).fetchall()[0][0])
"""

MLECURATE = """
import json, sys
from pathlib import Path
from splits.builder import build_split
from validation.split_recipe import parse_recipe
source, out = Path(sys.argv[1]), Path(sys.argv[2])
recipe = parse_recipe(json.loads(sys.argv[3]), "bench")
result = build_split(recipe, source.parent, out / "split", "bench")
print(result.train_rows, result.test_rows)
"""

MLEBENCH = """
import sys
from pathlib import Path
import pandas as pd
from sklearn.model_selection import train_test_split
source, out = Path(sys.argv[1]), Path(sys.argv[2])
(out / "public").mkdir(parents=True); (out / "private").mkdir(parents=True)
old_train = pd.read_csv(source)
new_train, new_test = train_test_split(old_train, test_size=0.1, random_state=0)
new_train.to_csv(out / "public" / "train.csv", index=False)
new_test.drop(columns=["target"]).to_csv(out / "public" / "test.csv", index=False)
new_test[["id", "target"]].to_csv(out / "private" / "answers.csv", index=False)
print(len(new_train), len(new_test))
"""

RANDOM = {"kind": "random", "id_column": "id", "target_columns": ["target"]}
KINDS = {
    "stratified": {"kind": "stratified", "id_column": "id", "target_columns": ["target"]},
    "group": {"kind": "group", "group_column": "n2", "target_columns": ["target"]},
    "temporal": {"kind": "temporal", "id_column": "id", "time_column": "day", "target_columns": ["target"]},
    "released_labels": {
        "kind": "released_labels", "id_column": "id", "target_columns": ["target"],
        "test_file": "test.csv", "answers_file": "test_labels.csv",
    },
}  # fmt: skip
COLUMNS = """i AS id,
    hash(i) / 18446744073709551616.0 * 2000 - 1000 AS f1,
    hash(i * 3) / 18446744073709551616.0 * 100000 AS f2,
    (hash(i * 19) / 18446744073709551616.0) ** 2 AS f3,
    hash(i * 23) / 18446744073709551616.0 - 0.5 AS f4,
    (hash(i * 29) % 1000)::INTEGER AS n1,
    (hash(i * 31) % 100000)::INTEGER AS n2,
    ['red', 'green', 'blue', 'amber', 'violet'][1 + (hash(i * 5) % 5)::INTEGER] AS category,
    'item ' || (hash(i * 7) % 100000)::VARCHAR || ' ' || substr(md5(i::VARCHAR), 1, 16) AS note,
    DATE '2015-01-01' + (hash(i * 11) % 3000)::INTEGER AS day,
    (hash(i * 17) % 2)::INTEGER AS target"""
TARGET_RATIO = 1.25
TARGET_PEAK_GB = 0.8


def generate(folder: Path, rows: int, formats: tuple[str, ...] = ("csv",), labelled_test: bool = False) -> None:
    """``train.<format>`` of ``rows`` rows (and, for released labels, a labelled test set of a tenth as many)."""
    import duckdb

    options = {"csv": "FORMAT CSV, HEADER true", "parquet": "FORMAT PARQUET", "json": "FORMAT JSON, ARRAY true"}
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute("SET preserve_insertion_order = true")
        for kind in formats:
            con.execute(
                f"COPY (SELECT {COLUMNS} FROM range({rows}) t(i)) TO '{folder / f'train.{kind}'}' ({options[kind]})"
            )
        if labelled_test:
            test = f"SELECT {COLUMNS} FROM range({rows}, {rows + rows // 10}) t(i)"
            con.execute(f"COPY ({test}) TO '{folder / 'test_labels.csv'}' ({options['csv']})")
            con.execute(f"COPY (SELECT * EXCLUDE (target) FROM ({test})) TO '{folder / 'test.csv'}' ({options['csv']})")


def measure(name: str, code: str, source: Path, work: Path, *extra: str) -> dict:
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(source), str(out), *extra], cwd=PROJECT, stdout=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    output = process.stdout.read().decode().strip()
    shutil.rmtree(out, ignore_errors=True)
    if status != 0:
        raise SystemExit(f"{name} failed (status {status}): {output}")
    run = {"name": name, "seconds": seconds, "peak_gb": usage.ru_maxrss / 1024**2, "output": output}
    print(f"  {name:<44} {seconds:7.1f} s   peak {run['peak_gb']:5.2f} GB   {output}", flush=True)
    return run


def best(runs: list[dict]) -> dict:
    return {"seconds": min(r["seconds"] for r in runs), "peak_gb": max(r["peak_gb"] for r in runs)}


def compare(label: str, ours: list[dict], floor: list[dict]) -> tuple[float, float]:
    ratio = best(ours)["seconds"] / best(floor)["seconds"]
    peak = best(ours)["peak_gb"]
    verdict = "meets" if ratio <= TARGET_RATIO and peak <= TARGET_PEAK_GB else "MISSES"
    print(
        f"{label:<40} mlecurate {best(ours)['seconds']:6.1f} s / floor {best(floor)['seconds']:6.1f} s = {ratio:4.2f}x"
        f" (target <= {TARGET_RATIO}x); peak {peak:4.2f} GB (target <= {TARGET_PEAK_GB} GB): {verdict}",
        flush=True,
    )
    return ratio, peak


def size_run(work: Path, rows: int, repeat: int, mlebench: bool) -> None:
    folder = work / f"rows-{rows}"
    started = time.perf_counter()
    generate(folder, rows)
    source = folder / "train.csv"
    print(
        f"\n{rows:,} rows, {source.stat().st_size / 1e9:.2f} GB CSV (generated in {time.perf_counter() - started:.0f} s)"
    )
    runs: dict[str, list[dict]] = {"floor": [], "mlecurate": [], "mlebench": []}
    import json

    for attempt in range(repeat):
        runs["floor"].append(measure("floor (one DuckDB pass)", FLOOR, source, work))
        runs["mlecurate"].append(measure("mlecurate (random recipe)", MLECURATE, source, work, json.dumps(RANDOM)))
        if mlebench and (attempt == 0 or rows <= 10_000_000):
            runs["mlebench"].append(measure("MLE-bench way (pandas + sklearn)", MLEBENCH, source, work))
    compare(f"{rows:,} rows, random, CSV:", runs["mlecurate"], runs["floor"])
    if runs["mlebench"]:
        theirs, ours = best(runs["mlebench"]), best(runs["mlecurate"])
        print(
            f"{'':<40} MLE-bench way {theirs['seconds']:6.1f} s, peak {theirs['peak_gb']:5.2f} GB: mlecurate is "
            f"{theirs['seconds'] / ours['seconds']:.1f}x faster, {theirs['peak_gb'] / ours['peak_gb']:.1f}x less memory"
        )
    shutil.rmtree(folder, ignore_errors=True)


def kinds_and_formats(work: Path, rows: int, repeat: int) -> None:
    import json

    folder = work / f"kinds-{rows}"
    generate(folder, rows, formats=("csv", "parquet", "json"), labelled_test=True)
    print(f"\nEvery recipe kind ({rows:,} rows, CSV) and every format (random recipe), each against its floor")
    floor_csv: list[dict] = []
    ours: dict[str, list[dict]] = {name: [] for name in KINDS}
    for _ in range(repeat):
        floor_csv.append(measure("floor (CSV)", FLOOR, folder / "train.csv", work))
        for name, recipe in KINDS.items():
            ours[name].append(measure(f"mlecurate ({name})", MLECURATE, folder / "train.csv", work, json.dumps(recipe)))
    for name in KINDS:
        compare(f"{name}, CSV:", ours[name], floor_csv)
    for kind in ("parquet", "json"):
        source = folder / f"train.{kind}"
        recipe = RANDOM | {"train_file": source.name}
        floor, mine = [], []
        for _ in range(repeat):
            floor.append(measure(f"floor ({kind})", FLOOR, source, work))
            mine.append(measure(f"mlecurate (random, {kind})", MLECURATE, source, work, json.dumps(recipe)))
        compare(f"random, {kind}:", mine, floor)
    shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000000,40000000", help="sizes, comma-separated (default 10M and 40M)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of the floor and mlecurate per size (default 2)")
    parser.add_argument("--no-mlebench", action="store_true", help="skip MLE-bench's way (pandas needs ~14 GB at 40M)")
    parser.add_argument("--quick", action="store_true", help="1M rows, once: a smoke test of the script")
    parser.add_argument("--kinds-only", action="store_true", help="only the other kinds and formats, at the first size")
    args = parser.parse_args()
    sizes = [1_000_000] if args.quick else [int(n) for n in args.rows.split(",")]
    repeat = 1 if args.quick else args.repeat
    import duckdb
    import pandas
    import pyarrow

    print(
        f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 1024**3:.0f} GB"
        f" RAM, Python {platform.python_version()}, duckdb {duckdb.__version__}, pandas {pandas.__version__}, "
        f"pyarrow {pyarrow.__version__}"
    )
    work = Path(tempfile.mkdtemp(prefix="mlecurate-split-bench-"))
    try:
        for rows in [] if args.kinds_only else sizes:
            size_run(work, rows, repeat, mlebench=not args.no_mlebench)
        kinds_and_formats(work, sizes[0], repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
