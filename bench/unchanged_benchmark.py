"""Benchmark: re-materialising an unchanged competition (issue 13, build point 3: under a second, nothing rewritten).

    python bench/unchanged_benchmark.py [--rows 1000000]

Generates a competition of ``--rows`` training rows (an integer id, four floats, a category, a 0/1 target; test and
sample submission beside it) as a Kaggle mirror zip, annotates it, runs the `curation` job, then the
`prepare_competition` job (download, split, parity) twice on one Dagster instance, in this process. Prints each
step's duration (from Dagster's own step events) for the first run and the second, and whether any file under the
competition's raw and prepared folders changed (modification time or bytes). Results go in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared" / "data"
SLUG = "bench-unchanged"
STEPS = ("competition_raw", "competition_split", "split_parity")


def _competition(folder: Path, rows: int) -> Path:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows + rows // 10, 4))
    frame = pd.DataFrame(x, columns=["f1", "f2", "f3", "f4"])
    frame.insert(0, "id", np.arange(len(frame)))
    frame["colour"] = rng.choice(["red", "green", "blue"], size=len(frame))
    frame["target"] = (x[:, 0] + rng.normal(size=len(frame)) > 0).astype(int)
    train, test = frame.iloc[:rows], frame.iloc[rows:]
    (folder / SLUG).mkdir(parents=True)
    with zipfile.ZipFile(folder / SLUG / f"{SLUG}.zip", "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("train.csv", train.to_csv(index=False))
        bundle.writestr("test.csv", test.drop(columns="target").to_csv(index=False))
        bundle.writestr("sample_submission.csv", test[["id"]].assign(target=0.5).to_csv(index=False))
    recipe = folder / "recipe.yaml"
    recipe.write_text(
        "kind: random\nid_column: id\ntarget_columns: [target]\nsample_submission_file: sample_submission.csv\n"
        "metric: auc\n"
    )
    return recipe


def _files(*folders: Path) -> dict[str, tuple[int, str]]:
    return {
        str(p): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for folder in folders
        for p in folder.rglob("*")
        if p.is_file()
    }


def _step_seconds(instance, result) -> dict[str, float]:
    """Each step's time from its start to its success, as Dagster's event log records them."""
    starts, seconds = {}, {}
    for entry in instance.all_logs(result.run_id):
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type_value == "STEP_START":
            starts[event.step_key] = entry.timestamp
        elif event.event_type_value == "STEP_SUCCESS":
            seconds[event.step_key] = entry.timestamp - starts[event.step_key]
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="training rows of the generated competition")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlecurate-unchanged-") as scratch:
        work = Path(scratch)
        recipe = _competition(work / "mirror", args.rows)
        zipped = (work / "mirror" / SLUG / f"{SLUG}.zip").stat().st_size
        os.environ.update({
            "MLECURATE_HOME": str(work / "home"), "MLECURATE_ANNOTATIONS": str(work / "annotations"),
            "MLECURATE_META_KAGGLE": str(SHARED / "meta-kaggle"), "MLECURATE_KAGGLE_MIRROR": str(work / "mirror"),
        })  # fmt: skip
        sys.path.insert(0, str(PROJECT))
        import dagster as dg

        from curation.cli import main as mlecurate
        from pipelines.definitions import defs

        assert mlecurate(["annotate", SLUG, "--curator", "bench", "--decision", "include", "--allow-unknown",
                          "--split-recipe", str(recipe)]) == 0  # fmt: skip
        (work / "dagster").mkdir()
        instance = dg.DagsterInstance.local_temp(str(work / "dagster"))
        assert defs.resolve_job_def("curation").execute_in_process(instance=instance).success
        job = defs.resolve_job_def("prepare_competition")
        runs, walls = [], []
        folders = (work / "home" / "raw" / SLUG, work / "home" / "prepared" / SLUG)
        for _ in range(2):
            started = time.perf_counter()
            runs.append(job.execute_in_process(partition_key=SLUG, instance=instance))
            walls.append(time.perf_counter() - started)
            assert runs[-1].success
            if len(runs) == 1:
                before = _files(*folders)
        after = _files(*folders)
        changed = [path for path in before.keys() | after.keys() if before.get(path) != after.get(path)]
        first, second = (_step_seconds(instance, run) for run in runs)
        print(f"competition: {args.rows:,} training rows, zip {zipped / 1e6:.1f} MB")
        print(f"{'step':<20}{'first run':>12}{'unchanged':>12}")
        for step in STEPS:
            print(f"{step:<20}{first[step]:>11.2f}s{second[step]:>11.2f}s")
        total_first, total_second = sum(first[s] for s in STEPS), sum(second[s] for s in STEPS)
        print(f"{'steps in all':<20}{total_first:>11.2f}s{total_second:>11.2f}s   ({total_first / total_second:.0f}x)")
        print(f"{'run wall time':<20}{walls[0]:>11.2f}s{walls[1]:>11.2f}s")
        print(f"files under raw/ and prepared/: {len(after)}; changed by the second run: {len(changed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
