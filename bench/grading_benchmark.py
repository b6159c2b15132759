"""Benchmark: grading a large submission against reading it with pandas (issue 13, build point 5: within 2x).

    python bench/grading_benchmark.py [--rows 1000000] [--repeat 3]

Writes a prepared folder with ``--rows`` answers (an integer id and a 0/1 target, AUC) and a submission of as many
rows (the id and a probability, rows shuffled), then times, in this process and alternating: ``pd.read_csv`` of the
submission (the baseline: what any grader must at least do) and ``validation.grading.grade_submission`` (read the
answers and the submission, validate every row, match ids, score), a cold call each time: nothing is cached between
calls. A well-formed submission like this one takes the grader's fast path (``validation.grading._graded_fast``),
which uses the machine's second core; ``--precise`` times the precise path instead (what every bad submission
takes). Best of ``--repeat`` each; prints both and the ratio. Also times the refusal of a submission far larger than
the answers could be (rejected before it is parsed). Results go in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from validation import grading  # noqa: E402
from validation.data_root import PreparedFolder  # noqa: E402
from validation.grading import grade_submission  # noqa: E402


def _prepared(folder: Path, rows: int) -> tuple[PreparedFolder, Path]:
    rng = np.random.default_rng(0)
    prepared = PreparedFolder(folder / "bench")
    prepared.private.mkdir(parents=True)
    prepared.public.mkdir(parents=True)
    ids = np.arange(rows)
    target = rng.integers(0, 2, rows)
    pd.DataFrame({"id": ids, "target": target}).to_csv(prepared.answers, index=False)
    pd.DataFrame({"id": ids, "target": 0.5}).to_csv(prepared.sample_submission, index=False)
    prepared.manifest.write_text(json.dumps({"recipe": {"id_column": "id", "target_columns": ["target"]}}))
    order = rng.permutation(rows)
    guess = np.clip(target * 0.3 + rng.random(rows) * 0.7, 0, 1)  # a fair model: AUC about 0.9
    submission = folder / "submission.csv"
    pd.DataFrame({"id": ids[order], "target": guess[order]}).to_csv(submission, index=False)
    return prepared, submission


def _best(function, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the answers and the submission")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the best is compared")
    parser.add_argument("--precise", action="store_true", help="time the precise path (the fast one is off)")
    args = parser.parse_args()
    grading.FAST_PATH = not args.precise
    with tempfile.TemporaryDirectory(prefix="mlecurate-grading-") as scratch:
        prepared, submission = _prepared(Path(scratch), args.rows)
        size = submission.stat().st_size
        read, _ = _best(lambda: pd.read_csv(submission), args.repeat)
        graded, report = _best(lambda: grade_submission(submission, prepared, "auc"), args.repeat)
        assert report.valid_submission, report.errors
        huge = Path(scratch) / "huge.csv"
        with open(huge, "wb") as handle:  # 25x the sample submission: more than any submission can be
            handle.truncate(25 * prepared.sample_submission.stat().st_size)
        refused, refusal = _best(lambda: grade_submission(huge, prepared, "auc"), args.repeat)
        assert not refusal.valid_submission
        print(f"submission: {args.rows:,} rows, {size / 1e6:.1f} MB; AUC {report.score:.4f}")
        print(f"pandas read_csv (baseline)        {read:7.3f} s")
        path = "precise path" if args.precise else "fast path"
        print(f"grade_submission, {path:15s} {graded:7.3f} s   {graded / read:.2f}x the baseline (target: at most 2x)")
        print(f"a {huge.stat().st_size / 1e6:,.0f} MB file refused in  {refused:7.3f} s   ({refusal.errors[0][-90:]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
